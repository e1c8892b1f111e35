/* lmrec — WordPiece, the tokenizer of BERT-family models, against their
 * vocab.txt.
 *
 * A vocab.txt has one token a line; a token's id is its line number less
 * one. Pieces that continue a word start with "##". Encoding a text is
 * BERT's: the basic tokenizer of text.h (cleaning, CJK ideographs apart,
 * white space, lower case and no accents for an uncased vocabulary,
 * punctuation apart), then each word split greedily into the longest
 * pieces of the vocabulary from its start, "##" pieces after the first; a
 * word with a part no piece matches, or of more than max_chars code points,
 * is one [UNK]. The ids are [CLS], the pieces (truncated to fit), [SEP].
 *
 * A loaded vocabulary is only read by the encoder: threads may share one,
 * each with its own struct lmrec_wordpiece_ws. */
#ifndef LMREC_WORDPIECE_H
#define LMREC_WORDPIECE_H

#include <stddef.h>
#include <stdint.h>

#include "ids.h"
#include "pii.h"
#include "text.h"

/* lowercase argument of lmrec_wordpiece_load: decide from the vocabulary:
 * uncased unless 1% or more of its tokens (the bracketed special ones left
 * aside) hold a capital letter; about a fifth do in BERT's cased models. */
#define LMREC_WORDPIECE_DETECT (-1)
/* BERT's max_input_chars_per_word. */
#define LMREC_WORDPIECE_MAX_CHARS 100

struct lmrec_wordpiece {
	struct lmrec_ids *vocab; /* token -> id; ids in line order from 0 */
	int lowercase;           /* lower case and strip accents before matching */
	int32_t unk, cls, sep;   /* the ids of [UNK], [CLS], [SEP] */
	int32_t pad, mask;       /* [PAD], [MASK], or -1 when absent */
	size_t max_chars;        /* longer words are [UNK] */
	size_t longest;          /* code points of the longest piece, "##" and the
				  * bracketed special tokens left out */
};

/* Reads a vocab.txt (gzip is read as it is; "-" is standard input):
 * UTF-8, one token a line, a CR before the LF ignored. lowercase is 1
 * (uncased), 0 (cased) or LMREC_WORDPIECE_DETECT. Dies (65) with one line
 * naming the file, and the line where one is at fault, when the file is
 * empty, a line is empty, holds white space or invalid UTF-8, a token is
 * given twice, or [UNK], [CLS] or [SEP] is missing; dies (1) when the file
 * cannot be read. */
struct lmrec_wordpiece *lmrec_wordpiece_load(const char *path, int lowercase);
void lmrec_wordpiece_free(struct lmrec_wordpiece *wp); /* NULL allowed */

static inline size_t lmrec_wordpiece_size(const struct lmrec_wordpiece *wp)
{
	return lmrec_ids_count(wp->vocab);
}
/* The token of an id (0 <= id < size), NUL-terminated. */
static inline const char *lmrec_wordpiece_token(const struct lmrec_wordpiece *wp, int32_t id,
						size_t *len)
{
	return lmrec_ids_str(wp->vocab, (uint32_t)id, len);
}
/* The id of a token, or -1. */
static inline int32_t lmrec_wordpiece_id(const struct lmrec_wordpiece *wp, const char *tok,
					 size_t len)
{
	return (int32_t)lmrec_ids_find(wp->vocab, tok, len);
}

/* Scratch space of the encoder, one per thread. A zeroed struct is ready;
 * lmrec_wordpiece_ws_free releases what it holds. */
struct lmrec_wordpiece_ws {
	struct lmrec_tokens basic; /* the basic tokens of the last text */
	int32_t *piece;            /* (pieces) ids of the last text, untruncated */
	size_t pieces, cap;
	char *cand;                /* (candcap) a candidate piece */
	size_t candcap;
	size_t *at;                /* (atcap) code point offsets of a word */
	size_t atcap;
	size_t masked;             /* masked spans in the last text */
};
void lmrec_wordpiece_ws_free(struct lmrec_wordpiece_ws *ws);

/* Encodes the UTF-8 text s[0..len) into ids: [CLS], the first max_len - 2
 * pieces, [SEP]; returns the number of ids written (2 to max_len).
 * max_len >= 2. mask: spans of s to mask (lmrec_pii_find on the same
 * text), each then one [UNK]; NULL masks nothing. ws->pieces is then the
 * number of pieces before truncation. */
size_t lmrec_wordpiece_encode(const struct lmrec_wordpiece *wp, const char *s, size_t len,
			      size_t max_len, int32_t *ids, const struct lmrec_pii *mask,
			      struct lmrec_wordpiece_ws *ws);

#endif

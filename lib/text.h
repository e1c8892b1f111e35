/* lmrec — item text to tokens: lists of tokens, the word tokenizer of
 * lmrec-tokenize (normalisation, case folding, words, numbers, stop words,
 * n-grams, character n-grams), BERT's basic tokenizer (the first half of
 * WordPiece, see wordpiece.h), and the text of an item.
 *
 * The word tokenizer, on the UTF-8 text between the masked spans (pii.h):
 *  1. clean: U+0000, U+FFFD (what an invalid byte decodes to), control
 *     characters (Cc) and format characters (Cf: soft hyphen, zero-width
 *     joiners, bidi marks, BOM) are dropped; TAB, LF, CR, spaces (Zs) and
 *     line separators (Zl, Zp) separate words;
 *  2. NFD (full canonical decomposition, marks in canonical order);
 *  3. full case folding (unless keep_case): A -> a, Σ and ς -> σ,
 *     ß and ẞ -> ss, ligatures such as ﬁ -> fi, in every cased script;
 *  4. nonspacing marks (Mn) dropped if strip_accents: é -> e, but also
 *     the vowel signs of scripts that write vowels as marks;
 *  5. NFC (canonical composition), so a token is in NFC whatever the input;
 *  6. words: runs of letters, digits, other numbers (², ½) and marks; an
 *     apostrophe (' or ’, written ') or a middle dot between two letters,
 *     and a '.' or ',' between two digits, stays inside a word; a final
 *     "'s" is removed (possessive). Each CJK ideograph is a word of its
 *     own; kana, Hangul and scripts written without spaces (Thai, Lao,
 *     Khmer, Myanmar) give one word per run. Punctuation and symbols
 *     separate words and are dropped unless keep_punct, which makes each
 *     one a token of its own (with the marks that follow it);
 *  7. a word made of digits (and . , between them) is a number: kept,
 *     replaced by "<num>", or dropped;
 *  8. a word of the stop list is dropped (the list is compared after the
 *     same normalisation, and case-folded even with keep_case).
 * No token is empty or holds white space. */
#ifndef LMREC_TEXT_H
#define LMREC_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "ids.h"
#include "pii.h"
#include "tsv.h"
#include "unicode.h"

/* Token flags. */
enum {
	LMREC_TOK_BREAK = 1, /* no n-gram joins this token to the one before */
	LMREC_TOK_MASK = 2,  /* stands for masked personal data ("<email>", ...) */
	LMREC_TOK_NUM = 4    /* a number (or "<num>") */
};

/* A list of tokens in one buffer: token i is the bytes
 * buf[off[i] .. off[i] + len[i]), followed by a NUL. Also the scratch
 * space of the tokenizers, so one list per thread makes them thread-safe.
 * A zeroed struct is an empty list; lmrec_tokens_free releases it. */
struct lmrec_tokens {
	char *buf;               /* (used) */
	size_t used, bufcap;
	size_t *off, *len;       /* (n) */
	unsigned char *flags;    /* (n) LMREC_TOK_* */
	size_t n, cap;
	struct lmrec_ucs u1, u2, u3; /* scratch */
	char *tmp;               /* (tmpcap) scratch */
	size_t tmpcap;
};

void lmrec_tokens_free(struct lmrec_tokens *t);
static inline void lmrec_tokens_clear(struct lmrec_tokens *t) { t->n = t->used = 0; }
void lmrec_tokens_push(struct lmrec_tokens *t, const char *p, size_t len, unsigned flags);
static inline const char *lmrec_tokens_get(const struct lmrec_tokens *t, size_t i, size_t *len)
{
	*len = t->len[i];
	return t->buf + t->off[i];
}

/* ---- the word tokenizer ---- */

enum lmrec_text_numbers { LMREC_NUM_KEEP, LMREC_NUM_MASK, LMREC_NUM_DROP };

struct lmrec_text_opts {
	int keep_case;     /* no case folding */
	int strip_accents; /* drop nonspacing marks after decomposition */
	int keep_punct;    /* punctuation and symbols as one-character tokens */
	enum lmrec_text_numbers numbers;
};

struct lmrec_text {
	struct lmrec_text_opts o;
	struct lmrec_ids *stop;  /* the stop words, normalised (NULL: none) */
	struct lmrec_tokens tmp; /* scratch of the stop-word loaders */
};

/* A tokenizer with no stop words. Free with lmrec_text_free (NULL is
 * allowed). */
struct lmrec_text *lmrec_text_new(const struct lmrec_text_opts *o);
void lmrec_text_free(struct lmrec_text *t);

/* The built-in English stop words (lower case, in alphabetical order). */
const char *const *lmrec_text_english_stopwords(size_t *n);
/* Adds the built-in English list. */
void lmrec_text_stop_english(struct lmrec_text *t);
/* Adds one stop word: 0, or -1 when w[0..len) is not exactly one word
 * once tokenized as text. */
int lmrec_text_stop_add(struct lmrec_text *t, const char *w, size_t len);
/* Adds the stop words of a file ("-": standard input; gzip is read as
 * it is): one a line, UTF-8; empty lines and lines starting with '#' are
 * skipped; a trailing CR is ignored. A line that is not one word dies (65)
 * with "file:line: 'text' is not one word"; a file that cannot be read
 * dies (1). */
void lmrec_text_stop_load(struct lmrec_text *t, const char *path);

/* Appends to out the words of the UTF-8 text s[0..len). mask: spans of s
 * (from lmrec_pii_find on the same text) to replace by their tokens, or
 * NULL. The first token appended, a mask, and a token after a mask, a
 * line feed or sentence punctuation (. ! ? ; : … and their CJK and other
 * scripts' forms) are flagged LMREC_TOK_BREAK. */
void lmrec_text_words(const struct lmrec_text *t, const char *s, size_t len,
		      const struct lmrec_pii *mask, struct lmrec_tokens *out);

/* Appends to out the word n-grams of w's tokens, for every size from 2 to
 * n: all the bigrams in order, then the trigrams, and so on; the words are
 * joined by '_'. No n-gram holds a mask or starts a token before one
 * flagged LMREC_TOK_BREAK. out must not be w. */
void lmrec_text_ngrams(const struct lmrec_tokens *w, size_t n, struct lmrec_tokens *out);

/* Appends to out the character n-grams of a word as fastText makes them:
 * of "<" word ">", every run of minn to maxn code points in order of start
 * then length, but "<" and ">" alone (minn = 1); the whole "<word>" is one
 * of them when short enough. 1 <= minn <= maxn. */
void lmrec_text_char_ngrams(const char *w, size_t len, size_t minn, size_t maxn,
			    struct lmrec_tokens *out);

/* ---- BERT's basic tokenizer ---- */

/* Appends to out the tokens of BERT's BasicTokenizer: U+0000, U+FFFD and
 * control and format characters (but TAB, LF, CR) dropped; white space
 * (TAB, LF, CR, Zs, Zl, Zp) separates; a space on each side of every CJK
 * ideograph; if lowercase, each token lower-cased as Python's str.lower
 * (simple mappings, İ -> i + U+0307, Σ -> ς at the end of a word) then
 * decomposed (NFD) with its nonspacing marks (Mn) dropped; then every
 * punctuation character (category P, and the ASCII symbols $ + < = > ^ `
 * | ~) split off as a token of its own. A masked span (mask, or NULL)
 * becomes one token flagged LMREC_TOK_MASK. */
void lmrec_text_bert(const char *s, size_t len, int lowercase, const struct lmrec_pii *mask,
		     struct lmrec_tokens *out);

/* ---- the text of an item ---- */

/* Columns of an items stream whose text is tokenized. */
struct lmrec_text_fields {
	size_t *col;          /* (n) column indices */
	unsigned char *attrs; /* (n) 1: an attrs column, read for its values */
	size_t n;
};

/* Parses a comma-separated list of column names ("title,text") against
 * r's header: a column absent from the header dies (65) as lmrec_tsv_col
 * does; an empty name or a name given twice is a usage error naming opt.
 * A column named "attrs" is read for its values. */
void lmrec_text_fields_open(struct lmrec_text_fields *f, const struct lmrec_tsv *r,
			    const char *opt, const char *list);
void lmrec_text_fields_free(struct lmrec_text_fields *f);
/* The text of the current row of r: the fields, decoded from their
 * escapes, joined by a line feed; an attrs field gives its values
 * ("genre=Drama;mood=feel_good" -> "Drama, feel good": the values joined
 * by ", ", '_' read as a space), an empty field nothing. Into *buf (grown
 * as needed, *cap bytes); returns the length. */
size_t lmrec_text_item(const struct lmrec_text_fields *f, const struct lmrec_tsv *r, char **buf,
		       size_t *cap);

#endif

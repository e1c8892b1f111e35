/* lmrec — WordPiece (see wordpiece.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tsv.h"
#include "unicode.h"
#include "utf8.h"
#include "util.h"
#include "wordpiece.h"

/* A special token, bracketed like "[CLS]" or "[unused7]". */
static int bracketed(const char *p, size_t len)
{
	return len >= 3 && p[0] == '[' && p[len - 1] == ']';
}

static int32_t need_id(const struct lmrec_ids *v, const char *tok)
{
	return (int32_t)lmrec_ids_find(v, tok, strlen(tok));
}

struct lmrec_wordpiece *lmrec_wordpiece_load(const char *path, int lowercase)
{
	struct lmrec_tsv *r =
		lmrec_tsv_open_with(path,
				    LMREC_TSV_NOHEADER | LMREC_TSV_RAW | LMREC_TSV_CRLF | LMREC_TSV_RAGGED,
				    "\t");
	struct lmrec_wordpiece *wp = lmrec_xcalloc(1, sizeof *wp);
	wp->vocab = lmrec_ids_new();
	wp->max_chars = LMREC_WORDPIECE_MAX_CHARS;
	size_t *first_line = NULL, cap = 0; /* line of each token, for duplicates */
	size_t plain_tokens = 0, capitals = 0; /* not bracketed; of them with a capital */
	while (lmrec_tsv_read(r)) {
		const char *p = r->line;
		size_t len = r->linelen, bad;
		if (len == 0)
			lmrec_tsv_die_line(r, "empty token (a vocab.txt has one token a line)");
		if (!lmrec_utf8_valid(p, len, &bad))
			lmrec_tsv_die_line(r, "not valid UTF-8 (byte %zu)", bad + 1);
		size_t i = 0, ncp = 0;
		int plain = !bracketed(p, len), capital = 0;
		while (i < len) {
			uint32_t c = lmrec_uc_decode(p, len, &i);
			enum lmrec_uc_class k = lmrec_uc_class(c);
			if (k == LMREC_UC_SPACE || k == LMREC_UC_LINESEP || k == LMREC_UC_CONTROL)
				lmrec_tsv_die_line(r, "token '%.*s' holds white space (a vocab.txt has "
						      "one token a line)",
						   (int)(len > 60 ? 60 : len), p);
			capital |= lmrec_uc_lower(c) != c;
			ncp++;
		}
		plain_tokens += plain;
		capitals += plain && capital;
		size_t n = lmrec_ids_count(wp->vocab);
		uint32_t id = lmrec_ids_intern(wp->vocab, p, len);
		if (id != n)
			lmrec_tsv_die_line(r, "token '%.*s' given twice (first on line %zu)",
					   (int)(len > 60 ? 60 : len), p, first_line[id]);
		LMREC_GROW(first_line, cap, n + 1);
		first_line[n] = r->lineno;
		if (len > 2 && p[0] == '#' && p[1] == '#')
			ncp -= 2;
		/* a bracketed token never matches a word: '[' is punctuation */
		if (plain && ncp > wp->longest)
			wp->longest = ncp;
	}
	const char *name = r->display;
	if (lmrec_ids_count(wp->vocab) == 0)
		lmrec_die(LMREC_EXIT_DATA, "%s: empty vocabulary", name);
	const char *special[] = {"[UNK]", "[CLS]", "[SEP]"};
	int32_t *slot[] = {&wp->unk, &wp->cls, &wp->sep};
	char missing[64] = "";
	size_t nmissing = 0;
	for (size_t k = 0; k < 3; k++) {
		*slot[k] = need_id(wp->vocab, special[k]);
		if (*slot[k] < 0) {
			snprintf(missing + strlen(missing), sizeof missing - strlen(missing), "%s'%s'",
				 nmissing ? ", " : "", special[k]);
			nmissing++;
		}
	}
	if (nmissing)
		lmrec_die(LMREC_EXIT_DATA,
			  "%s: no %s token%s (a BERT vocab.txt holds [UNK], [CLS] and [SEP])", name,
			  missing, nmissing > 1 ? "s" : "");
	wp->pad = need_id(wp->vocab, "[PAD]");
	wp->mask = need_id(wp->vocab, "[MASK]");
	/* cased vocabularies have capitals everywhere (a fifth of the tokens of
	 * BERT's cased ones); an uncased one may hold a stray capital symbol */
	wp->lowercase = lowercase == LMREC_WORDPIECE_DETECT ? capitals * 100 < plain_tokens
							    : lowercase != 0;
	free(first_line);
	lmrec_tsv_close(r);
	return wp;
}

void lmrec_wordpiece_free(struct lmrec_wordpiece *wp)
{
	if (!wp)
		return;
	lmrec_ids_free(wp->vocab);
	free(wp);
}

void lmrec_wordpiece_ws_free(struct lmrec_wordpiece_ws *ws)
{
	lmrec_tokens_free(&ws->basic);
	free(ws->piece);
	free(ws->cand);
	free(ws->at);
	memset(ws, 0, sizeof *ws);
}

static void push_piece(struct lmrec_wordpiece_ws *ws, int32_t id)
{
	if (ws->pieces == ws->cap)
		LMREC_GROW(ws->piece, ws->cap, ws->pieces + 1);
	ws->piece[ws->pieces++] = id;
}

/* The pieces of one word w[0..len), or one [UNK]. */
static void encode_word(const struct lmrec_wordpiece *wp, const char *w, size_t len,
			struct lmrec_wordpiece_ws *ws)
{
	/* code point offsets: at[k] is where code point k starts */
	LMREC_GROW(ws->at, ws->atcap, len + 1);
	size_t n = 0;
	for (size_t i = 0; i < len;) {
		ws->at[n++] = i;
		lmrec_uc_decode(w, len, &i);
	}
	ws->at[n] = len;
	if (n > wp->max_chars) {
		push_piece(ws, wp->unk);
		return;
	}
	LMREC_GROW(ws->cand, ws->candcap, len + 3);
	size_t before = ws->pieces, start = 0;
	while (start < n) {
		size_t end = n - start > wp->longest ? start + wp->longest : n;
		int64_t id = -1;
		for (; end > start; end--) {
			size_t b = ws->at[start], e = ws->at[end];
			if (start == 0) {
				id = lmrec_ids_find(wp->vocab, w, e);
			} else {
				ws->cand[0] = '#';
				ws->cand[1] = '#';
				memcpy(ws->cand + 2, w + b, e - b);
				id = lmrec_ids_find(wp->vocab, ws->cand, e - b + 2);
			}
			if (id >= 0)
				break;
		}
		if (id < 0) {
			ws->pieces = before;
			push_piece(ws, wp->unk);
			return;
		}
		push_piece(ws, (int32_t)id);
		start = end;
	}
}

size_t lmrec_wordpiece_encode(const struct lmrec_wordpiece *wp, const char *s, size_t len,
			      size_t max_len, int32_t *ids, const struct lmrec_pii *mask,
			      struct lmrec_wordpiece_ws *ws)
{
	if (max_len < 2)
		lmrec_die(LMREC_EXIT_FAIL, "lmrec_wordpiece_encode: max_len %zu is below 2", max_len);
	lmrec_tokens_clear(&ws->basic);
	lmrec_text_bert(s, len, wp->lowercase, mask, &ws->basic);
	ws->pieces = 0;
	ws->masked = mask ? mask->n : 0;
	for (size_t t = 0; t < ws->basic.n; t++) {
		if (ws->basic.flags[t] & LMREC_TOK_MASK) {
			push_piece(ws, wp->unk);
			continue;
		}
		size_t tl;
		const char *tok = lmrec_tokens_get(&ws->basic, t, &tl);
		encode_word(wp, tok, tl, ws);
	}
	size_t keep = ws->pieces < max_len - 2 ? ws->pieces : max_len - 2;
	ids[0] = wp->cls;
	if (keep)
		memcpy(ids + 1, ws->piece, keep * sizeof *ids);
	ids[keep + 1] = wp->sep;
	return keep + 2;
}

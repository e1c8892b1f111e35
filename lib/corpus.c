/* lmrec — a tokenised catalog in memory (see corpus.h). */
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "tsv.h"
#include "util.h"

static void add_word(struct lmrec_corpus *c, const char *p, size_t len)
{
	uint32_t w = lmrec_ids_intern(c->words, p, len);
	if (w >= c->ccount) {
		size_t old = c->ccount;
		LMREC_GROW(c->count, c->ccount, (size_t)w + 1);
		memset(c->count + old, 0, (c->ccount - old) * sizeof *c->count);
	}
	c->count[w]++;
	LMREC_GROW(c->tok, c->ctok, c->ntokens + 1);
	c->tok[c->ntokens++] = w;
}

void lmrec_corpus_read(struct lmrec_corpus *c, char *const *files, size_t nfiles)
{
	static char *const stdin_only[] = {"-"};
	if (nfiles == 0) {
		files = stdin_only;
		nfiles = 1;
	}
	memset(c, 0, sizeof *c);
	c->items = lmrec_ids_new();
	c->words = lmrec_ids_new();
	LMREC_GROW(c->start, c->cstart, 1);
	c->start[0] = 0;
	struct lmrec_tsv *first = NULL;
	for (size_t fi = 0; fi < nfiles; fi++) {
		struct lmrec_tsv *r = lmrec_tsv_open(files[fi]);
		if (first)
			lmrec_tsv_same_header(first, r);
		size_t ci = lmrec_tsv_col(r, "item"), ct = lmrec_tsv_col(r, "tokens");
		while (lmrec_tsv_read(r)) {
			struct lmrec_field id = r->f[ci], t = r->f[ct];
			if (id.len == 0)
				lmrec_tsv_die(r, ci, "empty id");
			size_t before = lmrec_ids_count(c->items);
			uint32_t i = lmrec_ids_intern(c->items, id.p, id.len);
			if (i < before)
				lmrec_tsv_die(r, ci, "item '%.*s' is given twice", (int)(id.len > 40 ? 40 : id.len),
					      id.p);
			for (size_t a = 0; a < t.len;) {
				while (a < t.len && t.p[a] == ' ')
					a++;
				size_t b = a;
				while (b < t.len && t.p[b] != ' ')
					b++;
				if (b > a)
					add_word(c, t.p + a, b - a);
				a = b;
			}
			LMREC_GROW(c->start, c->cstart, (size_t)i + 2);
			c->start[i + 1] = c->ntokens;
		}
		if (first)
			lmrec_tsv_close(r);
		else
			first = r;
	}
	lmrec_tsv_close(first);
	/* count covers every word even when the last ones were never grown into */
	LMREC_GROW(c->count, c->ccount, lmrec_ids_count(c->words) + 1);
}

void lmrec_corpus_free(struct lmrec_corpus *c)
{
	lmrec_ids_free(c->items);
	lmrec_ids_free(c->words);
	free(c->count);
	free(c->start);
	free(c->tok);
	memset(c, 0, sizeof *c);
}

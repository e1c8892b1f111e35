/* lmrec — token-id sequences in memory (see idseq.h). */
#include <stdlib.h>
#include <string.h>

#include "idseq.h"
#include "tsv.h"
#include "util.h"

/* Appends the ids of field t (column ct of r's row) to s. */
static void add_ids(struct lmrec_idseq *s, const struct lmrec_tsv *r, size_t ct, size_t vocab,
		    const char *vocab_name, size_t max_len)
{
	struct lmrec_field t = r->f[ct];
	uint64_t first = s->nids;
	size_t n = 0;
	for (size_t a = 0; a < t.len;) {
		while (a < t.len && t.p[a] == ' ')
			a++;
		if (a == t.len)
			break;
		size_t b = a;
		while (b < t.len && t.p[b] != ' ')
			b++;
		int shown = (int)(b - a > 20 ? 20 : b - a);
		uint64_t v = 0;
		for (size_t k = a; k < b; k++) {
			if (t.p[k] < '0' || t.p[k] > '9')
				lmrec_tsv_die(r, ct, "id %zu: '%.*s' is not a token id (a decimal integer)",
					      n + 1, shown, t.p + a);
			if (v <= vocab) /* saturates past vocab: no overflow */
				v = v * 10 + (uint64_t)(t.p[k] - '0');
		}
		if (v >= vocab)
			lmrec_tsv_die(r, ct, "id %zu: '%.*s' is outside the vocabulary of %s (0 to %zu)",
				      n + 1, shown, t.p + a, vocab_name, vocab - 1);
		n++;
		/* past max_len, the last id so far overwrites the last slot */
		if (n > max_len)
			s->id[first + max_len - 1] = (int32_t)v;
		else {
			LMREC_GROW(s->id, s->cid, s->nids + 1);
			s->id[s->nids++] = (int32_t)v;
		}
		a = b;
	}
	s->truncated += n > max_len;
	s->longest = n > s->longest ? n : s->longest;
}

void lmrec_idseq_read(struct lmrec_idseq *s, char *const *files, size_t nfiles, size_t vocab,
		      const char *vocab_name, size_t max_len)
{
	static char *const stdin_only[] = {"-"};
	if (nfiles == 0) {
		files = stdin_only;
		nfiles = 1;
	}
	memset(s, 0, sizeof *s);
	s->items = lmrec_ids_new();
	LMREC_GROW(s->start, s->cstart, 1);
	s->start[0] = 0;
	struct lmrec_tsv *first = NULL;
	for (size_t fi = 0; fi < nfiles; fi++) {
		struct lmrec_tsv *r = lmrec_tsv_open(files[fi]);
		if (first)
			lmrec_tsv_same_header(first, r);
		size_t ci = lmrec_tsv_col(r, "item"), ct = lmrec_tsv_col(r, "ids");
		while (lmrec_tsv_read(r)) {
			struct lmrec_field id = r->f[ci];
			if (id.len == 0)
				lmrec_tsv_die(r, ci, "empty id");
			size_t before = lmrec_ids_count(s->items);
			uint32_t i = lmrec_ids_intern(s->items, id.p, id.len);
			if (i < before)
				lmrec_tsv_die(r, ci, "item '%.*s' is given twice", (int)(id.len > 40 ? 40 : id.len),
					      id.p);
			add_ids(s, r, ct, vocab, vocab_name, max_len);
			LMREC_GROW(s->start, s->cstart, (size_t)i + 2);
			s->start[i + 1] = s->nids;
		}
		if (first)
			lmrec_tsv_close(r);
		else
			first = r;
	}
	lmrec_tsv_close(first);
}

void lmrec_idseq_free(struct lmrec_idseq *s)
{
	if (!s)
		return;
	lmrec_ids_free(s->items);
	free(s->start);
	free(s->id);
	memset(s, 0, sizeof *s);
}

/* lmrec — vectors streams (see vectors.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tsv.h"
#include "util.h"
#include "vectors.h"

void lmrec_vectors_read(struct lmrec_vectors *vs, const char *path, const char *key)
{
	memset(vs, 0, sizeof *vs);
	vs->ids = lmrec_ids_new();
	struct lmrec_tsv *r = lmrec_tsv_open(path);
	size_t ck = lmrec_tsv_col(r, key);
	size_t *dcol = lmrec_xcalloc(r->ncols + 1, sizeof *dcol);
	for (;; vs->dim++) {
		char name[32];
		snprintf(name, sizeof name, "d%zu", vs->dim);
		long c = lmrec_tsv_col_opt(r, name);
		if (c < 0)
			break;
		dcol[vs->dim] = (size_t)c;
	}
	if (vs->dim == 0)
		lmrec_tsv_die_line(r, "no vector columns d0, d1, ... in the header");
	size_t cap = 0;
	while (lmrec_tsv_read(r)) {
		struct lmrec_field id = r->f[ck];
		if (id.len == 0)
			lmrec_tsv_die(r, ck, "empty id");
		size_t before = lmrec_ids_count(vs->ids);
		lmrec_ids_intern(vs->ids, id.p, id.len);
		if (lmrec_ids_count(vs->ids) == before)
			lmrec_tsv_die(r, ck, "'%.*s' has a vector already", (int)(id.len > 40 ? 40 : id.len), id.p);
		LMREC_GROW(vs->v, cap, (vs->n + 1) * vs->dim);
		for (size_t d = 0; d < vs->dim; d++)
			vs->v[vs->n * vs->dim + d] = lmrec_tsv_f32(r, dcol[d]);
		vs->n++;
	}
	lmrec_tsv_close(r);
	free(dcol);
}

void lmrec_vectors_free(struct lmrec_vectors *vs)
{
	lmrec_ids_free(vs->ids);
	free(vs->v);
	memset(vs, 0, sizeof *vs);
}

const float *lmrec_vectors_find(const struct lmrec_vectors *vs, const char *id, size_t len)
{
	int64_t r = lmrec_ids_find(vs->ids, id, len);
	return r < 0 ? NULL : vs->v + (size_t)r * vs->dim;
}

double lmrec_cosine(const float *a, const float *b, size_t dim)
{
	double dot = 0, na = 0, nb = 0;
	for (size_t d = 0; d < dim; d++) {
		dot += (double)a[d] * b[d];
		na += (double)a[d] * a[d];
		nb += (double)b[d] * b[d];
	}
	return na > 0 && nb > 0 ? dot / sqrt(na * nb) : 0.0;
}

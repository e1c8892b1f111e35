/* lmrec — co-occurrence counts with bounded contributions (see cooc.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cooc.h"
#include "util.h"

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t lmrec_cooc_key(uint64_t seed, uint64_t user_hash, uint64_t item_hash)
{
	return mix64(mix64(mix64(seed ^ 0x2545f4914f6cdd1dull) ^ user_hash) ^ item_hash);
}

struct keyed {
	uint64_t key;
	uint32_t item;
};

static int cmp_keyed(const void *pa, const void *pb)
{
	const struct keyed *a = pa, *b = pb;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return a->item < b->item ? -1 : a->item > b->item;
}

static int cmp_u32(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	return a < b ? -1 : a > b;
}

void lmrec_cooc_build(struct lmrec_cooc *c, const struct lmrec_csr *ui, const uint64_t *user_hash,
		      const uint64_t *item_hash, size_t cap, uint64_t seed)
{
	memset(c, 0, sizeof *c);
	c->nu = ui->rows;
	c->ni = ui->cols;
	uint64_t *ptr = lmrec_xcalloc(c->nu + 1, sizeof *ptr);
	for (size_t u = 0; u < c->nu; u++) {
		uint64_t len = ui->ptr[u + 1] - ui->ptr[u];
		ptr[u + 1] = ptr[u] + (cap && len > cap ? cap : len);
	}
	uint64_t nnz = ptr[c->nu];
	uint32_t *idx = lmrec_xcalloc(nnz + 1, sizeof *idx);
	float *val = lmrec_xcalloc(nnz + 1, sizeof *val);
	struct keyed *tmp = NULL;
	size_t tcap = 0;
	for (size_t u = 0; u < c->nu; u++) {
		uint64_t b = ui->ptr[u], len = ui->ptr[u + 1] - b, keep = ptr[u + 1] - ptr[u];
		uint32_t *dst = idx + ptr[u];
		if (keep == len) {
			memcpy(dst, ui->idx + b, len * sizeof *dst);
		} else {
			LMREC_GROW(tmp, tcap, len);
			for (uint64_t q = 0; q < len; q++) {
				uint32_t i = ui->idx[b + q];
				tmp[q] = (struct keyed){lmrec_cooc_key(seed, user_hash[u], item_hash[i]), i};
			}
			qsort(tmp, len, sizeof *tmp, cmp_keyed);
			for (uint64_t q = 0; q < keep; q++)
				dst[q] = tmp[q].item;
			qsort(dst, keep, sizeof *dst, cmp_u32); /* rows stay sorted */
			c->dropped += len - keep;
		}
		for (uint64_t q = 0; q < keep; q++)
			val[ptr[u] + q] = 1.0f;
	}
	free(tmp);
	c->ui = (struct lmrec_csr){.rows = c->nu, .cols = c->ni, .ptr = ptr, .idx = idx, .val = val};
	lmrec_csr_transpose(&c->iu, &c->ui);
}

void lmrec_cooc_free(struct lmrec_cooc *c)
{
	if (!c)
		return;
	lmrec_csr_free(&c->ui);
	lmrec_csr_free(&c->iu);
}

size_t lmrec_cooc_row(const struct lmrec_cooc *c, uint32_t i, uint32_t *count, uint32_t *touched)
{
	size_t nt = 0;
	for (uint64_t p = c->iu.ptr[i]; p < c->iu.ptr[i + 1]; p++) {
		uint32_t u = c->iu.idx[p];
		for (uint64_t q = c->ui.ptr[u]; q < c->ui.ptr[u + 1]; q++) {
			uint32_t j = c->ui.idx[q];
			if (j != i && count[j]++ == 0)
				touched[nt++] = j;
		}
	}
	return nt;
}

void lmrec_cooc_release_items(struct lmrec_cooc_release *r)
{
	size_t ni = r->c->ni;
	r->n = lmrec_xcalloc(ni + 1, sizeof *r->n);
	r->listed = lmrec_xcalloc(ni + 1, 1);
	r->items_suppressed = 0;
	for (size_t i = 0; i < ni; i++) {
		int64_t v = lmrec_dp_count(r->dp, LMREC_COOC_STREAM_ITEMS, i, lmrec_cooc_n(r->c, (uint32_t)i));
		r->n[i] = v;
		int ok = (uint64_t)v >= r->threshold;
		r->listed[i] = ok && !(r->banned && r->banned[i]);
		r->items_suppressed += v >= 1 && !ok;
	}
}

void lmrec_cooc_release_free(struct lmrec_cooc_release *r)
{
	free(r->n);
	free(r->listed);
	r->n = NULL;
	r->listed = NULL;
}

/* One candidate j of row i with true count cij. */
static void release_pair(const struct lmrec_cooc_release *r, uint32_t i, uint32_t j, uint32_t cij,
			 struct lmrec_topk *top, uint64_t *suppressed)
{
	uint64_t a = i < j ? i : j, b = i < j ? j : i;
	int64_t v = lmrec_dp_count(r->dp, LMREC_COOC_STREAM_PAIRS, a * r->c->ni + b, cij);
	if ((uint64_t)v < r->threshold) {
		*suppressed += j > i && v >= 1;
		return;
	}
	double ni = (double)r->n[i], nj = (double)r->n[j], c = (double)v;
	c = c < ni ? c : ni;
	c = c < nj ? c : nj;
	lmrec_topk_push(top, j, (float)(c / (sqrt(ni * nj) + r->shrink)));
}

void lmrec_cooc_release_row(const struct lmrec_cooc_release *r, uint32_t i, struct lmrec_topk *top, uint32_t *count,
			    uint32_t *touched, uint64_t *suppressed)
{
	if (!r->listed[i])
		return;
	size_t nt = lmrec_cooc_row(r->c, i, count, touched);
	if (r->dp) {
		for (uint32_t j = 0; j < r->c->ni; j++)
			if (j != i && r->listed[j])
				release_pair(r, i, j, count[j], top, suppressed);
	} else {
		for (size_t t = 0; t < nt; t++)
			if (r->listed[touched[t]])
				release_pair(r, i, touched[t], count[touched[t]], top, suppressed);
	}
	for (size_t t = 0; t < nt; t++)
		count[touched[t]] = 0;
}

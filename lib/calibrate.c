/* lmrec — calibrated recommendations (Steck 2018); see calibrate.h. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "calibrate.h"
#include "catalog.h"
#include "ids.h"
#include "util.h"

void lmrec_genres_from_catalog(struct lmrec_genres *gs, const struct lmrec_catalog *c,
			       const char *key, const struct lmrec_ids *items)
{
	memset(gs, 0, sizeof *gs);
	size_t n = lmrec_ids_count(items);
	gs->n = n;
	gs->ptr = lmrec_xcalloc(n + 1, sizeof *gs->ptr);
	int64_t k = -1;
	if (key) {
		gs->ng = lmrec_ids_count(c->values);
		k = lmrec_ids_find(c->keys, key, strlen(key));
	} else {
		gs->ng = lmrec_ids_count(c->categories);
	}
	size_t cap = 0, m = 0;
	for (size_t i = 0; i < n; i++) {
		size_t len;
		const char *id = lmrec_ids_str(items, (uint32_t)i, &len);
		int64_t r = lmrec_catalog_find(c, id, len);
		if (r >= 0 && !key && c->category[r] >= 0) {
			LMREC_GROW(gs->genre, cap, m + 1);
			gs->genre[m++] = (uint32_t)c->category[r];
		} else if (r >= 0 && k >= 0) {
			/* the distinct pairs are sorted by key, then value */
			for (uint64_t p = c->uptr[r]; p < c->uptr[r + 1]; p++)
				if (c->ucode[p] >> 32 == (uint64_t)k) {
					LMREC_GROW(gs->genre, cap, m + 1);
					gs->genre[m++] = (uint32_t)(c->ucode[p] & 0xffffffffu);
				}
		}
		gs->ptr[i + 1] = m;
	}
}

void lmrec_genres_free(struct lmrec_genres *gs)
{
	if (!gs)
		return;
	free(gs->ptr);
	free(gs->genre);
	memset(gs, 0, sizeof *gs);
}

size_t lmrec_genres_count_items(const struct lmrec_genres *gs)
{
	size_t n = 0;
	for (size_t i = 0; i < gs->n; i++)
		n += gs->ptr[i + 1] > gs->ptr[i];
	return n;
}

/* The genres of item i: their count, and *first. */
static size_t genres_of(const struct lmrec_genres *gs, uint32_t i, const uint32_t **first)
{
	if (i >= gs->n) {
		*first = NULL;
		return 0;
	}
	*first = gs->genre + gs->ptr[i];
	return (size_t)(gs->ptr[i + 1] - gs->ptr[i]);
}

void lmrec_calib_init(struct lmrec_calib *c, const struct lmrec_genres *gs, double alpha)
{
	memset(c, 0, sizeof *c);
	c->gs = gs;
	c->alpha = alpha;
	size_t ng = gs->ng;
	c->p = lmrec_xcalloc(ng + 1, sizeof *c->p);
	c->q = lmrec_xcalloc(ng + 1, sizeof *c->q);
	c->extra = lmrec_xcalloc(ng + 1, sizeof *c->extra);
	c->supp = lmrec_xcalloc(ng + 1, sizeof *c->supp);
	c->qg = lmrec_xcalloc(ng + 1, sizeof *c->qg);
}

void lmrec_calib_free(struct lmrec_calib *c)
{
	if (!c)
		return;
	free(c->p);
	free(c->q);
	free(c->extra);
	free(c->supp);
	free(c->qg);
	memset(c, 0, sizeof *c);
}

static int cmp_u32(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	return a < b ? -1 : a > b;
}

/* Empties the list. */
static void clear_list(struct lmrec_calib *c)
{
	for (size_t j = 0; j < c->nqg; j++)
		c->q[c->qg[j]] = 0;
	c->nqg = 0;
	c->m = 0;
}

size_t lmrec_calib_target(struct lmrec_calib *c, const uint32_t *hist, size_t n)
{
	clear_list(c);
	for (size_t j = 0; j < c->nsupp; j++)
		c->p[c->supp[j]] = 0;
	c->nsupp = 0;
	size_t nh = 0;
	for (size_t h = 0; h < n; h++) {
		const uint32_t *g;
		size_t k = genres_of(c->gs, hist[h], &g);
		if (!k)
			continue;
		nh++;
		for (size_t j = 0; j < k; j++) {
			if (c->p[g[j]] == 0)
				c->supp[c->nsupp++] = g[j];
			c->p[g[j]] += 1.0 / (double)k;
		}
	}
	qsort(c->supp, c->nsupp, sizeof *c->supp, cmp_u32);
	for (size_t j = 0; j < c->nsupp; j++)
		c->p[c->supp[j]] /= (double)nh;
	return nh;
}

/* KL over the support of p, with q's sums divided by m, plus extra. */
static double divergence(const struct lmrec_calib *c, size_t m)
{
	double kl = 0, a = c->alpha;
	for (size_t j = 0; j < c->nsupp; j++) {
		uint32_t g = c->supp[j];
		double p = c->p[g], q = m ? (c->q[g] + c->extra[g]) / (double)m : 0.0;
		kl += p * log(p / ((1 - a) * q + a * p));
	}
	return kl;
}

double lmrec_calib_kl(const struct lmrec_calib *c) { return divergence(c, c->m); }

double lmrec_calib_kl_with(struct lmrec_calib *c, uint32_t item)
{
	const uint32_t *g;
	size_t k = genres_of(c->gs, item, &g);
	if (!k)
		return divergence(c, c->m);
	for (size_t j = 0; j < k; j++)
		c->extra[g[j]] = 1.0 / (double)k;
	double kl = divergence(c, c->m + 1);
	for (size_t j = 0; j < k; j++)
		c->extra[g[j]] = 0;
	return kl;
}

void lmrec_calib_add(struct lmrec_calib *c, uint32_t item)
{
	const uint32_t *g;
	size_t k = genres_of(c->gs, item, &g);
	if (!k)
		return;
	for (size_t j = 0; j < k; j++) {
		if (c->q[g[j]] == 0)
			c->qg[c->nqg++] = g[j];
		c->q[g[j]] += 1.0 / (double)k;
	}
	c->m++;
}

size_t lmrec_calib_rerank(struct lmrec_calib *c, const uint32_t *items, const double *rel,
			  size_t n, size_t top, double lambda, size_t *pick)
{
	clear_list(c);
	size_t want = top < n ? top : n;
	unsigned char *taken = lmrec_xcalloc(n + 1, 1);
	for (size_t t = 0; t < want; t++) {
		double best = 0;
		size_t bj = SIZE_MAX;
		for (size_t j = 0; j < n; j++) {
			if (taken[j])
				continue;
			double v = (1 - lambda) * rel[j];
			if (lambda > 0)
				v -= lambda * lmrec_calib_kl_with(c, items[j]);
			if (bj == SIZE_MAX || v > best) {
				best = v;
				bj = j;
			}
		}
		taken[bj] = 1;
		pick[t] = bj;
		lmrec_calib_add(c, items[bj]);
	}
	free(taken);
	return want;
}

/* lmrec — how alike two items are, from trained models and attributes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "itemsim.h"
#include "mat.h"
#include "util.h"

struct sim_model {
	const struct lmrec_recmodel *m;
	const int64_t *to_model;
	double scale; /* what a strong pair is worth (see pair_scale) */
	float *unit;  /* factor and content models: (ni, k) unit item vectors */
};

struct lmrec_itemsim {
	const struct lmrec_catalog *c;
	struct sim_model *m; /* (nm) */
	size_t nm, npair;
	double content;
	/* scratch of the blocks */
	float *pa, *pb, *pc;
	size_t pacap, pbcap, pccap;
	int64_t *pos; /* (largest model's items) column of an item, -1 */
	uint64_t *codes, *bits;
	uint32_t *nbits;
	size_t codecap, bitcap, nbitcap;
};

/* What a strong pair of items is worth in a model, so that models on
 * different scales mix: itemknn and EASE the mean over items of their
 * largest weight to another item; factor and content models 1 (a cosine). */
static double pair_scale(const struct lmrec_recmodel *m)
{
	double sum = 0;
	size_t n = 0;
	if (m->kind == LMREC_KIND_ITEMKNN) {
		for (size_t i = 0; i < m->ni; i++) {
			float best = 0;
			for (uint64_t p = m->nb.ptr[i]; p < m->nb.ptr[i + 1]; p++)
				best = m->nb.val[p] > best ? m->nb.val[p] : best;
			sum += best;
			n += best > 0;
		}
	} else if (m->kind == LMREC_KIND_EASE) {
		for (size_t i = 0; i < m->ni; i++) {
			float best = 0;
			for (size_t j = 0; j < m->ni; j++)
				if (j != i && m->B[i * m->ni + j] > best)
					best = m->B[i * m->ni + j];
			sum += best;
			n += best > 0;
		}
	} else {
		return 1;
	}
	return n && sum > 0 ? sum / (double)n : 1;
}

/* Models that relate two items: all but popular and sasrec. */
static int pair_model(const struct lmrec_recmodel *m)
{
	return m->kind != LMREC_KIND_POPULAR && m->kind != LMREC_KIND_SASREC;
}

static double clip1(double v)
{
	return v > 1 ? 1 : v < -1 ? -1 : v;
}

struct lmrec_itemsim *lmrec_itemsim_new(const struct lmrec_catalog *c, const struct lmrec_recmodel *const *models,
					const int64_t *const *to_model, size_t nmodels, double content)
{
	struct lmrec_itemsim *s = lmrec_xcalloc(1, sizeof *s);
	s->c = c;
	s->content = content;
	s->m = lmrec_xcalloc(nmodels + 1, sizeof *s->m);
	s->nm = nmodels;
	size_t most = 1;
	for (size_t k = 0; k < nmodels; k++) {
		struct sim_model *md = &s->m[k];
		const struct lmrec_recmodel *m = models[k];
		md->m = m;
		md->to_model = to_model[k];
		md->scale = pair_scale(m);
		s->npair += pair_model(m);
		most = m->ni > most ? m->ni : most;
		if (!pair_model(m) || !m->Y)
			continue;
		size_t dim = m->k;
		md->unit = lmrec_xcalloc(m->ni * dim + 1, sizeof *md->unit);
		for (size_t i = 0; i < m->ni; i++) {
			const float *y = m->Y + i * dim;
			double norm = 0;
			for (size_t f = 0; f < dim; f++)
				norm += (double)y[f] * y[f];
			for (size_t f = 0; f < dim && norm > 0; f++)
				md->unit[i * dim + f] = (float)(y[f] / sqrt(norm));
		}
	}
	s->pos = lmrec_xmalloc(most * sizeof *s->pos);
	for (size_t k = 0; k < most; k++)
		s->pos[k] = -1;
	return s;
}

void lmrec_itemsim_free(struct lmrec_itemsim *s)
{
	if (!s)
		return;
	for (size_t k = 0; k < s->nm; k++)
		free(s->m[k].unit);
	free(s->m);
	free(s->pa);
	free(s->pb);
	free(s->pc);
	free(s->pos);
	free(s->codes);
	free(s->bits);
	free(s->nbits);
	free(s);
}

/* pair(a, b): the models' part of S. */
static double pair_sim(const struct lmrec_itemsim *s, uint32_t a, uint32_t b)
{
	double sum = 0;
	for (size_t k = 0; k < s->nm; k++) {
		const struct sim_model *md = &s->m[k];
		if (!pair_model(md->m))
			continue;
		int64_t x = md->to_model[a], y = md->to_model[b];
		if (x < 0 || y < 0)
			continue;
		double v;
		if (md->unit) { /* the cosine of the two item vectors */
			const float *p = md->unit + (size_t)x * md->m->k, *q = md->unit + (size_t)y * md->m->k;
			v = 0;
			for (size_t f = 0; f < md->m->k; f++)
				v += (double)p[f] * q[f];
		} else {
			v = lmrec_contribution(md->m, (uint32_t)x, (uint32_t)y) / md->scale;
		}
		sum += clip1(v);
	}
	return s->npair ? sum / (double)s->npair : 0.0;
}

double lmrec_itemsim(const struct lmrec_itemsim *s, uint32_t a, uint32_t b)
{
	double jac = a < s->c->n && b < s->c->n ? lmrec_catalog_jaccard(s->c, a, b) : 0.0;
	return (1 - s->content) * pair_sim(s, a, b) + s->content * jac;
}

/* dst (n, k): the unit vectors of items[0..n) in model md, 0 for those it
 * lacks. */
static void gather(float *dst, const struct sim_model *md, const uint32_t *items, size_t n)
{
	size_t dim = md->m->k;
	for (size_t r = 0; r < n; r++) {
		int64_t a = md->to_model[items[r]];
		if (a >= 0)
			memcpy(dst + r * dim, md->unit + (size_t)a * dim, dim * sizeof *dst);
		else
			memset(dst + r * dim, 0, dim * sizeof *dst);
	}
}

/* out (nr, nc) += weight * pair_sim(rows[r], cols[c]) for every pair, in
 * bulk: a product of unit vectors for factor and content models, the
 * neighbour lists for item-kNN, B for EASE. */
static void pair_block(struct lmrec_itemsim *s, const uint32_t *rows, size_t nr, const uint32_t *cols, size_t nc,
		       float *out, double weight)
{
	if (s->npair == 0 || weight == 0 || nr == 0 || nc == 0)
		return;
	double f = weight / (double)s->npair;
	for (size_t k = 0; k < s->nm; k++) {
		const struct sim_model *md = &s->m[k];
		const struct lmrec_recmodel *m = md->m;
		if (!pair_model(m))
			continue;
		if (md->unit) {
			size_t dim = m->k;
			LMREC_GROW(s->pa, s->pacap, nr * dim);
			LMREC_GROW(s->pb, s->pbcap, nc * dim);
			LMREC_GROW(s->pc, s->pccap, nr * nc);
			gather(s->pa, md, rows, nr);
			gather(s->pb, md, cols, nc);
			lmrec_sgemm_nt(nr, nc, dim, 1.0f, s->pa, dim, s->pb, dim, 0.0f, s->pc, nc);
			for (size_t x = 0; x < nr * nc; x++)
				out[x] += (float)(f * clip1(s->pc[x]));
		} else if (m->kind == LMREC_KIND_ITEMKNN) {
			for (size_t c = 0; c < nc; c++)
				if (md->to_model[cols[c]] >= 0)
					s->pos[md->to_model[cols[c]]] = (int64_t)c;
			for (size_t r = 0; r < nr; r++) {
				int64_t a = md->to_model[rows[r]];
				if (a < 0)
					continue;
				for (uint64_t p = m->nb.ptr[a]; p < m->nb.ptr[a + 1]; p++) {
					int64_t c = s->pos[m->nb.idx[p]];
					if (c >= 0)
						out[r * nc + (size_t)c] += (float)(f * clip1(m->nb.val[p] / md->scale));
				}
			}
			for (size_t c = 0; c < nc; c++)
				if (md->to_model[cols[c]] >= 0)
					s->pos[md->to_model[cols[c]]] = -1;
		} else { /* EASE */
			for (size_t r = 0; r < nr; r++) {
				int64_t a = md->to_model[rows[r]];
				if (a < 0)
					continue;
				const float *row = m->B + (size_t)a * m->ni;
				for (size_t c = 0; c < nc; c++) {
					int64_t b = md->to_model[cols[c]];
					if (b >= 0)
						out[r * nc + c] += (float)(f * clip1(row[b] / md->scale));
				}
			}
		}
	}
}

static int cmp_u64(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
	return a < b ? -1 : a > b;
}

/* The distinct pairs of item i (none for an item outside the catalog). */
static void item_pairs(const struct lmrec_catalog *c, uint32_t i, const uint64_t **p, size_t *n)
{
	*p = i < c->n ? c->ucode + c->uptr[i] : c->ucode;
	*n = i < c->n ? (size_t)(c->uptr[i + 1] - c->uptr[i]) : 0;
}

/* Bit sets of the pairs of items[0..n) over the numbering of s->codes[0..nd)
 * into s->bits + off (words each), their sizes into s->nbits + off. */
static void pair_bits(struct lmrec_itemsim *s, const uint32_t *items, size_t n, size_t nd, size_t words, size_t off)
{
	const struct lmrec_catalog *c = s->c;
	for (size_t a = 0; a < n; a++) {
		uint64_t *b = s->bits + (off + a) * words;
		const uint64_t *p;
		size_t np;
		item_pairs(c, items[a], &p, &np);
		s->nbits[off + a] = (uint32_t)np;
		for (size_t q = 0; q < np; q++) {
			size_t lo = 0, hi = nd; /* the code's number */
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;
				if (s->codes[mid] < p[q])
					lo = mid + 1;
				else
					hi = mid;
			}
			b[lo / 64] |= (uint64_t)1 << (lo % 64);
		}
	}
}

/* out (nr, nc) += weight * lmrec_catalog_jaccard(rows[r], cols[c]), in
 * bulk: the distinct pairs of the items numbered, each item a bit set. */
static void attrs_block(struct lmrec_itemsim *s, const uint32_t *rows, size_t nr, const uint32_t *cols, size_t nc,
			float *out, double weight)
{
	const struct lmrec_catalog *c = s->c;
	if (weight == 0 || nr == 0 || nc == 0)
		return;
	size_t ncode = 0, np;
	const uint64_t *p;
	for (size_t a = 0; a < nr + nc; a++) {
		item_pairs(c, a < nr ? rows[a] : cols[a - nr], &p, &np);
		LMREC_GROW(s->codes, s->codecap, ncode + np + 1);
		memcpy(s->codes + ncode, p, np * sizeof *p);
		ncode += np;
	}
	if (ncode)
		qsort(s->codes, ncode, sizeof *s->codes, cmp_u64);
	size_t nd = 0;
	for (size_t x = 0; x < ncode; x++)
		if (nd == 0 || s->codes[nd - 1] != s->codes[x])
			s->codes[nd++] = s->codes[x];
	size_t words = (nd + 63) / 64 + 1;
	LMREC_GROW(s->bits, s->bitcap, (nr + nc) * words);
	LMREC_GROW(s->nbits, s->nbitcap, nr + nc);
	memset(s->bits, 0, (nr + nc) * words * sizeof *s->bits);
	pair_bits(s, rows, nr, nd, words, 0);
	pair_bits(s, cols, nc, nd, words, nr);
	for (size_t a = 0; a < nr; a++)
		for (size_t b = 0; b < nc; b++) {
			const uint64_t *x = s->bits + a * words, *y = s->bits + (nr + b) * words;
			uint32_t shared = 0;
			for (size_t q = 0; q < words; q++)
				shared += (uint32_t)__builtin_popcountll(x[q] & y[q]);
			uint32_t uni = s->nbits[a] + s->nbits[nr + b] - shared;
			if (uni)
				out[a * nc + b] += (float)(weight * ((double)shared / (double)uni));
		}
}

void lmrec_itemsim_block(struct lmrec_itemsim *s, const uint32_t *rows, size_t nr, const uint32_t *cols, size_t nc,
			 float *out)
{
	memset(out, 0, nr * nc * sizeof *out);
	pair_block(s, rows, nr, cols, nc, out, 1 - s->content);
	attrs_block(s, rows, nr, cols, nc, out, s->content);
}

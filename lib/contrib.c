/* lmrec — the contributions of a user's history items to a model's scores
 * (see contrib.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "contrib.h"
#include "linalg.h"
#include "util.h"

/* Queries scored at once when occluding (sasrec, crossdomain). */
#define OCCLUDE_BLOCK 32

struct lmrec_contrib {
	const struct lmrec_recmodel *m;
	int64_t from, to;
	double *G;   /* als: (k, k) Y'Y, on first need */
	double *A;   /* als: (k, k) the user's system */
	double *Z;   /* als: (k, zcap) A^-1 y_h for each history item */
	size_t zcap;
	double *v;   /* semantic: (k) the unnormalised user vector */
	/* occlusion */
	struct lmrec_scorer *sc;
	struct lmrec_user_query q[OCCLUDE_BLOCK];
	size_t which[OCCLUDE_BLOCK]; /* the history index each query leaves out */
	uint32_t *buf;               /* (OCCLUDE_BLOCK, bcap) sequences or histories */
	float *wbuf;                 /* (OCCLUDE_BLOCK, bcap) their weights */
	size_t bcap;
	float *out;                  /* (OCCLUDE_BLOCK, ni) */
	float *base;                 /* (ni) */
};

static int is_occluded(const struct lmrec_recmodel *m)
{
	return m->kind == LMREC_KIND_SASREC || m->kind == LMREC_KIND_CROSSDOMAIN;
}

static int is_als(const struct lmrec_recmodel *m)
{
	return m->kind == LMREC_KIND_ALS || (m->kind == LMREC_KIND_ALIGN && m->fold_als);
}

struct lmrec_contrib *lmrec_contrib_new(const struct lmrec_recmodel *m)
{
	struct lmrec_contrib *c = lmrec_xcalloc(1, sizeof *c);
	c->m = m;
	c->from = c->to = -1;
	if (m->k) {
		c->A = lmrec_xcalloc(m->k * m->k, sizeof *c->A);
		c->v = lmrec_xcalloc(m->k, sizeof *c->v);
	}
	if (is_occluded(m)) {
		c->sc = lmrec_scorer_new(m, OCCLUDE_BLOCK);
		c->out = lmrec_xcalloc(OCCLUDE_BLOCK * m->ni + 1, sizeof *c->out);
		c->base = lmrec_xcalloc(m->ni + 1, sizeof *c->base);
	}
	return c;
}

void lmrec_contrib_free(struct lmrec_contrib *c)
{
	if (!c)
		return;
	free(c->G);
	free(c->A);
	free(c->Z);
	free(c->v);
	lmrec_scorer_free(c->sc);
	free(c->buf);
	free(c->wbuf);
	free(c->out);
	free(c->base);
	free(c);
}

void lmrec_contrib_domains(struct lmrec_contrib *c, int64_t from, int64_t to)
{
	c->from = from;
	c->to = to;
	if (c->sc)
		lmrec_scorer_domains(c->sc, from, to);
}

static double dot_fd(const float *a, const float *b, size_t k)
{
	double s = 0;
	for (size_t f = 0; f < k; f++)
		s += (double)a[f] * b[f];
	return s;
}

static float hist_weight(const struct lmrec_user_query *q, size_t j)
{
	return q->w ? q->w[j] : 1.0f;
}

/* The sequence sasrec reads for q, as lmrec_score_block does. */
static const uint32_t *query_sequence(const struct lmrec_recmodel *m, const struct lmrec_user_query *q,
				      size_t *len)
{
	if (q->user >= 0 && !q->fold_in) {
		*len = (size_t)(m->seq.ptr[q->user + 1] - m->seq.ptr[q->user]);
		return m->seq.item + m->seq.ptr[q->user];
	}
	if (q->seq) {
		*len = q->nseq;
		return q->seq;
	}
	*len = q->n;
	return q->hist;
}

/* als: Z = A^-1 [y_h1 ... y_hn] with A the user's system, in double. */
static int als_system(struct lmrec_contrib *c, const struct lmrec_user_query *q)
{
	const struct lmrec_recmodel *m = c->m;
	size_t k = m->k, n = q->n;
	if (!c->G) {
		c->G = lmrec_xcalloc(k * k, sizeof *c->G);
		for (size_t i = 0; i < m->ni; i++) {
			const float *y = m->Y + i * k;
			for (size_t f = 0; f < k; f++)
				for (size_t g = f; g < k; g++)
					c->G[f * k + g] += (double)y[f] * y[g];
		}
	}
	for (size_t f = 0; f < k; f++) {
		for (size_t g = f; g < k; g++)
			c->A[f * k + g] = c->G[f * k + g];
		c->A[f * k + f] += m->reg;
	}
	LMREC_GROW(c->Z, c->zcap, k * n + 1);
	for (size_t j = 0; j < n; j++) {
		const float *y = m->Y + (size_t)q->hist[j] * k;
		double cj = m->alpha * hist_weight(q, j);
		for (size_t f = 0; f < k; f++) {
			for (size_t g = f; g < k; g++)
				c->A[f * k + g] += cj * y[f] * y[g];
			c->Z[f * n + j] = y[f];
		}
	}
	return lmrec_spd_solve_d(c->A, c->Z, k, n); /* reads the upper triangle */
}

/* q scored through the sequence path (as a user the model does not know,
 * from seq), so that a base and its occluded queries take the same path */
static struct lmrec_user_query as_sequence(const struct lmrec_user_query *q, const uint32_t *seq, size_t slen)
{
	struct lmrec_user_query r = *q;
	r.user = -1;
	r.fold_in = 1;
	r.seq = seq;
	r.nseq = slen;
	return r;
}

/* sasrec and crossdomain: what each score loses without each history item. */

static void occlude(struct lmrec_contrib *c, const struct lmrec_user_query *q, const uint32_t *items,
		    size_t nitems, float *a)
{
	const struct lmrec_recmodel *m = c->m;
	size_t n = q->n, ni = m->ni;
	int sas = m->kind == LMREC_KIND_SASREC;
	size_t slen = 0, win = 0;
	const uint32_t *seq = NULL;
	if (sas) {
		seq = query_sequence(m, q, &slen);
		win = slen > m->sas->c.maxlen ? slen - m->sas->c.maxlen : 0;
	}
	size_t len = sas ? slen : n;
	if (len + 1 > c->bcap) {
		c->bcap = len + 1;
		c->buf = lmrec_xreallocarray(c->buf, OCCLUDE_BLOCK * c->bcap, sizeof *c->buf);
		c->wbuf = lmrec_xreallocarray(c->wbuf, OCCLUDE_BLOCK * c->bcap, sizeof *c->wbuf);
	}
	/* the base: the same path as the occluded queries */
	struct lmrec_user_query base = sas ? as_sequence(q, seq, slen) : *q;
	lmrec_score_block(c->sc, &base, 1, c->base);
	size_t nq = 0;
	for (size_t j = 0; j <= n; j++) {
		if (j < n) {
			uint32_t h = q->hist[j];
			int matters = 0;
			if (sas) {
				for (size_t p = win; p < slen && !matters; p++)
					matters = seq[p] == h;
			} else {
				matters = c->from < 0 || m->xd.domain[h] == (uint64_t)c->from;
			}
			if (matters) {
				struct lmrec_user_query *o = &c->q[nq];
				uint32_t *b = c->buf + nq * c->bcap;
				float *w = c->wbuf + nq * c->bcap;
				size_t l = 0;
				*o = base;
				if (sas) {
					for (size_t p = 0; p < slen; p++)
						if (seq[p] != h)
							b[l++] = seq[p];
					o->seq = b;
					o->nseq = l;
				} else {
					for (size_t p = 0; p < n; p++)
						if (p != j) {
							b[l] = q->hist[p];
							w[l++] = hist_weight(q, p);
						}
					o->hist = b;
					o->w = w;
					o->n = l;
				}
				c->which[nq++] = j;
			}
		}
		if (nq == OCCLUDE_BLOCK || (j == n && nq > 0)) {
			lmrec_score_block(c->sc, c->q, nq, c->out);
			for (size_t r = 0; r < nq; r++)
				for (size_t t = 0; t < nitems; t++) {
					float s = c->base[items[t]], s2 = c->out[r * ni + items[t]];
					/* an item without a score has no contributions;
					 * one that has none without the item, all of it */
					a[t * n + c->which[r]] = isnan(s) ? 0.0f : isnan(s2) ? fabsf(s) : s - s2;
				}
			nq = 0;
		}
	}
}

void lmrec_contrib_compute(struct lmrec_contrib *c, const struct lmrec_user_query *q,
			   const uint32_t *items, size_t nitems, float *a)
{
	const struct lmrec_recmodel *m = c->m;
	size_t n = q->n, k = m->k, ni = m->ni;
	memset(a, 0, nitems * n * sizeof *a);
	if (n == 0 || nitems == 0)
		return;
	switch (m->kind) {
	case LMREC_KIND_ITEMKNN:
		for (size_t t = 0; t < nitems; t++)
			for (size_t j = 0; j < n; j++)
				a[t * n + j] = hist_weight(q, j) * lmrec_contribution(m, q->hist[j], items[t]);
		return;
	case LMREC_KIND_EASE:
		for (size_t t = 0; t < nitems; t++)
			for (size_t j = 0; j < n; j++)
				a[t * n + j] = hist_weight(q, j) * m->B[(size_t)q->hist[j] * ni + items[t]];
		return;
	case LMREC_KIND_SEMANTIC: {
		memset(c->v, 0, k * sizeof *c->v);
		for (size_t j = 0; j < n; j++)
			for (size_t f = 0; f < k; f++)
				c->v[f] += hist_weight(q, j) * m->Y[(size_t)q->hist[j] * k + f];
		double norm = 0;
		for (size_t f = 0; f < k; f++)
			norm += c->v[f] * c->v[f];
		if (!(norm > 0))
			return;
		norm = sqrt(norm);
		for (size_t t = 0; t < nitems; t++)
			for (size_t j = 0; j < n; j++)
				a[t * n + j] = (float)(hist_weight(q, j) *
						       dot_fd(m->Y + (size_t)q->hist[j] * k, m->Y + (size_t)items[t] * k, k) /
						       norm);
		return;
	}
	case LMREC_KIND_ALS:
	case LMREC_KIND_BPR:
	case LMREC_KIND_ALIGN:
		if (is_als(m)) {
			if (als_system(c, q) != 0)
				return; /* not positive definite: the scorer dies first */
			for (size_t t = 0; t < nitems; t++) {
				const float *yi = m->Y + (size_t)items[t] * k;
				for (size_t j = 0; j < n; j++) {
					double s = 0;
					for (size_t f = 0; f < k; f++)
						s += yi[f] * c->Z[f * n + j];
					a[t * n + j] = (float)((1.0 + m->alpha * hist_weight(q, j)) * s);
				}
			}
		} else { /* the mean of the history's vectors, unweighted */
			for (size_t t = 0; t < nitems; t++)
				for (size_t j = 0; j < n; j++)
					a[t * n + j] = (float)(dot_fd(m->Y + (size_t)q->hist[j] * k,
								      m->Y + (size_t)items[t] * k, k) /
							       (double)n);
		}
		return;
	case LMREC_KIND_SASREC:
	case LMREC_KIND_CROSSDOMAIN:
		occlude(c, q, items, nitems, a);
		return;
	default: /* popular: no history */
		return;
	}
}

/* ---- the slow version ---- */

/* The inverse of the k x k A (row-major, both triangles) by Gauss-Jordan
 * elimination with partial pivoting into inv; -1 when singular. */
static int gauss_jordan(double *A, double *inv, size_t k)
{
	for (size_t r = 0; r < k; r++)
		for (size_t s = 0; s < k; s++)
			inv[r * k + s] = r == s;
	for (size_t col = 0; col < k; col++) {
		size_t piv = col;
		for (size_t r = col + 1; r < k; r++)
			if (fabs(A[r * k + col]) > fabs(A[piv * k + col]))
				piv = r;
		if (A[piv * k + col] == 0)
			return -1;
		for (size_t s = 0; s < k; s++) {
			double t = A[col * k + s];
			A[col * k + s] = A[piv * k + s];
			A[piv * k + s] = t;
			t = inv[col * k + s];
			inv[col * k + s] = inv[piv * k + s];
			inv[piv * k + s] = t;
		}
		double d = A[col * k + col];
		for (size_t s = 0; s < k; s++) {
			A[col * k + s] /= d;
			inv[col * k + s] /= d;
		}
		for (size_t r = 0; r < k; r++) {
			if (r == col)
				continue;
			double f = A[r * k + col];
			for (size_t s = 0; s < k; s++) {
				A[r * k + s] -= f * A[col * k + s];
				inv[r * k + s] -= f * inv[col * k + s];
			}
		}
	}
	return 0;
}

void lmrec_contrib_compute_ref(const struct lmrec_recmodel *m, int64_t from, int64_t to,
			       const struct lmrec_user_query *q, const uint32_t *items, size_t nitems,
			       float *a)
{
	size_t n = q->n, k = m->k, ni = m->ni;
	for (size_t t = 0; t < nitems; t++)
		for (size_t j = 0; j < n; j++)
			a[t * n + j] = 0.0f;
	if (n == 0)
		return;
	if (m->kind == LMREC_KIND_SASREC || m->kind == LMREC_KIND_CROSSDOMAIN) {
		/* one query at a time: the score, then the score without item j */
		struct lmrec_scorer *s = lmrec_scorer_new(m, 1);
		lmrec_scorer_domains(s, from, to);
		float *base = lmrec_xcalloc(ni + 1, sizeof *base), *out = lmrec_xcalloc(ni + 1, sizeof *out);
		size_t slen = 0;
		const uint32_t *seq = NULL;
		if (m->kind == LMREC_KIND_SASREC) {
			seq = query_sequence(m, q, &slen);
		}
		uint32_t *b = lmrec_xcalloc((slen > n ? slen : n) + 1, sizeof *b);
		float *w = lmrec_xcalloc(n + 1, sizeof *w);
		struct lmrec_user_query bq = seq ? as_sequence(q, seq, slen) : *q;
		lmrec_score_block(s, &bq, 1, base);
		for (size_t j = 0; j < n; j++) {
			struct lmrec_user_query o = bq;
			size_t l = 0;
			if (seq) {
				for (size_t p = 0; p < slen; p++)
					if (seq[p] != q->hist[j])
						b[l++] = seq[p];
				o.seq = b;
				o.nseq = l;
			} else {
				for (size_t p = 0; p < n; p++)
					if (p != j) {
						b[l] = q->hist[p];
						w[l++] = hist_weight(q, p);
					}
				o.hist = b;
				o.w = w;
				o.n = l;
			}
			lmrec_score_block(s, &o, 1, out);
			for (size_t t = 0; t < nitems; t++) {
				float v = base[items[t]], v2 = out[items[t]];
				a[t * n + j] = isnan(v) ? 0.0f : isnan(v2) ? fabsf(v) : v - v2;
			}
		}
		free(b);
		free(w);
		free(base);
		free(out);
		lmrec_scorer_free(s);
		return;
	}
	double *A = NULL, *inv = NULL, *v = NULL;
	if (is_als(m)) {
		A = lmrec_xcalloc(k * k + 1, sizeof *A);
		inv = lmrec_xcalloc(k * k + 1, sizeof *inv);
		for (size_t f = 0; f < k; f++)
			for (size_t g = 0; g < k; g++) {
				double s = f == g ? m->reg : 0.0;
				for (size_t i = 0; i < ni; i++)
					s += (double)m->Y[i * k + f] * m->Y[i * k + g];
				for (size_t j = 0; j < n; j++)
					s += m->alpha * hist_weight(q, j) * m->Y[(size_t)q->hist[j] * k + f] *
					     m->Y[(size_t)q->hist[j] * k + g];
				A[f * k + g] = s;
			}
		if (gauss_jordan(A, inv, k) != 0) {
			free(A);
			free(inv);
			return;
		}
	}
	double norm = 0;
	if (m->kind == LMREC_KIND_SEMANTIC) {
		v = lmrec_xcalloc(k + 1, sizeof *v);
		for (size_t j = 0; j < n; j++)
			for (size_t f = 0; f < k; f++)
				v[f] += hist_weight(q, j) * m->Y[(size_t)q->hist[j] * k + f];
		for (size_t f = 0; f < k; f++)
			norm += v[f] * v[f];
		norm = sqrt(norm);
	}
	for (size_t t = 0; t < nitems; t++) {
		uint32_t i = items[t];
		for (size_t j = 0; j < n; j++) {
			uint32_t h = q->hist[j];
			double wj = hist_weight(q, j), r = 0;
			switch (m->kind) {
			case LMREC_KIND_ITEMKNN:
				for (uint64_t p = m->nb.ptr[h]; p < m->nb.ptr[h + 1]; p++)
					if (m->nb.idx[p] == i)
						r = wj * m->nb.val[p];
				break;
			case LMREC_KIND_EASE:
				r = wj * m->B[(size_t)h * ni + i];
				break;
			case LMREC_KIND_SEMANTIC:
				if (norm > 0)
					for (size_t f = 0; f < k; f++)
						r += wj * m->Y[(size_t)h * k + f] * m->Y[(size_t)i * k + f] / norm;
				break;
			case LMREC_KIND_ALS:
			case LMREC_KIND_BPR:
			case LMREC_KIND_ALIGN:
				if (inv) {
					for (size_t f = 0; f < k; f++)
						for (size_t g = 0; g < k; g++)
							r += (double)m->Y[(size_t)i * k + f] * inv[f * k + g] *
							     m->Y[(size_t)h * k + g];
					r *= 1.0 + m->alpha * wj;
				} else {
					for (size_t f = 0; f < k; f++)
						r += (double)m->Y[(size_t)h * k + f] * m->Y[(size_t)i * k + f];
					r /= (double)n;
				}
				break;
			default:
				break;
			}
			a[t * n + j] = (float)r;
		}
	}
	free(A);
	free(inv);
	free(v);
}

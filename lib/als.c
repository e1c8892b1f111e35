/* lmrec — implicit-feedback ALS (see als.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "als.h"
#include "linalg.h"
#include "mat.h"
#include "par.h"
#include "rng.h"
#include "util.h"

void lmrec_als_init(float *F, size_t rows, size_t k, double std, uint64_t seed, uint64_t stream)
{
	struct lmrec_rng rng;
	lmrec_rng_seed2(&rng, seed, stream);
	for (size_t i = 0; i < rows * k; i++)
		F[i] = (float)(std * lmrec_rng_normal(&rng));
}

struct scratch {
	float *A;   /* (k, k) */
	float *Yu;  /* (cap, k) gathered, scaled rows */
	float *r, *d, *q; /* (k) conjugate-gradient vectors */
	size_t cap;
};

static void scratch_init(struct scratch *s, size_t k)
{
	s->A = lmrec_xcalloc(k * k, sizeof *s->A);
	s->r = lmrec_xcalloc(k, sizeof *s->r);
	s->d = lmrec_xcalloc(k, sizeof *s->d);
	s->q = lmrec_xcalloc(k, sizeof *s->q);
	s->Yu = NULL;
	s->cap = 0;
}

static void scratch_free(struct scratch *s)
{
	free(s->A);
	free(s->Yu);
	free(s->r);
	free(s->d);
	free(s->q);
}

/* Exact solve: A = G + reg I + sum alpha w y y^T (upper triangle, by one
 * rank-n update over the gathered rows, and a rank-1 downdate for each
 * weight below 0), b = sum (1 + alpha w) y. */
static void solve_cholesky(float *x, const float *G, const float *Y, const uint32_t *idx,
			   const float *w, size_t n, const struct lmrec_als_params *p,
			   struct scratch *s)
{
	size_t k = p->factors;
	memcpy(s->A, G, k * k * sizeof *s->A);
	for (size_t f = 0; f < k; f++) {
		s->A[f * k + f] += (float)p->reg;
		x[f] = 0.0f;
	}
	LMREC_GROW(s->Yu, s->cap, n * k);
	for (size_t j = 0; j < n; j++) {
		double c = p->alpha * (w ? w[j] : 1.0);
		const float *y = Y + (size_t)idx[j] * k;
		float sc = (float)sqrt(c > 0 ? c : 0);
		for (size_t f = 0; f < k; f++) {
			s->Yu[j * k + f] = sc * y[f];
			x[f] += (float)(1.0 + c) * y[f];
		}
		if (c < 0) /* a confidence below 1 */
			cblas_ssyr(CblasRowMajor, CblasUpper, (blasint)k, (float)c, y, 1, s->A, (blasint)k);
	}
	if (n)
		cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, (blasint)k, (blasint)n, 1.0f, s->Yu,
			    (blasint)k, 1.0f, s->A, (blasint)k);
	if (lmrec_spd_solve(s->A, x, k) != 0)
		lmrec_die(LMREC_EXIT_FAIL, "ALS: a system is not positive definite (use --reg > 0)");
}

/* A v without forming A: G v + reg v + sum alpha w (y . v) y. */
static void apply_A(float *out, const float *v, const float *G, const float *Y,
		    const uint32_t *idx, const float *w, size_t n, const struct lmrec_als_params *p)
{
	size_t k = p->factors;
	cblas_ssymv(CblasRowMajor, CblasUpper, (blasint)k, 1.0f, G, (blasint)k, v, 1, 0.0f, out, 1);
	for (size_t f = 0; f < k; f++)
		out[f] += (float)p->reg * v[f];
	for (size_t j = 0; j < n; j++) {
		const float *y = Y + (size_t)idx[j] * k;
		float c = (float)(p->alpha * (w ? w[j] : 1.0));
		float dot = cblas_sdot((blasint)k, y, 1, v, 1);
		cblas_saxpy((blasint)k, c * dot, y, 1, out, 1);
	}
}

/* Conjugate gradient from the current x (Takacs et al.). */
static void solve_cg(float *x, const float *G, const float *Y, const uint32_t *idx, const float *w,
		     size_t n, const struct lmrec_als_params *p, struct scratch *s)
{
	size_t k = p->factors;
	float *r = s->r, *d = s->d, *q = s->q;
	/* r = b - A x */
	apply_A(q, x, G, Y, idx, w, n, p);
	for (size_t f = 0; f < k; f++)
		r[f] = -q[f];
	for (size_t j = 0; j < n; j++) {
		float c = (float)(1.0 + p->alpha * (w ? w[j] : 1.0));
		cblas_saxpy((blasint)k, c, Y + (size_t)idx[j] * k, 1, r, 1);
	}
	memcpy(d, r, k * sizeof *d);
	double rr = cblas_sdot((blasint)k, r, 1, r, 1);
	for (size_t step = 0; step < p->cg_steps && rr > 1e-20; step++) {
		apply_A(q, d, G, Y, idx, w, n, p);
		double dq = cblas_sdot((blasint)k, d, 1, q, 1);
		if (dq <= 0)
			break;
		float a = (float)(rr / dq);
		cblas_saxpy((blasint)k, a, d, 1, x, 1);
		cblas_saxpy((blasint)k, -a, q, 1, r, 1);
		double rr_new = cblas_sdot((blasint)k, r, 1, r, 1);
		float beta = (float)(rr_new / rr);
		for (size_t f = 0; f < k; f++)
			d[f] = r[f] + beta * d[f];
		rr = rr_new;
	}
}

void lmrec_als_solve_row(float *x, const float *G, const float *Y, const uint32_t *idx,
			 const float *w, size_t n, const struct lmrec_als_params *p)
{
	struct scratch s;
	scratch_init(&s, p->factors);
	if (p->cg_steps)
		solve_cg(x, G, Y, idx, w, n, p, &s);
	else
		solve_cholesky(x, G, Y, idx, w, n, p, &s);
	scratch_free(&s);
}

struct half_ctx {
	float *X;
	const struct lmrec_csr *m;
	const float *Y, *G;
	const struct lmrec_als_params *p;
};

static void half_rows(void *arg, int thread, size_t begin, size_t end)
{
	(void)thread;
	struct half_ctx *c = arg;
	size_t k = c->p->factors;
	struct scratch s;
	scratch_init(&s, k);
	for (size_t r = begin; r < end; r++) {
		uint64_t b = c->m->ptr[r], n = c->m->ptr[r + 1] - b;
		float *x = c->X + r * k;
		if (n == 0) {
			memset(x, 0, k * sizeof *x); /* nothing observed: the optimum is 0 */
			continue;
		}
		if (c->p->cg_steps)
			solve_cg(x, c->G, c->Y, c->m->idx + b, c->m->val + b, n, c->p, &s);
		else
			solve_cholesky(x, c->G, c->Y, c->m->idx + b, c->m->val + b, n, c->p, &s);
	}
	scratch_free(&s);
}

void lmrec_als_half(float *X, const struct lmrec_csr *m, const float *Y,
		    const struct lmrec_als_params *p)
{
	size_t k = p->factors;
	float *G = lmrec_xcalloc(k * k, sizeof *G);
	lmrec_blas_threads(p->threads > 0 ? p->threads : 1);
	lmrec_gram(G, Y, m->cols, k);
	/* our threads split the rows; BLAS inside each stays single-threaded */
	lmrec_blas_threads(1);
	struct half_ctx c = {X, m, Y, G, p};
	lmrec_par_for(p->threads, m->rows, half_rows, &c);
	free(G);
}

void lmrec_als_fit(float *X, float *Y, const struct lmrec_csr *ui, const struct lmrec_csr *iu,
		   const struct lmrec_als_params *p,
		   void (*progress)(void *ctx, size_t iter, double secs), void *ctx)
{
	for (size_t it = 0; it < p->iters; it++) {
		double t0 = lmrec_now();
		lmrec_als_half(X, ui, Y, p);
		lmrec_als_half(Y, iu, X, p);
		for (size_t i = 0; i < ui->cols * p->factors; i++)
			if (!isfinite(Y[i]))
				lmrec_die(LMREC_EXIT_FAIL, "ALS diverged at iteration %zu (non-finite factors)",
					  it + 1);
		if (progress)
			progress(ctx, it + 1, lmrec_now() - t0);
	}
}

/* ---- shards ---- */

struct sums_ctx {
	float *A, *b;
	const struct lmrec_csr *iu;
	const float *X;
	const struct lmrec_als_params *p;
};

/* Per item: the scaled user rows gathered, one rank-n update (as the
 * single-process item step does), a rank-1 downdate for each confidence
 * below 1, then the upper triangle packed. */
static void sums_rows(void *arg, int thread, size_t begin, size_t end)
{
	(void)thread;
	struct sums_ctx *c = arg;
	size_t k = c->p->factors, np = lmrec_als_packed(k);
	float *M = lmrec_xcalloc(k * k, sizeof *M), *Xu = NULL;
	double *bd = lmrec_xcalloc(k, sizeof *bd);
	size_t cap = 0;
	for (size_t i = begin; i < end; i++) {
		uint64_t q = c->iu->ptr[i], n = c->iu->ptr[i + 1] - q;
		float *Ai = c->A + i * np, *bi = c->b + i * k;
		if (n == 0) {
			memset(Ai, 0, np * sizeof *Ai);
			memset(bi, 0, k * sizeof *bi);
			continue;
		}
		LMREC_GROW(Xu, cap, n * k);
		memset(M, 0, k * k * sizeof *M);
		memset(bd, 0, k * sizeof *bd);
		for (uint64_t j = 0; j < n; j++) {
			double cf = c->p->alpha * c->iu->val[q + j];
			const float *x = c->X + (size_t)c->iu->idx[q + j] * k;
			float sc = (float)sqrt(cf > 0 ? cf : 0);
			for (size_t f = 0; f < k; f++) {
				Xu[j * k + f] = sc * x[f];
				bd[f] += (1.0 + cf) * x[f];
			}
			if (cf < 0)
				cblas_ssyr(CblasRowMajor, CblasUpper, (blasint)k, (float)cf, x, 1, M, (blasint)k);
		}
		cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, (blasint)k, (blasint)n, 1.0f, Xu,
			    (blasint)k, 1.0f, M, (blasint)k);
		for (size_t f = 0, e = 0; f < k; f++)
			for (size_t g = f; g < k; g++)
				Ai[e++] = M[f * k + g];
		for (size_t f = 0; f < k; f++)
			bi[f] = (float)bd[f];
	}
	free(M);
	free(Xu);
	free(bd);
}

void lmrec_als_shard_sums(float *A, float *b, double *G, const struct lmrec_csr *iu, const float *X,
			  const struct lmrec_als_params *p)
{
	size_t k = p->factors, nu = iu->cols;
	double *Xd = lmrec_xcalloc(nu * k + 1, sizeof *Xd);
	for (size_t j = 0; j < nu * k; j++)
		Xd[j] = X[j];
	lmrec_blas_threads(p->threads > 0 ? p->threads : 1);
	lmrec_gram_d(G, Xd, nu, k);
	free(Xd);
	/* our threads split the items; BLAS inside each stays single-threaded */
	lmrec_blas_threads(1);
	struct sums_ctx c = {A, b, iu, X, p};
	lmrec_par_for(p->threads, iu->rows, sums_rows, &c);
}

void lmrec_als_shard_sums_ref(float *A, float *b, double *G, const struct lmrec_csr *iu,
			      const float *X, const struct lmrec_als_params *p)
{
	size_t k = p->factors, nu = iu->cols, np = lmrec_als_packed(k);
	for (size_t f = 0; f < k; f++)
		for (size_t g = 0; g < k; g++) {
			double s = 0;
			for (size_t u = 0; u < nu; u++)
				s += (double)X[u * k + f] * X[u * k + g];
			G[f * k + g] = s;
		}
	for (size_t i = 0; i < iu->rows; i++) {
		for (size_t f = 0, e = 0; f < k; f++) {
			double bs = 0;
			for (uint64_t q = iu->ptr[i]; q < iu->ptr[i + 1]; q++) {
				double cf = p->alpha * iu->val[q];
				bs += (1.0 + cf) * X[(size_t)iu->idx[q] * k + f];
			}
			b[i * k + f] = (float)bs;
			for (size_t g = f; g < k; g++) {
				double s = 0;
				for (uint64_t q = iu->ptr[i]; q < iu->ptr[i + 1]; q++) {
					const float *x = X + (size_t)iu->idx[q] * k;
					s += p->alpha * iu->val[q] * x[f] * x[g];
				}
				A[i * np + e++] = (float)s;
			}
		}
	}
}

int lmrec_als_solve_sums(float *y, const double *G, const double *A, const double *b,
			 const struct lmrec_als_params *p)
{
	size_t k = p->factors;
	double *M = lmrec_xcalloc(k * k, sizeof *M), *x = lmrec_xcalloc(k, sizeof *x);
	for (size_t f = 0, e = 0; f < k; f++) {
		for (size_t g = f; g < k; g++, e++) {
			double v = G[f * k + g] + A[e] + (f == g ? p->reg : 0.0);
			M[f * k + g] = v;
			M[g * k + f] = v;
		}
		x[f] = b[f];
	}
	int rc = lmrec_spd_solve_d(M, x, k, 1);
	for (size_t f = 0; f < k; f++)
		y[f] = rc == 0 ? (float)x[f] : 0.0f;
	free(M);
	free(x);
	return rc;
}

double lmrec_als_loss(const float *X, const float *Y, const struct lmrec_csr *ui,
		      const struct lmrec_als_params *p)
{
	size_t k = p->factors;
	double loss = 0;
	for (size_t u = 0; u < ui->rows; u++) {
		uint64_t q = ui->ptr[u], e = ui->ptr[u + 1];
		for (size_t i = 0; i < ui->cols; i++) {
			double s = 0;
			for (size_t f = 0; f < k; f++)
				s += (double)X[u * k + f] * Y[i * k + f];
			double pref = 0, c = 1;
			if (q < e && ui->idx[q] == i) {
				pref = 1;
				c = 1 + p->alpha * ui->val[q];
				q++;
			}
			loss += c * (pref - s) * (pref - s);
		}
	}
	double norm = 0;
	for (size_t j = 0; j < ui->rows * k; j++)
		norm += (double)X[j] * X[j];
	for (size_t j = 0; j < ui->cols * k; j++)
		norm += (double)Y[j] * Y[j];
	return loss + p->reg * norm;
}

/* lmrec — maps from content vectors to collaborative factors (see align.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

#include "align.h"
#include "ridge.h"
#include "rng.h"
#include "util.h"

int lmrec_align_ridge_fit(float *W, const float *X, const float *Y, size_t n, size_t d, size_t k,
			  double lambda)
{
	/* lib/ridge solves it (unpenalised intercept); here in the layout of
	 * the model file, the bias as the last row */
	double *Xd = lmrec_xcalloc(n * d + 1, sizeof *Xd);
	double *Yd = lmrec_xcalloc(n * k + 1, sizeof *Yd);
	double *Wd = lmrec_xcalloc(d * k + 1, sizeof *Wd);
	double *bd = lmrec_xcalloc(k + 1, sizeof *bd);
	for (size_t j = 0; j < n * d; j++)
		Xd[j] = X[j];
	for (size_t j = 0; j < n * k; j++)
		Yd[j] = Y[j];
	int rc = lmrec_ridge_fit(Wd, bd, Xd, Yd, n, d, k, lambda);
	if (rc == 0) {
		for (size_t j = 0; j < d * k; j++)
			W[j] = (float)Wd[j];
		for (size_t j = 0; j < k; j++)
			W[d * k + j] = (float)bd[j];
	}
	free(Xd);
	free(Yd);
	free(Wd);
	free(bd);
	return rc;
}

void lmrec_align_ridge_apply(float *out, const float *W, const float *X, size_t n, size_t d, size_t k)
{
	for (size_t i = 0; i < n; i++)
		memcpy(out + i * k, W + d * k, k * sizeof *out); /* the bias row */
	if (n && d)
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)k, (int)d, 1.0f, X, (int)d,
			    W, (int)k, 1.0f, out, (int)k);
}

/* ---- the MLP ---- */

size_t lmrec_mlp_nparams(const struct lmrec_mlp *m)
{
	return m->h * m->d + m->h + m->k * m->h + m->k;
}

void lmrec_mlp_init(struct lmrec_mlp *m, size_t d, size_t h, size_t k, uint64_t seed)
{
	m->d = d;
	m->h = h;
	m->k = k;
	/* one block of parameters: W1, b1, W2, b2, so an optimiser sees a vector */
	float *p = lmrec_xcalloc(lmrec_mlp_nparams(m) + 1, sizeof *p);
	m->W1 = p;
	m->b1 = m->W1 + h * d;
	m->W2 = m->b1 + h;
	m->b2 = m->W2 + k * h;
	struct lmrec_rng rng;
	lmrec_rng_seed2(&rng, seed, 3);
	double s1 = sqrt(2.0 / (double)(d ? d : 1)), s2 = sqrt(1.0 / (double)(h ? h : 1)); /* He, Xavier */
	for (size_t i = 0; i < h * d; i++)
		m->W1[i] = (float)(s1 * lmrec_rng_normal(&rng));
	for (size_t i = 0; i < k * h; i++)
		m->W2[i] = (float)(s2 * lmrec_rng_normal(&rng));
}

void lmrec_mlp_free(struct lmrec_mlp *m)
{
	free(m->W1);
	memset(m, 0, sizeof *m);
}

/* H (n, h) pre-activations, then O (n, k) outputs. */
static void forward(const struct lmrec_mlp *m, const float *X, size_t n, float *Hpre, float *H, float *O)
{
	size_t d = m->d, h = m->h, k = m->k;
	for (size_t i = 0; i < n; i++)
		memcpy(Hpre + i * h, m->b1, h * sizeof *Hpre);
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)h, (int)d, 1.0f, X, (int)d, m->W1,
		    (int)d, 1.0f, Hpre, (int)h);
	for (size_t i = 0; i < n * h; i++)
		H[i] = Hpre[i] > 0 ? Hpre[i] : 0.0f;
	for (size_t i = 0; i < n; i++)
		memcpy(O + i * k, m->b2, k * sizeof *O);
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)k, (int)h, 1.0f, H, (int)h, m->W2,
		    (int)h, 1.0f, O, (int)k);
}

void lmrec_mlp_apply(const struct lmrec_mlp *m, float *out, const float *X, size_t n)
{
	float *Hpre = lmrec_xcalloc(n * m->h + 1, sizeof *Hpre), *H = lmrec_xcalloc(n * m->h + 1, sizeof *H);
	forward(m, X, n, Hpre, H, out);
	free(Hpre);
	free(H);
}

double lmrec_mlp_loss_grad(const struct lmrec_mlp *m, const float *X, const float *Y, size_t n,
			   double lambda, float *g)
{
	size_t d = m->d, h = m->h, k = m->k;
	float *Hpre = lmrec_xcalloc(n * h + 1, sizeof *Hpre), *H = lmrec_xcalloc(n * h + 1, sizeof *H);
	float *O = lmrec_xcalloc(n * k + 1, sizeof *O);
	forward(m, X, n, Hpre, H, O);
	double loss = 0, reg = 0;
	for (size_t i = 0; i < n * k; i++) {
		double e = (double)O[i] - Y[i];
		loss += e * e;
		O[i] = (float)(2.0 * e / (double)n); /* now dL/dO */
	}
	loss /= (double)(n ? n : 1);
	for (size_t i = 0; i < h * d; i++)
		reg += (double)m->W1[i] * m->W1[i];
	for (size_t i = 0; i < k * h; i++)
		reg += (double)m->W2[i] * m->W2[i];
	if (g) {
		float *gW1 = g, *gb1 = gW1 + h * d, *gW2 = gb1 + h, *gb2 = gW2 + k * h;
		/* dW2 = dO^T H, db2 = sum dO */
		cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)k, (int)h, (int)n, 1.0f, O, (int)k, H,
			    (int)h, 0.0f, gW2, (int)h);
		memset(gb2, 0, k * sizeof *gb2);
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < k; j++)
				gb2[j] += O[i * k + j];
		/* dH = dO W2, through the ReLU */
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)h, (int)k, 1.0f, O, (int)k,
			    m->W2, (int)h, 0.0f, H, (int)h);
		for (size_t i = 0; i < n * h; i++)
			if (!(Hpre[i] > 0))
				H[i] = 0.0f;
		cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)h, (int)d, (int)n, 1.0f, H, (int)h, X,
			    (int)d, 0.0f, gW1, (int)d);
		memset(gb1, 0, h * sizeof *gb1);
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < h; j++)
				gb1[j] += H[i * h + j];
		for (size_t i = 0; i < h * d; i++)
			gW1[i] += (float)(2.0 * lambda * m->W1[i]);
		for (size_t i = 0; i < k * h; i++)
			gW2[i] += (float)(2.0 * lambda * m->W2[i]);
	}
	free(Hpre);
	free(H);
	free(O);
	return loss + lambda * reg;
}

static double mse(const struct lmrec_mlp *m, const float *X, const float *Y, size_t n)
{
	if (n == 0)
		return 0;
	float *O = lmrec_xcalloc(n * m->k + 1, sizeof *O);
	lmrec_mlp_apply(m, O, X, n);
	double s = 0;
	for (size_t i = 0; i < n * m->k; i++)
		s += ((double)O[i] - Y[i]) * ((double)O[i] - Y[i]);
	free(O);
	return s / (double)n;
}

double lmrec_mlp_fit(struct lmrec_mlp *m, const float *X, const float *Y, size_t n,
		     const struct lmrec_mlp_params *p)
{
	size_t d = m->d, k = m->k, np = lmrec_mlp_nparams(m);
	struct lmrec_rng rng;
	lmrec_rng_seed2(&rng, p->seed, 4);
	uint32_t *order = lmrec_xcalloc(n + 1, sizeof *order);
	for (size_t i = 0; i < n; i++)
		order[i] = (uint32_t)i;
	lmrec_rng_shuffle_u32(&rng, order, n);
	size_t nval = (size_t)floor(p->holdout * (double)n), ntr = n - nval;
	/* gathered copies: training rows first, then the held-out ones */
	float *Xs = lmrec_xcalloc(n * d + 1, sizeof *Xs), *Ys = lmrec_xcalloc(n * k + 1, sizeof *Ys);
	for (size_t i = 0; i < n; i++) {
		memcpy(Xs + i * d, X + (size_t)order[i] * d, d * sizeof *Xs);
		memcpy(Ys + i * k, Y + (size_t)order[i] * k, k * sizeof *Ys);
	}
	float *g = lmrec_xcalloc(np + 1, sizeof *g), *mom = lmrec_xcalloc(np + 1, sizeof *mom);
	float *var = lmrec_xcalloc(np + 1, sizeof *var), *best = lmrec_xcalloc(np + 1, sizeof *best);
	float *bx = lmrec_xcalloc(p->batch * d + 1, sizeof *bx), *by = lmrec_xcalloc(p->batch * k + 1, sizeof *by);
	uint32_t *perm = lmrec_xcalloc(ntr + 1, sizeof *perm);
	for (size_t i = 0; i < ntr; i++)
		perm[i] = (uint32_t)i;
	double best_err = INFINITY;
	uint64_t t = 0;
	const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
	for (size_t epoch = 0; epoch < p->epochs; epoch++) {
		lmrec_rng_shuffle_u32(&rng, perm, ntr);
		for (size_t s = 0; s < ntr; s += p->batch) {
			size_t nb = ntr - s < p->batch ? ntr - s : p->batch;
			for (size_t i = 0; i < nb; i++) {
				memcpy(bx + i * d, Xs + (size_t)perm[s + i] * d, d * sizeof *bx);
				memcpy(by + i * k, Ys + (size_t)perm[s + i] * k, k * sizeof *by);
			}
			lmrec_mlp_loss_grad(m, bx, by, nb, p->lambda, g);
			t++;
			double c1 = 1 - pow(b1, (double)t), c2 = 1 - pow(b2, (double)t);
			for (size_t j = 0; j < np; j++) { /* Adam */
				mom[j] = (float)(b1 * mom[j] + (1 - b1) * g[j]);
				var[j] = (float)(b2 * var[j] + (1 - b2) * (double)g[j] * g[j]);
				m->W1[j] -= (float)(p->lr * (mom[j] / c1) / (sqrt(var[j] / c2) + eps));
			}
		}
		double err = nval ? mse(m, Xs + ntr * d, Ys + ntr * k, nval) : mse(m, Xs, Ys, ntr);
		if (!isfinite(err))
			lmrec_die(LMREC_EXIT_FAIL, "align: the MLP diverged at epoch %zu (lower --lr)", epoch + 1);
		if (err < best_err) {
			best_err = err;
			memcpy(best, m->W1, np * sizeof *best);
		}
	}
	if (p->epochs)
		memcpy(m->W1, best, np * sizeof *best);
	free(order);
	free(Xs);
	free(Ys);
	free(g);
	free(mom);
	free(var);
	free(best);
	free(bx);
	free(by);
	free(perm);
	return best_err;
}

/* Unit tests of lib/align.c: ridge against the normal equations solved the
 * slow way, the MLP's gradient against central finite differences of its
 * loss, and both maps learning a planted problem. */
#include <math.h>

#include "align.h"
#include "check.h"
#include "mat.h"

/* Random matrix (r, c) in [-1, 1). */
static float *rnd(struct lmrec_rng *g, size_t r, size_t c)
{
	float *m = lmrec_xmalloc(r * c * sizeof *m + 1);
	for (size_t i = 0; i < r * c; i++)
		m[i] = (float)(lmrec_rng_double(g) * 2 - 1);
	return m;
}

/* Ridge: W solves ([X 1]^T [X 1] + lambda D) W = [X 1]^T Y, D the identity
 * without its last (bias) entry: checked against a Gauss-Jordan inverse. */
static void test_ridge_normal_equations(void)
{
	struct lmrec_rng g;
	lmrec_rng_seed(&g, 7);
	size_t n = 40, d = 5, k = 3, da = d + 1;
	float *X = rnd(&g, n, d), *Y = rnd(&g, n, k);
	float *W = lmrec_xcalloc(da * k, sizeof *W);
	double lambda = 0.7;
	CHECK_INT(lmrec_align_ridge_fit(W, X, Y, n, d, k, lambda), 0);
	double *A = lmrec_xcalloc(da * da, sizeof *A), *B = lmrec_xcalloc(da * k, sizeof *B);
	for (size_t i = 0; i < n; i++)
		for (size_t a = 0; a < da; a++) {
			double xa = a < d ? X[i * d + a] : 1.0;
			for (size_t b = 0; b < da; b++)
				A[a * da + b] += xa * (b < d ? X[i * d + b] : 1.0);
			for (size_t j = 0; j < k; j++)
				B[a * k + j] += xa * Y[i * k + j];
		}
	for (size_t a = 0; a < d; a++)
		A[a * da + a] += lambda;
	CHECK_INT(lmrec_spd_inverse_ref(A, da), 0);
	double worst = 0;
	for (size_t a = 0; a < da; a++)
		for (size_t j = 0; j < k; j++) {
			double w = 0;
			for (size_t b = 0; b < da; b++)
				w += A[a * da + b] * B[b * k + j];
			double e = fabs(w - W[a * k + j]) / (fabs(w) + 1e-6);
			if (e > worst)
				worst = e;
		}
	printf("# ridge: worst relative difference %.3g\n", worst);
	CHECK(worst < 1e-4);
	/* apply = [X 1] W */
	float *P = lmrec_xcalloc(n * k, sizeof *P);
	lmrec_align_ridge_apply(P, W, X, n, d, k);
	double e2 = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < k; j++) {
			double p = W[d * k + j];
			for (size_t a = 0; a < d; a++)
				p += (double)X[i * d + a] * W[a * k + j];
			e2 = fmax(e2, fabs(p - P[i * k + j]));
		}
	CHECK(e2 < 1e-5);
	free(X);
	free(Y);
	free(W);
	free(A);
	free(B);
	free(P);
}

/* A linear target is learnt exactly by ridge with a tiny lambda. */
static void test_ridge_recovers_a_linear_map(void)
{
	struct lmrec_rng g;
	lmrec_rng_seed(&g, 3);
	size_t n = 200, d = 8, k = 4;
	float *X = rnd(&g, n, d), *Wt = rnd(&g, d + 1, k), *Y = lmrec_xcalloc(n * k, sizeof *Y);
	lmrec_align_ridge_apply(Y, Wt, X, n, d, k);
	float *W = lmrec_xcalloc((d + 1) * k, sizeof *W);
	CHECK_INT(lmrec_align_ridge_fit(W, X, Y, n, d, k, 1e-6), 0);
	double worst = 0;
	for (size_t i = 0; i < (d + 1) * k; i++)
		worst = fmax(worst, fabs((double)W[i] - Wt[i]));
	CHECK(worst < 1e-3);
	free(X);
	free(Wt);
	free(Y);
	free(W);
}

/* Every component of the MLP's gradient against (L(w + h) - L(w - h)) / 2h
 * in double, away from the ReLU's kink. */
static void test_mlp_gradient(void)
{
	struct lmrec_rng g;
	lmrec_rng_seed(&g, 11);
	size_t n = 6, d = 4, h = 5, k = 3;
	float *X = rnd(&g, n, d), *Y = rnd(&g, n, k);
	struct lmrec_mlp m;
	lmrec_mlp_init(&m, d, h, k, 5);
	for (size_t i = 0; i < h; i++)
		m.b1[i] = 0.3f; /* pre-activations away from 0 mostly */
	size_t np = lmrec_mlp_nparams(&m);
	float *gr = lmrec_xcalloc(np, sizeof *gr);
	double lambda = 0.01;
	lmrec_mlp_loss_grad(&m, X, Y, n, lambda, gr);
	size_t bad = 0, checked = 0;
	double worst = 0;
	for (size_t p = 0; p < np; p++) {
		float keep = m.W1[p];
		double step = 1e-3;
		m.W1[p] = (float)(keep + step);
		double lp = lmrec_mlp_loss_grad(&m, X, Y, n, lambda, NULL);
		m.W1[p] = (float)(keep - step);
		double lm = lmrec_mlp_loss_grad(&m, X, Y, n, lambda, NULL);
		m.W1[p] = keep;
		double num = (lp - lm) / (2 * step), e = fabs(num - gr[p]) / (fabs(num) + fabs(gr[p]) + 1e-4);
		/* a pre-activation crossing 0 within the step makes the
		 * difference meaningless: those rare ones are allowed */
		if (e > 1e-2)
			bad++;
		if (e > worst && e <= 1e-2)
			worst = e;
		checked++;
	}
	printf("# mlp: %zu components, %zu off (kinks), worst of the others %.3g\n", checked, bad, worst);
	CHECK(bad * 20 < checked);
	CHECK(worst < 5e-3);
	lmrec_mlp_free(&m);
	free(X);
	free(Y);
	free(gr);
}

/* A nonlinear planted map (|x| per coordinate) that ridge cannot fit and
 * the MLP learns; training is deterministic by seed. */
static void test_mlp_learns_what_ridge_cannot(void)
{
	struct lmrec_rng g;
	lmrec_rng_seed(&g, 19);
	size_t n = 600, d = 4, k = 2;
	float *X = rnd(&g, n, d), *Y = lmrec_xcalloc(n * k, sizeof *Y);
	for (size_t i = 0; i < n; i++) {
		Y[i * k] = fabsf(X[i * d]) + fabsf(X[i * d + 1]);
		Y[i * k + 1] = fabsf(X[i * d + 2]) - fabsf(X[i * d + 3]);
	}
	float *W = lmrec_xcalloc((d + 1) * k, sizeof *W), *P = lmrec_xcalloc(n * k, sizeof *P);
	CHECK_INT(lmrec_align_ridge_fit(W, X, Y, n, d, k, 1e-3), 0);
	lmrec_align_ridge_apply(P, W, X, n, d, k);
	double ridge = 0;
	for (size_t i = 0; i < n * k; i++)
		ridge += ((double)P[i] - Y[i]) * ((double)P[i] - Y[i]);
	ridge /= (double)n;
	struct lmrec_mlp_params p = {32, 300, 32, 0.01, 1e-6, 0.1, 9};
	struct lmrec_mlp a, b;
	lmrec_mlp_init(&a, d, 32, k, 9);
	lmrec_mlp_init(&b, d, 32, k, 9);
	double ea = lmrec_mlp_fit(&a, X, Y, n, &p), eb = lmrec_mlp_fit(&b, X, Y, n, &p);
	printf("# held-out squared error: mlp %.4g; ridge (training) %.4g\n", ea, ridge);
	CHECK(ea == eb);
	CHECK_MEM(a.W1, lmrec_mlp_nparams(&a) * sizeof(float), b.W1, lmrec_mlp_nparams(&b) * sizeof(float));
	CHECK(ea < 0.25 * ridge);
	lmrec_mlp_free(&a);
	lmrec_mlp_free(&b);
	free(X);
	free(Y);
	free(W);
	free(P);
}

int main(void)
{
	CHECK_RUN(test_ridge_normal_equations);
	CHECK_RUN(test_ridge_recovers_a_linear_map);
	CHECK_RUN(test_mlp_gradient);
	CHECK_RUN(test_mlp_learns_what_ridge_cannot);
	return check_done();
}

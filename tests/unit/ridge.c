/* Unit tests of lib/ridge.c: the LAPACK fit against its loop twin, an
 * exact line, the optimality condition of the penalised problem, and the
 * cross-validated R^2 against folds fitted one by one with the twin; the
 * sparse conjugate-gradient fit against the closed form. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "csr.h"
#include "ridge.h"

static double max_abs_diff(const double *a, const double *b, size_t n)
{
	double d = 0;
	for (size_t i = 0; i < n; i++)
		d = fabs(a[i] - b[i]) > d ? fabs(a[i] - b[i]) : d;
	return d;
}

/* X (n, p) normal, Y = X B + 3 + noise (n, k). */
static void planted(struct lmrec_rng *rng, double *X, double *Y, size_t n, size_t p, size_t k, double noise)
{
	double B[64];
	for (size_t j = 0; j < p * k; j++)
		B[j] = lmrec_rng_normal(rng);
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < p; j++)
			X[i * p + j] = lmrec_rng_normal(rng) + 0.5;
		for (size_t c = 0; c < k; c++) {
			double s = 3.0;
			for (size_t j = 0; j < p; j++)
				s += X[i * p + j] * B[j * k + c];
			Y[i * k + c] = s + noise * lmrec_rng_normal(rng);
		}
	}
}

static void test_fit_against_ref(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 1);
	enum { N = 60, P = 7, K = 3 };
	double X[N * P], Y[N * K], W1[P * K], W2[P * K], b1[K], b2[K];
	planted(&rng, X, Y, N, P, K, 0.3);
	static const double lambdas[] = {0.0, 0.1, 5.0, 1000.0};
	for (size_t l = 0; l < 4; l++) {
		CHECK_INT(lmrec_ridge_fit(W1, b1, X, Y, N, P, K, lambdas[l]), 0);
		CHECK_INT(lmrec_ridge_fit_ref(W2, b2, X, Y, N, P, K, lambdas[l]), 0);
		CHECK(max_abs_diff(W1, W2, (size_t)P * K) < 1e-10);
		CHECK(max_abs_diff(b1, b2, K) < 1e-10);
		/* optimality: Xc^T (Yc - Xc W) = lambda W, and the residuals of
		 * the fit sum to 0 (the intercept is not penalised) */
		double mx[P] = {0}, my[K] = {0};
		for (size_t i = 0; i < N; i++) {
			for (size_t j = 0; j < P; j++)
				mx[j] += X[i * P + j] / N;
			for (size_t c = 0; c < K; c++)
				my[c] += Y[i * K + c] / N;
		}
		double worst = 0, rsum[K] = {0};
		for (size_t j = 0; j < P; j++)
			for (size_t c = 0; c < K; c++) {
				double g = 0;
				for (size_t i = 0; i < N; i++) {
					double r = Y[i * K + c] - b1[c];
					for (size_t q = 0; q < P; q++)
						r -= X[i * P + q] * W1[q * K + c];
					g += (X[i * P + j] - mx[j]) * r;
					if (j == 0)
						rsum[c] += r;
				}
				double e = fabs(g - lambdas[l] * W1[j * K + c]);
				worst = e > worst ? e : worst;
			}
		CHECK(worst < 1e-8);
		for (size_t c = 0; c < K; c++)
			CHECK(fabs(rsum[c]) < 1e-8);
	}
}

static void test_exact_line(void)
{
	/* y = 2 x + 1 through 4 points: W = 2, b = 1 with lambda 0; with
	 * lambda, W = 2 Sxx / (Sxx + lambda) */
	double X[4] = {0, 1, 2, 3}, Y[4] = {1, 3, 5, 7}, W, b;
	CHECK_INT(lmrec_ridge_fit(&W, &b, X, Y, 4, 1, 1, 0.0), 0);
	CHECK(fabs(W - 2.0) < 1e-12 && fabs(b - 1.0) < 1e-12);
	CHECK_INT(lmrec_ridge_fit(&W, &b, X, Y, 4, 1, 1, 5.0), 0); /* Sxx = 5 */
	CHECK(fabs(W - 1.0) < 1e-12 && fabs(b - (4.0 - 1.5)) < 1e-12);
	/* a constant column and no penalty: singular */
	double Xc[4] = {1, 1, 1, 1};
	CHECK_INT(lmrec_ridge_fit(&W, &b, Xc, Y, 4, 1, 1, 0.0), -1);
	CHECK_INT(lmrec_ridge_fit_ref(&W, &b, Xc, Y, 4, 1, 1, 0.0), -1);
}

static void test_cv(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 2);
	enum { N = 50, P = 4, K = 2, F = 5 };
	double X[N * P], Y[N * K];
	planted(&rng, X, Y, N, P, K, 1.0);
	uint32_t fold[N];
	for (size_t i = 0; i < N; i++)
		fold[i] = (uint32_t)((i * 7) % F);
	double lambdas[3] = {0.01, 1.0, 100.0}, r2[3];
	lmrec_ridge_cv(r2, X, Y, N, P, K, fold, F, lambdas, 3);
	/* the same by hand: each fold fitted by the twin on the others */
	double my[K] = {0}, sst = 0;
	for (size_t i = 0; i < N; i++)
		for (size_t c = 0; c < K; c++)
			my[c] += Y[i * K + c] / N;
	for (size_t i = 0; i < N; i++)
		for (size_t c = 0; c < K; c++)
			sst += (Y[i * K + c] - my[c]) * (Y[i * K + c] - my[c]);
	for (size_t l = 0; l < 3; l++) {
		double sse = 0;
		for (uint32_t f = 0; f < F; f++) {
			double Xt[N * P], Yt[N * K], W[P * K], b[K];
			size_t nt = 0;
			for (size_t i = 0; i < N; i++)
				if (fold[i] != f) {
					memcpy(Xt + nt * P, X + i * P, sizeof(double) * P);
					memcpy(Yt + nt * K, Y + i * K, sizeof(double) * K);
					nt++;
				}
			CHECK_INT(lmrec_ridge_fit_ref(W, b, Xt, Yt, nt, P, K, lambdas[l]), 0);
			for (size_t i = 0; i < N; i++)
				if (fold[i] == f)
					for (size_t c = 0; c < K; c++) {
						double yh = b[c];
						for (size_t q = 0; q < P; q++)
							yh += X[i * P + q] * W[q * K + c];
						sse += (Y[i * K + c] - yh) * (Y[i * K + c] - yh);
					}
		}
		CHECK(fabs(r2[l] - (1.0 - sse / sst)) < 1e-10);
	}
	/* signal of sd about 2 against noise of sd 1: R2 well above 0.5; an
	 * overwhelming penalty predicts the mean: about 0 or below */
	CHECK(r2[0] > 0.5 && r2[1] > 0.5);
	double big = 1e9, r2b;
	lmrec_ridge_cv(&r2b, X, Y, N, P, K, fold, F, &big, 1);
	CHECK(r2b < 0.01 && r2b > -0.2);
	/* pure noise inputs: about 0 at a large penalty */
	struct lmrec_rng r2n;
	lmrec_rng_seed(&r2n, 9);
	for (size_t i = 0; i < (size_t)N * P; i++)
		X[i] = lmrec_rng_normal(&r2n);
	double lam = 1000, rn;
	lmrec_ridge_cv(&rn, X, Y, N, P, K, fold, F, &lam, 1);
	CHECK(rn < 0.05);
}

/* The conjugate-gradient fit over sparse rows against the closed form on
 * the same rows made dense: a random 0/1-heavy bag-of-words matrix with a
 * row subset, 1 and 3 threads (the same bytes). */
static void test_sparse_against_dense(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 7);
	enum { R = 90, N = 70, P = 25, K = 4 };
	uint32_t ri[R * P], ci[R * P], rows[N];
	float v[R * P];
	size_t m = 0;
	for (size_t i = 0; i < R; i++)
		for (size_t j = 0; j < P; j++)
			if (lmrec_rng_double(&rng) < 0.2) {
				ri[m] = (uint32_t)i;
				ci[m] = (uint32_t)j;
				v[m++] = (float)(0.25 + lmrec_rng_double(&rng));
			}
	struct lmrec_csr X;
	lmrec_csr_build(&X, R, P, ri, ci, v, m, LMREC_DUP_SUM);
	double D[N * P] = {0}, Y[N * K], W1[P * K], W2[P * K], W3[P * K], b1[K], b2[K], b3[K];
	for (size_t i = 0; i < N; i++) {
		rows[i] = (uint32_t)(R - 1 - i); /* a subset, out of order */
		for (uint64_t q = X.ptr[rows[i]]; q < X.ptr[rows[i] + 1]; q++)
			D[i * P + X.idx[q]] = X.val[q];
		for (size_t c = 0; c < K; c++)
			Y[i * K + c] = lmrec_rng_normal(&rng) + (double)c;
	}
	static const double lambdas[] = {0.01, 1.0, 30.0};
	for (size_t l = 0; l < 3; l++) {
		CHECK_INT(lmrec_ridge_fit(W1, b1, D, Y, N, P, K, lambdas[l]), 0);
		long steps = lmrec_ridge_fit_sparse(W2, b2, &X, rows, Y, N, K, lambdas[l], 1e-12, 1000, 1);
		CHECK(steps > 0 && steps <= P + 5);
		CHECK(max_abs_diff(W1, W2, (size_t)P * K) < 1e-8);
		CHECK(max_abs_diff(b1, b2, K) < 1e-8);
		CHECK(lmrec_ridge_fit_sparse(W3, b3, &X, rows, Y, N, K, lambdas[l], 1e-12, 1000, 3) == steps);
		CHECK(check_same_bits(W2, W3, sizeof W2) && check_same_bits(b2, b3, sizeof b2));
	}
	/* too few steps: reported, not hidden */
	CHECK(lmrec_ridge_fit_sparse(W2, b2, &X, rows, Y, N, K, 0.01, 1e-12, 2, 1) == -1);
	lmrec_csr_free(&X);
}

int main(void)
{
	CHECK_RUN(test_fit_against_ref);
	CHECK_RUN(test_exact_line);
	CHECK_RUN(test_cv);
	CHECK_RUN(test_sparse_against_dense);
	return check_done();
}

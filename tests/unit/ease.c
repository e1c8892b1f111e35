/* Unit tests of lib/ease.c: the Gram matrix against a dense X^T X, and B
 * against a slow route in double (Gauss-Jordan with partial pivoting,
 * written here) and against the optimality condition of the constrained
 * least-squares problem EASE solves; the same bytes with 1 and 2
 * threads. */
#include <math.h>

#include "check.h"
#include "csr.h"
#include "ease.h"
#include "mat.h"

static void random_matrix(struct lmrec_csr *m, struct lmrec_rng *rng, size_t nu, size_t ni,
			  double density, int weighted)
{
	uint32_t *r = lmrec_xcalloc(nu * ni + 1, sizeof *r), *c = lmrec_xcalloc(nu * ni + 1, sizeof *c);
	float *v = lmrec_xcalloc(nu * ni + 1, sizeof *v);
	size_t n = 0;
	for (uint32_t u = 0; u < nu; u++)
		for (uint32_t i = 0; i < ni; i++)
			if (lmrec_rng_double(rng) < density) {
				r[n] = u;
				c[n] = i;
				v[n] = weighted ? (float)(0.5 + 3.0 * lmrec_rng_double(rng)) : 1.0f;
				n++;
			}
	lmrec_csr_build(m, nu, ni, r, c, v, n, LMREC_DUP_SUM);
	free(r);
	free(c);
	free(v);
}

/* X^T X from the dense X, summed in user order. */
static double *dense_gram(const struct lmrec_csr *m)
{
	size_t nu = m->rows, ni = m->cols;
	double *X = lmrec_xcalloc(nu * ni + 1, sizeof *X), *G = lmrec_xcalloc(ni * ni + 1, sizeof *G);
	for (size_t u = 0; u < nu; u++)
		for (uint64_t p = m->ptr[u]; p < m->ptr[u + 1]; p++)
			X[u * ni + m->idx[p]] = m->val[p];
	for (size_t u = 0; u < nu; u++)
		for (size_t i = 0; i < ni; i++)
			for (size_t j = 0; j < ni; j++)
				if (X[u * ni + i] != 0 && X[u * ni + j] != 0)
					G[i * ni + j] += X[u * ni + i] * X[u * ni + j];
	free(X);
	return G;
}

static void test_gram(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 61);
	size_t bad = 0;
	for (int t = 0; t < 20; t++) {
		struct lmrec_csr m;
		size_t nu = (size_t)lmrec_rng_below(&rng, 50), ni = (size_t)lmrec_rng_below(&rng, 40);
		random_matrix(&m, &rng, nu, ni, 0.05 + 0.3 * lmrec_rng_double(&rng), t % 2);
		double *want = dense_gram(&m);
		for (int threads = 1; threads <= 3; threads++) {
			double *G = lmrec_xmalloc((ni * ni + 1) * sizeof *G);
			for (size_t q = 0; q < ni * ni; q++)
				G[q] = NAN; /* every entry is written */
			lmrec_ease_gram(G, &m, threads);
			/* the same products added in the same order: exact */
			bad += memcmp(G, want, ni * ni * sizeof *G) != 0;
			free(G);
		}
		free(want);
		lmrec_csr_free(&m);
	}
	CHECK_U64(bad, 0);
}

/* (A)^-1 in double by Gauss-Jordan with partial pivoting on [A | I]. */
static void slow_inverse(const double *A, double *inv, size_t n)
{
	double *M = lmrec_xcalloc(2 * n * n + 1, sizeof *M);
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < n; j++)
			M[i * 2 * n + j] = A[i * n + j];
		M[i * 2 * n + n + i] = 1;
	}
	for (size_t c = 0; c < n; c++) {
		size_t piv = c;
		for (size_t r = c + 1; r < n; r++)
			if (fabs(M[r * 2 * n + c]) > fabs(M[piv * 2 * n + c]))
				piv = r;
		for (size_t j = 0; j < 2 * n; j++) {
			double t = M[c * 2 * n + j];
			M[c * 2 * n + j] = M[piv * 2 * n + j];
			M[piv * 2 * n + j] = t;
		}
		double d = M[c * 2 * n + c];
		for (size_t j = 0; j < 2 * n; j++)
			M[c * 2 * n + j] /= d;
		for (size_t r = 0; r < n; r++)
			if (r != c) {
				double f = M[r * 2 * n + c];
				for (size_t j = 0; j < 2 * n; j++)
					M[r * 2 * n + j] -= f * M[c * 2 * n + j];
			}
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			inv[i * n + j] = M[i * 2 * n + n + j];
	free(M);
}

static void test_fit(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 62);
	static const double lambdas[] = {0.5, 5.0, 50.0, 500.0};
	double worst = 0, worst_kkt = 0;
	size_t bad_diag = 0, bad_threads = 0;
	for (int t = 0; t < 12; t++) {
		struct lmrec_csr m;
		size_t nu = 20 + (size_t)lmrec_rng_below(&rng, 60), ni = 1 + (size_t)lmrec_rng_below(&rng, 45);
		random_matrix(&m, &rng, nu, ni, 0.15, t % 3 == 2);
		double lambda = lambdas[t % 4];
		float *B1 = lmrec_xmalloc((ni * ni + 1) * sizeof *B1);
		float *B2 = lmrec_xmalloc((ni * ni + 1) * sizeof *B2);
		CHECK_INT(lmrec_ease_fit(B1, &m, lambda, 1), 0);
		CHECK_INT(lmrec_ease_fit(B2, &m, lambda, 2), 0);
		/* OpenBLAS's threaded inverse may round otherwise (it does on
		 * AMD EPYC): the promise is the same bits for the same thread
		 * count, and the same model to rounding for another */
		for (size_t q = 0; q < ni * ni; q++)
			bad_threads += fabsf(B1[q] - B2[q]) > 1e-5f * (1.0f + fabsf(B1[q]));
		CHECK_INT(lmrec_ease_fit(B1, &m, lambda, 2), 0);
		bad_threads += memcmp(B1, B2, ni * ni * sizeof *B1) != 0;
		/* the slow route: P = (G + lambda I)^-1, B = I - P diag(1/diag P) */
		double *G = dense_gram(&m), *A = lmrec_xcalloc(ni * ni + 1, sizeof *A);
		double *P = lmrec_xcalloc(ni * ni + 1, sizeof *P);
		for (size_t q = 0; q < ni * ni; q++)
			A[q] = G[q] + (q % (ni + 1) == 0 ? lambda : 0.0);
		slow_inverse(A, P, ni);
		for (size_t i = 0; i < ni; i++)
			for (size_t j = 0; j < ni; j++) {
				double want = (i == j ? 1.0 : 0.0) - P[i * ni + j] / P[j * ni + j];
				double d = fabs((double)B1[i * ni + j] - want);
				worst = d > worst ? d : worst;
			}
		for (size_t i = 0; i < ni; i++)
			bad_diag += B1[i * ni + i] != 0.0f || signbit(B1[i * ni + i]);
		/* B minimises |X - X B|^2 + lambda |B|^2 subject to diag(B) = 0:
		 * (G + lambda I) B - G is zero off the diagonal (the Lagrange
		 * multipliers sit on it) */
		double scale = 1;
		for (size_t q = 0; q < ni * ni; q++)
			scale = fabs(G[q]) > scale ? fabs(G[q]) : scale;
		for (size_t i = 0; i < ni; i++)
			for (size_t j = 0; j < ni; j++) {
				if (i == j)
					continue;
				double s = -G[i * ni + j];
				for (size_t p = 0; p < ni; p++)
					s += A[i * ni + p] * B1[p * ni + j];
				worst_kkt = fabs(s) / scale > worst_kkt ? fabs(s) / scale : worst_kkt;
			}
		free(G);
		free(A);
		free(P);
		free(B1);
		free(B2);
		lmrec_csr_free(&m);
	}
	printf("# worst |B - slow B| %.3g, worst off-diagonal of (G + lambda I) B - G %.3g\n", worst,
	       worst_kkt);
	CHECK(worst < 1e-4);
	CHECK(worst_kkt < 1e-5);
	CHECK_U64(bad_diag, 0);
	CHECK_U64(bad_threads, 0);
}

/* Large enough for OpenBLAS to use its threads in the inverse too: the same
 * model to rounding with 1 and 2 threads, the same bits with 2 twice. */
static void test_threads_large(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 63);
	struct lmrec_csr m;
	enum { NU = 900, NI = 300 };
	random_matrix(&m, &rng, NU, NI, 0.04, 0);
	float *B1 = lmrec_xmalloc((size_t)NI * NI * sizeof *B1);
	float *B2 = lmrec_xmalloc((size_t)NI * NI * sizeof *B2);
	CHECK_INT(lmrec_ease_fit(B1, &m, 100.0, 1), 0);
	CHECK_INT(lmrec_ease_fit(B2, &m, 100.0, 2), 0);
	double worst = 0;
	for (size_t q = 0; q < (size_t)NI * NI; q++)
		worst = fmax(worst, fabs((double)B1[q] - B2[q]) / (1.0 + fabs((double)B1[q])));
	CHECK(worst < 1e-5);
	/* the same thread count: the same bits */
	CHECK_INT(lmrec_ease_fit(B1, &m, 100.0, 2), 0);
	CHECK(check_same_bits(B1, B2, (size_t)NI * NI * sizeof *B1));
	free(B1);
	free(B2);
	lmrec_csr_free(&m);
}

static void test_pinned_and_refusals(void)
{
	/* two items always together, lambda 1: G = [[2, 2], [2, 2]] over two
	 * users, (G + I)^-1 = [[3, -2], [-2, 3]] / 5: B_01 = B_10 = 2/3 */
	uint32_t r[4] = {0, 0, 1, 1}, c[4] = {0, 1, 0, 1};
	struct lmrec_csr m;
	lmrec_csr_build(&m, 2, 2, r, c, NULL, 4, LMREC_DUP_ONE);
	float B[4];
	CHECK_INT(lmrec_ease_fit(B, &m, 1.0, 1), 0);
	CHECK(B[0] == 0 && B[3] == 0);
	CHECK(fabsf(B[1] - 2.0f / 3.0f) < 1e-6f && fabsf(B[2] - 2.0f / 3.0f) < 1e-6f);
	/* a negative lambda larger than an eigenvalue: not positive definite
	 * (lambda 0 here is singular only up to rounding, which Cholesky may
	 * or may not see) */
	CHECK_INT(lmrec_ease_fit(B, &m, -0.5, 1), -1);
	lmrec_csr_free(&m);
	/* an item nobody has, lambda 0: a zero row, exactly singular */
	uint32_t r2[2] = {0, 1}, c2[2] = {0, 0};
	lmrec_csr_build(&m, 2, 3, r2, c2, NULL, 2, LMREC_DUP_ONE);
	float B3[9];
	CHECK_INT(lmrec_ease_fit(B3, &m, 0.0, 2), -1);
	/* with lambda > 0 it has B = 0 everywhere it touches */
	CHECK_INT(lmrec_ease_fit(B3, &m, 10.0, 2), 0);
	for (size_t q = 0; q < 9; q++)
		CHECK(B3[q] == 0.0f);
	lmrec_csr_free(&m);
	/* no items at all */
	lmrec_csr_build(&m, 3, 0, NULL, NULL, NULL, 0, LMREC_DUP_ONE);
	CHECK_INT(lmrec_ease_fit(B3, &m, 10.0, 1), 0);
	lmrec_csr_free(&m);
}

int main(void)
{
	lmrec_setprogname("ease");
	CHECK_RUN(test_gram);
	CHECK_RUN(test_fit);
	CHECK_RUN(test_threads_large);
	CHECK_RUN(test_pinned_and_refusals);
	return check_done();
}

/* Unit tests of lib/linalg.c: the LAPACK eigen-decomposition and
 * positive definite solves against their slow twins (Jacobi, Cholesky
 * written out) and against exact small answers; orthonormal bases by
 * their defining properties; the randomized SVD against the exact one,
 * on a planted spectrum and at full rank. */
#include <math.h>

#include "check.h"
#include "csr.h"
#include "linalg.h"

static double max_abs_diff(const double *a, const double *b, size_t n)
{
	double d = 0;
	for (size_t i = 0; i < n; i++) {
		double x = fabs(a[i] - b[i]);
		if (isnan(x))
			return INFINITY;
		d = x > d ? x : d;
	}
	return d;
}

static void random_symmetric(struct lmrec_rng *rng, double *A, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = i; j < n; j++)
			A[i * n + j] = A[j * n + i] = lmrec_rng_double(rng) * 2.0 - 1.0;
}

static void test_eigen_exact(void)
{
	/* [[2, 1], [1, 2]]: 3 with (1, 1)/sqrt 2, 1 with (1, -1)/sqrt 2 (the
	 * first of two equal magnitudes made positive) */
	double A[4] = {2, 1, 1, 2}, B[4] = {2, 1, 1, 2}, w[2], Z[4], w2[2], Z2[4];
	CHECK_INT(lmrec_sym_eigen(A, 2, w, Z), 0);
	CHECK_INT(lmrec_sym_eigen_ref(B, 2, w2, Z2), 0);
	double r = sqrt(0.5);
	double want_w[2] = {3, 1}, want_Z[4] = {r, r, r, -r};
	CHECK(max_abs_diff(w, want_w, 2) < 1e-14);
	CHECK(max_abs_diff(Z, want_Z, 4) < 1e-14);
	CHECK(max_abs_diff(w2, want_w, 2) < 1e-14);
	CHECK(max_abs_diff(Z2, want_Z, 4) < 1e-14);
	/* only the upper triangle is read by the LAPACK route */
	double C[4] = {2, 1, 99, 2};
	CHECK_INT(lmrec_sym_eigen(C, 2, w, Z), 0);
	CHECK(max_abs_diff(w, want_w, 2) < 1e-14);
	/* a diagonal matrix: its entries, sorted, and unit vectors */
	double D[9] = {1, 0, 0, 0, -2, 0, 0, 0, 5}, wd[3], Zd[9];
	CHECK_INT(lmrec_sym_eigen_ref(D, 3, wd, Zd), 0);
	double want_wd[3] = {5, 1, -2}, want_Zd[9] = {0, 0, 1, 1, 0, 0, 0, 1, 0};
	CHECK(max_abs_diff(wd, want_wd, 3) < 1e-15);
	CHECK(max_abs_diff(Zd, want_Zd, 9) < 1e-15);
	/* n = 0 does nothing */
	CHECK_INT(lmrec_sym_eigen(NULL, 0, NULL, NULL), 0);
}

static void test_eigen_random(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 7);
	static const size_t sizes[] = {1, 2, 3, 5, 8, 17, 40};
	for (size_t t = 0; t < sizeof sizes / sizeof *sizes; t++) {
		size_t n = sizes[t];
		double *A = lmrec_xmalloc(n * n * sizeof *A), *A1 = lmrec_xmalloc(n * n * sizeof *A);
		double *A2 = lmrec_xmalloc(n * n * sizeof *A);
		double *w1 = lmrec_xmalloc(n * sizeof *w1), *w2 = lmrec_xmalloc(n * sizeof *w2);
		double *Z1 = lmrec_xmalloc(n * n * sizeof *Z1), *Z2 = lmrec_xmalloc(n * n * sizeof *Z2);
		random_symmetric(&rng, A, n);
		memcpy(A1, A, n * n * sizeof *A);
		memcpy(A2, A, n * n * sizeof *A);
		CHECK_INT(lmrec_sym_eigen(A1, n, w1, Z1), 0);
		CHECK_INT(lmrec_sym_eigen_ref(A2, n, w2, Z2), 0);
		CHECK(max_abs_diff(w1, w2, n) < 1e-12);
		/* random spectra have gaps well above 1e-4: vectors agree */
		double dz = max_abs_diff(Z1, Z2, n * n);
		if (!(dz < 1e-8))
			printf("# n=%zu: eigenvectors differ by %g\n", n, dz);
		CHECK(dz < 1e-8);
		/* A z = w z and the rows are orthonormal */
		double worst = 0;
		for (size_t k = 0; k < n; k++) {
			CHECK(k == 0 || w1[k] <= w1[k - 1]);
			for (size_t i = 0; i < n; i++) {
				double az = 0;
				for (size_t j = 0; j < n; j++)
					az += A[i * n + j] * Z1[k * n + j];
				double e = fabs(az - w1[k] * Z1[k * n + i]);
				worst = e > worst ? e : worst;
			}
			for (size_t l = 0; l < n; l++) {
				double d = 0;
				for (size_t i = 0; i < n; i++)
					d += Z1[k * n + i] * Z1[l * n + i];
				CHECK(fabs(d - (k == l)) < 1e-12);
			}
		}
		CHECK(worst < 1e-12);
		free(A);
		free(A1);
		free(A2);
		free(w1);
		free(w2);
		free(Z1);
		free(Z2);
	}
}

static void test_spd_solve(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 11);
	static const size_t sizes[] = {1, 2, 4, 9, 30};
	for (size_t t = 0; t < sizeof sizes / sizeof *sizes; t++) {
		size_t n = sizes[t], m = 1 + t;
		/* A = M M^T + n I is positive definite */
		double *M = lmrec_xmalloc(n * n * sizeof *M), *A = lmrec_xcalloc(n * n, sizeof *A);
		for (size_t i = 0; i < n * n; i++)
			M[i] = lmrec_rng_double(&rng) - 0.5;
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < n; j++) {
				for (size_t p = 0; p < n; p++)
					A[i * n + j] += M[i * n + p] * M[j * n + p];
				A[i * n + j] += i == j ? (double)n : 0.0;
			}
		double *B = lmrec_xmalloc(n * m * sizeof *B);
		for (size_t i = 0; i < n * m; i++)
			B[i] = lmrec_rng_double(&rng) * 4 - 2;
		double *A1 = lmrec_xmalloc(n * n * sizeof *A), *A2 = lmrec_xmalloc(n * n * sizeof *A);
		double *X1 = lmrec_xmalloc(n * m * sizeof *B), *X2 = lmrec_xmalloc(n * m * sizeof *B);
		memcpy(A1, A, n * n * sizeof *A);
		memcpy(A2, A, n * n * sizeof *A);
		memcpy(X1, B, n * m * sizeof *B);
		memcpy(X2, B, n * m * sizeof *B);
		CHECK_INT(lmrec_spd_solve_d(A1, X1, n, m), 0);
		CHECK_INT(lmrec_spd_solve_d_ref(A2, X2, n, m), 0);
		CHECK(max_abs_diff(X1, X2, n * m) < 1e-12);
		/* the residual A X - B */
		double worst = 0;
		for (size_t i = 0; i < n; i++)
			for (size_t c = 0; c < m; c++) {
				double r = -B[i * m + c];
				for (size_t p = 0; p < n; p++)
					r += A[i * n + p] * X2[p * m + c];
				worst = fabs(r) > worst ? fabs(r) : worst;
			}
		CHECK(worst < 1e-12);
		free(M);
		free(A);
		free(B);
		free(A1);
		free(A2);
		free(X1);
		free(X2);
	}
	/* not positive definite: both refuse */
	double N1[4] = {1, 2, 2, 1}, N2[4] = {1, 2, 2, 1}, b1[2] = {1, 1}, b2[2] = {1, 1};
	CHECK_INT(lmrec_spd_solve_d(N1, b1, 2, 1), -1);
	CHECK_INT(lmrec_spd_solve_d_ref(N2, b2, 2, 1), -1);
	/* exact: [[4, 2], [2, 3]] x = [2, 1] -> x = [0.5, 0] */
	double E[4] = {4, 2, 2, 3}, e[2] = {2, 1};
	CHECK_INT(lmrec_spd_solve_d(E, e, 2, 1), 0);
	CHECK(fabs(e[0] - 0.5) < 1e-15 && fabs(e[1]) < 1e-15);
}

static void test_orthonormalize(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 3);
	size_t n = 25, l = 6;
	double *Y = lmrec_xmalloc(n * l * sizeof *Y), *Y0 = lmrec_xmalloc(n * l * sizeof *Y);
	for (size_t i = 0; i < n * l; i++)
		Y0[i] = Y[i] = lmrec_rng_normal(&rng);
	lmrec_orthonormalize(Y, n, l);
	for (size_t a = 0; a < l; a++)
		for (size_t b = 0; b < l; b++) {
			double d = 0;
			for (size_t i = 0; i < n; i++)
				d += Y[i * l + a] * Y[i * l + b];
			CHECK(fabs(d - (a == b)) < 1e-13);
		}
	/* the same span: Q Q^T Y0 = Y0 */
	double worst = 0;
	for (size_t c = 0; c < l; c++) {
		double proj[6];
		for (size_t a = 0; a < l; a++) {
			proj[a] = 0;
			for (size_t i = 0; i < n; i++)
				proj[a] += Y[i * l + a] * Y0[i * l + c];
		}
		for (size_t i = 0; i < n; i++) {
			double v = 0;
			for (size_t a = 0; a < l; a++)
				v += Y[i * l + a] * proj[a];
			worst = fabs(v - Y0[i * l + c]) > worst ? fabs(v - Y0[i * l + c]) : worst;
		}
	}
	CHECK(worst < 1e-12);
	free(Y);
	free(Y0);
}

/* A dense (rows, cols) matrix U diag(sigma) V^T with orthonormal random U,
 * V and sigma_j = 2^-j, stored as CSR (every entry). */
static void planted_matrix(struct lmrec_csr *A, size_t rows, size_t cols, struct lmrec_rng *rng)
{
	size_t r = rows < cols ? rows : cols;
	double *U = lmrec_xmalloc(rows * r * sizeof *U), *V = lmrec_xmalloc(cols * r * sizeof *V);
	for (size_t i = 0; i < rows * r; i++)
		U[i] = lmrec_rng_normal(rng);
	for (size_t i = 0; i < cols * r; i++)
		V[i] = lmrec_rng_normal(rng);
	lmrec_orthonormalize(U, rows, r);
	lmrec_orthonormalize(V, cols, r);
	uint32_t *ri = lmrec_xmalloc(rows * cols * sizeof *ri), *ci = lmrec_xmalloc(rows * cols * sizeof *ci);
	float *v = lmrec_xmalloc(rows * cols * sizeof *v);
	for (size_t i = 0; i < rows; i++)
		for (size_t j = 0; j < cols; j++) {
			double x = 0;
			for (size_t k = 0; k < r; k++)
				x += U[i * r + k] * ldexp(1.0, -(int)k) * V[j * r + k];
			ri[i * cols + j] = (uint32_t)i;
			ci[i * cols + j] = (uint32_t)j;
			v[i * cols + j] = (float)x;
		}
	lmrec_csr_build(A, rows, cols, ri, ci, v, rows * cols, LMREC_DUP_SUM);
	free(U);
	free(V);
	free(ri);
	free(ci);
	free(v);
}

static void compare_rsvd(const struct lmrec_csr *A, size_t k, size_t over, size_t iters, double tol)
{
	size_t rows = A->rows;
	double *US1 = lmrec_xmalloc(rows * k * sizeof *US1), *US2 = lmrec_xmalloc(rows * k * sizeof *US2);
	double s1[16], s2[16];
	lmrec_rsvd(US1, s1, A, k, over, iters, 5);
	lmrec_rsvd_ref(US2, s2, A, k);
	double ds = max_abs_diff(s1, s2, k), du = max_abs_diff(US1, US2, rows * k);
	if (!(ds < tol && du < tol))
		printf("# %zux%zu k=%zu: singular values differ by %g, U S by %g\n", A->rows, A->cols, k,
		       ds, du);
	CHECK(ds < tol);
	CHECK(du < tol);
	/* the same seed, the same numbers */
	double *US3 = lmrec_xmalloc(rows * k * sizeof *US3), s3[16];
	lmrec_rsvd(US3, s3, A, k, over, iters, 5);
	CHECK_MEM(US1, rows * k * sizeof *US1, US3, rows * k * sizeof *US3);
	free(US1);
	free(US2);
	free(US3);
}

static void test_rsvd(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 21);
	struct lmrec_csr A;
	/* a planted spectrum 1, 1/2, 1/4, ...: 4 components, 8 extra, 3 power
	 * iterations; floats in the matrix limit the agreement */
	planted_matrix(&A, 40, 30, &rng);
	compare_rsvd(&A, 4, 8, 3, 1e-6);
	lmrec_csr_free(&A);
	/* wide rather than tall */
	planted_matrix(&A, 20, 50, &rng);
	compare_rsvd(&A, 3, 6, 3, 1e-6);
	lmrec_csr_free(&A);
	/* a sparse random matrix at full rank (k + oversampling reach min(rows,
	 * cols)): exact whatever the spectrum */
	uint32_t r[60], c[60];
	float v[60];
	for (size_t i = 0; i < 60; i++) {
		r[i] = (uint32_t)lmrec_rng_below(&rng, 12);
		c[i] = (uint32_t)lmrec_rng_below(&rng, 7);
		v[i] = (float)lmrec_rng_double(&rng);
	}
	lmrec_csr_build(&A, 12, 7, r, c, v, 60, LMREC_DUP_SUM);
	compare_rsvd(&A, 5, 10, 0, 1e-10);
	lmrec_csr_free(&A);
}

int main(void)
{
	CHECK_RUN(test_eigen_exact);
	CHECK_RUN(test_eigen_random);
	CHECK_RUN(test_spd_solve);
	CHECK_RUN(test_orthonormalize);
	CHECK_RUN(test_rsvd);
	return check_done();
}

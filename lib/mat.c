/* lmrec — dense kernels over BLAS and LAPACK (see mat.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

#include "mat.h"
#include "util.h"

/* OpenBLAS's own entry point: not in cblas.h everywhere. */
extern void openblas_set_num_threads(int num_threads);

void lmrec_blas_threads(int n)
{
	if (n > 0)
		openblas_set_num_threads(n);
}

static blasint bi(size_t x)
{
	if (x > (size_t)0x7fffffff)
		lmrec_die(LMREC_EXIT_FAIL, "matrix dimension %zu is too large for BLAS", x);
	return (blasint)x;
}

void lmrec_sgemm_nt(size_t m, size_t n, size_t k, float alpha, const float *A, size_t lda,
		    const float *B, size_t ldb, float beta, float *C, size_t ldc)
{
	if (m == 0 || n == 0)
		return;
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, bi(m), bi(n), bi(k), alpha, A, bi(lda),
		    B, bi(ldb), beta, C, bi(ldc));
}

void lmrec_sgemm_nt_ref(size_t m, size_t n, size_t k, float alpha, const float *A, size_t lda,
			const float *B, size_t ldb, float beta, float *C, size_t ldc)
{
	for (size_t i = 0; i < m; i++)
		for (size_t j = 0; j < n; j++) {
			double s = 0;
			for (size_t p = 0; p < k; p++)
				s += (double)A[i * lda + p] * B[j * ldb + p];
			double c = beta == 0.0f ? 0.0 : (double)beta * C[i * ldc + j];
			C[i * ldc + j] = (float)(alpha * s + c);
		}
}

void lmrec_gram(float *G, const float *A, size_t n, size_t k)
{
	if (k == 0)
		return;
	if (n == 0) {
		memset(G, 0, k * k * sizeof *G);
		return;
	}
	cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, bi(k), bi(n), 1.0f, A, bi(k), 0.0f, G,
		    bi(k));
	for (size_t i = 0; i < k; i++)
		for (size_t j = 0; j < i; j++)
			G[i * k + j] = G[j * k + i];
}

void lmrec_gram_ref(float *G, const float *A, size_t n, size_t k)
{
	for (size_t i = 0; i < k; i++)
		for (size_t j = 0; j < k; j++) {
			double s = 0;
			for (size_t r = 0; r < n; r++)
				s += (double)A[r * k + i] * A[r * k + j];
			G[i * k + j] = (float)s;
		}
}

int lmrec_spd_solve(float *A, float *b, size_t k)
{
	if (k == 0)
		return 0;
	lapack_int info = LAPACKE_sposv(LAPACK_ROW_MAJOR, 'U', bi(k), 1, A, bi(k), b, 1);
	return info == 0 ? 0 : -1;
}

int lmrec_spd_solve_ref(float *A, float *b, size_t k)
{
	/* Cholesky A = L L^T in double, then two triangular solves. */
	double *L = lmrec_xcalloc(k * k + 1, sizeof *L);
	int rc = 0;
	for (size_t i = 0; i < k && rc == 0; i++)
		for (size_t j = 0; j <= i; j++) {
			double s = A[i * k + j];
			for (size_t p = 0; p < j; p++)
				s -= L[i * k + p] * L[j * k + p];
			if (i == j) {
				if (s <= 0) {
					rc = -1;
					break;
				}
				L[i * k + i] = sqrt(s);
			} else {
				L[i * k + j] = s / L[j * k + j];
			}
		}
	if (rc == 0) {
		double *y = lmrec_xcalloc(k + 1, sizeof *y);
		for (size_t i = 0; i < k; i++) {
			double s = b[i];
			for (size_t p = 0; p < i; p++)
				s -= L[i * k + p] * y[p];
			y[i] = s / L[i * k + i];
		}
		for (size_t i = k; i-- > 0;) {
			double s = y[i];
			for (size_t p = i + 1; p < k; p++)
				s -= L[p * k + i] * y[p];
			y[i] = s / L[i * k + i];
		}
		for (size_t i = 0; i < k; i++)
			b[i] = (float)y[i];
		free(y);
	}
	free(L);
	return rc;
}

int lmrec_spd_inverse(double *A, size_t n)
{
	if (n == 0)
		return 0;
	if (LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'U', bi(n), A, bi(n)) != 0)
		return -1;
	if (LAPACKE_dpotri(LAPACK_ROW_MAJOR, 'U', bi(n), A, bi(n)) != 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++)
			A[i * n + j] = A[j * n + i];
	return 0;
}

int lmrec_spd_inverse_ref(double *A, size_t n)
{
	/* Gauss-Jordan on [A | I] without pivoting: fine for positive definite A. */
	double *M = lmrec_xcalloc(n * 2 * n + 1, sizeof *M);
	for (size_t i = 0; i < n; i++) {
		memcpy(M + i * 2 * n, A + i * n, n * sizeof *M);
		M[i * 2 * n + n + i] = 1.0;
	}
	int rc = 0;
	for (size_t c = 0; c < n; c++) {
		double piv = M[c * 2 * n + c];
		if (piv <= 0) {
			rc = -1;
			break;
		}
		for (size_t j = 0; j < 2 * n; j++)
			M[c * 2 * n + j] /= piv;
		for (size_t r = 0; r < n; r++) {
			if (r == c)
				continue;
			double f = M[r * 2 * n + c];
			for (size_t j = 0; j < 2 * n; j++)
				M[r * 2 * n + j] -= f * M[c * 2 * n + j];
		}
	}
	if (rc == 0)
		for (size_t i = 0; i < n; i++)
			memcpy(A + i * n, M + i * 2 * n + n, n * sizeof *A);
	free(M);
	return rc;
}

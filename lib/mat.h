/* lmrec — dense kernels over BLAS and LAPACK, each with a slow, obviously
 * correct *_ref twin that the unit tests compare against.
 *
 * Matrices are row-major float arrays; a leading dimension (ld) is the
 * distance between rows. Sizes are size_t; shapes in comments. */
#ifndef LMREC_MAT_H
#define LMREC_MAT_H

#include <stddef.h>

/* Threads of the BLAS library (OpenBLAS); 0 leaves its default. */
void lmrec_blas_threads(int n);

/* C (m, n) = alpha * A (m, k) * B (n, k)^T + beta * C. */
void lmrec_sgemm_nt(size_t m, size_t n, size_t k, float alpha, const float *A, size_t lda,
		    const float *B, size_t ldb, float beta, float *C, size_t ldc);
void lmrec_sgemm_nt_ref(size_t m, size_t n, size_t k, float alpha, const float *A, size_t lda,
			const float *B, size_t ldb, float beta, float *C, size_t ldc);

/* G (k, k) = A (n, k)^T * A, both triangles filled. */
void lmrec_gram(float *G, const float *A, size_t n, size_t k);
void lmrec_gram_ref(float *G, const float *A, size_t n, size_t k);

/* Solves A x = b for a symmetric positive definite A (k, k) by Cholesky;
 * A is overwritten, b becomes x. Returns 0, or -1 when A is not positive
 * definite. */
int lmrec_spd_solve(float *A, float *b, size_t k);
int lmrec_spd_solve_ref(float *A, float *b, size_t k);

/* Inverts a symmetric positive definite A (n, n) of doubles in place
 * (Cholesky, both triangles filled). Returns 0, or -1 when A is not
 * positive definite. */
int lmrec_spd_inverse(double *A, size_t n);
int lmrec_spd_inverse_ref(double *A, size_t n);

#endif

/* lmrec — dense linear algebra in double over LAPACK and BLAS: symmetric
 * eigen-decomposition, positive definite solves with several right-hand
 * sides, orthonormal bases, and a randomized truncated SVD of a sparse
 * matrix. Each LAPACK-backed kernel has a slow, obviously correct *_ref
 * twin that the unit tests compare against (tests/unit/linalg.c).
 *
 * Matrices are row-major; shapes in comments. Results whose sign is not
 * determined by the mathematics (eigenvectors, singular vectors) are
 * given a fixed sign: the component of largest magnitude (the first of
 * equal ones) is positive, so the output does not depend on the library's
 * internal choices. */
#ifndef LMREC_LINALG_H
#define LMREC_LINALG_H

#include <stddef.h>
#include <stdint.h>

#include "csr.h"

/* Eigen-decomposition of a symmetric A (n, n), only its upper triangle
 * read (LAPACK dsyevr): eigenvalues in w (n), descending, and unit
 * eigenvectors as the rows of Z (n, n) (row k belongs to w[k]). A is
 * destroyed. Returns 0, or -1 when the algorithm did not converge. */
int lmrec_sym_eigen(double *A, size_t n, double *w, double *Z);
/* The same by cyclic Jacobi rotations on the whole of A (slow, n^3 per
 * sweep; for tests). */
int lmrec_sym_eigen_ref(double *A, size_t n, double *w, double *Z);

/* Solves A X = B for a symmetric positive definite A (n, n) (Cholesky,
 * LAPACK dposv): B (n, m) becomes X, A is overwritten. Returns 0, or -1
 * when A is not positive definite. */
int lmrec_spd_solve_d(double *A, double *B, size_t n, size_t m);
int lmrec_spd_solve_d_ref(double *A, double *B, size_t n, size_t m);

/* Replaces the columns of Y (n, l), n >= l, by an orthonormal basis of
 * the space they span (Householder QR, LAPACK dgeqrf + dorgqr). */
void lmrec_orthonormalize(double *Y, size_t n, size_t l);

/* G (k, k) = A (n, k)^T A, both triangles (BLAS dsyrk). */
void lmrec_gram_d(double *G, const double *A, size_t n, size_t k);

/* Fixes the sign of each row of M (rows, cols): its component of largest
 * magnitude (the first of equal ones) becomes positive. */
void lmrec_fix_sign_rows(double *M, size_t rows, size_t cols);

/* Truncated SVD of the sparse A (rows, cols) by randomized range finding
 * (Halko, Martinsson and Tropp 2011): a Gaussian test matrix of k +
 * oversample columns drawn from seed, iters power iterations with
 * re-orthonormalisation, then the exact SVD of the small projected
 * matrix. Writes the k largest singular values in s (k), descending, and
 * US (rows, k) = U S, the rows of A in the basis of the right singular
 * vectors (what LSA calls the document vectors); the sign of each column
 * is fixed as above (largest component of the column positive).
 * Requires k <= min(rows, cols). Deterministic for a seed (up to the
 * rounding of the BLAS kernels of the machine). */
void lmrec_rsvd(double *US, double *s, const struct lmrec_csr *A, size_t k, size_t oversample,
		size_t iters, uint64_t seed);
/* The exact top-k of the same by the eigen-decomposition of the smaller
 * of A A^T and A^T A (dense, Jacobi; for tests). */
void lmrec_rsvd_ref(double *US, double *s, const struct lmrec_csr *A, size_t k);

#endif

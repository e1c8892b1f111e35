/* lmrec — dense linear algebra in double (see linalg.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

#include "linalg.h"
#include "rng.h"
#include "util.h"

static lapack_int li(size_t x)
{
	if (x > (size_t)0x7fffffff)
		lmrec_die(LMREC_EXIT_FAIL, "matrix dimension %zu is too large for LAPACK", x);
	return (lapack_int)x;
}

void lmrec_fix_sign_rows(double *M, size_t rows, size_t cols)
{
	for (size_t r = 0; r < rows; r++) {
		double *m = M + r * cols;
		size_t best = 0;
		for (size_t c = 1; c < cols; c++)
			if (fabs(m[c]) > fabs(m[best]))
				best = c;
		if (cols && m[best] < 0)
			for (size_t c = 0; c < cols; c++)
				m[c] = -m[c];
	}
}

/* The same for the columns of M (rows, cols). */
static void fix_sign_cols(double *M, size_t rows, size_t cols)
{
	for (size_t c = 0; c < cols; c++) {
		size_t best = 0;
		for (size_t r = 1; r < rows; r++)
			if (fabs(M[r * cols + c]) > fabs(M[best * cols + c]))
				best = r;
		if (rows && M[best * cols + c] < 0)
			for (size_t r = 0; r < rows; r++)
				M[r * cols + c] = -M[r * cols + c];
	}
}

int lmrec_sym_eigen(double *A, size_t n, double *w, double *Z)
{
	if (n == 0)
		return 0;
	double *wa = lmrec_xmalloc(n * sizeof *wa);
	double *Za = lmrec_xmalloc(n * n * sizeof *Za);        /* (n, n) eigenvectors as columns */
	lapack_int *isuppz = lmrec_xmalloc(2 * n * sizeof *isuppz);
	lapack_int m = 0;
	lapack_int info = LAPACKE_dsyevr(LAPACK_ROW_MAJOR, 'V', 'A', 'U', li(n), A, li(n), 0.0, 0.0,
					 0, 0, 0.0, &m, wa, Za, li(n), isuppz);
	int rc = info == 0 && (size_t)m == n ? 0 : -1;
	if (rc == 0) {
		/* ascending columns -> descending rows */
		for (size_t k = 0; k < n; k++) {
			size_t src = n - 1 - k;
			w[k] = wa[src];
			for (size_t i = 0; i < n; i++)
				Z[k * n + i] = Za[i * n + src];
		}
		lmrec_fix_sign_rows(Z, n, n);
	}
	free(wa);
	free(Za);
	free(isuppz);
	return rc;
}

int lmrec_sym_eigen_ref(double *A, size_t n, double *w, double *Z)
{
	/* V accumulates the rotations: A_0 = V diag(A_end) V^T, columns of V
	 * the eigenvectors. The lower triangle is taken from the upper one. */
	double *V = lmrec_xcalloc(n * n + 1, sizeof *V);
	for (size_t i = 0; i < n; i++) {
		V[i * n + i] = 1.0;
		for (size_t j = 0; j < i; j++)
			A[i * n + j] = A[j * n + i];
	}
	int rc = -1;
	for (int sweep = 0; sweep < 100; sweep++) {
		double off = 0, total = 0;
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < n; j++) {
				total += A[i * n + j] * A[i * n + j];
				if (i != j)
					off += A[i * n + j] * A[i * n + j];
			}
		if (off <= 1e-30 * total || off == 0.0) {
			rc = 0;
			break;
		}
		for (size_t p = 0; p < n; p++)
			for (size_t q = p + 1; q < n; q++) {
				double apq = A[p * n + q];
				if (apq == 0.0)
					continue;
				double theta = (A[q * n + q] - A[p * n + p]) / (2.0 * apq);
				double t = (theta >= 0 ? 1.0 : -1.0) / (fabs(theta) + sqrt(theta * theta + 1.0));
				double c = 1.0 / sqrt(t * t + 1.0), s = t * c;
				for (size_t k = 0; k < n; k++) { /* columns p, q */
					double akp = A[k * n + p], akq = A[k * n + q];
					A[k * n + p] = c * akp - s * akq;
					A[k * n + q] = s * akp + c * akq;
				}
				for (size_t k = 0; k < n; k++) { /* rows p, q */
					double apk = A[p * n + k], aqk = A[q * n + k];
					A[p * n + k] = c * apk - s * aqk;
					A[q * n + k] = s * apk + c * aqk;
				}
				for (size_t k = 0; k < n; k++) {
					double vkp = V[k * n + p], vkq = V[k * n + q];
					V[k * n + p] = c * vkp - s * vkq;
					V[k * n + q] = s * vkp + c * vkq;
				}
			}
	}
	if (rc == 0) {
		/* selection sort by descending eigenvalue */
		size_t *ord = lmrec_xmalloc((n + 1) * sizeof *ord);
		for (size_t i = 0; i < n; i++)
			ord[i] = i;
		for (size_t i = 0; i < n; i++) {
			size_t b = i;
			for (size_t j = i + 1; j < n; j++)
				if (A[ord[j] * n + ord[j]] > A[ord[b] * n + ord[b]])
					b = j;
			size_t t = ord[i];
			ord[i] = ord[b];
			ord[b] = t;
		}
		for (size_t k = 0; k < n; k++) {
			w[k] = A[ord[k] * n + ord[k]];
			for (size_t i = 0; i < n; i++)
				Z[k * n + i] = V[i * n + ord[k]];
		}
		lmrec_fix_sign_rows(Z, n, n);
		free(ord);
	}
	free(V);
	return rc;
}

int lmrec_spd_solve_d(double *A, double *B, size_t n, size_t m)
{
	if (n == 0 || m == 0)
		return 0;
	lapack_int info = LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', li(n), li(m), A, li(n), B, li(m));
	return info == 0 ? 0 : -1;
}

int lmrec_spd_solve_d_ref(double *A, double *B, size_t n, size_t m)
{
	/* A = L L^T from the upper triangle, then L Y = B, L^T X = Y. */
	double *L = lmrec_xcalloc(n * n + 1, sizeof *L);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j <= i; j++) {
			double s = A[j * n + i];
			for (size_t p = 0; p < j; p++)
				s -= L[i * n + p] * L[j * n + p];
			if (i == j) {
				if (!(s > 0)) {
					free(L);
					return -1;
				}
				L[i * n + i] = sqrt(s);
			} else {
				L[i * n + j] = s / L[j * n + j];
			}
		}
	for (size_t c = 0; c < m; c++) {
		for (size_t i = 0; i < n; i++) {
			double s = B[i * m + c];
			for (size_t p = 0; p < i; p++)
				s -= L[i * n + p] * B[p * m + c];
			B[i * m + c] = s / L[i * n + i];
		}
		for (size_t i = n; i-- > 0;) {
			double s = B[i * m + c];
			for (size_t p = i + 1; p < n; p++)
				s -= L[p * n + i] * B[p * m + c];
			B[i * m + c] = s / L[i * n + i];
		}
	}
	free(L);
	return 0;
}

void lmrec_orthonormalize(double *Y, size_t n, size_t l)
{
	if (l == 0 || n == 0)
		return;
	if (n < l)
		lmrec_die(LMREC_EXIT_FAIL, "internal error: orthonormalize %zu x %zu", n, l);
	double *tau = lmrec_xmalloc(l * sizeof *tau);
	lapack_int info = LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, li(n), li(l), Y, li(l), tau);
	if (info == 0)
		info = LAPACKE_dorgqr(LAPACK_ROW_MAJOR, li(n), li(l), li(l), Y, li(l), tau);
	free(tau);
	if (info != 0)
		lmrec_die(LMREC_EXIT_FAIL, "LAPACK QR failed (info %d)", (int)info);
}

void lmrec_gram_d(double *G, const double *A, size_t n, size_t k)
{
	if (k == 0)
		return;
	if (n == 0) {
		memset(G, 0, k * k * sizeof *G);
		return;
	}
	cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, li(k), li(n), 1.0, A, li(k), 0.0, G, li(k));
	for (size_t i = 0; i < k; i++)
		for (size_t j = 0; j < i; j++)
			G[i * k + j] = G[j * k + i];
}

/* Y (rows, l) = A X, X (cols, l). */
static void csr_mul(double *Y, const struct lmrec_csr *A, const double *X, size_t l)
{
	memset(Y, 0, A->rows * l * sizeof *Y);
	for (size_t r = 0; r < A->rows; r++) {
		double *y = Y + r * l;
		for (uint64_t p = A->ptr[r]; p < A->ptr[r + 1]; p++) {
			const double *x = X + (size_t)A->idx[p] * l;
			double v = A->val[p];
			for (size_t j = 0; j < l; j++)
				y[j] += v * x[j];
		}
	}
}

/* Z (cols, l) = A^T Y, Y (rows, l). */
static void csr_tmul(double *Z, const struct lmrec_csr *A, const double *Y, size_t l)
{
	memset(Z, 0, A->cols * l * sizeof *Z);
	for (size_t r = 0; r < A->rows; r++) {
		const double *y = Y + r * l;
		for (uint64_t p = A->ptr[r]; p < A->ptr[r + 1]; p++) {
			double *z = Z + (size_t)A->idx[p] * l;
			double v = A->val[p];
			for (size_t j = 0; j < l; j++)
				z[j] += v * y[j];
		}
	}
}

void lmrec_rsvd(double *US, double *s, const struct lmrec_csr *A, size_t k, size_t oversample,
		size_t iters, uint64_t seed)
{
	size_t rows = A->rows, cols = A->cols, small = rows < cols ? rows : cols;
	if (k == 0)
		return;
	if (k > small)
		lmrec_die(LMREC_EXIT_FAIL, "internal error: rsvd of rank %zu from %zu x %zu", k, rows, cols);
	size_t l = k + oversample < small ? k + oversample : small;
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, seed);
	double *Om = lmrec_xmalloc(cols * l * sizeof *Om); /* (cols, l) */
	for (size_t i = 0; i < cols * l; i++)
		Om[i] = lmrec_rng_normal(&rng);
	double *Y = lmrec_xmalloc(rows * l * sizeof *Y); /* (rows, l) */
	csr_mul(Y, A, Om, l);
	for (size_t it = 0; it < iters; it++) {
		lmrec_orthonormalize(Y, rows, l);
		csr_tmul(Om, A, Y, l);
		lmrec_orthonormalize(Om, cols, l);
		csr_mul(Y, A, Om, l);
	}
	lmrec_orthonormalize(Y, rows, l); /* Q */
	csr_tmul(Om, A, Y, l);            /* B^T = A^T Q (cols, l) */
	double *G = lmrec_xmalloc(l * l * sizeof *G), *w = lmrec_xmalloc(l * sizeof *w);
	double *Ub = lmrec_xmalloc(l * l * sizeof *Ub); /* rows: eigenvectors of B B^T */
	lmrec_gram_d(G, Om, cols, l);                   /* B B^T (l, l) */
	if (lmrec_sym_eigen(G, l, w, Ub) != 0)
		lmrec_die(LMREC_EXIT_FAIL, "the eigen-decomposition of the SVD did not converge");
	/* U S = Q Ub^T[:, :k] diag(s) */
	for (size_t j = 0; j < k; j++)
		s[j] = w[j] > 0 ? sqrt(w[j]) : 0.0;
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, li(rows), li(k), li(l), 1.0, Y, li(l), Ub,
		    li(l), 0.0, US, li(k));
	for (size_t r = 0; r < rows; r++)
		for (size_t j = 0; j < k; j++)
			US[r * k + j] *= s[j];
	fix_sign_cols(US, rows, k);
	free(Om);
	free(Y);
	free(G);
	free(w);
	free(Ub);
}

void lmrec_rsvd_ref(double *US, double *s, const struct lmrec_csr *A, size_t k)
{
	size_t rows = A->rows, cols = A->cols;
	double *D = lmrec_xcalloc(rows * cols + 1, sizeof *D);
	for (size_t r = 0; r < rows; r++)
		for (uint64_t p = A->ptr[r]; p < A->ptr[r + 1]; p++)
			D[r * cols + A->idx[p]] = A->val[p];
	int by_rows = rows <= cols;
	size_t m = by_rows ? rows : cols;
	double *G = lmrec_xcalloc(m * m + 1, sizeof *G), *w = lmrec_xcalloc(m + 1, sizeof *w);
	double *Z = lmrec_xcalloc(m * m + 1, sizeof *Z);
	for (size_t i = 0; i < m; i++)
		for (size_t j = 0; j < m; j++) {
			double t = 0;
			if (by_rows)
				for (size_t c = 0; c < cols; c++)
					t += D[i * cols + c] * D[j * cols + c];
			else
				for (size_t r = 0; r < rows; r++)
					t += D[r * cols + i] * D[r * cols + j];
			G[i * m + j] = t;
		}
	if (lmrec_sym_eigen_ref(G, m, w, Z) != 0)
		lmrec_die(LMREC_EXIT_FAIL, "Jacobi did not converge");
	for (size_t j = 0; j < k; j++)
		s[j] = w[j] > 0 ? sqrt(w[j]) : 0.0;
	for (size_t r = 0; r < rows; r++)
		for (size_t j = 0; j < k; j++) {
			double t = 0;
			if (by_rows) /* U = eigenvectors of A A^T */
				t = Z[j * m + r] * s[j];
			else /* U S = A V */
				for (size_t c = 0; c < cols; c++)
					t += D[r * cols + c] * Z[j * m + c];
			US[r * k + j] = t;
		}
	fix_sign_cols(US, rows, k);
	free(D);
	free(G);
	free(w);
	free(Z);
}

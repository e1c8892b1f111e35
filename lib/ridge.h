/* lmrec — ridge regression of several outputs with an unpenalised
 * intercept, solved in closed form (the normal equations by Cholesky,
 * LAPACK dposv), and its cross-validated R^2. lmrec-embed --method fuse
 * maps whitened content vectors onto collaborative item factors with it. */
#ifndef LMREC_RIDGE_H
#define LMREC_RIDGE_H

#include <stddef.h>
#include <stdint.h>

/* W (p, k) and b (k) minimising
 *     sum over rows i of |y_i - x_i W - b|^2 + lambda |W|^2
 * over X (n, p) and Y (n, k): W = (Xc^T Xc + lambda I)^-1 Xc^T Yc with Xc,
 * Yc centred, b = mean(y) - mean(x) W. Returns 0, or -1 when the system is
 * singular (lambda 0 and X of deficient rank). */
int lmrec_ridge_fit(double *W, double *b, const double *X, const double *Y, size_t n, size_t p,
		    size_t k, double lambda);
/* The same with loops and the Cholesky of linalg's *_ref (for tests). */
int lmrec_ridge_fit_ref(double *W, double *b, const double *X, const double *Y, size_t n, size_t p,
			size_t k, double lambda);

/* Out-of-fold R^2 for each of nl values of lambda: row i belongs to fold
 * fold[i] (0..nfolds-1); each fold is predicted by a fit on the other
 * rows; r2[l] = 1 - SSE / SST pooled over all rows and outputs, SST about
 * the mean of all rows. A singular fit gives -INFINITY. */
void lmrec_ridge_cv(double *r2, const double *X, const double *Y, size_t n, size_t p, size_t k,
		    const uint32_t *fold, size_t nfolds, const double *lambdas, size_t nl);

/* The same objective over sparse rows (bag-of-words features such as a
 * TF-IDF of thousands of words, where the p x p normal equations would be
 * too big to factor): rows[0..n-1] select the rows of X that are fitted
 * (NULL: all of them, in order), Y (n, k). Each output's centred system
 * (Xc^T Xc + lambda I) w = Xc^T yc is solved by conjugate gradients with a
 * Jacobi preconditioner, Xc applied implicitly (X v - 1 (mu . v)) so X
 * stays sparse; until the residual is below tol times the right-hand
 * side's norm, or max_iter steps. The outputs are independent: threads
 * share them out, and the result does not depend on the thread count.
 * lambda must be > 0. Returns the largest step count any output took, or
 * -1 when some output did not converge within max_iter. */
struct lmrec_csr;
long lmrec_ridge_fit_sparse(double *W, double *b, const struct lmrec_csr *X, const uint32_t *rows,
			    const double *Y, size_t n, size_t k, double lambda, double tol, size_t max_iter,
			    int threads);

#endif

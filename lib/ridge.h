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

#endif

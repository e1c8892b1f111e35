/* lmrec — PCA whitening of a set of vectors: centred, rotated onto the
 * principal axes of their covariance and each axis scaled to unit
 * variance, so that every kept direction weighs the same in what follows
 * (lmrec-embed --method fuse whitens each modality before the ridge
 * regression onto the collaborative factors). */
#ifndef LMREC_WHITEN_H
#define LMREC_WHITEN_H

#include <stddef.h>

struct lmrec_whiten {
	size_t d, r;   /* input dimension, kept components */
	double *mean;  /* (d) */
	double *P;     /* (r, d) rows: unit eigenvector / sqrt(its eigenvalue) */
	double *eig;   /* (r) the kept eigenvalues, descending */
	double total;  /* sum of all eigenvalues (the total variance) */
};

/* Fits on the rows of X (n, d): the mean, the covariance (divided by n)
 * and its eigen-decomposition (LAPACK dsyevr); keeps the leading
 * components, at most max_dims (0: no limit), whose eigenvalue exceeds
 * floor times the largest (directions of almost no variance would be
 * blown up into noise). n = 0 or a constant set keeps none. */
void lmrec_whiten_fit(struct lmrec_whiten *w, const float *X, size_t n, size_t d, size_t max_dims,
		      double floor);
/* z (r) = P (x - mean) for x (d). */
void lmrec_whiten_apply(const struct lmrec_whiten *w, const float *x, double *z);
void lmrec_whiten_free(struct lmrec_whiten *w);

#endif

/* lmrec — maps from content vectors to collaborative item factors (the
 * "align" model: items that nobody has touched get factors from their
 * content alone).
 *
 * Two maps, both fitted on the items that have both a content vector x
 * (d) and factors y (k):
 *   ridge  y = [x, 1] W, W ((d + 1), k) = argmin |[X 1] W - Y|^2 + lambda |W|^2
 *          (the bias row unregularised), solved by lib/ridge;
 *   mlp    y = W2 relu(W1 x + b1) + b2, hidden h units, mean squared error
 *          plus lambda (|W1|^2 + |W2|^2), Adam on mini-batches, the epoch
 *          with the lowest error on held-out items kept. */
#ifndef LMREC_ALIGN_H
#define LMREC_ALIGN_H

#include <stddef.h>
#include <stdint.h>

/* W ((d + 1), k) from X (n, d) and Y (n, k). Returns 0, or -1 when the
 * system is singular (lambda = 0 on collinear content). */
int lmrec_align_ridge_fit(float *W, const float *X, const float *Y, size_t n, size_t d, size_t k,
			  double lambda);
/* Out (n, k) = [X 1] W. */
void lmrec_align_ridge_apply(float *out, const float *W, const float *X, size_t n, size_t d, size_t k);

struct lmrec_mlp {
	size_t d, h, k;
	float *W1; /* (h, d) */
	float *b1; /* (h) */
	float *W2; /* (k, h) */
	float *b2; /* (k) */
};

struct lmrec_mlp_params {
	size_t hidden, epochs, batch;
	double lr, lambda, holdout; /* holdout: share of items kept for early stopping */
	uint64_t seed;
};

void lmrec_mlp_init(struct lmrec_mlp *m, size_t d, size_t h, size_t k, uint64_t seed);
void lmrec_mlp_free(struct lmrec_mlp *m);
/* Trains from its current weights; returns the best held-out mean squared
 * error (or the training error when holdout is 0). Deterministic by seed. */
double lmrec_mlp_fit(struct lmrec_mlp *m, const float *X, const float *Y, size_t n,
		     const struct lmrec_mlp_params *p);
void lmrec_mlp_apply(const struct lmrec_mlp *m, float *out, const float *X, size_t n);
/* The loss on a set, and its gradient in g (same layout as the weights:
 * W1, b1, W2, b2 back to back); for the finite-difference test. */
double lmrec_mlp_loss_grad(const struct lmrec_mlp *m, const float *X, const float *Y, size_t n,
			   double lambda, float *g);
size_t lmrec_mlp_nparams(const struct lmrec_mlp *m);

#endif

/* lmrec — Bayesian personalised ranking with matrix factorisation (Rendle
 * et al., UAI 2009): stochastic gradient ascent on
 *
 *     sum over (u, i, j) of ln sigmoid(x_uij) - reg |theta|^2,
 *     x_uij = x_u . (y_i - y_j) + b_i - b_j,
 *
 * with (u, i) drawn uniformly from the observed pairs and j uniformly from
 * the items u has not interacted with. Single-threaded, so the same seed
 * gives the same model. */
#ifndef LMREC_BPR_H
#define LMREC_BPR_H

#include <stddef.h>
#include <stdint.h>

#include "csr.h"

struct lmrec_bpr_params {
	size_t factors;
	double lr;      /* learning rate */
	double reg;     /* L2 on factors and biases */
	size_t epochs;  /* one epoch draws as many triples as observed pairs */
	uint64_t seed;
};

/* Trains X (users, k), Y (items, k) and bias (items) from their current
 * values. progress(ctx, epoch, mean ln sigmoid) after each epoch. */
void lmrec_bpr_fit(float *X, float *Y, float *bias, const struct lmrec_csr *ui,
		   const struct lmrec_bpr_params *p,
		   void (*progress)(void *ctx, size_t epoch, double objective), void *ctx);

/* ln sigmoid(x_uij) of one triple, and its gradient with respect to x_u,
 * y_i, y_j, b_i, b_j (each k long, biases scalars); for tests. */
double lmrec_bpr_triple(const float *xu, const float *yi, const float *yj, float bi, float bj,
			size_t k, float *gxu, float *gyi, float *gyj, float *gbi, float *gbj);

#endif

/* lmrec — implicit-feedback alternating least squares (Hu, Koren and
 * Volinsky, "Collaborative Filtering for Implicit Feedback Datasets",
 * ICDM 2008).
 *
 * Minimises sum over all (u, i) of c_ui (p_ui - x_u . y_i)^2 + reg (|x|^2 +
 * |y|^2), with p_ui = 1 and c_ui = 1 + alpha w_ui for observed pairs, p = 0
 * and c = 1 for the others. Each half step solves every row exactly:
 *
 *     x_u = (Y^T Y + reg I + sum_i alpha w_ui y_i y_i^T)^-1 sum_i (1 + alpha w_ui) y_i
 *
 * by Cholesky, or approximately by a few conjugate-gradient steps from the
 * current x_u (Takacs, Pilaszy and Tikk, RecSys 2011). */
#ifndef LMREC_ALS_H
#define LMREC_ALS_H

#include <stddef.h>
#include <stdint.h>

#include "csr.h"

struct lmrec_als_params {
	size_t factors;   /* k */
	double reg;       /* L2 regularisation */
	double alpha;     /* confidence slope */
	size_t iters;     /* full iterations (users, then items) */
	size_t cg_steps;  /* 0: exact Cholesky solves; > 0: conjugate-gradient steps */
	int threads;
};

/* Fills F (rows, k) with N(0, std^2) values from a stream seeded by seed and
 * stream (0 for users, 1 for items). */
void lmrec_als_init(float *F, size_t rows, size_t k, double std, uint64_t seed, uint64_t stream);

/* One half step: every row r of X (m->rows, k) solved against Y
 * (m->cols, k), with m the rows' interactions. */
void lmrec_als_half(float *X, const struct lmrec_csr *m, const float *Y,
		    const struct lmrec_als_params *p);

/* iters full iterations from the given X (users) and Y (items); ui is
 * users x items and iu its transpose. progress(ctx, iter, seconds) after
 * each iteration when not NULL. */
void lmrec_als_fit(float *X, float *Y, const struct lmrec_csr *ui, const struct lmrec_csr *iu,
		   const struct lmrec_als_params *p,
		   void (*progress)(void *ctx, size_t iter, double secs), void *ctx);

/* Solves one row: x (k) from the columns idx (n) with weights w (NULL:
 * all 1), given Y and G = Y^T Y (k, k). Used for fold-in of new users. */
void lmrec_als_solve_row(float *x, const float *G, const float *Y, const uint32_t *idx,
			 const float *w, size_t n, const struct lmrec_als_params *p);

/* The objective above, in double (tests and diagnostics). */
double lmrec_als_loss(const float *X, const float *Y, const struct lmrec_csr *ui,
		      const struct lmrec_als_params *p);

#endif

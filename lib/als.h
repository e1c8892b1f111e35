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

/* ---- ALS over shards of users (lmrec-als-shard) ----
 *
 * The item half step needs, for each item i, only sums over the users who
 * touched it: A_i = sum alpha w_ui x_u x_u^T, b_i = sum (1 + alpha w_ui) x_u
 * and G = X^T X over every user. Each shard of users (a host holding its
 * own users' interactions) computes its part of these sums; the parts add
 * up, and the item factors are solved from the totals. No interaction row
 * and no user factor leaves the shard, only these item-side sums. */

/* The number of entries of a packed upper triangle of a k x k matrix. */
static inline size_t lmrec_als_packed(size_t k) { return k * (k + 1) / 2; }

/* One shard's sums: for each row i of iu (the shard's items x users, with
 * weights) A (iu->rows, packed: (f, g) for f <= g, row by row) and b
 * (iu->rows, k), zero for an item without entries; G (k, k, both
 * triangles) = X^T X over the shard's iu->cols users. X (iu->cols, k). */
void lmrec_als_shard_sums(float *A, float *b, double *G, const struct lmrec_csr *iu, const float *X,
			  const struct lmrec_als_params *p);

/* The same, one product at a time in double (tests). */
void lmrec_als_shard_sums_ref(float *A, float *b, double *G, const struct lmrec_csr *iu,
			      const float *X, const struct lmrec_als_params *p);

/* An item's factors from the summed sums of every shard: y (k) = (G + reg I
 * + A)^-1 b, A packed as above. Returns 0, or -1 when the system is not
 * positive definite. */
int lmrec_als_solve_sums(float *y, const double *G, const double *A, const double *b,
			 const struct lmrec_als_params *p);

/* The objective above, in double (tests and diagnostics). */
double lmrec_als_loss(const float *X, const float *Y, const struct lmrec_csr *ui,
		      const struct lmrec_als_params *p);

#endif

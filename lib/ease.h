/* lmrec — EASE (Steck, "Embarrassingly Shallow Autoencoders", WWW 2019):
 * an item-item weight matrix in closed form,
 *
 *     P = (X^T X + lambda I)^-1,   B = I - P diag(1/diag(P)),   diag(B) = 0,
 *
 * so that a user's scores are x_u B: the sum of the rows of B of the
 * items the user interacted with. */
#ifndef LMREC_EASE_H
#define LMREC_EASE_H

#include <stddef.h>

#include "csr.h"

/* The Gram matrix G (n, n) = X^T X of a users x items matrix, in double,
 * both triangles; rows of G are shared among threads. */
void lmrec_ease_gram(double *G, const struct lmrec_csr *ui, int threads);
/* B (n, n) from X (users x items). Returns 0, or -1 when X^T X + lambda I
 * is not positive definite (lambda <= 0 on a rank-deficient X). */
int lmrec_ease_fit(float *B, const struct lmrec_csr *ui, double lambda, int threads);
/* The same with side information (Jeunen, Van Balen and Goethals, "Closed-
 * form models for collaborative filtering with side-information", RecSys
 * 2020): the rows of side (features x items, e.g. a word's weight in each
 * item that holds it) join the users' rows, so the Gram matrix is
 * X^T X + S^T S and items that share features are tied together even when
 * few users link them. side NULL is plain EASE; side->cols must equal
 * ui->cols. */
int lmrec_ease_fit_side(float *B, const struct lmrec_csr *ui, const struct lmrec_csr *side, double lambda,
			int threads);
/* The same from the Gram matrix X^T X already in P (n, n, both triangles;
 * e.g. the sum of the Gram matrices of shards of users, lmrec-gram), which
 * it overwrites. */
int lmrec_ease_fit_gram(float *B, double *P, const struct lmrec_csr *side, size_t n, double lambda,
			int threads);

#endif

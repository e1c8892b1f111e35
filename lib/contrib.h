/* lmrec — how much each item of a user's history contributes to a
 * collaborative model's score of an item: the evidence behind a
 * recommendation, for the explanations of lmrec-recall --contributions and
 * lmrec-rank --explain full.
 *
 * For a query q (the user's history hist[0..n) with weights w, as
 * lmrec_score_block takes it) and an item i, a[j] is the contribution of
 * hist[j] to score(i):
 *
 *   itemknn      a_j = w_j sim(h_j, i)                      exact: the score is their sum
 *   ease         a_j = w_j B[h_j][i]                        exact: the score is their sum
 *   semantic     a_j = w_j (v_hj . v_i) / |sum_l w_l v_hl|  exact for the folded-in vector
 *   bpr, align   a_j = (y_hj . y_i) / n                     the mean fold-in; bpr's item
 *   (mean)                                                  bias is not a history item's
 *   als, align   a_j = (1 + alpha w_j) y_i' A^-1 y_hj       Hu, Koren and Volinsky (2008),
 *   (als)        A = Y'Y + reg I + sum_l alpha w_l y_l y_l'  section 6: exact for the
 *                                                           folded-in vector
 *   sasrec       a_j = score(i) - score(i without h_j)      occlusion: the sequence without
 *                                                           every occurrence of h_j
 *   crossdomain  a_j = score(i) - score(i without h_j)      occlusion; |score(i)| when i has
 *                                                           no score without h_j
 *   popular      a_j = 0
 *
 * For the kinds marked exact the contributions sum to the score that
 * lmrec_score_block gives the query (plus bpr's bias); for itemknn and ease
 * each is also exactly what the score loses without the item. For a user
 * the model knows and scores from trained factors (als, bpr, align,
 * semantic without fold_in), the contributions are those of the folded-in
 * vector, which the trained one approximates. Removing an item of the
 * history changes the als system A and the semantic norm, so there a_j is
 * the item's part of the score, not its leave-one-out difference. sasrec
 * reads only the last maxlen items of the sequence: an older item
 * contributes 0 unless it also occurs in that window. An item without a
 * score (NaN: crossdomain's items of no domain to score) has
 * contributions 0. */
#ifndef LMREC_CONTRIB_H
#define LMREC_CONTRIB_H

#include <stddef.h>
#include <stdint.h>

#include "recmodel.h"

struct lmrec_contrib;

/* Scratch for one thread and model m (which must outlive it). */
struct lmrec_contrib *lmrec_contrib_new(const struct lmrec_recmodel *m);
void lmrec_contrib_free(struct lmrec_contrib *c);
/* crossdomain: the query's and the candidates' domains, as
 * lmrec_scorer_domains (-1: every domain; both -1 until set). */
void lmrec_contrib_domains(struct lmrec_contrib *c, int64_t from, int64_t to);

/* a (nitems, q->n), row-major: a[t * q->n + j] is the contribution of
 * q->hist[j] to the score of items[t] (model item indices). */
void lmrec_contrib_compute(struct lmrec_contrib *c, const struct lmrec_user_query *q,
			   const uint32_t *items, size_t nitems, float *a);

/* The same by definition, slowly (for tests): every kind from its formula
 * in double over plain loops, A^-1 by Gauss-Jordan elimination, the
 * occlusions by one lmrec_score_block call per history item. */
void lmrec_contrib_compute_ref(const struct lmrec_recmodel *m, int64_t from, int64_t to,
			       const struct lmrec_user_query *q, const uint32_t *items, size_t nitems,
			       float *a);

#endif

/* lmrec — a trained collaborative model of any kind, in memory: what
 * lmrec-train writes and lmrec-recall scores with.
 *
 * The factor models are als, bpr, align (content vectors mapped onto an
 * als or bpr model's factors: users keep their factors, items get aligned
 * vectors, cold ones included) and semantic (unit content vectors; a user
 * is the weighted mean of the history's vectors): all score x_u . y_i.
 *
 * Every model keeps its user and item dictionaries in byte order of the
 * ids (so index order is id order, and ties between equal scores go to the
 * smaller id), and the training interactions (users x items), so a model
 * file alone can score its users and leave out what they have seen. */
#ifndef LMREC_RECMODEL_H
#define LMREC_RECMODEL_H

#include <stddef.h>
#include <stdint.h>

#include "csr.h"
#include "ids.h"
#include "model.h"

struct lmrec_recmodel {
	uint32_t kind;                  /* popular, itemknn, ease, als, bpr, align, semantic */
	struct lmrec_ids *users, *items;
	size_t nu, ni, k;
	struct lmrec_csr seen;          /* (nu x ni) training interactions, their weights */
	float *pop;                     /* popular: (ni) scores */
	struct lmrec_csr nb;            /* itemknn: (ni x ni) neighbours and similarities */
	float *B;                       /* ease: (ni, ni) */
	float *X, *Y;                   /* als, bpr: (nu, k), (ni, k) */
	float *bias;                    /* bpr: (ni) */
	double reg, alpha;              /* als, align: for fold-in */
	size_t cg_steps;
	int fold_als;                   /* align: fold-in by the ALS user solve (als always) */
	struct lmrec_model *file;       /* when loaded: arrays point into its mapping */
};

/* Writes the model (kind-specific sections, dictionaries, seen matrix and
 * the params section the caller filled in extra, which may be NULL). */
void lmrec_recmodel_write(const struct lmrec_recmodel *m, struct lmrec_model *extra,
			  const char *path);
/* Reads a model of one of the collaborative kinds (kind ANY accepts each). */
struct lmrec_recmodel *lmrec_recmodel_read(const char *path, uint32_t kind);
/* Frees arrays it owns (trained) or the mapping (read). NULL allowed. */
void lmrec_recmodel_free(struct lmrec_recmodel *m);

/* ---- scoring ---- */

/* A user to score: index in the model (or -1 for a user it does not know)
 * and a history of item indices with weights, sorted by item index. */
struct lmrec_user_query {
	int64_t user;
	const uint32_t *hist;
	const float *w; /* NULL: weights 1 */
	size_t n;
	int fold_in;    /* als, bpr: solve the vector from hist even when known */
};

struct lmrec_scorer;
/* Scratch for one thread; block is the number of users scored at once. */
struct lmrec_scorer *lmrec_scorer_new(const struct lmrec_recmodel *m, size_t block);
void lmrec_scorer_free(struct lmrec_scorer *s);
/* Scores every item for q[0..n) (n <= block): out (n, ni) row-major,
 * the row of user r at out + r * ni. */
void lmrec_score_block(struct lmrec_scorer *s, const struct lmrec_user_query *q, size_t n, float *out);
/* The vector a factor model uses for q (als, bpr): x (k). */
void lmrec_user_vector(struct lmrec_scorer *s, const struct lmrec_user_query *q, float *x);
/* How much history item hist[h] contributes to the score of item i (for
 * reasons): itemknn the similarity, ease B[h][i], factor models the cosine
 * of the two item vectors; 0 for popular. */
float lmrec_contribution(const struct lmrec_recmodel *m, uint32_t h, uint32_t i);

#endif

/* lmrec — a trained collaborative model of any kind, in memory: what
 * lmrec-train writes and lmrec-recall scores with.
 *
 * sasrec (lib/sasrec.h) encodes the user's last items in time order into a
 * vector h and scores h . item_i like a factor model.
 *
 * The factor models are als, bpr, align (content vectors mapped onto an
 * als or bpr model's factors: users keep their factors, items get aligned
 * vectors, cold ones included) and semantic (unit content vectors; a user
 * is the weighted mean of the history's vectors): all score x_u . y_i.
 *
 * crossdomain (lib/crossdomain.h) scores the items of one domain from the
 * history's items of the others: co-occurrence links between items of
 * different domains and content vectors; the model carries every item's
 * domain.
 *
 * Every model keeps its user and item dictionaries in byte order of the
 * ids (so index order is id order, and ties between equal scores go to the
 * smaller id), and the training interactions (users x items), so a model
 * file alone can score its users and leave out what they have seen. */
#ifndef LMREC_RECMODEL_H
#define LMREC_RECMODEL_H

#include <stddef.h>
#include <stdint.h>

#include "crossdomain.h"
#include "csr.h"
#include "ids.h"
#include "model.h"
#include "seqmodel.h"

struct lmrec_recmodel {
	uint32_t kind;                  /* popular, itemknn, ease, als, bpr, align, semantic,
					 * sasrec, crossdomain */
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
	struct lmrec_sasrec *sas;       /* sasrec: the network (k = its width, Y = its item rows 1..) */
	struct lmrec_seqs seq;          /* sasrec: each user's items in time order, the last maxlen */
	struct lmrec_ids *domains;      /* crossdomain: the domain names, in byte order */
	struct lmrec_xdom xd;           /* crossdomain: links, prior, domains, vectors */
	struct lmrec_model *file;       /* when loaded: arrays point into its mapping */
	double *sqnorm;                 /* factor kinds, when loaded: |y_i|^2 (ni), owned,
					 * so that lmrec_contribution need not sum them */
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
	/* sasrec: the history in time order (for a user the model does not
	 * know, or with fold_in); NULL: hist, in item order */
	const uint32_t *seq;
	size_t nseq;
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
/* crossdomain: the query is the history's items of domain from (-1: of
 * every domain), and only the items of domain to (-1: of every domain) get
 * a score, the others NaN. Both -1 until set. */
void lmrec_scorer_domains(struct lmrec_scorer *s, int64_t from, int64_t to);
/* sasrec, after lmrec_score_block: the two items of user r's sequence (of
 * that block) that the last block's attention weighed most, as model item
 * indices (-1 where there is none). */
void lmrec_scorer_attended(const struct lmrec_scorer *s, size_t r, int64_t *first, int64_t *second);
/* How much history item hist[h] contributes to the score of item i (for
 * reasons): itemknn the similarity, ease B[h][i], factor models the cosine
 * of the two item vectors; 0 for popular. */
float lmrec_contribution(const struct lmrec_recmodel *m, uint32_t h, uint32_t i);

#endif

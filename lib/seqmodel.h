/* lmrec — behaviour sequences and the training of a sequence model
 * (SASRec, lib/sasrec.h) on them: batches of each user's last items, AdamW,
 * early stopping on the validation item's NDCG, the best epoch kept. */
#ifndef LMREC_SEQMODEL_H
#define LMREC_SEQMODEL_H

#include <stddef.h>
#include <stdint.h>

#include "sasrec.h"

/* Each user's items in time order (ties in input order): the items of
 * user u are item[ptr[u] .. ptr[u + 1]), 0-based indices of the caller's
 * item dictionary. */
struct lmrec_seqs {
	size_t nu;
	uint64_t *ptr; /* (nu + 1) */
	uint32_t *item;
};

/* From n rows (user, item, ts); the order among rows of one user with the
 * same ts is the order of the rows. */
void lmrec_seqs_build(struct lmrec_seqs *s, size_t nu, const uint32_t *user, const uint32_t *item,
		      const int64_t *ts, size_t n);
void lmrec_seqs_free(struct lmrec_seqs *s);

/* The model's input for a sequence: its last maxlen items (as SASRec
 * indices, item + 1), left-padded with 0, into row (maxlen). */
void lmrec_seqs_input(uint32_t *row, const uint32_t *items, size_t len, size_t maxlen);

struct lmrec_seqtrain {
	enum lmrec_sasrec_loss loss;
	size_t negatives;
	double gbce_t;
	size_t epochs;   /* at most */
	size_t patience; /* epochs without a better validation NDCG before stopping (0: never) */
	size_t batch;    /* sequences a step */
	size_t eval_k;   /* the NDCG's cut-off */
	float lr, weight_decay;
	uint64_t seed;
	int threads;
	int verbose;     /* a line a epoch on standard error */
	/* NULL, or (items + 1, dim): what the item table's weight decay pulls
	 * towards instead of zero (a frozen semantic view) */
	const float *item_anchor;
	/* incremental training: NULL, or (nu) 1 for the users with new rows;
	 * each epoch then takes those and a seeded share `replay` of the
	 * others (the replay sample that keeps the old users from being
	 * forgotten), drawn anew each epoch */
	const unsigned char *fresh;
	double replay;
	/* 1: the parameters on entry (a model continued) are epoch 0, scored
	 * on validation first, and kept when no epoch does better */
	int eval_init;
	float beta2; /* Adam's second-moment decay; 0 means 0.98 */
	/* 0: a user's window is the last maxlen items (SASRec's); 1: a
	 * longer history gives a window ending at a random place each epoch,
	 * so that over the epochs every item of it is trained on */
	int random_window;
};

/* What training reports after each epoch; the callback may write a
 * checkpoint. ndcg is NAN without validation items. */
typedef void (*lmrec_seqtrain_epoch_fn)(void *ctx, const struct lmrec_sasrec *m, size_t epoch, double loss,
					double ndcg, int best);

/* Trains m from its current parameters. Each step takes `batch` users in a
 * seeded order (users with at least two items): the input is the last
 * maxlen items before the last one (with random_window, the maxlen items
 * before a place drawn uniformly among those that leave a full window,
 * from the seeded stream), the targets the items that follow each. valid (nu entries, or NULL): the item each user did next (UINT32_MAX
 * for none); after each epoch every such user's sequence is encoded, all
 * items scored, the sequence's own items left out, and the mean NDCG@eval_k
 * of the valid items computed; m ends with the parameters of the best epoch
 * (the last one without validation; with eval_init, epoch 0 is the
 * entry's). Returns the best NDCG (NAN without
 * validation); *best_epoch the epoch it came from (1-based). */
double lmrec_seqtrain_run(struct lmrec_sasrec *m, const struct lmrec_seqs *s, const uint32_t *valid,
			  const struct lmrec_seqtrain *p, lmrec_seqtrain_epoch_fn on_epoch, void *ctx,
			  size_t *best_epoch);

/* Mean NDCG@k over the users with a valid item (see above); NAN when none. */
double lmrec_seqtrain_ndcg(const struct lmrec_sasrec *m, const struct lmrec_seqs *s, const uint32_t *valid,
			   size_t k, int threads);

/* The scores of every item 1..items for encoded states h (n, dim): out (n,
 * items) = h item[1..]^T, by sgemm. */
void lmrec_sasrec_scores(const struct lmrec_sasrec *m, const float *h, size_t n, float *out);

#endif

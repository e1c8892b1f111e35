/* lmrec — the state of a conversation with a recommender: the slots said
 * so far, the question asked last, the items already shown, and from them
 * the ranking of the catalog and the next question.
 *
 * State. Each request's slots (slots.h) are merged into the state: the
 * slots of a key the request speaks of (key=value of any polarity, or
 * key=*) replace every earlier slot of that key (a change of mind);
 * likewise categories and domains. Scenario words accumulate. Items the
 * request names by title count as shown.
 *
 * The question asked last is resolved by the next request: by its slots
 * on the asked key ("light, please"), else by its answer flags: yes gives
 * key=yes for a yes/no key (the asked value for a question about one
 * value), no gives key=no (the value negated), and either or "don't mind"
 * gives key=* (the key is settled without a constraint). An asked key is
 * never asked again.
 *
 * Ranking. An item is left out when it is unavailable, already shown,
 * has a value the state negates (-key=value), or fails a hard filter: a
 * wanted category or domain of weight >= params.hard (exact words are 1),
 * an unwanted one of any weight. Every other item scores
 *
 *     sum over wanted keys k of w_k * (+1 if the item has a wanted value of
 *         k, -conflict if it has only other values of k, 0 without k)
 *   + sum over soft categories and domains c of w_c * [the item is in c]
 *   + cf_weight * z_u(i)
 *
 * where w_k is the largest weight of k's wanted values and z_u the user's
 * collaborative score of the item as a z-score over the catalog (0 when
 * the user has no history). Order: score descending, then item id.
 *
 * The question. Over the pool best candidates C, weighted by a softmax of
 * score / temperature (w_i), each key not yet settled (no wanted value,
 * no key=*, not asked) gets the expected information gain of asking it:
 * the entropy of the candidates H(C) less its expected value once the
 * answer is known. An answer naming value v leaves the candidates with v
 * (an item with several values of the key splitting its weight among
 * them); "no value" (the user does not mind, or the target has none)
 * leaves them as they were. The gain is then the entropy of the key's
 * values among the candidates when each has exactly one, and less by
 * what a "no value" answer fails to tell when some have none (a key of
 * one domain asked over candidates of two). The category is a key like
 * the others when asked for (ask_category) and none is wanted. infogain
 * asks the key of largest gain (ties: the key met first in the catalog);
 * random a uniformly drawn key that some candidate has. */
#ifndef LMREC_DIALOG_H
#define LMREC_DIALOG_H

#include <stddef.h>
#include <stdint.h>

#include "rng.h"
#include "slots.h"
#include "slotvocab.h"

#define LMREC_DIALOG_LIST 4 /* values a question lists at most */

struct lmrec_dialog_params {
	double cf_weight;   /* of the collaborative z-score (default 0.5) */
	double conflict;    /* penalty of an item with another value (default 1) */
	double hard;        /* weight from which categories and domains filter (0.8) */
	size_t pool;        /* candidates the question is chosen over (default 50) */
	double temperature; /* of the softmax over their scores (default 1) */
	int ask_category;   /* the category may be asked (default 0: the answers
			     * of a replayed stream are about attribute keys) */
};

void lmrec_dialog_defaults(struct lmrec_dialog_params *p);

enum lmrec_ask { LMREC_ASK_NONE, LMREC_ASK_INFOGAIN, LMREC_ASK_RANDOM };

struct lmrec_question {
	int64_t key;      /* key index, nkeys for the category, -1 for none */
	int64_t pair;     /* a question about one value: its pair (or category), else -1 */
	uint32_t values[LMREC_DIALOG_LIST]; /* values (or categories) listed, largest share first */
	size_t nvalues;
	int more;         /* the candidates have more values than listed */
	double gain;      /* the entropy of the answer, in bits */
};

struct lmrec_dialog {
	const struct lmrec_slotvocab *v;
	struct lmrec_dialog_params p;
	struct lmrec_slots state;
	struct lmrec_question last; /* the question waiting for its answer */
	unsigned char *asked;       /* (nkeys + 1) */
	unsigned char *shown;       /* (items) */
	const float *cf;            /* (items) z-scores, or NULL */
	float *score;               /* (items) of the last ranking */
	uint32_t *order;            /* (norder) candidates, best first */
	size_t norder;
	double *mass;               /* (values or categories) scratch */
	uint32_t *touched;
	size_t nmass;
	size_t questions;           /* asked in this session */
};

struct lmrec_dialog *lmrec_dialog_new(const struct lmrec_slotvocab *v, const struct lmrec_dialog_params *p);
void lmrec_dialog_free(struct lmrec_dialog *d);
/* A new session; cf: the user's z-scores (items), or NULL. */
void lmrec_dialog_start(struct lmrec_dialog *d, const float *cf);
/* Merges one request (resolving the last question). */
void lmrec_dialog_turn(struct lmrec_dialog *d, const struct lmrec_slots *t);
/* Ranks the catalog under the state: d->order, d->norder, d->score. */
void lmrec_dialog_rank(struct lmrec_dialog *d);
/* Marks the first n candidates of the ranking as shown. */
void lmrec_dialog_show(struct lmrec_dialog *d, size_t n);
/* Chooses the next question (after lmrec_dialog_rank) and makes it the
 * one waiting; returns 0 when there is none to ask (q->key is then -1). */
int lmrec_dialog_ask(struct lmrec_dialog *d, enum lmrec_ask mode, struct lmrec_rng *rng,
		     struct lmrec_question *q);
/* The expected information gain (bits) of asking key (nkeys: the
 * category) over the current pool: for tests and reports. */
double lmrec_dialog_gain(struct lmrec_dialog *d, size_t key);
/* Whether key (nkeys: the category) is settled. */
int lmrec_dialog_settled(const struct lmrec_dialog *d, size_t key);

/* The question in words (a fresh string): "Do you need it waterproof?",
 * "Which weight would you like: light, mid or heavy?", "What kind would
 * you like: jackets, footwear or something else?", "Would you like it
 * vegan?". */
char *lmrec_dialog_phrase(const struct lmrec_slotvocab *v, const struct lmrec_question *q);
/* Writes what item i matches among the wanted values of the state
 * ("light, waterproof, running"), at most max of them, as text; returns
 * how many it wrote. */
size_t lmrec_dialog_reason(const struct lmrec_dialog *d, uint32_t i, size_t max, struct lmrec_out *o);

#endif

/* lmrec — calibrated recommendations (H. Steck, "Calibrated
 * Recommendations", RecSys 2018).
 *
 * Every item has a distribution over genres, p(g|i): uniform over its
 * distinct genres (an item of Comedy and Drama is half of each). A user's
 * taste mix is the mean of those distributions over the items of the
 * history, and a list's mix the mean over the items of the list:
 *
 *     p(g|u) = sum over i in H of p(g|i) / |H|
 *     q(g|u) = sum over i in I of p(g|i) / |I|
 *
 * where items without a genre are left out of H and I (they neither count
 * nor dilute). Miscalibration is the Kullback-Leibler divergence of p from
 * the smoothed q:
 *
 *     KL(p || q~) = sum over g with p(g) > 0 of p(g) log(p(g) / q~(g)),
 *     q~ = (1 - alpha) q + alpha p
 *
 * (alpha = 0.01 in the paper keeps it finite; an empty list has
 * q~ = alpha p, so KL = log(1 / alpha)). A user without a target (no
 * history item with a genre) has KL = 0 for every list.
 *
 * The re-ranking is the paper's greedy one: from an empty list, each step
 * appends the candidate that maximises
 *
 *     (1 - lambda) sum over i in I of s(i)  -  lambda KL(p || q~(I))
 *
 * the earlier candidate on a tie. Logs are natural; sums run over genres
 * in ascending index order, so results are the same on every run. */
#ifndef LMREC_CALIBRATE_H
#define LMREC_CALIBRATE_H

#include <stddef.h>
#include <stdint.h>

struct lmrec_catalog;
struct lmrec_ids;

/* The paper's smoothing. */
#define LMREC_CALIB_ALPHA 0.01

/* Genres of items, by item index: item i has the distinct genres
 * genre[ptr[i]] .. genre[ptr[i + 1] - 1], ascending, each with the share
 * 1 / (ptr[i + 1] - ptr[i]). Items at or beyond n have none. */
struct lmrec_genres {
	size_t n;            /* items indexed */
	size_t ng;           /* genres: indices 0 .. ng-1 */
	uint64_t *ptr;       /* (n + 1) */
	uint32_t *genre;     /* (ptr[n]) */
};

/* The genres of the items of the dictionary items (its indices as they
 * are now), from the catalog c: its category column when key is NULL,
 * else every value of the attribute key ("genre" for genre=Action;
 * genre=Drama). Items of the dictionary that the catalog lacks, or that
 * have no such field, have no genre. Free with lmrec_genres_free. */
void lmrec_genres_from_catalog(struct lmrec_genres *gs, const struct lmrec_catalog *c,
			       const char *key, const struct lmrec_ids *items);
void lmrec_genres_free(struct lmrec_genres *gs);
/* Number of items that have at least one genre. */
size_t lmrec_genres_count_items(const struct lmrec_genres *gs);

/* One user's state during a greedy re-ranking: the target p and the list
 * built so far. Scratch is allocated once, by init, for ng genres. */
struct lmrec_calib {
	const struct lmrec_genres *gs;
	double alpha;
	double *p;       /* (ng) target, 0 outside its support */
	double *q;       /* (ng) summed genre shares of the list's items */
	double *extra;   /* (ng) scratch, all 0 between calls */
	uint32_t *supp;  /* (nsupp) genres with p > 0, ascending */
	size_t nsupp;
	uint32_t *qg;    /* (nqg) genres with q > 0, to clear them */
	size_t nqg;
	size_t m;        /* items of the list that have a genre */
};

void lmrec_calib_init(struct lmrec_calib *c, const struct lmrec_genres *gs, double alpha);
void lmrec_calib_free(struct lmrec_calib *c);
/* Sets the target from a history of n item indices (a repeated item counts
 * each time: pass distinct items for the paper's p) and empties the list.
 * Returns the number of history items that have a genre; 0 means no
 * target, and every divergence is then 0. */
size_t lmrec_calib_target(struct lmrec_calib *c, const uint32_t *hist, size_t n);
/* KL(p || q~) of the list as it is. */
double lmrec_calib_kl(const struct lmrec_calib *c);
/* KL(p || q~) of the list with item appended; the list is unchanged. An
 * item without a genre leaves it as it is. */
double lmrec_calib_kl_with(struct lmrec_calib *c, uint32_t item);
/* Appends item to the list. */
void lmrec_calib_add(struct lmrec_calib *c, uint32_t item);

/* The greedy re-ranking of n candidates (item indices items, relevance
 * rel) under the target already set: writes up to top positions (indices
 * into items) to pick, in the order chosen, and returns their count
 * (min(top, n)). lambda in [0, 1]; 0 keeps the relevance order (the
 * earlier of equal scores first). Empties the list first, and leaves the
 * chosen items in it. */
size_t lmrec_calib_rerank(struct lmrec_calib *c, const uint32_t *items, const double *rel,
			  size_t n, size_t top, double lambda, size_t *pick);

#endif

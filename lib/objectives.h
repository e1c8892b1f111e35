/* lmrec — the objectives of a recommendation list beyond relevance, and
 * the score of a finished list on each of them (lmrec-rank --discovery,
 * --value, --objectives-out).
 *
 * Discovery. An item's genres are those of lib/calibrate.h (the category,
 * or the values of one attribute). A genre is new to a user when no item
 * of the user's history has it. The discovery of an item is the share of
 * its genres that are new:
 *
 *     new(i) = |G(i) minus G(H)| / |G(i)|,   0 when G(i) is empty
 *
 * (1 or 0 for an item of one category); a user without history has every
 * genre new.
 *
 * Business value. An attribute value is a number, or one of the ordinal
 * words low, mid, high (0, 0.5, 1) and free (0). Numbers are scaled to
 * [0, 1] over the catalog by min-max, (v - min) / (max - min), and are all
 * 1 when max = min; words are used as they are. An item without the value
 * is worth 0.
 *
 * The scores of a list L of n items, each in [0, 1] (NAN when undefined):
 *
 *     relevance   = mean over i in L of (s(i) - smin) / (smax - smin)
 *                   (1 for every item when smax = smin), s the item's
 *                   score and smin, smax over the candidates the list was
 *                   chosen from
 *     diversity   = mean over pairs {i, j} of L with a known distance of
 *                   d(i, j) (NAN without such a pair)
 *     discovery   = mean over i in L of new(i)
 *     value       = mean over i in L of value(i)
 *     calibration = 1 - KL(p || q~) / log(1 / alpha), KL as in
 *                   lib/calibrate.h (NAN for a user without a target)
 *
 * Every mean runs over the list in order, so results are the same on
 * every run. */
#ifndef LMREC_OBJECTIVES_H
#define LMREC_OBJECTIVES_H

#include <stddef.h>
#include <stdint.h>

struct lmrec_genres;
struct lmrec_calib;

/* ---- business value ---- */

enum { LMREC_VALUE_NUMBER = 0, LMREC_VALUE_WORD = 1 };

/* Parses one attribute value p[0..len): LMREC_VALUE_NUMBER with the
 * number (finite) in *out, LMREC_VALUE_WORD with the word's level in *out,
 * or -1 when it is neither. */
int lmrec_value_parse(const char *p, size_t len, double *out);

/* Scales the numbers v[i] with has[i] set to [0, 1] by min-max over them
 * (all 1 when they are equal); the others become 0. */
void lmrec_value_scale(double *v, const unsigned char *has, size_t n);

/* ---- discovery ---- */

/* One user's known genres, for the genres gs. */
struct lmrec_novelty {
	const struct lmrec_genres *gs;
	unsigned char *seen; /* (ng) 1 for a genre of the history */
	uint32_t *marked;    /* (nmarked) the genres set, to clear them */
	size_t nmarked;
};

void lmrec_novelty_init(struct lmrec_novelty *d, const struct lmrec_genres *gs);
void lmrec_novelty_free(struct lmrec_novelty *d);
/* The known genres: those of the n history items hist (item indices;
 * items without a genre, or beyond the table, bring none). */
void lmrec_novelty_target(struct lmrec_novelty *d, const uint32_t *hist, size_t n);
/* new(item) as above. */
double lmrec_novelty_of(const struct lmrec_novelty *d, uint32_t item);

/* ---- the scores of a list ---- */

/* The distance of two items (0 for the same; lmrec-rank's is 1 - cosine,
 * or 0/1 by category), or NAN when it is unknown. */
typedef double lmrec_distance_fn(const void *ctx, uint32_t a, uint32_t b);

struct lmrec_objlist {
	const uint32_t *items;   /* (n) the list, in order */
	const double *score;     /* (n) each item's score */
	size_t n;
	double smin, smax;       /* over the candidates */
	lmrec_distance_fn *dist; /* NULL: diversity NAN */
	const void *dist_ctx;
	const struct lmrec_novelty *novelty; /* target set; NULL: discovery NAN */
	const double *value;     /* (nvalue) by item index; NULL: value NAN */
	size_t nvalue;           /* items at or beyond it are worth 0 */
	struct lmrec_calib *calib; /* NULL: calibration NAN; its list is replaced */
	const uint32_t *hist;    /* (nhist) the user's history, for calib */
	size_t nhist;
};

struct lmrec_objscore {
	double relevance, diversity, discovery, value, calibration;
};

/* The scores of the list l as defined above; n = 0 gives all NAN. The
 * calibration state, when given, gets the target of hist and the list. */
void lmrec_objectives_score(const struct lmrec_objlist *l, struct lmrec_objscore *out);

#endif

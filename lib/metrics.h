/* lmrec — ranking and exposure metrics (lmrec-eval(1) defines them).
 *
 * Accuracy is per user: a ranked list of item indices against the user's
 * held-out items. Exposure (coverage, Gini) is over the whole catalog.
 * Everything accumulates in double. */
#ifndef LMREC_METRICS_H
#define LMREC_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct lmrec_rng;

/* Accuracy of one list at cut-off k. */
struct lmrec_user_metrics {
	double hr;        /* 1 if any held-out item is in the first k */
	double recall;    /* hits / min(k, m) */
	double precision; /* hits / k */
	double ndcg;      /* DCG / ideal DCG, binary gains, log2(rank + 2) */
	double mrr;       /* 1 / (rank of the first hit + 1), 0 without a hit */
	double map;       /* sum of precision at each hit / min(k, m) */
};

/* list: (len) item indices, best first, without repeats; truth: (m) item
 * indices sorted ascending, without repeats, m > 0. */
void lmrec_metrics_user(const uint32_t *list, size_t len, const uint32_t *truth, size_t m,
			size_t k, struct lmrec_user_metrics *out);

/* Rank (0-based) a held-out item would have among sampled negatives, from
 * the list alone: the number of negatives listed before it; an item
 * missing from the list ranks after every negative (pessimistic). pos is
 * the position of each listed item (UINT32_MAX when unlisted). */
size_t lmrec_metrics_sampled_rank(const uint32_t *pos, uint32_t target, const uint32_t *neg,
				  size_t nneg);

/* Gini index of non-negative exposure counts (n items, never-shown ones
 * included as zeros): 0 when even, (n-1)/n when one item takes all.
 * x is sorted in place. */
double lmrec_gini(double *x, size_t n);

/* 1 / log2(i + 2), the discount of 0-based rank i. */
double lmrec_discount(size_t i);

/* Percentile bootstrap of the means of several per-user series at once
 * (paired: each replicate draws one resample of users for all series).
 * vals: (nseries * n) row-major; lo, hi: (nseries) outputs. */
void lmrec_bootstrap_ci(const double *vals, size_t nseries, size_t n, size_t reps, double level,
			uint64_t seed, double *lo, double *hi);

#endif

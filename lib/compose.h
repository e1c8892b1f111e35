/* lmrec — composing a list item by item (lmrec-generate): a beam search
 * over what fits next, under hard constraints.
 *
 * The problem is a set of n candidates and a list length. A list's score
 * is the sum of its items' gains, and the gain of candidate i when it
 * joins a list L (the items before it) is
 *
 *     gain(i | L) = base(i) + coh(i | L) + seq(i | L)
 *
 *     coh(i | L)  = mean of pair(j, i) over j in L and the context items
 *                   (0 when both are empty)
 *
 * base is what does not depend on the list (the caller's relevance,
 * request and recency terms), pair a matrix the caller fills (co-occurrence
 * and similarity, already weighted), seq an optional callback that scores
 * every candidate after each partial list (a sequence model).
 *
 * Hard constraints: no candidate twice; at most length items; the costs
 * sum to at most the budget (a step is first refused when the cost so far,
 * the candidate's and the cheapest candidate's times the places still to
 * fill would pass it, so that the budget lasts the list; when that leaves
 * no step at all, only the budget itself is checked); counters (a candidate increments some, each has a
 * limit: "one item per category", "at most 3 of one mood"); and a class per
 * position (itineraries alternate places and meals). The first items may
 * be fixed (a seed): they are taken as they are, constraints unchecked,
 * and count against the others. Context items count against the counters
 * too (a kit around a jacket the user owns takes no other jacket), but not
 * against the length or the budget.
 *
 * Each step extends every list of the beam by every feasible candidate and
 * keeps the `beam` best extensions: higher score first, then the list
 * whose items come first in `order` position by position (so ties go to
 * the smaller ids and the result is fully determined); with `unordered`,
 * a list holding the same items as a better one kept is dropped (bundles:
 * one set, one list). The search stops when the lists reach the length or
 * none can be extended; the result is the best list of the last step, so
 * a list is shorter than asked only when no list of the beam could grow.
 * A beam of 1 is greedy selection. No allocation happens in the steps
 * once the composer has grown to the problem's size. */
#ifndef LMREC_COMPOSE_H
#define LMREC_COMPOSE_H

#include <stddef.h>
#include <stdint.h>

struct lmrec_compose_cand {
	double base;           /* the list-independent part of the gain */
	double cost;           /* what it takes from the budget (>= 0) */
	int32_t cls;           /* class for the positions' pattern; -1 none */
	uint32_t order;        /* tie-break: the smaller first */
	uint32_t ncount;       /* counters it increments */
	const uint32_t *count; /* (ncount) counter indices, each < the problem's ncounters */
};

/* Fills out (nstates, n), row s the seq term of every candidate after the
 * list lists + s * stride of lens[s] candidate indices. */
typedef void (*lmrec_compose_seq_fn)(void *ctx, const uint32_t *lists, size_t stride, const size_t *lens,
				     size_t nstates, float *out);

struct lmrec_compose {
	size_t n;                            /* candidates */
	const struct lmrec_compose_cand *c;  /* (n) */
	const float *pair;                   /* (n + nctx, n): row j, column i; rows n.. the context's */
	size_t nctx;                         /* context items: coherence without being in the list */
	const uint32_t *ctx_count;           /* (nctx_count) the counters the context increments */
	size_t nctx_count;
	size_t ncounters;
	const uint32_t *limit;               /* (ncounters) */
	size_t length;                       /* items wanted, >= 1 */
	size_t beam;                         /* lists kept a step, >= 1 */
	double budget;                       /* INFINITY for none */
	const int32_t *cls_at;               /* (length) the class position p needs, -1 any; NULL: none */
	const uint32_t *prefix;              /* (nprefix) fixed first candidates */
	size_t nprefix;
	int unordered;                       /* 1: one list per set of items */
	lmrec_compose_seq_fn seq;            /* NULL: no seq term */
	void *seq_ctx;
};

/* The best list found: valid until the next run or the free. */
struct lmrec_compose_result {
	size_t len;
	const uint32_t *item; /* (len) candidate indices in list order */
	const double *gain;   /* (len) each item's gain when it joined */
	const double *coh;    /* (len) its coh part */
	const double *seq;    /* (len) its seq part (0 without a seq term) */
	double score;         /* the sum of the gains */
	size_t steps;         /* steps the search took */
};

struct lmrec_composer;
struct lmrec_composer *lmrec_composer_new(void);
void lmrec_composer_free(struct lmrec_composer *k);
/* Runs the search; the result's arrays belong to k. */
void lmrec_compose_run(struct lmrec_composer *k, const struct lmrec_compose *p, struct lmrec_compose_result *r);

#endif

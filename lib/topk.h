/* lmrec — top-k selection: the k best (index, score) pairs of a stream.
 *
 * "Better" is a higher score, then a smaller index, so the result is fully
 * determined by its input whatever the order of pushes. A bounded min-heap
 * keeps the worst kept pair at its root: a push that cannot enter costs one
 * comparison. NaN scores are ignored. */
#ifndef LMREC_TOPK_H
#define LMREC_TOPK_H

#include <stddef.h>
#include <stdint.h>

struct lmrec_topk {
	size_t k, n;
	uint32_t *idx; /* (k) heap of kept indices */
	float *score;  /* (k) their scores */
	float *aux;    /* (auxcap) scratch of lmrec_topk_scan */
	size_t auxcap;
};

void lmrec_topk_init(struct lmrec_topk *t, size_t k);
void lmrec_topk_free(struct lmrec_topk *t);
static inline void lmrec_topk_reset(struct lmrec_topk *t) { t->n = 0; }

static inline int lmrec_topk_better(float sa, uint32_t ia, float sb, uint32_t ib)
{
	return sa > sb || (sa == sb && ia < ib);
}

void lmrec_topk_push_slow(struct lmrec_topk *t, uint32_t idx, float score);
static inline void lmrec_topk_push(struct lmrec_topk *t, uint32_t idx, float score)
{
	if (t->n == t->k && !lmrec_topk_better(score, idx, t->score[0], t->idx[0]))
		return;
	lmrec_topk_push_slow(t, idx, score);
}
/* Lowest score still kept (-INFINITY until k pairs are held): a caller may
 * skip anything below it. */
float lmrec_topk_threshold(const struct lmrec_topk *t);
/* Pushes (i, s[i]) for i in [0, n): the same result as n pushes, faster on
 * long rows. It first takes the k-th largest of the maxima of blocks of 16
 * scores, a lower bound of the k-th largest score, and then pushes only the
 * scores of blocks that reach it. */
void lmrec_topk_scan(struct lmrec_topk *t, const float *s, size_t n);
/* Sorts the kept pairs best first in place (the heap is then spent);
 * returns how many there are. */
size_t lmrec_topk_sort(struct lmrec_topk *t);

#endif

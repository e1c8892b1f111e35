/* lmrec — top-k selection (see topk.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "topk.h"
#include "util.h"

void lmrec_topk_init(struct lmrec_topk *t, size_t k)
{
	t->k = k;
	t->n = 0;
	t->idx = lmrec_xcalloc(k ? k : 1, sizeof *t->idx);
	t->score = lmrec_xcalloc(k ? k : 1, sizeof *t->score);
	t->aux = NULL;
	t->auxcap = 0;
}

void lmrec_topk_free(struct lmrec_topk *t)
{
	free(t->idx);
	free(t->score);
	free(t->aux);
	t->idx = NULL;
	t->score = NULL;
	t->aux = NULL;
	t->auxcap = 0;
	t->n = t->k = 0;
}

/* Heap order: parent is worse than (not better than) its children. */
static void sift_down(uint32_t *idx, float *sc, size_t n, size_t i)
{
	uint32_t xi = idx[i];
	float xs = sc[i];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && lmrec_topk_better(sc[c], idx[c], sc[c + 1], idx[c + 1]))
			c++; /* the worse child */
		if (!lmrec_topk_better(xs, xi, sc[c], idx[c]))
			break;
		idx[i] = idx[c];
		sc[i] = sc[c];
		i = c;
	}
	idx[i] = xi;
	sc[i] = xs;
}

void lmrec_topk_push_slow(struct lmrec_topk *t, uint32_t idx, float score)
{
	if (t->k == 0 || isnan(score))
		return;
	if (t->n < t->k) {
		size_t i = t->n++;
		while (i > 0) {
			size_t p = (i - 1) / 2;
			if (!lmrec_topk_better(t->score[p], t->idx[p], score, idx))
				break;
			t->idx[i] = t->idx[p];
			t->score[i] = t->score[p];
			i = p;
		}
		t->idx[i] = idx;
		t->score[i] = score;
		return;
	}
	if (!lmrec_topk_better(score, idx, t->score[0], t->idx[0]))
		return;
	t->idx[0] = idx;
	t->score[0] = score;
	sift_down(t->idx, t->score, t->n, 0);
}

float lmrec_topk_threshold(const struct lmrec_topk *t)
{
	return t->n < t->k ? -INFINITY : t->score[0];
}

size_t lmrec_topk_sort(struct lmrec_topk *t)
{
	/* Heap sort: repeatedly move the worst to the end. */
	size_t n = t->n;
	for (size_t end = n; end > 1; end--) {
		uint32_t ti = t->idx[0];
		float ts = t->score[0];
		t->idx[0] = t->idx[end - 1];
		t->score[0] = t->score[end - 1];
		t->idx[end - 1] = ti;
		t->score[end - 1] = ts;
		sift_down(t->idx, t->score, end - 1, 0);
	}
	return n;
}

#define SCAN_BLOCK 16

/* The largest of s[0..SCAN_BLOCK), NaN left out (-INFINITY if all are). */
/* The largest of s[0..SCAN_BLOCK), NaN left out (-INFINITY if all are).
 * Eight independent chains, then a tree: five steps deep instead of
 * sixteen. A chain starts at -INFINITY and a NaN never compares greater,
 * so no NaN gets in. */
static float block_max(const float *s)
{
	float m[8];
	for (size_t j = 0; j < 8; j++) {
		float a = s[j] > -INFINITY ? s[j] : -INFINITY;
		m[j] = s[j + 8] > a ? s[j + 8] : a;
	}
	for (size_t j = 0; j < 4; j++)
		m[j] = m[j] > m[j + 4] ? m[j] : m[j + 4];
	m[0] = m[0] > m[2] ? m[0] : m[2];
	m[1] = m[1] > m[3] ? m[1] : m[3];
	return m[0] > m[1] ? m[0] : m[1];
}

static int cmp_desc(const void *pa, const void *pb)
{
	float a = *(const float *)pa, b = *(const float *)pb;
	return a > b ? -1 : a < b;
}

/* The k-th largest of a[0..n) (k <= n, no NaN), selected in the copy w (n)
 * by quickselect with a median-of-three pivot; -INFINITY values count.
 * Inputs that defeat the pivot (a median-of-3 killer) would make it
 * quadratic: once the partitions have gone over 6n elements in all, the
 * range left is sorted instead, so the worst case is O(n log n). */
static float kth_largest(float *w, const float *a, size_t n, size_t k)
{
	memcpy(w, a, n * sizeof *w);
	size_t lo = 0, hi = n - 1, want = k - 1; /* index in descending order */
	size_t work = 0;
	while (lo < hi) {
		work += hi - lo + 1;
		if (work > 6 * n) {
			qsort(w + lo, hi - lo + 1, sizeof *w, cmp_desc);
			break;
		}
		size_t mid = lo + (hi - lo) / 2;
		float x = w[lo], y = w[mid], z = w[hi];
		float pivot = x > y ? (y > z ? y : (x > z ? z : x)) : (x > z ? x : (y > z ? z : y));
		size_t i = lo, j = hi;
		while (i <= j) { /* descending: big values to the left */
			while (w[i] > pivot)
				i++;
			while (w[j] < pivot)
				j--;
			if (i <= j) {
				float tmp = w[i];
				w[i] = w[j];
				w[j] = tmp;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (want <= j && j != (size_t)-1)
			hi = j;
		else if (want >= i)
			lo = i;
		else
			break; /* between j and i: equal to the pivot */
	}
	return w[want];
}

/* Pushes the scores of s[from, to) that reach *th, which rises with the
 * heap's threshold but never drops below lower. */
static void push_range(struct lmrec_topk *t, const float *s, size_t from, size_t to, float *th,
		       float lower)
{
	for (size_t j = from; j < to; j++)
		if (s[j] >= *th) {
			lmrec_topk_push(t, (uint32_t)j, s[j]);
			float h = lmrec_topk_threshold(t);
			*th = h > lower ? h : lower;
		}
}

void lmrec_topk_scan(struct lmrec_topk *t, const float *s, size_t n)
{
	float th = lmrec_topk_threshold(t);
	size_t nb = n / SCAN_BLOCK;
	if (t->k == 0)
		return;
	if (nb < 4 * t->k) { /* too short for the bound to pay */
		push_range(t, s, 0, n, &th, -INFINITY);
		return;
	}
	if (t->auxcap < 2 * nb) { /* block maxima, then a copy to select in */
		free(t->aux);
		t->aux = lmrec_xcalloc(2 * nb, sizeof *t->aux);
		t->auxcap = 2 * nb;
	}
	/* k block maxima are k distinct scores: the k-th largest maximum is at
	 * most the k-th largest score, so nothing below it can enter */
	for (size_t b = 0; b < nb; b++)
		t->aux[b] = block_max(s + b * SCAN_BLOCK);
	float lower = kth_largest(t->aux + nb, t->aux, nb, t->k);
	/* the lower bound may exceed the heap's own threshold until it is
	 * full: it stays the floor of th throughout */
	if (lower > th)
		th = lower;
	for (size_t b = 0; b < nb; b++)
		if (t->aux[b] >= th)
			push_range(t, s, b * SCAN_BLOCK, (b + 1) * SCAN_BLOCK, &th, lower);
	push_range(t, s, nb * SCAN_BLOCK, n, &th, lower);
}

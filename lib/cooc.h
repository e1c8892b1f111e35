/* lmrec — co-occurrence counts of items over users, with each user's
 * contribution bounded: what lmrec-similar's counted lists and popularity
 * list are made of, and what its differential privacy rests on.
 *
 * A user counts once for each distinct item they took (n_i: the users of
 * item i) and once for each pair of them (c_ij: the users of both). With a
 * cap k > 0, a user with more than k items counts only k of them: the k with
 * the smallest keys lmrec_cooc_key(seed, user, item), ties by item index. The
 * choice is a function of the seed and of the user's own rows alone, so
 * adding or removing a user changes no other user's items, and the vector
 * (n, c) moves by at most k + k(k-1)/2 in L1 and by the square root of that
 * in L2 (lmrec_dp_cooc_sensitivity). A sample drawn from one stream in user
 * order would not have that property: one more user would shift every later
 * user's draws. */
#ifndef LMREC_COOC_H
#define LMREC_COOC_H

#include <stddef.h>
#include <stdint.h>

#include "csr.h"
#include "dp.h"
#include "topk.h"

struct lmrec_cooc {
	size_t nu, ni;
	struct lmrec_csr ui; /* (nu, ni) the items each user counts, binary */
	struct lmrec_csr iu; /* (ni, nu) its transpose: the users of each item */
	uint64_t dropped;    /* (user, item) pairs the cap left out */
};

/* The key that orders a user's items for the cap; user_hash and item_hash
 * are lmrec_hash64 of the ids. */
uint64_t lmrec_cooc_key(uint64_t seed, uint64_t user_hash, uint64_t item_hash);

/* Counts from ui, the (users, items) matrix (its values are ignored: a
 * stored entry is an item the user took), with user_hash (nu) and item_hash
 * (ni); cap 0 keeps every item. */
void lmrec_cooc_build(struct lmrec_cooc *c, const struct lmrec_csr *ui, const uint64_t *user_hash,
		      const uint64_t *item_hash, size_t cap, uint64_t seed);
void lmrec_cooc_free(struct lmrec_cooc *c);

/* n_i. */
static inline uint64_t lmrec_cooc_n(const struct lmrec_cooc *c, uint32_t i)
{
	return c->iu.ptr[i + 1] - c->iu.ptr[i];
}

/* Row i of c: count[j] = c_ij for every j != i with c_ij > 0, those j
 * (in no particular order) in touched[0..returned). count (ni) must be 0
 * everywhere on entry; the caller sets count[j] back to 0 for the touched
 * j before the next row. */
size_t lmrec_cooc_row(const struct lmrec_cooc *c, uint32_t i, uint32_t *count, uint32_t *touched);

/* What is released of the counts, and the similarity of the released
 * pairs. Every count is released through lmrec_dp_count (noised, rounded,
 * at least 0; exact without dp): item i's as entry i of stream
 * LMREC_COOC_STREAM_ITEMS, pair (a, b), a < b, as entry a ni + b of
 * LMREC_COOC_STREAM_PAIRS. An item or pair whose released count is below
 * threshold is suppressed: after the noise, as post-processing, so the
 * suppression costs no privacy (deciding on the true count would: whether a
 * pair is listed would then tell that its count reached the threshold). A
 * released pair's similarity is the cosine of the released counts with a
 * shrinkage s:
 *     min(c~_ij, n~_i, n~_j) / (sqrt(n~_i n~_j) + s)
 * (the min caps at 1 a cosine that the noise pushed above; without noise it
 * changes nothing, and the value is item-kNN's cosine exactly). */
enum { LMREC_COOC_STREAM_ITEMS = 1, LMREC_COOC_STREAM_PAIRS = 2 };

struct lmrec_cooc_release {
	const struct lmrec_cooc *c;
	const struct lmrec_dp *dp;   /* NULL: exact counts */
	uint64_t threshold;          /* at least 1 */
	double shrink;
	const unsigned char *banned; /* (ni) items never listed, or NULL */
	int64_t *n;                  /* (ni) released item counts, made by _items */
	unsigned char *listed;       /* (ni) 1: released and not banned */
	uint64_t items_suppressed;   /* items with a released count in [1, threshold) */
};

/* Releases the item counts into r->n and r->listed (allocated here; free
 * with lmrec_cooc_release_free). */
void lmrec_cooc_release_items(struct lmrec_cooc_release *r);
void lmrec_cooc_release_free(struct lmrec_cooc_release *r);
/* Pushes (j, similarity) into top for every listed j != i whose pair with i
 * is released: with noise every listed j is a candidate (a pair nobody took
 * may be released), without it only those with c_ij > 0. count and touched
 * (ni each) are scratch, count zero on entry and on return. Adds to
 * *suppressed the pairs (i, j), j > i, both listed, whose released count is
 * in [1, threshold). Nothing when i is not listed. */
void lmrec_cooc_release_row(const struct lmrec_cooc_release *r, uint32_t i, struct lmrec_topk *top, uint32_t *count,
			    uint32_t *touched, uint64_t *suppressed);

#endif

/* Unit tests of lib/topk.c against a slow full sort (score descending,
 * index ascending), on random inputs with many ties. */
#include <math.h>

#include "check.h"

struct pair {
	uint32_t idx;
	float score;
};

static int ref_cmp(const void *pa, const void *pb)
{
	const struct pair *a = pa, *b = pb;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* The reference: drop NaN, sort everything, keep the first k. */
static size_t ref_topk(const struct pair *in, size_t n, size_t k, struct pair *out)
{
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (!isnan(in[i].score))
			out[m++] = in[i];
	qsort(out, m, sizeof *out, ref_cmp);
	return m < k ? m : k;
}

static size_t run_topk(const struct pair *in, size_t n, int slow_only,
		       struct lmrec_topk *t)
{
	lmrec_topk_reset(t);
	for (size_t i = 0; i < n; i++) {
		if (slow_only)
			lmrec_topk_push_slow(t, in[i].idx, in[i].score);
		else
			lmrec_topk_push(t, in[i].idx, in[i].score);
	}
	return lmrec_topk_sort(t);
}

static void test_against_full_sort(void)
{
	struct lmrec_rng r;
	lmrec_rng_seed(&r, 17);
	size_t bad = 0, cases = 0;
	struct pair *in = lmrec_xmalloc(3000 * sizeof *in), *ref = lmrec_xmalloc(3000 * sizeof *ref);
	for (int t = 0; t < 3000; t++) {
		size_t n = (size_t)lmrec_rng_below(&r, t < 100 ? 8 : 3000);
		size_t k = (size_t)lmrec_rng_below(&r, n + 5); /* k = 0 and k > n included */
		uint64_t levels = 1 + lmrec_rng_below(&r, 6); /* few distinct scores: many ties */
		for (size_t i = 0; i < n; i++) {
			/* distinct indices, pushed in a random order */
			in[i].idx = (uint32_t)(i * 7 + 3);
			uint64_t v = lmrec_rng_below(&r, levels + 2);
			in[i].score = v == levels ? NAN
				      : v == levels + 1 ? (lmrec_rng_below(&r, 2) ? INFINITY : -INFINITY)
							: (float)v * 0.5f - 1.0f;
		}
		for (size_t i = n; i > 1; i--) {
			size_t j = (size_t)lmrec_rng_below(&r, i);
			struct pair tmp = in[i - 1];
			in[i - 1] = in[j];
			in[j] = tmp;
		}
		size_t want = ref_topk(in, n, k, ref);
		for (int slow = 0; slow < 2; slow++) {
			struct lmrec_topk tk;
			lmrec_topk_init(&tk, k);
			size_t got = run_topk(in, n, slow, &tk);
			int ok = got == want;
			for (size_t i = 0; ok && i < got; i++)
				ok = tk.idx[i] == ref[i].idx && tk.score[i] == ref[i].score;
			if (!ok && bad < 5)
				printf("# n=%zu k=%zu levels=%" PRIu64 ": got %zu, want %zu\n", n, k,
				       levels, got, want);
			bad += !ok;
			cases++;
			lmrec_topk_free(&tk);
		}
	}
	CHECK_U64(bad, 0);
	CHECK_U64(cases, 6000);
	free(in);
	free(ref);
}

static void test_edges(void)
{
	struct lmrec_topk t;
	lmrec_topk_init(&t, 0); /* k = 0 keeps nothing */
	lmrec_topk_push(&t, 1, 5.0f);
	lmrec_topk_push_slow(&t, 2, 6.0f);
	CHECK_U64(lmrec_topk_sort(&t), 0);
	lmrec_topk_free(&t);
	CHECK(t.idx == NULL && t.score == NULL);

	lmrec_topk_init(&t, 3);
	CHECK(lmrec_topk_threshold(&t) == -INFINITY);
	lmrec_topk_push(&t, 9, NAN); /* ignored, even when there is room */
	CHECK_U64(t.n, 0);
	lmrec_topk_push(&t, 4, 1.0f);
	lmrec_topk_push(&t, 2, 3.0f);
	CHECK(lmrec_topk_threshold(&t) == -INFINITY); /* not full yet */
	lmrec_topk_push(&t, 7, 2.0f);
	CHECK(lmrec_topk_threshold(&t) == 1.0f); /* full: the worst kept */
	lmrec_topk_push(&t, 8, 1.0f);           /* ties the worst, larger index: out */
	CHECK(lmrec_topk_threshold(&t) == 1.0f);
	lmrec_topk_push(&t, 1, 1.0f); /* ties the worst, smaller index: in */
	lmrec_topk_push(&t, 5, NAN);
	lmrec_topk_push(&t, 6, 2.5f);
	CHECK(lmrec_topk_threshold(&t) == 2.0f);
	CHECK_U64(lmrec_topk_sort(&t), 3);
	CHECK(t.idx[0] == 2 && t.idx[1] == 6 && t.idx[2] == 7);
	CHECK(t.score[0] == 3.0f && t.score[1] == 2.5f && t.score[2] == 2.0f);
	/* reset reuses the arrays */
	lmrec_topk_reset(&t);
	lmrec_topk_push(&t, 3, -1.0f);
	CHECK_U64(lmrec_topk_sort(&t), 1);
	CHECK_U64(t.idx[0], 3);
	lmrec_topk_free(&t);

	/* infinities are scores like any other; k > n returns n, best first */
	lmrec_topk_init(&t, 10);
	lmrec_topk_push(&t, 0, -INFINITY);
	lmrec_topk_push(&t, 1, INFINITY);
	lmrec_topk_push(&t, 2, 0.0f);
	lmrec_topk_push(&t, 3, -0.0f); /* equal to 0: the index decides */
	CHECK_U64(lmrec_topk_sort(&t), 4);
	CHECK(t.idx[0] == 1 && t.idx[1] == 2 && t.idx[2] == 3 && t.idx[3] == 0);
	lmrec_topk_free(&t);
}

static void test_threshold_skip(void)
{
	/* a caller that skips scores below the threshold gets the same result */
	struct lmrec_rng r;
	lmrec_rng_seed(&r, 4);
	enum { N = 100000, K = 50 };
	float *s = lmrec_xmalloc(N * sizeof *s);
	for (size_t i = 0; i < N; i++)
		s[i] = (float)lmrec_rng_below(&r, 1000) / 10.0f;
	struct lmrec_topk a, b;
	lmrec_topk_init(&a, K);
	lmrec_topk_init(&b, K);
	size_t skipped = 0;
	for (uint32_t i = 0; i < N; i++) {
		lmrec_topk_push(&a, i, s[i]);
		if (s[i] < lmrec_topk_threshold(&b)) {
			skipped++;
			continue;
		}
		lmrec_topk_push(&b, i, s[i]);
	}
	CHECK(skipped > N / 2);
	CHECK_U64(lmrec_topk_sort(&a), K);
	CHECK_U64(lmrec_topk_sort(&b), K);
	CHECK(memcmp(a.idx, b.idx, K * sizeof *a.idx) == 0);
	CHECK(memcmp(a.score, b.score, K * sizeof *a.score) == 0);
	lmrec_topk_free(&a);
	lmrec_topk_free(&b);
	free(s);
}

int main(void)
{
	lmrec_setprogname("topk");
	CHECK_RUN(test_against_full_sort);
	CHECK_RUN(test_edges);
	CHECK_RUN(test_threshold_skip);
	return check_done();
}

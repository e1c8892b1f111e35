/* Unit tests of lib/topk.c against a slow full sort (score descending,
 * index ascending), on random inputs with many ties; and lmrec_topk_scan
 * against pushing every score one by one. */
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
	CHECK(check_same_bits(a.score, b.score, K * sizeof *a.score));
	lmrec_topk_free(&a);
	lmrec_topk_free(&b);
	free(s);
}

/* ---- lmrec_topk_scan: the same as pushing every score one by one ---- */

/* The heap of pushes: pre (npre pairs) then s[i] for every i. */
static size_t scan_ref(struct lmrec_topk *t, const struct pair *pre, size_t npre, const float *s,
		       size_t n)
{
	lmrec_topk_reset(t);
	for (size_t i = 0; i < npre; i++)
		lmrec_topk_push(t, pre[i].idx, pre[i].score);
	for (size_t i = 0; i < n; i++)
		lmrec_topk_push_slow(t, (uint32_t)i, s[i]);
	return lmrec_topk_sort(t);
}

static size_t scan_got(struct lmrec_topk *t, const struct pair *pre, size_t npre, const float *s,
		       size_t n)
{
	lmrec_topk_reset(t);
	for (size_t i = 0; i < npre; i++)
		lmrec_topk_push(t, pre[i].idx, pre[i].score);
	lmrec_topk_scan(t, s, n);
	return lmrec_topk_sort(t);
}

/* 1 when both heaps hold the same sorted pairs (scores compared by bits,
 * so -0 and 0 differ too) and nothing NaN. */
static int same_topk(const struct lmrec_topk *a, size_t na, const struct lmrec_topk *b, size_t nb)
{
	if (na != nb)
		return 0;
	for (size_t i = 0; i < na; i++)
		if (a->idx[i] != b->idx[i] || !check_same_bits(&a->score[i], &b->score[i], sizeof(float)) ||
		    isnan(a->score[i]))
			return 0;
	return 1;
}

static void test_scan_random(void)
{
	struct lmrec_rng r;
	lmrec_rng_seed(&r, 23);
	enum { MAXN = 5000 };
	float *s = lmrec_xmalloc(MAXN * sizeof *s);
	struct pair pre[40];
	size_t bad = 0, cases = 0, long_path = 0, short_path = 0;
	/* one scanner reused across rows, as lmrec-recall does: its scratch
	 * grows and shrinks in use */
	struct lmrec_topk got, want;
	lmrec_topk_init(&got, MAXN + 3);
	lmrec_topk_init(&want, MAXN + 3);
	for (int t = 0; t < 3000; t++) {
		size_t n = (size_t)lmrec_rng_below(&r, t < 1000 ? 200 : MAXN);
		size_t k;
		switch (t % 6) {
		case 0: k = 1; break;
		case 1: k = n; break;
		case 2: k = n + 3; break;
		case 3: k = 0; break;
		default: k = 1 + (size_t)lmrec_rng_below(&r, 1 + n / 64 * (t % 2 ? 1 : 4));
		}
		uint64_t levels = 1 + lmrec_rng_below(&r, t % 5 == 0 ? 3 : 50);
		uint64_t nan_pct = lmrec_rng_below(&r, 4) * 30; /* 0, 30, 60 or 90% NaN */
		for (size_t i = 0; i < n; i++) {
			uint64_t v = lmrec_rng_below(&r, levels + 2);
			if (lmrec_rng_below(&r, 100) < nan_pct)
				s[i] = NAN; /* a seen item */
			else if (v == levels)
				s[i] = -INFINITY;
			else if (v == levels + 1)
				s[i] = lmrec_rng_below(&r, 8) ? -1.0f : INFINITY;
			else
				s[i] = (float)v * 0.25f - 2.0f;
		}
		/* a heap not empty before the scan, half of the time */
		size_t npre = t % 2 ? (size_t)lmrec_rng_below(&r, 40) : 0;
		for (size_t i = 0; i < npre; i++) {
			/* indices inside the row and beyond it */
			pre[i].idx = (uint32_t)lmrec_rng_below(&r, n + 100);
			pre[i].score = (float)lmrec_rng_below(&r, levels + 1) * 0.25f - 2.0f;
		}
		got.k = want.k = k;
		size_t ng = scan_got(&got, pre, npre, s, n);
		size_t nw = scan_ref(&want, pre, npre, s, n);
		int ok = same_topk(&got, ng, &want, nw);
		if (!ok && bad < 5)
			printf("# n=%zu k=%zu levels=%" PRIu64 " nan=%" PRIu64 "%% pre=%zu: got %zu, want %zu\n",
			       n, k, levels, nan_pct, npre, ng, nw);
		bad += !ok;
		cases++;
		if (k && n / 16 >= 4 * k)
			long_path++;
		else
			short_path++;
	}
	got.k = want.k = MAXN + 3;
	lmrec_topk_free(&got);
	lmrec_topk_free(&want);
	free(s);
	CHECK_U64(bad, 0);
	CHECK_U64(cases, 3000);
	CHECK(long_path > 500 && short_path > 500);
}

/* The bound is exact at its edge: nb = 4k blocks takes the long path,
 * nb = 4k - 1 the short one; both right, with the best scores placed so
 * that the k-th best block maximum equals the k-th best score. */
static void test_scan_threshold_edges(void)
{
	struct lmrec_rng r;
	lmrec_rng_seed(&r, 29);
	size_t bad = 0;
	for (size_t k = 1; k <= 9; k++)
		for (int d = -1; d <= 1; d++)
			for (size_t tail = 0; tail < 16; tail += 5) {
				size_t n = (4 * k + (size_t)(d + 1) - 1) * 16 + tail;
				float *s = lmrec_xmalloc((n + 1) * sizeof *s);
				for (size_t i = 0; i < n; i++)
					s[i] = (float)lmrec_rng_below(&r, 4);
				/* the k best: one per block, all equal, and ties for
				 * them in the tail, which is never a block */
				for (size_t b = 0; b < k; b++)
					s[b * 16 + 15 - b % 16] = 9.0f;
				for (size_t i = n - tail; i < n; i++)
					s[i] = 9.0f;
				struct lmrec_topk a, b2;
				lmrec_topk_init(&a, k);
				lmrec_topk_init(&b2, k);
				size_t na = scan_got(&a, NULL, 0, s, n), nw = scan_ref(&b2, NULL, 0, s, n);
				bad += !same_topk(&a, na, &b2, nw);
				lmrec_topk_free(&a);
				lmrec_topk_free(&b2);
				free(s);
			}
	CHECK_U64(bad, 0);
}

/* Scores whose block maxima come in an order of the given pattern: the
 * maximum of block b at one place in it, lower scores or NaN around. */
static void adversarial_row(float *s, size_t n, size_t nb, int pattern)
{
	for (size_t i = 0; i < n; i++) {
		size_t blk = i / 16, h = nb / 2;
		float m;
		switch (pattern) {
		case 0: m = 1.0f; break;                                          /* all equal */
		case 1: m = (float)blk; break;                                    /* ascending */
		case 2: m = (float)(nb - blk); break;                             /* descending */
		case 3: m = blk % 2 ? (float)blk : -(float)blk; break;            /* alternating */
		case 4: m = (float)(blk < h ? blk : nb - blk); break;             /* organ pipe */
		case 5: m = (float)(blk % 2); break;                              /* two values */
		case 6: /* Musser's median-of-3 killer */
			m = blk < h ? (blk % 2 ? (float)(h + blk) : (float)(blk + 1)) : (float)(2 * (blk - h + 1));
			break;
		default: m = NAN; /* every score left out */
		}
		s[i] = i % 16 == (blk * 7) % 16 ? m : (i % 3 ? m - 0.5f : NAN);
	}
}

/* Block maxima in orders that break naive quickselects: all equal, sorted
 * either way, alternating, organ pipe, two values, a median-of-3 killer. */
static void test_scan_adversarial(void)
{
	enum { NB = 4096, N = NB * 16 + 7 };
	float *s = lmrec_xmalloc(N * sizeof *s);
	static const size_t ks[] = {1, 2, 10, 100, NB / 4};
	size_t bad = 0;
	struct lmrec_topk a, b;
	lmrec_topk_init(&a, NB / 4);
	lmrec_topk_init(&b, NB / 4);
	for (int p = 0; p < 8; p++) {
		adversarial_row(s, N, NB, p);
		for (size_t q = 0; q < sizeof ks / sizeof *ks; q++) {
			a.k = b.k = ks[q];
			size_t na = scan_got(&a, NULL, 0, s, N), nw = scan_ref(&b, NULL, 0, s, N);
			int ok = same_topk(&a, na, &b, nw);
			if (!ok)
				printf("# pattern %d, k=%zu: differs from the pushes\n", p, ks[q]);
			bad += !ok;
		}
	}
	a.k = b.k = NB / 4;
	lmrec_topk_free(&a);
	lmrec_topk_free(&b);
	free(s);
	CHECK_U64(bad, 0);
}

/* The scan is never much slower than the pushes it replaces, whatever the
 * order of the block maxima: a quickselect gone quadratic on a median-of-3
 * killer takes ~10 times as long as the pushes over 100000 blocks. Timed
 * against the pushes, not the clock, so it holds under Valgrind too. */
static void test_scan_not_quadratic(void)
{
	enum { NB = 100000, N = NB * 16 };
	float *s = lmrec_xmalloc(N * sizeof *s);
	struct lmrec_topk a, b;
	lmrec_topk_init(&a, NB / 4);
	lmrec_topk_init(&b, NB / 4);
	adversarial_row(s, N, NB, 6);
	double t0 = lmrec_now();
	size_t na = scan_got(&a, NULL, 0, s, N);
	double t_scan = lmrec_now() - t0;
	t0 = lmrec_now();
	size_t nw = scan_ref(&b, NULL, 0, s, N);
	double t_push = lmrec_now() - t0;
	CHECK(same_topk(&a, na, &b, nw));
	printf("# median-of-3 killer, %d scores, k = %d: scan %.4f s, pushes %.4f s\n", N, NB / 4,
	       t_scan, t_push);
	/* a guard against quadratic work, not a speed test: quadratic on 1.6M
	 * scores would be thousands of times slower; 20x leaves room for a
	 * loaded machine */
	CHECK(t_scan < 20 * t_push + 0.05);
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
	CHECK_RUN(test_scan_random);
	CHECK_RUN(test_scan_threshold_edges);
	CHECK_RUN(test_scan_adversarial);
	CHECK_RUN(test_scan_not_quadratic);
	return check_done();
}

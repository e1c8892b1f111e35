/* Unit tests of lib/metrics.c against slow re-implementations of the
 * definitions in metrics.h and lmrec-eval(1): per-user accuracy on random
 * lists, the Gini index as the mean absolute difference, the sampled rank,
 * and the percentile bootstrap. */
#include <math.h>

#include "check.h"

/* ---- lmrec_metrics_user ---- */

static int listed_in(const uint32_t *a, size_t n, uint32_t x)
{
	for (size_t i = 0; i < n; i++) /* linear: the slow way */
		if (a[i] == x)
			return 1;
	return 0;
}

/* The definitions, term by term. */
static void slow_metrics(const uint32_t *list, size_t len, const uint32_t *truth, size_t m,
			 size_t k, struct lmrec_user_metrics *out)
{
	size_t hits = 0, first = SIZE_MAX;
	double dcg = 0, sum_prec = 0;
	for (size_t i = 0; i < len && i < k; i++) {
		if (!listed_in(truth, m, list[i]))
			continue;
		hits++;
		if (first == SIZE_MAX)
			first = i;
		dcg += 1.0 / log2((double)i + 2.0);
		size_t hits_upto = 0; /* precision at rank i + 1 */
		for (size_t j = 0; j <= i; j++)
			hits_upto += listed_in(truth, m, list[j]);
		sum_prec += (double)hits_upto / (double)(i + 1);
	}
	size_t denom = k < m ? k : m;
	double idcg = 0;
	for (size_t i = 0; i < denom; i++)
		idcg += 1.0 / log2((double)i + 2.0);
	out->hr = hits ? 1.0 : 0.0;
	out->recall = denom ? (double)hits / (double)denom : 0.0;
	out->precision = k ? (double)hits / (double)k : 0.0;
	out->ndcg = idcg > 0 ? dcg / idcg : 0.0;
	out->mrr = first == SIZE_MAX ? 0.0 : 1.0 / (double)(first + 1);
	out->map = denom ? sum_prec / (double)denom : 0.0;
}

static int close_to(double a, double b) { return fabs(a - b) <= 1e-12 * (1.0 + fabs(b)); }

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static void test_user_random(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 11);
	enum { NI = 60 };
	uint32_t perm[NI], truth[NI];
	size_t bad = 0, with_hits = 0, without = 0;
	for (int t = 0; t < 5000; t++) {
		size_t ni = 1 + (size_t)lmrec_rng_below(&rng, NI);
		for (uint32_t i = 0; i < ni; i++)
			perm[i] = i;
		lmrec_rng_shuffle_u32(&rng, perm, ni);
		size_t len = (size_t)lmrec_rng_below(&rng, ni + 1); /* the list: distinct items */
		size_t m = 1 + (size_t)lmrec_rng_below(&rng, ni);   /* truth: m > 0, sorted */
		for (size_t i = 0; i < m; i++)
			truth[i] = (uint32_t)lmrec_rng_below(&rng, ni);
		qsort(truth, m, sizeof *truth, cmp_u32);
		size_t u = 0;
		for (size_t i = 0; i < m; i++)
			if (u == 0 || truth[i] != truth[u - 1])
				truth[u++] = truth[i];
		m = u;
		size_t k = (size_t)lmrec_rng_below(&rng, ni + 5); /* k = 0, k > len, k > m */
		struct lmrec_user_metrics got, want;
		lmrec_metrics_user(perm, len, truth, m, k, &got);
		slow_metrics(perm, len, truth, m, k, &want);
		int ok = close_to(got.hr, want.hr) && close_to(got.recall, want.recall) &&
			 close_to(got.precision, want.precision) && close_to(got.ndcg, want.ndcg) &&
			 close_to(got.mrr, want.mrr) && close_to(got.map, want.map);
		if (!ok && bad < 5)
			printf("# len=%zu m=%zu k=%zu: got hr %g recall %g precision %g ndcg %g mrr %g map %g,"
			       " want %g %g %g %g %g %g\n",
			       len, m, k, got.hr, got.recall, got.precision, got.ndcg, got.mrr, got.map,
			       want.hr, want.recall, want.precision, want.ndcg, want.mrr, want.map);
		bad += !ok;
		with_hits += want.hr > 0;
		without += want.hr == 0;
		/* the ranges every metric keeps */
		CHECK(got.recall >= 0 && got.recall <= 1 && got.ndcg >= 0 && got.ndcg <= 1 + 1e-12);
		CHECK(got.map >= 0 && got.map <= 1 + 1e-12 && got.precision <= 1);
	}
	CHECK_U64(bad, 0);
	CHECK(with_hits > 1000 && without > 500);
}

static void test_user_pinned(void)
{
	/* list 7 3 9 1 5, truth {1, 3, 4}, k = 4: hits at ranks 1 and 3 */
	const uint32_t list[] = {7, 3, 9, 1, 5}, truth[] = {1, 3, 4};
	struct lmrec_user_metrics r;
	lmrec_metrics_user(list, 5, truth, 3, 4, &r);
	CHECK(r.hr == 1.0);
	CHECK(close_to(r.recall, 2.0 / 3.0));
	CHECK(close_to(r.precision, 0.5));
	double dcg = 1 / log2(3.0) + 1 / log2(5.0), idcg = 1 + 1 / log2(3.0) + 1 / log2(4.0);
	CHECK(close_to(r.ndcg, dcg / idcg));
	CHECK(close_to(r.mrr, 0.5));
	CHECK(close_to(r.map, (1.0 / 2 + 2.0 / 4) / 3));
	/* k = 1: a miss */
	lmrec_metrics_user(list, 5, truth, 3, 1, &r);
	CHECK(r.hr == 0 && r.recall == 0 && r.precision == 0 && r.ndcg == 0 && r.mrr == 0 && r.map == 0);
	/* an empty list scores 0; precision still divides by k */
	lmrec_metrics_user(list, 0, truth, 3, 10, &r);
	CHECK(r.hr == 0 && r.precision == 0 && r.ndcg == 0);
	/* the whole truth at the top: every metric 1 but precision */
	const uint32_t best[] = {4, 1, 3, 8};
	lmrec_metrics_user(best, 4, truth, 3, 10, &r);
	CHECK(r.hr == 1 && close_to(r.recall, 1) && close_to(r.ndcg, 1) && r.mrr == 1 && close_to(r.map, 1));
	CHECK(close_to(r.precision, 0.3));
	CHECK(lmrec_discount(0) == 1.0);
	CHECK(close_to(lmrec_discount(2), 0.5));
}

/* ---- lmrec_gini ---- */

/* The mean absolute difference: G = sum_i sum_j |x_i - x_j| / (2 n^2 mean). */
static double slow_gini(const double *x, size_t n)
{
	double sum = 0, mad = 0;
	for (size_t i = 0; i < n; i++) {
		sum += x[i];
		for (size_t j = 0; j < n; j++)
			mad += fabs(x[i] - x[j]);
	}
	if (n == 0 || sum <= 0)
		return 0.0;
	double mean = sum / (double)n;
	return mad / (2.0 * (double)n * (double)n * mean);
}

static void test_gini(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 12);
	double x[300], y[300];
	size_t bad = 0;
	for (int t = 0; t < 400; t++) {
		size_t n = (size_t)lmrec_rng_below(&rng, t < 100 ? 6 : 300);
		int zeros = t % 3 == 0; /* never-shown items as zeros */
		for (size_t i = 0; i < n; i++) {
			double v = t % 2 ? (double)lmrec_rng_below(&rng, 20) /* counts, ties */
					 : -log(1.0 - lmrec_rng_double(&rng)) * 50.0; /* skewed */
			x[i] = zeros && lmrec_rng_below(&rng, 2) ? 0.0 : v;
		}
		memcpy(y, x, n * sizeof *x);
		double want = slow_gini(x, n), got = lmrec_gini(y, n);
		if (!(fabs(got - want) <= 1e-12) && bad < 5)
			printf("# n=%zu: got %.17g, want %.17g\n", n, got, want);
		bad += !(fabs(got - want) <= 1e-12);
		for (size_t i = 1; i < n; i++) /* "x is sorted in place" */
			CHECK(y[i - 1] <= y[i]);
	}
	CHECK_U64(bad, 0);
	/* the header's claims: 0 when even, (n - 1) / n when one item has all */
	double even[5] = {3, 3, 3, 3, 3}, one[5] = {0, 0, 7, 0, 0}, none[3] = {0, 0, 0};
	CHECK(fabs(lmrec_gini(even, 5)) <= 1e-15);
	CHECK(fabs(lmrec_gini(one, 5) - 4.0 / 5.0) <= 1e-15);
	CHECK(fabs(slow_gini(one, 5) - 4.0 / 5.0) <= 1e-15);
	CHECK(lmrec_gini(none, 3) == 0.0);
	CHECK(lmrec_gini(NULL, 0) == 0.0);
	/* by hand: {1, 2, 3, 4}: sum |xi - xj| = 20, mean 2.5, n = 4: 20 / 80 = 0.25 */
	double h[4] = {4, 1, 3, 2};
	CHECK(fabs(lmrec_gini(h, 4) - 0.25) <= 1e-15);
}

/* ---- lmrec_metrics_sampled_rank ---- */

static void test_sampled_rank(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 13);
	enum { NI = 50 };
	uint32_t pos[NI], neg[NI], list[NI];
	size_t bad = 0;
	for (int t = 0; t < 2000; t++) {
		size_t len = (size_t)lmrec_rng_below(&rng, NI + 1);
		for (uint32_t i = 0; i < NI; i++)
			list[i] = i;
		lmrec_rng_shuffle_u32(&rng, list, NI);
		for (size_t i = 0; i < NI; i++)
			pos[i] = UINT32_MAX;
		for (size_t i = 0; i < len; i++)
			pos[list[i]] = (uint32_t)i;
		uint32_t target = (uint32_t)lmrec_rng_below(&rng, NI);
		size_t nneg = 0;
		for (uint32_t i = 0; i < NI; i++)
			if (i != target && lmrec_rng_below(&rng, 3) == 0)
				neg[nneg++] = i;
		/* slow: walk the list in order, counting negatives before the
		 * target; unlisted target: after every negative */
		size_t want = nneg;
		size_t seen = 0;
		for (size_t i = 0; i < len; i++) {
			if (list[i] == target) {
				want = seen;
				break;
			}
			seen += listed_in(neg, nneg, list[i]);
		}
		bad += lmrec_metrics_sampled_rank(pos, target, neg, nneg) != want;
	}
	CHECK_U64(bad, 0);
	/* by hand: list 4 2 0, target 0, negatives {2, 3, 4}: 4 and 2 before it */
	uint32_t p[5] = {2, UINT32_MAX, 1, UINT32_MAX, 0}, n[3] = {2, 3, 4};
	CHECK_U64(lmrec_metrics_sampled_rank(p, 0, n, 3), 2);
	CHECK_U64(lmrec_metrics_sampled_rank(p, 4, n + 1, 1), 0); /* 3 unlisted: after */
	CHECK_U64(lmrec_metrics_sampled_rank(p, 1, n, 3), 3);     /* target unlisted */
	CHECK_U64(lmrec_metrics_sampled_rank(p, 0, n, 0), 0);
}

/* ---- lmrec_bootstrap_ci ---- */

static void test_bootstrap(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 14);
	enum { N = 4000 };
	double *v = lmrec_xmalloc((size_t)2 * N * sizeof *v);
	/* two series: skewed (mostly 0, a few large), and bounded */
	for (size_t i = 0; i < N; i++) {
		v[i] = lmrec_rng_below(&rng, 10) == 0 ? -log(1.0 - lmrec_rng_double(&rng)) * 20.0 : 0.0;
		v[N + i] = lmrec_rng_double(&rng);
	}
	double lo[2], hi[2], lo2[2], hi2[2], width_prev[2] = {INFINITY, INFINITY};
	static const size_t ns[] = {50, 200, 800, 3200};
	for (size_t t = 0; t < 4; t++) {
		size_t n = ns[t];
		/* the first n of each series, packed (nseries, n) */
		double *w = lmrec_xmalloc(2 * n * sizeof *w);
		memcpy(w, v, n * sizeof *w);
		memcpy(w + n, v + N, n * sizeof *w);
		lmrec_bootstrap_ci(w, 2, n, 500, 0.95, 7, lo, hi);
		lmrec_bootstrap_ci(w, 2, n, 500, 0.95, 7, lo2, hi2);
		CHECK(check_same_bits(lo, lo2, sizeof lo) && check_same_bits(hi, hi2, sizeof hi));
		for (size_t s = 0; s < 2; s++) {
			double mean = 0;
			for (size_t i = 0; i < n; i++)
				mean += w[s * n + i];
			mean /= (double)n;
			CHECK(lo[s] <= mean && mean <= hi[s]);
			CHECK(lo[s] < hi[s]);
			double width = hi[s] - lo[s];
			CHECK(width < width_prev[s]); /* narrows as n grows */
			width_prev[s] = width;
		}
		/* another seed gives another interval */
		lmrec_bootstrap_ci(w, 2, n, 500, 0.95, 8, lo2, hi2);
		CHECK(lo2[0] != lo[0] || hi2[0] != hi[0]);
		/* paired: one series alone gives what it gave beside the other */
		lmrec_bootstrap_ci(w, 1, n, 500, 0.95, 7, lo2, hi2);
		CHECK(lo2[0] == lo[0] && hi2[0] == hi[0]);
		free(w);
	}
	/* roughly sqrt(n): 64 times the users, about 1/8 of the width */
	/* (checked loosely on the bounded series) */
	double *w = lmrec_xmalloc(N * sizeof *w);
	memcpy(w, v + N, N * sizeof *w);
	double l1, h1, l2, h2;
	lmrec_bootstrap_ci(w, 1, N / 64, 1000, 0.9, 3, &l1, &h1);
	lmrec_bootstrap_ci(w, 1, N, 1000, 0.9, 3, &l2, &h2);
	double ratio = (h1 - l1) / (h2 - l2);
	CHECK(ratio > 5 && ratio < 12);
	/* a constant series: the interval is that value */
	for (size_t i = 0; i < 10; i++)
		w[i] = 0.25;
	lmrec_bootstrap_ci(w, 1, 10, 100, 0.95, 1, &l1, &h1);
	CHECK(l1 == 0.25 && h1 == 0.25);
	/* nothing to resample: zeros */
	lmrec_bootstrap_ci(w, 1, 0, 100, 0.95, 1, &l1, &h1);
	CHECK(l1 == 0 && h1 == 0);
	lmrec_bootstrap_ci(w, 1, 10, 0, 0.95, 1, &l1, &h1);
	CHECK(l1 == 0 && h1 == 0);
	free(w);
	free(v);
}

/* The percentile interval against a slow bootstrap written here: the same
 * draws (one uniform index per user and replicate from the seed's
 * stream), then type-7 quantiles of the sorted means. */
static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void test_bootstrap_slow(void)
{
	enum { N = 37, REPS = 101 };
	double v[N], means[REPS];
	for (size_t i = 0; i < N; i++)
		v[i] = (double)((i * 7919) % 13) - 3.0;
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 99);
	for (size_t b = 0; b < REPS; b++) {
		double s = 0;
		for (size_t j = 0; j < N; j++)
			s += v[lmrec_rng_below(&rng, N)];
		means[b] = s / N;
	}
	qsort(means, REPS, sizeof *means, cmp_double);
	/* level 0.9: quantiles 0.05 and 0.95 of 101 values: h = 5 and 95 */
	double lo, hi;
	lmrec_bootstrap_ci(v, 1, N, REPS, 0.9, 99, &lo, &hi);
	CHECK(fabs(lo - means[5]) <= 1e-12 && fabs(hi - means[95]) <= 1e-12);
	/* level 0.5: h = 25 and 75; level 0.87: h = 6.5 and 93.5, interpolated */
	lmrec_bootstrap_ci(v, 1, N, REPS, 0.5, 99, &lo, &hi);
	CHECK(fabs(lo - means[25]) <= 1e-12 && fabs(hi - means[75]) <= 1e-12);
	lmrec_bootstrap_ci(v, 1, N, REPS, 0.87, 99, &lo, &hi);
	CHECK(fabs(lo - (means[6] + means[7]) / 2) <= 1e-12);
	CHECK(fabs(hi - (means[93] + means[94]) / 2) <= 1e-12);
}

int main(void)
{
	lmrec_setprogname("metrics");
	CHECK_RUN(test_user_random);
	CHECK_RUN(test_user_pinned);
	CHECK_RUN(test_gini);
	CHECK_RUN(test_sampled_rank);
	CHECK_RUN(test_bootstrap);
	CHECK_RUN(test_bootstrap_slow);
	return check_done();
}

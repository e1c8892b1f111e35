/* Unit tests of lib/quality.c: every flag and weight factor against a
 * brute-force reference written straight from the definitions in quality.h,
 * on random streams with many ties (times, counts, users interned out of
 * byte order); and the edges: medians of even counts, windows at the
 * extremes of int64, an empty stream, the report's order and format. */
#include <math.h>

#include "check.h"
#include "quality.h"

struct row {
	uint32_t user, item, key;
	int64_t ts;
	int dup;
};

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double ref_median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, dbl_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* (ts, index) of row a before that of row b */
static int before(const struct row *r, size_t a, size_t b)
{
	return r[a].ts < r[b].ts || (r[a].ts == r[b].ts && a < b);
}

/* The definitions of quality.h, in the slowest obvious way. */
static void reference(const struct row *r, size_t n, const struct lmrec_quality_opts *o,
		      const struct lmrec_ids *users, size_t nu, size_t ni, uint8_t *flags,
		      float *factor, uint64_t *threshold)
{
	uint32_t *cu = calloc(nu, sizeof *cu), *ci = calloc(ni, sizeof *ci);
	for (size_t j = 0; j < n; j++) {
		flags[j] = r[j].dup ? LMREC_Q_DUP : 0;
		factor[j] = r[j].dup ? 0.0f : 1.0f;
		if (!r[j].dup) {
			cu[r[j].user]++;
			ci[r[j].item]++;
		}
	}
	if (o->checks & LMREC_Q_BURST)
		for (size_t j = 0; j < n; j++) {
			if (r[j].dup)
				continue;
			uint64_t in = 0;
			for (size_t k = 0; k < n; k++)
				if (!r[k].dup && r[k].user == r[j].user && r[k].item == r[j].item &&
				    r[k].key == r[j].key && (k == j || before(r, k, j)) &&
				    (uint64_t)r[j].ts - (uint64_t)r[k].ts <= o->burst_window)
					in++;
			if (in > o->burst_max) {
				flags[j] |= LMREC_Q_BURST;
				factor[j] = 0.0f;
			}
		}
	*threshold = 0;
	if (o->checks & LMREC_Q_BOT) {
		double *x = calloc(nu + 1, sizeof *x);
		size_t m = 0;
		for (size_t u = 0; u < nu; u++)
			if (cu[u])
				x[m++] = log((double)cu[u]);
		if (m) {
			double med = ref_median(x, m);
			for (size_t k = 0; k < m; k++)
				x[k] = fabs(x[k] - med);
			double mad = ref_median(x, m);
			double t = fmax(exp(med + o->bot_k * 1.4826 * mad), o->bot_min_ratio * exp(med));
			*threshold = (uint64_t)floor(t);
			for (size_t j = 0; j < n; j++)
				if (!r[j].dup && cu[r[j].user] > *threshold) {
					flags[j] |= LMREC_Q_BOT;
					factor[j] = (float)((double)factor[j] *
							    sqrt((double)*threshold / (double)cu[r[j].user]));
				}
		}
		free(x);
	}
	if (o->checks & LMREC_Q_FLOOD)
		for (uint32_t i = 0; i < ni; i++) {
			uint32_t *c = calloc(nu, sizeof *c);
			for (size_t j = 0; j < n; j++)
				if (!r[j].dup && r[j].item == i)
					c[r[j].user]++;
			/* the top users, one at a time: most rows, then the smallest id */
			uint8_t *top = calloc(nu, 1);
			uint64_t s = 0;
			for (uint64_t k = 0; k < o->flood_users; k++) {
				long best = -1;
				for (uint32_t u = 0; u < nu; u++)
					if (c[u] && !top[u] &&
					    (best < 0 || c[u] > c[best] ||
					     (c[u] == c[best] && lmrec_ids_cmp(users, u, (uint32_t)best) < 0)))
						best = u;
				if (best < 0)
					break;
				top[best] = 1;
				s += c[best];
			}
			if (ci[i] >= o->flood_min && (double)s / (double)ci[i] > o->flood_share)
				for (uint32_t u = 0; u < nu; u++) {
					if (!top[u] || c[u] < 2)
						continue;
					size_t first = n;
					for (size_t j = 0; j < n; j++)
						if (!r[j].dup && r[j].item == i && r[j].user == u &&
						    (first == n || before(r, j, first)))
							first = j;
					for (size_t j = 0; j < n; j++)
						if (!r[j].dup && r[j].item == i && r[j].user == u && j != first) {
							flags[j] |= LMREC_Q_FLOOD;
							factor[j] = (float)((double)factor[j] / sqrt((double)c[u]));
						}
				}
			free(c);
			free(top);
		}
	free(cu);
	free(ci);
}

static struct lmrec_ids *make_ids(const char *fmt, size_t n, struct lmrec_rng *g)
{
	/* interned in a random order, so index order is not byte order */
	uint32_t *perm = lmrec_xcalloc(n, sizeof *perm);
	for (size_t k = 0; k < n; k++)
		perm[k] = (uint32_t)k;
	lmrec_rng_shuffle_u32(g, perm, n);
	struct lmrec_ids *ids = lmrec_ids_new();
	for (size_t k = 0; k < n; k++) {
		char *s = lmrec_xasprintf(fmt, perm[k]);
		lmrec_ids_intern(ids, s, strlen(s));
		free(s);
	}
	free(perm);
	return ids;
}

static void test_against_reference(void)
{
	struct lmrec_rng g;
	lmrec_rng_seed(&g, 9);
	size_t cases = 0, bad = 0, kinds[LMREC_Q_NKINDS] = {0};
	for (int t = 0; t < 400; t++) {
		size_t nu = 1 + (size_t)lmrec_rng_below(&g, 12), ni = 1 + (size_t)lmrec_rng_below(&g, 6);
		size_t n = (size_t)lmrec_rng_below(&g, 300);
		struct lmrec_ids *users = make_ids("u%u", nu, &g), *items = make_ids("i%u", ni, &g);
		struct lmrec_quality_opts o = {
			.checks = (unsigned)lmrec_rng_below(&g, 8) << 1,
			.burst_max = 1 + lmrec_rng_below(&g, 3),
			.burst_window = 1 + lmrec_rng_below(&g, 20),
			.bot_k = (double)lmrec_rng_below(&g, 4),
			.bot_min_ratio = 1 + (double)lmrec_rng_below(&g, 3),
			.flood_users = 1 + lmrec_rng_below(&g, 3),
			.flood_share = (double)lmrec_rng_below(&g, 10) / 10,
			.flood_min = 1 + lmrec_rng_below(&g, 30),
			.want_factors = 1,
		};
		struct row *r = lmrec_xcalloc(n + 1, sizeof *r);
		struct lmrec_quality q;
		lmrec_quality_init(&q, &o);
		for (size_t j = 0; j < n; j++) {
			/* a skewed user choice makes heavy users; few times make ties */
			uint32_t u = (uint32_t)lmrec_rng_below(&g, 1 + lmrec_rng_below(&g, nu));
			r[j] = (struct row){u, (uint32_t)lmrec_rng_below(&g, ni), (uint32_t)lmrec_rng_below(&g, 2),
					    (int64_t)lmrec_rng_below(&g, 60), lmrec_rng_below(&g, 10) == 0};
			lmrec_quality_add(&q, r[j].user, r[j].item, r[j].key, r[j].ts, r[j].dup);
		}
		lmrec_quality_analyse(&q, users, items);
		uint8_t *flags = lmrec_xcalloc(n + 1, 1);
		float *factor = lmrec_xcalloc(n + 1, sizeof *factor);
		uint64_t threshold;
		reference(r, n, &o, users, nu, ni, flags, factor, &threshold);
		int same = q.total == n && (n == 0 || (memcmp(q.flags, flags, n) == 0 &&
						       memcmp(q.factor, factor, n * sizeof *factor) == 0));
		if ((o.checks & LMREC_Q_BOT) && n && q.bot_threshold != threshold)
			same = 0;
		uint64_t flagged = 0;
		for (size_t j = 0; j < n; j++)
			flagged += (flags[j] & ~LMREC_Q_DUP) != 0;
		if (q.nflagged != flagged)
			same = 0;
		if (!same && bad++ < 3)
			printf("# case %d: n %zu, users %zu, items %zu, checks %u: differs from the "
			       "reference\n", t, n, nu, ni, o.checks);
		cases += flagged > 0;
		for (int k = 0; k < LMREC_Q_NKINDS; k++) {
			size_t j = 0;
			while (j < n && !(flags[j] & (1u << k)))
				j++;
			kinds[k] += j < n;
		}
		lmrec_quality_free(&q);
		free(r);
		free(flags);
		free(factor);
		lmrec_ids_free(users);
		lmrec_ids_free(items);
	}
	CHECK_U64(bad, 0);
	/* the random streams flag something most of the time, of every kind */
	CHECK(cases > 100);
	for (int k = 0; k < LMREC_Q_NKINDS; k++)
		if (kinds[k] < 30)
			CHECK_U64(kinds[k], 30);
}

/* A window from INT64_MIN to INT64_MAX: the difference needs 64 unsigned bits. */
static void test_extreme_times(void)
{
	struct lmrec_ids *users = make_ids("u%u", 1, &(struct lmrec_rng){0}),
			 *items = make_ids("i%u", 1, &(struct lmrec_rng){0});
	struct lmrec_quality_opts o = {.checks = LMREC_Q_BURST, .burst_max = 1,
				       .burst_window = UINT64_MAX - 1};
	struct lmrec_quality q;
	lmrec_quality_init(&q, &o);
	lmrec_quality_add(&q, 0, 0, 0, INT64_MAX, 0);
	lmrec_quality_add(&q, 0, 0, 0, INT64_MIN, 0);
	lmrec_quality_add(&q, 0, 0, 0, 0, 0);
	lmrec_quality_analyse(&q, users, items);
	/* by time: MIN, 0, MAX; 0 - MIN = 2^63 and MAX - 0 are within the window,
	 * MAX - MIN = 2^64 - 1 is not */
	CHECK_INT(q.flags[0], LMREC_Q_BURST);
	CHECK_INT(q.flags[1], 0);
	CHECK_INT(q.flags[2], LMREC_Q_BURST);
	CHECK_U64(q.u_peak[0], 2);
	lmrec_quality_free(&q);
	/* a window of 2^64 - 1 takes them all */
	o.burst_window = UINT64_MAX;
	lmrec_quality_init(&q, &o);
	lmrec_quality_add(&q, 0, 0, 0, INT64_MAX, 0);
	lmrec_quality_add(&q, 0, 0, 0, INT64_MIN, 0);
	lmrec_quality_add(&q, 0, 0, 0, 0, 0);
	lmrec_quality_analyse(&q, users, items);
	CHECK_U64(q.u_peak[0], 3);
	CHECK_U64(q.nburst, 2);
	lmrec_quality_free(&q);
	lmrec_ids_free(users);
	lmrec_ids_free(items);
}

static char *report(const struct lmrec_quality *q, const struct lmrec_ids *users,
		    const struct lmrec_ids *items)
{
	struct lmrec_out *out = lmrec_out_open_mem();
	const char *act[LMREC_Q_NKINDS] = {"dropped", "reported", "reported", "reported"};
	lmrec_quality_report(q, out, users, items, act);
	char *s = lmrec_xstrndup(out->buf, out->len);
	lmrec_out_abort(out);
	return s;
}

/* Users with 1, 2, 4 and 400 rows: the median of an even count of logs is
 * ln sqrt(2 x 4), the MAD (ln sqrt 2 + ln sqrt 8) / 2 = ln 2, so T =
 * floor(exp(ln sqrt 8 + 3 x 1.4826 x ln 2)) = 61, above 10 x sqrt 8; the
 * report lists kinds in order, ids in byte order. */
static void test_report(void)
{
	struct lmrec_ids *users = lmrec_ids_new(), *items = lmrec_ids_new();
	const char *un[] = {"zed", "amy", "bob", "x"}; /* 400, 1, 2, 4 rows */
	for (int k = 0; k < 4; k++)
		lmrec_ids_intern(users, un[k], strlen(un[k]));
	lmrec_ids_intern(items, "b", 1);
	lmrec_ids_intern(items, "a", 1);
	struct lmrec_quality_opts o = {.checks = LMREC_Q_BURST | LMREC_Q_BOT | LMREC_Q_FLOOD,
				       .burst_max = 2, .burst_window = 60, .bot_k = 3, .bot_min_ratio = 10,
				       .flood_users = 1, .flood_share = 0.5, .flood_min = 3};
	struct lmrec_quality q;
	lmrec_quality_init(&q, &o);
	for (int k = 0; k < 400; k++) /* zed: item b every 100 s */
		lmrec_quality_add(&q, 0, 0, 0, 100 * k, 0);
	lmrec_quality_add(&q, 1, 1, 0, 5, 0);   /* amy */
	lmrec_quality_add(&q, 1, 1, 0, 5, 1);   /* amy's duplicate */
	lmrec_quality_add(&q, 2, 1, 0, 7, 0);   /* bob: a, twice */
	lmrec_quality_add(&q, 2, 1, 0, 9, 0);
	for (int k = 0; k < 4; k++)             /* x: item a, four times in 3 s */
		lmrec_quality_add(&q, 3, 1, 0, k, 0);
	lmrec_quality_analyse(&q, users, items);
	CHECK(fabs(q.median_rows - sqrt(8.0)) < 1e-12);
	CHECK_U64(q.bot_threshold, 61);
	char *s = report(&q, users, items);
	CHECK_STR(s, "kind\tkey\tfigure\tthreshold\taction\trows\n"
		     "duplicate\tamy\t1\t0\tdropped\t1\n"
		     "burst\tx\t4\t2\treported\t2\n"
		     "bot_user\tzed\t400\t61\treported\t400\n"
		     "flooded_item\ta\t0.5714286\t0.5\treported\t3\n"
		     "flooded_item\tb\t1\t0.5\treported\t399\n");
	free(s);
	char why[64];
	CHECK_U64(lmrec_quality_reasons(LMREC_Q_BOT | LMREC_Q_FLOOD, why), 21);
	CHECK_STR(why, "bot_user,flooded_item");
	lmrec_quality_free(&q);
	lmrec_ids_free(users);
	lmrec_ids_free(items);
}

static void test_empty(void)
{
	struct lmrec_ids *users = lmrec_ids_new(), *items = lmrec_ids_new();
	struct lmrec_quality_opts o = {.checks = LMREC_Q_BURST | LMREC_Q_BOT | LMREC_Q_FLOOD,
				       .burst_max = 2, .burst_window = 60, .bot_k = 3, .bot_min_ratio = 10,
				       .flood_users = 2, .flood_share = 0.9, .flood_min = 20,
				       .want_factors = 1};
	struct lmrec_quality q;
	lmrec_quality_init(&q, &o);
	lmrec_quality_analyse(&q, users, items);
	CHECK_U64(q.nflagged, 0);
	char *s = report(&q, users, items);
	CHECK_STR(s, "kind\tkey\tfigure\tthreshold\taction\trows\n");
	free(s);
	lmrec_quality_free(&q);
	lmrec_ids_free(users);
	lmrec_ids_free(items);
}

int main(void)
{
	lmrec_setprogname("quality");
	CHECK_RUN(test_against_reference);
	CHECK_RUN(test_extreme_times);
	CHECK_RUN(test_report);
	CHECK_RUN(test_empty);
	return check_done();
}

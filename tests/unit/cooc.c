/* Unit tests of lib/cooc.c: the counts against a naive count, the cap
 * (each user's own choice, of the promised size), the sensitivity bound by
 * brute force over small random data sets (removing or adding any one user
 * moves the capped counts by at most Δ1 = k(k+1)/2 in L1 and sqrt(Δ1) in
 * L2, and by exactly that for a user with k items or more), and the release:
 * thresholds, item-kNN's cosine without noise, one noise per pair with it. */
#include <math.h>

#include "check.h"
#include "cooc.h"

enum { MAXU = 10, MAXI = 8 };

/* A small data set: which items each user took. */
struct data {
	size_t nu, ni;
	unsigned char took[MAXU][MAXI];
	unsigned id[MAXU]; /* the users' ids, "u<id>" */
};

static uint64_t hash_of(const char *prefix, unsigned k)
{
	char s[32];
	int n = snprintf(s, sizeof s, "%s%u", prefix, k);
	return lmrec_hash64(s, (size_t)n);
}

/* The counts of d: n (ni) and c (ni * ni), with the cap. */
static void counts(const struct data *d, size_t cap, uint64_t seed, long *n, long *c)
{
	uint32_t r[MAXU * MAXI], col[MAXU * MAXI];
	size_t nr = 0;
	for (size_t u = 0; u < d->nu; u++)
		for (size_t i = 0; i < d->ni; i++)
			if (d->took[u][i]) {
				r[nr] = (uint32_t)u;
				col[nr++] = (uint32_t)i;
			}
	struct lmrec_csr ui;
	lmrec_csr_build(&ui, d->nu, d->ni, r, col, NULL, nr, LMREC_DUP_ONE);
	uint64_t uh[MAXU], ih[MAXI];
	for (size_t u = 0; u < d->nu; u++)
		uh[u] = hash_of("u", d->id[u]);
	for (size_t i = 0; i < d->ni; i++)
		ih[i] = hash_of("i", (unsigned)i);
	struct lmrec_cooc co;
	lmrec_cooc_build(&co, &ui, uh, ih, cap, seed);
	uint32_t count[MAXI] = {0}, touched[MAXI];
	for (size_t i = 0; i < d->ni; i++) {
		n[i] = (long)lmrec_cooc_n(&co, (uint32_t)i);
		for (size_t j = 0; j < d->ni; j++)
			c[i * d->ni + j] = 0;
		size_t nt = lmrec_cooc_row(&co, (uint32_t)i, count, touched);
		for (size_t t = 0; t < nt; t++) {
			c[i * d->ni + touched[t]] = count[touched[t]];
			count[touched[t]] = 0;
		}
	}
	lmrec_cooc_free(&co);
	lmrec_csr_free(&ui);
}

static void random_data(struct lmrec_rng *r, struct data *d)
{
	d->nu = 1 + (size_t)lmrec_rng_below(r, MAXU - 1);
	d->ni = 2 + (size_t)lmrec_rng_below(r, MAXI - 1);
	double p = 0.2 + 0.7 * lmrec_rng_double(r);
	for (size_t u = 0; u < d->nu; u++) {
		d->id[u] = (unsigned)u;
		for (size_t i = 0; i < d->ni; i++)
			d->took[u][i] = lmrec_rng_double(r) < p;
	}
}

static void test_exact_without_cap(void)
{
	struct lmrec_rng r;
	lmrec_rng_seed(&r, 1);
	size_t bad = 0;
	for (int trial = 0; trial < 300; trial++) {
		struct data d;
		random_data(&r, &d);
		long n[MAXI], c[MAXI * MAXI];
		counts(&d, 0, 1, n, c);
		for (size_t i = 0; i < d.ni; i++) {
			long want = 0;
			for (size_t u = 0; u < d.nu; u++)
				want += d.took[u][i];
			bad += n[i] != want;
			for (size_t j = 0; j < d.ni; j++) {
				long both = 0;
				for (size_t u = 0; u < d.nu; u++)
					both += i != j && d.took[u][i] && d.took[u][j];
				bad += c[i * d.ni + j] != both;
			}
		}
	}
	CHECK_U64(bad, 0);
}

/* The items user u counts under the cap, from the counts of a data set of
 * u alone. */
static void kept_alone(const struct data *d, size_t u, size_t cap, uint64_t seed, unsigned char *kept)
{
	struct data one = {.nu = 1, .ni = d->ni};
	memcpy(one.took[0], d->took[u], sizeof one.took[0]);
	one.id[0] = d->id[u];
	long n[MAXI], c[MAXI * MAXI];
	counts(&one, cap, seed, n, c);
	for (size_t i = 0; i < d->ni; i++)
		kept[i] = (unsigned char)n[i];
}

static void test_cap(void)
{
	struct lmrec_rng r;
	lmrec_rng_seed(&r, 2);
	size_t bad_size = 0, bad_subset = 0, bad_own = 0;
	size_t chosen[MAXI] = {0}, offered = 0;
	for (int trial = 0; trial < 300; trial++) {
		struct data d;
		random_data(&r, &d);
		size_t cap = 1 + (size_t)lmrec_rng_below(&r, 4);
		uint64_t seed = lmrec_rng_u64(&r);
		long n[MAXI], c[MAXI * MAXI];
		counts(&d, cap, seed, n, c);
		long sum_kept = 0;
		for (size_t u = 0; u < d.nu; u++) {
			unsigned char kept[MAXI];
			kept_alone(&d, u, cap, seed, kept);
			size_t m = 0, k = 0;
			for (size_t i = 0; i < d.ni; i++) {
				m += d.took[u][i];
				k += kept[i];
				bad_subset += kept[i] && !d.took[u][i];
			}
			bad_size += k != (m < cap ? m : cap);
			sum_kept += (long)k;
			if (u == 0 && cap == 1 && m == d.ni) /* every item offered: which is kept */
				for (size_t i = 0; i < d.ni; i++)
					chosen[i] += kept[i];
			offered += u == 0 && cap == 1 && m == d.ni;
		}
		/* the users' own choices, counted together, are the counts */
		long total = 0;
		for (size_t i = 0; i < d.ni; i++)
			total += n[i];
		bad_own += total != sum_kept;
	}
	CHECK_U64(bad_size, 0);
	CHECK_U64(bad_subset, 0);
	CHECK_U64(bad_own, 0);
	/* the seeded choice is not always the same item */
	size_t distinct = 0;
	for (size_t i = 0; i < MAXI; i++)
		distinct += chosen[i] > 0;
	CHECK(offered == 0 || distinct > 1);
}

/* L1 and squared L2 distance of the counts of a and b (same items). */
static void distance(const struct data *a, const struct data *b, size_t cap, uint64_t seed, double *l1, double *l2sq)
{
	long na[MAXI], ca[MAXI * MAXI], nb[MAXI], cb[MAXI * MAXI];
	counts(a, cap, seed, na, ca);
	counts(b, cap, seed, nb, cb);
	*l1 = *l2sq = 0;
	for (size_t i = 0; i < a->ni; i++) {
		double dn = (double)(na[i] - nb[i]);
		*l1 += fabs(dn);
		*l2sq += dn * dn;
		for (size_t j = i + 1; j < a->ni; j++) { /* each pair once */
			double dc = (double)(ca[i * a->ni + j] - cb[i * a->ni + j]);
			*l1 += fabs(dc);
			*l2sq += dc * dc;
		}
	}
}

static void test_sensitivity_brute_force(void)
{
	struct lmrec_rng r;
	lmrec_rng_seed(&r, 3);
	size_t over = 0, tight = 0, tight_cases = 0, checked = 0;
	for (int trial = 0; trial < 400; trial++) {
		struct data d;
		random_data(&r, &d);
		size_t cap = (size_t)lmrec_rng_below(&r, 5); /* 0: no cap */
		uint64_t seed = lmrec_rng_u64(&r);
		for (size_t u = 0; u < d.nu; u++) {
			/* d without user u */
			struct data less = {.nu = d.nu - 1, .ni = d.ni};
			for (size_t v = 0, w = 0; v < d.nu; v++)
				if (v != u) {
					memcpy(less.took[w], d.took[v], sizeof less.took[w]);
					less.id[w++] = d.id[v];
				}
			double l1, l2sq;
			distance(&d, &less, cap, seed, &l1, &l2sq);
			size_t m = 0;
			for (size_t i = 0; i < d.ni; i++)
				m += d.took[u][i];
			/* the bound of the cap; without one, of the user's own items */
			size_t k = cap ? cap : d.ni;
			double bound;
			double dummy;
			lmrec_dp_cooc_sensitivity(k, &bound, &dummy);
			over += l1 > bound || l2sq > bound + 1e-9;
			checked++;
			/* a user with k items or more moves it by exactly Δ1 */
			if (m >= k) {
				tight_cases++;
				tight += l1 == bound && l2sq == bound;
			}
		}
		/* adding a user (a new id, random items) is the same bound */
		if (d.nu < MAXU) {
			struct data more = d;
			more.id[more.nu] = 100;
			for (size_t i = 0; i < d.ni; i++)
				more.took[more.nu][i] = lmrec_rng_below(&r, 2) == 1;
			more.nu++;
			double l1, l2sq, bound, dummy;
			distance(&more, &d, cap, seed, &l1, &l2sq);
			lmrec_dp_cooc_sensitivity(cap ? cap : d.ni, &bound, &dummy);
			over += l1 > bound || l2sq > bound + 1e-9;
			checked++;
		}
	}
	CHECK_U64(over, 0);
	CHECK(tight_cases > 50);
	CHECK_U64(tight, tight_cases);
	CHECK(checked > 1000);
}

/* The release of a fixed data set: a and b taken by 3 users, c with a once,
 * d alone. */
static void build_fixed(struct lmrec_csr *ui, struct lmrec_cooc *co)
{
	/* users 0..3; items a b c d = 0 1 2 3 */
	static const uint32_t r[] = {0, 0, 1, 1, 1, 2, 3, 3};
	static const uint32_t c[] = {0, 1, 0, 1, 2, 3, 0, 1};
	lmrec_csr_build(ui, 4, 4, r, c, NULL, 8, LMREC_DUP_ONE);
	uint64_t uh[4], ih[4];
	for (unsigned k = 0; k < 4; k++) {
		uh[k] = hash_of("u", k);
		ih[k] = hash_of("i", k);
	}
	lmrec_cooc_build(co, ui, uh, ih, 0, 1);
}

static void test_release_exact(void)
{
	struct lmrec_csr ui;
	struct lmrec_cooc co;
	build_fixed(&ui, &co);
	uint32_t count[4] = {0}, touched[4];
	struct lmrec_topk top;
	lmrec_topk_init(&top, 4);
	/* threshold 1: a's list is b (3 / (3 + 0)) then c (1 / sqrt(3)) */
	struct lmrec_cooc_release rel = {.c = &co, .threshold = 1, .shrink = 0};
	lmrec_cooc_release_items(&rel);
	uint64_t sup = 0;
	lmrec_cooc_release_row(&rel, 0, &top, count, touched, &sup);
	CHECK_U64(lmrec_topk_sort(&top), 2);
	CHECK_U64(top.idx[0], 1);
	CHECK(top.score[0] == 1.0f);
	CHECK_U64(top.idx[1], 2);
	CHECK(top.score[1] == (float)(1 / sqrt(3.0)));
	CHECK_U64(sup, 0);
	CHECK_U64(rel.items_suppressed, 0);
	/* the scratch is clean again */
	CHECK(count[0] == 0 && count[1] == 0 && count[2] == 0 && count[3] == 0);
	lmrec_cooc_release_free(&rel);
	/* threshold 2: c and d (1 user) suppressed, the pair (a, c) too; with
	 * shrink 1, a-b is 3 / (3 + 1) */
	struct lmrec_cooc_release rel2 = {.c = &co, .threshold = 2, .shrink = 1};
	lmrec_cooc_release_items(&rel2);
	CHECK_U64(rel2.items_suppressed, 2);
	CHECK(rel2.listed[0] && rel2.listed[1] && !rel2.listed[2] && !rel2.listed[3]);
	lmrec_topk_reset(&top);
	lmrec_cooc_release_row(&rel2, 0, &top, count, touched, &sup);
	CHECK_U64(lmrec_topk_sort(&top), 1);
	CHECK(top.score[0] == 0.75f);
	lmrec_topk_reset(&top);
	lmrec_cooc_release_row(&rel2, 2, &top, count, touched, &sup); /* not listed: nothing */
	CHECK_U64(lmrec_topk_sort(&top), 0);
	lmrec_cooc_release_free(&rel2);
	/* a banned item is neither listed nor given a list */
	unsigned char banned[4] = {0, 1, 0, 0};
	struct lmrec_cooc_release rel3 = {.c = &co, .threshold = 1, .banned = banned};
	lmrec_cooc_release_items(&rel3);
	lmrec_topk_reset(&top);
	lmrec_cooc_release_row(&rel3, 0, &top, count, touched, &sup);
	CHECK_U64(lmrec_topk_sort(&top), 1);
	CHECK_U64(top.idx[0], 2);
	CHECK(!rel3.listed[1]);
	lmrec_cooc_release_free(&rel3);
	lmrec_topk_free(&top);
	lmrec_cooc_free(&co);
	lmrec_csr_free(&ui);
}

/* Suppressed pairs are counted once each, over every row: a b c with 3
 * users each, a-b shared by 2, a-c and b-c by 1; threshold 2. */
static void test_release_suppressed(void)
{
	static const uint32_t r[] = {0, 0, 1, 1, 2, 2, 3, 3, 4};
	static const uint32_t c[] = {0, 1, 0, 1, 0, 2, 1, 2, 2};
	struct lmrec_csr ui;
	lmrec_csr_build(&ui, 5, 3, r, c, NULL, 9, LMREC_DUP_ONE);
	uint64_t uh[5], ih[3];
	for (unsigned k = 0; k < 5; k++)
		uh[k] = hash_of("u", k);
	for (unsigned k = 0; k < 3; k++)
		ih[k] = hash_of("i", k);
	struct lmrec_cooc co;
	lmrec_cooc_build(&co, &ui, uh, ih, 0, 1);
	struct lmrec_cooc_release rel = {.c = &co, .threshold = 2};
	lmrec_cooc_release_items(&rel);
	uint32_t count[3] = {0}, touched[3];
	struct lmrec_topk top;
	lmrec_topk_init(&top, 3);
	uint64_t sup = 0;
	size_t listed = 0;
	for (uint32_t i = 0; i < 3; i++) {
		lmrec_topk_reset(&top);
		lmrec_cooc_release_row(&rel, i, &top, count, touched, &sup);
		listed += lmrec_topk_sort(&top);
	}
	CHECK_U64(sup, 2);
	CHECK_U64(listed, 2); /* a-b from both ends */
	CHECK_U64(rel.items_suppressed, 0);
	lmrec_topk_free(&top);
	lmrec_cooc_release_free(&rel);
	lmrec_cooc_free(&co);
	lmrec_csr_free(&ui);
}

static void test_release_noisy(void)
{
	struct lmrec_csr ui;
	struct lmrec_cooc co;
	build_fixed(&ui, &co);
	struct lmrec_dp dp;
	char *msg;
	CHECK_INT(lmrec_dp_init(&dp, LMREC_DP_GAUSSIAN, 1, 1e-6, 10, sqrt(10), 77, &msg), 0);
	struct lmrec_cooc_release rel = {.c = &co, .dp = &dp, .threshold = 1, .shrink = 0};
	lmrec_cooc_release_items(&rel);
	/* every item's count is its noisy count */
	for (uint32_t i = 0; i < 4; i++)
		CHECK_INT(rel.n[i], lmrec_dp_count(&dp, LMREC_COOC_STREAM_ITEMS, i, lmrec_cooc_n(&co, i)));
	/* both ends of a pair see the same noisy count: the similarity is
	 * symmetric, each at most 1 */
	float sim[4][4] = {{0}};
	uint32_t count[4] = {0}, touched[4];
	struct lmrec_topk top;
	lmrec_topk_init(&top, 4);
	uint64_t sup = 0;
	for (uint32_t i = 0; i < 4; i++) {
		lmrec_topk_reset(&top);
		lmrec_cooc_release_row(&rel, i, &top, count, touched, &sup);
		size_t n = lmrec_topk_sort(&top);
		for (size_t t = 0; t < n; t++)
			sim[i][top.idx[t]] = top.score[t];
	}
	size_t asym = 0, above = 0, listed = 0;
	for (uint32_t i = 0; i < 4; i++)
		for (uint32_t j = 0; j < 4; j++) {
			asym += rel.listed[i] && rel.listed[j] && sim[i][j] != sim[j][i];
			above += sim[i][j] > 1.0f;
			listed += sim[i][j] > 0;
		}
	CHECK_U64(asym, 0);
	CHECK_U64(above, 0);
	CHECK(listed > 0); /* σ = 3 or so: some pairs pass a threshold of 1 */
	lmrec_topk_free(&top);
	lmrec_cooc_release_free(&rel);
	lmrec_cooc_free(&co);
	lmrec_csr_free(&ui);
}

int main(void)
{
	CHECK_RUN(test_exact_without_cap);
	CHECK_RUN(test_cap);
	CHECK_RUN(test_sensitivity_brute_force);
	CHECK_RUN(test_release_exact);
	CHECK_RUN(test_release_suppressed);
	CHECK_RUN(test_release_noisy);
	return check_done();
}

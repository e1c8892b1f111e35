/* Unit tests of lib/calibrate.c: a hand-computed case, the incremental
 * divergence against the formula written out over dense distributions,
 * the greedy re-ranking against a slow greedy that recomputes every
 * list's objective from scratch, and against brute force over every list
 * where greedy is exact (one item, or lambda 0). */
#include <math.h>

#include "calibrate.h"
#include "catalog.h"
#include "check.h"
#include "genres.h"

#define NEAR(a, b) (fabs((a) - (b)) <= 1e-12 * (1 + fabs(b)))

/* ---- the obviously correct version ---- */

/* Dense genre distribution of a set of items (items without a genre left
 * out); returns how many had one. */
static size_t dense_mix(const struct lmrec_genres *gs, const uint32_t *items, size_t n, double *out)
{
	for (size_t g = 0; g < gs->ng; g++)
		out[g] = 0;
	size_t used = 0;
	for (size_t j = 0; j < n; j++) {
		uint32_t i = items[j];
		if (i >= gs->n || gs->ptr[i + 1] == gs->ptr[i])
			continue;
		used++;
		double share = 1.0 / (double)(gs->ptr[i + 1] - gs->ptr[i]);
		for (uint64_t k = gs->ptr[i]; k < gs->ptr[i + 1]; k++)
			out[gs->genre[k]] += share;
	}
	for (size_t g = 0; g < gs->ng && used; g++)
		out[g] /= (double)used;
	return used;
}

/* KL(p || (1 - a) q + a p), straight from the definition. */
static double dense_kl(const double *p, const double *q, size_t ng, double a)
{
	double kl = 0;
	for (size_t g = 0; g < ng; g++)
		if (p[g] > 0)
			kl += p[g] * log(p[g] / ((1 - a) * q[g] + a * p[g]));
	return kl;
}

/* The objective of a whole list. */
static double objective(const struct lmrec_genres *gs, const uint32_t *hist, size_t nh,
			const uint32_t *items, const double *rel, const size_t *list, size_t len,
			double lambda)
{
	double *p = lmrec_xcalloc(gs->ng + 1, sizeof *p), *q = lmrec_xcalloc(gs->ng + 1, sizeof *q);
	uint32_t *li = lmrec_xcalloc(len + 1, sizeof *li);
	double s = 0;
	for (size_t j = 0; j < len; j++) {
		li[j] = items[list[j]];
		s += rel[list[j]];
	}
	double kl = dense_mix(gs, hist, nh, p) ? (dense_mix(gs, li, len, q), dense_kl(p, q, gs->ng, 0.01)) : 0;
	free(p);
	free(q);
	free(li);
	return (1 - lambda) * s - lambda * kl;
}

/* Slow greedy: every step scores every remaining candidate by the
 * objective of the whole list with it appended. */
static size_t slow_greedy(const struct lmrec_genres *gs, const uint32_t *hist, size_t nh,
			  const uint32_t *items, const double *rel, size_t n, size_t top,
			  double lambda, size_t *pick)
{
	size_t want = top < n ? top : n;
	unsigned char *taken = lmrec_xcalloc(n + 1, 1);
	for (size_t t = 0; t < want; t++) {
		size_t bj = SIZE_MAX;
		double best = 0;
		for (size_t j = 0; j < n; j++) {
			if (taken[j])
				continue;
			pick[t] = j;
			double v = objective(gs, hist, nh, items, rel, pick, t + 1, lambda);
			if (bj == SIZE_MAX || v > best + 1e-12) {
				best = v;
				bj = j;
			}
		}
		pick[t] = bj;
		taken[bj] = 1;
	}
	free(taken);
	return want;
}

/* ---- fixtures ---- */

/* ---- tests ---- */

/* History h1 (A), h2 (B): p = (1/2, 1/2). Candidates a1 (A) 1, a2 (A) 0.9,
 * b1 (B) 0.5. A list of A items alone has q~ = (0.995, 0.005) and
 * KL = 0.5 ln(0.5/0.995) + 0.5 ln(0.5/0.005) = 1.95763...; [A, B] has
 * q~ = p and KL 0. After a1, a2 is worth (1 - l) 0.9 - l 1.9576 and b1
 * (1 - l) 0.5: b1 wins from l = 0.4 / 2.3576 = 0.1697 on. */
static void test_hand_computed(void)
{
	static const char *const spec[] = {"A", "B", "A", "A", "B"}; /* h1 h2 a1 a2 b1 */
	struct lmrec_genres gs;
	make_genres(&gs, spec, 5, 2);
	struct lmrec_calib c;
	lmrec_calib_init(&c, &gs, LMREC_CALIB_ALPHA);
	uint32_t hist[] = {0, 1};
	CHECK_INT(lmrec_calib_target(&c, hist, 2), 2);
	CHECK(NEAR(lmrec_calib_kl(&c), log(100.0)));
	double one = 0.5 * log(0.5 / 0.995) + 0.5 * log(0.5 / 0.005);
	CHECK(NEAR(lmrec_calib_kl_with(&c, 2), one));
	CHECK(NEAR(lmrec_calib_kl_with(&c, 4), one));
	lmrec_calib_add(&c, 2);
	CHECK(NEAR(lmrec_calib_kl(&c), one));
	CHECK(NEAR(lmrec_calib_kl_with(&c, 3), one));
	CHECK(NEAR(lmrec_calib_kl_with(&c, 4), 0.0));
	CHECK(NEAR(lmrec_calib_kl(&c), one)); /* kl_with left the list alone */
	uint32_t items[] = {2, 3, 4};
	double rel[] = {1.0, 0.9, 0.5};
	size_t pick[3];
	CHECK_INT(lmrec_calib_rerank(&c, items, rel, 3, 2, 0.0, pick), 2);
	CHECK_INT(pick[0], 0);
	CHECK_INT(pick[1], 1);
	lmrec_calib_rerank(&c, items, rel, 3, 2, 0.16, pick);
	CHECK_INT(pick[1], 1);
	lmrec_calib_rerank(&c, items, rel, 3, 2, 0.18, pick);
	CHECK_INT(pick[0], 0);
	CHECK_INT(pick[1], 2);
	CHECK(NEAR(lmrec_calib_kl(&c), 0.0));
	/* the whole list, then fewer candidates than top */
	CHECK_INT(lmrec_calib_rerank(&c, items, rel, 3, 10, 0.5, pick), 3);
	CHECK_INT(pick[0], 0);
	CHECK_INT(pick[1], 2);
	CHECK_INT(pick[2], 1);
	lmrec_calib_free(&c);
	lmrec_genres_free(&gs);
}

/* Multi-genre shares, genre-less items, repeats, and no target. */
static void test_target_shares(void)
{
	static const char *const spec[] = {"AB", "B", "", "C", "ABC"};
	struct lmrec_genres gs;
	make_genres(&gs, spec, 5, 3);
	CHECK_INT(lmrec_genres_count_items(&gs), 4);
	struct lmrec_calib c;
	lmrec_calib_init(&c, &gs, LMREC_CALIB_ALPHA);
	/* AB, B, none, B again, and an index beyond the table: p = (1/6, 5/6, 0) */
	uint32_t hist[] = {0, 1, 2, 1, 99};
	CHECK_INT(lmrec_calib_target(&c, hist, 5), 3);
	CHECK(NEAR(c.p[0], 0.5 / 3));
	CHECK(NEAR(c.p[1], 2.5 / 3));
	CHECK(c.p[2] == 0);
	CHECK_INT(c.nsupp, 2);
	/* adding C changes nothing of the support's terms but their scale */
	lmrec_calib_add(&c, 4); /* q = (1/3, 1/3, 1/3) */
	double want = 0;
	for (int g = 0; g < 2; g++) {
		double p = c.p[g];
		want += p * log(p / (0.99 / 3 + 0.01 * p));
	}
	CHECK(NEAR(lmrec_calib_kl(&c), want));
	CHECK(NEAR(lmrec_calib_kl_with(&c, 2), want)); /* no genre: the list as is */
	/* a new target clears the old one and the list */
	uint32_t h2[] = {3};
	CHECK_INT(lmrec_calib_target(&c, h2, 1), 1);
	CHECK(c.p[0] == 0 && c.p[1] == 0 && c.p[2] == 1);
	CHECK_INT(c.m, 0);
	CHECK(NEAR(lmrec_calib_kl(&c), log(100.0)));
	/* no target: every divergence is 0 */
	uint32_t none[] = {2};
	CHECK_INT(lmrec_calib_target(&c, none, 1), 0);
	CHECK(lmrec_calib_kl(&c) == 0);
	CHECK(lmrec_calib_kl_with(&c, 0) == 0);
	lmrec_calib_free(&c);
	lmrec_genres_free(&gs);
}

/* The incremental divergence equals the dense formula along random lists. */
static void test_incremental_against_formula(void)
{
	struct lmrec_rng r;
	lmrec_rng_seed(&r, 5);
	size_t bad = 0;
	for (int t = 0; t < 300; t++) {
		size_t n = 1 + (size_t)lmrec_rng_below(&r, 30), ng = 1 + (size_t)lmrec_rng_below(&r, 8);
		struct lmrec_genres gs;
		random_genres(&gs, &r, n, ng);
		struct lmrec_calib c;
		lmrec_calib_init(&c, &gs, LMREC_CALIB_ALPHA);
		uint32_t hist[10], list[12];
		size_t nh = (size_t)lmrec_rng_below(&r, 10);
		for (size_t j = 0; j < nh; j++)
			hist[j] = (uint32_t)lmrec_rng_below(&r, n);
		double *p = lmrec_xcalloc(ng, sizeof *p), *q = lmrec_xcalloc(ng, sizeof *q);
		int has_p = dense_mix(&gs, hist, nh, p) > 0;
		lmrec_calib_target(&c, hist, nh);
		for (size_t len = 0; len < 12; len++) {
			uint32_t next = (uint32_t)lmrec_rng_below(&r, n);
			list[len] = next;
			dense_mix(&gs, list, len + 1, q);
			double want = has_p ? dense_kl(p, q, ng, 0.01) : 0;
			bad += !NEAR(lmrec_calib_kl_with(&c, next), want);
			lmrec_calib_add(&c, next);
			bad += !NEAR(lmrec_calib_kl(&c), want);
		}
		free(p);
		free(q);
		lmrec_calib_free(&c);
		lmrec_genres_free(&gs);
	}
	CHECK_INT(bad, 0);
}

/* The greedy re-ranking against the slow greedy, and against brute force
 * over every list where greedy is exact. */
static void test_greedy_against_slow(void)
{
	struct lmrec_rng r;
	lmrec_rng_seed(&r, 9);
	size_t bad = 0, bad_brute = 0, moved = 0;
	static const double lambdas[] = {0, 0.1, 0.3, 0.5, 0.9, 1};
	for (int t = 0; t < 400; t++) {
		size_t n = 1 + (size_t)lmrec_rng_below(&r, 7), ng = 1 + (size_t)lmrec_rng_below(&r, 4);
		size_t ni = n + 6;
		struct lmrec_genres gs;
		random_genres(&gs, &r, ni, ng);
		uint32_t hist[6], items[8];
		size_t nh = (size_t)lmrec_rng_below(&r, 7);
		for (size_t j = 0; j < nh; j++)
			hist[j] = (uint32_t)(n + j % 6);
		double rel[8];
		for (size_t j = 0; j < n; j++) {
			items[j] = (uint32_t)j;
			rel[j] = (double)lmrec_rng_below(&r, 1000) / 1000.0;
		}
		struct lmrec_calib c;
		lmrec_calib_init(&c, &gs, LMREC_CALIB_ALPHA);
		lmrec_calib_target(&c, hist, nh);
		size_t top = 1 + (size_t)lmrec_rng_below(&r, n + 1), plain[8];
		size_t np = lmrec_calib_rerank(&c, items, rel, n, top, 0, plain);
		for (size_t l = 0; l < sizeof lambdas / sizeof *lambdas; l++) {
			double lambda = lambdas[l];
			size_t fast[8], slow[8];
			size_t nf = lmrec_calib_rerank(&c, items, rel, n, top, lambda, fast);
			moved += memcmp(fast, plain, np * sizeof *fast) != 0;
			size_t ns = slow_greedy(&gs, hist, nh, items, rel, n, top, lambda, slow);
			if (nf != ns || memcmp(fast, slow, nf * sizeof *fast) != 0)
				bad++;
			/* brute force over every list of one item, and over every
			 * ordered list of top items when lambda is 0 */
			if (top == 1 || lambda == 0) {
				size_t cur[8];
				double best = -INFINITY;
				size_t len = top < n ? top : n;
				/* enumerate injective maps [len] -> [n] as base-n counters */
				size_t total = 1;
				for (size_t j = 0; j < len; j++)
					total *= n;
				for (size_t code = 0; code < total; code++) {
					size_t x = code;
					unsigned used = 0;
					int ok = 1;
					for (size_t j = 0; j < len; j++) {
						cur[j] = x % n;
						x /= n;
						if (used >> cur[j] & 1)
							ok = 0;
						used |= 1u << cur[j];
					}
					if (!ok)
						continue;
					double v = objective(&gs, hist, nh, items, rel, cur, len, lambda);
					if (v > best)
						best = v;
				}
				double got = objective(&gs, hist, nh, items, rel, fast, nf, lambda);
				bad_brute += !NEAR(got, best);
			}
		}
		lmrec_calib_free(&c);
		lmrec_genres_free(&gs);
	}
	CHECK_INT(bad, 0);
	CHECK_INT(bad_brute, 0);
	CHECK(moved > 100); /* calibration did change lists */
}

/* Genres from an items stream: the category column, or an attribute's values. */
static void test_from_catalog(void)
{
	check_tmpdir();
	check_write_str("items.tsv", "item\tcategory\tattrs\n"
				     "m1\tDrama\tgenre=Drama;genre=Comedy;year=1995\n"
				     "m2\tAction\tgenre=Action\n"
				     "m3\t\tyear=2001\n"
				     "m4\tDrama\tgenre=Comedy;genre=Comedy\n");
	struct lmrec_catalog cat;
	lmrec_catalog_load(&cat, "items.tsv");
	struct lmrec_ids *items = lmrec_ids_new();
	/* an order of its own, and an item the catalog lacks */
	lmrec_ids_intern(items, "m4", 2);
	lmrec_ids_intern(items, "zz", 2);
	lmrec_ids_intern(items, "m1", 2);
	lmrec_ids_intern(items, "m3", 2);
	lmrec_ids_intern(items, "m2", 2);
	struct lmrec_genres gs;
	lmrec_genres_from_catalog(&gs, &cat, NULL, items);
	CHECK_INT(gs.n, 5);
	CHECK_INT(gs.ng, 2); /* Drama, Action */
	uint64_t ptr[] = {0, 1, 1, 2, 2, 3};
	uint32_t genre[] = {0, 0, 1};
	CHECK_MEM(gs.ptr, sizeof ptr, ptr, sizeof ptr);
	CHECK_MEM(gs.genre, gs.ptr[5] * sizeof *gs.genre, genre, sizeof genre);
	CHECK_INT(lmrec_genres_count_items(&gs), 3);
	lmrec_genres_free(&gs);
	lmrec_genres_from_catalog(&gs, &cat, "genre", items);
	/* values: Drama 0, Comedy 1, 1995 2, Action 3, 2001 4; m4's repeat counts once */
	CHECK_INT(gs.ng, 5);
	uint64_t ptr2[] = {0, 1, 1, 3, 3, 4};
	uint32_t genre2[] = {1, 0, 1, 3};
	CHECK_MEM(gs.ptr, sizeof ptr2, ptr2, sizeof ptr2);
	CHECK_MEM(gs.genre, gs.ptr[5] * sizeof *gs.genre, genre2, sizeof genre2);
	lmrec_genres_free(&gs);
	lmrec_genres_from_catalog(&gs, &cat, "mood", items);
	CHECK_INT(lmrec_genres_count_items(&gs), 0);
	lmrec_genres_free(&gs);
	lmrec_genres_free(NULL);
	lmrec_ids_free(items);
	lmrec_catalog_free(&cat);
}

int main(void)
{
	CHECK_RUN(test_hand_computed);
	CHECK_RUN(test_target_shares);
	CHECK_RUN(test_incremental_against_formula);
	CHECK_RUN(test_greedy_against_slow);
	CHECK_RUN(test_from_catalog);
	return check_done();
}

/* Unit tests of lib/objectives.c: value parsing and scaling, the
 * discovery of an item by hand and against sets written out densely, and
 * a list's five scores by hand and against a slow version that computes
 * each from its definition (the calibration from dense genre mixes, with
 * no use of lib/calibrate.c's incremental state). */
#include <math.h>

#include "calibrate.h"
#include "check.h"
#include "genres.h"
#include "objectives.h"

#define NEAR(a, b) (fabs((a) - (b)) <= 1e-12 * (1 + fabs(b)))
/* equal, or both NAN */
#define SAME(a, b) ((isnan(a) && isnan(b)) || NEAR(a, b))

/* 1 when item i has genre g, by a linear search. */
static int has_genre(const struct lmrec_genres *gs, uint32_t i, uint32_t g)
{
	if (i >= gs->n)
		return 0;
	for (uint64_t k = gs->ptr[i]; k < gs->ptr[i + 1]; k++)
		if (gs->genre[k] == g)
			return 1;
	return 0;
}

/* ---- the obviously correct versions ---- */

/* new(i): for each genre of i, is any history item of it? */
static double slow_new(const struct lmrec_genres *gs, const uint32_t *hist, size_t nh, uint32_t i)
{
	size_t k = 0, fresh = 0;
	for (uint32_t g = 0; g < gs->ng; g++) {
		if (!has_genre(gs, i, g))
			continue;
		k++;
		int seen = 0;
		for (size_t h = 0; h < nh; h++)
			seen |= has_genre(gs, hist[h], g);
		fresh += !seen;
	}
	return k ? (double)fresh / (double)k : 0.0;
}

/* The dense mean genre mix of items (those without a genre left out). */
static size_t dense_mix(const struct lmrec_genres *gs, const uint32_t *items, size_t n, double *out)
{
	for (size_t g = 0; g < gs->ng; g++)
		out[g] = 0;
	size_t used = 0;
	for (size_t j = 0; j < n; j++) {
		size_t k = 0;
		for (uint32_t g = 0; g < gs->ng; g++)
			k += (size_t)has_genre(gs, items[j], g);
		if (!k)
			continue;
		used++;
		for (uint32_t g = 0; g < gs->ng; g++)
			if (has_genre(gs, items[j], g))
				out[g] += 1.0 / (double)k;
	}
	for (size_t g = 0; g < gs->ng && used; g++)
		out[g] /= (double)used;
	return used;
}

/* The distance of the tests: |a - b| / 10 for items below 10, unknown for
 * the others. */
static double toy_dist(const void *ctx, uint32_t a, uint32_t b)
{
	(void)ctx;
	if (a >= 10 || b >= 10)
		return NAN;
	return fabs((double)a - (double)b) / 10.0;
}

static void slow_score(const struct lmrec_genres *dg, const struct lmrec_genres *cg,
		       const uint32_t *hist, size_t nh, const uint32_t *items, const double *score,
		       size_t n, double smin, double smax, const double *value, size_t nvalue,
		       struct lmrec_objscore *out)
{
	double rel = 0, disc = 0, val = 0, dsum = 0;
	size_t pairs = 0;
	for (size_t j = 0; j < n; j++) {
		rel += smax > smin ? (score[j] - smin) / (smax - smin) : 1.0;
		disc += slow_new(dg, hist, nh, items[j]);
		val += items[j] < nvalue ? value[items[j]] : 0;
		for (size_t k = 0; k < n; k++)
			if (k > j && !isnan(toy_dist(NULL, items[j], items[k]))) {
				dsum += toy_dist(NULL, items[j], items[k]);
				pairs++;
			}
	}
	out->relevance = n ? rel / (double)n : NAN;
	out->discovery = n ? disc / (double)n : NAN;
	out->value = n ? val / (double)n : NAN;
	out->diversity = pairs ? dsum / (double)pairs : NAN;
	double *p = lmrec_xcalloc(cg->ng + 1, sizeof *p), *q = lmrec_xcalloc(cg->ng + 1, sizeof *q);
	out->calibration = NAN;
	if (n && dense_mix(cg, hist, nh, p)) {
		dense_mix(cg, items, n, q);
		double kl = 0;
		for (size_t g = 0; g < cg->ng; g++)
			if (p[g] > 0)
				kl += p[g] * log(p[g] / (0.99 * q[g] + 0.01 * p[g]));
		out->calibration = 1 - kl / log(100.0);
	}
	free(p);
	free(q);
}

/* ---- tests ---- */

static void test_value_parse(void)
{
	double x = -1;
	CHECK_INT(lmrec_value_parse("0.35", 4, &x), LMREC_VALUE_NUMBER);
	CHECK(x == 0.35);
	CHECK_INT(lmrec_value_parse("-2e1", 4, &x), LMREC_VALUE_NUMBER);
	CHECK(x == -20);
	CHECK_INT(lmrec_value_parse("low", 3, &x), LMREC_VALUE_WORD);
	CHECK(x == 0);
	CHECK_INT(lmrec_value_parse("mid", 3, &x), LMREC_VALUE_WORD);
	CHECK(x == 0.5);
	CHECK_INT(lmrec_value_parse("high", 4, &x), LMREC_VALUE_WORD);
	CHECK(x == 1);
	CHECK_INT(lmrec_value_parse("free", 4, &x), LMREC_VALUE_WORD);
	CHECK(x == 0);
	/* the length counts, not a NUL */
	CHECK_INT(lmrec_value_parse("highest", 4, &x), LMREC_VALUE_WORD);
	CHECK_INT(lmrec_value_parse("highest", 7, &x), -1);
	CHECK_INT(lmrec_value_parse("High", 4, &x), -1);
	CHECK_INT(lmrec_value_parse("cheap", 5, &x), -1);
	CHECK_INT(lmrec_value_parse("", 0, &x), -1);
	CHECK_INT(lmrec_value_parse("nan", 3, &x), -1);
	CHECK_INT(lmrec_value_parse("1e999", 5, &x), -1);
	CHECK_INT(lmrec_value_parse("1.5x", 4, &x), -1);
}

static void test_value_scale(void)
{
	double v[] = {2, 7, 99, 4.5, -3};
	unsigned char has[] = {1, 1, 0, 1, 0};
	lmrec_value_scale(v, has, 5);
	CHECK(v[0] == 0);
	CHECK(v[1] == 1);
	CHECK(v[2] == 0);
	CHECK(NEAR(v[3], 0.5));
	CHECK(v[4] == 0);
	double e[] = {3, 3, 8};
	unsigned char he[] = {1, 1, 0};
	lmrec_value_scale(e, he, 3); /* all equal: 1 */
	CHECK(e[0] == 1 && e[1] == 1 && e[2] == 0);
	lmrec_value_scale(e, he, 0); /* nothing */
}

/* History of A and AB; candidates C (new), AC (half), B (known), none. */
static void test_novelty_hand(void)
{
	static const char *const spec[] = {"A", "AB", "C", "AC", "B", ""};
	struct lmrec_genres gs;
	make_genres(&gs, spec, 6, 3);
	struct lmrec_novelty d;
	lmrec_novelty_init(&d, &gs);
	uint32_t hist[] = {0, 1, 1, 99};
	lmrec_novelty_target(&d, hist, 4);
	CHECK(lmrec_novelty_of(&d, 2) == 1);
	CHECK(lmrec_novelty_of(&d, 3) == 0.5);
	CHECK(lmrec_novelty_of(&d, 4) == 0);
	CHECK(lmrec_novelty_of(&d, 5) == 0);
	CHECK(lmrec_novelty_of(&d, 77) == 0);
	/* a new target forgets the old one; no history: every genre new */
	lmrec_novelty_target(&d, hist, 0);
	CHECK(lmrec_novelty_of(&d, 4) == 1);
	CHECK(lmrec_novelty_of(&d, 3) == 1);
	uint32_t h2[] = {2};
	lmrec_novelty_target(&d, h2, 1);
	CHECK(lmrec_novelty_of(&d, 3) == 0.5);
	CHECK(lmrec_novelty_of(&d, 1) == 1);
	lmrec_novelty_free(&d);
	lmrec_novelty_free(NULL);
	lmrec_genres_free(&gs);
}

/* The scores of a hand-computed list. Discovery by category (one genre an
 * item), calibration by genre. */
static void test_score_hand(void)
{
	/* items 0..3 candidates, 4 the history */
	static const char *const cat[] = {"A", "A", "B", "C", "A"};
	static const char *const gen[] = {"A", "A", "B", "AB", "AB"};
	struct lmrec_genres dg, cg;
	make_genres(&dg, cat, 5, 3);
	make_genres(&cg, gen, 5, 2);
	struct lmrec_novelty d;
	lmrec_novelty_init(&d, &dg);
	struct lmrec_calib c;
	lmrec_calib_init(&c, &cg, LMREC_CALIB_ALPHA);
	uint32_t hist[] = {4};
	lmrec_novelty_target(&d, hist, 1);
	uint32_t items[] = {0, 2, 3};
	double score[] = {2, 1, 0.5}, value[] = {0.2, 0.9, 0.4, 1.0};
	struct lmrec_objlist l = {items, score, 3, 0, 2, toy_dist, NULL, &d, value, 4, &c, hist, 1};
	struct lmrec_objscore s;
	lmrec_objectives_score(&l, &s);
	/* relevance (1 + 0.5 + 0.25) / 3; distances 0.2, 0.3, 0.1;
	 * discovery (0 + 1 + 1) / 3; value (0.2 + 0.4 + 1) / 3;
	 * p = (1/2, 1/2), q = (1/2, 1/2): KL 0 */
	CHECK(NEAR(s.relevance, 1.75 / 3));
	CHECK(NEAR(s.diversity, 0.2));
	CHECK(NEAR(s.discovery, 2.0 / 3));
	CHECK(NEAR(s.value, 1.6 / 3));
	CHECK(NEAR(s.calibration, 1.0));
	/* without the optional parts, or the list: NAN; equal scores: 1 */
	uint32_t far[] = {0, 12};
	struct lmrec_objlist m = {far, score, 2, 1, 1, toy_dist, NULL, NULL, NULL, 0, NULL, NULL, 0};
	lmrec_objectives_score(&m, &s);
	CHECK(s.relevance == 1);
	CHECK(isnan(s.diversity) && isnan(s.discovery) && isnan(s.value) && isnan(s.calibration));
	m.n = 0;
	lmrec_objectives_score(&m, &s);
	CHECK(isnan(s.relevance));
	/* a list of A alone against p = (1/2, 1/2): KL 1.9576... */
	uint32_t aa[] = {0, 1};
	struct lmrec_objlist a = {aa, score, 2, 0, 2, NULL, NULL, NULL, NULL, 0, &c, hist, 1};
	lmrec_objectives_score(&a, &s);
	double kl = 0.5 * log(0.5 / 0.995) + 0.5 * log(0.5 / 0.005);
	CHECK(NEAR(s.calibration, 1 - kl / log(100.0)));
	/* a user without a target */
	a.nhist = 0;
	lmrec_objectives_score(&a, &s);
	CHECK(isnan(s.calibration));
	lmrec_calib_free(&c);
	lmrec_novelty_free(&d);
	lmrec_genres_free(&dg);
	lmrec_genres_free(&cg);
}

/* Random catalogs, histories and lists against the slow versions. */
static void test_against_slow(void)
{
	struct lmrec_rng r;
	lmrec_rng_seed(&r, 11);
	for (int trial = 0; trial < 300; trial++) {
		size_t n = 1 + (size_t)lmrec_rng_below(&r, 25);
		struct lmrec_genres dg, cg;
		random_genres(&dg, &r, n, 1 + (size_t)lmrec_rng_below(&r, 6));
		random_genres(&cg, &r, n, 1 + (size_t)lmrec_rng_below(&r, 6));
		struct lmrec_novelty d;
		lmrec_novelty_init(&d, &dg);
		struct lmrec_calib c;
		lmrec_calib_init(&c, &cg, LMREC_CALIB_ALPHA);
		size_t nh = (size_t)lmrec_rng_below(&r, 8), len = (size_t)lmrec_rng_below(&r, 9);
		uint32_t hist[8], items[8];
		double score[8], value[25];
		for (size_t j = 0; j < nh; j++) /* an index past the table now and then */
			hist[j] = (uint32_t)lmrec_rng_below(&r, n + 2);
		for (size_t j = 0; j < len; j++) {
			items[j] = (uint32_t)lmrec_rng_below(&r, n + 1);
			score[j] = lmrec_rng_double(&r) * 4 - 1;
		}
		size_t nvalue = (size_t)lmrec_rng_below(&r, n + 1);
		for (size_t j = 0; j < nvalue; j++)
			value[j] = lmrec_rng_double(&r);
		double smin = -1, smax = trial % 7 ? 3 : -1; /* sometimes all equal */
		lmrec_novelty_target(&d, hist, nh);
		struct lmrec_objlist l = {items, score, len, smin, smax, toy_dist, NULL, &d,
					  value, nvalue, &c, hist, nh};
		struct lmrec_objscore got, want;
		lmrec_objectives_score(&l, &got);
		slow_score(&dg, &cg, hist, nh, items, score, len, smin, smax, value, nvalue, &want);
		CHECK(SAME(got.relevance, want.relevance));
		CHECK(SAME(got.diversity, want.diversity));
		CHECK(SAME(got.discovery, want.discovery));
		CHECK(SAME(got.value, want.value));
		CHECK(SAME(got.calibration, want.calibration));
		for (uint32_t i = 0; i < n + 1; i++)
			CHECK(NEAR(lmrec_novelty_of(&d, i), slow_new(&dg, hist, nh, i)));
		lmrec_calib_free(&c);
		lmrec_novelty_free(&d);
		lmrec_genres_free(&dg);
		lmrec_genres_free(&cg);
	}
}

int main(void)
{
	CHECK_RUN(test_value_parse);
	CHECK_RUN(test_value_scale);
	CHECK_RUN(test_novelty_hand);
	CHECK_RUN(test_score_hand);
	CHECK_RUN(test_against_slow);
	return check_done();
}

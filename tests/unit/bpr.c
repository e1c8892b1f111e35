/* Unit tests of lib/bpr.c: the gradient of one triple against central
 * finite differences of its own value (every component, large |x| where
 * the stable ln sigmoid matters included), and the training loop:
 * deterministic for a seed, and it learns a planted problem. */
#include <float.h>
#include <math.h>

#include "bpr.h"
#include "check.h"
#include "csr.h"

enum { K = 6 };

/* A float in [-range, range) on a grid of 2^-12: a parameter plus or minus
 * the step below is exactly a float too, so the differences are of the
 * function itself, not of rounding the perturbed input. */
static float grid(struct lmrec_rng *rng, double range)
{
	return (float)(ldexp(floor(ldexp((lmrec_rng_double(rng) * 2.0 - 1.0) * range, 12)), -12));
}

struct triple {
	float x[K], yi[K], yj[K], bi, bj;
};

static double value(const struct triple *t)
{
	float gx[K], gi[K], gj[K], gbi, gbj;
	return lmrec_bpr_triple(t->x, t->yi, t->yj, t->bi, t->bj, K, gx, gi, gj, &gbi, &gbj);
}

/* The parameter number p of the triple (x, yi, yj, bi, bj in that order). */
static float *param(struct triple *t, size_t p)
{
	if (p < K)
		return &t->x[p];
	if (p < 2 * (size_t)K)
		return &t->yi[p - K];
	if (p < 3 * (size_t)K)
		return &t->yj[p - 2 * (size_t)K];
	return p == 3 * (size_t)K ? &t->bi : &t->bj;
}

/* ln sigmoid in long double, written the obvious way where it is safe. */
static long double ref_log_sigmoid(long double x)
{
	return x > 0 ? -log1pl(expl(-x)) : x - log1pl(expl(x));
}

static void test_gradient(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 31);
	const double h = ldexp(1.0, -12);
	size_t bad = 0, checked = 0, bad_value = 0;
	double worst = 0, x_min = INFINITY, x_max = -INFINITY;
	for (int t = 0; t < 600; t++) {
		struct triple tr;
		/* scales from small to large |x|, up to about +-65: beyond +88 the
		 * gradient e^-x is a denormal float, precise to a few digits only */
		double range = t % 4 == 0 ? 0.3 : t % 4 == 1 ? 1.0 : t % 4 == 2 ? 2.0 : 1.0;
		for (size_t f = 0; f < K; f++) {
			tr.x[f] = grid(&rng, range);
			tr.yi[f] = grid(&rng, range);
			tr.yj[f] = grid(&rng, range);
		}
		tr.bi = grid(&rng, t % 4 == 3 ? 30.0 : 1.0);
		tr.bj = grid(&rng, t % 4 == 3 ? 30.0 : 1.0);
		if (t % 50 == 0) /* a factor with yi = yj: its x gradient is 0 */
			tr.yj[0] = tr.yi[0];
		float gx[K], gi[K], gj[K], gbi, gbj;
		double f0 = lmrec_bpr_triple(tr.x, tr.yi, tr.yj, tr.bi, tr.bj, K, gx, gi, gj, &gbi, &gbj);
		/* the value against ln sigmoid of x computed here */
		long double x = (long double)tr.bi - tr.bj;
		for (size_t f = 0; f < K; f++)
			x += (long double)tr.x[f] * ((long double)tr.yi[f] - tr.yj[f]);
		x_min = (double)x < x_min ? (double)x : x_min;
		x_max = (double)x > x_max ? (double)x : x_max;
		long double lv = ref_log_sigmoid(x);
		bad_value += !(fabsl((long double)f0 - lv) <= 1e-12L * fabsl(lv) + 1e-300L);
		for (size_t p = 0; p < 3 * K + 2; p++) {
			float g = p < K ? gx[p]
				  : p < 2 * (size_t)K ? gi[p - K]
				  : p < 3 * (size_t)K ? gj[p - 2 * (size_t)K]
				  : p == 3 * (size_t)K ? gbi : gbj;
			float *q = param(&tr, p), keep = *q;
			*q = (float)(keep + h);
			CHECK((double)*q == keep + h); /* exact */
			double fp = value(&tr);
			*q = (float)(keep - h);
			double fm = value(&tr);
			*q = keep;
			double fd = (fp - fm) / (2 * h);
			double err = fabs(g - fd);
			double scale = fabs(fd) > fabs((double)g) ? fabs(fd) : fabs((double)g);
			int ok = err <= 1e-4 * scale || (g == 0.0f && fabs(fd) <= 1e-300);
			if (!ok && bad < 5)
				printf("# triple %d, parameter %zu: gradient %.9g, finite difference %.9g (x = %g)\n",
				       t, p, (double)g, fd, (double)x);
			bad += !ok;
			if (scale > 0)
				worst = err / scale > worst ? err / scale : worst;
			checked++;
		}
	}
	CHECK_U64(bad, 0);
	CHECK_U64(bad_value, 0);
	CHECK_U64(checked, 600 * (3 * K + 2));
	printf("# %zu components, worst relative error %.3g, x from %.1f to %.1f\n", checked, worst,
	       x_min, x_max);
	CHECK(x_min < -40 && x_max > 40); /* the tails were reached */
}

/* The far tails: the value stays finite and exact, where a naive
 * log(1 / (1 + exp(-x))) would give -inf or 0. */
static void test_tails(void)
{
	static const float big[] = {-1000.0f, -100.0f, -40.0f, 0.0f, 40.0f, 100.0f, 1000.0f};
	for (size_t t = 0; t < sizeof big / sizeof *big; t++) {
		float x[1] = {1.0f}, yi[1] = {big[t]}, yj[1] = {0.0f}, gx[1], gi[1], gj[1], gbi, gbj;
		double v = lmrec_bpr_triple(x, yi, yj, 0.0f, 0.0f, 1, gx, gi, gj, &gbi, &gbj);
		long double want = ref_log_sigmoid(big[t]);
		CHECK(isfinite(v));
		CHECK(fabsl((long double)v - want) <= 1e-15L * fabsl(want) + 1e-300L);
		/* d/dx ln sigmoid(x) = sigmoid(-x), in [0, 1] */
		double s = 1.0 / (1.0 + exp((double)big[t]));
		CHECK(fabs((double)gbi - s) <= 1e-7 * s + FLT_TRUE_MIN && gbj == -gbi);
		CHECK(gbi >= 0.0f && gbi <= 1.0f);
	}
	/* ln sigmoid(-1000) = -1000 (to the last digit), ln sigmoid(40) = -e^-40 */
	float x[1] = {1.0f}, yi[1] = {-1000.0f}, yj[1] = {0.0f}, gx[1], gi[1], gj[1], gbi, gbj;
	CHECK(lmrec_bpr_triple(x, yi, yj, 0.0f, 0.0f, 1, gx, gi, gj, &gbi, &gbj) == -1000.0);
	yi[0] = 40.0f;
	CHECK(fabs(lmrec_bpr_triple(x, yi, yj, 0.0f, 0.0f, 1, gx, gi, gj, &gbi, &gbj) + exp(-40.0)) <=
	      1e-15 * exp(-40.0));
}

/* ---- training ---- */

/* A planted problem: users and items in G groups; users interact with
 * items of their own group. */
enum { NU = 60, NI = 40, G = 4 };

static void planted(struct lmrec_csr *ui, struct lmrec_rng *rng)
{
	uint32_t r[NU * NI], c[NU * NI];
	size_t n = 0;
	for (uint32_t u = 0; u < NU; u++)
		for (uint32_t i = 0; i < NI; i++)
			if (u % G == i % G && lmrec_rng_below(rng, 10) < 6) {
				r[n] = u;
				c[n] = i;
				n++;
			}
	lmrec_csr_build(ui, NU, NI, r, c, NULL, n, LMREC_DUP_ONE);
}

/* The mean ln sigmoid over every (u, i, j): i seen by u, j not. */
static double mean_log_sigmoid(const float *X, const float *Y, const float *bias,
			       const struct lmrec_csr *ui, size_t k)
{
	double sum = 0;
	size_t n = 0;
	for (size_t u = 0; u < ui->rows; u++)
		for (uint64_t p = ui->ptr[u]; p < ui->ptr[u + 1]; p++)
			for (size_t j = 0; j < ui->cols; j++) {
				int seen = 0;
				for (uint64_t q = ui->ptr[u]; q < ui->ptr[u + 1]; q++)
					seen |= ui->idx[q] == j;
				if (seen)
					continue;
				size_t i = ui->idx[p];
				long double x = (long double)bias[i] - bias[j];
				for (size_t f = 0; f < k; f++)
					x += (long double)X[u * k + f] * ((long double)Y[i * k + f] - Y[j * k + f]);
				sum += (double)ref_log_sigmoid(x);
				n++;
			}
	return sum / (double)n;
}

struct progress {
	size_t calls, last_epoch;
	double first, last;
};

static void on_epoch(void *ctx, size_t epoch, double obj)
{
	struct progress *p = ctx;
	if (p->calls == 0)
		p->first = obj;
	p->calls++;
	p->last_epoch = epoch;
	p->last = obj;
}

static void init_factors(float *F, size_t n, uint64_t seed)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, seed);
	for (size_t i = 0; i < n; i++)
		F[i] = (float)(0.1 * lmrec_rng_normal(&rng));
}

static void test_fit(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 41);
	struct lmrec_csr ui;
	planted(&ui, &rng);
	enum { KF = 8 };
	struct lmrec_bpr_params p = {KF, 0.05, 0.001, 30, 77};
	float X[2][NU * KF], Y[2][NI * KF], b[2][NI];
	for (int run = 0; run < 2; run++) {
		init_factors(X[run], (size_t)NU * KF, 1);
		init_factors(Y[run], (size_t)NI * KF, 2);
		memset(b[run], 0, sizeof b[run]);
	}
	double before = mean_log_sigmoid(X[0], Y[0], b[0], &ui, KF);
	struct progress pr = {0};
	lmrec_bpr_fit(X[0], Y[0], b[0], &ui, &p, on_epoch, &pr);
	lmrec_bpr_fit(X[1], Y[1], b[1], &ui, &p, NULL, NULL);
	/* the same seed, the same bytes */
	CHECK(check_same_bits(X[0], X[1], sizeof X[0]));
	CHECK(check_same_bits(Y[0], Y[1], sizeof Y[0]));
	CHECK(check_same_bits(b[0], b[1], sizeof b[0]));
	double after = mean_log_sigmoid(X[0], Y[0], b[0], &ui, KF);
	printf("# mean ln sigmoid over every triple: %.4f before, %.4f after; per epoch %.4f -> %.4f\n",
	       before, after, pr.first, pr.last);
	CHECK(before < -0.68 && before > -0.71); /* ln(1/2): nothing learned */
	CHECK(after > -0.2);                      /* the groups are learned */
	CHECK_U64(pr.calls, 30);
	CHECK_U64(pr.last_epoch, 30);
	CHECK(pr.last > pr.first);
	/* every user ranks all items of its own group above all others */
	size_t wrong = 0;
	for (size_t u = 0; u < NU; u++) {
		float worst_in = INFINITY, best_out = -INFINITY;
		for (size_t i = 0; i < NI; i++) {
			float s = b[0][i];
			for (size_t f = 0; f < KF; f++)
				s += X[0][u * KF + f] * Y[0][i * KF + f];
			if (u % G == i % G)
				worst_in = s < worst_in ? s : worst_in;
			else
				best_out = s > best_out ? s : best_out;
		}
		wrong += !(worst_in > best_out);
	}
	CHECK_U64(wrong, 0);

	/* another seed, another model */
	p.seed = 78;
	init_factors(X[1], (size_t)NU * KF, 1);
	init_factors(Y[1], (size_t)NI * KF, 2);
	memset(b[1], 0, sizeof b[1]);
	lmrec_bpr_fit(X[1], Y[1], b[1], &ui, &p, NULL, NULL);
	CHECK(!check_same_bits(X[0], X[1], sizeof X[0]));

	/* nothing to learn from: no interactions, or a single item */
	struct lmrec_csr empty;
	lmrec_csr_build(&empty, NU, NI, NULL, NULL, NULL, 0, LMREC_DUP_ONE);
	memcpy(X[1], X[0], sizeof X[0]);
	pr.calls = 0;
	lmrec_bpr_fit(X[1], Y[1], b[1], &empty, &p, on_epoch, &pr);
	CHECK(check_same_bits(X[1], X[0], sizeof X[0]));
	CHECK_U64(pr.calls, 0);
	lmrec_csr_free(&empty);
	lmrec_csr_free(&ui);
}

/* A user who has every item has no negative: skipped, not looped on. */
static void test_user_with_everything(void)
{
	uint32_t r[5] = {0, 0, 0, 1, 1}, c[5] = {0, 1, 2, 0, 2};
	struct lmrec_csr ui;
	lmrec_csr_build(&ui, 2, 3, r, c, NULL, 5, LMREC_DUP_ONE);
	float X[2 * 2] = {0.1f, 0.2f, -0.1f, 0.3f}, Y[3 * 2] = {0.1f, 0, 0, 0.1f, 0.2f, 0.2f}, b[3] = {0};
	struct lmrec_bpr_params p = {2, 0.1, 0.0, 20, 5};
	float X0[4];
	memcpy(X0, X, sizeof X);
	lmrec_bpr_fit(X, Y, b, &ui, &p, NULL, NULL);
	CHECK(X[0] == X0[0] && X[1] == X0[1]); /* user 0 has all three items */
	CHECK(X[2] != X0[2] || X[3] != X0[3]);  /* user 1 learned */
	CHECK(b[0] > b[1] && b[2] > b[1]);       /* item 1 is user 1's negative */
	lmrec_csr_free(&ui);
}

int main(void)
{
	lmrec_setprogname("bpr");
	CHECK_RUN(test_gradient);
	CHECK_RUN(test_tails);
	CHECK_RUN(test_fit);
	CHECK_RUN(test_user_with_everything);
	return check_done();
}

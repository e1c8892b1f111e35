/* Unit tests of lib/dp.c: the noise of both mechanisms against their
 * distributions on many draws, the Gaussian calibration against its
 * defining condition and against an independent Monte Carlo estimate of δ,
 * the noise floor, the keyed noise's determinism, the refusals.
 *
 * Statistical checks and their false-failure probabilities (for a seed
 * drawn at random; the seeds here are fixed, so each check passes or fails
 * for good):
 *   - mean and variance of N draws within 6 standard errors: about 2e-9
 *     each (normal approximation, N = 10^6);
 *   - the Kolmogorov-Smirnov distance sup |F_N - F| at most
 *     t = sqrt(ln(2/1e-9) / (2N)): at most 1e-9 by the Dvoretzky-Kiefer-
 *     Wolfowitz inequality (Massart's constant), exact for any N. The
 *     quantiles checked below are read off the same empirical distribution,
 *     so they are within t too: |F(q_p) - p| <= t. */
#include <math.h>

#include "check.h"
#include "dp.h"

enum { N = 1000000 };

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;
	return a < b ? -1 : a > b;
}

static double laplace_cdf(double x, double b)
{
	return x < 0 ? 0.5 * exp(x / b) : 1 - 0.5 * exp(-x / b);
}

static double gauss_cdf(double x, double s)
{
	return lmrec_dp_phi(x / s);
}

/* Checks the N draws x (sorted here) against a distribution of mean 0,
 * variance var, fourth moment m4 and distribution function cdf(x, scale). */
static void check_draws(double *x, double var, double m4, double (*cdf)(double, double), double scale,
			const char *what)
{
	double sum = 0, sum2 = 0;
	size_t bad = 0;
	for (size_t k = 0; k < N; k++) {
		bad += !isfinite(x[k]);
		sum += x[k];
		sum2 += x[k] * x[k];
	}
	CHECK_U64(bad, 0);
	double mean = sum / N, v = sum2 / N - mean * mean;
	double se_mean = sqrt(var / N), se_var = sqrt((m4 - var * var) / N);
	if (fabs(mean) > 6 * se_mean || fabs(v - var) > 6 * se_var)
		printf("# %s: mean %g (se %g), variance %g against %g (se %g)\n", what, mean, se_mean, v, var, se_var);
	CHECK(fabs(mean) <= 6 * se_mean);
	CHECK(fabs(v - var) <= 6 * se_var);
	qsort(x, N, sizeof *x, cmp_double);
	double ks = 0;
	for (size_t k = 0; k < N; k++) {
		double f = cdf(x[k], scale);
		double d1 = fabs(f - (double)k / N), d2 = fabs(f - (double)(k + 1) / N);
		ks = d1 > ks ? d1 : ks;
		ks = d2 > ks ? d2 : ks;
	}
	double t = sqrt(log(2 / 1e-9) / (2.0 * N));
	if (ks > t)
		printf("# %s: Kolmogorov-Smirnov distance %g over %g\n", what, ks, t);
	CHECK(ks <= t);
	static const double ps[] = {0.001, 0.05, 0.25, 0.5, 0.75, 0.95, 0.999};
	for (size_t q = 0; q < sizeof ps / sizeof ps[0]; q++) {
		double at = x[(size_t)(ps[q] * N)];
		if (fabs(cdf(at, scale) - ps[q]) > t)
			printf("# %s: quantile %g is %g, where F is %g\n", what, ps[q], at, cdf(at, scale));
		CHECK(fabs(cdf(at, scale) - ps[q]) <= t);
	}
}

static void test_laplace_draws(void)
{
	struct lmrec_rng r;
	lmrec_rng_seed(&r, 11);
	double b = 2.5, *x = lmrec_xcalloc(N, sizeof *x);
	for (size_t k = 0; k < N; k++)
		x[k] = lmrec_dp_laplace(&r, b);
	/* Laplace(0, b): variance 2b^2, fourth moment 24b^4 */
	check_draws(x, 2 * b * b, 24 * b * b * b * b, laplace_cdf, b, "laplace");
	/* the 53-bit uniform keeps every value finite and within 36.8 b */
	CHECK(fabs(x[0]) <= 36.8 * b && fabs(x[N - 1]) <= 36.8 * b);
	free(x);
}

/* The keyed noise, one key after the other, as lmrec-similar draws it. */
static void test_keyed_noise(void)
{
	char *msg;
	for (int m = 0; m < 2; m++) {
		struct lmrec_dp dp;
		CHECK_INT(lmrec_dp_init(&dp, m, 0.7, m ? 1e-6 : 0, 3, sqrt(3), 42, &msg), 0);
		double s = dp.scale, *x = lmrec_xcalloc(N, sizeof *x), cov = 0;
		for (size_t k = 0; k < N; k++)
			x[k] = lmrec_dp_noise(&dp, 2, k);
		/* neighbouring keys are not correlated: |r| within 6/sqrt(N) */
		for (size_t k = 0; k + 1 < N; k++)
			cov += x[k] * x[k + 1];
		double var = m ? s * s : 2 * s * s;
		CHECK(fabs(cov / (N - 1) / var) <= 6 / sqrt((double)N));
		if (m == 0)
			check_draws(x, var, 24 * s * s * s * s, laplace_cdf, s, "keyed laplace");
		else
			check_draws(x, var, 3 * s * s * s * s, gauss_cdf, s, "keyed gaussian");
		free(x);
	}
}

static void test_keyed_determinism(void)
{
	char *msg;
	struct lmrec_dp a, b;
	CHECK_INT(lmrec_dp_init(&a, LMREC_DP_GAUSSIAN, 1, 1e-6, 1, 1, 7, &msg), 0);
	CHECK_INT(lmrec_dp_init(&b, LMREC_DP_GAUSSIAN, 1, 1e-6, 1, 1, 8, &msg), 0);
	size_t same_seed = 0, other_seed = 0, other_stream = 0;
	for (uint64_t k = 0; k < 1000; k++) {
		double v = lmrec_dp_noise(&a, 1, k);
		same_seed += v == lmrec_dp_noise(&a, 1, k);
		other_seed += v == lmrec_dp_noise(&b, 1, k);
		other_stream += v == lmrec_dp_noise(&a, 2, k);
	}
	CHECK_U64(same_seed, 1000);
	CHECK_U64(other_seed, 0);
	CHECK_U64(other_stream, 0);
	/* pinned: a change of the noise changes every seeded release */
	struct lmrec_dp l;
	CHECK_INT(lmrec_dp_init(&l, LMREC_DP_LAPLACE, 1, 0, 1, 1, 1, &msg), 0);
	CHECK(lmrec_dp_noise(&l, 1, 0) == 0.50076740977120915);
	CHECK(lmrec_dp_noise(&a, 2, 5) == 7.7841395135332174);
}

static void test_count(void)
{
	char *msg;
	CHECK_INT(lmrec_dp_count(NULL, 1, 3, 17), 17);
	struct lmrec_dp dp;
	CHECK_INT(lmrec_dp_init(&dp, LMREC_DP_LAPLACE, 1, 0, 5, 5, 3, &msg), 0);
	size_t bad = 0, zeros = 0;
	for (uint64_t k = 0; k < 100000; k++) {
		int64_t v = lmrec_dp_count(&dp, 1, k, 2);
		double want = nearbyint(2 + lmrec_dp_noise(&dp, 1, k));
		bad += v != (want > 0 ? (int64_t)want : 0);
		zeros += v == 0;
	}
	CHECK_U64(bad, 0);
	/* P(round(2 + Z) <= 0) = P(Z < -1.5) = e^(-1.5/5)/2 = 0.3704; 6 se */
	double p = 0.5 * exp(-1.5 / 5), se = sqrt(p * (1 - p) / 100000);
	CHECK(fabs((double)zeros / 100000 - p) <= 6 * se);
}

static void test_noise_floor(void)
{
	char *msg;
	struct lmrec_dp dp;
	static const double ps[] = {0.4, 1e-3, 1e-6, 1.0 / 1413721};
	for (int m = 0; m < 2; m++)
		for (size_t q = 0; q < sizeof ps / sizeof ps[0]; q++) {
			CHECK_INT(lmrec_dp_init(&dp, m, 0.9, m ? 1e-6 : 0, 6, sqrt(6), 1, &msg), 0);
			uint64_t t = lmrec_dp_noise_floor(&dp, ps[q]);
			/* P(Z >= t - 1/2) <= p < P(Z >= t - 3/2): the smallest such t */
			double s = dp.scale, over = (double)t - 0.5;
			double tail = m ? lmrec_dp_phi(-over / s) : 0.5 * exp(-over / s);
			double tail1 = m ? lmrec_dp_phi(-(over - 1) / s) : over - 1 < 0 ? 1 : 0.5 * exp(-(over - 1) / s);
			CHECK(t >= 1);
			CHECK(tail <= ps[q] * (1 + 1e-9));
			CHECK(t == 1 || tail1 > ps[q]);
		}
	/* a p of 1/2 or more needs no floor */
	CHECK_U64(lmrec_dp_noise_floor(&dp, 0.5), 1);
	/* Laplace b = 6 / 0.9, p = 1e-3: t = ceil(b ln 500 + 1/2) = ceil(41.93) */
	CHECK_INT(lmrec_dp_init(&dp, LMREC_DP_LAPLACE, 0.9, 0, 6, sqrt(6), 1, &msg), 0);
	CHECK_U64(lmrec_dp_noise_floor(&dp, 1e-3), 42);
	/* and the empirical share of zeros released at t or more */
	size_t over = 0;
	for (uint64_t k = 0; k < N; k++)
		over += lmrec_dp_count(&dp, 1, k, 0) >= 42;
	CHECK(over <= 1e-3 * N + 6 * sqrt(1e-3 * N));
}

static void test_gaussian_calibration(void)
{
	static const double eps[] = {0.05, 0.1, 0.5, 0.99, 1, 2, 4, 8, 20, 100};
	static const double deltas[] = {0.1, 1e-5, 1e-6, 1e-10, 1e-15};
	for (size_t e = 0; e < sizeof eps / sizeof eps[0]; e++)
		for (size_t d = 0; d < sizeof deltas / sizeof deltas[0]; d++) {
			double s = lmrec_dp_gaussian_sigma(1, eps[e], deltas[d]);
			/* the condition holds at σ and fails just below it: the
			 * smallest σ, to the promised precision */
			CHECK(lmrec_dp_gaussian_delta(1, eps[e], s) <= deltas[d]);
			CHECK(lmrec_dp_gaussian_delta(1, eps[e], s * (1 - 1e-9)) > deltas[d]);
			/* σ scales with the sensitivity */
			double s7 = lmrec_dp_gaussian_sigma(7, eps[e], deltas[d]);
			CHECK(fabs(s7 / (7 * s) - 1) < 1e-9);
			/* where the classical σ is proved (ε < 1), it is private
			 * and the analytic one is smaller */
			double c = lmrec_dp_gaussian_sigma_classic(1, eps[e], deltas[d]);
			if (eps[e] < 1) {
				CHECK(s <= c);
				CHECK(lmrec_dp_gaussian_delta(1, eps[e], c) <= deltas[d]);
			}
		}
	/* beyond ε = 1 the classical σ can fail its δ: at ε = 8, δ = 1e-3
	 * (1.3e-3), and at ε = 10, δ = 1e-6 (1.9e-6) */
	double c = lmrec_dp_gaussian_sigma_classic(1, 8, 1e-3);
	CHECK(lmrec_dp_gaussian_delta(1, 8, c) > 1e-3);
	CHECK(lmrec_dp_gaussian_sigma(1, 8, 1e-3) > c);
	c = lmrec_dp_gaussian_sigma_classic(1, 10, 1e-6);
	CHECK(lmrec_dp_gaussian_delta(1, 10, c) > 1e-6);
	CHECK(lmrec_dp_gaussian_sigma(1, 10, 1e-6) > c);
}

/* δ by its other definition, the hockey-stick divergence between N(0, σ²)
 * and N(Δ, σ²): δ(ε) = E[max(0, 1 - e^(ε - L))] with the privacy loss
 * L ~ N(η, 2η), η = Δ²/(2σ²); estimated on N draws, within 6 standard
 * errors (about 2e-9). */
static void test_gaussian_delta_monte_carlo(void)
{
	struct lmrec_rng r;
	lmrec_rng_seed(&r, 5);
	static const struct {
		double eps, delta;
	} cases[] = {{0.5, 0.05}, {1, 0.01}, {4, 0.001}};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		double s = lmrec_dp_gaussian_sigma(1, cases[c].eps, cases[c].delta);
		double eta = 1 / (2 * s * s), sum = 0, sum2 = 0;
		for (size_t k = 0; k < N; k++) {
			double l = eta + sqrt(2 * eta) * lmrec_rng_normal(&r);
			double v = l > cases[c].eps ? 1 - exp(cases[c].eps - l) : 0;
			sum += v;
			sum2 += v * v;
		}
		double m = sum / N, se = sqrt((sum2 / N - m * m) / N);
		if (fabs(m - cases[c].delta) > 6 * se)
			printf("# eps %g: Monte Carlo delta %g (se %g) against %g\n", cases[c].eps, m, se, cases[c].delta);
		CHECK(fabs(m - cases[c].delta) <= 6 * se);
	}
}

static void test_init(void)
{
	struct lmrec_dp dp;
	char *msg;
	CHECK_INT(lmrec_dp_init(&dp, LMREC_DP_LAPLACE, 2, 0, 10, sqrt(10), 9, &msg), 0);
	CHECK(msg == NULL);
	CHECK(dp.scale == 5);
	CHECK_U64(dp.seed, 9);
	CHECK_INT(lmrec_dp_init(&dp, LMREC_DP_GAUSSIAN, 0.5, 1e-5, 10, 2, 9, &msg), 0);
	CHECK(dp.scale == lmrec_dp_gaussian_sigma(2, 0.5, 1e-5));
	CHECK_INT(lmrec_dp_init(&dp, LMREC_DP_LAPLACE, 0, 0, 1, 1, 9, &msg), -1);
	CHECK_STR(msg, "epsilon must be from 1e-06 to 100");
	free(msg);
	CHECK_INT(lmrec_dp_init(&dp, LMREC_DP_LAPLACE, 1, 1e-6, 1, 1, 9, &msg), -1);
	CHECK_STR(msg, "laplace is pure epsilon-DP: it takes no delta");
	free(msg);
	CHECK_INT(lmrec_dp_init(&dp, LMREC_DP_GAUSSIAN, 1, 0, 1, 1, 9, &msg), -1);
	CHECK_STR(msg, "gaussian needs a delta from 1e-15 to 0.1");
	free(msg);
	CHECK_INT(lmrec_dp_init(&dp, LMREC_DP_GAUSSIAN, 1, 1e-6, 0, 0, 9, &msg), -1);
	CHECK_STR(msg, "the sensitivities must be positive");
	free(msg);
	CHECK_STR(lmrec_dp_names[LMREC_DP_LAPLACE], "laplace");
	CHECK_STR(lmrec_dp_names[LMREC_DP_GAUSSIAN], "gaussian");
}

static void test_sensitivity_formula(void)
{
	double l1, l2;
	lmrec_dp_cooc_sensitivity(1, &l1, &l2);
	CHECK(l1 == 1 && l2 == 1);
	lmrec_dp_cooc_sensitivity(4, &l1, &l2); /* 4 items and 6 pairs */
	CHECK(l1 == 10 && l2 == sqrt(10));
	lmrec_dp_cooc_sensitivity(50, &l1, &l2);
	CHECK(l1 == 1275);
}

int main(void)
{
	CHECK_RUN(test_laplace_draws);
	CHECK_RUN(test_keyed_noise);
	CHECK_RUN(test_keyed_determinism);
	CHECK_RUN(test_count);
	CHECK_RUN(test_noise_floor);
	CHECK_RUN(test_gaussian_calibration);
	CHECK_RUN(test_gaussian_delta_monte_carlo);
	CHECK_RUN(test_init);
	CHECK_RUN(test_sensitivity_formula);
	return check_done();
}

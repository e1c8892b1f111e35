/* lmrec — differential privacy of released counts (see dp.h). */
#include <math.h>
#include <stdlib.h>

#include "dp.h"
#include "util.h"

const char *const lmrec_dp_names[2] = {"laplace", "gaussian"};

/* splitmix64's finaliser: a bijective mix of 64 bits. */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

int lmrec_dp_init(struct lmrec_dp *dp, enum lmrec_dp_mechanism mech, double epsilon, double delta, double l1,
		  double l2, uint64_t seed, char **msg)
{
	*msg = NULL;
	if (!(epsilon >= LMREC_DP_EPSILON_MIN && epsilon <= LMREC_DP_EPSILON_MAX)) {
		*msg = lmrec_xasprintf("epsilon must be from %g to %g", LMREC_DP_EPSILON_MIN, LMREC_DP_EPSILON_MAX);
		return -1;
	}
	if (!(l1 > 0 && isfinite(l1) && l2 > 0 && isfinite(l2))) {
		*msg = lmrec_xasprintf("the sensitivities must be positive");
		return -1;
	}
	if (mech == LMREC_DP_LAPLACE && delta != 0) {
		*msg = lmrec_xasprintf("laplace is pure epsilon-DP: it takes no delta");
		return -1;
	}
	if (mech == LMREC_DP_GAUSSIAN && !(delta >= LMREC_DP_DELTA_MIN && delta <= LMREC_DP_DELTA_MAX)) {
		*msg = lmrec_xasprintf("gaussian needs a delta from %g to %g", LMREC_DP_DELTA_MIN, LMREC_DP_DELTA_MAX);
		return -1;
	}
	*dp = (struct lmrec_dp){.mech = mech, .epsilon = epsilon, .delta = delta, .l1 = l1, .l2 = l2, .seed = seed};
	dp->scale = mech == LMREC_DP_LAPLACE ? l1 / epsilon : lmrec_dp_gaussian_sigma(l2, epsilon, delta);
	return 0;
}

double lmrec_dp_laplace(struct lmrec_rng *r, double b)
{
	/* u uniform on the 2^53 midpoints of (0, 1): never 0 nor 1, so both
	 * logarithms are finite */
	double u = ((double)(lmrec_rng_u64(r) >> 11) + 0.5) * 0x1.0p-53;
	return u < 0.5 ? b * log(2.0 * u) : -b * log(2.0 - 2.0 * u);
}

double lmrec_dp_noise(const struct lmrec_dp *dp, uint64_t stream, uint64_t key)
{
	struct lmrec_rng r;
	lmrec_rng_seed2(&r, mix64(dp->seed ^ mix64(stream + 0x5851f42d4c957f2dull)), key);
	if (dp->mech == LMREC_DP_LAPLACE)
		return lmrec_dp_laplace(&r, dp->scale);
	return dp->scale * lmrec_rng_normal(&r);
}

int64_t lmrec_dp_count(const struct lmrec_dp *dp, uint64_t stream, uint64_t key, uint64_t count)
{
	if (!dp)
		return (int64_t)count;
	double v = nearbyint((double)count + lmrec_dp_noise(dp, stream, key));
	return v > 0 ? (int64_t)v : 0;
}

double lmrec_dp_phi(double x)
{
	return 0.5 * erfc(-x / sqrt(2.0));
}

double lmrec_dp_gaussian_delta(double l2, double epsilon, double sigma)
{
	double a = l2 / (2.0 * sigma), b = epsilon * sigma / l2;
	double d = lmrec_dp_phi(a - b) - exp(epsilon) * lmrec_dp_phi(-a - b);
	return d > 0 ? d : 0;
}

double lmrec_dp_gaussian_sigma(double l2, double epsilon, double delta)
{
	/* δ(σ) falls from 1 (σ -> 0) to 0 (σ -> ∞): bracket, then bisect,
	 * keeping hi on the private side */
	double hi = l2 / epsilon;
	while (lmrec_dp_gaussian_delta(l2, epsilon, hi) > delta)
		hi *= 2;
	double lo = hi;
	while (lmrec_dp_gaussian_delta(l2, epsilon, lo) <= delta)
		lo /= 2;
	while (hi - lo > 1e-12 * hi) {
		double mid = lo + (hi - lo) / 2;
		if (mid <= lo || mid >= hi)
			break;
		if (lmrec_dp_gaussian_delta(l2, epsilon, mid) <= delta)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

double lmrec_dp_gaussian_sigma_classic(double l2, double epsilon, double delta)
{
	return l2 * sqrt(2.0 * log(1.25 / delta)) / epsilon;
}

uint64_t lmrec_dp_noise_floor(const struct lmrec_dp *dp, double p)
{
	/* x with P(Z >= x) = p, then t = ceil(x + 1/2); rounding to nearest
	 * sends [t - 1/2, t + 1/2) to t */
	double x;
	if (p >= 0.5) {
		x = 0;
	} else if (dp->mech == LMREC_DP_LAPLACE) {
		x = dp->scale * log(0.5 / p);
	} else { /* Φ(-x/σ) = p by bisection; Φ(-40) is below any p a double holds */
		double lo = 0, hi = 40;
		for (int k = 0; k < 200 && hi - lo > 1e-12; k++) {
			double mid = (lo + hi) / 2;
			if (lmrec_dp_phi(-mid) > p)
				lo = mid;
			else
				hi = mid;
		}
		x = dp->scale * hi;
	}
	double t = ceil(x + 0.5);
	return t < 1 ? 1 : t > 1e18 ? (uint64_t)1e18 : (uint64_t)t;
}

void lmrec_dp_cooc_sensitivity(uint64_t k, double *l1, double *l2)
{
	double kd = (double)k;
	*l1 = kd * (kd + 1) / 2;
	*l2 = sqrt(*l1);
}

/* lmrec — differential privacy of counts that leave the pipeline: the
 * Laplace and Gaussian mechanisms, their calibration, and the sensitivity of
 * co-occurrence counts.
 *
 * Neighbouring data sets differ by one user with all of that user's rows
 * (user-level privacy). For a vector of counts v, the sensitivities are
 * Δ1 = max ||v(D) - v(D')||_1 and Δ2 = max ||v(D) - v(D')||_2 over
 * neighbours. The mechanisms release v + Z with independent noise:
 *
 *   Laplace   Z_k ~ Laplace(0, b), b = Δ1 / ε: ε-differentially private
 *             (Dwork, McSherry, Nissim and Smith, TCC 2006).
 *   Gaussian  Z_k ~ N(0, σ²), σ the smallest value with
 *                 Φ(Δ2/(2σ) - εσ/Δ2) - e^ε Φ(-Δ2/(2σ) - εσ/Δ2) <= δ,
 *             which is exactly the condition for (ε, δ)-differential privacy
 *             (the analytic Gaussian mechanism: Balle and Wang, ICML 2018,
 *             Theorem 8), for every ε > 0. The classical calibration
 *             σ = Δ2 sqrt(2 ln(1.25/δ)) / ε (Dwork and Roth 2014, Theorem
 *             A.1) is proved only for ε < 1 and is larger there; it is here
 *             for comparison.
 *
 * The noise of an entry is a pure function of (seed, stream, key): the same
 * entry gets the same noise whichever thread asks, in whatever order, so a
 * count that two computations need (a pair seen from both of its items) is
 * noised once. Whoever knows the seed can recompute the noise and remove it:
 * the seed is as secret as the data. */
#ifndef LMREC_DP_H
#define LMREC_DP_H

#include <stddef.h>
#include <stdint.h>

#include "rng.h"

enum lmrec_dp_mechanism { LMREC_DP_LAPLACE, LMREC_DP_GAUSSIAN };

struct lmrec_dp {
	enum lmrec_dp_mechanism mech;
	double epsilon, delta; /* delta is 0 for Laplace */
	double l1, l2;         /* the sensitivities the scale is set for */
	double scale;          /* Laplace b, or Gaussian σ */
	uint64_t seed;
};

/* Ranges the parameters must be in (lmrec_dp_init refuses others). */
#define LMREC_DP_EPSILON_MIN 1e-6
#define LMREC_DP_EPSILON_MAX 100.0
#define LMREC_DP_DELTA_MIN 1e-15
#define LMREC_DP_DELTA_MAX 0.1

/* Sets dp up: the scale from the sensitivity the mechanism uses (l1 for
 * Laplace, l2 for Gaussian; both are kept for the record). Returns 0, or
 * -1 and a fresh message in *msg (for the caller to die with) when epsilon
 * or delta is out of range, delta is given to Laplace (it is pure ε-DP) or
 * not to Gaussian, or a sensitivity is not positive and finite. */
int lmrec_dp_init(struct lmrec_dp *dp, enum lmrec_dp_mechanism mech, double epsilon, double delta, double l1,
		  double l2, uint64_t seed, char **msg);

/* The noise of entry key of a stream (one stream per vector released from
 * the same seed): Laplace(0, b) or N(0, σ²). */
double lmrec_dp_noise(const struct lmrec_dp *dp, uint64_t stream, uint64_t key);
/* count + its noise, rounded to the nearest integer and at least 0. Both
 * are post-processing (free of privacy cost); the rounding also removes the
 * low-order bits of floating-point noise, through which Mironov (CCS 2012)
 * showed a released real value can betray the count. dp NULL: count. */
int64_t lmrec_dp_count(const struct lmrec_dp *dp, uint64_t stream, uint64_t key, uint64_t count);

/* One Laplace(0, b) draw by the inverse distribution function from a
 * uniform in (0, 1) (53 bits: |value| <= 36.8 b). */
double lmrec_dp_laplace(struct lmrec_rng *r, double b);

/* Φ, the standard normal distribution function. */
double lmrec_dp_phi(double x);
/* δ of the Gaussian mechanism with noise σ at ε (Balle and Wang's
 * condition above); decreasing in σ. */
double lmrec_dp_gaussian_delta(double l2, double epsilon, double sigma);
/* The smallest σ (to a relative 1e-12, rounded up) with
 * lmrec_dp_gaussian_delta(l2, epsilon, σ) <= delta. */
double lmrec_dp_gaussian_sigma(double l2, double epsilon, double delta);
/* The classical σ = l2 sqrt(2 ln(1.25/δ)) / ε (valid for ε < 1 only). */
double lmrec_dp_gaussian_sigma_classic(double l2, double epsilon, double delta);

/* The smallest integer t >= 1 such that a count of 0 is released as at
 * least t (lmrec_dp_count) with probability at most p: the threshold under
 * which released counts are mostly noise. Laplace: P(Z >= t - 1/2) =
 * e^(-(t - 1/2)/b) / 2; Gaussian: Φ(-(t - 1/2)/σ). */
uint64_t lmrec_dp_noise_floor(const struct lmrec_dp *dp, double p);

/* Sensitivities of the vector (n_i for every item, c_ij for every pair of
 * items), n_i the users counting item i and c_ij those counting both, when
 * each user counts at most k items: one user moves k entries of n and
 * k(k-1)/2 of c by 1 each, so Δ1 = k(k+1)/2 and Δ2 = sqrt(k(k+1)/2). */
void lmrec_dp_cooc_sensitivity(uint64_t k, double *l1, double *l2);

/* Names of the mechanisms ("laplace", "gaussian"). */
extern const char *const lmrec_dp_names[2];

#endif

/* lmrec — arithmetic of the synthetic worlds that gives the same bits on
 * every IEEE-754 platform (see synth.h).
 *
 * The C library's exp and log are accurate but not always correctly
 * rounded, and two libraries may differ in the last bit; a generator whose
 * choices go through a softmax could then pick another item on another
 * machine. These versions use only + - * / and exact scaling by powers of
 * two (frexp, ldexp), which IEEE-754 defines bit for bit; the build has no
 * -ffast-math and C17 mode keeps the compiler from contracting a*b+c. */
#include <math.h>

#include "synth.h"

#define LN2_HI 6.93147180369123816490e-01 /* high bits of ln 2: k*LN2_HI is exact */
#define LN2_LO 1.90821492927058770002e-10
#define LOG2E 1.44269504088896338700e+00

double lmrec_synth_exp(double x)
{
	if (x != x)
		return x;
	if (x > 709.0)
		return HUGE_VAL;
	if (x < -745.0)
		return 0.0;
	/* x = k ln2 + r with |r| <= ln2/2 (Cody and Waite), then a Taylor
	 * polynomial of degree 13: the remainder is below 5e-18. */
	double kf = floor(x * LOG2E + 0.5);
	int k = (int)kf;
	double r = (x - kf * LN2_HI) - kf * LN2_LO;
	double p = 1.0 / 6227020800.0;
	static const double inv_fact[13] = {
		1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0, 1.0 / 362880.0,
		1.0 / 40320.0,     1.0 / 5040.0,     1.0 / 720.0,     1.0 / 120.0,
		1.0 / 24.0,        1.0 / 6.0,        1.0 / 2.0,       1.0,
		1.0};
	for (int i = 0; i < 13; i++)
		p = p * r + inv_fact[i];
	return ldexp(p, k);
}

double lmrec_synth_log(double x)
{
	if (!(x > 0.0))
		return x == 0.0 ? -HUGE_VAL : NAN;
	if (x == HUGE_VAL)
		return x;
	/* x = m 2^e with m in [sqrt(1/2), sqrt(2)); log m = 2 atanh(f) with
	 * f = (m-1)/(m+1), |f| < 0.172: the series to f^23 leaves < 1e-19. */
	int e;
	double m = frexp(x, &e);
	if (m < 0.70710678118654752440) {
		m *= 2.0;
		e--;
	}
	double f = (m - 1.0) / (m + 1.0), f2 = f * f;
	double s = 1.0 / 23.0;
	for (int n = 21; n >= 1; n -= 2)
		s = s * f2 + 1.0 / n;
	return (double)e * LN2_LO + 2.0 * f * s + (double)e * LN2_HI;
}

size_t lmrec_synth_pick(struct lmrec_rng *r, const double *w, size_t n)
{
	double sum = 0.0;
	for (size_t i = 0; i < n; i++)
		sum += w[i];
	double x = lmrec_rng_double(r) * sum;
	for (size_t i = 0; i < n; i++) {
		x -= w[i];
		if (x < 0.0)
			return i;
	}
	for (size_t i = n; i-- > 0;)
		if (w[i] > 0.0)
			return i;
	return 0;
}

double lmrec_synth_normal(struct lmrec_rng *r)
{
	for (;;) {
		double u = 2.0 * lmrec_rng_double(r) - 1.0;
		double v = 2.0 * lmrec_rng_double(r) - 1.0;
		double s = u * u + v * v;
		if (s > 0.0 && s < 1.0)
			return u * sqrt(-2.0 * lmrec_synth_log(s) / s);
	}
}

uint32_t lmrec_synth_poisson(struct lmrec_rng *r, double mean)
{
	if (!(mean > 0.0))
		return 0;
	if (mean > 30.0) {
		double x = floor(mean + sqrt(mean) * lmrec_synth_normal(r) + 0.5);
		return x < 0.0 ? 0 : x > 4e9 ? 4000000000u : (uint32_t)x;
	}
	/* Knuth: multiply uniforms until the product drops below e^-mean. */
	double limit = lmrec_synth_exp(-mean), p = 1.0;
	uint32_t k = 0;
	for (;;) {
		p *= lmrec_rng_double(r);
		if (p <= limit)
			return k;
		k++;
	}
}

void lmrec_synth_out_hundredths(struct lmrec_out *o, uint32_t v)
{
	lmrec_out_i64(o, v / 100);
	uint32_t f = v % 100;
	if (f == 0)
		return;
	lmrec_out_byte(o, '.');
	lmrec_out_byte(o, (char)('0' + f / 10));
	if (f % 10)
		lmrec_out_byte(o, (char)('0' + f % 10));
}

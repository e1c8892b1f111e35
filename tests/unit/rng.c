/* Unit tests of lib/rng.c: pinned first values (a change of the generator
 * changes every seeded output, so it must show here), a reference
 * xoshiro256** written from the published definition, uniformity, shuffle,
 * independent streams, the normal distribution. */
#include <math.h>

#include "check.h"

/* xoshiro256** as Blackman and Vigna define it, one step. */
static uint64_t ref_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
static uint64_t ref_next(uint64_t s[4])
{
	uint64_t result = ref_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = ref_rotl(s[3], 45);
	return result;
}

static void test_pinned_values(void)
{
	/* splitmix64 from state 0: the reference values of its author */
	uint64_t st = 0;
	CHECK_U64(lmrec_splitmix64(&st), 0xe220a8397b1dcdafull);
	CHECK_U64(lmrec_splitmix64(&st), 0x6e789e6aa1b965f4ull);
	CHECK_U64(lmrec_splitmix64(&st), 0x06c45d188009454full);
	struct lmrec_rng r;
	lmrec_rng_seed(&r, 1);
	CHECK_U64(lmrec_rng_u64(&r), 0xb3f2af6d0fc710c5ull);
	CHECK_U64(lmrec_rng_u64(&r), 0x853b559647364ceaull);
	CHECK_U64(lmrec_rng_u64(&r), 0x92f89756082a4514ull);
	CHECK_U64(lmrec_rng_u64(&r), 0x642e1c7bc266a3a7ull);
	lmrec_rng_seed2(&r, 1, 7);
	CHECK_U64(lmrec_rng_u64(&r), 0x272eff4c5b504484ull);
	CHECK_U64(lmrec_rng_u64(&r), 0x4d432bdce05cb7c6ull);
	lmrec_rng_seed(&r, 1);
	CHECK(lmrec_rng_double(&r) == 0.70292183315885048);
	CHECK_U64(lmrec_rng_below(&r, 1000), 522);
	CHECK(lmrec_rng_normal(&r) == -1.0136476397283942);
}

static void test_against_reference(void)
{
	struct lmrec_rng r;
	lmrec_rng_seed(&r, 12345);
	uint64_t s[4], st = 12345;
	for (int i = 0; i < 4; i++)
		s[i] = lmrec_splitmix64(&st); /* the seeding the header describes */
	size_t bad = 0;
	for (int i = 0; i < 1000000; i++)
		bad += lmrec_rng_u64(&r) != ref_next(s);
	CHECK_U64(bad, 0);
	/* double: the top 53 bits over 2^53 */
	lmrec_rng_seed(&r, 5);
	st = 5;
	for (int i = 0; i < 4; i++)
		s[i] = lmrec_splitmix64(&st);
	for (int i = 0; i < 100000; i++) {
		double d = lmrec_rng_double(&r);
		bad += d != (double)(ref_next(s) >> 11) / 9007199254740992.0 || d < 0 || d >= 1;
	}
	CHECK_U64(bad, 0);
}

static void test_below_uniform(void)
{
	struct lmrec_rng r;
	lmrec_rng_seed(&r, 99);
	/* chi-square of below(n) for small n; the 0.999 quantiles of the
	 * chi-square with n-1 degrees of freedom bound the statistic */
	static const struct {
		uint64_t n;
		double limit;
	} cases[] = {{2, 10.83}, {3, 13.82}, {7, 22.46}, {10, 27.88}, {17, 39.25}};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		uint64_t n = cases[c].n, count[17] = {0};
		const int draws = 200000;
		size_t out = 0;
		for (int i = 0; i < draws; i++) {
			uint64_t v = lmrec_rng_below(&r, n);
			if (v >= n)
				out++;
			else
				count[v]++;
		}
		CHECK_U64(out, 0);
		double e = (double)draws / (double)n, chi = 0;
		for (uint64_t k = 0; k < n; k++)
			chi += ((double)count[k] - e) * ((double)count[k] - e) / e;
		if (chi >= cases[c].limit)
			printf("# below(%" PRIu64 "): chi-square %.2f over %.2f\n", n, chi,
			       cases[c].limit);
		CHECK(chi < cases[c].limit);
	}
	/* n = 1 is always 0; a huge n stays below it */
	CHECK_U64(lmrec_rng_below(&r, 1), 0);
	uint64_t big = (UINT64_MAX / 3) * 2 + 1, bad = 0;
	for (int i = 0; i < 10000; i++)
		bad += lmrec_rng_below(&r, big) >= big;
	CHECK_U64(bad, 0);
}

static void test_shuffle(void)
{
	struct lmrec_rng r;
	lmrec_rng_seed(&r, 3);
	enum { N = 1000 };
	uint32_t a[N];
	for (uint32_t i = 0; i < N; i++)
		a[i] = i;
	lmrec_rng_shuffle_u32(&r, a, N);
	unsigned char seen[N] = {0};
	size_t bad = 0, fixed = 0;
	for (uint32_t i = 0; i < N; i++) {
		bad += a[i] >= N || seen[a[i]]++;
		fixed += a[i] == i;
	}
	CHECK_U64(bad, 0); /* a permutation */
	CHECK(fixed < 10);  /* and a real shuffle (expected 1 fixed point) */
	/* all 6 orders of 3 elements come out about equally often */
	unsigned count[6] = {0};
	for (int t = 0; t < 60000; t++) {
		uint32_t b[3] = {0, 1, 2};
		lmrec_rng_shuffle_u32(&r, b, 3);
		count[b[0] * 2 + (b[1] > b[2])]++;
	}
	double chi = 0;
	for (int k = 0; k < 6; k++)
		chi += (count[k] - 10000.0) * (count[k] - 10000.0) / 10000.0;
	CHECK(chi < 20.52); /* 0.999 quantile, 5 degrees of freedom */
	/* empty and single arrays are left alone */
	lmrec_rng_shuffle_u32(&r, a, 0);
	uint32_t one = 42;
	lmrec_rng_shuffle_u32(&r, &one, 1);
	CHECK_U64(one, 42);
	/* same seed, same shuffle */
	uint32_t x[50], y[50];
	for (uint32_t i = 0; i < 50; i++)
		x[i] = y[i] = i;
	struct lmrec_rng r1, r2;
	lmrec_rng_seed(&r1, 8);
	lmrec_rng_seed(&r2, 8);
	lmrec_rng_shuffle_u32(&r1, x, 50);
	lmrec_rng_shuffle_u32(&r2, y, 50);
	CHECK(memcmp(x, y, sizeof x) == 0);
}

static void test_streams(void)
{
	/* seed2 streams differ from each other and from the plain seed, and
	 * the same (seed, stream) repeats */
	enum { S = 1000 };
	uint64_t first[S];
	struct lmrec_rng r;
	for (uint64_t k = 0; k < S; k++) {
		lmrec_rng_seed2(&r, 1, k);
		first[k] = lmrec_rng_u64(&r);
	}
	size_t same = 0;
	for (size_t i = 0; i < S; i++)
		for (size_t j = i + 1; j < S; j++)
			same += first[i] == first[j];
	CHECK_U64(same, 0);
	lmrec_rng_seed2(&r, 1, 17);
	CHECK_U64(lmrec_rng_u64(&r), first[17]);
	lmrec_rng_seed2(&r, 2, 17);
	CHECK(lmrec_rng_u64(&r) != first[17]);
	lmrec_rng_seed(&r, 1);
	uint64_t plain = lmrec_rng_u64(&r);
	for (size_t k = 0; k < S; k++)
		same += first[k] == plain;
	CHECK_U64(same, 0);
	/* neighbouring streams are not correlated: matching bits about half */
	struct lmrec_rng a, b;
	lmrec_rng_seed2(&a, 9, 0);
	lmrec_rng_seed2(&b, 9, 1);
	uint64_t bits = 0;
	for (int i = 0; i < 10000; i++)
		bits += (uint64_t)__builtin_popcountll(~(lmrec_rng_u64(&a) ^ lmrec_rng_u64(&b)));
	double frac = (double)bits / (10000.0 * 64);
	CHECK(fabs(frac - 0.5) < 0.005);
}

static void test_normal(void)
{
	struct lmrec_rng r;
	lmrec_rng_seed(&r, 21);
	enum { N = 1000000 };
	double sum = 0, sum2 = 0, sum4 = 0;
	size_t bad = 0, beyond2 = 0;
	for (int i = 0; i < N; i++) {
		double x = lmrec_rng_normal(&r);
		bad += !isfinite(x);
		sum += x;
		sum2 += x * x;
		sum4 += x * x * x * x;
		beyond2 += fabs(x) > 2;
	}
	CHECK_U64(bad, 0);
	double mean = sum / N, var = sum2 / N - mean * mean, kurt = sum4 / N;
	printf("# normal: mean %.4f var %.4f E[x^4] %.3f P(|x|>2) %.4f\n", mean, var, kurt,
	       (double)beyond2 / N);
	CHECK(fabs(mean) < 0.005);       /* sd of the mean: 0.001 */
	CHECK(fabs(var - 1) < 0.01);     /* sd of the variance: 0.0014 */
	CHECK(fabs(kurt - 3) < 0.05);    /* sd: 0.0098 */
	CHECK(fabs((double)beyond2 / N - 0.0455) < 0.002);
}

int main(void)
{
	lmrec_setprogname("rng");
	CHECK_RUN(test_pinned_values);
	CHECK_RUN(test_against_reference);
	CHECK_RUN(test_below_uniform);
	CHECK_RUN(test_shuffle);
	CHECK_RUN(test_streams);
	CHECK_RUN(test_normal);
	return check_done();
}

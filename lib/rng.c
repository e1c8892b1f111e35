/* lmrec — seeded random numbers (see rng.h). */
#include <math.h>

#include "rng.h"

uint64_t lmrec_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void lmrec_rng_seed(struct lmrec_rng *r, uint64_t seed)
{
	uint64_t st = seed;
	for (int i = 0; i < 4; i++)
		r->s[i] = lmrec_splitmix64(&st);
}

void lmrec_rng_seed2(struct lmrec_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t st = seed;
	uint64_t a = lmrec_splitmix64(&st);
	st = a ^ (stream * 0xd1342543de82ef95ull + 0x632be59bd9b4e019ull);
	for (int i = 0; i < 4; i++)
		r->s[i] = lmrec_splitmix64(&st);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t lmrec_rng_u64(struct lmrec_rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

double lmrec_rng_double(struct lmrec_rng *r)
{
	return (double)(lmrec_rng_u64(r) >> 11) * 0x1.0p-53;
}

uint64_t lmrec_rng_below(struct lmrec_rng *r, uint64_t n)
{
	/* Rejection on the top of the range keeps every value equally likely. */
	uint64_t limit = UINT64_MAX - UINT64_MAX % n;
	uint64_t x;
	do
		x = lmrec_rng_u64(r);
	while (x >= limit);
	return x % n;
}

double lmrec_rng_normal(struct lmrec_rng *r)
{
	double u1 = 1.0 - lmrec_rng_double(r); /* (0, 1]: log is finite */
	double u2 = lmrec_rng_double(r);
	return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

void lmrec_rng_shuffle_u32(struct lmrec_rng *r, uint32_t *a, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)lmrec_rng_below(r, i);
		uint32_t t = a[i - 1];
		a[i - 1] = a[j];
		a[j] = t;
	}
}

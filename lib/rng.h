/* lmrec — seeded random numbers: xoshiro256** seeded through splitmix64.
 *
 * The same seed gives the same sequence on every platform. Independent
 * streams (one per user, per thread, per purpose) come from
 * lmrec_rng_seed2(seed, stream), so results do not depend on the order in
 * which threads run. */
#ifndef LMREC_RNG_H
#define LMREC_RNG_H

#include <stddef.h>
#include <stdint.h>

struct lmrec_rng {
	uint64_t s[4];
};

void lmrec_rng_seed(struct lmrec_rng *r, uint64_t seed);
void lmrec_rng_seed2(struct lmrec_rng *r, uint64_t seed, uint64_t stream);
uint64_t lmrec_rng_u64(struct lmrec_rng *r);
/* Uniform in [0, 1) with 53 random bits. */
double lmrec_rng_double(struct lmrec_rng *r);
/* Uniform integer in [0, n), without modulo bias; n > 0. */
uint64_t lmrec_rng_below(struct lmrec_rng *r, uint64_t n);
/* Standard normal by Box-Muller; each call draws two uniforms and uses
 * one value, so a call never depends on an earlier one. */
double lmrec_rng_normal(struct lmrec_rng *r);
/* Fisher-Yates shuffle. */
void lmrec_rng_shuffle_u32(struct lmrec_rng *r, uint32_t *a, size_t n);
/* splitmix64 step, exposed for hashing seeds. */
uint64_t lmrec_splitmix64(uint64_t *state);

#endif

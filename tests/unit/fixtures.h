/* tests/unit/fixtures.h — small model fixtures the unit tests of the
 * recommendation models share (recmodel, contrib). Header-only. */
#ifndef LMREC_TEST_FIXTURES_H
#define LMREC_TEST_FIXTURES_H

#include <stdlib.h>
#include <string.h>

#include "ids.h"
#include "rng.h"
#include "util.h"

/* n ids prefix00000, prefix00001, ...: zero-padded, so that index order
 * is byte order, as a trained model keeps its dictionaries. */
static inline struct lmrec_ids *numbered_ids(const char *prefix, size_t n)
{
	struct lmrec_ids *ids = lmrec_ids_new();
	for (size_t i = 0; i < n; i++) {
		char *s = lmrec_xasprintf("%s%05zu", prefix, i);
		lmrec_ids_intern(ids, s, strlen(s));
		free(s);
	}
	return ids;
}

/* n floats uniform in [-scale, scale) (one more, zero, allocated). */
static inline float *random_floats(struct lmrec_rng *rng, size_t n, double scale)
{
	float *a = lmrec_xcalloc(n + 1, sizeof *a);
	for (size_t i = 0; i < n; i++)
		a[i] = (float)(scale * (lmrec_rng_double(rng) * 2.0 - 1.0));
	return a;
}

#endif

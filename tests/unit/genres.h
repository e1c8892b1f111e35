/* tests/unit/genres.h — item genres (struct lmrec_genres) made by hand or
 * at random, for the unit tests of calibration and the objectives.
 * Header-only. */
#ifndef LMREC_TEST_GENRES_H
#define LMREC_TEST_GENRES_H

#include <stdint.h>
#include <string.h>

#include "calibrate.h"
#include "rng.h"
#include "util.h"

/* Genres from a string per item: "AB" is genres 0 and 1, "" none. */
static inline void make_genres(struct lmrec_genres *gs, const char *const *spec, size_t n, size_t ng)
{
	memset(gs, 0, sizeof *gs);
	gs->n = n;
	gs->ng = ng;
	gs->ptr = lmrec_xcalloc(n + 1, sizeof *gs->ptr);
	gs->genre = lmrec_xcalloc(4 * n + 1, sizeof *gs->genre);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		for (const char *s = spec[i]; *s; s++)
			gs->genre[m++] = (uint32_t)(*s - 'A');
		gs->ptr[i + 1] = m;
	}
}

static inline void random_genres(struct lmrec_genres *gs, struct lmrec_rng *r, size_t n, size_t ng)
{
	memset(gs, 0, sizeof *gs);
	gs->n = n;
	gs->ng = ng;
	gs->ptr = lmrec_xcalloc(n + 1, sizeof *gs->ptr);
	gs->genre = lmrec_xcalloc(n * ng + 1, sizeof *gs->genre);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		for (size_t g = 0; g < ng; g++) /* about one in five items has none */
			if (lmrec_rng_below(r, 10) < 3)
				gs->genre[m++] = (uint32_t)g;
		gs->ptr[i + 1] = m;
	}
}

#endif

/* geninter — a canonical interactions stream for the benchmarks.
 *
 *   geninter ROWS [SEED]
 *
 * Writes ROWS rows of user item ts weight event to standard output, in the
 * canonical order (users in byte order of their ids, each user's rows by
 * time), shaped like MovieLens-20M: about 143 rows a user, 27,000 items
 * drawn by a Zipf law (a few items are very popular), ratings 1-5 with
 * half stars on a fifth of the rows, views and clicks on the rest. Same
 * ROWS and SEED, same bytes. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "lmrec.h"

int main(int argc, char **argv)
{
	lmrec_setprogname(argv[0]);
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: geninter ROWS [SEED]\n");
		return LMREC_EXIT_USAGE;
	}
	uint64_t rows = lmrec_opt_u64("ROWS", argv[1], 0, UINT64_MAX / 2);
	uint64_t seed = argc == 3 ? lmrec_opt_u64("SEED", argv[2], 0, UINT64_MAX) : 1;
	enum { ITEMS = 27000 };
	/* Zipf(1) over the items: cumulative weights, searched by bisection */
	double *cdf = lmrec_xmalloc(ITEMS * sizeof *cdf), total = 0;
	for (size_t i = 0; i < ITEMS; i++)
		cdf[i] = total += 1.0 / (double)(i + 1);
	/* item names shuffled, so popularity is not the id order */
	uint32_t *name = lmrec_xmalloc(ITEMS * sizeof *name);
	for (uint32_t i = 0; i < ITEMS; i++)
		name[i] = i + 1;
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, seed);
	lmrec_rng_shuffle_u32(&rng, name, ITEMS);
	static const char *const events[] = {"view", "view", "click", "cart", "rating"};
	printf("user\titem\tts\tweight\tevent\n");
	uint64_t user = 0;
	for (uint64_t done = 0; done < rows; user++) {
		uint64_t n = 20 + lmrec_rng_below(&rng, 247); /* mean 143 */
		if (n > rows - done)
			n = rows - done;
		int64_t ts = 1420070400 + (int64_t)lmrec_rng_below(&rng, UINT64_C(4) * 365 * 86400);
		for (uint64_t k = 0; k < n; k++) {
			double x = lmrec_rng_double(&rng) * total;
			size_t lo = 0, hi = ITEMS - 1;
			while (lo < hi) {
				size_t mid = (lo + hi) / 2;
				if (cdf[mid] < x)
					lo = mid + 1;
				else
					hi = mid;
			}
			ts += (int64_t)lmrec_rng_below(&rng, 3600);
			const char *ev = events[lmrec_rng_below(&rng, 5)];
			printf("u%07" PRIu64 "\ti%" PRIu32 "\t%" PRId64 "\t", user + 1, name[lo], ts);
			if (ev[0] == 'r')
				printf("%.1f", 0.5 * (double)(2 + lmrec_rng_below(&rng, 9)));
			else
				putchar('1');
			printf("\t%s\n", ev);
		}
		done += n;
	}
	free(cdf);
	free(name);
	lmrec_close_stdout();
	return 0;
}

/* tsvread — the TSV reader benchmark's driver (tests/bench/tsv-read.sh).
 *
 *   tsvread [--split-only] FILE
 *
 * Reads a canonical interactions stream the way a training stage does:
 * every row split and checked, user and item interned into dictionaries,
 * ts parsed as an integer and weight as a float. Prints rows, distinct
 * users and items, and a checksum of the parsed values (so nothing can be
 * optimised away, and runs can be compared). --split-only stops after the
 * split, to tell the reader's cost from the parsing's. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lmrec.h"

int main(int argc, char **argv)
{
	lmrec_setprogname(argv[0]);
	int split_only = argc == 3 && strcmp(argv[1], "--split-only") == 0;
	if (argc != 2 + split_only) {
		fprintf(stderr, "usage: tsvread [--split-only] FILE\n");
		return LMREC_EXIT_USAGE;
	}
	struct lmrec_tsv *r = lmrec_tsv_open(argv[1 + split_only]);
	size_t cu = lmrec_tsv_col(r, "user"), ci = lmrec_tsv_col(r, "item");
	size_t ct = lmrec_tsv_col(r, "ts"), cw = lmrec_tsv_col(r, "weight");
	struct lmrec_ids *users = lmrec_ids_new(), *items = lmrec_ids_new();
	uint64_t rows = 0, sum = 0;
	double wsum = 0;
	while (lmrec_tsv_read(r)) {
		rows++;
		if (split_only) {
			sum += r->f[cu].len + r->f[ci].len;
			continue;
		}
		struct lmrec_field u = lmrec_tsv_field(r, cu), it = lmrec_tsv_field(r, ci);
		sum += lmrec_ids_intern(users, u.p, u.len) + lmrec_ids_intern(items, it.p, it.len);
		sum += (uint64_t)lmrec_tsv_i64(r, ct);
		wsum += lmrec_tsv_f32(r, cw);
	}
	lmrec_tsv_close(r);
	printf("rows %" PRIu64 " users %zu items %zu sum %" PRIu64 " wsum %.6g\n", rows,
	       lmrec_ids_count(users), lmrec_ids_count(items), sum, wsum);
	lmrec_ids_free(users);
	lmrec_ids_free(items);
	lmrec_close_stdout();
	return 0;
}

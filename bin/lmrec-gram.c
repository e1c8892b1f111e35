/* lmrec-gram — the item-item Gram (co-occurrence) matrix of a shard of
 * users, and the sum of several: what item-kNN and EASE are built from
 * (lmrec-train --gram), so that hosts that keep their users' interactions
 * send only item-side sums. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csr.h"
#include "gram.h"
#include "lmrec.h"

struct opts {
	int sum, use_weights, threads, quiet;
	unsigned fold_set;
	const char *output;
};

static void usage(int status)
{
	if (status != 0) {
		fprintf(stderr, "Try '%s --help' for more information.\n", lmrec_progname());
		exit(status);
	}
	printf("Usage: %s [OPTION]... -o FILE [INTERACTIONS]\n"
	       "  or:  %s --sum [OPTION]... -o FILE GRAM...\n",
	       lmrec_progname(), lmrec_progname());
	fputs("The item-item Gram matrix G = X^T X of the users x items matrix of the\n"
	      "INTERACTIONS (none or '-': standard input): for two items, the number of\n"
	      "users who have both (with --use-weights, the sum of the products of their\n"
	      "weights). A sum over users: the matrix of all users is the sum of those of\n"
	      "shards of users, which --sum adds up. lmrec-train --gram builds item-kNN\n"
	      "and EASE models from it, the same as from the interactions.\n"
	      "\n"
	      "  -o, --output FILE        the Gram file to write (required)\n"
	      "      --sum                add up the GRAM files (over the union of their\n"
	      "                           items) instead of reading interactions\n"
	      "      --folds LIST         with a fold column, these folds (default train;\n"
	      "                           'all' for every row)\n"
	      "      --use-weights        the weight column (default: every pair counts 1,\n"
	      "                           as item-kNN needs)\n"
	      "  -j, --threads N          threads (default 1)\n"
	      "  -q, --quiet              no summary on standard error\n"
	      "  -h, --help               show this help and exit\n"
	      "  -V, --version            show the version and exit\n"
	      "\n"
	      "Examples:\n"
	      "  lmrec-gram -o gram.a.lmrc a.tsv          # on each host, its own users\n"
	      "  lmrec-gram --sum -o gram.lmrc gram.a.lmrc gram.b.lmrc\n"
	      "  lmrec-train --model itemknn --gram gram.lmrc -o itemknn.lmrc\n"
	      "\n"
	      "See lmrec-gram(1).\n",
	      stdout);
	exit(0);
}

static void run_one(const struct opts *o, const char *file)
{
	struct lmrec_ids *users, *items = NULL;
	struct lmrec_csr ui, iu;
	size_t rows = lmrec_inter_matrix(file, o->fold_set, o->use_weights, NULL, NULL, &users, &items, &ui);
	lmrec_csr_transpose(&iu, &ui);
	struct lmrec_gram g;
	lmrec_gram_of(&g, &ui, &iu, o->threads);
	lmrec_gram_write(&g, items, lmrec_ids_count(users), o->use_weights, o->output);
	if (!o->quiet)
		fprintf(stderr, "%s: %zu items, %llu entries from %zu users and %zu interactions\n",
			lmrec_progname(), g.n, (unsigned long long)g.ptr[g.n], lmrec_ids_count(users), rows);
	lmrec_gram_free(&g);
	lmrec_csr_free(&ui);
	lmrec_csr_free(&iu);
	lmrec_ids_free(users);
	lmrec_ids_free(items);
}

/* The parts read so far: file-scope, so that what a refusal leaves behind
 * is still reachable when it exits (LeakSanitizer). */
static struct lmrec_gram *parts;
static struct lmrec_ids **part_items;

static void run_sum(const struct opts *o, char **files, int nfiles)
{
	parts = lmrec_xcalloc((size_t)nfiles, sizeof *parts);
	part_items = lmrec_xcalloc((size_t)nfiles, sizeof(struct lmrec_ids *));
	uint64_t users = 0;
	int weighted = 0;
	for (int a = 0; a < nfiles; a++) {
		uint64_t u;
		int w;
		lmrec_gram_read(files[a], &parts[a], &part_items[a], &u, &w);
		if (a > 0 && w != weighted)
			lmrec_die(LMREC_EXIT_DATA, "%s: %s, but %s is %s", files[a], w ? "weighted" : "binary",
				  files[0], weighted ? "weighted" : "binary");
		weighted = w;
		users += u;
	}
	struct lmrec_gram g;
	struct lmrec_ids *items;
	lmrec_gram_sum(&g, &items, parts, part_items, (size_t)nfiles);
	lmrec_gram_write(&g, items, users, weighted, o->output);
	if (!o->quiet)
		fprintf(stderr, "%s: %zu items, %llu entries from %d shards of %llu users\n", lmrec_progname(),
			g.n, (unsigned long long)g.ptr[g.n], nfiles, (unsigned long long)users);
	for (int a = 0; a < nfiles; a++) {
		lmrec_gram_free(&parts[a]);
		lmrec_ids_free(part_items[a]);
	}
	free(parts);
	free(part_items);
	parts = NULL;
	part_items = NULL;
	lmrec_gram_free(&g);
	lmrec_ids_free(items);
}

enum { OPT_SUM = CHAR_MAX + 1, OPT_FOLDS, OPT_USE_WEIGHTS };

static const struct option long_options[] = {
	{"sum", no_argument, NULL, OPT_SUM},
	{"folds", required_argument, NULL, OPT_FOLDS},
	{"use-weights", no_argument, NULL, OPT_USE_WEIGHTS},
	{"threads", required_argument, NULL, 'j'},
	{"output", required_argument, NULL, 'o'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0}};

int main(int argc, char **argv)
{
	lmrec_setprogname(argv[0]);
	struct opts o = {.fold_set = 1u << LMREC_FOLD_TRAIN, .threads = 1};
	int c;
	while ((c = getopt_long(argc, argv, "o:j:qhV", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_SUM: /* --sum */
			o.sum = 1;
			break;
		case OPT_FOLDS: /* --folds */
			o.fold_set = lmrec_folds_parse("--folds", optarg);
			break;
		case OPT_USE_WEIGHTS: /* --use-weights */
			o.use_weights = 1;
			break;
		case 'j': /* --threads */
			o.threads = (int)lmrec_opt_u64("--threads", optarg, 1, 1024);
			break;
		case 'o': /* --output */
			o.output = optarg;
			break;
		case 'q': /* --quiet */
			o.quiet = 1;
			break;
		case 'h': /* --help */
			usage(0);
			break;
		case 'V': /* --version */
			lmrec_print_version();
			return 0;
		default:
			usage(LMREC_EXIT_USAGE);
		}
	}
	int nfiles = argc - optind;
	if (!o.output)
		lmrec_usage_error("-o FILE is required");
	if (o.sum) {
		if (nfiles == 0)
			lmrec_usage_error("--sum needs the GRAM files");
		if (o.use_weights)
			lmrec_usage_error("--use-weights goes with interactions, not --sum");
		run_sum(&o, argv + optind, nfiles);
	} else {
		if (nfiles > 1)
			lmrec_usage_error("one interactions FILE a shard: '%s'", argv[optind + 1]);
		run_one(&o, nfiles ? argv[optind] : NULL);
	}
	lmrec_close_stdout();
	return 0;
}

/* lmrec-split — train / validation / test folds of an interactions stream. */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lmrec.h"

enum method { M_LAST, M_TIME, M_RANDOM, M_COLD };

/* last, random: a user holds rows out only with this many kept rows (the
 * help's "fewer than 3 rows stay wholly in train"); --eval-users draws
 * among those users. */
#define MIN_SPLIT_ROWS 3
static const char *const method_names[] = {"last", "time", "random", "cold"};

struct opts {
	enum method method;
	int valid;             /* make a validation fold */
	int64_t cutoff, valid_cutoff;
	int have_cutoff, have_valid_cutoff;
	double fraction, valid_fraction;
	int have_fraction;
	uint64_t min_user, min_item;
	uint64_t eval_users; /* 0: every user holds rows out */
	int keep_repeats;
	uint64_t seed;
	const char *output, *fold_file[4]; /* indexed by LMREC_FOLD_* */
	int quiet;
};

static void usage(int status)
{
	if (status != 0) {
		fprintf(stderr, "Try '%s --help' for more information.\n", lmrec_progname());
		exit(status);
	}
	printf("Usage: %s [OPTION]... [FILE]...\n", lmrec_progname());
	fputs("Split an interactions stream into train, valid and test folds.\n"
	      "\n"
	      "Reads the columns user, item and ts (others pass through) from the FILEs\n"
	      "(none or '-': standard input) and writes the rows with a 'fold' column, or\n"
	      "one file per fold. Users are written in byte order of their ids, each\n"
	      "user's rows by time (ties keep their input order).\n"
	      "\n"
	      "Method:\n"
	      "      --method NAME        last (default): per user in time order, the last\n"
	      "                           row is test and the one before it valid;\n"
	      "                           time: a global cut-off (--cutoff);\n"
	      "                           random: a seeded share of each user's rows;\n"
	      "                           cold: a seeded share of the items, every row\n"
	      "                           of a held-out item is test\n"
	      "      --no-valid           no valid fold (those rows stay in train)\n"
	      "      --cutoff TS          time: rows with ts >= TS are test\n"
	      "      --valid-cutoff TS    time: rows with TS <= ts < cutoff are valid\n"
	      "      --fraction F         random: share of each user's rows for test;\n"
	      "                           cold: share of the items held out (default 0.1)\n"
	      "      --valid-fraction F   random: share for valid (default: as --fraction);\n"
	      "                           cold: share of the items for valid (default 0)\n"
	      "      --eval-users N       last, random: only N users, drawn with the seed,\n"
	      "                           hold rows out; every row of the others is train\n"
	      "                           (default: every user)\n"
	      "\n"
	      "Filters, applied before the split:\n"
	      "      --keep-repeats       keep every row of a repeated (user, item) pair\n"
	      "                           (default: keep only the latest)\n"
	      "      --min-user N         drop users with fewer than N rows\n"
	      "      --min-item N         drop items with fewer than N rows (both counted\n"
	      "                           once, on the same rows, as SASRec does)\n"
	      "\n"
	      "Output:\n"
	      "  -o, --output FILE        one stream with a fold column (default: stdout)\n"
	      "      --train FILE         write the train fold to FILE\n"
	      "      --valid FILE         write the valid fold to FILE\n"
	      "      --test FILE          write the test fold to FILE\n"
	      "  -s, --seed N             seed of random and cold (default 1)\n"
	      "  -q, --quiet              no summary on standard error\n"
	      "  -h, --help               show this help and exit\n"
	      "  -V, --version            show the version and exit\n"
	      "\n"
	      "Users with fewer than 3 rows stay wholly in train (last, random).\n"
	      "Names ending in .gz are written compressed.\n"
	      "\n"
	      "Examples:\n"
	      "  lmrec-split --train train.tsv --valid valid.tsv --test test.tsv data.tsv\n"
	      "  lmrec-split --method cold --fraction 0.2 -s 7 data.tsv > folds.tsv\n"
	      "\n"
	      "See lmrec-split(1).\n",
	      stdout);
	exit(0);
}

enum {
	OPT_METHOD = CHAR_MAX + 1,
	OPT_NO_VALID,
	OPT_CUTOFF,
	OPT_VALID_CUTOFF,
	OPT_FRACTION,
	OPT_VALID_FRACTION,
	OPT_KEEP_REPEATS,
	OPT_MIN_USER,
	OPT_MIN_ITEM,
	OPT_EVAL_USERS,
	OPT_TRAIN,
	OPT_VALID,
	OPT_TEST
};

static const struct option long_options[] = {
	{"method", required_argument, NULL, OPT_METHOD},
	{"no-valid", no_argument, NULL, OPT_NO_VALID},
	{"cutoff", required_argument, NULL, OPT_CUTOFF},
	{"valid-cutoff", required_argument, NULL, OPT_VALID_CUTOFF},
	{"fraction", required_argument, NULL, OPT_FRACTION},
	{"valid-fraction", required_argument, NULL, OPT_VALID_FRACTION},
	{"keep-repeats", no_argument, NULL, OPT_KEEP_REPEATS},
	{"min-user", required_argument, NULL, OPT_MIN_USER},
	{"min-item", required_argument, NULL, OPT_MIN_ITEM},
	{"eval-users", required_argument, NULL, OPT_EVAL_USERS},
	{"output", required_argument, NULL, 'o'},
	{"train", required_argument, NULL, OPT_TRAIN},
	{"valid", required_argument, NULL, OPT_VALID},
	{"test", required_argument, NULL, OPT_TEST},
	{"seed", required_argument, NULL, 's'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

/* Marks rows to drop: repeats of a (user, item) pair but the latest (by
 * time, then input order), then users and items under the minimum counts. */
static void filter_rows(const struct lmrec_inter *x, const struct opts *o, const uint32_t *order,
			const size_t *start, unsigned char *drop)
{
	size_t nu = lmrec_ids_count(x->users), ni = lmrec_ids_count(x->items);
	if (!o->keep_repeats) {
		/* Walking each user's rows latest first, an item seen already is a repeat. */
		uint32_t *last_user = lmrec_xmalloc(ni * sizeof *last_user + 1);
		memset(last_user, 0xff, ni * sizeof *last_user);
		for (size_t u = 0; u < nu; u++)
			for (size_t j = start[u + 1]; j-- > start[u];) {
				uint32_t row = order[j];
				if (last_user[x->item[row]] == u)
					drop[row] = 1;
				last_user[x->item[row]] = (uint32_t)u;
			}
		free(last_user);
	}
	if (o->min_user <= 1 && o->min_item <= 1)
		return;
	uint64_t *ucount = lmrec_xcalloc(nu + 1, sizeof *ucount);
	uint64_t *icount = lmrec_xcalloc(ni + 1, sizeof *icount);
	for (size_t i = 0; i < x->n; i++)
		if (!drop[i]) {
			ucount[x->user[i]]++;
			icount[x->item[i]]++;
		}
	for (size_t i = 0; i < x->n; i++)
		if (ucount[x->user[i]] < o->min_user || icount[x->item[i]] < o->min_item)
			drop[i] = 1;
	free(ucount);
	free(icount);
}

/* Assigns each kept row of one user (rows[0..n), in time order) a fold. */
static void split_user(const struct opts *o, const uint32_t *rows, size_t n, unsigned char *fold,
		       struct lmrec_rng *rng)
{
	for (size_t j = 0; j < n; j++)
		fold[rows[j]] = LMREC_FOLD_TRAIN;
	if (n < MIN_SPLIT_ROWS)
		return;
	if (o->method == M_LAST) {
		fold[rows[n - 1]] = LMREC_FOLD_TEST;
		if (o->valid)
			fold[rows[n - 2]] = LMREC_FOLD_VALID;
		return;
	}
	/* random: a seeded subset of exact size; at least one row stays in train. */
	size_t nt = (size_t)floor(o->fraction * (double)n + 0.5);
	size_t nv = o->valid ? (size_t)floor(o->valid_fraction * (double)n + 0.5) : 0;
	if (nt + nv > n - 1) {
		nt = nt > n - 1 ? n - 1 : nt;
		nv = n - 1 - nt;
	}
	uint32_t *perm = lmrec_xmalloc(n * sizeof *perm);
	for (size_t j = 0; j < n; j++)
		perm[j] = (uint32_t)j;
	lmrec_rng_shuffle_u32(rng, perm, n);
	for (size_t j = 0; j < nt; j++)
		fold[rows[perm[j]]] = LMREC_FOLD_TEST;
	for (size_t j = nt; j < nt + nv; j++)
		fold[rows[perm[j]]] = LMREC_FOLD_VALID;
	free(perm);
}

/* cold: a seeded share of the items (chosen over the items in byte order,
 * so the choice does not depend on row order) is held out. */
static unsigned char *cold_items(const struct lmrec_inter *x, const struct opts *o)
{
	size_t ni = lmrec_ids_count(x->items);
	unsigned char *held = lmrec_xcalloc(ni + 1, 1);
	uint32_t *perm = lmrec_ids_sorted(x->items);
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, o->seed);
	lmrec_rng_shuffle_u32(&rng, perm, ni);
	size_t nt = (size_t)floor(o->fraction * (double)ni + 0.5);
	size_t nv = (size_t)floor(o->valid_fraction * (double)ni + 0.5);
	if (nt + nv > ni)
		nv = ni - nt;
	for (size_t j = 0; j < nt; j++)
		held[perm[j]] = LMREC_FOLD_TEST;
	for (size_t j = nt; j < nt + nv; j++)
		held[perm[j]] = LMREC_FOLD_VALID;
	free(perm);
	return held;
}

/* --eval-users: which users hold rows out. The users that can
 * (MIN_SPLIT_ROWS kept rows or more), in byte order of their ids,
 * shuffled by a stream of the seed of their own: the first N. The draw
 * depends on the users and the seed, not on the order of the rows. */
static unsigned char *eval_users(const struct lmrec_inter *x, const struct opts *o,
				 const uint32_t *order, const size_t *start, const unsigned char *drop)
{
	size_t nu = lmrec_ids_count(x->users);
	unsigned char *chosen = lmrec_xcalloc(nu + 1, 1);
	uint32_t *cand = lmrec_ids_sorted(x->users);
	size_t m = 0;
	for (size_t k = 0; k < nu; k++) {
		uint32_t u = cand[k];
		size_t n = 0;
		for (size_t j = start[u]; j < start[u + 1] && n < MIN_SPLIT_ROWS; j++)
			n += !drop[order[j]];
		if (n >= MIN_SPLIT_ROWS)
			cand[m++] = u;
	}
	struct lmrec_rng rng;
	lmrec_rng_seed2(&rng, o->seed, UINT64_C(0x6576616c75736572)); /* "evaluser" */
	lmrec_rng_shuffle_u32(&rng, cand, m);
	for (size_t k = 0; k < m && k < o->eval_users; k++)
		chosen[cand[k]] = 1;
	free(cand);
	return chosen;
}

static int run(const struct opts *o, char *const *files, size_t nfiles)
{
	struct lmrec_inter x;
	lmrec_inter_init(&x, NULL, NULL);
	lmrec_inter_load(&x, files, nfiles, LMREC_INTER_LINES | LMREC_INTER_DROP_FOLD);

	uint32_t *order;
	size_t *start;
	lmrec_inter_group(&x, &order, &start);
	size_t nu = lmrec_ids_count(x.users);
	unsigned char *drop = lmrec_xcalloc(x.n + 1, 1);
	filter_rows(&x, o, order, start, drop);

	unsigned char *fold = lmrec_xcalloc(x.n + 1, 1);
	unsigned char *held = o->method == M_COLD ? cold_items(&x, o) : NULL;
	unsigned char *chosen = o->eval_users ? eval_users(&x, o, order, start, drop) : NULL;
	uint32_t *rows = lmrec_xmalloc((x.n + 1) * sizeof *rows);
	for (size_t u = 0; u < nu; u++) {
		size_t n = 0;
		for (size_t j = start[u]; j < start[u + 1]; j++)
			if (!drop[order[j]])
				rows[n++] = order[j];
		if (chosen && !chosen[u]) {
			for (size_t j = 0; j < n; j++)
				fold[rows[j]] = LMREC_FOLD_TRAIN;
		} else if (o->method == M_LAST || o->method == M_RANDOM) {
			struct lmrec_rng rng;
			size_t len;
			const char *id = lmrec_ids_str(x.users, (uint32_t)u, &len);
			lmrec_rng_seed2(&rng, o->seed, lmrec_hash64(id, len));
			split_user(o, rows, n, fold, &rng);
		} else {
			for (size_t j = 0; j < n; j++) {
				uint32_t r = rows[j];
				if (o->method == M_TIME)
					fold[r] = x.ts[r] >= o->cutoff ? LMREC_FOLD_TEST
						  : (o->have_valid_cutoff && x.ts[r] >= o->valid_cutoff)
							  ? LMREC_FOLD_VALID
							  : LMREC_FOLD_TRAIN;
				else
					fold[r] = held[x.item[r]] ? held[x.item[r]] : LMREC_FOLD_TRAIN;
			}
		}
	}

	/* Output: users in byte order, each user's rows in time order. */
	int per_fold = o->fold_file[1] || o->fold_file[2] || o->fold_file[3];
	struct lmrec_out *out[4] = {NULL, NULL, NULL, NULL};
	if (per_fold) {
		for (int f = 1; f <= 3; f++)
			if (o->fold_file[f]) {
				out[f] = lmrec_out_open(o->fold_file[f]);
				lmrec_out_str(out[f], x.header);
				lmrec_out_eol(out[f]);
			}
	} else {
		out[0] = lmrec_out_open(o->output);
		lmrec_out_str(out[0], x.header);
		lmrec_out_str(out[0], "\tfold\n");
	}
	uint64_t count[4] = {0, 0, 0, 0};
	uint32_t *users_sorted = lmrec_ids_sorted(x.users);
	for (size_t k = 0; k < nu; k++) {
		uint32_t u = users_sorted[k];
		for (size_t j = start[u]; j < start[u + 1]; j++) {
			uint32_t r = order[j];
			if (drop[r])
				continue;
			count[fold[r]]++;
			struct lmrec_out *w = per_fold ? out[fold[r]] : out[0];
			if (!w)
				continue;
			lmrec_out_write(w, x.text + x.line_off[r], x.line_len[r]);
			if (!per_fold) {
				lmrec_out_tab(w);
				lmrec_out_str(w, lmrec_fold_names[fold[r]]);
			}
			lmrec_out_eol(w);
		}
	}
	for (int f = 0; f < 4; f++)
		if (out[f])
			lmrec_out_commit(out[f]);

	if (!o->quiet) {
		size_t dropped = 0;
		for (size_t i = 0; i < x.n; i++)
			dropped += drop[i];
		fprintf(stderr, "%s: %s: %zu rows in, %zu dropped; train %llu, valid %llu, test %llu\n",
			lmrec_progname(), method_names[o->method], x.n, dropped,
			(unsigned long long)count[1], (unsigned long long)count[2],
			(unsigned long long)count[3]);
	}
	free(users_sorted);
	free(rows);
	free(held);
	free(chosen);
	free(fold);
	free(drop);
	free(order);
	free(start);
	lmrec_inter_free(&x);
	return 0;
}

int main(int argc, char **argv)
{
	lmrec_setprogname(argv[0]);
	struct opts o = {.method = M_LAST, .valid = 1, .seed = 1, .fraction = 0.1};
	int have_valid_fraction = 0;
	int c;
	while ((c = getopt_long(argc, argv, "o:s:qhV", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_METHOD: /* --method */
			for (o.method = 0; o.method < 4; o.method++)
				if (strcmp(optarg, method_names[o.method]) == 0)
					break;
			if (o.method == 4)
				lmrec_usage_error("invalid value for --method: '%s' "
						  "(expected last, time, random or cold)",
						  optarg);
			break;
		case OPT_NO_VALID: o.valid = 0; break; /* --no-valid */
		case OPT_CUTOFF: /* --cutoff */
			o.cutoff = lmrec_opt_i64("--cutoff", optarg, INT64_MIN, INT64_MAX);
			o.have_cutoff = 1;
			break;
		case OPT_VALID_CUTOFF: /* --valid-cutoff */
			o.valid_cutoff = lmrec_opt_i64("--valid-cutoff", optarg, INT64_MIN, INT64_MAX);
			o.have_valid_cutoff = 1;
			break;
		case OPT_FRACTION: /* --fraction */
			o.fraction = lmrec_opt_double("--fraction", optarg, 0.0, 1.0);
			o.have_fraction = 1;
			break;
		case OPT_VALID_FRACTION: /* --valid-fraction */
			o.valid_fraction = lmrec_opt_double("--valid-fraction", optarg, 0.0, 1.0);
			have_valid_fraction = 1;
			break;
		case OPT_KEEP_REPEATS: o.keep_repeats = 1; break; /* --keep-repeats */
		case OPT_MIN_USER: /* --min-user */
			o.min_user = lmrec_opt_u64("--min-user", optarg, 0, UINT32_MAX);
			break;
		case OPT_MIN_ITEM: /* --min-item */
			o.min_item = lmrec_opt_u64("--min-item", optarg, 0, UINT32_MAX);
			break;
		case OPT_EVAL_USERS: /* --eval-users */
			o.eval_users = lmrec_opt_u64("--eval-users", optarg, 1, UINT32_MAX);
			break;
		case 'o': o.output = optarg; break; /* --output */
		case OPT_TRAIN: o.fold_file[LMREC_FOLD_TRAIN] = optarg; break; /* --train */
		case OPT_VALID: o.fold_file[LMREC_FOLD_VALID] = optarg; break; /* --valid */
		case OPT_TEST: o.fold_file[LMREC_FOLD_TEST] = optarg; break;   /* --test */
		case 's': o.seed = lmrec_opt_u64("--seed", optarg, 0, UINT64_MAX); break; /* --seed */
		case 'q': o.quiet = 1; break; /* --quiet */
		case 'h': usage(0); break;    /* --help */
		case 'V': lmrec_print_version(); lmrec_close_stdout(); return 0; /* --version */
		default: usage(LMREC_EXIT_USAGE);
		}
	}
	if (o.method == M_TIME && !o.have_cutoff)
		lmrec_usage_error("--method time needs --cutoff");
	if (o.method != M_TIME && (o.have_cutoff || o.have_valid_cutoff))
		lmrec_usage_error("--cutoff and --valid-cutoff belong to --method time");
	if (o.have_valid_cutoff && o.valid_cutoff > o.cutoff)
		lmrec_usage_error("--valid-cutoff is after --cutoff");
	if ((o.method == M_LAST || o.method == M_TIME) && (o.have_fraction || have_valid_fraction))
		lmrec_usage_error("--fraction and --valid-fraction belong to --method random and cold");
	if (o.eval_users && (o.method == M_TIME || o.method == M_COLD))
		lmrec_usage_error("--eval-users belongs to --method last and random (a time or cold "
				  "split holds out by time or by item: the other users' rows would leak)");
	if (!have_valid_fraction)
		o.valid_fraction = o.method == M_RANDOM ? o.fraction : 0.0;
	if (o.method == M_COLD && !have_valid_fraction)
		o.valid = 0;
	if (!o.valid)
		o.valid_fraction = 0.0;
	if (o.method == M_TIME && !o.have_valid_cutoff)
		o.valid = 0;
	if (o.fraction + o.valid_fraction > 1.0)
		lmrec_usage_error("--fraction plus --valid-fraction exceeds 1");
	if (o.output && (o.fold_file[1] || o.fold_file[2] || o.fold_file[3]))
		lmrec_usage_error("--output and --train/--valid/--test exclude each other");
	int rc = run(&o, argv + optind, (size_t)(argc - optind));
	lmrec_close_stdout();
	return rc;
}

/* lmrec-similar — each item's nearest items, for item pages ("people who
 * liked this also liked"): from a trained model, or from the counts of who
 * took what, which can be released with differential privacy. */
#include <getopt.h>
#include <math.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "lmrec.h"
#include "cooc.h"
#include "csr.h"
#include "dp.h"
#include "mat.h"
#include "par.h"
#include "recmodel.h"

#define BLOCK 256
/* The default caps, by mechanism: Laplace's L1 sensitivity grows as k^2,
 * the Gaussian's L2 as k (lmrec-similar(1), tests/bench/dp.sh). */
#define DEFAULT_CAP_LAPLACE 10
#define DEFAULT_CAP_GAUSSIAN 50

struct opts {
	const char *model, *items, *output, *popular, *record;
	size_t top;
	int threads, quiet;
	int counts;               /* --counts */
	const char *counts_only;  /* the first option given that needs --counts */
	double shrink;
	uint64_t min_support;
	size_t cap;               /* --dp-max-per-user; 0: every item */
	int have_cap;
	uint64_t seed;
	int have_seed;
	int dp;                   /* --dp-epsilon given */
	double epsilon, delta;
	int have_delta, have_mech;
	enum lmrec_dp_mechanism mech;
};

static void usage(int status)
{
	if (status != 0) {
		fprintf(stderr, "Try '%s --help' for more information.\n", lmrec_progname());
		exit(status);
	}
	printf("Usage: %s -m MODEL [OPTION]...\n"
	       "  or:  %s --counts [OPTION]... [FILE]...\n",
	       lmrec_progname(), lmrec_progname());
	fputs("Each item's nearest items, from a trained model or from the counts of who\n"
	      "took what.\n"
	      "\n"
	      "With -m, for every item of the model, the items the model would recommend\n"
	      "to someone whose only interaction is that item: item-kNN's neighbours, a\n"
	      "row of EASE's weights, the ALS fold-in of that one item, BPR's mean vector.\n"
	      "With --counts, from the interactions (columns user, item and ts of the\n"
	      "FILEs; none or '-': standard input): the cosine of the users two items\n"
	      "share, c_ij / (sqrt(n_i n_j) + shrink), as an itemknn model has it; and\n"
	      "what protects those aggregates: a cap on each user's items, noise\n"
	      "(differential privacy), the suppression of small supports.\n"
	      "Writes the stream: item rank similar score reason.\n"
	      "\n"
	      "Lists:\n"
	      "  -m, --model-file FILE    a model from lmrec-train (not popular)\n"
	      "      --counts             the lists from the interactions' counts\n"
	      "  -n, --top N              similar items per item (default 20)\n"
	      "      --items FILE         the catalog: titles for the reasons; items with\n"
	      "                           available=0 are neither listed nor given lists\n"
	      "      --shrink S           --counts: shrinkage of the cosine (default 10)\n"
	      "  -o, --output FILE        write to FILE (default: standard output)\n"
	      "      --popular FILE       --counts: also the items by their users, most\n"
	      "                           first (rank item users), from the same counts\n"
	      "\n"
	      "Protection (--counts):\n"
	      "      --min-support N      suppress the items and pairs of fewer than N\n"
	      "                           users (counted after the noise, if any; with\n"
	      "                           noise, never below the noise floor)\n"
	      "      --dp-epsilon E       differential privacy at budget E (1e-06 to 100;\n"
	      "                           needs --items, the public catalog)\n"
	      "      --dp-mechanism NAME  laplace (default; epsilon-DP) or gaussian\n"
	      "                           ((epsilon, delta)-DP, analytic calibration)\n"
	      "      --dp-delta D         gaussian's delta, e.g. 1e-6 (well below 1/users)\n"
	      "      --dp-max-per-user K  count at most K items of each user, a seeded\n"
	      "                           sample (default with --dp-epsilon: 10 for\n"
	      "                           laplace, 50 for gaussian; else all)\n"
	      "  -s, --seed N             seed of the sample and of the noise (default 1;\n"
	      "                           with --dp-epsilon, a random one: keep it secret)\n"
	      "      --privacy-record FILE  the release's parameters as TSV (mechanism,\n"
	      "                           epsilon, delta, max_per_user, min_support, seed)\n"
	      "\n"
	      "  -j, --threads N          threads (default 1)\n"
	      "  -q, --quiet              no summary on standard error\n"
	      "  -h, --help               show this help and exit\n"
	      "  -V, --version            show the version and exit\n"
	      "\n"
	      "Examples:\n"
	      "  lmrec-similar -m itemknn.lmrc --items items.tsv -o similar-items.tsv.gz\n"
	      "  lmrec-similar --counts --items items.tsv --dp-epsilon 1 --min-support 20 \\\n"
	      "      --privacy-record privacy.tsv -o similar-items.tsv.gz interactions.tsv.gz\n"
	      "\n"
	      "See lmrec-similar(1).\n",
	      stdout);
	exit(0);
}

enum {
	OPT_ITEMS = CHAR_MAX + 1,
	OPT_COUNTS,
	OPT_SHRINK,
	OPT_POPULAR,
	OPT_MIN_SUPPORT,
	OPT_EPSILON,
	OPT_MECHANISM,
	OPT_DELTA,
	OPT_CAP,
	OPT_RECORD,
};

static const struct option long_options[] = {
	{"model-file", required_argument, NULL, 'm'},
	{"counts", no_argument, NULL, OPT_COUNTS},
	{"top", required_argument, NULL, 'n'},
	{"items", required_argument, NULL, OPT_ITEMS},
	{"shrink", required_argument, NULL, OPT_SHRINK},
	{"output", required_argument, NULL, 'o'},
	{"popular", required_argument, NULL, OPT_POPULAR},
	{"min-support", required_argument, NULL, OPT_MIN_SUPPORT},
	{"dp-epsilon", required_argument, NULL, OPT_EPSILON},
	{"dp-mechanism", required_argument, NULL, OPT_MECHANISM},
	{"dp-delta", required_argument, NULL, OPT_DELTA},
	{"dp-max-per-user", required_argument, NULL, OPT_CAP},
	{"seed", required_argument, NULL, 's'},
	{"privacy-record", required_argument, NULL, OPT_RECORD},
	{"threads", required_argument, NULL, 'j'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

/* The catalog (--items): titles and attrs (unescaped) and availability of
 * the items of a dictionary (a model's items, or the counted ones). */
struct catalog {
	char **title, **attrs; /* (n) NULL where unknown */
	unsigned char *banned; /* (n) available=0 */
	size_t n;
};

/* Grows the catalog to at least n entries (the new ones unknown). */
static void catalog_fit(struct catalog *cat, size_t n)
{
	if (cat->n >= n)
		return;
	if (n < 2 * cat->n) /* doubling: a catalog read row by row grows in amortised O(1) */
		n = 2 * cat->n;
	cat->title = lmrec_xreallocarray(cat->title, n, sizeof *cat->title);
	cat->attrs = lmrec_xreallocarray(cat->attrs, n, sizeof *cat->attrs);
	cat->banned = lmrec_xreallocarray(cat->banned, n, 1);
	for (size_t k = cat->n; k < n; k++) {
		cat->title[k] = cat->attrs[k] = NULL;
		cat->banned[k] = 0;
	}
	cat->n = n;
}

/* Reads path for the items of ids; with add, every item of the file is
 * first added to ids (the catalog is then the item set). */
static void catalog_load(struct catalog *cat, const char *path, struct lmrec_ids *ids, int add)
{
	struct lmrec_tsv *r = lmrec_tsv_open(path);
	size_t ci = lmrec_tsv_col(r, "item");
	long ct = lmrec_tsv_col_opt(r, "title"), ca = lmrec_tsv_col_opt(r, "available");
	long cattrs = lmrec_tsv_col_opt(r, "attrs");
	while (lmrec_tsv_read(r)) {
		int64_t i = add ? (int64_t)lmrec_ids_intern(ids, r->f[ci].p, r->f[ci].len)
				: lmrec_ids_find(ids, r->f[ci].p, r->f[ci].len);
		if (i < 0)
			continue;
		catalog_fit(cat, (size_t)i + 1);
		if (ct >= 0 && r->f[ct].len) {
			free(cat->title[i]);
			cat->title[i] = lmrec_xmalloc(r->f[ct].len + 1);
			cat->title[i][lmrec_tsv_unescape(cat->title[i], r->f[ct].p, r->f[ct].len)] = '\0';
		}
		if (cattrs >= 0 && r->f[cattrs].len) {
			free(cat->attrs[i]);
			cat->attrs[i] = lmrec_xmalloc(r->f[cattrs].len + 1);
			cat->attrs[i][lmrec_tsv_unescape(cat->attrs[i], r->f[cattrs].p, r->f[cattrs].len)] = '\0';
		}
		if (ca >= 0) {
			struct lmrec_field a = r->f[ca];
			if (a.len == 1 && a.p[0] == '0')
				cat->banned[i] = 1;
			else if (a.len && !(a.len == 1 && a.p[0] == '1'))
				lmrec_tsv_die(r, (size_t)ca, "'%.*s' is not 0 or 1", (int)a.len, a.p);
		}
	}
	lmrec_tsv_close(r);
}

/* The catalog in the order of a new dictionary: entry k < n (the items
 * of the old one) becomes entry map[k]. */
static void catalog_remap(struct catalog *cat, const uint32_t *map, size_t n)
{
	struct catalog t = {lmrec_xcalloc(cat->n + 1, sizeof *t.title), lmrec_xcalloc(cat->n + 1, sizeof *t.attrs),
			    lmrec_xcalloc(cat->n + 1, 1), cat->n};
	for (size_t k = 0; k < n; k++) {
		t.title[map[k]] = cat->title[k];
		t.attrs[map[k]] = cat->attrs[k];
		t.banned[map[k]] = cat->banned[k];
	}
	free(cat->title);
	free(cat->attrs);
	free(cat->banned);
	*cat = t;
}

static void catalog_free(struct catalog *cat)
{
	for (size_t k = 0; k < cat->n; k++) {
		free(cat->title[k]);
		free(cat->attrs[k]);
	}
	free(cat->title);
	free(cat->attrs);
	free(cat->banned);
}

static void put_name(struct lmrec_out *o, const struct lmrec_ids *ids, const struct catalog *cat, uint32_t i)
{
	if (cat->title[i]) {
		lmrec_out_field(o, cat->title[i], strlen(cat->title[i]));
	} else {
		size_t len;
		const char *s = lmrec_ids_str(ids, i, &len);
		lmrec_out_write(o, s, len);
	}
}

/* One row of the similar items: item i's rank-th is j. */
static void put_row(struct lmrec_out *out, const struct lmrec_ids *ids, const struct catalog *cat, int content,
		    uint32_t i, size_t rank, uint32_t j, float score)
{
	size_t len;
	const char *s = lmrec_ids_str(ids, i, &len);
	lmrec_out_write(out, s, len);
	lmrec_out_tab(out);
	lmrec_out_i64(out, (int64_t)rank);
	lmrec_out_tab(out);
	s = lmrec_ids_str(ids, j, &len);
	lmrec_out_write(out, s, len);
	lmrec_out_tab(out);
	lmrec_out_f32(out, score);
	lmrec_out_tab(out);
	if (content) {
		lmrec_out_str(out, "similar to ");
		put_name(out, ids, cat, i);
		lmrec_attrs_put_shared(out, cat->attrs[j], cat->attrs[i], 3);
	} else {
		lmrec_out_str(out, "people who liked ");
		put_name(out, ids, cat, i);
		lmrec_out_str(out, " also liked ");
		put_name(out, ids, cat, j);
	}
	lmrec_out_eol(out);
}

static int run_model(const struct opts *o)
{
	struct lmrec_recmodel *m = lmrec_recmodel_read(o->model, LMREC_KIND_ANY);
	if (m->kind == LMREC_KIND_POPULAR) {
		lmrec_recmodel_free(m); /* freed before dying: Valgrind counts it lost otherwise */
		lmrec_die(LMREC_EXIT_USAGE, "%s: a popular model has no item similarity", o->model);
	}
	size_t ni = m->ni;
	struct catalog cat = {0};
	if (o->items)
		catalog_load(&cat, o->items, m->items, 0);
	catalog_fit(&cat, ni + 1);
	/* content models find items alike in what they are, not in who took them */
	int content = m->kind == LMREC_KIND_SEMANTIC || m->kind == LMREC_KIND_ALIGN;
	/* crossdomain scores are logs of probabilities: any score counts */
	int any = m->kind == LMREC_KIND_CROSSDOMAIN;
	lmrec_blas_threads(o->threads);
	struct lmrec_scorer *sc = lmrec_scorer_new(m, BLOCK);
	float *scores = lmrec_xmalloc(BLOCK * (ni + 1) * sizeof *scores);
	uint32_t *self = lmrec_xcalloc(BLOCK, sizeof *self);
	struct lmrec_user_query q[BLOCK];
	struct lmrec_topk top;
	lmrec_topk_init(&top, o->top);
	struct lmrec_out *out = lmrec_out_open(o->output);
	lmrec_out_str(out, "item\trank\tsimilar\tscore\treason\n");
	size_t lists = 0;
	for (size_t b = 0; b < ni; b += BLOCK) {
		size_t nb = ni - b < BLOCK ? ni - b : BLOCK;
		for (size_t r = 0; r < nb; r++) {
			self[r] = (uint32_t)(b + r);
			q[r] = (struct lmrec_user_query){.user = -1, .hist = &self[r], .n = 1, .fold_in = 1};
		}
		lmrec_score_block(sc, q, nb, scores);
		for (size_t r = 0; r < nb; r++) {
			uint32_t i = (uint32_t)(b + r);
			if (cat.banned[i])
				continue;
			const float *s = scores + r * ni;
			lmrec_topk_reset(&top);
			for (size_t j = 0; j < ni; j++)
				if (j != i && !cat.banned[j] && (s[j] > 0 || (any && !isnan(s[j]))))
					lmrec_topk_push(&top, (uint32_t)j, s[j]);
			size_t n = lmrec_topk_sort(&top);
			for (size_t t = 0; t < n; t++)
				put_row(out, m->items, &cat, content, i, t + 1, top.idx[t], top.score[t]);
			lists += n > 0;
		}
	}
	lmrec_out_commit(out);
	if (!o->quiet)
		fprintf(stderr, "%s: %zu items with similar items, of %zu\n", lmrec_progname(), lists, ni);
	lmrec_topk_free(&top);
	lmrec_scorer_free(sc);
	free(scores);
	free(self);
	catalog_free(&cat);
	lmrec_recmodel_free(m);
	return 0;
}

/* ---- --counts ---- */

/* The rows of the released lists, computed in parallel. */
struct rows_ctx {
	const struct lmrec_cooc_release *rel;
	size_t top;
	uint32_t *idx;        /* (ni, top) */
	float *score;         /* (ni, top) */
	size_t *n;            /* (ni) */
	uint64_t *suppressed; /* (threads) pairs below the threshold */
};

static void rows_task(void *arg, int thread, size_t begin, size_t end)
{
	struct rows_ctx *x = arg;
	size_t ni = x->rel->c->ni;
	uint32_t *count = lmrec_xcalloc(ni + 1, sizeof *count), *touched = lmrec_xcalloc(ni + 1, sizeof *touched);
	struct lmrec_topk top;
	lmrec_topk_init(&top, x->top);
	uint64_t suppressed = 0;
	for (size_t i = begin; i < end; i++) {
		lmrec_topk_reset(&top);
		lmrec_cooc_release_row(x->rel, (uint32_t)i, &top, count, touched, &suppressed);
		size_t n = lmrec_topk_sort(&top);
		memcpy(x->idx + i * x->top, top.idx, n * sizeof *x->idx);
		memcpy(x->score + i * x->top, top.score, n * sizeof *x->score);
		x->n[i] = n;
	}
	x->suppressed[thread] = suppressed;
	lmrec_topk_free(&top);
	free(count);
	free(touched);
}

struct ranked {
	int64_t n;
	uint32_t item;
};

static int cmp_ranked(const void *pa, const void *pb)
{
	const struct ranked *a = pa, *b = pb;
	if (a->n != b->n)
		return a->n > b->n ? -1 : 1;
	return a->item < b->item ? -1 : a->item > b->item;
}

/* The popularity list: the listed items by released count, then id. */
static void write_popular(const char *path, const struct lmrec_ids *ids, const struct lmrec_cooc_release *rel)
{
	size_t ni = rel->c->ni, nl = 0;
	struct ranked *order = lmrec_xcalloc(ni + 1, sizeof *order);
	for (size_t i = 0; i < ni; i++)
		if (rel->listed[i])
			order[nl++] = (struct ranked){rel->n[i], (uint32_t)i};
	qsort(order, nl, sizeof *order, cmp_ranked);
	struct lmrec_out *out = lmrec_out_open(path);
	lmrec_out_str(out, "rank\titem\tusers\n");
	for (size_t r = 0; r < nl; r++) {
		size_t len;
		const char *s = lmrec_ids_str(ids, order[r].item, &len);
		lmrec_out_i64(out, (int64_t)r + 1);
		lmrec_out_tab(out);
		lmrec_out_write(out, s, len);
		lmrec_out_tab(out);
		lmrec_out_i64(out, order[r].n);
		lmrec_out_eol(out);
	}
	lmrec_out_commit(out);
	free(order);
}

static const char *base_name(const char *path)
{
	if (!path || strcmp(path, "-") == 0)
		return "-";
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* The record of the release: what was published, and how it was
 * protected (lmrec-similar(1), PRIVACY RECORD). */
static void write_record(const struct opts *o, const struct lmrec_dp *dp, uint64_t threshold)
{
	struct lmrec_out *out = lmrec_out_open(o->record);
	lmrec_out_str(out, "tables\tmechanism\tepsilon\tdelta\tmax_per_user\tmin_support\tseed\tsensitivity_l1\t"
			   "sensitivity_l2\tnoise_scale\tthreshold\n");
	const char *t = base_name(o->output);
	lmrec_out_field(out, t, strlen(t));
	if (o->popular) {
		t = base_name(o->popular);
		lmrec_out_byte(out, ',');
		lmrec_out_field(out, t, strlen(t));
	}
	lmrec_out_tab(out);
	lmrec_out_str(out, dp ? lmrec_dp_names[dp->mech] : "none");
	lmrec_out_tab(out);
	if (dp)
		lmrec_out_printf(out, "%.15g", dp->epsilon);
	lmrec_out_tab(out);
	if (dp && dp->mech == LMREC_DP_GAUSSIAN)
		lmrec_out_printf(out, "%.15g", dp->delta);
	lmrec_out_tab(out);
	if (o->cap)
		lmrec_out_i64(out, (int64_t)o->cap);
	lmrec_out_tab(out);
	lmrec_out_i64(out, (int64_t)o->min_support);
	lmrec_out_tab(out);
	if (o->cap || dp)
		lmrec_out_printf(out, "%llu", (unsigned long long)o->seed);
	lmrec_out_tab(out);
	if (dp)
		lmrec_out_printf(out, "%.17g\t%.17g\t%.17g", dp->l1, dp->l2, dp->scale);
	else
		lmrec_out_str(out, "\t\t");
	lmrec_out_tab(out);
	lmrec_out_i64(out, (int64_t)threshold);
	lmrec_out_eol(out);
	lmrec_out_commit(out);
}

static int run_counts(const struct opts *o, char *const *files, size_t nfiles)
{
	struct lmrec_inter x;
	lmrec_inter_init(&x, NULL, NULL);
	lmrec_inter_load(&x, files, nfiles, 0);
	/* The counted items, in byte order of their ids: with privacy, those
	 * of the catalog (public), never taken from the data (an item one user
	 * took would betray that user by being there at all); else the
	 * input's. */
	struct catalog cat = {0};
	struct lmrec_ids *known = x.items;
	if (o->dp) {
		known = lmrec_ids_new();
		catalog_load(&cat, o->items, known, 1);
	}
	uint32_t *sorted_map;
	struct lmrec_ids *items = lmrec_ids_sorted_copy(known, &sorted_map);
	size_t ni = lmrec_ids_count(items);
	if (o->dp) {
		catalog_fit(&cat, ni);
		catalog_remap(&cat, sorted_map, ni);
	} else if (o->items) {
		catalog_load(&cat, o->items, items, 0);
	}
	catalog_fit(&cat, ni + 1);
	/* the users x items matrix of the rows whose item is counted */
	uint32_t *ru = lmrec_xcalloc(x.n + 1, sizeof *ru), *ri = lmrec_xcalloc(x.n + 1, sizeof *ri);
	size_t nr = 0, outside = 0;
	for (size_t r = 0; r < x.n; r++) {
		size_t len;
		const char *s = lmrec_ids_str(x.items, x.item[r], &len);
		int64_t i = o->dp ? lmrec_ids_find(items, s, len) : (int64_t)sorted_map[x.item[r]];
		if (i < 0) {
			outside++;
			continue;
		}
		ru[nr] = x.user[r];
		ri[nr++] = (uint32_t)i;
	}
	if (outside && !o->quiet)
		lmrec_warn("%zu rows name items that are not in %s: not counted", outside,
			   lmrec_display_name(o->items));
	size_t nu = lmrec_ids_count(x.users);
	struct lmrec_csr ui;
	lmrec_csr_build(&ui, nu, ni, ru, ri, NULL, nr, LMREC_DUP_ONE);
	free(ru);
	free(ri);
	uint64_t *uh = lmrec_xcalloc(nu + 1, sizeof *uh), *ih = lmrec_xcalloc(ni + 1, sizeof *ih);
	for (size_t u = 0; u < nu; u++) {
		size_t len;
		const char *s = lmrec_ids_str(x.users, (uint32_t)u, &len);
		uh[u] = lmrec_hash64(s, len);
	}
	for (size_t i = 0; i < ni; i++) {
		size_t len;
		const char *s = lmrec_ids_str(items, (uint32_t)i, &len);
		ih[i] = lmrec_hash64(s, len);
	}
	struct lmrec_cooc c;
	lmrec_cooc_build(&c, &ui, uh, ih, o->cap, o->seed);
	lmrec_csr_free(&ui);
	free(uh);
	free(ih);

	struct lmrec_dp dp;
	if (o->dp) {
		double l1, l2;
		char *msg;
		lmrec_dp_cooc_sensitivity(o->cap, &l1, &l2);
		if (lmrec_dp_init(&dp, o->mech, o->epsilon, o->have_delta ? o->delta : 0, l1, l2, o->seed, &msg) != 0)
			lmrec_usage_error("%s", msg); /* the options were checked: not reached */
	}
	/* the threshold: the support asked for, and with noise at least its
	 * floor, where a pair nobody took is released with probability
	 * 1/pairs: at most one such pair is expected in the whole table */
	uint64_t threshold = o->min_support > 1 ? o->min_support : 1, floor = 1;
	if (o->dp) {
		double pairs = (double)ni * ((double)ni - 1) / 2;
		floor = lmrec_dp_noise_floor(&dp, pairs >= 1 ? 1 / pairs : 1);
		threshold = floor > threshold ? floor : threshold;
	}
	struct lmrec_cooc_release rel = {.c = &c,
					 .dp = o->dp ? &dp : NULL,
					 .threshold = threshold,
					 .shrink = o->shrink,
					 .banned = cat.banned};
	lmrec_cooc_release_items(&rel);
	int threads = o->threads > 1 ? o->threads : 1;
	size_t top = o->top < ni ? o->top : ni; /* no list is longer than the other items */
	struct rows_ctx rc = {&rel, top, lmrec_xcalloc(ni * top + 1, sizeof *rc.idx),
			      lmrec_xcalloc(ni * top + 1, sizeof *rc.score), lmrec_xcalloc(ni + 1, sizeof *rc.n),
			      lmrec_xcalloc((size_t)threads, sizeof *rc.suppressed)};
	lmrec_par_for(threads, ni, rows_task, &rc);

	struct lmrec_out *out = lmrec_out_open(o->output);
	lmrec_out_str(out, "item\trank\tsimilar\tscore\treason\n");
	size_t lists = 0;
	for (size_t i = 0; i < ni; i++) {
		for (size_t t = 0; t < rc.n[i]; t++)
			put_row(out, items, &cat, 0, (uint32_t)i, t + 1, rc.idx[i * top + t], rc.score[i * top + t]);
		lists += rc.n[i] > 0;
	}
	lmrec_out_commit(out);
	if (o->popular)
		write_popular(o->popular, items, &rel);
	if (o->record)
		write_record(o, o->dp ? &dp : NULL, threshold);
	if (!o->quiet) {
		uint64_t pairs = 0;
		for (int t = 0; t < threads; t++)
			pairs += rc.suppressed[t];
		fprintf(stderr, "%s: %zu items with similar items, of %zu\n", lmrec_progname(), lists, ni);
		if (o->cap)
			fprintf(stderr, "%s: a cap of %zu items a user: %llu (user, item) pairs left out\n",
				lmrec_progname(), o->cap, (unsigned long long)c.dropped);
		if (threshold > 1)
			fprintf(stderr, "%s: suppressed below the support of %llu: %llu items, %llu pairs\n",
				lmrec_progname(), (unsigned long long)threshold, (unsigned long long)rel.items_suppressed,
				(unsigned long long)pairs);
		if (o->dp && dp.mech == LMREC_DP_LAPLACE)
			fprintf(stderr, "%s: laplace noise of scale %.6g: epsilon %g, L1 sensitivity %g, noise floor %llu\n",
				lmrec_progname(), dp.scale, dp.epsilon, dp.l1, (unsigned long long)floor);
		else if (o->dp)
			fprintf(stderr,
				"%s: gaussian noise of sigma %.6g: epsilon %g, delta %g, L2 sensitivity %.6g, noise floor %llu\n",
				lmrec_progname(), dp.scale, dp.epsilon, dp.delta, dp.l2, (unsigned long long)floor);
	}
	free(rc.idx);
	free(rc.score);
	free(rc.n);
	free(rc.suppressed);
	lmrec_cooc_release_free(&rel);
	lmrec_cooc_free(&c);
	catalog_free(&cat);
	free(sorted_map);
	lmrec_ids_free(items);
	if (known != x.items)
		lmrec_ids_free(known);
	lmrec_inter_free(&x);
	return 0;
}

/* Notes the first option that needs --counts. */
static void counts_only(struct opts *o, const char *name)
{
	if (!o->counts_only)
		o->counts_only = name;
}

int main(int argc, char **argv)
{
	lmrec_setprogname(argv[0]);
	struct opts o = {.top = 20, .threads = 1, .shrink = 10, .seed = 1, .mech = LMREC_DP_LAPLACE};
	int c;
	while ((c = getopt_long(argc, argv, "m:n:o:s:j:qhV", long_options, NULL)) != -1) {
		switch (c) {
		case 'm': o.model = optarg; break; /* --model-file */
		case OPT_COUNTS: o.counts = 1; break; /* --counts */
		case 'n': o.top = (size_t)lmrec_opt_u64("--top", optarg, 1, 100000); break; /* --top */
		case OPT_ITEMS: o.items = optarg; break; /* --items */
		case OPT_SHRINK: /* --shrink */
			o.shrink = lmrec_opt_double("--shrink", optarg, 0, 1e12);
			counts_only(&o, "--shrink");
			break;
		case 'o': o.output = optarg; break; /* --output */
		case OPT_POPULAR: o.popular = optarg; counts_only(&o, "--popular"); break; /* --popular */
		case OPT_MIN_SUPPORT: /* --min-support */
			o.min_support = lmrec_opt_u64("--min-support", optarg, 0, UINT32_MAX);
			counts_only(&o, "--min-support");
			break;
		case OPT_EPSILON: /* --dp-epsilon */
			o.epsilon = lmrec_opt_double("--dp-epsilon", optarg, LMREC_DP_EPSILON_MIN, LMREC_DP_EPSILON_MAX);
			o.dp = 1;
			counts_only(&o, "--dp-epsilon");
			break;
		case OPT_MECHANISM: /* --dp-mechanism */
			o.mech = (enum lmrec_dp_mechanism)lmrec_opt_choice("--dp-mechanism", optarg, lmrec_dp_names, 2);
			o.have_mech = 1;
			counts_only(&o, "--dp-mechanism");
			break;
		case OPT_DELTA: /* --dp-delta */
			o.delta = lmrec_opt_double("--dp-delta", optarg, LMREC_DP_DELTA_MIN, LMREC_DP_DELTA_MAX);
			o.have_delta = 1;
			counts_only(&o, "--dp-delta");
			break;
		case OPT_CAP: /* --dp-max-per-user */
			o.cap = (size_t)lmrec_opt_u64("--dp-max-per-user", optarg, 1, 1000000);
			o.have_cap = 1;
			counts_only(&o, "--dp-max-per-user");
			break;
		case 's': /* --seed */
			o.seed = lmrec_opt_u64("--seed", optarg, 0, UINT64_MAX);
			o.have_seed = 1;
			counts_only(&o, "--seed");
			break;
		case OPT_RECORD: o.record = optarg; counts_only(&o, "--privacy-record"); break; /* --privacy-record */
		case 'j': o.threads = (int)lmrec_opt_u64("--threads", optarg, 1, 1024); break; /* --threads */
		case 'q': o.quiet = 1; break; /* --quiet */
		case 'h': usage(0); break;    /* --help */
		case 'V': lmrec_print_version(); lmrec_close_stdout(); return 0; /* --version */
		default: usage(LMREC_EXIT_USAGE);
		}
	}
	if (o.model && o.counts)
		lmrec_usage_error("--model-file and --counts exclude each other");
	if (!o.model && !o.counts)
		lmrec_usage_error("--model-file or --counts is required");
	if (o.model && o.counts_only)
		lmrec_usage_error("%s needs --counts: a model's weights cannot be counted, noised or suppressed",
				  o.counts_only);
	if (o.model && optind < argc)
		lmrec_usage_error("unexpected operand '%s'", argv[optind]);
	if (!o.dp && (o.have_mech || o.have_delta))
		lmrec_usage_error("--dp-mechanism and --dp-delta need --dp-epsilon");
	if (o.dp && !o.items)
		lmrec_usage_error("--dp-epsilon needs --items: the items released must come from a public "
				  "catalog, not from the data");
	if (o.dp && o.mech == LMREC_DP_GAUSSIAN && !o.have_delta)
		lmrec_usage_error("--dp-mechanism gaussian needs --dp-delta");
	if (o.dp && o.mech == LMREC_DP_LAPLACE && o.have_delta)
		lmrec_usage_error("--dp-delta is for --dp-mechanism gaussian: laplace is pure epsilon-DP");
	if (o.dp && !o.have_cap)
		o.cap = o.mech == LMREC_DP_LAPLACE ? DEFAULT_CAP_LAPLACE : DEFAULT_CAP_GAUSSIAN;
	if (o.dp && !o.have_seed && getrandom(&o.seed, sizeof o.seed, 0) != (ssize_t)sizeof o.seed)
		lmrec_die(LMREC_EXIT_FAIL, "getrandom:");
	int rc = o.model ? run_model(&o) : run_counts(&o, argv + optind, (size_t)(argc - optind));
	lmrec_close_stdout();
	return rc;
}

/* lmrec-eval — accuracy, coverage, novelty, diversity and exposure of
 * recommendations against held-out interactions. */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lmrec.h"
#include "groups.h"
#include "metrics.h"
#include "vectors.h"

/* Per-user metrics, in output order; the catalog metrics follow them. */
enum {
	M_HR, M_RECALL, M_PRECISION, M_NDCG, M_MRR, M_MAP, M_NOVELTY, M_POPULARITY, M_ILD,
	M_HR_S, M_NDCG_S, M_MRR_S, /* sampled */
	N_USER_METRICS,
	M_COVERAGE = N_USER_METRICS, M_GINI,
	N_METRICS
};
static const char *const metric_names[N_METRICS] = {
	"hr", "recall", "precision", "ndcg", "mrr", "map", "novelty", "popularity", "ild",
	"hr_sampled", "ndcg_sampled", "mrr_sampled", "coverage", "gini",
};
/* Output order: accuracy, then the sampled ones, then beyond accuracy. */
static const int output_order[N_METRICS] = {
	M_HR, M_RECALL, M_PRECISION, M_NDCG, M_MRR, M_MAP, M_HR_S, M_NDCG_S, M_MRR_S,
	M_COVERAGE, M_NOVELTY, M_POPULARITY, M_ILD, M_GINI,
};

struct opts {
	const char *truth, *train, *items, *vectors, *segment_file, *segment_column, *output;
	const char *fold, *groups;
	int cold_items;
	uint32_t *activity;
	size_t nactivity;
	size_t activity_groups; /* N of --activity-groups, 0 without */
	uint32_t *ks;
	size_t nk;
	unsigned wanted; /* bit per metric */
	size_t sampled;
	double ci;
	size_t reps;
	uint64_t seed;
	int quiet;
};

static void usage(int status)
{
	if (status != 0) {
		fprintf(stderr, "Try '%s --help' for more information.\n", lmrec_progname());
		exit(status);
	}
	printf("Usage: %s [OPTION]... --truth FILE [RECS]...\n", lmrec_progname());
	fputs("Measure recommendations against held-out interactions.\n"
	      "\n"
	      "Reads recommendations (columns user, item, and rank when present) from the\n"
	      "RECS files (none or '-': standard input) and the held-out truth (user, item)\n"
	      "from --truth; writes the metrics stream: metric k segment value n.\n"
	      "Full ranking: every user of the truth counts, a user without\n"
	      "recommendations scores 0, and the lists are taken as they are.\n"
	      "\n"
	      "Data:\n"
	      "  -t, --truth FILE         held-out interactions (with a fold column: the rows\n"
	      "                           of --fold, and its train rows stand for --train)\n"
	      "      --fold NAME          fold of the truth to score (default test)\n"
	      "      --train FILE         training interactions: popularity, novelty, cold\n"
	      "                           items, activity, and the items sampled metrics skip\n"
	      "      --items FILE         the catalog (item, category): coverage, diversity\n"
	      "      --vectors FILE       item vectors: diversity as 1 - cosine\n"
	      "\n"
	      "Metrics:\n"
	      "      --k LIST             cut-offs (default 10,20)\n"
	      "      --metrics LIST       only these (default all that the data allows): hr,\n"
	      "                           recall, precision, ndcg, mrr, map, coverage,\n"
	      "                           novelty, popularity, ild, gini\n"
	      "      --sampled N          also rank each held-out item among N sampled\n"
	      "                           negatives (hr_sampled, ndcg_sampled, mrr_sampled;\n"
	      "                           only to compare with papers that do so)\n"
	      "      --ci LEVEL           bootstrap confidence intervals (lo, hi), e.g. 0.95\n"
	      "      --bootstrap N        bootstrap replicates (default 1000)\n"
	      "  -s, --seed N             seed of sampling and bootstrap (default 1)\n"
	      "\n"
	      "Segments (every metric also per segment):\n"
	      "      --segment-file FILE  user groups: columns user, segment\n"
	      "      --segment-column NAME  a column of the truth names each row's segment\n"
	      "      --cold-items         item=cold (held-out items absent from training)\n"
	      "                           and item=warm\n"
	      "      --activity LIST      users by training interactions, e.g. 5,20 makes\n"
	      "                           activity=0-5, activity=6-20, activity=21+\n"
	      "\n"
	      "Groups of users (each metric per group, and its gap: best minus worst):\n"
	      "      --groups FILE        column user, then one column per grouping (e.g.\n"
	      "                           age, gender): segments COLUMN=VALUE\n"
	      "      --activity-groups N  users by training interactions in N quantile\n"
	      "                           groups, named as by --activity\n"
	      "\n"
	      "Output:\n"
	      "  -o, --output FILE        write the metrics to FILE (default: stdout)\n"
	      "  -q, --quiet              no summary on standard error\n"
	      "  -h, --help               show this help and exit\n"
	      "  -V, --version            show the version and exit\n"
	      "\n"
	      "Examples:\n"
	      "  lmrec-eval --truth folds.tsv recs.tsv\n"
	      "  lmrec-eval --truth test.tsv --train train.tsv --cold-items --ci 0.95 recs.tsv\n"
	      "\n"
	      "See lmrec-eval(1).\n",
	      stdout);
	exit(0);
}

enum {
	OPT_FOLD = CHAR_MAX + 1,
	OPT_TRAIN,
	OPT_ITEMS,
	OPT_VECTORS,
	OPT_K,
	OPT_METRICS,
	OPT_SAMPLED,
	OPT_CI,
	OPT_BOOTSTRAP,
	OPT_SEGMENT_FILE,
	OPT_SEGMENT_COLUMN,
	OPT_COLD_ITEMS,
	OPT_ACTIVITY,
	OPT_GROUPS,
	OPT_ACTIVITY_GROUPS
};

static const struct option long_options[] = {
	{"truth", required_argument, NULL, 't'},
	{"fold", required_argument, NULL, OPT_FOLD},
	{"train", required_argument, NULL, OPT_TRAIN},
	{"items", required_argument, NULL, OPT_ITEMS},
	{"vectors", required_argument, NULL, OPT_VECTORS},
	{"k", required_argument, NULL, OPT_K},
	{"metrics", required_argument, NULL, OPT_METRICS},
	{"sampled", required_argument, NULL, OPT_SAMPLED},
	{"ci", required_argument, NULL, OPT_CI},
	{"bootstrap", required_argument, NULL, OPT_BOOTSTRAP},
	{"seed", required_argument, NULL, 's'},
	{"segment-file", required_argument, NULL, OPT_SEGMENT_FILE},
	{"segment-column", required_argument, NULL, OPT_SEGMENT_COLUMN},
	{"cold-items", no_argument, NULL, OPT_COLD_ITEMS},
	{"activity", required_argument, NULL, OPT_ACTIVITY},
	{"groups", required_argument, NULL, OPT_GROUPS},
	{"activity-groups", required_argument, NULL, OPT_ACTIVITY_GROUPS},
	{"output", required_argument, NULL, 'o'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

/* ---- the data ---- */

struct world {
	struct lmrec_ids *users, *items, *segs;
	size_t nu, ni;
	/* training side */
	uint32_t *train_start, *train_items; /* CSR over users: distinct items, sorted */
	uint32_t *pop;                       /* (ni) distinct training users per item */
	size_t train_users;                  /* users with training rows */
	unsigned char *catalog;              /* (ni) 1 when in the catalog */
	size_t catalog_size;
	/* recommendations: CSR over users, rank order, no repeats */
	uint32_t *rec_start, *rec_items;
	/* item content */
	uint32_t *category; /* (ni) category index + 1, 0 when unknown */
	float *vec;         /* (ni, dim) vectors, NULL without --vectors */
	unsigned char *has_vec;
	size_t dim;
};

/* A user's membership of a group (--segment-file). */
struct user_seg {
	uint32_t user, seg;
};

static int cmp_user_seg(const void *pa, const void *pb)
{
	const struct user_seg *a = pa, *b = pb;
	if (a->user != b->user)
		return a->user < b->user ? -1 : 1;
	return a->seg < b->seg ? -1 : a->seg > b->seg;
}

/* A held-out (user, item) in one segment. */
struct entry {
	uint32_t seg, user, item;
};

static int cmp_entry(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	if (a->seg != b->seg)
		return a->seg < b->seg ? -1 : 1;
	if (a->user != b->user)
		return a->user < b->user ? -1 : 1;
	return a->item < b->item ? -1 : a->item > b->item;
}

static int cmp_u32(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	return a < b ? -1 : a > b;
}

/* Distinct items per user as sorted CSR, from the rows of x that pass keep. */
static void build_csr(const struct lmrec_inter *x, const unsigned char *keep, size_t nu,
		      uint32_t **start_out, uint32_t **items_out)
{
	uint32_t *start = lmrec_xcalloc(nu + 1, sizeof *start);
	for (size_t r = 0; r < x->n; r++)
		if (!keep || keep[r])
			start[x->user[r] + 1]++;
	for (size_t u = 0; u < nu; u++)
		start[u + 1] += start[u];
	uint32_t *items = lmrec_xcalloc(start[nu] + 1, sizeof *items);
	uint32_t *fill = lmrec_xcalloc(nu + 1, sizeof *fill);
	for (size_t r = 0; r < x->n; r++)
		if (!keep || keep[r])
			items[start[x->user[r]] + fill[x->user[r]]++] = x->item[r];
	/* sort and drop repeats, compacting in place */
	uint32_t out = 0;
	for (size_t u = 0; u < nu; u++) {
		uint32_t b = start[u], e = start[u + 1];
		qsort(items + b, e - b, sizeof *items, cmp_u32);
		start[u] = out;
		for (uint32_t j = b; j < e; j++)
			if (j == b || items[j] != items[j - 1])
				items[out++] = items[j];
	}
	start[nu] = out;
	free(fill);
	*start_out = start;
	*items_out = items;
}

struct rec_row {
	uint32_t user, item;
	int64_t rank;
	uint64_t seq;
};

static int cmp_rec(const void *pa, const void *pb)
{
	const struct rec_row *a = pa, *b = pb;
	if (a->user != b->user)
		return a->user < b->user ? -1 : 1;
	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void load_recs(struct world *w, char *const *files, size_t nfiles)
{
	static char *const stdin_only[] = {"-"};
	if (nfiles == 0) {
		files = stdin_only;
		nfiles = 1;
	}
	struct rec_row *rows = NULL;
	size_t n = 0, cap = 0;
	struct lmrec_tsv *first = NULL;
	for (size_t f = 0; f < nfiles; f++) {
		struct lmrec_tsv *r = lmrec_tsv_open(files[f]);
		if (first)
			lmrec_tsv_same_header(first, r);
		size_t cu = lmrec_tsv_col(r, "user"), ci = lmrec_tsv_col(r, "item");
		long cr = lmrec_tsv_col_opt(r, "rank");
		while (lmrec_tsv_read(r)) {
			LMREC_GROW(rows, cap, n + 1);
			struct lmrec_field u = r->f[cu], it = r->f[ci];
			if (u.len == 0)
				lmrec_tsv_die(r, cu, "empty id");
			if (it.len == 0)
				lmrec_tsv_die(r, ci, "empty id");
			rows[n].user = lmrec_ids_intern(w->users, u.p, u.len);
			rows[n].item = lmrec_ids_intern(w->items, it.p, it.len);
			rows[n].rank = cr >= 0 ? lmrec_tsv_i64(r, (size_t)cr) : 0;
			rows[n].seq = n;
			n++;
		}
		if (first)
			lmrec_tsv_close(r);
		else
			first = r;
	}
	lmrec_tsv_close(first);
	if (n)
		qsort(rows, n, sizeof *rows, cmp_rec);
	w->nu = lmrec_ids_count(w->users);
	w->ni = lmrec_ids_count(w->items);
	/* CSR over users; an item listed twice for a user counts once, first place. */
	w->rec_start = lmrec_xcalloc(w->nu + 1, sizeof *w->rec_start);
	w->rec_items = lmrec_xcalloc(n + 1, sizeof *w->rec_items);
	uint32_t *seen = lmrec_xmalloc((w->ni + 1) * sizeof *seen);
	memset(seen, 0xff, (w->ni + 1) * sizeof *seen);
	size_t out = 0, i = 0;
	for (size_t u = 0; u < w->nu; u++) {
		w->rec_start[u] = (uint32_t)out;
		for (; i < n && rows[i].user == u; i++)
			if (seen[rows[i].item] != u) {
				seen[rows[i].item] = (uint32_t)u;
				w->rec_items[out++] = rows[i].item;
			}
	}
	w->rec_start[w->nu] = (uint32_t)out;
	free(seen);
	free(rows);
}

/* Item content is read before the recommendations, whose items extend the
 * dictionary; it is kept as (item, value) rows and placed afterwards. */
struct content {
	uint32_t *item;   /* (n) */
	uint32_t *cat;    /* (n) category index + 1 (items file) */
	size_t n, cap;
	uint32_t *catalog; /* (ncat) items of the items file */
	size_t ncat;
};

static void load_items(struct world *w, const char *path, struct content *c)
{
	struct lmrec_tsv *r = lmrec_tsv_open(path);
	size_t ci = lmrec_tsv_col(r, "item");
	long cc = lmrec_tsv_col_opt(r, "category");
	struct lmrec_ids *cats = lmrec_ids_new();
	size_t cap = 0;
	while (lmrec_tsv_read(r)) {
		struct lmrec_field it = r->f[ci];
		if (it.len == 0)
			lmrec_tsv_die(r, ci, "empty id");
		LMREC_GROW(c->catalog, cap, c->ncat + 1);
		c->catalog[c->ncat++] = lmrec_ids_intern(w->items, it.p, it.len);
		if (cc >= 0 && r->f[cc].len) {
			if (c->n == c->cap) {
				size_t ncap = c->cap ? 2 * c->cap : 1024;
				c->item = lmrec_xreallocarray(c->item, ncap, sizeof *c->item);
				c->cat = lmrec_xreallocarray(c->cat, ncap, sizeof *c->cat);
				c->cap = ncap;
			}
			c->item[c->n] = c->catalog[c->ncat - 1];
			c->cat[c->n++] = lmrec_ids_intern(cats, r->f[cc].p, r->f[cc].len) + 1;
		}
	}
	lmrec_tsv_close(r);
	lmrec_ids_free(cats);
}

/* Places the content rows into arrays indexed by item, now that the
 * dictionary is complete. */
static void place_content(struct world *w, const struct content *items,
			  const struct lmrec_vectors *vecs)
{
	size_t ni = w->ni;
	if (items->cat) {
		w->category = lmrec_xcalloc(ni + 1, sizeof *w->category);
		for (size_t j = 0; j < items->n; j++)
			w->category[items->item[j]] = items->cat[j];
	}
	if (vecs->v) {
		w->dim = vecs->dim;
		w->vec = lmrec_xcalloc((ni + 1) * w->dim, sizeof *w->vec);
		w->has_vec = lmrec_xcalloc(ni + 1, 1);
		for (size_t i = 0; i < ni; i++) {
			size_t len;
			const char *id = lmrec_ids_str(w->items, (uint32_t)i, &len);
			const float *v = lmrec_vectors_find(vecs, id, len);
			if (v) {
				memcpy(w->vec + i * w->dim, v, w->dim * sizeof *w->vec);
				w->has_vec[i] = 1;
			}
		}
	}
}

static void free_content(struct content *c)
{
	free(c->item);
	free(c->cat);
	free(c->catalog);
}

/* Segment index by name, "all" first. */
static uint32_t seg_id(struct world *w, const char *name) { return lmrec_ids_intern(w->segs, name, strlen(name)); }

/* "prefix=value" for an escaped field value, decoded: segment names are
 * kept decoded, and the writer escapes them. */
static char *kv_name(const char *prefix, const char *p, size_t len)
{
	size_t plen = strlen(prefix);
	char *name = lmrec_xmalloc(plen + 1 + len + 1);
	memcpy(name, prefix, plen);
	name[plen] = '=';
	name[plen + 1 + lmrec_tsv_unescape(name + plen + 1, p, len)] = '\0';
	return name;
}

static uint32_t seg_id_kv(struct world *w, const char *prefix, const char *p, size_t len)
{
	char *name = kv_name(prefix, p, len);
	uint32_t s = seg_id(w, name);
	free(name);
	return s;
}

/* A grouping of users whose metrics get a gap row: a column of --groups,
 * or the activity groups. */
struct grouping {
	char *name;
	uint32_t *segs; /* (nsegs) */
	size_t nsegs;
};

/* ---- the measurements ---- */

struct seg_acc {
	double *vals;    /* (N_USER_METRICS * nk, n) per-user values, row-major by series */
	size_t n, cap;   /* users in the segment */
	size_t *ild_n;   /* (nk) users whose list had two items or more */
	size_t *sampled_n;
};

static double ild_of(const struct world *w, const uint32_t *list, size_t len, size_t *pairs_out)
{
	double sum = 0;
	size_t pairs = 0;
	for (size_t a = 0; a < len; a++)
		for (size_t b = a + 1; b < len; b++) {
			uint32_t x = list[a], y = list[b];
			if (w->vec) {
				if (x >= lmrec_ids_count(w->items) || !w->has_vec[x] || !w->has_vec[y])
					continue;
				const float *vx = w->vec + (size_t)x * w->dim, *vy = w->vec + (size_t)y * w->dim;
				sum += 1.0 - lmrec_cosine(vx, vy, w->dim);
			} else {
				if (!w->category[x] || !w->category[y])
					continue;
				sum += w->category[x] != w->category[y];
			}
			pairs++;
		}
	*pairs_out = pairs;
	return pairs ? sum / (double)pairs : 0.0;
}

/* N distinct negatives for user u: catalog items not trained on and not
 * held out, drawn from a stream seeded by the user's id. */
static size_t sample_negatives(const struct world *w, uint32_t u, const uint32_t *truth_all,
			       size_t m_all, size_t want, uint64_t seed, uint32_t *stamp,
			       uint32_t mark, const uint32_t *catalog_list, size_t ncat, uint32_t *neg)
{
	size_t len;
	const char *id = lmrec_ids_str(w->users, u, &len);
	struct lmrec_rng rng;
	lmrec_rng_seed2(&rng, seed, lmrec_hash64(id, len));
	size_t excluded = 0;
	for (uint32_t j = w->train_start[u]; j < w->train_start[u + 1]; j++)
		if (w->catalog[w->train_items[j]] && stamp[w->train_items[j]] != mark) {
			stamp[w->train_items[j]] = mark;
			excluded++;
		}
	for (size_t j = 0; j < m_all; j++)
		if (w->catalog[truth_all[j]] && stamp[truth_all[j]] != mark) {
			stamp[truth_all[j]] = mark;
			excluded++;
		}
	size_t avail = ncat - excluded, n = want < avail ? want : avail;
	for (size_t k = 0; k < n;) {
		uint32_t it = catalog_list[lmrec_rng_below(&rng, ncat)];
		if (stamp[it] == mark)
			continue;
		stamp[it] = mark;
		neg[k++] = it;
	}
	return n; /* the next call passes another mark: no clearing needed */
}

static int run(const struct opts *o, char *const *files, size_t nfiles)
{
	struct world w;
	memset(&w, 0, sizeof w);
	w.users = lmrec_ids_new();
	w.items = lmrec_ids_new();
	w.segs = lmrec_ids_new();
	seg_id(&w, "all");

	/* Truth, and training rows from the same file when it has folds. */
	struct lmrec_inter truth, train;
	lmrec_inter_init(&truth, w.users, w.items);
	char *truth_files[1] = {(char *)o->truth};
	lmrec_inter_load(&truth, truth_files, 1, LMREC_INTER_NO_TS);
	long seg_col = -1;
	char **row_seg = NULL; /* --segment-column values per truth row */
	if (o->segment_column) {
		/* read the truth again for the column: simple, and the file is small */
		struct lmrec_tsv *r = lmrec_tsv_open(o->truth);
		seg_col = (long)lmrec_tsv_col(r, o->segment_column);
		row_seg = lmrec_xcalloc(truth.n + 1, sizeof *row_seg);
		size_t i = 0;
		while (lmrec_tsv_read(r) && i < truth.n) {
			struct lmrec_field f = r->f[seg_col];
			row_seg[i++] = kv_name(o->segment_column, f.p, f.len);
		}
		lmrec_tsv_close(r);
	}
	unsigned char fold_code = LMREC_FOLD_OTHER;
	for (int c = LMREC_FOLD_TRAIN; c <= LMREC_FOLD_TEST; c++)
		if (strcmp(o->fold, lmrec_fold_names[c]) == 0)
			fold_code = (unsigned char)c;
	unsigned char *is_truth = lmrec_xcalloc(truth.n + 1, 1);
	unsigned char *is_train = lmrec_xcalloc(truth.n + 1, 1);
	for (size_t r = 0; r < truth.n; r++) {
		is_truth[r] = !truth.has_fold || truth.fold_of[r] == fold_code;
		is_train[r] = truth.has_fold && truth.fold_of[r] == LMREC_FOLD_TRAIN;
	}
	if (truth.has_fold && fold_code == LMREC_FOLD_OTHER)
		lmrec_usage_error("invalid value for --fold: '%s' (expected train, valid or test)", o->fold);
	lmrec_inter_init(&train, w.users, w.items);
	const struct lmrec_inter *train_src = &truth;
	const unsigned char *train_keep = is_train;
	int have_train = truth.has_fold;
	if (o->train) {
		char *train_files[1] = {(char *)o->train};
		lmrec_inter_load(&train, train_files, 1, LMREC_INTER_NO_TS);
		train_src = &train;
		train_keep = NULL;
		if (train.has_fold) {
			unsigned char *k = lmrec_xcalloc(train.n + 1, 1);
			for (size_t r = 0; r < train.n; r++)
				k[r] = train.fold_of[r] == LMREC_FOLD_TRAIN;
			train_keep = k;
		}
		have_train = 1;
	}
	struct content items_c;
	struct lmrec_vectors vecs_c;
	memset(&items_c, 0, sizeof items_c);
	memset(&vecs_c, 0, sizeof vecs_c);
	if (o->items)
		load_items(&w, o->items, &items_c);
	if (o->vectors)
		lmrec_vectors_read(&vecs_c, o->vectors, "item");
	load_recs(&w, files, nfiles);
	size_t nu = w.nu = lmrec_ids_count(w.users), ni = w.ni = lmrec_ids_count(w.items);
	place_content(&w, &items_c, &vecs_c);

	build_csr(train_src, train_keep, nu, &w.train_start, &w.train_items);
	w.pop = lmrec_xcalloc(ni + 1, sizeof *w.pop);
	for (size_t u = 0; u < nu; u++) {
		w.train_users += w.train_start[u + 1] > w.train_start[u];
		for (uint32_t j = w.train_start[u]; j < w.train_start[u + 1]; j++)
			w.pop[w.train_items[j]]++;
	}
	/* The catalog: the items file, else every item of train and truth. */
	w.catalog = lmrec_xcalloc(ni + 1, 1);
	if (o->items) {
		for (size_t j = 0; j < items_c.ncat; j++)
			w.catalog[items_c.catalog[j]] = 1;
	} else {
		for (size_t u = 0; u < nu; u++)
			for (uint32_t j = w.train_start[u]; j < w.train_start[u + 1]; j++)
				w.catalog[w.train_items[j]] = 1;
		for (size_t r = 0; r < truth.n; r++) /* every fold of the truth file */
			w.catalog[truth.item[r]] = 1;
	}
	uint32_t *catalog_list = lmrec_xcalloc(ni + 1, sizeof *catalog_list);
	for (size_t i = 0; i < ni; i++)
		if (w.catalog[i])
			catalog_list[w.catalog_size++] = (uint32_t)i;

	/* Held-out entries, once per segment they belong to. */
	uint32_t *user_segs_start = NULL, *user_segs = NULL;
	struct user_seg *memb = NULL; /* user groups of --segment-file and --groups */
	size_t np = 0, pcap = 0;
	if (o->segment_file) {
		struct lmrec_tsv *r = lmrec_tsv_open(o->segment_file);
		size_t cu = lmrec_tsv_col(r, "user"), cs = lmrec_tsv_col(r, "segment");
		while (lmrec_tsv_read(r)) {
			int64_t u = lmrec_ids_find(w.users, r->f[cu].p, r->f[cu].len);
			if (u < 0 || r->f[cs].len == 0)
				continue;
			char *name = lmrec_xmalloc(r->f[cs].len + 1);
			name[lmrec_tsv_unescape(name, r->f[cs].p, r->f[cs].len)] = '\0';
			LMREC_GROW(memb, pcap, np + 1);
			memb[np++] = (struct user_seg){(uint32_t)u, seg_id(&w, name)};
			free(name);
		}
		lmrec_tsv_close(r);
	}
	struct grouping *grp = NULL; /* the groupings that get gap rows */
	size_t ngrp = 0;
	if (o->groups) {
		struct lmrec_groups g;
		lmrec_groups_load(&g, o->groups);
		grp = lmrec_xcalloc(g.ncols + 2, sizeof *grp); /* and activity */
		for (size_t c = 0; c < g.ncols; c++) {
			const char *clash = NULL;
			if (strcmp(g.name[c], "activity") == 0 && (o->nactivity || o->activity_groups))
				clash = o->nactivity ? "--activity" : "--activity-groups";
			else if (strcmp(g.name[c], "item") == 0 && o->cold_items)
				clash = "--cold-items";
			else if (o->segment_column && strcmp(g.name[c], o->segment_column) == 0)
				clash = "--segment-column";
			if (clash)
				lmrec_usage_error("the column '%s' of --groups names segments as %s does", g.name[c], clash);
			struct grouping *gr = &grp[ngrp++];
			gr->name = lmrec_xstrdup(g.name[c]);
			gr->nsegs = lmrec_ids_count(g.values[c]);
			gr->segs = lmrec_xcalloc(gr->nsegs + 1, sizeof *gr->segs);
			for (size_t v = 0; v < gr->nsegs; v++) {
				size_t len;
				const char *val = lmrec_ids_str(g.values[c], (uint32_t)v, &len);
				gr->segs[v] = seg_id_kv(&w, g.name[c], val, len);
			}
		}
		for (size_t row = 0; row < lmrec_ids_count(g.users); row++) {
			size_t len;
			const char *id = lmrec_ids_str(g.users, (uint32_t)row, &len);
			int64_t u = lmrec_ids_find(w.users, id, len);
			for (size_t c = 0; u >= 0 && c < g.ncols; c++)
				if (g.value[row * g.ncols + c] >= 0) {
					LMREC_GROW(memb, pcap, np + 1);
					memb[np++] = (struct user_seg){(uint32_t)u, grp[c].segs[g.value[row * g.ncols + c]]};
				}
		}
		lmrec_groups_free(&g);
	}
	if (o->segment_file || o->groups) {
		user_segs_start = lmrec_xcalloc(nu + 1, sizeof *user_segs_start);
		user_segs = lmrec_xcalloc(np + 1, sizeof *user_segs);
		if (np)
			qsort(memb, np, sizeof *memb, cmp_user_seg);
		size_t kept = 0; /* a user listed twice in a group counts once */
		for (size_t j = 0; j < np; j++)
			if (j == 0 || memb[j].user != memb[j - 1].user || memb[j].seg != memb[j - 1].seg)
				memb[kept++] = memb[j];
		for (size_t j = 0; j < kept; j++)
			user_segs_start[memb[j].user + 1]++;
		for (size_t u = 0; u < nu; u++)
			user_segs_start[u + 1] += user_segs_start[u];
		for (size_t j = 0; j < kept; j++)
			user_segs[j] = memb[j].seg;
	}
	free(memb);
	/* Activity: the cut-offs given, or quantiles of the truth users' counts. */
	const uint32_t *act = o->activity;
	size_t nact = o->nactivity;
	uint32_t *qcuts = NULL;
	if (o->activity_groups) {
		if (!have_train)
			lmrec_usage_error("--activity-groups needs training data: --train, or a truth with a fold column");
		uint32_t *counts = lmrec_xcalloc(nu + 1, sizeof *counts);
		unsigned char *seen = lmrec_xcalloc(nu + 1, 1);
		size_t n = 0;
		for (size_t r = 0; r < truth.n; r++)
			if (is_truth[r] && !seen[truth.user[r]]) {
				uint32_t u = truth.user[r];
				seen[u] = 1;
				counts[n++] = w.train_start[u + 1] - w.train_start[u];
			}
		qcuts = lmrec_xcalloc(o->activity_groups, sizeof *qcuts);
		nact = lmrec_groups_quantile_cuts(counts, n, o->activity_groups, qcuts);
		act = qcuts;
		free(counts);
		free(seen);
	}
	uint32_t *activity_seg = NULL;
	if (o->nactivity || o->activity_groups) {
		activity_seg = lmrec_xcalloc(nact + 1, sizeof *activity_seg);
		uint32_t lo = 0;
		for (size_t b = 0; b <= nact; b++) {
			char *name = b < nact ? lmrec_xasprintf("activity=%u-%u", lo, act[b])
					      : lmrec_xasprintf("activity=%u+", lo);
			activity_seg[b] = seg_id(&w, name);
			free(name);
			if (b < nact)
				lo = act[b] + 1;
		}
	}
	if (o->activity_groups) {
		if (!grp)
			grp = lmrec_xcalloc(2, sizeof *grp);
		struct grouping *gr = &grp[ngrp++];
		gr->name = lmrec_xstrdup("activity");
		gr->nsegs = nact + 1;
		gr->segs = lmrec_xcalloc(nact + 1, sizeof *gr->segs);
		memcpy(gr->segs, activity_seg, (nact + 1) * sizeof *gr->segs);
	}
	uint32_t cold_seg = 0, warm_seg = 0;
	if (o->cold_items) {
		cold_seg = seg_id(&w, "item=cold");
		warm_seg = seg_id(&w, "item=warm");
	}
	struct entry *ent = NULL;
	size_t ne = 0, ecap = 0;
	for (size_t r = 0; r < truth.n; r++) {
		if (!is_truth[r])
			continue;
		uint32_t u = truth.user[r], it = truth.item[r];
		LMREC_GROW(ent, ecap, ne + 4 + (user_segs_start ? user_segs_start[u + 1] - user_segs_start[u] : 0));
		ent[ne++] = (struct entry){0, u, it};
		if (row_seg)
			ent[ne++] = (struct entry){seg_id(&w, row_seg[r]), u, it};
		if (o->cold_items)
			ent[ne++] = (struct entry){w.pop[it] ? warm_seg : cold_seg, u, it};
		if (activity_seg) {
			uint32_t n = w.train_start[u + 1] - w.train_start[u];
			size_t b = 0;
			while (b < nact && n > act[b])
				b++;
			ent[ne++] = (struct entry){activity_seg[b], u, it};
		}
		if (user_segs_start)
			for (uint32_t j = user_segs_start[u]; j < user_segs_start[u + 1]; j++)
				ent[ne++] = (struct entry){user_segs[j], u, it};
	}
	if (ne)
		qsort(ent, ne, sizeof *ent, cmp_entry);

	/* Every truth item of a user, across segments: sampled metrics skip them. */
	uint32_t *truth_start, *truth_items;
	build_csr(&truth, is_truth, nu, &truth_start, &truth_items);

	size_t nk = o->nk, nseries = (size_t)N_USER_METRICS * nk;
	size_t nsegs = lmrec_ids_count(w.segs);
	struct seg_acc *acc = lmrec_xcalloc(nsegs, sizeof *acc);
	uint32_t *expo = lmrec_xcalloc(nsegs * nk * (ni + 1), sizeof *expo); /* (seg, k, item) */
	uint32_t *pos = lmrec_xmalloc((ni + 1) * sizeof *pos);
	memset(pos, 0xff, (ni + 1) * sizeof *pos);
	uint32_t *stamp = lmrec_xcalloc(ni + 1, sizeof *stamp), mark = 0;
	size_t listed = 0; /* users of the truth with a list */
	uint32_t *neg = lmrec_xcalloc(o->sampled + 1, sizeof *neg);
	uint32_t *tbuf = NULL;
	size_t tcap = 0;
	int want_ild = (o->wanted >> M_ILD & 1) && (w.vec || w.category);
	double log2_users = log2((double)w.train_users + 1.0);

	for (size_t e = 0; e < ne;) {
		uint32_t s = ent[e].seg, u = ent[e].user;
		size_t m = 0;
		for (; e < ne && ent[e].seg == s && ent[e].user == u; e++) {
			LMREC_GROW(tbuf, tcap, m + 1);
			if (m == 0 || tbuf[m - 1] != ent[e].item)
				tbuf[m++] = ent[e].item;
		}
		struct seg_acc *a = &acc[s];
		if (a->n == a->cap) {
			size_t ncap = a->cap ? a->cap * 2 : 256;
			double *nv = lmrec_xcalloc(nseries * ncap, sizeof *nv);
			for (size_t x = 0; x < nseries && a->n; x++)
				memcpy(nv + x * ncap, a->vals + x * a->cap, a->n * sizeof *nv);
			free(a->vals);
			a->vals = nv;
			a->cap = ncap;
			if (!a->ild_n) {
				a->ild_n = lmrec_xcalloc(nk, sizeof *a->ild_n);
				a->sampled_n = lmrec_xcalloc(nk, sizeof *a->sampled_n);
			}
		}
		const uint32_t *list = w.rec_items + w.rec_start[u];
		size_t len = w.rec_start[u + 1] - w.rec_start[u];
		if (s == 0 && len)
			listed++;
		for (size_t i = 0; i < len; i++)
			pos[list[i]] = (uint32_t)i;
		size_t nneg = 0;
		if (o->sampled)
			nneg = sample_negatives(&w, u, truth_items + truth_start[u],
						truth_start[u + 1] - truth_start[u], o->sampled, o->seed,
						stamp, ++mark, catalog_list, w.catalog_size, neg);
		for (size_t ki = 0; ki < nk; ki++) {
			size_t k = o->ks[ki], cut = len < k ? len : k;
			struct lmrec_user_metrics um;
			lmrec_metrics_user(list, len, tbuf, m, k, &um);
			double v[N_USER_METRICS];
			memset(v, 0, sizeof v);
			v[M_HR] = um.hr;
			v[M_RECALL] = um.recall;
			v[M_PRECISION] = um.precision;
			v[M_NDCG] = um.ndcg;
			v[M_MRR] = um.mrr;
			v[M_MAP] = um.map;
			double nov = 0, popsum = 0;
			for (size_t i = 0; i < cut; i++) {
				uint32_t it = list[i];
				nov += log2_users - log2((double)w.pop[it] + 1.0);
				popsum += w.pop[it];
				expo[((size_t)s * nk + ki) * (ni + 1) + it]++;
			}
			/* beyond-accuracy means leave out users without a list */
			v[M_NOVELTY] = cut ? nov / (double)cut : NAN;
			v[M_POPULARITY] = cut ? popsum / (double)cut : NAN;
			if (want_ild) {
				size_t pairs;
				v[M_ILD] = ild_of(&w, list, cut, &pairs);
				if (pairs)
					a->ild_n[ki]++;
				else
					v[M_ILD] = NAN; /* left out of the mean */
			}
			if (o->sampled) {
				double hr = 0, nd = 0, rr = 0;
				for (size_t t = 0; t < m; t++) {
					size_t rank = lmrec_metrics_sampled_rank(pos, tbuf[t], neg, nneg);
					if (rank < k) {
						hr += 1;
						nd += lmrec_discount(rank);
						rr += 1.0 / (double)(rank + 1);
					}
				}
				v[M_HR_S] = hr / (double)m;
				v[M_NDCG_S] = nd / (double)m;
				v[M_MRR_S] = rr / (double)m;
			}
			for (size_t x = 0; x < N_USER_METRICS; x++)
				a->vals[(x * nk + ki) * a->cap + a->n] = v[x];
		}
		a->n++;
		for (size_t i = 0; i < len; i++)
			pos[list[i]] = UINT32_MAX;
	}

	/* Write the metrics: by metric, then cut-off, then segment. */
	/* segments in the order they were defined: "all" first */
	uint32_t *seg_order = lmrec_xcalloc(nsegs, sizeof *seg_order);
	for (size_t so = 0; so < nsegs; so++)
		seg_order[so] = (uint32_t)so;
	struct lmrec_out *out = lmrec_out_open(o->output);
	lmrec_out_str(out, o->ci > 0 ? "metric\tk\tsegment\tvalue\tn\tlo\thi\n" : "metric\tk\tsegment\tvalue\tn\n");
	double *catexpo = lmrec_xcalloc(w.catalog_size + 1, sizeof *catexpo);
	double *segval = lmrec_xcalloc(nk * nsegs + 1, sizeof *segval); /* (k, segment) of a metric */
	/* confidence intervals per segment, all series at once */
	double **seg_lo = lmrec_xcalloc(nsegs, sizeof *seg_lo), **seg_hi = lmrec_xcalloc(nsegs, sizeof *seg_hi);
	if (o->ci > 0)
		for (size_t s = 0; s < nsegs; s++) {
			struct seg_acc *a = &acc[s];
			seg_lo[s] = lmrec_xcalloc(nseries, sizeof **seg_lo);
			seg_hi[s] = lmrec_xcalloc(nseries, sizeof **seg_hi);
			if (!a->n)
				continue;
			/* compact to (nseries, n); NaN (ild without pairs) as the series mean */
			double *v = lmrec_xcalloc(nseries * a->n, sizeof *v);
			for (size_t x = 0; x < nseries; x++) {
				double sum = 0;
				size_t cnt = 0;
				for (size_t j = 0; j < a->n; j++)
					if (!isnan(a->vals[x * a->cap + j])) {
						sum += a->vals[x * a->cap + j];
						cnt++;
					}
				double mean = cnt ? sum / (double)cnt : 0.0;
				for (size_t j = 0; j < a->n; j++) {
					double y = a->vals[x * a->cap + j];
					v[x * a->n + j] = isnan(y) ? mean : y;
				}
			}
			lmrec_bootstrap_ci(v, nseries, a->n, o->reps, o->ci, o->seed, seg_lo[s], seg_hi[s]);
			free(v);
		}
	for (size_t oi = 0; oi < N_METRICS; oi++) {
		int mt = output_order[oi];
		if (!(o->wanted >> mt & 1))
			continue;
		if ((mt == M_HR_S || mt == M_NDCG_S || mt == M_MRR_S) && !o->sampled)
			continue;
		if (mt == M_ILD && !want_ild)
			continue;
		if ((mt == M_NOVELTY || mt == M_POPULARITY) && !have_train)
			continue;
		for (size_t ki = 0; ki < nk; ki++) {
			for (size_t so = 0; so < nsegs; so++) {
				uint32_t s = seg_order[so];
				struct seg_acc *a = &acc[s];
				double value = 0;
				int has_ci = 0;
				size_t series = (size_t)mt * nk + ki;
				if (mt < N_USER_METRICS) {
					double sum = 0;
					size_t cnt = 0;
					for (size_t j = 0; j < a->n; j++) {
						double y = a->vals[series * a->cap + j];
						if (!isnan(y)) {
							sum += y;
							cnt++;
						}
					}
					value = cnt ? sum / (double)cnt : 0.0;
					has_ci = o->ci > 0;
				} else {
					const uint32_t *ex = expo + ((size_t)s * nk + ki) * (ni + 1);
					size_t covered = 0;
					for (size_t c = 0; c < w.catalog_size; c++) {
						catexpo[c] = ex[catalog_list[c]];
						covered += catexpo[c] > 0;
					}
					value = mt == M_COVERAGE ? (w.catalog_size ? (double)covered / (double)w.catalog_size : 0.0)
								 : lmrec_gini(catexpo, w.catalog_size);
				}
				segval[ki * nsegs + s] = value;
				size_t len;
				const char *sname = lmrec_ids_str(w.segs, s, &len);
				lmrec_out_str(out, metric_names[mt]);
				lmrec_out_tab(out);
				lmrec_out_i64(out, o->ks[ki]);
				lmrec_out_tab(out);
				lmrec_out_field(out, sname, len);
				lmrec_out_tab(out);
				lmrec_out_printf(out, "%.9g", value);
				lmrec_out_tab(out);
				lmrec_out_i64(out, (int64_t)a->n);
				if (o->ci > 0) {
					lmrec_out_tab(out);
					if (has_ci)
						lmrec_out_printf(out, "%.9g", seg_lo[s][series]);
					lmrec_out_tab(out);
					if (has_ci)
						lmrec_out_printf(out, "%.9g", seg_hi[s][series]);
				}
				lmrec_out_eol(out);
			}
		}
		/* the gap of each grouping: best minus worst of its groups with users */
		for (size_t ki = 0; ki < nk; ki++)
			for (size_t gi = 0; gi < ngrp; gi++) {
				double lo = INFINITY, hi = -INFINITY;
				size_t users = 0;
				for (size_t j = 0; j < grp[gi].nsegs; j++) {
					uint32_t s = grp[gi].segs[j];
					if (!acc[s].n)
						continue;
					double v = segval[ki * nsegs + s];
					lo = v < lo ? v : lo;
					hi = v > hi ? v : hi;
					users += acc[s].n;
				}
				lmrec_out_str(out, metric_names[mt]);
				lmrec_out_str(out, "_gap\t");
				lmrec_out_i64(out, o->ks[ki]);
				lmrec_out_tab(out);
				lmrec_out_str(out, grp[gi].name);
				lmrec_out_tab(out);
				lmrec_out_printf(out, "%.9g", users ? hi - lo : 0.0);
				lmrec_out_tab(out);
				lmrec_out_i64(out, (int64_t)users);
				if (o->ci > 0)
					lmrec_out_str(out, "\t\t");
				lmrec_out_eol(out);
			}
	}
	lmrec_out_commit(out);
	if (!o->quiet)
		fprintf(stderr, "%s: %zu users in the truth, %zu of them with recommendations, %zu catalog items\n",
			lmrec_progname(), acc[0].n, listed, w.catalog_size);

	for (size_t s = 0; s < nsegs; s++) {
		free(acc[s].vals);
		free(acc[s].ild_n);
		free(acc[s].sampled_n);
		free(seg_lo[s]);
		free(seg_hi[s]);
	}
	free(seg_lo);
	free(seg_hi);
	free(acc);
	free(catexpo);
	free(segval);
	for (size_t gi = 0; gi < ngrp; gi++) {
		free(grp[gi].name);
		free(grp[gi].segs);
	}
	free(grp);
	free(qcuts);
	free(seg_order);
	free(expo);
	free(pos);
	free(stamp);
	free(neg);
	free(tbuf);
	free(ent);
	free(truth_start);
	free(truth_items);
	free(activity_seg);
	free(user_segs_start);
	free(user_segs);
	free(catalog_list);
	free_content(&items_c);
	lmrec_vectors_free(&vecs_c);
	if (row_seg)
		for (size_t r = 0; r < truth.n; r++)
			free(row_seg[r]);
	free(row_seg);
	if (train_keep != is_train)
		free((void *)train_keep);
	free(is_truth);
	free(is_train);
	free(w.train_start);
	free(w.train_items);
	free(w.pop);
	free(w.catalog);
	free(w.rec_start);
	free(w.rec_items);
	free(w.category);
	free(w.vec);
	free(w.has_vec);
	lmrec_inter_free(&truth);
	lmrec_inter_free(&train);
	lmrec_ids_free(w.users);
	lmrec_ids_free(w.items);
	lmrec_ids_free(w.segs);
	return 0;
}

static unsigned parse_metrics(const char *arg)
{
	unsigned mask = 0;
	const char *p = arg;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		int found = 0;
		for (int m = 0; m < N_METRICS; m++)
			if (strlen(metric_names[m]) == len && memcmp(metric_names[m], p, len) == 0) {
				mask |= 1u << m;
				found = 1;
			}
		if (!found)
			lmrec_usage_error("invalid value for --metrics: unknown metric '%.*s'", (int)len, p);
		if (!comma)
			break;
		p = comma + 1;
	}
	/* a sampled metric is asked for through its plain name */
	if (mask >> M_HR & 1)
		mask |= 1u << M_HR_S;
	if (mask >> M_NDCG & 1)
		mask |= 1u << M_NDCG_S;
	if (mask >> M_MRR & 1)
		mask |= 1u << M_MRR_S;
	return mask;
}

int main(int argc, char **argv)
{
	lmrec_setprogname(argv[0]);
	struct opts o = {.fold = "test", .reps = 1000, .seed = 1, .wanted = (1u << N_METRICS) - 1};
	int c;
	while ((c = getopt_long(argc, argv, "t:o:s:qhV", long_options, NULL)) != -1) {
		switch (c) {
		case 't': o.truth = optarg; break;           /* --truth */
		case OPT_FOLD: o.fold = optarg; break;       /* --fold */
		case OPT_TRAIN: o.train = optarg; break;     /* --train */
		case OPT_ITEMS: o.items = optarg; break;     /* --items */
		case OPT_VECTORS: o.vectors = optarg; break; /* --vectors */
		case OPT_K: /* --k */
			free(o.ks);
			o.ks = lmrec_opt_klist("--k", optarg, &o.nk);
			break;
		case OPT_METRICS: o.wanted = parse_metrics(optarg); break; /* --metrics */
		case OPT_SAMPLED: /* --sampled */
			o.sampled = (size_t)lmrec_opt_u64("--sampled", optarg, 1, 1000000);
			break;
		case OPT_CI: o.ci = lmrec_opt_double("--ci", optarg, 0.5, 0.9999); break; /* --ci */
		case OPT_BOOTSTRAP: /* --bootstrap */
			o.reps = (size_t)lmrec_opt_u64("--bootstrap", optarg, 10, 1000000);
			break;
		case 's': o.seed = lmrec_opt_u64("--seed", optarg, 0, UINT64_MAX); break; /* --seed */
		case OPT_SEGMENT_FILE: o.segment_file = optarg; break;     /* --segment-file */
		case OPT_SEGMENT_COLUMN: o.segment_column = optarg; break; /* --segment-column */
		case OPT_COLD_ITEMS: o.cold_items = 1; break;              /* --cold-items */
		case OPT_ACTIVITY: /* --activity */
			free(o.activity);
			o.activity = lmrec_opt_klist("--activity", optarg, &o.nactivity);
			break;
		case OPT_GROUPS: o.groups = optarg; break; /* --groups */
		case OPT_ACTIVITY_GROUPS: /* --activity-groups */
			o.activity_groups = (size_t)lmrec_opt_u64("--activity-groups", optarg, 2, 1000);
			break;
		case 'o': o.output = optarg; break; /* --output */
		case 'q': o.quiet = 1; break;       /* --quiet */
		case 'h': usage(0); break;          /* --help */
		case 'V': lmrec_print_version(); lmrec_close_stdout(); return 0; /* --version */
		default: usage(LMREC_EXIT_USAGE);
		}
	}
	if (!o.truth)
		lmrec_usage_error("--truth is required");
	if (o.nactivity && o.activity_groups)
		lmrec_usage_error("--activity and --activity-groups exclude each other");
	if (!o.ks)
		o.ks = lmrec_opt_klist("--k", "10,20", &o.nk);
	int rc = run(&o, argv + optind, (size_t)(argc - optind));
	free(o.ks);
	free(o.activity);
	lmrec_close_stdout();
	return rc;
}

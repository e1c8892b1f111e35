/* lmrec-rank — blend candidate channels, re-rank for diversity, filter, and
 * write top-N recommendations with a reason on every row. */
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lmrec.h"
#include "calibrate.h"
#include "catalog.h"
#include "explain.h"
#include "objectives.h"
#include "prefs.h"

/* How a channel's scores become features comparable across channels. */
enum norm { NORM_MINMAX, NORM_RANK };

struct opts {
	size_t top, cat_cap, pool;
	enum norm norm;
	const char *weights, *learn, *save_weights, *items, *vectors, *exclude, *output, *verb;
	double mmr; /* 1: relevance only */
	size_t learn_k;
	const char *history, *calib_attr;
	unsigned fold_set;  /* the --history rows used */
	double calibrate;   /* lambda of --calibrate */
	double pop_penalty; /* beta of --pop-penalty */
	int calibrating, penalising; /* the options were given */
	double discovery;   /* weight of --discovery */
	double value;       /* weight of --value */
	const char *discovery_attr, *value_attr, *objectives_out;
	int discovering, valuing; /* the options were given */
	double explore;     /* --explore: share of each list for new items */
	int64_t new_days, now; /* --new-days, --now (seconds) */
	int have_now;
	int explain;        /* --explain full */
	const char *profiles; /* --profiles */
	double profile_weight; /* --profile-weight */
	int weighting_profile; /* --profile-weight was given */
	int quiet;
};

static void usage(int status)
{
	if (status != 0) {
		fprintf(stderr, "Try '%s --help' for more information.\n", lmrec_progname());
		exit(status);
	}
	printf("Usage: %s [OPTION]... [CANDIDATES]...\n", lmrec_progname());
	fputs("Rank candidates into top-N recommendations with a reason on every row.\n"
	      "\n"
	      "Reads the candidates stream (user item score channel; because, because2\n"
	      "and contrib when present), grouped by user as lmrec-recall writes it, and\n"
	      "writes the recommendations stream: user rank item score reason (and\n"
	      "explain with --explain full).\n"
	      "\n"
	      "Blending:\n"
	      "      --normalize NAME     how a channel's scores become comparable, per\n"
	      "                           user: rank (default), 1 / (1 + place/10) of the\n"
	      "                           candidate in its channel; minmax, the score\n"
	      "                           scaled to [0, 1]\n"
	      "      --weights FILE       channel weights (columns channel, weight);\n"
	      "                           default 1 for every channel\n"
	      "      --learn TRUTH        learn the weights on held-out interactions (the\n"
	      "                           valid fold of a stream with folds) by coordinate\n"
	      "                           ascent on NDCG\n"
	      "      --learn-k K          the cut-off of that NDCG (default 10)\n"
	      "      --save-weights FILE  write the weights used\n"
	      "\n"
	      "Re-ranking and filters:\n"
	      "      --mmr LAMBDA         maximal marginal relevance: LAMBDA times the\n"
	      "                           relevance minus (1 - LAMBDA) times the largest\n"
	      "                           similarity to an item already chosen (default 1:\n"
	      "                           relevance only)\n"
	      "      --items FILE         the catalog: titles for reasons, categories for\n"
	      "                           MMR and --category-cap; items with available=0\n"
	      "                           are never recommended\n"
	      "      --vectors FILE       item vectors: MMR similarity is their cosine\n"
	      "                           (default: 1 for the same category, else 0)\n"
	      "      --exclude FILE       a deny-list: items (column item) never shown;\n"
	      "                           with a user column, to that user only\n"
	      "      --category-cap N     at most N items of one category per user\n"
	      "      --pool N             candidates considered per user (default 200)\n"
	      "      --verb WORD          the reason's verb: 'because you WORD A and B'\n"
	      "                           (default liked)\n"
	      "\n"
	      "Calibration (Steck 2018) and popularity:\n"
	      "      --history FILE       the users' interactions (user, item): their\n"
	      "                           taste mix and the items' popularity\n"
	      "      --folds LIST         with a fold column in --history, its rows of\n"
	      "                           these folds (default train,valid; 'all')\n"
	      "      --calibrate LAMBDA   greedy selection of (1 - LAMBDA) times the\n"
	      "                           relevance minus LAMBDA times KL(p || q~), p the\n"
	      "                           genre mix of the user's history, q that of the\n"
	      "                           list (needs --history and --items)\n"
	      "      --calibrate-attr KEY genres are the values of attribute KEY in\n"
	      "                           --items (e.g. genre); default: the category\n"
	      "      --pop-penalty BETA   score minus BETA times log(1 + users of the\n"
	      "                           item) / log(1 + users of the most popular one),\n"
	      "                           counted in --history\n"
	      "\n"
	      "Other objectives (added to each step's value):\n"
	      "      --discovery W        plus W times the share of the item's genres new\n"
	      "                           to the user (absent from --history; needs\n"
	      "                           --history and --items)\n"
	      "      --discovery-attr KEY those genres are the values of attribute KEY\n"
	      "                           in --items; default: the category\n"
	      "      --value W            plus W times the item's business value: its\n"
	      "                           attribute --value-attr, scaled to [0, 1]\n"
	      "      --value-attr KEY     the value's attribute in --items: a number\n"
	      "                           (margin=0.35) or low, mid, high (0, 0.5, 1)\n"
	      "      --explore F          exploration: at least F of each list (rounded)\n"
	      "                           goes to new items, the best new candidates\n"
	      "                           in place of the last others (needs --items\n"
	      "                           with a released column, and --now)\n"
	      "      --new-days D         new: released within D days before --now\n"
	      "                           (default 3)\n"
	      "      --now TS             the time of the run: seconds, or YYYY-MM-DD\n"
	      "                           for the end of that day (UTC)\n"
	      "      --profiles FILE      the profile store as a stream (user kind key\n"
	      "                           weight ts, as lmrec-profile shows it): each user's\n"
	      "                           attribute weights boost the items with those\n"
	      "                           pairs (needs --items), and the blocked items\n"
	      "                           are never shown to that user\n"
	      "      --profile-weight W   the strongest preference's boost, as a share of\n"
	      "                           the user's best blended score (default 0.2)\n"
	      "      --objectives-out FILE\n"
	      "                           write each list's score on every objective:\n"
	      "                           user relevance diversity discovery value\n"
	      "                           calibration (empty when undefined)\n"
	      "\n"
	      "Output:\n"
	      "      --explain MODE       reason (default): the one-line reason; full:\n"
	      "                           also a column explain, the decomposition of\n"
	      "                           the score into the channels' terms, the\n"
	      "                           history items' shares (from the contrib\n"
	      "                           column of lmrec-recall --contributions) and\n"
	      "                           the attributes that matched (from --items)\n"
	      "  -n, --top N              recommendations per user (default 10)\n"
	      "  -o, --output FILE        write to FILE (default: standard output)\n"
	      "  -q, --quiet              no summary on standard error\n"
	      "  -h, --help               show this help and exit\n"
	      "  -V, --version            show the version and exit\n"
	      "\n"
	      "Examples:\n"
	      "  lmrec-rank --items items.tsv -n 10 candidates.tsv > recs.tsv\n"
	      "  lmrec-rank --learn valid.tsv --save-weights w.tsv valid-candidates.tsv\n"
	      "\n"
	      "See lmrec-rank(1).\n",
	      stdout);
	exit(0);
}

enum {
	OPT_WEIGHTS = CHAR_MAX + 1,
	OPT_LEARN,
	OPT_LEARN_K,
	OPT_SAVE_WEIGHTS,
	OPT_MMR,
	OPT_ITEMS,
	OPT_VECTORS,
	OPT_EXCLUDE,
	OPT_CATEGORY_CAP,
	OPT_POOL,
	OPT_VERB,
	OPT_NORMALIZE,
	OPT_HISTORY,
	OPT_FOLDS,
	OPT_CALIBRATE,
	OPT_CALIBRATE_ATTR,
	OPT_POP_PENALTY,
	OPT_EXPLAIN,
	OPT_DISCOVERY,
	OPT_DISCOVERY_ATTR,
	OPT_VALUE,
	OPT_VALUE_ATTR,
	OPT_EXPLORE,
	OPT_NEW_DAYS,
	OPT_NOW,
	OPT_OBJECTIVES_OUT,
	OPT_PROFILES,
	OPT_PROFILE_WEIGHT
};

static const struct option long_options[] = {
	{"weights", required_argument, NULL, OPT_WEIGHTS},
	{"learn", required_argument, NULL, OPT_LEARN},
	{"learn-k", required_argument, NULL, OPT_LEARN_K},
	{"save-weights", required_argument, NULL, OPT_SAVE_WEIGHTS},
	{"mmr", required_argument, NULL, OPT_MMR},
	{"items", required_argument, NULL, OPT_ITEMS},
	{"vectors", required_argument, NULL, OPT_VECTORS},
	{"exclude", required_argument, NULL, OPT_EXCLUDE},
	{"category-cap", required_argument, NULL, OPT_CATEGORY_CAP},
	{"pool", required_argument, NULL, OPT_POOL},
	{"verb", required_argument, NULL, OPT_VERB},
	{"normalize", required_argument, NULL, OPT_NORMALIZE},
	{"history", required_argument, NULL, OPT_HISTORY},
	{"folds", required_argument, NULL, OPT_FOLDS},
	{"calibrate", required_argument, NULL, OPT_CALIBRATE},
	{"calibrate-attr", required_argument, NULL, OPT_CALIBRATE_ATTR},
	{"pop-penalty", required_argument, NULL, OPT_POP_PENALTY},
	{"explain", required_argument, NULL, OPT_EXPLAIN},
	{"discovery", required_argument, NULL, OPT_DISCOVERY},
	{"discovery-attr", required_argument, NULL, OPT_DISCOVERY_ATTR},
	{"value", required_argument, NULL, OPT_VALUE},
	{"value-attr", required_argument, NULL, OPT_VALUE_ATTR},
	{"explore", required_argument, NULL, OPT_EXPLORE},
	{"new-days", required_argument, NULL, OPT_NEW_DAYS},
	{"now", required_argument, NULL, OPT_NOW},
	{"objectives-out", required_argument, NULL, OPT_OBJECTIVES_OUT},
	{"profiles", required_argument, NULL, OPT_PROFILES},
	{"profile-weight", required_argument, NULL, OPT_PROFILE_WEIGHT},
	{"top", required_argument, NULL, 'n'},
	{"output", required_argument, NULL, 'o'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

/* ---- the catalog ---- */

/* How a channel's reasons read: from the history items that contributed
 * most, from the content shared with the nearest one, or from the recent
 * items a sequence model's attention weighed most. */
enum channel_kind { CHANNEL_BEHAVIOUR = 0, CHANNEL_CONTENT = 1, CHANNEL_SEQUENCE = 2, CHANNEL_CROSSDOMAIN = 3 };

struct catalog {
	struct lmrec_ids *items;   /* every item id met */
	char **title;              /* (cap) unescaped title or NULL */
	uint32_t *category;        /* (cap) category index + 1, 0 unknown */
	uint32_t *domain;          /* (cap) domain index + 1, 0 unknown */
	struct lmrec_ids *domains; /* the domain names */
	unsigned char *banned;     /* (cap) available=0 or deny-listed */
	struct lmrec_ids *denied;  /* "user\titem" pairs of a per-user deny-list, or NULL */
	float *vec;                /* (cap, dim) vectors or NULL */
	unsigned char *has_vec;
	char **attrs;              /* (cap) unescaped attrs or NULL */
	char **xattrs;             /* (cap) --explain full: "category=C;" and attrs, or NULL */
	double *value;             /* (cap) --value-attr: the business value in [0, 1] */
	unsigned char *has_value;  /* (cap) the item has the attribute */
	int64_t *released;         /* (cap) the released column, INT64_MIN when unknown */
	size_t cap, dim;
	struct lmrec_ids *channels;
	unsigned char *content;    /* (channels) enum channel_kind: how its reasons read */
	size_t content_cap;
};

static void catalog_grow(struct catalog *c)
{
	size_t n = lmrec_ids_count(c->items);
	if (n <= c->cap)
		return;
	size_t cap = c->cap ? c->cap : 1024;
	while (cap < n)
		cap *= 2;
	c->title = lmrec_xreallocarray(c->title, cap, sizeof *c->title);
	c->attrs = lmrec_xreallocarray(c->attrs, cap, sizeof *c->attrs);
	c->xattrs = lmrec_xreallocarray(c->xattrs, cap, sizeof *c->xattrs);
	c->category = lmrec_xreallocarray(c->category, cap, sizeof *c->category);
	c->domain = lmrec_xreallocarray(c->domain, cap, sizeof *c->domain);
	c->banned = lmrec_xreallocarray(c->banned, cap, 1);
	c->has_vec = lmrec_xreallocarray(c->has_vec, cap, 1);
	c->value = lmrec_xreallocarray(c->value, cap, sizeof *c->value);
	c->has_value = lmrec_xreallocarray(c->has_value, cap, 1);
	c->released = lmrec_xreallocarray(c->released, cap, sizeof *c->released);
	for (size_t i = c->cap; i < cap; i++) {
		c->released[i] = INT64_MIN;
		c->value[i] = 0;
		c->has_value[i] = 0;
		c->title[i] = NULL;
		c->attrs[i] = NULL;
		c->xattrs[i] = NULL;
		c->category[i] = 0;
		c->domain[i] = 0;
		c->banned[i] = 0;
		c->has_vec[i] = 0;
	}
	if (c->dim) {
		c->vec = lmrec_xreallocarray(c->vec, cap * c->dim, sizeof *c->vec);
		memset(c->vec + c->cap * c->dim, 0, (cap - c->cap) * c->dim * sizeof *c->vec);
	}
	c->cap = cap;
}

static uint32_t item_index(struct catalog *c, const char *p, size_t len)
{
	uint32_t i = lmrec_ids_intern(c->items, p, len);
	catalog_grow(c);
	return i;
}

/* The first value of key in the attrs a (unescaped): its bytes and
 * length, or NULL. */
static const char *attr_value(const char *a, const char *key, size_t *len)
{
	size_t klen = strlen(key);
	for (const char *p = a; *p;) {
		const char *end = strchr(p, ';');
		if (!end)
			end = p + strlen(p);
		if ((size_t)(end - p) > klen && memcmp(p, key, klen) == 0 && p[klen] == '=') {
			*len = (size_t)(end - p) - klen - 1;
			return p + klen + 1;
		}
		p = *end ? end + 1 : end;
	}
	return NULL;
}

/* --value-attr: item i's value from its attrs (row of r); numbers and
 * words must not mix (*kind: -1 until the first value). */
static void read_value(struct catalog *c, struct lmrec_tsv *r, size_t col, uint32_t i,
		       const char *key, int *kind)
{
	size_t len;
	const char *v = c->attrs[i] ? attr_value(c->attrs[i], key, &len) : NULL;
	c->has_value[i] = 0;
	c->value[i] = 0;
	if (!v)
		return;
	double x;
	int k = lmrec_value_parse(v, len, &x);
	if (k < 0)
		lmrec_tsv_die(r, col, "%s '%.*s' is not a number nor low, mid, high or free", key,
			      (int)(len > 40 ? 40 : len), v);
	if (*kind >= 0 && k != *kind)
		lmrec_tsv_die(r, col, "%s '%.*s' is a %s, but an earlier value is a %s", key,
			      (int)(len > 40 ? 40 : len), v, k == LMREC_VALUE_WORD ? "word" : "number",
			      k == LMREC_VALUE_WORD ? "number" : "word");
	*kind = k;
	c->value[i] = x;
	c->has_value[i] = 1;
}

static void load_items(struct catalog *c, const char *path, int explain, const char *value_attr)
{
	struct lmrec_tsv *r = lmrec_tsv_open(path);
	size_t ci = lmrec_tsv_col(r, "item");
	long ct = lmrec_tsv_col_opt(r, "title"), cc = lmrec_tsv_col_opt(r, "category");
	long ca = lmrec_tsv_col_opt(r, "available"), cat = lmrec_tsv_col_opt(r, "attrs");
	long cd = lmrec_tsv_col_opt(r, "domain"), cr = lmrec_tsv_col_opt(r, "released");
	struct lmrec_ids *cats = lmrec_ids_new();
	int vkind = -1;
	while (lmrec_tsv_read(r)) {
		struct lmrec_field f = r->f[ci];
		if (f.len == 0)
			lmrec_tsv_die(r, ci, "empty id");
		uint32_t i = item_index(c, f.p, f.len);
		if (ct >= 0 && r->f[ct].len) {
			free(c->title[i]);
			c->title[i] = lmrec_xmalloc(r->f[ct].len + 1);
			c->title[i][lmrec_tsv_unescape(c->title[i], r->f[ct].p, r->f[ct].len)] = '\0';
		}
		if (cc >= 0 && r->f[cc].len)
			c->category[i] = lmrec_ids_intern(cats, r->f[cc].p, r->f[cc].len) + 1;
		if (cd >= 0 && r->f[cd].len)
			c->domain[i] = lmrec_ids_intern(c->domains, r->f[cd].p, r->f[cd].len) + 1;
		if (cat >= 0 && r->f[cat].len) {
			free(c->attrs[i]);
			c->attrs[i] = lmrec_xmalloc(r->f[cat].len + 1);
			c->attrs[i][lmrec_tsv_unescape(c->attrs[i], r->f[cat].p, r->f[cat].len)] = '\0';
		}
		if (value_attr && cat >= 0)
			read_value(c, r, (size_t)cat, i, value_attr, &vkind);
		if (cr >= 0 && r->f[cr].len)
			c->released[i] = lmrec_tsv_i64(r, (size_t)cr);
		if (ca >= 0 && r->f[ca].len) {
			struct lmrec_field a = r->f[ca];
			if (a.len == 1 && a.p[0] == '0')
				c->banned[i] = 1;
			else if (!(a.len == 1 && a.p[0] == '1'))
				lmrec_tsv_die(r, (size_t)ca, "'%.*s' is not 0 or 1", (int)a.len, a.p);
		}
	}
	lmrec_tsv_close(r);
	if (value_attr) {
		size_t n = lmrec_ids_count(c->items);
		if (vkind < 0)
			lmrec_warn("no item of %s has the attribute '%s': every item's value is 0",
				   lmrec_display_name(path), value_attr);
		else if (vkind == LMREC_VALUE_NUMBER) /* min-max over the catalog */
			lmrec_value_scale(c->value, c->has_value, n);
	}
	if (explain) /* the attributes an explanation matches: the category first */
		for (size_t i = 0; i < lmrec_ids_count(c->items); i++) {
			size_t clen = 0, alen = c->attrs[i] ? strlen(c->attrs[i]) : 0;
			const char *cs = c->category[i] ? lmrec_ids_str(cats, c->category[i] - 1, &clen) : NULL;
			if (!cs && !alen)
				continue;
			char *x = lmrec_xmalloc(clen + alen + 11), *p = x;
			if (cs) {
				memcpy(p, "category=", 9);
				p += 9;
				p += lmrec_tsv_unescape(p, cs, clen);
				if (alen)
					*p++ = ';';
			}
			memcpy(p, c->attrs[i] ? c->attrs[i] : "", alen);
			p[alen] = '\0';
			c->xattrs[i] = x;
		}
	lmrec_ids_free(cats);
}

/* The deny-list: an item for everyone, or with a user column (as
 * lmrec-feedback --blocked writes) for that user only; an empty user is
 * everyone. Pairs are kept as "user\titem" in escaped form. */
static void load_exclude(struct catalog *c, const char *path)
{
	struct lmrec_tsv *r = lmrec_tsv_open(path);
	size_t ci = lmrec_tsv_col(r, "item");
	long cu = lmrec_tsv_col_opt(r, "user");
	char *key = NULL;
	size_t keycap = 0;
	while (lmrec_tsv_read(r)) {
		struct lmrec_field it = r->f[ci];
		if (!it.len)
			continue;
		if (cu < 0 || r->f[cu].len == 0) {
			/* (the index first: item_index may move c->banned) */
			uint32_t i = item_index(c, it.p, it.len);
			c->banned[i] = 1;
			continue;
		}
		struct lmrec_field u = r->f[cu];
		LMREC_GROW(key, keycap, u.len + 1 + it.len);
		memcpy(key, u.p, u.len);
		key[u.len] = '\t';
		memcpy(key + u.len + 1, it.p, it.len);
		if (!c->denied)
			c->denied = lmrec_ids_new();
		lmrec_ids_intern(c->denied, key, u.len + 1 + it.len);
	}
	free(key);
	lmrec_tsv_close(r);
}

/* Every item's vector, unit length, placed by catalog index. */
static void load_vectors(struct catalog *c, const char *path)
{
	struct lmrec_vectors vs;
	lmrec_vectors_read(&vs, path, "item");
	c->dim = vs.dim;
	c->vec = lmrec_xcalloc(c->cap * vs.dim + 1, sizeof *c->vec);
	for (size_t r = 0; r < vs.n; r++) {
		size_t len;
		const char *id = lmrec_ids_str(vs.ids, (uint32_t)r, &len);
		uint32_t i = item_index(c, id, len);
		const float *src = vs.v + r * vs.dim;
		double norm = 0;
		for (size_t d = 0; d < vs.dim; d++)
			norm += (double)src[d] * src[d];
		if (norm > 0) {
			float *v = c->vec + (size_t)i * vs.dim;
			for (size_t d = 0; d < vs.dim; d++)
				v[d] = (float)(src[d] / sqrt(norm));
			c->has_vec[i] = 1;
		}
	}
	lmrec_vectors_free(&vs);
}

/* The users' histories (--history): each user's distinct items, for the
 * taste mix of --calibrate, and each item's popularity for --pop-penalty. */
struct history {
	struct lmrec_ids *users;
	uint64_t *start;  /* (users + 1) CSR over users */
	uint32_t *items;  /* distinct items of each user, ascending */
	double *lpop;     /* (nlpop) log(1 + users of the item) / log(1 + the most) */
	size_t nlpop;
};

static int cmp_u32(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	return a < b ? -1 : a > b;
}

static void load_history(struct history *h, struct catalog *c, const char *path, unsigned fold_set)
{
	struct lmrec_inter x;
	h->users = lmrec_ids_new();
	lmrec_inter_init(&x, h->users, c->items);
	char *files[1] = {(char *)path};
	lmrec_inter_load(&x, files, 1, LMREC_INTER_NO_TS);
	catalog_grow(c);
	size_t nu = lmrec_ids_count(h->users), ni = lmrec_ids_count(c->items);
	h->start = lmrec_xcalloc(nu + 1, sizeof *h->start);
	for (size_t r = 0; r < x.n; r++)
		if (!x.has_fold || lmrec_fold_in(fold_set, x.fold_of[r]))
			h->start[x.user[r] + 1]++;
	for (size_t u = 0; u < nu; u++)
		h->start[u + 1] += h->start[u];
	h->items = lmrec_xcalloc(h->start[nu] + 1, sizeof *h->items);
	uint64_t *fill = lmrec_xcalloc(nu + 1, sizeof *fill);
	for (size_t r = 0; r < x.n; r++)
		if (!x.has_fold || lmrec_fold_in(fold_set, x.fold_of[r]))
			h->items[h->start[x.user[r]] + fill[x.user[r]]++] = x.item[r];
	free(fill);
	/* sort each user's items and drop repeats, compacting in place */
	uint64_t out = 0;
	for (size_t u = 0; u < nu; u++) {
		uint64_t b = h->start[u], e = h->start[u + 1];
		qsort(h->items + b, (size_t)(e - b), sizeof *h->items, cmp_u32);
		h->start[u] = out;
		for (uint64_t j = b; j < e; j++)
			if (j == b || h->items[j] != h->items[j - 1])
				h->items[out++] = h->items[j];
	}
	h->start[nu] = out;
	uint32_t *pop = lmrec_xcalloc(ni + 1, sizeof *pop), most = 0;
	for (uint64_t j = 0; j < out; j++)
		if (++pop[h->items[j]] > most)
			most = pop[h->items[j]];
	h->nlpop = ni;
	h->lpop = lmrec_xcalloc(ni + 1, sizeof *h->lpop);
	for (size_t i = 0; i < ni && most; i++)
		h->lpop[i] = log1p((double)pop[i]) / log1p((double)most);
	free(pop);
	lmrec_inter_free(&x);
}

static void free_history(struct history *h)
{
	lmrec_ids_free(h->users);
	free(h->start);
	free(h->items);
	free(h->lpop);
}

/* ---- candidates of one user ---- */

struct cand {
	uint32_t item;
	const char *id; /* the item's id (for ties), idlen bytes */
	size_t idlen;
	double feat_sum; /* blended score */
	double prof;     /* --profiles: the boost added to feat_sum */
	uint32_t best_channel;
	double best_contrib;
	int64_t because, because2; /* of the best channel */
};

struct user_cands {
	char *user;
	size_t ulen;
	/* raw rows */
	uint32_t *item, *channel;
	float *score;
	int64_t *because, *because2;
	size_t n, cap;
	/* --explain full: each row's contrib entries, eitem/evalue[ent[j] ..
	 * ent[j] + nent[j]) */
	size_t *ent, *nent;
	uint32_t *eitem;
	double *evalue;
	size_t ne, ecap;
};

static void uc_push(struct user_cands *u, uint32_t item, uint32_t channel, float score, int64_t b1,
		    int64_t b2)
{
	if (u->n == u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 256;
		u->item = lmrec_xreallocarray(u->item, cap, sizeof *u->item);
		u->channel = lmrec_xreallocarray(u->channel, cap, sizeof *u->channel);
		u->score = lmrec_xreallocarray(u->score, cap, sizeof *u->score);
		u->because = lmrec_xreallocarray(u->because, cap, sizeof *u->because);
		u->because2 = lmrec_xreallocarray(u->because2, cap, sizeof *u->because2);
		u->ent = lmrec_xreallocarray(u->ent, cap, sizeof *u->ent);
		u->nent = lmrec_xreallocarray(u->nent, cap, sizeof *u->nent);
		u->cap = cap;
	}
	u->ent[u->n] = u->ne;
	u->nent[u->n] = 0;
	u->item[u->n] = item;
	u->channel[u->n] = channel;
	u->score[u->n] = score;
	u->because[u->n] = b1;
	u->because2[u->n] = b2;
	u->n++;
}

struct rank_key {
	uint32_t channel;
	float score;
	uint32_t row;
};

static int cmp_rank_key(const void *pa, const void *pb)
{
	const struct rank_key *a = pa, *b = pb;
	if (a->channel != b->channel)
		return a->channel < b->channel ? -1 : 1;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return a->row < b->row ? -1 : a->row > b->row;
}

/* Features per user and channel: minmax scales the channel's scores over
 * the user's candidates to [0, 1] (1 the best); rank is 1 / (1 + r/10) for
 * the candidate's place r in the channel, the number of candidates with a
 * higher score (reciprocal-rank fusion).
 * A channel without a candidate contributes 0. */
static void features(const struct user_cands *u, size_t nch, enum norm norm, double *fmin,
		     double *fmax, float *feat, struct rank_key **keys, size_t *kcap)
{
	if (norm == NORM_RANK) {
		LMREC_GROW(*keys, *kcap, u->n + 1);
		struct rank_key *k = *keys;
		for (size_t j = 0; j < u->n; j++)
			k[j] = (struct rank_key){u->channel[j], u->score[j], (uint32_t)j};
		qsort(k, u->n, sizeof *k, cmp_rank_key);
		/* r counts the strictly better candidates: ties share a place */
		size_t start = 0, r = 0;
		for (size_t j = 0; j < u->n; j++) {
			if (j == 0 || k[j].channel != k[j - 1].channel)
				start = j;
			if (j == start || k[j].score != k[j - 1].score)
				r = j - start;
			feat[k[j].row] = (float)(1.0 / (1.0 + (double)r / 10.0));
		}
		return;
	}
	for (size_t c = 0; c < nch; c++) {
		fmin[c] = INFINITY;
		fmax[c] = -INFINITY;
	}
	for (size_t j = 0; j < u->n; j++) {
		uint32_t c = u->channel[j];
		if (u->score[j] < fmin[c])
			fmin[c] = u->score[j];
		if (u->score[j] > fmax[c])
			fmax[c] = u->score[j];
	}
	for (size_t j = 0; j < u->n; j++) {
		uint32_t c = u->channel[j];
		double span = fmax[c] - fmin[c];
		feat[j] = span > 0 ? (float)((u->score[j] - fmin[c]) / span) : 1.0f;
	}
}

/* Distinct candidate items with their blended score and best channel. */
static size_t blend(const struct user_cands *u, const float *feat, const double *w,
		    const struct lmrec_ids *items, struct cand *out, uint32_t *slot, uint32_t *stamp,
		    uint32_t mark)
{
	size_t n = 0;
	for (size_t j = 0; j < u->n; j++) {
		uint32_t it = u->item[j];
		struct cand *c;
		if (stamp[it] != mark) {
			stamp[it] = mark;
			slot[it] = (uint32_t)n;
			c = &out[n++];
			c->item = it;
			c->id = lmrec_ids_str(items, it, &c->idlen);
			c->feat_sum = 0;
			c->prof = 0;
			c->best_contrib = -INFINITY;
			c->because = c->because2 = -1;
		} else {
			c = &out[slot[it]];
		}
		double contrib = w[u->channel[j]] * feat[j];
		c->feat_sum += contrib;
		/* the reason's channel: the largest contribution; on a tie one
		 * that names history items (channels' best items all tie at 1) */
		if (contrib > c->best_contrib ||
		    (contrib == c->best_contrib && c->because < 0 && u->because[j] >= 0)) {
			c->best_contrib = contrib;
			c->best_channel = u->channel[j];
			c->because = u->because[j];
			c->because2 = u->because2[j];
		}
	}
	return n;
}

/* Blended score descending, then item id in byte order. */
static int cmp_cand(const void *pa, const void *pb)
{
	const struct cand *a = pa, *b = pb;
	if (a->feat_sum != b->feat_sum)
		return a->feat_sum > b->feat_sum ? -1 : 1;
	int c = memcmp(a->id, b->id, a->idlen < b->idlen ? a->idlen : b->idlen);
	if (c)
		return c;
	return a->idlen < b->idlen ? -1 : a->idlen > b->idlen;
}

/* ---- learning the weights ---- */

struct learn_set {
	struct user_cands *users;
	float **feat;     /* (n) each user's features, computed once */
	size_t n;
	uint32_t **truth; /* (n) sorted item indices */
	size_t *ntruth;
};

static double ndcg_of(const struct learn_set *ls, const double *w, size_t k,
		      const struct lmrec_ids *items, struct cand *buf, uint32_t *slot, uint32_t *stamp,
		      uint32_t *mark)
{
	double sum = 0;
	uint32_t *list = lmrec_xcalloc(k + 1, sizeof *list);
	for (size_t u = 0; u < ls->n; u++) {
		const struct user_cands *uc = &ls->users[u];
		if (!ls->ntruth[u])
			continue;
		size_t n = blend(uc, ls->feat[u], w, items, buf, slot, stamp, ++*mark);
		qsort(buf, n, sizeof *buf, cmp_cand);
		size_t len = n < k ? n : k;
		for (size_t j = 0; j < len; j++)
			list[j] = buf[j].item;
		struct lmrec_user_metrics um;
		lmrec_metrics_user(list, len, ls->truth[u], ls->ntruth[u], k, &um);
		sum += um.ndcg;
	}
	free(list);
	return sum;
}

/* Coordinate ascent (Metzler and Croft, 2007) from equal weights: each
 * weight in turn tries a grid of values with the others fixed, keeping the
 * best, until a full round improves nothing. A change must gain more than
 * a thousandth of the NDCG: on one held-out item a user, smaller gains are
 * mostly noise, and chasing them moves weight onto channels that the test
 * fold does not reward. */
static void learn_weights(const struct learn_set *ls, double *w, size_t nch, size_t k,
			  const struct lmrec_ids *items, int quiet)
{
	size_t max_items = lmrec_ids_count(items);
	static const double grid[] = {0, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5, 2, 3, 5};
	struct cand *buf = lmrec_xcalloc(max_items + 1, sizeof *buf);
	uint32_t *slot = lmrec_xcalloc(max_items + 1, sizeof *slot);
	uint32_t *stamp = lmrec_xcalloc(max_items + 1, sizeof *stamp), mark = 0;
	double best = ndcg_of(ls, w, k, items, buf, slot, stamp, &mark);
	for (int round = 0; round < 10; round++) {
		int improved = 0;
		for (size_t c = 0; c < nch; c++) {
			double keep = w[c];
			for (size_t g = 0; g < sizeof grid / sizeof grid[0]; g++) {
				w[c] = grid[g];
				double v = ndcg_of(ls, w, k, items, buf, slot, stamp, &mark);
				if (v > best * 1.001 + 1e-12) {
					best = v;
					keep = grid[g];
					improved = 1;
				}
			}
			w[c] = keep;
		}
		if (!improved)
			break;
	}
	size_t judged = 0; /* users with held-out items: the others score nothing */
	for (size_t u = 0; u < ls->n; u++)
		judged += ls->ntruth[u] > 0;
	if (!quiet)
		fprintf(stderr, "%s: learned weights: NDCG@%zu %.6f on %zu validation users\n",
			lmrec_progname(), k, judged ? best / (double)judged : 0.0, judged);
	free(buf);
	free(slot);
	free(stamp);
}

/* ---- ranking one user ---- */

static double similarity(const struct catalog *c, uint32_t a, uint32_t b)
{
	if (c->dim && c->has_vec[a] && c->has_vec[b]) {
		double dot = 0;
		for (size_t d = 0; d < c->dim; d++)
			dot += (double)c->vec[(size_t)a * c->dim + d] * c->vec[(size_t)b * c->dim + d];
		return dot;
	}
	return c->category[a] && c->category[a] == c->category[b];
}

/* --objectives-out's distance: 1 - cosine when both items have vectors,
 * else whether their categories differ when both have one, else unknown. */
static double distance(const void *ctx, uint32_t a, uint32_t b)
{
	const struct catalog *c = ctx;
	if (c->dim && c->has_vec[a] && c->has_vec[b]) {
		double d = 1.0 - similarity(c, a, b);
		return d > 0 ? d : 0.0; /* float rounding: an item and its twin */
	}
	if (c->category[a] && c->category[b])
		return c->category[a] != c->category[b];
	return NAN;
}

static void put_title(struct lmrec_out *o, const struct catalog *c, uint32_t it)
{
	if (c->title[it]) {
		lmrec_out_field(o, c->title[it], strlen(c->title[it]));
	} else {
		size_t len;
		const char *s = lmrec_ids_str(c->items, it, &len);
		lmrec_out_write(o, s, len); /* already escaped */
	}
}

/* " in DOMAIN" (d: domain index + 1) */
static void put_domain(struct lmrec_out *o, const struct catalog *c, uint32_t d)
{
	size_t len;
	const char *s = lmrec_ids_str(c->domains, d - 1, &len);
	lmrec_out_str(o, " in ");
	lmrec_out_write(o, s, len); /* already escaped */
}

static void write_reason(struct lmrec_out *o, const struct opts *opt, const struct catalog *c,
			 const struct cand *x)
{
	size_t clen;
	const char *ch = lmrec_ids_str(c->channels, x->best_channel, &clen);
	lmrec_out_write(o, ch, clen);
	lmrec_out_str(o, ": ");
	if (x->because < 0) {
		lmrec_out_str(o, strcmp(ch, "popular") == 0 ? "popular with many users" : "recommended for you");
		return;
	}
	unsigned char kind = x->best_channel < c->content_cap ? c->content[x->best_channel] : CHANNEL_BEHAVIOUR;
	if (kind == CHANNEL_CONTENT) {
		/* content: the nearest history item and what the two share */
		lmrec_out_str(o, "similar to ");
		put_title(o, c, (uint32_t)x->because);
		lmrec_attrs_put_shared(o, c->attrs[x->item], c->attrs[x->because], 3);
		return;
	}
	/* a sequence model names the recent items its attention weighed most;
	 * the others the history items that contributed most; across domains,
	 * the domain they come from ("... X and Y in places", or "X in places
	 * and Y in food") */
	lmrec_out_str(o, kind == CHANNEL_SEQUENCE ? "next after you " : "because you ");
	lmrec_out_field(o, opt->verb, strlen(opt->verb));
	lmrec_out_byte(o, ' ');
	put_title(o, c, (uint32_t)x->because);
	uint32_t d1 = kind == CHANNEL_CROSSDOMAIN ? c->domain[x->because] : 0;
	uint32_t d2 = kind == CHANNEL_CROSSDOMAIN && x->because2 >= 0 ? c->domain[x->because2] : 0;
	if (x->because2 >= 0) {
		if (d1 && d1 != d2)
			put_domain(o, c, d1);
		lmrec_out_str(o, " and ");
		put_title(o, c, (uint32_t)x->because2);
		if (d2)
			put_domain(o, c, d2);
	} else if (d1) {
		put_domain(o, c, d1);
	}
}

struct ranker {
	const struct opts *o;
	struct catalog *cat;
	double *w;
	size_t nch;
	struct cand *buf;
	uint32_t *slot, *stamp, mark;
	size_t bufcap;
	float *feat;
	size_t featcap;
	double *fmin, *fmax;
	struct rank_key *keys;
	size_t kcap;
	uint32_t *cat_count;
	size_t ncat_cap;
	const struct history *hist; /* --history, or NULL */
	struct lmrec_calib cal;     /* --calibrate */
	int has_cal;                /* cal is set up (--calibrate or --objectives-out) */
	struct lmrec_novelty nov;   /* --discovery, --objectives-out */
	int has_nov;
	struct lmrec_out *oout;     /* --objectives-out */
	double osum[5];             /* the objectives summed over lists, and */
	size_t on[5];               /* the lists where each is defined */
	double *oscore;             /* (ocap) one list's scores */
	size_t ocap;
	size_t users, rows;
	/* --explain full: one row's scratch */
	struct lmrec_explain_part *parts;
	size_t *prow, pcap;
	struct lmrec_explain_share *shares;
	size_t scap;
	const char **others;
	double *oshare;
	struct lmrec_explain_attr *xat;
	size_t xcap, xcap2;
	char *dkey; /* a per-user deny-list's lookup key */
	size_t dkeycap;
	/* --profiles: the preferences over the catalog of --items, and the
	 * reason's scratch */
	const struct lmrec_prefs *prefs;
	const struct lmrec_catalog *pcat;
	char *pfbuf;
	size_t pfcap;
	size_t boosted; /* rows whose item got a boost */
};

/* --explain full: "ch=NAME:W*F,...|pen=P|hist=ID:SHARE,...|attrs=K=V:SHARE,..."
 * (lmrec-formats(5)): the terms w_c f_c(i) whose sum less the penalty is
 * the row's score, the history items' shares of it, and the attributes
 * of the item that the cited items share. */
static void write_explain(struct lmrec_out *out, struct ranker *rk, const struct user_cands *u,
			  const struct cand *x)
{
	const struct opts *o = rk->o;
	const struct catalog *c = rk->cat;
	size_t np = 0, nh = 0;
	for (size_t j = 0; j < u->n; j++) {
		if (u->item[j] != x->item)
			continue;
		if (np == rk->pcap) {
			rk->pcap = rk->pcap ? rk->pcap * 2 : 16;
			rk->parts = lmrec_xreallocarray(rk->parts, rk->pcap, sizeof *rk->parts);
			rk->prow = lmrec_xreallocarray(rk->prow, rk->pcap, sizeof *rk->prow);
		}
		rk->parts[np] = (struct lmrec_explain_part){rk->w[u->channel[j]], rk->feat[j], u->score[j],
							    u->eitem + u->ent[j], u->evalue + u->ent[j], u->nent[j]};
		rk->prow[np++] = j;
		nh += u->nent[j];
	}
	/* the terms by w_c f_c descending, then channel name */
	for (size_t a = 1; a < np; a++) {
		size_t r = rk->prow[a], b = a;
		double v = rk->w[u->channel[r]] * rk->feat[r];
		for (; b > 0; b--) {
			size_t q = rk->prow[b - 1];
			double vq = rk->w[u->channel[q]] * rk->feat[q];
			if (vq > v)
				break;
			if (vq == v) {
				size_t la, lb;
				const char *sa = lmrec_ids_str(c->channels, u->channel[q], &la);
				const char *sb = lmrec_ids_str(c->channels, u->channel[r], &lb);
				int cmp = memcmp(sa, sb, la < lb ? la : lb);
				if (cmp < 0 || (cmp == 0 && la <= lb))
					break;
			}
			rk->prow[b] = q;
		}
		rk->prow[b] = r;
	}
	lmrec_out_str(out, "ch=");
	for (size_t k = 0; k < np; k++) {
		size_t r = rk->prow[k], len;
		const char *name = lmrec_ids_str(c->channels, u->channel[r], &len);
		if (k)
			lmrec_out_byte(out, ',');
		lmrec_explain_put_name(out, name, len);
		lmrec_out_printf(out, ":%.9g*%.9g", rk->w[u->channel[r]], (double)rk->feat[r]);
	}
	double pen = 0;
	if (o->penalising)
		pen = o->pop_penalty * (x->item < rk->hist->nlpop ? rk->hist->lpop[x->item] : 0.0);
	lmrec_out_printf(out, "|pen=%.9g", pen);
	if (o->profiles)
		lmrec_out_printf(out, "|prof=%.9g", x->prof);
	lmrec_out_str(out, "|hist=");
	LMREC_GROW(rk->shares, rk->scap, nh + 1);
	size_t ns = lmrec_explain_shares(rk->parts, np, c->items, rk->shares);
	if (ns + 1 > rk->xcap) {
		rk->xcap = ns + 1;
		rk->others = lmrec_xreallocarray(rk->others, rk->xcap, sizeof *rk->others);
		rk->oshare = lmrec_xreallocarray(rk->oshare, rk->xcap, sizeof *rk->oshare);
	}
	size_t shown = 0;
	for (size_t k = 0; k < ns; k++) {
		const struct lmrec_explain_share *e = &rk->shares[k];
		rk->others[k] = c->xattrs[e->item];
		rk->oshare[k] = e->share;
		if (e->share == 0)
			continue;
		size_t len;
		const char *id = lmrec_ids_str(c->items, e->item, &len);
		if (shown++)
			lmrec_out_byte(out, ',');
		lmrec_explain_put_name(out, id, len);
		lmrec_out_printf(out, ":%.4g", e->share);
	}
	lmrec_out_str(out, "|attrs=");
	const char *a = c->xattrs[x->item];
	if (!a || ns == 0)
		return;
	size_t pairs = 1;
	for (const char *p = a; *p; p++)
		pairs += *p == ';';
	LMREC_GROW(rk->xat, rk->xcap2, pairs);
	size_t na = lmrec_explain_attrs(a, rk->others, rk->oshare, ns, rk->xat);
	for (size_t k = 0; k < na; k++) {
		const struct lmrec_explain_attr *t = &rk->xat[k];
		const char *eq = memchr(t->p, '=', t->len);
		size_t kl = (size_t)(eq - t->p);
		if (k)
			lmrec_out_byte(out, ',');
		lmrec_explain_put_text(out, t->p, kl);
		lmrec_out_byte(out, '=');
		lmrec_explain_put_text(out, eq + 1, t->len - kl - 1);
		lmrec_out_printf(out, ":%.4g", t->weight);
	}
}

static void ranker_fit(struct ranker *rk)
{
	size_t ni = lmrec_ids_count(rk->cat->items);
	if (ni > rk->bufcap) {
		size_t cap = ni * 2;
		rk->buf = lmrec_xreallocarray(rk->buf, cap, sizeof *rk->buf);
		rk->slot = lmrec_xreallocarray(rk->slot, cap, sizeof *rk->slot);
		rk->stamp = lmrec_xreallocarray(rk->stamp, cap, sizeof *rk->stamp);
		memset(rk->stamp + rk->bufcap, 0, (cap - rk->bufcap) * sizeof *rk->stamp);
		rk->bufcap = cap;
	}
}

/* 1 when the user's deny-list has the item. */
static int denied(const struct catalog *c, const struct user_cands *u, uint32_t item, char **key, size_t *keycap)
{
	size_t ilen;
	const char *id = lmrec_ids_str(c->items, item, &ilen);
	LMREC_GROW(*key, *keycap, u->ulen + 1 + ilen);
	memcpy(*key, u->user, u->ulen);
	(*key)[u->ulen] = '\t';
	memcpy(*key + u->ulen + 1, id, ilen);
	return lmrec_ids_find(c->denied, *key, u->ulen + 1 + ilen) >= 0;
}

/* --objectives-out: the row of the list pick[0 .. chosen) of the pool
 * rk->buf[0 .. n), and the sums of the means. */
static void write_objectives(struct ranker *rk, const struct user_cands *u, const size_t *pick,
			     size_t chosen, size_t n, const uint32_t *hist, size_t nhist)
{
	const struct opts *o = rk->o;
	struct catalog *c = rk->cat;
	LMREC_GROW(rk->oscore, rk->ocap, chosen);
	uint32_t *items = lmrec_xcalloc(chosen, sizeof *items);
	double smin = INFINITY, smax = -INFINITY;
	for (size_t j = 0; j < n; j++) {
		if (rk->buf[j].feat_sum < smin)
			smin = rk->buf[j].feat_sum;
		if (rk->buf[j].feat_sum > smax)
			smax = rk->buf[j].feat_sum;
	}
	for (size_t r = 0; r < chosen; r++) {
		items[r] = rk->buf[pick[r]].item;
		rk->oscore[r] = rk->buf[pick[r]].feat_sum;
	}
	struct lmrec_objlist l = {
		.items = items,
		.score = rk->oscore,
		.n = chosen,
		.smin = smin,
		.smax = smax,
		.dist = o->items || o->vectors ? distance : NULL,
		.dist_ctx = c,
		.novelty = rk->has_nov ? &rk->nov : NULL,
		.value = o->value_attr ? c->value : NULL,
		.nvalue = lmrec_ids_count(c->items),
		.calib = rk->has_cal ? &rk->cal : NULL,
		.hist = hist,
		.nhist = nhist,
	};
	struct lmrec_objscore s;
	lmrec_objectives_score(&l, &s);
	free(items);
	const double v[5] = {s.relevance, s.diversity, s.discovery, s.value, s.calibration};
	lmrec_out_write(rk->oout, u->user, u->ulen);
	for (size_t k = 0; k < 5; k++) {
		lmrec_out_tab(rk->oout);
		if (isnan(v[k]))
			continue;
		lmrec_out_printf(rk->oout, "%.9g", v[k]);
		rk->osum[k] += v[k];
		rk->on[k]++;
	}
	lmrec_out_eol(rk->oout);
}

/* 1 when item i is new: released within --new-days before --now. */
static int is_new(const struct opts *o, const struct catalog *c, uint32_t i)
{
	int64_t t = c->released[i];
	return t != INT64_MIN && t <= o->now && o->now - t < o->new_days * 86400;
}

/* --explore: the list (pick[0..chosen), indices in buf[0..n)) gets at
 * least round(F * chosen) new items: the best new candidates not chosen
 * take the places of the last items that are not new, and go to the end
 * of the list, in their order. Returns how many were put there. */
static size_t explore(const struct opts *o, const struct catalog *c, const struct cand *buf, size_t n,
		      unsigned char *taken, size_t *pick, size_t chosen)
{
	size_t slots = (size_t)floor(o->explore * (double)chosen + 0.5), have = 0;
	for (size_t r = 0; r < chosen; r++)
		have += is_new(o, c, buf[pick[r]].item);
	if (have >= slots)
		return 0;
	size_t need = slots - have, got = 0;
	size_t *add = lmrec_xmalloc((need + 1) * sizeof *add);
	for (size_t j = 0; j < n && got < need; j++) /* buf is in score order */
		if (!taken[j] && is_new(o, c, buf[j].item))
			add[got++] = j;
	/* drop the last got items that are not new, keeping the order */
	size_t drop = got, w = 0;
	for (size_t r = chosen; r-- > 0 && drop > 0;)
		if (!is_new(o, c, buf[pick[r]].item)) {
			taken[pick[r]] = 0;
			pick[r] = SIZE_MAX;
			drop--;
		}
	for (size_t r = 0; r < chosen; r++)
		if (pick[r] != SIZE_MAX)
			pick[w++] = pick[r];
	for (size_t k = 0; k < got; k++) {
		pick[w++] = add[k];
		taken[add[k]] = 1;
	}
	free(add);
	return got;
}

static void rank_user(struct ranker *rk, const struct user_cands *u, struct lmrec_out *out)
{
	const struct opts *o = rk->o;
	struct catalog *c = rk->cat;
	ranker_fit(rk);
	LMREC_GROW(rk->feat, rk->featcap, u->n + 1);
	features(u, rk->nch, o->norm, rk->fmin, rk->fmax, rk->feat, &rk->keys, &rk->kcap);
	size_t n = blend(u, rk->feat, rk->w, c->items, rk->buf, rk->slot, rk->stamp, ++rk->mark);
	/* banned items out; ties by item id in byte order */
	size_t m = 0;
	for (size_t j = 0; j < n; j++)
		if (!c->banned[rk->buf[j].item] &&
		    !(c->denied && denied(c, u, rk->buf[j].item, &rk->dkey, &rk->dkeycap)))
			rk->buf[m++] = rk->buf[j];
	n = m;
	/* --profiles: the unit is the weight times the best blended score */
	const struct lmrec_prefs_user *pu = rk->prefs ? lmrec_prefs_find(rk->prefs, u->user, u->ulen) : NULL;
	double unit = 0;
	if (pu && pu->np && o->profile_weight > 0) {
		double smax = 0;
		for (size_t j = 0; j < n; j++)
			if (rk->buf[j].feat_sum > smax)
				smax = rk->buf[j].feat_sum;
		unit = o->profile_weight * (smax > 0 ? smax : 1.0);
	}
	if (o->penalising) /* after the weights, before the order and the pool */
		for (size_t j = 0; j < n; j++) {
			uint32_t it = rk->buf[j].item;
			rk->buf[j].feat_sum -= o->pop_penalty * (it < rk->hist->nlpop ? rk->hist->lpop[it] : 0.0);
		}
	if (unit > 0) /* likewise, beside the penalty */
		for (size_t j = 0; j < n; j++) {
			int64_t ci = lmrec_catalog_find(rk->pcat, rk->buf[j].id, rk->buf[j].idlen);
			if (ci < 0)
				continue;
			rk->buf[j].prof = lmrec_prefs_boost(rk->prefs, pu, (uint32_t)ci, unit);
			rk->buf[j].feat_sum += rk->buf[j].prof;
		}
	qsort(rk->buf, n, sizeof *rk->buf, cmp_cand);
	if (n > o->pool)
		n = o->pool;
	/* greedy selection: MMR and the category cap */
	size_t want = o->top < n ? o->top : n, chosen = 0;
	unsigned char *taken = lmrec_xcalloc(n + 1, 1);
	size_t *pick = lmrec_xcalloc(want + 1, sizeof *pick);
	double *maxsim = lmrec_xcalloc(n + 1, sizeof *maxsim);
	for (size_t j = 0; j < n; j++)
		if (c->category[rk->buf[j].item] >= rk->ncat_cap) {
			size_t cap = rk->ncat_cap ? rk->ncat_cap : 64;
			while (cap <= c->category[rk->buf[j].item])
				cap *= 2;
			rk->cat_count = lmrec_xreallocarray(rk->cat_count, cap, sizeof *rk->cat_count);
			memset(rk->cat_count + rk->ncat_cap, 0, (cap - rk->ncat_cap) * sizeof *rk->cat_count);
			rk->ncat_cap = cap;
		}
	/* the user's history, if any: the calibration target, the known genres */
	const uint32_t *hist = NULL;
	size_t nhist = 0;
	if (o->history) {
		int64_t hu = lmrec_ids_find(rk->hist->users, u->user, u->ulen);
		uint64_t b = hu < 0 ? 0 : rk->hist->start[hu], e = hu < 0 ? 0 : rk->hist->start[hu + 1];
		hist = rk->hist->items + b;
		nhist = (size_t)(e - b);
	}
	if (o->calibrating)
		lmrec_calib_target(&rk->cal, hist, nhist);
	if (rk->has_nov)
		lmrec_novelty_target(&rk->nov, hist, nhist);
	while (chosen < want) {
		double best = -INFINITY;
		size_t bj = n;
		for (size_t j = 0; j < n; j++) {
			if (taken[j])
				continue;
			uint32_t cat = c->category[rk->buf[j].item];
			if (o->cat_cap && cat && rk->cat_count[cat] >= o->cat_cap)
				continue;
			double v = o->mmr * rk->buf[j].feat_sum - (1 - o->mmr) * maxsim[j];
			if (o->calibrating)
				v = (1 - o->calibrate) * v - o->calibrate * lmrec_calib_kl_with(&rk->cal, rk->buf[j].item);
			if (o->discovery > 0)
				v += o->discovery * lmrec_novelty_of(&rk->nov, rk->buf[j].item);
			if (o->value > 0)
				v += o->value * c->value[rk->buf[j].item];
			if (v > best) {
				best = v;
				bj = j;
			}
		}
		if (bj == n)
			break;
		taken[bj] = 1;
		pick[chosen++] = bj;
		uint32_t cat = c->category[rk->buf[bj].item];
		if (cat)
			rk->cat_count[cat]++;
		if (o->calibrating)
			lmrec_calib_add(&rk->cal, rk->buf[bj].item);
		if (o->mmr < 1)
			for (size_t j = 0; j < n; j++)
				if (!taken[j]) {
					double s = similarity(c, rk->buf[j].item, rk->buf[bj].item);
					if (s > maxsim[j])
						maxsim[j] = s;
				}
	}
	size_t nexplore = o->explore > 0 ? explore(o, c, rk->buf, n, taken, pick, chosen) : 0;
	for (size_t r = 0; r < chosen; r++) {
		const struct cand *x = &rk->buf[pick[r]];
		size_t len;
		lmrec_out_write(out, u->user, u->ulen);
		lmrec_out_tab(out);
		lmrec_out_i64(out, (int64_t)r + 1);
		lmrec_out_tab(out);
		const char *s = lmrec_ids_str(c->items, x->item, &len);
		lmrec_out_write(out, s, len);
		lmrec_out_tab(out);
		lmrec_out_f32(out, (float)x->feat_sum);
		lmrec_out_tab(out);
		if (r >= chosen - nexplore)
			lmrec_out_printf(out, "new (released %" PRId64 " days ago), tried out; ",
					 (o->now - c->released[x->item]) / 86400);
		write_reason(out, o, c, x);
		if (x->prof != 0) {
			size_t plen = 0;
			LMREC_GROW(rk->pfbuf, rk->pfcap, 1);
			rk->pfbuf[0] = '\0';
			int64_t ci = lmrec_catalog_find(rk->pcat, x->id, x->idlen);
			if (ci >= 0 && lmrec_prefs_reason(rk->prefs, pu, (uint32_t)ci, unit, &rk->pfbuf, &plen, &rk->pfcap)) {
				lmrec_out_str(out, "; ");
				lmrec_out_field(out, rk->pfbuf, plen);
				rk->boosted++;
			}
		}
		if (o->explain) {
			lmrec_out_tab(out);
			write_explain(out, rk, u, x);
		}
		lmrec_out_eol(out);
	}
	for (size_t r = 0; r < chosen; r++) {
		uint32_t cat = c->category[rk->buf[pick[r]].item];
		if (cat)
			rk->cat_count[cat] = 0;
	}
	if (rk->oout && chosen)
		write_objectives(rk, u, pick, chosen, n, hist, nhist);
	rk->users += chosen > 0;
	rk->rows += chosen;
	free(taken);
	free(pick);
	free(maxsim);
}

/* ---- reading the candidates ---- */

struct reader {
	struct lmrec_tsv *r;
	size_t cu, ci, cs, cc;
	long cb, cb2, ck, cx;
	int explain;                     /* --explain full: read contrib */
	struct lmrec_contrib_entry *ent; /* one field's entries */
	size_t ecap;
	char *idbuf;                     /* an id decoded */
	size_t idcap;
	int pending; /* a row read but not yet consumed */
	struct lmrec_ids *done;
};

static void reader_open(struct reader *rd, const char *path)
{
	rd->r = lmrec_tsv_open(path);
	rd->cu = lmrec_tsv_col(rd->r, "user");
	rd->ci = lmrec_tsv_col(rd->r, "item");
	rd->cs = lmrec_tsv_col(rd->r, "score");
	rd->cc = lmrec_tsv_col(rd->r, "channel");
	rd->cb = lmrec_tsv_col_opt(rd->r, "because");
	rd->cb2 = lmrec_tsv_col_opt(rd->r, "because2");
	rd->ck = lmrec_tsv_col_opt(rd->r, "kind");
	rd->cx = rd->explain ? lmrec_tsv_col_opt(rd->r, "contrib") : -1;
	if (rd->explain && rd->cx < 0)
		lmrec_warn("%s has no column 'contrib' (lmrec-recall --contributions): the "
			   "explanations name no history items",
			   lmrec_display_name(path));
	rd->pending = lmrec_tsv_read(rd->r);
}

/* The contrib field of the row just pushed: its entries into u. */
static void read_contrib(struct reader *rd, struct catalog *c, struct user_cands *u)
{
	struct lmrec_tsv *r = rd->r;
	struct lmrec_field f = r->f[rd->cx];
	size_t n;
	const char *why;
	if (lmrec_explain_parse_contrib(f.p, f.len, &rd->ent, &n, &rd->ecap, &why) != 0)
		lmrec_tsv_die(r, (size_t)rd->cx, "%s", why);
	if (u->ne + n > u->ecap) {
		size_t cap = u->ecap ? u->ecap : 256;
		while (cap < u->ne + n)
			cap *= 2;
		u->eitem = lmrec_xreallocarray(u->eitem, cap, sizeof *u->eitem);
		u->evalue = lmrec_xreallocarray(u->evalue, cap, sizeof *u->evalue);
		u->ecap = cap;
	}
	for (size_t e = 0; e < n; e++) {
		LMREC_GROW(rd->idbuf, rd->idcap, 2 * rd->ent[e].idlen + 1);
		long len = lmrec_explain_decode(rd->idbuf, rd->ent[e].id, rd->ent[e].idlen);
		if (len < 0)
			lmrec_tsv_die(r, (size_t)rd->cx, "'%.*s' is not a percent-encoded id",
				      (int)(rd->ent[e].idlen > 40 ? 40 : rd->ent[e].idlen), rd->ent[e].id);
		u->eitem[u->ne] = item_index(c, rd->idbuf, (size_t)len);
		u->evalue[u->ne++] = rd->ent[e].value;
	}
	u->nent[u->n - 1] = n;
}

/* Reads the next user's rows into u; 0 at the end. */
static int next_user(struct reader *rd, struct catalog *c, struct user_cands *u)
{
	if (!rd->pending)
		return 0;
	struct lmrec_tsv *r = rd->r;
	struct lmrec_field uf = r->f[rd->cu];
	if (uf.len == 0)
		lmrec_tsv_die(r, rd->cu, "empty id");
	if (lmrec_ids_find(rd->done, uf.p, uf.len) >= 0)
		lmrec_tsv_die(r, rd->cu, "user '%.*s' appears again: candidates must be grouped by user "
				    "(lmrec-recall writes them so)",
			      (int)(uf.len > 40 ? 40 : uf.len), uf.p);
	lmrec_ids_intern(rd->done, uf.p, uf.len);
	free(u->user);
	u->user = lmrec_xstrndup(uf.p, uf.len);
	u->ulen = uf.len;
	u->n = 0;
	u->ne = 0;
	do {
		struct lmrec_field it = r->f[rd->ci], ch = r->f[rd->cc];
		if (it.len == 0)
			lmrec_tsv_die(r, rd->ci, "empty id");
		float s = lmrec_tsv_f32(r, rd->cs);
		uint32_t item = item_index(c, it.p, it.len);
		uint32_t chan = lmrec_ids_intern(c->channels, ch.p, ch.len);
		if (rd->ck >= 0) { /* the channel's kind: content channels explain otherwise */
			struct lmrec_field k = r->f[rd->ck];
			int content = CHANNEL_BEHAVIOUR;
			if ((k.len == 8 && memcmp(k.p, "semantic", 8) == 0) || (k.len == 5 && memcmp(k.p, "align", 5) == 0))
				content = CHANNEL_CONTENT;
			else if (k.len == 6 && memcmp(k.p, "sasrec", 6) == 0)
				content = CHANNEL_SEQUENCE;
			else if (k.len == 11 && memcmp(k.p, "crossdomain", 11) == 0)
				content = CHANNEL_CROSSDOMAIN;
			if (chan >= c->content_cap) {
				size_t old = c->content_cap, cap = old ? old * 2 : 16;
				while (cap <= chan)
					cap *= 2;
				c->content = lmrec_xreallocarray(c->content, cap, 1);
				memset(c->content + old, 0, cap - old);
				c->content_cap = cap;
			}
			c->content[chan] = (unsigned char)content;
		}
		int64_t b1 = -1, b2 = -1;
		if (rd->cb >= 0 && r->f[rd->cb].len)
			b1 = item_index(c, r->f[rd->cb].p, r->f[rd->cb].len);
		if (rd->cb2 >= 0 && r->f[rd->cb2].len)
			b2 = item_index(c, r->f[rd->cb2].p, r->f[rd->cb2].len);
		uc_push(u, item, chan, s, b1, b2);
		if (rd->cx >= 0)
			read_contrib(rd, c, u);
		rd->pending = lmrec_tsv_read(r);
	} while (rd->pending && r->f[rd->cu].len == u->ulen && memcmp(r->f[rd->cu].p, u->user, u->ulen) == 0);
	return 1;
}

static void uc_free(struct user_cands *u)
{
	free(u->user);
	free(u->item);
	free(u->channel);
	free(u->score);
	free(u->because);
	free(u->because2);
	free(u->ent);
	free(u->nent);
	free(u->eitem);
	free(u->evalue);
}

static void load_weights(struct catalog *c, const char *path, double **w, size_t *nw)
{
	struct lmrec_tsv *r = lmrec_tsv_open(path);
	size_t cc = lmrec_tsv_col(r, "channel"), cw = lmrec_tsv_col(r, "weight");
	while (lmrec_tsv_read(r)) {
		uint32_t ch = lmrec_ids_intern(c->channels, r->f[cc].p, r->f[cc].len);
		double v = lmrec_tsv_f64(r, cw);
		if (ch >= *nw) {
			*w = lmrec_xreallocarray(*w, (size_t)ch + 1, sizeof **w);
			for (size_t j = *nw; j <= ch; j++)
				(*w)[j] = 1.0;
			*nw = (size_t)ch + 1;
		}
		(*w)[ch] = v;
	}
	lmrec_tsv_close(r);
}

static void grow_weights(double **w, size_t *nw, size_t n)
{
	if (n <= *nw)
		return;
	*w = lmrec_xreallocarray(*w, n, sizeof **w);
	for (size_t j = *nw; j < n; j++)
		(*w)[j] = 1.0; /* a channel without a weight counts 1 */
	*nw = n;
}

static int run(const struct opts *o, char *const *files, size_t nfiles)
{
	struct catalog cat;
	memset(&cat, 0, sizeof cat);
	cat.items = lmrec_ids_new();
	cat.domains = lmrec_ids_new();
	cat.channels = lmrec_ids_new();
	if (o->items)
		load_items(&cat, o->items, o->explain, o->value_attr);
	if (o->exclude)
		load_exclude(&cat, o->exclude);
	if (o->vectors)
		load_vectors(&cat, o->vectors);
	/* --profiles: the preferences over the catalog; the blocked items join
	 * the per-user deny-list (as --exclude with a user column) */
	struct lmrec_catalog pcat;
	struct lmrec_prefs prefs;
	memset(&pcat, 0, sizeof pcat);
	memset(&prefs, 0, sizeof prefs);
	if (o->profiles) {
		lmrec_catalog_load(&pcat, o->items);
		lmrec_prefs_init(&prefs, &pcat);
		lmrec_prefs_load(&prefs, o->profiles);
		char *key = NULL;
		size_t keycap = 0;
		for (size_t k = 0; k < lmrec_ids_count(prefs.users); k++) {
			size_t ul, il;
			const char *us = lmrec_ids_str(prefs.users, (uint32_t)k, &ul);
			for (size_t b = 0; b < prefs.u[k].nb; b++) {
				const char *is = lmrec_ids_str(prefs.items, prefs.u[k].blocked[b], &il);
				LMREC_GROW(key, keycap, ul + 1 + il);
				memcpy(key, us, ul);
				key[ul] = '\t';
				memcpy(key + ul + 1, is, il);
				if (!cat.denied)
					cat.denied = lmrec_ids_new();
				lmrec_ids_intern(cat.denied, key, ul + 1 + il);
			}
		}
		free(key);
	}
	double *w = NULL;
	size_t nw = 0;
	if (o->weights)
		load_weights(&cat, o->weights, &w, &nw);
	struct history hist;
	memset(&hist, 0, sizeof hist);
	if (o->history)
		load_history(&hist, &cat, o->history, o->fold_set);
	struct lmrec_genres genres, dgenres;
	memset(&genres, 0, sizeof genres);
	memset(&dgenres, 0, sizeof dgenres);
	/* --objectives-out scores calibration and discovery when it can */
	int scoring = o->objectives_out && o->history && o->items;
	if (o->calibrating || o->discovering || scoring) {
		/* every item of --items is in the dictionary already */
		struct lmrec_catalog cl;
		lmrec_catalog_load(&cl, o->items);
		if (o->calibrating || scoring)
			lmrec_genres_from_catalog(&genres, &cl, o->calib_attr, cat.items);
		if (o->discovering || scoring)
			lmrec_genres_from_catalog(&dgenres, &cl, o->discovery_attr, cat.items);
		lmrec_catalog_free(&cl);
		if (o->discovering && !lmrec_genres_count_items(&dgenres)) {
			if (o->discovery_attr)
				lmrec_warn("no item of %s has the attribute '%s': --discovery changes nothing",
					   lmrec_display_name(o->items), o->discovery_attr);
			else
				lmrec_warn("no item of %s has a category: --discovery changes nothing",
					   lmrec_display_name(o->items));
		}
	}
	if (o->calibrating) {
		if (!lmrec_genres_count_items(&genres)) {
			if (o->calib_attr)
				lmrec_warn("no item of %s has the attribute '%s': --calibrate changes nothing",
					   lmrec_display_name(o->items), o->calib_attr);
			else
				lmrec_warn("no item of %s has a category: --calibrate changes nothing",
					   lmrec_display_name(o->items));
		}
	}

	static char *const stdin_only[] = {"-"};
	if (nfiles == 0) {
		files = stdin_only;
		nfiles = 1;
	}
	struct ranker rk;
	memset(&rk, 0, sizeof rk);
	rk.o = o;
	rk.cat = &cat;
	rk.hist = &hist;
	if (o->profiles) {
		rk.prefs = &prefs;
		rk.pcat = &pcat;
	}
	if (o->calibrating || scoring) {
		lmrec_calib_init(&rk.cal, &genres, LMREC_CALIB_ALPHA);
		rk.has_cal = 1;
	}
	if (o->discovering || scoring) {
		lmrec_novelty_init(&rk.nov, &dgenres);
		rk.has_nov = 1;
	}
	if (o->objectives_out) {
		rk.oout = lmrec_out_open(o->objectives_out);
		lmrec_out_str(rk.oout, "user\trelevance\tdiversity\tdiscovery\tvalue\tcalibration\n");
	}

	if (o->learn) {
		/* all users in memory, the weights learned, then ranked */
		struct learn_set ls;
		memset(&ls, 0, sizeof ls);
		size_t lcap = 0;
		struct reader rd;
		memset(&rd, 0, sizeof rd);
		rd.done = lmrec_ids_new();
		rd.explain = o->explain;
		for (size_t f = 0; f < nfiles; f++) {
			reader_open(&rd, files[f]);
			for (;;) {
				LMREC_GROW(ls.users, lcap, ls.n + 1);
				memset(&ls.users[ls.n], 0, sizeof ls.users[ls.n]);
				if (!next_user(&rd, &cat, &ls.users[ls.n]))
					break;
				ls.n++;
			}
			uc_free(&ls.users[ls.n]);
			lmrec_tsv_close(rd.r);
		}
		struct lmrec_inter truth;
		struct lmrec_ids *tu = lmrec_ids_new();
		lmrec_inter_init(&truth, tu, cat.items);
		char *tf[1] = {(char *)o->learn};
		lmrec_inter_load(&truth, tf, 1, LMREC_INTER_NO_TS);
		catalog_grow(&cat);
		ls.truth = lmrec_xcalloc(ls.n + 1, sizeof *ls.truth);
		ls.ntruth = lmrec_xcalloc(ls.n + 1, sizeof *ls.ntruth);
		/* truth rows per user: the valid fold when there are folds (never
		 * the test fold: the weights must not see what they are judged on) */
		for (size_t r = 0; r < truth.n; r++) {
			if (truth.has_fold && truth.fold_of[r] != LMREC_FOLD_VALID)
				continue;
			size_t len;
			const char *s = lmrec_ids_str(tu, truth.user[r], &len);
			int64_t u = lmrec_ids_find(rd.done, s, len);
			if (u < 0)
				continue;
			ls.truth[u] = lmrec_xreallocarray(ls.truth[u], ls.ntruth[u] + 1, sizeof **ls.truth);
			ls.truth[u][ls.ntruth[u]++] = truth.item[r];
		}
		for (size_t u = 0; u < ls.n; u++) { /* sort, dedupe */
			uint32_t *t = ls.truth[u];
			size_t n = ls.ntruth[u], m = 0;
			for (size_t i = 1; i < n; i++) {
				uint32_t x = t[i];
				size_t j = i;
				while (j > 0 && t[j - 1] > x) {
					t[j] = t[j - 1];
					j--;
				}
				t[j] = x;
			}
			for (size_t i = 0; i < n; i++)
				if (m == 0 || t[m - 1] != t[i])
					t[m++] = t[i];
			ls.ntruth[u] = m;
		}
		grow_weights(&w, &nw, lmrec_ids_count(cat.channels));
		rk.fmin = lmrec_xcalloc(nw + 1, sizeof *rk.fmin);
		rk.fmax = lmrec_xcalloc(nw + 1, sizeof *rk.fmax);
		ls.feat = lmrec_xcalloc(ls.n + 1, sizeof *ls.feat);
		for (size_t u = 0; u < ls.n; u++) {
			ls.feat[u] = lmrec_xcalloc(ls.users[u].n + 1, sizeof **ls.feat);
			features(&ls.users[u], nw, o->norm, rk.fmin, rk.fmax, ls.feat[u], &rk.keys, &rk.kcap);
		}
		learn_weights(&ls, w, nw, o->learn_k, cat.items, o->quiet);
		rk.w = w;
		rk.nch = nw;
		struct lmrec_out *out = lmrec_out_open(o->output);
		lmrec_out_str(out, o->explain ? "user\trank\titem\tscore\treason\texplain\n"
					      : "user\trank\titem\tscore\treason\n");
		/* users in input order, as without --learn */
		for (size_t k = 0; k < ls.n; k++)
			rank_user(&rk, &ls.users[k], out);
		lmrec_out_commit(out);
		for (size_t u = 0; u < ls.n; u++) {
			uc_free(&ls.users[u]);
			free(ls.truth[u]);
			free(ls.feat[u]);
		}
		free(ls.feat);
		free(ls.users);
		free(ls.truth);
		free(ls.ntruth);
		lmrec_inter_free(&truth);
		lmrec_ids_free(tu);
		lmrec_ids_free(rd.done);
		free(rd.ent);
		free(rd.idbuf);
	} else {
		struct lmrec_out *out = lmrec_out_open(o->output);
		lmrec_out_str(out, o->explain ? "user\trank\titem\tscore\treason\texplain\n"
					      : "user\trank\titem\tscore\treason\n");
		struct reader rd;
		memset(&rd, 0, sizeof rd);
		rd.done = lmrec_ids_new();
		rd.explain = o->explain;
		struct user_cands u;
		memset(&u, 0, sizeof u);
		for (size_t f = 0; f < nfiles; f++) {
			reader_open(&rd, files[f]);
			while (next_user(&rd, &cat, &u)) {
				grow_weights(&w, &nw, lmrec_ids_count(cat.channels));
				if (rk.nch < nw) {
					rk.fmin = lmrec_xreallocarray(rk.fmin, nw, sizeof *rk.fmin);
					rk.fmax = lmrec_xreallocarray(rk.fmax, nw, sizeof *rk.fmax);
				}
				rk.w = w;
				rk.nch = nw;
				rank_user(&rk, &u, out);
			}
			lmrec_tsv_close(rd.r);
		}
		lmrec_out_commit(out);
		uc_free(&u);
		lmrec_ids_free(rd.done);
		free(rd.ent);
		free(rd.idbuf);
	}
	if (o->save_weights) {
		struct lmrec_out *wo = lmrec_out_open(o->save_weights);
		lmrec_out_str(wo, "channel\tweight\n");
		uint32_t *order = lmrec_ids_sorted(cat.channels);
		for (size_t k = 0; k < lmrec_ids_count(cat.channels); k++) {
			size_t len;
			const char *s = lmrec_ids_str(cat.channels, order[k], &len);
			lmrec_out_write(wo, s, len);
			lmrec_out_tab(wo);
			lmrec_out_printf(wo, "%.9g", order[k] < nw ? w[order[k]] : 1.0);
			lmrec_out_eol(wo);
		}
		free(order);
		lmrec_out_commit(wo);
	}
	if (rk.oout)
		lmrec_out_commit(rk.oout);
	if (!o->quiet && o->profiles)
		fprintf(stderr, "%s: %zu users, %zu recommendations, %zu boosted by the profiles\n", lmrec_progname(),
			rk.users, rk.rows, rk.boosted);
	else if (!o->quiet)
		fprintf(stderr, "%s: %zu users, %zu recommendations\n", lmrec_progname(), rk.users, rk.rows);
	if (rk.oout && !o->quiet) {
		static const char *const names[] = {"relevance", "diversity", "discovery", "value", "calibration"};
		fprintf(stderr, "%s: objectives, means over the lists:", lmrec_progname());
		for (size_t k = 0; k < 5; k++)
			if (rk.on[k])
				fprintf(stderr, " %s %.6f", names[k], rk.osum[k] / (double)rk.on[k]);
			else
				fprintf(stderr, " %s -", names[k]);
		fputc('\n', stderr);
	}
	free(rk.buf);
	free(rk.dkey);
	free(rk.pfbuf);
	if (o->profiles) {
		lmrec_prefs_free(&prefs);
		lmrec_catalog_free(&pcat);
	}
	free(rk.slot);
	free(rk.stamp);
	free(rk.feat);
	free(rk.fmin);
	free(rk.fmax);
	free(rk.keys);
	free(rk.cat_count);
	lmrec_calib_free(&rk.cal);
	free(rk.parts);
	free(rk.prow);
	free(rk.shares);
	free(rk.others);
	free(rk.oshare);
	free(rk.xat);
	lmrec_genres_free(&genres);
	lmrec_genres_free(&dgenres);
	lmrec_novelty_free(&rk.nov);
	free(rk.oscore);
	free(cat.value);
	free(cat.has_value);
	free(cat.released);
	free_history(&hist);
	for (size_t i = 0; i < cat.cap; i++) {
		free(cat.title[i]);
		free(cat.attrs[i]);
		free(cat.xattrs[i]);
	}
	free(cat.title);
	free(cat.attrs);
	free(cat.xattrs);
	free(cat.content);
	free(cat.category);
	free(cat.domain);
	lmrec_ids_free(cat.domains);
	free(cat.banned);
	lmrec_ids_free(cat.denied);
	free(cat.vec);
	free(cat.has_vec);
	free(w);
	lmrec_ids_free(cat.items);
	lmrec_ids_free(cat.channels);
	return 0;
}

int main(int argc, char **argv)
{
	lmrec_setprogname(argv[0]);
	struct opts o = {.profile_weight = 0.2, .new_days = 3, .top = 10, .pool = 200, .mmr = 1.0, .learn_k = 10, .verb = "liked", .norm = NORM_RANK};
	o.fold_set = lmrec_folds_parse("--folds", "train,valid");
	int c;
	while ((c = getopt_long(argc, argv, "n:o:qhV", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_WEIGHTS: o.weights = optarg; break;           /* --weights */
		case OPT_LEARN: o.learn = optarg; break;               /* --learn */
		case OPT_LEARN_K: o.learn_k = (size_t)lmrec_opt_u64("--learn-k", optarg, 1, 10000); break; /* --learn-k */
		case OPT_SAVE_WEIGHTS: o.save_weights = optarg; break; /* --save-weights */
		case OPT_MMR: o.mmr = lmrec_opt_double("--mmr", optarg, 0, 1); break; /* --mmr */
		case OPT_ITEMS: o.items = optarg; break;     /* --items */
		case OPT_VECTORS: o.vectors = optarg; break; /* --vectors */
		case OPT_EXCLUDE: o.exclude = optarg; break; /* --exclude */
		case OPT_CATEGORY_CAP: /* --category-cap */
			o.cat_cap = (size_t)lmrec_opt_u64("--category-cap", optarg, 1, 1000000);
			break;
		case OPT_POOL: o.pool = (size_t)lmrec_opt_u64("--pool", optarg, 1, 10000000); break; /* --pool */
		case OPT_VERB: o.verb = optarg; break; /* --verb */
		case OPT_NORMALIZE: /* --normalize */
			if (strcmp(optarg, "minmax") == 0)
				o.norm = NORM_MINMAX;
			else if (strcmp(optarg, "rank") == 0)
				o.norm = NORM_RANK;
			else
				lmrec_usage_error("invalid value for --normalize: '%s' (expected minmax or rank)",
						  optarg);
			break;
		case OPT_HISTORY: o.history = optarg; break; /* --history */
		case OPT_FOLDS: o.fold_set = lmrec_folds_parse("--folds", optarg); break; /* --folds */
		case OPT_CALIBRATE: /* --calibrate */
			o.calibrate = lmrec_opt_double("--calibrate", optarg, 0, 1);
			o.calibrating = 1;
			break;
		case OPT_CALIBRATE_ATTR: o.calib_attr = optarg; break; /* --calibrate-attr */
		case OPT_POP_PENALTY: /* --pop-penalty */
			o.pop_penalty = lmrec_opt_double("--pop-penalty", optarg, 0, 1000);
			o.penalising = 1;
			break;
		case OPT_EXPLAIN: { /* --explain */
			static const char *const modes[] = {"reason", "full"};
			o.explain = (int)lmrec_opt_choice("--explain", optarg, modes, 2);
			break;
		}
		case OPT_DISCOVERY: /* --discovery */
			o.discovery = lmrec_opt_double("--discovery", optarg, 0, 1000);
			o.discovering = 1;
			break;
		case OPT_DISCOVERY_ATTR: o.discovery_attr = optarg; break; /* --discovery-attr */
		case OPT_VALUE: /* --value */
			o.value = lmrec_opt_double("--value", optarg, 0, 1000);
			o.valuing = 1;
			break;
		case OPT_VALUE_ATTR: o.value_attr = optarg; break;         /* --value-attr */
		case OPT_EXPLORE: o.explore = lmrec_opt_double("--explore", optarg, 0, 1); break; /* --explore */
		case OPT_NEW_DAYS: o.new_days = lmrec_opt_i64("--new-days", optarg, 1, 36500); break;
		case OPT_NOW: /* --now */
			if (lmrec_parse_i64(optarg, strlen(optarg), &o.now) != 0) {
				if (lmrec_datetime_parse("%Y-%m-%d", optarg, strlen(optarg), &o.now) != 0)
					lmrec_usage_error("--now: '%s' is neither seconds nor YYYY-MM-DD", optarg);
				o.now += 86399;
			}
			o.have_now = 1;
			break;
		case OPT_OBJECTIVES_OUT: o.objectives_out = optarg; break; /* --objectives-out */
		case OPT_PROFILES: o.profiles = optarg; break;             /* --profiles */
		case OPT_PROFILE_WEIGHT: /* --profile-weight */
			o.profile_weight = lmrec_opt_double("--profile-weight", optarg, 0, 1e6);
			o.weighting_profile = 1;
			break;
		case 'n': o.top = (size_t)lmrec_opt_u64("--top", optarg, 1, 1000000); break; /* --top */
		case 'o': o.output = optarg; break; /* --output */
		case 'q': o.quiet = 1; break;       /* --quiet */
		case 'h': usage(0); break;          /* --help */
		case 'V': lmrec_print_version(); lmrec_close_stdout(); return 0; /* --version */
		default: usage(LMREC_EXIT_USAGE);
		}
	}
	if (o.weights && o.learn)
		lmrec_usage_error("--weights and --learn exclude each other");
	if (o.calibrating && !(o.history && o.items))
		lmrec_usage_error("--calibrate needs --history and --items");
	if (o.penalising && !o.history)
		lmrec_usage_error("--pop-penalty needs --history");
	if (o.calib_attr && !o.calibrating && !o.objectives_out)
		lmrec_usage_error("--calibrate-attr goes with --calibrate or --objectives-out");
	if (o.discovering && !(o.history && o.items))
		lmrec_usage_error("--discovery needs --history and --items");
	if (o.discovery_attr && !o.discovering && !o.objectives_out)
		lmrec_usage_error("--discovery-attr goes with --discovery or --objectives-out");
	if (o.valuing && !o.value_attr)
		lmrec_usage_error("--value needs --value-attr");
	if (o.value_attr && !o.items)
		lmrec_usage_error("--value-attr needs --items");
	if (o.value_attr && !o.valuing && !o.objectives_out)
		lmrec_usage_error("--value-attr goes with --value or --objectives-out");
	if (o.objectives_out) {
		int o_std = strcmp(o.objectives_out, "-") == 0;
		int r_std = !o.output || strcmp(o.output, "-") == 0;
		if ((o_std && r_std) || (!o_std && !r_std && strcmp(o.objectives_out, o.output) == 0))
			lmrec_usage_error("--objectives-out and the recommendations go to the same place");
	}
	if (o.profiles && !o.items)
		lmrec_usage_error("--profiles needs --items");
	if (o.weighting_profile && !o.profiles)
		lmrec_usage_error("--profile-weight goes with --profiles");
	if (o.explore > 0 && !(o.items && o.have_now))
		lmrec_usage_error("--explore needs --items and --now");
	if (o.pool < o.top)
		o.pool = o.top;
	int rc = run(&o, argv + optind, (size_t)(argc - optind));
	lmrec_close_stdout();
	return rc;
}

/* lmrec-generate — generative recommendation: a bundle, a playlist or an
 * itinerary composed for each user item by item, with a short summary. */
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "catalog.h"
#include "compose.h"
#include "itemsim.h"
#include "llm.h"
#include "lmrec.h"
#include "mat.h"
#include "recmodel.h"
#include "slots.h"
#include "slotvocab.h"
#include "summary.h"

enum kind { KIND_BUNDLE, KIND_PLAYLIST, KIND_ITINERARY };
static const char *const kind_names[] = {"bundle", "playlist", "itinerary"};

/* The terms of an item's gain, in the order of --weights. */
enum term { T_REL, T_COH, T_RECENT, T_SEQ, T_REQUEST, T_TREND, NTERMS };
static const char *const term_names[NTERMS] = {"rel", "coh", "recent", "seq", "request", "trend"};

/* "category" in --max-per and --same: the item's category, not an attribute. */
#define KEY_CATEGORY (-2)

struct model {
	char *name;
	const char *path;
	struct lmrec_recmodel *m;
	int weighted;       /* trained with --use-weights */
	int64_t *to_model;  /* (all items) index in the model, or -1 */
	struct lmrec_scorer *sc;
	float *scores;      /* (beam, ni) */
};

struct maxper {
	char *key;
	size_t limit; /* 0: no limit (removes a default) */
};

struct opts {
	int kind; /* enum kind, -1 until given */
	const char *items, *history, *seed_item, *request, *output, *llm_cmd, *same;
	unsigned fold_set;
	struct model *mod;
	size_t nmod, modcap;
	size_t length, beam, pool, recent, trend_days;
	double budget;
	struct maxper *maxper;
	size_t nmaxper, mpcap;
	double w[NTERMS];
	double explore, content;
	uint64_t seed;
	long llm_timeout;
	int keep_seen, quiet;
};

static void usage(int status)
{
	if (status != 0) {
		fprintf(stderr, "Try '%s --help' for more information.\n", lmrec_progname());
		exit(status);
	}
	printf("Usage: %s --kind KIND --items FILE -m [NAME=]MODEL... [OPTION]... [REQUESTS]...\n",
	       lmrec_progname());
	fputs("Compose a bundle, a playlist or an itinerary for each user, item by item.\n"
	      "\n"
	      "Reads requests (column user; seed_item and request when present) from the\n"
	      "FILEs (none or '-': standard input), e.g. users.tsv, and writes for each a\n"
	      "list: user list rank item score reason summary, the summary on rank 1.\n"
	      "\n"
	      "What:\n"
	      "      --kind KIND          bundle (shop: one item per category), playlist\n"
	      "                           (video) or itinerary (places and meals of one\n"
	      "                           town, alternating)\n"
	      "      --items FILE         the catalog (required)\n"
	      "  -m, --model-file [NAME=]FILE  a model from lmrec-train (repeatable):\n"
	      "                           relevance, pairs of items, the sequence (sasrec)\n"
	      "      --history FILE       the users' interactions (user item ts): what\n"
	      "                           they have seen, their recent items, their sequence\n"
	      "      --folds LIST         with a fold column in --history, its rows of\n"
	      "                           these folds (default train,valid; 'all')\n"
	      "      --seed-item ITEM     build every list around ITEM: its first item, or\n"
	      "                           its context (a column seed_item: per request)\n"
	      "      --request TEXT       what the user asks for, read as lmrec-chat reads\n"
	      "                           it; what it does not want is never listed (a\n"
	      "                           column request sets it per request)\n"
	      "\n"
	      "Constraints (hard):\n"
	      "  -n, --length N           items a list (bundle 4, playlist 10, itinerary 4)\n"
	      "      --budget B           the items' costs sum to at most B\n"
	      "      --max-per KEY=N      at most N items share a value of KEY (category or\n"
	      "                           an attribute key; repeatable; N 0 lifts a default)\n"
	      "      --same KEY           every item has the same value of KEY (itinerary:\n"
	      "                           town; 'none' lifts it)\n"
	      "      --keep-seen          allow items the user has interacted with\n"
	      "\n"
	      "Search:\n"
	      "      --beam W             lists kept at each step (default 8; 1: greedy)\n"
	      "      --pool N             candidates of each category (default 20)\n"
	      "      --weights T=W,...    weights of the terms: rel (the models), coh (the\n"
	      "                           items before it), recent (the user's last items),\n"
	      "                           seq (sasrec), request, trend (the item's users in\n"
	      "                           the history's last days) (default rel=1,coh=0.25,\n"
	      "                           recent=2,seq=1,request=1,trend=1.5)\n"
	      "      --content C          the share of shared attributes in the similarity\n"
	      "                           of two items, the rest the models' (default 0.25)\n"
	      "      --recent N           the user's last N items of the kind's domains\n"
	      "                           (default 3)\n"
	      "      --trend-days D       the trend term's window: the last D days of\n"
	      "                           --history (default 7; 0: no trend)\n"
	      "      --explore T          seeded Gumbel noise of scale T on the gains\n"
	      "                           (default 0: none)\n"
	      "  -s, --seed N             the seed of --explore (default 1)\n"
	      "\n"
	      "Summary:\n"
	      "      --llm-cmd CMD        an external language model writes the summaries\n"
	      "      --llm-timeout MS     its time for one answer (default 10000)\n"
	      "\n"
	      "Other:\n"
	      "  -o, --output FILE        write to FILE (default: standard output)\n"
	      "  -q, --quiet              no summary on standard error\n"
	      "  -h, --help               show this help and exit\n"
	      "  -V, --version            show the version and exit\n"
	      "\n"
	      "Examples:\n"
	      "  lmrec-generate --kind bundle --items items.tsv -m itemknn.lmrc users.tsv\n"
	      "  lmrec-generate --kind itinerary --items items.tsv -m ease.lmrc \\\n"
	      "      --history train.tsv --request 'rainy day in caldor' users.tsv\n"
	      "\n"
	      "See lmrec-generate(1).\n",
	      stdout);
	exit(0);
}

enum {
	OPT_KIND = CHAR_MAX + 1,
	OPT_ITEMS,
	OPT_HISTORY,
	OPT_FOLDS,
	OPT_SEED_ITEM,
	OPT_REQUEST,
	OPT_BUDGET,
	OPT_MAX_PER,
	OPT_SAME,
	OPT_KEEP_SEEN,
	OPT_BEAM,
	OPT_POOL,
	OPT_WEIGHTS,
	OPT_RECENT,
	OPT_TREND_DAYS,
	OPT_EXPLORE,
	OPT_CONTENT,
	OPT_LLM_CMD,
	OPT_LLM_TIMEOUT
};

static const struct option long_options[] = {
	{"kind", required_argument, NULL, OPT_KIND},
	{"items", required_argument, NULL, OPT_ITEMS},
	{"model-file", required_argument, NULL, 'm'},
	{"history", required_argument, NULL, OPT_HISTORY},
	{"folds", required_argument, NULL, OPT_FOLDS},
	{"seed-item", required_argument, NULL, OPT_SEED_ITEM},
	{"request", required_argument, NULL, OPT_REQUEST},
	{"length", required_argument, NULL, 'n'},
	{"budget", required_argument, NULL, OPT_BUDGET},
	{"max-per", required_argument, NULL, OPT_MAX_PER},
	{"same", required_argument, NULL, OPT_SAME},
	{"keep-seen", no_argument, NULL, OPT_KEEP_SEEN},
	{"beam", required_argument, NULL, OPT_BEAM},
	{"pool", required_argument, NULL, OPT_POOL},
	{"weights", required_argument, NULL, OPT_WEIGHTS},
	{"recent", required_argument, NULL, OPT_RECENT},
	{"trend-days", required_argument, NULL, OPT_TREND_DAYS},
	{"explore", required_argument, NULL, OPT_EXPLORE},
	{"content", required_argument, NULL, OPT_CONTENT},
	{"seed", required_argument, NULL, 's'},
	{"llm-cmd", required_argument, NULL, OPT_LLM_CMD},
	{"llm-timeout", required_argument, NULL, OPT_LLM_TIMEOUT},
	{"output", required_argument, NULL, 'o'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

/* ---- the world: catalog, models, histories ---- */

/* A constraint counter's key: the --max-per rule and the value. */
struct counter_key {
	uint32_t rule, value;
};

struct world {
	const struct opts *o;
	struct lmrec_catalog cat;
	struct lmrec_summarizer *sum;
	struct lmrec_itemsim *sim;  /* the similarity S of two items */
	struct lmrec_ids *all;     /* catalog items first (same indices), then others met */
	double *cost;              /* (catalog) */
	int32_t *cls;              /* (catalog) the item's class in the kind, -1: not of the kind */
	unsigned char *in_domains; /* (catalog) 1: of one of the kind's domains */
	int64_t same_key;          /* --same: KEY_CATEGORY, a key index, or -1 (none) */
	int64_t *rule_key;         /* (nmaxper) KEY_CATEGORY, a key index, or -1 (no item has it) */
	size_t *rule_limit;
	size_t nrules;
	struct lmrec_ids *counters; /* struct counter_key */
	uint32_t *limit;
	size_t limcap;
	/* --history, grouped by user, in time order */
	struct lmrec_ids *husers;
	size_t *hstart;
	uint32_t *hitem;           /* all-item indices */
	float *hweight;
	/* the trend term: users of each catalog item in the last --trend-days
	 * of --history, and its rank feature among the items of the kind */
	uint32_t *trend_users;     /* (catalog) */
	double *trend;             /* (catalog) */
	int seq_models;            /* sasrec models given */
	struct lmrec_slotvocab *vocab; /* the words of requests, built at the first */
};

/* The value of KEY (KEY_CATEGORY or a key index) that item i has, or -1. */
static int64_t key_value(const struct world *w, int64_t key, uint32_t i)
{
	if (key == KEY_CATEGORY)
		return w->cat.category[i];
	return key >= 0 ? lmrec_catalog_value(&w->cat, i, (uint32_t)key) : -1;
}

static int64_t find_key(const struct lmrec_catalog *c, const char *name)
{
	if (strcmp(name, "category") == 0)
		return KEY_CATEGORY;
	return lmrec_ids_find(c->keys, name, strlen(name));
}

static int is_domain(const struct lmrec_catalog *c, uint32_t i, const char *name)
{
	if (c->domain[i] < 0)
		return 0;
	size_t len;
	const char *s = lmrec_ids_str(c->domains, (uint32_t)c->domain[i], &len);
	return len == strlen(name) && memcmp(s, name, len) == 0;
}

/* An item's cost: its first price or cost attribute, a number as it is,
 * free 0, low 1, mid 2, high 3, anything else 0. */
static double item_cost(const struct lmrec_catalog *c, uint32_t i)
{
	for (uint64_t p = c->aptr[i]; p < c->aptr[i + 1]; p++) {
		size_t kl, vl;
		const char *k = lmrec_ids_str(c->keys, c->akey[p], &kl);
		if (!((kl == 5 && memcmp(k, "price", 5) == 0) || (kl == 4 && memcmp(k, "cost", 4) == 0)))
			continue;
		const char *v = lmrec_ids_str(c->values, c->aval[p], &vl);
		double num;
		if (lmrec_parse_double(v, vl, &num) == 0)
			return num < 0 ? 0 : num;
		static const char *const bands[] = {"free", "low", "mid", "high"};
		for (size_t b = 0; b < 4; b++)
			if (vl == strlen(bands[b]) && memcmp(v, bands[b], vl) == 0)
				return (double)b;
		return 0;
	}
	return 0;
}

/* The class of item i in the kind: 0 for an item of it (itineraries: 0 a
 * place, 1 a meal, i.e. a food venue: no restaurant attribute), -1 for an
 * item of another kind. A catalog without a domain column is all one kind. */
static int32_t item_class(const struct world *w, uint32_t i)
{
	const struct lmrec_catalog *c = &w->cat;
	switch (w->o->kind) {
	case KIND_BUNDLE:
		return !c->has_domain || is_domain(c, i, "shop") ? 0 : -1;
	case KIND_PLAYLIST:
		return !c->has_domain || is_domain(c, i, "video") ? 0 : -1;
	default: {
		if (is_domain(c, i, "places"))
			return 0;
		int64_t rk = lmrec_ids_find(c->keys, "restaurant", 10);
		if (is_domain(c, i, "food") && (rk < 0 || !lmrec_catalog_has_key(c, i, (uint32_t)rk)))
			return 1;
		return -1;
	}
	}
}

/* 1 when item i is of one of the kind's domains (bundle: shop; playlist:
 * video; itinerary: places and food, dishes included); every item of a
 * catalog without a domain column. */
static int in_domains(const struct world *w, uint32_t i)
{
	const struct lmrec_catalog *c = &w->cat;
	if (!c->has_domain)
		return 1;
	switch (w->o->kind) {
	case KIND_BUNDLE: return is_domain(c, i, "shop");
	case KIND_PLAYLIST: return is_domain(c, i, "video");
	default: return is_domain(c, i, "places") || is_domain(c, i, "food");
	}
}

static void load_history(struct world *w)
{
	struct lmrec_inter x;
	w->husers = lmrec_ids_new();
	lmrec_inter_init(&x, w->husers, w->all);
	char *files[1] = {(char *)w->o->history};
	lmrec_inter_load(&x, files, 1, 0);
	uint32_t *order;
	size_t *start;
	lmrec_inter_group(&x, &order, &start);
	size_t nu = lmrec_ids_count(w->husers);
	/* the history's last time: the trend's window ends there */
	int64_t last = INT64_MIN;
	for (size_t r = 0; r < x.n; r++)
		if (!(x.has_fold && !lmrec_fold_in(w->o->fold_set, x.fold_of[r])) && x.ts[r] > last)
			last = x.ts[r];
	int64_t span = (int64_t)w->o->trend_days * 86400, from;
	if (w->o->trend_days == 0 || last == INT64_MIN)
		from = INT64_MAX; /* no window, or no row: nothing is in it */
	else
		from = last < INT64_MIN + span ? INT64_MIN : last - span;
	size_t *mark = lmrec_xcalloc(w->cat.n + 1, sizeof *mark);
	w->hstart = lmrec_xcalloc(nu + 1, sizeof *w->hstart);
	w->hitem = lmrec_xcalloc(x.n + 1, sizeof *w->hitem);
	w->hweight = lmrec_xcalloc(x.n + 1, sizeof *w->hweight);
	size_t m = 0;
	for (size_t u = 0; u < nu; u++) {
		w->hstart[u] = m;
		for (size_t p = start[u]; p < start[u + 1]; p++) {
			uint32_t r = order[p];
			if (x.has_fold && !lmrec_fold_in(w->o->fold_set, x.fold_of[r]))
				continue;
			w->hitem[m] = x.item[r];
			w->hweight[m++] = x.weight[r];
			/* a user counts once an item (mark: the last user counted + 1) */
			uint32_t it = x.item[r];
			if (it < w->cat.n && x.ts[r] > from && mark[it] != u + 1) {
				mark[it] = u + 1;
				w->trend_users[it]++;
			}
		}
	}
	w->hstart[nu] = m;
	free(mark);
	free(order);
	free(start);
	lmrec_inter_free(&x);
}

/* ---- one user's state ---- */

/* A user's history: distinct items with their largest weight, and the
 * time line (items in time order, repeats kept), both as all-item indices. */
struct user {
	const char *id;
	size_t idlen;
	uint32_t *seen;
	float *seen_w;
	float *seen_d;          /* 1 for the history's items, 0 for those only a model has */
	size_t nseen, seencap;
	uint32_t *line;
	size_t nline, linecap;
	unsigned char *is_seen; /* (all) */
	uint32_t *recent;       /* the last --recent distinct items, the latest first */
	size_t nrecent, recentcap;
};

static void add_seen(struct user *u, uint32_t i, float wt, float d)
{
	if (u->is_seen[i]) {
		for (size_t k = 0; k < u->nseen; k++)
			if (u->seen[k] == i) {
				u->seen_w[k] = wt > u->seen_w[k] ? wt : u->seen_w[k];
				u->seen_d[k] = d > u->seen_d[k] ? d : u->seen_d[k];
			}
		return;
	}
	u->is_seen[i] = 1;
	if (u->nseen == u->seencap) {
		u->seencap = u->seencap ? 2 * u->seencap : 256;
		u->seen = lmrec_xreallocarray(u->seen, u->seencap, sizeof *u->seen);
		u->seen_w = lmrec_xreallocarray(u->seen_w, u->seencap, sizeof *u->seen_w);
		u->seen_d = lmrec_xreallocarray(u->seen_d, u->seencap, sizeof *u->seen_d);
	}
	u->seen[u->nseen] = i;
	u->seen_d[u->nseen] = d;
	u->seen_w[u->nseen++] = wt;
}

static void add_line(struct user *u, uint32_t i)
{
	LMREC_GROW(u->line, u->linecap, u->nline + 1);
	u->line[u->nline++] = i;
}

/* Fills u with the history of user id: --history's rows, and what every
 * model trained on for them; the time line from --history, else from a
 * sasrec model. */
static void user_load(const struct world *w, struct user *u, const char *id, size_t len)
{
	const struct opts *o = w->o;
	for (size_t k = 0; k < u->nseen; k++)
		u->is_seen[u->seen[k]] = 0;
	u->id = id;
	u->idlen = len;
	u->nseen = u->nline = u->nrecent = 0;
	if (w->husers) {
		int64_t hu = lmrec_ids_find(w->husers, id, len);
		if (hu >= 0)
			for (size_t p = w->hstart[hu]; p < w->hstart[hu + 1]; p++) {
				add_seen(u, w->hitem[p], w->hweight[p], 1.0f);
				add_line(u, w->hitem[p]);
			}
	}
	for (size_t k = 0; k < o->nmod; k++) {
		const struct lmrec_recmodel *m = o->mod[k].m;
		int64_t mu = lmrec_ids_find(m->users, id, len);
		if (mu < 0)
			continue;
		for (uint64_t p = m->seen.ptr[mu]; p < m->seen.ptr[mu + 1]; p++) {
			size_t il;
			const char *is = lmrec_ids_str(m->items, m->seen.idx[p], &il);
			int64_t g = lmrec_ids_find(w->all, is, il);
			if (g >= 0) /* every model item is in w->all */
				add_seen(u, (uint32_t)g, m->seen.val[p], w->husers ? 0.0f : 1.0f);
		}
		if (m->kind == LMREC_KIND_SASREC && !w->husers && u->nline == 0)
			for (uint64_t p = m->seq.ptr[mu]; p < m->seq.ptr[mu + 1]; p++) {
				size_t il;
				const char *is = lmrec_ids_str(m->items, m->seq.item[p], &il);
				add_line(u, (uint32_t)lmrec_ids_find(w->all, is, il));
			}
	}
	/* the recent items: the last distinct ones of the time line */
	LMREC_GROW(u->recent, u->recentcap, o->recent + 1);
	for (size_t p = u->nline; p-- > 0 && u->nrecent < o->recent;) {
		if (u->line[p] >= w->cat.n || !w->in_domains[u->line[p]])
			continue;
		size_t k = 0;
		while (k < u->nrecent && u->recent[k] != u->line[p])
			k++;
		if (k == u->nrecent)
			u->recent[u->nrecent++] = u->line[p];
	}
}

/* ---- a request ---- */

/* A request's slots and the parser's buffers. */
struct job_request {
	struct lmrec_slots slots;
	struct lmrec_slots_scratch sc;
	char *text;   /* (cap) the request decoded */
	size_t cap;
};

/* The slots of a request (text TSV-escaped), read by lmrec-chat's parser
 * (slots.h); the vocabulary is learned from the catalog at the first
 * request that says something. */
static void request_parse(struct world *w, struct job_request *r, const char *text, size_t tlen)
{
	lmrec_slots_clear(&r->slots);
	if (tlen == 0)
		return;
	if (!w->vocab) {
		struct lmrec_slotvocab_params vp;
		lmrec_slotvocab_defaults(&vp);
		w->vocab = lmrec_slotvocab_build(&w->cat, &vp, NULL);
	}
	LMREC_GROW(r->text, r->cap, tlen + 1);
	size_t len = lmrec_tsv_unescape(r->text, text, tlen);
	lmrec_slots_parse(w->vocab, &r->sc, r->text, len, -1, &r->slots);
}

/* How well item i answers the request, in [-1, 1]: for each key asked
 * for, +w when i has one of the values asked, -w when it has the key with
 * other values only, 0 when it lacks the key (w the confidence of the
 * reading: 1 for words read exactly); the categories asked for as one
 * more key; the mean over the keys. */
static double req_match(const struct world *w, const struct job_request *r, uint32_t i)
{
	if (r->slots.n == 0)
		return 0;
	size_t nkeys;
	double s = lmrec_slots_pair_score(w->vocab, &r->slots, i, 1.0, &nkeys), cw = 0;
	int in = 0;
	for (size_t k = 0; k < r->slots.n; k++) {
		const struct lmrec_slot *x = &r->slots.s[k];
		if (x->kind == LMREC_SLOT_CATEGORY && x->pol == LMREC_POL_POS) {
			cw = x->weight > cw ? x->weight : cw;
			in |= w->cat.category[i] == (int32_t)x->id;
		}
	}
	if (cw > 0) { /* the categories asked for: one more key */
		s += in ? cw : w->cat.category[i] >= 0 ? -cw : 0;
		nkeys++;
	}
	return nkeys ? s / (double)nkeys : 0;
}

/* ---- scoring and search ---- */

struct scored {
	float s;
	uint32_t k;
};

/* Everything one list needs, reused from user to user. */
struct job {
	struct world *w;
	struct user u;
	struct job_request req;
	double *rel, *recent, *reqm, *base; /* (catalog) */
	uint32_t *qh, *qs;                  /* a query's history and sequence */
	float *qw;
	size_t qcap;
	/* the candidates of one group */
	uint32_t *elig;                     /* (catalog) eligible items */
	size_t nelig;
	uint32_t *cand;                     /* (catalog) candidate -> catalog item */
	size_t ncand;
	struct lmrec_compose_cand *cc;
	size_t cccap;
	size_t *coff;                       /* (ncand) where each one's counters start */
	size_t coffcap;
	uint32_t *counts;                   /* counter indices of the candidates, back to back */
	size_t countcap;
	float *pair;                        /* (ncand + 1, ncand) */
	size_t paircap;
	struct lmrec_composer *composer;
	/* sequence term scratch */
	struct lmrec_user_query *sq;
	uint32_t *sseq;
	size_t sseqcap;
	float *fs, *ff;                     /* (catalog) scratch of rank_features */
	float *rec;                         /* (recent, eligible) pairs */
	size_t reccap;
	struct scored *sbuf;
	/* the best list so far */
	uint32_t *best;
	double *bgain, *bcoh, *bseq;
	size_t blen;
	double bscore;
	int have_best;
	size_t nprefix;
	int64_t lead;                       /* a seed that is the first item, or -1 */
	int64_t ctx;                        /* a seed that is context only, or -1 */
};

static int cmp_scored(const void *pa, const void *pb)
{
	const struct scored *a = pa, *b = pb;
	if (a->s != b->s)
		return a->s > b->s ? -1 : 1;
	return a->k < b->k ? -1 : a->k > b->k;
}

/* out[k] = 1 / (1 + r / 10), r the number of s[0..n) above s[k] (ties
 * share a place); 0 where s[k] is NaN (the model has no score). */
static void rank_features(const float *s, size_t n, struct scored *buf, float *out)
{
	size_t m = 0;
	for (size_t k = 0; k < n; k++) {
		out[k] = 0;
		if (!isnan(s[k]))
			buf[m++] = (struct scored){s[k], (uint32_t)k};
	}
	qsort(buf, m, sizeof *buf, cmp_scored);
	size_t r = 0;
	for (size_t k = 0; k < m; k++) {
		if (k == 0 || buf[k].s != buf[k - 1].s)
			r = k;
		out[buf[k].k] = (float)(1.0 / (1.0 + (double)r / 10.0));
	}
}

/* The query of model md for the job's user into q (and the job's buffers). */
static void make_query(struct job *j, const struct model *md, struct lmrec_user_query *q)
{
	const struct user *u = &j->u;
	const struct lmrec_recmodel *m = md->m;
	size_t need = (u->nseen > u->nline ? u->nseen : u->nline) + 1;
	if (need > j->qcap) {
		j->qcap = need;
		j->qh = lmrec_xreallocarray(j->qh, need, sizeof *j->qh);
		j->qw = lmrec_xreallocarray(j->qw, need, sizeof *j->qw);
		j->qs = lmrec_xreallocarray(j->qs, need, sizeof *j->qs);
	}
	/* history in model indices, sorted by index */
	size_t n = 0;
	for (size_t k = 0; k < u->nseen; k++) {
		int64_t mi = md->to_model[u->seen[k]];
		if (mi < 0)
			continue;
		size_t at = n++;
		while (at > 0 && j->qh[at - 1] > (uint32_t)mi) {
			j->qh[at] = j->qh[at - 1];
			j->qw[at] = j->qw[at - 1];
			at--;
		}
		j->qh[at] = (uint32_t)mi;
		j->qw[at] = (md->weighted ? u->seen_w[k] : 1.0f) * u->seen_d[k];
	}
	size_t ns = 0;
	for (size_t k = 0; k < u->nline; k++)
		if (md->to_model[u->line[k]] >= 0)
			j->qs[ns++] = (uint32_t)md->to_model[u->line[k]];
	memset(q, 0, sizeof *q);
	q->user = lmrec_ids_find(m->users, u->id, u->idlen);
	q->hist = j->qh;
	q->w = j->qw;
	q->n = n;
	q->seq = ns ? j->qs : NULL;
	q->nseq = ns;
}

/* The sequence term (lmrec_compose_seq_fn): each sasrec model encodes the
 * user's time line followed by the list; its scores of the candidates
 * become rank features among them; the mean over the models, weighted. */
static void seq_term(void *ctx, const uint32_t *lists, size_t stride, const size_t *lens, size_t nstates,
		     float *out)
{
	struct job *j = ctx;
	const struct world *w = j->w;
	const struct opts *o = w->o;
	size_t n = j->ncand;
	memset(out, 0, nstates * n * sizeof *out);
	for (size_t k = 0; k < o->nmod; k++) {
		const struct model *md = &o->mod[k];
		if (md->m->kind != LMREC_KIND_SASREC)
			continue;
		struct lmrec_user_query base;
		make_query(j, md, &base);
		size_t room = base.nseq + stride + 1;
		LMREC_GROW(j->sseq, j->sseqcap, nstates * room);
		for (size_t s = 0; s < nstates; s++) {
			uint32_t *sq = j->sseq + s * room;
			memcpy(sq, j->qs, base.nseq * sizeof *sq);
			size_t len = base.nseq;
			for (size_t x = 0; x < lens[s]; x++) {
				int64_t mi = md->to_model[j->cand[lists[s * stride + x]]];
				if (mi >= 0)
					sq[len++] = (uint32_t)mi;
			}
			j->sq[s] = base;
			j->sq[s].user = -1; /* this sequence, not the one the model holds */
			j->sq[s].seq = sq;
			j->sq[s].nseq = len;
			if (len == 0) { /* nothing to encode: the history as it is */
				j->sq[s].seq = NULL;
			}
		}
		lmrec_score_block(md->sc, j->sq, nstates, md->scores);
		for (size_t s = 0; s < nstates; s++) {
			const float *sc = md->scores + s * md->m->ni;
			for (size_t c = 0; c < n; c++) {
				int64_t mi = md->to_model[j->cand[c]];
				j->fs[c] = mi >= 0 ? sc[mi] : NAN;
			}
			rank_features(j->fs, n, j->sbuf, j->ff);
			for (size_t c = 0; c < n; c++)
				out[s * n + c] += (float)(o->w[T_SEQ] * j->ff[c] / (double)w->seq_models);
		}
	}
}

/* Gumbel noise of --explore for item i of list `list` of the user: a draw
 * keyed by the seed, the user, the list and the item's id, so it depends
 * on nothing else. */
static double noise(const struct job *j, uint64_t list, uint32_t i)
{
	const struct opts *o = j->w->o;
	size_t len;
	const char *id = lmrec_ids_str(j->w->cat.items, i, &len);
	struct lmrec_rng r;
	lmrec_rng_seed2(&r, o->seed,
			lmrec_hash64(j->u.id, j->u.idlen) ^ (list * 0x9e3779b97f4a7c15u) ^ lmrec_hash64(id, len));
	double u = lmrec_rng_double(&r);
	if (u <= 0)
		u = 0x1p-53;
	return o->explore * -log(-log(u));
}

/* The list-independent terms of every eligible item (and of a seed of the
 * kind, eligible or not): relevance, recency, the request, the noise. */
static void score_user(struct job *j, int64_t seed, uint64_t list)
{
	struct world *w = j->w;
	const struct opts *o = w->o;
	const struct lmrec_catalog *c = &w->cat;
	j->nelig = 0;
	for (uint32_t i = 0; i < c->n; i++)
		if (w->cls[i] >= 0 && c->available[i] && (o->keep_seen || !j->u.is_seen[i]) &&
		    (w->same_key == -1 || key_value(w, w->same_key, i) >= 0) &&
		    !(j->req.slots.n && lmrec_slots_unwanted(w->vocab, &j->req.slots, i))) /* "not wool" */
			j->elig[j->nelig++] = i;
	size_t nscored = j->nelig;
	if (seed >= 0 && w->cls[seed] >= 0) {
		size_t k = 0;
		while (k < j->nelig && j->elig[k] != (uint32_t)seed)
			k++;
		if (k == j->nelig)
			j->elig[nscored++] = (uint32_t)seed; /* scored, never pooled */
	}
	size_t nrel = 0;
	for (size_t k = 0; k < o->nmod; k++)
		nrel += o->mod[k].m->kind != LMREC_KIND_SASREC;
	for (size_t e = 0; e < nscored; e++)
		j->rel[j->elig[e]] = 0;
	for (size_t k = 0; k < o->nmod; k++) {
		struct model *md = &o->mod[k];
		const struct lmrec_recmodel *m = md->m;
		if (m->kind == LMREC_KIND_SASREC)
			continue;
		struct lmrec_user_query q;
		make_query(j, md, &q);
		/* a model with nothing to go on scores nobody */
		if (!(m->kind == LMREC_KIND_POPULAR || q.n > 0 || (q.user >= 0 && m->X)))
			continue;
		lmrec_score_block(md->sc, &q, 1, md->scores);
		for (size_t e = 0; e < nscored; e++) {
			int64_t mi = md->to_model[j->elig[e]];
			float s = mi >= 0 ? md->scores[mi] : NAN;
			/* item-kNN scores only the neighbours of the history */
			j->fs[e] = m->kind == LMREC_KIND_ITEMKNN && !(s > 0) ? NAN : s;
		}
		rank_features(j->fs, nscored, j->sbuf, j->ff);
		for (size_t e = 0; e < nscored; e++)
			j->rel[j->elig[e]] += j->ff[e] / (double)nrel;
	}
	/* recency: the mean pair with the last items */
	LMREC_GROW(j->rec, j->reccap, j->u.nrecent * nscored + 1);
	lmrec_itemsim_block(j->w->sim, j->u.recent, j->u.nrecent, j->elig, nscored, j->rec);
	for (size_t e = 0; e < nscored; e++) {
		uint32_t i = j->elig[e];
		double rec = 0;
		for (size_t r = 0; r < j->u.nrecent; r++)
			rec += j->rec[r * nscored + e];
		j->recent[i] = j->u.nrecent ? rec / (double)j->u.nrecent : 0;
		j->reqm[i] = req_match(w, &j->req, i);
		j->base[i] = o->w[T_REL] * j->rel[i] + o->w[T_RECENT] * j->recent[i] + o->w[T_REQUEST] * j->reqm[i] +
			     o->w[T_TREND] * w->trend[i];
		if (o->explore > 0)
			j->base[i] += noise(j, list, i);
	}
}

/* Category, then base descending, then id order. */
struct pooled {
	int32_t category;
	double base;
	uint32_t order, i;
};

static int cmp_pooled(const void *pa, const void *pb)
{
	const struct pooled *a = pa, *b = pb;
	if (a->category != b->category)
		return a->category < b->category ? -1 : 1;
	if (a->base != b->base)
		return a->base > b->base ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

/* The counters item i increments, appended to j->counts; returns how many. */
static uint32_t item_counters(struct job *j, uint32_t i, size_t at)
{
	struct world *w = j->w;
	const struct lmrec_catalog *c = &w->cat;
	uint32_t n = 0;
	for (size_t r = 0; r < w->nrules; r++) {
		if (w->rule_limit[r] == 0 || w->rule_key[r] == -1)
			continue;
		for (uint64_t p = c->aptr[i]; p <= c->aptr[i + 1]; p++) {
			int64_t v;
			if (w->rule_key[r] == KEY_CATEGORY) { /* one pass only */
				if (p > c->aptr[i])
					break;
				v = c->category[i];
			} else {
				if (p == c->aptr[i + 1] || (int64_t)c->akey[p] != w->rule_key[r])
					continue;
				v = c->aval[p];
			}
			if (v < 0)
				continue;
			struct counter_key ck = {(uint32_t)r, (uint32_t)v};
			uint32_t id = lmrec_ids_intern(w->counters, (const char *)&ck, sizeof ck);
			LMREC_GROW(w->limit, w->limcap, (size_t)id + 1);
			w->limit[id] = (uint32_t)(w->rule_limit[r] > UINT32_MAX ? UINT32_MAX : w->rule_limit[r]);
			/* a value repeated within the item counts once */
			uint32_t q = 0;
			while (q < n && j->counts[at + q] != id)
				q++;
			if (q < n)
				continue;
			LMREC_GROW(j->counts, j->countcap, at + n + 1);
			j->counts[at + n++] = id;
		}
	}
	return n;
}

/* Composes the best list among the items of one group (all eligible
 * items, or those with one value of --same) and keeps it when it beats
 * the best so far: longer, or as long and with a higher score. */
static void compose_group(struct job *j, const uint32_t *items, size_t n)
{
	struct world *w = j->w;
	const struct opts *o = w->o;
	const struct lmrec_catalog *c = &w->cat;
	struct pooled *pl = lmrec_xcalloc(n + 1, sizeof *pl);
	for (size_t k = 0; k < n; k++)
		pl[k] = (struct pooled){c->category[items[k]], j->base[items[k]], c->order[items[k]], items[k]};
	qsort(pl, n, sizeof *pl, cmp_pooled);
	j->ncand = 0;
	int64_t lead = j->lead;
	if (lead >= 0)
		j->cand[j->ncand++] = (uint32_t)lead;
	for (size_t k = 0, run = 0; k < n; k++) {
		run = k > 0 && pl[k].category == pl[k - 1].category ? run + 1 : 0;
		if (run < o->pool && (int64_t)pl[k].i != lead)
			j->cand[j->ncand++] = pl[k].i;
	}
	free(pl);
	size_t nc = j->ncand, nctx = j->ctx >= 0;
	/* candidates and their counters (j->counts may move while it grows) */
	LMREC_GROW(j->cc, j->cccap, nc + 1);
	LMREC_GROW(j->coff, j->coffcap, nc + 1);
	size_t at = 0;
	for (size_t k = 0; k < nc; k++) {
		uint32_t i = j->cand[k];
		uint32_t m = item_counters(j, i, at);
		j->cc[k] = (struct lmrec_compose_cand){j->base[i], w->cost[i], w->cls[i], c->order[i], m, NULL};
		j->coff[k] = at;
		at += m;
	}
	uint32_t nctx_count = nctx ? item_counters(j, (uint32_t)j->ctx, at) : 0;
	for (size_t k = 0; k < nc; k++)
		j->cc[k].count = j->counts + j->coff[k];
	LMREC_GROW(j->pair, j->paircap, (nc + nctx) * nc + 1);
	float *pair = j->pair;
	size_t rows = nc + nctx;
	if (nctx)
		j->cand[nc] = (uint32_t)j->ctx; /* the context's row */
	lmrec_itemsim_block(j->w->sim, j->cand, rows, j->cand, nc, pair);
	for (size_t x = 0; x < rows * nc; x++)
		pair[x] = (float)(o->w[T_COH] * pair[x]);
	for (size_t a = 0; a < nc; a++)
		pair[a * nc + a] = 0;
	int32_t *cls_at = NULL;
	if (o->kind == KIND_ITINERARY) {
		/* after a context place, a meal; with a first item, its class */
		int32_t flip = lead >= 0 ? w->cls[lead] : j->ctx >= 0 && w->cls[j->ctx] >= 0 ? 1 - w->cls[j->ctx] : 0;
		cls_at = lmrec_xcalloc(o->length, sizeof *cls_at);
		for (size_t p = 0; p < o->length; p++)
			cls_at[p] = (int32_t)((p + (size_t)flip) % 2);
	}
	uint32_t prefix = 0;
	struct lmrec_compose pb = {
		.n = nc, .c = j->cc, .pair = pair, .nctx = nctx, .ctx_count = j->counts + at, .nctx_count = nctx_count,
		.ncounters = lmrec_ids_count(w->counters),
		.limit = w->limit, .length = o->length, .beam = o->beam, .budget = o->budget, .cls_at = cls_at,
		.prefix = &prefix, .nprefix = lead >= 0, .unordered = o->kind == KIND_BUNDLE,
		.seq = w->seq_models ? seq_term : NULL, .seq_ctx = j,
	};
	struct lmrec_compose_result r;
	lmrec_compose_run(j->composer, &pb, &r);
	if (!j->have_best || r.len > j->blen || (r.len == j->blen && r.score > j->bscore)) {
		j->have_best = 1;
		j->blen = r.len;
		j->bscore = r.score;
		j->nprefix = pb.nprefix;
		for (size_t x = 0; x < r.len; x++) {
			j->best[x] = j->cand[r.item[x]];
			j->bgain[x] = r.gain[x];
			j->bcoh[x] = r.coh[x];
			j->bseq[x] = r.seq[x];
		}
	}
	free(cls_at);
}

struct valued {
	uint32_t value, i;
	const char *s; /* the value's text, for its byte order */
	size_t len;
};

static int cmp_valued(const void *pa, const void *pb)
{
	const struct valued *a = pa, *b = pb;
	int d = memcmp(a->s, b->s, a->len < b->len ? a->len : b->len);
	if (d)
		return d;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

/* The best list for the job's user: over the groups of --same (in byte
 * order of the values; only the seed's value when the seed has one). A
 * seed of the kind that the user may be offered (available, not seen
 * unless --keep-seen) is the list's first item; any other seed is
 * context: the list goes with it and its counters are taken. */
static void compose_user(struct job *j, int64_t seed)
{
	struct world *w = j->w;
	const struct opts *o = w->o;
	const struct lmrec_catalog *c = &w->cat;
	j->have_best = 0;
	j->blen = 0;
	j->lead = j->ctx = -1;
	if (seed >= 0 && w->cls[seed] >= 0 && c->available[seed] && (o->keep_seen || !j->u.is_seen[seed]))
		j->lead = seed;
	else
		j->ctx = seed;
	if (w->same_key == -1) {
		compose_group(j, j->elig, j->nelig);
		return;
	}
	int64_t want = seed >= 0 ? key_value(w, w->same_key, (uint32_t)seed) : -1;
	struct valued *v = lmrec_xcalloc(j->nelig + 1, sizeof *v);
	size_t nv = 0;
	for (size_t e = 0; e < j->nelig; e++) {
		uint32_t i = j->elig[e];
		int64_t val = key_value(w, w->same_key, i);
		if (want >= 0 && val != want)
			continue;
		const struct lmrec_ids *d = w->same_key == KEY_CATEGORY ? c->categories : c->values;
		v[nv].value = (uint32_t)val;
		v[nv].i = i;
		v[nv].s = lmrec_ids_str(d, (uint32_t)val, &v[nv].len);
		nv++;
	}
	qsort(v, nv, sizeof *v, cmp_valued);
	uint32_t *group = lmrec_xcalloc(nv + 1, sizeof *group);
	for (size_t a = 0; a < nv;) {
		size_t b = a, m = 0;
		while (b < nv && v[b].value == v[a].value)
			group[m++] = v[b++].i;
		compose_group(j, group, m);
		a = b;
	}
	if (nv == 0 && j->lead >= 0)
		compose_group(j, group, 0); /* the seed alone */
	free(group);
	free(v);
}

/* A bundle has no order: after its seed, its items by gain, largest
 * first (ties: the id's order). */
static void order_bundle(struct job *j)
{
	const struct lmrec_catalog *c = &j->w->cat;
	for (size_t a = j->nprefix + 1; a < j->blen; a++) {
		uint32_t it = j->best[a];
		double g = j->bgain[a], coh = j->bcoh[a], sq = j->bseq[a];
		size_t b = a;
		while (b > j->nprefix && (j->bgain[b - 1] < g || (j->bgain[b - 1] == g && c->order[j->best[b - 1]] > c->order[it]))) {
			j->best[b] = j->best[b - 1];
			j->bgain[b] = j->bgain[b - 1];
			j->bcoh[b] = j->bcoh[b - 1];
			j->bseq[b] = j->bseq[b - 1];
			b--;
		}
		j->best[b] = it;
		j->bgain[b] = g;
		j->bcoh[b] = coh;
		j->bseq[b] = sq;
	}
}

/* ---- output ---- */

/* The external model's summary (the "summary" task of lmrec-formats(5)):
 * a fresh string, or NULL when the model gives none that names every item
 * (that answer then counts as garbage). */
static char *llm_summary(struct job *j, struct lmrec_llm *m, const uint32_t *tk, const uint32_t *tv,
			 const uint32_t *ti, size_t nt)
{
	const struct world *w = j->w;
	const struct lmrec_catalog *c = &w->cat;
	struct lmrec_llm_item *it = lmrec_xcalloc(j->blen + 1, sizeof *it);
	char **ids = lmrec_xcalloc(j->blen + 1, sizeof *ids);
	for (size_t x = 0; x < j->blen; x++) {
		size_t len;
		const char *id = lmrec_ids_str(c->items, j->best[x], &len);
		ids[x] = lmrec_xmalloc(len + 1);
		ids[x][lmrec_tsv_unescape(ids[x], id, len)] = '\0';
		it[x] = (struct lmrec_llm_item){ids[x], c->title[j->best[x]], c->attrs[j->best[x]]};
	}
	char **tastes = lmrec_xcalloc(nt + 1, sizeof *tastes);
	size_t ntw = 0;
	for (size_t k = 0; k < nt; k++)
		if ((tastes[ntw] = lmrec_summary_word(w->sum, ti[k], tk[k], tv[k])))
			ntw++;
	json_t *req = lmrec_llm_summary_request(kind_names[w->o->kind], it, j->blen, (const char *const *)tastes, ntw);
	json_t *ans = lmrec_llm_ask(m, req);
	const char *text = ans ? lmrec_llm_read_text(ans) : NULL;
	char *out = NULL;
	if (text && !lmrec_summary_check(c, text, j->best, j->blen))
		out = lmrec_xstrdup(text);
	else if (ans)
		lmrec_llm_reject(m);
	json_decref(ans);
	json_decref(req);
	for (size_t x = 0; x < j->blen; x++)
		free(ids[x]);
	for (size_t k = 0; k < ntw; k++)
		free(tastes[k]);
	free(tastes);
	free(ids);
	free(it);
	return out;
}

/* The summary: the external model's when --llm-cmd is given and its
 * answer names every item, else the built-in one. A fresh string. */
static char *summary(struct job *j, struct lmrec_llm *m, const uint32_t *tk, const uint32_t *tv, const uint32_t *ti,
		     size_t nt)
{
	struct world *w = j->w;
	const struct opts *o = w->o;
	if (m) {
		char *text = llm_summary(j, m, tk, tv, ti, nt);
		if (text)
			return text;
	}
	/* "kit", "playlist", "day out"; "... in Caldor" when --same is a name */
	static const char *const nouns[] = {"kit", "playlist", "day out"};
	const char *noun = nouns[o->kind];
	char *own = NULL;
	int64_t skip = -1;
	if (w->same_key >= 0 && j->blen) {
		int64_t v = key_value(w, w->same_key, j->best[0]);
		char *word = v >= 0 ? lmrec_summary_word(w->sum, j->best[0], (uint32_t)w->same_key, (uint32_t)v) : NULL;
		if (word && word[0] >= 'A' && word[0] <= 'Z') {
			noun = own = lmrec_xasprintf("%s in %s", noun, word);
			skip = w->same_key;
		}
		free(word);
	}
	char *text = lmrec_summary_text(w->sum, j->best, j->blen, noun, skip, tk, tv, nt);
	free(own);
	return text;
}

/* An item's title (an item outside the catalog: its id). */
static void put_title(struct lmrec_out *out, const struct world *w, uint32_t i)
{
	if (i < w->cat.n && w->cat.title[i][0]) {
		lmrec_out_field(out, w->cat.title[i], strlen(w->cat.title[i]));
	} else {
		size_t len;
		const char *s = lmrec_ids_str(w->all, i, &len);
		lmrec_out_write(out, s, len); /* already escaped */
	}
}

/* ": w1, w2, w3": the words of the first three pairs of item i (in its
 * attrs order) that item b has too and that read as words. */
static void put_shared(struct lmrec_out *out, const struct world *w, uint32_t i, uint32_t b)
{
	const struct lmrec_catalog *c = &w->cat;
	if (i >= c->n || b >= c->n)
		return;
	char *shown[3];
	size_t n = 0;
	for (uint64_t p = c->aptr[i]; p < c->aptr[i + 1] && n < 3; p++) {
		if (!lmrec_catalog_has(c, b, c->akey[p], c->aval[p]))
			continue;
		char *word = lmrec_summary_word(w->sum, i, c->akey[p], c->aval[p]);
		size_t k = 0;
		while (word && k < n && strcmp(shown[k], word) != 0)
			k++;
		if (!word || k < n) {
			free(word);
			continue;
		}
		lmrec_out_str(out, n ? ", " : ": ");
		lmrec_out_field(out, word, strlen(word));
		shown[n++] = word;
	}
	for (size_t k = 0; k < n; k++)
		free(shown[k]);
}

/* Of items[0..n), the one j that says most of i (S), or -1 when
 * none says anything good. */
static int64_t closest(const struct world *w, const uint32_t *items, size_t n, uint32_t i)
{
	int64_t best = -1;
	double bv = 0;
	for (size_t k = 0; k < n; k++) {
		double v = items[k] == i ? 0 : lmrec_itemsim(w->sim, items[k], i);
		if (v > bv) {
			bv = v;
			best = items[k];
		}
	}
	return best;
}

/* Why item best[x] is in the list: the largest of its terms. */
static void write_reason(struct lmrec_out *out, struct job *j, size_t x)
{
	struct world *w = j->w;
	const struct opts *o = w->o;
	uint32_t i = j->best[x];
	if (x < j->nprefix) {
		lmrec_out_str(out, "your choice");
		return;
	}
	double part[6] = {o->w[T_REL] * j->rel[i], j->bcoh[x], j->bseq[x], o->w[T_RECENT] * j->recent[i],
			  o->w[T_REQUEST] * j->reqm[i], o->w[T_TREND] * w->trend[i]};
	size_t top = 0;
	for (size_t k = 1; k < 6; k++)
		if (part[k] > part[top])
			top = k;
	switch (top) {
	case 1: { /* the item it goes with best: before it in the list (any
		   * other in a bundle, which has no order), or the context */
		int64_t with = -1;
		double bv = -INFINITY;
		size_t others = o->kind == KIND_BUNDLE ? j->blen : x;
		for (size_t k = 0; k <= others; k++) {
			if (k < others && k == x)
				continue;
			if (k == others && j->ctx < 0)
				break;
			uint32_t a = k < others ? j->best[k] : (uint32_t)j->ctx;
			double v = lmrec_itemsim(w->sim, a, i);
			if (v > bv) {
				bv = v;
				with = a;
			}
		}
		if (with >= 0) {
			lmrec_out_str(out, "goes with ");
			put_title(out, w, (uint32_t)with);
			put_shared(out, w, i, (uint32_t)with);
			return;
		}
		break;
	}
	case 2: { /* the sequence: after the item before it */
		int64_t prev = x > 0 ? (int64_t)j->best[x - 1] : j->u.nline ? (int64_t)j->u.line[j->u.nline - 1] : -1;
		if (prev >= 0) {
			lmrec_out_str(out, "next after ");
			put_title(out, w, (uint32_t)prev);
			return;
		}
		break;
	}
	case 3: { /* recency */
		int64_t r = closest(w, j->u.recent, j->u.nrecent, i);
		if (r >= 0) {
			lmrec_out_str(out, "fits your recent ");
			put_title(out, w, (uint32_t)r);
			return;
		}
		break;
	}
	case 4: { /* the request: the values asked for that it has */
		lmrec_out_str(out, "matches your request");
		size_t shown = 0;
		const struct lmrec_slots *st = &j->req.slots;
		for (size_t k = 0; k < st->n && shown < 3; k++) {
			const struct lmrec_slot *sl = &st->s[k];
			int cat = sl->kind == LMREC_SLOT_CATEGORY;
			if (sl->pol != LMREC_POL_POS || !(cat || sl->kind == LMREC_SLOT_PAIR))
				continue;
			uint32_t key = cat ? 0 : w->vocab->pair_key[sl->id], val = cat ? sl->id : w->vocab->pair_val[sl->id];
			if (cat ? w->cat.category[i] != (int32_t)val : !lmrec_slotvocab_item_has(w->vocab, i, sl->id))
				continue;
			lmrec_out_str(out, shown++ ? ", " : ": ");
			char *word = cat ? NULL : lmrec_summary_word(w->sum, i, key, val);
			if (word) {
				lmrec_out_field(out, word, strlen(word));
				free(word);
			} else { /* a category, or a value that reads as nothing */
				size_t len;
				const char *s = lmrec_ids_str(cat ? w->cat.categories : w->cat.values, val, &len);
				lmrec_out_write(out, s, len);
			}
		}
		return;
	}
	case 5: /* the trend */
		lmrec_out_printf(out, "trending: %" PRIu32 " user%s in the last %zu day%s", w->trend_users[i],
				 w->trend_users[i] == 1 ? "" : "s", o->trend_days, o->trend_days == 1 ? "" : "s");
		return;
	default:
		break;
	}
	/* relevance: the history item that says most of it */
	int64_t h = closest(w, j->u.seen, j->u.nseen, i);
	if (h >= 0) {
		lmrec_out_str(out, "because you liked ");
		put_title(out, w, (uint32_t)h);
		return;
	}
	int popular = 0;
	for (size_t k = 0; k < o->nmod; k++)
		popular |= o->mod[k].m->kind == LMREC_KIND_POPULAR;
	lmrec_out_str(out, popular && j->rel[i] > 0 ? "popular with many users" : "recommended for you");
}

static void write_list(struct lmrec_out *out, struct job *j, uint64_t list, const char *sum)
{
	const struct world *w = j->w;
	for (size_t x = 0; x < j->blen; x++) {
		size_t len;
		lmrec_out_write(out, j->u.id, j->u.idlen);
		lmrec_out_tab(out);
		lmrec_out_i64(out, (int64_t)list);
		lmrec_out_tab(out);
		lmrec_out_i64(out, (int64_t)x + 1);
		lmrec_out_tab(out);
		const char *s = lmrec_ids_str(w->cat.items, j->best[x], &len);
		lmrec_out_write(out, s, len);
		lmrec_out_tab(out);
		lmrec_out_f32(out, (float)j->bgain[x]);
		lmrec_out_tab(out);
		write_reason(out, j, x);
		lmrec_out_tab(out);
		if (x == 0)
			lmrec_out_field(out, sum, strlen(sum));
		lmrec_out_eol(out);
	}
}

/* ---- the run ---- */

static void world_init(struct world *w, const struct opts *o)
{
	memset(w, 0, sizeof *w);
	w->o = o;
	lmrec_catalog_load(&w->cat, o->items);
	const struct lmrec_catalog *c = &w->cat;
	if (o->kind == KIND_ITINERARY && !c->has_domain)
		lmrec_die(LMREC_EXIT_DATA, "%s: an itinerary needs the items' domain column (places and food)",
			  lmrec_display_name(o->items));
	w->sum = lmrec_summarizer_new(c);
	w->all = lmrec_ids_new();
	for (size_t i = 0; i < c->n; i++) {
		size_t len;
		const char *s = lmrec_ids_str(c->items, (uint32_t)i, &len);
		lmrec_ids_intern(w->all, s, len);
	}
	for (size_t k = 0; k < o->nmod; k++) {
		const struct lmrec_recmodel *m = o->mod[k].m;
		for (size_t i = 0; i < m->ni; i++) {
			size_t len;
			const char *s = lmrec_ids_str(m->items, (uint32_t)i, &len);
			lmrec_ids_intern(w->all, s, len);
		}
		w->seq_models += m->kind == LMREC_KIND_SASREC;
	}
	w->trend_users = lmrec_xcalloc(c->n + 1, sizeof *w->trend_users);
	w->trend = lmrec_xcalloc(c->n + 1, sizeof *w->trend);
	if (o->history)
		load_history(w);
	size_t na = lmrec_ids_count(w->all);
	for (size_t k = 0; k < o->nmod; k++) {
		struct model *md = &o->mod[k];
		md->to_model = lmrec_xmalloc((na + 1) * sizeof *md->to_model);
		for (size_t i = 0; i < na; i++) {
			size_t len;
			const char *s = lmrec_ids_str(w->all, (uint32_t)i, &len);
			md->to_model[i] = lmrec_ids_find(md->m->items, s, len);
		}
		size_t block = md->m->kind == LMREC_KIND_SASREC ? o->beam : 1;
		md->sc = lmrec_scorer_new(md->m, block);
		md->scores = lmrec_xmalloc((block * md->m->ni + 1) * sizeof *md->scores);
	}
	/* an array of pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
	const struct lmrec_recmodel **ms = lmrec_xcalloc(o->nmod + 1, sizeof *ms);
	const int64_t **maps = lmrec_xcalloc(o->nmod + 1, sizeof *maps);
	for (size_t k = 0; k < o->nmod; k++) {
		ms[k] = o->mod[k].m;
		maps[k] = o->mod[k].to_model;
	}
	w->sim = lmrec_itemsim_new(c, ms, maps, o->nmod, o->content);
	free(ms);
	free(maps);
	w->cost = lmrec_xcalloc(c->n + 1, sizeof *w->cost);
	w->cls = lmrec_xcalloc(c->n + 1, sizeof *w->cls);
	w->in_domains = lmrec_xcalloc(c->n + 1, 1);
	for (uint32_t i = 0; i < c->n; i++) {
		w->cost[i] = item_cost(c, i);
		w->cls[i] = item_class(w, i);
		w->in_domains[i] = in_domains(w, i);
	}
	/* the trend: the rank feature of the recent users among the available
	 * items of the kind that have some (the others 0) */
	float *tf = lmrec_xcalloc(c->n + 1, sizeof *tf), *tr = lmrec_xcalloc(c->n + 1, sizeof *tr);
	struct scored *tb = lmrec_xcalloc(c->n + 1, sizeof *tb);
	for (uint32_t i = 0; i < c->n; i++)
		tf[i] = w->cls[i] >= 0 && c->available[i] && w->trend_users[i] > 0 ? (float)w->trend_users[i] : NAN;
	rank_features(tf, c->n, tb, tr);
	for (uint32_t i = 0; i < c->n; i++)
		w->trend[i] = tr[i];
	free(tf);
	free(tr);
	free(tb);
	w->same_key = o->same ? find_key(c, o->same) : -1;
	if (o->same && w->same_key == -1)
		w->same_key = -3; /* no item has the key: no item qualifies */
	w->nrules = o->nmaxper;
	w->rule_key = lmrec_xcalloc(o->nmaxper + 1, sizeof *w->rule_key);
	w->rule_limit = lmrec_xcalloc(o->nmaxper + 1, sizeof *w->rule_limit);
	for (size_t r = 0; r < o->nmaxper; r++) {
		w->rule_key[r] = find_key(c, o->maxper[r].key);
		w->rule_limit[r] = o->maxper[r].limit;
	}
	w->counters = lmrec_ids_new();
}

static void world_free(struct world *w)
{
	const struct opts *o = w->o;
	lmrec_slotvocab_free(w->vocab);
	for (size_t k = 0; k < o->nmod; k++) {
		free(o->mod[k].to_model);
		lmrec_scorer_free(o->mod[k].sc);
		free(o->mod[k].scores);
	}
	lmrec_summarizer_free(w->sum);
	lmrec_itemsim_free(w->sim);
	lmrec_catalog_free(&w->cat);
	lmrec_ids_free(w->all);
	lmrec_ids_free(w->husers);
	lmrec_ids_free(w->counters);
	free(w->hstart);
	free(w->hitem);
	free(w->hweight);
	free(w->trend_users);
	free(w->trend);
	free(w->cost);
	free(w->cls);
	free(w->in_domains);
	free(w->rule_key);
	free(w->rule_limit);
	free(w->limit);
}

static void job_init(struct job *j, struct world *w)
{
	memset(j, 0, sizeof *j);
	j->w = w;
	size_t n = w->cat.n + 1, na = lmrec_ids_count(w->all) + 1;
	j->u.is_seen = lmrec_xcalloc(na, 1);
	j->rel = lmrec_xcalloc(n, sizeof *j->rel);
	j->recent = lmrec_xcalloc(n, sizeof *j->recent);
	j->reqm = lmrec_xcalloc(n, sizeof *j->reqm);
	j->base = lmrec_xcalloc(n, sizeof *j->base);
	j->elig = lmrec_xcalloc(n + 1, sizeof *j->elig);
	j->cand = lmrec_xcalloc(n + 1, sizeof *j->cand);
	j->fs = lmrec_xcalloc(n + 1, sizeof *j->fs);
	j->ff = lmrec_xcalloc(n + 1, sizeof *j->ff);
	j->sbuf = lmrec_xcalloc(n + 1, sizeof *j->sbuf);
	j->sq = lmrec_xcalloc(w->o->beam, sizeof *j->sq);
	size_t L = w->o->length + 1;
	j->best = lmrec_xcalloc(L, sizeof *j->best);
	j->bgain = lmrec_xcalloc(L, sizeof *j->bgain);
	j->bcoh = lmrec_xcalloc(L, sizeof *j->bcoh);
	j->bseq = lmrec_xcalloc(L, sizeof *j->bseq);
	j->composer = lmrec_composer_new();
}

static void job_free(struct job *j)
{
	free(j->u.seen);
	free(j->u.seen_w);
	free(j->u.seen_d);
	free(j->u.line);
	free(j->u.is_seen);
	free(j->u.recent);
	lmrec_slots_free(&j->req.slots);
	lmrec_slots_scratch_free(&j->req.sc);
	free(j->req.text);
	free(j->rel);
	free(j->recent);
	free(j->reqm);
	free(j->base);
	free(j->qh);
	free(j->qs);
	free(j->qw);
	free(j->elig);
	free(j->cand);
	free(j->cc);
	free(j->coff);
	free(j->counts);
	free(j->pair);
	free(j->sq);
	free(j->sseq);
	free(j->fs);
	free(j->ff);
	free(j->sbuf);
	free(j->best);
	free(j->bgain);
	free(j->bcoh);
	free(j->bseq);
	lmrec_composer_free(j->composer);
	free(j->rec);
}

static int run(const struct opts *o, char *const *files, size_t nfiles)
{
	struct world w;
	world_init(&w, o);
	int64_t opt_seed = -1;
	if (o->seed_item) {
		opt_seed = lmrec_catalog_find(&w.cat, o->seed_item, strlen(o->seed_item));
		if (opt_seed < 0)
			lmrec_usage_error("invalid value for --seed-item: '%s' (no such item in %s)", o->seed_item,
					  lmrec_display_name(o->items));
	}
	struct job j;
	job_init(&j, &w);
	struct lmrec_llm *m = NULL;
	if (o->llm_cmd) {
		m = lmrec_llm_start(o->llm_cmd, (int)o->llm_timeout);
		lmrec_llm_set_quiet(m, o->quiet);
	}
	static char *const stdin_only[] = {"-"};
	if (nfiles == 0) {
		files = stdin_only;
		nfiles = 1;
	}
	struct lmrec_out *out = lmrec_out_open(o->output);
	lmrec_out_str(out, "user\tlist\trank\titem\tscore\treason\tsummary\n");
	uint64_t list = 0;
	size_t lists = 0, rows = 0, shorter = 0, empty = 0;
	uint32_t tk[5], tv[5], ti[5];
	uint32_t *hist = NULL;
	size_t hcap = 0;
	struct lmrec_tsv *first = NULL;
	for (size_t f = 0; f < nfiles; f++) {
		struct lmrec_tsv *r = lmrec_tsv_open(files[f]);
		if (first)
			lmrec_tsv_same_header(first, r);
		size_t cu = lmrec_tsv_col(r, "user");
		long cs = lmrec_tsv_col_opt(r, "seed_item"), cr = lmrec_tsv_col_opt(r, "request");
		while (lmrec_tsv_read(r)) {
			struct lmrec_field uf = r->f[cu];
			if (uf.len == 0)
				lmrec_tsv_die(r, cu, "empty id");
			list++;
			int64_t seed = opt_seed;
			if (cs >= 0 && r->f[cs].len) {
				seed = lmrec_catalog_find(&w.cat, r->f[cs].p, r->f[cs].len);
				if (seed < 0)
					lmrec_tsv_die(r, (size_t)cs, "no item '%.*s' in %s",
						      (int)(r->f[cs].len > 40 ? 40 : r->f[cs].len), r->f[cs].p,
						      lmrec_display_name(o->items));
			}
			char *uid = lmrec_xstrndup(uf.p, uf.len);
			user_load(&w, &j.u, uid, uf.len);
			if (cr >= 0 && r->f[cr].len)
				request_parse(&w, &j.req, r->f[cr].p, r->f[cr].len);
			else
				request_parse(&w, &j.req, o->request ? o->request : "",
					      o->request ? strlen(o->request) : 0);
			score_user(&j, seed, list);
			compose_user(&j, seed);
			if (o->kind == KIND_BUNDLE)
				order_bundle(&j);
			if (j.blen == 0) {
				empty++;
				free(uid);
				continue;
			}
			/* tastes: the user's items of the kind */
			size_t nh = 0;
			for (size_t k = 0; k < j.u.nseen; k++)
				if (j.u.seen[k] < w.cat.n && w.cls[j.u.seen[k]] >= 0) {
					LMREC_GROW(hist, hcap, nh + 1);
					hist[nh++] = j.u.seen[k];
				}
			size_t nt = lmrec_summary_tastes(w.sum, hist, nh, 5, tk, tv, ti);
			char *sum = summary(&j, m, tk, tv, ti, nt);
			write_list(out, &j, list, sum);
			free(sum);
			free(uid);
			lists++;
			rows += j.blen;
			shorter += j.blen < o->length;
		}
		if (!first)
			first = r;
		else
			lmrec_tsv_close(r);
	}
	lmrec_tsv_close(first);
	lmrec_out_commit(out);
	if (!o->quiet) {
		fprintf(stderr, "%s: %zu lists, %zu items; %zu shorter than %zu, %zu requests without a list\n",
			lmrec_progname(), lists, rows, shorter, o->length, empty);
		lmrec_llm_report(m);
	}
	lmrec_llm_close(m);
	free(hist);
	job_free(&j);
	world_free(&w);
	return 0;
}

/* "T=W,T=W": sets each named term's weight. */
static void parse_weights(struct opts *o, const char *arg)
{
	const char *p = arg;
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		size_t t = 0;
		while (eq && t < NTERMS &&
		       !(strlen(term_names[t]) == (size_t)(eq - p) && memcmp(term_names[t], p, (size_t)(eq - p)) == 0))
			t++;
		double v;
		if (!eq || t == NTERMS || lmrec_parse_double(eq + 1, len - (size_t)(eq + 1 - p), &v) != 0 || v < 0 ||
		    v > 1e6)
			lmrec_usage_error("invalid value for --weights: '%s' (expected TERM=W,... with TERM rel, coh, "
					  "recent, seq, request or trend and W from 0 to 1e6)",
					  arg);
		o->w[t] = v;
		p += len + (comma ? 1 : 0);
	}
}

/* "KEY=N": at most N items share a value of KEY; a later rule for the same
 * key replaces an earlier one. */
static void add_maxper(struct opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	uint64_t n;
	if (!eq || eq == arg || lmrec_parse_u64(eq + 1, strlen(eq + 1), &n) != 0 || n > 1000000)
		lmrec_usage_error("invalid value for --max-per: '%s' (expected KEY=N, N from 0 to 1000000)", arg);
	size_t klen = (size_t)(eq - arg);
	for (size_t r = 0; r < o->nmaxper; r++)
		if (strlen(o->maxper[r].key) == klen && memcmp(o->maxper[r].key, arg, klen) == 0) {
			o->maxper[r].limit = (size_t)n;
			return;
		}
	LMREC_GROW(o->maxper, o->mpcap, o->nmaxper + 1);
	o->maxper[o->nmaxper++] = (struct maxper){lmrec_xstrndup(arg, klen), (size_t)n};
}

int main(int argc, char **argv)
{
	lmrec_setprogname(argv[0]);
	struct opts o = {.kind = -1, .beam = 8, .pool = 20, .recent = 3, .trend_days = 7, .budget = INFINITY,
			 .seed = 1, .llm_timeout = 10000,
			 .fold_set = 1u << LMREC_FOLD_TRAIN | 1u << LMREC_FOLD_VALID,
			 .content = 0.25, .w = {1, 0.25, 2, 1, 1, 1.5}};
	const char **maxper = NULL;
	size_t nmp = 0, mpc = 0;
	int c;
	while ((c = getopt_long(argc, argv, "m:n:s:o:qhV", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_KIND: /* --kind */
			for (o.kind = 0; o.kind < 3 && strcmp(optarg, kind_names[o.kind]) != 0; o.kind++)
				;
			if (o.kind == 3)
				lmrec_usage_error("invalid value for --kind: '%s' (expected bundle, playlist or itinerary)",
						  optarg);
			break;
		case OPT_ITEMS: o.items = optarg; break; /* --items */
		case 'm': { /* --model-file */
			LMREC_GROW(o.mod, o.modcap, o.nmod + 1);
			struct model *md = &o.mod[o.nmod++];
			memset(md, 0, sizeof *md);
			const char *eq = strchr(optarg, '=');
			if (eq && (eq == optarg || !eq[1]))
				lmrec_usage_error("invalid value for --model-file: '%s' (expected [NAME=]FILE)", optarg);
			md->path = eq ? eq + 1 : optarg;
			md->name = eq ? lmrec_xstrndup(optarg, (size_t)(eq - optarg)) : NULL;
			break;
		}
		case OPT_HISTORY: o.history = optarg; break; /* --history */
		case OPT_FOLDS: o.fold_set = lmrec_folds_parse("--folds", optarg); break; /* --folds */
		case OPT_SEED_ITEM: o.seed_item = optarg; break; /* --seed-item */
		case OPT_REQUEST: o.request = optarg; break;     /* --request */
		case 'n': o.length = (size_t)lmrec_opt_u64("--length", optarg, 1, 1000); break; /* --length */
		case OPT_BUDGET: o.budget = lmrec_opt_double("--budget", optarg, 0, 1e300); break; /* --budget */
		case OPT_MAX_PER: /* --max-per */
			LMREC_GROW(maxper, mpc, nmp + 1);
			maxper[nmp++] = optarg;
			break;
		case OPT_SAME: o.same = optarg; break;           /* --same */
		case OPT_KEEP_SEEN: o.keep_seen = 1; break;      /* --keep-seen */
		case OPT_BEAM: o.beam = (size_t)lmrec_opt_u64("--beam", optarg, 1, 10000); break; /* --beam */
		case OPT_POOL: o.pool = (size_t)lmrec_opt_u64("--pool", optarg, 1, 1000000); break; /* --pool */
		case OPT_WEIGHTS: parse_weights(&o, optarg); break; /* --weights */
		case OPT_RECENT: o.recent = (size_t)lmrec_opt_u64("--recent", optarg, 0, 10000); break; /* --recent */
		case OPT_TREND_DAYS: /* --trend-days */
			o.trend_days = (size_t)lmrec_opt_u64("--trend-days", optarg, 0, 100000);
			break;
		case OPT_EXPLORE: o.explore = lmrec_opt_double("--explore", optarg, 0, 1e6); break; /* --explore */
		case OPT_CONTENT: o.content = lmrec_opt_double("--content", optarg, 0, 1); break; /* --content */
		case 's': o.seed = lmrec_opt_u64("--seed", optarg, 0, UINT64_MAX); break; /* --seed */
		case OPT_LLM_CMD: o.llm_cmd = optarg; break; /* --llm-cmd */
		case OPT_LLM_TIMEOUT: /* --llm-timeout */
			o.llm_timeout = (long)lmrec_opt_u64("--llm-timeout", optarg, 1, 3600000);
			break;
		case 'o': o.output = optarg; break; /* --output */
		case 'q': o.quiet = 1; break;       /* --quiet */
		case 'h': usage(0); break;          /* --help */
		case 'V': lmrec_print_version(); lmrec_close_stdout(); return 0; /* --version */
		default: usage(LMREC_EXIT_USAGE);
		}
	}
	if (o.kind < 0)
		lmrec_usage_error("--kind is required (bundle, playlist or itinerary)");
	if (!o.items)
		lmrec_usage_error("--items is required");
	/* the kind's defaults, then the user's rules over them */
	static const size_t lengths[] = {4, 10, 4};
	if (!o.length)
		o.length = lengths[o.kind];
	if (o.kind == KIND_BUNDLE) {
		add_maxper(&o, "category=1");
	} else if (o.kind == KIND_PLAYLIST) {
		add_maxper(&o, "category=4");
		add_maxper(&o, "mood=3");
	} else {
		add_maxper(&o, "category=1");
		if (!o.same)
			o.same = "town";
	}
	for (size_t k = 0; k < nmp; k++)
		add_maxper(&o, maxper[k]);
	free(maxper);
	if (o.same && strcmp(o.same, "none") == 0)
		o.same = NULL;
	for (size_t k = 0; k < o.nmod; k++) {
		struct model *md = &o.mod[k];
		md->m = lmrec_recmodel_read(md->path, LMREC_KIND_ANY);
		if (!md->name)
			md->name = lmrec_xstrdup(lmrec_kind_name(md->m->kind));
		size_t len;
		const char *uw = lmrec_model_param(md->m->file, "use_weights", &len);
		md->weighted = uw && len == 1 && uw[0] == '1';
	}
	lmrec_blas_threads(1);
	int rc = run(&o, argv + optind, (size_t)(argc - optind));
	for (size_t k = 0; k < o.nmod; k++) {
		lmrec_recmodel_free(o.mod[k].m);
		free(o.mod[k].name);
	}
	for (size_t r = 0; r < o.nmaxper; r++)
		free(o.maxper[r].key);
	free(o.maxper);
	free(o.mod);
	lmrec_close_stdout();
	return rc;
}

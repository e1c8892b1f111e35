/* lmrec-agent — goals in, plans out: a goal's sub-tasks from a task
 * library, filled with the best items that keep their constraints, the
 * session's memory and the context. */
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "catalog.h"
#include "lmrec.h"

struct opts {
	const char *items, *context, *scores, *interactions, *objectives, *state, *check, *output, *value_key;
	const char *profiles;
	double profile_weight;
	char **tasks, **rules;
	size_t ntasks, nrules, tcap, rcap;
	double budget;
	int quiet;
};

static void usage(int status)
{
	if (status != 0) {
		fprintf(stderr, "Try '%s --help' for more information.\n", lmrec_progname());
		exit(status);
	}
	printf("Usage: %s --items FILE --tasks FILE [OPTION]... [GOALS]...\n", lmrec_progname());
	fputs("Break goals into plans of sub-tasks and fill each with the best items.\n"
	      "\n"
	      "Reads a goals stream (session user turn ts text) from the FILEs (none or\n"
	      "'-': standard input): turn 1 of a session is the goal, later turns are what\n"
	      "the user says next. Writes a plan after every turn, one row per placed item:\n"
	      "  session user turn step subtask item score reason\n"
	      "\n"
	      "Inputs:\n"
	      "  -i, --items FILE         the catalog: items stream (required)\n"
	      "  -t, --tasks FILE         the task library: goal keywords step subtask\n"
	      "                           domain categories constraints (required; may\n"
	      "                           be repeated: the rows of every file)\n"
	      "      --rules FILE         context rules: signal value when then note (may\n"
	      "                           be repeated)\n"
	      "      --context FILE       context signals: user ts signal value\n"
	      "      --scores FILE        the users' scores of items: user item score (a\n"
	      "                           candidates or recommendations stream)\n"
	      "      --interactions FILE  interactions (user item): popularity where a user\n"
	      "                           has no score, and the history the objectives use\n"
	      "      --profiles FILE      long-term memory: the profile store as a stream\n"
	      "                           (user kind key weight ts, see lmrec-profile);\n"
	      "                           attribute weights boost items, blocked items\n"
	      "                           are never placed\n"
	      "      --profile-weight W   the largest attribute's boost, as a share of the\n"
	      "                           user's best score (default 0.2)\n"
	      "\n"
	      "Plan:\n"
	      "      --budget N           points a day may spend: price or cost low 1, mid\n"
	      "                           2, high 3, free 0 (default: no budget)\n"
	      "\n"
	      "Output:\n"
	      "  -o, --output FILE        the plans (default: standard output)\n"
	      "      --objectives-out FILE  what each plan scored: session user turn\n"
	      "                           relevance diversity discovery value calibration\n"
	      "      --state-out FILE     what the agent understood after each turn:\n"
	      "                           session user turn goal days place constraints\n"
	      "      --value-key KEY      the numeric attribute of business value (default\n"
	      "                           margin)\n"
	      "      --check FILE         check the plan FILE instead: write its violations\n"
	      "                           (session turn step subtask item violation)\n"
	      "  -q, --quiet              no summary on standard error\n"
	      "  -h, --help               show this help and exit\n"
	      "  -V, --version            show the version and exit\n"
	      "\n"
	      "Examples:\n"
	      "  lmrec-agent -i items.tsv -t tasks.tsv --rules context-rules.tsv \\\n"
	      "      --context context.tsv --budget 6 goals.tsv > plans.tsv\n"
	      "  lmrec-agent -i items.tsv -t tasks.tsv --check plans.tsv goals.tsv\n"
	      "\n"
	      "See lmrec-agent(1).\n",
	      stdout);
	exit(0);
}

enum {
	OPT_RULES = CHAR_MAX + 1,
	OPT_CONTEXT,
	OPT_SCORES,
	OPT_INTERACTIONS,
	OPT_PROFILES,
	OPT_PROFILE_WEIGHT,
	OPT_BUDGET,
	OPT_OBJECTIVES,
	OPT_STATE,
	OPT_VALUE_KEY,
	OPT_CHECK
};

static const struct option long_options[] = {
	{"items", required_argument, NULL, 'i'},
	{"tasks", required_argument, NULL, 't'},
	{"rules", required_argument, NULL, OPT_RULES},
	{"context", required_argument, NULL, OPT_CONTEXT},
	{"scores", required_argument, NULL, OPT_SCORES},
	{"interactions", required_argument, NULL, OPT_INTERACTIONS},
	{"profiles", required_argument, NULL, OPT_PROFILES},
	{"profile-weight", required_argument, NULL, OPT_PROFILE_WEIGHT},
	{"budget", required_argument, NULL, OPT_BUDGET},
	{"output", required_argument, NULL, 'o'},
	{"objectives-out", required_argument, NULL, OPT_OBJECTIVES},
	{"state-out", required_argument, NULL, OPT_STATE},
	{"value-key", required_argument, NULL, OPT_VALUE_KEY},
	{"check", required_argument, NULL, OPT_CHECK},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

/* ---- goals ---- */

struct turn {
	int64_t turn, ts;
	char *text;
	size_t line;
};
struct session {
	char *user;
	struct turn *t;
	size_t n, cap;
	size_t line; /* of its first row */
	const char *file;
};
struct goals {
	struct lmrec_ids *ids;
	struct session *s;
	size_t cap;
};

static int turn_cmp(const void *a, const void *b)
{
	const struct turn *x = a, *y = b;
	return x->turn < y->turn ? -1 : x->turn > y->turn;
}

static void goals_read(struct goals *g, char *const *files, size_t nfiles)
{
	static char *const stdin_only[] = {"-"};
	if (nfiles == 0) {
		files = stdin_only;
		nfiles = 1;
	}
	g->ids = lmrec_ids_new();
	struct lmrec_tsv *first = NULL;
	for (size_t fi = 0; fi < nfiles; fi++) {
		struct lmrec_tsv *r = lmrec_tsv_open(files[fi]);
		if (first)
			lmrec_tsv_same_header(first, r);
		size_t cs = lmrec_tsv_col(r, "session"), cu = lmrec_tsv_col(r, "user"), cn = lmrec_tsv_col(r, "turn"),
		       ct = lmrec_tsv_col(r, "ts"), cx = lmrec_tsv_col(r, "text");
		while (lmrec_tsv_read(r)) {
			struct lmrec_field f = lmrec_tsv_field(r, cs);
			if (f.len == 0)
				lmrec_tsv_die(r, cs, "empty session");
			size_t before = lmrec_ids_count(g->ids);
			uint32_t s = lmrec_ids_intern(g->ids, f.p, f.len);
			struct lmrec_field u = lmrec_tsv_field(r, cu);
			if (u.len == 0)
				lmrec_tsv_die(r, cu, "empty user");
			if (lmrec_ids_count(g->ids) > before) {
				LMREC_GROW(g->s, g->cap, (size_t)s + 1);
				memset(&g->s[s], 0, sizeof g->s[s]);
				g->s[s].user = lmrec_xstrndup(u.p, u.len);
				g->s[s].line = r->lineno;
				g->s[s].file = lmrec_display_name(files[fi]);
			} else if (strlen(g->s[s].user) != u.len || memcmp(g->s[s].user, u.p, u.len) != 0) {
				lmrec_tsv_die(r, cu, "'%.*s' is not the user of session '%.*s' ('%s')", (int)u.len, u.p,
					      (int)f.len, f.p, g->s[s].user);
			}
			struct session *S = &g->s[s];
			struct turn t = {0};
			struct lmrec_field tf = lmrec_tsv_field(r, cn);
			if (lmrec_parse_i64(tf.p, tf.len, &t.turn) != 0 || t.turn < 1)
				lmrec_tsv_die(r, cn, "'%.*s' is not an integer from 1", (int)tf.len, tf.p);
			for (size_t i = 0; i < S->n; i++)
				if (S->t[i].turn == t.turn)
					lmrec_tsv_die(r, cn, "session '%.*s' has a turn %" PRId64 " already (line %zu)",
						      (int)f.len, f.p, t.turn, S->t[i].line);
			t.ts = lmrec_tsv_i64(r, ct);
			struct lmrec_field x = lmrec_tsv_field(r, cx);
			t.text = lmrec_xstrndup(x.p, x.len);
			t.line = r->lineno;
			LMREC_GROW(S->t, S->cap, S->n + 1);
			S->t[S->n++] = t;
		}
		if (first)
			lmrec_tsv_close(r);
		else
			first = r;
	}
	for (size_t s = 0; s < lmrec_ids_count(g->ids); s++) {
		struct session *S = &g->s[s];
		qsort(S->t, S->n, sizeof *S->t, turn_cmp);
		if (S->t[0].turn != 1) {
			size_t n;
			const char *id = lmrec_ids_str(g->ids, (uint32_t)s, &n);
			lmrec_die_at(S->file, S->line, "column 'turn': session '%.*s' has no turn 1 (its goal)", (int)n,
				     id);
		}
	}
	lmrec_tsv_close(first);
}

static void goals_free(struct goals *g)
{
	if (!g->ids)
		return;
	for (size_t s = 0; s < lmrec_ids_count(g->ids); s++) {
		for (size_t i = 0; i < g->s[s].n; i++)
			free(g->s[s].t[i].text);
		free(g->s[s].t);
		free(g->s[s].user);
	}
	free(g->s);
	lmrec_ids_free(g->ids);
}

/* ---- per-user data: scores and histories ---- */

struct uitem {
	uint32_t item;
	float score;
};
struct per_user {
	struct lmrec_ids *users;
	struct uitem **v;
	size_t *n, *cap, ucap;
};

static void per_user_add(struct per_user *p, const char *u, size_t ul, uint32_t item, float score)
{
	if (!p->users)
		p->users = lmrec_ids_new();
	size_t before = lmrec_ids_count(p->users);
	uint32_t k = lmrec_ids_intern(p->users, u, ul);
	if (lmrec_ids_count(p->users) > before && (size_t)k + 1 > p->ucap) {
		size_t old = p->ucap;
		p->ucap = old ? old * 2 : 16;
		while (p->ucap < (size_t)k + 1)
			p->ucap *= 2;
		p->v = lmrec_xreallocarray(p->v, p->ucap, sizeof(struct uitem *));
		p->n = lmrec_xreallocarray(p->n, p->ucap, sizeof *p->n);
		p->cap = lmrec_xreallocarray(p->cap, p->ucap, sizeof *p->cap);
		for (size_t i = old; i < p->ucap; i++) {
			p->v[i] = NULL;
			p->n[i] = p->cap[i] = 0;
		}
	}
	LMREC_GROW(p->v[k], p->cap[k], p->n[k] + 1);
	p->v[k][p->n[k]++] = (struct uitem){item, score};
}

static void per_user_free(struct per_user *p)
{
	if (!p->users)
		return;
	for (size_t i = 0; i < lmrec_ids_count(p->users); i++)
		free(p->v[i]);
	free(p->v);
	free(p->n);
	free(p->cap);
	lmrec_ids_free(p->users);
}

static const struct uitem *per_user_get(const struct per_user *p, const char *u, size_t *n)
{
	*n = 0;
	if (!p->users)
		return NULL;
	int64_t k = lmrec_ids_find(p->users, u, strlen(u));
	if (k < 0)
		return NULL;
	*n = p->n[k];
	return p->v[k];
}

/* Reads user item [score] rows whose item is in the catalog. */
static void read_user_items(struct per_user *p, const struct lmrec_catalog *c, const char *path, int with_score,
			    uint64_t *pop)
{
	struct lmrec_tsv *r = lmrec_tsv_open(path);
	size_t cu = lmrec_tsv_col(r, "user"), ci = lmrec_tsv_col(r, "item");
	size_t cs = with_score ? lmrec_tsv_col(r, "score") : 0;
	while (lmrec_tsv_read(r)) {
		struct lmrec_field f = lmrec_tsv_field(r, ci);
		int64_t i = lmrec_catalog_find(c, f.p, f.len);
		float s = with_score ? lmrec_tsv_f32(r, cs) : 1;
		if (i < 0)
			continue;
		if (pop)
			pop[i]++;
		struct lmrec_field u = lmrec_tsv_field(r, cu);
		per_user_add(p, u.p, u.len, (uint32_t)i, s);
	}
	lmrec_tsv_close(r);
}

/* ---- long-term memory ---- */

/* The user's long-term memory (prefs.h) into the session's scores: each
 * attribute pair's boost is worth at most weight * the user's best score
 * (popularity or --scores; 1 when none), so that it is commensurate with
 * the scores it reorders; the reasons name the pairs. Blocked items of
 * the catalog are marked in block (n items), which sc->blocked then
 * points to. */
static void apply_profile(const struct lmrec_prefs *pf, const struct lmrec_catalog *c, const char *user,
			  double weight, struct lmrec_agent_scores *sc, unsigned char *block)
{
	const struct lmrec_prefs_user *u = lmrec_prefs_find(pf, user, strlen(user));
	memset(block, 0, c->n + 1);
	sc->blocked = NULL;
	sc->prefs = NULL;
	sc->pu = NULL;
	if (!u)
		return;
	for (size_t j = 0; j < u->nb; j++) {
		size_t n;
		const char *id = lmrec_ids_str(pf->items, u->blocked[j], &n);
		int64_t i = lmrec_catalog_find(c, id, n);
		if (i >= 0) {
			block[i] = 1;
			sc->blocked = block;
		}
	}
	if (u->np == 0 || u->wmax == 0 || weight == 0)
		return;
	double smax = 0;
	for (size_t i = 0; i < c->n; i++)
		if (sc->tier[i] != LMREC_TIER_CATALOG && sc->score[i] > smax)
			smax = sc->score[i];
	if (smax == 0)
		smax = 1;
	sc->prefs = pf;
	sc->pu = u;
	sc->unit = weight * smax;
	for (size_t i = 0; i < c->n; i++)
		sc->score[i] += lmrec_prefs_boost(pf, u, (uint32_t)i, sc->unit);
}

/* ---- objectives ---- */

static void put_opt(struct lmrec_out *o, int have, double v)
{
	lmrec_out_tab(o);
	if (have)
		lmrec_out_printf(o, "%.6f", v);
}

/* The numeric value of key in item i, or 0. */
static double num_value(const struct lmrec_catalog *c, int64_t key, uint32_t i)
{
	if (key < 0)
		return 0;
	int64_t v = lmrec_catalog_value(c, i, (uint32_t)key);
	if (v < 0)
		return 0;
	size_t n;
	const char *s = lmrec_ids_str(c->values, (uint32_t)v, &n);
	double d;
	return lmrec_parse_double(s, n, &d) == 0 ? d : 0;
}

static void objectives(struct lmrec_out *o, const struct lmrec_catalog *c, const struct lmrec_agent_plan *p,
		       const char *sid, size_t sl, const char *user, int64_t turn, const struct uitem *us, size_t nus,
		       int have_scores, const struct uitem *hist, size_t nhist, int have_hist, int64_t value_key,
		       const unsigned char *scored)
{
	size_t ncat = lmrec_ids_count(c->categories);
	size_t n = 0;
	double rel = 0, val = 0;
	uint32_t *it = lmrec_xmalloc((p->nr + 1) * sizeof *it);
	for (size_t k = 0; k < p->nr; k++)
		if (p->r[k].item >= 0)
			it[n++] = (uint32_t)p->r[k].item;
	for (size_t k = 0; k < n; k++) {
		if (scored[it[k]])
			for (size_t j = 0; j < nus; j++)
				if (us[j].item == it[k]) {
					rel += us[j].score;
					break;
				}
		val += num_value(c, value_key, it[k]);
	}
	double div = 0;
	size_t pairs = 0;
	for (size_t a = 0; a < n; a++)
		for (size_t b = a + 1; b < n; b++, pairs++)
			div += 1 - lmrec_catalog_jaccard(c, it[a], it[b]);
	double *hq = lmrec_xcalloc(ncat + 1, sizeof *hq), *pq = lmrec_xcalloc(ncat + 1, sizeof *pq);
	for (size_t j = 0; j < nhist; j++)
		if (c->category[hist[j].item] >= 0)
			hq[c->category[hist[j].item]] += 1;
	size_t newcat = 0;
	for (size_t k = 0; k < n; k++) {
		int32_t k2 = c->category[it[k]];
		if (k2 < 0 || hq[k2] == 0)
			newcat++;
		if (k2 >= 0)
			pq[k2] += 1;
	}
	double hs = 0, ps = 0, tv = 0;
	for (size_t k = 0; k < ncat; k++)
		hs += hq[k], ps += pq[k];
	for (size_t k = 0; k < ncat && hs > 0 && ps > 0; k++)
		tv += fabs(hq[k] / hs - pq[k] / ps);
	lmrec_out_write(o, sid, sl);
	lmrec_out_tab(o);
	lmrec_out_str(o, user);
	lmrec_out_tab(o);
	lmrec_out_i64(o, turn);
	put_opt(o, have_scores && n > 0, n ? rel / (double)n : 0);
	put_opt(o, pairs > 0, pairs ? div / (double)pairs : 0);
	put_opt(o, have_hist && n > 0, n ? (double)newcat / (double)n : 0);
	put_opt(o, value_key >= 0 && n > 0, n ? val / (double)n : 0);
	put_opt(o, have_hist && hs > 0 && ps > 0, 1 - tv / 2);
	lmrec_out_eol(o);
	(void)nus;
	free(hq);
	free(pq);
	free(it);
}

/* ---- checking a plan ---- */

struct prow {
	char *session, *subtask, *item, *step;
	int64_t turn;
	size_t line;
};

static void check_plan(struct lmrec_out *o, const struct lmrec_agent_lib *l, const struct lmrec_agent_plan *p,
		       const struct lmrec_agent_fill *f, const char *sid, size_t sl, int64_t turn,
		       const struct prow *rows, size_t nr, size_t *nviol, size_t *nunfilled)
{
	const struct lmrec_catalog *c = l->cat;
	size_t nk = lmrec_ids_count(c->keys);
	int64_t *anchor = lmrec_xmalloc((nk + 1) * sizeof *anchor);
	for (size_t k = 0; k < nk; k++)
		anchor[k] = -1;
	int64_t cat_anchor = -1;
	if (l->place_key >= 0) {
		if (f->mem && f->mem->place >= 0)
			anchor[l->place_key] = f->mem->place;
		else if (f->now && f->now->sig[LMREC_SIG_PLACE]) {
			const char *v = f->now->sig[LMREC_SIG_PLACE]->value;
			anchor[l->place_key] = lmrec_ids_find(c->values, v, strlen(v));
		}
	}
	int any_per_day = 0;
	for (size_t j = 0; j < p->nt; j++)
		any_per_day |= p->t[j].per_day;
	size_t days = any_per_day && f->mem && f->mem->days ? f->mem->days : 1;
	unsigned char *used = lmrec_xcalloc(c->n + 1, 1);
	unsigned char *seen = lmrec_xcalloc((days + 1) * (p->nt + 1), 1);
	double *spent = lmrec_xcalloc(days + 2, sizeof *spent);
	char *buf = NULL;
	size_t blen = 0, bcap = 0;
#define VIOL(r, msg, ...)                                                                                      \
	do {                                                                                                   \
		lmrec_out_write(o, sid, sl);                                                                   \
		lmrec_out_tab(o);                                                                              \
		lmrec_out_i64(o, turn);                                                                        \
		lmrec_out_printf(o, "\t%s\t%s\t%s\t" msg "\n", (r)->step, (r)->subtask, (r)->item, __VA_ARGS__); \
		(*nviol)++;                                                                                    \
	} while (0)
	for (size_t k = 0; k < nr && p->goal < 0; k++) {
		/* no pattern matched: one row, empty, says so */
		const struct prow *r = &rows[k];
		if (k == 0 && r->subtask[0] == '\0' && r->item[0] == '\0')
			(*nunfilled)++;
		else
			VIOL(r, "%s", "the goal matches no pattern: one empty row expected");
	}
	if (p->goal < 0 && nr == 0) {
		lmrec_out_write(o, sid, sl);
		lmrec_out_tab(o);
		lmrec_out_i64(o, turn);
		lmrec_out_str(o, "\t1\t\t\tmissing\n");
		(*nviol)++;
	}
	for (size_t k = 0; k < nr && p->goal >= 0; k++) {
		const struct prow *r = &rows[k];
		/* step: S, or D.S in a multi-day plan */
		size_t day = 1, step;
		char *dot = strchr(r->step, '.');
		int64_t a, b = 0;
		int ok = dot ? lmrec_parse_i64(r->step, (size_t)(dot - r->step), &a) == 0 &&
				       lmrec_parse_i64(dot + 1, strlen(dot + 1), &b) == 0
			     : lmrec_parse_i64(r->step, strlen(r->step), &a) == 0;
		if (!ok || a < 1 || (dot && b < 1) || (dot != NULL) != (days > 1)) {
			VIOL(r, "step '%s' is not %s", r->step, days > 1 ? "DAY.STEP" : "a step number");
			continue;
		}
		day = dot ? (size_t)a : 1;
		step = dot ? (size_t)b : (size_t)a;
		if (day > days) {
			VIOL(r, "day %zu of a %zu-day plan", day, days);
			continue;
		}
		size_t j = 0;
		while (j < p->nt && !((size_t)p->t[j].step == step && strcmp(p->t[j].subtask, r->subtask) == 0))
			j++;
		if (j == p->nt) {
			VIOL(r, "%s", "no such sub-task at this step (after rules and memory)");
			continue;
		}
		const struct lmrec_agent_task *t = &p->t[j];
		if (!t->per_day && day > 1) {
			VIOL(r, "%s", "a sub-task of day 1 only");
			continue;
		}
		if (seen[day * (p->nt + 1) + j]++) {
			VIOL(r, "%s", "the sub-task has a row already");
			continue;
		}
		if (r->item[0] == '\0') {
			(*nunfilled)++;
			continue;
		}
		int64_t i = lmrec_catalog_find(c, r->item, strlen(r->item));
		if (i < 0) {
			VIOL(r, "%s", "not in the catalog");
			continue;
		}
		if (!lmrec_agent_in_task(c, t, (uint32_t)i))
			VIOL(r, "%s", "not an available item of the sub-task's domain and categories");
		if (f->sc && f->sc->blocked && f->sc->blocked[i])
			VIOL(r, "%s", "refused by the user (blocked in the profile store)");
		for (size_t q = 0; q < t->nc; q++) {
			const struct lmrec_agent_cons *x = &t->c[q];
			int64_t an = x->key == LMREC_AGENT_KEY_CATEGORY ? cat_anchor : anchor[x->key];
			if (!lmrec_agent_keeps(l, (uint32_t)i, x, an)) {
				blen = 0;
				struct lmrec_agent_cons y = *x;
				if (x->op == LMREC_AGENT_SAME) {
					y.op = LMREC_AGENT_EQ;
					y.value = an;
				}
				lmrec_agent_cons_text(l, &y, &buf, &blen, &bcap);
				VIOL(r, "breaks %s", buf);
			}
		}
		if (used[i]++)
			VIOL(r, "%s", "repeats an item of the plan");
		spent[day] += lmrec_agent_cost(l, (uint32_t)i);
		if (spent[day] > f->budget)
			VIOL(r, "day %zu spends %g of a budget of %g", day, spent[day], f->budget);
		for (size_t kk = 0; kk < nk; kk++)
			if (anchor[kk] < 0)
				anchor[kk] = lmrec_catalog_value(c, (uint32_t)i, (uint32_t)kk);
		if (cat_anchor < 0)
			cat_anchor = c->category[i];
	}
	for (size_t d = 1; d <= days; d++)
		for (size_t j = 0; j < p->nt; j++) {
			if ((!p->t[j].per_day && d > 1) || seen[d * (p->nt + 1) + j])
				continue;
			lmrec_out_write(o, sid, sl);
			lmrec_out_tab(o);
			lmrec_out_i64(o, turn);
			if (days > 1)
				lmrec_out_printf(o, "\t%zu.%" PRId64, d, p->t[j].step);
			else
				lmrec_out_printf(o, "\t%" PRId64, p->t[j].step);
			lmrec_out_printf(o, "\t%s\t\tmissing\n", p->t[j].subtask);
			(*nviol)++;
		}
#undef VIOL
	free(buf);
	free(anchor);
	free(used);
	free(seen);
	free(spent);
}

/* Reads the plan to check, grouped by (session, turn) in file order. */
static struct prow *read_plan(const char *path, size_t *n)
{
	struct lmrec_tsv *r = lmrec_tsv_open(path);
	size_t cs = lmrec_tsv_col(r, "session"), ct = lmrec_tsv_col(r, "turn"), cp = lmrec_tsv_col(r, "step"),
	       cb = lmrec_tsv_col(r, "subtask"), ci = lmrec_tsv_col(r, "item");
	struct prow *v = NULL;
	size_t cap = 0;
	*n = 0;
	while (lmrec_tsv_read(r)) {
		LMREC_GROW(v, cap, *n + 1);
		struct prow *x = &v[*n];
		struct lmrec_field f = lmrec_tsv_field(r, ct);
		if (lmrec_parse_i64(f.p, f.len, &x->turn) != 0 || x->turn < 1)
			lmrec_tsv_die(r, ct, "'%.*s' is not an integer from 1", (int)f.len, f.p);
		f = lmrec_tsv_field(r, cs);
		x->session = lmrec_xstrndup(f.p, f.len);
		f = lmrec_tsv_field(r, cp);
		x->step = lmrec_xstrndup(f.p, f.len);
		f = lmrec_tsv_field(r, cb);
		x->subtask = lmrec_xstrndup(f.p, f.len);
		f = lmrec_tsv_field(r, ci);
		x->item = lmrec_xstrndup(f.p, f.len);
		x->line = r->lineno;
		(*n)++;
	}
	lmrec_tsv_close(r);
	return v;
}

/* ---- the run ---- */

static int run(const struct opts *o, char *const *files, size_t nfiles)
{
	struct lmrec_catalog cat;
	lmrec_catalog_load(&cat, o->items);
	struct lmrec_agent_lib lib;
	lmrec_agent_lib_load(&lib, &cat, o->tasks, o->ntasks);
	struct lmrec_agent_rules rules = {0};
	lmrec_agent_rules_load(&rules, &lib, o->rules, o->nrules);
	struct lmrec_agent_context ctx = {0};
	if (o->context)
		lmrec_agent_context_load(&ctx, &lib, o->context);
	struct per_user scores = {0}, hist = {0};
	uint64_t *pop = lmrec_xcalloc(cat.n + 1, sizeof *pop);
	if (o->scores)
		read_user_items(&scores, &cat, o->scores, 1, NULL);
	if (o->interactions)
		read_user_items(&hist, &cat, o->interactions, 0, pop);
	struct lmrec_prefs pf;
	lmrec_prefs_init(&pf, &cat);
	if (o->profiles)
		lmrec_prefs_load(&pf, o->profiles);
	unsigned char *block = lmrec_xcalloc(cat.n + 1, 1);
	struct prow *prows = NULL;
	size_t nprows = 0;
	if (o->check)
		prows = read_plan(o->check, &nprows);
	struct goals g = {0};
	goals_read(&g, files, nfiles);
	int64_t value_key = lmrec_ids_find(cat.keys, o->value_key, strlen(o->value_key));

	struct lmrec_out *out = lmrec_out_open(o->output);
	struct lmrec_out *obj = o->objectives && !o->check ? lmrec_out_open(o->objectives) : NULL;
	if (o->check)
		lmrec_out_str(out, "session\tturn\tstep\tsubtask\titem\tviolation\n");
	else
		lmrec_out_str(out, "session\tuser\tturn\tstep\tsubtask\titem\tscore\treason\n");
	if (obj)
		lmrec_out_str(obj, "session\tuser\tturn\trelevance\tdiversity\tdiscovery\tvalue\tcalibration\n");
	struct lmrec_out *st = o->state && !o->check ? lmrec_out_open(o->state) : NULL;
	if (st)
		lmrec_out_str(st, "session\tuser\tturn\tgoal\tdays\tplace\tconstraints\n");
	char *cbuf = NULL;
	size_t clen = 0, ccap = 0;
	struct lmrec_agent_parser *parser = lmrec_agent_parser_new(&lib);
	struct lmrec_agent_scores sc = {lmrec_xmalloc(cat.n + 1), lmrec_xmalloc((cat.n + 1) * sizeof(double)), NULL,
					 NULL, NULL, 0};
	unsigned char *scored = lmrec_xcalloc(cat.n + 1, 1);
	unsigned char *checked = lmrec_xcalloc(nprows + 1, 1);
	size_t nsess = lmrec_ids_count(g.ids), nplans = 0, nrows = 0, nunfilled = 0, nviol = 0, ncunfilled = 0;
	uint32_t *sorted = lmrec_ids_sorted(g.ids);
	for (size_t si = 0; si < nsess; si++) {
		uint32_t s = sorted[si];
		const struct session *S = &g.s[s];
		size_t sl;
		const char *sid = lmrec_ids_str(g.ids, s, &sl);
		/* the user's scores: user, then popularity, then the catalog */
		size_t nus, nh;
		const struct uitem *us = per_user_get(&scores, S->user, &nus);
		const struct uitem *uh = per_user_get(&hist, S->user, &nh);
		for (size_t i = 0; i < cat.n; i++) {
			sc.tier[i] = pop[i] ? LMREC_TIER_POPULAR : LMREC_TIER_CATALOG;
			sc.score[i] = (double)pop[i];
			scored[i] = 0;
		}
		for (size_t j = 0; j < nus; j++) {
			uint32_t i = us[j].item;
			if (!scored[i] || us[j].score > sc.score[i])
				sc.score[i] = us[j].score;
			sc.tier[i] = LMREC_TIER_USER;
			scored[i] = 1;
		}
		sc.blocked = NULL;
		sc.prefs = NULL;
		sc.pu = NULL;
		if (o->profiles)
			apply_profile(&pf, &cat, S->user, o->profile_weight, &sc, block);
		size_t score;
		int64_t goal = lmrec_agent_lib_match(&lib, S->t[0].text, strlen(S->t[0].text), &score);
		struct lmrec_agent_memory mem = {0};
		mem.place = -1;
		for (size_t ti = 0; ti < S->n; ti++) {
			const struct turn *T = &S->t[ti];
			lmrec_agent_memory_read(parser, &mem, T->text, strlen(T->text), (size_t)T->turn);
			struct lmrec_agent_now now;
			lmrec_agent_context_at(&ctx, S->user, strlen(S->user), T->ts, &now);
			struct lmrec_agent_fill f = {&lib, &rules, &now, &mem, &sc, o->budget};
			struct lmrec_agent_plan p;
			lmrec_agent_plan_tasks(&p, &f, goal);
			nplans++;
			if (o->check) {
				/* this plan's rows */
				size_t a = 0;
				struct prow *mine = lmrec_xmalloc((nprows + 1) * sizeof *mine);
				size_t nm = 0;
				for (; a < nprows; a++)
					if (!checked[a] && prows[a].turn == T->turn && strlen(prows[a].session) == sl &&
					    memcmp(prows[a].session, sid, sl) == 0) {
						mine[nm++] = prows[a];
						checked[a] = 1;
					}
				check_plan(out, &lib, &p, &f, sid, sl, T->turn, mine, nm, &nviol, &ncunfilled);
				free(mine);
				lmrec_agent_plan_free(&p);
				continue;
			}
			lmrec_agent_plan_fill(&p, &f);
			if (goal < 0) {
				lmrec_out_write(out, sid, sl);
				lmrec_out_printf(out, "\t%s\t%" PRId64 "\t1\t\t\t\t", S->user, T->turn);
				lmrec_out_str(out, "no goal of the task library matches the goal's words");
				lmrec_out_eol(out);
				nrows++;
				nunfilled++;
			}
			for (size_t k = 0; k < p.nr; k++) {
				const struct lmrec_agent_row *r = &p.r[k];
				lmrec_out_write(out, sid, sl);
				lmrec_out_printf(out, "\t%s\t%" PRId64 "\t", S->user, T->turn);
				if (r->day)
					lmrec_out_printf(out, "%zu.%zu", r->day, r->step);
				else
					lmrec_out_printf(out, "%zu", r->step);
				lmrec_out_tab(out);
				lmrec_out_str(out, p.t[r->task].subtask);
				lmrec_out_tab(out);
				if (r->item >= 0) {
					size_t n;
					const char *id = lmrec_ids_str(cat.items, (uint32_t)r->item, &n);
					lmrec_out_write(out, id, n);
					lmrec_out_tab(out);
					if (r->tier == LMREC_TIER_USER)
						lmrec_out_f32(out, (float)r->score);
					else if (r->tier == LMREC_TIER_POPULAR)
						lmrec_out_printf(out, "%.17g", r->score);
				} else {
					lmrec_out_tab(out);
					nunfilled++;
				}
				lmrec_out_tab(out);
				lmrec_out_field(out, r->reason, strlen(r->reason));
				lmrec_out_eol(out);
				nrows++;
			}
			if (st) {
				lmrec_out_write(st, sid, sl);
				lmrec_out_printf(st, "\t%s\t%" PRId64 "\t%s\t%zu\t", S->user, T->turn,
						 goal >= 0 ? lib.g[goal].name : "", mem.days ? mem.days : (size_t)1);
				if (mem.place >= 0) {
					size_t n;
					const char *pl = lmrec_ids_str(cat.values, (uint32_t)mem.place, &n);
					lmrec_out_write(st, pl, n);
				}
				lmrec_out_tab(st);
				clen = 0;
				for (size_t k = 0; k < mem.n; k++) {
					if (k) {
						LMREC_GROW(cbuf, ccap, clen + 1);
						cbuf[clen++] = ';';
					}
					lmrec_agent_cons_text(&lib, &mem.c[k], &cbuf, &clen, &ccap);
				}
				lmrec_out_field(st, cbuf ? cbuf : "", clen);
				lmrec_out_eol(st);
			}
			if (obj)
				objectives(obj, &cat, &p, sid, sl, S->user, T->turn, us, nus, o->scores != NULL, uh, nh,
					   o->interactions != NULL, value_key, scored);
			lmrec_agent_plan_free(&p);
		}
		lmrec_agent_memory_free(&mem);
	}
	if (o->check) {
		for (size_t a = 0; a < nprows; a++)
			if (!checked[a]) {
				lmrec_out_printf(out, "%s\t%" PRId64 "\t%s\t%s\t%s\tno such session and turn in the goals\n",
						 prows[a].session, prows[a].turn, prows[a].step, prows[a].subtask,
						 prows[a].item);
				nviol++;
			}
		if (!o->quiet)
			lmrec_warn("checked %zu rows of %zu plans: %zu violations, %zu unfilled sub-tasks", nprows, nplans,
				   nviol, ncunfilled);
	} else if (!o->quiet) {
		lmrec_warn("%zu sessions, %zu plans, %zu rows, %zu unfilled", nsess, nplans, nrows, nunfilled);
	}
	lmrec_out_commit(out);
	if (obj)
		lmrec_out_commit(obj);
	if (st)
		lmrec_out_commit(st);
	free(cbuf);
	for (size_t a = 0; a < nprows; a++) {
		free(prows[a].session);
		free(prows[a].step);
		free(prows[a].subtask);
		free(prows[a].item);
	}
	free(prows);
	free(checked);
	free(sorted);
	free(scored);
	free(sc.tier);
	free(sc.score);
	free(pop);
	lmrec_agent_parser_free(parser);
	goals_free(&g);
	per_user_free(&scores);
	per_user_free(&hist);
	lmrec_prefs_free(&pf);
	free(block);
	lmrec_agent_context_free(&ctx);
	lmrec_agent_rules_free(&rules);
	lmrec_agent_lib_free(&lib);
	lmrec_catalog_free(&cat);
	return 0;
}

int main(int argc, char **argv)
{
	lmrec_setprogname(argv[0]);
	struct opts o = {.budget = INFINITY, .value_key = "margin", .profile_weight = 0.2};
	int c;
	while ((c = getopt_long(argc, argv, "i:t:o:qhV", long_options, NULL)) != -1) {
		switch (c) {
		case 'i': o.items = optarg; break; /* --items */
		case 't':                          /* --tasks */
			LMREC_GROW(o.tasks, o.tcap, o.ntasks + 1);
			o.tasks[o.ntasks++] = optarg;
			break;
		case OPT_RULES: /* --rules */
			LMREC_GROW(o.rules, o.rcap, o.nrules + 1);
			o.rules[o.nrules++] = optarg;
			break;
		case OPT_CONTEXT: o.context = optarg; break;           /* --context */
		case OPT_SCORES: o.scores = optarg; break;             /* --scores */
		case OPT_INTERACTIONS: o.interactions = optarg; break; /* --interactions */
		case OPT_PROFILES: o.profiles = optarg; break;         /* --profiles */
		case OPT_PROFILE_WEIGHT: /* --profile-weight */
			o.profile_weight = lmrec_opt_double("--profile-weight", optarg, 0, 1e6);
			break;
		case OPT_BUDGET: o.budget = lmrec_opt_double("--budget", optarg, 0, 1e9); break; /* --budget */
		case 'o': o.output = optarg; break;                    /* --output */
		case OPT_OBJECTIVES: o.objectives = optarg; break;     /* --objectives-out */
		case OPT_STATE: o.state = optarg; break;               /* --state-out */
		case OPT_VALUE_KEY: o.value_key = optarg; break;       /* --value-key */
		case OPT_CHECK: o.check = optarg; break;               /* --check */
		case 'q': o.quiet = 1; break;                          /* --quiet */
		case 'h': free(o.tasks); free(o.rules); usage(0); break; /* --help */
		case 'V':                                              /* --version */
			free(o.tasks);
			free(o.rules);
			lmrec_print_version();
			lmrec_close_stdout();
			return 0;
		default: free(o.tasks); free(o.rules); usage(LMREC_EXIT_USAGE);
		}
	}
	if (!o.items || !o.ntasks) {
		free(o.tasks);
		free(o.rules);
		lmrec_usage_error("--items and --tasks are required");
	}
	if (o.check && (o.objectives || o.state)) {
		free(o.tasks);
		free(o.rules);
		lmrec_usage_error("--check excludes --objectives-out and --state-out");
	}
	int rc = run(&o, argv + optind, (size_t)(argc - optind));
	free(o.tasks);
	free(o.rules);
	lmrec_close_stdout();
	return rc;
}

/* lmrec — the agent's context: the signals of a user's context stream,
 * the current values at a time, and the context rules (agent.h). */
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "agent_int.h"
#include "tsv.h"
#include "util.h"

/* ---- context ---- */

const char *const lmrec_agent_signal_names[LMREC_SIG_N] = {"weather", "daypart", "day", "place", "temp"};

static const char *const weather_values[] = {"sun", "cloud", "rain", "snow", NULL};
static const char *const daypart_values[] = {"morning", "afternoon", "evening", "night", NULL};
static const char *const day_values[] = {"weekday", "weekend", NULL};

static int sig_index(const char *p, size_t n)
{
	for (int s = 0; s < LMREC_SIG_N; s++)
		if (eq(p, n, lmrec_agent_signal_names[s]))
			return s;
	return -1;
}

static int in_values(const char *const *v, const char *p, size_t n)
{
	for (; *v; v++)
		if (eq(p, n, *v))
			return 1;
	return 0;
}

/* Checks a signal's value: NULL, or what is wrong. */
static const char *sig_value_check(const struct lmrec_agent_lib *l, int s, const char *p, size_t n, int64_t *num)
{
	switch (s) {
	case LMREC_SIG_WEATHER:
		return in_values(weather_values, p, n) ? NULL : "is not a weather (sun, cloud, rain or snow)";
	case LMREC_SIG_DAYPART:
		return in_values(daypart_values, p, n) ? NULL
						       : "is not a daypart (morning, afternoon, evening or night)";
	case LMREC_SIG_DAY:
		return in_values(day_values, p, n) ? NULL : "is not a day (weekday or weekend)";
	case LMREC_SIG_PLACE:
		if (l->place_key < 0)
			return NULL;
		{
			int64_t v = value_index(l->cat, p, n);
			return v >= 0 && l->is_town[v] ? NULL : "is not a town of the catalog";
		}
	default:
		return lmrec_parse_i64(p, n, num) == 0 ? NULL : "is not an integer (degrees C)";
	}
}

static int ctx_cmp(const void *a, const void *b)
{
	const struct lmrec_agent_ctxrow *x = a, *y = b;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void lmrec_agent_context_load(struct lmrec_agent_context *x, const struct lmrec_agent_lib *l, const char *path)
{
	memset(x, 0, sizeof *x);
	x->users = lmrec_ids_new();
	size_t ucap = 0, *rcap = NULL;
	struct lmrec_tsv *r = lmrec_tsv_open(path);
	size_t cu = lmrec_tsv_col(r, "user"), ct = lmrec_tsv_col(r, "ts"), cs = lmrec_tsv_col(r, "signal"),
	       cv = lmrec_tsv_col(r, "value");
	while (lmrec_tsv_read(r)) {
		struct lmrec_field f = lmrec_tsv_field(r, cu);
		if (f.len == 0)
			lmrec_tsv_die(r, cu, "empty user");
		size_t before = lmrec_ids_count(x->users);
		uint32_t u = lmrec_ids_intern(x->users, f.p, f.len);
		if (lmrec_ids_count(x->users) > before) {
			size_t old = ucap;
			lmrec_grow((void **)&x->rows, &ucap, (size_t)u + 1, sizeof(struct lmrec_agent_ctxrow *));
			x->nrows = lmrec_xreallocarray(x->nrows, ucap, sizeof *x->nrows);
			rcap = lmrec_xreallocarray(rcap, ucap, sizeof *rcap);
			for (size_t i = old; i < ucap; i++) {
				x->rows[i] = NULL;
				x->nrows[i] = rcap[i] = 0;
			}
		}
		struct lmrec_agent_ctxrow row = {0};
		row.seq = r->lineno;
		row.ts = lmrec_tsv_i64(r, ct);
		f = lmrec_tsv_field(r, cs);
		row.sig = sig_index(f.p, f.len);
		if (row.sig < 0)
			lmrec_tsv_die(r, cs, "'%.*s' is not a signal (weather, daypart, day, place or temp)", (int)f.len,
				      f.p);
		f = lmrec_tsv_field(r, cv);
		const char *err = sig_value_check(l, row.sig, f.p, f.len, &row.num);
		if (err)
			lmrec_tsv_die(r, cv, "'%.*s' %s", (int)f.len, f.p, err);
		row.value = lmrec_xstrndup(f.p, f.len);
		LMREC_GROW(x->rows[u], rcap[u], x->nrows[u] + 1);
		x->rows[u][x->nrows[u]++] = row;
	}
	lmrec_tsv_close(r);
	free(rcap);
	/* by ts, ties in input order */
	for (size_t u = 0; u < lmrec_ids_count(x->users); u++)
		if (x->nrows[u] > 1)
			qsort(x->rows[u], x->nrows[u], sizeof *x->rows[u], ctx_cmp);
}

void lmrec_agent_context_free(struct lmrec_agent_context *x)
{
	if (!x->users)
		return;
	for (size_t u = 0; u < lmrec_ids_count(x->users); u++) {
		for (size_t i = 0; i < x->nrows[u]; i++)
			free(x->rows[u][i].value);
		free(x->rows[u]);
	}
	free(x->rows);
	free(x->nrows);
	lmrec_ids_free(x->users);
	memset(x, 0, sizeof *x);
}

void lmrec_agent_context_at(const struct lmrec_agent_context *x, const char *user, size_t len, int64_t ts,
			    struct lmrec_agent_now *now)
{
	memset(now, 0, sizeof *now);
	if (!x || !x->users)
		return;
	int64_t u = lmrec_ids_find(x->users, user, len);
	if (u < 0)
		return;
	for (size_t i = 0; i < x->nrows[u] && x->rows[u][i].ts <= ts; i++)
		now->sig[x->rows[u][i].sig] = &x->rows[u][i];
}

/* ---- context rules ---- */

static int lib_has_subtask(const struct lmrec_agent_lib *l, const char *p, size_t n)
{
	for (size_t j = 0; j < l->n; j++)
		if (eq(p, n, l->t[j].subtask))
			return 1;
	return 0;
}

/* when/then: subtask=NAME, key=value or key!=value. */
static void rule_part(const struct lmrec_agent_lib *l, struct lmrec_tsv *r, size_t col, int *is_sub, char **name,
		      struct lmrec_agent_cons *c, int then)
{
	struct lmrec_field f = lmrec_tsv_field(r, col);
	if (f.len > 8 && memcmp(f.p, "subtask=", 8) == 0) {
		*is_sub = 1;
		if (then && !lib_has_subtask(l, f.p + 8, f.len - 8))
			lmrec_tsv_die(r, col, "'%.*s': no goal of the task library has the subtask '%.*s'", (int)f.len,
				      f.p, (int)(f.len - 8), f.p + 8);
		*name = lmrec_xstrndup(f.p + 8, f.len - 8);
		return;
	}
	char *msg = NULL;
	const char *err = lmrec_agent_cons_parse(l->cat, f.p, f.len, c, &msg);
	if (!err && c->op == LMREC_AGENT_SAME)
		err = "is not key=value, key!=value or subtask=NAME";
	if (err)
		lmrec_tsv_die(r, col, "'%.*s' %s", (int)f.len, f.p, err);
	c->src = LMREC_AGENT_RULE;
}

void lmrec_agent_rules_load(struct lmrec_agent_rules *rs, const struct lmrec_agent_lib *l, char *const *files,
			    size_t nfiles)
{
	memset(rs, 0, sizeof *rs);
	size_t cap = 0;
	for (size_t fi = 0; fi < nfiles; fi++) {
		struct lmrec_tsv *r = lmrec_tsv_open(files[fi]);
		size_t cs = lmrec_tsv_col(r, "signal"), cv = lmrec_tsv_col(r, "value"), cw = lmrec_tsv_col(r, "when"),
		       ct = lmrec_tsv_col(r, "then");
		long cn = lmrec_tsv_col_opt(r, "note");
		while (lmrec_tsv_read(r)) {
			LMREC_GROW(rs->r, cap, rs->n + 1);
			struct lmrec_agent_rule *x = &rs->r[rs->n];
			memset(x, 0, sizeof *x);
			x->line = r->lineno;
			struct lmrec_field f = lmrec_tsv_field(r, cs);
			x->sig = sig_index(f.p, f.len);
			if (x->sig < 0)
				lmrec_tsv_die(r, cs, "'%.*s' is not a signal (weather, daypart, day, place or temp)",
					      (int)f.len, f.p);
			f = lmrec_tsv_field(r, cv);
			x->cmp = '=';
			const char *vp = f.p;
			size_t vl = f.len;
			if (x->sig == LMREC_SIG_TEMP && vl > 0 && (vp[0] == '<' || vp[0] == '>')) {
				x->cmp = vp[0];
				vp++;
				vl--;
			}
			const char *err = sig_value_check(l, x->sig, vp, vl, &x->num);
			if (err)
				lmrec_tsv_die(r, cv, "'%.*s' %s%s", (int)f.len, f.p, err,
					      x->sig == LMREC_SIG_TEMP ? " after an optional < or >" : "");
			x->value = lmrec_xstrndup(f.p, f.len);
			rs->n++; /* counted before the parts can die, so the free sees it */
			rule_part(l, r, cw, &x->when_subtask, &x->when_name, &x->when, 0);
			rule_part(l, r, ct, &x->then_subtask, &x->then_name, &x->then, 1);
			x->note = lmrec_agent_field_dup(r, cn);
		}
		lmrec_tsv_close(r);
	}
}

void lmrec_agent_rules_free(struct lmrec_agent_rules *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		free(rs->r[i].value);
		free(rs->r[i].when_name);
		free(rs->r[i].then_name);
		free(rs->r[i].note);
	}
	free(rs->r);
	memset(rs, 0, sizeof *rs);
}

int lmrec_agent_rule_fires(const struct lmrec_agent_rule *r, const struct lmrec_agent_now *now)
{
	const struct lmrec_agent_ctxrow *c = now ? now->sig[r->sig] : NULL;
	if (!c)
		return 0;
	if (r->sig == LMREC_SIG_TEMP)
		return r->cmp == '<' ? c->num < r->num : r->cmp == '>' ? c->num > r->num : c->num == r->num;
	return strcmp(c->value, r->value) == 0;
}

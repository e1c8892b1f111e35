/* lmrec — the agent's plans: a goal's effective sub-tasks (the library's,
 * context rules and the memory applied) and their filling with the best
 * items that keep every constraint (agent.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "agent_int.h"
#include "util.h"

/* Appends printf(3)-formatted text. */
static void sb_printf(struct sbuf *b, const char *fmt, ...) LMREC_PRINTF(2, 3);
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		lmrec_die(LMREC_EXIT_FAIL, "vsnprintf:");
	LMREC_GROW(b->p, b->cap, b->len + (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* Appends a constraint as lmrec_agent_cons_text writes it. */
static void cons_append(struct sbuf *b, const struct lmrec_agent_lib *l, const struct lmrec_agent_cons *c)
{
	lmrec_agent_cons_text(l, c, &b->p, &b->len, &b->cap);
}

double lmrec_agent_cost(const struct lmrec_agent_lib *l, uint32_t item)
{
	int64_t keys[2] = {l->price_key, l->cost_key};
	for (int k = 0; k < 2; k++) {
		if (keys[k] < 0)
			continue;
		int64_t v = lmrec_catalog_value(l->cat, item, (uint32_t)keys[k]);
		if (v < 0)
			continue;
		size_t n;
		const char *s = lmrec_ids_str(l->cat->values, (uint32_t)v, &n);
		if (eq(s, n, "low"))
			return 1;
		if (eq(s, n, "mid"))
			return 2;
		if (eq(s, n, "high"))
			return 3;
		return 0;
	}
	return 0;
}

static int64_t cat_domain(const struct lmrec_catalog *c, int64_t k)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->category[i] == k)
			return c->domain[i];
	return -1;
}

static void task_remove_key(struct lmrec_agent_task *t, int64_t key, int only_eq_value, int64_t value)
{
	size_t k = 0;
	for (size_t i = 0; i < t->nc; i++) {
		const struct lmrec_agent_cons *y = &t->c[i];
		int drop = y->op != LMREC_AGENT_SAME && y->key == key;
		if (only_eq_value)
			drop = drop && y->value == value;
		if (!drop)
			t->c[k++] = t->c[i];
	}
	t->nc = k;
}

static void task_add(struct lmrec_agent_task *t, const struct lmrec_agent_cons *x)
{
	t->c = lmrec_xreallocarray(t->c, t->nc + 1, sizeof *t->c);
	t->c[t->nc++] = *x;
}

/* The library's sub-task NAME for goal g: of g, else the first of the
 * library. */
static int64_t find_subtask(const struct lmrec_agent_lib *l, int64_t g, const char *name)
{
	const struct lmrec_agent_goal *G = &l->g[g];
	for (size_t j = G->first; j < G->first + G->n; j++)
		if (strcmp(l->t[j].subtask, name) == 0)
			return (int64_t)j;
	for (size_t j = 0; j < l->n; j++)
		if (strcmp(l->t[j].subtask, name) == 0)
			return (int64_t)j;
	return -1;
}

/* Applies the rules that fire to each sub-task, in file order, each at
 * most once per sub-task; a sub-task a rule replaced goes through the
 * rules again from the first (so rain makes the film that replaced a
 * picnic an indoor one too), which ends since every rule applies once. */
static void apply_rules(struct lmrec_agent_plan *p, const struct lmrec_agent_fill *f, int64_t g)
{
	const struct lmrec_agent_lib *l = f->l;
	if (!f->rules || f->rules->n == 0)
		return;
	size_t nr = f->rules->n;
	unsigned char *done = lmrec_xmalloc(nr);
	for (size_t j = 0; j < p->nt; j++) {
		struct lmrec_agent_task *t = &p->t[j];
		memset(done, 0, nr);
		for (size_t ri = 0; ri < nr; ri++) {
			const struct lmrec_agent_rule *r = &f->rules->r[ri];
			if (done[ri] || !lmrec_agent_rule_fires(r, f->now))
				continue;
			int hit = 0;
			if (r->when_subtask) {
				hit = strcmp(t->subtask, r->when_name) == 0;
			} else {
				for (size_t i = 0; i < t->nc && !hit; i++)
					hit = t->c[i].op == r->when.op && t->c[i].key == r->when.key &&
					      t->c[i].value == r->when.value;
			}
			if (!hit)
				continue;
			done[ri] = 1;
			if (r->then_subtask) {
				int64_t s = find_subtask(l, g, r->then_name);
				if (s < 0)
					continue; /* checked at load */
				int64_t was = t->replaced >= 0 ? t->replaced : (int64_t)(l->g[g].first + j);
				struct lmrec_agent_task nt;
				lmrec_agent_task_copy(&nt, &l->t[s]);
				nt.step = t->step;
				nt.per_day = t->per_day;
				nt.optional = t->optional;
				nt.replaced = was;
				nt.replaced_by = ri;
				lmrec_agent_task_free(t);
				*t = nt;
				ri = (size_t)-1; /* from the first rule again */
				continue;
			}
			struct lmrec_agent_cons x = r->then;
			x.ref = ri;
			if (r->when_subtask)
				task_remove_key(t, x.key, 0, -1);
			else
				task_remove_key(t, r->when.key, 1, r->when.value);
			task_remove_key(t, x.key, 0, -1);
			task_add(t, &x);
		}
	}
	free(done);
}

static void apply_memory(struct lmrec_agent_plan *p, const struct lmrec_agent_fill *f)
{
	const struct lmrec_agent_lib *l = f->l;
	const struct lmrec_catalog *c = l->cat;
	size_t nd = lmrec_ids_count(c->domains);
	if (!f->mem)
		return;
	for (size_t i = 0; i < f->mem->n; i++) {
		const struct lmrec_agent_cons *x = &f->mem->c[i];
		for (size_t j = 0; j < p->nt; j++) {
			struct lmrec_agent_task *t = &p->t[j];
			if (x->key == LMREC_AGENT_KEY_CATEGORY) {
				if (cat_domain(c, x->value) != (int64_t)t->domain)
					continue;
				if (x->op == LMREC_AGENT_EQ) {
					int in = t->ncat == 0;
					for (size_t k = 0; k < t->ncat && !in; k++)
						in = t->cat[k] == x->value;
					if (!in)
						continue;
					t->ncat = 1;
					t->cat[0] = (int32_t)x->value;
				}
				task_add(t, x);
				continue;
			}
			if (!l->key_dom[(size_t)x->key * nd + t->domain])
				continue;
			if (x->op == LMREC_AGENT_EQ)
				task_remove_key(t, x->key, 0, -1);
			else
				task_remove_key(t, x->key, 1, x->value);
			task_add(t, x);
		}
	}
}

void lmrec_agent_plan_tasks(struct lmrec_agent_plan *p, const struct lmrec_agent_fill *f, int64_t g)
{
	const struct lmrec_agent_lib *l = f->l;
	memset(p, 0, sizeof *p);
	p->goal = g;
	p->place = -1;
	if (g < 0)
		return;
	const struct lmrec_agent_goal *G = &l->g[g];
	p->nt = G->n;
	p->t = lmrec_xcalloc(G->n + 1, sizeof *p->t);
	for (size_t j = 0; j < G->n; j++)
		lmrec_agent_task_copy(&p->t[j], &l->t[G->first + j]);
	apply_rules(p, f, g);
	apply_memory(p, f);
}

void lmrec_agent_plan_free(struct lmrec_agent_plan *p)
{
	for (size_t j = 0; j < p->nt; j++)
		lmrec_agent_task_free(&p->t[j]);
	free(p->t);
	for (size_t i = 0; i < p->nr; i++)
		free(p->r[i].reason);
	free(p->r);
	memset(p, 0, sizeof *p);
}

/* 1 when a is tried before b. */
static int better(const struct lmrec_agent_scores *s, uint32_t a, uint32_t b)
{
	if (s->tier[a] != s->tier[b])
		return s->tier[a] < s->tier[b];
	if (s->score[a] != s->score[b])
		return s->score[a] > s->score[b];
	return a < b;
}

/* Whether item i is of t's domain and categories, available. */
int lmrec_agent_in_task(const struct lmrec_catalog *c, const struct lmrec_agent_task *t, uint32_t i)
{
	if (c->domain[i] != (int32_t)t->domain || !c->available[i])
		return 0;
	if (t->ncat == 0)
		return 1;
	for (size_t k = 0; k < t->ncat; k++)
		if (c->category[i] == t->cat[k])
			return 1;
	return 0;
}

static int64_t anchor_of(const struct lmrec_agent_cons *x, const int64_t *anchor, int64_t cat_anchor)
{
	return x->key == LMREC_AGENT_KEY_CATEGORY ? cat_anchor : anchor[x->key];
}

/* Describes the constraint for a reason: "key=value (source)". */
static void cons_reason(struct sbuf *b, const struct lmrec_agent_fill *f, const struct lmrec_agent_plan *p,
			const struct lmrec_agent_cons *x, const int64_t *anchor, int64_t cat_anchor,
			const char *const *anchor_from)
{
	const struct lmrec_agent_lib *l = f->l;
	if (x->op == LMREC_AGENT_SAME) {
		int64_t a = anchor_of(x, anchor, cat_anchor);
		if (a < 0) {
			cons_append(b, l, x);
			sb_str(b, " (first of the plan)");
			return;
		}
		struct lmrec_agent_cons y = *x;
		y.op = LMREC_AGENT_EQ;
		y.value = a;
		cons_append(b, l, &y);
		const char *from = x->key == LMREC_AGENT_KEY_CATEGORY ? anchor_from[0] : anchor_from[1 + x->key];
		sb_printf(b, " (same as %s)", from ? from : "the plan");
		(void)p;
		return;
	}
	cons_append(b, l, x);
	if (x->src == LMREC_AGENT_RULE) {
		sb_str(b, " (");
		const char *note = f->rules->r[x->ref].note;
		sb_dec(b, note, strlen(note));
		sb_str(b, ")");
	} else if (x->src == LMREC_AGENT_MEMORY) {
		sb_printf(b, " (turn %zu)", x->ref);
	}
}

void lmrec_agent_plan_fill(struct lmrec_agent_plan *p, const struct lmrec_agent_fill *f)
{
	const struct lmrec_agent_lib *l = f->l;
	const struct lmrec_catalog *c = l->cat;
	const struct lmrec_agent_scores *s = f->sc;
	size_t nk = lmrec_ids_count(c->keys);
	if (p->goal < 0)
		return;
	int any_per_day = 0;
	for (size_t j = 0; j < p->nt; j++)
		any_per_day |= p->t[j].per_day;
	p->days = f->mem && f->mem->days ? f->mem->days : 1;
	size_t days = any_per_day ? p->days : 1;
	int multi = days > 1;
	/* anchors: per key, and the category; where each came from */
	int64_t *anchor = lmrec_xmalloc((nk + 1) * sizeof *anchor);
	for (size_t k = 0; k < nk; k++)
		anchor[k] = -1;
	int64_t cat_anchor = -1;
	char **from = lmrec_xcalloc(nk + 2, sizeof *from);
	if (l->place_key >= 0) {
		if (f->mem && f->mem->place >= 0) {
			p->place = f->mem->place;
			p->place_src = 1;
			from[1 + l->place_key] = lmrec_xstrdup("the goal's place");
		} else if (f->now && f->now->sig[LMREC_SIG_PLACE]) {
			const char *v = f->now->sig[LMREC_SIG_PLACE]->value;
			p->place = value_index(c, v, strlen(v));
			p->place_src = 2;
			from[1 + l->place_key] = lmrec_xstrdup("the context's place");
		}
		anchor[l->place_key] = p->place;
	}
	unsigned char *used = lmrec_xcalloc(c->n + 1, 1);
	if (s->blocked) /* what the user refused counts as placed already */
		memcpy(used, s->blocked, c->n);
	double *mincost = lmrec_xcalloc(p->nt + 1, sizeof *mincost);
	size_t *count = lmrec_xcalloc(p->nt + 8, sizeof *count);
	struct sbuf b = {0};
	for (size_t d = 1; d <= days; d++) {
		double spent = 0;
		/* the cheapest candidate of each sub-task of the day, to keep
		 * the budget for the later ones */
		for (size_t j = 0; j < p->nt; j++) {
			const struct lmrec_agent_task *t = &p->t[j];
			mincost[j] = INFINITY;
			if (!t->per_day && d > 1)
				continue;
			for (size_t i = 0; i < c->n; i++) {
				if (!lmrec_agent_in_task(c, t, (uint32_t)i) || used[i])
					continue;
				int ok = 1;
				for (size_t q = 0; q < t->nc && ok; q++)
					ok = lmrec_agent_keeps(l, (uint32_t)i, &t->c[q],
							       anchor_of(&t->c[q], anchor, cat_anchor));
				if (ok) {
					double co = lmrec_agent_cost(l, (uint32_t)i);
					if (co < mincost[j])
						mincost[j] = co;
				}
			}
			if (t->optional || mincost[j] == INFINITY)
				mincost[j] = 0;
		}
		for (size_t j = 0; j < p->nt; j++) {
			const struct lmrec_agent_task *t = &p->t[j];
			if (!t->per_day && d > 1)
				continue;
			double reserve = 0;
			for (size_t k = j + 1; k < p->nt; k++)
				if (p->t[k].per_day || d == 1)
					reserve += mincost[k];
			/* filters in order, counted for the reason of an empty row:
			 * count[0] the sub-task's items, count[1 + q] after
			 * constraint q, then unused, then the budget */
			memset(count, 0, (t->nc + 4) * sizeof *count);
			int64_t pick = -1, pick_loose = -1;
			for (size_t i = 0; i < c->n; i++) {
				if (!lmrec_agent_in_task(c, t, (uint32_t)i))
					continue;
				count[0]++;
				size_t q = 0;
				for (; q < t->nc; q++) {
					if (!lmrec_agent_keeps(l, (uint32_t)i, &t->c[q],
							       anchor_of(&t->c[q], anchor, cat_anchor)))
						break;
					count[1 + q]++;
				}
				if (q < t->nc || used[i])
					continue;
				count[1 + t->nc]++;
				double co = lmrec_agent_cost(l, (uint32_t)i);
				if (spent + co > f->budget)
					continue;
				count[2 + t->nc]++;
				if (pick_loose < 0 || better(s, (uint32_t)i, (uint32_t)pick_loose))
					pick_loose = (int64_t)i;
				if (spent + co + reserve <= f->budget &&
				    (pick < 0 || better(s, (uint32_t)i, (uint32_t)pick)))
					pick = (int64_t)i;
			}
			if (pick < 0)
				pick = pick_loose;
			/* the reason */
			b.len = 0;
			sb_put(&b, "", 0);
			if (t->replaced >= 0) {
				const char *was = l->t[t->replaced].subtask;
				const char *note = f->rules->r[t->replaced_by].note;
				sb_str(&b, "instead of ");
				sb_dec(&b, was, strlen(was));
				sb_str(&b, " (");
				sb_dec(&b, note, strlen(note));
				sb_str(&b, "); ");
			}
			{
				size_t n;
				const char *dn = lmrec_ids_str(c->domains, t->domain, &n);
				sb_dec(&b, dn, n);
				for (size_t k = 0; k < t->ncat; k++) {
					const char *cn = lmrec_ids_str(c->categories, (uint32_t)t->cat[k], &n);
					sb_str(&b, k ? ", " : ": ");
					sb_dec(&b, cn, n);
				}
			}
			if (pick < 0) {
				/* the first filter that left nothing */
				size_t q = 0;
				while (q < t->nc + 3 && count[q] > 0)
					q++;
				sb_str(&b, "; unfilled: ");
				if (q == 0) {
					sb_str(&b, "no available item of the sub-task's domain and categories");
				} else if (q <= t->nc) {
					sb_printf(&b, "none of the %zu items left keeps ", count[q - 1]);
					cons_reason(&b, f, p, &t->c[q - 1], anchor, cat_anchor, (const char *const *)from);
				} else if (q == t->nc + 1) {
					sb_printf(&b, "the %zu items that fit are in the plan already", count[q - 1]);
				} else {
					sb_printf(&b, "none of %zu items fits the day's budget of %g (%g spent)",
						  count[q - 1], f->budget, spent);
				}
				if (t->optional)
					sb_str(&b, " (optional)");
			} else {
				for (size_t q = 0; q < t->nc; q++) {
					sb_str(&b, "; ");
					cons_reason(&b, f, p, &t->c[q], anchor, cat_anchor, (const char *const *)from);
				}
				double co = lmrec_agent_cost(l, (uint32_t)pick);
				spent += co;
				if (isfinite(f->budget))
					sb_printf(&b, "; budget: %g of %g for day %zu", spent, f->budget, d);
				switch (s->tier[pick]) {
				case LMREC_TIER_USER: sb_str(&b, "; your score"); break;
				case LMREC_TIER_POPULAR: sb_str(&b, "; popular"); break;
				default: sb_str(&b, "; catalog order"); break;
				}
				if (s->prefs && s->pu && lmrec_prefs_boost(s->prefs, s->pu, (uint32_t)pick, s->unit) != 0) {
					size_t mark = b.len;
					sb_str(&b, "; ");
					if (!lmrec_prefs_reason(s->prefs, s->pu, (uint32_t)pick, s->unit, &b.p, &b.len,
								&b.cap)) {
						b.len = mark;
						b.p[mark] = '\0';
					}
				}
				used[pick] = 1;
				/* anchors from the first item placed */
				size_t n;
				const char *sn = lmrec_ids_str(c->items, (uint32_t)pick, &n);
				for (size_t k = 0; k < nk; k++)
					if (anchor[k] < 0) {
						anchor[k] = lmrec_catalog_value(c, (uint32_t)pick, (uint32_t)k);
						if (anchor[k] >= 0)
							from[1 + k] = lmrec_xasprintf("%.*s", (int)n, sn);
					}
				if (cat_anchor < 0 && c->category[pick] >= 0) {
					cat_anchor = c->category[pick];
					from[0] = lmrec_xasprintf("%.*s", (int)n, sn);
				}
			}
			LMREC_GROW(p->r, p->rcap, p->nr + 1);
			struct lmrec_agent_row *row = &p->r[p->nr++];
			row->day = multi ? d : 0;
			row->step = (size_t)t->step;
			row->task = j;
			row->item = pick;
			row->tier = pick >= 0 ? s->tier[pick] : LMREC_TIER_CATALOG;
			row->score = pick >= 0 ? s->score[pick] : 0;
			row->reason = lmrec_xstrdup(b.p);
		}
	}
	for (size_t k = 0; k < nk + 2; k++)
		free(from[k]);
	free(from);
	free(b.p);
	free(anchor);
	free(used);
	free(mincost);
	free(count);
}

/* lmrec — the agent's constraints and its task library: goal patterns,
 * their sub-tasks and the matching of a goal's words (agent.h). */
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "agent_int.h"
#include "slots.h"
#include "tsv.h"
#include "util.h"

/* ---- constraints ---- */

static const char *ids_str(const struct lmrec_ids *ids, int64_t i, size_t *len)
{
	return lmrec_ids_str(ids, (uint32_t)i, len);
}

static int has_pair(const struct lmrec_catalog *c, int64_t key, int64_t value)
{
	for (size_t i = 0; i < c->n; i++)
		if (lmrec_catalog_has(c, (uint32_t)i, (uint32_t)key, (uint32_t)value))
			return 1;
	return 0;
}

/* Parses one key=value, key!=value or same=KEY; returns NULL or a message
 * (static text, or written into *msg). */
const char *lmrec_agent_cons_parse(const struct lmrec_catalog *c, const char *p, size_t n,
				   struct lmrec_agent_cons *x, char **msg)
{
	const char *e = memchr(p, '=', n);
	if (!e || e == p || e + 1 == p + n)
		return "is not key=value, key!=value or same=KEY";
	size_t kl = (size_t)(e - p);
	int ne = p[kl - 1] == '!';
	if (ne)
		kl--;
	if (kl == 0)
		return "is not key=value, key!=value or same=KEY";
	const char *v = e + 1;
	size_t vl = (size_t)(p + n - v);
	memset(x, 0, sizeof *x);
	x->value = -1;
	if (!ne && eq(p, kl, "same")) {
		x->op = LMREC_AGENT_SAME;
		if (eq(v, vl, "category")) {
			x->key = LMREC_AGENT_KEY_CATEGORY;
			return NULL;
		}
		x->key = lmrec_ids_find(c->keys, v, vl);
		if (x->key < 0) {
			*msg = lmrec_xasprintf("names the key '%.*s', which no item of the catalog has", (int)vl, v);
			return *msg;
		}
		return NULL;
	}
	x->op = ne ? LMREC_AGENT_NE : LMREC_AGENT_EQ;
	if (eq(p, kl, "category")) {
		x->key = LMREC_AGENT_KEY_CATEGORY;
		x->value = lmrec_ids_find(c->categories, v, vl);
		if (x->value < 0) {
			*msg = lmrec_xasprintf("names the category '%.*s', which the catalog lacks", (int)vl, v);
			return *msg;
		}
		return NULL;
	}
	x->key = lmrec_ids_find(c->keys, p, kl);
	if (x->key < 0) {
		*msg = lmrec_xasprintf("names the key '%.*s', which no item of the catalog has", (int)kl, p);
		return *msg;
	}
	x->value = value_index(c, v, vl);
	if (x->value < 0 || !has_pair(c, x->key, x->value)) {
		*msg = lmrec_xasprintf("names '%.*s=%.*s', which no item of the catalog has", (int)kl, p, (int)vl, v);
		return *msg;
	}
	return NULL;
}

void lmrec_agent_cons_text(const struct lmrec_agent_lib *l, const struct lmrec_agent_cons *c, char **buf,
			   size_t *len, size_t *cap)
{
	struct sbuf b = {*buf, *len, *cap};
	size_t n;
	const char *s;
	if (c->key == LMREC_AGENT_KEY_CATEGORY) {
		sb_str(&b, "category");
	} else {
		s = ids_str(l->cat->keys, c->key, &n);
		sb_dec(&b, s, n);
	}
	if (c->op == LMREC_AGENT_SAME) {
		struct sbuf t = {0};
		sb_str(&t, "same=");
		sb_put(&t, b.p + *len, b.len - *len);
		b.len = *len;
		sb_put(&b, t.p, t.len);
		free(t.p);
	} else {
		sb_str(&b, c->op == LMREC_AGENT_NE ? "!=" : "=");
		s = c->key == LMREC_AGENT_KEY_CATEGORY ? ids_str(l->cat->categories, c->value, &n)
						       : ids_str(l->cat->values, c->value, &n);
		sb_dec(&b, s, n);
	}
	*buf = b.p;
	*len = b.len;
	*cap = b.cap;
}

int lmrec_agent_keeps(const struct lmrec_agent_lib *l, uint32_t i, const struct lmrec_agent_cons *c, int64_t anchor)
{
	const struct lmrec_catalog *cat = l->cat;
	if (c->op == LMREC_AGENT_SAME) {
		if (anchor < 0)
			return 1;
		if (c->key == LMREC_AGENT_KEY_CATEGORY)
			return cat->category[i] == anchor;
		return lmrec_catalog_has(cat, i, (uint32_t)c->key, (uint32_t)anchor);
	}
	int has = c->key == LMREC_AGENT_KEY_CATEGORY ? cat->category[i] == c->value
						     : lmrec_catalog_has(cat, i, (uint32_t)c->key, (uint32_t)c->value);
	return c->op == LMREC_AGENT_EQ ? has : !has;
}

/* ---- the task library ---- */

static int task_cmp(const void *a, const void *b)
{
	const struct lmrec_agent_task *x = a, *y = b;
	if (x->replaced != y->replaced) /* (here: the goal's index) */
		return x->replaced < y->replaced ? -1 : 1;
	return x->step < y->step ? -1 : x->step > y->step;
}

void lmrec_agent_task_free(struct lmrec_agent_task *t)
{
	free(t->goal);
	free(t->keywords);
	free(t->subtask);
	free(t->cat);
	free(t->c);
}

void lmrec_agent_task_copy(struct lmrec_agent_task *d, const struct lmrec_agent_task *s)
{
	*d = *s;
	d->goal = lmrec_xstrdup(s->goal);
	d->keywords = lmrec_xstrdup(s->keywords);
	d->subtask = lmrec_xstrdup(s->subtask);
	d->cat = lmrec_xmalloc((s->ncat + 1) * sizeof *d->cat);
	memcpy(d->cat, s->cat, s->ncat * sizeof *d->cat);
	d->c = lmrec_xmalloc((s->nc + 1) * sizeof *d->c);
	memcpy(d->c, s->c, s->nc * sizeof *d->c);
}

char *lmrec_agent_field_dup(const struct lmrec_tsv *r, long col)
{
	if (col < 0)
		return lmrec_xstrdup("");
	struct lmrec_field f = lmrec_tsv_field(r, (size_t)col);
	return lmrec_xstrndup(f.p, f.len);
}

static void lib_row(struct lmrec_agent_lib *l, struct lmrec_tsv *r, const size_t *col, long kwcol, long catcol,
		    long conscol, struct lmrec_ids *goals, struct lmrec_agent_task *t, uint32_t *gi)
{
	const struct lmrec_catalog *c = l->cat;
	memset(t, 0, sizeof *t);
	t->line = r->lineno;
	struct lmrec_field f = lmrec_tsv_field(r, col[0]);
	if (f.len == 0)
		lmrec_tsv_die(r, col[0], "empty goal");
	*gi = lmrec_ids_intern(goals, f.p, f.len);
	t->goal = lmrec_agent_field_dup(r, (long)col[0]);
	t->keywords = lmrec_agent_field_dup(r, kwcol);
	f = lmrec_tsv_field(r, col[1]);
	if (lmrec_parse_i64(f.p, f.len, &t->step) != 0 || t->step < 1)
		lmrec_tsv_die(r, col[1], "'%.*s' is not an integer from 1", (int)f.len, f.p);
	f = lmrec_tsv_field(r, col[2]);
	if (f.len == 0)
		lmrec_tsv_die(r, col[2], "empty subtask");
	t->subtask = lmrec_agent_field_dup(r, (long)col[2]);
	f = lmrec_tsv_field(r, col[3]);
	int64_t d = lmrec_ids_find(c->domains, f.p, f.len);
	if (d < 0)
		lmrec_tsv_die(r, col[3], "'%.*s' is not a domain of the catalog", (int)f.len, f.p);
	t->domain = (uint32_t)d;
	t->cat = lmrec_xmalloc(sizeof *t->cat);
	if (catcol >= 0) {
		f = lmrec_tsv_field(r, (size_t)catcol);
		size_t cap = 1;
		for (size_t a = 0; a < f.len;) {
			const char *sc = memchr(f.p + a, ';', f.len - a);
			size_t b = sc ? (size_t)(sc - f.p) : f.len;
			if (b > a) {
				int64_t k = lmrec_ids_find(c->categories, f.p + a, b - a);
				int ok = k >= 0;
				if (ok) {
					ok = 0;
					for (size_t i = 0; i < c->n && !ok; i++)
						ok = c->category[i] == k && c->domain[i] == d;
				}
				if (!ok)
					lmrec_tsv_die(r, (size_t)catcol, "'%.*s' is not a category of domain '%.*s'",
						      (int)(b - a), f.p + a, (int)lmrec_tsv_field(r, col[3]).len,
						      lmrec_tsv_field(r, col[3]).p);
				LMREC_GROW(t->cat, cap, t->ncat + 1);
				t->cat[t->ncat++] = (int32_t)k;
			}
			a = b + 1;
		}
	}
	t->c = lmrec_xmalloc(sizeof *t->c);
	if (conscol >= 0) {
		f = lmrec_tsv_field(r, (size_t)conscol);
		size_t cap = 1;
		for (size_t a = 0; a < f.len;) {
			const char *sc = memchr(f.p + a, ';', f.len - a);
			size_t b = sc ? (size_t)(sc - f.p) : f.len;
			const char *p = f.p + a;
			size_t n = b - a;
			if (n == 0) {
				a = b + 1;
				continue;
			}
			if (eq(p, n, "per_day=1") || eq(p, n, "per_day=0")) {
				t->per_day = p[n - 1] == '1';
			} else if (eq(p, n, "optional=1") || eq(p, n, "optional=0")) {
				t->optional = p[n - 1] == '1';
			} else {
				struct lmrec_agent_cons x;
				char *msg = NULL;
				const char *err = lmrec_agent_cons_parse(c, p, n, &x, &msg);
				if (err)
					lmrec_tsv_die(r, (size_t)conscol, "'%.*s' %s", (int)n, p, err);
				LMREC_GROW(t->c, cap, t->nc + 1);
				t->c[t->nc++] = x;
			}
			a = b + 1;
		}
	}
	t->replaced = -1;
}

void lmrec_agent_lib_load(struct lmrec_agent_lib *l, const struct lmrec_catalog *c, char *const *files,
			  size_t nfiles)
{
	memset(l, 0, sizeof *l);
	l->cat = c;
	size_t nk = lmrec_ids_count(c->keys), nd = lmrec_ids_count(c->domains);
	l->key_dom = lmrec_xcalloc(nk * nd + 1, 1);
	for (size_t i = 0; i < c->n; i++)
		if (c->domain[i] >= 0)
			for (uint64_t p = c->aptr[i]; p < c->aptr[i + 1]; p++)
				l->key_dom[(size_t)c->akey[p] * nd + (size_t)c->domain[i]] = 1;
	l->price_key = lmrec_ids_find(c->keys, "price", 5);
	l->cost_key = lmrec_ids_find(c->keys, "cost", 4);
	l->place_key = lmrec_ids_find(c->keys, "town", 4);
	l->is_town = lmrec_xcalloc(lmrec_ids_count(c->values) + 1, 1);
	for (size_t i = 0; i < c->n; i++)
		for (uint64_t p = c->aptr[i]; p < c->aptr[i + 1]; p++)
			if ((int64_t)c->akey[p] == l->place_key)
				l->is_town[c->aval[p]] = 1;

	struct lmrec_ids *goals = lmrec_ids_new();
	size_t cap = 0;
	uint32_t *gidx = NULL;
	size_t gcap = 0;
	/* the keywords and file of each goal's first row, to check the others */
	char **gkw = NULL;
	size_t gkwcap = 0, *gfile = NULL, gfcap = 0;
	for (size_t fi = 0; fi < nfiles; fi++) {
		struct lmrec_tsv *r = lmrec_tsv_open(files[fi]);
		size_t col[4] = {lmrec_tsv_col(r, "goal"), lmrec_tsv_col(r, "step"), lmrec_tsv_col(r, "subtask"),
				 lmrec_tsv_col(r, "domain")};
		long kwcol = lmrec_tsv_col_opt(r, "keywords"), catcol = lmrec_tsv_col_opt(r, "categories"),
		     conscol = lmrec_tsv_col_opt(r, "constraints");
		while (lmrec_tsv_read(r)) {
			LMREC_GROW(l->t, cap, l->n + 1);
			LMREC_GROW(gidx, gcap, l->n + 1);
			struct lmrec_agent_task *t = &l->t[l->n];
			uint32_t g;
			size_t before = lmrec_ids_count(goals);
			lib_row(l, r, col, kwcol, catcol, conscol, goals, t, &g);
			l->n++;
			gidx[l->n - 1] = g;
			if (lmrec_ids_count(goals) > before) {
				LMREC_GROW(gkw, gkwcap, (size_t)g + 1);
				LMREC_GROW(gfile, gfcap, (size_t)g + 1);
				gkw[g] = t->keywords;
				gfile[g] = fi;
			} else {
				if (gfile[g] != fi)
					lmrec_tsv_die(r, col[0], "goal '%s' has rows in another file already", t->goal);
				if (strcmp(gkw[g], t->keywords) != 0)
					lmrec_tsv_die(r, (size_t)kwcol,
						      "'%s' is not the keywords of goal '%s''s first row ('%s')",
						      t->keywords, t->goal, gkw[g]);
				for (size_t j = 0; j + 1 < l->n; j++)
					if (gidx[j] == g && l->t[j].step == t->step)
						lmrec_tsv_die(r, col[1], "goal '%s' has a step %lld already (line %zu)",
							      t->goal, (long long)t->step, l->t[j].line);
			}
		}
		lmrec_tsv_close(r);
	}
	for (size_t j = 0; j < l->n; j++)
		l->t[j].replaced = gidx[j];
	if (l->n)
		qsort(l->t, l->n, sizeof *l->t, task_cmp);
	l->ng = lmrec_ids_count(goals);
	l->g = lmrec_xcalloc(l->ng + 1, sizeof *l->g);
	struct words w;
	lmrec_agent_words_init(&w);
	for (size_t j = 0; j < l->n; j++) {
		size_t g = (size_t)l->t[j].replaced;
		struct lmrec_agent_goal *G = &l->g[g];
		if (G->n++ == 0) {
			G->first = j;
			G->name = lmrec_xstrdup(l->t[j].goal);
			const char *k = l->t[j].keywords;
			size_t kl = strlen(k), kcap = 0;
			for (size_t a = 0; a < kl;) {
				const char *sc = memchr(k + a, ';', kl - a);
				size_t b = sc ? (size_t)(sc - k) : kl;
				size_t nw;
				char *ph = lmrec_agent_phrase(&w, k + a, b - a, &nw);
				if (nw) {
					LMREC_GROW(G->kw, kcap, G->nkw + 1);
					G->kwn = lmrec_xreallocarray(G->kwn, kcap, sizeof *G->kwn);
					G->kw[G->nkw] = ph;
					G->kwn[G->nkw++] = nw;
				} else {
					free(ph);
				}
				a = b + 1;
			}
		}
		l->t[j].replaced = -1;
	}
	lmrec_agent_words_free(&w);
	free(gidx);
	free(gkw);
	free(gfile);
	lmrec_ids_free(goals);
}

void lmrec_agent_lib_free(struct lmrec_agent_lib *l)
{
	for (size_t j = 0; j < l->n; j++)
		lmrec_agent_task_free(&l->t[j]);
	free(l->t);
	for (size_t g = 0; g < l->ng; g++) {
		free(l->g[g].name);
		for (size_t k = 0; k < l->g[g].nkw; k++)
			free(l->g[g].kw[k]);
		free(l->g[g].kw);
		free(l->g[g].kwn);
	}
	free(l->g);
	free(l->key_dom);
	free(l->is_town);
	memset(l, 0, sizeof *l);
}

int64_t lmrec_agent_lib_match(const struct lmrec_agent_lib *l, const char *text, size_t len, size_t *score)
{
	struct words w;
	lmrec_agent_words_init(&w);
	lmrec_agent_words_split(&w, text, len);
	/* the words' stems joined by ' ', with their starts */
	struct sbuf b = {0};
	sb_put(&b, " ", 1);
	for (size_t i = 0; i < w.ws.n; i++) {
		if (w.ws.w[i].kind != LMREC_SW_WORD)
			continue;
		size_t n;
		const char *p = lmrec_sword_stem(&w.ws, i, &n);
		sb_put(&b, p, n);
		sb_put(&b, " ", 1);
	}
	int64_t best = -1;
	size_t bs = 0, bpos = 0;
	struct sbuf k = {0};
	for (size_t g = 0; g < l->ng; g++) {
		size_t s = 0, pos = 0;
		for (size_t j = 0; j < l->g[g].nkw; j++) {
			k.len = 0;
			sb_put(&k, " ", 1);
			sb_str(&k, l->g[g].kw[j]);
			sb_put(&k, " ", 1);
			if (strstr(b.p, k.p)) {
				s += l->g[g].kwn[j];
				pos += j;
			}
		}
		/* more words matched; then keywords earlier in their list */
		if (s > bs || (s == bs && s > 0 && pos < bpos)) {
			bs = s;
			bpos = pos;
			best = (int64_t)g;
		}
	}
	free(k.p);
	free(b.p);
	lmrec_agent_words_free(&w);
	*score = bs;
	return best;
}

/* lmrec — the agent's plans: task library, context, rules, short-term
 * memory and the filling of sub-tasks (agent.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "slots.h"
#include "text.h"
#include "tsv.h"
#include "util.h"

const char *const lmrec_agent_signal_names[LMREC_SIG_N] = {"weather", "daypart", "day", "place", "temp"};

/* ---- small helpers ---- */

struct sbuf {
	char *p;
	size_t len, cap;
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
	LMREC_GROW(b->p, b->cap, b->len + n + 1);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}
static void sb_str(struct sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }
/* Appends an escaped string decoded. */
static void sb_dec(struct sbuf *b, const char *s, size_t n)
{
	LMREC_GROW(b->p, b->cap, b->len + n + 1);
	b->len += lmrec_tsv_unescape(b->p + b->len, s, n);
	b->p[b->len] = '\0';
}
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

static int eq(const char *p, size_t n, const char *s) { return strlen(s) == n && memcmp(p, s, n) == 0; }

static const char *ids_str(const struct lmrec_ids *ids, int64_t i, size_t *len)
{
	return lmrec_ids_str(ids, (uint32_t)i, len);
}

/* The words of a decoded text as stems, in order (punctuation left out). */
struct words {
	struct lmrec_text *tk;
	struct lmrec_swords ws;
	int8_t *mode;
	uint32_t *clause;
	unsigned char *cue;
	size_t cap;
	char *dec;
	size_t dcap;
};

static void words_init(struct words *w)
{
	memset(w, 0, sizeof *w);
	w->tk = lmrec_slots_tokenizer();
}
static void words_free(struct words *w)
{
	lmrec_text_free(w->tk);
	lmrec_swords_free(&w->ws);
	free(w->mode);
	free(w->clause);
	free(w->cue);
	free(w->dec);
}
/* Splits the escaped text and computes the polarity of each word. */
static void words_split(struct words *w, const char *s, size_t len)
{
	if (len > LMREC_SLOTS_MAX_BYTES)
		len = LMREC_SLOTS_MAX_BYTES;
	LMREC_GROW(w->dec, w->dcap, len + 1);
	size_t n = lmrec_tsv_unescape(w->dec, s, len);
	w->dec[n] = '\0';
	lmrec_swords_split(&w->ws, w->tk, NULL, w->dec, n, LMREC_SLOTS_MAX_WORDS);
	if (w->ws.n > w->cap) {
		w->cap = w->ws.n;
		w->mode = lmrec_xreallocarray(w->mode, w->cap, sizeof *w->mode);
		w->clause = lmrec_xreallocarray(w->clause, w->cap, sizeof *w->clause);
		w->cue = lmrec_xreallocarray(w->cue, w->cap, sizeof *w->cue);
	}
	if (w->ws.n)
		lmrec_slots_scope(&w->ws, w->mode, w->clause, w->cue);
}
static int word_is(const struct words *w, size_t i, const char *s)
{
	size_t n;
	const char *p = lmrec_sword_stem(&w->ws, i, &n);
	return w->ws.w[i].kind == LMREC_SW_WORD && eq(p, n, s);
}

/* A name as a phrase of stems joined by ' ' ('_' and '-' as spaces). */
static char *phrase_of(struct words *w, const char *s, size_t len, size_t *nwords)
{
	char *tmp = lmrec_xmalloc(len + 1);
	for (size_t i = 0; i < len; i++) {
		tmp[i] = s[i];
		if (s[i] == '_' || s[i] == '-')
			tmp[i] = ' ';
	}
	words_split(w, tmp, len);
	free(tmp);
	struct sbuf b = {0};
	sb_put(&b, "", 0);
	size_t k = 0;
	for (size_t i = 0; i < w->ws.n; i++) {
		if (w->ws.w[i].kind != LMREC_SW_WORD)
			continue;
		size_t n;
		const char *p = lmrec_sword_stem(&w->ws, i, &n);
		if (k++)
			sb_put(&b, " ", 1);
		sb_put(&b, p, n);
	}
	*nwords = k;
	return b.p;
}

/* ---- constraints ---- */

static int64_t value_index(const struct lmrec_catalog *c, const char *p, size_t n)
{
	return lmrec_ids_find(c->values, p, n);
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
static const char *cons_parse(const struct lmrec_catalog *c, const char *p, size_t n, struct lmrec_agent_cons *x,
			      char **msg)
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

static void cons_append(struct sbuf *b, const struct lmrec_agent_lib *l, const struct lmrec_agent_cons *c)
{
	lmrec_agent_cons_text(l, c, &b->p, &b->len, &b->cap);
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

static void task_free(struct lmrec_agent_task *t)
{
	free(t->goal);
	free(t->keywords);
	free(t->subtask);
	free(t->cat);
	free(t->c);
}

static void task_copy(struct lmrec_agent_task *d, const struct lmrec_agent_task *s)
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

static char *field_dup(const struct lmrec_tsv *r, long col)
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
	t->goal = field_dup(r, (long)col[0]);
	t->keywords = field_dup(r, kwcol);
	f = lmrec_tsv_field(r, col[1]);
	if (lmrec_parse_i64(f.p, f.len, &t->step) != 0 || t->step < 1)
		lmrec_tsv_die(r, col[1], "'%.*s' is not an integer from 1", (int)f.len, f.p);
	f = lmrec_tsv_field(r, col[2]);
	if (f.len == 0)
		lmrec_tsv_die(r, col[2], "empty subtask");
	t->subtask = field_dup(r, (long)col[2]);
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
				const char *err = cons_parse(c, p, n, &x, &msg);
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
	words_init(&w);
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
				char *ph = phrase_of(&w, k + a, b - a, &nw);
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
	words_free(&w);
	free(gidx);
	free(gkw);
	free(gfile);
	lmrec_ids_free(goals);
}

void lmrec_agent_lib_free(struct lmrec_agent_lib *l)
{
	for (size_t j = 0; j < l->n; j++)
		task_free(&l->t[j]);
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
	words_init(&w);
	words_split(&w, text, len);
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
	words_free(&w);
	*score = bs;
	return best;
}

/* ---- context ---- */

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
	const char *err = cons_parse(l->cat, f.p, f.len, c, &msg);
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
			x->note = field_dup(r, cn);
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

/* ---- short-term memory ---- */

/* The agent's lexicon: cue words (stems, as lmrec_slots_stem makes them)
 * and the constraints they mean said plainly and negated. Constraints
 * whose key or value the catalog lacks are left out. */
struct lexeme {
	const char *words, *pos, *neg;
};
static const struct lexeme lexicon[] = {
	{"spicy spice hot chilli chili fiery", "spice=hot", "spice!=hot"},
	{"crowded crowd busy lively noisy loud packed", "ambience=lively", "ambience!=lively"},
	{"quiet calm peaceful", "ambience!=lively", ""},
	{"cheap budget inexpensive affordable", "price=low;cost!=mid;cost!=high", ""},
	{"expensive pricey posh fancy luxury", "price=high", "price!=high;cost!=high"},
	{"indoor inside", "setting=indoor", "setting=outdoor"},
	{"outdoor outside", "setting=outdoor", "setting=indoor"},
	{"kid child family toddler", "family=yes;audience!=adult", ""},
	{"meat", "", "diet=vegetarian"},
	{"strenuous tiring", "effort=hard", "effort!=hard"},
};

struct pattern {
	char *text;   /* stems joined by ' ' */
	size_t nw;
	uint8_t kind; /* 0 pair, 1 category, 2 a town (the place key) */
	uint32_t key, value;
};

struct lmrec_agent_parser {
	const struct lmrec_agent_lib *l;
	struct words w;
	struct pattern *pat; /* the catalog's values and categories as phrases */
	size_t npat;
	/* the lexicon's constraints, parsed: per entry, pos then neg */
	struct lmrec_agent_cons *lc;
	size_t *lptr; /* (2 nlexicon + 1) */
};

static int is_stop(const char *s)
{
	size_t n;
	const char *const *st = lmrec_text_english_stopwords(&n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(st[i], s) == 0)
			return 1;
	return 0;
}

struct lmrec_agent_parser *lmrec_agent_parser_new(const struct lmrec_agent_lib *l)
{
	const struct lmrec_catalog *c = l->cat;
	struct lmrec_agent_parser *p = lmrec_xcalloc(1, sizeof *p);
	p->l = l;
	words_init(&p->w);
	size_t nk = lmrec_ids_count(c->keys), nv = lmrec_ids_count(c->values);
	/* keys left out: yes/no keys, references to items, the place key */
	unsigned char *skip = lmrec_xcalloc(nk + 1, 1);
	for (size_t i = 0; i < c->n; i++)
		for (uint64_t q = c->aptr[i]; q < c->aptr[i + 1]; q++) {
			size_t n;
			const char *s = lmrec_ids_str(c->values, c->aval[q], &n);
			if (eq(s, n, "yes") || eq(s, n, "no") || lmrec_catalog_find(c, s, n) >= 0)
				skip[c->akey[q]] = 1;
		}
	if (l->place_key >= 0)
		skip[l->place_key] = 0; /* read as towns (kind 2) */
	struct lmrec_ids *seen = lmrec_ids_new();
	size_t cap = 0;
	for (size_t i = 0; i < c->n; i++)
		for (uint64_t q = c->aptr[i]; q < c->aptr[i + 1]; q++) {
			if (skip[c->akey[q]])
				continue;
			uint64_t code = (uint64_t)c->akey[q] << 32 | c->aval[q];
			size_t before = lmrec_ids_count(seen);
			lmrec_ids_intern(seen, (const char *)&code, sizeof code);
			if (lmrec_ids_count(seen) == before)
				continue;
			size_t n;
			const char *s = lmrec_ids_str(c->values, c->aval[q], &n);
			size_t nw;
			char *ph = phrase_of(&p->w, s, n, &nw);
			int digits = 1;
			for (size_t k = 0; k < n; k++)
				digits &= s[k] >= '0' && s[k] <= '9';
			/* a domain's name only names the domain ("vegan food") */
			int dom = 0;
			for (size_t k = 0; k < lmrec_ids_count(c->domains) && !dom; k++) {
				size_t dl, dnw;
				const char *ds = lmrec_ids_str(c->domains, (uint32_t)k, &dl);
				char *dp = phrase_of(&p->w, ds, dl, &dnw);
				dom = strcmp(dp, ph) == 0;
				free(dp);
			}
			int town = (int64_t)c->akey[q] == l->place_key;
			if (nw == 0 || nw > 3 || (!town && (digits || dom || (nw == 1 && is_stop(ph))))) {
				free(ph);
				continue;
			}
			LMREC_GROW(p->pat, cap, p->npat + 1);
			p->pat[p->npat++] = (struct pattern){ph, nw, (uint8_t)(town ? 2 : 0), c->akey[q], c->aval[q]};
		}
	for (size_t k = 0; k < lmrec_ids_count(c->categories); k++) {
		size_t n, nw;
		const char *s = lmrec_ids_str(c->categories, (uint32_t)k, &n);
		char *ph = phrase_of(&p->w, s, n, &nw);
		if (nw == 0 || nw > 3) {
			free(ph);
			continue;
		}
		LMREC_GROW(p->pat, cap, p->npat + 1);
		p->pat[p->npat++] = (struct pattern){ph, nw, 1, 0, (uint32_t)k};
	}
	(void)nv;
	lmrec_ids_free(seen);
	free(skip);
	/* the lexicon */
	size_t nl = sizeof lexicon / sizeof *lexicon, lcap = 1;
	p->lptr = lmrec_xcalloc(2 * nl + 1, sizeof *p->lptr);
	p->lc = lmrec_xmalloc(sizeof *p->lc);
	size_t m = 0;
	for (size_t e = 0; e < 2 * nl; e++) {
		const char *s = e % 2 ? lexicon[e / 2].neg : lexicon[e / 2].pos;
		size_t len = strlen(s);
		for (size_t a = 0; a < len;) {
			const char *sc = memchr(s + a, ';', len - a);
			size_t b = sc ? (size_t)(sc - s) : len;
			struct lmrec_agent_cons x;
			char *msg = NULL;
			if (!cons_parse(c, s + a, b - a, &x, &msg)) {
				x.src = LMREC_AGENT_MEMORY;
				LMREC_GROW(p->lc, lcap, m + 1);
				p->lc[m++] = x;
			}
			free(msg);
			a = b + 1;
		}
		p->lptr[e + 1] = m;
	}
	return p;
}

void lmrec_agent_parser_free(struct lmrec_agent_parser *p)
{
	if (!p)
		return;
	words_free(&p->w);
	for (size_t i = 0; i < p->npat; i++)
		free(p->pat[i].text);
	free(p->pat);
	free(p->lc);
	free(p->lptr);
	free(p);
}

void lmrec_agent_memory_free(struct lmrec_agent_memory *m)
{
	free(m->c);
	memset(m, 0, sizeof *m);
	m->place = -1;
}

/* Adds x said at turn `turn`: it overrides what earlier turns said of its
 * key (an EQ replaces every earlier constraint of the key; an NE removes
 * the same pair wanted). */
static void memory_put(struct lmrec_agent_memory *m, struct lmrec_agent_cons x, size_t turn)
{
	x.src = LMREC_AGENT_MEMORY;
	x.ref = turn;
	size_t k = 0;
	for (size_t i = 0; i < m->n; i++) {
		const struct lmrec_agent_cons *y = &m->c[i];
		int drop = y->key == x.key && (x.op == LMREC_AGENT_EQ || y->value == x.value);
		if (y->ref == turn && y->key == x.key && y->op == LMREC_AGENT_EQ && x.op == LMREC_AGENT_EQ)
			drop = 0; /* two values wanted in one turn ("korean or thai") */
		if (!drop)
			m->c[k++] = m->c[i];
	}
	m->n = k;
	LMREC_GROW(m->c, m->cap, m->n + 1);
	m->c[m->n++] = x;
}

static int is_number(const char *s, size_t n, int64_t *v)
{
	if (n == 0 || n > 4)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return lmrec_parse_i64(s, n, v) == 0;
}

void lmrec_agent_memory_read(struct lmrec_agent_parser *p, struct lmrec_agent_memory *m, const char *text,
			     size_t len, size_t turn)
{
	struct words *w = &p->w;
	words_split(w, text, len);
	size_t n = w->ws.n;
	unsigned char *used = lmrec_xcalloc(n + 1, 1);
	/* days */
	size_t days = 0;
	int said = 0;
	for (size_t i = 0; i < n; i++) {
		int64_t v;
		size_t sl;
		const char *s = lmrec_sword_stem(&w->ws, i, &sl);
		if (w->ws.w[i].kind != LMREC_SW_WORD)
			continue;
		if (i + 1 < n && is_number(s, sl, &v) && v >= 1 &&
		    (word_is(w, i + 1, "day") || word_is(w, i + 1, "night") || word_is(w, i + 1, "week"))) {
			int64_t d = word_is(w, i + 1, "week") ? 7 * v : v;
			days = d > 30 ? 30 : (size_t)d;
			said = 1;
			used[i] = used[i + 1] = 1;
		} else if (!said && (eq(s, sl, "weekend"))) {
			days = 2;
		} else if (!said && (eq(s, sl, "tonight") || eq(s, sl, "today"))) {
			days = 1;
		}
	}
	if (days) {
		m->days = days;
		m->days_turn = said;
	}
	/* the lexicon */
	size_t nl = sizeof lexicon / sizeof *lexicon;
	for (size_t i = 0; i < n; i++) {
		if (w->ws.w[i].kind != LMREC_SW_WORD || w->cue[i] || used[i])
			continue;
		size_t sl;
		const char *s = lmrec_sword_stem(&w->ws, i, &sl);
		for (size_t e = 0; e < nl; e++) {
			const char *ws = lexicon[e].words;
			int hit = 0;
			for (const char *a = ws; *a && !hit;) {
				const char *sp = strchr(a, ' ');
				size_t al = sp ? (size_t)(sp - a) : strlen(a);
				hit = al == sl && memcmp(a, s, sl) == 0;
				a += al + (sp != NULL);
			}
			if (!hit)
				continue;
			used[i] = 1;
			size_t k = 2 * e + (w->mode[i] < 0);
			for (size_t q = p->lptr[k]; q < p->lptr[k + 1]; q++)
				memory_put(m, p->lc[q], turn);
			break;
		}
	}
	/* towns (every turn), the catalog's values and categories (turn 2 on):
	 * longest phrase first at each word */
	for (size_t i = 0; i < n; i++) {
		if (w->ws.w[i].kind != LMREC_SW_WORD || w->cue[i] || used[i])
			continue;
		size_t best = 0;
		struct sbuf b = {0};
		for (size_t nw = 3; nw >= 1 && !best; nw--) {
			if (i + nw > n)
				continue;
			b.len = 0;
			int ok = 1;
			for (size_t j = i; j < i + nw && ok; j++) {
				ok = w->ws.w[j].kind == LMREC_SW_WORD && !used[j];
				size_t sl;
				const char *s = lmrec_sword_stem(&w->ws, j, &sl);
				if (j > i)
					sb_put(&b, " ", 1);
				sb_put(&b, s, sl);
			}
			if (!ok)
				continue;
			/* a town first (every turn), then the other values */
			for (size_t k = 0; k < p->npat && !best; k++) {
				const struct pattern *pt = &p->pat[k];
				if (pt->kind != 2 || pt->nw != nw || strcmp(pt->text, b.p) != 0)
					continue;
				best = nw;
				if (w->mode[i] < 0) {
					struct lmrec_agent_cons x = {LMREC_AGENT_NE, 0, (int64_t)pt->key, pt->value, 0};
					memory_put(m, x, turn);
				} else {
					m->place = pt->value;
				}
			}
			if (best || turn < 2)
				continue;
			for (size_t k = 0; k < p->npat; k++) {
				const struct pattern *pt = &p->pat[k];
				if (pt->kind == 2 || pt->nw != nw || strcmp(pt->text, b.p) != 0)
					continue;
				best = nw;
				struct lmrec_agent_cons x = {w->mode[i] < 0 ? LMREC_AGENT_NE : LMREC_AGENT_EQ, 0,
							     pt->kind ? LMREC_AGENT_KEY_CATEGORY : (int64_t)pt->key,
							     pt->value, 0};
				memory_put(m, x, turn);
			}
		}
		free(b.p);
		for (size_t j = i; j < i + best; j++)
			used[j] = 1;
	}
	free(used);
}

/* ---- plans ---- */

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
				task_copy(&nt, &l->t[s]);
				nt.step = t->step;
				nt.per_day = t->per_day;
				nt.optional = t->optional;
				nt.replaced = was;
				nt.replaced_by = ri;
				task_free(t);
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
		task_copy(&p->t[j], &l->t[G->first + j]);
	apply_rules(p, f, g);
	apply_memory(p, f);
}

void lmrec_agent_plan_free(struct lmrec_agent_plan *p)
{
	for (size_t j = 0; j < p->nt; j++)
		task_free(&p->t[j]);
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

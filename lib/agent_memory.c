/* lmrec — the agent's short-term memory: the parser of what the user
 * says (lexicon, the catalog's values and categories, towns, days) and
 * the constraints a session's turns add up to (agent.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "agent_int.h"
#include "slots.h"
#include "text.h"
#include "util.h"

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
	lmrec_agent_words_init(&p->w);
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
			char *ph = lmrec_agent_phrase(&p->w, s, n, &nw);
			int digits = 1;
			for (size_t k = 0; k < n; k++)
				digits &= s[k] >= '0' && s[k] <= '9';
			/* a domain's name only names the domain ("vegan food") */
			int dom = 0;
			for (size_t k = 0; k < lmrec_ids_count(c->domains) && !dom; k++) {
				size_t dl, dnw;
				const char *ds = lmrec_ids_str(c->domains, (uint32_t)k, &dl);
				char *dp = lmrec_agent_phrase(&p->w, ds, dl, &dnw);
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
		char *ph = lmrec_agent_phrase(&p->w, s, n, &nw);
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
			if (!lmrec_agent_cons_parse(c, s + a, b - a, &x, &msg)) {
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
	lmrec_agent_words_free(&p->w);
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

static int word_is(const struct words *w, size_t i, const char *s)
{
	size_t n;
	const char *p = lmrec_sword_stem(&w->ws, i, &n);
	return w->ws.w[i].kind == LMREC_SW_WORD && eq(p, n, s);
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
	lmrec_agent_words_split(w, text, len);
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

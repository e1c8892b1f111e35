/* lmrec — the slot vocabulary of a catalog (see slotvocab.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "skipgram.h"
#include "slotvocab.h"
#include "text.h"
#include "tsv.h"
#include "util.h"
#include "wordvec.h"

void lmrec_slotvocab_defaults(struct lmrec_slotvocab_params *p)
{
	*p = (struct lmrec_slotvocab_params){.min_support = 5, .min_prob = 0.7, .min_lift = 1.5, .max_imply = 2,
					     .match_threshold = 0.5, .dim = 32, .epochs = 20, .seed = 1};
}

static uint64_t pair_code(uint32_t key, uint32_t val) { return (uint64_t)key << 32 | val; }

int64_t lmrec_slotvocab_pair(const struct lmrec_slotvocab *v, uint32_t key, uint32_t value)
{
	unsigned char b[8];
	lmrec_put_le64(b, pair_code(key, value));
	return lmrec_ids_find(v->pairs_ids, (const char *)b, sizeof b);
}

int lmrec_slotvocab_item_has(const struct lmrec_slotvocab *v, uint32_t i, uint32_t p)
{
	for (uint64_t q = v->item_pair_ptr[i]; q < v->item_pair_ptr[i + 1]; q++)
		if (v->item_pair[q] == p)
			return 1;
	return 0;
}

/* The text of a name: decoded, '_' and '-' as spaces. */
static char *name_text(const struct lmrec_ids *ids, uint32_t i)
{
	size_t len;
	const char *p = lmrec_ids_str(ids, i, &len);
	char *s = lmrec_xmalloc(len + 1);
	size_t n = lmrec_tsv_unescape(s, p, len);
	s[n] = '\0';
	for (size_t k = 0; k < n; k++)
		if (s[k] == '_' || s[k] == '-')
			s[k] = ' ';
	return s;
}

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

static int all_digits_n(const char *s, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (s[k] < '0' || s[k] > '9')
			return 0;
	return n > 0;
}

/* ---- catalog tables ---- */

static void build_pairs(struct lmrec_slotvocab *v)
{
	const struct lmrec_catalog *c = v->cat;
	size_t nd = v->ndom ? v->ndom : 1;
	v->pairs_ids = lmrec_ids_new();
	uint32_t *code_key = NULL, *code_val = NULL;
	size_t pcap = 0;
	uint64_t np = c->aptr[c->n];
	uint32_t *pair_of = lmrec_xcalloc(np + 1, sizeof *pair_of); /* (catalog pairs) */
	for (uint64_t q = 0; q < np; q++) {
		unsigned char b[8];
		lmrec_put_le64(b, pair_code(c->akey[q], c->aval[q]));
		size_t before = lmrec_ids_count(v->pairs_ids);
		uint32_t id = lmrec_ids_intern(v->pairs_ids, (const char *)b, sizeof b);
		if (id == before) {
			LMREC_GROW(code_key, pcap, (size_t)id + 1);
			code_val = lmrec_xreallocarray(code_val, pcap, sizeof *code_val);
			code_key[id] = c->akey[q];
			code_val[id] = c->aval[q];
		}
		pair_of[q] = id;
	}
	v->npairs = lmrec_ids_count(v->pairs_ids);
	v->pair_key = code_key ? code_key : lmrec_xcalloc(1, sizeof *v->pair_key);
	v->pair_val = code_val ? code_val : lmrec_xcalloc(1, sizeof *v->pair_val);
	v->pair_items = lmrec_xcalloc(v->npairs + 1, sizeof *v->pair_items);
	v->pair_dom = lmrec_xcalloc(v->npairs * nd + 1, sizeof *v->pair_dom);
	v->key_dom = lmrec_xcalloc(v->nkeys * nd + 1, sizeof *v->key_dom);
	/* each item's distinct pairs, ascending */
	v->item_pair_ptr = lmrec_xcalloc(c->n + 1, sizeof *v->item_pair_ptr);
	v->item_pair = lmrec_xcalloc(np + 1, sizeof *v->item_pair);
	unsigned char *keyseen = lmrec_xcalloc(v->nkeys + 1, 1);
	uint64_t at = 0;
	for (size_t i = 0; i < c->n; i++) {
		uint64_t start = at;
		for (uint64_t q = c->aptr[i]; q < c->aptr[i + 1]; q++) {
			uint32_t p = pair_of[q];
			uint64_t k = start;
			while (k < at && v->item_pair[k] < p)
				k++;
			if (k < at && v->item_pair[k] == p)
				continue;
			memmove(v->item_pair + k + 1, v->item_pair + k, (size_t)(at - k) * sizeof *v->item_pair);
			v->item_pair[k] = p;
			at++;
		}
		v->item_pair_ptr[i + 1] = at;
		size_t d = c->domain[i] >= 0 ? (size_t)c->domain[i] : 0;
		for (uint64_t k = start; k < at; k++) {
			uint32_t p = v->item_pair[k];
			v->pair_items[p]++;
			if (v->ndom && c->domain[i] >= 0)
				v->pair_dom[(size_t)p * nd + d]++;
			if (!keyseen[v->pair_key[p]] && v->ndom && c->domain[i] >= 0) {
				keyseen[v->pair_key[p]] = 1;
				v->key_dom[(size_t)v->pair_key[p] * nd + d]++;
			}
		}
		for (uint64_t k = start; k < at; k++)
			keyseen[v->pair_key[v->item_pair[k]]] = 0;
	}
	free(keyseen);
	free(pair_of);
	/* keys: yes/no, references */
	v->key_yesno = lmrec_xcalloc(v->nkeys + 1, 1);
	v->key_ref = lmrec_xcalloc(v->nkeys + 1, 1);
	unsigned char *other = lmrec_xcalloc(v->nkeys + 1, 1), *nonref = lmrec_xcalloc(v->nkeys + 1, 1);
	for (size_t p = 0; p < v->npairs; p++) {
		uint32_t k = v->pair_key[p], val = v->pair_val[p];
		if ((int64_t)val == v->yes_value)
			v->key_yesno[k] = 1;
		else if ((int64_t)val != v->no_value)
			other[k] = 1;
		size_t len;
		const char *s = lmrec_ids_str(c->values, val, &len);
		if (lmrec_ids_find(c->items, s, len) < 0)
			nonref[k] = 1;
	}
	for (size_t k = 0; k < v->nkeys; k++) {
		v->key_yesno[k] = v->key_yesno[k] && !other[k];
		v->key_ref[k] = !nonref[k];
	}
	free(other);
	free(nonref);
	/* categories: their domain and size */
	v->cat_dom = lmrec_xcalloc(v->ncat + 1, sizeof *v->cat_dom);
	v->cat_items = lmrec_xcalloc(v->ncat + 1, sizeof *v->cat_items);
	uint32_t *cd = lmrec_xcalloc(v->ncat * nd + 1, sizeof *cd);
	for (size_t i = 0; i < c->n; i++)
		if (c->category[i] >= 0) {
			v->cat_items[c->category[i]]++;
			if (c->domain[i] >= 0)
				cd[(size_t)c->category[i] * nd + (size_t)c->domain[i]]++;
		}
	for (size_t k = 0; k < v->ncat; k++) {
		v->cat_dom[k] = (uint32_t)v->ndom; /* none */
		uint32_t best = 0;
		for (size_t d = 0; d < v->ndom; d++)
			if (cd[k * nd + d] > best) {
				best = cd[k * nd + d];
				v->cat_dom[k] = (uint32_t)d;
			}
	}
	free(cd);
	/* names as text */
	size_t nv = lmrec_ids_count(c->values);
	v->key_text = lmrec_xcalloc(v->nkeys + 1, sizeof *v->key_text);
	v->val_text = lmrec_xcalloc(nv + 1, sizeof *v->val_text);
	v->cat_text = lmrec_xcalloc(v->ncat + 1, sizeof *v->cat_text);
	for (size_t k = 0; k < v->nkeys; k++)
		v->key_text[k] = name_text(c->keys, (uint32_t)k);
	for (size_t k = 0; k < nv; k++)
		v->val_text[k] = name_text(c->values, (uint32_t)k);
	for (size_t k = 0; k < v->ncat; k++)
		v->cat_text[k] = name_text(c->categories, (uint32_t)k);
	v->dom_text = lmrec_xcalloc(v->ndom + 1, sizeof *v->dom_text);
	for (size_t k = 0; k < v->ndom; k++)
		v->dom_text[k] = name_text(c->domains, (uint32_t)k);
}

/* ---- exact entries ---- */

struct entry {
	uint32_t phrase;
	struct lmrec_meaning m;
	unsigned char before;
};

struct entries {
	struct entry *e;
	size_t n, cap;
	struct lmrec_swords ws;
	struct lmrec_text *tk;
	char *key;
	size_t keycap;
};

/* Adds the meaning m for the text s (its words' stems; prefix, when not
 * NULL, goes before them). */
static void entry_add(struct lmrec_slotvocab *v, struct entries *es, const char *prefix, const char *s,
		      struct lmrec_meaning m, int stop_before)
{
	lmrec_swords_split(&es->ws, es->tk, NULL, s, strlen(s), 16);
	size_t nw = 0, len = 0;
	/* only the words (a value may hold punctuation: "t-shirt", "4.5") */
	for (size_t k = 0; k < es->ws.n; k++)
		nw += es->ws.w[k].kind == LMREC_SW_WORD;
	if (nw == 0 || nw > 4)
		return;
	if (prefix) {
		size_t pl = strlen(prefix);
		LMREC_GROW(es->key, es->keycap, pl + 2);
		memcpy(es->key, prefix, pl);
		len = pl;
	}
	for (size_t k = 0; k < es->ws.n; k++) {
		if (es->ws.w[k].kind != LMREC_SW_WORD)
			continue;
		size_t l;
		const char *p = lmrec_sword_stem(&es->ws, k, &l);
		LMREC_GROW(es->key, es->keycap, len + l + 2);
		if (len)
			es->key[len++] = ' ';
		memcpy(es->key + len, p, l);
		len += l;
	}
	size_t words = nw + (prefix != NULL);
	if (words > v->max_phrase)
		v->max_phrase = words;
	int before = 0;
	if (stop_before && nw == 1 && !prefix) {
		size_t l;
		const char *p = lmrec_sword_surf(&es->ws, 0, &l);
		before = lmrec_ids_find(v->stop, p, l) >= 0;
	}
	LMREC_GROW(es->e, es->cap, es->n + 1);
	es->e[es->n++] = (struct entry){lmrec_ids_intern(v->phrases, es->key, len), m, (unsigned char)before};
}

static int cmp_entry(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	if (a->phrase != b->phrase)
		return a->phrase < b->phrase ? -1 : 1;
	if (a->m.kind != b->m.kind)
		return a->m.kind < b->m.kind ? -1 : 1;
	return a->m.id < b->m.id ? -1 : a->m.id > b->m.id;
}

/* A value ending in "ing" ("skiing", "hiking", "running") also answers to
 * its verb as the texts write it ("ski", "hike", "run"): the first of
 * stem, stem + "e", and the stem without a doubled last letter that the
 * titles and texts use. */
static void add_ing_alias(struct lmrec_slotvocab *v, struct entries *es, const char *val, struct lmrec_meaning m,
			  const struct lmrec_ids *surfaces)
{
	size_t n = strlen(val);
	if (n < 6 || strcmp(val + n - 3, "ing") != 0 || strchr(val, ' '))
		return;
	char *b = lmrec_xmalloc(n + 1);
	size_t k = n - 3;
	memcpy(b, val, k);
	const size_t tries[3] = {k, k + 1, k - 1};
	for (int t = 0; t < 3; t++) {
		size_t len = tries[t];
		if (t == 1)
			b[k] = 'e';
		if (t == 2 && !(k >= 2 && b[k - 1] == b[k - 2]))
			continue;
		if (lmrec_ids_find(surfaces, b, len) >= 0) {
			b[len] = '\0';
			entry_add(v, es, NULL, b, m, 0);
			break;
		}
	}
	free(b);
}

static void build_exact(struct lmrec_slotvocab *v, struct lmrec_text *tk, const struct lmrec_ids *surfaces)
{
	struct entries es = {0};
	es.tk = tk;
	v->phrases = lmrec_ids_new();
	for (size_t p = 0; p < v->npairs; p++) {
		uint32_t k = v->pair_key[p], val = v->pair_val[p];
		if (v->key_ref[k])
			continue;
		struct lmrec_meaning m = {LMREC_SLOT_PAIR, (uint32_t)p, 1.0f};
		if (v->key_yesno[k]) {
			if ((int64_t)val == v->yes_value)
				entry_add(v, &es, NULL, v->key_text[k], m, 0);
			continue;
		}
		if (all_digits(v->val_text[val])) { /* "2 people": the value, then the key */
			char *key = lmrec_xasprintf("%s %s", v->val_text[val], v->key_text[k]);
			entry_add(v, &es, NULL, key, m, 0);
			free(key);
			continue;
		}
		entry_add(v, &es, NULL, v->val_text[val], m, 1);
		add_ing_alias(v, &es, v->val_text[val], m, surfaces);
	}
	for (size_t k = 0; k < v->nkeys; k++)
		if (!v->key_ref[k] && !v->key_yesno[k])
			entry_add(v, &es, NULL, v->key_text[k], (struct lmrec_meaning){LMREC_SLOT_KEY, (uint32_t)k, 1.0f},
				  0);
	for (size_t k = 0; k < v->ncat; k++)
		entry_add(v, &es, NULL, v->cat_text[k], (struct lmrec_meaning){LMREC_SLOT_CATEGORY, (uint32_t)k, 1.0f},
			  1);
	/* domain names ("food", "places") only vote for their domain: as
	 * words of a request they are too common to filter by ("a place to
	 * eat") */
	for (size_t d = 0; d < v->ndom; d++)
		entry_add(v, &es, NULL, v->dom_text[d], (struct lmrec_meaning){LMREC_SLOT_DOMAIN, (uint32_t)d, 1.0f}, 1);
	qsort(es.e, es.n, sizeof *es.e, cmp_entry);
	size_t nph = lmrec_ids_count(v->phrases);
	v->ph_ptr = lmrec_xcalloc(nph + 1, sizeof *v->ph_ptr);
	v->ph_m = lmrec_xcalloc(es.n + 1, sizeof *v->ph_m);
	v->ph_before = lmrec_xcalloc(nph + 1, 1);
	size_t at = 0;
	memset(v->ph_before, 1, nph);
	for (size_t j = 0; j < es.n; j++) {
		/* a phrase needs a word after it only if every meaning does */
		v->ph_before[es.e[j].phrase] &= es.e[j].before;
		if (j > 0 && cmp_entry(&es.e[j - 1], &es.e[j]) == 0)
			continue;
		v->ph_m[at++] = es.e[j].m;
		v->ph_ptr[es.e[j].phrase + 1] = at;
	}
	for (size_t k = 1; k <= nph; k++)
		if (v->ph_ptr[k] < v->ph_ptr[k - 1])
			v->ph_ptr[k] = v->ph_ptr[k - 1];
	free(es.e);
	free(es.key);
	lmrec_swords_free(&es.ws);
}

int64_t lmrec_slotvocab_phrase(const struct lmrec_slotvocab *v, const char *s, size_t len)
{
	return lmrec_ids_find(v->phrases, s, len);
}

/* ---- scenario implications ---- */

struct learn {
	struct lmrec_swords ws;
	int8_t *mode;
	uint32_t *clause;
	unsigned char *cue;
	size_t cap;
	struct lmrec_span *sp;
	size_t spcap;
	char *key;
	size_t keycap;
};

/* The spans of one text into l. */
static size_t learn_spans(const struct lmrec_slotvocab *v, struct lmrec_text *tk, struct learn *l, const char *s,
			  size_t len)
{
	lmrec_swords_split(&l->ws, tk, v->stop, s, len, SIZE_MAX);
	if (l->ws.n + 1 > l->cap) {
		l->cap = l->ws.n + 1;
		l->mode = lmrec_xreallocarray(l->mode, l->cap, sizeof *l->mode);
		l->clause = lmrec_xreallocarray(l->clause, l->cap, sizeof *l->clause);
		l->cue = lmrec_xreallocarray(l->cue, l->cap, 1);
	}
	lmrec_slots_scope(&l->ws, l->mode, l->clause, l->cue);
	return lmrec_slots_spans(v, &l->ws, l->mode, l->clause, l->cue, &l->sp, &l->spcap, &l->key, &l->keycap);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

struct imp_cand {
	struct lmrec_meaning m;
	double lift;
};

static int cmp_imp(const void *pa, const void *pb)
{
	const struct imp_cand *a = pa, *b = pb;
	if (a->lift != b->lift)
		return a->lift > b->lift ? -1 : 1;
	if (a->m.kind != b->m.kind)
		return a->m.kind < b->m.kind ? -1 : 1;
	return a->m.id < b->m.id ? -1 : a->m.id > b->m.id;
}

/* The features of one text (the title, or title and text) into *feat
 * (distinct, ascending; grown, *fcap): 2w for a content word w, 2w + 1
 * for a word inside a negation scope; exact entries of one word count
 * too (they learn what they mean outside their own domains). */
static size_t text_features(struct lmrec_slotvocab *v, struct lmrec_text *tk, struct learn *l, const char *s,
			    size_t len, uint64_t **feat, size_t *fcap, char ***surface, size_t *scap)
{
	size_t ns = learn_spans(v, tk, l, s, len);
	size_t nfi = 0;
	for (size_t k = 0; k < ns; k++) {
		const struct lmrec_span *sp = &l->sp[k];
		if (sp->mode == LMREC_POL_ANY || sp->n != 1)
			continue;
		size_t wl, sl;
		const char *stem = lmrec_sword_stem(&l->ws, sp->first, &wl);
		if (all_digits_n(stem, wl))
			continue; /* numbers are not words */
		const char *surf = lmrec_sword_surf(&l->ws, sp->first, &sl);
		size_t before = lmrec_ids_count(v->words);
		uint32_t w = lmrec_ids_intern(v->words, stem, wl);
		if (w == before) {
			LMREC_GROW(*surface, *scap, (size_t)w + 1);
			(*surface)[w] = lmrec_xstrndup(surf, sl);
		}
		LMREC_GROW(*feat, *fcap, nfi + 1);
		(*feat)[nfi++] = 2 * (uint64_t)w + (sp->mode < 0);
	}
	qsort(*feat, nfi, sizeof **feat, cmp_u64);
	size_t nd = 0;
	for (size_t k = 0; k < nfi; k++)
		if (k == 0 || (*feat)[k] != (*feat)[k - 1])
			(*feat)[nd++] = (*feat)[k];
	return nd;
}

/* Appends the item's words to the corpus of the subword vectors: every
 * word but function words. */
static void corpus_add(struct lmrec_corpus *corpus, const struct lmrec_swords *ws)
{
	for (size_t k = 0; k < ws->n; k++) {
		if (ws->w[k].kind != LMREC_SW_WORD || ws->w[k].stop)
			continue;
		size_t sl;
		const char *s = lmrec_sword_surf(ws, k, &sl);
		uint32_t w = lmrec_ids_intern(corpus->words, s, sl);
		if (w >= corpus->ccount) {
			size_t old = corpus->ccount;
			LMREC_GROW(corpus->count, corpus->ccount, (size_t)w + 1);
			memset(corpus->count + old, 0, (corpus->ccount - old) * sizeof *corpus->count);
		}
		corpus->count[w]++;
		LMREC_GROW(corpus->tok, corpus->ctok, corpus->ntokens + 1);
		corpus->tok[corpus->ntokens++] = w;
	}
}

/* Count of code in the sorted list a[0..n). */
static size_t count_of(const uint64_t *a, size_t n, uint64_t code)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (a[mid] < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t k = lo;
	while (k < n && a[k] == code)
		k++;
	return k - lo;
}

/* The domains (a bit each, the first 64) where meaning m occurs. */
static uint64_t meaning_domains(const struct lmrec_slotvocab *v, const struct lmrec_meaning *m)
{
	uint64_t bits = 0;
	size_t nd = v->ndom ? v->ndom : 1;
	for (size_t d = 0; d < v->ndom && d < 64; d++) {
		int in = 0;
		switch (m->kind) {
		case LMREC_SLOT_PAIR: in = v->pair_dom[(size_t)m->id * nd + d] > 0; break;
		case LMREC_SLOT_CATEGORY: in = v->cat_dom[m->id] == d; break;
		case LMREC_SLOT_DOMAIN: in = m->id == d; break;
		default: in = v->key_dom[(size_t)m->id * nd + d] > 0; break;
		}
		if (in)
			bits |= (uint64_t)1 << d;
	}
	return bits;
}

/* The weight of the attribute's base rate in the estimate of P(a | w):
 * (n(w, a) + PRIOR base(a)) / (n(w) + PRIOR), so that a word seen in few
 * items says little. */
#define PRIOR 3.0
/* P(a | w) from which an implication is kept whatever its lift. */
#define CERTAIN 0.9
/* The looser readings of a word when it answers a question about a key:
 * items, P(value | word) within the key's domains, and lift. */
#define ANSWER_SUPPORT 2.0
#define ANSWER_PROB 0.45
#define ANSWER_LIFT 1.2
/* Items a word that names a category must share with it (and one of them
 * must have it in its title). */
#define CATEGORY_SUPPORT 3.0

/* Learns the implications; fills words, word_items, imp; returns the first
 * surface form of every word (for the anchors), and fills the corpus of
 * the subword vectors. */
static char **learn_implications(struct lmrec_slotvocab *v, struct lmrec_text *tk, struct lmrec_corpus *corpus)
{
	const struct lmrec_catalog *c = v->cat;
	v->words = lmrec_ids_new();
	char **surface = NULL;
	size_t scap = 0;
	uint64_t *feat = NULL;  /* per item: distinct features */
	uint64_t *co = NULL;    /* (feature << 32 | attribute) over items */
	uint64_t *tco = NULL;   /* (feature << 32 | category) of title words */
	size_t nco = 0, cocap = 0, fcap = 0, ntco = 0, tcocap = 0;
	uint32_t *nf = NULL;    /* (2 nwords) items per feature */
	size_t nfcap = 0;
	size_t na = v->npairs + v->ncat + v->ndom, nd1 = v->ndom ? v->ndom : 1;
	uint32_t *nattr = lmrec_xcalloc(na + 1, sizeof *nattr);
	struct learn l = {0};
	char *text = NULL;
	size_t tcap = 0;
	memset(corpus, 0, sizeof *corpus);
	corpus->items = lmrec_ids_new();
	corpus->words = lmrec_ids_new();
	LMREC_GROW(corpus->start, corpus->cstart, c->n + 1);
	corpus->start[0] = 0;
	for (size_t i = 0; i < c->n; i++) {
		/* the title alone: which words name the item's kind */
		size_t tl = strlen(c->title[i]), xl = strlen(c->text[i]);
		size_t nt = text_features(v, tk, &l, c->title[i], tl, &feat, &fcap, &surface, &scap);
		if (c->category[i] >= 0) {
			LMREC_GROW(tco, tcocap, ntco + nt);
			for (size_t k = 0; k < nt; k++)
				if (!(feat[k] & 1))
					tco[ntco++] = feat[k] << 32 | (uint32_t)c->category[i];
		}
		/* title and text */
		LMREC_GROW(text, tcap, tl + xl + 3);
		memcpy(text, c->title[i], tl);
		text[tl] = '.';
		text[tl + 1] = '\n';
		memcpy(text + tl + 2, c->text[i], xl);
		size_t nd = text_features(v, tk, &l, text, tl + xl + 2, &feat, &fcap, &surface, &scap);
		size_t idlen;
		const char *id = lmrec_ids_str(c->items, (uint32_t)i, &idlen);
		lmrec_ids_intern(corpus->items, id, idlen);
		corpus_add(corpus, &l.ws);
		corpus->start[i + 1] = corpus->ntokens;
		size_t nw2 = 2 * lmrec_ids_count(v->words);
		if (nw2 > nfcap) {
			size_t old = nfcap;
			LMREC_GROW(nf, nfcap, nw2);
			memset(nf + old, 0, (nfcap - old) * sizeof *nf);
		}
		/* the item's attributes: category, domain, pairs */
		uint32_t attrs[2];
		size_t nat = 0;
		if (c->category[i] >= 0)
			attrs[nat++] = (uint32_t)(v->npairs + (size_t)c->category[i]);
		if (c->domain[i] >= 0 && v->ndom)
			attrs[nat++] = (uint32_t)(v->npairs + v->ncat + (size_t)c->domain[i]);
		uint64_t p0 = v->item_pair_ptr[i], p1 = v->item_pair_ptr[i + 1];
		for (size_t k = 0; k < nd; k++) {
			nf[feat[k]]++;
			LMREC_GROW(co, cocap, nco + nat + (size_t)(p1 - p0));
			for (size_t a = 0; a < nat; a++)
				co[nco++] = feat[k] << 32 | attrs[a];
			for (uint64_t q = p0; q < p1; q++)
				if (!v->key_ref[v->pair_key[v->item_pair[q]]])
					co[nco++] = feat[k] << 32 | v->item_pair[q];
		}
		for (size_t a = 0; a < nat; a++)
			nattr[attrs[a]]++;
		for (uint64_t q = p0; q < p1; q++)
			nattr[v->item_pair[q]]++;
	}
	LMREC_GROW(corpus->count, corpus->ccount, lmrec_ids_count(corpus->words) + 1);
	size_t nw = lmrec_ids_count(v->words);
	if (2 * nw + 1 > nfcap) {
		size_t old = nfcap;
		LMREC_GROW(nf, nfcap, 2 * nw + 1);
		memset(nf + old, 0, (nfcap - old) * sizeof *nf);
	}
	v->word_items = lmrec_xcalloc(nw + 1, sizeof *v->word_items);
	for (size_t w = 0; w < nw; w++)
		v->word_items[w] = nf[2 * w];
	qsort(co, nco, sizeof *co, cmp_u64);
	qsort(tco, ntco, sizeof *tco, cmp_u64);
	/* the base rate of an attribute: its share of the items of the domains
	 * it occurs in (season=all is common among products, rare among films) */
	double *base = lmrec_xcalloc(na + 1, sizeof *base);
	double *dsize = lmrec_xcalloc(nd1, sizeof *dsize);
	for (size_t i = 0; i < c->n; i++)
		if (c->domain[i] >= 0)
			dsize[c->domain[i]] += 1;
	for (size_t a = 0; a < na; a++) {
		double within = 0;
		if (a < v->npairs) {
			for (size_t d = 0; d < v->ndom; d++)
				if (v->pair_dom[a * nd1 + d])
					within += dsize[d];
		} else if (a < v->npairs + v->ncat && v->cat_dom[a - v->npairs] < v->ndom) {
			within = dsize[v->cat_dom[a - v->npairs]];
		}
		if (within <= 0)
			within = (double)c->n;
		base[a] = (double)nattr[a] / within;
	}
	free(dsize);
	/* select */
	v->imp_ptr = lmrec_xcalloc(2 * nw + 1, sizeof *v->imp_ptr);
	size_t icap = 0, nimp = 0, ccap = 0;
	struct imp_cand *cand = NULL;
	double *fdom = lmrec_xcalloc(nd1, sizeof *fdom); /* items of the feature per domain */
	double strict = (1 + v->p.min_prob) / 2;
	/* the answer readings: per word and key, the value it leans to most */
	v->ans_ptr = lmrec_xcalloc(nw + 1, sizeof *v->ans_ptr);
	size_t acap = 0, nans = 0;
	uint32_t *kbest = lmrec_xcalloc(v->nkeys + 1, sizeof *kbest), *ktouched = lmrec_xcalloc(v->nkeys + 1, sizeof *ktouched);
	float *kp = lmrec_xcalloc(v->nkeys + 1, sizeof *kp);
	for (size_t j = 0; j < nco;) {
		uint64_t f = co[j] >> 32;
		size_t e = j;
		while (e < nco && co[e] >> 32 == f)
			e++;
		for (size_t d = 0; d < nd1; d++)
			fdom[d] = 0;
		for (size_t q = j; q < e; q++) {
			uint32_t a = (uint32_t)co[q];
			if (a >= v->npairs + v->ncat)
				fdom[a - v->npairs - v->ncat] += 1;
		}
		/* an exact word: its exact meaning wins in its own domains */
		size_t wl;
		const char *ws = lmrec_ids_str(v->words, (uint32_t)(f / 2), &wl);
		int64_t ph = lmrec_slotvocab_phrase(v, ws, wl);
		uint64_t exact_doms = 0;
		if (ph >= 0) {
			const struct lmrec_meaning *m;
			size_t k = lmrec_slotvocab_meanings(v, ph, &m);
			for (size_t q = 0; q < k; q++)
				exact_doms |= meaning_domains(v, &m[q]);
		}
		size_t nc = 0, nkt = 0;
		for (size_t q = j; q < e;) {
			uint32_t a = (uint32_t)co[q];
			size_t r = q;
			while (r < e && co[r] == co[q])
				r++;
			double nfa = (double)(r - q), p, need = v->p.min_prob, support = (double)v->p.min_support;
			q = r;
			struct lmrec_meaning m;
			if (a < v->npairs) {
				/* within the domains of the pair ("rainy" -> indoor among places) */
				double nfs = 0;
				for (size_t d = 0; d < v->ndom; d++)
					if (v->pair_dom[(size_t)a * nd1 + d])
						nfs += fdom[d];
				if (!v->ndom)
					nfs = nf[f];
				p = (nfa + PRIOR * base[a]) / (nfs + PRIOR);
				m = (struct lmrec_meaning){LMREC_SLOT_PAIR, a, (float)p};
				uint32_t k = v->pair_key[a];
				if (!(f & 1) && ph < 0 && nfa >= ANSWER_SUPPORT && p >= ANSWER_PROB &&
				    p / base[a] >= ANSWER_LIFT && (float)p > kp[k]) {
					if (kp[k] == 0)
						ktouched[nkt++] = k;
					kp[k] = (float)p;
					kbest[k] = a;
				}
			} else if (a < v->npairs + v->ncat) {
				/* a word that names the kind of item: also in its titles */
				p = (nfa + PRIOR * base[a]) / ((double)nf[f] + PRIOR);
				uint32_t cat = (uint32_t)(a - v->npairs);
				support = CATEGORY_SUPPORT; /* the titles vouch for it too */
				if ((f & 1) || count_of(tco, ntco, (f << 32) | cat) < 1)
					continue;
				m = (struct lmrec_meaning){LMREC_SLOT_CATEGORY, cat, (float)p};
			} else {
				p = (nfa + PRIOR * base[a]) / ((double)nf[f] + PRIOR);
				need = strict;
				m = (struct lmrec_meaning){LMREC_SLOT_DOMAIN, (uint32_t)(a - v->npairs - v->ncat), (float)p};
			}
			double lift = base[a] > 0 ? p / base[a] : 0;
			/* a near-certain implication needs no lift ("kids" -> family=yes
			 * among places, where most places welcome families) */
			if (nfa < support || p < need || lift < (p >= CERTAIN ? 1.0 + 1e-9 : v->p.min_lift))
				continue;
			/* an exact word learns only what it means elsewhere, and
			 * only for certain */
			if (ph >= 0 && (m.kind != LMREC_SLOT_PAIR || (meaning_domains(v, &m) & exact_doms) || p < CERTAIN))
				continue;
			LMREC_GROW(cand, ccap, nc + 1);
			cand[nc++] = (struct imp_cand){m, lift};
		}
		j = e;
		if (nkt) { /* keys in catalog order */
			LMREC_GROW(v->ans, acap, nans + nkt);
			for (size_t k = 0; k < v->nkeys; k++)
				if (kp[k] > 0) {
					v->ans[nans++] = (struct lmrec_meaning){LMREC_SLOT_PAIR, kbest[k], kp[k]};
					kp[k] = 0;
				}
			v->ans_ptr[f / 2 + 1] = nans;
		}
		if (nc == 0)
			continue;
		qsort(cand, nc, sizeof *cand, cmp_imp);
		/* a word that implies a category names a kind of item */
		int has_cat = 0;
		for (size_t k = 0; k < nc; k++)
			has_cat |= cand[k].m.kind == LMREC_SLOT_CATEGORY;
		size_t pairs = 0;
		LMREC_GROW(v->imp, icap, nimp + nc);
		for (size_t k = 0; k < nc; k++) {
			struct lmrec_meaning m = cand[k].m;
			if (has_cat && m.kind != LMREC_SLOT_CATEGORY)
				continue;
			if (m.kind == LMREC_SLOT_PAIR && pairs++ >= v->p.max_imply)
				continue;
			v->imp[nimp++] = m;
		}
		v->imp_ptr[f + 1] = nimp;
	}
	for (size_t k = 1; k <= 2 * nw; k++)
		if (v->imp_ptr[k] < v->imp_ptr[k - 1])
			v->imp_ptr[k] = v->imp_ptr[k - 1];
	if (!v->imp)
		v->imp = lmrec_xcalloc(1, sizeof *v->imp);
	v->nimply = nimp;
	for (size_t k = 1; k <= nw; k++)
		if (v->ans_ptr[k] < v->ans_ptr[k - 1])
			v->ans_ptr[k] = v->ans_ptr[k - 1];
	if (!v->ans)
		v->ans = lmrec_xcalloc(1, sizeof *v->ans);
	free(kbest);
	free(ktouched);
	free(kp);
	free(fdom);
	free(base);
	free(cand);
	free(co);
	free(tco);
	free(feat);
	free(nf);
	free(nattr);
	free(text);
	lmrec_swords_free(&l.ws);
	free(l.mode);
	free(l.clause);
	free(l.cue);
	free(l.sp);
	free(l.key);
	return surface;
}

const struct lmrec_meaning *lmrec_slotvocab_answer(const struct lmrec_slotvocab *v, const char *stem, size_t len,
						   uint32_t key)
{
	int64_t w = lmrec_ids_find(v->words, stem, len);
	if (w < 0)
		return NULL;
	for (uint64_t q = v->ans_ptr[w]; q < v->ans_ptr[w + 1]; q++)
		if (v->pair_key[v->ans[q].id] == key)
			return &v->ans[q];
	return NULL;
}

size_t lmrec_slotvocab_implies(const struct lmrec_slotvocab *v, const char *stem, size_t len, int neg,
			       const struct lmrec_meaning **m)
{
	int64_t w = lmrec_ids_find(v->words, stem, len);
	if (w < 0) {
		*m = NULL;
		return 0;
	}
	size_t f = 2 * (size_t)w + (neg != 0);
	*m = v->imp + v->imp_ptr[f];
	return (size_t)(v->imp_ptr[f + 1] - v->imp_ptr[f]);
}

/* ---- subword anchors ---- */

/* Neighbours in the hubness correction (CSLS, Conneau et al. 2018). */
#define HUB_K 10
/* 4-byte grams an anchor must share with a word (two: five characters in
 * a row, or two runs of four). */
#define GATE_GRAMS 2

static void normalise(float *x, size_t dim)
{
	double s = 0;
	for (size_t d = 0; d < dim; d++)
		s += (double)x[d] * x[d];
	if (s <= 0)
		return;
	float inv = (float)(1.0 / sqrt(s));
	for (size_t d = 0; d < dim; d++)
		x[d] *= inv;
}

/* The raw vector of a word into out (dim); 0 when it has none. */
static int raw_vector(const struct lmrec_slotvocab *v, const char *w, size_t len, float *out)
{
	if (v->wv) {
		int64_t k = lmrec_ids_find(v->wv->words, w, len);
		if (k < 0)
			return 0;
		memcpy(out, v->wv->v + (size_t)k * v->dim, v->dim * sizeof *out);
		return 1;
	}
	if (!v->sg)
		return 0;
	/* the character n-grams only, for every word alike: a word the
	 * catalog never uses has nothing else, and comparing like with like
	 * keeps a known word's own row from pulling it away; the mean of own
	 * row and n-grams, k rows in all, less the own row */
	const struct lmrec_skipgram *m = v->sg;
	size_t k = lmrec_skipgram_word(m, w, len, out);
	int64_t own = lmrec_ids_find(m->vocab, w, len);
	if (own < 0 || k == 0)
		return k > 0;
	if (k == 1)
		return 0; /* its own row only */
	const float *r = m->in + (size_t)own * m->dim;
	for (size_t d = 0; d < m->dim; d++)
		out[d] = ((float)k * out[d] - r[d]) / (float)(k - 1);
	return 1;
}

int lmrec_slotvocab_vector(const struct lmrec_slotvocab *v, const char *w, size_t len, float *out)
{
	if (!v->dim || !raw_vector(v, w, len, out))
		return 0;
	/* the anchors' common direction removed, as SIF removes it: small
	 * corpora give vectors that all lean one way */
	double s = 0;
	for (size_t d = 0; d < v->dim; d++) {
		out[d] -= v->anchor_mean[d];
		s += (double)out[d] * out[d];
	}
	if (!(s > 0))
		return 0;
	normalise(out, v->dim);
	return 1;
}

/* The mean of the k largest of x[0..n). */
static float mean_top(const float *x, size_t n, size_t k, float *top)
{
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		size_t at = m < k ? m : k;
		while (at > 0 && top[at - 1] < x[i])
			at--;
		if (at >= k)
			continue;
		size_t last = m < k ? m : k - 1;
		memmove(top + at + 1, top + at, (last - at) * sizeof *top);
		top[at] = x[i];
		if (m < k)
			m++;
	}
	double s = 0;
	for (size_t i = 0; i < m; i++)
		s += top[i];
	return m ? (float)(s / (double)m) : 0.0f;
}

/* The 4-byte grams of "<w" into *g (sorted, distinct; grown, *cap): the
 * end of a word is left out, since endings ("ing", "ness") say little;
 * returns their number. */
static size_t grams4(const char *w, size_t len, uint32_t **g, size_t *cap)
{
	size_t n = 0;
	if (len + 1 < 4)
		return 0;
	for (size_t i = 0; i + 4 <= len + 1; i++) {
		char b[4];
		for (size_t k = 0; k < 4; k++) {
			size_t at = i + k; /* position in "<w>" */
			if (at == 0)
				b[k] = '<';
			else if (at == len + 1)
				b[k] = '>';
			else
				b[k] = w[at - 1];
		}
		LMREC_GROW(*g, *cap, n + 1);
		(*g)[n++] = lmrec_fnv1a32(b, 4);
	}
	/* sort, unique (few: insertion) */
	for (size_t i = 1; i < n; i++) {
		uint32_t x = (*g)[i];
		size_t j = i;
		while (j > 0 && (*g)[j - 1] > x) {
			(*g)[j] = (*g)[j - 1];
			j--;
		}
		(*g)[j] = x;
	}
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (m == 0 || (*g)[m - 1] != (*g)[i])
			(*g)[m++] = (*g)[i];
	return m;
}

/* Whether the sorted lists share GATE_GRAMS grams. */
static int share_grams(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
	size_t shared = 0;
	for (size_t i = 0, j = 0; i < na && j < nb;) {
		if (a[i] == b[j]) {
			if (++shared >= GATE_GRAMS)
				return 1;
			i++;
			j++;
		} else if (a[i] < b[j]) {
			i++;
		} else {
			j++;
		}
	}
	return 0;
}

int64_t lmrec_slotvocab_nearest(const struct lmrec_slotvocab *v, const char *w, size_t len, const float *x,
				float *cos, float *csls)
{
	size_t na = v->anchors ? lmrec_ids_count(v->anchors) : 0;
	int64_t best = -1;
	float bs = -INFINITY, bc = -2.0f;
	float *c = lmrec_xmalloc((na + 1) * sizeof *c), top[HUB_K];
	uint32_t *g = NULL;
	size_t gcap = 0, ng = grams4(w, len, &g, &gcap);
	for (size_t a = 0; a < na; a++) {
		const float *y = v->anchor_vec + a * v->dim;
		float s = 0;
		for (size_t d = 0; d < v->dim; d++)
			s += x[d] * y[d];
		c[a] = s;
		/* trained n-gram vectors: only anchors that share five
		 * characters with the word (word vectors given by the user
		 * know synonyms of any spelling) */
		if (!v->wv && !share_grams(g, ng, v->anchor_grams + v->anchor_gptr[a],
				(size_t)(v->anchor_gptr[a + 1] - v->anchor_gptr[a])))
			continue;
		/* CSLS: an anchor near everything (a hub) counts less */
		float score = 2 * s - v->anchor_hub[a];
		if (score > bs) {
			bs = score;
			bc = s;
			best = (int64_t)a;
		}
	}
	float rx = mean_top(c, na, HUB_K, top);
	free(c);
	free(g);
	*cos = bc;
	*csls = best >= 0 ? bs - rx : -INFINITY;
	return best;
}

/* The anchors: single-word exact entries (by the surface of a value, key,
 * category or domain) and words with implications. */
static void build_anchors(struct lmrec_slotvocab *v, char **surface, struct lmrec_text *tk)
{
	v->anchors = lmrec_ids_new();
	size_t cap = 0;
	struct lmrec_swords ws = {0};
	const struct lmrec_catalog *c = v->cat;
	size_t nv = lmrec_ids_count(c->values);
	/* exact entries: every one-word text of a name that is an entry */
	size_t nnames = nv + v->nkeys + v->ncat;
	for (size_t k = 0; k < nnames; k++) {
		const char *t = k < nv ? v->val_text[k] : k < nv + v->nkeys ? v->key_text[k - nv]
									 : v->cat_text[k - nv - v->nkeys];
		lmrec_swords_split(&ws, tk, NULL, t, strlen(t), 4);
		if (ws.n != 1 || ws.w[0].kind != LMREC_SW_WORD)
			continue;
		size_t sl, stl;
		const char *s = lmrec_sword_surf(&ws, 0, &sl);
		const char *st = lmrec_sword_stem(&ws, 0, &stl);
		int64_t ph = lmrec_slotvocab_phrase(v, st, stl);
		if (ph < 0 || v->ph_before[ph] || lmrec_ids_find(v->anchors, s, sl) >= 0)
			continue;
		uint32_t a = lmrec_ids_intern(v->anchors, s, sl);
		LMREC_GROW(v->anchor_stem, cap, (size_t)a + 1);
		v->anchor_stem[a] = lmrec_xstrndup(st, stl);
	}
	size_t nw = lmrec_ids_count(v->words);
	for (size_t w = 0; w < nw; w++) {
		if (v->imp_ptr[2 * w + 1] == v->imp_ptr[2 * w] || !surface[w])
			continue;
		size_t sl = strlen(surface[w]);
		if (lmrec_ids_find(v->anchors, surface[w], sl) >= 0)
			continue;
		uint32_t a = lmrec_ids_intern(v->anchors, surface[w], sl);
		LMREC_GROW(v->anchor_stem, cap, (size_t)a + 1);
		size_t stl;
		const char *st = lmrec_ids_str(v->words, (uint32_t)w, &stl);
		v->anchor_stem[a] = lmrec_xstrndup(st, stl);
	}
	lmrec_swords_free(&ws);
	size_t na = lmrec_ids_count(v->anchors), gcap = 0, ng = 0;
	v->anchor_gptr = lmrec_xcalloc(na + 1, sizeof *v->anchor_gptr);
	uint32_t *g = NULL;
	size_t tcap = 0;
	for (size_t a = 0; a < na; a++) {
		size_t len;
		const char *s = lmrec_ids_str(v->anchors, (uint32_t)a, &len);
		size_t n = grams4(s, len, &g, &gcap);
		LMREC_GROW(v->anchor_grams, tcap, ng + n + 1);
		memcpy(v->anchor_grams + ng, g, n * sizeof *g);
		ng += n;
		v->anchor_gptr[a + 1] = ng;
	}
	if (!v->anchor_grams)
		v->anchor_grams = lmrec_xcalloc(1, sizeof *v->anchor_grams);
	free(g);
}

void lmrec_slotvocab_anchor_words(const struct lmrec_slotvocab *v, struct lmrec_ids *keep)
{
	size_t na = lmrec_ids_count(v->anchors);
	for (size_t a = 0; a < na; a++) {
		size_t len;
		const char *s = lmrec_ids_str(v->anchors, (uint32_t)a, &len);
		lmrec_ids_intern(keep, s, len);
	}
}

static void anchor_vectors(struct lmrec_slotvocab *v)
{
	size_t na = lmrec_ids_count(v->anchors);
	free(v->anchor_vec);
	free(v->anchor_mean);
	v->anchor_vec = lmrec_xcalloc(na * v->dim + 1, sizeof *v->anchor_vec);
	v->anchor_mean = lmrec_xcalloc(v->dim + 1, sizeof *v->anchor_mean);
	unsigned char *has = lmrec_xcalloc(na + 1, 1);
	double *mean = lmrec_xcalloc(v->dim + 1, sizeof *mean);
	size_t n = 0;
	for (size_t a = 0; a < na; a++) {
		size_t len;
		const char *s = lmrec_ids_str(v->anchors, (uint32_t)a, &len);
		float *x = v->anchor_vec + a * v->dim;
		if (!raw_vector(v, s, len, x))
			continue;
		has[a] = 1;
		n++;
		for (size_t d = 0; d < v->dim; d++)
			mean[d] += x[d];
	}
	for (size_t d = 0; n && d < v->dim; d++)
		v->anchor_mean[d] = (float)(mean[d] / (double)n);
	for (size_t a = 0; a < na; a++) {
		float *x = v->anchor_vec + a * v->dim;
		if (!has[a])
			continue;
		for (size_t d = 0; d < v->dim; d++)
			x[d] -= v->anchor_mean[d];
		normalise(x, v->dim);
	}
	free(mean);
	free(has);
	/* how near each anchor is to the vocabulary at large: the mean cosine
	 * of its HUB_K nearest words */
	const struct lmrec_ids *pop = v->wv ? v->wv->words : v->sg ? v->sg->vocab : NULL;
	size_t np = pop ? lmrec_ids_count(pop) : 0;
	float *P = lmrec_xcalloc(np * v->dim + 1, sizeof *P), *c = lmrec_xcalloc(np + 1, sizeof *c), top[HUB_K];
	size_t npv = 0;
	for (size_t w = 0; w < np; w++) {
		size_t len;
		const char *s = lmrec_ids_str(pop, (uint32_t)w, &len);
		npv += lmrec_slotvocab_vector(v, s, len, P + npv * v->dim);
	}
	free(v->anchor_hub);
	v->anchor_hub = lmrec_xcalloc(na + 1, sizeof *v->anchor_hub);
	for (size_t a = 0; a < na; a++) {
		const float *x = v->anchor_vec + a * v->dim;
		for (size_t w = 0; w < npv; w++) {
			float s = 0;
			for (size_t d = 0; d < v->dim; d++)
				s += x[d] * P[w * v->dim + d];
			c[w] = s;
		}
		v->anchor_hub[a] = mean_top(c, npv, HUB_K, top);
	}
	free(P);
	free(c);
}

void lmrec_slotvocab_set_vectors(struct lmrec_slotvocab *v, const struct lmrec_wordvec *wv)
{
	lmrec_skipgram_free(v->sg);
	v->sg = NULL;
	v->wv = wv;
	v->dim = wv ? wv->dim : 0;
	if (v->dim)
		anchor_vectors(v);
}

/* ---- titles ---- */

static void build_titles(struct lmrec_slotvocab *v, struct lmrec_text *tk)
{
	const struct lmrec_catalog *c = v->cat;
	v->titles = lmrec_ids_new();
	struct lmrec_swords ws = {0};
	char *key = NULL;
	size_t keycap = 0;
	uint64_t *pairs = lmrec_xcalloc(c->n + 1, sizeof *pairs); /* (title << 32 | item) */
	size_t np = 0;
	for (size_t i = 0; i < c->n; i++) {
		lmrec_swords_split(&ws, tk, NULL, c->title[i], strlen(c->title[i]), 64);
		/* the words, without punctuation and without a leading "the" */
		size_t w = 0;
		for (size_t k = 0; k < ws.n; k++)
			if (ws.w[k].kind == LMREC_SW_WORD)
				ws.w[w++] = ws.w[k];
		ws.n = w;
		size_t first = 0;
		size_t l0;
		if (ws.n && (lmrec_sword_surf(&ws, 0, &l0), l0 == 3) && memcmp(ws.buf + ws.w[0].surf, "the", 3) == 0)
			first = 1;
		if (ws.n - first < 2 || ws.n - first > 12)
			continue;
		size_t len = lmrec_slots_join(&ws, first, ws.n - first, 0, &key, &keycap);
		uint32_t t = lmrec_ids_intern(v->titles, key, len);
		if (ws.n - first > v->max_title)
			v->max_title = ws.n - first;
		pairs[np++] = (uint64_t)t << 32 | i;
	}
	qsort(pairs, np, sizeof *pairs, cmp_u64);
	size_t nt = lmrec_ids_count(v->titles);
	v->title_ptr = lmrec_xcalloc(nt + 1, sizeof *v->title_ptr);
	v->title_item = lmrec_xcalloc(np + 1, sizeof *v->title_item);
	for (size_t k = 0; k < np; k++) {
		v->title_item[k] = (uint32_t)pairs[k];
		v->title_ptr[(pairs[k] >> 32) + 1] = k + 1;
	}
	for (size_t k = 1; k <= nt; k++)
		if (v->title_ptr[k] < v->title_ptr[k - 1])
			v->title_ptr[k] = v->title_ptr[k - 1];
	free(pairs);
	free(key);
	lmrec_swords_free(&ws);
}

/* ---- the whole ---- */

/* Every word of the titles and texts, as written (lower case). */
static struct lmrec_ids *text_surfaces(const struct lmrec_slotvocab *v, struct lmrec_text *tk)
{
	const struct lmrec_catalog *c = v->cat;
	struct lmrec_ids *ids = lmrec_ids_new();
	struct lmrec_swords ws = {0};
	for (size_t i = 0; i < c->n; i++)
		for (int f = 0; f < 2; f++) {
			const char *t = f ? c->text[i] : c->title[i];
			lmrec_swords_split(&ws, tk, NULL, t, strlen(t), SIZE_MAX);
			for (size_t k = 0; k < ws.n; k++)
				if (ws.w[k].kind == LMREC_SW_WORD) {
					size_t len;
					const char *p = lmrec_sword_surf(&ws, k, &len);
					lmrec_ids_intern(ids, p, len);
				}
		}
	lmrec_swords_free(&ws);
	return ids;
}

/* Words of asking rather than of what is asked for, beside the English
 * function words: "I'd like something nice, please". */
static const char *const chat_stop[] = {
	"please", "thanks", "thank", "want", "wants", "wanted", "like", "likes", "love", "need", "needs",
	"looking", "look", "find", "get", "got", "give", "show", "something", "thing", "things", "stuff",
	"maybe", "perhaps", "really", "actually", "make", "let", "let's", "lets", "good", "nice", "great",
	"ok", "okay", "hi", "hello", "hey", "well", "recommend", "suggest", "prefer", "bit", "kind", "sort",
	"type", "idea", "ideas", "hoping", "hope", "wondering", "buy", "buying", "pick", "choose", "else",
	"quite", "pretty", "super", "lovely", "someone", "somebody", "anyone", "mind", "okay", "sure",
	"yes", "yeah", "no", "nope", "great", "fine", "either", "whatever", "anything", "everything",
	"somewhere", "anywhere", "someplace", "suggestion", "suggestions", "suggest", "recommendation",
	"recommendations", "searching", "search", "trying", "try", "pls", "plz", "show", "tell", "know",
	"think", "guess", "wish", "after", "getting", "us", "ideally", "probably", NULL,
};

struct lmrec_slotvocab *lmrec_slotvocab_build(const struct lmrec_catalog *c,
					      const struct lmrec_slotvocab_params *p,
					      const struct lmrec_wordvec *wv)
{
	struct lmrec_slotvocab *v = lmrec_xcalloc(1, sizeof *v);
	v->cat = c;
	v->p = *p;
	v->nkeys = lmrec_ids_count(c->keys);
	v->ncat = lmrec_ids_count(c->categories);
	v->ndom = lmrec_ids_count(c->domains);
	v->yes_value = lmrec_ids_find(c->values, "yes", 3);
	v->no_value = lmrec_ids_find(c->values, "no", 2);
	v->stop = lmrec_ids_new();
	size_t nstop;
	const char *const *stop = lmrec_text_english_stopwords(&nstop);
	for (size_t k = 0; k < nstop; k++)
		lmrec_ids_intern(v->stop, stop[k], strlen(stop[k]));
	for (size_t k = 0; chat_stop[k]; k++)
		lmrec_ids_intern(v->stop, chat_stop[k], strlen(chat_stop[k]));
	struct lmrec_text *tk = lmrec_slots_tokenizer();
	build_pairs(v);
	struct lmrec_ids *surfaces = text_surfaces(v, tk);
	build_exact(v, tk, surfaces);
	lmrec_ids_free(surfaces);
	struct lmrec_corpus corpus;
	char **surface = learn_implications(v, tk, &corpus);
	build_anchors(v, surface, tk);
	size_t nw = lmrec_ids_count(v->words);
	for (size_t w = 0; w < nw; w++)
		free(surface[w]);
	free(surface);
	build_titles(v, tk);
	if (wv) {
		lmrec_slotvocab_set_vectors(v, wv);
	} else if (p->dim > 0 && corpus.ntokens > 0) {
		struct lmrec_skipgram_params sp = {.dim = p->dim, .window = 5, .negatives = 5,
						   .epochs = p->epochs ? p->epochs : 1, .min_count = 2, .minn = 3,
						   .maxn = 6, .lr = 0.05, .sample = 1e-4, .seed = p->seed,
						   .threads = 1};
		sp.buckets = lmrec_skipgram_default_buckets(&corpus, sp.minn, sp.maxn);
		v->sg = lmrec_skipgram_train(&corpus, &sp, NULL, NULL);
		v->dim = p->dim;
		anchor_vectors(v);
	}
	lmrec_corpus_free(&corpus);
	lmrec_text_free(tk);
	return v;
}

void lmrec_slotvocab_free(struct lmrec_slotvocab *v)
{
	if (!v)
		return;
	size_t nv = lmrec_ids_count(v->cat->values);
	for (size_t k = 0; k < v->nkeys; k++)
		free(v->key_text[k]);
	for (size_t k = 0; k < nv; k++)
		free(v->val_text[k]);
	for (size_t k = 0; k < v->ncat; k++)
		free(v->cat_text[k]);
	for (size_t k = 0; k < v->ndom; k++)
		free(v->dom_text[k]);
	free(v->dom_text);
	size_t na = v->anchors ? lmrec_ids_count(v->anchors) : 0;
	for (size_t a = 0; a < na; a++)
		free(v->anchor_stem[a]);
	free(v->key_text);
	free(v->val_text);
	free(v->cat_text);
	free(v->anchor_stem);
	free(v->anchor_vec);
	free(v->anchor_mean);
	free(v->anchor_hub);
	free(v->anchor_gptr);
	free(v->anchor_grams);
	free(v->pair_key);
	free(v->pair_val);
	free(v->pair_items);
	free(v->pair_dom);
	free(v->item_pair_ptr);
	free(v->item_pair);
	free(v->cat_dom);
	free(v->cat_items);
	free(v->key_yesno);
	free(v->key_ref);
	free(v->key_dom);
	free(v->ph_ptr);
	free(v->ph_m);
	free(v->ph_before);
	free(v->imp_ptr);
	free(v->imp);
	free(v->ans_ptr);
	free(v->ans);
	free(v->word_items);
	free(v->title_ptr);
	free(v->title_item);
	lmrec_ids_free(v->pairs_ids);
	lmrec_ids_free(v->phrases);
	lmrec_ids_free(v->words);
	lmrec_ids_free(v->anchors);
	lmrec_ids_free(v->titles);
	lmrec_ids_free(v->stop);
	lmrec_skipgram_free(v->sg);
	free(v);
}

/* ---- dump ---- */

static void dump_meanings(const struct lmrec_slotvocab *v, struct lmrec_out *o, const char *word, size_t wl,
			  const char *kind, const struct lmrec_meaning *m, size_t k, uint32_t support)
{
	if (k == 0)
		return;
	struct lmrec_slots s = {0};
	float wmin = 1.0f;
	for (size_t j = 0; j < k; j++) {
		struct lmrec_slot x = {m[j].kind, LMREC_POL_POS, LMREC_SRC_EXACT, m[j].id, m[j].weight};
		if (x.kind == LMREC_SLOT_KEY)
			x.pol = LMREC_POL_ANY;
		lmrec_slots_put(&s, &x);
		if (m[j].weight < wmin)
			wmin = m[j].weight;
	}
	lmrec_out_write(o, word, wl);
	lmrec_out_tab(o);
	lmrec_out_str(o, kind);
	lmrec_out_tab(o);
	lmrec_slots_write(o, v, &s);
	lmrec_out_tab(o);
	lmrec_out_f32(o, wmin);
	lmrec_out_tab(o);
	lmrec_out_i64(o, support);
	lmrec_out_eol(o);
	lmrec_slots_free(&s);
}

void lmrec_slotvocab_dump(const struct lmrec_slotvocab *v, struct lmrec_out *o)
{
	lmrec_out_str(o, "word\tkind\tslots\tweight\tsupport\n");
	uint32_t *order = lmrec_ids_sorted(v->phrases);
	size_t nph = lmrec_ids_count(v->phrases);
	for (size_t k = 0; k < nph; k++) {
		size_t len;
		const char *s = lmrec_ids_str(v->phrases, order[k], &len);
		const struct lmrec_meaning *m;
		size_t n = lmrec_slotvocab_meanings(v, order[k], &m);
		dump_meanings(v, o, s, len, v->ph_before[order[k]] ? "exact-before" : "exact", m, n, 0);
	}
	free(order);
	order = lmrec_ids_sorted(v->words);
	size_t nw = lmrec_ids_count(v->words);
	for (size_t k = 0; k < nw; k++) {
		size_t len;
		const char *s = lmrec_ids_str(v->words, order[k], &len);
		for (int neg = 0; neg < 2; neg++) {
			const struct lmrec_meaning *m;
			size_t n = lmrec_slotvocab_implies(v, s, len, neg, &m);
			dump_meanings(v, o, s, len, neg ? "scenario-negated" : "scenario", m, n, v->word_items[order[k]]);
		}
	}
	free(order);
}

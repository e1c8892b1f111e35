/* lmrec — the short summary of a generated list. */
#include <stdlib.h>
#include <string.h>

#include "summary.h"
#include "tsv.h"
#include "util.h"

#define SUMMARY_MAX_TEXT 4000

struct lmrec_summarizer {
	const struct lmrec_catalog *c;
	unsigned char *name;     /* (values) 1: a name, capitalised */
	struct lmrec_ids *dvkeys; /* (domain, value) pairs met */
	uint32_t *nkeys;          /* (dvkeys) distinct keys each takes */
};

static int lower(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch + 'a' - 'A' : ch;
}

static int alnum(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       (unsigned char)ch >= 0x80;
}

/* The decoded text of an escaped dictionary entry, '_' made ' ' when
 * spaces is set. */
static char *decoded(const struct lmrec_ids *d, uint32_t i, int spaces)
{
	size_t len;
	const char *s = lmrec_ids_str(d, i, &len);
	char *out = lmrec_xmalloc(len + 1);
	size_t n = lmrec_tsv_unescape(out, s, len);
	out[n] = '\0';
	if (spaces)
		for (size_t j = 0; j < n; j++)
			if (out[j] == '_')
				out[j] = ' ';
	return out;
}

/* Where word w (ASCII case ignored) stands alone in text: +1 for each time
 * it is capitalised inside a sentence, and *lowercase set when it is ever
 * written in lower case. */
static size_t capitalised(const char *text, const char *w, size_t wl, int *lowercase)
{
	size_t caps = 0;
	for (const char *p = text; wl && *p; p++) {
		size_t j = 0;
		while (j < wl && p[j] && lower((unsigned char)p[j]) == lower((unsigned char)w[j]))
			j++;
		if (j < wl || (p > text && alnum((unsigned char)p[-1])) || alnum((unsigned char)p[wl]))
			continue;
		if (p[0] >= 'a' && p[0] <= 'z') {
			*lowercase = 1;
			continue;
		}
		int start = p == text;
		if (p >= text + 2 && p[-1] == ' ' && (p[-2] == '.' || p[-2] == '!' || p[-2] == '?'))
			start = 1;
		caps += !start && p[0] >= 'A' && p[0] <= 'Z';
	}
	return caps;
}

static uint32_t dv_intern(struct lmrec_ids *d, int32_t domain, uint32_t a, uint32_t b)
{
	uint32_t k[3] = {(uint32_t)domain, a, b};
	return lmrec_ids_intern(d, (const char *)k, sizeof k);
}

struct lmrec_summarizer *lmrec_summarizer_new(const struct lmrec_catalog *c)
{
	struct lmrec_summarizer *s = lmrec_xcalloc(1, sizeof *s);
	s->c = c;
	size_t nv = lmrec_ids_count(c->values);
	s->name = lmrec_xcalloc(nv + 1, 1);
	size_t *caps = lmrec_xcalloc(nv + 1, sizeof *caps);
	unsigned char *low = lmrec_xcalloc(nv + 1, 1);
	char **word = lmrec_xcalloc(nv + 1, sizeof *word);
	for (size_t v = 0; v < nv; v++)
		word[v] = decoded(c->values, (uint32_t)v, 1);
	/* distinct keys of each (domain, value) */
	struct lmrec_ids *triples = lmrec_ids_new();
	s->dvkeys = lmrec_ids_new();
	size_t cap = 0;
	for (size_t i = 0; i < c->n; i++)
		for (uint64_t p = c->aptr[i]; p < c->aptr[i + 1]; p++) {
			uint32_t v = c->aval[p];
			size_t before = lmrec_ids_count(triples);
			dv_intern(triples, c->domain[i], v, c->akey[p]);
			if (lmrec_ids_count(triples) > before) {
				size_t known = lmrec_ids_count(s->dvkeys);
				uint32_t dv = dv_intern(s->dvkeys, c->domain[i], v, 0);
				if (dv >= known) {
					LMREC_GROW(s->nkeys, cap, (size_t)dv + 1);
					s->nkeys[dv] = 0;
				}
				s->nkeys[dv]++;
			}
			int lc = 0;
			caps[v] += capitalised(c->title[i], word[v], strlen(word[v]), &lc);
			caps[v] += capitalised(c->text[i], word[v], strlen(word[v]), &lc);
			low[v] |= (unsigned char)lc;
		}
	for (size_t v = 0; v < nv; v++) {
		s->name[v] = caps[v] > 0 && !low[v];
		free(word[v]);
	}
	lmrec_ids_free(triples);
	free(word);
	free(caps);
	free(low);
	return s;
}

void lmrec_summarizer_free(struct lmrec_summarizer *s)
{
	if (!s)
		return;
	free(s->name);
	free(s->nkeys);
	lmrec_ids_free(s->dvkeys);
	free(s);
}

/* How a word reads: its place in a headline. */
enum { WORD_NAME, WORD_PLAIN, WORD_PHRASE };

static char *word_of(const struct lmrec_summarizer *s, uint32_t i, uint32_t key, uint32_t value, int *kind)
{
	const struct lmrec_catalog *c = s->c;
	size_t vlen;
	const char *raw = lmrec_ids_str(c->values, value, &vlen);
	*kind = WORD_PLAIN;
	if ((vlen == 2 && memcmp(raw, "no", 2) == 0) || lmrec_catalog_find(c, raw, vlen) >= 0)
		return NULL;
	if (vlen == 3 && memcmp(raw, "yes", 3) == 0)
		return decoded(c->keys, key, 1);
	char *v = decoded(c->values, value, 1);
	if (vlen == 3 && memcmp(raw, "all", 3) == 0) { /* "all-season" */
		char *kw = decoded(c->keys, key, 1);
		char *w = lmrec_xasprintf("all-%s", kw);
		free(kw);
		free(v);
		return w;
	}
	double num;
	uint32_t k[3] = {(uint32_t)c->domain[i], value, 0};
	int64_t dv = lmrec_ids_find(s->dvkeys, (const char *)k, sizeof k);
	if (lmrec_parse_double(raw, vlen, &num) == 0 || (dv >= 0 && s->nkeys[dv] > 1)) {
		char *kw = decoded(c->keys, key, 1);
		char *w = lmrec_xasprintf("%s %s", v, kw);
		free(kw);
		free(v);
		*kind = WORD_PHRASE;
		return w;
	}
	if (s->name[value] && v[0] >= 'a' && v[0] <= 'z') {
		v[0] = (char)(v[0] - 'a' + 'A');
		*kind = WORD_NAME;
	}
	return v;
}

char *lmrec_summary_word(const struct lmrec_summarizer *s, uint32_t i, uint32_t key, uint32_t value)
{
	int kind;
	return word_of(s, i, key, value, &kind);
}

/* A growing string. */
struct buf {
	char *p;
	size_t len, cap;
};

static void put(struct buf *b, const char *s)
{
	size_t n = strlen(s);
	LMREC_GROW(b->p, b->cap, b->len + n + 1);
	memcpy(b->p + b->len, s, n + 1);
	b->len += n;
}

/* ", " between words and " and " before the last. */
static void put_sep(struct buf *b, size_t j, size_t n)
{
	if (j > 0)
		put(b, j + 1 == n ? " and " : ", ");
}

/* One pair with what reads of it and how often it occurs. */
struct tally {
	uint32_t key, value, count, first, item;
	char *word;
	int kind;
};

/* Count descending, then first met. */
static int cmp_first(const void *pa, const void *pb)
{
	const struct tally *a = pa, *b = pb;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return a->first < b->first ? -1 : a->first > b->first;
}

/* Count descending, then the word. */
static int cmp_word(const void *pa, const void *pb)
{
	const struct tally *a = pa, *b = pb;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	int d = strcmp(a->word, b->word);
	return d ? d : (a->first < b->first ? -1 : a->first > b->first);
}

/* The pairs of items[0..n) that read as words, each counted once per
 * item, in the order first met; *nt of them. */
static struct tally *count_pairs(const struct lmrec_summarizer *s, const uint32_t *items, size_t n,
				 int64_t skip_key, size_t *nt)
{
	const struct lmrec_catalog *c = s->c;
	struct lmrec_ids *seen = lmrec_ids_new();
	struct tally *t = NULL;
	size_t cap = 0, m = 0, met = 0;
	for (size_t x = 0; x < n; x++) {
		uint32_t i = items[x];
		for (uint64_t p = c->aptr[i]; p < c->aptr[i + 1]; p++, met++) {
			if ((int64_t)c->akey[p] == skip_key)
				continue;
			uint32_t kv[2] = {c->akey[p], c->aval[p]};
			size_t before = lmrec_ids_count(seen);
			uint32_t id = lmrec_ids_intern(seen, (const char *)kv, sizeof kv);
			if (lmrec_ids_count(seen) > before) {
				LMREC_GROW(t, cap, m + 1);
				t[m] = (struct tally){kv[0], kv[1], 0, (uint32_t)met, i, NULL, 0};
				t[m].word = word_of(s, i, kv[0], kv[1], &t[m].kind);
				m++;
			}
			/* once per item: a pair repeated within one item counts once */
			uint64_t q = c->aptr[i];
			while (q < p && !(c->akey[q] == kv[0] && c->aval[q] == kv[1]))
				q++;
			if (q == p)
				t[id].count++;
		}
	}
	lmrec_ids_free(seen);
	*nt = m;
	return t;
}

static void free_tally(struct tally *t, size_t n)
{
	for (size_t j = 0; j < n; j++)
		free(t[j].word);
	free(t);
}

size_t lmrec_summary_tastes(const struct lmrec_summarizer *s, const uint32_t *hist, size_t n, size_t max,
			    uint32_t *key, uint32_t *value, uint32_t *item)
{
	size_t nt, out = 0;
	struct tally *t = count_pairs(s, hist, n, -1, &nt);
	size_t m = 0;
	for (size_t j = 0; j < nt; j++)
		if (t[j].word && t[j].count >= 2)
			t[m++] = t[j];
		else
			free(t[j].word);
	if (m)
		qsort(t, m, sizeof *t, cmp_word);
	for (size_t j = 0; j < m && out < max; j++) {
		if (item)
			item[out] = t[j].item;
		key[out] = t[j].key;
		value[out++] = t[j].value;
	}
	free_tally(t, m);
	return out;
}

char *lmrec_summary_text(const struct lmrec_summarizer *s, const uint32_t *items, size_t n, const char *noun,
			 int64_t skip_key, const uint32_t *tkey, const uint32_t *tval, size_t ntaste)
{
	const struct lmrec_catalog *c = s->c;
	size_t nt;
	struct tally *t = count_pairs(s, items, n, skip_key, &nt);
	if (nt)
		qsort(t, nt, sizeof *t, cmp_first);
	const struct tally *words[3];
	size_t nw = 0;
	for (size_t j = 0; j < nt && nw < 3; j++) {
		if (!t[j].word || t[j].count < 2 || 2 * (size_t)t[j].count < n)
			continue;
		size_t w = 0;
		while (w < nw && strcmp(words[w]->word, t[j].word) != 0)
			w++;
		if (w == nw)
			words[nw++] = &t[j];
	}
	/* names, then plain words before the noun; phrases after it */
	struct buf b = {NULL, 0, 0};
	const char *first = noun;
	for (int kind = WORD_PLAIN; kind >= WORD_NAME; kind--)
		for (size_t w = nw; w-- > 0;)
			if (words[w]->kind == kind)
				first = words[w]->word; /* the first of the kind printed first */
	put(&b, first[0] && strchr("aeiouAEIOU", first[0]) ? "An" : "A");
	for (int kind = WORD_NAME; kind <= WORD_PLAIN; kind++)
		for (size_t w = 0; w < nw; w++)
			if (words[w]->kind == kind) {
				put(&b, " ");
				put(&b, words[w]->word);
			}
	put(&b, " ");
	put(&b, noun);
	size_t nph = 0, ph = 0;
	for (size_t w = 0; w < nw; w++)
		nph += words[w]->kind == WORD_PHRASE;
	for (size_t w = 0; w < nw; w++)
		if (words[w]->kind == WORD_PHRASE) {
			put(&b, ph == 0 ? " with " : ph + 1 == nph ? " and " : ", ");
			put(&b, words[w]->word);
			ph++;
		}
	put(&b, ": ");
	for (size_t x = 0; x < n; x++) {
		put_sep(&b, x, n);
		if (c->title[items[x]][0]) {
			put(&b, c->title[items[x]]);
		} else {
			char *id = decoded(c->items, items[x], 0);
			put(&b, id);
			free(id);
		}
	}
	put(&b, ".");
	/* the tastes the list answers */
	const char *liked[3];
	char *own[3];
	size_t nl = 0;
	for (size_t j = 0; j < ntaste && nl < 3; j++) {
		size_t x = 0;
		while (x < n && !lmrec_catalog_has(c, items[x], tkey[j], tval[j]))
			x++;
		if (x == n)
			continue;
		own[nl] = lmrec_summary_word(s, items[x], tkey[j], tval[j]);
		if (own[nl])
			liked[nl] = own[nl], nl++;
	}
	if (nl) {
		put(&b, " Picked for your taste for ");
		for (size_t j = 0; j < nl; j++) {
			put_sep(&b, j, nl);
			put(&b, liked[j]);
			free(own[j]);
		}
		put(&b, ".");
	}
	free_tally(t, nt);
	return b.p;
}

/* 1 when needle occurs in hay, ASCII letters compared without case. */
static int contains(const char *hay, const char *needle)
{
	size_t nl = strlen(needle);
	for (const char *p = hay; *p; p++) {
		size_t j = 0;
		while (j < nl && p[j] && lower((unsigned char)p[j]) == lower((unsigned char)needle[j]))
			j++;
		if (j == nl)
			return 1;
	}
	return nl == 0;
}

const char *lmrec_summary_check(const struct lmrec_catalog *c, const char *text, const uint32_t *items, size_t n)
{
	size_t len = strlen(text);
	if (len == 0)
		return "the text is empty";
	if (len > SUMMARY_MAX_TEXT)
		return "the text is longer than 4000 bytes";
	for (size_t j = 0; j < len; j++)
		if ((unsigned char)text[j] < 0x20 || text[j] == 0x7f)
			return "the text holds a control character";
	for (size_t x = 0; x < n; x++) {
		uint32_t i = items[x];
		char *id = NULL;
		const char *name = c->title[i];
		if (!name[0])
			name = id = decoded(c->items, i, 0);
		int ok = contains(text, name);
		free(id);
		if (!ok)
			return "the text does not name every item";
	}
	return NULL;
}

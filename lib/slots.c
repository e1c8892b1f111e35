/* lmrec — slots and the request parser (see slots.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "llm.h"
#include "slots.h"
#include "slotvocab.h"
#include "tsv.h"
#include "unicode.h"
#include "util.h"

/* ---- slot lists ---- */

void lmrec_slots_free(struct lmrec_slots *s)
{
	free(s->s);
	free(s->scenario);
	free(s->mention);
	memset(s, 0, sizeof *s);
}

void lmrec_slots_clear(struct lmrec_slots *s)
{
	s->n = 0;
	s->slen = 0;
	if (s->scenario)
		s->scenario[0] = '\0';
	s->nmention = 0;
	s->answer = 0;
}

static void push_slot(struct lmrec_slots *s, const struct lmrec_slot *x)
{
	LMREC_GROW(s->s, s->cap, s->n + 1);
	s->s[s->n++] = *x;
}

void lmrec_slots_copy(struct lmrec_slots *dst, const struct lmrec_slots *src)
{
	lmrec_slots_clear(dst);
	for (size_t i = 0; i < src->n; i++)
		push_slot(dst, &src->s[i]);
	if (src->slen) {
		LMREC_GROW(dst->scenario, dst->scap, src->slen + 1);
		memcpy(dst->scenario, src->scenario, src->slen + 1);
		dst->slen = src->slen;
	}
	if (src->nmention) {
		LMREC_GROW(dst->mention, dst->mcap, src->nmention);
		memcpy(dst->mention, src->mention, src->nmention * sizeof *src->mention);
		dst->nmention = src->nmention;
	}
	dst->answer = src->answer;
}

void lmrec_slots_put(struct lmrec_slots *s, const struct lmrec_slot *x)
{
	for (size_t i = 0; i < s->n; i++) {
		struct lmrec_slot *y = &s->s[i];
		if (y->kind != x->kind || y->id != x->id)
			continue;
		if (y->pol != x->pol) {
			*y = *x; /* the later word wins */
		} else { /* said twice: the more direct way, the larger weight */
			if (x->src < y->src)
				y->src = x->src;
			if (x->weight > y->weight)
				y->weight = x->weight;
		}
		return;
	}
	push_slot(s, x);
}

void lmrec_slots_add_scenario(struct lmrec_slots *s, const char *w, size_t len)
{
	if (len == 0)
		return;
	/* already there? the list is "a,b,c" */
	for (size_t at = 0; at < s->slen;) {
		const char *comma = memchr(s->scenario + at, ',', s->slen - at);
		size_t end = comma ? (size_t)(comma - s->scenario) : s->slen;
		if (end - at == len && memcmp(s->scenario + at, w, len) == 0)
			return;
		at = end + 1;
	}
	LMREC_GROW(s->scenario, s->scap, s->slen + len + 2);
	if (s->slen)
		s->scenario[s->slen++] = ',';
	memcpy(s->scenario + s->slen, w, len);
	s->slen += len;
	s->scenario[s->slen] = '\0';
}

static void mention_add(struct lmrec_slots *s, uint32_t item)
{
	for (size_t i = 0; i < s->nmention; i++)
		if (s->mention[i] == item)
			return;
	LMREC_GROW(s->mention, s->mcap, s->nmention + 1);
	s->mention[s->nmention++] = item;
}

/* The key of a slot for ordering (pairs and key=* by their key), or -1. */
static int64_t slot_key(const struct lmrec_slotvocab *v, const struct lmrec_slot *x)
{
	if (x->kind == LMREC_SLOT_PAIR)
		return v->pair_key[x->id];
	if (x->kind == LMREC_SLOT_KEY)
		return x->id;
	return -1;
}

static int cmp_name(const struct lmrec_ids *ids, uint32_t a, uint32_t b)
{
	return a == b ? 0 : lmrec_ids_cmp(ids, a, b);
}

static int slot_cmp(const struct lmrec_slotvocab *v, const struct lmrec_slot *a, const struct lmrec_slot *b)
{
	int ka = a->kind == LMREC_SLOT_CATEGORY ? 0 : a->kind == LMREC_SLOT_DOMAIN ? 1 : 2;
	int kb = b->kind == LMREC_SLOT_CATEGORY ? 0 : b->kind == LMREC_SLOT_DOMAIN ? 1 : 2;
	if (ka != kb)
		return ka - kb;
	int c;
	if (ka == 0)
		c = cmp_name(v->cat->categories, a->id, b->id);
	else if (ka == 1)
		c = cmp_name(v->cat->domains, a->id, b->id);
	else {
		uint32_t xa = (uint32_t)slot_key(v, a), xb = (uint32_t)slot_key(v, b);
		c = cmp_name(v->cat->keys, xa, xb);
		if (c == 0) { /* key=* after the values */
			int sa = a->kind == LMREC_SLOT_KEY, sb = b->kind == LMREC_SLOT_KEY;
			if (sa != sb)
				return sa - sb;
			if (!sa)
				c = cmp_name(v->cat->values, v->pair_val[a->id], v->pair_val[b->id]);
		}
	}
	if (c)
		return c;
	/* +, -, any */
	int pa = a->pol == LMREC_POL_POS ? 0 : a->pol == LMREC_POL_NEG ? 1 : 2;
	int pb = b->pol == LMREC_POL_POS ? 0 : b->pol == LMREC_POL_NEG ? 1 : 2;
	return pa - pb;
}

/* Whether item i has some value of key k. */
static int item_has_key(const struct lmrec_slotvocab *v, uint32_t i, uint32_t k)
{
	for (uint64_t q = v->item_pair_ptr[i]; q < v->item_pair_ptr[i + 1]; q++)
		if (v->pair_key[v->item_pair[q]] == k)
			return 1;
	return 0;
}

double lmrec_slots_pair_score(const struct lmrec_slotvocab *v, const struct lmrec_slots *s, uint32_t i,
			      double conflict, size_t *nkeys)
{
	double sum = 0;
	size_t keys = 0;
	for (size_t k = 0; k < s->n; k++) {
		const struct lmrec_slot *x = &s->s[k];
		if (x->kind != LMREC_SLOT_PAIR || x->pol != LMREC_POL_POS)
			continue;
		uint32_t key = v->pair_key[x->id];
		int first = 1; /* the key's first wanted slot scores it */
		for (size_t j = 0; j < k && first; j++)
			first = !(s->s[j].kind == LMREC_SLOT_PAIR && s->s[j].pol == LMREC_POL_POS &&
				  v->pair_key[s->s[j].id] == key);
		if (!first)
			continue;
		keys++;
		double w = 0;
		int match = 0;
		for (size_t j = k; j < s->n; j++) {
			const struct lmrec_slot *y = &s->s[j];
			if (y->kind != LMREC_SLOT_PAIR || y->pol != LMREC_POL_POS || v->pair_key[y->id] != key)
				continue;
			w = y->weight > w ? y->weight : w;
			match |= lmrec_slotvocab_item_has(v, i, y->id);
		}
		if (match)
			sum += w;
		else if (item_has_key(v, i, key))
			sum -= conflict * w;
	}
	if (nkeys)
		*nkeys = keys;
	return sum;
}

int lmrec_slots_unwanted(const struct lmrec_slotvocab *v, const struct lmrec_slots *s, uint32_t i)
{
	const struct lmrec_catalog *c = v->cat;
	for (size_t k = 0; k < s->n; k++) {
		const struct lmrec_slot *x = &s->s[k];
		if (x->pol != LMREC_POL_NEG)
			continue;
		if ((x->kind == LMREC_SLOT_PAIR && lmrec_slotvocab_item_has(v, i, x->id)) ||
		    (x->kind == LMREC_SLOT_CATEGORY && c->category[i] == (int32_t)x->id) ||
		    (x->kind == LMREC_SLOT_DOMAIN && c->domain[i] == (int32_t)x->id))
			return 1;
	}
	return 0;
}

void lmrec_slots_sort(struct lmrec_slots *s, const struct lmrec_slotvocab *v)
{
	/* insertion sort: stable, and a request has few slots */
	for (size_t i = 1; i < s->n; i++) {
		struct lmrec_slot x = s->s[i];
		size_t j = i;
		while (j > 0 && slot_cmp(v, &s->s[j - 1], &x) > 0) {
			s->s[j] = s->s[j - 1];
			j--;
		}
		s->s[j] = x;
	}
}

static void put_id(struct lmrec_out *o, const struct lmrec_ids *ids, uint32_t i)
{
	size_t len;
	const char *p = lmrec_ids_str(ids, i, &len);
	lmrec_out_write(o, p, len); /* already escaped */
}

void lmrec_slots_write(struct lmrec_out *o, const struct lmrec_slotvocab *v, struct lmrec_slots *s)
{
	lmrec_slots_sort(s, v);
	const struct lmrec_catalog *c = v->cat;
	for (size_t i = 0; i < s->n; i++) {
		const struct lmrec_slot *x = &s->s[i];
		if (i)
			lmrec_out_byte(o, ';');
		if (x->pol == LMREC_POL_NEG)
			lmrec_out_byte(o, '-');
		switch (x->kind) {
		case LMREC_SLOT_CATEGORY:
			lmrec_out_str(o, "category=");
			if (x->pol == LMREC_POL_ANY)
				lmrec_out_byte(o, '*');
			else
				put_id(o, c->categories, x->id);
			break;
		case LMREC_SLOT_DOMAIN:
			lmrec_out_str(o, "domain=");
			if (x->pol == LMREC_POL_ANY)
				lmrec_out_byte(o, '*');
			else
				put_id(o, c->domains, x->id);
			break;
		case LMREC_SLOT_PAIR:
			put_id(o, c->keys, v->pair_key[x->id]);
			lmrec_out_byte(o, '=');
			put_id(o, c->values, v->pair_val[x->id]);
			break;
		default: /* key=* */
			put_id(o, c->keys, x->id);
			lmrec_out_str(o, "=*");
			break;
		}
	}
	if (s->slen) {
		if (s->n)
			lmrec_out_byte(o, ';');
		lmrec_out_str(o, "scenario=");
		lmrec_out_field(o, s->scenario, s->slen);
	}
	for (size_t i = 0; i < s->nmention; i++) {
		if (i || s->n || s->slen)
			lmrec_out_byte(o, ';');
		lmrec_out_str(o, "mention=");
		put_id(o, c->items, s->mention[i]);
	}
}

/* ---- words ---- */

struct lmrec_text *lmrec_slots_tokenizer(void)
{
	struct lmrec_text_opts o = {.keep_case = 0, .strip_accents = 1, .keep_punct = 1,
				    .numbers = LMREC_NUM_KEEP};
	return lmrec_text_new(&o);
}

void lmrec_swords_free(struct lmrec_swords *ws)
{
	free(ws->w);
	free(ws->buf);
	lmrec_tokens_free(&ws->tok);
	memset(ws, 0, sizeof *ws);
}

static size_t buf_add(struct lmrec_swords *ws, const char *p, size_t len)
{
	LMREC_GROW(ws->buf, ws->bufcap, ws->used + len + 1);
	size_t at = ws->used;
	memcpy(ws->buf + at, p, len);
	ws->buf[at + len] = '\0';
	ws->used += len + 1;
	return at;
}

static int ends_with(const char *w, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n >= k && memcmp(w + n - k, suf, k) == 0;
}

static int word_is(const char *w, size_t n, const char *s)
{
	return strlen(s) == n && memcmp(w, s, n) == 0;
}

size_t lmrec_slots_stem(const char *w, size_t n, char *out)
{
	static const char *const numbers[][2] = {
		{"one", "1"}, {"two", "2"}, {"three", "3"}, {"four", "4"}, {"five", "5"},
		{"six", "6"}, {"seven", "7"}, {"eight", "8"}, {"nine", "9"}, {"ten", "10"},
		{"people", "person"}, {"children", "child"}, {"men", "man"}, {"women", "woman"},
		{"feet", "foot"}, {"teeth", "tooth"}, {"knives", "knife"}, {"wives", "wife"},
	};
	for (size_t k = 0; k < sizeof numbers / sizeof numbers[0]; k++)
		if (word_is(w, n, numbers[k][0])) {
			size_t m = strlen(numbers[k][1]);
			if (m <= n) { /* never longer than the word: out has n bytes */
				memcpy(out, numbers[k][1], m);
				return m;
			}
		}
	memcpy(out, w, n);
	if (n < 4)
		return n;
	if (ends_with(w, n, "ies")) {
		out[n - 3] = 'y';
		return n - 2;
	}
	if (ends_with(w, n, "sses"))
		return n - 2;
	if (ends_with(w, n, "ches") || ends_with(w, n, "shes") || ends_with(w, n, "xes") ||
	    ends_with(w, n, "zes"))
		return n - 2;
	if (w[n - 1] == 's' && !ends_with(w, n, "ss") && !ends_with(w, n, "us") && !ends_with(w, n, "is") &&
	    !ends_with(w, n, "'s"))
		return n - 1;
	return n;
}

/* Whether the token p[0..len) is punctuation or a symbol (its first code
 * point: the tokenizer makes one token of each such character). */
static int is_punct_token(const char *p, size_t len)
{
	size_t i = 0;
	uint32_t cp = lmrec_uc_decode(p, len, &i);
	enum lmrec_uc_class k = lmrec_uc_class(cp);
	return k == LMREC_UC_PUNCT || k == LMREC_UC_SYMBOL;
}

void lmrec_swords_split(struct lmrec_swords *ws, const struct lmrec_text *t, const struct lmrec_ids *stop,
			const char *s, size_t len, size_t max)
{
	ws->n = 0;
	ws->used = 0;
	if (len > LMREC_SLOTS_MAX_BYTES) { /* cut before a continuation byte */
		len = LMREC_SLOTS_MAX_BYTES;
		while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
			len--;
	}
	lmrec_tokens_clear(&ws->tok);
	lmrec_text_words(t, s, len, NULL, &ws->tok);
	int join = 0;
	char *stem = NULL;
	size_t stemcap = 0;
	for (size_t k = 0; k < ws->tok.n && ws->n < max; k++) {
		size_t l;
		const char *p = lmrec_tokens_get(&ws->tok, k, &l);
		int punct = is_punct_token(p, l);
		if (punct && (word_is(p, l, "-") || word_is(p, l, "/") || word_is(p, l, "\xe2\x80\x90") ||
			      word_is(p, l, "\xe2\x80\x91"))) {
			join = 1; /* hyphens and slashes join words */
			continue;
		}
		if (punct && (word_is(p, l, "'") || word_is(p, l, "\""))) {
			join = 0; /* quotes say nothing */
			continue;
		}
		LMREC_GROW(ws->w, ws->cap, ws->n + 1);
		struct lmrec_sword *w = &ws->w[ws->n];
		w->kind = punct ? LMREC_SW_PUNCT : LMREC_SW_WORD;
		w->hyphen = !punct && join && ws->n > 0 && ws->w[ws->n - 1].kind == LMREC_SW_WORD;
		w->stop = !punct && stop && lmrec_ids_find(stop, p, l) >= 0;
		w->surf = buf_add(ws, p, l);
		w->surflen = l;
		if (punct) {
			w->stem = w->surf;
			w->stemlen = l;
		} else {
			LMREC_GROW(stem, stemcap, l + 1);
			size_t m = lmrec_slots_stem(p, l, stem);
			w->stem = buf_add(ws, stem, m);
			w->stemlen = m;
		}
		ws->n++;
		join = 0;
	}
	free(stem);
}

/* ---- scopes ---- */

static int in_list(const char *w, size_t n, const char *const *list)
{
	for (size_t k = 0; list[k]; k++)
		if (word_is(w, n, list[k]))
			return 1;
	return 0;
}

static const char *const neg_words[] = {
	"not", "no", "nothing", "none", "never", "without", "avoid", "neither", "nor", "hate",
	"dislike", "except", "excluding", "cannot", "non", "nobody", "nowhere", NULL,
};
/* the n't forms, with and without the apostrophe */
static const char *const nt_words[] = {
	"dont", "doesnt", "isnt", "arent", "wasnt", "werent", "wont", "cant", "shouldnt", "wouldnt",
	"didnt", "havent", "hasnt", "couldnt", "mustnt", "aint", NULL,
};
static const char *const neg_pairs[][2] = {
	{"rather", "than"}, {"instead", "of"}, {"other", "than"}, {"apart", "from"},
	{"anything", "but"}, {"free", "of"}, {"allergic", "to"}, {"stay", "away"}, {NULL, NULL},
};
static const char *const clear_words[] = {"forget", "ignore", "regardless", "whichever", NULL};
static const char *const clear_pairs[][2] = {
	{"never", "mind"}, {"no", "preference"}, {"no", "matter"}, {"not", "important"},
	{"not", "fussed"}, {"not", "bothered"}, {"not", "mind"}, {"not", "care"}, {"not", "matter"},
	{"no", "difference"}, {"not", "fussy"}, {NULL, NULL},
};
/* after a n't word: "don't mind", "doesn't matter" */
static const char *const clear_after_nt[] = {"mind", "care", "matter", NULL};
static const char *const any_words[] = {"any", "whatever", "either", NULL};
static const char *const boundary_words[] = {
	"but", "and", "though", "although", "however", "yet", "so", "plus", "also", "whereas",
	"while", "instead", NULL,
};
static const char *const yes_words[] = {
	"yes", "yeah", "yep", "yup", "sure", "definitely", "absolutely", "certainly", "ok", "okay",
	"indeed", "correct", "right", "course", "ya", "aye", NULL,
};
static const char *const no_words[] = {"no", "nope", "nah", "not", NULL};
/* words an answer may hold beside its yes, no or don't-care words */
static const char *const filler_words[] = {
	"please", "thanks", "thank", "really", "fine", "great", "good", "mind", "care", "matter",
	"way", "preference", "fussed", "bothered", "both", "all", "well", "of", "is", "ok",
	"problem", "important", "much", "need", "want", "necessarily", "particularly", NULL,
};

static int is_nt(const char *w, size_t n)
{
	return ends_with(w, n, "n't") || in_list(w, n, nt_words);
}

static int pair_at(const struct lmrec_swords *ws, size_t i, const uint32_t *clause, const char *const (*pairs)[2])
{
	if (i + 1 >= ws->n || ws->w[i].kind != LMREC_SW_WORD || ws->w[i + 1].kind != LMREC_SW_WORD ||
	    (clause && clause[i] != clause[i + 1]))
		return 0;
	size_t a, b;
	const char *x = lmrec_sword_surf(ws, i, &a), *y = lmrec_sword_surf(ws, i + 1, &b);
	for (size_t k = 0; pairs[k][0]; k++)
		if (word_is(x, a, pairs[k][0]) && word_is(y, b, pairs[k][1]))
			return 1;
	return 0;
}

/* A "don't mind" style cue at i (two words). */
static int clear_pair_at(const struct lmrec_swords *ws, size_t i, const uint32_t *clause)
{
	if (pair_at(ws, i, clause, clear_pairs))
		return 1;
	if (i + 1 >= ws->n || ws->w[i + 1].kind != LMREC_SW_WORD || clause[i] != clause[i + 1])
		return 0;
	size_t a, b;
	const char *x = lmrec_sword_surf(ws, i, &a), *y = lmrec_sword_surf(ws, i + 1, &b);
	return is_nt(x, a) && in_list(y, b, clear_after_nt);
}

unsigned lmrec_slots_scope(const struct lmrec_swords *ws, int8_t *mode, uint32_t *clause, unsigned char *cue)
{
	size_t n = ws->n;
	/* clauses */
	uint32_t c = 0;
	for (size_t i = 0; i < n; i++) {
		mode[i] = LMREC_POL_POS;
		cue[i] = 0;
		const struct lmrec_sword *w = &ws->w[i];
		if (w->kind == LMREC_SW_PUNCT) {
			clause[i] = c;
			cue[i] = 1;
			if (i + 1 < n && ws->w[i + 1].kind == LMREC_SW_WORD)
				c++;
			continue;
		}
		size_t len;
		const char *s = lmrec_sword_surf(ws, i, &len);
		int boundary = in_list(s, len, boundary_words);
		if (boundary && word_is(s, len, "but") && i > 0) { /* "anything but", "all but" */
			size_t pl;
			const char *p = lmrec_sword_surf(ws, i - 1, &pl);
			if (word_is(p, pl, "anything") || word_is(p, pl, "all") || word_is(p, pl, "nothing"))
				boundary = 0;
		}
		if (boundary && word_is(s, len, "instead") && i + 1 < n) {
			size_t nl;
			const char *nx = lmrec_sword_surf(ws, i + 1, &nl);
			if (word_is(nx, nl, "of"))
				boundary = 0;
		}
		if (boundary && i > 0) {
			c++;
			cue[i] = 1;
		} else if (boundary) {
			cue[i] = 1;
		}
		clause[i] = c;
	}
	/* polarity within each clause */
	unsigned answer = 0;
	for (size_t a = 0; a < n;) {
		size_t b = a;
		while (b < n && clause[b] == clause[a])
			b++;
		int clear = 0;
		for (size_t i = a; i < b; i++) {
			if (ws->w[i].kind != LMREC_SW_WORD)
				continue;
			size_t len;
			const char *s = lmrec_sword_surf(ws, i, &len);
			if (in_list(s, len, clear_words))
				clear = 1, cue[i] = 1;
			if (clear_pair_at(ws, i, clause))
				clear = 1, cue[i] = cue[i + 1] = 1;
		}
		int cur = LMREC_POL_POS, anyleft = 0;
		int has_yes = 0, has_no = 0, has_any = 0, other = 0;
		for (size_t i = a; i < b; i++) {
			const struct lmrec_sword *w = &ws->w[i];
			if (w->kind != LMREC_SW_WORD)
				continue;
			size_t len;
			const char *s = lmrec_sword_surf(ws, i, &len);
			/* what an answer clause may hold */
			if (in_list(s, len, yes_words))
				has_yes = 1;
			else if (in_list(s, len, no_words) || is_nt(s, len))
				has_no = 1;
			else if (in_list(s, len, any_words))
				has_any = 1;
			else if (!cue[i] && !w->stop && !in_list(s, len, filler_words))
				other = 1;
			if (clear) {
				mode[i] = LMREC_POL_ANY;
				continue;
			}
			if (cue[i])
				continue;
			if (pair_at(ws, i, clause, neg_pairs)) {
				cue[i] = cue[i + 1] = 1;
				cur = LMREC_POL_NEG;
				i++;
				continue;
			}
			if (in_list(s, len, neg_words) || is_nt(s, len)) {
				cue[i] = 1;
				cur = LMREC_POL_NEG;
				continue;
			}
			if (in_list(s, len, any_words)) {
				cue[i] = 1;
				anyleft = 3;
				continue;
			}
			mode[i] = (int8_t)(anyleft > 0 ? 2 * cur : cur);
			if (anyleft > 0)
				anyleft--;
		}
		if (!other) {
			if (clear || (has_any && !has_yes))
				answer |= LMREC_ANS_EITHER;
			else if (has_no)
				answer |= LMREC_ANS_NO;
			else if (has_yes)
				answer |= LMREC_ANS_YES;
		}
		a = b;
	}
	return answer;
}

/* ---- spans ---- */

size_t lmrec_slots_join(const struct lmrec_swords *ws, size_t first, size_t n, int surface, char **key,
			size_t *keycap)
{
	size_t len = 0;
	for (size_t k = first; k < first + n; k++) {
		size_t l;
		const char *p = surface ? lmrec_sword_surf(ws, k, &l) : lmrec_sword_stem(ws, k, &l);
		LMREC_GROW(*key, *keycap, len + l + 2);
		if (k > first)
			(*key)[len++] = ' ';
		memcpy(*key + len, p, l);
		len += l;
	}
	LMREC_GROW(*key, *keycap, len + 1);
	(*key)[len] = '\0';
	return len;
}

static void span_push(struct lmrec_span **sp, size_t *cap, size_t *n, size_t first, size_t nw, int64_t ph,
		      int8_t mode, uint32_t clause)
{
	LMREC_GROW(*sp, *cap, *n + 1);
	(*sp)[(*n)++] = (struct lmrec_span){first, nw, ph, mode, clause, 0, 0};
}

/* A word that may follow a value needing a content word after it. */
static int content_at(const struct lmrec_swords *ws, const uint32_t *clause, const unsigned char *cue, size_t i,
		      uint32_t c)
{
	return i < ws->n && ws->w[i].kind == LMREC_SW_WORD && clause[i] == c && !cue[i] && !ws->w[i].stop;
}

size_t lmrec_slots_spans(const struct lmrec_slotvocab *v, const struct lmrec_swords *ws, const int8_t *mode,
			 const uint32_t *clause, const unsigned char *cue, struct lmrec_span **sp, size_t *cap,
			 char **key, size_t *keycap)
{
	size_t ns = 0, n = ws->n;
	for (size_t i = 0; i < n;) {
		const struct lmrec_sword *w = &ws->w[i];
		if (w->kind != LMREC_SW_WORD || cue[i]) {
			i++;
			continue;
		}
		/* the longest exact entry from here, within the clause, over
		 * words that are no cues */
		size_t most = 0;
		while (most < v->max_phrase && i + most < n && ws->w[i + most].kind == LMREC_SW_WORD &&
		       clause[i + most] == clause[i] && (most == 0 || !cue[i + most]))
			most++;
		int64_t ph = -1;
		size_t len = 0;
		for (len = most; len >= 1; len--) {
			size_t kl = lmrec_slots_join(ws, i, len, 0, key, keycap);
			ph = lmrec_slotvocab_phrase(v, *key, kl);
			if (ph >= 0 && v->ph_before[ph] && !content_at(ws, clause, cue, i + len, clause[i]))
				ph = -1;
			if (ph >= 0)
				break;
		}
		if (ph >= 0) {
			span_push(sp, cap, &ns, i, len, ph, mode[i], clause[i]);
			i += len;
			continue;
		}
		if (w->stop) {
			i++;
			continue;
		}
		int8_t m = mode[i];
		size_t used = 1;
		/* "meat-free", "meat free": the word negated, "free" used up */
		if (i + 1 < n && ws->w[i + 1].kind == LMREC_SW_WORD && clause[i + 1] == clause[i] && !cue[i + 1]) {
			size_t fl;
			const char *f = lmrec_sword_stem(ws, i + 1, &fl);
			if (word_is(f, fl, "free")) {
				m = (int8_t)(m == LMREC_POL_ANY ? m : -m);
				used = 2;
			}
		}
		span_push(sp, cap, &ns, i, 1, -1, m, clause[i]);
		(*sp)[ns - 1].own = used == 2;
		i += used;
	}
	return ns;
}

/* ---- the parser ---- */

/* A meaning a span may have. */
struct lmrec_slots_cand {
	size_t span;
	struct lmrec_meaning m;
	uint8_t src;
	int mode;     /* the polarity it is read with */
	uint8_t dead; /* removed by a disambiguation step */
	uint8_t named; /* its key is named by another word (keep_named_key) */
};

void lmrec_slots_scratch_free(struct lmrec_slots_scratch *sc)
{
	lmrec_swords_free(&sc->ws);
	lmrec_text_free(sc->tk);
	free(sc->mode);
	free(sc->clause);
	free(sc->cue);
	free(sc->used);
	free(sc->sp);
	free(sc->cand);
	free(sc->key);
	free(sc->vec);
	free(sc->tmp);
	free(sc->dec);
	free(sc->votes);
	memset(sc, 0, sizeof *sc);
}

static void cand_push(struct lmrec_slots_scratch *sc, size_t span, const struct lmrec_meaning *m, uint8_t src,
		      int mode, float scale)
{
	LMREC_GROW(sc->cand, sc->ccap, sc->ncand + 1);
	struct lmrec_slots_cand *c = &sc->cand[sc->ncand++];
	c->span = span;
	c->m = *m;
	c->m.weight = m->weight * scale;
	c->src = src;
	c->mode = mode;
	c->dead = 0;
	c->named = 0;
}

/* Whether span si can mean something (an exact entry, a word with
 * implications, or a word the catalog hardly uses, for the subwords). */
static int bears_slots(const struct lmrec_slotvocab *v, const struct lmrec_slots_scratch *sc, size_t si)
{
	const struct lmrec_span *sp = &sc->sp[si];
	if (sp->phrase >= 0)
		return 1;
	size_t len;
	const char *w = lmrec_sword_stem(&sc->ws, sp->first, &len);
	const struct lmrec_meaning *m;
	int64_t k = lmrec_ids_find(v->words, w, len);
	return k < 0 || v->word_items[k] < 2 * v->p.min_support || lmrec_slotvocab_implies(v, w, len, 0, &m) ||
	       lmrec_slotvocab_implies(v, w, len, 1, &m);
}

/* A negation rules out the first thing it meets, and what "or" or "nor"
 * joins to it ("no meat or fish"); the words after are read as they are
 * ("nothing spicy to eat on my lunch break"). A span released so keeps
 * its attribute values but names no category or domain: "no hiking
 * trails" is not a wish for trails, nor "no heavy boots" a refusal of
 * boots. */
static void release_negations(const struct lmrec_slotvocab *v, struct lmrec_slots_scratch *sc)
{
	int64_t clause = -1, taken = -1; /* the span the clause's negation took */
	for (size_t si = 0; si < sc->nsp; si++) {
		struct lmrec_span *sp = &sc->sp[si];
		sp->released = 0;
		if ((int64_t)sp->clause != clause) {
			clause = sp->clause;
			taken = -1;
		}
		if (sp->mode >= 0 || sp->mode == -2 || !bears_slots(v, sc, si))
			continue;
		int joined = taken < 0;
		for (size_t w = taken >= 0 ? sc->sp[taken].first + sc->sp[taken].n : 0; !joined && w < sp->first; w++) {
			size_t len;
			const char *x = lmrec_sword_surf(&sc->ws, w, &len);
			joined = (len == 2 && memcmp(x, "or", 2) == 0) || (len == 3 && memcmp(x, "nor", 3) == 0);
		}
		if (joined) {
			taken = (int64_t)si;
		} else if (sp->own) {
			continue; /* "X-free" negates on its own */
		} else {
			sp->mode = (int8_t)-sp->mode;
			sp->released = 1;
		}
	}
}

/* A word made of letters only (any script), at least three bytes. */
static int wordlike(const char *s, size_t len)
{
	if (len < 3 || len > LMREC_SLOTS_MAX_SUBWORD)
		return 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp = lmrec_uc_decode(s, len, &i);
		enum lmrec_uc_class k = lmrec_uc_class(cp);
		if (k != LMREC_UC_LETTER && k != LMREC_UC_MARK && cp != '\'')
			return 0;
	}
	return 1;
}

/* The meanings of a single content word: implications (of the negated
 * word first when it is negated), else its nearest anchor. */
static void word_meanings(const struct lmrec_slotvocab *v, struct lmrec_slots_scratch *sc, size_t si)
{
	const struct lmrec_span *sp = &sc->sp[si];
	size_t len, slen;
	const char *stem = lmrec_sword_stem(&sc->ws, sp->first, &len);
	const char *surf = lmrec_sword_surf(&sc->ws, sp->first, &slen);
	const struct lmrec_meaning *m;
	size_t k;
	int neg = sp->mode < 0;
	if (neg) { /* "without gluten" is "gluten free" */
		LMREC_GROW(sc->key, sc->keycap, len + 6);
		memcpy(sc->key, stem, len);
		memcpy(sc->key + len, " free", 6);
		int64_t ph = lmrec_slotvocab_phrase(v, sc->key, len + 5);
		if (ph >= 0) {
			k = lmrec_slotvocab_meanings(v, ph, &m);
			for (size_t j = 0; j < k; j++)
				cand_push(sc, si, &m[j], LMREC_SRC_EXACT, (int8_t)-sp->mode, 1.0f);
			return;
		}
	}
	if (neg && (k = lmrec_slotvocab_implies(v, stem, len, 1, &m)) > 0) {
		/* how the catalog says it with a negation: wanted as such */
		for (size_t j = 0; j < k; j++)
			cand_push(sc, si, &m[j], LMREC_SRC_SCENARIO, (int8_t)-sp->mode, 1.0f);
		return;
	}
	if ((k = lmrec_slotvocab_implies(v, stem, len, 0, &m)) > 0) {
		/* negated, a word of several implications rules out the one
		 * most its own (the first: largest lift), not all of them:
		 * "nothing grim" is not dark, not "not for adults" */
		int first = 1;
		for (size_t j = 0; j < k; j++) {
			if (neg && m[j].kind == LMREC_SLOT_PAIR && !first)
				continue;
			first &= m[j].kind != LMREC_SLOT_PAIR;
			cand_push(sc, si, &m[j], LMREC_SRC_SCENARIO, sp->mode, 1.0f);
		}
		return;
	}
	/* a word the catalog uses often without saying anything by it is
	 * left alone; a rare or unknown word goes to its nearest anchor */
	int64_t w = lmrec_ids_find(v->words, stem, len);
	if ((w >= 0 && v->word_items[w] >= 2 * v->p.min_support) || !wordlike(surf, slen) || !v->dim)
		return;
	if (sc->vcap < v->dim) {
		sc->vec = lmrec_xreallocarray(sc->vec, v->dim, sizeof *sc->vec);
		sc->vcap = v->dim;
	}
	if (!lmrec_slotvocab_vector(v, surf, slen, sc->vec))
		return;
	float cos, csls;
	int64_t a = lmrec_slotvocab_nearest(v, surf, slen, sc->vec, &cos, &csls);
	if (a < 0 || cos < v->p.match_threshold)
		return;
	const char *as = v->anchor_stem[a];
	size_t al = strlen(as);
	int64_t ph = lmrec_slotvocab_phrase(v, as, al);
	if (ph >= 0 && !v->ph_before[ph]) {
		k = lmrec_slotvocab_meanings(v, ph, &m);
	} else {
		k = lmrec_slotvocab_implies(v, as, al, 0, &m);
	}
	for (size_t j = 0; j < k; j++)
		cand_push(sc, si, &m[j], LMREC_SRC_SUBWORD, sp->mode, cos);
}

/* The domain of a meaning, as a share of its items in domain d. */
static double dom_share(const struct lmrec_slotvocab *v, const struct lmrec_meaning *m, size_t d)
{
	switch (m->kind) {
	case LMREC_SLOT_PAIR:
		return v->pair_items[m->id] ? (double)v->pair_dom[(size_t)m->id * v->ndom + d] /
						      (double)v->pair_items[m->id]
					    : 0.0;
	case LMREC_SLOT_CATEGORY:
		return v->cat_dom[m->id] == d ? 1.0 : 0.0;
	case LMREC_SLOT_DOMAIN:
		return m->id == d ? 1.0 : 0.0;
	default:
		return v->key_dom[(size_t)m->id * v->ndom + d] ? 1.0 : 0.0;
	}
}

/* The text of a meaning (for the surface-form preference). */
static const char *meaning_text(const struct lmrec_slotvocab *v, const struct lmrec_meaning *m)
{
	switch (m->kind) {
	case LMREC_SLOT_PAIR:
		return v->key_yesno[v->pair_key[m->id]] ? v->key_text[v->pair_key[m->id]]
							: v->val_text[v->pair_val[m->id]];
	case LMREC_SLOT_CATEGORY:
		return v->cat_text[m->id];
	case LMREC_SLOT_DOMAIN:
		return v->dom_text[m->id];
	default:
		return v->key_text[m->id];
	}
}

/* Step 2 of the ambiguity rules: a value of several keys keeps the key
 * that another word of its clause names: a key word ("mid weight", "low
 * price"), or the same value of one of its keys ("mid priced": priced
 * implies price=mid); else the key hinted. */
static void keep_named_key(const struct lmrec_slotvocab *v, struct lmrec_slots_scratch *sc, size_t a, size_t b,
			   int64_t key_hint)
{
	int64_t one = -1;
	int several = 0;
	for (size_t q = a; q < b; q++) {
		const struct lmrec_slots_cand *c = &sc->cand[q];
		if (c->dead || c->m.kind != LMREC_SLOT_PAIR)
			continue;
		if (one >= 0 && one != (int64_t)v->pair_key[c->m.id])
			several = 1;
		one = v->pair_key[c->m.id];
	}
	if (!several)
		return;
	size_t span = sc->cand[a].span;
	uint32_t clause = sc->sp[span].clause;
	/* the named keys: a key of several may be named ("mid priced": price
	 * and cost, of which the domain step keeps one) */
	int named = 0;
	for (size_t q = a; q < b; q++) {
		struct lmrec_slots_cand *x = &sc->cand[q];
		if (x->dead || x->m.kind != LMREC_SLOT_PAIR)
			continue;
		x->named = 0;
		for (size_t j = 0; j < sc->ncand && !x->named; j++) {
			const struct lmrec_slots_cand *c = &sc->cand[j];
			if (c->dead || c->span == span || sc->sp[c->span].clause != clause)
				continue;
			x->named = (c->m.kind == LMREC_SLOT_KEY && c->m.id == v->pair_key[x->m.id]) ||
				   (c->m.kind == LMREC_SLOT_PAIR && c->m.id == x->m.id);
		}
		named |= x->named;
	}
	if (!named && key_hint >= 0)
		for (size_t q = a; q < b; q++) {
			struct lmrec_slots_cand *x = &sc->cand[q];
			if (!x->dead && x->m.kind == LMREC_SLOT_PAIR && v->pair_key[x->m.id] == (uint32_t)key_hint)
				named = x->named = 1;
		}
	if (!named)
		return;
	for (size_t q = a; q < b; q++)
		if (sc->cand[q].m.kind == LMREC_SLOT_PAIR && !sc->cand[q].named)
			sc->cand[q].dead = 1;
}

/* Step 1: the meanings whose text is the word's own surface form. */
static void keep_surface(const struct lmrec_slotvocab *v, struct lmrec_slots_scratch *sc, size_t a, size_t b,
			 int64_t key_hint)
{
	for (size_t q = a; q < b && key_hint >= 0; q++)
		if (sc->cand[q].m.kind == LMREC_SLOT_PAIR && v->pair_key[sc->cand[q].m.id] == (uint32_t)key_hint)
			return; /* the asked key decides (keep_asked_key) */
	const struct lmrec_span *sp = &sc->sp[sc->cand[a].span];
	size_t len = lmrec_slots_join(&sc->ws, sp->first, sp->n, 1, &sc->key, &sc->keycap);
	int any = 0;
	for (size_t q = a; q < b; q++) {
		const char *t = meaning_text(v, &sc->cand[q].m);
		any |= sc->cand[q].src == LMREC_SRC_EXACT && t && strlen(t) == len && memcmp(t, sc->key, len) == 0;
	}
	if (!any)
		return;
	for (size_t q = a; q < b; q++) {
		const char *t = meaning_text(v, &sc->cand[q].m);
		if (sc->cand[q].src == LMREC_SRC_EXACT && !(t && strlen(t) == len && memcmp(t, sc->key, len) == 0))
			sc->cand[q].dead = 1;
	}
}

static const char *const prepositions[] = {
	"for", "to", "at", "on", "in", "by", "near", "around", "from", "into", "during", "after", "before",
	"beside", "inside", "outside", NULL,
};
static const char *const articles[] = {"a", "an", "the", "my", "our", "some", "this", "that", NULL};

static int span_has_category(const struct lmrec_slots_scratch *sc, size_t a, size_t b, int64_t other_than)
{
	for (size_t q = a; q < b; q++)
		if (!sc->cand[q].dead && sc->cand[q].m.kind == LMREC_SLOT_CATEGORY && sc->cand[q].mode > 0 &&
		    (int64_t)sc->cand[q].m.id != other_than)
			return 1;
	return 0;
}

/* The first cand of every span into first (nsp + 1). */
static void span_starts(const struct lmrec_slots_scratch *sc, size_t *first)
{
	size_t j = 0;
	for (size_t si = 0; si <= sc->nsp; si++) {
		while (j < sc->ncand && sc->cand[j].span < si)
			j++;
		first[si] = j;
	}
}

/* A category word that only qualifies another ("trail running shoes",
 * "sport documentary": one of the next two spans of its clause names
 * another category, with nothing but content words between), or that
 * says where or what for ("sandals for the beach": after a preposition,
 * when another word names a category), is not the category asked for. */
static void drop_qualifying_categories(struct lmrec_slots_scratch *sc)
{
	size_t *first = lmrec_xmalloc((sc->nsp + 1) * sizeof *first);
	span_starts(sc, first);
	unsigned char *drop = lmrec_xcalloc(sc->nsp + 1, 1);
	const struct lmrec_swords *ws = &sc->ws;
	for (size_t si = 0; si < sc->nsp; si++) {
		size_t a = first[si], b = first[si + 1];
		int64_t own = -1;
		for (size_t q = a; q < b; q++)
			if (!sc->cand[q].dead && sc->cand[q].m.kind == LMREC_SLOT_CATEGORY && sc->cand[q].src == LMREC_SRC_EXACT)
				own = sc->cand[q].m.id;
		if (own < 0)
			continue;
		const struct lmrec_span *sp = &sc->sp[si];
		for (size_t t = si + 1; t < sc->nsp && t <= si + 2 && !drop[si]; t++) {
			const struct lmrec_span *tp = &sc->sp[t];
			if (tp->clause != sp->clause)
				break;
			int content = 1;
			for (size_t w = sp->first + sp->n; w < tp->first; w++)
				content &= ws->w[w].kind == LMREC_SW_WORD && !ws->w[w].stop;
			if (!content)
				break;
			drop[si] = span_has_category(sc, first[t], first[t + 1], own);
		}
		/* after a preposition, articles skipped */
		size_t w = sp->first;
		while (w > 0) {
			size_t len;
			const char *x = lmrec_sword_surf(ws, w - 1, &len);
			if (ws->w[w - 1].kind != LMREC_SW_WORD || !in_list(x, len, articles))
				break;
			w--;
		}
		size_t len = 0;
		const char *x = w > 0 ? lmrec_sword_surf(ws, w - 1, &len) : NULL;
		if (!drop[si] && x && ws->w[w - 1].kind == LMREC_SW_WORD && in_list(x, len, prepositions))
			for (size_t t = 0; t < sc->nsp && !drop[si]; t++)
				drop[si] = t != si && span_has_category(sc, first[t], first[t + 1], own);
	}
	for (size_t si = 0; si < sc->nsp; si++)
		for (size_t q = first[si]; drop[si] && q < first[si + 1]; q++)
			if (sc->cand[q].m.kind == LMREC_SLOT_CATEGORY)
				sc->cand[q].dead = 1;
	free(first);
	free(drop);
}

/* In an answer to a question about key, a word with a value of key means
 * that value alone ("by the lake" answering "which region?" is
 * region=lakes, not the category lake). */
static void keep_asked_key(const struct lmrec_slotvocab *v, struct lmrec_slots_scratch *sc, uint32_t key)
{
	for (size_t j = 0; j < sc->ncand;) {
		size_t e = j;
		int has = 0;
		while (e < sc->ncand && sc->cand[e].span == sc->cand[j].span) {
			const struct lmrec_slots_cand *c = &sc->cand[e];
			has |= !c->dead && c->m.kind == LMREC_SLOT_PAIR && v->pair_key[c->m.id] == key;
			e++;
		}
		for (size_t q = j; q < e && has; q++)
			if (!(sc->cand[q].m.kind == LMREC_SLOT_PAIR && v->pair_key[sc->cand[q].m.id] == key))
				sc->cand[q].dead = 1;
		j = e;
	}
}

/* An answer to a question about key that no word reads as a value of key
 * takes the value its words lean to most (lmrec_slotvocab_answer). */
static void answer_reading(const struct lmrec_slotvocab *v, struct lmrec_slots_scratch *sc, uint32_t key)
{
	for (size_t j = 0; j < sc->ncand; j++) {
		const struct lmrec_slots_cand *c = &sc->cand[j];
		if (!c->dead && ((c->m.kind == LMREC_SLOT_PAIR && v->pair_key[c->m.id] == key) ||
				 (c->m.kind == LMREC_SLOT_KEY && c->m.id == key)))
			return;
	}
	const struct lmrec_meaning *best = NULL;
	size_t at = 0;
	for (size_t si = 0; si < sc->nsp; si++) {
		const struct lmrec_span *sp = &sc->sp[si];
		if (sp->n != 1 || sp->mode == LMREC_POL_ANY)
			continue;
		size_t len;
		const char *w = lmrec_sword_stem(&sc->ws, sp->first, &len);
		const struct lmrec_meaning *m = lmrec_slotvocab_answer(v, w, len, key);
		if (m && (!best || m->weight > best->weight)) {
			best = m;
			at = si;
		}
	}
	if (best)
		cand_push(sc, at, best, LMREC_SRC_SCENARIO, sc->sp[at].mode, 1.0f);
}

/* How many votes the leading domain needs over the next. */
#define DOMAIN_LEAD 0.5

/* Step 3: the domain the request's words support most. */
static void keep_domain(const struct lmrec_slotvocab *v, struct lmrec_slots_scratch *sc)
{
	size_t nd = v->ndom;
	if (nd < 2)
		return;
	if (sc->nvotes < nd) {
		sc->votes = lmrec_xreallocarray(sc->votes, nd, sizeof *sc->votes);
		sc->nvotes = nd;
	}
	for (size_t d = 0; d < nd; d++)
		sc->votes[d] = 0;
	/* exact categories decide when they agree */
	int64_t forced = -1;
	int conflict = 0;
	for (size_t j = 0; j < sc->ncand; j++) {
		const struct lmrec_slots_cand *c = &sc->cand[j];
		if (c->dead || c->src != LMREC_SRC_EXACT || c->mode < 0 || c->m.kind != LMREC_SLOT_CATEGORY)
			continue;
		int64_t d = (int64_t)v->cat_dom[c->m.id];
		if (d >= (int64_t)nd)
			continue;
		if (forced >= 0 && forced != d)
			conflict = 1;
		forced = d;
	}
	int64_t win = -1;
	if (forced >= 0 && !conflict) {
		win = forced;
	} else if (forced < 0) {
		for (size_t j = 0; j < sc->ncand;) {
			size_t span = sc->cand[j].span, e = j;
			while (e < sc->ncand && sc->cand[e].span == span)
				e++;
			for (size_t d = 0; d < nd; d++) {
				double best = 0;
				for (size_t q = j; q < e; q++)
					if (!sc->cand[q].dead) {
						double x = sc->cand[q].m.weight * dom_share(v, &sc->cand[q].m, d);
						if (x > best)
							best = x;
					}
				sc->votes[d] += best;
			}
			j = e;
		}
		size_t b1 = 0;
		for (size_t d = 1; d < nd; d++)
			if (sc->votes[d] > sc->votes[b1])
				b1 = d;
		double second = 0;
		for (size_t d = 0; d < nd; d++)
			if (d != b1 && sc->votes[d] > second)
				second = sc->votes[d];
		if (sc->votes[b1] - second >= DOMAIN_LEAD - 1e-9)
			win = (int64_t)b1;
	}
	if (win < 0)
		return;
	for (size_t j = 0; j < sc->ncand; j++)
		if (dom_share(v, &sc->cand[j].m, (size_t)win) <= 0)
			sc->cand[j].dead = 1;
}

static void title_mentions(const struct lmrec_slotvocab *v, struct lmrec_slots_scratch *sc, struct lmrec_slots *out)
{
	if (!v->max_title)
		return;
	const struct lmrec_swords *ws = &sc->ws;
	for (size_t i = 0; i < ws->n;) {
		size_t most = 0;
		while (most < v->max_title && i + most < ws->n && ws->w[i + most].kind == LMREC_SW_WORD)
			most++;
		size_t hit = 0;
		for (size_t len = most; len >= 2 && !hit; len--) {
			size_t kl = lmrec_slots_join(ws, i, len, 0, &sc->key, &sc->keycap);
			int64_t t = lmrec_ids_find(v->titles, sc->key, kl);
			if (t < 0)
				continue;
			for (uint64_t p = v->title_ptr[t]; p < v->title_ptr[t + 1]; p++)
				mention_add(out, v->title_item[p]);
			hit = len;
		}
		i += hit ? hit : 1;
	}
}

void lmrec_slots_parse(const struct lmrec_slotvocab *v, struct lmrec_slots_scratch *sc, const char *s,
		       size_t len, int64_t key_hint, struct lmrec_slots *out)
{
	lmrec_slots_clear(out);
	if (!sc->tk)
		sc->tk = lmrec_slots_tokenizer();
	lmrec_swords_split(&sc->ws, sc->tk, v->stop, s, len, LMREC_SLOTS_MAX_WORDS);
	size_t n = sc->ws.n;
	if (n + 1 > sc->cap) {
		sc->cap = n + 1;
		sc->mode = lmrec_xreallocarray(sc->mode, sc->cap, sizeof *sc->mode);
		sc->clause = lmrec_xreallocarray(sc->clause, sc->cap, sizeof *sc->clause);
		sc->cue = lmrec_xreallocarray(sc->cue, sc->cap, 1);
		sc->used = lmrec_xreallocarray(sc->used, sc->cap, 1);
	}
	out->answer = lmrec_slots_scope(&sc->ws, sc->mode, sc->clause, sc->cue);
	sc->nsp = lmrec_slots_spans(v, &sc->ws, sc->mode, sc->clause, sc->cue, &sc->sp, &sc->spcap, &sc->key,
				    &sc->keycap);
	release_negations(v, sc);
	/* the meanings of every span */
	sc->ncand = 0;
	for (size_t si = 0; si < sc->nsp; si++) {
		const struct lmrec_span *sp = &sc->sp[si];
		size_t a = sc->ncand;
		if (sp->phrase >= 0) {
			const struct lmrec_meaning *m;
			size_t k = lmrec_slotvocab_meanings(v, sp->phrase, &m);
			for (size_t j = 0; j < k; j++)
				cand_push(sc, si, &m[j], LMREC_SRC_EXACT, sp->mode, 1.0f);
			if (sp->n == 1) { /* what the word means outside its exact domains */
				size_t wl;
				const char *w = lmrec_sword_stem(&sc->ws, sp->first, &wl);
				k = lmrec_slotvocab_implies(v, w, wl, 0, &m);
				for (size_t j = 0; j < k; j++)
					cand_push(sc, si, &m[j], LMREC_SRC_SCENARIO, sp->mode, 1.0f);
			}
		} else {
			word_meanings(v, sc, si);
		}
		if (sc->ncand - a > 1)
			keep_surface(v, sc, a, sc->ncand, key_hint);
	}
	for (size_t j = 0; j < sc->ncand;) {
		size_t e = j;
		while (e < sc->ncand && sc->cand[e].span == sc->cand[j].span)
			e++;
		keep_named_key(v, sc, j, e, key_hint);
		j = e;
	}
	if (key_hint >= 0)
		keep_asked_key(v, sc, (uint32_t)key_hint);
	drop_qualifying_categories(sc);
	keep_domain(v, sc);
	if (key_hint >= 0)
		answer_reading(v, sc, (uint32_t)key_hint);
	/* a category given by an exact word wins over guessed ones */
	int exact_cat = 0;
	for (size_t j = 0; j < sc->ncand; j++)
		exact_cat |= !sc->cand[j].dead && sc->cand[j].m.kind == LMREC_SLOT_CATEGORY &&
			     sc->cand[j].src == LMREC_SRC_EXACT;
	if (exact_cat)
		for (size_t j = 0; j < sc->ncand; j++)
			if (sc->cand[j].m.kind == LMREC_SLOT_CATEGORY && sc->cand[j].src != LMREC_SRC_EXACT)
				sc->cand[j].dead = 1;
	/* the slots, in the order of the words */
	int64_t any_clause = -1;  /* the clause of the last "any" */
	size_t any_span = SIZE_MAX; /* the span it applies to */
	for (size_t j = 0; j < sc->ncand; j++) {
		const struct lmrec_slots_cand *c = &sc->cand[j];
		if (c->dead)
			continue;
		const struct lmrec_span *sp = &sc->sp[c->span];
		int mode = c->mode;
		if (mode == 2 || mode == -2) { /* only the first slot after "any" */
			if (any_clause != (int64_t)sp->clause) {
				any_clause = sp->clause;
				any_span = c->span;
			}
			mode = c->span == any_span ? LMREC_POL_ANY : mode / 2;
		}
		struct lmrec_slot x = {c->m.kind, 0, c->src, c->m.id, c->m.weight};
		if (mode == LMREC_POL_ANY) {
			if (x.kind == LMREC_SLOT_PAIR) {
				x.kind = LMREC_SLOT_KEY;
				x.id = v->pair_key[c->m.id];
			}
			x.pol = LMREC_POL_ANY;
		} else if (x.kind == LMREC_SLOT_KEY) {
			continue; /* a key named without a value */
		} else if (mode > 0) {
			x.pol = LMREC_POL_POS;
		} else if (x.kind == LMREC_SLOT_PAIR) {
			x.pol = LMREC_POL_NEG;
			uint32_t k = v->pair_key[x.id];
			if (v->key_yesno[k]) { /* not waterproof: waterproof=no */
				int64_t other = v->pair_val[x.id] == (uint32_t)v->yes_value ? v->no_value : v->yes_value;
				int64_t q = other >= 0 ? lmrec_slotvocab_pair(v, k, (uint32_t)other) : -1;
				if (q >= 0) {
					x.id = (uint32_t)q;
					x.pol = LMREC_POL_POS;
				}
			}
		} else {
			x.pol = LMREC_POL_NEG;
		}
		if (sp->released && (x.kind == LMREC_SLOT_CATEGORY || x.kind == LMREC_SLOT_DOMAIN))
			continue;
		if (x.kind == LMREC_SLOT_DOMAIN && c->src == LMREC_SRC_EXACT && x.pol != LMREC_POL_ANY)
			continue; /* a domain's name only votes */
		lmrec_slots_put(out, &x);
		if (c->src == LMREC_SRC_SCENARIO) {
			size_t sl;
			const char *sw = lmrec_sword_surf(&sc->ws, sp->first, &sl);
			lmrec_slots_add_scenario(out, sw, sl);
		}
	}
	/* a value said outright beats values of its key that were implied */
	for (size_t i = 0; i < out->n;) {
		const struct lmrec_slot *x = &out->s[i];
		int implied_away = 0;
		if (x->kind == LMREC_SLOT_PAIR && x->src != LMREC_SRC_EXACT && x->pol == LMREC_POL_POS)
			for (size_t q = 0; q < out->n && !implied_away; q++)
				implied_away = out->s[q].kind == LMREC_SLOT_PAIR && out->s[q].src == LMREC_SRC_EXACT &&
					       out->s[q].pol == LMREC_POL_POS && v->pair_key[out->s[q].id] == v->pair_key[x->id];
		if (implied_away)
			memmove(out->s + i, out->s + i + 1, (--out->n - i) * sizeof *out->s);
		else
			i++;
	}
	/* a domain that another slot already confines the request to adds
	 * nothing */
	for (size_t i = 0; i < out->n;) {
		const struct lmrec_slot *d = &out->s[i];
		int redundant = 0;
		for (size_t q = 0; q < out->n && !redundant && d->kind == LMREC_SLOT_DOMAIN && d->pol == LMREC_POL_POS;
		     q++) {
			const struct lmrec_slot *x = &out->s[q];
			if (x->pol != LMREC_POL_POS || q == i)
				continue;
			if (x->kind == LMREC_SLOT_CATEGORY)
				redundant = v->cat_dom[x->id] == d->id;
			else if (x->kind == LMREC_SLOT_PAIR) {
				struct lmrec_meaning m = {LMREC_SLOT_PAIR, x->id, 1.0f};
				redundant = dom_share(v, &m, d->id) >= 1.0;
			}
		}
		if (redundant)
			memmove(out->s + i, out->s + i + 1, (--out->n - i) * sizeof *out->s);
		else
			i++;
	}
	title_mentions(v, sc, out);
}

/* ---- an external parser ---- */

/* The index of the decoded name s in ids (escaped form), or -1. */
static int64_t find_name(const struct lmrec_ids *ids, const char *s, char **buf, size_t *cap)
{
	if (!s)
		return -1;
	/* escape it as the dictionaries keep names */
	size_t n = strlen(s), o = 0;
	LMREC_GROW(*buf, *cap, 2 * n + 1);
	for (size_t k = 0; k < n; k++) {
		char c = s[k];
		const char *e = c == '\t' ? "\\t" : c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\\' ? "\\\\" : NULL;
		if (e) {
			(*buf)[o++] = e[0];
			(*buf)[o++] = e[1];
		} else {
			(*buf)[o++] = c;
		}
	}
	return lmrec_ids_find(ids, *buf, o);
}

void lmrec_slots_from_llm(const struct lmrec_slotvocab *v, const struct lmrec_llm_parse *p, struct lmrec_slots *out,
			  size_t *unknown)
{
	const struct lmrec_catalog *c = v->cat;
	char *buf = NULL;
	size_t cap = 0;
	lmrec_slots_clear(out);
	*unknown = 0;
	for (size_t i = 0; i < p->nslots; i++) {
		const struct lmrec_llm_slot *sl = &p->slots[i];
		struct lmrec_slot x = {LMREC_SLOT_PAIR, sl->polarity == '-' ? LMREC_POL_NEG : LMREC_POL_POS,
				       LMREC_SRC_EXTERNAL, 0, 1.0f};
		int64_t id = -1;
		if (strcmp(sl->key, "category") == 0) {
			x.kind = LMREC_SLOT_CATEGORY;
			id = find_name(c->categories, sl->value, &buf, &cap);
		} else if (strcmp(sl->key, "domain") == 0) {
			x.kind = LMREC_SLOT_DOMAIN;
			id = find_name(c->domains, sl->value, &buf, &cap);
		} else {
			int64_t k = find_name(c->keys, sl->key, &buf, &cap);
			int64_t val = k >= 0 ? find_name(c->values, sl->value, &buf, &cap) : -1;
			id = val >= 0 ? lmrec_slotvocab_pair(v, (uint32_t)k, (uint32_t)val) : -1;
			if (id >= 0 && v->key_ref[k])
				id = -1;
			if (id >= 0 && x.pol == LMREC_POL_NEG && v->key_yesno[k]) {
				/* "no" to "do you need it waterproof?": waterproof=no,
				 * as the built-in parser reads it */
				int64_t other = val == v->yes_value ? v->no_value : v->yes_value;
				int64_t q = other >= 0 ? lmrec_slotvocab_pair(v, (uint32_t)k, (uint32_t)other) : -1;
				if (q >= 0) {
					id = q;
					x.pol = LMREC_POL_POS;
				}
			}
		}
		if (id < 0) {
			(*unknown)++;
			continue;
		}
		x.id = (uint32_t)id;
		lmrec_slots_put(out, &x);
	}
	for (size_t i = 0; i < p->ndrop; i++) {
		struct lmrec_slot x = {LMREC_SLOT_KEY, LMREC_POL_ANY, LMREC_SRC_EXTERNAL, 0, 1.0f};
		if (strcmp(p->drop[i], "category") == 0) {
			x.kind = LMREC_SLOT_CATEGORY;
		} else {
			int64_t k = find_name(c->keys, p->drop[i], &buf, &cap);
			if (k < 0 || v->key_ref[k]) {
				(*unknown)++;
				continue;
			}
			x.id = (uint32_t)k;
		}
		lmrec_slots_put(out, &x);
	}
	if (p->category) {
		int64_t id = find_name(c->categories, p->category, &buf, &cap);
		if (id >= 0) {
			struct lmrec_slot x = {LMREC_SLOT_CATEGORY, LMREC_POL_POS, LMREC_SRC_EXTERNAL, (uint32_t)id, 1.0f};
			lmrec_slots_put(out, &x);
		} else {
			(*unknown)++;
		}
	}
	/* scenario words are kept as words: no separators inside */
	for (const char *w = p->scenario; w && *w;) {
		size_t l = strcspn(w, " ,;\t\n\r");
		lmrec_slots_add_scenario(out, w, l);
		w += l;
		w += strspn(w, " ,;\t\n\r");
	}
	free(buf);
}

/* A name of the catalog, decoded, kept in x. */
static const char *keep_name(struct lmrec_slots_llm *x, const struct lmrec_ids *ids, uint32_t i)
{
	size_t len;
	const char *p = lmrec_ids_str(ids, i, &len);
	char *d = lmrec_xmalloc(len + 1);
	d[lmrec_tsv_unescape(d, p, len)] = '\0';
	LMREC_GROW(x->str, x->cap, x->nstr + 1);
	x->str[x->nstr++] = d;
	return d;
}

void lmrec_slots_to_llm(const struct lmrec_slotvocab *v, const struct lmrec_slots *s, struct lmrec_slots_llm *x)
{
	const struct lmrec_catalog *c = v->cat;
	lmrec_slots_llm_free(x);
	x->slots = lmrec_xcalloc(s->n + 1, sizeof *x->slots);
	x->p.slots = x->slots;
	for (size_t i = 0; i < s->n; i++) {
		const struct lmrec_slot *y = &s->s[i];
		if (y->pol == LMREC_POL_ANY)
			continue; /* the protocol has no "any" value */
		struct lmrec_llm_slot *sl = &x->slots[x->p.nslots];
		sl->polarity = y->pol == LMREC_POL_NEG ? '-' : '+';
		if (y->kind == LMREC_SLOT_PAIR) {
			sl->key = keep_name(x, c->keys, v->pair_key[y->id]);
			sl->value = keep_name(x, c->values, v->pair_val[y->id]);
		} else if (y->kind == LMREC_SLOT_CATEGORY && y->pol == LMREC_POL_POS && !x->p.category) {
			x->p.category = keep_name(x, c->categories, y->id);
			continue;
		} else if (y->kind == LMREC_SLOT_CATEGORY) {
			sl->key = "category";
			sl->value = keep_name(x, c->categories, y->id);
		} else if (y->kind == LMREC_SLOT_DOMAIN) {
			sl->key = "domain";
			sl->value = keep_name(x, c->domains, y->id);
		} else {
			continue;
		}
		x->p.nslots++;
	}
	if (s->slen) {
		char *w = lmrec_xstrdup(s->scenario);
		for (char *q = w; *q; q++)
			if (*q == ',')
				*q = ' ';
		LMREC_GROW(x->str, x->cap, x->nstr + 1);
		x->str[x->nstr++] = w;
		x->p.scenario = w;
	}
}

void lmrec_slots_llm_free(struct lmrec_slots_llm *x)
{
	for (size_t i = 0; i < x->nstr; i++)
		free(x->str[i]);
	free(x->str);
	free(x->slots);
	memset(x, 0, sizeof *x);
}

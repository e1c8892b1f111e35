/* lmrec — the synthetic catalog: items of four domains composed from the
 * vocabularies of synth_vocab.h (see synth.h and lmrec-synth(1)).
 *
 * An item is a category, a variant of it (a kind of product, a sub-genre,
 * a kind of place), attributes drawn from the variant's spec, a title made
 * from its own templates, and a text that renders every attribute through
 * one of several paraphrases, so that items with the same attributes share
 * meaning without always sharing words. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synth.h"
#include "synth_str.h"
#include "synth_vocab.h"
#include "util.h"

#define MAX_KV 32

/* Internal errors: the vocabularies are ours, so a bad one is a bug. */
#define BUG(...) lmrec_die(LMREC_EXIT_FAIL, "internal error in the synthetic vocabulary: " __VA_ARGS__)

static int is_vowel(char c) { return c && strchr("aeiouAEIOU", c) != NULL; }
static const char *article(struct slice s) { return s.n && is_vowel(s.p[0]) ? "an" : "a"; }

/* ---- lookup tables built once ---- */

struct tables {
	struct lmrec_ids *phrase, *scene, *list; /* keys -> row of the vocab table */
	struct lmrec_ids *titles;                /* every title so far, to keep them unique */
};

static int64_t find(const struct lmrec_ids *ids, const char *s, size_t n) { return lmrec_ids_find(ids, s, n); }

static const char *phrase_of(const struct tables *t, int domain, struct slice key, struct slice val)
{
	struct sb b = {0};
	sb_str(&b, lmrec_synth_domain_names[domain]);
	sb_str(&b, ":");
	size_t skip = b.len;
	sb_sl(&b, key);
	sb_str(&b, "=");
	sb_sl(&b, val);
	int64_t i = find(t->phrase, b.p, b.len);
	if (i < 0)
		i = find(t->phrase, b.p + skip, b.len - skip);
	if (i < 0)
		BUG("no phrase for '%s'", b.p);
	free(b.p);
	return vocab_phrases[i][1];
}

/* ---- one item being composed ---- */

struct kv {
	struct slice key, val;
};

struct comp {
	struct lmrec_rng *rng;
	const struct tables *t;
	int domain;
	size_t cat;                /* index into vocab_cats */
	const struct vocab_variant *var;
	struct kv kv[MAX_KV];
	size_t nkv;
	struct slice brand, model, label, town, venue, restaurant;
	const struct vocab_cuisine *cuisine;
	char brand_lc[32], town_lc[32]; /* lower-case attribute values */
};

static void put(struct comp *c, struct slice key, struct slice val)
{
	if (c->nkv == MAX_KV)
		BUG("more than %d attributes", MAX_KV);
	c->kv[c->nkv++] = (struct kv){key, val};
}
static int has(const struct comp *c, const char *key, const char *val)
{
	for (size_t i = 0; i < c->nkv; i++)
		if (eq(c->kv[i].key, key) && (!val || eq(c->kv[i].val, val)))
			return 1;
	return 0;
}
static struct slice get(const struct comp *c, const char *key)
{
	for (size_t i = 0; i < c->nkv; i++)
		if (eq(c->kv[i].key, key))
			return c->kv[i].val;
	return (struct slice){"", 0};
}
static void set(struct comp *c, const char *key, const char *val)
{
	for (size_t i = 0; i < c->nkv; i++)
		if (eq(c->kv[i].key, key)) {
			c->kv[i].val = mk(val);
			return;
		}
	put(c, mk(key), mk(val));
}

/* Applies an attribute spec "k=a/b;k2=c/d+;k3=e?" (see synth_vocab.h);
 * keys already set are left alone unless the spec repeats them itself. */
static void apply_spec(struct comp *c, const char *spec)
{
	struct slice s = mk(spec);
	if (s.n == 0)
		return;
	size_t n0 = c->nkv;
	for (size_t i = 0, n = parts(s, ';'); i < n; i++) {
		struct slice e = part(s, ';', i);
		const char *eqs = memchr(e.p, '=', e.n);
		if (!eqs)
			BUG("bad spec '%s'", spec);
		struct slice key = {e.p, (size_t)(eqs - e.p)};
		struct slice vals = {eqs + 1, e.n - key.n - 1};
		int set_before = 0;
		for (size_t k = 0; k < n0; k++)
			set_before |= c->kv[k].key.n == key.n && memcmp(c->kv[k].key.p, key.p, key.n) == 0;
		if (set_before)
			continue;
		char mode = (char)(vals.n ? vals.p[vals.n - 1] : 0);
		if (mode == '+' || mode == '?')
			vals.n--;
		if (vals.n == 1 && vals.p[0] == '*')
			vals = mk(vocab_colors);
		char sep = vals.p == vocab_colors ? '|' : '/';
		if (mode == '?' && lmrec_rng_below(c->rng, 2))
			continue;
		size_t nv = parts(vals, sep), first = (size_t)lmrec_rng_below(c->rng, nv);
		put(c, key, part(vals, sep, first));
		if (mode == '+')
			for (size_t v = 0; v < nv; v++)
				if (v != first && lmrec_rng_double(c->rng) < 0.3)
					put(c, key, part(vals, sep, v));
	}
}

/* Resolves one {slot} of a template. */
static struct slice slot(struct comp *c, struct slice name)
{
	if (eq(name, "Town")) /* the item's town, or any town of the world */
		return c->town.n ? c->town
				 : mk(vocab_towns[lmrec_rng_below(c->rng, LMREC_SYNTH_NREGIONS)][lmrec_rng_below(c->rng, 3)]);
	if (eq(name, "brand"))
		return c->brand;
	if (eq(name, "model"))
		return c->model;
	if (eq(name, "venue"))
		return pick(c->rng, mk(c->cuisine->venues), '|');
	if (eq(name, "cuisine"))
		return mk(c->cuisine->tadj);
	int64_t i = find(c->t->list, name.p, name.n);
	if (i < 0)
		BUG("no word list '%.*s'", (int)name.n, name.p);
	return pick_s(c->rng, vocab_lists[i][1]);
}

/* Expands a template; a slot never repeats an earlier slot's word
 * ("Rosa Meets Rosa"), and the result starts with a capital. */
static void expand(struct comp *c, struct sb *b, struct slice tmpl)
{
	struct slice used[8];
	size_t nused = 0, start = b->len;
	for (size_t i = 0; i < tmpl.n;) {
		if (tmpl.p[i] != '{') {
			size_t j = i;
			while (j < tmpl.n && tmpl.p[j] != '{')
				j++;
			sb_add(b, tmpl.p + i, j - i);
			i = j;
			continue;
		}
		const char *close = memchr(tmpl.p + i, '}', tmpl.n - i);
		if (!close)
			BUG("unclosed slot in '%.*s'", (int)tmpl.n, tmpl.p);
		struct slice name = {tmpl.p + i + 1, (size_t)(close - tmpl.p) - i - 1}, v;
		for (int tries = 0;; tries++) {
			v = slot(c, name);
			int dup = 0;
			for (size_t k = 0; k < nused; k++)
				dup |= used[k].n == v.n && memcmp(used[k].p, v.p, v.n) == 0;
			if (!dup || tries == 8)
				break;
		}
		if (nused < sizeof used / sizeof *used)
			used[nused++] = v;
		sb_sl(b, v);
		i = (size_t)(close - tmpl.p) + 1;
	}
	if (b->len > start && b->p[start] >= 'a' && b->p[start] <= 'z')
		b->p[start] = (char)(b->p[start] - 'a' + 'A');
}

/* Appends fragment sentences: 1 to 3 fragments each, capitalised. */
static void sentences(struct lmrec_rng *r, struct sb *b, struct slice *frag, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t g = 1 + (size_t)lmrec_rng_below(r, 3);
		if (g > n - i)
			g = n - i;
		sb_str(b, " ");
		for (size_t k = 0; k < g; k++) {
			struct slice f = frag[i + k];
			if (k > 0)
				sb_str(b, k == g - 1 ? " and " : ", ");
			if (k == 0 && f.n && f.p[0] >= 'a' && f.p[0] <= 'z') {
				char up = (char)(f.p[0] - 'a' + 'A');
				sb_add(b, &up, 1);
				sb_add(b, f.p + 1, f.n - 1);
			} else {
				sb_sl(b, f);
			}
		}
		sb_str(b, ".");
		i += g;
	}
}

static const char *scene_of(const struct tables *t, const char *key, struct slice val)
{
	struct sb b = {0};
	sb_str(&b, key);
	sb_sl(&b, val);
	int64_t i = find(t->scene, b.p, b.len);
	free(b.p);
	return i < 0 ? NULL : vocab_scenes[i][1];
}

/* The text: a first sentence naming the item, every attribute in a random
 * order through a random paraphrase, and what it is good for. */
static char *describe(struct comp *c, const char *title)
{
	struct lmrec_rng *r = c->rng;
	struct sb b = {0};
	const char *catname = vocab_cats[c->cat].name;
	struct slice label = c->label;
	switch (c->domain) {
	case LMREC_SYNTH_SHOP: {
		int form = (int)lmrec_rng_below(r, 4);
		if (form == 0)
			sb_str(&b, article(label)), b.p[0] = (char)(b.p[0] - 'a' + 'A');
		else if (form == 1) {
			sb_sl(&b, c->brand), sb_str(&b, "'s");
			/* "Cairnwell's hiking boots", not "Cairnwell's pair of hiking boots" */
			for (size_t k = 0; k < 2; k++) {
				static const char *const lead[2] = {"pair of ", "set of "};
				size_t n = strlen(lead[k]);
				if (label.n > n && memcmp(label.p, lead[k], n) == 0)
					label.p += n, label.n -= n;
			}
		}
		else if (form == 2)
			sb_str(&b, "The "), sb_sl(&b, c->model), sb_str(&b, " is "), sb_str(&b, article(label));
		else
			sb_sl(&b, c->brand), sb_str(&b, " "), sb_sl(&b, c->model), sb_str(&b, ": "), sb_str(&b, article(label));
		sb_str(&b, " ");
		sb_sl(&b, label);
		if (form == 0 || form == 2)
			sb_str(&b, " from "), sb_sl(&b, c->brand);
		sb_str(&b, ".");
		break;
	}
	case LMREC_SYNTH_VIDEO: {
		int form = (int)lmrec_rng_below(r, 3);
		if (form == 0)
			sb_str(&b, article(label)), b.p[0] = (char)(b.p[0] - 'a' + 'A');
		else if (form == 1)
			sb_str(&b, title), sb_str(&b, " is "), sb_str(&b, article(label));
		else
			sb_str(&b, "In this");
		sb_str(&b, " ");
		sb_sl(&b, label);
		sb_str(&b, form == 2 ? ": " : " about ");
		struct slice topic[MAX_KV];
		size_t nt = 0;
		int has_and = 0;
		for (size_t i = 0; i < c->nkv; i++)
			if (eq(c->kv[i].key, "topic")) {
				topic[nt] = pick_s(r, phrase_of(c->t, c->domain, c->kv[i].key, c->kv[i].val));
				for (size_t k = 0; k + 5 <= topic[nt].n; k++)
					has_and |= memcmp(topic[nt].p + k, " and ", 5) == 0;
				nt++;
			}
		for (size_t k = 0; k < nt; k++) {
			if (k > 0)
				sb_str(&b, k + 1 < nt || has_and ? ", " : " and ");
			sb_sl(&b, topic[k]);
		}
		sb_str(&b, ".");
		break;
	}
	case LMREC_SYNTH_FOOD:
		if (vocab_cats[c->cat].venue) {
			int form = (int)lmrec_rng_below(r, 2);
			struct slice adj = mk(c->cuisine->adj);
			if (form == 0)
				sb_str(&b, article(adj)), b.p[0] = (char)(b.p[0] - 'a' + 'A');
			else
				sb_str(&b, title), sb_str(&b, " is "), sb_str(&b, article(adj));
			sb_str(&b, " ");
			sb_sl(&b, adj);
			sb_str(&b, " ");
			sb_sl(&b, label);
			sb_str(&b, " in ");
			sb_sl(&b, c->town);
			sb_str(&b, ". Known for its ");
			sb_sl(&b, pick_s(r, c->cuisine->signature));
			sb_str(&b, ".");
		} else {
			sb_str(&b, title);
			sb_str(&b, ": ");
			sb_str(&b, article(label));
			sb_str(&b, " ");
			sb_sl(&b, label);
			sb_str(&b, " from ");
			sb_sl(&b, c->restaurant);
			sb_str(&b, " in ");
			sb_sl(&b, c->town);
			sb_str(&b, ".");
		}
		break;
	default: {
		int form = (int)lmrec_rng_below(r, 2);
		if (form == 0)
			sb_str(&b, article(label)), b.p[0] = (char)(b.p[0] - 'a' + 'A');
		else
			sb_str(&b, title), sb_str(&b, " is "), sb_str(&b, article(label));
		sb_str(&b, " ");
		sb_sl(&b, label);
		sb_str(&b, form == 0 ? " near " : " in ");
		sb_sl(&b, c->town);
		sb_str(&b, ".");
	}
	}

	struct slice frag[MAX_KV];
	size_t nf = 0;
	for (size_t i = 0; i < c->nkv; i++) {
		struct kv *e = &c->kv[i];
		if (eq(e->key, "brand") || eq(e->key, "town") || eq(e->key, "restaurant") ||
		    (c->domain == LMREC_SYNTH_VIDEO && eq(e->key, "topic")))
			continue;
		frag[nf++] = pick_s(r, phrase_of(c->t, c->domain, e->key, e->val));
	}
	for (size_t i = nf; i > 1; i--) {
		size_t j = (size_t)lmrec_rng_below(r, i);
		struct slice tmp = frag[i - 1];
		frag[i - 1] = frag[j];
		frag[j] = tmp;
	}
	sentences(r, &b, frag, nf);

	/* What it is for: a use (shop), a mood (video), the category. */
	const char *scene = NULL;
	const char *key = c->domain == LMREC_SYNTH_SHOP ? "use" : c->domain == LMREC_SYNTH_VIDEO ? "mood" : NULL;
	if (key) {
		struct slice v = get(c, key);
		char k2[16];
		snprintf(k2, sizeof k2, "%s=", key);
		if (v.n)
			scene = scene_of(c->t, k2, v);
	} else {
		scene = scene_of(c->t, "c.", mk(catname));
	}
	if (scene) {
		static const char *const lead[] = {" Ideal for ", " Perfect for ", " Great for ", " Made for "};
		sb_str(&b, lead[lmrec_rng_below(r, NELEM(lead))]);
		sb_sl(&b, pick_s(r, scene));
		sb_str(&b, ".");
	}
	char *text = sb_dup(&b);
	free(b.p);
	return text;
}

/* A title not used before: up to 50 draws, then a numbered variant. */
static char *unique_title(struct comp *c, struct slice tmpl_list)
{
	struct sb b = {0};
	for (int attempt = 0;; attempt++) {
		b.len = 0;
		expand(c, &b, pick(c->rng, tmpl_list, '|'));
		if (attempt >= 50) {
			char num[24];
			snprintf(num, sizeof num, " %d", attempt - 48);
			sb_str(&b, num);
		}
		size_t before = lmrec_ids_count(c->t->titles);
		lmrec_ids_intern(c->t->titles, b.p, b.len);
		if (lmrec_ids_count(c->t->titles) > before)
			break;
	}
	char *title = sb_dup(&b);
	free(b.p);
	return title;
}

/* ---- the catalog ---- */

static void lower_value(char *dst, size_t cap, struct slice s)
{
	size_t n = 0;
	for (size_t i = 0; i < s.n && n + 1 < cap; i++) {
		char ch = s.p[i];
		dst[n++] = (char)(ch == ' ' || ch == '-' ? '_' : (ch >= 'A' && ch <= 'Z') ? ch - 'A' + 'a' : ch);
	}
	dst[n] = '\0';
}

static size_t key_rank(int domain, struct slice key)
{
	struct slice order = mk(vocab_key_order[domain]);
	for (size_t i = 0, n = parts(order, ' '); i < n; i++) {
		struct slice k = part(order, ' ', i);
		if (k.n == key.n && memcmp(k.p, key.p, k.n) == 0)
			return i;
	}
	BUG("key '%.*s' has no place in the attrs order", (int)key.n, key.p);
}

/* Canonical attrs (keys in the domain's order, values in spec order) and
 * the item's features. */
static void finish_attrs(struct lmrec_synth_world *w, struct comp *c, struct lmrec_synth_item *it)
{
	/* stable insertion sort by key rank */
	for (size_t i = 1; i < c->nkv; i++) {
		struct kv e = c->kv[i];
		size_t rank = key_rank(c->domain, e.key), j = i;
		while (j > 0 && key_rank(c->domain, c->kv[j - 1].key) > rank) {
			c->kv[j] = c->kv[j - 1];
			j--;
		}
		c->kv[j] = e;
	}
	struct sb b = {0};
	it->feat = lmrec_xmalloc((c->nkv + 1) * sizeof *it->feat);
	it->nfeat = 0;
	it->feat[it->nfeat++] = w->cats[it->category].feature;
	for (size_t i = 0; i < c->nkv; i++) {
		if (i)
			sb_str(&b, ";");
		size_t at = b.len;
		sb_sl(&b, c->kv[i].key);
		sb_str(&b, "=");
		sb_sl(&b, c->kv[i].val);
		uint32_t fi = lmrec_ids_intern(w->feats, b.p + at, b.len - at);
		int dup = 0;
		for (uint32_t k = 0; k < it->nfeat; k++)
			dup |= it->feat[k] == fi;
		if (!dup)
			it->feat[it->nfeat++] = fi;
	}
	it->attrs = sb_dup(&b);
	free(b.p);
}

static int cuisine_index(const struct vocab_cuisine *cu) { return (int)(cu - vocab_cuisines); }

/* Per-item facts the dishes need from their venue. */
struct venue_info {
	int cuisine, town;
	const char *price; /* "low", "mid" or "high" */
};

static const char *const price_levels[] = {"low", "mid", "high"};

static void make_shop(struct comp *c, struct lmrec_synth_item *it)
{
	const char *catname = vocab_cats[c->cat].name;
	size_t nb = 0, brands[NELEM(vocab_brands)];
	for (size_t i = 0; i < NELEM(vocab_brands); i++) {
		struct slice cats = mk(vocab_brands[i].cats);
		for (size_t k = 0, n = parts(cats, '/'); k < n; k++)
			if (eq(part(cats, '/', k), catname))
				brands[nb++] = i;
	}
	if (nb == 0)
		BUG("no brand makes '%s'", catname);
	const struct vocab_brand *br = &vocab_brands[brands[lmrec_rng_below(c->rng, nb)]];
	c->brand = mk(br->name);
	lower_value(c->brand_lc, sizeof c->brand_lc, c->brand);
	put(c, mk("brand"), mk(c->brand_lc));
	apply_spec(c, c->var->attrs);
	apply_spec(c, vocab_cats[c->cat].extra);
	int p = br->price;
	double u = lmrec_rng_double(c->rng);
	if (u < 0.2)
		p = p > 0 ? p - 1 : p + 1;
	else if (u < 0.3)
		p = p < 2 ? p + 1 : p - 1;
	put(c, mk("price"), mk(price_levels[p]));
	c->label = pick_s(c->rng, c->var->label);
	c->model = pick_s(c->rng, vocab_lists[find(c->t->list, "model", 5)][1]);
	/* the model word is part of the title: draw titles until one is new */
	struct sb b = {0};
	for (int attempt = 0;; attempt++) {
		b.len = 0;
		sb_sl(&b, c->brand);
		sb_str(&b, " ");
		sb_sl(&b, c->model);
		sb_str(&b, " ");
		sb_sl(&b, pick_s(c->rng, c->var->title));
		if (attempt >= 50) {
			char num[24];
			snprintf(num, sizeof num, " %d", attempt - 48);
			sb_str(&b, num);
		}
		size_t before = lmrec_ids_count(c->t->titles);
		lmrec_ids_intern(c->t->titles, b.p, b.len);
		if (lmrec_ids_count(c->t->titles) > before)
			break;
		c->model = pick_s(c->rng, vocab_lists[find(c->t->list, "model", 5)][1]);
	}
	it->title = sb_dup(&b);
	free(b.p);
}

static void make_venue(struct comp *c, struct lmrec_synth_item *it, struct venue_info *vi)
{
	const char *catname = vocab_cats[c->cat].name;
	int need = strcmp(catname, "cafe") == 0 ? 'c' : strcmp(catname, "bakery") == 0 ? 'b'
		   : strcmp(catname, "street-food") == 0 ? 's' : 0;
	size_t nc = 0, cands[NELEM(vocab_cuisines)];
	for (size_t i = 0; i < NELEM(vocab_cuisines); i++)
		if (!need || strchr(vocab_cuisines[i].where, need))
			cands[nc++] = i;
	c->cuisine = &vocab_cuisines[cands[lmrec_rng_below(c->rng, nc)]];
	put(c, mk("cuisine"), mk(c->cuisine->value));
	apply_spec(c, c->var->attrs);
	if (has(c, "diet", "vegan") && !has(c, "diet", "vegetarian"))
		put(c, mk("diet"), mk("vegetarian"));
	if (!has(c, "price", NULL)) {
		double u = lmrec_rng_double(c->rng);
		set(c, "price", has(c, "ambience", "formal") ? "high" : has(c, "ambience", "family") ? (u < 0.5 ? "low" : "mid")
				: u < 0.3 ? "low" : u < 0.75 ? "mid" : "high");
	}
	put(c, mk("spice"), pick(c->rng, mk(c->cuisine->spice), '/'));
	c->label = pick_s(c->rng, c->var->label);
	int region = (int)lmrec_rng_below(c->rng, LMREC_SYNTH_NREGIONS);
	int town = (int)lmrec_rng_below(c->rng, 3);
	it->region = region;
	c->town = mk(vocab_towns[region][town]);
	lower_value(c->town_lc, sizeof c->town_lc, c->town);
	put(c, mk("region"), mk(lmrec_synth_region_names[region]));
	put(c, mk("town"), mk(c->town_lc));
	const char *tmpl = NULL;
	for (size_t i = 0; i < NELEM(vocab_venue_titles); i++)
		if (strcmp(vocab_venue_titles[i][0], catname) == 0)
			tmpl = vocab_venue_titles[i][1];
	if (!tmpl)
		BUG("no venue titles for '%s'", catname);
	it->title = unique_title(c, mk(tmpl));
	vi->cuisine = cuisine_index(c->cuisine);
	vi->town = town;
	vi->price = price_levels[1];
	for (int p = 0; p < 3; p++)
		if (eq(get(c, "price"), price_levels[p]))
			vi->price = price_levels[p];
}

static void make_dish(struct lmrec_synth_world *w, struct comp *c, struct lmrec_synth_item *it,
		      const struct venue_info *info, size_t first_food, size_t nv)
{
	const char *catname = vocab_cats[c->cat].name;
	int dessert = strcmp(catname, "desserts") == 0;
	/* its venue (items [first_food, first_food + nv)): any for a dessert,
	 * rarely a bakery for the rest */
	if (nv == 0)
		BUG("dishes without venues");
	size_t v;
	do
		v = first_food + (size_t)lmrec_rng_below(c->rng, nv);
	while (!dessert && strcmp(w->cats[w->items[v].category].name, "bakery") == 0 &&
	       lmrec_rng_below(c->rng, 20) != 0);
	const struct lmrec_synth_item *venue = &w->items[v];
	const struct venue_info *vi = &info[v];
	it->parent = (uint32_t)v;
	it->region = venue->region;
	c->cuisine = &vocab_cuisines[vi->cuisine];
	c->restaurant = mk(venue->title);
	c->town = mk(vocab_towns[venue->region][vi->town]);
	lower_value(c->town_lc, sizeof c->town_lc, c->town);

	const struct vocab_cuisine *cu = c->cuisine;
	const char *types = strcmp(catname, "mains") == 0 ? cu->mains : strcmp(catname, "soups") == 0 ? cu->soups
			    : strcmp(catname, "salads") == 0 ? cu->salads : cu->desserts;
	struct slice type = pick_s(c->rng, types);
	int gluten = 0, hearty = -1;
	while (type.n && strchr("*^~", type.p[type.n - 1])) {
		char m = type.p[--type.n];
		if (m == '*')
			gluten = 1;
		else
			hearty = m == '^';
	}
	put(c, mk("cuisine"), mk(cu->value));
	struct sb b = {0};
	if (dessert) {
		sb_sl(&b, pick_s(c->rng, vocab_lists[find(c->t->list, "dessertflavour", 14)][1]));
		put(c, mk("diet"), mk("vegetarian"));
		if (lmrec_rng_double(c->rng) < 0.25)
			put(c, mk("diet"), mk("vegan"));
		if (!gluten)
			put(c, mk("diet"), mk("gluten_free"));
	} else {
		const struct vocab_ingredient *ing = &vocab_ingredients[lmrec_rng_below(c->rng, NELEM(vocab_ingredients))];
		struct slice spice = pick(c->rng, mk(cu->spice), '/');
		if (eq(spice, "hot") && lmrec_rng_below(c->rng, 2))
			sb_str(&b, "Fiery");
		else
			sb_sl(&b, pick_s(c->rng, vocab_lists[find(c->t->list, "dadj", 4)][1]));
		sb_str(&b, " ");
		sb_str(&b, ing->name);
		if (strchr(ing->flags, 'v'))
			put(c, mk("diet"), mk("vegetarian"));
		if (strchr(ing->flags, 'g'))
			put(c, mk("diet"), mk("vegan"));
		if (!gluten)
			put(c, mk("diet"), mk("gluten_free"));
		put(c, mk("spice"), spice);
		if (hearty < 0)
			hearty = strchr(ing->flags, 'h') ? 1 : (int)lmrec_rng_below(c->rng, 2);
		put(c, mk("style"), mk(hearty ? "hearty" : "light"));
	}
	sb_str(&b, " ");
	sb_sl(&b, type);
	if (lmrec_rng_double(c->rng) < 0.7)
		put(c, mk("price"), mk(vi->price));
	else
		put(c, mk("price"), pick_s(c->rng, "low|mid|high"));
	put(c, mk("region"), mk(lmrec_synth_region_names[venue->region]));
	put(c, mk("town"), mk(c->town_lc));
	put(c, mk("restaurant"), mk(venue->id));
	/* one dish name per venue and type can repeat across venues: make it unique */
	size_t base = b.len;
	for (int attempt = 0;; attempt++) {
		size_t before = lmrec_ids_count(c->t->titles);
		lmrec_ids_intern(c->t->titles, b.p, b.len);
		if (lmrec_ids_count(c->t->titles) > before)
			break;
		b.len = base;
		b.p[b.len] = '\0';
		if (attempt == 0) {
			/* "Smoky Lentil Curry" taken: name the venue's version */
			struct sb t = {0};
			sb_sl(&t, c->restaurant);
			sb_str(&t, " ");
			sb_add(&t, b.p, b.len);
			free(b.p);
			b = t;
			base = b.len;
		} else {
			char num[24];
			snprintf(num, sizeof num, " No. %d", attempt + 1);
			sb_str(&b, num);
		}
	}
	it->title = sb_dup(&b);
	free(b.p);
	for (size_t i = 0; i < NELEM(vocab_courses); i++)
		if (strcmp(vocab_courses[i][0], catname) == 0)
			c->label = pick_s(c->rng, vocab_courses[i][1]);
	if (!c->label.n)
		BUG("no course label for '%s'", catname);
}

static void make_place(struct comp *c, struct lmrec_synth_item *it)
{
	struct slice regions = mk(c->var->regions);
	struct slice rname = pick(c->rng, regions, '/');
	int region = -1;
	for (int i = 0; i < LMREC_SYNTH_NREGIONS; i++)
		if (eq(rname, lmrec_synth_region_names[i]))
			region = i;
	if (region < 0)
		BUG("unknown region '%.*s'", (int)rname.n, rname.p);
	it->region = region;
	c->town = mk(vocab_towns[region][lmrec_rng_below(c->rng, 3)]);
	lower_value(c->town_lc, sizeof c->town_lc, c->town);
	put(c, mk("region"), mk(lmrec_synth_region_names[region]));
	put(c, mk("town"), mk(c->town_lc));
	apply_spec(c, c->var->attrs);
	c->label = pick_s(c->rng, c->var->label);
	it->title = unique_title(c, mk(c->var->title));
}

/* Every attribute value a spec can produce has a phrase, every scene and
 * list a template names exists: checked once, so a vocabulary edit that
 * breaks this fails on the first run, whatever the seed. */
static void check_vocab(const struct tables *t)
{
	for (size_t i = 0; i < NELEM(vocab_variants); i++) {
		const struct vocab_variant *v = &vocab_variants[i];
		int domain = -1;
		for (size_t k = 0; k < NELEM(vocab_cats); k++)
			if (strcmp(vocab_cats[k].name, v->cat) == 0)
				domain = vocab_cats[k].domain;
		if (domain < 0)
			BUG("variant of unknown category '%s'", v->cat);
		struct slice s = mk(v->attrs);
		for (size_t k = 0, n = parts(s, ';'); k < n; k++) {
			struct slice e = part(s, ';', k);
			const char *eqs = memchr(e.p, '=', e.n);
			struct slice key = {e.p, (size_t)(eqs - e.p)}, vals = {eqs + 1, e.n - key.n - 1};
			if (vals.n && (vals.p[vals.n - 1] == '+' || vals.p[vals.n - 1] == '?'))
				vals.n--;
			key_rank(domain, key);
			for (size_t j = 0, m = parts(vals, '/'); j < m; j++)
				phrase_of(t, domain, key, part(vals, '/', j));
		}
	}
	struct slice colors = mk(vocab_colors);
	for (size_t j = 0, m = parts(colors, '|'); j < m; j++)
		phrase_of(t, LMREC_SYNTH_SHOP, mk("color"), part(colors, '|', j));
	for (size_t i = 0; i < NELEM(vocab_cuisines); i++) {
		phrase_of(t, LMREC_SYNTH_FOOD, mk("cuisine"), mk(vocab_cuisines[i].value));
		struct slice sp = mk(vocab_cuisines[i].spice);
		for (size_t j = 0, m = parts(sp, '/'); j < m; j++)
			phrase_of(t, LMREC_SYNTH_FOOD, mk("spice"), part(sp, '/', j));
	}
}

/* Splits total into parts proportional to share[0..n) (largest remainder,
 * ties to the lower index), at least one each when total >= n. */
static void apportion(size_t total, const double *share, size_t n, size_t *out)
{
	double sum = 0.0;
	for (size_t i = 0; i < n; i++)
		sum += share[i];
	size_t given = 0;
	double *rem = lmrec_xmalloc(n * sizeof *rem);
	for (size_t i = 0; i < n; i++) {
		double x = (double)total * share[i] / sum;
		out[i] = (size_t)x;
		rem[i] = x - (double)out[i];
		given += out[i];
	}
	while (given < total) {
		size_t best = 0;
		for (size_t i = 1; i < n; i++)
			if (rem[i] > rem[best])
				best = i;
		out[best]++;
		rem[best] = -1.0;
		given++;
	}
	for (size_t i = 0; i < n && total >= n; i++)
		while (out[i] == 0) {
			size_t big = 0;
			for (size_t k = 1; k < n; k++)
				if (out[k] > out[big])
					big = k;
			out[big]--;
			out[i]++;
		}
	free(rem);
}

static int cmp_by_id_ctx(const void *a, const void *b, const struct lmrec_synth_world *w)
{
	return strcmp(w->items[*(const uint32_t *)a].id, w->items[*(const uint32_t *)b].id);
}

/* Items sorted by id: an insertion-friendly merge sort (qsort has no context). */
static void sort_by_id(const struct lmrec_synth_world *w, uint32_t *a, uint32_t *tmp, size_t n)
{
	if (n < 2)
		return;
	size_t h = n / 2;
	sort_by_id(w, a, tmp, h);
	sort_by_id(w, a + h, tmp, n - h);
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n)
		tmp[k++] = cmp_by_id_ctx(&a[j], &a[i], w) < 0 ? a[j++] : a[i++];
	while (i < h)
		tmp[k++] = a[i++];
	while (j < n)
		tmp[k++] = a[j++];
	memcpy(a, tmp, n * sizeof *a);
}

void lmrec_synth_catalog(struct lmrec_synth_world *w)
{
	struct tables t = {lmrec_ids_new(), lmrec_ids_new(), lmrec_ids_new(), lmrec_ids_new()};
	for (size_t i = 0; i < NELEM(vocab_phrases); i++)
		lmrec_ids_intern(t.phrase, vocab_phrases[i][0], strlen(vocab_phrases[i][0]));
	for (size_t i = 0; i < NELEM(vocab_scenes); i++)
		lmrec_ids_intern(t.scene, vocab_scenes[i][0], strlen(vocab_scenes[i][0]));
	for (size_t i = 0; i < NELEM(vocab_lists); i++)
		lmrec_ids_intern(t.list, vocab_lists[i][0], strlen(vocab_lists[i][0]));
	check_vocab(&t);

	struct lmrec_rng rng;
	lmrec_rng_seed2(&rng, w->opt.seed, (uint64_t)LMREC_SYNTH_RNG_CATALOG << 32);

	/* categories and their sizes */
	size_t ncat = NELEM(vocab_cats);
	w->cats = lmrec_xcalloc(ncat, sizeof *w->cats);
	w->n_cats = ncat;
	static const double dom_share[LMREC_SYNTH_NDOMAINS] = {0.40, 0.25, 0.22, 0.13};
	size_t dom_n[LMREC_SYNTH_NDOMAINS];
	apportion(w->opt.n_items, dom_share, LMREC_SYNTH_NDOMAINS, dom_n);
	size_t *cat_n = lmrec_xcalloc(ncat, sizeof *cat_n);
	double *share = lmrec_xmalloc(ncat * sizeof *share);
	for (int d = 0; d < LMREC_SYNTH_NDOMAINS; d++) {
		size_t first = 0, n = 0;
		for (size_t k = 0; k < ncat; k++)
			if (vocab_cats[k].domain == d) {
				if (n == 0)
					first = k;
				share[n++] = vocab_cats[k].share;
			}
		apportion(dom_n[d], share, n, cat_n + first);
	}
	free(share);
	for (size_t k = 0; k < ncat; k++) {
		struct lmrec_synth_category *cat = &w->cats[k];
		cat->name = lmrec_xstrdup(vocab_cats[k].name);
		cat->domain = (uint32_t)vocab_cats[k].domain;
		cat->venue = vocab_cats[k].venue;
		cat->repeat = vocab_cats[k].repeat;
		char *f = lmrec_xasprintf("c.%s", cat->name);
		cat->feature = lmrec_ids_intern(w->feats, f, strlen(f));
		free(f);
	}

	/* ids: a shuffled number within the domain, so an id says nothing of the category */
	w->n_items = w->opt.n_items;
	w->items = lmrec_xcalloc(w->n_items, sizeof *w->items);
	uint32_t *num[LMREC_SYNTH_NDOMAINS];
	static const char *const prefix[LMREC_SYNTH_NDOMAINS] = {"shop", "video", "food", "place"};
	int width[LMREC_SYNTH_NDOMAINS];
	for (int d = 0; d < LMREC_SYNTH_NDOMAINS; d++) {
		num[d] = lmrec_xmalloc((dom_n[d] + 1) * sizeof *num[d]);
		for (size_t i = 0; i < dom_n[d]; i++)
			num[d][i] = (uint32_t)i + 1;
		lmrec_rng_shuffle_u32(&rng, num[d], dom_n[d]);
		width[d] = 4;
		for (size_t x = dom_n[d]; x >= 10000; x /= 10)
			width[d]++;
	}

	/* hidden factors shared by a brand's products */
	double (*brand_z)[LMREC_SYNTH_LATENT] = lmrec_xmalloc(NELEM(vocab_brands) * sizeof *brand_z);
	for (size_t b = 0; b < NELEM(vocab_brands); b++)
		for (int k = 0; k < LMREC_SYNTH_LATENT; k++)
			brand_z[b][k] = lmrec_synth_normal(&rng);

	struct venue_info *info = lmrec_xcalloc(w->n_items, sizeof *info);
	size_t at = 0, dom_at[LMREC_SYNTH_NDOMAINS] = {0}, n_venues = 0;
	for (size_t k = 0; k < ncat; k++)
		if (vocab_cats[k].venue)
			n_venues += cat_n[k];
	int32_t days = (int32_t)w->opt.days;
	for (size_t k = 0; k < ncat; k++) {
		int d = vocab_cats[k].domain;
		size_t nvar = 0;
		for (size_t v = 0; v < NELEM(vocab_variants); v++)
			nvar += strcmp(vocab_variants[v].cat, vocab_cats[k].name) == 0;
		w->cats[k].first = at;
		if (k == 0 || vocab_cats[k - 1].domain != d)
			w->dom_first[d] = at;
		for (size_t j = 0; j < cat_n[k]; j++, at++) {
			struct lmrec_synth_item *it = &w->items[at];
			struct comp c = {.rng = &rng, .t = &t, .domain = d, .cat = k};
			it->domain = (uint32_t)d;
			it->category = (uint32_t)k;
			it->region = -1;
			it->parent = UINT32_MAX;
			it->id = lmrec_xasprintf("%s-%0*u", prefix[d], width[d], num[d][dom_at[d]++]);
			if (nvar) {
				size_t pickv = (size_t)lmrec_rng_below(&rng, nvar);
				for (size_t v = 0; v < NELEM(vocab_variants); v++)
					if (strcmp(vocab_variants[v].cat, vocab_cats[k].name) == 0 && pickv-- == 0)
						c.var = &vocab_variants[v];
			}
			switch (d) {
			case LMREC_SYNTH_SHOP: make_shop(&c, it); break;
			case LMREC_SYNTH_VIDEO:
				apply_spec(&c, c.var->attrs);
				c.label = pick_s(&rng, c.var->label);
				it->title = unique_title(&c, mk(c.var->title));
				break;
			case LMREC_SYNTH_FOOD:
				if (vocab_cats[k].venue)
					make_venue(&c, it, &info[at]);
				else
					make_dish(w, &c, it, info, w->dom_first[d], n_venues);
				break;
			default: make_place(&c, it); break;
			}
			finish_attrs(w, &c, it);
			it->text = describe(&c, it->title);

			/* popularity, hidden factors, running time */
			it->pop = 1.1 * lmrec_synth_normal(&rng);
			double zb[LMREC_SYNTH_LATENT] = {0};
			if (d == LMREC_SYNTH_SHOP) {
				for (size_t b = 0; b < NELEM(vocab_brands); b++)
					if (eq(c.brand, vocab_brands[b].name))
						memcpy(zb, brand_z[b], sizeof zb);
			} else if (it->parent != UINT32_MAX) {
				memcpy(zb, w->items[it->parent].z, sizeof zb);
			}
			for (int q = 0; q < LMREC_SYNTH_LATENT; q++)
				it->z[q] = 0.6 * zb[q] + 0.8 * lmrec_synth_normal(&rng);
			if (d == LMREC_SYNTH_VIDEO) {
				struct slice len = get(&c, "length");
				uint32_t lo = 80, span = 70;
				if (eq(len, "short"))
					lo = 4, span = 11;
				else if (eq(len, "episode"))
					lo = 22, span = 34;
				it->minutes = lo + (uint32_t)lmrec_rng_below(&rng, span);
			}

			/* release and withdrawal: some items arrive late in the window
			 * (cold items), a few are discontinued (available=0) */
			double p_new = d == LMREC_SYNTH_PLACES ? 0.04 : d == LMREC_SYNTH_FOOD ? 0.06 : 0.13;
			it->end = days;
			if (days > 1 && lmrec_rng_double(&rng) < p_new) {
				it->release = 1 + (int32_t)lmrec_rng_below(&rng, (uint64_t)(days - 1));
			} else {
				it->release = -1 - (int32_t)lmrec_rng_below(&rng, 730);
				if (days >= 8 && lmrec_rng_double(&rng) < 0.035)
					it->end = days / 4 + (int32_t)lmrec_rng_below(&rng, (uint64_t)(days - days / 4 - days / 12));
			}
			it->released = w->opt.start + (int64_t)it->release * LMREC_SYNTH_DAY;
		}
		w->cats[k].end = at;
	}
	w->dom_first[LMREC_SYNTH_NDOMAINS] = at;
	/* a dish never outlives nor precedes its venue */
	for (size_t i = 0; i < w->n_items; i++) {
		struct lmrec_synth_item *it = &w->items[i];
		if (it->parent == UINT32_MAX)
			continue;
		const struct lmrec_synth_item *v = &w->items[it->parent];
		if (it->release < v->release) {
			it->release = v->release;
			it->released = v->released;
		}
		if (it->end > v->end)
			it->end = v->end;
		if (it->end <= it->release) { /* released after its venue closed: an old dish */
			it->release = v->release;
			it->released = v->released;
		}
	}

	w->by_id = lmrec_xmalloc((w->n_items + 1) * sizeof *w->by_id);
	uint32_t *tmp = lmrec_xmalloc((w->n_items + 1) * sizeof *tmp);
	for (size_t i = 0; i < w->n_items; i++)
		w->by_id[i] = (uint32_t)i;
	sort_by_id(w, w->by_id, tmp, w->n_items);
	free(tmp);

	free(info);
	free(brand_z);
	for (int d = 0; d < LMREC_SYNTH_NDOMAINS; d++)
		free(num[d]);
	free(cat_n);
	lmrec_ids_free(t.phrase);
	lmrec_ids_free(t.scene);
	lmrec_ids_free(t.list);
	lmrec_ids_free(t.titles);
}

const char *lmrec_synth_key_order(uint32_t domain)
{
	return domain < LMREC_SYNTH_NDOMAINS ? vocab_key_order[domain] : "";
}

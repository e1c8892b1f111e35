/* lmrec — the state of a conversation (see dialog.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dialog.h"
#include "tsv.h"
#include "util.h"

void lmrec_dialog_defaults(struct lmrec_dialog_params *p)
{
	*p = (struct lmrec_dialog_params){.cf_weight = 0.5, .conflict = 1.0, .hard = 0.8, .pool = 50,
					  .temperature = 1.0, .ask_category = 0};
}

struct lmrec_dialog *lmrec_dialog_new(const struct lmrec_slotvocab *v, const struct lmrec_dialog_params *p)
{
	struct lmrec_dialog *d = lmrec_xcalloc(1, sizeof *d);
	size_t n = v->cat->n, nv = lmrec_ids_count(v->cat->values);
	d->v = v;
	d->p = *p;
	d->asked = lmrec_xcalloc(v->nkeys + 2, 1);
	d->shown = lmrec_xcalloc(n + 1, 1);
	d->score = lmrec_xcalloc(n + 1, sizeof *d->score);
	d->order = lmrec_xcalloc(n + 1, sizeof *d->order);
	d->nmass = (nv > v->ncat ? nv : v->ncat) + 1;
	d->mass = lmrec_xcalloc(d->nmass, sizeof *d->mass);
	d->touched = lmrec_xcalloc(d->nmass, sizeof *d->touched);
	d->last.key = -1;
	return d;
}

void lmrec_dialog_free(struct lmrec_dialog *d)
{
	if (!d)
		return;
	lmrec_slots_free(&d->state);
	free(d->asked);
	free(d->shown);
	free(d->score);
	free(d->order);
	free(d->mass);
	free(d->touched);
	free(d);
}

void lmrec_dialog_start(struct lmrec_dialog *d, const float *cf)
{
	lmrec_slots_clear(&d->state);
	memset(d->asked, 0, d->v->nkeys + 2);
	memset(d->shown, 0, d->v->cat->n + 1);
	d->cf = cf;
	d->norder = 0;
	d->questions = 0;
	d->last = (struct lmrec_question){.key = -1, .pair = -1};
}

/* The key a slot speaks of: a key index, nkeys for categories, nkeys + 1
 * for domains. */
static size_t slot_topic(const struct lmrec_slotvocab *v, const struct lmrec_slot *x)
{
	switch (x->kind) {
	case LMREC_SLOT_PAIR: return v->pair_key[x->id];
	case LMREC_SLOT_KEY: return x->id;
	case LMREC_SLOT_CATEGORY: return v->nkeys;
	default: return v->nkeys + 1;
	}
}

int lmrec_dialog_settled(const struct lmrec_dialog *d, size_t key)
{
	if (d->asked[key])
		return 1;
	for (size_t i = 0; i < d->state.n; i++) {
		const struct lmrec_slot *x = &d->state.s[i];
		if (slot_topic(d->v, x) == key && x->pol != LMREC_POL_NEG)
			return 1;
	}
	return 0;
}

/* Applies the slots t[0..n) to the state, each key they speak of
 * replacing what the state held on it. */
static void merge(struct lmrec_dialog *d, const struct lmrec_slot *t, size_t n)
{
	const struct lmrec_slotvocab *v = d->v;
	struct lmrec_slots *st = &d->state;
	for (size_t i = 0; i < st->n;) {
		size_t topic = slot_topic(v, &st->s[i]);
		int replaced = 0;
		for (size_t j = 0; j < n && !replaced; j++)
			replaced = slot_topic(v, &t[j]) == topic;
		if (replaced)
			memmove(st->s + i, st->s + i + 1, (st->n - i - 1) * sizeof *st->s), st->n--;
		else
			i++;
	}
	for (size_t j = 0; j < n; j++)
		lmrec_slots_put(st, &t[j]);
}

/* The slot that a yes, no or either answers to the question q. */
static int answer_slot(const struct lmrec_dialog *d, const struct lmrec_question *q, unsigned answer,
		       struct lmrec_slot *x)
{
	const struct lmrec_slotvocab *v = d->v;
	int category = q->key == (int64_t)v->nkeys;
	*x = (struct lmrec_slot){category ? LMREC_SLOT_CATEGORY : LMREC_SLOT_PAIR, LMREC_POL_POS, LMREC_SRC_EXACT,
				 0, 1.0f};
	if (answer & (LMREC_ANS_YES | LMREC_ANS_NO)) {
		int yes = (answer & LMREC_ANS_YES) != 0;
		if (q->pair >= 0) { /* "Would you like it vegan?" */
			x->id = (uint32_t)q->pair;
			x->pol = yes ? LMREC_POL_POS : LMREC_POL_NEG;
			return 1;
		}
		if (!category && v->key_yesno[q->key]) {
			int64_t val = yes ? v->yes_value : v->no_value;
			int64_t p = val >= 0 ? lmrec_slotvocab_pair(v, (uint32_t)q->key, (uint32_t)val) : -1;
			if (p < 0)
				return 0;
			x->id = (uint32_t)p;
			return 1;
		}
		return 0; /* yes or no to "which colour?" says nothing */
	}
	if (answer & LMREC_ANS_EITHER) {
		x->kind = category ? LMREC_SLOT_CATEGORY : LMREC_SLOT_KEY;
		x->pol = LMREC_POL_ANY;
		x->id = category ? 0 : (uint32_t)q->key;
		return 1;
	}
	return 0;
}

void lmrec_dialog_turn(struct lmrec_dialog *d, const struct lmrec_slots *t)
{
	const struct lmrec_slotvocab *v = d->v;
	struct lmrec_question q = d->last;
	d->last.key = -1;
	if (q.key >= 0) {
		int resolved = 0;
		for (size_t i = 0; i < t->n && !resolved; i++)
			resolved = slot_topic(v, &t->s[i]) == (size_t)q.key;
		struct lmrec_slot x;
		if (!resolved && answer_slot(d, &q, t->answer, &x))
			merge(d, &x, 1);
	}
	merge(d, t->s, t->n);
	for (size_t i = 0; i < t->nmention; i++)
		d->shown[t->mention[i]] = 1;
	for (size_t at = 0; at < t->slen;) {
		const char *comma = memchr(t->scenario + at, ',', t->slen - at);
		size_t end = comma ? (size_t)(comma - t->scenario) : t->slen;
		lmrec_slots_add_scenario(&d->state, t->scenario + at, end - at);
		at = end + 1;
	}
}

/* ---- ranking ---- */

struct rank_ctx {
	const float *score;
	const uint32_t *byte_order;
};

static int cmp_rank(const void *pa, const void *pb, const struct rank_ctx *c)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	if (c->score[a] != c->score[b])
		return c->score[a] > c->score[b] ? -1 : 1;
	return c->byte_order[a] < c->byte_order[b] ? -1 : c->byte_order[a] > c->byte_order[b];
}

/* A merge sort with a context (qsort has none, and no file-scope state is
 * allowed); stable. */
static void sort_rank(uint32_t *a, uint32_t *tmp, size_t n, const struct rank_ctx *c)
{
	if (n < 2)
		return;
	size_t h = n / 2;
	sort_rank(a, tmp, h, c);
	sort_rank(a + h, tmp, n - h, c);
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n)
		tmp[k++] = cmp_rank(&a[j], &a[i], c) < 0 ? a[j++] : a[i++];
	while (i < h)
		tmp[k++] = a[i++];
	while (j < n)
		tmp[k++] = a[j++];
	memcpy(a, tmp, n * sizeof *a);
}

/* Scores the catalog with categories and domains of weight >= hard as
 * filters; returns the number of items that pass the filters, shown or
 * not. */
static size_t rank_pass(struct lmrec_dialog *d, double hard)
{
	const struct lmrec_slotvocab *v = d->v;
	const struct lmrec_catalog *c = v->cat;
	const struct lmrec_slots *st = &d->state;
	const struct lmrec_dialog_params *p = &d->p;
	int hard_cat = 0, hard_dom = 0;
	for (size_t s = 0; s < st->n; s++) {
		const struct lmrec_slot *x = &st->s[s];
		if (x->pol == LMREC_POL_POS && x->weight >= hard) {
			hard_cat |= x->kind == LMREC_SLOT_CATEGORY;
			hard_dom |= x->kind == LMREC_SLOT_DOMAIN;
		}
	}
	d->norder = 0;
	size_t passing = 0;
	for (size_t i = 0; i < c->n; i++) {
		d->score[i] = NAN;
		if (!c->available[i])
			continue;
		int cat_ok = !hard_cat, dom_ok = !hard_dom, out = 0;
		double s = 0;
		for (size_t k = 0; k < st->n && !out; k++) {
			const struct lmrec_slot *x = &st->s[k];
			if (x->pol == LMREC_POL_ANY)
				continue;
			int in;
			switch (x->kind) {
			case LMREC_SLOT_CATEGORY: in = c->category[i] == (int32_t)x->id; break;
			case LMREC_SLOT_DOMAIN: in = c->domain[i] == (int32_t)x->id; break;
			case LMREC_SLOT_PAIR: in = lmrec_slotvocab_item_has(v, (uint32_t)i, x->id); break;
			default: continue;
			}
			if (x->pol == LMREC_POL_NEG) {
				out = in;
				continue;
			}
			if (x->kind == LMREC_SLOT_PAIR)
				continue; /* below, by key */
			if (x->weight >= hard) {
				if (x->kind == LMREC_SLOT_CATEGORY)
					cat_ok |= in;
				else
					dom_ok |= in;
			} else if (in) {
				s += x->weight;
			}
		}
		if (out || !cat_ok || !dom_ok)
			continue;
		passing++;
		if (d->shown[i])
			continue;
		/* wanted values, a key at a time */
		s += lmrec_slots_pair_score(v, st, (uint32_t)i, p->conflict, NULL);
		if (d->cf)
			s += p->cf_weight * d->cf[i];
		d->score[i] = (float)s;
		d->order[d->norder++] = (uint32_t)i;
	}
	return passing;
}

void lmrec_dialog_rank(struct lmrec_dialog *d)
{
	/* filters that leave nothing (soups from a shop) are relaxed; not
	 * filters that leave only items already shown */
	if (rank_pass(d, d->p.hard) == 0)
		rank_pass(d, INFINITY);
	uint32_t *tmp = lmrec_xmalloc((d->norder + 1) * sizeof *tmp);
	struct rank_ctx ctx = {d->score, d->v->cat->order};
	sort_rank(d->order, tmp, d->norder, &ctx);
	free(tmp);
}

void lmrec_dialog_show(struct lmrec_dialog *d, size_t n)
{
	for (size_t k = 0; k < n && k < d->norder; k++)
		d->shown[d->order[k]] = 1;
}

/* ---- the question ---- */

/* Softmax weights of the pool into w (m). */
static size_t pool_weights(const struct lmrec_dialog *d, double *w)
{
	size_t m = d->norder < d->p.pool ? d->norder : d->p.pool;
	if (m == 0)
		return 0;
	double top = d->score[d->order[0]], sum = 0, t = d->p.temperature > 0 ? d->p.temperature : 1;
	for (size_t k = 0; k < m; k++) {
		w[k] = exp(((double)d->score[d->order[k]] - top) / t);
		sum += w[k];
	}
	for (size_t k = 0; k < m; k++)
		w[k] /= sum;
	return m;
}

/* The distribution of key's values (nkeys: categories) over the pool
 * weighted by w (m) into d->mass / d->touched (an item with several
 * values gives each an equal part of its weight); returns the number of
 * values touched, the mass of the items without a value in *none, and
 * the sum of a log2 a over every part a in *alog. */
static size_t key_mass(struct lmrec_dialog *d, size_t key, const double *w, size_t m, double *none, double *alog)
{
	const struct lmrec_slotvocab *v = d->v;
	size_t nt = 0;
	*none = 0;
	*alog = 0;
	for (size_t k = 0; k < m; k++) {
		uint32_t i = d->order[k];
		if (key == v->nkeys) {
			if (v->cat->category[i] < 0) {
				*none += w[k];
				continue;
			}
			uint32_t cat = (uint32_t)v->cat->category[i];
			if (d->mass[cat] == 0)
				d->touched[nt++] = cat;
			d->mass[cat] += w[k];
			*alog += w[k] > 0 ? w[k] * log2(w[k]) : 0;
			continue;
		}
		size_t cnt = 0;
		for (uint64_t q = v->item_pair_ptr[i]; q < v->item_pair_ptr[i + 1]; q++)
			cnt += v->pair_key[v->item_pair[q]] == key;
		if (cnt == 0) {
			*none += w[k];
			continue;
		}
		double a = w[k] / (double)cnt;
		for (uint64_t q = v->item_pair_ptr[i]; q < v->item_pair_ptr[i + 1]; q++) {
			uint32_t pr = v->item_pair[q];
			if (v->pair_key[pr] != key)
				continue;
			uint32_t val = v->pair_val[pr];
			if (d->mass[val] == 0)
				d->touched[nt++] = val;
			d->mass[val] += a;
			*alog += a > 0 ? a * log2(a) : 0;
		}
	}
	return nt;
}

static void mass_reset(struct lmrec_dialog *d, size_t nt)
{
	for (size_t k = 0; k < nt; k++)
		d->mass[d->touched[k]] = 0;
}

/* The expected information gain of the answer, in bits: the entropy of
 * the candidates H(C) less its expected value after the answer. An answer
 * naming value v leaves the candidates with v, weighted by w_i a_i(v) (a_i
 * the part of i's weight on v); "no value" (either, don't mind) leaves
 * them as they were. So
 *   gain = H(C) - sum_v P(v) H(C | v) - P(none) H(C)
 *        = (1 - P(none)) H(C) + sum_i,v a log2 a - sum_v P(v) log2 P(v)
 * which is the entropy of the values, H(A), when every candidate has
 * exactly one value, and less than H(A) by what a "no value" answer
 * would have told when some have none. */
static double key_gain(const struct lmrec_dialog *d, size_t nt, double none, double alog, double hc)
{
	double g = (1 - none) * hc + alog;
	for (size_t k = 0; k < nt; k++) {
		double q = d->mass[d->touched[k]];
		if (q > 0)
			g -= q * log2(q);
	}
	return g > 1e-12 ? g : 0;
}

/* H(C) of the pool's weights w (m). */
static double pool_entropy(const double *w, size_t m)
{
	double h = 0;
	for (size_t k = 0; k < m; k++)
		if (w[k] > 0)
			h -= w[k] * log2(w[k]);
	return h;
}

static int askable(const struct lmrec_dialog *d, size_t key)
{
	if (key == d->v->nkeys)
		return d->p.ask_category && !lmrec_dialog_settled(d, key);
	return !d->v->key_ref[key] && !lmrec_dialog_settled(d, key);
}

double lmrec_dialog_gain(struct lmrec_dialog *d, size_t key)
{
	double *w = lmrec_xmalloc((d->p.pool + 1) * sizeof *w);
	size_t m = pool_weights(d, w);
	double none, alog;
	size_t nt = key_mass(d, key, w, m, &none, &alog);
	double g = key_gain(d, nt, none, alog, pool_entropy(w, m));
	mass_reset(d, nt);
	free(w);
	return g;
}

/* The values of the question, by share; the order of equal shares is the
 * names' byte order. */
static void list_values(struct lmrec_dialog *d, size_t key, size_t nt, struct lmrec_question *q)
{
	const struct lmrec_ids *names = key == d->v->nkeys ? d->v->cat->categories : d->v->cat->values;
	/* selection of the best LMREC_DIALOG_LIST, in order */
	q->nvalues = 0;
	q->more = 0;
	for (size_t r = 0; r < nt; r++) {
		uint32_t x = d->touched[r];
		size_t at = q->nvalues;
		while (at > 0) {
			uint32_t y = q->values[at - 1];
			int better = d->mass[x] > d->mass[y] ||
				     (d->mass[x] == d->mass[y] && lmrec_ids_cmp(names, x, y) < 0);
			if (!better)
				break;
			at--;
		}
		if (at >= LMREC_DIALOG_LIST) {
			q->more = 1;
			continue;
		}
		if (q->nvalues == LMREC_DIALOG_LIST) {
			q->more = 1;
			q->nvalues--;
		}
		memmove(q->values + at + 1, q->values + at, (q->nvalues - at) * sizeof *q->values);
		q->values[at] = x;
		q->nvalues++;
	}
	if (q->more && q->nvalues == LMREC_DIALOG_LIST)
		q->nvalues--; /* "a, b, c or something else" */
}

int lmrec_dialog_ask(struct lmrec_dialog *d, enum lmrec_ask mode, struct lmrec_rng *rng, struct lmrec_question *q)
{
	const struct lmrec_slotvocab *v = d->v;
	*q = (struct lmrec_question){.key = -1, .pair = -1};
	if (mode == LMREC_ASK_NONE)
		return 0;
	double *w = lmrec_xmalloc((d->p.pool + 1) * sizeof *w);
	size_t m = pool_weights(d, w);
	if (m == 0) {
		free(w);
		return 0;
	}
	int64_t best = -1;
	double bestgain = 0, hc = pool_entropy(w, m);
	size_t nelig = 0;
	for (size_t key = 0; key <= v->nkeys; key++) {
		if (!askable(d, key))
			continue;
		double none, alog;
		size_t nt = key_mass(d, key, w, m, &none, &alog);
		double h = key_gain(d, nt, none, alog, hc);
		mass_reset(d, nt);
		if (mode == LMREC_ASK_INFOGAIN) {
			if (h > bestgain + 1e-12) {
				bestgain = h;
				best = (int64_t)key;
			}
		} else if (nt > 0) {
			/* random: a key some candidate has; reservoir sampling */
			nelig++;
			if (lmrec_rng_below(rng, nelig) == 0) {
				best = (int64_t)key;
				bestgain = h;
			}
		}
	}
	if (best >= 0) {
		double none, alog;
		size_t nt = key_mass(d, (size_t)best, w, m, &none, &alog);
		q->key = best;
		q->gain = bestgain;
		list_values(d, (size_t)best, nt, q);
		mass_reset(d, nt);
		/* one value among the candidates: a yes/no question about it */
		if (q->nvalues == 1 && !q->more && (best == (int64_t)v->nkeys || !v->key_yesno[best])) {
			q->pair = best == (int64_t)v->nkeys
					  ? (int64_t)q->values[0]
					  : lmrec_slotvocab_pair(v, (uint32_t)best, q->values[0]);
		}
		d->asked[best] = 1;
		d->last = *q;
		d->questions++;
	}
	free(w);
	return best >= 0;
}

/* ---- words ---- */

static void add(char **s, size_t *len, size_t *cap, const char *t)
{
	size_t n = strlen(t);
	LMREC_GROW(*s, *cap, *len + n + 1);
	memcpy(*s + *len, t, n + 1);
	*len += n;
}

char *lmrec_dialog_phrase(const struct lmrec_slotvocab *v, const struct lmrec_question *q)
{
	char *s = NULL;
	size_t len = 0, cap = 0;
	add(&s, &len, &cap, "");
	if (q->key < 0)
		return s;
	int category = q->key == (int64_t)v->nkeys;
	if (!category && v->key_yesno[q->key]) {
		add(&s, &len, &cap, "Do you need it ");
		add(&s, &len, &cap, v->key_text[q->key]);
		add(&s, &len, &cap, "?");
		return s;
	}
	if (q->pair >= 0) {
		add(&s, &len, &cap, category ? "Are you looking for " : "Would you like it ");
		add(&s, &len, &cap, category ? v->cat_text[q->pair] : v->val_text[v->pair_val[q->pair]]);
		add(&s, &len, &cap, "?");
		return s;
	}
	if (category) {
		add(&s, &len, &cap, "What kind would you like");
	} else {
		add(&s, &len, &cap, "Which ");
		add(&s, &len, &cap, v->key_text[q->key]);
		add(&s, &len, &cap, " would you like");
	}
	for (size_t k = 0; k < q->nvalues; k++) {
		add(&s, &len, &cap, k == 0 ? ": " : k + 1 == q->nvalues && !q->more ? " or " : ", ");
		add(&s, &len, &cap, category ? v->cat_text[q->values[k]] : v->val_text[q->values[k]]);
	}
	if (q->more)
		add(&s, &len, &cap, q->nvalues ? " or something else" : "");
	add(&s, &len, &cap, "?");
	return s;
}

size_t lmrec_dialog_reason(const struct lmrec_dialog *d, uint32_t i, size_t max, struct lmrec_out *o)
{
	const struct lmrec_slotvocab *v = d->v;
	size_t n = 0;
	for (size_t k = 0; k < d->state.n && n < max; k++) {
		const struct lmrec_slot *x = &d->state.s[k];
		if (x->kind != LMREC_SLOT_PAIR || x->pol != LMREC_POL_POS || !lmrec_slotvocab_item_has(v, i, x->id))
			continue;
		/* the same words twice (two keys with one value name) once */
		int dup = 0;
		for (size_t j = 0; j < k && !dup; j++) {
			const struct lmrec_slot *y = &d->state.s[j];
			dup = y->kind == LMREC_SLOT_PAIR && y->pol == LMREC_POL_POS && lmrec_slotvocab_item_has(v, i, y->id) &&
			      v->pair_val[y->id] == v->pair_val[x->id] && !v->key_yesno[v->pair_key[x->id]];
		}
		if (dup)
			continue;
		if (n++)
			lmrec_out_str(o, ", ");
		uint32_t key = v->pair_key[x->id];
		const char *t;
		if (v->key_yesno[key]) {
			if ((int64_t)v->pair_val[x->id] != v->yes_value)
				lmrec_out_str(o, "not ");
			t = v->key_text[key];
		} else {
			t = v->val_text[v->pair_val[x->id]];
		}
		lmrec_out_field(o, t, strlen(t));
	}
	return n;
}

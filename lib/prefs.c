/* lmrec — the profile store's preferences as boosts and deny-lists
 * (prefs.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prefs.h"
#include "tsv.h"
#include "util.h"

static int is(const char *p, size_t n, const char *s) { return strlen(s) == n && memcmp(p, s, n) == 0; }

void lmrec_prefs_init(struct lmrec_prefs *pf, const struct lmrec_catalog *c)
{
	memset(pf, 0, sizeof *pf);
	pf->cat = c;
	pf->users = lmrec_ids_new();
	pf->items = lmrec_ids_new();
}

void lmrec_prefs_free(struct lmrec_prefs *pf)
{
	if (!pf->users)
		return;
	for (size_t k = 0; k < lmrec_ids_count(pf->users); k++) {
		free(pf->u[k].p);
		free(pf->u[k].blocked);
	}
	free(pf->u);
	lmrec_ids_free(pf->users);
	lmrec_ids_free(pf->items);
	memset(pf, 0, sizeof *pf);
}

static struct lmrec_prefs_user *user_of(struct lmrec_prefs *pf, const char *user, size_t ulen)
{
	uint32_t k = lmrec_ids_intern(pf->users, user, ulen);
	if ((size_t)k >= pf->ucap) {
		size_t old = pf->ucap, cap = old ? old * 2 : 64;
		while (cap <= (size_t)k)
			cap *= 2;
		pf->u = lmrec_xreallocarray(pf->u, cap, sizeof *pf->u);
		memset(pf->u + old, 0, (cap - old) * sizeof *pf->u);
		pf->ucap = cap;
	}
	return &pf->u[k];
}

int lmrec_prefs_add(struct lmrec_prefs *pf, const char *user, size_t ulen, const char *kind, size_t klen,
		    const char *key, size_t keylen, double weight, const char **why, int *col)
{
	if (ulen == 0) {
		*why = "empty id";
		*col = 0;
		return -1;
	}
	int attr = is(kind, klen, "attr"), blocked = is(kind, klen, "blocked");
	if (!attr && !blocked && !is(kind, klen, "category") && !is(kind, klen, "domain") &&
	    !is(kind, klen, "habit")) {
		*why = "not a kind of the profile store (category, attr, domain, habit, blocked)";
		*col = 1;
		return -1;
	}
	if (!isfinite(weight)) {
		*why = "not a finite number";
		*col = 3;
		return -1;
	}
	if (blocked) {
		if (keylen == 0) {
			*why = "empty item id";
			*col = 2;
			return -1;
		}
		uint32_t it = lmrec_ids_intern(pf->items, key, keylen);
		struct lmrec_prefs_user *u = user_of(pf, user, ulen);
		LMREC_GROW(u->blocked, u->bcap, u->nb + 1);
		u->blocked[u->nb++] = it;
		return 0;
	}
	if (!attr)
		return 0;
	const char *eq = memchr(key, '=', keylen);
	if (!eq || eq == key) {
		*why = "not key=value";
		*col = 2;
		return -1;
	}
	int64_t k = lmrec_ids_find(pf->cat->keys, key, (size_t)(eq - key));
	int64_t v = lmrec_ids_find(pf->cat->values, eq + 1, keylen - (size_t)(eq - key) - 1);
	if (k < 0 || v < 0)
		return 0; /* a pair the catalog no longer has */
	struct lmrec_prefs_user *u = user_of(pf, user, ulen);
	LMREC_GROW(u->p, u->pcap, u->np + 1);
	u->p[u->np++] = (struct lmrec_prefs_pair){(uint32_t)k, (uint32_t)v, weight};
	if (fabs(weight) > u->wmax)
		u->wmax = fabs(weight);
	return 0;
}

void lmrec_prefs_load(struct lmrec_prefs *pf, const char *path)
{
	struct lmrec_tsv *r = lmrec_tsv_open(path);
	size_t cols[4] = {lmrec_tsv_col(r, "user"), lmrec_tsv_col(r, "kind"), lmrec_tsv_col(r, "key"),
			  lmrec_tsv_col(r, "weight")};
	while (lmrec_tsv_read(r)) {
		struct lmrec_field u = lmrec_tsv_field(r, cols[0]), k = lmrec_tsv_field(r, cols[1]);
		struct lmrec_field y = lmrec_tsv_field(r, cols[2]), w = lmrec_tsv_field(r, cols[3]);
		if (w.len == 0)
			lmrec_tsv_die(r, cols[3], "empty weight");
		double x = lmrec_tsv_f64(r, cols[3]);
		const char *why;
		int col;
		if (lmrec_prefs_add(pf, u.p, u.len, k.p, k.len, y.p, y.len, x, &why, &col) != 0) {
			struct lmrec_field f = lmrec_tsv_field(r, cols[col]);
			if (f.len == 0)
				lmrec_tsv_die(r, cols[col], "%s", why);
			lmrec_tsv_die(r, cols[col], "'%.*s' is %s", (int)(f.len > 40 ? 40 : f.len), f.p, why);
		}
	}
	lmrec_tsv_close(r);
}

const struct lmrec_prefs_user *lmrec_prefs_find(const struct lmrec_prefs *pf, const char *user, size_t len)
{
	if (!pf->users)
		return NULL;
	int64_t k = lmrec_ids_find(pf->users, user, len);
	return k < 0 ? NULL : &pf->u[k];
}

double lmrec_prefs_boost(const struct lmrec_prefs *pf, const struct lmrec_prefs_user *u, uint32_t i,
			 double unit)
{
	if (!u || u->wmax == 0 || unit == 0)
		return 0;
	double sum = 0;
	for (size_t j = 0; j < u->np; j++)
		if (lmrec_catalog_has(pf->cat, i, u->p[j].key, u->p[j].value))
			sum += u->p[j].weight;
	return unit * sum / u->wmax;
}

/* Compares pairs a and b of the catalog by their KEY=VALUE text. */
static int pair_cmp(const struct lmrec_catalog *c, const struct lmrec_prefs_pair *a,
		    const struct lmrec_prefs_pair *b)
{
	size_t la, lb;
	const char *sa = lmrec_ids_str(c->keys, a->key, &la), *sb = lmrec_ids_str(c->keys, b->key, &lb);
	int r = memcmp(sa, sb, la < lb ? la : lb);
	if (r || la != lb)
		return r ? r : (la < lb ? -1 : 1);
	sa = lmrec_ids_str(c->values, a->value, &la);
	sb = lmrec_ids_str(c->values, b->value, &lb);
	r = memcmp(sa, sb, la < lb ? la : lb);
	return r ? r : (la < lb ? -1 : la > lb);
}

static void put(char **buf, size_t *len, size_t *cap, const char *s, size_t n, int decode)
{
	LMREC_GROW(*buf, *cap, *len + n + 1);
	if (decode)
		*len += lmrec_tsv_unescape(*buf + *len, s, n);
	else {
		memcpy(*buf + *len, s, n);
		*len += n;
	}
	(*buf)[*len] = '\0';
}

int lmrec_prefs_reason(const struct lmrec_prefs *pf, const struct lmrec_prefs_user *u, uint32_t i, double unit,
		       char **buf, size_t *len, size_t *cap)
{
	if (!u || u->wmax == 0 || unit == 0)
		return 0;
	const struct lmrec_catalog *c = pf->cat;
	/* the best two pairs that weigh, and how many weigh; a pair given
	 * twice is one pair, its weights summed */
	struct lmrec_prefs_pair best[2];
	size_t nbest = 0, nhit = 0;
	for (size_t j = 0; j < u->np; j++) {
		const struct lmrec_prefs_pair *q = &u->p[j];
		if (!lmrec_catalog_has(c, i, q->key, q->value))
			continue;
		size_t e = 0;
		while (e < j && !(u->p[e].key == q->key && u->p[e].value == q->value))
			e++;
		if (e < j)
			continue; /* counted with its first entry */
		struct lmrec_prefs_pair x = *q;
		for (size_t f = j + 1; f < u->np; f++)
			if (u->p[f].key == q->key && u->p[f].value == q->value)
				x.weight += u->p[f].weight;
		x.weight = unit * x.weight / u->wmax;
		if (x.weight == 0)
			continue;
		nhit++;
		/* insert into best[] by |boost| descending, then text */
		size_t at = nbest;
		while (at > 0 && (fabs(best[at - 1].weight) < fabs(x.weight) ||
				  (fabs(best[at - 1].weight) == fabs(x.weight) && pair_cmp(c, &best[at - 1], &x) > 0)))
			at--;
		if (at >= 2)
			continue;
		if (nbest == 2)
			nbest = 1;
		for (size_t m = nbest; m > at; m--)
			best[m] = best[m - 1];
		best[at] = x;
		nbest++;
	}
	if (nhit == 0)
		return 0;
	put(buf, len, cap, "your profile: ", 14, 0);
	for (size_t m = 0; m < nbest; m++) {
		if (m)
			put(buf, len, cap, ", ", 2, 0);
		const char *verb = best[m].weight > 0 ? "likes " : "dislikes ";
		put(buf, len, cap, verb, strlen(verb), 0);
		size_t n;
		const char *s = lmrec_ids_str(c->keys, best[m].key, &n);
		put(buf, len, cap, s, n, 1);
		put(buf, len, cap, "=", 1, 0);
		s = lmrec_ids_str(c->values, best[m].value, &n);
		put(buf, len, cap, s, n, 1);
		char num[64];
		int k = snprintf(num, sizeof num, " (%+.3g)", best[m].weight);
		put(buf, len, cap, num, (size_t)k, 0);
	}
	if (nhit > nbest) {
		char more[64];
		int k = snprintf(more, sizeof more, " and %zu more", nhit - nbest);
		put(buf, len, cap, more, (size_t)k, 0);
	}
	return 1;
}

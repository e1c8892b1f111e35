/* lmrec — strings of the synthetic vocabularies: slices of '|'- or
 * '/'-separated alternatives and a growing string buffer.
 *
 * Internal to lib/synth_*.c (the catalog and the conversations compose
 * their text with these); not part of the library's API. */
#ifndef LMREC_SYNTH_STR_H
#define LMREC_SYNTH_STR_H

#include <stddef.h>
#include <string.h>

#include "rng.h"
#include "util.h"

/* The number of elements of an array (not a pointer). */
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* A piece of a longer string: n bytes at p, not NUL-terminated. */
struct slice {
	const char *p;
	size_t n;
};

static inline struct slice mk(const char *s) { return (struct slice){s, strlen(s)}; }
static inline int eq(struct slice a, const char *s) { return strlen(s) == a.n && memcmp(a.p, s, a.n) == 0; }

/* A string being built; p is NUL-terminated once anything was added. */
struct sb {
	char *p;
	size_t len, cap;
};

static inline void sb_add(struct sb *b, const char *p, size_t n)
{
	if (n == 0 && b->p)
		return;
	LMREC_GROW(b->p, b->cap, b->len + n + 1);
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}
static inline void sb_str(struct sb *b, const char *s) { sb_add(b, s, strlen(s)); }
static inline void sb_sl(struct sb *b, struct slice s) { sb_add(b, s.p, s.n); }
static inline char *sb_dup(const struct sb *b) { return lmrec_xstrndup(b->p ? b->p : "", b->len); }

/* A typo in one word of five letters or more: two letters swapped, one
 * dropped or one doubled (three draws of r, or none without such a word). */
static inline void sb_typo(struct lmrec_rng *r, struct sb *b)
{
	size_t cand[64], n = 0;
	for (size_t i = 0; i < b->len && n < NELEM(cand);) {
		size_t j = i;
		while (j < b->len && ((b->p[j] >= 'a' && b->p[j] <= 'z') || (b->p[j] >= 'A' && b->p[j] <= 'Z')))
			j++;
		if (j - i >= 5)
			cand[n++] = i;
		i = j > i ? j : j + 1;
	}
	if (n == 0)
		return;
	size_t at = cand[lmrec_rng_below(r, n)] + 1 + (size_t)lmrec_rng_below(r, 3); /* inside the word */
	switch (lmrec_rng_below(r, 3)) {
	case 0: {
		char t = b->p[at];
		b->p[at] = b->p[at + 1];
		b->p[at + 1] = t;
		break;
	}
	case 1:
		memmove(b->p + at, b->p + at + 1, b->len - at);
		b->len--;
		break;
	default:
		LMREC_GROW(b->p, b->cap, b->len + 2);
		memmove(b->p + at + 1, b->p + at, b->len - at + 1);
		b->len++;
		break;
	}
}

/* Case as people type it (one draw of r): below capital, a capital first;
 * else below lower, all lower case; else as written. */
static inline void sb_casing(struct lmrec_rng *r, struct sb *b, double capital, double lower)
{
	double u = lmrec_rng_double(r);
	if (u < capital) {
		if (b->len && b->p[0] >= 'a' && b->p[0] <= 'z')
			b->p[0] = (char)(b->p[0] - 'a' + 'A');
	} else if (u < lower) {
		for (size_t i = 0; i < b->len; i++)
			if (b->p[i] >= 'A' && b->p[i] <= 'Z')
				b->p[i] = (char)(b->p[i] - 'A' + 'a');
	}
}

/* Number of sep-separated parts of s, and part i (empty past the end). */
static inline size_t parts(struct slice s, char sep)
{
	size_t k = 1;
	for (size_t i = 0; i < s.n; i++)
		k += s.p[i] == sep;
	return k;
}
static inline struct slice part(struct slice s, char sep, size_t i)
{
	size_t beg = 0, k = 0;
	for (size_t j = 0; j <= s.n; j++)
		if (j == s.n || s.p[j] == sep) {
			if (k++ == i)
				return (struct slice){s.p + beg, j - beg};
			beg = j + 1;
		}
	return (struct slice){s.p + s.n, 0};
}
/* One part drawn uniformly. */
static inline struct slice pick(struct lmrec_rng *r, struct slice s, char sep)
{
	return part(s, sep, (size_t)lmrec_rng_below(r, parts(s, sep)));
}
static inline struct slice pick_s(struct lmrec_rng *r, const char *s) { return pick(r, mk(s), '|'); }

#endif

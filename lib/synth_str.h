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

/* lmrec — Unicode characters (see unicode.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unicode.h"
#include "util.h"

#include "unicode_tab.h"

_Static_assert(UC_DECOMP_MAX <= LMREC_UC_DECOMP_MAX, "a decomposition longer than unicode.h allows");

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Hangul syllables: their decomposition is arithmetic (Unicode §3.12). */
enum {
	H_SBASE = 0xAC00,
	H_LBASE = 0x1100,
	H_VBASE = 0x1161,
	H_TBASE = 0x11A7,
	H_LCOUNT = 19,
	H_VCOUNT = 21,
	H_TCOUNT = 28,
	H_NCOUNT = H_VCOUNT * H_TCOUNT,
	H_SCOUNT = H_LCOUNT * H_NCOUNT
};

const char *lmrec_uc_version(void) { return LMREC_UNICODE_VERSION; }

unsigned lmrec_uc_props(uint32_t cp)
{
	if (cp < 0x80)
		return uc_ascii[cp];
	if (cp > 0x10FFFF)
		return LMREC_UC_OTHER;
	/* the last entry whose start is <= cp (the first starts at 0) */
	size_t lo = 0, hi = NELEM(uc_props);
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (uc_props[mid] >> 8 <= cp)
			lo = mid;
		else
			hi = mid;
	}
	return uc_props[lo] & 0xFF;
}

/* Index of cp in the first column of a table of n rows of w uint32s, or -1. */
static long find_cp(const uint32_t *tab, size_t n, size_t w, uint32_t cp)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t v = tab[mid * w];
		if (v == cp)
			return (long)mid;
		if (v < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

uint32_t lmrec_uc_lower(uint32_t cp)
{
	if (cp < 0x80)
		return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
	long k = find_cp(&uc_lower[0][0], NELEM(uc_lower), 2, cp);
	return k < 0 ? cp : uc_lower[k][1];
}

size_t lmrec_uc_fold(uint32_t cp, uint32_t out[LMREC_UC_FOLD_MAX])
{
	if (cp < 0x80) {
		out[0] = cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
		return 1;
	}
	long k = find_cp(&uc_fold[0][0], NELEM(uc_fold), 4, cp);
	if (k < 0) {
		out[0] = cp;
		return 1;
	}
	size_t n = 0;
	for (size_t j = 1; j < 4 && uc_fold[k][j]; j++)
		out[n++] = uc_fold[k][j];
	return n;
}

size_t lmrec_uc_decompose(uint32_t cp, uint32_t out[LMREC_UC_DECOMP_MAX])
{
	if (cp >= H_SBASE && cp < H_SBASE + H_SCOUNT) {
		uint32_t s = cp - H_SBASE;
		out[0] = H_LBASE + s / H_NCOUNT;
		out[1] = H_VBASE + (s % H_NCOUNT) / H_TCOUNT;
		if (s % H_TCOUNT == 0)
			return 2;
		out[2] = H_TBASE + s % H_TCOUNT;
		return 3;
	}
	long k = cp < 0xC0 ? -1 : find_cp(&uc_decomp[0][0], NELEM(uc_decomp), 2, cp);
	if (k < 0) {
		out[0] = cp;
		return 1;
	}
	size_t off = uc_decomp[k][1] >> 8, n = uc_decomp[k][1] & 0xFF;
	memcpy(out, uc_decomp_cp + off, n * sizeof *out);
	return n;
}

unsigned lmrec_uc_ccc(uint32_t cp)
{
	if (cp < 0x300)
		return 0;
	size_t lo = 0, hi = NELEM(uc_ccc);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cp < uc_ccc[mid][0])
			hi = mid;
		else if (cp > uc_ccc[mid][1])
			lo = mid + 1;
		else
			return uc_ccc[mid][2];
	}
	return 0;
}

uint32_t lmrec_uc_compose(uint32_t a, uint32_t b)
{
	/* the second of every pair is a mark, a Hangul vowel or trailing
	 * consonant, or another letter from U+0300 on */
	if (b < 0x300)
		return 0;
	/* Hangul: L + V, then LV + T */
	if (a >= H_LBASE && a < H_LBASE + H_LCOUNT && b >= H_VBASE && b < H_VBASE + H_VCOUNT)
		return H_SBASE + ((a - H_LBASE) * H_VCOUNT + (b - H_VBASE)) * H_TCOUNT;
	if (a >= H_SBASE && a < H_SBASE + H_SCOUNT && (a - H_SBASE) % H_TCOUNT == 0 &&
	    b > H_TBASE && b < H_TBASE + H_TCOUNT)
		return a + (b - H_TBASE);
	size_t lo = 0, hi = NELEM(uc_comp);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const uint32_t *e = uc_comp[mid];
		if (e[0] == a && e[1] == b)
			return e[2];
		if (e[0] < a || (e[0] == a && e[1] < b))
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

int lmrec_uc_is_cjk(uint32_t cp)
{
	return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
	       (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F) ||
	       (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF) ||
	       (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

/* ---- UTF-8 ---- */

uint32_t lmrec_uc_decode(const char *str, size_t len, size_t *i)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t p = *i;
	unsigned c = s[p++];
	if (c < 0x80) {
		*i = p;
		return c;
	}
	size_t need;
	unsigned lo = 0x80, hi = 0xBF; /* allowed range of the next byte */
	uint32_t v;
	if (c >= 0xC2 && c <= 0xDF) {
		need = 1;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		v = c & 0x0F;
		if (c == 0xE0)
			lo = 0xA0; /* overlong */
		else if (c == 0xED)
			hi = 0x9F; /* surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		v = c & 0x07;
		if (c == 0xF0)
			lo = 0x90; /* overlong */
		else if (c == 0xF4)
			hi = 0x8F; /* above U+10FFFF */
	} else {
		*i = p;
		return LMREC_UC_REPLACEMENT;
	}
	for (size_t k = 0; k < need; k++) {
		if (p >= len || s[p] < lo || s[p] > hi) {
			*i = p; /* the bytes taken so far are one maximal subpart */
			return LMREC_UC_REPLACEMENT;
		}
		v = v << 6 | (s[p++] & 0x3F);
		lo = 0x80;
		hi = 0xBF;
	}
	*i = p;
	return v;
}

size_t lmrec_uc_encode(uint32_t cp, char out[4])
{
	unsigned char *o = (unsigned char *)out;
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | cp >> 6);
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | cp >> 12);
		o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | cp >> 18);
	o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
	o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/* ---- code point strings ---- */

void lmrec_ucs_free(struct lmrec_ucs *u)
{
	free(u->cp);
	u->cp = NULL;
	u->n = u->cap = 0;
}

void lmrec_ucs_push(struct lmrec_ucs *u, uint32_t cp)
{
	if (u->n == u->cap)
		LMREC_GROW(u->cp, u->cap, u->n + 1);
	u->cp[u->n++] = cp;
}

void lmrec_ucs_from_utf8(struct lmrec_ucs *u, const char *s, size_t len)
{
	/* a byte is at most one code point */
	LMREC_GROW(u->cp, u->cap, u->n + len + 1);
	size_t i = 0;
	while (i < len)
		u->cp[u->n++] = lmrec_uc_decode(s, len, &i);
}

void lmrec_ucs_reorder(uint32_t *cp, size_t n)
{
	/* insertion sort of each run of non-starters: runs are short */
	for (size_t i = 1; i < n; i++) {
		unsigned c = lmrec_uc_ccc(cp[i]);
		if (c == 0)
			continue;
		uint32_t x = cp[i];
		size_t j = i;
		while (j > 0) {
			unsigned p = lmrec_uc_ccc(cp[j - 1]);
			if (p == 0 || p <= c)
				break;
			cp[j] = cp[j - 1];
			j--;
		}
		cp[j] = x;
	}
}

void lmrec_ucs_append_nfd(struct lmrec_ucs *dst, const uint32_t *src, size_t n)
{
	size_t start = dst->n;
	/* a run of marks may continue the one dst ends with */
	while (start > 0 && lmrec_uc_ccc(dst->cp[start - 1]) != 0)
		start--;
	for (size_t i = 0; i < n; i++) {
		if (dst->cap - dst->n < LMREC_UC_DECOMP_MAX)
			LMREC_GROW(dst->cp, dst->cap, dst->n + LMREC_UC_DECOMP_MAX);
		if (src[i] < 0xC0)
			dst->cp[dst->n++] = src[i];
		else
			dst->n += lmrec_uc_decompose(src[i], dst->cp + dst->n);
	}
	lmrec_ucs_reorder(dst->cp + start, dst->n - start);
}

size_t lmrec_ucs_compose(uint32_t *cp, size_t n)
{
	size_t out = 0;
	long starter = -1;  /* index in the output of the last starter */
	unsigned last = 0;  /* combining class of the last code point written */
	for (size_t i = 0; i < n; i++) {
		uint32_t c = cp[i];
		unsigned cc = lmrec_uc_ccc(c);
		if (starter >= 0) {
			/* blocked when something between the starter and c has a
			 * class of 0 or at least c's */
			int adjacent = out == (size_t)starter + 1;
			if (adjacent || (last != 0 && last < cc)) {
				uint32_t comp = lmrec_uc_compose(cp[starter], c);
				if (comp) {
					cp[starter] = comp;
					continue;
				}
			}
		}
		if (cc == 0)
			starter = (long)out;
		last = cc;
		cp[out++] = c;
	}
	return out;
}

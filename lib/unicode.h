/* lmrec — Unicode characters: UTF-8 decoding that never fails, character
 * classes, lower-casing, case folding, canonical decomposition and
 * composition (NFD, NFC).
 *
 * The tables come from the Unicode Character Database (the version is
 * lmrec_uc_version()), generated into lib/unicode_tab.h by
 * lib/unicode_tab.sh, and cover every code point: no script is special
 * here. What lib/text.c builds on top (which characters make words, what a
 * tokenizer does with a script without spaces) is said there. */
#ifndef LMREC_UNICODE_H
#define LMREC_UNICODE_H

#include <stddef.h>
#include <stdint.h>

/* Character classes: the general category, coarsened. */
enum lmrec_uc_class {
	LMREC_UC_OTHER = 0,    /* Cn unassigned, Co private use, Cs surrogate */
	LMREC_UC_LETTER,       /* L*: Lu Ll Lt Lm Lo */
	LMREC_UC_MARK,         /* Mn: nonspacing marks (accents, vowel points) */
	LMREC_UC_MARK_SPACING, /* Mc Me */
	LMREC_UC_DIGIT,        /* Nd: decimal digits of every script */
	LMREC_UC_NUMBER,       /* Nl No: Roman numerals, superscripts, fractions */
	LMREC_UC_PUNCT,        /* P*: Pc Pd Ps Pe Pi Pf Po */
	LMREC_UC_SYMBOL,       /* S*: Sm Sc Sk So (emoji are So) */
	LMREC_UC_SPACE,        /* Zs */
	LMREC_UC_LINESEP,      /* Zl Zp */
	LMREC_UC_CONTROL,      /* Cc */
	LMREC_UC_FORMAT        /* Cf: soft hyphen, zero-width joiners, bidi marks */
};
#define LMREC_UC_CLASS_MASK 15u
#define LMREC_UC_CASED 16u          /* the Cased property */
#define LMREC_UC_CASE_IGNORABLE 32u /* the Case_Ignorable property */

/* The longest full canonical decomposition of one code point. */
#define LMREC_UC_DECOMP_MAX 4
/* The longest full case folding of one code point. */
#define LMREC_UC_FOLD_MAX 3
#define LMREC_UC_REPLACEMENT 0xFFFDu

/* The Unicode version of the tables, e.g. "15.0.0". */
const char *lmrec_uc_version(void);

/* The class of cp, with the LMREC_UC_CASED and LMREC_UC_CASE_IGNORABLE
 * bits; a value above U+10FFFF is LMREC_UC_OTHER. */
unsigned lmrec_uc_props(uint32_t cp);
static inline enum lmrec_uc_class lmrec_uc_class(uint32_t cp)
{
	return (enum lmrec_uc_class)(lmrec_uc_props(cp) & LMREC_UC_CLASS_MASK);
}

/* The simple lower-case mapping of cp (UnicodeData.txt), cp itself when it
 * has none. */
uint32_t lmrec_uc_lower(uint32_t cp);
/* Full case folding (CaseFolding.txt, statuses C and F): writes 1 to 3
 * code points to out and returns their number (ß -> s s, Σ and ς -> σ). */
size_t lmrec_uc_fold(uint32_t cp, uint32_t out[LMREC_UC_FOLD_MAX]);
/* Full canonical decomposition (Hangul syllables included): writes 1 to
 * LMREC_UC_DECOMP_MAX code points to out and returns their number; a code
 * point without one is written as itself. */
size_t lmrec_uc_decompose(uint32_t cp, uint32_t out[LMREC_UC_DECOMP_MAX]);
/* The canonical combining class (0 for starters). */
unsigned lmrec_uc_ccc(uint32_t cp);
/* The primary composite of the pair (Hangul included), or 0. */
uint32_t lmrec_uc_compose(uint32_t a, uint32_t b);
/* A CJK ideograph in the ranges BERT's basic tokenizer splits one per token:
 * the CJK Unified Ideographs blocks (extensions A to F) and the
 * compatibility ideographs. Kana and Hangul are not in them. */
int lmrec_uc_is_cjk(uint32_t cp);

/* ---- UTF-8 ---- */

/* Decodes the code point at s[*i] (with *i < len) and advances *i past it.
 * Never reads at or beyond s[len]. An invalid sequence (a stray
 * continuation byte, an overlong form, a surrogate, a value above
 * U+10FFFF, a sequence cut short) decodes to U+FFFD and *i advances past
 * its maximal valid prefix (at least one byte): the replacement the
 * Unicode standard recommends. */
uint32_t lmrec_uc_decode(const char *s, size_t len, size_t *i);
/* Encodes cp (at most U+10FFFF, not a surrogate) as 1 to 4 bytes; returns
 * their number. */
size_t lmrec_uc_encode(uint32_t cp, char out[4]);

/* ---- code point strings ---- */

struct lmrec_ucs {
	uint32_t *cp; /* (n) */
	size_t n, cap;
};

static inline void lmrec_ucs_clear(struct lmrec_ucs *u) { u->n = 0; }
void lmrec_ucs_free(struct lmrec_ucs *u); /* frees the array, keeps u */
void lmrec_ucs_push(struct lmrec_ucs *u, uint32_t cp);
/* Appends the code points of the UTF-8 text s[0..len) (see
 * lmrec_uc_decode for invalid bytes). */
void lmrec_ucs_from_utf8(struct lmrec_ucs *u, const char *s, size_t len);
/* Appends src[0..n) in NFD: every code point fully decomposed, then marks
 * put in canonical order. src must not point into dst. */
void lmrec_ucs_append_nfd(struct lmrec_ucs *dst, const uint32_t *src, size_t n);
/* Puts every run of non-starters of cp[0..n) in canonical order (a stable
 * sort by combining class). */
void lmrec_ucs_reorder(uint32_t *cp, size_t n);
/* Canonical composition in place of an NFD string: the result of NFD then
 * this is NFC. Returns the new length. */
size_t lmrec_ucs_compose(uint32_t *cp, size_t n);

#endif

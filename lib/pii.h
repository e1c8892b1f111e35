/* lmrec — personal data in free text: where the e-mail addresses, URLs,
 * phone numbers and long digit runs are, so that a tokenizer can put a mask
 * token in their place before anything is learned from the text.
 *
 * The rules (lmrec-tokenize(1) lists them with examples), applied in this
 * order, each to the text the earlier ones left:
 *
 *  URL     a scheme (a letter, then letters, digits, '+', '-', '.') and
 *          "://", or "www." at the start of a word, then everything up to
 *          white space or one of < > " ` { } |; trailing . , ; : ! ? ' and
 *          closing brackets without their opening one are left out.
 *  e-mail  local@domain: the local part of letters, digits and . _ % + - '
 *          (any script), the domain of at least two dot-separated labels
 *          of letters, digits and '-', the last of two letters or more.
 *  phone   7 to 15 digits in groups: an optional '+', then groups of digits,
 *          a group possibly in parentheses, separated by one space, '-',
 *          '.' or '/'. It is a phone number when it starts with '+' or
 *          has a group in parentheses; or, with one kind of separator
 *          throughout, when it has 2 groups or more and its first group
 *          starts with 0, or is 3+4 digits joined by '-' (555-1234), or has
 *          3 groups or more of unequal sizes; and it is neither a date (3
 *          groups: 4 digits then two of 1-2, or two of 1-2 then 4), a
 *          number with thousands separators (1-3 digits then groups of 3)
 *          nor groups of 4 with 13 digits or more (left to the digits
 *          rule). In a longer run of groups the leftmost phone is taken,
 *          the longest from there; a phone without '+' or parentheses does
 *          not begin or end next to a group joined by its own separator
 *          (in "36 38 40 42 1999 2000" there is none). A phone does not
 *          start in the middle of a number (after "12 " or "3."), nor next
 *          to a letter or digit.
 *  digits  groups of 4 digits separated by one space or '-' with 13 digits
 *          or more in all (card and account numbers), or any run of 6
 *          digits or more, even inside a word.
 *
 * Digits are the decimal digits of every script (general category Nd). */
#ifndef LMREC_PII_H
#define LMREC_PII_H

#include <stddef.h>

enum lmrec_pii_kind { LMREC_PII_EMAIL, LMREC_PII_URL, LMREC_PII_PHONE, LMREC_PII_DIGITS };
#define LMREC_PII_KINDS 4

struct lmrec_pii_span {
	size_t off, len; /* bytes of the text */
	enum lmrec_pii_kind kind;
};

struct lmrec_pii {
	struct lmrec_pii_span *span; /* (n) of the last text, by offset, disjoint */
	size_t n, cap;
	unsigned char *cov;          /* (covcap) scratch: bytes already masked */
	size_t covcap;
};

/* A zeroed struct lmrec_pii is ready to use; lmrec_pii_free releases it. */
void lmrec_pii_free(struct lmrec_pii *p);
/* Finds the spans to mask in the UTF-8 text s[0..len) and keeps them in
 * p->span (the previous text's are forgotten); returns their number.
 * Invalid UTF-8 is read as in lmrec_uc_decode and never masked. */
size_t lmrec_pii_find(struct lmrec_pii *p, const char *s, size_t len);
/* The token that stands for a span: "<email>", "<url>", "<phone>",
 * "<digits>". */
const char *lmrec_pii_token(enum lmrec_pii_kind kind);
/* The plural name of a kind for summaries: "emails", "urls", "phones",
 * "digits". */
const char *lmrec_pii_name(enum lmrec_pii_kind kind);

#endif

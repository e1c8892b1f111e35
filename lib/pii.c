/* lmrec — personal data in free text (see pii.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pii.h"
#include "unicode.h"
#include "util.h"

static const char *const tokens[LMREC_PII_KINDS] = {"<email>", "<url>", "<phone>", "<digits>"};
static const char *const names[LMREC_PII_KINDS] = {"emails", "urls", "phones", "digits"};

const char *lmrec_pii_token(enum lmrec_pii_kind kind) { return tokens[kind]; }
const char *lmrec_pii_name(enum lmrec_pii_kind kind) { return names[kind]; }

void lmrec_pii_free(struct lmrec_pii *p)
{
	free(p->span);
	free(p->cov);
	memset(p, 0, sizeof *p);
}

/* A text being scanned: its bytes and which of them are masked already. */
struct scan {
	const char *s;
	size_t len;
	unsigned char *cov;
	struct lmrec_pii *p;
};

static void add_span(struct scan *sc, size_t off, size_t end, enum lmrec_pii_kind kind)
{
	struct lmrec_pii *p = sc->p;
	LMREC_GROW(p->span, p->cap, p->n + 1);
	p->span[p->n++] = (struct lmrec_pii_span){off, end - off, kind};
	memset(sc->cov + off, 1, end - off);
}

/* The code point at i (and its end in *next); 0 past the end. */
static uint32_t cp_at(const struct scan *sc, size_t i, size_t *next)
{
	if (i >= sc->len) {
		*next = i;
		return 0;
	}
	*next = i;
	return lmrec_uc_decode(sc->s, sc->len, next);
}

/* The code point that ends at i (and its start in *start); 0 at the start. */
static uint32_t cp_before(const struct scan *sc, size_t i, size_t *start)
{
	if (i == 0) {
		*start = 0;
		return 0;
	}
	size_t b = i - 1;
	while (b > 0 && i - b < 4 && ((unsigned char)sc->s[b] & 0xC0) == 0x80)
		b--;
	size_t j = b;
	uint32_t c = lmrec_uc_decode(sc->s, sc->len, &j);
	if (j != i) { /* not one whole character: take the last byte alone */
		b = i - 1;
		c = LMREC_UC_REPLACEMENT;
	}
	*start = b;
	return c;
}

static int is_digit(uint32_t c) { return c && lmrec_uc_class(c) == LMREC_UC_DIGIT; }
static int is_alnum(uint32_t c)
{
	if (c < 0x80)
		return (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z');
	enum lmrec_uc_class k = lmrec_uc_class(c);
	return k == LMREC_UC_LETTER || k == LMREC_UC_DIGIT || k == LMREC_UC_MARK ||
	       k == LMREC_UC_MARK_SPACING || k == LMREC_UC_NUMBER;
}
/* The value of a decimal digit: the digits of every script come in blocks
 * of ten, zero first, some blocks one after the other. */
static unsigned digit_value(uint32_t c)
{
	if (c < 0x80)
		return c - '0';
	unsigned k = 0;
	while (is_digit(c - k - 1))
		k++;
	return k % 10;
}
static int is_sep(char c) { return c == ' ' || c == '-' || c == '.' || c == '/'; }
static int is_ascii_alpha(int c) { return (c | 32) >= 'a' && (c | 32) <= 'z'; }
static int is_space(uint32_t c)
{
	enum lmrec_uc_class k = lmrec_uc_class(c);
	return k == LMREC_UC_SPACE || k == LMREC_UC_LINESEP || k == LMREC_UC_CONTROL;
}

/* ---- URLs ---- */

/* End of a URL whose body starts at i: up to white space or a character
 * that cannot be in one, less trailing punctuation. */
static size_t url_end(const struct scan *sc, size_t i)
{
	size_t e = i, next;
	for (;;) {
		if (e >= sc->len || sc->cov[e])
			break;
		uint32_t c = cp_at(sc, e, &next);
		if (is_space(c) || c == '<' || c == '>' || c == '"' || c == '`' || c == '{' ||
		    c == '}' || c == '|' || c == LMREC_UC_REPLACEMENT)
			break;
		e = next;
	}
	/* trailing punctuation belongs to the sentence; a closing bracket
	 * stays when the URL opened it */
	while (e > i) {
		char c = sc->s[e - 1];
		if (strchr(".,;:!?'", c)) {
			e--;
			continue;
		}
		if (c == ')' || c == ']') {
			char open = c == ')' ? '(' : '[';
			long depth = 0;
			for (size_t k = i; k < e; k++)
				depth += (sc->s[k] == open) - (sc->s[k] == c);
			if (depth < 0) {
				e--;
				continue;
			}
		}
		break;
	}
	return e;
}

static int scheme_char(char c)
{
	return is_ascii_alpha((unsigned char)c) || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
	       c == '.';
}

/* A URL may start at b: not inside a word, a name or an address. */
static int url_start_ok(const struct scan *sc, size_t b)
{
	size_t before;
	uint32_t prev = cp_before(sc, b, &before);
	return !is_alnum(prev) && prev != '.' && prev != '@' && !(b > 0 && sc->cov[b - 1]);
}

static void find_urls(struct scan *sc)
{
	const char *s = sc->s;
	/* a scheme and "://" */
	for (size_t k = 0; k + 3 < sc->len; k++) {
		if (s[k] != ':' || s[k + 1] != '/' || s[k + 2] != '/' || sc->cov[k])
			continue;
		size_t b = k;
		while (b > 0 && scheme_char(s[b - 1]) && !sc->cov[b - 1])
			b--;
		while (b < k && !is_ascii_alpha((unsigned char)s[b]))
			b++; /* a scheme starts with a letter */
		if (b == k || !url_start_ok(sc, b))
			continue;
		size_t e = url_end(sc, k + 3);
		if (e > k + 3) {
			add_span(sc, b, e, LMREC_PII_URL);
			k = e - 1;
		}
	}
	/* "www." and a name */
	for (size_t i = 0; i + 4 < sc->len; i++) {
		if ((s[i] | 32) != 'w' || (s[i + 1] | 32) != 'w' || (s[i + 2] | 32) != 'w' ||
		    s[i + 3] != '.' || sc->cov[i] || !url_start_ok(sc, i))
			continue;
		size_t next;
		if (!is_alnum(cp_at(sc, i + 4, &next)))
			continue;
		size_t e = url_end(sc, i + 4);
		add_span(sc, i, e, LMREC_PII_URL);
		i = e - 1;
	}
}

/* ---- e-mail addresses ---- */

static int local_char(uint32_t c)
{
	if (c < 0x80)
		return is_alnum(c) || (c && strchr("._%+-'", (int)c));
	return is_alnum(c);
}

/* End of a domain starting at i (at least two labels, the last of 2+
 * letters), or i when there is none. */
static size_t domain_end(const struct scan *sc, size_t i)
{
	size_t e = i, best = i, next;
	size_t labels = 0, label_len = 0;
	int label_letters = 1, last_hyphen = 0;
	for (;;) {
		uint32_t c = e < sc->len && !sc->cov[e] ? cp_at(sc, e, &next) : 0;
		if (c && c != '.' && (is_alnum(c) || c == '-')) {
			if (c == '-' && label_len == 0)
				break; /* a label does not start with '-' */
			label_len++;
			label_letters &= c != '-' && !is_digit(c);
			last_hyphen = c == '-';
			e = next;
			continue;
		}
		/* end of a label */
		if (label_len == 0 || last_hyphen)
			break;
		labels++;
		if (labels >= 2 && label_letters && label_len >= 2)
			best = e;
		if (c != '.')
			break;
		e = next;
		label_len = 0;
		label_letters = 1;
	}
	return best;
}

static void find_emails(struct scan *sc)
{
	for (size_t at = 0; at < sc->len; at++) {
		if (sc->s[at] != '@' || sc->cov[at])
			continue;
		/* the local part, backwards */
		size_t b = at, start;
		while (b > 0 && !sc->cov[b - 1]) {
			uint32_t c = cp_before(sc, b, &start);
			if (!local_char(c))
				break;
			b = start;
		}
		while (b < at && (sc->s[b] == '.' || sc->s[b] == '\''))
			b++;
		if (b == at || sc->s[at - 1] == '.')
			continue;
		size_t e = domain_end(sc, at + 1);
		if (e == at + 1)
			continue;
		add_span(sc, b, e, LMREC_PII_EMAIL);
		at = e - 1;
	}
}

/* ---- phone numbers and digit runs ---- */

struct group {
	size_t start, end; /* bytes, parentheses included */
	unsigned digits;
	int paren, zero;   /* in parentheses; its first digit is 0 */
	char sep;          /* the separator before it: ' ' '-' '.' '/', '(' for
			    * none (next to parentheses), 0 for the first */
};

/* Reads a group of digits (possibly in parentheses) at i; 0 if none. */
static int read_group(const struct scan *sc, size_t i, struct group *g)
{
	size_t e = i, next;
	int paren = 0;
	if (e < sc->len && sc->s[e] == '(' && !sc->cov[e]) {
		paren = 1;
		e++;
	}
	g->start = i;
	g->digits = 0;
	g->zero = 0;
	g->sep = 0;
	for (;;) {
		if (e >= sc->len || sc->cov[e])
			break;
		uint32_t c = cp_at(sc, e, &next);
		if (!is_digit(c))
			break;
		if (g->digits == 0)
			g->zero = digit_value(c) == 0;
		g->digits++;
		e = next;
	}
	if (g->digits == 0)
		return 0;
	if (paren) {
		if (e >= sc->len || sc->s[e] != ')' || sc->cov[e])
			return 0;
		e++;
	}
	g->end = e;
	g->paren = paren;
	return 1;
}

static int is_date(const struct group *g, size_t n)
{
	if (n != 3)
		return 0;
	unsigned a = g[0].digits, b = g[1].digits, c = g[2].digits;
	return (a == 4 && b <= 2 && c <= 2) || (a <= 2 && b <= 2 && c == 4);
}

static int is_thousands(const struct group *g, size_t n)
{
	if (g[0].digits > 3)
		return 0;
	for (size_t k = 1; k < n; k++)
		if (g[k].digits != 3)
			return 0;
	return 1;
}

/* Groups of 4 (the last 1 to 4) with 13 digits or more: a card or an
 * account number, for the digits rule. */
static int is_card(const struct group *g, size_t n, unsigned digits)
{
	if (n < 3 || digits < 13)
		return 0;
	for (size_t k = 0; k + 1 < n; k++)
		if (g[k].digits != 4)
			return 0;
	return 1;
}

static int is_phone(const struct group *g, size_t n, int plus)
{
	unsigned digits = 0;
	int paren = 0, equal = 1;
	for (size_t k = 0; k < n; k++) {
		digits += g[k].digits;
		paren |= g[k].paren;
		equal &= g[k].digits == g[0].digits;
	}
	if (digits < 7 || digits > 15)
		return 0;
	if (plus || paren)
		return 1;
	if (n < 2 || is_date(g, n) || is_thousands(g, n) || is_card(g, n, digits))
		return 0;
	for (size_t k = 2; k < n; k++)
		if (g[k].sep != g[1].sep)
			return 0; /* one kind of separator, without + or () */
	if (g[0].zero)
		return 1;
	if (n == 2)
		return g[0].digits == 3 && g[1].digits == 4 && g[1].sep == '-';
	return !equal;
}

/* Is i inside a number (after "12 ", "3." or "1,")? A phone does not start
 * there; the groups before it were read with it. */
static int inside_number(const struct scan *sc, size_t i)
{
	size_t b, b2;
	uint32_t prev = cp_before(sc, i, &b);
	if (!(prev == ' ' || prev == '-' || prev == '.' || prev == '/' || prev == ',') || b == 0 ||
	    sc->cov[b - 1])
		return 0;
	return is_digit(cp_before(sc, b, &b2));
}

static void find_phones(struct scan *sc)
{
	struct group *g = NULL;
	size_t gcap = 0;
	size_t i = 0;
	while (i < sc->len) {
		unsigned char byte = (unsigned char)sc->s[i];
		if (byte < 0x80 && !(byte == '+' || byte == '(' || (byte >= '0' && byte <= '9'))) {
			i++;
			continue;
		}
		size_t next, before;
		uint32_t c = cp_at(sc, i, &next);
		if (sc->cov[i] || !(c == '+' || c == '(' || is_digit(c)) ||
		    is_alnum(cp_before(sc, i, &before)) || (c != '+' && inside_number(sc, i))) {
			i = next;
			continue;
		}
		/* the whole sequence: ['+'] group (sep group)* */
		int plus = c == '+';
		LMREC_GROW(g, gcap, 1);
		if (!read_group(sc, i + (size_t)plus, &g[0])) {
			i = next;
			continue;
		}
		size_t n = 1, e = g[0].end;
		unsigned total = g[0].digits;
		while (n < 64 && total <= 64) {
			size_t k = e;
			char sep = 0;
			if (k < sc->len && !sc->cov[k] && is_sep(sc->s[k])) {
				sep = sc->s[k];
				k++;
			}
			struct group ng;
			if (!read_group(sc, k, &ng))
				break;
			/* no separator is allowed only next to parentheses */
			if (!sep && !ng.paren && !g[n - 1].paren)
				break;
			ng.sep = (char)(sep ? sep : '(');
			LMREC_GROW(g, gcap, n + 1);
			g[n++] = ng;
			total += ng.digits;
			e = ng.end;
		}
		size_t nx;
		uint32_t after = cp_at(sc, e, &nx);
		int bounded = !(e < sc->len && !sc->cov[e] && is_alnum(after));
		/* the leftmost phone in it, the longest from there; a plain one
		 * (no '+', no parentheses) does not cut a run of groups joined
		 * by its own separator ("36 38 40 42 1999 2000") */
		size_t bj = 0, bk = 0;
		for (size_t j = 0; j < n && !bk; j++)
			for (size_t k = n; k > j; k--) {
				int p = plus && j == 0;
				if ((k == n && !bounded) || !is_phone(g + j, k - j, p))
					continue;
				int paren = 0;
				for (size_t q = j; q < k; q++)
					paren |= g[q].paren;
				if (!p && !paren && k - j >= 2) {
					char in = g[j + 1].sep;
					if ((j > 0 && g[j].sep == in) || (k < n && g[k].sep == in))
						continue;
				}
				bj = j;
				bk = k;
				break;
			}
		if (bk) {
			add_span(sc, bj == 0 ? i : g[bj].start, g[bk - 1].end, LMREC_PII_PHONE);
			i = g[bk - 1].end;
		} else {
			i = e; /* every phone it could hold was tried */
		}
	}
	free(g);
}

/* Digits of the run at i, its end in *end. */
static unsigned digit_run(const struct scan *sc, size_t i, size_t *end)
{
	unsigned n = 0;
	size_t next;
	while (i < sc->len && !sc->cov[i] && is_digit(cp_at(sc, i, &next))) {
		n++;
		i = next;
	}
	*end = i;
	return n;
}

static void find_digits(struct scan *sc)
{
	size_t i = 0;
	while (i < sc->len) {
		size_t e, next;
		unsigned char byte = (unsigned char)sc->s[i];
		if (byte < 0x80 && !(byte >= '0' && byte <= '9')) {
			i++;
			continue;
		}
		uint32_t c = cp_at(sc, i, &next);
		if (sc->cov[i] || !is_digit(c)) {
			i = next;
			continue;
		}
		/* the run must start here: not after another digit */
		unsigned n = digit_run(sc, i, &e);
		/* groups of 4 joined by one space or '-' */
		size_t ge = e;
		unsigned total = n;
		if (n == 4) {
			for (;;) {
				if (ge + 1 >= sc->len || sc->cov[ge] || (sc->s[ge] != ' ' && sc->s[ge] != '-'))
					break;
				size_t e2;
				unsigned m = digit_run(sc, ge + 1, &e2);
				if (m == 0 || m > 4)
					break;
				total += m;
				ge = e2;
				if (m < 4)
					break;
			}
		}
		if (total >= 13) {
			add_span(sc, i, ge, LMREC_PII_DIGITS);
			i = ge;
		} else if (n >= 6) {
			add_span(sc, i, e, LMREC_PII_DIGITS);
			i = e;
		} else {
			i = e;
		}
	}
}

static int cmp_span(const void *a, const void *b)
{
	const struct lmrec_pii_span *x = a, *y = b;
	return x->off < y->off ? -1 : x->off > y->off;
}

size_t lmrec_pii_find(struct lmrec_pii *p, const char *s, size_t len)
{
	p->n = 0;
	if (len == 0)
		return 0;
	LMREC_GROW(p->cov, p->covcap, len);
	memset(p->cov, 0, len);
	struct scan sc = {s, len, p->cov, p};
	find_urls(&sc);
	find_emails(&sc);
	find_phones(&sc);
	find_digits(&sc);
	if (p->n > 1)
		qsort(p->span, p->n, sizeof *p->span, cmp_span);
	return p->n;
}

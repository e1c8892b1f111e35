/* lmrec — the explanation grammars (see explain.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "explain.h"
#include "ids.h"
#include "tsv.h"
#include "util.h"

static int reserved(unsigned char c)
{
	return c < 0x20 || c == 0x7f || c == '%' || c == ',' || c == ':' || c == ';' || c == '=' ||
	       c == '|' || c == '*' || c == '\\';
}

static void put_byte(struct lmrec_out *o, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";
	if (!reserved(c)) {
		lmrec_out_byte(o, (char)c);
		return;
	}
	lmrec_out_byte(o, '%');
	lmrec_out_byte(o, hex[c >> 4]);
	lmrec_out_byte(o, hex[c & 15]);
}

void lmrec_explain_put_text(struct lmrec_out *o, const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		put_byte(o, (unsigned char)p[i]);
}

void lmrec_explain_put_name(struct lmrec_out *o, const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '\\' && i + 1 < len) { /* a TSV escape: its real byte */
			char e = p[++i];
			c = e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : (unsigned char)e;
		}
		put_byte(o, c);
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

long lmrec_explain_decode(char *dst, const char *p, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '%') {
			if (len - i < 3)
				return -1;
			int hi = hexval(p[i + 1]), lo = hexval(p[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = (unsigned char)(hi * 16 + lo);
			i += 2;
		} else if (reserved(c)) {
			return -1;
		}
		switch (c) { /* the TSV-escaped form */
		case '\t': dst[n++] = '\\'; dst[n++] = 't'; break;
		case '\n': dst[n++] = '\\'; dst[n++] = 'n'; break;
		case '\r': dst[n++] = '\\'; dst[n++] = 'r'; break;
		case '\\': dst[n++] = '\\'; dst[n++] = '\\'; break;
		default: dst[n++] = (char)c;
		}
	}
	return (long)n;
}

int lmrec_explain_parse_contrib(const char *p, size_t len, struct lmrec_contrib_entry **e, size_t *n,
				size_t *cap, const char **why)
{
	*n = 0;
	size_t i = 0;
	while (i < len) {
		const char *comma = memchr(p + i, ',', len - i);
		size_t end = comma ? (size_t)(comma - p) : len;
		const char *colon = NULL;
		for (size_t j = end; j > i; j--) /* the last ':' (an id has none) */
			if (p[j - 1] == ':') {
				colon = p + j - 1;
				break;
			}
		if (!colon) {
			*why = "an entry has no ':'";
			return -1;
		}
		if (colon == p + i) {
			*why = "an entry has an empty id";
			return -1;
		}
		double v;
		if (lmrec_parse_double(colon + 1, (size_t)(p + end - colon - 1), &v) != 0) {
			*why = "an entry's value is not a finite number";
			return -1;
		}
		LMREC_GROW(*e, *cap, *n + 1);
		(*e)[*n] = (struct lmrec_contrib_entry){p + i, (size_t)(colon - p - i), v};
		(*n)++;
		if (!comma)
			break;
		i = end + 1;
		if (i == len) {
			*why = "the field ends with ','";
			return -1;
		}
	}
	return 0;
}

/* Whether item a's id comes before b's in byte order. */
static int id_before(const struct lmrec_ids *items, uint32_t a, uint32_t b)
{
	size_t la, lb;
	const char *sa = lmrec_ids_str(items, a, &la), *sb = lmrec_ids_str(items, b, &lb);
	int c = memcmp(sa, sb, la < lb ? la : lb);
	return c < 0 || (c == 0 && la < lb);
}

size_t lmrec_explain_shares(const struct lmrec_explain_part *p, size_t np, const struct lmrec_ids *items,
			    struct lmrec_explain_share *out)
{
	size_t n = 0;
	for (size_t c = 0; c < np; c++) {
		if (p[c].score == 0)
			continue;
		double scale = p[c].weight * p[c].feature / fabs(p[c].score);
		for (size_t j = 0; j < p[c].nhist; j++) {
			size_t k;
			for (k = 0; k < n && out[k].item != p[c].hist[j]; k++)
				;
			if (k == n)
				out[n++] = (struct lmrec_explain_share){p[c].hist[j], 0.0};
			out[k].share += scale * p[c].contrib[j];
		}
	}
	/* insertion sort: a handful of items */
	for (size_t i = 1; i < n; i++) {
		struct lmrec_explain_share x = out[i];
		size_t j = i;
		while (j > 0 && (out[j - 1].share < x.share ||
				 (out[j - 1].share == x.share && id_before(items, x.item, out[j - 1].item)))) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = x;
	}
	return n;
}

/* Whether the attrs s hold the pair p[0..len). */
static int has_pair(const char *s, const char *p, size_t len)
{
	while (s && *s) {
		size_t l = strcspn(s, ";");
		if (l == len && memcmp(s, p, len) == 0)
			return 1;
		s += l + (s[l] ? 1 : 0);
	}
	return 0;
}

size_t lmrec_explain_attrs(const char *a, const char *const *others, const double *share, size_t n,
			   struct lmrec_explain_attr *out)
{
	size_t m = 0;
	for (const char *p = a; p && *p;) {
		size_t len = strcspn(p, ";");
		int dup = 0;
		for (size_t k = 0; k < m && !dup; k++)
			dup = out[k].len == len && memcmp(out[k].p, p, len) == 0;
		if (!dup && len && memchr(p, '=', len)) {
			double w = 0;
			for (size_t j = 0; j < n; j++)
				if (share[j] > 0 && has_pair(others[j], p, len))
					w += share[j];
			if (w > 0)
				out[m++] = (struct lmrec_explain_attr){p, len, w};
		}
		p += len + (p[len] ? 1 : 0);
	}
	for (size_t i = 1; i < m; i++) { /* stable: a's order among equal weights */
		struct lmrec_explain_attr x = out[i];
		size_t j = i;
		while (j > 0 && out[j - 1].weight < x.weight) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = x;
	}
	return m;
}

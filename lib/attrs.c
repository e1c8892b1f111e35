/* lmrec — the attrs column of the items stream. */
#include <string.h>

#include "attrs.h"
#include "tsv.h"

static int key_byte(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '-' || c == '.';
}

const char *lmrec_attrs_check(const char *p, size_t len, size_t *at, size_t *atlen)
{
	if (len == 0)
		return NULL;
	size_t i = 0;
	for (;;) {
		const char *semi = memchr(p + i, ';', len - i);
		size_t end = semi ? (size_t)(semi - p) : len;
		*at = i;
		*atlen = end - i;
		const char *eq = memchr(p + i, '=', end - i);
		if (end == i)
			return "empty pair";
		if (!eq)
			return "no '=' in the pair";
		if (eq == p + i)
			return "empty key";
		for (const char *k = p + i; k < eq; k++)
			if (!key_byte(*k))
				return "the key holds other than letters, digits, '_', '-' and '.'";
		if (eq + 1 == p + end)
			return "empty value";
		if (!semi)
			return NULL;
		i = end + 1;
	}
}

void lmrec_attrs_put_shared(struct lmrec_out *o, const char *a, const char *b, size_t max)
{
	if (!a || !b)
		return;
	size_t shown = 0;
	for (const char *p = a; *p && shown < max;) {
		size_t len = strcspn(p, ";");
		const char *eq = memchr(p, '=', len);
		int found = 0;
		for (const char *q = b; eq && *q && !found;) {
			size_t ql = strcspn(q, ";");
			found = ql == len && memcmp(p, q, len) == 0;
			q += ql + (q[ql] ? 1 : 0);
		}
		if (found) {
			lmrec_out_str(o, shown ? ", " : ": ");
			lmrec_out_field(o, eq + 1, len - (size_t)(eq + 1 - p));
			shown++;
		}
		p += len + (p[len] ? 1 : 0);
	}
}

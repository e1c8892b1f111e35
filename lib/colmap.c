/* lmrec — the column-mapping language of lmrec-ingest. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "colmap.h"
#include "util.h"

static int is_name(const char *s, size_t n)
{
	if (n == 0 || s[0] < 'a' || s[0] > 'z')
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

static int all_digits(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* A 1-based column number: 0 when out of range. */
static size_t column_number(const char *s, size_t n)
{
	uint64_t v;
	if (lmrec_parse_u64(s, n, &v) != 0 || v == 0 || v > 1000000)
		return 0;
	return (size_t)v;
}

static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ')) {
		(*s)++;
		(*n)--;
	}
	while (*n && (*s)[*n - 1] == ' ')
		(*n)--;
}

static int fail(struct lmrec_colmap *m, char **err, char *msg)
{
	lmrec_colmap_free(m);
	*err = msg;
	return -1;
}

int lmrec_colmap_parse(const char *s, struct lmrec_colmap *m, char **err)
{
	size_t cap = 0;
	m->p = NULL;
	m->n = 0;
	const char *p = s;
	for (;;) {
		/* target */
		const char *eq = strchr(p, '=');
		const char *comma = strchr(p, ',');
		if (!eq || (comma && comma < eq)) {
			size_t n = comma ? (size_t)(comma - p) : strlen(p);
			return fail(m, err, lmrec_xasprintf("'%.*s' is not TARGET=SOURCE", (int)n, p));
		}
		const char *t = p;
		size_t tn = (size_t)(eq - p);
		trim(&t, &tn);
		if (!is_name(t, tn))
			return fail(m, err,
				    lmrec_xasprintf("'%.*s' is not a column name ([a-z][a-z0-9_]*)", (int)tn, t));
		for (size_t i = 0; i < m->n; i++)
			if (strlen(m->p[i].target) == tn && memcmp(m->p[i].target, t, tn) == 0)
				return fail(m, err, lmrec_xasprintf("'%.*s' is mapped twice", (int)tn, t));
		/* source */
		const char *v = eq + 1;
		while (*v == ' ')
			v++;
		const char *end;
		struct lmrec_colmap_pair pr = {NULL, LMREC_COLMAP_NAME, NULL, 0, 0};
		if (*v == '"') {
			const char *close = strchr(v + 1, '"');
			if (!close)
				return fail(m, err, lmrec_xasprintf("literal for '%.*s' is not closed by '\"'",
								    (int)tn, t));
			pr.kind = LMREC_COLMAP_LITERAL;
			pr.text = lmrec_xstrndup(v + 1, (size_t)(close - v - 1));
			end = close + 1;
			while (*end == ' ')
				end++;
			if (*end && *end != ',') {
				free(pr.text);
				return fail(m, err, lmrec_xasprintf("text after the literal of '%.*s'", (int)tn, t));
			}
		} else {
			end = v + strcspn(v, ",");
			size_t vn = (size_t)(end - v);
			trim(&v, &vn);
			const char *dash = memchr(v, '-', vn);
			if (vn == 0 || memchr(v, '=', vn))
				return fail(m, err, lmrec_xasprintf("no source column for '%.*s'", (int)tn, t));
			if (all_digits(v, vn)) {
				pr.kind = LMREC_COLMAP_NUMBER;
				pr.lo = pr.hi = column_number(v, vn);
			} else if (dash && all_digits(v, (size_t)(dash - v)) &&
				   all_digits(dash + 1, vn - (size_t)(dash - v) - 1)) {
				pr.kind = LMREC_COLMAP_RANGE;
				pr.lo = column_number(v, (size_t)(dash - v));
				pr.hi = column_number(dash + 1, vn - (size_t)(dash - v) - 1);
				if (pr.lo && pr.hi && pr.lo > pr.hi)
					return fail(m, err, lmrec_xasprintf("range '%.*s' of '%.*s' runs backwards",
									    (int)vn, v, (int)tn, t));
			} else {
				pr.text = lmrec_xstrndup(v, vn);
			}
			if (pr.kind != LMREC_COLMAP_NAME && (pr.lo == 0 || pr.hi == 0))
				return fail(m, err,
					    lmrec_xasprintf("column number '%.*s' of '%.*s' is out of range "
							    "(1 to 1000000)",
							    (int)vn, v, (int)tn, t));
		}
		pr.target = lmrec_xstrndup(t, tn);
		LMREC_GROW(m->p, cap, m->n + 1);
		m->p[m->n++] = pr;
		if (!*end)
			break;
		p = end + 1;
	}
	return 0;
}

void lmrec_colmap_free(struct lmrec_colmap *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->p[i].target);
		free(m->p[i].text);
	}
	free(m->p);
	m->p = NULL;
	m->n = 0;
}

const struct lmrec_colmap_pair *lmrec_colmap_get(const struct lmrec_colmap *m, const char *target)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->p[i].target, target) == 0)
			return &m->p[i];
	return NULL;
}

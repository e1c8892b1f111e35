/* lmrec — an items stream held in memory. */
#include <stdlib.h>
#include <string.h>

#include "attrs.h"
#include "catalog.h"
#include "tsv.h"
#include "util.h"

static char *decode(const struct lmrec_tsv *r, long col)
{
	if (col < 0)
		return lmrec_xstrdup("");
	struct lmrec_field f = r->f[col];
	char *s = lmrec_xmalloc(f.len + 1);
	s[lmrec_tsv_unescape(s, f.p, f.len)] = '\0';
	return s;
}

static int32_t intern_opt(struct lmrec_ids *d, const struct lmrec_tsv *r, long col)
{
	if (col < 0 || r->f[col].len == 0)
		return -1;
	return (int32_t)lmrec_ids_intern(d, r->f[col].p, r->f[col].len);
}

void lmrec_catalog_load(struct lmrec_catalog *c, const char *path)
{
	memset(c, 0, sizeof *c);
	c->items = lmrec_ids_new();
	c->categories = lmrec_ids_new();
	c->domains = lmrec_ids_new();
	c->keys = lmrec_ids_new();
	c->values = lmrec_ids_new();
	struct lmrec_tsv *r = lmrec_tsv_open(path);
	size_t ci = lmrec_tsv_col(r, "item");
	long ct = lmrec_tsv_col_opt(r, "title"), cx = lmrec_tsv_col_opt(r, "text");
	long cc = lmrec_tsv_col_opt(r, "category"), ca = lmrec_tsv_col_opt(r, "attrs");
	long cd = lmrec_tsv_col_opt(r, "domain"), cv = lmrec_tsv_col_opt(r, "available");
	c->has_domain = cd >= 0;
	size_t cap = 0, pcap = 0, np = 0;
	c->aptr = lmrec_xcalloc(1, sizeof *c->aptr);
	while (lmrec_tsv_read(r)) {
		struct lmrec_field f = r->f[ci];
		if (f.len == 0)
			lmrec_tsv_die(r, ci, "empty id");
		size_t n = c->n;
		if (lmrec_ids_intern(c->items, f.p, f.len) != n)
			lmrec_tsv_die(r, ci, "item '%.*s' appears twice", (int)(f.len > 40 ? 40 : f.len), f.p);
		if (n + 1 > cap) {
			cap = cap ? 2 * cap : 1024;
			c->title = lmrec_xreallocarray(c->title, cap, sizeof *c->title);
			c->text = lmrec_xreallocarray(c->text, cap, sizeof *c->text);
			c->attrs = lmrec_xreallocarray(c->attrs, cap, sizeof *c->attrs);
			c->category = lmrec_xreallocarray(c->category, cap, sizeof *c->category);
			c->domain = lmrec_xreallocarray(c->domain, cap, sizeof *c->domain);
			c->available = lmrec_xreallocarray(c->available, cap, 1);
			c->aptr = lmrec_xreallocarray(c->aptr, cap + 1, sizeof *c->aptr);
		}
		c->title[n] = decode(r, ct);
		c->text[n] = decode(r, cx);
		c->attrs[n] = decode(r, ca);
		c->category[n] = intern_opt(c->categories, r, cc);
		c->domain[n] = intern_opt(c->domains, r, cd);
		c->available[n] = 1;
		if (cv >= 0 && r->f[cv].len) {
			struct lmrec_field a = r->f[cv];
			if (a.len == 1 && a.p[0] == '0')
				c->available[n] = 0;
			else if (!(a.len == 1 && a.p[0] == '1'))
				lmrec_tsv_die(r, (size_t)cv, "'%.*s' is not 0 or 1", (int)(a.len > 40 ? 40 : a.len),
					      a.p);
		}
		if (ca >= 0 && r->f[ca].len) {
			struct lmrec_field a = r->f[ca];
			size_t at, atlen;
			const char *why = lmrec_attrs_check(a.p, a.len, &at, &atlen);
			if (why)
				lmrec_tsv_die(r, (size_t)ca, "'%.*s': %s", (int)(atlen > 40 ? 40 : atlen), a.p + at,
					      why);
			for (size_t i = 0; i < a.len;) {
				const char *semi = memchr(a.p + i, ';', a.len - i);
				size_t end = semi ? (size_t)(semi - a.p) : a.len;
				const char *eq = memchr(a.p + i, '=', end - i);
				size_t klen = (size_t)(eq - (a.p + i));
				if (np + 1 > pcap) {
					pcap = pcap ? 2 * pcap : 4096;
					c->akey = lmrec_xreallocarray(c->akey, pcap, sizeof *c->akey);
					c->aval = lmrec_xreallocarray(c->aval, pcap, sizeof *c->aval);
				}
				c->akey[np] = lmrec_ids_intern(c->keys, a.p + i, klen);
				c->aval[np] = lmrec_ids_intern(c->values, eq + 1, end - i - klen - 1);
				np++;
				i = end + 1;
			}
		}
		c->aptr[n + 1] = np;
		c->n = n + 1;
	}
	lmrec_tsv_close(r);
	/* each item's distinct pairs, sorted */
	c->uptr = lmrec_xcalloc(c->n + 1, sizeof *c->uptr);
	c->ucode = lmrec_xcalloc(np + 1, sizeof *c->ucode);
	size_t m = 0;
	for (size_t i = 0; i < c->n; i++) {
		uint64_t *u = c->ucode + m;
		size_t k = 0;
		for (uint64_t p = c->aptr[i]; p < c->aptr[i + 1]; p++)
			u[k++] = (uint64_t)c->akey[p] << 32 | c->aval[p];
		for (size_t a = 1; a < k; a++) { /* insertion sort: a few pairs */
			uint64_t v = u[a];
			size_t b = a;
			while (b > 0 && u[b - 1] > v) {
				u[b] = u[b - 1];
				b--;
			}
			u[b] = v;
		}
		size_t d = 0;
		for (size_t a = 0; a < k; a++)
			if (d == 0 || u[d - 1] != u[a])
				u[d++] = u[a];
		m += d;
		c->uptr[i + 1] = m;
	}
	c->order = lmrec_xcalloc(c->n + 1, sizeof *c->order);
	uint32_t *sorted = lmrec_ids_sorted(c->items);
	for (size_t k = 0; k < c->n; k++)
		c->order[sorted[k]] = (uint32_t)k;
	free(sorted);
}

void lmrec_catalog_free(struct lmrec_catalog *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->title[i]);
		free(c->text[i]);
		free(c->attrs[i]);
	}
	free(c->title);
	free(c->text);
	free(c->attrs);
	free(c->category);
	free(c->domain);
	free(c->available);
	free(c->aptr);
	free(c->akey);
	free(c->aval);
	free(c->uptr);
	free(c->ucode);
	free(c->order);
	lmrec_ids_free(c->items);
	lmrec_ids_free(c->categories);
	lmrec_ids_free(c->domains);
	lmrec_ids_free(c->keys);
	lmrec_ids_free(c->values);
	memset(c, 0, sizeof *c);
}

int lmrec_catalog_has(const struct lmrec_catalog *c, uint32_t i, uint32_t key, uint32_t value)
{
	for (uint64_t p = c->aptr[i]; p < c->aptr[i + 1]; p++)
		if (c->akey[p] == key && c->aval[p] == value)
			return 1;
	return 0;
}

int lmrec_catalog_has_key(const struct lmrec_catalog *c, uint32_t i, uint32_t key)
{
	return lmrec_catalog_value(c, i, key) >= 0;
}

int64_t lmrec_catalog_value(const struct lmrec_catalog *c, uint32_t i, uint32_t key)
{
	for (uint64_t p = c->aptr[i]; p < c->aptr[i + 1]; p++)
		if (c->akey[p] == key)
			return c->aval[p];
	return -1;
}

double lmrec_catalog_jaccard(const struct lmrec_catalog *c, uint32_t a, uint32_t b)
{
	uint64_t p = c->uptr[a], pe = c->uptr[a + 1], q = c->uptr[b], qe = c->uptr[b + 1];
	size_t shared = 0, uni = (size_t)(pe - p + qe - q);
	while (p < pe && q < qe) {
		if (c->ucode[p] == c->ucode[q]) {
			shared++;
			p++;
			q++;
		} else if (c->ucode[p] < c->ucode[q]) {
			p++;
		} else {
			q++;
		}
	}
	uni -= shared;
	return uni ? (double)shared / (double)uni : 0.0;
}

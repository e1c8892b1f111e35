/* lmrec — an items stream held in memory (SPEC.md §3): each item's title,
 * text, category, domain, availability and attributes, the attributes as
 * (key, value) pairs of two dictionaries, so that tools can count, compare
 * and match them without parsing strings again.
 *
 * Items keep the order of the stream (index r is the item of data row r).
 * Ids, categories, domains, keys and values are kept in their escaped TSV
 * form (the encoding is injective, so they compare correctly); titles,
 * texts and the attrs strings are decoded, NUL-terminated. */
#ifndef LMREC_CATALOG_H
#define LMREC_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "ids.h"

struct lmrec_catalog {
	size_t n;
	struct lmrec_ids *items;      /* item ids, index = row order */
	uint32_t *order;              /* (n) place of each item in byte order of the ids */
	char **title;                 /* (n) decoded; "" when the field is empty or absent */
	char **text;                  /* (n) decoded; "" likewise */
	char **attrs;                 /* (n) decoded attrs field; "" likewise */
	struct lmrec_ids *categories; /* category names */
	struct lmrec_ids *domains;    /* domain names */
	int32_t *category;            /* (n) index in categories, -1 when empty */
	int32_t *domain;              /* (n) index in domains, -1 when empty */
	unsigned char *available;     /* (n) 0 for available=0, else 1 */
	int has_domain;               /* the stream has a domain column */
	struct lmrec_ids *keys;       /* attribute keys */
	struct lmrec_ids *values;     /* attribute values (one dictionary for all keys) */
	uint64_t *aptr;               /* (n + 1) the pairs of item r: [aptr[r], aptr[r + 1]) */
	uint32_t *akey, *aval;        /* (pairs) key and value indices, in the field's order */
	uint64_t *uptr;               /* (n + 1) the distinct pairs of item r: [uptr[r], uptr[r + 1]) */
	uint64_t *ucode;              /* key << 32 | value, ascending (for lmrec_catalog_jaccard) */
};

/* Reads an items stream (column item required; title, text, category,
 * attrs, domain and available when present). An empty or repeated id, an
 * attrs field that lmrec_attrs_check refuses, or an available other than
 * 0 or 1 dies (65) naming the file, line and column. */
void lmrec_catalog_load(struct lmrec_catalog *c, const char *path);
void lmrec_catalog_free(struct lmrec_catalog *c);

/* Index of an item id, or -1. */
static inline int64_t lmrec_catalog_find(const struct lmrec_catalog *c, const char *id, size_t len)
{
	return lmrec_ids_find(c->items, id, len);
}
/* 1 when item i has the pair (key, value). */
int lmrec_catalog_has(const struct lmrec_catalog *c, uint32_t i, uint32_t key, uint32_t value);
/* 1 when item i has some value of key. */
int lmrec_catalog_has_key(const struct lmrec_catalog *c, uint32_t i, uint32_t key);
/* The first value of key in item i, or -1. */
int64_t lmrec_catalog_value(const struct lmrec_catalog *c, uint32_t i, uint32_t key);
/* Jaccard similarity of the two items' sets of pairs: shared pairs over
 * the pairs of either; 0 when both have none. */
double lmrec_catalog_jaccard(const struct lmrec_catalog *c, uint32_t a, uint32_t b);

#endif

/* lmrec — id dictionaries (see ids.h). */
#include <stdlib.h>
#include <string.h>

#include "ids.h"
#include "util.h"

#define BLOCK_BYTES (1u << 20)

struct lmrec_ids_block {
	struct lmrec_ids_block *next;
	size_t used, cap;
	char data[];
};

uint64_t lmrec_hash64(const void *p, size_t len)
{
	/* 8 bytes at a time with a multiply-xorshift mix: good spread on the
	 * short, similar ids (numbers, codes) recommenders see. */
	const unsigned char *s = p;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ (len * 0xff51afd7ed558ccdull);
	while (len >= 8) {
		/* little-endian whatever the host, as the tail below: hashes
		 * seed per-id random streams, which must not depend on it */
		uint64_t w = lmrec_get_le64(s);
		h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
		h ^= h >> 29;
		s += 8;
		len -= 8;
	}
	uint64_t w = 0;
	for (size_t i = 0; i < len; i++)
		w |= (uint64_t)s[i] << (8 * i);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 32;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 29;
	return h;
}

struct lmrec_ids *lmrec_ids_new(void)
{
	struct lmrec_ids *ids = lmrec_xcalloc(1, sizeof *ids);
	ids->nslots = 64;
	ids->slots = lmrec_xcalloc(ids->nslots, sizeof *ids->slots);
	return ids;
}

void lmrec_ids_free(struct lmrec_ids *ids)
{
	if (!ids)
		return;
	for (struct lmrec_ids_block *b = ids->blocks, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	free(ids->slots);
	free(ids->str);
	free(ids->len);
	free(ids->hash);
	free(ids);
}

static const char *arena_copy(struct lmrec_ids *ids, const char *s, size_t len)
{
	struct lmrec_ids_block *b = ids->blocks;
	if (!b || b->cap - b->used < len + 1) {
		size_t cap = len + 1 > BLOCK_BYTES ? len + 1 : BLOCK_BYTES;
		b = lmrec_xmalloc(sizeof *b + cap);
		b->cap = cap;
		b->used = 0;
		b->next = ids->blocks;
		ids->blocks = b;
	}
	char *d = b->data + b->used;
	memcpy(d, s, len);
	d[len] = '\0'; /* so ids can be printed with %s when they hold no NUL */
	b->used += len + 1;
	return d;
}

/* A slot: index+1 below, the hash's high half above (the low bits of the
 * hash pick the slot, so the high ones tell ids apart within a run). */
static uint64_t slot_of(uint32_t idx, uint64_t h) { return (h & ~(uint64_t)UINT32_MAX) | (idx + 1u); }
static uint32_t slot_index(uint64_t v) { return (uint32_t)v - 1; }

static void rehash(struct lmrec_ids *ids)
{
	size_t ns = ids->nslots * 2;
	uint64_t *slots = lmrec_xcalloc(ns, sizeof *slots);
	for (size_t i = 0; i < ids->n; i++) {
		size_t j = ids->hash[i] & (ns - 1);
		while (slots[j])
			j = (j + 1) & (ns - 1);
		slots[j] = slot_of((uint32_t)i, ids->hash[i]);
	}
	free(ids->slots);
	ids->slots = slots;
	ids->nslots = ns;
}

/* The slot holding the id, or the empty slot where it would go. */
static size_t probe(const struct lmrec_ids *ids, const char *s, size_t len, uint64_t h)
{
	size_t mask = ids->nslots - 1, j = h & mask;
	uint64_t high = h & ~(uint64_t)UINT32_MAX;
	for (;;) {
		uint64_t v = ids->slots[j];
		if (!v)
			return j;
		if ((v & ~(uint64_t)UINT32_MAX) == high) {
			uint32_t i = slot_index(v);
			if (ids->len[i] == len && memcmp(ids->str[i], s, len) == 0)
				return j;
		}
		j = (j + 1) & mask;
	}
}

int64_t lmrec_ids_find(const struct lmrec_ids *ids, const char *s, size_t len)
{
	uint64_t v = ids->slots[probe(ids, s, len, lmrec_hash64(s, len))];
	return v ? (int64_t)slot_index(v) : -1;
}

uint32_t lmrec_ids_intern(struct lmrec_ids *ids, const char *s, size_t len)
{
	if (ids->last) {
		uint32_t i = ids->last - 1;
		if (ids->len[i] == len && memcmp(ids->str[i], s, len) == 0)
			return i;
	}
	uint64_t h = lmrec_hash64(s, len);
	size_t j = probe(ids, s, len, h);
	if (ids->slots[j]) {
		uint32_t i = slot_index(ids->slots[j]);
		ids->last = i + 1;
		return i;
	}
	if (ids->n >= UINT32_MAX - 1)
		lmrec_die(LMREC_EXIT_FAIL, "more than %u distinct ids", UINT32_MAX - 1);
	if (len > UINT32_MAX)
		lmrec_die(LMREC_EXIT_FAIL, "an id longer than 4 GiB");
	if (ids->n == ids->cap) {
		size_t cap = ids->cap ? ids->cap * 2 : 1024;
		ids->str = lmrec_xreallocarray(ids->str, cap, sizeof *ids->str);
		ids->len = lmrec_xreallocarray(ids->len, cap, sizeof *ids->len);
		ids->hash = lmrec_xreallocarray(ids->hash, cap, sizeof *ids->hash);
		ids->cap = cap;
	}
	uint32_t i = (uint32_t)ids->n++;
	ids->str[i] = arena_copy(ids, s, len);
	ids->len[i] = (uint32_t)len;
	ids->hash[i] = h;
	ids->slots[j] = slot_of(i, h);
	ids->last = i + 1;
	if (ids->n * 4 > ids->nslots * 3) /* keep the load under 3/4 */
		rehash(ids);
	return i;
}

int lmrec_ids_cmp(const struct lmrec_ids *ids, uint32_t a, uint32_t b)
{
	size_t la = ids->len[a], lb = ids->len[b];
	int c = memcmp(ids->str[a], ids->str[b], la < lb ? la : lb);
	if (c)
		return c;
	return la < lb ? -1 : la > lb;
}

/* qsort has no context argument in C17: sort (pointer, length) pairs. */
struct keyed {
	const char *s;
	uint32_t len, idx;
};

static int cmp_keyed(const void *pa, const void *pb)
{
	const struct keyed *a = pa, *b = pb;
	int c = memcmp(a->s, b->s, a->len < b->len ? a->len : b->len);
	if (c)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

uint32_t *lmrec_ids_sorted(const struct lmrec_ids *ids)
{
	struct keyed *k = lmrec_xcalloc(ids->n, sizeof *k);
	for (size_t i = 0; i < ids->n; i++)
		k[i] = (struct keyed){ids->str[i], ids->len[i], (uint32_t)i};
	qsort(k, ids->n, sizeof *k, cmp_keyed);
	uint32_t *out = lmrec_xcalloc(ids->n, sizeof *out);
	for (size_t i = 0; i < ids->n; i++)
		out[i] = k[i].idx;
	free(k);
	return out;
}

struct lmrec_ids *lmrec_ids_sorted_copy(const struct lmrec_ids *src, uint32_t **map_out)
{
	uint32_t *order = lmrec_ids_sorted(src);
	size_t n = lmrec_ids_count(src);
	uint32_t *map = lmrec_xcalloc(n + 1, sizeof *map);
	struct lmrec_ids *dst = lmrec_ids_new();
	for (size_t r = 0; r < n; r++) {
		size_t len;
		const char *str = lmrec_ids_str(src, order[r], &len);
		map[order[r]] = lmrec_ids_intern(dst, str, len);
	}
	free(order);
	*map_out = map;
	return dst;
}

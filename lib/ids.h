/* lmrec — id dictionaries: string ids to dense indices 0..n-1 and back.
 *
 * Ids are byte strings (kept in their escaped TSV form). Indices are given
 * in order of first appearance. The table is open addressing with linear
 * probing over 64-bit hashes, strings packed in large arena blocks, so
 * tens of millions of ids cost 30 to 60 bytes each (the arrays grow by
 * doubling) plus their text. A slot keeps half of the hash beside the
 * index, so a probe looks at the id itself only when that half matches. */
#ifndef LMREC_IDS_H
#define LMREC_IDS_H

#include <stddef.h>
#include <stdint.h>

struct lmrec_ids {
	uint64_t *slots;   /* (nslots) 0 = empty, else the id's index+1 in the low
			    * 32 bits and the high 32 bits of its hash above */
	size_t nslots;     /* a power of two */
	const char **str;  /* (n) pointers into the arena */
	uint32_t *len;     /* (n) byte lengths */
	uint64_t *hash;    /* (n) hashes, so growing never rehashes text */
	size_t n, cap;
	struct lmrec_ids_block *blocks; /* arena */
	uint32_t last;     /* index+1 of the id interned last (0: none): streams
			    * grouped by user repeat it row after row */
};

struct lmrec_ids *lmrec_ids_new(void);
void lmrec_ids_free(struct lmrec_ids *ids);
/* Index of the id, added if new. Dies if there are more than 2^32-1 ids. */
uint32_t lmrec_ids_intern(struct lmrec_ids *ids, const char *s, size_t len);
/* Index of the id, or -1 when absent. */
int64_t lmrec_ids_find(const struct lmrec_ids *ids, const char *s, size_t len);
static inline size_t lmrec_ids_count(const struct lmrec_ids *ids) { return ids->n; }
static inline const char *lmrec_ids_str(const struct lmrec_ids *ids, uint32_t i, size_t *len)
{
	*len = ids->len[i];
	return ids->str[i];
}
/* Compares two ids in byte order (memcmp, shorter first on a tie). */
int lmrec_ids_cmp(const struct lmrec_ids *ids, uint32_t a, uint32_t b);
/* A fresh array (n) of all indices, sorted by the ids' byte order. */
uint32_t *lmrec_ids_sorted(const struct lmrec_ids *ids);
/* A new dictionary with the ids of src in byte order; *map_out (a fresh
 * array, count + 1 entries) gives each old index its new one. */
struct lmrec_ids *lmrec_ids_sorted_copy(const struct lmrec_ids *src, uint32_t **map_out);
/* 64-bit hash of a byte string (also used for seeding per-id streams). */
uint64_t lmrec_hash64(const void *p, size_t len);

#endif

/* lmrec — a vectors stream held in memory (SPEC.md §3): a key column
 * (item or user) then one column per dimension, d0 ... dN. */
#ifndef LMREC_VECTORS_H
#define LMREC_VECTORS_H

#include <stddef.h>

#include "ids.h"

struct lmrec_vectors {
	struct lmrec_ids *ids; /* row r is the vector of id r */
	float *v;              /* (n, dim) */
	size_t n, dim;
};

/* Reads path; key is "item" or "user". The dimension columns are found by
 * name (d0, d1, ... with no gap), other columns are ignored. An id given
 * twice, an empty id, a bad number or no d0 column die (65). */
void lmrec_vectors_read(struct lmrec_vectors *vs, const char *path, const char *key);
void lmrec_vectors_free(struct lmrec_vectors *vs);
/* The vector of an id, or NULL. */
const float *lmrec_vectors_find(const struct lmrec_vectors *vs, const char *id, size_t len);
/* Cosine of two vectors of dim floats, in double; 0 when either is zero. */
double lmrec_cosine(const float *a, const float *b, size_t dim);

#endif

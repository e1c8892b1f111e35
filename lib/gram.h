/* lmrec — the item-item Gram matrix G = X^T X of a users x items matrix,
 * sparse, and its files: what item-kNN (co-occurrence counts) and EASE
 * (its Gram matrix) are built from. Sums over users, so the Gram matrix of
 * every user is the sum of those of shards of users (lmrec-gram): hosts
 * that each keep their own users' interactions send only their part. */
#ifndef LMREC_GRAM_H
#define LMREC_GRAM_H

#include <stddef.h>
#include <stdint.h>

#include "csr.h"
#include "ids.h"

/* Row i holds g_ij = sum_u x_ui x_uj for every item j sharing a user with
 * i, the diagonal included, sorted by j; with binary X, g_ij counts the
 * users of both and g_ii the users of i. */
struct lmrec_gram {
	size_t n;      /* items */
	uint64_t *ptr; /* (n + 1) */
	uint32_t *idx; /* (nnz) */
	double *val;   /* (nnz) */
};

/* G of ui (users x items, with its values) and iu its transpose; rows
 * split among threads, each summed in user order. */
void lmrec_gram_of(struct lmrec_gram *g, const struct lmrec_csr *ui, const struct lmrec_csr *iu,
		   int threads);
/* The sum of several Gram matrices, each over its own items: its items
 * (the union, byte order) in *items, the parts added in the order given. */
void lmrec_gram_sum(struct lmrec_gram *g, struct lmrec_ids **items, const struct lmrec_gram *parts,
		    struct lmrec_ids *const *part_items, size_t nparts);
void lmrec_gram_free(struct lmrec_gram *g);

/* The file (model kind gram): the items, the rows, the number of users
 * summed over and whether X held weights (1) or was binary (0). */
void lmrec_gram_write(const struct lmrec_gram *g, const struct lmrec_ids *items, uint64_t users,
		      int weighted, const char *path);
/* Reads path; dies (65) naming it when it is not a valid Gram file. The
 * arrays are copies; free with lmrec_gram_free and lmrec_ids_free. */
void lmrec_gram_read(const char *path, struct lmrec_gram *g, struct lmrec_ids **items, uint64_t *users,
		     int *weighted);

#endif

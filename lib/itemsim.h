/* lmrec — how alike two items are, from trained models and from the
 * catalog's attributes (the coherence of lmrec-generate):
 *
 *     S(a, b) = (1 - C) pair(a, b) + C jaccard(a, b)
 *
 * pair is the mean, over the models that relate items (every kind but
 * popular and sasrec), of what a model says of b given a, clipped to
 * [-1, 1]: the cosine of the two item vectors (als, bpr, align, semantic),
 * or the item-kNN similarity or EASE weight divided by the model's strength
 * of a pair (the mean over items of their largest weight to another item);
 * a model that lacks either item says 0. jaccard is lmrec_catalog_jaccard,
 * C the content share.
 *
 * Items are indices of the caller's item dictionary: to_model[m][i] is item
 * i's index in model m (-1: absent), and an index of at least the catalog's
 * n has no attributes. */
#ifndef LMREC_ITEMSIM_H
#define LMREC_ITEMSIM_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "recmodel.h"

struct lmrec_itemsim;

/* The models, their maps and the catalog are borrowed: they must outlive
 * it. content is C, in [0, 1]. */
struct lmrec_itemsim *lmrec_itemsim_new(const struct lmrec_catalog *c, const struct lmrec_recmodel *const *models,
					const int64_t *const *to_model, size_t nmodels, double content);
void lmrec_itemsim_free(struct lmrec_itemsim *s);

/* S(a, b). */
double lmrec_itemsim(const struct lmrec_itemsim *s, uint32_t a, uint32_t b);
/* out (nr, nc) = S(rows[r], cols[c]) for every pair, in bulk: a product
 * over BLAS for vectors, the neighbour lists for item-kNN, bit sets of the
 * attribute pairs. Uses s's scratch: one thread at a time. */
void lmrec_itemsim_block(struct lmrec_itemsim *s, const uint32_t *rows, size_t nr, const uint32_t *cols, size_t nc,
			 float *out);

#endif

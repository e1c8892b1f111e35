/* lmrec — item-based nearest neighbours (Sarwar et al., WWW 2001; Deshpande
 * and Karypis, TOIS 2004): for every item its k most similar items, and a
 * user's score for an item the sum of its similarities to the user's items.
 *
 * Similarities over the binary users x items matrix, with c_ij the users of
 * both items, n_i the users of i and s the shrinkage:
 *   cosine        c_ij / (sqrt(n_i n_j) + s)
 *   cooccurrence  c_ij / (n_i + s)   (the share of i's users who also have j) */
#ifndef LMREC_ITEMKNN_H
#define LMREC_ITEMKNN_H

#include <stddef.h>
#include <stdint.h>

#include "csr.h"
#include "gram.h"

enum lmrec_sim { LMREC_SIM_COSINE, LMREC_SIM_COOCCURRENCE };

/* nb becomes an items x items CSR: row i holds i's (at most) k neighbours
 * with their similarity, i itself excluded, sorted by item index. ui and iu
 * are the interaction matrix and its transpose. */
void lmrec_itemknn_fit(struct lmrec_csr *nb, const struct lmrec_csr *ui, const struct lmrec_csr *iu,
		       size_t k, double shrink, enum lmrec_sim sim, int threads);

/* The same neighbours from the co-occurrence counts C of the binary
 * matrix (lib/gram.h): identical to lmrec_itemknn_fit on the
 * interactions C counts. */
void lmrec_itemknn_fit_gram(struct lmrec_csr *nb, const struct lmrec_gram *C, size_t k, double shrink,
			    enum lmrec_sim sim, int threads);

#endif

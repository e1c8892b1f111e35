/* lmrec — item vectors composed from word vectors: the smooth inverse
 * frequency (SIF) weighted mean with the common component removed (Arora,
 * Liang and Ma, "A simple but tough-to-beat baseline for sentence
 * embeddings", ICLR 2017).
 *
 * An item's vector is the mean over its tokens that have a word vector of
 * a / (a + p(w)) vec(w), with p(w) the word's share of all the tokens of
 * the catalog; then the projection of every item vector on the first npc
 * principal directions of the set (the top eigenvectors of V^T V, not
 * centred, as the paper's code does) is removed; then each vector is
 * scaled to unit length. */
#ifndef LMREC_SIF_H
#define LMREC_SIF_H

#include <stddef.h>
#include <stdint.h>

#include "corpus.h"

/* The weight a / (a + p) of a word of probability p. */
static inline double lmrec_sif_weight(double a, double p) { return a / (a + p); }

/* V (n items, dim): the weighted means. wv (n words, dim) holds the word
 * vectors of the corpus's words, known (n words) says which have one (NULL:
 * all). has (n items) is set to 1 for an item with at least one known
 * token, else 0 (its row of V is then zero). Returns the number of items
 * with a vector. */
size_t lmrec_sif_mean(float *V, unsigned char *has, const struct lmrec_corpus *c, const float *wv,
		      const unsigned char *known, size_t dim, double a);

/* Removes from each row of V (n, dim) with has[i] (NULL: every row) its
 * projection on the first npc principal directions of those rows (double
 * precision, LAPACK dsyevr on the dim x dim second-moment matrix). dirs,
 * when not NULL, receives the directions (npc, dim). */
void lmrec_remove_pc(float *V, const unsigned char *has, size_t n, size_t dim, size_t npc, double *dirs);

/* Scales each row of V (n, dim) to unit length; a zero row stays zero.
 * Returns the number of zero rows. */
size_t lmrec_l2_normalize_rows(float *V, size_t n, size_t dim);

#endif

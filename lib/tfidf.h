/* lmrec — TF-IDF of a tokenised catalog, the input of latent semantic
 * analysis: one row per item, one column per word, with sublinear term
 * frequency 1 + ln(tf), smooth inverse document frequency
 * ln((1 + n) / (1 + df)) + 1 (n items, df items holding the word), and each
 * row scaled to unit length (scikit-learn's TfidfVectorizer with
 * sublinear_tf=True, its defaults otherwise). */
#ifndef LMREC_TFIDF_H
#define LMREC_TFIDF_H

#include <stddef.h>
#include <stdint.h>

#include "corpus.h"
#include "csr.h"

/* X (items, kept words): words in fewer than min_df items are left out;
 * col (n corpus words) receives each word's column or -1 (NULL: not
 * wanted). Returns the number of columns. */
size_t lmrec_tfidf_build(struct lmrec_csr *X, int64_t *col, const struct lmrec_corpus *c, size_t min_df);

#endif

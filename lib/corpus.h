/* lmrec — a tokenised catalog in memory: the tokens stream of
 * lmrec-tokenize (columns item and tokens, others ignored), each item's
 * tokens as word indices, and the word dictionary with its counts. The
 * text methods of lmrec-embed (skip-gram, pretrained word vectors, TF-IDF)
 * read their input through it.
 *
 * tokens is a list of words separated by spaces (runs of spaces count as
 * one; leading and trailing spaces are ignored); words stay in their
 * escaped TSV form, as bytes. Items keep their input order. */
#ifndef LMREC_CORPUS_H
#define LMREC_CORPUS_H

#include <stddef.h>
#include <stdint.h>

#include "ids.h"

struct lmrec_corpus {
	struct lmrec_ids *items; /* index = input order */
	struct lmrec_ids *words; /* index = order of first appearance */
	uint64_t *count;         /* (n words) occurrences over the catalog */
	uint64_t *start;         /* (n items + 1) first token of each item in tok */
	uint32_t *tok;           /* (ntokens) word indices, item after item */
	size_t ntokens;
	size_t ccount, cstart, ctok; /* capacities */
};

/* Reads the files (none, or "-": standard input; several files must have
 * the same header). An empty item id or an item given twice dies (65)
 * with the file, line and column. */
void lmrec_corpus_read(struct lmrec_corpus *c, char *const *files, size_t nfiles);
void lmrec_corpus_free(struct lmrec_corpus *c);
static inline size_t lmrec_corpus_items(const struct lmrec_corpus *c) { return lmrec_ids_count(c->items); }
static inline size_t lmrec_corpus_words(const struct lmrec_corpus *c) { return lmrec_ids_count(c->words); }

#endif

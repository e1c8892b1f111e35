/* lmrec — the short summary of a generated list (lmrec-generate): built
 * in, from the words of the items' attributes and the user's tastes, or
 * written by an external language model (the "summary" task of the
 * protocol in lmrec-formats(5), lib/llm.h) and checked against the items it
 * must name.
 *
 * How a pair reads in words: value "yes" reads as its key ("waterproof"),
 * "no" and a value that is an item id say nothing; a number, and a value
 * that more than one key of the item's domain takes ("high" is a warmth
 * and a price), read as "value key" ("2 people", "high warmth"); a value
 * the catalog's titles and texts write capitalised inside a sentence, and
 * never in lower case, is a name and is capitalised ("Caldor", "Korean");
 * '_' reads as a space ("gluten free"). */
#ifndef LMREC_SUMMARY_H
#define LMREC_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"

struct lmrec_summarizer;

/* Learns how each pair of the catalog reads; c must outlive it. */
struct lmrec_summarizer *lmrec_summarizer_new(const struct lmrec_catalog *c);
void lmrec_summarizer_free(struct lmrec_summarizer *s);

/* The words pair (key, value) of item i reads as (a fresh string), or NULL
 * when it says nothing. */
char *lmrec_summary_word(const struct lmrec_summarizer *s, uint32_t i, uint32_t key, uint32_t value);

/* A user's tastes: the pairs that most of the items hist[0..n) have, most
 * frequent first (ties: the word in byte order), those that read as words
 * and at least 2 items have; at most max of them into key and value, and
 * into item (when not NULL) an item of hist that has the pair (to read it
 * with lmrec_summary_word). Returns how many. */
size_t lmrec_summary_tastes(const struct lmrec_summarizer *s, const uint32_t *hist, size_t n, size_t max,
			    uint32_t *key, uint32_t *value, uint32_t *item);

/* The built-in summary of the list items[0..n) (a fresh string):
 *
 *   "A light winter running kit: T1, T2, T3 and T4. Picked for your taste
 *    for running and light."
 *
 * The words before noun are those of the pairs at least 2 items and at
 * least half of the list share, most shared first (ties: the first met in
 * list order), at most 3, without repeats and without the pairs of key
 * skip_key (-1: none); then every item's title in list order; then the
 * tastes (key/value, ntaste of them) that some item of the list has, at
 * most 3. "An" replaces "A" before a vowel. */
char *lmrec_summary_text(const struct lmrec_summarizer *s, const uint32_t *items, size_t n, const char *noun,
			 int64_t skip_key, const uint32_t *tkey, const uint32_t *tval, size_t ntaste);

/* NULL when text (an external model's summary, see lmrec_llm_read_text)
 * names the title of every item of items[0..n) (an item without a title:
 * its id), ASCII letters compared without case, holds no control character
 * and is at most 4,000 bytes; else what is wrong with it. */
const char *lmrec_summary_check(const struct lmrec_catalog *c, const char *text, const uint32_t *items, size_t n);

#endif

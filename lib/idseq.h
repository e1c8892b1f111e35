/* lmrec — token-id sequences in memory: the WordPiece stream of
 * lmrec-tokenize --wordpiece (columns item and ids, others ignored), read
 * for a BERT-family encoder (lmrec-embed --method bert).
 *
 * ids is decimal token ids separated by single spaces (runs of spaces
 * count as one; leading and trailing spaces are ignored), [CLS] first and
 * [SEP] last as lmrec-tokenize writes them. Items keep their input order. */
#ifndef LMREC_IDSEQ_H
#define LMREC_IDSEQ_H

#include <stddef.h>
#include <stdint.h>

#include "ids.h"

struct lmrec_idseq {
	struct lmrec_ids *items; /* index = input order */
	uint64_t *start;         /* (n items + 1) first id of each item in id */
	int32_t *id;             /* (nids) token ids, item after item */
	size_t nids;
	size_t truncated;        /* items cut to max_len */
	size_t longest;          /* ids of the longest item before any cut */
	size_t cstart, cid;      /* capacities */
};

/* Reads the files (none, or "-": standard input; several files must have
 * the same header). Every id must be below vocab; an item longer than
 * max_len ids keeps its first max_len - 1 ids and its last one (the
 * [SEP]), as lmrec-tokenize --max-length cuts, and is counted in
 * truncated. An empty item id, an item given twice, an id that is not a
 * decimal integer or is not below vocab (named vocab_name in the message)
 * die (65) with the file, line and
 * column. An empty ids field is an item of no ids. */
void lmrec_idseq_read(struct lmrec_idseq *s, char *const *files, size_t nfiles, size_t vocab,
		      const char *vocab_name, size_t max_len);
void lmrec_idseq_free(struct lmrec_idseq *s);
static inline size_t lmrec_idseq_items(const struct lmrec_idseq *s) { return lmrec_ids_count(s->items); }
static inline size_t lmrec_idseq_len(const struct lmrec_idseq *s, size_t i)
{
	return (size_t)(s->start[i + 1] - s->start[i]);
}

#endif

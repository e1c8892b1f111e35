/* lmrec — pretrained word vectors: a word dictionary with a vector per
 * word, read from the fastText / GloVe text format or the word2vec binary
 * format, and written in the text format.
 *
 * Text (.vec, .vec.gz, GloVe .txt; gzip recognised by its magic bytes): a
 * line per word, the word then its values separated by single spaces
 * (trailing spaces and a CR before the LF are ignored). An optional first
 * line "count dim" (two integers, as fastText writes it; GloVe has none)
 * announces the size. Binary (word2vec; chosen by a name ending in ".bin"
 * or ".bin.gz"): the line "count dim", then per word its bytes up to a
 * space and dim little-endian float32, optionally followed by an LF; only
 * LFs may follow the last vector (the file is read to its end, so that a
 * gzip stream is checked whole).
 *
 * Words are raw bytes in the files; in memory they are kept in escaped
 * TSV form (TAB, LF, CR and backslash as \t \n \r \\), the form tokens
 * streams use, so they match the tokens of lmrec-tokenize byte for byte.
 *
 * Every row is checked whatever is kept: a ragged row, a value that is
 * not a finite number, an empty word, a word given twice, a count that
 * differs from the header's, a truncated binary file, a truncated or
 * corrupt gzip stream (lib/gzin.h) all die (65) with one line naming the
 * file and the line (the word's number in a binary file). */
#ifndef LMREC_WORDVEC_H
#define LMREC_WORDVEC_H

#include <stddef.h>

#include "ids.h"

struct lmrec_wordvec {
	struct lmrec_ids *words; /* the words kept, in file order */
	float *v;                /* (n, dim) */
	size_t n, dim;
	size_t total;            /* words in the file */
};

/* Reads path; keep, when not NULL, restricts what is stored to its words
 * (the catalog's vocabulary: a crawl of millions of words then costs the
 * memory of the few thousand the catalog uses). */
void lmrec_wordvec_read(struct lmrec_wordvec *wv, const char *path, const struct lmrec_ids *keep);
void lmrec_wordvec_free(struct lmrec_wordvec *wv);
/* True when path names a word2vec binary file (.bin, .bin.gz). */
int lmrec_wordvec_is_binary(const char *path);

/* Writes the words of ids (escaped form) whose use[] is set (NULL: all) with
 * their rows of v (n, dim) in the text format, "count dim" first, values
 * %.9g; a name ending in .gz is compressed. A word that holds a space,
 * TAB, CR, LF or NUL once decoded cannot be written: it is left out. Returns
 * the number left out. */
size_t lmrec_wordvec_write(const char *path, const struct lmrec_ids *ids, const unsigned char *use,
			   const float *v, size_t dim);

#endif

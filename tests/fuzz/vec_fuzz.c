/* Fuzz target: pretrained word vectors (lib/wordvec.c: fastText / GloVe
 * text, .vec, and word2vec binary, .bin; plain or gzip) and vectors
 * streams (lib/vectors.c: item or user, then d0 ... dN), the inputs of
 * lmrec-embed.
 *
 * The first byte of an input is a mode, the rest the file:
 *   bits 0-1: word vectors as text, word2vec binary, a vectors stream keyed
 *             by item, one keyed by user
 *   bit 2:    word vectors: keep only a few words (the catalog's vocabulary)
 *   bit 3:    word vectors: write what was read (lmrec_wordvec_write) and
 *             read it back
 * What loads keeps wordvec.h's promises: at least one dimension, finite
 * values, words non-empty, distinct and in escaped form, n <= total, kept
 * words among those asked for; a vectors stream finds each id's row. The
 * round trip gives the same words, less those the text format cannot
 * carry (the count lmrec_wordvec_write returns), with the same float bits.
 * A die must be bad data (65). */
#include <math.h>

#include "harness.h"
#include "vectors.h"
#include "wordvec.h"

struct vec_run {
	const char *path;
	unsigned mode;
	struct lmrec_ids *keep; /* made before the guard */
	struct lmrec_wordvec *wv; /* filled by the guarded read, freed by the caller */
};

static void vec_check_word(const char *p, size_t len)
{
	FUZZ_ASSERT(len > 0);
	FUZZ_ASSERT(!memchr(p, '\t', len) && !memchr(p, '\n', len) && !memchr(p, '\r', len));
	FUZZ_ASSERT(lmrec_tsv_check_escapes(p, len) == -1);
}

static void vec_read_words(void *arg)
{
	struct vec_run *run = arg;
	struct lmrec_wordvec *wv = run->wv;
	lmrec_wordvec_read(wv, run->path, run->keep);
	FUZZ_ASSERT(wv->dim >= 1 && wv->n <= wv->total && wv->n == lmrec_ids_count(wv->words));
	for (size_t i = 0; i < wv->n * wv->dim; i++)
		FUZZ_ASSERT(isfinite(wv->v[i]));
	for (uint32_t i = 0; i < wv->n; i++) {
		size_t len;
		const char *w = lmrec_ids_str(wv->words, i, &len);
		vec_check_word(w, len);
		FUZZ_ASSERT(!run->keep || lmrec_ids_find(run->keep, w, len) >= 0);
	}
}

static void vec_read_stream(void *arg)
{
	struct vec_run *run = arg;
	struct lmrec_vectors vs;
	lmrec_vectors_read(&vs, run->path, (run->mode & 3u) == 2 ? "item" : "user");
	FUZZ_ASSERT(vs.dim >= 1 && vs.n == lmrec_ids_count(vs.ids));
	for (uint32_t i = 0; i < vs.n; i++) {
		size_t len;
		const char *id = lmrec_ids_str(vs.ids, i, &len);
		FUZZ_ASSERT(len > 0 && lmrec_vectors_find(&vs, id, len) == vs.v + (size_t)i * vs.dim);
		for (size_t d = 0; d < vs.dim; d++)
			FUZZ_ASSERT(isfinite(vs.v[(size_t)i * vs.dim + d]));
	}
	lmrec_vectors_free(&vs);
}

/* Writes a's words to a text file (outside any guard: the writer keeps a
 * temp-file node), reads it back, and compares. */
static void vec_round_trip(const struct lmrec_wordvec *a)
{
	const char *path = fuzz_scratch("again.vec", 0);
	size_t left_out = lmrec_wordvec_write(path, a->words, NULL, a->v, a->dim);
	struct lmrec_wordvec b = {0};
	struct vec_run again = {path, 0, NULL, &b};
	FUZZ_ASSERT(left_out <= a->n);
	/* "0 dim" alone, when every word was left out, is an empty set */
	FUZZ_ASSERT(fuzz_guarded(vec_read_words, &again) == 0);
	FUZZ_ASSERT(b.dim == a->dim && b.n == a->n - left_out && b.total == b.n);
	for (uint32_t j = 0; j < b.n; j++) {
		size_t len;
		const char *w = lmrec_ids_str(b.words, j, &len);
		int64_t i = lmrec_ids_find(a->words, w, len);
		FUZZ_ASSERT(i >= 0);
		FUZZ_ASSERT(memcmp(b.v + (size_t)j * b.dim, a->v + (size_t)i * a->dim,
				   a->dim * sizeof *a->v) == 0);
	}
	lmrec_wordvec_free(&b);
}

static int lmrec_fuzz_vec(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	static const char *const names[] = {"words.vec", "words.bin", "vectors.tsv", "vectors.tsv"};
	unsigned mode = data[0];
	struct lmrec_wordvec wv = {0};
	struct vec_run run = {fuzz_file(names[mode & 3u], data + 1, size - 1), mode, NULL, &wv};
	if ((mode & 3u) >= 2) {
		FUZZ_ASSERT_DATA_DIE(fuzz_guarded(vec_read_stream, &run));
		FUZZ_ASSERT(fuzz_close_scratch_fds() == 0);
		return 0;
	}
	if (mode & 4u) {
		static const char *const words[] = {"the", "a", "x", "caf\xc3\xa9", "\\t", "king"};
		run.keep = lmrec_ids_new();
		for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
			lmrec_ids_intern(run.keep, words[k], strlen(words[k]));
	}
	int status = fuzz_guarded(vec_read_words, &run);
	FUZZ_ASSERT_DATA_DIE(status);
	FUZZ_ASSERT(fuzz_close_scratch_fds() == 0);
	if (status == 0) {
		if (mode & 8u)
			vec_round_trip(&wv);
		lmrec_wordvec_free(&wv);
	}
	lmrec_ids_free(run.keep);
	return 0;
}

#ifndef LMREC_FUZZ_REPLAY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return lmrec_fuzz_vec(data, size); }
#endif

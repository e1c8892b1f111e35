/* lmrec — subword skip-gram word vectors with negative sampling, as
 * fastText trains them (Bojanowski et al., "Enriching word vectors with
 * subword information", TACL 2017), on the sentences of a corpus (each
 * item's tokens are one sentence).
 *
 * A word is represented by the mean h of its input rows: its own row (a
 * word seen at least min_count times) and one row per character n-gram of
 * "<word>" (minn to maxn UTF-8 characters, hashed with 32-bit FNV-1a into
 * buckets rows), so a word never seen in training still gets a vector from
 * its n-grams. For a centre word and a context word c within a random
 * window of 1..window words, the loss is
 *
 *     L = -ln sigmoid(h . o_c) - sum over negatives n of ln sigmoid(-h . o_n)
 *
 * with negatives drawn from the unigram distribution to the power 0.75
 * (never the context word itself). One SGD step with rate lr moves each
 * output row by -lr dL/do, and each input row by -lr dL/dh (fastText's
 * step: the exact gradient of an input row is dL/dh / |rows|, so the input
 * rows learn with rate lr * |rows|). The rate decays linearly to 0 over
 * the training; frequent words are subsampled (a token of a word of
 * frequency f is kept with probability sqrt(t/f) + t/f); the sentences are
 * visited in a seeded random order each epoch.
 *
 * Deterministic: every sentence draws from its own random stream (seed,
 * epoch, sentence), so the same seed and thread count give the same bytes.
 * With threads > 1 each thread trains its own copy of the model on a block
 * of sentences (about LMREC_SKIPGRAM_ROUND tokens), then the changes of
 * all copies are added to the model in thread order and the copies
 * refreshed: Hogwild!'s summed updates without its races. One thread
 * trains the model itself (plain sequential SGD), so results depend on the
 * thread count. */
#ifndef LMREC_SKIPGRAM_H
#define LMREC_SKIPGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "corpus.h"
#include "ids.h"

#define LMREC_SKIPGRAM_ROUND 16384

struct lmrec_skipgram_params {
	size_t dim;       /* vector size */
	size_t window;    /* context: up to this many words each side */
	size_t negatives; /* negative samples per context word */
	size_t epochs;
	size_t min_count; /* rarer words train no row of their own and are left out */
	size_t minn, maxn; /* n-gram lengths in characters; maxn 0: no n-grams */
	size_t buckets;   /* rows of the hashed n-grams (> 0 when maxn > 0) */
	double lr;        /* initial learning rate */
	double sample;    /* subsampling threshold t; 0: none */
	uint64_t seed;
	int threads;
};

struct lmrec_skipgram {
	size_t dim, nvocab, buckets, minn, maxn;
	struct lmrec_ids *vocab; /* words with a row of their own, row = index */
	float *in;               /* (nvocab + buckets, dim) word rows, then n-gram rows */
	float *out;              /* (nvocab, dim) */
	uint64_t ntrain;         /* tokens of the vocabulary in the corpus (one epoch) */
	uint64_t trained;        /* tokens trained on, after subsampling, every epoch */
	double loss;             /* mean loss per (word, target) of the last epoch */
};

/* Called after each epoch (1-based) with its mean loss. */
typedef void (*lmrec_skipgram_epoch_fn)(void *ctx, size_t epoch, size_t epochs, double loss);

/* Trains on the corpus; dies (exit 1) if the loss stops being finite. */
struct lmrec_skipgram *lmrec_skipgram_train(const struct lmrec_corpus *c,
					    const struct lmrec_skipgram_params *p,
					    lmrec_skipgram_epoch_fn cb, void *ctx);
void lmrec_skipgram_free(struct lmrec_skipgram *m);

/* The vector of a word (escaped form): the mean of its own row, if it has
 * one, and its n-gram rows, into v (dim). Returns the number of rows
 * averaged (0: v is zero, the word is unknown and has no n-grams). */
size_t lmrec_skipgram_word(const struct lmrec_skipgram *m, const char *w, size_t len, float *v);

/* Appends to *out (grown as needed, *n entries used) the rows base + hash %
 * buckets of the character n-grams of "<w>" of minn..maxn characters
 * (fastText's choice of n-grams: a lone "<" or ">" is never one). */
void lmrec_skipgram_ngrams(const char *w, size_t len, size_t minn, size_t maxn, size_t buckets,
			   size_t base, uint32_t **out, size_t *n, size_t *cap);
/* 32-bit FNV-1a. */
uint32_t lmrec_fnv1a32(const void *p, size_t len);

/* A default bucket count for a corpus: four times the number of distinct
 * n-grams of its words (so few of them share a row), at most 2,000,000
 * (fastText's default), at least 1. */
size_t lmrec_skipgram_default_buckets(const struct lmrec_corpus *c, size_t minn, size_t maxn);

/* The loss L above for one centre word (input rows sub, nsub > 0) and the
 * targets tgt (ntgt: the context word first, then the negatives), with
 * its gradient: h (dim) receives the mean of the input rows, gin (dim)
 * dL/d(each input row), gout (ntgt, dim) dL/d(output row of each target)
 * (a row drawn twice gets the sum of its entries). For tests; training
 * takes the same steps. */
double lmrec_skipgram_loss(const float *in, const float *out, size_t dim, const uint32_t *sub,
			   size_t nsub, const uint32_t *tgt, size_t ntgt, float *h, float *gin,
			   float *gout);

#endif

/* lmrec — SASRec, a Transformer over the behaviour sequence (Kang and
 * McAuley 2018), with the SASRec+ / gSASRec family of losses; forward and
 * backward written by hand over BLAS.
 *
 * Architecture (the public SASRec, by default in its standard pre-LN form):
 *   x = item[s] * sqrt(dim) + pos[l]; dropout; padding positions are zero;
 *   l counts back from the newest item (slot l of the left-padded row), or
 *   with c.pos_from_start forward from the oldest
 *   each block:  a = LN1(x); q, k, v = a Wq + bq, a Wk + bk, a Wv + bv;
 *                multi-head attention, scale 1/sqrt(dim/heads), causal mask
 *                plus key-padding mask (a position never attends to a
 *                padding position);
 *                x = x + dropout(ctx Wo + bo);
 *                x = x + dropout(relu(LN2(x) W1 + b1) W2 + b2)   (ReLU, as SASRec)
 *   with c.sasrec_block, the blocks of SASRec's code (pmixer's
 *   SASRec.pytorch, kept by SASRec+): k and v from x itself, and
 *                y = a + dropout(ctx Wo + bo);
 *                x = LN2(y) + dropout(relu(LN2(y) W1 + b1) W2 + b2)
 *   h = LNf(x); the score of item j at a position is h . item[j] (the item
 *   table is shared by input and output; row 0, padding, is never scored).
 * LayerNorm uses eps = 1e-8 (SASRec's). Dropout (rate c.dropout, inverted:
 * kept values are scaled by 1/(1-rate)) is applied at three places: the
 * embedding, the attention output and the feed-forward output; with
 * c.dropout_all also at two more, as in SASRec's code: the attention
 * probabilities (after the softmax; its gradient uses the probabilities
 * before the mask) and the feed-forward's hidden layer.
 *
 * Padding positions (item 0) contribute nothing: their hidden state is zero
 * after every block (the timeline mask) and no position attends to them, so
 * the implementation packs the real positions of a batch and never computes
 * padding rows at all. Sequences are left-padded: the positions and the
 * attention weights that lmrec_sasrec_encode returns are read by slot.
 *
 * Matrices are row-major floats; a linear layer is y = x W + b with W
 * (in, out) (PyTorch's nn.Linear stores the transpose).
 *
 * Threads and determinism: a batch is cut into chunks of whole sequences
 * (at most chunk_tokens real positions each, cut in sequence order whatever
 * the thread count); each chunk runs its forward and backward alone with
 * BLAS single-threaded, writes its partial gradient to a buffer of its own,
 * and the buffers are summed in chunk order. Item-table gradients are summed
 * per item row in a fixed order. The same seed gives the same bits with any
 * thread count (on the same machine and BLAS build). */
#ifndef LMREC_SASREC_H
#define LMREC_SASREC_H

#include <stddef.h>
#include <stdint.h>

struct lmrec_sasrec_config {
	size_t items;  /* real items, indices 1..items; 0 is padding */
	size_t dim;    /* embedding width; a multiple of heads */
	size_t blocks; /* Transformer blocks */
	size_t heads;  /* attention heads */
	size_t maxlen; /* positions of a sequence */
	size_t ffn;    /* hidden width of the feed-forward; 0 means dim */
	float dropout; /* in [0, 1) */
	/* 0: positions count back from the newest item (SASRec.pytorch: the
	 * newest is always at maxlen - 1); 1: forward from the oldest item of
	 * the window (SASRec+: position p is the user's (p+1)-th item while the
	 * history is shorter than maxlen) */
	int pos_from_start;
	/* 0: pre-LN blocks (x + Attn(LN x), then + FFN(LN .)); 1: the blocks
	 * of SASRec's code (and SASRec+'s): the queries from LN x, the keys and
	 * values from x, and each residual from the normalised input:
	 * y = LN1 x + Attn(LN1 x, x, x), out = LN2 y + FFN(LN2 y) */
	int sasrec_block;
	/* 0: dropout at the three places above; 1: also on the attention
	 * probabilities and on the feed-forward's hidden layer (after its
	 * ReLU), as SASRec's code and SASRec+ do */
	int dropout_all;
};

/* Named pointers of one block into the parameter array. */
struct lmrec_sasrec_block {
	float *ln1_g, *ln1_b;        /* (dim) each */
	float *wq, *bq, *wk, *bk;    /* (dim, dim), (dim) */
	float *wv, *bv, *wo, *bo;    /* (dim, dim), (dim) */
	float *ln2_g, *ln2_b;        /* (dim) each */
	float *w1, *b1;              /* (dim, ffn), (ffn) */
	float *w2, *b2;              /* (ffn, dim), (dim) */
};

/* One parameter tensor: its name ("item", "pos", "block0.wq", ...,
 * "lnf_g"), where it starts in params, its shape (a vector has rows 1),
 * and whether AdamW decays it (weight matrices and the embeddings do;
 * LayerNorm gains and shifts and the biases do not). */
struct lmrec_sasrec_tensor {
	char name[24];
	size_t off, rows, cols;
	int decay;
};

struct lmrec_sasrec {
	struct lmrec_sasrec_config c; /* ffn filled in */
	size_t nparams;
	float *params; /* (nparams): every parameter, one allocation */
	float *item;   /* (items + 1, dim), row 0 zero */
	float *pos;    /* (maxlen, dim) */
	struct lmrec_sasrec_block *block; /* (blocks) */
	float *lnf_g, *lnf_b;             /* (dim) each: the final LayerNorm */
	size_t ntensors;
	struct lmrec_sasrec_tensor *tensor; /* (ntensors) in params order */
	/* Most real positions in one chunk of work (see above); 1024 by
	 * default. The result does not depend on it beyond float rounding;
	 * tests lower it to get several chunks out of a small batch. */
	size_t chunk_tokens;
	/* CE's gradient of the item table: each chunk writes its own (items,
	 * dim) share, summed in chunk order, when those buffers fit in this
	 * many MiB (256 by default); beyond, the scores are computed again by
	 * blocks of items (slower, little memory). Either way the same bits
	 * with any thread count. */
	size_t item_buffer_mb;
};

enum lmrec_sasrec_loss {
	/* softmax cross-entropy over all items 1..items */
	LMREC_SASREC_CE,
	/* SASRec+: softmax cross-entropy over the positive and `negatives`
	 * items drawn uniformly from 1..items without the positive (with
	 * replacement: two negatives may coincide) */
	LMREC_SASREC_SAMPLED,
	/* SASRec's own: binary cross-entropy, -log sigma(s+) - sum over the
	 * `negatives` drawn items of log(1 - sigma(s-)); SASRec has 1 */
	LMREC_SASREC_BCE,
	/* gSASRec's gBCE: BCE with the positive's probability raised to
	 * beta = alpha (t (1 - 1/alpha) + 1/alpha), alpha = negatives /
	 * (items - 1), t the gbce_t of lmrec_sasrec_loss_grad */
	LMREC_SASREC_GBCE
};

/* Fills *msg (up to len bytes) and returns -1 when c cannot make a model
 * (a zero size, dim not a multiple of heads, dropout outside [0, 1), more
 * than 2^31 - 1 items); else 0. */
int lmrec_sasrec_check_config(const struct lmrec_sasrec_config *c, char *msg, size_t len);

/* A fresh model: weight matrices and the two embedding tables drawn
 * Glorot-normal (std sqrt(2 / (rows + cols)), as SASRec.pytorch's
 * xavier_normal_), biases 0, LayerNorm gains 1 and shifts 0, the padding
 * row of item 0. The same seed gives the same model. Dies (exit 2) on a
 * config lmrec_sasrec_check_config refuses. */
void lmrec_sasrec_init(struct lmrec_sasrec *m, const struct lmrec_sasrec_config *c, uint64_t seed);
/* The same with every matrix and table drawn from N(0, std) instead
 * (std > 0: the GPT-2 and SASRec+ start, small blocks beside the
 * residual); std 0 is lmrec_sasrec_init's Glorot normal. qkv_std > 0
 * draws the query, key and value matrices from N(0, qkv_std) instead
 * (SASRec+ keeps PyTorch's Xavier start there, sqrt(1 / (2 D)), because
 * its re-initialisation skips nn.MultiheadAttention's in-projection). */
void lmrec_sasrec_init_std(struct lmrec_sasrec *m, const struct lmrec_sasrec_config *c, uint64_t seed,
			   double std, double qkv_std);
/* Frees what init allocated; m may be NULL or already freed. */
void lmrec_sasrec_free(struct lmrec_sasrec *m);
/* 1 where AdamW should decay the parameter, 0 elsewhere: mask (nparams). */
void lmrec_sasrec_decay_mask(const struct lmrec_sasrec *m, unsigned char *mask);

/* The loss of a batch and its gradient.
 *
 * seq (n, maxlen): item indices, 0 for padding (left-padded, the most
 * recent item last); target (n, maxlen): the next item at each position, 0
 * where there is none. The loss counts the positions with a real item and
 * a non-zero target (a target at a padding position is ignored); it
 * returns their mean loss (0 when there are none), and with grad non-NULL
 * writes its gradient to grad (nparams, overwritten). grad NULL computes
 * the loss only (a validation loss).
 *
 * negatives: drawn items per position for SAMPLED, BCE and GBCE (at least
 * 1; ignored by CE). gbce_t: gSASRec's calibration t in [0, 1] for GBCE
 * (t = 0 is plain BCE; gSASRec recommends 0.75), ignored otherwise. The
 * dropout masks and the negatives of sequence i are drawn from
 * (seed, i) alone: the same seed gives the same loss with any thread count
 * and chunking. train non-zero turns dropout on. threads: worker threads
 * (OpenBLAS is held to one thread inside and restored after).
 * Item indices above c.items are a programming error (checked, exit 1). */
double lmrec_sasrec_loss_grad(const struct lmrec_sasrec *m, const uint32_t *seq,
			      const uint32_t *target, size_t n, enum lmrec_sasrec_loss loss,
			      size_t negatives, double gbce_t, uint64_t seed, int train,
			      float *grad, int threads);

/* Encodes n sequences (n, maxlen) as above, dropout off: out (n, dim)
 * receives the final hidden state h of the last real position of each
 * sequence (zeros for an empty sequence); the scores of all items are then
 * out . item^T (rows 1..items). attn, when not NULL, (n, maxlen) receives
 * the last block's attention weights of that position over the positions,
 * averaged over heads (0 at padding positions; a row sums to 1). */
void lmrec_sasrec_encode(const struct lmrec_sasrec *m, const uint32_t *seq, size_t n, float *out,
			 float *attn, int threads);

#endif

/* lmrec — a BERT sentence encoder (the layout of sentence-transformers
 * models such as all-MiniLM-L6-v2), run over BLAS.
 *
 * A model folder holds config.json and model.safetensors, as Hugging Face
 * saves a BertModel:
 *
 *   config.json         hidden_size, num_hidden_layers, num_attention_heads,
 *                       intermediate_size, max_position_embeddings,
 *                       type_vocab_size, vocab_size, layer_norm_eps,
 *                       hidden_act ("gelu": the exact erf GELU); when present,
 *                       model_type must be "bert" and
 *                       position_embedding_type "absolute"
 *   model.safetensors   embeddings.word_embeddings.weight (vocab, hidden),
 *                       embeddings.position_embeddings.weight (max_pos, hidden),
 *                       embeddings.token_type_embeddings.weight (types, hidden),
 *                       embeddings.LayerNorm.weight, .bias (hidden), and for
 *                       each layer N encoder.layer.N. followed by
 *                       attention.self.query/key/value, attention.output.dense,
 *                       intermediate.dense, output.dense (.weight (out, in),
 *                       .bias (out)), attention.output.LayerNorm and
 *                       output.LayerNorm (.weight, .bias); every name may
 *                       carry a "bert." prefix; F32, F16, BF16 or F64; other
 *                       tensors (the pooler, position_ids) are ignored
 *
 * and, optional, the files of sentence-transformers beside them:
 *
 *   sentence_bert_config.json   max_seq_length: the longest sequence the
 *                               model was meant to see (lmrec_bert_max_len)
 *   1_Pooling/config.json       must ask for mean pooling
 *
 * A sentence's vector is the mean of the last layer's hidden states over
 * its tokens (all of them: there is no padding inside a sequence), divided
 * by its Euclidean norm: sentence-transformers' mean pooling and Normalize.
 *
 * int8 mode keeps the weight matrices of the layers as 7-bit integer codes
 * with a scale per row, and multiplies them by each token's activations
 * quantised on the fly to 8 bits between their minimum and maximum, in
 * integers (lib/q8.c: faster than sgemm here, see tests/bench/RESULTS.md);
 * the word embeddings as int8 rows with a scale each. A quarter of the
 * memory; vectors at a cosine of about 0.998 to the fp32 ones.
 *
 * Encoding packs the sequences of a batch end to end (no padding rows) and
 * runs every projection as one sgemm over all their tokens; attention,
 * GELU and LayerNorm are lib/nn.c's kernels. */
#ifndef LMREC_BERT_H
#define LMREC_BERT_H

#include <stddef.h>
#include <stdint.h>

struct lmrec_bert_config {
	size_t hidden, layers, heads, intermediate, max_pos, type_vocab, vocab;
	double eps;
	size_t max_len; /* max_seq_length if given, else max_pos */
};

struct lmrec_bert;

/* dir holds config.json and model.safetensors; dies 65 (one line naming
 * the file, and the key or tensor) on a bad file, 1 when a file cannot be
 * read. int8: keep the weights as int8 rows (see above). */
struct lmrec_bert *lmrec_bert_load(const char *dir, int int8);
const struct lmrec_bert_config *lmrec_bert_config(const struct lmrec_bert *m);
size_t lmrec_bert_dim(const struct lmrec_bert *m);
/* The longest sequence (in tokens, [CLS] and [SEP] included) the model is
 * meant for: sentence-transformers' max_seq_length when the folder has it
 * (256 for all-MiniLM-L6-v2), else max_position_embeddings. A tokenizer
 * truncates to it, as sentence-transformers does. */
size_t lmrec_bert_max_len(const struct lmrec_bert *m);
/* Bytes of weights held in memory. */
size_t lmrec_bert_weight_bytes(const struct lmrec_bert *m);

/* n sequences of token ids (already with [CLS] ... [SEP]) of lengths
 * lens[i]; out (n, dim) unit vectors (a sequence of length 0 gives a zero
 * vector). The sequences are packed end to end, without padding, in
 * chunks of whole sequences of at most 512 tokens (or one longer
 * sequence), cut in input order; threads (< 1 means 1) each run the whole
 * network over their chunks with one BLAS thread, and OpenBLAS's thread
 * count is left as it was found. The chunks do not depend on threads, so
 * the vectors are the same bits with any thread count. A token id outside the vocabulary, or a sequence longer
 * than max_position_embeddings, dies (65) naming the sequence (1-based).
 * The model's work buffers are kept from call to call: one call at a time
 * per model. */
void lmrec_bert_encode(struct lmrec_bert *m, const int32_t *const *ids, const size_t *lens,
		       size_t n, float *out, int threads);
void lmrec_bert_free(struct lmrec_bert *m);

#endif

/* Fuzz target: the config.json of a BERT encoder folder (lib/bert.c), with
 * sentence-transformers' sentence_bert_config.json and 1_Pooling/config.json.
 *
 * An input is the text of config.json; after a NUL byte, the text of
 * sentence_bert_config.json (absent when there is no NUL or nothing after
 * it); after a second NUL, that of 1_Pooling/config.json. The folder's
 * model.safetensors is a tiny encoder the harness writes once (hidden 4,
 * 1 layer, 2 heads, intermediate 8, 16 positions, 2 token types, vocabulary
 * 10, random weights), so a config that agrees with it loads whole, and
 * one that does not dies on the first tensor whose shape differs. Every
 * die must be bad data (65): a config's sizes are checked against the
 * weights before anything of their size is allocated. A model that loads
 * has the config's promises (sizes in range, hidden a multiple of heads,
 * max_len within the positions) and encodes a sequence into a unit vector
 * and an empty one into zeros; an input of odd length loads it in int8
 * mode. */
#include <math.h>

#include "bert.h"
#include "harness.h"
#include "safetensors.h"

enum { CFG_H = 4, CFG_I = 8, CFG_P = 16, CFG_T = 2, CFG_V = 10 };

/* The folder, with the tiny model written on first use. */
static const char *config_dir(void)
{
	static const char *dir;
	if (dir)
		return dir;
	dir = fuzz_scratch("bert", 1);
	fuzz_scratch("bert/1_Pooling", 1);
	struct tensor {
		const char *name;
		size_t ndim, shape[2];
	} spec[] = {
		{"embeddings.word_embeddings.weight", 2, {CFG_V, CFG_H}},
		{"embeddings.position_embeddings.weight", 2, {CFG_P, CFG_H}},
		{"embeddings.token_type_embeddings.weight", 2, {CFG_T, CFG_H}},
		{"embeddings.LayerNorm.weight", 1, {CFG_H, 0}},
		{"embeddings.LayerNorm.bias", 1, {CFG_H, 0}},
		{"encoder.layer.0.attention.self.query.weight", 2, {CFG_H, CFG_H}},
		{"encoder.layer.0.attention.self.query.bias", 1, {CFG_H, 0}},
		{"encoder.layer.0.attention.self.key.weight", 2, {CFG_H, CFG_H}},
		{"encoder.layer.0.attention.self.key.bias", 1, {CFG_H, 0}},
		{"encoder.layer.0.attention.self.value.weight", 2, {CFG_H, CFG_H}},
		{"encoder.layer.0.attention.self.value.bias", 1, {CFG_H, 0}},
		{"encoder.layer.0.attention.output.dense.weight", 2, {CFG_H, CFG_H}},
		{"encoder.layer.0.attention.output.dense.bias", 1, {CFG_H, 0}},
		{"encoder.layer.0.attention.output.LayerNorm.weight", 1, {CFG_H, 0}},
		{"encoder.layer.0.attention.output.LayerNorm.bias", 1, {CFG_H, 0}},
		{"encoder.layer.0.intermediate.dense.weight", 2, {CFG_I, CFG_H}},
		{"encoder.layer.0.intermediate.dense.bias", 1, {CFG_I, 0}},
		{"encoder.layer.0.output.dense.weight", 2, {CFG_H, CFG_I}},
		{"encoder.layer.0.output.dense.bias", 1, {CFG_H, 0}},
		{"encoder.layer.0.output.LayerNorm.weight", 1, {CFG_H, 0}},
		{"encoder.layer.0.output.LayerNorm.bias", 1, {CFG_H, 0}},
	};
	enum { NT = sizeof spec / sizeof spec[0] };
	struct lmrec_st_out out[NT];
	float *vals[NT];
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 7);
	for (size_t i = 0; i < NT; i++) {
		size_t n = spec[i].shape[0] * (spec[i].ndim == 2 ? spec[i].shape[1] : 1);
		vals[i] = lmrec_xmalloc(n * sizeof *vals[i]);
		for (size_t k = 0; k < n; k++) /* layer norm gains near 1, the rest small */
			vals[i][k] = (float)(strstr(spec[i].name, "LayerNorm.weight") ? 1.0 : 0.0) +
				     0.1f * (float)lmrec_rng_normal(&rng);
		out[i] = (struct lmrec_st_out){spec[i].name, LMREC_ST_F32, spec[i].ndim, spec[i].shape,
					       vals[i]};
	}
	lmrec_safetensors_write(fuzz_scratch("bert/model.safetensors", 0), out, NT, NULL, 0);
	for (size_t i = 0; i < NT; i++)
		free(vals[i]);
	return dir;
}

struct config_run {
	const char *dir;
	int int8;
};

static void config_load(void *arg)
{
	struct config_run *run = arg;
	struct lmrec_bert *m = lmrec_bert_load(run->dir, run->int8);
	const struct lmrec_bert_config *c = lmrec_bert_config(m);
	/* a model that loads agrees with the weights */
	FUZZ_ASSERT(c->hidden == CFG_H && c->layers == 1 && c->intermediate == CFG_I);
	FUZZ_ASSERT(c->max_pos == CFG_P && c->vocab == CFG_V);
	FUZZ_ASSERT(c->heads >= 1 && c->hidden % c->heads == 0 && c->type_vocab >= 1);
	FUZZ_ASSERT(c->eps > 0 && c->eps < 1);
	FUZZ_ASSERT(c->max_len >= 1 && c->max_len <= c->max_pos);
	FUZZ_ASSERT(lmrec_bert_dim(m) == CFG_H && lmrec_bert_max_len(m) == c->max_len);
	FUZZ_ASSERT(lmrec_bert_weight_bytes(m) > 0);
	static const int32_t seq[] = {2, 5, 9, 3};
	const int32_t *ids[2] = {seq, seq};
	size_t lens[2] = {4, 0};
	float out[2 * CFG_H];
	lmrec_bert_encode(m, ids, lens, 2, out, 1);
	double norm = 0;
	for (size_t k = 0; k < CFG_H; k++) {
		FUZZ_ASSERT(isfinite(out[k]) && out[CFG_H + k] == 0.0f);
		norm += (double)out[k] * out[k];
	}
	FUZZ_ASSERT(fabs(norm - 1.0) < 1e-3);
	lmrec_bert_free(m);
}

/* Writes part k of the input to name, or removes name when it is absent. */
static void config_part(const char *name, const uint8_t *p, size_t len, int present)
{
	const char *path = fuzz_scratch(name, 0);
	if (present)
		fuzz_write(path, p, len);
	else if (unlink(path) != 0 && errno != ENOENT)
		abort();
}

static int lmrec_fuzz_config(const uint8_t *data, size_t size)
{
	struct config_run run = {config_dir(), (int)(size & 1u)};
	const uint8_t *part[3] = {data, NULL, NULL};
	size_t len[3] = {size, 0, 0};
	for (size_t k = 1; k < 3; k++) {
		const uint8_t *nul = len[k - 1] ? memchr(part[k - 1], '\0', len[k - 1]) : NULL;
		if (!nul)
			break;
		part[k] = nul + 1;
		len[k] = len[k - 1] - (size_t)(nul + 1 - part[k - 1]);
		len[k - 1] = (size_t)(nul - part[k - 1]);
	}
	config_part("bert/config.json", part[0], len[0], 1);
	config_part("bert/sentence_bert_config.json", part[1], len[1], part[1] && len[1]);
	config_part("bert/1_Pooling/config.json", part[2], len[2], part[2] && len[2]);
	int status = fuzz_guarded(config_load, &run);
	FUZZ_ASSERT_DATA_DIE(status);
	FUZZ_ASSERT(fuzz_close_scratch_fds() == 0);
	return 0;
}

#ifndef LMREC_FUZZ_REPLAY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return lmrec_fuzz_config(data, size); }
#endif

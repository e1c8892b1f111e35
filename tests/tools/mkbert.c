/* Test helper: a BERT model folder with random weights, in Hugging Face's
 * layout, for the tests of lmrec-embed --method bert and the encoder
 * benchmark (tests/bench/encoder.sh).
 *
 *   mkbert DIR LAYERS HIDDEN HEADS INTER VOCAB MAXPOS [SEED]
 *
 * writes DIR/config.json, DIR/model.safetensors (F32, the tensor names of
 * BertModel, normal weights drawn with SEED, default 1, at the scales of
 * tests/reference/bert_ref.py: activations of order one) and DIR/vocab.txt
 * (VOCAB tokens, at least 128). A vocabulary of 1000 tokens or more has
 * BERT's special ids: [PAD] 0, [unused0..98], [UNK] 100, [CLS] 101, [SEP]
 * 102, [MASK] 103; a smaller one [PAD] [UNK] [CLS] [SEP] [MASK] as 0 to 4.
 * Then the letters a to z, their "##" continuations, digits, punctuation,
 * a few English words and suffixes, and "tokN" for the rest, so that
 * lmrec-tokenize --wordpiece can cut any lower-case English text into it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lmrec.h"
#include "safetensors.h"

struct tensors {
	struct lmrec_st_out *t;
	size_t n, cap;
	char **names;
	unsigned char **data;
	size_t (*shapes)[2];
};

/* Adds a tensor of normal values (mean mean, deviation sd). */
static void add(struct tensors *ts, struct lmrec_rng *rng, const char *name, size_t d0, size_t d1,
		double mean, double sd)
{
	if (ts->n == ts->cap) {
		ts->cap = ts->cap ? 2 * ts->cap : 64;
		ts->t = lmrec_xreallocarray(ts->t, ts->cap, sizeof *ts->t);
		ts->names = lmrec_xreallocarray(ts->names, ts->cap, sizeof *ts->names);
		ts->data = lmrec_xreallocarray(ts->data, ts->cap, sizeof *ts->data);
		ts->shapes = lmrec_xreallocarray(ts->shapes, ts->cap, sizeof *ts->shapes);
	}
	size_t n = d0 * (d1 ? d1 : 1);
	unsigned char *b = lmrec_xmalloc(4 * n);
	for (size_t i = 0; i < n; i++) {
		float f = (float)(mean + sd * lmrec_rng_normal(rng));
		uint32_t u;
		memcpy(&u, &f, 4);
		lmrec_put_le32(b + 4 * i, u);
	}
	ts->names[ts->n] = lmrec_xstrdup(name);
	ts->data[ts->n] = b;
	ts->shapes[ts->n][0] = d0;
	ts->shapes[ts->n][1] = d1;
	/* the shape pointers are set before writing: shapes moves as it grows */
	ts->t[ts->n] = (struct lmrec_st_out){ts->names[ts->n], LMREC_ST_F32, d1 ? 2 : 1, NULL, b};
	ts->n++;
}

static FILE *create(const char *path)
{
	FILE *fp = fopen(path, "w");
	if (!fp)
		lmrec_die(LMREC_EXIT_FAIL, "%s: open:", path);
	return fp;
}

static void done(FILE *fp, const char *path)
{
	if (fclose(fp) != 0)
		lmrec_die(LMREC_EXIT_FAIL, "%s: write:", path);
}

static void write_vocab(const char *dir, size_t vocab)
{
	static const char *const words[] = {
		"the", "an", "of", "and", "or", "with", "for", "in", "on", "to", "is",
		"red", "blue", "green", "wine", "cheese", "bread", "book", "film", "song", "game",
		"night", "day", "old", "new", "small", "big", "good", "dark", "light", "city",
		"##ed", "##ing", "##er", "##ly", "##es"};
	char *path = lmrec_xasprintf("%s/vocab.txt", dir);
	FILE *fp = create(path);
	size_t n = 0;
	if (vocab >= 1000) {
		fputs("[PAD]\n", fp);
		for (int i = 0; i < 99; i++)
			fprintf(fp, "[unused%d]\n", i);
		n = 100;
	} else {
		fputs("[PAD]\n", fp);
		n = 1;
	}
	fputs("[UNK]\n[CLS]\n[SEP]\n[MASK]\n", fp);
	n += 4;
	for (char c = 'a'; c <= 'z'; c++, n += 2)
		fprintf(fp, "%c\n##%c\n", c, c);
	for (char c = '0'; c <= '9'; c++, n++)
		fprintf(fp, "%c\n", c);
	for (const char *p = ".,!?'-"; *p; p++, n++)
		fprintf(fp, "%c\n", *p);
	for (size_t i = 0; i < sizeof words / sizeof *words && n < vocab; i++, n++)
		fprintf(fp, "%s\n", words[i]);
	for (; n < vocab; n++)
		fprintf(fp, "tok%zu\n", n);
	done(fp, path);
	free(path);
}

static void write_model(const char *dir, size_t layers, size_t h, size_t heads, size_t inter,
			size_t vocab, size_t maxpos, uint64_t seed)
{
	char *path = lmrec_xasprintf("%s/config.json", dir);
	FILE *fp = create(path);
	fprintf(fp,
		"{\"model_type\": \"bert\", \"hidden_size\": %zu, \"num_hidden_layers\": %zu, "
		"\"num_attention_heads\": %zu, \"intermediate_size\": %zu, \"hidden_act\": "
		"\"gelu\", \"max_position_embeddings\": %zu, \"type_vocab_size\": 2, "
		"\"vocab_size\": %zu, \"layer_norm_eps\": 1e-12}\n",
		h, layers, heads, inter, maxpos, vocab);
	done(fp, path);
	free(path);
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, seed);
	struct tensors ts = {0};
	add(&ts, &rng, "embeddings.word_embeddings.weight", vocab, h, 0, 1);
	add(&ts, &rng, "embeddings.position_embeddings.weight", maxpos, h, 0, 0.5);
	add(&ts, &rng, "embeddings.token_type_embeddings.weight", 2, h, 0, 0.5);
	add(&ts, &rng, "embeddings.LayerNorm.weight", h, 0, 1, 0.1);
	add(&ts, &rng, "embeddings.LayerNorm.bias", h, 0, 0, 0.1);
	static const char *const lin[] = {"attention.self.query", "attention.self.key",
					  "attention.self.value", "attention.output.dense",
					  "intermediate.dense", "output.dense"};
	static const char *const ln[] = {"attention.output.LayerNorm", "output.LayerNorm"};
	for (size_t l = 0; l < layers; l++) {
		for (size_t k = 0; k < 6; k++) {
			size_t out = k == 4 ? inter : h, in = k == 5 ? inter : h;
			char *name = lmrec_xasprintf("encoder.layer.%zu.%s.weight", l, lin[k]);
			add(&ts, &rng, name, out, in, 0, 1.5 / sqrt((double)in));
			free(name);
			name = lmrec_xasprintf("encoder.layer.%zu.%s.bias", l, lin[k]);
			add(&ts, &rng, name, out, 0, 0, 0.1);
			free(name);
		}
		for (size_t k = 0; k < 2; k++) {
			char *name = lmrec_xasprintf("encoder.layer.%zu.%s.weight", l, ln[k]);
			add(&ts, &rng, name, h, 0, 1, 0.1);
			free(name);
			name = lmrec_xasprintf("encoder.layer.%zu.%s.bias", l, ln[k]);
			add(&ts, &rng, name, h, 0, 0, 0.1);
			free(name);
		}
	}
	for (size_t i = 0; i < ts.n; i++)
		ts.t[i].shape = ts.shapes[i];
	path = lmrec_xasprintf("%s/model.safetensors", dir);
	const char *meta[] = {"format", "pt"};
	lmrec_safetensors_write(path, ts.t, ts.n, meta, 1);
	free(path);
	for (size_t i = 0; i < ts.n; i++) {
		free(ts.names[i]);
		free(ts.data[i]);
	}
	free(ts.t);
	free(ts.names);
	free(ts.data);
	free(ts.shapes);
}

static size_t num(const char *what, const char *s, size_t lo)
{
	return (size_t)lmrec_opt_u64(what, s, lo, 1u << 30);
}

int main(int argc, char **argv)
{
	lmrec_setprogname(argv[0]);
	if (argc != 8 && argc != 9)
		lmrec_usage_error("usage: mkbert DIR LAYERS HIDDEN HEADS INTER VOCAB MAXPOS [SEED]");
	size_t vocab = num("VOCAB", argv[6], 128);
	write_model(argv[1], num("LAYERS", argv[2], 1), num("HIDDEN", argv[3], 1), num("HEADS", argv[4], 1),
		    num("INTER", argv[5], 1), vocab, num("MAXPOS", argv[7], 1),
		    argc == 9 ? lmrec_opt_u64("SEED", argv[8], 0, UINT64_MAX) : 1);
	write_vocab(argv[1], vocab);
	return 0;
}

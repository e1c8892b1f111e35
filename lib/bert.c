/* lmrec — a BERT sentence encoder over BLAS (see bert.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "bert.h"
#include "mat.h"
#include "nn.h"
#include "par.h"
#include "q8.h"
#include "safetensors.h"
#include "util.h"

/* OpenBLAS's own entry points: not in cblas.h everywhere. */
extern int openblas_get_num_threads(void);
extern void openblas_set_num_threads(int num_threads);

/* Tokens one thread takes through the layers at a time: enough rows for
 * sgemm to run near its peak, few enough to keep the buffers (about 14
 * floats per token and hidden unit) small, and to give two threads work in
 * a batch of a few dozen sentences. */
#define CHUNK_TOKENS 512
/* y (T, out) = x (T, in) W^T: W in floats, or in integer codes. */
struct linear {
	size_t out, in;
	float *w;             /* (out, in), fp32 mode */
	struct lmrec_q8w q8;  /* int8 mode */
	float *b;             /* (out) */
};

struct layer {
	struct linear qkv;  /* (3 hidden, hidden): query, key, value rows */
	struct linear o;    /* (hidden, hidden) attention output */
	struct linear up;   /* (intermediate, hidden) */
	struct linear down; /* (hidden, intermediate) */
	float *ln1_g, *ln1_b, *ln2_g, *ln2_b; /* (hidden) */
};

/* One thread's buffers, grown when a chunk needs more. */
struct work {
	size_t cap;   /* tokens */
	float *x;     /* (cap, hidden) hidden states */
	float *qkv;   /* (cap, 3 hidden); after attention, a dense output (cap, hidden) */
	float *ctx;   /* (cap, hidden) attention output */
	float *inter; /* (cap, intermediate) */
	size_t attcap;
	float *att;   /* (attcap) lmrec_nn_attention's work */
	size_t qcap;
	void *qwork;  /* (qcap bytes) int8 mode: lmrec_q8_gemm's work */
};

struct lmrec_bert {
	struct lmrec_bert_config c;
	int int8;
	float *word;     /* (vocab, hidden), fp32 mode */
	int8_t *word_q;  /* (vocab, hidden), int8 mode */
	float *word_s;   /* (vocab) */
	float *pos;      /* (max_pos, hidden) */
	float *type0;    /* (hidden) token type 0: one segment per input */
	float *ln_g, *ln_b;
	struct layer *layer; /* (layers) */
	size_t bytes;    /* weights held */
	struct work *work; /* (nwork) */
	size_t nwork;
};

/* ---- config.json ---- */

/* The JSON of path; NULL when optional and absent. */
static json_t *load_json(const char *path, int optional)
{
	struct stat sb;
	if (optional && stat(path, &sb) != 0 && errno == ENOENT)
		return NULL;
	FILE *fp = fopen(path, "rb");
	if (!fp)
		lmrec_die(LMREC_EXIT_FAIL, "%s: open:", path);
	json_error_t err;
	json_t *j = json_loadf(fp, JSON_REJECT_DUPLICATES, &err);
	int bad = ferror(fp);
	fclose(fp);
	if (bad)
		lmrec_die(LMREC_EXIT_FAIL, "%s: read error", path);
	if (!j) {
		for (char *p = err.text; *p; p++)
			if ((unsigned char)*p < 0x20)
				*p = '?';
		lmrec_die_at(path, err.line > 0 ? (size_t)err.line : 1, "not valid JSON: %s", err.text);
	}
	if (!json_is_object(j))
		lmrec_die(LMREC_EXIT_DATA, "%s: not a JSON object", path);
	return j;
}

/* A JSON value for messages, cut short: one line. */
static char *show(const json_t *v)
{
	char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	if (!s)
		return lmrec_xstrdup("?");
	if (strlen(s) > 40)
		strcpy(s + 37, "...");
	return s;
}

static size_t get_size(const json_t *j, const char *path, const char *key, size_t lo, size_t hi)
{
	const json_t *v = json_object_get(j, key);
	if (!v)
		lmrec_die(LMREC_EXIT_DATA, "%s: key '%s' is missing", path, key);
	if (!json_is_integer(v) || json_integer_value(v) < (json_int_t)lo ||
	    json_integer_value(v) > (json_int_t)hi) {
		char *s = show(v);
		lmrec_die(LMREC_EXIT_DATA, "%s: key '%s': %s is not an integer from %zu to %zu", path,
			  key, s, lo, hi);
	}
	return (size_t)json_integer_value(v);
}

/* A string key that, when present (or when required), must be want. */
static void check_string(const json_t *j, const char *path, const char *key, const char *want,
			 int required, const char *why)
{
	const json_t *v = json_object_get(j, key);
	if (!v && !required)
		return;
	if (!v)
		lmrec_die(LMREC_EXIT_DATA, "%s: key '%s' is missing", path, key);
	if (!json_is_string(v) || strcmp(json_string_value(v), want) != 0) {
		char *s = show(v);
		lmrec_die(LMREC_EXIT_DATA, "%s: key '%s': %s is not supported (%s)", path, key, s, why);
	}
}

static void read_config(struct lmrec_bert_config *c, const char *dir)
{
	char *path = lmrec_xasprintf("%s/config.json", dir);
	json_t *j = load_json(path, 0);
	check_string(j, path, "model_type", "bert", 0, "only 'bert'");
	check_string(j, path, "position_embedding_type", "absolute", 0, "only 'absolute'");
	c->hidden = get_size(j, path, "hidden_size", 1, 65536);
	c->layers = get_size(j, path, "num_hidden_layers", 1, 1024);
	c->heads = get_size(j, path, "num_attention_heads", 1, c->hidden);
	c->intermediate = get_size(j, path, "intermediate_size", 1, (size_t)1 << 20);
	c->max_pos = get_size(j, path, "max_position_embeddings", 1, (size_t)1 << 20);
	c->type_vocab = get_size(j, path, "type_vocab_size", 1, 65536);
	c->vocab = get_size(j, path, "vocab_size", 1, (size_t)1 << 24);
	if (c->hidden % c->heads)
		lmrec_die(LMREC_EXIT_DATA,
			  "%s: hidden_size %zu is not a multiple of num_attention_heads %zu", path,
			  c->hidden, c->heads);
	const json_t *e = json_object_get(j, "layer_norm_eps");
	if (!e)
		lmrec_die(LMREC_EXIT_DATA, "%s: key 'layer_norm_eps' is missing", path);
	c->eps = json_number_value(e);
	if (!json_is_number(e) || !(c->eps > 0 && c->eps < 1)) {
		char *s = show(e);
		lmrec_die(LMREC_EXIT_DATA, "%s: key 'layer_norm_eps': %s is not a number in (0, 1)",
			  path, s);
	}
	check_string(j, path, "hidden_act", "gelu", 1, "only 'gelu', the exact erf GELU of BERT");
	json_decref(j);
	free(path);

	/* sentence-transformers' own files, when they are there */
	c->max_len = c->max_pos;
	path = lmrec_xasprintf("%s/sentence_bert_config.json", dir);
	j = load_json(path, 1);
	if (j && json_object_get(j, "max_seq_length"))
		c->max_len = get_size(j, path, "max_seq_length", 1, c->max_pos);
	json_decref(j);
	free(path);
	path = lmrec_xasprintf("%s/1_Pooling/config.json", dir);
	j = load_json(path, 1);
	if (j) {
		const json_t *mean = json_object_get(j, "pooling_mode_mean_tokens");
		if (!json_is_true(mean))
			lmrec_die(LMREC_EXIT_DATA,
				  "%s: pooling_mode_mean_tokens is not true: only mean pooling is "
				  "supported",
				  path);
		const char *key;
		json_t *v;
		json_object_foreach(j, key, v) {
			if (strncmp(key, "pooling_mode_", 13) == 0 &&
			    strcmp(key, "pooling_mode_mean_tokens") != 0 && json_is_true(v))
				lmrec_die(LMREC_EXIT_DATA,
					  "%s: %s is true: only mean pooling is supported", path, key);
		}
		if (json_object_get(j, "word_embedding_dimension"))
			get_size(j, path, "word_embedding_dimension", c->hidden, c->hidden);
	}
	json_decref(j);
	free(path);
}

/* ---- weights ---- */

struct loader {
	struct lmrec_safetensors *st;
	const char *prefix; /* "" or "bert." */
	struct lmrec_bert *m;
};

/* The tensor prefix+name, which must have the given shape (dies 65 naming
 * it otherwise). The sizes of config.json are only trusted once a tensor of
 * the file has them: nothing of their size is allocated before. */
static const struct lmrec_st_tensor *tensor(struct loader *ld, const char *name, size_t ndim,
					    size_t d0, size_t d1)
{
	char *full = lmrec_xasprintf("%s%s", ld->prefix, name);
	size_t shape[2] = {d0, d1};
	const struct lmrec_st_tensor *t = lmrec_safetensors_get(ld->st, full, ndim, shape);
	free(full);
	return t;
}

/* The tensor prefix+name of the given shape, converted to floats in dst. */
static void load_into(struct loader *ld, const char *name, size_t ndim, size_t d0, size_t d1,
		      float *dst)
{
	lmrec_safetensors_read_f32(ld->st, tensor(ld, name, ndim, d0, d1), dst);
}

/* The same in a new allocation, made once the shape is checked. */
static float *load_new(struct loader *ld, const char *name, size_t ndim, size_t d0, size_t d1)
{
	const struct lmrec_st_tensor *t = tensor(ld, name, ndim, d0, d1);
	float *v = lmrec_xcalloc(t->nelem, sizeof *v);
	lmrec_safetensors_read_f32(ld->st, t, v);
	return v;
}

static float *load_vec(struct loader *ld, const char *name, size_t n)
{
	float *v = load_new(ld, name, 1, n, 0);
	ld->m->bytes += n * sizeof *v;
	return v;
}


/* The linear layer "<layer>.<name>" (weight (out, in) and bias (out)); a
 * fused one when several names are given, their rows one after another. */
static void load_linear(struct loader *ld, struct linear *L, size_t layer, const char *const *names,
			size_t nnames, size_t out, size_t in)
{
	L->out = out * nnames;
	L->in = in;
	for (size_t k = 0; k < nnames; k++) { /* the shapes, before allocating */
		char *n = lmrec_xasprintf("encoder.layer.%zu.%s.weight", layer, names[k]);
		tensor(ld, n, 2, out, in);
		free(n);
	}
	float *w = lmrec_xcalloc(L->out * in, sizeof *w);
	L->b = lmrec_xcalloc(L->out, sizeof *L->b);
	for (size_t k = 0; k < nnames; k++) {
		char *n = lmrec_xasprintf("encoder.layer.%zu.%s.weight", layer, names[k]);
		load_into(ld, n, 2, out, in, w + k * out * in);
		free(n);
		n = lmrec_xasprintf("encoder.layer.%zu.%s.bias", layer, names[k]);
		load_into(ld, n, 1, out, 0, L->b + k * out);
		free(n);
	}
	ld->m->bytes += L->out * sizeof *L->b;
	if (ld->m->int8) {
		lmrec_q8w_pack(&L->q8, w, L->out, in);
		ld->m->bytes += lmrec_q8w_bytes(&L->q8);
		free(w);
	} else {
		L->w = w;
		ld->m->bytes += L->out * in * sizeof *w;
	}
}

static float *load_layer_vec(struct loader *ld, size_t layer, const char *name, size_t n)
{
	char *full = lmrec_xasprintf("encoder.layer.%zu.%s", layer, name);
	float *v = load_vec(ld, full, n);
	free(full);
	return v;
}

struct lmrec_bert *lmrec_bert_load(const char *dir, int int8)
{
	struct lmrec_bert *m = lmrec_xcalloc(1, sizeof *m);
	m->int8 = int8 != 0;
	read_config(&m->c, dir);
	const struct lmrec_bert_config *c = &m->c;
	char *path = lmrec_xasprintf("%s/model.safetensors", dir);
	struct loader ld = {lmrec_safetensors_open(path), "", m};
	free(path);
	if (!lmrec_safetensors_find(ld.st, "embeddings.word_embeddings.weight") &&
	    lmrec_safetensors_find(ld.st, "bert.embeddings.word_embeddings.weight"))
		ld.prefix = "bert.";
	size_t h = c->hidden;

	float *word = load_new(&ld, "embeddings.word_embeddings.weight", 2, c->vocab, h);
	if (m->int8) { /* int8 rows, a scale each: a row is dequantised when looked up */
		m->word_q = lmrec_xcalloc(c->vocab * h, 1);
		m->word_s = lmrec_xcalloc(c->vocab, sizeof *m->word_s);
		lmrec_nn_quantize(m->word_q, m->word_s, word, c->vocab, h);
		m->bytes += c->vocab * h + c->vocab * sizeof *m->word_s;
		free(word);
	} else {
		m->word = word;
		m->bytes += c->vocab * h * sizeof *word;
	}
	m->pos = load_new(&ld, "embeddings.position_embeddings.weight", 2, c->max_pos, h);
	m->bytes += c->max_pos * h * sizeof *m->pos;
	float *types = load_new(&ld, "embeddings.token_type_embeddings.weight", 2, c->type_vocab, h);
	m->type0 = lmrec_xreallocarray(types, h, sizeof *types);
	m->bytes += h * sizeof *types;
	m->ln_g = load_vec(&ld, "embeddings.LayerNorm.weight", h);
	m->ln_b = load_vec(&ld, "embeddings.LayerNorm.bias", h);

	static const char *const qkv[] = {"attention.self.query", "attention.self.key",
					  "attention.self.value"};
	static const char *const o[] = {"attention.output.dense"};
	static const char *const up[] = {"intermediate.dense"};
	static const char *const down[] = {"output.dense"};
	m->layer = lmrec_xcalloc(c->layers, sizeof *m->layer);
	for (size_t l = 0; l < c->layers; l++) {
		struct layer *L = &m->layer[l];
		load_linear(&ld, &L->qkv, l, qkv, 3, h, h);
		load_linear(&ld, &L->o, l, o, 1, h, h);
		L->ln1_g = load_layer_vec(&ld, l, "attention.output.LayerNorm.weight", h);
		L->ln1_b = load_layer_vec(&ld, l, "attention.output.LayerNorm.bias", h);
		load_linear(&ld, &L->up, l, up, 1, c->intermediate, h);
		load_linear(&ld, &L->down, l, down, 1, h, c->intermediate);
		L->ln2_g = load_layer_vec(&ld, l, "output.LayerNorm.weight", h);
		L->ln2_b = load_layer_vec(&ld, l, "output.LayerNorm.bias", h);
	}
	lmrec_safetensors_close(ld.st);
	return m;
}

static void free_linear(struct linear *L)
{
	free(L->w);
	lmrec_q8w_free(&L->q8);
	free(L->b);
}

static void free_work(struct work *w)
{
	free(w->x);
	free(w->qkv);
	free(w->ctx);
	free(w->inter);
	free(w->att);
	free(w->qwork);
}

void lmrec_bert_free(struct lmrec_bert *m)
{
	if (!m)
		return;
	free(m->word);
	free(m->word_q);
	free(m->word_s);
	free(m->pos);
	free(m->type0);
	free(m->ln_g);
	free(m->ln_b);
	for (size_t l = 0; m->layer && l < m->c.layers; l++) {
		struct layer *L = &m->layer[l];
		free_linear(&L->qkv);
		free_linear(&L->o);
		free_linear(&L->up);
		free_linear(&L->down);
		free(L->ln1_g);
		free(L->ln1_b);
		free(L->ln2_g);
		free(L->ln2_b);
	}
	free(m->layer);
	for (size_t t = 0; t < m->nwork; t++)
		free_work(&m->work[t]);
	free(m->work);
	free(m);
}

const struct lmrec_bert_config *lmrec_bert_config(const struct lmrec_bert *m) { return &m->c; }
size_t lmrec_bert_dim(const struct lmrec_bert *m) { return m->c.hidden; }
size_t lmrec_bert_max_len(const struct lmrec_bert *m) { return m->c.max_len; }
size_t lmrec_bert_weight_bytes(const struct lmrec_bert *m) { return m->bytes; }

/* ---- the forward pass ---- */

/* y (T, L->out) = x (T, L->in) W^T, without the bias. */
static void linear(const struct linear *L, const float *x, size_t T, float *y, void *qwork)
{
	if (L->w)
		lmrec_sgemm_nt(T, L->out, L->in, 1.0f, x, L->in, L->w, L->in, 0.0f, y, L->out);
	else
		lmrec_q8_gemm(y, x, T, &L->q8, qwork);
}

static void grow_work(const struct lmrec_bert *m, struct work *w, size_t tokens, size_t maxlen)
{
	const struct lmrec_bert_config *c = &m->c;
	if (tokens > w->cap) {
		free(w->x);
		free(w->qkv);
		free(w->ctx);
		free(w->inter);
		w->x = lmrec_xcalloc(tokens * c->hidden, sizeof *w->x);
		w->qkv = lmrec_xcalloc(tokens * 3 * c->hidden, sizeof *w->qkv);
		w->ctx = lmrec_xcalloc(tokens * c->hidden, sizeof *w->ctx);
		w->inter = lmrec_xcalloc(tokens * c->intermediate, sizeof *w->inter);
		w->cap = tokens;
	}
	size_t att = lmrec_nn_attention_work(maxlen, c->hidden / c->heads);
	if (att > w->attcap) {
		free(w->att);
		w->att = lmrec_xcalloc(att, sizeof *w->att);
		w->attcap = att;
	}
	if (m->int8) {
		size_t q = lmrec_q8_work(tokens, &m->layer[0].up.q8);
		size_t q2 = lmrec_q8_work(tokens, &m->layer[0].down.q8);
		q = q > q2 ? q : q2;
		if (q > w->qcap) {
			free(w->qwork);
			w->qwork = lmrec_xcalloc(q, 1);
			w->qcap = q;
		}
	}
}

/* Encodes sequences [s0, s1) into out (rows s0..s1-1) with buffers w. */
static void forward(const struct lmrec_bert *m, struct work *w, const int32_t *const *ids,
		    const size_t *lens, size_t s0, size_t s1, float *out)
{
	const struct lmrec_bert_config *c = &m->c;
	size_t h = c->hidden, dh = h / c->heads, T = 0, maxlen = 0;
	for (size_t s = s0; s < s1; s++) {
		T += lens[s];
		maxlen = lens[s] > maxlen ? lens[s] : maxlen;
	}
	memset(out + s0 * h, 0, (s1 - s0) * h * sizeof *out);
	if (T == 0)
		return;
	grow_work(m, w, T, maxlen);

	/* embeddings: word + token type 0 + position, then LayerNorm */
	for (size_t s = s0, row = 0; s < s1; s++)
		for (size_t p = 0; p < lens[s]; p++, row++) {
			float *x = w->x + row * h;
			size_t id = (size_t)ids[s][p];
			if (m->word)
				memcpy(x, m->word + id * h, h * sizeof *x);
			else
				lmrec_nn_dequantize(x, m->word_q + id * h, m->word_s + id, 1, h);
			lmrec_nn_layernorm(x, m->type0, m->pos + p * h, m->ln_g, m->ln_b, 1, h, c->eps);
		}

	float scale = (float)(1.0 / sqrt((double)dh));
	for (size_t l = 0; l < c->layers; l++) {
		const struct layer *L = &m->layer[l];
		/* self-attention within each sequence */
		linear(&L->qkv, w->x, T, w->qkv, w->qwork);
		lmrec_nn_bias_add(w->qkv, L->qkv.b, T, 3 * h);
		for (size_t s = s0, row = 0; s < s1; row += lens[s], s++) {
			if (!lens[s])
				continue;
			const float *q = w->qkv + row * 3 * h;
			lmrec_nn_attention(w->ctx + row * h, h, q, q + h, q + 2 * h, 3 * h, lens[s],
					   c->heads, dh, scale, w->att);
		}
		/* x = LayerNorm(x + ctx Wo^T + bo) */
		linear(&L->o, w->ctx, T, w->qkv, w->qwork);
		lmrec_nn_layernorm(w->x, w->qkv, L->o.b, L->ln1_g, L->ln1_b, T, h, c->eps);
		/* x = LayerNorm(x + gelu(x Wi^T + bi) Wo^T + bo) */
		linear(&L->up, w->x, T, w->inter, w->qwork);
		lmrec_nn_bias_gelu(w->inter, L->up.b, T, c->intermediate);
		linear(&L->down, w->inter, T, w->qkv, w->qwork);
		lmrec_nn_layernorm(w->x, w->qkv, L->down.b, L->ln2_g, L->ln2_b, T, h, c->eps);
	}

	/* mean over the tokens, then unit length */
	double *acc = lmrec_xcalloc(h, sizeof *acc);
	for (size_t s = s0, row = 0; s < s1; row += lens[s], s++) {
		if (!lens[s])
			continue;
		memset(acc, 0, h * sizeof *acc);
		for (size_t p = 0; p < lens[s]; p++) {
			const float *x = w->x + (row + p) * h;
			for (size_t j = 0; j < h; j++)
				acc[j] += x[j];
		}
		double norm = 0;
		for (size_t j = 0; j < h; j++) {
			acc[j] /= (double)lens[s];
			norm += acc[j] * acc[j];
		}
		norm = sqrt(norm);
		norm = norm > 1e-12 ? norm : 1e-12;
		for (size_t j = 0; j < h; j++)
			out[s * h + j] = (float)(acc[j] / norm);
	}
	free(acc);
}

struct job {
	const struct lmrec_bert *m;
	struct work *work;
	const int32_t *const *ids;
	const size_t *lens;
	const size_t *cut; /* (nchunks + 1) sequence boundaries of the chunks */
	float *out;
};

static void run_chunks(void *ctx, int thread, size_t begin, size_t end)
{
	struct job *j = ctx;
	for (size_t p = begin; p < end; p++)
		forward(j->m, &j->work[thread], j->ids, j->lens, j->cut[p], j->cut[p + 1], j->out);
}

void lmrec_bert_encode(struct lmrec_bert *m, const int32_t *const *ids, const size_t *lens,
		       size_t n, float *out, int threads)
{
	const struct lmrec_bert_config *c = &m->c;
	for (size_t s = 0; s < n; s++) {
		if (lens[s] > c->max_pos)
			lmrec_die(LMREC_EXIT_DATA,
				  "sequence %zu has %zu tokens, more than the model's %zu positions",
				  s + 1, lens[s], c->max_pos);
		for (size_t p = 0; p < lens[s]; p++)
			if (ids[s][p] < 0 || (size_t)ids[s][p] >= c->vocab)
				lmrec_die(LMREC_EXIT_DATA,
					  "sequence %zu: token id %ld is outside the vocabulary "
					  "(0 to %zu)",
					  s + 1, (long)ids[s][p], c->vocab - 1);
	}
	if (threads < 1)
		threads = 1;
	if ((size_t)threads > m->nwork) {
		m->work = lmrec_xreallocarray(m->work, (size_t)threads, sizeof *m->work);
		memset(m->work + m->nwork, 0, ((size_t)threads - m->nwork) * sizeof *m->work);
		m->nwork = (size_t)threads;
	}
	int blas = openblas_get_num_threads();
	openblas_set_num_threads(1);
	/* chunks: runs of whole sequences of at most CHUNK_TOKENS tokens (one
	 * sequence at least), cut in sequence order whatever the thread count,
	 * so that every product has the same rows with any threads and the
	 * vectors the same bits */
	size_t nchunks = 0, cap = 0, *cut = NULL;
	LMREC_GROW(cut, cap, 1);
	cut[0] = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i, tot = 0;
		while (j < n && (j == i || tot + lens[j] <= CHUNK_TOKENS))
			tot += lens[j++];
		LMREC_GROW(cut, cap, nchunks + 2);
		cut[++nchunks] = j;
		i = j;
	}
	/* rounds of a few chunks a thread keep the threads' loads even (a
	 * thread takes a run of consecutive chunks) */
	for (size_t r = 0; r < nchunks;) {
		size_t e = r + 4 * (size_t)threads < nchunks ? r + 4 * (size_t)threads : nchunks;
		struct job job = {m, m->work, ids, lens, cut + r, out};
		lmrec_par_for(threads, e - r, run_chunks, &job);
		r = e;
	}
	free(cut);
	openblas_set_num_threads(blas);
}

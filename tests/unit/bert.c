/* Unit tests of lib/bert.c: the sentence encoder against PyTorch.
 *
 * tests/fixtures/bert/ was written by tests/reference/bert_ref.py (see
 * there): a 2-layer BERT (hidden 32, 4 heads, intermediate 64, 60 tokens,
 * 40 positions) with random weights in the safetensors layout and tensor
 * names of Hugging Face's BertModel, in F32 (f32/) and F16 (f16/, which also
 * holds an I64 position_ids buffer, as older checkpoints do); 38 token-id
 * sequences of 2 to 40 tokens (inputs.tsv); and their mean-pooled,
 * normalised vectors computed by PyTorch in float64 from the stored weights
 * (expected.tsv, expected-f16.tsv).
 *
 *   tests/unit/bert [--fixtures DIR]   DIR defaults to tests/fixtures/bert
 *                                      beside the binary's tests/unit */
#include <limits.h>
#include <math.h>

#include "bert.h"
#include "check.h"
#include "mat.h"
#include "safetensors.h"

extern int openblas_get_num_threads(void);

static char *fixtures; /* absolute path of tests/fixtures/bert */

struct inputs {
	int32_t **ids; /* (n) sequences */
	size_t *lens;  /* (n) */
	size_t n;
};

static void read_inputs(struct inputs *in)
{
	char *path = lmrec_xasprintf("%s/inputs.tsv", fixtures);
	struct lmrec_tsv *r = lmrec_tsv_open(path);
	size_t col = lmrec_tsv_col(r, "ids"), cap = 0;
	memset(in, 0, sizeof *in);
	while (lmrec_tsv_read(r)) {
		struct lmrec_field f = lmrec_tsv_field(r, col);
		LMREC_GROW(in->ids, cap, in->n + 1);
		in->lens = lmrec_xreallocarray(in->lens, cap, sizeof *in->lens);
		int32_t *ids = lmrec_xcalloc(f.len + 1, sizeof *ids);
		size_t k = 0;
		for (const char *p = f.p, *end = f.p + f.len; p < end;) {
			const char *sp = memchr(p, ' ', (size_t)(end - p));
			size_t len = sp ? (size_t)(sp - p) : (size_t)(end - p);
			int64_t v;
			if (lmrec_parse_i64(p, len, &v) != 0)
				lmrec_tsv_die(r, col, "bad token id");
			ids[k++] = (int32_t)v;
			p += len + (sp != NULL);
		}
		in->ids[in->n] = ids;
		in->lens[in->n++] = k;
	}
	lmrec_tsv_close(r);
	free(path);
}

static void free_inputs(struct inputs *in)
{
	for (size_t i = 0; i < in->n; i++)
		free(in->ids[i]);
	free(in->ids);
	free(in->lens);
}

/* The expected vectors (n, dim) of name. */
static float *read_expected(const char *name, size_t n, size_t dim)
{
	char *path = lmrec_xasprintf("%s/%s", fixtures, name);
	struct lmrec_tsv *r = lmrec_tsv_open(path);
	float *v = lmrec_xcalloc(n * dim, sizeof *v);
	size_t row = 0;
	CHECK_U64(r->ncols, dim + 1);
	while (lmrec_tsv_read(r)) {
		if (row < n)
			for (size_t j = 0; j < dim; j++)
				v[row * dim + j] = lmrec_tsv_f32(r, j + 1);
		row++;
	}
	CHECK_U64(row, n);
	lmrec_tsv_close(r);
	free(path);
	return v;
}

static double max_abs_diff(const float *a, const float *b, size_t n)
{
	double m = 0;
	for (size_t i = 0; i < n; i++)
		m = fmax(m, fabs((double)a[i] - b[i]));
	return m;
}

static float *encode(struct lmrec_bert *m, const struct inputs *in, int threads)
{
	float *out = lmrec_xcalloc(in->n * lmrec_bert_dim(m), sizeof *out);
	lmrec_bert_encode(m, (const int32_t *const *)in->ids, in->lens, in->n, out, threads);
	return out;
}

static void test_against_pytorch(void)
{
	struct inputs in;
	read_inputs(&in);
	CHECK_U64(in.n, 38);
	char *dir = lmrec_xasprintf("%s/f32", fixtures);
	struct lmrec_bert *m = lmrec_bert_load(dir, 0);
	CHECK_U64(lmrec_bert_dim(m), 32);
	CHECK_U64(lmrec_bert_max_len(m), 40);
	float *want = read_expected("expected.tsv", in.n, 32);
	float *got = encode(m, &in, 1);
	double d = max_abs_diff(got, want, in.n * 32);
	printf("# f32: max abs difference to PyTorch (float64) %.3g\n", d);
	CHECK(d <= 1e-4);
	/* unit vectors */
	for (size_t i = 0; i < in.n; i++) {
		double s = 0;
		for (size_t j = 0; j < 32; j++)
			s += (double)got[i * 32 + j] * got[i * 32 + j];
		CHECK(fabs(s - 1) < 1e-6);
	}
	/* each sequence alone: the same vectors; on 2 and 5 threads: the same bits */
	float *one = lmrec_xcalloc(32, sizeof *one);
	double dalone = 0;
	for (size_t i = 0; i < in.n; i++) {
		lmrec_bert_encode(m, (const int32_t *const *)&in.ids[i], &in.lens[i], 1, one, 1);
		dalone = fmax(dalone, max_abs_diff(one, got + i * 32, 32));
	}
	printf("# f32: one at a time against the whole batch %.3g\n", dalone);
	CHECK(dalone <= 1e-6);
	for (int t = 2; t <= 5; t += 3) {
		float *par = encode(m, &in, t);
		double dt = max_abs_diff(par, got, in.n * 32);
		printf("# f32: %d threads against 1 %.3g\n", t, dt);
		CHECK(memcmp(par, got, in.n * 32 * sizeof *got) == 0);
		free(par);
	}
	free(one);
	free(got);
	free(want);
	lmrec_bert_free(m);
	free(dir);
	free_inputs(&in);
}

static void test_f16_weights(void)
{
	struct inputs in;
	read_inputs(&in);
	char *dir = lmrec_xasprintf("%s/f16", fixtures);
	struct lmrec_bert *m = lmrec_bert_load(dir, 0);
	float *want = read_expected("expected-f16.tsv", in.n, 32);
	float *got = encode(m, &in, 2);
	double d = max_abs_diff(got, want, in.n * 32);
	printf("# f16: max abs difference to PyTorch (float64, same f16 weights) %.3g\n", d);
	CHECK(d <= 1e-4);
	/* and the half-precision weights are not the f32 ones */
	float *f32 = read_expected("expected.tsv", in.n, 32);
	CHECK(max_abs_diff(got, f32, in.n * 32) > 1e-5);
	free(f32);
	free(got);
	free(want);
	lmrec_bert_free(m);
	free(dir);
	free_inputs(&in);
}

static void test_int8(void)
{
	struct inputs in;
	read_inputs(&in);
	char *dir = lmrec_xasprintf("%s/f32", fixtures);
	struct lmrec_bert *m = lmrec_bert_load(dir, 0), *q = lmrec_bert_load(dir, 1);
	float *a = encode(m, &in, 1), *b = encode(q, &in, 1);
	double sum = 0, mn = 1;
	for (size_t i = 0; i < in.n; i++) {
		double c = lmrec_cosine(a + i * 32, b + i * 32, 32);
		sum += c;
		mn = fmin(mn, c);
	}
	printf("# int8: cosine to f32 vectors mean %.6f, min %.6f; weights %zu bytes, f32 %zu\n",
	       sum / (double)in.n, mn, lmrec_bert_weight_bytes(q), lmrec_bert_weight_bytes(m));
	CHECK(mn > 0.99);
	CHECK(mn < 1); /* it is another model */
	CHECK(lmrec_bert_weight_bytes(q) * 2 < lmrec_bert_weight_bytes(m));
	free(a);
	free(b);
	lmrec_bert_free(m);
	lmrec_bert_free(q);
	free(dir);
	free_inputs(&in);
}

/* ---- model folders made from the fixture ---- */

struct variant {
	const char *prefix; /* put before every tensor name */
	const char *drop;   /* a tensor left out */
	const char *retype; /* a tensor written as I64 of the same shape */
	const char *nan;    /* a tensor with a NaN at element 3 */
};

/* dir/model.safetensors: the f32 fixture changed as v says; dir/config.json:
 * the fixture's with from replaced by to (when from is not NULL). */
static void make_model(const char *dir, const struct variant *v, const char *from, const char *to)
{
	check_tmpdir();
	mkdir(dir, 0777);
	char *src = lmrec_xasprintf("%s/f32/model.safetensors", fixtures);
	struct lmrec_safetensors *st = lmrec_safetensors_open(src);
	struct lmrec_st_out *t = lmrec_xcalloc(st->n, sizeof *t);
	char **names = lmrec_xcalloc(st->n, sizeof *names);
	unsigned char **data = lmrec_xcalloc(st->n, sizeof *data);
	size_t n = 0;
	for (size_t i = 0; i < st->n; i++) {
		const struct lmrec_st_tensor *s = &st->t[i];
		if (v->drop && strcmp(s->name, v->drop) == 0)
			continue;
		names[n] = lmrec_xasprintf("%s%s", v->prefix ? v->prefix : "", s->name);
		t[n] = (struct lmrec_st_out){names[n], s->dtype, s->ndim, s->shape, s->data};
		if (v->retype && strcmp(s->name, v->retype) == 0) {
			data[n] = lmrec_xcalloc(s->nelem, 8);
			t[n].dtype = LMREC_ST_I64;
			t[n].data = data[n];
		}
		if (v->nan && strcmp(s->name, v->nan) == 0) {
			data[n] = lmrec_xmalloc(s->nbytes);
			memcpy(data[n], s->data, s->nbytes);
			lmrec_put_le32(data[n] + 12, 0x7fc00000u);
			t[n].data = data[n];
		}
		n++;
	}
	char *dst = lmrec_xasprintf("%s/model.safetensors", dir);
	lmrec_safetensors_write(dst, t, n, NULL, 0);
	for (size_t i = 0; i < n; i++) {
		free(names[i]);
		free(data[i]);
	}
	free(names);
	free(data);
	free(t);
	free(dst);
	lmrec_safetensors_close(st);
	free(src);

	src = lmrec_xasprintf("%s/f32/config.json", fixtures);
	char *cfg = check_slurp(src, NULL);
	if (from) {
		char *at = strstr(cfg, from);
		CHECK(at != NULL);
		if (at) {
			char *c2 = lmrec_xasprintf("%.*s%s%s", (int)(at - cfg), cfg, to, at + strlen(from));
			free(cfg);
			cfg = c2;
		}
	}
	dst = lmrec_xasprintf("%s/config.json", dir);
	check_write_str(dst, cfg);
	free(dst);
	free(cfg);
	free(src);
}

/* Removes a folder made by make_model (check_done removes files only). */
static void remove_model(const char *dir)
{
	static const char *const files[] = {"config.json", "model.safetensors",
					    "sentence_bert_config.json", "1_Pooling/config.json",
					    "1_Pooling"};
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		char *p = lmrec_xasprintf("%s/%s", dir, files[i]);
		if (unlink(p) != 0 && errno == EISDIR)
			rmdir(p);
		free(p);
	}
	CHECK(rmdir(dir) == 0);
}

static void test_bert_prefix(void)
{
	struct inputs in;
	read_inputs(&in);
	make_model("prefixed", &(struct variant){.prefix = "bert."}, NULL, NULL);
	char *dir = lmrec_xasprintf("%s/f32", fixtures);
	struct lmrec_bert *m = lmrec_bert_load(dir, 0), *p = lmrec_bert_load("prefixed", 0);
	float *a = encode(m, &in, 1), *b = encode(p, &in, 1);
	CHECK(memcmp(a, b, in.n * 32 * sizeof *a) == 0);
	remove_model("prefixed");
	free(a);
	free(b);
	lmrec_bert_free(m);
	lmrec_bert_free(p);
	free(dir);
	free_inputs(&in);
}

static void child_load(void *arg)
{
	lmrec_bert_free(lmrec_bert_load(arg, 0));
}

/* The model folder made by make_model(v, from, to) is refused with want. */
static void refused_at(int line, const struct variant *v, const char *from, const char *to,
		       int status, const char *want)
{
	char err[1024];
	make_model("bad", v, from, to);
	int got = check_child(child_load, "bad", err, sizeof err);
	if (got != status)
		check_fail(__FILE__, line, "exit %d, expected %d (%s)", got, status, err);
	if (strcmp(err, want) != 0)
		check_fail(__FILE__, line, "message\n#   '%s'\n# expected\n#   '%s'", err, want);
}
#define CONFIG_REFUSED(from, to, want)                                                             \
	refused_at(__LINE__, &(struct variant){0}, from, to, 65, "bert: bad/config.json" want)
#define TENSOR_REFUSED(v, from, to, want)                                                          \
	refused_at(__LINE__, v, from, to, 65, "bert: bad/model.safetensors: " want)

static void test_config_refusals(void)
{
	char err[512];
	check_tmpdir();
	CHECK_INT(check_child(child_load, "nowhere", err, sizeof err), 1);
	CHECK_STR(err, "bert: nowhere/config.json: open: No such file or directory");
	CONFIG_REFUSED("{", "[", ":2: not valid JSON: ']' expected near ':'");
	CONFIG_REFUSED("{", "", ":2: not valid JSON: '[' or '{' expected near '\"architectures\"'");
	CONFIG_REFUSED("\"hidden_size\": 32,", "", ": key 'hidden_size' is missing");
	CONFIG_REFUSED("\"vocab_size\": 60,", "\"vocab_size\": 60, \"vocab_size\": 61,",
		       ":15: not valid JSON: duplicate object key near '\"vocab_size\"'");
	CONFIG_REFUSED("\"num_hidden_layers\": 2", "\"num_hidden_layers\": \"2\"",
		       ": key 'num_hidden_layers': \"2\" is not an integer from 1 to 1024");
	CONFIG_REFUSED("\"intermediate_size\": 64", "\"intermediate_size\": 0",
		       ": key 'intermediate_size': 0 is not an integer from 1 to 1048576");
	CONFIG_REFUSED("\"num_attention_heads\": 4", "\"num_attention_heads\": 5",
		       ": hidden_size 32 is not a multiple of num_attention_heads 5");
	CONFIG_REFUSED("\"num_attention_heads\": 4", "\"num_attention_heads\": 64",
		       ": key 'num_attention_heads': 64 is not an integer from 1 to 32");
	CONFIG_REFUSED("\"layer_norm_eps\": 1e-12", "\"layer_norm_eps\": -1",
		       ": key 'layer_norm_eps': -1 is not a number in (0, 1)");
	CONFIG_REFUSED("\"layer_norm_eps\": 1e-12,", "", ": key 'layer_norm_eps' is missing");
	CONFIG_REFUSED("\"hidden_act\": \"gelu\"", "\"hidden_act\": \"gelu_new\"",
		       ": key 'hidden_act': \"gelu_new\" is not supported (only 'gelu', the exact erf "
		       "GELU of BERT)");
	CONFIG_REFUSED("\"hidden_act\": \"gelu\",", "", ": key 'hidden_act' is missing");
	CONFIG_REFUSED("\"model_type\": \"bert\"", "\"model_type\": \"roberta\"",
		       ": key 'model_type': \"roberta\" is not supported (only 'bert')");
	CONFIG_REFUSED("\"absolute\"", "\"relative_key\"",
		       ": key 'position_embedding_type': \"relative_key\" is not supported (only "
		       "'absolute')");
	remove_model("bad");
}

static void test_tensor_refusals(void)
{
	/* a tensor of the wrong shape for the config */
	TENSOR_REFUSED(&(struct variant){0}, "\"intermediate_size\": 64", "\"intermediate_size\": 65",
		       "tensor 'encoder.layer.0.intermediate.dense.weight' has shape [64, 32], "
		       "expected [65, 32]");
	TENSOR_REFUSED(&(struct variant){0}, "\"vocab_size\": 60", "\"vocab_size\": 61",
		       "tensor 'embeddings.word_embeddings.weight' has shape [60, 32], expected [61, "
		       "32]");
	TENSOR_REFUSED(&(struct variant){0}, "\"num_hidden_layers\": 2", "\"num_hidden_layers\": 3",
		       "tensor 'encoder.layer.2.attention.self.query.weight' is missing");
	/* a missing tensor */
	TENSOR_REFUSED(&(struct variant){.drop = "encoder.layer.1.output.LayerNorm.bias"}, NULL, NULL,
		       "tensor 'encoder.layer.1.output.LayerNorm.bias' is missing");
	TENSOR_REFUSED(&(struct variant){.drop = "embeddings.word_embeddings.weight"}, NULL, NULL,
		       "tensor 'embeddings.word_embeddings.weight' is missing");
	TENSOR_REFUSED((&(struct variant){.prefix = "bert.",
					  .drop = "embeddings.position_embeddings.weight"}),
		       NULL, NULL, "tensor 'bert.embeddings.position_embeddings.weight' is missing");
	TENSOR_REFUSED(&(struct variant){.retype = "encoder.layer.0.attention.self.key.bias"}, NULL,
		       NULL,
		       "tensor 'encoder.layer.0.attention.self.key.bias': dtype I64, expected a float "
		       "type (F32, F16, BF16 or F64)");
	TENSOR_REFUSED(&(struct variant){.nan = "encoder.layer.1.attention.output.dense.weight"}, NULL,
		       NULL,
		       "tensor 'encoder.layer.1.attention.output.dense.weight': element 3 is not a "
		       "finite float");
	/* a file that is no safetensors file at all */
	char err[512];
	make_model("bad", &(struct variant){0}, NULL, NULL);
	check_write("bad/model.safetensors", "\x08\0\0\0\0\0\0\0[]      ", 16);
	CHECK_INT(check_child(child_load, "bad", err, sizeof err), 65);
	CHECK_STR(err, "bert: bad/model.safetensors: the header is not a JSON object");
	unlink("bad/model.safetensors");
	CHECK_INT(check_child(child_load, "bad", err, sizeof err), 1);
	CHECK_STR(err, "bert: bad/model.safetensors: open: No such file or directory");
	remove_model("bad");
}

static void test_sentence_transformers_files(void)
{
	char err[512];
	make_model("st", &(struct variant){0}, NULL, NULL);
	check_write_str("st/sentence_bert_config.json",
			"{\"max_seq_length\": 16, \"do_lower_case\": false}");
	mkdir("st/1_Pooling", 0777);
	check_write_str("st/1_Pooling/config.json",
			"{\"word_embedding_dimension\": 32, \"pooling_mode_cls_token\": false, "
			"\"pooling_mode_mean_tokens\": true, \"pooling_mode_max_tokens\": false}");
	struct lmrec_bert *m = lmrec_bert_load("st", 0);
	CHECK_U64(lmrec_bert_max_len(m), 16);
	lmrec_bert_free(m);
	check_write_str("st/sentence_bert_config.json", "{\"max_seq_length\": 41}");
	CHECK_INT(check_child(child_load, "st", err, sizeof err), 65);
	CHECK_STR(err, "bert: st/sentence_bert_config.json: key 'max_seq_length': 41 is not an "
		       "integer from 1 to 40");
	check_write_str("st/sentence_bert_config.json", "{}");
	check_write_str("st/1_Pooling/config.json",
			"{\"pooling_mode_cls_token\": true, \"pooling_mode_mean_tokens\": true}");
	CHECK_INT(check_child(child_load, "st", err, sizeof err), 65);
	CHECK_STR(err, "bert: st/1_Pooling/config.json: pooling_mode_cls_token is true: only mean "
		       "pooling is supported");
	check_write_str("st/1_Pooling/config.json", "{\"pooling_mode_cls_token\": true}");
	CHECK_INT(check_child(child_load, "st", err, sizeof err), 65);
	CHECK_STR(err, "bert: st/1_Pooling/config.json: pooling_mode_mean_tokens is not true: only "
		       "mean pooling is supported");
	check_write_str("st/1_Pooling/config.json",
			"{\"pooling_mode_mean_tokens\": true, \"word_embedding_dimension\": 384}");
	CHECK_INT(check_child(child_load, "st", err, sizeof err), 65);
	CHECK_STR(err, "bert: st/1_Pooling/config.json: key 'word_embedding_dimension': 384 is not "
		       "an integer from 32 to 32");
	remove_model("st");
}

struct bad_call {
	int32_t ids[41];
	size_t len;
};

static void child_encode(void *arg)
{
	struct bad_call *b = arg;
	char *dir = lmrec_xasprintf("%s/f32", fixtures);
	struct lmrec_bert *m = check_keep(lmrec_bert_load(dir, 0));
	const int32_t *two[2] = {b->ids, b->ids};
	size_t lens[2] = {2, b->len};
	float out[64];
	lmrec_bert_encode(m, two, lens, 2, out, 1);
	lmrec_bert_free(m);
	free(dir);
}

static void test_encode(void)
{
	char err[512];
	struct bad_call b = {{2, 5, 3}, 3};
	CHECK_INT(check_child(child_encode, &b, err, sizeof err), 0);
	b.ids[1] = 60;
	CHECK_INT(check_child(child_encode, &b, err, sizeof err), 65);
	CHECK_STR(err, "bert: sequence 1: token id 60 is outside the vocabulary (0 to 59)");
	b.ids[1] = -1;
	CHECK_INT(check_child(child_encode, &b, err, sizeof err), 65);
	CHECK_STR(err, "bert: sequence 1: token id -1 is outside the vocabulary (0 to 59)");
	b.ids[1] = 7;
	b.len = 41;
	CHECK_INT(check_child(child_encode, &b, err, sizeof err), 65);
	CHECK_STR(err, "bert: sequence 2 has 41 tokens, more than the model's 40 positions");

	/* an empty sequence gives a zero vector; the others are untouched by it;
	 * OpenBLAS's thread count is left as it was */
	char *dir = lmrec_xasprintf("%s/f32", fixtures);
	struct lmrec_bert *m = lmrec_bert_load(dir, 0);
	const int32_t seq[3] = {2, 9, 3};
	const int32_t *ids[3] = {seq, seq, seq};
	size_t lens[3] = {3, 0, 3};
	float out[96], alone[32];
	memset(out, 0xff, sizeof out);
	lmrec_blas_threads(2);
	lmrec_bert_encode(m, ids, lens, 3, out, 2);
	CHECK_INT(openblas_get_num_threads(), 2);
	lmrec_blas_threads(1);
	lmrec_bert_encode(m, ids, lens, 1, alone, 1);
	CHECK_INT(openblas_get_num_threads(), 1);
	for (size_t j = 0; j < 32; j++)
		CHECK(out[32 + j] == 0);
	CHECK(max_abs_diff(out, alone, 32) <= 1e-6);
	CHECK(max_abs_diff(out + 64, alone, 32) <= 1e-6);
	lmrec_bert_encode(m, ids, lens, 0, out, 1); /* nothing to do */
	lmrec_bert_free(m);
	lmrec_bert_free(NULL);
	free(dir);
}

int main(int argc, char **argv)
{
	lmrec_setprogname("bert");
	char *dir;
	if (argc == 3 && strcmp(argv[1], "--fixtures") == 0) {
		dir = lmrec_xstrdup(argv[2]);
	} else if (argc == 1) {
		const char *slash = strrchr(argv[0], '/');
		dir = slash ? lmrec_xasprintf("%.*s/../fixtures/bert", (int)(slash - argv[0]), argv[0])
			    : lmrec_xstrdup("../fixtures/bert");
	} else {
		fprintf(stderr, "usage: bert [--fixtures DIR]\n");
		return 2;
	}
	char cwd[PATH_MAX]; /* made absolute before the tests change directory */
	if (dir[0] == '/' || !getcwd(cwd, sizeof cwd)) {
		fixtures = dir;
	} else {
		fixtures = lmrec_xasprintf("%s/%s", cwd, dir);
		free(dir);
	}
	CHECK_RUN(test_against_pytorch);
	CHECK_RUN(test_f16_weights);
	CHECK_RUN(test_int8);
	CHECK_RUN(test_bert_prefix);
	CHECK_RUN(test_config_refusals);
	CHECK_RUN(test_tensor_refusals);
	CHECK_RUN(test_sentence_transformers_files);
	CHECK_RUN(test_encode);
	free(fixtures);
	return check_done();
}

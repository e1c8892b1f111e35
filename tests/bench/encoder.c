/* Benchmark helper of tests/bench/encoder.sh: a BERT model of a given
 * shape with random weights (made by tests/tools/mkbert), and the speed of
 * lib/bert.c on it.
 *
 *   encoder speed DIR THREADS BATCH SEQ REPS INT8
 *       encodes REPS rounds of 2 batches of BATCH random sequences of SEQ
 *       tokens (one untimed round first); prints the median sentences/s
 *   encoder sgemm DIR THREADS TOKENS REPS
 *       the products of one forward pass over TOKENS tokens (every layer's
 *       four projections as sgemm calls), on THREADS threads two ways:
 *       OpenBLAS's threads over all the rows, then one single-threaded sgemm
 *       a thread over its share (as lmrec_bert_encode runs them); prints
 *       the two median GFLOP/s
 *   encoder flops DIR SEQ
 *       prints the floating-point operations of one sentence of SEQ tokens
 *       (projections and attention products; multiply and add counted apart)
 *   encoder accuracy DIR N SEQ
 *       int8 against fp32 on N random sequences: prints the mean and the
 *       minimum cosine, and the bytes of weights of each
 *   encoder kernels
 *       prints which of lib/nn.c's kernels run here (avx2+fma or portable) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lmrec.h"
#include "bert.h"
#include "mat.h"
#include "nn.h"
#include "par.h"
#include "safetensors.h"

#define USAGE                                                                                      \
	"usage: encoder speed DIR THREADS BATCH SEQ REPS INT8 | sgemm DIR THREADS TOKENS REPS | " \
	"flops DIR SEQ | accuracy DIR N SEQ | kernels"

/* n random sentences of len tokens: [CLS] (101 in BERT's vocabulary),
 * words (past the first 1000 ids, of special and unused tokens, in a large
 * vocabulary), [SEP] (102). */
static int32_t **sentences(struct lmrec_rng *rng, size_t n, size_t len, size_t vocab)
{
	size_t lo = vocab > 2000 ? 1000 : 0;
	int32_t cls = (int32_t)(101 % vocab), sep = (int32_t)(102 % vocab);
	int32_t **s = lmrec_xcalloc(n, sizeof *s);
	for (size_t i = 0; i < n; i++) {
		s[i] = lmrec_xcalloc(len, sizeof **s);
		for (size_t p = 0; p < len; p++)
			s[i][p] = p == 0 ? cls
				  : p == len - 1 ? sep
						 : (int32_t)(lo + lmrec_rng_below(rng, vocab - lo));
	}
	return s;
}

static void free_sentences(int32_t **s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(s[i]);
	free(s);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* CPU time of the process, all threads. */
static double cpu_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double flops(const struct lmrec_bert_config *c, size_t seq)
{
	double h = (double)c->hidden, L = (double)seq;
	double proj = 2 * L * (4 * h * h + 2 * h * (double)c->intermediate);
	double att = 2 * 2 * L * L * h; /* q k^T and p v over all heads */
	return (double)c->layers * (proj + att);
}

static void speed(const char *dir, int threads, size_t batch, size_t seq, size_t reps, int int8)
{
	struct lmrec_bert *m = lmrec_bert_load(dir, int8);
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 2);
	int32_t **s = sentences(&rng, 2 * batch, seq, lmrec_bert_config(m)->vocab);
	size_t *lens = lmrec_xcalloc(2 * batch, sizeof *lens);
	for (size_t i = 0; i < 2 * batch; i++)
		lens[i] = seq;
	float *out = lmrec_xcalloc(2 * batch * lmrec_bert_dim(m), sizeof *out);
	double *rate = lmrec_xcalloc(reps, sizeof *rate), *crate = lmrec_xcalloc(reps, sizeof *crate);
	for (size_t r = 0; r <= reps; r++) {
		double t0 = lmrec_now(), c0 = cpu_seconds();
		for (size_t b = 0; b < 2; b++)
			lmrec_bert_encode(m, (const int32_t *const *)s + b * batch, lens + b * batch,
					  batch, out + b * batch * lmrec_bert_dim(m), threads);
		if (r > 0) {
			rate[r - 1] = (double)(2 * batch) / (lmrec_now() - t0);
			crate[r - 1] = (double)(2 * batch) * threads / (cpu_seconds() - c0);
		}
	}
	printf("%.1f\t%.1f\n", median(rate, reps), median(crate, reps));
	free(rate);
	free(crate);
	free(out);
	free(lens);
	free_sentences(s, 2 * batch);
	lmrec_bert_free(m);
}

struct products {
	const struct lmrec_bert_config *c;
	size_t tokens; /* rows of each task */
	float *x, *y, *w;
	size_t big;    /* floats of x and y per task row */
	double flops;
};

/* A forward pass's products over p->tokens rows: task t uses its own x, y. */
static void run_products(void *ctx, int thread, size_t begin, size_t end)
{
	struct products *p = ctx;
	(void)thread;
	size_t h = p->c->hidden, in = p->c->intermediate;
	const size_t shapes[4][2] = {{3 * h, h}, {h, h}, {in, h}, {h, in}}; /* (out, in) */
	for (size_t t = begin; t < end; t++) {
		float *x = p->x + t * p->tokens * p->big, *y = p->y + t * p->tokens * p->big;
		for (size_t l = 0; l < p->c->layers; l++)
			for (size_t k = 0; k < 4; k++)
				lmrec_sgemm_nt(p->tokens, shapes[k][0], shapes[k][1], 1.0f, x, shapes[k][1],
					       p->w, shapes[k][1], 0.0f, y, shapes[k][0]);
	}
}

/* The sgemm rate of a forward pass's products over tokens rows, on
 * threads threads two ways: OpenBLAS's own threads over all the rows, and
 * (as lmrec_bert_encode does) one single-threaded sgemm per thread over its
 * share of the rows. */
static void sgemm(const char *dir, int threads, size_t tokens, size_t reps)
{
	struct lmrec_bert *m = lmrec_bert_load(dir, 0);
	const struct lmrec_bert_config *c = lmrec_bert_config(m);
	size_t h = c->hidden, in = c->intermediate, big = 3 * h > in ? 3 * h : in;
	struct products p = {c, tokens, NULL, NULL, NULL, big, 0};
	p.x = lmrec_xcalloc(tokens * big, sizeof *p.x);
	p.y = lmrec_xcalloc(tokens * big, sizeof *p.y);
	p.w = lmrec_xcalloc(big * big, sizeof *p.w);
	for (size_t i = 0; i < tokens * big; i++)
		p.x[i] = (float)(i % 7) * 0.1f;
	for (size_t i = 0; i < big * big; i++)
		p.w[i] = (float)(i % 5) * 0.01f;
	p.flops = (double)c->layers * 2.0 * (double)tokens * (4.0 * (double)(h * h) + 2.0 * (double)(h * in));
	double *rate = lmrec_xcalloc(2 * reps, sizeof *rate);
	for (size_t r = 0; r <= reps; r++) {
		lmrec_blas_threads(threads);
		double t0 = lmrec_now();
		run_products(&p, 0, 0, 1);
		if (r > 0)
			rate[r - 1] = p.flops / (lmrec_now() - t0) / 1e9;
		lmrec_blas_threads(1);
		p.tokens = tokens / (size_t)threads;
		t0 = lmrec_now();
		lmrec_par_for(threads, (size_t)threads, run_products, &p);
		if (r > 0)
			rate[reps + r - 1] = p.flops / (lmrec_now() - t0) / 1e9;
		p.tokens = tokens;
	}
	double a = median(rate, reps), b = median(rate + reps, reps);
	printf("%.1f\t%.1f\n", a, b);
	free(rate);
	free(p.x);
	free(p.y);
	free(p.w);
	lmrec_bert_free(m);
}

static void accuracy(const char *dir, size_t n, size_t seq)
{
	struct lmrec_bert *m = lmrec_bert_load(dir, 0), *q = lmrec_bert_load(dir, 1);
	size_t dim = lmrec_bert_dim(m);
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 3);
	int32_t **s = sentences(&rng, n, seq, lmrec_bert_config(m)->vocab);
	size_t *lens = lmrec_xcalloc(n, sizeof *lens);
	for (size_t i = 0; i < n; i++)
		lens[i] = seq;
	float *a = lmrec_xcalloc(n * dim, sizeof *a), *b = lmrec_xcalloc(n * dim, sizeof *b);
	lmrec_bert_encode(m, (const int32_t *const *)s, lens, n, a, 2);
	lmrec_bert_encode(q, (const int32_t *const *)s, lens, n, b, 2);
	double sum = 0, mn = 1;
	for (size_t i = 0; i < n; i++) {
		double c = lmrec_cosine(a + i * dim, b + i * dim, dim);
		sum += c;
		mn = c < mn ? c : mn;
	}
	printf("%.6f\t%.6f\t%zu\t%zu\n", sum / (double)n, mn, lmrec_bert_weight_bytes(m),
	       lmrec_bert_weight_bytes(q));
	free(a);
	free(b);
	free(lens);
	free_sentences(s, n);
	lmrec_bert_free(m);
	lmrec_bert_free(q);
}

static size_t num(const char *what, const char *s) { return (size_t)lmrec_opt_u64(what, s, 1, 1u << 30); }

int main(int argc, char **argv)
{
	lmrec_setprogname(argv[0]);
	if (argc == 8 && strcmp(argv[1], "speed") == 0) {
		speed(argv[2], (int)num("THREADS", argv[3]), num("BATCH", argv[4]), num("SEQ", argv[5]),
		      num("REPS", argv[6]), strcmp(argv[7], "1") == 0);
	} else if (argc == 6 && strcmp(argv[1], "sgemm") == 0) {
		sgemm(argv[2], (int)num("THREADS", argv[3]), num("TOKENS", argv[4]), num("REPS", argv[5]));
	} else if (argc == 4 && strcmp(argv[1], "flops") == 0) {
		struct lmrec_bert *m = lmrec_bert_load(argv[2], 1);
		printf("%.0f\n", flops(lmrec_bert_config(m), num("SEQ", argv[3])));
		lmrec_bert_free(m);
	} else if (argc == 2 && strcmp(argv[1], "kernels") == 0) {
		printf("%s\n", lmrec_nn_simd_name());
	} else if (argc == 5 && strcmp(argv[1], "accuracy") == 0) {
		accuracy(argv[2], num("N", argv[3]), num("SEQ", argv[4]));
	} else {
		lmrec_usage_error(USAGE);
	}
	lmrec_close_stdout();
	return 0;
}

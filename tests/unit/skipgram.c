/* Unit tests of lib/skipgram.c: FNV-1a against published values, the
 * character n-grams of fastText (UTF-8, boundaries), the loss and its
 * gradient against central finite differences, and training: the same
 * bytes for a seed (one thread, and two threads), words of a planted
 * corpus that share contexts nearer than words that do not, and an unseen
 * word near the trained word it shares n-grams with. */
#include <math.h>

#include "check.h"
#include "corpus.h"
#include "skipgram.h"

static void test_fnv(void)
{
	CHECK_U64(lmrec_fnv1a32("", 0), 0x811c9dc5u);
	CHECK_U64(lmrec_fnv1a32("a", 1), 0xe40c292cu);
	CHECK_U64(lmrec_fnv1a32("foobar", 6), 0xbf9cf968u);
}

static int has_row(const uint32_t *r, size_t n, uint32_t x)
{
	for (size_t i = 0; i < n; i++)
		if (r[i] == x)
			return 1;
	return 0;
}

static void test_ngrams(void)
{
	uint32_t *rows = NULL;
	size_t n = 0, cap = 0, B = 1000003, base = 10;
	/* "<ab>", 3 to 6 characters: <ab, <ab>, ab> */
	lmrec_skipgram_ngrams("ab", 2, 3, 6, B, base, &rows, &n, &cap);
	CHECK_U64(n, 3);
	CHECK(has_row(rows, n, (uint32_t)(base + lmrec_fnv1a32("<ab", 3) % B)));
	CHECK(has_row(rows, n, (uint32_t)(base + lmrec_fnv1a32("<ab>", 4) % B)));
	CHECK(has_row(rows, n, (uint32_t)(base + lmrec_fnv1a32("ab>", 3) % B)));
	/* UTF-8: "<é>" in characters of 1 to 2: <é, é, é> (a lone < or > is
	 * never an n-gram) */
	n = 0;
	lmrec_skipgram_ngrams("\xc3\xa9", 2, 1, 2, B, 0, &rows, &n, &cap);
	CHECK_U64(n, 3);
	CHECK(has_row(rows, n, lmrec_fnv1a32("<\xc3\xa9", 3) % B));
	CHECK(has_row(rows, n, lmrec_fnv1a32("\xc3\xa9", 2) % B));
	CHECK(has_row(rows, n, lmrec_fnv1a32("\xc3\xa9>", 3) % B));
	/* "<hello>" 3..6: 5 + 4 + 3 + 2 = 14 n-grams; maxn 0 none */
	n = 0;
	lmrec_skipgram_ngrams("hello", 5, 3, 6, B, 0, &rows, &n, &cap);
	CHECK_U64(n, 14);
	n = 0;
	lmrec_skipgram_ngrams("hello", 5, 3, 0, B, 0, &rows, &n, &cap);
	CHECK_U64(n, 0);
	free(rows);
}

/* A float on a grid of 2^-12 in [-range, range): a parameter plus or minus
 * the step is exactly a float too. */
static float grid(struct lmrec_rng *rng, double range)
{
	return (float)ldexp(floor(ldexp((lmrec_rng_double(rng) * 2.0 - 1.0) * range, 12)), -12);
}

enum { DIM = 5, ROWS = 8, OROWS = 6 };

static double ref_log_sigmoid(double x) { return x > 0 ? -log1p(exp(-x)) : x - log1p(exp(x)); }

/* The loss of skipgram.h written out in double. */
static double ref_loss(const float *in, const float *out, size_t dim, const uint32_t *sub, size_t nsub,
		       const uint32_t *tgt, size_t ntgt)
{
	double hv[64] = {0}, loss = 0;
	for (size_t s = 0; s < nsub; s++)
		for (size_t d = 0; d < dim; d++)
			hv[d] += (double)in[sub[s] * dim + d] / (double)nsub;
	for (size_t j = 0; j < ntgt; j++) {
		double x = 0;
		for (size_t d = 0; d < dim; d++)
			x += hv[d] * out[tgt[j] * dim + d];
		loss -= j == 0 ? ref_log_sigmoid(x) : ref_log_sigmoid(-x);
	}
	return loss;
}

static void test_gradient(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 5);
	/* the library computes in float (the training's precision); the
	 * differences are taken of ref_loss, the same loss in double, so they
	 * measure the formulas, not float rounding */
	const double h = ldexp(1.0, -12);
	size_t bad = 0, checked = 0;
	double worst = 0;
	for (int t = 0; t < 200; t++) {
		float in[ROWS * DIM], out[OROWS * DIM];
		double range = t % 3 == 0 ? 0.2 : t % 3 == 1 ? 1.0 : 3.0;
		for (size_t i = 0; i < (size_t)ROWS * DIM; i++)
			in[i] = grid(&rng, range);
		for (size_t i = 0; i < (size_t)OROWS * DIM; i++)
			out[i] = grid(&rng, range);
		/* input rows: 4 distinct, or (every 4th case) one of them twice */
		uint32_t sub[4] = {0, 3, 5, 6}, tgt[4] = {1, 0, 4, 2};
		if (t % 4 == 3)
			sub[3] = 3;
		if (t % 5 == 4) /* a negative drawn twice */
			tgt[3] = tgt[2];
		float hv[DIM], gin[DIM], gout[4 * DIM];
		double f0 = lmrec_skipgram_loss(in, out, DIM, sub, 4, tgt, 4, hv, gin, gout);
		double r0 = ref_loss(in, out, DIM, sub, 4, tgt, 4);
		CHECK(fabs(f0 - r0) <= 1e-5 * fabs(r0) + 1e-6);
		/* analytic gradient of each parameter: an input row counts once per
		 * appearance in sub, an output row once per appearance in tgt */
		for (size_t r = 0; r < ROWS + OROWS; r++)
			for (size_t d = 0; d < DIM; d++) {
				double g = 0;
				int is_in = r < ROWS;
				uint32_t row = (uint32_t)(is_in ? r : r - ROWS);
				if (is_in) {
					for (size_t s = 0; s < 4; s++)
						g += sub[s] == row ? gin[d] : 0.0;
				} else {
					for (size_t j = 0; j < 4; j++)
						g += tgt[j] == row ? gout[j * DIM + d] : 0.0;
				}
				float *q = is_in ? &in[(size_t)row * DIM + d] : &out[(size_t)row * DIM + d];
				float keep = *q;
				*q = (float)(keep + h);
				CHECK((double)*q == keep + h);
				double fp = ref_loss(in, out, DIM, sub, 4, tgt, 4);
				*q = (float)(keep - h);
				double fm = ref_loss(in, out, DIM, sub, 4, tgt, 4);
				*q = keep;
				double fd = (fp - fm) / (2 * h);
				double err = fabs(g - fd), scale = fabs(fd) > fabs(g) ? fabs(fd) : fabs(g);
				/* float gradients: 1e-4 relative, or 1e-6 */
				int ok = err <= 1e-4 * scale || err <= 1e-6;
				if (!ok && bad < 5)
					printf("# case %d row %zu dim %zu: gradient %.9g, finite difference %.9g\n",
					       t, r, d, g, fd);
				bad += !ok;
				if (scale > 1e-6)
					worst = err / scale > worst ? err / scale : worst;
				checked++;
			}
	}
	CHECK_U64(bad, 0);
	printf("# %zu components, worst relative error %.3g\n", checked, worst);
	/* the value: -ln s(h.o_c) - sum ln s(-h.o_n), by hand for h = (1, 0) */
	float in2[2 * 2] = {1, 0, 1, 0}, out2[2 * 2] = {2, 0, -1, 0}, hv[2], gin[2], gout[2 * 2];
	uint32_t sub2[2] = {0, 1}, tgt2[2] = {0, 1};
	double v = lmrec_skipgram_loss(in2, out2, 2, sub2, 2, tgt2, 2, hv, gin, gout);
	double want = log1p(exp(-2.0)) + log1p(exp(-1.0));
	CHECK(fabs(v - want) < 1e-7);
}

/* ---- training ---- */

static const char *const topic_a[] = {"apple", "pear", "plum", "fig", "sweet", "fruit", "juice", "ripe"};
static const char *const topic_b[] = {"hammer", "drill", "wrench", "bolt", "steel", "tool", "shop", "nail"};

/* 300 sentences of 8 words, each from one topic only. */
static void planted_corpus(const char *name)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 99);
	size_t cap = 0, len = 0;
	char *text = NULL;
	const char *head = "item\ttokens\n";
	LMREC_GROW(text, cap, strlen(head) + 1);
	strcpy(text, head);
	len = strlen(head);
	for (int s = 0; s < 300; s++) {
		const char *const *topic = s % 2 ? topic_b : topic_a;
		char line[256];
		int n = snprintf(line, sizeof line, "s%d\t", s);
		for (int k = 0; k < 8; k++)
			n += snprintf(line + n, sizeof line - (size_t)n, "%s%s", k ? " " : "",
				      topic[lmrec_rng_below(&rng, 8)]);
		n += snprintf(line + n, sizeof line - (size_t)n, "\n");
		LMREC_GROW(text, cap, len + (size_t)n + 1);
		memcpy(text + len, line, (size_t)n + 1);
		len += (size_t)n;
	}
	check_write(name, text, len);
	free(text);
}

static struct lmrec_skipgram_params params(void)
{
	struct lmrec_skipgram_params p = {.dim = 16, .window = 3, .negatives = 5, .epochs = 10,
					  .min_count = 1, .minn = 3, .maxn = 0, .buckets = 0,
					  .lr = 0.05, .sample = 0, .seed = 3, .threads = 1};
	return p;
}

static double word_cos(const struct lmrec_skipgram *m, const char *a, const char *b)
{
	float va[64], vb[64];
	lmrec_skipgram_word(m, a, strlen(a), va);
	lmrec_skipgram_word(m, b, strlen(b), vb);
	double dot = 0, na = 0, nb = 0;
	for (size_t d = 0; d < m->dim; d++) {
		dot += (double)va[d] * vb[d];
		na += (double)va[d] * va[d];
		nb += (double)vb[d] * vb[d];
	}
	return dot / sqrt(na * nb);
}

static void test_planted(void)
{
	check_tmpdir();
	planted_corpus("planted.tsv");
	char *files[] = {"planted.tsv"};
	struct lmrec_corpus c;
	lmrec_corpus_read(&c, files, 1);
	CHECK_U64(lmrec_corpus_items(&c), 300);
	CHECK_U64(c.ntokens, 2400);
	struct lmrec_skipgram_params p = params();
	struct lmrec_skipgram *m = lmrec_skipgram_train(&c, &p, NULL, NULL);
	CHECK_U64(m->nvocab, 16);
	CHECK_U64(m->ntrain, 2400);
	/* every word's nearest other word is of its own topic, and the mean
	 * cosine within a topic is far above the mean across */
	double within = 0, across = 0;
	size_t nw = 0, na = 0, wrong = 0;
	for (int i = 0; i < 16; i++) {
		const char *a = i < 8 ? topic_a[i] : topic_b[i - 8];
		double best = -2;
		int best_same = 0;
		for (int j = 0; j < 16; j++) {
			if (j == i)
				continue;
			const char *b = j < 8 ? topic_a[j] : topic_b[j - 8];
			double cs = word_cos(m, a, b);
			int same = (i < 8) == (j < 8);
			if (same) {
				within += cs;
				nw++;
			} else {
				across += cs;
				na++;
			}
			if (cs > best) {
				best = cs;
				best_same = same;
			}
		}
		wrong += !best_same;
	}
	within /= (double)nw;
	across /= (double)na;
	printf("# mean cosine within topics %.3f, across %.3f; loss %.4f\n", within, across, m->loss);
	CHECK_U64(wrong, 0);
	CHECK(within > across + 0.3);
	lmrec_skipgram_free(m);
	lmrec_corpus_free(&c);
}

static void test_unseen_word(void)
{
	check_tmpdir();
	planted_corpus("planted.tsv");
	char *files[] = {"planted.tsv"};
	struct lmrec_corpus c;
	lmrec_corpus_read(&c, files, 1);
	struct lmrec_skipgram_params p = params();
	p.maxn = 6;
	p.buckets = lmrec_skipgram_default_buckets(&c, p.minn, p.maxn);
	struct lmrec_skipgram *m = lmrec_skipgram_train(&c, &p, NULL, NULL);
	float v[64];
	CHECK(lmrec_skipgram_word(m, "apples", 6, v) > 0);     /* n-grams only */
	CHECK_U64(lmrec_skipgram_word(m, "zz", 2, v), 3);      /* <zz, <zz>, zz> */
	double near = word_cos(m, "apples", "apple"), far = word_cos(m, "apples", "hammer");
	double near2 = word_cos(m, "hammers", "hammer"), far2 = word_cos(m, "hammers", "apple");
	printf("# apples~apple %.3f, apples~hammer %.3f; hammers~hammer %.3f, hammers~apple %.3f\n",
	       near, far, near2, far2);
	CHECK(near > far + 0.3);
	CHECK(near2 > far2 + 0.3);
	/* a word that is not in the vocabulary and has no n-grams */
	p.maxn = 0;
	struct lmrec_skipgram *m0 = lmrec_skipgram_train(&c, &p, NULL, NULL);
	CHECK_U64(lmrec_skipgram_word(m0, "apples", 6, v), 0);
	CHECK(v[0] == 0.0f);
	CHECK_U64(lmrec_skipgram_word(m0, "apple", 5, v), 1);
	lmrec_skipgram_free(m0);
	lmrec_skipgram_free(m);
	lmrec_corpus_free(&c);
}

static void same_model(const struct lmrec_skipgram *a, const struct lmrec_skipgram *b, int want_same)
{
	size_t nin = (a->nvocab + a->buckets) * a->dim, nout = a->nvocab * a->dim;
	int same = a->nvocab == b->nvocab && a->buckets == b->buckets &&
		   memcmp(a->in, b->in, nin * sizeof *a->in) == 0 &&
		   memcmp(a->out, b->out, nout * sizeof *a->out) == 0;
	CHECK(same == want_same);
}

struct epochs {
	size_t calls;
	double first, last;
};

static void on_epoch(void *ctx, size_t epoch, size_t epochs, double loss)
{
	struct epochs *e = ctx;
	(void)epochs;
	if (epoch == 1)
		e->first = loss;
	e->last = loss;
	e->calls++;
}

static void test_deterministic(void)
{
	check_tmpdir();
	planted_corpus("planted.tsv");
	char *files[] = {"planted.tsv"};
	struct lmrec_corpus c;
	lmrec_corpus_read(&c, files, 1);
	struct lmrec_skipgram_params p = params();
	p.maxn = 5;
	p.buckets = 5000;
	p.sample = 1e-2; /* subsampling on: drawn from the sentence's stream too */
	struct epochs e1 = {0}, e2 = {0};
	struct lmrec_skipgram *a = lmrec_skipgram_train(&c, &p, on_epoch, &e1);
	struct lmrec_skipgram *b = lmrec_skipgram_train(&c, &p, on_epoch, &e2);
	same_model(a, b, 1);
	CHECK_U64(e1.calls, p.epochs);
	CHECK(e1.last < e1.first); /* the loss goes down */
	CHECK(a->trained < (uint64_t)p.epochs * a->ntrain); /* some tokens subsampled */
	p.threads = 2;
	struct lmrec_skipgram *t1 = lmrec_skipgram_train(&c, &p, NULL, NULL);
	struct lmrec_skipgram *t2 = lmrec_skipgram_train(&c, &p, NULL, NULL);
	same_model(t1, t2, 1);
	/* the same tokens are drawn whatever the thread count */
	CHECK_U64(t1->trained, a->trained);
	/* two threads still learn the topics */
	CHECK(word_cos(t1, "apple", "pear") > word_cos(t1, "apple", "drill") + 0.3);
	p.threads = 1;
	p.seed = 4;
	struct lmrec_skipgram *d = lmrec_skipgram_train(&c, &p, NULL, NULL);
	same_model(a, d, 0);
	lmrec_skipgram_free(a);
	lmrec_skipgram_free(b);
	lmrec_skipgram_free(t1);
	lmrec_skipgram_free(t2);
	lmrec_skipgram_free(d);
	lmrec_corpus_free(&c);
}

int main(void)
{
	CHECK_RUN(test_fnv);
	CHECK_RUN(test_ngrams);
	CHECK_RUN(test_gradient);
	CHECK_RUN(test_planted);
	CHECK_RUN(test_unseen_word);
	CHECK_RUN(test_deterministic);
	return check_done();
}

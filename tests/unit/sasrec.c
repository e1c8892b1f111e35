/* Unit tests of lib/sasrec.c and lib/adam.c:
 *   - the forward pass (hidden states, attention, the CE loss) against a
 *     slow obvious version in double here, on padded sequences as written
 *     (no packing), and against PyTorch (tests/fixtures/sasrec/forward.tsv,
 *     made by tests/reference/sasrec_ref.py: states, loss and the whole CE
 *     gradient by autograd);
 *   - the gradient of every parameter tensor against finite differences of
 *     the loss, for each loss;
 *   - the same bits with 1 and 2 threads and any chunking;
 *   - AdamW against its formula; a tiny model learning a cycle.
 *
 *   tests/unit/sasrec [--fixtures DIR]   DIR defaults to tests/fixtures/sasrec
 *                                        beside the program */
#include <math.h>

#include "adam.h"
#include "check.h"
#include "sasrec.h"

static char *fixtures;

/* the tiny model of the gradient checks */
static const struct lmrec_sasrec_config tiny = {7, 8, 2, 2, 5, 0, 0.0f, 0, 0, 0};
#define NSEQ 5
static const uint32_t tiny_seq[NSEQ * 5] = {1, 2, 3, 4, 5, 0, 0, 3, 6, 2, 0, 0, 0, 0, 7,
					    0, 0, 0, 0, 0, 0, 4, 1, 5, 2};
static const uint32_t tiny_tgt[NSEQ * 5] = {2, 3, 4, 5, 6, 0, 0, 6, 2, 7, 0, 0, 0, 0, 1,
					    0, 0, 0, 0, 0, 0, 1, 0, 2, 3};

/* A model with every parameter moved off its initial value (biases and
 * LayerNorm shifts non-zero, gains away from 1), padding row kept zero. */
static void make_model(struct lmrec_sasrec *m, const struct lmrec_sasrec_config *c, uint64_t seed)
{
	lmrec_sasrec_init(m, c, seed);
	struct lmrec_rng g;
	lmrec_rng_seed(&g, seed + 1);
	for (size_t i = 0; i < m->nparams; i++)
		m->params[i] += (float)(0.3 * lmrec_rng_normal(&g));
	memset(m->item, 0, m->c.dim * sizeof *m->item);
}

/* ---- the slow obvious forward, in double ---- */

struct ref {
	size_t V, D, B, H, L, F;
	const double *p;
	const struct lmrec_sasrec *m;
};

static const double *P(const struct ref *r, const float *ptr) { return r->p + (ptr - r->m->params); }

static void ref_ln(double *y, const double *x, const double *g, const double *b, size_t D)
{
	double mean = 0, var = 0;
	for (size_t j = 0; j < D; j++)
		mean += x[j] / (double)D;
	for (size_t j = 0; j < D; j++)
		var += (x[j] - mean) * (x[j] - mean) / (double)D;
	for (size_t j = 0; j < D; j++)
		y[j] = (x[j] - mean) / sqrt(var + 1e-8) * g[j] + b[j];
}

/* h (L, D): final hidden states of one padded sequence (0 rows at padding);
 * attn (L) the last block's head-averaged attention of the last position. */
static void ref_forward(const struct ref *r, const uint32_t *s, double *h, double *attn)
{
	size_t D = r->D, L = r->L, H = r->H, dh = D / H, F = r->F;
	double *x = calloc(L * D, sizeof *x), *a = calloc(L * D, sizeof *a);
	double *q = calloc(L * D, sizeof *q), *k = calloc(L * D, sizeof *k);
	double *v = calloc(L * D, sizeof *v), *ctx = calloc(L * D, sizeof *ctx);
	double *u = calloc(F, sizeof *u), *w = calloc(L, sizeof *w);
	const double *item = P(r, r->m->item), *pos = P(r, r->m->pos);
	size_t first = 0; /* positions counted from the oldest item, or slots */
	if (r->m->c.pos_from_start)
		while (first < L && !s[first])
			first++;
	for (size_t l = 0; l < L; l++)
		for (size_t j = 0; j < D; j++)
			x[l * D + j] = s[l] ? item[s[l] * D + j] * sqrt((double)D) + pos[(l - first) * D + j] : 0;
	if (attn)
		memset(attn, 0, L * sizeof *attn);
	for (size_t b = 0; b < r->B; b++) {
		const struct lmrec_sasrec_block *kb = &r->m->block[b];
		for (size_t l = 0; l < L; l++)
			ref_ln(a + l * D, x + l * D, P(r, kb->ln1_g), P(r, kb->ln1_b), D);
		const double *W[3] = {P(r, kb->wq), P(r, kb->wk), P(r, kb->wv)};
		const double *bb[3] = {P(r, kb->bq), P(r, kb->bk), P(r, kb->bv)};
		double *out[3] = {q, k, v};
		int sb = r->m->c.sasrec_block;
		for (int t = 0; t < 3; t++)
			for (size_t l = 0; l < L; l++)
				for (size_t o = 0; o < D; o++) {
					double z = bb[t][o];
					/* SASRec's blocks: keys and values from x */
					const double *in = sb && t > 0 ? x : a;
					for (size_t i = 0; i < D; i++)
						z += in[l * D + i] * W[t][i * D + o];
					out[t][l * D + o] = z;
				}
		memset(ctx, 0, L * D * sizeof *ctx);
		for (size_t hh = 0; hh < H; hh++)
			for (size_t i = 0; i < L; i++) {
				double mx = -INFINITY, sum = 0;
				for (size_t j = 0; j <= i; j++) {
					w[j] = -INFINITY;
					if (!s[j])
						continue;
					double z = 0;
					for (size_t e = 0; e < dh; e++)
						z += q[i * D + hh * dh + e] * k[j * D + hh * dh + e];
					w[j] = z / sqrt((double)dh);
					mx = w[j] > mx ? w[j] : mx;
				}
				if (mx == -INFINITY)
					continue; /* no key: a padding query */
				for (size_t j = 0; j <= i; j++)
					sum += w[j] = s[j] ? exp(w[j] - mx) : 0;
				for (size_t j = 0; j <= i; j++) {
					w[j] /= sum;
					for (size_t e = 0; e < dh; e++)
						ctx[i * D + hh * dh + e] += w[j] * v[j * D + hh * dh + e];
					if (attn && b == r->B - 1 && i == L - 1)
						attn[j] += w[j] / (double)H;
				}
			}
		const double *wo = P(r, kb->wo), *bo = P(r, kb->bo);
		const double *w1 = P(r, kb->w1), *b1 = P(r, kb->b1);
		const double *w2 = P(r, kb->w2), *b2 = P(r, kb->b2);
		for (size_t l = 0; l < L; l++) {
			if (!s[l])
				continue;
			for (size_t o = 0; o < D; o++) {
				double z = bo[o];
				for (size_t i = 0; i < D; i++)
					z += ctx[l * D + i] * wo[i * D + o];
				x[l * D + o] = (sb ? a[l * D + o] : x[l * D + o]) + z;
			}
			double *y = a + l * D;
			ref_ln(y, x + l * D, P(r, kb->ln2_g), P(r, kb->ln2_b), D);
			for (size_t o = 0; o < F; o++) {
				double z = b1[o];
				for (size_t i = 0; i < D; i++)
					z += y[i] * w1[i * F + o];
				u[o] = z > 0 ? z : 0;
			}
			for (size_t o = 0; o < D; o++) {
				double z = b2[o];
				for (size_t i = 0; i < F; i++)
					z += u[i] * w2[i * D + o];
				x[l * D + o] = (sb ? y[o] : x[l * D + o]) + z;
			}
		}
	}
	for (size_t l = 0; l < L; l++) {
		if (s[l])
			ref_ln(h + l * D, x + l * D, P(r, r->m->lnf_g), P(r, r->m->lnf_b), D);
		else
			memset(h + l * D, 0, D * sizeof *h);
	}
	free(x), free(a), free(q), free(k), free(v), free(ctx), free(u), free(w);
}

/* The mean loss of a batch, in double, from params (double). The sampled
 * losses draw their negatives as sasrec.h promises: sequence i from
 * lmrec_rng_seed2(seed, 2 i + 1), `neg` a target in position order, each
 * uniform over the items other than the target. */
static double ref_loss(const struct lmrec_sasrec *m, const double *p, const uint32_t *seq,
		       const uint32_t *tgt, size_t n, enum lmrec_sasrec_loss loss, size_t neg,
		       double t, uint64_t seed)
{
	struct ref r = {m->c.items + 1, m->c.dim, m->c.blocks, m->c.heads, m->c.maxlen, m->c.ffn, p, m};
	size_t D = r.D, L = r.L, V = r.V;
	double *h = calloc(L * D, sizeof *h), *z = calloc(V, sizeof *z), total = 0;
	size_t cnt = 0;
	const double *item = P(&r, m->item);
	double alpha = (double)neg / (double)(m->c.items - 1);
	double beta = loss == LMREC_SASREC_GBCE ? alpha * (t * (1 - 1 / alpha) + 1 / alpha) : 1.0;
	for (size_t i = 0; i < n; i++) {
		struct lmrec_rng g;
		lmrec_rng_seed2(&g, seed, 2 * (uint64_t)i + 1);
		ref_forward(&r, seq + i * L, h, NULL);
		for (size_t l = 0; l < L; l++) {
			uint32_t y = tgt[i * L + l];
			if (!seq[i * L + l] || !y)
				continue;
			for (size_t v = 1; v < V; v++) {
				z[v] = 0;
				for (size_t j = 0; j < D; j++)
					z[v] += h[l * D + j] * item[v * D + j];
			}
			if (loss == LMREC_SASREC_CE) {
				double mx = -INFINITY, sum = 0;
				for (size_t v = 1; v < V; v++)
					mx = z[v] > mx ? z[v] : mx;
				for (size_t v = 1; v < V; v++)
					sum += exp(z[v] - mx);
				total += mx + log(sum) - z[y];
			} else {
				double sum = exp(z[y]), bce = beta * log1p(exp(-z[y]));
				for (size_t k = 0; k < neg; k++) {
					uint32_t v = 1 + (uint32_t)lmrec_rng_below(&g, m->c.items - 1);
					v += v >= y;
					sum += exp(z[v]);
					bce += log1p(exp(z[v]));
				}
				total += loss == LMREC_SASREC_SAMPLED ? log(sum) - z[y] : bce;
			}
			cnt++;
		}
	}
	free(h), free(z);
	return cnt ? total / (double)cnt : 0;
}

static double ref_ce(const struct lmrec_sasrec *m, const double *p, const uint32_t *seq,
		     const uint32_t *tgt, size_t n)
{
	return ref_loss(m, p, seq, tgt, n, LMREC_SASREC_CE, 0, 0, 0);
}

static double *to_double(const struct lmrec_sasrec *m)
{
	double *p = lmrec_xmalloc(m->nparams * sizeof *p);
	for (size_t i = 0; i < m->nparams; i++)
		p[i] = m->params[i];
	return p;
}

/* Encode and the CE loss against the slow version: every position's state
 * (by encoding each prefix), the attention of the last position. */
static void forward_against_slow(int pos_from_start, int sasrec_block)
{
	struct lmrec_sasrec m;
	struct lmrec_sasrec_config c = tiny;
	c.ffn = 12;
	c.pos_from_start = pos_from_start;
	c.sasrec_block = sasrec_block;
	make_model(&m, &c, 11);
	double *p = to_double(&m);
	struct ref r = {c.items + 1, c.dim, c.blocks, c.heads, c.maxlen, c.ffn, p, &m};
	size_t D = c.dim, L = c.maxlen;
	double *h = lmrec_xmalloc(L * D * sizeof *h), *at = lmrec_xmalloc(L * sizeof *at);
	float out[8], attn[5];
	double worst = 0, worst_a = 0;
	for (size_t i = 0; i < NSEQ; i++) {
		const uint32_t *s = tiny_seq + i * L;
		ref_forward(&r, s, h, at);
		for (size_t l = 0; l < L; l++) {
			uint32_t pre[5] = {0};
			memcpy(pre, s, (l + 1) * sizeof *pre); /* positions after l zeroed */
			int any = 0;
			for (size_t j = 0; j <= l; j++)
				any |= pre[j] != 0;
			lmrec_sasrec_encode(&m, pre, 1, out, attn, 1);
			/* the state of the last real position up to l */
			size_t last = l;
			while (last > 0 && !pre[last])
				last--;
			for (size_t j = 0; j < D; j++) {
				double want = any ? h[last * D + j] : 0.0;
				double e = fabs(out[j] - want);
				worst = e > worst ? e : worst;
			}
			if (l == L - 1 && any)
				for (size_t j = 0; j < L; j++) {
					double e = fabs(attn[j] - at[j]);
					worst_a = e > worst_a ? e : worst_a;
				}
		}
	}
	double want = ref_ce(&m, p, tiny_seq, tiny_tgt, NSEQ);
	double got = lmrec_sasrec_loss_grad(&m, tiny_seq, tiny_tgt, NSEQ, LMREC_SASREC_CE, 0, 0, 1,
					    0, NULL, 1);
	printf("# forward (positions from the %s, %s blocks): states %.3g, attention %.3g, CE loss %.9g vs %.9g\n",
	       pos_from_start ? "start" : "end", sasrec_block ? "SASRec" : "pre-LN", worst, worst_a, got, want);
	CHECK(worst < 1e-5);
	CHECK(worst_a < 1e-6);
	CHECK(fabs(got - want) < 1e-5 * fabs(want));
	/* attention rows sum to one */
	lmrec_sasrec_encode(&m, tiny_seq + L, 1, out, attn, 1);
	CHECK(fabs(attn[0] + attn[1] + attn[2] + attn[3] + attn[4] - 1.0) < 1e-6);
	CHECK(attn[0] == 0.0f && attn[1] == 0.0f);
	free(h), free(at), free(p);
	lmrec_sasrec_free(&m);
}

static void test_forward_against_slow(void) { forward_against_slow(0, 0); }
static void test_forward_from_start(void) { forward_against_slow(1, 0); }
static void test_forward_sasrec_block(void) { forward_against_slow(1, 1); }

/* The PyTorch fixture: the same model (weights by the formula of
 * tests/reference/sasrec_ref.py), its states at every real position, the
 * last position's attention, the CE loss and the whole CE gradient. */
static void test_pytorch_fixture(void)
{
	char *path = lmrec_xasprintf("%s/forward.tsv", fixtures);
	FILE *fp = fopen(path, "r");
	CHECK(fp != NULL);
	if (!fp) {
		free(path);
		return;
	}
	struct lmrec_sasrec_config c = {20, 16, 2, 2, 8, 24, 0.0f, 0, 0, 0};
	struct lmrec_sasrec m;
	lmrec_sasrec_init(&m, &c, 1);
	for (size_t t = 0, i = 0; t < m.ntensors; t++) {
		const struct lmrec_sasrec_tensor *x = &m.tensor[t];
		int emb = t < 2, gain = strstr(x->name, "_g") != NULL;
		for (size_t j = 0; j < x->rows * x->cols; j++, i++) {
			double sn = sin(0.37 * (double)i + 0.1);
			double v = emb ? 0.3 * sn
				 : x->rows > 1 ? 0.6 * sn / sqrt((double)x->rows)
				 : gain ? 1.0 + 0.2 * sn
					: 0.1 * sn;
			m.params[i] = (float)v;
		}
	}
	memset(m.item, 0, c.dim * sizeof *m.item);
	size_t L = c.maxlen, D = c.dim, nseq = 0;
	uint32_t seq[8 * 8] = {0}, tgt[8 * 8] = {0};
	float *grad = lmrec_xmalloc(m.nparams * sizeof *grad), out[16], attn[8];
	double worst_h = 0, worst_a = 0, worst_g = 0, gmax = 0, want_loss = NAN;
	size_t nh = 0, na = 0, ng = 0;
	char line[4096];
	float *gref = lmrec_xcalloc(m.nparams, sizeof *gref);
	while (fgets(line, sizeof line, fp)) {
		char *p = line, *e;
		if (line[0] == '#')
			continue;
		char *tab = strchr(p, '\t');
		if (!tab)
			continue;
		*tab = '\0';
		const char *kind = p;
		p = tab + 1;
		if (!strcmp(kind, "config")) {
			size_t want[6] = {c.items, c.dim, c.blocks, c.heads, c.maxlen, c.ffn};
			for (int k = 0; k < 6; k++, p = e)
				CHECK_U64(strtoul(p, &e, 10), want[k]);
		} else if (!strcmp(kind, "seq") || !strcmp(kind, "tgt")) {
			size_t i = strtoul(p, &e, 10);
			uint32_t *dst = (kind[0] == 's' ? seq : tgt) + i * L;
			for (size_t l = 0; l < L; l++, p = e)
				dst[l] = (uint32_t)strtoul(e, &e, 10);
			if (i + 1 > nseq)
				nseq = i + 1;
		} else if (!strcmp(kind, "h")) {
			size_t i = strtoul(p, &e, 10), l = strtoul(e, &e, 10);
			uint32_t pre[8] = {0};
			memcpy(pre, seq + i * L, (l + 1) * sizeof *pre);
			lmrec_sasrec_encode(&m, pre, 1, out, NULL, 1);
			for (size_t j = 0; j < D; j++)
				worst_h = fmax(worst_h, fabs(out[j] - strtod(e, &e)));
			nh++;
		} else if (!strcmp(kind, "attn")) {
			size_t i = strtoul(p, &e, 10);
			lmrec_sasrec_encode(&m, seq + i * L, 1, out, attn, 1);
			for (size_t j = 0; j < L; j++)
				worst_a = fmax(worst_a, fabs(attn[j] - strtod(e, &e)));
			na++;
		} else if (!strcmp(kind, "loss")) {
			want_loss = strtod(p, NULL);
		} else if (!strcmp(kind, "grad")) {
			size_t i = strtoul(p, &e, 10);
			if (i < m.nparams)
				gref[i] = strtof(e, NULL);
			ng++;
		}
	}
	fclose(fp);
	CHECK_U64(nseq, 5);
	CHECK(nh == 20 && na == 4);
	CHECK_U64(ng, m.nparams);
	double got = lmrec_sasrec_loss_grad(&m, seq, tgt, nseq, LMREC_SASREC_CE, 0, 0, 1, 0, grad, 2);
	for (size_t i = 0; i < m.nparams; i++) {
		worst_g = fmax(worst_g, fabs(grad[i] - gref[i]));
		gmax = fmax(gmax, fabs(gref[i]));
	}
	printf("# pytorch: states %.3g, attention %.3g, loss %.9g vs %.9g, gradient %.3g of %.3g\n",
	       worst_h, worst_a, got, want_loss, worst_g, gmax);
	CHECK(worst_h < 1e-4);
	CHECK(worst_a < 1e-4);
	CHECK(fabs(got - want_loss) < 1e-4);
	CHECK(worst_g < 1e-4 * gmax);
	free(grad), free(gref), free(path);
	lmrec_sasrec_free(&m);
}

/* ---- gradients ---- */

/* Every tensor: its largest-gradient coordinate and 5 drawn ones, the
 * analytic gradient (float) against central differences (h 1e-5) of the
 * slow loss in double, which draws the same negatives. Also checks the
 * implementation's loss against the slow one. */
static void grad_check_config(enum lmrec_sasrec_loss loss, const char *name,
			      const struct lmrec_sasrec_config *c)
{
	struct lmrec_sasrec m;
	make_model(&m, c, 5);
	float *g = lmrec_xmalloc(m.nparams * sizeof *g);
	double f0 = lmrec_sasrec_loss_grad(&m, tiny_seq, tiny_tgt, NSEQ, loss, 3, 0.75, 42, 1, g, 1);
	CHECK(isfinite(f0));
	CHECK(g[0] == 0.0f); /* the padding row */
	double *p = to_double(&m);
	double want = ref_loss(&m, p, tiny_seq, tiny_tgt, NSEQ, loss, 3, 0.75, 42);
	printf("# %s: loss %.9g, slow %.9g\n", name, f0, want);
	CHECK(fabs(f0 - want) < 1e-5 * fabs(want));
	struct lmrec_rng r;
	lmrec_rng_seed(&r, 99);
	double worst = 0;
	const char *worst_t = "";
	size_t checked = 0;
	for (size_t t = 0; t < m.ntensors; t++) {
		const struct lmrec_sasrec_tensor *x = &m.tensor[t];
		size_t len = x->rows * x->cols, big = 0;
		double gmax = 0;
		for (size_t j = 0; j < len; j++)
			if (fabs(g[x->off + j]) > gmax)
				gmax = fabs(g[x->off + j]), big = j;
		CHECK(gmax > 0); /* every tensor takes part */
		for (int s = 0; s < 6; s++) {
			size_t j = s == 0 ? big : (size_t)lmrec_rng_below(&r, len);
			if (t == 0 && j < m.c.dim)
				j += m.c.dim; /* not the padding row */
			size_t i = x->off + j;
			double hh = 1e-5, keep = p[i];
			p[i] = keep + hh;
			double fa = ref_loss(&m, p, tiny_seq, tiny_tgt, NSEQ, loss, 3, 0.75, 42);
			p[i] = keep - hh;
			double fb = ref_loss(&m, p, tiny_seq, tiny_tgt, NSEQ, loss, 3, 0.75, 42);
			p[i] = keep;
			double num = (fa - fb) / (2 * hh);
			double e = fabs(num - g[i]) / (fabs(num) + fabs(g[i]) + 1e-3);
			if (e > worst)
				worst = e, worst_t = x->name;
			if (e > 1e-4)
				printf("#   %s %s[%zu]: analytic %.6g, numeric %.6g\n", name, x->name, j,
				       g[i], num);
			checked++;
		}
	}
	printf("# %s: %zu coordinates of %zu tensors, worst relative difference %.3g (%s)\n", name,
	       checked, m.ntensors, worst, worst_t);
	CHECK(worst < 1e-4);
	free(p), free(g);
	lmrec_sasrec_free(&m);
}

static void grad_check(enum lmrec_sasrec_loss loss, const char *name)
{
	grad_check_config(loss, name, &tiny);
}

static void test_grad_ce(void) { grad_check(LMREC_SASREC_CE, "ce"); }
/* positions from the oldest item: another row of pos for each token */
static void test_grad_ce_from_start(void)
{
	struct lmrec_sasrec_config c = tiny;
	c.pos_from_start = 1;
	grad_check_config(LMREC_SASREC_CE, "ce, positions from the start", &c);
}
/* SASRec's blocks: the residuals from the normalised stream, K and V from x */
static void test_grad_sasrec_block(void)
{
	struct lmrec_sasrec_config c = tiny;
	c.sasrec_block = 1;
	grad_check_config(LMREC_SASREC_CE, "ce, SASRec's blocks", &c);
	grad_check_config(LMREC_SASREC_SAMPLED, "sampled, SASRec's blocks", &c);
}
static void test_grad_sampled(void) { grad_check(LMREC_SASREC_SAMPLED, "sampled"); }
static void test_grad_bce(void) { grad_check(LMREC_SASREC_BCE, "bce"); }
static void test_grad_gbce(void) { grad_check(LMREC_SASREC_GBCE, "gbce"); }

/* A random batch: n sequences of random lengths (some empty, some full),
 * left-padded, targets the next item (0 at the last position). */
static void random_batch(struct lmrec_rng *g, const struct lmrec_sasrec_config *c, size_t n,
			 uint32_t *seq, uint32_t *tgt)
{
	size_t L = c->maxlen;
	for (size_t i = 0; i < n; i++) {
		size_t len = (size_t)lmrec_rng_below(g, L + 2);
		len = len > L ? L : len;
		uint32_t *s = seq + i * L, *t = tgt + i * L;
		for (size_t l = 0; l < L; l++)
			s[l] = l >= L - len ? 1 + (uint32_t)lmrec_rng_below(g, c->items) : 0;
		for (size_t l = 0; l < L; l++)
			t[l] = s[l] && l + 1 < L ? s[l + 1] : 0;
		if (len)
			t[L - 1] = 1 + (uint32_t)lmrec_rng_below(g, c->items);
	}
}

/* The same bits with 1, 2 and 3 threads, dropout on, every loss; another
 * chunking changes the rounding only. */
static void test_threads_bitwise(void)
{
	struct lmrec_sasrec_config c = {300, 16, 2, 2, 20, 24, 0.2f, 0, 0, 1}; /* every dropout site */
	struct lmrec_sasrec m;
	make_model(&m, &c, 3);
	m.chunk_tokens = 40;
	size_t n = 37, np = m.nparams;
	uint32_t *seq = lmrec_xmalloc(n * c.maxlen * sizeof *seq);
	uint32_t *tgt = lmrec_xmalloc(n * c.maxlen * sizeof *tgt);
	struct lmrec_rng g;
	lmrec_rng_seed(&g, 8);
	random_batch(&g, &c, n, seq, tgt);
	float *g1 = lmrec_xmalloc(np * sizeof *g1), *g2 = lmrec_xmalloc(np * sizeof *g2);
	const enum lmrec_sasrec_loss losses[] = {LMREC_SASREC_CE, LMREC_SASREC_SAMPLED,
						 LMREC_SASREC_BCE, LMREC_SASREC_GBCE};
	for (int k = 0; k < 4; k++) {
		double l1 = lmrec_sasrec_loss_grad(&m, seq, tgt, n, losses[k], 5, 0.75, 77, 1, g1, 1);
		for (int th = 2; th <= 3; th++) {
			double l2 = lmrec_sasrec_loss_grad(&m, seq, tgt, n, losses[k], 5, 0.75, 77, 1, g2,
							   th);
			CHECK(l1 == l2);
			CHECK_MEM(g1, np * sizeof *g1, g2, np * sizeof *g2);
		}
		/* one chunk: the same function up to rounding */
		m.chunk_tokens = 100000;
		double l3 = lmrec_sasrec_loss_grad(&m, seq, tgt, n, losses[k], 5, 0.75, 77, 1, g2, 2);
		m.chunk_tokens = 40;
		double worst = 0, gmax = 0;
		for (size_t i = 0; i < np; i++) {
			worst = fmax(worst, fabs(g1[i] - g2[i]));
			gmax = fmax(gmax, fabs(g1[i]));
		}
		CHECK(fabs(l3 - l1) < 1e-5 * fabs(l1));
		CHECK(worst < 1e-4 * gmax);
	}
	/* CE's other path: the item rows' gradient by blocks of items */
	lmrec_sasrec_loss_grad(&m, seq, tgt, n, LMREC_SASREC_CE, 0, 0, 77, 1, g1, 1);
	m.item_buffer_mb = 0;
	float *g3 = lmrec_xmalloc(np * sizeof *g3);
	lmrec_sasrec_loss_grad(&m, seq, tgt, n, LMREC_SASREC_CE, 0, 0, 77, 1, g2, 1);
	lmrec_sasrec_loss_grad(&m, seq, tgt, n, LMREC_SASREC_CE, 0, 0, 77, 1, g3, 2);
	CHECK_MEM(g2, np * sizeof *g2, g3, np * sizeof *g3);
	double worst = 0, gmax = 0;
	for (size_t i = 0; i < np; i++) {
		worst = fmax(worst, fabs(g1[i] - g2[i]));
		gmax = fmax(gmax, fabs(g1[i]));
	}
	CHECK(worst < 1e-5 * gmax);
	m.item_buffer_mb = 256;
	free(g3);
	/* encode too */
	float *o1 = lmrec_xmalloc(n * c.dim * sizeof *o1), *o2 = lmrec_xmalloc(n * c.dim * sizeof *o2);
	float *a1 = lmrec_xmalloc(n * c.maxlen * sizeof *a1), *a2 = lmrec_xmalloc(n * c.maxlen * sizeof *a2);
	lmrec_sasrec_encode(&m, seq, n, o1, a1, 1);
	lmrec_sasrec_encode(&m, seq, n, o2, a2, 2);
	CHECK_MEM(o1, n * c.dim * sizeof *o1, o2, n * c.dim * sizeof *o2);
	CHECK_MEM(a1, n * c.maxlen * sizeof *a1, a2, n * c.maxlen * sizeof *a2);
	free(o1), free(o2), free(a1), free(a2);
	free(seq), free(tgt), free(g1), free(g2);
	lmrec_sasrec_free(&m);
}

/* Dropout: the same seed gives the same loss; train = 0 is dropout off;
 * the gradient with dropout against central differences of the float loss
 * (masks fixed by the seed; h 1e-3, so a loose bound that a misplaced mask
 * would still break by far). */
static void dropout_check(int all)
{
	struct lmrec_sasrec_config c = tiny;
	c.dropout = 0.3f;
	c.dropout_all = all;
	struct lmrec_sasrec m, m0;
	make_model(&m, &c, 5);
	make_model(&m0, &tiny, 5);
	enum lmrec_sasrec_loss L = LMREC_SASREC_CE;
	double a = lmrec_sasrec_loss_grad(&m, tiny_seq, tiny_tgt, NSEQ, L, 0, 0, 9, 1, NULL, 1);
	double b = lmrec_sasrec_loss_grad(&m, tiny_seq, tiny_tgt, NSEQ, L, 0, 0, 9, 1, NULL, 1);
	double e = lmrec_sasrec_loss_grad(&m, tiny_seq, tiny_tgt, NSEQ, L, 0, 0, 10, 1, NULL, 1);
	double off = lmrec_sasrec_loss_grad(&m, tiny_seq, tiny_tgt, NSEQ, L, 0, 0, 9, 0, NULL, 1);
	double none = lmrec_sasrec_loss_grad(&m0, tiny_seq, tiny_tgt, NSEQ, L, 0, 0, 9, 1, NULL, 1);
	CHECK(a == b);
	CHECK(a != e);
	CHECK(off == none);
	if (all) { /* more sites: another loss from the same seed */
		m.c.dropout_all = 0;
		double outputs = lmrec_sasrec_loss_grad(&m, tiny_seq, tiny_tgt, NSEQ, L, 0, 0, 9, 1, NULL, 1);
		m.c.dropout_all = 1;
		CHECK(outputs != a);
	}
	float *g = lmrec_xmalloc(m.nparams * sizeof *g);
	lmrec_sasrec_loss_grad(&m, tiny_seq, tiny_tgt, NSEQ, L, 0, 0, 9, 1, g, 1);
	struct lmrec_rng r;
	lmrec_rng_seed(&r, 4);
	size_t bad = 0, tot = 0;
	for (size_t t = 0; t < m.ntensors; t++) {
		const struct lmrec_sasrec_tensor *x = &m.tensor[t];
		for (int s = 0; s < 4; s++) {
			size_t j = (size_t)lmrec_rng_below(&r, x->rows * x->cols);
			if (t == 0 && j < c.dim)
				j += c.dim;
			size_t i = x->off + j;
			float keep = m.params[i], h = 1e-3f;
			m.params[i] = keep + h;
			double fa = lmrec_sasrec_loss_grad(&m, tiny_seq, tiny_tgt, NSEQ, L, 0, 0, 9, 1, NULL, 1);
			m.params[i] = keep - h;
			double fb = lmrec_sasrec_loss_grad(&m, tiny_seq, tiny_tgt, NSEQ, L, 0, 0, 9, 1, NULL, 1);
			m.params[i] = keep;
			double num = (fa - fb) / (2.0 * h);
			double err = fabs(num - g[i]) / (fabs(num) + fabs(g[i]) + 1e-2);
			if (err > 1e-2) {
				bad++;
				printf("#   dropout %s %s[%zu]: analytic %.6g, numeric %.6g\n",
				       all ? "all" : "outputs", x->name, j, g[i], num);
			}
			tot++;
		}
	}
	printf("# dropout at %s: %zu of %zu coordinates off by more than 1%%\n", all ? "all sites" : "outputs",
	       bad, tot);
	CHECK(bad * 20 <= tot);
	free(g);
	lmrec_sasrec_free(&m);
	lmrec_sasrec_free(&m0);
}

static void test_dropout(void) { dropout_check(0); }
/* also on the attention probabilities and the FFN hidden layer */
static void test_dropout_all(void) { dropout_check(1); }

/* AdamW against its formula for a few steps, the decay masked. */
static void test_adam(void)
{
	struct lmrec_adam a;
	lmrec_adam_init(&a, 3, 0.1f, 0.9f, 0.999f, 1e-8f, 0.5f);
	unsigned char mask[3] = {1, 0, 1};
	lmrec_adam_set_decay(&a, mask);
	float p[3] = {1.0f, -2.0f, 0.5f};
	double q[3] = {1.0, -2.0, 0.5}, mm[3] = {0}, vv[3] = {0};
	for (int t = 1; t <= 4; t++) {
		float g[3] = {0.3f * (float)t, -1.0f, 0.0f};
		lmrec_adam_step(&a, p, g);
		for (int i = 0; i < 3; i++) {
			mm[i] = 0.9 * mm[i] + 0.1 * g[i];
			vv[i] = 0.999 * vv[i] + 0.001 * g[i] * g[i];
			double mh = mm[i] / (1 - pow(0.9, t)), vh = vv[i] / (1 - pow(0.999, t));
			q[i] -= 0.1 * mh / (sqrt(vh) + 1e-8) + (mask[i] ? 0.1 * 0.5 * q[i] : 0);
		}
	}
	for (int i = 0; i < 3; i++)
		CHECK(fabs(p[i] - q[i]) < 1e-5);
	lmrec_adam_free(&a);
	/* with an anchor the decay pulls towards it: a zero gradient leaves a
	 * parameter at its anchor, and moves another by lr wd (p - anchor) */
	lmrec_adam_init(&a, 2, 0.1f, 0.9f, 0.999f, 1e-8f, 0.5f);
	float anchor[2] = {0.7f, -1.0f}, r[2] = {0.7f, 1.0f}, zero[2] = {0.0f, 0.0f};
	lmrec_adam_set_anchor(&a, anchor);
	lmrec_adam_step(&a, r, zero);
	CHECK(r[0] == 0.7f);
	CHECK(fabs(r[1] - (1.0 - 0.1 * 0.5 * 2.0)) < 1e-6);
	lmrec_adam_free(&a);
	/* the model's mask: matrices and embeddings decay, the rest not */
	struct lmrec_sasrec m;
	make_model(&m, &tiny, 1);
	unsigned char *dm = lmrec_xmalloc(m.nparams);
	lmrec_sasrec_decay_mask(&m, dm);
	CHECK(dm[0] == 1 && dm[m.block[0].wq - m.params] == 1 && dm[m.block[1].w2 - m.params] == 1);
	CHECK(dm[m.block[0].bq - m.params] == 0 && dm[m.block[1].ln2_g - m.params] == 0);
	CHECK(dm[m.lnf_b - m.params + m.c.dim - 1] == 0);
	free(dm);
	lmrec_sasrec_free(&m);
}

/* Sequences that cycle 1 -> 2 -> ... -> 12 -> 1 from random starts and
 * random lengths: the loss falls and the next item comes first. */
static void train_cycle(enum lmrec_sasrec_loss loss, size_t neg, double *first, double *last,
			double *hit)
{
	struct lmrec_sasrec_config c = {12, 16, 2, 2, 8, 0, 0.1f, 0, 0, 0};
	struct lmrec_sasrec m;
	lmrec_sasrec_init(&m, &c, 1);
	struct lmrec_adam a;
	lmrec_adam_init(&a, m.nparams, 5e-3f, 0.9f, 0.98f, 1e-8f, 0.0f);
	size_t n = 32, L = c.maxlen;
	uint32_t *seq = lmrec_xmalloc(n * L * sizeof *seq), *tgt = lmrec_xmalloc(n * L * sizeof *tgt);
	float *g = lmrec_xmalloc(m.nparams * sizeof *g);
	struct lmrec_rng r;
	lmrec_rng_seed(&r, 2);
	for (int step = 0; step < 300; step++) {
		for (size_t i = 0; i < n; i++) {
			size_t len = 2 + (size_t)lmrec_rng_below(&r, L - 1), st = (size_t)lmrec_rng_below(&r, 12);
			for (size_t l = 0; l < L; l++) {
				size_t k = l + len >= L ? l + len - L : 0;
				seq[i * L + l] = l + len >= L ? (uint32_t)(1 + (st + k) % 12) : 0;
				tgt[i * L + l] = seq[i * L + l] ? (uint32_t)(1 + (st + k + 1) % 12) : 0;
			}
		}
		double l = lmrec_sasrec_loss_grad(&m, seq, tgt, n, loss, neg, 0.75, (uint64_t)step, 1, g, 2);
		if (step == 0)
			*first = l;
		*last = l;
		lmrec_adam_step(&a, m.params, g);
	}
	/* predict: encode, score every item, the best is the next in the cycle */
	float *out = lmrec_xmalloc(n * c.dim * sizeof *out);
	lmrec_sasrec_encode(&m, seq, n, out, NULL, 2);
	size_t ok = 0;
	for (size_t i = 0; i < n; i++) {
		size_t best = 0;
		double bs = -INFINITY;
		for (size_t v = 1; v <= c.items; v++) {
			double s = 0;
			for (size_t j = 0; j < c.dim; j++)
				s += out[i * c.dim + j] * m.item[v * c.dim + j];
			if (s > bs)
				bs = s, best = v;
		}
		ok += best == tgt[i * L + L - 1];
	}
	*hit = (double)ok / (double)n;
	free(out), free(seq), free(tgt), free(g);
	lmrec_adam_free(&a);
	lmrec_sasrec_free(&m);
}

static void test_learns_cycle(void)
{
	const enum lmrec_sasrec_loss losses[] = {LMREC_SASREC_CE, LMREC_SASREC_SAMPLED,
						 LMREC_SASREC_BCE};
	const char *names[] = {"ce", "sampled", "bce"};
	for (int k = 0; k < 3; k++) {
		double first = 0, last = 0, hit = 0;
		train_cycle(losses[k], k == 2 ? 1 : 4, &first, &last, &hit);
		printf("# cycle %s: loss %.4f -> %.4f, next item first for %.0f%%\n", names[k], first,
		       last, 100 * hit);
		CHECK(last < 0.25 * first);
		CHECK(hit >= 0.9);
	}
}

/* The sample standard deviation of a tensor (mean taken as 0). */
static double tensor_std(const struct lmrec_sasrec *m, const char *name)
{
	for (size_t i = 0; i < m->ntensors; i++)
		if (strcmp(m->tensor[i].name, name) == 0) {
			const struct lmrec_sasrec_tensor *t = &m->tensor[i];
			size_t n = t->rows * t->cols;
			double ss = 0;
			for (size_t j = 0; j < n; j++)
				ss += (double)m->params[t->off + j] * m->params[t->off + j];
			return sqrt(ss / (double)n);
		}
	return -1;
}

/* The starts: Glorot normal by default, N(0, std) with a std, and the
 * query, key and value matrices apart with a qkv std; gains 1, biases and
 * the padding row 0 in every case. Width 64: 4,096 draws a matrix, so a
 * sample std is within 5% of its target with room to spare. */
static void test_init_std(void)
{
	struct lmrec_sasrec_config c = {50, 64, 2, 1, 10, 0, 0.0f, 0, 0, 0};
	struct lmrec_sasrec m;
	lmrec_sasrec_init_std(&m, &c, 3, 0.0, 0.0);
	CHECK(fabs(tensor_std(&m, "block0.wq") / sqrt(2.0 / 128) - 1) < 0.05);
	lmrec_sasrec_free(&m);
	lmrec_sasrec_init_std(&m, &c, 3, 0.02, 0.0);
	CHECK(fabs(tensor_std(&m, "block1.wq") / 0.02 - 1) < 0.05);
	CHECK(fabs(tensor_std(&m, "block1.w1") / 0.02 - 1) < 0.05);
	lmrec_sasrec_free(&m);
	lmrec_sasrec_init_std(&m, &c, 3, 0.02, 0.09);
	static const char *const qkv[] = {"block0.wq", "block0.wk", "block0.wv", "block1.wq", "block1.wk", "block1.wv"};
	for (size_t i = 0; i < sizeof qkv / sizeof *qkv; i++)
		CHECK(fabs(tensor_std(&m, qkv[i]) / 0.09 - 1) < 0.05);
	static const char *const rest[] = {"block0.wo", "block0.w1", "block1.w2", "pos"};
	for (size_t i = 0; i < sizeof rest / sizeof *rest; i++)
		CHECK(fabs(tensor_std(&m, rest[i]) / 0.02 - 1) < 0.05);
	CHECK(tensor_std(&m, "block0.bq") == 0 && tensor_std(&m, "lnf_b") == 0);
	CHECK(m.block[1].ln1_g[5] == 1.0f && m.lnf_g[0] == 1.0f);
	for (size_t d = 0; d < 64; d++)
		CHECK(m.item[d] == 0.0f);
	lmrec_sasrec_free(&m);
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--fixtures") == 0) {
		fixtures = lmrec_xstrdup(argv[2]);
	} else {
		const char *slash = strrchr(argv[0], '/');
		fixtures = slash ? lmrec_xasprintf("%.*s/../fixtures/sasrec", (int)(slash - argv[0]),
						   argv[0])
				 : lmrec_xstrdup("../fixtures/sasrec");
	}
	CHECK_RUN(test_forward_against_slow);
	CHECK_RUN(test_forward_from_start);
	CHECK_RUN(test_forward_sasrec_block);
	CHECK_RUN(test_pytorch_fixture);
	CHECK_RUN(test_grad_ce);
	CHECK_RUN(test_grad_ce_from_start);
	CHECK_RUN(test_grad_sasrec_block);
	CHECK_RUN(test_grad_sampled);
	CHECK_RUN(test_grad_bce);
	CHECK_RUN(test_grad_gbce);
	CHECK_RUN(test_threads_bitwise);
	CHECK_RUN(test_dropout);
	CHECK_RUN(test_dropout_all);
	CHECK_RUN(test_init_std);
	CHECK_RUN(test_adam);
	CHECK_RUN(test_learns_cycle);
	free(fixtures);
	return check_done();
}

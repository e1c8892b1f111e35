/* lmrec — SASRec (see sasrec.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "par.h"
#include "rng.h"
#include "sasrec.h"
#include "util.h"

/* OpenBLAS's own entry points: not in cblas.h everywhere. */
extern int openblas_get_num_threads(void);
extern void openblas_set_num_threads(int num_threads);

#define LN_EPS 1e-8
#define ITEM_BLOCK 256  /* items per task of the output-side item gradient */
#define ROW_BLOCK 2048  /* rows per product there */

static blasint bi(size_t x)
{
	if (x > (size_t)0x7fffffff)
		lmrec_die(LMREC_EXIT_FAIL, "sasrec: matrix dimension %zu is too large for BLAS", x);
	return (blasint)x;
}

/* C (m, n) = alpha op(A) op(B) + beta C, row-major. */
static void gemm(int ta, int tb, size_t m, size_t n, size_t k, float alpha, const float *A,
		 size_t lda, const float *B, size_t ldb, float beta, float *C, size_t ldc)
{
	if (m == 0 || n == 0)
		return;
	if (k == 0) {
		for (size_t i = 0; i < m; i++)
			for (size_t j = 0; j < n; j++)
				C[i * ldc + j] = beta == 0.0f ? 0.0f : beta * C[i * ldc + j];
		return;
	}
	cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
		    bi(m), bi(n), bi(k), alpha, A, bi(lda), B, bi(ldb), beta, C, bi(ldc));
}

/* ---- the model ---- */

int lmrec_sasrec_check_config(const struct lmrec_sasrec_config *c, char *msg, size_t len)
{
	const char *why = NULL;
	if (!c->items)
		why = "no items";
	else if (c->items >= 0x7fffffffu)
		why = "too many items";
	else if (!c->dim || !c->blocks || !c->heads || !c->maxlen)
		why = "dim, blocks, heads and maxlen must be positive";
	else if (c->dim % c->heads)
		why = "dim must be a multiple of heads";
	else if (!(c->dropout >= 0.0f && c->dropout < 1.0f))
		why = "dropout must be in [0, 1)";
	else if (c->dim > 65536 || c->maxlen > 65536 || c->ffn > 1048576 || c->blocks > 256)
		why = "a size is too large";
	if (!why)
		return 0;
	if (len)
		snprintf(msg, len, "sasrec: %s", why);
	return -1;
}

static void add_tensor(struct lmrec_sasrec *m, size_t *cap, const char *name, size_t rows,
		       size_t cols, int decay)
{
	LMREC_GROW(m->tensor, *cap, m->ntensors + 1);
	struct lmrec_sasrec_tensor *t = &m->tensor[m->ntensors++];
	snprintf(t->name, sizeof t->name, "%s", name);
	t->off = m->nparams;
	t->rows = rows;
	t->cols = cols;
	t->decay = decay;
	m->nparams += rows * cols;
}

void lmrec_sasrec_init(struct lmrec_sasrec *m, const struct lmrec_sasrec_config *c, uint64_t seed)
{
	lmrec_sasrec_init_std(m, c, seed, 0.0, 0.0);
}

void lmrec_sasrec_init_std(struct lmrec_sasrec *m, const struct lmrec_sasrec_config *c, uint64_t seed,
			   double std, double qkv_std)
{
	char msg[128];
	if (lmrec_sasrec_check_config(c, msg, sizeof msg) != 0)
		lmrec_die(LMREC_EXIT_USAGE, "%s", msg);
	memset(m, 0, sizeof *m);
	m->c = *c;
	if (!m->c.ffn)
		m->c.ffn = m->c.dim;
	m->chunk_tokens = 1024;
	m->item_buffer_mb = 256;
	size_t D = m->c.dim, F = m->c.ffn, cap = 0;
	add_tensor(m, &cap, "item", m->c.items + 1, D, 1);
	add_tensor(m, &cap, "pos", m->c.maxlen, D, 1);
	static const char *const names[16] = {"ln1_g", "ln1_b", "wq", "bq", "wk", "bk", "wv", "bv",
					      "wo",    "bo",    "ln2_g", "ln2_b", "w1", "b1", "w2", "b2"};
	for (size_t b = 0; b < m->c.blocks; b++)
		for (int i = 0; i < 16; i++) {
			char name[40];
			snprintf(name, sizeof name, "block%u.%s", (unsigned)b, names[i]);
			size_t rows = 1, cols = D;
			if (i >= 2 && i <= 9 && i % 2 == 0)
				rows = D;
			else if (i == 12)
				rows = D, cols = F;
			else if (i == 13)
				cols = F;
			else if (i == 14)
				rows = F;
			add_tensor(m, &cap, name, rows, cols, rows > 1);
		}
	add_tensor(m, &cap, "lnf_g", 1, D, 0);
	add_tensor(m, &cap, "lnf_b", 1, D, 0);

	m->params = lmrec_xcalloc(m->nparams, sizeof *m->params);
	m->block = lmrec_xcalloc(m->c.blocks, sizeof *m->block);
	float *p = m->params;
	size_t t = 0;
	m->item = p + m->tensor[t++].off;
	m->pos = p + m->tensor[t++].off;
	for (size_t b = 0; b < m->c.blocks; b++) {
		struct lmrec_sasrec_block *k = &m->block[b];
		float **slot[16] = {&k->ln1_g, &k->ln1_b, &k->wq, &k->bq, &k->wk,    &k->bk,
				    &k->wv,    &k->bv,    &k->wo, &k->bo, &k->ln2_g, &k->ln2_b,
				    &k->w1,    &k->b1,    &k->w2, &k->b2};
		for (int i = 0; i < 16; i++)
			*slot[i] = p + m->tensor[t++].off;
	}
	m->lnf_g = p + m->tensor[t++].off;
	m->lnf_b = p + m->tensor[t++].off;

	struct lmrec_rng r;
	lmrec_rng_seed(&r, seed);
	for (size_t i = 0; i < m->ntensors; i++) {
		const struct lmrec_sasrec_tensor *x = &m->tensor[i];
		float *v = p + x->off;
		size_t len = x->rows * x->cols;
		if (x->rows > 1) {
			double sd = std > 0 ? std : sqrt(2.0 / (double)(x->rows + x->cols));
			const char *dot = strrchr(x->name, '.');
			if (qkv_std > 0 && dot &&
			    (strcmp(dot, ".wq") == 0 || strcmp(dot, ".wk") == 0 || strcmp(dot, ".wv") == 0))
				sd = qkv_std;
			for (size_t j = 0; j < len; j++)
				v[j] = (float)(sd * lmrec_rng_normal(&r));
		} else if (strstr(x->name, "_g")) {
			for (size_t j = 0; j < len; j++)
				v[j] = 1.0f;
		}
	}
	memset(m->item, 0, D * sizeof *m->item);
}

void lmrec_sasrec_free(struct lmrec_sasrec *m)
{
	if (!m)
		return;
	free(m->params);
	free(m->block);
	free(m->tensor);
	m->params = NULL;
	m->block = NULL;
	m->tensor = NULL;
	m->nparams = m->ntensors = 0;
}

void lmrec_sasrec_decay_mask(const struct lmrec_sasrec *m, unsigned char *mask)
{
	for (size_t i = 0; i < m->ntensors; i++) {
		const struct lmrec_sasrec_tensor *t = &m->tensor[i];
		memset(mask + t->off, t->decay ? 1 : 0, t->rows * t->cols);
	}
}

/* ---- small kernels ---- */

/* y (rows, D) = LN(x) * g + b; mu, rs (rows): the mean and 1/sqrt(var + eps). */
static void ln_fwd(float *y, float *mu, float *rs, const float *x, const float *g, const float *b,
		   size_t rows, size_t D)
{
	for (size_t i = 0; i < rows; i++) {
		const float *xi = x + i * D;
		float *yi = y + i * D;
		double s = 0, ss = 0;
		for (size_t j = 0; j < D; j++)
			s += xi[j];
		double mean = s / (double)D;
		for (size_t j = 0; j < D; j++) {
			double d = xi[j] - mean;
			ss += d * d;
		}
		double r = 1.0 / sqrt(ss / (double)D + LN_EPS);
		mu[i] = (float)mean;
		rs[i] = (float)r;
		for (size_t j = 0; j < D; j++)
			yi[j] = (float)((xi[j] - mean) * r) * g[j] + b[j];
	}
}

/* dx (rows, D) += the gradient through LN of dy; dg, db (D) += theirs. */
static void ln_bwd(float *dx, const float *dy, const float *x, const float *mu, const float *rs,
		   const float *g, float *dg, float *db, size_t rows, size_t D)
{
	for (size_t i = 0; i < rows; i++) {
		const float *xi = x + i * D, *dyi = dy + i * D;
		float *dxi = dx + i * D;
		double s1 = 0, s2 = 0;
		float m = mu[i], r = rs[i];
		for (size_t j = 0; j < D; j++) {
			float xh = (xi[j] - m) * r;
			float d = dyi[j] * g[j];
			dg[j] += dyi[j] * xh;
			db[j] += dyi[j];
			s1 += d;
			s2 += (double)d * xh;
		}
		float a = (float)(s1 / (double)D), c = (float)(s2 / (double)D);
		for (size_t j = 0; j < D; j++) {
			float xh = (xi[j] - m) * r;
			dxi[j] += r * (dyi[j] * g[j] - a - xh * c);
		}
	}
}

/* y (rows, out; rows ldy apart) = x (rows, in) W (in, out) + bias */
static void lin_fwd(float *y, size_t ldy, const float *x, size_t ldx, const float *W,
		    const float *bias, size_t rows, size_t in, size_t out)
{
	for (size_t i = 0; i < rows; i++)
		memcpy(y + i * ldy, bias, out * sizeof *y);
	gemm(0, 0, rows, out, in, 1.0f, x, ldx, W, out, 1.0f, y, ldy);
}

/* Gradients of y = x W + b: dW (in, out) += x^T dy, db (out) += column
 * sums of dy, and dx (rows, in) = dy W^T (+= when acc). dx may be NULL. */
static void lin_bwd(float *dx, size_t lddx, int acc, float *dW, float *db, const float *dy,
		    size_t lddy, const float *x, size_t ldx, const float *W, size_t rows, size_t in,
		    size_t out)
{
	gemm(1, 0, in, out, rows, 1.0f, x, ldx, dy, lddy, 1.0f, dW, out);
	for (size_t i = 0; i < rows; i++)
		for (size_t j = 0; j < out; j++)
			db[j] += dy[i * lddy + j];
	if (dx)
		gemm(0, 1, rows, in, out, 1.0f, dy, lddy, W, out, acc ? 1.0f : 0.0f, dx, lddx);
}


/* exp(x) for x <= 0 (0 below -87, where it is < 2^-125): x = k ln2 + r,
 * |r| <= ln2/2, exp(r) by its Taylor polynomial of degree 7 (relative
 * error below 2e-7 before rounding), times 2^k built in the exponent bits.
 * Branch-free, so the loops below vectorize; libm's expf was a quarter of
 * the training time. */
static inline float exp_neg(float x)
{
	x = x < -87.0f ? -87.0f : x;
	const float magic = 12582912.0f; /* 1.5 * 2^23: adding it rounds to an integer */
	float t = x * 1.44269504f + magic;
	float k = t - magic;
	float r = x - k * 0.693145752f - k * 1.42860677e-6f;
	float p = 1.0f / 5040;
	p = p * r + 1.0f / 720;
	p = p * r + 1.0f / 120;
	p = p * r + 1.0f / 24;
	p = p * r + 1.0f / 6;
	p = p * r + 0.5f;
	p = p * r + 1.0f;
	p = p * r + 1.0f;
	int32_t ki = (int32_t)k;
	uint32_t bits = (uint32_t)(ki + 127) << 23;
	float scale;
	memcpy(&scale, &bits, sizeof scale);
	return p * scale;
}

/* The largest of z (n > 0): eight running maxima, so the loop vectorizes
 * (max is exact: the same value whatever the order). */
static float max_of(const float *z, size_t n)
{
	float m[8];
	for (int k = 0; k < 8; k++)
		m[k] = z[0];
	size_t j = 0;
	for (; j + 8 <= n; j += 8)
		for (int k = 0; k < 8; k++)
			m[k] = z[j + k] > m[k] ? z[j + k] : m[k];
	for (; j < n; j++)
		m[0] = z[j] > m[0] ? z[j] : m[0];
	float r = m[0];
	for (int k = 1; k < 8; k++)
		r = m[k] > r ? m[k] : r;
	return r;
}

/* exp_neg on four lanes at once (GCC and Clang vector extensions: SSE on
 * x86-64, NEON on arm64); the same operations in the same order as
 * exp_neg, so a lane gives exp_neg's bits. */
typedef float v4f __attribute__((vector_size(16)));
typedef int32_t v4i __attribute__((vector_size(16)));

static inline v4f exp_neg4(v4f x)
{
	const v4f lo = {-87.0f, -87.0f, -87.0f, -87.0f};
	v4i below = x < lo;
	x = (v4f)(((v4i)x & ~below) | ((v4i)lo & below));
	const float magic = 12582912.0f;
	v4f t = x * 1.44269504f + magic;
	v4f k = t - magic;
	v4f r = x - k * 0.693145752f - k * 1.42860677e-6f;
	v4f p = r * (1.0f / 5040) + 1.0f / 720;
	p = p * r + 1.0f / 120;
	p = p * r + 1.0f / 24;
	p = p * r + 1.0f / 6;
	p = p * r + 0.5f;
	p = p * r + 1.0f;
	p = p * r + 1.0f;
	v4i ki = __builtin_convertvector(k, v4i);
	v4i bits = (ki + 127) << 23;
	return p * (v4f)bits;
}

/* z[j] = exp(z[j] - mx) for j < n; returns their sum (eight float partial
 * sums in a fixed order, then double). */
static double exp_sum(float *z, size_t n, float mx)
{
	v4f s0 = {0}, s1 = {0}, m = {mx, mx, mx, mx};
	size_t j = 0;
	for (; j + 8 <= n; j += 8) {
		v4f a, b;
		memcpy(&a, z + j, sizeof a);
		memcpy(&b, z + j + 4, sizeof b);
		a = exp_neg4(a - m);
		b = exp_neg4(b - m);
		memcpy(z + j, &a, sizeof a);
		memcpy(z + j + 4, &b, sizeof b);
		s0 += a;
		s1 += b;
	}
	double tot = 0;
	for (; j < n; j++) {
		z[j] = exp_neg(z[j] - mx);
		tot += z[j];
	}
	for (int k = 0; k < 4; k++)
		tot += (double)s0[k] + (double)s1[k];
	return tot;
}

static void scale_by(float *z, size_t n, float a)
{
	for (size_t j = 0; j < n; j++)
		z[j] *= a;
}

static double softplus(double x) { return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)); }
static double sigmoid(double x) { return x >= 0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x)); }

/* ---- a batch ---- */

struct batch {
	const struct lmrec_sasrec *m;
	size_t n, L, D, F, H, dh, B, items;
	const uint32_t *seq, *target;
	enum lmrec_sasrec_loss loss;
	size_t neg;     /* negatives (sampled losses) */
	double beta;    /* gBCE's exponent of the positive (1 for BCE) */
	uint64_t seed;
	int train, grad; /* dropout on; gradient wanted */
	float keep;      /* 1 - dropout */
	int drop_all;    /* dropout on the attention probabilities and the FFN hidden layer too */

	/* the packing: real positions of sequence i are tokens soff[i] ..
	 * soff[i+1]-1 in position order; its targets are goff[i] .. */
	size_t T, G;
	size_t *soff, *goff; /* (n + 1) */
	uint32_t *titem;     /* (T) */
	uint32_t *tpos;      /* (T) */
	size_t *gtok;        /* (G) token of each target */
	uint32_t *gitem;     /* (G) the target item */
	size_t nchunks, *cut; /* chunk c is sequences cut[c] .. cut[c+1]-1 */
	size_t tmax, gmax, pmax; /* most tokens, targets, attention floats of a chunk */

	/* results of the chunks */
	float *hg;    /* (G, dim) final hidden states at the targets */
	float *lse;   /* (G) CE: log-sum-exp of the scores */
	uint32_t *cand; /* (G, 1 + neg) sampled losses: positive, negatives */
	float *coef;  /* (G, 1 + neg) d loss / d score */
	float *dx0;   /* (T, dim) gradient at the embedding sum */
	size_t body, nbody; /* the parameters after item and pos */
	float *cgrad;  /* (nchunks, nbody) */
	float *citem;  /* (nchunks, items, dim) CE: each chunk's item gradient, or NULL */
	double *closs; /* (nchunks) */

	/* encode */
	float *out, *attn;
};

struct work {
	float *X;      /* (B + 1, tmax, D): input of each block, then the last output */
	float *A1, *A2; /* (B, tmax, D): LN1 and LN2 outputs */
	float *mu1, *rs1, *mu2, *rs2; /* (B, tmax) */
	float *QKV;    /* (B, tmax, 3D) */
	float *P;      /* (B, pmax): attention, per sequence per head n x n */
	float *CTX;    /* (B, tmax, D) */
	float *XM;     /* (B, tmax, D): x after the attention residual */
	float *U, *R;  /* (B, tmax, F): FFN pre-activation, after ReLU */
	float *M;      /* (1 + 2B, tmax, D): dropout multipliers, train only */
	float *Mp;     /* (B, pmax): multipliers of the attention probabilities (drop_all) */
	float *Mf;     /* (B, tmax, F): multipliers of the FFN hidden layer (drop_all) */
	float *HF, *muf, *rsf; /* (tmax, D), (tmax) */
	float *t1;     /* (tmax, max(D, F)) */
	float *dX, *dA; /* (tmax, D) */
	float *dQKV;   /* (tmax, 3D) */
	float *dU;     /* (tmax, F) */
	float *S, *S2; /* (maxlen, maxlen) each */
	float *Z;      /* (gmax, zcols) scores */
	float *dhg;    /* (gmax, D) */
	float *mem;
};

static void work_alloc(struct work *w, const struct batch *b)
{
	size_t B = b->B, D = b->D, F = b->F, T = b->tmax, L = b->L;
	size_t zc = b->loss == LMREC_SASREC_CE ? b->items : 1 + b->neg;
	size_t FD = F > D ? F : D;
	int all = b->train && b->drop_all;
	size_t sizes[] = {
		(B + 1) * T * D, B * T * D,       B * T * D, B * T,     B * T,     B * T,
		B * T,           B * T * 3 * D,   B * b->pmax, B * T * D, B * T * D, B * T * F,
		B * T * F,       b->train ? (1 + 2 * B) * T * D : 0, T * D, T, T, T * FD,
		T * D,           T * D,           T * 3 * D, T * F,     L * L,     b->gmax * zc,
		b->gmax * D,     all ? B * b->pmax : 0, all ? B * T * F : 0, L * L};
	float **slot[] = {&w->X,   &w->A1,  &w->A2,  &w->mu1, &w->rs1, &w->mu2, &w->rs2,
			  &w->QKV, &w->P,   &w->CTX, &w->XM,  &w->U,   &w->R,   &w->M,
			  &w->HF,  &w->muf, &w->rsf, &w->t1,  &w->dX,  &w->dA,  &w->dQKV,
			  &w->dU,  &w->S,   &w->Z,   &w->dhg, &w->Mp,  &w->Mf,  &w->S2};
	size_t k = sizeof sizes / sizeof *sizes, tot = 0;
	for (size_t i = 0; i < k; i++)
		tot += (sizes[i] + 15) & ~(size_t)15;
	w->mem = lmrec_xmalloc(tot * sizeof(float) + 64);
	float *p = w->mem;
	for (size_t i = 0; i < k; i++) {
		*slot[i] = p;
		p += (sizes[i] + 15) & ~(size_t)15;
	}
}

/* len multipliers: 0 with probability cut / 2^32, else scale; two a draw. */
static void fill_mask(struct lmrec_rng *g, float *mk, size_t len, uint32_t cut, float scale)
{
	for (size_t j = 0; j < len; j += 2) {
		uint64_t u = lmrec_rng_u64(g);
		mk[j] = (uint32_t)u >= cut ? scale : 0.0f;
		if (j + 1 < len)
			mk[j + 1] = (uint32_t)(u >> 32) >= cut ? scale : 0.0f;
	}
}

/* Draws the dropout multipliers of sequence s (n tokens, at row offset r
 * of the chunk, its attention at offset po of each block's P) at each
 * site: the embedding, then per block the attention and the FFN output;
 * with drop_all, then per block the attention probabilities (row i of a
 * head: its i + 1 causal entries) and the FFN hidden layer. The first
 * sites draw the same numbers either way. */
static void draw_masks(const struct batch *b, struct work *w, size_t s, size_t r, size_t n,
		       size_t tmax, size_t po)
{
	struct lmrec_rng g;
	lmrec_rng_seed2(&g, b->seed, 2 * (uint64_t)s);
	double p = 1.0 - (double)b->keep;
	uint32_t cut = (uint32_t)(p * 4294967296.0 > 4294967295.0 ? 4294967295.0 : p * 4294967296.0);
	float scale = 1.0f / b->keep;
	for (size_t site = 0; site < 1 + 2 * b->B; site++)
		fill_mask(&g, w->M + (site * tmax + r) * b->D, n * b->D, cut, scale);
	if (!b->drop_all)
		return;
	for (size_t l = 0; l < b->B; l++) {
		float *mp = w->Mp + l * b->pmax + po;
		for (size_t h = 0; h < b->H; h++)
			for (size_t i = 0; i < n; i++)
				fill_mask(&g, mp + h * n * n + i * n, i + 1, cut, scale);
		fill_mask(&g, w->Mf + (l * tmax + r) * b->F, n * b->F, cut, scale);
	}
}

/* Causal attention of one sequence of n tokens (rows of qkv, 3D apart) for
 * every head; ctx (n, D); P (H, n, n), the probabilities before dropout;
 * Pm (H, n, n): their dropout multipliers, or NULL; S scratch (n, n). */
static void attn_fwd(float *ctx, float *P, const float *Pm, const float *qkv, size_t n, size_t D,
		     size_t H, size_t dh, float *S)
{
	float scale = 1.0f / sqrtf((float)dh);
	for (size_t h = 0; h < H; h++) {
		float *Ph = P + h * n * n;
		const float *q = qkv + h * dh, *k = qkv + D + h * dh, *v = qkv + 2 * D + h * dh;
		gemm(0, 1, n, n, dh, scale, q, 3 * D, k, 3 * D, 0.0f, Ph, n);
		for (size_t i = 0; i < n; i++) {
			float *row = Ph + i * n;
			double s = exp_sum(row, i + 1, max_of(row, i + 1));
			scale_by(row, i + 1, (float)(1.0 / s));
			for (size_t j = i + 1; j < n; j++)
				row[j] = 0.0f;
		}
		const float *A = Ph;
		if (Pm) {
			const float *mh = Pm + h * n * n;
			for (size_t i = 0; i < n; i++)
				for (size_t j = 0; j < n; j++)
					S[i * n + j] = j <= i ? Ph[i * n + j] * mh[i * n + j] : 0.0f;
			A = S;
		}
		gemm(0, 0, n, dh, n, 1.0f, A, n, v, 3 * D, 0.0f, ctx + h * dh, D);
	}
}

/* dqkv (n, 3D) = the gradient of attn_fwd given dctx (n, D); S, S2
 * scratch (n, n). */
static void attn_bwd(float *dqkv, const float *dctx, const float *P, const float *Pm,
		     const float *qkv, size_t n, size_t D, size_t H, size_t dh, float *S, float *S2)
{
	float scale = 1.0f / sqrtf((float)dh);
	for (size_t h = 0; h < H; h++) {
		const float *Ph = P + h * n * n, *mh = Pm ? Pm + h * n * n : NULL;
		const float *q = qkv + h * dh, *k = qkv + D + h * dh, *v = qkv + 2 * D + h * dh;
		const float *A = Ph;
		if (mh) { /* the probabilities after dropout, as the forward used them */
			for (size_t i = 0; i < n; i++)
				for (size_t j = 0; j < n; j++)
					S2[i * n + j] = j <= i ? Ph[i * n + j] * mh[i * n + j] : 0.0f;
			A = S2;
		}
		/* dV = A^T dctx; dA = dctx V^T, then dP = dA * mask */
		gemm(1, 0, n, dh, n, 1.0f, A, n, dctx + h * dh, D, 0.0f, dqkv + 2 * D + h * dh, 3 * D);
		gemm(0, 1, n, n, dh, 1.0f, dctx + h * dh, D, v, 3 * D, 0.0f, S, n);
		if (mh)
			for (size_t i = 0; i < n; i++)
				for (size_t j = 0; j <= i; j++)
					S[i * n + j] *= mh[i * n + j];
		for (size_t i = 0; i < n; i++) {
			const float *pr = Ph + i * n;
			float *sr = S + i * n;
			double dot = 0;
			for (size_t j = 0; j <= i; j++)
				dot += (double)pr[j] * sr[j];
			float d = (float)dot;
			for (size_t j = 0; j <= i; j++)
				sr[j] = scale * pr[j] * (sr[j] - d);
			for (size_t j = i + 1; j < n; j++)
				sr[j] = 0.0f;
		}
		/* dQ = dS K; dK = dS^T Q */
		gemm(0, 0, n, dh, n, 1.0f, S, n, k, 3 * D, 0.0f, dqkv + h * dh, 3 * D);
		gemm(1, 0, n, dh, n, 1.0f, S, n, q, 3 * D, 0.0f, dqkv + D + h * dh, 3 * D);
	}
}

/* The gradient buffer of a chunk, addressed like params. */
#define GP(gb, ptr) ((gb) + ((size_t)((ptr) - m->params) - b->body))

/* Forward (and backward when b->grad) of chunk c. */
static void run_chunk(const struct batch *b, struct work *w, size_t c)
{
	const struct lmrec_sasrec *m = b->m;
	size_t s0 = b->cut[c], s1 = b->cut[c + 1];
	size_t t0 = b->soff[s0], Tc = b->soff[s1] - t0;
	size_t g0 = b->goff[s0], Gc = b->goff[s1] - g0;
	size_t D = b->D, F = b->F, H = b->H, dh = b->dh, NB = b->B, TM = b->tmax;
	int drop = b->train && b->keep < 1.0f;
	if (Tc == 0) {
		b->closs[c] = 0;
		return;
	}
	const float *Mf = NULL;
	if (drop) {
		size_t po = 0;
		for (size_t s = s0; s < s1; s++) {
			size_t n = b->soff[s + 1] - b->soff[s];
			draw_masks(b, w, s, b->soff[s] - t0, n, TM, po);
			po += H * n * n;
		}
		Mf = b->drop_all ? w->Mf : NULL;
	}

	/* embedding */
	float sq = sqrtf((float)D);
	for (size_t t = 0; t < Tc; t++) {
		const float *e = m->item + (size_t)b->titem[t0 + t] * D;
		const float *p = m->pos + (size_t)b->tpos[t0 + t] * D;
		float *x = w->X + t * D;
		for (size_t j = 0; j < D; j++)
			x[j] = e[j] * sq + p[j];
		if (drop)
			for (size_t j = 0; j < D; j++)
				x[j] *= w->M[t * D + j];
	}

	for (size_t l = 0; l < NB; l++) {
		const struct lmrec_sasrec_block *k = &m->block[l];
		float *X = w->X + l * TM * D, *Xn = X + TM * D;
		float *A1 = w->A1 + l * TM * D, *A2 = w->A2 + l * TM * D;
		float *QKV = w->QKV + l * TM * 3 * D, *CTX = w->CTX + l * TM * D;
		float *XM = w->XM + l * TM * D, *U = w->U + l * TM * F, *R = w->R + l * TM * F;
		float *Pl = w->P + l * b->pmax;
		const float *Pml = drop && b->drop_all ? w->Mp + l * b->pmax : NULL;
		ln_fwd(A1, w->mu1 + l * TM, w->rs1 + l * TM, X, k->ln1_g, k->ln1_b, Tc, D);
		/* keys and values: from the normalised stream, or (SASRec's
		 * blocks) from the stream itself */
		const float *KV = m->c.sasrec_block ? X : A1;
		const float *R1 = m->c.sasrec_block ? A1 : X, *R2 = m->c.sasrec_block ? A2 : XM;
		lin_fwd(QKV, 3 * D, A1, D, k->wq, k->bq, Tc, D, D);
		lin_fwd(QKV + D, 3 * D, KV, D, k->wk, k->bk, Tc, D, D);
		lin_fwd(QKV + 2 * D, 3 * D, KV, D, k->wv, k->bv, Tc, D, D);
		size_t po = 0;
		for (size_t s = s0; s < s1; s++) {
			size_t r = b->soff[s] - t0, n = b->soff[s + 1] - b->soff[s];
			if (!n)
				continue;
			attn_fwd(CTX + r * D, Pl + po, Pml ? Pml + po : NULL, QKV + r * 3 * D, n, D, H, dh,
				 w->S);
			po += H * n * n;
		}
		lin_fwd(w->t1, D, CTX, D, k->wo, k->bo, Tc, D, D);
		const float *M1 = w->M + (1 + 2 * l) * TM * D, *M2 = M1 + TM * D;
		for (size_t i = 0; i < Tc * D; i++)
			XM[i] = R1[i] + (drop ? w->t1[i] * M1[i] : w->t1[i]);
		ln_fwd(A2, w->mu2 + l * TM, w->rs2 + l * TM, XM, k->ln2_g, k->ln2_b, Tc, D);
		lin_fwd(U, F, A2, D, k->w1, k->b1, Tc, D, F);
		const float *Mfl = Mf ? Mf + l * TM * F : NULL;
		for (size_t i = 0; i < Tc * F; i++)
			R[i] = U[i] > 0.0f ? (Mfl ? U[i] * Mfl[i] : U[i]) : 0.0f;
		lin_fwd(w->t1, D, R, F, k->w2, k->b2, Tc, F, D);
		for (size_t i = 0; i < Tc * D; i++)
			Xn[i] = R2[i] + (drop ? w->t1[i] * M2[i] : w->t1[i]);
	}
	const float *XL = w->X + NB * TM * D;
	ln_fwd(w->HF, w->muf, w->rsf, XL, m->lnf_g, m->lnf_b, Tc, D);

	if (b->out) { /* encode */
		const float *Pl = w->P + (NB - 1) * b->pmax;
		size_t po = 0;
		for (size_t s = s0; s < s1; s++) {
			size_t r = b->soff[s] - t0, n = b->soff[s + 1] - b->soff[s];
			float *o = b->out + s * D;
			if (!n) {
				memset(o, 0, D * sizeof *o);
				if (b->attn)
					memset(b->attn + s * b->L, 0, b->L * sizeof *b->attn);
				continue;
			}
			memcpy(o, w->HF + (r + n - 1) * D, D * sizeof *o);
			if (b->attn) {
				float *a = b->attn + s * b->L;
				memset(a, 0, b->L * sizeof *a);
				for (size_t h = 0; h < H; h++) {
					const float *row = Pl + po + h * n * n + (n - 1) * n;
					for (size_t j = 0; j < n; j++) /* by slot: left-padded */
						a[b->L - n + j] += row[j] / (float)H;
				}
			}
			po += H * n * n;
		}
		return;
	}

	/* the loss at the targets */
	float *hg = b->hg + g0 * D;
	for (size_t g = 0; g < Gc; g++)
		memcpy(hg + g * D, w->HF + (b->gtok[g0 + g] - t0) * D, D * sizeof *hg);
	double loss = 0, invG = 1.0 / (double)b->G;
	float *dhg = w->dhg;
	if (b->loss == LMREC_SASREC_CE) {
		size_t V = b->items;
		const float *emb = m->item + D; /* rows 1..items */
		gemm(0, 1, Gc, V, D, 1.0f, hg, D, emb, D, 0.0f, w->Z, V);
		for (size_t g = 0; g < Gc; g++) {
			float *z = w->Z + g * V;
			float mx = max_of(z, V);
			size_t y = b->gitem[g0 + g] - 1;
			float zy = z[y];
			double s = exp_sum(z, V, mx);
			double lse = mx + log(s);
			loss += lse - zy;
			b->lse[g0 + g] = (float)lse;
			if (b->grad) { /* (softmax - onehot) / G */
				scale_by(z, V, (float)(invG / s));
				z[y] -= (float)invG;
			}
		}
		if (b->grad) {
			gemm(0, 0, Gc, D, V, 1.0f, w->Z, V, emb, D, 0.0f, dhg, D);
			if (b->citem) /* this chunk's share of the item rows' gradient */
				gemm(1, 0, V, D, Gc, 1.0f, w->Z, V, hg, D, 0.0f,
				     b->citem + c * V * D, D);
		}
	} else {
		size_t K = 1 + b->neg;
		uint32_t *cand = b->cand + g0 * K;
		float *coef = b->coef + g0 * K;
		for (size_t s = s0; s < s1; s++) {
			struct lmrec_rng r;
			lmrec_rng_seed2(&r, b->seed, 2 * (uint64_t)s + 1);
			for (size_t g = b->goff[s]; g < b->goff[s + 1]; g++) {
				uint32_t y = b->gitem[g], *cg = cand + (g - g0) * K;
				cg[0] = y;
				for (size_t j = 1; j < K; j++) {
					uint32_t v = 1 + (uint32_t)lmrec_rng_below(&r, b->items - 1);
					cg[j] = v >= y ? v + 1 : v;
				}
			}
		}
		for (size_t g = 0; g < Gc; g++) {
			const float *h = hg + g * D;
			const uint32_t *cg = cand + g * K;
			float *cf = coef + g * K, *z = w->Z + g * K;
			for (size_t j = 0; j < K; j++) {
				const float *e = m->item + (size_t)cg[j] * D;
				float d = 0;
				for (size_t i = 0; i < D; i++)
					d += h[i] * e[i];
				z[j] = d;
			}
			if (b->loss == LMREC_SASREC_SAMPLED) {
				float mx = z[0];
				for (size_t j = 1; j < K; j++)
					mx = z[j] > mx ? z[j] : mx;
				double s = 0;
				for (size_t j = 0; j < K; j++)
					s += exp((double)z[j] - mx);
				loss += mx + log(s) - z[0];
				for (size_t j = 0; j < K; j++)
					cf[j] = (float)(exp((double)z[j] - mx) / s * invG);
				cf[0] -= (float)invG;
			} else {
				loss += b->beta * softplus(-(double)z[0]);
				cf[0] = (float)(b->beta * (sigmoid(z[0]) - 1.0) * invG);
				for (size_t j = 1; j < K; j++) {
					loss += softplus(z[j]);
					cf[j] = (float)(sigmoid(z[j]) * invG);
				}
			}
			if (b->grad) {
				float *dr = dhg + g * D;
				memset(dr, 0, D * sizeof *dr);
				for (size_t j = 0; j < K; j++) {
					const float *e = m->item + (size_t)cg[j] * D;
					for (size_t i = 0; i < D; i++)
						dr[i] += cf[j] * e[i];
				}
			}
		}
	}
	b->closs[c] = loss;
	if (!b->grad)
		return;

	/* backward */
	float *gb = b->cgrad + c * b->nbody;
	float *dX = w->dX, *dA = w->dA;
	int sb = m->c.sasrec_block;
	memset(dA, 0, Tc * D * sizeof *dA);
	for (size_t g = 0; g < Gc; g++)
		memcpy(dA + (b->gtok[g0 + g] - t0) * D, dhg + g * D, D * sizeof *dA);
	memset(dX, 0, Tc * D * sizeof *dX);
	ln_bwd(dX, dA, XL, w->muf, w->rsf, m->lnf_g, GP(gb, m->lnf_g), GP(gb, m->lnf_b), Tc, D);
	for (size_t l = NB; l-- > 0;) {
		const struct lmrec_sasrec_block *k = &m->block[l];
		const float *X = w->X + l * TM * D;
		const float *A1 = w->A1 + l * TM * D, *A2 = w->A2 + l * TM * D;
		const float *QKV = w->QKV + l * TM * 3 * D, *CTX = w->CTX + l * TM * D;
		const float *XM = w->XM + l * TM * D, *U = w->U + l * TM * F, *R = w->R + l * TM * F;
		const float *Pl = w->P + l * b->pmax;
		const float *Pml = drop && b->drop_all ? w->Mp + l * b->pmax : NULL;
		const float *Mfl = Mf ? Mf + l * TM * F : NULL;
		const float *M1 = w->M + (1 + 2 * l) * TM * D, *M2 = M1 + TM * D;
		/* dX is the gradient at the block's output, then at XM */
		float *df = w->t1;
		for (size_t i = 0; i < Tc * D; i++)
			df[i] = drop ? dX[i] * M2[i] : dX[i];
		lin_bwd(w->dU, F, 0, GP(gb, k->w2), GP(gb, k->b2), df, D, R, F, k->w2, Tc, F, D);
		for (size_t i = 0; i < Tc * F; i++)
			w->dU[i] = U[i] > 0.0f ? (Mfl ? w->dU[i] * Mfl[i] : w->dU[i]) : 0.0f;
		lin_bwd(dA, D, 0, GP(gb, k->w1), GP(gb, k->b1), w->dU, F, A2, D, k->w1, Tc, D, F);
		if (sb) { /* the residual came from A2, not XM */
			for (size_t i = 0; i < Tc * D; i++)
				dA[i] += dX[i];
			memset(dX, 0, Tc * D * sizeof *dX);
		}
		ln_bwd(dX, dA, XM, w->mu2 + l * TM, w->rs2 + l * TM, k->ln2_g, GP(gb, k->ln2_g),
		       GP(gb, k->ln2_b), Tc, D);
		/* dX is the gradient at XM, then at X */
		float *dO = w->t1;
		for (size_t i = 0; i < Tc * D; i++)
			dO[i] = drop ? dX[i] * M1[i] : dX[i];
		float *dCTX = dA;
		lin_bwd(dCTX, D, 0, GP(gb, k->wo), GP(gb, k->bo), dO, D, CTX, D, k->wo, Tc, D, D);
		size_t po = 0;
		for (size_t s = s0; s < s1; s++) {
			size_t r = b->soff[s] - t0, n = b->soff[s + 1] - b->soff[s];
			if (!n)
				continue;
			attn_bwd(w->dQKV + r * 3 * D, dCTX + r * D, Pl + po, Pml ? Pml + po : NULL,
				 QKV + r * 3 * D, n, D, H, dh, w->S, w->S2);
			po += H * n * n;
		}
		lin_bwd(dA, D, 0, GP(gb, k->wq), GP(gb, k->bq), w->dQKV, 3 * D, A1, D, k->wq, Tc, D, D);
		if (sb) { /* the residual came from A1; keys and values from X */
			for (size_t i = 0; i < Tc * D; i++)
				dA[i] += dX[i];
			lin_bwd(dX, D, 0, GP(gb, k->wk), GP(gb, k->bk), w->dQKV + D, 3 * D, X, D, k->wk, Tc,
				D, D);
			lin_bwd(dX, D, 1, GP(gb, k->wv), GP(gb, k->bv), w->dQKV + 2 * D, 3 * D, X, D, k->wv,
				Tc, D, D);
		} else {
			lin_bwd(dA, D, 1, GP(gb, k->wk), GP(gb, k->bk), w->dQKV + D, 3 * D, A1, D, k->wk,
				Tc, D, D);
			lin_bwd(dA, D, 1, GP(gb, k->wv), GP(gb, k->bv), w->dQKV + 2 * D, 3 * D, A1, D,
				k->wv, Tc, D, D);
		}
		ln_bwd(dX, dA, X, w->mu1 + l * TM, w->rs1 + l * TM, k->ln1_g, GP(gb, k->ln1_g),
		       GP(gb, k->ln1_b), Tc, D);
	}
	float *dx0 = b->dx0 + t0 * D;
	for (size_t i = 0; i < Tc * D; i++)
		dx0[i] = drop ? dX[i] * w->M[i] : dX[i];
}

struct chunk_job {
	const struct batch *b;
};

static void chunks_task(void *ctx, int thread, size_t begin, size_t end)
{
	(void)thread;
	const struct batch *b = ((struct chunk_job *)ctx)->b;
	if (begin == end)
		return;
	struct work w;
	work_alloc(&w, b);
	for (size_t c = begin; c < end; c++)
		run_chunk(b, &w, c);
	free(w.mem);
}

/* Packs the real positions, cuts the chunks, sizes the scratch. */
static void pack(struct batch *b, const uint32_t *seq, const uint32_t *target)
{
	const struct lmrec_sasrec *m = b->m;
	size_t n = b->n, L = b->L;
	b->soff = lmrec_xcalloc(n + 1, sizeof *b->soff);
	b->goff = lmrec_xcalloc(n + 1, sizeof *b->goff);
	size_t T = 0, G = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t l = 0; l < L; l++) {
			uint32_t v = seq[i * L + l];
			if (v > b->items)
				lmrec_die(LMREC_EXIT_FAIL, "sasrec: item %u of sequence %zu is above %zu", v,
					  i, b->items);
			if (v) {
				T++;
				if (target) {
					uint32_t y = target[i * L + l];
					if (y > b->items)
						lmrec_die(LMREC_EXIT_FAIL,
							  "sasrec: target %u of sequence %zu is above %zu",
							  y, i, b->items);
					G += y != 0;
				}
			}
		}
	b->T = T;
	b->G = G;
	b->titem = lmrec_xmalloc((T ? T : 1) * sizeof *b->titem);
	b->tpos = lmrec_xmalloc((T ? T : 1) * sizeof *b->tpos);
	b->gtok = lmrec_xmalloc((G ? G : 1) * sizeof *b->gtok);
	b->gitem = lmrec_xmalloc((G ? G : 1) * sizeof *b->gitem);
	T = G = 0;
	for (size_t i = 0; i < n; i++) {
		b->soff[i] = T;
		b->goff[i] = G;
		size_t first = L; /* the slot of the oldest real item */
		for (size_t l = 0; l < L; l++) {
			uint32_t v = seq[i * L + l];
			if (!v)
				continue;
			first = first < l ? first : l;
			if (target && target[i * L + l]) {
				b->gtok[G] = T;
				b->gitem[G++] = target[i * L + l];
			}
			b->titem[T] = v;
			b->tpos[T++] = (uint32_t)(m->c.pos_from_start ? l - first : l);
		}
	}
	b->soff[n] = T;
	b->goff[n] = G;

	size_t lim = m->chunk_tokens ? m->chunk_tokens : 1;
	size_t cap = 0;
	b->cut = NULL;
	LMREC_GROW(b->cut, cap, 1);
	b->cut[0] = 0;
	b->nchunks = 0;
	b->tmax = b->gmax = b->pmax = 1;
	for (size_t i = 0; i < n;) {
		size_t j = i, tok = 0, pf = 0;
		while (j < n) {
			size_t len = b->soff[j + 1] - b->soff[j];
			if (j > i && tok + len > lim)
				break;
			tok += len;
			pf += b->H * len * len;
			j++;
		}
		size_t gc = b->goff[j] - b->goff[i];
		b->tmax = tok > b->tmax ? tok : b->tmax;
		b->gmax = gc > b->gmax ? gc : b->gmax;
		b->pmax = pf > b->pmax ? pf : b->pmax;
		LMREC_GROW(b->cut, cap, b->nchunks + 2);
		b->cut[++b->nchunks] = j;
		i = j;
	}
}

static void unpack(struct batch *b)
{
	free(b->soff);
	free(b->goff);
	free(b->titem);
	free(b->tpos);
	free(b->gtok);
	free(b->gitem);
	free(b->cut);
}

/* The output-side item gradient of CE, items in blocks of ITEM_BLOCK:
 * grad rows 1.. += (softmax - onehot)^T hg, rows of G in fixed blocks. */
struct ce_job {
	const struct batch *b;
	float *gitem; /* grad of item rows 1.. */
};

/* item rows [begin, end) of the chunks' buffers summed in chunk order */
static void ce_sum_task(void *ctx, int thread, size_t begin, size_t end)
{
	(void)thread;
	struct ce_job *j = ctx;
	const struct batch *b = j->b;
	size_t D = b->D, V = b->items;
	for (size_t c = 0; c < b->nchunks; c++) {
		const float *src = b->citem + c * V * D;
		for (size_t i = begin * D; i < end * D; i++)
			j->gitem[i] += src[i];
	}
}

static void ce_items_task(void *ctx, int thread, size_t begin, size_t end)
{
	(void)thread;
	struct ce_job *j = ctx;
	const struct batch *b = j->b;
	const struct lmrec_sasrec *m = b->m;
	size_t D = b->D, G = b->G;
	if (begin == end)
		return;
	float *Z = lmrec_xmalloc((size_t)ROW_BLOCK * ITEM_BLOCK * sizeof *Z);
	float sc = (float)(1.0 / (double)G);
	for (size_t blk = begin; blk < end; blk++) {
		size_t v0 = blk * ITEM_BLOCK;
		size_t nv = b->items - v0 < ITEM_BLOCK ? b->items - v0 : ITEM_BLOCK;
		const float *emb = m->item + (1 + v0) * D;
		float *gi = j->gitem + v0 * D;
		for (size_t r0 = 0; r0 < G; r0 += ROW_BLOCK) {
			size_t nr = G - r0 < ROW_BLOCK ? G - r0 : ROW_BLOCK;
			const float *h = b->hg + r0 * D;
			gemm(0, 1, nr, nv, D, 1.0f, h, D, emb, D, 0.0f, Z, nv);
			for (size_t g = 0; g < nr; g++) {
				float *z = Z + g * nv, lse = b->lse[r0 + g];
				exp_sum(z, nv, lse);
				scale_by(z, nv, sc);
				size_t y = b->gitem[r0 + g] - 1;
				if (y >= v0 && y < v0 + nv)
					z[y - v0] -= sc;
			}
			gemm(1, 0, nv, D, nr, 1.0f, Z, nv, h, D, 1.0f, gi, D);
		}
	}
	free(Z);
}

/* The sparse item and position gradients, item rows and positions split
 * in ranges between the threads; each row sums in the same order (the
 * sampled scores by target, then the inputs by token) whatever the split. */
struct scatter_job {
	const struct batch *b;
	float *grad;
	int parts;
};

static void scatter_task(void *ctx, int thread, size_t begin, size_t end)
{
	(void)thread;
	struct scatter_job *j = ctx;
	const struct batch *b = j->b;
	const struct lmrec_sasrec *m = b->m;
	size_t D = b->D, V = b->items + 1, L = b->L;
	float *gi = j->grad + (m->item - m->params), *gp = j->grad + (m->pos - m->params);
	float sq = sqrtf((float)D);
	for (size_t part = begin; part < end; part++) {
		size_t a = V * part / (size_t)j->parts, e = V * (part + 1) / (size_t)j->parts;
		size_t pa = L * part / (size_t)j->parts, pe = L * (part + 1) / (size_t)j->parts;
		if (b->loss != LMREC_SASREC_CE) {
			size_t K = 1 + b->neg;
			for (size_t g = 0; g < b->G; g++) {
				const float *h = b->hg + g * D;
				for (size_t k = 0; k < K; k++) {
					size_t v = b->cand[g * K + k];
					if (v < a || v >= e)
						continue;
					float cf = b->coef[g * K + k], *row = gi + v * D;
					for (size_t i = 0; i < D; i++)
						row[i] += cf * h[i];
				}
			}
		}
		for (size_t t = 0; t < b->T; t++) {
			size_t v = b->titem[t], p = b->tpos[t];
			const float *d = b->dx0 + t * D;
			if (v >= a && v < e) {
				float *row = gi + v * D;
				for (size_t i = 0; i < D; i++)
					row[i] += sq * d[i];
			}
			if (p >= pa && p < pe) {
				float *row = gp + p * D;
				for (size_t i = 0; i < D; i++)
					row[i] += d[i];
			}
		}
	}
}

static void setup(struct batch *b, const struct lmrec_sasrec *m, size_t n)
{
	memset(b, 0, sizeof *b);
	b->m = m;
	b->n = n;
	b->L = m->c.maxlen;
	b->D = m->c.dim;
	b->F = m->c.ffn;
	b->H = m->c.heads;
	b->dh = b->D / b->H;
	b->B = m->c.blocks;
	b->items = m->c.items;
	b->keep = 1.0f - m->c.dropout;
	b->drop_all = m->c.dropout_all;
	b->body = (size_t)(m->pos - m->params) + m->c.maxlen * m->c.dim;
	b->nbody = m->nparams - b->body;
}

double lmrec_sasrec_loss_grad(const struct lmrec_sasrec *m, const uint32_t *seq,
			      const uint32_t *target, size_t n, enum lmrec_sasrec_loss loss,
			      size_t negatives, double gbce_t, uint64_t seed, int train,
			      float *grad, int threads)
{
	struct batch b;
	setup(&b, m, n);
	b.loss = loss;
	b.neg = loss == LMREC_SASREC_CE ? 0 : negatives;
	b.seed = seed;
	b.train = train;
	b.grad = grad != NULL;
	b.beta = 1.0;
	if (loss != LMREC_SASREC_CE) {
		if (negatives < 1)
			lmrec_die(LMREC_EXIT_FAIL, "sasrec: a sampled loss needs at least one negative");
		if (m->c.items < 2)
			lmrec_die(LMREC_EXIT_FAIL, "sasrec: a sampled loss needs two items or more");
	}
	if (loss == LMREC_SASREC_GBCE) {
		double alpha = (double)negatives / (double)(m->c.items - 1);
		b.beta = alpha * (gbce_t * (1.0 - 1.0 / alpha) + 1.0 / alpha);
	}
	if (threads < 1)
		threads = 1;
	pack(&b, seq, target);
	if (grad)
		memset(grad, 0, m->nparams * sizeof *grad);
	if (b.G == 0) {
		unpack(&b);
		return 0.0;
	}
	size_t K = 1 + b.neg;
	b.hg = lmrec_xmalloc(b.G * b.D * sizeof *b.hg);
	b.lse = lmrec_xmalloc(b.G * sizeof *b.lse);
	if (loss != LMREC_SASREC_CE) {
		b.cand = lmrec_xmalloc(b.G * K * sizeof *b.cand);
		b.coef = lmrec_xmalloc(b.G * K * sizeof *b.coef);
	}
	b.dx0 = grad ? lmrec_xmalloc(b.T * b.D * sizeof *b.dx0) : NULL;
	b.cgrad = grad ? lmrec_xcalloc(b.nchunks * b.nbody, sizeof *b.cgrad) : NULL;
	if (grad && loss == LMREC_SASREC_CE &&
	    (double)b.nchunks * (double)b.items * (double)b.D * sizeof(float) <=
		    (double)m->item_buffer_mb * 1048576.0)
		b.citem = lmrec_xmalloc(b.nchunks * b.items * b.D * sizeof *b.citem);
	b.closs = lmrec_xcalloc(b.nchunks, sizeof *b.closs);

	int blas = openblas_get_num_threads();
	openblas_set_num_threads(1);
	struct chunk_job cj = {&b};
	lmrec_par_for(threads, b.nchunks, chunks_task, &cj);
	double total = 0;
	for (size_t c = 0; c < b.nchunks; c++)
		total += b.closs[c];
	if (grad) {
		float *body = grad + b.body;
		for (size_t c = 0; c < b.nchunks; c++) {
			const float *g = b.cgrad + c * b.nbody;
			for (size_t i = 0; i < b.nbody; i++)
				body[i] += g[i];
		}
		if (loss == LMREC_SASREC_CE) {
			struct ce_job j = {&b, grad + (m->item - m->params) + b.D};
			if (b.citem)
				lmrec_par_for(threads, b.items, ce_sum_task, &j);
			else
				lmrec_par_for(threads, (b.items + ITEM_BLOCK - 1) / ITEM_BLOCK,
					      ce_items_task, &j);
		}
		struct scatter_job sj = {&b, grad, threads};
		lmrec_par_for(threads, (size_t)threads, scatter_task, &sj);
	}
	openblas_set_num_threads(blas);

	free(b.hg);
	free(b.lse);
	free(b.cand);
	free(b.coef);
	free(b.dx0);
	free(b.cgrad);
	free(b.citem);
	free(b.closs);
	size_t G = b.G;
	unpack(&b);
	return total / (double)G;
}

void lmrec_sasrec_encode(const struct lmrec_sasrec *m, const uint32_t *seq, size_t n, float *out,
			 float *attn, int threads)
{
	struct batch b;
	setup(&b, m, n);
	b.loss = LMREC_SASREC_CE;
	b.out = out;
	b.attn = attn;
	b.gmax = 0;
	if (threads < 1)
		threads = 1;
	pack(&b, seq, NULL);
	b.gmax = 0; /* no scores */
	memset(out, 0, n * b.D * sizeof *out);
	if (attn)
		memset(attn, 0, n * b.L * sizeof *attn);
	b.closs = lmrec_xcalloc(b.nchunks, sizeof *b.closs);
	int blas = openblas_get_num_threads();
	openblas_set_num_threads(1);
	struct chunk_job cj = {&b};
	lmrec_par_for(threads, b.nchunks, chunks_task, &cj);
	openblas_set_num_threads(blas);
	free(b.closs);
	unpack(&b);
}

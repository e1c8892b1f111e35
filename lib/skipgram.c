/* lmrec — subword skip-gram with negative sampling (see skipgram.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "par.h"
#include "rng.h"
#include "skipgram.h"
#include "util.h"

uint32_t lmrec_fnv1a32(const void *p, size_t len)
{
	const unsigned char *s = p;
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++) {
		h ^= s[i];
		h *= 16777619u;
	}
	return h;
}

/* Calls fn(ctx, bytes, len) for each n-gram of "<w>". */
static void each_ngram(const char *w, size_t len, size_t minn, size_t maxn, char **buf, size_t *bcap,
		       void (*fn)(void *ctx, const char *g, size_t n), void *ctx)
{
	if (maxn == 0)
		return;
	LMREC_GROW(*buf, *bcap, len + 2);
	char *s = *buf;
	s[0] = '<';
	memcpy(s + 1, w, len);
	s[len + 1] = '>';
	size_t n = len + 2;
	for (size_t i = 0; i < n; i++) {
		if ((s[i] & 0xC0) == 0x80)
			continue;
		size_t j = i;
		for (size_t chars = 1; j < n && chars <= maxn; chars++) {
			j++;
			while (j < n && (s[j] & 0xC0) == 0x80)
				j++;
			if (chars >= minn && !(chars == 1 && (i == 0 || j == n)))
				fn(ctx, s + i, j - i);
		}
	}
}

struct ngram_sink {
	uint32_t **out;
	size_t *n, *cap, buckets, base;
};

static void push_ngram(void *ctx, const char *g, size_t len)
{
	struct ngram_sink *k = ctx;
	LMREC_GROW(*k->out, *k->cap, *k->n + 1);
	(*k->out)[(*k->n)++] = (uint32_t)(k->base + lmrec_fnv1a32(g, len) % k->buckets);
}

void lmrec_skipgram_ngrams(const char *w, size_t len, size_t minn, size_t maxn, size_t buckets,
			   size_t base, uint32_t **out, size_t *n, size_t *cap)
{
	if (buckets == 0)
		return;
	char *buf = NULL;
	size_t bcap = 0;
	struct ngram_sink k = {out, n, cap, buckets, base};
	each_ngram(w, len, minn, maxn, &buf, &bcap, push_ngram, &k);
	free(buf);
}

struct hash_sink {
	uint64_t *h;
	size_t n, cap;
};

static void push_hash(void *ctx, const char *g, size_t len)
{
	struct hash_sink *k = ctx;
	LMREC_GROW(k->h, k->cap, k->n + 1);
	k->h[k->n++] = lmrec_hash64(g, len);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

size_t lmrec_skipgram_default_buckets(const struct lmrec_corpus *c, size_t minn, size_t maxn)
{
	struct hash_sink k = {0};
	char *buf = NULL;
	size_t bcap = 0;
	for (uint32_t w = 0; w < lmrec_corpus_words(c); w++) {
		size_t len;
		const char *s = lmrec_ids_str(c->words, w, &len);
		each_ngram(s, len, minn, maxn, &buf, &bcap, push_hash, &k);
	}
	size_t distinct = 0;
	if (k.n) {
		qsort(k.h, k.n, sizeof *k.h, cmp_u64);
		distinct = 1;
		for (size_t i = 1; i < k.n; i++)
			distinct += k.h[i] != k.h[i - 1];
	}
	free(k.h);
	free(buf);
	size_t b = distinct > 500000 ? 2000000 : 4 * distinct;
	return b < 1 ? 1 : b;
}

/* ---- kernels ----
 * Short vector loops written with GCC's vector extension (4 floats, the
 * SSE width every x86-64 has; other targets split or join them): the
 * default -O2 does not vectorize loops of a run-time length, and these are
 * the training's whole cost. Sums run over the same lanes in the same
 * order on every run, so results stay deterministic. */

typedef float v4sf __attribute__((vector_size(16)));

static inline v4sf load4(const float *p)
{
	v4sf v;
	memcpy(&v, p, sizeof v);
	return v;
}

static inline void store4(float *p, v4sf v) { memcpy(p, &v, sizeof v); }

/* y += a x */
static inline void axpy(float *restrict y, float a, const float *restrict x, size_t n)
{
	size_t d = 0;
	v4sf va = {a, a, a, a};
	for (; d + 4 <= n; d += 4)
		store4(y + d, load4(y + d) + va * load4(x + d));
	for (; d < n; d++)
		y[d] += a * x[d];
}

/* y += x */
static inline void add(float *restrict y, const float *restrict x, size_t n)
{
	size_t d = 0;
	for (; d + 4 <= n; d += 4)
		store4(y + d, load4(y + d) + load4(x + d));
	for (; d < n; d++)
		y[d] += x[d];
}

static inline float dot(const float *x, const float *y, size_t n)
{
	size_t d = 0;
	v4sf s0 = {0, 0, 0, 0}, s1 = {0, 0, 0, 0};
	for (; d + 8 <= n; d += 8) {
		s0 += load4(x + d) * load4(y + d);
		s1 += load4(x + d + 4) * load4(y + d + 4);
	}
	for (; d + 4 <= n; d += 4)
		s0 += load4(x + d) * load4(y + d);
	s0 += s1;
	float s = (s0[0] + s0[1]) + (s0[2] + s0[3]);
	for (; d < n; d++)
		s += x[d] * y[d];
	return s;
}

/* ---- the loss ---- */

static double log_sigmoid(double x) { return x > 0 ? -log1p(exp(-x)) : x - log1p(exp(x)); }

/* h = mean of the input rows; coef[j] = dL/d(h . o_j); returns L. */
static double forward(const float *in, const float *out, size_t dim, const uint32_t *sub, size_t nsub,
		      const uint32_t *tgt, size_t ntgt, float *h, float *coef)
{
	for (size_t d = 0; d < dim; d++)
		h[d] = 0.0f;
	for (size_t s = 0; s < nsub; s++)
		add(h, in + (size_t)sub[s] * dim, dim);
	float inv = 1.0f / (float)nsub;
	for (size_t d = 0; d < dim; d++)
		h[d] *= inv;
	double loss = 0;
	for (size_t j = 0; j < ntgt; j++) {
		float x = dot(h, out + (size_t)tgt[j] * dim, dim);
		double sig = 1.0 / (1.0 + exp(-(double)x));
		if (j == 0) {
			loss -= log_sigmoid(x);
			coef[j] = (float)(sig - 1.0);
		} else {
			loss -= log_sigmoid(-(double)x);
			coef[j] = (float)sig;
		}
	}
	return loss;
}

double lmrec_skipgram_loss(const float *in, const float *out, size_t dim, const uint32_t *sub,
			   size_t nsub, const uint32_t *tgt, size_t ntgt, float *h, float *gin,
			   float *gout)
{
	float *coef = lmrec_xmalloc((ntgt + 1) * sizeof *coef);
	double loss = forward(in, out, dim, sub, nsub, tgt, ntgt, h, coef);
	for (size_t d = 0; d < dim; d++)
		gin[d] = 0.0f;
	for (size_t j = 0; j < ntgt; j++) {
		const float *o = out + (size_t)tgt[j] * dim;
		for (size_t d = 0; d < dim; d++) {
			gin[d] += coef[j] * o[d];
			gout[j * dim + d] = coef[j] * h[d];
		}
	}
	for (size_t d = 0; d < dim; d++)
		gin[d] /= (float)nsub;
	free(coef);
	return loss;
}

/* ---- training ---- */

/* Walker's alias table for drawing vocabulary rows by weight. */
struct alias {
	double *prob;
	uint32_t *alias;
	size_t n;
};

static void alias_build(struct alias *a, const double *w, size_t n)
{
	a->n = n;
	a->prob = lmrec_xmalloc((n + 1) * sizeof *a->prob);
	a->alias = lmrec_xmalloc((n + 1) * sizeof *a->alias);
	double total = 0;
	for (size_t i = 0; i < n; i++)
		total += w[i];
	uint32_t *small = lmrec_xmalloc((n + 1) * sizeof *small), *large = lmrec_xmalloc((n + 1) * sizeof *large);
	size_t ns = 0, nl = 0;
	for (size_t i = 0; i < n; i++) {
		a->prob[i] = w[i] * (double)n / total;
		a->alias[i] = (uint32_t)i;
		if (a->prob[i] < 1.0)
			small[ns++] = (uint32_t)i;
		else
			large[nl++] = (uint32_t)i;
	}
	while (ns && nl) {
		uint32_t s = small[--ns], l = large[nl - 1];
		a->alias[s] = l;
		a->prob[l] -= 1.0 - a->prob[s];
		if (a->prob[l] < 1.0) {
			nl--;
			small[ns++] = l;
		}
	}
	while (nl)
		a->prob[large[--nl]] = 1.0;
	while (ns)
		a->prob[small[--ns]] = 1.0;
	free(small);
	free(large);
}

static uint32_t alias_draw(const struct alias *a, struct lmrec_rng *rng)
{
	uint32_t i = (uint32_t)lmrec_rng_below(rng, a->n);
	return lmrec_rng_double(rng) < a->prob[i] ? i : a->alias[i];
}

/* A copy of the model one thread trains, with the rows it touched. */
struct replica {
	float *in, *out;
	unsigned char *tin, *tout; /* touched flags; NULL: training the model itself */
	uint32_t *lin, *lout;      /* touched rows */
	size_t nin, nout, cin, cout;
	/* scratch */
	float *h, *gh, *coef;
	uint32_t *words, *tgt;
	size_t wcap;
	double loss;
	uint64_t pairs, tokens;
	size_t begin, end; /* positions in the epoch's order */
};

struct trainer {
	const struct lmrec_skipgram_params *p;
	struct lmrec_skipgram *m;
	size_t nsent, nrows;
	uint64_t *sstart;  /* (nsent + 1) */
	uint32_t *stok;    /* vocabulary rows of each sentence */
	uint64_t *substart; /* (nvocab + 1) */
	uint32_t *subs;    /* input rows of each vocabulary word */
	double *keep;      /* (nvocab) probability to keep a token */
	struct alias neg;
	uint32_t *order;   /* (nsent) this epoch's order */
	uint64_t *offset;  /* (nsent) tokens before order[k] in this epoch */
	size_t epoch;
	struct replica *rep;
	int nrep;
	/* the union of the rows the copies touched in a block */
	unsigned char *umin, *umout;
	uint32_t *uin, *uout;
	size_t nuin, nuout, cuin, cuout;
};

static void touch(unsigned char *flag, uint32_t **list, size_t *n, size_t *cap, uint32_t row)
{
	if (flag[row])
		return;
	flag[row] = 1;
	LMREC_GROW(*list, *cap, *n + 1);
	(*list)[(*n)++] = row;
}

static void train_sentence(struct trainer *t, struct replica *r, size_t pos)
{
	const struct lmrec_skipgram_params *p = t->p;
	size_t dim = p->dim, s = t->order[pos];
	struct lmrec_rng rng;
	lmrec_rng_seed2(&rng, p->seed, (uint64_t)t->epoch * t->nsent + s);
	uint64_t total = (uint64_t)p->epochs * t->m->ntrain;
	double done = (double)t->epoch * (double)t->m->ntrain + (double)t->offset[pos];
	double lr = p->lr * (1.0 - done / (double)total);
	if (lr < p->lr * 1e-4)
		lr = p->lr * 1e-4;
	size_t n = 0;
	for (uint64_t k = t->sstart[s]; k < t->sstart[s + 1]; k++) {
		uint32_t w = t->stok[k];
		if (t->keep[w] < 1.0 && lmrec_rng_double(&rng) >= t->keep[w])
			continue;
		LMREC_GROW(r->words, r->wcap, n + 1);
		r->words[n++] = w;
	}
	r->tokens += n;
	size_t ntgt = 1 + p->negatives;
	for (size_t i = 0; i < n; i++) {
		size_t b = 1 + (size_t)lmrec_rng_below(&rng, p->window);
		uint32_t w = r->words[i];
		const uint32_t *sub = t->subs + t->substart[w];
		size_t nsub = (size_t)(t->substart[w + 1] - t->substart[w]);
		for (size_t c = i >= b ? i - b : 0; c <= i + b && c < n; c++) {
			if (c == i)
				continue;
			r->tgt[0] = r->words[c];
			for (size_t k = 1; k < ntgt; k++) {
				uint32_t x = alias_draw(&t->neg, &rng);
				for (int tries = 0; x == r->tgt[0] && tries < 10 && t->m->nvocab > 1; tries++)
					x = alias_draw(&t->neg, &rng);
				r->tgt[k] = x;
			}
			r->loss += forward(r->in, r->out, dim, sub, nsub, r->tgt, ntgt, r->h, r->coef);
			r->pairs += ntgt;
			/* dL/dh from the output rows before they move, then the steps */
			for (size_t d = 0; d < dim; d++)
				r->gh[d] = 0.0f;
			for (size_t k = 0; k < ntgt; k++)
				axpy(r->gh, r->coef[k], r->out + (size_t)r->tgt[k] * dim, dim);
			for (size_t k = 0; k < ntgt; k++) {
				axpy(r->out + (size_t)r->tgt[k] * dim, (float)(-lr) * r->coef[k], r->h, dim);
				if (r->tout)
					touch(r->tout, &r->lout, &r->nout, &r->cout, r->tgt[k]);
			}
			float step = (float)-lr;
			for (size_t k = 0; k < nsub; k++) {
				axpy(r->in + (size_t)sub[k] * dim, step, r->gh, dim);
				if (r->tin)
					touch(r->tin, &r->lin, &r->nin, &r->cin, sub[k]);
			}
		}
	}
}

static void train_block(void *ctx, int thread, size_t begin, size_t end)
{
	struct trainer *t = ctx;
	for (size_t k = begin; k < end; k++) {
		struct replica *r = &t->rep[k];
		(void)thread;
		for (size_t pos = r->begin; pos < r->end; pos++)
			train_sentence(t, r, pos);
	}
}

/* Merging the copies after a block: (a) each copy turns the rows it
 * touched into changes (its row minus the model's), in parallel; (b) the
 * changes are added to the model in thread order, one thread, and the
 * union of the touched rows is listed; (c) each copy takes the model's
 * rows of that union, in parallel. The fixed order of (b) keeps the
 * result reproducible. */
static void merge_deltas(void *ctx, int thread, size_t begin, size_t end)
{
	struct trainer *t = ctx;
	size_t dim = t->p->dim;
	(void)thread;
	for (size_t k = begin; k < end; k++) {
		struct replica *r = &t->rep[k];
		for (size_t j = 0; j < r->nin; j++) {
			float *a = r->in + (size_t)r->lin[j] * dim;
			const float *b = t->m->in + (size_t)r->lin[j] * dim;
			for (size_t d = 0; d < dim; d++)
				a[d] -= b[d];
		}
		for (size_t j = 0; j < r->nout; j++) {
			float *a = r->out + (size_t)r->lout[j] * dim;
			const float *b = t->m->out + (size_t)r->lout[j] * dim;
			for (size_t d = 0; d < dim; d++)
				a[d] -= b[d];
		}
	}
}

static void merge_refresh(void *ctx, int thread, size_t begin, size_t end)
{
	struct trainer *t = ctx;
	size_t dim = t->p->dim;
	(void)thread;
	for (size_t k = begin; k < end; k++) {
		struct replica *r = &t->rep[k];
		for (size_t j = 0; j < t->nuin; j++)
			memcpy(r->in + (size_t)t->uin[j] * dim, t->m->in + (size_t)t->uin[j] * dim,
			       dim * sizeof *r->in);
		for (size_t j = 0; j < t->nuout; j++)
			memcpy(r->out + (size_t)t->uout[j] * dim, t->m->out + (size_t)t->uout[j] * dim,
			       dim * sizeof *r->out);
		for (size_t j = 0; j < r->nin; j++)
			r->tin[r->lin[j]] = 0;
		for (size_t j = 0; j < r->nout; j++)
			r->tout[r->lout[j]] = 0;
		r->nin = r->nout = 0;
	}
}

static void merge(struct trainer *t)
{
	struct lmrec_skipgram *m = t->m;
	size_t dim = t->p->dim;
	lmrec_par_for(t->nrep, (size_t)t->nrep, merge_deltas, t);
	t->nuin = t->nuout = 0;
	for (int k = 0; k < t->nrep; k++) {
		struct replica *r = &t->rep[k];
		for (size_t j = 0; j < r->nin; j++) {
			uint32_t row = r->lin[j];
			const float *a = r->in + (size_t)row * dim;
			float *b = m->in + (size_t)row * dim;
			for (size_t d = 0; d < dim; d++)
				b[d] += a[d];
			touch(t->umin, &t->uin, &t->nuin, &t->cuin, row);
		}
		for (size_t j = 0; j < r->nout; j++) {
			uint32_t row = r->lout[j];
			const float *a = r->out + (size_t)row * dim;
			float *b = m->out + (size_t)row * dim;
			for (size_t d = 0; d < dim; d++)
				b[d] += a[d];
			touch(t->umout, &t->uout, &t->nuout, &t->cuout, row);
		}
	}
	lmrec_par_for(t->nrep, (size_t)t->nrep, merge_refresh, t);
	for (size_t j = 0; j < t->nuin; j++)
		t->umin[t->uin[j]] = 0;
	for (size_t j = 0; j < t->nuout; j++)
		t->umout[t->uout[j]] = 0;
}

/* Vocabulary, sentences, subword lists, keep probabilities, negatives. */
static void prepare(struct trainer *t, const struct lmrec_corpus *c)
{
	const struct lmrec_skipgram_params *p = t->p;
	struct lmrec_skipgram *m = t->m;
	size_t nw = lmrec_corpus_words(c), ni = lmrec_corpus_items(c);
	int64_t *row = lmrec_xmalloc((nw + 1) * sizeof *row);
	for (uint32_t w = 0; w < nw; w++) {
		row[w] = -1;
		if (c->count[w] >= p->min_count) {
			size_t len;
			const char *s = lmrec_ids_str(c->words, w, &len);
			row[w] = lmrec_ids_intern(m->vocab, s, len);
		}
	}
	m->nvocab = lmrec_ids_count(m->vocab);
	t->nsent = ni;
	t->sstart = lmrec_xmalloc((ni + 1) * sizeof *t->sstart);
	t->stok = lmrec_xmalloc((c->ntokens + 1) * sizeof *t->stok);
	uint64_t *vcount = lmrec_xcalloc(m->nvocab + 1, sizeof *vcount);
	size_t n = 0;
	for (size_t i = 0; i < ni; i++) {
		t->sstart[i] = n;
		for (uint64_t k = c->start[i]; k < c->start[i + 1]; k++)
			if (row[c->tok[k]] >= 0) {
				t->stok[n++] = (uint32_t)row[c->tok[k]];
				vcount[row[c->tok[k]]]++;
			}
	}
	t->sstart[ni] = n;
	m->ntrain = n;
	/* input rows of each vocabulary word: its own, then its n-grams */
	size_t cap = 0, used = 0;
	t->substart = lmrec_xmalloc((m->nvocab + 1) * sizeof *t->substart);
	for (uint32_t v = 0; v < m->nvocab; v++) {
		t->substart[v] = used;
		LMREC_GROW(t->subs, cap, used + 1);
		t->subs[used++] = v;
		size_t len;
		const char *s = lmrec_ids_str(m->vocab, v, &len);
		lmrec_skipgram_ngrams(s, len, p->minn, p->maxn, m->buckets, m->nvocab, &t->subs, &used, &cap);
	}
	t->substart[m->nvocab] = used;
	t->keep = lmrec_xmalloc((m->nvocab + 1) * sizeof *t->keep);
	double *w = lmrec_xmalloc((m->nvocab + 1) * sizeof *w);
	for (size_t v = 0; v < m->nvocab; v++) {
		double f = (double)vcount[v] / (double)(n ? n : 1);
		t->keep[v] = p->sample > 0 ? sqrt(p->sample / f) + p->sample / f : 1.0;
		w[v] = pow((double)vcount[v], 0.75);
	}
	if (m->nvocab)
		alias_build(&t->neg, w, m->nvocab);
	free(w);
	free(vcount);
	free(row);
}

static void replica_init(struct replica *r, const struct trainer *t, int own)
{
	const struct lmrec_skipgram *m = t->m;
	size_t dim = t->p->dim;
	memset(r, 0, sizeof *r);
	if (own) {
		r->in = m->in;
		r->out = m->out;
	} else {
		r->in = lmrec_xmalloc(t->nrows * dim * sizeof *r->in);
		r->out = lmrec_xmalloc((m->nvocab + 1) * dim * sizeof *r->out);
		memcpy(r->in, m->in, t->nrows * dim * sizeof *r->in);
		memcpy(r->out, m->out, m->nvocab * dim * sizeof *r->out);
		r->tin = lmrec_xcalloc(t->nrows, 1);
		r->tout = lmrec_xcalloc(m->nvocab + 1, 1);
	}
	r->h = lmrec_xmalloc(dim * sizeof *r->h);
	r->gh = lmrec_xmalloc(dim * sizeof *r->gh);
	r->coef = lmrec_xmalloc((t->p->negatives + 1) * sizeof *r->coef);
	r->tgt = lmrec_xmalloc((t->p->negatives + 1) * sizeof *r->tgt);
}

static void replica_free(struct replica *r, int own)
{
	if (!own) {
		free(r->in);
		free(r->out);
		free(r->tin);
		free(r->tout);
	}
	free(r->lin);
	free(r->lout);
	free(r->h);
	free(r->gh);
	free(r->coef);
	free(r->words);
	free(r->tgt);
}

struct lmrec_skipgram *lmrec_skipgram_train(const struct lmrec_corpus *c,
					    const struct lmrec_skipgram_params *p,
					    lmrec_skipgram_epoch_fn cb, void *ctx)
{
	struct lmrec_skipgram *m = lmrec_xcalloc(1, sizeof *m);
	m->dim = p->dim;
	m->minn = p->minn;
	m->maxn = p->maxn;
	m->buckets = p->maxn ? p->buckets : 0;
	m->vocab = lmrec_ids_new();
	struct trainer t = {.p = p, .m = m};
	prepare(&t, c);
	size_t dim = p->dim;
	t.nrows = m->nvocab + m->buckets;
	m->in = lmrec_xmalloc((t.nrows + 1) * dim * sizeof *m->in);
	m->out = lmrec_xcalloc((m->nvocab + 1) * dim, sizeof *m->out);
	struct lmrec_rng rng;
	lmrec_rng_seed2(&rng, p->seed, UINT64_C(0x736b697067726d31)); /* the initial rows */
	for (size_t i = 0; i < t.nrows * dim; i++)
		m->in[i] = (float)((lmrec_rng_double(&rng) * 2.0 - 1.0) / (double)dim);
	if (m->ntrain == 0 || m->nvocab == 0 || p->epochs == 0) {
		free(t.sstart);
		free(t.stok);
		free(t.substart);
		free(t.subs);
		free(t.keep);
		free(t.neg.prob);
		free(t.neg.alias);
		return m;
	}
	t.nrep = p->threads > 1 ? p->threads : 1;
	int own = t.nrep == 1;
	t.rep = lmrec_xcalloc((size_t)t.nrep, sizeof *t.rep);
	for (int k = 0; k < t.nrep; k++)
		replica_init(&t.rep[k], &t, own);
	if (!own) {
		t.umin = lmrec_xcalloc(t.nrows + 1, 1);
		t.umout = lmrec_xcalloc(m->nvocab + 1, 1);
	}
	t.order = lmrec_xmalloc((t.nsent + 1) * sizeof *t.order);
	t.offset = lmrec_xmalloc((t.nsent + 1) * sizeof *t.offset);
	/* sentences per thread per round: about LMREC_SKIPGRAM_ROUND tokens */
	size_t per = own ? t.nsent
			 : (size_t)ceil((double)LMREC_SKIPGRAM_ROUND * (double)t.nsent / (double)m->ntrain);
	per = per < 1 ? 1 : per;
	for (t.epoch = 0; t.epoch < p->epochs; t.epoch++) {
		for (size_t s = 0; s < t.nsent; s++)
			t.order[s] = (uint32_t)s;
		struct lmrec_rng er;
		lmrec_rng_seed2(&er, p->seed, UINT64_C(0x65706f6368000000) + t.epoch);
		lmrec_rng_shuffle_u32(&er, t.order, t.nsent);
		uint64_t off = 0;
		for (size_t k = 0; k < t.nsent; k++) {
			t.offset[k] = off;
			off += t.sstart[t.order[k] + 1] - t.sstart[t.order[k]];
		}
		for (int k = 0; k < t.nrep; k++) {
			t.rep[k].loss = 0;
			t.rep[k].pairs = 0;
		}
		for (size_t pos = 0; pos < t.nsent; pos += per * (size_t)t.nrep) {
			for (int k = 0; k < t.nrep; k++) {
				size_t b = pos + (size_t)k * per;
				t.rep[k].begin = b < t.nsent ? b : t.nsent;
				t.rep[k].end = b + per < t.nsent ? b + per : t.nsent;
			}
			lmrec_par_for(t.nrep, (size_t)t.nrep, train_block, &t);
			if (!own)
				merge(&t);
		}
		double loss = 0;
		uint64_t pairs = 0;
		for (int k = 0; k < t.nrep; k++) {
			loss += t.rep[k].loss;
			pairs += t.rep[k].pairs;
		}
		m->loss = pairs ? loss / (double)pairs : 0.0;
		if (!isfinite(m->loss))
			lmrec_die(LMREC_EXIT_FAIL, "skip-gram training diverged in epoch %zu (loss %g): try a smaller --lr",
				  t.epoch + 1, m->loss);
		if (cb)
			cb(ctx, t.epoch + 1, p->epochs, m->loss);
	}
	for (int k = 0; k < t.nrep; k++) {
		m->trained += t.rep[k].tokens;
		replica_free(&t.rep[k], own);
	}
	free(t.rep);
	free(t.umin);
	free(t.umout);
	free(t.uin);
	free(t.uout);
	free(t.order);
	free(t.offset);
	free(t.sstart);
	free(t.stok);
	free(t.substart);
	free(t.subs);
	free(t.keep);
	free(t.neg.prob);
	free(t.neg.alias);
	return m;
}

void lmrec_skipgram_free(struct lmrec_skipgram *m)
{
	if (!m)
		return;
	lmrec_ids_free(m->vocab);
	free(m->in);
	free(m->out);
	free(m);
}

size_t lmrec_skipgram_word(const struct lmrec_skipgram *m, const char *w, size_t len, float *v)
{
	uint32_t *rows = NULL;
	size_t n = 0, cap = 0;
	int64_t own = lmrec_ids_find(m->vocab, w, len);
	if (own >= 0) {
		LMREC_GROW(rows, cap, 1);
		rows[n++] = (uint32_t)own;
	}
	lmrec_skipgram_ngrams(w, len, m->minn, m->maxn, m->buckets, m->nvocab, &rows, &n, &cap);
	for (size_t d = 0; d < m->dim; d++)
		v[d] = 0.0f;
	for (size_t k = 0; k < n; k++) {
		const float *r = m->in + (size_t)rows[k] * m->dim;
		for (size_t d = 0; d < m->dim; d++)
			v[d] += r[d];
	}
	for (size_t d = 0; n && d < m->dim; d++)
		v[d] /= (float)n;
	free(rows);
	return n;
}

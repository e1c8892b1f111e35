/* lmrec — behaviour sequences and sequence-model training (see seqmodel.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adam.h"
#include "mat.h"
#include "par.h"
#include "rng.h"
#include "seqmodel.h"
#include "util.h"

struct seq_row {
	uint32_t user, item;
	int64_t ts;
	size_t at; /* input order, for ties */
};

static int cmp_seq_row(const void *a, const void *b)
{
	const struct seq_row *x = a, *y = b;
	if (x->user != y->user)
		return x->user < y->user ? -1 : 1;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return (x->at > y->at) - (x->at < y->at);
}

void lmrec_seqs_build(struct lmrec_seqs *s, size_t nu, const uint32_t *user, const uint32_t *item,
		      const int64_t *ts, size_t n)
{
	struct seq_row *r = lmrec_xcalloc(n + 1, sizeof *r);
	for (size_t i = 0; i < n; i++)
		r[i] = (struct seq_row){user[i], item[i], ts[i], i};
	qsort(r, n, sizeof *r, cmp_seq_row);
	s->nu = nu;
	s->ptr = lmrec_xcalloc(nu + 1, sizeof *s->ptr);
	s->item = lmrec_xcalloc(n + 1, sizeof *s->item);
	for (size_t i = 0; i < n; i++) {
		s->ptr[r[i].user + 1]++;
		s->item[i] = r[i].item;
	}
	for (size_t u = 0; u < nu; u++)
		s->ptr[u + 1] += s->ptr[u];
	free(r);
}

void lmrec_seqs_free(struct lmrec_seqs *s)
{
	free(s->ptr);
	free(s->item);
	memset(s, 0, sizeof *s);
}

void lmrec_seqs_input(uint32_t *row, const uint32_t *items, size_t len, size_t maxlen)
{
	size_t take = len < maxlen ? len : maxlen, pad = maxlen - take;
	memset(row, 0, pad * sizeof *row);
	for (size_t j = 0; j < take; j++)
		row[pad + j] = items[len - take + j] + 1;
}

void lmrec_sasrec_scores(const struct lmrec_sasrec *m, const float *h, size_t n, float *out)
{
	size_t d = m->c.dim, ni = m->c.items;
	if (n == 0 || ni == 0)
		return;
	lmrec_sgemm_nt(n, ni, d, 1.0f, h, d, m->item + d, d, 0.0f, out, ni);
}

enum { EVAL_BLOCK = 256 };

struct eval_ctx {
	const struct lmrec_sasrec *m;
	const struct lmrec_seqs *s;
	const uint32_t *valid;
	const uint32_t *users; /* those with a valid item */
	size_t n, k;
	double *ndcg; /* (n) */
};

static void eval_users(void *arg, int thread, size_t begin, size_t end)
{
	(void)thread;
	struct eval_ctx *c = arg;
	const struct lmrec_sasrec *m = c->m;
	size_t L = m->c.maxlen, d = m->c.dim, ni = m->c.items;
	uint32_t *seq = lmrec_xcalloc(EVAL_BLOCK * L + 1, sizeof *seq);
	float *h = lmrec_xcalloc(EVAL_BLOCK * d + 1, sizeof *h);
	float *sc = lmrec_xcalloc(EVAL_BLOCK * ni + 1, sizeof *sc);
	for (size_t b0 = begin; b0 < end; b0 += EVAL_BLOCK) {
		size_t nb = end - b0 < EVAL_BLOCK ? end - b0 : EVAL_BLOCK;
		for (size_t r = 0; r < nb; r++) {
			uint32_t u = c->users[b0 + r];
			lmrec_seqs_input(seq + r * L, c->s->item + c->s->ptr[u], (size_t)(c->s->ptr[u + 1] - c->s->ptr[u]),
					 L);
		}
		lmrec_sasrec_encode(m, seq, nb, h, NULL, 1);
		lmrec_sasrec_scores(m, h, nb, sc);
		for (size_t r = 0; r < nb; r++) {
			uint32_t u = c->users[b0 + r], t = c->valid[u];
			float *row = sc + r * ni;
			for (uint64_t q = c->s->ptr[u]; q < c->s->ptr[u + 1]; q++)
				if (c->s->item[q] != t)
					row[c->s->item[q]] = -INFINITY;
			/* its rank: items scored higher, or equal with a smaller index */
			float v = row[t];
			size_t rank = 0;
			for (size_t i = 0; i < ni && rank < c->k; i++)
				rank += row[i] > v || (row[i] == v && i < t);
			c->ndcg[b0 + r] = rank < c->k ? 1.0 / log2((double)rank + 2.0) : 0.0;
		}
	}
	free(seq);
	free(h);
	free(sc);
}

double lmrec_seqtrain_ndcg(const struct lmrec_sasrec *m, const struct lmrec_seqs *s, const uint32_t *valid,
			   size_t k, int threads)
{
	if (!valid)
		return NAN;
	uint32_t *users = lmrec_xcalloc(s->nu + 1, sizeof *users);
	size_t n = 0;
	for (size_t u = 0; u < s->nu; u++)
		if (valid[u] != UINT32_MAX && valid[u] < m->c.items && s->ptr[u + 1] > s->ptr[u])
			users[n++] = (uint32_t)u;
	if (n == 0) {
		free(users);
		return NAN;
	}
	double *ndcg = lmrec_xcalloc(n + 1, sizeof *ndcg);
	struct eval_ctx c = {m, s, valid, users, n, k, ndcg};
	lmrec_par_for(threads, n, eval_users, &c);
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += ndcg[i];
	free(users);
	free(ndcg);
	return sum / (double)n;
}

double lmrec_seqtrain_run(struct lmrec_sasrec *m, const struct lmrec_seqs *s, const uint32_t *valid,
			  const struct lmrec_seqtrain *p, lmrec_seqtrain_epoch_fn on_epoch, void *ctx,
			  size_t *best_epoch)
{
	size_t L = m->c.maxlen, np = m->nparams;
	uint32_t *order = lmrec_xcalloc(s->nu + 1, sizeof *order);
	size_t nusers = 0;
	for (size_t u = 0; u < s->nu; u++)
		if (s->ptr[u + 1] - s->ptr[u] >= 2)
			order[nusers++] = (uint32_t)u;
	size_t batch = p->batch ? p->batch : 128;
	uint32_t *seq = lmrec_xcalloc(batch * L + 1, sizeof *seq), *tgt = lmrec_xcalloc(batch * L + 1, sizeof *tgt);
	float *grad = lmrec_xcalloc(np + 1, sizeof *grad), *best = lmrec_xcalloc(np + 1, sizeof *best);
	unsigned char *mask = lmrec_xcalloc(np + 1, 1);
	lmrec_sasrec_decay_mask(m, mask);
	struct lmrec_adam opt;
	lmrec_adam_init(&opt, np, p->lr, 0.9f, p->beta2 > 0 ? p->beta2 : 0.98f, 1e-9f, p->weight_decay);
	lmrec_adam_set_decay(&opt, mask);
	if (p->item_anchor) {
		float *anchor = lmrec_xcalloc(np + 1, sizeof *anchor);
		memcpy(anchor + (m->item - m->params), p->item_anchor,
		       (m->c.items + 1) * m->c.dim * sizeof *anchor);
		lmrec_adam_set_anchor(&opt, anchor);
		free(anchor);
	}
	struct lmrec_rng rng;
	lmrec_rng_seed2(&rng, p->seed, 17);
	double best_ndcg = -1;
	size_t best_at = 0, since = 0;
	memcpy(best, m->params, np * sizeof *best);
	if (p->eval_init && p->epochs > 0) {
		double ndcg = lmrec_seqtrain_ndcg(m, s, valid, p->eval_k, p->threads);
		if (!isnan(ndcg))
			best_ndcg = ndcg;
		if (p->verbose)
			fprintf(stderr, "%s: sasrec: epoch 0 (the model continued): valid NDCG@%zu %.5f\n",
				lmrec_progname(), p->eval_k, ndcg);
	}
	uint32_t *pick = p->fresh ? lmrec_xcalloc(nusers + 1, sizeof *pick) : order;
	for (size_t epoch = 1; epoch <= p->epochs; epoch++) {
		double t0 = lmrec_now(), loss_sum = 0;
		size_t steps = 0;
		lmrec_rng_shuffle_u32(&rng, order, nusers);
		size_t npick = nusers;
		if (p->fresh) { /* the users with new rows and a replay sample of the rest */
			npick = 0;
			for (size_t i = 0; i < nusers; i++) {
				double draw = lmrec_rng_double(&rng); /* drawn for every user: one stream */
				if (p->fresh[order[i]] || draw < p->replay)
					pick[npick++] = order[i];
			}
		}
		for (size_t b0 = 0; b0 < npick; b0 += batch) {
			size_t nb = npick - b0 < batch ? npick - b0 : batch;
			for (size_t r = 0; r < nb; r++) {
				uint32_t u = pick[b0 + r];
				const uint32_t *it = s->item + s->ptr[u];
				size_t len = (size_t)(s->ptr[u + 1] - s->ptr[u]);
				/* inputs: the items before the last (or before a random
				 * end, the window still full); targets: each one's next */
				size_t end = len - 1;
				if (p->random_window && end > L)
					end = L + (size_t)lmrec_rng_below(&rng, end - L + 1);
				lmrec_seqs_input(seq + r * L, it, end, L);
				lmrec_seqs_input(tgt + r * L, it + 1, end, L);
			}
			uint64_t seed = p->seed * 0x9E3779B97F4A7C15ull + epoch * 1000003ull + steps;
			loss_sum += lmrec_sasrec_loss_grad(m, seq, tgt, nb, p->loss, p->negatives, p->gbce_t, seed, 1,
							  grad, p->threads);
			lmrec_adam_step(&opt, m->params, grad);
			steps++;
		}
		double ndcg = lmrec_seqtrain_ndcg(m, s, valid, p->eval_k, p->threads);
		int improved = isnan(ndcg) || ndcg > best_ndcg;
		if (improved) {
			best_ndcg = isnan(ndcg) ? best_ndcg : ndcg;
			best_at = epoch;
			since = 0;
			memcpy(best, m->params, np * sizeof *best);
		} else {
			since++;
		}
		if (p->verbose)
			fprintf(stderr, "%s: sasrec: epoch %zu: loss %.5f, valid NDCG@%zu %.5f%s; %.2f s\n",
				lmrec_progname(), epoch, steps ? loss_sum / (double)steps : 0.0, p->eval_k, ndcg,
				improved ? " (best)" : "", lmrec_now() - t0);
		if (on_epoch)
			on_epoch(ctx, m, epoch, steps ? loss_sum / (double)steps : 0.0, ndcg, improved);
		if (p->patience && since >= p->patience)
			break;
	}
	memcpy(m->params, best, np * sizeof *best);
	if (best_epoch)
		*best_epoch = best_at;
	lmrec_adam_free(&opt);
	if (pick != order)
		free(pick);
	free(order);
	free(seq);
	free(tgt);
	free(grad);
	free(best);
	free(mask);
	return best_ndcg < 0 ? NAN : best_ndcg;
}

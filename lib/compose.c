/* lmrec — composing a list item by item: beam search under constraints. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compose.h"
#include "util.h"

/* One extension of a list of the beam by one candidate. */
struct ext {
	double score;    /* the parent's score plus gain */
	double gain, coh, seq;
	uint32_t prank;  /* the parent's place in sequence order */
	uint32_t iorder; /* the candidate's order */
	uint32_t parent, item;
};

/* A list of the beam, for sorting by sequence. */
struct seqkey {
	const uint32_t *ord; /* (len) the items' orders */
	size_t len;
	uint32_t state;
};

/* The beam's lists: two generations, each (beam, length) arrays. */
struct gen {
	uint32_t *item;  /* (beam, length) */
	uint32_t *ord;   /* (beam, length) the items' orders */
	double *gain, *coh, *seq; /* (beam, length) */
	double *score, *cost;     /* (beam) */
	size_t *len;              /* (beam) */
	size_t n;                 /* lists held */
};

struct lmrec_composer {
	size_t wcap, lcap, ncap, ccap, ecap;
	struct gen g[2];
	struct ext *ext;     /* (beam * n) */
	struct seqkey *keys; /* (beam) */
	uint32_t *prank;     /* (beam) */
	float *seqout;       /* (beam, n) */
	uint32_t *cnt;       /* (ncounters) scratch */
	unsigned char *in;   /* (n) scratch */
};

struct lmrec_composer *lmrec_composer_new(void)
{
	return lmrec_xcalloc(1, sizeof(struct lmrec_composer));
}

static void gen_free(struct gen *g)
{
	free(g->item);
	free(g->ord);
	free(g->gain);
	free(g->coh);
	free(g->seq);
	free(g->score);
	free(g->cost);
	free(g->len);
}

void lmrec_composer_free(struct lmrec_composer *k)
{
	if (!k)
		return;
	gen_free(&k->g[0]);
	gen_free(&k->g[1]);
	free(k->ext);
	free(k->keys);
	free(k->prank);
	free(k->seqout);
	free(k->cnt);
	free(k->in);
	free(k);
}

/* Grows the scratch to the problem: lists of `len` items, `beam` of them. */
static void fit(struct lmrec_composer *k, size_t beam, size_t len, size_t n, size_t ncounters)
{
	if (beam > k->wcap || len > k->lcap) {
		size_t w = beam > k->wcap ? beam : k->wcap, l = len > k->lcap ? len : k->lcap;
		for (int t = 0; t < 2; t++) {
			struct gen *g = &k->g[t];
			gen_free(g);
			g->item = lmrec_xcalloc(w * l, sizeof *g->item);
			g->ord = lmrec_xcalloc(w * l, sizeof *g->ord);
			g->gain = lmrec_xcalloc(w * l, sizeof *g->gain);
			g->coh = lmrec_xcalloc(w * l, sizeof *g->coh);
			g->seq = lmrec_xcalloc(w * l, sizeof *g->seq);
			g->score = lmrec_xcalloc(w, sizeof *g->score);
			g->cost = lmrec_xcalloc(w, sizeof *g->cost);
			g->len = lmrec_xcalloc(w, sizeof *g->len);
		}
		k->keys = lmrec_xreallocarray(k->keys, w, sizeof *k->keys);
		k->prank = lmrec_xreallocarray(k->prank, w, sizeof *k->prank);
		k->wcap = w;
		k->lcap = l;
	}
	if (n > k->ncap) {
		k->in = lmrec_xreallocarray(k->in, n, 1);
		memset(k->in, 0, n);
		k->ncap = n;
	}
	if (k->wcap * k->ncap > k->ecap) {
		k->ecap = k->wcap * k->ncap;
		k->ext = lmrec_xreallocarray(k->ext, k->ecap, sizeof *k->ext);
		k->seqout = lmrec_xreallocarray(k->seqout, k->ecap, sizeof *k->seqout);
	}
	if (ncounters > k->ccap) {
		k->cnt = lmrec_xreallocarray(k->cnt, ncounters, sizeof *k->cnt);
		memset(k->cnt, 0, ncounters * sizeof *k->cnt);
		k->ccap = ncounters;
	}
}

static int cmp_seqkey(const void *pa, const void *pb)
{
	const struct seqkey *a = pa, *b = pb;
	size_t n = a->len < b->len ? a->len : b->len;
	for (size_t j = 0; j < n; j++)
		if (a->ord[j] != b->ord[j])
			return a->ord[j] < b->ord[j] ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return a->state < b->state ? -1 : a->state > b->state;
}

/* Score descending; then the sequence: the parent's place in sequence
 * order (all parents have the same length), then the candidate's order. */
static int cmp_ext(const void *pa, const void *pb)
{
	const struct ext *a = pa, *b = pb;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	if (a->prank != b->prank)
		return a->prank < b->prank ? -1 : 1;
	return a->iorder < b->iorder ? -1 : a->iorder > b->iorder;
}

/* The coherence of candidate i after list (len items) and the context. */
static double coherence(const struct lmrec_compose *p, const uint32_t *list, size_t len, uint32_t i)
{
	size_t m = len + p->nctx;
	if (m == 0)
		return 0.0;
	double s = 0;
	for (size_t j = 0; j < len; j++)
		s += p->pair[(size_t)list[j] * p->n + i];
	for (size_t x = 0; x < p->nctx; x++)
		s += p->pair[(p->n + x) * p->n + i];
	return s / (double)m;
}

/* Appends candidate i to list s of generation g (its arrays already hold
 * the parent's items). */
static void append(const struct lmrec_compose *p, struct gen *g, size_t s, size_t L, uint32_t i, double gain,
		   double coh, double seq)
{
	size_t at = g->len[s];
	g->item[s * L + at] = i;
	g->ord[s * L + at] = p->c[i].order;
	g->gain[s * L + at] = gain;
	g->coh[s * L + at] = coh;
	g->seq[s * L + at] = seq;
	g->score[s] += gain;
	g->cost[s] += p->c[i].cost;
	g->len[s] = at + 1;
}

/* 1 when the lists of ext e (its parent's items plus e->item) and of list
 * t of generation g hold the same items. */
static int same_set(const struct gen *pg, const struct ext *e, const struct gen *g, size_t t, size_t L)
{
	size_t len = pg->len[e->parent] + 1;
	if (g->len[t] != len)
		return 0;
	const uint32_t *a = pg->item + (size_t)e->parent * L, *b = g->item + t * L;
	for (size_t x = 0; x < len; x++) {
		uint32_t v = x + 1 < len ? a[x] : e->item;
		size_t y = 0;
		while (y < len && b[y] != v)
			y++;
		if (y == len)
			return 0;
	}
	return 1;
}

/* Every feasible extension of every list of cur into k->ext; returns how
 * many. A step leaves room for the places still to fill at `ahead` each. */
static size_t extend(struct lmrec_composer *k, const struct lmrec_compose *p, const struct gen *cur, size_t step,
		     double ahead)
{
	size_t L = p->length, n = p->n, ne = 0;
	for (size_t s = 0; s < cur->n; s++) {
		const uint32_t *list = cur->item + s * L;
		size_t len = cur->len[s];
		for (size_t j = 0; j < len; j++) {
			k->in[list[j]] = 1;
			for (uint32_t q = 0; q < p->c[list[j]].ncount; q++)
				k->cnt[p->c[list[j]].count[q]]++;
		}
		int32_t want = p->cls_at ? p->cls_at[step] : -1;
		double room = p->budget - cur->cost[s] - (double)(L - step - 1) * ahead;
		for (uint32_t i = 0; i < n; i++) {
			const struct lmrec_compose_cand *c = &p->c[i];
			if (k->in[i] || (want >= 0 && c->cls != want) || c->cost > room + 1e-9)
				continue;
			uint32_t q = 0;
			while (q < c->ncount && k->cnt[c->count[q]] < p->limit[c->count[q]])
				q++;
			if (q < c->ncount)
				continue;
			double coh = coherence(p, list, len, i);
			double seq = p->seq ? k->seqout[s * n + i] : 0.0;
			double gain = c->base + coh + seq;
			k->ext[ne++] = (struct ext){cur->score[s] + gain, gain, coh, seq, 0, c->order, (uint32_t)s, i};
		}
		for (size_t j = 0; j < len; j++) {
			k->in[list[j]] = 0;
			for (uint32_t q = 0; q < p->c[list[j]].ncount; q++)
				k->cnt[p->c[list[j]].count[q]]--;
		}
	}
	return ne;
}

void lmrec_compose_run(struct lmrec_composer *k, const struct lmrec_compose *p, struct lmrec_compose_result *r)
{
	size_t L = p->length, W = p->beam, n = p->n;
	fit(k, W, L, n, p->ncounters);
	double mincost = INFINITY;
	for (size_t i = 0; i < n; i++)
		if (p->c[i].cost < mincost)
			mincost = p->c[i].cost;
	if (n == 0)
		mincost = 0;
	for (size_t x = 0; x < p->nctx_count; x++)
		k->cnt[p->ctx_count[x]]++;
	struct gen *cur = &k->g[0], *nxt = &k->g[1];
	cur->n = 1;
	cur->len[0] = 0;
	cur->score[0] = cur->cost[0] = 0;
	size_t steps = 0;
	/* the fixed prefix, taken as it is */
	for (size_t x = 0; x < p->nprefix && x < L; x++) {
		uint32_t i = p->prefix[x];
		double seq = 0;
		if (p->seq) {
			p->seq(p->seq_ctx, cur->item, L, cur->len, 1, k->seqout);
			seq = k->seqout[i];
		}
		double coh = coherence(p, cur->item, cur->len[0], i);
		append(p, cur, 0, L, i, p->c[i].base + coh + seq, coh, seq);
		steps++;
	}
	for (size_t step = cur->len[0]; step < L; step++) {
		if (p->seq)
			p->seq(p->seq_ctx, cur->item, L, cur->len, cur->n, k->seqout);
		/* the budget's look-ahead first; when it leaves nothing, the
		 * budget alone (the lists may then end short) */
		size_t ne = 0;
		for (int ahead = 1; ahead >= 0 && ne == 0; ahead--)
			ne = extend(k, p, cur, step, ahead ? mincost : 0.0);
		if (ne == 0)
			break;
		/* ties between parents go by their sequences */
		for (size_t s = 0; s < cur->n; s++)
			k->keys[s] = (struct seqkey){cur->ord + s * L, cur->len[s], (uint32_t)s};
		qsort(k->keys, cur->n, sizeof *k->keys, cmp_seqkey);
		for (size_t s = 0; s < cur->n; s++)
			k->prank[k->keys[s].state] = (uint32_t)s;
		for (size_t e = 0; e < ne; e++)
			k->ext[e].prank = k->prank[k->ext[e].parent];
		qsort(k->ext, ne, sizeof *k->ext, cmp_ext);
		nxt->n = 0;
		for (size_t e = 0; e < ne && nxt->n < W; e++) {
			const struct ext *x = &k->ext[e];
			size_t t = 0;
			if (p->unordered)
				while (t < nxt->n && !same_set(cur, x, nxt, t, L))
					t++;
			if (p->unordered && t < nxt->n)
				continue;
			size_t s = nxt->n++, ps = x->parent, plen = cur->len[ps];
			memcpy(nxt->item + s * L, cur->item + ps * L, plen * sizeof *nxt->item);
			memcpy(nxt->ord + s * L, cur->ord + ps * L, plen * sizeof *nxt->ord);
			memcpy(nxt->gain + s * L, cur->gain + ps * L, plen * sizeof *nxt->gain);
			memcpy(nxt->coh + s * L, cur->coh + ps * L, plen * sizeof *nxt->coh);
			memcpy(nxt->seq + s * L, cur->seq + ps * L, plen * sizeof *nxt->seq);
			nxt->len[s] = plen;
			nxt->score[s] = cur->score[ps];
			nxt->cost[s] = cur->cost[ps];
			append(p, nxt, s, L, x->item, x->gain, x->coh, x->seq);
		}
		struct gen *t = cur;
		cur = nxt;
		nxt = t;
		steps++;
	}
	for (size_t x = 0; x < p->nctx_count; x++)
		k->cnt[p->ctx_count[x]]--;
	r->len = cur->len[0];
	r->item = cur->item;
	r->gain = cur->gain;
	r->coh = cur->coh;
	r->seq = cur->seq;
	r->score = cur->score[0];
	r->steps = steps;
}

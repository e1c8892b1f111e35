/* Unit tests of lib/contrib.c: the contributions of every model kind
 * against lmrec_contrib_compute_ref (formulas in double over plain loops,
 * A^-1 by Gauss-Jordan, occlusion one query at a time), and against what
 * they promise of the scores of lmrec_score_block: the additive kinds sum
 * to the folded-in score (plus bpr's bias), itemknn's and ease's and the
 * occlusion kinds' are what the score loses without the item. */
#include <math.h>

#include "check.h"
#include "fixtures.h"
#include "contrib.h"
#include "crossdomain.h"
#include "csr.h"
#include "itemknn.h"
#include "recmodel.h"
#include "sasrec.h"
#include "seqmodel.h"

#define NU 12
#define NI 40
#define K 6

/* A model of the kind in memory, every user with 8 items (weights 1 to 3),
 * in time order as drawn (sasrec reads them so). */
static struct lmrec_recmodel *make_model(uint32_t kind, int fold_als, uint64_t seed)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, seed);
	struct lmrec_recmodel *m = lmrec_xcalloc(1, sizeof *m);
	m->kind = kind;
	m->nu = NU;
	m->ni = NI;
	m->users = numbered_ids("u", NU);
	m->items = numbered_ids("i", NI);
	size_t n = 0;
	uint32_t r[NU * 8], c[NU * 8];
	int64_t ts[NU * 8];
	float v[NU * 8];
	for (uint32_t u = 0; u < NU; u++)
		for (int t = 0; t < 8; t++) {
			r[n] = u;
			c[n] = (uint32_t)lmrec_rng_below(&rng, NI);
			v[n] = (float)(1 + lmrec_rng_below(&rng, 3));
			ts[n] = t;
			n++;
		}
	lmrec_csr_build(&m->seen, NU, NI, r, c, v, n, LMREC_DUP_MAX);
	switch (kind) {
	case LMREC_KIND_ITEMKNN: {
		struct lmrec_csr iu;
		lmrec_csr_transpose(&iu, &m->seen);
		lmrec_itemknn_fit(&m->nb, &m->seen, &iu, 6, 1.0, LMREC_SIM_COSINE, 1);
		lmrec_csr_free(&iu);
		break;
	}
	case LMREC_KIND_EASE:
		m->B = random_floats(&rng, NI * NI, 1.0);
		for (size_t i = 0; i < NI; i++)
			m->B[i * NI + i] = 0.0f;
		break;
	case LMREC_KIND_SASREC: {
		struct lmrec_sasrec_config cf = {NI, 8, 2, 2, 5, 16, 0.0f, 0, 0, 0};
		m->sas = lmrec_xcalloc(1, sizeof *m->sas);
		lmrec_sasrec_init(m->sas, &cf, seed);
		m->k = cf.dim;
		m->Y = m->sas->item + cf.dim;
		lmrec_seqs_build(&m->seq, NU, r, c, ts, n);
		break;
	}
	default:
		m->k = K;
		m->X = random_floats(&rng, NU * K, 1.0);
		m->Y = random_floats(&rng, NI * K, 1.0);
		if (kind == LMREC_KIND_BPR)
			m->bias = random_floats(&rng, NI, 0.5);
		m->reg = 0.75;
		m->alpha = 2.5;
		m->fold_als = fold_als;
	}
	return m;
}

static void free_model(struct lmrec_recmodel *m)
{
	if (m->sas) {
		m->Y = NULL;
		lmrec_seqs_free(&m->seq);
	}
	lmrec_recmodel_free(m);
}

/* The query of user u: the model's own (known) or folded in, weights
 * from the seen matrix or all 1. */
static void query_of(const struct lmrec_recmodel *m, size_t u, int fold_in, int weighted,
		     struct lmrec_user_query *q)
{
	memset(q, 0, sizeof *q);
	q->user = (int64_t)u;
	q->fold_in = fold_in;
	q->hist = m->seen.idx + m->seen.ptr[u];
	q->w = weighted ? m->seen.val + m->seen.ptr[u] : NULL;
	q->n = (size_t)(m->seen.ptr[u + 1] - m->seen.ptr[u]);
}

/* |a - b| within tol of the larger magnitude (and of 1e-6) */
static int near(double a, double b, double tol)
{
	double scale = fabs(a) > fabs(b) ? fabs(a) : fabs(b);
	return fabs(a - b) <= tol * (scale > 1e-2 ? scale : 1e-2);
}

static size_t all_items(uint32_t *items)
{
	for (uint32_t i = 0; i < NI; i++)
		items[i] = i;
	return NI;
}

/* compute against compute_ref for every user, both weightings and both
 * ways of scoring known users */
static void check_against_ref(const struct lmrec_recmodel *m, int64_t from, int64_t to)
{
	uint32_t items[NI];
	size_t ni = all_items(items);
	struct lmrec_contrib *c = lmrec_contrib_new(m);
	lmrec_contrib_domains(c, from, to);
	float *a = lmrec_xcalloc(NI * 8 + 1, sizeof *a), *b = lmrec_xcalloc(NI * 8 + 1, sizeof *b);
	size_t bad = 0;
	for (size_t u = 0; u < NU; u++)
		for (int mode = 0; mode < 4; mode++) {
			struct lmrec_user_query q;
			query_of(m, u, mode & 1, mode >> 1, &q);
			lmrec_contrib_compute(c, &q, items, ni, a);
			lmrec_contrib_compute_ref(m, from, to, &q, items, ni, b);
			for (size_t x = 0; x < ni * q.n; x++)
				if (!(isnan(a[x]) && isnan(b[x])) && !near(a[x], b[x], 1e-4) && bad++ < 5)
					printf("# %s user %zu mode %d: a[%zu] %.9g, ref %.9g\n", lmrec_kind_name(m->kind), u,
					       mode, x, a[x], b[x]);
		}
	CHECK_U64(bad, 0);
	free(a);
	free(b);
	lmrec_contrib_free(c);
}

/* The scores lmrec_score_block gives q (out (NI)). */
static void score_of(const struct lmrec_recmodel *m, int64_t from, int64_t to,
		     const struct lmrec_user_query *q, float *out)
{
	struct lmrec_scorer *s = lmrec_scorer_new(m, 1);
	lmrec_scorer_domains(s, from, to);
	lmrec_score_block(s, q, 1, out);
	lmrec_scorer_free(s);
}

/* The additive kinds: the contributions (plus the bias) sum to the
 * folded-in score. */
static void check_sums(const struct lmrec_recmodel *m)
{
	uint32_t items[NI];
	size_t ni = all_items(items);
	struct lmrec_contrib *c = lmrec_contrib_new(m);
	float a[NI * 8], s[NI];
	size_t bad = 0;
	for (size_t u = 0; u < NU; u++)
		for (int weighted = 0; weighted < 2; weighted++) {
			struct lmrec_user_query q;
			query_of(m, u, 1, weighted, &q);
			lmrec_contrib_compute(c, &q, items, ni, a);
			score_of(m, -1, -1, &q, s);
			for (size_t t = 0; t < ni; t++) {
				double sum = m->bias ? m->bias[t] : 0.0;
				for (size_t j = 0; j < q.n; j++)
					sum += a[t * q.n + j];
				if (!near(sum, s[t], 1e-4) && bad++ < 5)
					printf("# %s user %zu item %zu: sum %.9g, score %.9g\n", lmrec_kind_name(m->kind), u,
					       t, sum, s[t]);
			}
		}
	CHECK_U64(bad, 0);
	lmrec_contrib_free(c);
}

/* Each contribution is what the score loses without the item (itemknn,
 * ease, and the occlusion kinds by definition). */
static void check_leave_one_out(const struct lmrec_recmodel *m, int64_t from, int64_t to)
{
	uint32_t items[NI];
	size_t ni = all_items(items);
	struct lmrec_contrib *c = lmrec_contrib_new(m);
	lmrec_contrib_domains(c, from, to);
	float a[NI * 8], s[NI], s2[NI], w2[8];
	uint32_t h2[8];
	size_t bad = 0, checked = 0;
	for (size_t u = 0; u < NU; u++) {
		struct lmrec_user_query q;
		query_of(m, u, !m->sas, 1, &q); /* sasrec: the model's sequence */
		lmrec_contrib_compute(c, &q, items, ni, a);
		score_of(m, from, to, &q, s);
		for (size_t j = 0; j < q.n; j++) {
			struct lmrec_user_query o = q;
			size_t l = 0, ls = 0;
			uint32_t seq[8];
			for (size_t p = 0; p < q.n; p++)
				if (p != j) {
					h2[l] = q.hist[p];
					w2[l++] = q.w[p];
				}
			o.hist = h2;
			o.w = w2;
			o.n = l;
			if (m->sas) { /* the sequence without the item */
				for (uint64_t p = m->seq.ptr[u]; p < m->seq.ptr[u + 1]; p++)
					if (m->seq.item[p] != q.hist[j])
						seq[ls++] = m->seq.item[p];
				o.seq = seq;
				o.nseq = ls;
				o.fold_in = 1;
			}
			score_of(m, from, to, &o, s2);
			for (size_t t = 0; t < ni; t++) {
				if (isnan(s[t]))
					continue;
				double want = isnan(s2[t]) ? fabs(s[t]) : (double)s[t] - s2[t];
				checked++;
				if (!near(a[t * q.n + j], want, 1e-4) && bad++ < 5)
					printf("# %s user %zu item %zu without %u: %.9g, lost %.9g\n",
					       lmrec_kind_name(m->kind), u, t, q.hist[j], a[t * q.n + j], want);
			}
		}
	}
	CHECK(checked > 0);
	CHECK_U64(bad, 0);
	lmrec_contrib_free(c);
}

static void test_itemknn(void)
{
	struct lmrec_recmodel *m = make_model(LMREC_KIND_ITEMKNN, 0, 1);
	check_against_ref(m, -1, -1);
	check_sums(m);
	check_leave_one_out(m, -1, -1);
	free_model(m);
}

static void test_ease(void)
{
	struct lmrec_recmodel *m = make_model(LMREC_KIND_EASE, 0, 2);
	check_against_ref(m, -1, -1);
	check_sums(m);
	check_leave_one_out(m, -1, -1);
	free_model(m);
}

static void test_semantic(void)
{
	struct lmrec_recmodel *m = make_model(LMREC_KIND_SEMANTIC, 0, 3);
	check_against_ref(m, -1, -1);
	check_sums(m);
	free_model(m);
}

static void test_bpr_and_align_mean(void)
{
	struct lmrec_recmodel *m = make_model(LMREC_KIND_BPR, 0, 4);
	check_against_ref(m, -1, -1);
	check_sums(m);
	free_model(m);
	m = make_model(LMREC_KIND_ALIGN, 0, 5);
	check_against_ref(m, -1, -1);
	check_sums(m);
	free_model(m);
}

static void test_als_and_align_als(void)
{
	struct lmrec_recmodel *m = make_model(LMREC_KIND_ALS, 1, 6);
	check_against_ref(m, -1, -1);
	check_sums(m);
	free_model(m);
	m = make_model(LMREC_KIND_ALIGN, 1, 7);
	check_against_ref(m, -1, -1);
	check_sums(m);
	free_model(m);
}

static void test_sasrec(void)
{
	struct lmrec_recmodel *m = make_model(LMREC_KIND_SASREC, 0, 8);
	check_against_ref(m, -1, -1);
	check_leave_one_out(m, -1, -1);
	/* an item only before the window (maxlen 5 of 8) contributes 0 */
	uint32_t items[NI];
	size_t ni = all_items(items), zero = 0, outside = 0;
	struct lmrec_contrib *c = lmrec_contrib_new(m);
	float a[NI * 8];
	for (size_t u = 0; u < NU; u++) {
		struct lmrec_user_query q;
		query_of(m, u, 0, 0, &q);
		lmrec_contrib_compute(c, &q, items, ni, a);
		const uint32_t *s = m->seq.item + m->seq.ptr[u];
		size_t len = (size_t)(m->seq.ptr[u + 1] - m->seq.ptr[u]);
		for (size_t j = 0; j < q.n; j++) {
			int in = 0;
			for (size_t p = len - 5; p < len; p++)
				in |= s[p] == q.hist[j];
			if (in)
				continue;
			outside++;
			for (size_t t = 0; t < ni; t++)
				zero += a[t * q.n + j] == 0.0f;
		}
	}
	CHECK(outside > 0);
	CHECK_U64(zero, outside * ni);
	lmrec_contrib_free(c);
	free_model(m);
}

static void test_popular(void)
{
	struct lmrec_recmodel *m = make_model(LMREC_KIND_POPULAR, 0, 9);
	m->pop = lmrec_xcalloc(NI, sizeof *m->pop);
	uint32_t items[NI];
	size_t ni = all_items(items);
	struct lmrec_contrib *c = lmrec_contrib_new(m);
	float a[NI * 8];
	struct lmrec_user_query q;
	query_of(m, 3, 0, 1, &q);
	a[0] = 1.0f;
	lmrec_contrib_compute(c, &q, items, ni, a);
	size_t zero = 0;
	for (size_t x = 0; x < ni * q.n; x++)
		zero += a[x] == 0.0f;
	CHECK_U64(zero, ni * q.n);
	lmrec_contrib_free(c);
	free_model(m);
}

/* crossdomain: three domains, links and maps fitted on the seen matrix */
static void test_crossdomain(void)
{
	struct lmrec_recmodel *m = make_model(LMREC_KIND_SEMANTIC, 0, 10); /* for its ids, seen and Y */
	struct lmrec_xdom *x = &m->xd;
	m->kind = LMREC_KIND_CROSSDOMAIN;
	x->ni = NI;
	x->ndom = 3;
	x->domain = lmrec_xcalloc(NI, sizeof *x->domain);
	for (size_t i = 0; i < NI; i++)
		x->domain[i] = (uint32_t)(i % 3);
	x->shrink = 2;
	x->lambda = 1;
	x->w_co = 1;
	x->w_sem = 0.5;
	x->users_of = lmrec_xcalloc(NI, sizeof *x->users_of);
	x->prior = lmrec_xcalloc(NI, sizeof *x->prior);
	struct lmrec_csr iu;
	lmrec_csr_transpose(&iu, &m->seen);
	lmrec_xdom_fit(x, x->users_of, x->prior, &m->seen, &iu, 5, 1);
	lmrec_csr_free(&iu);
	x->k = K;
	x->Y = m->Y;
	m->Y = NULL;
	CHECK_INT(lmrec_xdom_fit_maps(x, &m->seen), 0);
	m->k = 0;
	check_against_ref(m, -1, -1);
	check_leave_one_out(m, -1, -1);
	check_against_ref(m, 1, 0);
	check_leave_one_out(m, 1, 0);
	lmrec_recmodel_free(m);
}

int main(void)
{
	CHECK_RUN(test_itemknn);
	CHECK_RUN(test_ease);
	CHECK_RUN(test_semantic);
	CHECK_RUN(test_bpr_and_align_mean);
	CHECK_RUN(test_als_and_align_als);
	CHECK_RUN(test_sasrec);
	CHECK_RUN(test_popular);
	CHECK_RUN(test_crossdomain);
	return check_done();
}

/* Unit tests of lib/recmodel.c: a model of each kind written and read
 * back (every section), its scores from lmrec_score_block against a naive
 * loop written here (in double, fold-in solved by Gaussian elimination),
 * lmrec_contribution, and the refusals of the reader (exit 65) of models
 * whose sections do not fit. */
#include <math.h>

#include "als.h"
#include "check.h"
#include "fixtures.h"
#include "csr.h"
#include "itemknn.h"
#include "recmodel.h"

/* A trained model of the kind, in memory (owning its arrays). */
static struct lmrec_recmodel *make_model(uint32_t kind, size_t nu, size_t ni, size_t k, uint64_t seed)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, seed);
	struct lmrec_recmodel *m = lmrec_xcalloc(1, sizeof *m);
	m->kind = kind;
	m->nu = nu;
	m->ni = ni;
	m->users = numbered_ids("u", nu);
	m->items = numbered_ids("i", ni);
	/* the seen matrix: a few items per user, some weighted, user 1 none */
	size_t cap = nu * 6 + 1, n = 0;
	uint32_t *r = lmrec_xcalloc(cap, sizeof *r), *c = lmrec_xcalloc(cap, sizeof *c);
	float *v = lmrec_xcalloc(cap, sizeof *v);
	for (uint32_t u = 0; u < nu; u++)
		for (int t = 0; t < 6 && u != 1; t++) {
			r[n] = u;
			c[n] = (uint32_t)lmrec_rng_below(&rng, ni);
			v[n] = (float)(1 + lmrec_rng_below(&rng, 3));
			n++;
		}
	lmrec_csr_build(&m->seen, nu, ni, r, c, v, n, LMREC_DUP_SUM);
	free(r);
	free(c);
	free(v);
	switch (kind) {
	case LMREC_KIND_POPULAR:
		m->pop = random_floats(&rng, ni, 100.0);
		break;
	case LMREC_KIND_ITEMKNN: {
		struct lmrec_csr iu;
		lmrec_csr_transpose(&iu, &m->seen);
		lmrec_itemknn_fit(&m->nb, &m->seen, &iu, 4, 1.0, LMREC_SIM_COSINE, 1);
		lmrec_csr_free(&iu);
		break;
	}
	case LMREC_KIND_EASE:
		m->B = random_floats(&rng, ni * ni, 1.0);
		for (size_t i = 0; i < ni; i++)
			m->B[i * ni + i] = 0.0f;
		break;
	default:
		m->k = k;
		m->X = random_floats(&rng, nu * k, 1.0);
		m->Y = random_floats(&rng, ni * k, 1.0);
		if (kind == LMREC_KIND_BPR) {
			m->bias = random_floats(&rng, ni, 0.5);
		} else {
			m->reg = 0.75;
			m->alpha = 2.5;
			m->cg_steps = 3;
		}
	}
	return m;
}

static int same_ids(const struct lmrec_ids *a, const struct lmrec_ids *b)
{
	if (lmrec_ids_count(a) != lmrec_ids_count(b))
		return 0;
	for (uint32_t i = 0; i < lmrec_ids_count(a); i++) {
		size_t la, lb;
		const char *sa = lmrec_ids_str(a, i, &la), *sb = lmrec_ids_str(b, i, &lb);
		if (la != lb || memcmp(sa, sb, la) != 0)
			return 0;
	}
	return 1;
}

static int same_csr(const struct lmrec_csr *a, const struct lmrec_csr *b)
{
	if (a->rows != b->rows || a->cols != b->cols ||
	    memcmp(a->ptr, b->ptr, (a->rows + 1) * sizeof *a->ptr) != 0)
		return 0;
	uint64_t nnz = lmrec_csr_nnz(a);
	return memcmp(a->idx, b->idx, nnz * sizeof *a->idx) == 0 &&
	       memcmp(a->val, b->val, nnz * sizeof *a->val) == 0;
}

static void check_same_model(const struct lmrec_recmodel *a, const struct lmrec_recmodel *b)
{
	CHECK_U64(b->kind, a->kind);
	CHECK_U64(b->nu, a->nu);
	CHECK_U64(b->ni, a->ni);
	CHECK_U64(b->k, a->k);
	CHECK(same_ids(a->users, b->users));
	CHECK(same_ids(a->items, b->items));
	CHECK(same_csr(&a->seen, &b->seen));
	size_t ni = a->ni, nu = a->nu, k = a->k;
	switch (a->kind) {
	case LMREC_KIND_POPULAR:
		CHECK(b->pop && memcmp(a->pop, b->pop, ni * sizeof *a->pop) == 0);
		break;
	case LMREC_KIND_ITEMKNN:
		CHECK(same_csr(&a->nb, &b->nb));
		break;
	case LMREC_KIND_EASE:
		CHECK(b->B && memcmp(a->B, b->B, ni * ni * sizeof *a->B) == 0);
		break;
	default:
		CHECK(b->X && memcmp(a->X, b->X, nu * k * sizeof *a->X) == 0);
		CHECK(b->Y && memcmp(a->Y, b->Y, ni * k * sizeof *a->Y) == 0);
		if (a->kind == LMREC_KIND_BPR) {
			CHECK(b->bias && memcmp(a->bias, b->bias, ni * sizeof *a->bias) == 0);
		} else {
			CHECK(b->bias == NULL);
			CHECK(b->reg == a->reg && b->alpha == a->alpha && b->cg_steps == a->cg_steps);
		}
	}
}

/* Solves A x = b (k, k) in double by Gaussian elimination with partial
 * pivoting; b becomes x. */
static void gauss_solve(double *A, double *b, size_t k)
{
	for (size_t c = 0; c < k; c++) {
		size_t piv = c;
		for (size_t r = c + 1; r < k; r++)
			if (fabs(A[r * k + c]) > fabs(A[piv * k + c]))
				piv = r;
		for (size_t j = 0; j < k; j++) {
			double t = A[c * k + j];
			A[c * k + j] = A[piv * k + j];
			A[piv * k + j] = t;
		}
		double t = b[c];
		b[c] = b[piv];
		b[piv] = t;
		for (size_t r = c + 1; r < k; r++) {
			double f = A[r * k + c] / A[c * k + c];
			for (size_t j = c; j < k; j++)
				A[r * k + j] -= f * A[c * k + j];
			b[r] -= f * b[c];
		}
	}
	for (size_t c = k; c-- > 0;) {
		double s = b[c];
		for (size_t j = c + 1; j < k; j++)
			s -= A[c * k + j] * b[j];
		b[c] = s / A[c * k + c];
	}
}

/* The scores of query q over every item, the naive way, in double. */
static void naive_scores(const struct lmrec_recmodel *m, const struct lmrec_user_query *q, double *out)
{
	size_t ni = m->ni, k = m->k;
	for (size_t i = 0; i < ni; i++)
		out[i] = 0;
	switch (m->kind) {
	case LMREC_KIND_POPULAR:
		for (size_t i = 0; i < ni; i++)
			out[i] = m->pop[i];
		return;
	case LMREC_KIND_ITEMKNN:
	case LMREC_KIND_EASE:
		/* the sum over the history of (weight times) the rows */
		for (size_t j = 0; j < q->n; j++) {
			double w = q->w ? q->w[j] : 1.0;
			for (size_t i = 0; i < ni; i++) {
				double s = 0;
				if (m->kind == LMREC_KIND_EASE)
					s = m->B[(size_t)q->hist[j] * ni + i];
				else
					for (uint64_t p = m->nb.ptr[q->hist[j]]; p < m->nb.ptr[q->hist[j] + 1]; p++)
						if (m->nb.idx[p] == i)
							s = m->nb.val[p];
				out[i] += w * s;
			}
		}
		return;
	default:
		break;
	}
	double *x = lmrec_xcalloc(k + 1, sizeof *x);
	if (q->user >= 0 && !q->fold_in) {
		for (size_t f = 0; f < k; f++)
			x[f] = m->X[(size_t)q->user * k + f];
	} else if (q->n > 0 && m->kind == LMREC_KIND_ALS) {
		/* (Y^T Y + reg I + sum alpha w y y^T) x = sum (1 + alpha w) y */
		double *A = lmrec_xcalloc(k * k + 1, sizeof *A);
		for (size_t i = 0; i < ni; i++)
			for (size_t a = 0; a < k; a++)
				for (size_t b = 0; b < k; b++)
					A[a * k + b] += (double)m->Y[i * k + a] * m->Y[i * k + b];
		for (size_t a = 0; a < k; a++)
			A[a * k + a] += m->reg;
		for (size_t j = 0; j < q->n; j++) {
			double c = m->alpha * (q->w ? q->w[j] : 1.0);
			const float *y = m->Y + (size_t)q->hist[j] * k;
			for (size_t a = 0; a < k; a++) {
				x[a] += (1 + c) * y[a];
				for (size_t b = 0; b < k; b++)
					A[a * k + b] += c * y[a] * y[b];
			}
		}
		gauss_solve(A, x, k);
		free(A);
	} else if (q->n > 0) { /* bpr: the mean of the history's vectors */
		for (size_t j = 0; j < q->n; j++)
			for (size_t f = 0; f < k; f++)
				x[f] += m->Y[(size_t)q->hist[j] * k + f];
		for (size_t f = 0; f < k; f++)
			x[f] /= (double)q->n;
	}
	for (size_t i = 0; i < ni; i++) {
		double s = m->bias ? m->bias[i] : 0.0;
		for (size_t f = 0; f < k; f++)
			s += x[f] * m->Y[i * k + f];
		out[i] = s;
	}
	free(x);
}

/* Largest |got - want| relative to the largest |want| (1 at least). */
static double score_diff(const struct lmrec_recmodel *m, const struct lmrec_user_query *q, size_t n,
			 size_t block)
{
	size_t ni = m->ni;
	struct lmrec_scorer *s = lmrec_scorer_new(m, block);
	float *out = lmrec_xcalloc(n * ni + 1, sizeof *out);
	double *want = lmrec_xcalloc(ni + 1, sizeof *want), worst = 0;
	for (size_t b = 0; b < n; b += block) {
		size_t nb = n - b < block ? n - b : block;
		lmrec_score_block(s, q + b, nb, out + b * ni);
	}
	for (size_t r = 0; r < n; r++) {
		naive_scores(m, &q[r], want);
		double d = 0, scale = 1;
		for (size_t i = 0; i < ni; i++) {
			double e = fabs(out[r * ni + i] - want[i]);
			d = e > d || isnan(e) ? e : d;
			scale = fabs(want[i]) > scale ? fabs(want[i]) : scale;
		}
		worst = d / scale > worst || isnan(d) ? d / scale : worst;
	}
	/* the user vector of a factor model is the one scored with */
	if (m->k && n) {
		float *x = lmrec_xcalloc(m->k, sizeof *x);
		lmrec_user_vector(s, &q[n - 1], x);
		double d = 0;
		for (size_t i = 0; i < ni; i++) {
			double t = m->bias ? m->bias[i] : 0.0;
			for (size_t f = 0; f < m->k; f++)
				t += (double)x[f] * m->Y[i * m->k + f];
			d = fabs(t - out[(n - 1) * ni + i]) > d ? fabs(t - out[(n - 1) * ni + i]) : d;
		}
		worst = d > worst ? d : worst;
		free(x);
	}
	lmrec_scorer_free(s);
	free(out);
	free(want);
	return worst;
}

/* Queries of every sort: known users with their history (weighted), a
 * known user folded in, unknown users with and without history, the user
 * who has seen nothing. */
enum { NQ = 7 };

static size_t make_queries(const struct lmrec_recmodel *m, struct lmrec_user_query *q,
			   uint32_t *hist, float *w)
{
	const struct lmrec_csr *sn = &m->seen;
	size_t n = 0;
	for (int64_t u = 0; u < 3; u++) {
		uint64_t b = sn->ptr[u];
		q[n++] = (struct lmrec_user_query){.user = u, .hist = sn->idx + b, .w = sn->val + b, .n = sn->ptr[u + 1] - b, .fold_in = 0};
	}
	q[n++] = (struct lmrec_user_query){.user = 2, .hist = sn->idx + sn->ptr[2], .w = NULL, .n = sn->ptr[3] - sn->ptr[2], .fold_in = 1};
	hist[0] = 0;
	hist[1] = (uint32_t)(m->ni / 2);
	hist[2] = (uint32_t)(m->ni - 1);
	w[0] = 1.0f;
	w[1] = 0.5f;
	w[2] = 3.0f;
	q[n++] = (struct lmrec_user_query){.user = -1, .hist = hist, .w = w, .n = 3, .fold_in = 0};
	q[n++] = (struct lmrec_user_query){.user = -1, .hist = hist, .w = NULL, .n = 2, .fold_in = 1};
	q[n++] = (struct lmrec_user_query){.user = -1, .hist = hist, .w = NULL, .n = 0, .fold_in = 0};
	return n;
}

static void test_round_trip_and_scores(void)
{
	check_tmpdir();
	static const uint32_t kinds[] = {LMREC_KIND_POPULAR, LMREC_KIND_ITEMKNN, LMREC_KIND_EASE,
					 LMREC_KIND_ALS, LMREC_KIND_BPR};
	/* factor models past 4096 items: scored in blocks of items */
	static const size_t nis[] = {50, 60, 40, 4100, 4101};
	for (size_t t = 0; t < 5; t++) {
		struct lmrec_recmodel *m = make_model(kinds[t], 9, nis[t], 5, 80 + t);
		char *path = lmrec_xasprintf("%s.lmrc", lmrec_kind_name(kinds[t]));
		/* extra params ride along */
		struct lmrec_model *extra = lmrec_model_new(kinds[t]);
		lmrec_model_set_param(extra, "note", "%s", "unit");
		lmrec_recmodel_write(m, extra, path);
		struct lmrec_recmodel *r = lmrec_recmodel_read(path, kinds[t]);
		check_same_model(m, r);
		size_t len;
		const char *v = lmrec_model_param(r->file, "note", &len);
		CHECK(v && len == 4 && memcmp(v, "unit", 4) == 0);
		struct lmrec_user_query q[NQ];
		uint32_t hist[3];
		float w[3];
		size_t nq = make_queries(r, q, hist, w);
		CHECK_U64(nq, NQ);
		/* in blocks of 3 (a partial block last) and one at a time */
		double d = score_diff(r, q, nq, 3), d1 = score_diff(r, q, nq, 1), dm = score_diff(m, q, nq, 4);
		printf("# %s: worst relative score difference %.3g\n", lmrec_kind_name(kinds[t]), d);
		CHECK(d < 1e-5 && d1 < 1e-5 && dm < 1e-5);
		/* any kind is accepted as ANY */
		struct lmrec_recmodel *any = lmrec_recmodel_read(path, LMREC_KIND_ANY);
		CHECK_U64(any->kind, kinds[t]);
		lmrec_recmodel_free(any);
		lmrec_recmodel_free(r);
		lmrec_recmodel_free(m);
		free(path);
	}
	lmrec_recmodel_free(NULL);
}

static void test_contribution(void)
{
	static const uint32_t kinds[] = {LMREC_KIND_POPULAR, LMREC_KIND_ITEMKNN, LMREC_KIND_EASE,
					 LMREC_KIND_ALS, LMREC_KIND_BPR};
	size_t bad = 0;
	for (size_t t = 0; t < 5; t++) {
		struct lmrec_recmodel *m = make_model(kinds[t], 8, 30, 4, 90 + t);
		for (uint32_t h = 0; h < 30; h++)
			for (uint32_t i = 0; i < 30; i++) {
				double want = 0;
				if (m->kind == LMREC_KIND_ITEMKNN) {
					for (uint64_t p = m->nb.ptr[h]; p < m->nb.ptr[h + 1]; p++)
						if (m->nb.idx[p] == i)
							want = m->nb.val[p];
				} else if (m->kind == LMREC_KIND_EASE) {
					want = m->B[h * 30 + i];
				} else if (m->k) {
					double dot = 0, na = 0, nb = 0;
					for (size_t f = 0; f < m->k; f++) {
						dot += (double)m->Y[h * m->k + f] * m->Y[i * m->k + f];
						na += (double)m->Y[h * m->k + f] * m->Y[h * m->k + f];
						nb += (double)m->Y[i * m->k + f] * m->Y[i * m->k + f];
					}
					want = dot / sqrt(na * nb);
				}
				bad += fabs(lmrec_contribution(m, h, i) - want) > 1e-6;
			}
		lmrec_recmodel_free(m);
	}
	CHECK_U64(bad, 0);
}

/* ---- refusals ---- */

/* Writes a model of the kind from m with one thing spoilt. */
enum spoil {
	SPOIL_NONE,
	SPOIL_EASE_SHAPE,   /* B of (ni, ni - 1) */
	SPOIL_POP_LENGTH,   /* popularity of ni + 1 */
	SPOIL_USER_K,       /* user factors with k + 1 columns */
	SPOIL_NB_INDEX,     /* a neighbour index = ni */
	SPOIL_NB_UNSORTED,  /* a neighbour row out of order */
	SPOIL_SEEN_PTR,     /* seen_ptr decreasing */
	SPOIL_SEEN_LENGTH,  /* seen_ptr of nu entries */
	SPOIL_NO_REG,       /* als without its reg param */
	SPOIL_NOT_COLLAB,   /* a model of another kind */
	SPOIL_ZERO_K,       /* factor models of 0 factors */
	SPOIL_CG_STEPS      /* als with cg_steps=-1 */
};

static void add_csr(struct lmrec_model *f, const char *prefix, const struct lmrec_csr *c, size_t rows)
{
	char name[LMREC_MODEL_NAME];
	uint64_t n1 = rows + 1, nnz = lmrec_csr_nnz(c);
	snprintf(name, sizeof name, "%s_ptr", prefix);
	lmrec_model_add(f, name, LMREC_DT_U64, 1, &n1, c->ptr);
	snprintf(name, sizeof name, "%s_idx", prefix);
	lmrec_model_add(f, name, LMREC_DT_U32, 1, &nnz, c->idx);
	snprintf(name, sizeof name, "%s_val", prefix);
	lmrec_model_add(f, name, LMREC_DT_F32, 1, &nnz, c->val);
}

static void write_spoilt(const char *path, uint32_t kind, enum spoil how)
{
	struct lmrec_recmodel *m = make_model(kind, 6, 12, how == SPOIL_ZERO_K ? 0 : 3, 7);
	size_t nu = m->nu, ni = m->ni, k = m->k;
	/* the spoilt arrays first, large enough for their spoilt shapes */
	if (kind == LMREC_KIND_POPULAR) {
		m->pop = lmrec_xreallocarray(m->pop, ni + 1, sizeof *m->pop);
		m->pop[ni] = 0.0f;
	}
	if (how == SPOIL_USER_K) {
		m->X = lmrec_xreallocarray(m->X, nu * (k + 1), sizeof *m->X);
		memset(m->X + nu * k, 0, nu * sizeof *m->X);
	}
	if (how == SPOIL_SEEN_PTR) {
		CHECK(m->seen.ptr[2] > 0);
		m->seen.ptr[3] = m->seen.ptr[2] - 1;
	}
	if (how == SPOIL_NB_INDEX)
		m->nb.idx[lmrec_csr_nnz(&m->nb) - 1] = (uint32_t)ni;
	if (how == SPOIL_NB_UNSORTED) {
		uint64_t p = m->nb.ptr[0];
		CHECK(m->nb.ptr[1] - p >= 2);
		uint32_t t = m->nb.idx[p];
		m->nb.idx[p] = m->nb.idx[p + 1];
		m->nb.idx[p + 1] = t;
	}
	struct lmrec_model *f = lmrec_model_new(how == SPOIL_NOT_COLLAB ? LMREC_KIND_TEST : kind);
	lmrec_model_add_ids(f, "users", m->users);
	lmrec_model_add_ids(f, "items", m->items);
	add_csr(f, "seen", &m->seen, how == SPOIL_SEEN_LENGTH ? nu - 1 : nu);
	uint64_t npop = ni + (how == SPOIL_POP_LENGTH);
	switch (kind) {
	case LMREC_KIND_POPULAR:
		lmrec_model_add(f, "popularity", LMREC_DT_F32, 1, &npop, m->pop);
		break;
	case LMREC_KIND_ITEMKNN:
		add_csr(f, "neighbours", &m->nb, ni);
		break;
	case LMREC_KIND_EASE:
		lmrec_model_add_f32(f, "B", ni, ni - (how == SPOIL_EASE_SHAPE), m->B);
		break;
	default:
		lmrec_model_add_f32(f, "user_factors", nu, k + (how == SPOIL_USER_K), m->X);
		lmrec_model_add_f32(f, "item_factors", ni, k, m->Y);
		if (kind == LMREC_KIND_BPR)
			lmrec_model_add(f, "item_bias", LMREC_DT_F32, 1, &npop, m->bias);
		if (kind == LMREC_KIND_ALS) {
			if (how != SPOIL_NO_REG)
				lmrec_model_set_param(f, "reg", "%.17g", m->reg);
			lmrec_model_set_param(f, "alpha", "%.17g", m->alpha);
			if (how == SPOIL_CG_STEPS)
				lmrec_model_set_param(f, "cg_steps", "%d", -1);
			else
				lmrec_model_set_param(f, "cg_steps", "%zu", m->cg_steps);
		}
	}
	lmrec_model_write(f, path);
	lmrec_model_free(f);
	lmrec_recmodel_free(m);
}

static void child_read(void *arg)
{
	lmrec_recmodel_free(lmrec_recmodel_read((const char *)arg, LMREC_KIND_ANY));
}

static void test_refusals(void)
{
	check_tmpdir();
	static const struct {
		uint32_t kind;
		enum spoil how;
		const char *msg;
	} cases[] = {
		{LMREC_KIND_EASE, SPOIL_NONE, ""},
		{LMREC_KIND_ALS, SPOIL_NONE, ""},
		{LMREC_KIND_ITEMKNN, SPOIL_NONE, ""},
		{LMREC_KIND_EASE, SPOIL_EASE_SHAPE,
		 "recmodel: bad.lmrc: section 'B' has 11 in dimension 1, expected 12"},
		{LMREC_KIND_POPULAR, SPOIL_POP_LENGTH,
		 "recmodel: bad.lmrc: section 'popularity' has 13 in dimension 0, expected 12"},
		{LMREC_KIND_ALS, SPOIL_USER_K,
		 "recmodel: bad.lmrc: section 'user_factors' has 4 in dimension 1, expected 3"},
		{LMREC_KIND_BPR, SPOIL_USER_K,
		 "recmodel: bad.lmrc: section 'user_factors' has 4 in dimension 1, expected 3"},
		{LMREC_KIND_ITEMKNN, SPOIL_NB_INDEX,
		 "recmodel: bad.lmrc: section 'neighbours_idx' is out of range or unsorted"},
		{LMREC_KIND_ITEMKNN, SPOIL_NB_UNSORTED,
		 "recmodel: bad.lmrc: section 'neighbours_idx' is out of range or unsorted"},
		{LMREC_KIND_EASE, SPOIL_SEEN_PTR, "recmodel: bad.lmrc: section 'seen_ptr' is not increasing"},
		{LMREC_KIND_EASE, SPOIL_SEEN_LENGTH,
		 "recmodel: bad.lmrc: section 'seen_ptr' has 6 in dimension 0, expected 7"},
		{LMREC_KIND_ALS, SPOIL_NO_REG, "recmodel: bad.lmrc: parameter 'reg' is missing or not a number"},
		{LMREC_KIND_EASE, SPOIL_NOT_COLLAB,
		 "recmodel: bad.lmrc: model kind 'test' is not a collaborative model"},
		{LMREC_KIND_ALS, SPOIL_ZERO_K,
		 "recmodel: bad.lmrc: section 'item_factors' has 0 in dimension 1, expected at least 1"},
		{LMREC_KIND_BPR, SPOIL_ZERO_K,
		 "recmodel: bad.lmrc: section 'item_factors' has 0 in dimension 1, expected at least 1"},
		{LMREC_KIND_ALS, SPOIL_CG_STEPS,
		 "recmodel: bad.lmrc: parameter 'cg_steps' is missing or not a whole number"},
	};
	char err[512];
	for (size_t t = 0; t < sizeof cases / sizeof *cases; t++) {
		write_spoilt("bad.lmrc", cases[t].kind, cases[t].how);
		int st = check_child(child_read, "bad.lmrc", err, sizeof err);
		int want = cases[t].how == SPOIL_NONE ? 0 : 65;
		if (st != want || strcmp(err, cases[t].msg) != 0)
			printf("# case %zu: status %d, '%s'\n", t, st, err);
		CHECK_INT(st, want);
		CHECK_STR(err, cases[t].msg);
	}
}

int main(void)
{
	lmrec_setprogname("recmodel");
	CHECK_RUN(test_round_trip_and_scores);
	CHECK_RUN(test_contribution);
	CHECK_RUN(test_refusals);
	return check_done();
}

/* Unit tests of lib/itemknn.c against a brute-force dense computation:
 * for every item, the similarity to every other item it shares a user
 * with (cosine with shrinkage, or co-occurrence), the k best by
 * similarity with ties to the smaller index, stored sorted by index; the
 * same bytes with 1 and 2 threads. */
#include <math.h>

#include "check.h"
#include "csr.h"
#include "itemknn.h"

struct cand {
	uint32_t item;
	float sim;
};

static int by_sim(const void *pa, const void *pb)
{
	const struct cand *a = pa, *b = pb;
	if (a->sim != b->sim)
		return a->sim > b->sim ? -1 : 1;
	return a->item < b->item ? -1 : a->item > b->item;
}

static int by_item(const void *pa, const void *pb)
{
	const struct cand *a = pa, *b = pb;
	return a->item < b->item ? -1 : a->item > b->item;
}

/* Number of differences between nb and the brute force. */
static size_t brute_diff(const struct lmrec_csr *nb, const struct lmrec_csr *ui, size_t k,
			 double shrink, enum lmrec_sim sim)
{
	size_t nu = ui->rows, ni = ui->cols, bad = 0;
	unsigned char *X = lmrec_xcalloc(nu * ni + 1, 1); /* binary: values ignored */
	for (size_t u = 0; u < nu; u++)
		for (uint64_t p = ui->ptr[u]; p < ui->ptr[u + 1]; p++)
			X[u * ni + ui->idx[p]] = 1;
	double *n = lmrec_xcalloc(ni + 1, sizeof *n);
	for (size_t u = 0; u < nu; u++)
		for (size_t i = 0; i < ni; i++)
			n[i] += X[u * ni + i];
	struct cand *c = lmrec_xcalloc(ni + 1, sizeof *c);
	if (nb->rows != ni || nb->cols != ni || nb->ptr[0] != 0)
		bad++;
	for (size_t i = 0; i < ni && !bad; i++) {
		size_t nc = 0;
		for (size_t j = 0; j < ni; j++) {
			if (j == i)
				continue;
			double both = 0;
			for (size_t u = 0; u < nu; u++)
				both += X[u * ni + i] && X[u * ni + j];
			if (both == 0)
				continue; /* no user in common: not a neighbour */
			double s = sim == LMREC_SIM_COSINE ? both / (sqrt(n[i] * n[j]) + shrink)
							   : both / (n[i] + shrink);
			c[nc++] = (struct cand){(uint32_t)j, (float)s};
		}
		qsort(c, nc, sizeof *c, by_sim);
		size_t keep = nc < k ? nc : k;
		qsort(c, keep, sizeof *c, by_item);
		uint64_t b = nb->ptr[i], e = nb->ptr[i + 1];
		if (e - b != keep) {
			bad++;
			continue;
		}
		for (size_t t = 0; t < keep; t++)
			bad += nb->idx[b + t] != c[t].item ||
			       !check_same_bits(&nb->val[b + t], &c[t].sim, sizeof(float));
	}
	free(X);
	free(n);
	free(c);
	return bad;
}

static void random_ui(struct lmrec_csr *ui, struct lmrec_rng *rng, size_t nu, size_t ni,
		      double density)
{
	uint32_t *r = lmrec_xcalloc(nu * ni * 2 + 1, sizeof *r);
	uint32_t *c = lmrec_xcalloc(nu * ni * 2 + 1, sizeof *c);
	float *v = lmrec_xcalloc(nu * ni * 2 + 1, sizeof *v);
	size_t n = 0;
	for (uint32_t u = 0; u < nu; u++)
		for (uint32_t i = 0; i < ni; i++)
			/* popular items are denser; some repeats, some weights */
			if (lmrec_rng_double(rng) < density * (i % 5 == 0 ? 3 : 1)) {
				size_t times = 1 + (lmrec_rng_below(rng, 8) == 0);
				for (size_t t = 0; t < times; t++) {
					r[n] = u;
					c[n] = i;
					v[n] = (float)(1 + lmrec_rng_below(rng, 5));
					n++;
				}
			}
	lmrec_csr_build(ui, nu, ni, r, c, v, n, LMREC_DUP_SUM);
	free(r);
	free(c);
	free(v);
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

static void test_against_brute_force(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 71);
	static const double shrinks[] = {0.0, 1.0, 10.0, 0.5};
	size_t bad = 0, bad_threads = 0, cases = 0, truncated = 0;
	for (int t = 0; t < 60; t++) {
		struct lmrec_csr ui, iu;
		size_t nu = (size_t)lmrec_rng_below(&rng, 40), ni = (size_t)lmrec_rng_below(&rng, 50);
		random_ui(&ui, &rng, nu, ni, 0.03 + 0.2 * lmrec_rng_double(&rng));
		lmrec_csr_transpose(&iu, &ui);
		size_t k = t % 7 == 0 ? 0 : t % 7 == 1 ? 1 : t % 7 == 2 ? ni + 2 : 1 + (size_t)lmrec_rng_below(&rng, 8);
		for (int sim = LMREC_SIM_COSINE; sim <= LMREC_SIM_COOCCURRENCE; sim++) {
			double shrink = shrinks[t % 4];
			struct lmrec_csr a, b;
			lmrec_itemknn_fit(&a, &ui, &iu, k, shrink, (enum lmrec_sim)sim, 1);
			lmrec_itemknn_fit(&b, &ui, &iu, k, shrink, (enum lmrec_sim)sim, 2);
			size_t d = brute_diff(&a, &ui, k, shrink, (enum lmrec_sim)sim);
			if (d && bad < 5)
				printf("# nu=%zu ni=%zu k=%zu shrink=%g sim=%d: %zu differences\n", nu, ni, k,
				       shrink, sim, d);
			bad += d;
			bad_threads += !same_csr(&a, &b);
			for (size_t i = 0; i < ni; i++)
				truncated += k && a.ptr[i + 1] - a.ptr[i] == k;
			lmrec_csr_free(&a);
			lmrec_csr_free(&b);
			cases++;
		}
		lmrec_csr_free(&ui);
		lmrec_csr_free(&iu);
	}
	CHECK_U64(bad, 0);
	CHECK_U64(bad_threads, 0);
	CHECK_U64(cases, 120);
	CHECK(truncated > 200); /* many rows had more candidates than k */
}

/* Ties: items 1..4 all share exactly one user with item 0 and have one
 * user each: equal similarities, so the smaller indices win. */
static void test_ties_pinned(void)
{
	uint32_t r[] = {0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
	uint32_t c[] = {0, 4, 0, 3, 0, 2, 0, 1, 5, 0, 6};
	size_t n = sizeof r / sizeof *r;
	struct lmrec_csr ui, iu, nb;
	lmrec_csr_build(&ui, 5, 7, r, c, NULL, n, LMREC_DUP_ONE);
	lmrec_csr_transpose(&iu, &ui);
	lmrec_itemknn_fit(&nb, &ui, &iu, 3, 0.0, LMREC_SIM_COSINE, 1);
	/* item 0 has 5 users; items 1-4 one each (sim 1/sqrt 5), 5 and 6 one
	 * each shared with 0 (also 1/sqrt 5): the 3 best are 1, 2, 3 */
	CHECK_U64(nb.ptr[1] - nb.ptr[0], 3);
	CHECK(nb.idx[0] == 1 && nb.idx[1] == 2 && nb.idx[2] == 3);
	CHECK(nb.val[0] == (float)(1.0 / sqrt(5.0)));
	/* item 5 and 6 share user 4 with each other and with 0: sim(5, 6) =
	 * 1 > sim(5, 0) = 1/sqrt 5, and stored by index: 0 then 6 */
	CHECK_U64(nb.ptr[6] - nb.ptr[5], 2);
	CHECK(nb.idx[nb.ptr[5]] == 0 && nb.idx[nb.ptr[5] + 1] == 6);
	CHECK(nb.val[nb.ptr[5] + 1] == 1.0f);
	lmrec_csr_free(&nb);
	/* co-occurrence with shrink 1: |i and j| / (|i| + 1): 1/6 from 0 */
	lmrec_itemknn_fit(&nb, &ui, &iu, 10, 1.0, LMREC_SIM_COOCCURRENCE, 2);
	CHECK_U64(nb.ptr[1], 6);
	for (size_t t = 0; t < 6; t++)
		CHECK(nb.val[t] == (float)(1.0 / 6.0) && nb.idx[t] == t + 1);
	/* the other way, item 1: 1 / (1 + 1) */
	CHECK(nb.ptr[2] - nb.ptr[1] == 1 && nb.idx[nb.ptr[1]] == 0 && nb.val[nb.ptr[1]] == 0.5f);
	lmrec_csr_free(&nb);
	lmrec_csr_free(&ui);
	lmrec_csr_free(&iu);
}

int main(void)
{
	lmrec_setprogname("itemknn");
	CHECK_RUN(test_against_brute_force);
	CHECK_RUN(test_ties_pinned);
	return check_done();
}

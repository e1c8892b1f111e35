/* lmrec — item-based nearest neighbours (see itemknn.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "itemknn.h"
#include "par.h"
#include "topk.h"
#include "util.h"

struct knn_ctx {
	const struct lmrec_csr *ui, *iu;
	size_t k;
	double shrink;
	enum lmrec_sim sim;
	uint32_t *nb_idx; /* (items, k) */
	float *nb_sim;    /* (items, k) */
	uint32_t *nb_n;   /* (items) */
};

struct pair {
	uint32_t item;
	float sim;
};

static int cmp_pair(const void *a, const void *b)
{
	uint32_t x = ((const struct pair *)a)->item, y = ((const struct pair *)b)->item;
	return x < y ? -1 : x > y;
}

static void knn_rows(void *arg, int thread, size_t begin, size_t end)
{
	(void)thread;
	struct knn_ctx *c = arg;
	size_t ni = c->iu->rows;
	uint32_t *count = lmrec_xcalloc(ni + 1, sizeof *count); /* co-occurrence counts */
	uint32_t *touched = lmrec_xcalloc(ni + 1, sizeof *touched);
	struct lmrec_topk top;
	lmrec_topk_init(&top, c->k);
	struct pair *pairs = lmrec_xcalloc(c->k + 1, sizeof *pairs);
	for (size_t i = begin; i < end; i++) {
		size_t nt = 0;
		for (uint64_t p = c->iu->ptr[i]; p < c->iu->ptr[i + 1]; p++) {
			uint32_t u = c->iu->idx[p];
			for (uint64_t q = c->ui->ptr[u]; q < c->ui->ptr[u + 1]; q++) {
				uint32_t j = c->ui->idx[q];
				if (count[j]++ == 0)
					touched[nt++] = j;
			}
		}
		double ni_users = (double)(c->iu->ptr[i + 1] - c->iu->ptr[i]);
		lmrec_topk_reset(&top);
		for (size_t t = 0; t < nt; t++) {
			uint32_t j = touched[t];
			if (j != i) {
				double nj = (double)(c->iu->ptr[j + 1] - c->iu->ptr[j]);
				double s = c->sim == LMREC_SIM_COSINE ? count[j] / (sqrt(ni_users * nj) + c->shrink)
								     : count[j] / (ni_users + c->shrink);
				lmrec_topk_push(&top, j, (float)s);
			}
			count[j] = 0;
		}
		/* store sorted by item index: scoring walks rows in order */
		size_t n = lmrec_topk_sort(&top);
		for (size_t t = 0; t < n; t++)
			pairs[t] = (struct pair){top.idx[t], top.score[t]};
		qsort(pairs, n, sizeof *pairs, cmp_pair);
		for (size_t t = 0; t < n; t++) {
			c->nb_idx[i * c->k + t] = pairs[t].item;
			c->nb_sim[i * c->k + t] = pairs[t].sim;
		}
		c->nb_n[i] = (uint32_t)n;
	}
	lmrec_topk_free(&top);
	free(pairs);
	free(count);
	free(touched);
}

void lmrec_itemknn_fit(struct lmrec_csr *nb, const struct lmrec_csr *ui, const struct lmrec_csr *iu,
		       size_t k, double shrink, enum lmrec_sim sim, int threads)
{
	size_t ni = iu->rows;
	if (k && ni > SIZE_MAX / k / sizeof(float))
		lmrec_die(LMREC_EXIT_FAIL, "item-kNN: too many items for %zu neighbours", k);
	struct knn_ctx c = {ui, iu, k, shrink, sim, lmrec_xcalloc(ni * k + 1, sizeof(uint32_t)),
			    lmrec_xcalloc(ni * k + 1, sizeof(float)), lmrec_xcalloc(ni + 1, sizeof(uint32_t))};
	lmrec_par_for(threads, ni, knn_rows, &c);
	/* compact into a CSR */
	nb->rows = nb->cols = ni;
	nb->ptr = lmrec_xcalloc(ni + 1, sizeof *nb->ptr);
	for (size_t i = 0; i < ni; i++)
		nb->ptr[i + 1] = nb->ptr[i] + c.nb_n[i];
	uint64_t nnz = nb->ptr[ni];
	nb->idx = lmrec_xcalloc(nnz + 1, sizeof *nb->idx);
	nb->val = lmrec_xcalloc(nnz + 1, sizeof *nb->val);
	for (size_t i = 0; i < ni; i++) {
		memcpy(nb->idx + nb->ptr[i], c.nb_idx + i * k, c.nb_n[i] * sizeof *nb->idx);
		memcpy(nb->val + nb->ptr[i], c.nb_sim + i * k, c.nb_n[i] * sizeof *nb->val);
	}
	free(c.nb_idx);
	free(c.nb_sim);
	free(c.nb_n);
}

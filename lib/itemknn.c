/* lmrec — item-based nearest neighbours (see itemknn.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "itemknn.h"
#include "par.h"
#include "topk.h"
#include "util.h"

struct knn_ctx {
	const struct lmrec_csr *ui, *iu; /* from interactions */
	const struct lmrec_gram *C;      /* or from co-occurrence counts */
	const double *users_of;          /* (items) n_i */
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

/* Item i's k best neighbours among the items js (nt of them, any order)
 * that share cs users with it, stored sorted by item index (scoring walks
 * rows in order). */
static void keep_neighbours(struct knn_ctx *c, size_t i, const uint32_t *js, const double *cs, size_t nt,
			    struct lmrec_topk *top, struct pair *pairs)
{
	double ni_users = c->users_of[i];
	lmrec_topk_reset(top);
	for (size_t t = 0; t < nt; t++) {
		uint32_t j = js[t];
		if (j == i)
			continue;
		double nj = c->users_of[j];
		double s = c->sim == LMREC_SIM_COSINE ? cs[t] / (sqrt(ni_users * nj) + c->shrink)
						     : cs[t] / (ni_users + c->shrink);
		lmrec_topk_push(top, j, (float)s);
	}
	size_t n = lmrec_topk_sort(top);
	for (size_t t = 0; t < n; t++)
		pairs[t] = (struct pair){top->idx[t], top->score[t]};
	qsort(pairs, n, sizeof *pairs, cmp_pair);
	for (size_t t = 0; t < n; t++) {
		c->nb_idx[i * c->k + t] = pairs[t].item;
		c->nb_sim[i * c->k + t] = pairs[t].sim;
	}
	c->nb_n[i] = (uint32_t)n;
}

static void knn_rows(void *arg, int thread, size_t begin, size_t end)
{
	(void)thread;
	struct knn_ctx *c = arg;
	size_t ni = c->C ? c->C->n : c->iu->rows;
	uint32_t *count = NULL, *touched = NULL; /* co-occurrence counts */
	double *cs = NULL;
	if (!c->C) {
		count = lmrec_xcalloc(ni + 1, sizeof *count);
		touched = lmrec_xcalloc(ni + 1, sizeof *touched);
		cs = lmrec_xcalloc(ni + 1, sizeof *cs);
	}
	struct lmrec_topk top;
	lmrec_topk_init(&top, c->k);
	struct pair *pairs = lmrec_xcalloc(c->k + 1, sizeof *pairs);
	for (size_t i = begin; i < end; i++) {
		if (c->C) {
			uint64_t b = c->C->ptr[i];
			keep_neighbours(c, i, c->C->idx + b, c->C->val + b, c->C->ptr[i + 1] - b, &top, pairs);
			continue;
		}
		size_t nt = 0;
		for (uint64_t p = c->iu->ptr[i]; p < c->iu->ptr[i + 1]; p++) {
			uint32_t u = c->iu->idx[p];
			for (uint64_t q = c->ui->ptr[u]; q < c->ui->ptr[u + 1]; q++) {
				uint32_t j = c->ui->idx[q];
				if (count[j]++ == 0)
					touched[nt++] = j;
			}
		}
		for (size_t t = 0; t < nt; t++) {
			cs[t] = count[touched[t]];
			count[touched[t]] = 0;
		}
		keep_neighbours(c, i, touched, cs, nt, &top, pairs);
	}
	lmrec_topk_free(&top);
	free(pairs);
	free(count);
	free(touched);
	free(cs);
}

/* Runs the rows and compacts the neighbours into a CSR. */
static void knn_run(struct knn_ctx *c, struct lmrec_csr *nb, size_t ni, int threads)
{
	size_t k = c->k;
	if (k && ni > SIZE_MAX / k / sizeof(float))
		lmrec_die(LMREC_EXIT_FAIL, "item-kNN: too many items for %zu neighbours", k);
	c->nb_idx = lmrec_xcalloc(ni * k + 1, sizeof(uint32_t));
	c->nb_sim = lmrec_xcalloc(ni * k + 1, sizeof(float));
	c->nb_n = lmrec_xcalloc(ni + 1, sizeof(uint32_t));
	lmrec_par_for(threads, ni, knn_rows, c);
	nb->rows = nb->cols = ni;
	nb->ptr = lmrec_xcalloc(ni + 1, sizeof *nb->ptr);
	for (size_t i = 0; i < ni; i++)
		nb->ptr[i + 1] = nb->ptr[i] + c->nb_n[i];
	uint64_t nnz = nb->ptr[ni];
	nb->idx = lmrec_xcalloc(nnz + 1, sizeof *nb->idx);
	nb->val = lmrec_xcalloc(nnz + 1, sizeof *nb->val);
	for (size_t i = 0; i < ni; i++) {
		memcpy(nb->idx + nb->ptr[i], c->nb_idx + i * k, c->nb_n[i] * sizeof *nb->idx);
		memcpy(nb->val + nb->ptr[i], c->nb_sim + i * k, c->nb_n[i] * sizeof *nb->val);
	}
	free(c->nb_idx);
	free(c->nb_sim);
	free(c->nb_n);
}

void lmrec_itemknn_fit(struct lmrec_csr *nb, const struct lmrec_csr *ui, const struct lmrec_csr *iu,
		       size_t k, double shrink, enum lmrec_sim sim, int threads)
{
	size_t ni = iu->rows;
	double *users_of = lmrec_xcalloc(ni + 1, sizeof *users_of);
	for (size_t i = 0; i < ni; i++)
		users_of[i] = (double)(iu->ptr[i + 1] - iu->ptr[i]);
	struct knn_ctx c = {ui, iu, NULL, users_of, k, shrink, sim, NULL, NULL, NULL};
	knn_run(&c, nb, ni, threads);
	free(users_of);
}

void lmrec_itemknn_fit_gram(struct lmrec_csr *nb, const struct lmrec_gram *C, size_t k, double shrink,
			    enum lmrec_sim sim, int threads)
{
	/* n_i is the diagonal: the users of item i */
	double *users_of = lmrec_xcalloc(C->n + 1, sizeof *users_of);
	for (size_t i = 0; i < C->n; i++)
		for (uint64_t p = C->ptr[i]; p < C->ptr[i + 1]; p++)
			if (C->idx[p] == i)
				users_of[i] = C->val[p];
	struct knn_ctx c = {NULL, NULL, C, users_of, k, shrink, sim, NULL, NULL, NULL};
	knn_run(&c, nb, C->n, threads);
	free(users_of);
}

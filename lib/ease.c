/* lmrec — EASE (see ease.h). */
#include <stdlib.h>
#include <string.h>

#include "ease.h"
#include "mat.h"
#include "par.h"
#include "util.h"

struct gram_ctx {
	double *G;
	const struct lmrec_csr *ui;
	size_t n;
};

/* Each thread owns the rows [begin, end) of G and scans every user: an
 * entry is only ever added to by one thread, in user order. */
static void gram_rows(void *arg, int thread, size_t begin, size_t end)
{
	(void)thread;
	struct gram_ctx *c = arg;
	const struct lmrec_csr *m = c->ui;
	for (size_t u = 0; u < m->rows; u++) {
		uint64_t b = m->ptr[u], e = m->ptr[u + 1];
		for (uint64_t p = b; p < e; p++) {
			uint32_t i = m->idx[p];
			if (i < begin || i >= end)
				continue;
			double wi = m->val[p];
			double *row = c->G + (size_t)i * c->n;
			for (uint64_t q = b; q < e; q++)
				row[m->idx[q]] += wi * m->val[q];
		}
	}
}

void lmrec_ease_gram(double *G, const struct lmrec_csr *ui, int threads)
{
	size_t n = ui->cols;
	memset(G, 0, n * n * sizeof *G);
	struct gram_ctx c = {G, ui, n};
	lmrec_par_for(threads, n, gram_rows, &c);
}

int lmrec_ease_fit(float *B, const struct lmrec_csr *ui, double lambda, int threads)
{
	return lmrec_ease_fit_side(B, ui, NULL, lambda, threads);
}

int lmrec_ease_fit_side(float *B, const struct lmrec_csr *ui, const struct lmrec_csr *side, double lambda,
			int threads)
{
	size_t n = ui->cols;
	if (n && n > SIZE_MAX / sizeof(double) / n)
		lmrec_die(LMREC_EXIT_FAIL, "EASE over %zu items needs too much memory", n);
	double *P = lmrec_xmalloc(n * n * sizeof *P + 1); /* (n, n) */
	lmrec_ease_gram(P, ui, threads);
	int rc = lmrec_ease_fit_gram(B, P, side, n, lambda, threads);
	free(P);
	return rc;
}

int lmrec_ease_fit_gram(float *B, double *P, const struct lmrec_csr *side, size_t n, double lambda,
			int threads)
{
	if (side) {
		/* the feature rows are more rows of X: their products add up */
		struct gram_ctx c = {P, side, n};
		lmrec_par_for(threads, n, gram_rows, &c);
	}
	for (size_t i = 0; i < n; i++)
		P[i * n + i] += lambda;
	lmrec_blas_threads(threads);
	if (lmrec_spd_inverse(P, n) != 0)
		return -1;
	/* B_ij = -P_ij / P_jj off the diagonal. */
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			B[i * n + j] = i == j ? 0.0f : (float)(-P[i * n + j] / P[j * n + j]);
	return 0;
}

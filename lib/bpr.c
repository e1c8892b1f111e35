/* lmrec — BPR-MF (see bpr.h). */
#include <math.h>
#include <stdlib.h>

#include "bpr.h"
#include "rng.h"
#include "util.h"

double lmrec_bpr_triple(const float *xu, const float *yi, const float *yj, float bi, float bj,
			size_t k, float *gxu, float *gyi, float *gyj, float *gbi, float *gbj)
{
	double x = (double)bi - bj;
	for (size_t f = 0; f < k; f++)
		x += (double)xu[f] * ((double)yi[f] - yj[f]);
	/* d/dx ln sigmoid(x) = sigmoid(-x); ln sigmoid computed stably */
	double g = 1.0 / (1.0 + exp(x));
	double ll = x >= 0 ? -log1p(exp(-x)) : x - log1p(exp(x));
	for (size_t f = 0; f < k; f++) {
		gxu[f] = (float)(g * ((double)yi[f] - yj[f]));
		gyi[f] = (float)(g * xu[f]);
		gyj[f] = (float)(-g * xu[f]);
	}
	*gbi = (float)g;
	*gbj = (float)-g;
	return ll;
}

static int has_item(const struct lmrec_csr *m, size_t u, uint32_t j)
{
	uint64_t lo = m->ptr[u], hi = m->ptr[u + 1];
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (m->idx[mid] < j)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->ptr[u + 1] && m->idx[lo] == j;
}

void lmrec_bpr_fit(float *X, float *Y, float *bias, const struct lmrec_csr *ui,
		   const struct lmrec_bpr_params *p,
		   void (*progress)(void *ctx, size_t epoch, double objective), void *ctx)
{
	size_t k = p->factors, ni = ui->cols;
	uint64_t nnz = lmrec_csr_nnz(ui);
	if (nnz == 0 || ni < 2)
		return;
	/* the user of each observed pair, to draw pairs uniformly */
	uint32_t *pair_user = lmrec_xcalloc(nnz, sizeof *pair_user);
	for (size_t u = 0; u < ui->rows; u++)
		for (uint64_t q = ui->ptr[u]; q < ui->ptr[u + 1]; q++)
			pair_user[q] = (uint32_t)u;
	float *gx = lmrec_xcalloc(k, sizeof *gx), *gi = lmrec_xcalloc(k, sizeof *gi);
	float *gj = lmrec_xcalloc(k, sizeof *gj);
	struct lmrec_rng rng;
	lmrec_rng_seed2(&rng, p->seed, 2);
	float lr = (float)p->lr, reg = (float)p->reg;
	for (size_t epoch = 0; epoch < p->epochs; epoch++) {
		double obj = 0;
		for (uint64_t s = 0; s < nnz; s++) {
			uint64_t q = lmrec_rng_below(&rng, nnz);
			uint32_t u = pair_user[q], i = ui->idx[q], j;
			uint64_t have = ui->ptr[u + 1] - ui->ptr[u];
			if (have >= ni)
				continue; /* the user has every item: no negative */
			do
				j = (uint32_t)lmrec_rng_below(&rng, ni);
			while (has_item(ui, u, j));
			float *xu = X + (size_t)u * k, *yi = Y + (size_t)i * k, *yj = Y + (size_t)j * k;
			float gbi, gbj;
			obj += lmrec_bpr_triple(xu, yi, yj, bias[i], bias[j], k, gx, gi, gj, &gbi, &gbj);
			for (size_t f = 0; f < k; f++) {
				float xf = xu[f];
				xu[f] += lr * (gx[f] - reg * xf);
				yi[f] += lr * (gi[f] - reg * yi[f]);
				yj[f] += lr * (gj[f] - reg * yj[f]);
			}
			bias[i] += lr * (gbi - reg * bias[i]);
			bias[j] += lr * (gbj - reg * bias[j]);
		}
		obj /= (double)nnz;
		if (!isfinite(obj))
			lmrec_die(LMREC_EXIT_FAIL, "BPR diverged at epoch %zu (lower --lr)", epoch + 1);
		if (progress)
			progress(ctx, epoch + 1, obj);
	}
	free(pair_user);
	free(gx);
	free(gi);
	free(gj);
}

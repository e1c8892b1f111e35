/* lmrec — PCA whitening (see whiten.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "linalg.h"
#include "util.h"
#include "whiten.h"

void lmrec_whiten_fit(struct lmrec_whiten *w, const float *X, size_t n, size_t d, size_t max_dims,
		      double floor)
{
	memset(w, 0, sizeof *w);
	w->d = d;
	w->mean = lmrec_xcalloc(d + 1, sizeof *w->mean);
	w->P = lmrec_xmalloc((d * d + 1) * sizeof *w->P);
	w->eig = lmrec_xmalloc((d + 1) * sizeof *w->eig);
	if (n == 0 || d == 0)
		return;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < d; j++)
			w->mean[j] += X[i * d + j];
	for (size_t j = 0; j < d; j++)
		w->mean[j] /= (double)n;
	double *Xc = lmrec_xmalloc(n * d * sizeof *Xc), *C = lmrec_xmalloc(d * d * sizeof *C);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < d; j++)
			Xc[i * d + j] = X[i * d + j] - w->mean[j];
	lmrec_gram_d(C, Xc, n, d);
	for (size_t j = 0; j < d * d; j++)
		C[j] /= (double)n;
	double *val = lmrec_xmalloc(d * sizeof *val), *Z = lmrec_xmalloc(d * d * sizeof *Z);
	if (lmrec_sym_eigen(C, d, val, Z) != 0)
		lmrec_die(LMREC_EXIT_FAIL, "the eigen-decomposition of the whitening did not converge");
	for (size_t k = 0; k < d; k++)
		w->total += val[k] > 0 ? val[k] : 0.0;
	size_t r = 0;
	while (r < d && (max_dims == 0 || r < max_dims) && val[r] > 0 && val[r] > floor * val[0])
		r++;
	w->r = r;
	for (size_t k = 0; k < r; k++) {
		w->eig[k] = val[k];
		double s = 1.0 / sqrt(val[k]);
		for (size_t j = 0; j < d; j++)
			w->P[k * d + j] = Z[k * d + j] * s;
	}
	free(Xc);
	free(C);
	free(val);
	free(Z);
}

void lmrec_whiten_apply(const struct lmrec_whiten *w, const float *x, double *z)
{
	for (size_t k = 0; k < w->r; k++) {
		const double *p = w->P + k * w->d;
		double s = 0;
		for (size_t j = 0; j < w->d; j++)
			s += p[j] * ((double)x[j] - w->mean[j]);
		z[k] = s;
	}
}

void lmrec_whiten_free(struct lmrec_whiten *w)
{
	free(w->mean);
	free(w->P);
	free(w->eig);
	memset(w, 0, sizeof *w);
}

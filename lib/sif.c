/* lmrec — SIF composition of item vectors (see sif.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "linalg.h"
#include "sif.h"
#include "util.h"

size_t lmrec_sif_mean(float *V, unsigned char *has, const struct lmrec_corpus *c, const float *wv,
		      const unsigned char *known, size_t dim, double a)
{
	size_t ni = lmrec_corpus_items(c), nw = lmrec_corpus_words(c), with = 0;
	double total = (double)c->ntokens;
	double *weight = lmrec_xmalloc((nw + 1) * sizeof *weight);
	for (size_t w = 0; w < nw; w++)
		weight[w] = lmrec_sif_weight(a, (double)c->count[w] / total);
	double *acc = lmrec_xmalloc((dim + 1) * sizeof *acc);
	for (size_t i = 0; i < ni; i++) {
		memset(acc, 0, dim * sizeof *acc);
		size_t n = 0;
		for (uint64_t t = c->start[i]; t < c->start[i + 1]; t++) {
			uint32_t w = c->tok[t];
			if (known && !known[w])
				continue;
			const float *v = wv + (size_t)w * dim;
			for (size_t d = 0; d < dim; d++)
				acc[d] += weight[w] * v[d];
			n++;
		}
		float *out = V + i * dim;
		for (size_t d = 0; d < dim; d++)
			out[d] = n ? (float)(acc[d] / (double)n) : 0.0f;
		has[i] = n > 0;
		with += n > 0;
	}
	free(weight);
	free(acc);
	return with;
}

void lmrec_remove_pc(float *V, const unsigned char *has, size_t n, size_t dim, size_t npc, double *dirs)
{
	if (npc == 0 || dim == 0)
		return;
	if (npc > dim)
		npc = dim;
	/* M = sum over rows of v v^T, accumulated in double */
	double *M = lmrec_xcalloc(dim * dim, sizeof *M);
	double *row = lmrec_xmalloc(dim * sizeof *row);
	for (size_t i = 0; i < n; i++) {
		if (has && !has[i])
			continue;
		const float *v = V + i * dim;
		for (size_t a = 0; a < dim; a++)
			row[a] = v[a];
		for (size_t a = 0; a < dim; a++)
			for (size_t b = a; b < dim; b++)
				M[a * dim + b] += row[a] * row[b];
	}
	double *w = lmrec_xmalloc(dim * sizeof *w), *Z = lmrec_xmalloc(dim * dim * sizeof *Z);
	if (lmrec_sym_eigen(M, dim, w, Z) != 0)
		lmrec_die(LMREC_EXIT_FAIL, "the eigen-decomposition of the common component did not converge");
	for (size_t i = 0; i < n; i++) {
		if (has && !has[i])
			continue;
		float *v = V + i * dim;
		for (size_t a = 0; a < dim; a++)
			row[a] = v[a];
		for (size_t k = 0; k < npc; k++) {
			const double *u = Z + k * dim;
			double p = 0;
			for (size_t a = 0; a < dim; a++)
				p += u[a] * v[a];
			for (size_t a = 0; a < dim; a++)
				row[a] -= p * u[a];
		}
		for (size_t a = 0; a < dim; a++)
			v[a] = (float)row[a];
	}
	if (dirs)
		memcpy(dirs, Z, npc * dim * sizeof *dirs);
	free(M);
	free(row);
	free(w);
	free(Z);
}

size_t lmrec_l2_normalize_rows(float *V, size_t n, size_t dim)
{
	size_t zero = 0;
	for (size_t i = 0; i < n; i++) {
		float *v = V + i * dim;
		double s = 0;
		for (size_t d = 0; d < dim; d++)
			s += (double)v[d] * v[d];
		if (s > 0) {
			double inv = 1.0 / sqrt(s);
			for (size_t d = 0; d < dim; d++)
				v[d] = (float)(v[d] * inv);
		} else {
			zero++;
		}
	}
	return zero;
}

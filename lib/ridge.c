/* lmrec — ridge regression and its cross-validation (see ridge.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "linalg.h"
#include "ridge.h"
#include "util.h"

static int bi(size_t x)
{
	if (x > (size_t)0x7fffffff)
		lmrec_die(LMREC_EXIT_FAIL, "matrix dimension %zu is too large for BLAS", x);
	return (int)x;
}

/* Means of the columns of A (n, m) into mu (m). */
static void col_means(double *mu, const double *A, size_t n, size_t m)
{
	memset(mu, 0, m * sizeof *mu);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < m; j++)
			mu[j] += A[i * m + j];
	for (size_t j = 0; n && j < m; j++)
		mu[j] /= (double)n;
}

/* The centred normal equations: G (p, p) = Xc^T Xc, R (p, k) = Xc^T Yc. */
static void normal_equations(double *G, double *R, double *mx, double *my, const double *X,
			     const double *Y, size_t n, size_t p, size_t k)
{
	col_means(mx, X, n, p);
	col_means(my, Y, n, k);
	double *Xc = lmrec_xmalloc((n * p + 1) * sizeof *Xc), *Yc = lmrec_xmalloc((n * k + 1) * sizeof *Yc);
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < p; j++)
			Xc[i * p + j] = X[i * p + j] - mx[j];
		for (size_t j = 0; j < k; j++)
			Yc[i * k + j] = Y[i * k + j] - my[j];
	}
	lmrec_gram_d(G, Xc, n, p);
	if (n == 0)
		memset(R, 0, p * k * sizeof *R);
	else if (p && k)
		cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, bi(p), bi(k), bi(n), 1.0, Xc, bi(p), Yc,
			    bi(k), 0.0, R, bi(k));
	free(Xc);
	free(Yc);
}

/* W from G, R and lambda (G, R kept); b from the means. */
static int solve(double *W, double *b, const double *G, const double *R, const double *mx,
		 const double *my, size_t p, size_t k, double lambda,
		 int (*spd)(double *, double *, size_t, size_t))
{
	double *A = lmrec_xmalloc((p * p + 1) * sizeof *A);
	memcpy(A, G, p * p * sizeof *A);
	for (size_t j = 0; j < p; j++)
		A[j * p + j] += lambda;
	memcpy(W, R, p * k * sizeof *W);
	int rc = spd(A, W, p, k);
	free(A);
	for (size_t j = 0; j < k; j++) {
		double s = my[j];
		for (size_t q = 0; q < p; q++)
			s -= mx[q] * W[q * k + j];
		b[j] = s;
	}
	return rc;
}

int lmrec_ridge_fit(double *W, double *b, const double *X, const double *Y, size_t n, size_t p,
		    size_t k, double lambda)
{
	double *G = lmrec_xmalloc((p * p + 1) * sizeof *G), *R = lmrec_xmalloc((p * k + 1) * sizeof *R);
	double *mx = lmrec_xmalloc((p + 1) * sizeof *mx), *my = lmrec_xmalloc((k + 1) * sizeof *my);
	normal_equations(G, R, mx, my, X, Y, n, p, k);
	int rc = solve(W, b, G, R, mx, my, p, k, lambda, lmrec_spd_solve_d);
	free(G);
	free(R);
	free(mx);
	free(my);
	return rc;
}

int lmrec_ridge_fit_ref(double *W, double *b, const double *X, const double *Y, size_t n, size_t p,
			size_t k, double lambda)
{
	double *G = lmrec_xcalloc(p * p + 1, sizeof *G), *R = lmrec_xcalloc(p * k + 1, sizeof *R);
	double *mx = lmrec_xcalloc(p + 1, sizeof *mx), *my = lmrec_xcalloc(k + 1, sizeof *my);
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < p; j++)
			mx[j] += X[i * p + j] / (double)n;
		for (size_t j = 0; j < k; j++)
			my[j] += Y[i * k + j] / (double)n;
	}
	for (size_t i = 0; i < n; i++)
		for (size_t a = 0; a < p; a++) {
			double xa = X[i * p + a] - mx[a];
			for (size_t c = 0; c < p; c++)
				G[a * p + c] += xa * (X[i * p + c] - mx[c]);
			for (size_t c = 0; c < k; c++)
				R[a * k + c] += xa * (Y[i * k + c] - my[c]);
		}
	int rc = solve(W, b, G, R, mx, my, p, k, lambda, lmrec_spd_solve_d_ref);
	free(G);
	free(R);
	free(mx);
	free(my);
	return rc;
}

void lmrec_ridge_cv(double *r2, const double *X, const double *Y, size_t n, size_t p, size_t k,
		    const uint32_t *fold, size_t nfolds, const double *lambdas, size_t nl)
{
	double *my = lmrec_xmalloc((k + 1) * sizeof *my);
	col_means(my, Y, n, k);
	double sst = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < k; j++)
			sst += (Y[i * k + j] - my[j]) * (Y[i * k + j] - my[j]);
	double *sse = lmrec_xcalloc(nl + 1, sizeof *sse);
	int *failed = lmrec_xcalloc(nl + 1, sizeof *failed);
	double *Xt = lmrec_xmalloc((n * p + 1) * sizeof *Xt), *Yt = lmrec_xmalloc((n * k + 1) * sizeof *Yt);
	double *G = lmrec_xmalloc((p * p + 1) * sizeof *G), *R = lmrec_xmalloc((p * k + 1) * sizeof *R);
	double *mx = lmrec_xmalloc((p + 1) * sizeof *mx), *mt = lmrec_xmalloc((k + 1) * sizeof *mt);
	double *W = lmrec_xmalloc((p * k + 1) * sizeof *W), *b = lmrec_xmalloc((k + 1) * sizeof *b);
	for (size_t f = 0; f < nfolds; f++) {
		size_t nt = 0;
		for (size_t i = 0; i < n; i++)
			if (fold[i] != f) {
				memcpy(Xt + nt * p, X + i * p, p * sizeof *Xt);
				memcpy(Yt + nt * k, Y + i * k, k * sizeof *Yt);
				nt++;
			}
		if (nt == n)
			continue; /* an empty fold predicts nothing */
		normal_equations(G, R, mx, mt, Xt, Yt, nt, p, k);
		for (size_t l = 0; l < nl; l++) {
			if (solve(W, b, G, R, mx, mt, p, k, lambdas[l], lmrec_spd_solve_d) != 0) {
				failed[l] = 1;
				continue;
			}
			for (size_t i = 0; i < n; i++) {
				if (fold[i] != f)
					continue;
				for (size_t j = 0; j < k; j++) {
					double yhat = b[j];
					for (size_t q = 0; q < p; q++)
						yhat += X[i * p + q] * W[q * k + j];
					double e = Y[i * k + j] - yhat;
					sse[l] += e * e;
				}
			}
		}
	}
	for (size_t l = 0; l < nl; l++)
		r2[l] = failed[l] ? -INFINITY : sst > 0 ? 1.0 - sse[l] / sst : 0.0;
	free(my);
	free(sse);
	free(failed);
	free(Xt);
	free(Yt);
	free(G);
	free(R);
	free(mx);
	free(mt);
	free(W);
	free(b);
}

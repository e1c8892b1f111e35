/* Unit tests of lib/whiten.c: whitened data has mean 0 and the identity
 * covariance; a direction without variance is dropped by the floor; the
 * component limit keeps the leading ones; degenerate sets keep none. */
#include <math.h>

#include "check.h"
#include "whiten.h"

enum { N = 300, D = 5 };

static void correlated(struct lmrec_rng *rng, float *X, int duplicate)
{
	/* x = A z + m, A fixed, z normal: covariance A A^T */
	static const double A[D][D] = {{2, 0, 0, 0, 0}, {1, 1, 0, 0, 0}, {0.5, -1, 0.7, 0, 0},
				       {0, 0.3, 0.2, 0.4, 0}, {1, 0, 0, 0.1, 0.05}};
	for (size_t i = 0; i < N; i++) {
		double z[D];
		for (size_t j = 0; j < D; j++)
			z[j] = lmrec_rng_normal(rng);
		for (size_t a = 0; a < D; a++) {
			double s = 3.0 * (double)a;
			for (size_t j = 0; j < D; j++)
				s += A[a][j] * z[j];
			X[i * D + a] = (float)s;
		}
		if (duplicate) /* the last column repeats the first: rank D - 1 */
			X[i * D + D - 1] = X[i * D];
	}
}

static void check_white(const struct lmrec_whiten *w, const float *X, size_t n)
{
	size_t r = w->r;
	double *Z = lmrec_xmalloc((n * r + 1) * sizeof *Z);
	for (size_t i = 0; i < n; i++)
		lmrec_whiten_apply(w, X + i * w->d, Z + i * r);
	double worst_mean = 0, worst_cov = 0;
	for (size_t a = 0; a < r; a++) {
		double m = 0;
		for (size_t i = 0; i < n; i++)
			m += Z[i * r + a] / (double)n;
		worst_mean = fabs(m) > worst_mean ? fabs(m) : worst_mean;
		for (size_t b = 0; b < r; b++) {
			double c = 0;
			for (size_t i = 0; i < n; i++)
				c += Z[i * r + a] * Z[i * r + b] / (double)n;
			double e = fabs(c - (a == b));
			worst_cov = e > worst_cov ? e : worst_cov;
		}
	}
	CHECK(worst_mean < 1e-9);
	CHECK(worst_cov < 1e-9);
	free(Z);
}

static void test_identity_covariance(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 4);
	float X[N * D];
	correlated(&rng, X, 0);
	struct lmrec_whiten w;
	lmrec_whiten_fit(&w, X, N, D, 0, 1e-9);
	CHECK_U64(w.r, D);
	for (size_t k = 1; k < w.r; k++)
		CHECK(w.eig[k] <= w.eig[k - 1]);
	/* the eigenvalues add up to the total variance, the trace */
	double tr = 0, sum = 0;
	for (size_t a = 0; a < D; a++) {
		double m = 0, v = 0;
		for (size_t i = 0; i < N; i++)
			m += X[i * D + a] / (double)N;
		for (size_t i = 0; i < N; i++)
			v += (X[i * D + a] - m) * (X[i * D + a] - m) / (double)N;
		tr += v;
	}
	for (size_t k = 0; k < w.r; k++)
		sum += w.eig[k];
	CHECK(fabs(tr - sum) < 1e-9 * tr && fabs(w.total - tr) < 1e-9 * tr);
	check_white(&w, X, N);
	lmrec_whiten_free(&w);
	/* at most 2 components: the two largest, still white */
	lmrec_whiten_fit(&w, X, N, D, 2, 1e-9);
	CHECK_U64(w.r, 2);
	check_white(&w, X, N);
	lmrec_whiten_free(&w);
}

static void test_floor(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 5);
	float X[N * D];
	correlated(&rng, X, 1);
	struct lmrec_whiten w;
	lmrec_whiten_fit(&w, X, N, D, 0, 1e-6);
	CHECK_U64(w.r, D - 1); /* the repeated column adds no direction */
	check_white(&w, X, N);
	lmrec_whiten_free(&w);
	/* a constant set, and an empty one, keep nothing */
	float C[3 * 2] = {1, 2, 1, 2, 1, 2};
	lmrec_whiten_fit(&w, C, 3, 2, 0, 1e-6);
	CHECK_U64(w.r, 0);
	lmrec_whiten_free(&w);
	lmrec_whiten_fit(&w, NULL, 0, 2, 0, 1e-6);
	CHECK_U64(w.r, 0);
	lmrec_whiten_free(&w);
}

int main(void)
{
	CHECK_RUN(test_identity_covariance);
	CHECK_RUN(test_floor);
	return check_done();
}

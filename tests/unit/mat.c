/* Unit tests of lib/mat.c: each BLAS/LAPACK kernel against its slow *_ref
 * twin (relative 1e-5), on random matrices of several shapes, 0 and 1
 * included; and the *_ref twins themselves against exact answers. */
#include <math.h>

#include "check.h"
#include "mat.h"

static void fill(struct lmrec_rng *rng, float *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		a[i] = (float)(lmrec_rng_double(rng) * 2.0 - 1.0);
}

/* Largest |a - b| over n values, relative to the largest |b| (1 at least
 * when every |b| is below 1, so near-zero entries are not over-weighted). */
static double rel_diff(const float *a, const float *b, size_t n)
{
	double d = 0, scale = 1;
	for (size_t i = 0; i < n; i++) {
		if (isnan(a[i]) != isnan(b[i]))
			return INFINITY;
		double x = fabs((double)a[i] - b[i]);
		d = x > d ? x : d;
		scale = fabs((double)b[i]) > scale ? fabs((double)b[i]) : scale;
	}
	return d / scale;
}

static double rel_diff_d(const double *a, const double *b, size_t n)
{
	double d = 0, scale = 1e-300;
	for (size_t i = 0; i < n; i++) {
		double x = fabs(a[i] - b[i]);
		d = x > d ? x : d;
		scale = fabs(b[i]) > scale ? fabs(b[i]) : scale;
	}
	return d / scale;
}

static void test_sgemm_nt(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 1);
	static const size_t dims[] = {0, 1, 2, 3, 7, 17, 64};
	static const float alphas[] = {1.0f, -0.5f, 0.0f};
	static const float betas[] = {0.0f, 1.0f, 0.25f};
	size_t nd = sizeof dims / sizeof *dims, cases = 0;
	double worst = 0;
	for (size_t a = 0; a < nd; a++)
		for (size_t b = 0; b < nd; b++)
			for (size_t c = 0; c < nd; c++) {
				size_t m = dims[a], n = dims[b], k = dims[c];
				/* leading dimensions larger than the widths, in turn */
				size_t pad = cases % 4; /* 0 too: ld = width, even 0 */
				size_t lda = k + pad, ldb = k + (pad + 1) % 4, ldc = n + (pad + 2) % 4;
				float alpha = alphas[cases % 3], beta = betas[(cases / 3) % 3];
				float *A = lmrec_xcalloc(m * lda + 1, sizeof *A);
				float *B = lmrec_xcalloc(n * ldb + 1, sizeof *B);
				float *C1 = lmrec_xcalloc(m * ldc + 1, sizeof *C1);
				float *C2 = lmrec_xcalloc(m * ldc + 1, sizeof *C2);
				fill(&rng, A, m * lda);
				fill(&rng, B, n * ldb);
				fill(&rng, C1, m * ldc);
				if (beta == 0.0f) /* beta 0: C is not read, NaN included */
					for (size_t i = 0; i < m * ldc; i++)
						if (i % ldc < n)
							C1[i] = NAN;
				memcpy(C2, C1, (m * ldc + 1) * sizeof *C1);
				lmrec_sgemm_nt(m, n, k, alpha, A, lda, B, ldb, beta, C1, ldc);
				lmrec_sgemm_nt_ref(m, n, k, alpha, A, lda, B, ldb, beta, C2, ldc);
				double d = rel_diff(C1, C2, m * ldc + 1);
				if (!(d <= 1e-5))
					printf("# m=%zu n=%zu k=%zu lda=%zu ldb=%zu ldc=%zu alpha=%g beta=%g: %g\n", m,
					       n, k, lda, ldb, ldc, alpha, beta, d);
				worst = d > worst || isnan(d) ? d : worst;
				/* the padding between rows is left alone */
				for (size_t i = 0; i < m; i++)
					for (size_t j = n; j < ldc; j++)
						CHECK(C1[i * ldc + j] == C2[i * ldc + j]);
				free(A);
				free(B);
				free(C1);
				free(C2);
				cases++;
			}
	CHECK(worst <= 1e-5);
	CHECK_U64(cases, nd * nd * nd);

	/* the reference itself on a product done by hand: C = 2 A B^T - C */
	const float A[2 * 3] = {1, 2, 3, 4, 5, 6}, B[2 * 3] = {1, 0, -1, 2, 1, 0};
	float C[4] = {1, 1, 1, 1}, want[4] = {2 * -2 - 1, 2 * 4 - 1, 2 * -2 - 1, 2 * 13 - 1};
	lmrec_sgemm_nt_ref(2, 2, 3, 2.0f, A, 3, B, 3, -1.0f, C, 2);
	CHECK(check_same_bits(C, want, sizeof C));
	float D[4] = {1, 1, 1, 1};
	lmrec_sgemm_nt(2, 2, 3, 2.0f, A, 3, B, 3, -1.0f, D, 2);
	CHECK(check_same_bits(D, want, sizeof D));
}

static void test_gram(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 2);
	static const size_t rows[] = {0, 1, 2, 5, 40, 300};
	static const size_t cols[] = {0, 1, 2, 7, 32, 33};
	double worst = 0;
	for (size_t a = 0; a < 6; a++)
		for (size_t b = 0; b < 6; b++) {
			size_t n = rows[a], k = cols[b];
			float *A = lmrec_xcalloc(n * k + 1, sizeof *A);
			float *G1 = lmrec_xcalloc(k * k + 1, sizeof *G1);
			float *G2 = lmrec_xcalloc(k * k + 1, sizeof *G2);
			fill(&rng, A, n * k);
			for (size_t i = 0; i < k * k; i++)
				G1[i] = G2[i] = NAN; /* every entry is written */
			lmrec_gram(G1, A, n, k);
			lmrec_gram_ref(G2, A, n, k);
			double d = rel_diff(G1, G2, k * k);
			if (!(d <= 1e-5))
				printf("# n=%zu k=%zu: %g\n", n, k, d);
			worst = d > worst || isnan(d) ? d : worst;
			for (size_t i = 0; i < k; i++) /* both triangles, exactly symmetric */
				for (size_t j = 0; j < i; j++)
					CHECK(G1[i * k + j] == G1[j * k + i]);
			free(A);
			free(G1);
			free(G2);
		}
	CHECK(worst <= 1e-5);
	/* by hand: columns (1, 2) and (3, 4) */
	const float A[4] = {1, 3, 2, 4};
	float G[4];
	lmrec_gram_ref(G, A, 2, 2);
	CHECK(G[0] == 5 && G[1] == 11 && G[2] == 11 && G[3] == 25);
}

/* A random symmetric positive definite matrix: M M^T / k + shift I. */
static void random_spd(struct lmrec_rng *rng, double *S, size_t k, double shift)
{
	double *M = lmrec_xcalloc(k * k + 1, sizeof *M);
	for (size_t i = 0; i < k * k; i++)
		M[i] = lmrec_rng_double(rng) * 2.0 - 1.0;
	for (size_t i = 0; i < k; i++)
		for (size_t j = 0; j < k; j++) {
			double s = 0;
			for (size_t p = 0; p < k; p++)
				s += M[i * k + p] * M[j * k + p];
			S[i * k + j] = s / (double)k + (i == j ? shift : 0.0);
		}
	free(M);
}

static void test_spd_solve(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 3);
	static const size_t ks[] = {0, 1, 2, 3, 8, 16, 50};
	double worst = 0, worst_res = 0;
	for (size_t t = 0; t < (size_t)7 * 4; t++) {
		size_t k = ks[t % 7];
		double *S = lmrec_xcalloc(k * k + 1, sizeof *S);
		random_spd(&rng, S, k, 0.5);
		float *A1 = lmrec_xcalloc(k * k + 1, sizeof *A1), *A2 = lmrec_xcalloc(k * k + 1, sizeof *A2);
		float *b1 = lmrec_xcalloc(k + 1, sizeof *b1), *b2 = lmrec_xcalloc(k + 1, sizeof *b2);
		for (size_t i = 0; i < k * k; i++)
			A1[i] = A2[i] = (float)S[i];
		fill(&rng, b1, k);
		memcpy(b2, b1, k * sizeof *b1);
		float *b0 = lmrec_xcalloc(k + 1, sizeof *b0);
		memcpy(b0, b1, k * sizeof *b1);
		CHECK_INT(lmrec_spd_solve(A1, b1, k), 0);
		memcpy(A1, A2, k * k * sizeof *A1); /* the ref reads it after */
		CHECK_INT(lmrec_spd_solve_ref(A2, b2, k), 0);
		double d = rel_diff(b1, b2, k);
		worst = d > worst || isnan(d) ? d : worst;
		/* the reference solves the system: A x = b in double */
		for (size_t i = 0; i < k; i++) {
			double s = 0;
			for (size_t j = 0; j < k; j++)
				s += (double)A1[i * k + j] * b2[j];
			double r = fabs(s - b0[i]);
			worst_res = r > worst_res ? r : worst_res;
		}
		free(S);
		free(A1);
		free(A2);
		free(b0);
		free(b1);
		free(b2);
	}
	CHECK(worst <= 1e-5);
	CHECK(worst_res <= 1e-5);
	printf("# spd_solve: worst relative difference %.3g, residual %.3g\n", worst, worst_res);

	/* not positive definite: -1 from both (indefinite, singular, negative) */
	const float bad[3][4] = {{1, 2, 2, 1}, {1, 1, 1, 1}, {-1, 0, 0, 2}};
	for (size_t t = 0; t < 3; t++) {
		float A[4], b[2] = {1, 1};
		memcpy(A, bad[t], sizeof A);
		CHECK_INT(lmrec_spd_solve(A, b, 2), -1);
		memcpy(A, bad[t], sizeof A);
		CHECK_INT(lmrec_spd_solve_ref(A, b, 2), -1);
	}
	/* k = 0 is a no-op for both */
	CHECK_INT(lmrec_spd_solve(NULL, NULL, 0), 0);
}

static void test_spd_inverse(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 4);
	static const size_t ns[] = {0, 1, 2, 3, 10, 40};
	double worst = 0, worst_id = 0;
	for (size_t t = 0; t < (size_t)6 * 3; t++) {
		size_t n = ns[t % 6];
		double *S = lmrec_xcalloc(n * n + 1, sizeof *S);
		double *A1 = lmrec_xcalloc(n * n + 1, sizeof *A1), *A2 = lmrec_xcalloc(n * n + 1, sizeof *A2);
		random_spd(&rng, S, n, 0.1 * (double)(t % 3 + 1));
		memcpy(A1, S, n * n * sizeof *S);
		memcpy(A2, S, n * n * sizeof *S);
		CHECK_INT(lmrec_spd_inverse(A1, n), 0);
		CHECK_INT(lmrec_spd_inverse_ref(A2, n), 0);
		double d = rel_diff_d(A1, A2, n * n);
		worst = d > worst ? d : worst;
		/* S A = I, for the reference too */
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < n; j++) {
				double s1 = 0, s2 = 0;
				for (size_t p = 0; p < n; p++) {
					s1 += S[i * n + p] * A1[p * n + j];
					s2 += S[i * n + p] * A2[p * n + j];
				}
				double e1 = fabs(s1 - (i == j)), e2 = fabs(s2 - (i == j));
				worst_id = e1 > worst_id ? e1 : worst_id;
				worst_id = e2 > worst_id ? e2 : worst_id;
				CHECK(A1[i * n + j] == A1[j * n + i]); /* both triangles */
			}
		free(S);
		free(A1);
		free(A2);
	}
	CHECK(worst <= 1e-5);
	CHECK(worst_id <= 1e-9);
	printf("# spd_inverse: worst relative difference %.3g, |S A - I| %.3g\n", worst, worst_id);

	/* by hand: [[4, 2], [2, 3]]^-1 = [[3, -2], [-2, 4]] / 8 */
	double A[4] = {4, 2, 2, 3};
	CHECK_INT(lmrec_spd_inverse_ref(A, 2), 0);
	CHECK(A[0] == 3.0 / 8 && A[1] == -2.0 / 8 && A[2] == -2.0 / 8 && A[3] == 4.0 / 8);

	/* not positive definite: -1 from both */
	const double bad[3][9] = {{1, 2, 0, 2, 1, 0, 0, 0, 1},  /* indefinite */
				  {1, 1, 0, 1, 1, 0, 0, 0, 1},  /* singular */
				  {1, 0, 0, 0, 1, 0, 0, 0, -1}}; /* negative last pivot */
	for (size_t t = 0; t < 3; t++) {
		double B[9];
		memcpy(B, bad[t], sizeof B);
		CHECK_INT(lmrec_spd_inverse(B, 3), -1);
		memcpy(B, bad[t], sizeof B);
		CHECK_INT(lmrec_spd_inverse_ref(B, 3), -1);
	}
	CHECK_INT(lmrec_spd_inverse(NULL, 0), 0);
}

int main(void)
{
	lmrec_setprogname("mat");
	lmrec_blas_threads(1);
	CHECK_RUN(test_sgemm_nt);
	CHECK_RUN(test_gram);
	CHECK_RUN(test_spd_solve);
	CHECK_RUN(test_spd_inverse);
	return check_done();
}

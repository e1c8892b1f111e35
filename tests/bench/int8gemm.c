/* The int8 experiment of tests/bench/RESULTS.md: two ways to run the
 * products of a BERT layer with int8 weights, against plain sgemm.
 *
 *   int8gemm TOKENS HIDDEN INTER REPS w7a8|w8a7
 *
 * w7a8: 7-bit weights and 8-bit activations (what lib/q8.c keeps); w8a7:
 * the other way round.
 *
 * For each of a layer's four products (X (TOKENS, in) times W^T, W (out,
 * in)) it prints the median time of
 *   sgemm      float weights (lib/bert.c's fp32 mode)
 *   dequant    int8 rows with a scale each, dequantised to floats a matrix
 *              at a time, then sgemm (the first int8 mode, since dropped)
 *   own-u8s7   a kernel of our own on integers: each row of X quantised to
 *              8 bits (offset to unsigned), weights to 7 bits (so that
 *              vpmaddubsw's pairs cannot saturate), AVX2 vpmaddubsw +
 *              vpmaddwd into int32, 4 rows x 16 columns a step; rescaled
 *              to floats at the end (lib/q8.c grew out of it)
 * and each one's largest error relative to the float product's largest
 * magnitude. One thread. x86-64 with AVX2 only (the experiment; lib/ keeps
 * what won). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lmrec.h"
#include "mat.h"
#include "nn.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define AVX2 __attribute__((target("avx2,fma")))

/* Weights of the own kernel: 7-bit rows packed for the microkernel. */
struct q7 {
	int wmax, amax, aoff; /* largest weight code; largest activation code and its offset */
	size_t out, in, kq;  /* kq: in / 4 rounded up */
	int8_t *panel;       /* (out / 8, kq, 8, 4): 8 columns x 4 k per 32 bytes */
	float *scale;        /* (out) */
	int32_t *colsum;     /* (out) 128 * sum_k w: the offset of the activations */
};

static void q7_build(struct q7 *q, const float *w, size_t out, size_t in)
{
	q->out = out;
	q->in = in;
	q->kq = (in + 3) / 4;
	q->panel = lmrec_xcalloc(out * q->kq * 4, 1);
	q->scale = lmrec_xcalloc(out, sizeof *q->scale);
	q->colsum = lmrec_xcalloc(out, sizeof *q->colsum);
	for (size_t n = 0; n < out; n++) {
		float m = 0;
		for (size_t k = 0; k < in; k++)
			m = fmaxf(m, fabsf(w[n * in + k]));
		float s = m / (float)q->wmax;
		q->scale[n] = s;
		int32_t sum = 0;
		for (size_t k = 0; k < in; k++) {
			int v = s > 0 ? (int)lrintf(w[n * in + k] / s) : 0;
			sum += v;
			q->panel[((n / 8 * q->kq + k / 4) * 8 + n % 8) * 4 + k % 4] = (int8_t)v;
		}
		q->colsum[n] = q->aoff * sum;
	}
}

static void q7_free(struct q7 *q)
{
	free(q->panel);
	free(q->scale);
	free(q->colsum);
}

/* xu (T, kq * 4) = round(x / sx) + 128, sx (T) = max |x_row| / 127. */
AVX2 static void quantize_rows(uint8_t *xu, float *sx, const float *x, size_t T, size_t in,
			       size_t kq, int amax, int aoff)
{
	for (size_t r = 0; r < T; r++) {
		const float *xr = x + r * in;
		float m = 0;
		for (size_t k = 0; k < in; k++)
			m = fmaxf(m, fabsf(xr[k]));
		float s = m / (float)amax, inv = s > 0 ? 1 / s : 0;
		sx[r] = s;
		uint8_t *o = xu + r * kq * 4;
		size_t k = 0;
		__m256 iv = _mm256_set1_ps(inv);
		for (; k + 8 <= in; k += 8) {
			__m256i v = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(xr + k), iv));
			v = _mm256_add_epi32(v, _mm256_set1_epi32(aoff));
			__m128i p = _mm_packus_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
			p = _mm_packus_epi16(p, p);
			_mm_storel_epi64((__m128i *)(void *)(o + k), p);
		}
		for (; k < in; k++)
			o[k] = (uint8_t)(lrintf(xr[k] * inv) + aoff);
		for (; k < kq * 4; k++)
			o[k] = (uint8_t)aoff; /* 0 after the offset */
	}
}

/* y (T, out) = x W^T through the integer kernel; T a multiple of 4 and out
 * of 16 (the experiment's shapes). */
AVX2 static void q7_gemm(float *y, const uint8_t *xu, const float *sx, size_t T, const struct q7 *q)
{
	const __m256i ones = _mm256_set1_epi16(1);
	const size_t kq = q->kq, MB = 64;
	for (size_t m0 = 0; m0 < T; m0 += MB) {
		size_t m1 = m0 + MB < T ? m0 + MB : T;
		for (size_t n = 0; n < q->out; n += 16) {
			const int8_t *p0 = q->panel + (n / 8) * kq * 32, *p1 = p0 + kq * 32;
			for (size_t r = m0; r < m1; r += 4) {
				const uint8_t *x0 = xu + r * kq * 4, *x1 = x0 + kq * 4;
				const uint8_t *x2 = x1 + kq * 4, *x3 = x2 + kq * 4;
				__m256i a00 = _mm256_setzero_si256(), a01 = a00, a10 = a00, a11 = a00;
				__m256i a20 = a00, a21 = a00, a30 = a00, a31 = a00;
				for (size_t k = 0; k < kq; k++) {
					__m256i w0 = _mm256_loadu_si256((const __m256i *)(const void *)(p0 + 32 * k));
					__m256i w1 = _mm256_loadu_si256((const __m256i *)(const void *)(p1 + 32 * k));
					int32_t v;
#define STEP(xr, acc0, acc1)                                                                        \
	memcpy(&v, (xr) + 4 * k, 4);                                                                 \
	{                                                                                          \
		__m256i b = _mm256_set1_epi32(v);                                                  \
		(acc0) = _mm256_add_epi32((acc0), _mm256_madd_epi16(_mm256_maddubs_epi16(b, w0), ones)); \
		(acc1) = _mm256_add_epi32((acc1), _mm256_madd_epi16(_mm256_maddubs_epi16(b, w1), ones)); \
	}
					STEP(x0, a00, a01)
					STEP(x1, a10, a11)
					STEP(x2, a20, a21)
					STEP(x3, a30, a31)
#undef STEP
				}
				__m256i c0 = _mm256_loadu_si256((const __m256i *)(const void *)(q->colsum + n));
				__m256i c1 = _mm256_loadu_si256((const __m256i *)(const void *)(q->colsum + n + 8));
				__m256 s0 = _mm256_loadu_ps(q->scale + n), s1 = _mm256_loadu_ps(q->scale + n + 8);
				__m256i acc[8] = {a00, a01, a10, a11, a20, a21, a30, a31};
				for (size_t i = 0; i < 4; i++) {
					__m256 sr = _mm256_set1_ps(sx[r + i]);
					__m256 f0 = _mm256_cvtepi32_ps(_mm256_sub_epi32(acc[2 * i], c0));
					__m256 f1 = _mm256_cvtepi32_ps(_mm256_sub_epi32(acc[2 * i + 1], c1));
					_mm256_storeu_ps(y + (r + i) * q->out + n, _mm256_mul_ps(_mm256_mul_ps(f0, s0), sr));
					_mm256_storeu_ps(y + (r + i) * q->out + n + 8,
							 _mm256_mul_ps(_mm256_mul_ps(f1, s1), sr));
				}
			}
		}
	}
}
#endif

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double rel_err(const float *a, const float *ref, size_t n)
{
	double e = 0, m = 0;
	for (size_t i = 0; i < n; i++) {
		e = fmax(e, fabs((double)a[i] - ref[i]));
		m = fmax(m, fabs((double)ref[i]));
	}
	return e / m;
}

int main(int argc, char **argv)
{
	lmrec_setprogname(argv[0]);
	if (argc != 6)
		lmrec_usage_error("usage: int8gemm TOKENS HIDDEN INTER REPS w7a8|w8a7");
	int w8 = strcmp(argv[5], "w8a7") == 0;
	int wmax = w8 ? 127 : 63, amax = w8 ? 63 : 127, aoff = w8 ? 64 : 128;
	size_t T = (size_t)lmrec_opt_u64("TOKENS", argv[1], 4, 1 << 20) / 4 * 4;
	size_t h = (size_t)lmrec_opt_u64("HIDDEN", argv[2], 16, 1 << 16) / 16 * 16;
	size_t inter = (size_t)lmrec_opt_u64("INTER", argv[3], 16, 1 << 20) / 16 * 16;
	size_t reps = (size_t)lmrec_opt_u64("REPS", argv[4], 1, 1000);
	lmrec_blas_threads(1);
	const size_t shapes[4][2] = {{3 * h, h}, {h, h}, {inter, h}, {h, inter}};
	const char *names[4] = {"qkv", "attention out", "intermediate", "output"};
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 1);
	printf("%-14s %6s %6s %10s %10s %10s   %s\n", "product", "out", "in", "sgemm ms", "dequant ms",
	       "own ms", "error of dequant / own (relative to max |y|)");
	double tot[3] = {0, 0, 0};
	for (size_t s = 0; s < 4; s++) {
		size_t out = shapes[s][0], in = shapes[s][1];
		float *x = lmrec_xcalloc(T * in, sizeof *x), *w = lmrec_xcalloc(out * in, sizeof *w);
		for (size_t i = 0; i < T * in; i++)
			x[i] = (float)lmrec_rng_normal(&rng);
		for (size_t i = 0; i < out * in; i++)
			w[i] = (float)(lmrec_rng_normal(&rng) / sqrt((double)in));
		float *y0 = lmrec_xcalloc(T * out, sizeof *y0), *y1 = lmrec_xcalloc(T * out, sizeof *y1);
		float *y2 = lmrec_xcalloc(T * out, sizeof *y2), *wf = lmrec_xcalloc(out * in, sizeof *wf);
		int8_t *q8 = lmrec_xcalloc(out * in, 1);
		float *sc = lmrec_xcalloc(out, sizeof *sc);
		lmrec_nn_quantize(q8, sc, w, out, in);
		double *t = lmrec_xcalloc(3 * reps, sizeof *t);
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
		struct q7 q = {.wmax = wmax, .amax = amax, .aoff = aoff};
		q7_build(&q, w, out, in);
		uint8_t *xu = lmrec_xcalloc(T * q.kq * 4, 1);
		float *sx = lmrec_xcalloc(T, sizeof *sx);
		int own = lmrec_nn_simd();
#else
		int own = 0;
#endif
		for (size_t r = 0; r <= reps; r++) {
			double t0 = lmrec_now();
			lmrec_sgemm_nt(T, out, in, 1, x, in, w, in, 0, y0, out);
			double t1 = lmrec_now();
			lmrec_nn_dequantize(wf, q8, sc, out, in);
			lmrec_sgemm_nt(T, out, in, 1, x, in, wf, in, 0, y1, out);
			double t2 = lmrec_now();
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
			if (own) {
				quantize_rows(xu, sx, x, T, in, q.kq, amax, aoff);
				q7_gemm(y2, xu, sx, T, &q);
			}
#endif
			double t3 = lmrec_now();
			if (r > 0) {
				t[r - 1] = t1 - t0;
				t[reps + r - 1] = t2 - t1;
				t[2 * reps + r - 1] = t3 - t2;
			}
		}
		double a = median(t, reps), b = median(t + reps, reps), c = median(t + 2 * reps, reps);
		tot[0] += a;
		tot[1] += b;
		tot[2] += c;
		printf("%-14s %6zu %6zu %10.2f %10.2f %10.2f   %.2g / %.2g\n", names[s], out, in, a * 1e3,
		       b * 1e3, own ? c * 1e3 : NAN, rel_err(y1, y0, T * out),
		       own ? rel_err(y2, y0, T * out) : NAN);
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
		q7_free(&q);
		free(xu);
		free(sx);
#endif
		free(t);
		free(x);
		free(w);
		free(y0);
		free(y1);
		free(y2);
		free(wf);
		free(q8);
		free(sc);
	}
	printf("%-14s %6s %6s %10.2f %10.2f %10.2f   (a layer, %zu tokens)\n", "total", "", "",
	       tot[0] * 1e3, tot[1] * 1e3, tot[2] * 1e3, T);
	lmrec_close_stdout();
	return 0;
}

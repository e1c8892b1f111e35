/* lmrec — matrix products on 8-bit integers (see q8.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn.h"
#include "q8.h"
#include "util.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define Q8_X86 1
#include <immintrin.h>
#define AVX2 __attribute__((target("avx2,fma")))
#endif

/* Rows of x taken through the kernel at a time: their codes (MB * in
 * bytes) stay in the cache while every group of W passes over them. */
#define MB 64

/* Where code k of row n of group g lies. */
static size_t at(const struct lmrec_q8w *q, size_t n, size_t k)
{
	return ((n / 16 * q->kq + k / 4) * 16 + n % 16) * 4 + k % 4;
}

void lmrec_q8w_pack(struct lmrec_q8w *q, const float *w, size_t out, size_t in)
{
	q->out = out;
	q->in = in;
	q->kq = (in + 3) / 4;
	q->groups = (out + 15) / 16;
	q->codes = lmrec_xcalloc(q->groups * q->kq * 64, 1);
	q->scale = lmrec_xcalloc(q->groups * 16, sizeof *q->scale);
	q->sum = lmrec_xcalloc(q->groups * 16, sizeof *q->sum);
	for (size_t n = 0; n < out; n++) {
		const float *wr = w + n * in;
		float m = 0;
		for (size_t k = 0; k < in; k++)
			m = fabsf(wr[k]) > m ? fabsf(wr[k]) : m;
		float s = m / 63.0f;
		int32_t sum = 0;
		for (size_t k = 0; k < in && s > 0; k++) {
			long c = lrintf(wr[k] / s);
			c = c > 63 ? 63 : c < -63 ? -63 : c;
			q->codes[at(q, n, k)] = (int8_t)c;
			sum += (int32_t)c;
		}
		q->scale[n] = s;
		q->sum[n] = sum;
	}
}

void lmrec_q8w_free(struct lmrec_q8w *q)
{
	free(q->codes);
	free(q->scale);
	free(q->sum);
	memset(q, 0, sizeof *q);
}

size_t lmrec_q8w_bytes(const struct lmrec_q8w *q)
{
	return q->groups * q->kq * 64 + q->groups * 16 * (sizeof *q->scale + sizeof *q->sum);
}

void lmrec_q8w_unpack(float *w, const struct lmrec_q8w *q)
{
	for (size_t n = 0; n < q->out; n++)
		for (size_t k = 0; k < q->in; k++)
			w[n * q->in + k] = (float)q->codes[at(q, n, k)] * q->scale[n];
}

size_t lmrec_q8_work(size_t rows, const struct lmrec_q8w *q)
{
	return rows * 2 * sizeof(float) + rows * q->kq * 4;
}

/* The work: per row its minimum and step, then its codes (kq * 4 bytes,
 * the padding 0). */
struct qx {
	float *mn, *st;
	uint8_t *u;
	size_t ld;
};

static struct qx qx_of(void *work, size_t rows, const struct lmrec_q8w *q)
{
	struct qx a;
	a.mn = work;
	a.st = a.mn + rows;
	a.u = (uint8_t *)(a.st + rows);
	a.ld = q->kq * 4;
	return a;
}

/* Row r of x: minimum, maximum, step, and the code of each value. */
static void quantize_row_ref(const struct qx *a, size_t r, const float *x, size_t in)
{
	float mn = x[0], mx = x[0];
	for (size_t k = 1; k < in; k++) {
		mn = x[k] < mn ? x[k] : mn;
		mx = x[k] > mx ? x[k] : mx;
	}
	float st = (mx - mn) / 255.0f, inv = st > 0 ? 1.0f / st : 0.0f;
	uint8_t *u = a->u + r * a->ld;
	for (size_t k = 0; k < in; k++) {
		long c = lrintf((x[k] - mn) * inv);
		u[k] = (uint8_t)(c < 0 ? 0 : c > 255 ? 255 : c);
	}
	memset(u + in, 0, a->ld - in);
	a->mn[r] = mn;
	a->st[r] = st;
}

void lmrec_q8_gemm_ref(float *y, const float *x, size_t rows, const struct lmrec_q8w *q,
		       void *work)
{
	if (q->in == 0) {
		memset(y, 0, rows * q->out * sizeof *y);
		return;
	}
	struct qx a = qx_of(work, rows, q);
	for (size_t r = 0; r < rows; r++)
		quantize_row_ref(&a, r, x + r * q->in, q->in);
	for (size_t r = 0; r < rows; r++) {
		const uint8_t *u = a.u + r * a.ld;
		for (size_t n = 0; n < q->out; n++) {
			int32_t acc = 0;
			for (size_t k = 0; k < q->in; k++)
				acc += (int32_t)u[k] * q->codes[at(q, n, k)];
			/* one operation a statement, as the AVX2 version does them: no
			 * compiler may fuse a multiply and an add here */
			float p = a.st[r] * (float)acc;
			float c = a.mn[r] * (float)q->sum[n];
			float t = p + c;
			y[r * q->out + n] = q->scale[n] * t;
		}
	}
}

#ifdef Q8_X86

AVX2 static void quantize_row_avx2(const struct qx *a, size_t r, const float *x, size_t in)
{
	size_t k = 0;
	float mn = x[0], mx = x[0];
	if (in >= 8) {
		__m256 vmn = _mm256_loadu_ps(x), vmx = vmn;
		for (k = 8; k + 8 <= in; k += 8) {
			__m256 v = _mm256_loadu_ps(x + k);
			vmn = _mm256_min_ps(vmn, v);
			vmx = _mm256_max_ps(vmx, v);
		}
		float t[8], s[8];
		_mm256_storeu_ps(t, vmn);
		_mm256_storeu_ps(s, vmx);
		mn = t[0];
		mx = s[0];
		for (int i = 1; i < 8; i++) {
			mn = t[i] < mn ? t[i] : mn;
			mx = s[i] > mx ? s[i] : mx;
		}
	}
	for (; k < in; k++) {
		mn = x[k] < mn ? x[k] : mn;
		mx = x[k] > mx ? x[k] : mx;
	}
	float st = (mx - mn) / 255.0f, inv = st > 0 ? 1.0f / st : 0.0f;
	uint8_t *u = a->u + r * a->ld;
	__m256 vm = _mm256_set1_ps(mn), vi = _mm256_set1_ps(inv);
	for (k = 0; k + 8 <= in; k += 8) {
		__m256i c = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + k), vm), vi));
		__m128i p = _mm_packus_epi32(_mm256_castsi256_si128(c), _mm256_extracti128_si256(c, 1));
		_mm_storel_epi64((__m128i *)(void *)(u + k), _mm_packus_epi16(p, p));
	}
	for (; k < in; k++) {
		long c = lrintf((x[k] - mn) * inv);
		u[k] = (uint8_t)(c < 0 ? 0 : c > 255 ? 255 : c);
	}
	memset(u + in, 0, a->ld - in);
	a->mn[r] = mn;
	a->st[r] = st;
}

/* acc0, acc1 (columns 0-7 and 8-15 of the group) += the activation codes
 * k of row times the group's weight codes w0, w1 of step k. */
#define Q8_STEP(row, acc0, acc1)                                                                   \
	do {                                                                                       \
		int32_t v_;                                                                        \
		memcpy(&v_, (row) + 4 * k, 4);                                                     \
		__m256i b_ = _mm256_set1_epi32(v_);                                                \
		(acc0) = _mm256_add_epi32((acc0), _mm256_madd_epi16(_mm256_maddubs_epi16(b_, w0), ones)); \
		(acc1) = _mm256_add_epi32((acc1), _mm256_madd_epi16(_mm256_maddubs_epi16(b_, w1), ones)); \
	} while (0)

/* Row r of y at columns n0.. (cols <= 16 of them) from its two
 * accumulators; s, c: the scales and code sums of those columns. */
AVX2 static inline void store_row(float *y, const struct qx *a, size_t r, size_t cols,
				  const __m256 *s, const __m256 *c, __m256i acc0, __m256i acc1)
{
	__m256 st = _mm256_set1_ps(a->st[r]), mn = _mm256_set1_ps(a->mn[r]);
	__m256 t0 = _mm256_add_ps(_mm256_mul_ps(st, _mm256_cvtepi32_ps(acc0)), _mm256_mul_ps(mn, c[0]));
	__m256 t1 = _mm256_add_ps(_mm256_mul_ps(st, _mm256_cvtepi32_ps(acc1)), _mm256_mul_ps(mn, c[1]));
	if (cols == 16) {
		_mm256_storeu_ps(y, _mm256_mul_ps(s[0], t0));
		_mm256_storeu_ps(y + 8, _mm256_mul_ps(s[1], t1));
	} else {
		float tmp[16];
		_mm256_storeu_ps(tmp, _mm256_mul_ps(s[0], t0));
		_mm256_storeu_ps(tmp + 8, _mm256_mul_ps(s[1], t1));
		memcpy(y, tmp, cols * sizeof *tmp);
	}
}

#define LOAD32(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))

AVX2 static void gemm_avx2(float *y, const float *x, size_t rows, const struct lmrec_q8w *q,
			   void *work)
{
	const __m256i ones = _mm256_set1_epi16(1);
	struct qx a = qx_of(work, rows, q);
	size_t kq = q->kq, ldy = q->out;
	for (size_t m0 = 0; m0 < rows; m0 += MB) {
		size_t m1 = m0 + MB < rows ? m0 + MB : rows;
		for (size_t r = m0; r < m1; r++)
			quantize_row_avx2(&a, r, x + r * q->in, q->in);
		for (size_t g = 0; g < q->groups; g++) {
			const int8_t *wg = q->codes + g * kq * 64;
			size_t n0 = g * 16, cols = q->out - n0 < 16 ? q->out - n0 : 16;
			__m256 s[2] = {_mm256_loadu_ps(q->scale + n0), _mm256_loadu_ps(q->scale + n0 + 8)};
			__m256 c[2] = {_mm256_cvtepi32_ps(LOAD32(q->sum + n0)),
				       _mm256_cvtepi32_ps(LOAD32(q->sum + n0 + 8))};
			size_t r = m0;
			for (; r + 4 <= m1; r += 4) {
				const uint8_t *x0 = a.u + r * a.ld, *x1 = x0 + a.ld, *x2 = x1 + a.ld;
				const uint8_t *x3 = x2 + a.ld;
				__m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
				__m256i a4 = a0, a5 = a0, a6 = a0, a7 = a0;
				for (size_t k = 0; k < kq; k++) {
					__m256i w0 = LOAD32(wg + 64 * k), w1 = LOAD32(wg + 64 * k + 32);
					Q8_STEP(x0, a0, a1);
					Q8_STEP(x1, a2, a3);
					Q8_STEP(x2, a4, a5);
					Q8_STEP(x3, a6, a7);
				}
				store_row(y + r * ldy + n0, &a, r, cols, s, c, a0, a1);
				store_row(y + (r + 1) * ldy + n0, &a, r + 1, cols, s, c, a2, a3);
				store_row(y + (r + 2) * ldy + n0, &a, r + 2, cols, s, c, a4, a5);
				store_row(y + (r + 3) * ldy + n0, &a, r + 3, cols, s, c, a6, a7);
			}
			for (; r < m1; r++) {
				const uint8_t *x0 = a.u + r * a.ld;
				__m256i a0 = _mm256_setzero_si256(), a1 = a0;
				for (size_t k = 0; k < kq; k++) {
					__m256i w0 = LOAD32(wg + 64 * k), w1 = LOAD32(wg + 64 * k + 32);
					Q8_STEP(x0, a0, a1);
				}
				store_row(y + r * ldy + n0, &a, r, cols, s, c, a0, a1);
			}
		}
	}
}

#endif /* Q8_X86 */

void lmrec_q8_gemm(float *y, const float *x, size_t rows, const struct lmrec_q8w *q, void *work)
{
#ifdef Q8_X86
	if (lmrec_nn_simd() && q->in > 0) {
		gemm_avx2(y, x, rows, q, work);
		return;
	}
#endif
	lmrec_q8_gemm_ref(y, x, rows, q, work);
}

/* lmrec — Transformer kernels, portable and AVX2+FMA (see nn.h). */
#include <float.h>
#include <math.h>
#include <string.h>

#include "nn.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define NN_X86 1
#include <immintrin.h>
#define AVX2 __attribute__((target("avx2,fma")))
#endif

/* exp(y) = 2^k exp(r), k = round(y log2 e), r = y - k ln 2 in two parts
 * (the high part has few enough bits that k * LN2_HI is exact). */
#define LOG2E 1.44269504088896341f
#define LN2_HI 0.693145751953125f
#define LN2_LO 1.42860682030941723212e-6f
/* exp(r) on |r| <= ln2/2: Taylor to degree 7 (remainder < 5.3e-9). */
#define X2 0.5f
#define X3 0.166666667f
#define X4 0.0416666667f
#define X5 0.00833333333f
#define X6 0.00138888889f
#define X7 0.000198412698f
/* erfc(a) = f(t) exp(-a^2), t = 1/(1 + a/2), f(t) = sum E_i t^i: least
 * squares with weights making it minimax in absolute error on [0, 9],
 * fitted for lmrec (max error 8.6e-9 there). */
#define E0 8.651221671e-03f
#define E1 1.953396654e-01f
#define E2 6.493483743e-01f
#define E3 (-5.928463438e-01f)
#define E4 1.258690092e+00f
#define E5 (-6.215970189e-01f)
#define E6 1.024140011e-01f
#define INV_SQRT2 0.707106781186547524f
/* where the fit ends: beyond, Phi(-|x|) < 3e-37 is taken as 0 */
#define ERF_AMAX 9.0f

int lmrec_nn_simd(void)
{
#ifdef NN_X86
	return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
	return 0;
#endif
}

const char *lmrec_nn_simd_name(void) { return lmrec_nn_simd() ? "avx2+fma" : "portable C"; }

/* ---- portable C ---- */

static float exp_ref(float y)
{
	y = y < -87.0f ? -87.0f : y > 88.0f ? 88.0f : y;
#if FLT_EVAL_METHOD == 0
	/* adding and taking away 1.5 * 2^23 rounds to the nearest integer */
	float k = (y * LOG2E + 12582912.0f) - 12582912.0f;
#else
	float k = rintf(y * LOG2E);
#endif
	float r = y - k * LN2_HI;
	r = r - k * LN2_LO;
	float p = X7;
	p = p * r + X6;
	p = p * r + X5;
	p = p * r + X4;
	p = p * r + X3;
	p = p * r + X2;
	p = p * r + 1.0f;
	p = p * r + 1.0f;
	uint32_t bits = (uint32_t)((int)k + 127) << 23;
	float s;
	memcpy(&s, &bits, sizeof s);
	return p * s;
}

static float gelu_ref(float x)
{
	float a = fabsf(x) * INV_SQRT2;
	if (!(a < ERF_AMAX)) /* beyond the fit, Phi(-|x|) < 3e-37: 0 */
		return signbit(x) ? x * 0.0f : x;
	float t = 1.0f / (a * 0.5f + 1.0f);
	float f = E6;
	f = f * t + E5;
	f = f * t + E4;
	f = f * t + E3;
	f = f * t + E2;
	f = f * t + E1;
	f = f * t + E0;
	float h = 0.5f * f * exp_ref(-(a * a)); /* Phi(-|x|) */
	return x * (signbit(x) ? h : 1.0f - h);
}

void lmrec_nn_bias_add_ref(float *x, const float *bias, size_t rows, size_t cols)
{
	for (size_t r = 0; r < rows; r++)
		for (size_t c = 0; c < cols; c++)
			x[r * cols + c] += bias[c];
}

void lmrec_nn_bias_gelu_ref(float *x, const float *bias, size_t rows, size_t cols)
{
	for (size_t r = 0; r < rows; r++) {
		float *xr = x + r * cols;
		for (size_t c = 0; c < cols; c++)
			xr[c] = gelu_ref(bias ? xr[c] + bias[c] : xr[c]);
	}
}

void lmrec_nn_layernorm_ref(float *x, const float *y, const float *bias, const float *gamma,
			    const float *beta, size_t rows, size_t cols, double eps)
{
	for (size_t r = 0; r < rows; r++) {
		float *xr = x + r * cols;
		const float *yr = y ? y + r * cols : NULL;
		double sum = 0;
		for (size_t c = 0; c < cols; c++) {
			float v = xr[c];
			if (yr)
				v += yr[c];
			if (bias)
				v += bias[c];
			xr[c] = v;
			sum += v;
		}
		double mean = sum / (double)cols, sq = 0;
		for (size_t c = 0; c < cols; c++) {
			double d = xr[c] - mean;
			sq += d * d;
		}
		double inv = 1.0 / sqrt(sq / (double)cols + eps);
		for (size_t c = 0; c < cols; c++)
			xr[c] = (float)((xr[c] - mean) * inv) * gamma[c] + beta[c];
	}
}

void lmrec_nn_softmax_ref(float *x, size_t n, float s)
{
	if (n == 0)
		return;
	float m = x[0];
	for (size_t j = 1; j < n; j++)
		m = x[j] > m ? x[j] : m;
	double sum = 0;
	for (size_t j = 0; j < n; j++) {
		x[j] = exp_ref((x[j] - m) * s);
		sum += x[j];
	}
	float inv = (float)(1.0 / sum);
	for (size_t j = 0; j < n; j++)
		x[j] *= inv;
}

size_t lmrec_nn_attention_work(size_t n, size_t dh)
{
	size_t n16 = (n + 15) / 16 * 16;
	return dh * n16 + n * n16;
}

/* One head: ctx (n, dh) = softmax(scale q k^T) v; p holds n floats. */
static void head_ref(float *ctx, size_t ldc, const float *q, const float *k, const float *v,
		     size_t ld, size_t n, size_t dh, float scale, float *p)
{
	for (size_t i = 0; i < n; i++) {
		const float *qi = q + i * ld;
		for (size_t j = 0; j < n; j++) {
			const float *kj = k + j * ld;
			float s = 0;
			for (size_t d = 0; d < dh; d++)
				s += qi[d] * kj[d];
			p[j] = s;
		}
		lmrec_nn_softmax_ref(p, n, scale);
		float *ci = ctx + i * ldc;
		for (size_t d = 0; d < dh; d++) {
			float s = 0;
			for (size_t j = 0; j < n; j++)
				s += p[j] * v[j * ld + d];
			ci[d] = s;
		}
	}
}

void lmrec_nn_attention_ref(float *ctx, size_t ldc, const float *q, const float *k,
			    const float *v, size_t ld, size_t n, size_t heads, size_t dh,
			    float scale, float *work)
{
	for (size_t h = 0; h < heads; h++)
		head_ref(ctx + h * dh, ldc, q + h * dh, k + h * dh, v + h * dh, ld, n, dh, scale, work);
}

void lmrec_nn_quantize(int8_t *q, float *scale, const float *w, size_t rows, size_t cols)
{
	for (size_t r = 0; r < rows; r++) {
		const float *wr = w + r * cols;
		float m = 0;
		for (size_t c = 0; c < cols; c++)
			m = fabsf(wr[c]) > m ? fabsf(wr[c]) : m;
		float s = m / 127.0f;
		scale[r] = s;
		for (size_t c = 0; c < cols; c++) {
			long v = s > 0 ? lrintf(wr[c] / s) : 0;
			q[r * cols + c] = (int8_t)(v > 127 ? 127 : v < -127 ? -127 : v);
		}
	}
}

void lmrec_nn_dequantize_ref(float *dst, const int8_t *q, const float *scale, size_t rows,
			     size_t cols)
{
	for (size_t r = 0; r < rows; r++)
		for (size_t c = 0; c < cols; c++)
			dst[r * cols + c] = (float)q[r * cols + c] * scale[r];
}

/* ---- AVX2 + FMA ---- */

#ifdef NN_X86

AVX2 static inline __m256 exp8(__m256 y)
{
	y = _mm256_max_ps(y, _mm256_set1_ps(-87.0f));
	y = _mm256_min_ps(y, _mm256_set1_ps(88.0f));
	__m256 k = _mm256_round_ps(_mm256_mul_ps(y, _mm256_set1_ps(LOG2E)),
				   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
	__m256 r = _mm256_fnmadd_ps(k, _mm256_set1_ps(LN2_HI), y);
	r = _mm256_fnmadd_ps(k, _mm256_set1_ps(LN2_LO), r);
	__m256 p = _mm256_set1_ps(X7);
	p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(X6));
	p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(X5));
	p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(X4));
	p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(X3));
	p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(X2));
	p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
	p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
	__m256i e = _mm256_slli_epi32(
		_mm256_add_epi32(_mm256_cvtps_epi32(k), _mm256_set1_epi32(127)), 23);
	return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

AVX2 static inline __m256 gelu8(__m256 x)
{
	const __m256 sign = _mm256_set1_ps(-0.0f), one = _mm256_set1_ps(1.0f);
	__m256 a = _mm256_mul_ps(_mm256_andnot_ps(sign, x), _mm256_set1_ps(INV_SQRT2));
	__m256 inside = _mm256_cmp_ps(a, _mm256_set1_ps(ERF_AMAX), _CMP_LT_OQ);
	a = _mm256_min_ps(a, _mm256_set1_ps(ERF_AMAX));
	__m256 t = _mm256_div_ps(one, _mm256_fmadd_ps(a, _mm256_set1_ps(0.5f), one));
	__m256 f = _mm256_set1_ps(E6);
	f = _mm256_fmadd_ps(f, t, _mm256_set1_ps(E5));
	f = _mm256_fmadd_ps(f, t, _mm256_set1_ps(E4));
	f = _mm256_fmadd_ps(f, t, _mm256_set1_ps(E3));
	f = _mm256_fmadd_ps(f, t, _mm256_set1_ps(E2));
	f = _mm256_fmadd_ps(f, t, _mm256_set1_ps(E1));
	f = _mm256_fmadd_ps(f, t, _mm256_set1_ps(E0));
	__m256 e = exp8(_mm256_xor_ps(_mm256_mul_ps(a, a), sign));
	/* beyond the fit, Phi(-|x|) < 3e-37: 0 */
	__m256 h = _mm256_and_ps(_mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(0.5f), f), e), inside);
	/* the sign bit of x picks Phi(-|x|) = h, else 1 - h */
	return _mm256_mul_ps(x, _mm256_blendv_ps(_mm256_sub_ps(one, h), h, x));
}

AVX2 static inline double hsum_pd(__m256d a)
{
	__m128d s = _mm_add_pd(_mm256_castpd256_pd128(a), _mm256_extractf128_pd(a, 1));
	return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

AVX2 static inline float hmax_ps(__m256 a)
{
	__m128 m = _mm_max_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
	m = _mm_max_ps(m, _mm_movehl_ps(m, m));
	m = _mm_max_ss(m, _mm_shuffle_ps(m, m, 1));
	return _mm_cvtss_f32(m);
}

AVX2 static void bias_add_avx2(float *x, const float *bias, size_t rows, size_t cols)
{
	for (size_t r = 0; r < rows; r++) {
		float *xr = x + r * cols;
		size_t c = 0;
		for (; c + 8 <= cols; c += 8)
			_mm256_storeu_ps(xr + c, _mm256_add_ps(_mm256_loadu_ps(xr + c),
							       _mm256_loadu_ps(bias + c)));
		for (; c < cols; c++)
			xr[c] += bias[c];
	}
}

AVX2 static void bias_gelu_avx2(float *x, const float *bias, size_t rows, size_t cols)
{
	for (size_t r = 0; r < rows; r++) {
		float *xr = x + r * cols;
		size_t c = 0;
		for (; c + 8 <= cols; c += 8) {
			__m256 v = _mm256_loadu_ps(xr + c);
			if (bias)
				v = _mm256_add_ps(v, _mm256_loadu_ps(bias + c));
			_mm256_storeu_ps(xr + c, gelu8(v));
		}
		for (; c < cols; c++)
			xr[c] = gelu_ref(bias ? xr[c] + bias[c] : xr[c]);
	}
}

AVX2 static void layernorm_avx2(float *x, const float *y, const float *bias, const float *gamma,
				const float *beta, size_t rows, size_t cols, double eps)
{
	for (size_t r = 0; r < rows; r++) {
		float *xr = x + r * cols;
		const float *yr = y ? y + r * cols : NULL;
		__m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
		double tail = 0;
		size_t c = 0;
		for (; c + 8 <= cols; c += 8) {
			__m256 v = _mm256_loadu_ps(xr + c);
			if (yr)
				v = _mm256_add_ps(v, _mm256_loadu_ps(yr + c));
			if (bias)
				v = _mm256_add_ps(v, _mm256_loadu_ps(bias + c));
			_mm256_storeu_ps(xr + c, v);
			s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm256_castps256_ps128(v)));
			s1 = _mm256_add_pd(s1, _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
		}
		for (; c < cols; c++) {
			float v = xr[c];
			if (yr)
				v += yr[c];
			if (bias)
				v += bias[c];
			xr[c] = v;
			tail += v;
		}
		double mean = (hsum_pd(_mm256_add_pd(s0, s1)) + tail) / (double)cols;
		__m256d m = _mm256_set1_pd(mean);
		s0 = s1 = _mm256_setzero_pd();
		tail = 0;
		for (c = 0; c + 8 <= cols; c += 8) {
			__m256 v = _mm256_loadu_ps(xr + c);
			__m256d d0 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(v)), m);
			__m256d d1 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)), m);
			s0 = _mm256_fmadd_pd(d0, d0, s0);
			s1 = _mm256_fmadd_pd(d1, d1, s1);
		}
		for (; c < cols; c++) {
			double d = xr[c] - mean;
			tail += d * d;
		}
		double inv = 1.0 / sqrt((hsum_pd(_mm256_add_pd(s0, s1)) + tail) / (double)cols + eps);
		__m256d iv = _mm256_set1_pd(inv);
		for (c = 0; c + 8 <= cols; c += 8) {
			__m256 v = _mm256_loadu_ps(xr + c);
			__m256d d0 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(v)), m);
			__m256d d1 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)), m);
			__m256 nv = _mm256_set_m128(_mm256_cvtpd_ps(_mm256_mul_pd(d1, iv)),
						    _mm256_cvtpd_ps(_mm256_mul_pd(d0, iv)));
			_mm256_storeu_ps(xr + c, _mm256_fmadd_ps(nv, _mm256_loadu_ps(gamma + c),
								 _mm256_loadu_ps(beta + c)));
		}
		for (; c < cols; c++)
			xr[c] = (float)((xr[c] - mean) * inv) * gamma[c] + beta[c];
	}
}

AVX2 static void softmax_avx2(float *x, size_t n, float s)
{
	if (n == 0)
		return;
	size_t j = 0;
	float m = x[0];
	if (n >= 8) {
		__m256 mv = _mm256_loadu_ps(x);
		for (j = 8; j + 8 <= n; j += 8)
			mv = _mm256_max_ps(mv, _mm256_loadu_ps(x + j));
		m = hmax_ps(mv);
	}
	for (; j < n; j++)
		m = x[j] > m ? x[j] : m;
	__m256 mv = _mm256_set1_ps(m), sv = _mm256_set1_ps(s);
	__m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
	double tail = 0;
	for (j = 0; j + 8 <= n; j += 8) {
		__m256 e = exp8(_mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + j), mv), sv));
		_mm256_storeu_ps(x + j, e);
		s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm256_castps256_ps128(e)));
		s1 = _mm256_add_pd(s1, _mm256_cvtps_pd(_mm256_extractf128_ps(e, 1)));
	}
	for (; j < n; j++) {
		x[j] = exp_ref((x[j] - m) * s);
		tail += x[j];
	}
	float inv = (float)(1.0 / (hsum_pd(_mm256_add_pd(s0, s1)) + tail));
	__m256 iv = _mm256_set1_ps(inv);
	for (j = 0; j + 8 <= n; j += 8)
		_mm256_storeu_ps(x + j, _mm256_mul_ps(_mm256_loadu_ps(x + j), iv));
	for (; j < n; j++)
		x[j] *= inv;
}

/* kt (dh, n16) = k (n, dh; rows ld apart) transposed, zero beyond column n;
 * 8 x 8 blocks through registers. */
AVX2 static void transpose_avx2(float *kt, size_t n16, const float *k, size_t ld, size_t n,
				size_t dh)
{
	size_t j = 0;
	for (; j + 8 <= n; j += 8) {
		const float *r = k + j * ld;
		size_t d = 0;
		for (; d + 8 <= dh; d += 8) {
			__m256 r0 = _mm256_loadu_ps(r + d), r1 = _mm256_loadu_ps(r + ld + d);
			__m256 r2 = _mm256_loadu_ps(r + 2 * ld + d), r3 = _mm256_loadu_ps(r + 3 * ld + d);
			__m256 r4 = _mm256_loadu_ps(r + 4 * ld + d), r5 = _mm256_loadu_ps(r + 5 * ld + d);
			__m256 r6 = _mm256_loadu_ps(r + 6 * ld + d), r7 = _mm256_loadu_ps(r + 7 * ld + d);
			__m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
			__m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
			__m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
			__m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
			__m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xee);
			__m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xee);
			__m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xee);
			__m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xee);
			float *o = kt + d * n16 + j;
			_mm256_storeu_ps(o, _mm256_permute2f128_ps(u0, u4, 0x20));
			_mm256_storeu_ps(o + n16, _mm256_permute2f128_ps(u1, u5, 0x20));
			_mm256_storeu_ps(o + 2 * n16, _mm256_permute2f128_ps(u2, u6, 0x20));
			_mm256_storeu_ps(o + 3 * n16, _mm256_permute2f128_ps(u3, u7, 0x20));
			_mm256_storeu_ps(o + 4 * n16, _mm256_permute2f128_ps(u0, u4, 0x31));
			_mm256_storeu_ps(o + 5 * n16, _mm256_permute2f128_ps(u1, u5, 0x31));
			_mm256_storeu_ps(o + 6 * n16, _mm256_permute2f128_ps(u2, u6, 0x31));
			_mm256_storeu_ps(o + 7 * n16, _mm256_permute2f128_ps(u3, u7, 0x31));
		}
		for (; d < dh; d++)
			for (size_t jj = j; jj < j + 8; jj++)
				kt[d * n16 + jj] = k[jj * ld + d];
	}
	for (size_t d = 0; d < dh; d++) {
		float *row = kt + d * n16;
		for (size_t jj = j; jj < n; jj++)
			row[jj] = k[jj * ld + d];
		for (size_t jj = n; jj < n16; jj++)
			row[jj] = 0;
	}
}

/* S (n, n16) = q (n, dh; rows ld apart) kt (dh, n16): four queries and
 * sixteen keys at a time, eight accumulators. */
AVX2 static void scores_avx2(float *S, const float *q, size_t ld, const float *kt, size_t n,
			     size_t n16, size_t dh)
{
	size_t i = 0;
	for (; i + 4 <= n; i += 4) {
		const float *q0 = q + i * ld, *q1 = q0 + ld, *q2 = q1 + ld, *q3 = q2 + ld;
		for (size_t j = 0; j < n16; j += 16) {
			__m256 a00 = _mm256_setzero_ps(), a01 = a00, a10 = a00, a11 = a00;
			__m256 a20 = a00, a21 = a00, a30 = a00, a31 = a00;
			for (size_t d = 0; d < dh; d++) {
				__m256 k0 = _mm256_loadu_ps(kt + d * n16 + j);
				__m256 k1 = _mm256_loadu_ps(kt + d * n16 + j + 8);
				__m256 b = _mm256_set1_ps(q0[d]);
				a00 = _mm256_fmadd_ps(b, k0, a00);
				a01 = _mm256_fmadd_ps(b, k1, a01);
				b = _mm256_set1_ps(q1[d]);
				a10 = _mm256_fmadd_ps(b, k0, a10);
				a11 = _mm256_fmadd_ps(b, k1, a11);
				b = _mm256_set1_ps(q2[d]);
				a20 = _mm256_fmadd_ps(b, k0, a20);
				a21 = _mm256_fmadd_ps(b, k1, a21);
				b = _mm256_set1_ps(q3[d]);
				a30 = _mm256_fmadd_ps(b, k0, a30);
				a31 = _mm256_fmadd_ps(b, k1, a31);
			}
			float *s = S + i * n16 + j;
			_mm256_storeu_ps(s, a00);
			_mm256_storeu_ps(s + 8, a01);
			_mm256_storeu_ps(s + n16, a10);
			_mm256_storeu_ps(s + n16 + 8, a11);
			_mm256_storeu_ps(s + 2 * n16, a20);
			_mm256_storeu_ps(s + 2 * n16 + 8, a21);
			_mm256_storeu_ps(s + 3 * n16, a30);
			_mm256_storeu_ps(s + 3 * n16 + 8, a31);
		}
	}
	for (; i < n; i++) {
		const float *qi = q + i * ld;
		for (size_t j = 0; j < n16; j += 16) {
			__m256 a0 = _mm256_setzero_ps(), a1 = a0;
			for (size_t d = 0; d < dh; d++) {
				__m256 b = _mm256_set1_ps(qi[d]);
				a0 = _mm256_fmadd_ps(b, _mm256_loadu_ps(kt + d * n16 + j), a0);
				a1 = _mm256_fmadd_ps(b, _mm256_loadu_ps(kt + d * n16 + j + 8), a1);
			}
			_mm256_storeu_ps(S + i * n16 + j, a0);
			_mm256_storeu_ps(S + i * n16 + j + 8, a1);
		}
	}
}

/* ctx (n, dh; rows ldc apart) = P (n, n16; the first n columns) v (n, dh;
 * rows ld apart): four queries and sixteen dimensions at a time. */
AVX2 static void mix_avx2(float *ctx, size_t ldc, const float *P, size_t n16, const float *v,
			  size_t ld, size_t n, size_t dh)
{
	size_t i = 0;
	for (; i + 4 <= n; i += 4) {
		const float *p0 = P + i * n16, *p1 = p0 + n16, *p2 = p1 + n16, *p3 = p2 + n16;
		float *c0 = ctx + i * ldc, *c1 = c0 + ldc, *c2 = c1 + ldc, *c3 = c2 + ldc;
		size_t d = 0;
		for (; d + 16 <= dh; d += 16) {
			__m256 a00 = _mm256_setzero_ps(), a01 = a00, a10 = a00, a11 = a00;
			__m256 a20 = a00, a21 = a00, a30 = a00, a31 = a00;
			for (size_t j = 0; j < n; j++) {
				__m256 v0 = _mm256_loadu_ps(v + j * ld + d);
				__m256 v1 = _mm256_loadu_ps(v + j * ld + d + 8);
				__m256 b = _mm256_set1_ps(p0[j]);
				a00 = _mm256_fmadd_ps(b, v0, a00);
				a01 = _mm256_fmadd_ps(b, v1, a01);
				b = _mm256_set1_ps(p1[j]);
				a10 = _mm256_fmadd_ps(b, v0, a10);
				a11 = _mm256_fmadd_ps(b, v1, a11);
				b = _mm256_set1_ps(p2[j]);
				a20 = _mm256_fmadd_ps(b, v0, a20);
				a21 = _mm256_fmadd_ps(b, v1, a21);
				b = _mm256_set1_ps(p3[j]);
				a30 = _mm256_fmadd_ps(b, v0, a30);
				a31 = _mm256_fmadd_ps(b, v1, a31);
			}
			_mm256_storeu_ps(c0 + d, a00);
			_mm256_storeu_ps(c0 + d + 8, a01);
			_mm256_storeu_ps(c1 + d, a10);
			_mm256_storeu_ps(c1 + d + 8, a11);
			_mm256_storeu_ps(c2 + d, a20);
			_mm256_storeu_ps(c2 + d + 8, a21);
			_mm256_storeu_ps(c3 + d, a30);
			_mm256_storeu_ps(c3 + d + 8, a31);
		}
		for (; d + 8 <= dh; d += 8) {
			__m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
			for (size_t j = 0; j < n; j++) {
				__m256 v0 = _mm256_loadu_ps(v + j * ld + d);
				a0 = _mm256_fmadd_ps(_mm256_set1_ps(p0[j]), v0, a0);
				a1 = _mm256_fmadd_ps(_mm256_set1_ps(p1[j]), v0, a1);
				a2 = _mm256_fmadd_ps(_mm256_set1_ps(p2[j]), v0, a2);
				a3 = _mm256_fmadd_ps(_mm256_set1_ps(p3[j]), v0, a3);
			}
			_mm256_storeu_ps(c0 + d, a0);
			_mm256_storeu_ps(c1 + d, a1);
			_mm256_storeu_ps(c2 + d, a2);
			_mm256_storeu_ps(c3 + d, a3);
		}
		for (; d < dh; d++) {
			float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
			for (size_t j = 0; j < n; j++) {
				float x = v[j * ld + d];
				s0 += p0[j] * x;
				s1 += p1[j] * x;
				s2 += p2[j] * x;
				s3 += p3[j] * x;
			}
			c0[d] = s0;
			c1[d] = s1;
			c2[d] = s2;
			c3[d] = s3;
		}
	}
	for (; i < n; i++) {
		const float *pi = P + i * n16;
		float *ci = ctx + i * ldc;
		size_t d = 0;
		for (; d + 8 <= dh; d += 8) {
			__m256 a0 = _mm256_setzero_ps();
			for (size_t j = 0; j < n; j++)
				a0 = _mm256_fmadd_ps(_mm256_set1_ps(pi[j]), _mm256_loadu_ps(v + j * ld + d),
						     a0);
			_mm256_storeu_ps(ci + d, a0);
		}
		for (; d < dh; d++) {
			float s = 0;
			for (size_t j = 0; j < n; j++)
				s += pi[j] * v[j * ld + d];
			ci[d] = s;
		}
	}
}

AVX2 static void attention_avx2(float *ctx, size_t ldc, const float *q, const float *k,
				const float *v, size_t ld, size_t n, size_t heads, size_t dh,
				float scale, float *work)
{
	size_t n16 = (n + 15) / 16 * 16;
	float *kt = work;          /* (dh, n16) k transposed, zero beyond n */
	float *S = work + dh * n16; /* (n, n16) scores, then weights */
	for (size_t h = 0; h < heads; h++) {
		size_t o = h * dh;
		transpose_avx2(kt, n16, k + o, ld, n, dh);
		scores_avx2(S, q + o, ld, kt, n, n16, dh);
		for (size_t i = 0; i < n; i++)
			softmax_avx2(S + i * n16, n, scale);
		mix_avx2(ctx + o, ldc, S, n16, v + o, ld, n, dh);
	}
}

AVX2 static void dequantize_avx2(float *dst, const int8_t *q, const float *scale, size_t rows,
				 size_t cols)
{
	for (size_t r = 0; r < rows; r++) {
		const int8_t *qr = q + r * cols;
		float *dr = dst + r * cols;
		__m256 s = _mm256_set1_ps(scale[r]);
		size_t c = 0;
		for (; c + 8 <= cols; c += 8) {
			__m128i b = _mm_loadl_epi64((const __m128i *)(const void *)(qr + c));
			__m256 f = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(b));
			_mm256_storeu_ps(dr + c, _mm256_mul_ps(f, s));
		}
		for (; c < cols; c++)
			dr[c] = (float)qr[c] * scale[r];
	}
}

#endif /* NN_X86 */

/* ---- dispatch ---- */

#ifdef NN_X86
#define DISPATCH(avx2, ref, ...)                                                                   \
	do {                                                                                       \
		if (lmrec_nn_simd())                                                               \
			avx2(__VA_ARGS__);                                                         \
		else                                                                               \
			ref(__VA_ARGS__);                                                          \
	} while (0)
#else
#define DISPATCH(avx2, ref, ...) ref(__VA_ARGS__)
#endif

void lmrec_nn_bias_add(float *x, const float *bias, size_t rows, size_t cols)
{
	DISPATCH(bias_add_avx2, lmrec_nn_bias_add_ref, x, bias, rows, cols);
}

void lmrec_nn_bias_gelu(float *x, const float *bias, size_t rows, size_t cols)
{
	DISPATCH(bias_gelu_avx2, lmrec_nn_bias_gelu_ref, x, bias, rows, cols);
}

void lmrec_nn_layernorm(float *x, const float *y, const float *bias, const float *gamma,
			const float *beta, size_t rows, size_t cols, double eps)
{
	DISPATCH(layernorm_avx2, lmrec_nn_layernorm_ref, x, y, bias, gamma, beta, rows, cols, eps);
}

void lmrec_nn_softmax(float *x, size_t n, float s)
{
	DISPATCH(softmax_avx2, lmrec_nn_softmax_ref, x, n, s);
}

void lmrec_nn_attention(float *ctx, size_t ldc, const float *q, const float *k, const float *v,
			size_t ld, size_t n, size_t heads, size_t dh, float scale, float *work)
{
	DISPATCH(attention_avx2, lmrec_nn_attention_ref, ctx, ldc, q, k, v, ld, n, heads, dh, scale,
		 work);
}

void lmrec_nn_dequantize(float *dst, const int8_t *q, const float *scale, size_t rows,
			 size_t cols)
{
	DISPATCH(dequantize_avx2, lmrec_nn_dequantize_ref, dst, q, scale, rows, cols);
}

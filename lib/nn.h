/* lmrec — element-wise and small kernels of Transformer networks: GELU,
 * LayerNorm, softmax attention over one sequence, int8 rows.
 *
 * The large products go to BLAS (cblas_sgemm); these are the rest of a
 * layer, the part that BLAS does not do. Each kernel is written twice: a
 * portable C version (the *_ref name) and, on x86-64 with GCC or Clang, an
 * AVX2+FMA version chosen at run time when the processor has those
 * instructions; the plain name dispatches. Both compute the same formulas
 * with the same approximations; they differ by rounding only (FMA), and
 * tests/unit/nn.c holds them to that.
 *
 * GELU is the exact one of BERT, x * Phi(x) = x/2 * (1 + erf(x / sqrt 2)),
 * with erfc evaluated by a rational fit of our own (degree 6 in
 * t = 1/(1 + a/2) times exp(-a^2); absolute error below 1e-8 in exact
 * arithmetic, a few float roundings in practice): relative error about
 * 3e-7 against the exact function, where libm's erff costs 15 ns an
 * element. exp is reduced to 2^k * exp(r), |r| <= ln2/2, with a degree-7
 * polynomial (relative error about 1e-7). Sums of LayerNorm and softmax are
 * accumulated in double.
 *
 * Matrices are row-major floats; shapes are in comments. */
#ifndef LMREC_NN_H
#define LMREC_NN_H

#include <stddef.h>
#include <stdint.h>

/* 1 when the AVX2+FMA kernels run on this machine; its name for reports
 * ("avx2+fma" or "portable C"). */
int lmrec_nn_simd(void);
const char *lmrec_nn_simd_name(void);

/* x (rows, cols) += bias (cols) on every row. */
void lmrec_nn_bias_add(float *x, const float *bias, size_t rows, size_t cols);
void lmrec_nn_bias_add_ref(float *x, const float *bias, size_t rows, size_t cols);

/* x (rows, cols) = gelu(x + bias) element-wise; bias (cols) may be NULL. */
void lmrec_nn_bias_gelu(float *x, const float *bias, size_t rows, size_t cols);
void lmrec_nn_bias_gelu_ref(float *x, const float *bias, size_t rows, size_t cols);

/* Each row of x (rows, cols) becomes LayerNorm(x + y + bias) * gamma + beta:
 * the mean and the (biased) variance of the row, taken in double, then
 * (v - mean) / sqrt(var + eps). y (rows, cols) and bias (cols) may be NULL;
 * gamma and beta (cols). */
void lmrec_nn_layernorm(float *x, const float *y, const float *bias, const float *gamma,
			const float *beta, size_t rows, size_t cols, double eps);
void lmrec_nn_layernorm_ref(float *x, const float *y, const float *bias, const float *gamma,
			    const float *beta, size_t rows, size_t cols, double eps);

/* Softmax of x (n) scaled: x_j = exp(s x_j - max) / sum, max subtracted,
 * the sum in double. s > 0. */
void lmrec_nn_softmax(float *x, size_t n, float s);
void lmrec_nn_softmax_ref(float *x, size_t n, float s);

/* Multi-head self-attention over one sequence of n positions: for each
 * head h of heads, ctx_h (n, dh) = softmax(scale q_h k_h^T) v_h, where q_h
 * is columns h dh to h dh + dh - 1 of q's n rows (ld floats apart), and so
 * for k_h, v_h and ctx_h (rows ldc apart). work holds
 * lmrec_nn_attention_work(n, dh) floats. */
void lmrec_nn_attention(float *ctx, size_t ldc, const float *q, const float *k, const float *v,
			size_t ld, size_t n, size_t heads, size_t dh, float scale, float *work);
void lmrec_nn_attention_ref(float *ctx, size_t ldc, const float *q, const float *k,
			    const float *v, size_t ld, size_t n, size_t heads, size_t dh,
			    float scale, float *work);
size_t lmrec_nn_attention_work(size_t n, size_t dh);

/* Symmetric int8 rows: scale[r] = max_c |w[r][c]| / 127 (0 for a zero row)
 * and q[r][c] = round(w[r][c] / scale[r]), within [-127, 127]. */
void lmrec_nn_quantize(int8_t *q, float *scale, const float *w, size_t rows, size_t cols);
/* dst (rows, cols) = q (rows, cols) * scale (rows), row by row. */
void lmrec_nn_dequantize(float *dst, const int8_t *q, const float *scale, size_t rows,
			 size_t cols);
void lmrec_nn_dequantize_ref(float *dst, const int8_t *q, const float *scale, size_t rows,
			     size_t cols);

#endif

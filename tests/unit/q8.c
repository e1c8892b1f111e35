/* Unit tests of lib/q8.c: the integer product against the float product
 * within the quantisation's error, and the AVX2 kernel against the portable
 * one bit for bit, on shapes around every block size (4 rows, 16 columns,
 * 4 inputs, 64 rows a pass). */
#include <math.h>

#include "check.h"
#include "nn.h"
#include "q8.h"

static void fill(float *x, size_t n, struct lmrec_rng *rng, double lo, double hi)
{
	for (size_t i = 0; i < n; i++)
		x[i] = (float)(lo + (hi - lo) * lmrec_rng_double(rng));
}

static void test_pack(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 1);
	size_t out = 19, in = 13;
	float w[19 * 13], back[19 * 13];
	fill(w, out * in, &rng, -1, 1);
	w[4] = 3.0f; /* row 0's largest */
	for (size_t k = 0; k < in; k++)
		w[5 * in + k] = 0; /* a zero row */
	struct lmrec_q8w q;
	lmrec_q8w_pack(&q, w, out, in);
	CHECK_U64(q.kq, 4);
	CHECK_U64(q.groups, 2);
	CHECK(q.scale[0] == 3.0f / 63);
	CHECK(q.scale[5] == 0);
	CHECK_INT(q.sum[5], 0);
	lmrec_q8w_unpack(back, &q);
	CHECK(back[4] == 3.0f);
	for (size_t n = 0; n < out; n++) {
		int32_t sum = 0;
		for (size_t k = 0; k < in; k++) {
			float c = q.scale[n] > 0 ? back[n * in + k] / q.scale[n] : 0;
			CHECK(fabsf(c) <= 63.0001f && fabsf(c - rintf(c)) < 1e-4f);
			CHECK(fabsf(back[n * in + k] - w[n * in + k]) <= q.scale[n] * 0.5001f);
			sum += (int32_t)lrintf(c);
		}
		CHECK_INT(q.sum[n], sum);
	}
	CHECK_U64(lmrec_q8w_bytes(&q), 2 * 4 * 64 + 32 * 8);
	lmrec_q8w_free(&q);
	lmrec_q8w_free(&q); /* freed twice: the second time is a no-op */
}

static void test_products(void)
{
	printf("# kernels: %s\n", lmrec_nn_simd_name());
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 2);
	static const size_t rows_[] = {1, 3, 4, 5, 67, 130};
	static const size_t outs[] = {1, 15, 16, 17, 40};
	static const size_t ins[] = {1, 3, 4, 7, 33, 384};
	double worst = 0;
	for (size_t a = 0; a < sizeof rows_ / sizeof *rows_; a++)
		for (size_t b = 0; b < sizeof outs / sizeof *outs; b++)
			for (size_t c = 0; c < sizeof ins / sizeof *ins; c++) {
				size_t rows = rows_[a], out = outs[b], in = ins[c];
				float *x = lmrec_xcalloc(rows * in, sizeof *x);
				float *w = lmrec_xcalloc(out * in, sizeof *w);
				fill(x, rows * in, &rng, -0.2, 3); /* as after GELU: lopsided */
				fill(w, out * in, &rng, -0.5, 0.5);
				if (rows > 2)
					for (size_t k = 0; k < in; k++)
						x[2 * in + k] = 1.5f; /* a constant row: step 0 */
				struct lmrec_q8w q;
				lmrec_q8w_pack(&q, w, out, in);
				void *work = lmrec_xcalloc(lmrec_q8_work(rows, &q), 1);
				float *y1 = lmrec_xcalloc(rows * out, sizeof *y1);
				float *y2 = lmrec_xcalloc(rows * out, sizeof *y2);
				lmrec_q8_gemm_ref(y1, x, rows, &q, work);
				lmrec_q8_gemm(y2, x, rows, &q, work);
				if (memcmp(y1, y2, rows * out * sizeof *y1) != 0)
					check_fail(__FILE__, __LINE__,
						   "rows %zu out %zu in %zu: the kernels differ", rows, out, in);
				/* against the float product: within the codes' steps */
				for (size_t r = 0; r < rows; r++) {
					float mn = x[r * in], mx = x[r * in];
					for (size_t k = 0; k < in; k++) {
						mn = fminf(mn, x[r * in + k]);
						mx = fmaxf(mx, x[r * in + k]);
					}
					for (size_t n = 0; n < out; n++) {
						double want = 0, wmax = 0, bound = 0;
						for (size_t k = 0; k < in; k++) {
							want += (double)x[r * in + k] * w[n * in + k];
							wmax = fmax(wmax, fabs(w[n * in + k]));
						}
						/* each term off by at most half an activation step
						 * times |w| plus half a weight step times |x| */
						for (size_t k = 0; k < in; k++)
							bound += (mx - mn) / 255 / 2 * fabs(w[n * in + k]) +
								 wmax / 63 / 2 * fabs(x[r * in + k]);
						double err = fabs(y1[r * out + n] - want);
						worst = fmax(worst, err / (bound + 1e-30));
						if (err > bound * 1.01 + 1e-5)
							check_fail(__FILE__, __LINE__,
								   "rows %zu out %zu in %zu: y[%zu][%zu] = %g, "
								   "float product %g, bound %g",
								   rows, out, in, r, n, y1[r * out + n], want, bound);
					}
				}
				lmrec_q8w_free(&q);
				free(work);
				free(x);
				free(w);
				free(y1);
				free(y2);
			}
	printf("# the largest error, as a share of its bound: %.3f\n", worst);
}

int main(void)
{
	lmrec_setprogname("q8");
	CHECK_RUN(test_pack);
	CHECK_RUN(test_products);
	return check_done();
}

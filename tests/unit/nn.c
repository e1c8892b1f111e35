/* Unit tests of lib/nn.c: every kernel against a slow double-precision
 * definition, and the dispatched kernel (AVX2+FMA where the processor has
 * it) against the portable one, on shapes that leave tails of every
 * length behind the 8- and 16-wide blocks. */
#include <float.h>
#include <math.h>

#include "check.h"
#include "nn.h"

static double gelu_exact(double x) { return x * 0.5 * erfc(-x / sqrt(2.0)); }

/* Deterministic values in [-r, r). */
static void fill(float *x, size_t n, struct lmrec_rng *rng, double r)
{
	for (size_t i = 0; i < n; i++)
		x[i] = (float)((2 * lmrec_rng_double(rng) - 1) * r);
}

static void test_gelu(void)
{
	printf("# kernels: %s\n", lmrec_nn_simd_name());
	size_t n = 0, cap = 64000;
	float *x = lmrec_xcalloc(cap, sizeof *x);
	for (double v = -12; v <= 12; v += 1.0 / 1024)
		x[n++] = (float)v;
	static const float special[] = {0.0f,  -0.0f,  1e-30f, -1e-30f, 1e-3f, -1e-3f, 20.0f,
					-20.0f, 100.0f, -100.0f, 3e38f, -3e38f, 0.5f,  -0.5f};
	for (size_t i = 0; i < sizeof special / sizeof *special; i++)
		x[n++] = special[i];
	float *a = lmrec_xcalloc(n, sizeof *a), *b = lmrec_xcalloc(n, sizeof *b);
	memcpy(a, x, n * sizeof *x);
	memcpy(b, x, n * sizeof *x);
	lmrec_nn_bias_gelu_ref(a, NULL, 1, n);
	lmrec_nn_bias_gelu(b, NULL, 1, n);
	double err = 0, dis = 0;
	for (size_t i = 0; i < n; i++) {
		double want = gelu_exact(x[i]), scale = fmax(fabs((double)x[i]), 1e-30);
		err = fmax(err, fabs(a[i] - want) / scale);
		dis = fmax(dis, fabs((double)a[i] - b[i]) / scale);
	}
	printf("# gelu: max error %.3g |x| (portable), dispatched against portable %.3g |x|\n", err,
	       dis);
	CHECK(err < 5e-7);
	CHECK(dis < 3e-7);
	CHECK(a[n - 14] == 0.0f && b[n - 14] == 0.0f);
	CHECK(a[n - 8] == 20.0f && b[n - 8] == 20.0f);
	CHECK(a[n - 7] == 0.0f && b[n - 7] == 0.0f); /* -20: Phi(-20) = 3e-89 */
	CHECK(a[n - 3] == 0.0f && b[n - 3] == 0.0f); /* -3e38 */
	CHECK(a[n - 4] == 3e38f && b[n - 4] == 3e38f);

	/* with a bias, over rows whose length leaves tails */
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 1);
	size_t rows = 3, cols = 21;
	float bias[21], m[63], r[63];
	fill(bias, cols, &rng, 1);
	fill(m, rows * cols, &rng, 4);
	memcpy(r, m, sizeof m);
	lmrec_nn_bias_gelu(m, bias, rows, cols);
	for (size_t i = 0; i < rows * cols; i++) {
		double v = (double)(r[i] + bias[i % cols]);
		CHECK(fabs(m[i] - gelu_exact(v)) <= 5e-7 * fmax(fabs(v), 1));
	}
	free(x);
	free(a);
	free(b);
}

static void softmax_exact(double *out, const float *x, size_t n, double s)
{
	double m = x[0], sum = 0;
	for (size_t j = 1; j < n; j++)
		m = fmax(m, x[j]);
	for (size_t j = 0; j < n; j++)
		sum += out[j] = exp((x[j] - m) * s);
	for (size_t j = 0; j < n; j++)
		out[j] /= sum;
}

static void test_softmax(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 2);
	float x[300], a[300], b[300];
	double want[300], err = 0, dis = 0;
	for (size_t n = 1; n <= 300; n += n < 40 ? 1 : 37) {
		fill(x, n, &rng, n % 3 ? 5 : 200); /* some rows far below their max */
		float s = n % 2 ? 0.125f : 1.0f;
		memcpy(a, x, n * sizeof *x);
		memcpy(b, x, n * sizeof *x);
		lmrec_nn_softmax_ref(a, n, s);
		lmrec_nn_softmax(b, n, s);
		softmax_exact(want, x, n, s);
		double sa = 0;
		for (size_t j = 0; j < n; j++) {
			/* relative to the weights that count: a tiny one also carries
			 * the rounding of its (x - max), as in any float softmax */
			double w = fmax(want[j], 1e-6);
			err = fmax(err, fabs(a[j] - want[j]) / w);
			dis = fmax(dis, fabs((double)a[j] - b[j]) / w);
			sa += a[j];
		}
		CHECK(fabs(sa - 1) < 1e-6);
	}
	/* far below the maximum, exp underflows to 0, not to garbage */
	float y[3] = {0, -1000, -100}, z[3];
	memcpy(z, y, sizeof y);
	lmrec_nn_softmax_ref(y, 3, 1);
	lmrec_nn_softmax(z, 3, 1);
	CHECK(y[0] == 1.0f && y[1] < 1e-37f && y[2] < 1e-37f);
	CHECK(z[0] == 1.0f && z[1] < 1e-37f && z[2] < 1e-37f);
	printf("# softmax: max relative error %.3g, dispatched against portable %.3g\n", err, dis);
	CHECK(err < 1e-6);
	CHECK(dis < 1e-6);
}

static void layernorm_exact(double *out, const float *x, const float *y, const float *bias,
			    const float *g, const float *b, size_t cols, double eps)
{
	double mean = 0, var = 0;
	for (size_t c = 0; c < cols; c++) {
		out[c] = (double)x[c] + (y ? y[c] : 0) + (bias ? bias[c] : 0);
		mean += out[c];
	}
	mean /= (double)cols;
	for (size_t c = 0; c < cols; c++)
		var += (out[c] - mean) * (out[c] - mean);
	var /= (double)cols;
	for (size_t c = 0; c < cols; c++)
		out[c] = (out[c] - mean) / sqrt(var + eps) * g[c] + b[c];
}

static void test_layernorm(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 3);
	static const size_t shapes[][2] = {{3, 1}, {5, 7}, {4, 37}, {2, 384}, {1, 8}};
	double err = 0, dis = 0;
	for (size_t k = 0; k < sizeof shapes / sizeof *shapes; k++)
		for (int variant = 0; variant < 4; variant++) {
			size_t rows = shapes[k][0], cols = shapes[k][1], n = rows * cols;
			float *x = lmrec_xcalloc(n, sizeof *x), *y = lmrec_xcalloc(n, sizeof *y);
			float *bias = lmrec_xcalloc(cols, sizeof *bias), *g = lmrec_xcalloc(cols, 4);
			float *be = lmrec_xcalloc(cols, 4), *a = lmrec_xcalloc(n, 4), *b = lmrec_xcalloc(n, 4);
			double *want = lmrec_xcalloc(cols, sizeof *want);
			fill(x, n, &rng, 3);
			fill(y, n, &rng, 3);
			fill(bias, cols, &rng, 1);
			fill(g, cols, &rng, 2);
			fill(be, cols, &rng, 1);
			if (variant == 3) /* a large common offset: the mean must not lose the rest */
				for (size_t i = 0; i < n; i++)
					x[i] += 10000.0f;
			const float *yy = variant & 1 ? y : NULL, *bb = variant & 2 ? bias : NULL;
			memcpy(a, x, n * sizeof *x);
			memcpy(b, x, n * sizeof *x);
			lmrec_nn_layernorm_ref(a, yy, bb, g, be, rows, cols, 1e-12);
			lmrec_nn_layernorm(b, yy, bb, g, be, rows, cols, 1e-12);
			for (size_t r = 0; r < rows; r++) {
				layernorm_exact(want, x + r * cols, yy ? yy + r * cols : NULL, bb, g, be,
						cols, 1e-12);
				for (size_t c = 0; c < cols; c++) {
					double tol = variant == 3 ? 1e-3 : 1; /* x itself rounded near 1e4 */
					err = fmax(err, fabs(a[r * cols + c] - want[c]) * tol);
					dis = fmax(dis, fabs((double)a[r * cols + c] - b[r * cols + c]));
				}
			}
			free(x);
			free(y);
			free(bias);
			free(g);
			free(be);
			free(a);
			free(b);
			free(want);
		}
	printf("# layernorm: max error %.3g, dispatched against portable %.3g\n", err, dis);
	CHECK(err < 2e-6);
	CHECK(dis < 2e-6);
}

/* ctx (n, heads dh) of one sequence, in double from the definition. */
static void attention_exact(double *ctx, const float *qkv, size_t n, size_t heads, size_t dh,
			    double scale)
{
	size_t h = heads * dh, ld = 3 * h;
	double *p = lmrec_xcalloc(n, sizeof *p);
	for (size_t hd = 0; hd < heads; hd++)
		for (size_t i = 0; i < n; i++) {
			double m = -INFINITY, sum = 0;
			for (size_t j = 0; j < n; j++) {
				double s = 0;
				for (size_t d = 0; d < dh; d++)
					s += (double)qkv[i * ld + hd * dh + d] * qkv[j * ld + h + hd * dh + d];
				p[j] = s * scale;
				m = fmax(m, p[j]);
			}
			for (size_t j = 0; j < n; j++)
				sum += p[j] = exp(p[j] - m);
			for (size_t d = 0; d < dh; d++) {
				double s = 0;
				for (size_t j = 0; j < n; j++)
					s += p[j] / sum * qkv[j * ld + 2 * h + hd * dh + d];
				ctx[i * h + hd * dh + d] = s;
			}
		}
	free(p);
}

static void test_attention(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 4);
	static const size_t ns[] = {1, 3, 4, 5, 16, 17, 40};
	static const size_t dhs[] = {6, 8, 16, 24, 40};
	double err = 0, dis = 0;
	for (size_t a = 0; a < sizeof ns / sizeof *ns; a++)
		for (size_t b = 0; b < sizeof dhs / sizeof *dhs; b++) {
			size_t n = ns[a], dh = dhs[b], heads = 3, h = heads * dh;
			float *qkv = lmrec_xcalloc(n * 3 * h, sizeof *qkv);
			fill(qkv, n * 3 * h, &rng, 2);
			float scale = (float)(1 / sqrt((double)dh));
			/* ctx rows wider than the heads: columns beyond stay untouched */
			float *c1 = lmrec_xcalloc(n * (h + 1), sizeof *c1);
			float *c2 = lmrec_xcalloc(n * (h + 1), sizeof *c2);
			for (size_t i = 0; i < n; i++)
				c1[i * (h + 1) + h] = c2[i * (h + 1) + h] = 7.0f;
			float *work = lmrec_xcalloc(lmrec_nn_attention_work(n, dh), sizeof *work);
			double *want = lmrec_xcalloc(n * h, sizeof *want);
			lmrec_nn_attention_ref(c1, h + 1, qkv, qkv + h, qkv + 2 * h, 3 * h, n, heads, dh,
					       scale, work);
			lmrec_nn_attention(c2, h + 1, qkv, qkv + h, qkv + 2 * h, 3 * h, n, heads, dh,
					   scale, work);
			attention_exact(want, qkv, n, heads, dh, scale);
			for (size_t i = 0; i < n; i++) {
				for (size_t d = 0; d < h; d++) {
					err = fmax(err, fabs(c1[i * (h + 1) + d] - want[i * h + d]));
					dis = fmax(dis, fabs((double)c1[i * (h + 1) + d] - c2[i * (h + 1) + d]));
				}
				CHECK(c1[i * (h + 1) + h] == 7.0f && c2[i * (h + 1) + h] == 7.0f);
			}
			free(qkv);
			free(c1);
			free(c2);
			free(work);
			free(want);
		}
	printf("# attention: max error %.3g, dispatched against portable %.3g\n", err, dis);
	CHECK(err < 1e-5);
	CHECK(dis < 1e-5);
}

static void test_int8_rows(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 5);
	size_t rows = 4, cols = 27;
	float w[108], a[108], b[108], scale[4];
	int8_t q[108];
	fill(w, rows * cols, &rng, 1);
	w[5] = -2.0f; /* row 0's largest magnitude */
	for (size_t c = 0; c < cols; c++)
		w[2 * cols + c] = 0; /* a zero row */
	lmrec_nn_quantize(q, scale, w, rows, cols);
	CHECK(scale[0] == 2.0f / 127);
	CHECK_INT(q[5], -127);
	CHECK(scale[2] == 0);
	for (size_t c = 0; c < cols; c++)
		CHECK_INT(q[2 * cols + c], 0);
	lmrec_nn_dequantize_ref(a, q, scale, rows, cols);
	lmrec_nn_dequantize(b, q, scale, rows, cols);
	CHECK(check_same_bits(a, b, sizeof a));
	for (size_t r = 0; r < rows; r++)
		for (size_t c = 0; c < cols; c++) {
			CHECK(q[r * cols + c] >= -127);
			CHECK(fabsf(a[r * cols + c] - w[r * cols + c]) <= scale[r] * 0.5001f);
		}
}

static void test_bias_add(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 6);
	float x[3 * 13], y[3 * 13], bias[13];
	fill(x, 39, &rng, 5);
	fill(bias, 13, &rng, 5);
	memcpy(y, x, sizeof x);
	lmrec_nn_bias_add_ref(x, bias, 3, 13);
	lmrec_nn_bias_add(y, bias, 3, 13);
	CHECK(check_same_bits(x, y, sizeof x));
	CHECK(x[14] == y[14]);
}

int main(void)
{
	lmrec_setprogname("nn");
	CHECK_RUN(test_gelu);
	CHECK_RUN(test_softmax);
	CHECK_RUN(test_layernorm);
	CHECK_RUN(test_attention);
	CHECK_RUN(test_int8_rows);
	CHECK_RUN(test_bias_add);
	return check_done();
}

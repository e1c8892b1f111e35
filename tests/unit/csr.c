/* Unit tests of lib/csr.c against dense matrices built the slow way:
 * triples with repeats under each rule (one, sum, max), rows short enough
 * for the insertion sort and long enough for qsort, empty rows, the
 * transpose, and the refusal of entries outside the matrix. */
#include <math.h>

#include "check.h"
#include "csr.h"

/* The dense reference: present, and the value under each rule. Sums are
 * made in float in input order, as the CSR promises (repeats keep their
 * input order), so they compare exactly. */
struct dense {
	size_t rows, cols;
	unsigned char *has;
	float *sum, *max;
};

static void dense_build(struct dense *d, size_t rows, size_t cols, const uint32_t *r,
			const uint32_t *c, const float *v, size_t n)
{
	d->rows = rows;
	d->cols = cols;
	d->has = lmrec_xcalloc(rows * cols + 1, 1);
	d->sum = lmrec_xcalloc(rows * cols + 1, sizeof *d->sum);
	d->max = lmrec_xcalloc(rows * cols + 1, sizeof *d->max);
	for (size_t i = 0; i < n; i++) {
		size_t at = (size_t)r[i] * cols + c[i];
		float x = v ? v[i] : 1.0f;
		if (!d->has[at]) {
			d->has[at] = 1;
			d->sum[at] = x;
			d->max[at] = x;
		} else {
			d->sum[at] += x;
			if (x > d->max[at])
				d->max[at] = x;
		}
	}
}

static void dense_free(struct dense *d)
{
	free(d->has);
	free(d->sum);
	free(d->max);
}

/* 0 when m holds exactly d under rule dup (transposed when tr). */
static size_t csr_diff(const struct lmrec_csr *m, const struct dense *d, enum lmrec_dup dup, int tr)
{
	size_t bad = 0;
	size_t rows = tr ? d->cols : d->rows, cols = tr ? d->rows : d->cols;
	if (m->rows != rows || m->cols != cols || m->ptr[0] != 0)
		return 1;
	for (size_t i = 0; i < rows; i++) {
		uint64_t p = m->ptr[i], e = m->ptr[i + 1];
		if (e < p)
			return 1;
		for (size_t j = 0; j < cols; j++) {
			size_t at = tr ? j * d->cols + i : i * d->cols + j;
			if (!d->has[at])
				continue;
			if (p >= e || m->idx[p] != j) {
				bad++; /* missing, or something else where j belongs */
				continue;
			}
			float want = dup == LMREC_DUP_ONE ? 1.0f : dup == LMREC_DUP_SUM ? d->sum[at] : d->max[at];
			bad += !check_same_bits(&m->val[p], &want, sizeof want);
			p++;
		}
		bad += p != e; /* entries the dense matrix does not have */
	}
	return bad;
}

static void random_triples(struct lmrec_rng *rng, size_t rows, size_t cols, size_t n, uint32_t *r,
			   uint32_t *c, float *v, int long_rows)
{
	for (size_t i = 0; i < n; i++) {
		/* long_rows: most entries in row 0, so it passes 32 entries */
		r[i] = long_rows && lmrec_rng_below(rng, 2) ? 0 : (uint32_t)lmrec_rng_below(rng, rows);
		c[i] = (uint32_t)lmrec_rng_below(rng, cols);
		/* magnitudes far apart: a sum in another order differs in bits */
		double mag = pow(10.0, (double)lmrec_rng_below(rng, 9) - 4.0);
		v[i] = (float)((lmrec_rng_double(rng) * 2.0 - 1.0) * mag);
	}
}

static void test_against_dense(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 5);
	size_t bad = 0, long_rows = 0, empty_rows = 0, repeats = 0;
	enum { MAXN = 400 };
	uint32_t r[MAXN], c[MAXN];
	float v[MAXN];
	for (int t = 0; t < 400; t++) {
		size_t rows = 1 + (size_t)lmrec_rng_below(&rng, t < 200 ? 6 : 40);
		size_t cols = 1 + (size_t)lmrec_rng_below(&rng, t % 3 == 0 ? 5 : 120);
		size_t n = (size_t)lmrec_rng_below(&rng, MAXN + 1);
		random_triples(&rng, rows, cols, n, r, c, v, t % 2);
		struct dense d;
		dense_build(&d, rows, cols, r, c, v, n);
		for (size_t i = 0; i < rows; i++) {
			size_t inrow = 0;
			for (size_t q = 0; q < n; q++)
				inrow += r[q] == i;
			long_rows += inrow > 32;
			empty_rows += inrow == 0;
		}
		size_t distinct = 0;
		for (size_t q = 0; q < rows * cols; q++)
			distinct += d.has[q];
		repeats += n - distinct;
		for (int dup = LMREC_DUP_ONE; dup <= LMREC_DUP_MAX; dup++) {
			for (int with_v = 0; with_v < 2; with_v++) {
				struct dense dv = d;
				struct dense ones;
				if (!with_v) {
					dense_build(&ones, rows, cols, r, c, NULL, n);
					dv = ones;
				}
				struct lmrec_csr m, tm;
				lmrec_csr_build(&m, rows, cols, r, c, with_v ? v : NULL, n, (enum lmrec_dup)dup);
				size_t b = csr_diff(&m, &dv, (enum lmrec_dup)dup, 0);
				CHECK_U64(lmrec_csr_nnz(&m), distinct);
				lmrec_csr_transpose(&tm, &m);
				b += csr_diff(&tm, &dv, (enum lmrec_dup)dup, 1);
				if (b && bad < 5)
					printf("# rows=%zu cols=%zu n=%zu dup=%d values=%d: %zu differences\n",
					       rows, cols, n, dup, with_v, b);
				bad += b;
				lmrec_csr_free(&m);
				lmrec_csr_free(&tm);
				CHECK(m.ptr == NULL && m.rows == 0);
				if (!with_v)
					dense_free(&ones);
			}
		}
		dense_free(&d);
	}
	CHECK_U64(bad, 0);
	/* the cases the test means to cover did occur */
	CHECK(long_rows > 100);
	CHECK(empty_rows > 100);
	CHECK(repeats > 1000);
}

static void test_pinned(void)
{
	/* row 1 empty, repeats of (0, 2), a row past 32 entries built in
	 * descending order with repeats: the qsort path must keep their input
	 * order, which decides a float sum: (1e8 - 1e8) + 1 = 1 but any order
	 * with the 1 before a big value gives 0 */
	enum { N = 3 + 3 * 40 };
	uint32_t r[N], c[N];
	float v[N];
	size_t n = 0;
	r[n] = 0, c[n] = 2, v[n] = 1.0f, n++;
	r[n] = 0, c[n] = 0, v[n] = -3.0f, n++;
	r[n] = 0, c[n] = 2, v[n] = 5.0f, n++;
	for (uint32_t j = 0; j < 40; j++) {
		r[n] = 2, c[n] = 39 - j, v[n] = 1e8f, n++;
		r[n] = 2, c[n] = 39 - j, v[n] = -1e8f, n++;
		r[n] = 2, c[n] = 39 - j, v[n] = 1.0f, n++;
	}
	struct lmrec_csr m;
	lmrec_csr_build(&m, 4, 40, r, c, v, n, LMREC_DUP_SUM);
	CHECK_U64(m.ptr[0], 0);
	CHECK_U64(m.ptr[1], 2);
	CHECK_U64(m.ptr[2], 2); /* row 1 empty */
	CHECK_U64(m.ptr[3], 42);
	CHECK_U64(m.ptr[4], 42); /* row 3 empty too */
	CHECK(m.idx[0] == 0 && m.val[0] == -3.0f);
	CHECK(m.idx[1] == 2 && m.val[1] == 6.0f);
	for (uint32_t j = 0; j < 40; j++) {
		CHECK_U64(m.idx[2 + j], j);
		CHECK(m.val[2 + j] == 1.0f);
	}
	lmrec_csr_free(&m);
	lmrec_csr_build(&m, 4, 40, r, c, v, n, LMREC_DUP_MAX);
	CHECK(m.val[0] == -3.0f && m.val[1] == 5.0f && m.val[2] == 1e8f);
	lmrec_csr_free(&m);
	lmrec_csr_build(&m, 4, 40, r, c, v, n, LMREC_DUP_ONE);
	CHECK(m.val[0] == 1.0f && m.val[1] == 1.0f && m.val[41] == 1.0f);
	lmrec_csr_free(&m);

	/* nothing at all; zero rows; zero columns */
	lmrec_csr_build(&m, 3, 5, NULL, NULL, NULL, 0, LMREC_DUP_ONE);
	CHECK(m.rows == 3 && m.cols == 5 && lmrec_csr_nnz(&m) == 0);
	struct lmrec_csr t;
	lmrec_csr_transpose(&t, &m);
	CHECK(t.rows == 5 && t.cols == 3 && lmrec_csr_nnz(&t) == 0);
	lmrec_csr_free(&t);
	lmrec_csr_free(&m);
	lmrec_csr_build(&m, 0, 0, NULL, NULL, NULL, 0, LMREC_DUP_SUM);
	CHECK(m.rows == 0 && lmrec_csr_nnz(&m) == 0);
	lmrec_csr_transpose(&t, &m);
	CHECK(t.rows == 0 && lmrec_csr_nnz(&t) == 0);
	lmrec_csr_free(&t);
	lmrec_csr_free(&m);
}

struct bad_entry {
	uint32_t r, c;
};

static void child_build(void *arg)
{
	const struct bad_entry *b = arg;
	uint32_t r[2] = {0, b->r}, c[2] = {0, b->c};
	struct lmrec_csr m;
	lmrec_csr_build(&m, 3, 2, r, c, NULL, 2, LMREC_DUP_ONE);
	lmrec_csr_free(&m);
}

static void test_out_of_range(void)
{
	char err[512];
	struct bad_entry ok = {2, 1}, row = {3, 0}, col = {0, 2};
	CHECK_INT(check_child(child_build, &ok, err, sizeof err), 0);
	CHECK_STR(err, "");
	CHECK_INT(check_child(child_build, &row, err, sizeof err), 1);
	CHECK_STR(err, "csr: internal error: sparse entry (3, 0) outside 3 x 2");
	CHECK_INT(check_child(child_build, &col, err, sizeof err), 1);
	CHECK_STR(err, "csr: internal error: sparse entry (0, 2) outside 3 x 2");
}

int main(void)
{
	lmrec_setprogname("csr");
	CHECK_RUN(test_against_dense);
	CHECK_RUN(test_pinned);
	CHECK_RUN(test_out_of_range);
	return check_done();
}

/* lmrec — sparse matrices (see csr.h). */
#include <stdlib.h>
#include <string.h>

#include "csr.h"
#include "util.h"

struct entry {
	uint32_t col;
	float val;
	uint64_t pos; /* input order: a total order makes the sort stable */
};

static int cmp_entry(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* Sorts one row by column, keeping the input order of repeats. */
static void sort_row(uint32_t *idx, float *val, uint64_t n, struct entry **tmp, size_t *cap)
{
	if (n <= 32) {
		for (uint64_t j = 1; j < n; j++) {
			uint32_t ci = idx[j];
			float vi = val[j];
			uint64_t k = j;
			while (k > 0 && idx[k - 1] > ci) {
				idx[k] = idx[k - 1];
				val[k] = val[k - 1];
				k--;
			}
			idx[k] = ci;
			val[k] = vi;
		}
		return;
	}
	LMREC_GROW(*tmp, *cap, n);
	struct entry *e = *tmp;
	for (uint64_t j = 0; j < n; j++)
		e[j] = (struct entry){idx[j], val[j], j};
	qsort(e, n, sizeof *e, cmp_entry);
	for (uint64_t j = 0; j < n; j++) {
		idx[j] = e[j].col;
		val[j] = e[j].val;
	}
}

void lmrec_csr_build(struct lmrec_csr *m, size_t rows, size_t cols, const uint32_t *r,
		     const uint32_t *c, const float *v, size_t n, enum lmrec_dup dup)
{
	/* Every entry checked before anything is allocated: the die leaves
	 * nothing behind. */
	for (size_t i = 0; i < n; i++)
		if (r[i] >= rows || c[i] >= cols)
			lmrec_die(LMREC_EXIT_FAIL, "internal error: sparse entry (%u, %u) outside %zu x %zu",
				  r[i], c[i], rows, cols);
	/* Counting sort by row, then by column within each row, then repeats
	 * merged. */
	uint64_t *ptr = lmrec_xcalloc(rows + 1, sizeof *ptr);
	for (size_t i = 0; i < n; i++)
		ptr[r[i] + 1]++;
	for (size_t i = 0; i < rows; i++)
		ptr[i + 1] += ptr[i];
	uint32_t *idx = lmrec_xcalloc(n + 1, sizeof *idx);
	float *val = lmrec_xcalloc(n + 1, sizeof *val);
	uint64_t *fill = lmrec_xcalloc(rows + 1, sizeof *fill);
	for (size_t i = 0; i < n; i++) {
		uint64_t at = ptr[r[i]] + fill[r[i]]++;
		idx[at] = c[i];
		val[at] = v ? v[i] : 1.0f;
	}
	free(fill);
	struct entry *tmp = NULL;
	size_t tcap = 0;
	uint64_t out = 0;
	for (size_t row = 0; row < rows; row++) {
		uint64_t b = ptr[row], e = ptr[row + 1];
		sort_row(idx + b, val + b, e - b, &tmp, &tcap);
		ptr[row] = out;
		for (uint64_t j = b; j < e; j++) {
			if (out > ptr[row] && idx[out - 1] == idx[j]) {
				if (dup == LMREC_DUP_SUM)
					val[out - 1] += val[j];
				else if (dup == LMREC_DUP_MAX && val[j] > val[out - 1])
					val[out - 1] = val[j];
				continue;
			}
			idx[out] = idx[j];
			val[out] = dup == LMREC_DUP_ONE ? 1.0f : val[j];
			out++;
		}
	}
	ptr[rows] = out;
	free(tmp);
	m->rows = rows;
	m->cols = cols;
	m->ptr = ptr;
	m->idx = idx;
	m->val = val;
}

void lmrec_csr_transpose(struct lmrec_csr *t, const struct lmrec_csr *m)
{
	uint64_t nnz = lmrec_csr_nnz(m);
	uint64_t *ptr = lmrec_xcalloc(m->cols + 1, sizeof *ptr);
	for (uint64_t j = 0; j < nnz; j++)
		ptr[m->idx[j] + 1]++;
	for (size_t c = 0; c < m->cols; c++)
		ptr[c + 1] += ptr[c];
	uint32_t *idx = lmrec_xcalloc(nnz + 1, sizeof *idx);
	float *val = lmrec_xcalloc(nnz + 1, sizeof *val);
	uint64_t *fill = lmrec_xcalloc(m->cols + 1, sizeof *fill);
	/* rows visited in order, so each transposed row comes out sorted */
	for (size_t r = 0; r < m->rows; r++)
		for (uint64_t j = m->ptr[r]; j < m->ptr[r + 1]; j++) {
			uint32_t c = m->idx[j];
			uint64_t at = ptr[c] + fill[c]++;
			idx[at] = (uint32_t)r;
			val[at] = m->val[j];
		}
	free(fill);
	t->rows = m->cols;
	t->cols = m->rows;
	t->ptr = ptr;
	t->idx = idx;
	t->val = val;
}

void lmrec_csr_free(struct lmrec_csr *m)
{
	free(m->ptr);
	free(m->idx);
	free(m->val);
	memset(m, 0, sizeof *m);
}

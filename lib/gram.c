/* lmrec — sparse item-item Gram matrices and their files (see gram.h). */
#include <stdlib.h>
#include <string.h>

#include "gram.h"
#include "model.h"
#include "par.h"
#include "util.h"

/* The row being summed: a dense accumulator, the columns touched and
 * their marks (a sum may come back to 0, so the marks, not the sums, say
 * which columns are in the row). */
struct row_acc {
	double *acc;         /* (n) */
	uint32_t *touched;   /* (n) */
	unsigned char *seen; /* (n) */
	size_t nt;
};

static void acc_init(struct row_acc *r, size_t n)
{
	r->acc = lmrec_xcalloc(n + 1, sizeof *r->acc);
	r->touched = lmrec_xcalloc(n + 1, sizeof *r->touched);
	r->seen = lmrec_xcalloc(n + 1, 1);
	r->nt = 0;
}

static void acc_free(struct row_acc *r)
{
	free(r->acc);
	free(r->touched);
	free(r->seen);
}

static void acc_add(struct row_acc *r, uint32_t j, double v)
{
	if (!r->seen[j]) {
		r->seen[j] = 1;
		r->touched[r->nt++] = j;
	}
	r->acc[j] += v;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

struct rows {
	uint32_t **idx; /* (n) each row's columns */
	double **val;
	size_t *len;
};

/* Row i of out: the touched columns sorted, their sums gathered, the
 * accumulator cleared. */
static void row_take(struct row_acc *r, struct rows *out, size_t i)
{
	qsort(r->touched, r->nt, sizeof *r->touched, cmp_u32);
	out->len[i] = r->nt;
	out->idx[i] = lmrec_xmalloc(r->nt * sizeof **out->idx + 1);
	out->val[i] = lmrec_xmalloc(r->nt * sizeof **out->val + 1);
	for (size_t t = 0; t < r->nt; t++) {
		uint32_t j = r->touched[t];
		out->idx[i][t] = j;
		out->val[i][t] = r->acc[j];
		r->acc[j] = 0.0;
		r->seen[j] = 0;
	}
	r->nt = 0;
}

/* The rows into one CSR, freeing them. */
static void rows_compact(struct lmrec_gram *g, struct rows *r, size_t n)
{
	g->n = n;
	g->ptr = lmrec_xcalloc(n + 1, sizeof *g->ptr);
	for (size_t i = 0; i < n; i++)
		g->ptr[i + 1] = g->ptr[i] + r->len[i];
	g->idx = lmrec_xmalloc(g->ptr[n] * sizeof *g->idx + 1);
	g->val = lmrec_xmalloc(g->ptr[n] * sizeof *g->val + 1);
	for (size_t i = 0; i < n; i++) {
		memcpy(g->idx + g->ptr[i], r->idx[i], r->len[i] * sizeof *g->idx);
		memcpy(g->val + g->ptr[i], r->val[i], r->len[i] * sizeof *g->val);
		free(r->idx[i]);
		free(r->val[i]);
	}
	free(r->idx);
	free(r->val);
	free(r->len);
}

static void rows_init(struct rows *r, size_t n)
{
	r->idx = lmrec_xcalloc(n + 1, sizeof *r->idx);
	r->val = lmrec_xcalloc(n + 1, sizeof *r->val);
	r->len = lmrec_xcalloc(n + 1, sizeof *r->len);
}

struct of_ctx {
	const struct lmrec_csr *ui, *iu;
	struct rows *out;
};

static void of_rows(void *arg, int thread, size_t begin, size_t end)
{
	(void)thread;
	struct of_ctx *c = arg;
	size_t n = c->iu->rows;
	struct row_acc r;
	acc_init(&r, n);
	for (size_t i = begin; i < end; i++) {
		for (uint64_t p = c->iu->ptr[i]; p < c->iu->ptr[i + 1]; p++) {
			uint32_t u = c->iu->idx[p];
			double wi = c->iu->val[p];
			for (uint64_t q = c->ui->ptr[u]; q < c->ui->ptr[u + 1]; q++)
				acc_add(&r, c->ui->idx[q], wi * c->ui->val[q]);
		}
		row_take(&r, c->out, i);
	}
	acc_free(&r);
}

void lmrec_gram_of(struct lmrec_gram *g, const struct lmrec_csr *ui, const struct lmrec_csr *iu,
		   int threads)
{
	size_t n = iu->rows;
	struct rows r;
	rows_init(&r, n);
	struct of_ctx c = {ui, iu, &r};
	lmrec_par_for(threads, n, of_rows, &c);
	rows_compact(g, &r, n);
}

void lmrec_gram_sum(struct lmrec_gram *g, struct lmrec_ids **items, const struct lmrec_gram *parts,
		    struct lmrec_ids *const *part_items, size_t nparts)
{
	struct lmrec_ids *all = lmrec_ids_new();
	for (size_t s = 0; s < nparts; s++) {
		size_t n = lmrec_ids_count(part_items[s]);
		for (size_t i = 0; i < n; i++) {
			size_t len;
			const char *str = lmrec_ids_str(part_items[s], (uint32_t)i, &len);
			lmrec_ids_intern(all, str, len);
		}
	}
	uint32_t *map0;
	*items = lmrec_ids_sorted_copy(all, &map0);
	free(map0);
	lmrec_ids_free(all);
	size_t n = lmrec_ids_count(*items);
	/* each part's indices in the union, and the part's row of each item */
	uint32_t **map = lmrec_xcalloc(nparts + 1, sizeof *map);
	int64_t **row_of = lmrec_xcalloc(nparts + 1, sizeof *row_of);
	for (size_t s = 0; s < nparts; s++) {
		size_t np = lmrec_ids_count(part_items[s]);
		map[s] = lmrec_xcalloc(np + 1, sizeof **map);
		row_of[s] = lmrec_xcalloc(n + 1, sizeof **row_of);
		for (size_t i = 0; i < n; i++)
			row_of[s][i] = -1;
		for (size_t i = 0; i < np; i++) {
			size_t len;
			const char *str = lmrec_ids_str(part_items[s], (uint32_t)i, &len);
			map[s][i] = (uint32_t)lmrec_ids_find(*items, str, len);
			row_of[s][map[s][i]] = (int64_t)i;
		}
	}
	struct rows r;
	rows_init(&r, n);
	struct row_acc acc;
	acc_init(&acc, n);
	for (size_t i = 0; i < n; i++) {
		for (size_t s = 0; s < nparts; s++) {
			if (row_of[s][i] < 0)
				continue;
			size_t pi = (size_t)row_of[s][i];
			const struct lmrec_gram *p = &parts[s];
			for (uint64_t q = p->ptr[pi]; q < p->ptr[pi + 1]; q++)
				acc_add(&acc, map[s][p->idx[q]], p->val[q]);
		}
		row_take(&acc, &r, i);
	}
	rows_compact(g, &r, n);
	for (size_t s = 0; s < nparts; s++) {
		free(map[s]);
		free(row_of[s]);
	}
	free(map);
	free(row_of);
	acc_free(&acc);
}

void lmrec_gram_free(struct lmrec_gram *g)
{
	if (!g)
		return;
	free(g->ptr);
	free(g->idx);
	free(g->val);
	memset(g, 0, sizeof *g);
}

void lmrec_gram_write(const struct lmrec_gram *g, const struct lmrec_ids *items, uint64_t users,
		      int weighted, const char *path)
{
	struct lmrec_model *f = lmrec_model_new(LMREC_KIND_GRAM);
	lmrec_model_add_ids(f, "items", items);
	uint64_t n1 = g->n + 1, nnz = g->ptr[g->n];
	lmrec_model_add(f, "gram_ptr", LMREC_DT_U64, 1, &n1, g->ptr);
	lmrec_model_add(f, "gram_idx", LMREC_DT_U32, 1, &nnz, g->idx);
	lmrec_model_add(f, "gram_val", LMREC_DT_F64, 1, &nnz, g->val);
	lmrec_model_set_param(f, "users", "%llu", (unsigned long long)users);
	lmrec_model_set_param(f, "weighted", "%d", weighted ? 1 : 0);
	lmrec_model_write(f, path);
	lmrec_model_free(f);
}

void lmrec_gram_read(const char *path, struct lmrec_gram *g, struct lmrec_ids **items, uint64_t *users,
		     int *weighted)
{
	struct lmrec_model *f = lmrec_model_read(path, LMREC_KIND_GRAM);
	*items = lmrec_model_ids(f, "items");
	size_t n = lmrec_ids_count(*items);
	*users = lmrec_model_param_count(f, "users");
	size_t w = lmrec_model_param_count(f, "weighted");
	if (w > 1)
		lmrec_die(LMREC_EXIT_DATA, "%s: parameter 'weighted' is neither 0 nor 1", path);
	*weighted = (int)w;
	const struct lmrec_section *sp = lmrec_model_need(f, "gram_ptr", LMREC_DT_U64, 1);
	const struct lmrec_section *si = lmrec_model_need(f, "gram_idx", LMREC_DT_U32, 1);
	const struct lmrec_section *sv = lmrec_model_need(f, "gram_val", LMREC_DT_F64, 1);
	if (sp->shape[0] != n + 1)
		lmrec_die(LMREC_EXIT_DATA, "%s: section 'gram_ptr' has %llu entries, expected %zu", path,
			  (unsigned long long)sp->shape[0], n + 1);
	const uint64_t *ptr = sp->data;
	uint64_t nnz = si->shape[0];
	if (sv->shape[0] != nnz || ptr[0] != 0 || ptr[n] != nnz)
		lmrec_die(LMREC_EXIT_DATA, "%s: sections 'gram_ptr', 'gram_idx' and 'gram_val' disagree", path);
	const uint32_t *idx = si->data;
	for (size_t i = 0; i < n; i++) {
		if (ptr[i] > ptr[i + 1])
			lmrec_die(LMREC_EXIT_DATA, "%s: section 'gram_ptr' is not increasing", path);
		for (uint64_t q = ptr[i]; q < ptr[i + 1]; q++)
			if (idx[q] >= n || (q > ptr[i] && idx[q] <= idx[q - 1]))
				lmrec_die(LMREC_EXIT_DATA,
					  "%s: section 'gram_idx': row %zu is out of range or not increasing", path, i);
	}
	g->n = n;
	g->ptr = lmrec_xmalloc((n + 1) * sizeof *g->ptr);
	g->idx = lmrec_xmalloc(nnz * sizeof *g->idx + 1);
	g->val = lmrec_xmalloc(nnz * sizeof *g->val + 1);
	memcpy(g->ptr, ptr, (n + 1) * sizeof *g->ptr);
	memcpy(g->idx, idx, nnz * sizeof *g->idx);
	memcpy(g->val, sv->data, nnz * sizeof *g->val);
	lmrec_model_free(f);
}

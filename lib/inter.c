/* lmrec — an interactions stream held in memory (see inter.h). */
#include <stdlib.h>
#include <string.h>

#include "csr.h"
#include "inter.h"
#include "tsv.h"
#include "util.h"

const char *const lmrec_fold_names[5] = {"", "train", "valid", "test", "other"};

unsigned lmrec_folds_parse(const char *opt, const char *list)
{
	if (strcmp(list, "all") == 0)
		return (1u << (LMREC_FOLD_OTHER + 1)) - 1;
	unsigned set = 0;
	for (const char *p = list;;) {
		size_t len = strcspn(p, ",");
		int found = 0;
		for (int f = LMREC_FOLD_TRAIN; f <= LMREC_FOLD_TEST; f++)
			if (len == strlen(lmrec_fold_names[f]) && memcmp(p, lmrec_fold_names[f], len) == 0) {
				set |= 1u << f;
				found = 1;
			}
		if (!found)
			lmrec_usage_error("invalid value for %s: '%s' (expected 'all' or folds among "
					  "train, valid and test, comma-separated)",
					  opt, list);
		if (!p[len])
			break;
		p += len + 1;
	}
	return set;
}

void lmrec_inter_init(struct lmrec_inter *x, struct lmrec_ids *users, struct lmrec_ids *items)
{
	memset(x, 0, sizeof *x);
	x->shared_ids = (users ? 1 : 0) | (items ? 2 : 0);
	x->users = users ? users : lmrec_ids_new();
	x->items = items ? items : lmrec_ids_new();
}

void lmrec_inter_free(struct lmrec_inter *x)
{
	if (!(x->shared_ids & 1))
		lmrec_ids_free(x->users);
	if (!(x->shared_ids & 2))
		lmrec_ids_free(x->items);
	free(x->user);
	free(x->item);
	free(x->ts);
	free(x->weight);
	free(x->text);
	free(x->line_off);
	free(x->line_len);
	free(x->header);
	free(x->fold_of);
	memset(x, 0, sizeof *x);
}

static unsigned char fold_code(struct lmrec_field f)
{
	for (unsigned c = LMREC_FOLD_TRAIN; c <= LMREC_FOLD_TEST; c++)
		if (f.len == strlen(lmrec_fold_names[c]) && memcmp(f.p, lmrec_fold_names[c], f.len) == 0)
			return (unsigned char)c;
	return LMREC_FOLD_OTHER;
}

static void append_text(struct lmrec_inter *x, const char *p, size_t n)
{
	LMREC_GROW(x->text, x->textcap, x->textlen + n);
	memcpy(x->text + x->textlen, p, n);
	x->textlen += n;
}

/* The row's text with the fold column (index skip) left out. */
static void keep_line(struct lmrec_inter *x, const struct lmrec_tsv *r, long skip)
{
	x->line_off[x->n] = x->textlen;
	if (skip < 0) {
		append_text(x, r->line, r->linelen);
	} else {
		int first = 1;
		for (size_t c = 0; c < r->nf; c++) {
			if ((long)c == skip)
				continue;
			if (!first)
				append_text(x, "\t", 1);
			append_text(x, r->f[c].p, r->f[c].len);
			first = 0;
		}
	}
	uint64_t len = x->textlen - x->line_off[x->n];
	if (len > UINT32_MAX)
		lmrec_tsv_die_line(r, "row longer than 4 GiB");
	x->line_len[x->n] = (uint32_t)len;
}

static char *header_text(const struct lmrec_tsv *r, long skip)
{
	size_t total = 1;
	for (size_t c = 0; c < r->ncols; c++)
		total += strlen(r->cols[c]) + 1;
	char *h = lmrec_xmalloc(total);
	size_t o = 0;
	for (size_t c = 0; c < r->ncols; c++) {
		if ((long)c == skip)
			continue;
		if (o)
			h[o++] = '\t';
		size_t n = strlen(r->cols[c]);
		memcpy(h + o, r->cols[c], n);
		o += n;
	}
	h[o] = '\0';
	return h;
}

void lmrec_inter_load(struct lmrec_inter *x, char *const *files, size_t nfiles, unsigned flags)
{
	static char *const stdin_only[] = {"-"};
	if (nfiles == 0) {
		files = stdin_only;
		nfiles = 1;
	}
	struct lmrec_tsv *first = NULL;
	for (size_t fi = 0; fi < nfiles; fi++) {
		struct lmrec_tsv *r = lmrec_tsv_open(files[fi]);
		if (first)
			lmrec_tsv_same_header(first, r);
		size_t cu = lmrec_tsv_col(r, "user"), ci = lmrec_tsv_col(r, "item");
		long ct = (flags & LMREC_INTER_NO_TS) ? lmrec_tsv_col_opt(r, "ts")
						      : (long)lmrec_tsv_col(r, "ts");
		long cw = lmrec_tsv_col_opt(r, "weight"), cf = lmrec_tsv_col_opt(r, "fold");
		if (cw >= 0)
			x->has_weight = 1;
		if (cf >= 0)
			x->has_fold = 1;
		long skip = (flags & LMREC_INTER_DROP_FOLD) ? cf : -1;
		if ((flags & LMREC_INTER_LINES) && !x->header)
			x->header = header_text(r, skip);
		while (lmrec_tsv_read(r)) {
			if (x->n == x->cap) {
				size_t cap = x->cap ? x->cap * 2 : 4096;
				x->user = lmrec_xreallocarray(x->user, cap, sizeof *x->user);
				x->item = lmrec_xreallocarray(x->item, cap, sizeof *x->item);
				x->ts = lmrec_xreallocarray(x->ts, cap, sizeof *x->ts);
				x->weight = lmrec_xreallocarray(x->weight, cap, sizeof *x->weight);
				x->fold_of = lmrec_xreallocarray(x->fold_of, cap, 1);
				if (flags & LMREC_INTER_LINES) {
					x->line_off = lmrec_xreallocarray(x->line_off, cap, sizeof *x->line_off);
					x->line_len = lmrec_xreallocarray(x->line_len, cap, sizeof *x->line_len);
				}
				x->cap = cap;
			}
			struct lmrec_field u = r->f[cu], it = r->f[ci];
			if (u.len == 0)
				lmrec_tsv_die(r, cu, "empty id");
			if (it.len == 0)
				lmrec_tsv_die(r, ci, "empty id");
			x->user[x->n] = lmrec_ids_intern(x->users, u.p, u.len);
			x->item[x->n] = lmrec_ids_intern(x->items, it.p, it.len);
			x->ts[x->n] = ct >= 0 ? lmrec_tsv_i64(r, (size_t)ct) : (int64_t)x->n;
			float w = 1.0f;
			if (cw >= 0 && r->f[cw].len)
				w = lmrec_tsv_f32(r, (size_t)cw);
			x->weight[x->n] = w;
			x->fold_of[x->n] = cf >= 0 ? fold_code(r->f[cf]) : LMREC_FOLD_NONE;
			if (flags & LMREC_INTER_LINES)
				keep_line(x, r, skip);
			x->n++;
		}
		if (first)
			lmrec_tsv_close(r);
		else
			first = r;
	}
	lmrec_tsv_close(first);
}

struct ts_row {
	int64_t ts;
	uint32_t row;
};

static int cmp_ts_row(const void *pa, const void *pb)
{
	const struct ts_row *a = pa, *b = pb;
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return a->row < b->row ? -1 : a->row > b->row;
}

void lmrec_inter_group(const struct lmrec_inter *x, uint32_t **order_out, size_t **start_out)
{
	size_t nu = lmrec_ids_count(x->users);
	size_t *start = lmrec_xcalloc(nu + 1, sizeof *start);
	uint32_t *order = lmrec_xcalloc(x->n ? x->n : 1, sizeof *order);
	if (x->n > UINT32_MAX)
		lmrec_die(LMREC_EXIT_FAIL, "more than 2^32 interactions");
	for (size_t i = 0; i < x->n; i++)
		start[x->user[i] + 1]++;
	for (size_t u = 0; u < nu; u++)
		start[u + 1] += start[u];
	size_t *fill = lmrec_xcalloc(nu ? nu : 1, sizeof *fill);
	for (size_t i = 0; i < x->n; i++)
		order[start[x->user[i]] + fill[x->user[i]]++] = (uint32_t)i;
	free(fill);
	/* Rows of a user are now in input order: sort them by (ts, row). */
	struct ts_row *tmp = NULL;
	size_t tcap = 0;
	for (size_t u = 0; u < nu; u++) {
		size_t b = start[u], n = start[u + 1] - b;
		int sorted = 1;
		for (size_t j = 1; j < n && sorted; j++)
			sorted = x->ts[order[b + j - 1]] <= x->ts[order[b + j]];
		if (sorted)
			continue;
		LMREC_GROW(tmp, tcap, n);
		for (size_t j = 0; j < n; j++)
			tmp[j] = (struct ts_row){x->ts[order[b + j]], order[b + j]};
		qsort(tmp, n, sizeof *tmp, cmp_ts_row);
		for (size_t j = 0; j < n; j++)
			order[b + j] = tmp[j].row;
	}
	free(tmp);
	*order_out = order;
	*start_out = start;
}

void lmrec_inter_rows_matrix(const struct lmrec_ids *u0, const struct lmrec_ids *i0, size_t ni,
			     uint32_t *ru, uint32_t *ri, const float *rw, size_t n, enum lmrec_dup dup,
			     struct lmrec_ids **users, struct lmrec_ids **items, struct lmrec_csr *ui)
{
	uint32_t *umap, *imap = NULL;
	*users = lmrec_ids_sorted_copy(u0, &umap);
	if (i0) {
		*items = lmrec_ids_sorted_copy(i0, &imap);
		ni = lmrec_ids_count(*items);
	}
	for (size_t r = 0; r < n; r++) {
		ru[r] = umap[ru[r]];
		if (imap)
			ri[r] = imap[ri[r]];
	}
	lmrec_csr_build(ui, lmrec_ids_count(*users), ni, ru, ri, rw, n, dup);
	free(umap);
	free(imap);
}

size_t lmrec_inter_matrix(const char *file, unsigned fold_set, int use_weights,
			  const struct lmrec_ids *items, const char *items_from, struct lmrec_ids **users,
			  struct lmrec_ids **own_items, struct lmrec_csr *ui)
{
	struct lmrec_inter x;
	lmrec_inter_init(&x, NULL, NULL);
	char *files[1] = {(char *)file};
	lmrec_inter_load(&x, files, 1, 0);
	const char *name = file ? file : "-";
	struct lmrec_ids *u0 = lmrec_ids_new(), *i0 = items ? NULL : lmrec_ids_new();
	uint32_t *ru = lmrec_xcalloc(x.n + 1, sizeof *ru), *ri = lmrec_xcalloc(x.n + 1, sizeof *ri);
	float *rw = lmrec_xcalloc(x.n + 1, sizeof *rw);
	size_t n = 0;
	for (size_t r = 0; r < x.n; r++) {
		if (x.has_fold && !lmrec_fold_in(fold_set, x.fold_of[r]))
			continue;
		size_t len;
		const char *str = lmrec_ids_str(x.users, x.user[r], &len);
		ru[n] = lmrec_ids_intern(u0, str, len);
		str = lmrec_ids_str(x.items, x.item[r], &len);
		if (items) {
			int64_t j = lmrec_ids_find(items, str, len);
			if (j < 0)
				lmrec_die(LMREC_EXIT_DATA,
					  "%s:%zu: column 'item': '%.*s' is not among the items of %s",
					  name, r + 2, (int)len, str, items_from);
			ri[n] = (uint32_t)j;
		} else {
			ri[n] = lmrec_ids_intern(i0, str, len);
		}
		double w = use_weights ? x.weight[r] : 1.0;
		if (use_weights && !(w > 0))
			lmrec_die(LMREC_EXIT_DATA, "%s:%zu: column 'weight': %g is not above 0", name, r + 2, w);
		rw[n++] = (float)w;
	}
	lmrec_inter_rows_matrix(u0, i0, items ? lmrec_ids_count(items) : 0, ru, ri, rw, n,
				use_weights ? LMREC_DUP_SUM : LMREC_DUP_ONE, users, own_items, ui);
	free(ru);
	free(ri);
	free(rw);
	lmrec_ids_free(u0);
	lmrec_ids_free(i0);
	lmrec_inter_free(&x);
	return n;
}

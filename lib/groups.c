/* lmrec — user groups; see groups.h. */
#include <stdlib.h>
#include <string.h>

#include "groups.h"
#include "tsv.h"
#include "util.h"

void lmrec_groups_load(struct lmrec_groups *g, const char *path)
{
	memset(g, 0, sizeof *g);
	struct lmrec_tsv *r = lmrec_tsv_open(path);
	size_t cu = lmrec_tsv_col(r, "user");
	if (r->ncols < 2)
		lmrec_die_at(r->display, 1, "no group column beside 'user'");
	size_t nc = r->ncols - 1;
	g->ncols = nc;
	g->users = lmrec_ids_new();
	g->name = lmrec_xcalloc(nc, sizeof *g->name);
	g->values = lmrec_xcalloc(nc, sizeof(struct lmrec_ids *)); /* (pointers) */
	size_t *col = lmrec_xcalloc(nc, sizeof *col); /* the stream's column of grouping c */
	for (size_t j = 0, c = 0; j < r->ncols; j++)
		if (j != cu) {
			col[c] = j;
			g->name[c] = lmrec_xstrdup(r->cols[j]);
			g->values[c++] = lmrec_ids_new();
		}
	size_t cap = 0;
	while (lmrec_tsv_read(r)) {
		struct lmrec_field u = r->f[cu];
		if (u.len == 0)
			lmrec_tsv_die(r, cu, "empty id");
		size_t n = lmrec_ids_count(g->users);
		if (lmrec_ids_intern(g->users, u.p, u.len) != n)
			lmrec_tsv_die(r, cu, "user '%.*s' appears twice", (int)(u.len > 40 ? 40 : u.len), u.p);
		LMREC_GROW(g->value, cap, (n + 1) * nc);
		for (size_t c = 0; c < nc; c++) {
			struct lmrec_field v = r->f[col[c]];
			g->value[n * nc + c] = v.len ? (int64_t)lmrec_ids_intern(g->values[c], v.p, v.len) : -1;
		}
	}
	lmrec_tsv_close(r);
	free(col);
	/* each grouping's values in byte order */
	size_t nu = lmrec_ids_count(g->users);
	for (size_t c = 0; c < nc; c++) {
		uint32_t *map;
		struct lmrec_ids *sorted = lmrec_ids_sorted_copy(g->values[c], &map);
		for (size_t u = 0; u < nu; u++)
			if (g->value[u * nc + c] >= 0)
				g->value[u * nc + c] = map[g->value[u * nc + c]];
		free(map);
		lmrec_ids_free(g->values[c]);
		g->values[c] = sorted;
	}
}

void lmrec_groups_free(struct lmrec_groups *g)
{
	if (!g)
		return;
	for (size_t c = 0; c < g->ncols; c++) {
		free(g->name[c]);
		lmrec_ids_free(g->values[c]);
	}
	free(g->name);
	free(g->values);
	free(g->value);
	lmrec_ids_free(g->users);
	memset(g, 0, sizeof *g);
}

static int cmp_u32(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	return a < b ? -1 : a > b;
}

size_t lmrec_groups_quantile_cuts(uint32_t *counts, size_t n, size_t nbins, uint32_t *cuts)
{
	if (n == 0 || nbins < 2)
		return 0;
	qsort(counts, n, sizeof *counts, cmp_u32);
	size_t m = 0;
	for (size_t b = 1; b < nbins; b++) {
		size_t rank = (b * n + nbins - 1) / nbins; /* ceil(b n / nbins), >= 1 */
		uint32_t cut = counts[rank - 1];
		if (cut < counts[n - 1] && (m == 0 || cut > cuts[m - 1]))
			cuts[m++] = cut;
	}
	return m;
}

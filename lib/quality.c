/* lmrec — data-quality checks of an interactions stream; see quality.h. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quality.h"
#include "util.h"

const char *const lmrec_quality_kind_names[LMREC_Q_NKINDS] = {"duplicate", "burst", "bot_user",
							      "flooded_item"};

void lmrec_quality_init(struct lmrec_quality *q, const struct lmrec_quality_opts *o)
{
	memset(q, 0, sizeof *q);
	q->o = *o;
}

void lmrec_quality_add(struct lmrec_quality *q, uint32_t user, uint32_t item, uint32_t key,
		       int64_t ts, int dup)
{
	size_t idx = q->total;
	if (idx >= UINT32_MAX)
		lmrec_die(LMREC_EXIT_FAIL, "the quality checks take at most %lu rows",
			  (unsigned long)UINT32_MAX);
	LMREC_GROW(q->flags, q->fcap, idx + 1);
	q->flags[idx] = dup ? LMREC_Q_DUP : 0;
	if (q->o.want_factors) {
		LMREC_GROW(q->factor, q->wcap, idx + 1);
		q->factor[idx] = dup ? 0.0f : 1.0f;
	}
	if (dup) {
		LMREC_GROW(q->dup_user, q->dcap, q->ndup + 1);
		q->dup_user[q->ndup++] = user;
	} else {
		LMREC_GROW(q->rows, q->cap, q->n + 1);
		q->rows[q->n++] = (struct lmrec_quality_row){user, item, key, (uint32_t)idx, ts};
	}
	q->total++;
}

/* Rows by (user, item, key, ts, input order): a total order. */
static int row_cmp(const void *pa, const void *pb)
{
	const struct lmrec_quality_row *a = pa, *b = pb;
	if (a->user != b->user)
		return a->user < b->user ? -1 : 1;
	if (a->item != b->item)
		return a->item < b->item ? -1 : 1;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static int double_cmp(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;
	return (a > b) - (a < b);
}

static int row_less(const struct lmrec_quality_row *a, const struct lmrec_quality_row *b)
{
	return row_cmp(a, b) < 0;
}

/* Merge sort of r[0..n) by row_less, tmp (n) as scratch: qsort copies its
 * 24-byte elements through memmove, and this sort is half the checks' time. */
static void merge_sort(struct lmrec_quality_row *r, struct lmrec_quality_row *tmp, size_t n)
{
	if (n <= 16) { /* insertion sort */
		for (size_t i = 1; i < n; i++) {
			struct lmrec_quality_row x = r[i];
			size_t j = i;
			for (; j > 0 && row_less(&x, &r[j - 1]); j--)
				r[j] = r[j - 1];
			r[j] = x;
		}
		return;
	}
	size_t h = n / 2;
	merge_sort(r, tmp, h);
	merge_sort(r + h, tmp, n - h);
	if (!row_less(&r[h], &r[h - 1]))
		return; /* already in order: common, rows come in time order */
	memcpy(tmp, r, h * sizeof *r);
	size_t a = 0, b = h, o = 0;
	while (a < h && b < n)
		r[o++] = row_less(&r[b], &tmp[a]) ? r[b++] : tmp[a++];
	while (a < h)
		r[o++] = tmp[a++];
}

/* Sorts the rows by row_cmp: first by user with a counting sort (the rows
 * arrive in input order, so each user's stay in it), then each user's rows
 * on their own: short sorts instead of one long one. */
static void sort_rows(struct lmrec_quality *q)
{
	if (q->n == 0)
		return;
	size_t *end = lmrec_xcalloc(q->nusers + 1, sizeof *end); /* (nusers) */
	size_t at = 0;
	for (size_t u = 0; u < q->nusers; u++) {
		at += q->u_rows[u];
		end[u] = at - q->u_rows[u]; /* the start, until the rows are placed */
	}
	struct lmrec_quality_row *by_user = lmrec_xcalloc(q->n, sizeof *by_user);
	for (size_t k = 0; k < q->n; k++)
		by_user[end[q->rows[k].user]++] = q->rows[k];
	free(q->rows);
	q->rows = by_user;
	q->cap = q->n;
	struct lmrec_quality_row *tmp = lmrec_xcalloc(q->n / 2 + 1, sizeof *tmp);
	for (size_t u = 0, b = 0; u < q->nusers; u++) {
		merge_sort(q->rows + b, tmp, end[u] - b);
		b = end[u];
	}
	free(tmp);
	free(end);
}

/* The median of v (n > 0), which it sorts. */
static double median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, double_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void flag(struct lmrec_quality *q, uint32_t idx, unsigned f, double factor)
{
	q->flags[idx] |= (uint8_t)f;
	if (q->o.want_factors)
		q->factor[idx] = (float)((double)q->factor[idx] * factor);
}

/* Burst rows: a window of burst_window seconds over each key's rows. */
static void find_bursts(struct lmrec_quality *q)
{
	const struct lmrec_quality_row *r = q->rows;
	for (size_t g = 0; g < q->n;) {
		size_t e = g + 1;
		while (e < q->n && r[e].user == r[g].user && r[e].item == r[g].item && r[e].key == r[g].key)
			e++;
		size_t left = g;
		for (size_t j = g; j < e; j++) {
			/* rows are in ts order, so the difference is >= 0 and fits in
			 * 64 unsigned bits even when the signed one would overflow */
			while ((uint64_t)r[j].ts - (uint64_t)r[left].ts > q->o.burst_window)
				left++;
			uint64_t in = j - left + 1;
			uint32_t u = r[j].user;
			if (in > q->u_peak[u])
				q->u_peak[u] = (uint32_t)in;
			if (in > q->o.burst_max) {
				flag(q, r[j].idx, LMREC_Q_BURST, 0.0);
				q->u_burst[u]++;
				q->nburst++;
			}
		}
		g = e;
	}
}

/* Bot-like users: more rows than a robust threshold on the log scale. */
static void find_bots(struct lmrec_quality *q)
{
	size_t nu = 0;
	double *x = lmrec_xcalloc(q->nusers ? q->nusers : 1, sizeof *x);
	for (size_t u = 0; u < q->nusers; u++)
		if (q->u_rows[u])
			x[nu++] = log((double)q->u_rows[u]);
	if (nu == 0) {
		free(x);
		return;
	}
	double m = median(x, nu);
	for (size_t k = 0; k < nu; k++)
		x[k] = fabs(x[k] - m);
	double mad = median(x, nu);
	free(x);
	q->median_rows = exp(m);
	double t = exp(m + q->o.bot_k * 1.4826 * mad);
	double floor_t = q->o.bot_min_ratio * q->median_rows;
	if (floor_t > t)
		t = floor_t;
	q->bot_threshold = t >= 18446744073709549568.0 ? UINT64_MAX : (uint64_t)floor(t);
	for (size_t u = 0; u < q->nusers; u++)
		if (q->u_rows[u] > q->bot_threshold) {
			q->nbot_users++;
			q->nbot_rows += q->u_rows[u];
		}
	if (q->nbot_users == 0)
		return;
	for (size_t k = 0; k < q->n; k++) {
		uint32_t u = q->rows[k].user;
		if (q->u_rows[u] > q->bot_threshold)
			flag(q, q->rows[k].idx, LMREC_Q_BOT,
			     sqrt((double)q->bot_threshold / (double)q->u_rows[u]));
	}
}

/* Items flooded by a few users: their top users' share of the rows. */
static void find_floods(struct lmrec_quality *q)
{
	size_t U = (size_t)q->o.flood_users, ni = q->nitems;
	uint32_t *top_c = lmrec_xcalloc(ni * U + 1, sizeof *top_c); /* (ni, U) counts, descending */
	uint32_t *top_u = lmrec_xcalloc(ni * U + 1, sizeof *top_u); /* (ni, U) their users */
	const struct lmrec_quality_row *r = q->rows;
	/* the (user, item) groups are runs of the sorted rows */
	for (size_t g = 0; g < q->n;) {
		size_t e = g + 1;
		while (e < q->n && r[e].user == r[g].user && r[e].item == r[g].item)
			e++;
		uint32_t c = (uint32_t)(e - g), u = r[g].user;
		uint32_t *tc = top_c + (size_t)r[g].item * U, *tu = top_u + (size_t)r[g].item * U;
		/* more rows first; equal rows: the smaller id */
		size_t at = U;
		while (at > 0 && (tc[at - 1] < c ||
				  (tc[at - 1] == c && q->u_rank[u] < q->u_rank[tu[at - 1]])))
			at--;
		if (at < U) {
			memmove(tc + at + 1, tc + at, (U - at - 1) * sizeof *tc);
			memmove(tu + at + 1, tu + at, (U - at - 1) * sizeof *tu);
			tc[at] = c;
			tu[at] = u;
		}
		g = e;
	}
	for (size_t i = 0; i < ni; i++) {
		uint64_t s = 0;
		for (size_t k = 0; k < U; k++)
			s += top_c[i * U + k];
		q->i_share[i] = q->i_rows[i] ? (double)s / (double)q->i_rows[i] : 0.0;
		if (q->i_rows[i] >= q->o.flood_min && q->i_share[i] > q->o.flood_share) {
			q->i_flagged[i] = 1;
			q->nflood_items++;
		}
	}
	for (size_t g = 0; g < q->n;) {
		size_t e = g + 1;
		while (e < q->n && r[e].user == r[g].user && r[e].item == r[g].item)
			e++;
		uint32_t i = r[g].item, u = r[g].user, c = (uint32_t)(e - g);
		int top = 0;
		for (size_t k = 0; k < U && top_c[i * U + k]; k++)
			top |= top_u[i * U + k] == u;
		if (q->i_flagged[i] && top && c > 1) {
			/* the first row by time, then input order, stays */
			size_t first = g;
			for (size_t j = g + 1; j < e; j++)
				if (r[j].ts < r[first].ts || (r[j].ts == r[first].ts && r[j].idx < r[first].idx))
					first = j;
			for (size_t j = g; j < e; j++)
				if (j != first)
					flag(q, r[j].idx, LMREC_Q_FLOOD, 1.0 / sqrt((double)c));
			q->i_flood[i] += c - 1;
			q->nflood_rows += c - 1;
		}
		g = e;
	}
	free(top_c);
	free(top_u);
}

void lmrec_quality_analyse(struct lmrec_quality *q, const struct lmrec_ids *users,
			   const struct lmrec_ids *items)
{
	q->nusers = lmrec_ids_count(users);
	q->nitems = lmrec_ids_count(items);
	size_t nu = q->nusers ? q->nusers : 1, ni = q->nitems ? q->nitems : 1;
	q->u_rank = lmrec_xcalloc(nu, sizeof *q->u_rank);
	if (q->nusers) {
		uint32_t *order = lmrec_ids_sorted(users);
		for (size_t k = 0; k < q->nusers; k++)
			q->u_rank[order[k]] = (uint32_t)k;
		free(order);
	}
	q->u_rows = lmrec_xcalloc(nu, sizeof *q->u_rows);
	q->u_dups = lmrec_xcalloc(nu, sizeof *q->u_dups);
	q->u_burst = lmrec_xcalloc(nu, sizeof *q->u_burst);
	q->u_peak = lmrec_xcalloc(nu, sizeof *q->u_peak);
	q->i_rows = lmrec_xcalloc(ni, sizeof *q->i_rows);
	q->i_flood = lmrec_xcalloc(ni, sizeof *q->i_flood);
	q->i_flagged = lmrec_xcalloc(ni, sizeof *q->i_flagged);
	q->i_share = lmrec_xcalloc(ni, sizeof *q->i_share);
	for (size_t k = 0; k < q->ndup; k++)
		q->u_dups[q->dup_user[k]]++;
	for (size_t k = 0; k < q->n; k++) {
		q->u_rows[q->rows[k].user]++;
		q->i_rows[q->rows[k].item]++;
	}
	sort_rows(q);
	if (q->o.checks & LMREC_Q_BURST)
		find_bursts(q);
	if (q->o.checks & LMREC_Q_BOT)
		find_bots(q);
	if (q->o.checks & LMREC_Q_FLOOD)
		find_floods(q);
	for (size_t k = 0; k < q->total; k++)
		q->nflagged += (q->flags[k] & ~LMREC_Q_DUP) != 0;
}

/* A float in the shortest form that reads back the same (at most %.9g). */
static void put_short(struct lmrec_out *out, double v)
{
	float f = (float)v;
	char buf[48];
	int n = 0;
	for (int prec = 6; prec <= 9; prec++) {
		n = snprintf(buf, sizeof buf, "%.*g", prec, (double)f);
		if (strtof(buf, NULL) == f)
			break;
	}
	lmrec_out_write(out, buf, (size_t)n);
}

static void entry(struct lmrec_out *out, int kind, const char *key, size_t keylen, uint64_t figure,
		  const double *share, uint64_t threshold, const double *share_t, const char *action,
		  uint64_t rows)
{
	lmrec_out_str(out, lmrec_quality_kind_names[kind]);
	lmrec_out_tab(out);
	lmrec_out_write(out, key, keylen);
	lmrec_out_tab(out);
	if (share)
		put_short(out, *share);
	else
		lmrec_out_printf(out, "%" PRIu64, figure);
	lmrec_out_tab(out);
	if (share_t)
		put_short(out, *share_t);
	else
		lmrec_out_printf(out, "%" PRIu64, threshold);
	lmrec_out_printf(out, "\t%s\t%" PRIu64 "\n", action, rows);
}

void lmrec_quality_report(const struct lmrec_quality *q, struct lmrec_out *out,
			  const struct lmrec_ids *users, const struct lmrec_ids *items,
			  const char *const action[LMREC_Q_NKINDS])
{
	lmrec_out_str(out, "kind\tkey\tfigure\tthreshold\taction\trows\n");
	uint32_t *su = q->nusers ? lmrec_ids_sorted(users) : NULL;
	size_t len;
	const char *id;
	for (size_t k = 0; k < q->nusers; k++) {
		uint32_t u = su[k];
		if (q->u_dups[u]) {
			id = lmrec_ids_str(users, u, &len);
			entry(out, 0, id, len, q->u_dups[u], NULL, 0, NULL, action[0], q->u_dups[u]);
		}
	}
	for (size_t k = 0; k < q->nusers; k++) {
		uint32_t u = su[k];
		if (q->u_burst[u]) {
			id = lmrec_ids_str(users, u, &len);
			entry(out, 1, id, len, q->u_peak[u], NULL, q->o.burst_max, NULL, action[1],
			      q->u_burst[u]);
		}
	}
	if (q->o.checks & LMREC_Q_BOT)
		for (size_t k = 0; k < q->nusers; k++) {
			uint32_t u = su[k];
			if (q->u_rows[u] > q->bot_threshold) {
				id = lmrec_ids_str(users, u, &len);
				entry(out, 2, id, len, q->u_rows[u], NULL, q->bot_threshold, NULL, action[2],
				      q->u_rows[u]);
			}
		}
	free(su);
	if ((q->o.checks & LMREC_Q_FLOOD) && q->nflood_items) {
		uint32_t *si = lmrec_ids_sorted(items);
		for (size_t k = 0; k < q->nitems; k++) {
			uint32_t i = si[k];
			if (q->i_flagged[i]) {
				id = lmrec_ids_str(items, i, &len);
				entry(out, 3, id, len, 0, &q->i_share[i], 0, &q->o.flood_share, action[3],
				      q->i_flood[i]);
			}
		}
		free(si);
	}
}

size_t lmrec_quality_reasons(unsigned flags, char out[64])
{
	size_t n = 0;
	for (int k = 0; k < LMREC_Q_NKINDS; k++)
		if (flags & (1u << k)) {
			if (n)
				out[n++] = ',';
			size_t l = strlen(lmrec_quality_kind_names[k]);
			memcpy(out + n, lmrec_quality_kind_names[k], l);
			n += l;
		}
	out[n] = '\0';
	return n;
}

void lmrec_quality_free(struct lmrec_quality *q)
{
	free(q->rows);
	free(q->dup_user);
	free(q->flags);
	free(q->factor);
	free(q->u_rank);
	free(q->u_rows);
	free(q->u_dups);
	free(q->u_burst);
	free(q->u_peak);
	free(q->i_rows);
	free(q->i_flood);
	free(q->i_flagged);
	free(q->i_share);
	memset(q, 0, sizeof *q);
}

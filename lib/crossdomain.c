/* lmrec — one profile across domains (see crossdomain.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "crossdomain.h"
#include "linalg.h"
#include "par.h"
#include "topk.h"
#include "tsv.h"
#include "util.h"

void lmrec_xdom_read_catalog(const char *path, struct lmrec_ids **items, struct lmrec_ids **domains,
			     uint32_t **domain_of)
{
	struct lmrec_ids *it = lmrec_ids_new(), *dn = lmrec_ids_new();
	uint32_t *dom = NULL;
	size_t cap = 0;
	struct lmrec_tsv *r = lmrec_tsv_open(path);
	size_t ci = lmrec_tsv_col(r, "item"), cd = lmrec_tsv_col(r, "domain");
	while (lmrec_tsv_read(r)) {
		struct lmrec_field id = r->f[ci], d = r->f[cd];
		if (id.len == 0)
			lmrec_tsv_die(r, ci, "empty id");
		if (d.len == 0)
			lmrec_tsv_die(r, cd, "item '%.*s' has no domain", (int)(id.len > 40 ? 40 : id.len), id.p);
		size_t before = lmrec_ids_count(it);
		uint32_t i = lmrec_ids_intern(it, id.p, id.len);
		if (lmrec_ids_count(it) == before)
			lmrec_tsv_die(r, ci, "item '%.*s' is given twice", (int)(id.len > 40 ? 40 : id.len), id.p);
		LMREC_GROW(dom, cap, (size_t)i + 1);
		dom[i] = lmrec_ids_intern(dn, d.p, d.len);
	}
	lmrec_tsv_close(r);
	uint32_t *imap, *dmap;
	*items = lmrec_ids_sorted_copy(it, &imap);
	*domains = lmrec_ids_sorted_copy(dn, &dmap);
	size_t n = lmrec_ids_count(it);
	*domain_of = lmrec_xcalloc(n + 1, sizeof **domain_of);
	for (size_t i = 0; i < n; i++)
		(*domain_of)[imap[i]] = dmap[dom[i]];
	free(imap);
	free(dmap);
	free(dom);
	lmrec_ids_free(it);
	lmrec_ids_free(dn);
}

/* ---- fitting ---- */

struct link {
	uint32_t item;
	float t;
};

/* One thread's rows, in item order. */
struct fit_part {
	uint64_t *len; /* (items of the chunk) links of each row */
	struct link *links;
	size_t n, cap;
};

struct fit_ctx {
	const struct lmrec_xdom *x;
	const struct lmrec_csr *ui, *iu;
	size_t keep;
	struct fit_part *part; /* (threads) */
};

static int cmp_link(const void *a, const void *b)
{
	uint32_t p = ((const struct link *)a)->item, q = ((const struct link *)b)->item;
	return p < q ? -1 : p > q;
}

static void fit_rows(void *arg, int thread, size_t begin, size_t end)
{
	struct fit_ctx *c = arg;
	const struct lmrec_xdom *x = c->x;
	struct fit_part *part = &c->part[thread];
	part->len = lmrec_xcalloc(end - begin + 1, sizeof *part->len);
	uint32_t *count = lmrec_xcalloc(x->ni + 1, sizeof *count); /* c_ab of row a */
	uint32_t *touched = lmrec_xcalloc(x->ni + 1, sizeof *touched);
	struct lmrec_topk *top = lmrec_xcalloc(x->ndom + 1, sizeof *top);
	for (size_t d = 0; d < x->ndom; d++)
		lmrec_topk_init(&top[d], c->keep);
	for (size_t a = begin; a < end; a++) {
		size_t nt = 0;
		for (uint64_t p = c->iu->ptr[a]; p < c->iu->ptr[a + 1]; p++) {
			uint32_t u = c->iu->idx[p];
			for (uint64_t q = c->ui->ptr[u]; q < c->ui->ptr[u + 1]; q++) {
				uint32_t b = c->ui->idx[q];
				if (x->domain[b] != x->domain[a] && count[b]++ == 0)
					touched[nt++] = b;
			}
		}
		for (size_t d = 0; d < x->ndom; d++)
			lmrec_topk_reset(&top[d]);
		double denom = (double)(c->iu->ptr[a + 1] - c->iu->ptr[a]) + x->shrink;
		for (size_t t = 0; t < nt; t++) {
			uint32_t b = touched[t];
			/* the largest counts of each domain; ties to the smaller index */
			lmrec_topk_push(&top[x->domain[b]], b, (float)count[b]);
			count[b] = 0;
		}
		size_t row = 0;
		for (size_t d = 0; d < x->ndom; d++) {
			size_t n = lmrec_topk_sort(&top[d]);
			LMREC_GROW(part->links, part->cap, part->n + row + n);
			for (size_t t = 0; t < n; t++)
				part->links[part->n + row + t] =
					(struct link){top[d].idx[t], (float)(top[d].score[t] / denom)};
			row += n;
		}
		if (row > 1)
			qsort(part->links + part->n, row, sizeof *part->links, cmp_link);
		part->n += row;
		part->len[a - begin] = row;
	}
	for (size_t d = 0; d < x->ndom; d++)
		lmrec_topk_free(&top[d]);
	free(top);
	free(count);
	free(touched);
}

void lmrec_xdom_fit(struct lmrec_xdom *x, float *users_of, float *prior, const struct lmrec_csr *ui,
		    const struct lmrec_csr *iu, size_t n, int threads)
{
	size_t ni = x->ni, nu = ui->rows;
	for (size_t a = 0; a < ni; a++) {
		users_of[a] = (float)(iu->ptr[a + 1] - iu->ptr[a]);
		prior[a] = (float)(((double)users_of[a] + 1.0) / ((double)nu + 1.0));
	}
	if (threads < 1)
		threads = 1;
	if ((size_t)threads > ni)
		threads = ni ? (int)ni : 1;
	struct fit_ctx c = {x, ui, iu, n, lmrec_xcalloc((size_t)threads, sizeof *c.part)};
	lmrec_par_for(threads, ni, fit_rows, &c);
	/* the parts hold contiguous chunks of rows, in thread order */
	struct lmrec_csr *L = &x->links;
	L->rows = L->cols = ni;
	L->ptr = lmrec_xcalloc(ni + 1, sizeof *L->ptr);
	uint64_t nnz = 0;
	for (int t = 0; t < threads; t++)
		nnz += c.part[t].n;
	L->idx = lmrec_xcalloc(nnz + 1, sizeof *L->idx);
	L->val = lmrec_xcalloc(nnz + 1, sizeof *L->val);
	size_t a = 0;
	uint64_t at = 0;
	for (int t = 0; t < threads; t++) {
		/* lmrec_par_for's chunks */
		size_t begin = ni * (size_t)t / (size_t)threads, end = ni * (size_t)(t + 1) / (size_t)threads;
		const struct fit_part *p = &c.part[t];
		for (size_t q = 0; q < p->n; q++) {
			L->idx[at + q] = p->links[q].item;
			L->val[at + q] = p->links[q].t;
		}
		for (size_t r = begin; r < end; r++, a++)
			L->ptr[a + 1] = L->ptr[a] + p->len[r - begin];
		at += p->n;
		free(p->len);
		free(p->links);
	}
	free(c.part);
}

/* ---- the maps ---- */

int lmrec_xdom_fit_maps(struct lmrec_xdom *x, const struct lmrec_csr *ui)
{
	size_t nd = x->ndom, k = x->k, np = nd * nd;
	if (k == 0 || nd == 0)
		return 0; /* no content: no maps */
	x->map = lmrec_xcalloc(np * k * k + 1, sizeof *x->map);
	x->map_mean = lmrec_xcalloc(np * k + 1, sizeof *x->map_mean);
	x->map_users = lmrec_xcalloc(np + 1, sizeof *x->map_users);
	/* per ordered pair (A, B): n, sum x, sum y, sum x x', sum x y' */
	double *sx = lmrec_xcalloc(np * k + 1, sizeof *sx), *sy = lmrec_xcalloc(np * k + 1, sizeof *sy);
	double *sxx = lmrec_xcalloc(np * k * k + 1, sizeof *sxx), *sxy = lmrec_xcalloc(np * k * k + 1, sizeof *sxy);
	double *mean = lmrec_xcalloc(nd * k + 1, sizeof *mean), *cnt = lmrec_xcalloc(nd + 1, sizeof *cnt);
	for (size_t u = 0; u < ui->rows; u++) {
		/* the mean vector of the user's items of each domain */
		memset(mean, 0, nd * k * sizeof *mean);
		memset(cnt, 0, nd * sizeof *cnt);
		for (uint64_t p = ui->ptr[u]; p < ui->ptr[u + 1]; p++) {
			uint32_t i = ui->idx[p], d = x->domain[i];
			cnt[d] += 1;
			for (size_t f = 0; f < k; f++)
				mean[d * k + f] += x->Y[(size_t)i * k + f];
		}
		for (size_t d = 0; d < nd; d++)
			for (size_t f = 0; f < k && cnt[d] > 0; f++)
				mean[d * k + f] /= cnt[d];
		for (size_t a = 0; a < nd; a++)
			for (size_t b = 0; b < nd; b++) {
				if (a == b || cnt[a] == 0 || cnt[b] == 0)
					continue;
				size_t pr = a * nd + b;
				const double *xv = mean + a * k, *yv = mean + b * k;
				x->map_users[pr]++;
				for (size_t f = 0; f < k; f++) {
					sx[pr * k + f] += xv[f];
					sy[pr * k + f] += yv[f];
					for (size_t g = 0; g < k; g++) {
						sxx[(pr * k + f) * k + g] += xv[f] * xv[g];
						sxy[(pr * k + f) * k + g] += xv[f] * yv[g];
					}
				}
			}
	}
	int rc = 0;
	for (size_t a = 0; a < nd && rc == 0; a++)
		for (size_t b = 0; b < nd && rc == 0; b++) {
			size_t pr = a * nd + b;
			float *M = x->map + pr * k * k;
			double n = (double)x->map_users[pr];
			if (a == b || n == 0) {
				for (size_t f = 0; f < k; f++)
					M[f * k + f] = 1.0f; /* the plain cosine */
				continue;
			}
			/* centred: sum (x - mx)(x - mx)' = sum x x' - n mx mx' */
			double *G = sxx + pr * k * k, *C = sxy + pr * k * k;
			const double *mx = sx + pr * k, *my = sy + pr * k;
			for (size_t f = 0; f < k; f++)
				for (size_t g = 0; g < k; g++) {
					G[f * k + g] -= mx[f] * mx[g] / n;
					C[f * k + g] -= mx[f] * my[g] / n;
				}
			for (size_t f = 0; f < k; f++) {
				G[f * k + f] += x->lambda;
				C[f * k + f] += x->lambda;
				x->map_mean[pr * k + f] = (float)(mx[f] / n);
			}
			if (lmrec_spd_solve_d(G, C, k, k) != 0) {
				rc = -1;
				break;
			}
			for (size_t q = 0; q < k * k; q++)
				M[q] = (float)C[q];
		}
	free(sx);
	free(sy);
	free(sxx);
	free(sxy);
	free(mean);
	free(cnt);
	return rc;
}

/* ---- scoring ---- */

void lmrec_xdom_scratch_init(struct lmrec_xdom_scratch *s, const struct lmrec_xdom *x)
{
	s->wsum = lmrec_xcalloc(x->ndom + 1, sizeof *s->wsum);
	s->psum = lmrec_xcalloc(x->ndom + 1, sizeof *s->psum);
	s->vec = lmrec_xcalloc(x->ndom * x->k + 1, sizeof *s->vec);
	s->z = lmrec_xcalloc(x->k + 1, sizeof *s->z);
	s->xd = lmrec_xcalloc(x->k + 1, sizeof *s->xd);
	s->acc = lmrec_xcalloc(x->ni + 1, sizeof *s->acc);
}

void lmrec_xdom_scratch_free(struct lmrec_xdom_scratch *s)
{
	free(s->wsum);
	free(s->psum);
	free(s->vec);
	free(s->z);
	free(s->xd);
	free(s->acc);
	memset(s, 0, sizeof *s);
}

void lmrec_xdom_score(const struct lmrec_xdom *x, struct lmrec_xdom_scratch *s, const uint32_t *hist,
		      const float *w, size_t n, int64_t from, int64_t to, float *out)
{
	size_t ni = x->ni, k = x->k, nd = x->ndom;
	memset(s->wsum, 0, nd * sizeof *s->wsum);
	memset(s->psum, 0, nd * sizeof *s->psum);
	memset(s->vec, 0, nd * k * sizeof *s->vec);
	memset(s->acc, 0, ni * sizeof *s->acc);
	for (size_t j = 0; j < n; j++) {
		uint32_t a = hist[j], d = x->domain[a];
		if (from >= 0 && d != (uint64_t)from)
			continue;
		double wa = w ? w[j] : 1.0;
		s->wsum[d] += wa;
		s->psum[d] += wa * x->shrink / ((double)x->users_of[a] + x->shrink);
		for (size_t f = 0; f < k; f++)
			s->vec[d * k + f] += wa * x->Y[(size_t)a * k + f];
		for (uint64_t p = x->links.ptr[a]; p < x->links.ptr[a + 1]; p++)
			s->acc[x->links.idx[p]] += (float)(wa * x->links.val[p]);
	}
	for (size_t i = 0; i < ni; i++)
		out[i] = NAN;
	for (size_t t = 0; t < nd; t++) {
		if (to >= 0 && t != (uint64_t)to)
			continue;
		/* the query items of the domains other than t */
		double W = 0, P = 0, norm = 0;
		for (size_t d = 0; d < nd; d++)
			if (d != t) {
				W += s->wsum[d];
				P += s->psum[d];
			}
		if (!(W > 0))
			continue;
		/* z: each source domain's centred sum, mapped into t */
		memset(s->z, 0, k * sizeof *s->z);
		for (size_t d = 0; d < nd && k > 0; d++) {
			if (d == t || !(s->wsum[d] > 0))
				continue;
			const float *M = x->map + (d * nd + t) * k * k, *mu = x->map_mean + (d * nd + t) * k;
			for (size_t f = 0; f < k; f++)
				s->xd[f] = s->vec[d * k + f] - s->wsum[d] * mu[f];
			for (size_t f = 0; f < k; f++) {
				if (s->xd[f] == 0)
					continue;
				for (size_t g = 0; g < k; g++)
					s->z[g] += s->xd[f] * M[f * k + g];
			}
		}
		for (size_t f = 0; f < k; f++)
			norm += s->z[f] * s->z[f];
		norm = sqrt(norm);
		for (size_t i = 0; i < ni; i++) {
			if (x->domain[i] != t)
				continue;
			double co = ((double)s->acc[i] + (double)x->prior[i] * P) / W, sem = 0;
			if (norm > 0) {
				const float *y = x->Y + i * k;
				for (size_t f = 0; f < k; f++)
					sem += s->z[f] * y[f];
				sem /= norm;
			}
			/* with no shrinkage an item without links has CO 0: no
			 * chance, no candidate */
			if (x->w_co > 0 && !(co > 0))
				continue;
			out[i] = (float)((x->w_co > 0 ? x->w_co * log(co) : 0.0) + x->w_sem * sem);
		}
	}
}

float lmrec_xdom_contribution(const struct lmrec_xdom *x, uint32_t h, uint32_t i)
{
	if (x->domain[h] == x->domain[i])
		return 0.0f;
	uint64_t lo = x->links.ptr[h], hi = x->links.ptr[h + 1];
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (x->links.idx[mid] < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	double t = lo < x->links.ptr[h + 1] && x->links.idx[lo] == i ? x->links.val[lo] : 0.0;
	double p = x->prior[i];
	double co = t + p * x->shrink / ((double)x->users_of[h] + x->shrink);
	double sem = 0;
	for (size_t f = 0; f < x->k; f++)
		sem += (double)x->Y[(size_t)h * x->k + f] * x->Y[(size_t)i * x->k + f];
	return (float)((x->w_co > 0 && co > 0 ? x->w_co * log(co / p) : 0.0) + x->w_sem * sem);
}

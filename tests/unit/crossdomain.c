/* Unit tests of lib/crossdomain.c against brute force written here: the
 * catalog reader (order, domains, refusals with exact messages); the links
 * (every count c_ab over a dense matrix, the N largest per other domain
 * with ties to the smaller index, the same with 1 and 3 threads); the maps
 * (the ridge normal equations (X'X + lambda I) M = X'Y + lambda I checked
 * on centred sums computed here, the identity where a pair has no common
 * user); the scores (the formula of crossdomain.h in double, for every
 * --from-domain and --to-domain); the reasons' contributions; and a model
 * written, read back and refused when a section does not fit. */
#include <math.h>

#include "check.h"
#include "crossdomain.h"
#include "csr.h"
#include "recmodel.h"

/* ---- the catalog ---- */

static void test_catalog(void)
{
	check_tmpdir();
	check_write_str("items.tsv", "item\ttitle\tdomain\n"
				     "z9\tZ\tshop\n"
				     "a1\tA\tplaces\n"
				     "m5\tM\tshop\n"
				     "b2\tB\tfood\n");
	struct lmrec_ids *items, *domains;
	uint32_t *dom;
	lmrec_xdom_read_catalog("items.tsv", &items, &domains, &dom);
	CHECK_U64(lmrec_ids_count(items), 4);
	CHECK_U64(lmrec_ids_count(domains), 3);
	/* both in byte order: a1 b2 m5 z9; food places shop */
	static const char *const want_items[] = {"a1", "b2", "m5", "z9"};
	static const char *const want_dom[] = {"places", "food", "shop", "shop"};
	for (uint32_t i = 0; i < 4; i++) {
		size_t len, dlen;
		const char *s = lmrec_ids_str(items, i, &len);
		const char *d = lmrec_ids_str(domains, dom[i], &dlen);
		CHECK(len == strlen(want_items[i]) && memcmp(s, want_items[i], len) == 0);
		CHECK(dlen == strlen(want_dom[i]) && memcmp(d, want_dom[i], dlen) == 0);
	}
	size_t len;
	const char *s = lmrec_ids_str(domains, 0, &len);
	CHECK(len == 4 && memcmp(s, "food", 4) == 0);
	lmrec_ids_free(items);
	lmrec_ids_free(domains);
	free(dom);
}

static void child_catalog(void *arg)
{
	struct lmrec_ids *items, *domains;
	uint32_t *dom;
	lmrec_xdom_read_catalog((const char *)arg, &items, &domains, &dom);
	lmrec_ids_free(items);
	lmrec_ids_free(domains);
	free(dom);
}

static void test_catalog_refusals(void)
{
	check_tmpdir();
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{"item\tdomain\na\tshop\nb\t\n", "crossdomain: bad.tsv:3: column 'domain': item 'b' has no domain"},
		{"item\tdomain\na\tshop\na\tfood\n", "crossdomain: bad.tsv:3: column 'item': item 'a' is given twice"},
		{"item\tdomain\n\tshop\n", "crossdomain: bad.tsv:2: column 'item': empty id"},
		{"item\ttitle\na\tA\n", "crossdomain: bad.tsv:1: no column 'domain' in the header"},
	};
	char err[512];
	for (size_t t = 0; t < sizeof cases / sizeof *cases; t++) {
		check_write_str("bad.tsv", cases[t].text);
		int st = check_child(child_catalog, "bad.tsv", err, sizeof err);
		CHECK_INT(st, 65);
		CHECK_STR(err, cases[t].msg);
	}
}

/* ---- a random world ---- */

struct world {
	size_t nu, ni, nd, k;
	uint32_t *domain;  /* (ni) */
	unsigned char *X;  /* (nu, ni) 0/1 */
	struct lmrec_csr ui, iu;
	float *Y;          /* (ni, k) unit vectors, one item without (zero) */
};

static void make_world(struct world *w, uint64_t seed, size_t nu, size_t ni, size_t nd, size_t k)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, seed);
	w->nu = nu;
	w->ni = ni;
	w->nd = nd;
	w->k = k;
	w->domain = lmrec_xcalloc(ni + 1, sizeof *w->domain);
	for (size_t i = 0; i < ni; i++)
		w->domain[i] = (uint32_t)lmrec_rng_below(&rng, nd);
	w->X = lmrec_xcalloc(nu * ni + 1, 1);
	uint32_t *r = lmrec_xcalloc(nu * ni + 1, sizeof *r), *c = lmrec_xcalloc(nu * ni + 1, sizeof *c);
	size_t n = 0;
	for (size_t u = 0; u < nu; u++)
		for (size_t i = 0; i < ni; i++) {
			/* user 0 takes nothing; users of the last tenth only domain 0 */
			int keep = u > 0 && lmrec_rng_double(&rng) < 0.3 && !(u >= nu - nu / 10 && w->domain[i] != 0);
			if (keep) {
				w->X[u * ni + i] = 1;
				r[n] = (uint32_t)u;
				c[n++] = (uint32_t)i;
			}
		}
	lmrec_csr_build(&w->ui, nu, ni, r, c, NULL, n, LMREC_DUP_ONE);
	lmrec_csr_transpose(&w->iu, &w->ui);
	free(r);
	free(c);
	w->Y = lmrec_xcalloc(ni * k + 1, sizeof *w->Y);
	for (size_t i = 1; i < ni; i++) { /* item 0 has no vector */
		double norm = 0;
		for (size_t f = 0; f < k; f++) {
			w->Y[i * k + f] = (float)lmrec_rng_normal(&rng);
			norm += (double)w->Y[i * k + f] * w->Y[i * k + f];
		}
		for (size_t f = 0; f < k; f++)
			w->Y[i * k + f] = (float)(w->Y[i * k + f] / sqrt(norm));
	}
}

static void free_world(struct world *w)
{
	free(w->domain);
	free(w->X);
	lmrec_csr_free(&w->ui);
	lmrec_csr_free(&w->iu);
	free(w->Y);
}

/* A fitted model of the world: links, prior, vectors and maps. */
static void fit_world(struct lmrec_xdom *x, const struct world *w, size_t keep, double shrink, double lambda,
		      int threads)
{
	memset(x, 0, sizeof *x);
	x->ni = w->ni;
	x->ndom = w->nd;
	x->domain = w->domain;
	x->shrink = shrink;
	x->lambda = lambda;
	x->w_co = 1.0;
	x->w_sem = 0.7;
	x->users_of = lmrec_xcalloc(w->ni + 1, sizeof *x->users_of);
	x->prior = lmrec_xcalloc(w->ni + 1, sizeof *x->prior);
	lmrec_xdom_fit(x, x->users_of, x->prior, &w->ui, &w->iu, keep, threads);
	x->k = w->k;
	x->Y = w->Y;
	CHECK_INT(lmrec_xdom_fit_maps(x, &w->ui), 0);
}

static void free_fit(struct lmrec_xdom *x)
{
	lmrec_csr_free(&x->links);
	free(x->users_of);
	free(x->prior);
	free(x->map);
	free(x->map_mean);
	free(x->map_users);
}

/* ---- links ---- */

struct cand {
	uint32_t item;
	double c;
};

static int by_count(const void *pa, const void *pb)
{
	const struct cand *a = pa, *b = pb;
	if (a->c != b->c)
		return a->c > b->c ? -1 : 1;
	return a->item < b->item ? -1 : a->item > b->item;
}

static int by_item(const void *pa, const void *pb)
{
	const struct cand *a = pa, *b = pb;
	return a->item < b->item ? -1 : a->item > b->item;
}

/* Differences between x's links and the brute force. */
static size_t links_diff(const struct lmrec_xdom *x, const struct world *w, size_t keep, double shrink)
{
	size_t ni = w->ni, nu = w->nu, bad = 0;
	struct cand *c = lmrec_xcalloc(ni + 1, sizeof *c), *row = lmrec_xcalloc(ni + 1, sizeof *row);
	for (size_t a = 0; a < ni; a++) {
		double na = 0;
		for (size_t u = 0; u < nu; u++)
			na += w->X[u * ni + a];
		if (x->users_of[a] != (float)na)
			bad++;
		if (fabs(x->prior[a] - (na + 1) / ((double)nu + 1)) > 1e-7)
			bad++;
		size_t nrow = 0;
		for (uint32_t d = 0; d < w->nd; d++) {
			if (d == w->domain[a])
				continue;
			size_t nc = 0;
			for (size_t b = 0; b < ni; b++) {
				if (w->domain[b] != d)
					continue;
				double both = 0;
				for (size_t u = 0; u < nu; u++)
					both += w->X[u * ni + a] && w->X[u * ni + b];
				if (both > 0)
					c[nc++] = (struct cand){(uint32_t)b, both};
			}
			qsort(c, nc, sizeof *c, by_count);
			for (size_t t = 0; t < nc && t < keep; t++)
				row[nrow++] = c[t];
		}
		qsort(row, nrow, sizeof *row, by_item);
		uint64_t p0 = x->links.ptr[a];
		if (x->links.ptr[a + 1] - p0 != nrow) {
			bad++;
			continue;
		}
		for (size_t t = 0; t < nrow; t++) {
			if (x->links.idx[p0 + t] != row[t].item)
				bad++;
			if (x->links.val[p0 + t] != (float)(row[t].c / (na + shrink)))
				bad++;
		}
	}
	free(c);
	free(row);
	return bad;
}

static void test_links(void)
{
	struct world w;
	make_world(&w, 11, 60, 30, 3, 4);
	size_t keeps[] = {2, 5, 1000};
	for (size_t t = 0; t < 3; t++) {
		struct lmrec_xdom x1, x3;
		fit_world(&x1, &w, keeps[t], 2.5, 1.0, 1);
		fit_world(&x3, &w, keeps[t], 2.5, 1.0, 3);
		CHECK_U64(links_diff(&x1, &w, keeps[t], 2.5), 0);
		/* the threads cut the rows, not the result */
		uint64_t nnz = lmrec_csr_nnz(&x1.links);
		CHECK_U64(lmrec_csr_nnz(&x3.links), nnz);
		CHECK_MEM(x1.links.ptr, (w.ni + 1) * 8, x3.links.ptr, (w.ni + 1) * 8);
		CHECK_MEM(x1.links.idx, nnz * 4, x3.links.idx, nnz * 4);
		CHECK_MEM(x1.links.val, nnz * 4, x3.links.val, nnz * 4);
		free_fit(&x1);
		free_fit(&x3);
	}
	free_world(&w);
}

/* ---- maps ---- */

/* sum (nd, k) of the vectors of user u's items per domain, cnt (nd) their
 * number */
static void user_sums(const struct world *w, size_t u, double *sum, double *cnt)
{
	memset(sum, 0, w->nd * w->k * sizeof *sum);
	memset(cnt, 0, w->nd * sizeof *cnt);
	for (size_t i = 0; i < w->ni; i++)
		if (w->X[u * w->ni + i]) {
			cnt[w->domain[i]]++;
			for (size_t f = 0; f < w->k; f++)
				sum[w->domain[i] * w->k + f] += w->Y[i * w->k + f];
		}
}

static void test_maps(void)
{
	struct world w;
	make_world(&w, 12, 80, 40, 3, 3);
	struct lmrec_xdom x;
	double lambda = 0.5;
	fit_world(&x, &w, 1000, 1.0, lambda, 1);
	size_t k = w.k, nd = w.nd;
	double *mean = lmrec_xcalloc(nd * k + 1, sizeof *mean), *cnt = lmrec_xcalloc(nd + 1, sizeof *cnt);
	for (size_t a = 0; a < nd; a++)
		for (size_t b = 0; b < nd; b++) {
			size_t pr = a * nd + b;
			const float *M = x.map + pr * k * k;
			if (a == b) {
				for (size_t f = 0; f < k; f++)
					for (size_t g = 0; g < k; g++)
						CHECK(M[f * k + g] == (f == g ? 1.0f : 0.0f));
				continue;
			}
			/* the users of both, their mean vectors, centred sums */
			double n = 0, sx[8] = {0}, sy[8] = {0}, G[64] = {0}, C[64] = {0};
			for (size_t u = 0; u < w.nu; u++) {
				user_sums(&w, u, mean, cnt);
				if (!cnt[a] || !cnt[b])
					continue;
				n++;
				for (size_t f = 0; f < k; f++) {
					sx[f] += mean[a * k + f] / cnt[a];
					sy[f] += mean[b * k + f] / cnt[b];
				}
			}
			CHECK_U64(x.map_users[pr], (uint64_t)n);
			if (n == 0)
				continue;
			for (size_t u = 0; u < w.nu; u++) {
				user_sums(&w, u, mean, cnt);
				if (!cnt[a] || !cnt[b])
					continue;
				for (size_t f = 0; f < k; f++)
					for (size_t g = 0; g < k; g++) {
						double xf = mean[a * k + f] / cnt[a] - sx[f] / n;
						G[f * k + g] += xf * (mean[a * k + g] / cnt[a] - sx[g] / n);
						C[f * k + g] += xf * (mean[b * k + g] / cnt[b] - sy[g] / n);
					}
			}
			for (size_t f = 0; f < k; f++) {
				CHECK(fabs(x.map_mean[pr * k + f] - sx[f] / n) < 1e-6);
				G[f * k + f] += lambda;
				C[f * k + f] += lambda;
			}
			/* (G + lambda I) M = C + lambda I, to float precision */
			for (size_t f = 0; f < k; f++)
				for (size_t g = 0; g < k; g++) {
					double lhs = 0;
					for (size_t h = 0; h < k; h++)
						lhs += G[f * k + h] * M[h * k + g];
					if (fabs(lhs - C[f * k + g]) > 1e-5 * (1 + fabs(C[f * k + g])))
						check_fail(__FILE__, __LINE__, "pair %zu>%zu: row %zu col %zu: %g, expected %g", a,
							   b, f, g, lhs, C[f * k + g]);
				}
		}
	/* the users of the last tenth have domain 0 only: a pair they alone
	 * could make has no user, and keeps the identity */
	free(mean);
	free(cnt);
	free_fit(&x);
	free_world(&w);
}

static void test_maps_without_users(void)
{
	/* two domains, nobody in both: the identity, mu 0 */
	struct world w;
	make_world(&w, 13, 20, 10, 2, 2);
	for (size_t u = 0; u < w.nu; u++)
		for (size_t i = 0; i < w.ni; i++)
			if (w.domain[i] != u % 2)
				w.X[u * w.ni + i] = 0;
	uint32_t *r = lmrec_xcalloc(w.nu * w.ni + 1, sizeof *r), *c = lmrec_xcalloc(w.nu * w.ni + 1, sizeof *c);
	size_t n = 0;
	for (size_t u = 0; u < w.nu; u++)
		for (size_t i = 0; i < w.ni; i++)
			if (w.X[u * w.ni + i]) {
				r[n] = (uint32_t)u;
				c[n++] = (uint32_t)i;
			}
	lmrec_csr_free(&w.ui);
	lmrec_csr_free(&w.iu);
	lmrec_csr_build(&w.ui, w.nu, w.ni, r, c, NULL, n, LMREC_DUP_ONE);
	lmrec_csr_transpose(&w.iu, &w.ui);
	free(r);
	free(c);
	struct lmrec_xdom x;
	fit_world(&x, &w, 10, 1.0, 1.0, 1);
	CHECK_U64(lmrec_csr_nnz(&x.links), 0);
	for (size_t pr = 0; pr < 4; pr++) {
		CHECK_U64(x.map_users[pr], 0);
		const float *M = x.map + pr * 4;
		CHECK(M[0] == 1.0f && M[1] == 0.0f && M[2] == 0.0f && M[3] == 1.0f);
		CHECK(x.map_mean[pr * 2] == 0.0f && x.map_mean[pr * 2 + 1] == 0.0f);
	}
	free_fit(&x);
	free_world(&w);
}

/* ---- scores ---- */

/* t_ab as the model keeps it, 0 when not kept */
static double link_of(const struct lmrec_xdom *x, uint32_t a, uint32_t b)
{
	for (uint64_t p = x->links.ptr[a]; p < x->links.ptr[a + 1]; p++)
		if (x->links.idx[p] == b)
			return x->links.val[p];
	return 0;
}

/* The score of crossdomain.h, in double, straight from the formula. */
static double brute_score(const struct lmrec_xdom *x, const uint32_t *h, const float *wt, size_t n, int64_t from,
			  uint32_t b)
{
	size_t k = x->k, D = x->domain[b];
	double W = 0, co = 0, z[8] = {0};
	for (size_t j = 0; j < n; j++) {
		uint32_t a = h[j], d = x->domain[a];
		if (d == D || (from >= 0 && d != (uint64_t)from))
			continue;
		double wa = wt ? wt[j] : 1.0;
		W += wa;
		co += wa * (link_of(x, a, b) + x->prior[b] * x->shrink / (x->users_of[a] + x->shrink));
		const float *M = x->map + (d * x->ndom + D) * k * k, *mu = x->map_mean + (d * x->ndom + D) * k;
		for (size_t f = 0; f < k; f++)
			for (size_t g = 0; g < k; g++)
				z[g] += wa * (x->Y[(size_t)a * k + f] - mu[f]) * M[f * k + g];
	}
	if (W == 0)
		return NAN;
	double dot = 0, nz = 0;
	for (size_t g = 0; g < k; g++) {
		dot += z[g] * x->Y[(size_t)b * k + g];
		nz += z[g] * z[g];
	}
	return x->w_co * log(co / W) + x->w_sem * (nz > 0 ? dot / sqrt(nz) : 0.0);
}

static void test_scores(void)
{
	struct world w;
	make_world(&w, 14, 70, 36, 3, 4);
	struct lmrec_xdom x;
	fit_world(&x, &w, 4, 3.0, 1.0, 1);
	struct lmrec_xdom_scratch s;
	lmrec_xdom_scratch_init(&s, &x);
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 5);
	float *out = lmrec_xcalloc(w.ni + 1, sizeof *out);
	uint32_t h[12];
	float wt[12];
	size_t checked = 0;
	for (int q = 0; q < 40; q++) {
		size_t n = (size_t)lmrec_rng_below(&rng, 8);
		for (size_t j = 0; j < n; j++) { /* distinct items, as histories are */
			int dup;
			do {
				h[j] = (uint32_t)lmrec_rng_below(&rng, w.ni);
				dup = 0;
				for (size_t i = 0; i < j; i++)
					dup |= h[i] == h[j];
			} while (dup);
			wt[j] = (float)(0.5 + lmrec_rng_double(&rng));
		}
		int64_t from = (int64_t)lmrec_rng_below(&rng, 4) - 1, to = (int64_t)lmrec_rng_below(&rng, 4) - 1;
		const float *wq = q % 2 ? wt : NULL;
		lmrec_xdom_score(&x, &s, h, wq, n, from, to, out);
		for (uint32_t b = 0; b < w.ni; b++) {
			double want = to >= 0 && w.domain[b] != (uint64_t)to ? NAN : brute_score(&x, h, wq, n, from, b);
			if (isnan(want) != isnan(out[b]) ||
			    (!isnan(want) && fabs(out[b] - want) > 1e-5 * (1 + fabs(want)))) {
				check_fail(__FILE__, __LINE__, "query %d item %u: %.9g, expected %.9g", q, b, out[b], want);
				break;
			}
			checked += !isnan(want);
		}
	}
	CHECK(checked > 200);
	free(out);
	lmrec_xdom_scratch_free(&s);
	free_fit(&x);
	free_world(&w);
}

static void test_contribution(void)
{
	struct world w;
	make_world(&w, 15, 50, 24, 2, 3);
	struct lmrec_xdom x;
	fit_world(&x, &w, 1000, 2.0, 1.0, 1);
	for (uint32_t h = 0; h < w.ni; h++)
		for (uint32_t i = 0; i < w.ni; i++) {
			double want = 0;
			if (w.domain[h] != w.domain[i]) {
				double co = link_of(&x, h, i) + x.prior[i] * 2.0 / (x.users_of[h] + 2.0);
				double cos = 0;
				for (size_t f = 0; f < w.k; f++)
					cos += (double)w.Y[h * w.k + f] * w.Y[i * w.k + f];
				want = log(co / x.prior[i]) + 0.7 * cos;
			}
			CHECK(fabs(lmrec_xdom_contribution(&x, h, i) - want) < 1e-5);
		}
	free_fit(&x);
	free_world(&w);
}

/* ---- the model file ---- */

/* A recmodel of kind crossdomain over the world (borrowing w and x). */
static void model_of(struct lmrec_recmodel *m, const struct world *w, const struct lmrec_xdom *x)
{
	memset(m, 0, sizeof *m);
	m->kind = LMREC_KIND_CROSSDOMAIN;
	m->users = lmrec_ids_new();
	m->items = lmrec_ids_new();
	m->domains = lmrec_ids_new();
	for (size_t u = 0; u < w->nu; u++) {
		char *s = lmrec_xasprintf("u%03zu", u);
		lmrec_ids_intern(m->users, s, strlen(s));
		free(s);
	}
	for (size_t i = 0; i < w->ni; i++) {
		char *s = lmrec_xasprintf("i%03zu", i);
		lmrec_ids_intern(m->items, s, strlen(s));
		free(s);
	}
	for (size_t d = 0; d < w->nd; d++) {
		char *s = lmrec_xasprintf("d%zu", d);
		lmrec_ids_intern(m->domains, s, strlen(s));
		free(s);
	}
	m->nu = w->nu;
	m->ni = w->ni;
	m->seen = w->ui;
	m->xd = *x;
}

enum spoil { SPOIL_NONE, SPOIL_DOMAIN, SPOIL_PRIOR, SPOIL_MAP, SPOIL_SHRINK };

static void write_model(const char *path, const struct world *w, struct lmrec_xdom x, enum spoil how)
{
	float *prior = NULL, *map = NULL;
	uint32_t *dom = NULL;
	if (how == SPOIL_DOMAIN) {
		dom = lmrec_xcalloc(w->ni + 1, sizeof *dom);
		memcpy(dom, x.domain, w->ni * sizeof *dom);
		dom[3] = (uint32_t)w->nd;
		x.domain = dom;
	}
	if (how == SPOIL_PRIOR) {
		prior = lmrec_xcalloc(w->ni + 1, sizeof *prior);
		memcpy(prior, x.prior, w->ni * sizeof *prior);
		prior[2] = 0;
		x.prior = prior;
	}
	if (how == SPOIL_MAP) {
		size_t n = w->nd * w->nd * w->k * w->k;
		map = lmrec_xcalloc(n + 1, sizeof *map);
		memcpy(map, x.map, n * sizeof *map);
		map[5] = NAN;
		x.map = map;
	}
	struct lmrec_recmodel m;
	model_of(&m, w, &x);
	if (how == SPOIL_SHRINK)
		m.xd.shrink = -1;
	lmrec_recmodel_write(&m, NULL, path);
	lmrec_ids_free(m.users);
	lmrec_ids_free(m.items);
	lmrec_ids_free(m.domains);
	free(prior);
	free(map);
	free(dom);
}

static void test_round_trip(void)
{
	check_tmpdir();
	struct world w;
	make_world(&w, 16, 40, 20, 3, 3);
	struct lmrec_xdom x;
	fit_world(&x, &w, 3, 1.5, 2.0, 1);
	write_model("xd.lmrc", &w, x, SPOIL_NONE);
	struct lmrec_recmodel *m = lmrec_recmodel_read("xd.lmrc", LMREC_KIND_ANY);
	CHECK_U64(m->kind, LMREC_KIND_CROSSDOMAIN);
	CHECK_U64(m->xd.ndom, 3);
	CHECK_U64(m->xd.k, 3);
	CHECK(m->xd.shrink == 1.5 && m->xd.lambda == 2.0 && m->xd.w_co == 1.0 && m->xd.w_sem == 0.7);
	CHECK_MEM(m->xd.domain, w.ni * 4, x.domain, w.ni * 4);
	CHECK_MEM(m->xd.prior, w.ni * 4, x.prior, w.ni * 4);
	CHECK_MEM(m->xd.links.val, lmrec_csr_nnz(&x.links) * 4, x.links.val, lmrec_csr_nnz(&x.links) * 4);
	CHECK_MEM(m->xd.map, 9 * 9 * 4, x.map, 9 * 9 * 4);
	/* the scorer through recmodel: the same as the library's */
	struct lmrec_scorer *sc = lmrec_scorer_new(m, 2);
	lmrec_scorer_domains(sc, 1, 2);
	uint32_t h0[2] = {0, 5}, h1[1] = {7};
	struct lmrec_user_query q[2] = {{.user = -1, .hist = h0, .n = 2}, {.user = -1, .hist = h1, .n = 1}};
	float *out = lmrec_xcalloc(2 * w.ni + 1, sizeof *out), *want = lmrec_xcalloc(w.ni + 1, sizeof *want);
	lmrec_score_block(sc, q, 2, out);
	struct lmrec_xdom_scratch s;
	lmrec_xdom_scratch_init(&s, &x);
	for (size_t r = 0; r < 2; r++) {
		lmrec_xdom_score(&x, &s, q[r].hist, NULL, q[r].n, 1, 2, want);
		CHECK_MEM(out + r * w.ni, w.ni * 4, want, w.ni * 4);
	}
	CHECK(lmrec_contribution(m, 0, 9) == lmrec_xdom_contribution(&x, 0, 9));
	lmrec_xdom_scratch_free(&s);
	free(out);
	free(want);
	lmrec_scorer_free(sc);
	lmrec_recmodel_free(m);
	free_fit(&x);
	free_world(&w);
}

static void child_read(void *arg)
{
	lmrec_recmodel_free(lmrec_recmodel_read((const char *)arg, LMREC_KIND_ANY));
}

static void test_refusals(void)
{
	check_tmpdir();
	struct world w;
	make_world(&w, 17, 30, 12, 2, 2);
	struct lmrec_xdom x;
	fit_world(&x, &w, 3, 1.0, 1.0, 1);
	static const struct {
		enum spoil how;
		const char *msg;
	} cases[] = {
		{SPOIL_NONE, ""},
		{SPOIL_DOMAIN, "crossdomain: bad.lmrc: section 'item_domain' is out of range"},
		{SPOIL_PRIOR, "crossdomain: bad.lmrc: section 'prior' holds a value outside (0, 1]"},
		{SPOIL_MAP, "crossdomain: bad.lmrc: section 'map' holds a value that is not finite"},
		{SPOIL_SHRINK, "crossdomain: bad.lmrc: parameters 'shrink', 'cooccurrence_weight' and "
			       "'semantic_weight' must be numbers of at least 0"},
	};
	char err[512];
	for (size_t t = 0; t < sizeof cases / sizeof *cases; t++) {
		write_model("bad.lmrc", &w, x, cases[t].how);
		int st = check_child(child_read, "bad.lmrc", err, sizeof err);
		CHECK_INT(st, cases[t].how == SPOIL_NONE ? 0 : 65);
		CHECK_STR(err, cases[t].msg);
	}
	free_fit(&x);
	free_world(&w);
}

int main(void)
{
	lmrec_setprogname("crossdomain");
	CHECK_RUN(test_catalog);
	CHECK_RUN(test_catalog_refusals);
	CHECK_RUN(test_links);
	CHECK_RUN(test_maps);
	CHECK_RUN(test_maps_without_users);
	CHECK_RUN(test_scores);
	CHECK_RUN(test_contribution);
	CHECK_RUN(test_round_trip);
	CHECK_RUN(test_refusals);
	return check_done();
}

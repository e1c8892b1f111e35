/* lmrec-train — a collaborative model file from interactions. */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lmrec.h"
#include "align.h"
#include "als.h"
#include "bpr.h"
#include "csr.h"
#include "ease.h"
#include "itemknn.h"
#include "mat.h"
#include "recmodel.h"

struct opts {
	const char *model, *output, *init, *folds;
	unsigned fold_set; /* the rows trained on, when there is a fold column */
	uint32_t kind;
	int use_weights;
	uint64_t seed;
	int threads, quiet, verbose, progress;
	double half_life; /* days; 0: no decay */
	int64_t now;
	int have_now;
	size_t neighbors;
	double shrink;
	enum lmrec_sim sim;
	double lambda;
	size_t factors, iters, cg_steps, epochs;
	double reg, alpha, lr, init_scale;
	int have_reg, have_factors, have_lambda, have_epochs, have_lr, have_half_life;
	const char *vectors, *factors_from, *align_method;
	size_t hidden;
};

static void usage(int status)
{
	if (status != 0) {
		fprintf(stderr, "Try '%s --help' for more information.\n", lmrec_progname());
		exit(status);
	}
	printf("Usage: %s --model NAME -o MODEL [OPTION]... [FILE]...\n", lmrec_progname());
	fputs("Train a collaborative model on interactions.\n"
	      "\n"
	      "Reads user, item and ts (weight and fold when present) from the FILEs\n"
	      "(none or '-': standard input) and writes a model file for lmrec-recall.\n"
	      "\n"
	      "Model:\n"
	      "      --model NAME         popular, itemknn, ease, als, bpr, semantic or align\n"
	      "  -o, --output FILE        the model file to write (required)\n"
	      "      --init MODEL         als, bpr: start from this model's factors\n"
	      "      --folds LIST         with a fold column, train on these folds\n"
	      "                           (default train; 'all' for every row)\n"
	      "      --use-weights        use the weight column (default: every\n"
	      "                           interaction counts 1)\n"
	      "\n"
	      "popular:\n"
	      "      --half-life DAYS     time decay of the counts (default 0: none)\n"
	      "      --now TS             the time decay is measured from (default: the\n"
	      "                           latest ts)\n"
	      "itemknn:\n"
	      "      --similarity NAME    cosine (default) or cooccurrence\n"
	      "      --neighbors N        neighbours kept per item (default 20)\n"
	      "      --shrink S           shrinkage of similarities (default 10)\n"
	      "ease:\n"
	      "      --lambda L           L2 regularisation (default 100)\n"
	      "als:\n"
	      "      --factors K          latent factors (default 64; with --init, the\n"
	      "                           earlier model's)\n"
	      "      --reg R              L2 regularisation (als 5, bpr 0.001)\n"
	      "      --alpha A            confidence 1 + A * weight (default 0.5)\n"
	      "      --iters N            iterations (default 15)\n"
	      "      --cg-steps N         conjugate-gradient steps instead of exact\n"
	      "                           Cholesky solves (default 0: exact)\n"
	      "      --init-scale S       std of the random initial factors (default 0.01)\n"
	      "bpr:\n"
	      "      --factors K, --reg R, --init-scale S   as above\n"
	      "      --lr RATE            learning rate (default 0.05)\n"
	      "      --epochs N           passes over the interactions (default 50)\n"
	      "semantic (content vectors, a user the mean of the history's):\n"
	      "      --vectors FILE       item vectors from lmrec-embed (required)\n"
	      "      --half-life DAYS     time decay of the history (default 0: none)\n"
	      "align (content vectors mapped onto collaborative factors; no input):\n"
	      "      --vectors FILE       item vectors from lmrec-embed (required)\n"
	      "      --factors-from MODEL an als or bpr model (required)\n"
	      "      --align-method NAME  auto (default), ridge or mlp\n"
	      "      --lambda L           ridge regularisation (default 10)\n"
	      "      --hidden N           MLP hidden units (default 256)\n"
	      "      --epochs N, --lr RATE  MLP training (default 200, 0.001)\n"
	      "\n"
	      "Other:\n"
	      "  -s, --seed N             seed of the random initialisation (default 1)\n"
	      "  -j, --threads N          threads (default 1)\n"
	      "      --progress           report progress even when not on a terminal\n"
	      "  -v, --verbose            report each iteration\n"
	      "  -q, --quiet              no summary on standard error\n"
	      "  -h, --help               show this help and exit\n"
	      "  -V, --version            show the version and exit\n"
	      "\n"
	      "Examples:\n"
	      "  lmrec-train --model ease --lambda 500 -o ease.lmrc folds.tsv\n"
	      "  lmrec-train --model als --init yesterday.lmrc --iters 3 -o als.lmrc data.tsv\n"
	      "\n"
	      "See lmrec-train(1).\n",
	      stdout);
	exit(0);
}

enum {
	OPT_MODEL = CHAR_MAX + 1,
	OPT_INIT,
	OPT_FOLDS,
	OPT_USE_WEIGHTS,
	OPT_HALF_LIFE,
	OPT_NOW,
	OPT_SIMILARITY,
	OPT_NEIGHBORS,
	OPT_SHRINK,
	OPT_LAMBDA,
	OPT_FACTORS,
	OPT_REG,
	OPT_ALPHA,
	OPT_ITERS,
	OPT_CG_STEPS,
	OPT_INIT_SCALE,
	OPT_LR,
	OPT_EPOCHS,
	OPT_VECTORS,
	OPT_FACTORS_FROM,
	OPT_ALIGN_METHOD,
	OPT_HIDDEN,
	OPT_PROGRESS
};

static const struct option long_options[] = {
	{"model", required_argument, NULL, OPT_MODEL},
	{"output", required_argument, NULL, 'o'},
	{"init", required_argument, NULL, OPT_INIT},
	{"folds", required_argument, NULL, OPT_FOLDS},
	{"use-weights", no_argument, NULL, OPT_USE_WEIGHTS},
	{"half-life", required_argument, NULL, OPT_HALF_LIFE},
	{"now", required_argument, NULL, OPT_NOW},
	{"similarity", required_argument, NULL, OPT_SIMILARITY},
	{"neighbors", required_argument, NULL, OPT_NEIGHBORS},
	{"shrink", required_argument, NULL, OPT_SHRINK},
	{"lambda", required_argument, NULL, OPT_LAMBDA},
	{"factors", required_argument, NULL, OPT_FACTORS},
	{"reg", required_argument, NULL, OPT_REG},
	{"alpha", required_argument, NULL, OPT_ALPHA},
	{"iters", required_argument, NULL, OPT_ITERS},
	{"cg-steps", required_argument, NULL, OPT_CG_STEPS},
	{"init-scale", required_argument, NULL, OPT_INIT_SCALE},
	{"lr", required_argument, NULL, OPT_LR},
	{"epochs", required_argument, NULL, OPT_EPOCHS},
	{"vectors", required_argument, NULL, OPT_VECTORS},
	{"factors-from", required_argument, NULL, OPT_FACTORS_FROM},
	{"align-method", required_argument, NULL, OPT_ALIGN_METHOD},
	{"hidden", required_argument, NULL, OPT_HIDDEN},
	{"seed", required_argument, NULL, 's'},
	{"threads", required_argument, NULL, 'j'},
	{"progress", no_argument, NULL, OPT_PROGRESS},
	{"verbose", no_argument, NULL, 'v'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

/* ---- the training data ---- */

/* Rows of the chosen folds, dictionaries in byte order of the ids. */
struct data {
	struct lmrec_ids *users, *items; /* sorted */
	struct lmrec_csr ui, iu;
	size_t rows;                      /* interactions used */
};

/* A dictionary with the ids of src in byte order; map[old] = new index. */
static struct lmrec_ids *sorted_ids(const struct lmrec_ids *src, uint32_t **map_out)
{
	uint32_t *order = lmrec_ids_sorted(src);
	size_t n = lmrec_ids_count(src);
	uint32_t *map = lmrec_xcalloc(n + 1, sizeof *map);
	struct lmrec_ids *dst = lmrec_ids_new();
	for (size_t r = 0; r < n; r++) {
		size_t len;
		const char *s = lmrec_ids_str(src, order[r], &len);
		map[order[r]] = lmrec_ids_intern(dst, s, len);
	}
	free(order);
	*map_out = map;
	return dst;
}

static void load_data(const struct opts *o, char *const *files, size_t nfiles, struct data *d)
{
	struct lmrec_inter x;
	lmrec_inter_init(&x, NULL, NULL);
	lmrec_inter_load(&x, files, nfiles, 0);
	/* keep the rows of the chosen folds; items and users only from them */
	struct lmrec_ids *u0 = lmrec_ids_new(), *i0 = lmrec_ids_new();
	uint32_t *ru = lmrec_xcalloc(x.n + 1, sizeof *ru), *ri = lmrec_xcalloc(x.n + 1, sizeof *ri);
	float *rw = lmrec_xcalloc(x.n + 1, sizeof *rw);
	size_t n = 0;
	int64_t now = o->now;
	if (!o->have_now) {
		now = INT64_MIN;
		for (size_t r = 0; r < x.n; r++)
			if ((!x.has_fold || lmrec_fold_in(o->fold_set, x.fold_of[r])) && x.ts[r] > now)
				now = x.ts[r];
	}
	for (size_t r = 0; r < x.n; r++) {
		if (x.has_fold && !lmrec_fold_in(o->fold_set, x.fold_of[r]))
			continue;
		size_t len;
		const char *s = lmrec_ids_str(x.users, x.user[r], &len);
		ru[n] = lmrec_ids_intern(u0, s, len);
		s = lmrec_ids_str(x.items, x.item[r], &len);
		ri[n] = lmrec_ids_intern(i0, s, len);
		double w = o->use_weights ? x.weight[r] : 1.0;
		if (o->kind == LMREC_KIND_ALS && 1.0 + o->alpha * w <= 0.0) {
			size_t ul, il;
			const char *us = lmrec_ids_str(x.users, x.user[r], &ul);
			const char *is = lmrec_ids_str(x.items, x.item[r], &il);
			lmrec_die(LMREC_EXIT_DATA,
				  "weight %g of user '%.*s', item '%.*s' makes the ALS confidence "
				  "1 + alpha * weight not positive",
				  w, (int)ul, us, (int)il, is);
		}
		if (o->half_life > 0) {
			/* in double: the difference of two int64 may overflow */
			double age_days = ((double)now - (double)x.ts[r]) / 86400.0;
			w *= pow(0.5, age_days / o->half_life);
		}
		rw[n++] = (float)w;
	}
	uint32_t *umap, *imap;
	d->users = sorted_ids(u0, &umap);
	d->items = sorted_ids(i0, &imap);
	for (size_t r = 0; r < n; r++) {
		ru[r] = umap[ru[r]];
		ri[r] = imap[ri[r]];
	}
	d->rows = n;
	/* repeats: summed when weights or decay count, else binary */
	enum lmrec_dup dup = (o->use_weights || o->half_life > 0) ? LMREC_DUP_SUM : LMREC_DUP_ONE;
	lmrec_csr_build(&d->ui, lmrec_ids_count(d->users), lmrec_ids_count(d->items), ru, ri, rw, n, dup);
	lmrec_csr_transpose(&d->iu, &d->ui);
	free(umap);
	free(imap);
	free(ru);
	free(ri);
	free(rw);
	lmrec_ids_free(u0);
	lmrec_ids_free(i0);
	lmrec_inter_free(&x);
}

/* ---- training ---- */

static void report_als(void *ctx, size_t iter, double secs)
{
	const struct opts *o = ctx;
	if (o->verbose)
		fprintf(stderr, "%s: als iteration %zu: %.2f s\n", lmrec_progname(), iter, secs);
}

static void report_bpr(void *ctx, size_t epoch, double objective)
{
	const struct opts *o = ctx;
	if (o->verbose)
		fprintf(stderr, "%s: bpr epoch %zu: mean ln sigmoid %.6g\n", lmrec_progname(), epoch,
			objective);
}

/* Factors for the rows of dict: from the old model where the id is known,
 * random otherwise. */
static void init_factors(float *F, const struct lmrec_ids *dict, size_t k, const float *oldF,
			 const struct lmrec_ids *old_dict, size_t old_k, const struct opts *o,
			 uint64_t stream)
{
	size_t n = lmrec_ids_count(dict);
	lmrec_als_init(F, n, k, o->init_scale, o->seed, stream);
	if (!oldF)
		return;
	if (old_k != k)
		lmrec_die(LMREC_EXIT_DATA, "%s: has %zu factors, but --factors is %zu", o->init, old_k, k);
	for (size_t r = 0; r < n; r++) {
		size_t len;
		const char *s = lmrec_ids_str(dict, (uint32_t)r, &len);
		int64_t j = lmrec_ids_find(old_dict, s, len);
		if (j >= 0)
			memcpy(F + r * k, oldF + (size_t)j * k, k * sizeof *F);
	}
}

/* ---- content models ---- */

/* The rows of old (items indexed in old_items) moved onto new_items;
 * interactions with items new_items lacks are dropped. */
static void remap_items(struct lmrec_csr *out, const struct lmrec_csr *old, const struct lmrec_ids *old_items,
			const struct lmrec_ids *new_items)
{
	size_t no = lmrec_ids_count(old_items);
	int64_t *map = lmrec_xcalloc(no + 1, sizeof *map);
	for (size_t i = 0; i < no; i++) {
		size_t len;
		const char *s = lmrec_ids_str(old_items, (uint32_t)i, &len);
		map[i] = lmrec_ids_find(new_items, s, len);
	}
	uint64_t nnz = lmrec_csr_nnz(old);
	uint32_t *r = lmrec_xcalloc(nnz + 1, sizeof *r), *c = lmrec_xcalloc(nnz + 1, sizeof *c);
	float *v = lmrec_xcalloc(nnz + 1, sizeof *v);
	size_t n = 0;
	for (size_t u = 0; u < old->rows; u++)
		for (uint64_t p = old->ptr[u]; p < old->ptr[u + 1]; p++)
			if (map[old->idx[p]] >= 0) {
				r[n] = (uint32_t)u;
				c[n] = (uint32_t)map[old->idx[p]];
				v[n++] = old->val[p];
			}
	lmrec_csr_build(out, old->rows, lmrec_ids_count(new_items), r, c, v, n, LMREC_DUP_SUM);
	free(map);
	free(r);
	free(c);
	free(v);
}

/* Content vectors in byte order of their ids: the items of a content
 * model (cold ones included). Y (n, dim) unit vectors. */
static struct lmrec_ids *content_items(const char *path, float **Y, size_t *dim, int unit)
{
	struct lmrec_vectors vs;
	lmrec_vectors_read(&vs, path, "item");
	if (vs.n == 0)
		lmrec_die(LMREC_EXIT_DATA, "%s: no vectors", path);
	uint32_t *map;
	struct lmrec_ids *items = sorted_ids(vs.ids, &map);
	float *out = lmrec_xcalloc(vs.n * vs.dim + 1, sizeof *out);
	for (size_t r = 0; r < vs.n; r++) {
		const float *src = vs.v + r * vs.dim;
		float *dst = out + (size_t)map[r] * vs.dim;
		double norm = 0;
		for (size_t d = 0; d < vs.dim; d++)
			norm += (double)src[d] * src[d];
		for (size_t d = 0; d < vs.dim; d++)
			dst[d] = unit ? (norm > 0 ? (float)(src[d] / sqrt(norm)) : 0.0f) : src[d];
	}
	*Y = out;
	*dim = vs.dim;
	free(map);
	lmrec_vectors_free(&vs);
	return items;
}

/* align: content vectors mapped onto a collaborative model's item factors.
 * Users keep their factors; every item with content gets aligned factors. */
static int run_align(struct opts *o)
{
	double t0 = lmrec_now();
	struct lmrec_recmodel *cf = lmrec_recmodel_read(o->factors_from, LMREC_KIND_ANY);
	if (cf->kind != LMREC_KIND_ALS && cf->kind != LMREC_KIND_BPR)
		lmrec_die(LMREC_EXIT_DATA, "%s: model kind '%s': align needs als or bpr factors", o->factors_from,
			  lmrec_kind_name(cf->kind));
	float *C;
	size_t d;
	struct lmrec_ids *items = content_items(o->vectors, &C, &d, 1);
	size_t ni = lmrec_ids_count(items), k = cf->k;
	/* training pairs: items with content and factors */
	float *X = lmrec_xcalloc(ni * d + 1, sizeof *X), *T = lmrec_xcalloc(ni * k + 1, sizeof *T);
	size_t n = 0;
	for (size_t i = 0; i < ni; i++) {
		size_t len;
		const char *s = lmrec_ids_str(items, (uint32_t)i, &len);
		int64_t j = lmrec_ids_find(cf->items, s, len);
		if (j < 0)
			continue;
		memcpy(X + n * d, C + i * d, d * sizeof *X);
		memcpy(T + n * k, cf->Y + (size_t)j * k, k * sizeof *T);
		n++;
	}
	if (n < 2)
		lmrec_die(LMREC_EXIT_DATA, "%s: %zu item%s with both content and factors in %s: too few to align",
			  o->vectors, n, n == 1 ? "" : "s", o->factors_from);
	lmrec_blas_threads(o->threads);
	struct lmrec_recmodel m;
	memset(&m, 0, sizeof m);
	m.kind = LMREC_KIND_ALIGN;
	m.users = cf->users;
	m.items = items;
	m.nu = cf->nu;
	m.ni = ni;
	m.k = k;
	m.X = cf->X;
	m.Y = lmrec_xcalloc(ni * k + 1, sizeof *m.Y);
	m.fold_als = cf->kind == LMREC_KIND_ALS;
	m.reg = cf->reg;
	m.alpha = cf->alpha;
	m.cg_steps = cf->cg_steps;
	remap_items(&m.seen, &cf->seen, cf->items, items);
	/* ridge always; the MLP when asked, or (auto) when it beats ridge on
	 * held-out items */
	float *W = lmrec_xcalloc((d + 1) * k, sizeof *W);
	if (lmrec_align_ridge_fit(W, X, T, n, d, k, o->lambda) != 0)
		lmrec_die(LMREC_EXIT_FAIL, "align: the ridge system is singular (raise --lambda)");
	const char *chosen = "ridge";
	double ridge_err = NAN, mlp_err = NAN;
	struct lmrec_mlp mlp;
	memset(&mlp, 0, sizeof mlp);
	int use_mlp = strcmp(o->align_method, "mlp") == 0;
	if (strcmp(o->align_method, "ridge") != 0) {
		struct lmrec_mlp_params mp = {o->hidden, o->epochs, 64, o->lr, 1e-5, 0.1, o->seed};
		lmrec_mlp_init(&mlp, d, o->hidden, k, o->seed);
		mlp_err = lmrec_mlp_fit(&mlp, X, T, n, &mp);
		if (strcmp(o->align_method, "auto") == 0) {
			/* ridge on the same split, for a fair comparison */
			struct lmrec_rng rng;
			lmrec_rng_seed2(&rng, o->seed, 4);
			uint32_t *order = lmrec_xcalloc(n + 1, sizeof *order);
			for (size_t i = 0; i < n; i++)
				order[i] = (uint32_t)i;
			lmrec_rng_shuffle_u32(&rng, order, n);
			size_t nval = (size_t)floor(0.1 * (double)n), ntr = n - nval;
			float *Xt = lmrec_xcalloc(n * d + 1, sizeof *Xt), *Tt = lmrec_xcalloc(n * k + 1, sizeof *Tt);
			for (size_t i = 0; i < n; i++) {
				memcpy(Xt + i * d, X + (size_t)order[i] * d, d * sizeof *Xt);
				memcpy(Tt + i * k, T + (size_t)order[i] * k, k * sizeof *Tt);
			}
			float *Wt = lmrec_xcalloc((d + 1) * k, sizeof *Wt), *P = lmrec_xcalloc(nval * k + 1, sizeof *P);
			if (nval && lmrec_align_ridge_fit(Wt, Xt, Tt, ntr, d, k, o->lambda) == 0) {
				lmrec_align_ridge_apply(P, Wt, Xt + ntr * d, nval, d, k);
				double e = 0;
				for (size_t i = 0; i < nval * k; i++)
					e += ((double)P[i] - Tt[ntr * k + i]) * ((double)P[i] - Tt[ntr * k + i]);
				ridge_err = e / (double)nval;
			}
			use_mlp = nval && mlp_err < ridge_err;
			free(order);
			free(Xt);
			free(Tt);
			free(Wt);
			free(P);
		}
	}
	if (use_mlp) {
		chosen = "mlp";
		lmrec_mlp_apply(&mlp, m.Y, C, ni);
	} else {
		lmrec_align_ridge_apply(m.Y, W, C, ni, d, k);
	}
	double t_train = lmrec_now() - t0;
	struct lmrec_model *f = lmrec_model_new(LMREC_KIND_ALIGN);
	lmrec_model_set_param(f, "model", "%s", o->model);
	lmrec_model_set_param(f, "factors_from", "%s", o->factors_from);
	lmrec_model_set_param(f, "vectors", "%s", o->vectors);
	lmrec_model_set_param(f, "method", "%s", chosen);
	lmrec_model_set_param(f, "lambda", "%.17g", o->lambda);
	lmrec_model_set_param(f, "users", "%zu", m.nu);
	lmrec_model_set_param(f, "items", "%zu", ni);
	lmrec_model_set_param(f, "aligned_on", "%zu", n);
	lmrec_recmodel_write(&m, f, o->output);
	if (!o->quiet) {
		fprintf(stderr, "%s: align: %zu items with content, %zu with factors to learn from; %s", lmrec_progname(),
			ni, n, chosen);
		if (!isnan(ridge_err) && !isnan(mlp_err))
			fprintf(stderr, " (held-out squared error: ridge %.4g, mlp %.4g)", ridge_err, mlp_err);
		fprintf(stderr, "; %.2f s\n", t_train);
	}
	lmrec_mlp_free(&mlp);
	lmrec_csr_free(&m.seen);
	free(m.Y);
	free(W);
	free(X);
	free(T);
	free(C);
	lmrec_ids_free(items);
	lmrec_recmodel_free(cf);
	return 0;
}

static int run(struct opts *o, char *const *files, size_t nfiles)
{
	double t0 = lmrec_now();
	struct data d;
	memset(&d, 0, sizeof d);
	load_data(o, files, nfiles, &d);
	struct lmrec_recmodel m;
	memset(&m, 0, sizeof m);
	m.kind = o->kind;
	m.users = d.users;
	m.items = d.items;
	m.nu = lmrec_ids_count(d.users);
	m.ni = lmrec_ids_count(d.items);
	m.seen = d.ui;
	size_t nu = m.nu, ni = m.ni;
	struct lmrec_recmodel *old = o->init ? lmrec_recmodel_read(o->init, o->kind) : NULL;
	if (old && !o->have_factors)
		o->factors = old->k; /* continue with the earlier model's size */
	lmrec_blas_threads(o->threads);
	double t_load = lmrec_now() - t0;

	switch (o->kind) {
	case LMREC_KIND_POPULAR:
		m.pop = lmrec_xcalloc(ni + 1, sizeof *m.pop);
		for (size_t i = 0; i < ni; i++) {
			double s = 0;
			for (uint64_t p = d.iu.ptr[i]; p < d.iu.ptr[i + 1]; p++)
				s += d.iu.val[p];
			m.pop[i] = (float)s;
		}
		break;
	case LMREC_KIND_ITEMKNN:
		lmrec_itemknn_fit(&m.nb, &d.ui, &d.iu, o->neighbors, o->shrink, o->sim, o->threads);
		break;
	case LMREC_KIND_EASE:
		if (ni > 0 && ni > SIZE_MAX / sizeof(float) / ni)
			lmrec_die(LMREC_EXIT_FAIL, "ease: %zu items are too many", ni);
		m.B = lmrec_xmalloc(ni * ni * sizeof *m.B + 1);
		if (lmrec_ease_fit(m.B, &d.ui, o->lambda, o->threads) != 0)
			lmrec_die(LMREC_EXIT_FAIL, "ease: the Gram matrix is singular (raise --lambda)");
		break;
	case LMREC_KIND_ALS: {
		m.k = o->factors;
		m.reg = o->reg;
		m.alpha = o->alpha;
		m.cg_steps = o->cg_steps;
		m.X = lmrec_xcalloc(nu * m.k + 1, sizeof *m.X);
		m.Y = lmrec_xcalloc(ni * m.k + 1, sizeof *m.Y);
		init_factors(m.X, d.users, m.k, old ? old->X : NULL, old ? old->users : NULL,
			     old ? old->k : 0, o, 0);
		init_factors(m.Y, d.items, m.k, old ? old->Y : NULL, old ? old->items : NULL,
			     old ? old->k : 0, o, 1);
		struct lmrec_als_params p = {m.k, o->reg, o->alpha, o->iters, o->cg_steps, o->threads};
		lmrec_als_fit(m.X, m.Y, &d.ui, &d.iu, &p, report_als, o);
		break;
	}
	case LMREC_KIND_BPR: {
		m.k = o->factors;
		m.X = lmrec_xcalloc(nu * m.k + 1, sizeof *m.X);
		m.Y = lmrec_xcalloc(ni * m.k + 1, sizeof *m.Y);
		m.bias = lmrec_xcalloc(ni + 1, sizeof *m.bias);
		init_factors(m.X, d.users, m.k, old ? old->X : NULL, old ? old->users : NULL,
			     old ? old->k : 0, o, 0);
		init_factors(m.Y, d.items, m.k, old ? old->Y : NULL, old ? old->items : NULL,
			     old ? old->k : 0, o, 1);
		if (old)
			for (size_t i = 0; i < ni; i++) {
				size_t len;
				const char *s = lmrec_ids_str(d.items, (uint32_t)i, &len);
				int64_t j = lmrec_ids_find(old->items, s, len);
				if (j >= 0)
					m.bias[i] = old->bias[j];
			}
		struct lmrec_bpr_params p = {m.k, o->lr, o->reg, o->epochs, o->seed};
		lmrec_bpr_fit(m.X, m.Y, m.bias, &d.ui, &p, report_bpr, o);
		break;
	}
	case LMREC_KIND_SEMANTIC: {
		/* the content items, cold ones included; a user is the weighted
		 * (time-decayed with --half-life) mean of the history's vectors */
		struct lmrec_ids *citems = content_items(o->vectors, &m.Y, &m.k, 1);
		struct lmrec_csr seen;
		remap_items(&seen, &d.ui, d.items, citems);
		lmrec_csr_free(&d.ui);
		d.ui = seen;
		lmrec_ids_free(d.items);
		d.items = citems;
		m.items = citems;
		m.ni = ni = lmrec_ids_count(citems);
		m.seen = seen;
		m.X = lmrec_xcalloc(nu * m.k + 1, sizeof *m.X);
		for (size_t u = 0; u < nu; u++) {
			float *x = m.X + u * m.k;
			for (uint64_t p = seen.ptr[u]; p < seen.ptr[u + 1]; p++)
				for (size_t f = 0; f < m.k; f++)
					x[f] += seen.val[p] * m.Y[(size_t)seen.idx[p] * m.k + f];
			double norm = 0;
			for (size_t f = 0; f < m.k; f++)
				norm += (double)x[f] * x[f];
			for (size_t f = 0; f < m.k; f++)
				x[f] = norm > 0 ? (float)(x[f] / sqrt(norm)) : 0.0f;
		}
		break;
	}
	default:
		break;
	}
	double t_train = lmrec_now() - t0 - t_load;

	struct lmrec_model *f = lmrec_model_new(o->kind);
	lmrec_model_set_param(f, "model", "%s", o->model);
	lmrec_model_set_param(f, "folds", "%s", o->folds);
	lmrec_model_set_param(f, "use_weights", "%d", o->use_weights);
	lmrec_model_set_param(f, "seed", "%llu", (unsigned long long)o->seed);
	lmrec_model_set_param(f, "users", "%zu", nu);
	lmrec_model_set_param(f, "items", "%zu", ni);
	lmrec_model_set_param(f, "interactions", "%zu", d.rows);
	switch (o->kind) {
	case LMREC_KIND_POPULAR:
		lmrec_model_set_param(f, "half_life", "%.17g", o->half_life);
		break;
	case LMREC_KIND_ITEMKNN:
		lmrec_model_set_param(f, "similarity", "%s", o->sim == LMREC_SIM_COSINE ? "cosine" : "cooccurrence");
		lmrec_model_set_param(f, "neighbors", "%zu", o->neighbors);
		lmrec_model_set_param(f, "shrink", "%.17g", o->shrink);
		break;
	case LMREC_KIND_EASE:
		lmrec_model_set_param(f, "lambda", "%.17g", o->lambda);
		break;
	case LMREC_KIND_ALS:
		lmrec_model_set_param(f, "factors", "%zu", o->factors);
		lmrec_model_set_param(f, "iters", "%zu", o->iters);
		break;
	case LMREC_KIND_BPR:
		lmrec_model_set_param(f, "factors", "%zu", o->factors);
		lmrec_model_set_param(f, "reg", "%.17g", o->reg);
		lmrec_model_set_param(f, "lr", "%.17g", o->lr);
		lmrec_model_set_param(f, "epochs", "%zu", o->epochs);
		break;
	default:
		break;
	}
	if (o->init)
		lmrec_model_set_param(f, "init", "%s", o->init);
	lmrec_recmodel_write(&m, f, o->output);
	if (!o->quiet)
		fprintf(stderr, "%s: %s: %zu users, %zu items, %zu interactions; load %.2f s, train %.2f s\n",
			lmrec_progname(), o->model, nu, ni, d.rows, t_load, t_train);

	lmrec_recmodel_free(old);
	/* the model borrowed the data's arrays */
	m.file = NULL;
	m.seen = (struct lmrec_csr){0};
	lmrec_csr_free(&d.ui);
	lmrec_csr_free(&d.iu);
	m.users = m.items = NULL;
	lmrec_ids_free(d.users);
	lmrec_ids_free(d.items);
	lmrec_csr_free(&m.nb);
	free(m.pop);
	free(m.B);
	free(m.X);
	free(m.Y);
	free(m.bias);
	return 0;
}

int main(int argc, char **argv)
{
	lmrec_setprogname(argv[0]);
	struct opts o = {.folds = "train", .fold_set = 1u << LMREC_FOLD_TRAIN, .seed = 1, .threads = 1, .neighbors = 20, .shrink = 10, .hidden = 256,
			 .sim = LMREC_SIM_COSINE, .lambda = 100, .factors = 64, .iters = 15,
			 .epochs = 50, .alpha = 0.5, .lr = 0.05, .init_scale = 0.01};
	int c;
	while ((c = getopt_long(argc, argv, "o:s:j:vqhV", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_MODEL: /* --model */
			o.model = optarg;
			o.kind = lmrec_kind_from_name(optarg);
			if ((o.kind < LMREC_KIND_POPULAR || o.kind > LMREC_KIND_BPR) &&
			    o.kind != LMREC_KIND_ALIGN && o.kind != LMREC_KIND_SEMANTIC)
				lmrec_usage_error("invalid value for --model: '%s' (expected popular, "
						  "itemknn, ease, als, bpr, semantic or align)",
						  optarg);
			break;
		case 'o': o.output = optarg; break;                    /* --output */
		case OPT_INIT: o.init = optarg; break;                 /* --init */
		case OPT_FOLDS: /* --folds */
			o.fold_set = lmrec_folds_parse("--folds", optarg);
			o.folds = optarg;
			break;
		case OPT_USE_WEIGHTS: o.use_weights = 1; break;        /* --use-weights */
		case OPT_HALF_LIFE: /* --half-life */
			o.half_life = lmrec_opt_double("--half-life", optarg, 0, 1e9);
			break;
		case OPT_NOW: /* --now */
			o.now = lmrec_opt_i64("--now", optarg, INT64_MIN, INT64_MAX);
			o.have_now = 1;
			break;
		case OPT_SIMILARITY: /* --similarity */
			if (strcmp(optarg, "cosine") == 0)
				o.sim = LMREC_SIM_COSINE;
			else if (strcmp(optarg, "cooccurrence") == 0)
				o.sim = LMREC_SIM_COOCCURRENCE;
			else
				lmrec_usage_error("invalid value for --similarity: '%s' "
						  "(expected cosine or cooccurrence)",
						  optarg);
			break;
		case OPT_NEIGHBORS: /* --neighbors */
			o.neighbors = (size_t)lmrec_opt_u64("--neighbors", optarg, 1, 100000);
			break;
		case OPT_SHRINK: o.shrink = lmrec_opt_double("--shrink", optarg, 0, 1e12); break; /* --shrink */
		case OPT_LAMBDA: /* --lambda */
			o.lambda = lmrec_opt_double("--lambda", optarg, 0, 1e15);
			o.have_lambda = 1;
			break;
		case OPT_FACTORS: /* --factors */
			o.factors = (size_t)lmrec_opt_u64("--factors", optarg, 1, 4096);
			o.have_factors = 1;
			break;
		case OPT_REG: /* --reg */
			o.reg = lmrec_opt_double("--reg", optarg, 0, 1e12);
			o.have_reg = 1;
			break;
		case OPT_ALPHA: o.alpha = lmrec_opt_double("--alpha", optarg, 0, 1e12); break; /* --alpha */
		case OPT_ITERS: o.iters = (size_t)lmrec_opt_u64("--iters", optarg, 0, 100000); break; /* --iters */
		case OPT_CG_STEPS: /* --cg-steps */
			o.cg_steps = (size_t)lmrec_opt_u64("--cg-steps", optarg, 0, 1000);
			break;
		case OPT_INIT_SCALE: /* --init-scale */
			o.init_scale = lmrec_opt_double("--init-scale", optarg, 0, 1e3);
			break;
		case OPT_LR: /* --lr */
			o.lr = lmrec_opt_double("--lr", optarg, 0, 1e3);
			o.have_lr = 1;
			break;
		case OPT_EPOCHS: /* --epochs */
			o.epochs = (size_t)lmrec_opt_u64("--epochs", optarg, 0, 1000000);
			o.have_epochs = 1;
			break;
		case OPT_VECTORS: o.vectors = optarg; break;           /* --vectors */
		case OPT_FACTORS_FROM: o.factors_from = optarg; break; /* --factors-from */
		case OPT_ALIGN_METHOD: /* --align-method */
			if (strcmp(optarg, "ridge") && strcmp(optarg, "mlp") && strcmp(optarg, "auto"))
				lmrec_usage_error("invalid value for --align-method: '%s' (expected ridge, mlp "
						  "or auto)",
						  optarg);
			o.align_method = optarg;
			break;
		case OPT_HIDDEN: o.hidden = (size_t)lmrec_opt_u64("--hidden", optarg, 1, 100000); break; /* --hidden */
		case 's': o.seed = lmrec_opt_u64("--seed", optarg, 0, UINT64_MAX); break; /* --seed */
		case 'j': o.threads = (int)lmrec_opt_u64("--threads", optarg, 1, 1024); break; /* --threads */
		case OPT_PROGRESS: o.progress = 1; break; /* --progress */
		case 'v': o.verbose = 1; break;           /* --verbose */
		case 'q': o.quiet = 1; break;             /* --quiet */
		case 'h': usage(0); break;                /* --help */
		case 'V': lmrec_print_version(); lmrec_close_stdout(); return 0; /* --version */
		default: usage(LMREC_EXIT_USAGE);
		}
	}
	if (!o.model)
		lmrec_usage_error("--model is required");
	if (!o.output)
		lmrec_usage_error("--output is required (a model file)");
	if (o.init && o.kind != LMREC_KIND_ALS && o.kind != LMREC_KIND_BPR)
		lmrec_usage_error("--init continues als and bpr; %s is computed in closed form", o.model);
	if (!o.have_reg)
		o.reg = o.kind == LMREC_KIND_BPR ? 0.001 : 5.0;
	if (o.progress)
		o.verbose = 1;
	if ((o.kind == LMREC_KIND_SEMANTIC || o.kind == LMREC_KIND_ALIGN) && !o.vectors)
		lmrec_usage_error("--model %s needs --vectors (item vectors from lmrec-embed)", o.model);
	if (o.kind == LMREC_KIND_ALIGN && !o.factors_from)
		lmrec_usage_error("--model align needs --factors-from (an als or bpr model)");
	if (o.kind == LMREC_KIND_ALIGN) {
		if (!o.have_lambda)
			o.lambda = 10;
		if (!o.have_epochs)
			o.epochs = 200;
		if (!o.have_lr)
			o.lr = 1e-3;
		if (!o.align_method)
			o.align_method = "auto";
		if (optind < argc)
			lmrec_usage_error("--model align reads no interactions (they come with --factors-from)");
	}
	int rc = o.kind == LMREC_KIND_ALIGN ? run_align(&o) : run(&o, argv + optind, (size_t)(argc - optind));
	lmrec_close_stdout();
	return rc;
}

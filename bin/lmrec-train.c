/* lmrec-train — a collaborative model file from interactions. */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lmrec.h"
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
	int have_reg, have_factors;
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
	      "      --model NAME         popular, itemknn, ease, als or bpr\n"
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
	struct opts o = {.folds = "train", .fold_set = 1u << LMREC_FOLD_TRAIN, .seed = 1, .threads = 1, .neighbors = 20, .shrink = 10,
			 .sim = LMREC_SIM_COSINE, .lambda = 100, .factors = 64, .iters = 15,
			 .epochs = 50, .alpha = 0.5, .lr = 0.05, .init_scale = 0.01};
	int c;
	while ((c = getopt_long(argc, argv, "o:s:j:vqhV", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_MODEL: /* --model */
			o.model = optarg;
			o.kind = lmrec_kind_from_name(optarg);
			if (o.kind < LMREC_KIND_POPULAR || o.kind > LMREC_KIND_BPR)
				lmrec_usage_error("invalid value for --model: '%s' "
						  "(expected popular, itemknn, ease, als or bpr)",
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
		case OPT_LAMBDA: o.lambda = lmrec_opt_double("--lambda", optarg, 0, 1e15); break; /* --lambda */
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
		case OPT_LR: o.lr = lmrec_opt_double("--lr", optarg, 0, 1e3); break; /* --lr */
		case OPT_EPOCHS: o.epochs = (size_t)lmrec_opt_u64("--epochs", optarg, 0, 1000000); break; /* --epochs */
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
	int rc = run(&o, argv + optind, (size_t)(argc - optind));
	lmrec_close_stdout();
	return rc;
}

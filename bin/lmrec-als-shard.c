/* lmrec-als-shard — implicit ALS over shards of users: the shard's half
 * steps and the item step from their sums (federated training; see
 * lmrec-als-shard(1) and pipelines/federated.sh). */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "als.h"
#include "csr.h"
#include "lmrec.h"
#include "mat.h"
#include "par.h"
#include "recmodel.h"

enum mode { M_NONE, M_LIST_ITEMS, M_INIT, M_USERS, M_ITEMS };

struct opts {
	enum mode mode;
	const char *output, *sums, *items_model;
	unsigned fold_set;
	int use_weights;
	size_t factors;
	double reg, alpha, init_scale;
	uint64_t seed;
	int threads, quiet;
};

static void usage(int status)
{
	if (status != 0) {
		fprintf(stderr, "Try '%s --help' for more information.\n", lmrec_progname());
		exit(status);
	}
	printf("Usage: %s MODE [OPTION]... [FILE]...\n", lmrec_progname());
	fputs("Implicit-feedback ALS over shards of users: each shard (a host with its own\n"
	      "users' interactions) solves its users and sums its part of the item step;\n"
	      "the item factors are solved from the sums of every shard. No interaction\n"
	      "row and no user factor leaves a shard.\n"
	      "\n"
	      "Modes (one):\n"
	      "      --list-items         the items of the interactions FILE: column item,\n"
	      "                           in byte order (what a shard says of itself first)\n"
	      "      --init               the first item factors, random, over the items of\n"
	      "                           the FILEs (--list-items outputs)\n"
	      "      --users MODEL        solve the users of the interactions FILE against\n"
	      "                           the item factors of MODEL (an als model); write\n"
	      "                           the shard's model (-o) and its sums (--sums)\n"
	      "      --items              the item factors from the FILEs (--sums outputs)\n"
	      "\n"
	      "Options:\n"
	      "  -o, --output FILE        the list, the model or the item factors to write\n"
	      "      --sums FILE          --users: also write the shard's item-side sums\n"
	      "      --folds LIST         --list-items, --users: with a fold column, these\n"
	      "                           folds (default train; 'all' for every row)\n"
	      "      --use-weights        --list-items, --users: the weight column counts\n"
	      "                           (default: every interaction counts 1)\n"
	      "      --factors K          --init: latent factors (default 64)\n"
	      "      --reg R              --init: L2 regularisation (default 5)\n"
	      "      --alpha A            --init: confidence 1 + A * weight (default 0.5)\n"
	      "      --init-scale S       --init: std of the random factors (default 0.01)\n"
	      "  -s, --seed N             --init: random seed (default 1)\n"
	      "  -j, --threads N          threads (default 1)\n"
	      "  -q, --quiet              no summary on standard error\n"
	      "  -h, --help               show this help and exit\n"
	      "  -V, --version            show the version and exit\n"
	      "\n"
	      "With the same data, seed and iterations, the item factors equal those of\n"
	      "lmrec-train's als model up to floating-point rounding.\n"
	      "\n"
	      "Examples:\n"
	      "  lmrec-als-shard --list-items -o items.a.tsv a.tsv\n"
	      "  lmrec-als-shard --init -o Y.lmrc items.a.tsv items.b.tsv\n"
	      "  lmrec-als-shard --users Y.lmrc --sums sums.a.lmrc -o a.lmrc a.tsv\n"
	      "  lmrec-als-shard --items -o Y.lmrc sums.a.lmrc sums.b.lmrc\n"
	      "\n"
	      "See lmrec-als-shard(1).\n",
	      stdout);
	exit(0);
}

/* ---- a shard's interactions ---- */

struct shard {
	struct lmrec_ids *users;
	struct lmrec_csr ui;
	size_t rows;
};

/* The shard's rows of the chosen folds (lmrec_inter_matrix). */
static void load_shard(const struct opts *o, const char *file, const struct lmrec_ids *items,
		       const char *items_path, struct shard *s, struct lmrec_ids **own)
{
	char *from = items ? lmrec_xasprintf("%s (run --init with this shard's items)", items_path) : NULL;
	s->rows = lmrec_inter_matrix(file, o->fold_set, o->use_weights, items, from, &s->users, own, &s->ui);
	free(from);
}

static void shard_free(struct shard *s)
{
	lmrec_ids_free(s->users);
	lmrec_csr_free(&s->ui);
}

/* ---- item-factor files: an als model with no users ---- */

static void write_items_model(const char *path, struct lmrec_ids *items, float *Y, size_t k,
			      double reg, double alpha, const char *made_by)
{
	struct lmrec_recmodel m;
	memset(&m, 0, sizeof m);
	m.kind = LMREC_KIND_ALS;
	m.users = lmrec_ids_new();
	m.items = items;
	m.ni = lmrec_ids_count(items);
	m.k = k;
	m.reg = reg;
	m.alpha = alpha;
	float none = 0;
	m.X = &none;
	m.Y = Y;
	uint64_t ptr0 = 0;
	uint32_t idx0 = 0;
	m.seen = (struct lmrec_csr){0, m.ni, &ptr0, &idx0, &none};
	struct lmrec_model *f = lmrec_model_new(LMREC_KIND_ALS);
	lmrec_model_set_param(f, "factors", "%zu", k);
	lmrec_model_set_param(f, "federated", "%s", made_by);
	lmrec_recmodel_write(&m, f, path); /* frees f */
	lmrec_ids_free(m.users);
}

static void need_output(const struct opts *o)
{
	if (!o->output)
		lmrec_usage_error("-o FILE is required");
}

/* ---- modes ---- */

static void run_list_items(const struct opts *o, const char *file)
{
	struct shard s;
	struct lmrec_ids *items = NULL;
	load_shard(o, file, NULL, NULL, &s, &items);
	struct lmrec_out *out = lmrec_out_open(o->output);
	lmrec_out_str(out, "item\n");
	size_t ni = lmrec_ids_count(items);
	for (size_t i = 0; i < ni; i++) {
		size_t len;
		const char *str = lmrec_ids_str(items, (uint32_t)i, &len);
		lmrec_out_field(out, str, len);
		lmrec_out_eol(out);
	}
	lmrec_out_commit(out);
	if (!o->quiet)
		fprintf(stderr, "%s: %zu items of %zu users\n", lmrec_progname(), ni,
			lmrec_ids_count(s.users));
	lmrec_ids_free(items);
	shard_free(&s);
}

static void run_init(const struct opts *o, char **files, int nfiles)
{
	struct lmrec_ids *all = lmrec_ids_new();
	char *buf = NULL;
	size_t cap = 0;
	for (int a = 0; a < nfiles; a++) {
		struct lmrec_tsv *r = lmrec_tsv_open(files[a]);
		size_t ci = lmrec_tsv_col(r, "item");
		while (lmrec_tsv_read(r)) {
			struct lmrec_field f = lmrec_tsv_field(r, ci);
			if (f.len == 0)
				lmrec_tsv_die(r, ci, "empty item id");
			LMREC_GROW(buf, cap, f.len + 1);
			size_t len = lmrec_tsv_unescape(buf, f.p, f.len);
			lmrec_ids_intern(all, buf, len);
		}
		lmrec_tsv_close(r);
	}
	free(buf);
	uint32_t *map;
	struct lmrec_ids *items = lmrec_ids_sorted_copy(all, &map);
	free(map);
	lmrec_ids_free(all);
	size_t ni = lmrec_ids_count(items);
	if (ni == 0)
		lmrec_die(LMREC_EXIT_DATA, "%s: no items", nfiles ? files[0] : "-");
	float *Y = lmrec_xcalloc(ni * o->factors, sizeof *Y);
	/* the stream lmrec-train draws its item factors from */
	lmrec_als_init(Y, ni, o->factors, o->init_scale, o->seed, 1);
	write_items_model(o->output, items, Y, o->factors, o->reg, o->alpha, "init");
	if (!o->quiet)
		fprintf(stderr, "%s: %zu items, %zu factors\n", lmrec_progname(), ni, o->factors);
	free(Y);
	lmrec_ids_free(items);
}

static void write_sums(const struct opts *o, const struct lmrec_recmodel *im, const struct shard *s,
		       const float *X)
{
	size_t k = im->k, np = lmrec_als_packed(k), ni = im->ni;
	struct lmrec_csr iu;
	lmrec_csr_transpose(&iu, &s->ui);
	float *A = lmrec_xcalloc(ni * np + 1, sizeof *A), *b = lmrec_xcalloc(ni * k + 1, sizeof *b);
	double *G = lmrec_xcalloc(k * k, sizeof *G);
	struct lmrec_als_params p = {k, im->reg, im->alpha, 0, 0, o->threads};
	lmrec_als_shard_sums(A, b, G, &iu, X, &p);
	/* only the items the shard touched: compacted in place, in item order */
	unsigned char *drop = lmrec_xcalloc(ni + 1, 1);
	size_t nt = 0;
	for (size_t i = 0; i < ni; i++) {
		if (iu.ptr[i + 1] == iu.ptr[i]) {
			drop[i] = 1;
			continue;
		}
		memmove(A + nt * np, A + i * np, np * sizeof *A);
		memmove(b + nt * k, b + i * k, k * sizeof *b);
		nt++;
	}
	struct lmrec_model *f = lmrec_model_new(LMREC_KIND_ALS_SUMS);
	lmrec_model_add_strs(f, "items", lmrec_model_find(im->file, "items"), drop);
	uint64_t sa[2] = {nt, np}, sb[2] = {nt, k}, sg[2] = {k, k};
	lmrec_model_add(f, "A", LMREC_DT_F32, 2, sa, A);
	lmrec_model_add(f, "b", LMREC_DT_F32, 2, sb, b);
	lmrec_model_add(f, "gram", LMREC_DT_F64, 2, sg, G);
	lmrec_model_set_param(f, "factors", "%zu", k);
	lmrec_model_set_param(f, "reg", "%.17g", im->reg);
	lmrec_model_set_param(f, "alpha", "%.17g", im->alpha);
	lmrec_model_set_param(f, "users", "%zu", lmrec_ids_count(s->users));
	lmrec_model_write(f, o->sums);
	lmrec_model_free(f);
	free(drop);
	free(A);
	free(b);
	free(G);
	lmrec_csr_free(&iu);
}

static void run_users(const struct opts *o, const char *file)
{
	struct lmrec_recmodel *im = lmrec_recmodel_read(o->items_model, LMREC_KIND_ALS);
	if (im->cg_steps)
		lmrec_die(LMREC_EXIT_DATA, "%s: conjugate-gradient ALS (cg_steps %zu) is not sharded",
			  o->items_model, im->cg_steps);
	struct shard s;
	load_shard(o, file, im->items, o->items_model, &s, NULL);
	size_t nu = lmrec_ids_count(s.users), k = im->k;
	float *X = lmrec_xcalloc(nu * k + 1, sizeof *X);
	struct lmrec_als_params p = {k, im->reg, im->alpha, 1, 0, o->threads};
	lmrec_als_half(X, &s.ui, im->Y, &p);
	for (size_t j = 0; j < nu * k; j++)
		if (!isfinite(X[j]))
			lmrec_die(LMREC_EXIT_FAIL, "ALS diverged (non-finite user factors)");
	if (o->output) {
		struct lmrec_recmodel m = *im;
		m.file = NULL;
		m.users = s.users;
		m.nu = nu;
		m.seen = s.ui;
		m.X = X;
		struct lmrec_model *f = lmrec_model_new(LMREC_KIND_ALS);
		lmrec_model_set_param(f, "factors", "%zu", k);
		lmrec_model_set_param(f, "federated", "%s", "users");
		lmrec_recmodel_write(&m, f, o->output); /* frees f */
	}
	if (o->sums)
		write_sums(o, im, &s, X);
	if (!o->quiet)
		fprintf(stderr, "%s: %zu users, %zu interactions solved against %zu items\n",
			lmrec_progname(), nu, s.rows, im->ni);
	free(X);
	shard_free(&s);
	lmrec_recmodel_free(im);
}

/* A parameter of a sums file, the same in every file (have: not the
 * first). */
static double sums_param(const struct lmrec_model *f, const char *key, int have, double want)
{
	double x = lmrec_model_param_double(f, key); /* finite */
	if (have && x != want)
		lmrec_die(LMREC_EXIT_DATA, "%s: parameter '%s' is %.17g, but the first file's is %.17g",
			  f->path, key, x, want);
	return x;
}

struct solve_ctx {
	float *Y;
	const double *G, *A, *b;
	const struct lmrec_als_params *p;
	int failed;
};

static void solve_items(void *arg, int thread, size_t begin, size_t end)
{
	(void)thread;
	struct solve_ctx *c = arg;
	size_t k = c->p->factors, np = lmrec_als_packed(k);
	for (size_t i = begin; i < end; i++)
		if (lmrec_als_solve_sums(c->Y + i * k, c->G, c->A + i * np, c->b + i * k, c->p) != 0)
			c->failed = 1; /* only ever set to 1: the race is benign */
}

/* What --items holds, at file scope, so that what a refusal leaves behind
 * is still reachable when it exits (LeakSanitizer). */
static struct {
	struct lmrec_model **f;
	struct lmrec_ids **ids; /* each file's items, read once */
	struct lmrec_ids *all, *items;
	double *A, *b, *G;
	float *Y;
} held;

/* Every file is read and checked before anything is summed. */
static void read_sums(char **files, int nfiles, size_t *k, double *reg, double *alpha, double *users)
{
	held.f = lmrec_xcalloc((size_t)nfiles, sizeof(struct lmrec_model *));
	held.ids = lmrec_xcalloc((size_t)nfiles, sizeof(struct lmrec_ids *));
	held.all = lmrec_ids_new();
	for (int a = 0; a < nfiles; a++) {
		struct lmrec_model *f = held.f[a] = lmrec_model_read(files[a], LMREC_KIND_ALS_SUMS);
		*k = (size_t)sums_param(f, "factors", a > 0, (double)*k);
		if (*k == 0 || *k > 4096)
			lmrec_die(LMREC_EXIT_DATA, "%s: parameter 'factors' is %zu", files[a], *k);
		*reg = sums_param(f, "reg", a > 0, *reg);
		*alpha = sums_param(f, "alpha", a > 0, *alpha);
		*users += sums_param(f, "users", 0, 0);
		uint64_t n = lmrec_model_need(f, "items", LMREC_DT_STR, 1)->shape[0];
		uint64_t sa[2] = {n, lmrec_als_packed(*k)}, sb[2] = {n, *k}, sg[2] = {*k, *k};
		const struct lmrec_section *sA = lmrec_model_need(f, "A", LMREC_DT_F32, 2);
		const struct lmrec_section *sB = lmrec_model_need(f, "b", LMREC_DT_F32, 2);
		const struct lmrec_section *sG = lmrec_model_need(f, "gram", LMREC_DT_F64, 2);
		if (memcmp(sA->shape, sa, sizeof sa) != 0 || memcmp(sB->shape, sb, sizeof sb) != 0 ||
		    memcmp(sG->shape, sg, sizeof sg) != 0)
			lmrec_die(LMREC_EXIT_DATA, "%s: sections 'A', 'b' and 'gram' do not fit %llu items "
				  "of %zu factors", files[a], (unsigned long long)n, *k);
		const float *fa = sA->data, *fb = sB->data;
		const double *fg = sG->data;
		int finite = 1;
		for (uint64_t j = 0; j < sa[0] * sa[1]; j++)
			finite &= isfinite(fa[j]);
		for (uint64_t j = 0; j < sb[0] * sb[1]; j++)
			finite &= isfinite(fb[j]);
		for (uint64_t j = 0; j < sg[0] * sg[1]; j++)
			finite &= isfinite(fg[j]);
		if (!finite)
			lmrec_die(LMREC_EXIT_DATA, "%s: the sums are not finite", files[a]);
		struct lmrec_ids *ids = held.ids[a] = lmrec_model_ids(f, "items");
		for (size_t i = 0; i < n; i++) {
			size_t len;
			const char *str = lmrec_ids_str(ids, (uint32_t)i, &len);
			lmrec_ids_intern(held.all, str, len);
		}
	}
}

static void run_items(const struct opts *o, char **files, int nfiles)
{
	if (nfiles == 0)
		lmrec_usage_error("--items needs the sums FILEs");
	size_t k = 0;
	double reg = 0, alpha = 0, users = 0;
	read_sums(files, nfiles, &k, &reg, &alpha, &users);
	uint32_t *map;
	struct lmrec_ids *items = held.items = lmrec_ids_sorted_copy(held.all, &map);
	free(map);
	size_t ni = lmrec_ids_count(items), np = lmrec_als_packed(k);
	if (ni == 0)
		lmrec_die(LMREC_EXIT_DATA, "%s: no items", files[0]);
	double *A = held.A = lmrec_xcalloc(ni * np, sizeof *A), *b = held.b = lmrec_xcalloc(ni * k, sizeof *b);
	double *G = held.G = lmrec_xcalloc(k * k, sizeof *G);
	/* summed in the order of the files: the same files, the same bytes */
	for (int a = 0; a < nfiles; a++) {
		const struct lmrec_ids *ids = held.ids[a];
		size_t n = lmrec_ids_count(ids);
		const float *fa = lmrec_model_find(held.f[a], "A")->data, *fb = lmrec_model_find(held.f[a], "b")->data;
		const double *fg = lmrec_model_find(held.f[a], "gram")->data;
		for (size_t j = 0; j < k * k; j++)
			G[j] += fg[j];
		for (size_t i = 0; i < n; i++) {
			size_t len;
			const char *str = lmrec_ids_str(ids, (uint32_t)i, &len);
			size_t t = (size_t)lmrec_ids_find(items, str, len);
			for (size_t e = 0; e < np; e++)
				A[t * np + e] += fa[i * np + e];
			for (size_t e = 0; e < k; e++)
				b[t * k + e] += fb[i * k + e];
		}
	}
	float *Y = held.Y = lmrec_xcalloc(ni * k, sizeof *Y);
	struct lmrec_als_params p = {k, reg, alpha, 1, 0, o->threads};
	struct solve_ctx c = {Y, G, A, b, &p, 0};
	lmrec_blas_threads(1);
	lmrec_par_for(o->threads, ni, solve_items, &c);
	if (c.failed)
		lmrec_die(LMREC_EXIT_DATA, "ALS: an item's system is not positive definite (are the "
			  "sums from shards of one model?)");
	for (size_t j = 0; j < ni * k; j++)
		if (!isfinite(Y[j]))
			lmrec_die(LMREC_EXIT_FAIL, "ALS diverged (non-finite item factors)");
	write_items_model(o->output, items, Y, k, reg, alpha, "items");
	if (!o->quiet)
		fprintf(stderr, "%s: %zu items from the sums of %d shards (%.0f users)\n",
			lmrec_progname(), ni, nfiles, users);
	for (int a = 0; a < nfiles; a++) {
		lmrec_model_free(held.f[a]);
		lmrec_ids_free(held.ids[a]);
	}
	free(held.f);
	free(held.ids);
	free(A);
	free(b);
	free(G);
	free(Y);
	lmrec_ids_free(items);
	lmrec_ids_free(held.all);
	memset(&held, 0, sizeof held);
}

enum {
	OPT_LIST_ITEMS = CHAR_MAX + 1,
	OPT_INIT,
	OPT_USERS,
	OPT_ITEMS,
	OPT_SUMS,
	OPT_FOLDS,
	OPT_USE_WEIGHTS,
	OPT_FACTORS,
	OPT_REG,
	OPT_ALPHA,
	OPT_INIT_SCALE
};

static const struct option long_options[] = {
	{"list-items", no_argument, NULL, OPT_LIST_ITEMS},
	{"init", no_argument, NULL, OPT_INIT},
	{"users", required_argument, NULL, OPT_USERS},
	{"items", no_argument, NULL, OPT_ITEMS},
	{"sums", required_argument, NULL, OPT_SUMS},
	{"folds", required_argument, NULL, OPT_FOLDS},
	{"use-weights", no_argument, NULL, OPT_USE_WEIGHTS},
	{"factors", required_argument, NULL, OPT_FACTORS},
	{"reg", required_argument, NULL, OPT_REG},
	{"alpha", required_argument, NULL, OPT_ALPHA},
	{"init-scale", required_argument, NULL, OPT_INIT_SCALE},
	{"seed", required_argument, NULL, 's'},
	{"threads", required_argument, NULL, 'j'},
	{"output", required_argument, NULL, 'o'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0}};

static void set_mode(struct opts *o, enum mode m)
{
	if (o->mode != M_NONE && o->mode != m)
		lmrec_usage_error("give one mode: --list-items, --init, --users or --items");
	o->mode = m;
}

int main(int argc, char **argv)
{
	lmrec_setprogname(argv[0]);
	struct opts o = {.fold_set = 1u << LMREC_FOLD_TRAIN, .factors = 64, .reg = 5, .alpha = 0.5,
			 .init_scale = 0.01, .seed = 1, .threads = 1};
	int c;
	while ((c = getopt_long(argc, argv, "o:s:j:qhV", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_LIST_ITEMS: /* --list-items */
			set_mode(&o, M_LIST_ITEMS);
			break;
		case OPT_INIT: /* --init */
			set_mode(&o, M_INIT);
			break;
		case OPT_USERS: /* --users */
			set_mode(&o, M_USERS);
			o.items_model = optarg;
			break;
		case OPT_ITEMS: /* --items */
			set_mode(&o, M_ITEMS);
			break;
		case OPT_SUMS: /* --sums */
			o.sums = optarg;
			break;
		case OPT_FOLDS: /* --folds */
			o.fold_set = lmrec_folds_parse("--folds", optarg);
			break;
		case OPT_USE_WEIGHTS: /* --use-weights */
			o.use_weights = 1;
			break;
		case OPT_FACTORS: /* --factors */
			o.factors = (size_t)lmrec_opt_u64("--factors", optarg, 1, 4096);
			break;
		case OPT_REG: /* --reg */
			o.reg = lmrec_opt_double("--reg", optarg, 1e-12, 1e12);
			break;
		case OPT_ALPHA: /* --alpha */
			o.alpha = lmrec_opt_double("--alpha", optarg, 0, 1e12);
			break;
		case OPT_INIT_SCALE: /* --init-scale */
			o.init_scale = lmrec_opt_double("--init-scale", optarg, 0, 1e6);
			break;
		case 's': /* --seed */
			o.seed = lmrec_opt_u64("--seed", optarg, 0, UINT64_MAX);
			break;
		case 'j': /* --threads */
			o.threads = (int)lmrec_opt_u64("--threads", optarg, 1, 1024);
			break;
		case 'o': /* --output */
			o.output = optarg;
			break;
		case 'q': /* --quiet */
			o.quiet = 1;
			break;
		case 'h': /* --help */
			usage(0);
			break;
		case 'V': /* --version */
			lmrec_print_version();
			return 0;
		default:
			usage(LMREC_EXIT_USAGE);
		}
	}
	int nfiles = argc - optind;
	char **files = argv + optind;
	if (o.mode == M_NONE)
		lmrec_usage_error("no mode: give one of --list-items, --init, --users and --items");
	if (o.sums && o.mode != M_USERS)
		lmrec_usage_error("--sums goes with --users");
	if ((o.mode == M_LIST_ITEMS || o.mode == M_USERS) && nfiles > 1)
		lmrec_usage_error("one interactions FILE a shard: '%s'", files[1]);
	const char *one = nfiles ? files[0] : NULL;
	static char dash[] = "-";
	static char *stdin_only[] = {dash};
	if (o.mode == M_INIT && nfiles == 0) {
		files = stdin_only;
		nfiles = 1;
	}
	switch (o.mode) {
	case M_LIST_ITEMS:
		run_list_items(&o, one);
		break;
	case M_INIT:
		need_output(&o);
		run_init(&o, files, nfiles);
		break;
	case M_USERS:
		if (!o.output && !o.sums)
			lmrec_usage_error("--users needs -o FILE, --sums FILE or both");
		run_users(&o, one);
		break;
	default:
		need_output(&o);
		run_items(&o, files, nfiles);
		break;
	}
	lmrec_close_stdout();
	return 0;
}

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
#include "corpus.h"
#include "crossdomain.h"
#include "csr.h"
#include "ease.h"
#include "itemknn.h"
#include "mat.h"
#include "recmodel.h"
#include "linalg.h"
#include "ridge.h"
#include "seqmodel.h"
#include "tfidf.h"

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
	const char *vectors, *factors_from, *align_method, *tokens;
	const char *gram; /* itemknn, ease: from this Gram file, not interactions */
	size_t hidden, min_df;
	double side_weight;
	/* sasrec */
	struct lmrec_sasrec_config sas;
	enum lmrec_sasrec_loss loss;
	size_t negatives, patience, batch;
	int have_negatives, have_dropout;
	double gbce_t, weight_decay;
	const char *checkpoint, *item_init;
	int valid_out; /* the valid rows stay out of the scoring sequences */
	int frozen_view; /* --item-init stays as the item table's anchor */
	int have_weight_decay;
	const char *since; /* incremental: a time, or "init" (the --init model's until) */
	int64_t since_ts;  /* --since as a time, parsed with the options */
	double init_std;   /* sasrec: N(0, std) weights; 0: Glorot normal */
	double init_std_qkv; /* sasrec: N(0, std) query, key, value; 0: as the rest */
	double beta2;      /* sasrec: Adam's beta2; 0: the default */
	int positions;     /* sasrec: 0 default, 1 start, 2 end */
	int block;         /* sasrec: 0 default, 1 sasrec, 2 preln */
	int dropout_sites; /* sasrec: 0 default, 1 outputs, 2 all */
	int window;        /* sasrec: 0 default (last), 1 last, 2 random */
	double replay;
	int have_replay;
	/* crossdomain */
	const char *items;
	double w_co, w_sem;
	int have_neighbors, have_shrink, have_w;
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
	      "      --model NAME         popular, itemknn, ease, als, bpr, sasrec, semantic,\n"
	      "                           align or crossdomain\n"
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
	      "      --gram FILE          itemknn, ease: build from this Gram matrix\n"
	      "                           (lmrec-gram; shards' sums) instead of interactions\n"
	      "ease:\n"
	      "      --lambda L           L2 regularisation (default 100)\n"
	      "      --tokens FILE        words of the items (lmrec-tokenize) as more\n"
	      "                           rows of X: side information\n"
	      "      --side-weight W      the value of a word's row (default 1)\n"
	      "      --min-df N           words in at least N items (default 1)\n"
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
	      "sasrec (self-attention over each user's items in time order):\n"
	      "      --factors D          width (default 64)\n"
	      "      --blocks N, --heads N   Transformer blocks (2) and heads (1)\n"
	      "      --maxlen N           the last N items of a sequence (200)\n"
	      "      --dropout P          dropout rate (0.2)\n"
	      "      --loss NAME          ce (default: softmax over every item), sampled,\n"
	      "                           bce (SASRec's) or gbce\n"
	      "      --negatives N        sampled, bce, gbce: items drawn (256; 1)\n"
	      "      --gbce-t T           gbce's calibration (0.75)\n"
	      "      --epochs N, --lr RATE   at most N epochs (200) of AdamW (0.001)\n"
	      "      --weight-decay W     AdamW's decay (0)\n"
	      "      --beta2 B            Adam's second-moment decay (0.98)\n"
	      "      --batch N            sequences a step (128)\n"
	      "      --patience N         stop after N epochs without a better valid\n"
	      "                           NDCG@10 (10; 0: never)\n"
	      "      --checkpoint FILE    write the best model so far after each epoch\n"
	      "      --item-init VECTORS  the item table from content vectors (PCA)\n"
	      "      --frozen-view        keep the --item-init table as a frozen view: the\n"
	      "                           item rows decay towards it (weight decay 1)\n"
	      "      --valid-out          the valid rows stop training but stay out of\n"
	      "                           the sequences scored (to learn blend weights)\n"
	      "      --since TS|init      incremental: each epoch trains the users with\n"
	      "                           rows after TS (init: after the --init model's\n"
	      "                           data) and a replay sample of the others\n"
	      "      --replay F           the share of the other users an epoch (0.2)\n"
	      "      --init-std S         start every matrix from N(0, S) (default 0:\n"
	      "                           Glorot normal)\n"
	      "      --init-std-qkv S     the query, key and value matrices from N(0, S)\n"
	      "                           (default 0: as --init-std)\n"
	      "      --positions start|end   count positions from the window's oldest\n"
	      "                           item or back from the newest (end)\n"
	      "      --block preln|sasrec    pre-LN blocks, or SASRec's (preln)\n"
	      "      --dropout-sites outputs|all  dropout on the embedding and each\n"
	      "                           sublayer's output, or also on the attention\n"
	      "                           probabilities and the FFN's hidden layer (outputs)\n"
	      "      --window last|random   train on each history's last --maxlen items,\n"
	      "                           or on a window ending at a random place each\n"
	      "                           epoch, so every item counts (last)\n"
	      "semantic (content vectors, a user the mean of the history's):\n"
	      "      --vectors FILE       item vectors from lmrec-embed (required)\n"
	      "      --half-life DAYS     time decay of the history (default 0: none)\n"
	      "align (content vectors mapped onto collaborative factors; no input):\n"
	      "      --vectors FILE       item vectors from lmrec-embed\n"
	      "      --tokens FILE        and/or words from lmrec-tokenize (TF-IDF,\n"
	      "                           ridge by conjugate gradients)\n"
	      "      --min-df N           --tokens: words in at least N items (default 1)\n"
	      "      --factors-from MODEL an als or bpr model (required)\n"
	      "      --align-method NAME  auto (default), ridge or mlp\n"
	      "      --lambda L           ridge regularisation (default 10)\n"
	      "      --hidden N           MLP hidden units (default 256)\n"
	      "      --epochs N, --lr RATE  MLP training (default 200, 0.001)\n"
	      "crossdomain (items of one domain from a user's items of the others):\n"
	      "      --items FILE         the catalog: item and domain columns (required)\n"
	      "      --vectors FILE       item vectors from lmrec-embed: the shared space\n"
	      "      --neighbors N        links kept per item and other domain (default 200)\n"
	      "      --shrink S           pseudo-users of the popularity prior (default 5)\n"
	      "      --lambda L           ridge of the maps between domains (default 1)\n"
	      "      --cooccurrence-weight W  weight of ln(co-occurrence) (default 1)\n"
	      "      --semantic-weight W  weight of the content cosine (default 1)\n"
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
	OPT_TOKENS,
	OPT_GRAM,
	OPT_MIN_DF,
	OPT_SIDE_WEIGHT,
	OPT_BLOCKS,
	OPT_HEADS,
	OPT_MAXLEN,
	OPT_DROPOUT,
	OPT_LOSS,
	OPT_NEGATIVES,
	OPT_GBCE_T,
	OPT_PATIENCE,
	OPT_BATCH,
	OPT_WEIGHT_DECAY,
	OPT_CHECKPOINT,
	OPT_ITEM_INIT,
	OPT_VALID_OUT,
	OPT_FROZEN_VIEW,
	OPT_SINCE,
	OPT_REPLAY,
	OPT_INIT_STD,
	OPT_INIT_STD_QKV,
	OPT_BETA2,
	OPT_POSITIONS,
	OPT_DROPOUT_SITES,
	OPT_WINDOW,
	OPT_BLOCK,
	OPT_FACTORS_FROM,
	OPT_ALIGN_METHOD,
	OPT_HIDDEN,
	OPT_ITEMS,
	OPT_W_CO,
	OPT_W_SEM,
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
	{"tokens", required_argument, NULL, OPT_TOKENS},
	{"gram", required_argument, NULL, OPT_GRAM},
	{"min-df", required_argument, NULL, OPT_MIN_DF},
	{"side-weight", required_argument, NULL, OPT_SIDE_WEIGHT},
	{"blocks", required_argument, NULL, OPT_BLOCKS},
	{"heads", required_argument, NULL, OPT_HEADS},
	{"maxlen", required_argument, NULL, OPT_MAXLEN},
	{"dropout", required_argument, NULL, OPT_DROPOUT},
	{"loss", required_argument, NULL, OPT_LOSS},
	{"negatives", required_argument, NULL, OPT_NEGATIVES},
	{"gbce-t", required_argument, NULL, OPT_GBCE_T},
	{"patience", required_argument, NULL, OPT_PATIENCE},
	{"batch", required_argument, NULL, OPT_BATCH},
	{"weight-decay", required_argument, NULL, OPT_WEIGHT_DECAY},
	{"checkpoint", required_argument, NULL, OPT_CHECKPOINT},
	{"item-init", required_argument, NULL, OPT_ITEM_INIT},
	{"valid-out", no_argument, NULL, OPT_VALID_OUT},
	{"frozen-view", no_argument, NULL, OPT_FROZEN_VIEW},
	{"since", required_argument, NULL, OPT_SINCE},
	{"replay", required_argument, NULL, OPT_REPLAY},
	{"init-std", required_argument, NULL, OPT_INIT_STD},
	{"init-std-qkv", required_argument, NULL, OPT_INIT_STD_QKV},
	{"beta2", required_argument, NULL, OPT_BETA2},
	{"positions", required_argument, NULL, OPT_POSITIONS},
	{"dropout-sites", required_argument, NULL, OPT_DROPOUT_SITES},
	{"window", required_argument, NULL, OPT_WINDOW},
	{"block", required_argument, NULL, OPT_BLOCK},
	{"factors-from", required_argument, NULL, OPT_FACTORS_FROM},
	{"align-method", required_argument, NULL, OPT_ALIGN_METHOD},
	{"hidden", required_argument, NULL, OPT_HIDDEN},
	{"items", required_argument, NULL, OPT_ITEMS},
	{"cooccurrence-weight", required_argument, NULL, OPT_W_CO},
	{"semantic-weight", required_argument, NULL, OPT_W_SEM},
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
	d->rows = n;
	/* repeats: summed when weights or decay count, else binary */
	enum lmrec_dup dup = (o->use_weights || o->half_life > 0) ? LMREC_DUP_SUM : LMREC_DUP_ONE;
	lmrec_inter_rows_matrix(u0, i0, 0, ru, ri, rw, n, dup, &d->users, &d->items, &d->ui);
	lmrec_csr_transpose(&d->iu, &d->ui);
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
	struct lmrec_ids *items = lmrec_ids_sorted_copy(vs.ids, &map);
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

/* ease --tokens: one row per word (held by at least min_df of the
 * model's items), side_weight in each of the model's items that holds it
 * (a word's presence, not its count: a title or a genre says it once). */
static void word_rows(const struct opts *o, const struct lmrec_ids *items, struct lmrec_csr *S)
{
	struct lmrec_corpus corpus;
	char *files[1] = {(char *)(uintptr_t)o->tokens};
	lmrec_corpus_read(&corpus, files, 1);
	size_t nt = lmrec_corpus_items(&corpus), nw = lmrec_corpus_words(&corpus);
	uint32_t *r = lmrec_xcalloc(corpus.ntokens + 1, sizeof *r), *c = lmrec_xcalloc(corpus.ntokens + 1, sizeof *c);
	size_t m = 0;
	for (size_t i = 0; i < nt; i++) {
		size_t len;
		const char *s = lmrec_ids_str(corpus.items, (uint32_t)i, &len);
		int64_t j = lmrec_ids_find(items, s, len);
		if (j < 0)
			continue;
		for (uint64_t t = corpus.start[i]; t < corpus.start[i + 1]; t++) {
			r[m] = corpus.tok[t];
			c[m++] = (uint32_t)j;
		}
	}
	struct lmrec_csr all;
	lmrec_csr_build(&all, nw, lmrec_ids_count(items), r, c, NULL, m, LMREC_DUP_ONE);
	/* rows of words in fewer than min_df items dropped */
	size_t kept = 0;
	m = 0;
	for (size_t w = 0; w < nw; w++) {
		if (all.ptr[w + 1] - all.ptr[w] < o->min_df)
			continue;
		for (uint64_t q = all.ptr[w]; q < all.ptr[w + 1]; q++) {
			r[m] = (uint32_t)kept;
			c[m++] = all.idx[q];
		}
		kept++;
	}
	float *v = lmrec_xcalloc(m + 1, sizeof *v);
	for (size_t q = 0; q < m; q++)
		v[q] = (float)o->side_weight;
	lmrec_csr_build(S, kept, lmrec_ids_count(items), r, c, v, m, LMREC_DUP_SUM);
	lmrec_csr_free(&all);
	lmrec_corpus_free(&corpus);
	free(r);
	free(c);
	free(v);
}

/* align --tokens: the features of every item with content, one sparse row
 * each: the content vector (when --vectors) then the TF-IDF of its words
 * (words in at least min_df items). Items: the union of both files, in
 * byte order. */
static struct lmrec_ids *sparse_features(const struct opts *o, struct lmrec_csr *F, size_t *ndense,
					 size_t *nwords)
{
	float *C = NULL;
	size_t d = 0;
	struct lmrec_ids *vitems = o->vectors ? content_items(o->vectors, &C, &d, 1) : NULL;
	struct lmrec_corpus corpus;
	char *files[1] = {(char *)(uintptr_t)o->tokens};
	lmrec_corpus_read(&corpus, files, 1);
	struct lmrec_csr T;
	size_t nw = lmrec_tfidf_build(&T, NULL, &corpus, o->min_df);
	struct lmrec_ids *all = lmrec_ids_new();
	size_t nv = vitems ? lmrec_ids_count(vitems) : 0, nt = lmrec_corpus_items(&corpus);
	for (size_t i = 0; i < nv; i++) {
		size_t len;
		const char *s = lmrec_ids_str(vitems, (uint32_t)i, &len);
		lmrec_ids_intern(all, s, len);
	}
	for (size_t i = 0; i < nt; i++) {
		size_t len;
		const char *s = lmrec_ids_str(corpus.items, (uint32_t)i, &len);
		lmrec_ids_intern(all, s, len);
	}
	uint32_t *map;
	struct lmrec_ids *items = lmrec_ids_sorted_copy(all, &map);
	lmrec_ids_free(all);
	/* all's indices: the vectors' items first, then the new ones of the
	 * tokens in their order, so a tokens item's index is found by id */
	size_t nnz = nv * d + lmrec_csr_nnz(&T);
	uint32_t *r = lmrec_xcalloc(nnz + 1, sizeof *r), *c = lmrec_xcalloc(nnz + 1, sizeof *c);
	float *v = lmrec_xcalloc(nnz + 1, sizeof *v);
	size_t m = 0;
	for (size_t i = 0; i < nv; i++)
		for (size_t j = 0; j < d; j++) {
			r[m] = map[i];
			c[m] = (uint32_t)j;
			v[m++] = C[i * d + j];
		}
	for (size_t i = 0; i < nt; i++) {
		size_t len;
		const char *s = lmrec_ids_str(corpus.items, (uint32_t)i, &len);
		uint32_t row = (uint32_t)lmrec_ids_find(items, s, len);
		for (uint64_t q = T.ptr[i]; q < T.ptr[i + 1]; q++) {
			r[m] = row;
			c[m] = (uint32_t)(d + T.idx[q]);
			v[m++] = T.val[q];
		}
	}
	lmrec_csr_build(F, lmrec_ids_count(items), d + nw, r, c, v, m, LMREC_DUP_SUM);
	*ndense = d;
	*nwords = nw;
	free(r);
	free(c);
	free(v);
	free(map);
	free(C);
	lmrec_csr_free(&T);
	lmrec_corpus_free(&corpus);
	if (vitems)
		lmrec_ids_free(vitems);
	return items;
}

/* align --tokens: ridge from the sparse features onto the factors, by
 * conjugate gradients; m->Y (every item with content) = F W + b. */
static void align_sparse(const struct opts *o, struct lmrec_recmodel *m, const struct lmrec_recmodel *cf,
			 const struct lmrec_csr *F, long *steps_out, size_t *n_out)
{
	size_t ni = F->rows, k = cf->k, p = F->cols;
	uint32_t *rows = lmrec_xcalloc(ni + 1, sizeof *rows);
	double *Y = lmrec_xcalloc(ni * k + 1, sizeof *Y);
	size_t n = 0;
	for (size_t i = 0; i < ni; i++) {
		size_t len;
		const char *s = lmrec_ids_str(m->items, (uint32_t)i, &len);
		int64_t j = lmrec_ids_find(cf->items, s, len);
		if (j < 0)
			continue;
		rows[n] = (uint32_t)i;
		for (size_t c = 0; c < k; c++)
			Y[n * k + c] = cf->Y[(size_t)j * k + c];
		n++;
	}
	if (n < 2)
		lmrec_die(LMREC_EXIT_DATA, "%s: %zu item%s with both content and factors in %s: too few to align",
			  o->tokens, n, n == 1 ? "" : "s", o->factors_from);
	double *W = lmrec_xcalloc(p * k + 1, sizeof *W), *b = lmrec_xcalloc(k + 1, sizeof *b);
	long steps = lmrec_ridge_fit_sparse(W, b, F, rows, Y, n, k, o->lambda, 1e-6, 5000, o->threads);
	if (steps < 0)
		lmrec_warn("align: conjugate gradients did not reach 1e-6 of the right-hand side in 5000 steps "
			   "(raise --lambda)");
	for (size_t i = 0; i < ni; i++)
		for (size_t c = 0; c < k; c++) {
			double t = b[c];
			for (uint64_t q = F->ptr[i]; q < F->ptr[i + 1]; q++)
				t += (double)F->val[q] * W[(size_t)F->idx[q] * k + c];
			m->Y[i * k + c] = (float)t;
		}
	*steps_out = steps;
	*n_out = n;
	free(rows);
	free(Y);
	free(W);
	free(b);
}

/* align on dense vectors: ridge always; the MLP when asked, or (auto) when
 * it beats ridge on held-out items. m->Y = the map of C (every item). */
static const char *align_dense(const struct opts *o, struct lmrec_recmodel *m, const struct lmrec_recmodel *cf,
			       const float *C, size_t d, size_t *n_out, double *ridge_err, double *mlp_err)
{
	size_t ni = m->ni, k = cf->k;
	/* training pairs: items with content and factors */
	float *X = lmrec_xcalloc(ni * d + 1, sizeof *X), *T = lmrec_xcalloc(ni * k + 1, sizeof *T);
	size_t n = 0;
	for (size_t i = 0; i < ni; i++) {
		size_t len;
		const char *s = lmrec_ids_str(m->items, (uint32_t)i, &len);
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
	float *W = lmrec_xcalloc((d + 1) * k, sizeof *W);
	if (lmrec_align_ridge_fit(W, X, T, n, d, k, o->lambda) != 0)
		lmrec_die(LMREC_EXIT_FAIL, "align: the ridge system is singular (raise --lambda)");
	const char *chosen = "ridge";
	*ridge_err = NAN;
	*mlp_err = NAN;
	struct lmrec_mlp mlp;
	memset(&mlp, 0, sizeof mlp);
	int use_mlp = strcmp(o->align_method, "mlp") == 0;
	if (strcmp(o->align_method, "ridge") != 0) {
		struct lmrec_mlp_params mp = {o->hidden, o->epochs, 64, o->lr, 1e-5, 0.1, o->seed};
		lmrec_mlp_init(&mlp, d, o->hidden, k, o->seed);
		*mlp_err = lmrec_mlp_fit(&mlp, X, T, n, &mp);
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
				*ridge_err = e / (double)nval;
			}
			use_mlp = nval && *mlp_err < *ridge_err;
			free(order);
			free(Xt);
			free(Tt);
			free(Wt);
			free(P);
		}
	}
	if (use_mlp) {
		chosen = "mlp";
		lmrec_mlp_apply(&mlp, m->Y, C, ni);
	} else {
		lmrec_align_ridge_apply(m->Y, W, C, ni, d, k);
	}
	*n_out = n;
	lmrec_mlp_free(&mlp);
	free(W);
	free(X);
	free(T);
	return chosen;
}

/* align: content mapped onto a collaborative model's item factors. Users
 * keep their factors; every item with content gets aligned factors. */
static int run_align(struct opts *o)
{
	double t0 = lmrec_now();
	struct lmrec_recmodel *cf = lmrec_recmodel_read(o->factors_from, LMREC_KIND_ANY);
	if (cf->kind != LMREC_KIND_ALS && cf->kind != LMREC_KIND_BPR) {
		const char *kind = lmrec_kind_name(cf->kind); /* a static name */
		lmrec_recmodel_free(cf); /* nothing left for the leak checker */
		lmrec_die(LMREC_EXIT_DATA, "%s: model kind '%s': align needs als or bpr factors", o->factors_from, kind);
	}
	float *C = NULL;
	size_t d = 0, nwords = 0;
	struct lmrec_csr F;
	memset(&F, 0, sizeof F);
	struct lmrec_ids *items = o->tokens ? sparse_features(o, &F, &d, &nwords) : content_items(o->vectors, &C, &d, 1);
	size_t ni = lmrec_ids_count(items), k = cf->k;
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
	const char *chosen;
	double ridge_err = NAN, mlp_err = NAN;
	long steps = 0;
	size_t n;
	if (o->tokens) {
		align_sparse(o, &m, cf, &F, &steps, &n);
		chosen = "ridge";
	} else {
		chosen = align_dense(o, &m, cf, C, d, &n, &ridge_err, &mlp_err);
	}
	double t_train = lmrec_now() - t0;
	struct lmrec_model *f = lmrec_model_new(LMREC_KIND_ALIGN);
	lmrec_model_set_param(f, "model", "%s", o->model);
	lmrec_model_set_param(f, "factors_from", "%s", o->factors_from);
	if (o->vectors)
		lmrec_model_set_param(f, "vectors", "%s", o->vectors);
	if (o->tokens) {
		lmrec_model_set_param(f, "tokens", "%s", o->tokens);
		lmrec_model_set_param(f, "min_df", "%zu", o->min_df);
		lmrec_model_set_param(f, "words", "%zu", nwords);
	}
	lmrec_model_set_param(f, "method", "%s", chosen);
	lmrec_model_set_param(f, "lambda", "%.17g", o->lambda);
	lmrec_model_set_param(f, "users", "%zu", m.nu);
	lmrec_model_set_param(f, "items", "%zu", ni);
	lmrec_model_set_param(f, "aligned_on", "%zu", n);
	lmrec_recmodel_write(&m, f, o->output);
	if (!o->quiet) {
		fprintf(stderr, "%s: align: %zu items with content, %zu with factors to learn from; %s", lmrec_progname(),
			ni, n, chosen);
		if (o->tokens)
			fprintf(stderr, " over %zu vector dimensions and %zu words (%ld conjugate-gradient steps)", d,
				nwords, steps);
		if (!isnan(ridge_err) && !isnan(mlp_err))
			fprintf(stderr, " (held-out squared error: ridge %.4g, mlp %.4g)", ridge_err, mlp_err);
		fprintf(stderr, "; %.2f s\n", t_train);
	}
	lmrec_csr_free(&m.seen);
	if (o->tokens)
		lmrec_csr_free(&F);
	free(m.Y);
	free(C);
	lmrec_ids_free(items);
	lmrec_recmodel_free(cf);
	return 0;
}

/* ---- sasrec ---- */

/* --item-init: the item table from content vectors, by PCA to the model's
 * width (principal axes of the centred vectors, leading ones first), each
 * entry scaled so the table keeps the spread of a fresh one; items without
 * a vector keep their random row. The rows of items continued from --init
 * (kept, NULL: none) keep their trained values; semantic (items + 1, dim)
 * receives the table as the vectors make it, whatever --init kept (the
 * anchor of --frozen-view). */
static void sasrec_item_init(const struct opts *o, struct lmrec_sasrec *m, const struct lmrec_ids *items,
			     const unsigned char *kept, float *semantic)
{
	struct lmrec_vectors vs;
	lmrec_vectors_read(&vs, o->item_init, "item");
	size_t d = vs.dim, dim = m->c.dim, keep = d < dim ? d : dim, ni = m->c.items;
	double *X = lmrec_xcalloc(vs.n * d + 1, sizeof *X), *mu = lmrec_xcalloc(d + 1, sizeof *mu);
	for (size_t r = 0; r < vs.n; r++)
		for (size_t j = 0; j < d; j++)
			mu[j] += vs.v[r * d + j] / (double)(vs.n ? vs.n : 1);
	for (size_t r = 0; r < vs.n; r++)
		for (size_t j = 0; j < d; j++)
			X[r * d + j] = vs.v[r * d + j] - mu[j];
	double *G = lmrec_xcalloc(d * d + 1, sizeof *G), *w = lmrec_xcalloc(d + 1, sizeof *w);
	double *Z = lmrec_xcalloc(d * d + 1, sizeof *Z);
	lmrec_gram_d(G, X, vs.n, d);
	if (lmrec_sym_eigen(G, d, w, Z) != 0)
		lmrec_die(LMREC_EXIT_FAIL, "%s: the eigen-decomposition of the vectors did not converge", o->item_init);
	lmrec_fix_sign_rows(Z, d, d);
	double *P = lmrec_xcalloc(vs.n * dim + 1, sizeof *P), ss = 0;
	for (size_t r = 0; r < vs.n; r++)
		for (size_t c = 0; c < keep; c++) {
			double t = 0;
			for (size_t j = 0; j < d; j++)
				t += X[r * d + j] * Z[c * d + j];
			P[r * dim + c] = t;
			ss += t * t;
		}
	/* the spread of a fresh table, over all its entries */
	double fresh = 0;
	for (size_t i = 1; i <= ni; i++)
		for (size_t c = 0; c < dim; c++)
			fresh += (double)m->item[i * dim + c] * m->item[i * dim + c];
	fresh /= (double)(ni * dim);
	double scale = ss > 0 ? sqrt(fresh / (ss / (double)(vs.n * dim))) : 0.0;
	size_t placed = 0;
	for (size_t r = 0; r < vs.n; r++) {
		size_t len;
		const char *id = lmrec_ids_str(vs.ids, (uint32_t)r, &len);
		int64_t i = lmrec_ids_find(items, id, len);
		if (i < 0)
			continue;
		for (size_t c = 0; c < dim; c++) {
			float v = (float)(P[r * dim + c] * scale);
			semantic[((size_t)i + 1) * dim + c] = v;
			if (!kept || !kept[i])
				m->item[((size_t)i + 1) * dim + c] = v;
		}
		placed++;
	}
	if (!o->quiet)
		fprintf(stderr, "%s: sasrec: item table from %s: %zu of %zu items, %zu principal axes\n",
			lmrec_progname(), o->item_init, placed, ni, keep);
	free(X);
	free(mu);
	free(G);
	free(w);
	free(Z);
	free(P);
	lmrec_vectors_free(&vs);
}

struct sasrec_ckpt {
	const struct opts *o;
	struct lmrec_recmodel *m;
};

static void sasrec_checkpoint(void *ctx, const struct lmrec_sasrec *net, size_t epoch, double loss, double ndcg,
			      int best)
{
	(void)net;
	(void)loss;
	struct sasrec_ckpt *c = ctx;
	if (!c->o->checkpoint || !best)
		return;
	struct lmrec_model *f = lmrec_model_new(LMREC_KIND_SASREC);
	lmrec_model_set_param(f, "model", "sasrec");
	lmrec_model_set_param(f, "epoch", "%zu", epoch);
	lmrec_model_set_param(f, "valid_ndcg", "%.9g", ndcg);
	lmrec_recmodel_write(c->m, f, c->o->checkpoint);
}

static const char *const loss_names[] = {"ce", "sampled", "bce", "gbce"};

/* sasrec: sequences of the chosen folds in time order; the valid fold, when
 * not among them, stops training early and then joins the sequences that
 * the model scores from (SASRec's protocol: the test item follows it). */
static int run_sasrec(struct opts *o, char *const *files, size_t nfiles)
{
	double t0 = lmrec_now();
	struct lmrec_inter x;
	lmrec_inter_init(&x, NULL, NULL);
	lmrec_inter_load(&x, files, nfiles, LMREC_INTER_NO_TS);
	int valid_apart = x.has_fold && !lmrec_fold_in(o->fold_set, LMREC_FOLD_VALID);
	/* users and items of the training and valid rows, in byte order */
	struct lmrec_ids *u0 = lmrec_ids_new(), *i0 = lmrec_ids_new();
	uint32_t *ru = lmrec_xcalloc(x.n + 1, sizeof *ru), *ri = lmrec_xcalloc(x.n + 1, sizeof *ri);
	int64_t *rt = lmrec_xcalloc(x.n + 1, sizeof *rt);
	unsigned char *rv = lmrec_xcalloc(x.n + 1, 1);
	size_t n = 0;
	for (size_t r = 0; r < x.n; r++) {
		int train = !x.has_fold || lmrec_fold_in(o->fold_set, x.fold_of[r]);
		int valid = valid_apart && x.fold_of[r] == LMREC_FOLD_VALID;
		if (!train && !valid)
			continue;
		size_t len;
		const char *s = lmrec_ids_str(x.users, x.user[r], &len);
		ru[n] = lmrec_ids_intern(u0, s, len);
		s = lmrec_ids_str(x.items, x.item[r], &len);
		ri[n] = lmrec_ids_intern(i0, s, len);
		rt[n] = x.ts[r];
		rv[n++] = (unsigned char)valid;
	}
	lmrec_inter_free(&x);
	uint32_t *umap, *imap;
	struct lmrec_ids *users = lmrec_ids_sorted_copy(u0, &umap), *items = lmrec_ids_sorted_copy(i0, &imap);
	lmrec_ids_free(u0);
	lmrec_ids_free(i0);
	size_t nu = lmrec_ids_count(users), ni = lmrec_ids_count(items);
	if (ni == 0)
		lmrec_die(LMREC_EXIT_DATA, "sasrec: no interactions in the folds trained on");
	/* training sequences; the valid item of each user (the first by time
	 * when there are several); all of them for scoring */
	size_t nt = 0;
	uint32_t *tu = lmrec_xcalloc(n + 1, sizeof *tu), *ti = lmrec_xcalloc(n + 1, sizeof *ti);
	int64_t *tt = lmrec_xcalloc(n + 1, sizeof *tt);
	uint32_t *valid = NULL;
	int64_t *valid_ts = NULL;
	if (valid_apart) {
		valid = lmrec_xmalloc((nu + 1) * sizeof *valid);
		valid_ts = lmrec_xcalloc(nu + 1, sizeof *valid_ts);
		for (size_t u = 0; u < nu; u++)
			valid[u] = UINT32_MAX;
	}
	for (size_t r = 0; r < n; r++) {
		ru[r] = umap[ru[r]];
		ri[r] = imap[ri[r]];
		if (rv[r]) {
			if (valid[ru[r]] == UINT32_MAX || rt[r] < valid_ts[ru[r]]) {
				valid[ru[r]] = ri[r];
				valid_ts[ru[r]] = rt[r];
			}
			continue;
		}
		tu[nt] = ru[r];
		ti[nt] = ri[r];
		tt[nt++] = rt[r];
	}
	int64_t until = INT64_MIN; /* the newest row trained on, recorded for --since init */
	for (size_t r = 0; r < nt; r++)
		until = tt[r] > until ? tt[r] : until;
	struct lmrec_seqs train, all;
	lmrec_seqs_build(&train, nu, tu, ti, tt, nt);
	lmrec_seqs_build(&all, nu, ru, ri, rt, n);
	/* the network */
	struct lmrec_recmodel *old = NULL;
	struct lmrec_sasrec *net = lmrec_xcalloc(1, sizeof *net);
	o->sas.items = ni;
	if (o->init) {
		old = lmrec_recmodel_read(o->init, LMREC_KIND_SASREC);
		struct lmrec_sasrec_config c = old->sas->c;
		c.items = ni;
		c.dropout = o->have_dropout ? o->sas.dropout : c.dropout;
		c.dropout_all = o->dropout_sites ? o->dropout_sites == 2 : c.dropout_all;
		if (o->positions && (o->positions == 1) != (c.pos_from_start != 0))
			lmrec_usage_error("--positions %s: %s counts its positions the other way",
					  o->positions == 1 ? "start" : "end", o->init);
		if (o->block && (o->block == 1) != (c.sasrec_block != 0))
			lmrec_usage_error("--block %s: %s has the other blocks", o->block == 1 ? "sasrec" : "preln",
					  o->init);
		o->sas = c;
	}
	/* incremental: the users with rows after --since */
	unsigned char *fresh = NULL;
	const char *until_v = NULL;
	size_t until_len = 0;
	if (o->since && strcmp(o->since, "init") == 0) {
		if (!old)
			lmrec_usage_error("--since init needs --init");
		until_v = lmrec_model_param(old->file, "until", &until_len);
		if (!until_v) /* a model of an older lmrec: nothing to tell old from new */
			lmrec_warn("%s: the model does not record when its data ends: every user is trained",
				   o->init);
	}
	if (o->since && (until_v || strcmp(o->since, "init") != 0)) {
		int64_t since;
		if (until_v) {
			size_t len = until_len;
			const char *v = until_v;
			char *buf = lmrec_xmalloc(len + 1);
			memcpy(buf, v, len);
			buf[len] = 0;
			since = lmrec_opt_i64("until", buf, INT64_MIN, INT64_MAX);
			free(buf);
		} else {
			since = o->since_ts;
		}
		fresh = lmrec_xcalloc(nu + 1, 1);
		size_t nfresh = 0;
		for (size_t r = 0; r < nt; r++)
			if (tt[r] > since && !fresh[tu[r]]) {
				fresh[tu[r]] = 1;
				nfresh++;
			}
		if (!o->quiet)
			fprintf(stderr, "%s: sasrec: %zu of %zu users have rows after %lld; a share %g of the others replayed\n",
				lmrec_progname(), nfresh, nu, (long long)since, o->replay);
	}
	char msg[200];
	if (lmrec_sasrec_check_config(&o->sas, msg, sizeof msg) != 0)
		lmrec_usage_error("%s", msg);
	lmrec_sasrec_init_std(net, &o->sas, o->seed, o->init_std, o->init_std_qkv);
	unsigned char *kept_rows = NULL;
	if (old) {
		/* yesterday's weights; its items' rows by id, new items fresh */
		const struct lmrec_sasrec *p = old->sas;
		/* every tensor after the item table has the same shape: one copy */
		size_t dim = p->c.dim, from = p->tensor[1].off, to = net->tensor[1].off;
		memcpy(net->params + to, p->params + from, (p->nparams - from) * sizeof *net->params);
		size_t kept = 0;
		for (size_t i = 0; i < old->ni; i++) {
			size_t len;
			const char *id = lmrec_ids_str(old->items, (uint32_t)i, &len);
			int64_t j = lmrec_ids_find(items, id, len);
			if (j < 0)
				continue;
			memcpy(net->item + ((size_t)j + 1) * dim, p->item + (i + 1) * dim, dim * sizeof *net->item);
			if (!kept_rows)
				kept_rows = lmrec_xcalloc(ni + 1, 1);
			kept_rows[j] = 1;
			kept++;
		}
		if (!o->quiet)
			fprintf(stderr, "%s: sasrec: continuing %s (%zu of its items kept, %zu new)\n", lmrec_progname(),
				o->init, kept, ni - kept);
	}
	/* the semantic table: rows from the vectors where there are some, the
	 * network's own elsewhere; --frozen-view decays towards it */
	float *semantic = NULL;
	if (o->item_init) {
		semantic = lmrec_xmalloc((ni + 1) * net->c.dim * sizeof *semantic);
		memcpy(semantic, net->item, (ni + 1) * net->c.dim * sizeof *semantic);
		sasrec_item_init(o, net, items, kept_rows, semantic);
	}
	free(kept_rows);
	/* the model file around it */
	struct lmrec_recmodel m;
	memset(&m, 0, sizeof m);
	m.kind = LMREC_KIND_SASREC;
	m.users = users;
	m.items = items;
	m.nu = nu;
	m.ni = ni;
	m.k = net->c.dim;
	m.sas = net;
	m.Y = net->item + net->c.dim;
	/* scoring sequences: the last maxlen items of every row trained on or
	 * validated with; seen: all of them */
	{
		uint64_t *ptr = lmrec_xcalloc(nu + 1, sizeof *ptr);
		uint32_t *it = lmrec_xcalloc(n + 1, sizeof *it);
		size_t at = 0, L = net->c.maxlen;
		const struct lmrec_seqs *from = o->valid_out ? &train : &all;
		for (size_t u = 0; u < nu; u++) {
			size_t len = (size_t)(from->ptr[u + 1] - from->ptr[u]), take = len < L ? len : L;
			memcpy(it + at, from->item + from->ptr[u + 1] - take, take * sizeof *it);
			at += take;
			ptr[u + 1] = at;
		}
		m.seq = (struct lmrec_seqs){nu, ptr, it};
		if (o->valid_out)
			lmrec_csr_build(&m.seen, nu, ni, tu, ti, NULL, nt, LMREC_DUP_ONE);
		else
			lmrec_csr_build(&m.seen, nu, ni, ru, ri, NULL, n, LMREC_DUP_ONE);
	}
	double t_load = lmrec_now() - t0;
	struct lmrec_seqtrain p = {o->loss, o->negatives, o->gbce_t, o->epochs, o->patience, o->batch, 10,
				   (float)o->lr, (float)o->weight_decay, o->seed, o->threads, o->verbose,
				   o->frozen_view ? semantic : NULL, fresh, o->replay, old != NULL, (float)o->beta2,
				   o->window == 2};
	struct sasrec_ckpt ck = {o, &m};
	size_t best_epoch = 0;
	double ndcg = lmrec_seqtrain_run(net, &train, valid, &p, sasrec_checkpoint, &ck, &best_epoch);
	double t_train = lmrec_now() - t0 - t_load;
	struct lmrec_model *f = lmrec_model_new(LMREC_KIND_SASREC);
	lmrec_model_set_param(f, "model", "sasrec");
	lmrec_model_set_param(f, "loss", "%s", loss_names[o->loss]);
	lmrec_model_set_param(f, "negatives", "%zu", o->negatives);
	lmrec_model_set_param(f, "lr", "%.9g", o->lr);
	lmrec_model_set_param(f, "weight_decay", "%.9g", o->weight_decay);
	lmrec_model_set_param(f, "batch", "%zu", o->batch);
	lmrec_model_set_param(f, "epochs", "%zu", best_epoch);
	if (nt)
		lmrec_model_set_param(f, "until", "%lld", (long long)until);
	lmrec_model_set_param(f, "seed", "%llu", (unsigned long long)o->seed);
	if (!isnan(ndcg))
		lmrec_model_set_param(f, "valid_ndcg", "%.9g", ndcg);
	if (o->item_init)
		lmrec_model_set_param(f, "item_init", "%s", o->item_init);
	if (o->frozen_view)
		lmrec_model_set_param(f, "frozen_view", "1");
	if (o->window == 2)
		lmrec_model_set_param(f, "window", "random");
	lmrec_recmodel_write(&m, f, o->output);
	if (!o->quiet) {
		fprintf(stderr, "%s: sasrec: %zu users, %zu items, %zu interactions (%zu trained on); best epoch %zu",
			lmrec_progname(), nu, ni, n, nt, best_epoch);
		if (!isnan(ndcg))
			fprintf(stderr, ", valid NDCG@10 %.4f", ndcg);
		fprintf(stderr, "; load %.2f s, train %.2f s\n", t_load, t_train);
	}
	lmrec_csr_free(&m.seen);
	lmrec_seqs_free(&m.seq);
	lmrec_seqs_free(&train);
	lmrec_seqs_free(&all);
	lmrec_sasrec_free(net);
	free(net);
	lmrec_recmodel_free(old);
	lmrec_ids_free(users);
	lmrec_ids_free(items);
	free(umap);
	free(imap);
	free(ru);
	free(ri);
	free(rt);
	free(rv);
	free(tu);
	free(ti);
	free(tt);
	free(valid);
	free(valid_ts);
	free(semantic);
	free(fresh);
	return 0;
}

/* ---- crossdomain ---- */

/* crossdomain: the catalog's items with their domains (--items), the
 * links between items of different domains learned from the interactions,
 * and the items' content vectors (--vectors). */
static int run_crossdomain(struct opts *o, char *const *files, size_t nfiles)
{
	double t0 = lmrec_now();
	struct data d;
	memset(&d, 0, sizeof d);
	load_data(o, files, nfiles, &d);
	struct lmrec_recmodel m;
	memset(&m, 0, sizeof m);
	m.kind = LMREC_KIND_CROSSDOMAIN;
	lmrec_xdom_read_catalog(o->items, &m.items, &m.domains, &m.xd.domain);
	m.users = d.users;
	m.nu = lmrec_ids_count(d.users);
	m.ni = lmrec_ids_count(m.items);
	/* the interactions moved onto the catalog; rows of other items dropped */
	remap_items(&m.seen, &d.ui, d.items, m.items);
	uint64_t dropped = lmrec_csr_nnz(&d.ui) - lmrec_csr_nnz(&m.seen);
	if (dropped)
		lmrec_warn("%llu user-item pair%s name%s items that %s does not hold: left out",
			   (unsigned long long)dropped, dropped == 1 ? "" : "s", dropped == 1 ? "s" : "",
			   o->items);
	struct lmrec_csr iu;
	lmrec_csr_transpose(&iu, &m.seen);
	struct lmrec_xdom *x = &m.xd;
	x->ni = m.ni;
	x->ndom = lmrec_ids_count(m.domains);
	x->shrink = o->shrink;
	x->w_co = o->w_co;
	x->w_sem = o->vectors ? o->w_sem : 0.0;
	x->users_of = lmrec_xcalloc(m.ni + 1, sizeof *x->users_of);
	x->prior = lmrec_xcalloc(m.ni + 1, sizeof *x->prior);
	lmrec_xdom_fit(x, x->users_of, x->prior, &m.seen, &iu, o->neighbors, o->threads);
	size_t with_vec = 0;
	if (o->vectors) {
		float *C;
		size_t dim;
		struct lmrec_ids *vitems = content_items(o->vectors, &C, &dim, 1);
		x->k = dim;
		x->Y = lmrec_xcalloc(m.ni * dim + 1, sizeof *x->Y);
		for (size_t i = 0; i < m.ni; i++) {
			size_t len;
			const char *s = lmrec_ids_str(m.items, (uint32_t)i, &len);
			int64_t j = lmrec_ids_find(vitems, s, len);
			if (j >= 0) {
				memcpy(x->Y + i * dim, C + (size_t)j * dim, dim * sizeof *x->Y);
				with_vec++;
			}
		}
		free(C);
		lmrec_ids_free(vitems);
		x->lambda = o->lambda;
		if (lmrec_xdom_fit_maps(x, &m.seen) != 0)
			lmrec_die(LMREC_EXIT_FAIL, "crossdomain: a map's system is singular (raise --lambda)");
	}
	double t_train = lmrec_now() - t0;
	struct lmrec_model *f = lmrec_model_new(LMREC_KIND_CROSSDOMAIN);
	lmrec_model_set_param(f, "model", "%s", o->model);
	lmrec_model_set_param(f, "folds", "%s", o->folds);
	lmrec_model_set_param(f, "use_weights", "%d", o->use_weights);
	lmrec_model_set_param(f, "items_file", "%s", o->items);
	if (o->vectors)
		lmrec_model_set_param(f, "vectors", "%s", o->vectors);
	lmrec_model_set_param(f, "neighbors", "%zu", o->neighbors);
	lmrec_model_set_param(f, "users", "%zu", m.nu);
	lmrec_model_set_param(f, "items", "%zu", m.ni);
	lmrec_model_set_param(f, "interactions", "%zu", d.rows);
	lmrec_recmodel_write(&m, f, o->output);
	if (!o->quiet)
		fprintf(stderr,
			"%s: crossdomain: %zu users, %zu items in %zu domains, %llu links, %zu items with vectors; "
			"%.2f s\n",
			lmrec_progname(), m.nu, m.ni, x->ndom, (unsigned long long)lmrec_csr_nnz(&x->links), with_vec,
			t_train);
	lmrec_csr_free(&iu);
	lmrec_csr_free(&d.ui);
	lmrec_csr_free(&d.iu);
	lmrec_ids_free(d.items);
	lmrec_ids_free(d.users);
	lmrec_ids_free(m.items);
	lmrec_ids_free(m.domains);
	lmrec_csr_free(&m.seen);
	lmrec_csr_free(&x->links);
	free(x->domain);
	free(x->users_of);
	free(x->prior);
	free(x->Y);
	free(x->map);
	free(x->map_mean);
	free(x->map_users);
	return 0;
}

/* A model of the items of a Gram file (lmrec-gram), with no users: they
 * are scored from a history (lmrec-recall --history). Item-kNN counts
 * users, so it wants the Gram matrix of the binary matrix. */
static void load_gram(const struct opts *o, struct data *d, struct lmrec_gram *g)
{
	uint64_t users;
	int weighted;
	lmrec_gram_read(o->gram, g, &d->items, &users, &weighted);
	if (weighted && o->kind == LMREC_KIND_ITEMKNN)
		lmrec_die(LMREC_EXIT_DATA, "%s: a weighted Gram matrix; item-kNN counts users (lmrec-gram "
			  "without --use-weights)", o->gram);
	d->users = lmrec_ids_new();
	size_t ni = lmrec_ids_count(d->items);
	lmrec_csr_build(&d->ui, 0, ni, NULL, NULL, NULL, 0, LMREC_DUP_ONE);
	lmrec_csr_transpose(&d->iu, &d->ui);
	d->rows = 0;
}

static int run(struct opts *o, char *const *files, size_t nfiles)
{
	double t0 = lmrec_now();
	struct data d;
	memset(&d, 0, sizeof d);
	struct lmrec_gram gram;
	memset(&gram, 0, sizeof gram);
	if (o->gram)
		load_gram(o, &d, &gram);
	else
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
		if (o->gram)
			lmrec_itemknn_fit_gram(&m.nb, &gram, o->neighbors, o->shrink, o->sim, o->threads);
		else
			lmrec_itemknn_fit(&m.nb, &d.ui, &d.iu, o->neighbors, o->shrink, o->sim, o->threads);
		break;
	case LMREC_KIND_EASE:
		if (ni > 0 && ni > SIZE_MAX / sizeof(float) / ni)
			lmrec_die(LMREC_EXIT_FAIL, "ease: %zu items are too many", ni);
		m.B = lmrec_xmalloc(ni * ni * sizeof *m.B + 1);
		struct lmrec_csr side;
		memset(&side, 0, sizeof side);
		if (o->tokens)
			word_rows(o, d.items, &side);
		int rc;
		if (o->gram) {
			double *P = lmrec_xcalloc(ni * ni + 1, sizeof *P);
			for (size_t i = 0; i < ni; i++)
				for (uint64_t q = gram.ptr[i]; q < gram.ptr[i + 1]; q++)
					P[i * ni + gram.idx[q]] = gram.val[q];
			rc = lmrec_ease_fit_gram(m.B, P, o->tokens ? &side : NULL, ni, o->lambda, o->threads);
			free(P);
		} else {
			rc = lmrec_ease_fit_side(m.B, &d.ui, o->tokens ? &side : NULL, o->lambda, o->threads);
		}
		if (rc != 0)
			lmrec_die(LMREC_EXIT_FAIL, "ease: the Gram matrix is singular (raise --lambda)");
		if (o->tokens)
			lmrec_csr_free(&side);
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
	if (o->gram)
		lmrec_model_set_param(f, "gram", "%s", o->gram);
	lmrec_recmodel_write(&m, f, o->output);
	if (!o->quiet)
		fprintf(stderr, "%s: %s: %zu users, %zu items, %zu interactions; load %.2f s, train %.2f s\n",
			lmrec_progname(), o->model, nu, ni, d.rows, t_load, t_train);

	lmrec_recmodel_free(old);
	lmrec_gram_free(&gram);
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
	struct opts o = {.folds = "train", .fold_set = 1u << LMREC_FOLD_TRAIN, .seed = 1, .threads = 1, .neighbors = 20, .shrink = 10, .hidden = 256, .min_df = 1, .side_weight = 1,
			 .sas = {.blocks = 2, .heads = 1, .maxlen = 200, .dropout = 0.2f}, .loss = LMREC_SASREC_CE, .patience = 10, .batch = 128, .gbce_t = 0.75,
			 .sim = LMREC_SIM_COSINE, .lambda = 100, .factors = 64, .iters = 15, .w_co = 1, .w_sem = 1,
			 .epochs = 50, .alpha = 0.5, .lr = 0.05, .init_scale = 0.01};
	int c;
	while ((c = getopt_long(argc, argv, "o:s:j:vqhV", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_MODEL: /* --model */
			o.model = optarg;
			o.kind = lmrec_kind_from_name(optarg);
			if ((o.kind < LMREC_KIND_POPULAR || o.kind > LMREC_KIND_SASREC) &&
			    o.kind != LMREC_KIND_ALIGN && o.kind != LMREC_KIND_SEMANTIC &&
			    o.kind != LMREC_KIND_CROSSDOMAIN)
				lmrec_usage_error("invalid value for --model: '%s' (expected popular, "
						  "itemknn, ease, als, bpr, sasrec, semantic, align or crossdomain)",
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
		case OPT_SIMILARITY: { /* --similarity */
			static const char *const sims[] = {"cosine", "cooccurrence"};
			o.sim = lmrec_opt_choice("--similarity", optarg, sims, 2) == 0 ? LMREC_SIM_COSINE
											 : LMREC_SIM_COOCCURRENCE;
			break;
		}
		case OPT_NEIGHBORS: /* --neighbors */
			o.neighbors = (size_t)lmrec_opt_u64("--neighbors", optarg, 1, 100000);
			o.have_neighbors = 1;
			break;
		case OPT_SHRINK: /* --shrink */
			o.shrink = lmrec_opt_double("--shrink", optarg, 0, 1e12);
			o.have_shrink = 1;
			break;
		case OPT_ITEMS: o.items = optarg; break; /* --items */
		case OPT_W_CO: /* --cooccurrence-weight */
			o.w_co = lmrec_opt_double("--cooccurrence-weight", optarg, 0, 1e6);
			o.have_w = 1;
			break;
		case OPT_W_SEM: /* --semantic-weight */
			o.w_sem = lmrec_opt_double("--semantic-weight", optarg, 0, 1e6);
			o.have_w = 1;
			break;
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
		case OPT_TOKENS: o.tokens = optarg; break;             /* --tokens */
		case OPT_GRAM: o.gram = optarg; break;                 /* --gram */
		case OPT_BLOCKS: o.sas.blocks = (size_t)lmrec_opt_u64("--blocks", optarg, 1, 64); break; /* --blocks */
		case OPT_HEADS: o.sas.heads = (size_t)lmrec_opt_u64("--heads", optarg, 1, 64); break;    /* --heads */
		case OPT_MAXLEN: o.sas.maxlen = (size_t)lmrec_opt_u64("--maxlen", optarg, 1, 100000); break; /* --maxlen */
		case OPT_DROPOUT: /* --dropout */
			o.sas.dropout = (float)lmrec_opt_double("--dropout", optarg, 0, 0.99);
			o.have_dropout = 1;
			break;
		case OPT_LOSS: /* --loss */
			o.loss = (enum lmrec_sasrec_loss)lmrec_opt_choice("--loss", optarg, loss_names, 4);
			break;
		case OPT_NEGATIVES: /* --negatives */
			o.negatives = (size_t)lmrec_opt_u64("--negatives", optarg, 1, 1000000);
			o.have_negatives = 1;
			break;
		case OPT_GBCE_T: o.gbce_t = lmrec_opt_double("--gbce-t", optarg, 0, 1); break;          /* --gbce-t */
		case OPT_PATIENCE: o.patience = (size_t)lmrec_opt_u64("--patience", optarg, 0, 100000); break; /* --patience */
		case OPT_BATCH: o.batch = (size_t)lmrec_opt_u64("--batch", optarg, 1, 1000000); break;    /* --batch */
		case OPT_WEIGHT_DECAY: /* --weight-decay */
			o.weight_decay = lmrec_opt_double("--weight-decay", optarg, 0, 10);
			o.have_weight_decay = 1;
			break;
		case OPT_CHECKPOINT: o.checkpoint = optarg; break; /* --checkpoint */
		case OPT_ITEM_INIT: o.item_init = optarg; break;   /* --item-init */
		case OPT_VALID_OUT: o.valid_out = 1; break;        /* --valid-out */
		case OPT_FROZEN_VIEW: o.frozen_view = 1; break;    /* --frozen-view */
		case OPT_SINCE: /* --since */
			o.since = optarg;
			if (strcmp(optarg, "init") != 0)
				o.since_ts = lmrec_opt_i64("--since", optarg, INT64_MIN, INT64_MAX);
			break;
		case OPT_INIT_STD: o.init_std = lmrec_opt_double("--init-std", optarg, 0, 10); break; /* --init-std */
		case OPT_INIT_STD_QKV: /* --init-std-qkv */
			o.init_std_qkv = lmrec_opt_double("--init-std-qkv", optarg, 0, 10);
			break;
		case OPT_BETA2: o.beta2 = lmrec_opt_double("--beta2", optarg, 0.5, 0.99999); break; /* --beta2 */
		case OPT_POSITIONS: { /* --positions: 1 start, 2 end */
			static const char *const pos[] = {"start", "end"};
			o.positions = 1 + (int)lmrec_opt_choice("--positions", optarg, pos, 2);
			break;
		}
		case OPT_DROPOUT_SITES: { /* --dropout-sites: 1 outputs, 2 all */
			static const char *const sites[] = {"outputs", "all"};
			o.dropout_sites = 1 + (int)lmrec_opt_choice("--dropout-sites", optarg, sites, 2);
			break;
		}
		case OPT_WINDOW: { /* --window: 1 last, 2 random */
			static const char *const windows[] = {"last", "random"};
			o.window = 1 + (int)lmrec_opt_choice("--window", optarg, windows, 2);
			break;
		}
		case OPT_BLOCK: { /* --block: 1 sasrec, 2 preln */
			static const char *const blocks[] = {"sasrec", "preln"};
			o.block = 1 + (int)lmrec_opt_choice("--block", optarg, blocks, 2);
			break;
		}
		case OPT_REPLAY: /* --replay */
			o.replay = lmrec_opt_double("--replay", optarg, 0, 1);
			o.have_replay = 1;
			break;
		case OPT_SIDE_WEIGHT: o.side_weight = lmrec_opt_double("--side-weight", optarg, 0, 1e6); break; /* --side-weight */
		case OPT_MIN_DF: o.min_df = (size_t)lmrec_opt_u64("--min-df", optarg, 1, UINT32_MAX); break; /* --min-df */
		case OPT_FACTORS_FROM: o.factors_from = optarg; break; /* --factors-from */
		case OPT_ALIGN_METHOD: { /* --align-method */
			static const char *const methods[] = {"ridge", "mlp", "auto"};
			o.align_method = methods[lmrec_opt_choice("--align-method", optarg, methods, 3)];
			break;
		}
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
	if (o.gram && o.kind != LMREC_KIND_ITEMKNN && o.kind != LMREC_KIND_EASE)
		lmrec_usage_error("--gram builds itemknn and ease; %s needs the interactions", o.model);
	if (o.gram && optind < argc)
		lmrec_usage_error("--gram replaces the interactions: '%s'", argv[optind]);
	if (o.gram && (o.use_weights || o.have_half_life))
		lmrec_usage_error("--gram: the Gram file says how rows were weighted (lmrec-gram "
				  "--use-weights); no --use-weights or --half-life");
	if (o.init && o.kind != LMREC_KIND_ALS && o.kind != LMREC_KIND_BPR && o.kind != LMREC_KIND_SASREC)
		lmrec_usage_error("--init continues als, bpr and sasrec; %s is computed in closed form", o.model);
	if (o.kind == LMREC_KIND_SASREC) {
		if (!o.have_epochs)
			o.epochs = 200;
		if (!o.have_lr)
			o.lr = 1e-3;
		if (!o.have_negatives)
			o.negatives = o.loss == LMREC_SASREC_SAMPLED ? 256 : 1;
		if (o.frozen_view && !o.item_init)
			lmrec_usage_error("--frozen-view keeps the table of --item-init: give --item-init");
		if (o.frozen_view && !o.have_weight_decay)
			o.weight_decay = 1.0;
		if (o.have_replay && !o.since)
			lmrec_usage_error("--replay samples the users without new rows: give --since");
		if (!o.have_replay)
			o.replay = 0.2;
		if (!o.have_factors)
			o.sas.dim = 64;
		else
			o.sas.dim = o.factors;
		o.sas.pos_from_start = o.positions == 1;
		o.sas.sasrec_block = o.block == 1;
		o.sas.dropout_all = o.dropout_sites == 2;
	} else if (o.item_init || o.checkpoint || o.have_negatives || o.since || o.init_std > 0 ||
		   o.init_std_qkv > 0 || o.beta2 > 0 || o.positions || o.block || o.dropout_sites || o.window) {
		lmrec_usage_error("--item-init, --checkpoint, --negatives, --since, --init-std, --init-std-qkv, "
				  "--beta2, --positions, --block, --dropout-sites and --window are options of --model sasrec");
	}
	if (!o.have_reg)
		o.reg = o.kind == LMREC_KIND_BPR ? 0.001 : 5.0;
	if (o.progress)
		o.verbose = 1;
	if (o.kind == LMREC_KIND_CROSSDOMAIN) {
		if (!o.items)
			lmrec_usage_error("--model crossdomain needs --items (the catalog, with a domain column)");
		if (!o.have_neighbors)
			o.neighbors = 200;
		if (!o.have_shrink)
			o.shrink = 5;
		if (!o.have_lambda)
			o.lambda = 1;
		if (o.w_co == 0 && o.w_sem == 0 && o.have_w)
			lmrec_usage_error("--cooccurrence-weight and --semantic-weight cannot both be 0");
		if (o.w_co == 0 && !o.vectors)
			lmrec_usage_error("--cooccurrence-weight 0 leaves only the text: give --vectors");
	} else if (o.items || o.have_w) {
		lmrec_usage_error("--items, --cooccurrence-weight and --semantic-weight are options of --model "
				  "crossdomain");
	}
	if (o.kind == LMREC_KIND_SEMANTIC && !o.vectors)
		lmrec_usage_error("--model %s needs --vectors (item vectors from lmrec-embed)", o.model);
	if (o.kind == LMREC_KIND_ALIGN && !o.vectors && !o.tokens)
		lmrec_usage_error("--model align needs --vectors (item vectors from lmrec-embed) or --tokens (words "
				  "from lmrec-tokenize)");
	if (o.tokens && o.kind != LMREC_KIND_ALIGN && o.kind != LMREC_KIND_EASE)
		lmrec_usage_error("--tokens is an option of --model ease and --model align");
	if (o.tokens && o.align_method && strcmp(o.align_method, "mlp") == 0)
		lmrec_usage_error("--align-method mlp takes dense --vectors only; with --tokens the map is ridge");
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
	int rc;
	switch (o.kind) {
	case LMREC_KIND_ALIGN: rc = run_align(&o); break;
	case LMREC_KIND_SASREC: rc = run_sasrec(&o, argv + optind, (size_t)(argc - optind)); break;
	case LMREC_KIND_CROSSDOMAIN: rc = run_crossdomain(&o, argv + optind, (size_t)(argc - optind)); break;
	default: rc = run(&o, argv + optind, (size_t)(argc - optind));
	}
	lmrec_close_stdout();
	return rc;
}

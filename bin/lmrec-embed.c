/* lmrec-embed — item vectors from content: subword skip-gram vectors
 * trained on the catalog, pretrained word vectors, TF-IDF with latent
 * semantic analysis, a pretrained BERT sentence encoder, vectors computed
 * elsewhere, and the fusion of several modalities onto the collaborative
 * item factors of a model. */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lmrec.h"
#include "bert.h"
#include "corpus.h"
#include "idseq.h"
#include "linalg.h"
#include "mat.h"
#include "recmodel.h"
#include "ridge.h"
#include "sif.h"
#include "skipgram.h"
#include "tfidf.h"
#include "whiten.h"
#include "wordpiece.h"
#include "wordvec.h"

enum method { M_SUBWORD, M_VEC, M_TFIDF, M_BERT, M_TSV, M_FUSE, M_NONE };
static const char *const method_names[] = {"subword", "vec", "tfidf", "bert", "tsv", "fuse"};

#define MAX_INPUTS 64

struct opts {
	enum method method;
	const char *output, *save_words, *word_vectors, *items, *model, *report, *model_dir;
	struct lmrec_skipgram_params sg;
	int have_dim, have_epochs, have_buckets, have_min_count, have_ridge;
	size_t min_count; /* as given, or the method's default */
	double sif_a;
	size_t remove_pc, svd_iters, whiten_dims, folds;
	double eig_floor, ridge;
	int normalize, keep_norms;
	int int8, check_int8;
	const char *input_name[MAX_INPUTS], *input_file[MAX_INPUTS];
	size_t ninputs;
	int threads, quiet, verbose, progress;
};

static void usage(int status)
{
	if (status != 0) {
		fprintf(stderr, "Try '%s --help' for more information.\n", lmrec_progname());
		exit(status);
	}
	printf("Usage: %s --method NAME [OPTION]... [FILE]...\n", lmrec_progname());
	fputs("Item vectors from content.\n"
	      "\n"
	      "subword, vec and tfidf read a tokens stream (columns item and tokens, the\n"
	      "output of lmrec-tokenize) from the FILEs (none or '-': standard input);\n"
	      "bert reads a WordPiece stream (columns item and ids, the output of\n"
	      "lmrec-tokenize --wordpiece DIR/vocab.txt); tsv reads a vectors stream;\n"
	      "fuse reads the --input files. Writes a vectors stream: item d0 ...\n"
	      "d{DIM-1}, items in input order.\n"
	      "\n"
	      "Method:\n"
	      "      --method NAME        subword: skip-gram vectors with character n-grams\n"
	      "                           trained on the catalog, composed per item;\n"
	      "                           vec: pretrained word vectors (--word-vectors),\n"
	      "                           composed per item; tfidf: TF-IDF and a truncated\n"
	      "                           SVD (LSA); bert: a pretrained BERT sentence\n"
	      "                           encoder (--model-dir); tsv: check vectors made\n"
	      "                           elsewhere;\n"
	      "                           fuse: several modalities mapped onto a model's\n"
	      "                           item factors\n"
	      "\n"
	      "subword:\n"
	      "      --dim N              vector size (default 100; tfidf too)\n"
	      "      --window N           context words each side (default 5)\n"
	      "      --negatives N        negative samples per context word (default 5)\n"
	      "      --epochs N           passes (default: enough for a million tokens,\n"
	      "                           5 to 100)\n"
	      "      --min-count N        rarer words get n-gram vectors only (default 2);\n"
	      "                           tfidf: words in fewer items are dropped (default 1)\n"
	      "      --lr RATE            learning rate, decaying to 0 (default 0.05)\n"
	      "      --sample T           subsampling of frequent words (default 1e-4)\n"
	      "      --minn N, --maxn N   character n-gram lengths (default 3 and 6;\n"
	      "                           --maxn 0: whole words only)\n"
	      "      --buckets N          rows for hashed n-grams (default: 4 per distinct\n"
	      "                           n-gram of the catalog, at most 2000000)\n"
	      "      --save-words FILE    write the catalog's word vectors (.vec text)\n"
	      "vec:\n"
	      "      --word-vectors FILE  .vec or .vec.gz text (fastText, GloVe) or\n"
	      "                           word2vec binary (.bin, .bin.gz)\n"
	      "subword and vec composition (SIF):\n"
	      "      --sif-a A            word weight a / (a + p(word)) (default 0.1)\n"
	      "      --remove-pc N        common components removed (default 1)\n"
	      "tfidf:\n"
	      "      --svd-iters N        power iterations of the randomized SVD (default 5)\n"
	      "bert:\n"
	      "      --model-dir DIR      config.json, model.safetensors and vocab.txt of a\n"
	      "                           BERT model (Hugging Face layout); mean pooling,\n"
	      "                           unit length; sequences cut to the model's length\n"
	      "      --int8               integer weights: faster, a quarter of the memory\n"
	      "      --check-int8         with --int8: also run fp32 and print the mean\n"
	      "                           cosine between the two on standard error\n"
	      "tsv:\n"
	      "      --items FILE         every id must be an item of this items stream;\n"
	      "                           items without a vector are counted\n"
	      "      --normalize          scale every vector to unit length\n"
	      "      --dim N              the width the vectors must have\n"
	      "fuse:\n"
	      "      --input NAME=FILE    a modality's vectors (repeat: text, image, ...)\n"
	      "  -m, --model-file FILE    an als or bpr model: its item factors are the\n"
	      "                           target\n"
	      "      --whiten-dims N      keep at most N whitened components per modality\n"
	      "                           (default: all)\n"
	      "      --keep-norms         do not scale each vector to unit length before\n"
	      "                           whitening\n"
	      "      --eig-floor F        drop components of variance below F times the\n"
	      "                           largest (default 1e-6)\n"
	      "      --ridge L            ridge penalty (default: chosen by cross-validation)\n"
	      "      --folds N            cross-validation folds over items (default 5)\n"
	      "      --report FILE        R^2 and weight of every modality, as TSV\n"
	      "\n"
	      "Common:\n"
	      "  -o, --output FILE        write to FILE (default: standard output)\n"
	      "  -s, --seed N             random seed (default 1)\n"
	      "  -j, --threads N          threads (default 1; subword: results depend on it;\n"
	      "                           bert: the same vectors with any N)\n"
	      "  -q, --quiet              no summary on standard error\n"
	      "  -v, --verbose            the loss of every epoch (subword)\n"
	      "      --progress           progress on standard error even when not a terminal\n"
	      "  -h, --help               show this help and exit\n"
	      "  -V, --version            show the version and exit\n"
	      "\n"
	      "Examples:\n"
	      "  lmrec-tokenize items.tsv | lmrec-embed --method subword -o text.tsv\n"
	      "  lmrec-tokenize --wordpiece minilm/vocab.txt --max-length 256 items.tsv |\n"
	      "      lmrec-embed --method bert --model-dir minilm -j 2 -o text.tsv\n"
	      "  lmrec-embed --method fuse -m als.lmrc --input text=text.tsv \\\n"
	      "      --input image=image.tsv -o fused.tsv\n"
	      "\n"
	      "See lmrec-embed(1).\n",
	      stdout);
	exit(0);
}

enum {
	OPT_METHOD = CHAR_MAX + 1,
	OPT_DIM,
	OPT_WINDOW,
	OPT_NEGATIVES,
	OPT_EPOCHS,
	OPT_MIN_COUNT,
	OPT_LR,
	OPT_SAMPLE,
	OPT_MINN,
	OPT_MAXN,
	OPT_BUCKETS,
	OPT_SAVE_WORDS,
	OPT_WORD_VECTORS,
	OPT_SIF_A,
	OPT_REMOVE_PC,
	OPT_SVD_ITERS,
	OPT_ITEMS,
	OPT_NORMALIZE,
	OPT_INPUT,
	OPT_WHITEN_DIMS,
	OPT_EIG_FLOOR,
	OPT_KEEP_NORMS,
	OPT_RIDGE,
	OPT_FOLDS,
	OPT_REPORT,
	OPT_MODEL_DIR,
	OPT_INT8,
	OPT_CHECK_INT8,
	OPT_PROGRESS
};

static const struct option long_options[] = {
	{"method", required_argument, NULL, OPT_METHOD},
	{"dim", required_argument, NULL, OPT_DIM},
	{"window", required_argument, NULL, OPT_WINDOW},
	{"negatives", required_argument, NULL, OPT_NEGATIVES},
	{"epochs", required_argument, NULL, OPT_EPOCHS},
	{"min-count", required_argument, NULL, OPT_MIN_COUNT},
	{"lr", required_argument, NULL, OPT_LR},
	{"sample", required_argument, NULL, OPT_SAMPLE},
	{"minn", required_argument, NULL, OPT_MINN},
	{"maxn", required_argument, NULL, OPT_MAXN},
	{"buckets", required_argument, NULL, OPT_BUCKETS},
	{"save-words", required_argument, NULL, OPT_SAVE_WORDS},
	{"word-vectors", required_argument, NULL, OPT_WORD_VECTORS},
	{"sif-a", required_argument, NULL, OPT_SIF_A},
	{"remove-pc", required_argument, NULL, OPT_REMOVE_PC},
	{"svd-iters", required_argument, NULL, OPT_SVD_ITERS},
	{"items", required_argument, NULL, OPT_ITEMS},
	{"normalize", no_argument, NULL, OPT_NORMALIZE},
	{"input", required_argument, NULL, OPT_INPUT},
	{"model-file", required_argument, NULL, 'm'},
	{"whiten-dims", required_argument, NULL, OPT_WHITEN_DIMS},
	{"eig-floor", required_argument, NULL, OPT_EIG_FLOOR},
	{"keep-norms", no_argument, NULL, OPT_KEEP_NORMS},
	{"ridge", required_argument, NULL, OPT_RIDGE},
	{"folds", required_argument, NULL, OPT_FOLDS},
	{"report", required_argument, NULL, OPT_REPORT},
	{"model-dir", required_argument, NULL, OPT_MODEL_DIR},
	{"int8", no_argument, NULL, OPT_INT8},
	{"check-int8", no_argument, NULL, OPT_CHECK_INT8},
	{"output", required_argument, NULL, 'o'},
	{"seed", required_argument, NULL, 's'},
	{"threads", required_argument, NULL, 'j'},
	{"quiet", no_argument, NULL, 'q'},
	{"verbose", no_argument, NULL, 'v'},
	{"progress", no_argument, NULL, OPT_PROGRESS},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

/* ---- output ---- */

/* The vectors stream: rows of V (n, dim) whose has[i] is set (NULL: all),
 * in index order of ids. */
static void write_vectors(const char *path, const struct lmrec_ids *ids, const float *V,
			  const unsigned char *has, size_t dim)
{
	struct lmrec_out *out = lmrec_out_open(path);
	lmrec_out_str(out, "item");
	for (size_t d = 0; d < dim; d++)
		lmrec_out_printf(out, "\td%zu", d);
	lmrec_out_eol(out);
	for (uint32_t i = 0; i < lmrec_ids_count(ids); i++) {
		if (has && !has[i])
			continue;
		size_t len;
		const char *id = lmrec_ids_str(ids, i, &len);
		lmrec_out_write(out, id, len);
		const float *v = V + (size_t)i * dim;
		for (size_t d = 0; d < dim; d++) {
			lmrec_out_tab(out);
			lmrec_out_f32(out, v[d]);
		}
		lmrec_out_eol(out);
	}
	lmrec_out_commit(out);
}

/* SIF composition of the corpus's items from the word vectors wv (n
 * words, dim), then the vectors stream. Returns the items written. */
static size_t compose_and_write(const struct opts *o, const struct lmrec_corpus *c, const float *wv,
				const unsigned char *known, size_t dim)
{
	size_t ni = lmrec_corpus_items(c);
	float *V = lmrec_xmalloc((ni * dim + 1) * sizeof *V);   /* (ni, dim) */
	unsigned char *has = lmrec_xmalloc(ni + 1);
	size_t with = lmrec_sif_mean(V, has, c, wv, known, dim, o->sif_a);
	lmrec_remove_pc(V, has, ni, dim, o->remove_pc, NULL);
	lmrec_l2_normalize_rows(V, ni, dim);
	write_vectors(o->output, c->items, V, has, dim);
	free(V);
	free(has);
	return with;
}

/* ---- subword ---- */

struct epoch_log {
	const struct opts *o;
	struct lmrec_progress pr;
	uint64_t per_epoch;
};

static void on_epoch(void *ctx, size_t epoch, size_t epochs, double loss)
{
	struct epoch_log *e = ctx;
	if (e->o->verbose)
		fprintf(stderr, "%s: subword: epoch %zu of %zu: loss %.6f\n", lmrec_progname(), epoch, epochs,
			loss);
	lmrec_progress_tick(&e->pr, epoch * e->per_epoch);
}

static int run_subword(struct opts *o, char *const *files, size_t nfiles)
{
	struct lmrec_corpus c;
	lmrec_corpus_read(&c, files, nfiles);
	size_t nw = lmrec_corpus_words(&c), ni = lmrec_corpus_items(&c);
	struct lmrec_skipgram_params p = o->sg;
	p.min_count = o->min_count;
	p.seed = o->sg.seed;
	uint64_t ntrain = 0;
	for (size_t k = 0; k < c.ntokens; k++)
		ntrain += c.count[c.tok[k]] >= p.min_count;
	if (!o->have_epochs) {
		double e = ntrain ? ceil(1e6 / (double)ntrain) : 5;
		p.epochs = e < 5 ? 5 : e > 100 ? 100 : (size_t)e;
	}
	if (!o->have_buckets)
		p.buckets = lmrec_skipgram_default_buckets(&c, p.minn, p.maxn);
	struct epoch_log log = {.o = o, .per_epoch = ntrain};
	lmrec_progress_start(&log.pr, o->progress, "tokens", ntrain * p.epochs);
	double t0 = lmrec_now();
	struct lmrec_skipgram *m = lmrec_skipgram_train(&c, &p, on_epoch, &log);
	double secs = lmrec_now() - t0;
	lmrec_progress_end(&log.pr, ntrain * p.epochs);
	float *wv = lmrec_xmalloc((nw * p.dim + 1) * sizeof *wv);     /* (nw, dim) */
	unsigned char *known = lmrec_xmalloc(nw + 1);
	size_t nknown = 0;
	for (uint32_t w = 0; w < nw; w++) {
		size_t len;
		const char *s = lmrec_ids_str(c.words, w, &len);
		known[w] = lmrec_skipgram_word(m, s, len, wv + (size_t)w * p.dim) > 0;
		nknown += known[w];
	}
	if (o->save_words) {
		size_t left = lmrec_wordvec_write(o->save_words, c.words, known, wv, p.dim);
		if (left)
			lmrec_warn("%zu words with a space, TAB, CR or LF left out of %s", left,
				   o->save_words);
	}
	size_t with = compose_and_write(o, &c, wv, known, p.dim);
	if (!o->quiet) {
		fprintf(stderr,
			"%s: subword: %zu items, %zu tokens, %zu words (%zu with their own row, %zu n-gram "
			"buckets); %zu epochs in %.2f s (%.0f tokens/s, %d thread%s), final loss %.4f\n",
			lmrec_progname(), ni, c.ntokens, nw, m->nvocab, m->buckets, p.epochs, secs,
			secs > 0 ? (double)ntrain * (double)p.epochs / secs : 0.0, p.threads,
			p.threads == 1 ? "" : "s", m->loss);
		fprintf(stderr, "%s: subword: %zu vectors of %zu; %zu items without a word vector\n",
			lmrec_progname(), with, p.dim, ni - with);
	}
	free(wv);
	free(known);
	lmrec_skipgram_free(m);
	lmrec_corpus_free(&c);
	return 0;
}

/* ---- vec ---- */

static int run_vec(struct opts *o, char *const *files, size_t nfiles)
{
	struct lmrec_corpus c;
	lmrec_corpus_read(&c, files, nfiles);
	struct lmrec_wordvec pre;
	lmrec_wordvec_read(&pre, o->word_vectors, c.words);
	size_t nw = lmrec_corpus_words(&c), ni = lmrec_corpus_items(&c), dim = pre.dim;
	float *wv = lmrec_xcalloc(nw * dim + 1, sizeof *wv); /* (nw, dim) */
	unsigned char *known = lmrec_xcalloc(nw + 1, 1);
	size_t found = 0;
	uint64_t covered = 0;
	for (uint32_t w = 0; w < nw; w++) {
		size_t len;
		const char *s = lmrec_ids_str(c.words, w, &len);
		int64_t r = lmrec_ids_find(pre.words, s, len);
		if (r < 0)
			continue;
		memcpy(wv + (size_t)w * dim, pre.v + (size_t)r * dim, dim * sizeof *wv);
		known[w] = 1;
		found++;
		covered += c.count[w];
	}
	size_t with = compose_and_write(o, &c, wv, known, dim);
	if (!o->quiet) {
		fprintf(stderr,
			"%s: vec: %zu of the catalog's %zu words found among the %zu of %s (%.1f%% of %zu "
			"tokens)\n",
			lmrec_progname(), found, nw, pre.total, lmrec_display_name(o->word_vectors),
			c.ntokens ? 100.0 * (double)covered / (double)c.ntokens : 0.0, c.ntokens);
		fprintf(stderr, "%s: vec: %zu vectors of %zu; %zu items without a known word\n",
			lmrec_progname(), with, dim, ni - with);
	}
	free(wv);
	free(known);
	lmrec_wordvec_free(&pre);
	lmrec_corpus_free(&c);
	return 0;
}

/* ---- tfidf ---- */

static int run_tfidf(struct opts *o, char *const *files, size_t nfiles)
{
	struct lmrec_corpus c;
	lmrec_corpus_read(&c, files, nfiles);
	size_t ni = lmrec_corpus_items(&c), dim = o->sg.dim;
	struct lmrec_csr X;
	size_t ncol = lmrec_tfidf_build(&X, NULL, &c, o->min_count);
	/* the rank is at most min(items, words): further columns stay 0 */
	size_t k = dim < ni ? dim : ni;
	k = k < ncol ? k : ncol;
	double *US = lmrec_xmalloc((ni * k + 1) * sizeof *US), *s = lmrec_xmalloc((k + 1) * sizeof *s);
	lmrec_rsvd(US, s, &X, k, 10, o->svd_iters, o->sg.seed);
	float *V = lmrec_xcalloc(ni * dim + 1, sizeof *V); /* (ni, dim) */
	unsigned char *has = lmrec_xmalloc(ni + 1);
	size_t with = 0;
	for (size_t i = 0; i < ni; i++) {
		has[i] = X.ptr[i + 1] > X.ptr[i];
		with += has[i];
		for (size_t j = 0; j < k; j++)
			V[i * dim + j] = (float)US[i * k + j];
	}
	size_t zero = lmrec_l2_normalize_rows(V, ni, dim);
	for (size_t i = 0; i < ni; i++) /* a row the SVD left at 0 has no direction */
		if (has[i]) {
			int nz = 0;
			for (size_t j = 0; j < dim && !nz; j++)
				nz = V[i * dim + j] != 0.0f;
			if (!nz) {
				has[i] = 0;
				with--;
			}
		}
	(void)zero;
	write_vectors(o->output, c.items, V, has, dim);
	if (!o->quiet) {
		double energy = 0, kept = 0;
		for (size_t r = 0; r < ni; r++)
			for (uint64_t q = X.ptr[r]; q < X.ptr[r + 1]; q++)
				energy += (double)X.val[q] * X.val[q];
		for (size_t j = 0; j < k; j++)
			kept += s[j] * s[j];
		fprintf(stderr,
			"%s: tfidf: %zu items, %zu words (%zu kept); rank %zu kept %.1f%% of the "
			"variance\n",
			lmrec_progname(), ni, lmrec_corpus_words(&c), ncol, k,
			energy > 0 ? 100.0 * kept / energy : 0.0);
		fprintf(stderr, "%s: tfidf: %zu vectors of %zu; %zu items without a kept word\n",
			lmrec_progname(), with, dim, ni - with);
		if (k < dim && ni)
			lmrec_warn("the catalog has rank %zu at most: d%zu to d%zu are 0", k, k,
				   dim - 1);
	}
	free(US);
	free(s);
	free(V);
	free(has);
	lmrec_csr_free(&X);
	lmrec_corpus_free(&c);
	return 0;
}

/* ---- bert ---- */

/* Sequences encoded (and written) at a time: a fixed count, so the cut
 * does not depend on the thread count, and the vectors neither. */
#define BERT_WINDOW 4096

static int run_bert(const struct opts *o, char *const *files, size_t nfiles)
{
	char *vpath = lmrec_xasprintf("%s/vocab.txt", o->model_dir);
	struct lmrec_wordpiece *wp = lmrec_wordpiece_load(vpath, LMREC_WORDPIECE_DETECT);
	size_t nv = lmrec_wordpiece_size(wp);
	struct lmrec_bert *m = lmrec_bert_load(o->model_dir, o->int8);
	struct lmrec_bert *ref = o->check_int8 ? lmrec_bert_load(o->model_dir, 0) : NULL;
	const struct lmrec_bert_config *cf = lmrec_bert_config(m);
	if (nv > cf->vocab)
		lmrec_die(LMREC_EXIT_DATA,
			  "%s: %zu tokens, more than the model's %zu (vocab_size of config.json)", vpath, nv,
			  cf->vocab);
	size_t maxlen = lmrec_bert_max_len(m), dim = lmrec_bert_dim(m);
	struct lmrec_idseq s;
	lmrec_idseq_read(&s, files, nfiles, nv, vpath, maxlen);
	size_t n = lmrec_idseq_items(&s), empty = 0;
	/* every input is read and checked: from here on nothing fails on data */
	const int32_t **ids = lmrec_xmalloc((BERT_WINDOW + 1) * sizeof *ids);
	size_t *lens = lmrec_xmalloc((BERT_WINDOW + 1) * sizeof *lens);
	float *V = lmrec_xmalloc((BERT_WINDOW * dim + 1) * sizeof *V);  /* (window, dim) */
	float *R = ref ? lmrec_xmalloc((BERT_WINDOW * dim + 1) * sizeof *R) : NULL;
	double cos_sum = 0, cos_min = 1;
	struct lmrec_out *out = lmrec_out_open(o->output);
	lmrec_out_str(out, "item");
	for (size_t d = 0; d < dim; d++)
		lmrec_out_printf(out, "\td%zu", d);
	lmrec_out_eol(out);
	struct lmrec_progress pr;
	lmrec_progress_start(&pr, o->progress, "items", n);
	double t0 = lmrec_now(), tref = 0;
	for (size_t w0 = 0; w0 < n; w0 += BERT_WINDOW) {
		size_t w1 = w0 + BERT_WINDOW < n ? w0 + BERT_WINDOW : n;
		for (size_t i = w0; i < w1; i++) {
			ids[i - w0] = s.id + s.start[i];
			lens[i - w0] = lmrec_idseq_len(&s, i);
		}
		lmrec_bert_encode(m, ids, lens, w1 - w0, V, o->threads);
		if (ref) {
			double t1 = lmrec_now();
			lmrec_bert_encode(ref, ids, lens, w1 - w0, R, o->threads);
			tref += lmrec_now() - t1;
		}
		for (size_t i = w0; i < w1; i++) {
			if (lens[i - w0] == 0) { /* no ids: no vector */
				empty++;
				continue;
			}
			size_t len;
			const char *id = lmrec_ids_str(s.items, (uint32_t)i, &len);
			lmrec_out_write(out, id, len);
			const float *v = V + (i - w0) * dim;
			for (size_t d = 0; d < dim; d++) {
				lmrec_out_tab(out);
				lmrec_out_f32(out, v[d]);
			}
			lmrec_out_eol(out);
			if (ref) {
				double c = lmrec_cosine(v, R + (i - w0) * dim, dim);
				cos_sum += c;
				cos_min = c < cos_min ? c : cos_min;
			}
		}
		lmrec_progress_tick(&pr, w1);
	}
	lmrec_progress_end(&pr, n);
	double secs = lmrec_now() - t0 - tref;
	lmrec_out_commit(out);
	if (!o->quiet) {
		fprintf(stderr,
			"%s: bert: %zu items, %zu ids (the longest item %zu), %zu cut to the model's %zu; "
			"%zu vectors of %zu (%s) in %.2f s (%.0f items/s, %d thread%s)\n",
			lmrec_progname(), n, s.nids, s.longest, s.truncated, maxlen, n - empty, dim,
			o->int8 ? "int8" : "fp32", secs, secs > 0 ? (double)n / secs : 0.0, o->threads,
			o->threads == 1 ? "" : "s");
		if (empty)
			lmrec_warn("%zu items without ids have no vector", empty);
	}
	if (s.truncated)
		lmrec_warn("%zu items longer than the model's %zu ids were cut to it (lmrec-tokenize "
			   "--max-length %zu does the same)",
			   s.truncated, maxlen, maxlen);
	if (ref) /* asked for: printed even with --quiet */
		fprintf(stderr,
			"%s: bert: int8 against fp32 over %zu items: mean cosine %.6f, min %.6f\n",
			lmrec_progname(), n - empty, n - empty ? cos_sum / (double)(n - empty) : 1.0,
			n - empty ? cos_min : 1.0);
	free(ids);
	free(lens);
	free(V);
	free(R);
	lmrec_idseq_free(&s);
	lmrec_bert_free(m);
	lmrec_bert_free(ref);
	lmrec_wordpiece_free(wp);
	free(vpath);
	return 0;
}

/* ---- tsv ---- */

static int run_tsv(struct opts *o, char *const *files, size_t nfiles)
{
	if (nfiles > 1)
		lmrec_usage_error("--method tsv reads one vectors file");
	const char *path = nfiles ? files[0] : "-";
	struct lmrec_vectors vs;
	lmrec_vectors_read(&vs, path, "item");
	const char *name = lmrec_display_name(path);
	if (o->have_dim && vs.dim != o->sg.dim)
		lmrec_die_at(name, 1, "%zu dimensions where --dim says %zu", vs.dim, o->sg.dim);
	size_t missing = 0, nitems = 0;
	if (o->items) {
		struct lmrec_ids *items = lmrec_ids_new();
		struct lmrec_tsv *r = lmrec_tsv_open(o->items);
		size_t ci = lmrec_tsv_col(r, "item");
		while (lmrec_tsv_read(r)) {
			lmrec_ids_intern(items, r->f[ci].p, r->f[ci].len);
			if (lmrec_vectors_find(&vs, r->f[ci].p, r->f[ci].len) == NULL)
				missing++;
		}
		lmrec_tsv_close(r);
		nitems = lmrec_ids_count(items);
		/* every vector belongs to an item; row i of the file is line i + 2 */
		for (uint32_t i = 0; i < vs.n; i++) {
			size_t len;
			const char *id = lmrec_ids_str(vs.ids, i, &len);
			if (lmrec_ids_find(items, id, len) < 0)
				lmrec_die_at(name, (size_t)i + 2, "column 'item': '%.*s' is not an item of %s",
					     (int)(len > 40 ? 40 : len), id, lmrec_display_name(o->items));
		}
		lmrec_ids_free(items);
	}
	size_t zero = 0;
	if (o->normalize)
		zero = lmrec_l2_normalize_rows(vs.v, vs.n, vs.dim);
	write_vectors(o->output, vs.ids, vs.v, NULL, vs.dim);
	if (!o->quiet) {
		fprintf(stderr, "%s: tsv: %zu vectors of %zu", lmrec_progname(), vs.n, vs.dim);
		if (o->items)
			fprintf(stderr, "; %zu of the %zu items have none", missing, nitems);
		fputc('\n', stderr);
		if (zero)
			lmrec_warn("%zu zero vectors cannot be normalised (left at 0)", zero);
	}
	lmrec_vectors_free(&vs);
	return 0;
}

/* ---- fuse ---- */

struct modality {
	const char *name, *file;
	struct lmrec_vectors vs;
	struct lmrec_whiten wh;
	int64_t *row;     /* (items) the item's row in vs, or -1 */
	size_t col;       /* first column in the concatenation */
	size_t in_model;  /* of its items, those the model knows */
	double r2, lambda, weight;
};

/* Best lambda of the grid by cross-validated R^2 of X (n, p) -> Y; with
 * --ridge, that one. */
static double choose_lambda(const struct opts *o, const double *X, const double *Y, size_t n, size_t p,
			    size_t k, const uint32_t *fold, double *r2)
{
	double grid[15];
	size_t nl = 0;
	if (o->have_ridge)
		grid[nl++] = o->ridge;
	else
		for (int e = -4; e <= 10; e++)
			grid[nl++] = pow(10.0, e / 2.0);
	double r[15];
	lmrec_ridge_cv(r, X, Y, n, p, k, fold, o->folds, grid, nl);
	size_t best = 0;
	for (size_t l = 1; l < nl; l++)
		if (r[l] > r[best])
			best = l;
	*r2 = r[best];
	return grid[best];
}

static int run_fuse(struct opts *o)
{
	struct lmrec_recmodel *m = lmrec_recmodel_read(o->model, LMREC_KIND_ANY);
	if (m->kind != LMREC_KIND_ALS && m->kind != LMREC_KIND_BPR) {
		uint32_t kind = m->kind;
		lmrec_recmodel_free(m);
		lmrec_die(LMREC_EXIT_USAGE, "%s: a %s model has no item factors (als or bpr needed)",
			  lmrec_display_name(o->model), lmrec_kind_name(kind));
	}
	size_t nm = o->ninputs, k = m->k;
	struct modality *md = lmrec_xcalloc(nm, sizeof *md);
	struct lmrec_ids *items = lmrec_ids_new();
	for (size_t q = 0; q < nm; q++) {
		md[q].name = o->input_name[q];
		md[q].file = o->input_file[q];
		lmrec_vectors_read(&md[q].vs, md[q].file, "item");
		for (uint32_t i = 0; i < md[q].vs.n; i++) {
			size_t len;
			const char *id = lmrec_ids_str(md[q].vs.ids, i, &len);
			lmrec_ids_intern(items, id, len);
			md[q].in_model += lmrec_ids_find(m->items, id, len) >= 0;
		}
		if (md[q].in_model == 0) {
			lmrec_recmodel_free(m);
			lmrec_die(LMREC_EXIT_DATA, "%s: none of its %zu items is in the model %s",
				  lmrec_display_name(md[q].file), md[q].vs.n, lmrec_display_name(o->model));
		}
	}
	size_t ni = lmrec_ids_count(items), P = 0;
	for (size_t q = 0; q < nm; q++) {
		struct modality *x = &md[q];
		if (!o->keep_norms)
			lmrec_l2_normalize_rows(x->vs.v, x->vs.n, x->vs.dim);
		lmrec_whiten_fit(&x->wh, x->vs.v, x->vs.n, x->vs.dim, o->whiten_dims, o->eig_floor);
		x->col = P;
		P += x->wh.r;
		x->row = lmrec_xmalloc((ni + 1) * sizeof *x->row);
		for (uint32_t i = 0; i < ni; i++) {
			size_t len;
			const char *id = lmrec_ids_str(items, i, &len);
			x->row[i] = lmrec_ids_find(x->vs.ids, id, len);
		}
	}
	/* Z (ni, P): each item's whitened modalities side by side, 0 where absent */
	double *Z = lmrec_xcalloc(ni * P + 1, sizeof *Z);
	for (size_t q = 0; q < nm; q++)
		for (size_t i = 0; i < ni; i++)
			if (md[q].row[i] >= 0)
				lmrec_whiten_apply(&md[q].wh, md[q].vs.v + (size_t)md[q].row[i] * md[q].vs.dim,
						   Z + i * P + md[q].col);
	/* the items the model knows: rows of the regression */
	size_t nt = 0;
	uint32_t *tr = lmrec_xmalloc((ni + 1) * sizeof *tr);
	double *Yt = lmrec_xmalloc((ni * k + 1) * sizeof *Yt);
	for (uint32_t i = 0; i < ni; i++) {
		size_t len;
		const char *id = lmrec_ids_str(items, i, &len);
		int64_t r = lmrec_ids_find(m->items, id, len);
		if (r < 0)
			continue;
		for (size_t j = 0; j < k; j++)
			Yt[nt * k + j] = m->Y[(size_t)r * k + j];
		tr[nt++] = i;
	}
	if (nt < 2 * o->folds) {
		lmrec_recmodel_free(m);
		lmrec_die(LMREC_EXIT_DATA, "only %zu items are both in the inputs and in the model %s: "
					   "%zu-fold cross-validation needs %zu",
			  nt, lmrec_display_name(o->model), o->folds, 2 * o->folds);
	}
	uint32_t *fold = lmrec_xmalloc((nt + 1) * sizeof *fold), *perm = lmrec_xmalloc((nt + 1) * sizeof *perm);
	for (size_t t = 0; t < nt; t++)
		perm[t] = (uint32_t)t;
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, o->sg.seed);
	lmrec_rng_shuffle_u32(&rng, perm, nt);
	for (size_t t = 0; t < nt; t++)
		fold[perm[t]] = (uint32_t)(t % o->folds);
	/* each modality alone, then all together */
	double *Xt = lmrec_xmalloc((nt * P + 1) * sizeof *Xt);
	for (size_t q = 0; q < nm; q++) {
		size_t r = md[q].wh.r;
		for (size_t t = 0; t < nt; t++)
			memcpy(Xt + t * r, Z + (size_t)tr[t] * P + md[q].col, r * sizeof *Xt);
		md[q].lambda = choose_lambda(o, Xt, Yt, nt, r, k, fold, &md[q].r2);
	}
	for (size_t t = 0; t < nt; t++)
		memcpy(Xt + t * P, Z + (size_t)tr[t] * P, P * sizeof *Xt);
	double r2_all;
	double lambda = choose_lambda(o, Xt, Yt, nt, P, k, fold, &r2_all);
	double *W = lmrec_xmalloc((P * k + 1) * sizeof *W), *b = lmrec_xmalloc((k + 1) * sizeof *b);
	if (lmrec_ridge_fit(W, b, Xt, Yt, nt, P, k, lambda) != 0)
		lmrec_die(LMREC_EXIT_FAIL, "the ridge system is singular: give a positive --ridge");
	double wall = 0;
	for (size_t j = 0; j < P * k; j++)
		wall += W[j] * W[j];
	for (size_t q = 0; q < nm; q++) {
		double s = 0;
		for (size_t j = md[q].col * k; j < (md[q].col + md[q].wh.r) * k; j++)
			s += W[j] * W[j];
		md[q].weight = wall > 0 ? s / wall : 0.0;
	}
	/* fused (ni, k) = Z W + b */
	float *F = lmrec_xmalloc((ni * k + 1) * sizeof *F);
	for (size_t i = 0; i < ni; i++)
		for (size_t j = 0; j < k; j++) {
			double s = b[j];
			for (size_t c = 0; c < P; c++)
				s += Z[i * P + c] * W[c * k + j];
			F[i * k + j] = (float)s;
		}
	if (o->report) {
		struct lmrec_out *ro = lmrec_out_open(o->report);
		lmrec_out_str(ro, "modality\titems\tin_model\tdims\twhitened\tr2\tlambda\tweight\n");
		for (size_t q = 0; q < nm; q++)
			lmrec_out_printf(ro, "%s\t%zu\t%zu\t%zu\t%zu\t%.4f\t%.4g\t%.4f\n", md[q].name, md[q].vs.n,
					 md[q].in_model, md[q].vs.dim, md[q].wh.r, md[q].r2, md[q].lambda,
					 md[q].weight);
		lmrec_out_printf(ro, "fused\t%zu\t%zu\t%zu\t%zu\t%.4f\t%.4g\t1\n", ni, nt, P, P, r2_all, lambda);
		lmrec_out_commit(ro);
	}
	write_vectors(o->output, items, F, NULL, k);
	if (!o->quiet) {
		fprintf(stderr, "%s: fuse: %zu items, %zu of them in the model (%zu factors) to learn the map\n",
			lmrec_progname(), ni, nt, k);
		for (size_t q = 0; q < nm; q++)
			fprintf(stderr,
				"%s: fuse: %s: %zu items, %zu dims whitened to %zu; R2 %.3f alone (lambda "
				"%.3g); weight %.2f\n",
				lmrec_progname(), md[q].name, md[q].vs.n, md[q].vs.dim, md[q].wh.r, md[q].r2,
				md[q].lambda, md[q].weight);
		fprintf(stderr, "%s: fuse: fused: R2 %.3f (lambda %.3g), %zu-fold cross-validated\n",
			lmrec_progname(), r2_all, lambda, o->folds);
	}
	for (size_t q = 0; q < nm; q++) {
		lmrec_vectors_free(&md[q].vs);
		lmrec_whiten_free(&md[q].wh);
		free(md[q].row);
	}
	free(md);
	lmrec_ids_free(items);
	free(Z);
	free(tr);
	free(Yt);
	free(fold);
	free(perm);
	free(Xt);
	free(W);
	free(b);
	free(F);
	lmrec_recmodel_free(m);
	return 0;
}

/* ---- options ---- */

static size_t opt_size(const char *name, const char *arg, size_t min, size_t max)
{
	return (size_t)lmrec_opt_u64(name, arg, min, max);
}

int main(int argc, char **argv)
{
	lmrec_setprogname(argv[0]);
	struct opts o = {.method = M_NONE,
			 .sg = {.dim = 100, .window = 5, .negatives = 5, .epochs = 5, .minn = 3, .maxn = 6,
				.lr = 0.05, .sample = 1e-4, .seed = 1, .threads = 1},
			 .sif_a = 0.1, .remove_pc = 1, .svd_iters = 5, .eig_floor = 1e-6, .folds = 5,
			 .threads = 1};
	int c;
	while ((c = getopt_long(argc, argv, "m:o:s:j:qvhV", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_METHOD: /* --method */
			for (o.method = 0; o.method < M_NONE; o.method++)
				if (strcmp(optarg, method_names[o.method]) == 0)
					break;
			if (o.method == M_NONE)
				lmrec_usage_error("invalid value for --method: '%s' "
						  "(expected subword, vec, tfidf, bert, tsv or fuse)",
						  optarg);
			break;
		case OPT_DIM: /* --dim */
			o.sg.dim = opt_size("--dim", optarg, 1, 100000);
			o.have_dim = 1;
			break;
		case OPT_WINDOW: o.sg.window = opt_size("--window", optarg, 1, 1000); break; /* --window */
		case OPT_NEGATIVES: /* --negatives */
			o.sg.negatives = opt_size("--negatives", optarg, 1, 1000);
			break;
		case OPT_EPOCHS: /* --epochs */
			o.sg.epochs = opt_size("--epochs", optarg, 1, 100000);
			o.have_epochs = 1;
			break;
		case OPT_MIN_COUNT: /* --min-count */
			o.min_count = opt_size("--min-count", optarg, 1, UINT32_MAX);
			o.have_min_count = 1;
			break;
		case OPT_LR: o.sg.lr = lmrec_opt_double("--lr", optarg, 1e-9, 10.0); break; /* --lr */
		case OPT_SAMPLE: o.sg.sample = lmrec_opt_double("--sample", optarg, 0.0, 1.0); break; /* --sample */
		case OPT_MINN: o.sg.minn = opt_size("--minn", optarg, 1, 100); break; /* --minn */
		case OPT_MAXN: o.sg.maxn = opt_size("--maxn", optarg, 0, 100); break; /* --maxn */
		case OPT_BUCKETS: /* --buckets */
			o.sg.buckets = opt_size("--buckets", optarg, 1, UINT32_MAX / 2);
			o.have_buckets = 1;
			break;
		case OPT_SAVE_WORDS: o.save_words = optarg; break;     /* --save-words */
		case OPT_WORD_VECTORS: o.word_vectors = optarg; break; /* --word-vectors */
		case OPT_SIF_A: o.sif_a = lmrec_opt_double("--sif-a", optarg, 1e-12, 1e12); break; /* --sif-a */
		case OPT_REMOVE_PC: o.remove_pc = opt_size("--remove-pc", optarg, 0, 1000); break; /* --remove-pc */
		case OPT_SVD_ITERS: o.svd_iters = opt_size("--svd-iters", optarg, 0, 100); break; /* --svd-iters */
		case OPT_ITEMS: o.items = optarg; break;       /* --items */
		case OPT_NORMALIZE: o.normalize = 1; break;    /* --normalize */
		case OPT_INPUT: { /* --input */
			const char *eq = strchr(optarg, '=');
			if (!eq || eq == optarg || !eq[1])
				lmrec_usage_error("invalid value for --input: '%s' (expected NAME=FILE)", optarg);
			if (o.ninputs == MAX_INPUTS)
				lmrec_usage_error("more than %d --input", MAX_INPUTS);
			for (const char *p = optarg; p < eq; p++)
				if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
					lmrec_usage_error("invalid modality name in --input '%s' (letters a-z, "
							  "digits, '_' and '-')",
							  optarg);
			char *name = lmrec_xstrndup(optarg, (size_t)(eq - optarg));
			for (size_t q = 0; q < o.ninputs; q++)
				if (strcmp(o.input_name[q], name) == 0)
					lmrec_usage_error("modality '%s' is given twice", name);
			o.input_name[o.ninputs] = name;
			o.input_file[o.ninputs++] = eq + 1;
			break;
		}
		case 'm': o.model = optarg; break; /* --model-file */
		case OPT_WHITEN_DIMS: /* --whiten-dims */
			o.whiten_dims = opt_size("--whiten-dims", optarg, 1, 1000000);
			break;
		case OPT_EIG_FLOOR: o.eig_floor = lmrec_opt_double("--eig-floor", optarg, 0.0, 1.0); break; /* --eig-floor */
		case OPT_KEEP_NORMS: o.keep_norms = 1; break; /* --keep-norms */
		case OPT_RIDGE: /* --ridge */
			o.ridge = lmrec_opt_double("--ridge", optarg, 0.0, 1e15);
			o.have_ridge = 1;
			break;
		case OPT_FOLDS: o.folds = opt_size("--folds", optarg, 2, 100); break; /* --folds */
		case OPT_REPORT: o.report = optarg; break;                          /* --report */
		case OPT_MODEL_DIR: o.model_dir = optarg; break;                    /* --model-dir */
		case OPT_INT8: o.int8 = 1; break;                                   /* --int8 */
		case OPT_CHECK_INT8: o.check_int8 = 1; break;                       /* --check-int8 */
		case 'o': o.output = optarg; break;                                 /* --output */
		case 's': o.sg.seed = lmrec_opt_u64("--seed", optarg, 0, UINT64_MAX); break; /* --seed */
		case 'j': o.threads = (int)lmrec_opt_u64("--threads", optarg, 1, 256); break; /* --threads */
		case 'q': o.quiet = 1; break;           /* --quiet */
		case 'v': o.verbose = 1; break;         /* --verbose */
		case OPT_PROGRESS: o.progress = 1; break; /* --progress */
		case 'h': usage(0); break;              /* --help */
		case 'V': lmrec_print_version(); lmrec_close_stdout(); return 0; /* --version */
		default: usage(LMREC_EXIT_USAGE);
		}
	}
	if (o.method == M_NONE)
		lmrec_usage_error("--method is required (subword, vec, tfidf, bert, tsv or fuse)");
	if (o.method == M_BERT && !o.model_dir)
		lmrec_usage_error("--method bert needs --model-dir");
	if (o.method != M_BERT && (o.model_dir || o.int8 || o.check_int8))
		lmrec_usage_error("--model-dir, --int8 and --check-int8 belong to --method bert");
	if (o.check_int8 && !o.int8)
		lmrec_usage_error("--check-int8 goes with --int8");
	if (o.method == M_VEC && !o.word_vectors)
		lmrec_usage_error("--method vec needs --word-vectors");
	if (o.method != M_VEC && o.word_vectors)
		lmrec_usage_error("--word-vectors belongs to --method vec");
	if (o.method != M_SUBWORD && o.save_words)
		lmrec_usage_error("--save-words belongs to --method subword");
	if (o.method == M_FUSE && (!o.model || o.ninputs == 0))
		lmrec_usage_error("--method fuse needs --model-file and at least one --input");
	if (o.method != M_FUSE && (o.model || o.ninputs || o.report || o.have_ridge || o.keep_norms))
		lmrec_usage_error("--model-file, --input, --ridge, --keep-norms and --report belong to "
				  "--method fuse");
	if (o.method == M_FUSE && optind < argc)
		lmrec_usage_error("--method fuse reads its --input files, not '%s'", argv[optind]);
	if (o.method != M_TSV && (o.items || o.normalize))
		lmrec_usage_error("--items and --normalize belong to --method tsv");
	if (o.sg.maxn && o.sg.minn > o.sg.maxn)
		lmrec_usage_error("--minn is larger than --maxn");
	o.min_count = o.have_min_count ? o.min_count : o.method == M_SUBWORD ? 2 : 1;
	o.sg.threads = o.threads;
	lmrec_blas_threads(o.threads);
	int rc = 0;
	char *const *files = argv + optind;
	size_t nfiles = (size_t)(argc - optind);
	switch (o.method) {
	case M_SUBWORD: rc = run_subword(&o, files, nfiles); break;
	case M_VEC: rc = run_vec(&o, files, nfiles); break;
	case M_TFIDF: rc = run_tfidf(&o, files, nfiles); break;
	case M_BERT: rc = run_bert(&o, files, nfiles); break;
	case M_TSV: rc = run_tsv(&o, files, nfiles); break;
	case M_FUSE: rc = run_fuse(&o); break;
	case M_NONE: break;
	}
	for (size_t q = 0; q < o.ninputs; q++)
		free((char *)o.input_name[q]);
	lmrec_close_stdout();
	return rc;
}

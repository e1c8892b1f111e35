/* lmrec-similar — each item's nearest items from a trained model, for item
 * pages ("people who liked this also liked"). */
#include <getopt.h>
#include <math.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lmrec.h"
#include "mat.h"
#include "recmodel.h"

#define BLOCK 256

struct opts {
	const char *model, *items, *output;
	size_t top;
	int threads, quiet;
};

static void usage(int status)
{
	if (status != 0) {
		fprintf(stderr, "Try '%s --help' for more information.\n", lmrec_progname());
		exit(status);
	}
	printf("Usage: %s -m MODEL [OPTION]...\n", lmrec_progname());
	fputs("Each item's nearest items from a trained model.\n"
	      "\n"
	      "For every item of the model, the items the model would recommend to\n"
	      "someone whose only interaction is that item: item-kNN's neighbours, a row\n"
	      "of EASE's weights, the ALS fold-in of that one item, BPR's mean vector.\n"
	      "Writes the stream: item rank similar score reason.\n"
	      "\n"
	      "  -m, --model-file FILE    a model from lmrec-train (not popular)\n"
	      "  -n, --top N              similar items per item (default 20)\n"
	      "      --items FILE         the catalog: titles for the reasons; items with\n"
	      "                           available=0 are neither listed nor given lists\n"
	      "  -o, --output FILE        write to FILE (default: standard output)\n"
	      "  -j, --threads N          threads of the matrix products (default 1)\n"
	      "  -q, --quiet              no summary on standard error\n"
	      "  -h, --help               show this help and exit\n"
	      "  -V, --version            show the version and exit\n"
	      "\n"
	      "Example:\n"
	      "  lmrec-similar -m itemknn.lmrc --items items.tsv -o similar-items.tsv.gz\n"
	      "\n"
	      "See lmrec-similar(1).\n",
	      stdout);
	exit(0);
}

enum { OPT_ITEMS = CHAR_MAX + 1 };

static const struct option long_options[] = {
	{"model-file", required_argument, NULL, 'm'},
	{"top", required_argument, NULL, 'n'},
	{"items", required_argument, NULL, OPT_ITEMS},
	{"output", required_argument, NULL, 'o'},
	{"threads", required_argument, NULL, 'j'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

/* Titles and attrs (unescaped) and availability by model item index. */
static void load_items(const char *path, const struct lmrec_recmodel *m, char **title, char **attrs,
		       unsigned char *banned)
{
	struct lmrec_tsv *r = lmrec_tsv_open(path);
	size_t ci = lmrec_tsv_col(r, "item");
	long ct = lmrec_tsv_col_opt(r, "title"), ca = lmrec_tsv_col_opt(r, "available");
	long cat = lmrec_tsv_col_opt(r, "attrs");
	while (lmrec_tsv_read(r)) {
		int64_t i = lmrec_ids_find(m->items, r->f[ci].p, r->f[ci].len);
		if (i < 0)
			continue;
		if (ct >= 0 && r->f[ct].len) {
			free(title[i]);
			title[i] = lmrec_xmalloc(r->f[ct].len + 1);
			title[i][lmrec_tsv_unescape(title[i], r->f[ct].p, r->f[ct].len)] = '\0';
		}
		if (cat >= 0 && r->f[cat].len) {
			free(attrs[i]);
			attrs[i] = lmrec_xmalloc(r->f[cat].len + 1);
			attrs[i][lmrec_tsv_unescape(attrs[i], r->f[cat].p, r->f[cat].len)] = '\0';
		}
		if (ca >= 0) {
			struct lmrec_field a = r->f[ca];
			if (a.len == 1 && a.p[0] == '0')
				banned[i] = 1;
			else if (a.len && !(a.len == 1 && a.p[0] == '1'))
				lmrec_tsv_die(r, (size_t)ca, "'%.*s' is not 0 or 1", (int)a.len, a.p);
		}
	}
	lmrec_tsv_close(r);
}

static void put_name(struct lmrec_out *o, const struct lmrec_recmodel *m, char *const *title, uint32_t i)
{
	if (title[i]) {
		lmrec_out_field(o, title[i], strlen(title[i]));
	} else {
		size_t len;
		const char *s = lmrec_ids_str(m->items, i, &len);
		lmrec_out_write(o, s, len);
	}
}

static int run(const struct opts *o)
{
	struct lmrec_recmodel *m = lmrec_recmodel_read(o->model, LMREC_KIND_ANY);
	if (m->kind == LMREC_KIND_POPULAR) {
		lmrec_recmodel_free(m); /* freed before dying: Valgrind counts it lost otherwise */
		lmrec_die(LMREC_EXIT_USAGE, "%s: a popular model has no item similarity", o->model);
	}
	size_t ni = m->ni;
	char **title = lmrec_xcalloc(ni + 1, sizeof *title);
	char **attrs = lmrec_xcalloc(ni + 1, sizeof *attrs);
	unsigned char *banned = lmrec_xcalloc(ni + 1, 1);
	if (o->items)
		load_items(o->items, m, title, attrs, banned);
	/* content models find items alike in what they are, not in who took them */
	int content = m->kind == LMREC_KIND_SEMANTIC || m->kind == LMREC_KIND_ALIGN;
	/* crossdomain scores are logs of probabilities: any score counts */
	int any = m->kind == LMREC_KIND_CROSSDOMAIN;
	lmrec_blas_threads(o->threads);
	struct lmrec_scorer *sc = lmrec_scorer_new(m, BLOCK);
	float *scores = lmrec_xmalloc(BLOCK * (ni + 1) * sizeof *scores);
	uint32_t *self = lmrec_xcalloc(BLOCK, sizeof *self);
	struct lmrec_user_query q[BLOCK];
	struct lmrec_topk top;
	lmrec_topk_init(&top, o->top);
	struct lmrec_out *out = lmrec_out_open(o->output);
	lmrec_out_str(out, "item\trank\tsimilar\tscore\treason\n");
	size_t lists = 0;
	for (size_t b = 0; b < ni; b += BLOCK) {
		size_t nb = ni - b < BLOCK ? ni - b : BLOCK;
		for (size_t r = 0; r < nb; r++) {
			self[r] = (uint32_t)(b + r);
			q[r] = (struct lmrec_user_query){.user = -1, .hist = &self[r], .n = 1, .fold_in = 1};
		}
		lmrec_score_block(sc, q, nb, scores);
		for (size_t r = 0; r < nb; r++) {
			uint32_t i = (uint32_t)(b + r);
			if (banned[i])
				continue;
			const float *s = scores + r * ni;
			lmrec_topk_reset(&top);
			for (size_t j = 0; j < ni; j++)
				if (j != i && !banned[j] && (s[j] > 0 || (any && !isnan(s[j]))))
					lmrec_topk_push(&top, (uint32_t)j, s[j]);
			size_t n = lmrec_topk_sort(&top);
			size_t ilen;
			const char *iid = lmrec_ids_str(m->items, i, &ilen);
			for (size_t t = 0; t < n; t++) {
				size_t len;
				const char *sid = lmrec_ids_str(m->items, top.idx[t], &len);
				lmrec_out_write(out, iid, ilen);
				lmrec_out_tab(out);
				lmrec_out_i64(out, (int64_t)t + 1);
				lmrec_out_tab(out);
				lmrec_out_write(out, sid, len);
				lmrec_out_tab(out);
				lmrec_out_f32(out, top.score[t]);
				lmrec_out_tab(out);
				if (content) {
					lmrec_out_str(out, "similar to ");
					put_name(out, m, title, i);
					lmrec_attrs_put_shared(out, attrs[top.idx[t]], attrs[i], 3);
				} else {
					lmrec_out_str(out, "people who liked ");
					put_name(out, m, title, i);
					lmrec_out_str(out, " also liked ");
					put_name(out, m, title, top.idx[t]);
				}
				lmrec_out_eol(out);
			}
			lists += n > 0;
		}
	}
	lmrec_out_commit(out);
	if (!o->quiet)
		fprintf(stderr, "%s: %zu items with similar items, of %zu\n", lmrec_progname(), lists, ni);
	lmrec_topk_free(&top);
	lmrec_scorer_free(sc);
	free(scores);
	free(self);
	for (size_t i = 0; i < ni; i++) {
		free(title[i]);
		free(attrs[i]);
	}
	free(title);
	free(attrs);
	free(banned);
	lmrec_recmodel_free(m);
	return 0;
}

int main(int argc, char **argv)
{
	lmrec_setprogname(argv[0]);
	struct opts o = {.top = 20, .threads = 1};
	int c;
	while ((c = getopt_long(argc, argv, "m:n:o:j:qhV", long_options, NULL)) != -1) {
		switch (c) {
		case 'm': o.model = optarg; break; /* --model-file */
		case 'n': o.top = (size_t)lmrec_opt_u64("--top", optarg, 1, 100000); break; /* --top */
		case OPT_ITEMS: o.items = optarg; break; /* --items */
		case 'o': o.output = optarg; break;      /* --output */
		case 'j': o.threads = (int)lmrec_opt_u64("--threads", optarg, 1, 1024); break; /* --threads */
		case 'q': o.quiet = 1; break; /* --quiet */
		case 'h': usage(0); break;    /* --help */
		case 'V': lmrec_print_version(); lmrec_close_stdout(); return 0; /* --version */
		default: usage(LMREC_EXIT_USAGE);
		}
	}
	if (!o.model)
		lmrec_usage_error("--model-file is required");
	if (optind < argc)
		lmrec_usage_error("unexpected operand '%s'", argv[optind]);
	int rc = run(&o);
	lmrec_close_stdout();
	return rc;
}

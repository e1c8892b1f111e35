/* lmrec-recall — per-user candidate items from trained models. */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lmrec.h"
#include "mat.h"
#include "par.h"
#include "recmodel.h"

#define USER_BLOCK 256

struct channel {
	char *name;
	const char *path;
	struct lmrec_recmodel *m;
	size_t quota;
	int weighted;       /* trained with --use-weights: history weights count */
	uint32_t *item_map; /* (model items) index in the shared item dictionary */
};

struct opts {
	struct channel *ch;
	size_t nch, top;
	const char *history, *users, *output, *quota;
	unsigned fold_set; /* the --history rows used */
	int keep_seen, fold_in, threads, quiet;
};

static void usage(int status)
{
	if (status != 0) {
		fprintf(stderr, "Try '%s --help' for more information.\n", lmrec_progname());
		exit(status);
	}
	printf("Usage: %s -m [NAME=]MODEL [OPTION]...\n", lmrec_progname());
	fputs("Candidate items for each user from one or more trained models.\n"
	      "\n"
	      "Writes the candidates stream: user item score channel because because2,\n"
	      "each model a channel: the best -n items of each user, the items the user\n"
	      "has interacted with left out. 'because' and 'because2' name the history\n"
	      "items that contributed most to the score (empty for popular).\n"
	      "\n"
	      "Models and users:\n"
	      "  -m, --model-file [NAME=]FILE  a model from lmrec-train; NAME names its\n"
	      "                           channel (default: the model's kind); repeatable\n"
	      "      --history FILE       interactions of the users to score (user, item;\n"
	      "                           weight used as in training): scores these users\n"
	      "                           from this history, folding in users the model\n"
	      "                           does not know; what the models trained on for\n"
	      "                           them stays excluded (default: the model's own\n"
	      "                           users and their training interactions)\n"
	      "      --folds LIST         with a fold column in --history, its rows of\n"
	      "                           these folds (default train,valid; 'all')\n"
	      "      --users FILE         only the users of this stream (column user)\n"
	      "      --fold-in            als, bpr: solve every user's vector from the\n"
	      "                           history, even for users the model knows\n"
	      "\n"
	      "Candidates:\n"
	      "  -n, --top N              candidates per user and channel (default 100)\n"
	      "      --quota NAME=N,...   per-channel numbers instead of -n\n"
	      "      --keep-seen          keep items the user has interacted with\n"
	      "\n"
	      "Other:\n"
	      "  -o, --output FILE        write to FILE (default: standard output)\n"
	      "  -j, --threads N          threads of the matrix products (default 1)\n"
	      "  -q, --quiet              no summary on standard error\n"
	      "  -h, --help               show this help and exit\n"
	      "  -V, --version            show the version and exit\n"
	      "\n"
	      "Examples:\n"
	      "  lmrec-recall -m als.lmrc -n 200 > candidates.tsv\n"
	      "  lmrec-recall -m cf=als.lmrc -m knn=itemknn.lmrc --quota cf=100,knn=50\n"
	      "  lmrec-recall -m als.lmrc --history new-users.tsv -n 20\n"
	      "\n"
	      "See lmrec-recall(1).\n",
	      stdout);
	exit(0);
}

enum { OPT_HISTORY = CHAR_MAX + 1, OPT_FOLDS, OPT_USERS, OPT_FOLD_IN, OPT_QUOTA, OPT_KEEP_SEEN };

static const struct option long_options[] = {
	{"model-file", required_argument, NULL, 'm'},
	{"history", required_argument, NULL, OPT_HISTORY},
	{"folds", required_argument, NULL, OPT_FOLDS},
	{"users", required_argument, NULL, OPT_USERS},
	{"fold-in", no_argument, NULL, OPT_FOLD_IN},
	{"top", required_argument, NULL, 'n'},
	{"quota", required_argument, NULL, OPT_QUOTA},
	{"keep-seen", no_argument, NULL, OPT_KEEP_SEEN},
	{"output", required_argument, NULL, 'o'},
	{"threads", required_argument, NULL, 'j'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

/* The users to score, in byte order of their ids, each with a history of
 * item indices (in the shared item dictionary) sorted, with weights. */
struct population {
	struct lmrec_ids *users;  /* every user id met */
	uint32_t *order;          /* (n) users to score, byte order */
	size_t n;
	uint64_t *hptr;           /* (users + 1) history of each user */
	uint32_t *hitem;
	float *hw;
};

static void build_population(const struct opts *o, struct lmrec_ids *items, struct population *pop)
{
	pop->users = lmrec_ids_new();
	/* users asked for come first, so that those without any history are
	 * scored too (popular items, cold-start channels) */
	uint32_t *want_list = NULL;
	size_t nwant = 0, wcap = 0;
	if (o->users) {
		struct lmrec_tsv *r = lmrec_tsv_open(o->users);
		size_t cu = lmrec_tsv_col(r, "user");
		while (lmrec_tsv_read(r)) {
			if (r->f[cu].len == 0)
				lmrec_tsv_die(r, cu, "empty id");
			LMREC_GROW(want_list, wcap, nwant + 1);
			want_list[nwant++] = lmrec_ids_intern(pop->users, r->f[cu].p, r->f[cu].len);
		}
		lmrec_tsv_close(r);
	}
	uint32_t *hu = NULL, *hi = NULL;
	float *hw = NULL;
	size_t nh = 0;
	if (o->history) {
		struct lmrec_inter x;
		lmrec_inter_init(&x, pop->users, items);
		char *files[1] = {(char *)o->history};
		lmrec_inter_load(&x, files, 1, LMREC_INTER_NO_TS);
		hu = lmrec_xcalloc(x.n + 1, sizeof *hu);
		hi = lmrec_xcalloc(x.n + 1, sizeof *hi);
		hw = lmrec_xcalloc(x.n + 1, sizeof *hw);
		for (size_t r = 0; r < x.n; r++)
			if (!x.has_fold || lmrec_fold_in(o->fold_set, x.fold_of[r])) {
				hu[nh] = x.user[r];
				hi[nh] = x.item[r];
				hw[nh++] = x.weight[r];
			}
		lmrec_inter_free(&x);
	} else {
		/* every user of every model, with the union of their training rows */
		for (size_t c = 0; c < o->nch; c++) {
			const struct lmrec_recmodel *m = o->ch[c].m;
			uint64_t nnz = lmrec_csr_nnz(&m->seen);
			hu = lmrec_xreallocarray(hu, nh + nnz + 1, sizeof *hu);
			hi = lmrec_xreallocarray(hi, nh + nnz + 1, sizeof *hi);
			hw = lmrec_xreallocarray(hw, nh + nnz + 1, sizeof *hw);
			for (size_t u = 0; u < m->nu; u++) {
				size_t len;
				const char *s = lmrec_ids_str(m->users, (uint32_t)u, &len);
				uint32_t gu = lmrec_ids_intern(pop->users, s, len);
				for (uint64_t p = m->seen.ptr[u]; p < m->seen.ptr[u + 1]; p++) {
					hu[nh] = gu;
					hi[nh] = o->ch[c].item_map[m->seen.idx[p]];
					hw[nh++] = m->seen.val[p];
				}
			}
		}
	}
	size_t nu = lmrec_ids_count(pop->users);
	struct lmrec_csr h;
	lmrec_csr_build(&h, nu, lmrec_ids_count(items), hu, hi, hw, nh, LMREC_DUP_MAX);
	pop->hptr = h.ptr;
	pop->hitem = h.idx;
	pop->hw = h.val;
	free(hu);
	free(hi);
	free(hw);
	/* which users: --users, else all of them */
	unsigned char *want = lmrec_xcalloc(nu + 1, 1);
	if (o->users) { /* an empty --users stream wants nobody */
		for (size_t j = 0; j < nwant; j++)
			want[want_list[j]] = 1;
		free(want_list);
	} else {
		memset(want, 1, nu);
	}
	uint32_t *sorted = lmrec_ids_sorted(pop->users);
	pop->order = lmrec_xcalloc(nu + 1, sizeof *pop->order);
	for (size_t r = 0; r < nu; r++)
		if (want[sorted[r]])
			pop->order[pop->n++] = sorted[r];
	free(sorted);
	free(want);
}

struct out_row {
	uint32_t item; /* shared index */
	float score;
	uint32_t channel;
	int64_t because, because2; /* shared item index, or -1 */
};

static int cmp_row(const void *pa, const void *pb, const struct lmrec_ids *items)
{
	const struct out_row *a = pa, *b = pb;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	int c = lmrec_ids_cmp(items, a->item, b->item);
	if (c)
		return c;
	return a->channel < b->channel ? -1 : a->channel > b->channel;
}

/* qsort has no context in C17: a small insertion sort (rows per user are few) */
static void sort_rows(struct out_row *r, size_t n, const struct lmrec_ids *items)
{
	for (size_t i = 1; i < n; i++) {
		struct out_row x = r[i];
		size_t j = i;
		while (j > 0 && cmp_row(&r[j - 1], &x, items) > 0) {
			r[j] = r[j - 1];
			j--;
		}
		r[j] = x;
	}
}

struct hpair {
	uint32_t item;
	float w;
};

static int cmp_hpair(const void *a, const void *b)
{
	uint32_t x = ((const struct hpair *)a)->item, y = ((const struct hpair *)b)->item;
	return x < y ? -1 : x > y;
}

static void sort_history(uint32_t *item, float *w, size_t n, struct hpair **buf, size_t *cap)
{
	int sorted = 1;
	for (size_t i = 1; i < n && sorted; i++)
		sorted = item[i - 1] < item[i];
	if (sorted)
		return;
	LMREC_GROW(*buf, *cap, n);
	for (size_t i = 0; i < n; i++)
		(*buf)[i] = (struct hpair){item[i], w[i]};
	qsort(*buf, n, sizeof **buf, cmp_hpair); /* items are distinct: no ties */
	for (size_t i = 0; i < n; i++) {
		item[i] = (*buf)[i].item;
		w[i] = (*buf)[i].w;
	}
}

/* Appends to *list the items (shared indices) each model's training
 * matrix holds for the user (nothing from models that do not know it). */
static void list_trained(const struct opts *o, const char *uid, size_t ulen, uint32_t **list,
			 size_t *cap, size_t *n)
{
	for (size_t c = 0; c < o->nch; c++) {
		const struct lmrec_recmodel *m = o->ch[c].m;
		int64_t mu = lmrec_ids_find(m->users, uid, ulen);
		if (mu < 0)
			continue;
		for (uint64_t p = m->seen.ptr[mu]; p < m->seen.ptr[mu + 1]; p++) {
			LMREC_GROW(*list, *cap, *n + 1);
			(*list)[(*n)++] = o->ch[c].item_map[m->seen.idx[p]];
		}
	}
}

static int run(struct opts *o)
{
	/* one item dictionary across channels and the history */
	struct lmrec_ids *items = lmrec_ids_new();
	for (size_t c = 0; c < o->nch; c++) {
		struct channel *ch = &o->ch[c];
		ch->item_map = lmrec_xcalloc(ch->m->ni + 1, sizeof *ch->item_map);
		for (size_t i = 0; i < ch->m->ni; i++) {
			size_t len;
			const char *s = lmrec_ids_str(ch->m->items, (uint32_t)i, &len);
			ch->item_map[i] = lmrec_ids_intern(items, s, len);
		}
	}
	struct population pop;
	memset(&pop, 0, sizeof pop);
	build_population(o, items, &pop);
	size_t ni_all = lmrec_ids_count(items);
	/* shared item index -> each model's index (or -1) for history mapping */
	int64_t **to_model = lmrec_xcalloc(o->nch, sizeof *to_model);
	for (size_t c = 0; c < o->nch; c++) {
		to_model[c] = lmrec_xmalloc((ni_all + 1) * sizeof **to_model);
		for (size_t i = 0; i < ni_all; i++)
			to_model[c][i] = -1;
		for (size_t i = 0; i < o->ch[c].m->ni; i++)
			to_model[c][o->ch[c].item_map[i]] = (int64_t)i;
	}

	lmrec_blas_threads(o->threads);
	struct lmrec_out *out = lmrec_out_open(o->output);
	lmrec_out_str(out, "user\titem\tscore\tchannel\tbecause\tbecause2\n");
	struct lmrec_scorer **sc = lmrec_xcalloc(o->nch, sizeof *sc);
	float **scores = lmrec_xcalloc(o->nch, sizeof *scores);
	for (size_t c = 0; c < o->nch; c++) {
		sc[c] = lmrec_scorer_new(o->ch[c].m, USER_BLOCK);
		scores[c] = lmrec_xmalloc(USER_BLOCK * (o->ch[c].m->ni + 1) * sizeof **scores);
	}
	struct lmrec_user_query q[USER_BLOCK];
	/* (channels, USER_BLOCK): whether the channel has anything to go on for
	 * the user: popular always; the others history items the model knows,
	 * or (als, bpr) the user's trained vector */
	unsigned char *usable = lmrec_xcalloc(o->nch * USER_BLOCK, 1);
	/* per user of the block, each channel's history in its model's indices */
	uint32_t *qh = NULL;
	float *qw = NULL;
	size_t qcap = 0, hcap = 0;
	struct hpair *hbuf = NULL;
	struct lmrec_topk top;
	uint32_t *seen_list = NULL; /* the user's items to leave out (shared indices) */
	size_t seen_cap = 0, nseen = 0;
	size_t maxq = 0;
	for (size_t c = 0; c < o->nch; c++)
		if (o->ch[c].quota > maxq)
			maxq = o->ch[c].quota;
	lmrec_topk_init(&top, maxq);
	struct out_row *rows = lmrec_xcalloc(maxq * o->nch + 1, sizeof *rows);
	size_t users_out = 0, rows_out = 0;

	for (size_t b = 0; b < pop.n; b += USER_BLOCK) {
		size_t nb = pop.n - b < USER_BLOCK ? pop.n - b : USER_BLOCK;
		for (size_t c = 0; c < o->nch; c++) {
			const struct lmrec_recmodel *m = o->ch[c].m;
			/* the block's histories mapped into this model */
			size_t total = 0;
			for (size_t r = 0; r < nb; r++) {
				uint32_t u = pop.order[b + r];
				total += pop.hptr[u + 1] - pop.hptr[u];
			}
			LMREC_GROW(qh, qcap, total + 1);
			qw = lmrec_xreallocarray(qw, qcap, sizeof *qw);
			size_t at = 0;
			for (size_t r = 0; r < nb; r++) {
				uint32_t u = pop.order[b + r];
				size_t len;
				const char *s = lmrec_ids_str(pop.users, u, &len);
				q[r].user = lmrec_ids_find(m->users, s, len);
				q[r].hist = qh + at;
				q[r].w = qw + at;
				q[r].fold_in = o->fold_in;
				size_t n = 0;
				for (uint64_t p = pop.hptr[u]; p < pop.hptr[u + 1]; p++) {
					int64_t mi = to_model[c][pop.hitem[p]];
					if (mi >= 0) {
						qh[at + n] = (uint32_t)mi;
						qw[at + n] = o->ch[c].weighted ? pop.hw[p] : 1.0f;
						n++;
					}
				}
				/* the model's indices differ from the shared ones: keep each
				 * history sorted by model index */
				sort_history(qh + at, qw + at, n, &hbuf, &hcap);
				q[r].n = n;
				at += n;
				int factors = m->kind == LMREC_KIND_ALS || m->kind == LMREC_KIND_BPR;
				usable[c * USER_BLOCK + r] = m->kind == LMREC_KIND_POPULAR || n > 0 ||
							     (factors && q[r].user >= 0 && !q[r].fold_in);
			}
			lmrec_score_block(sc[c], q, nb, scores[c]);
		}
		for (size_t r = 0; r < nb; r++) {
			uint32_t u = pop.order[b + r];
			size_t ulen;
			const char *uid = lmrec_ids_str(pop.users, u, &ulen);
			/* seen: the history, and what the models trained on (which
			 * the history is, unless --history replaced it) */
			nseen = 0;
			for (uint64_t p = pop.hptr[u]; p < pop.hptr[u + 1]; p++) {
				LMREC_GROW(seen_list, seen_cap, nseen + 1);
				seen_list[nseen++] = pop.hitem[p];
			}
			if (o->history)
				list_trained(o, uid, ulen, &seen_list, &seen_cap, &nseen);
			size_t nrows = 0;
			for (size_t c = 0; c < o->nch; c++) {
				const struct channel *ch = &o->ch[c];
				const struct lmrec_recmodel *m = ch->m;
				float *s = scores[c] + r * m->ni;
				if (!usable[c * USER_BLOCK + r])
					continue; /* its scores would all be 0: no candidates */
				/* items left out become NaN, which the top-k never takes:
				 * the scan is then one comparison per item */
				if (!o->keep_seen)
					for (size_t j = 0; j < nseen; j++) {
						int64_t mi = to_model[c][seen_list[j]];
						if (mi >= 0)
							s[mi] = NAN;
					}
				/* item-kNN: only neighbours of a history item */
				if (m->kind == LMREC_KIND_ITEMKNN)
					for (size_t i = 0; i < m->ni; i++)
						if (!(s[i] > 0))
							s[i] = NAN;
				top.k = ch->quota;
				lmrec_topk_reset(&top);
				lmrec_topk_scan(&top, s, m->ni);
				size_t n = lmrec_topk_sort(&top);
				for (size_t t = 0; t < n; t++) {
					uint32_t mi = top.idx[t];
					struct out_row *row = &rows[nrows++];
					row->item = ch->item_map[mi];
					row->score = top.score[t];
					row->channel = (uint32_t)c;
					row->because = row->because2 = -1;
					if (m->kind == LMREC_KIND_POPULAR)
						continue;
					/* the two history items contributing most */
					float best = 0, second = 0;
					for (uint64_t p = pop.hptr[u]; p < pop.hptr[u + 1]; p++) {
						int64_t h = to_model[c][pop.hitem[p]];
						if (h < 0 || (uint32_t)h == mi)
							continue;
						float v = (ch->weighted ? pop.hw[p] : 1.0f) *
							  lmrec_contribution(m, (uint32_t)h, mi);
						if (v > best) {
							second = best;
							row->because2 = row->because;
							best = v;
							row->because = pop.hitem[p];
						} else if (v > second) {
							second = v;
							row->because2 = pop.hitem[p];
						}
					}
				}
			}
			sort_rows(rows, nrows, items);
			for (size_t t = 0; t < nrows; t++) {
				size_t len;
				const char *s;
				lmrec_out_write(out, uid, ulen);
				lmrec_out_tab(out);
				s = lmrec_ids_str(items, rows[t].item, &len);
				lmrec_out_write(out, s, len);
				lmrec_out_tab(out);
				lmrec_out_f32(out, rows[t].score);
				lmrec_out_tab(out);
				lmrec_out_field(out, o->ch[rows[t].channel].name,
						strlen(o->ch[rows[t].channel].name));
				lmrec_out_tab(out);
				if (rows[t].because >= 0) {
					s = lmrec_ids_str(items, (uint32_t)rows[t].because, &len);
					lmrec_out_write(out, s, len);
				}
				lmrec_out_tab(out);
				if (rows[t].because2 >= 0) {
					s = lmrec_ids_str(items, (uint32_t)rows[t].because2, &len);
					lmrec_out_write(out, s, len);
				}
				lmrec_out_eol(out);
			}
			users_out += nrows > 0;
			rows_out += nrows;
		}
	}
	lmrec_out_commit(out);
	if (!o->quiet)
		fprintf(stderr, "%s: %zu users, %zu candidates from %zu channel%s\n", lmrec_progname(),
			users_out, rows_out, o->nch, o->nch == 1 ? "" : "s");

	lmrec_topk_free(&top);
	free(usable);
	free(rows);
	free(seen_list);
	free(qh);
	free(qw);
	free(hbuf);
	for (size_t c = 0; c < o->nch; c++) {
		lmrec_scorer_free(sc[c]);
		free(scores[c]);
		free(to_model[c]);
	}
	free(sc);
	free(scores);
	free(to_model);
	free(pop.order);
	free(pop.hptr);
	free(pop.hitem);
	free(pop.hw);
	lmrec_ids_free(pop.users);
	lmrec_ids_free(items);
	return 0;
}

/* "name=N,name=N": sets each named channel's quota. */
static void apply_quota(struct opts *o)
{
	const char *p = o->quota;
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		uint64_t n;
		if (!eq || lmrec_parse_u64(eq + 1, len - (size_t)(eq + 1 - p), &n) != 0 || n < 1 ||
		    n > 1000000)
			lmrec_usage_error("invalid value for --quota: '%s' (expected NAME=N,...)", o->quota);
		size_t c;
		for (c = 0; c < o->nch; c++)
			if (strlen(o->ch[c].name) == (size_t)(eq - p) && memcmp(o->ch[c].name, p, (size_t)(eq - p)) == 0)
				break;
		if (c == o->nch)
			lmrec_usage_error("--quota names a channel no --model-file has: '%.*s'", (int)(eq - p), p);
		o->ch[c].quota = (size_t)n;
		p += len + (comma ? 1 : 0);
	}
}

int main(int argc, char **argv)
{
	lmrec_setprogname(argv[0]);
	struct opts o = {.top = 100, .threads = 1,
			 .fold_set = 1u << LMREC_FOLD_TRAIN | 1u << LMREC_FOLD_VALID};
	size_t chcap = 0;
	int c;
	while ((c = getopt_long(argc, argv, "m:n:o:j:qhV", long_options, NULL)) != -1) {
		switch (c) {
		case 'm': { /* --model-file */
			LMREC_GROW(o.ch, chcap, o.nch + 1);
			struct channel *ch = &o.ch[o.nch++];
			memset(ch, 0, sizeof *ch);
			const char *eq = strchr(optarg, '=');
			ch->path = eq ? eq + 1 : optarg;
			ch->name = eq ? lmrec_xstrndup(optarg, (size_t)(eq - optarg)) : NULL;
			if (eq && (eq == optarg || !eq[1]))
				lmrec_usage_error("invalid value for --model-file: '%s' (expected [NAME=]FILE)",
						  optarg);
			break;
		}
		case OPT_HISTORY: o.history = optarg; break; /* --history */
		case OPT_FOLDS: /* --folds */
			o.fold_set = lmrec_folds_parse("--folds", optarg);
			break;
		case OPT_USERS: o.users = optarg; break;     /* --users */
		case OPT_FOLD_IN: o.fold_in = 1; break;      /* --fold-in */
		case 'n': o.top = (size_t)lmrec_opt_u64("--top", optarg, 1, 1000000); break; /* --top */
		case OPT_QUOTA: o.quota = optarg; break;         /* --quota */
		case OPT_KEEP_SEEN: o.keep_seen = 1; break;      /* --keep-seen */
		case 'o': o.output = optarg; break;              /* --output */
		case 'j': o.threads = (int)lmrec_opt_u64("--threads", optarg, 1, 1024); break; /* --threads */
		case 'q': o.quiet = 1; break; /* --quiet */
		case 'h': usage(0); break;    /* --help */
		case 'V': lmrec_print_version(); lmrec_close_stdout(); return 0; /* --version */
		default: usage(LMREC_EXIT_USAGE);
		}
	}
	if (o.nch == 0)
		lmrec_usage_error("--model-file is required");
	if (optind < argc)
		lmrec_usage_error("unexpected operand '%s' (the history is given with --history)", argv[optind]);
	for (size_t i = 0; i < o.nch; i++) {
		o.ch[i].m = lmrec_recmodel_read(o.ch[i].path, LMREC_KIND_ANY);
		if (!o.ch[i].name)
			o.ch[i].name = lmrec_xstrdup(lmrec_kind_name(o.ch[i].m->kind));
		o.ch[i].quota = o.top;
		size_t len;
		const char *uw = lmrec_model_param(o.ch[i].m->file, "use_weights", &len);
		o.ch[i].weighted = uw && len == 1 && uw[0] == '1';
		for (size_t j = 0; j < i; j++)
			if (strcmp(o.ch[i].name, o.ch[j].name) == 0)
				lmrec_usage_error("two channels are named '%s': name them NAME=FILE", o.ch[i].name);
	}
	if (o.quota)
		apply_quota(&o);
	int rc = run(&o);
	for (size_t i = 0; i < o.nch; i++) {
		lmrec_recmodel_free(o.ch[i].m);
		free(o.ch[i].name);
		free(o.ch[i].item_map);
	}
	free(o.ch);
	lmrec_close_stdout();
	return rc;
}

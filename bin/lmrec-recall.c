/* lmrec-recall — per-user candidate items from trained models. */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lmrec.h"
#include "mat.h"
#include "contrib.h"
#include "explain.h"
#include "par.h"
#include "recmodel.h"

#define USER_BLOCK 256

struct channel {
	unsigned char *allowed; /* (model items) with --only: 1 for a candidate */
	char *name;
	const char *path;
	struct lmrec_recmodel *m;
	size_t quota;
	int weighted;       /* trained with --use-weights: history weights count */
	uint32_t *item_map; /* (model items) index in the shared item dictionary */
	int64_t from, to;   /* crossdomain: domain indices of the query and the candidates, or -1 */
};

struct opts {
	struct channel *ch;
	size_t nch, top;
	const char *history, *users, *output, *quota, *only;
	const char *from_domain, *to_domain; /* crossdomain channels */
	unsigned fold_set; /* the --history rows used */
	size_t contrib;    /* --contributions: history items listed per row */
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
	      "Writes the candidates stream: user item score channel kind because because2,\n"
	      "each model a channel: the best -n items of each user, the items the user\n"
	      "has interacted with left out. 'because' and 'because2' name the history\n"
	      "items that contributed most to the score (empty for popular); with\n"
	      "--contributions a column contrib lists them with their contributions.\n"
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
	      "      --contributions N    a column contrib: the N history items that\n"
	      "                           contribute most to each score, with their\n"
	      "                           contributions (ID:VALUE,...); because and\n"
	      "                           because2 become its first two\n"
	      "      --only FILE          candidates only among the items of this stream\n"
	      "                           (column item): new items, a cold-start test\n"
	      "\n"
	      "Across domains (a crossdomain model):\n"
	      "      --from-domain NAME   score from the history's items of this domain\n"
	      "                           only (default: of every other domain)\n"
	      "      --to-domain NAME     candidates of this domain only (default: each\n"
	      "                           domain's items, from the others)\n"
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
	      "  lmrec-recall -m xd.lmrc --from-domain places --to-domain shop -n 20\n"
	      "\n"
	      "See lmrec-recall(1).\n",
	      stdout);
	exit(0);
}

enum {
	OPT_HISTORY = CHAR_MAX + 1,
	OPT_FOLDS,
	OPT_USERS,
	OPT_FOLD_IN,
	OPT_QUOTA,
	OPT_KEEP_SEEN,
	OPT_ONLY,
	OPT_FROM_DOMAIN,
	OPT_TO_DOMAIN,
	OPT_CONTRIBUTIONS
};

static const struct option long_options[] = {
	{"model-file", required_argument, NULL, 'm'},
	{"history", required_argument, NULL, OPT_HISTORY},
	{"folds", required_argument, NULL, OPT_FOLDS},
	{"users", required_argument, NULL, OPT_USERS},
	{"fold-in", no_argument, NULL, OPT_FOLD_IN},
	{"top", required_argument, NULL, 'n'},
	{"quota", required_argument, NULL, OPT_QUOTA},
	{"keep-seen", no_argument, NULL, OPT_KEEP_SEEN},
	{"only", required_argument, NULL, OPT_ONLY},
	{"from-domain", required_argument, NULL, OPT_FROM_DOMAIN},
	{"to-domain", required_argument, NULL, OPT_TO_DOMAIN},
	{"contributions", required_argument, NULL, OPT_CONTRIBUTIONS},
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
	struct lmrec_seqs seq;    /* with --history: each user's items in time order */
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
	int64_t *ht = NULL;
	size_t nh = 0;
	if (o->history) {
		struct lmrec_inter x;
		lmrec_inter_init(&x, pop->users, items);
		char *files[1] = {(char *)o->history};
		lmrec_inter_load(&x, files, 1, LMREC_INTER_NO_TS);
		hu = lmrec_xcalloc(x.n + 1, sizeof *hu);
		hi = lmrec_xcalloc(x.n + 1, sizeof *hi);
		hw = lmrec_xcalloc(x.n + 1, sizeof *hw);
		ht = lmrec_xcalloc(x.n + 1, sizeof *ht);
		for (size_t r = 0; r < x.n; r++)
			if (!x.has_fold || lmrec_fold_in(o->fold_set, x.fold_of[r])) {
				hu[nh] = x.user[r];
				hi[nh] = x.item[r];
				ht[nh] = x.ts[r];
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
	if (ht) /* the sequence models read the history in time order */
		lmrec_seqs_build(&pop->seq, nu, hu, hi, ht, nh);
	free(ht);
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
	uint32_t item;    /* shared index */
	uint32_t order;   /* the item's place in byte order of the ids */
	float score;
	uint32_t channel;
	int64_t because, because2; /* shared item index, or -1 */
	size_t ent, nent;          /* --contributions: its entries in the worker's */
};

/* A history item (shared index) and its contribution to a score. */
struct entry {
	uint32_t item;
	float value;
};

/* The defined order: score descending, then item id, then channel. */
static int cmp_row(const void *pa, const void *pb)
{
	const struct out_row *a = pa, *b = pb;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	if (a->order != b->order)
		return a->order < b->order ? -1 : 1;
	return a->channel < b->channel ? -1 : a->channel > b->channel;
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

/* What every thread reads. */
struct shared {
	const struct opts *o;
	const struct population *pop;
	const struct lmrec_ids *items;
	int64_t **to_model;  /* (channels) shared item index -> model index or -1 */
	uint32_t *item_order; /* (items) place of each shared item in byte order */
	size_t round_begin;   /* first user (in pop.order) of this round */
	struct worker *w;
	uint32_t *sorted;     /* (items) the shared item at each place of byte order */
};

/* One thread's state: scorers, buffers, and its block's output. */
struct worker {
	struct lmrec_scorer **sc;   /* (channels) */
	float **scores;             /* (channels) (USER_BLOCK, model items) */
	struct lmrec_user_query q[USER_BLOCK];
	unsigned char *usable;      /* (channels, USER_BLOCK) */
	uint32_t *qh;               /* the block's histories in model indices */
	float *qw;
	uint32_t *qs;               /* sasrec: the same in time order */
	size_t qcap, hcap;
	struct hpair *hbuf;
	struct lmrec_topk top;
	uint32_t *seen_list;        /* the user's items to leave out (shared) */
	size_t seen_cap;
	struct out_row *rows;       /* (sum of quotas) */
	struct lmrec_contrib **ct;  /* --contributions: (channels) */
	uint32_t *eh, *es;          /* one user's query for them */
	float *ew;
	size_t ecap;
	float *a;                   /* (candidates, history) contributions */
	size_t acap;
	struct lmrec_topk ctop;     /* one row's best contributions */
	struct entry *ent;          /* the rows' entries */
	size_t nent, entcap;
	struct lmrec_out *out;      /* the block's rows, in memory */
	size_t users_out, rows_out;
};

static void worker_init(struct worker *w, const struct opts *o)
{
	memset(w, 0, sizeof *w);
	w->sc = lmrec_xcalloc(o->nch, sizeof(struct lmrec_scorer *));
	w->scores = lmrec_xcalloc(o->nch, sizeof *w->scores);
	size_t rows = 0;
	for (size_t c = 0; c < o->nch; c++) {
		w->sc[c] = lmrec_scorer_new(o->ch[c].m, USER_BLOCK);
		lmrec_scorer_domains(w->sc[c], o->ch[c].from, o->ch[c].to);
		w->scores[c] = lmrec_xmalloc(USER_BLOCK * (o->ch[c].m->ni + 1) * sizeof **w->scores);
		rows += o->ch[c].quota;
	}
	w->usable = lmrec_xcalloc(o->nch * USER_BLOCK, 1);
	if (o->contrib) {
		lmrec_topk_init(&w->ctop, o->contrib);
		w->ct = lmrec_xcalloc(o->nch, sizeof *w->ct);
		for (size_t c = 0; c < o->nch; c++) {
			w->ct[c] = lmrec_contrib_new(o->ch[c].m);
			lmrec_contrib_domains(w->ct[c], o->ch[c].from, o->ch[c].to);
		}
	}
	lmrec_topk_init(&w->top, rows);
	w->rows = lmrec_xcalloc(rows + 1, sizeof *w->rows);
	w->out = lmrec_out_open_mem();
}

static void worker_free(struct worker *w, const struct opts *o)
{
	for (size_t c = 0; c < o->nch; c++) {
		lmrec_scorer_free(w->sc[c]);
		free(w->scores[c]);
	}
	free(w->sc);
	free(w->scores);
	for (size_t c = 0; w->ct && c < o->nch; c++)
		lmrec_contrib_free(w->ct[c]);
	if (w->ct)
		lmrec_topk_free(&w->ctop);
	free(w->ct);
	free(w->eh);
	free(w->ew);
	free(w->es);
	free(w->a);
	free(w->ent);
	free(w->usable);
	free(w->qh);
	free(w->qw);
	free(w->qs);
	free(w->hbuf);
	lmrec_topk_free(&w->top);
	free(w->seen_list);
	free(w->rows);
	lmrec_out_abort(w->out);
}

/* The query of user u (of pop) for channel c, its history in qh, qw and
 * (sasrec, in time order) qs, each with room for the user's history;
 * returns the room used. */
static size_t build_query(const struct shared *sh, size_t c, uint32_t u, struct lmrec_user_query *q,
			  uint32_t *qh, float *qw, uint32_t *qs, struct hpair **hbuf, size_t *hcap)
{
	const struct opts *o = sh->o;
	const struct population *pop = sh->pop;
	const struct lmrec_recmodel *m = o->ch[c].m;
	size_t len;
	const char *s = lmrec_ids_str(pop->users, u, &len);
	q->user = lmrec_ids_find(m->users, s, len);
	q->hist = qh;
	q->w = qw;
	q->fold_in = o->fold_in;
	size_t n = 0;
	for (uint64_t p = pop->hptr[u]; p < pop->hptr[u + 1]; p++) {
		int64_t mi = sh->to_model[c][pop->hitem[p]];
		if (mi >= 0) {
			qh[n] = (uint32_t)mi;
			qw[n] = o->ch[c].weighted ? pop->hw[p] : 1.0f;
			n++;
		}
	}
	/* the model's indices differ from the shared ones: keep each
	 * history sorted by model index */
	q->seq = NULL;
	q->nseq = 0;
	size_t ns = 0;
	if (m->kind == LMREC_KIND_SASREC && pop->seq.ptr) {
		/* the same items in time order */
		for (uint64_t p = pop->seq.ptr[u]; p < pop->seq.ptr[u + 1]; p++) {
			int64_t mi = sh->to_model[c][pop->seq.item[p]];
			if (mi >= 0)
				qs[ns++] = (uint32_t)mi;
		}
		q->seq = qs;
		q->nseq = ns;
	}
	sort_history(qh, qw, n, hbuf, hcap);
	q->n = n;
	return n > ns ? n : ns;
}

/* The room a user's query needs: the history, or the time-ordered
 * history, which keeps repeats and may be longer. */
static size_t query_room(const struct population *pop, uint32_t u)
{
	uint64_t len = pop->hptr[u + 1] - pop->hptr[u];
	if (pop->seq.ptr && pop->seq.ptr[u + 1] - pop->seq.ptr[u] > len)
		len = pop->seq.ptr[u + 1] - pop->seq.ptr[u];
	return (size_t)len;
}

/* Scores each channel for the users [b, b + nb) of pop.order. */
static void score_channels(const struct shared *sh, struct worker *w, size_t b, size_t nb)
{
	const struct opts *o = sh->o;
	const struct population *pop = sh->pop;
	for (size_t c = 0; c < o->nch; c++) {
		const struct lmrec_recmodel *m = o->ch[c].m;
		size_t total = 0;
		for (size_t r = 0; r < nb; r++)
			total += query_room(pop, pop->order[b + r]);
		if (total + 1 > w->qcap) {
			w->qcap = total + 1;
			w->qh = lmrec_xreallocarray(w->qh, w->qcap, sizeof *w->qh);
			w->qw = lmrec_xreallocarray(w->qw, w->qcap, sizeof *w->qw);
			w->qs = lmrec_xreallocarray(w->qs, w->qcap, sizeof *w->qs);
		}
		size_t at = 0;
		for (size_t r = 0; r < nb; r++) {
			struct lmrec_user_query *q = &w->q[r];
			at += build_query(sh, c, pop->order[b + r], q, w->qh + at, w->qw + at, w->qs + at, &w->hbuf,
					  &w->hcap);
			/* whether the channel has anything to go on: popular always;
			 * the others history it knows, or (als, bpr) a trained vector */
			int factors = m->kind == LMREC_KIND_ALS || m->kind == LMREC_KIND_BPR ||
				      m->kind == LMREC_KIND_SASREC;
			w->usable[c * USER_BLOCK + r] = m->kind == LMREC_KIND_POPULAR || q->n > 0 ||
							(factors && q->user >= 0 && !q->fold_in);
		}
		lmrec_score_block(w->sc[c], w->q, nb, w->scores[c]);
	}
}

/* --contributions: the history items contributing most to the scores of
 * the channel's candidates w->top.idx[0..n), best first, into each row's
 * entries (and its because, because2). */
static void contributions(const struct shared *sh, struct worker *w, size_t c, uint32_t u,
			  struct out_row *rows, size_t n)
{
	const struct opts *o = sh->o;
	size_t room = query_room(sh->pop, u) + 1;
	if (room > w->ecap) {
		w->ecap = room;
		w->eh = lmrec_xreallocarray(w->eh, room, sizeof *w->eh);
		w->ew = lmrec_xreallocarray(w->ew, room, sizeof *w->ew);
		w->es = lmrec_xreallocarray(w->es, room, sizeof *w->es);
	}
	struct lmrec_user_query q;
	build_query(sh, c, u, &q, w->eh, w->ew, w->es, &w->hbuf, &w->hcap);
	LMREC_GROW(w->a, w->acap, n * q.n + 1);
	lmrec_contrib_compute(w->ct[c], &q, w->top.idx, n, w->a);
	const uint32_t *map = o->ch[c].item_map;
	for (size_t t = 0; t < n; t++) {
		struct out_row *row = &rows[t];
		const float *a = w->a + t * q.n;
		/* the best o->contrib by value, then by id (a place in byte
		 * order stands for the id); none that is 0, nor the item itself */
		lmrec_topk_reset(&w->ctop);
		for (size_t j = 0; j < q.n; j++)
			if (a[j] != 0 && q.hist[j] != w->top.idx[t])
				lmrec_topk_push(&w->ctop, sh->item_order[map[q.hist[j]]], a[j]);
		row->nent = lmrec_topk_sort(&w->ctop);
		row->ent = w->nent;
		LMREC_GROW(w->ent, w->entcap, w->nent + row->nent);
		for (size_t e = 0; e < row->nent; e++)
			w->ent[w->nent++] = (struct entry){sh->sorted[w->ctop.idx[e]], w->ctop.score[e]};
		/* the reason's items are the explanation's */
		row->because = row->nent > 0 && w->ent[row->ent].value > 0 ? (int64_t)w->ent[row->ent].item : -1;
		row->because2 = row->nent > 1 && w->ent[row->ent + 1].value > 0 ? (int64_t)w->ent[row->ent + 1].item : -1;
	}
}

/* The candidates of user r of the block into w->out. */
static void write_user(const struct shared *sh, struct worker *w, size_t b, size_t r)
{
	const struct opts *o = sh->o;
	const struct population *pop = sh->pop;
	uint32_t u = pop->order[b + r];
	size_t ulen;
	const char *uid = lmrec_ids_str(pop->users, u, &ulen);
	/* seen: the history, and what the models trained on (which the
	 * history is, unless --history replaced it) */
	size_t nseen = 0;
	for (uint64_t p = pop->hptr[u]; p < pop->hptr[u + 1]; p++) {
		LMREC_GROW(w->seen_list, w->seen_cap, nseen + 1);
		w->seen_list[nseen++] = pop->hitem[p];
	}
	if (o->history)
		list_trained(o, uid, ulen, &w->seen_list, &w->seen_cap, &nseen);
	size_t nrows = 0;
	w->nent = 0;
	for (size_t c = 0; c < o->nch; c++) {
		const struct channel *ch = &o->ch[c];
		const struct lmrec_recmodel *m = ch->m;
		float *s = w->scores[c] + r * m->ni;
		if (!w->usable[c * USER_BLOCK + r])
			continue; /* its scores would all be 0: no candidates */
		/* items left out become NaN, which the top-k never takes: the scan
		 * is then one comparison per item */
		if (!o->keep_seen)
			for (size_t j = 0; j < nseen; j++) {
				int64_t mi = sh->to_model[c][w->seen_list[j]];
				if (mi >= 0)
					s[mi] = NAN;
			}
		if (ch->allowed)
			for (size_t i = 0; i < m->ni; i++)
				if (!ch->allowed[i])
					s[i] = NAN;
		/* item-kNN: only neighbours of a history item */
		if (m->kind == LMREC_KIND_ITEMKNN)
			for (size_t i = 0; i < m->ni; i++)
				if (!(s[i] > 0))
					s[i] = NAN;
		w->top.k = ch->quota;
		lmrec_topk_reset(&w->top);
		lmrec_topk_scan(&w->top, s, m->ni);
		size_t n = lmrec_topk_sort(&w->top);
		for (size_t t = 0; t < n; t++) {
			uint32_t mi = w->top.idx[t];
			struct out_row *row = &w->rows[nrows++];
			row->item = ch->item_map[mi];
			row->order = sh->item_order[row->item];
			row->score = w->top.score[t];
			row->channel = (uint32_t)c;
			row->because = row->because2 = -1;
			row->ent = row->nent = 0;
			if (m->kind == LMREC_KIND_POPULAR || o->contrib)
				continue; /* --contributions: below */
			if (m->kind == LMREC_KIND_SASREC) {
				/* the recent items the attention weighed most */
				int64_t att1, att2;
				lmrec_scorer_attended(w->sc[c], r, &att1, &att2);
				row->because = att1 >= 0 ? (int64_t)ch->item_map[att1] : -1;
				row->because2 = att2 >= 0 ? (int64_t)ch->item_map[att2] : -1;
				continue;
			}
			/* the two history items contributing most */
			float best = 0, second = 0;
			for (uint64_t p = pop->hptr[u]; p < pop->hptr[u + 1]; p++) {
				int64_t h = sh->to_model[c][pop->hitem[p]];
				if (h < 0 || (uint32_t)h == mi)
					continue;
				if (ch->from >= 0 && m->xd.domain[h] != (uint64_t)ch->from)
					continue; /* crossdomain: not an item of the query */
				float v = (ch->weighted ? pop->hw[p] : 1.0f) * lmrec_contribution(m, (uint32_t)h, mi);
				if (v > best) {
					second = best;
					row->because2 = row->because;
					best = v;
					row->because = pop->hitem[p];
				} else if (v > second) {
					second = v;
					row->because2 = pop->hitem[p];
				}
			}
		}
		if (o->contrib && m->kind != LMREC_KIND_POPULAR && n > 0)
			contributions(sh, w, c, u, &w->rows[nrows - n], n);
	}
	/* one channel's rows come out of the top-k in the defined order (a
	 * model's indices follow the ids' byte order); several are sorted */
	if (o->nch > 1)
		qsort(w->rows, nrows, sizeof *w->rows, cmp_row);
	struct lmrec_out *out = w->out;
	for (size_t t = 0; t < nrows; t++) {
		const struct out_row *row = &w->rows[t];
		size_t len;
		const char *s;
		lmrec_out_write(out, uid, ulen);
		lmrec_out_tab(out);
		s = lmrec_ids_str(sh->items, row->item, &len);
		lmrec_out_write(out, s, len);
		lmrec_out_tab(out);
		lmrec_out_f32(out, row->score);
		lmrec_out_tab(out);
		lmrec_out_field(out, o->ch[row->channel].name, strlen(o->ch[row->channel].name));
		lmrec_out_tab(out);
		lmrec_out_str(out, lmrec_kind_name(o->ch[row->channel].m->kind));
		lmrec_out_tab(out);
		if (row->because >= 0) {
			s = lmrec_ids_str(sh->items, (uint32_t)row->because, &len);
			lmrec_out_write(out, s, len);
		}
		lmrec_out_tab(out);
		if (row->because2 >= 0) {
			s = lmrec_ids_str(sh->items, (uint32_t)row->because2, &len);
			lmrec_out_write(out, s, len);
		}
		if (o->contrib) {
			lmrec_out_tab(out);
			for (size_t e = 0; e < row->nent; e++) {
				const struct entry *x = &w->ent[row->ent + e];
				if (e)
					lmrec_out_byte(out, ',');
				s = lmrec_ids_str(sh->items, x->item, &len);
				lmrec_explain_put_name(out, s, len);
				lmrec_out_byte(out, ':');
				lmrec_out_f32(out, x->value);
			}
		}
		lmrec_out_eol(out);
	}
	w->users_out += nrows > 0;
	w->rows_out += nrows;
}

/* Task t of a round: the block of users starting at round_begin + t *
 * USER_BLOCK, scored by thread t into its own buffer. */
static void run_block(void *arg, int thread, size_t begin, size_t end)
{
	const struct shared *sh = arg;
	struct worker *w = &sh->w[thread];
	for (size_t t = begin; t < end; t++) {
		size_t b = sh->round_begin + t * USER_BLOCK;
		size_t nb = sh->pop->n - b < USER_BLOCK ? sh->pop->n - b : USER_BLOCK;
		score_channels(sh, w, b, nb);
		for (size_t r = 0; r < nb; r++)
			write_user(sh, w, b, r);
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
	if (o->only) { /* each channel's candidates restricted to these items */
		struct lmrec_tsv *r = lmrec_tsv_open(o->only);
		size_t ci = lmrec_tsv_col(r, "item");
		for (size_t c = 0; c < o->nch; c++)
			o->ch[c].allowed = lmrec_xcalloc(o->ch[c].m->ni + 1, 1);
		while (lmrec_tsv_read(r))
			for (size_t c = 0; c < o->nch; c++) {
				int64_t i = lmrec_ids_find(o->ch[c].m->items, r->f[ci].p, r->f[ci].len);
				if (i >= 0)
					o->ch[c].allowed[i] = 1;
			}
		lmrec_tsv_close(r);
	}
	struct population pop;
	memset(&pop, 0, sizeof pop);
	build_population(o, items, &pop);
	size_t ni_all = lmrec_ids_count(items);
	struct shared sh = {o, &pop, items, NULL, NULL, 0, NULL, NULL};
	sh.to_model = lmrec_xcalloc(o->nch, sizeof *sh.to_model);
	for (size_t c = 0; c < o->nch; c++) {
		sh.to_model[c] = lmrec_xmalloc((ni_all + 1) * sizeof **sh.to_model);
		for (size_t i = 0; i < ni_all; i++)
			sh.to_model[c][i] = -1;
		for (size_t i = 0; i < o->ch[c].m->ni; i++)
			sh.to_model[c][o->ch[c].item_map[i]] = (int64_t)i;
	}
	sh.sorted = lmrec_ids_sorted(items);
	sh.item_order = lmrec_xcalloc(ni_all + 1, sizeof *sh.item_order);
	for (size_t k = 0; k < ni_all; k++)
		sh.item_order[sh.sorted[k]] = (uint32_t)k;

	/* Our threads take blocks of users; BLAS inside each stays on one
	 * core. A round gives each thread one block, written out in order. */
	int threads = o->threads;
	lmrec_blas_threads(threads > 1 ? 1 : threads);
	sh.w = lmrec_xcalloc((size_t)threads, sizeof *sh.w);
	for (int t = 0; t < threads; t++)
		worker_init(&sh.w[t], o);
	struct lmrec_out *out = lmrec_out_open(o->output);
	lmrec_out_str(out, o->contrib ? "user\titem\tscore\tchannel\tkind\tbecause\tbecause2\tcontrib\n"
				      : "user\titem\tscore\tchannel\tkind\tbecause\tbecause2\n");
	size_t per_round = (size_t)threads * USER_BLOCK;
	for (size_t b = 0; b < pop.n; b += per_round) {
		size_t blocks = (pop.n - b + USER_BLOCK - 1) / USER_BLOCK;
		if (blocks > (size_t)threads)
			blocks = (size_t)threads;
		sh.round_begin = b;
		lmrec_par_for(threads, blocks, run_block, &sh);
		for (int t = 0; t < threads; t++) {
			lmrec_out_write(out, sh.w[t].out->buf, sh.w[t].out->len);
			lmrec_out_mem_reset(sh.w[t].out);
		}
	}
	lmrec_out_commit(out);
	size_t users_out = 0, rows_out = 0;
	for (int t = 0; t < threads; t++) {
		users_out += sh.w[t].users_out;
		rows_out += sh.w[t].rows_out;
		worker_free(&sh.w[t], o);
	}
	if (!o->quiet)
		fprintf(stderr, "%s: %zu users, %zu candidates from %zu channel%s\n", lmrec_progname(),
			users_out, rows_out, o->nch, o->nch == 1 ? "" : "s");

	free(sh.w);
	for (size_t c = 0; c < o->nch; c++)
		free(sh.to_model[c]);
	free(sh.to_model);
	free(sh.item_order);
	free(sh.sorted);
	free(pop.order);
	free(pop.hptr);
	free(pop.hitem);
	free(pop.hw);
	lmrec_seqs_free(&pop.seq);
	lmrec_ids_free(pop.users);
	lmrec_ids_free(items);
	return 0;
}

/* The index of domain name in the crossdomain model m, or a usage error. */
static int64_t domain_index(const struct channel *ch, const char *option, const char *name)
{
	const struct lmrec_ids *d = ch->m->domains;
	int64_t i = lmrec_ids_find(d, name, strlen(name));
	if (i >= 0)
		return i;
	/* the model's domains, for the message */
	size_t nd = lmrec_ids_count(d), len = 0, cap = 0;
	char *list = NULL;
	for (size_t j = 0; j < nd; j++) {
		size_t l;
		const char *s = lmrec_ids_str(d, (uint32_t)j, &l);
		LMREC_GROW(list, cap, len + l + 3);
		if (j)
			len += (size_t)sprintf(list + len, ", ");
		memcpy(list + len, s, l);
		len += l;
		list[len] = '\0';
	}
	lmrec_usage_error("invalid value for %s: '%s' is not a domain of %s (%s)", option, name, ch->path,
			  list ? list : "none");
}

/* --from-domain, --to-domain: the domains of each crossdomain channel. */
static void set_domains(struct opts *o)
{
	size_t nxd = 0;
	for (size_t c = 0; c < o->nch; c++) {
		struct channel *ch = &o->ch[c];
		ch->from = ch->to = -1;
		if (ch->m->kind != LMREC_KIND_CROSSDOMAIN)
			continue;
		nxd++;
		if (o->from_domain)
			ch->from = domain_index(ch, "--from-domain", o->from_domain);
		if (o->to_domain)
			ch->to = domain_index(ch, "--to-domain", o->to_domain);
	}
	if ((o->from_domain || o->to_domain) && nxd == 0)
		lmrec_usage_error("--from-domain and --to-domain are options of a crossdomain model; no "
				  "--model-file is one");
	if (o->from_domain && o->to_domain && strcmp(o->from_domain, o->to_domain) == 0)
		lmrec_usage_error("--from-domain and --to-domain are both '%s': the crossdomain channel scores "
				  "one domain from another",
				  o->from_domain);
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
		case OPT_ONLY: o.only = optarg; break;           /* --only */
		case OPT_FROM_DOMAIN: o.from_domain = optarg; break; /* --from-domain */
		case OPT_TO_DOMAIN: o.to_domain = optarg; break;     /* --to-domain */
		case OPT_CONTRIBUTIONS: /* --contributions */
			o.contrib = (size_t)lmrec_opt_u64("--contributions", optarg, 1, 1000);
			break;
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
			o.ch[i].name = lmrec_xstrdup(o.ch[i].m->kind == LMREC_KIND_ALIGN ? "aligned"
										     : lmrec_kind_name(o.ch[i].m->kind));
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
	set_domains(&o);
	int rc = run(&o);
	for (size_t i = 0; i < o.nch; i++) {
		lmrec_recmodel_free(o.ch[i].m);
		free(o.ch[i].name);
		free(o.ch[i].item_map);
		free(o.ch[i].allowed);
	}
	free(o.ch);
	lmrec_close_stdout();
	return rc;
}

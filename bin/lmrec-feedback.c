/* lmrec-feedback — explicit and implicit feedback folded into the next
 * training run (weights) and into per-user deny-lists (not interested, and
 * the near duplicates of what was refused). */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "lmrec.h"

enum signal { S_NOT_INTERESTED, S_SPOT_ON, S_RATING, S_DWELL, S_PURCHASE, S_SKIP, S_COUNT };
static const char *const signal_names[] = {"not_interested", "spot_on", "rating", "dwell", "purchase", "skip"};

struct opts {
	const char *interactions, *output, *blocked, *items, *vectors;
	int64_t until;
	int have_until;
	double f_spot_on, f_purchase, f_skip, rating_mid;
	double dwell_median; /* 0: the median of the stream's pairs */
	double near_jaccard, near_cosine;
	int quiet;
};

/* What the feedback says about one (user, item) pair. */
struct pair {
	uint32_t user, item;
	int explicit_kind;   /* the latest explicit signal (S_*), -1: none */
	int64_t explicit_ts; /* its time */
	double rating;       /* its value when it is a rating */
	int64_t last_ts;     /* the latest feedback row of the pair */
	double dwell;        /* seconds, summed */
	unsigned purchase : 1, skip : 1, has_dwell : 1;
	double factor;       /* the weight factor; 0: blocked */
};

struct state {
	struct lmrec_ids *users, *items, *keys; /* keys: "user\titem" of each pair */
	struct pair *pairs;
	size_t npairs, cap;
	uint64_t rows;
};

static void usage(int status)
{
	if (status != 0) {
		fprintf(stderr, "Try '%s --help' for more information.\n", lmrec_progname());
		exit(status);
	}
	printf("Usage: %s [OPTION]... [FEEDBACK]...\n", lmrec_progname());
	fputs("Fold feedback into the next training run and into per-user deny-lists.\n"
	      "\n"
	      "Reads the feedback stream (user item ts signal value) from the FEEDBACK\n"
	      "files (none or '-': standard input). Signals: not_interested, spot_on,\n"
	      "rating (1 to 5) explicit; dwell (seconds), purchase, skip implicit. For\n"
	      "each (user, item) the latest explicit signal counts; not_interested\n"
	      "blocks the pair, the others and the implicit signals multiply its weight.\n"
	      "\n"
	      "Training weights:\n"
	      "      --interactions FILE  the interactions to re-weight (user item, weight\n"
	      "                           and the rest passed through)\n"
	      "  -o, --output FILE        write them: each row's weight times its pair's\n"
	      "                           factor, blocked pairs dropped, pairs with\n"
	      "                           positive feedback and no row added\n"
	      "      --spot-on F          factor of spot_on (default 2)\n"
	      "      --purchase F         factor of a purchase (default 1.5)\n"
	      "      --skip F             factor of a skip (default 0.5)\n"
	      "      --rating-mid R       a rating r multiplies by r / R (default 3)\n"
	      "      --dwell-median S     dwell d multiplies by sqrt(d / S), within 0.5 to\n"
	      "                           2 (default: S is the median over the pairs)\n"
	      "\n"
	      "Deny-list:\n"
	      "      --blocked FILE       write user item ts reason: the items each user\n"
	      "                           is never to be shown again\n"
	      "      --items FILE         the catalog: near duplicates share the category\n"
	      "                           and attributes (Jaccard >= --near-jaccard)\n"
	      "      --vectors FILE       item vectors: near duplicates by cosine instead\n"
	      "                           (>= --near-cosine; same category with --items)\n"
	      "      --near-jaccard J     default 0.8 (1: identical attributes only)\n"
	      "      --near-cosine C      default 0.95\n"
	      "\n"
	      "Input:\n"
	      "      --until TS           ignore feedback after TS (seconds, or\n"
	      "                           YYYY-MM-DD for the end of that day, UTC)\n"
	      "  -q, --quiet              no summary on standard error\n"
	      "  -h, --help               show this help and exit\n"
	      "  -V, --version            show the version and exit\n"
	      "\n"
	      "Examples:\n"
	      "  lmrec-feedback --interactions train.tsv -o weighted.tsv feedback.tsv\n"
	      "  lmrec-feedback --items items.tsv --blocked blocked.tsv feedback.tsv\n"
	      "\n"
	      "See lmrec-feedback(1).\n",
	      stdout);
	exit(0);
}

enum {
	OPT_INTERACTIONS = CHAR_MAX + 1,
	OPT_SPOT_ON,
	OPT_PURCHASE,
	OPT_SKIP,
	OPT_RATING_MID,
	OPT_DWELL_MEDIAN,
	OPT_BLOCKED,
	OPT_ITEMS,
	OPT_VECTORS,
	OPT_NEAR_JACCARD,
	OPT_NEAR_COSINE,
	OPT_UNTIL
};

static const struct option long_options[] = {
	{"interactions", required_argument, NULL, OPT_INTERACTIONS},
	{"output", required_argument, NULL, 'o'},
	{"spot-on", required_argument, NULL, OPT_SPOT_ON},
	{"purchase", required_argument, NULL, OPT_PURCHASE},
	{"skip", required_argument, NULL, OPT_SKIP},
	{"rating-mid", required_argument, NULL, OPT_RATING_MID},
	{"dwell-median", required_argument, NULL, OPT_DWELL_MEDIAN},
	{"blocked", required_argument, NULL, OPT_BLOCKED},
	{"items", required_argument, NULL, OPT_ITEMS},
	{"vectors", required_argument, NULL, OPT_VECTORS},
	{"near-jaccard", required_argument, NULL, OPT_NEAR_JACCARD},
	{"near-cosine", required_argument, NULL, OPT_NEAR_COSINE},
	{"until", required_argument, NULL, OPT_UNTIL},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

/* --until: seconds, or a date meaning the last second of that day (UTC). */
static int64_t parse_until(const char *arg)
{
	int64_t ts;
	if (lmrec_parse_i64(arg, strlen(arg), &ts) == 0)
		return ts;
	if (lmrec_datetime_parse("%Y-%m-%d", arg, strlen(arg), &ts) == 0)
		return ts + 86399;
	fprintf(stderr, "%s: --until: '%s' is neither seconds nor YYYY-MM-DD\n", lmrec_progname(), arg);
	usage(LMREC_EXIT_USAGE);
	return 0;
}

/* An empty field or "1": the flag-like signals' only values. */
static void check_flag_value(const struct lmrec_tsv *r, size_t col, const char *signal)
{
	struct lmrec_field v = lmrec_tsv_field(r, col);
	if (v.len == 0 || (v.len == 1 && v.p[0] == '1'))
		return;
	lmrec_tsv_die(r, col, "'%.*s' is not empty or 1 for %s", (int)v.len, v.p, signal);
}

static struct pair *pair_of(struct state *st, const struct lmrec_field *u, const struct lmrec_field *it)
{
	size_t klen = u->len + 1 + it->len;
	char *key = lmrec_xmalloc(klen);
	memcpy(key, u->p, u->len);
	key[u->len] = '\t';
	memcpy(key + u->len + 1, it->p, it->len);
	uint32_t k = lmrec_ids_intern(st->keys, key, klen);
	free(key);
	if (k < st->npairs)
		return &st->pairs[k];
	lmrec_grow((void **)&st->pairs, &st->cap, st->npairs + 1, sizeof *st->pairs);
	struct pair *p = &st->pairs[st->npairs++];
	memset(p, 0, sizeof *p);
	p->user = lmrec_ids_intern(st->users, u->p, u->len);
	p->item = lmrec_ids_intern(st->items, it->p, it->len);
	p->explicit_kind = -1;
	p->last_ts = INT64_MIN;
	p->explicit_ts = INT64_MIN;
	return p;
}

static void read_feedback(struct state *st, const char *path, const struct opts *o)
{
	struct lmrec_tsv *r = lmrec_tsv_open(path);
	size_t cu = lmrec_tsv_col(r, "user"), ci = lmrec_tsv_col(r, "item"), ct = lmrec_tsv_col(r, "ts");
	size_t cs = lmrec_tsv_col(r, "signal"), cv = lmrec_tsv_col(r, "value");
	while (lmrec_tsv_read(r)) {
		struct lmrec_field u = lmrec_tsv_field(r, cu), it = lmrec_tsv_field(r, ci);
		struct lmrec_field s = lmrec_tsv_field(r, cs), v = lmrec_tsv_field(r, cv);
		if (u.len == 0)
			lmrec_tsv_die(r, cu, "empty user id");
		if (it.len == 0)
			lmrec_tsv_die(r, ci, "empty item id");
		int64_t ts = lmrec_tsv_i64(r, ct);
		int sig = -1;
		for (int k = 0; k < S_COUNT; k++)
			if (s.len == strlen(signal_names[k]) && memcmp(s.p, signal_names[k], s.len) == 0)
				sig = k;
		if (sig < 0)
			lmrec_tsv_die(r, cs,
				      "'%.*s' is not a signal (not_interested, spot_on, rating, dwell, purchase, skip)",
				      (int)s.len, s.p);
		double val = 0;
		switch (sig) {
		case S_NOT_INTERESTED:
		case S_SPOT_ON:
		case S_SKIP: check_flag_value(r, cv, signal_names[sig]); break;
		case S_RATING:
			val = lmrec_tsv_f64(r, cv);
			if (val < 1 || val > 5)
				lmrec_tsv_die(r, cv, "rating %.*s is not within 1 to 5", (int)v.len, v.p);
			break;
		case S_DWELL:
			val = lmrec_tsv_f64(r, cv);
			if (!(val > 0))
				lmrec_tsv_die(r, cv, "dwell %.*s is not a positive number of seconds", (int)v.len, v.p);
			break;
		default: /* S_PURCHASE: empty or a quantity */
			if (v.len > 0 && (lmrec_tsv_i64(r, cv) < 1))
				lmrec_tsv_die(r, cv, "purchase quantity %.*s is not a positive integer", (int)v.len,
					      v.p);
			break;
		}
		st->rows++;
		if (o->have_until && ts > o->until)
			continue;
		struct pair *p = pair_of(st, &u, &it);
		if (ts >= p->last_ts)
			p->last_ts = ts;
		switch (sig) {
		case S_NOT_INTERESTED:
		case S_SPOT_ON:
		case S_RATING:
			/* the latest explicit word counts; a tie goes to the later row */
			if (ts >= p->explicit_ts) {
				p->explicit_kind = sig;
				p->explicit_ts = ts;
				p->rating = val;
			}
			break;
		case S_DWELL:
			p->dwell += val;
			p->has_dwell = 1;
			break;
		case S_PURCHASE: p->purchase = 1; break;
		default: p->skip = 1; break;
		}
	}
	lmrec_tsv_close(r);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The pairs' factors; returns the dwell median used. */
static double set_factors(struct state *st, const struct opts *o)
{
	double median = o->dwell_median;
	if (median <= 0) {
		size_t n = 0;
		double *d = lmrec_xmalloc((st->npairs + 1) * sizeof *d);
		for (size_t k = 0; k < st->npairs; k++)
			if (st->pairs[k].has_dwell)
				d[n++] = st->pairs[k].dwell;
		if (n > 0) {
			qsort(d, n, sizeof *d, cmp_double);
			median = n % 2 ? d[n / 2] : (d[n / 2 - 1] + d[n / 2]) / 2;
		}
		free(d);
	}
	for (size_t k = 0; k < st->npairs; k++) {
		struct pair *p = &st->pairs[k];
		if (p->explicit_kind == S_NOT_INTERESTED) {
			p->factor = 0;
			continue;
		}
		double f = 1;
		if (p->explicit_kind == S_SPOT_ON)
			f *= o->f_spot_on;
		else if (p->explicit_kind == S_RATING)
			f *= p->rating / o->rating_mid;
		if (p->purchase)
			f *= o->f_purchase;
		if (p->skip)
			f *= o->f_skip;
		if (p->has_dwell && median > 0) {
			double g = sqrt(p->dwell / median);
			f *= g < 0.5 ? 0.5 : g > 2 ? 2 : g;
		}
		p->factor = f;
	}
	return median;
}

/* A pair gets a row of its own when nothing in the interactions has it and
 * the feedback is positive: spot_on, a rating above the middle, a purchase. */
static int adds_row(const struct pair *p, const struct opts *o)
{
	if (p->factor == 0)
		return 0;
	return p->explicit_kind == S_SPOT_ON || (p->explicit_kind == S_RATING && p->rating > o->rating_mid) ||
	       p->purchase;
}

struct counts {
	uint64_t in, kept, reweighted, dropped, added;
};

static int cmp_added(const void *a, const void *b, void *ctx)
{
	const struct state *st = ctx;
	const struct pair *x = &st->pairs[*(const uint32_t *)a], *y = &st->pairs[*(const uint32_t *)b];
	if (x->last_ts != y->last_ts)
		return x->last_ts < y->last_ts ? -1 : 1;
	int c = lmrec_ids_cmp(st->users, x->user, y->user);
	return c ? c : lmrec_ids_cmp(st->items, x->item, y->item);
}

/* A stable merge sort of indices with a context (qsort_r is not C17). */
static void sort_ctx(uint32_t *a, size_t n, int (*cmp)(const void *, const void *, void *), void *ctx)
{
	if (n < 2)
		return;
	uint32_t *tmp = lmrec_xmalloc(n * sizeof *tmp);
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				tmp[k++] = cmp(&a[j], &a[i], ctx) < 0 ? a[j++] : a[i++];
			while (i < mid)
				tmp[k++] = a[i++];
			while (j < hi)
				tmp[k++] = a[j++];
		}
		memcpy(a, tmp, n * sizeof *a);
	}
	free(tmp);
}

static void write_weighted(struct state *st, const struct opts *o, struct counts *c)
{
	struct lmrec_tsv *r = lmrec_tsv_open(o->interactions);
	size_t cu = lmrec_tsv_col(r, "user"), ci = lmrec_tsv_col(r, "item");
	long cw = lmrec_tsv_col_opt(r, "weight"), ct = lmrec_tsv_col_opt(r, "ts"), ce = lmrec_tsv_col_opt(r, "event");
	struct lmrec_out *out = lmrec_out_open(o->output);
	for (size_t k = 0; k < r->ncols; k++) {
		if (k)
			lmrec_out_tab(out);
		lmrec_out_str(out, r->cols[k]);
	}
	if (cw < 0)
		lmrec_out_str(out, "\tweight");
	lmrec_out_eol(out);
	unsigned char *has_row = lmrec_xcalloc(st->npairs + 1, 1);
	char *key = NULL;
	size_t keycap = 0;
	while (lmrec_tsv_read(r)) {
		c->in++;
		struct lmrec_field u = lmrec_tsv_field(r, cu), it = lmrec_tsv_field(r, ci);
		lmrec_grow((void **)&key, &keycap, u.len + 1 + it.len, 1);
		memcpy(key, u.p, u.len);
		key[u.len] = '\t';
		memcpy(key + u.len + 1, it.p, it.len);
		int64_t k = lmrec_ids_find(st->keys, key, u.len + 1 + it.len);
		double f = 1;
		if (k >= 0) {
			has_row[k] = 1;
			f = st->pairs[k].factor;
			if (f == 0) {
				c->dropped++;
				continue;
			}
			c->reweighted++;
		}
		c->kept++;
		for (size_t j = 0; j < r->nf; j++) {
			if (j)
				lmrec_out_tab(out);
			if ((long)j == cw && k >= 0) {
				struct lmrec_field w = lmrec_tsv_field(r, j);
				double base = w.len ? lmrec_tsv_f64(r, j) : 1;
				lmrec_out_f32(out, (float)(base * f));
			} else {
				lmrec_out_write(out, r->f[j].p, r->f[j].len);
			}
		}
		if (cw < 0) {
			lmrec_out_tab(out);
			lmrec_out_f32(out, (float)f);
		}
		lmrec_out_eol(out);
	}
	free(key);
	/* the pairs that only the feedback knows, in time order */
	uint32_t *add = lmrec_xmalloc((st->npairs + 1) * sizeof *add);
	size_t nadd = 0;
	for (size_t k = 0; k < st->npairs; k++)
		if (!has_row[k] && adds_row(&st->pairs[k], o))
			add[nadd++] = (uint32_t)k;
	sort_ctx(add, nadd, cmp_added, st);
	for (size_t a = 0; a < nadd; a++) {
		const struct pair *p = &st->pairs[add[a]];
		size_t len;
		for (size_t j = 0; j < r->ncols; j++) {
			if (j)
				lmrec_out_tab(out);
			const char *s;
			if (j == cu) {
				s = lmrec_ids_str(st->users, p->user, &len);
				lmrec_out_write(out, s, len);
			} else if (j == ci) {
				s = lmrec_ids_str(st->items, p->item, &len);
				lmrec_out_write(out, s, len);
			} else if ((long)j == ct) {
				lmrec_out_i64(out, p->last_ts);
			} else if ((long)j == cw) {
				lmrec_out_f32(out, (float)p->factor);
			} else if ((long)j == ce) {
				lmrec_out_str(out, "feedback");
			}
		}
		if (cw < 0) {
			lmrec_out_tab(out);
			lmrec_out_f32(out, (float)p->factor);
		}
		lmrec_out_eol(out);
	}
	c->added = nadd;
	free(add);
	free(has_row);
	lmrec_tsv_close(r);
	lmrec_out_commit(out);
}

/* One row of the deny-list. */
struct block {
	uint32_t user, item; /* item: in st->items */
	int64_t ts;
	int64_t source;      /* -1: refused itself; else the refused item (st->items) */
	double sim;
};

static int cmp_block(const struct block *x, const struct block *y, const struct state *st)
{
	int c = lmrec_ids_cmp(st->users, x->user, y->user);
	if (c)
		return c;
	c = lmrec_ids_cmp(st->items, x->item, y->item);
	if (c)
		return c;
	/* the refusal itself first, then the most similar source, then its id */
	if ((x->source < 0) != (y->source < 0))
		return x->source < 0 ? -1 : 1;
	if (x->sim != y->sim)
		return x->sim > y->sim ? -1 : 1;
	if (x->source >= 0 && y->source >= 0)
		return lmrec_ids_cmp(st->items, (uint32_t)x->source, (uint32_t)y->source);
	return 0;
}

/* The blocks and their state, for sort_ctx (which sorts indices). */
struct block_sort {
	const struct state *st;
	const struct block *b;
};

static int cmp_block_idx(const void *a, const void *b, void *ctx)
{
	const struct block_sort *s = ctx;
	return cmp_block(&s->b[*(const uint32_t *)a], &s->b[*(const uint32_t *)b], s->st);
}

struct near {
	struct lmrec_catalog cat;
	int have_cat;
	struct lmrec_vectors vec;
	int have_vec;
	uint32_t **by_cat; /* (categories) the catalog items of each category */
	size_t *ncat;
};

static void write_blocked(struct state *st, const struct opts *o, struct near *nr, uint64_t *nblocked,
			  uint64_t *nnear)
{
	struct block *b = NULL;
	size_t nb = 0, cap = 0;
	for (size_t k = 0; k < st->npairs; k++) {
		const struct pair *p = &st->pairs[k];
		if (p->factor != 0)
			continue;
		lmrec_grow((void **)&b, &cap, nb + 1, sizeof *b);
		b[nb++] = (struct block){p->user, p->item, p->explicit_ts, -1, 1};
		(*nblocked)++;
		size_t len;
		const char *id = lmrec_ids_str(st->items, p->item, &len);
		int64_t ci = nr->have_cat ? lmrec_catalog_find(&nr->cat, id, len) : -1;
		const float *v = nr->have_vec ? lmrec_vectors_find(&nr->vec, id, len) : NULL;
		if (nr->have_cat && ci < 0)
			continue; /* unknown to the catalog: no duplicates can be named */
		if (nr->have_vec && !v)
			continue;
		/* the candidates: the item's category with a catalog, else every vector */
		size_t ncand;
		const uint32_t *cand = NULL;
		int32_t cat = ci >= 0 ? nr->cat.category[ci] : -1;
		if (nr->have_cat) {
			if (cat < 0)
				continue;
			cand = nr->by_cat[cat];
			ncand = nr->ncat[cat];
		} else if (nr->have_vec) {
			ncand = nr->vec.n;
		} else {
			continue;
		}
		for (size_t j = 0; j < ncand; j++) {
			uint32_t other = cand ? cand[j] : (uint32_t)j;
			const char *oid;
			size_t olen;
			double sim;
			if (nr->have_vec) {
				oid = cand ? lmrec_ids_str(nr->cat.items, other, &olen) : lmrec_ids_str(nr->vec.ids, other, &olen);
				const float *w = lmrec_vectors_find(&nr->vec, oid, olen);
				if (!w)
					continue;
				sim = lmrec_cosine(v, w, nr->vec.dim);
				if (sim < o->near_cosine)
					continue;
			} else {
				oid = lmrec_ids_str(nr->cat.items, other, &olen);
				sim = lmrec_catalog_jaccard(&nr->cat, (uint32_t)ci, other);
				if (sim < o->near_jaccard)
					continue;
			}
			if (olen == len && memcmp(oid, id, len) == 0)
				continue;
			lmrec_grow((void **)&b, &cap, nb + 1, sizeof *b);
			b[nb++] = (struct block){p->user, lmrec_ids_intern(st->items, oid, olen), p->explicit_ts,
						 p->item, sim};
		}
	}
	uint32_t *idx = lmrec_xmalloc((nb + 1) * sizeof *idx);
	for (size_t k = 0; k < nb; k++)
		idx[k] = (uint32_t)k;
	struct block_sort bs = {st, b};
	sort_ctx(idx, nb, cmp_block_idx, &bs);
	struct lmrec_out *out = lmrec_out_open(o->blocked);
	lmrec_out_str(out, "user\titem\tts\treason\n");
	for (size_t k = 0; k < nb; k++) {
		const struct block *x = &b[idx[k]];
		if (k > 0) {
			const struct block *prev = &b[idx[k - 1]];
			if (prev->user == x->user && prev->item == x->item)
				continue; /* the first is the refusal or the closest source */
		}
		size_t len;
		const char *s = lmrec_ids_str(st->users, x->user, &len);
		lmrec_out_write(out, s, len);
		lmrec_out_tab(out);
		s = lmrec_ids_str(st->items, x->item, &len);
		lmrec_out_write(out, s, len);
		lmrec_out_tab(out);
		lmrec_out_i64(out, x->ts);
		lmrec_out_tab(out);
		if (x->source < 0) {
			lmrec_out_str(out, "not interested");
		} else {
			(*nnear)++;
			lmrec_out_str(out, "near duplicate of ");
			s = lmrec_ids_str(st->items, (uint32_t)x->source, &len);
			lmrec_out_write(out, s, len);
			lmrec_out_printf(out, " (%s %.2f)", nr->have_vec ? "cosine" : "jaccard", x->sim);
		}
		lmrec_out_eol(out);
	}
	lmrec_out_commit(out);
	free(idx);
	free(b);
}

static void load_near(struct near *nr, const struct opts *o)
{
	memset(nr, 0, sizeof *nr);
	if (o->items) {
		lmrec_catalog_load(&nr->cat, o->items);
		nr->have_cat = 1;
		size_t nc = lmrec_ids_count(nr->cat.categories);
		nr->by_cat = lmrec_xcalloc(nc + 1, sizeof *nr->by_cat);
		nr->ncat = lmrec_xcalloc(nc + 1, sizeof *nr->ncat);
		for (size_t i = 0; i < nr->cat.n; i++)
			if (nr->cat.category[i] >= 0)
				nr->ncat[nr->cat.category[i]]++;
		for (size_t c = 0; c < nc; c++) {
			nr->by_cat[c] = lmrec_xmalloc((nr->ncat[c] + 1) * sizeof **nr->by_cat);
			nr->ncat[c] = 0;
		}
		for (size_t i = 0; i < nr->cat.n; i++) {
			int32_t c = nr->cat.category[i];
			if (c >= 0)
				nr->by_cat[c][nr->ncat[c]++] = (uint32_t)i;
		}
	}
	if (o->vectors) {
		lmrec_vectors_read(&nr->vec, o->vectors, "item");
		nr->have_vec = 1;
	}
}

static void free_near(struct near *nr)
{
	if (nr->have_cat) {
		size_t nc = lmrec_ids_count(nr->cat.categories);
		for (size_t c = 0; c < nc; c++)
			free(nr->by_cat[c]);
		free(nr->by_cat);
		free(nr->ncat);
		lmrec_catalog_free(&nr->cat);
	}
	if (nr->have_vec)
		lmrec_vectors_free(&nr->vec);
}

int main(int argc, char **argv)
{
	lmrec_setprogname(argv[0]);
	struct opts o = {.f_spot_on = 2, .f_purchase = 1.5, .f_skip = 0.5, .rating_mid = 3,
			 .near_jaccard = 0.8, .near_cosine = 0.95};
	int c;
	while ((c = getopt_long(argc, argv, "o:qhV", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_INTERACTIONS: o.interactions = optarg; break;
		case 'o': o.output = optarg; break;
		case OPT_SPOT_ON: o.f_spot_on = lmrec_opt_double("--spot-on", optarg, 0, 1e6); break;
		case OPT_PURCHASE: o.f_purchase = lmrec_opt_double("--purchase", optarg, 0, 1e6); break;
		case OPT_SKIP: o.f_skip = lmrec_opt_double("--skip", optarg, 0, 1e6); break;
		case OPT_RATING_MID: o.rating_mid = lmrec_opt_double("--rating-mid", optarg, 1, 5); break;
		case OPT_DWELL_MEDIAN: o.dwell_median = lmrec_opt_double("--dwell-median", optarg, 1e-9, 1e12); break;
		case OPT_BLOCKED: o.blocked = optarg; break;
		case OPT_ITEMS: o.items = optarg; break;
		case OPT_VECTORS: o.vectors = optarg; break;
		case OPT_NEAR_JACCARD: o.near_jaccard = lmrec_opt_double("--near-jaccard", optarg, 0, 1); break;
		case OPT_NEAR_COSINE: o.near_cosine = lmrec_opt_double("--near-cosine", optarg, -1, 1); break;
		case OPT_UNTIL:
			o.until = parse_until(optarg);
			o.have_until = 1;
			break;
		case 'q': o.quiet = 1; break;
		case 'h': usage(0); break;
		case 'V': lmrec_print_version(); lmrec_close_stdout(); return 0;
		default: usage(LMREC_EXIT_USAGE);
		}
	}
	if (o.output && !o.interactions) {
		fprintf(stderr, "%s: -o needs --interactions (the rows to re-weight)\n", lmrec_progname());
		usage(LMREC_EXIT_USAGE);
	}
	if (o.interactions && !o.output) {
		fprintf(stderr, "%s: --interactions needs -o (where the re-weighted rows go)\n", lmrec_progname());
		usage(LMREC_EXIT_USAGE);
	}
	if (!o.output && !o.blocked) {
		fprintf(stderr, "%s: nothing to write: give -o with --interactions, or --blocked\n", lmrec_progname());
		usage(LMREC_EXIT_USAGE);
	}
	if ((o.items || o.vectors) && !o.blocked) {
		fprintf(stderr, "%s: --items and --vectors find near duplicates for --blocked\n", lmrec_progname());
		usage(LMREC_EXIT_USAGE);
	}

	struct state st = {lmrec_ids_new(), lmrec_ids_new(), lmrec_ids_new(), NULL, 0, 0, 0};
	if (optind >= argc)
		read_feedback(&st, "-", &o);
	for (int k = optind; k < argc; k++)
		read_feedback(&st, argv[k], &o);
	double median = set_factors(&st, &o);

	struct counts cnt = {0};
	if (o.output)
		write_weighted(&st, &o, &cnt);
	uint64_t nblocked = 0, nnear = 0;
	if (o.blocked) {
		struct near nr;
		load_near(&nr, &o);
		write_blocked(&st, &o, &nr, &nblocked, &nnear);
		free_near(&nr);
	}
	if (!o.quiet) {
		fprintf(stderr, "%s: %llu feedback rows, %zu pairs of %zu users", lmrec_progname(),
			(unsigned long long)st.rows, st.npairs, lmrec_ids_count(st.users));
		if (median > 0)
			fprintf(stderr, "; dwell median %.6g s", median);
		if (o.output)
			fprintf(stderr, "; %llu of %llu rows kept (%llu re-weighted, %llu dropped), %llu added",
				(unsigned long long)cnt.kept, (unsigned long long)cnt.in,
				(unsigned long long)cnt.reweighted, (unsigned long long)cnt.dropped,
				(unsigned long long)cnt.added);
		if (o.blocked)
			fprintf(stderr, "; %llu items refused, %llu near duplicates blocked",
				(unsigned long long)nblocked, (unsigned long long)nnear);
		fputc('\n', stderr);
	}
	free(st.pairs);
	lmrec_ids_free(st.users);
	lmrec_ids_free(st.items);
	lmrec_ids_free(st.keys);
	lmrec_close_stdout();
	return 0;
}

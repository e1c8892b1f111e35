/* lmrec-profile — keep the long-term memory: the profile store of every user. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lmrec.h"
#include "catalog.h"
#include "profile.h"

enum mode { M_NONE, M_UPDATE, M_SHOW, M_CHECK, M_COMPACT, M_FORGET };

struct opts {
	enum mode mode;
	const char *store, *items, *feedback, *forget, *output;
	int64_t date;     /* start of --date, UTC; -1 when not given */
	double half_life; /* 0: not given (30 for a new store) */
	double prune;
	double wait; /* seconds to wait for the store's lock */
	int quiet;
};

/* The log may grow to this many times the snapshot (and at least
 * LOG_MIN bytes) before an update compacts the store. */
#define LOG_RATIO 1.0
#define LOG_MIN ((uint64_t)64 * 1024)
#define DEFAULT_HALF_LIFE 30.0

static void usage(int status)
{
	if (status != 0) {
		fprintf(stderr, "Try '%s --help' for more information.\n", lmrec_progname());
		exit(status);
	}
	printf("Usage: %s --store FILE MODE [OPTION]... [FILE]...\n", lmrec_progname());
	fputs("Keep the profile store: each user's long-term memory of categories,\n"
	      "attributes, domains, habits and blocked items, with time decay.\n"
	      "\n"
	      "Modes (one):\n"
	      "      --update             fold the interactions FILEs (none or '-': standard\n"
	      "                           input; columns user, item, ts, optional weight and\n"
	      "                           event) and --feedback into the store, up to the end\n"
	      "                           of --date; needs --items and --date\n"
	      "      --show               the store as a stream: user kind key weight ts,\n"
	      "                           weights decayed to the end of --date (default: the\n"
	      "                           last update's time)\n"
	      "      --check              verify the store; print its figures as field value\n"
	      "      --compact            rewrite the store as one snapshot\n"
	      "      --forget FILE        remove the users of FILE (column user) for good\n"
	      "\n"
	      "Options:\n"
	      "      --store FILE         the profile store (made by the first --update)\n"
	      "      --items FILE         the catalog: item, category, attrs, domain\n"
	      "      --feedback FILE      a feedback stream: user item ts signal value\n"
	      "      --date YYYY-MM-DD    the night's date (UTC): rows up to its end are folded\n"
	      "      --half-life DAYS     weights halve every DAYS days (a new store;\n"
	      "                           default 30; --compact may change it)\n"
	      "      --prune W            drop entries lighter than W in magnitude (default\n"
	      "                           0.01; blocked items are never dropped)\n"
	      "      --wait SECONDS       --update, --compact, --forget: wait up to SECONDS\n"
	      "                           for another writer's lock (default 0: exit 75)\n"
	      "  -o, --output FILE        --show, --check: write to FILE (default: stdout)\n"
	      "  -q, --quiet              no summary on standard error\n"
	      "  -h, --help               show this help and exit\n"
	      "  -V, --version            show the version and exit\n"
	      "\n"
	      "Rows at or before the store's last folded time are skipped, so running the\n"
	      "same night twice counts nothing twice. A corrupt store exits 65.\n"
	      "\n"
	      "Examples:\n"
	      "  lmrec-profile --store profile.lmp --update --items items.tsv \\\n"
	      "      --date 2026-11-26 --feedback feedback.tsv interactions.tsv.gz\n"
	      "  lmrec-profile --store profile.lmp --show --date 2026-11-27 > profiles.tsv\n"
	      "\n"
	      "See lmrec-profile(1) and lmrec-profile(5).\n",
	      stdout);
	exit(0);
}

enum {
	OPT_UPDATE = CHAR_MAX + 1,
	OPT_SHOW,
	OPT_CHECK,
	OPT_COMPACT,
	OPT_FORGET,
	OPT_STORE,
	OPT_ITEMS,
	OPT_FEEDBACK,
	OPT_DATE,
	OPT_HALF_LIFE,
	OPT_PRUNE,
	OPT_WAIT
};

static const struct option long_options[] = {
	{"update", no_argument, NULL, OPT_UPDATE},
	{"show", no_argument, NULL, OPT_SHOW},
	{"check", no_argument, NULL, OPT_CHECK},
	{"compact", no_argument, NULL, OPT_COMPACT},
	{"forget", required_argument, NULL, OPT_FORGET},
	{"store", required_argument, NULL, OPT_STORE},
	{"items", required_argument, NULL, OPT_ITEMS},
	{"feedback", required_argument, NULL, OPT_FEEDBACK},
	{"date", required_argument, NULL, OPT_DATE},
	{"half-life", required_argument, NULL, OPT_HALF_LIFE},
	{"prune", required_argument, NULL, OPT_PRUNE},
	{"wait", required_argument, NULL, OPT_WAIT},
	{"output", required_argument, NULL, 'o'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

static void set_mode(struct opts *o, enum mode m, const char *name)
{
	if (o->mode != M_NONE && o->mode != m)
		lmrec_usage_error("--%s: only one of --update, --show, --check, --compact and "
				  "--forget", name);
	o->mode = m;
}

/* The test hook of lmrec-profile(1)'s ENVIRONMENT: the writers raise
 * SIGKILL after LMREC_PROFILE_CRASH_AFTER bytes. */
static void crash_hook(struct lmrec_profile *p)
{
	const char *crash = getenv("LMREC_PROFILE_CRASH_AFTER");
	uint64_t n = 0;
	if (crash && *crash && lmrec_parse_u64(crash, strlen(crash), &n) != 0)
		lmrec_die(LMREC_EXIT_USAGE, "LMREC_PROFILE_CRASH_AFTER: '%s' is not a count", crash);
	p->crash_after = n;
}

/* Reads the store; NULL when it does not exist and may_be_new. */
static struct lmrec_profile *load(const char *path, int may_be_new)
{
	char err[1024];
	struct lmrec_profile *p;
	int rc = lmrec_profile_read(path, &p, err, sizeof err);
	if (rc == -1)
		lmrec_die(LMREC_EXIT_DATA, "%s", err);
	if (rc == -2) {
		if (may_be_new && errno == ENOENT)
			return NULL;
		lmrec_die(LMREC_EXIT_FAIL, "%s", err);
	}
	crash_hook(p);
	return p;
}

/* ---- update ---- */

struct fold {
	const struct opts *o;
	struct lmrec_profile *p;
	const struct lmrec_catalog *c;
	int64_t end; /* rows with ts < end are folded */
	char *key;   /* scratch for keys */
	size_t keycap;
	size_t rows, folded, late, future, unknown;
};

static const char *set_key(struct fold *f, const char *fmt, ...) LMREC_PRINTF(2, 3);
static const char *set_key(struct fold *f, const char *fmt, ...)
{
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(f->key, f->keycap, fmt, ap);
		va_end(ap);
		if (n < 0)
			lmrec_die(LMREC_EXIT_FAIL, "key formatting failed");
		if ((size_t)n < f->keycap)
			return f->key;
		LMREC_GROW(f->key, f->keycap, (size_t)n + 1);
	}
}

/* 1 when ts (UTC) falls on a Saturday or a Sunday. */
static int weekend(int64_t ts)
{
	int64_t day = ts >= 0 ? ts / 86400 : -((-ts + 86399) / 86400);
	int64_t wd = ((day % 7) + 7 + 4) % 7; /* 1970-01-01 was a Thursday: 0 = Sunday */
	return wd == 0 || wd == 6;
}

/* Folds one event of value v on item row r at ts into user u. */
static void fold_item(struct fold *f, uint32_t u, int64_t r, int64_t ts, double v, int block,
		      const char *item, size_t ilen)
{
	struct lmrec_profile *p = f->p;
	if (block)
		lmrec_profile_add(p, u, LMREC_PK_BLOCKED, item, ilen, ts, 1);
	if (r < 0) {
		f->unknown++;
		return;
	}
	const struct lmrec_catalog *c = f->c;
	size_t len;
	const char *dom = NULL;
	size_t dlen = 0;
	if (c->domain[r] >= 0)
		dom = lmrec_ids_str(c->domains, (uint32_t)c->domain[r], &dlen);
	if (v == 0)
		return;
	if (c->category[r] >= 0) {
		const char *cat = lmrec_ids_str(c->categories, (uint32_t)c->category[r], &len);
		lmrec_profile_add(p, u, LMREC_PK_CATEGORY, cat, len, ts, v);
	}
	if (dom)
		lmrec_profile_add(p, u, LMREC_PK_DOMAIN, dom, dlen, ts, v);
	const char *when = weekend(ts) ? "weekend" : "weekday";
	if (v > 0) {
		const char *k = dom ? set_key(f, "%s:%.*s", when, (int)dlen, dom) : when;
		lmrec_profile_add(p, u, LMREC_PK_HABIT, k, strlen(k), ts, 1);
	}
	for (uint64_t a = c->aptr[r]; a < c->aptr[r + 1]; a++) {
		size_t kl, vl;
		const char *ks = lmrec_ids_str(c->keys, c->akey[a], &kl);
		const char *vs = lmrec_ids_str(c->values, c->aval[a], &vl);
		const char *k = set_key(f, "%.*s=%.*s", (int)kl, ks, (int)vl, vs);
		lmrec_profile_add(p, u, LMREC_PK_ATTR, k, strlen(k), ts, v);
		if (v > 0) {
			k = dom ? set_key(f, "%s:%.*s:%.*s=%.*s", when, (int)dlen, dom, (int)kl, ks,
					  (int)vl, vs)
				: set_key(f, "%s:%.*s=%.*s", when, (int)kl, ks, (int)vl, vs);
			lmrec_profile_add(p, u, LMREC_PK_HABIT, k, strlen(k), ts, 1);
		}
	}
}

/* What an interaction is worth: see lmrec-profile(1), WEIGHTS. */
static double event_value(const struct lmrec_tsv *r, long cev, long cw, int *block)
{
	*block = 0;
	struct lmrec_field ev = {"", 0};
	if (cev >= 0)
		ev = lmrec_tsv_field(r, (size_t)cev);
	double w = 1;
	int has_w = cw >= 0 && lmrec_tsv_field(r, (size_t)cw).len > 0;
	if (has_w)
		w = lmrec_tsv_f64(r, (size_t)cw);
#define IS(s) (ev.len == sizeof(s) - 1 && memcmp(ev.p, s, ev.len) == 0)
	if (IS("purchase"))
		return 4;
	if (IS("cart"))
		return 2;
	if (IS("click") || IS("visit"))
		return 1;
	if (IS("view"))
		return 0.5;
	if (IS("watch"))
		return has_w ? w : 1;
	if (IS("not_interested")) {
		*block = 1;
		return -4;
	}
	if (IS("rating")) {
		if (!has_w || w < 0.5 || w > 5) /* MovieLens's half stars start at 0.5 */
			lmrec_tsv_die(r, (size_t)cw, "a rating must be from 0.5 to 5");
		return w - 3;
	}
#undef IS
	return 1;
}

/* One row of interactions or feedback, of value v at time ts: counted as
 * future (after --date), late (folded already, at or before from) or
 * folded into the user's entries, *mark moving to the newest time folded. */
static void fold_row(struct fold *f, int64_t from, int64_t *mark, struct lmrec_field user,
		     struct lmrec_field item, int64_t ts, double v, int block)
{
	if (ts >= f->end) {
		f->future++;
		return;
	}
	if (ts <= from) {
		f->late++;
		return;
	}
	uint32_t u = lmrec_profile_user(f->p, user.p, user.len);
	fold_item(f, u, lmrec_catalog_find(f->c, item.p, item.len), ts, v, block, item.p, item.len);
	f->folded++;
	if (ts > *mark)
		*mark = ts;
}

static void fold_interactions(struct fold *f, const char *path, int64_t *mark)
{
	struct lmrec_tsv *r = lmrec_tsv_open(path);
	size_t cu = lmrec_tsv_col(r, "user"), ci = lmrec_tsv_col(r, "item"),
	       ct = lmrec_tsv_col(r, "ts");
	long cw = lmrec_tsv_col_opt(r, "weight"), cev = lmrec_tsv_col_opt(r, "event");
	int64_t from = f->p->inter_mark;
	while (lmrec_tsv_read(r)) {
		f->rows++;
		int64_t ts = lmrec_tsv_i64(r, ct);
		struct lmrec_field user = lmrec_tsv_field(r, cu), item = lmrec_tsv_field(r, ci);
		if (user.len == 0)
			lmrec_tsv_die(r, cu, "empty user id");
		if (item.len == 0)
			lmrec_tsv_die(r, ci, "empty item id");
		int block;
		double v = event_value(r, cev, cw, &block);
		fold_row(f, from, mark, user, item, ts, v, block);
	}
	lmrec_tsv_close(r);
}

static const char *const signals[] = {"not_interested", "spot_on", "rating",
				      "dwell",          "purchase", "skip"};

static void fold_feedback(struct fold *f, const char *path, int64_t *mark)
{
	struct lmrec_tsv *r = lmrec_tsv_open(path);
	size_t cu = lmrec_tsv_col(r, "user"), ci = lmrec_tsv_col(r, "item"),
	       ct = lmrec_tsv_col(r, "ts"), cs = lmrec_tsv_col(r, "signal"),
	       cv = lmrec_tsv_col(r, "value");
	int64_t from = f->p->feedback_mark;
	size_t ns = sizeof signals / sizeof signals[0];
	while (lmrec_tsv_read(r)) {
		f->rows++;
		int64_t ts = lmrec_tsv_i64(r, ct);
		struct lmrec_field user = lmrec_tsv_field(r, cu), item = lmrec_tsv_field(r, ci);
		struct lmrec_field sig = lmrec_tsv_field(r, cs), val = lmrec_tsv_field(r, cv);
		if (user.len == 0)
			lmrec_tsv_die(r, cu, "empty user id");
		if (item.len == 0)
			lmrec_tsv_die(r, ci, "empty item id");
		size_t s = 0;
		while (s < ns && !(strlen(signals[s]) == sig.len && !memcmp(signals[s], sig.p, sig.len)))
			s++;
		if (s == ns)
			lmrec_tsv_die(r, cs, "'%.*s' is not a signal (expected not_interested, "
				      "spot_on, rating, dwell, purchase or skip)", (int)sig.len, sig.p);
		double x = val.len ? lmrec_tsv_f64(r, cv) : 1;
		double v = 0;
		int block = 0;
		switch (s) {
		case 0: /* not_interested */
		case 1: /* spot_on */
			if (x != 1)
				lmrec_tsv_die(r, cv, "'%.*s': %s takes an empty value or 1", (int)val.len,
					      val.p, signals[s]);
			v = s == 0 ? -4 : 4;
			block = s == 0;
			break;
		case 2: /* rating */
			if (!val.len || x < 1 || x > 5)
				lmrec_tsv_die(r, cv, "'%.*s': a rating must be from 1 to 5", (int)val.len,
					      val.p);
			v = x - 3;
			break;
		case 3: /* dwell */
			if (!val.len || x <= 0)
				lmrec_tsv_die(r, cv, "'%.*s': dwell must be a positive number of seconds",
					      (int)val.len, val.p);
			v = x >= 30 ? 1 : x < 5 ? -0.5 : 0;
			break;
		case 4: /* purchase */
			if (x <= 0)
				lmrec_tsv_die(r, cv, "'%.*s': a purchase's quantity must be positive",
					      (int)val.len, val.p);
			v = 4;
			break;
		default: /* skip */
			if (x != 1)
				lmrec_tsv_die(r, cv, "'%.*s': skip takes an empty value or 1",
					      (int)val.len, val.p);
			v = -0.5;
			break;
		}
		fold_row(f, from, mark, user, item, ts, v, block);
	}
	lmrec_tsv_close(r);
}

static void run_update(const struct opts *o, char **files, int nfiles)
{
	int lock = lmrec_profile_lock(o->store, o->wait);
	struct lmrec_profile *p = load(o->store, 1);
	int fresh = p == NULL;
	if (fresh) {
		p = lmrec_profile_new(o->half_life > 0 ? o->half_life : DEFAULT_HALF_LIFE);
		crash_hook(p);
	} else if (o->half_life > 0 && o->half_life != p->half_life) {
		lmrec_usage_error("--half-life %g differs from the store's %g (change it with "
				  "--compact)", o->half_life, p->half_life);
	}
	struct lmrec_catalog c;
	lmrec_catalog_load(&c, o->items);
	struct fold f = {.o = o, .p = p, .c = &c, .end = o->date + 86400};
	int64_t imark = p->inter_mark, fmark = p->feedback_mark;
	double t0 = lmrec_now();
	if (nfiles == 0 && !o->feedback)
		fold_interactions(&f, "-", &imark);
	for (int i = 0; i < nfiles; i++)
		fold_interactions(&f, files[i], &imark);
	if (o->feedback)
		fold_feedback(&f, o->feedback, &fmark);
	p->inter_mark = imark;
	p->feedback_mark = fmark;
	size_t touched = lmrec_profile_apply(p, f.end, o->prune);
	if (f.end > p->now)
		p->now = f.end;
	uint64_t wrote;
	const char *how;
	if (fresh) {
		wrote = lmrec_profile_write_snapshot(p, o->store);
		how = "a new store";
	} else {
		wrote = lmrec_profile_append(p, o->store);
		how = wrote ? "a batch" : "nothing";
		uint64_t log = p->committed - p->snapshot_end;
		if (wrote && log > LOG_MIN && (double)log > LOG_RATIO * (double)p->snapshot_end) {
			wrote = lmrec_profile_write_snapshot(p, o->store);
			how = "a compacted store";
		}
	}
	if (!o->quiet) {
		size_t nu, ne;
		lmrec_profile_counts(p, &nu, &ne);
		fprintf(stderr, "%s: %s: folded %zu of %zu rows (%zu at or before the last folded time, "
			   "%zu after the date, %zu of unknown items) into %zu users; wrote %s "
			   "(%llu bytes); %zu users, %zu entries, %.2f s\n",
			   lmrec_progname(), o->store, f.folded, f.rows, f.late, f.future, f.unknown, touched, how,
			   (unsigned long long)wrote, nu, ne, lmrec_now() - t0);
	}
	free(f.key);
	lmrec_catalog_free(&c);
	lmrec_profile_free(p);
	close(lock);
}

/* ---- show, check, compact, forget ---- */

static void run_show(const struct opts *o)
{
	struct lmrec_profile *p = load(o->store, 0);
	int64_t now = o->date >= 0 ? o->date + 86400 : p->now;
	struct lmrec_out *out = lmrec_out_open(o->output);
	lmrec_out_str(out, "user\tkind\tkey\tweight\tts\n");
	uint32_t *order = lmrec_ids_sorted(p->ids);
	size_t n = lmrec_ids_count(p->ids);
	for (size_t i = 0; i < n; i++) {
		const struct lmrec_profile_user *u = &p->u[order[i]];
		if (!u->live)
			continue;
		size_t idlen;
		const char *id = lmrec_ids_str(p->ids, order[i], &idlen);
		for (size_t k = 0; k < u->n; k++) {
			const struct lmrec_profile_entry *e = &u->e[k];
			lmrec_out_write(out, id, idlen); /* ids and keys are stored escaped */
			lmrec_out_tab(out);
			lmrec_out_str(out, lmrec_profile_kind_name(e->kind));
			lmrec_out_tab(out);
			lmrec_out_write(out, e->key, e->keylen);
			lmrec_out_tab(out);
			lmrec_out_f32(out, (float)lmrec_profile_decay(p, e->kind, e->w, e->ts, now));
			lmrec_out_tab(out);
			lmrec_out_i64(out, e->ts);
			lmrec_out_eol(out);
		}
	}
	free(order);
	lmrec_out_commit(out);
	lmrec_profile_free(p);
}

static void run_check(const struct opts *o)
{
	struct lmrec_profile *p = load(o->store, 0);
	size_t nu, ne;
	lmrec_profile_counts(p, &nu, &ne);
	struct lmrec_out *out = lmrec_out_open(o->output);
	lmrec_out_printf(out,
			 "field\tvalue\nversion\t%u\nhalf_life\t%.17g\nusers\t%zu\nentries\t%zu\n"
			 "batches\t%llu\nrecords\t%llu\nbytes\t%llu\nsnapshot_bytes\t%llu\n"
			 "torn_bytes\t%llu\ninter_mark\t%lld\nfeedback_mark\t%lld\nupdated\t%lld\n",
			 LMREC_PROFILE_VERSION, p->half_life, nu, ne,
			 (unsigned long long)p->batches, (unsigned long long)p->records,
			 (unsigned long long)p->committed, (unsigned long long)p->snapshot_end,
			 (unsigned long long)(p->file_size - p->committed), (long long)p->inter_mark,
			 (long long)p->feedback_mark, (long long)p->now);
	lmrec_out_commit(out);
	lmrec_profile_free(p);
}

static void run_compact(const struct opts *o)
{
	int lock = lmrec_profile_lock(o->store, o->wait);
	struct lmrec_profile *p = load(o->store, 0);
	uint64_t before = p->file_size;
	if (o->half_life > 0)
		p->half_life = o->half_life;
	lmrec_profile_prune_all(p, o->date >= 0 ? o->date + 86400 : p->now, o->prune);
	uint64_t after = lmrec_profile_write_snapshot(p, o->store);
	if (!o->quiet)
		fprintf(stderr, "%s: %s: compacted from %llu to %llu bytes\n",
			lmrec_progname(), o->store,
			   (unsigned long long)before, (unsigned long long)after);
	lmrec_profile_free(p);
	close(lock);
}

static void run_forget(const struct opts *o)
{
	struct lmrec_tsv *r = lmrec_tsv_open(o->forget);
	size_t cu = lmrec_tsv_col(r, "user"), n = 0, cap = 0, found;
	char **ids = NULL;
	size_t *lens = NULL, lcap = 0;
	while (lmrec_tsv_read(r)) {
		struct lmrec_field u = lmrec_tsv_field(r, cu);
		if (u.len == 0)
			lmrec_tsv_die(r, cu, "empty user id");
		LMREC_GROW(ids, cap, n + 1);
		LMREC_GROW(lens, lcap, n + 1);
		ids[n] = lmrec_xstrndup(u.p, u.len);
		lens[n++] = u.len;
	}
	lmrec_tsv_close(r);
	char err[1024];
	/* always a snapshot: the users' old records must leave the file */
	int rc = lmrec_profile_forget_users(o->store, (const char *const *)ids, lens, n, &found,
					    o->wait, err, sizeof err);
	if (rc == -1)
		lmrec_die(LMREC_EXIT_DATA, "%s", err);
	if (rc == -2)
		lmrec_die(LMREC_EXIT_FAIL, "%s", err);
	if (!o->quiet)
		fprintf(stderr, "%s: %s: forgot %zu users (%zu asked)\n", lmrec_progname(), o->store,
			found, n);
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	free(lens);
}

int main(int argc, char **argv)
{
	lmrec_setprogname(argv[0]);
	struct opts o = {.date = -1, .prune = 0.01};
	int c;
	while ((c = getopt_long(argc, argv, "o:qhV", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_UPDATE: /* --update */
			set_mode(&o, M_UPDATE, "update");
			break;
		case OPT_SHOW: /* --show */
			set_mode(&o, M_SHOW, "show");
			break;
		case OPT_CHECK: /* --check */
			set_mode(&o, M_CHECK, "check");
			break;
		case OPT_COMPACT: /* --compact */
			set_mode(&o, M_COMPACT, "compact");
			break;
		case OPT_FORGET: /* --forget */
			set_mode(&o, M_FORGET, "forget");
			o.forget = optarg;
			break;
		case OPT_STORE: /* --store */
			o.store = optarg;
			break;
		case OPT_ITEMS: /* --items */
			o.items = optarg;
			break;
		case OPT_FEEDBACK: /* --feedback */
			o.feedback = optarg;
			break;
		case OPT_DATE: /* --date */
			if (lmrec_datetime_parse("%Y-%m-%d", optarg, strlen(optarg), &o.date) != 0)
				lmrec_usage_error("invalid value for --date: '%s' (expected YYYY-MM-DD)",
						  optarg);
			break;
		case OPT_HALF_LIFE: /* --half-life */
			o.half_life = lmrec_opt_double("--half-life", optarg, 0.001, 1e6);
			break;
		case OPT_PRUNE: /* --prune */
			o.prune = lmrec_opt_double("--prune", optarg, 0, 1e6);
			break;
		case OPT_WAIT: /* --wait */
			o.wait = lmrec_opt_double("--wait", optarg, 0, 86400);
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
	if (o.mode == M_NONE)
		lmrec_usage_error("no mode: give one of --update, --show, --check, --compact and "
				  "--forget");
	if (!o.store)
		lmrec_usage_error("--store FILE is required");
	if (o.mode != M_UPDATE && optind < argc)
		lmrec_usage_error("operands are interactions for --update only: '%s'", argv[optind]);
	if (o.mode == M_UPDATE && (!o.items || o.date < 0))
		lmrec_usage_error("--update needs --items FILE and --date YYYY-MM-DD");
	if (o.output && o.mode != M_SHOW && o.mode != M_CHECK)
		lmrec_usage_error("--output goes with --show or --check");
	if (o.feedback && o.mode != M_UPDATE)
		lmrec_usage_error("--feedback goes with --update");
	switch (o.mode) {
	case M_UPDATE:
		run_update(&o, argv + optind, argc - optind);
		break;
	case M_SHOW:
		run_show(&o);
		break;
	case M_CHECK:
		run_check(&o);
		break;
	case M_COMPACT:
		run_compact(&o);
		break;
	default:
		run_forget(&o);
		break;
	}
	lmrec_close_stdout();
	return 0;
}

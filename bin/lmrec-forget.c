/* lmrec-forget — remove users from the data and output folders: their rows
 * of every TSV stream, their entries in every model file. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "anon.h"
#include "forget.h"
#include "gzin.h"
#include "lmrec.h"
#include "profile.h"

struct opts {
	struct lmrec_ids *ids;      /* the users to forget */
	const char **columns;       /* the columns holding user ids */
	size_t ncolumns;
	const char *record;
	const char *list, *key_path; /* the forget list and its HMAC key */
	int filter;                  /* a stream filter over the list */
	int dry_run, quiet;
};

/* What the walk did. */
struct tally {
	size_t files, rows, models, entries, interactions, traces, bad;
	size_t stores, profiles; /* profile stores changed, users removed from them */
	unsigned char *found; /* (ids) seen somewhere */
};

static void usage(int status)
{
	if (status != 0) {
		fprintf(stderr, "Try '%s --help' for more information.\n", lmrec_progname());
		exit(status);
	}
	printf("Usage: %s [OPTION]... PATH...\n"
	       "  or:  %s --filter --list FILE --key FILE [OPTION]... [FILE]...\n",
	       lmrec_progname(), lmrec_progname());
	fputs("Remove users from the files under each PATH: the right to be forgotten.\n"
	      "\n"
	      "Each PATH is a file or a folder, walked recursively (symbolic links\n"
	      "inside are not followed). For every user given:\n"
	      "  - TSV streams (*.tsv, *.tsv.gz) with a user column lose the user's rows,\n"
	      "    and so does lmrec-ingest's quality report (kind, key);\n"
	      "  - model files (lmrec's container) lose the user's entries in their\n"
	      "    user-side sections (ids, factors, training interactions, sequences);\n"
	      "  - profile stores (lmrec-profile) lose the user's record, rewritten as\n"
	      "    one snapshot so that no byte of it is left;\n"
	      "  - any other file is searched for the ids, and a file that still holds\n"
	      "    one is named on standard error (a trace lmrec cannot remove).\n"
	      "Each file is rewritten whole, atomically; a run that stops midway is\n"
	      "finished by running it again.\n"
	      "\n"
	      "Options:\n"
	      "  -u, --user ID            a user to forget (repeatable)\n"
	      "      --users FILE         the users to forget: the user column of FILE\n"
	      "      --column NAME        a column that holds user ids (default: user;\n"
	      "                           repeatable)\n"
	      "      --record FILE        append a line saying what was done: the time and\n"
	      "                           the counts, never an id\n"
	      "      --list FILE          add the users to this forget list: their ids\n"
	      "                           as HMAC-SHA256 under --key, never in clear\n"
	      "      --key FILE           the list's key (as lmrec-anon's: mode 0600,\n"
	      "                           16 bytes or more)\n"
	      "      --filter             copy a TSV stream (FILEs, or standard input)\n"
	      "                           to standard output without the rows of the\n"
	      "                           users on --list: the nightly job's ingest\n"
	      "  -n, --dry-run            report what would change; change nothing\n"
	      "  -q, --quiet              no report on standard error\n"
	      "  -h, --help               show this help and exit\n"
	      "  -V, --version            show the version and exit\n"
	      "\n"
	      "Exit status: 0 done (or nothing to do), 1 a trace left in a file lmrec\n"
	      "cannot clean or a file that could not be rewritten, 2 usage, 65 a\n"
	      "malformed TSV stream or model file.\n"
	      "\n"
	      "Examples:\n"
	      "  lmrec-forget --user u0042 --record out/forgotten.tsv data out\n"
	      "  lmrec-forget --filter --list out/forget.tsv --key out/forget.key new.tsv\n",
	      stdout);
	exit(0);
}

enum { OPT_USERS = 256, OPT_COLUMN, OPT_RECORD, OPT_LIST, OPT_KEY, OPT_FILTER };

static const struct option long_options[] = {
	{"user", required_argument, NULL, 'u'},
	{"users", required_argument, NULL, OPT_USERS},
	{"column", required_argument, NULL, OPT_COLUMN},
	{"record", required_argument, NULL, OPT_RECORD},
	{"list", required_argument, NULL, OPT_LIST},
	{"key", required_argument, NULL, OPT_KEY},
	{"filter", no_argument, NULL, OPT_FILTER},
	{"dry-run", no_argument, NULL, 'n'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* The id of field f, unescaped into *buf when it has escapes. */
static int64_t find_field(const struct opts *o, struct lmrec_field f, char **buf, size_t *cap)
{
	if (!memchr(f.p, '\\', f.len))
		return lmrec_ids_find(o->ids, f.p, f.len);
	LMREC_GROW(*buf, *cap, f.len + 1);
	size_t n = lmrec_tsv_unescape(*buf, f.p, f.len);
	return lmrec_ids_find(o->ids, *buf, n);
}

/* A TSV stream: the rows of the users go; 1 when it has a user column.
 * lmrec-ingest's quality report (kind, key, ...) names users in its key
 * column, on every row but the flooded items'. */
static int forget_tsv(const struct opts *o, struct tally *t, const char *path)
{
	struct lmrec_tsv *r = lmrec_tsv_open(path);
	size_t *cols = lmrec_xcalloc(o->ncolumns + 1, sizeof *cols), nc = 0;
	for (size_t k = 0; k < o->ncolumns; k++) {
		long c = lmrec_tsv_col_opt(r, o->columns[k]);
		if (c >= 0)
			cols[nc++] = (size_t)c;
	}
	long quality_kind = -1;
	if (nc == 0 && r->ncols >= 2 && strcmp(r->cols[0], "kind") == 0 && strcmp(r->cols[1], "key") == 0) {
		quality_kind = 0;
		cols[nc++] = 1;
	}
	if (nc == 0) {
		lmrec_tsv_close(r);
		free(cols);
		return 0;
	}
	struct lmrec_out *out = o->dry_run ? lmrec_out_open_mem() : lmrec_out_open(path);
	for (size_t c = 0; c < r->ncols; c++) {
		if (c)
			lmrec_out_tab(out);
		lmrec_out_field(out, r->cols[c], strlen(r->cols[c]));
	}
	lmrec_out_eol(out);
	size_t dropped = 0, cap = 0;
	char *buf = NULL;
	while (lmrec_tsv_read(r)) {
		int drop = 0;
		struct lmrec_field kind = quality_kind >= 0 ? lmrec_tsv_field(r, (size_t)quality_kind)
							    : (struct lmrec_field){NULL, 0};
		int item_row = kind.p && kind.len == 12 && memcmp(kind.p, "flooded_item", 12) == 0;
		for (size_t k = 0; k < nc && !item_row; k++) {
			int64_t id = find_field(o, lmrec_tsv_field(r, cols[k]), &buf, &cap);
			if (id >= 0) {
				drop = 1;
				t->found[id] = 1;
			}
		}
		if (drop) {
			dropped++;
			continue;
		}
		lmrec_out_write(out, r->line, r->linelen);
		lmrec_out_eol(out);
		if (o->dry_run)
			lmrec_out_mem_reset(out);
	}
	lmrec_tsv_close(r);
	if (dropped && !o->dry_run)
		lmrec_out_commit(out);
	else
		lmrec_out_abort(out);
	if (dropped) {
		t->files++;
		t->rows += dropped;
		if (!o->quiet)
			fprintf(stderr, "%s: %s: %zu rows%s\n", lmrec_progname(), path, dropped,
				o->dry_run ? " would go" : " removed");
	}
	free(buf);
	free(cols);
	return 1;
}

/* A model file: the users' entries go. */
static void forget_model(const struct opts *o, struct tally *t, const char *path)
{
	char err[512];
	int status = 0;
	struct lmrec_model *m = lmrec_model_try_read(path, LMREC_KIND_ANY, err, sizeof err, &status);
	if (!m) {
		fprintf(stderr, "%s: %s\n", lmrec_progname(), err);
		t->bad++;
		return;
	}
	const struct lmrec_section *us = lmrec_model_find(m, "users");
	if (!us) {
		lmrec_model_free(m);
		return;
	}
	size_t nu = (size_t)us->shape[0], n = 0;
	unsigned char *drop = lmrec_xcalloc(nu + 1, 1);
	uint64_t pos = 0;
	const char *p;
	size_t len;
	for (size_t u = 0; u < nu && lmrec_model_next_str(us, &pos, &p, &len); u++) {
		int64_t id = lmrec_ids_find(o->ids, p, len);
		if (id >= 0) {
			drop[u] = 1;
			t->found[id] = 1;
			n++;
		}
	}
	if (n) {
		size_t rows = 0;
		struct lmrec_model *c = lmrec_forget_model(m, path, drop, &rows);
		if (!o->dry_run)
			lmrec_model_write(c, path);
		lmrec_model_free(c);
		t->models++;
		t->entries += n;
		t->interactions += rows;
		if (!o->quiet)
			fprintf(stderr, "%s: %s: %zu users and %zu interactions%s\n", lmrec_progname(), path, n,
				rows, o->dry_run ? " would go" : " removed");
	}
	free(drop);
	lmrec_model_free(m);
}

/* Whether byte c can continue an id (so that "u12" is not found in "u123"). */
static int id_byte(unsigned char c) { return c >= 0x80 || c == '_' || c == '-' || (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z'); }

/* The first n-byte needle in hay (len bytes), or NULL; memmem is not POSIX. */
static const unsigned char *find_bytes(const unsigned char *hay, size_t len, const char *needle, size_t n)
{
	const unsigned char *end = hay + len;
	while ((size_t)(end - hay) >= n) {
		const unsigned char *p = memchr(hay, (unsigned char)needle[0], (size_t)(end - hay) - n + 1);
		if (!p)
			return NULL;
		if (memcmp(p, needle, n) == 0)
			return p;
		hay = p + 1;
	}
	return NULL;
}

/* Any other file: searched (through gzip when compressed) for the ids as
 * whole words. A gzip stream that is truncated or corrupt (trailing garbage
 * included) is named as a file that could not be read: only the bytes
 * before the damage are searched. */
static void scan_other(const struct opts *o, struct tally *t, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: cannot open: %s\n", lmrec_progname(), path, strerror(errno));
		t->bad++;
		return;
	}
	struct lmrec_gzin *in = lmrec_gzin_open(fd, path);
	size_t cap = 1 << 16, len = 0;
	unsigned char *buf = lmrec_xmalloc(cap);
	for (;;) {
		if (cap - len < (1 << 15))
			buf = lmrec_xreallocarray(buf, cap *= 2, 1);
		ssize_t got = lmrec_gzin_read(in, buf + len, cap - len);
		if (got == LMREC_GZIN_BAD) {
			fprintf(stderr, "%s: %s: %s; only the bytes before it were searched\n", lmrec_progname(),
				path, lmrec_gzin_error(in));
			t->bad++;
		}
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	if (lmrec_gzin_close(in) != 0)
		lmrec_die(LMREC_EXIT_FAIL, "%s: close:", path);
	size_t nid = lmrec_ids_count(o->ids);
	for (size_t i = 0; i < nid; i++) {
		size_t il;
		const char *id = lmrec_ids_str(o->ids, (uint32_t)i, &il);
		const unsigned char *at = buf, *end = buf + len;
		while (il && (size_t)(end - at) >= il) {
			const unsigned char *hit = find_bytes(at, (size_t)(end - at), id, il);
			if (!hit)
				break;
			int before = hit > buf && id_byte(hit[-1]) && id_byte((unsigned char)id[0]);
			int after = hit + il < end && id_byte(hit[il]) && id_byte((unsigned char)id[il - 1]);
			if (!before && !after) {
				fprintf(stderr, "%s: %s: holds the id '%.*s' outside a table lmrec can clean; remove it by hand\n",
					lmrec_progname(), path, (int)il, id);
				t->traces++;
				t->found[i] = 1;
				break;
			}
			at = hit + 1;
		}
	}
	free(buf);
}

/* A profile store (lmrec-profile): the users' records go, the store is
 * rewritten as one snapshot under its lock. */
static void forget_profile(const struct opts *o, struct tally *t, const char *path)
{
	char err[512];
	struct lmrec_profile *p = NULL;
	if (lmrec_profile_read(path, &p, err, sizeof err) != 0) {
		fprintf(stderr, "%s: %s\n", lmrec_progname(), err);
		t->bad++;
		return;
	}
	size_t nid = lmrec_ids_count(o->ids), n = 0;
	const char **ids = lmrec_xcalloc(nid + 1, sizeof *ids);
	size_t *lens = lmrec_xcalloc(nid + 1, sizeof *lens);
	for (size_t i = 0; i < nid; i++) {
		size_t len;
		const char *id = lmrec_ids_str(o->ids, (uint32_t)i, &len);
		int64_t u = lmrec_profile_find(p, id, len);
		if (u >= 0 && p->u[u].live) {
			t->found[i] = 1;
			ids[n] = id;
			lens[n++] = len;
		}
	}
	lmrec_profile_free(p);
	if (n && !o->dry_run) {
		size_t found = 0;
		if (lmrec_profile_forget_users(path, ids, lens, n, &found, 0, err, sizeof err) != 0) {
			fprintf(stderr, "%s: %s\n", lmrec_progname(), err);
			t->bad++;
			n = 0;
		}
	}
	if (n) {
		t->stores++;
		t->profiles += n;
		if (!o->quiet)
			fprintf(stderr, "%s: %s: %zu users%s\n", lmrec_progname(), path, n,
				o->dry_run ? " would go" : " removed");
	}
	free(ids);
	free(lens);
}

/* 1 when the file begins with the 8-byte magic. */
static int has_magic(const char *path, const char *magic)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	char head[8];
	int yes = fread(head, 1, 8, f) == 8 && memcmp(head, magic, 8) == 0;
	fclose(f);
	return yes;
}

static void forget_file(const struct opts *o, struct tally *t, const char *path)
{
	if (has_magic(path, LMREC_MODEL_MAGIC))
		forget_model(o, t, path);
	else if (has_magic(path, LMREC_PROFILE_MAGIC))
		forget_profile(o, t, path);
	else if (!((ends_with(path, ".tsv") || ends_with(path, ".tsv.gz")) && forget_tsv(o, t, path)))
		scan_other(o, t, path);
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Files in byte order of their names, folders depth first; temporary
 * files of lmrec writers (".tmp.") are left alone. */
static void walk(const struct opts *o, struct tally *t, const char *path, int top)
{
	struct stat st;
	if ((top ? stat(path, &st) : lstat(path, &st)) != 0) {
		fprintf(stderr, "%s: %s: %s\n", lmrec_progname(), path, strerror(errno));
		t->bad++;
		return;
	}
	if (S_ISREG(st.st_mode)) {
		forget_file(o, t, path);
		return;
	}
	if (!S_ISDIR(st.st_mode))
		return; /* links inside, devices, pipes */
	DIR *d = opendir(path);
	if (!d) {
		fprintf(stderr, "%s: %s: %s\n", lmrec_progname(), path, strerror(errno));
		t->bad++;
		return;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		LMREC_GROW(names, cap, n + 1);
		names[n++] = lmrec_xstrdup(e->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, by_name);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(path) + strlen(names[i]) + 2;
		char *child = lmrec_xmalloc(len);
		snprintf(child, len, "%s/%s", path, names[i]);
		walk(o, t, child, 0);
		free(child);
		free(names[i]);
	}
	free(names);
}

static void read_users(struct opts *o, const char *path)
{
	struct lmrec_tsv *r = lmrec_tsv_open(path);
	size_t c = lmrec_tsv_col(r, "user");
	char *buf = NULL;
	size_t cap = 0;
	while (lmrec_tsv_read(r)) {
		struct lmrec_field f = lmrec_tsv_field(r, c);
		if (f.len == 0)
			lmrec_tsv_die(r, c, "empty user id");
		LMREC_GROW(buf, cap, f.len + 1);
		size_t n = lmrec_tsv_unescape(buf, f.p, f.len);
		lmrec_ids_intern(o->ids, buf, n);
	}
	lmrec_tsv_close(r);
	free(buf);
}

/* ---- the forget list: one HMAC-SHA256 (hex) of an id a line ---- */

#define MAC_HEX ((size_t)2 * LMREC_ANON_DIGEST) /* hex digits of an HMAC */

static struct lmrec_anon *open_key(const char *path)
{
	unsigned char *key = NULL;
	size_t len = 0;
	char *msg = NULL;
	int st = lmrec_anon_key_read(path, &key, &len, &msg);
	if (st != 0) {
		fprintf(stderr, "%s: %s\n", lmrec_progname(), msg);
		free(msg);
		exit(st == 2 ? LMREC_EXIT_USAGE : LMREC_EXIT_FAIL);
	}
	struct lmrec_anon *a = lmrec_anon_new(key, len);
	lmrec_anon_key_free(key, len);
	return a;
}

static void mac_hex(struct lmrec_anon *a, const char *id, size_t len, char hex[MAC_HEX + 1])
{
	unsigned char d[LMREC_ANON_DIGEST];
	lmrec_anon_mac(a, d, id, len);
	lmrec_anon_hex(hex, d, MAC_HEX);
	hex[MAC_HEX] = 0;
}

/* The list's MACs; a missing file is an empty list. */
static struct lmrec_ids *read_list(const char *path)
{
	struct lmrec_ids *macs = lmrec_ids_new();
	if (access(path, F_OK) != 0 && errno == ENOENT)
		return macs;
	struct lmrec_tsv *r = lmrec_tsv_open(path);
	size_t c = lmrec_tsv_col(r, "hmac");
	while (lmrec_tsv_read(r)) {
		struct lmrec_field f = lmrec_tsv_field(r, c);
		if (f.len != MAC_HEX || strspn(f.p, "0123456789abcdef") < f.len)
			lmrec_tsv_die(r, c, "not an HMAC-SHA256 in lowercase hex");
		lmrec_ids_intern(macs, f.p, f.len);
	}
	lmrec_tsv_close(r);
	return macs;
}

/* The list with the users added, rewritten atomically. */
static void add_to_list(const struct opts *o, struct lmrec_anon *a)
{
	struct lmrec_ids *macs = read_list(o->list);
	size_t before = lmrec_ids_count(macs), nid = lmrec_ids_count(o->ids);
	char hex[MAC_HEX + 1];
	for (size_t i = 0; i < nid; i++) {
		size_t len;
		const char *id = lmrec_ids_str(o->ids, (uint32_t)i, &len);
		mac_hex(a, id, len, hex);
		lmrec_ids_intern(macs, hex, MAC_HEX);
	}
	if (lmrec_ids_count(macs) != before || access(o->list, F_OK) != 0) {
		struct lmrec_out *out = lmrec_out_open(o->list);
		lmrec_out_str(out, "hmac\n");
		for (size_t i = 0; i < lmrec_ids_count(macs); i++) {
			size_t len;
			const char *m = lmrec_ids_str(macs, (uint32_t)i, &len);
			lmrec_out_write(out, m, len);
			lmrec_out_eol(out);
		}
		lmrec_out_commit(out);
	}
	lmrec_ids_free(macs);
}

/* --filter: the streams without the listed users' rows. */
static int run_filter(const struct opts *o, char **files, size_t nfiles)
{
	struct lmrec_anon *a = open_key(o->key_path);
	struct lmrec_ids *macs = read_list(o->list);
	struct lmrec_out *out = lmrec_out_open(NULL);
	static const char *const stdin_only[] = {"-"};
	if (nfiles == 0) {
		files = (char **)stdin_only;
		nfiles = 1;
	}
	char hex[MAC_HEX + 1], *buf = NULL;
	size_t cap = 0, kept = 0, dropped = 0;
	struct lmrec_tsv *first = NULL;
	for (size_t i = 0; i < nfiles; i++) {
		struct lmrec_tsv *r = lmrec_tsv_open(files[i]);
		size_t *cols = lmrec_xcalloc(o->ncolumns + 1, sizeof *cols), nc = 0;
		for (size_t k = 0; k < o->ncolumns; k++) {
			long c = lmrec_tsv_col_opt(r, o->columns[k]);
			if (c >= 0)
				cols[nc++] = (size_t)c;
		}
		if (nc == 0)
			lmrec_die(LMREC_EXIT_DATA, "%s: no %s column", r->display, o->columns[0]);
		if (!first) {
			for (size_t c = 0; c < r->ncols; c++) {
				if (c)
					lmrec_out_tab(out);
				lmrec_out_field(out, r->cols[c], strlen(r->cols[c]));
			}
			lmrec_out_eol(out);
		} else {
			lmrec_tsv_same_header(first, r);
		}
		while (lmrec_tsv_read(r)) {
			int drop = 0;
			for (size_t k = 0; k < nc && !drop; k++) {
				struct lmrec_field f = lmrec_tsv_field(r, cols[k]);
				LMREC_GROW(buf, cap, f.len + 1);
				size_t n = lmrec_tsv_unescape(buf, f.p, f.len);
				mac_hex(a, buf, n, hex);
				drop = lmrec_ids_find(macs, hex, MAC_HEX) >= 0;
			}
			if (drop) {
				dropped++;
				continue;
			}
			kept++;
			lmrec_out_write(out, r->line, r->linelen);
			lmrec_out_eol(out);
		}
		free(cols);
		if (first)
			lmrec_tsv_close(r);
		else
			first = r;
	}
	lmrec_tsv_close(first);
	lmrec_out_commit(out);
	if (!o->quiet)
		fprintf(stderr, "%s: %zu rows kept, %zu rows of forgotten users left out\n", lmrec_progname(), kept,
			dropped);
	free(buf);
	lmrec_ids_free(macs);
	lmrec_anon_free(a);
	return 0;
}

/* One line appended: when, how many users, what went; never an id. */
static void write_record(const struct opts *o, const struct tally *t, size_t nfound)
{
	struct stat st;
	int fresh = stat(o->record, &st) != 0 || st.st_size == 0;
	FILE *f = fopen(o->record, "a");
	if (!f)
		lmrec_die(LMREC_EXIT_FAIL, "%s: cannot open: %s", o->record, strerror(errno));
	time_t now = time(NULL);
	struct tm tm;
	char when[32];
	gmtime_r(&now, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (fresh)
		fputs("time\tusers\tfound\trows\tfiles\tmodel_entries\tinteractions\tmodels\n", f);
	fprintf(f, "%s\t%zu\t%zu\t%zu\t%zu\t%zu\t%zu\t%zu\n", when, lmrec_ids_count(o->ids), nfound, t->rows,
		t->files, t->entries, t->interactions, t->models);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0 || fclose(f) != 0)
		lmrec_die(LMREC_EXIT_FAIL, "%s: cannot write: %s", o->record, strerror(errno));
}

int main(int argc, char **argv)
{
	lmrec_setprogname(argv[0]);
	struct opts o = {.ids = lmrec_ids_new()};
	size_t ccap = 0;
	int c;
	while ((c = getopt_long(argc, argv, "u:nqhV", long_options, NULL)) != -1) {
		switch (c) {
		case 'u': /* --user */
			if (!*optarg)
				lmrec_usage_error("--user: an empty id");
			lmrec_ids_intern(o.ids, optarg, strlen(optarg));
			break;
		case OPT_USERS: read_users(&o, optarg); break; /* --users */
		case OPT_COLUMN:                               /* --column */
			LMREC_GROW(o.columns, ccap, o.ncolumns + 1);
			o.columns[o.ncolumns++] = optarg;
			break;
		case OPT_RECORD: o.record = optarg; break; /* --record */
		case OPT_LIST: o.list = optarg; break;     /* --list */
		case OPT_KEY: o.key_path = optarg; break;  /* --key */
		case OPT_FILTER: o.filter = 1; break;      /* --filter */
		case 'n': o.dry_run = 1; break;            /* --dry-run */
		case 'q': o.quiet = 1; break;              /* --quiet */
		case 'h': usage(0); break;                 /* --help */
		case 'V': /* --version */
			lmrec_print_version();
			free(o.columns);
			lmrec_ids_free(o.ids);
			lmrec_close_stdout();
			return 0;
		default: usage(LMREC_EXIT_USAGE);
		}
	}
	if (!o.list != !o.key_path)
		lmrec_usage_error("--list and --key go together");
	static const char *const user_column[] = {"user"};
	if (!o.ncolumns) {
		o.columns = (const char **)user_column;
		o.ncolumns = 1;
	}
	if (o.filter) {
		if (!o.list)
			lmrec_usage_error("--filter needs --list and --key");
		if (lmrec_ids_count(o.ids) || o.record || o.dry_run)
			lmrec_usage_error("--filter takes no --user, --users, --record or --dry-run");
		int rc = run_filter(&o, argv + optind, (size_t)(argc - optind));
		if (o.columns != (const char **)user_column)
			free(o.columns);
		lmrec_ids_free(o.ids);
		lmrec_close_stdout();
		return rc;
	}
	if (optind >= argc)
		lmrec_usage_error("no PATH to clean");
	if (lmrec_ids_count(o.ids) == 0)
		lmrec_usage_error("no user to forget (--user or --users)");
	/* the list first: a run stopped midway is still remembered, and the
	 * next night leaves the users out whatever the files hold */
	if (o.list && !o.dry_run) {
		struct lmrec_anon *a = open_key(o.key_path);
		add_to_list(&o, a);
		lmrec_anon_free(a);
	}
	size_t nid = lmrec_ids_count(o.ids);
	struct tally t = {.found = lmrec_xcalloc(nid + 1, 1)};
	for (int i = optind; i < argc; i++)
		walk(&o, &t, argv[i], 1);
	size_t nfound = 0;
	for (size_t i = 0; i < nid; i++)
		nfound += t.found[i];
	if (!o.quiet)
	{
		fprintf(stderr, "%s: %zu users, %zu found: %zu rows in %zu files, %zu entries (%zu interactions) in %zu models",
			lmrec_progname(), nid, nfound, t.rows, t.files, t.entries, t.interactions, t.models);
		if (t.stores)
			fprintf(stderr, ", %zu users in %zu profile stores", t.profiles, t.stores);
		fprintf(stderr, "%s\n", o.dry_run ? "; nothing changed (--dry-run)" : "");
	}
	if (o.record && !o.dry_run)
		write_record(&o, &t, nfound);
	if (o.columns != (const char **)user_column)
		free(o.columns);
	free(t.found);
	lmrec_ids_free(o.ids);
	lmrec_close_stdout();
	return t.traces || t.bad ? LMREC_EXIT_FAIL : 0;
}

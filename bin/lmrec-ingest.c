/* lmrec-ingest — real sources (CSV, TSV, "::" and "|" files) into lmrec's canonical streams. */
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lmrec.h"
#include "attrs.h"
#include "colmap.h"
#include "datetime.h"
#include "outset.h"
#include "quality.h"
#include "source.h"
#include "utf8.h"

enum kind { K_INTER, K_ITEMS, K_USERS };
static const char *const kind_names[] = {"interactions", "items", "users"};

enum format { F_TSV, F_CSV, F_RAW, F_DAT, F_PIPE };
static const char *const format_names[] = {"tsv", "csv", "raw", "dat", "pipe"};
static const char *const encoding_names[] = {"utf8", "latin1", "auto"};

/* A preset: how a known MovieLens file is read. Its map is plain mapping
 * language, shown by --show-preset, so users learn the language from it. */
struct preset {
	const char *name; /* the file's name, without directory or ".gz" */
	enum kind kind;
	enum format format;
	int header;
	enum lmrec_src_encoding encoding;
	const char *map;
};

static const struct preset presets[] = {
	{"u.data", K_INTER, F_RAW, 0, LMREC_ENC_UTF8, "user=1,item=2,weight=3,ts=4,event=\"rating\""},
	{"u.item", K_ITEMS, F_PIPE, 0, LMREC_ENC_LATIN1, "item=1,title=2,genre_flags=6-24"},
	{"u.user", K_USERS, F_PIPE, 0, LMREC_ENC_LATIN1, "user=1,age=2,gender=3,occupation=4,zip=5"},
	{"ratings.csv", K_INTER, F_CSV, 1, LMREC_ENC_UTF8,
	 "user=userId,item=movieId,weight=rating,ts=timestamp,event=\"rating\""},
	{"movies.csv", K_ITEMS, F_CSV, 1, LMREC_ENC_UTF8, "item=movieId,title=title,genres=genres"},
	{"tags.csv", K_INTER, F_CSV, 1, LMREC_ENC_UTF8,
	 "user=userId,item=movieId,ts=timestamp,event=\"tag\",tag=tag"},
	{"ratings.dat", K_INTER, F_DAT, 0, LMREC_ENC_AUTO, "user=1,item=2,weight=3,ts=4,event=\"rating\""},
	{"movies.dat", K_ITEMS, F_DAT, 0, LMREC_ENC_AUTO, "item=1,title=2,genres=3"},
	{"users.dat", K_USERS, F_DAT, 0, LMREC_ENC_AUTO, "user=1,gender=2,age=3,occupation=4,zip=5"},
};
#define NPRESETS (sizeof presets / sizeof presets[0])

/* The genres of MovieLens-100K's u.item flag columns, when no u.genre is near. */
static const char *const ml100k_genres[] = {
	"unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
	"Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery",
	"Romance", "Sci-Fi", "Thriller", "War", "Western"};
#define NML100K (sizeof ml100k_genres / sizeof ml100k_genres[0])

/* Genre values that stand for "no genre". */
static int placeholder_genre(const char *p, size_t n)
{
	return (n == 7 && memcmp(p, "unknown", 7) == 0) ||
	       (n == 18 && memcmp(p, "(no genres listed)", 18) == 0);
}

/* Canonical columns of each kind, in output order; extras follow. */
static const char *const inter_cols[] = {"user", "item", "ts", "weight", "event", NULL};
static const char *const item_cols[] = {"item", "title", "text", "category", "attrs",
					 "domain", "available", NULL};
static const char *const user_cols[] = {"user", NULL};
static const char *const *const kind_cols[] = {inter_cols, item_cols, user_cols};

#define DUP_SHOWN 10 /* duplicate warnings shown without -v */

struct opts {
	int kind;                   /* -1: from the preset, else interactions */
	int format;                 /* -1: from the file name */
	const char *sep;            /* NULL: the format's */
	int header;                 /* -1: the format's */
	int encoding;               /* -1: the format's */
	const char *map;            /* NULL: the preset's, or by name */
	const struct preset *preset; /* forced with --preset */
	const char *list_sep;
	const char *event;
	const char *ts_format;
	int ts_from_order;
	const char *tags, *tags_map;
	uint64_t max_bad;
	const char *output;
	int quiet, verbose, progress;
	/* data quality (interactions) */
	const char *quality_report, *quarantine;
	int flag_weight;
	const char *tuned;           /* the last quality setting given, for messages */
	struct lmrec_quality_opts qo;
};

static void usage(int status)
{
	if (status != 0) {
		fprintf(stderr, "Try '%s --help' for more information.\n", lmrec_progname());
		exit(status);
	}
	printf("Usage: %s [OPTION]... [FILE]...\n", lmrec_progname());
	fputs("Turn CSV, TSV, '::' and '|' sources into a canonical lmrec stream.\n"
	      "\n"
	      "Reads the FILEs (none or '-': standard input; gzip or plain) and writes one\n"
	      "stream, rows in input order:\n"
	      "  interactions  user item ts weight event  (then mapped extra columns)\n"
	      "  items         item title text category attrs [domain] [available] ...\n"
	      "  users         user, then the attribute columns\n"
	      "With no option it vets a canonical interactions stream: every row checked,\n"
	      "defaults filled (weight 1), columns written in canonical order.\n"
	      "MovieLens files (u.data, u.item, u.user, ratings.csv, movies.csv, tags.csv,\n"
	      "ratings.dat, movies.dat, users.dat) are known by their names.\n"
	      "\n"
	      "What to read:\n"
	      "      --kind KIND          interactions (default), items or users\n"
	      "      --format FMT         tsv (lmrec TSV), csv (RFC 4180), raw (split on\n"
	      "                           --sep, default TAB), dat ('::'), pipe ('|');\n"
	      "                           default: from the name (.csv, .dat, else tsv)\n"
	      "      --sep SEP            csv delimiter (one byte) or raw separator (one\n"
	      "                           or two bytes)\n"
	      "      --header             the first line names the columns (csv, tsv)\n"
	      "      --no-header          there is no header line (raw, dat, pipe)\n"
	      "      --encoding ENC       utf8 (checked; the default), latin1 (converted),\n"
	      "                           auto (UTF-8 where valid, else Latin-1; dat)\n"
	      "      --map MAP            output columns from source columns, by name or\n"
	      "                           1-based number: 'user=userId,item=2,ts=4',\n"
	      "                           literals in double quotes: 'event=\"view\"'\n"
	      "      --preset NAME        read every FILE as the MovieLens file NAME\n"
	      "      --show-preset NAME   print the options of preset NAME (or all) and exit\n"
	      "\n"
	      "Columns:\n"
	      "      --list-sep SEP       separator inside a genres list (default '|')\n"
	      "      --event NAME         the event of every row (default: 'rating' when\n"
	      "                           weight comes from a column named rating)\n"
	      "      --ts-format FMT      read ts with strptime(3) FMT, as UTC\n"
	      "      --ts-from-order      no ts column: number the rows 1, 2, ... in order\n"
	      "      --tags FILE          items: append each item's tags (item, tag\n"
	      "                           columns of FILE, e.g. tags.csv) to its text\n"
	      "      --tags-map MAP       the mapping of the --tags FILE\n"
	      "\n"
	      "Data quality (interactions; see QUALITY CHECKS in the manual):\n"
	      "      --quality-report FILE  write what the checks flag to FILE (TSV: kind\n"
	      "                           key figure threshold action rows)\n"
	      "      --quarantine FILE    move the flagged rows to FILE, with a reason\n"
	      "                           column, out of the output\n"
	      "      --flag-weight        keep bot and flood rows, their weight multiplied\n"
	      "                           by a factor below 1; drop burst rows\n"
	      "      --checks LIST        burst, bot, flood, all (default) or none;\n"
	      "                           duplicates are always checked\n"
	      "      --burst-limit N/S    at most N rows of one user, item and event in\n"
	      "                           S seconds; later ones are bursts (default 2/60)\n"
	      "      --bot-k K            bot-like: more rows than exp(median + K robust\n"
	      "                           deviations) of ln(rows per user) (default 3)\n"
	      "      --bot-min-ratio R    ... and more than R times the median user's\n"
	      "                           rows (default 10)\n"
	      "      --flood-users U      an item's top U users (default 2) ...\n"
	      "      --flood-share F      ... holding more than F of its rows (default 0.9)\n"
	      "      --flood-min N        ... flood it if it has N rows or more (default 20)\n"
	      "\n"
	      "Errors and output:\n"
	      "      --max-bad N          skip up to N bad rows with a warning each\n"
	      "                           (default 0: the first bad row exits 65)\n"
	      "  -o, --output FILE        write to FILE, atomically (default: stdout)\n"
	      "  -q, --quiet              no summary on standard error\n"
	      "  -v, --verbose            warn about every duplicate, not only the first 10\n"
	      "      --progress           report progress even when stderr is no terminal\n"
	      "  -h, --help               show this help and exit\n"
	      "  -V, --version            show the version and exit\n"
	      "\n"
	      "Duplicates (same user, item and ts; an item or user id seen before) keep\n"
	      "the first row. Names ending in .gz are written compressed.\n"
	      "\n"
	      "Examples:\n"
	      "  lmrec-ingest -o interactions.tsv ml-latest-small/ratings.csv\n"
	      "  lmrec-ingest --tags tags.csv -o items.tsv movies.csv\n"
	      "  lmrec-ingest --no-header --ts-from-order interactions_chrono.tsv\n"
	      "  lmrec-ingest --quality-report quality.tsv --quarantine aside.tsv \\\n"
	      "      -o interactions.tsv feed.tsv\n"
	      "\n"
	      "See lmrec-ingest(1).\n",
	      stdout);
	exit(0);
}

enum {
	OPT_KIND = CHAR_MAX + 1,
	OPT_FORMAT,
	OPT_SEP,
	OPT_HEADER,
	OPT_NO_HEADER,
	OPT_ENCODING,
	OPT_MAP,
	OPT_PRESET,
	OPT_SHOW_PRESET,
	OPT_LIST_SEP,
	OPT_EVENT,
	OPT_TS_FORMAT,
	OPT_TS_FROM_ORDER,
	OPT_TAGS,
	OPT_TAGS_MAP,
	OPT_MAX_BAD,
	OPT_PROGRESS,
	OPT_QUALITY_REPORT,
	OPT_QUARANTINE,
	OPT_FLAG_WEIGHT,
	OPT_CHECKS,
	OPT_BURST_LIMIT,
	OPT_BOT_K,
	OPT_BOT_MIN_RATIO,
	OPT_FLOOD_USERS,
	OPT_FLOOD_SHARE,
	OPT_FLOOD_MIN
};

static const struct option long_options[] = {
	{"kind", required_argument, NULL, OPT_KIND},
	{"format", required_argument, NULL, OPT_FORMAT},
	{"sep", required_argument, NULL, OPT_SEP},
	{"header", no_argument, NULL, OPT_HEADER},
	{"no-header", no_argument, NULL, OPT_NO_HEADER},
	{"encoding", required_argument, NULL, OPT_ENCODING},
	{"map", required_argument, NULL, OPT_MAP},
	{"preset", required_argument, NULL, OPT_PRESET},
	{"show-preset", required_argument, NULL, OPT_SHOW_PRESET},
	{"list-sep", required_argument, NULL, OPT_LIST_SEP},
	{"event", required_argument, NULL, OPT_EVENT},
	{"ts-format", required_argument, NULL, OPT_TS_FORMAT},
	{"ts-from-order", no_argument, NULL, OPT_TS_FROM_ORDER},
	{"tags", required_argument, NULL, OPT_TAGS},
	{"tags-map", required_argument, NULL, OPT_TAGS_MAP},
	{"max-bad", required_argument, NULL, OPT_MAX_BAD},
	{"quality-report", required_argument, NULL, OPT_QUALITY_REPORT},
	{"quarantine", required_argument, NULL, OPT_QUARANTINE},
	{"flag-weight", no_argument, NULL, OPT_FLAG_WEIGHT},
	{"checks", required_argument, NULL, OPT_CHECKS},
	{"burst-limit", required_argument, NULL, OPT_BURST_LIMIT},
	{"bot-k", required_argument, NULL, OPT_BOT_K},
	{"bot-min-ratio", required_argument, NULL, OPT_BOT_MIN_RATIO},
	{"flood-users", required_argument, NULL, OPT_FLOOD_USERS},
	{"flood-share", required_argument, NULL, OPT_FLOOD_SHARE},
	{"flood-min", required_argument, NULL, OPT_FLOOD_MIN},
	{"output", required_argument, NULL, 'o'},
	{"quiet", no_argument, NULL, 'q'},
	{"verbose", no_argument, NULL, 'v'},
	{"progress", no_argument, NULL, OPT_PROGRESS},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

static int pick(const char *opt, const char *arg, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(arg, names[i]) == 0)
			return i;
	char *list = lmrec_xstrdup(names[0]);
	for (int i = 1; i < n; i++) {
		char *l = lmrec_xasprintf("%s%s%s", list, i == n - 1 ? " or " : ", ", names[i]);
		free(list);
		list = l;
	}
	lmrec_usage_error("invalid value for %s: '%s' (expected %s)", opt, arg, list);
}

static const struct preset *find_preset(const char *name)
{
	for (size_t i = 0; i < NPRESETS; i++)
		if (strcmp(presets[i].name, name) == 0)
			return &presets[i];
	return NULL;
}

static void show_preset(const struct preset *p)
{
	printf("%s: --kind %s --format %s %s --encoding %s --map '%s'\n", p->name,
	       kind_names[p->kind], format_names[p->format], p->header ? "--header" : "--no-header",
	       encoding_names[p->encoding], p->map);
}

/* ---- inputs: how each file is read ---- */

struct input {
	const char *path;
	struct lmrec_src_opts so;
	enum kind kind;
	const char *map; /* mapping text, NULL: columns by name or in canonical order */
	const char *map_origin; /* "--map" or "preset NAME", for messages */
};

static int ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

static void resolve_input(const struct opts *o, const char *path, const char *map, struct input *in)
{
	in->path = path;
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t blen = strlen(base);
	if (ends_with(base, blen, ".gz"))
		blen -= 3;
	char *name = lmrec_xstrndup(base, blen);
	const struct preset *p = o->preset;
	if (!p && strcmp(path, "-") != 0)
		p = find_preset(name);
	enum format f;
	if (o->format >= 0)
		f = (enum format)o->format;
	else if (p)
		f = p->format;
	else if (ends_with(name, blen, ".csv"))
		f = F_CSV;
	else if (ends_with(name, blen, ".dat"))
		f = F_DAT;
	else
		f = F_TSV;
	if (o->format < 0 && o->sep && f == F_TSV)
		f = F_RAW; /* --sep alone: a separated file that is not CSV */
	const struct preset *fp = o->format < 0 ? p : NULL; /* the preset's reading options */
	in->so.format = f == F_TSV ? LMREC_SRC_TSV : f == F_CSV ? LMREC_SRC_CSV : LMREC_SRC_RAW;
	const char *sep = f == F_CSV ? "," : f == F_DAT ? "::" : f == F_PIPE ? "|" : "\t";
	if (o->sep) {
		if (f != F_CSV && f != F_RAW)
			lmrec_usage_error("--sep goes with --format csv or raw, not %s", format_names[f]);
		if (f == F_CSV && strlen(o->sep) != 1)
			lmrec_usage_error("invalid value for --sep: '%s' (a CSV delimiter is one byte)",
					  o->sep);
		sep = o->sep;
	}
	strcpy(in->so.sep, sep); /* checked: one or two bytes */
	in->so.header = o->header >= 0 ? o->header : fp ? fp->header : (f == F_CSV || f == F_TSV);
	in->so.encoding = o->encoding >= 0 ? (enum lmrec_src_encoding)o->encoding
			  : fp ? fp->encoding : f == F_DAT ? LMREC_ENC_AUTO : LMREC_ENC_UTF8;
	in->map = map;
	in->map_origin = "--map";
	if (!map && p) {
		in->map = p->map;
		in->map_origin = p->name;
	}
	if (o->kind >= 0)
		in->kind = (enum kind)o->kind;
	else
		in->kind = p ? p->kind : K_INTER;
	if (o->kind >= 0 && !map && p && p->kind != (enum kind)o->kind)
		lmrec_usage_error("%s is read as %s by its preset; give --map to read it as %s", path,
				  kind_names[p->kind], kind_names[o->kind]);
	free(name);
}

/* ---- the plan: where each output column comes from ---- */

enum vtype { V_NONE, V_COL, V_LIT };
struct val {
	enum vtype t;
	size_t col;       /* V_COL: 0-based column */
	char *lit;        /* V_LIT: escaped text */
	size_t litlen;
	char *name;       /* for messages: the source column, or the target of a literal */
};

struct plan {
	enum kind kind;
	struct val v[7];  /* the canonical columns of the kind, in kind_cols order */
	struct val genres;
	size_t flag_lo, nflags; /* genre_flags: columns flag_lo .. flag_lo+nflags-1 */
	char **flag_names;      /* (nflags) escaped */
	struct val *extra;      /* (nextra) extra columns in output order */
	char **extra_names;
	size_t nextra;
	int event_rating;       /* event defaults to "rating" */
	char *header;           /* the output header line, without LF */
};

static void val_free(struct val *v)
{
	free(v->lit);
	free(v->name);
}

static void plan_free(struct plan *p)
{
	for (size_t i = 0; i < 7; i++)
		val_free(&p->v[i]);
	val_free(&p->genres);
	for (size_t i = 0; i < p->nflags; i++)
		free(p->flag_names[i]);
	free(p->flag_names);
	for (size_t i = 0; i < p->nextra; i++) {
		val_free(&p->extra[i]);
		free(p->extra_names[i]);
	}
	free(p->extra);
	free(p->extra_names);
	free(p->header);
	memset(p, 0, sizeof *p);
}

static long std_index(enum kind k, const char *target)
{
	for (long i = 0; kind_cols[k][i]; i++)
		if (strcmp(kind_cols[k][i], target) == 0)
			return i;
	return -1;
}

static char *escape_text(const char *s)
{
	size_t n = strlen(s);
	char *e = lmrec_xmalloc(2 * n + 1), *d = e;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		const char *x = c == '\t' ? "\\t" : c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\\' ? "\\\\" : NULL;
		if (x) {
			*d++ = x[0];
			*d++ = x[1];
		} else {
			*d++ = c;
		}
	}
	*d = '\0';
	return e;
}

static void set_col(struct val *v, const struct lmrec_src *s, size_t col)
{
	char tmp[32];
	v->t = V_COL;
	v->col = col;
	v->name = lmrec_xstrdup(lmrec_src_colname(s, col, tmp));
}

static void set_lit(struct val *v, const char *target, const char *text)
{
	if (!lmrec_utf8_valid(text, strlen(text), NULL))
		lmrec_usage_error("the literal of '%s' is not valid UTF-8", target);
	v->t = V_LIT;
	v->lit = escape_text(text);
	v->litlen = strlen(v->lit);
	v->name = lmrec_xstrdup(target);
}

/* Binds one pair of a map to the source's columns. */
static void bind_pair(struct val *v, const struct lmrec_colmap_pair *pr, const struct lmrec_src *s,
		      const struct input *in)
{
	switch (pr->kind) {
	case LMREC_COLMAP_LITERAL:
		set_lit(v, pr->target, pr->text);
		return;
	case LMREC_COLMAP_NUMBER:
		set_col(v, s, pr->lo - 1);
		return;
	case LMREC_COLMAP_RANGE:
		lmrec_usage_error("%s: '%s' takes one column, not the range %zu-%zu", in->map_origin,
				  pr->target, pr->lo, pr->hi);
	case LMREC_COLMAP_NAME:
		break;
	}
	if (!s->cols)
		lmrec_usage_error("%s has no header: '%s=%s' of %s must number the column", s->display,
				  pr->target, pr->text, in->map_origin);
	long c = lmrec_src_col(s, pr->text);
	if (c == -1)
		lmrec_die_at(s->display, 1, "no column '%s' in the header", pr->text);
	if (c == -2)
		lmrec_die_at(s->display, 1, "column '%s' appears twice in the header", pr->text);
	set_col(v, s, (size_t)c);
}

static int valid_name(const char *s)
{
	if (*s < 'a' || *s > 'z')
		return 0;
	for (s++; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

static void add_extra(struct plan *p, const char *name, struct val v)
{
	p->extra = lmrec_xreallocarray(p->extra, p->nextra + 1, sizeof *p->extra);
	p->extra_names = lmrec_xreallocarray(p->extra_names, p->nextra + 1, sizeof *p->extra_names);
	p->extra[p->nextra] = v;
	p->extra_names[p->nextra] = lmrec_xstrdup(name);
	p->nextra++;
}

/* Names of the genre flag columns: the header's, u.genre beside the
 * file, or MovieLens-100K's 19 genres. */
static void flag_names(struct plan *p, const struct lmrec_src *s, const struct input *in)
{
	p->flag_names = lmrec_xcalloc(p->nflags, sizeof *p->flag_names);
	if (s->cols) {
		for (size_t k = 0; k < p->nflags; k++)
			p->flag_names[k] = lmrec_xstrdup(s->cols[p->flag_lo + k]);
		return;
	}
	const char *slash = strrchr(in->path, '/');
	char *gpath = lmrec_xasprintf("%.*su.genre", slash ? (int)(slash - in->path + 1) : 0, in->path);
	struct stat st;
	if (strcmp(in->path, "-") != 0 && stat(gpath, &st) == 0) {
		struct lmrec_src_opts go = {LMREC_SRC_RAW, "|", 0, LMREC_ENC_LATIN1};
		struct lmrec_src *g = lmrec_src_open(gpath, &go);
		size_t n = 0;
		int rc;
		while ((rc = lmrec_src_read(g)) != 0) {
			if (rc < 0)
				lmrec_die_at(g->display, g->err_line, "%s", g->err);
			uint64_t idx;
			if (g->nf != 2 || lmrec_parse_u64(g->f[1].p, g->f[1].len, &idx) != 0 ||
			    idx >= p->nflags || p->flag_names[idx])
				lmrec_die_at(g->display, g->lineno,
					     "not 'genre|index' with a new index below %zu (the columns "
					     "of genre_flags)", p->nflags);
			p->flag_names[idx] = lmrec_xstrndup(g->f[0].p, g->f[0].len);
			n++;
		}
		if (n != p->nflags)
			lmrec_die_at(g->display, g->lineno, "%zu genres for the %zu columns of genre_flags", n,
				     p->nflags);
		lmrec_src_close(g);
	} else if (p->nflags == NML100K) {
		for (size_t k = 0; k < NML100K; k++)
			p->flag_names[k] = lmrec_xstrdup(ml100k_genres[k]);
	} else {
		lmrec_usage_error("genre_flags of %s: no names for its %zu columns (no header, no %s, and "
				  "not the %zu MovieLens genres)", s->display, p->nflags, gpath, NML100K);
	}
	free(gpath);
}

/* With no map: columns by their header names, or else in canonical order. */
static void bind_identity(struct plan *p, const struct lmrec_src *s, const struct opts *o)
{
	if (s->cols) {
		for (size_t c = 0; c < s->ncols; c++) {
			if (lmrec_src_col(s, s->cols[c]) == -2)
				lmrec_die_at(s->display, 1, "column '%s' appears twice in the header",
					     s->cols[c]);
			long i = std_index(p->kind, s->cols[c]);
			if (i == 2 && p->kind == K_INTER && o->ts_from_order)
				lmrec_usage_error("%s has a ts column, which --ts-from-order would replace",
						  s->display);
			if (i >= 0) {
				set_col(&p->v[i], s, c);
				continue;
			}
			if (!valid_name(s->cols[c]))
				lmrec_die_at(s->display, 1, "header: column %zu: '%s' is not a column name "
							    "(give --map)", c + 1, s->cols[c]);
			struct val v = {V_NONE, 0, NULL, 0, NULL};
			set_col(&v, s, c);
			add_extra(p, s->cols[c], v);
		}
		for (size_t i = 0; kind_cols[p->kind][i]; i++)
			if (p->v[i].t == V_NONE && (i == 0 || (p->kind == K_INTER && i <= 2)) &&
			    !(i == 2 && o->ts_from_order))
				lmrec_die_at(s->display, 1, "no column '%s' in the header", kind_cols[p->kind][i]);
		return;
	}
	/* no header: the canonical columns in order (ts left out with --ts-from-order),
	 * as many as there are, and at least the required ones */
	size_t c = 0;
	int inter = p->kind == K_INTER;
	for (size_t i = 0; kind_cols[p->kind][i]; i++) {
		if (inter && i == 2 && o->ts_from_order)
			continue;
		if (c >= s->width && !(i == 0 || (inter && i <= 2)))
			break;
		if (p->kind == K_USERS && i > 0)
			break;
		set_col(&p->v[i], s, c++);
	}
	if (s->width > c)
		lmrec_die_at(s->display, s->lineno, "%zu columns and no header: give --map", s->width);
}

static void bind_map(struct plan *p, const struct lmrec_colmap *m, const struct lmrec_src *s,
		     const struct input *in, const struct opts *o)
{
	for (size_t j = 0; j < m->n; j++) {
		const struct lmrec_colmap_pair *pr = &m->p[j];
		long i = std_index(p->kind, pr->target);
		if (i >= 0) {
			if (i == 2 && p->kind == K_INTER && o->ts_from_order)
				lmrec_usage_error("%s maps ts, which --ts-from-order replaces", in->map_origin);
			bind_pair(&p->v[i], pr, s, in);
			if (i == 3 && p->kind == K_INTER && pr->kind == LMREC_COLMAP_NAME &&
			    strcasecmp(pr->text, "rating") == 0)
				p->event_rating = 1;
		} else if (p->kind == K_ITEMS && strcmp(pr->target, "genres") == 0) {
			bind_pair(&p->genres, pr, s, in);
		} else if (p->kind == K_ITEMS && strcmp(pr->target, "genre_flags") == 0) {
			if (pr->kind == LMREC_COLMAP_LITERAL)
				lmrec_usage_error("%s: genre_flags takes columns, not a literal", in->map_origin);
			size_t lo = pr->lo, hi = pr->hi;
			if (pr->kind == LMREC_COLMAP_NAME) {
				struct val v = {V_NONE, 0, NULL, 0, NULL};
				bind_pair(&v, pr, s, in);
				lo = hi = v.col + 1;
				val_free(&v);
			}
			p->flag_lo = lo - 1;
			p->nflags = hi - lo + 1;
			if (s->cols && hi > s->ncols)
				lmrec_die_at(s->display, 1, "genre_flags=%zu-%zu: the header has %zu columns", lo,
					     hi, s->ncols);
			flag_names(p, s, in);
		} else {
			struct val v = {V_NONE, 0, NULL, 0, NULL};
			bind_pair(&v, pr, s, in);
			add_extra(p, pr->target, v);
		}
	}
}

/* A map must give the required columns of its kind (checked before any input is read). */
static void check_map(const struct input *in, const struct opts *o)
{
	if (!in->map)
		return;
	struct lmrec_colmap m;
	char *err;
	if (lmrec_colmap_parse(in->map, &m, &err) != 0)
		lmrec_usage_error("invalid value for --map: %s", err);
	const char *need = NULL;
	if (!lmrec_colmap_get(&m, kind_cols[in->kind][0]))
		need = kind_cols[in->kind][0];
	else if (in->kind == K_INTER && !lmrec_colmap_get(&m, "item"))
		need = "item";
	else if (in->kind == K_INTER && !o->ts_from_order && !lmrec_colmap_get(&m, "ts"))
		need = "ts";
	lmrec_colmap_free(&m);
	if (need)
		lmrec_usage_error("%s maps no '%s'%s", in->map_origin, need,
				  strcmp(need, "ts") == 0 ? " (or give --ts-from-order)" : "");
}

/* Builds the plan of one input once its header (or first row) is known. */
static void make_plan(struct plan *p, enum kind kind, const struct lmrec_src *s,
		      const struct input *in, const struct opts *o)
{
	memset(p, 0, sizeof *p);
	p->kind = kind;
	if (in->map) {
		struct lmrec_colmap m;
		char *err;
		if (lmrec_colmap_parse(in->map, &m, &err) != 0)
			lmrec_usage_error("invalid value for --map: %s", err);
		bind_map(p, &m, s, in, o);
		lmrec_colmap_free(&m);
	} else {
		bind_identity(p, s, o);
	}
	if (kind == K_INTER && o->event) { /* it replaces a literal event, not a column */
		if (p->v[4].t == V_COL)
			lmrec_usage_error("--event and the event column of %s exclude each other",
					  s->display);
		val_free(&p->v[4]);
		set_lit(&p->v[4], "event", o->event);
	}
	if (kind == K_INTER && p->v[4].t == V_NONE && p->event_rating)
		set_lit(&p->v[4], "event", "rating");
	/* the output header */
	size_t cap = 0, len = 0;
	char *h = NULL;
	for (size_t i = 0; kind_cols[kind][i]; i++) {
		if (kind == K_ITEMS && i >= 5 && p->v[i].t == V_NONE)
			continue;
		const char *c = kind_cols[kind][i];
		LMREC_GROW(h, cap, len + strlen(c) + 2);
		len += (size_t)sprintf(h + len, "%s%s", len ? "\t" : "", c);
	}
	for (size_t i = 0; i < p->nextra; i++) {
		const char *c = p->extra_names[i];
		LMREC_GROW(h, cap, len + strlen(c) + 2);
		len += (size_t)sprintf(h + len, "\t%s", c);
	}
	p->header = h;
}

/* ---- checking and writing rows ---- */

/* Interactions seen so far, to find repeated rows: open addressing over
 * (user, item, ts, rest), rest = the index of the event and extra columns'
 * text; where = input << 40 | line (never 0). */
struct dup_ent {
	uint32_t user, item, rest;
	int64_t ts;
	uint64_t where;
};
struct dups {
	struct dup_ent *t; /* (cap) a power of two */
	size_t cap, n;
};

static size_t dup_slot(const struct dups *d, uint32_t u, uint32_t i, uint32_t rest, int64_t ts)
{
	uint64_t h = (uint64_t)u * 0x9E3779B97F4A7C15u ^ ((uint64_t)i << 32 | rest) * 0xC2B2AE3D27D4EB4Fu ^
		     (uint64_t)ts * 0x165667B19E3779F9u;
	h ^= h >> 29;
	h *= 0xBF58476D1CE4E5B9u;
	h ^= h >> 32;
	size_t k = (size_t)h & (d->cap - 1);
	while (d->t[k].where && !(d->t[k].user == u && d->t[k].item == i && d->t[k].ts == ts &&
				  d->t[k].rest == rest))
		k = (k + 1) & (d->cap - 1);
	return k;
}

/* 0 when the row is new (and now recorded), else where it was seen first. */
static uint64_t dup_check(struct dups *d, uint32_t u, uint32_t i, uint32_t rest, int64_t ts,
			  uint64_t where)
{
	if (4 * (d->n + 1) > 3 * d->cap) {
		struct dups g = {NULL, d->cap ? 2 * d->cap : 1024, d->n};
		g.t = lmrec_xcalloc(g.cap, sizeof *g.t);
		for (size_t k = 0; k < d->cap; k++)
			if (d->t[k].where)
				g.t[dup_slot(&g, d->t[k].user, d->t[k].item, d->t[k].rest, d->t[k].ts)] = d->t[k];
		free(d->t);
		*d = g;
	}
	size_t k = dup_slot(d, u, i, rest, ts);
	if (d->t[k].where)
		return d->t[k].where;
	d->t[k] = (struct dup_ent){u, i, rest, ts, where};
	d->n++;
	return 0;
}

/* Each item's tags, from --tags: deduplicated (ignoring ASCII case), joined by ", ". */
struct tags {
	struct lmrec_ids *items;
	struct lmrec_ids *seen; /* item index + lower-case tag */
	char **text;            /* (ncap) each item's tags, escaped */
	size_t *len, *cap;      /* (ncap) their lengths and capacities */
	size_t ncap;
};

struct ctx {
	const struct opts *o;
	struct lmrec_out *out;
	struct lmrec_ids *users, *items; /* the ids written, by kind */
	struct lmrec_ids *rests;         /* interactions: event and extra columns' texts */
	uint64_t *first;                 /* items, users: where each id was first written */
	size_t firstcap;
	struct dups dups;
	char **names;                    /* (ninputs) display names, for "where" */
	size_t input;                    /* the current input */
	uint64_t nbad, ndup, nrows, order;
	struct tags *tags;
	uint64_t ntagged;
	struct lmrec_field *xf, *gen;    /* a row's extra fields (xcap), genres (ngen, gcap) */
	size_t xcap, ngen, gcap;
	char *key;                       /* (keycap) scratch */
	size_t keycap;
	/* data quality */
	struct lmrec_quality *q;         /* NULL: no checks */
	struct lmrec_out *dest;          /* where rows go: out, or the spool's buffer */
	FILE *spool;                     /* --quarantine, --flag-weight: every row, until routed */
	struct lmrec_out *qout;          /* --quarantine */
	const char *dup_action;          /* "dropped" or "quarantined" */
	uint64_t nquar, ndown;           /* rows quarantined (duplicates apart), down-weighted */
};

/* ---- the spool: with --quarantine or --flag-weight every row waits in a
 * temporary file until the checks have seen them all ---- */

#define SPOOL_CHUNK ((size_t)1 << 20) /* bytes formatted in memory between writes */

/* An anonymous file under TMPDIR: its name is removed at once, so nothing
 * is left behind however the run ends. */
static FILE *spool_open(void)
{
	const char *dir = getenv("TMPDIR");
	char *path = lmrec_xasprintf("%s/lmrec-ingest.XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0)
		lmrec_die(LMREC_EXIT_FAIL, "%s: cannot create a temporary file:", path);
	unlink(path);
	FILE *fp = fdopen(fd, "w+b");
	if (!fp)
		lmrec_die(LMREC_EXIT_FAIL, "%s: fdopen:", path);
	free(path);
	return fp;
}

static void spool_write(struct ctx *c)
{
	if (c->dest->len && fwrite(c->dest->buf, 1, c->dest->len, c->spool) != c->dest->len)
		lmrec_die(LMREC_EXIT_FAIL, "temporary file: write:");
	lmrec_out_mem_reset(c->dest);
}

static void put_where(const struct ctx *c, uint64_t where, char **file, size_t *line)
{
	*file = c->names[where >> 40];
	*line = (size_t)(where & ((UINT64_C(1) << 40) - 1));
}

/* A bad row: a warning while --max-bad allows, else the error (exit 65). */
LMREC_PRINTF(5, 6)
static int bad_row(struct ctx *c, const char *file, size_t line, const char *col, const char *fmt, ...)
{
	int fatal = ++c->nbad > c->o->max_bad;
	fprintf(stderr, "%s: %s%s:%zu: ", lmrec_progname(), fatal ? "" : "warning: ", file, line);
	if (col)
		fprintf(stderr, "column '%s': ", col);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (!fatal) {
		fputs(" (row skipped)\n", stderr);
		return -1;
	}
	if (c->o->max_bad)
		fprintf(stderr, " (bad row %llu, over --max-bad %llu)", (unsigned long long)c->nbad,
			(unsigned long long)c->o->max_bad);
	fputc('\n', stderr);
	lmrec_cleanup();
	exit(LMREC_EXIT_DATA);
}

static int src_bad(struct ctx *c, const struct lmrec_src *s)
{
	char tmp[32];
	return bad_row(c, s->display, s->err_line,
		       s->err_col >= 0 ? lmrec_src_colname(s, (size_t)s->err_col, tmp) : NULL, "%s", s->err);
}

/* Values are quoted in messages up to 40 bytes. */
#define SHOWN(f) (int)((f).len > 40 ? 40 : (f).len), (f).p, (f).len > 40 ? "..." : ""

static int get(struct ctx *c, const struct lmrec_src *s, const struct val *v, struct lmrec_field *f)
{
	if (v->t == V_LIT) {
		f->p = v->lit;
		f->len = v->litlen;
	} else if (v->t == V_NONE) {
		f->p = "";
		f->len = 0;
	} else if (v->col < s->nf) {
		*f = s->f[v->col];
	} else {
		return bad_row(c, s->display, s->lineno, v->name, "missing (the line has %zu field%s)",
			       s->nf, s->nf == 1 ? "" : "s");
	}
	return 0;
}

static int get_id(struct ctx *c, const struct lmrec_src *s, const struct val *v, struct lmrec_field *f,
		  const char *what)
{
	if (get(c, s, v, f) != 0)
		return -1;
	if (f->len == 0)
		return bad_row(c, s->display, s->lineno, v->name, "empty where %s id is needed", what);
	return 0;
}

static int get_ts(struct ctx *c, const struct lmrec_src *s, const struct val *v, int64_t *ts)
{
	struct lmrec_field f;
	if (get(c, s, v, &f) != 0)
		return -1;
	if (f.len == 0)
		return bad_row(c, s->display, s->lineno, v->name, "empty where a time is needed");
	if (c->o->ts_format) {
		if (lmrec_datetime_parse(c->o->ts_format, f.p, f.len, ts) == 0)
			return 0;
		return bad_row(c, s->display, s->lineno, v->name, "'%.*s%s' does not match --ts-format '%s'",
			       SHOWN(f), c->o->ts_format);
	}
	if (lmrec_parse_i64(f.p, f.len, ts) == 0)
		return 0;
	return bad_row(c, s->display, s->lineno, v->name, "'%.*s%s' is not an integer", SHOWN(f));
}

/* A float in the shortest form that reads back the same (at most %.9g). */
static void put_float(struct lmrec_out *out, float w)
{
	if (w == (float)(int32_t)w && w > -1e7f && w < 1e7f) {
		lmrec_out_i64(out, (int64_t)w);
		return;
	}
	char buf[48];
	int n = 0;
	for (int prec = 6; prec <= 9; prec++) {
		n = snprintf(buf, sizeof buf, "%.*g", prec, (double)w);
		if (strtof(buf, NULL) == w)
			break;
	}
	lmrec_out_write(out, buf, (size_t)n);
}

static void write_fields(struct lmrec_out *out, const struct lmrec_field *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		lmrec_out_tab(out);
		lmrec_out_write(out, f[i].p, f[i].len);
	}
}

static int get_extras(struct ctx *c, const struct lmrec_src *s, const struct plan *p)
{
	LMREC_GROW(c->xf, c->xcap, p->nextra + 1);
	for (size_t i = 0; i < p->nextra; i++)
		if (get(c, s, &p->extra[i], &c->xf[i]) != 0)
			return -1;
	return 0;
}

static void warn_dup(struct ctx *c, const struct lmrec_src *s, uint64_t first, const char *fmt, ...)
	LMREC_PRINTF(4, 5);
static void warn_dup(struct ctx *c, const struct lmrec_src *s, uint64_t first, const char *fmt, ...)
{
	if (++c->ndup > DUP_SHOWN && !c->o->verbose)
		return;
	char *file;
	size_t line;
	put_where(c, first, &file, &line);
	fprintf(stderr, "%s: warning: %s:%zu: ", lmrec_progname(), s->display, s->lineno);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (first at %s:%zu): row %s\n", file, line, c->dup_action);
}

static uint64_t where_now(const struct ctx *c, const struct lmrec_src *s)
{
	return (uint64_t)c->input << 40 | (uint64_t)s->lineno;
}

/* An id written once: 0 when new, else where it was first written. */
static uint64_t seen_before(struct ctx *c, struct lmrec_ids *ids, struct lmrec_field id, uint64_t where)
{
	size_t before = lmrec_ids_count(ids);
	uint32_t k = lmrec_ids_intern(ids, id.p, id.len);
	if (k < before)
		return c->first[k];
	LMREC_GROW(c->first, c->firstcap, (size_t)k + 1);
	c->first[k] = where;
	return 0;
}

static void inter_row(struct ctx *c, const struct lmrec_src *s, const struct plan *p)
{
	struct lmrec_field user, item, wf, event;
	int64_t ts = (int64_t)c->order;
	float w = 1;
	if (get_id(c, s, &p->v[0], &user, "a user") != 0 || get_id(c, s, &p->v[1], &item, "an item") != 0)
		return;
	if (!c->o->ts_from_order && get_ts(c, s, &p->v[2], &ts) != 0)
		return;
	if (get(c, s, &p->v[3], &wf) != 0)
		return;
	if (wf.len && lmrec_parse_float(wf.p, wf.len, &w) != 0) {
		bad_row(c, s->display, s->lineno, p->v[3].name, "'%.*s%s' is not a finite number", SHOWN(wf));
		return;
	}
	if (get(c, s, &p->v[4], &event) != 0 || get_extras(c, s, p) != 0)
		return;
	uint32_t u = lmrec_ids_intern(c->users, user.p, user.len);
	uint32_t i = lmrec_ids_intern(c->items, item.p, item.len);
	uint32_t rest = 0;
	int dup = 0;
	if (!c->o->ts_from_order || c->q) {
		/* the rest of the row, but the weight: event TAB extra TAB ... */
		size_t len = event.len;
		for (size_t k = 0; k < p->nextra; k++)
			len += 1 + c->xf[k].len;
		LMREC_GROW(c->key, c->keycap, len + 1);
		memcpy(c->key, event.p, event.len);
		len = event.len;
		for (size_t k = 0; k < p->nextra; k++) {
			c->key[len++] = '\t';
			memcpy(c->key + len, c->xf[k].p, c->xf[k].len);
			len += c->xf[k].len;
		}
		rest = lmrec_ids_intern(c->rests, c->key, len);
	}
	if (!c->o->ts_from_order) {
		uint64_t first = dup_check(&c->dups, u, i, rest, ts, where_now(c, s));
		if (first) {
			warn_dup(c, s, first, "duplicate row (user '%.*s', item '%.*s', ts %lld)",
				 (int)user.len, user.p, (int)item.len, item.p, (long long)ts);
			dup = 1;
		}
	}
	if (c->q)
		lmrec_quality_add(c->q, u, i, rest, ts, dup);
	if (dup && !c->spool)
		return;
	struct lmrec_out *out = c->dest;
	lmrec_out_write(out, user.p, user.len);
	lmrec_out_tab(out);
	lmrec_out_write(out, item.p, item.len);
	lmrec_out_tab(out);
	lmrec_out_i64(out, ts);
	lmrec_out_tab(out);
	put_float(out, w);
	lmrec_out_tab(out);
	lmrec_out_write(out, event.p, event.len);
	write_fields(out, c->xf, p->nextra);
	lmrec_out_eol(out);
	if (c->spool) {
		if (out->len >= SPOOL_CHUNK)
			spool_write(c);
	} else {
		c->nrows++;
	}
}

/* Adds a genre of the row unless it is a placeholder or there already. */
static int add_genre(struct ctx *c, const struct lmrec_src *s, const struct val *v, const char *g,
		     size_t n)
{
	if (n == 0 || placeholder_genre(g, n))
		return 0;
	if (memchr(g, ';', n))
		return bad_row(c, s->display, s->lineno, v->name,
			       "genre '%.*s' holds ';', which attrs cannot hold", (int)n, g);
	for (size_t k = 0; k < c->ngen; k++)
		if (c->gen[k].len == n && memcmp(c->gen[k].p, g, n) == 0)
			return 0;
	LMREC_GROW(c->gen, c->gcap, c->ngen + 1);
	c->gen[c->ngen].p = g;
	c->gen[c->ngen].len = n;
	c->ngen++;
	return 0;
}

static int row_genres(struct ctx *c, const struct lmrec_src *s, const struct plan *p)
{
	c->ngen = 0;
	if (p->genres.t != V_NONE) {
		struct lmrec_field f;
		if (get(c, s, &p->genres, &f) != 0)
			return -1;
		const char *sep = c->o->list_sep;
		size_t seplen = strlen(sep), start = 0;
		for (size_t i = 0; i + seplen <= f.len; i++)
			if (memcmp(f.p + i, sep, seplen) == 0) {
				if (add_genre(c, s, &p->genres, f.p + start, i - start) != 0)
					return -1;
				start = i + seplen;
				i += seplen - 1;
			}
		if (add_genre(c, s, &p->genres, f.p + start, f.len - start) != 0)
			return -1;
	}
	for (size_t k = 0; k < p->nflags; k++) {
		size_t col = p->flag_lo + k;
		char tmp[32];
		const char *name = lmrec_src_colname(s, col, tmp);
		if (col >= s->nf)
			return bad_row(c, s->display, s->lineno, name, "missing (the line has %zu fields)",
				       s->nf);
		struct lmrec_field f = s->f[col];
		if (f.len != 1 || (f.p[0] != '0' && f.p[0] != '1'))
			return bad_row(c, s->display, s->lineno, name, "'%.*s%s' is not 0 or 1", SHOWN(f));
		if (f.p[0] == '1') {
			struct val v = {V_COL, col, NULL, 0, (char *)name};
			if (add_genre(c, s, &v, p->flag_names[k], strlen(p->flag_names[k])) != 0)
				return -1;
		}
	}
	return 0;
}

static void item_row(struct ctx *c, const struct lmrec_src *s, const struct plan *p)
{
	struct lmrec_field f[7];
	if (get_id(c, s, &p->v[0], &f[0], "an item") != 0)
		return;
	for (size_t i = 1; i < 7; i++)
		if (get(c, s, &p->v[i], &f[i]) != 0)
			return;
	size_t at, atlen;
	const char *why = lmrec_attrs_check(f[4].p, f[4].len, &at, &atlen);
	if (why) {
		bad_row(c, s->display, s->lineno, p->v[4].name, "attrs pair '%.*s': %s", (int)atlen,
			f[4].p + at, why);
		return;
	}
	if (f[6].len && (f[6].len != 1 || (f[6].p[0] != '0' && f[6].p[0] != '1'))) {
		bad_row(c, s->display, s->lineno, p->v[6].name, "'%.*s%s' is not 0 or 1", SHOWN(f[6]));
		return;
	}
	if (row_genres(c, s, p) != 0 || get_extras(c, s, p) != 0)
		return;
	uint64_t first = seen_before(c, c->items, f[0], where_now(c, s));
	if (first) {
		warn_dup(c, s, first, "duplicate item '%.*s'", (int)f[0].len, f[0].p);
		return;
	}
	struct lmrec_out *out = c->out;
	lmrec_out_write(out, f[0].p, f[0].len);
	lmrec_out_tab(out);
	lmrec_out_write(out, f[1].p, f[1].len);
	lmrec_out_tab(out);
	lmrec_out_write(out, f[2].p, f[2].len);
	if (c->tags) {
		int64_t t = lmrec_ids_find(c->tags->items, f[0].p, f[0].len);
		if (t >= 0) {
			if (f[2].len)
				lmrec_out_str(out, "\\n");
			lmrec_out_write(out, c->tags->text[t], c->tags->len[t]);
			c->ntagged++;
		}
	}
	lmrec_out_tab(out);
	if (p->v[3].t != V_NONE)
		lmrec_out_write(out, f[3].p, f[3].len);
	else if (c->ngen)
		lmrec_out_write(out, c->gen[0].p, c->gen[0].len);
	lmrec_out_tab(out);
	lmrec_out_write(out, f[4].p, f[4].len);
	for (size_t k = 0; k < c->ngen; k++) {
		if (k || f[4].len)
			lmrec_out_byte(out, ';');
		lmrec_out_str(out, "genre=");
		lmrec_out_write(out, c->gen[k].p, c->gen[k].len);
	}
	for (size_t i = 5; i < 7; i++)
		if (p->v[i].t != V_NONE) {
			lmrec_out_tab(out);
			lmrec_out_write(out, f[i].p, f[i].len);
		}
	write_fields(out, c->xf, p->nextra);
	lmrec_out_eol(out);
	c->nrows++;
}

static void user_row(struct ctx *c, const struct lmrec_src *s, const struct plan *p)
{
	struct lmrec_field user;
	if (get_id(c, s, &p->v[0], &user, "a user") != 0 || get_extras(c, s, p) != 0)
		return;
	uint64_t first = seen_before(c, c->users, user, where_now(c, s));
	if (first) {
		warn_dup(c, s, first, "duplicate user '%.*s'", (int)user.len, user.p);
		return;
	}
	lmrec_out_write(c->out, user.p, user.len);
	write_fields(c->out, c->xf, p->nextra);
	lmrec_out_eol(c->out);
	c->nrows++;
}

/* ---- --tags: each item's tags ---- */

static void tag_add(struct ctx *c, struct tags *t, struct lmrec_field item, struct lmrec_field tag)
{
	size_t n = lmrec_ids_count(t->items);
	uint32_t k = lmrec_ids_intern(t->items, item.p, item.len);
	if (k == n) { /* a new item */
		LMREC_GROW(t->text, t->ncap, n + 1);
		t->len = lmrec_xreallocarray(t->len, t->ncap, sizeof *t->len);
		t->cap = lmrec_xreallocarray(t->cap, t->ncap, sizeof *t->cap);
		t->text[k] = NULL;
		t->len[k] = t->cap[k] = 0;
	}
	/* the key: item index, then the tag in ASCII lower case */
	LMREC_GROW(c->key, c->keycap, tag.len + 4);
	memcpy(c->key, &k, 4);
	for (size_t i = 0; i < tag.len; i++) {
		char ch = tag.p[i];
		c->key[4 + i] = (char)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
	}
	size_t before = lmrec_ids_count(t->seen);
	if (lmrec_ids_intern(t->seen, c->key, tag.len + 4) < before)
		return;
	size_t need = t->len[k] + tag.len + 2;
	if (need > t->cap[k]) {
		t->cap[k] = need > 2 * t->cap[k] ? need : 2 * t->cap[k];
		t->text[k] = lmrec_xreallocarray(t->text[k], t->cap[k], 1);
	}
	if (t->len[k]) {
		memcpy(t->text[k] + t->len[k], ", ", 2);
		t->len[k] += 2;
	}
	memcpy(t->text[k] + t->len[k], tag.p, tag.len);
	t->len[k] += tag.len;
}

static struct tags *load_tags(struct ctx *c, const struct opts *o)
{
	/* The tags file is read by its own name, not by the main inputs' options. */
	struct opts to = {.kind = -1, .format = -1, .header = -1, .encoding = -1};
	struct input in;
	resolve_input(&to, o->tags, o->tags_map, &in);
	if (o->tags_map)
		in.map_origin = "--tags-map";
	struct lmrec_src *s = lmrec_src_open(o->tags, &in.so);
	struct val item = {V_NONE, 0, NULL, 0, NULL}, tag = {V_NONE, 0, NULL, 0, NULL};
	if (in.map) {
		struct lmrec_colmap m;
		char *err;
		if (lmrec_colmap_parse(in.map, &m, &err) != 0)
			lmrec_usage_error("invalid value for --tags-map: %s", err);
		const struct lmrec_colmap_pair *pi = lmrec_colmap_get(&m, "item");
		const struct lmrec_colmap_pair *pt = lmrec_colmap_get(&m, "tag");
		if (!pi || !pt)
			lmrec_usage_error("the tags map (%s) maps no '%s'", in.map_origin, pi ? "tag" : "item");
		bind_pair(&item, pi, s, &in);
		bind_pair(&tag, pt, s, &in);
		lmrec_colmap_free(&m);
	} else if (s->cols) {
		const char *need[2] = {"item", "tag"};
		struct val *v[2] = {&item, &tag};
		for (int i = 0; i < 2; i++) {
			long col = lmrec_src_col(s, need[i]);
			if (col < 0)
				lmrec_die_at(s->display, 1, "no column '%s' in the header", need[i]);
			set_col(v[i], s, (size_t)col);
		}
	} else {
		set_col(&item, s, 0);
		set_col(&tag, s, 1);
	}
	struct tags *t = lmrec_xcalloc(1, sizeof *t);
	t->items = lmrec_ids_new();
	t->seen = lmrec_ids_new();
	int rc;
	while ((rc = lmrec_src_read(s)) != 0) {
		struct lmrec_field fi, ft;
		if (rc < 0)
			src_bad(c, s);
		else if (get_id(c, s, &item, &fi, "an item") == 0 && get(c, s, &tag, &ft) == 0 && ft.len)
			tag_add(c, t, fi, ft);
	}
	lmrec_src_close(s);
	val_free(&item);
	val_free(&tag);
	return t;
}

static void tags_free(struct tags *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < lmrec_ids_count(t->items); i++)
		free(t->text[i]);
	free(t->text);
	free(t->len);
	free(t->cap);
	lmrec_ids_free(t->items);
	lmrec_ids_free(t->seen);
	free(t);
}

/* ---- routing the spooled rows once the checks are done ---- */

/* A spooled row with its weight (the fourth field) multiplied by f. */
static void put_weighted(struct lmrec_out *out, const char *line, size_t len, float f)
{
	const char *p = line, *end = line + len, *we = NULL;
	for (int k = 0; k < 4; k++) {
		const char *tab = memchr(p, '\t', (size_t)(end - p));
		if (!tab)
			lmrec_die(LMREC_EXIT_FAIL, "temporary file: a row lost its fields");
		if (k < 3)
			p = tab + 1;
		else
			we = tab;
	}
	float w;
	if (lmrec_parse_float(p, (size_t)(we - p), &w) != 0)
		lmrec_die(LMREC_EXIT_FAIL, "temporary file: a row lost its weight");
	lmrec_out_write(out, line, (size_t)(p - line));
	put_float(out, (float)((double)w * (double)f));
	lmrec_out_write(out, we, (size_t)(end - we));
}

/* Each spooled row, in input order, to the output, the quarantine, or
 * nowhere, its weight multiplied where --flag-weight says. */
static void route(struct ctx *c)
{
	FILE *fp = c->spool;
	spool_write(c);
	if (fflush(fp) != 0 || fseeko(fp, 0, SEEK_SET) != 0)
		lmrec_die(LMREC_EXIT_FAIL, "temporary file: rewind:");
	const struct lmrec_quality *q = c->q;
	char *line = NULL, why[64];
	size_t cap = 0, r = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, fp)) > 0 && r < q->total) {
		unsigned fl = q->flags[r];
		size_t len = (size_t)n; /* the LF included */
		if (c->qout && fl) {
			lmrec_out_write(c->qout, line, len - 1);
			lmrec_out_tab(c->qout);
			lmrec_out_write(c->qout, why, lmrec_quality_reasons(fl, why));
			lmrec_out_eol(c->qout);
			c->nquar += !(fl & LMREC_Q_DUP);
		} else if (!c->qout && (fl & (LMREC_Q_DUP | LMREC_Q_BURST))) {
			/* --flag-weight: repeats are dropped */
		} else if (!c->qout && q->factor[r] != 1.0f) {
			put_weighted(c->out, line, len, q->factor[r]);
			c->ndown++;
			c->nrows++;
		} else {
			lmrec_out_write(c->out, line, len);
			c->nrows++;
		}
		r++;
	}
	if (ferror(fp))
		lmrec_die(LMREC_EXIT_FAIL, "temporary file: read:");
	if (r != q->total || n > 0)
		lmrec_die(LMREC_EXIT_FAIL, "temporary file: %zu rows read back of %zu", r, q->total);
	free(line);
	fclose(fp);
	c->spool = NULL;
}

/* ---- the run ---- */

static void summary(const struct ctx *c, enum kind kind)
{
	fprintf(stderr, "%s: ", lmrec_progname());
	if (kind == K_INTER)
		fprintf(stderr, "%llu row%s, %zu user%s, %zu item%s", (unsigned long long)c->nrows,
			c->nrows == 1 ? "" : "s", lmrec_ids_count(c->users),
			lmrec_ids_count(c->users) == 1 ? "" : "s", lmrec_ids_count(c->items),
			lmrec_ids_count(c->items) == 1 ? "" : "s");
	else
		fprintf(stderr, "%llu %s", (unsigned long long)c->nrows,
			c->nrows == 1 ? (kind == K_ITEMS ? "item" : "user") : kind_names[kind]);
	if (c->tags)
		fprintf(stderr, ", %llu with tags", (unsigned long long)c->ntagged);
	if (c->ndup)
		fprintf(stderr, ", %llu duplicate%s %s", (unsigned long long)c->ndup,
			c->ndup == 1 ? "" : "s", c->dup_action);
	if (c->ndup > DUP_SHOWN && !c->o->verbose)
		fprintf(stderr, " (%d shown; -v shows all)", DUP_SHOWN);
	if (c->nbad)
		fprintf(stderr, ", %llu bad row%s skipped", (unsigned long long)c->nbad,
			c->nbad == 1 ? "" : "s");
	const struct lmrec_quality *q = c->q;
	if (q) {
		fprintf(stderr, "; quality: %llu burst row%s%s, %llu bot-like user%s, %llu flooded item%s",
			(unsigned long long)q->nburst, q->nburst == 1 ? "" : "s",
			c->o->flag_weight && q->nburst ? " dropped" : "", (unsigned long long)q->nbot_users,
			q->nbot_users == 1 ? "" : "s", (unsigned long long)q->nflood_items,
			q->nflood_items == 1 ? "" : "s");
		if (c->qout)
			fprintf(stderr, ", %llu row%s quarantined", (unsigned long long)c->nquar,
				c->nquar == 1 ? "" : "s");
		else if (c->o->flag_weight)
			fprintf(stderr, ", %llu row%s down-weighted", (unsigned long long)c->ndown,
				c->ndown == 1 ? "" : "s");
	}
	fputc('\n', stderr);
	if (q && c->o->verbose && (q->o.checks & LMREC_Q_BOT) && q->nusers)
		fprintf(stderr, "%s: quality: the median user has %.4g rows; bot-like above %llu rows\n",
			lmrec_progname(), q->median_rows, (unsigned long long)q->bot_threshold);
}

static char *tabs_to_spaces(const char *h)
{
	char *s = lmrec_xstrdup(h);
	for (char *p = s; *p; p++)
		if (*p == '\t')
			*p = ' ';
	return s;
}

static int run(const struct opts *o, char **files, size_t nfiles)
{
	char *dash[1] = {(char *)"-"};
	if (nfiles == 0) {
		files = dash;
		nfiles = 1;
	}
	/* Every input's reading options first, so usage errors come before any output. */
	struct input *in = lmrec_xcalloc(nfiles, sizeof *in);
	for (size_t i = 0; i < nfiles; i++) {
		resolve_input(o, files[i], o->map, &in[i]);
		check_map(&in[i], o);
		if (in[i].kind != in[0].kind)
			lmrec_usage_error("%s holds %s and %s %s: give --kind and --map", files[0],
					  kind_names[in[0].kind], files[i], kind_names[in[i].kind]);
	}
	enum kind kind = in[0].kind;
	if (kind != K_INTER && (o->quality_report || o->quarantine || o->flag_weight))
		lmrec_usage_error("--quality-report, --quarantine and --flag-weight are for "
				  "interactions, not %s", kind_names[kind]);
	if (kind != K_INTER && (o->event || o->ts_format || o->ts_from_order))
		lmrec_usage_error("--event, --ts-format and --ts-from-order are for interactions, "
				  "not %s", kind_names[kind]);
	if (kind != K_ITEMS && (o->tags || strcmp(o->list_sep, "|") != 0))
		lmrec_usage_error("--tags and --list-sep are for items, not %s", kind_names[kind]);

	struct ctx c;
	memset(&c, 0, sizeof c);
	c.o = o;
	c.users = lmrec_ids_new();
	c.items = lmrec_ids_new();
	c.rests = lmrec_ids_new();
	c.names = lmrec_xcalloc(nfiles + 1, sizeof *c.names);
	c.names[nfiles] = lmrec_xstrdup(o->tags ? lmrec_display_name(o->tags) : "");
	if (o->tags) {
		c.input = nfiles;
		c.tags = load_tags(&c, o);
	}
	/* the output last: it appears only once the others are in place */
	struct lmrec_outset *set = lmrec_outset_new();
	struct lmrec_out *report = o->quality_report ? lmrec_outset_add(set, o->quality_report) : NULL;
	c.qout = o->quarantine ? lmrec_outset_add(set, o->quarantine) : NULL;
	c.out = lmrec_outset_add(set, o->output);
	c.dest = c.out;
	c.dup_action = o->quarantine ? "quarantined" : "dropped";
	struct lmrec_quality q;
	if (o->quality_report || o->quarantine || o->flag_weight) {
		struct lmrec_quality_opts qo = o->qo;
		qo.want_factors = o->flag_weight;
		lmrec_quality_init(&q, &qo);
		c.q = &q;
		if (o->quarantine || o->flag_weight) {
			c.spool = spool_open();
			c.dest = lmrec_out_open_mem();
		}
	}
	char *header = NULL;
	const char *header_of = NULL;
	struct lmrec_progress pg;
	lmrec_progress_start(&pg, o->progress, "rows", 0);
	for (size_t i = 0; i < nfiles; i++) {
		c.input = i;
		struct lmrec_src *s = lmrec_src_open(in[i].path, &in[i].so);
		c.names[i] = lmrec_xstrdup(s->display);
		struct plan p;
		int bound = 0, rc;
		do {
			rc = lmrec_src_read(s);
			if (rc != 0)
				c.order++;
			/* A headerless source is planned at its first row (it fixes the width). */
			if (!bound && (s->cols || rc >= 0 || s->width)) {
				make_plan(&p, kind, s, &in[i], o);
				bound = 1;
				if (!header) {
					header = lmrec_xstrdup(p.header);
					header_of = c.names[i];
					lmrec_out_str(c.out, header);
					lmrec_out_eol(c.out);
					if (c.qout) {
						for (size_t k = 0; k < p.nextra; k++)
							if (strcmp(p.extra_names[k], "reason") == 0)
								lmrec_usage_error("--quarantine adds a column 'reason', "
										  "which %s already has", s->display);
						lmrec_out_str(c.qout, header);
						lmrec_out_str(c.qout, "\treason\n");
					}
				} else if (strcmp(header, p.header) != 0) {
					char *a = tabs_to_spaces(p.header), *b = tabs_to_spaces(header);
					lmrec_die_at(s->display, 1, "its columns (%s) differ from those of %s (%s)",
						     a, header_of, b);
				}
			}
			if (rc < 0)
				src_bad(&c, s);
			else if (rc > 0 && kind == K_INTER)
				inter_row(&c, s, &p);
			else if (rc > 0 && kind == K_ITEMS)
				item_row(&c, s, &p);
			else if (rc > 0)
				user_row(&c, s, &p);
			if ((c.order & 0xffff) == 0)
				lmrec_progress_tick(&pg, c.order);
		} while (rc != 0);
		lmrec_src_close(s);
		if (bound)
			plan_free(&p);
	}
	lmrec_progress_end(&pg, c.order);
	if (c.q) {
		lmrec_quality_analyse(c.q, c.users, c.items);
		if (c.spool) {
			route(&c);
			lmrec_out_abort(c.dest);
		}
		if (report) {
			const char *act = o->quarantine ? "quarantined" : o->flag_weight ? "weighted" : "reported";
			const char *actions[LMREC_Q_NKINDS] = {c.dup_action, o->flag_weight ? "dropped" : act,
							       act, act};
			lmrec_quality_report(c.q, report, c.users, c.items, actions);
		}
	}
	lmrec_outset_commit(set);
	if (!o->quiet)
		summary(&c, kind);
	if (c.q)
		lmrec_quality_free(c.q);

	free(header);
	for (size_t i = 0; i <= nfiles; i++)
		free(c.names[i]);
	free(c.names);
	free(in);
	tags_free(c.tags);
	lmrec_ids_free(c.users);
	lmrec_ids_free(c.items);
	lmrec_ids_free(c.rests);
	free(c.first);
	free(c.dups.t);
	free(c.xf);
	free(c.gen);
	free(c.key);
	return 0;
}

/* --checks: burst, bot, flood, all or none, separated by commas. */
static unsigned parse_checks(const char *arg)
{
	static const char *const names[] = {"burst", "bot", "flood", "all", "none"};
	static const unsigned bits[] = {LMREC_Q_BURST, LMREC_Q_BOT, LMREC_Q_FLOOD,
					LMREC_Q_BURST | LMREC_Q_BOT | LMREC_Q_FLOOD, 0};
	unsigned m = 0;
	for (const char *p = arg;; p++) {
		size_t n = strcspn(p, ","), k = 0;
		while (k < 5 && !(strlen(names[k]) == n && memcmp(p, names[k], n) == 0))
			k++;
		if (k == 5)
			lmrec_usage_error("invalid value for --checks: '%s' (expected burst, bot, flood, "
					  "all or none, separated by commas)", arg);
		m |= bits[k];
		p += n;
		if (!*p)
			return m;
	}
}

/* --burst-limit N/S: at most N rows of a key within S seconds. */
static void parse_burst(const char *arg, struct lmrec_quality_opts *q)
{
	const char *slash = strchr(arg, '/');
	uint64_t n, sec;
	if (!slash || lmrec_parse_u64(arg, (size_t)(slash - arg), &n) != 0 ||
	    lmrec_parse_u64(slash + 1, strlen(slash + 1), &sec) != 0 || n < 1 || n > UINT32_MAX ||
	    sec < 1)
		lmrec_usage_error("invalid value for --burst-limit: '%s' (expected ROWS/SECONDS such as "
				  "'2/60', both at least 1)", arg);
	q->burst_max = n;
	q->burst_window = sec;
}

int main(int argc, char **argv)
{
	lmrec_setprogname(argv[0]);
	struct opts o = {.kind = -1, .format = -1, .header = -1, .encoding = -1, .list_sep = "|"};
	o.qo = (struct lmrec_quality_opts){.checks = LMREC_Q_BURST | LMREC_Q_BOT | LMREC_Q_FLOOD,
					   .burst_max = 2, .burst_window = 60, .bot_k = 3,
					   .bot_min_ratio = 10, .flood_users = 2, .flood_share = 0.9,
					   .flood_min = 20};
	const char *preset_names[NPRESETS + 1];
	for (size_t i = 0; i < NPRESETS; i++)
		preset_names[i] = presets[i].name;
	preset_names[NPRESETS] = "all";
	int c;
	while ((c = getopt_long(argc, argv, "o:qvhV", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_KIND: o.kind = pick("--kind", optarg, kind_names, 3); break; /* --kind */
		case OPT_FORMAT: o.format = pick("--format", optarg, format_names, 5); break; /* --format */
		case OPT_SEP: /* --sep */
			if (strlen(optarg) < 1 || strlen(optarg) > 2 || strpbrk(optarg, "\r\n"))
				lmrec_usage_error("invalid value for --sep: '%s' (one or two bytes, "
						  "not CR or LF)", optarg);
			o.sep = optarg;
			break;
		case OPT_HEADER: o.header = 1; break;    /* --header */
		case OPT_NO_HEADER: o.header = 0; break; /* --no-header */
		case OPT_ENCODING: /* --encoding */
			o.encoding = pick("--encoding", optarg, encoding_names, 3);
			break;
		case OPT_MAP: /* --map */
		case OPT_TAGS_MAP: { /* --tags-map */
			struct lmrec_colmap m;
			char *err;
			if (lmrec_colmap_parse(optarg, &m, &err) != 0)
				lmrec_usage_error("invalid value for %s: %s", c == OPT_MAP ? "--map" : "--tags-map",
						  err);
			lmrec_colmap_free(&m);
			*(c == OPT_MAP ? &o.map : &o.tags_map) = optarg;
			break;
		}
		case OPT_PRESET: /* --preset */
			o.preset = &presets[pick("--preset", optarg, preset_names, (int)NPRESETS)];
			break;
		case OPT_SHOW_PRESET: { /* --show-preset */
			int k = pick("--show-preset", optarg, preset_names, (int)NPRESETS + 1);
			for (size_t i = 0; i < NPRESETS; i++)
				if (k == (int)NPRESETS || k == (int)i)
					show_preset(&presets[i]);
			lmrec_close_stdout();
			return 0;
		}
		case OPT_LIST_SEP: /* --list-sep */
			if (!*optarg)
				lmrec_usage_error("invalid value for --list-sep: '' (not empty)");
			o.list_sep = optarg;
			break;
		case OPT_EVENT: o.event = optarg; break;             /* --event */
		case OPT_TS_FORMAT: o.ts_format = optarg; break;     /* --ts-format */
		case OPT_TS_FROM_ORDER: o.ts_from_order = 1; break;  /* --ts-from-order */
		case OPT_TAGS: o.tags = optarg; break;               /* --tags */
		case OPT_MAX_BAD: /* --max-bad */
			o.max_bad = lmrec_opt_u64("--max-bad", optarg, 0, UINT64_MAX);
			break;
		case OPT_QUALITY_REPORT: o.quality_report = optarg; break; /* --quality-report */
		case OPT_QUARANTINE: o.quarantine = optarg; break;         /* --quarantine */
		case OPT_FLAG_WEIGHT: o.flag_weight = 1; break;            /* --flag-weight */
		case OPT_CHECKS: /* --checks */
			o.qo.checks = parse_checks(optarg);
			o.tuned = "--checks";
			break;
		case OPT_BURST_LIMIT: /* --burst-limit */
			parse_burst(optarg, &o.qo);
			o.tuned = "--burst-limit";
			break;
		case OPT_BOT_K: /* --bot-k */
			o.qo.bot_k = lmrec_opt_double("--bot-k", optarg, 0, 100);
			o.tuned = "--bot-k";
			break;
		case OPT_BOT_MIN_RATIO: /* --bot-min-ratio */
			o.qo.bot_min_ratio = lmrec_opt_double("--bot-min-ratio", optarg, 1, 1e9);
			o.tuned = "--bot-min-ratio";
			break;
		case OPT_FLOOD_USERS: /* --flood-users */
			o.qo.flood_users = lmrec_opt_u64("--flood-users", optarg, 1, 20);
			o.tuned = "--flood-users";
			break;
		case OPT_FLOOD_SHARE: /* --flood-share */
			o.qo.flood_share = lmrec_opt_double("--flood-share", optarg, 0, 1);
			o.tuned = "--flood-share";
			break;
		case OPT_FLOOD_MIN: /* --flood-min */
			o.qo.flood_min = lmrec_opt_u64("--flood-min", optarg, 1, UINT32_MAX);
			o.tuned = "--flood-min";
			break;
		case 'o': o.output = optarg; break;                  /* --output */
		case 'q': o.quiet = 1; break;                        /* --quiet */
		case 'v': o.verbose = 1; break;                      /* --verbose */
		case OPT_PROGRESS: o.progress = 1; break;            /* --progress */
		case 'h': usage(0); break;                           /* --help */
		case 'V': lmrec_print_version(); lmrec_close_stdout(); return 0; /* --version */
		default: usage(LMREC_EXIT_USAGE);
		}
	}
	if (o.ts_from_order && o.ts_format)
		lmrec_usage_error("--ts-from-order and --ts-format exclude each other");
	if (o.tags_map && !o.tags)
		lmrec_usage_error("--tags-map needs --tags");
	if (o.quarantine && o.flag_weight)
		lmrec_usage_error("--quarantine and --flag-weight exclude each other");
	if (o.tuned && !o.quality_report && !o.quarantine && !o.flag_weight)
		lmrec_usage_error("%s needs --quality-report, --quarantine or --flag-weight", o.tuned);
	const char *paths[3] = {o.output ? o.output : "-", o.quarantine, o.quality_report};
	const char *names[3] = {"--output", "--quarantine", "--quality-report"};
	for (int a = 0; a < 3; a++)
		for (int b = a + 1; b < 3; b++)
			if (paths[a] && paths[b] && strcmp(paths[a], paths[b]) == 0)
				lmrec_usage_error("%s and %s both name '%s'", names[a], names[b], paths[a]);
	int rc = run(&o, argv + optind, (size_t)(argc - optind));
	lmrec_close_stdout();
	return rc;
}

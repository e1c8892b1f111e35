/* lmrec-report — the morning page of a nightly run: one self-contained HTML
 * file with the night's metrics against the previous nights, the gate's
 * verdict, stage times, exposure, segments, sample recommendations and
 * warnings; charts drawn by gnuplot as inline SVG. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lmrec.h"

extern char **environ;

struct opts {
	const char *run, *history, *items, *interactions, *output, *gnuplot, *date, *status;
	size_t sample, nights, k;
	int charts, quiet;
};

static void usage(int status)
{
	if (status != 0) {
		fprintf(stderr, "Try '%s --help' for more information.\n", lmrec_progname());
		exit(status);
	}
	printf("Usage: %s [OPTION]... RUN_DIR\n", lmrec_progname());
	fputs("Write the morning page of a nightly run as one self-contained HTML file.\n"
	      "\n"
	      "Reads the run folder of pipelines/nightly.sh (metrics.tsv, gate.tsv,\n"
	      "stages.tsv, churn.tsv, status, recommendations.tsv.gz, log/) and the\n"
	      "history of the nights before, and writes a page that needs no network,\n"
	      "no JavaScript and prints well. Charts are drawn by gnuplot as SVG; without\n"
	      "gnuplot the page keeps its tables and says the charts are absent.\n"
	      "\n"
	      "      --history FILE       the metrics history (default RUN_DIR/../../history.tsv)\n"
	      "      --items FILE         titles (default RUN_DIR/work/items.tsv)\n"
	      "      --interactions FILE  what was consumed, for the popularity curve\n"
	      "                           (default RUN_DIR/work/interactions.tsv.gz)\n"
	      "      --date DATE          the night (default: the folder's name)\n"
	      "      --status WORD        the night's status (default: the folder's status\n"
	      "                           file): published, refused, failed or running\n"
	      "      --k K                the cut-off of the headline metrics (default 10)\n"
	      "      --nights N           nights in the trend charts (default 30)\n"
	      "      --sample N           users shown with their recommendations (default 5)\n"
	      "      --gnuplot PROG       the gnuplot to run (default gnuplot)\n"
	      "      --no-charts          tables only\n"
	      "  -o, --output FILE        write to FILE (default: standard output)\n"
	      "  -q, --quiet              no summary on standard error\n"
	      "  -h, --help               show this help and exit\n"
	      "  -V, --version            show the version and exit\n"
	      "\n"
	      "Example:\n"
	      "  lmrec-report out/runs/2026-11-25 -o out/runs/2026-11-25/report.html\n"
	      "\n"
	      "See lmrec-report(1).\n",
	      stdout);
	exit(0);
}

enum {
	OPT_HISTORY = CHAR_MAX + 1,
	OPT_ITEMS,
	OPT_INTERACTIONS,
	OPT_DATE,
	OPT_K,
	OPT_NIGHTS,
	OPT_SAMPLE,
	OPT_GNUPLOT,
	OPT_NO_CHARTS,
	OPT_STATUS
};

static const struct option long_options[] = {
	{"history", required_argument, NULL, OPT_HISTORY},
	{"items", required_argument, NULL, OPT_ITEMS},
	{"interactions", required_argument, NULL, OPT_INTERACTIONS},
	{"date", required_argument, NULL, OPT_DATE},
	{"k", required_argument, NULL, OPT_K},
	{"nights", required_argument, NULL, OPT_NIGHTS},
	{"sample", required_argument, NULL, OPT_SAMPLE},
	{"gnuplot", required_argument, NULL, OPT_GNUPLOT},
	{"no-charts", no_argument, NULL, OPT_NO_CHARTS},
	{"status", required_argument, NULL, OPT_STATUS},
	{"output", required_argument, NULL, 'o'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

/* ---- small helpers ---- */

static int file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The whole of a small text file, NUL-terminated, or NULL when absent. */
static char *slurp(const char *path, size_t *len_out)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	size_t cap = 4096, len = 0;
	char *buf = lmrec_xmalloc(cap);
	size_t n;
	while ((n = fread(buf + len, 1, cap - len - 1, fp)) > 0) {
		len += n;
		if (cap - len - 1 == 0) {
			cap *= 2;
			buf = lmrec_xreallocarray(buf, cap, 1);
		}
	}
	int bad = ferror(fp);
	fclose(fp);
	if (bad)
		lmrec_die(LMREC_EXIT_FAIL, "%s: read:", path);
	buf[len] = '\0';
	if (len_out)
		*len_out = len;
	return buf;
}

/* Text for HTML: & < > " ' escaped; the TSV escapes of a field decoded. */
static void html(struct lmrec_out *o, const char *p, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		const char *rep = NULL;
		switch (p[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		lmrec_out_write(o, p + start, i - start);
		lmrec_out_str(o, rep);
		start = i + 1;
	}
	lmrec_out_write(o, p + start, n - start);
}

static void htmls(struct lmrec_out *o, const char *s) { html(o, s, strlen(s)); }

/* A TSV field (escaped) as HTML text. */
static void html_field(struct lmrec_out *o, struct lmrec_field f)
{
	char *tmp = lmrec_xmalloc(f.len + 1);
	size_t n = lmrec_tsv_unescape(tmp, f.p, f.len);
	html(o, tmp, n);
	free(tmp);
}

/* A metric value for people: four significant digits, the exact value in
 * the title (and in the DOM, for machines). */
static void value_cell(struct lmrec_out *o, const char *exact)
{
	double v;
	if (!exact || !*exact || lmrec_parse_double(exact, strlen(exact), &v) != 0) {
		lmrec_out_str(o, "<td class=\"num\">&mdash;</td>");
		return;
	}
	lmrec_out_str(o, "<td class=\"num\" data-value=\"");
	htmls(o, exact);
	lmrec_out_str(o, "\" title=\"");
	htmls(o, exact);
	lmrec_out_printf(o, "\">%.4g</td>", v);
}

/* An interval lo - hi, rounded like the values, exact in the title. */
static void interval_cell(struct lmrec_out *o, const char *lo, const char *hi)
{
	double a, b;
	if (!lo || !hi || lmrec_parse_double(lo, strlen(lo), &a) != 0 ||
	    lmrec_parse_double(hi, strlen(hi), &b) != 0) {
		lmrec_out_str(o, "<td class=\"num\"></td>");
		return;
	}
	lmrec_out_str(o, "<td class=\"num\" data-lo=\"");
	htmls(o, lo);
	lmrec_out_str(o, "\" data-hi=\"");
	htmls(o, hi);
	lmrec_out_str(o, "\" title=\"");
	htmls(o, lo);
	lmrec_out_str(o, " to ");
	htmls(o, hi);
	lmrec_out_printf(o, "\">%.4g &ndash; %.4g</td>", a, b);
}

/* ---- the run's streams ---- */

/* A table read whole: rows of fields (escaped), by column name. */
struct table {
	char **cols;
	size_t ncols;
	char ***rows; /* (n, ncols) NUL-terminated escaped fields */
	size_t n, cap;
};

static int table_read(struct table *t, const char *path)
{
	memset(t, 0, sizeof *t);
	if (!file_exists(path))
		return 0;
	struct lmrec_tsv *r = lmrec_tsv_open(path);
	t->ncols = r->ncols;
	t->cols = lmrec_xcalloc(r->ncols + 1, sizeof *t->cols);
	for (size_t c = 0; c < r->ncols; c++)
		t->cols[c] = lmrec_xstrdup(r->cols[c]);
	while (lmrec_tsv_read(r)) {
		LMREC_GROW(t->rows, t->cap, t->n + 1);
		char **row = lmrec_xcalloc(t->ncols + 1, sizeof *row);
		for (size_t c = 0; c < t->ncols; c++)
			row[c] = lmrec_xstrndup(r->f[c].p, r->f[c].len);
		t->rows[t->n++] = row;
	}
	lmrec_tsv_close(r);
	return 1;
}

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		for (size_t c = 0; c < t->ncols; c++)
			free(t->rows[i][c]);
		free(t->rows[i]);
	}
	free(t->rows);
	for (size_t c = 0; c < t->ncols; c++)
		free(t->cols[c]);
	free(t->cols);
}

static long tcol(const struct table *t, const char *name)
{
	for (size_t c = 0; c < t->ncols; c++)
		if (strcmp(t->cols[c], name) == 0)
			return (long)c;
	return -1;
}

static const char *tget(const struct table *t, size_t row, const char *name)
{
	long c = tcol(t, name);
	return c < 0 ? "" : t->rows[row][c];
}

/* The metrics row (metric, k, segment) of a metrics table, or -1. */
static long find_metric(const struct table *m, const char *metric, const char *k, const char *segment)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(tget(m, i, "metric"), metric) == 0 && strcmp(tget(m, i, "k"), k) == 0 &&
		    strcmp(tget(m, i, "segment"), segment) == 0)
			return (long)i;
	return -1;
}

/* ---- charts ---- */

struct charts {
	int on;
	const char *prog;
	char *dir;   /* scratch folder under TMPDIR */
	int count;   /* charts made, for unique ids */
	char *why;   /* why charts are absent */
};

/* Runs gnuplot on script; returns the SVG (prolog dropped, ids made unique
 * in the page) or NULL, with c->why set on the first failure. */
static char *chart(struct charts *c, const char *title, const char *script)
{
	if (!c->on)
		return NULL;
	int n = ++c->count;
	char *gp = lmrec_xasprintf("%s/chart%d.gp", c->dir, n);
	char *svg = lmrec_xasprintf("%s/chart%d.svg", c->dir, n);
	FILE *fp = fopen(gp, "w");
	if (!fp)
		lmrec_die(LMREC_EXIT_FAIL, "%s: open:", gp);
	fprintf(fp, "set terminal svg size 560,220 dynamic font 'sans,10' background '#ffffff'\n"
		    "set output '%s'\nset encoding utf8\n%s",
		svg, script);
	if (fclose(fp) != 0)
		lmrec_die(LMREC_EXIT_FAIL, "%s: write:", gp);
	char *argv[] = {(char *)c->prog, gp, NULL};
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	char *errlog = lmrec_xasprintf("%s/chart%d.err", c->dir, n);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, errlog, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, errlog, O_WRONLY | O_CREAT | O_APPEND, 0600);
	pid_t pid;
	int rc = posix_spawnp(&pid, c->prog, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	int status = 0;
	if (rc == 0 && waitpid(pid, &status, 0) < 0)
		rc = errno;
	char *out = NULL;
	size_t len = 0;
	if (rc != 0) {
		c->on = 0;
		c->why = lmrec_xasprintf("%s could not be run (%s): install gnuplot-nox", c->prog, strerror(rc));
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !(out = slurp(svg, &len))) {
		char *err = slurp(errlog, NULL);
		char *nl = err ? strchr(err, '\n') : NULL;
		if (nl)
			*nl = '\0';
		lmrec_warn("chart '%s': %s failed%s%s", title, c->prog, err && *err ? ": " : "",
			   err ? err : "");
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
			c->on = 0;
			c->why = lmrec_xasprintf("%s was not found: install gnuplot-nox", c->prog);
		}
		free(err);
		free(out);
		out = NULL;
	}
	unlink(gp);
	unlink(svg);
	unlink(errlog);
	free(gp);
	free(svg);
	free(errlog);
	if (!out)
		return NULL;
	/* drop the XML prolog; ids and references get a per-chart prefix so
	 * that several charts in one page do not share ids */
	char *start = strstr(out, "<svg");
	if (!start) {
		free(out);
		return NULL;
	}
	struct lmrec_out *o = lmrec_out_open_mem();
	char prefix[32];
	int pl = snprintf(prefix, sizeof prefix, "c%d_", n);
	for (const char *p = start; *p;) {
		if (strncmp(p, "id='", 4) == 0 || strncmp(p, "id=\"", 4) == 0) {
			lmrec_out_write(o, p, 4);
			lmrec_out_write(o, prefix, (size_t)pl);
			p += 4;
		} else if (strncmp(p, "href='#", 7) == 0 || strncmp(p, "href=\"#", 7) == 0) {
			lmrec_out_write(o, p, 7);
			lmrec_out_write(o, prefix, (size_t)pl);
			p += 7;
		} else if (strncmp(p, "<title>Gnuplot</title>", 22) == 0) {
			lmrec_out_str(o, "<title>");
			htmls(o, title);
			lmrec_out_str(o, "</title>");
			p += 22;
		} else {
			lmrec_out_write(o, p, 1);
			p++;
		}
	}
	lmrec_out_byte(o, '\0');
	char *result = lmrec_xstrdup(o->buf);
	lmrec_out_abort(o);
	free(out);
	return result;
}

static void put_chart(struct lmrec_out *o, struct charts *c, const char *title, const char *script)
{
	char *svg = chart(c, title, script);
	lmrec_out_str(o, "<figure class=\"chart\">");
	if (svg) {
		lmrec_out_str(o, svg);
		free(svg);
	} else {
		lmrec_out_str(o, "<p class=\"nochart\">chart absent</p>");
	}
	lmrec_out_str(o, "<figcaption>");
	htmls(o, title);
	lmrec_out_str(o, "</figcaption></figure>\n");
}

/* ---- the page ---- */

static const char *const css =
	"body{font-family:sans-serif;margin:1.5em auto;max-width:1200px;color:#222;line-height:1.35}"
	"h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;border-bottom:1px solid #ccc;"
	"padding-bottom:.2em;margin-top:1.6em}"
	"table{border-collapse:collapse;margin:.5em 0;font-size:.9em}"
	"th,td{border:1px solid #ddd;padding:.2em .5em;text-align:left;vertical-align:top}"
	"th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}"
	".status{display:inline-block;padding:.15em .6em;border-radius:.3em;font-weight:bold}"
	".published,.pass{background:#dff3df;color:#1d6b1d}"
	".refused,.refuse,.failed{background:#fbe0e0;color:#a11}"
	".running{background:#fff3cd;color:#7a5b00}"
	".gate{border-left:6px solid #1d6b1d;padding:.4em .8em;background:#f4fbf4}"
	".gate.refuse{border-left-color:#c22;background:#fdf1f1}"
	".up{color:#1d6b1d}.down{color:#a11}"
	"figure.chart{display:inline-block;margin:.4em .8em .4em 0;vertical-align:top}"
	"figure.chart svg{width:560px;height:220px}figcaption{font-size:.85em;color:#555}"
	".nochart,.note{color:#7a5b00;background:#fff8e1;padding:.3em .6em}"
	"ul.warnings li{font-family:monospace;font-size:.85em}"
	"@media print{body{max-width:none;margin:0}figure.chart{break-inside:avoid}"
	"section{break-inside:avoid-page}}";

struct page {
	const struct opts *o;
	struct lmrec_out *out;
	struct charts ch;
	char *date, *status;
	struct table metrics, gate, stages, churn, history;
	char kstr[24];
};

/* History points of one metric (segment all, cut-off k or none), the last
 * --nights nights up to tonight, tonight's value from metrics.tsv. */
struct point {
	char date[16];
	double value, lo, hi;
	int has_ci, refused;
};

static int cmp_point(const void *a, const void *b)
{
	return strcmp(((const struct point *)a)->date, ((const struct point *)b)->date);
}

static size_t trend_points(const struct page *pg, const char *metric, const char *k, struct point **out)
{
	struct point *p = NULL;
	size_t n = 0, cap = 0;
	const struct table *h = &pg->history;
	for (size_t i = 0; i < h->n; i++) {
		const char *d = tget(h, i, "date");
		if (strcmp(d, pg->date) >= 0 || strcmp(tget(h, i, "metric"), metric) != 0 ||
		    strcmp(tget(h, i, "k"), k) != 0 || strcmp(tget(h, i, "segment"), "all") != 0)
			continue;
		double v;
		const char *vs = tget(h, i, "value");
		if (lmrec_parse_double(vs, strlen(vs), &v) != 0 || strlen(d) >= sizeof p->date)
			continue;
		LMREC_GROW(p, cap, n + 1);
		memset(&p[n], 0, sizeof p[n]);
		memcpy(p[n].date, d, strlen(d) + 1);
		p[n].value = v;
		const char *lo = tget(h, i, "lo"), *hi = tget(h, i, "hi");
		p[n].has_ci = lmrec_parse_double(lo, strlen(lo), &p[n].lo) == 0 &&
			      lmrec_parse_double(hi, strlen(hi), &p[n].hi) == 0;
		p[n].refused = strcmp(tget(h, i, "status"), "refused") == 0;
		n++;
	}
	/* tonight */
	const struct table *m = &pg->metrics;
	long r = find_metric(m, metric, k, "all");
	double v;
	if (r >= 0 && lmrec_parse_double(m->rows[r][tcol(m, "value")], strlen(m->rows[r][tcol(m, "value")]),
					 &v) == 0) {
		LMREC_GROW(p, cap, n + 1);
		memset(&p[n], 0, sizeof p[n]);
		snprintf(p[n].date, sizeof p[n].date, "%s", pg->date);
		p[n].value = v;
		const char *lo = tget(m, (size_t)r, "lo"), *hi = tget(m, (size_t)r, "hi");
		p[n].has_ci = lmrec_parse_double(lo, strlen(lo), &p[n].lo) == 0 &&
			      lmrec_parse_double(hi, strlen(hi), &p[n].hi) == 0;
		p[n].refused = strcmp(pg->status, "refused") == 0;
		n++;
	} else if (strcmp(metric, "churn") == 0 && pg->churn.n) {
		const char *cv = tget(&pg->churn, 0, "value");
		if (lmrec_parse_double(cv, strlen(cv), &v) == 0) {
			LMREC_GROW(p, cap, n + 1);
			memset(&p[n], 0, sizeof p[n]);
			snprintf(p[n].date, sizeof p[n].date, "%s", pg->date);
			p[n].value = v;
			p[n].refused = strcmp(pg->status, "refused") == 0;
			n++;
		}
	}
	if (n)
		qsort(p, n, sizeof *p, cmp_point);
	size_t keep = n > pg->o->nights ? pg->o->nights : n;
	if (keep < n) /* p is NULL when n is 0: memmove must not see it */
		memmove(p, p + (n - keep), keep * sizeof *p);
	*out = p;
	return keep;
}

/* A trend chart: the metric over the nights, its interval as error bars,
 * refused nights in red. */
static void trend_chart(struct page *pg, const char *metric, const char *k, const char *label)
{
	struct point *p;
	size_t n = trend_points(pg, metric, k, &p);
	char *title = lmrec_xasprintf("%s over the last %zu night%s", label, n, n == 1 ? "" : "s");
	if (n == 0) {
		free(title);
		free(p);
		return;
	}
	struct lmrec_out *s = lmrec_out_open_mem();
	lmrec_out_str(s, "set xdata time\nset timefmt '%Y-%m-%d'\nset format x '%m-%d'\n"
			 "set key top left\nset grid ytics\nset ytics nomirror\nset xtics nomirror\n");
	/* a day either side, so that one night alone still has a range; tics
	 * on whole days, at most about eight */
	lmrec_out_printf(s, "t0 = strptime('%%Y-%%m-%%d', '%s'); t1 = strptime('%%Y-%%m-%%d', '%s')\n"
			    "set xrange [t0 - 86400 : t1 + 86400]\n"
			    "days = (t1 - t0) / 86400 + 2\n"
			    "set xtics t0 - 86400, 86400 * ceil(days / 8.0)\n",
			 p[0].date, p[n - 1].date);
	lmrec_out_str(s, "$ok << EOD\n");
	for (size_t i = 0; i < n; i++)
		lmrec_out_printf(s, "%s %.9g %.9g %.9g\n", p[i].date, p[i].value,
				 p[i].has_ci ? p[i].lo : p[i].value, p[i].has_ci ? p[i].hi : p[i].value);
	lmrec_out_str(s, "EOD\n$bad << EOD\n");
	size_t nbad = 0;
	for (size_t i = 0; i < n; i++)
		if (p[i].refused) {
			lmrec_out_printf(s, "%s %.9g\n", p[i].date, p[i].value);
			nbad++;
		}
	lmrec_out_str(s, "EOD\n");
	lmrec_out_printf(s, "plot $ok using 1:2:3:4 with yerrorlines lc rgb '#1f5fa8' pt 7 ps 0.6 title '%s'", label);
	if (nbad)
		lmrec_out_str(s, ", $bad using 1:2 with points lc rgb '#cc2222' pt 7 ps 1.4 title 'refused'");
	lmrec_out_str(s, "\n");
	lmrec_out_byte(s, '\0');
	put_chart(pg->out, &pg->ch, title, s->buf);
	lmrec_out_abort(s);
	free(title);
	free(p);
}

static void section_header(struct page *pg)
{
	struct lmrec_out *o = pg->out;
	lmrec_out_str(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
			 "<meta name=\"viewport\" content=\"width=device-width\">\n<title>lmrec night ");
	htmls(o, pg->date);
	lmrec_out_str(o, " &mdash; ");
	htmls(o, pg->status);
	lmrec_out_str(o, "</title>\n<style>");
	lmrec_out_str(o, css);
	lmrec_out_str(o, "</style>\n</head>\n<body>\n<header>\n<h1>lmrec night ");
	htmls(o, pg->date);
	lmrec_out_str(o, " <span class=\"status ");
	htmls(o, pg->status);
	lmrec_out_str(o, "\" id=\"status\">");
	htmls(o, pg->status);
	lmrec_out_str(o, "</span></h1>\n<p>Run folder <code>");
	htmls(o, pg->o->run);
	lmrec_out_str(o, "</code>.</p>\n");
	if (!pg->ch.on && pg->ch.why) {
		lmrec_out_str(o, "<p class=\"note\" id=\"nocharts\">Charts are absent: ");
		htmls(o, pg->ch.why);
		lmrec_out_str(o, ".</p>\n");
	}
	lmrec_out_str(o, "</header>\n");
}

static void section_gate(struct page *pg)
{
	struct lmrec_out *o = pg->out;
	const struct table *g = &pg->gate;
	lmrec_out_str(o, "<section id=\"gate\">\n<h2>Quality gate</h2>\n");
	if (!g->n) {
		lmrec_out_str(o, "<p class=\"note\">The gate has not run (no gate.tsv).</p>\n</section>\n");
		return;
	}
	const char *verdict = tget(g, 0, "verdict");
	lmrec_out_str(o, "<div class=\"gate ");
	htmls(o, verdict);
	lmrec_out_str(o, "\" id=\"verdict\"><p><strong>");
	lmrec_out_str(o, strcmp(verdict, "pass") == 0 ? "Passed" : "Refused");
	lmrec_out_str(o, "</strong>: ");
	struct lmrec_field f = {tget(g, 0, "reason"), strlen(tget(g, 0, "reason"))};
	html_field(o, f);
	lmrec_out_str(o, ".</p></div>\n<table><tr><th>metric</th><th>tonight</th><th>interval</th>"
			 "<th>last published</th><th>tolerance</th></tr>\n<tr><td>");
	htmls(o, tget(g, 0, "metric"));
	lmrec_out_str(o, "@");
	htmls(o, tget(g, 0, "k"));
	lmrec_out_str(o, "</td>");
	value_cell(o, tget(g, 0, "value"));
	interval_cell(o, tget(g, 0, "lo"), tget(g, 0, "hi"));
	value_cell(o, tget(g, 0, "previous"));
	value_cell(o, tget(g, 0, "tolerance"));
	lmrec_out_str(o, "</tr>\n</table>\n</section>\n");
}

/* The value of metric@k (segment all) in the history on the latest night
 * before tonight, and the median over the last nights. */
static int previous_value(const struct page *pg, const char *metric, const char *k, double *prev,
			  double *median)
{
	struct point *p;
	size_t n = trend_points(pg, metric, k, &p);
	size_t m = 0;
	double *vals = lmrec_xcalloc(n + 1, sizeof *vals);
	for (size_t i = 0; i < n; i++)
		if (strcmp(p[i].date, pg->date) < 0 && !p[i].refused)
			vals[m++] = p[i].value;
	int have = m > 0;
	if (have) {
		*prev = vals[m - 1];
		for (size_t i = 1; i < m; i++) /* insertion sort: a month of nights */
			for (size_t j = i; j > 0 && vals[j - 1] > vals[j]; j--) {
				double t = vals[j];
				vals[j] = vals[j - 1];
				vals[j - 1] = t;
			}
		*median = m % 2 ? vals[m / 2] : (vals[m / 2 - 1] + vals[m / 2]) / 2;
	}
	free(vals);
	free(p);
	return have;
}

static const char *const headline[] = {"ndcg", "hr", "recall", "mrr", "coverage", "novelty", "gini"};

static void section_headline(struct page *pg)
{
	struct lmrec_out *o = pg->out;
	const struct table *m = &pg->metrics;
	lmrec_out_str(o, "<section id=\"headline\">\n<h2>Headline metrics</h2>\n");
	if (!m->n) {
		lmrec_out_str(o, "<p class=\"note\">No metrics.tsv in the run.</p>\n</section>\n");
		return;
	}
	lmrec_out_str(o, "<table id=\"metrics\"><tr><th>metric</th><th>tonight</th><th>95% interval</th>"
			 "<th>users</th><th>last published night</th><th>change</th>"
			 "<th>median of the last nights</th></tr>\n");
	for (size_t h = 0; h < sizeof headline / sizeof *headline; h++) {
		const char *k = strcmp(headline[h], "churn") == 0 ? "" : pg->kstr;
		long r = find_metric(m, headline[h], k, "all");
		if (r < 0)
			continue;
		const char *val = tget(m, (size_t)r, "value");
		lmrec_out_str(o, "<tr><td>");
		htmls(o, headline[h]);
		lmrec_out_str(o, "@");
		htmls(o, k);
		lmrec_out_str(o, "</td>");
		value_cell(o, val);
		interval_cell(o, tget(m, (size_t)r, "lo"), tget(m, (size_t)r, "hi"));
		lmrec_out_str(o, "<td class=\"num\">");
		htmls(o, tget(m, (size_t)r, "n"));
		lmrec_out_str(o, "</td>");
		double prev, med, v;
		if (previous_value(pg, headline[h], k, &prev, &med) &&
		    lmrec_parse_double(val, strlen(val), &v) == 0) {
			char buf[32];
			snprintf(buf, sizeof buf, "%.9g", prev);
			value_cell(o, buf);
			double change = prev != 0 ? (v - prev) / fabs(prev) * 100 : 0;
			/* green is better: a higher Gini is more unequal exposure */
			double better = strcmp(headline[h], "gini") == 0 ? -change : change;
			lmrec_out_printf(o, "<td class=\"num %s\">%+.1f%%</td>",
					 better > 0 ? "up" : better < 0 ? "down" : "", change);
			snprintf(buf, sizeof buf, "%.9g", med);
			value_cell(o, buf);
		} else {
			lmrec_out_str(o, "<td class=\"num\">&mdash;</td><td></td><td class=\"num\">&mdash;</td>");
		}
		lmrec_out_str(o, "</tr>\n");
	}
	if (pg->churn.n) {
		lmrec_out_str(o, "<tr><td>churn</td>");
		value_cell(o, tget(&pg->churn, 0, "value"));
		lmrec_out_str(o, "<td></td><td class=\"num\">");
		htmls(o, tget(&pg->churn, 0, "n"));
		lmrec_out_str(o, "</td><td colspan=\"3\">the share of each user's list that changed since the "
				 "last published night</td></tr>\n");
	}
	lmrec_out_str(o, "</table>\n<div id=\"trends\">\n");
	trend_chart(pg, "ndcg", pg->kstr, "NDCG");
	trend_chart(pg, "hr", pg->kstr, "HR");
	trend_chart(pg, "coverage", pg->kstr, "coverage");
	trend_chart(pg, "churn", "", "churn");
	lmrec_out_str(o, "</div>\n</section>\n");
}

/* Consumed and recommended counts per item, for the popularity curve. */
static void popularity_curve(struct page *pg)
{
	const struct opts *op = pg->o;
	char *recs_path = lmrec_xasprintf("%s/recommendations.tsv.gz", op->run);
	if (!file_exists(recs_path) || !op->interactions || !file_exists(op->interactions)) {
		lmrec_out_str(pg->out, "<p class=\"note\">No popularity curve: the run has no "
				       "recommendations or interactions.</p>\n");
		free(recs_path);
		return;
	}
	struct lmrec_ids *items = lmrec_ids_new();
	double *cons = NULL, *recs = NULL;
	size_t ccap = 0, rcap = 0, rows = 0;
	struct lmrec_tsv *r = lmrec_tsv_open(op->interactions);
	size_t ci = lmrec_tsv_col(r, "item");
	while (lmrec_tsv_read(r)) {
		uint32_t i = lmrec_ids_intern(items, r->f[ci].p, r->f[ci].len);
		if (i >= ccap) {
			size_t old = ccap;
			LMREC_GROW(cons, ccap, (size_t)i + 1);
			memset(cons + old, 0, (ccap - old) * sizeof *cons);
		}
		cons[i] += 1;
	}
	lmrec_tsv_close(r);
	r = lmrec_tsv_open(recs_path);
	ci = lmrec_tsv_col(r, "item");
	while (lmrec_tsv_read(r)) {
		uint32_t i = lmrec_ids_intern(items, r->f[ci].p, r->f[ci].len);
		if (i >= rcap) {
			size_t old = rcap;
			LMREC_GROW(recs, rcap, (size_t)i + 1);
			memset(recs + old, 0, (rcap - old) * sizeof *recs);
		}
		recs[i] += 1;
		rows++;
	}
	lmrec_tsv_close(r);
	size_t n = lmrec_ids_count(items);
	/* items by consumption, most consumed first (ties by index) */
	uint32_t *order = lmrec_xcalloc(n + 1, sizeof *order);
	double tc = 0, tr = 0;
	for (size_t i = 0; i < n; i++) {
		order[i] = (uint32_t)i;
		tc += i < ccap ? cons[i] : 0;
		tr += i < rcap ? recs[i] : 0;
	}
	/* a counting-free sort on a double key: insertion is too slow for big
	 * catalogs, so sort (key, index) pairs */
	struct pair {
		double c;
		uint32_t i;
	} *pairs = lmrec_xcalloc(n + 1, sizeof *pairs);
	for (size_t i = 0; i < n; i++)
		pairs[i] = (struct pair){i < ccap ? cons[i] : 0, (uint32_t)i};
	for (size_t w = 1; w < n; w *= 2) { /* bottom-up merge sort: stable, no context needed */
		struct pair *tmp = lmrec_xcalloc(n + 1, sizeof *tmp);
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t a = lo, b = mid, t = lo;
			while (a < mid && b < hi)
				tmp[t++] = pairs[b].c > pairs[a].c ? pairs[b++] : pairs[a++];
			while (a < mid)
				tmp[t++] = pairs[a++];
			while (b < hi)
				tmp[t++] = pairs[b++];
		}
		memcpy(pairs, tmp, n * sizeof *pairs);
		free(tmp);
	}
	struct lmrec_out *s = lmrec_out_open_mem();
	lmrec_out_str(s, "set key bottom right\nset grid\nset xrange [0:100]\nset yrange [0:100]\n"
			 "set xlabel 'most consumed items (% of the catalog)'\n"
			 "set ylabel '% of the total'\n$d << EOD\n0 0 0\n");
	double cc = 0, cr = 0;
	size_t step = n > 200 ? n / 200 : 1; /* at most about 200 points */
	for (size_t j = 0; j < n; j++) {
		uint32_t i = pairs[j].i;
		cc += i < ccap ? cons[i] : 0;
		cr += i < rcap ? recs[i] : 0;
		if ((j + 1) % step == 0 || j + 1 == n)
			lmrec_out_printf(s, "%.6g %.6g %.6g\n", 100.0 * (double)(j + 1) / (double)n,
					 tc > 0 ? 100 * cc / tc : 0, tr > 0 ? 100 * cr / tr : 0);
	}
	lmrec_out_str(s, "EOD\nplot $d using 1:2 with lines lw 2 lc rgb '#777777' title 'consumed', "
			 "$d using 1:3 with lines lw 2 lc rgb '#1f5fa8' title 'recommended'\n");
	lmrec_out_byte(s, '\0');
	put_chart(pg->out, &pg->ch, "popularity curve: the share of consumption and of recommendations "
				    "going to the most consumed items",
		  s->buf);
	lmrec_out_abort(s);
	free(pairs);
	free(order);
	free(cons);
	free(recs);
	free(recs_path);
	lmrec_ids_free(items);
	(void)rows;
}

static void section_exposure(struct page *pg)
{
	struct lmrec_out *o = pg->out;
	const struct table *m = &pg->metrics;
	lmrec_out_str(o, "<section id=\"exposure\">\n<h2>Exposure</h2>\n<table><tr><th>measure</th>"
			 "<th>value</th><th>what it says</th></tr>\n");
	static const char *const what[][2] = {
		{"coverage", "share of the catalog in someone's list"},
		{"gini", "inequality of exposure: 0 even, 1 all on one item"},
		{"novelty", "mean self-information of what is recommended, in bits"},
		{"popularity", "mean number of users of a recommended item"},
		{"ild", "intra-list diversity"},
	};
	for (size_t w = 0; w < sizeof what / sizeof *what; w++) {
		long r = find_metric(m, what[w][0], pg->kstr, "all");
		if (r < 0)
			continue;
		lmrec_out_str(o, "<tr><td>");
		htmls(o, what[w][0]);
		lmrec_out_printf(o, "@%s</td>", pg->kstr);
		value_cell(o, tget(m, (size_t)r, "value"));
		lmrec_out_str(o, "<td>");
		htmls(o, what[w][1]);
		lmrec_out_str(o, "</td></tr>\n");
	}
	lmrec_out_str(o, "</table>\n");
	popularity_curve(pg);
	lmrec_out_str(o, "</section>\n");
}

static void section_segments(struct page *pg)
{
	struct lmrec_out *o = pg->out;
	const struct table *m = &pg->metrics;
	lmrec_out_str(o, "<section id=\"segments\">\n<h2>Segments</h2>\n<p>Test-fold metrics for cold "
			 "items (absent from training), users by activity, and user groups.</p>\n"
			 "<table><tr><th>segment</th><th>users</th><th>HR</th><th>NDCG</th>"
			 "<th>NDCG interval</th></tr>\n");
	for (size_t i = 0; i < m->n; i++) {
		if (strcmp(tget(m, i, "metric"), "ndcg") != 0 || strcmp(tget(m, i, "k"), pg->kstr) != 0)
			continue;
		const char *seg = tget(m, i, "segment");
		long hr = find_metric(m, "hr", pg->kstr, seg);
		lmrec_out_str(o, "<tr><td>");
		struct lmrec_field f = {seg, strlen(seg)};
		html_field(o, f);
		lmrec_out_str(o, "</td><td class=\"num\">");
		htmls(o, tget(m, i, "n"));
		lmrec_out_str(o, "</td>");
		value_cell(o, hr >= 0 ? tget(m, (size_t)hr, "value") : NULL);
		value_cell(o, tget(m, i, "value"));
		interval_cell(o, tget(m, i, "lo"), tget(m, i, "hi"));
		lmrec_out_str(o, "</tr>\n");
	}
	lmrec_out_str(o, "</table>\n</section>\n");
}

static void section_stages(struct page *pg)
{
	struct lmrec_out *o = pg->out;
	const struct table *st = &pg->stages;
	lmrec_out_str(o, "<section id=\"stages\">\n<h2>Stages</h2>\n");
	if (!st->n) {
		lmrec_out_str(o, "<p class=\"note\">No stages.tsv in the run.</p>\n</section>\n");
		return;
	}
	/* the last attempt of each stage (a resumed run appends) */
	size_t *last = lmrec_xcalloc(st->n + 1, sizeof *last), nl = 0;
	for (size_t i = 0; i < st->n; i++) {
		size_t j;
		for (j = 0; j < nl; j++)
			if (strcmp(tget(st, last[j], "stage"), tget(st, i, "stage")) == 0)
				break;
		if (j == nl)
			nl++;
		last[j] = i;
	}
	lmrec_out_str(o, "<table><tr><th>stage</th><th>wall time (s)</th><th>peak memory (MB)</th>"
			 "<th>status</th></tr>\n");
	struct lmrec_out *s = lmrec_out_open_mem();
	lmrec_out_str(s, "set style fill solid 0.8\nset boxwidth 0.7\nset grid ytics\nset xtics rotate by -35\n"
			 "set ylabel 'seconds'\nset yrange [0:*]\n$d << EOD\n");
	for (size_t j = 0; j < nl; j++) {
		size_t i = last[j];
		const char *rss = tget(st, i, "max_rss_kb");
		double kb;
		lmrec_out_str(o, "<tr><td>");
		htmls(o, tget(st, i, "stage"));
		lmrec_out_str(o, "</td>");
		value_cell(o, tget(st, i, "seconds"));
		if (lmrec_parse_double(rss, strlen(rss), &kb) == 0)
			lmrec_out_printf(o, "<td class=\"num\" data-value=\"%s\">%.1f</td>", rss, kb / 1024);
		else
			lmrec_out_str(o, "<td class=\"num\">&mdash;</td>");
		const char *stat = tget(st, i, "status");
		lmrec_out_printf(o, "<td class=\"%s\">", strcmp(stat, "ok") == 0 ? "pass" : "failed");
		htmls(o, stat);
		lmrec_out_str(o, "</td></tr>\n");
		lmrec_out_printf(s, "%zu \"%s\" %s\n", j, tget(st, i, "stage"), tget(st, i, "seconds"));
	}
	lmrec_out_str(o, "</table>\n");
	lmrec_out_str(s, "EOD\nplot $d using 1:3:xtic(2) with boxes lc rgb '#1f5fa8' notitle\n");
	lmrec_out_byte(s, '\0');
	put_chart(o, &pg->ch, "wall time of each stage", s->buf);
	lmrec_out_abort(s);
	free(last);
	lmrec_out_str(o, "</section>\n");
}

/* A few users with their recommendations: the first users in byte order
 * of a hash of their ids, so the sample is stable and spread out. */
static void section_sample(struct page *pg)
{
	struct lmrec_out *o = pg->out;
	const struct opts *op = pg->o;
	lmrec_out_str(o, "<section id=\"sample\">\n<h2>Sample recommendations</h2>\n");
	char *path = lmrec_xasprintf("%s/recommendations.tsv.gz", op->run);
	if (!file_exists(path) || op->sample == 0) {
		lmrec_out_str(o, "<p class=\"note\">No recommendations in the run.</p>\n</section>\n");
		free(path);
		return;
	}
	/* pass 1: the sample's users */
	struct lmrec_tsv *r = lmrec_tsv_open(path);
	size_t cu = lmrec_tsv_col(r, "user");
	struct lmrec_ids *users = lmrec_ids_new();
	while (lmrec_tsv_read(r))
		lmrec_ids_intern(users, r->f[cu].p, r->f[cu].len);
	lmrec_tsv_close(r);
	size_t nu = lmrec_ids_count(users), want = op->sample < nu ? op->sample : nu;
	struct lmrec_topk pick;
	lmrec_topk_init(&pick, want);
	for (size_t u = 0; u < nu; u++) {
		size_t len;
		const char *id = lmrec_ids_str(users, (uint32_t)u, &len);
		lmrec_topk_push(&pick, (uint32_t)u, (float)(lmrec_hash64(id, len) >> 40));
	}
	size_t np = lmrec_topk_sort(&pick);
	unsigned char *chosen = lmrec_xcalloc(nu + 1, 1);
	for (size_t j = 0; j < np; j++)
		chosen[pick.idx[j]] = 1;
	/* titles */
	struct lmrec_ids *titled = lmrec_ids_new();
	char **titles = NULL;
	size_t tcap = 0;
	if (op->items && file_exists(op->items)) {
		struct lmrec_tsv *it = lmrec_tsv_open(op->items);
		size_t ci = lmrec_tsv_col(it, "item");
		long ct = lmrec_tsv_col_opt(it, "title");
		while (ct >= 0 && lmrec_tsv_read(it)) {
			uint32_t i = lmrec_ids_intern(titled, it->f[ci].p, it->f[ci].len);
			LMREC_GROW(titles, tcap, (size_t)i + 1);
			titles[i] = lmrec_xstrndup(it->f[ct].p, it->f[ct].len);
		}
		lmrec_tsv_close(it);
	}
	/* pass 2: their rows */
	r = lmrec_tsv_open(path);
	cu = lmrec_tsv_col(r, "user");
	size_t crank = lmrec_tsv_col(r, "rank"), citem = lmrec_tsv_col(r, "item");
	long creason = lmrec_tsv_col_opt(r, "reason");
	int open_table = 0;
	int64_t current = -1;
	while (lmrec_tsv_read(r)) {
		int64_t u = lmrec_ids_find(users, r->f[cu].p, r->f[cu].len);
		if (u < 0 || !chosen[u])
			continue;
		if (u != current) {
			if (open_table)
				lmrec_out_str(o, "</table>\n");
			lmrec_out_str(o, "<h3>user ");
			html_field(o, r->f[cu]);
			lmrec_out_str(o, "</h3>\n<table class=\"recs\"><tr><th>rank</th><th>item</th>"
					 "<th>title</th><th>reason</th></tr>\n");
			open_table = 1;
			current = u;
		}
		lmrec_out_str(o, "<tr><td class=\"num\">");
		html_field(o, r->f[crank]);
		lmrec_out_str(o, "</td><td>");
		html_field(o, r->f[citem]);
		lmrec_out_str(o, "</td><td>");
		int64_t t = lmrec_ids_find(titled, r->f[citem].p, r->f[citem].len);
		if (t >= 0 && titles[t]) {
			struct lmrec_field f = {titles[t], strlen(titles[t])};
			html_field(o, f);
		}
		lmrec_out_str(o, "</td><td>");
		if (creason >= 0)
			html_field(o, r->f[creason]);
		lmrec_out_str(o, "</td></tr>\n");
	}
	lmrec_tsv_close(r);
	if (open_table)
		lmrec_out_str(o, "</table>\n");
	lmrec_out_str(o, "</section>\n");
	for (size_t i = 0; i < lmrec_ids_count(titled); i++)
		free(titles[i]);
	free(titles);
	lmrec_ids_free(titled);
	free(chosen);
	lmrec_topk_free(&pick);
	lmrec_ids_free(users);
	free(path);
}

/* Warnings from the stage logs: lines that say "warning:", and stages that
 * did not end well. */
static void section_warnings(struct page *pg)
{
	struct lmrec_out *o = pg->out;
	lmrec_out_str(o, "<section id=\"warnings\">\n<h2>Warnings</h2>\n");
	size_t shown = 0, total = 0;
	const size_t limit = 50;
	const struct table *st = &pg->stages;
	lmrec_out_str(o, "<ul class=\"warnings\">\n");
	/* the stage logs, in stage order */
	for (size_t i = 0; i < st->n; i++) {
		const char *stage = tget(st, i, "stage");
		int dup = 0;
		for (size_t j = 0; j < i; j++)
			dup |= strcmp(tget(st, j, "stage"), stage) == 0;
		if (dup)
			continue;
		char *log = lmrec_xasprintf("%s/log/%s.log", pg->o->run, stage);
		char *text = slurp(log, NULL);
		for (char *line = text; line && *line;) {
			char *nl = strchr(line, '\n');
			if (nl)
				*nl = '\0';
			if (strstr(line, "warning:")) {
				total++;
				if (shown < limit) {
					lmrec_out_str(o, "<li>");
					htmls(o, stage);
					lmrec_out_str(o, ": ");
					htmls(o, line);
					lmrec_out_str(o, "</li>\n");
					shown++;
				}
			}
			line = nl ? nl + 1 : NULL;
		}
		free(text);
		free(log);
	}
	for (size_t i = 0; i < st->n; i++)
		if (strcmp(tget(st, i, "status"), "ok") != 0) {
			total++;
			lmrec_out_str(o, "<li>stage ");
			htmls(o, tget(st, i, "stage"));
			lmrec_out_str(o, " ended with ");
			htmls(o, tget(st, i, "status"));
			lmrec_out_str(o, "</li>\n");
		}
	lmrec_out_str(o, "</ul>\n");
	if (total == 0)
		lmrec_out_str(o, "<p id=\"nowarnings\">None.</p>\n");
	else if (total > shown)
		lmrec_out_printf(o, "<p>%zu warnings in all; the logs in <code>log/</code> hold every one.</p>\n",
				 total);
	lmrec_out_str(o, "</section>\n");
}

static char *read_status(const char *run)
{
	char *path = lmrec_xasprintf("%s/status", run);
	char *s = slurp(path, NULL);
	free(path);
	if (!s)
		return lmrec_xstrdup("unknown");
	s[strcspn(s, "\r\n")] = '\0';
	for (char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || *p == '-'))
			*p = '-';
	return s;
}

static int run(const struct opts *o)
{
	struct stat st;
	if (stat(o->run, &st) != 0 || !S_ISDIR(st.st_mode))
		lmrec_die(LMREC_EXIT_FAIL, "%s: not a run folder", o->run);
	struct page pg;
	memset(&pg, 0, sizeof pg);
	pg.o = o;
	snprintf(pg.kstr, sizeof pg.kstr, "%zu", o->k);
	if (o->date) {
		pg.date = lmrec_xstrdup(o->date);
	} else { /* the folder's name */
		size_t n = strlen(o->run);
		while (n > 1 && o->run[n - 1] == '/')
			n--;
		size_t b = n;
		while (b > 0 && o->run[b - 1] != '/')
			b--;
		pg.date = lmrec_xstrndup(o->run + b, n - b);
	}
	pg.status = o->status ? lmrec_xstrdup(o->status) : read_status(o->run);
	char *p;
	table_read(&pg.metrics, p = lmrec_xasprintf("%s/metrics.tsv", o->run));
	free(p);
	table_read(&pg.gate, p = lmrec_xasprintf("%s/gate.tsv", o->run));
	free(p);
	table_read(&pg.stages, p = lmrec_xasprintf("%s/stages.tsv", o->run));
	free(p);
	table_read(&pg.churn, p = lmrec_xasprintf("%s/churn.tsv", o->run));
	free(p);
	if (o->history)
		table_read(&pg.history, o->history);
	pg.ch.on = o->charts;
	pg.ch.prog = o->gnuplot;
	if (pg.ch.on) {
		const char *tmp = getenv("TMPDIR");
		pg.ch.dir = lmrec_xasprintf("%s/lmrec-report.XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(pg.ch.dir))
			lmrec_die(LMREC_EXIT_FAIL, "%s: mkdtemp:", pg.ch.dir);
		lmrec_temp_register(pg.ch.dir);
		/* is gnuplot there at all? the header says so before any chart */
		char *probe = chart(&pg.ch, "probe", "plot 1\n");
		free(probe);
		pg.ch.count = 0;
	} else {
		pg.ch.why = lmrec_xstrdup("--no-charts was given");
	}

	pg.out = lmrec_out_open(o->output);
	section_header(&pg);
	section_gate(&pg);
	section_headline(&pg);
	section_exposure(&pg);
	section_segments(&pg);
	section_stages(&pg);
	section_sample(&pg);
	section_warnings(&pg);
	lmrec_out_str(pg.out, "<footer><p>Made by lmrec-report ");
	lmrec_out_str(pg.out, LMREC_VERSION);
	lmrec_out_str(pg.out, " from the run folder and the history; re-render with <code>lmrec-report ");
	htmls(pg.out, o->run);
	lmrec_out_str(pg.out, "</code>.</p></footer>\n</body>\n</html>\n");
	lmrec_out_commit(pg.out);
	if (!o->quiet)
		fprintf(stderr, "%s: night %s (%s): %d chart%s%s\n", lmrec_progname(), pg.date, pg.status,
			pg.ch.count, pg.ch.count == 1 ? "" : "s", pg.ch.on ? "" : ", charts absent");

	if (pg.ch.dir) {
		rmdir(pg.ch.dir);
		lmrec_temp_forget(pg.ch.dir);
	}
	free(pg.ch.dir);
	free(pg.ch.why);
	table_free(&pg.metrics);
	table_free(&pg.gate);
	table_free(&pg.stages);
	table_free(&pg.churn);
	table_free(&pg.history);
	free(pg.date);
	free(pg.status);
	return 0;
}

int main(int argc, char **argv)
{
	lmrec_setprogname(argv[0]);
	struct opts o = {.gnuplot = "gnuplot", .sample = 5, .nights = 30, .k = 10, .charts = 1};
	const char *history = NULL, *items = NULL, *interactions = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "o:qhV", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_HISTORY: history = optarg; break;           /* --history */
		case OPT_ITEMS: items = optarg; break;               /* --items */
		case OPT_INTERACTIONS: interactions = optarg; break; /* --interactions */
		case OPT_DATE: o.date = optarg; break;               /* --date */
		case OPT_K: o.k = (size_t)lmrec_opt_u64("--k", optarg, 1, 1000000); break; /* --k */
		case OPT_NIGHTS: o.nights = (size_t)lmrec_opt_u64("--nights", optarg, 1, 100000); break; /* --nights */
		case OPT_SAMPLE: o.sample = (size_t)lmrec_opt_u64("--sample", optarg, 0, 10000); break; /* --sample */
		case OPT_GNUPLOT: o.gnuplot = optarg; break;         /* --gnuplot */
		case OPT_NO_CHARTS: o.charts = 0; break;             /* --no-charts */
		case OPT_STATUS: /* --status */
			if (strcmp(optarg, "published") != 0 && strcmp(optarg, "refused") != 0 &&
			    strcmp(optarg, "failed") != 0 && strcmp(optarg, "running") != 0)
				lmrec_usage_error("invalid value for --status: '%s' (expected published, refused, "
						  "failed or running)",
						  optarg);
			o.status = optarg;
			break;
		case 'o': o.output = optarg; break;                  /* --output */
		case 'q': o.quiet = 1; break;                        /* --quiet */
		case 'h': usage(0); break;                           /* --help */
		case 'V': lmrec_print_version(); lmrec_close_stdout(); return 0; /* --version */
		default: usage(LMREC_EXIT_USAGE);
		}
	}
	if (optind + 1 != argc)
		lmrec_usage_error(optind < argc ? "one run folder, please" : "a run folder is required");
	o.run = argv[optind];
	char *dh = lmrec_xasprintf("%s/../../history.tsv", o.run);
	char *di = lmrec_xasprintf("%s/work/items.tsv", o.run);
	char *dn = lmrec_xasprintf("%s/work/interactions.tsv.gz", o.run);
	o.history = history ? history : (file_exists(dh) ? dh : NULL);
	o.items = items ? items : di;
	o.interactions = interactions ? interactions : dn;
	int rc = run(&o);
	free(dh);
	free(di);
	free(dn);
	lmrec_close_stdout();
	return rc;
}

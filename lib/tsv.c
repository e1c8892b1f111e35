/* lmrec — TSV streams: reader (plain or gzip) and atomic writer. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "gzin.h"
#include "tsv.h"
#include "util.h"

#define READ_CHUNK ((size_t)256 * 1024)
#define OUT_BUF ((size_t)64 * 1024)

/* ---- reader ---- */

const char *lmrec_tsv_colname(const struct lmrec_tsv *r, size_t col, char tmp[32])
{
	if (r->cols && col < r->ncols)
		return r->cols[col];
	snprintf(tmp, 32, "#%zu", col + 1);
	return tmp;
}

void lmrec_tsv_die_line(const struct lmrec_tsv *r, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: %s:%zu: ", lmrec_progname(), r->display, r->lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	lmrec_exit(LMREC_EXIT_DATA);
}

void lmrec_tsv_die(const struct lmrec_tsv *r, size_t col, const char *fmt, ...)
{
	char tmp[32];
	va_list ap;
	fprintf(stderr, "%s: %s:%zu: column '%s': ", lmrec_progname(), r->display, r->lineno,
		lmrec_tsv_colname(r, col, tmp));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	lmrec_exit(LMREC_EXIT_DATA);
}

/* Reads more bytes into the buffer; sets eof when there are none. */
static void fill(struct lmrec_tsv *r)
{
	if (r->beg > 0) {
		memmove(r->buf, r->buf + r->beg, r->end - r->beg);
		r->end -= r->beg;
		r->beg = 0;
	}
	if (r->cap - r->end < READ_CHUNK / 4) {
		size_t ncap = r->cap * 2;
		r->buf = lmrec_xreallocarray(r->buf, ncap, 1);
		r->cap = ncap;
	}
	ssize_t n = lmrec_gzin_read(r->in, r->buf + r->end, r->cap - r->end);
	if (n < 0) {
		r->lineno++; /* the line being read when the stream went wrong */
		lmrec_tsv_die_line(r, "%s", lmrec_gzin_error(r->in));
	}
	if (n == 0)
		r->eof = 1;
	r->end += (size_t)n;
}

/* Finds the next line; returns 0 at the end of input. */
static int next_line(struct lmrec_tsv *r)
{
	size_t scanned = r->beg;
	for (;;) {
		char *nl = memchr(r->buf + scanned, '\n', r->end - scanned);
		if (nl) {
			r->line = r->buf + r->beg;
			r->linelen = (size_t)(nl - r->line);
			r->beg = (size_t)(nl - r->buf) + 1;
			r->bytes += r->linelen + 1;
			break;
		}
		if (r->eof) {
			if (r->beg == r->end)
				return 0;
			r->line = r->buf + r->beg;
			r->linelen = r->end - r->beg; /* the last line, without its LF */
			r->beg = r->end;
			r->bytes += r->linelen;
			break;
		}
		size_t off = r->end - r->beg;
		fill(r);
		scanned = r->beg + off;
	}
	r->lineno++;
	return 1;
}

static void push_field(struct lmrec_tsv *r, const char *p, size_t len)
{
	if (r->nf == r->fcap)
		LMREC_GROW(r->f, r->fcap, r->nf + 1);
	r->f[r->nf].p = p;
	r->f[r->nf].len = len;
	r->nf++;
}

/* Byte classes of the canonical fast path. */
enum { C_PLAIN = 0, C_TAB, C_BACKSLASH, C_CR, C_NUL };
static const unsigned char byte_class[256] = {
	[0] = C_NUL, ['\t'] = C_TAB, ['\\'] = C_BACKSLASH, ['\r'] = C_CR,
};

/* The letters that may follow a backslash: \t \n \r \\. */
static int escape_letter(unsigned char c) { return c == 't' || c == 'n' || c == 'r' || c == '\\'; }

static void die_cr(const struct lmrec_tsv *r, size_t col, size_t at)
{
	if (at + 1 == r->linelen)
		lmrec_tsv_die_line(r, "line ends with CR (CRLF line endings): convert the file "
				      "with dos2unix");
	lmrec_tsv_die(r, col, "raw CR inside a field (write it as \\r)");
}

/* Splits a canonical line: TAB-separated, escapes checked. */
static void split_canonical(struct lmrec_tsv *r)
{
	const unsigned char *s = (const unsigned char *)r->line;
	size_t n = r->linelen, start = 0;
	unsigned flags = r->flags;
	r->nf = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned c = byte_class[s[i]];
		if (c == C_PLAIN)
			continue;
		switch (c) {
		case C_TAB:
			push_field(r, r->line + start, i - start);
			start = i + 1;
			break;
		case C_BACKSLASH:
			if (flags & LMREC_TSV_RAW)
				break;
			if (i + 1 >= n || s[i + 1] == '\t')
				lmrec_tsv_die(r, r->nf, "lone backslash at the end of the field "
						 "(write a backslash as \\\\)");
			if (!escape_letter(s[i + 1]))
				lmrec_tsv_die(r, r->nf, "unknown escape '\\%c' (only \\t \\n \\r \\\\ are allowed)",
					      s[i + 1] >= 0x20 && s[i + 1] < 0x7f ? s[i + 1] : '?');
			i++;
			break;
		case C_CR:
			if ((flags & LMREC_TSV_CRLF) && i + 1 == n) {
				n--;
				break;
			}
			die_cr(r, r->nf, i);
			break;
		case C_NUL:
			if (flags & LMREC_TSV_BINARY)
				break;
			lmrec_tsv_die(r, r->nf, "NUL byte in text");
		default:
			break;
		}
	}
	push_field(r, r->line + start, n - start);
	r->linelen = n;
}

/* Splits a foreign line on a one- or two-byte separator, raw bytes. */
static void split_sep(struct lmrec_tsv *r)
{
	const char *s = r->line;
	size_t n = r->linelen;
	if ((r->flags & LMREC_TSV_CRLF) && n && s[n - 1] == '\r')
		n--;
	r->nf = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r')
			die_cr(r, r->nf, i);
		if (s[i] == '\0' && !(r->flags & LMREC_TSV_BINARY))
			lmrec_tsv_die(r, r->nf, "NUL byte in text");
	}
	size_t start = 0;
	for (;;) {
		const char *hit = NULL;
		if (r->seplen == 1)
			hit = memchr(s + start, r->sep[0], n - start);
		else
			for (size_t i = start; i + r->seplen <= n; i++)
				if (s[i] == r->sep[0] && s[i + 1] == r->sep[1]) {
					hit = s + i;
					break;
				}
		if (!hit)
			break;
		push_field(r, s + start, (size_t)(hit - s) - start);
		start = (size_t)(hit - s) + r->seplen;
	}
	push_field(r, s + start, n - start);
	r->linelen = n;
}

static void split_line(struct lmrec_tsv *r)
{
	if (r->seplen == 1 && r->sep[0] == '\t')
		split_canonical(r);
	else
		split_sep(r);
}

static int valid_colname(const struct lmrec_field *f)
{
	if (f->len == 0 || f->p[0] < 'a' || f->p[0] > 'z')
		return 0;
	for (size_t i = 1; i < f->len; i++) {
		char c = f->p[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return 0;
	}
	return 1;
}

void lmrec_tsv_read_header(struct lmrec_tsv *r)
{
	if (!next_line(r)) {
		r->lineno = 1;
		lmrec_tsv_die_line(r, "empty input: no header line");
	}
	split_line(r);
	r->ncols = r->nf;
	r->cols = lmrec_xcalloc(r->ncols, sizeof *r->cols);
	for (size_t i = 0; i < r->nf; i++) {
		if (!valid_colname(&r->f[i]))
			lmrec_tsv_die_line(r, "header: column %zu: '%.*s' is not a column name "
					      "(lower-case letters, digits and '_', starting with a letter)",
					   i + 1, (int)(r->f[i].len > 64 ? 64 : r->f[i].len), r->f[i].p);
		r->cols[i] = lmrec_xstrndup(r->f[i].p, r->f[i].len);
		for (size_t j = 0; j < i; j++)
			if (strcmp(r->cols[j], r->cols[i]) == 0)
				lmrec_tsv_die_line(r, "header: column '%s' appears twice", r->cols[i]);
	}
}

struct lmrec_tsv *lmrec_tsv_open_with(const char *path, unsigned flags, const char *sep)
{
	struct lmrec_tsv *r = lmrec_xcalloc(1, sizeof *r);
	if (!path)
		path = "-";
	r->name = lmrec_xstrdup(path);
	r->display = lmrec_display_name(r->name);
	r->flags = flags;
	size_t seplen = strlen(sep);
	if (seplen < 1 || seplen > 2)
		lmrec_die(LMREC_EXIT_USAGE, "separator must be one or two bytes, not '%s'", sep);
	memcpy(r->sep, sep, seplen + 1);
	r->seplen = seplen;
	int fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		lmrec_die(LMREC_EXIT_FAIL, "%s: open:", r->display);
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		lmrec_die(LMREC_EXIT_FAIL, "%s: is a directory", r->display);
	}
	r->in = lmrec_gzin_open(fd, r->display);
	r->cap = READ_CHUNK;
	r->buf = lmrec_xmalloc(r->cap);
	if (!(flags & LMREC_TSV_NOHEADER))
		lmrec_tsv_read_header(r);
	return r;
}

struct lmrec_tsv *lmrec_tsv_open(const char *path) { return lmrec_tsv_open_with(path, 0, "\t"); }

int lmrec_tsv_read(struct lmrec_tsv *r)
{
	if (!next_line(r))
		return 0;
	split_line(r);
	if (r->flags & LMREC_TSV_RAGGED)
		return 1;
	if (r->ncols == 0 && !r->cols)
		r->ncols = r->nf; /* headerless: the first row fixes the width */
	if (r->nf != r->ncols) {
		char tmp[32];
		if (r->nf < r->ncols)
			lmrec_tsv_die(r, r->nf, "missing (the line has %zu field%s, the header %zu)", r->nf,
				      r->nf == 1 ? "" : "s", r->ncols);
		lmrec_tsv_die_line(r, "%zu fields where the header has %zu (after column '%s'; "
				      "an unescaped TAB?)",
				   r->nf, r->ncols, lmrec_tsv_colname(r, r->ncols - 1, tmp));
	}
	return 1;
}

void lmrec_tsv_close(struct lmrec_tsv *r)
{
	if (!r)
		return;
	if (lmrec_gzin_close(r->in) != 0)
		lmrec_die(LMREC_EXIT_FAIL, "%s: close:", r->display);
	for (size_t i = 0; i < r->ncols && r->cols; i++)
		free(r->cols[i]);
	free(r->cols);
	free(r->f);
	free(r->buf);
	free(r->name);
	free(r);
}

long lmrec_tsv_col_opt(const struct lmrec_tsv *r, const char *name)
{
	for (size_t i = 0; i < r->ncols && r->cols; i++)
		if (strcmp(r->cols[i], name) == 0)
			return (long)i;
	return -1;
}

size_t lmrec_tsv_col(const struct lmrec_tsv *r, const char *name)
{
	long c = lmrec_tsv_col_opt(r, name);
	if (c < 0) {
		fprintf(stderr, "%s: %s:1: no column '%s' in the header\n", lmrec_progname(), r->display,
			name);
		lmrec_exit(LMREC_EXIT_DATA);
	}
	return (size_t)c;
}

void lmrec_tsv_same_header(const struct lmrec_tsv *a, const struct lmrec_tsv *b)
{
	int same = a->ncols == b->ncols;
	for (size_t i = 0; same && i < a->ncols; i++)
		same = strcmp(a->cols[i], b->cols[i]) == 0;
	if (!same) {
		fprintf(stderr, "%s: %s:1: header differs from the header of %s\n", lmrec_progname(),
			b->display, a->display);
		lmrec_exit(LMREC_EXIT_DATA);
	}
}

static void die_value(const struct lmrec_tsv *r, size_t col, const char *what)
{
	struct lmrec_field f = r->f[col];
	if (f.len == 0)
		lmrec_tsv_die(r, col, "empty where %s is needed", what);
	int shown = f.len > 40 ? 40 : (int)f.len;
	lmrec_tsv_die(r, col, "'%.*s%s' is not %s", shown, f.p, f.len > 40 ? "..." : "", what);
}

int64_t lmrec_tsv_i64(const struct lmrec_tsv *r, size_t col)
{
	int64_t v;
	if (lmrec_parse_i64(r->f[col].p, r->f[col].len, &v) != 0)
		die_value(r, col, "an integer");
	return v;
}

double lmrec_tsv_f64(const struct lmrec_tsv *r, size_t col)
{
	double v;
	if (lmrec_parse_double(r->f[col].p, r->f[col].len, &v) != 0)
		die_value(r, col, "a finite number");
	return v;
}

float lmrec_tsv_f32(const struct lmrec_tsv *r, size_t col)
{
	float v;
	if (lmrec_parse_float(r->f[col].p, r->f[col].len, &v) != 0)
		die_value(r, col, "a finite number");
	return v;
}

size_t lmrec_tsv_unescape(char *dst, const char *src, size_t len)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		char c = src[i];
		if (c == '\\' && i + 1 < len) {
			switch (src[++i]) {
			case 't': c = '\t'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			default: c = src[i]; break; /* the backslash itself */
			}
		}
		dst[o++] = c;
	}
	return o;
}

long lmrec_tsv_check_escapes(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] == '\\') {
			if (i + 1 >= len || !escape_letter((unsigned char)s[i + 1]))
				return (long)i;
			i++;
		}
	return -1;
}

/* ---- writer ---- */

int lmrec_is_gz_name(const char *name)
{
	size_t n = strlen(name);
	return n > 3 && strcmp(name + n - 3, ".gz") == 0;
}

struct lmrec_out *lmrec_out_open(const char *path)
{
	struct lmrec_out *o = lmrec_xcalloc(1, sizeof *o);
	o->gzfd = -1;
	o->cap = OUT_BUF;
	o->buf = lmrec_xmalloc(o->cap);
	if (!path || strcmp(path, "-") == 0) {
		o->fp = stdout;
		return o;
	}
	o->path = lmrec_xstrdup(path);
	int fd;
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode))
			lmrec_die(LMREC_EXIT_FAIL, "%s: is a directory", path);
		o->direct = 1;
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			lmrec_die(LMREC_EXIT_FAIL, "%s: open:", path);
	} else {
		const char *slash = strrchr(path, '/');
		size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
		o->tmp = lmrec_xasprintf("%.*s.%s.tmp.XXXXXX", (int)dirlen, path, path + dirlen);
		lmrec_signals_hold();
		fd = mkstemp(o->tmp);
		int saved = errno;
		if (fd >= 0)
			lmrec_temp_register(o->tmp);
		lmrec_signals_release();
		errno = saved;
		if (fd < 0)
			lmrec_die(LMREC_EXIT_FAIL, "%s: cannot create a temporary file beside it:", path);
		mode_t mask = umask(0);
		umask(mask);
		if (fchmod(fd, 0666 & ~mask) != 0)
			lmrec_die(LMREC_EXIT_FAIL, "%s: chmod:", o->tmp);
	}
	if (lmrec_is_gz_name(path)) {
		o->gzfd = dup(fd); /* gzclose closes fd, and the data must reach the disk */
		if (o->gzfd < 0)
			lmrec_die(LMREC_EXIT_FAIL, "%s: dup:", path);
		o->gz = gzdopen(fd, "wb6");
		if (!o->gz)
			lmrec_die(LMREC_EXIT_FAIL, "%s: out of memory opening gzip output", path);
		gzbuffer(o->gz, READ_CHUNK);
	} else {
		o->fp = fdopen(fd, "wb");
		if (!o->fp)
			lmrec_die(LMREC_EXIT_FAIL, "%s: fdopen:", path);
	}
	return o;
}

struct lmrec_out *lmrec_out_open_mem(void)
{
	struct lmrec_out *o = lmrec_xcalloc(1, sizeof *o);
	o->gzfd = -1;
	o->mem = 1;
	o->cap = OUT_BUF;
	o->buf = lmrec_xmalloc(o->cap);
	return o;
}

static void write_error(const struct lmrec_out *o)
{
	lmrec_die(LMREC_EXIT_FAIL, "%s: write:", o->path ? o->path : "standard output");
}

void lmrec_out_flush(struct lmrec_out *o)
{
	if (o->mem) { /* nowhere to flush to: make room instead */
		if (o->len == o->cap) {
			o->cap *= 2;
			o->buf = lmrec_xreallocarray(o->buf, o->cap, 1);
		}
		return;
	}
	if (o->len == 0)
		return;
	if (o->gz) {
		for (size_t off = 0; off < o->len;) {
			unsigned chunk = o->len - off > (1u << 30) ? (1u << 30) : (unsigned)(o->len - off);
			if (gzwrite(o->gz, o->buf + off, chunk) != (int)chunk)
				write_error(o);
			off += chunk;
		}
	} else if (fwrite(o->buf, 1, o->len, o->fp) != o->len) {
		write_error(o);
	}
	o->len = 0;
}

void lmrec_out_write(struct lmrec_out *o, const void *p, size_t n)
{
	if (o->mem) {
		if (o->cap - o->len < n) {
			size_t cap = o->cap;
			while (cap - o->len < n)
				cap *= 2;
			o->buf = lmrec_xreallocarray(o->buf, cap, 1);
			o->cap = cap;
		}
		memcpy(o->buf + o->len, p, n);
		o->len += n;
		return;
	}
	if (o->cap - o->len < n) {
		lmrec_out_flush(o);
		if (n >= o->cap) {
			size_t keep = o->len;
			o->len = n;
			char *saved = o->buf;
			o->buf = (char *)p; /* write through without copying */
			lmrec_out_flush(o);
			o->buf = saved;
			o->len = keep;
			return;
		}
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

void lmrec_out_str(struct lmrec_out *o, const char *s) { lmrec_out_write(o, s, strlen(s)); }

void lmrec_out_field(struct lmrec_out *o, const char *p, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		char c = p[i], e;
		switch (c) {
		case '\t': e = 't'; break;
		case '\n': e = 'n'; break;
		case '\r': e = 'r'; break;
		case '\\': e = '\\'; break;
		default: continue;
		}
		lmrec_out_write(o, p + start, i - start);
		char esc[2] = {'\\', e};
		lmrec_out_write(o, esc, 2);
		start = i + 1;
	}
	lmrec_out_write(o, p + start, n - start);
}

void lmrec_out_i64(struct lmrec_out *o, int64_t v)
{
	char tmp[24];
	char *e = tmp + sizeof tmp, *s = e;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do {
		*--s = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--s = '-';
	lmrec_out_write(o, s, (size_t)(e - s));
}

void lmrec_out_f32(struct lmrec_out *o, float v)
{
	char tmp[48];
	int n = snprintf(tmp, sizeof tmp, "%.9g", (double)v);
	lmrec_out_write(o, tmp, (size_t)n);
}

void lmrec_out_f64(struct lmrec_out *o, double v)
{
	char tmp[48];
	int n = snprintf(tmp, sizeof tmp, "%.17g", v);
	lmrec_out_write(o, tmp, (size_t)n);
}

void lmrec_out_printf(struct lmrec_out *o, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		lmrec_die(LMREC_EXIT_FAIL, "formatting failed");
	if ((size_t)n < sizeof tmp) {
		lmrec_out_write(o, tmp, (size_t)n);
		return;
	}
	char *big = lmrec_xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	lmrec_out_write(o, big, (size_t)n);
	free(big);
}

static void out_free(struct lmrec_out *o)
{
	free(o->buf);
	free(o->path);
	free(o->tmp);
	free(o);
}

void lmrec_out_commit(struct lmrec_out *o)
{
	lmrec_out_flush(o);
	if (!o->path) {
		if (fflush(o->fp) != 0)
			write_error(o);
		out_free(o);
		return;
	}
	if (o->gz) {
		if (gzclose(o->gz) != Z_OK || (!o->direct && fsync(o->gzfd) != 0))
			write_error(o);
		close(o->gzfd);
	} else {
		FILE *fp = o->fp;
		if (fflush(fp) != 0 || ferror(fp) || (!o->direct && fsync(fileno(fp)) != 0)) {
			fclose(fp);
			write_error(o);
		}
		if (fclose(fp) != 0)
			write_error(o);
	}
	if (o->direct) {
		out_free(o);
		return;
	}
	if (rename(o->tmp, o->path) != 0)
		lmrec_die(LMREC_EXIT_FAIL, "%s: rename into place:", o->path);
	lmrec_temp_forget(o->tmp);
	out_free(o);
}

void lmrec_out_abort(struct lmrec_out *o)
{
	if (!o)
		return;
	if (o->mem) {
		out_free(o);
		return;
	}
	if (o->path) {
		if (o->gz) {
			gzclose(o->gz);
			close(o->gzfd);
		}
		else if (o->fp)
			fclose(o->fp);
		if (!o->direct) {
			unlink(o->tmp);
			lmrec_temp_forget(o->tmp);
		}
	}
	out_free(o);
}

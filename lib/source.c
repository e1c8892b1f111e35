/* lmrec — foreign sources: tsv, csv (libcsv) and raw separated files. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "source.h"
#include "tsv.h"
#include "utf8.h"
#include "util.h"

struct lmrec_src_impl {
	struct lmrec_tsv *r;          /* line reader: gzip, line numbers, CR and NUL checks */
	int first;                    /* no line read yet (byte-order mark) */
	struct lmrec_field *raw;      /* (nraw) the row's fields as read, before normalising */
	size_t nraw, rawcap;
	size_t *fofs;                 /* (nf) offset of field i in scratch, or SIZE_MAX */
	size_t fcap;
	char *scratch;                /* (slen) converted or escaped field text */
	size_t slen, scap;
	char *tmp;                    /* (tcap) one field converted from Latin-1 */
	size_t tcap;
	/* csv */
	struct csv_parser csv;
	int csv_live;
	char *rec;                    /* (reclen) the fields of the record being parsed */
	size_t reclen, reccap;
	size_t *recoff;               /* (nrec + 1) start of each field in rec */
	size_t nrec, recoffcap;
	int rec_done, in_record;
	size_t rec_line;              /* line where the record began */
};

static const char bom[3] = {'\xEF', '\xBB', '\xBF'};

const char *lmrec_src_colname(const struct lmrec_src *s, size_t col, char tmp[32])
{
	if (s->cols && col < s->ncols)
		return s->cols[col];
	snprintf(tmp, 32, "#%zu", col + 1);
	return tmp;
}

long lmrec_src_col(const struct lmrec_src *s, const char *name)
{
	long found = -1;
	for (size_t i = 0; i < s->ncols && s->cols; i++)
		if (strcmp(s->cols[i], name) == 0) {
			if (found >= 0)
				return -2;
			found = (long)i;
		}
	return found;
}

/* Records a bad row; returns -1 for the caller to pass on. */
LMREC_PRINTF(4, 5)
static int bad(struct lmrec_src *s, size_t line, long col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		lmrec_die(LMREC_EXIT_FAIL, "formatting failed");
	free(s->err);
	s->err = lmrec_xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s->err, (size_t)n + 1, fmt, ap);
	va_end(ap);
	s->err_line = line;
	s->err_col = col;
	return -1;
}

/* ---- csv through libcsv ---- */

static void csv_field(void *p, size_t len, void *data)
{
	struct lmrec_src_impl *m = data;
	if (m->nrec + 2 > m->recoffcap)
		LMREC_GROW(m->recoff, m->recoffcap, m->nrec + 2);
	/* never NULL, even for empty fields only: the fields point into it */
	LMREC_GROW(m->rec, m->reccap, m->reclen + len + 1);
	if (len) {
		memcpy(m->rec + m->reclen, p, len);
		m->reclen += len;
	}
	m->recoff[++m->nrec] = m->reclen;
}

static void csv_record(int c, void *data)
{
	(void)c;
	struct lmrec_src_impl *m = data;
	m->rec_done = 1;
}

/* Fields are kept as they are: no space is trimmed (RFC 4180). */
static int no_space(unsigned char c)
{
	(void)c;
	return 0;
}

static void csv_start(struct lmrec_src *s)
{
	struct lmrec_src_impl *m = s->impl;
	if (m->csv_live)
		csv_free(&m->csv);
	if (csv_init(&m->csv, CSV_STRICT | CSV_STRICT_FINI) != 0)
		lmrec_die(LMREC_EXIT_FAIL, "out of memory starting the CSV parser");
	csv_set_delim(&m->csv, (unsigned char)s->o.sep[0]);
	csv_set_space_func(&m->csv, no_space);
	m->csv_live = 1;
}

static void rec_reset(struct lmrec_src_impl *m)
{
	m->reclen = 0;
	m->nrec = 0;
	if (!m->recoffcap)
		LMREC_GROW(m->recoff, m->recoffcap, 16);
	m->recoff[0] = 0;
	m->rec_done = 0;
	m->in_record = 0;
}

/* Reads lines into the parser until a record is complete: 1, 0 at the end,
 * -1 for a line the parser refuses. */
static int csv_next(struct lmrec_src *s)
{
	struct lmrec_src_impl *m = s->impl;
	rec_reset(m);
	for (;;) {
		if (!lmrec_tsv_read(m->r)) {
			if (csv_fini(&m->csv, csv_field, csv_record, m) != 0)
				lmrec_die_at(s->display, m->rec_line,
					     "column '%s': quoted field not closed before the end of the file",
					     lmrec_src_colname(s, m->nrec, (char[32]){0}));
			if (m->rec_done)
				break;
			return 0;
		}
		const char *p = m->r->f[0].p;
		size_t len = m->r->f[0].len;
		if (m->first) {
			m->first = 0;
			if (len >= 3 && memcmp(p, bom, 3) == 0) {
				p += 3;
				len -= 3;
			}
		}
		if (!m->in_record) {
			if (len == 0)
				continue; /* an empty line between records */
			m->rec_line = m->r->lineno;
			m->in_record = 1;
		}
		if (csv_parse(&m->csv, p, len, csv_field, csv_record, m) != len ||
		    csv_parse(&m->csv, "\n", 1, csv_field, csv_record, m) != 1) {
			if (csv_error(&m->csv) != CSV_EPARSE)
				lmrec_die(LMREC_EXIT_FAIL, "%s: CSV parser: %s", s->display,
					  csv_strerror(csv_error(&m->csv)));
			size_t col = m->nrec;
			s->lineno = m->rec_line;
			csv_start(s);
			return bad(s, m->r->lineno, (long)col,
				   "malformed CSV (a quote inside an unquoted field, or text "
				   "after a closing quote)");
		}
		if (m->rec_done)
			break;
	}
	m->nraw = 0;
	LMREC_GROW(m->raw, m->rawcap, m->nrec + 1);
	for (size_t i = 0; i < m->nrec; i++) {
		m->raw[i].p = m->rec + m->recoff[i];
		m->raw[i].len = m->recoff[i + 1] - m->recoff[i];
	}
	m->nraw = m->nrec;
	s->lineno = m->rec_line;
	return 1;
}

/* ---- tsv and raw: one line, one row ---- */

static int line_next(struct lmrec_src *s)
{
	struct lmrec_src_impl *m = s->impl;
	struct lmrec_tsv *r = m->r;
	for (;;) {
		uint64_t before = r->bytes;
		if (!lmrec_tsv_read(r))
			return 0;
		if (s->o.format == LMREC_SRC_TSV && r->bytes - before == (uint64_t)r->linelen + 2)
			lmrec_die_at(s->display, r->lineno, "line ends with CR (CRLF line endings): "
							    "convert the file with dos2unix");
		if (s->o.format == LMREC_SRC_RAW && r->linelen == 0)
			continue;
		LMREC_GROW(m->raw, m->rawcap, r->nf);
		memcpy(m->raw, r->f, r->nf * sizeof *r->f);
		m->nraw = r->nf;
		if (m->first) {
			m->first = 0;
			if (s->o.format == LMREC_SRC_RAW && m->raw[0].len >= 3 &&
			    memcmp(m->raw[0].p, bom, 3) == 0) {
				m->raw[0].p += 3;
				m->raw[0].len -= 3;
			}
		}
		s->lineno = r->lineno;
		return 1;
	}
}

/* ---- normalising fields to escaped UTF-8 ---- */

/* Physical line of byte off of raw field col (a quoted CSV field may span lines). */
static size_t line_of(const struct lmrec_src *s, size_t col, size_t off)
{
	const struct lmrec_src_impl *m = s->impl;
	size_t line = s->lineno;
	for (size_t i = 0; i <= col && i < m->nraw; i++) {
		size_t n = i == col ? off : m->raw[i].len;
		for (size_t k = 0; k < n; k++)
			line += m->raw[i].p[k] == '\n';
	}
	return line;
}

static int needs_escape(const char *p, size_t len)
{
	for (size_t k = 0; k < len; k++) {
		char c = p[k];
		if (c == '\t' || c == '\n' || c == '\r' || c == '\\')
			return 1;
	}
	return 0;
}

/* Copies p[0..len) into scratch as field i, escaping TAB, LF, CR and
 * backslash when escape is set; returns the length written. */
static size_t scratch_put(struct lmrec_src_impl *m, size_t i, const char *p, size_t len, int escape)
{
	LMREC_GROW(m->scratch, m->scap, m->slen + 2 * len + 1);
	m->fofs[i] = m->slen;
	char *d = m->scratch + m->slen;
	size_t o = 0;
	for (size_t k = 0; k < len; k++) {
		char c = p[k], e = 0;
		if (escape) {
			if (c == '\t')
				e = 't';
			else if (c == '\n')
				e = 'n';
			else if (c == '\r')
				e = 'r';
			else if (c == '\\')
				e = '\\';
		}
		if (e) {
			d[o++] = '\\';
			d[o++] = e;
		} else {
			d[o++] = c;
		}
	}
	m->slen += o;
	return o;
}

/* Turns the raw fields into s->f: decoded to UTF-8, escaped. 0 or -1. */
static int normalise(struct lmrec_src *s)
{
	struct lmrec_src_impl *m = s->impl;
	size_t n = m->nraw;
	if (n > m->fcap) {
		size_t cap = m->fcap;
		LMREC_GROW(m->fofs, cap, n);
		s->f = lmrec_xreallocarray(s->f, cap, sizeof *s->f);
		m->fcap = cap;
	}
	m->slen = 0;
	int tsv = s->o.format == LMREC_SRC_TSV;
	for (size_t i = 0; i < n; i++) {
		const char *p = m->raw[i].p;
		size_t len = m->raw[i].len, off;
		int convert = 0;
		if (s->o.encoding == LMREC_ENC_LATIN1) {
			convert = lmrec_utf8_count_high(p, len) > 0;
		} else if (!lmrec_utf8_valid(p, len, &off)) {
			if (s->o.encoding == LMREC_ENC_UTF8)
				return bad(s, line_of(s, i, off), (long)i,
					   "invalid UTF-8: byte 0x%02X at offset %zu of the field "
					   "(for Latin-1 text use --encoding latin1)",
					   (unsigned char)p[off], off);
			convert = 1;
		}
		if (convert) {
			LMREC_GROW(m->tmp, m->tcap, 2 * len + 1);
			len = lmrec_utf8_from_latin1(m->tmp, p, len);
			p = m->tmp;
		}
		if (tsv) {
			long at = lmrec_tsv_check_escapes(p, len);
			if (at >= 0) {
				size_t a = (size_t)at;
				if (a + 1 >= len)
					return bad(s, s->lineno, (long)i,
						   "lone backslash at the end of the field "
						   "(write a backslash as \\\\)");
				unsigned char e = (unsigned char)p[a + 1];
				return bad(s, s->lineno, (long)i,
					   "unknown escape '\\%c' (only \\t \\n \\r \\\\ are allowed)",
					   e >= 0x20 && e < 0x7f ? e : '?');
			}
		}
		int escape = !tsv && needs_escape(p, len);
		if (convert || escape) {
			s->f[i].len = scratch_put(m, i, p, len, escape);
		} else {
			m->fofs[i] = SIZE_MAX;
			s->f[i].p = p;
			s->f[i].len = len;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (m->fofs[i] != SIZE_MAX)
			s->f[i].p = m->scratch + m->fofs[i];
	s->nf = n;
	return 0;
}

/* The next row's raw fields: 1, 0 at the end, -1 for a bad row. */
static int next_raw(struct lmrec_src *s)
{
	return s->o.format == LMREC_SRC_CSV ? csv_next(s) : line_next(s);
}

static void read_header(struct lmrec_src *s)
{
	int rc = next_raw(s);
	if (rc == 0)
		lmrec_die_at(s->display, 1, "empty input: no header line");
	if (rc > 0)
		rc = normalise(s);
	if (rc < 0)
		lmrec_die_at(s->display, s->err_line, "header: column %ld: %s", s->err_col + 1, s->err);
	s->ncols = s->nf;
	s->cols = lmrec_xcalloc(s->ncols, sizeof *s->cols);
	for (size_t i = 0; i < s->nf; i++)
		s->cols[i] = lmrec_xstrndup(s->f[i].p, s->f[i].len);
	s->width = s->ncols;
}

struct lmrec_src *lmrec_src_open(const char *path, const struct lmrec_src_opts *o)
{
	struct lmrec_src *s = lmrec_xcalloc(1, sizeof *s);
	struct lmrec_src_impl *m = lmrec_xcalloc(1, sizeof *m);
	s->impl = m;
	s->o = *o;
	s->err_col = -1;
	m->first = 1;
	unsigned flags = LMREC_TSV_RAW | LMREC_TSV_CRLF | LMREC_TSV_RAGGED;
	if (o->format == LMREC_SRC_TSV) {
		/* lmrec's reader checks the header names of a canonical stream. */
		m->r = lmrec_tsv_open_with(path, flags | (o->header ? 0 : LMREC_TSV_NOHEADER), "\t");
		s->display = m->r->display;
		m->first = 0;
		if (o->header) {
			uint64_t len = m->r->ncols ? m->r->ncols - 1 : 0;
			for (size_t i = 0; i < m->r->ncols; i++)
				len += strlen(m->r->cols[i]);
			if (m->r->bytes == len + 2) {
				lmrec_src_close(s);
				lmrec_die_at(path, 1, "line ends with CR (CRLF line endings): "
						      "convert the file with dos2unix");
			}
			s->ncols = m->r->ncols;
			s->cols = lmrec_xcalloc(s->ncols, sizeof *s->cols);
			for (size_t i = 0; i < s->ncols; i++)
				s->cols[i] = lmrec_xstrdup(m->r->cols[i]);
			s->width = s->ncols;
		}
		return s;
	}
	/* csv: the reader only cuts lines (a separator that never occurs: LF). */
	const char *sep = o->format == LMREC_SRC_CSV ? "\n" : o->sep;
	m->r = lmrec_tsv_open_with(path, flags | LMREC_TSV_NOHEADER, sep);
	s->display = m->r->display;
	if (o->format == LMREC_SRC_CSV)
		csv_start(s);
	if (o->header)
		read_header(s);
	return s;
}

int lmrec_src_read(struct lmrec_src *s)
{
	struct lmrec_src_impl *m = s->impl;
	int rc = next_raw(s);
	if (rc <= 0)
		return rc;
	if (s->width == 0)
		s->width = m->nraw; /* no header: the first row fixes the width */
	if (m->nraw < s->width) {
		return bad(s, line_of(s, m->nraw, 0), (long)m->nraw, "missing (the line has %zu field%s, the %s %zu)", m->nraw,
			   m->nraw == 1 ? "" : "s", s->cols ? "header" : "first row", s->width);
	}
	if (m->nraw > s->width)
		return bad(s, s->lineno, -1,
			   "%zu fields where the %s has %zu (a separator inside a field?)", m->nraw,
			   s->cols ? "header" : "first row", s->width);
	return normalise(s) < 0 ? -1 : 1;
}

void lmrec_src_close(struct lmrec_src *s)
{
	if (!s)
		return;
	struct lmrec_src_impl *m = s->impl;
	lmrec_tsv_close(m->r);
	if (m->csv_live)
		csv_free(&m->csv);
	for (size_t i = 0; i < s->ncols && s->cols; i++)
		free(s->cols[i]);
	free(s->cols);
	free(s->f);
	free(s->err);
	free(m->raw);
	free(m->fofs);
	free(m->scratch);
	free(m->tmp);
	free(m->rec);
	free(m->recoff);
	free(m);
	free(s);
}

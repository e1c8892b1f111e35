/* lmrec — foreign sources: the files lmrec-ingest turns into streams.
 *
 * A source yields rows of fields, each field UTF-8 text in the escaped form
 * of lmrec streams (TAB, LF, CR and backslash written as \t \n \r \\), so a
 * field can be written to a stream as it is. Three formats:
 *  - tsv: lmrec's own TSV (SPEC.md §3): escapes checked, LF line ends only;
 *  - csv: RFC 4180 through libcsv in strict mode: a quoted field may hold
 *    the delimiter, doubled quotes and line breaks; CRLF or LF; fields are
 *    kept byte for byte (no trimming of spaces);
 *  - raw: each line split on a one- or two-byte separator ("::" is split
 *    directly), no quoting, no escapes; CRLF or LF; empty lines skipped.
 * Text is read as UTF-8 (checked), Latin-1 (converted) or auto (per field:
 * kept when valid UTF-8, else read as Latin-1). Plain or gzip input, by its
 * magic bytes. A UTF-8 byte-order mark at the start of a csv or raw file is
 * dropped. Every row must have as many fields as the header, or as the
 * first row when there is none.
 *
 * Only lmrec-ingest uses this file, and it links -lcsv. */
#ifndef LMREC_SOURCE_H
#define LMREC_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "tsv.h"

enum lmrec_src_format { LMREC_SRC_TSV, LMREC_SRC_CSV, LMREC_SRC_RAW };
enum lmrec_src_encoding { LMREC_ENC_UTF8, LMREC_ENC_LATIN1, LMREC_ENC_AUTO };

struct lmrec_src_opts {
	enum lmrec_src_format format;
	char sep[3];                 /* csv: one byte; raw: one or two; tsv: unused */
	int header;                  /* the first row names the columns */
	enum lmrec_src_encoding encoding;
};

struct lmrec_src_impl;

struct lmrec_src {
	struct lmrec_src_opts o;
	const char *display;         /* file name for messages ("<stdin>" for "-") */
	char **cols;                 /* (ncols) header names, escaped UTF-8; NULL without header */
	size_t ncols;
	size_t width;                /* fields of every row; 0 until the first row */
	size_t lineno;               /* first physical line of the current row */
	struct lmrec_field *f;       /* (nf) fields of the current row */
	size_t nf;
	/* The last bad row (lmrec_src_read returned -1): */
	char *err;                   /* message, without file and line */
	size_t err_line;
	long err_col;                /* 0-based column, or -1 for the whole row */
	struct lmrec_src_impl *impl;
};

/* Opens path ("-": standard input) and reads the header when there is one.
 * Dies with exit 1 when the file cannot be opened, 65 when its header is
 * bad. */
struct lmrec_src *lmrec_src_open(const char *path, const struct lmrec_src_opts *o);
/* Reads the next row: 1 for a row (f, nf, lineno), 0 at the end, -1 for a
 * bad row (err, err_line, err_col): the next call goes on after it. Input
 * that cannot be read on (a CR or NUL byte where it cannot be, a truncated
 * gzip stream, a quoted field still open at the end) dies with exit 65. */
int lmrec_src_read(struct lmrec_src *s);
/* Closes; a truncated gzip stream dies (65). NULL is allowed. */
void lmrec_src_close(struct lmrec_src *s);

/* Index of the header column name; -1 when absent, -2 when it appears more
 * than once. */
long lmrec_src_col(const struct lmrec_src *s, const char *name);
/* Name of column col for messages: the header's, else "#N" (1-based). */
const char *lmrec_src_colname(const struct lmrec_src *s, size_t col, char tmp[32]);

#endif

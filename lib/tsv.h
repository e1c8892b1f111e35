/* lmrec — TSV streams (SPEC.md §3, lmrec-formats(5)).
 *
 * Reading: plain or gzip (recognised by its magic bytes, on files and on
 * standard input; one or more members, read strictly by gzin.h), one
 * header line naming the columns, fields separated by TAB, lines ended by
 * LF (a missing final LF is accepted). A field never holds a raw TAB, LF,
 * CR or backslash: they are escaped as \t \n \r \\. Any other escape, a
 * CR, a NUL byte, a wrong number of fields or a truncated or corrupt gzip
 * stream (bytes after the last member included) ends the program with exit
 * 65 and one line naming the file, the line and the column. Fields stay
 * in escaped form (the encoding is injective, so ids compare correctly);
 * lmrec_tsv_unescape() decodes where the real text is needed.
 *
 * Writing: lmrec_out writes to standard output, or to a file through a
 * temporary file beside it that is renamed into place on commit, so a
 * reader never sees a half-written file; a name ending in ".gz" is written
 * compressed. */
#ifndef LMREC_TSV_H
#define LMREC_TSV_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct lmrec_field {
	const char *p; /* not NUL-terminated */
	size_t len;
};

/* Reader options for foreign sources (lmrec-ingest); canonical streams use 0. */
enum {
	LMREC_TSV_NOHEADER = 1, /* no header line: columns are numbered only */
	LMREC_TSV_RAW = 2,      /* backslash is an ordinary byte (no escapes) */
	LMREC_TSV_CRLF = 4,     /* a CR before the LF is dropped, not refused */
	LMREC_TSV_RAGGED = 8,   /* rows may have any number of fields */
	LMREC_TSV_BINARY = 16   /* a NUL byte is an ordinary byte */
};

struct lmrec_gzin;

struct lmrec_tsv {
	struct lmrec_gzin *in; /* the bytes, gzip or plain (gzin.h) */
	char *name;          /* as given; "-" is standard input */
	const char *display; /* name for messages ("<stdin>" for "-") */
	unsigned flags;
	char sep[3];         /* field separator: one or two bytes */
	size_t seplen;
	size_t lineno;       /* physical line of the current row (header = 1) */
	char *buf;           /* (cap) raw bytes; [beg, end) not yet consumed */
	size_t cap, beg, end;
	int eof;
	const char *line;    /* current row, without its LF */
	size_t linelen;
	struct lmrec_field *f; /* (nf) fields of the current row */
	size_t nf, fcap;
	char **cols;         /* (ncols) header names, NUL-terminated */
	size_t ncols;
	uint64_t bytes;      /* uncompressed bytes consumed so far */
};

/* Opens path ("-": standard input) and reads its header; dies on failure
 * (exit 1 if it cannot be opened, 65 if the header is bad). */
struct lmrec_tsv *lmrec_tsv_open(const char *path);
/* The same with options and a separator ("\t", "|", "::", ...). */
struct lmrec_tsv *lmrec_tsv_open_with(const char *path, unsigned flags, const char *sep);
/* Reads and checks the header line; lmrec_tsv_open_with does it unless
 * flags has LMREC_TSV_NOHEADER. Separate for a caller that must hold the
 * reader before its header can die (the fuzz harness frees it after its die
 * hook longjmps): open with LMREC_TSV_NOHEADER, then call this. */
void lmrec_tsv_read_header(struct lmrec_tsv *r);
/* Reads the next row: 1 for a row, 0 at the end. Malformed rows die (65). */
int lmrec_tsv_read(struct lmrec_tsv *r);
/* Closes (a bad gzip stream has died reading already: what is not read is
 * not checked). NULL is allowed. */
void lmrec_tsv_close(struct lmrec_tsv *r);

/* Index of a header column; lmrec_tsv_col dies (65) naming the file when it
 * is absent, lmrec_tsv_col_opt returns -1. */
size_t lmrec_tsv_col(const struct lmrec_tsv *r, const char *name);
long lmrec_tsv_col_opt(const struct lmrec_tsv *r, const char *name);
/* Dies (65) unless b's header is byte for byte a's (several inputs). */
void lmrec_tsv_same_header(const struct lmrec_tsv *a, const struct lmrec_tsv *b);

static inline struct lmrec_field lmrec_tsv_field(const struct lmrec_tsv *r, size_t col)
{
	return r->f[col];
}

/* Typed fields of the current row; a bad value dies (65) with
 * "file:line: column 'name': 'value' is not an integer". An empty weight-like
 * field is the caller's business (check len first). */
int64_t lmrec_tsv_i64(const struct lmrec_tsv *r, size_t col);
double lmrec_tsv_f64(const struct lmrec_tsv *r, size_t col);
float lmrec_tsv_f32(const struct lmrec_tsv *r, size_t col);

/* Dies (65) with "prog: file:line: column 'name': <message>". */
void lmrec_tsv_die(const struct lmrec_tsv *r, size_t col, const char *fmt, ...)
	LMREC_NORETURN LMREC_PRINTF(3, 4);
/* Dies (65) with "prog: file:line: <message>". */
void lmrec_tsv_die_line(const struct lmrec_tsv *r, const char *fmt, ...)
	LMREC_NORETURN LMREC_PRINTF(2, 3);
/* Name of column col for messages: the header name, or "#N" (1-based). */
const char *lmrec_tsv_colname(const struct lmrec_tsv *r, size_t col, char tmp[32]);

/* Decodes the escapes of src into dst (room for len bytes); returns the
 * decoded length. The input must be valid (as the reader guarantees). */
size_t lmrec_tsv_unescape(char *dst, const char *src, size_t len);
/* Checks escapes; returns the offset of the first bad backslash or -1. */
long lmrec_tsv_check_escapes(const char *s, size_t len);

/* ---- writing ---- */

struct lmrec_out {
	char *path;  /* final name, NULL for standard output */
	char *tmp;   /* temporary name while writing */
	void *fp;    /* FILE* when plain */
	void *gz;    /* gzFile when compressed */
	int gzfd;    /* compressed: the temp file again, to fsync after gzclose; else -1 */
	int direct;  /* the path is a device or a pipe: written in place, no rename */
	int mem;     /* a buffer in memory only (lmrec_out_open_mem) */
	char *buf;   /* (cap) pending bytes */
	size_t len, cap;
};

/* NULL or "-": standard output. A path that names a device or a pipe
 * (/dev/null, a FIFO) is written in place: renaming a temporary file over
 * it would replace the device. Dies (exit 1) if the file cannot be made. */
struct lmrec_out *lmrec_out_open(const char *path);
/* A writer into memory: the bytes stay in o->buf (o->len of them) until
 * lmrec_out_mem_reset; threads format their rows into one each. */
struct lmrec_out *lmrec_out_open_mem(void);
static inline void lmrec_out_mem_reset(struct lmrec_out *o) { o->len = 0; }
void lmrec_out_write(struct lmrec_out *o, const void *p, size_t n);
void lmrec_out_str(struct lmrec_out *o, const char *s);
/* Writes a field, escaping TAB, LF, CR and backslash. */
void lmrec_out_field(struct lmrec_out *o, const char *p, size_t n);
void lmrec_out_flush(struct lmrec_out *o);
static inline void lmrec_out_byte(struct lmrec_out *o, char c)
{
	if (o->len == o->cap)
		lmrec_out_flush(o);
	o->buf[o->len++] = c;
}
static inline void lmrec_out_tab(struct lmrec_out *o) { lmrec_out_byte(o, '\t'); }
static inline void lmrec_out_eol(struct lmrec_out *o) { lmrec_out_byte(o, '\n'); }
void lmrec_out_i64(struct lmrec_out *o, int64_t v);
void lmrec_out_f32(struct lmrec_out *o, float v);  /* %.9g */
void lmrec_out_f64(struct lmrec_out *o, double v); /* %.17g */
void lmrec_out_printf(struct lmrec_out *o, const char *fmt, ...)
	LMREC_PRINTF(2, 3);
/* Flushes, closes and renames the file into place; dies (exit 1) on any
 * write error, leaving the previous file untouched. Frees o. */
void lmrec_out_commit(struct lmrec_out *o);
/* Throws the output away (removes the temp file). Frees o; NULL allowed.
 * A memory writer is freed with it too. */
void lmrec_out_abort(struct lmrec_out *o);

/* True when name ends in ".gz". */
int lmrec_is_gz_name(const char *name);

#endif

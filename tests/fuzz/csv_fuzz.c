/* Fuzz target: the foreign sources of lmrec-ingest (lib/source.c): CSV
 * through libcsv, raw separated lines, and TSV, plain or gzip.
 *
 * The first byte of an input picks the options, the rest is the file:
 *   bits 0-1: format: csv, csv, raw, tsv
 *   bits 2-3: separator: csv ',' ';' '\t' '|'; raw "::" '|' ',' ';'
 *   bit 4:    no header
 *   bits 5-6: encoding: utf8, latin1, auto, utf8
 * Every row is checked against what source.h promises: as many fields as
 * the header (or the first row); each field valid UTF-8 in the escaped form
 * of lmrec streams (no raw TAB, LF or CR, only \t \n \r \\ escapes), so it
 * can be written as it is; line numbers that never go back; a bad row
 * names its line (not before the row's first) and a column, or none. Bad
 * rows are skipped, as lmrec-ingest does when it reports them; a die must
 * be bad data (65). */
#include "harness.h"
#include "source.h"

struct csv_run {
	const char *path;
	struct lmrec_src_opts o;
	size_t rows, bad;
};

static void csv_check_field(const char *p, size_t len)
{
	size_t off;
	FUZZ_ASSERT(lmrec_utf8_valid(p, len, &off));
	FUZZ_ASSERT(!memchr(p, '\t', len) && !memchr(p, '\n', len) && !memchr(p, '\r', len));
	FUZZ_ASSERT(lmrec_tsv_check_escapes(p, len) == -1);
}

static void csv_read_all(void *arg)
{
	struct csv_run *c = arg;
	struct lmrec_src *s = lmrec_src_open(c->path, &c->o);
	if (c->o.header) {
		FUZZ_ASSERT(s->cols && s->ncols >= 1 && s->width == s->ncols);
		for (size_t i = 0; i < s->ncols; i++) {
			csv_check_field(s->cols[i], strlen(s->cols[i]));
			long k = lmrec_src_col(s, s->cols[i]);
			FUZZ_ASSERT(k == (long)i || k == -2);
		}
	} else {
		FUZZ_ASSERT(!s->cols && s->ncols == 0);
	}
	size_t last = 0;
	int rc;
	while ((rc = lmrec_src_read(s)) != 0) {
		if (rc < 0) {
			FUZZ_ASSERT(s->err && s->err[0]);
			FUZZ_ASSERT(s->err_line >= s->lineno && s->err_line >= 1);
			/* the column where the parser stood: past the header's
			 * width in a row with too many fields ("#N" then) */
			FUZZ_ASSERT(s->err_col >= -1);
			c->bad++;
			continue;
		}
		FUZZ_ASSERT(rc == 1);
		FUZZ_ASSERT(s->width >= 1 && s->nf == s->width);
		FUZZ_ASSERT(s->lineno >= 1 && s->lineno > last);
		last = s->lineno;
		for (size_t i = 0; i < s->nf; i++)
			csv_check_field(s->f[i].p, s->f[i].len);
		char tmp[32]; /* a header's name, maybe empty ("a,,b"), or "#N" */
		const char *name = lmrec_src_colname(s, s->nf - 1, tmp);
		FUZZ_ASSERT(s->cols ? name == s->cols[s->nf - 1] : name[0] == '#');
		c->rows++;
	}
	lmrec_src_close(s);
}

static int lmrec_fuzz_csv(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	static const enum lmrec_src_format formats[] = {LMREC_SRC_CSV, LMREC_SRC_CSV, LMREC_SRC_RAW,
							LMREC_SRC_TSV};
	static const char *const csv_seps[] = {",", ";", "\t", "|"};
	static const char *const raw_seps[] = {"::", "|", ",", ";"};
	static const enum lmrec_src_encoding encodings[] = {LMREC_ENC_UTF8, LMREC_ENC_LATIN1,
							    LMREC_ENC_AUTO, LMREC_ENC_UTF8};
	unsigned mode = data[0];
	struct csv_run c = {fuzz_file("source", data + 1, size - 1), {0}, 0, 0};
	c.o.format = formats[mode & 3u];
	const char *sep = c.o.format == LMREC_SRC_RAW ? raw_seps[(mode >> 2) & 3u]
						       : csv_seps[(mode >> 2) & 3u];
	memcpy(c.o.sep, sep, strlen(sep) + 1);
	c.o.header = !(mode & 16u);
	c.o.encoding = encodings[(mode >> 5) & 3u];
	int status = fuzz_guarded(csv_read_all, &c);
	FUZZ_ASSERT_DATA_DIE(status);
	FUZZ_ASSERT(fuzz_close_scratch_fds() == 0);
	return 0;
}

#ifndef LMREC_FUZZ_REPLAY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return lmrec_fuzz_csv(data, size); }
#endif

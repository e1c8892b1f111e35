/* Fuzz target: the TSV reader (lib/tsv.c).
 *
 * The first byte of an input picks the reader's options (its low 5 bits
 * are the LMREC_TSV_* flags) and the separator (bits 5-6: TAB, TAB, '|',
 * "::"); the rest is the file, plain or gzip. Every row is checked against
 * what the reader promises: the header's width, valid escapes that
 * unescape and re-escape to the same bytes, no raw TAB, CR or NUL in a
 * canonical field, line numbers that count up. Numbers are parsed and ids
 * interned to exercise those paths on the same bytes. Bad data ends in a
 * die, which the hook turns into a return. */
#include <ctype.h>
#include <math.h>

#include <zlib.h>

#include "gzin.h"
#include "harness.h"

/* Frees a reader whose die left it behind: still open (died reading), or
 * already through lmrec_gzin_close (died closing). */
static void fuzz_tsv_discard(struct lmrec_tsv *r, int gz_open)
{
	if (!r)
		return;
	if (gz_open)
		lmrec_gzin_close(r->in);
	for (size_t i = 0; i < r->ncols && r->cols; i++)
		free(r->cols[i]);
	free(r->cols);
	free(r->f);
	free(r->buf);
	free(r->name);
	free(r);
}

/* Scratch room for the checks of one field (a gzip input unpacks to more
 * than its own size, so it grows with the fields). */
struct fuzz_scratch {
	char *a, *b;
	size_t cap;
};

/* Not inlined into lmrec_fuzz_tsv: its locals would then live across the
 * setjmp there, which gcc's -Wclobbered rightly flags. */
__attribute__((noinline)) static void fuzz_tsv_check_row(struct lmrec_tsv *r, size_t lineno,
							 struct lmrec_ids *ids,
							 struct fuzz_scratch *sc)
{
	unsigned flags = r->flags;
	FUZZ_ASSERT(r->lineno == lineno);
	FUZZ_ASSERT(r->nf >= 1);
	if (!(flags & LMREC_TSV_RAGGED))
		FUZZ_ASSERT(r->nf == r->ncols);
	int canonical = r->seplen == 1 && r->sep[0] == '\t';
	for (size_t i = 0; i < r->nf; i++) {
		struct lmrec_field f = r->f[i];
		FUZZ_ASSERT(f.p >= r->line && f.p + f.len <= r->line + r->linelen);
		if (sc->cap < 2 * f.len + 2) {
			sc->cap = 2 * f.len + 2;
			sc->a = lmrec_xreallocarray(sc->a, sc->cap, 1);
			sc->b = lmrec_xreallocarray(sc->b, sc->cap, 1);
		}
		char *tmp = sc->a, *tmp2 = sc->b;
		FUZZ_ASSERT(!memchr(f.p, '\n', f.len));
		if (!(flags & LMREC_TSV_BINARY))
			FUZZ_ASSERT(!memchr(f.p, '\0', f.len));
		FUZZ_ASSERT(!memchr(f.p, '\r', f.len));
		if (canonical)
			FUZZ_ASSERT(!memchr(f.p, '\t', f.len));
		if (canonical && !(flags & LMREC_TSV_RAW)) {
			FUZZ_ASSERT(lmrec_tsv_check_escapes(f.p, f.len) == -1);
			/* unescape, escape again: the same bytes (the encoding is injective) */
			size_t n = lmrec_tsv_unescape(tmp, f.p, f.len), o = 0;
			FUZZ_ASSERT(n <= f.len);
			for (size_t k = 0; k < n; k++) {
				char c = tmp[k];
				const char *e = c == '\t' ? "\\t" : c == '\n' ? "\\n" : c == '\r' ? "\\r"
						: c == '\\' ? "\\\\" : NULL;
				if (e) {
					tmp2[o++] = e[0];
					tmp2[o++] = e[1];
				} else {
					tmp2[o++] = c;
				}
			}
			FUZZ_ASSERT(o == f.len && memcmp(tmp2, f.p, o) == 0);
		}
		int64_t i64;
		uint64_t u64;
		double d;
		float fl;
		if (lmrec_parse_i64(f.p, f.len, &i64) == 0) {
			FUZZ_ASSERT(f.len > 0);
			FUZZ_ASSERT(lmrec_parse_double(f.p, f.len, &d) == 0);
		}
		if (lmrec_parse_u64(f.p, f.len, &u64) == 0)
			FUZZ_ASSERT(lmrec_parse_i64(f.p, f.len, &i64) != 0 || (uint64_t)i64 == u64);
		/* the parsers agree with strtod/strtof on a NUL-terminated copy
		 * (the slow, obviously correct version of their fast paths) */
		memcpy(tmp, f.p, f.len);
		tmp[f.len] = '\0';
		char *end;
		double want_d = strtod(tmp, &end);
		int whole = f.len > 0 && end == tmp + f.len && !isspace((unsigned char)tmp[0]);
		if (lmrec_parse_double(f.p, f.len, &d) == 0) {
			FUZZ_ASSERT(isfinite(d) && whole);
			FUZZ_ASSERT(memcmp(&d, &want_d, sizeof d) == 0);
		} else {
			FUZZ_ASSERT(!(whole && isfinite(want_d)));
		}
		float want_f = strtof(tmp, &end);
		if (lmrec_parse_float(f.p, f.len, &fl) == 0) {
			FUZZ_ASSERT(isfinite(fl) && end == tmp + f.len);
			FUZZ_ASSERT(memcmp(&fl, &want_f, sizeof fl) == 0);
		}
		uint32_t id = lmrec_ids_intern(ids, f.p, f.len);
		FUZZ_ASSERT(lmrec_ids_find(ids, f.p, f.len) == (int64_t)id);
		size_t len;
		const char *s = lmrec_ids_str(ids, id, &len);
		FUZZ_ASSERT(len == f.len && memcmp(s, f.p, len) == 0);
	}
}

static int lmrec_fuzz_tsv(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	static const char *const seps[] = {"\t", "\t", "|", "::"};
	unsigned flags = data[0] & 31u;
	const char *sep = seps[(data[0] >> 5) & 3u];
	const char *path = fuzz_file("tsv", data + 1, size - 1);
	struct fuzz_scratch sc = {NULL, NULL, 0};
	struct lmrec_ids *ids = lmrec_ids_new();
	struct lmrec_tsv *volatile r = NULL;
	volatile int gz_open = 0;
	volatile size_t lineno = 0;
	lmrec_set_die_hook(fuzz_die);
	if (setjmp(*fuzz_jump_buf()) == 0) {
		/* open without the header, so the reader is ours before anything
		 * in the data can die */
		r = lmrec_tsv_open_with(path, flags | LMREC_TSV_NOHEADER, sep);
		gz_open = 1;
		if (!(flags & LMREC_TSV_NOHEADER)) {
			lmrec_tsv_read_header(r);
			FUZZ_ASSERT(r->lineno == 1 && r->ncols >= 1);
			for (size_t i = 0; i < r->ncols; i++)
				for (size_t j = 0; j < i; j++)
					FUZZ_ASSERT(strcmp(r->cols[i], r->cols[j]) != 0);
			lineno = 1;
		}
		while (lmrec_tsv_read(r)) {
			lineno++;
			fuzz_tsv_check_row(r, lineno, ids, &sc);
		}
		struct lmrec_tsv *done = r;
		gz_open = 0;
		lmrec_tsv_close(done); /* frees it, unless a truncated stream dies */
		r = NULL;
	}
	lmrec_set_die_hook(NULL);
	fuzz_tsv_discard(r, gz_open);
	lmrec_ids_free(ids);
	free(sc.a);
	free(sc.b);
	return 0;
}

#ifndef LMREC_FUZZ_REPLAY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return lmrec_fuzz_tsv(data, size); }
#endif

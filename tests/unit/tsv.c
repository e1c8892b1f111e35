/* Unit tests of lib/tsv.c: the reader (plain and gzip, every refusal with
 * its exact message and exit 65) and the atomic writer. */
#include <zlib.h>

#include "check.h"

/* ---- helpers ---- */

static void write_gz(const char *name, const void *p, size_t n)
{
	gzFile gz = gzopen(name, "wb");
	if (!gz || (n && gzwrite(gz, p, (unsigned)n) != (int)n) || gzclose(gz) != Z_OK) {
		fprintf(stderr, "cannot write %s\n", name);
		exit(1);
	}
}

/* Gzip data in memory (one member). */
static unsigned char *gz_bytes(const void *p, size_t n, size_t *outlen)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		exit(1);
	size_t cap = deflateBound(&z, (uLong)n) + 64;
	unsigned char *out = lmrec_xmalloc(cap);
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		exit(1);
	*outlen = z.total_out;
	deflateEnd(&z);
	return out;
}

/* Reads every row of a file into one string: fields joined by '|', rows
 * by '\n' (for small exact comparisons). */
static char *read_all(const char *path, unsigned flags, const char *sep)
{
	struct lmrec_tsv *r = lmrec_tsv_open_with(path, flags, sep);
	char *out = NULL;
	size_t len = 0, cap = 0;
	while (lmrec_tsv_read(r)) {
		for (size_t i = 0; i < r->nf; i++) {
			LMREC_GROW(out, cap, len + r->f[i].len + 2);
			if (i)
				out[len++] = '|';
			memcpy(out + len, r->f[i].p, r->f[i].len);
			len += r->f[i].len;
		}
		LMREC_GROW(out, cap, len + 2);
		out[len++] = '\n';
	}
	lmrec_tsv_close(r);
	LMREC_GROW(out, cap, len + 1);
	out[len] = '\0';
	return out;
}

/* A child that reads a whole file: its exit status and stderr are what a
 * tool would show. */
static void child_read(void *arg)
{
	free(read_all((const char *)arg, 0, "\t"));
}

static int read_fails(const char *content, char *err, size_t errlen)
{
	check_write_str("bad.tsv", content);
	return check_child(child_read, "bad.tsv", err, errlen);
}

#define CHECK_REFUSED(content, msg)                                                                \
	do {                                                                                       \
		char err_[1024];                                                                   \
		CHECK_INT(read_fails((content), err_, sizeof err_), 65);                           \
		CHECK_STR(err_, (msg));                                                            \
	} while (0)

/* ---- reading ---- */

static void test_header_and_rows(void)
{
	check_write_str("in.tsv", "user\titem\tts\nu1\ta\t10\nu2\t\t20\n");
	struct lmrec_tsv *r = lmrec_tsv_open("in.tsv");
	CHECK_U64(r->ncols, 3);
	CHECK_STR(r->cols[0], "user");
	CHECK_STR(r->cols[2], "ts");
	CHECK_U64(r->lineno, 1);
	CHECK_U64(lmrec_tsv_col(r, "item"), 1);
	CHECK_INT(lmrec_tsv_col_opt(r, "weight"), -1);
	CHECK_INT(lmrec_tsv_col_opt(r, "ts"), 2);
	CHECK_INT(lmrec_tsv_read(r), 1);
	CHECK_U64(r->lineno, 2);
	CHECK_U64(r->nf, 3);
	CHECK_MEM(r->f[0].p, r->f[0].len, "u1", 2);
	CHECK_INT(lmrec_tsv_i64(r, 2), 10);
	CHECK_INT(lmrec_tsv_read(r), 1);
	CHECK_U64(r->lineno, 3);
	CHECK_U64(lmrec_tsv_field(r, 1).len, 0); /* empty field */
	CHECK(lmrec_tsv_f64(r, 2) == 20.0);
	CHECK(lmrec_tsv_f32(r, 2) == 20.0f);
	CHECK_INT(lmrec_tsv_read(r), 0);
	CHECK_INT(lmrec_tsv_read(r), 0); /* stays at the end */
	CHECK_U64(r->bytes, 28);
	lmrec_tsv_close(r);
	lmrec_tsv_close(NULL);

	/* the header read as a second step gives the same reader */
	r = lmrec_tsv_open_with("in.tsv", LMREC_TSV_NOHEADER, "\t");
	CHECK_U64(r->ncols, 0);
	lmrec_tsv_read_header(r);
	CHECK_U64(r->ncols, 3);
	CHECK_STR(r->cols[1], "item");
	CHECK_INT(lmrec_tsv_read(r), 1);
	CHECK_U64(r->lineno, 2);
	CHECK_MEM(r->f[0].p, r->f[0].len, "u1", 2);
	lmrec_tsv_close(r);

	/* header only: no rows */
	check_write_str("h.tsv", "user\titem\n");
	char *s = read_all("h.tsv", 0, "\t");
	CHECK_STR(s, "");
	free(s);
	/* a missing final LF is accepted, on the header and on a row */
	check_write_str("h.tsv", "user\titem");
	s = read_all("h.tsv", 0, "\t");
	CHECK_STR(s, "");
	free(s);
	check_write_str("nolf.tsv", "a\tb\n1\t2\n3\t4");
	s = read_all("nolf.tsv", 0, "\t");
	CHECK_STR(s, "1|2\n3|4\n");
	free(s);
	r = lmrec_tsv_open("nolf.tsv");
	while (lmrec_tsv_read(r))
		;
	CHECK_U64(r->bytes, 11); /* every byte, no LF counted that is not there */
	lmrec_tsv_close(r);
	/* an empty last row still counts (a one-column stream) */
	check_write_str("one.tsv", "a\nx\n\ny\n");
	s = read_all("one.tsv", 0, "\t");
	CHECK_STR(s, "x\n\ny\n");
	free(s);
}

static void child_col(void *arg)
{
	struct lmrec_tsv *r = check_keep(lmrec_tsv_open("in.tsv"));
	lmrec_tsv_col(r, (const char *)arg);
}

static void child_same_header(void *arg)
{
	(void)arg;
	struct lmrec_tsv *a = check_keep(lmrec_tsv_open("in.tsv"));
	struct lmrec_tsv *b = check_keep(lmrec_tsv_open("other.tsv"));
	lmrec_tsv_same_header(a, a);
	lmrec_tsv_same_header(a, b);
}

static void child_stdin(void *arg)
{
	if (!freopen((const char *)arg, "rb", stdin))
		_exit(99);
	free(read_all("-", 0, "\t"));
}

static void test_header_errors(void)
{
	CHECK_REFUSED("", "tsv: bad.tsv:1: empty input: no header line");
	CHECK_REFUSED("user\tItem\n", "tsv: bad.tsv:1: header: column 2: 'Item' is not a column "
				      "name (lower-case letters, digits and '_', starting with a letter)");
	CHECK_REFUSED("user\t\n", "tsv: bad.tsv:1: header: column 2: '' is not a column name "
				  "(lower-case letters, digits and '_', starting with a letter)");
	CHECK_REFUSED("1a\n", "tsv: bad.tsv:1: header: column 1: '1a' is not a column name "
			      "(lower-case letters, digits and '_', starting with a letter)");
	CHECK_REFUSED("user\titem\tuser\n", "tsv: bad.tsv:1: header: column 'user' appears twice");
	CHECK_REFUSED("user\titem\r\n", "tsv: bad.tsv:1: line ends with CR (CRLF line endings): "
					"convert the file with dos2unix");
	char err[512];
	check_write_str("in.tsv", "user\titem\n");
	CHECK_INT(check_child(child_col, "weight", err, sizeof err), 65);
	CHECK_STR(err, "tsv: in.tsv:1: no column 'weight' in the header");
	check_write_str("other.tsv", "user\tts\n");
	CHECK_INT(check_child(child_same_header, NULL, err, sizeof err), 65);
	CHECK_STR(err, "tsv: other.tsv:1: header differs from the header of in.tsv");
	/* standard input is named <stdin> */
	check_write_str("stdin.tsv", "a\tb\n1\n");
	CHECK_INT(check_child(child_stdin, "stdin.tsv", err, sizeof err), 65);
	CHECK_STR(err, "tsv: <stdin>:2: column 'b': missing (the line has 1 field, the header 2)");
	/* a file that cannot be opened is a run-time failure */
	CHECK_INT(check_child(child_read, "no-such.tsv", err, sizeof err), 1);
	CHECK_STR(err, "tsv: no-such.tsv: open: No such file or directory");
	CHECK_INT(check_child(child_read, ".", err, sizeof err), 1);
	CHECK_STR(err, "tsv: .: is a directory");
}

static void test_row_errors(void)
{
	CHECK_REFUSED("a\tb\n1\t2\r\n", "tsv: bad.tsv:2: line ends with CR (CRLF line endings): "
					"convert the file with dos2unix");
	CHECK_REFUSED("a\tb\n1\t2\n1\tx\ry\n",
		      "tsv: bad.tsv:3: column 'b': raw CR inside a field (write it as \\r)");
	char err[512];
	char nul[] = "a\tb\n1\tx\0y\n";
	check_write("bad.tsv", nul, sizeof nul - 1);
	CHECK_INT(check_child(child_read, "bad.tsv", err, sizeof err), 65);
	CHECK_STR(err, "tsv: bad.tsv:2: column 'b': NUL byte in text");
	char nul0[] = "a\tb\n\0\t2\n";
	check_write("bad.tsv", nul0, sizeof nul0 - 1);
	CHECK_INT(check_child(child_read, "bad.tsv", err, sizeof err), 65);
	CHECK_STR(err, "tsv: bad.tsv:2: column 'a': NUL byte in text");
	CHECK_REFUSED("a\tb\n1\tx\\qy\n",
		      "tsv: bad.tsv:2: column 'b': unknown escape '\\q' (only \\t \\n \\r \\\\ are allowed)");
	CHECK_REFUSED("a\tb\nx\\\x01\t1\n",
		      "tsv: bad.tsv:2: column 'a': unknown escape '\\?' (only \\t \\n \\r \\\\ are allowed)");
	CHECK_REFUSED("a\tb\nx\\\t1\n", "tsv: bad.tsv:2: column 'a': lone backslash at the end of "
					"the field (write a backslash as \\\\)");
	CHECK_REFUSED("a\tb\n1\tx\\\n", "tsv: bad.tsv:2: column 'b': lone backslash at the end of "
					"the field (write a backslash as \\\\)");
	CHECK_REFUSED("a\tb\tc\n1\t2\n",
		      "tsv: bad.tsv:2: column 'c': missing (the line has 2 fields, the header 3)");
	CHECK_REFUSED("a\tb\tc\n1\t2\t3\n\n",
		      "tsv: bad.tsv:3: column 'b': missing (the line has 1 field, the header 3)");
	CHECK_REFUSED("a\tb\tc\n1\t2\t3\t4\n", "tsv: bad.tsv:2: 4 fields where the header has 3 "
					      "(after column 'c'; an unescaped TAB?)");
}

static void child_typed(void *arg)
{
	struct lmrec_tsv *r = check_keep(lmrec_tsv_open("typed.tsv"));
	lmrec_tsv_read(r);
	const char *which = arg;
	if (strcmp(which, "i64") == 0)
		lmrec_tsv_i64(r, 0);
	else if (strcmp(which, "f64") == 0)
		lmrec_tsv_f64(r, 1);
	else if (strcmp(which, "f32") == 0)
		lmrec_tsv_f32(r, 2);
	else
		lmrec_tsv_i64(r, 3);
}

static void test_typed_errors(void)
{
	char err[512];
	check_write_str("typed.tsv", "ts\tw\tf\tlong\nabc\tnan\t1e39\t"
				     "123456789012345678901234567890123456789012345\n");
	CHECK_INT(check_child(child_typed, "i64", err, sizeof err), 65);
	CHECK_STR(err, "tsv: typed.tsv:2: column 'ts': 'abc' is not an integer");
	CHECK_INT(check_child(child_typed, "f64", err, sizeof err), 65);
	CHECK_STR(err, "tsv: typed.tsv:2: column 'w': 'nan' is not a finite number");
	CHECK_INT(check_child(child_typed, "f32", err, sizeof err), 65);
	CHECK_STR(err, "tsv: typed.tsv:2: column 'f': '1e39' is not a finite number");
	CHECK_INT(check_child(child_typed, "long", err, sizeof err), 65);
	CHECK_STR(err, "tsv: typed.tsv:2: column 'long': "
		       "'1234567890123456789012345678901234567890...' is not an integer");
	check_write_str("typed.tsv", "ts\tw\tf\tlong\n\t\t\t\n");
	CHECK_INT(check_child(child_typed, "i64", err, sizeof err), 65);
	CHECK_STR(err, "tsv: typed.tsv:2: column 'ts': empty where an integer is needed");
}

static void test_escapes(void)
{
	check_write_str("esc.tsv", "id\ttext\nx\\ty\ta\\\\b\\nc\\rd\n");
	struct lmrec_tsv *r = lmrec_tsv_open("esc.tsv");
	CHECK_INT(lmrec_tsv_read(r), 1);
	/* fields stay escaped */
	CHECK_MEM(r->f[0].p, r->f[0].len, "x\\ty", 4);
	CHECK_MEM(r->f[1].p, r->f[1].len, "a\\\\b\\nc\\rd", 10);
	char buf[32];
	size_t n = lmrec_tsv_unescape(buf, r->f[0].p, r->f[0].len);
	CHECK_MEM(buf, n, "x\ty", 3);
	n = lmrec_tsv_unescape(buf, r->f[1].p, r->f[1].len);
	CHECK_MEM(buf, n, "a\\b\nc\rd", 7);
	lmrec_tsv_close(r);
	CHECK_INT(lmrec_tsv_check_escapes("a\\tb\\\\", 6), -1);
	CHECK_INT(lmrec_tsv_check_escapes("ab\\x", 4), 2);
	CHECK_INT(lmrec_tsv_check_escapes("ab\\", 3), 2);
	CHECK_INT(lmrec_tsv_check_escapes("\\\\\\", 3), 2);
	CHECK_INT(lmrec_tsv_check_escapes("", 0), -1);
	/* "\\\\t" is a backslash then 't', not a TAB */
	n = lmrec_tsv_unescape(buf, "\\\\t", 3);
	CHECK_MEM(buf, n, "\\t", 2);
}

/* Field text of row i, column j of the generated stream below. */
static size_t gen_field(struct lmrec_rng *rng, char *out)
{
	static const char alphabet[] = "abcxyz0123456789_-.\\";
	size_t len;
	uint64_t k = lmrec_rng_below(rng, 100);
	if (k < 1 && lmrec_rng_below(rng, 10) == 0)
		len = 20000 + lmrec_rng_below(rng, 300000); /* now and then a long one */
	else if (k < 10)
		len = 0;
	else
		len = 1 + lmrec_rng_below(rng, 40);
	for (size_t i = 0; i < len; i++) {
		char c = alphabet[lmrec_rng_below(rng, sizeof alphabet - 1)];
		if (c == '\\') { /* keep escapes valid */
			if (i + 1 == len) {
				c = 'q';
			} else {
				out[i++] = '\\';
				c = "tnr\\"[lmrec_rng_below(rng, 4)];
			}
		}
		out[i] = c;
	}
	return len;
}

static void test_buffer_boundaries(void)
{
	/* Lines of every length, some far longer than the 256 KiB read chunk,
	 * so lines straddle every buffer boundary; compared with what was
	 * written. */
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 42);
	enum { ROWS = 20000, COLS = 4 };
	char *field = lmrec_xmalloc(400000);
	FILE *fp = fopen("big.tsv", "wb");
	fputs("c0\tc1\tc2\tc3\n", fp);
	uint64_t *lens = lmrec_xmalloc((size_t)ROWS * COLS * sizeof *lens);
	uint64_t *sums = lmrec_xmalloc((size_t)ROWS * COLS * sizeof *sums);
	for (size_t i = 0; i < ROWS; i++)
		for (size_t j = 0; j < COLS; j++) {
			size_t n = gen_field(&rng, field);
			fwrite(field, 1, n, fp);
			fputc(j + 1 < COLS ? '\t' : '\n', fp);
			lens[i * COLS + j] = n;
			sums[i * COLS + j] = lmrec_hash64(field, n);
		}
	fclose(fp);
	size_t bytes_plain = 0;
	for (int pass = 0; pass < 2; pass++) {
		const char *name = "big.tsv";
		if (pass == 1) {
			size_t len;
			char *all = check_slurp("big.tsv", &len);
			bytes_plain = len;
			write_gz("big.tsv.gz", all, len);
			free(all);
			name = "big.tsv.gz";
		}
		struct lmrec_tsv *r = lmrec_tsv_open(name);
		size_t row = 0, bad = 0;
		while (lmrec_tsv_read(r)) {
			if (row >= ROWS) {
				bad++;
				break;
			}
			for (size_t j = 0; j < COLS; j++)
				bad += r->f[j].len != lens[row * COLS + j] ||
				       lmrec_hash64(r->f[j].p, r->f[j].len) != sums[row * COLS + j];
			row++;
		}
		CHECK_U64(row, ROWS);
		CHECK_U64(bad, 0);
		CHECK_U64(r->lineno, ROWS + 1);
		if (pass == 1)
			CHECK_U64(r->bytes, bytes_plain);
		lmrec_tsv_close(r);
	}
	unlink("big.tsv");
	unlink("big.tsv.gz");
	free(field);
	free(lens);
	free(sums);
}

static void test_long_line(void)
{
	/* a 10 MB line: no fixed buffer anywhere */
	size_t n = (size_t)10 * 1000 * 1000;
	char *line = lmrec_xmalloc(n + 32);
	size_t o = (size_t)sprintf(line, "a\tb\nx\t");
	for (size_t i = 0; i < n; i++)
		line[o + i] = (char)('a' + i % 26);
	o += n;
	o += (size_t)sprintf(line + o, "\ny\tz\n");
	check_write("long.tsv", line, o);
	struct lmrec_tsv *r = lmrec_tsv_open("long.tsv");
	CHECK_INT(lmrec_tsv_read(r), 1);
	CHECK_U64(r->f[1].len, n);
	CHECK(r->f[1].len == n && memcmp(r->f[1].p, line + 6, n) == 0);
	CHECK_INT(lmrec_tsv_read(r), 1);
	CHECK_MEM(r->f[1].p, r->f[1].len, "z", 1);
	CHECK_U64(r->lineno, 3);
	CHECK_INT(lmrec_tsv_read(r), 0);
	lmrec_tsv_close(r);
	unlink("long.tsv");
	free(line);
}

static void test_gzip(void)
{
	const char *text = "user\titem\nu1\ta\\tb\nu2\tc\n";
	write_gz("in.tsv.gz", text, strlen(text));
	check_write_str("plain.tsv", text);
	char *a = read_all("in.tsv.gz", 0, "\t"), *b = read_all("plain.tsv", 0, "\t");
	CHECK_STR(a, "u1|a\\tb\nu2|c\n");
	CHECK_STR(a, b);
	free(a);
	free(b);
	/* gzip is recognised by its magic, whatever the name */
	write_gz("gz-named-plain.tsv", text, strlen(text));
	a = read_all("gz-named-plain.tsv", 0, "\t");
	CHECK_STR(a, "u1|a\\tb\nu2|c\n");
	free(a);
	/* concatenated members (cat a.gz b.gz), split inside a line */
	size_t n1, n2;
	unsigned char *m1 = gz_bytes(text, 14, &n1);
	unsigned char *m2 = gz_bytes(text + 14, strlen(text) - 14, &n2);
	unsigned char *both = lmrec_xmalloc(n1 + n2);
	memcpy(both, m1, n1);
	memcpy(both + n1, m2, n2);
	check_write("cat.tsv.gz", both, n1 + n2);
	a = read_all("cat.tsv.gz", 0, "\t");
	CHECK_STR(a, "u1|a\\tb\nu2|c\n");
	free(a);
	/* standard input may be gzip too */
	char err[256];
	CHECK_INT(check_child(child_stdin, "cat.tsv.gz", err, sizeof err), 0);
	CHECK_STR(err, "");
	/* truncated: every cut inside the members is refused with 65, a cut
	 * one byte into the second member too (lib/gzin.c, where zlib's gzread
	 * took that byte for trailing garbage and ignored it) */
	int bad = 0;
	for (size_t cut = 10; cut < n1 + n2; cut++) {
		if (cut == n1)
			continue; /* a whole first member (which ends mid-line) is valid gzip */
		check_write("cut.tsv.gz", both, cut);
		int st = check_child(child_read, "cut.tsv.gz", err, sizeof err);
		if (st != 65 || !strstr(err, "tsv: cut.tsv.gz:")) {
			printf("# cut at %zu: status %d: %s\n", cut, st, err);
			bad++;
		}
	}
	CHECK_INT(bad, 0);
	check_write("cut.tsv.gz", m1, n1 - 4);
	CHECK_INT(check_child(child_read, "cut.tsv.gz", err, sizeof err), 65);
	CHECK_STR(err, "tsv: cut.tsv.gz:2: truncated gzip stream (unexpected end of file)");
	/* corrupt: a damaged deflate stream or CRC is refused with 65, at the
	 * line being read when the damage shows: the member's text is read
	 * (the header, line 1) before its CRC-32 comes, and the check fails
	 * while line 2 is being read */
	memcpy(both, m1, n1);
	both[n1 - 6] ^= 0xff; /* inside the CRC-32 trailer */
	check_write("crc.tsv.gz", both, n1);
	CHECK_INT(check_child(child_read, "crc.tsv.gz", err, sizeof err), 65);
	CHECK_STR(err, "tsv: crc.tsv.gz:2: corrupt gzip stream (incorrect data check)");
	/* a stream that is not deflate at all */
	unsigned char junk[] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff};
	check_write("junk.tsv.gz", junk, sizeof junk);
	CHECK_INT(check_child(child_read, "junk.tsv.gz", err, sizeof err), 65);
	CHECK_STR(err, "tsv: junk.tsv.gz:1: corrupt gzip stream (invalid block type)");
	/* bytes after the last member that are not a member: refused at the
	 * line being read when the reader meets them (cat good.gz junk) */
	memcpy(both, m1, n1);
	memcpy(both + n1, m2, n2);
	size_t nj = n1 + n2;
	both = lmrec_xreallocarray(both, nj + 5, 1);
	memcpy(both + nj, "junk\n", 5);
	check_write("junk-after.tsv.gz", both, nj + 5);
	CHECK_INT(check_child(child_read, "junk-after.tsv.gz", err, sizeof err), 65);
	CHECK_STR(err, "tsv: junk-after.tsv.gz:4: corrupt gzip stream (trailing garbage after the last member)");
	/* zero bytes after it (tar's padding) are not garbage */
	memset(both + nj, 0, 5);
	check_write("zeros-after.tsv.gz", both, nj + 5);
	a = read_all("zeros-after.tsv.gz", 0, "\t");
	CHECK_STR(a, "u1|a\\tb\nu2|c\n");
	free(a);
	/* an empty gzip file is an empty input */
	write_gz("empty.tsv.gz", "", 0);
	CHECK_INT(check_child(child_read, "empty.tsv.gz", err, sizeof err), 65);
	CHECK_STR(err, "tsv: empty.tsv.gz:1: empty input: no header line");
	free(m1);
	free(m2);
	free(both);
}

static void test_foreign_flags(void)
{
	check_write_str("f.txt", "1::2::x\\y\r\n3::4::\r\n");
	char *s = read_all("f.txt", LMREC_TSV_NOHEADER | LMREC_TSV_CRLF, "::");
	CHECK_STR(s, "1|2|x\\y\n3|4|\n");
	free(s);
	check_write_str("r.txt", "a|b\n1|2|3\n4\n");
	s = read_all("r.txt", LMREC_TSV_RAGGED, "|");
	CHECK_STR(s, "1|2|3\n4\n");
	free(s);
	check_write_str("raw.tsv", "a\tb\nx\\q\ty\\\n");
	s = read_all("raw.tsv", LMREC_TSV_RAW, "\t");
	CHECK_STR(s, "x\\q|y\\\n");
	free(s);
	check_write("bin.tsv", "a\tb\nx\0\ty\n", 10);
	struct lmrec_tsv *r = lmrec_tsv_open_with("bin.tsv", LMREC_TSV_BINARY, "\t");
	CHECK_INT(lmrec_tsv_read(r), 1);
	CHECK_MEM(r->f[0].p, r->f[0].len, "x\0", 2);
	lmrec_tsv_close(r);
	check_write_str("crlf.tsv", "a\tb\r\nx\ty\r\n");
	s = read_all("crlf.tsv", LMREC_TSV_CRLF, "\t");
	CHECK_STR(s, "x|y\n");
	free(s);
	/* headerless: the first row fixes the width */
	check_write_str("nh.tsv", "1\t2\n3\t4\n");
	r = lmrec_tsv_open_with("nh.tsv", LMREC_TSV_NOHEADER, "\t");
	CHECK_INT(lmrec_tsv_read(r), 1);
	CHECK_U64(r->ncols, 2);
	CHECK_U64(r->lineno, 1);
	char tmp[32];
	CHECK_STR(lmrec_tsv_colname(r, 1, tmp), "#2");
	lmrec_tsv_close(r);
}

/* ---- writing ---- */

static void test_writer_escapes(void)
{
	/* every byte value in a field, TAB LF CR and backslash escaped */
	char all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (char)i;
	struct lmrec_out *o = lmrec_out_open("w.tsv");
	lmrec_out_str(o, "id\ttext\n");
	lmrec_out_field(o, "a\tb", 3);
	lmrec_out_tab(o);
	lmrec_out_field(o, "\\x\r\n", 4);
	lmrec_out_eol(o);
	lmrec_out_field(o, "k", 1);
	lmrec_out_tab(o);
	lmrec_out_field(o, all + 1, 255); /* NUL cannot be in a text stream */
	lmrec_out_eol(o);
	lmrec_out_commit(o);
	size_t len;
	char *got = check_slurp("w.tsv", &len);
	CHECK(strncmp(got, "id\ttext\na\\tb\t\\\\x\\r\\n\nk\t\x01", 24) == 0);
	free(got);
	struct lmrec_tsv *r = lmrec_tsv_open("w.tsv");
	CHECK_INT(lmrec_tsv_read(r), 1);
	char buf[600];
	size_t n = lmrec_tsv_unescape(buf, r->f[0].p, r->f[0].len);
	CHECK_MEM(buf, n, "a\tb", 3);
	n = lmrec_tsv_unescape(buf, r->f[1].p, r->f[1].len);
	CHECK_MEM(buf, n, "\\x\r\n", 4);
	CHECK_INT(lmrec_tsv_read(r), 1);
	CHECK_U64(r->f[1].len, 255 + 4); /* four bytes gained a backslash */
	n = lmrec_tsv_unescape(buf, r->f[1].p, r->f[1].len);
	CHECK_MEM(buf, n, all + 1, 255);
	CHECK_INT(lmrec_tsv_read(r), 0);
	lmrec_tsv_close(r);

	/* random fields round-trip: write escaped, read, unescape */
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 3);
	enum { N = 2000 };
	char (*fields)[64] = lmrec_xmalloc(N * sizeof *fields);
	size_t *flen = lmrec_xmalloc(N * sizeof *flen);
	o = lmrec_out_open("rt.tsv");
	lmrec_out_str(o, "f\n");
	for (size_t i = 0; i < N; i++) {
		flen[i] = (size_t)lmrec_rng_below(&rng, 64);
		for (size_t j = 0; j < flen[i]; j++)
			fields[i][j] = "ab\t\n\r\\ \x7f\xc3\xa9"[lmrec_rng_below(&rng, 10)];
		lmrec_out_field(o, fields[i], flen[i]);
		lmrec_out_eol(o);
	}
	lmrec_out_commit(o);
	r = lmrec_tsv_open("rt.tsv");
	size_t i = 0, bad = 0;
	while (lmrec_tsv_read(r)) {
		n = lmrec_tsv_unescape(buf, r->f[0].p, r->f[0].len);
		bad += i >= N || n != flen[i] || memcmp(buf, fields[i], n) != 0;
		i++;
	}
	lmrec_tsv_close(r);
	CHECK_U64(i, N);
	CHECK_U64(bad, 0);
	free(fields);
	free(flen);
}

static void test_writer_numbers(void)
{
	struct lmrec_out *o = lmrec_out_open("n.tsv");
	lmrec_out_i64(o, 0);
	lmrec_out_tab(o);
	lmrec_out_i64(o, INT64_MIN);
	lmrec_out_tab(o);
	lmrec_out_i64(o, INT64_MAX);
	lmrec_out_tab(o);
	lmrec_out_i64(o, -7);
	lmrec_out_tab(o);
	lmrec_out_f32(o, 0.1f);
	lmrec_out_tab(o);
	lmrec_out_f64(o, 0.1);
	lmrec_out_tab(o);
	lmrec_out_printf(o, "%s=%d", "k", 5);
	lmrec_out_eol(o);
	char longer[1000];
	memset(longer, 'z', sizeof longer - 1);
	longer[sizeof longer - 1] = '\0';
	lmrec_out_printf(o, "<%s>", longer); /* longer than printf's stack buffer */
	lmrec_out_commit(o);
	size_t len;
	char *got = check_slurp("n.tsv", &len);
	const char *want = "0\t-9223372036854775808\t9223372036854775807\t-7\t0.100000001\t"
			   "0.10000000000000001\tk=5\n<";
	CHECK(strncmp(got, want, strlen(want)) == 0);
	CHECK_U64(len, strlen(want) + 999 + 1);
	CHECK(got[len - 1] == '>');
	free(got);
}

static void test_writer_big_writes(void)
{
	/* writes bigger than the 64 KiB buffer go through in order, between
	 * small ones that are buffered */
	size_t n = (size_t)1000 * 1000;
	char *big = lmrec_xmalloc(n);
	for (size_t i = 0; i < n; i++)
		big[i] = (char)('a' + i % 23);
	const char *names[] = {"big.out", "big.out.gz"};
	for (int k = 0; k < 2; k++) {
		struct lmrec_out *o = lmrec_out_open(names[k]);
		lmrec_out_str(o, "head");
		lmrec_out_write(o, big, n);
		lmrec_out_str(o, "mid");
		lmrec_out_write(o, big, 65536); /* exactly the buffer */
		lmrec_out_write(o, big, 65535);
		lmrec_out_byte(o, '!');
		lmrec_out_commit(o);
		size_t len;
		char *got;
		if (k == 0) {
			got = check_slurp(names[k], &len);
		} else {
			/* gzip on disk, read back through zlib */
			char *raw = check_slurp(names[k], &len);
			CHECK(len > 2 && (unsigned char)raw[0] == 0x1f && (unsigned char)raw[1] == 0x8b);
			free(raw);
			gzFile gz = gzopen(names[k], "rb");
			got = lmrec_xmalloc(2 * n + 200000);
			int r = gzread(gz, got, (unsigned)(2 * n + 200000));
			len = r < 0 ? 0 : (size_t)r;
			CHECK_INT(gzclose(gz), Z_OK);
		}
		size_t want = 4 + n + 3 + 65536 + 65535 + 1;
		CHECK_U64(len, want);
		if (len == want) {
			CHECK(memcmp(got, "head", 4) == 0);
			CHECK(memcmp(got + 4, big, n) == 0);
			CHECK(memcmp(got + 4 + n, "mid", 3) == 0);
			CHECK(memcmp(got + 7 + n, big, 65536) == 0);
			CHECK(memcmp(got + 7 + n + 65536, big, 65535) == 0);
			CHECK(got[want - 1] == '!');
		}
		free(got);
		unlink(names[k]);
	}
	free(big);
	CHECK(lmrec_is_gz_name("a.gz"));
	CHECK(!lmrec_is_gz_name(".gz"));
	CHECK(!lmrec_is_gz_name("a.gzip"));
	CHECK(!lmrec_is_gz_name("a.tsv"));
}

/* Open file descriptors of this process. */
static int count_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	struct dirent *e;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own */
}

static void test_writer_gz_round_trip(void)
{
	int fds = count_fds();
	struct lmrec_out *o = lmrec_out_open("o.tsv.gz");
	lmrec_out_str(o, "user\titem\n");
	for (int i = 0; i < 1000; i++) {
		lmrec_out_printf(o, "u%d", i);
		lmrec_out_tab(o);
		lmrec_out_field(o, "a\tb", 3);
		lmrec_out_eol(o);
	}
	lmrec_out_commit(o);
	struct lmrec_tsv *r = lmrec_tsv_open("o.tsv.gz");
	int rows = 0, bad = 0;
	while (lmrec_tsv_read(r)) {
		char want[32];
		int n = snprintf(want, sizeof want, "u%d", rows++);
		bad += r->f[0].len != (size_t)n || memcmp(r->f[0].p, want, (size_t)n) != 0;
		bad += r->f[1].len != 4 || memcmp(r->f[1].p, "a\\tb", 4) != 0;
	}
	lmrec_tsv_close(r);
	CHECK_INT(rows, 1000);
	CHECK_INT(bad, 0);
	unlink("o.tsv.gz");
	/* commit and abort close every descriptor they opened */
	o = lmrec_out_open("p.tsv.gz");
	lmrec_out_str(o, "x\n");
	lmrec_out_abort(o);
	o = lmrec_out_open("p.tsv");
	lmrec_out_abort(o);
	CHECK_INT(count_fds(), fds);
	CHECK(access("p.tsv.gz", F_OK) != 0);
}

static void test_writer_atomic(void)
{
	check_write_str("target.tsv", "old\n");
	int before = check_count_files();
	struct lmrec_out *o = lmrec_out_open("target.tsv");
	CHECK_INT(check_count_files(), before + 1); /* the temp file beside it */
	lmrec_out_str(o, "new\n");
	lmrec_out_flush(o);
	size_t len;
	char *s = check_slurp("target.tsv", &len);
	CHECK_STR(s, "old\n"); /* untouched until commit */
	free(s);
	lmrec_out_abort(o);
	CHECK_INT(check_count_files(), before);
	s = check_slurp("target.tsv", &len);
	CHECK_STR(s, "old\n");
	free(s);
	lmrec_out_abort(NULL);

	o = lmrec_out_open("target.tsv");
	lmrec_out_str(o, "new\n");
	lmrec_out_commit(o);
	CHECK_INT(check_count_files(), before);
	s = check_slurp("target.tsv", &len);
	CHECK_STR(s, "new\n");
	free(s);

	/* the file gets the usual mode (0666 less the umask), not mkstemp's 0600 */
	mode_t mask = umask(022);
	o = lmrec_out_open("mode.tsv");
	lmrec_out_commit(o);
	struct stat st;
	CHECK(stat("mode.tsv", &st) == 0 && (st.st_mode & 0777) == 0644);
	umask(mask);
	unlink("mode.tsv");
}

/* A die between open and commit removes the temp file and leaves the
 * previous file as it was. */
static void child_die_mid_write(void *arg)
{
	(void)arg;
	struct lmrec_out *o = lmrec_out_open("target.tsv");
	lmrec_out_str(o, "half");
	lmrec_out_flush(o);
	lmrec_die(LMREC_EXIT_DATA, "stopped");
}

static void child_cannot_create(void *arg)
{
	(void)arg;
	lmrec_out_open("no-such-dir/x.tsv");
}

/* Standard output as the writer's target: written through, no temp file. */
static void child_stdout_writer(void *arg)
{
	if (!freopen((const char *)arg, "w", stdout))
		_exit(99);
	struct lmrec_out *o = lmrec_out_open("-");
	lmrec_out_str(o, "a\tb\n");
	lmrec_out_field(o, "x\ty", 3);
	lmrec_out_eol(o);
	lmrec_out_commit(o);
	lmrec_close_stdout();
}

static void child_bad_separator(void *arg)
{
	(void)arg;
	lmrec_tsv_open_with("in.tsv", 0, ":::");
}

static void test_writer_stdout(void)
{
	char err[512];
	int before = check_count_files();
	CHECK_INT(check_child(child_stdout_writer, "out.txt", err, sizeof err), 0);
	CHECK_STR(err, "");
	CHECK_INT(check_count_files(), before + 1); /* out.txt, nothing else */
	size_t len;
	char *got = check_slurp("out.txt", &len);
	CHECK_STR(got, "a\tb\nx\\ty\n");
	free(got);
	/* a full disk is a run-time failure, reported once (exit 1) */
	CHECK_INT(check_child(child_stdout_writer, "/dev/full", err, sizeof err), 1);
	CHECK_STR(err, "tsv: standard output: write: No space left on device");
	check_write_str("in.tsv", "a\n");
	CHECK_INT(check_child(child_bad_separator, NULL, err, sizeof err), 2);
	CHECK_STR(err, "tsv: separator must be one or two bytes, not ':::'");
}

static void test_writer_die(void)
{
	char err[512];
	check_write_str("target.tsv", "old\n");
	int before = check_count_files();
	CHECK_INT(check_child(child_die_mid_write, NULL, err, sizeof err), 65);
	CHECK_STR(err, "tsv: stopped");
	CHECK_INT(check_count_files(), before);
	size_t len;
	char *s = check_slurp("target.tsv", &len);
	CHECK_STR(s, "old\n");
	free(s);
	CHECK_INT(check_child(child_cannot_create, NULL, err, sizeof err), 1);
	CHECK_STR(err, "tsv: no-such-dir/x.tsv: cannot create a temporary file beside it: "
		       "No such file or directory");
}

int main(void)
{
	lmrec_setprogname("tsv");
	check_tmpdir();
	CHECK_RUN(test_header_and_rows);
	CHECK_RUN(test_header_errors);
	CHECK_RUN(test_row_errors);
	CHECK_RUN(test_typed_errors);
	CHECK_RUN(test_escapes);
	CHECK_RUN(test_buffer_boundaries);
	CHECK_RUN(test_long_line);
	CHECK_RUN(test_gzip);
	CHECK_RUN(test_foreign_flags);
	CHECK_RUN(test_writer_escapes);
	CHECK_RUN(test_writer_numbers);
	CHECK_RUN(test_writer_big_writes);
	CHECK_RUN(test_writer_gz_round_trip);
	CHECK_RUN(test_writer_atomic);
	CHECK_RUN(test_writer_stdout);
	CHECK_RUN(test_writer_die);
	return check_done();
}

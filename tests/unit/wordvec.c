/* Unit tests of lib/wordvec.c: the text format with and without its
 * header, trailing spaces and CRLF, words kept by a filter, escaping of
 * the words, the word2vec binary format, writing and reading back bit for
 * bit, and every refusal with its exact message. */
#include <math.h>

#include <zlib.h>

#include "check.h"
#include "wordvec.h"

static void test_text(void)
{
	check_tmpdir();
	check_write_str("a.vec", "3 2\nx 1 2 \ny\\z -0.5 1e-3\r\nw 0 0\n");
	struct lmrec_wordvec wv;
	lmrec_wordvec_read(&wv, "a.vec", NULL);
	CHECK_U64(wv.n, 3);
	CHECK_U64(wv.dim, 2);
	CHECK_U64(wv.total, 3);
	/* the backslash is stored escaped, as tokens streams write it */
	CHECK(lmrec_ids_find(wv.words, "y\\\\z", 4) == 1);
	CHECK(wv.v[2] == -0.5f && wv.v[3] == 1e-3f);
	lmrec_wordvec_free(&wv);
	/* GloVe: no header; a filter keeps only some words */
	check_write_str("g.txt", "x 1 2\ny 3 4\nw 5 6\n");
	struct lmrec_ids *keep = lmrec_ids_new();
	lmrec_ids_intern(keep, "w", 1);
	lmrec_ids_intern(keep, "q", 1);
	lmrec_wordvec_read(&wv, "g.txt", keep);
	CHECK_U64(wv.n, 1);
	CHECK_U64(wv.total, 3);
	CHECK(wv.v[0] == 5.0f && wv.v[1] == 6.0f);
	lmrec_wordvec_free(&wv);
	lmrec_ids_free(keep);
}

static void test_write_read(void)
{
	check_tmpdir();
	struct lmrec_ids *ids = lmrec_ids_new();
	lmrec_ids_intern(ids, "a\\\\b", 4); /* a\b */
	lmrec_ids_intern(ids, "two\\twords", 10); /* a TAB: cannot be written */
	lmrec_ids_intern(ids, "z", 1);
	float v[6] = {0.1f, -3.0e-20f, 1.0f / 3.0f, 2.0f, 3.4028235e38f, -0.0f};
	CHECK_U64(lmrec_wordvec_write("w.vec", ids, NULL, v, 2), 1);
	size_t len;
	char *text = check_slurp("w.vec", &len);
	CHECK_STR(text, "2 2\na\\b 0.100000001 -2.9999999e-20\nz 3.40282347e+38 -0\n");
	free(text);
	struct lmrec_wordvec wv;
	lmrec_wordvec_read(&wv, "w.vec", NULL);
	CHECK_U64(wv.n, 2);
	CHECK(lmrec_ids_find(wv.words, "a\\\\b", 4) == 0);
	CHECK_MEM(wv.v, 2 * sizeof(float), v, 2 * sizeof(float));
	CHECK_MEM(wv.v + 2, 2 * sizeof(float), v + 4, 2 * sizeof(float));
	lmrec_wordvec_free(&wv);
	/* only the words asked for */
	unsigned char use[3] = {0, 0, 1};
	CHECK_U64(lmrec_wordvec_write("z.vec.gz", ids, use, v, 2), 0);
	lmrec_wordvec_read(&wv, "z.vec.gz", NULL);
	CHECK_U64(wv.n, 1);
	lmrec_wordvec_free(&wv);
	lmrec_ids_free(ids);
}

/* Writes n bytes of p gzipped to name, then the tail bytes as they are. */
static void write_gz(const char *name, const void *p, size_t n, const void *tail, size_t tn)
{
	gzFile gz = gzopen(name, "wb");
	if (!gz || gzwrite(gz, p, (unsigned)n) != (int)n || gzclose(gz) != Z_OK)
		exit(1);
	FILE *fp = fopen(name, "ab");
	if (!fp || (tn && fwrite(tail, 1, tn, fp) != tn) || fclose(fp) != 0)
		exit(1);
}

static void test_binary(void)
{
	check_tmpdir();
	/* two words of 2 floats: 1, -2 and 0.5, 0; the second without its LF */
	static const unsigned char bin[] = "2 2\nab \x00\x00\x80\x3f\x00\x00\x00\xc0\ncd \x00\x00\x00\x3f\x00\x00\x00\x00";
	check_write("v.bin", bin, sizeof bin - 1);
	CHECK(lmrec_wordvec_is_binary("v.bin") && lmrec_wordvec_is_binary("x.bin.gz"));
	CHECK(!lmrec_wordvec_is_binary("x.vec") && !lmrec_wordvec_is_binary("bin"));
	struct lmrec_wordvec wv;
	lmrec_wordvec_read(&wv, "v.bin", NULL);
	CHECK_U64(wv.n, 2);
	CHECK(wv.v[0] == 1.0f && wv.v[1] == -2.0f && wv.v[2] == 0.5f && wv.v[3] == 0.0f);
	CHECK(lmrec_ids_find(wv.words, "cd", 2) == 1);
	lmrec_wordvec_free(&wv);
}

static void read_it(void *arg)
{
	struct lmrec_wordvec wv;
	lmrec_wordvec_read(&wv, arg, NULL);
	check_keep(wv.v);
	lmrec_wordvec_free(&wv);
}

static void refused(const char *name, const void *data, size_t n, const char *msg)
{
	check_write(name, data, n);
	char err[512];
	int st = check_child(read_it, (void *)name, err, sizeof err);
	CHECK_INT(st, 65);
	if (strcmp(err, msg) != 0)
		printf("# %s: got '%s'\n#   want '%s'\n", name, err, msg);
	CHECK(strcmp(err, msg) == 0);
}

#define REFUSED(name, lit, msg) refused(name, lit, sizeof(lit) - 1, msg)

static void test_refusals(void)
{
	check_tmpdir();
	lmrec_setprogname("wordvec");
	REFUSED("r1.vec", "2 3\na 1 2 3\nb 1 2\n", "wordvec: r1.vec:3: 2 values where the header announces 3 (a ragged row)");
	REFUSED("r2.vec", "a 1 2\nb 1 2 3\n", "wordvec: r2.vec:2: 3 values where the first row has 2 (a ragged row)");
	REFUSED("r3.vec", "a 1 inf\n", "wordvec: r3.vec:1: word 'a': value 2: 'inf' is not a finite number");
	REFUSED("r4.vec", "a 1  2\n", "wordvec: r4.vec:1: word 'a': value 2: '' is not a finite number");
	REFUSED("r5.vec", "a 1\n 2\n", "wordvec: r5.vec:2: empty word (the line starts with a space)");
	REFUSED("r6.vec", "a 1\n\n", "wordvec: r6.vec:2: empty line");
	REFUSED("r7.vec", "1 0\n", "wordvec: r7.vec:1: header 'count dim': dimension 0 is out of range");
	REFUSED("r8.vec", "", "wordvec: r8.vec:1: no word vectors");
	REFUSED("r9.vec", "a\n", "wordvec: r9.vec:1: a word without values");
	REFUSED("b1.bin", "2 1\na \x00\x00\x80\x3f", "wordvec: b1.bin: word 2 of 2: the file ends before it (truncated)");
	REFUSED("b2.bin", "x y\n", "wordvec: b2.bin:1: no 'count dim' header line (not a word2vec binary file?)");
	REFUSED("b3.bin", "2 1\na \x00\x00\x80\x3f\na \x00\x00\x80\x3f",
		"wordvec: b3.bin: word 2 of 2: 'a' is given twice");
	REFUSED("b4.bin", "1 1\na \x00\x00\x80\x7f", "wordvec: b4.bin: word 1 of 1 'a': value 1 is not a finite number");
	REFUSED("b5.bin", "1 1\na \x00\x00\x80\x3f\nb", "wordvec: b5.bin: the header announces 1 words, the file has more");
	/* gzip: read to its end, so a damaged end is seen (lib/gzin.c) */
	static const char one[] = "1 1\na \x00\x00\x80\x3f\n\n";
	write_gz("ok.bin.gz", one, sizeof one - 1, NULL, 0);
	struct lmrec_wordvec wv;
	lmrec_wordvec_read(&wv, "ok.bin.gz", NULL);
	CHECK_U64(wv.n, 1);
	lmrec_wordvec_free(&wv);
	write_gz("b6.bin.gz", one, sizeof one - 1, "junk", 4);
	char err[512];
	CHECK_INT(check_child(read_it, "b6.bin.gz", err, sizeof err), 65);
	CHECK_STR(err, "wordvec: b6.bin.gz: after the last word: corrupt gzip stream (trailing garbage after the last member)");
	write_gz("b7.bin.gz", one, sizeof one - 1, "\x1f\x8b\x08", 3);
	CHECK_INT(check_child(read_it, "b7.bin.gz", err, sizeof err), 65);
	CHECK_STR(err, "wordvec: b7.bin.gz: after the last word: truncated gzip stream (unexpected end of file)");
	write_gz("b8.bin.gz", "1 1\n", 4, "\x1f\x8b\x08", 3);
	CHECK_INT(check_child(read_it, "b8.bin.gz", err, sizeof err), 65);
	CHECK_STR(err, "wordvec: b8.bin.gz: word 1 of 1: truncated gzip stream (unexpected end of file)");
	write_gz("b9.vec.gz", "a 1\n", 4, "junk", 4);
	CHECK_INT(check_child(read_it, "b9.vec.gz", err, sizeof err), 65);
	CHECK_STR(err, "wordvec: b9.vec.gz:2: corrupt gzip stream (trailing garbage after the last member)");
}

int main(void)
{
	CHECK_RUN(test_text);
	CHECK_RUN(test_write_read);
	CHECK_RUN(test_binary);
	CHECK_RUN(test_refusals);
	return check_done();
}

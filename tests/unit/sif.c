/* Unit tests of lib/corpus.c, lib/sif.c and lib/tfidf.c on catalogs small
 * enough to work out by hand: the tokens read, the SIF weights and means,
 * the common component removed, unit length; TF-IDF values and the
 * document-frequency cut. */
#include <math.h>

#include "check.h"
#include "corpus.h"
#include "sif.h"
#include "tfidf.h"

static void read_corpus(struct lmrec_corpus *c, const char *text)
{
	check_tmpdir();
	check_write_str("c.tsv", text);
	char *files[] = {"c.tsv"};
	lmrec_corpus_read(c, files, 1);
}

static void test_corpus(void)
{
	struct lmrec_corpus c;
	read_corpus(&c, "item\tother\ttokens\nu\t1\t  x y  x\nv\t2\t\nw\t3\ty\n");
	CHECK_U64(lmrec_corpus_items(&c), 3);
	CHECK_U64(lmrec_corpus_words(&c), 2);
	CHECK_U64(c.ntokens, 4);
	CHECK_U64(c.count[0], 2); /* x */
	CHECK_U64(c.count[1], 2); /* y */
	CHECK_U64(c.start[1], 3);
	CHECK_U64(c.start[2], 3); /* v has no tokens */
	CHECK_U64(c.start[3], 4);
	CHECK(c.tok[0] == 0 && c.tok[1] == 1 && c.tok[2] == 0 && c.tok[3] == 1);
	lmrec_corpus_free(&c);
}

static void test_sif(void)
{
	struct lmrec_corpus c;
	/* x 3 times, y once, q once (no vector): p = 3/5, 1/5, 1/5 */
	read_corpus(&c, "item\ttokens\nu\tx y\nv\tx x\nw\tq\n");
	float wv[3 * 2] = {1, 0, 0, 1, 7, 7};
	unsigned char known[3] = {1, 1, 0}, has[3];
	float V[3 * 2];
	CHECK_U64(lmrec_sif_mean(V, has, &c, wv, known, 2, 1.0), 2);
	double wx = 1.0 / 1.6, wy = 1.0 / 1.2;
	CHECK(has[0] && has[1] && !has[2]);
	CHECK(fabs(V[0] - wx / 2) < 1e-7 && fabs(V[1] - wy / 2) < 1e-7);
	CHECK(fabs(V[2] - wx) < 1e-7 && V[3] == 0.0f);
	CHECK(V[4] == 0.0f && V[5] == 0.0f);
	/* the weight of a word of probability p */
	CHECK(fabs(lmrec_sif_weight(1e-3, 1e-3) - 0.5) < 1e-15);
	/* the first principal direction of the rows u, v (not centred) */
	float R[3 * 2];
	memcpy(R, V, sizeof R);
	double dir[2];
	lmrec_remove_pc(R, has, 3, 2, 1, dir);
	double M00 = 0, M01 = 0, M11 = 0;
	for (size_t i = 0; i < 2; i++) {
		M00 += (double)V[2 * i] * V[2 * i];
		M01 += (double)V[2 * i] * V[2 * i + 1];
		M11 += (double)V[2 * i + 1] * V[2 * i + 1];
	}
	double l1 = (M00 + M11) / 2 + sqrt((M00 - M11) * (M00 - M11) / 4 + M01 * M01);
	double e0 = M01, e1 = l1 - M00, en = sqrt(e0 * e0 + e1 * e1);
	e0 /= en;
	e1 /= en;
	CHECK(fabs(fabs(dir[0]) - fabs(e0)) < 1e-12 && fabs(fabs(dir[1]) - fabs(e1)) < 1e-12);
	for (size_t i = 0; i < 2; i++) {
		double p = (double)V[2 * i] * e0 + (double)V[2 * i + 1] * e1;
		CHECK(fabs(R[2 * i] - (V[2 * i] - p * e0)) < 1e-7);
		CHECK(fabs(R[2 * i + 1] - (V[2 * i + 1] - p * e1)) < 1e-7);
	}
	CHECK(R[4] == 0.0f && R[5] == 0.0f); /* rows without a vector are left alone */
	/* npc 0 changes nothing */
	memcpy(R, V, sizeof R);
	lmrec_remove_pc(R, has, 3, 2, 0, NULL);
	CHECK_MEM(R, sizeof R, V, sizeof V);
	/* unit length; a zero row stays zero and is counted */
	CHECK_U64(lmrec_l2_normalize_rows(R, 3, 2), 1);
	CHECK(fabs(R[0] * R[0] + R[1] * R[1] - 1.0) < 1e-6);
	CHECK(R[2] == 1.0f && R[3] == 0.0f);
	lmrec_corpus_free(&c);
}

static void test_tfidf(void)
{
	struct lmrec_corpus c;
	read_corpus(&c, "item\ttokens\na\tx y\nb\tx x z\nc\t\n");
	struct lmrec_csr X;
	int64_t col[3];
	CHECK_U64(lmrec_tfidf_build(&X, col, &c, 1), 3);
	CHECK(X.rows == 3 && X.cols == 3);
	double ix = log(4.0 / 3.0) + 1, iy = log(2.0) + 1;
	double ra = sqrt(ix * ix + iy * iy), tb = (1 + log(2.0)) * ix, rb = sqrt(tb * tb + iy * iy);
	CHECK_U64(X.ptr[1] - X.ptr[0], 2);
	CHECK(fabs(X.val[0] - ix / ra) < 1e-7 && fabs(X.val[1] - iy / ra) < 1e-7);
	CHECK(X.idx[2] == col[0] && fabs(X.val[2] - tb / rb) < 1e-7);
	CHECK(X.idx[3] == col[2] && fabs(X.val[3] - iy / rb) < 1e-7);
	CHECK(X.ptr[3] == X.ptr[2]); /* c is empty */
	lmrec_csr_free(&X);
	/* words in fewer than 2 items go: only x is left, each row (1) */
	CHECK_U64(lmrec_tfidf_build(&X, col, &c, 2), 1);
	CHECK(col[0] == 0 && col[1] == -1 && col[2] == -1);
	CHECK(X.val[0] == 1.0f && X.val[1] == 1.0f);
	lmrec_csr_free(&X);
	lmrec_corpus_free(&c);
}

static void twice(void *arg)
{
	struct lmrec_corpus c;
	char *files[] = {arg};
	lmrec_corpus_read(&c, files, 1);
}

static void test_refusals(void)
{
	check_tmpdir();
	lmrec_setprogname("sif");
	check_write_str("d.tsv", "item\ttokens\na\tx\nb\ty\na\tz\n");
	char err[256];
	CHECK_INT(check_child(twice, "d.tsv", err, sizeof err), 65);
	CHECK_STR(err, "sif: d.tsv:4: column 'item': item 'a' is given twice");
	check_write_str("e.tsv", "item\ttokens\n\tx\n");
	CHECK_INT(check_child(twice, "e.tsv", err, sizeof err), 65);
	CHECK_STR(err, "sif: e.tsv:2: column 'item': empty id");
}

int main(void)
{
	CHECK_RUN(test_corpus);
	CHECK_RUN(test_sif);
	CHECK_RUN(test_tfidf);
	CHECK_RUN(test_refusals);
	return check_done();
}

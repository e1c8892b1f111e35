/* Unit tests of lib/inter.c: loading interactions with shared
 * dictionaries, the fold and weight columns, kept row text, and grouping
 * by user against a slow stable sort. */
#include <zlib.h>

#include "check.h"

static void test_load_basic(void)
{
	check_write_str("a.tsv", "user\titem\tts\tweight\textra\n"
				 "u2\tx\t30\t2.5\tp\n"
				 "u1\ty\t10\t\tq\n"
				 "u2\ty\t20\t-1\tr\\ts\n");
	struct lmrec_inter x;
	lmrec_inter_init(&x, NULL, NULL);
	char *files[] = {"a.tsv"};
	lmrec_inter_load(&x, files, 1, LMREC_INTER_LINES);
	CHECK_U64(x.n, 3);
	CHECK_U64(lmrec_ids_count(x.users), 2);
	CHECK_U64(lmrec_ids_count(x.items), 2);
	/* indices in order of first appearance */
	CHECK(x.user[0] == 0 && x.user[1] == 1 && x.user[2] == 0);
	CHECK(x.item[0] == 0 && x.item[1] == 1 && x.item[2] == 1);
	CHECK(x.ts[0] == 30 && x.ts[1] == 10 && x.ts[2] == 20);
	CHECK(x.has_weight);
	CHECK(x.weight[0] == 2.5f && x.weight[1] == 1.0f && x.weight[2] == -1.0f);
	CHECK(!x.has_fold);
	CHECK(x.fold_of[0] == LMREC_FOLD_NONE);
	CHECK_STR(x.header, "user\titem\tts\tweight\textra");
	CHECK_MEM(x.text + x.line_off[2], x.line_len[2], "u2\ty\t20\t-1\tr\\ts", 15);
	CHECK_MEM(x.text + x.line_off[0], x.line_len[0], "u2\tx\t30\t2.5\tp", 13);
	lmrec_inter_free(&x);

	/* no weight column: every weight is 1; no LINES: no text kept */
	check_write_str("b.tsv", "ts\titem\tuser\n5\ti\tu\n");
	lmrec_inter_init(&x, NULL, NULL);
	char *fb[] = {"b.tsv"};
	lmrec_inter_load(&x, fb, 1, 0);
	CHECK(!x.has_weight && x.weight[0] == 1.0f && x.ts[0] == 5);
	CHECK(x.text == NULL && x.header == NULL && x.line_off == NULL);
	lmrec_inter_free(&x);

	/* NO_TS: ts may be absent and is then the row number */
	check_write_str("c.tsv", "user\titem\nu\ta\nu\tb\nv\ta\n");
	lmrec_inter_init(&x, NULL, NULL);
	char *fc[] = {"c.tsv"};
	lmrec_inter_load(&x, fc, 1, LMREC_INTER_NO_TS);
	CHECK(x.n == 3 && x.ts[0] == 0 && x.ts[1] == 1 && x.ts[2] == 2);
	lmrec_inter_free(&x);

	/* gzip input gives the same rows */
	const char *text = "user\titem\tts\nu\ta\t1\n";
	gzFile gz = gzopen("d.tsv.gz", "wb");
	gzwrite(gz, text, (unsigned)strlen(text));
	gzclose(gz);
	lmrec_inter_init(&x, NULL, NULL);
	char *fd[] = {"d.tsv.gz"};
	lmrec_inter_load(&x, fd, 1, 0);
	CHECK(x.n == 1 && x.ts[0] == 1);
	lmrec_inter_free(&x);
}

static void test_shared_dictionaries(void)
{
	check_write_str("train.tsv", "user\titem\tts\nu1\ta\t1\nu2\tb\t2\n");
	check_write_str("test.tsv", "user\titem\tts\nu3\tb\t3\nu1\tc\t4\n");
	struct lmrec_ids *users = lmrec_ids_new(), *items = lmrec_ids_new();
	struct lmrec_inter tr, te;
	lmrec_inter_init(&tr, users, items);
	lmrec_inter_init(&te, users, items);
	char *f1[] = {"train.tsv"}, *f2[] = {"test.tsv"};
	lmrec_inter_load(&tr, f1, 1, 0);
	lmrec_inter_load(&te, f2, 1, 0);
	/* the test set continues the train set's numbering */
	CHECK(te.user[0] == 2 && te.user[1] == 0);
	CHECK(te.item[0] == 1 && te.item[1] == 2);
	CHECK_U64(lmrec_ids_count(users), 3);
	CHECK_U64(lmrec_ids_count(items), 3);
	lmrec_inter_free(&tr);
	lmrec_inter_free(&te);
	/* the dictionaries outlive both sets */
	CHECK_INT(lmrec_ids_find(items, "c", 1), 2);
	/* one dictionary shared, the other owned: each freed by its owner */
	struct lmrec_inter half;
	lmrec_inter_init(&half, users, NULL);
	lmrec_inter_load(&half, f2, 1, 0);
	CHECK(half.user[0] == 2 && half.item[0] == 0);
	lmrec_inter_free(&half);
	lmrec_inter_init(&half, NULL, items);
	lmrec_inter_load(&half, f2, 1, 0);
	CHECK(half.user[0] == 0 && half.item[0] == 1);
	lmrec_inter_free(&half);
	CHECK_U64(lmrec_ids_count(users), 3);
	lmrec_ids_free(users);
	lmrec_ids_free(items);
	/* several files in one load must share a header; rows follow on */
	struct lmrec_inter x;
	lmrec_inter_init(&x, NULL, NULL);
	char *both[] = {"train.tsv", "test.tsv"};
	lmrec_inter_load(&x, both, 2, 0);
	CHECK_U64(x.n, 4);
	CHECK(x.ts[3] == 4 && x.user[2] == 2);
	lmrec_inter_free(&x);
}

static void test_fold_column(void)
{
	check_write_str("f.tsv", "user\tfold\titem\tts\n"
				 "u\ttrain\ta\t1\n"
				 "u\tvalid\tb\t2\n"
				 "u\ttest\tc\t3\n"
				 "u\tTEST\td\t4\n"
				 "u\t\te\t5\n");
	struct lmrec_inter x;
	lmrec_inter_init(&x, NULL, NULL);
	char *f[] = {"f.tsv"};
	lmrec_inter_load(&x, f, 1, LMREC_INTER_LINES | LMREC_INTER_DROP_FOLD);
	CHECK(x.has_fold);
	CHECK(x.fold_of[0] == LMREC_FOLD_TRAIN && x.fold_of[1] == LMREC_FOLD_VALID &&
	      x.fold_of[2] == LMREC_FOLD_TEST && x.fold_of[3] == LMREC_FOLD_OTHER &&
	      x.fold_of[4] == LMREC_FOLD_OTHER);
	CHECK_STR(x.header, "user\titem\tts");
	CHECK_MEM(x.text + x.line_off[1], x.line_len[1], "u\tb\t2", 5);
	CHECK_STR(lmrec_fold_names[LMREC_FOLD_VALID], "valid");
	lmrec_inter_free(&x);
	/* without DROP_FOLD the fold column stays in the text */
	lmrec_inter_init(&x, NULL, NULL);
	lmrec_inter_load(&x, f, 1, LMREC_INTER_LINES);
	CHECK_STR(x.header, "user\tfold\titem\tts");
	CHECK_MEM(x.text + x.line_off[1], x.line_len[1], "u\tvalid\tb\t2", 11);
	lmrec_inter_free(&x);
}

static void child_load(void *arg)
{
	struct lmrec_inter x;
	lmrec_inter_init(&x, NULL, NULL);
	char *f[] = {(char *)arg, "other.tsv"};
	lmrec_inter_load(&x, f, strcmp((const char *)arg, "two") == 0 ? 2 : 1, 0);
	lmrec_inter_free(&x);
}

static void test_bad_rows(void)
{
	char err[512];
	check_write_str("bad.tsv", "user\titem\tts\tweight\nu\ta\t1\tx\n");
	CHECK_INT(check_child(child_load, "bad.tsv", err, sizeof err), 65);
	CHECK_STR(err, "inter: bad.tsv:2: column 'weight': 'x' is not a finite number");
	check_write_str("bad.tsv", "user\titem\tts\tweight\nu\ta\t1\tinf\n");
	CHECK_INT(check_child(child_load, "bad.tsv", err, sizeof err), 65);
	CHECK_STR(err, "inter: bad.tsv:2: column 'weight': 'inf' is not a finite number");
	check_write_str("bad.tsv", "user\titem\tts\nu\ta\t1.5\n");
	CHECK_INT(check_child(child_load, "bad.tsv", err, sizeof err), 65);
	CHECK_STR(err, "inter: bad.tsv:2: column 'ts': '1.5' is not an integer");
	check_write_str("bad.tsv", "user\titem\tts\nu\ta\t1\n\ta\t2\n");
	CHECK_INT(check_child(child_load, "bad.tsv", err, sizeof err), 65);
	CHECK_STR(err, "inter: bad.tsv:3: column 'user': empty id");
	check_write_str("bad.tsv", "user\titem\tts\nu\t\t2\n");
	CHECK_INT(check_child(child_load, "bad.tsv", err, sizeof err), 65);
	CHECK_STR(err, "inter: bad.tsv:2: column 'item': empty id");
	check_write_str("bad.tsv", "user\titem\nu\ta\n");
	CHECK_INT(check_child(child_load, "bad.tsv", err, sizeof err), 65);
	CHECK_STR(err, "inter: bad.tsv:1: no column 'ts' in the header");
	check_write_str("two", "user\titem\tts\n");
	check_write_str("other.tsv", "user\tts\titem\n");
	CHECK_INT(check_child(child_load, "two", err, sizeof err), 65);
	CHECK_STR(err, "inter: other.tsv:1: header differs from the header of two");
}

/* The reference grouping: for each user in index order, its rows in input
 * order, then a stable insertion sort by ts. */
static void ref_group(const struct lmrec_inter *x, uint32_t *order, size_t *start)
{
	size_t nu = lmrec_ids_count(x->users), o = 0;
	for (size_t u = 0; u < nu; u++) {
		start[u] = o;
		for (size_t i = 0; i < x->n; i++)
			if (x->user[i] == u) {
				size_t j = o++;
				while (j > start[u] && x->ts[order[j - 1]] > x->ts[i]) {
					order[j] = order[j - 1];
					j--;
				}
				order[j] = (uint32_t)i;
			}
	}
	start[nu] = o;
}

static void test_group(void)
{
	struct lmrec_rng r;
	lmrec_rng_seed(&r, 5);
	size_t bad = 0;
	for (int t = 0; t < 40; t++) {
		/* few users, few distinct times: many ties, some users sorted already */
		size_t n = (size_t)lmrec_rng_below(&r, t < 5 ? 3 : 3000);
		uint64_t nusers = 1 + lmrec_rng_below(&r, 50), ntimes = 1 + lmrec_rng_below(&r, 20);
		FILE *fp = fopen("g.tsv", "w");
		fputs("user\titem\tts\n", fp);
		for (size_t i = 0; i < n; i++) {
			uint64_t u = lmrec_rng_below(&r, nusers);
			int64_t ts = u % 3 == 0 ? (int64_t)i : (int64_t)lmrec_rng_below(&r, ntimes) - 5;
			fprintf(fp, "u%" PRIu64 "\ti%zu\t%" PRId64 "\n", u, i % 7, ts);
		}
		fclose(fp);
		struct lmrec_inter x;
		lmrec_inter_init(&x, NULL, NULL);
		char *f[] = {"g.tsv"};
		lmrec_inter_load(&x, f, 1, 0);
		uint32_t *order, *ref = lmrec_xmalloc((n + 1) * sizeof *ref);
		size_t *start, nu = lmrec_ids_count(x.users);
		size_t *rstart = lmrec_xmalloc((nu + 1) * sizeof *rstart);
		lmrec_inter_group(&x, &order, &start);
		ref_group(&x, ref, rstart);
		bad += memcmp(order, ref, n * sizeof *order) != 0;
		bad += memcmp(start, rstart, (nu + 1) * sizeof *start) != 0;
		free(order);
		free(start);
		free(ref);
		free(rstart);
		lmrec_inter_free(&x);
	}
	CHECK_U64(bad, 0);
	/* a small case spelled out: ties keep input order */
	check_write_str("s.tsv", "user\titem\tts\nb\t1\t30\na\t2\t5\nb\t3\t10\nb\t4\t30\nb\t5\t10\n");
	struct lmrec_inter x;
	lmrec_inter_init(&x, NULL, NULL);
	char *f[] = {"s.tsv"};
	lmrec_inter_load(&x, f, 1, 0);
	uint32_t *order;
	size_t *start;
	lmrec_inter_group(&x, &order, &start);
	uint32_t want[] = {2, 4, 0, 3, 1}; /* user b (index 0) first, then a */
	CHECK_MEM(order, sizeof want, want, sizeof want);
	CHECK(start[0] == 0 && start[1] == 4 && start[2] == 5);
	free(order);
	free(start);
	lmrec_inter_free(&x);
}

int main(void)
{
	lmrec_setprogname("inter");
	check_tmpdir();
	CHECK_RUN(test_load_basic);
	CHECK_RUN(test_shared_dictionaries);
	CHECK_RUN(test_fold_column);
	CHECK_RUN(test_bad_rows);
	CHECK_RUN(test_group);
	return check_done();
}

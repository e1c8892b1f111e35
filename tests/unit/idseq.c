/* Unit tests of lib/idseq.c: ids read as lmrec-tokenize writes them and
 * with stray spaces, an empty field, the cut to a length against a slow
 * obvious version (first max - 1 ids, then the last), several files, and
 * every refusal with its exact message. */
#include "check.h"
#include "idseq.h"

static void test_read(void)
{
	check_tmpdir();
	check_write_str("a.tsv", "item\tids\ttokens\n"
				 "x\t2 7 8 3\t[CLS] a b [SEP]\n"
				 "y\t  2   9 3 \t\n"
				 "z\t\t\n"
				 "w\t0 99\tx\n");
	struct lmrec_idseq s;
	char *files[] = {"a.tsv"};
	lmrec_idseq_read(&s, files, 1, 100, "v.txt", 8);
	CHECK_U64(lmrec_idseq_items(&s), 4);
	CHECK_U64(s.nids, 9);
	CHECK_U64(s.truncated, 0);
	CHECK_U64(s.longest, 4);
	const int32_t want[] = {2, 7, 8, 3, 2, 9, 3, 0, 99};
	CHECK_MEM(s.id, sizeof want, want, sizeof want);
	CHECK_U64(lmrec_idseq_len(&s, 0), 4);
	CHECK_U64(lmrec_idseq_len(&s, 1), 3);
	CHECK_U64(lmrec_idseq_len(&s, 2), 0);
	CHECK_U64(lmrec_idseq_len(&s, 3), 2);
	size_t len;
	CHECK_STR(lmrec_ids_str(s.items, 3, &len), "w");
	lmrec_idseq_free(&s);
	/* two files, one header; the second file's items follow */
	check_write_str("b.tsv", "item\tids\ttokens\nv\t5\t\n");
	char *two[] = {"a.tsv", "b.tsv"};
	lmrec_idseq_read(&s, two, 2, 100, "v.txt", 8);
	CHECK_U64(lmrec_idseq_items(&s), 5);
	CHECK_U64(lmrec_idseq_len(&s, 4), 1);
	CHECK_INT(s.id[s.start[4]], 5);
	lmrec_idseq_free(&s);
}

/* Sequences of every length 0 to 12, cut to every max 1 to 13, against
 * the obvious cut. */
static void test_cut(void)
{
	check_tmpdir();
	FILE *fp = fopen("c.tsv", "w");
	CHECK(fp != NULL);
	if (!fp)
		return;
	fprintf(fp, "item\tids\n");
	for (int n = 0; n <= 12; n++) {
		fprintf(fp, "s%d\t", n);
		for (int k = 0; k < n; k++)
			fprintf(fp, "%s%d", k ? " " : "", 100 + 10 * n + k);
		fprintf(fp, "\n");
	}
	CHECK(fclose(fp) == 0);
	char *files[] = {"c.tsv"};
	for (size_t max = 1; max <= 13; max++) {
		struct lmrec_idseq s;
		lmrec_idseq_read(&s, files, 1, 1000, "v.txt", max);
		size_t cut = 0;
		for (int n = 0; n <= 12; n++) {
			size_t len = lmrec_idseq_len(&s, (size_t)n), want = (size_t)n < max ? (size_t)n : max;
			CHECK_U64(len, want);
			cut += (size_t)n > max;
			const int32_t *p = s.id + s.start[n];
			for (size_t k = 0; k < len; k++) {
				/* the first max - 1 ids, then the sequence's last */
				size_t from = (size_t)n > max && k == max - 1 ? (size_t)n - 1 : k;
				CHECK_INT(p[k], 100 + 10 * n + (int)from);
			}
		}
		CHECK_U64(s.truncated, cut);
		CHECK_U64(s.longest, 12);
		lmrec_idseq_free(&s);
	}
}

static void read_it(void *arg)
{
	struct lmrec_idseq s;
	char *files[] = {arg};
	lmrec_idseq_read(&s, files, 1, 50, "vocab.txt", 8);
	lmrec_idseq_free(&s);
}

static void refused(const char *text, const char *msg)
{
	check_write_str("r.tsv", text);
	char err[512];
	int st = check_child(read_it, "r.tsv", err, sizeof err);
	CHECK_INT(st, 65);
	if (strcmp(err, msg) != 0)
		printf("# got '%s'\n#   want '%s'\n", err, msg);
	CHECK(strcmp(err, msg) == 0);
}

static void test_refusals(void)
{
	check_tmpdir();
	lmrec_setprogname("idseq");
	refused("item\tids\na\t2 50 3\n",
		"idseq: r.tsv:2: column 'ids': id 2: '50' is outside the vocabulary of vocab.txt (0 to 49)");
	refused("item\tids\na\t2 3\nb\t2 1e3\n",
		"idseq: r.tsv:3: column 'ids': id 2: '1e3' is not a token id (a decimal integer)");
	refused("item\tids\na\t2 +3\n",
		"idseq: r.tsv:2: column 'ids': id 2: '+3' is not a token id (a decimal integer)");
	refused("item\tids\na\t99999999999999999999999999 3\n",
		"idseq: r.tsv:2: column 'ids': id 1: '99999999999999999999' is outside the vocabulary of "
		"vocab.txt (0 to 49)");
	refused("item\tids\na\t2,3\n",
		"idseq: r.tsv:2: column 'ids': id 1: '2,3' is not a token id (a decimal integer)");
	refused("item\tids\n\t2 3\n", "idseq: r.tsv:2: column 'item': empty id");
	refused("item\tids\na\t2\na\t3\n", "idseq: r.tsv:3: column 'item': item 'a' is given twice");
	refused("item\ttokens\na\tx\n", "idseq: r.tsv:1: no column 'ids' in the header");
}

int main(void)
{
	CHECK_RUN(test_read);
	CHECK_RUN(test_cut);
	CHECK_RUN(test_refusals);
	return check_done();
}

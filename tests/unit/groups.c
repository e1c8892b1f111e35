/* Unit tests of lib/groups.c: quantile cut-offs against a slow count of
 * each group's share, ties merged; the groups stream and its refusals. */
#include "check.h"
#include "groups.h"

/* The cut-offs by hand for small cases. */
static void test_cuts_by_hand(void)
{
	uint32_t cuts[8];
	uint32_t a[] = {8, 7, 6, 5, 4, 3, 2, 1};
	CHECK_INT(lmrec_groups_quantile_cuts(a, 8, 4, cuts), 3);
	CHECK_INT(cuts[0], 2); /* 1-2, 3-4, 5-6, 7+ */
	CHECK_INT(cuts[1], 4);
	CHECK_INT(cuts[2], 6);
	uint32_t b[] = {1, 1, 1, 1, 5, 9};
	CHECK_INT(lmrec_groups_quantile_cuts(b, 6, 3, cuts), 1); /* ties: <= 1, then 5 and 9 */
	CHECK_INT(cuts[0], 1);
	uint32_t c[] = {3, 3, 3};
	CHECK_INT(lmrec_groups_quantile_cuts(c, 3, 2, cuts), 0); /* all equal: one group */
	uint32_t d[] = {10, 20, 30, 40, 50};
	CHECK_INT(lmrec_groups_quantile_cuts(d, 5, 2, cuts), 1); /* ceil(5/2) = 3rd */
	CHECK_INT(cuts[0], 30);
	CHECK_INT(lmrec_groups_quantile_cuts(d, 5, 1, cuts), 0);
	CHECK_INT(lmrec_groups_quantile_cuts(d, 0, 4, cuts), 0);
	/* more groups than counts: one count a group */
	uint32_t e[] = {2, 1, 3};
	CHECK_INT(lmrec_groups_quantile_cuts(e, 3, 10, cuts), 2);
	CHECK_INT(cuts[0], 1);
	CHECK_INT(cuts[1], 2);
}

/* On random counts: cuts ascending, no group empty, and without ties each
 * of the first groups holds its share ceil(b n / N) - ceil((b-1) n / N). */
static void test_cuts_random(void)
{
	struct lmrec_rng r;
	lmrec_rng_seed(&r, 3);
	size_t bad = 0;
	uint32_t x[200], y[200], cuts[20];
	for (int t = 0; t < 2000; t++) {
		size_t n = 1 + (size_t)lmrec_rng_below(&r, 200), nb = 2 + (size_t)lmrec_rng_below(&r, 12);
		int distinct = t % 2;
		for (size_t i = 0; i < n; i++)
			x[i] = distinct ? (uint32_t)(i * 3 + 1) : (uint32_t)lmrec_rng_below(&r, 8);
		for (size_t i = n; i-- > 1;) { /* shuffle */
			size_t j = (size_t)lmrec_rng_below(&r, i + 1);
			uint32_t tmp = x[i];
			x[i] = x[j];
			x[j] = tmp;
		}
		memcpy(y, x, n * sizeof *x);
		size_t m = lmrec_groups_quantile_cuts(x, n, nb, cuts);
		bad += m >= nb;
		size_t prev = 0; /* count of values up to the previous cut */
		for (size_t b = 0; b <= m; b++) {
			size_t upto = 0;
			for (size_t i = 0; i < n; i++)
				upto += b == m || y[i] <= cuts[b];
			bad += upto <= prev; /* an empty group */
			if (b > 0 && b < m)
				bad += cuts[b] <= cuts[b - 1];
			if (distinct && n >= nb && b < m)
				bad += upto != ((b + 1) * n + nb - 1) / nb;
			prev = upto;
		}
		bad += distinct && n >= nb && m != nb - 1;
	}
	CHECK_INT(bad, 0);
}

static void test_load(void)
{
	check_tmpdir();
	check_write_str("g.tsv", "age\tuser\tgender\n"
				 "25-34\tu2\tM\n"
				 "18-24\tu1\t\n"
				 "\tu3\tF\n"
				 "25-34\tu9\tM\n");
	struct lmrec_groups g;
	lmrec_groups_load(&g, "g.tsv");
	CHECK_INT(g.ncols, 2);
	CHECK_STR(g.name[0], "age");
	CHECK_STR(g.name[1], "gender");
	CHECK_INT(lmrec_ids_count(g.users), 4);
	CHECK_INT(lmrec_ids_count(g.values[0]), 2);
	size_t len;
	const char *s = lmrec_ids_str(g.values[0], 0, &len);
	CHECK_MEM(s, len, "18-24", 5); /* byte order */
	s = lmrec_ids_str(g.values[1], 0, &len);
	CHECK_MEM(s, len, "F", 1);
	int64_t want[] = {1, 1, 0, -1, -1, 0, 1, 1};
	CHECK_MEM(g.value, sizeof want, want, sizeof want);
	lmrec_groups_free(&g);
	lmrec_groups_free(NULL);
}

static void child_load(void *arg)
{
	struct lmrec_groups g;
	lmrec_groups_load(&g, arg);
	lmrec_groups_free(&g);
}

static void test_refusals(void)
{
	char err[512];
	check_tmpdir();
	check_write_str("a.tsv", "id\tgender\nu1\tM\n");
	CHECK_INT(check_child(child_load, "a.tsv", err, sizeof err), 65);
	CHECK_STR(err, "groups: a.tsv:1: no column 'user' in the header");
	check_write_str("b.tsv", "user\nu1\n");
	CHECK_INT(check_child(child_load, "b.tsv", err, sizeof err), 65);
	CHECK_STR(err, "groups: b.tsv:1: no group column beside 'user'");
	check_write_str("c.tsv", "user\tgender\nu1\tM\nu2\tF\nu1\tF\n");
	CHECK_INT(check_child(child_load, "c.tsv", err, sizeof err), 65);
	CHECK_STR(err, "groups: c.tsv:4: column 'user': user 'u1' appears twice");
	check_write_str("d.tsv", "user\tgender\n\tM\n");
	CHECK_INT(check_child(child_load, "d.tsv", err, sizeof err), 65);
	CHECK_STR(err, "groups: d.tsv:2: column 'user': empty id");
}

int main(void)
{
	lmrec_setprogname("groups");
	CHECK_RUN(test_cuts_by_hand);
	CHECK_RUN(test_cuts_random);
	CHECK_RUN(test_load);
	CHECK_RUN(test_refusals);
	return check_done();
}

/* Unit tests of lib/cli.c: option values, cut-off lists, their usage
 * errors (exit 2, the exact message and the --help hint), progress. */
#include <float.h>

#include "check.h"

static const char *const loss_names[] = {"ce", "sampled", "bce", "gbce"};

struct opt_case {
	const char *kind, *opt, *arg;
};

static void child_opt(void *p)
{
	const struct opt_case *c = p;
	size_t n;
	if (strcmp(c->kind, "u64") == 0)
		lmrec_opt_u64(c->opt, c->arg, 1, 100);
	else if (strcmp(c->kind, "i64") == 0)
		lmrec_opt_i64(c->opt, c->arg, -5, 5);
	else if (strcmp(c->kind, "double") == 0)
		lmrec_opt_double(c->opt, c->arg, 0, 1);
	else if (strcmp(c->kind, "choice") == 0)
		lmrec_opt_choice(c->opt, c->arg, loss_names, 4);
	else
		free(lmrec_opt_klist(c->opt, c->arg, &n));
}

static int usage_fails(const char *kind, const char *opt, const char *arg, const char *msg)
{
	struct opt_case c = {kind, opt, arg};
	char err[512], want[512];
	int st = check_child(child_opt, &c, err, sizeof err);
	snprintf(want, sizeof want, "cli: %s\nTry 'cli --help' for more information.", msg);
	if (st != 2 || strcmp(err, want) != 0) {
		printf("# %s %s '%s': status %d, stderr:\n#   %s\n", kind, opt, arg, st, err);
		return 0;
	}
	return 1;
}

static void test_numbers(void)
{
	CHECK_U64(lmrec_opt_u64("--top", "1", 1, 100), 1);
	CHECK_U64(lmrec_opt_u64("--top", "100", 1, 100), 100);
	CHECK_U64(lmrec_opt_u64("--n", "18446744073709551615", 0, UINT64_MAX), UINT64_MAX);
	CHECK_INT(lmrec_opt_i64("--t", "-5", -5, 5), -5);
	CHECK_INT(lmrec_opt_i64("--t", "-9223372036854775808", INT64_MIN, 0), INT64_MIN);
	CHECK(lmrec_opt_double("--f", "0.25", 0, 1) == 0.25);
	CHECK(lmrec_opt_double("--f", "1e-3", 0, 1) == 1e-3);
	const char *range = "(expected an integer from 1 to 100)";
	char msg[256];
	static const char *const bad_u[] = {"0", "101", "-1", "+5", " 5", "5 ", "", "1e2", "x",
					    "99999999999999999999"};
	for (size_t i = 0; i < sizeof bad_u / sizeof *bad_u; i++) {
		snprintf(msg, sizeof msg, "invalid value for --top: '%s' %s", bad_u[i], range);
		CHECK(usage_fails("u64", "--top", bad_u[i], msg));
	}
	CHECK(usage_fails("i64", "--shift", "6",
			  "invalid value for --shift: '6' (expected an integer from -5 to 5)"));
	CHECK(usage_fails("i64", "--shift", "-6",
			  "invalid value for --shift: '-6' (expected an integer from -5 to 5)"));
	CHECK(usage_fails("i64", "--shift", "-",
			  "invalid value for --shift: '-' (expected an integer from -5 to 5)"));
	static const char *const bad_d[] = {"1.5", "-0.1", "nan", "inf", "", " 0.5", "0.5x", "1e400"};
	for (size_t i = 0; i < sizeof bad_d / sizeof *bad_d; i++) {
		snprintf(msg, sizeof msg,
			 "invalid value for --fraction: '%s' (expected a number from 0 to 1)", bad_d[i]);
		CHECK(usage_fails("double", "--fraction", bad_d[i], msg));
	}
}

static void test_choice(void)
{
	CHECK_U64(lmrec_opt_choice("--loss", "ce", loss_names, 4), 0);
	CHECK_U64(lmrec_opt_choice("--loss", "gbce", loss_names, 4), 3);
	static const char *const two[] = {"start", "end"};
	CHECK_U64(lmrec_opt_choice("--positions", "end", two, 2), 1);
	static const char *const bad[] = {"CE", "", "ce ", "sample", "gbcex"};
	char msg[256];
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		snprintf(msg, sizeof msg, "invalid value for --loss: '%s' (expected ce, sampled, bce or gbce)",
			 bad[i]);
		CHECK(usage_fails("choice", "--loss", bad[i], msg));
	}
}

static void test_klist(void)
{
	size_t n = 0;
	uint32_t *k = lmrec_opt_klist("--k", "10", &n);
	CHECK(n == 1 && k[0] == 10);
	free(k);
	k = lmrec_opt_klist("--k", "20,10,50,10,1", &n); /* sorted, deduplicated */
	uint32_t want[] = {1, 10, 20, 50};
	CHECK_U64(n, 4);
	CHECK_MEM(k, n * sizeof *k, want, sizeof want);
	free(k);
	k = lmrec_opt_klist("--k", "1000000", &n);
	CHECK(n == 1 && k[0] == 1000000);
	free(k);
	/* a long list grows past any first allocation */
	char *longlist = lmrec_xmalloc((size_t)200 * 8);
	size_t o = 0;
	for (int i = 200; i >= 1; i--)
		o += (size_t)sprintf(longlist + o, "%s%d", i == 200 ? "" : ",", i);
	k = lmrec_opt_klist("--k", longlist, &n);
	CHECK_U64(n, 200);
	CHECK(k[0] == 1 && k[199] == 200);
	free(k);
	free(longlist);
	static const char *const bad[] = {"", ",", "10,", ",10", "10,,20", "0", "10,0", "-1",
					  "1000001", "10, 20", "10;20", "a", "1.5"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char msg[256];
		snprintf(msg, sizeof msg,
			 "invalid value for --k: '%s' (expected cut-offs like '10,20')", bad[i]);
		CHECK(usage_fails("klist", "--k", bad[i], msg));
	}
}

static void child_version(void *arg)
{
	(void)arg;
	/* stdout to stderr, so the captured text is the version line */
	dup2(STDERR_FILENO, STDOUT_FILENO);
	lmrec_print_version();
}

static void child_progress(void *arg)
{
	struct lmrec_progress p;
	lmrec_progress_start(&p, arg != NULL, "rows", 10);
	p.last -= 2; /* as if a second had passed */
	lmrec_progress_tick(&p, 5);
	lmrec_progress_end(&p, 10);
}

static void test_version_progress(void)
{
	char err[512];
	CHECK_INT(check_child(child_version, NULL, err, sizeof err), 0);
	CHECK_STR(err, "cli (lmrec) " LMREC_VERSION);
	/* stderr is a pipe, not a terminal: quiet unless forced */
	CHECK_INT(check_child(child_progress, NULL, err, sizeof err), 0);
	CHECK_STR(err, "");
	CHECK_INT(check_child(child_progress, "force", err, sizeof err), 0);
	CHECK(strncmp(err, "\rcli: rows 5/10 (", 17) == 0);
	CHECK(strstr(err, "\rcli: rows 10 in ") != NULL);
}

int main(void)
{
	lmrec_setprogname("cli");
	CHECK_RUN(test_numbers);
	CHECK_RUN(test_choice);
	CHECK_RUN(test_klist);
	CHECK_RUN(test_version_progress);
	return check_done();
}

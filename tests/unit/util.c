/* Unit tests of lib/util.c: number parsing, little-endian codes, growth,
 * the die paths and their exit status. */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>

#include "check.h"

static int i64_ok(const char *s, int64_t want)
{
	int64_t v = 12345;
	return lmrec_parse_i64(s, strlen(s), &v) == 0 && v == want;
}

static int i64_bad(const char *s)
{
	int64_t v = 12345;
	return lmrec_parse_i64(s, strlen(s), &v) == -1 && v == 12345; /* untouched */
}

static void test_parse_i64(void)
{
	CHECK(i64_ok("0", 0));
	CHECK(i64_ok("-0", 0));
	CHECK(i64_ok("42", 42));
	CHECK(i64_ok("-42", -42));
	CHECK(i64_ok("007", 7));
	CHECK(i64_ok("9223372036854775807", INT64_MAX));
	CHECK(i64_ok("-9223372036854775808", INT64_MIN));
	CHECK(i64_bad("9223372036854775808"));
	CHECK(i64_bad("-9223372036854775809"));
	CHECK(i64_bad("18446744073709551616"));
	CHECK(i64_bad("99999999999999999999999"));
	CHECK(i64_bad(""));
	CHECK(i64_bad("-"));
	CHECK(i64_bad("+1"));
	CHECK(i64_bad(" 1"));
	CHECK(i64_bad("1 "));
	CHECK(i64_bad("1.0"));
	CHECK(i64_bad("1e3"));
	CHECK(i64_bad("0x10"));
	CHECK(i64_bad("--1"));
	CHECK(i64_bad("abc"));
	/* the length bounds the field: no NUL needed, bytes after it ignored */
	int64_t v = 0;
	CHECK(lmrec_parse_i64("123456", 3, &v) == 0 && v == 123);
	CHECK(lmrec_parse_i64("1\0002", 3, &v) == -1);
}

static int u64_ok(const char *s, uint64_t want)
{
	uint64_t v = 12345;
	return lmrec_parse_u64(s, strlen(s), &v) == 0 && v == want;
}

static int u64_bad(const char *s)
{
	uint64_t v = 12345;
	return lmrec_parse_u64(s, strlen(s), &v) == -1 && v == 12345;
}

static void test_parse_u64(void)
{
	CHECK(u64_ok("0", 0));
	CHECK(u64_ok("18446744073709551615", UINT64_MAX));
	CHECK(u64_ok("18446744073709551610", UINT64_MAX - 5));
	CHECK(u64_bad("18446744073709551616"));
	CHECK(u64_bad("18446744073709551620"));
	CHECK(u64_bad("-0"));
	CHECK(u64_bad("-1"));
	CHECK(u64_bad("+1"));
	CHECK(u64_bad(" 1"));
	CHECK(u64_bad(""));
	CHECK(u64_bad("1x"));
}

static int dbl_ok(const char *s, double want)
{
	double v = 12345;
	return lmrec_parse_double(s, strlen(s), &v) == 0 && v == want;
}

static int dbl_bad(const char *s)
{
	double v = 12345;
	return lmrec_parse_double(s, strlen(s), &v) == -1 && v == 12345;
}

static int flt_ok(const char *s, float want)
{
	float v = 12345;
	return lmrec_parse_float(s, strlen(s), &v) == 0 && v == want;
}

static int flt_bad(const char *s)
{
	float v = 12345;
	return lmrec_parse_float(s, strlen(s), &v) == -1 && v == 12345;
}

static void test_parse_double(void)
{
	CHECK(dbl_ok("0", 0.0));
	CHECK(dbl_ok("1", 1.0));
	CHECK(dbl_ok("-2.5", -2.5));
	CHECK(dbl_ok("+1", 1.0)); /* strtod's sign: accepted for numbers */
	CHECK(dbl_ok("1e3", 1000.0));
	CHECK(dbl_ok(".5", 0.5));
	CHECK(dbl_ok("1.7976931348623157e308", DBL_MAX));
	CHECK(dbl_ok("0.1", 0.1));
	double v = 1;
	CHECK(lmrec_parse_double("1e-400", 6, &v) == 0 && v == 0.0); /* underflow is 0 */
	CHECK(dbl_bad("1e400"));
	CHECK(dbl_bad("-1e400"));
	CHECK(dbl_bad("nan"));
	CHECK(dbl_bad("NaN"));
	CHECK(dbl_bad("inf"));
	CHECK(dbl_bad("-inf"));
	CHECK(dbl_bad("infinity"));
	CHECK(dbl_bad(""));
	CHECK(dbl_bad("-"));
	CHECK(dbl_bad("."));
	CHECK(dbl_bad(" 1"));
	CHECK(dbl_bad("\t1"));
	CHECK(dbl_bad("\v1")); /* every kind of leading space, not only ' ' */
	CHECK(dbl_bad("\f1"));
	CHECK(dbl_bad("\r1"));
	CHECK(dbl_bad("1 "));
	CHECK(dbl_bad("1,5"));
	CHECK(dbl_bad("1x"));
	CHECK(lmrec_parse_double("1\0002", 3, &v) == -1);
	/* a field longer than the stack buffer */
	char big[300];
	memset(big, '0', sizeof big);
	big[0] = '1';
	big[1] = '.';
	CHECK(lmrec_parse_double(big, sizeof big, &v) == 0 && v == 1.0);
	big[200] = 'x';
	CHECK(lmrec_parse_double(big, sizeof big, &v) == -1);
	/* bounded by len, not by a NUL */
	CHECK(lmrec_parse_double("2.5junk", 3, &v) == 0 && v == 2.5);
}

static void test_parse_float(void)
{
	CHECK(flt_ok("1.5", 1.5f));
	CHECK(flt_ok("-0.25", -0.25f));
	CHECK(flt_ok("0.1", 0.1f));
	CHECK(flt_ok("3.40282347e+38", FLT_MAX)); /* %.9g of FLT_MAX reads back */
	CHECK(flt_ok("-3.40282347e+38", -FLT_MAX));
	CHECK(flt_bad("3.5e38"));
	CHECK(flt_bad("1e39"));
	CHECK(flt_bad("1e400"));
	CHECK(flt_bad("nan"));
	CHECK(flt_bad("inf"));
	CHECK(flt_bad(""));
	CHECK(flt_bad(" 1"));
	CHECK(flt_bad("1 "));
	float v = 1;
	CHECK(lmrec_parse_float("1e-50", 5, &v) == 0 && v == 0.0f);
	/* every float printed with %.9g reads back to the same float */
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 7);
	int bad = 0;
	for (int i = 0; i < 100000; i++) {
		uint32_t bits = (uint32_t)lmrec_rng_u64(&rng);
		float f;
		memcpy(&f, &bits, sizeof f);
		if (!isfinite(f))
			continue;
		char tmp[48];
		int n = snprintf(tmp, sizeof tmp, "%.9g", (double)f);
		float back;
		if (lmrec_parse_float(tmp, (size_t)n, &back) != 0 || !check_same_bits(&back, &f, sizeof f))
			bad++;
	}
	CHECK_INT(bad, 0);
	/* and every double with %.17g */
	bad = 0;
	for (int i = 0; i < 100000; i++) {
		uint64_t bits = lmrec_rng_u64(&rng);
		double d;
		memcpy(&d, &bits, sizeof d);
		if (!isfinite(d))
			continue;
		char tmp[48];
		int n = snprintf(tmp, sizeof tmp, "%.17g", d);
		double back;
		if (lmrec_parse_double(tmp, (size_t)n, &back) != 0 || !check_same_bits(&back, &d, sizeof d))
			bad++;
	}
	CHECK_INT(bad, 0);
}

/* The fast path for short decimals gives exactly what strtod/strtof give
 * (the slow, obviously correct version), on integers and decimals of every
 * length around the fast path's limits. */
static void test_parse_fast_path(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 13);
	size_t bad = 0;
	for (int t = 0; t < 400000; t++) {
		char buf[40];
		int digits = 1 + (int)lmrec_rng_below(&rng, 18), n = 0;
		int dot = lmrec_rng_below(&rng, 3) == 0 ? -1 : (int)lmrec_rng_below(&rng, (uint64_t)digits + 1);
		if (lmrec_rng_below(&rng, 2))
			buf[n++] = '-';
		for (int k = 0; k < digits; k++) { /* leading zeros included */
			if (k == dot)
				buf[n++] = '.';
			buf[n++] = (char)('0' + lmrec_rng_below(&rng, k == 0 ? 3 : 10));
		}
		if (dot == digits)
			buf[n++] = '.'; /* "12." */
		buf[n] = '\0';
		double d;
		float f;
		int rd = lmrec_parse_double(buf, (size_t)n, &d), rf = lmrec_parse_float(buf, (size_t)n, &f);
		double wd = strtod(buf, NULL);
		float wf = strtof(buf, NULL);
		bad += rd != 0 || !check_same_bits(&d, &wd, sizeof d);
		bad += rf != 0 || !check_same_bits(&f, &wf, sizeof f);
	}
	CHECK_U64(bad, 0);
	double d;
	float f;
	CHECK(lmrec_parse_double("-0", 2, &d) == 0 && d == 0 && signbit(d));
	CHECK(lmrec_parse_float("-0", 2, &f) == 0 && f == 0 && signbit(f));
	CHECK(lmrec_parse_float("9999999", 7, &f) == 0 && f == 9999999.0f);
	CHECK(lmrec_parse_float("16777217", 8, &f) == 0 && f == 16777216.0f); /* rounded */
	CHECK(lmrec_parse_double("999999999999999", 15, &d) == 0 && d == 999999999999999.0);
	CHECK(lmrec_parse_double("9007199254740993", 16, &d) == 0 && d == 9007199254740992.0);
	CHECK(lmrec_parse_float("4.5", 3, &f) == 0 && f == 4.5f);
	CHECK(lmrec_parse_float("0.1", 3, &f) == 0 && f == 0.1f);
	CHECK(lmrec_parse_double("0.1", 3, &d) == 0 && d == 0.1);
	CHECK(lmrec_parse_double("-0.0", 4, &d) == 0 && d == 0 && signbit(d));
	CHECK(lmrec_parse_double(".5", 2, &d) == 0 && d == 0.5);
	CHECK(lmrec_parse_double("5.", 2, &d) == 0 && d == 5.0);
	CHECK(lmrec_parse_double("1.2.3", 5, &d) == -1);
	CHECK(lmrec_parse_double("-.", 2, &d) == -1);
	CHECK(lmrec_parse_double("--1", 3, &d) == -1);
	CHECK(lmrec_parse_double("1-", 2, &d) == -1);
}

static void test_le(void)
{
	unsigned char b[8];
	lmrec_put_le32(b, 0x11223344u);
	CHECK(b[0] == 0x44 && b[1] == 0x33 && b[2] == 0x22 && b[3] == 0x11);
	CHECK_U64(lmrec_get_le32(b), 0x11223344u);
	lmrec_put_le64(b, 0x0102030405060708ull);
	CHECK(b[0] == 8 && b[7] == 1);
	CHECK_U64(lmrec_get_le64(b), 0x0102030405060708ull);
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 1);
	int bad = 0;
	for (int i = 0; i < 10000; i++) {
		uint64_t v = lmrec_rng_u64(&rng);
		lmrec_put_le64(b, v);
		bad += lmrec_get_le64(b) != v;
		lmrec_put_le32(b, (uint32_t)v);
		bad += lmrec_get_le32(b) != (uint32_t)v;
		/* the bytes, one by one, are the value's from the low end */
		lmrec_put_le64(b, v);
		for (int k = 0; k < 8; k++)
			bad += b[k] != (unsigned char)(v >> (8 * k));
	}
	CHECK_INT(bad, 0);
	lmrec_put_le64(b, UINT64_MAX);
	CHECK_U64(lmrec_get_le64(b), UINT64_MAX);
	lmrec_put_le32(b, UINT32_MAX);
	CHECK_U64(lmrec_get_le32(b), UINT32_MAX);
}

static void test_grow(void)
{
	int *a = NULL;
	size_t cap = 0;
	LMREC_GROW(a, cap, 0);
	CHECK(a == NULL && cap == 0);
	LMREC_GROW(a, cap, 1);
	CHECK(a != NULL && cap >= 1);
	size_t first = cap;
	LMREC_GROW(a, cap, first); /* already enough: no change */
	CHECK_U64(cap, first);
	for (size_t i = 0; i < 100000; i++) {
		LMREC_GROW(a, cap, i + 1);
		a[i] = (int)i;
	}
	CHECK(cap >= 100000 && cap < 2 * 100000 + 32); /* doubling, no waste */
	int bad = 0;
	for (size_t i = 0; i < 100000; i++)
		bad += a[i] != (int)i;
	CHECK_INT(bad, 0);
	LMREC_GROW(a, cap, 1000000); /* a jump */
	CHECK(cap >= 1000000);
	CHECK_INT(a[99999], 99999);
	free(a);
}

static void die_huge_array(void *arg)
{
	(void)arg;
	void *p = NULL;
	size_t cap = 0;
	lmrec_grow(&p, &cap, SIZE_MAX / 2 + 2, 1);
}

static void die_overflowing_reallocarray(void *arg)
{
	(void)arg;
	lmrec_xreallocarray(NULL, SIZE_MAX / 4, 8);
}

static void die_data(void *arg)
{
	(void)arg;
	lmrec_die_at("-", 12, "column '%s': bad", "ts");
}

static void die_errno(void *arg)
{
	(void)arg;
	errno = ENOENT;
	lmrec_die(LMREC_EXIT_FAIL, "%s: open:", "x.tsv");
}

static void die_usage(void *arg)
{
	(void)arg;
	lmrec_usage_error("invalid value for %s: '%s'", "--top", "0");
}

static void warn_only(void *arg)
{
	(void)arg;
	lmrec_warn("%d rows dropped", 3);
}

/* A die registered temp file is removed. */
static void die_with_temp(void *arg)
{
	lmrec_temp_register((const char *)arg);
	lmrec_die(LMREC_EXIT_FAIL, "failing");
}

/* A SIGTERM held back while a temp file is made and registered: the file
 * is still there when the signal is raised, and goes when it is let
 * through, which kills the process. */
static void term_while_held(void *arg)
{
	lmrec_setprogname("util"); /* the handlers */
	lmrec_signals_hold();
	lmrec_temp_register((const char *)arg);
	raise(SIGTERM);
	if (access((const char *)arg, F_OK) != 0)
		_exit(3); /* removed too early */
	check_write_str("reached", "x"); /* alive after the raise */
	lmrec_signals_release();
	_exit(4); /* not killed */
}

static void test_die(void)
{
	char err[512];
	CHECK_INT(check_child(die_huge_array, NULL, err, sizeof err), 1);
	CHECK(strstr(err, "util: out of memory") == err);
	CHECK_INT(check_child(die_overflowing_reallocarray, NULL, err, sizeof err), 1);
	CHECK(strstr(err, "overflows") != NULL);
	CHECK_INT(check_child(die_data, NULL, err, sizeof err), 65);
	CHECK_STR(err, "util: <stdin>:12: column 'ts': bad");
	CHECK_INT(check_child(die_errno, NULL, err, sizeof err), 1);
	CHECK_STR(err, "util: x.tsv: open: No such file or directory");
	CHECK_INT(check_child(die_usage, NULL, err, sizeof err), 2);
	CHECK_STR(err, "util: invalid value for --top: '0'\n"
		       "Try 'util --help' for more information.");
	CHECK_INT(check_child(warn_only, NULL, err, sizeof err), 0);
	CHECK_STR(err, "util: warning: 3 rows dropped");
	check_tmpdir();
	check_write_str("temp.part", "x");
	CHECK_INT(check_child(die_with_temp, "temp.part", err, sizeof err), 1);
	CHECK(access("temp.part", F_OK) != 0);
	check_write_str("held.part", "x");
	CHECK_INT(check_child(term_while_held, "held.part", err, sizeof err), 128 + SIGTERM);
	CHECK(access("held.part", F_OK) != 0);
	CHECK(access("reached", F_OK) == 0);
}

static jmp_buf hook_jump;
static void hook(int status) { longjmp(hook_jump, status); }

/* In a child: a die with the hook set comes back with its status, which
 * the child then exits with plus 100; after the hook is cleared a die
 * exits as usual. */
static void die_through_hook(void *arg)
{
	(void)arg;
	lmrec_set_die_hook(hook);
	volatile int got = setjmp(hook_jump);
	if (got == 0)
		lmrec_die_at("f", 1, "x");
	lmrec_set_die_hook(NULL);
	if (got != 65)
		_exit(1);
	lmrec_die(LMREC_EXIT_USAGE + 100, "back");
}

static void test_die_hook(void)
{
	char err[512];
	CHECK_INT(check_child(die_through_hook, NULL, err, sizeof err), 102);
	CHECK_STR(err, "util: f:1: x\nutil: back");
}

/* lmrec_close_stdout: a write error is reported once, exit 1; a closed
 * pipe (SIGPIPE ignored) ends quietly with exit 1. */
static void child_close_stdout(void *arg)
{
	const char *how = arg;
	if (strcmp(how, "full") == 0) {
		if (!freopen("/dev/full", "w", stdout))
			_exit(99);
	} else {
		int fd[2];
		if (pipe(fd) != 0)
			_exit(99);
		close(fd[0]);
		signal(SIGPIPE, SIG_IGN);
		dup2(fd[1], STDOUT_FILENO);
		close(fd[1]);
	}
	fputs("some output\n", stdout);
	lmrec_close_stdout();
}

static void test_close_stdout(void)
{
	char err[512];
	CHECK_INT(check_child(child_close_stdout, "full", err, sizeof err), 1);
	CHECK_STR(err, "util: standard output: No space left on device");
	CHECK_INT(check_child(child_close_stdout, "pipe", err, sizeof err), 1);
	CHECK_STR(err, "");
}

static void test_names(void)
{
	CHECK_STR(lmrec_display_name("-"), "<stdin>");
	CHECK_STR(lmrec_display_name(NULL), "<stdin>");
	CHECK_STR(lmrec_display_name("a.tsv"), "a.tsv");
	CHECK_STR(lmrec_progname(), "util");
	char *s = lmrec_xasprintf("%s-%d", "ab", 12);
	CHECK_STR(s, "ab-12");
	free(s);
	char *t = lmrec_xstrndup("abcdef", 3);
	CHECK_STR(t, "abc");
	free(t);
	double a = lmrec_now(), b = lmrec_now();
	CHECK(b >= a && a > 0);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	lmrec_setprogname("/some/dir/util");
	CHECK_RUN(test_parse_i64);
	CHECK_RUN(test_parse_u64);
	CHECK_RUN(test_parse_double);
	CHECK_RUN(test_parse_float);
	CHECK_RUN(test_parse_fast_path);
	CHECK_RUN(test_le);
	CHECK_RUN(test_grow);
	CHECK_RUN(test_die);
	CHECK_RUN(test_die_hook);
	CHECK_RUN(test_close_stdout);
	CHECK_RUN(test_names);
	return check_done();
}

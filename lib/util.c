/* lmrec — error reporting, exit status, checked allocation, temp-file cleanup. */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static const char *progname = "lmrec";

/* Temp files are a singly linked list that only grows at the head, so the
 * signal handler can walk it at any moment; forgetting a file clears its
 * flag instead of unlinking the node. */
struct temp_node {
	struct temp_node *next;
	volatile sig_atomic_t live;
	char path[];
};
static struct temp_node *volatile temp_head;

/* Set only by fuzz harnesses and tests (see lmrec_set_die_hook). */
static void (*die_hook)(int status);

static void remove_temps(void)
{
	for (struct temp_node *t = temp_head; t; t = t->next)
		if (t->live) {
			unlink(t->path);
			t->live = 0;
		}
}

static void on_signal(int sig)
{
	remove_temps(); /* unlink is async-signal-safe */
	signal(sig, SIG_DFL);
	raise(sig);
}

void lmrec_setprogname(const char *argv0)
{
	const char *slash = argv0 ? strrchr(argv0, '/') : NULL;
	if (argv0 && *argv0)
		progname = slash ? slash + 1 : argv0;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

const char *lmrec_progname(void) { return progname; }

void lmrec_temp_register(const char *path)
{
	size_t n = strlen(path);
	struct temp_node *t = malloc(sizeof *t + n + 1);
	if (!t)
		lmrec_die(LMREC_EXIT_FAIL, "out of memory");
	memcpy(t->path, path, n + 1);
	t->live = 1;
	t->next = temp_head;
	temp_head = t;
}

void lmrec_temp_forget(const char *path)
{
	for (struct temp_node *t = temp_head; t; t = t->next)
		if (t->live && strcmp(t->path, path) == 0)
			t->live = 0;
}

void lmrec_cleanup(void) { remove_temps(); }

static void signals_mask(int how)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(how, &set, NULL);
}

void lmrec_signals_hold(void) { signals_mask(SIG_BLOCK); }

void lmrec_signals_release(void) { signals_mask(SIG_UNBLOCK); }

void lmrec_set_die_hook(void (*hook)(int status)) { die_hook = hook; }

void lmrec_exit(int status)
{
	remove_temps();
	if (die_hook)
		die_hook(status);
	exit(status);
}

static void vmessage(const char *fmt, va_list ap)
{
	int saved = errno;
	fprintf(stderr, "%s: ", progname);
	vfprintf(stderr, fmt, ap);
	size_t n = strlen(fmt);
	if (n && fmt[n - 1] == ':')
		fprintf(stderr, " %s", strerror(saved));
	fputc('\n', stderr);
}

void lmrec_die(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
	lmrec_exit(status);
}

void lmrec_die_at(const char *file, size_t line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: %s:%zu: ", progname, lmrec_display_name(file), line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	lmrec_exit(LMREC_EXIT_DATA);
}

void lmrec_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help' for more information.\n", progname);
	lmrec_exit(LMREC_EXIT_USAGE);
}

void lmrec_vwarn(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: warning: ", progname);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void lmrec_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	lmrec_vwarn(fmt, ap);
	va_end(ap);
}

void *lmrec_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		lmrec_die(LMREC_EXIT_FAIL, "out of memory (%zu bytes)", n);
	return p;
}

void *lmrec_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		lmrec_die(LMREC_EXIT_FAIL, "out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *lmrec_xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		lmrec_die(LMREC_EXIT_FAIL, "out of memory (%zu x %zu bytes overflows)", n, size);
	size_t bytes = n * size;
	void *q = realloc(p, bytes ? bytes : 1);
	if (!q)
		lmrec_die(LMREC_EXIT_FAIL, "out of memory (%zu bytes)", bytes);
	return q;
}

char *lmrec_xstrdup(const char *s) { return lmrec_xstrndup(s, strlen(s)); }

char *lmrec_xstrndup(const char *s, size_t n)
{
	char *p = lmrec_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *lmrec_xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		lmrec_die(LMREC_EXIT_FAIL, "formatting failed");
	char *p = lmrec_xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void lmrec_grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return;
	size_t c = *cap ? *cap : 16;
	while (c < need) {
		if (c > SIZE_MAX / 2)
			lmrec_die(LMREC_EXIT_FAIL, "out of memory (array of %zu)", need);
		c *= 2;
	}
	*p = lmrec_xreallocarray(*p, c, size);
	*cap = c;
}

void lmrec_close_stdout(void)
{
	int bad = ferror(stdout);
	if (fclose(stdout) != 0 || bad) {
		if (!bad && errno == EPIPE)
			lmrec_exit(LMREC_EXIT_FAIL);
		fprintf(stderr, "%s: standard output: %s\n", progname,
			bad ? "write error" : strerror(errno));
		lmrec_exit(LMREC_EXIT_FAIL);
	}
}

const char *lmrec_display_name(const char *path)
{
	return (!path || strcmp(path, "-") == 0) ? "<stdin>" : path;
}

int lmrec_parse_i64(const char *s, size_t len, int64_t *out)
{
	/* Hand-rolled: strtoll needs a NUL and accepts spaces and '+'. */
	size_t i = 0;
	int neg = 0;
	if (len && s[0] == '-') {
		neg = 1;
		i = 1;
	}
	if (i == len)
		return -1;
	uint64_t v = 0;
	for (; i < len; i++) {
		unsigned d = (unsigned char)s[i] - '0';
		if (d > 9)
			return -1;
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (neg) {
		if (v > (uint64_t)INT64_MAX + 1)
			return -1;
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	} else {
		if (v > INT64_MAX)
			return -1;
		*out = (int64_t)v;
	}
	return 0;
}

int lmrec_parse_u64(const char *s, size_t len, uint64_t *out)
{
	if (len == 0)
		return -1;
	uint64_t v = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned char)s[i] - '0';
		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* Clinger's fast path: a decimal of few digits ("1", "-5", "4.5") is
 * m / 10^k with m and 10^k both exact in the type (m below 10^7 < 2^24 for a
 * float, 10^15 < 2^53 for a double), so one IEEE division, correctly
 * rounded, gives exactly what strto* gives, without its copy and general
 * algorithm. Returns -1 for anything else (more digits, an exponent, a '+',
 * "1." or ".5"), which strto* then handles. Needs arithmetic in the type's
 * own precision (FLT_EVAL_METHOD 0, as on x86-64 and AArch64). */
static int fast_decimal(const char *s, size_t len, int wide, double *d, float *f)
{
#if FLT_EVAL_METHOD == 0
	static const double p10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
				     1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
	size_t i = s[0] == '-', digits = 0, frac = 0, before = 0;
	uint64_t m = 0;
	int dot = 0;
	for (; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			m = m * 10 + (uint64_t)(s[i] - '0');
			digits++;
			frac += (size_t)dot;
			before += (size_t)!dot;
		} else if (s[i] == '.' && !dot) {
			dot = 1;
		} else {
			return -1;
		}
		if (digits > (wide ? 15u : 7u))
			return -1;
	}
	if (before == 0 || (dot && frac == 0))
		return -1;
	if (wide) {
		double x = (double)m / p10[frac];
		*d = s[0] == '-' ? -x : x;
	} else {
		float x = (float)m / (float)p10[frac];
		*f = s[0] == '-' ? -x : x;
	}
	return 0;
#else
	(void)s, (void)len, (void)wide, (void)d, (void)f;
	return -1;
#endif
}

/* strtod/strtof on a copy of the field with a NUL after it. Leading white
 * space of any kind (which strto* would skip) is refused, as is anything
 * left over, NaN, an infinity and an overflow; an underflow gives the tiny
 * value strto* returns. wide picks strtod (into *d) or strtof (into *f), so
 * a float is rounded once, straight from the text: "3.40282347e+38", which
 * %.9g prints for FLT_MAX, reads back as FLT_MAX. */
static int parse_real(const char *s, size_t len, int wide, double *d, float *f)
{
	if (len == 0 || isspace((unsigned char)s[0]))
		return -1;
	if (fast_decimal(s, len, wide, d, f) == 0)
		return 0;
	char small[64];
	char *buf = len < sizeof small ? small : lmrec_xmalloc(len + 1);
	memcpy(buf, s, len);
	buf[len] = '\0';
	char *end;
	errno = 0;
	int rc = 0;
	if (wide) {
		double v = strtod(buf, &end);
		if (end != buf + len || !isfinite(v) || (errno == ERANGE && fabs(v) > 1.0))
			rc = -1;
		else
			*d = v;
	} else {
		float v = strtof(buf, &end);
		if (end != buf + len || !isfinite(v) || (errno == ERANGE && fabsf(v) > 1.0f))
			rc = -1;
		else
			*f = v;
	}
	if (buf != small)
		free(buf);
	return rc;
}

int lmrec_parse_double(const char *s, size_t len, double *out)
{
	return parse_real(s, len, 1, out, NULL);
}

int lmrec_parse_float(const char *s, size_t len, float *out)
{
	return parse_real(s, len, 0, NULL, out);
}

void lmrec_put_le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

void lmrec_put_le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

uint32_t lmrec_get_le32(const unsigned char *p)
{
	uint32_t v = 0;
	for (int i = 3; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

uint64_t lmrec_get_le64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

double lmrec_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* tests/unit/check.h — the small kit the unit tests of lib/ share.
 *
 * A unit test is a program of test functions run by CHECK_RUN: each prints
 * "ok N - name" or "not ok N - name" (TAP), with the failed checks as "#"
 * lines, and main returns check_done(): 1 when anything failed. Functions
 * that end the program (the lib's dies) are run in a child process by
 * check_child(), which hands back the exit status and what went to stderr.
 * Files are made in a fresh directory under TMPDIR (check_tmpdir), which
 * check_done() removes. Header-only: the Makefile builds only the .c files. */
#ifndef LMREC_CHECK_H
#define LMREC_CHECK_H

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lmrec.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#define CHECK_LEAKS_OFF() __lsan_disable()
#else
#define CHECK_LEAKS_OFF() ((void)0)
#endif

struct check_state {
	int tests, failed_tests; /* test functions run, failed */
	int failures;            /* failed checks in the current function */
	char dir[4096];          /* the scratch directory, "" until made */
	void *kept[64];          /* see check_keep */
	size_t nkept;
};

/* The one state of a test program (a program is one translation unit). */
static inline struct check_state *check_st(void)
{
	static struct check_state st;
	return &st;
}

static inline void check_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline void check_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	printf("# %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	check_st()->failures++;
}

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			check_fail(__FILE__, __LINE__, "check failed: %s", #cond);                 \
	} while (0)

#define CHECK_INT(a, b)                                                                            \
	do {                                                                                       \
		long long a_ = (long long)(a), b_ = (long long)(b);                               \
		if (a_ != b_)                                                                      \
			check_fail(__FILE__, __LINE__, "%s == %lld, expected %s == %lld", #a, a_,   \
				   #b, b_);                                                        \
	} while (0)

#define CHECK_U64(a, b)                                                                            \
	do {                                                                                       \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);                                   \
		if (a_ != b_)                                                                      \
			check_fail(__FILE__, __LINE__, "%s == %" PRIu64 ", expected %" PRIu64, #a, \
				   a_, b_);                                                        \
	} while (0)

#define CHECK_STR(a, b)                                                                            \
	do {                                                                                       \
		const char *a_ = (a), *b_ = (b);                                                   \
		if (strcmp(a_, b_) != 0)                                                           \
			check_fail(__FILE__, __LINE__, "%s is\n#   '%s'\n# expected\n#   '%s'", #a,  \
				   a_, b_);                                                        \
	} while (0)

#define CHECK_MEM(p, n, q, m)                                                                      \
	do {                                                                                       \
		size_t n_ = (size_t)(n), m_ = (size_t)(m);                                         \
		if (n_ != m_ || memcmp((p), (q), n_) != 0)                                        \
			check_fail(__FILE__, __LINE__, "%s (%zu bytes) differs from %s (%zu bytes)", \
				   #p, n_, #q, m_);                                                \
	} while (0)

/* 1 when the n bytes at a and at b are the same. For arrays of floats that
 * must be bit-identical (determinism across runs and threads): unlike ==, it
 * tells -0.0 from 0.0 and NaN equals the same NaN. */
static inline int check_same_bits(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;
	for (size_t i = 0; i < n; i++)
		if (p[i] != q[i])
			return 0;
	return 1;
}

static inline void check_run(void (*fn)(void), const char *name)
{
	struct check_state *st = check_st();
	st->failures = 0;
	fflush(stdout);
	fn();
	st->tests++;
	if (st->failures)
		st->failed_tests++;
	printf("%s %d - %s\n", st->failures ? "not ok" : "ok", st->tests, name);
	fflush(stdout);
}
#define CHECK_RUN(fn) check_run(fn, #fn)

/* A fresh scratch directory, made once and made the working directory, so
 * file names in messages are short and exact. */
static inline const char *check_tmpdir(void)
{
	struct check_state *st = check_st();
	if (!st->dir[0]) {
		const char *t = getenv("TMPDIR");
		snprintf(st->dir, sizeof st->dir, "%s/lmrec-unit.XXXXXX", t && *t ? t : "/tmp");
		if (!mkdtemp(st->dir)) {
			perror("mkdtemp");
			exit(1);
		}
		if (chdir(st->dir) != 0) {
			perror("chdir");
			exit(1);
		}
	}
	return st->dir;
}

static inline void check_rmdir(void)
{
	struct check_state *st = check_st();
	if (!st->dir[0])
		return;
	DIR *d = opendir(st->dir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
				char *p = lmrec_xasprintf("%s/%s", st->dir, e->d_name);
				unlink(p);
				free(p);
			}
		closedir(d);
	}
	if (chdir("/") != 0 || rmdir(st->dir) != 0)
		fprintf(stderr, "warning: cannot remove %s\n", st->dir);
	st->dir[0] = '\0';
}

/* Number of entries of the scratch directory (temp files left behind). */
static inline int check_count_files(void)
{
	int n = 0;
	DIR *d = opendir(check_tmpdir());
	if (!d)
		return -1;
	struct dirent *e;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static inline void check_write(const char *name, const void *p, size_t n)
{
	check_tmpdir();
	FILE *fp = fopen(name, "wb");
	if (!fp || fwrite(p, 1, n, fp) != n || fclose(fp) != 0) {
		perror(name);
		exit(1);
	}
}

static inline void check_write_str(const char *name, const char *s) { check_write(name, s, strlen(s)); }

/* The whole file in a fresh allocation (NUL after it); a file that cannot
 * be read is a failed check and reads as empty. */
static inline char *check_slurp(const char *name, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *p = lmrec_xmalloc(cap);
	p[0] = '\0';
	if (len)
		*len = 0;
	FILE *fp = fopen(name, "rb");
	if (!fp) {
		check_fail(__FILE__, __LINE__, "cannot read %s: %s", name, strerror(errno));
		return p;
	}
	size_t got;
	while ((got = fread(p + n, 1, cap - n - 1, fp)) > 0) {
		n += got;
		if (cap - n - 1 == 0) {
			cap *= 2;
			p = lmrec_xreallocarray(p, cap, 1);
		}
	}
	fclose(fp);
	p[n] = '\0';
	if (len)
		*len = n;
	return p;
}

/* Runs fn(arg) in a child process with its stderr captured into err (NUL-
 * terminated, at most errlen-1 bytes, a final newline dropped). Returns the
 * exit status, 0 if fn returned, or 128+N when killed by signal N. */
static inline int check_child(void (*fn)(void *), void *arg, char *err, size_t errlen)
{
	int fd[2];
	fflush(stdout);
	fflush(stderr);
	if (pipe(fd) != 0) {
		perror("pipe");
		exit(1);
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		/* a child mostly dies on purpose, leaving what it held: under
		 * LeakSanitizer (make SANITIZE=1) that is not a leak to report */
		CHECK_LEAKS_OFF();
		close(fd[0]);
		dup2(fd[1], STDERR_FILENO);
		close(fd[1]);
		fn(arg);
		fflush(stdout);
		_exit(0);
	}
	close(fd[1]);
	size_t n = 0;
	char sink[4096];
	ssize_t got;
	for (;;) {
		char *dst = n + 1 < errlen ? err + n : sink;
		size_t room = n + 1 < errlen ? errlen - 1 - n : sizeof sink;
		got = read(fd[0], dst, room);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		if (dst != sink)
			n += (size_t)got;
	}
	close(fd[0]);
	if (errlen) {
		if (n && err[n - 1] == '\n')
			n--;
		err[n] = '\0';
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Keeps p reachable to the end of the process: a child that dies after its
 * last use of p (as a tool does at exit 65) then leaves nothing Valgrind or
 * LeakSanitizer would call definitely lost. Returns p. */
static inline void *check_keep(void *p)
{
	struct check_state *st = check_st();
	st->kept[st->nkept++ % 64] = p;
	return p;
}

static inline int check_done(void)
{
	struct check_state *st = check_st();
	check_rmdir();
	printf("1..%d\n", st->tests);
	if (st->failed_tests)
		printf("# %d of %d tests failed\n", st->failed_tests, st->tests);
	return st->failed_tests ? 1 : 0;
}

#endif

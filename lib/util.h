/* lmrec — error reporting, exit status, checked allocation, temp-file cleanup. */
#ifndef LMREC_UTIL_H
#define LMREC_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifndef LMREC_VERSION
#define LMREC_VERSION "0.1.0" /* set by the Makefile from config.mk */
#endif

/* Exit status of every tool (SPEC.md §5). */
enum lmrec_exit {
	LMREC_EXIT_OK = 0,
	LMREC_EXIT_FAIL = 1,   /* run-time failure: I/O, memory, a signal */
	LMREC_EXIT_USAGE = 2,  /* bad command line */
	LMREC_EXIT_GATE = 3,   /* the nightly quality gate refused to publish */
	LMREC_EXIT_DATA = 65,  /* malformed input data (EX_DATAERR) */
	LMREC_EXIT_LOCK = 75   /* another run holds the lock (EX_TEMPFAIL) */
};

#if defined(__GNUC__)
#define LMREC_NORETURN __attribute__((noreturn))
#define LMREC_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define LMREC_NORETURN
#define LMREC_PRINTF(a, b)
#endif

/* Sets the name messages start with: argv[0] without its directory. Also
 * installs the SIGINT/SIGTERM handlers that remove registered temp files. */
void lmrec_setprogname(const char *argv0);
const char *lmrec_progname(void);

/* Messages are "prog: text". A format ending in ':' appends strerror(errno).
 * Every die removes the registered temp files before exiting. */
LMREC_NORETURN void lmrec_die(int status, const char *fmt, ...) LMREC_PRINTF(2, 3);
/* "prog: file:line: text", exit 65: bad input data. */
LMREC_NORETURN void lmrec_die_at(const char *file, size_t line, const char *fmt, ...)
	LMREC_PRINTF(3, 4);
/* "prog: text" then "Try 'prog --help' for more information.", exit 2. */
LMREC_NORETURN void lmrec_usage_error(const char *fmt, ...) LMREC_PRINTF(1, 2);
void lmrec_warn(const char *fmt, ...) LMREC_PRINTF(1, 2);
void lmrec_vwarn(const char *fmt, va_list ap) LMREC_PRINTF(1, 0);

/* Ends the program with status after removing the registered temp files:
 * every die of lib/ ends here. */
LMREC_NORETURN void lmrec_exit(int status);
/* For fuzz harnesses and unit tests only; no tool ever sets it. When set,
 * lmrec_exit calls hook(status) instead of exit(status), after the message
 * and the temp-file cleanup, so a harness can longjmp back out of a reader
 * that met bad data (whatever the dying code had allocated is then lost,
 * as it would be at exit). A hook that returns is followed by exit. NULL
 * restores plain exit. */
void lmrec_set_die_hook(void (*hook)(int status));

/* Allocation that dies (exit 1) on failure; sizes are overflow-checked. */
void *lmrec_xmalloc(size_t n);
void *lmrec_xcalloc(size_t n, size_t size);
void *lmrec_xreallocarray(void *p, size_t n, size_t size);
char *lmrec_xstrdup(const char *s);
char *lmrec_xstrndup(const char *s, size_t n);
/* printf into a fresh allocation. */
char *lmrec_xasprintf(const char *fmt, ...) LMREC_PRINTF(1, 2);

/* Grows *p (of *cap elements of size) to hold at least need elements. */
void lmrec_grow(void **p, size_t *cap, size_t need, size_t size);
#define LMREC_GROW(p, cap, need) lmrec_grow((void **)&(p), &(cap), (need), sizeof *(p))

/* Temp files removed by lmrec_die, by SIGINT/SIGTERM, and by
 * lmrec_cleanup(); lmrec_temp_forget() when the file has been renamed. */
void lmrec_temp_register(const char *path);
void lmrec_temp_forget(const char *path);
void lmrec_cleanup(void);
/* SIGINT, SIGTERM and SIGHUP held back, then let through: around the
 * creation of a temp file and its registration, so that no signal falls
 * between the two and leaves the file behind. */
void lmrec_signals_hold(void);
void lmrec_signals_release(void);

/* Flushes and closes stdout; a write error is reported and exits 1.
 * Every tool calls it before returning from main. */
void lmrec_close_stdout(void);

/* "-" means standard input; its name in messages is "<stdin>". */
const char *lmrec_display_name(const char *path);

/* Strict number parsing of a whole (not NUL-terminated) field: returns 0 on
 * success, -1 if the text is not a number or out of range. */
int lmrec_parse_i64(const char *s, size_t len, int64_t *out);
int lmrec_parse_u64(const char *s, size_t len, uint64_t *out);
int lmrec_parse_double(const char *s, size_t len, double *out); /* finite only */
int lmrec_parse_float(const char *s, size_t len, float *out);   /* finite only */

/* Little-endian encoding, independent of the host. */
void lmrec_put_le32(unsigned char *p, uint32_t v);
void lmrec_put_le64(unsigned char *p, uint64_t v);
uint32_t lmrec_get_le32(const unsigned char *p);
uint64_t lmrec_get_le64(const unsigned char *p);

/* Monotonic seconds, for progress and timings. */
double lmrec_now(void);

#endif

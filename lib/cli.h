/* lmrec — command-line helpers shared by every tool (STYLE.md §2.4). */
#ifndef LMREC_CLI_H
#define LMREC_CLI_H

#include <stddef.h>
#include <stdint.h>

/* Prints "prog (lmrec) VERSION" to standard output. */
void lmrec_print_version(void);

/* Option values; a bad value is a usage error (exit 2) naming the option:
 * "prog: invalid value for --top: '0' (expected an integer from 1 to ...)" */
uint64_t lmrec_opt_u64(const char *opt, const char *arg, uint64_t min, uint64_t max);
int64_t lmrec_opt_i64(const char *opt, const char *arg, int64_t min, int64_t max);
double lmrec_opt_double(const char *opt, const char *arg, double min, double max);
/* One of n names: its index; any other value is a usage error listing
 * them: "(expected ce, sampled, bce or gbce)". */
size_t lmrec_opt_choice(const char *opt, const char *arg, const char *const *names, size_t n);
/* A comma-separated list of positive integers ("10,20,50"), sorted and
 * deduplicated; *n receives the count. */
uint32_t *lmrec_opt_klist(const char *opt, const char *arg, size_t *n);

/* Progress on standard error: shown when stderr is a terminal or when
 * forced (--progress), quiet under cron otherwise. */
struct lmrec_progress {
	int on;
	const char *what;
	double start, last;
	uint64_t total; /* 0 when unknown */
};
void lmrec_progress_start(struct lmrec_progress *p, int force, const char *what, uint64_t total);
void lmrec_progress_tick(struct lmrec_progress *p, uint64_t done);
void lmrec_progress_end(struct lmrec_progress *p, uint64_t done);

#endif

/* lmrec — command-line helpers (see cli.h). */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

void lmrec_print_version(void) { printf("%s (lmrec) %s\n", lmrec_progname(), LMREC_VERSION); }

uint64_t lmrec_opt_u64(const char *opt, const char *arg, uint64_t min, uint64_t max)
{
	uint64_t v;
	if (lmrec_parse_u64(arg, strlen(arg), &v) != 0 || v < min || v > max)
		lmrec_usage_error("invalid value for %s: '%s' (expected an integer from %" PRIu64
				  " to %" PRIu64 ")",
				  opt, arg, min, max);
	return v;
}

int64_t lmrec_opt_i64(const char *opt, const char *arg, int64_t min, int64_t max)
{
	int64_t v;
	if (lmrec_parse_i64(arg, strlen(arg), &v) != 0 || v < min || v > max)
		lmrec_usage_error("invalid value for %s: '%s' (expected an integer from %" PRId64
				  " to %" PRId64 ")",
				  opt, arg, min, max);
	return v;
}

double lmrec_opt_double(const char *opt, const char *arg, double min, double max)
{
	double v;
	if (lmrec_parse_double(arg, strlen(arg), &v) != 0 || v < min || v > max)
		lmrec_usage_error("invalid value for %s: '%s' (expected a number from %g to %g)", opt,
				  arg, min, max);
	return v;
}

size_t lmrec_opt_choice(const char *opt, const char *arg, const char *const *names, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (strcmp(arg, names[k]) == 0)
			return k;
	size_t len = 1;
	for (size_t k = 0; k < n; k++)
		len += strlen(names[k]) + 4;
	char *list = lmrec_xmalloc(len), *p = list;
	*p = 0;
	for (size_t k = 0; k < n; k++) /* "a, b or c" */
		p += sprintf(p, "%s%s", k == 0 ? "" : k + 1 == n ? " or " : ", ", names[k]);
	lmrec_usage_error("invalid value for %s: '%s' (expected %s)", opt, arg, list);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

uint32_t *lmrec_opt_klist(const char *opt, const char *arg, size_t *n)
{
	size_t cap = 0, cnt = 0;
	uint32_t *ks = NULL;
	const char *p = arg;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		uint64_t v;
		if (lmrec_parse_u64(p, len, &v) != 0 || v < 1 || v > 1000000)
			lmrec_usage_error("invalid value for %s: '%s' (expected cut-offs like '10,20')",
					  opt, arg);
		LMREC_GROW(ks, cap, cnt + 1);
		ks[cnt++] = (uint32_t)v;
		if (!comma)
			break;
		p = comma + 1;
	}
	qsort(ks, cnt, sizeof *ks, cmp_u32);
	size_t out = 0;
	for (size_t i = 0; i < cnt; i++)
		if (out == 0 || ks[out - 1] != ks[i])
			ks[out++] = ks[i];
	*n = out;
	return ks;
}

void lmrec_progress_start(struct lmrec_progress *p, int force, const char *what, uint64_t total)
{
	p->on = force || isatty(STDERR_FILENO);
	p->what = what;
	p->start = p->last = lmrec_now();
	p->total = total;
}

void lmrec_progress_tick(struct lmrec_progress *p, uint64_t done)
{
	if (!p->on)
		return;
	double now = lmrec_now();
	if (now - p->last < 1.0)
		return;
	p->last = now;
	double rate = (double)done / (now - p->start + 1e-9);
	if (p->total && done <= p->total)
		fprintf(stderr, "\r%s: %s %" PRIu64 "/%" PRIu64 " (%.0f/s, %.0f s left)   ",
			lmrec_progname(), p->what, done, p->total, rate,
			rate > 0 ? (double)(p->total - done) / rate : 0.0);
	else
		fprintf(stderr, "\r%s: %s %" PRIu64 " (%.0f/s)   ", lmrec_progname(), p->what, done,
			rate);
}

void lmrec_progress_end(struct lmrec_progress *p, uint64_t done)
{
	if (!p->on)
		return;
	double secs = lmrec_now() - p->start;
	fprintf(stderr, "\r%s: %s %" PRIu64 " in %.1f s (%.0f/s)   \n", lmrec_progname(), p->what,
		done, secs, (double)done / (secs + 1e-9));
}

/* Unit tests of lib/par.c: every task runs exactly once, in contiguous
 * chunks given to the threads in order, for several thread counts and
 * task counts. */
#include <pthread.h>

#include "check.h"
#include "par.h"

#define MAXCALLS 16

struct record {
	size_t n;
	unsigned *runs;    /* (n) times each task ran */
	int *thread;       /* (n) the thread that ran it */
	pthread_mutex_t lock;
	size_t ncalls;     /* calls of fn */
	struct { int thread; size_t begin, end; } call[MAXCALLS];
	int bad_thread;    /* a thread number out of range, or one seen twice */
	int threads;
};

static void task(void *arg, int thread, size_t begin, size_t end)
{
	struct record *r = arg;
	/* each task's slot is written by one thread only: no lock needed */
	for (size_t i = begin; i < end && i < r->n; i++) {
		r->runs[i]++;
		r->thread[i] = thread;
	}
	pthread_mutex_lock(&r->lock);
	if (r->ncalls < MAXCALLS) {
		r->call[r->ncalls].thread = thread;
		r->call[r->ncalls].begin = begin;
		r->call[r->ncalls].end = end;
	}
	r->ncalls++;
	if (thread < 0 || thread >= (r->threads > 1 ? r->threads : 1))
		r->bad_thread = 1;
	pthread_mutex_unlock(&r->lock);
}

static int cmp_call_thread(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b; /* thread is the first member */
	return x < y ? -1 : x > y;
}

static void test_every_task_once(void)
{
	static const size_t ns[] = {0, 1, 2, 7, 1000};
	for (int threads = -1; threads <= 5; threads++)
		for (size_t t = 0; t < sizeof ns / sizeof *ns; t++) {
			size_t n = ns[t];
			struct record r = {0};
			r.n = n;
			r.threads = threads;
			r.runs = lmrec_xcalloc(n + 1, sizeof *r.runs);
			r.thread = lmrec_xcalloc(n + 1, sizeof *r.thread);
			pthread_mutex_init(&r.lock, NULL);
			lmrec_par_for(threads, n, task, &r);
			size_t bad = 0;
			for (size_t i = 0; i < n; i++)
				bad += r.runs[i] != 1;
			if (bad)
				printf("# threads=%d n=%zu: %zu tasks not run exactly once\n", threads, n, bad);
			CHECK_U64(bad, 0);
			CHECK(!r.bad_thread);
			/* one call per thread actually used: min(threads, n), at
			 * least 1, and a single call when threads <= 1 or n < 2 */
			size_t want = threads <= 1 || n < 2 ? 1 : (size_t)threads < n ? (size_t)threads : n;
			CHECK_U64(r.ncalls, want);
			/* sorted by thread number, the chunks tile [0, n) in order
			 * and are as even as can be (sizes differ by at most 1) */
			size_t nc = r.ncalls < MAXCALLS ? r.ncalls : MAXCALLS;
			qsort(r.call, nc, sizeof r.call[0], cmp_call_thread);
			size_t at = 0, lo = SIZE_MAX, hi = 0;
			for (size_t c = 0; c < nc; c++) {
				CHECK_INT(r.call[c].thread, (int)c);
				CHECK_U64(r.call[c].begin, at);
				CHECK(r.call[c].end >= r.call[c].begin);
				size_t len = r.call[c].end - r.call[c].begin;
				lo = len < lo ? len : lo;
				hi = len > hi ? len : hi;
				at = r.call[c].end;
			}
			CHECK_U64(at, n);
			CHECK(hi - lo <= 1);
			/* and the thread recorded for each task agrees: task order
			 * is thread order */
			for (size_t i = 1; i < n; i++)
				CHECK(r.thread[i] >= r.thread[i - 1]);
			pthread_mutex_destroy(&r.lock);
			free(r.runs);
			free(r.thread);
		}
}

/* The split depends only on n and the thread count: the documented chunks. */
static void test_chunks_pinned(void)
{
	struct record r = {0};
	r.n = 7;
	r.threads = 3;
	r.runs = lmrec_xcalloc(8, sizeof *r.runs);
	r.thread = lmrec_xcalloc(8, sizeof *r.thread);
	pthread_mutex_init(&r.lock, NULL);
	lmrec_par_for(3, 7, task, &r);
	static const int want[7] = {0, 0, 1, 1, 2, 2, 2}; /* [0,2) [2,4) [4,7) */
	for (size_t i = 0; i < 7; i++)
		CHECK_INT(r.thread[i], want[i]);
	pthread_mutex_destroy(&r.lock);
	free(r.runs);
	free(r.thread);
	CHECK(lmrec_ncpu() >= 1);
}

int main(void)
{
	lmrec_setprogname("par");
	CHECK_RUN(test_every_task_once);
	CHECK_RUN(test_chunks_pinned);
	return check_done();
}

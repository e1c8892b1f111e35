/* lmrec — a parallel loop over tasks (see par.h). */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "par.h"
#include "util.h"

struct job {
	void (*fn)(void *, int, size_t, size_t);
	void *ctx;
	int thread;
	size_t begin, end;
};

static void *run_job(void *arg)
{
	struct job *j = arg;
	j->fn(j->ctx, j->thread, j->begin, j->end);
	return NULL;
}

void lmrec_par_for(int threads, size_t n, void (*fn)(void *ctx, int thread, size_t begin, size_t end),
		   void *ctx)
{
	if (threads <= 1 || n < 2) {
		fn(ctx, 0, 0, n);
		return;
	}
	if ((size_t)threads > n)
		threads = (int)n;
	struct job *jobs = lmrec_xcalloc((size_t)threads, sizeof *jobs);
	pthread_t *tid = lmrec_xcalloc((size_t)threads, sizeof *tid);
	for (int t = 0; t < threads; t++) {
		jobs[t] = (struct job){fn, ctx, t, n * (size_t)t / (size_t)threads,
				       n * (size_t)(t + 1) / (size_t)threads};
		if (t > 0 && pthread_create(&tid[t], NULL, run_job, &jobs[t]) != 0)
			lmrec_die(LMREC_EXIT_FAIL, "cannot start a thread:");
	}
	run_job(&jobs[0]);
	for (int t = 1; t < threads; t++)
		pthread_join(tid[t], NULL);
	free(tid);
	free(jobs);
}

int lmrec_ncpu(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

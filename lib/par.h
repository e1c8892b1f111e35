/* lmrec — a parallel loop over tasks with POSIX threads.
 *
 * Tasks 0..n-1 are cut into contiguous chunks, one per thread, so which
 * thread runs which task depends only on n and the thread count: code that
 * writes each task's result to its own place is deterministic. */
#ifndef LMREC_PAR_H
#define LMREC_PAR_H

#include <stddef.h>

/* fn(ctx, thread, begin, end) runs tasks [begin, end) on thread number
 * thread (0..threads-1). threads <= 1 runs everything on the caller. */
void lmrec_par_for(int threads, size_t n, void (*fn)(void *ctx, int thread, size_t begin, size_t end),
		   void *ctx);
/* Number of online processors (at least 1). */
int lmrec_ncpu(void);

#endif

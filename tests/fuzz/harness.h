/* tests/fuzz/harness.h — what the fuzz targets share.
 *
 * The readers end the program on bad data (exit 65), which is right for a
 * tool and fatal for a fuzzer that runs millions of inputs in one process.
 * A harness sets lmrec_set_die_hook(fuzz_die) around each input: a die then
 * longjmps back to the harness, which frees what it holds and goes on. The
 * same harness code is built two ways: by clang with libFuzzer (tests/fuzz/
 * Makefile, `make fuzz`), and by the ordinary compiler into
 * tests/unit/fuzz_replay, which replays the kept corpora in `make check`
 * (LMREC_FUZZ_REPLAY is then defined and no LLVMFuzzerTestOneInput made). */
#ifndef LMREC_FUZZ_HARNESS_H
#define LMREC_FUZZ_HARNESS_H

#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lmrec.h"

/* A check of an invariant: a failure aborts, which the fuzzer reports as a
 * crash and the replay as a failed test. */
#define FUZZ_ASSERT(cond)                                                                          \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* The jump of the current input (one input at a time, one thread). */
static inline jmp_buf *fuzz_jump_buf(void)
{
	static jmp_buf jb;
	return &jb;
}

static inline void fuzz_die(int status) { longjmp(*fuzz_jump_buf(), status ? status : 1); }

/* A scratch file (made once per process, under TMPDIR) holding the bytes
 * of the current input: the readers take file names. */
static inline const char *fuzz_file(const char *tag, const void *data, size_t size)
{
	static char path[2][512];
	int k = strcmp(tag, "tsv") == 0 ? 0 : 1;
	if (!path[k][0]) {
		const char *t = getenv("TMPDIR");
		snprintf(path[k], sizeof path[k], "%s/lmrec-fuzz-%s.XXXXXX", t && *t ? t : "/tmp", tag);
		int fd = mkstemp(path[k]);
		if (fd < 0) {
			perror("mkstemp");
			abort();
		}
		close(fd);
	}
	FILE *fp = fopen(path[k], "wb");
	if (!fp || (size && fwrite(data, 1, size, fp) != size) || fclose(fp) != 0) {
		perror(path[k]);
		abort();
	}
	return path[k];
}

/* Removes the scratch files (the replay driver calls it at the end). */
static inline void fuzz_file_cleanup(void)
{
	const char *a = fuzz_file("tsv", "", 0), *b = fuzz_file("model", "", 0);
	unlink(a);
	unlink(b);
}

#endif

/* tests/fuzz/harness.h — what the fuzz targets share.
 *
 * The readers end the program on bad data (exit 65), which is right for a
 * tool and fatal for a fuzzer that runs millions of inputs in one process.
 * A harness sets lmrec_set_die_hook(fuzz_die) around each input: a die then
 * longjmps back to the harness, which frees what it holds and goes on. The
 * same harness code is built two ways: by clang with libFuzzer (tests/fuzz/
 * Makefile, `make fuzz`), and by the ordinary compiler into
 * tests/unit/fuzz_replay, which replays the kept corpora in `make check`
 * (LMREC_FUZZ_REPLAY is then defined and no LLVMFuzzerTestOneInput made).
 *
 * What a die leaves behind. A reader that dies half way holds memory, a
 * gzip stream (and its descriptor), a mapping of the file, a CSV parser,
 * none of which its caller can reach: a tool exits there, but a fuzzer
 * would run out of memory and descriptors within a minute, and LeakSanitizer
 * would call every bad input a leak. So both builds are linked with the
 * --wrap options of tests/fuzz/wrap.mk, and fuzz_guarded(fn, arg) runs one
 * input with every malloc, calloc, realloc, gzdopen, mmap and csv_init it
 * makes recorded (jansson's allocations go through the same wraps): when
 * fn returns the record is dropped (what fn kept is the harness's to free,
 * and a leak there is LeakSanitizer's to report); when it dies, everything
 * still recorded is released. Outside a guard the wraps only pass the calls
 * on. Inside a guard, fn must not grow anything made before it (its new
 * block would be freed by a die) nor call lmrec_out_open (the temp-file
 * list keeps its node). */
#ifndef LMREC_FUZZ_HARNESS_H
#define LMREC_FUZZ_HARNESS_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <csv.h>
#include <jansson.h>
#include <zlib.h>

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

/* The status of the last die (0: none since fuzz_guarded began). */
static inline int *fuzz_status(void)
{
	static int status;
	return &status;
}

static inline void fuzz_die(int status)
{
	*fuzz_status() = status ? status : 1;
	longjmp(*fuzz_jump_buf(), status ? status : 1);
}

/* ---- scratch files ----
 * One private folder per process under TMPDIR (lmrec-fuzz.XXXXXX); the
 * readers take file names, so an input is written to a file there. */

#define FUZZ_MAX_SCRATCH 16

struct fuzz_scratch_dir {
	char dir[512];
	char path[FUZZ_MAX_SCRATCH][640]; /* made below dir, in order */
	int isdir[FUZZ_MAX_SCRATCH];
	size_t n;
};

static inline struct fuzz_scratch_dir *fuzz_scratch_state(void)
{
	static struct fuzz_scratch_dir s;
	return &s;
}

static inline void fuzz_file_cleanup(void);

/* The path of rel (a file name, or "sub/name") in the scratch folder,
 * registered for fuzz_file_cleanup; dir != 0 makes it a folder. */
static inline const char *fuzz_scratch(const char *rel, int dir)
{
	struct fuzz_scratch_dir *s = fuzz_scratch_state();
	if (!s->dir[0]) {
		const char *t = getenv("TMPDIR");
		int w = snprintf(s->dir, sizeof s->dir, "%s/lmrec-fuzz.XXXXXX", t && *t ? t : "/tmp");
		if (w < 0 || (size_t)w >= sizeof s->dir || !mkdtemp(s->dir)) {
			perror(s->dir);
			abort();
		}
		/* the real path, as /proc/self/fd shows it (fuzz_close_scratch_fds) */
		char link[64], real[sizeof s->dir];
		int fd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
		ssize_t n = fd >= 0 ? readlink(link, real, sizeof real - 1) : -1;
		if (n > 0) {
			real[n] = '\0';
			memcpy(s->dir, real, (size_t)n + 1);
		}
		if (fd >= 0)
			close(fd);
		atexit(fuzz_file_cleanup); /* libFuzzer ends with exit() */
	}
	char want[640];
	int w = snprintf(want, sizeof want, "%s/%s", s->dir, rel);
	FUZZ_ASSERT(w > 0 && (size_t)w < sizeof want);
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->path[i], want) == 0)
			return s->path[i];
	FUZZ_ASSERT(s->n < FUZZ_MAX_SCRATCH);
	memcpy(s->path[s->n], want, sizeof want);
	s->isdir[s->n] = dir;
	if (dir && mkdir(want, 0700) != 0 && errno != EEXIST) {
		perror(want);
		abort();
	}
	return s->path[s->n++];
}

/* Writes size bytes to path (made anew). */
static inline void fuzz_write(const char *path, const void *data, size_t size)
{
	FILE *fp = fopen(path, "wb");
	if (!fp || (size && fwrite(data, 1, size, fp) != size) || fclose(fp) != 0) {
		perror(path);
		abort();
	}
}

/* The scratch file of tag holding the bytes of the current input. */
static inline const char *fuzz_file(const char *tag, const void *data, size_t size)
{
	const char *path = fuzz_scratch(tag, 0);
	fuzz_write(path, data, size);
	return path;
}

/* Removes the scratch folder and all it holds (at exit, and the replay
 * driver calls it at the end). */
static inline void fuzz_file_cleanup(void)
{
	struct fuzz_scratch_dir *s = fuzz_scratch_state();
	if (!s->dir[0])
		return;
	for (size_t i = s->n; i-- > 0;)
		if (s->isdir[i])
			rmdir(s->path[i]);
		else
			unlink(s->path[i]);
	rmdir(s->dir);
	s->dir[0] = '\0';
	s->n = 0;
}

/* Closes every descriptor still open on a scratch file; returns how many.
 * After a die that is what the dying reader left open; after a normal
 * return it must be none. */
static inline size_t fuzz_close_scratch_fds(void)
{
	const char *dir = fuzz_scratch_state()->dir;
	size_t dl = strlen(dir), closed = 0;
	if (!dl)
		return 0;
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return 0;
	int self = dirfd(d), fds[64];
	size_t nfd = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL && nfd < 64) {
		int fd = atoi(e->d_name);
		if (e->d_name[0] < '0' || e->d_name[0] > '9' || fd == self || fd <= 2)
			continue;
		char link[64], target[700];
		snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
		ssize_t n = readlink(link, target, sizeof target - 1);
		if (n > 0 && (size_t)n > dl && strncmp(target, dir, dl) == 0 && target[dl] == '/')
			fds[nfd++] = fd;
	}
	closedir(d);
	for (size_t i = 0; i < nfd; i++)
		if (close(fds[i]) == 0)
			closed++;
	return closed;
}

/* ---- what a die leaves behind (see the top of this file) ---- */

#define FUZZ_MAX_HANDLES 16

struct fuzz_held {
	int on;                         /* recording */
	void **slot;                    /* (cap) live blocks: open addressing, NULL = empty */
	size_t cap, n;
	gzFile gz[FUZZ_MAX_HANDLES];    /* (ngz) open gzip streams */
	size_t ngz;
	void *map[FUZZ_MAX_HANDLES];    /* (nmap) mappings, their lengths in maplen */
	size_t maplen[FUZZ_MAX_HANDLES], nmap;
	struct csv_parser *csv[FUZZ_MAX_HANDLES]; /* (ncsv) live CSV parsers */
	size_t ncsv;
};

static inline struct fuzz_held *fuzz_held(void)
{
	static struct fuzz_held h;
	return &h;
}

/* The real calls, as the linker's --wrap names them. */
/* NOLINTBEGIN(bugprone-reserved-identifier): names the linker's --wrap fixes */
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
gzFile __real_gzdopen(int fd, const char *mode);
int __real_gzclose(gzFile gz);
int __real_gzclose_r(gzFile gz);
void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int __real_munmap(void *addr, size_t len);
int __real_csv_init(struct csv_parser *p, unsigned char options);
void __real_csv_free(struct csv_parser *p);
/* NOLINTEND(bugprone-reserved-identifier) */

static inline size_t fuzz_held_hash(const void *p, size_t cap)
{
	uint64_t x = (uint64_t)(uintptr_t)p;
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)x & (cap - 1);
}

static inline void fuzz_held_add(struct fuzz_held *h, void *p)
{
	if (2 * (h->n + 1) > h->cap) {
		size_t ncap = h->cap ? 2 * h->cap : 1024;
		void **ns = __real_calloc(ncap, sizeof *ns);
		FUZZ_ASSERT(ns != NULL);
		for (size_t i = 0; i < h->cap; i++)
			if (h->slot[i]) {
				size_t j = fuzz_held_hash(h->slot[i], ncap);
				while (ns[j])
					j = (j + 1) & (ncap - 1);
				ns[j] = h->slot[i];
			}
		__real_free(h->slot);
		h->slot = ns;
		h->cap = ncap;
	}
	size_t j = fuzz_held_hash(p, h->cap);
	while (h->slot[j])
		j = (j + 1) & (h->cap - 1);
	h->slot[j] = p;
	h->n++;
}

/* Forgets p; returns 1 when it was recorded. */
static inline int fuzz_held_del(struct fuzz_held *h, void *p)
{
	if (!h->n)
		return 0;
	size_t mask = h->cap - 1, i = fuzz_held_hash(p, h->cap);
	while (h->slot[i] && h->slot[i] != p)
		i = (i + 1) & mask;
	if (!h->slot[i])
		return 0;
	h->slot[i] = NULL;
	h->n--;
	/* backward-shift deletion: no tombstones */
	for (size_t j = (i + 1) & mask; h->slot[j]; j = (j + 1) & mask) {
		size_t k = fuzz_held_hash(h->slot[j], h->cap);
		int stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
		if (!stays) {
			h->slot[i] = h->slot[j];
			h->slot[j] = NULL;
			i = j;
		}
	}
	return 1;
}

/* fn returned: what it made is the harness's now. */
static inline void fuzz_held_forget(struct fuzz_held *h)
{
	if (h->n)
		memset(h->slot, 0, h->cap * sizeof *h->slot);
	h->n = h->ngz = h->nmap = h->ncsv = 0;
}

/* fn died: release all it left, parsers and streams before the memory that
 * holds them. */
static inline void fuzz_held_release(struct fuzz_held *h)
{
	for (size_t i = 0; i < h->ncsv; i++)
		__real_csv_free(h->csv[i]);
	for (size_t i = 0; i < h->ngz; i++)
		__real_gzclose(h->gz[i]);
	for (size_t i = 0; i < h->nmap; i++)
		__real_munmap(h->map[i], h->maplen[i]);
	for (size_t i = 0; i < h->cap && h->n; i++)
		if (h->slot[i])
			__real_free(h->slot[i]);
	fuzz_held_forget(h);
}

/* NOLINTBEGIN(bugprone-reserved-identifier) */
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);
gzFile __wrap_gzdopen(int fd, const char *mode);
int __wrap_gzclose(gzFile gz);
int __wrap_gzclose_r(gzFile gz);
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int __wrap_munmap(void *addr, size_t len);
int __wrap_csv_init(struct csv_parser *p, unsigned char options);
void __wrap_csv_free(struct csv_parser *p);

void *__wrap_malloc(size_t n)
{
	void *p = __real_malloc(n);
	if (p && fuzz_held()->on)
		fuzz_held_add(fuzz_held(), p);
	return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
	void *p = __real_calloc(n, size);
	if (p && fuzz_held()->on)
		fuzz_held_add(fuzz_held(), p);
	return p;
}

void *__wrap_realloc(void *p, size_t n)
{
	struct fuzz_held *h = fuzz_held();
	if (!h->on && !h->n)
		return __real_realloc(p, n);
	int was = p && fuzz_held_del(h, p);
	void *q = __real_realloc(p, n);
	if (!q) {
		if (was)
			fuzz_held_add(h, p); /* p lives on */
		return NULL;
	}
	if (was || h->on)
		fuzz_held_add(h, q);
	return q;
}

void __wrap_free(void *p)
{
	if (p)
		fuzz_held_del(fuzz_held(), p);
	__real_free(p);
}

gzFile __wrap_gzdopen(int fd, const char *mode)
{
	gzFile gz = __real_gzdopen(fd, mode);
	struct fuzz_held *h = fuzz_held();
	if (gz && h->on) {
		FUZZ_ASSERT(h->ngz < FUZZ_MAX_HANDLES);
		h->gz[h->ngz++] = gz;
	}
	return gz;
}

static inline void fuzz_held_gz_del(gzFile gz)
{
	struct fuzz_held *h = fuzz_held();
	for (size_t i = 0; i < h->ngz; i++)
		if (h->gz[i] == gz) {
			h->gz[i] = h->gz[--h->ngz];
			break;
		}
}

int __wrap_gzclose(gzFile gz)
{
	fuzz_held_gz_del(gz);
	return __real_gzclose(gz);
}

int __wrap_gzclose_r(gzFile gz)
{
	fuzz_held_gz_del(gz);
	return __real_gzclose_r(gz);
}

void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *p = __real_mmap(addr, len, prot, flags, fd, off);
	struct fuzz_held *h = fuzz_held();
	if (p != MAP_FAILED && h->on) {
		FUZZ_ASSERT(h->nmap < FUZZ_MAX_HANDLES);
		h->map[h->nmap] = p;
		h->maplen[h->nmap++] = len;
	}
	return p;
}

int __wrap_munmap(void *addr, size_t len)
{
	struct fuzz_held *h = fuzz_held();
	for (size_t i = 0; i < h->nmap; i++)
		if (h->map[i] == addr) {
			h->map[i] = h->map[h->nmap - 1];
			h->maplen[i] = h->maplen[--h->nmap];
			break;
		}
	return __real_munmap(addr, len);
}

int __wrap_csv_init(struct csv_parser *p, unsigned char options)
{
	int rc = __real_csv_init(p, options);
	struct fuzz_held *h = fuzz_held();
	if (rc == 0 && h->on) {
		FUZZ_ASSERT(h->ncsv < FUZZ_MAX_HANDLES);
		h->csv[h->ncsv++] = p;
	}
	return rc;
}

void __wrap_csv_free(struct csv_parser *p)
{
	struct fuzz_held *h = fuzz_held();
	for (size_t i = 0; i < h->ncsv; i++)
		if (h->csv[i] == p) {
			h->csv[i] = h->csv[--h->ncsv];
			break;
		}
	__real_csv_free(p);
}
/* NOLINTEND(bugprone-reserved-identifier) */

/* jansson allocates through these: the wraps above see its blocks too. */
static inline void *fuzz_json_malloc(size_t n) { return malloc(n); }
static inline void fuzz_json_free(void *p) { free(p); }

/* Runs fn(arg) with the die hook set and what it makes recorded (see the
 * top of this file). Returns 0 when fn returned; else the status of its
 * die, after everything fn left was released (memory, gzip streams,
 * mappings, CSV parsers, descriptors on scratch files). */
static inline int fuzz_guarded(void (*fn)(void *), void *arg)
{
	json_set_alloc_funcs(fuzz_json_malloc, fuzz_json_free);
	*fuzz_status() = 0;
	lmrec_set_die_hook(fuzz_die);
	fuzz_held()->on = 1;
	if (setjmp(*fuzz_jump_buf()) == 0) {
		fn(arg);
		fuzz_held()->on = 0;
		fuzz_held_forget(fuzz_held());
	} else {
		fuzz_held()->on = 0;
		fuzz_held_release(fuzz_held());
		fuzz_close_scratch_fds();
	}
	lmrec_set_die_hook(NULL);
	return *fuzz_status();
}

/* The status of a die on bad input data: 65, never a run-time failure (1)
 * or a usage error (2). */
#define FUZZ_ASSERT_DATA_DIE(status) FUZZ_ASSERT((status) == 0 || (status) == LMREC_EXIT_DATA)

#endif

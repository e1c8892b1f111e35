/* lmrec — outputs published together; see outset.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outset.h"
#include "util.h"

struct member {
	char *path;   /* the target; NULL for standard output */
	char *staged; /* the staging file; NULL when written in place */
	struct lmrec_out *out;
};

struct lmrec_outset {
	struct member *m; /* (n, cap) in the order added */
	size_t n, cap;
};

struct lmrec_outset *lmrec_outset_new(void) { return lmrec_xcalloc(1, sizeof(struct lmrec_outset)); }

/* A new empty file "DIR/.staged-PID-N-NAME" beside path, registered for
 * removal. */
static char *make_staged(const char *path)
{
	const char *slash = strrchr(path, '/');
	int dirlen = slash ? (int)(slash - path) + 1 : 0;
	for (unsigned n = 0; n < 10000; n++) {
		char *s = lmrec_xasprintf("%.*s.staged-%ld-%u-%s", dirlen, path, (long)getpid(), n,
					  path + dirlen);
		lmrec_signals_hold();
		int fd = open(s, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		int saved = errno;
		if (fd >= 0)
			lmrec_temp_register(s);
		lmrec_signals_release();
		if (fd >= 0) {
			close(fd);
			return s;
		}
		errno = saved;
		if (errno != EEXIST)
			lmrec_die(LMREC_EXIT_FAIL, "%s: cannot create a staging file beside it:", path);
		free(s);
	}
	lmrec_die(LMREC_EXIT_FAIL, "%s: cannot create a staging file beside it (all names taken)", path);
}

struct lmrec_out *lmrec_outset_add(struct lmrec_outset *s, const char *path)
{
	LMREC_GROW(s->m, s->cap, s->n + 1);
	struct member *m = &s->m[s->n++];
	memset(m, 0, sizeof *m);
	struct stat st;
	if (!path || strcmp(path, "-") == 0) {
		m->out = lmrec_out_open(NULL);
	} else if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		m->out = lmrec_out_open(path); /* a device or a pipe: in place (a folder dies) */
	} else {
		m->path = lmrec_xstrdup(path);
		m->staged = make_staged(path);
		m->out = lmrec_out_open(m->staged);
	}
	return m->out;
}

void lmrec_outset_commit(struct lmrec_outset *s)
{
	for (size_t k = 0; k < s->n; k++)
		if (s->m[k].staged)
			lmrec_out_commit(s->m[k].out);
	for (size_t k = 0; k < s->n; k++)
		if (!s->m[k].staged)
			lmrec_out_commit(s->m[k].out);
	/* the renames as one: a signal waits until they are all done */
	lmrec_signals_hold();
	for (size_t k = 0; k < s->n; k++) {
		struct member *m = &s->m[k];
		if (!m->staged)
			continue;
		if (rename(m->staged, m->path) != 0)
			lmrec_die(LMREC_EXIT_FAIL, "%s: rename into place:", m->path);
		lmrec_temp_forget(m->staged);
	}
	lmrec_signals_release();
	for (size_t k = 0; k < s->n; k++) {
		free(s->m[k].path);
		free(s->m[k].staged);
	}
	free(s->m);
	free(s);
}

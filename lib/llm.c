/* lmrec — the external language model of --llm-cmd (llm.h).
 *
 * One child, /bin/sh -c CMD, in a process group of its own, with two pipes.
 * Our ends are non-blocking and every wait is a poll() against the
 * request's deadline on the monotonic clock, so no model can hold a tool
 * longer than the timeout: not by never answering, not by never reading a
 * long request (we keep reading its output while we write, so neither side
 * can block the other), not by an endless line. SIGPIPE is blocked around
 * each write and a pending one taken back, so a model that dies only shows
 * up as EPIPE. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "llm.h"
#include "utf8.h"
#include "util.h"

/* Bytes a single read or write moves at most. */
#define CHUNK ((size_t)1 << 16)
/* How long a model that closed its output gets to exit on its own. */
#define EXIT_WAIT_MS 100

struct lmrec_llm {
	char *cmd;     /* for messages */
	int timeout_ms;
	pid_t pid;     /* 0 once stopped */
	int to_fd;     /* its standard input, -1 once closed */
	int from_fd;   /* its standard output, -1 once closed */
	char *buf;     /* bytes read and not yet taken: the start of answers */
	size_t len, cap;
	size_t scanned; /* buf[0..scanned) holds no newline */
	int quiet;
	int warned_garbage;
	int last_answered; /* the last request returned an answer */
	struct lmrec_llm_stats st;
};

enum outcome { GOT_LINE, TOO_LONG, TIMED_OUT, GONE_EOF, GONE_EPIPE };

static int64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* poll()'s timeout until deadline (ns, monotonic), rounded up; -1 for no
 * deadline (deadline < 0); 0 once it has passed. */
static int poll_ms(int64_t deadline)
{
	if (deadline < 0)
		return -1;
	int64_t left = deadline - now_ns();
	if (left <= 0)
		return 0;
	int64_t ms = (left + 999999) / 1000000;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

static void sleep_ms(int ms)
{
	struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000};
	while (nanosleep(&t, &t) != 0 && errno == EINTR)
		;
}

/* A pipe whose two ends are above standard error (so the child's dup2 onto
 * 0 and 1 cannot clobber them, even when the tool runs with those closed)
 * and close-on-exec. */
static void make_pipe(int fd[2])
{
	if (pipe(fd) != 0)
		lmrec_die(LMREC_EXIT_FAIL, "llm: pipe:");
	for (int i = 0; i < 2; i++) {
		if (fd[i] > STDERR_FILENO) {
			if (fcntl(fd[i], F_SETFD, FD_CLOEXEC) != 0)
				lmrec_die(LMREC_EXIT_FAIL, "llm: fcntl:");
			continue;
		}
		int up = fcntl(fd[i], F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
		if (up < 0)
			lmrec_die(LMREC_EXIT_FAIL, "llm: fcntl:");
		close(fd[i]);
		fd[i] = up;
	}
}

static void set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0)
		lmrec_die(LMREC_EXIT_FAIL, "llm: fcntl:");
}

/* The descriptors above standard error open now, read from /proc/self/fd
 * (none where there is no such directory): the child closes them, so the
 * model holds none of the tool's files, locks or pipes. */
static int *open_fds(size_t *n)
{
	int *fds = NULL;
	size_t cap = 0;
	*n = 0;
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return NULL;
	int self = dirfd(d);
	struct dirent *e;
	while ((e = readdir(d))) {
		int64_t fd;
		if (lmrec_parse_i64(e->d_name, strlen(e->d_name), &fd) != 0 ||
		    fd <= STDERR_FILENO || fd == self || fd > INT_MAX)
			continue;
		LMREC_GROW(fds, cap, *n + 1);
		fds[(*n)++] = (int)fd;
	}
	closedir(d);
	return fds;
}

/* In the child, between fork and exec: async-signal-safe calls only. The
 * signals the tool catches go back to their default before the mask that
 * kept them out since the fork is lifted; SIGPIPE is default for the model
 * whatever we inherited. */
static void exec_child(const char *cmd, int in[2], int out[2], const int *fds, size_t nfds,
		       const sigset_t *mask)
{
	static const int reset[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE};
	struct sigaction dfl;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	for (size_t i = 0; i < sizeof reset / sizeof reset[0]; i++) {
		struct sigaction cur;
		if (sigaction(reset[i], NULL, &cur) == 0 &&
		    (reset[i] == SIGPIPE || cur.sa_handler != SIG_IGN))
			sigaction(reset[i], &dfl, NULL);
	}
	setpgid(0, 0);
	if (dup2(in[0], STDIN_FILENO) < 0 || dup2(out[1], STDOUT_FILENO) < 0)
		_exit(127);
	for (size_t i = 0; i < nfds; i++)
		close(fds[i]); /* our pipes' ends among them: 0 and 1 are copies */
	pthread_sigmask(SIG_SETMASK, mask, NULL);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

struct lmrec_llm *lmrec_llm_start(const char *cmd, int timeout_ms)
{
	int in[2], out[2]; /* in: we write, it reads; out: it writes, we read */
	make_pipe(in);
	make_pipe(out);
	size_t nfds;
	int *fds = open_fds(&nfds);
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pid_t pid = fork();
	if (pid == 0)
		exec_child(cmd, in, out, fds, nfds, &old);
	int fork_errno = errno;
	free(fds);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (pid < 0) {
		errno = fork_errno;
		lmrec_die(LMREC_EXIT_FAIL, "llm: fork:");
	}
	/* also here, so the group exists before anyone signals it (EACCES once
	 * the child has exec'd: it did it itself) */
	setpgid(pid, pid);
	close(in[0]);
	close(out[1]);
	set_nonblock(in[1]);
	set_nonblock(out[0]);

	struct lmrec_llm *m = lmrec_xcalloc(1, sizeof *m);
	m->cmd = lmrec_xstrdup(cmd);
	m->timeout_ms = timeout_ms;
	m->pid = pid;
	m->to_fd = in[1];
	m->from_fd = out[0];
	return m;
}

/* write() that cannot raise SIGPIPE: the signal is blocked in this thread
 * for the call, and one it raised is taken back before the mask returns
 * (one already pending before the call is left alone). */
static ssize_t write_nosigpipe(int fd, const char *p, size_t n)
{
	sigset_t pipe_set, old, pending;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	int was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
	ssize_t w = write(fd, p, n);
	int saved = errno;
	if (w < 0 && saved == EPIPE && !was_pending) {
		struct timespec zero = {0, 0};
		while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
			;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = saved;
	return w;
}

/* Has the buffer a whole line? Sets *eol to its newline. */
static int have_line(struct lmrec_llm *m, size_t *eol)
{
	char *nl = m->scanned < m->len ? memchr(m->buf + m->scanned, '\n', m->len - m->scanned) : NULL;
	if (!nl) {
		m->scanned = m->len;
		return 0;
	}
	*eol = (size_t)(nl - m->buf);
	return 1;
}

/* Drops buf[0..n) (a line and its newline). */
static void take(struct lmrec_llm *m, size_t n)
{
	memmove(m->buf, m->buf + n, m->len - n);
	m->len -= n;
	m->scanned = 0;
}

/* One read of what the model wrote: 1 some bytes, 0 nothing yet, -1 end of
 * file. While dropping an over-long line, bytes up to its newline are
 * dropped as they come; *dropping turns 0 when the newline came. */
static int read_some(struct lmrec_llm *m, int *dropping)
{
	LMREC_GROW(m->buf, m->cap, m->len + CHUNK);
	ssize_t got = read(m->from_fd, m->buf + m->len, CHUNK);
	if (got < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		return -1; /* EIO and the like: the model is as good as gone */
	}
	if (got == 0)
		return -1;
	if (*dropping) {
		char *nl = memchr(m->buf + m->len, '\n', (size_t)got);
		if (!nl)
			return 1; /* nothing kept */
		size_t keep = (size_t)got - (size_t)(nl + 1 - (m->buf + m->len));
		memmove(m->buf, nl + 1, keep);
		m->len = keep;
		m->scanned = 0;
		*dropping = 0;
		return 1;
	}
	m->len += (size_t)got;
	return 1;
}

/* Writes w[0..wlen) and reads until a whole line is there, both before the
 * deadline; the line is then buf[0..*eol). The two go on together: a model
 * that answers before it has read all of a long request is still read, and
 * one that never reads cannot block us past the deadline. */
static enum outcome exchange(struct lmrec_llm *m, const char *w, size_t wlen, int64_t deadline,
			     size_t *eol)
{
	size_t off = 0;
	int line = 0, too_long = 0, dropping = 0;
	for (;;) {
		if (!line && !too_long) {
			if (have_line(m, eol)) {
				if (*eol <= LMREC_LLM_MAX_ANSWER) {
					line = 1;
				} else {
					take(m, *eol + 1);
					too_long = 1;
				}
			} else if (m->len > LMREC_LLM_MAX_ANSWER) {
				m->len = m->scanned = 0;
				too_long = dropping = 1;
			}
		}
		int answered = line || (too_long && !dropping);
		if (answered && off == wlen)
			return line ? GOT_LINE : TOO_LONG;
		int ms = poll_ms(deadline);
		if (ms == 0)
			return TIMED_OUT;
		/* p[0] while the answer is still coming, p[1] while the
		 * request is still going */
		struct pollfd p[2] = {{m->from_fd, POLLIN, 0}, {m->to_fd, POLLOUT, 0}};
		struct pollfd *first = answered ? &p[1] : &p[0];
		nfds_t n = (nfds_t)!answered + (off < wlen);
		int r = poll(first, n, ms);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			lmrec_die(LMREC_EXIT_FAIL, "llm: poll:");
		}
		if (off < wlen && p[1].revents) {
			size_t todo = wlen - off < CHUNK ? wlen - off : CHUNK;
			ssize_t put = write_nosigpipe(m->to_fd, w + off, todo);
			if (put > 0)
				off += (size_t)put;
			else if (put < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
				 errno != EINTR)
				return GONE_EPIPE;
		}
		if (!answered && p[0].revents && read_some(m, &dropping) < 0)
			return GONE_EOF;
	}
}

/* Kills what is left of the model's process group, reaps the command, and
 * closes our ends. *status is the command's wait status; *own is 1 when it
 * had exited before we killed anything. waited_ms: how long to give it to
 * exit on its own first. */
static void stop(struct lmrec_llm *m, int waited_ms, int *status, int *own)
{
	*own = 0;
	for (int t = 0;; t += 10) {
		siginfo_t si;
		memset(&si, 0, sizeof si);
		/* WNOWAIT: the command stays a zombie, so its pid (the group's
		 * id) cannot be reused before the group is killed below */
		if (waitid(P_PID, (id_t)m->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
		    si.si_pid == m->pid) {
			*own = 1;
			break;
		}
		if (t >= waited_ms)
			break;
		sleep_ms(10);
	}
	kill(-m->pid, SIGKILL);
	kill(m->pid, SIGKILL); /* in case it left the group */
	while (waitpid(m->pid, status, 0) < 0 && errno == EINTR)
		;
	m->pid = 0;
	if (m->to_fd >= 0)
		close(m->to_fd);
	if (m->from_fd >= 0)
		close(m->from_fd);
	m->to_fd = m->from_fd = -1;
	free(m->buf);
	m->buf = NULL;
	m->len = m->cap = m->scanned = 0;
}

static void describe_exit(char *s, size_t n, int status)
{
	if (WIFEXITED(status))
		snprintf(s, n, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(s, n, "was killed by signal %d", WTERMSIG(status));
	else
		snprintf(s, n, "ended");
}

static void warn_stop(const struct lmrec_llm *m, size_t req, const char *what)
{
	if (!m->quiet)
		lmrec_warn("llm: request %zu: %s; '%s' is stopped, later requests fall back", req,
			   what, m->cmd);
}

/* The first bytes of a line, for a message: control bytes become '?'. */
static void excerpt(char *dst, size_t n, const char *p, size_t len)
{
	size_t k = 0;
	for (; k < len && k + 4 < n; k++)
		dst[k] = (char)((unsigned char)p[k] < 0x20 || p[k] == 0x7f ? '?' : p[k]);
	if (k < len && k + 3 < n) {
		memcpy(dst + k, "...", 3);
		k += 3;
	}
	dst[k] = '\0';
}

static void warn_garbage(struct lmrec_llm *m, size_t req, const char *what, const char *line,
			 size_t len)
{
	if (m->quiet || m->warned_garbage)
		return;
	m->warned_garbage = 1;
	char ex[64];
	excerpt(ex, sizeof ex, line, len);
	if (line)
		lmrec_warn("llm: request %zu: %s: '%s' (later bad answers are only counted)", req,
			   what, ex);
	else
		lmrec_warn("llm: request %zu: %s (later bad answers are only counted)", req, what);
}

json_t *lmrec_llm_ask(struct lmrec_llm *m, json_t *request)
{
	size_t req = ++m->st.asked;
	m->last_answered = 0;
	if (!m->pid) {
		m->st.skipped++;
		return NULL;
	}
	if (!json_is_object(request))
		lmrec_die(LMREC_EXIT_FAIL, "llm: a request must be a JSON object");
	char *s = json_dumps(request, JSON_COMPACT);
	if (!s)
		lmrec_die(LMREC_EXIT_FAIL, "llm: cannot encode request %zu", req);
	char *w = lmrec_xasprintf("%s\n", s); /* one line */
	size_t slen = strlen(s);
	free(s);

	int64_t deadline = m->timeout_ms > 0 ? now_ns() + (int64_t)m->timeout_ms * 1000000 : -1;
	size_t eol = 0;
	enum outcome o = exchange(m, w, slen + 1, deadline, &eol);
	free(w);

	int status, own;
	char what[160], how[64];
	switch (o) {
	case GOT_LINE: {
		json_error_t err;
		json_t *a = json_loadb(m->buf, eol, JSON_REJECT_DUPLICATES, &err);
		if (json_is_object(a)) {
			take(m, eol + 1);
			m->st.answered++;
			m->last_answered = 1;
			return a;
		}
		json_decref(a);
		m->st.garbage++;
		warn_garbage(m, req, "the answer is not a JSON object", m->buf, eol);
		take(m, eol + 1);
		return NULL;
	}
	case TOO_LONG:
		m->st.garbage++;
		snprintf(what, sizeof what, "the answer is longer than %zu bytes",
			 LMREC_LLM_MAX_ANSWER);
		warn_garbage(m, req, what, NULL, 0);
		return NULL;
	case TIMED_OUT:
		m->st.timeout++;
		stop(m, 0, &status, &own);
		snprintf(what, sizeof what, "no answer within %d ms", m->timeout_ms);
		warn_stop(m, req, what);
		return NULL;
	case GONE_EOF:
	case GONE_EPIPE:
		m->st.died++;
		stop(m, EXIT_WAIT_MS, &status, &own);
		if (own) {
			describe_exit(how, sizeof how, status);
			snprintf(what, sizeof what, "the model %s", how);
		} else {
			snprintf(what, sizeof what, "the model %s",
				 o == GONE_EOF ? "closed its output" : "stopped reading its input");
		}
		warn_stop(m, req, what);
		return NULL;
	}
	return NULL;
}

void lmrec_llm_stats(const struct lmrec_llm *m, struct lmrec_llm_stats *s) { *s = m->st; }

void lmrec_llm_reject(struct lmrec_llm *m)
{
	if (!m->last_answered)
		return;
	m->last_answered = 0;
	m->st.answered--;
	m->st.garbage++;
}

void lmrec_llm_set_quiet(struct lmrec_llm *m, int quiet) { m->quiet = quiet; }

void lmrec_llm_report(const struct lmrec_llm *m)
{
	if (!m)
		return;
	const struct lmrec_llm_stats *s = &m->st;
	fprintf(stderr, "%s: llm: %zu asked, %zu answered", lmrec_progname(), s->asked,
		s->answered);
	if (s->timeout)
		fprintf(stderr, ", %zu timeout%s", s->timeout, s->timeout == 1 ? "" : "s");
	if (s->died)
		fprintf(stderr, ", %zu died", s->died);
	if (s->garbage)
		fprintf(stderr, ", %zu garbage", s->garbage);
	if (s->skipped)
		fprintf(stderr, ", %zu skipped", s->skipped);
	size_t fell = s->asked - s->answered;
	fprintf(stderr, "; fell back %zu time%s\n", fell, fell == 1 ? "" : "s");
}

/* Waits up to ms for the command to exit, reading and dropping what it
 * writes meanwhile (a model blocked on a full pipe would never exit).
 * Returns 1 when it has exited (it is left unreaped). */
static int wait_exit(struct lmrec_llm *m, int ms)
{
	int64_t deadline = now_ns() + (int64_t)ms * 1000000;
	for (;;) {
		siginfo_t si;
		memset(&si, 0, sizeof si);
		if (waitid(P_PID, (id_t)m->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
		    si.si_pid == m->pid)
			return 1;
		int left = poll_ms(deadline);
		if (left == 0)
			return 0;
		if (m->from_fd < 0) {
			sleep_ms(left < 10 ? left : 10);
			continue;
		}
		struct pollfd p = {m->from_fd, POLLIN, 0};
		if (poll(&p, 1, left < 10 ? left : 10) > 0) {
			char sink[4096];
			ssize_t got = read(m->from_fd, sink, sizeof sink);
			if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) {
				close(m->from_fd);
				m->from_fd = -1;
			}
		}
	}
}

void lmrec_llm_close(struct lmrec_llm *m)
{
	if (!m)
		return;
	if (m->pid) {
		close(m->to_fd);
		m->to_fd = -1;
		if (!wait_exit(m, LMREC_LLM_GRACE_MS)) {
			kill(-m->pid, SIGTERM);
			kill(m->pid, SIGTERM);
			wait_exit(m, LMREC_LLM_GRACE_MS);
		}
		int status, own;
		stop(m, 0, &status, &own);
	}
	free(m->buf);
	free(m->cmd);
	free(m);
}

/* ---- requests and answers ---- */

static json_t *need(json_t *v)
{
	if (!v)
		lmrec_die(LMREC_EXIT_FAIL, "llm: out of memory");
	return v;
}

static void put(json_t *obj, const char *key, json_t *v)
{
	if (json_object_set_new(obj, key, need(v)) != 0)
		lmrec_die(LMREC_EXIT_FAIL, "llm: out of memory");
}

static void push(json_t *arr, json_t *v)
{
	if (json_array_append_new(arr, need(v)) != 0)
		lmrec_die(LMREC_EXIT_FAIL, "llm: out of memory");
}

json_t *lmrec_llm_string(const char *s, size_t len)
{
	size_t bad;
	if (lmrec_utf8_valid(s, len, &bad))
		return need(json_stringn(s, len));
	/* every invalid byte becomes U+FFFD (3 bytes) */
	char *t = lmrec_xmalloc(3 * len + 1);
	size_t n = 0;
	while (len) {
		if (lmrec_utf8_valid(s, len, &bad))
			bad = len;
		memcpy(t + n, s, bad);
		n += bad;
		if (bad == len)
			break;
		static const char replacement[3] = {'\xef', '\xbf', '\xbd'}; /* U+FFFD */
		memcpy(t + n, replacement, sizeof replacement);
		n += sizeof replacement;
		s += bad + 1;
		len -= bad + 1;
	}
	json_t *v = need(json_stringn(t, n));
	free(t);
	return v;
}

static json_t *str_or_null(const char *s)
{
	return s ? lmrec_llm_string(s, strlen(s)) : json_null();
}

static json_t *strings(const char *const *v, size_t n)
{
	json_t *a = need(json_array());
	for (size_t i = 0; i < n; i++)
		push(a, lmrec_llm_string(v[i], strlen(v[i])));
	return a;
}

static json_t *task(const char *name)
{
	json_t *r = need(json_object());
	put(r, "task", json_string(name));
	return r;
}

json_t *lmrec_llm_parse_request(const char *session, long long turn, const char *text,
				const struct lmrec_llm_parse *state, const char *asked)
{
	json_t *r = task("parse");
	put(r, "session", str_or_null(session));
	put(r, "turn", json_integer(turn));
	put(r, "text", lmrec_llm_string(text, strlen(text)));
	json_t *ctx = need(json_object()), *slots = need(json_array());
	for (size_t i = 0; state && i < state->nslots; i++) {
		const struct lmrec_llm_slot *sl = &state->slots[i];
		json_t *o = need(json_object());
		put(o, "key", str_or_null(sl->key));
		put(o, "value", str_or_null(sl->value));
		put(o, "polarity", json_string(sl->polarity == '-' ? "-" : "+"));
		push(slots, o);
	}
	put(ctx, "slots", slots);
	put(ctx, "category", str_or_null(state ? state->category : NULL));
	put(ctx, "scenario", str_or_null(state ? state->scenario : NULL));
	put(ctx, "asked", str_or_null(asked));
	put(r, "context", ctx);
	return r;
}

json_t *lmrec_llm_question_request(const char *key, const char *const *values, size_t nvalues)
{
	json_t *r = task("question");
	put(r, "key", str_or_null(key));
	put(r, "values", strings(values, nvalues));
	return r;
}

json_t *lmrec_llm_summary_request(const char *kind, const struct lmrec_llm_item *items,
				  size_t nitems, const char *const *tastes, size_t ntastes)
{
	json_t *r = task("summary");
	put(r, "kind", str_or_null(kind));
	json_t *a = need(json_array());
	for (size_t i = 0; i < nitems; i++) {
		json_t *o = need(json_object());
		put(o, "item", str_or_null(items[i].item));
		put(o, "title", str_or_null(items[i].title));
		put(o, "attrs", str_or_null(items[i].attrs ? items[i].attrs : ""));
		push(a, o);
	}
	put(r, "items", a);
	put(r, "tastes", strings(tastes, ntastes));
	return r;
}

/* A non-empty JSON string (borrowed), or NULL. */
static const char *nonempty(const json_t *v)
{
	return json_is_string(v) && json_string_length(v) ? json_string_value(v) : NULL;
}

/* An optional string member: 0 with *out the string or NULL (absent, null
 * or ""), -1 when it is something else. */
static int optional_string(const json_t *obj, const char *key, const char **out)
{
	const json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -1;
	*out = nonempty(v);
	return 0;
}

static int fail(struct lmrec_llm_parse *p, const char **why, const char *what)
{
	lmrec_llm_parse_free(p);
	*why = what;
	return -1;
}

int lmrec_llm_read_parse(const json_t *answer, struct lmrec_llm_parse *p, const char **why)
{
	memset(p, 0, sizeof *p);
	const json_t *slots = json_object_get(answer, "slots");
	if (!json_is_array(slots))
		return fail(p, why, "'slots' is not an array");
	size_t n = json_array_size(slots);
	p->slots = lmrec_xcalloc(n ? n : 1, sizeof *p->slots);
	for (size_t i = 0; i < n; i++) {
		const json_t *o = json_array_get(slots, i);
		struct lmrec_llm_slot *sl = &p->slots[p->nslots];
		if (!json_is_object(o))
			return fail(p, why, "a slot is not an object");
		sl->key = nonempty(json_object_get(o, "key"));
		sl->value = nonempty(json_object_get(o, "value"));
		if (!sl->key || !sl->value)
			return fail(p, why, "a slot lacks its 'key' or 'value' string");
		const json_t *pol = json_object_get(o, "polarity");
		const char *ps = json_is_string(pol) ? json_string_value(pol) : NULL;
		if (!pol || json_is_null(pol))
			sl->polarity = '+';
		else if (ps && (strcmp(ps, "+") == 0 || strcmp(ps, "-") == 0))
			sl->polarity = ps[0];
		else
			return fail(p, why, "a slot's 'polarity' is neither \"+\" nor \"-\"");
		p->nslots++;
	}
	const json_t *drop = json_object_get(answer, "drop");
	if (drop && !json_is_null(drop)) {
		if (!json_is_array(drop))
			return fail(p, why, "'drop' is not an array");
		n = json_array_size(drop);
		p->drop = lmrec_xcalloc(n ? n : 1, sizeof *p->drop);
		for (size_t i = 0; i < n; i++)
			if (!(p->drop[p->ndrop++] = nonempty(json_array_get(drop, i))))
				return fail(p, why, "'drop' holds something other than a key");
	}
	if (optional_string(answer, "category", &p->category) != 0)
		return fail(p, why, "'category' is not a string");
	if (optional_string(answer, "scenario", &p->scenario) != 0)
		return fail(p, why, "'scenario' is not a string");
	return 0;
}

void lmrec_llm_parse_free(struct lmrec_llm_parse *p)
{
	if (!p)
		return;
	free(p->slots);
	free(p->drop);
	memset(p, 0, sizeof *p);
}

const char *lmrec_llm_read_text(const json_t *answer)
{
	const char *t = nonempty(json_object_get(answer, "text"));
	if (!t)
		return NULL;
	for (const char *c = t; *c; c++)
		if (*c != ' ' && *c != '\t' && *c != '\n' && *c != '\r')
			return t;
	return NULL;
}

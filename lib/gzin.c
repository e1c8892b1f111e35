/* lmrec — compressed input: gzip (one or more members) or plain, strict. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "gzin.h"
#include "util.h"

/* Where the reading is. */
enum {
	S_START,   /* nothing looked at: gzip or plain is not known yet */
	S_PLAIN,   /* plain: bytes pass through */
	S_MEMBER,  /* inside a gzip member */
	S_BETWEEN, /* a member has ended: what comes next decides */
	S_ZEROS,   /* zero bytes after the last member, to the end or not */
	S_END,     /* all read */
	S_BAD      /* refused: err says why */
};

#define MSG_TRUNCATED "truncated gzip stream (unexpected end of file)"
#define MSG_GARBAGE "corrupt gzip stream (trailing garbage after the last member)"

/* zlib allocates through malloc, checked, and frees through free. */
static voidpf gzin_zalloc(voidpf opaque, uInt items, uInt size)
{
	(void)opaque;
	return lmrec_xreallocarray(NULL, items, size);
}

static void gzin_zfree(voidpf opaque, voidpf p)
{
	(void)opaque;
	free(p);
}

/* read(2) of up to n bytes, EINTR retried: the count, 0 at the end. */
static size_t read_fd(struct lmrec_gzin *g, void *buf, size_t n)
{
	if (n > SSIZE_MAX)
		n = SSIZE_MAX;
	for (;;) {
		ssize_t k = read(g->fd, buf, n);
		if (k >= 0)
			return (size_t)k;
		if (errno != EINTR)
			lmrec_die(LMREC_EXIT_FAIL, "%s: read:", g->name);
	}
}

/* Moves the unused input to the front and reads more after it: the count
 * read, 0 at the end of the file. */
static size_t fill(struct lmrec_gzin *g)
{
	if (g->inpos > 0) {
		memmove(g->in, g->in + g->inpos, g->inlen - g->inpos);
		g->inlen -= g->inpos;
		g->inpos = 0;
	}
	size_t k = read_fd(g, g->in + g->inlen, LMREC_GZIN_CHUNK - g->inlen);
	g->inlen += k;
	return k;
}

static void refuse(struct lmrec_gzin *g, const char *what, const char *detail)
{
	if (detail)
		snprintf(g->err, sizeof g->err, "%s (%s)", what, detail);
	else
		snprintf(g->err, sizeof g->err, "%s", what);
	g->state = S_BAD;
}

static void start_gzip(struct lmrec_gzin *g)
{
	z_stream *z = lmrec_xcalloc(1, sizeof *z);
	z->zalloc = gzin_zalloc;
	z->zfree = gzin_zfree;
	z->opaque = Z_NULL;
	int rc = inflateInit2(z, 15 + 16); /* gzip only, 32 KiB window */
	if (rc != Z_OK) {
		free(z);
		lmrec_die(LMREC_EXIT_FAIL, "%s: cannot start inflating (zlib error %d)", g->name, rc);
	}
	g->z = z;
	g->gzip = 1;
}

/* One step of inflation into out[*got, n): advances *got. */
static void inflate_some(struct lmrec_gzin *g, unsigned char *out, size_t n, size_t *got)
{
	z_stream *z = g->z;
	size_t room = n - *got;
	if (room > UINT_MAX)
		room = UINT_MAX;
	z->next_in = g->in + g->inpos;
	z->avail_in = (uInt)(g->inlen - g->inpos);
	z->next_out = out + *got;
	z->avail_out = (uInt)room;
	int rc = inflate(z, Z_NO_FLUSH);
	size_t used = g->inlen - g->inpos - z->avail_in, made = room - z->avail_out;
	g->inpos += used;
	*got += made;
	switch (rc) {
	case Z_OK:
	case Z_BUF_ERROR:
		/* with input and room, zlib always moves on: if it ever did not,
		 * the loop must not spin */
		if (!used && !made)
			refuse(g, "corrupt gzip stream", "inflate made no progress");
		break;
	case Z_STREAM_END: /* the member's CRC-32 and length are checked */
		g->state = S_BETWEEN;
		break;
	case Z_MEM_ERROR:
		lmrec_die(LMREC_EXIT_FAIL, "%s: out of memory inflating", g->name);
	default: /* Z_DATA_ERROR, Z_NEED_DICT, Z_STREAM_ERROR */
		refuse(g, "corrupt gzip stream", z->msg && *z->msg ? z->msg : "unknown error");
		break;
	}
}

/* The reading itself, without the getc buffer: returns as soon as it holds
 * a byte and would otherwise wait for input. */
static ssize_t pull(struct lmrec_gzin *g, unsigned char *out, size_t n)
{
	size_t got = 0;
	for (;;) {
		if (got == n)
			return (ssize_t)got;
		switch (g->state) {
		case S_START:
			while (g->inlen - g->inpos < 2 && fill(g) > 0)
				;
			if (g->inlen - g->inpos >= 2 && g->in[g->inpos] == 0x1f && g->in[g->inpos + 1] == 0x8b) {
				start_gzip(g);
				g->state = S_MEMBER;
			} else {
				g->state = S_PLAIN;
			}
			break;
		case S_PLAIN: {
			size_t have = g->inlen - g->inpos;
			if (have) {
				size_t k = have < n - got ? have : n - got;
				memcpy(out + got, g->in + g->inpos, k);
				g->inpos += k;
				got += k;
				break;
			}
			if (got)
				return (ssize_t)got;
			size_t k = read_fd(g, out, n); /* straight into the caller's buffer */
			if (k == 0)
				g->state = S_END;
			return (ssize_t)k;
		}
		case S_MEMBER:
			if (g->inpos == g->inlen) {
				if (got)
					return (ssize_t)got;
				if (fill(g) == 0) {
					refuse(g, MSG_TRUNCATED, NULL);
					break;
				}
			}
			inflate_some(g, out, n, &got);
			break;
		case S_BETWEEN:
			if (g->inpos == g->inlen) {
				if (got)
					return (ssize_t)got;
				if (fill(g) == 0) {
					g->state = S_END;
					break;
				}
			}
			if (g->in[g->inpos] == 0x1f) {
				if (g->inlen - g->inpos < 2) {
					if (got)
						return (ssize_t)got;
					if (fill(g) == 0)
						refuse(g, MSG_TRUNCATED, NULL); /* a member cut in its magic */
					break;
				}
				if (g->in[g->inpos + 1] == 0x8b) {
					if (inflateReset(g->z) != Z_OK)
						lmrec_die(LMREC_EXIT_FAIL, "%s: cannot restart inflating", g->name);
					g->state = S_MEMBER;
					break;
				}
				refuse(g, MSG_GARBAGE, NULL);
			} else if (g->in[g->inpos] == 0) {
				g->state = S_ZEROS;
			} else {
				refuse(g, MSG_GARBAGE, NULL);
			}
			break;
		case S_ZEROS:
			while (g->inpos < g->inlen && g->in[g->inpos] == 0)
				g->inpos++;
			if (g->inpos < g->inlen) {
				refuse(g, MSG_GARBAGE, NULL);
				break;
			}
			if (got)
				return (ssize_t)got;
			if (fill(g) == 0)
				g->state = S_END;
			break;
		case S_END:
			return (ssize_t)got;
		default: /* S_BAD: the bytes before the refusal go out first */
			return got ? (ssize_t)got : LMREC_GZIN_BAD;
		}
	}
}

struct lmrec_gzin *lmrec_gzin_open(int fd, const char *name)
{
	struct lmrec_gzin *g = lmrec_xcalloc(1, sizeof *g);
	g->fd = fd;
	g->name = lmrec_xstrdup(name);
	g->state = S_START;
	g->in = lmrec_xmalloc(LMREC_GZIN_CHUNK);
	return g;
}

ssize_t lmrec_gzin_read(struct lmrec_gzin *g, void *buf, size_t n)
{
	if (n == 0)
		return 0;
	if (g->obpos < g->oblen) { /* what getc made and did not hand out */
		size_t k = g->oblen - g->obpos < n ? g->oblen - g->obpos : n;
		memcpy(buf, g->ob + g->obpos, k);
		g->obpos += k;
		return (ssize_t)k;
	}
	return pull(g, buf, n);
}

int lmrec_gzin_getc_more(struct lmrec_gzin *g)
{
	if (g->obpos < g->oblen)
		return g->ob[g->obpos++];
	if (!g->ob)
		g->ob = lmrec_xmalloc(LMREC_GZIN_CHUNK);
	ssize_t k = pull(g, g->ob, LMREC_GZIN_CHUNK);
	g->obpos = g->oblen = 0;
	if (k <= 0)
		return k == 0 ? LMREC_GZIN_EOF : LMREC_GZIN_BAD;
	g->oblen = (size_t)k;
	return g->ob[g->obpos++];
}

const char *lmrec_gzin_error(const struct lmrec_gzin *g) { return g->err[0] ? g->err : NULL; }

int lmrec_gzin_is_gzip(const struct lmrec_gzin *g) { return g->gzip; }

int lmrec_gzin_close(struct lmrec_gzin *g)
{
	if (!g)
		return 0;
	if (g->z) {
		inflateEnd(g->z);
		free(g->z);
	}
	int rc = close(g->fd);
	int saved = errno;
	free(g->ob);
	free(g->in);
	free(g->name);
	free(g);
	if (rc != 0 && saved != EINTR) { /* after EINTR the descriptor is closed on Linux */
		errno = saved;
		return -1;
	}
	return 0;
}

/* lmrec — compressed input: a byte source over a file descriptor that is
 * either gzip (one or more members) or plain text, read strictly.
 *
 * The first two bytes decide: 1f 8b is gzip, anything else (an empty file
 * included) is passed through unchanged. A gzip input is inflated member
 * after member (`cat a.gz b.gz` reads as a then b, empty members too).
 * After a member may come another member, the end of the file, or zero
 * bytes up to the end (tar pads its blocks so; GNU gzip accepts them too).
 * Anything else is refused, where zlib's gzread would skip it silently:
 * bytes that are not a member after a member ("trailing garbage"), a
 * stream cut short, a damaged deflate stream, CRC-32 or length. A refusal
 * is a data error: the read returns LMREC_GZIN_BAD after every byte that
 * came before it was handed out, and lmrec_gzin_error gives the message,
 * which the caller prints with its own context (file and line, exit 65).
 * Bytes are handed out as they are inflated, and a member's CRC-32 and
 * length come at its end: the bytes before a refusal may be damaged ones,
 * so a caller commits nothing before the end (as lmrec_out lets it).
 * The messages:
 *   truncated gzip stream (unexpected end of file)
 *   corrupt gzip stream (<zlib's message, e.g. "incorrect data check">)
 *   corrupt gzip stream (trailing garbage after the last member)
 * A read(2) failure is a run-time failure: it dies (exit 1) with
 * "<name>: read: <strerror>"; EINTR is retried. Running out of memory dies
 * (exit 1) as lmrec_xmalloc does.
 *
 * The input is read in blocks of LMREC_GZIN_CHUNK with read(2): a read
 * returns what is at hand (at least one byte) rather than waiting to fill
 * the caller's buffer, so an interactive pipe is not held up. zlib's
 * allocations go through lmrec_xreallocarray and free (not zlib's own
 * malloc), so that every block the source holds is one the program's
 * allocator sees (the fuzz harnesses release them after a die). */
#ifndef LMREC_GZIN_H
#define LMREC_GZIN_H

#include <stddef.h>
#include <sys/types.h>

#define LMREC_GZIN_CHUNK ((size_t)256 * 1024)

/* The result of lmrec_gzin_getc at the end of the input and on bad data
 * (lmrec_gzin_read gives 0 and LMREC_GZIN_BAD). */
enum { LMREC_GZIN_EOF = -1, LMREC_GZIN_BAD = -2 };

struct lmrec_gzin {
	int fd;                /* the input, owned: lmrec_gzin_close closes it */
	char *name;            /* for messages (a copy) */
	int state;             /* where the reading is (gzin.c) */
	int gzip;              /* 1 when the input is gzip, once known */
	char err[128];         /* the message of a refusal, "" until one */
	void *z;               /* z_stream, made when the input is gzip */
	unsigned char *in;     /* (LMREC_GZIN_CHUNK) bytes read, not yet used */
	size_t inpos, inlen;   /* [inpos, inlen) of in is still to use */
	unsigned char *ob;     /* (LMREC_GZIN_CHUNK) bytes made for getc, NULL until then */
	size_t obpos, oblen;   /* [obpos, oblen) of ob is still to hand out */
};

/* Takes fd (open for reading; it is closed by lmrec_gzin_close, even when
 * nothing was read); name is the one for messages ("<stdin>"). Reads
 * nothing yet. */
struct lmrec_gzin *lmrec_gzin_open(int fd, const char *name);
/* Reads up to n bytes into buf: the count (at least 1), 0 at the end
 * of the input, or LMREC_GZIN_BAD on bad data (and again on every later
 * call). n = 0 reads nothing and gives 0. Dies (exit 1) on a read error. */
ssize_t lmrec_gzin_read(struct lmrec_gzin *g, void *buf, size_t n);
/* The next byte (0-255), LMREC_GZIN_EOF at the end, LMREC_GZIN_BAD on bad
 * data; may be mixed with lmrec_gzin_read. */
int lmrec_gzin_getc_more(struct lmrec_gzin *g);
static inline int lmrec_gzin_getc(struct lmrec_gzin *g)
{
	return g->obpos < g->oblen ? g->ob[g->obpos++] : lmrec_gzin_getc_more(g);
}
/* The message of the refusal met, or NULL. */
const char *lmrec_gzin_error(const struct lmrec_gzin *g);
/* 1 when the input is gzip, 0 when plain (known after the first read). */
int lmrec_gzin_is_gzip(const struct lmrec_gzin *g);
/* Frees g and closes its descriptor: 0, or -1 with errno set when close(2)
 * failed. Nothing more is read: the rest of an input not read to its end
 * is not checked. NULL is allowed. */
int lmrec_gzin_close(struct lmrec_gzin *g);

#endif

/* lmrec — the profile store (profile.h; the format is lmrec-profile(5)). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "ids.h"
#include "profile.h"
#include "tsv.h"
#include "util.h"

#define REC_USER 0x55u   /* 'U' */
#define REC_COMMIT 0x43u /* 'C' */
#define REC_OVERHEAD 9u  /* u32 len, u8 type, ..., u32 crc */
#define COMMIT_LEN 40u
#define ENTRY_MIN 22u    /* u8 kind, u32 keylen, >= 1 key byte, f64 w, i64 ts */

static const char *const kind_names[LMREC_PK_N] = {"category", "attr", "domain", "habit",
						   "blocked"};

const char *lmrec_profile_kind_name(unsigned kind)
{
	return kind < LMREC_PK_N ? kind_names[kind] : "?";
}

/* zlib's crc32 takes uInt lengths: larger buffers go in pieces. */
static uint32_t crc_buf(uint32_t crc, const unsigned char *p, size_t n)
{
	while (n > 0) {
		size_t k = n > (1u << 30) ? (1u << 30) : n;
		crc = (uint32_t)crc32(crc, p, (uInt)k);
		p += k;
		n -= k;
	}
	return crc;
}

static uint64_t f64_bits(double d)
{
	uint64_t u;
	memcpy(&u, &d, sizeof u);
	return u;
}

static double bits_f64(uint64_t u)
{
	double d;
	memcpy(&d, &u, sizeof d);
	return d;
}

struct lmrec_profile *lmrec_profile_new(double half_life)
{
	struct lmrec_profile *p = lmrec_xcalloc(1, sizeof *p);
	p->half_life = half_life;
	p->ids = lmrec_ids_new();
	return p;
}

static void user_clear(struct lmrec_profile_user *u)
{
	for (size_t i = 0; i < u->n; i++)
		free(u->e[i].key);
	free(u->e);
	u->e = NULL;
	u->n = u->cap = 0;
}

void lmrec_profile_free(struct lmrec_profile *p)
{
	if (!p)
		return;
	size_t n = p->ids ? lmrec_ids_count(p->ids) : 0;
	for (size_t i = 0; i < n; i++)
		user_clear(&p->u[i]);
	free(p->u);
	lmrec_ids_free(p->ids);
	lmrec_ids_free(p->keys);
	free(p->q);
	free(p);
}

int64_t lmrec_profile_find(const struct lmrec_profile *p, const char *id, size_t len)
{
	return lmrec_ids_find(p->ids, id, len);
}

uint32_t lmrec_profile_user(struct lmrec_profile *p, const char *id, size_t len)
{
	size_t before = lmrec_ids_count(p->ids);
	uint32_t i = lmrec_ids_intern(p->ids, id, len);
	if (i >= before) {
		LMREC_GROW(p->u, p->ucap, (size_t)i + 1);
		memset(&p->u[i], 0, sizeof p->u[i]);
	}
	p->u[i].live = 1;
	return i;
}

double lmrec_profile_decay(const struct lmrec_profile *p, unsigned kind, double w, int64_t from,
			   int64_t to)
{
	if (kind == LMREC_PK_BLOCKED || to <= from)
		return w;
	return w * exp2(-((double)to - (double)from) / (p->half_life * 86400.0));
}

/* ---- reading ---- */

struct parse {
	const unsigned char *b;
	size_t len;
	const char *name;
	char *err;
	size_t errlen;
};

static int bad(struct parse *s, uint64_t off, const char *fmt, ...) LMREC_PRINTF(3, 4);
static int bad(struct parse *s, uint64_t off, const char *fmt, ...)
{
	if (s->errlen == 0)
		return -1;
	int k = snprintf(s->err, s->errlen, "%s: byte %llu: ", s->name, (unsigned long long)off);
	if (k >= 0 && (size_t)k < s->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(s->err + k, s->errlen - (size_t)k, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* An id or key: not empty, no raw TAB, LF, CR or NUL, valid escapes. */
static int valid_text(const unsigned char *p, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] == '\t' || p[i] == '\n' || p[i] == '\r' || p[i] == '\0')
			return 0;
	return lmrec_tsv_check_escapes((const char *)p, n) < 0;
}

static int key_cmp(unsigned ka, const char *a, size_t na, unsigned kb, const char *b, size_t nb)
{
	if (ka != kb)
		return ka < kb ? -1 : 1;
	int c = memcmp(a, b, na < nb ? na : nb);
	if (c)
		return c;
	return na < nb ? -1 : na > nb;
}

/* Parses the user record whose payload is b[off, end); the user's state is
 * replaced. In the snapshot a user may appear once. */
static int parse_user(struct parse *s, struct lmrec_profile *p, size_t off, size_t end,
		      int in_snapshot)
{
	const unsigned char *b = s->b;
	if (end - off < 4)
		return bad(s, off, "user record cut short");
	uint32_t idlen = lmrec_get_le32(b + off);
	off += 4;
	if (idlen > end - off || end - off - idlen < 12)
		return bad(s, off - 4, "user id length %lu runs past its record", (unsigned long)idlen);
	if (!valid_text(b + off, idlen))
		return bad(s, off, "user id is empty or not in escaped TSV form");
	const char *id = (const char *)b + off;
	size_t idoff = off;
	off += idlen;
	int64_t updated = (int64_t)lmrec_get_le64(b + off);
	uint32_t n = lmrec_get_le32(b + off + 8);
	off += 12;
	if ((uint64_t)n * ENTRY_MIN > end - off)
		return bad(s, off - 4, "entry count %lu runs past its record", (unsigned long)n);
	int64_t had = lmrec_profile_find(p, id, idlen);
	if (had >= 0 && in_snapshot)
		return bad(s, idoff, "user '%.*s' appears twice in the snapshot",
			   idlen > 64 ? 64 : (int)idlen, id);
	uint32_t ui = lmrec_profile_user(p, id, idlen);
	struct lmrec_profile_user *u = &p->u[ui];
	user_clear(u);
	u->updated = updated;
	u->e = lmrec_xcalloc(n ? n : 1, sizeof *u->e);
	u->cap = n ? n : 1;
	for (uint32_t i = 0; i < n; i++) {
		size_t eoff = off;
		if (end - off < 5)
			return bad(s, eoff, "entry cut short");
		unsigned kind = b[off];
		uint32_t kl = lmrec_get_le32(b + off + 1);
		off += 5;
		if (kind >= LMREC_PK_N)
			return bad(s, eoff, "unknown entry kind %u", kind);
		if (kl > end - off || end - off - kl < 16)
			return bad(s, eoff + 1, "key length %lu runs past its record", (unsigned long)kl);
		if (!valid_text(b + off, kl))
			return bad(s, off, "key is empty or not in escaped TSV form");
		const char *key = (const char *)b + off;
		off += kl;
		double w = bits_f64(lmrec_get_le64(b + off));
		int64_t ts = (int64_t)lmrec_get_le64(b + off + 8);
		if (!isfinite(w))
			return bad(s, off, "weight is not a finite number");
		if (kind == LMREC_PK_BLOCKED && w != 1.0)
			return bad(s, off, "a blocked entry's weight is not 1");
		off += 16;
		if (u->n > 0) {
			const struct lmrec_profile_entry *q = &u->e[u->n - 1];
			if (key_cmp(q->kind, q->key, q->keylen, kind, key, kl) >= 0)
				return bad(s, eoff, "entries out of order or repeated");
		}
		struct lmrec_profile_entry *e = &u->e[u->n++];
		e->key = lmrec_xstrndup(key, kl);
		e->keylen = kl;
		e->kind = (uint8_t)kind;
		e->w = w;
		e->ts = ts;
	}
	if (off != end)
		return bad(s, off, "%llu stray bytes at the end of a user record",
			   (unsigned long long)(end - off));
	return 0;
}

int lmrec_profile_parse(const unsigned char *b, size_t len, const char *name,
			struct lmrec_profile **out, char *err, size_t errlen)
{
	struct parse s = {b, len, name, err, errlen};
	*out = NULL;
	if (len < LMREC_PROFILE_HEADER)
		return bad(&s, 0, "%zu bytes, too short for a profile store header", len);
	if (memcmp(b, LMREC_PROFILE_MAGIC, 8) != 0)
		return bad(&s, 0, "bad magic: not an lmrec profile store");
	uint32_t version = lmrec_get_le32(b + 8);
	if (version > LMREC_PROFILE_VERSION)
		return bad(&s, 8, "format version %lu is newer than this lmrec reads (%u)",
			   (unsigned long)version, LMREC_PROFILE_VERSION);
	if (version == 0)
		return bad(&s, 8, "format version 0 does not exist");
	if (lmrec_get_le32(b + 60) != crc_buf(0, b, 60))
		return bad(&s, 60, "header checksum mismatch");
	if (lmrec_get_le32(b + 12) != LMREC_PROFILE_HEADER)
		return bad(&s, 12, "header size %lu, expected %u",
			   (unsigned long)lmrec_get_le32(b + 12), LMREC_PROFILE_HEADER);
	double hl = bits_f64(lmrec_get_le64(b + 16));
	if (!isfinite(hl) || hl <= 0)
		return bad(&s, 16, "half-life is not a positive number");
	uint64_t committed = lmrec_get_le64(b + 24);
	uint64_t hrecords = lmrec_get_le64(b + 32);
	uint64_t hseq = lmrec_get_le64(b + 40);
	if (lmrec_get_le32(b + 48) != 0)
		return bad(&s, 48, "unknown flags 0x%lx", (unsigned long)lmrec_get_le32(b + 48));
	if (committed > len)
		return bad(&s, 24, "committed length %llu is beyond the file's %zu bytes: the file "
			   "was cut", (unsigned long long)committed, len);
	if (committed < LMREC_PROFILE_HEADER + REC_OVERHEAD + COMMIT_LEN)
		return bad(&s, 24, "committed length %llu leaves no room for a snapshot",
			   (unsigned long long)committed);

	struct lmrec_profile *p = lmrec_profile_new(hl);
	size_t off = LMREC_PROFILE_HEADER, batch_start = off;
	uint64_t records = 0, in_batch = 0, commits = 0, seq = 0;
	int rc = 0;
	while (off < committed) {
		size_t room = committed - off;
		if (room < REC_OVERHEAD) {
			rc = bad(&s, off, "record cut short at the committed end");
			break;
		}
		uint32_t rl = lmrec_get_le32(b + off);
		unsigned type = b[off + 4];
		if (rl > room - REC_OVERHEAD) {
			rc = bad(&s, off, "record length %lu runs past the committed end",
				 (unsigned long)rl);
			break;
		}
		size_t end = off + 5 + rl;
		if (lmrec_get_le32(b + end) != crc_buf(0, b + off, 5 + (size_t)rl)) {
			rc = bad(&s, off, "record checksum mismatch");
			break;
		}
		if (type == REC_USER) {
			rc = parse_user(&s, p, off + 5, end, commits == 0);
			if (rc)
				break;
			in_batch++;
		} else if (type == REC_COMMIT) {
			if (rl != COMMIT_LEN) {
				rc = bad(&s, off, "commit record of %lu bytes, expected %u",
					 (unsigned long)rl, COMMIT_LEN);
				break;
			}
			const unsigned char *c = b + off + 5;
			uint64_t cseq = lmrec_get_le64(c);
			if (commits > 0 && cseq != seq + 1) {
				rc = bad(&s, off + 5, "batch number %llu after %llu",
					 (unsigned long long)cseq, (unsigned long long)seq);
				break;
			}
			if (lmrec_get_le32(c + 8) != in_batch) {
				rc = bad(&s, off + 13, "commit counts %lu records, the batch has %llu",
					 (unsigned long)lmrec_get_le32(c + 8),
					 (unsigned long long)in_batch);
				break;
			}
			if (lmrec_get_le32(c + 36) != crc_buf(0, b + batch_start, off - batch_start)) {
				rc = bad(&s, off + 41, "batch checksum mismatch");
				break;
			}
			seq = cseq;
			p->inter_mark = (int64_t)lmrec_get_le64(c + 12);
			p->feedback_mark = (int64_t)lmrec_get_le64(c + 20);
			p->now = (int64_t)lmrec_get_le64(c + 28);
			if (commits == 0)
				p->snapshot_end = end + 4;
			commits++;
			in_batch = 0;
			batch_start = end + 4;
		} else {
			rc = bad(&s, off + 4, "unknown record type 0x%02x", type);
			break;
		}
		records++;
		off = end + 4;
	}
	if (rc == 0 && batch_start != committed)
		rc = bad(&s, batch_start, "the last committed batch has no commit record");
	if (rc == 0 && records != hrecords)
		rc = bad(&s, 32, "the header counts %llu records, the file has %llu",
			 (unsigned long long)hrecords, (unsigned long long)records);
	if (rc == 0 && seq != hseq)
		rc = bad(&s, 40, "the header's batch number %llu is not the last commit's %llu",
			 (unsigned long long)hseq, (unsigned long long)seq);
	if (rc) {
		lmrec_profile_free(p);
		return -1;
	}
	p->seq = seq;
	p->saved_inter = p->inter_mark;
	p->saved_feedback = p->feedback_mark;
	p->file_size = len;
	p->committed = committed;
	p->records = records;
	p->batches = commits;
	*out = p;
	return 0;
}

int lmrec_profile_read(const char *path, struct lmrec_profile **out, char *err, size_t errlen)
{
	*out = NULL;
	int fd = open(path, O_RDONLY);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) != 0) {
		int e = errno;
		snprintf(err, errlen, "%s: open: %s", path, strerror(e));
		if (fd >= 0)
			close(fd);
		errno = e;
		return -2;
	}
	if (!S_ISREG(sb.st_mode)) {
		close(fd);
		snprintf(err, errlen, "%s: byte 0: not a regular file", path);
		return -1;
	}
	size_t cap = (size_t)sb.st_size + 1, n = 0;
	unsigned char *b = lmrec_xmalloc(cap);
	for (;;) {
		if (n == cap)
			b = lmrec_xreallocarray(b, cap *= 2, 1);
		ssize_t k = read(fd, b + n, cap - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			int e = errno;
			snprintf(err, errlen, "%s: read: %s", path, strerror(e));
			free(b);
			close(fd);
			errno = e;
			return -2;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	close(fd);
	int rc = lmrec_profile_parse(b, n, path, out, err, errlen);
	free(b);
	return rc;
}

/* ---- changes ---- */

void lmrec_profile_add(struct lmrec_profile *p, uint32_t user, unsigned kind, const char *key,
		       size_t klen, int64_t ts, double d)
{
	if (!p->keys)
		p->keys = lmrec_ids_new();
	/* the key as one string: the kind's byte, then the key, so that byte
	 * order is the entries' order (kind, then key) */
	char small[128];
	char *k = klen + 1 <= sizeof small ? small : lmrec_xmalloc(klen + 1);
	k[0] = (char)('0' + kind);
	memcpy(k + 1, key, klen);
	uint32_t ki = lmrec_ids_intern(p->keys, k, klen + 1);
	if (k != small)
		free(k);
	LMREC_GROW(p->q, p->qcap, p->nq + 1);
	/* seq only breaks ties within one (user, key, ts): its low 32 bits keep
	 * the arrival order there unless 2^32 changes come between two of them */
	p->q[p->nq] = (struct lmrec_profile_delta){user, ki, 0, (uint32_t)p->nq, ts, d};
	p->nq++;
}

static int delta_cmp(const void *a, const void *b)
{
	const struct lmrec_profile_delta *x = a, *y = b;
	if (x->user != y->user)
		return x->user < y->user ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Folds one change into an entry (w as of ts). */
static void fold(const struct lmrec_profile *p, struct lmrec_profile_entry *e, int64_t ts, double d)
{
	if (e->kind == LMREC_PK_BLOCKED) {
		e->w = 1.0;
		if (ts > e->ts)
			e->ts = ts;
		return;
	}
	if (ts >= e->ts) {
		e->w = lmrec_profile_decay(p, e->kind, e->w, e->ts, ts) + d;
		e->ts = ts;
	} else {
		e->w += lmrec_profile_decay(p, e->kind, d, ts, e->ts);
	}
}

static void prune_user(const struct lmrec_profile *p, struct lmrec_profile_user *u, int64_t now,
		       double prune)
{
	size_t k = 0;
	for (size_t i = 0; i < u->n; i++) {
		struct lmrec_profile_entry *e = &u->e[i];
		if (e->kind != LMREC_PK_BLOCKED &&
		    fabs(lmrec_profile_decay(p, e->kind, e->w, e->ts, now)) < prune) {
			free(e->key);
			continue;
		}
		u->e[k++] = *e;
	}
	u->n = k;
}

size_t lmrec_profile_apply(struct lmrec_profile *p, int64_t now, double prune)
{
	if (p->nq == 0) {
		lmrec_ids_free(p->keys);
		p->keys = NULL;
		return 0;
	}
	uint32_t *sorted = lmrec_ids_sorted(p->keys);
	size_t nk = lmrec_ids_count(p->keys);
	uint32_t *rank = lmrec_xmalloc(nk * sizeof *rank);
	for (size_t i = 0; i < nk; i++)
		rank[sorted[i]] = (uint32_t)i;
	free(sorted);
	struct lmrec_profile_delta *q = p->q;
	for (size_t i = 0; i < p->nq; i++)
		q[i].rank = rank[q[i].key];
	free(rank);
	qsort(q, p->nq, sizeof *q, delta_cmp);

	size_t touched = 0;
	for (size_t i = 0; i < p->nq;) {
		uint32_t ui = q[i].user;
		size_t j = i;
		while (j < p->nq && q[j].user == ui)
			j++;
		struct lmrec_profile_user *u = &p->u[ui];
		/* merge the old entries with the group's keys, both in order */
		size_t cap = u->n + (j - i), n = 0, a = 0;
		struct lmrec_profile_entry *m = lmrec_xmalloc(cap * sizeof *m);
		size_t g = i;
		while (a < u->n || g < j) {
			int c;
			size_t kl = 0;
			const char *ks = NULL;
			if (g < j) {
				ks = lmrec_ids_str(p->keys, q[g].key, &kl);
			}
			if (a >= u->n)
				c = 1;
			else if (g >= j)
				c = -1;
			else
				c = key_cmp(u->e[a].kind, u->e[a].key, u->e[a].keylen,
					    (unsigned)(ks[0] - '0'), ks + 1, kl - 1);
			if (c < 0) {
				m[n++] = u->e[a++];
				continue;
			}
			struct lmrec_profile_entry e;
			if (c == 0) {
				e = u->e[a++];
			} else {
				e.kind = (uint8_t)(ks[0] - '0');
				e.key = lmrec_xstrndup(ks + 1, kl - 1);
				e.keylen = (uint32_t)(kl - 1);
				e.w = 0;
				e.ts = q[g].ts;
			}
			uint32_t key = q[g].key;
			for (; g < j && q[g].key == key; g++)
				fold(p, &e, q[g].ts, q[g].d);
			m[n++] = e;
		}
		free(u->e);
		u->e = m;
		u->n = n;
		u->cap = cap;
		u->updated = now;
		u->dirty = 1;
		u->live = 1;
		prune_user(p, u, now, prune);
		touched++;
		i = j;
	}
	free(p->q);
	p->q = NULL;
	p->nq = p->qcap = 0;
	lmrec_ids_free(p->keys);
	p->keys = NULL;
	if (now > p->now)
		p->now = now;
	return touched;
}

void lmrec_profile_prune_all(struct lmrec_profile *p, int64_t now, double prune)
{
	size_t n = lmrec_ids_count(p->ids);
	for (size_t i = 0; i < n; i++)
		if (p->u[i].live)
			prune_user(p, &p->u[i], now, prune);
}

int lmrec_profile_forget(struct lmrec_profile *p, const char *id, size_t len)
{
	int64_t i = lmrec_profile_find(p, id, len);
	if (i < 0 || !p->u[i].live)
		return 0;
	user_clear(&p->u[i]);
	p->u[i].live = 0;
	p->u[i].dirty = 0;
	p->forgotten++;
	return 1;
}

void lmrec_profile_counts(const struct lmrec_profile *p, size_t *users, size_t *entries)
{
	size_t n = lmrec_ids_count(p->ids), nu = 0, ne = 0;
	for (size_t i = 0; i < n; i++)
		if (p->u[i].live) {
			nu++;
			ne += p->u[i].n;
		}
	*users = nu;
	*entries = ne;
}

/* ---- writing ---- */

struct buf {
	unsigned char *p;
	size_t n, cap;
};

static unsigned char *buf_room(struct buf *b, size_t k)
{
	if (b->n + k < b->n)
		lmrec_die(LMREC_EXIT_FAIL, "profile store too large");
	LMREC_GROW(b->p, b->cap, b->n + k);
	unsigned char *r = b->p + b->n;
	b->n += k;
	return r;
}

static void put32(struct buf *b, uint32_t v)
{
	lmrec_put_le32(buf_room(b, 4), v);
}

static void put64(struct buf *b, uint64_t v)
{
	lmrec_put_le64(buf_room(b, 8), v);
}

static void put_bytes(struct buf *b, const void *s, size_t n)
{
	if (n)
		memcpy(buf_room(b, n), s, n);
}

static uint32_t len32(size_t n)
{
	if (n > UINT32_MAX - 64)
		lmrec_die(LMREC_EXIT_FAIL, "profile store: a record of %zu bytes is too large", n);
	return (uint32_t)n;
}

/* Closes the record begun at start (its length and type written as 0). */
static void end_record(struct buf *b, size_t start)
{
	lmrec_put_le32(b->p + start, len32(b->n - start - 5));
	put32(b, crc_buf(0, b->p + start, b->n - start));
}

static void put_user(struct buf *b, const struct lmrec_profile *p, uint32_t ui)
{
	const struct lmrec_profile_user *u = &p->u[ui];
	size_t start = b->n, idlen;
	const char *id = lmrec_ids_str(p->ids, ui, &idlen);
	put32(b, 0);
	*buf_room(b, 1) = REC_USER;
	put32(b, len32(idlen));
	put_bytes(b, id, idlen);
	put64(b, (uint64_t)u->updated);
	put32(b, len32(u->n));
	for (size_t i = 0; i < u->n; i++) {
		const struct lmrec_profile_entry *e = &u->e[i];
		*buf_room(b, 1) = e->kind;
		put32(b, e->keylen);
		put_bytes(b, e->key, e->keylen);
		put64(b, f64_bits(e->w));
		put64(b, (uint64_t)e->ts);
	}
	end_record(b, start);
}

static void put_commit(struct buf *b, const struct lmrec_profile *p, uint64_t seq, uint32_t nrec,
		       size_t batch_start)
{
	uint32_t bcrc = crc_buf(0, b->p + batch_start, b->n - batch_start);
	size_t start = b->n;
	put32(b, 0);
	*buf_room(b, 1) = REC_COMMIT;
	put64(b, seq);
	put32(b, nrec);
	put64(b, (uint64_t)p->inter_mark);
	put64(b, (uint64_t)p->feedback_mark);
	put64(b, (uint64_t)p->now);
	put32(b, bcrc);
	end_record(b, start);
}

static void make_header(unsigned char h[LMREC_PROFILE_HEADER], const struct lmrec_profile *p,
			uint64_t committed, uint64_t records, uint64_t seq)
{
	memset(h, 0, LMREC_PROFILE_HEADER);
	static const char magic[8] = LMREC_PROFILE_MAGIC; /* 8 bytes, no NUL */
	memcpy(h, magic, sizeof magic);
	lmrec_put_le32(h + 8, LMREC_PROFILE_VERSION);
	lmrec_put_le32(h + 12, LMREC_PROFILE_HEADER);
	lmrec_put_le64(h + 16, f64_bits(p->half_life));
	lmrec_put_le64(h + 24, committed);
	lmrec_put_le64(h + 32, records);
	lmrec_put_le64(h + 40, seq);
	lmrec_put_le32(h + 60, crc_buf(0, h, 60));
}

/* pwrite of all n bytes at off; the crash hook stops it part way, or, for
 * an atomic write (the header: one pwrite of 64 bytes inside one sector,
 * which a killed process cannot split), before it. */
static void write_all(struct lmrec_profile *p, int fd, const char *name, const unsigned char *b,
		      size_t n, uint64_t off, int atomic)
{
	int crash = 0;
	if (p->crash_after && p->written + n >= p->crash_after) {
		if (atomic && p->written + n > p->crash_after)
			raise(SIGKILL);
		n = (size_t)(p->crash_after - p->written);
		crash = 1;
	}
	while (n > 0) {
		ssize_t k = pwrite(fd, b, n, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			lmrec_die(LMREC_EXIT_FAIL, "%s: write:", name);
		b += k;
		n -= (size_t)k;
		off += (uint64_t)k;
		p->written += (uint64_t)k;
	}
	if (crash)
		raise(SIGKILL);
}

static void sync_fd(int fd, const char *name)
{
	if (fsync(fd) != 0)
		lmrec_die(LMREC_EXIT_FAIL, "%s: fsync:", name);
}

/* The live dirty users (or all live users), in byte order of their ids. */
static uint32_t *users_to_write(const struct lmrec_profile *p, int all, size_t *count)
{
	uint32_t *s = lmrec_ids_sorted(p->ids);
	size_t n = lmrec_ids_count(p->ids), k = 0;
	for (size_t i = 0; i < n; i++)
		if (p->u[s[i]].live && (all || p->u[s[i]].dirty))
			s[k++] = s[i];
	*count = k;
	return s;
}

uint64_t lmrec_profile_append(struct lmrec_profile *p, const char *path)
{
	if (p->forgotten)
		return lmrec_profile_write_snapshot(p, path);
	size_t nu;
	uint32_t *w = users_to_write(p, 0, &nu);
	if (nu == 0 && p->inter_mark == p->saved_inter && p->feedback_mark == p->saved_feedback) {
		free(w);
		return 0;
	}
	struct buf b = {0};
	for (size_t i = 0; i < nu; i++)
		put_user(&b, p, w[i]);
	free(w);
	put_commit(&b, p, p->seq + 1, len32(nu), 0);

	int fd = open(path, O_RDWR);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) != 0)
		lmrec_die(LMREC_EXIT_FAIL, "%s: open:", path);
	if ((uint64_t)sb.st_size < p->committed)
		lmrec_die(LMREC_EXIT_FAIL, "%s: the store shrank while it was updated", path);
	/* a torn batch of a killed update goes first */
	if ((uint64_t)sb.st_size > p->committed && ftruncate(fd, (off_t)p->committed) != 0)
		lmrec_die(LMREC_EXIT_FAIL, "%s: truncate:", path);
	write_all(p, fd, path, b.p, b.n, p->committed, 0);
	sync_fd(fd, path);
	uint64_t committed = p->committed + b.n, records = p->records + nu + 1;
	unsigned char h[LMREC_PROFILE_HEADER];
	make_header(h, p, committed, records, p->seq + 1);
	write_all(p, fd, path, h, sizeof h, 0, 1);
	sync_fd(fd, path);
	if (close(fd) != 0)
		lmrec_die(LMREC_EXIT_FAIL, "%s: close:", path);
	uint64_t batch = b.n;
	free(b.p);
	p->committed = p->file_size = committed;
	p->records = records;
	p->seq++;
	p->batches++;
	p->saved_inter = p->inter_mark;
	p->saved_feedback = p->feedback_mark;
	size_t n = lmrec_ids_count(p->ids);
	for (size_t i = 0; i < n; i++)
		p->u[i].dirty = 0;
	return batch;
}

/* The snapshot of p into b; returns the number of users. */
static size_t encode(const struct lmrec_profile *p, struct buf *b)
{
	size_t nu;
	uint32_t *w = users_to_write(p, 1, &nu);
	buf_room(b, LMREC_PROFILE_HEADER);
	for (size_t i = 0; i < nu; i++)
		put_user(b, p, w[i]);
	free(w);
	put_commit(b, p, p->seq + 1, len32(nu), LMREC_PROFILE_HEADER);
	make_header(b->p, p, b->n, nu + 1, p->seq + 1);
	return nu;
}

unsigned char *lmrec_profile_encode(const struct lmrec_profile *p, size_t *len)
{
	struct buf b = {0};
	encode(p, &b);
	*len = b.n;
	return b.p;
}

uint64_t lmrec_profile_write_snapshot(struct lmrec_profile *p, const char *path)
{
	struct buf b = {0};
	size_t nu = encode(p, &b);

	char *tmp = lmrec_xasprintf("%s.tmp.XXXXXX", path);
	lmrec_signals_hold();
	int fd = mkstemp(tmp);
	int saved = errno;
	if (fd >= 0)
		lmrec_temp_register(tmp);
	lmrec_signals_release();
	errno = saved;
	if (fd < 0)
		lmrec_die(LMREC_EXIT_FAIL, "%s: create:", tmp);
	write_all(p, fd, tmp, b.p, b.n, 0, 0);
	sync_fd(fd, tmp);
	if (close(fd) != 0)
		lmrec_die(LMREC_EXIT_FAIL, "%s: close:", tmp);
	if (rename(tmp, path) != 0)
		lmrec_die(LMREC_EXIT_FAIL, "%s: rename into place:", path);
	lmrec_temp_forget(tmp);
	free(tmp);
	/* the rename itself is made durable by an fsync of the folder */
	char *dir = lmrec_xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	if (dfd < 0 || fsync(dfd) != 0)
		lmrec_die(LMREC_EXIT_FAIL, "%s: fsync of the folder:", dir);
	close(dfd);
	free(dir);

	uint64_t size = b.n;
	free(b.p);
	p->seq++;
	p->committed = p->file_size = p->snapshot_end = size;
	p->records = nu + 1;
	p->batches = 1;
	p->forgotten = 0;
	p->saved_inter = p->inter_mark;
	p->saved_feedback = p->feedback_mark;
	size_t n = lmrec_ids_count(p->ids);
	for (size_t i = 0; i < n; i++)
		p->u[i].dirty = 0;
	return size;
}

int lmrec_profile_forget_users(const char *path, const char *const *ids, const size_t *lens,
			       size_t n, size_t *found, double wait, char *err, size_t errlen)
{
	int lock = lmrec_profile_lock(path, wait);
	struct lmrec_profile *p;
	*found = 0;
	int rc = lmrec_profile_read(path, &p, err, errlen);
	if (rc == 0) {
		for (size_t i = 0; i < n; i++)
			*found += (size_t)lmrec_profile_forget(p, ids[i], lens[i]);
		lmrec_profile_write_snapshot(p, path);
		lmrec_profile_free(p);
	}
	close(lock);
	return rc;
}

/* Removes the temporary files (PATH.tmp.XXXXXX) a killed snapshot left:
 * under the lock no other writer can be making one. */
static void remove_stale_temps(const char *path)
{
	char *dir = lmrec_xstrdup(path);
	char *slash = strrchr(dir, '/');
	const char *base = slash ? slash + 1 : path;
	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	size_t bl = strlen(base);
	DIR *d = opendir(dir);
	if (!d) {
		free(dir);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		const char *n = e->d_name;
		if (strlen(n) != bl + 11 || memcmp(n, base, bl) != 0 || memcmp(n + bl, ".tmp.", 5) != 0)
			continue;
		char *full = slash ? lmrec_xasprintf("%s/%s", dir, n) : lmrec_xstrdup(n);
		if (unlink(full) != 0 && errno != ENOENT)
			lmrec_warn("%s: cannot remove a stale temporary file: %s", full, strerror(errno));
		free(full);
	}
	closedir(d);
	free(dir);
}

int lmrec_profile_lock(const char *path, double wait)
{
	char *lock = lmrec_xasprintf("%s.lock", path);
	int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		lmrec_die(LMREC_EXIT_FAIL, "%s: open:", lock);
	/* Polled rather than a blocking flock under an alarm: no signal
	 * handler, and the wait is bounded whatever the holder does. */
	const struct timespec step = {0, 50000000L}; /* 50 ms */
	long tries = wait > 0 ? (long)(wait * 20.0) : 0;
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK)
			lmrec_die(LMREC_EXIT_FAIL, "%s: lock:", lock);
		if (tries-- <= 0)
			lmrec_die(LMREC_EXIT_LOCK, "%s: another process is updating the store", lock);
		nanosleep(&step, NULL);
	}
	free(lock);
	remove_stale_temps(path);
	return fd;
}

/* Unit tests of lib/gzin.c, the strict byte source (gzip or plain).
 *
 * The reference is the slow, obvious one: the test makes the plain text
 * itself, compresses it member by member with zlib's deflate, and expects
 * those bytes back, all of them; valid inputs are also read through zlib's
 * gzread, which must agree. Inputs are random (seeded): members of every
 * size class (empty, a byte, a few KB, past the 256 KiB read block),
 * deflate levels 0-9, optional header fields, concatenated members,
 * trailing zero bytes; read by reads of random sizes, by getc, and by both
 * mixed, from files and from a pipe written in small pieces. Refusals:
 * trailing garbage of every kind, a cut at every byte offset of a small
 * two-member file, a changed byte at every offset; the bytes before the
 * damage always come out first and whole, never anything else. */
#include <fcntl.h>
#include <signal.h>
#include <time.h>

#include <zlib.h>

#include "check.h"
#include "gzin.h"
#include "rng.h"

#define MSG_TRUNCATED "truncated gzip stream (unexpected end of file)"
#define MSG_GARBAGE "corrupt gzip stream (trailing garbage after the last member)"

/* ---- helpers ---- */

struct buf {
	unsigned char *p; /* (cap) */
	size_t len, cap;
};

static void buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t ncap = b->cap ? b->cap : 4096;
		while (ncap < b->len + n + 1)
			ncap *= 2;
		b->p = lmrec_xreallocarray(b->p, ncap, 1);
		b->cap = ncap;
	}
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void buf_byte(struct buf *b, unsigned char c) { buf_add(b, &c, 1); }

static void buf_fill(struct buf *b, unsigned char c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf_byte(b, c);
}

/* Appends one gzip member of p[0..n) to out. hdr: 0, the plain header
 * deflate writes; else a header with a file name, a comment, an extra
 * field and a header CRC (all skipped by the reader). */
static void gz_member(struct buf *out, const void *p, size_t n, int level, int hdr)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		exit(1);
	unsigned char extra[] = {'l', 'm', 3, 0, 'a', 'b', 'c'};
	gz_header h;
	memset(&h, 0, sizeof h);
	if (hdr) {
		h.name = (Bytef *)"in.tsv";
		h.comment = (Bytef *)"made by the gzin unit test";
		h.extra = extra;
		h.extra_len = sizeof extra;
		h.hcrc = 1;
		h.os = 3;
		if (deflateSetHeader(&z, &h) != Z_OK)
			exit(1);
	}
	size_t bound = deflateBound(&z, (uLong)n) + 128;
	if (out->len + bound + 1 > out->cap) {
		out->cap = out->len + bound + 1;
		out->p = lmrec_xreallocarray(out->p, out->cap, 1);
	}
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	z.next_out = out->p + out->len;
	z.avail_out = (uInt)(out->cap - out->len);
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		exit(1);
	out->len += z.total_out;
	deflateEnd(&z);
}

/* n bytes of text, random in kind: TSV-like lines (compress well), random
 * bytes (do not), long runs of one byte, or a mix. */
static void random_text(struct buf *t, struct lmrec_rng *rng, size_t n)
{
	unsigned kind = (unsigned)lmrec_rng_below(rng, 4);
	size_t end = t->len + n;
	while (t->len < end) {
		size_t left = end - t->len;
		unsigned k = kind == 3 ? (unsigned)lmrec_rng_below(rng, 3) : kind;
		if (k == 0) {
			char line[64];
			int w = snprintf(line, sizeof line, "u%u\ti%u\t%u\t1\n",
					 (unsigned)lmrec_rng_below(rng, 1000), (unsigned)lmrec_rng_below(rng, 5000),
					 (unsigned)lmrec_rng_below(rng, 1u << 30));
			buf_add(t, line, (size_t)w < left ? (size_t)w : left);
		} else if (k == 1) {
			size_t m = 1 + lmrec_rng_below(rng, 4096);
			for (size_t i = 0; i < m && t->len < end; i++)
				buf_byte(t, (unsigned char)lmrec_rng_u64(rng));
		} else {
			size_t m = 1 + lmrec_rng_below(rng, 20000);
			buf_fill(t, (unsigned char)lmrec_rng_u64(rng), m < left ? m : left);
		}
	}
}

/* A size from the classes that matter. */
static size_t random_size(struct lmrec_rng *rng)
{
	switch (lmrec_rng_below(rng, 6)) {
	case 0:
		return 0;
	case 1:
		return 1 + lmrec_rng_below(rng, 2);
	case 2:
		return 3 + lmrec_rng_below(rng, 200);
	case 3:
		return 200 + lmrec_rng_below(rng, 8000);
	case 4:
		return 8000 + lmrec_rng_below(rng, 60000);
	default:
		return LMREC_GZIN_CHUNK - 1000 + lmrec_rng_below(rng, LMREC_GZIN_CHUNK + 2000);
	}
}

/* What a reading gave. */
struct got {
	struct buf out;  /* every byte handed out */
	int bad;         /* it ended in a refusal */
	char err[160];   /* its message */
	int gzip;
};

enum { READ_BIG, READ_RANDOM, READ_GETC, READ_MIXED };

/* Reads g to its end or refusal, as mode says; checks the promises of
 * every call on the way (counts in range, the end and a refusal stay). */
static void read_source(struct lmrec_gzin *g, struct got *r, int mode, struct lmrec_rng *rng)
{
	memset(r, 0, sizeof *r);
	size_t cap = (size_t)1 << 20;
	unsigned char *tmp = lmrec_xmalloc(cap);
	for (;;) {
		int use_getc = mode == READ_GETC || (mode == READ_MIXED && lmrec_rng_below(rng, 2));
		ssize_t k;
		if (use_getc) {
			int c = lmrec_gzin_getc(g);
			CHECK(c >= LMREC_GZIN_BAD && c <= 255);
			if (c >= 0) {
				buf_byte(&r->out, (unsigned char)c);
				continue;
			}
			k = c == LMREC_GZIN_EOF ? 0 : LMREC_GZIN_BAD;
		} else {
			size_t want = mode == READ_BIG ? cap : 1 + lmrec_rng_below(rng, 70000);
			k = lmrec_gzin_read(g, tmp, want);
			CHECK(k == LMREC_GZIN_BAD || (k >= 0 && (size_t)k <= want));
			if (k > 0) {
				buf_add(&r->out, tmp, (size_t)k);
				continue;
			}
		}
		if (k == LMREC_GZIN_BAD) {
			r->bad = 1;
			const char *e = lmrec_gzin_error(g);
			CHECK(e != NULL);
			snprintf(r->err, sizeof r->err, "%s", e ? e : "(none)");
			/* it stays refused, by both calls */
			CHECK_INT(lmrec_gzin_read(g, tmp, 10), LMREC_GZIN_BAD);
			CHECK_INT(lmrec_gzin_getc(g), LMREC_GZIN_BAD);
		} else {
			CHECK(k == 0);
			CHECK(lmrec_gzin_error(g) == NULL);
			/* the end stays the end */
			CHECK_INT(lmrec_gzin_read(g, tmp, 10), 0);
			CHECK_INT(lmrec_gzin_getc(g), LMREC_GZIN_EOF);
		}
		break;
	}
	r->gzip = lmrec_gzin_is_gzip(g);
	free(tmp);
}

static void read_named(const char *name, struct got *r, int mode, struct lmrec_rng *rng)
{
	int fd = open(name, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(name);
		exit(1);
	}
	struct lmrec_gzin *g = lmrec_gzin_open(fd, name);
	read_source(g, r, mode, rng);
	CHECK_INT(lmrec_gzin_close(g), 0);
}

/* Reads the bytes of data (written to a file) and returns what came. */
static void read_bytes(const struct buf *data, struct got *r, int mode, struct lmrec_rng *rng)
{
	check_write("in.gz", data->len ? (const void *)data->p : "", data->len);
	read_named("in.gz", r, mode, rng);
}

/* zlib's gzread over the file: the second reference for valid input. */
static void read_gzread(const char *name, struct buf *out)
{
	gzFile gz = gzopen(name, "rb");
	if (!gz)
		exit(1);
	unsigned char tmp[65536];
	int k;
	while ((k = gzread(gz, tmp, sizeof tmp)) > 0)
		buf_add(out, tmp, (size_t)k);
	CHECK(k == 0);
	CHECK_INT(gzclose(gz), Z_OK);
}

static int is_prefix(const struct buf *a, const struct buf *b)
{
	return a->len <= b->len && (a->len == 0 || memcmp(a->p, b->p, a->len) == 0);
}

/* The same bytes (an empty buffer may have no block at all). */
static int same(const struct buf *a, const struct buf *b) { return a->len == b->len && is_prefix(a, b); }

#define CHECK_SAME(a, b)                                                                           \
	do {                                                                                       \
		if (!same(&(a), &(b)))                                                             \
			check_fail(__FILE__, __LINE__, "%s (%zu bytes) differs from %s (%zu bytes)", \
				   #a, (a).len, #b, (b).len);                                      \
	} while (0)

/* Checks a reading of valid input: every byte of want, no refusal. */
#define CHECK_WHOLE(r, want)                                                                       \
	do {                                                                                       \
		CHECK(!(r).bad);                                                                   \
		if ((r).bad)                                                                       \
			printf("# refused: %s\n", (r).err);                                       \
		CHECK_SAME((r).out, (want));                                                       \
	} while (0)

/* Checks a refusal with message msg, after exactly the bytes of want. */
#define CHECK_REFUSED_AFTER(r, want, msg)                                                          \
	do {                                                                                       \
		CHECK((r).bad);                                                                    \
		CHECK_STR((r).err, (msg));                                                         \
		CHECK_SAME((r).out, (want));                                                       \
	} while (0)

/* ---- plain input ---- */

static void test_plain(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 1);
	struct got r;
	struct buf in = {0};
	/* an empty file: the end at once, plain */
	for (int mode = 0; mode < 4; mode++) {
		read_bytes(&in, &r, mode, &rng);
		CHECK_WHOLE(r, in);
		CHECK(!r.gzip);
		free(r.out.p);
	}
	/* a lone 1f, and 1f then anything but 8b: plain text */
	const char *odd[] = {"\x1f", "\x1f\x8a", "\x1fx\n", "\x8b\x1f", "a"};
	for (size_t i = 0; i < sizeof odd / sizeof *odd; i++) {
		in.len = 0;
		buf_add(&in, odd[i], strlen(odd[i]));
		read_bytes(&in, &r, (int)(i % 4), &rng);
		CHECK_WHOLE(r, in);
		CHECK(!r.gzip);
		free(r.out.p);
	}
	/* random plain texts, past the read block, every read mode; a NUL
	 * byte or anything else passes as it is */
	for (int k = 0; k < 12; k++) {
		in.len = 0;
		random_text(&in, &rng, random_size(&rng));
		if (in.len >= 2 && in.p[0] == 0x1f && in.p[1] == 0x8b)
			in.p[0] = 'x';
		read_bytes(&in, &r, k % 4, &rng);
		CHECK_WHOLE(r, in);
		CHECK(!r.gzip);
		free(r.out.p);
	}
	free(in.p);
}

/* ---- valid gzip ---- */

/* A random valid file: 1 to 5 members (some empty), maybe trailing zeros;
 * text gets the plain bytes. */
static void random_gzip(struct buf *gz, struct buf *text, struct lmrec_rng *rng, int big_ok)
{
	size_t members = 1 + lmrec_rng_below(rng, 5);
	for (size_t m = 0; m < members; m++) {
		size_t start = text->len, n = random_size(rng);
		if (!big_ok && n > 70000)
			n %= 70000;
		random_text(text, rng, n);
		int level = (int)lmrec_rng_below(rng, 10);
		if (n > 70000 && level > 1)
			level = 1; /* keeps the big ones quick under Valgrind */
		gz_member(gz, text->p + start, text->len - start, level, (int)lmrec_rng_below(rng, 3) == 0);
	}
	switch (lmrec_rng_below(rng, 6)) {
	case 0:
		buf_fill(gz, 0, 1);
		break;
	case 1:
		buf_fill(gz, 0, 1 + lmrec_rng_below(rng, 2000));
		break;
	case 2:
		if (big_ok)
			buf_fill(gz, 0, LMREC_GZIN_CHUNK + lmrec_rng_below(rng, 1000));
		break;
	default:
		break;
	}
}

static void test_random_members(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 2);
	int bad = 0;
	for (int k = 0; k < 40; k++) {
		struct buf gz = {0}, text = {0}, ref = {0};
		random_gzip(&gz, &text, &rng, k % 4 == 0);
		struct got r;
		read_bytes(&gz, &r, k % 4, &rng);
		read_gzread("in.gz", &ref);
		if (r.bad || !same(&r.out, &text)) {
			printf("# case %d: %zu bytes in, %zu out of %zu%s%s\n", k, gz.len, r.out.len, text.len,
			       r.bad ? ", refused: " : "", r.bad ? r.err : "");
			bad++;
		}
		CHECK(r.gzip);
		CHECK_SAME(ref, text); /* the references agree */
		free(r.out.p);
		free(gz.p);
		free(text.p);
		free(ref.p);
	}
	CHECK_INT(bad, 0);
}

static void test_empty_members(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 3);
	struct buf gz = {0}, text = {0};
	struct got r;
	/* one empty member: gzip, no bytes */
	gz_member(&gz, "", 0, 6, 0);
	read_bytes(&gz, &r, READ_BIG, &rng);
	CHECK_WHOLE(r, text);
	CHECK(r.gzip);
	free(r.out.p);
	/* empty members only, then with text between them, in every mode */
	gz_member(&gz, "", 0, 0, 1);
	gz_member(&gz, "", 0, 9, 0);
	read_bytes(&gz, &r, READ_GETC, &rng);
	CHECK_WHOLE(r, text);
	free(r.out.p);
	for (int mode = 0; mode < 4; mode++) {
		gz.len = text.len = 0;
		gz_member(&gz, "", 0, 6, 0);
		gz_member(&gz, "a\tb\n", 4, 6, 0);
		gz_member(&gz, "", 0, 6, 0);
		gz_member(&gz, "", 0, 6, 0);
		gz_member(&gz, "c\td\n", 4, 0, 1);
		gz_member(&gz, "", 0, 6, 0);
		buf_add(&text, "a\tb\nc\td\n", 8);
		read_bytes(&gz, &r, mode, &rng);
		CHECK_WHOLE(r, text);
		free(r.out.p);
	}
	free(gz.p);
	free(text.p);
}

/* Trailing zero bytes: none, one, many, more than a read block. */
static void test_trailing_zeros(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 4);
	size_t zeros[] = {0, 1, 2, 511, 512, 10240, LMREC_GZIN_CHUNK - 30, LMREC_GZIN_CHUNK * 2 + 7};
	for (size_t i = 0; i < sizeof zeros / sizeof *zeros; i++) {
		struct buf gz = {0}, text = {0};
		random_text(&text, &rng, 3000);
		gz_member(&gz, text.p, text.len, 6, 0);
		buf_fill(&gz, 0, zeros[i]);
		struct got r;
		read_bytes(&gz, &r, (int)(i % 4), &rng);
		CHECK_WHOLE(r, text);
		free(r.out.p);
		/* zeros then anything else: garbage, after the whole text */
		buf_byte(&gz, 'x');
		read_bytes(&gz, &r, (int)((i + 1) % 4), &rng);
		CHECK_REFUSED_AFTER(r, text, MSG_GARBAGE);
		free(r.out.p);
		free(gz.p);
		free(text.p);
	}
}

/* ---- refusals ---- */

static void test_trailing_garbage(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 5);
	/* what may follow a member and is not one: plain text (cat good.gz
	 * junk), one byte, a magic cut after its first byte but not at the
	 * end, a zlib stream (not gzip), the magic's bytes swapped, a member
	 * behind junk */
	struct buf zlib_stream = {0};
	{
		uLongf n = compressBound(5);
		zlib_stream.p = lmrec_xmalloc(n + 1);
		if (compress(zlib_stream.p, &n, (const Bytef *)"hello", 5) != Z_OK)
			exit(1);
		zlib_stream.len = n;
	}
	struct buf member_after = {0};
	buf_add(&member_after, "junk", 4);
	gz_member(&member_after, "more\n", 5, 6, 0);
	struct {
		const void *p;
		size_t n;
	} tails[] = {
		{"junk\n", 5},
		{"\n", 1},
		{"\x01", 1},
		{"\xff", 1},
		{"\x1fx", 2},
		{"\x1f\x00", 2},
		{"\x8b\x1f", 2},
		{"\x1f\x8c\x08\x00", 4},
		{zlib_stream.p, zlib_stream.len},
		{member_after.p, member_after.len},
		{"user\titem\nu9\ti9\n", 16},
	};
	for (size_t i = 0; i < sizeof tails / sizeof *tails; i++)
		for (int members = 1; members <= 3; members++) {
			struct buf gz = {0}, text = {0};
			for (int m = 0; m < members; m++) {
				size_t start = text.len;
				random_text(&text, &rng, m == 1 ? 0 : 1 + lmrec_rng_below(&rng, 5000));
				gz_member(&gz, text.p + start, text.len - start, 6, m == 2);
			}
			buf_add(&gz, tails[i].p, tails[i].n);
			struct got r;
			read_bytes(&gz, &r, (int)((i + (size_t)members) % 4), &rng);
			CHECK_REFUSED_AFTER(r, text, MSG_GARBAGE);
			CHECK(r.gzip);
			if (!r.bad || r.out.len != text.len)
				printf("# tail %zu after %d members\n", i, members);
			free(r.out.p);
			/* gzread takes the same file as whole: the gap this closes */
			struct buf ref = {0};
			read_gzread("in.gz", &ref);
			CHECK_SAME(ref, text);
			free(ref.p);
			free(gz.p);
			free(text.p);
		}
	/* a lone 1f at the end: a second member cut in its magic */
	struct buf gz = {0}, text = {0};
	buf_add(&text, "a\n", 2);
	gz_member(&gz, "a\n", 2, 6, 0);
	buf_byte(&gz, 0x1f);
	struct got r;
	read_bytes(&gz, &r, READ_BIG, &rng);
	CHECK_REFUSED_AFTER(r, text, MSG_TRUNCATED);
	free(r.out.p);
	free(gz.p);
	free(text.p);
	free(zlib_stream.p);
	free(member_after.p);
}

/* A small two-member file cut at every byte offset: a refusal naming the
 * truncation after a prefix of the text, except where the cut leaves a
 * valid file (nothing, a lone byte read as plain, the first member whole). */
static void test_truncation(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 6);
	const char *t1 = "user\titem\tts\nu1\ti1\t1\nu2\ti2\t2\n", *t2 = "u3\ti3\t3\nu4\ti4\t4\n";
	struct buf gz = {0}, text = {0}, first = {0};
	gz_member(&gz, t1, strlen(t1), 6, 1); /* header fields: cuts inside them too */
	size_t n1 = gz.len;
	gz_member(&gz, t2, strlen(t2), 9, 0);
	buf_add(&first, t1, strlen(t1));
	buf_add(&text, t1, strlen(t1));
	buf_add(&text, t2, strlen(t2));
	int bad = 0;
	for (size_t cut = 0; cut < gz.len; cut++) {
		struct buf part = {gz.p, cut, gz.cap};
		struct got r;
		read_bytes(&part, &r, (int)(cut % 4), &rng);
		int ok;
		/* what came before the refusal is a prefix of the text, the
		 * whole text when the cut is in the last trailer (the bytes go
		 * out as they are inflated; the CRC-32 and length come after) */
		if (cut == 0)
			ok = !r.bad && r.out.len == 0;
		else if (cut == 1)
			ok = !r.bad && r.out.len == 1 && r.out.p[0] == 0x1f && !r.gzip;
		else if (cut == n1)
			ok = !r.bad && same(&r.out, &first);
		else
			ok = r.bad && strcmp(r.err, MSG_TRUNCATED) == 0 && is_prefix(&r.out, &text);
		if (!ok) {
			printf("# cut at %zu of %zu: %zu bytes out%s%s\n", cut, gz.len, r.out.len,
			       r.bad ? ", refused: " : ", no refusal", r.bad ? r.err : "");
			bad++;
		}
		free(r.out.p);
	}
	CHECK_INT(bad, 0);
	/* the whole file reads whole */
	struct got r;
	read_bytes(&gz, &r, READ_RANDOM, &rng);
	CHECK_WHOLE(r, text);
	free(r.out.p);
	free(gz.p);
	free(text.p);
	free(first.p);
}

/* A changed byte at every offset of a small two-member file: a refusal,
 * or the same text (a byte the format does not check, as the mtime);
 * never other bytes presented as whole. The bytes before a refusal may
 * differ from the text (they are handed out as they are inflated, and the
 * member's CRC-32 comes after them): that is why a reader must not trust
 * what it read before the end. The first member's magic makes the file
 * plain; the second's makes it trailing garbage. */
static void test_byte_flips(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 7);
	const char *t1 = "user\titem\nu1\ti1\nu2\ti2\n", *t2 = "u3\ti3\nu4\ti4\n";
	struct buf gz = {0}, text = {0};
	gz_member(&gz, t1, strlen(t1), 6, 0);
	size_t n1 = gz.len;
	gz_member(&gz, t2, strlen(t2), 6, 1);
	buf_add(&text, t1, strlen(t1));
	buf_add(&text, t2, strlen(t2));
	unsigned char *orig = lmrec_xmalloc(gz.len);
	memcpy(orig, gz.p, gz.len);
	int bad = 0, refused = 0, unchanged = 0;
	for (size_t pos = 0; pos < gz.len; pos++)
		for (unsigned x = 1; x < 256; x <<= 3) {
			memcpy(gz.p, orig, gz.len);
			gz.p[pos] ^= (unsigned char)x;
			struct got r;
			read_bytes(&gz, &r, (int)(pos % 4), &rng);
			int ok;
			if (pos < 2) /* not gzip any more: the bytes as they are */
				ok = !r.bad && !r.gzip && same(&r.out, &gz);
			else if (pos == n1 || pos == n1 + 1)
				ok = r.bad && strcmp(r.err, MSG_GARBAGE) == 0 && r.out.len == strlen(t1);
			else
				ok = r.bad ? strncmp(r.err, "corrupt gzip stream (", 21) == 0 ||
						     strcmp(r.err, MSG_TRUNCATED) == 0
					   : same(&r.out, &text);
			refused += r.bad;
			unchanged += !r.bad && pos >= 2;
			if (!ok) {
				printf("# byte %zu ^ %u: %zu bytes out%s%s\n", pos, x, r.out.len,
				       r.bad ? ", refused: " : ", no refusal", r.bad ? r.err : "");
				bad++;
			}
			free(r.out.p);
		}
	CHECK_INT(bad, 0);
	CHECK(refused > 0 && unchanged > 0); /* both outcomes were met */
	/* the exact messages of zlib's checks, as the TSV reader prints them */
	struct got r;
	struct buf one = {0};
	gz_member(&one, t1, strlen(t1), 6, 0);
	one.p[one.len - 6] ^= 0xff; /* inside the CRC-32 */
	read_bytes(&one, &r, READ_BIG, &rng);
	CHECK(r.bad);
	CHECK_STR(r.err, "corrupt gzip stream (incorrect data check)");
	free(r.out.p);
	one.p[one.len - 6] ^= 0xff;
	one.p[one.len - 2] ^= 0x01; /* inside the length */
	read_bytes(&one, &r, READ_BIG, &rng);
	CHECK(r.bad);
	CHECK_STR(r.err, "corrupt gzip stream (incorrect length check)");
	free(r.out.p);
	free(one.p);
	free(orig);
	free(gz.p);
	free(text.p);
}

static void test_corrupt_start(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 8);
	struct {
		const char *p;
		size_t n;
		const char *msg;
	} cases[] = {
		{"\x1f\x8b", 2, MSG_TRUNCATED},
		{"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10, MSG_TRUNCATED},
		{"\x1f\x8b\x07\x00\x00\x00\x00\x00\x00\x03\x01\x02", 12,
		 "corrupt gzip stream (unknown compression method)"},
		{"\x1f\x8b\x08\xe0\x00\x00\x00\x00\x00\x03\x01\x02", 12,
		 "corrupt gzip stream (unknown header flags set)"},
		{"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xff\xff\xff\xff", 14,
		 "corrupt gzip stream (invalid block type)"},
	};
	struct buf none = {0};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct buf in = {(unsigned char *)(uintptr_t)cases[i].p, cases[i].n, 0};
		struct got r;
		read_bytes(&in, &r, (int)(i % 4), &rng);
		CHECK_REFUSED_AFTER(r, none, cases[i].msg);
		CHECK(r.gzip);
		free(r.out.p);
	}
}

/* ---- pipes, read errors, the descriptor ---- */

struct feed {
	const struct buf *data;
	uint64_t seed;
};

/* Writes data into fd in pieces of random sizes, the first ones a byte at a
 * time with pauses, so that the reader meets short reads (the magic split
 * between two reads among them). */
static void feed_pipe(int fd, const struct feed *f)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, f->seed);
	size_t at = 0, piece = 0;
	while (at < f->data->len) {
		size_t n = piece < 24 ? 1 : 1 + lmrec_rng_below(&rng, 40000);
		if (n > f->data->len - at)
			n = f->data->len - at;
		ssize_t w = write(fd, f->data->p + at, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			_exit(3);
		at += (size_t)w;
		if (piece++ < 24) {
			struct timespec ts = {0, 300000};
			nanosleep(&ts, NULL);
		}
	}
}

/* Reads data through a pipe from a writer child. */
static void read_piped(const struct buf *data, uint64_t seed, struct got *r, int mode)
{
	int fd[2];
	if (pipe(fd) != 0)
		exit(1);
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		exit(1);
	if (pid == 0) {
		close(fd[0]);
		struct feed f = {data, seed};
		feed_pipe(fd[1], &f);
		_exit(0);
	}
	close(fd[1]);
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, seed + 1);
	struct lmrec_gzin *g = lmrec_gzin_open(fd[0], "<pipe>");
	read_source(g, r, mode, &rng);
	CHECK_INT(lmrec_gzin_close(g), 0);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	/* the writer ends well, or (a refusal stops the reading before the
	 * writer is done) on a closed pipe */
	int fine = WIFEXITED(st) ? WEXITSTATUS(st) == 0 : r->bad && WTERMSIG(st) == SIGPIPE;
	CHECK(fine);
	if (!fine)
		printf("# writer: status %d; %zu bytes, mode %d, %s\n", st, data->len, mode,
		       r->bad ? r->err : "whole");
}

static void test_pipe(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 9);
	for (int k = 0; k < 8; k++) {
		struct buf gz = {0}, text = {0};
		random_gzip(&gz, &text, &rng, k == 0);
		struct got r;
		read_piped(&gz, 100 + (uint64_t)k, &r, k % 4);
		CHECK_WHOLE(r, text);
		CHECK(r.gzip);
		free(r.out.p);
		/* the same, then garbage */
		buf_add(&gz, "junk", 4);
		read_piped(&gz, 200 + (uint64_t)k, &r, (k + 1) % 4);
		CHECK_REFUSED_AFTER(r, text, MSG_GARBAGE);
		free(r.out.p);
		/* plain text through a pipe */
		if (text.len >= 2 && text.p[0] == 0x1f && text.p[1] == 0x8b)
			text.p[0] = 'x';
		read_piped(&text, 300 + (uint64_t)k, &r, (k + 2) % 4);
		CHECK_WHOLE(r, text);
		CHECK(!r.gzip);
		free(r.out.p);
		free(gz.p);
		free(text.p);
	}
}

static void child_read_dir(void *arg)
{
	int fd = open((const char *)arg, O_RDONLY | O_CLOEXEC);
	struct lmrec_gzin *g = check_keep(lmrec_gzin_open(fd, (const char *)arg));
	char tmp[16];
	lmrec_gzin_read(g, tmp, sizeof tmp);
}

static void test_read_error_and_close(void)
{
	/* read(2) fails (a directory): exit 1, the name and strerror */
	char err[256];
	CHECK_INT(check_child(child_read_dir, ".", err, sizeof err), 1);
	CHECK_STR(err, "gzin: .: read: Is a directory");
	/* close closes the descriptor, read or not; NULL is allowed */
	check_write_str("x.txt", "abc");
	int fd = open("x.txt", O_RDONLY | O_CLOEXEC);
	struct lmrec_gzin *g = lmrec_gzin_open(fd, "x.txt");
	CHECK_INT(lmrec_gzin_close(g), 0);
	CHECK(fcntl(fd, F_GETFD) == -1 && errno == EBADF);
	fd = open("x.txt", O_RDONLY | O_CLOEXEC);
	g = lmrec_gzin_open(fd, "x.txt");
	CHECK_INT(lmrec_gzin_getc(g), 'a');
	CHECK_INT(lmrec_gzin_close(g), 0);
	CHECK(fcntl(fd, F_GETFD) == -1 && errno == EBADF);
	CHECK_INT(lmrec_gzin_close(NULL), 0);
	/* a read of 0 bytes reads nothing */
	fd = open("x.txt", O_RDONLY | O_CLOEXEC);
	g = lmrec_gzin_open(fd, "x.txt");
	char tmp[4];
	CHECK_INT(lmrec_gzin_read(g, tmp, 0), 0);
	CHECK_INT(lmrec_gzin_read(g, tmp, sizeof tmp), 3);
	CHECK_INT(lmrec_gzin_read(g, tmp, sizeof tmp), 0);
	CHECK_INT(lmrec_gzin_close(g), 0);
}

int main(void)
{
	lmrec_setprogname("gzin");
	check_tmpdir();
	CHECK_RUN(test_plain);
	CHECK_RUN(test_random_members);
	CHECK_RUN(test_empty_members);
	CHECK_RUN(test_trailing_zeros);
	CHECK_RUN(test_trailing_garbage);
	CHECK_RUN(test_truncation);
	CHECK_RUN(test_byte_flips);
	CHECK_RUN(test_corrupt_start);
	CHECK_RUN(test_pipe);
	CHECK_RUN(test_read_error_and_close);
	return check_done();
}

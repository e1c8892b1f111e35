/* Fuzz target: gzip input of the stream reader (lib/tsv.c over lib/gzin.c).
 *
 * An input is three bytes of settings, then a text X. X is read twice
 * through lmrec_tsv: as it is (a plain file), and compressed by the harness
 * into one to four gzip members, maybe damaged. Settings:
 *   byte 0, bits 0-1: members - 1 (X cut at points from bytes 1-2)
 *           bits 2-3: damage: none, truncated, one byte changed, trailing
 *                     garbage after the last member
 *           bits 4-6: deflate level 0-7 (0: stored blocks)
 *           bit 7:    the reader's separator is "|" instead of TAB
 *   bytes 1-2: where the cuts and the damage fall.
 * The reader keeps backslashes and NULs (RAW | BINARY), so what dies is a
 * CR inside a line, or the stream itself. Checks, SPEC.md §3 (".gz input
 * same as plain"):
 *   - undamaged: the same lines, or the same die at the same line, as the
 *     plain file;
 *   - truncated inside the last member: a die (65), whatever was read
 *     before; a truncated stream is never taken for a complete one;
 *   - trailing garbage after the last member: a die (65), where zlib's
 *     gzread skipped it without a word;
 *   - one byte changed: either the same lines as the plain file or a die
 *     (65); never other lines presented as complete. A changed magic byte
 *     of a later member makes it trailing garbage: a die. The first
 *     member's two magic bytes are never changed: the file would then be
 *     no gzip stream, and be read as it is (a plain file of those bytes).
 * X starting with the gzip magic is skipped for the comparison (the plain
 * read would decompress it). */
#include "harness.h"

struct gzip_read {
	const char *path;
	const char *sep;
	uint32_t crc;   /* CRC-32 over the lines and their lengths */
	size_t lines;   /* lines read */
	size_t lineno;  /* the reader's line count when it ended */
};

static void gzip_read_all(void *arg)
{
	struct gzip_read *g = arg;
	struct lmrec_tsv *r = lmrec_tsv_open_with(
		g->path, LMREC_TSV_NOHEADER | LMREC_TSV_RAW | LMREC_TSV_RAGGED | LMREC_TSV_BINARY, g->sep);
	while (lmrec_tsv_read(r)) {
		unsigned char len[8];
		lmrec_put_le64(len, r->linelen);
		g->crc = (uint32_t)crc32(g->crc, len, 8);
		g->crc = (uint32_t)crc32(g->crc, (const unsigned char *)r->line, (uInt)r->linelen);
		g->lines++;
		g->lineno = r->lineno;
		FUZZ_ASSERT(r->lineno == g->lines);
	}
	lmrec_tsv_close(r);
}

/* Reads path; returns the die status (0: read to the end). */
static int gzip_read(struct gzip_read *g, const char *path, const char *sep)
{
	*g = (struct gzip_read){path, sep, (uint32_t)crc32(0, Z_NULL, 0), 0, 0};
	return fuzz_guarded(gzip_read_all, g);
}

/* Appends one gzip member of p[0..n) to out (grown as needed). */
static void gzip_member(unsigned char **out, size_t *len, size_t *cap, const unsigned char *p,
			size_t n, int level)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	FUZZ_ASSERT(deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
	size_t bound = deflateBound(&z, (uLong)n) + 64;
	if (*len + bound > *cap) {
		*cap = *len + bound;
		*out = lmrec_xreallocarray(*out, *cap, 1);
	}
	z.next_in = (unsigned char *)p;
	z.avail_in = (uInt)n;
	z.next_out = *out + *len;
	z.avail_out = (uInt)(*cap - *len);
	FUZZ_ASSERT(deflate(&z, Z_FINISH) == Z_STREAM_END);
	*len += z.total_out;
	deflateEnd(&z);
}

static int lmrec_fuzz_gzip(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	unsigned mode = data[0], at = (unsigned)data[1] | (unsigned)data[2] << 8;
	const unsigned char *x = data + 3;
	size_t n = size - 3;
	size_t members = (mode & 3u) + 1;
	unsigned damage = (mode >> 2) & 3u;
	int level = (int)((mode >> 4) & 7u);
	const char *sep = mode & 128u ? "|" : "\t";

	/* the cuts: members - 1 points of X, in order */
	size_t cut[5] = {0};
	for (size_t k = 1; k < members; k++)
		cut[k] = n ? (size_t)((at * (uint64_t)(2 * k + 1)) % (n + 1)) : 0;
	cut[members] = n;
	for (size_t k = 1; k < members; k++) /* sort the few cuts */
		for (size_t j = k; j > 1 && cut[j - 1] > cut[j]; j--) {
			size_t t = cut[j];
			cut[j] = cut[j - 1];
			cut[j - 1] = t;
		}
	unsigned char *gz = NULL;
	size_t len = 0, cap = 0, last = 0, start[4];
	int later_magic = 0; /* the changed byte is a later member's magic */
	for (size_t k = 0; k < members; k++) {
		start[k] = last = len;
		gzip_member(&gz, &len, &cap, x + cut[k], cut[k + 1] - cut[k], level);
	}
	size_t lastlen = len - last;
	switch (damage) {
	case 1: /* cut inside the last member, after its magic */
		len = last + 2 + at % (lastlen - 2);
		break;
	case 2: { /* one byte changed, not in the first member's magic (see the top) */
		size_t pos = at % len;
		if (pos < 2)
			pos = 2;
		for (size_t k = 1; k < members; k++)
			if (pos >= start[k] && pos < start[k] + 2)
				later_magic = 1;
		gz[pos] ^= (unsigned char)(1u + (mode >> 5));
		break;
	}
	case 3: /* trailing bytes that are not a gzip member */
		if (len + 4 > cap)
			gz = lmrec_xreallocarray(gz, cap = len + 4, 1);
		memcpy(gz + len, (const unsigned char[]){'x', 0x1f, (unsigned char)at, '\n'}, 4);
		len += 4;
		break;
	default:
		break;
	}

	struct gzip_read plain, packed;
	int ps = gzip_read(&plain, fuzz_file("plain", x, n), sep);
	int gs = gzip_read(&packed, fuzz_file("packed.gz", gz, len), sep);
	free(gz);
	FUZZ_ASSERT_DATA_DIE(ps);
	FUZZ_ASSERT_DATA_DIE(gs);
	FUZZ_ASSERT(fuzz_close_scratch_fds() == 0);
	if (n >= 2 && x[0] == 0x1f && x[1] == 0x8b)
		return 0; /* the "plain" file is gzip itself */
	int same = ps == gs && plain.lines == packed.lines && plain.crc == packed.crc;
	switch (damage) {
	case 1:
		FUZZ_ASSERT(gs == LMREC_EXIT_DATA);
		break;
	case 2:
		FUZZ_ASSERT(gs == LMREC_EXIT_DATA || same);
		FUZZ_ASSERT(!later_magic || gs == LMREC_EXIT_DATA);
		break;
	case 3:
		FUZZ_ASSERT(gs == LMREC_EXIT_DATA);
		break;
	default:
		FUZZ_ASSERT(same);
		FUZZ_ASSERT(ps == 0 || plain.lineno == packed.lineno);
		break;
	}
	return 0;
}

#ifndef LMREC_FUZZ_REPLAY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return lmrec_fuzz_gzip(data, size); }
#endif

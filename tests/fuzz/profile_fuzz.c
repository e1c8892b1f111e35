/* Fuzz target: the profile store reader (lmrec_profile_parse in
 * lib/profile.c; the format is lmrec-profile(5)).
 *
 * The first byte of an input is a mode, the rest is the file. Mode bit 0
 * recomputes the checksums (every record's, every commit's batch checksum,
 * then the header's) before the file is read, so mutations reach the
 * checks behind them; bit 1 also sets the header's committed length,
 * record count and batch number to what the records say. The reader never
 * dies: it returns -1 with a message naming the byte offset. A store it
 * accepts is checked whole: users and entries valid and in order, then
 * re-encoded, which must read back to the same data and encode to the same
 * bytes, and read with a torn tail appended, which must read the same. */
#include <math.h>
#include <zlib.h>

#include "harness.h"
#include "profile.h"

/* The store's data as text (weights by their bits). */
static char *fuzz_profile_dump(const struct lmrec_profile *p)
{
	struct lmrec_out *o = lmrec_out_open_mem();
	lmrec_out_printf(o, "%a %lld %lld %lld\n", p->half_life, (long long)p->inter_mark,
			 (long long)p->feedback_mark, (long long)p->now);
	uint32_t *s = lmrec_ids_sorted(p->ids);
	for (size_t i = 0; i < lmrec_ids_count(p->ids); i++) {
		const struct lmrec_profile_user *u = &p->u[s[i]];
		if (!u->live)
			continue;
		size_t len;
		const char *id = lmrec_ids_str(p->ids, s[i], &len);
		lmrec_out_field(o, id, len);
		lmrec_out_printf(o, " %lld\n", (long long)u->updated);
		for (size_t k = 0; k < u->n; k++) {
			lmrec_out_printf(o, " %u ", u->e[k].kind);
			lmrec_out_field(o, u->e[k].key, u->e[k].keylen);
			lmrec_out_printf(o, " %a %lld\n", u->e[k].w, (long long)u->e[k].ts);
		}
	}
	free(s);
	char *r = lmrec_xstrndup(o->buf, o->len);
	lmrec_out_abort(o);
	return r;
}

/* Mode bits 0 and 1: the checksums (and header counts) made right. */
static void fuzz_profile_fix(unsigned char *f, size_t len, int counts)
{
	if (len < LMREC_PROFILE_HEADER)
		return;
	size_t off = LMREC_PROFILE_HEADER, batch = off;
	uint64_t records = 0, seq = lmrec_get_le64(f + 40);
	while (len - off >= 9) {
		uint32_t rl = lmrec_get_le32(f + off);
		if (rl > len - off - 9)
			break;
		if (f[off + 4] == 0x43 && rl == 40) {
			lmrec_put_le32(f + off + 5 + 36, (uint32_t)crc32(0, f + batch, (uInt)(off - batch)));
			seq = lmrec_get_le64(f + off + 5);
		}
		lmrec_put_le32(f + off + 5 + rl, (uint32_t)crc32(0, f + off, (uInt)(5 + rl)));
		off += 9 + (size_t)rl;
		if (f[off - 9 - rl + 4] == 0x43)
			batch = off;
		records++;
	}
	if (counts) {
		lmrec_put_le64(f + 24, batch);
		lmrec_put_le64(f + 32, records);
		lmrec_put_le64(f + 40, seq);
	}
	lmrec_put_le32(f + 60, (uint32_t)crc32(0, f, 60));
}

static int lmrec_fuzz_profile(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned mode = data[0];
	size_t len = size - 1;
	unsigned char *f = lmrec_xmalloc(len + 16);
	memcpy(f, data + 1, len);
	if (mode & 3)
		fuzz_profile_fix(f, len, (mode & 2) != 0);
	struct lmrec_profile *p = NULL;
	char err[512] = "";
	if (lmrec_profile_parse(f, len, "store", &p, err, sizeof err) != 0) {
		FUZZ_ASSERT(p == NULL);
		FUZZ_ASSERT(strncmp(err, "store: byte ", 12) == 0);
		free(f);
		return 0;
	}
	FUZZ_ASSERT(p && p->committed <= len && p->half_life > 0 && isfinite(p->half_life));
	size_t nu = 0, ne = 0, n = lmrec_ids_count(p->ids);
	for (size_t i = 0; i < n; i++) {
		const struct lmrec_profile_user *u = &p->u[i];
		FUZZ_ASSERT(u->live);
		for (size_t k = 0; k < u->n; k++) {
			const struct lmrec_profile_entry *e = &u->e[k];
			FUZZ_ASSERT(e->kind < LMREC_PK_N && e->keylen > 0 && isfinite(e->w));
			FUZZ_ASSERT(strlen(e->key) == e->keylen);
			FUZZ_ASSERT(lmrec_tsv_check_escapes(e->key, e->keylen) < 0);
			if (k > 0) {
				const struct lmrec_profile_entry *q = &u->e[k - 1];
				FUZZ_ASSERT(q->kind < e->kind ||
					    (q->kind == e->kind &&
					     (memcmp(q->key, e->key, q->keylen < e->keylen ? q->keylen
											   : e->keylen) < 0 ||
					      (memcmp(q->key, e->key, q->keylen < e->keylen ? q->keylen
											    : e->keylen) == 0 &&
					       q->keylen < e->keylen))));
			}
			(void)lmrec_profile_decay(p, e->kind, e->w, e->ts, p->now);
		}
		nu++;
		ne += u->n;
	}
	size_t cu, ce;
	lmrec_profile_counts(p, &cu, &ce);
	FUZZ_ASSERT(cu == nu && ce == ne);
	char *d = fuzz_profile_dump(p);

	/* a torn tail changes nothing */
	memcpy(f + len, "\x55\x00\x01\x00\x55garbage tail", 16);
	struct lmrec_profile *t = NULL;
	FUZZ_ASSERT(lmrec_profile_parse(f, len + 16, "store", &t, err, sizeof err) == 0);
	char *dt = fuzz_profile_dump(t);
	FUZZ_ASSERT(strcmp(d, dt) == 0);
	FUZZ_ASSERT(t->file_size - t->committed == len + 16 - p->committed);
	free(dt);
	lmrec_profile_free(t);

	/* re-encoded: the same data, and a fixed point */
	size_t elen;
	unsigned char *e = lmrec_profile_encode(p, &elen);
	struct lmrec_profile *r = NULL;
	if (lmrec_profile_parse(e, elen, "encoded", &r, err, sizeof err) != 0) {
		fprintf(stderr, "re-encoded store refused: %s\n", err);
		FUZZ_ASSERT(0);
	}
	char *dr = fuzz_profile_dump(r);
	FUZZ_ASSERT(strcmp(d, dr) == 0);
	size_t e2len;
	r->seq = p->seq;
	unsigned char *e2 = lmrec_profile_encode(r, &e2len);
	FUZZ_ASSERT(e2len == elen && memcmp(e, e2, elen) == 0);
	free(e2);
	free(dr);
	lmrec_profile_free(r);
	free(e);
	free(d);
	lmrec_profile_free(p);
	free(f);
	return 0;
}

#ifndef LMREC_FUZZ_REPLAY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lmrec_fuzz_profile(data, size);
	return 0;
}
#endif

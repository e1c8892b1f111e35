/* Unit tests of lib/model.c: the model-file container.
 *
 * Round trip of every dtype, string sections and params; every refusal of
 * the reader with its message and status; and the files of older format
 * versions, which SPEC.md §4 says the reader keeps reading:
 *
 *   tests/unit/model [--fixtures DIR]        runs the tests; DIR defaults to
 *                                            tests/fixtures/model beside the
 *                                            binary's tests/unit
 *   tests/unit/model --write-fixture PATH    writes the version-1 fixture
 *
 * tests/fixtures/model/v1.lmrc was made by `tests/unit/model --write-fixture
 * tests/fixtures/model/v1.lmrc` while LMREC_MODEL_VERSION was 1, and must
 * never be remade once the version moves on: it is what lmrec 0.1 wrote.
 * When the format changes, add a v2 fixture the same way and keep this one. */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <zlib.h>

#include "check.h"

/* ---- the fixture: a small model of every section type ---- */

static const char *const fx_items[] = {"i1", "i2", "caf\xc3\xa9", "a\\tb", ""};
static const char *const fx_users[] = {"u1", "u2"};
static const float fx_q[2][3] = {{0.5f, -1.25f, 3.0f}, {1e-30f, FLT_MAX, -0.0f}};
static const double fx_bias[3] = {0.1, -2.5, 1e300};
static const int32_t fx_i32[2] = {-1, INT32_MAX};
static const uint32_t fx_u32[4] = {0, 1, 2, UINT32_MAX};
static const int64_t fx_i64[2] = {INT64_MIN, 1700000000};
static const uint64_t fx_u64[1] = {UINT64_MAX};
static const uint8_t fx_u8[5] = {0, 1, 127, 128, 255};

static struct lmrec_model *fixture_model(struct lmrec_ids **items, struct lmrec_ids **users)
{
	*items = lmrec_ids_new();
	for (size_t i = 0; i < sizeof fx_items / sizeof *fx_items; i++)
		lmrec_ids_intern(*items, fx_items[i], strlen(fx_items[i]));
	*users = lmrec_ids_new();
	for (size_t i = 0; i < sizeof fx_users / sizeof *fx_users; i++)
		lmrec_ids_intern(*users, fx_users[i], strlen(fx_users[i]));
	struct lmrec_model *m = lmrec_model_new(LMREC_KIND_TEST);
	lmrec_model_set_param(m, "k", "%d", 3);
	lmrec_model_set_param(m, "model", "%s", "test");
	lmrec_model_add_ids(m, "items", *items);
	lmrec_model_add_ids(m, "users", *users);
	lmrec_model_add_f32(m, "Q", 2, 3, &fx_q[0][0]);
	uint64_t s3 = 3, s2 = 2, s4 = 4, s1 = 1, s5 = 5;
	lmrec_model_add(m, "bias", LMREC_DT_F64, 1, &s3, fx_bias);
	lmrec_model_add(m, "i32", LMREC_DT_I32, 1, &s2, fx_i32);
	lmrec_model_add(m, "u32", LMREC_DT_U32, 1, &s4, fx_u32);
	lmrec_model_add(m, "i64", LMREC_DT_I64, 1, &s2, fx_i64);
	lmrec_model_add(m, "u64", LMREC_DT_U64, 1, &s1, fx_u64);
	lmrec_model_add(m, "u8", LMREC_DT_U8, 1, &s5, fx_u8);
	lmrec_model_set_param(m, "note", "%s", "v1 fixture");
	lmrec_model_set_param(m, "k", "%d", 4); /* set again: the last one wins */
	return m;
}

static void write_fixture(const char *path)
{
	struct lmrec_ids *items, *users;
	struct lmrec_model *m = fixture_model(&items, &users);
	lmrec_model_write(m, path);
	lmrec_model_free(m);
	lmrec_ids_free(items);
	lmrec_ids_free(users);
}

static int str_section_is(const struct lmrec_model *m, const char *name,
			  const char *const *want, size_t n)
{
	const struct lmrec_section *s = lmrec_model_find(m, name);
	if (!s || s->dtype != LMREC_DT_STR || s->ndim != 1 || s->shape[0] != n)
		return 0;
	uint64_t pos = 0;
	const char *p;
	size_t len, i = 0;
	while (lmrec_model_next_str(s, &pos, &p, &len)) {
		if (i >= n || len != strlen(want[i]) || memcmp(p, want[i], len) != 0)
			return 0;
		i++;
	}
	return i == n;
}

static int num_section_is(const struct lmrec_model *m, const char *name, uint32_t dtype,
			  uint32_t ndim, const uint64_t *shape, const void *data, size_t bytes)
{
	const struct lmrec_section *s = lmrec_model_find(m, name);
	if (!s || s->dtype != dtype || s->ndim != ndim || s->length != bytes)
		return 0;
	for (uint32_t d = 0; d < ndim; d++)
		if (s->shape[d] != shape[d])
			return 0;
	for (uint32_t d = ndim; d < 4; d++)
		if (s->shape[d] != 0)
			return 0;
	return memcmp(s->data, data, bytes) == 0 && (uintptr_t)s->data % LMREC_MODEL_ALIGN == 0;
}

/* Checks a model holds exactly the fixture's content. */
static void check_fixture_content(const struct lmrec_model *m)
{
	CHECK_U64(m->kind, LMREC_KIND_TEST);
	CHECK_U64(m->flags, 0);
	CHECK_U64(m->nsec, 10);
	static const char *const names[] = {"params", "items", "users", "Q",  "bias",
					    "i32",    "u32",   "i64",   "u64", "u8"};
	for (size_t i = 0; i < 10 && i < m->nsec; i++)
		CHECK_STR(m->sec[i].name, names[i]);
	static const char *const params[] = {"k=3", "model=test", "note=v1 fixture", "k=4"};
	CHECK(str_section_is(m, "params", params, 4));
	CHECK(str_section_is(m, "items", fx_items, 5));
	CHECK(str_section_is(m, "users", fx_users, 2));
	uint64_t sq[2] = {2, 3}, s1 = 1, s2 = 2, s3 = 3, s4 = 4, s5 = 5;
	CHECK(num_section_is(m, "Q", LMREC_DT_F32, 2, sq, fx_q, sizeof fx_q));
	CHECK(num_section_is(m, "bias", LMREC_DT_F64, 1, &s3, fx_bias, sizeof fx_bias));
	CHECK(num_section_is(m, "i32", LMREC_DT_I32, 1, &s2, fx_i32, sizeof fx_i32));
	CHECK(num_section_is(m, "u32", LMREC_DT_U32, 1, &s4, fx_u32, sizeof fx_u32));
	CHECK(num_section_is(m, "i64", LMREC_DT_I64, 1, &s2, fx_i64, sizeof fx_i64));
	CHECK(num_section_is(m, "u64", LMREC_DT_U64, 1, &s1, fx_u64, sizeof fx_u64));
	CHECK(num_section_is(m, "u8", LMREC_DT_U8, 1, &s5, fx_u8, sizeof fx_u8));
	size_t len = 0;
	const char *v = lmrec_model_param(m, "k", &len);
	CHECK(v && len == 1 && *v == '4');
	v = lmrec_model_param(m, "note", &len);
	CHECK(v && len == 10 && memcmp(v, "v1 fixture", 10) == 0);
	CHECK(lmrec_model_param(m, "kk", &len) == NULL);
	CHECK(lmrec_model_param(m, "", &len) == NULL);
	struct lmrec_ids *ids = lmrec_model_ids(m, "items");
	CHECK_U64(lmrec_ids_count(ids), 5);
	CHECK_INT(lmrec_ids_find(ids, "caf\xc3\xa9", 5), 2);
	CHECK_INT(lmrec_ids_find(ids, "", 0), 4);
	lmrec_ids_free(ids);
	/* a model file alone is enough to score: Q row of item i2 */
	const struct lmrec_section *q = lmrec_model_need(m, "Q", LMREC_DT_F32, 2);
	const float *qv = q->data;
	CHECK(qv[3] == 1e-30f && qv[4] == FLT_MAX && signbit(qv[5]));
}

/* ---- round trip ---- */

static void test_round_trip(void)
{
	struct lmrec_ids *items, *users;
	struct lmrec_model *m = fixture_model(&items, &users);
	/* shapes of every rank, scalars and empty sections too */
	static const float cube[2][2][2][3] = {{{{1, 2, 3}, {4, 5, 6}}, {{7, 8, 9}, {10, 11, 12}}},
					       {{{13, 14, 15}, {16, 17, 18}},
						{{19, 20, 21}, {22, 23, 24}}}};
	uint64_t s4[4] = {2, 2, 2, 3}, s0[1] = {0};
	static const double scalar = 42.5;
	lmrec_model_add(m, "cube", LMREC_DT_F32, 4, s4, cube);
	lmrec_model_add(m, "scalar", LMREC_DT_F64, 0, NULL, &scalar);
	lmrec_model_add(m, "empty", LMREC_DT_U32, 1, s0, NULL);
	struct lmrec_ids *none = lmrec_ids_new();
	lmrec_model_add_ids(m, "no_ids", none);
	lmrec_model_write(m, "rt.lmrc");
	lmrec_model_free(m);

	char err[512];
	int status = -1;
	m = lmrec_model_try_read("rt.lmrc", LMREC_KIND_TEST, err, sizeof err, &status);
	CHECK(m != NULL);
	CHECK_INT(status, 0);
	if (m) {
		CHECK_U64(m->version, LMREC_MODEL_VERSION);
		CHECK(num_section_is(m, "cube", LMREC_DT_F32, 4, s4, cube, sizeof cube));
		CHECK(num_section_is(m, "scalar", LMREC_DT_F64, 0, NULL, &scalar, sizeof scalar));
		CHECK(num_section_is(m, "empty", LMREC_DT_U32, 1, s0, "", 0));
		CHECK(str_section_is(m, "no_ids", NULL, 0));
		struct lmrec_model view = *m;
		view.nsec = 10; /* the fixture's sections come first */
		check_fixture_content(&view);
		CHECK(lmrec_model_find(m, "nope") == NULL);
		lmrec_model_free(m);
	}
	/* any kind is accepted with LMREC_KIND_ANY */
	m = lmrec_model_try_read("rt.lmrc", LMREC_KIND_ANY, err, sizeof err, &status);
	CHECK(m != NULL);
	lmrec_model_free(m);
	lmrec_model_free(NULL);

	/* the bytes are the documented layout */
	size_t len;
	char *b = check_slurp("rt.lmrc", &len);
	const unsigned char *u = (const unsigned char *)b;
	CHECK(memcmp(b, "LMRCMODL", 8) == 0);
	CHECK_U64(lmrec_get_le32(u + 8), 1);
	CHECK_U64(lmrec_get_le32(u + 12), 256);
	CHECK_U64(lmrec_get_le32(u + 16), LMREC_KIND_TEST);
	CHECK_U64(lmrec_get_le32(u + 24), 14);
	CHECK_U64(lmrec_get_le32(u + 28), 96);
	CHECK_U64(lmrec_get_le64(u + 32), 256);
	CHECK_U64(lmrec_get_le64(u + 40), 256);
	CHECK_U64(lmrec_get_le64(u + 48), len - 256);
	CHECK_U64(len % 64, 0);
	CHECK_U64(crc32(0, u + 256, (uInt)(len - 256)), lmrec_get_le32(u + 60));
	size_t nonzero = 0;
	for (size_t i = 64; i < 256; i++)
		nonzero += u[i] != 0;
	CHECK_U64(nonzero, 0);
	/* the first entry is "params", a string section at a 64-byte boundary */
	CHECK(strcmp(b + 256, "params") == 0);
	CHECK_U64(lmrec_get_le32(u + 256 + 40), LMREC_DT_STR);
	CHECK_U64(lmrec_get_le64(u + 256 + 80) % 64, 0);
	/* numbers are little-endian in the file: Q[0][0] = 0.5f = 0x3f000000 */
	const unsigned char *qe = u + 256 + (size_t)3 * 96;
	CHECK(strcmp((const char *)qe, "Q") == 0);
	CHECK_U64(lmrec_get_le32(u + lmrec_get_le64(qe + 80)), 0x3f000000u);
	free(b);
	lmrec_ids_free(items);
	lmrec_ids_free(users);
	lmrec_ids_free(none);

	/* the writer leaves no temp file and replaces an older file whole */
	int before = check_count_files();
	m = lmrec_model_new(LMREC_KIND_ALS);
	lmrec_model_set_param(m, "x", "1");
	lmrec_model_write(m, "rt.lmrc");
	lmrec_model_free(m);
	CHECK_INT(check_count_files(), before);
	m = lmrec_model_try_read("rt.lmrc", LMREC_KIND_ALS, err, sizeof err, &status);
	CHECK(m && m->nsec == 1);
	lmrec_model_free(m);
	unlink("rt.lmrc");
}

/* ---- refusals ---- */

/* The valid file every refusal starts from, in memory. */
struct image {
	unsigned char *b;
	size_t len;
};

static struct image valid_image(void)
{
	write_fixture("base.lmrc");
	struct image im;
	im.b = (unsigned char *)check_slurp("base.lmrc", &im.len);
	return im;
}

/* Recomputes both checksums, so a test reaches the check after them. */
static void reseal(struct image *im)
{
	lmrec_put_le32(im->b + 60, (uint32_t)crc32(0, im->b + 256, (uInt)(im->len - 256)));
	lmrec_put_le32(im->b + 56, 0);
	lmrec_put_le32(im->b + 56, (uint32_t)crc32(0, im->b, 256));
}

/* Writes len bytes of the image as bad.lmrc, reads it; returns the status
 * (0 when read) and the message in err. */
static int try_image(const unsigned char *b, size_t len, uint32_t kind, char *err, size_t errlen)
{
	check_write("bad.lmrc", b, len);
	int status = -1;
	err[0] = '\0';
	struct lmrec_model *m = lmrec_model_try_read("bad.lmrc", kind, err, errlen, &status);
	if (m) {
		lmrec_model_free(m);
		return 0;
	}
	return status;
}

#define CHECK_REFUSED(im, kind, msg)                                                               \
	do {                                                                                       \
		char err_[512];                                                                    \
		CHECK_INT(try_image((im).b, (im).len, (kind), err_, sizeof err_), 65);             \
		CHECK_STR(err_, (msg));                                                            \
	} while (0)

/* Offset of entry i of the section table. */
static size_t entry(size_t i) { return 256 + 96 * i; }

static void test_refusals(void)
{
	struct image base = valid_image(), im;
	im.b = lmrec_xmalloc(base.len);
	char err[512];
#define RESET() (memcpy(im.b, base.b, base.len), im.len = base.len)

	RESET();
	CHECK_INT(try_image(im.b, im.len, LMREC_KIND_TEST, err, sizeof err), 0);

	/* short */
	im.len = 100;
	CHECK_REFUSED(im, LMREC_KIND_ANY,
		      "bad.lmrc: not an lmrec model file (100 bytes, shorter than the header)");
	im.len = 0;
	CHECK_REFUSED(im, LMREC_KIND_ANY,
		      "bad.lmrc: not an lmrec model file (0 bytes, shorter than the header)");
	/* magic */
	RESET();
	im.b[0] = 'X';
	CHECK_REFUSED(im, LMREC_KIND_ANY, "bad.lmrc: not an lmrec model file (bad magic)");
	/* a newer version says so, checksums or not */
	RESET();
	lmrec_put_le32(im.b + 8, 2);
	CHECK_REFUSED(im, LMREC_KIND_ANY, "bad.lmrc: model format version 2 is newer than this "
					  "lmrec reads (up to 1): upgrade lmrec");
	reseal(&im);
	CHECK_REFUSED(im, LMREC_KIND_ANY, "bad.lmrc: model format version 2 is newer than this "
					  "lmrec reads (up to 1): upgrade lmrec");
	lmrec_put_le32(im.b + 8, 0);
	reseal(&im);
	CHECK_REFUSED(im, LMREC_KIND_ANY, "bad.lmrc: bad model format version 0");
	/* header size */
	RESET();
	lmrec_put_le32(im.b + 12, 512);
	reseal(&im);
	CHECK_REFUSED(im, LMREC_KIND_ANY, "bad.lmrc: bad header size 512");
	/* header checksum: any byte of the header, the padding included */
	size_t bad = 0;
	for (size_t at = 16; at < 256; at++) {
		if (at >= 56 && at < 60)
			continue; /* the header checksum itself: tested below */
		RESET();
		im.b[at] ^= 0x01;
		int st = try_image(im.b, im.len, LMREC_KIND_ANY, err, sizeof err);
		if (st != 65 || !strstr(err, "header checksum mismatch")) {
			printf("# header byte %zu: %d %s\n", at, st, err);
			bad++;
		}
	}
	CHECK_U64(bad, 0);
	RESET();
	im.b[57] ^= 0x80;
	CHECK_REFUSED(im, LMREC_KIND_ANY,
		      "bad.lmrc: header checksum mismatch (the file is corrupt)");
	/* kind */
	RESET();
	CHECK_REFUSED(im, LMREC_KIND_ALS, "bad.lmrc: model kind 'test', where 'als' is needed");
	/* payload checksum: one flipped bit anywhere in the payload */
	bad = 0;
	for (size_t at = 256; at < base.len; at++) {
		RESET();
		im.b[at] ^= (unsigned char)(1u << (at % 8));
		int st = try_image(im.b, im.len, LMREC_KIND_ANY, err, sizeof err);
		if (st != 65 ||
		    strcmp(err, "bad.lmrc: payload checksum mismatch (the file is corrupt)") != 0) {
			if (bad < 5)
				printf("# payload byte %zu: %d %s\n", at, st, err);
			bad++;
		}
	}
	CHECK_U64(bad, 0);
	RESET();
	im.b[60] ^= 1; /* the stored checksum itself (the header's then fails first) */
	CHECK_REFUSED(im, LMREC_KIND_ANY, "bad.lmrc: header checksum mismatch (the file is corrupt)");
	reseal(&im);
	CHECK_INT(try_image(im.b, im.len, LMREC_KIND_ANY, err, sizeof err), 0);
	/* truncated: any cut after the header */
	bad = 0;
	for (size_t cut = 256; cut < base.len; cut += 7) {
		int st = try_image(base.b, cut, LMREC_KIND_ANY, err, sizeof err);
		if (st != 65 || !strstr(err, "does not match the file size") || !strstr(err, "(truncated?)"))
			bad++;
	}
	CHECK_U64(bad, 0);
	im.len = base.len - 64;
	memcpy(im.b, base.b, im.len);
	char want[256];
	snprintf(want, sizeof want,
		 "bad.lmrc: payload length %zu does not match the file size %zu (truncated?)",
		 base.len - 256, base.len - 64);
	CHECK_REFUSED(im, LMREC_KIND_ANY, want);
	/* bytes appended are refused the same way */
	memcpy(im.b, base.b, base.len);
	unsigned char *longer = lmrec_xcalloc(base.len + 64, 1);
	memcpy(longer, base.b, base.len);
	CHECK_INT(try_image(longer, base.len + 64, LMREC_KIND_ANY, err, sizeof err), 65);
	CHECK(strstr(err, "does not match the file size") != NULL);
	free(longer);
	/* layout fields */
	RESET();
	lmrec_put_le32(im.b + 28, 64);
	reseal(&im);
	CHECK_REFUSED(im, LMREC_KIND_ANY,
		      "bad.lmrc: bad header (section entries of 64 bytes, payload at 256)");
	RESET();
	lmrec_put_le32(im.b + 24, 1000000);
	reseal(&im);
	CHECK_REFUSED(im, LMREC_KIND_ANY, "bad.lmrc: section table lies outside the file");
	RESET();
	lmrec_put_le64(im.b + 32, 100);
	reseal(&im);
	CHECK_REFUSED(im, LMREC_KIND_ANY, "bad.lmrc: section table lies outside the file");
	RESET();
	lmrec_put_le64(im.b + 32, base.len + 4096); /* past the end: found by the fuzzer */
	reseal(&im);
	CHECK_REFUSED(im, LMREC_KIND_ANY, "bad.lmrc: section table lies outside the file");
	RESET();
	lmrec_put_le64(im.b + 32, UINT64_MAX - 95);
	reseal(&im);
	CHECK_REFUSED(im, LMREC_KIND_ANY, "bad.lmrc: section table lies outside the file");
	/* a section outside the file, or not aligned */
	RESET();
	lmrec_put_le64(im.b + entry(3) + 80, base.len + 64);
	reseal(&im);
	CHECK_REFUSED(im, LMREC_KIND_ANY, "bad.lmrc: section 'Q' lies outside the file");
	RESET();
	lmrec_put_le64(im.b + entry(3) + 88, base.len);
	reseal(&im);
	CHECK_REFUSED(im, LMREC_KIND_ANY, "bad.lmrc: section 'Q' lies outside the file");
	RESET();
	lmrec_put_le64(im.b + entry(3) + 88, UINT64_MAX - 10);
	reseal(&im);
	CHECK_REFUSED(im, LMREC_KIND_ANY, "bad.lmrc: section 'Q' lies outside the file");
	RESET();
	lmrec_put_le64(im.b + entry(3) + 80, lmrec_get_le64(base.b + entry(3) + 80) + 4);
	reseal(&im);
	CHECK_REFUSED(im, LMREC_KIND_ANY, "bad.lmrc: section 'Q' lies outside the file");
	/* shape against length */
	RESET();
	lmrec_put_le64(im.b + entry(3) + 48, 3);
	reseal(&im);
	CHECK_REFUSED(im, LMREC_KIND_ANY,
		      "bad.lmrc: section 'Q' holds 24 bytes, its shape needs another size");
	RESET();
	lmrec_put_le64(im.b + entry(3) + 48, 1ull << 62);
	lmrec_put_le64(im.b + entry(3) + 56, 1ull << 3);
	reseal(&im);
	CHECK_REFUSED(im, LMREC_KIND_ANY, "bad.lmrc: section 'Q' shape overflows");
	RESET();
	lmrec_put_le64(im.b + entry(3) + 48, 1ull << 61); /* count * 4 wraps to 0 mod 2^64 */
	lmrec_put_le64(im.b + entry(3) + 56, 2);
	lmrec_put_le64(im.b + entry(3) + 88, 0);
	reseal(&im);
	CHECK_REFUSED(im, LMREC_KIND_ANY,
		      "bad.lmrc: section 'Q' holds 0 bytes, its shape needs another size");
	/* dtype, rank, names */
	RESET();
	lmrec_put_le32(im.b + entry(3) + 40, 8);
	reseal(&im);
	CHECK_REFUSED(im, LMREC_KIND_ANY, "bad.lmrc: section 'Q' has an unknown type");
	RESET();
	lmrec_put_le32(im.b + entry(3) + 44, 5);
	reseal(&im);
	CHECK_REFUSED(im, LMREC_KIND_ANY, "bad.lmrc: section 'Q' has an unknown type");
	RESET();
	memset(im.b + entry(3), 'n', 40);
	reseal(&im);
	CHECK_REFUSED(im, LMREC_KIND_ANY, "bad.lmrc: section 3 has a bad name");
	RESET();
	memset(im.b + entry(3), 0, 40);
	reseal(&im);
	CHECK_REFUSED(im, LMREC_KIND_ANY, "bad.lmrc: section 3 has a bad name");
	RESET();
	memcpy(im.b + entry(4), "Q\0\0\0", 5); /* bias renamed Q */
	reseal(&im);
	CHECK_REFUSED(im, LMREC_KIND_ANY, "bad.lmrc: section 'Q' appears twice");
	RESET();
	memcpy(im.b + entry(2), "items", 6); /* users renamed: a duplicate */
	reseal(&im);
	CHECK_REFUSED(im, LMREC_KIND_ANY, "bad.lmrc: section 'items' appears twice");
	/* bad string sections: a length running past the end, a count that
	 * disagrees, a length not covered by whole strings */
	size_t items_off = (size_t)lmrec_get_le64(base.b + entry(1) + 80);
	RESET();
	lmrec_put_le64(im.b + items_off, 1000);
	reseal(&im);
	CHECK_REFUSED(im, LMREC_KIND_ANY, "bad.lmrc: string section 'items' is malformed");
	RESET();
	lmrec_put_le64(im.b + items_off, UINT64_MAX);
	reseal(&im);
	CHECK_REFUSED(im, LMREC_KIND_ANY, "bad.lmrc: string section 'items' is malformed");
	RESET();
	lmrec_put_le64(im.b + entry(1) + 48, 4);
	reseal(&im);
	CHECK_REFUSED(im, LMREC_KIND_ANY, "bad.lmrc: string section 'items' is malformed");
	RESET();
	lmrec_put_le64(im.b + entry(1) + 88, lmrec_get_le64(base.b + entry(1) + 88) - 1);
	reseal(&im);
	CHECK_REFUSED(im, LMREC_KIND_ANY, "bad.lmrc: string section 'items' is malformed");
	RESET();
	lmrec_put_le64(im.b + entry(1) + 88, lmrec_get_le64(base.b + entry(1) + 88) + 3);
	reseal(&im);
	CHECK_REFUSED(im, LMREC_KIND_ANY, "bad.lmrc: string section 'items' is malformed");
	free(im.b);
	free(base.b);
#undef RESET

	/* open failures are run-time failures (1), not bad data */
	int status = -1;
	CHECK(lmrec_model_try_read("no-such.lmrc", LMREC_KIND_ANY, err, sizeof err, &status) == NULL);
	CHECK_INT(status, 1);
	CHECK_STR(err, "no-such.lmrc: open: No such file or directory");
	CHECK(lmrec_model_try_read(".", LMREC_KIND_ANY, err, sizeof err, &status) == NULL);
	CHECK_INT(status, 1);
	CHECK_STR(err, ".: not a regular file");
}

static void child_read(void *arg)
{
	lmrec_model_free(lmrec_model_read((const char *)arg, LMREC_KIND_ANY));
}

static void child_need(void *arg)
{
	struct lmrec_model *m = check_keep(lmrec_model_read("base.lmrc", LMREC_KIND_TEST));
	const char *which = arg;
	if (strcmp(which, "missing") == 0)
		lmrec_model_need(m, "P", LMREC_DT_F32, 2);
	else if (strcmp(which, "dtype") == 0)
		lmrec_model_need(m, "bias", LMREC_DT_F32, 1);
	else
		lmrec_model_ids(m, "dups");
}

static void test_dies(void)
{
	char err[512];
	write_fixture("base.lmrc");
	check_write_str("short.lmrc", "LMRC");
	CHECK_INT(check_child(child_read, "short.lmrc", err, sizeof err), 65);
	CHECK_STR(err, "model: short.lmrc: not an lmrec model file (4 bytes, shorter than the header)");
	CHECK_INT(check_child(child_read, "none.lmrc", err, sizeof err), 1);
	CHECK_STR(err, "model: none.lmrc: open: No such file or directory");
	CHECK_INT(check_child(child_read, "base.lmrc", err, sizeof err), 0);
	CHECK_STR(err, "");
	CHECK_INT(check_child(child_need, "missing", err, sizeof err), 65);
	CHECK_STR(err, "model: base.lmrc: section 'P' is missing");
	CHECK_INT(check_child(child_need, "dtype", err, sizeof err), 65);
	CHECK_STR(err, "model: base.lmrc: section 'bias' is f64 of rank 1, expected f32 of rank 1");
	/* a dictionary with a duplicate id */
	struct lmrec_model *m = lmrec_model_new(LMREC_KIND_TEST);
	struct lmrec_ids *ids = lmrec_ids_new();
	lmrec_ids_intern(ids, "a", 1);
	lmrec_ids_intern(ids, "b", 1);
	lmrec_model_add_ids(m, "dups", ids);
	memcpy((char *)m->sec[0].owned + 8 + 1 + 8, "a", 1); /* second id "b" -> "a" */
	lmrec_model_write(m, "base.lmrc");
	lmrec_model_free(m);
	lmrec_ids_free(ids);
	CHECK_INT(check_child(child_need, "dups", err, sizeof err), 65);
	CHECK_STR(err, "model: base.lmrc: dictionary 'dups' holds 'a' twice");
}

static void test_names(void)
{
	CHECK_STR(lmrec_kind_name(LMREC_KIND_ALS), "als");
	CHECK_STR(lmrec_kind_name(LMREC_KIND_TEST), "test");
	CHECK_STR(lmrec_kind_name(12345), "unknown");
	CHECK_U64(lmrec_kind_from_name("sasrec"), LMREC_KIND_SASREC);
	CHECK_U64(lmrec_kind_from_name("nope"), LMREC_KIND_ANY);
	for (uint32_t k = 1; k <= 13; k++)
		CHECK_U64(lmrec_kind_from_name(lmrec_kind_name(k)), k);
	CHECK_STR(lmrec_kind_name(LMREC_KIND_ALS_SUMS), "als-sums");
	CHECK_STR(lmrec_dtype_name(LMREC_DT_U8), "u8");
	CHECK_STR(lmrec_dtype_name(99), "unknown");
	CHECK_U64(lmrec_dtype_size(LMREC_DT_F64), 8);
	CHECK_U64(lmrec_dtype_size(LMREC_DT_STR), 0);
	CHECK_U64(lmrec_dtype_size(99), 0);
}

/* ---- the files of older versions ---- */

static char *fixtures; /* the directory of the version fixtures */

static void test_v1_fixture(void)
{
	char *path = lmrec_xasprintf("%s/v1.lmrc", fixtures);
	char err[512];
	int status = -1;
	struct lmrec_model *m = lmrec_model_try_read(path, LMREC_KIND_TEST, err, sizeof err, &status);
	if (!m) {
		printf("# %s\n", err);
		CHECK(m != NULL);
		free(path);
		return;
	}
	CHECK_U64(m->version, 1);
	check_fixture_content(m);
	lmrec_model_free(m);
	/* while the format is still version 1, today's writer makes the very
	 * same bytes: a change of the format shows here first */
	if (LMREC_MODEL_VERSION == 1) {
		write_fixture("now.lmrc");
		size_t a, b;
		char *now = check_slurp("now.lmrc", &a), *then = check_slurp(path, &b);
		CHECK_MEM(now, a, then, b);
		free(now);
		free(then);
	}
	free(path);
}

int main(int argc, char **argv)
{
	lmrec_setprogname("model");
	if (argc == 3 && strcmp(argv[1], "--write-fixture") == 0) {
		write_fixture(argv[2]);
		return 0;
	}
	char *dir;
	if (argc == 3 && strcmp(argv[1], "--fixtures") == 0) {
		dir = lmrec_xstrdup(argv[2]);
	} else if (argc == 1) {
		/* tests/unit/model -> tests/fixtures/model */
		const char *slash = strrchr(argv[0], '/');
		dir = slash ? lmrec_xasprintf("%.*s/../fixtures/model", (int)(slash - argv[0]), argv[0])
			    : lmrec_xstrdup("../fixtures/model");
	} else {
		fprintf(stderr, "usage: model [--fixtures DIR | --write-fixture PATH]\n");
		return 2;
	}
	char cwd[PATH_MAX]; /* made absolute before the tests change directory */
	if (dir[0] == '/' || !getcwd(cwd, sizeof cwd))
		fixtures = dir;
	else {
		fixtures = lmrec_xasprintf("%s/%s", cwd, dir);
		free(dir);
	}
	check_tmpdir();
	CHECK_RUN(test_round_trip);
	CHECK_RUN(test_refusals);
	CHECK_RUN(test_dies);
	CHECK_RUN(test_names);
	CHECK_RUN(test_v1_fixture);
	free(fixtures);
	return check_done();
}

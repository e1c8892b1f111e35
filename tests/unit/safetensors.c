/* Unit tests of lib/safetensors.c: the half and bfloat16 conversions
 * (every bit pattern against an independent formula), a round trip through
 * the writer, and every refusal of the reader with its exact message. */
#include <float.h>
#include <math.h>

#include "check.h"
#include "safetensors.h"

/* A file of an 8-byte length, the header text, then nbytes data bytes
 * (0, 1, 2, ...); *len, when given, replaces the true header length. */
static void write_raw(const char *name, const char *header, const uint64_t *len, size_t nbytes)
{
	size_t hl = strlen(header);
	unsigned char *b = lmrec_xmalloc(8 + hl + nbytes + 1);
	lmrec_put_le64(b, len ? *len : hl);
	snprintf((char *)b + 8, hl + 1, "%s", header); /* its NUL: on data byte 0, or the spare byte */
	for (size_t i = 0; i < nbytes; i++)
		b[8 + hl + i] = (unsigned char)i;
	check_write(name, b, 8 + hl + nbytes);
	free(b);
}

static void test_f16_every_pattern(void)
{
	for (uint32_t h = 0; h < 65536; h++) {
		int sign = (int)(h >> 15), e = (int)((h >> 10) & 31), man = (int)(h & 1023);
		double want;
		if (e == 31)
			want = man ? NAN : INFINITY;
		else if (e == 0)
			want = ldexp(man, -24);
		else
			want = ldexp(1024 + man, e - 25);
		if (sign)
			want = -want;
		float got = lmrec_f16_to_f32((uint16_t)h);
		if (isnan(want)) {
			CHECK(isnan(got));
		} else if (got != (float)want || !signbit(got) != !signbit(want)) {
			check_fail(__FILE__, __LINE__, "half 0x%04x gives %.9g, expected %.9g", h, got,
				   want);
			return;
		}
	}
	CHECK(lmrec_f16_to_f32(0x3c00) == 1.0f);
	CHECK(lmrec_f16_to_f32(0x7bff) == 65504.0f);
	CHECK(lmrec_f16_to_f32(0x0001) == 0x1p-24f);
	CHECK(lmrec_f16_to_f32(0xc000) == -2.0f);
}

static void test_bf16(void)
{
	CHECK(lmrec_bf16_to_f32(0x3f80) == 1.0f);
	CHECK(lmrec_bf16_to_f32(0xc040) == -3.0f);
	CHECK(lmrec_bf16_to_f32(0x3e20) == 0.15625f);
	CHECK(lmrec_bf16_to_f32(0x0001) == 0x1p-133f);
	CHECK(isinf(lmrec_bf16_to_f32(0x7f80)));
	for (uint32_t h = 0; h < 65536; h += 257) {
		float f = lmrec_bf16_to_f32((uint16_t)h);
		uint32_t bits;
		memcpy(&bits, &f, 4);
		CHECK_U64(bits, h << 16);
	}
}

static void test_round_trip(void)
{
	check_tmpdir();
	unsigned char f32[4 * 6], f16[2 * 3], bf16[2 * 2], f64[8 * 2], i64[8], u8[1];
	const float fv[6] = {1.5f, -2.25f, 0.0f, 1e-30f, 3e38f, -0.0f};
	for (size_t i = 0; i < 6; i++) {
		uint32_t u;
		memcpy(&u, &fv[i], 4);
		lmrec_put_le32(f32 + 4 * i, u);
	}
	const uint16_t hv[3] = {0x3c00, 0x0001, 0xfbff}, bv[2] = {0x3f80, 0xbe20};
	for (size_t i = 0; i < 3; i++) {
		f16[2 * i] = hv[i] & 0xff;
		f16[2 * i + 1] = hv[i] >> 8;
	}
	for (size_t i = 0; i < 2; i++) {
		bf16[2 * i] = bv[i] & 0xff;
		bf16[2 * i + 1] = bv[i] >> 8;
	}
	const double dv[2] = {0.1, -1e30};
	for (size_t i = 0; i < 2; i++) {
		uint64_t u;
		memcpy(&u, &dv[i], 8);
		lmrec_put_le64(f64 + 8 * i, u);
	}
	lmrec_put_le64(i64, 7);
	u8[0] = 9;
	size_t s23[2] = {2, 3}, s3[1] = {3}, s12[2] = {1, 2}, s2[1] = {2}, s0[2] = {4, 0};
	struct lmrec_st_out t[] = {
		{"w", LMREC_ST_F32, 2, s23, f32},   {"half", LMREC_ST_F16, 1, s3, f16},
		{"bf", LMREC_ST_BF16, 2, s12, bf16}, {"dbl", LMREC_ST_F64, 1, s2, f64},
		{"ids", LMREC_ST_I64, 0, NULL, i64}, {"empty", LMREC_ST_F32, 2, s0, ""},
		{"flag", LMREC_ST_U8, 1, (size_t[]){1}, u8},
	};
	const char *meta[] = {"format", "pt", "note", "a\tb"};
	lmrec_safetensors_write("rt.safetensors", t, sizeof t / sizeof *t, meta, 2);
	size_t len;
	char *raw = check_slurp("rt.safetensors", &len);
	CHECK_U64(lmrec_get_le64((unsigned char *)raw) % 8, 0);
	CHECK_U64(len, 8 + lmrec_get_le64((unsigned char *)raw) + 24 + 6 + 4 + 16 + 8 + 0 + 1);
	static const char head[] = "{\"__metadata__\":{\"format\":\"pt\",\"note\":\"a\\tb\"},\"w\":";
	CHECK(strncmp(raw + 8, head, sizeof head - 1) == 0);
	free(raw);

	struct lmrec_safetensors *st = lmrec_safetensors_open("rt.safetensors");
	CHECK_U64(st->n, 7);
	CHECK_STR(lmrec_safetensors_meta(st, "format"), "pt");
	CHECK_STR(lmrec_safetensors_meta(st, "note"), "a\tb");
	CHECK(lmrec_safetensors_meta(st, "nope") == NULL);
	CHECK(lmrec_safetensors_find(st, "nope") == NULL);
	const struct lmrec_st_tensor *w = lmrec_safetensors_get(st, "w", 2, s23);
	CHECK_U64(w->nelem, 6);
	CHECK_U64(w->begin, 0);
	CHECK_U64(w->end, 24);
	float got[6];
	lmrec_safetensors_read_f32(st, w, got);
	CHECK(check_same_bits(got, fv, sizeof fv));
	lmrec_safetensors_read_f32(st, lmrec_safetensors_get(st, "half", 1, s3), got);
	CHECK(got[0] == 1.0f && got[1] == 0x1p-24f && got[2] == -65504.0f);
	lmrec_safetensors_read_f32(st, lmrec_safetensors_get(st, "bf", 2, s12), got);
	CHECK(got[0] == 1.0f && got[1] == -0.15625f);
	lmrec_safetensors_read_f32(st, lmrec_safetensors_get(st, "dbl", 1, s2), got);
	CHECK(got[0] == 0.1f && got[1] == -1e30f);
	const struct lmrec_st_tensor *ids = lmrec_safetensors_get(st, "ids", 0, NULL);
	CHECK_U64(ids->nelem, 1);
	CHECK_U64(ids->nbytes, 8);
	CHECK_U64(lmrec_get_le64(ids->data), 7);
	const struct lmrec_st_tensor *e = lmrec_safetensors_get(st, "empty", 2, s0);
	CHECK_U64(e->nelem, 0);
	CHECK_U64(e->begin, e->end);
	lmrec_safetensors_read_f32(st, e, got);
	CHECK_STR(lmrec_st_dtype_name(LMREC_ST_BF16), "BF16");
	CHECK_STR(lmrec_st_dtype_name(99), "unknown");
	CHECK_U64(lmrec_st_dtype_size(LMREC_ST_F64), 8);
	lmrec_safetensors_close(st);
	lmrec_safetensors_close(NULL);
}

static void child_open(void *arg)
{
	struct lmrec_safetensors *st = lmrec_safetensors_open(arg);
	lmrec_safetensors_close(st);
}

/* A refusal: file made from header (and nbytes of data), exit status and
 * message checked. */
static void refused_at(int line, const char *header, const uint64_t *len, size_t nbytes,
		       int status, const char *want)
{
	char err[1024];
	write_raw("bad.safetensors", header, len, nbytes);
	int got = check_child(child_open, "bad.safetensors", err, sizeof err);
	if (got != status)
		check_fail(__FILE__, line, "exit %d, expected %d (%s)", got, status, err);
	if (strcmp(err, want) != 0)
		check_fail(__FILE__, line, "message\n#   '%s'\n# expected\n#   '%s'", err, want);
}
#define REFUSED(header, nbytes, want)                                                              \
	refused_at(__LINE__, header, NULL, nbytes, 65, "safetensors: bad.safetensors: " want)

static void test_refusals(void)
{
	char err[512];
	check_tmpdir();
	check_write("short.safetensors", "\x10\0\0", 3);
	CHECK_INT(check_child(child_open, "short.safetensors", err, sizeof err), 65);
	CHECK_STR(err, "safetensors: short.safetensors: not a safetensors file (3 bytes, shorter "
		       "than the 8-byte header length)");
	CHECK_INT(check_child(child_open, "none.safetensors", err, sizeof err), 1);
	CHECK_STR(err, "safetensors: none.safetensors: open: No such file or directory");
	CHECK_INT(check_child(child_open, ".", err, sizeof err), 1);
	CHECK_STR(err, "safetensors: .: not a regular file");

	/* the header length lies */
	refused_at(__LINE__, "{}", &(uint64_t){1000}, 4, 65,
		   "safetensors: bad.safetensors: header length 1000 runs past the end of the file "
		   "(14 bytes)");
	refused_at(__LINE__, "{}", &(uint64_t){UINT64_MAX}, 0, 65,
		   "safetensors: bad.safetensors: header length 18446744073709551615 runs past the "
		   "end of the file (10 bytes)");
	REFUSED("{\"a\":", 0,
		"the header is not valid JSON: unexpected token near end of file (byte 5 of the "
		"header)");
	REFUSED("{\"a\": {}} x", 0,
		"the header is not valid JSON: end of file expected near 'x' (byte 11 of the header)");
	REFUSED("[1, 2]", 0, "the header is not a JSON object");
	REFUSED("{\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},"
		"\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[4,8]}}",
		8, "the header is not valid JSON: duplicate object key near '\"a\"' (byte 56 of the "
		   "header)");
	REFUSED("{\"a\":[1]}", 0, "tensor 'a': the entry is not a JSON object");
	REFUSED("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4,
		"tensor 'a': 'dtype' is missing or not a string");
	REFUSED("{\"a\":{\"dtype\":\"F128\",\"shape\":[1],\"data_offsets\":[0,16]}}", 16,
		"tensor 'a': unknown dtype 'F128'");
	REFUSED("{\"a\\nb\":{\"dtype\":\"f32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4,
		"tensor 'a?b': unknown dtype 'f32'");
	REFUSED("{\"a\":{\"dtype\":\"F32\",\"shape\":4,\"data_offsets\":[0,16]}}", 16,
		"tensor 'a': 'shape' is missing or not a list");
	REFUSED("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,-2],\"data_offsets\":[0,16]}}", 16,
		"tensor 'a': 'shape' holds something other than a non-negative integer");
	REFUSED("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,2.0],\"data_offsets\":[0,16]}}", 16,
		"tensor 'a': 'shape' holds something other than a non-negative integer");
	REFUSED("{\"a\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296],"
		"\"data_offsets\":[0,16]}}",
		16, "tensor 'a': shape [4294967296, 4294967296] is too large");
	REFUSED("{\"a\":{\"dtype\":\"F32\",\"shape\":[4]}}", 16,
		"tensor 'a': 'data_offsets' is missing or not two non-negative integers");
	REFUSED("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16,32]}}", 16,
		"tensor 'a': 'data_offsets' is missing or not two non-negative integers");
	REFUSED("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[16,0]}}", 16,
		"tensor 'a': data_offsets [16, 0] run backwards");
	/* offsets outside the file */
	REFUSED("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 12,
		"tensor 'a': data_offsets [0, 16] run past the end of the file (12 bytes of data)");
	REFUSED("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,9223372036854775807]}}",
		16, "tensor 'a': data_offsets [0, 9223372036854775807] run past the end of the file (16 "
		    "bytes of data)");
	/* offsets that do not match the shape */
	REFUSED("{\"a\":{\"dtype\":\"F16\",\"shape\":[2,3],\"data_offsets\":[0,16]}}", 16,
		"tensor 'a': data_offsets [0, 16] hold 16 bytes, shape [2, 3] of F16 needs 12");
	/* overlapping tensors, holes, bytes left over */
	REFUSED("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
		"\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
		12, "tensors 'a' and 'b' overlap (bytes 4 to 8)");
	REFUSED("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
		"\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}",
		20, "bytes 8 to 12 of the data belong to no tensor");
	REFUSED("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 10,
		"bytes 8 to 10 of the data belong to no tensor");
	REFUSED("{\"__metadata__\":[\"pt\"]}", 0, "'__metadata__' is not a JSON object");
	REFUSED("{\"__metadata__\":{\"format\":1}}", 0,
		"'__metadata__': the value of 'format' is not a string");
	/* what is fine: an empty header, an empty tensor, trailing spaces */
	refused_at(__LINE__, "{}  ", NULL, 0, 0, "");
	refused_at(__LINE__,
		   "{\"z\":{\"dtype\":\"BOOL\",\"shape\":[0],\"data_offsets\":[0,0]},"
		   "\"a\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[0,3]}}   ",
		   NULL, 3, 0, "");
}

static void child_get(void *arg)
{
	struct lmrec_safetensors *st = check_keep(lmrec_safetensors_open("t.safetensors"));
	size_t s23[2] = {2, 3};
	const char *what = arg;
	if (strcmp(what, "missing") == 0)
		lmrec_safetensors_get(st, "b", 2, s23);
	else if (strcmp(what, "shape") == 0)
		lmrec_safetensors_get(st, "w", 2, s23);
	else if (strcmp(what, "rank") == 0)
		lmrec_safetensors_get(st, "w", 1, s23);
	else {
		float *dst = check_keep(lmrec_xcalloc(6, sizeof *dst));
		lmrec_safetensors_read_f32(st, lmrec_safetensors_find(st, what), dst);
	}
	lmrec_safetensors_close(st);
}

static void test_tensor_refusals(void)
{
	char err[512];
	check_tmpdir();
	unsigned char w[24] = {0}, ids[16] = {0}, nan[8] = {0}, big[8] = {0};
	lmrec_put_le32(nan + 4, 0x7fc00000u);
	uint64_t u;
	double d = 1e39;
	memcpy(&u, &d, 8);
	lmrec_put_le64(big, u);
	size_t s32[2] = {3, 2}, s2[1] = {2}, s1[1] = {1};
	struct lmrec_st_out t[] = {{"w", LMREC_ST_F32, 2, s32, w},
				   {"ids", LMREC_ST_I64, 1, s2, ids},
				   {"nan", LMREC_ST_F32, 1, s2, nan},
				   {"big", LMREC_ST_F64, 1, s1, big}};
	lmrec_safetensors_write("t.safetensors", t, 4, NULL, 0);
	CHECK_INT(check_child(child_get, "missing", err, sizeof err), 65);
	CHECK_STR(err, "safetensors: t.safetensors: tensor 'b' is missing");
	CHECK_INT(check_child(child_get, "shape", err, sizeof err), 65);
	CHECK_STR(err, "safetensors: t.safetensors: tensor 'w' has shape [3, 2], expected [2, 3]");
	CHECK_INT(check_child(child_get, "rank", err, sizeof err), 65);
	CHECK_STR(err, "safetensors: t.safetensors: tensor 'w' has shape [3, 2], expected [2]");
	CHECK_INT(check_child(child_get, "w", err, sizeof err), 0);
	CHECK_INT(check_child(child_get, "ids", err, sizeof err), 65);
	CHECK_STR(err, "safetensors: t.safetensors: tensor 'ids': dtype I64, expected a float type "
		       "(F32, F16, BF16 or F64)");
	CHECK_INT(check_child(child_get, "nan", err, sizeof err), 65);
	CHECK_STR(err, "safetensors: t.safetensors: tensor 'nan': element 1 is not a finite float");
	CHECK_INT(check_child(child_get, "big", err, sizeof err), 65);
	CHECK_STR(err, "safetensors: t.safetensors: tensor 'big': element 0 is not a finite float");
}

int main(void)
{
	lmrec_setprogname("safetensors");
	CHECK_RUN(test_f16_every_pattern);
	CHECK_RUN(test_bf16);
	CHECK_RUN(test_round_trip);
	CHECK_RUN(test_refusals);
	CHECK_RUN(test_tensor_refusals);
	return check_done();
}

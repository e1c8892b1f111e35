/* Unit tests of lib/unicode.c: UTF-8 decoding on random bytes against a
 * slow reference (never past the end, the maximal-subpart replacement),
 * encoding round trips, character classes, lower-casing, case folding,
 * decomposition and composition on known characters; and, given the
 * Unicode NormalizationTest.txt on standard input (unit.bats passes it when
 * the unicode-data package is installed), NFD and NFC conformance.
 *
 *   tests/unit/unicode [--normalization-test < NormalizationTest.txt] */
#include "check.h"
#include "unicode.h"
#include "utf8.h"

/* The number of bytes the lead byte c announces, or 0. */
static size_t lead_length(unsigned c)
{
	return c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
		: c >= 0xF0 && c <= 0xF4 ? 4 : 0;
}

/* Slow reference of one decoding step at s[i], through the validator of
 * lib/utf8.c: the length of the longest prefix of a valid sequence there
 * (a whole sequence: its code point; a cut one: U+FFFD). */
static uint32_t ref_decode(const unsigned char *s, size_t len, size_t i, size_t *step)
{
	size_t need = lead_length(s[i]);
	if (need == 0) {
		*step = 1;
		return 0xFFFD;
	}
	if (need <= len - i && lmrec_utf8_valid((const char *)s + i, need, NULL)) {
		*step = need;
		uint32_t v = need == 1 ? s[i] : s[i] & (0x7F >> need);
		for (size_t k = 1; k < need; k++)
			v = v << 6 | (s[i + k] & 0x3F);
		return v;
	}
	/* the longest m < need whose bytes, padded with continuation bytes
	 * 0x80 (always allowed after the second byte), would be valid */
	size_t m = 1;
	for (size_t t = 2; t < need && i + t <= len; t++) {
		unsigned char pad[4];
		memcpy(pad, s + i, t);
		memset(pad + t, 0x80, need - t);
		if (!lmrec_utf8_valid((const char *)pad, need, NULL))
			break;
		m = t;
	}
	*step = m;
	return 0xFFFD;
}

static void test_decode_random(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 42);
	size_t steps = 0, replaced = 0, bad = 0;
	for (int round = 0; round < 20000; round++) {
		size_t len = 1 + (size_t)lmrec_rng_below(&rng, 24);
		/* an exact allocation: AddressSanitizer sees any read past it */
		unsigned char *s = lmrec_xmalloc(len);
		for (size_t k = 0; k < len; k++) {
			/* bytes near the boundaries of the encoding are the interesting ones */
			static const unsigned char pick[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F,
							     0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0,
							     0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF};
			s[k] = lmrec_rng_below(&rng, 2) ? pick[lmrec_rng_below(&rng, sizeof pick)]
							: (unsigned char)lmrec_rng_below(&rng, 256);
		}
		size_t i = 0;
		while (i < len) {
			size_t at = i, step;
			uint32_t c = lmrec_uc_decode((const char *)s, len, &i);
			uint32_t want = ref_decode(s, len, at, &step);
			bad += c != want || i != at + step || i > len;
			bad += c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF);
			replaced += c == 0xFFFD;
			steps++;
		}
		free(s);
	}
	printf("# %zu decoding steps, %zu replacements\n", steps, replaced);
	CHECK_U64(bad, 0);
	CHECK(replaced > 1000);
}

static void test_encode_round_trip(void)
{
	size_t bad = 0;
	for (uint32_t c = 0; c <= 0x10FFFF; c++) {
		if (c >= 0xD800 && c <= 0xDFFF)
			continue;
		char buf[4];
		size_t n = lmrec_uc_encode(c, buf), i = 0;
		bad += !lmrec_utf8_valid(buf, n, NULL);
		bad += lmrec_uc_decode(buf, n, &i) != c || i != n;
	}
	CHECK_U64(bad, 0);
	/* a string of valid text decodes and re-encodes to itself */
	const char *s = "Straße ΟΔΟΣ москва 北京 한국 🌶️ e\xcc\x81";
	struct lmrec_ucs u = {0};
	lmrec_ucs_from_utf8(&u, s, strlen(s));
	char out[256];
	size_t o = 0;
	for (size_t k = 0; k < u.n; k++)
		o += lmrec_uc_encode(u.cp[k], out + o);
	CHECK_MEM(out, o, s, strlen(s));
	lmrec_ucs_free(&u);
}

static void test_classes(void)
{
	CHECK_STR(lmrec_uc_version(), "15.0.0");
	CHECK_INT(lmrec_uc_class('a'), LMREC_UC_LETTER);
	CHECK_INT(lmrec_uc_class('7'), LMREC_UC_DIGIT);
	CHECK_INT(lmrec_uc_class(0x0663), LMREC_UC_DIGIT);      /* ٣ */
	CHECK_INT(lmrec_uc_class(0x00BD), LMREC_UC_NUMBER);     /* ½ */
	CHECK_INT(lmrec_uc_class(','), LMREC_UC_PUNCT);
	CHECK_INT(lmrec_uc_class('$'), LMREC_UC_SYMBOL);
	CHECK_INT(lmrec_uc_class(0x2014), LMREC_UC_PUNCT);      /* — */
	CHECK_INT(lmrec_uc_class(0x3002), LMREC_UC_PUNCT);      /* 。 */
	CHECK_INT(lmrec_uc_class(0x1F336), LMREC_UC_SYMBOL);    /* 🌶 */
	CHECK_INT(lmrec_uc_class(0x0301), LMREC_UC_MARK);
	CHECK_INT(lmrec_uc_class(0xFE0F), LMREC_UC_MARK);       /* variation selector */
	CHECK_INT(lmrec_uc_class(0x0903), LMREC_UC_MARK_SPACING);
	CHECK_INT(lmrec_uc_class(' '), LMREC_UC_SPACE);
	CHECK_INT(lmrec_uc_class(0x00A0), LMREC_UC_SPACE);
	CHECK_INT(lmrec_uc_class(0x3000), LMREC_UC_SPACE);
	CHECK_INT(lmrec_uc_class(0x2028), LMREC_UC_LINESEP);
	CHECK_INT(lmrec_uc_class('\t'), LMREC_UC_CONTROL);
	CHECK_INT(lmrec_uc_class(0x200D), LMREC_UC_FORMAT);     /* ZWJ */
	CHECK_INT(lmrec_uc_class(0x00AD), LMREC_UC_FORMAT);     /* soft hyphen */
	CHECK_INT(lmrec_uc_class(0xE000), LMREC_UC_OTHER);      /* private use */
	CHECK_INT(lmrec_uc_class(0x0378), LMREC_UC_OTHER);      /* unassigned */
	CHECK_INT(lmrec_uc_class(0x110000), LMREC_UC_OTHER);
	CHECK_INT(lmrec_uc_class(0x4E00), LMREC_UC_LETTER);
	CHECK_INT(lmrec_uc_class(0x323AF), LMREC_UC_LETTER);    /* end of extension H */
	CHECK(lmrec_uc_props('A') & LMREC_UC_CASED);
	CHECK(!(lmrec_uc_props('1') & LMREC_UC_CASED));
	CHECK(lmrec_uc_props('\'') & LMREC_UC_CASE_IGNORABLE);
	CHECK(lmrec_uc_props(0x0301) & LMREC_UC_CASE_IGNORABLE);
	CHECK(lmrec_uc_is_cjk(0x4E2D) && lmrec_uc_is_cjk(0x3400) && lmrec_uc_is_cjk(0x20000));
	CHECK(!lmrec_uc_is_cjk(0x30A2) && !lmrec_uc_is_cjk(0xAC00) && !lmrec_uc_is_cjk('a'));
	/* the ASCII table and the bisection agree */
	for (uint32_t c = 0; c < 0x80; c++) {
		unsigned k = lmrec_uc_props(c) & LMREC_UC_CLASS_MASK;
		int letter = (c | 32) >= 'a' && (c | 32) <= 'z';
		CHECK(letter == (k == LMREC_UC_LETTER));
	}
}

static void test_case(void)
{
	CHECK_U64(lmrec_uc_lower('A'), 'a');
	CHECK_U64(lmrec_uc_lower(0x00C9), 0x00E9); /* É */
	CHECK_U64(lmrec_uc_lower(0x03A3), 0x03C3); /* Σ */
	CHECK_U64(lmrec_uc_lower(0x0401), 0x0451); /* Ё */
	CHECK_U64(lmrec_uc_lower(0x0130), 'i');    /* İ: the simple mapping */
	CHECK_U64(lmrec_uc_lower(0x1E9E), 0x00DF); /* ẞ */
	CHECK_U64(lmrec_uc_lower(0x00DF), 0x00DF); /* ß has no lower case */
	CHECK_U64(lmrec_uc_lower(0x4E00), 0x4E00);
	uint32_t f[LMREC_UC_FOLD_MAX];
	CHECK_U64(lmrec_uc_fold(0x00DF, f), 2);
	CHECK(f[0] == 's' && f[1] == 's');
	CHECK_U64(lmrec_uc_fold(0x1E9E, f), 2);
	CHECK(f[0] == 's' && f[1] == 's');
	CHECK_U64(lmrec_uc_fold(0x03C2, f), 1); /* ς -> σ */
	CHECK_U64(f[0], 0x03C3);
	CHECK_U64(lmrec_uc_fold(0xFB03, f), 3); /* ﬃ */
	CHECK(f[0] == 'f' && f[1] == 'f' && f[2] == 'i');
	CHECK_U64(lmrec_uc_fold(0x0390, f), 3); /* ΐ */
	CHECK_U64(lmrec_uc_fold('Q', f), 1);
	CHECK_U64(f[0], 'q');
}

static void test_decompose_compose(void)
{
	uint32_t d[LMREC_UC_DECOMP_MAX];
	CHECK_U64(lmrec_uc_decompose(0x00E9, d), 2); /* é */
	CHECK(d[0] == 'e' && d[1] == 0x0301);
	CHECK_U64(lmrec_uc_decompose(0x1EC7, d), 3); /* ệ = e + dot below + circumflex */
	CHECK(d[0] == 'e' && d[1] == 0x0323 && d[2] == 0x0302);
	CHECK_U64(lmrec_uc_decompose(0xD55C, d), 3); /* 한 */
	CHECK(d[0] == 0x1112 && d[1] == 0x1161 && d[2] == 0x11AB);
	CHECK_U64(lmrec_uc_decompose(0xAC00, d), 2); /* 가 */
	CHECK_U64(lmrec_uc_decompose(0x212B, d), 2); /* angstrom sign -> Å -> A + ring */
	CHECK(d[0] == 'A' && d[1] == 0x030A);
	CHECK_U64(lmrec_uc_decompose('x', d), 1);
	CHECK_U64(lmrec_uc_ccc(0x0301), 230);
	CHECK_U64(lmrec_uc_ccc(0x0323), 220);
	CHECK_U64(lmrec_uc_ccc('a'), 0);
	CHECK_U64(lmrec_uc_compose('e', 0x0301), 0x00E9);
	CHECK_U64(lmrec_uc_compose(0x1112, 0x1161), 0xD558);
	CHECK_U64(lmrec_uc_compose(0xD558, 0x11AB), 0xD55C);
	CHECK_U64(lmrec_uc_compose('A', 'B'), 0);
	CHECK_U64(lmrec_uc_compose(0x0308, 0x0301), 0); /* 0344 is excluded */
	/* marks typed in either order give one NFC */
	uint32_t a[] = {'e', 0x0302, 0x0323}, b[] = {'e', 0x0323, 0x0302}, c[] = {0x00EA, 0x0323};
	uint32_t *in[] = {a, b, c};
	size_t lens[] = {3, 3, 2};
	for (int k = 0; k < 3; k++) {
		struct lmrec_ucs u = {0};
		lmrec_ucs_append_nfd(&u, in[k], lens[k]);
		CHECK_U64(u.n, 3);
		CHECK(u.cp[1] == 0x0323 && u.cp[2] == 0x0302);
		u.n = lmrec_ucs_compose(u.cp, u.n);
		CHECK_U64(u.n, 1);
		CHECK_U64(u.cp[0], 0x1EC7);
		lmrec_ucs_free(&u);
	}
	/* a run of marks that starts before an append is reordered whole */
	struct lmrec_ucs u = {0};
	uint32_t first[] = {'a', 0x0301}, second[] = {0x0323};
	lmrec_ucs_append_nfd(&u, first, 2);
	lmrec_ucs_append_nfd(&u, second, 1);
	CHECK(u.n == 3 && u.cp[1] == 0x0323 && u.cp[2] == 0x0301);
	lmrec_ucs_free(&u);
}

/* One field of NormalizationTest.txt: hex code points separated by spaces. */
static size_t parse_field(const char *p, const char *end, struct lmrec_ucs *u)
{
	lmrec_ucs_clear(u);
	while (p < end) {
		char *e;
		unsigned long v = strtoul(p, &e, 16);
		if (e == p)
			break;
		lmrec_ucs_push(u, (uint32_t)v);
		p = e;
		while (p < end && *p == ' ')
			p++;
	}
	return u->n;
}

/* Every line of part 0 to 3: NFD(c1) = NFD(c2) = NFD(c3) = c3 and
 * NFC(c1) = NFC(c2) = NFC(c3) = c2. */
static void test_normalization_file(void)
{
	char *line = NULL;
	size_t cap = 0, n = 0, bad = 0;
	struct lmrec_ucs col[3] = {{0}}, u = {0};
	while (getline(&line, &cap, stdin) > 0) {
		if (line[0] == '#' || line[0] == '@' || line[0] == '\n')
			continue;
		const char *p = line;
		for (int k = 0; k < 3; k++) {
			const char *semi = strchr(p, ';');
			if (!semi)
				break;
			parse_field(p, semi, &col[k]);
			p = semi + 1;
		}
		for (int k = 0; k < 3; k++) {
			lmrec_ucs_clear(&u);
			lmrec_ucs_append_nfd(&u, col[k].cp, col[k].n);
			bad += u.n != col[2].n || memcmp(u.cp, col[2].cp, u.n * sizeof *u.cp) != 0;
			u.n = lmrec_ucs_compose(u.cp, u.n);
			bad += u.n != col[1].n || memcmp(u.cp, col[1].cp, u.n * sizeof *u.cp) != 0;
		}
		n++;
	}
	free(line);
	for (int k = 0; k < 3; k++)
		lmrec_ucs_free(&col[k]);
	lmrec_ucs_free(&u);
	printf("# %zu lines of NormalizationTest.txt\n", n);
	CHECK(n > 10000);
	CHECK_U64(bad, 0);
}

int main(int argc, char **argv)
{
	lmrec_setprogname("unicode");
	if (argc > 1 && strcmp(argv[1], "--normalization-test") == 0) {
		CHECK_RUN(test_normalization_file);
		return check_done();
	}
	CHECK_RUN(test_decode_random);
	CHECK_RUN(test_encode_round_trip);
	CHECK_RUN(test_classes);
	CHECK_RUN(test_case);
	CHECK_RUN(test_decompose_compose);
	return check_done();
}

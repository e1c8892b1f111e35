/* Unit tests of lib/explain.c: the percent-encoding against a slow one
 * written here over random byte strings (and its round trip through the
 * TSV-escaped form), the refusals of the decoder and of the contrib
 * parser, and the shares and matched attributes against hand-computed
 * values and a brute-force version. */
#include <math.h>

#include "check.h"
#include "explain.h"

/* The text of an in-memory writer, NUL-terminated, and reset. */
static char *take(struct lmrec_out *o)
{
	char *s = lmrec_xmalloc(o->len + 1);
	memcpy(s, o->buf, o->len);
	s[o->len] = '\0';
	lmrec_out_mem_reset(o);
	return s;
}

/* The slow encoder: one byte at a time against the list of reserved
 * bytes the header gives. */
static void slow_encode(char *dst, const unsigned char *p, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f || strchr("%,:;=|*\\", p[i]) != NULL)
			n += (size_t)sprintf(dst + n, "%%%02X", p[i]);
		else
			dst[n++] = (char)p[i];
	}
	dst[n] = '\0';
}

/* The TSV-escaped form of p (what lmrec_out_field writes). */
static size_t tsv_escaped(char *dst, const unsigned char *p, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		switch (p[i]) {
		case '\t': dst[n++] = '\\'; dst[n++] = 't'; break;
		case '\n': dst[n++] = '\\'; dst[n++] = 'n'; break;
		case '\r': dst[n++] = '\\'; dst[n++] = 'r'; break;
		case '\\': dst[n++] = '\\'; dst[n++] = '\\'; break;
		default: dst[n++] = (char)p[i];
		}
	}
	return n;
}

static void test_encoding(void)
{
	struct lmrec_out *o = lmrec_out_open_mem();
	lmrec_explain_put_text(o, "item-7", 6);
	char *s = take(o);
	CHECK_STR(s, "item-7");
	free(s);
	lmrec_explain_put_text(o, "a,b:c;d=e|f*g%h\\i\tj", 19);
	s = take(o);
	CHECK_STR(s, "a%2Cb%3Ac%3Bd%3De%7Cf%2Ag%25h%5Ci%09j");
	free(s);
	/* put_name reads the TSV-escaped form */
	lmrec_explain_put_name(o, "x\\ty\\\\z\\n", 9);
	s = take(o);
	CHECK_STR(s, "x%09y%5Cz%0A");
	free(s);
	/* random strings: the slow encoder; decoding gives the escaped form */
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 42);
	size_t bad = 0;
	for (int round = 0; round < 2000; round++) {
		unsigned char raw[24];
		size_t len = lmrec_rng_below(&rng, sizeof raw);
		for (size_t i = 0; i < len; i++)
			raw[i] = (unsigned char)(lmrec_rng_below(&rng, 4) ? 32 + lmrec_rng_below(&rng, 96)
									  : lmrec_rng_below(&rng, 256));
		char want[3 * sizeof raw + 1], esc[2 * sizeof raw + 1], dec[6 * sizeof raw + 1];
		slow_encode(want, raw, len);
		size_t elen = tsv_escaped(esc, raw, len);
		lmrec_explain_put_name(o, esc, elen);
		s = take(o);
		long dlen = lmrec_explain_decode(dec, s, strlen(s));
		if (strcmp(s, want) != 0 || dlen != (long)elen || memcmp(dec, esc, elen) != 0)
			bad++;
		free(s);
	}
	CHECK_U64(bad, 0);
	lmrec_out_abort(o);
}

static void test_decode_refusals(void)
{
	char d[64];
	CHECK_INT(lmrec_explain_decode(d, "a%2Cb", 5), 3);
	CHECK(memcmp(d, "a,b", 3) == 0);
	CHECK_INT(lmrec_explain_decode(d, "a%2cb", 5), 3); /* lower case too */
	CHECK_INT(lmrec_explain_decode(d, "%09", 3), 2);
	CHECK(memcmp(d, "\\t", 2) == 0);
	CHECK_INT(lmrec_explain_decode(d, "", 0), 0);
	CHECK_INT(lmrec_explain_decode(d, "a%2", 3), -1);
	CHECK_INT(lmrec_explain_decode(d, "a%", 2), -1);
	CHECK_INT(lmrec_explain_decode(d, "a%G1", 4), -1);
	CHECK_INT(lmrec_explain_decode(d, "a,b", 3), -1);
	CHECK_INT(lmrec_explain_decode(d, "a\\tb", 4), -1);
	CHECK_INT(lmrec_explain_decode(d, "a=b", 3), -1);
}

static void test_parse_contrib(void)
{
	struct lmrec_contrib_entry *e = NULL;
	size_t n = 7, cap = 0;
	const char *why = NULL;
	CHECK_INT(lmrec_explain_parse_contrib("", 0, &e, &n, &cap, &why), 0);
	CHECK_U64(n, 0);
	const char *f = "i12:0.5,x%3Ay:-1e-3,z:3";
	CHECK_INT(lmrec_explain_parse_contrib(f, strlen(f), &e, &n, &cap, &why), 0);
	CHECK_U64(n, 3);
	if (n == 3) {
		CHECK_MEM(e[0].id, e[0].idlen, "i12", 3);
		CHECK(e[0].value == 0.5);
		CHECK_MEM(e[1].id, e[1].idlen, "x%3Ay", 5);
		CHECK(e[1].value == -1e-3);
		CHECK_MEM(e[2].id, e[2].idlen, "z", 1);
		CHECK(e[2].value == 3);
	}
	static const struct {
		const char *field, *why;
	} bad[] = {
		{"i12", "an entry has no ':'"},
		{":1", "an entry has an empty id"},
		{"a:1,", "the field ends with ','"},
		{"a:1,,b:2", "an entry has no ':'"},
		{"a:x", "an entry's value is not a finite number"},
		{"a:", "an entry's value is not a finite number"},
		{"a:nan", "an entry's value is not a finite number"},
		{"a:inf", "an entry's value is not a finite number"},
	};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		why = NULL;
		CHECK_INT(lmrec_explain_parse_contrib(bad[k].field, strlen(bad[k].field), &e, &n, &cap, &why), -1);
		CHECK_STR(why ? why : "(none)", bad[k].why);
	}
	free(e);
}

/* The shares by brute force: every item of every part, summed, then a
 * selection sort by share and id. */
static size_t slow_shares(const struct lmrec_explain_part *p, size_t np, const struct lmrec_ids *items,
			  struct lmrec_explain_share *out)
{
	size_t ni = lmrec_ids_count(items), n = 0;
	double *sum = lmrec_xcalloc(ni + 1, sizeof *sum);
	unsigned char *in = lmrec_xcalloc(ni + 1, 1);
	for (size_t c = 0; c < np; c++)
		for (size_t j = 0; j < p[c].nhist && p[c].score != 0; j++) {
			sum[p[c].hist[j]] += p[c].weight * p[c].feature * p[c].contrib[j] / fabs(p[c].score);
			in[p[c].hist[j]] = 1;
		}
	for (;;) {
		size_t best = ni;
		for (size_t i = 0; i < ni; i++) {
			if (!in[i])
				continue;
			size_t lb, li;
			const char *sb = best < ni ? lmrec_ids_str(items, (uint32_t)best, &lb) : NULL;
			const char *si = lmrec_ids_str(items, (uint32_t)i, &li);
			if (best == ni || sum[i] > sum[best] ||
			    (sum[i] == sum[best] && strcmp(si, sb) < 0))
				best = i;
		}
		if (best == ni)
			break;
		out[n++] = (struct lmrec_explain_share){(uint32_t)best, sum[best]};
		in[best] = 0;
	}
	free(sum);
	free(in);
	return n;
}

static void test_shares(void)
{
	struct lmrec_ids *items = lmrec_ids_new();
	/* interned out of byte order: index order is not id order */
	const char *names[] = {"h3", "h1", "h2", "h4"};
	for (size_t i = 0; i < 4; i++)
		lmrec_ids_intern(items, names[i], 2);
	/* knn: 1 * 0.5 / 2 shares h1 (idx 1) 1.5, h2 (2) 0.5; ease: 2 * 1 / |-4|
	 * shares h2 2, h3 (0) -1; popular nothing; a score 0 nothing */
	uint32_t k1[] = {1, 2}, k2[] = {2, 0}, k3[] = {3};
	double c1[] = {1.5, 0.5}, c2[] = {2, -1}, c3[] = {5};
	struct lmrec_explain_part p[] = {
		{1, 0.5, 2, k1, c1, 2},
		{2, 1, -4, k2, c2, 2},
		{1, 1, 100, NULL, NULL, 0},
		{1, 1, 0, k3, c3, 1},
	};
	struct lmrec_explain_share out[8];
	size_t n = lmrec_explain_shares(p, 4, items, out);
	CHECK_U64(n, 3);
	if (n == 3) {
		CHECK_U64(out[0].item, 2);
		CHECK(fabs(out[0].share - (0.125 + 1.0)) < 1e-12);
		CHECK_U64(out[1].item, 1);
		CHECK(fabs(out[1].share - 0.375) < 1e-12);
		CHECK_U64(out[2].item, 0);
		CHECK(fabs(out[2].share + 0.5) < 1e-12);
	}
	/* ties go to the id in byte order: h1 before h4 though interned after */
	uint32_t t1[] = {3, 1};
	double tc[] = {1, 1};
	struct lmrec_explain_part tp = {1, 1, 1, t1, tc, 2};
	n = lmrec_explain_shares(&tp, 1, items, out);
	CHECK_U64(n, 2);
	CHECK_U64(out[0].item, 1);
	CHECK_U64(out[1].item, 3);
	lmrec_ids_free(items);

	/* random parts against the brute force */
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 7);
	items = lmrec_ids_new();
	for (size_t i = 0; i < 30; i++) {
		char *s = lmrec_xasprintf("i%zu", (i * 7919) % 30);
		lmrec_ids_intern(items, s, strlen(s));
		free(s);
	}
	size_t bad = 0;
	for (int round = 0; round < 300; round++) {
		struct lmrec_explain_part rp[4];
		uint32_t h[4][5];
		double v[4][5];
		size_t np = 1 + lmrec_rng_below(&rng, 4);
		for (size_t c = 0; c < np; c++) {
			rp[c].weight = (double)lmrec_rng_below(&rng, 3);
			rp[c].feature = 1.0 / (1 + (double)lmrec_rng_below(&rng, 5));
			rp[c].score = (double)lmrec_rng_below(&rng, 9) - 2;
			rp[c].nhist = lmrec_rng_below(&rng, 6);
			for (size_t j = 0; j < rp[c].nhist; j++) {
				h[c][j] = (uint32_t)lmrec_rng_below(&rng, 8);
				for (size_t q = 0; q < j; q++)
					if (h[c][q] == h[c][j]) /* an item once in a channel */
						h[c][j] = (uint32_t)(8 + j);
				v[c][j] = (double)lmrec_rng_below(&rng, 5) - 1;
			}
			rp[c].hist = h[c];
			rp[c].contrib = v[c];
		}
		struct lmrec_explain_share a[24], b[24];
		size_t na = lmrec_explain_shares(rp, np, items, a), nb = slow_shares(rp, np, items, b);
		if (na != nb)
			bad++;
		for (size_t k = 0; k < na && na == nb; k++)
			if (a[k].item != b[k].item || fabs(a[k].share - b[k].share) > 1e-12)
				bad++;
	}
	CHECK_U64(bad, 0);
	lmrec_ids_free(items);
}

static void test_attrs(void)
{
	const char *item = "category=drama;genre=Drama;mood=calm;genre=Drama;mood=a=b;bare";
	const char *others[] = {"genre=Drama;mood=calm", "mood=calm;category=drama", "genre=Drama", NULL,
				"mood=a=b"};
	double share[] = {0.5, 0.25, -1, 3, 0};
	struct lmrec_explain_attr out[8];
	size_t n = lmrec_explain_attrs(item, others, share, 5, out);
	/* mood=calm 0.75, genre=Drama 0.5, category=drama 0.25; the repeat,
	 * mood=a=b (share 0) and the pair without '=' are not listed */
	CHECK_U64(n, 3);
	if (n == 3) {
		CHECK_MEM(out[0].p, out[0].len, "mood=calm", 9);
		CHECK(out[0].weight == 0.75);
		CHECK_MEM(out[1].p, out[1].len, "genre=Drama", 11);
		CHECK(out[1].weight == 0.5);
		CHECK_MEM(out[2].p, out[2].len, "category=drama", 14);
		CHECK(out[2].weight == 0.25);
	}
	CHECK_U64(lmrec_explain_attrs(NULL, others, share, 5, out), 0);
	CHECK_U64(lmrec_explain_attrs(item, others, share, 0, out), 0);
	/* equal weights keep the item's order */
	const char *o2[] = {"b=2;a=1"};
	double s2[] = {1};
	n = lmrec_explain_attrs("a=1;b=2", o2, s2, 1, out);
	CHECK_U64(n, 2);
	CHECK_MEM(out[0].p, out[0].len, "a=1", 3);
}

int main(void)
{
	CHECK_RUN(test_encoding);
	CHECK_RUN(test_decode_refusals);
	CHECK_RUN(test_parse_contrib);
	CHECK_RUN(test_shares);
	CHECK_RUN(test_attrs);
	return check_done();
}

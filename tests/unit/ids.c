/* Unit tests of lib/ids.c: interning, lookup, byte-order sorting, against
 * slow obviously correct references. */
#include <sys/resource.h>

#include "check.h"

/* The id of number i: short similar strings, as real ids are. */
static size_t id_text(char *buf, uint64_t i) { return (size_t)sprintf(buf, "u%" PRIu64, i); }

static void test_round_trip_2m(void)
{
	enum { N = 2000000 };
	struct lmrec_ids *ids = lmrec_ids_new();
	CHECK_U64(lmrec_ids_count(ids), 0);
	CHECK_INT(lmrec_ids_find(ids, "u1", 2), -1);
	char buf[32];
	double t0 = lmrec_now();
	size_t bad = 0;
	for (uint64_t i = 0; i < N; i++) {
		size_t n = id_text(buf, i);
		bad += lmrec_ids_intern(ids, buf, n) != i; /* order of first appearance */
	}
	/* interning again finds the same indices, adds nothing */
	for (uint64_t i = 0; i < N; i += 3) {
		size_t n = id_text(buf, i);
		bad += lmrec_ids_intern(ids, buf, n) != i;
	}
	double t1 = lmrec_now();
	CHECK_U64(bad, 0);
	CHECK_U64(lmrec_ids_count(ids), N);
	for (uint64_t i = 0; i < N; i++) {
		size_t n = id_text(buf, i), len;
		const char *s = lmrec_ids_str(ids, (uint32_t)i, &len);
		bad += len != n || memcmp(s, buf, n) != 0 || s[n] != '\0';
		bad += lmrec_ids_find(ids, buf, n) != (int64_t)i;
	}
	CHECK_U64(bad, 0);
	/* absent ids: prefixes, longer, other letters */
	CHECK_INT(lmrec_ids_find(ids, "u", 1), -1);
	CHECK_INT(lmrec_ids_find(ids, "u2000000", 8), -1);
	CHECK_INT(lmrec_ids_find(ids, "v1", 2), -1);
	CHECK_INT(lmrec_ids_find(ids, "u01", 3), -1);
	/* sane cost: a few seconds at most even under sanitizers, and memory
	 * about what ids.h promises (~24 bytes an id plus text) */
	printf("# 2M ids interned in %.2f s\n", t1 - t0);
	CHECK(t1 - t0 < 30.0);
	size_t bytes = ids->nslots * sizeof *ids->slots +
		       ids->cap * (sizeof *ids->str + sizeof *ids->len + sizeof *ids->hash);
	printf("# table and arrays: %.1f bytes an id\n", (double)bytes / N);
	CHECK(bytes / N <= 48); /* power-of-two slack on the arrays included */
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		printf("# peak RSS %ld MiB\n", ru.ru_maxrss / 1024);
	lmrec_ids_free(ids);
	lmrec_ids_free(NULL);
}

static void test_special_ids(void)
{
	struct lmrec_ids *ids = lmrec_ids_new();
	/* the empty string is an id like any other */
	CHECK_U64(lmrec_ids_intern(ids, "", 0), 0);
	CHECK_U64(lmrec_ids_intern(ids, "a", 1), 1);
	CHECK_U64(lmrec_ids_intern(ids, "", 0), 0);
	CHECK_INT(lmrec_ids_find(ids, "", 0), 0);
	/* NUL bytes are part of the id: "a", "a\0", "a\0b", "\0" all differ */
	CHECK_U64(lmrec_ids_intern(ids, "a\0", 2), 2);
	CHECK_U64(lmrec_ids_intern(ids, "a\0b", 3), 3);
	CHECK_U64(lmrec_ids_intern(ids, "\0", 1), 4);
	CHECK_INT(lmrec_ids_find(ids, "a\0b", 3), 3);
	CHECK_INT(lmrec_ids_find(ids, "a\0c", 3), -1);
	size_t len;
	const char *s = lmrec_ids_str(ids, 3, &len);
	CHECK_MEM(s, len, "a\0b", 3);
	/* longer than the arena block (1 MiB) */
	size_t big = (1u << 20) + 17;
	char *p = lmrec_xmalloc(big);
	memset(p, 'x', big);
	CHECK_U64(lmrec_ids_intern(ids, p, big), 5);
	CHECK_U64(lmrec_ids_intern(ids, "b", 1), 6);
	s = lmrec_ids_str(ids, 5, &len);
	CHECK(len == big && memcmp(s, p, big) == 0);
	CHECK_INT(lmrec_ids_find(ids, p, big - 1), -1);
	free(p);
	/* sorted: "" < "\0" < "a" < "a\0" < "a\0b" < "b" < "xxx..." */
	uint32_t *order = lmrec_ids_sorted(ids);
	uint32_t want[] = {0, 4, 1, 2, 3, 6, 5};
	CHECK_MEM(order, sizeof want, want, sizeof want);
	free(order);
	lmrec_ids_free(ids);
}

/* The reference order: memcmp on the common length, then the shorter. */
struct ref {
	const char *s;
	size_t len;
	uint32_t idx;
};

static int ref_cmp(const void *pa, const void *pb)
{
	const struct ref *a = pa, *b = pb;
	size_t n = a->len < b->len ? a->len : b->len;
	int c = n ? memcmp(a->s, b->s, n) : 0;
	if (c)
		return c;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return 0;
}

static void test_sorted_against_reference(void)
{
	struct lmrec_ids *ids = lmrec_ids_new();
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 11);
	/* random byte strings over a small alphabet with high bytes, many
	 * sharing prefixes (so the length rule matters) */
	enum { N = 50000 };
	char buf[16];
	for (int i = 0; i < N; i++) {
		size_t n = (size_t)lmrec_rng_below(&rng, 8);
		for (size_t j = 0; j < n; j++)
			buf[j] = "ab\0\x80\xff"[lmrec_rng_below(&rng, 5)];
		lmrec_ids_intern(ids, buf, n);
	}
	size_t n = lmrec_ids_count(ids);
	CHECK(n > 1000);
	struct ref *ref = lmrec_xmalloc(n * sizeof *ref);
	for (size_t i = 0; i < n; i++) {
		ref[i].s = lmrec_ids_str(ids, (uint32_t)i, &ref[i].len);
		ref[i].idx = (uint32_t)i;
	}
	qsort(ref, n, sizeof *ref, ref_cmp);
	uint32_t *got = lmrec_ids_sorted(ids);
	size_t bad = 0;
	for (size_t i = 0; i < n; i++)
		bad += got[i] != ref[i].idx; /* ids are distinct: the order is unique */
	CHECK_U64(bad, 0);
	/* lmrec_ids_cmp agrees with the reference on random pairs */
	for (int t = 0; t < 100000; t++) {
		uint32_t a = (uint32_t)lmrec_rng_below(&rng, n), b = (uint32_t)lmrec_rng_below(&rng, n);
		struct ref ra = {0}, rb = {0};
		ra.s = lmrec_ids_str(ids, a, &ra.len);
		rb.s = lmrec_ids_str(ids, b, &rb.len);
		int want = ref_cmp(&ra, &rb), c = lmrec_ids_cmp(ids, a, b);
		bad += (want < 0) != (c < 0) || (want > 0) != (c > 0);
	}
	CHECK_U64(bad, 0);
	free(ref);
	free(got);
	lmrec_ids_free(ids);
	/* an empty dictionary sorts to an empty array */
	ids = lmrec_ids_new();
	got = lmrec_ids_sorted(ids);
	CHECK(got != NULL);
	free(got);
	lmrec_ids_free(ids);
}

static void test_hash(void)
{
	CHECK(lmrec_hash64("a", 1) != lmrec_hash64("b", 1));
	CHECK(lmrec_hash64("a", 1) != lmrec_hash64("a\0", 2)); /* length is hashed */
	CHECK(lmrec_hash64("abcdefgh", 8) != lmrec_hash64("abcdefgh\0", 9));
	/* spread: the low 16 bits of 200000 similar ids fill the buckets evenly */
	enum { B = 1 << 16, N = 200000 };
	uint32_t *count = lmrec_xcalloc(B, sizeof *count);
	char buf[32];
	for (uint64_t i = 0; i < N; i++) {
		size_t n = id_text(buf, i);
		count[lmrec_hash64(buf, n) & (B - 1)]++;
	}
	double expect = (double)N / B, chi = 0;
	for (size_t b = 0; b < B; b++)
		chi += (count[b] - expect) * (count[b] - expect) / expect;
	/* chi-square with 65535 degrees of freedom: mean 65535, sd ~362 */
	printf("# hash chi-square %.0f (65535 expected)\n", chi);
	CHECK(chi < 65535 + 6 * 362);
	free(count);
	/* pinned: lmrec-split seeds each user's stream with the hash of the id,
	 * so a change here changes published splits */
	CHECK_U64(lmrec_hash64("u1", 2), 0x7c4640e492b9dea7ull);
	CHECK_U64(lmrec_hash64("abcdefghijk", 11), 0xa72e396616f6be50ull);
}

int main(void)
{
	lmrec_setprogname("ids");
	CHECK_RUN(test_round_trip_2m);
	CHECK_RUN(test_special_ids);
	CHECK_RUN(test_sorted_against_reference);
	CHECK_RUN(test_hash);
	return check_done();
}

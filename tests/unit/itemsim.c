/* Unit tests of lib/itemsim.c: the block of similarities (a product over
 * BLAS, neighbour lists, bit sets of attribute pairs) against the one-pair
 * function, on random models and a random catalog; and S on pairs worked
 * out by hand. */
#include <math.h>

#include "catalog.h"
#include "check.h"
#include "itemsim.h"

#define CHECKM(cond, ...)                                               \
	do {                                                            \
		if (!(cond))                                            \
			check_fail(__FILE__, __LINE__, __VA_ARGS__);    \
	} while (0)

enum { NI = 40, K = 6 };

struct fixture {
	struct lmrec_catalog cat;
	struct lmrec_recmodel knn, ease, als, pop;
	float B[NI * NI], Y[NI * K];
	int64_t map_all[NI + 5], map_some[NI + 5];
};

/* A catalog of NI items with a few random pairs each; item-kNN with random
 * neighbours, EASE with a random B, ALS with random item vectors. */
static void make(struct fixture *f, uint64_t seed)
{
	struct lmrec_rng r;
	lmrec_rng_seed(&r, seed);
	memset(f, 0, sizeof *f);
	check_tmpdir();
	FILE *fp = fopen("items.tsv", "w");
	fputs("item\tattrs\n", fp);
	for (int i = 0; i < NI; i++) {
		fprintf(fp, "i%02d\t", i);
		int n = (int)lmrec_rng_below(&r, 5);
		for (int k = 0; k < n; k++)
			fprintf(fp, "%sk%d=v%d", k ? ";" : "", (int)lmrec_rng_below(&r, 3), (int)lmrec_rng_below(&r, 3));
		fputc('\n', fp);
	}
	fclose(fp);
	lmrec_catalog_load(&f->cat, "items.tsv");
	uint32_t rows[NI * 5], cols[NI * 5];
	float vals[NI * 5];
	size_t n = 0;
	for (uint32_t i = 0; i < NI; i++)
		for (int k = 0; k < 5; k++) {
			rows[n] = i;
			cols[n] = (uint32_t)lmrec_rng_below(&r, NI);
			vals[n++] = (float)lmrec_rng_double(&r);
		}
	f->knn.kind = LMREC_KIND_ITEMKNN;
	f->knn.ni = NI;
	lmrec_csr_build(&f->knn.nb, NI, NI, rows, cols, vals, n, LMREC_DUP_MAX);
	for (size_t x = 0; x < (size_t)NI * NI; x++)
		f->B[x] = (float)(lmrec_rng_double(&r) - 0.3);
	f->ease = (struct lmrec_recmodel){.kind = LMREC_KIND_EASE, .ni = NI, .B = f->B};
	for (size_t x = 0; x < (size_t)NI * K; x++)
		f->Y[x] = (float)lmrec_rng_normal(&r);
	f->als = (struct lmrec_recmodel){.kind = LMREC_KIND_ALS, .ni = NI, .k = K, .Y = f->Y};
	f->pop = (struct lmrec_recmodel){.kind = LMREC_KIND_POPULAR, .ni = NI};
	/* items NI.. are outside the catalog; map_some leaves out a few items */
	for (int i = 0; i < NI + 5; i++) {
		f->map_all[i] = i < NI ? i : -1;
		f->map_some[i] = i < NI && i % 7 != 3 ? i : -1;
	}
}

static void release(struct fixture *f)
{
	lmrec_csr_free(&f->knn.nb);
	lmrec_catalog_free(&f->cat);
}

static void test_block_against_pairs(void)
{
	struct fixture f;
	make(&f, 3);
	const struct lmrec_recmodel *ms[4] = {&f.knn, &f.ease, &f.als, &f.pop};
	const int64_t *maps[4] = {f.map_all, f.map_some, f.map_some, f.map_all};
	uint32_t rows[NI + 5], cols[NI];
	for (uint32_t i = 0; i < NI + 5; i++)
		rows[i] = (i * 17) % (NI + 5);
	for (uint32_t i = 0; i < NI; i++)
		cols[i] = (i * 11) % NI;
	float *out = lmrec_xmalloc(((size_t)NI + 5) * NI * sizeof *out);
	static const double contents[] = {0, 0.25, 1};
	for (size_t t = 0; t < 3; t++) {
		struct lmrec_itemsim *s = lmrec_itemsim_new(&f.cat, ms, maps, 4, contents[t]);
		lmrec_itemsim_block(s, rows, NI + 5, cols, NI, out);
		size_t bad = 0;
		for (size_t a = 0; a < NI + 5; a++)
			for (size_t b = 0; b < NI; b++) {
				double want = lmrec_itemsim(s, rows[a], cols[b]);
				if (fabs(out[a * NI + b] - want) > 1e-5 * (1 + fabs(want)))
					bad++;
			}
		CHECKM(bad == 0, "content %g: %zu of %d pairs differ", contents[t], bad, (NI + 5) * NI);
		lmrec_itemsim_free(s);
	}
	free(out);
	release(&f);
}

static void test_by_hand(void)
{
	struct fixture f;
	make(&f, 5);
	/* one model each: EASE's strength is the mean of the rows' largest
	 * weight to another item */
	double strength = 0;
	for (int i = 0; i < NI; i++) {
		float best = 0;
		for (int j = 0; j < NI; j++)
			if (j != i && f.B[i * NI + j] > best)
				best = f.B[i * NI + j];
		strength += best;
	}
	strength /= NI;
	const struct lmrec_recmodel *ms[1] = {&f.ease};
	const int64_t *maps[1] = {f.map_all};
	struct lmrec_itemsim *s = lmrec_itemsim_new(&f.cat, ms, maps, 1, 0.5);
	double pair = f.B[2 * NI + 9] / strength;
	pair = pair > 1 ? 1 : pair < -1 ? -1 : pair;
	double want = 0.5 * pair + 0.5 * lmrec_catalog_jaccard(&f.cat, 2, 9);
	CHECKM(fabs(lmrec_itemsim(s, 2, 9) - want) < 1e-12, "S(2, 9) = %g, expected %g", lmrec_itemsim(s, 2, 9), want);
	CHECKM(lmrec_itemsim(s, 2, NI + 1) == 0.0, "an item no model has and outside the catalog: 0");
	lmrec_itemsim_free(s);
	/* the cosine of ALS's vectors */
	ms[0] = &f.als;
	s = lmrec_itemsim_new(&f.cat, ms, maps, 1, 0);
	double dot = 0, na = 0, nb = 0;
	for (int k = 0; k < K; k++) {
		dot += (double)f.Y[4 * K + k] * f.Y[7 * K + k];
		na += (double)f.Y[4 * K + k] * f.Y[4 * K + k];
		nb += (double)f.Y[7 * K + k] * f.Y[7 * K + k];
	}
	CHECKM(fabs(lmrec_itemsim(s, 4, 7) - dot / sqrt(na * nb)) < 1e-6, "cosine %g", lmrec_itemsim(s, 4, 7));
	lmrec_itemsim_free(s);
	release(&f);
}

int main(void)
{
	CHECK_RUN(test_block_against_pairs);
	CHECK_RUN(test_by_hand);
	return check_done();
}

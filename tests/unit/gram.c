/* Unit tests of lib/gram.c: the sparse Gram matrix against a dense X^T X,
 * threads, the sum of shards of users against the whole (exact for the
 * binary matrix), the file round trip and its refusals, and the item-kNN
 * and EASE models built from a Gram matrix against those built from the
 * interactions: the same bytes. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "csr.h"
#include "ease.h"
#include "gram.h"
#include "itemknn.h"
#include "mat.h"
#include "model.h"

/* nu x ni with integer weights 1..4 (binary: all 1), some items nobody has */
static void random_ui(struct lmrec_csr *ui, struct lmrec_rng *rng, size_t nu, size_t ni, double density,
		      int binary)
{
	uint32_t *r = lmrec_xcalloc(nu * ni + 1, sizeof *r), *c = lmrec_xcalloc(nu * ni + 1, sizeof *c);
	float *v = lmrec_xcalloc(nu * ni + 1, sizeof *v);
	size_t n = 0;
	for (uint32_t u = 0; u < nu; u++)
		for (uint32_t i = 0; i < ni; i++)
			if (i % 7 != 3 && lmrec_rng_double(rng) < density) {
				r[n] = u;
				c[n] = i;
				v[n++] = binary ? 1.0f : (float)(1 + lmrec_rng_below(rng, 4));
			}
	lmrec_csr_build(ui, nu, ni, r, c, v, n, LMREC_DUP_SUM);
	free(r);
	free(c);
	free(v);
}

/* The users [from, to) of ui as a matrix of their own. */
static void users_of(struct lmrec_csr *out, const struct lmrec_csr *ui, size_t from, size_t to)
{
	size_t cap = lmrec_csr_nnz(ui) + 1, n = 0;
	uint32_t *r = lmrec_xcalloc(cap, sizeof *r), *c = lmrec_xcalloc(cap, sizeof *c);
	float *v = lmrec_xcalloc(cap, sizeof *v);
	for (size_t u = from; u < to; u++)
		for (uint64_t p = ui->ptr[u]; p < ui->ptr[u + 1]; p++) {
			r[n] = (uint32_t)(u - from);
			c[n] = ui->idx[p];
			v[n++] = ui->val[p];
		}
	lmrec_csr_build(out, to - from, ui->cols, r, c, v, n, LMREC_DUP_SUM);
	free(r);
	free(c);
	free(v);
}

static struct lmrec_ids *numbered(size_t n)
{
	struct lmrec_ids *ids = lmrec_ids_new();
	char buf[32];
	for (size_t i = 0; i < n; i++) {
		int len = snprintf(buf, sizeof buf, "i%05zu", i); /* byte order is index order */
		lmrec_ids_intern(ids, buf, (size_t)len);
	}
	return ids;
}

static void gram(struct lmrec_gram *g, const struct lmrec_csr *ui, int threads)
{
	struct lmrec_csr iu;
	lmrec_csr_transpose(&iu, ui);
	lmrec_gram_of(g, ui, &iu, threads);
	lmrec_csr_free(&iu);
}

static int same_gram(const struct lmrec_gram *a, const struct lmrec_gram *b)
{
	return a->n == b->n && memcmp(a->ptr, b->ptr, (a->n + 1) * sizeof *a->ptr) == 0 &&
	       memcmp(a->idx, b->idx, a->ptr[a->n] * sizeof *a->idx) == 0 &&
	       check_same_bits(a->val, b->val, a->ptr[a->n] * sizeof *a->val);
}

static void test_against_dense(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 81);
	size_t bad = 0, bad_threads = 0, bad_zero = 0;
	for (int t = 0; t < 30; t++) {
		size_t nu = (size_t)lmrec_rng_below(&rng, 40), ni = (size_t)lmrec_rng_below(&rng, 30);
		struct lmrec_csr ui;
		random_ui(&ui, &rng, nu, ni, 0.25, t % 2);
		struct lmrec_gram g, g2;
		gram(&g, &ui, 1);
		gram(&g2, &ui, 2);
		bad_threads += !same_gram(&g, &g2);
		double *D = lmrec_xcalloc(ni * ni + 1, sizeof *D);
		for (size_t u = 0; u < nu; u++)
			for (uint64_t p = ui.ptr[u]; p < ui.ptr[u + 1]; p++)
				for (uint64_t q = ui.ptr[u]; q < ui.ptr[u + 1]; q++)
					D[(size_t)ui.idx[p] * ni + ui.idx[q]] += (double)ui.val[p] * ui.val[q];
		for (size_t i = 0; i < ni; i++) {
			size_t seen = 0;
			for (uint64_t q = g.ptr[i]; q < g.ptr[i + 1]; q++) {
				bad += g.val[q] != D[i * ni + g.idx[q]];
				bad += q > g.ptr[i] && g.idx[q] <= g.idx[q - 1];
				seen++;
			}
			/* every nonzero of the dense matrix is there */
			size_t want = 0;
			for (size_t j = 0; j < ni; j++)
				want += D[i * ni + j] != 0;
			bad_zero += seen != want;
		}
		free(D);
		lmrec_gram_free(&g);
		lmrec_gram_free(&g2);
		lmrec_csr_free(&ui);
	}
	CHECK_U64(bad, 0);
	CHECK_U64(bad_zero, 0);
	CHECK_U64(bad_threads, 0);
}

/* Shards of users, each with its own items (a host knows only what its
 * users touched), summed: the Gram matrix of all of them. */
static void test_sum_of_shards(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 82);
	size_t bad = 0;
	double worst = 0;
	for (int t = 0; t < 20; t++) {
		size_t nu = 3 + (size_t)lmrec_rng_below(&rng, 40), ni = 1 + (size_t)lmrec_rng_below(&rng, 30);
		int binary = t % 2;
		struct lmrec_csr ui;
		random_ui(&ui, &rng, nu, ni, 0.2, binary);
		struct lmrec_ids *all = numbered(ni);
		struct lmrec_gram whole;
		gram(&whole, &ui, 1);
		size_t cut[4] = {0, nu / 3, nu / 2, nu};
		struct lmrec_gram parts[3];
		struct lmrec_ids *part_items[3];
		for (int s = 0; s < 3; s++) {
			/* the shard's own items: those its users touched, renumbered */
			struct lmrec_csr sh;
			users_of(&sh, &ui, cut[s], cut[s + 1]);
			int64_t *to = lmrec_xcalloc(ni + 1, sizeof *to);
			part_items[s] = lmrec_ids_new();
			for (size_t i = 0; i < ni; i++)
				to[i] = -1;
			for (uint64_t p = 0; p < lmrec_csr_nnz(&sh); p++)
				to[sh.idx[p]] = 0;
			for (size_t i = 0; i < ni; i++)
				if (to[i] == 0) {
					size_t len;
					const char *str = lmrec_ids_str(all, (uint32_t)i, &len);
					to[i] = lmrec_ids_intern(part_items[s], str, len);
				}
			for (uint64_t p = 0; p < lmrec_csr_nnz(&sh); p++)
				sh.idx[p] = (uint32_t)to[sh.idx[p]];
			sh.cols = lmrec_ids_count(part_items[s]);
			gram(&parts[s], &sh, 1);
			free(to);
			lmrec_csr_free(&sh);
		}
		struct lmrec_gram sum;
		struct lmrec_ids *items;
		lmrec_gram_sum(&sum, &items, parts, part_items, 3);
		/* the union holds the items somebody touched, in byte order */
		size_t touched = 0;
		for (size_t i = 0; i < ni; i++)
			touched += whole.ptr[i + 1] > whole.ptr[i];
		bad += lmrec_ids_count(items) != touched;
		for (size_t r = 0; r < sum.n; r++) {
			size_t len;
			const char *str = lmrec_ids_str(items, (uint32_t)r, &len);
			size_t i = (size_t)lmrec_ids_find(all, str, len);
			bad += sum.ptr[r + 1] - sum.ptr[r] != whole.ptr[i + 1] - whole.ptr[i];
			for (uint64_t q = sum.ptr[r], w = whole.ptr[i]; q < sum.ptr[r + 1] && w < whole.ptr[i + 1];
			     q++, w++) {
				const char *sj = lmrec_ids_str(items, sum.idx[q], &len);
				bad += (size_t)lmrec_ids_find(all, sj, len) != whole.idx[w];
				if (binary)
					bad += sum.val[q] != whole.val[w];
				worst = fmax(worst, fabs(sum.val[q] - whole.val[w]) / (1 + fabs(whole.val[w])));
			}
		}
		for (int s = 0; s < 3; s++) {
			lmrec_gram_free(&parts[s]);
			lmrec_ids_free(part_items[s]);
		}
		lmrec_gram_free(&sum);
		lmrec_gram_free(&whole);
		lmrec_ids_free(items);
		lmrec_ids_free(all);
		lmrec_csr_free(&ui);
	}
	CHECK_U64(bad, 0);
	CHECK(worst < 1e-12);
}

static void test_file(void)
{
	check_tmpdir();
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 83);
	struct lmrec_csr ui;
	random_ui(&ui, &rng, 20, 12, 0.3, 0);
	struct lmrec_gram g, back;
	gram(&g, &ui, 1);
	struct lmrec_ids *items = numbered(12), *items2;
	lmrec_gram_write(&g, items, 20, 1, "g.lmrc");
	uint64_t users;
	int weighted;
	lmrec_gram_read("g.lmrc", &back, &items2, &users, &weighted);
	CHECK(same_gram(&g, &back));
	CHECK_U64(users, 20);
	CHECK_INT(weighted, 1);
	CHECK_U64(lmrec_ids_count(items2), 12);
	/* a model file of another kind is refused */
	struct lmrec_model *m = lmrec_model_new(LMREC_KIND_TEST);
	lmrec_model_set_param(m, "x", "1");
	lmrec_model_write(m, "other.lmrc");
	lmrec_model_free(m);
	char err[256];
	int st = 0;
	struct lmrec_model *f = lmrec_model_try_read("other.lmrc", LMREC_KIND_GRAM, err, sizeof err, &st);
	CHECK(f == NULL);
	CHECK_INT(st, 65);
	lmrec_gram_free(&g);
	lmrec_gram_free(&back);
	lmrec_ids_free(items);
	lmrec_ids_free(items2);
	lmrec_csr_free(&ui);
	check_rmdir();
}

/* item-kNN from the binary Gram matrix and EASE from the Gram matrix: the
 * same bytes as from the interactions. */
static void test_models_from_gram(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 84);
	size_t bad_knn = 0, bad_ease = 0;
	for (int t = 0; t < 24; t++) {
		size_t nu = 5 + (size_t)lmrec_rng_below(&rng, 40), ni = 2 + (size_t)lmrec_rng_below(&rng, 30);
		struct lmrec_csr ui, bin, iu;
		random_ui(&ui, &rng, nu, ni, 0.2, 0);
		/* item-kNN counts users: the Gram matrix of the binary matrix */
		users_of(&bin, &ui, 0, nu);
		for (uint64_t p = 0; p < lmrec_csr_nnz(&bin); p++)
			bin.val[p] = 1.0f;
		lmrec_csr_transpose(&iu, &ui);
		struct lmrec_gram gb, gw;
		gram(&gb, &bin, 1);
		gram(&gw, &ui, 1);
		size_t k = 1 + (size_t)lmrec_rng_below(&rng, 6);
		for (int sim = LMREC_SIM_COSINE; sim <= LMREC_SIM_COOCCURRENCE; sim++) {
			struct lmrec_csr a, b;
			lmrec_itemknn_fit(&a, &ui, &iu, k, 2.0, (enum lmrec_sim)sim, 1);
			lmrec_itemknn_fit_gram(&b, &gb, k, 2.0, (enum lmrec_sim)sim, 2);
			bad_knn += memcmp(a.ptr, b.ptr, (ni + 1) * sizeof *a.ptr) != 0 ||
				   memcmp(a.idx, b.idx, lmrec_csr_nnz(&a) * sizeof *a.idx) != 0 ||
				   !check_same_bits(a.val, b.val, lmrec_csr_nnz(&a) * sizeof *a.val);
			lmrec_csr_free(&a);
			lmrec_csr_free(&b);
		}
		float *B1 = lmrec_xcalloc(ni * ni, sizeof *B1), *B2 = lmrec_xcalloc(ni * ni, sizeof *B2);
		double *P = lmrec_xcalloc(ni * ni, sizeof *P);
		for (size_t i = 0; i < ni; i++)
			for (uint64_t q = gw.ptr[i]; q < gw.ptr[i + 1]; q++)
				P[i * ni + gw.idx[q]] = gw.val[q];
		CHECK_INT(lmrec_ease_fit(B1, &ui, 10.0, 1), 0);
		CHECK_INT(lmrec_ease_fit_gram(B2, P, NULL, ni, 10.0, 1), 0);
		bad_ease += !check_same_bits(B1, B2, ni * ni * sizeof *B1);
		free(B1);
		free(B2);
		free(P);
		lmrec_gram_free(&gb);
		lmrec_gram_free(&gw);
		lmrec_csr_free(&ui);
		lmrec_csr_free(&bin);
		lmrec_csr_free(&iu);
	}
	CHECK_U64(bad_knn, 0);
	CHECK_U64(bad_ease, 0);
}

int main(void)
{
	lmrec_setprogname("gram");
	lmrec_blas_threads(1);
	CHECK_RUN(test_against_dense);
	CHECK_RUN(test_sum_of_shards);
	CHECK_RUN(test_file);
	CHECK_RUN(test_models_from_gram);
	return check_done();
}

/* Unit tests of lib/compose.c: the beam search against an exhaustive
 * search over every list on small random problems (a beam as wide as the
 * lists it could keep is exact), greedy against beam on a problem built
 * for it, each hard constraint, ties, the fixed prefix and the context. */
#include <math.h>

#include "check.h"
#include "compose.h"

/* CHECK with a message of its own. */
#define CHECKM(cond, ...)                                               \
	do {                                                            \
		if (!(cond))                                            \
			check_fail(__FILE__, __LINE__, __VA_ARGS__);    \
	} while (0)

/* A random problem of n candidates: bases, costs, classes and one counter
 * per candidate (its "category", ncat of them, each limited to lim). */
struct problem {
	struct lmrec_compose p;
	struct lmrec_compose_cand c[16];
	uint32_t cat[16];
	uint32_t limit[8];
	float pair[17 * 16];
	int32_t cls_at[8];
};

static void make_problem(struct problem *x, struct lmrec_rng *r, size_t n, size_t length, uint32_t lim)
{
	memset(x, 0, sizeof *x);
	size_t ncat = 1 + (size_t)lmrec_rng_below(r, 4);
	for (size_t i = 0; i < n; i++) {
		x->cat[i] = (uint32_t)lmrec_rng_below(r, ncat);
		/* few distinct values: ties happen */
		x->c[i] = (struct lmrec_compose_cand){(double)lmrec_rng_below(r, 4) / 4, (double)lmrec_rng_below(r, 3),
						      (int32_t)lmrec_rng_below(r, 2), (uint32_t)(n - i), 1, &x->cat[i]};
	}
	for (size_t k = 0; k < ncat; k++)
		x->limit[k] = lim;
	for (size_t a = 0; a < n; a++)
		for (size_t b = 0; b < n; b++)
			x->pair[a * n + b] = a == b ? 0.0f : (float)lmrec_rng_below(r, 5) / 4.0f;
	x->p = (struct lmrec_compose){.n = n, .c = x->c, .pair = x->pair, .ncounters = ncat, .limit = x->limit,
				      .length = length, .beam = 1, .budget = INFINITY};
}

/* The gain of list[0..len) computed the long way. */
static double list_score(const struct lmrec_compose *p, const uint32_t *list, size_t len)
{
	double s = 0;
	for (size_t k = 0; k < len; k++) {
		double coh = 0;
		for (size_t j = 0; j < k; j++)
			coh += p->pair[(size_t)list[j] * p->n + list[k]];
		s += p->c[list[k]].base + (k ? coh / (double)k : 0);
	}
	return s;
}

static int feasible(const struct lmrec_compose *p, const uint32_t *list, size_t len)
{
	uint32_t cnt[8] = {0};
	double cost = 0;
	for (size_t k = 0; k < len; k++) {
		const struct lmrec_compose_cand *c = &p->c[list[k]];
		for (size_t j = 0; j < k; j++)
			if (list[j] == list[k])
				return 0;
		if (p->cls_at && p->cls_at[k] >= 0 && c->cls != p->cls_at[k])
			return 0;
		if (++cnt[c->count[0]] > p->limit[c->count[0]])
			return 0;
		cost += c->cost;
	}
	return cost <= p->budget + 1e-9;
}

/* The best feasible list of the longest length reachable, by brute force;
 * ties to the smaller orders position by position. */
static void exhaustive(const struct lmrec_compose *p, uint32_t *list, size_t len, size_t *best_len,
		       double *best, uint32_t *best_list)
{
	if (len > *best_len || (len == *best_len && list_score(p, list, len) > *best + 1e-9)) {
		*best_len = len;
		*best = list_score(p, list, len);
		memcpy(best_list, list, len * sizeof *list);
	}
	if (len == p->length)
		return;
	for (uint32_t i = 0; i < p->n; i++) {
		list[len] = i;
		if (feasible(p, list, len + 1))
			exhaustive(p, list, len + 1, best_len, best, best_list);
	}
}

static void test_wide_beam_is_exact(void)
{
	struct lmrec_rng r;
	lmrec_rng_seed(&r, 7);
	struct lmrec_composer *k = lmrec_composer_new();
	struct problem x;
	size_t bad = 0, cases = 0;
	for (int t = 0; t < 300; t++) {
		size_t n = 1 + (size_t)lmrec_rng_below(&r, 6), length = 1 + (size_t)lmrec_rng_below(&r, 3);
		make_problem(&x, &r, n, length, 1 + (uint32_t)lmrec_rng_below(&r, 2));
		if (lmrec_rng_below(&r, 3) == 0)
			x.p.budget = (double)lmrec_rng_below(&r, 4);
		if (lmrec_rng_below(&r, 3) == 0) {
			for (size_t q = 0; q < length; q++)
				x.cls_at[q] = (int32_t)((q + 1) % 2);
			x.p.cls_at = x.cls_at;
		}
		/* the budget's look-ahead (the cheapest candidate for every place
		 * left) is exact only when all costs are equal */
		if (isfinite(x.p.budget))
			for (size_t i = 0; i < n; i++)
				x.c[i].cost = 1;
		x.p.beam = 400; /* more than the lists of any step */
		struct lmrec_compose_result res;
		lmrec_compose_run(k, &x.p, &res);
		uint32_t list[8], best_list[8];
		size_t best_len = 0;
		double best = -INFINITY;
		exhaustive(&x.p, list, 0, &best_len, &best, best_list);
		cases++;
		if (res.len != best_len || fabs(res.score - best) > 1e-6 || !feasible(&x.p, res.item, res.len) ||
		    fabs(list_score(&x.p, res.item, res.len) - res.score) > 1e-6)
			bad++;
	}
	lmrec_composer_free(k);
	CHECKM(bad == 0, "%zu of %zu problems: the wide beam is not the exhaustive optimum", bad, cases);
}

static void test_beam_beats_greedy(void)
{
	/* a has the best base but goes with nothing; c and d go well together */
	uint32_t cat[4] = {0, 1, 1, 0}, limit[2] = {1, 1};
	struct lmrec_compose_cand c[4] = {
		{1.0, 0, -1, 0, 1, &cat[0]}, {0.9, 0, -1, 1, 1, &cat[1]}, {0.8, 0, -1, 2, 1, &cat[2]}, {0.7, 0, -1, 3, 1, &cat[3]}};
	float pair[16] = {0};
	pair[2 * 4 + 3] = pair[3 * 4 + 2] = 1.0f;
	struct lmrec_compose p = {.n = 4, .c = c, .pair = pair, .ncounters = 2, .limit = limit, .length = 2, .beam = 1,
				  .budget = INFINITY};
	struct lmrec_composer *k = lmrec_composer_new();
	struct lmrec_compose_result r;
	lmrec_compose_run(k, &p, &r);
	CHECKM(r.len == 2 && r.item[0] == 0 && r.item[1] == 1, "greedy takes a then b");
	CHECKM(fabs(r.score - 1.9) < 1e-9, "greedy score %g", r.score);
	p.beam = 4;
	lmrec_compose_run(k, &p, &r);
	CHECKM(r.len == 2 && r.item[0] == 2 && r.item[1] == 3, "the beam takes c then d (%u %u)", r.item[0], r.item[1]);
	CHECKM(fabs(r.score - 2.5) < 1e-9 && fabs(r.coh[1] - 1.0) < 1e-9 && r.coh[0] == 0, "beam score %g", r.score);
	/* unordered: one list per set, the first in order of ids on a tie */
	p.unordered = 1;
	lmrec_compose_run(k, &p, &r);
	CHECKM(r.item[0] == 2 && r.item[1] == 3, "unordered keeps c, d");
	lmrec_composer_free(k);
}

static void test_constraints(void)
{
	uint32_t cat[4] = {0, 0, 1, 1}, limit[2] = {1, 1};
	struct lmrec_compose_cand c[4] = {
		{1.0, 3, 0, 0, 1, &cat[0]}, {0.875, 1, 1, 1, 1, &cat[1]}, {0.75, 1, 0, 2, 1, &cat[2]}, {0.625, 1, 1, 3, 1, &cat[3]}};
	/* (bases in binary fractions: sums in any order are exact) */
	float pair[16] = {0};
	struct lmrec_compose p = {.n = 4, .c = c, .pair = pair, .ncounters = 2, .limit = limit, .length = 3, .beam = 8,
				  .budget = INFINITY};
	struct lmrec_composer *k = lmrec_composer_new();
	struct lmrec_compose_result r;
	lmrec_compose_run(k, &p, &r);
	CHECKM(r.len == 2 && r.steps == 2, "one per category: 2 items of 3 (%zu, %zu steps)", r.len, r.steps);
	CHECKM(r.item[0] == 0 && r.item[1] == 2, "the best of each category");
	/* budget 2: item 0 (cost 3) is out; the look-ahead keeps room */
	p.budget = 2;
	lmrec_compose_run(k, &p, &r);
	CHECKM(r.len == 2 && r.item[0] == 1 && r.item[1] == 2, "budget: 1 then 2");
	/* classes: position 0 needs class 1, position 1 class 0 */
	p.budget = INFINITY;
	limit[0] = limit[1] = 2;
	int32_t cls_at[3] = {1, 0, 1};
	p.cls_at = cls_at;
	lmrec_compose_run(k, &p, &r);
	CHECKM(r.len == 3 && r.item[0] == 1 && r.item[1] == 0 && r.item[2] == 3, "classes alternate (%zu: %u %u %u)",
	       r.len, r.item[0], r.item[1], r.item[2]);
	/* a fixed prefix is taken as it is, and the context's counter counts */
	p.cls_at = NULL;
	limit[0] = limit[1] = 1;
	uint32_t prefix = 3, ctxc = 0;
	float pair5[20] = {0};
	pair5[4 * 4 + 2] = 4.0f; /* the context goes with item 2 */
	p.pair = pair5;
	p.prefix = &prefix;
	p.nprefix = 1;
	p.nctx = 1;
	p.ctx_count = &ctxc;
	p.nctx_count = 1;
	lmrec_compose_run(k, &p, &r);
	CHECKM(r.len == 1 && r.item[0] == 3, "prefix 3 (category 1) and the context (category 0) leave nothing");
	CHECKM(fabs(r.gain[0] - 0.625) < 1e-9, "the prefix's gain %g: base, and coherence with the context 0", r.gain[0]);
	p.nprefix = 0;
	lmrec_compose_run(k, &p, &r);
	CHECKM(r.len == 1 && r.item[0] == 2 && fabs(r.coh[0] - 4.0) < 1e-9, "context: item 2 (coh %g)", r.coh[0]);
	lmrec_composer_free(k);
}

/* The seq callback: candidate (last item + 1) mod n gains 1. */
static void next_one(void *ctx, const uint32_t *lists, size_t stride, const size_t *lens, size_t nstates, float *out)
{
	size_t n = *(const size_t *)ctx;
	for (size_t s = 0; s < nstates; s++)
		for (size_t i = 0; i < n; i++)
			out[s * n + i] = lens[s] && i == (lists[s * stride + lens[s] - 1] + 1) % n ? 1.0f : 0.0f;
}

static void test_sequence_term(void)
{
	uint32_t none = 0, limit[1] = {100};
	struct lmrec_compose_cand c[4];
	static const double base[4] = {0, 0, 0.5, 0.2};
	for (uint32_t i = 0; i < 4; i++)
		c[i] = (struct lmrec_compose_cand){base[i], 0, -1, i, 1, &none};
	float pair[16] = {0};
	size_t n = 4;
	struct lmrec_compose p = {.n = 4, .c = c, .pair = pair, .ncounters = 1, .limit = limit, .length = 2, .beam = 1,
				  .budget = INFINITY, .seq = next_one, .seq_ctx = &n};
	struct lmrec_composer *k = lmrec_composer_new();
	struct lmrec_compose_result r;
	lmrec_compose_run(k, &p, &r);
	CHECKM(r.len == 2 && r.item[0] == 2 && r.item[1] == 3, "2 then 3 (%u %u)", r.item[0], r.item[1]);
	CHECKM(fabs(r.score - 1.7) < 1e-9 && r.seq[1] == 1.0 && r.seq[0] == 0.0, "score %g", r.score);
	lmrec_composer_free(k);
}

int main(void)
{
	CHECK_RUN(test_wide_beam_is_exact);
	CHECK_RUN(test_beam_beats_greedy);
	CHECK_RUN(test_constraints);
	CHECK_RUN(test_sequence_term);
	return check_done();
}

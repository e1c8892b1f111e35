/* lmrec — ranking and exposure metrics (see metrics.h). */
#include <math.h>
#include <stdlib.h>

#include "metrics.h"
#include "rng.h"
#include "util.h"

double lmrec_discount(size_t i) { return 1.0 / log2((double)i + 2.0); }

static int in_sorted(const uint32_t *a, size_t n, uint32_t x)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (a[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && a[lo] == x;
}

void lmrec_metrics_user(const uint32_t *list, size_t len, const uint32_t *truth, size_t m,
			size_t k, struct lmrec_user_metrics *out)
{
	size_t cut = len < k ? len : k, ideal = m < k ? m : k;
	size_t hits = 0;
	double dcg = 0.0, ap = 0.0, rr = 0.0;
	for (size_t i = 0; i < cut; i++) {
		if (!in_sorted(truth, m, list[i]))
			continue;
		hits++;
		dcg += lmrec_discount(i);
		ap += (double)hits / (double)(i + 1);
		if (hits == 1)
			rr = 1.0 / (double)(i + 1);
	}
	double idcg = 0.0;
	for (size_t i = 0; i < ideal; i++)
		idcg += lmrec_discount(i);
	out->hr = hits > 0;
	out->recall = ideal ? (double)hits / (double)ideal : 0.0;
	out->precision = k ? (double)hits / (double)k : 0.0;
	out->ndcg = idcg > 0 ? dcg / idcg : 0.0;
	out->mrr = rr;
	out->map = ideal ? ap / (double)ideal : 0.0;
}

size_t lmrec_metrics_sampled_rank(const uint32_t *pos, uint32_t target, const uint32_t *neg,
				  size_t nneg)
{
	uint32_t tp = pos[target];
	if (tp == UINT32_MAX)
		return nneg;
	size_t rank = 0;
	for (size_t j = 0; j < nneg; j++)
		rank += pos[neg[j]] < tp;
	return rank;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

double lmrec_gini(double *x, size_t n)
{
	if (n == 0)
		return 0.0;
	qsort(x, n, sizeof *x, cmp_double);
	double sum = 0.0, weighted = 0.0;
	for (size_t i = 0; i < n; i++) {
		sum += x[i];
		weighted += (2.0 * (double)(i + 1) - (double)n - 1.0) * x[i];
	}
	return sum > 0 ? weighted / ((double)n * sum) : 0.0;
}

/* Linear interpolation between order statistics (Hyndman-Fan type 7). */
static double quantile(const double *sorted, size_t n, double q)
{
	double h = q * (double)(n - 1);
	size_t i = (size_t)floor(h);
	if (i + 1 >= n)
		return sorted[n - 1];
	return sorted[i] + (h - (double)i) * (sorted[i + 1] - sorted[i]);
}

void lmrec_bootstrap_ci(const double *vals, size_t nseries, size_t n, size_t reps, double level,
			uint64_t seed, double *lo, double *hi)
{
	if (n == 0 || reps == 0) {
		for (size_t s = 0; s < nseries; s++)
			lo[s] = hi[s] = 0.0;
		return;
	}
	double *means = lmrec_xcalloc(nseries * reps, sizeof *means); /* (nseries, reps) */
	double *acc = lmrec_xcalloc(nseries, sizeof *acc);
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, seed);
	for (size_t b = 0; b < reps; b++) {
		for (size_t s = 0; s < nseries; s++)
			acc[s] = 0.0;
		for (size_t j = 0; j < n; j++) {
			size_t u = (size_t)lmrec_rng_below(&rng, n);
			for (size_t s = 0; s < nseries; s++)
				acc[s] += vals[s * n + u];
		}
		for (size_t s = 0; s < nseries; s++)
			means[s * reps + b] = acc[s] / (double)n;
	}
	double tail = (1.0 - level) / 2.0;
	for (size_t s = 0; s < nseries; s++) {
		double *m = means + s * reps;
		qsort(m, reps, sizeof *m, cmp_double);
		lo[s] = quantile(m, reps, tail);
		hi[s] = quantile(m, reps, 1.0 - tail);
	}
	free(acc);
	free(means);
}

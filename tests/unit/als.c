/* Unit tests of lib/als.c against the objective of als.h computed the slow
 * way: the loss against a dense re-implementation, its gradient against
 * finite differences, the exact row solve as the minimiser (gradient ~0),
 * half steps that never increase the loss, conjugate gradient reaching
 * the Cholesky solution, and the same factors with 1 and 2 threads. */
#include <math.h>

#include "als.h"
#include "check.h"
#include "csr.h"
#include "mat.h"

/* A random problem: nu x ni interactions of weights in [lo, hi). */
struct problem {
	size_t nu, ni, k;
	struct lmrec_csr ui, iu;
	float *X, *Y; /* (nu, k), (ni, k) */
};

static void problem_make(struct problem *pb, struct lmrec_rng *rng, size_t nu, size_t ni, size_t k,
			 double density, double wlo, double whi)
{
	pb->nu = nu;
	pb->ni = ni;
	pb->k = k;
	uint32_t *r = lmrec_xcalloc(nu * ni + 1, sizeof *r), *c = lmrec_xcalloc(nu * ni + 1, sizeof *c);
	float *v = lmrec_xcalloc(nu * ni + 1, sizeof *v);
	size_t n = 0;
	for (uint32_t u = 0; u < nu; u++) {
		if (u == 1)
			continue; /* a user with nothing */
		for (uint32_t i = 0; i < ni; i++)
			if (lmrec_rng_double(rng) < density) {
				r[n] = u;
				c[n] = i;
				v[n] = (float)(wlo + (whi - wlo) * lmrec_rng_double(rng));
				n++;
			}
	}
	lmrec_csr_build(&pb->ui, nu, ni, r, c, v, n, LMREC_DUP_SUM);
	lmrec_csr_transpose(&pb->iu, &pb->ui);
	free(r);
	free(c);
	free(v);
	pb->X = lmrec_xcalloc(nu * k + 1, sizeof *pb->X);
	pb->Y = lmrec_xcalloc(ni * k + 1, sizeof *pb->Y);
	lmrec_als_init(pb->X, nu, k, 0.3, 9, 0);
	lmrec_als_init(pb->Y, ni, k, 0.3, 9, 1);
}

static void problem_free(struct problem *pb)
{
	lmrec_csr_free(&pb->ui);
	lmrec_csr_free(&pb->iu);
	free(pb->X);
	free(pb->Y);
}

/* The objective of als.h over dense preference and confidence matrices. */
static double dense_loss(const struct problem *pb, const float *X, const float *Y, double reg,
			 double alpha)
{
	size_t nu = pb->nu, ni = pb->ni, k = pb->k;
	double *P = lmrec_xcalloc(nu * ni, sizeof *P), *C = lmrec_xcalloc(nu * ni, sizeof *C);
	for (size_t q = 0; q < nu * ni; q++)
		C[q] = 1.0;
	for (size_t u = 0; u < nu; u++)
		for (uint64_t p = pb->ui.ptr[u]; p < pb->ui.ptr[u + 1]; p++) {
			P[u * ni + pb->ui.idx[p]] = 1.0;
			C[u * ni + pb->ui.idx[p]] = 1.0 + alpha * pb->ui.val[p];
		}
	double loss = 0;
	for (size_t u = 0; u < nu; u++)
		for (size_t i = 0; i < ni; i++) {
			double s = 0;
			for (size_t f = 0; f < k; f++)
				s += (double)X[u * k + f] * Y[i * k + f];
			loss += C[u * ni + i] * (P[u * ni + i] - s) * (P[u * ni + i] - s);
		}
	for (size_t q = 0; q < nu * k; q++)
		loss += reg * X[q] * X[q];
	for (size_t q = 0; q < ni * k; q++)
		loss += reg * Y[q] * Y[q];
	free(P);
	free(C);
	return loss;
}

/* The gradient of the objective with respect to the row x of user u (in
 * place of X's row): 2 sum_i c_ui (x . y_i - p_ui) y_i + 2 reg x. */
static void row_gradient(const struct problem *pb, size_t u, const float *x, double reg,
			 double alpha, double *g)
{
	size_t k = pb->k;
	for (size_t f = 0; f < k; f++)
		g[f] = 2.0 * reg * x[f];
	uint64_t q = pb->ui.ptr[u], e = pb->ui.ptr[u + 1];
	for (size_t i = 0; i < pb->ni; i++) {
		double p = 0, c = 1, s = 0;
		if (q < e && pb->ui.idx[q] == i) {
			p = 1;
			c = 1 + alpha * pb->ui.val[q];
			q++;
		}
		for (size_t f = 0; f < k; f++)
			s += (double)x[f] * pb->Y[i * k + f];
		for (size_t f = 0; f < k; f++)
			g[f] += 2.0 * c * (s - p) * pb->Y[i * k + f];
	}
}

static double norm(const double *v, size_t n)
{
	double s = 0;
	for (size_t i = 0; i < n; i++)
		s += v[i] * v[i];
	return sqrt(s);
}

static void test_loss(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 51);
	for (int t = 0; t < 12; t++) {
		struct problem pb;
		size_t k = 1 + (size_t)lmrec_rng_below(&rng, 6);
		problem_make(&pb, &rng, 3 + (size_t)lmrec_rng_below(&rng, 20),
			     1 + (size_t)lmrec_rng_below(&rng, 20), k, 0.3, 0.0, 4.0);
		double reg = t % 3 == 0 ? 0.0 : 0.7, alpha = t % 2 ? 2.5 : 0.0;
		struct lmrec_als_params p = {k, reg, alpha, 0, 0, 1};
		double got = lmrec_als_loss(pb.X, pb.Y, &pb.ui, &p);
		double want = dense_loss(&pb, pb.X, pb.Y, reg, alpha);
		CHECK(fabs(got - want) <= 1e-12 * want);
		problem_free(&pb);
	}
	/* by hand: one user, one item seen with weight 2, x = 1, y = 0.5,
	 * reg 0.1, alpha 3: (1 + 6) (1 - 0.5)^2 + 0.1 (1 + 0.25) = 1.875 */
	uint32_t r = 0, c = 0;
	float w = 2.0f, x = 1.0f, y = 0.5f;
	struct lmrec_csr ui;
	lmrec_csr_build(&ui, 1, 1, &r, &c, &w, 1, LMREC_DUP_SUM);
	struct lmrec_als_params p = {1, 0.1, 3.0, 0, 0, 1};
	CHECK(fabs(lmrec_als_loss(&x, &y, &ui, &p) - 1.875) <= 1e-12);
	lmrec_csr_free(&ui);
}

/* The slow gradient above is the gradient of lmrec_als_loss: central
 * differences on a grid where the perturbed values are exact floats. */
static void test_gradient_is_of_the_loss(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 52);
	struct problem pb;
	problem_make(&pb, &rng, 8, 11, 4, 0.4, 0.0, 3.0);
	for (size_t q = 0; q < pb.nu * pb.k; q++) /* on the 2^-10 grid */
		pb.X[q] = (float)ldexp(round(ldexp(pb.X[q], 10)), -10);
	struct lmrec_als_params p = {pb.k, 0.3, 1.5, 0, 0, 1};
	const double h = ldexp(1.0, -10);
	double worst = 0;
	for (size_t u = 0; u < pb.nu; u++) {
		double g[4];
		row_gradient(&pb, u, pb.X + u * pb.k, p.reg, p.alpha, g);
		for (size_t f = 0; f < pb.k; f++) {
			float *xf = &pb.X[u * pb.k + f], keep = *xf;
			*xf = (float)(keep + h);
			double lp = lmrec_als_loss(pb.X, pb.Y, &pb.ui, &p);
			*xf = (float)(keep - h);
			double lm = lmrec_als_loss(pb.X, pb.Y, &pb.ui, &p);
			*xf = keep;
			/* the loss is quadratic in x: central differences are exact
			 * up to rounding */
			double fd = (lp - lm) / (2 * h), err = fabs(fd - g[f]) / (1 + fabs(g[f]));
			worst = err > worst ? err : worst;
		}
	}
	CHECK(worst < 1e-8);
	problem_free(&pb);
}

/* Solves the row of user u into x with the given parameters. */
static void solve_user(const struct problem *pb, size_t u, float *x, const struct lmrec_als_params *p,
		       int weighted)
{
	size_t k = pb->k;
	float *G = lmrec_xcalloc(k * k, sizeof *G);
	lmrec_gram(G, pb->Y, pb->ni, k);
	uint64_t b = pb->ui.ptr[u];
	lmrec_als_solve_row(x, G, pb->Y, pb->ui.idx + b, weighted ? pb->ui.val + b : NULL,
			    pb->ui.ptr[u + 1] - b, p);
	free(G);
}

/* The exact solve is the minimiser: the gradient there is ~0, relative to
 * the gradient at 0. With w NULL every weight is 1. */
static void check_minimiser(struct problem *pb, double reg, double alpha, int weighted, double *worst)
{
	size_t k = pb->k;
	struct lmrec_als_params p = {k, reg, alpha, 0, 0, 1};
	/* the objective seen by the gradient: with every weight 1 when the
	 * solve is given w NULL */
	struct problem view = *pb;
	float *ones = NULL;
	if (!weighted) {
		uint64_t nnz = lmrec_csr_nnz(&pb->ui);
		ones = lmrec_xcalloc(nnz + 1, sizeof *ones);
		for (uint64_t q = 0; q < nnz; q++)
			ones[q] = 1.0f;
		view.ui.val = ones;
	}
	float *x = lmrec_xcalloc(k, sizeof *x), *zero = lmrec_xcalloc(k, sizeof *zero);
	double *g = lmrec_xcalloc(k, sizeof *g), *g0 = lmrec_xcalloc(k, sizeof *g0);
	for (size_t u = 0; u < pb->nu; u++) {
		for (size_t f = 0; f < k; f++)
			x[f] = 99.0f; /* the exact solve does not start from x */
		solve_user(pb, u, x, &p, weighted);
		row_gradient(&view, u, x, reg, alpha, g);
		row_gradient(&view, u, zero, reg, alpha, g0);
		double n0 = norm(g0, k), r = norm(g, k) / (n0 > 0 ? n0 : 1);
		if (pb->ui.ptr[u] == pb->ui.ptr[u + 1])
			r = norm(g, k) + fabs(x[0]); /* nothing seen: x = 0 exactly */
		*worst = r > *worst ? r : *worst;
	}
	free(x);
	free(zero);
	free(g);
	free(g0);
	free(ones);
}

static void test_solve_row_minimises(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 53);
	double worst = 0;
	for (int t = 0; t < 8; t++) {
		struct problem pb;
		size_t k = 1 + (size_t)lmrec_rng_below(&rng, 12);
		problem_make(&pb, &rng, 10, 30 + (size_t)lmrec_rng_below(&rng, 40), k, 0.2, 0.5, 5.0);
		check_minimiser(&pb, 0.5, 2.0, 1, &worst);
		check_minimiser(&pb, 0.05, 0.8, 0, &worst);
		check_minimiser(&pb, 2.0, 0.0, 1, &worst);
		problem_free(&pb);
	}
	printf("# exact solves: worst |gradient| / |gradient at 0| %.3g\n", worst);
	CHECK(worst < 1e-4);
}

/* Weights below 0 but above -1/alpha give confidences 1 + alpha w in
 * (0, 1): the objective is still convex, its minimiser still the solve. */
static void test_solve_row_negative_weights(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 54);
	double worst = 0, worst_cg = 0;
	for (int t = 0; t < 6; t++) {
		struct problem pb;
		size_t k = 2 + (size_t)lmrec_rng_below(&rng, 6);
		/* alpha 2: weights in (-0.45, 1) give c in (0.1, 3) */
		problem_make(&pb, &rng, 10, 40, k, 0.3, -0.45, 1.0);
		check_minimiser(&pb, 0.3, 2.0, 1, &worst);
		/* and conjugate gradient, k steps from 0, agrees */
		for (size_t u = 0; u < pb.nu; u++) {
			float xe[8], xc[8] = {0};
			struct lmrec_als_params p = {k, 0.3, 2.0, 0, 0, 1};
			solve_user(&pb, u, xe, &p, 1);
			p.cg_steps = k;
			solve_user(&pb, u, xc, &p, 1);
			double d = 0, n = 1e-30;
			for (size_t f = 0; f < k; f++) {
				d += ((double)xc[f] - xe[f]) * ((double)xc[f] - xe[f]);
				n += (double)xe[f] * xe[f];
			}
			worst_cg = sqrt(d / n) > worst_cg ? sqrt(d / n) : worst_cg;
		}
		problem_free(&pb);
	}
	printf("# exact solves with weights below 0: worst relative gradient %.3g, distance to CG %.3g\n",
	       worst, worst_cg);
	CHECK(worst < 1e-4);
	CHECK(worst_cg < 1e-3);
}

static double loss_of(const struct problem *pb, const struct lmrec_als_params *p)
{
	return lmrec_als_loss(pb->X, pb->Y, &pb->ui, p);
}

static void test_half_steps_descend(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 55);
	size_t rises = 0, steps = 0;
	for (int t = 0; t < 6; t++) {
		for (size_t cg = 0; cg <= 3; cg += 3) {
			struct problem pb;
			problem_make(&pb, &rng, 25, 30, 4 + (size_t)t, 0.15, 0.0, 4.0);
			struct lmrec_als_params p = {pb.k, 0.1 + 0.3 * t, 1.0 + t, 1, cg, 1};
			double prev = loss_of(&pb, &p), first = prev;
			for (int it = 0; it < 6; it++) {
				lmrec_als_half(pb.X, &pb.ui, pb.Y, &p);
				double a = loss_of(&pb, &p);
				lmrec_als_half(pb.Y, &pb.iu, pb.X, &p);
				double b = loss_of(&pb, &p);
				if (a > prev * (1 + 1e-6) || b > a * (1 + 1e-6)) {
					if (rises < 5)
						printf("# k=%zu cg=%zu iteration %d: %.9g -> %.9g -> %.9g\n", pb.k,
						       cg, it, prev, a, b);
					rises++;
				}
				steps += 2;
				prev = b;
			}
			CHECK(prev < first);
			/* the user with nothing gets the zero vector */
			for (size_t f = 0; f < pb.k; f++)
				CHECK(pb.X[1 * pb.k + f] == 0.0f);
			problem_free(&pb);
		}
	}
	CHECK_U64(rises, 0);
	CHECK_U64(steps, 6 * 2 * 12);
}

/* CG with k steps on a k-factor problem is exact in exact arithmetic: it
 * reaches the Cholesky solution up to float rounding, from 0 or from
 * anywhere; fewer steps leave it farther. */
static void test_cg_reaches_cholesky(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 56);
	double worst = 0, worst_short = 0;
	for (int t = 0; t < 10; t++) {
		struct problem pb;
		size_t k = 2 + (size_t)lmrec_rng_below(&rng, 10);
		problem_make(&pb, &rng, 12, 60, k, 0.2, 0.0, 3.0);
		for (size_t u = 0; u < pb.nu; u++) {
			if (pb.ui.ptr[u] == pb.ui.ptr[u + 1])
				continue;
			float *xe = lmrec_xcalloc(k, sizeof *xe), *xc = lmrec_xcalloc(k, sizeof *xc);
			float *xs = lmrec_xcalloc(k, sizeof *xs);
			struct lmrec_als_params p = {k, 0.5, 1.5, 0, 0, 1};
			solve_user(&pb, u, xe, &p, 1);
			for (size_t f = 0; f < k; f++) /* from the random start */
				xc[f] = xs[f] = pb.X[u * k + f];
			p.cg_steps = k;
			solve_user(&pb, u, xc, &p, 1);
			p.cg_steps = 1;
			solve_user(&pb, u, xs, &p, 1);
			double d = 0, ds = 0, n = 0;
			for (size_t f = 0; f < k; f++) {
				d += ((double)xc[f] - xe[f]) * ((double)xc[f] - xe[f]);
				ds += ((double)xs[f] - xe[f]) * ((double)xs[f] - xe[f]);
				n += (double)xe[f] * xe[f];
			}
			d = sqrt(d / n);
			ds = sqrt(ds / n);
			worst = d > worst ? d : worst;
			worst_short = ds > worst_short ? ds : worst_short;
			free(xe);
			free(xc);
			free(xs);
		}
		problem_free(&pb);
	}
	printf("# CG with k steps: worst relative distance to Cholesky %.3g (1 step: %.3g)\n", worst,
	       worst_short);
	CHECK(worst < 1e-3);
	CHECK(worst_short > 10 * worst);
}

struct progress {
	size_t calls, last;
};

static void on_iter(void *ctx, size_t iter, double secs)
{
	struct progress *p = ctx;
	p->calls++;
	p->last = iter;
	(void)secs;
}

static void test_threads_identical(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 57);
	for (size_t cg = 0; cg <= 2; cg += 2) {
		/* three copies of one problem: 1 thread, 2 threads, untrained */
		struct problem a, b, c;
		struct lmrec_rng r1 = rng, r2 = rng, r3 = rng;
		problem_make(&a, &r1, 97, 83, 7, 0.1, 0.0, 2.0);
		problem_make(&b, &r2, 97, 83, 7, 0.1, 0.0, 2.0);
		problem_make(&c, &r3, 97, 83, 7, 0.1, 0.0, 2.0);
		lmrec_rng_u64(&rng);
		struct lmrec_als_params p = {7, 0.2, 3.0, 4, cg, 1};
		struct progress pr = {0};
		lmrec_als_fit(a.X, a.Y, &a.ui, &a.iu, &p, on_iter, &pr);
		CHECK_U64(pr.calls, 4);
		CHECK_U64(pr.last, 4);
		p.threads = 2;
		lmrec_als_fit(b.X, b.Y, &b.ui, &b.iu, &p, NULL, NULL);
		CHECK(memcmp(a.X, b.X, a.nu * a.k * sizeof *a.X) == 0);
		CHECK(memcmp(a.Y, b.Y, a.ni * a.k * sizeof *a.Y) == 0);
		/* and it trained: the loss fell */
		p.threads = 1;
		CHECK(loss_of(&a, &p) < loss_of(&c, &p));
		problem_free(&a);
		problem_free(&b);
		problem_free(&c);
	}
}

static void test_init(void)
{
	enum { R = 400, K = 10 };
	float *a = lmrec_xmalloc((size_t)R * K * sizeof *a);
	float *b = lmrec_xmalloc((size_t)R * K * sizeof *b);
	lmrec_als_init(a, R, K, 0.5, 3, 0);
	lmrec_als_init(b, R, K, 0.5, 3, 0);
	CHECK(check_same_bits(a, b, (size_t)R * K * sizeof *a));
	lmrec_als_init(b, R, K, 0.5, 3, 1); /* another stream */
	CHECK(!check_same_bits(a, b, (size_t)R * K * sizeof *a));
	double s = 0, s2 = 0;
	for (size_t i = 0; i < (size_t)R * K; i++) {
		s += a[i];
		s2 += (double)a[i] * a[i];
	}
	double mean = s / (R * K), sd = sqrt(s2 / (R * K) - mean * mean);
	CHECK(fabs(mean) < 0.05 && fabs(sd - 0.5) < 0.03);
	free(a);
	free(b);
}

/* The columns [from, to) of m (users x items) as a shard: its items x
 * users transpose, users renumbered from 0. */
static void shard_of(struct lmrec_csr *iu, const struct lmrec_csr *ui, size_t from, size_t to)
{
	size_t n = 0, cap = lmrec_csr_nnz(ui) + 1;
	uint32_t *r = lmrec_xcalloc(cap, sizeof *r), *c = lmrec_xcalloc(cap, sizeof *c);
	float *v = lmrec_xcalloc(cap, sizeof *v);
	for (size_t u = from; u < to; u++)
		for (uint64_t q = ui->ptr[u]; q < ui->ptr[u + 1]; q++) {
			r[n] = ui->idx[q];
			c[n] = (uint32_t)(u - from);
			v[n++] = ui->val[q];
		}
	lmrec_csr_build(iu, ui->cols, to - from, r, c, v, n, LMREC_DUP_SUM);
	free(r);
	free(c);
	free(v);
}

/* A shard's sums against one product at a time in double, negative
 * weights (confidences below 1) and threads included; then the item step
 * from the sums of three shards against the single-process item step. */
static void test_shard_sums(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 57);
	double worst_sum = 0, worst_y = 0;
	for (int t = 0; t < 4; t++) {
		struct problem pb;
		problem_make(&pb, &rng, 40, 25, 3 + (size_t)t * 2, 0.2, t == 3 ? -0.5 : 0.0, 3.0);
		struct lmrec_als_params p = {pb.k, 0.5, 1.5, 1, 0, 1 + t % 2};
		size_t k = pb.k, np = lmrec_als_packed(k), ni = pb.ni;
		size_t cut[4] = {0, 7, 23, pb.nu};
		double *At = lmrec_xcalloc(ni * np, sizeof *At), *bt = lmrec_xcalloc(ni * k, sizeof *bt);
		double *Gt = lmrec_xcalloc(k * k, sizeof *Gt);
		for (int s = 0; s < 3; s++) {
			struct lmrec_csr iu;
			shard_of(&iu, &pb.ui, cut[s], cut[s + 1]);
			float *A = lmrec_xcalloc(ni * np, sizeof *A), *b = lmrec_xcalloc(ni * k, sizeof *b);
			float *Ar = lmrec_xcalloc(ni * np, sizeof *Ar), *br = lmrec_xcalloc(ni * k, sizeof *br);
			double *G = lmrec_xcalloc(k * k, sizeof *G), *Gr = lmrec_xcalloc(k * k, sizeof *Gr);
			const float *X = pb.X + cut[s] * k;
			lmrec_als_shard_sums(A, b, G, &iu, X, &p);
			lmrec_als_shard_sums_ref(Ar, br, Gr, &iu, X, &p);
			for (size_t j = 0; j < ni * np; j++)
				worst_sum = fmax(worst_sum, fabs((double)A[j] - Ar[j]) / (1 + fabs(Ar[j])));
			for (size_t j = 0; j < ni * k; j++)
				worst_sum = fmax(worst_sum, fabs((double)b[j] - br[j]) / (1 + fabs(br[j])));
			for (size_t j = 0; j < k * k; j++)
				worst_sum = fmax(worst_sum, fabs(G[j] - Gr[j]) / (1 + fabs(Gr[j])));
			/* an item the shard did not touch sums to zero */
			for (size_t i = 0; i < ni; i++)
				if (iu.ptr[i + 1] == iu.ptr[i])
					for (size_t e = 0; e < np; e++)
						CHECK(A[i * np + e] == 0.0f);
			for (size_t j = 0; j < ni * np; j++)
				At[j] += A[j];
			for (size_t j = 0; j < ni * k; j++)
				bt[j] += b[j];
			for (size_t j = 0; j < k * k; j++)
				Gt[j] += G[j];
			free(A);
			free(b);
			free(Ar);
			free(br);
			free(G);
			free(Gr);
			lmrec_csr_free(&iu);
		}
		float *Y = lmrec_xcalloc(ni * k, sizeof *Y);
		for (size_t i = 0; i < ni; i++)
			CHECK_INT(lmrec_als_solve_sums(Y + i * k, Gt, At + i * np, bt + i * k, &p), 0);
		/* lmrec_als_half gives an item without interactions 0; from sums
		 * such an item has b = 0, so y = 0 too */
		lmrec_als_half(pb.Y, &pb.iu, pb.X, &p);
		for (size_t j = 0; j < ni * k; j++)
			worst_y = fmax(worst_y, fabs((double)Y[j] - pb.Y[j]) / (1 + fabs(pb.Y[j])));
		free(Y);
		free(At);
		free(bt);
		free(Gt);
		problem_free(&pb);
	}
	printf("# shard sums against the slow sums: %.3g; item factors against one process: %.3g\n",
	       worst_sum, worst_y);
	CHECK(worst_sum < 1e-5);
	CHECK(worst_y < 1e-4);
}

int main(void)
{
	lmrec_setprogname("als");
	lmrec_blas_threads(1);
	CHECK_RUN(test_loss);
	CHECK_RUN(test_gradient_is_of_the_loss);
	CHECK_RUN(test_solve_row_minimises);
	CHECK_RUN(test_solve_row_negative_weights);
	CHECK_RUN(test_half_steps_descend);
	CHECK_RUN(test_cg_reaches_cholesky);
	CHECK_RUN(test_threads_identical);
	CHECK_RUN(test_init);
	CHECK_RUN(test_shard_sums);
	return check_done();
}

/* tests/bench/sasrec — seconds per epoch of SASRec training
 * (lmrec_sasrec_loss_grad + lmrec_adam_step) on the MovieLens-100K shape.
 *
 *   tests/bench/sasrec [-d u.data] [-e epochs] [-j threads] [-l ce|sampled|bce]
 *                      [-n negatives] [-L maxlen] [-k dim] [-b batch]
 *
 * With -d, each user's items of a file in u.data's layout (user item
 * rating ts, ids from 1; MovieLens-100K's, or tests/bench/sasrec.sh's
 * synthetic stream of MovieLens-1M's shape) in time order (ties by item)
 * make one sequence (the last maxlen + 1: inputs all but the
 * last, targets shifted by one); without it, 943 random sequences with
 * ML-100K's lengths drawn from 20 to 737. One epoch is every user's
 * sequence once in a shuffled order, batch 128, 2 blocks, 1 head, dim 50,
 * dropout 0.2 (dim by -k). Prints one TSV row an epoch: epoch, threads, loss, seconds. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "adam.h"
#include "lmrec.h"
#include "sasrec.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

struct ev {
	uint32_t user, item;
	long ts;
};

static int by_user_time(const void *a, const void *b)
{
	const struct ev *x = a, *y = b;
	if (x->user != y->user)
		return x->user < y->user ? -1 : 1;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return (x->item > y->item) - (x->item < y->item);
}

int main(int argc, char **argv)
{
	const char *data = NULL, *lossname = "ce";
	int epochs = 3, threads = 1, opt;
	size_t neg = 1, maxlen = 200, dim = 50, batch = 128;
	lmrec_setprogname(argv[0]);
	while ((opt = getopt(argc, argv, "d:e:j:l:n:L:k:b:")) != -1) {
		switch (opt) {
		case 'd': data = optarg; break;
		case 'e': epochs = atoi(optarg); break;
		case 'j': threads = atoi(optarg); break;
		case 'l': lossname = optarg; break;
		case 'n': neg = (size_t)atol(optarg); break;
		case 'L': maxlen = (size_t)atol(optarg); break;
		case 'k': dim = (size_t)atol(optarg); break;
		case 'b': batch = (size_t)atol(optarg); break;
		default: return 2;
		}
	}
	enum lmrec_sasrec_loss loss = !strcmp(lossname, "ce")        ? LMREC_SASREC_CE
				      : !strcmp(lossname, "sampled") ? LMREC_SASREC_SAMPLED
								     : LMREC_SASREC_BCE;
	size_t users = 943, items = 1682, L = maxlen;
	uint32_t *seq = NULL, *tgt = NULL;
	size_t tokens = 0;
	struct lmrec_rng r;
	lmrec_rng_seed(&r, 1);
	if (data) {
		FILE *fp = fopen(data, "r");
		if (!fp)
			lmrec_die(1, "%s:", data);
		size_t n = 0, cap = 0;
		struct ev *e = NULL, x;
		users = items = 0;
		while (fscanf(fp, "%u %u %*d %ld", &x.user, &x.item, &x.ts) == 3) {
			if (x.user == 0 || x.item == 0)
				lmrec_die(65, "%s: user and item ids start at 1", data);
			LMREC_GROW(e, cap, n + 1);
			e[n++] = x;
			users = x.user > users ? x.user : users;
			items = x.item > items ? x.item : items;
		}
		fclose(fp);
		seq = lmrec_xcalloc(users * L, sizeof *seq);
		tgt = lmrec_xcalloc(users * L, sizeof *tgt);
		qsort(e, n, sizeof *e, by_user_time);
		for (size_t i = 0; i < n;) {
			size_t j = i;
			while (j < n && e[j].user == e[i].user)
				j++;
			size_t u = e[i].user - 1, len = j - i, from = len > L + 1 ? j - (L + 1) : i;
			size_t m = j - from - 1; /* inputs */
			for (size_t k = 0; k < m; k++) {
				seq[u * L + L - m + k] = e[from + k].item;
				tgt[u * L + L - m + k] = e[from + k + 1].item;
			}
			tokens += m;
			i = j;
		}
		free(e);
	} else {
		seq = lmrec_xcalloc(users * L, sizeof *seq);
		tgt = lmrec_xcalloc(users * L, sizeof *tgt);
		for (size_t u = 0; u < users; u++) {
			size_t len = 20 + (size_t)(lmrec_rng_double(&r) * lmrec_rng_double(&r) * 400);
			size_t m = (len > L + 1 ? L + 1 : len) - 1;
			for (size_t k = 0; k < m; k++) {
				seq[u * L + L - m + k] = 1 + (uint32_t)lmrec_rng_below(&r, items);
				tgt[u * L + L - m + k] = 1 + (uint32_t)lmrec_rng_below(&r, items);
			}
			tokens += m;
		}
	}
	struct lmrec_sasrec_config c = {items, dim, 2, 1, L, 0, 0.2f, 0, 0, 0};
	struct lmrec_sasrec m;
	lmrec_sasrec_init(&m, &c, 1);
	struct lmrec_adam a;
	lmrec_adam_init(&a, m.nparams, 1e-3f, 0.9f, 0.98f, 1e-8f, 0.0f);
	float *grad = lmrec_xmalloc(m.nparams * sizeof *grad);
	uint32_t *order = lmrec_xmalloc(users * sizeof *order);
	uint32_t *bs = lmrec_xmalloc(batch * L * sizeof *bs), *bt = lmrec_xmalloc(batch * L * sizeof *bt);
	for (size_t u = 0; u < users; u++)
		order[u] = (uint32_t)u;
	printf("# %s, %zu users, %zu real positions, maxlen %zu, dim %zu, loss %s (%zu negatives), "
	       "%zu parameters\n",
	       data ? data : "random", users, tokens, L, dim, lossname, neg, m.nparams);
	printf("epoch\tthreads\tloss\tseconds\n");
	for (int ep = 1; ep <= epochs; ep++) {
		lmrec_rng_shuffle_u32(&r, order, users);
		double t0 = now(), tot = 0;
		size_t nb = 0;
		for (size_t b0 = 0; b0 < users; b0 += batch) {
			size_t n = users - b0 < batch ? users - b0 : batch;
			for (size_t i = 0; i < n; i++) {
				memcpy(bs + i * L, seq + (size_t)order[b0 + i] * L, L * sizeof *bs);
				memcpy(bt + i * L, tgt + (size_t)order[b0 + i] * L, L * sizeof *bt);
			}
			tot += lmrec_sasrec_loss_grad(&m, bs, bt, n, loss, neg, 0.75,
						      (uint64_t)ep * 1000003u + b0, 1, grad, threads);
			lmrec_adam_step(&a, m.params, grad);
			nb++;
		}
		printf("%d\t%d\t%.4f\t%.3f\n", ep, threads, tot / (double)nb, now() - t0);
		fflush(stdout);
	}
	free(grad), free(order), free(bs), free(bt), free(seq), free(tgt);
	lmrec_adam_free(&a);
	lmrec_sasrec_free(&m);
	return 0;
}

/* Benchmark helper: writes a random ALS model of a given shape (no
 * interactions), and measures the sgemm rate of the shapes lmrec-recall
 * uses to score it (blocks of 256 users against blocks of 4096 items).
 *   als_model write USERS ITEMS K PATH
 *   als_model sgemm USERS ITEMS K      -> prints seconds and GFLOP/s */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lmrec.h"
#include "als.h"
#include "mat.h"
#include "recmodel.h"

static struct lmrec_ids *numbered(const char *prefix, size_t n)
{
	/* ids in byte order: zero-padded numbers */
	struct lmrec_ids *ids = lmrec_ids_new();
	char buf[64];
	for (size_t i = 0; i < n; i++) {
		int len = snprintf(buf, sizeof buf, "%s%09zu", prefix, i);
		lmrec_ids_intern(ids, buf, (size_t)len);
	}
	return ids;
}

int main(int argc, char **argv)
{
	lmrec_setprogname(argv[0]);
	if (argc < 5)
		lmrec_usage_error("usage: als_model write|sgemm USERS ITEMS K [PATH]");
	size_t nu = (size_t)lmrec_opt_u64("USERS", argv[2], 1, 100000000);
	size_t ni = (size_t)lmrec_opt_u64("ITEMS", argv[3], 1, 100000000);
	size_t k = (size_t)lmrec_opt_u64("K", argv[4], 1, 4096);
	float *X = lmrec_xmalloc(nu * k * sizeof *X), *Y = lmrec_xmalloc(ni * k * sizeof *Y);
	lmrec_als_init(X, nu, k, 0.1, 1, 0);
	lmrec_als_init(Y, ni, k, 0.1, 1, 1);
	if (strcmp(argv[1], "write") == 0 && argc == 6) {
		struct lmrec_recmodel m;
		memset(&m, 0, sizeof m);
		m.kind = LMREC_KIND_ALS;
		m.users = numbered("u", nu);
		m.items = numbered("i", ni);
		m.nu = nu;
		m.ni = ni;
		m.k = k;
		m.X = X;
		m.Y = Y;
		m.reg = 1;
		m.alpha = 1;
		uint32_t none = 0;
		lmrec_csr_build(&m.seen, nu, ni, &none, &none, NULL, 0, LMREC_DUP_ONE);
		lmrec_recmodel_write(&m, NULL, argv[5]);
		lmrec_csr_free(&m.seen);
		lmrec_ids_free(m.users);
		lmrec_ids_free(m.items);
	} else if (strcmp(argv[1], "sgemm") == 0) {
		enum { UB = 256, IB = 4096 };
		float *S = lmrec_xmalloc((size_t)UB * ni * sizeof *S);
		double t0 = lmrec_now();
		for (size_t b = 0; b < nu; b += UB) {
			size_t nb = nu - b < UB ? nu - b : UB;
			for (size_t i = 0; i < ni; i += IB) {
				size_t n = ni - i < IB ? ni - i : IB;
				lmrec_sgemm_nt(nb, n, k, 1.0f, X + b * k, k, Y + i * k, k, 0.0f, S + i, ni);
			}
		}
		double secs = lmrec_now() - t0;
		printf("%.3f\t%.1f\n", secs, 2.0 * (double)nu * (double)ni * (double)k / secs / 1e9);
		free(S);
	} else {
		lmrec_usage_error("usage: als_model write|sgemm USERS ITEMS K [PATH]");
	}
	free(X);
	free(Y);
	lmrec_close_stdout();
	return 0;
}

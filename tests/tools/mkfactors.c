/* Test helper: an als model file whose item factors are given, for the
 * tests of lmrec-embed --method fuse (a planted target, no training).
 * usage: mkfactors VECTORS MODEL
 * VECTORS is a vectors stream (item d0 ... d{k-1}); the model has these
 * items (in byte order, as every model keeps them), their vectors as item
 * factors, one user "u" with zero factors and no interactions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lmrec.h"
#include "model.h"
#include "recmodel.h"

int main(int argc, char **argv)
{
	lmrec_setprogname(argv[0]);
	if (argc != 3) {
		fprintf(stderr, "usage: mkfactors VECTORS MODEL\n");
		return 2;
	}
	struct lmrec_vectors vs;
	lmrec_vectors_read(&vs, argv[1], "item");
	uint32_t *order = lmrec_ids_sorted(vs.ids);
	struct lmrec_recmodel m;
	memset(&m, 0, sizeof m);
	m.kind = LMREC_KIND_ALS;
	m.users = lmrec_ids_new();
	m.items = lmrec_ids_new();
	lmrec_ids_intern(m.users, "u", 1);
	m.nu = 1;
	m.ni = vs.n;
	m.k = vs.dim;
	m.X = lmrec_xcalloc(vs.dim, sizeof *m.X);
	m.Y = lmrec_xmalloc((vs.n * vs.dim + 1) * sizeof *m.Y);
	for (size_t r = 0; r < vs.n; r++) {
		size_t len;
		const char *id = lmrec_ids_str(vs.ids, order[r], &len);
		lmrec_ids_intern(m.items, id, len);
		memcpy(m.Y + r * vs.dim, vs.v + (size_t)order[r] * vs.dim, vs.dim * sizeof *m.Y);
	}
	lmrec_csr_build(&m.seen, 1, vs.n, NULL, NULL, NULL, 0, LMREC_DUP_ONE);
	m.reg = 1;
	m.alpha = 1;
	lmrec_recmodel_write(&m, NULL, argv[2]);
	lmrec_csr_free(&m.seen);
	lmrec_ids_free(m.users);
	lmrec_ids_free(m.items);
	free(m.X);
	free(m.Y);
	free(order);
	lmrec_vectors_free(&vs);
	return 0;
}

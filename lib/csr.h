/* lmrec — sparse matrices in compressed sparse row form: the user x item
 * interaction matrix and its transpose. */
#ifndef LMREC_CSR_H
#define LMREC_CSR_H

#include <stddef.h>
#include <stdint.h>

struct lmrec_csr {
	size_t rows, cols;
	uint64_t *ptr; /* (rows + 1) start of each row in idx and val */
	uint32_t *idx; /* (nnz) column indices, ascending within a row, no repeats */
	float *val;    /* (nnz) values */
};

/* How repeated (row, column) pairs combine. */
enum lmrec_dup { LMREC_DUP_ONE, LMREC_DUP_SUM, LMREC_DUP_MAX };

/* Builds m from n triples (r[i], c[i], v[i]); v NULL means every value 1.
 * With LMREC_DUP_ONE every stored value is 1 (binary implicit feedback). */
void lmrec_csr_build(struct lmrec_csr *m, size_t rows, size_t cols, const uint32_t *r,
		     const uint32_t *c, const float *v, size_t n, enum lmrec_dup dup);
/* t = transpose of m (columns become rows, still sorted). */
void lmrec_csr_transpose(struct lmrec_csr *t, const struct lmrec_csr *m);
void lmrec_csr_free(struct lmrec_csr *m);
static inline uint64_t lmrec_csr_nnz(const struct lmrec_csr *m) { return m->ptr[m->rows]; }

#endif

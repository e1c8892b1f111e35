/* Fuzz target: safetensors files (lib/safetensors.c), the weights of the
 * encoders lmrec-embed runs.
 *
 * The first byte of an input is a mode, the rest the file. With mode bit 0
 * the rest is "header JSON, a NUL, the data" and the harness writes the
 * 8-byte header length itself, so mutations of the JSON reach the checks
 * of the entries instead of stopping at the length. A file the reader
 * accepts is walked whole, checking what safetensors.h promises: tensors
 * sorted by name, each found by its name, the product of its shape times
 * its dtype's size equal to its bytes, inside the mapping, the tensors
 * tiling the data exactly; every float tensor is converted (which may die
 * on a non-finite element: bad data, 65), and lmrec_safetensors_get asked
 * for each tensor's own shape; with mode bit 1, for a wrong one too, which
 * must die (65). */
#include <math.h>

#include "harness.h"
#include "safetensors.h"

struct st_run {
	const char *path;
	size_t tensors;
};

static int st_by_begin(const void *a, const void *b)
{
	const struct lmrec_st_tensor *x = *(const struct lmrec_st_tensor *const *)a;
	const struct lmrec_st_tensor *y = *(const struct lmrec_st_tensor *const *)b;
	return x->begin < y->begin ? -1 : x->begin > y->begin ? 1 : x->end < y->end ? -1 : x->end > y->end;
}

static void st_read_all(void *arg)
{
	struct st_run *run = arg;
	struct lmrec_safetensors *st = lmrec_safetensors_open(run->path);
	FUZZ_ASSERT(st->size >= 8 && 8 + st->header_len <= st->size);
	size_t data_len = st->size - 8 - st->header_len;
	const unsigned char *data = st->map + 8 + st->header_len;
	const struct lmrec_st_tensor **order = lmrec_xcalloc(st->n + 1, sizeof *order);
	for (size_t i = 0; i < st->n; i++) {
		const struct lmrec_st_tensor *t = &st->t[i];
		order[i] = t;
		FUZZ_ASSERT(i == 0 || strcmp(st->t[i - 1].name, t->name) < 0);
		FUZZ_ASSERT(lmrec_safetensors_find(st, t->name) == t);
		FUZZ_ASSERT(t->dtype >= 0 && t->dtype < LMREC_ST_NDTYPES);
		size_t nelem = 1;
		for (size_t d = 0; d < t->ndim; d++)
			nelem *= t->shape[d];
		FUZZ_ASSERT(nelem == t->nelem && t->nelem * lmrec_st_dtype_size(t->dtype) == t->nbytes);
		FUZZ_ASSERT(t->begin <= t->end && t->end <= data_len && t->end - t->begin == t->nbytes);
		FUZZ_ASSERT(t->data == data + t->begin);
		FUZZ_ASSERT(lmrec_safetensors_get(st, t->name, t->ndim, t->shape) == t);
	}
	/* the tensors tile the data: no overlap, no hole, nothing after */
	qsort(order, st->n, sizeof *order, st_by_begin);
	size_t pos = 0;
	for (size_t i = 0; i < st->n; i++) {
		FUZZ_ASSERT(order[i]->begin == pos);
		pos = order[i]->end;
	}
	FUZZ_ASSERT(pos == data_len);
	free(order);
	for (size_t i = 0; i < st->nmeta; i++)
		FUZZ_ASSERT(lmrec_safetensors_meta(st, st->meta[2 * i]) != NULL);
	run->tensors = st->n;
	for (size_t i = 0; i < st->n; i++) {
		const struct lmrec_st_tensor *t = &st->t[i];
		int dt = t->dtype;
		if (dt != LMREC_ST_F32 && dt != LMREC_ST_F16 && dt != LMREC_ST_BF16 && dt != LMREC_ST_F64)
			continue;
		float *v = lmrec_xcalloc(t->nelem + 1, sizeof *v);
		lmrec_safetensors_read_f32(st, t, v);
		for (size_t k = 0; k < t->nelem; k++)
			FUZZ_ASSERT(isfinite(v[k]));
		free(v);
	}
	lmrec_safetensors_close(st);
}

/* The first tensor asked for with a shape it does not have: a die (65). */
static void st_wrong_shape(void *arg)
{
	struct st_run *run = arg;
	struct lmrec_safetensors *st = lmrec_safetensors_open(run->path);
	const struct lmrec_st_tensor *t = &st->t[0];
	size_t wrong[2] = {t->ndim ? t->shape[0] + 1 : 1, 2};
	lmrec_safetensors_get(st, t->name, t->ndim == 1 ? 2 : 1, wrong);
	FUZZ_ASSERT(!"lmrec_safetensors_get took a wrong shape");
}

static int lmrec_fuzz_safetensors(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const uint8_t *file = data + 1;
	size_t len = size - 1;
	unsigned char *made = NULL;
	if (data[0] & 1u) {
		const uint8_t *nul = memchr(file, '\0', len);
		size_t hl = nul ? (size_t)(nul - file) : len;
		made = lmrec_xmalloc(len + 8);
		lmrec_put_le64(made, hl);
		memcpy(made + 8, file, hl);
		size_t rest = nul ? len - hl - 1 : 0;
		if (rest)
			memcpy(made + 8 + hl, nul + 1, rest);
		file = made;
		len = 8 + hl + rest;
	}
	struct st_run run = {fuzz_file("model.safetensors", file, len), 0};
	free(made);
	int status = fuzz_guarded(st_read_all, &run);
	FUZZ_ASSERT_DATA_DIE(status);
	if (status == 0 && run.tensors && (data[0] & 2u))
		FUZZ_ASSERT(fuzz_guarded(st_wrong_shape, &run) == LMREC_EXIT_DATA);
	FUZZ_ASSERT(fuzz_close_scratch_fds() == 0);
	return 0;
}

#ifndef LMREC_FUZZ_REPLAY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return lmrec_fuzz_safetensors(data, size);
}
#endif

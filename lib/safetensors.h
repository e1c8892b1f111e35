/* lmrec — safetensors files: the weight format of Hugging Face models.
 *
 * Layout (all numbers little-endian):
 *
 *   offset  size  field
 *   0       8     N, u64: length of the header
 *   8       N     header: a JSON object (UTF-8), maybe padded with spaces
 *   8+N     ...   data: the tensors' bytes, row-major, little-endian
 *
 * The header maps each tensor name to {"dtype": "F32", "shape": [rows,
 * cols], "data_offsets": [begin, end]}, offsets counted from the start of
 * the data; an optional "__metadata__" entry maps strings to strings.
 *
 * lmrec_safetensors_open maps the file and checks all of it before anything
 * is used, as the reference implementation does: N within the file, the
 * header a JSON object without duplicate keys, every entry complete, its
 * dtype known, end - begin equal to the product of the shape times the
 * dtype's size, and the tensors tiling the data exactly (no overlap, no
 * hole, nothing after the last). A failure ends the program with exit 65
 * and one line naming the file and, where there is one, the tensor; a file
 * that cannot be opened or mapped, exit 1. */
#ifndef LMREC_SAFETENSORS_H
#define LMREC_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

/* The dtypes of the format; F32, F16, BF16 and F64 convert to float. */
enum lmrec_st_dtype {
	LMREC_ST_BOOL,
	LMREC_ST_U8,
	LMREC_ST_I8,
	LMREC_ST_F8_E5M2,
	LMREC_ST_F8_E4M3,
	LMREC_ST_I16,
	LMREC_ST_U16,
	LMREC_ST_F16,
	LMREC_ST_BF16,
	LMREC_ST_I32,
	LMREC_ST_U32,
	LMREC_ST_F32,
	LMREC_ST_I64,
	LMREC_ST_U64,
	LMREC_ST_F64,
	LMREC_ST_NDTYPES
};

/* "F32" for LMREC_ST_F32, and so on. */
const char *lmrec_st_dtype_name(int dtype);
/* Bytes of one element. */
size_t lmrec_st_dtype_size(int dtype);

struct lmrec_st_tensor {
	char *name;
	int dtype;                  /* enum lmrec_st_dtype */
	size_t ndim;
	size_t *shape;              /* (ndim) */
	size_t nelem;               /* product of the shape (1 for a scalar) */
	const unsigned char *data;  /* nbytes bytes inside the mapping */
	size_t nbytes;
	size_t begin, end;          /* data_offsets */
};

struct lmrec_safetensors {
	char *path;
	unsigned char *map; /* (size) the whole file */
	size_t size;
	size_t header_len;  /* N */
	struct lmrec_st_tensor *t; /* (n) sorted by name */
	size_t n;
	char **meta;        /* (nmeta * 2) key, value, ... of __metadata__ */
	size_t nmeta;
};

/* Maps and checks path (see above); dies 65 on a bad file, 1 when it cannot
 * be read. */
struct lmrec_safetensors *lmrec_safetensors_open(const char *path);
void lmrec_safetensors_close(struct lmrec_safetensors *st);

/* The tensor called name, or NULL. */
const struct lmrec_st_tensor *lmrec_safetensors_find(const struct lmrec_safetensors *st,
						     const char *name);
/* The tensor called name, which must have the given shape: dies 65 with
 * "file: tensor 'name' is missing" or "file: tensor 'name' has shape
 * [a, b], expected [c, d]". */
const struct lmrec_st_tensor *lmrec_safetensors_get(const struct lmrec_safetensors *st,
						    const char *name, size_t ndim,
						    const size_t *shape);
/* Converts t (F32, F16, BF16 or F64) to t->nelem floats in dst; dies 65
 * naming the file and the tensor when its dtype is not a float type or an
 * element is not finite (NaN, infinity, or an F64 beyond float's range). */
void lmrec_safetensors_read_f32(const struct lmrec_safetensors *st,
				const struct lmrec_st_tensor *t, float *dst);
/* The value of a __metadata__ key, or NULL. */
const char *lmrec_safetensors_meta(const struct lmrec_safetensors *st, const char *key);

/* Exact conversions of half and bfloat16 bit patterns to float. */
float lmrec_f16_to_f32(uint16_t h);
float lmrec_bf16_to_f32(uint16_t h);

/* ---- writing (tests, benchmarks, exports) ---- */

struct lmrec_st_out {
	const char *name;
	int dtype;          /* enum lmrec_st_dtype */
	size_t ndim;
	const size_t *shape;
	const void *data;   /* the bytes as stored: little-endian */
};

/* Writes n tensors in the given order, with the optional metadata (nmeta
 * key, value pairs), through a temporary file renamed into place; the
 * header is padded with spaces so the data starts 8-byte aligned. */
void lmrec_safetensors_write(const char *path, const struct lmrec_st_out *t, size_t n,
			     const char *const *meta, size_t nmeta);

#endif

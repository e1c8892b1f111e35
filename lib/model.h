/* lmrec — the model-file container (SPEC.md §4, lmrec-formats(5)).
 *
 * Layout, every number little-endian:
 *
 *   offset  size  field
 *        0     8  magic "LMRCMODL" (the same for every lmrec model file)
 *        8     4  u32 format version (LMREC_MODEL_VERSION)
 *       12     4  u32 header size (256)
 *       16     4  u32 kind (enum lmrec_kind)
 *       20     4  u32 flags (0)
 *       24     4  u32 number of sections
 *       28     4  u32 size of a section-table entry (96)
 *       32     8  u64 offset of the section table (256)
 *       40     8  u64 payload offset (256): the payload is everything after
 *                 the header, section table included
 *       48     8  u64 payload length
 *       56     4  u32 CRC-32 of the header, computed with this field zero
 *       60     4  u32 CRC-32 of the payload
 *       64   192  zero
 *
 *   section-table entry (96 bytes):
 *        0    40  name, NUL-padded (at most 39 bytes)
 *       40     4  u32 dtype (enum lmrec_dtype)
 *       44     4  u32 number of dimensions (0..4)
 *       48    32  u64 shape[4] (unused dimensions 0)
 *       80     8  u64 offset of the data from the start of the file
 *                 (a multiple of 64)
 *       88     8  u64 length of the data in bytes
 *
 * Matrices are row-major. A string section (LMREC_DT_STR) holds shape[0]
 * strings, each a u64 length then its bytes: id dictionaries and the
 * "key=value" hyper-parameters are such sections, so a model file alone is
 * enough to score. Files are written to a temporary file and renamed into
 * place. A reader refuses, with exit 65 and a message saying which, a file
 * that is short, has the wrong magic, a newer version, the wrong kind, a
 * section outside the file or a bad checksum. */
#ifndef LMREC_MODEL_H
#define LMREC_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "ids.h"

#define LMREC_MODEL_MAGIC "LMRCMODL"
#define LMREC_MODEL_VERSION 1u
#define LMREC_MODEL_HEADER 256u
#define LMREC_MODEL_ENTRY 96u
#define LMREC_MODEL_ALIGN 64u
#define LMREC_MODEL_NAME 40u

enum lmrec_kind {
	LMREC_KIND_ANY = 0, /* for readers that accept every kind */
	LMREC_KIND_POPULAR = 1,
	LMREC_KIND_ITEMKNN = 2,
	LMREC_KIND_EASE = 3,
	LMREC_KIND_ALS = 4,
	LMREC_KIND_BPR = 5,
	LMREC_KIND_SASREC = 6,
	LMREC_KIND_ALIGN = 7,
	LMREC_KIND_ENCODER = 8,
	LMREC_KIND_VECTORS = 9,
	LMREC_KIND_SEMANTIC = 10,
	LMREC_KIND_CROSSDOMAIN = 11,
	LMREC_KIND_ALS_SUMS = 12, /* one shard's part of an ALS item step (lmrec-als-shard) */
	LMREC_KIND_GRAM = 13,     /* an item-item Gram matrix (lmrec-gram) */
	LMREC_KIND_TEST = 100 /* written by the unit tests */
};

enum lmrec_dtype {
	LMREC_DT_F32 = 0,
	LMREC_DT_F64 = 1,
	LMREC_DT_I32 = 2,
	LMREC_DT_U32 = 3,
	LMREC_DT_I64 = 4,
	LMREC_DT_U64 = 5,
	LMREC_DT_U8 = 6,
	LMREC_DT_STR = 7
};

struct lmrec_section {
	char name[LMREC_MODEL_NAME];
	uint32_t dtype, ndim;
	uint64_t shape[4];
	uint64_t offset, length;
	const void *data; /* host-order data: into the mapping, or owned */
	void *owned;      /* freed with the model */
};

struct lmrec_model {
	uint32_t version, kind, flags;
	struct lmrec_section *sec; /* (nsec) */
	size_t nsec, cap;
	void *map; /* read: the mapped file */
	size_t maplen;
	char *path;
};

const char *lmrec_kind_name(uint32_t kind);
/* LMREC_KIND_ANY when the name is unknown. */
uint32_t lmrec_kind_from_name(const char *name);
const char *lmrec_dtype_name(uint32_t dtype);
size_t lmrec_dtype_size(uint32_t dtype); /* 0 for strings */

/* ---- writing ---- */
struct lmrec_model *lmrec_model_new(uint32_t kind);
/* Adds a numeric section; data is borrowed until lmrec_model_write. */
void lmrec_model_add(struct lmrec_model *m, const char *name, uint32_t dtype, uint32_t ndim,
		     const uint64_t *shape, const void *data);
void lmrec_model_add_f32(struct lmrec_model *m, const char *name, uint64_t rows, uint64_t cols,
			 const float *data);
/* The same, but the model owns data (allocated with lmrec_xmalloc & co.)
 * and frees it. */
void lmrec_model_add_owned(struct lmrec_model *m, const char *name, uint32_t dtype, uint32_t ndim,
			   const uint64_t *shape, void *data);
/* Adds a copy of string section src, leaving out the strings i with
 * drop[i] != 0 (drop may be NULL: all of them). */
void lmrec_model_add_strs(struct lmrec_model *m, const char *name, const struct lmrec_section *src,
			  const unsigned char *drop);
/* Adds a string section holding every id of the dictionary, in index order. */
void lmrec_model_add_ids(struct lmrec_model *m, const char *name, const struct lmrec_ids *ids);
/* Adds (or extends) the "params" section with one "key=value" string. */
void lmrec_model_set_param(struct lmrec_model *m, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Writes atomically (temp file + rename); dies (exit 1) on I/O errors. */
void lmrec_model_write(const struct lmrec_model *m, const char *path);

/* ---- reading ---- */
/* Maps and checks the file; kind LMREC_KIND_ANY accepts any kind. Dies
 * (exit 1 when it cannot be opened, 65 when it is not a valid file). */
struct lmrec_model *lmrec_model_read(const char *path, uint32_t kind);
/* The same, but returns NULL and a message in err (size errlen) instead of
 * dying: the unit tests and lmrec-model-info's --check use it. */
struct lmrec_model *lmrec_model_try_read(const char *path, uint32_t kind, char *err,
					 size_t errlen, int *status);
void lmrec_model_free(struct lmrec_model *m);

const struct lmrec_section *lmrec_model_find(const struct lmrec_model *m, const char *name);
/* The section, or die (65) naming the file and section when it is absent
 * or not of this dtype and number of dimensions. */
const struct lmrec_section *lmrec_model_need(const struct lmrec_model *m, const char *name,
					     uint32_t dtype, uint32_t ndim);
/* A dictionary read back from a string section; dies (65) on duplicates. */
struct lmrec_ids *lmrec_model_ids(const struct lmrec_model *m, const char *name);
/* The value of "key=value" in the params section, or NULL. */
const char *lmrec_model_param(const struct lmrec_model *m, const char *key, size_t *len);
/* The value as a whole number or a number; dies (65) naming the file and
 * the key when it is missing or not one. */
size_t lmrec_model_param_count(const struct lmrec_model *m, const char *key);
double lmrec_model_param_double(const struct lmrec_model *m, const char *key);
/* Iterates over the strings of a string section: *pos starts at 0; returns
 * 0 when done. */
int lmrec_model_next_str(const struct lmrec_section *s, uint64_t *pos, const char **p,
			 size_t *len);

#endif

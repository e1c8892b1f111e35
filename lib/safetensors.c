/* lmrec — safetensors files (see safetensors.h for the layout and checks). */
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "safetensors.h"
#include "tsv.h"
#include "util.h"

static const struct {
	const char *name;
	size_t size;
} dtypes[LMREC_ST_NDTYPES] = {
	[LMREC_ST_BOOL] = {"BOOL", 1},       [LMREC_ST_U8] = {"U8", 1},
	[LMREC_ST_I8] = {"I8", 1},           [LMREC_ST_F8_E5M2] = {"F8_E5M2", 1},
	[LMREC_ST_F8_E4M3] = {"F8_E4M3", 1}, [LMREC_ST_I16] = {"I16", 2},
	[LMREC_ST_U16] = {"U16", 2},         [LMREC_ST_F16] = {"F16", 2},
	[LMREC_ST_BF16] = {"BF16", 2},       [LMREC_ST_I32] = {"I32", 4},
	[LMREC_ST_U32] = {"U32", 4},         [LMREC_ST_F32] = {"F32", 4},
	[LMREC_ST_I64] = {"I64", 8},         [LMREC_ST_U64] = {"U64", 8},
	[LMREC_ST_F64] = {"F64", 8},
};

const char *lmrec_st_dtype_name(int dtype)
{
	return dtype >= 0 && dtype < LMREC_ST_NDTYPES ? dtypes[dtype].name : "unknown";
}

size_t lmrec_st_dtype_size(int dtype)
{
	return dtype >= 0 && dtype < LMREC_ST_NDTYPES ? dtypes[dtype].size : 0;
}

static int dtype_from_name(const char *s)
{
	for (int d = 0; d < LMREC_ST_NDTYPES; d++)
		if (strcmp(dtypes[d].name, s) == 0)
			return d;
	return -1;
}

/* A copy of s fit for a one-line message: control bytes become '?'. */
static char *printable(const char *s)
{
	char *p = lmrec_xstrdup(s);
	for (char *q = p; *q; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			*q = '?';
	return p;
}

/* "[2, 3]": a shape for messages, in a fresh allocation. */
static char *shape_str(size_t ndim, const size_t *shape)
{
	char *s = lmrec_xstrdup("[");
	for (size_t d = 0; d < ndim; d++) {
		char *t = lmrec_xasprintf("%s%s%zu", s, d ? ", " : "", shape[d]);
		free(s);
		s = t;
	}
	char *t = lmrec_xasprintf("%s]", s);
	free(s);
	return t;
}

/* Dies 65 with "path: tensor 'name': message". */
LMREC_NORETURN LMREC_PRINTF(3, 4) static void die_tensor(const char *path, const char *name,
							  const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	char *n = printable(name);
	lmrec_die(LMREC_EXIT_DATA, "%s: tensor '%s': %s", path, n, msg);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct lmrec_st_tensor *)a)->name,
		      ((const struct lmrec_st_tensor *)b)->name);
}

/* Orders tensors by where their data lies. */
/* A tensor's place in the data, for sorting. */
struct span {
	size_t begin, end;
	const char *name;
	size_t idx;
};

static int by_offset(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	if (x->begin != y->begin)
		return x->begin < y->begin ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* A non-negative JSON integer that fits a size_t. */
static int json_size(const json_t *v, size_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    (unsigned long long)json_integer_value(v) > SIZE_MAX)
		return -1;
	*out = (size_t)json_integer_value(v);
	return 0;
}

static void read_metadata(struct lmrec_safetensors *st, const json_t *v)
{
	if (!json_is_object(v))
		lmrec_die(LMREC_EXIT_DATA, "%s: '__metadata__' is not a JSON object", st->path);
	st->meta = lmrec_xcalloc(2 * json_object_size(v) + 1, sizeof *st->meta);
	const char *key;
	json_t *val;
	json_object_foreach((json_t *)v, key, val) {
		if (!json_is_string(val)) {
			char *k = printable(key);
			lmrec_die(LMREC_EXIT_DATA, "%s: '__metadata__': the value of '%s' is not a string",
				  st->path, k);
		}
		st->meta[2 * st->nmeta] = lmrec_xstrdup(key);
		st->meta[2 * st->nmeta + 1] = lmrec_xstrdup(json_string_value(val));
		st->nmeta++;
	}
}

/* Fills t from the header entry v; data_len is the size of the data. */
static void read_entry(const struct lmrec_safetensors *st, struct lmrec_st_tensor *t,
		       const char *name, const json_t *v, size_t data_len)
{
	const char *path = st->path;
	if (!json_is_object(v))
		die_tensor(path, name, "the entry is not a JSON object");
	const json_t *dt = json_object_get(v, "dtype");
	if (!json_is_string(dt))
		die_tensor(path, name, "'dtype' is missing or not a string");
	t->dtype = dtype_from_name(json_string_value(dt));
	if (t->dtype < 0) {
		char *d = printable(json_string_value(dt));
		die_tensor(path, name, "unknown dtype '%.64s'", d);
	}
	const json_t *sh = json_object_get(v, "shape");
	if (!json_is_array(sh))
		die_tensor(path, name, "'shape' is missing or not a list");
	t->ndim = json_array_size(sh);
	t->shape = lmrec_xcalloc(t->ndim ? t->ndim : 1, sizeof *t->shape);
	t->nelem = 1;
	int overflow = 0;
	for (size_t d = 0; d < t->ndim; d++) {
		if (json_size(json_array_get(sh, d), &t->shape[d]) != 0)
			die_tensor(path, name, "'shape' holds something other than a non-negative integer");
		if (t->shape[d] && t->nelem > SIZE_MAX / t->shape[d])
			overflow = 1;
		t->nelem *= t->shape[d];
	}
	size_t esize = dtypes[t->dtype].size;
	if (overflow || t->nelem > SIZE_MAX / esize) {
		char *s = shape_str(t->ndim, t->shape);
		die_tensor(path, name, "shape %s is too large", s);
	}
	t->nbytes = t->nelem * esize;
	const json_t *off = json_object_get(v, "data_offsets");
	if (!json_is_array(off) || json_array_size(off) != 2 ||
	    json_size(json_array_get(off, 0), &t->begin) != 0 ||
	    json_size(json_array_get(off, 1), &t->end) != 0)
		die_tensor(path, name, "'data_offsets' is missing or not two non-negative integers");
	if (t->begin > t->end)
		die_tensor(path, name, "data_offsets [%zu, %zu] run backwards", t->begin, t->end);
	if (t->end > data_len)
		die_tensor(path, name,
			   "data_offsets [%zu, %zu] run past the end of the file (%zu bytes of data)",
			   t->begin, t->end, data_len);
	if (t->end - t->begin != t->nbytes) {
		char *s = shape_str(t->ndim, t->shape);
		die_tensor(path, name, "data_offsets [%zu, %zu] hold %zu bytes, shape %s of %s needs %zu",
			   t->begin, t->end, t->end - t->begin, s, dtypes[t->dtype].name, t->nbytes);
	}
	t->data = st->map + 8 + st->header_len + t->begin;
	t->name = lmrec_xstrdup(name);
}

/* The tensors must tile the data exactly, as the reference reader asks. */
static void check_tiling(const struct lmrec_safetensors *st, size_t data_len)
{
	struct span *o = lmrec_xcalloc(st->n ? st->n : 1, sizeof *o);
	for (size_t i = 0; i < st->n; i++)
		o[i] = (struct span){st->t[i].begin, st->t[i].end, st->t[i].name, i};
	qsort(o, st->n, sizeof *o, by_offset);
	size_t pos = 0, gap_end = data_len;
	const struct lmrec_st_tensor *prev = NULL, *cur = NULL; /* an overlap */
	int gap = 0;
	for (size_t i = 0; i < st->n && !cur && !gap; i++) {
		if (o[i].begin < pos) {
			prev = &st->t[o[i - 1].idx];
			cur = &st->t[o[i].idx];
		} else if (o[i].begin > pos) {
			gap = 1;
			gap_end = o[i].begin;
		} else {
			pos = o[i].end;
		}
	}
	/* freed before dying: the message needs only the tensors, which st holds */
	free(o);
	if (cur) {
		char *a = printable(prev->name), *b = printable(cur->name);
		lmrec_die(LMREC_EXIT_DATA, "%s: tensors '%s' and '%s' overlap (bytes %zu to %zu)",
			  st->path, a, b, cur->begin, pos < cur->end ? pos : cur->end);
	}
	if (gap || pos != data_len)
		lmrec_die(LMREC_EXIT_DATA, "%s: bytes %zu to %zu of the data belong to no tensor",
			  st->path, pos, gap_end);
}

struct lmrec_safetensors *lmrec_safetensors_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		lmrec_die(LMREC_EXIT_FAIL, "%s: open:", path);
	struct stat sb;
	if (fstat(fd, &sb) != 0)
		lmrec_die(LMREC_EXIT_FAIL, "%s: stat:", path);
	if (!S_ISREG(sb.st_mode))
		lmrec_die(LMREC_EXIT_FAIL, "%s: not a regular file", path);
	struct lmrec_safetensors *st = lmrec_xcalloc(1, sizeof *st);
	st->path = lmrec_xstrdup(path);
	st->size = (size_t)sb.st_size;
	if (st->size < 8) {
		close(fd);
		lmrec_die(LMREC_EXIT_DATA,
			  "%s: not a safetensors file (%zu bytes, shorter than the 8-byte header length)",
			  path, st->size);
	}
	void *map = mmap(NULL, st->size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		lmrec_die(LMREC_EXIT_FAIL, "%s: mmap:", path);
	st->map = map;
	uint64_t n = lmrec_get_le64(st->map);
	if (n > st->size - 8)
		lmrec_die(LMREC_EXIT_DATA,
			  "%s: header length %llu runs past the end of the file (%zu bytes)", path,
			  (unsigned long long)n, st->size);
	st->header_len = (size_t)n;
	size_t data_len = st->size - 8 - st->header_len;

	json_error_t err;
	json_t *h = json_loadb((const char *)st->map + 8, st->header_len, JSON_REJECT_DUPLICATES, &err);
	if (!h) {
		char *text = printable(err.text);
		lmrec_die(LMREC_EXIT_DATA, "%s: the header is not valid JSON: %s (byte %d of the header)",
			  path, text, err.position);
	}
	if (!json_is_object(h))
		lmrec_die(LMREC_EXIT_DATA, "%s: the header is not a JSON object", path);
	st->t = lmrec_xcalloc(json_object_size(h) + 1, sizeof *st->t);
	const char *key;
	json_t *val;
	json_object_foreach(h, key, val) {
		if (strcmp(key, "__metadata__") == 0)
			read_metadata(st, val);
		else
			read_entry(st, &st->t[st->n++], key, val, data_len);
	}
	json_decref(h);
	check_tiling(st, data_len);
	qsort(st->t, st->n, sizeof *st->t, by_name);
	return st;
}

void lmrec_safetensors_close(struct lmrec_safetensors *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->n; i++) {
		free(st->t[i].name);
		free(st->t[i].shape);
	}
	free(st->t);
	for (size_t i = 0; i < 2 * st->nmeta; i++)
		free(st->meta[i]);
	free(st->meta);
	if (st->map)
		munmap(st->map, st->size);
	free(st->path);
	free(st);
}

const struct lmrec_st_tensor *lmrec_safetensors_find(const struct lmrec_safetensors *st,
						     const char *name)
{
	struct lmrec_st_tensor key = {.name = (char *)name};
	return bsearch(&key, st->t, st->n, sizeof *st->t, by_name);
}

const struct lmrec_st_tensor *lmrec_safetensors_get(const struct lmrec_safetensors *st,
						    const char *name, size_t ndim,
						    const size_t *shape)
{
	const struct lmrec_st_tensor *t = lmrec_safetensors_find(st, name);
	if (!t)
		lmrec_die(LMREC_EXIT_DATA, "%s: tensor '%s' is missing", st->path, name);
	int same = t->ndim == ndim;
	for (size_t d = 0; same && d < ndim; d++)
		same = t->shape[d] == shape[d];
	if (!same) {
		char *a = shape_str(t->ndim, t->shape), *b = shape_str(ndim, shape);
		lmrec_die(LMREC_EXIT_DATA, "%s: tensor '%s' has shape %s, expected %s", st->path, name,
			  a, b);
	}
	return t;
}

const char *lmrec_safetensors_meta(const struct lmrec_safetensors *st, const char *key)
{
	for (size_t i = 0; i < st->nmeta; i++)
		if (strcmp(st->meta[2 * i], key) == 0)
			return st->meta[2 * i + 1];
	return NULL;
}

float lmrec_f16_to_f32(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000u) << 16, exp = (h >> 10) & 0x1fu, man = h & 0x3ffu;
	uint32_t bits;
	if (exp == 0x1f) {
		bits = sign | 0x7f800000u | man << 13; /* infinity, NaN */
	} else if (exp != 0) {
		bits = sign | (exp + 112) << 23 | man << 13; /* rebias 15 -> 127 */
	} else if (man == 0) {
		bits = sign; /* zero */
	} else {
		/* subnormal: man * 2^-24; normalise the mantissa */
		uint32_t e = 113;
		while (!(man & 0x400u)) {
			man <<= 1;
			e--;
		}
		bits = sign | e << 23 | (man & 0x3ffu) << 13;
	}
	float f;
	memcpy(&f, &bits, sizeof f);
	return f;
}

float lmrec_bf16_to_f32(uint16_t h)
{
	uint32_t bits = (uint32_t)h << 16;
	float f;
	memcpy(&f, &bits, sizeof f);
	return f;
}

static int host_is_le(void)
{
	const uint16_t one = 1;
	unsigned char b;
	memcpy(&b, &one, 1);
	return b == 1;
}

void lmrec_safetensors_read_f32(const struct lmrec_safetensors *st,
				const struct lmrec_st_tensor *t, float *dst)
{
	const unsigned char *p = t->data;
	size_t n = t->nelem;
	switch (t->dtype) {
	case LMREC_ST_F32:
		if (host_is_le()) {
			memcpy(dst, p, n * sizeof *dst);
		} else {
			for (size_t i = 0; i < n; i++) {
				uint32_t u = lmrec_get_le32(p + 4 * i);
				memcpy(&dst[i], &u, sizeof u);
			}
		}
		break;
	case LMREC_ST_F16:
		for (size_t i = 0; i < n; i++)
			dst[i] = lmrec_f16_to_f32((uint16_t)(p[2 * i] | p[2 * i + 1] << 8));
		break;
	case LMREC_ST_BF16:
		for (size_t i = 0; i < n; i++)
			dst[i] = lmrec_bf16_to_f32((uint16_t)(p[2 * i] | p[2 * i + 1] << 8));
		break;
	case LMREC_ST_F64:
		for (size_t i = 0; i < n; i++) {
			uint64_t u = lmrec_get_le64(p + 8 * i);
			double d;
			memcpy(&d, &u, sizeof d);
			/* beyond float's range is refused below, not made infinite */
			dst[i] = fabs(d) <= FLT_MAX ? (float)d : INFINITY;
		}
		break;
	default:
		die_tensor(st->path, t->name, "dtype %s, expected a float type (F32, F16, BF16 or F64)",
			   dtypes[t->dtype].name);
	}
	for (size_t i = 0; i < n; i++)
		if (!isfinite(dst[i]))
			die_tensor(st->path, t->name, "element %zu is not a finite float", i);
}

void lmrec_safetensors_write(const char *path, const struct lmrec_st_out *t, size_t n,
			     const char *const *meta, size_t nmeta)
{
	json_t *h = json_object();
	if (!h)
		lmrec_die(LMREC_EXIT_FAIL, "out of memory");
	if (nmeta) {
		json_t *m = json_object();
		for (size_t i = 0; i < nmeta; i++)
			json_object_set_new(m, meta[2 * i], json_string(meta[2 * i + 1]));
		json_object_set_new(h, "__metadata__", m);
	}
	size_t off = 0;
	for (size_t i = 0; i < n; i++) {
		size_t nelem = 1;
		json_t *shape = json_array();
		for (size_t d = 0; d < t[i].ndim; d++) {
			json_array_append_new(shape, json_integer((json_int_t)t[i].shape[d]));
			nelem *= t[i].shape[d];
		}
		size_t bytes = nelem * lmrec_st_dtype_size(t[i].dtype);
		json_t *e = json_object();
		json_object_set_new(e, "dtype", json_string(lmrec_st_dtype_name(t[i].dtype)));
		json_object_set_new(e, "shape", shape);
		json_object_set_new(e, "data_offsets",
				    json_pack("[II]", (json_int_t)off, (json_int_t)off + (json_int_t)bytes));
		if (json_object_set_new(h, t[i].name, e) != 0)
			lmrec_die(LMREC_EXIT_FAIL, "%s: cannot add tensor '%s' to the header", path,
				  t[i].name);
		off += bytes;
	}
	char *text = json_dumps(h, JSON_COMPACT);
	json_decref(h);
	if (!text)
		lmrec_die(LMREC_EXIT_FAIL, "out of memory");
	size_t len = strlen(text), padded = (len + 7) / 8 * 8;
	unsigned char hl[8];
	lmrec_put_le64(hl, padded);
	struct lmrec_out *o = lmrec_out_open(path);
	lmrec_out_write(o, hl, sizeof hl);
	lmrec_out_write(o, text, len);
	for (size_t i = len; i < padded; i++)
		lmrec_out_byte(o, ' ');
	free(text);
	for (size_t i = 0; i < n; i++) {
		size_t nelem = 1;
		for (size_t d = 0; d < t[i].ndim; d++)
			nelem *= t[i].shape[d];
		lmrec_out_write(o, t[i].data, nelem * lmrec_st_dtype_size(t[i].dtype));
	}
	lmrec_out_commit(o);
}

/* lmrec — the model-file container (see model.h for the layout). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "model.h"
#include "util.h"

static const struct {
	uint32_t kind;
	const char *name;
} kinds[] = {
	{LMREC_KIND_POPULAR, "popular"}, {LMREC_KIND_ITEMKNN, "itemknn"},
	{LMREC_KIND_EASE, "ease"},       {LMREC_KIND_ALS, "als"},
	{LMREC_KIND_BPR, "bpr"},         {LMREC_KIND_SASREC, "sasrec"},
	{LMREC_KIND_ALIGN, "align"},     {LMREC_KIND_ENCODER, "encoder"},
	{LMREC_KIND_VECTORS, "vectors"}, {LMREC_KIND_SEMANTIC, "semantic"},
	{LMREC_KIND_CROSSDOMAIN, "crossdomain"},
	{LMREC_KIND_ALS_SUMS, "als-sums"},
	{LMREC_KIND_GRAM, "gram"},
	{LMREC_KIND_TEST, "test"},
};

const char *lmrec_kind_name(uint32_t kind)
{
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (kinds[i].kind == kind)
			return kinds[i].name;
	return "unknown";
}

uint32_t lmrec_kind_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(kinds[i].name, name) == 0)
			return kinds[i].kind;
	return LMREC_KIND_ANY;
}

static const char *const dtype_names[] = {"f32", "f64", "i32", "u32", "i64", "u64", "u8", "str"};
static const size_t dtype_sizes[] = {4, 8, 4, 4, 8, 8, 1, 0};

const char *lmrec_dtype_name(uint32_t dtype)
{
	return dtype <= LMREC_DT_STR ? dtype_names[dtype] : "unknown";
}

size_t lmrec_dtype_size(uint32_t dtype) { return dtype <= LMREC_DT_STR ? dtype_sizes[dtype] : 0; }

static int host_is_le(void)
{
	const uint16_t one = 1;
	unsigned char b;
	memcpy(&b, &one, 1);
	return b == 1;
}

/* ---- writing ---- */

struct lmrec_model *lmrec_model_new(uint32_t kind)
{
	struct lmrec_model *m = lmrec_xcalloc(1, sizeof *m);
	m->version = LMREC_MODEL_VERSION;
	m->kind = kind;
	return m;
}

static struct lmrec_section *new_section(struct lmrec_model *m, const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n >= LMREC_MODEL_NAME)
		lmrec_die(LMREC_EXIT_FAIL, "model section name '%s' is empty or too long", name);
	if (lmrec_model_find(m, name))
		lmrec_die(LMREC_EXIT_FAIL, "model section '%s' added twice", name);
	LMREC_GROW(m->sec, m->cap, m->nsec + 1);
	struct lmrec_section *s = &m->sec[m->nsec++];
	memset(s, 0, sizeof *s);
	memcpy(s->name, name, n + 1);
	return s;
}

void lmrec_model_add(struct lmrec_model *m, const char *name, uint32_t dtype, uint32_t ndim,
		     const uint64_t *shape, const void *data)
{
	if (dtype >= LMREC_DT_STR || ndim > 4)
		lmrec_die(LMREC_EXIT_FAIL, "model section '%s': bad dtype or rank", name);
	struct lmrec_section *s = new_section(m, name);
	s->dtype = dtype;
	s->ndim = ndim;
	uint64_t count = 1;
	for (uint32_t d = 0; d < ndim; d++) {
		s->shape[d] = shape[d];
		if (shape[d] && count > UINT64_MAX / shape[d])
			lmrec_die(LMREC_EXIT_FAIL, "model section '%s' is too large", name);
		count *= shape[d];
	}
	if (count > UINT64_MAX / dtype_sizes[dtype])
		lmrec_die(LMREC_EXIT_FAIL, "model section '%s' is too large", name);
	s->length = count * dtype_sizes[dtype];
	s->data = data;
}

void lmrec_model_add_f32(struct lmrec_model *m, const char *name, uint64_t rows, uint64_t cols,
			 const float *data)
{
	uint64_t shape[2] = {rows, cols};
	lmrec_model_add(m, name, LMREC_DT_F32, 2, shape, data);
}

static void str_append(struct lmrec_section *s, const char *p, size_t len)
{
	size_t need = (size_t)s->length + 8 + len;
	s->owned = lmrec_xreallocarray(s->owned, need ? need : 1, 1);
	unsigned char *d = (unsigned char *)s->owned + s->length;
	lmrec_put_le64(d, len);
	memcpy(d + 8, p, len);
	s->length = need;
	s->shape[0]++;
	s->data = s->owned;
}

void lmrec_model_add_owned(struct lmrec_model *m, const char *name, uint32_t dtype, uint32_t ndim,
			   const uint64_t *shape, void *data)
{
	lmrec_model_add(m, name, dtype, ndim, shape, data);
	m->sec[m->nsec - 1].owned = data;
}

void lmrec_model_add_strs(struct lmrec_model *m, const char *name, const struct lmrec_section *src,
			  const unsigned char *drop)
{
	struct lmrec_section *s = new_section(m, name);
	s->dtype = LMREC_DT_STR;
	s->ndim = 1;
	uint64_t pos = 0, i = 0;
	const char *p;
	size_t len;
	while (lmrec_model_next_str(src, &pos, &p, &len)) {
		if (!drop || !drop[i])
			str_append(s, p, len);
		i++;
	}
}

void lmrec_model_add_ids(struct lmrec_model *m, const char *name, const struct lmrec_ids *ids)
{
	struct lmrec_section *s = new_section(m, name);
	s->dtype = LMREC_DT_STR;
	s->ndim = 1;
	size_t total = 0;
	for (size_t i = 0; i < ids->n; i++)
		total += 8 + ids->len[i];
	s->owned = lmrec_xmalloc(total);
	unsigned char *d = s->owned;
	for (size_t i = 0; i < ids->n; i++) {
		lmrec_put_le64(d, ids->len[i]);
		memcpy(d + 8, ids->str[i], ids->len[i]);
		d += 8 + ids->len[i];
	}
	s->length = total;
	s->shape[0] = ids->n;
	s->data = s->owned;
}

void lmrec_model_set_param(struct lmrec_model *m, const char *key, const char *fmt, ...)
{
	struct lmrec_section *s = (struct lmrec_section *)lmrec_model_find(m, "params");
	if (!s) {
		s = new_section(m, "params");
		s->dtype = LMREC_DT_STR;
		s->ndim = 1;
	}
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		lmrec_die(LMREC_EXIT_FAIL, "formatting failed");
	size_t klen = strlen(key);
	char *kv = lmrec_xmalloc(klen + 1 + (size_t)n + 1);
	snprintf(kv, klen + 2, "%s=", key);
	va_start(ap, fmt);
	vsnprintf(kv + klen + 1, (size_t)n + 1, fmt, ap);
	va_end(ap);
	str_append(s, kv, klen + 1 + (size_t)n);
	free(kv);
}

struct writer {
	FILE *fp;
	const char *path;
	uLong crc;
	uint64_t pos;
};

static void w_bytes(struct writer *w, const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, w->fp) != n)
		lmrec_die(LMREC_EXIT_FAIL, "%s: write:", w->path);
	const unsigned char *b = p;
	for (size_t off = 0; off < n;) {
		uInt chunk = n - off > (1u << 30) ? (1u << 30) : (uInt)(n - off);
		w->crc = crc32(w->crc, b + off, chunk);
		off += chunk;
	}
	w->pos += n;
}

static void w_pad(struct writer *w, uint64_t to)
{
	static const unsigned char zero[LMREC_MODEL_ALIGN];
	while (w->pos < to) {
		uint64_t n = to - w->pos;
		w_bytes(w, zero, n > sizeof zero ? sizeof zero : (size_t)n);
	}
}

/* Numbers are written little-endian whatever the host. */
static void w_data(struct writer *w, const struct lmrec_section *s)
{
	size_t es = dtype_sizes[s->dtype];
	if (host_is_le() || es <= 1) {
		w_bytes(w, s->data, (size_t)s->length);
		return;
	}
	unsigned char tmp[4096];
	const unsigned char *src = s->data;
	for (uint64_t off = 0; off < s->length;) {
		size_t n = s->length - off > sizeof tmp ? sizeof tmp : (size_t)(s->length - off);
		for (size_t i = 0; i < n; i += es)
			for (size_t b = 0; b < es; b++)
				tmp[i + b] = src[off + i + es - 1 - b];
		w_bytes(w, tmp, n);
		off += n;
	}
}

static uint64_t align_up(uint64_t x) { return (x + LMREC_MODEL_ALIGN - 1) & ~(uint64_t)(LMREC_MODEL_ALIGN - 1); }

void lmrec_model_write(const struct lmrec_model *m, const char *path)
{
	/* Lay out the sections, then write header, table and data. */
	uint64_t *offs = lmrec_xcalloc(m->nsec ? m->nsec : 1, sizeof *offs);
	uint64_t pos = align_up(LMREC_MODEL_HEADER + (uint64_t)m->nsec * LMREC_MODEL_ENTRY);
	for (size_t i = 0; i < m->nsec; i++) {
		offs[i] = pos;
		pos = align_up(pos + m->sec[i].length);
	}
	uint64_t file_len = pos;

	const char *slash = strrchr(path, '/');
	int dirlen = slash ? (int)(slash - path) + 1 : 0;
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		lmrec_die(LMREC_EXIT_FAIL, "%s: not a regular file (a model is written to a temporary "
					   "file renamed over its name)",
			  path);
	char *tmp = lmrec_xasprintf("%.*s.%s.tmp.XXXXXX", dirlen, path, path + dirlen);
	lmrec_signals_hold();
	int fd = mkstemp(tmp);
	int saved = errno;
	if (fd >= 0)
		lmrec_temp_register(tmp);
	lmrec_signals_release();
	errno = saved;
	if (fd < 0)
		lmrec_die(LMREC_EXIT_FAIL, "%s: cannot create a temporary file beside it:", path);
	mode_t mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0)
		lmrec_die(LMREC_EXIT_FAIL, "%s: chmod:", tmp);
	struct writer w = {fdopen(fd, "wb"), path, crc32(0, Z_NULL, 0), 0};
	if (!w.fp)
		lmrec_die(LMREC_EXIT_FAIL, "%s: fdopen:", path);

	/* Payload first (after a placeholder header), so its CRC is known. */
	unsigned char hdr[LMREC_MODEL_HEADER];
	memset(hdr, 0, sizeof hdr);
	if (fwrite(hdr, 1, sizeof hdr, w.fp) != sizeof hdr)
		lmrec_die(LMREC_EXIT_FAIL, "%s: write:", path);
	w.pos = LMREC_MODEL_HEADER;
	for (size_t i = 0; i < m->nsec; i++) {
		const struct lmrec_section *s = &m->sec[i];
		unsigned char e[LMREC_MODEL_ENTRY];
		memset(e, 0, sizeof e);
		memcpy(e, s->name, strlen(s->name) + 1);
		lmrec_put_le32(e + 40, s->dtype);
		lmrec_put_le32(e + 44, s->ndim);
		for (size_t d = 0; d < 4; d++)
			lmrec_put_le64(e + 48 + 8 * d, s->shape[d]);
		lmrec_put_le64(e + 80, offs[i]);
		lmrec_put_le64(e + 88, s->length);
		w_bytes(&w, e, sizeof e);
	}
	for (size_t i = 0; i < m->nsec; i++) {
		w_pad(&w, offs[i]);
		w_data(&w, &m->sec[i]);
	}
	w_pad(&w, file_len);

	static const char magic[8] = LMREC_MODEL_MAGIC; /* 8 bytes, no NUL */
	memcpy(hdr, magic, sizeof magic);
	lmrec_put_le32(hdr + 8, LMREC_MODEL_VERSION);
	lmrec_put_le32(hdr + 12, LMREC_MODEL_HEADER);
	lmrec_put_le32(hdr + 16, m->kind);
	lmrec_put_le32(hdr + 20, m->flags);
	lmrec_put_le32(hdr + 24, (uint32_t)m->nsec);
	lmrec_put_le32(hdr + 28, LMREC_MODEL_ENTRY);
	lmrec_put_le64(hdr + 32, LMREC_MODEL_HEADER);
	lmrec_put_le64(hdr + 40, LMREC_MODEL_HEADER);
	lmrec_put_le64(hdr + 48, file_len - LMREC_MODEL_HEADER);
	lmrec_put_le32(hdr + 60, (uint32_t)w.crc);
	lmrec_put_le32(hdr + 56, (uint32_t)crc32(crc32(0, Z_NULL, 0), hdr, sizeof hdr));
	if (fseek(w.fp, 0, SEEK_SET) != 0 || fwrite(hdr, 1, sizeof hdr, w.fp) != sizeof hdr ||
	    fflush(w.fp) != 0 || fsync(fd) != 0)
		lmrec_die(LMREC_EXIT_FAIL, "%s: write:", path);
	if (fclose(w.fp) != 0)
		lmrec_die(LMREC_EXIT_FAIL, "%s: close:", path);
	if (rename(tmp, path) != 0)
		lmrec_die(LMREC_EXIT_FAIL, "%s: rename into place:", path);
	lmrec_temp_forget(tmp);
	free(tmp);
	free(offs);
}

/* ---- reading ---- */

void lmrec_model_free(struct lmrec_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nsec; i++)
		free(m->sec[i].owned);
	free(m->sec);
	if (m->map)
		munmap(m->map, m->maplen);
	free(m->path);
	free(m);
}

#define FAIL(st, ...)                                                                              \
	do {                                                                                       \
		snprintf(err, errlen, __VA_ARGS__);                                                \
		*status = (st);                                                                    \
		lmrec_model_free(m);                                                               \
		return NULL;                                                                       \
	} while (0)

struct lmrec_model *lmrec_model_try_read(const char *path, uint32_t kind, char *err,
					 size_t errlen, int *status)
{
	struct lmrec_model *m = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		FAIL(LMREC_EXIT_FAIL, "%s: open: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		FAIL(LMREC_EXIT_FAIL, "%s: stat: %s", path, strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		FAIL(LMREC_EXIT_FAIL, "%s: not a regular file", path);
	}
	size_t size = (size_t)st.st_size;
	m = lmrec_xcalloc(1, sizeof *m);
	m->path = lmrec_xstrdup(path);
	if (size < LMREC_MODEL_HEADER) {
		close(fd);
		FAIL(LMREC_EXIT_DATA, "%s: not an lmrec model file (%zu bytes, shorter than the header)",
		     path, size);
	}
	void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		FAIL(LMREC_EXIT_FAIL, "%s: mmap: %s", path, strerror(errno));
	m->map = map;
	m->maplen = size;
	const unsigned char *b = map;

	if (memcmp(b, LMREC_MODEL_MAGIC, 8) != 0)
		FAIL(LMREC_EXIT_DATA, "%s: not an lmrec model file (bad magic)", path);
	m->version = lmrec_get_le32(b + 8);
	if (m->version == 0)
		FAIL(LMREC_EXIT_DATA, "%s: bad model format version 0", path);
	if (m->version > LMREC_MODEL_VERSION)
		FAIL(LMREC_EXIT_DATA,
		     "%s: model format version %u is newer than this lmrec reads (up to %u): "
		     "upgrade lmrec",
		     path, m->version, LMREC_MODEL_VERSION);
	uint32_t hsize = lmrec_get_le32(b + 12);
	if (hsize != LMREC_MODEL_HEADER)
		FAIL(LMREC_EXIT_DATA, "%s: bad header size %u", path, hsize);
	unsigned char hdr[LMREC_MODEL_HEADER];
	memcpy(hdr, b, sizeof hdr);
	uint32_t crc_h = lmrec_get_le32(hdr + 56);
	memset(hdr + 56, 0, 4);
	if ((uint32_t)crc32(crc32(0, Z_NULL, 0), hdr, sizeof hdr) != crc_h)
		FAIL(LMREC_EXIT_DATA, "%s: header checksum mismatch (the file is corrupt)", path);
	m->kind = lmrec_get_le32(b + 16);
	m->flags = lmrec_get_le32(b + 20);
	if (kind != LMREC_KIND_ANY && m->kind != kind)
		FAIL(LMREC_EXIT_DATA, "%s: model kind '%s', where '%s' is needed", path,
		     lmrec_kind_name(m->kind), lmrec_kind_name(kind));
	uint32_t nsec = lmrec_get_le32(b + 24), esize = lmrec_get_le32(b + 28);
	uint64_t table = lmrec_get_le64(b + 32), poff = lmrec_get_le64(b + 40);
	uint64_t plen = lmrec_get_le64(b + 48);
	if (esize != LMREC_MODEL_ENTRY || poff != LMREC_MODEL_HEADER)
		FAIL(LMREC_EXIT_DATA, "%s: bad header (section entries of %u bytes, payload at %llu)",
		     path, esize, (unsigned long long)poff);
	if (plen != size - poff)
		FAIL(LMREC_EXIT_DATA, "%s: payload length %llu does not match the file size %zu "
				      "(truncated?)",
		     path, (unsigned long long)plen, size);
	if (table < poff || table > size || nsec > (size - table) / LMREC_MODEL_ENTRY)
		FAIL(LMREC_EXIT_DATA, "%s: section table lies outside the file", path);
	uLong crc = crc32(0, Z_NULL, 0);
	for (uint64_t off = poff; off < size;) {
		uInt chunk = size - off > (1u << 30) ? (1u << 30) : (uInt)(size - off);
		crc = crc32(crc, b + off, chunk);
		off += chunk;
	}
	if ((uint32_t)crc != lmrec_get_le32(b + 60))
		FAIL(LMREC_EXIT_DATA, "%s: payload checksum mismatch (the file is corrupt)", path);

	m->sec = lmrec_xcalloc(nsec ? nsec : 1, sizeof *m->sec);
	m->cap = nsec;
	for (uint32_t i = 0; i < nsec; i++) {
		const unsigned char *e = b + table + (uint64_t)i * LMREC_MODEL_ENTRY;
		struct lmrec_section *s = &m->sec[m->nsec++];
		memcpy(s->name, e, LMREC_MODEL_NAME);
		if (s->name[LMREC_MODEL_NAME - 1] != '\0' || s->name[0] == '\0')
			FAIL(LMREC_EXIT_DATA, "%s: section %u has a bad name", path, i);
		s->dtype = lmrec_get_le32(e + 40);
		s->ndim = lmrec_get_le32(e + 44);
		for (size_t d = 0; d < 4; d++)
			s->shape[d] = lmrec_get_le64(e + 48 + 8 * d);
		s->offset = lmrec_get_le64(e + 80);
		s->length = lmrec_get_le64(e + 88);
		if (s->dtype > LMREC_DT_STR || s->ndim > 4)
			FAIL(LMREC_EXIT_DATA, "%s: section '%s' has an unknown type", path, s->name);
		if (s->offset % LMREC_MODEL_ALIGN || s->offset > size || s->length > size - s->offset)
			FAIL(LMREC_EXIT_DATA, "%s: section '%s' lies outside the file", path, s->name);
		if (s->dtype != LMREC_DT_STR) {
			uint64_t count = 1;
			for (uint32_t d = 0; d < s->ndim; d++) {
				if (s->shape[d] && count > UINT64_MAX / s->shape[d])
					FAIL(LMREC_EXIT_DATA, "%s: section '%s' shape overflows", path,
					     s->name);
				count *= s->shape[d];
			}
			if (count > s->length / dtype_sizes[s->dtype] ||
			    count * dtype_sizes[s->dtype] != s->length)
				FAIL(LMREC_EXIT_DATA,
				     "%s: section '%s' holds %llu bytes, its shape needs another size",
				     path, s->name, (unsigned long long)s->length);
		} else {
			/* every string must fit inside the section */
			uint64_t pos = 0, n = 0;
			const unsigned char *d = b + s->offset;
			while (pos < s->length) {
				if (s->length - pos < 8)
					break;
				uint64_t len = lmrec_get_le64(d + pos);
				if (len > s->length - pos - 8)
					break;
				pos += 8 + len;
				n++;
			}
			if (pos != s->length || n != s->shape[0])
				FAIL(LMREC_EXIT_DATA, "%s: string section '%s' is malformed", path,
				     s->name);
		}
		for (uint32_t j = 0; j < i; j++)
			if (strcmp(m->sec[j].name, s->name) == 0)
				FAIL(LMREC_EXIT_DATA, "%s: section '%s' appears twice", path, s->name);
		size_t es = dtype_sizes[s->dtype];
		if (host_is_le() || es <= 1) {
			s->data = b + s->offset;
		} else {
			unsigned char *c = lmrec_xmalloc((size_t)s->length);
			for (uint64_t k = 0; k < s->length; k += es)
				for (size_t x = 0; x < es; x++)
					c[k + x] = b[s->offset + k + es - 1 - x];
			s->owned = c;
			s->data = c;
		}
	}
	*status = 0;
	return m;
}

struct lmrec_model *lmrec_model_read(const char *path, uint32_t kind)
{
	char err[512];
	int status;
	struct lmrec_model *m = lmrec_model_try_read(path, kind, err, sizeof err, &status);
	if (!m)
		lmrec_die(status, "%s", err);
	return m;
}

const struct lmrec_section *lmrec_model_find(const struct lmrec_model *m, const char *name)
{
	for (size_t i = 0; i < m->nsec; i++)
		if (strcmp(m->sec[i].name, name) == 0)
			return &m->sec[i];
	return NULL;
}

const struct lmrec_section *lmrec_model_need(const struct lmrec_model *m, const char *name,
					     uint32_t dtype, uint32_t ndim)
{
	const struct lmrec_section *s = lmrec_model_find(m, name);
	const char *path = m->path ? m->path : "model";
	if (!s)
		lmrec_die(LMREC_EXIT_DATA, "%s: section '%s' is missing", path, name);
	if (s->dtype != dtype || s->ndim != ndim)
		lmrec_die(LMREC_EXIT_DATA, "%s: section '%s' is %s of rank %u, expected %s of rank %u",
			  path, name, lmrec_dtype_name(s->dtype), s->ndim, lmrec_dtype_name(dtype),
			  ndim);
	return s;
}

int lmrec_model_next_str(const struct lmrec_section *s, uint64_t *pos, const char **p,
			 size_t *len)
{
	if (*pos >= s->length)
		return 0;
	const unsigned char *d = (const unsigned char *)s->data + *pos;
	uint64_t n = lmrec_get_le64(d);
	*p = (const char *)d + 8;
	*len = (size_t)n;
	*pos += 8 + n;
	return 1;
}

struct lmrec_ids *lmrec_model_ids(const struct lmrec_model *m, const char *name)
{
	const struct lmrec_section *s = lmrec_model_need(m, name, LMREC_DT_STR, 1);
	struct lmrec_ids *ids = lmrec_ids_new();
	uint64_t pos = 0;
	const char *p;
	size_t len;
	while (lmrec_model_next_str(s, &pos, &p, &len)) {
		size_t before = ids->n;
		lmrec_ids_intern(ids, p, len);
		if (ids->n == before)
			lmrec_die(LMREC_EXIT_DATA, "%s: dictionary '%s' holds '%.*s' twice",
				  m->path ? m->path : "model", name, (int)(len > 40 ? 40 : len), p);
	}
	return ids;
}

const char *lmrec_model_param(const struct lmrec_model *m, const char *key, size_t *len)
{
	const struct lmrec_section *s = lmrec_model_find(m, "params");
	if (!s || s->dtype != LMREC_DT_STR)
		return NULL;
	size_t klen = strlen(key);
	uint64_t pos = 0;
	const char *p;
	size_t n;
	const char *found = NULL;
	while (lmrec_model_next_str(s, &pos, &p, &n))
		if (n > klen && p[klen] == '=' && memcmp(p, key, klen) == 0) {
			found = p + klen + 1; /* the last setting wins */
			*len = n - klen - 1;
		}
	return found;
}

size_t lmrec_model_param_count(const struct lmrec_model *m, const char *key)
{
	size_t len;
	const char *v = lmrec_model_param(m, key, &len);
	uint64_t n;
	if (!v || lmrec_parse_u64(v, len, &n) != 0 || n > SIZE_MAX)
		lmrec_die(LMREC_EXIT_DATA, "%s: parameter '%s' is missing or not a whole number", m->path,
			  key);
	return (size_t)n;
}

double lmrec_model_param_double(const struct lmrec_model *m, const char *key)
{
	size_t len;
	const char *v = lmrec_model_param(m, key, &len);
	double d;
	if (!v || lmrec_parse_double(v, len, &d) != 0)
		lmrec_die(LMREC_EXIT_DATA, "%s: parameter '%s' is missing or not a number", m->path, key);
	return d;
}

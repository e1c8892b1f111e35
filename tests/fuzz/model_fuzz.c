/* Fuzz target: the model-file reader (lmrec_model_try_read in lib/model.c).
 *
 * The first byte of an input is a mode, the rest is the file. Mode bit 0
 * recomputes both CRC-32s before the file is written, so mutations reach
 * the checks that come after the checksums (section table, shapes, string
 * sections) instead of stopping at "checksum mismatch". A file the reader
 * accepts is then walked whole: every section's bytes are read, strings
 * iterated and interned, params looked up, so ASan sees any promise the
 * reader's checks do not keep. */
#include <zlib.h>

#include "harness.h"

static int lmrec_fuzz_model(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned mode = data[0];
	unsigned char *file = lmrec_xmalloc(size);
	size_t len = size - 1;
	memcpy(file, data + 1, len);
	if ((mode & 1) && len >= LMREC_MODEL_HEADER) {
		lmrec_put_le32(file + 60, (uint32_t)crc32(0, file + 256, (uInt)(len - 256)));
		lmrec_put_le32(file + 56, 0);
		lmrec_put_le32(file + 56, (uint32_t)crc32(0, file, 256));
	}
	const char *path = fuzz_file("model", file, len);
	free(file);
	char err[512];
	int status = -1;
	struct lmrec_model *m = lmrec_model_try_read(path, LMREC_KIND_ANY, err, sizeof err, &status);
	if (!m) {
		FUZZ_ASSERT(status == LMREC_EXIT_DATA); /* the file exists: only bad data */
		FUZZ_ASSERT(err[0] != '\0');
		return 0;
	}
	FUZZ_ASSERT(status == 0);
	FUZZ_ASSERT(m->version >= 1 && m->version <= LMREC_MODEL_VERSION);
	FUZZ_ASSERT(m->maplen == len);
	uint64_t sum = 0;
	for (size_t i = 0; i < m->nsec; i++) {
		const struct lmrec_section *s = &m->sec[i];
		FUZZ_ASSERT(s->name[0] != '\0' && memchr(s->name, '\0', LMREC_MODEL_NAME));
		FUZZ_ASSERT(lmrec_model_find(m, s->name) == s);
		FUZZ_ASSERT(s->offset % LMREC_MODEL_ALIGN == 0 && s->offset + s->length <= len);
		const unsigned char *b = s->data;
		for (uint64_t k = 0; k < s->length; k++)
			sum += b[k];
		if (s->dtype == LMREC_DT_STR) {
			struct lmrec_ids *ids = lmrec_ids_new();
			uint64_t pos = 0, n = 0;
			const char *p;
			size_t sl;
			while (lmrec_model_next_str(s, &pos, &p, &sl)) {
				FUZZ_ASSERT((const unsigned char *)p + sl <= b + s->length);
				lmrec_ids_intern(ids, p, sl);
				n++;
			}
			FUZZ_ASSERT(pos == s->length && n == s->shape[0]);
			lmrec_ids_free(ids);
		} else {
			uint64_t count = 1;
			for (uint32_t d = 0; d < s->ndim; d++)
				count *= s->shape[d];
			FUZZ_ASSERT(count * lmrec_dtype_size(s->dtype) == s->length);
		}
	}
	size_t vl;
	const char *v = lmrec_model_param(m, "k", &vl);
	if (v)
		sum += vl;
	lmrec_model_free(m);
	return sum == 1 ? 1 : 0; /* keeps the loop above from being optimised away */
}

#ifndef LMREC_FUZZ_REPLAY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lmrec_fuzz_model(data, size);
	return 0;
}
#endif

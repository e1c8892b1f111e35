/* lmrec — forgetting users in a model file; see forget.h. */
#include "forget.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Sections of one run of entries per user: an offsets section (users + 1
 * entries, u64) and the sections it indexes. */
static const struct {
	const char *ptr, *payload[2];
} ragged[] = {
	{"seen_ptr", {"seen_idx", "seen_val"}},
	{"seq_ptr", {"seq_item", NULL}},
};
enum { NRAGGED = sizeof ragged / sizeof *ragged };

static int known_user_side(const char *name)
{
	if (strcmp(name, "users") == 0 || strcmp(name, "user_factors") == 0)
		return 1;
	for (size_t g = 0; g < NRAGGED; g++) {
		if (strcmp(name, ragged[g].ptr) == 0)
			return 1;
		for (size_t k = 0; k < 2; k++)
			if (ragged[g].payload[k] && strcmp(name, ragged[g].payload[k]) == 0)
				return 1;
	}
	return 0;
}

/* A kept section's replacement, made before the copy is assembled. */
struct repl {
	const char *name;
	uint32_t dtype, ndim;
	uint64_t shape[4];
	void *data;
};

struct lmrec_model *lmrec_forget_model(const struct lmrec_model *in, const char *path,
				       const unsigned char *drop, size_t *rows)
{
	*rows = 0;
	const struct lmrec_section *us = lmrec_model_find(in, "users");
	if (!us)
		return NULL;
	if (us->dtype != LMREC_DT_STR)
		lmrec_die(LMREC_EXIT_DATA, "%s: section 'users' is not a string section", path);
	uint64_t nu = us->shape[0];
	for (size_t i = 0; i < in->nsec; i++)
		if (strncmp(in->sec[i].name, "user", 4) == 0 && !known_user_side(in->sec[i].name))
			lmrec_die(LMREC_EXIT_DATA, "%s: section '%s' is not one lmrec-forget knows how to forget",
				  path, in->sec[i].name);

	struct repl rp[1 + 3 * NRAGGED];
	size_t nrp = 0;
	const struct lmrec_section *uf = lmrec_model_find(in, "user_factors");
	if (uf) {
		if (uf->dtype != LMREC_DT_F32 || uf->ndim != 2 || uf->shape[0] != nu)
			lmrec_die(LMREC_EXIT_DATA, "%s: section 'user_factors' does not have a row per user", path);
		size_t k = (size_t)uf->shape[1], kept = 0;
		float *x = lmrec_xcalloc(nu * k + 1, sizeof *x);
		const float *src = uf->data;
		for (uint64_t u = 0; u < nu; u++)
			if (!drop[u])
				memcpy(x + kept++ * k, src + u * k, k * sizeof *x);
		rp[nrp++] = (struct repl){"user_factors", LMREC_DT_F32, 2, {kept, k, 0, 0}, x};
	}
	for (size_t g = 0; g < NRAGGED; g++) {
		const struct lmrec_section *ps = lmrec_model_find(in, ragged[g].ptr);
		if (!ps)
			continue;
		if (ps->dtype != LMREC_DT_U64 || ps->ndim != 1 || ps->shape[0] != nu + 1)
			lmrec_die(LMREC_EXIT_DATA, "%s: section '%s' does not have an offset per user", path,
				  ragged[g].ptr);
		const uint64_t *ptr = ps->data;
		const struct lmrec_section *pl[2] = {NULL, NULL};
		for (size_t k = 0; k < 2 && ragged[g].payload[k]; k++) {
			pl[k] = lmrec_model_find(in, ragged[g].payload[k]);
			if (!pl[k] || pl[k]->ndim != 1 || pl[k]->dtype == LMREC_DT_STR || pl[k]->shape[0] != ptr[nu])
				lmrec_die(LMREC_EXIT_DATA, "%s: section '%s' does not match '%s'", path,
					  ragged[g].payload[k], ragged[g].ptr);
		}
		if (ptr[0] != 0)
			lmrec_die(LMREC_EXIT_DATA, "%s: section '%s' does not start at 0", path, ragged[g].ptr);
		for (uint64_t u = 0; u < nu; u++)
			if (ptr[u + 1] < ptr[u])
				lmrec_die(LMREC_EXIT_DATA, "%s: section '%s' goes backwards at user %llu", path,
					  ragged[g].ptr, (unsigned long long)u);
		uint64_t *np = lmrec_xcalloc(nu + 1, sizeof *np);
		size_t kept = 0, left = 0;
		for (uint64_t u = 0; u < nu; u++) {
			if (!drop[u]) {
				np[kept + 1] = np[kept] + (ptr[u + 1] - ptr[u]);
				kept++;
			} else {
				left += (size_t)(ptr[u + 1] - ptr[u]);
			}
		}
		if (g == 0)
			*rows = left;
		rp[nrp++] = (struct repl){ragged[g].ptr, LMREC_DT_U64, 1, {kept + 1, 0, 0, 0}, np};
		for (size_t k = 0; k < 2 && pl[k]; k++) {
			size_t es = lmrec_dtype_size(pl[k]->dtype), at = 0;
			unsigned char *d = lmrec_xmalloc((size_t)np[kept] * es + 1);
			const unsigned char *src = pl[k]->data;
			for (uint64_t u = 0; u < nu; u++) {
				if (drop[u])
					continue;
				size_t len = (size_t)(ptr[u + 1] - ptr[u]) * es;
				memcpy(d + at, src + ptr[u] * es, len);
				at += len;
			}
			rp[nrp++] = (struct repl){ragged[g].payload[k], pl[k]->dtype, 1, {np[kept], 0, 0, 0}, d};
		}
	}

	struct lmrec_model *out = lmrec_model_new(in->kind);
	for (size_t i = 0; i < in->nsec; i++) {
		const struct lmrec_section *s = &in->sec[i];
		size_t r = 0;
		while (r < nrp && strcmp(rp[r].name, s->name) != 0)
			r++;
		if (r < nrp) {
			lmrec_model_add_owned(out, s->name, rp[r].dtype, rp[r].ndim, rp[r].shape, rp[r].data);
			rp[r].data = NULL;
		} else if (s->dtype == LMREC_DT_STR) {
			lmrec_model_add_strs(out, s->name, s, s == us ? drop : NULL);
		} else {
			lmrec_model_add(out, s->name, s->dtype, s->ndim, s->shape, s->data);
		}
	}
	for (size_t r = 0; r < nrp; r++)
		free(rp[r].data);
	return out;
}

/* modelsection — a section of an lmrec model file as text, for the tests.
 *
 *   modelsection FILE NAME
 *
 * A string section prints one string a line; a numeric one prints one row
 * a line (the last dimension across, tab-separated; %.9g for f32, %.17g
 * for f64, integers as they are). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lmrec.h"

int main(int argc, char **argv)
{
	lmrec_setprogname(argv[0]);
	if (argc != 3) {
		fprintf(stderr, "usage: modelsection FILE NAME\n");
		return LMREC_EXIT_USAGE;
	}
	struct lmrec_model *m = lmrec_model_read(argv[1], LMREC_KIND_ANY);
	const struct lmrec_section *s = lmrec_model_find(m, argv[2]);
	if (!s)
		lmrec_die(LMREC_EXIT_DATA, "%s: no section '%s'", argv[1], argv[2]);
	if (s->dtype == LMREC_DT_STR) {
		uint64_t pos = 0;
		const char *p;
		size_t len;
		while (lmrec_model_next_str(s, &pos, &p, &len))
			printf("%.*s\n", (int)len, p);
	} else {
		uint64_t n = 1, cols = s->ndim ? s->shape[s->ndim - 1] : 1;
		for (uint32_t d = 0; d < s->ndim; d++)
			n *= s->shape[d];
		for (uint64_t j = 0; j < n; j++) {
			switch (s->dtype) {
			case LMREC_DT_F32:
				printf("%.9g", (double)((const float *)s->data)[j]);
				break;
			case LMREC_DT_F64:
				printf("%.17g", ((const double *)s->data)[j]);
				break;
			case LMREC_DT_U32:
				printf("%" PRIu32, ((const uint32_t *)s->data)[j]);
				break;
			case LMREC_DT_U64:
				printf("%" PRIu64, ((const uint64_t *)s->data)[j]);
				break;
			default:
				lmrec_die(LMREC_EXIT_USAGE, "%s: section '%s': type %s is not printed",
					  argv[1], argv[2], lmrec_dtype_name(s->dtype));
			}
			putchar(cols && (j + 1) % cols == 0 ? '\n' : '\t');
		}
	}
	lmrec_model_free(m);
	lmrec_close_stdout();
	return 0;
}

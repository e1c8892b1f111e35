/* lmrec — the attrs column of the items stream (SPEC.md §3): key=value
 * pairs separated by ';', a key repeated for several values
 * ("genre=Action;genre=Drama"). Keys are letters, digits, '_', '-' and
 * '.'; values are not empty and hold no ';' (they may hold '='). An empty
 * field has no pairs. */
#ifndef LMREC_ATTRS_H
#define LMREC_ATTRS_H

#include <stddef.h>

/* Checks p[0..len): NULL when it is right, else what is wrong with the
 * pair that starts at offset *at and is *atlen bytes long. */
const char *lmrec_attrs_check(const char *p, size_t len, size_t *at, size_t *atlen);

#endif

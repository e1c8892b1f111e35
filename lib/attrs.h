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

struct lmrec_out;

/* Writes ": v1, v2, v3": the values of the key=value pairs that the attrs
 * a and b (unescaped, NUL-terminated) both have, in a's order, at most max
 * of them; nothing when they share none or either is NULL. The reason of a
 * content recommendation ("similar to Alien: sci-fi, horror"). */
void lmrec_attrs_put_shared(struct lmrec_out *o, const char *a, const char *b, size_t max);

#endif

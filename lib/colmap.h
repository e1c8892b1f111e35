/* lmrec — the column-mapping language of lmrec-ingest.
 *
 *   map    = pair *( "," pair )
 *   pair   = target "=" source
 *   target = a column name: [a-z][a-z0-9_]*
 *   source = number              a column by its 1-based number
 *          | number "-" number   a range of columns (both ends included)
 *          | '"' text '"'        a literal: the same text on every row
 *          | name                a column by its header name
 *
 * Spaces around a target or a source are ignored. A source made only of
 * digits is a number; a name holds neither ',' nor '=' and does not start
 * with '"'; a literal holds no '"'. A target appears once. */
#ifndef LMREC_COLMAP_H
#define LMREC_COLMAP_H

#include <stddef.h>

enum lmrec_colmap_kind {
	LMREC_COLMAP_NAME,
	LMREC_COLMAP_NUMBER,
	LMREC_COLMAP_RANGE,
	LMREC_COLMAP_LITERAL
};

struct lmrec_colmap_pair {
	char *target;
	enum lmrec_colmap_kind kind;
	char *text;    /* NAME: the column name; LITERAL: the text; else NULL */
	size_t lo, hi; /* NUMBER: lo (= hi); RANGE: lo..hi; 1-based */
};

struct lmrec_colmap {
	struct lmrec_colmap_pair *p; /* (n) in the order written */
	size_t n;
};

/* Parses s into m (which it initialises). Returns 0, or -1 with *err set to
 * a message for the user (to free) and m left empty. */
int lmrec_colmap_parse(const char *s, struct lmrec_colmap *m, char **err);
void lmrec_colmap_free(struct lmrec_colmap *m);
/* The pair of a target, or NULL. */
const struct lmrec_colmap_pair *lmrec_colmap_get(const struct lmrec_colmap *m, const char *target);

#endif

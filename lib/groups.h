/* lmrec — user groups, for metrics per group (lmrec-eval --groups and
 * --activity-groups).
 *
 * A groups stream is a users stream (SPEC.md §3): the column user, then
 * one column per grouping (gender, age, occupation, ...), each row giving
 * the user's group in each; an empty field leaves the user out of that
 * grouping. Values are kept in their escaped TSV form. */
#ifndef LMREC_GROUPS_H
#define LMREC_GROUPS_H

#include <stddef.h>
#include <stdint.h>

#include "ids.h"

struct lmrec_groups {
	struct lmrec_ids *users;   /* user ids, index = data row */
	size_t ncols;              /* groupings */
	char **name;               /* (ncols) their column names, in header order */
	struct lmrec_ids **values; /* (ncols) each grouping's values, in byte order */
	int64_t *value;            /* (users * ncols) row-major: index in values[c], -1 if empty */
};

/* Reads a groups stream. A missing user column, no column beside it, an
 * empty user id or a user listed twice dies (65) naming the file, line and
 * column. */
void lmrec_groups_load(struct lmrec_groups *g, const char *path);
void lmrec_groups_free(struct lmrec_groups *g);

/* Cut-offs that split the n counts into nbins groups of about equal size,
 * by quantile: with the counts sorted ascending (done in place), cut b
 * (b = 1 .. nbins-1) is the ceil(b n / nbins)-th smallest count; a cut
 * equal to the one before it or to the largest count is dropped, so ties
 * can leave fewer groups, never an empty one. Group 1 holds the counts up
 * to cuts[0], group j the counts above cuts[j-2] up to cuts[j-1], the last
 * one the rest. Writes the cuts, ascending, to cuts (room for nbins - 1)
 * and returns their number. */
size_t lmrec_groups_quantile_cuts(uint32_t *counts, size_t n, size_t nbins, uint32_t *cuts);

#endif

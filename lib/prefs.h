/* lmrec — the long-term preferences of the profile store, as the stages
 * that read it use them (lmrec-agent --profiles, lmrec-rank --profiles):
 * each user's attribute pairs of the catalog with their weights (soft
 * boosts of the items that have them) and the items the user blocked
 * (never shown to that user).
 *
 * The input is the stream lmrec-profile --show writes: user kind key
 * weight ts (lmrec-formats(5)). Kinds attr and blocked are used; category,
 * domain and habit are known and skipped; attribute pairs the catalog does
 * not have are skipped (the store outlives catalog changes).
 *
 * The boost of item i for user u is
 *     unit * sum over u's pairs p that i has of weight(p) / max |weight|
 * so that `unit` is what the strongest preference is worth; each stage
 * chooses its unit (its profile weight times the user's best score). Ids
 * and keys stay in their escaped TSV form. */
#ifndef LMREC_PREFS_H
#define LMREC_PREFS_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"

struct lmrec_prefs_pair {
	uint32_t key, value; /* catalog key and value indices */
	double weight;       /* as in the store: negative for a dislike */
};

struct lmrec_prefs_user {
	struct lmrec_prefs_pair *p; /* (np) in input order; a pair given twice counts twice */
	size_t np, pcap;
	double wmax;                /* the largest |weight| of an entry of p */
	uint32_t *blocked;          /* (nb) indices in lmrec_prefs.items, in input order */
	size_t nb, bcap;
};

struct lmrec_prefs {
	const struct lmrec_catalog *cat;
	struct lmrec_ids *users;
	struct lmrec_prefs_user *u; /* (users) */
	size_t ucap;
	struct lmrec_ids *items;    /* the blocked items' ids, whether in the catalog or not */
};

/* An empty set of preferences over catalog c (which must outlive it). */
void lmrec_prefs_init(struct lmrec_prefs *pf, const struct lmrec_catalog *c);
void lmrec_prefs_free(struct lmrec_prefs *pf);

/* Adds one entry (fields escaped, as in the stream). Returns 0, or -1 with
 * *why a static message and *col the offending column (0 user, 1 kind,
 * 2 key, 3 weight) when the user is empty, the kind is not one of the
 * store's five, an attr key is not key=value, a blocked key is empty, or
 * the weight is not finite. */
int lmrec_prefs_add(struct lmrec_prefs *pf, const char *user, size_t ulen, const char *kind, size_t klen,
		    const char *key, size_t keylen, double weight, const char **why, int *col);

/* Reads a profile stream (columns user kind key weight; ts and others
 * ignored) into pf, after lmrec_prefs_init. A bad row dies (65) with
 * "file:line: column 'name': message". */
void lmrec_prefs_load(struct lmrec_prefs *pf, const char *path);

/* The user's entries, or NULL when the user has none. */
const struct lmrec_prefs_user *lmrec_prefs_find(const struct lmrec_prefs *pf, const char *user, size_t len);

/* The boost of catalog item i for u (NULL: 0), `unit` the strongest
 * preference's worth. */
double lmrec_prefs_boost(const struct lmrec_prefs *pf, const struct lmrec_prefs_user *u, uint32_t i,
			 double unit);

/* Appends to the NUL-terminated text *buf (*len bytes, *cap allocated)
 * the reason of item i's boost, decoded:
 *     your profile: likes KEY=VALUE (+B), dislikes KEY=VALUE (-B) and N more
 * the pairs that weigh by |boost| descending (ties: KEY=VALUE in byte
 * order), at most two named, each boost printed with %+.3g. Returns 0 and
 * appends nothing when no pair of u weighs on i (or unit is 0). The tools
 * call it only for an item whose boost is not 0 (pairs that cancel out
 * leave the reason as it was). */
int lmrec_prefs_reason(const struct lmrec_prefs *pf, const struct lmrec_prefs_user *u, uint32_t i, double unit,
		       char **buf, size_t *len, size_t *cap);

#endif

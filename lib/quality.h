/* lmrec — data-quality checks of an interactions stream (lmrec-ingest(1)).
 *
 * The caller adds every row it reads, in input order, as dense indices
 * (user, item, key) plus its time; key stands for the rest of the row that
 * makes two rows "the same" (event and extra columns), and a row already
 * known to be an exact duplicate is added with dup set. Once all rows are
 * in, lmrec_quality_analyse flags rows (q->flags, by input order) and
 * gathers what the report shows. The definitions, exactly:
 *
 *   duplicate     a row the caller found to repeat an earlier one; it
 *                 takes part in nothing below.
 *   burst         rows of one (user, item, key) sorted by (ts, input
 *                 order): row j is a burst row when the rows of its key
 *                 whose ts lies in [ts_j - window, ts_j] up to j (itself
 *                 included) number more than burst_max. The first burst_max
 *                 rows of any window stay unflagged.
 *   bot_user      c_u = the user's rows; m = the median of ln c_u over the
 *                 users, MAD = the median of |ln c_u - m|; the threshold is
 *                 T = floor(max(exp(m + k * 1.4826 * MAD), R * exp(m)))
 *                 (k = bot_k, R = bot_min_ratio) and the user is flagged
 *                 when c_u > T: every row of the user is flagged.
 *   flooded_item  n_i = the item's rows, c_ui = user u's rows of item i;
 *                 the top users are the flood_users users with the most
 *                 rows of the item (ties to the smaller user id in byte
 *                 order); share = their rows / n_i. The item is flagged
 *                 when n_i >= flood_min and share > flood_share; then each
 *                 top user's rows of the item but the first (by ts, then
 *                 input order) are flagged.
 * Medians of an even count are the mean of the two middle values.
 *
 * Weight factors (want_factors): a flagged row of a bot-like user is
 * multiplied by sqrt(T / c_u), a flagged row of a flooded item by
 * 1 / sqrt(c_ui), both when both apply; burst and duplicate rows get 0,
 * the others 1.
 *
 * Memory: 25 bytes a row (29 with factors), up to twice that while the
 * arrays grow and the rows are sorted, plus a few numbers per user and per
 * item. Everything is deterministic: ties are broken by input order or by
 * id byte order. */
#ifndef LMREC_QUALITY_H
#define LMREC_QUALITY_H

#include <stddef.h>
#include <stdint.h>

#include "ids.h"
#include "tsv.h"

/* Row flags; also the kinds of the report, in its order. */
enum {
	LMREC_Q_DUP = 1,
	LMREC_Q_BURST = 2,
	LMREC_Q_BOT = 4,
	LMREC_Q_FLOOD = 8
};
#define LMREC_Q_NKINDS 4

/* The names of the kinds, in flag order: duplicate, burst, bot_user,
 * flooded_item. */
extern const char *const lmrec_quality_kind_names[LMREC_Q_NKINDS];

struct lmrec_quality_opts {
	unsigned checks;       /* LMREC_Q_BURST | LMREC_Q_BOT | LMREC_Q_FLOOD: the checks run */
	uint64_t burst_max;    /* >= 1: rows of one key allowed within the window */
	uint64_t burst_window; /* >= 1: seconds (ts units) */
	double bot_k;          /* > 0 */
	double bot_min_ratio;  /* >= 1 */
	uint64_t flood_users;  /* 1 to 20 */
	double flood_share;    /* in [0, 1] */
	uint64_t flood_min;    /* >= 1 */
	int want_factors;      /* fill q->factor */
};

struct lmrec_quality_row {
	uint32_t user, item, key, idx; /* idx: input order */
	int64_t ts;
};

struct lmrec_quality {
	struct lmrec_quality_opts o;
	struct lmrec_quality_row *rows; /* (n, cap) all but duplicates; sorted by the analysis */
	size_t n, cap;
	uint32_t *dup_user; /* (ndup, dcap) the users of the duplicate rows */
	size_t dcap;
	size_t total;       /* rows added, duplicates included */
	uint8_t *flags;     /* (total, fcap) by input order: LMREC_Q_* bits */
	float *factor;      /* (total, wcap) by input order, want_factors only */
	size_t fcap, wcap;
	size_t nusers, nitems;
	/* per user (nusers), after the analysis */
	uint32_t *u_rank;   /* the user's place in byte order of the ids */
	uint32_t *u_rows;   /* rows, duplicates left out */
	uint32_t *u_dups;   /* duplicate rows */
	uint32_t *u_burst;  /* burst rows */
	uint32_t *u_peak;   /* most rows of one key within a window */
	/* per item (nitems), after the analysis (flood check only) */
	uint32_t *i_rows;   /* rows, duplicates left out */
	uint32_t *i_flood;  /* flagged rows */
	uint8_t *i_flagged; /* the item is flooded */
	double *i_share;    /* the top users' share of the item's rows */
	/* the results */
	double median_rows; /* exp(m): the median user's rows (bot check) */
	uint64_t bot_threshold;
	size_t ndup;
	uint64_t nburst, nbot_users, nbot_rows, nflood_items, nflood_rows;
	uint64_t nflagged;  /* rows with any flag but duplicate */
};

void lmrec_quality_init(struct lmrec_quality *q, const struct lmrec_quality_opts *o);
/* Adds the next row (input order). Dies beyond 2^32 - 1 rows. */
void lmrec_quality_add(struct lmrec_quality *q, uint32_t user, uint32_t item, uint32_t key,
		       int64_t ts, int dup);
/* Flags the rows and fills the per-user and per-item figures. users and
 * items are the dictionaries of the indices added (for the count of each
 * and for ties broken by id). Call once. */
void lmrec_quality_analyse(struct lmrec_quality *q, const struct lmrec_ids *users,
			   const struct lmrec_ids *items);
/* Writes the report: a header "kind key figure threshold action rows",
 * then one row per flagged user or item, by kind in flag order, then by id
 * in byte order. action[k] is the action of kind k (flag order). */
void lmrec_quality_report(const struct lmrec_quality *q, struct lmrec_out *out,
			  const struct lmrec_ids *users, const struct lmrec_ids *items,
			  const char *const action[LMREC_Q_NKINDS]);
/* The names of a row's flags joined by ',' into out (room for 64 bytes);
 * returns the length. */
size_t lmrec_quality_reasons(unsigned flags, char out[64]);
void lmrec_quality_free(struct lmrec_quality *q);

#endif

/* lmrec — an interactions stream held in memory (SPEC.md §3).
 *
 * Rows keep their input order; users and items become dense indices
 * through id dictionaries that several streams may share (so a train and a
 * test stream agree on indices). */
#ifndef LMREC_INTER_H
#define LMREC_INTER_H

#include <stddef.h>
#include <stdint.h>

#include "csr.h"
#include "ids.h"

enum {
	LMREC_INTER_LINES = 1,   /* keep each row's text (escaped, without LF) */
	LMREC_INTER_NO_TS = 2,   /* the ts column may be absent (ts = row number) */
	LMREC_INTER_DROP_FOLD = 4 /* with LINES: leave out a 'fold' column */
};

struct lmrec_inter {
	struct lmrec_ids *users, *items; /* owned unless shared (see below) */
	int shared_ids;        /* 1: users borrowed, 2: items borrowed (bits) */
	uint32_t *user, *item; /* (n) dense indices */
	int64_t *ts;           /* (n) seconds */
	float *weight;         /* (n) the weight column, 1 where absent */
	size_t n, cap;
	int has_weight;
	/* With LMREC_INTER_LINES: */
	char *text;            /* (textlen) every kept row, back to back */
	size_t textlen, textcap;
	uint64_t *line_off;    /* (n) offset of the row in text */
	uint32_t *line_len;    /* (n) its length */
	char *header;          /* the header line (without 'fold') */
	/* With a 'fold' column: the row's fold ("train", "valid", "test"), else 0. */
	unsigned char *fold_of; /* (n) 0 none, 1 train, 2 valid, 3 test, 4 other */
	int has_fold;
};

enum { LMREC_FOLD_NONE = 0, LMREC_FOLD_TRAIN, LMREC_FOLD_VALID, LMREC_FOLD_TEST, LMREC_FOLD_OTHER };
extern const char *const lmrec_fold_names[5];

/* A set of folds as bits (1 << LMREC_FOLD_*) from "all" (every row,
 * whatever its fold) or a comma-separated list of train, valid and test;
 * anything else is a usage error (exit 2) naming the option opt. */
unsigned lmrec_folds_parse(const char *opt, const char *list);
static inline int lmrec_fold_in(unsigned set, unsigned char fold) { return (int)((set >> fold) & 1u); }

/* Starts an empty set; users and items may each be a dictionary to share
 * (the set then does not free it), or NULL for a fresh one it owns. */
void lmrec_inter_init(struct lmrec_inter *x, struct lmrec_ids *users, struct lmrec_ids *items);
void lmrec_inter_free(struct lmrec_inter *x);
/* Appends every row of the files (NULL or "-" is standard input; several
 * files must have the same header). Needs the columns user, item and ts;
 * reads weight and fold when present. Dies (65) on bad rows. */
void lmrec_inter_load(struct lmrec_inter *x, char *const *files, size_t nfiles, unsigned flags);

/* Rows grouped by user: order (n) holds row numbers sorted by (user index,
 * ts, row number) — a stable sort by time within each user — and start
 * (n_users + 1) the first position of each user in order. Free both. */
void lmrec_inter_group(const struct lmrec_inter *x, uint32_t **order, size_t **start);

/* The users x items matrix of one interactions file (NULL or "-":
 * standard input), the rows of the folds fold_set only: users in byte
 * order in *users; items either a fixed dictionary (a row whose item is
 * not in it dies, 65, naming the file, line and items_from) or, when
 * items is NULL, the file's own in byte order in *own_items. Values are
 * 1 and repeats count once, or with use_weights the weights (each above
 * 0, else 65) summed. Returns the number of rows kept. */
size_t lmrec_inter_matrix(const char *file, unsigned fold_set, int use_weights,
			  const struct lmrec_ids *items, const char *items_from, struct lmrec_ids **users,
			  struct lmrec_ids **own_items, struct lmrec_csr *ui);

/* The rows (ru[r], ri[r], rw[r]), r < n, as the users x items matrix ui
 * over dictionaries in byte order: *users, the sorted copy of u0 (ru
 * indexes u0); *items, the sorted copy of i0 when i0 is given (ri indexes
 * i0), else ri already indexes a fixed dictionary of ni items and *items
 * is left alone. ru and ri are renumbered in place; repeats as dup. */
void lmrec_inter_rows_matrix(const struct lmrec_ids *u0, const struct lmrec_ids *i0, size_t ni,
			     uint32_t *ru, uint32_t *ri, const float *rw, size_t n, enum lmrec_dup dup,
			     struct lmrec_ids **users, struct lmrec_ids **items, struct lmrec_csr *ui);

#endif

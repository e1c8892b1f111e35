/* lmrec — a turns stream in memory (SPEC.md §3, lmrec-formats(5)): the
 * utterances of conversations, grouped by session.
 *
 * Columns session, user, turn (an integer from 1) and text are required;
 * reply_to is optional (other columns are ignored). A row with an empty
 * reply_to, or without the column, is a free utterance said at its turn
 * number; a row with reply_to = KEY is the user's answer to a question
 * about KEY, said when the question is asked (lmrec-chat(1), Replay).
 * Each session belongs to one user, gives a free turn number once and
 * answers a key once: a row that breaks this dies (65) naming the file,
 * line and column. The rows of a session may come in any order; its free
 * utterances are kept by turn, its answers in input order. Text, ids and
 * keys stay in their escaped TSV form. */
#ifndef LMREC_TURNS_H
#define LMREC_TURNS_H

#include <stddef.h>
#include <stdint.h>

#include "ids.h"

struct lmrec_turn {
	int64_t turn;
	char *text;     /* escaped */
	char *reply_to; /* escaped key; NULL for a free utterance */
};

struct lmrec_session {
	char *id, *user;           /* escaped */
	struct lmrec_turn *said;   /* (nsaid) free utterances, by turn */
	size_t nsaid, scap;
	struct lmrec_turn *answers; /* (nanswers) answers, one per key */
	size_t nanswers, acap;
};

struct lmrec_turns {
	struct lmrec_ids *ids;     /* session ids, index = first appearance */
	struct lmrec_session *s;   /* (sessions) */
	size_t cap;
	int has_reply;             /* the stream has a reply_to column */
};

/* Reads the files (none, or "-": standard input; several must have the
 * same header). */
void lmrec_turns_read(struct lmrec_turns *t, char *const *files, size_t nfiles);
void lmrec_turns_free(struct lmrec_turns *t);
static inline size_t lmrec_turns_sessions(const struct lmrec_turns *t) { return t->ids ? lmrec_ids_count(t->ids) : 0; }
/* The answer of session s to key (escaped, NUL-terminated), or NULL. */
const struct lmrec_turn *lmrec_turns_answer(const struct lmrec_session *s, const char *key);

#endif

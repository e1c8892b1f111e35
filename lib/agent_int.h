/* lmrec — what the parts of the agent share: a growing string, the words
 * of a text as stems, the parsing of a constraint and the copying of a
 * sub-task.
 *
 * Internal to lib/agent.c (plans), agent_lib.c (constraints, task
 * library), agent_context.c (context, rules), agent_memory.c (short-term
 * memory) and agent_words.c (words); not part of the library's API:
 * agent.h is. */
#ifndef LMREC_AGENT_INT_H
#define LMREC_AGENT_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "agent.h"
#include "slots.h"
#include "tsv.h"
#include "util.h"

/* A string being built; p is NUL-terminated once anything was added. */
struct sbuf {
	char *p;
	size_t len, cap;
};

static inline void sb_put(struct sbuf *b, const char *s, size_t n)
{
	LMREC_GROW(b->p, b->cap, b->len + n + 1);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}
static inline void sb_str(struct sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }
/* Appends an escaped string decoded. */
static inline void sb_dec(struct sbuf *b, const char *s, size_t n)
{
	LMREC_GROW(b->p, b->cap, b->len + n + 1);
	b->len += lmrec_tsv_unescape(b->p + b->len, s, n);
	b->p[b->len] = '\0';
}

/* 1 when the n bytes at p are the string s. */
static inline int eq(const char *p, size_t n, const char *s) { return strlen(s) == n && memcmp(p, s, n) == 0; }

/* The catalog's index of the value p (escaped), or -1. */
static inline int64_t value_index(const struct lmrec_catalog *c, const char *p, size_t n)
{
	return lmrec_ids_find(c->values, p, n);
}

/* The words of a decoded text as stems, in order (punctuation left out),
 * with the polarity of each (slots.h scopes); reused from text to text. */
struct words {
	struct lmrec_text *tk;
	struct lmrec_swords ws;
	int8_t *mode;
	uint32_t *clause;
	unsigned char *cue;
	size_t cap;
	char *dec;
	size_t dcap;
};
void lmrec_agent_words_init(struct words *w);
void lmrec_agent_words_free(struct words *w);
/* Splits the escaped text and computes the polarity of each word. */
void lmrec_agent_words_split(struct words *w, const char *s, size_t len);
/* A name (escaped) as a phrase of stems joined by ' ' ('_' and '-' as
 * spaces; allocated), its number of words into *nwords. Uses w. */
char *lmrec_agent_phrase(struct words *w, const char *s, size_t len, size_t *nwords);

/* Parses one key=value, key!=value or same=KEY of catalog c into *x;
 * returns NULL, or what is wrong (static text, or allocated into *msg). */
const char *lmrec_agent_cons_parse(const struct lmrec_catalog *c, const char *p, size_t n,
				   struct lmrec_agent_cons *x, char **msg);

/* A deep copy of sub-task s into d, and the freeing of a sub-task's
 * strings and arrays. */
void lmrec_agent_task_copy(struct lmrec_agent_task *d, const struct lmrec_agent_task *s);
void lmrec_agent_task_free(struct lmrec_agent_task *t);

/* A copy of field col of the row, or "" when col < 0 (an optional
 * column the file lacks). */
char *lmrec_agent_field_dup(const struct lmrec_tsv *r, long col);

#endif

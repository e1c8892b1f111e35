/* lmrec — the agent's plans (lmrec-agent(1)): a task library of goal
 * patterns and their sub-tasks, context rules, context signals, the
 * short-term memory of a session, and the filling of a plan's sub-tasks
 * with the best items that keep every constraint.
 *
 * Formats (lmrec-agent(1), lmrec-formats(5)):
 *  - tasks: goal keywords step subtask domain categories constraints;
 *  - context rules: signal value when then note;
 *  - context: user ts signal value.
 * Ids, names and values stay in their escaped TSV form; the catalog
 * (catalog.h) must outlive everything built on it. A malformed row dies
 * (65) naming the file, line and column. */
#ifndef LMREC_AGENT_H
#define LMREC_AGENT_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "prefs.h"

struct lmrec_out;

/* A constraint: key=value, key!=value or same=KEY. The key "category"
 * names the item's category. */
enum { LMREC_AGENT_EQ, LMREC_AGENT_NE, LMREC_AGENT_SAME };
/* Where a constraint or a sub-task came from, for the reasons. */
enum { LMREC_AGENT_LIB, LMREC_AGENT_RULE, LMREC_AGENT_MEMORY };

#define LMREC_AGENT_KEY_CATEGORY (-2)

struct lmrec_agent_cons {
	uint8_t op;    /* LMREC_AGENT_EQ, _NE or _SAME */
	uint8_t src;   /* LMREC_AGENT_LIB, _RULE or _MEMORY */
	int64_t key;   /* catalog key index, or LMREC_AGENT_KEY_CATEGORY */
	int64_t value; /* value (or category) index; -1 for SAME */
	size_t ref;    /* _RULE: the rule's index; _MEMORY: the turn */
};

struct lmrec_agent_task {
	char *goal, *keywords, *subtask; /* escaped */
	int64_t step;
	uint32_t domain;                 /* catalog domain index */
	int32_t *cat;                    /* (ncat) category indices; none: any of the domain */
	size_t ncat;
	struct lmrec_agent_cons *c;      /* (nc) in the row's order */
	size_t nc;
	int per_day, optional;
	size_t line;                     /* of the library file */
	/* when a context rule replaced the library's sub-task */
	int64_t replaced;                /* index of the sub-task it stands for, or -1 */
	size_t replaced_by;              /* the rule's index */
};

/* A goal pattern: its sub-tasks are tasks[first .. first + n), by step. */
struct lmrec_agent_goal {
	char *name;
	size_t first, n;
	char **kw;   /* (nkw) keyword phrases, stems joined by ' ' */
	size_t *kwn; /* (nkw) words of each */
	size_t nkw;
};

struct lmrec_agent_lib {
	const struct lmrec_catalog *cat;
	struct lmrec_agent_task *t; /* (n) grouped by goal (first appearance), by step */
	size_t n;
	struct lmrec_agent_goal *g; /* (ng) in order of first appearance */
	size_t ng;
	unsigned char *key_dom;     /* (nkeys, ndomains) the domain's items have the key */
	int64_t price_key, cost_key; /* key indices of price and cost, or -1 */
	int64_t place_key;           /* key index of town, or -1 */
	unsigned char *is_town;      /* (values) 1 for a value of the place key */
};

/* Reads the task library (several files: rows are added in order; a
 * goal's rows must be in one file). Dies (65) on a bad row: an empty goal
 * or subtask, a step that is not an integer >= 1 or repeats within the
 * goal, rows of one goal with other keywords, a domain or category the
 * catalog lacks, a constraint that is not key=value, key!=value, same=KEY,
 * per_day=1 or optional=1, or names a key or value the catalog lacks. */
void lmrec_agent_lib_load(struct lmrec_agent_lib *l, const struct lmrec_catalog *c, char *const *files,
			  size_t nfiles);
void lmrec_agent_lib_free(struct lmrec_agent_lib *l);
/* The goal pattern whose keywords the words of text (escaped) match best
 * (each phrase found, as consecutive words, counts its words; ties: the
 * first in library order), or -1 when none matches; its score into *score. */
int64_t lmrec_agent_lib_match(const struct lmrec_agent_lib *l, const char *text, size_t len, size_t *score);

/* ---- context ---- */

enum { LMREC_SIG_WEATHER, LMREC_SIG_DAYPART, LMREC_SIG_DAY, LMREC_SIG_PLACE, LMREC_SIG_TEMP, LMREC_SIG_N };
extern const char *const lmrec_agent_signal_names[LMREC_SIG_N];

struct lmrec_agent_ctxrow {
	int64_t ts;
	int sig;
	char *value;  /* escaped */
	int64_t num;  /* temp: the degrees */
	size_t seq;   /* input order */
};
struct lmrec_agent_context {
	struct lmrec_ids *users;
	struct lmrec_agent_ctxrow **rows; /* (users) each user's rows, by ts (ties: input order) */
	size_t *nrows;
};
/* The current values: for each signal, the value of the last row of the
 * user with ts <= ts, or NULL. */
struct lmrec_agent_now {
	const struct lmrec_agent_ctxrow *sig[LMREC_SIG_N];
};
/* Reads a context stream (user ts signal value). Dies (65) on an unknown
 * signal or a value the signal does not take (a place must be a town of
 * the catalog when it has towns). */
void lmrec_agent_context_load(struct lmrec_agent_context *x, const struct lmrec_agent_lib *l, const char *path);
void lmrec_agent_context_free(struct lmrec_agent_context *x);
void lmrec_agent_context_at(const struct lmrec_agent_context *x, const char *user, size_t len, int64_t ts,
			    struct lmrec_agent_now *now);

/* ---- context rules ---- */

struct lmrec_agent_rule {
	int sig;
	char *value;          /* escaped; temp: the bound */
	char cmp;             /* temp: '<', '>' or '=' */
	int64_t num;
	int when_subtask;     /* when: subtask=NAME (else a constraint) */
	char *when_name;
	struct lmrec_agent_cons when;
	int then_subtask;     /* then: subtask=NAME (else a constraint) */
	char *then_name;
	struct lmrec_agent_cons then;
	char *note;           /* escaped */
	size_t line;
};
struct lmrec_agent_rules {
	struct lmrec_agent_rule *r;
	size_t n;
};
/* Reads rules files. Dies (65) on an unknown signal, a bad value, a
 * when or then that is not key=value, key!=value or subtask=NAME, a key or value the
 * catalog lacks, or a then subtask=NAME that no goal of the library has. */
void lmrec_agent_rules_load(struct lmrec_agent_rules *r, const struct lmrec_agent_lib *l, char *const *files,
			    size_t nfiles);
void lmrec_agent_rules_free(struct lmrec_agent_rules *r);
/* 1 when the rule's signal has its value now. */
int lmrec_agent_rule_fires(const struct lmrec_agent_rule *r, const struct lmrec_agent_now *now);

/* ---- short-term memory ---- */

/* What the turns of a session said so far: constraints (later turns
 * override earlier ones key by key), the number of days and the place. */
struct lmrec_agent_memory {
	struct lmrec_agent_cons *c;
	size_t n, cap;
	size_t days;       /* 0: not said */
	int days_turn;     /* 1 when the number was said ("3 days"), not implied ("weekend") */
	int64_t place;     /* value index of a town, or -1 */
};
void lmrec_agent_memory_free(struct lmrec_agent_memory *m);
struct lmrec_agent_parser;
struct lmrec_agent_parser *lmrec_agent_parser_new(const struct lmrec_agent_lib *l);
void lmrec_agent_parser_free(struct lmrec_agent_parser *p);
/* Reads the text (escaped) of turn `turn` into m, by the rules of
 * lmrec-agent(1) MEMORY: the agent's lexicon of cue words with their
 * polarity (slots.h scopes), the number of days, a town of the catalog,
 * and (from turn 2 on) the catalog's own values and categories said
 * outright. */
void lmrec_agent_memory_read(struct lmrec_agent_parser *p, struct lmrec_agent_memory *m, const char *text,
			     size_t len, size_t turn);

/* ---- scores ---- */

/* The order items are tried in for one user: a user score (--scores),
 * then popularity, then the catalog's order (lmrec-agent(1) SCORES). */
enum { LMREC_TIER_USER, LMREC_TIER_POPULAR, LMREC_TIER_CATALOG };
struct lmrec_agent_scores {
	unsigned char *tier; /* (n items) */
	double *score;       /* (n items) the tier's score, boosts added */
	const unsigned char *blocked; /* (n items) or NULL: never placed (refused by the user) */
	/* Long-term memory (lmrec-agent --profiles): when prefs and pu are
	 * set, score holds each item's lmrec_prefs_boost(prefs, pu, i, unit)
	 * already (soft boosts: a boost reorders items within their tier, it
	 * never lets an item break a constraint), and the reason of a row
	 * whose item got one says so (lmrec_prefs_reason). */
	const struct lmrec_prefs *prefs;
	const struct lmrec_prefs_user *pu;
	double unit;
};

/* ---- plans ---- */

struct lmrec_agent_row {
	size_t day, step;       /* day 0: a one-day plan (step written alone) */
	size_t task;            /* index into the plan's tasks */
	int64_t item;           /* -1: unfilled */
	unsigned char tier;
	double score;
	char *reason;           /* decoded */
};
/* A plan: the session's effective sub-tasks (library, rules, memory) and
 * the rows that fill them. */
struct lmrec_agent_plan {
	int64_t goal;                 /* -1: no pattern matched */
	size_t days;
	int64_t place;                /* the anchor place (value index) or -1 */
	int place_src;                /* 0 none, 1 the goal's words, 2 the context */
	struct lmrec_agent_task *t;   /* (nt) effective sub-tasks, by step */
	size_t nt;
	struct lmrec_agent_row *r;    /* (nr) */
	size_t nr, rcap;
};
struct lmrec_agent_fill {
	const struct lmrec_agent_lib *l;
	const struct lmrec_agent_rules *rules;
	const struct lmrec_agent_now *now;
	const struct lmrec_agent_memory *mem;
	const struct lmrec_agent_scores *sc;
	double budget;                 /* per day; INFINITY: none */
};
/* The effective sub-tasks of goal g: the library's, context rules applied
 * (in file order), then the memory's constraints (later turns win, the
 * user's word over the library and the rules); sets p->t, p->nt. */
void lmrec_agent_plan_tasks(struct lmrec_agent_plan *p, const struct lmrec_agent_fill *f, int64_t g);
/* Fills p (after lmrec_agent_plan_tasks) day by day, step by step. */
void lmrec_agent_plan_fill(struct lmrec_agent_plan *p, const struct lmrec_agent_fill *f);
void lmrec_agent_plan_free(struct lmrec_agent_plan *p);

/* Cost points of an item: price or cost low 1, mid 2, high 3, free 0;
 * 0 without either. */
double lmrec_agent_cost(const struct lmrec_agent_lib *l, uint32_t item);
/* Whether item i keeps constraint c (SAME: has value `anchor` of c's key;
 * anchor -1 keeps it). */
int lmrec_agent_keeps(const struct lmrec_agent_lib *l, uint32_t i, const struct lmrec_agent_cons *c, int64_t anchor);
/* Whether item i is available, of t's domain and of one of its categories. */
int lmrec_agent_in_task(const struct lmrec_catalog *c, const struct lmrec_agent_task *t, uint32_t i);
/* Writes a constraint as key=value, key!=value or same=KEY (decoded). */
void lmrec_agent_cons_text(const struct lmrec_agent_lib *l, const struct lmrec_agent_cons *c, char **buf,
			   size_t *len, size_t *cap);

#endif

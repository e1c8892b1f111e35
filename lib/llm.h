/* lmrec — the external language model of --llm-cmd: a command started once
 * and spoken to in JSON lines, one request a line on its standard input,
 * one answer a line on its standard output, each request bounded in time.
 * The protocol is documented for users in lmrec-formats(5), section
 * EXTERNAL LANGUAGE MODEL; this header is its C side.
 *
 * A model that hangs, dies or talks nonsense costs its caller a NULL
 * answer (the caller then falls back to its own means) and is counted; it
 * never hangs or kills the tool. The first timeout or death stops the
 * model for good: its process group is killed, it is reaped, and every
 * later request returns NULL at once. A bad answer (garbage) costs only
 * that request: the model keeps running. */
#ifndef LMREC_LLM_H
#define LMREC_LLM_H

#include <stddef.h>

#include <jansson.h>

/* The longest answer line taken, newline excluded: a longer one is
 * garbage (read to its end and dropped, within the request's time). */
#define LMREC_LLM_MAX_ANSWER ((size_t)1 << 20)
/* How long lmrec_llm_close waits for the model to exit after closing its
 * input, and again after SIGTERM, before it kills it. */
#define LMREC_LLM_GRACE_MS 1000

struct lmrec_llm;

/* Starts CMD once, as /bin/sh -c CMD in a process group of its own, its
 * standard input and output pipes to us (close-on-exec on our side), its
 * standard error ours. timeout_ms bounds each request, from its first
 * byte written to its answer's newline read; 0 or less: no bound. Dies
 * (exit 1) only when the system cannot make a pipe or a process: a command
 * that cannot run shows up as a death at the first request. */
struct lmrec_llm *lmrec_llm_start(const char *cmd, int timeout_ms);

/* Writes request (a JSON object, not stolen) as one compact line, reads one
 * line back within the timeout, and returns it parsed, when it is a JSON
 * object, as a new reference (the caller json_decref()s it). NULL, counted
 * by cause, when the time runs out (timeout), when the model exits, closes
 * its output or stops reading its input (died), when the line is not one
 * JSON object or is longer than LMREC_LLM_MAX_ANSWER (garbage), or when the
 * model was stopped before (skipped). Writes the first timeout or death,
 * and the first garbage answer, as a warning on standard error (unless
 * quiet). SIGPIPE never reaches the caller. */
json_t *lmrec_llm_ask(struct lmrec_llm *m, json_t *request);

/* Counts since the start: asked = answered + timeout + died + garbage +
 * skipped, always. */
struct lmrec_llm_stats {
	size_t asked, answered, timeout, died, garbage, skipped;
};
void lmrec_llm_stats(const struct lmrec_llm *m, struct lmrec_llm_stats *s);

/* The caller found the last answer unusable (say, a parse answer without
 * its slots array): it moves from answered to garbage. Does nothing when
 * the last request had no answer, or when called twice for one answer. */
void lmrec_llm_reject(struct lmrec_llm *m);

/* No warnings from lmrec_llm_ask (a tool's -q). */
void lmrec_llm_set_quiet(struct lmrec_llm *m, int quiet);

/* Writes the counts as one line on standard error:
 * "prog: llm: 120 asked, 117 answered, 2 timeouts, 1 garbage; fell back 3
 * times" (asked and answered always, the other counts when not zero; the
 * fall-backs are asked - answered). Nothing when m is NULL. */
void lmrec_llm_report(const struct lmrec_llm *m);

/* Closes CMD's standard input, waits up to LMREC_LLM_GRACE_MS for it to
 * exit (reading and dropping what it still writes), then sends SIGTERM to
 * its process group, waits as long again, then SIGKILL; whatever is left in
 * the group is killed once the command has exited, and the command is
 * reaped. Frees m; NULL is fine. */
void lmrec_llm_close(struct lmrec_llm *m);

/* ---- requests and answers of the three tasks (lmrec-formats(5)) ---- */

/* One slot: key=value, polarity '+' (wanted) or '-' (not wanted). */
struct lmrec_llm_slot {
	const char *key, *value;
	char polarity;
};

/* What an utterance says (the answer to a parse request), or the state of
 * a conversation (its context). NULL category or scenario: none. drop: the
 * keys the user withdraws ("forget the budget": price); not part of a
 * context. */
struct lmrec_llm_parse {
	struct lmrec_llm_slot *slots;
	size_t nslots;
	const char **drop;
	size_t ndrop;
	const char *category, *scenario;
};

/* Items of a summary request: attrs as in the items stream. */
struct lmrec_llm_item {
	const char *item, *title, *attrs;
};

/* A JSON string of the bytes s[0..len): bytes that are not valid UTF-8
 * become U+FFFD (JSON is UTF-8). New reference. */
json_t *lmrec_llm_string(const char *s, size_t len);

/* {"task":"parse","session":..,"turn":..,"text":..,"context":{"slots":[..],
 * "category":..,"scenario":..,"asked":..}}: state is what the conversation
 * holds so far (NULL: nothing), asked the key of the question the system
 * asked last (NULL: none). text is the utterance, unescaped. */
json_t *lmrec_llm_parse_request(const char *session, long long turn, const char *text,
				const struct lmrec_llm_parse *state, const char *asked);

/* {"task":"question","key":..,"values":[..]}: the values the candidates
 * still have for key. */
json_t *lmrec_llm_question_request(const char *key, const char *const *values, size_t nvalues);

/* {"task":"summary","kind":..,"items":[{"item":..,"title":..,"attrs":..}],
 * "tastes":[..]}: kind is bundle, playlist or itinerary; tastes the words
 * of the user's history, most telling first. */
json_t *lmrec_llm_summary_request(const char *kind, const struct lmrec_llm_item *items,
				  size_t nitems, const char *const *tastes, size_t ntastes);

/* Reads the answer to a parse request into p (strings borrowed from
 * answer: valid while it lives). Returns 0, or -1 with *why saying what is
 * wrong (p then holds nothing); lmrec_llm_parse_free(p) after a 0. */
int lmrec_llm_read_parse(const json_t *answer, struct lmrec_llm_parse *p, const char **why);
void lmrec_llm_parse_free(struct lmrec_llm_parse *p);

/* The "text" of an answer to a question or summary request, when it is a
 * string with something other than white space in it; else NULL.
 * Borrowed from answer. */
const char *lmrec_llm_read_text(const json_t *answer);

#endif

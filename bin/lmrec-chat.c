/* lmrec-chat — conversational recommendations: requests parsed into slots
 * of the catalog, a state per session, the items that fit it and the user,
 * and the question that narrows the choice most. */
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lmrec.h"
#include "catalog.h"
#include "dialog.h"
#include "llm.h"
#include "mat.h"
#include "recmodel.h"
#include "slots.h"
#include "slotvocab.h"
#include "turns.h"
#include "wordvec.h"

struct opts {
	const char *items, *model, *vectors, *output, *targets, *metrics, *lexicon, *llm_cmd;
	long llm_timeout;
	size_t top, questions;
	uint32_t *k;
	size_t nk;
	enum lmrec_ask ask;
	struct lmrec_slotvocab_params vp;
	struct lmrec_dialog_params dp;
	uint64_t seed;
	int parse_only, keep_seen, quiet;
};

static void usage(int status)
{
	if (status != 0) {
		fprintf(stderr, "Try '%s --help' for more information.\n", lmrec_progname());
		exit(status);
	}
	printf("Usage: %s --items FILE [OPTION]... [FILE]...\n", lmrec_progname());
	fputs("Conversational recommendations over a batch of conversations.\n"
	      "\n"
	      "Reads a turns stream (session user turn text, optional reply_to) from the\n"
	      "FILEs (none or '-': standard input) and replays each session: a request is\n"
	      "parsed into slots of the catalog's vocabulary, merged into the session's\n"
	      "state, the catalog ranked under it, and a follow-up question asked; a row\n"
	      "with reply_to=KEY is the user's answer, said when KEY is asked. Writes, for\n"
	      "every turn, one row per recommended item:\n"
	      "  session turn user text reply_to slots state rank item score reason question\n"
	      "\n"
	      "Catalog and user:\n"
	      "  -i, --items FILE         the catalog: items stream with title, text,\n"
	      "                           category, attrs, domain (required)\n"
	      "  -m, --model-file FILE    a model from lmrec-train: the user's history\n"
	      "                           personalises the ranking\n"
	      "      --keep-seen          offer items of the user's history too (default:\n"
	      "                           what the model trained on is left out)\n"
	      "      --vectors FILE       word vectors (.vec, .vec.gz, .bin) to match words\n"
	      "                           the catalog never uses (default: subword vectors\n"
	      "                           trained on the catalog's texts)\n"
	      "\n"
	      "Dialogue:\n"
	      "  -n, --top N              items per turn (default 10)\n"
	      "      --ask MODE           the follow-up question: infogain (default),\n"
	      "                           random or none\n"
	      "      --questions N        questions per session at most (default 3)\n"
	      "      --ask-category       the kind of item may be asked too\n"
	      "      --cf-weight W        weight of the collaborative score (default 0.5)\n"
	      "      --conflict W         penalty of another value of a wanted key (default 1)\n"
	      "      --hard W             categories and domains of this weight or more\n"
	      "                           filter (default 0.8)\n"
	      "      --pool N             candidates the question is chosen over (default 50)\n"
	      "      --temperature T      of the softmax weighting them (default 1)\n"
	      "\n"
	      "Parser:\n"
	      "      --min-support N      items a scenario word and a value share (default 5)\n"
	      "      --min-prob P         P(value | word) of a scenario word (default 0.7)\n"
	      "      --min-lift L         P(value | word) / P(value) (default 1.5)\n"
	      "      --max-imply N        values a scenario word implies at most (default 2)\n"
	      "      --match-threshold C  cosine of a subword match (default 0.5)\n"
	      "      --dim N              size of the subword vectors (default 32; 0: none)\n"
	      "      --epochs N           their training passes (default 20)\n"
	      "      --parse-only         write the input with a slots column and nothing\n"
	      "                           else (any stream with a text column)\n"
	      "      --lexicon FILE       also write the learned vocabulary (word kind slots\n"
	      "                           weight support)\n"
	      "\n"
	      "External language model:\n"
	      "      --llm-cmd CMD        a model that parses the turns and words the\n"
	      "                           questions (JSON lines, lmrec-formats(5)); each\n"
	      "                           failed answer falls back to the built-in one\n"
	      "      --llm-timeout MS     its time for one answer (default 10000)\n"
	      "\n"
	      "Evaluation:\n"
	      "      --targets FILE       the hidden target of each session (session item):\n"
	      "                           Recall@K of the target by answers given\n"
	      "      --k LIST             cut-offs (default 10)\n"
	      "      --metrics FILE       write the metrics there (default: standard error)\n"
	      "\n"
	      "Other:\n"
	      "  -o, --output FILE        write to FILE (default: standard output)\n"
	      "  -s, --seed N             seed of the subword vectors and of --ask random\n"
	      "                           (default 1)\n"
	      "  -q, --quiet              no summary on standard error\n"
	      "  -h, --help               show this help and exit\n"
	      "  -V, --version            show the version and exit\n"
	      "\n"
	      "Examples:\n"
	      "  lmrec-chat -i items.tsv -m ease.lmrc conversations.tsv\n"
	      "  lmrec-chat -i items.tsv --ask random --questions 2 --targets targets.tsv \\\n"
	      "      --metrics recall.tsv conversations.tsv >/dev/null\n"
	      "  echo 'text' | cat - requests.txt | lmrec-chat -i items.tsv --parse-only\n"
	      "\n"
	      "See lmrec-chat(1).\n",
	      stdout);
	exit(0);
}

enum {
	OPT_KEEP_SEEN = CHAR_MAX + 1, OPT_VECTORS, OPT_ASK, OPT_QUESTIONS, OPT_ASK_CATEGORY, OPT_CF_WEIGHT,
	OPT_CONFLICT, OPT_HARD, OPT_POOL, OPT_TEMPERATURE, OPT_MIN_SUPPORT, OPT_MIN_PROB, OPT_MIN_LIFT,
	OPT_MAX_IMPLY, OPT_MATCH, OPT_DIM, OPT_EPOCHS, OPT_PARSE_ONLY, OPT_LEXICON, OPT_TARGETS, OPT_K,
	OPT_METRICS, OPT_LLM_CMD, OPT_LLM_TIMEOUT
};

static const struct option long_options[] = {
	{"items", required_argument, NULL, 'i'},
	{"model-file", required_argument, NULL, 'm'},
	{"keep-seen", no_argument, NULL, OPT_KEEP_SEEN},
	{"vectors", required_argument, NULL, OPT_VECTORS},
	{"top", required_argument, NULL, 'n'},
	{"ask", required_argument, NULL, OPT_ASK},
	{"questions", required_argument, NULL, OPT_QUESTIONS},
	{"ask-category", no_argument, NULL, OPT_ASK_CATEGORY},
	{"cf-weight", required_argument, NULL, OPT_CF_WEIGHT},
	{"conflict", required_argument, NULL, OPT_CONFLICT},
	{"hard", required_argument, NULL, OPT_HARD},
	{"pool", required_argument, NULL, OPT_POOL},
	{"temperature", required_argument, NULL, OPT_TEMPERATURE},
	{"min-support", required_argument, NULL, OPT_MIN_SUPPORT},
	{"min-prob", required_argument, NULL, OPT_MIN_PROB},
	{"min-lift", required_argument, NULL, OPT_MIN_LIFT},
	{"max-imply", required_argument, NULL, OPT_MAX_IMPLY},
	{"match-threshold", required_argument, NULL, OPT_MATCH},
	{"dim", required_argument, NULL, OPT_DIM},
	{"epochs", required_argument, NULL, OPT_EPOCHS},
	{"parse-only", no_argument, NULL, OPT_PARSE_ONLY},
	{"lexicon", required_argument, NULL, OPT_LEXICON},
	{"targets", required_argument, NULL, OPT_TARGETS},
	{"k", required_argument, NULL, OPT_K},
	{"metrics", required_argument, NULL, OPT_METRICS},
	{"llm-cmd", required_argument, NULL, OPT_LLM_CMD},
	{"llm-timeout", required_argument, NULL, OPT_LLM_TIMEOUT},
	{"output", required_argument, NULL, 'o'},
	{"seed", required_argument, NULL, 's'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

/* ---- the turns ---- */

/* The target of each session (catalog item; -1 none, -2 outside the
 * catalog: never found) into target (sessions); the number of targets
 * into *ntargets. */
static void read_targets(const struct lmrec_turns *t, const char *path, const struct lmrec_catalog *cat,
			 int64_t *target, size_t *ntargets)
{
	struct lmrec_tsv *r = lmrec_tsv_open(path);
	size_t cs = lmrec_tsv_col(r, "session"), ci = lmrec_tsv_col(r, "item");
	*ntargets = 0;
	while (lmrec_tsv_read(r)) {
		struct lmrec_field f = r->f[cs], it = r->f[ci];
		if (f.len == 0)
			lmrec_tsv_die(r, cs, "empty id");
		(*ntargets)++;
		int64_t k = lmrec_ids_find(t->ids, f.p, f.len);
		if (k < 0)
			continue; /* a session without turns: a miss */
		if (target[k] != -1)
			lmrec_tsv_die(r, cs, "session '%.*s' has two targets", (int)f.len, f.p);
		int64_t i = lmrec_catalog_find(cat, it.p, it.len);
		target[k] = i >= 0 ? i : -2;
	}
	lmrec_tsv_close(r);
}

/* ---- the user's history ---- */

struct cf {
	const struct lmrec_recmodel *m;
	struct lmrec_scorer *sc;
	int64_t *to_model;   /* (catalog items) model index or -1 */
	float *raw;          /* (model items) */
	float *z;            /* (catalog items) */
	int weighted;
	int64_t user;        /* model index of the user scored last, -1 */
};

/* The user's z-scores over the catalog, or NULL for a user the model does
 * not know. */
static const float *cf_user(struct cf *c, const struct lmrec_catalog *cat, const char *uid)
{
	if (!c->m)
		return NULL;
	int64_t u = lmrec_ids_find(c->m->users, uid, strlen(uid));
	c->user = u;
	if (u < 0)
		return NULL;
	const struct lmrec_csr *seen = &c->m->seen;
	struct lmrec_user_query q = {.user = u, .hist = seen->idx + seen->ptr[u],
				     .w = c->weighted ? seen->val + seen->ptr[u] : NULL,
				     .n = (size_t)(seen->ptr[u + 1] - seen->ptr[u])};
	lmrec_score_block(c->sc, &q, 1, c->raw);
	double sum = 0, sq = 0;
	size_t n = 0;
	for (size_t i = 0; i < cat->n; i++)
		if (c->to_model[i] >= 0 && isfinite(c->raw[c->to_model[i]])) {
			double x = c->raw[c->to_model[i]];
			sum += x;
			sq += x * x;
			n++;
		}
	double mean = n ? sum / (double)n : 0, var = n ? sq / (double)n - mean * mean : 0;
	double sd = var > 1e-24 ? sqrt(var) : 1;
	for (size_t i = 0; i < cat->n; i++) {
		double z = 0;
		if (c->to_model[i] >= 0 && isfinite(c->raw[c->to_model[i]]))
			z = (c->raw[c->to_model[i]] - mean) / sd;
		c->z[i] = (float)(z > 3 ? 3 : z < -3 ? -3 : z);
	}
	return c->z;
}

/* The history item (catalog index) that contributes most to item i, or -1. */
static int64_t cf_because(const struct cf *c, const struct lmrec_catalog *cat, uint32_t i)
{
	if (!c->m || c->user < 0 || c->to_model[i] < 0)
		return -1;
	const struct lmrec_csr *seen = &c->m->seen;
	float best = 0;
	int64_t because = -1;
	for (uint64_t p = seen->ptr[c->user]; p < seen->ptr[c->user + 1]; p++) {
		uint32_t h = seen->idx[p];
		if ((int64_t)h == c->to_model[i])
			continue;
		float x = lmrec_contribution(c->m, h, (uint32_t)c->to_model[i]);
		if (x > best) {
			best = x;
			because = h;
		}
	}
	if (because < 0)
		return -1;
	size_t len;
	const char *s = lmrec_ids_str(c->m->items, (uint32_t)because, &len);
	return lmrec_catalog_find(cat, s, len);
}

/* ---- the run ---- */

struct ctx {
	int replayed; /* the stream has a reply_to column: answers come when asked */
	const struct opts *o;
	const struct lmrec_catalog *cat;
	const struct lmrec_slotvocab *v;
	struct lmrec_slots_scratch sc;
	char *dec, *key;
	size_t deccap, keycap;
	struct lmrec_llm *llm; /* --llm-cmd, or NULL */
	struct lmrec_slots own; /* the built-in parser's reading, beside the model's */
};

/* The name of a key as reply_to writes it (escaped; "category" after the
 * catalog's keys), NUL-terminated, in x. */
static const char *key_name(struct ctx *x, int64_t key)
{
	if (key >= (int64_t)x->v->nkeys)
		return "category";
	size_t len;
	const char *p = lmrec_ids_str(x->cat->keys, (uint32_t)key, &len);
	LMREC_GROW(x->key, x->keycap, len + 1);
	memcpy(x->key, p, len);
	x->key[len] = '\0';
	return x->key;
}

/* The slots of one request, said at turn of session s whose state is
 * d's, key_hint the key of the question waiting (-1: none). The one place
 * that reads a request: an external parser (--llm-cmd, lib/llm.h) is to
 * be asked here first, its answer taking the built-in parser's place for
 * the turn:
 *
 *     struct lmrec_slots_llm ctx = {0};
 *     lmrec_slots_to_llm(x->v, &d->state, &ctx);
 *     json_t *rq = lmrec_llm_parse_request(s->id, turn, decoded text, &ctx.p,
 *                                          name of key_hint or NULL);
 *     json_t *ans = lmrec_llm_ask(llm, rq);
 *     struct lmrec_llm_parse p;
 *     if (ans && lmrec_llm_read_parse(ans, &p, &why) == 0)
 *             lmrec_slots_from_llm(x->v, &p, out, &unknown) and return;
 *     else fall back to lmrec_slots_parse below (llm.c counts why).
 *
 * The answer flags (yes, no, either) come from the built-in scopes
 * (lmrec_slots_scope) either way, since the protocol answers a question
 * with the asked key's slot itself. */
static void parse_turn(struct ctx *x, const struct lmrec_session *s, size_t turn, const struct lmrec_dialog *d,
		       const char *text, size_t len, int64_t key_hint, struct lmrec_slots *out)
{
	LMREC_GROW(x->dec, x->deccap, len + 1);
	size_t n = lmrec_tsv_unescape(x->dec, text, len);
	x->dec[n] = 0;
	if (!x->llm) {
		lmrec_slots_parse(x->v, &x->sc, x->dec, n, key_hint, out);
		return;
	}
	/* the built-in reading first: its answer flags and the items named by
	 * title stand whoever reads the slots */
	lmrec_slots_parse(x->v, &x->sc, x->dec, n, key_hint, &x->own);
	struct lmrec_slots_llm ctx;
	memset(&ctx, 0, sizeof ctx);
	lmrec_slots_to_llm(x->v, &d->state, &ctx);
	json_t *rq = lmrec_llm_parse_request(s->id, (long long)turn, x->dec, &ctx.p,
					     key_hint >= 0 ? key_name(x, key_hint) : NULL);
	lmrec_slots_llm_free(&ctx);
	json_t *ans = lmrec_llm_ask(x->llm, rq);
	json_decref(rq);
	struct lmrec_llm_parse p;
	const char *why = NULL;
	if (ans && lmrec_llm_read_parse(ans, &p, &why) == 0) {
		size_t unknown = 0;
		lmrec_slots_from_llm(x->v, &p, out, &unknown);
		lmrec_llm_parse_free(&p);
		out->answer = x->own.answer;
		for (size_t k = 0; k < x->own.nmention; k++) {
			LMREC_GROW(out->mention, out->mcap, out->nmention + 1);
			out->mention[out->nmention++] = x->own.mention[k];
		}
	} else {
		if (ans)
			lmrec_llm_reject(x->llm);
		lmrec_slots_copy(out, &x->own);
	}
	json_decref(ans);
}

/* The question in words: the external model's when it answers, else the
 * built-in template's (lmrec_dialog_phrase). */
static char *phrase_question(struct ctx *x, const struct lmrec_question *q)
{
	char *own = lmrec_dialog_phrase(x->v, q);
	if (!x->llm || q->key < 0)
		return own;
	int category = q->key == (int64_t)x->v->nkeys;
	const char *vals[LMREC_DIALOG_LIST];
	size_t nv = 0;
	if (q->pair >= 0)
		vals[nv++] = category ? x->v->cat_text[q->pair] : x->v->val_text[x->v->pair_val[q->pair]];
	else
		for (size_t k = 0; k < q->nvalues && nv < LMREC_DIALOG_LIST; k++)
			vals[nv++] = category ? x->v->cat_text[q->values[k]] : x->v->val_text[q->values[k]];
	json_t *rq = lmrec_llm_question_request(key_name(x, q->key), vals, nv);
	json_t *ans = lmrec_llm_ask(x->llm, rq);
	json_decref(rq);
	const char *t = ans ? lmrec_llm_read_text(ans) : NULL;
	if (t) {
		free(own);
		own = lmrec_xstrdup(t);
	} else if (ans) {
		lmrec_llm_reject(x->llm);
	}
	json_decref(ans);
	return own;
}

static void put_title(struct lmrec_out *out, const struct lmrec_catalog *cat, uint32_t i)
{
	if (cat->title[i][0]) {
		lmrec_out_field(out, cat->title[i], strlen(cat->title[i]));
	} else {
		size_t len;
		const char *s = lmrec_ids_str(cat->items, i, &len);
		lmrec_out_write(out, s, len);
	}
}

/* Per-step counts of targets found, for --targets. */
struct found {
	size_t steps;      /* questions + 1 */
	uint64_t *hits;    /* (steps, nk) sessions whose target was found by then */
	unsigned char *val, *set; /* (steps, nk), (steps): one session's */
	size_t sessions, questions;
};

static void write_turn_rows(struct ctx *x, struct lmrec_out *out, const struct lmrec_session *s, size_t turn,
			    const char *text, int64_t reply_to, struct lmrec_slots *slots, struct lmrec_dialog *d,
			    const struct cf *cf, const char *question)
{
	const struct lmrec_catalog *cat = x->cat;
	size_t n = d->norder < x->o->top ? d->norder : x->o->top;
	for (size_t r = 0; r < (n ? n : 1); r++) {
		lmrec_out_str(out, s->id);
		lmrec_out_tab(out);
		lmrec_out_i64(out, (int64_t)turn);
		lmrec_out_tab(out);
		lmrec_out_str(out, s->user);
		lmrec_out_tab(out);
		lmrec_out_str(out, text);
		lmrec_out_tab(out);
		if (reply_to >= (int64_t)x->v->nkeys) {
			lmrec_out_str(out, "category");
		} else if (reply_to >= 0) {
			size_t len;
			const char *k = lmrec_ids_str(cat->keys, (uint32_t)reply_to, &len);
			lmrec_out_write(out, k, len);
		}
		lmrec_out_tab(out);
		lmrec_slots_write(out, x->v, slots);
		lmrec_out_tab(out);
		lmrec_slots_write(out, x->v, &d->state);
		lmrec_out_tab(out);
		if (n) {
			uint32_t i = d->order[r];
			lmrec_out_i64(out, (int64_t)r + 1);
			lmrec_out_tab(out);
			size_t len;
			const char *id = lmrec_ids_str(cat->items, i, &len);
			lmrec_out_write(out, id, len);
			lmrec_out_tab(out);
			lmrec_out_f32(out, d->score[i]);
			lmrec_out_tab(out);
			size_t said = lmrec_dialog_reason(d, i, 4, out);
			int64_t because = cf_because(cf, cat, i);
			if (because >= 0) {
				lmrec_out_str(out, said ? "; and you liked " : "you liked ");
				put_title(out, cat, (uint32_t)because);
			} else if (!said) {
				lmrec_out_str(out, "closest to your request");
			}
		} else {
			lmrec_out_str(out, "\t\t\t"); /* nothing fits: the turn and its question still show */
		}
		lmrec_out_tab(out);
		lmrec_out_field(out, question, strlen(question));
		lmrec_out_eol(out);
	}
}

/* Replays one session (its replay semantics are in lmrec-chat(1)): writes
 * its rows, and counts in fd (or NULL) whether its target was found by
 * each step. */
static void replay(struct ctx *x, struct lmrec_out *out, const struct lmrec_session *s, int64_t target,
		   struct lmrec_dialog *d, struct cf *cf, struct found *fd)
{
	const struct opts *o = x->o;
	const struct lmrec_catalog *cat = x->cat;
	lmrec_dialog_start(d, cf_user(cf, cat, s->user));
	if (!o->keep_seen && cf->m && cf->user >= 0) {
		const struct lmrec_csr *seen = &cf->m->seen;
		for (uint64_t p = seen->ptr[cf->user]; p < seen->ptr[cf->user + 1]; p++) {
			size_t len;
			const char *id = lmrec_ids_str(cf->m->items, seen->idx[p], &len);
			int64_t i = lmrec_catalog_find(cat, id, len);
			if (i >= 0)
				d->shown[i] = 1;
		}
	}
	struct lmrec_rng rng;
	lmrec_rng_seed2(&rng, o->seed, lmrec_hash64(s->id, strlen(s->id)));
	struct lmrec_slots slots = {0};
	struct lmrec_question q = {.key = -1, .pair = -1};
	size_t next = 0, answers = 0, nk = o->nk;
	unsigned char *found = lmrec_xcalloc(nk + 1, 1);
	if (fd) {
		memset(fd->val, 0, fd->steps * nk);
		memset(fd->set, 0, fd->steps);
	}
	for (size_t turn = 1;; turn++) {
		const char *text;
		int64_t reply_to = -1;
		int answer = 0;
		int said_now = next < s->nsaid && (size_t)s->said[next].turn == turn;
		if (!said_now && q.key >= 0 && x->replayed) {
			/* the user answers the question asked last: "either"
			 * when the stream has no answer to it */
			reply_to = q.key;
			const struct lmrec_turn *a = lmrec_turns_answer(s, key_name(x, q.key));
			text = a ? a->text : "either";
			answer = 1;
			answers++;
		} else if (next < s->nsaid) {
			text = s->said[next++].text;
		} else {
			break;
		}
		parse_turn(x, s, turn, d, text, strlen(text), q.key < (int64_t)x->v->nkeys ? q.key : -1, &slots);
		lmrec_dialog_turn(d, &slots);
		lmrec_dialog_rank(d);
		q = (struct lmrec_question){.key = -1, .pair = -1};
		if (d->questions < o->questions)
			lmrec_dialog_ask(d, o->ask, &rng, &q);
		char *question = phrase_question(x, &q);
		write_turn_rows(x, out, s, turn, text, reply_to, &slots, d, cf, question);
		free(question);
		if (fd) { /* the target among the first K of the ranking */
			for (size_t k = 0; k < nk; k++)
				for (size_t r = 0; r < o->k[k] && r < d->norder && !found[k] && target >= 0; r++)
					found[k] = d->order[r] == (uint32_t)target;
			size_t step = turn == 1 ? 0 : answer ? answers : fd->steps;
			if (step < fd->steps) {
				memcpy(fd->val + step * nk, found, nk);
				fd->set[step] = 1;
			}
		}
		lmrec_dialog_show(d, o->top);
	}
	if (fd) {
		/* a step the session never reached holds how it ended */
		for (size_t step = 0; step < fd->steps; step++) {
			if (!fd->set[step])
				memcpy(fd->val + step * nk, found, nk);
			for (size_t k = 0; k < nk; k++)
				fd->hits[step * nk + k] += fd->val[step * nk + k];
		}
		fd->sessions++;
		fd->questions += d->questions;
	}
	free(found);
	lmrec_slots_free(&slots);
}

static void write_metrics(const struct opts *o, const struct found *fd, size_t ntargets)
{
	struct lmrec_out *m = o->metrics ? lmrec_out_open(o->metrics) : lmrec_out_open_mem();
	lmrec_out_str(m, "metric\tk\tsegment\tvalue\tn\n");
	for (size_t step = 0; step < fd->steps; step++)
		for (size_t k = 0; k < o->nk; k++) {
			double v = ntargets ? (double)fd->hits[step * o->nk + k] / (double)ntargets : 0;
			lmrec_out_printf(m, "recall\t%u\tanswers=%zu\t%.17g\t%zu\n", o->k[k], step, v, ntargets);
		}
	lmrec_out_printf(m, "questions\t\tall\t%.17g\t%zu\n",
			 fd->sessions ? (double)fd->questions / (double)fd->sessions : 0.0, fd->sessions);
	if (o->metrics) {
		lmrec_out_commit(m);
	} else {
		fwrite(m->buf, 1, m->len, stderr);
		lmrec_out_abort(m);
	}
}

/* --parse-only: the input with a slots column. */
static void run_parse_only(struct ctx *x, char *const *files, size_t nfiles, struct lmrec_out *out)
{
	static char *const stdin_only[] = {"-"};
	if (nfiles == 0) {
		files = stdin_only;
		nfiles = 1;
	}
	struct lmrec_slots slots = {0};
	struct lmrec_tsv *first = NULL;
	size_t rows = 0;
	for (size_t fi = 0; fi < nfiles; fi++) {
		struct lmrec_tsv *r = lmrec_tsv_open(files[fi]);
		size_t cx = lmrec_tsv_col(r, "text");
		if (first) {
			lmrec_tsv_same_header(first, r);
		} else {
			for (size_t c = 0; c < r->ncols; c++) {
				lmrec_out_str(out, r->cols[c]);
				lmrec_out_tab(out);
			}
			lmrec_out_str(out, "slots\n");
		}
		while (lmrec_tsv_read(r)) {
			parse_turn(x, NULL, 0, NULL, r->f[cx].p, r->f[cx].len, -1, &slots);
			lmrec_out_write(out, r->line, r->linelen);
			lmrec_out_tab(out);
			lmrec_slots_write(out, x->v, &slots);
			lmrec_out_eol(out);
			rows++;
		}
		if (first)
			lmrec_tsv_close(r);
		else
			first = r;
	}
	lmrec_tsv_close(first);
	lmrec_slots_free(&slots);
	if (!x->o->quiet)
		fprintf(stderr, "%s: %zu requests parsed\n", lmrec_progname(), rows);
}

/* --vectors: the words of the requests and of the vocabulary's anchors
 * are the ones read from the file. */
static void request_words(struct ctx *x, const struct lmrec_turns *t, char *const *files, size_t nfiles,
			  struct lmrec_ids *keep)
{
	struct lmrec_swords ws = {0};
	struct lmrec_text *tk = lmrec_slots_tokenizer();
	if (x->o->parse_only) {
		static char *const stdin_only[] = {"-"};
		if (nfiles == 0) {
			files = stdin_only;
			nfiles = 1;
		}
		/* standard input cannot be read twice */
		for (size_t fi = 0; fi < nfiles; fi++)
			if (strcmp(files[fi], "-") == 0)
				lmrec_usage_error("--vectors with --parse-only needs the input as a file, not '-'");
	}
	size_t ns = lmrec_turns_sessions(t);
	for (size_t k = 0; k < ns; k++) {
		const struct lmrec_session *s = &t->s[k];
		for (size_t j = 0; j < s->nsaid + s->nanswers; j++) {
			const char *text = j < s->nsaid ? s->said[j].text : s->answers[j - s->nsaid].text;
			lmrec_swords_split(&ws, tk, NULL, text, strlen(text), LMREC_SLOTS_MAX_WORDS);
			for (size_t w = 0; w < ws.n; w++)
				if (ws.w[w].kind == LMREC_SW_WORD) {
					size_t len;
					const char *p = lmrec_sword_surf(&ws, w, &len);
					lmrec_ids_intern(keep, p, len);
				}
		}
	}
	for (size_t fi = 0; x->o->parse_only && fi < nfiles; fi++) {
		struct lmrec_tsv *r = lmrec_tsv_open(files[fi]);
		size_t cx = lmrec_tsv_col(r, "text");
		while (lmrec_tsv_read(r)) {
			lmrec_swords_split(&ws, tk, NULL, r->f[cx].p, r->f[cx].len, LMREC_SLOTS_MAX_WORDS);
			for (size_t w = 0; w < ws.n; w++)
				if (ws.w[w].kind == LMREC_SW_WORD) {
					size_t len;
					const char *p = lmrec_sword_surf(&ws, w, &len);
					lmrec_ids_intern(keep, p, len);
				}
		}
		lmrec_tsv_close(r);
	}
	lmrec_text_free(tk);
	lmrec_swords_free(&ws);
}

static int run(const struct opts *o, char **files, size_t nfiles)
{
	struct lmrec_catalog cat;
	lmrec_catalog_load(&cat, o->items);
	struct lmrec_turns t = {0};
	if (!o->parse_only)
		lmrec_turns_read(&t, files, nfiles);
	size_t ntargets = 0, ns = lmrec_turns_sessions(&t);
	int64_t *target = lmrec_xmalloc((ns + 1) * sizeof *target);
	for (size_t k = 0; k < ns; k++)
		target[k] = -1;
	if (o->targets)
		read_targets(&t, o->targets, &cat, target, &ntargets);
	/* the vocabulary, and the vectors of unknown words */
	double t0 = lmrec_now();
	struct lmrec_slotvocab_params vp = o->vp;
	if (o->vectors)
		vp.dim = 0;
	struct lmrec_slotvocab *v = lmrec_slotvocab_build(&cat, &vp, NULL);
	struct ctx x = {.replayed = t.has_reply, .o = o, .cat = &cat, .v = v};
	if (o->llm_cmd && !o->parse_only) {
		x.llm = lmrec_llm_start(o->llm_cmd, (int)o->llm_timeout);
		lmrec_llm_set_quiet(x.llm, o->quiet);
	}
	struct lmrec_wordvec wv = {0};
	if (o->vectors) {
		struct lmrec_ids *keep = lmrec_ids_new();
		lmrec_slotvocab_anchor_words(v, keep);
		request_words(&x, &t, files, nfiles, keep);
		lmrec_wordvec_read(&wv, o->vectors, keep);
		lmrec_ids_free(keep);
		lmrec_slotvocab_set_vectors(v, &wv);
	}
	if (!o->quiet)
		fprintf(stderr,
			"%s: vocabulary of %zu items: %zu exact entries, %zu words with %zu implications, %zu "
			"anchors (%s vectors of %zu) in %.2f s\n",
			lmrec_progname(), cat.n, lmrec_ids_count(v->phrases), lmrec_ids_count(v->words), v->nimply,
			lmrec_ids_count(v->anchors), o->vectors ? "file" : v->dim ? "subword" : "no", v->dim,
			lmrec_now() - t0);
	if (o->lexicon) {
		struct lmrec_out *lx = lmrec_out_open(o->lexicon);
		lmrec_slotvocab_dump(v, lx);
		lmrec_out_commit(lx);
	}
	struct lmrec_out *out = lmrec_out_open(o->output);
	if (o->parse_only) {
		run_parse_only(&x, files, nfiles, out);
	} else {
		struct cf cf = {0};
		cf.user = -1;
		if (o->model) {
			struct lmrec_recmodel *m = lmrec_recmodel_read(o->model, LMREC_KIND_ANY);
			cf.m = m;
			cf.sc = lmrec_scorer_new(m, 1);
			cf.raw = lmrec_xmalloc((m->ni + 1) * sizeof *cf.raw);
			cf.z = lmrec_xcalloc(cat.n + 1, sizeof *cf.z);
			cf.to_model = lmrec_xmalloc((cat.n + 1) * sizeof *cf.to_model);
			for (size_t i = 0; i < cat.n; i++) {
				size_t len;
				const char *id = lmrec_ids_str(cat.items, (uint32_t)i, &len);
				cf.to_model[i] = lmrec_ids_find(m->items, id, len);
			}
			size_t len;
			const char *uw = lmrec_model_param(m->file, "use_weights", &len);
			cf.weighted = uw && len == 1 && uw[0] == '1';
		}
		struct found fd = {0};
		if (o->targets) {
			fd.steps = o->questions + 1;
			fd.hits = lmrec_xcalloc(fd.steps * o->nk + 1, sizeof *fd.hits);
			fd.val = lmrec_xcalloc(fd.steps * o->nk + 1, 1);
			fd.set = lmrec_xcalloc(fd.steps + 1, 1);
		}
		lmrec_out_str(out, "session\tturn\tuser\ttext\treply_to\tslots\tstate\trank\titem\tscore\treason\t"
				   "question\n");
		struct lmrec_dialog *d = lmrec_dialog_new(v, &o->dp);
		uint32_t *order = lmrec_ids_sorted(t.ids);
		size_t asked = 0;
		for (size_t k = 0; k < ns; k++) {
			replay(&x, out, &t.s[order[k]], target[order[k]], d, &cf, o->targets ? &fd : NULL);
			asked += d->questions;
		}
		free(order);
		lmrec_dialog_free(d);
		if (!o->quiet)
			fprintf(stderr, "%s: %zu sessions, %zu questions asked\n", lmrec_progname(), ns, asked);
		if (o->targets)
			write_metrics(o, &fd, ntargets);
		free(fd.hits);
		free(fd.val);
		free(fd.set);
		if (cf.m) {
			lmrec_scorer_free(cf.sc);
			lmrec_recmodel_free((struct lmrec_recmodel *)cf.m);
			free(cf.raw);
			free(cf.z);
			free(cf.to_model);
		}
	}
	lmrec_out_commit(out);
	if (x.llm && !o->quiet)
		lmrec_llm_report(x.llm);
	lmrec_llm_close(x.llm);
	lmrec_slots_free(&x.own);
	lmrec_slots_scratch_free(&x.sc);
	free(x.dec);
	lmrec_slotvocab_free(v);
	lmrec_wordvec_free(&wv);
	lmrec_turns_free(&t);
	free(target);
	free(x.key);
	lmrec_catalog_free(&cat);
	return 0;
}

static enum lmrec_ask parse_ask(const char *arg)
{
	if (strcmp(arg, "infogain") == 0)
		return LMREC_ASK_INFOGAIN;
	if (strcmp(arg, "random") == 0)
		return LMREC_ASK_RANDOM;
	if (strcmp(arg, "none") == 0)
		return LMREC_ASK_NONE;
	lmrec_usage_error("invalid value for --ask: '%s' (expected infogain, random or none)", arg);
}

int main(int argc, char **argv)
{
	lmrec_setprogname(argv[0]);
	struct opts o = {.top = 10, .questions = 3, .ask = LMREC_ASK_INFOGAIN, .seed = 1, .llm_timeout = 10000};
	lmrec_slotvocab_defaults(&o.vp);
	lmrec_dialog_defaults(&o.dp);
	int c;
	while ((c = getopt_long(argc, argv, "i:m:n:o:s:qhV", long_options, NULL)) != -1) {
		switch (c) {
		case 'i': o.items = optarg; break;                /* --items */
		case 'm': o.model = optarg; break;                /* --model-file */
		case OPT_KEEP_SEEN: o.keep_seen = 1; break;       /* --keep-seen */
		case OPT_VECTORS: o.vectors = optarg; break;      /* --vectors */
		case 'n': o.top = (size_t)lmrec_opt_u64("--top", optarg, 1, 100000); break; /* --top */
		case OPT_ASK: o.ask = parse_ask(optarg); break;   /* --ask */
		case OPT_QUESTIONS: /* --questions */
			o.questions = (size_t)lmrec_opt_u64("--questions", optarg, 0, 1000);
			break;
		case OPT_ASK_CATEGORY: o.dp.ask_category = 1; break; /* --ask-category */
		case OPT_CF_WEIGHT: o.dp.cf_weight = lmrec_opt_double("--cf-weight", optarg, 0, 1e6); break;
		case OPT_CONFLICT: o.dp.conflict = lmrec_opt_double("--conflict", optarg, 0, 1e6); break;
		case OPT_HARD: o.dp.hard = lmrec_opt_double("--hard", optarg, 0, 2); break; /* --hard */
		case OPT_POOL: o.dp.pool = (size_t)lmrec_opt_u64("--pool", optarg, 1, 1000000); break;
		case OPT_TEMPERATURE: /* --temperature */
			o.dp.temperature = lmrec_opt_double("--temperature", optarg, 1e-6, 1e6);
			break;
		case OPT_MIN_SUPPORT: /* --min-support */
			o.vp.min_support = (size_t)lmrec_opt_u64("--min-support", optarg, 1, 1000000);
			break;
		case OPT_MIN_PROB: o.vp.min_prob = lmrec_opt_double("--min-prob", optarg, 0, 1); break;
		case OPT_MIN_LIFT: o.vp.min_lift = lmrec_opt_double("--min-lift", optarg, 0, 1e6); break;
		case OPT_MAX_IMPLY: o.vp.max_imply = (size_t)lmrec_opt_u64("--max-imply", optarg, 0, 1000); break;
		case OPT_MATCH: /* --match-threshold */
			o.vp.match_threshold = lmrec_opt_double("--match-threshold", optarg, -1, 1);
			break;
		case OPT_DIM: o.vp.dim = (size_t)lmrec_opt_u64("--dim", optarg, 0, 10000); break; /* --dim */
		case OPT_EPOCHS: o.vp.epochs = (size_t)lmrec_opt_u64("--epochs", optarg, 1, 10000); break;
		case OPT_PARSE_ONLY: o.parse_only = 1; break; /* --parse-only */
		case OPT_LEXICON: o.lexicon = optarg; break;  /* --lexicon */
		case OPT_TARGETS: o.targets = optarg; break;  /* --targets */
		case OPT_K: o.k = lmrec_opt_klist("--k", optarg, &o.nk); break; /* --k */
		case OPT_METRICS: o.metrics = optarg; break;  /* --metrics */
		case OPT_LLM_CMD: o.llm_cmd = optarg; break;  /* --llm-cmd */
		case OPT_LLM_TIMEOUT: /* --llm-timeout */
			o.llm_timeout = (long)lmrec_opt_u64("--llm-timeout", optarg, 1, 3600000);
			break;
		case 'o': o.output = optarg; break;           /* --output */
		case 's': o.seed = lmrec_opt_u64("--seed", optarg, 0, UINT64_MAX); break; /* --seed */
		case 'q': o.quiet = 1; break;                 /* --quiet */
		case 'h': usage(0); break;                    /* --help */
		case 'V': lmrec_print_version(); lmrec_close_stdout(); return 0; /* --version */
		default: usage(LMREC_EXIT_USAGE);
		}
	}
	if (!o.items)
		lmrec_usage_error("--items is required");
	if (o.parse_only && (o.targets || o.model))
		lmrec_usage_error("--parse-only reads no %s", o.targets ? "--targets" : "--model-file");
	if (o.metrics && !o.targets)
		lmrec_usage_error("--metrics needs --targets");
	if (!o.k) {
		o.k = lmrec_xmalloc(sizeof *o.k);
		o.k[0] = 10;
		o.nk = 1;
	}
	o.vp.seed = o.seed;
	int rc = run(&o, argv + optind, (size_t)(argc - optind));
	free(o.k);
	lmrec_close_stdout();
	return rc;
}

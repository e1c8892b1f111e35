/* lmrec — the agent's words: the words of a text as stems with their
 * polarity, and names as phrases of stems (agent_int.h). */
#include <stdlib.h>
#include <string.h>

#include "agent_int.h"
#include "slots.h"
#include "text.h"
#include "tsv.h"
#include "util.h"

void lmrec_agent_words_init(struct words *w)
{
	memset(w, 0, sizeof *w);
	w->tk = lmrec_slots_tokenizer();
}

void lmrec_agent_words_free(struct words *w)
{
	lmrec_text_free(w->tk);
	lmrec_swords_free(&w->ws);
	free(w->mode);
	free(w->clause);
	free(w->cue);
	free(w->dec);
}

/* Splits the escaped text and computes the polarity of each word. */
void lmrec_agent_words_split(struct words *w, const char *s, size_t len)
{
	if (len > LMREC_SLOTS_MAX_BYTES)
		len = LMREC_SLOTS_MAX_BYTES;
	LMREC_GROW(w->dec, w->dcap, len + 1);
	size_t n = lmrec_tsv_unescape(w->dec, s, len);
	w->dec[n] = '\0';
	lmrec_swords_split(&w->ws, w->tk, NULL, w->dec, n, LMREC_SLOTS_MAX_WORDS);
	if (w->ws.n > w->cap) {
		w->cap = w->ws.n;
		w->mode = lmrec_xreallocarray(w->mode, w->cap, sizeof *w->mode);
		w->clause = lmrec_xreallocarray(w->clause, w->cap, sizeof *w->clause);
		w->cue = lmrec_xreallocarray(w->cue, w->cap, sizeof *w->cue);
	}
	if (w->ws.n)
		lmrec_slots_scope(&w->ws, w->mode, w->clause, w->cue);
}

/* A name as a phrase of stems joined by ' ' ('_' and '-' as spaces). */
char *lmrec_agent_phrase(struct words *w, const char *s, size_t len, size_t *nwords)
{
	char *tmp = lmrec_xmalloc(len + 1);
	for (size_t i = 0; i < len; i++) {
		tmp[i] = s[i];
		if (s[i] == '_' || s[i] == '-')
			tmp[i] = ' ';
	}
	lmrec_agent_words_split(w, tmp, len);
	free(tmp);
	struct sbuf b = {0};
	sb_put(&b, "", 0);
	size_t k = 0;
	for (size_t i = 0; i < w->ws.n; i++) {
		if (w->ws.w[i].kind != LMREC_SW_WORD)
			continue;
		size_t n;
		const char *p = lmrec_sword_stem(&w->ws, i, &n);
		if (k++)
			sb_put(&b, " ", 1);
		sb_put(&b, p, n);
	}
	*nwords = k;
	return b.p;
}

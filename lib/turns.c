/* lmrec — a turns stream in memory (see turns.h). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tsv.h"
#include "turns.h"
#include "util.h"

static int cmp_turn(const void *pa, const void *pb)
{
	const struct lmrec_turn *a = pa, *b = pb;
	return a->turn < b->turn ? -1 : a->turn > b->turn;
}

const struct lmrec_turn *lmrec_turns_answer(const struct lmrec_session *s, const char *key)
{
	for (size_t j = 0; j < s->nanswers; j++)
		if (strcmp(s->answers[j].reply_to, key) == 0)
			return &s->answers[j];
	return NULL;
}

/* The session of the current row (made on first sight, for its user). */
static struct lmrec_session *session_of(struct lmrec_turns *t, const struct lmrec_tsv *r, size_t cs, size_t cu)
{
	struct lmrec_field f = r->f[cs], u = r->f[cu];
	size_t before = lmrec_ids_count(t->ids);
	uint32_t k = lmrec_ids_intern(t->ids, f.p, f.len);
	struct lmrec_session *s;
	if (k == before) {
		LMREC_GROW(t->s, t->cap, (size_t)k + 1);
		s = &t->s[k];
		memset(s, 0, sizeof *s);
		s->id = lmrec_xstrndup(f.p, f.len);
		s->user = lmrec_xstrndup(u.p, u.len);
	}
	s = &t->s[k];
	if (strlen(s->user) != u.len || memcmp(s->user, u.p, u.len) != 0)
		lmrec_tsv_die(r, cu, "session '%s' already belongs to user '%s'", s->id, s->user);
	return s;
}

void lmrec_turns_read(struct lmrec_turns *t, char *const *files, size_t nfiles)
{
	static char *const stdin_only[] = {"-"};
	if (nfiles == 0) {
		files = stdin_only;
		nfiles = 1;
	}
	memset(t, 0, sizeof *t);
	t->ids = lmrec_ids_new();
	struct lmrec_tsv *first = NULL;
	for (size_t fi = 0; fi < nfiles; fi++) {
		struct lmrec_tsv *r = lmrec_tsv_open(files[fi]);
		if (first)
			lmrec_tsv_same_header(first, r);
		size_t cs = lmrec_tsv_col(r, "session"), cu = lmrec_tsv_col(r, "user");
		size_t ct = lmrec_tsv_col(r, "turn"), cx = lmrec_tsv_col(r, "text");
		long cr = lmrec_tsv_col_opt(r, "reply_to");
		t->has_reply = cr >= 0;
		while (lmrec_tsv_read(r)) {
			if (r->f[cs].len == 0)
				lmrec_tsv_die(r, cs, "empty id");
			if (r->f[cu].len == 0)
				lmrec_tsv_die(r, cu, "empty id");
			int64_t turn = lmrec_tsv_i64(r, ct);
			if (turn < 1)
				lmrec_tsv_die(r, ct, "'%" PRId64 "' is not a turn number (1, 2, ...)", turn);
			struct lmrec_session *s = session_of(t, r, cs, cu);
			struct lmrec_turn row = {turn, lmrec_xstrndup(r->f[cx].p, r->f[cx].len), NULL};
			struct lmrec_field rf = cr >= 0 ? r->f[cr] : (struct lmrec_field){NULL, 0};
			if (rf.len == 0) {
				for (size_t j = 0; j < s->nsaid; j++)
					if (s->said[j].turn == turn) {
						free(row.text);
						lmrec_tsv_die(r, ct, "turn %" PRId64 " of session '%s' is given twice", turn,
							      s->id);
					}
				LMREC_GROW(s->said, s->scap, s->nsaid + 1);
				s->said[s->nsaid++] = row;
				continue;
			}
			row.reply_to = lmrec_xstrndup(rf.p, rf.len);
			if (lmrec_turns_answer(s, row.reply_to)) {
				free(row.text);
				free(row.reply_to);
				lmrec_tsv_die(r, (size_t)cr, "session '%s' answers '%.*s' twice", s->id, (int)rf.len, rf.p);
			}
			LMREC_GROW(s->answers, s->acap, s->nanswers + 1);
			s->answers[s->nanswers++] = row;
		}
		if (first)
			lmrec_tsv_close(r);
		else
			first = r;
	}
	lmrec_tsv_close(first);
	for (size_t k = 0; k < lmrec_ids_count(t->ids); k++)
		if (t->s[k].nsaid > 1) /* a session of answers only has no array */
			qsort(t->s[k].said, t->s[k].nsaid, sizeof *t->s[k].said, cmp_turn);
}

void lmrec_turns_free(struct lmrec_turns *t)
{
	for (size_t k = 0; k < lmrec_turns_sessions(t); k++) {
		struct lmrec_session *s = &t->s[k];
		for (size_t j = 0; j < s->nsaid; j++)
			free(s->said[j].text);
		for (size_t j = 0; j < s->nanswers; j++) {
			free(s->answers[j].text);
			free(s->answers[j].reply_to);
		}
		free(s->said);
		free(s->answers);
		free(s->id);
		free(s->user);
	}
	free(t->s);
	lmrec_ids_free(t->ids);
	memset(t, 0, sizeof *t);
}

/* Fuzz target: the turns stream of lmrec-chat (lib/turns.c), the
 * conversations the request parser (slots_fuzz.c) then reads turn by turn.
 *
 * An input is the stream, plain or gzip. One that loads keeps turns.h's
 * promises: sessions in order of first appearance with distinct, non-empty
 * ids and a user each; free utterances sorted by turn, numbers from 1 and
 * distinct; answers with distinct keys, each found by lmrec_turns_answer;
 * texts and keys in escaped form (no raw TAB, LF or CR); has_reply as the
 * header says. A die must be bad data (65). */
#include "harness.h"
#include "turns.h"

struct turns_run {
	char *path;
	size_t sessions;
};

static void turns_check_text(const char *s)
{
	size_t len = strlen(s);
	FUZZ_ASSERT(!memchr(s, '\t', len) && !memchr(s, '\n', len) && !memchr(s, '\r', len));
	FUZZ_ASSERT(lmrec_tsv_check_escapes(s, len) == -1);
}

static void turns_read(void *arg)
{
	struct turns_run *run = arg;
	struct lmrec_turns t;
	lmrec_turns_read(&t, &run->path, 1);
	size_t n = lmrec_turns_sessions(&t);
	for (size_t k = 0; k < n; k++) {
		const struct lmrec_session *s = &t.s[k];
		size_t len;
		const char *id = lmrec_ids_str(t.ids, (uint32_t)k, &len);
		FUZZ_ASSERT(len > 0 && strlen(s->id) == len && memcmp(s->id, id, len) == 0);
		FUZZ_ASSERT(s->user[0] != '\0');
		turns_check_text(s->id);
		turns_check_text(s->user);
		for (size_t j = 0; j < s->nsaid; j++) {
			FUZZ_ASSERT(s->said[j].turn >= 1 && s->said[j].reply_to == NULL);
			FUZZ_ASSERT(j == 0 || s->said[j - 1].turn < s->said[j].turn);
			turns_check_text(s->said[j].text);
		}
		for (size_t j = 0; j < s->nanswers; j++) {
			const struct lmrec_turn *a = &s->answers[j];
			FUZZ_ASSERT(t.has_reply && a->turn >= 1 && a->reply_to && a->reply_to[0]);
			FUZZ_ASSERT(lmrec_turns_answer(s, a->reply_to) == a);
			turns_check_text(a->text);
			turns_check_text(a->reply_to);
		}
		FUZZ_ASSERT(lmrec_turns_answer(s, "") == NULL);
	}
	run->sessions = n;
	lmrec_turns_free(&t);
}

static int lmrec_fuzz_turns(const uint8_t *data, size_t size)
{
	/* lmrec_turns_read takes char *const *: a copy of the scratch name */
	char path[700];
	int w = snprintf(path, sizeof path, "%s", fuzz_file("turns.tsv", data, size));
	FUZZ_ASSERT(w > 0 && (size_t)w < sizeof path);
	struct turns_run run = {path, 0};
	FUZZ_ASSERT_DATA_DIE(fuzz_guarded(turns_read, &run));
	FUZZ_ASSERT(fuzz_close_scratch_fds() == 0);
	return 0;
}

#ifndef LMREC_FUZZ_REPLAY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return lmrec_fuzz_turns(data, size); }
#endif

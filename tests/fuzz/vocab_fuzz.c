/* Fuzz target: a WordPiece vocab.txt (lmrec_wordpiece_load in
 * lib/wordpiece.c), and the encoder over what it loaded.
 *
 * The first byte of an input is a mode, the rest the file:
 *   bits 0-1: casing: detect, cased, uncased, detect
 *   bit 2:    mask personal data (lmrec_pii_find) before encoding
 *   bits 3-7: max_len - 2 of the encoder (2 to 33 ids)
 * A vocabulary that loads keeps its promises: ids in line order, each
 * token found again by its id, [UNK] [CLS] [SEP] present, [PAD] and [MASK]
 * found when present. Then the file's own bytes, and a few fixed texts,
 * are encoded as text: the ids start with [CLS], end with [SEP], lie in
 * the vocabulary, and there are at most max_len of them. Only the load may
 * die, and only with bad data (65). */
#include "harness.h"
#include "pii.h"
#include "wordpiece.h"

struct vocab_run {
	const char *path;
	int lowercase;
	int mask;
	size_t max_len;
	const char *text;
	size_t textlen;
	int loaded;
};

static void vocab_encode(const struct lmrec_wordpiece *wp, const struct vocab_run *run, const char *s,
			 size_t len, struct lmrec_wordpiece_ws *ws, struct lmrec_pii *pii, int32_t *ids)
{
	if (run->mask)
		lmrec_pii_find(pii, s, len);
	size_t n = lmrec_wordpiece_encode(wp, s, len, run->max_len, ids, run->mask ? pii : NULL, ws);
	size_t size = lmrec_wordpiece_size(wp);
	FUZZ_ASSERT(n >= 2 && n <= run->max_len);
	FUZZ_ASSERT(ids[0] == wp->cls && ids[n - 1] == wp->sep);
	FUZZ_ASSERT(n - 2 == (ws->pieces < run->max_len - 2 ? ws->pieces : run->max_len - 2));
	for (size_t k = 0; k < n; k++)
		FUZZ_ASSERT(ids[k] >= 0 && (size_t)ids[k] < size);
}

static void vocab_load(void *arg)
{
	struct vocab_run *run = arg;
	struct lmrec_wordpiece *wp = lmrec_wordpiece_load(run->path, run->lowercase);
	run->loaded = 1;
	size_t size = lmrec_wordpiece_size(wp);
	FUZZ_ASSERT(size >= 3);
	FUZZ_ASSERT(wp->lowercase == 0 || wp->lowercase == 1);
	if (run->lowercase != LMREC_WORDPIECE_DETECT)
		FUZZ_ASSERT(wp->lowercase == run->lowercase);
	static const char *const special[] = {"[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]"};
	const int32_t got[] = {wp->unk, wp->cls, wp->sep, wp->pad, wp->mask};
	for (size_t k = 0; k < 5; k++) {
		FUZZ_ASSERT(got[k] == lmrec_wordpiece_id(wp, special[k], strlen(special[k])));
		FUZZ_ASSERT(k >= 3 || got[k] >= 0);
	}
	for (size_t id = 0; id < size; id++) {
		size_t len;
		const char *tok = lmrec_wordpiece_token(wp, (int32_t)id, &len);
		FUZZ_ASSERT(len > 0 && tok[len] == '\0' && !memchr(tok, '\n', len));
		FUZZ_ASSERT(lmrec_wordpiece_id(wp, tok, len) == (int32_t)id);
	}
	struct lmrec_wordpiece_ws ws = {0};
	struct lmrec_pii pii = {0};
	int32_t *ids = lmrec_xcalloc(run->max_len, sizeof *ids);
	static const char *const texts[] = {
		"", "Hello, World! unaffable naïve café", "CJK 中文字 and ##pieces [UNK]",
		"write to jo@example.com or +44 20 7946 0958, see https://example.org/a?b=c",
		"a word longer than a hundred characters: "
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"};
	for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++)
		vocab_encode(wp, run, texts[k], strlen(texts[k]), &ws, &pii, ids);
	vocab_encode(wp, run, run->text, run->textlen, &ws, &pii, ids);
	/* every token of the vocabulary as a text of its own */
	for (size_t id = 0; id < size && id < 64; id++) {
		size_t len;
		const char *tok = lmrec_wordpiece_token(wp, (int32_t)id, &len);
		vocab_encode(wp, run, tok, len, &ws, &pii, ids);
	}
	free(ids);
	lmrec_pii_free(&pii);
	lmrec_wordpiece_ws_free(&ws);
	lmrec_wordpiece_free(wp);
}

static int lmrec_fuzz_vocab(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	static const int casing[] = {LMREC_WORDPIECE_DETECT, 0, 1, LMREC_WORDPIECE_DETECT};
	unsigned mode = data[0];
	struct vocab_run run = {fuzz_file("vocab.txt", data + 1, size - 1),
				casing[mode & 3u],
				(mode & 4u) != 0,
				2 + (mode >> 3),
				(const char *)data + 1,
				size - 1,
				0};
	int status = fuzz_guarded(vocab_load, &run);
	FUZZ_ASSERT_DATA_DIE(status);
	FUZZ_ASSERT(status == 0 || !run.loaded); /* the encoder never dies */
	FUZZ_ASSERT(fuzz_close_scratch_fds() == 0);
	return 0;
}

#ifndef LMREC_FUZZ_REPLAY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return lmrec_fuzz_vocab(data, size); }
#endif

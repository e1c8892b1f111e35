/* Unit tests of lib/wordpiece.c: every refusal of a vocab.txt with its
 * exact message and status, case detection, greedy longest match with ##
 * continuations, [UNK] for unmatched and over-long words, truncation with
 * [SEP] last, masks, a reused workspace, and threads sharing a vocabulary. */
#include <pthread.h>

#include "check.h"
#include "pii.h"
#include "wordpiece.h"

static void child_load(void *path)
{
	check_keep(lmrec_wordpiece_load(path, LMREC_WORDPIECE_DETECT));
}

static void refused(const char *name, const char *content, int status, const char *msg)
{
	char err[512];
	check_write_str(name, content);
	int st = check_child(child_load, (void *)name, err, sizeof err);
	if (st != status || strcmp(err, msg) != 0) {
		printf("# %s: status %d, stderr:\n#   %s\n# expected %d:\n#   %s\n", name, st, err,
		       status, msg);
		check_st()->failures++;
	}
}

static void test_refusals(void)
{
	check_tmpdir();
	refused("v1.txt", "[PAD]\n[CLS]\n[SEP]\nword\n", 65,
		"wordpiece: v1.txt: no '[UNK]' token (a BERT vocab.txt holds [UNK], [CLS] and [SEP])");
	refused("v2.txt", "[UNK]\nword\n", 65,
		"wordpiece: v2.txt: no '[CLS]', '[SEP]' tokens (a BERT vocab.txt holds [UNK], [CLS] "
		"and [SEP])");
	refused("v3.txt", "word\n", 65,
		"wordpiece: v3.txt: no '[UNK]', '[CLS]', '[SEP]' tokens (a BERT vocab.txt holds "
		"[UNK], [CLS] and [SEP])");
	refused("v4.txt", "", 65, "wordpiece: v4.txt: empty vocabulary");
	refused("v5.txt", "[UNK]\n[CLS]\n[SEP]\na\nb\n##a\nb\n", 65,
		"wordpiece: v5.txt:7: token 'b' given twice (first on line 5)");
	refused("v6.txt", "[UNK]\n\n[CLS]\n[SEP]\n", 65,
		"wordpiece: v6.txt:2: empty token (a vocab.txt has one token a line)");
	refused("v7.txt", "[UNK]\n[CLS]\n[SEP]\nnew york\n", 65,
		"wordpiece: v7.txt:4: token 'new york' holds white space (a vocab.txt has one "
		"token a line)");
	refused("v8.txt", "[UNK]\n[CLS]\n[SEP]\n\xc3\x28\n", 65,
		"wordpiece: v8.txt:4: not valid UTF-8 (byte 1)");
	refused("v9.txt", "[UNK]\n[CLS]\n[SEP]\nno\xc2\xa0" "break\n", 65,
		"wordpiece: v9.txt:4: token 'no\xc2\xa0" "break' holds white space (a vocab.txt has "
		"one token a line)");
	char err[512];
	CHECK_INT(check_child(child_load, "absent.txt", err, sizeof err), 1);
	CHECK_STR(err, "wordpiece: absent.txt: open: No such file or directory");
}

static void test_load(void)
{
	check_tmpdir();
	check_write_str("u.txt", "[PAD]\n[unused0]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\n##s\r\n");
	struct lmrec_wordpiece *wp = lmrec_wordpiece_load("u.txt", LMREC_WORDPIECE_DETECT);
	CHECK_INT(wp->lowercase, 1);
	CHECK_INT(wp->pad, 0);
	CHECK_INT(wp->unk, 2);
	CHECK_INT(wp->cls, 3);
	CHECK_INT(wp->sep, 4);
	CHECK_INT(wp->mask, 5);
	CHECK_U64(lmrec_wordpiece_size(wp), 8);
	CHECK_INT(lmrec_wordpiece_id(wp, "##s", 3), 7); /* the CR is not part of it */
	CHECK_U64(wp->longest, 3);                      /* not [unused0] */
	size_t len;
	CHECK_STR(lmrec_wordpiece_token(wp, 6, &len), "the");
	lmrec_wordpiece_free(wp);
	check_write_str("c.txt", "[UNK]\n[CLS]\n[SEP]\nThe\n");
	wp = lmrec_wordpiece_load("c.txt", LMREC_WORDPIECE_DETECT);
	CHECK_INT(wp->lowercase, 0);
	CHECK_INT(wp->pad, -1);
	CHECK_INT(wp->mask, -1);
	lmrec_wordpiece_free(wp);
	wp = lmrec_wordpiece_load("c.txt", 1);
	CHECK_INT(wp->lowercase, 1);
	lmrec_wordpiece_free(wp);
	/* a stray capital in 200 tokens leaves a vocabulary uncased; 2 in 100
	 * make it cased */
	for (int caps = 1; caps <= 2; caps++) {
		FILE *fp = fopen("t.txt", "w");
		fputs("[UNK]\n[CLS]\n[SEP]\n", fp);
		int n = caps == 1 ? 200 : 100;
		for (int i = 0; i < n; i++)
			fprintf(fp, i < caps ? "Ω%d\n" : "w%d\n", i);
		fclose(fp);
		wp = lmrec_wordpiece_load("t.txt", LMREC_WORDPIECE_DETECT);
		CHECK_INT(wp->lowercase, caps == 1);
		lmrec_wordpiece_free(wp);
	}
	lmrec_wordpiece_free(NULL);
}

/* The pieces of s as "tok tok ...", through encode. */
static char *pieces(const struct lmrec_wordpiece *wp, const char *s, size_t max_len,
		    const struct lmrec_pii *mask, struct lmrec_wordpiece_ws *ws)
{
	int32_t *ids = lmrec_xmalloc(max_len * sizeof *ids);
	size_t n = lmrec_wordpiece_encode(wp, s, strlen(s), max_len, ids, mask, ws);
	char *out = lmrec_xmalloc(n * 32 + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		size_t len;
		const char *t = lmrec_wordpiece_token(wp, ids[i], &len);
		o += (size_t)sprintf(out + o, "%s%s", i ? " " : "", t);
	}
	out[o] = '\0';
	free(ids);
	return out;
}

#define CHECK_PIECES(wp, s, max, mask, ws, want)                                                   \
	do {                                                                                       \
		char *got_ = pieces((wp), (s), (max), (mask), (ws));                               \
		CHECK_STR(got_, (want));                                                           \
		free(got_);                                                                        \
	} while (0)

static struct lmrec_wordpiece *small_vocab(void)
{
	check_tmpdir();
	check_write_str("v.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nun\n##aff\n##able\nunaff\n"
				 "play\n##ing\n##s\n,\n!\na\n##a\nb\n##b\ncafe\n北\nστο\n");
	return lmrec_wordpiece_load("v.txt", LMREC_WORDPIECE_DETECT);
}

static void test_encode(void)
{
	struct lmrec_wordpiece *wp = small_vocab();
	struct lmrec_wordpiece_ws ws = {0};
	/* the longest piece first: unaff then ##able, not un ##aff ##able */
	CHECK_PIECES(wp, "unaffable", 128, NULL, &ws, "[CLS] unaff ##able [SEP]");
	CHECK_PIECES(wp, "Playing, plays!", 128, NULL, &ws, "[CLS] play ##ing , play ##s ! [SEP]");
	CHECK_PIECES(wp, "playx", 128, NULL, &ws, "[CLS] [UNK] [SEP]");
	CHECK_PIECES(wp, "Café 北京", 128, NULL, &ws, "[CLS] cafe 北 [UNK] [SEP]");
	CHECK_PIECES(wp, "ΣΤΟ", 128, NULL, &ws, "[CLS] στο [SEP]");
	CHECK_PIECES(wp, "", 128, NULL, &ws, "[CLS] [SEP]");
	CHECK_U64(ws.pieces, 0);
	/* 100 characters are matched, 101 are [UNK] */
	char w[128];
	memset(w, 'a', 100);
	w[100] = '\0';
	char *got = pieces(wp, w, 200, NULL, &ws);
	CHECK_U64(ws.pieces, 100);
	CHECK(strncmp(got, "[CLS] a ##a ##a", 15) == 0);
	free(got);
	w[100] = 'b';
	w[101] = '\0';
	CHECK_PIECES(wp, w, 200, NULL, &ws, "[CLS] [UNK] [SEP]");
	/* truncation keeps [SEP] last */
	CHECK_PIECES(wp, "a b a b a", 4, NULL, &ws, "[CLS] a b [SEP]");
	CHECK_U64(ws.pieces, 5);
	CHECK_PIECES(wp, "a b a b a", 2, NULL, &ws, "[CLS] [SEP]");
	/* masks: one [UNK] each */
	struct lmrec_pii pii = {0};
	const char *s = "play bob@x.org, a";
	lmrec_pii_find(&pii, s, strlen(s));
	CHECK_PIECES(wp, s, 128, &pii, &ws, "[CLS] play [UNK] , a [SEP]");
	CHECK_U64(ws.masked, 1);
	lmrec_pii_free(&pii);
	lmrec_wordpiece_ws_free(&ws);
	lmrec_wordpiece_free(wp);
}

struct job {
	const struct lmrec_wordpiece *wp;
	const char *text;
	int32_t ids[64];
	size_t n;
	int rounds;
	int bad;
};

static void *encode_many(void *p)
{
	struct job *j = p;
	struct lmrec_wordpiece_ws ws = {0};
	for (int r = 0; r < j->rounds; r++) {
		int32_t ids[64];
		size_t n = lmrec_wordpiece_encode(j->wp, j->text, strlen(j->text), 64, ids, NULL, &ws);
		if (r == 0) {
			memcpy(j->ids, ids, n * sizeof *ids);
			j->n = n;
		} else if (n != j->n || memcmp(ids, j->ids, n * sizeof *ids) != 0) {
			j->bad++;
		}
	}
	lmrec_wordpiece_ws_free(&ws);
	return NULL;
}

static void test_threads(void)
{
	struct lmrec_wordpiece *wp = small_vocab();
	const char *texts[] = {"unaffable playing, plays!", "Café 北京 a b", "ΣΤΟ playx b a"};
	struct job jobs[3];
	pthread_t th[3];
	for (int k = 0; k < 3; k++) {
		jobs[k] = (struct job){.wp = wp, .text = texts[k], .rounds = 2000};
		CHECK(pthread_create(&th[k], NULL, encode_many, &jobs[k]) == 0);
	}
	for (int k = 0; k < 3; k++)
		pthread_join(th[k], NULL);
	struct lmrec_wordpiece_ws ws = {0};
	for (int k = 0; k < 3; k++) {
		CHECK_INT(jobs[k].bad, 0);
		int32_t ids[64];
		size_t n = lmrec_wordpiece_encode(wp, texts[k], strlen(texts[k]), 64, ids, NULL, &ws);
		CHECK_MEM(ids, n * sizeof *ids, jobs[k].ids, jobs[k].n * sizeof *ids);
	}
	lmrec_wordpiece_ws_free(&ws);
	lmrec_wordpiece_free(wp);
}

int main(void)
{
	lmrec_setprogname("wordpiece");
	CHECK_RUN(test_refusals);
	CHECK_RUN(test_load);
	CHECK_RUN(test_encode);
	CHECK_RUN(test_threads);
	return check_done();
}

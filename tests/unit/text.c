/* Unit tests of lib/text.c: the word tokenizer (tokens and their flags),
 * stop words, word and character n-grams, BERT's basic tokenizer, the text
 * of an item; and a property test on random bytes: no crash, no token
 * empty or with white space, every token valid UTF-8 in NFC. */
#include "check.h"
#include "pii.h"
#include "text.h"
#include "unicode.h"

/* The tokens of t as one string: "tok tok ..."; with marks, a token
 * flagged BREAK (but the first) is preceded by "| ". */
static char *joined(const struct lmrec_tokens *t, int marks)
{
	size_t cap = 16, n = 0;
	char *s = lmrec_xmalloc(cap);
	for (size_t i = 0; i < t->n; i++) {
		size_t len;
		const char *p = lmrec_tokens_get(t, i, &len);
		LMREC_GROW(s, cap, n + len + 4);
		if (i && marks && (t->flags[i] & LMREC_TOK_BREAK)) {
			memcpy(s + n, " | ", 3);
			n += 3;
		} else if (i) {
			s[n++] = ' ';
		}
		memcpy(s + n, p, len);
		n += len;
	}
	s[n] = '\0';
	return s;
}

/* The words of s with options o (English stop words when stop). */
static char *words(const struct lmrec_text_opts *o, int stop, const char *s, int marks)
{
	struct lmrec_text *t = lmrec_text_new(o);
	if (stop)
		lmrec_text_stop_english(t);
	struct lmrec_tokens out = {0};
	struct lmrec_pii pii = {0};
	lmrec_pii_find(&pii, s, strlen(s));
	lmrec_text_words(t, s, strlen(s), &pii, &out);
	char *r = joined(&out, marks);
	lmrec_tokens_free(&out);
	lmrec_pii_free(&pii);
	lmrec_text_free(t);
	return r;
}

#define CHECK_WORDS(o, stop, in, want)                                                             \
	do {                                                                                       \
		char *got_ = words((o), (stop), (in), 1);                                          \
		CHECK_STR(got_, (want));                                                           \
		free(got_);                                                                        \
	} while (0)

static void test_words(void)
{
	struct lmrec_text_opts o = {0};
	CHECK_WORDS(&o, 0, "", "");
	CHECK_WORDS(&o, 0, " \t\n ", "");
	CHECK_WORDS(&o, 0, "Crème Brûlée", "crème brûlée");
	CHECK_WORDS(&o, 0, "Cre\xcc\x80me", "crème");
	CHECK_WORDS(&o, 0, "ÉCOLE Straße ẞ İ", "école strasse ss i");
	CHECK_WORDS(&o, 0, "ΟΔΟΣ οδός", "οδοσ οδόσ");
	/* sentence ends break n-gram runs; a mask breaks on both sides */
	CHECK_WORDS(&o, 0, "one two. three; four\nfive", "one two | three | four | five");
	CHECK_WORDS(&o, 0, "mail a@b.org now", "mail | <email> | now");
	CHECK_WORDS(&o, 0, "3.5 x 1,000 y 1.2.3", "3.5 x 1,000 y 1.2.3");
	CHECK_WORDS(&o, 0, "Mei's it’s o'neill 'quoted' x's", "mei it o'neill quoted x");
	CHECK_WORDS(&o, 0, "北京欢迎 タワー", "北 京 欢 迎 タワー");
	CHECK_WORDS(&o, 0, "\xcc\x81\xcc\x82 a\xcc\x81", "á"); /* marks with nothing before */
	CHECK_WORDS(&o, 0, "soft\xc2\xadhyphen zero\xe2\x80\x8bwidth", "softhyphen zerowidth");
	o.strip_accents = 1;
	CHECK_WORDS(&o, 0, "Crème Brûlée Ærø", "creme brulee ærø");
	o.strip_accents = 0;
	o.keep_case = 1;
	CHECK_WORDS(&o, 0, "ÉCOLE Mei'S", "ÉCOLE Mei");
	o.keep_case = 0;
	o.keep_punct = 1;
	CHECK_WORDS(&o, 0, "a, b! c", "a , b ! | c");
	CHECK_WORDS(&o, 0, "🌶️ $5", "🌶️ $ 5");
	o.keep_punct = 0;
	o.numbers = LMREC_NUM_MASK;
	CHECK_WORDS(&o, 0, "42 apples 3.5", "<num> apples <num>");
	o.numbers = LMREC_NUM_DROP;
	CHECK_WORDS(&o, 0, "42 apples 3.5", "apples");
	o.numbers = LMREC_NUM_KEEP;
	CHECK_WORDS(&o, 1, "The cat is not on the mat", "cat not mat");

	/* flags */
	struct lmrec_text *t = lmrec_text_new(&o);
	struct lmrec_tokens out = {0};
	struct lmrec_pii pii = {0};
	const char *s = "x 42 bob@x.org";
	lmrec_pii_find(&pii, s, strlen(s));
	lmrec_text_words(t, s, strlen(s), &pii, &out);
	CHECK_U64(out.n, 3);
	CHECK_INT(out.flags[0], LMREC_TOK_BREAK);
	CHECK_INT(out.flags[1], LMREC_TOK_NUM);
	CHECK_INT(out.flags[2], LMREC_TOK_BREAK | LMREC_TOK_MASK);
	lmrec_pii_free(&pii);
	lmrec_tokens_free(&out);
	lmrec_text_free(t);
	lmrec_text_free(NULL);
}

static void test_stopwords(void)
{
	struct lmrec_text_opts o = {0};
	struct lmrec_text *t = lmrec_text_new(&o);
	CHECK_INT(lmrec_text_stop_add(t, "Été", strlen("Été")), 0);
	CHECK_INT(lmrec_text_stop_add(t, "  house  ", 9), 0);
	CHECK_INT(lmrec_text_stop_add(t, "new york", 8), -1);
	CHECK_INT(lmrec_text_stop_add(t, "...", 3), -1);
	CHECK_INT(lmrec_text_stop_add(t, "", 0), -1);
	CHECK_INT(lmrec_text_stop_add(t, "a@b.org", 7), -1); /* not masked: two words */
	CHECK_INT(lmrec_text_stop_add(t, "42", 2), 0);
	struct lmrec_tokens out = {0};
	const char *s = "été ÉTÉ ete House 42 420";
	lmrec_text_words(t, s, strlen(s), NULL, &out);
	char *j = joined(&out, 0);
	CHECK_STR(j, "ete 420");
	free(j);
	lmrec_tokens_free(&out);
	lmrec_text_free(t);
	/* the built-in list: sorted, each a word that the list itself drops */
	size_t n;
	const char *const *w = lmrec_text_english_stopwords(&n);
	CHECK_U64(n, 147);
	for (size_t i = 1; i < n; i++)
		CHECK(strcmp(w[i - 1], w[i]) < 0);
	for (size_t i = 0; i < n; i++)
		CHECK(strcmp(w[i], "not") != 0 && strcmp(w[i], "no") != 0);
	char *all = lmrec_xmalloc(8 * n * 2);
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(w[i]);
		memcpy(all + len, w[i], l);
		len += l;
		all[len++] = ' ';
	}
	all[len] = '\0';
	char *left = words(&o, 1, all, 0);
	CHECK_STR(left, "");
	free(left);
	free(all);
}

/* child: loads a stop-word file that dies */
static void child_stop_load(void *path)
{
	struct lmrec_text_opts o = {0};
	struct lmrec_text *t = check_keep(lmrec_text_new(&o));
	lmrec_text_stop_load(t, path);
}

static void test_stop_file(void)
{
	check_tmpdir();
	check_write_str("ok.txt", "# comment\n\nthe\r\nÉté\n");
	struct lmrec_text_opts o = {0};
	struct lmrec_text *t = lmrec_text_new(&o);
	lmrec_text_stop_load(t, "ok.txt");
	CHECK_U64(lmrec_ids_count(t->stop), 2);
	CHECK(lmrec_ids_find(t->stop, "été", strlen("été")) >= 0);
	lmrec_text_free(t);
	char err[512];
	check_write_str("bad.txt", "the\nsan francisco\n");
	CHECK_INT(check_child(child_stop_load, "bad.txt", err, sizeof err), 65);
	CHECK_STR(err, "text: bad.txt:2: 'san francisco' is not one word");
	CHECK_INT(check_child(child_stop_load, "absent.txt", err, sizeof err), 1);
	CHECK_STR(err, "text: absent.txt: open: No such file or directory");
}

static void test_ngrams(void)
{
	struct lmrec_tokens w = {0}, out = {0};
	lmrec_tokens_push(&w, "a", 1, LMREC_TOK_BREAK);
	lmrec_tokens_push(&w, "b", 1, 0);
	lmrec_tokens_push(&w, ",", 1, 0); /* punctuation: skipped, not a break */
	lmrec_tokens_push(&w, "c", 1, 0);
	lmrec_tokens_push(&w, "d", 1, LMREC_TOK_BREAK);
	lmrec_tokens_push(&w, "<email>", 7, LMREC_TOK_BREAK | LMREC_TOK_MASK);
	lmrec_tokens_push(&w, "e", 1, LMREC_TOK_BREAK);
	lmrec_tokens_push(&w, "f", 1, LMREC_TOK_NUM);
	lmrec_text_ngrams(&w, 3, &out);
	char *j = joined(&out, 0);
	CHECK_STR(j, "a_b b_c e_f a_b_c");
	free(j);
	lmrec_tokens_clear(&out);
	lmrec_text_ngrams(&w, 1, &out);
	CHECK_U64(out.n, 0);
	lmrec_tokens_free(&w);
	lmrec_tokens_free(&out);
}

static void test_char_ngrams(void)
{
	struct lmrec_tokens out = {0};
	lmrec_text_char_ngrams("where", 5, 3, 3, &out);
	char *j = joined(&out, 0);
	CHECK_STR(j, "<wh whe her ere re>"); /* fastText's paper example */
	free(j);
	lmrec_tokens_clear(&out);
	lmrec_text_char_ngrams("été", strlen("été"), 1, 2, &out);
	j = joined(&out, 0);
	CHECK_STR(j, "<é é ét t té é é>");
	free(j);
	lmrec_tokens_clear(&out);
	lmrec_text_char_ngrams("ab", 2, 4, 6, &out);
	j = joined(&out, 0);
	CHECK_STR(j, "<ab>");
	free(j);
	lmrec_tokens_clear(&out);
	lmrec_text_char_ngrams("abc", 3, 6, 9, &out);
	CHECK_U64(out.n, 0);
	lmrec_tokens_free(&out);
}

static char *bert(const char *s, int lower)
{
	struct lmrec_tokens out = {0};
	lmrec_text_bert(s, strlen(s), lower, NULL, &out);
	char *r = joined(&out, 0);
	lmrec_tokens_free(&out);
	return r;
}

#define CHECK_BERT(in, lower, want)                                                                \
	do {                                                                                       \
		char *got_ = bert((in), (lower));                                                  \
		CHECK_STR(got_, (want));                                                           \
		free(got_);                                                                        \
	} while (0)

static void test_bert(void)
{
	CHECK_BERT("Hello, World!", 1, "hello , world !");
	CHECK_BERT("Hello, World!", 0, "Hello , World !");
	CHECK_BERT("Crème Brûlée", 1, "creme brulee");
	CHECK_BERT("Crème Brûlée", 0, "Crème Brûlée");
	CHECK_BERT("ΟΔΟΣ ΣΑΣ. Σ", 1, "οδος σας . σ");
	CHECK_BERT("İstanbul", 1, "istanbul");
	CHECK_BERT("Straße", 1, "straße");
	CHECK_BERT("北京abc東", 1, "北 京 abc 東");
	CHECK_BERT("한국", 1, "\xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab\xe1\x84\x80\xe1\x85\xae\xe1\x86\xa8");
	CHECK_BERT("a\x07" "b\xe2\x80\x8d" "c\xef\xbf\xbd" "d", 1, "abcd");
	CHECK_BERT("a\xc2\xa0" "b\xe2\x80\xa8" "c\td", 1, "a b c d");
	CHECK_BERT("$5 + x=y ^_^ ~", 1, "$ 5 + x = y ^ _ ^ ~");
	CHECK_BERT("€5 ©", 1, "€5 ©"); /* symbols beyond ASCII are not split off */
	CHECK_BERT("don't", 1, "don ' t");
	CHECK_BERT("\xcc\x81", 1, ""); /* a lone mark goes with the accents */
	/* a mask is one token */
	struct lmrec_tokens out = {0};
	struct lmrec_pii pii = {0};
	const char *s = "Mail:bob@x.org!";
	lmrec_pii_find(&pii, s, strlen(s));
	lmrec_text_bert(s, strlen(s), 1, &pii, &out);
	char *j = joined(&out, 0);
	CHECK_STR(j, "mail : <email> !");
	free(j);
	CHECK_INT(out.flags[2], LMREC_TOK_MASK);
	lmrec_pii_free(&pii);
	lmrec_tokens_free(&out);
}

static void test_item_text(void)
{
	check_tmpdir();
	check_write_str("items.tsv", "item\ttitle\ttext\tattrs\n"
				     "a\tThe\\tTitle\t\tcuisine=thai;diet=gluten_free;x=a=b\n"
				     "b\t\tback\\\\slash\\nline\t\n");
	struct lmrec_tsv *r = lmrec_tsv_open("items.tsv");
	struct lmrec_text_fields f;
	lmrec_text_fields_open(&f, r, "--fields", "title,text,attrs");
	CHECK_U64(f.n, 3);
	CHECK(f.attrs[2] && !f.attrs[0]);
	char *buf = NULL;
	size_t cap = 0, len;
	CHECK(lmrec_tsv_read(r));
	len = lmrec_text_item(&f, r, &buf, &cap);
	CHECK_MEM(buf, len, "The\tTitle\nthai, gluten free, a=b", strlen("The\tTitle\nthai, gluten free, a=b"));
	CHECK(lmrec_tsv_read(r));
	len = lmrec_text_item(&f, r, &buf, &cap);
	CHECK_MEM(buf, len, "back\\slash\nline", strlen("back\\slash\nline"));
	free(buf);
	lmrec_text_fields_free(&f);
	lmrec_tsv_close(r);
}

/* Is p[0..len) one valid UTF-8 token without white space, in NFC? */
static int good_token(const char *p, size_t len, struct lmrec_ucs *u, struct lmrec_ucs *v)
{
	if (len == 0 || !lmrec_utf8_valid(p, len, NULL))
		return 0;
	lmrec_ucs_clear(u);
	lmrec_ucs_from_utf8(u, p, len);
	for (size_t i = 0; i < u->n; i++) {
		enum lmrec_uc_class k = lmrec_uc_class(u->cp[i]);
		if (k == LMREC_UC_SPACE || k == LMREC_UC_LINESEP || k == LMREC_UC_CONTROL ||
		    k == LMREC_UC_FORMAT || u->cp[i] == 0xFFFD)
			return 0;
	}
	lmrec_ucs_clear(v);
	lmrec_ucs_append_nfd(v, u->cp, u->n);
	v->n = lmrec_ucs_compose(v->cp, v->n);
	return v->n == u->n && memcmp(v->cp, u->cp, u->n * sizeof *u->cp) == 0;
}

static void test_random_bytes(void)
{
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 7);
	/* pieces that exercise every path, glued with random bytes */
	static const char *const pieces[] = {"a", "É", "\xcc\x81", " ", "\t", "\n", ".", "'",
					     "’", "3", ",", "北", "한", "🌶", "\xef\xb8\x8f", "@",
					     "x.org", "http://", "+1 555", "\xff", "\xe2\x82", "Σ",
					     "ß", "\xc2\xad", "_", "$", "<", "\\"};
	struct lmrec_text_opts opts[4] = {{0}, {1, 1, 1, LMREC_NUM_MASK}, {0, 1, 0, LMREC_NUM_DROP},
					  {1, 0, 1, LMREC_NUM_KEEP}};
	struct lmrec_text *t[4];
	for (int k = 0; k < 4; k++) {
		t[k] = lmrec_text_new(&opts[k]);
		lmrec_text_stop_english(t[k]);
	}
	struct lmrec_tokens out = {0}, ng = {0};
	struct lmrec_pii pii = {0};
	struct lmrec_ucs u = {0}, v = {0};
	size_t bad = 0, tokens = 0;
	for (int round = 0; round < 3000; round++) {
		size_t n = (size_t)lmrec_rng_below(&rng, 40), len = 0;
		char *s = lmrec_xmalloc(n * 8 + 1);
		for (size_t i = 0; i < n; i++) {
			if (lmrec_rng_below(&rng, 4) == 0) {
				s[len++] = (char)lmrec_rng_below(&rng, 256);
				continue;
			}
			const char *p = pieces[lmrec_rng_below(&rng, sizeof pieces / sizeof *pieces)];
			snprintf(s + len, n * 8 + 1 - len, "%s", p); /* never cut: a piece is <= 8 bytes */
			len += strlen(p);
		}
		/* an exact allocation, so a read past the end is seen */
		char *exact = lmrec_xmalloc(len ? len : 1);
		memcpy(exact, s, len);
		free(s);
		lmrec_pii_find(&pii, exact, len);
		for (size_t k = 1; k < pii.n; k++)
			bad += pii.span[k].off < pii.span[k - 1].off + pii.span[k - 1].len;
		for (int k = 0; k < 4; k++) {
			lmrec_tokens_clear(&out);
			lmrec_text_words(t[k], exact, len, k & 1 ? &pii : NULL, &out);
			for (size_t i = 0; i < out.n; i++)
				bad += !good_token(out.buf + out.off[i], out.len[i], &u, &v);
			tokens += out.n;
			lmrec_tokens_clear(&ng);
			lmrec_text_ngrams(&out, 3, &ng);
			for (size_t i = 0; i < ng.n; i++)
				bad += !good_token(ng.buf + ng.off[i], ng.len[i], &u, &v);
			lmrec_tokens_clear(&out);
			lmrec_text_bert(exact, len, k & 1, k & 2 ? &pii : NULL, &out);
			for (size_t i = 0; i < out.n; i++) {
				/* BERT's tokens are not NFC when cased: check the rest */
				const char *p = out.buf + out.off[i];
				bad += out.len[i] == 0 || !lmrec_utf8_valid(p, out.len[i], NULL) ||
				       memchr(p, ' ', out.len[i]) || memchr(p, '\t', out.len[i]) ||
				       memchr(p, '\n', out.len[i]);
			}
		}
		free(exact);
	}
	printf("# %zu word tokens checked\n", tokens);
	CHECK_U64(bad, 0);
	for (int k = 0; k < 4; k++)
		lmrec_text_free(t[k]);
	lmrec_tokens_free(&out);
	lmrec_tokens_free(&ng);
	lmrec_pii_free(&pii);
	lmrec_ucs_free(&u);
	lmrec_ucs_free(&v);
}

static void test_many_tokens(void)
{
	struct lmrec_tokens t = {0};
	char buf[32];
	for (int i = 0; i < 100000; i++) {
		int n = snprintf(buf, sizeof buf, "t%d", i);
		lmrec_tokens_push(&t, buf, (size_t)n, (unsigned)(i & 7));
	}
	size_t bad = 0;
	for (int i = 0; i < 100000; i++) {
		size_t len;
		const char *p = lmrec_tokens_get(&t, (size_t)i, &len);
		int n = snprintf(buf, sizeof buf, "t%d", i);
		bad += len != (size_t)n || memcmp(p, buf, len) != 0 || p[len] != '\0' ||
		       t.flags[i] != (i & 7);
	}
	CHECK_U64(bad, 0);
	lmrec_tokens_clear(&t);
	CHECK_U64(t.n, 0);
	lmrec_tokens_free(&t);
}

int main(void)
{
	lmrec_setprogname("text");
	CHECK_RUN(test_words);
	CHECK_RUN(test_stopwords);
	CHECK_RUN(test_stop_file);
	CHECK_RUN(test_ngrams);
	CHECK_RUN(test_char_ngrams);
	CHECK_RUN(test_bert);
	CHECK_RUN(test_item_text);
	CHECK_RUN(test_random_bytes);
	CHECK_RUN(test_many_tokens);
	return check_done();
}

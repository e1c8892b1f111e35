/* lmrec — item text to tokens (see text.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "tsv.h"
#include "util.h"

#define NOWHERE SIZE_MAX

/* ---- token lists ---- */

void lmrec_tokens_free(struct lmrec_tokens *t)
{
	free(t->buf);
	free(t->off);
	free(t->len);
	free(t->flags);
	free(t->tmp);
	lmrec_ucs_free(&t->u1);
	lmrec_ucs_free(&t->u2);
	lmrec_ucs_free(&t->u3);
	memset(t, 0, sizeof *t);
}

void lmrec_tokens_push(struct lmrec_tokens *t, const char *p, size_t len, unsigned flags)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		t->off = lmrec_xreallocarray(t->off, cap, sizeof *t->off);
		t->len = lmrec_xreallocarray(t->len, cap, sizeof *t->len);
		t->flags = lmrec_xreallocarray(t->flags, cap, sizeof *t->flags);
		t->cap = cap;
	}
	if (t->bufcap - t->used < len + 1)
		LMREC_GROW(t->buf, t->bufcap, t->used + len + 1);
	memcpy(t->buf + t->used, p, len);
	t->buf[t->used + len] = '\0';
	t->off[t->n] = t->used;
	t->len[t->n] = len;
	t->flags[t->n] = (unsigned char)flags;
	t->n++;
	t->used += len + 1;
}

/* The UTF-8 of cp[0..n) in t->tmp; returns its length. */
static size_t encode_tmp(struct lmrec_tokens *t, const uint32_t *cp, size_t n)
{
	if (t->tmpcap < 4 * n + 1)
		LMREC_GROW(t->tmp, t->tmpcap, 4 * n + 1);
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		if (cp[i] < 0x80)
			t->tmp[len++] = (char)cp[i];
		else
			len += lmrec_uc_encode(cp[i], t->tmp + len);
	}
	t->tmp[len] = '\0';
	return len;
}

/* ---- normalisation ---- */

static enum lmrec_uc_class cls(uint32_t c) { return lmrec_uc_class(c); }

static int is_space_like(uint32_t c, enum lmrec_uc_class k)
{
	return c == '\t' || c == '\n' || c == '\r' || k == LMREC_UC_SPACE || k == LMREC_UC_LINESEP;
}

/* Step 1: decodes s into u, dropping what BERT's _clean_text drops; white
 * space becomes ' ', a line or paragraph end '\n'. */
static void decode_clean(struct lmrec_ucs *u, const char *s, size_t len)
{
	lmrec_ucs_clear(u);
	lmrec_ucs_from_utf8(u, s, len);
	size_t o = 0;
	for (size_t i = 0; i < u->n; i++) {
		uint32_t c = u->cp[i];
		if (c == 0 || c == LMREC_UC_REPLACEMENT)
			continue;
		enum lmrec_uc_class k = cls(c);
		if (is_space_like(c, k))
			u->cp[o++] = c == '\n' || c == 0x2029 || c == 0x2028 ? '\n' : ' ';
		else if (k != LMREC_UC_CONTROL && k != LMREC_UC_FORMAT)
			u->cp[o++] = c;
	}
	u->n = o;
}

/* Steps 2 to 5 of text.h on a (cleaned), using b as scratch; the result
 * is left in *a. */
static void normalise(const struct lmrec_text_opts *o, struct lmrec_ucs *a, struct lmrec_ucs *b)
{
	/* pure ASCII needs only the case folding */
	int ascii = 1;
	for (size_t i = 0; i < a->n && ascii; i++)
		ascii = a->cp[i] < 0x80;
	if (ascii) {
		if (!o->keep_case)
			for (size_t i = 0; i < a->n; i++)
				if (a->cp[i] >= 'A' && a->cp[i] <= 'Z')
					a->cp[i] += 32;
		return;
	}
	lmrec_ucs_clear(b);
	lmrec_ucs_append_nfd(b, a->cp, a->n);
	struct lmrec_ucs *cur = b, *other = a;
	if (!o->keep_case) {
		lmrec_ucs_clear(other);
		for (size_t i = 0; i < cur->n; i++) {
			uint32_t f[LMREC_UC_FOLD_MAX];
			/* the dot above of İ (I + U+0307 once decomposed) is the
			 * dot of i: folded, it is dropped (Turkic folding) */
			if (cur->cp[i] == 0x307 && other->n &&
			    (other->cp[other->n - 1] == 'i' || other->cp[other->n - 1] == 'j'))
				continue;
			size_t nf = lmrec_uc_fold(cur->cp[i], f);
			/* a folding may give a character that decomposes */
			lmrec_ucs_append_nfd(other, f, nf);
		}
		struct lmrec_ucs *x = cur;
		cur = other;
		other = x;
	}
	if (o->strip_accents) {
		size_t n = 0;
		for (size_t i = 0; i < cur->n; i++)
			if (cur->cp[i] < 0x300 || cls(cur->cp[i]) != LMREC_UC_MARK)
				cur->cp[n++] = cur->cp[i];
		cur->n = n;
	}
	cur->n = lmrec_ucs_compose(cur->cp, cur->n);
	if (cur != a) { /* hand the result back in a */
		struct lmrec_ucs x = *a;
		*a = *cur;
		*cur = x;
	}
}

/* ---- the word tokenizer ---- */

static int is_word_class(enum lmrec_uc_class k)
{
	return k == LMREC_UC_LETTER || k == LMREC_UC_DIGIT || k == LMREC_UC_NUMBER ||
	       k == LMREC_UC_MARK || k == LMREC_UC_MARK_SPACING;
}
static int is_mark_class(enum lmrec_uc_class k)
{
	return k == LMREC_UC_MARK || k == LMREC_UC_MARK_SPACING;
}

static int is_sentence_end(uint32_t c)
{
	switch (c) {
	case '\n': case '.': case '!': case '?': case ';': case ':':
	case 0x2026: /* … */
	case 0x3002: case 0xFF01: case 0xFF1F: case 0xFF0E: case 0xFF1B: case 0xFF1A: /* CJK */
	case 0x061F: case 0x06D4: /* Arabic ? and full stop */
	case 0x0964: case 0x0965: /* danda */
	case 0x037E: /* Greek question mark (NFD makes it ';') */
		return 1;
	default:
		return 0;
	}
}

/* State of one run of the word tokenizer over a text. */
struct wstate {
	const struct lmrec_text *t;
	struct lmrec_tokens *out;
	int apply;   /* stop words and number handling (off to normalise a stop word) */
	int brk;     /* the next token starts a new n-gram run */
	size_t emitted;
};

static void emit(struct wstate *w, const char *p, size_t len, unsigned flags)
{
	if (w->brk)
		flags |= LMREC_TOK_BREAK;
	w->brk = 0;
	lmrec_tokens_push(w->out, p, len, flags);
	w->emitted++;
}

/* Is the word cp[0..n) in the stop list? */
static int is_stop(struct wstate *w, const uint32_t *cp, size_t n, const char *utf8, size_t len)
{
	const struct lmrec_text *t = w->t;
	if (!t->stop)
		return 0;
	if (!t->o.keep_case)
		return lmrec_ids_find(t->stop, utf8, len) >= 0;
	/* compare case-folded: fold, NFC, into a second buffer */
	struct lmrec_ucs *u = &w->out->u2;
	lmrec_ucs_clear(u);
	for (size_t i = 0; i < n; i++) {
		uint32_t f[LMREC_UC_FOLD_MAX];
		size_t nf = lmrec_uc_fold(cp[i], f);
		lmrec_ucs_append_nfd(u, f, nf);
	}
	u->n = lmrec_ucs_compose(u->cp, u->n);
	char stackbuf[256];
	size_t need = 4 * u->n + 1;
	char *buf = need <= sizeof stackbuf ? stackbuf : lmrec_xmalloc(need);
	size_t bl = 0;
	for (size_t i = 0; i < u->n; i++)
		bl += lmrec_uc_encode(u->cp[i], buf + bl);
	int found = lmrec_ids_find(t->stop, buf, bl) >= 0;
	if (buf != stackbuf)
		free(buf);
	return found;
}

static void flush_word(struct wstate *w, uint32_t *cp, size_t n)
{
	if (n == 0)
		return;
	const struct lmrec_text_opts *o = &w->t->o;
	/* the possessive "'s" */
	if (n > 2 && cp[n - 2] == '\'' && (cp[n - 1] == 's' || (o->keep_case && cp[n - 1] == 'S')))
		n -= 2;
	int num = 1;
	for (size_t i = 0; i < n && num; i++)
		num = cp[i] == '.' || cp[i] == ',' || cls(cp[i]) == LMREC_UC_DIGIT;
	size_t len = encode_tmp(w->out, cp, n);
	if (w->apply) {
		if (is_stop(w, cp, n, w->out->tmp, len))
			return;
		if (num && o->numbers == LMREC_NUM_DROP)
			return;
		if (num && o->numbers == LMREC_NUM_MASK) {
			emit(w, "<num>", 5, LMREC_TOK_NUM);
			return;
		}
	}
	/* tmp is the tokens' scratch: copy through push, which does not use it */
	emit(w, w->out->tmp, len, num ? LMREC_TOK_NUM : 0);
}

/* The last character of cp[ws..i) that is not a mark. */
static uint32_t last_base(const uint32_t *cp, size_t ws, size_t i)
{
	while (i > ws) {
		i--;
		if (!is_mark_class(cls(cp[i])))
			return cp[i];
	}
	return 0;
}

/* Emits cp[i] and the marks that follow it as one token, a word (a CJK
 * ideograph) or not (punctuation); returns the index of the last code
 * point taken. */
static size_t emit_char(struct wstate *w, uint32_t *cp, size_t n, size_t i, int word)
{
	size_t e = i + 1;
	while (e < n && is_mark_class(cls(cp[e])))
		e++;
	if (word) {
		flush_word(w, cp + i, e - i);
	} else {
		size_t len = encode_tmp(w->out, cp + i, e - i);
		emit(w, w->out->tmp, len, 0);
	}
	return e - 1;
}

/* Words of the (cleaned, normalised) code points of a. */
static void segment(struct wstate *w, struct lmrec_ucs *a)
{
	uint32_t *cp = a->cp;
	size_t n = a->n;
	size_t ws = NOWHERE; /* start of the word being read */
	for (size_t i = 0; i < n; i++) {
		uint32_t c = cp[i];
		enum lmrec_uc_class k = cls(c);
		int cjk = c >= 0x3400 && lmrec_uc_is_cjk(c);
		if (is_word_class(k) && !cjk) {
			/* a mark belongs to the word it follows, or goes */
			if (ws == NOWHERE && !is_mark_class(k))
				ws = i;
			continue;
		}
		/* joiners inside a word */
		if (ws != NOWHERE && i + 1 < n) {
			uint32_t prev = last_base(cp, ws, i), next = cp[i + 1];
			enum lmrec_uc_class pk = cls(prev), nk = cls(next);
			if ((c == '\'' || c == 0x2019 || c == 0xB7) && pk == LMREC_UC_LETTER &&
			    nk == LMREC_UC_LETTER && !lmrec_uc_is_cjk(prev) && !lmrec_uc_is_cjk(next)) {
				cp[i] = c == 0x2019 ? '\'' : c;
				continue;
			}
			if ((c == '.' || c == ',') && pk == LMREC_UC_DIGIT && nk == LMREC_UC_DIGIT)
				continue;
		}
		if (ws != NOWHERE) {
			flush_word(w, cp + ws, i - ws);
			ws = NOWHERE;
		}
		if (cjk) {
			i = emit_char(w, cp, n, i, 1);
			continue;
		}
		int ends = is_sentence_end(c);
		if (w->t->o.keep_punct && (k == LMREC_UC_PUNCT || k == LMREC_UC_SYMBOL))
			i = emit_char(w, cp, n, i, 0);
		if (ends)
			w->brk = 1;
	}
	if (ws != NOWHERE)
		flush_word(w, cp + ws, n - ws);
}

/* Runs the word tokenizer over s[0..len) with masks. */
static void words_run(struct wstate *w, const char *s, size_t len, const struct lmrec_pii *mask)
{
	struct lmrec_tokens *out = w->out;
	const struct lmrec_text_opts *o = &w->t->o;
	size_t at = 0, k = 0, nspans = mask ? mask->n : 0;
	for (;;) {
		size_t end = k < nspans ? mask->span[k].off : len;
		if (end > at) {
			decode_clean(&out->u1, s + at, end - at);
			normalise(o, &out->u1, &out->u2);
			segment(w, &out->u1);
		}
		if (k == nspans)
			break;
		const char *tok = lmrec_pii_token(mask->span[k].kind);
		w->brk = 1;
		emit(w, tok, strlen(tok), LMREC_TOK_MASK);
		w->brk = 1;
		at = mask->span[k].off + mask->span[k].len;
		k++;
	}
}

void lmrec_text_words(const struct lmrec_text *t, const char *s, size_t len,
		      const struct lmrec_pii *mask, struct lmrec_tokens *out)
{
	struct wstate w = {t, out, 1, 1, 0};
	words_run(&w, s, len, mask);
}

/* ---- stop words ---- */

/* Function words of English: articles, pronouns, auxiliaries, prepositions,
 * conjunctions and a few adverbs. Negations (no, not, nor, never, the n't
 * forms) are left out on purpose: "not spicy" must not read as "spicy". */
static const char *const english[] = {
	"a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and",
	"any", "are", "as", "at", "be", "because", "been", "before", "being", "below",
	"between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down",
	"during", "each", "either", "few", "for", "from", "further", "had", "has", "have",
	"having", "he", "he'd", "he'll", "her", "here", "hers", "herself", "him", "himself",
	"his", "how", "i", "i'd", "i'll", "i'm", "i've", "if", "in", "into", "is", "it", "its",
	"itself", "just", "me", "more", "most", "my", "myself", "now", "of", "off", "on",
	"once", "only", "or", "other", "ought", "our", "ours", "ourselves", "out", "over",
	"own", "same", "she", "she'd", "she'll", "should", "so", "some", "such", "than", "that",
	"the", "their", "theirs", "them", "themselves", "then", "there", "these", "they",
	"they'd", "they'll", "they're", "they've", "this", "those", "through", "to", "too",
	"under", "until", "up", "upon", "very", "was", "we", "we'd", "we'll", "we're", "we've",
	"were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with",
	"would", "you", "you'd", "you'll", "you're", "you've", "your", "yours", "yourself",
	"yourselves",
};

const char *const *lmrec_text_english_stopwords(size_t *n)
{
	*n = sizeof english / sizeof english[0];
	return english;
}

struct lmrec_text *lmrec_text_new(const struct lmrec_text_opts *o)
{
	struct lmrec_text *t = lmrec_xcalloc(1, sizeof *t);
	t->o = *o;
	return t;
}

void lmrec_text_free(struct lmrec_text *t)
{
	if (!t)
		return;
	lmrec_ids_free(t->stop);
	lmrec_tokens_free(&t->tmp);
	free(t);
}

int lmrec_text_stop_add(struct lmrec_text *t, const char *w, size_t len)
{
	/* the word as the tokenizer makes it, case-folded even with keep_case */
	struct lmrec_text_opts o = t->o;
	o.keep_case = 0;
	o.numbers = LMREC_NUM_KEEP;
	struct lmrec_text norm = {o, NULL, {0}};
	struct wstate ws = {&norm, &t->tmp, 0, 1, 0};
	lmrec_tokens_clear(&t->tmp);
	words_run(&ws, w, len, NULL);
	if (t->tmp.n != 1 || (t->tmp.flags[0] & ~(unsigned)(LMREC_TOK_BREAK | LMREC_TOK_NUM)))
		return -1;
	if (!t->stop)
		t->stop = lmrec_ids_new();
	size_t l;
	const char *p = lmrec_tokens_get(&t->tmp, 0, &l);
	lmrec_ids_intern(t->stop, p, l);
	return 0;
}

void lmrec_text_stop_english(struct lmrec_text *t)
{
	for (size_t i = 0; i < sizeof english / sizeof english[0]; i++)
		if (lmrec_text_stop_add(t, english[i], strlen(english[i])) != 0)
			lmrec_die(LMREC_EXIT_FAIL, "built-in stop word '%s' is not one word", english[i]);
}

void lmrec_text_stop_load(struct lmrec_text *t, const char *path)
{
	struct lmrec_tsv *r = lmrec_tsv_open_with(path,
						  LMREC_TSV_NOHEADER | LMREC_TSV_RAW | LMREC_TSV_CRLF |
							  LMREC_TSV_RAGGED,
						  "\t");
	if (!t->stop)
		t->stop = lmrec_ids_new();
	while (lmrec_tsv_read(r)) {
		const char *p = r->line;
		size_t len = r->linelen;
		if (len == 0 || p[0] == '#')
			continue;
		if (lmrec_text_stop_add(t, p, len) != 0)
			lmrec_tsv_die_line(r, "'%.*s' is not one word", (int)(len > 100 ? 100 : len), p);
	}
	lmrec_tsv_close(r);
}

/* ---- n-grams ---- */

void lmrec_text_ngrams(const struct lmrec_tokens *w, size_t n, struct lmrec_tokens *out)
{
	/* eligible tokens: words and numbers; masks and punctuation are not,
	 * and a break on any token cuts the run */
	size_t *idx = lmrec_xmalloc((w->n + 1) * sizeof *idx);
	size_t *run = lmrec_xmalloc((w->n + 1) * sizeof *run); /* run number of idx[j] */
	size_t m = 0, r = 0;
	for (size_t i = 0; i < w->n; i++) {
		unsigned f = w->flags[i];
		if (f & LMREC_TOK_BREAK)
			r++;
		if (f & LMREC_TOK_MASK) {
			r++;
			continue;
		}
		/* punctuation tokens: one character of class P or S */
		size_t k = 0;
		uint32_t c = lmrec_uc_decode(w->buf + w->off[i], w->len[i], &k);
		enum lmrec_uc_class cl = lmrec_uc_class(c);
		if (cl == LMREC_UC_PUNCT || cl == LMREC_UC_SYMBOL)
			continue;
		idx[m] = i;
		run[m] = r;
		m++;
	}
	char *buf = NULL;
	size_t cap = 0;
	for (size_t size = 2; size <= n; size++)
		for (size_t j = 0; j + size <= m; j++) {
			if (run[j] != run[j + size - 1])
				continue;
			size_t len = 0;
			for (size_t q = 0; q < size; q++) {
				size_t ti = idx[j + q];
				LMREC_GROW(buf, cap, len + w->len[ti] + 1);
				if (q)
					buf[len++] = '_';
				memcpy(buf + len, w->buf + w->off[ti], w->len[ti]);
				len += w->len[ti];
			}
			lmrec_tokens_push(out, buf, len, 0);
		}
	free(buf);
	free(idx);
	free(run);
}

void lmrec_text_char_ngrams(const char *w, size_t len, size_t minn, size_t maxn,
			    struct lmrec_tokens *out)
{
	/* byte offsets of the code points of "<" w ">" */
	size_t total = len + 2;
	char *s = lmrec_xmalloc(total + 1);
	s[0] = '<';
	memcpy(s + 1, w, len);
	s[len + 1] = '>';
	s[total] = '\0';
	size_t *at = lmrec_xmalloc((total + 1) * sizeof *at);
	size_t n = 0;
	for (size_t i = 0; i < total;) {
		at[n++] = i;
		lmrec_uc_decode(s, total, &i);
	}
	at[n] = total;
	for (size_t i = 0; i < n; i++)
		for (size_t k = minn; k <= maxn && i + k <= n; k++) {
			if (k == 1 && (i == 0 || i == n - 1))
				continue;
			lmrec_tokens_push(out, s + at[i], at[i + k] - at[i], 0);
		}
	free(at);
	free(s);
}

/* ---- BERT's basic tokenizer ---- */

static int bert_punct(uint32_t c)
{
	if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) ||
	    (c >= 123 && c <= 126))
		return 1;
	return cls(c) == LMREC_UC_PUNCT;
}

/* Final_Sigma (Unicode table 3-17) for the capital sigma at i of cp[0..n):
 * a cased letter before it (case-ignorable ones skipped) and none after. */
static int final_sigma(const uint32_t *cp, size_t n, size_t i)
{
	size_t j = i;
	unsigned p = 0;
	while (j > 0) {
		p = lmrec_uc_props(cp[--j]);
		if (!(p & LMREC_UC_CASE_IGNORABLE))
			break;
		p = 0;
	}
	if (!(p & LMREC_UC_CASED))
		return 0;
	for (j = i + 1; j < n; j++) {
		p = lmrec_uc_props(cp[j]);
		if (!(p & LMREC_UC_CASE_IGNORABLE))
			return !(p & LMREC_UC_CASED);
	}
	return 1;
}

/* One whitespace token cp[0..n): lower-cased and stripped if asked, then
 * split on punctuation. */
static void bert_token(const uint32_t *cp, size_t n, int lowercase, struct lmrec_tokens *out)
{
	const uint32_t *t = cp;
	struct lmrec_ucs *b = &out->u2;
	if (lowercase) {
		lmrec_ucs_clear(b);
		int ascii = 1;
		for (size_t i = 0; i < n && ascii; i++)
			ascii = cp[i] < 0x80;
		if (ascii) {
			for (size_t i = 0; i < n; i++)
				lmrec_ucs_push(b, cp[i] >= 'A' && cp[i] <= 'Z' ? cp[i] + 32 : cp[i]);
		} else {
			/* str.lower(), then NFD and no Mn */
			struct lmrec_ucs *low = &out->u3;
			lmrec_ucs_clear(low);
			for (size_t i = 0; i < n; i++) {
				uint32_t c = cp[i];
				if (c == 0x3A3) {
					lmrec_ucs_push(low, final_sigma(cp, n, i) ? 0x3C2 : 0x3C3);
				} else if (c == 0x130) {
					lmrec_ucs_push(low, 'i');
					lmrec_ucs_push(low, 0x307);
				} else {
					lmrec_ucs_push(low, lmrec_uc_lower(c));
				}
			}
			lmrec_ucs_append_nfd(b, low->cp, low->n);
			size_t m = 0;
			for (size_t i = 0; i < b->n; i++)
				if (b->cp[i] < 0x300 || cls(b->cp[i]) != LMREC_UC_MARK)
					b->cp[m++] = b->cp[i];
			b->n = m;
		}
		t = b->cp;
		n = b->n;
	}
	size_t s = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && !bert_punct(t[i]))
			continue;
		if (i > s) {
			size_t len = encode_tmp(out, t + s, i - s);
			lmrec_tokens_push(out, out->tmp, len, 0);
		}
		if (i < n) {
			size_t len = encode_tmp(out, t + i, 1);
			lmrec_tokens_push(out, out->tmp, len, 0);
		}
		s = i + 1;
	}
}

static void bert_segment(const char *s, size_t len, int lowercase, struct lmrec_tokens *out)
{
	struct lmrec_ucs *a = &out->u1;
	decode_clean(a, s, len);
	size_t ts = NOWHERE;
	for (size_t i = 0; i <= a->n; i++) {
		uint32_t c = i < a->n ? a->cp[i] : ' ';
		int space = c == ' ' || c == '\n';
		int cjk = !space && lmrec_uc_is_cjk(c);
		if (!space && !cjk) {
			if (ts == NOWHERE)
				ts = i;
			continue;
		}
		if (ts != NOWHERE) {
			bert_token(a->cp + ts, i - ts, lowercase, out);
			ts = NOWHERE;
		}
		if (cjk)
			bert_token(a->cp + i, 1, lowercase, out);
	}
}

void lmrec_text_bert(const char *s, size_t len, int lowercase, const struct lmrec_pii *mask,
		     struct lmrec_tokens *out)
{
	size_t at = 0, k = 0, nspans = mask ? mask->n : 0;
	for (;;) {
		size_t end = k < nspans ? mask->span[k].off : len;
		if (end > at)
			bert_segment(s + at, end - at, lowercase, out);
		if (k == nspans)
			break;
		const char *tok = lmrec_pii_token(mask->span[k].kind);
		lmrec_tokens_push(out, tok, strlen(tok), LMREC_TOK_MASK);
		at = mask->span[k].off + mask->span[k].len;
		k++;
	}
}

/* ---- the text of an item ---- */

void lmrec_text_fields_open(struct lmrec_text_fields *f, const struct lmrec_tsv *r,
			    const char *opt, const char *list)
{
	memset(f, 0, sizeof *f);
	size_t cap = 0, acap = 0;
	const char *p = list;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == 0)
			lmrec_usage_error("invalid value for %s: '%s' (an empty column name)", opt, list);
		char *name = lmrec_xstrndup(p, len);
		size_t col = lmrec_tsv_col(r, name);
		for (size_t k = 0; k < f->n; k++)
			if (f->col[k] == col)
				lmrec_usage_error("invalid value for %s: '%s' names '%s' twice", opt,
						  list, name);
		LMREC_GROW(f->col, cap, f->n + 1);
		LMREC_GROW(f->attrs, acap, f->n + 1);
		f->col[f->n] = col;
		f->attrs[f->n] = strcmp(name, "attrs") == 0;
		f->n++;
		free(name);
		if (!comma)
			break;
		p = comma + 1;
	}
}

void lmrec_text_fields_free(struct lmrec_text_fields *f)
{
	free(f->col);
	free(f->attrs);
	memset(f, 0, sizeof *f);
}

/* The values of an attrs field (decoded) into dst; returns the length.
 * dst has room for 2 * len bytes. */
static size_t attrs_values(char *dst, const char *p, size_t len)
{
	size_t o = 0, i = 0;
	while (i < len) {
		const char *semi = memchr(p + i, ';', len - i);
		size_t end = semi ? (size_t)(semi - p) : len;
		const char *eq = memchr(p + i, '=', end - i);
		size_t v = eq ? (size_t)(eq - p) + 1 : i;
		if (end > v) {
			if (o) {
				dst[o++] = ',';
				dst[o++] = ' ';
			}
			for (size_t k = v; k < end; k++)
				dst[o++] = (char)(p[k] == '_' ? ' ' : p[k]);
		}
		i = end + 1;
	}
	return o;
}

size_t lmrec_text_item(const struct lmrec_text_fields *f, const struct lmrec_tsv *r, char **buf,
		       size_t *cap)
{
	size_t len = 0;
	for (size_t k = 0; k < f->n; k++) {
		struct lmrec_field fd = lmrec_tsv_field(r, f->col[k]);
		if (fd.len == 0)
			continue;
		/* the separator, the decoded field, its attrs rendering */
		LMREC_GROW(*buf, *cap, len + 1 + 3 * fd.len + 1);
		if (len)
			(*buf)[len++] = '\n';
		if (!f->attrs[k]) {
			len += lmrec_tsv_unescape(*buf + len, fd.p, fd.len);
			continue;
		}
		/* decode into the space after, then render in place */
		char *tmp = *buf + len + 2 * fd.len;
		size_t dl = lmrec_tsv_unescape(tmp, fd.p, fd.len);
		len += attrs_values(*buf + len, tmp, dl);
	}
	return len;
}

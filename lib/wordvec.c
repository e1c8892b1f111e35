/* lmrec — pretrained word vectors: text and word2vec binary (see wordvec.h). */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gzin.h"
#include "tsv.h"
#include "util.h"
#include "wordvec.h"

#define MAX_WORD 65536 /* a binary "word" longer than this is not one */

/* A growable byte buffer for escaped words. */
struct wbuf {
	char *p;
	size_t len, cap;
};

static void escape_word(struct wbuf *b, const char *s, size_t n)
{
	b->len = 0;
	LMREC_GROW(b->p, b->cap, 2 * n + 1);
	for (size_t i = 0; i < n; i++) {
		char c = s[i], e = (char)(c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\\' ? '\\' : 0);
		if (e) {
			b->p[b->len++] = '\\';
			b->p[b->len++] = e;
		} else {
			b->p[b->len++] = c;
		}
	}
}

/* The words seen so far (for the duplicate check) and the store. */
struct reader {
	struct lmrec_wordvec *wv;
	const struct lmrec_ids *keep;
	struct lmrec_ids *seen; /* every word when keep is set; else wv->words */
	size_t vcap;
	struct wbuf w;
	/* scratch, kept here so that a die leaves it reachable (a sanitizer
	 * then sees no leak) and freed by lmrec_wordvec_read */
	struct lmrec_tsv *tsv; /* the text reader */
	float *vals;           /* (dim) the values of one word */
	unsigned char *raw;    /* (dim * 4) binary: the bytes of one vector */
	char *word;            /* (wcap) binary: the word being read */
	size_t wcap;
};

/* Records a word and its values; returns 0, or -1 when the word is a
 * repeat. */
static int add(struct reader *rd, const char *word, size_t len, const float *vals)
{
	struct lmrec_wordvec *wv = rd->wv;
	escape_word(&rd->w, word, len);
	size_t before = lmrec_ids_count(rd->seen);
	lmrec_ids_intern(rd->seen, rd->w.p, rd->w.len);
	if (lmrec_ids_count(rd->seen) == before)
		return -1;
	wv->total++;
	if (rd->keep) {
		if (lmrec_ids_find(rd->keep, rd->w.p, rd->w.len) < 0)
			return 0;
		lmrec_ids_intern(wv->words, rd->w.p, rd->w.len);
	}
	LMREC_GROW(wv->v, rd->vcap, (wv->n + 1) * wv->dim);
	memcpy(wv->v + wv->n * wv->dim, vals, wv->dim * sizeof *vals);
	wv->n++;
	return 0;
}

static int parse_count(const char *s, size_t len, uint64_t *out)
{
	return len > 0 && len <= 19 && lmrec_parse_u64(s, len, out) == 0 ? 0 : -1;
}

static void read_text(struct reader *rd, const char *path)
{
	struct lmrec_wordvec *wv = rd->wv;
	struct lmrec_tsv *r = rd->tsv = lmrec_tsv_open_with(
		path, LMREC_TSV_NOHEADER | LMREC_TSV_RAW | LMREC_TSV_RAGGED | LMREC_TSV_CRLF, " ");
	uint64_t announced = 0, adim = 0;
	int has_header = 0, first = 1;
	while (lmrec_tsv_read(r)) {
		size_t nf = r->nf;
		while (nf > 1 && r->f[nf - 1].len == 0)
			nf--;
		if (first) {
			first = 0;
			if (nf == 2 && parse_count(r->f[0].p, r->f[0].len, &announced) == 0 &&
			    parse_count(r->f[1].p, r->f[1].len, &adim) == 0) {
				if (adim == 0 || adim > 1000000)
					lmrec_tsv_die_line(r, "header 'count dim': dimension %llu is out of range",
							   (unsigned long long)adim);
				has_header = 1;
				wv->dim = (size_t)adim;
				continue;
			}
		}
		struct lmrec_field word = r->f[0];
		if (word.len == 0)
			lmrec_tsv_die_line(r, nf == 1 ? "empty line" : "empty word (the line starts with a space)");
		size_t nv = nf - 1;
		if (wv->dim == 0) {
			if (nv == 0)
				lmrec_tsv_die_line(r, "a word without values");
			wv->dim = nv;
		}
		if (nv != wv->dim)
			lmrec_tsv_die_line(r, "%zu values where %s %zu (a ragged row)", nv,
					   has_header ? "the header announces" : "the first row has", wv->dim);
		if (!rd->vals)
			rd->vals = lmrec_xmalloc(wv->dim * sizeof *rd->vals);
		float *vals = rd->vals;
		for (size_t j = 0; j < nv; j++) {
			struct lmrec_field f = r->f[j + 1];
			if (lmrec_parse_float(f.p, f.len, &vals[j]) != 0)
				lmrec_tsv_die_line(r, "word '%.*s': value %zu: '%.*s' is not a finite number",
						   (int)(word.len > 40 ? 40 : word.len), word.p, j + 1,
						   (int)(f.len > 40 ? 40 : f.len), f.p);
		}
		if (add(rd, word.p, word.len, vals) != 0)
			lmrec_tsv_die_line(r, "word '%.*s' is given twice", (int)(word.len > 40 ? 40 : word.len),
					   word.p);
	}
	const char *name = r->display;
	if (wv->dim == 0)
		lmrec_die_at(name, 1, "no word vectors");
	if (has_header && announced != wv->total)
		lmrec_die_at(name, 1, "the header announces %llu words, the file has %zu",
			     (unsigned long long)announced, wv->total);
	lmrec_tsv_close(r);
	rd->tsv = NULL;
}

/* Where a binary file is being read, for its messages: word k of count
 * (k = 0: the header line; k > count: after the last word). */
struct binpos {
	struct lmrec_gzin *in;
	const char *name;
	uint64_t k, count;
};

/* Dies (65) with the byte source's refusal (a truncated or corrupt gzip
 * stream), placed at the header line or at the word being read. */
static void die_stream(const struct binpos *b)
{
	if (b->k == 0)
		lmrec_die_at(b->name, 1, "%s", lmrec_gzin_error(b->in));
	if (b->k > b->count)
		lmrec_die(LMREC_EXIT_DATA, "%s: after the last word: %s", b->name, lmrec_gzin_error(b->in));
	lmrec_die(LMREC_EXIT_DATA, "%s: word %llu of %llu: %s", b->name, (unsigned long long)b->k,
		  (unsigned long long)b->count, lmrec_gzin_error(b->in));
}

/* The next byte, or LMREC_GZIN_EOF at the end. */
static int next_byte(const struct binpos *b)
{
	int c = lmrec_gzin_getc(b->in);
	if (c == LMREC_GZIN_BAD)
		die_stream(b);
	return c;
}

/* Reads up to n bytes; returns the count read (less at the end). */
static size_t read_all(const struct binpos *b, void *p, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t k = lmrec_gzin_read(b->in, (char *)p + got, n - got);
		if (k == LMREC_GZIN_BAD)
			die_stream(b);
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	return got;
}

static void read_binary(struct reader *rd, const char *path)
{
	struct lmrec_wordvec *wv = rd->wv;
	const char *name = lmrec_display_name(path);
	int fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		lmrec_die(LMREC_EXIT_FAIL, "%s: open:", name);
	struct binpos b = {lmrec_gzin_open(fd, name), name, 0, 0};
	/* the header line "count dim" */
	char head[128];
	size_t hl = 0;
	int c;
	while ((c = next_byte(&b)) != LMREC_GZIN_EOF && c != '\n') {
		if (hl + 1 >= sizeof head)
			lmrec_die_at(name, 1, "no 'count dim' header line (not a word2vec binary file?)");
		head[hl++] = (char)c;
	}
	while (hl && (head[hl - 1] == ' ' || head[hl - 1] == '\r'))
		hl--;
	head[hl] = '\0';
	char *sp = memchr(head, ' ', hl);
	uint64_t count, dim;
	if (c != '\n' || !sp || parse_count(head, (size_t)(sp - head), &count) != 0 ||
	    parse_count(sp + 1, hl - (size_t)(sp + 1 - head), &dim) != 0)
		lmrec_die_at(name, 1, "no 'count dim' header line (not a word2vec binary file?)");
	if (dim == 0 || dim > 1000000)
		lmrec_die_at(name, 1, "header 'count dim': dimension %llu is out of range",
			     (unsigned long long)dim);
	wv->dim = (size_t)dim;
	unsigned char *raw = rd->raw = lmrec_xmalloc(wv->dim * 4);
	float *vals = rd->vals = lmrec_xmalloc(wv->dim * sizeof *vals);
	b.count = count;
	for (uint64_t k = 0; k < count; k++) {
		size_t len = 0;
		b.k = k + 1;
		while ((c = next_byte(&b)) == '\n')
			;
		for (; c != LMREC_GZIN_EOF && c != ' '; c = next_byte(&b)) {
			if (len >= MAX_WORD)
				lmrec_die(LMREC_EXIT_DATA, "%s: word %llu of %llu: longer than %d bytes "
							   "(not a word2vec binary file?)",
					  name, (unsigned long long)k + 1, (unsigned long long)count, MAX_WORD);
			LMREC_GROW(rd->word, rd->wcap, len + 1);
			rd->word[len++] = (char)c;
		}
		if (c == LMREC_GZIN_EOF || read_all(&b, raw, wv->dim * 4) != wv->dim * 4)
			lmrec_die(LMREC_EXIT_DATA, "%s: word %llu of %llu: the file ends %s (truncated)", name,
				  (unsigned long long)k + 1, (unsigned long long)count,
				  c == LMREC_GZIN_EOF ? "before it" : "inside its vector");
		if (len == 0)
			lmrec_die(LMREC_EXIT_DATA, "%s: word %llu of %llu: empty word", name,
				  (unsigned long long)k + 1, (unsigned long long)count);
		const char *word = rd->word;
		for (size_t j = 0; j < wv->dim; j++) {
			uint32_t u = lmrec_get_le32(raw + 4 * j);
			memcpy(&vals[j], &u, sizeof u);
			if (!isfinite(vals[j]))
				lmrec_die(LMREC_EXIT_DATA, "%s: word %llu of %llu '%.*s': value %zu is not a finite number",
					  name, (unsigned long long)k + 1, (unsigned long long)count,
					  (int)(len > 40 ? 40 : len), word, j + 1);
		}
		if (add(rd, word, len, vals) != 0)
			lmrec_die(LMREC_EXIT_DATA, "%s: word %llu of %llu: '%.*s' is given twice", name,
				  (unsigned long long)k + 1, (unsigned long long)count,
				  (int)(len > 40 ? 40 : len), word);
	}
	/* read to the end, so that a gzip stream is checked whole (its last
	 * CRC-32 included): only line feeds may follow the last vector */
	b.k = count + 1;
	while ((c = next_byte(&b)) == '\n')
		;
	if (c != LMREC_GZIN_EOF)
		lmrec_die(LMREC_EXIT_DATA, "%s: the header announces %llu words, the file has more", name,
			  (unsigned long long)count);
	if (lmrec_gzin_close(b.in) != 0)
		lmrec_die(LMREC_EXIT_FAIL, "%s: close:", name);
}

int lmrec_wordvec_is_binary(const char *path)
{
	size_t n = strlen(path);
	return (n >= 4 && strcmp(path + n - 4, ".bin") == 0) ||
	       (n >= 7 && strcmp(path + n - 7, ".bin.gz") == 0);
}

void lmrec_wordvec_read(struct lmrec_wordvec *wv, const char *path, const struct lmrec_ids *keep)
{
	memset(wv, 0, sizeof *wv);
	wv->words = lmrec_ids_new();
	struct reader rd = {.wv = wv, .keep = keep, .seen = keep ? lmrec_ids_new() : wv->words};
	if (lmrec_wordvec_is_binary(path))
		read_binary(&rd, path);
	else
		read_text(&rd, path);
	if (keep)
		lmrec_ids_free(rd.seen);
	free(rd.w.p);
	free(rd.vals);
	free(rd.raw);
	free(rd.word);
}

void lmrec_wordvec_free(struct lmrec_wordvec *wv)
{
	lmrec_ids_free(wv->words);
	free(wv->v);
	memset(wv, 0, sizeof *wv);
}

/* Decodes an escaped word into b; returns 0, or -1 when it holds a byte
 * the text format cannot carry (a NUL, which a word2vec binary file may
 * hold, is refused by the text reader). */
static int decode_word(struct wbuf *b, const char *s, size_t n)
{
	LMREC_GROW(b->p, b->cap, n + 1);
	b->len = lmrec_tsv_unescape(b->p, s, n);
	for (size_t i = 0; i < b->len; i++)
		if (b->p[i] == ' ' || b->p[i] == '\t' || b->p[i] == '\r' || b->p[i] == '\n' ||
		    b->p[i] == '\0')
			return -1;
	return 0;
}

size_t lmrec_wordvec_write(const char *path, const struct lmrec_ids *ids, const unsigned char *use,
			   const float *v, size_t dim)
{
	size_t n = lmrec_ids_count(ids), good = 0, bad = 0;
	struct wbuf b = {0};
	for (uint32_t i = 0; i < n; i++) {
		if (use && !use[i])
			continue;
		size_t len;
		const char *s = lmrec_ids_str(ids, i, &len);
		if (decode_word(&b, s, len) == 0)
			good++;
		else
			bad++;
	}
	struct lmrec_out *o = lmrec_out_open(path);
	lmrec_out_printf(o, "%zu %zu\n", good, dim);
	for (uint32_t i = 0; i < n; i++) {
		if (use && !use[i])
			continue;
		size_t len;
		const char *s = lmrec_ids_str(ids, i, &len);
		if (decode_word(&b, s, len) != 0)
			continue;
		lmrec_out_write(o, b.p, b.len);
		for (size_t d = 0; d < dim; d++) {
			lmrec_out_byte(o, ' ');
			lmrec_out_f32(o, v[(size_t)i * dim + d]);
		}
		lmrec_out_eol(o);
	}
	lmrec_out_commit(o);
	free(b.p);
	return bad;
}

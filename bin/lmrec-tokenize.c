/* lmrec-tokenize — item text to tokens: words (normalised, case-folded,
 * stop words out, n-grams, character n-grams) or BERT WordPiece ids, with
 * personal data masked before anything else sees the text. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lmrec.h"
#include "pii.h"
#include "text.h"
#include "wordpiece.h"

struct opts {
	const char *fields;
	struct lmrec_text_opts text;
	const char *stopwords;  /* a file, or NULL for the built-in list */
	int no_stopwords;
	size_t ngrams;          /* 1: words only */
	size_t char_min, char_max; /* 0: no subwords column */
	const char *wordpiece;  /* vocab.txt, or NULL for words */
	int lowercase;          /* 1, 0 or LMREC_WORDPIECE_DETECT */
	size_t max_length;
	int no_mask;
	const char *output;
	int quiet, progress;
};

static void usage(int status)
{
	if (status != 0) {
		fprintf(stderr, "Try '%s --help' for more information.\n", lmrec_progname());
		exit(status);
	}
	printf("Usage: %s [OPTION]... [FILE]...\n", lmrec_progname());
	fputs("Turn the text of items into tokens, personal data masked first.\n"
	      "\n"
	      "Reads an items stream (the column item and those of --fields) from the\n"
	      "FILEs (none or '-': standard input) and writes one row per item, in input\n"
	      "order, with the columns\n"
	      "  item tokens masked           words (the default)\n"
	      "  item tokens subwords masked  words, with --char-ngrams\n"
	      "  item ids tokens masked       with --wordpiece\n"
	      "where tokens and ids are separated by spaces and masked counts the e-mail\n"
	      "addresses, URLs, phone numbers and long digit runs masked in the item.\n"
	      "\n"
	      "Input:\n"
	      "  -f, --fields LIST        columns to tokenize, in order (default title,text);\n"
	      "                           attrs gives the values of its key=value pairs\n"
	      "\n"
	      "Words:\n"
	      "      --keep-case          no case folding (by default Straße -> strasse)\n"
	      "      --strip-accents      drop accents after decomposition (crème -> creme)\n"
	      "      --punct MODE         drop (default) punctuation and symbols, or keep\n"
	      "                           each as a token\n"
	      "      --numbers MODE       keep (default), mask (as <num>) or drop numbers\n"
	      "      --stopwords FILE     the stop words of FILE (one a line) instead of the\n"
	      "                           built-in English list\n"
	      "      --no-stopwords       keep every word\n"
	      "      --print-stopwords    print the built-in English list and exit\n"
	      "      --ngrams N           also the word n-grams of 2 to N words, joined by _\n"
	      "      --char-ngrams MIN-MAX  a subwords column: the character n-grams of MIN\n"
	      "                           to MAX characters of every word (fastText's <word>)\n"
	      "\n"
	      "WordPiece:\n"
	      "      --wordpiece VOCAB    ids and pieces of a BERT vocab.txt instead of words\n"
	      "      --uncased            lower-case and strip accents before matching\n"
	      "      --cased              match the text as it is\n"
	      "                           (default: uncased unless 1% of the tokens of\n"
	      "                           the vocabulary have capital letters)\n"
	      "      --max-length N       ids per item, [CLS] and [SEP] included (default 128)\n"
	      "\n"
	      "Personal data:\n"
	      "      --no-mask            leave e-mail addresses, URLs, phone numbers and\n"
	      "                           digit runs in the text (see the manual first)\n"
	      "\n"
	      "Output:\n"
	      "  -o, --output FILE        write to FILE (default: standard output)\n"
	      "  -q, --quiet              no summary on standard error\n"
	      "      --progress           report progress even when not on a terminal\n"
	      "  -h, --help               show this help and exit\n"
	      "  -V, --version            show the version and exit\n"
	      "\n"
	      "Names ending in .gz are written compressed.\n"
	      "\n"
	      "Examples:\n"
	      "  lmrec-tokenize --ngrams 2 items.tsv > tokens.tsv\n"
	      "  lmrec-tokenize --wordpiece vocab.txt --max-length 64 -o pieces.tsv items.tsv\n"
	      "\n"
	      "See lmrec-tokenize(1).\n",
	      stdout);
	exit(0);
}

enum {
	OPT_KEEP_CASE = CHAR_MAX + 1,
	OPT_STRIP_ACCENTS,
	OPT_PUNCT,
	OPT_NUMBERS,
	OPT_STOPWORDS,
	OPT_NO_STOPWORDS,
	OPT_PRINT_STOPWORDS,
	OPT_NGRAMS,
	OPT_CHAR_NGRAMS,
	OPT_WORDPIECE,
	OPT_UNCASED,
	OPT_CASED,
	OPT_MAX_LENGTH,
	OPT_NO_MASK,
	OPT_PROGRESS
};

static const struct option long_options[] = {
	{"fields", required_argument, NULL, 'f'},
	{"keep-case", no_argument, NULL, OPT_KEEP_CASE},
	{"strip-accents", no_argument, NULL, OPT_STRIP_ACCENTS},
	{"punct", required_argument, NULL, OPT_PUNCT},
	{"numbers", required_argument, NULL, OPT_NUMBERS},
	{"stopwords", required_argument, NULL, OPT_STOPWORDS},
	{"no-stopwords", no_argument, NULL, OPT_NO_STOPWORDS},
	{"print-stopwords", no_argument, NULL, OPT_PRINT_STOPWORDS},
	{"ngrams", required_argument, NULL, OPT_NGRAMS},
	{"char-ngrams", required_argument, NULL, OPT_CHAR_NGRAMS},
	{"wordpiece", required_argument, NULL, OPT_WORDPIECE},
	{"uncased", no_argument, NULL, OPT_UNCASED},
	{"cased", no_argument, NULL, OPT_CASED},
	{"max-length", required_argument, NULL, OPT_MAX_LENGTH},
	{"no-mask", no_argument, NULL, OPT_NO_MASK},
	{"output", required_argument, NULL, 'o'},
	{"quiet", no_argument, NULL, 'q'},
	{"progress", no_argument, NULL, OPT_PROGRESS},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

/* What the run counts for the summary. */
struct counts {
	uint64_t items, tokens, truncated;
	uint64_t masked[LMREC_PII_KINDS];
};

/* Writes the tokens of t (from index from) as one field, separated by
 * spaces, after the separator sep of the previous ones (0: none). */
static void put_tokens(struct lmrec_out *out, const struct lmrec_tokens *t, int sep)
{
	for (size_t i = 0; i < t->n; i++) {
		size_t len;
		const char *p = lmrec_tokens_get(t, i, &len);
		if (sep)
			lmrec_out_byte(out, ' ');
		lmrec_out_field(out, p, len);
		sep = 1;
	}
}

/* The working state of the word mode. */
struct words {
	struct lmrec_text *text;
	struct lmrec_tokens w, ngrams, sub;
};

static void row_words(const struct opts *o, struct words *wd, const char *s, size_t len,
		      const struct lmrec_pii *mask, struct lmrec_out *out, struct counts *c)
{
	lmrec_tokens_clear(&wd->w);
	lmrec_text_words(wd->text, s, len, mask, &wd->w);
	lmrec_tokens_clear(&wd->ngrams);
	if (o->ngrams > 1)
		lmrec_text_ngrams(&wd->w, o->ngrams, &wd->ngrams);
	put_tokens(out, &wd->w, 0);
	put_tokens(out, &wd->ngrams, wd->w.n > 0);
	c->tokens += wd->w.n + wd->ngrams.n;
	if (o->char_min) {
		lmrec_tokens_clear(&wd->sub);
		for (size_t i = 0; i < wd->w.n; i++) {
			size_t tl;
			const char *tok = lmrec_tokens_get(&wd->w, i, &tl);
			if (wd->w.flags[i] & LMREC_TOK_MASK)
				continue;
			if ((wd->w.flags[i] & LMREC_TOK_NUM) && strcmp(tok, "<num>") == 0)
				continue;
			lmrec_text_char_ngrams(tok, tl, o->char_min, o->char_max, &wd->sub);
		}
		lmrec_out_tab(out);
		put_tokens(out, &wd->sub, 0);
	}
}

static void row_wordpiece(const struct opts *o, const struct lmrec_wordpiece *wp,
			  struct lmrec_wordpiece_ws *ws, int32_t *ids, const char *s, size_t len,
			  const struct lmrec_pii *mask, struct lmrec_out *out, struct counts *c)
{
	size_t n = lmrec_wordpiece_encode(wp, s, len, o->max_length, ids, mask, ws);
	for (size_t i = 0; i < n; i++) {
		if (i)
			lmrec_out_byte(out, ' ');
		lmrec_out_i64(out, ids[i]);
	}
	lmrec_out_tab(out);
	for (size_t i = 0; i < n; i++) {
		size_t tl;
		const char *tok = lmrec_wordpiece_token(wp, ids[i], &tl);
		if (i)
			lmrec_out_byte(out, ' ');
		lmrec_out_field(out, tok, tl);
	}
	c->tokens += n;
	c->truncated += ws->pieces + 2 > n;
}

static int run(const struct opts *o, char **files, size_t nfiles)
{
	static char *const stdin_only[] = {"-", NULL};
	if (nfiles == 0) {
		files = (char **)stdin_only;
		nfiles = 1;
	}
	struct words wd;
	memset(&wd, 0, sizeof wd);
	struct lmrec_wordpiece *wp = NULL;
	struct lmrec_wordpiece_ws ws;
	memset(&ws, 0, sizeof ws);
	int32_t *ids = NULL;
	/* everything that can refuse the run is read before the output opens */
	if (o->wordpiece) {
		wp = lmrec_wordpiece_load(o->wordpiece, o->lowercase);
		ids = lmrec_xmalloc(o->max_length * sizeof *ids);
	} else {
		wd.text = lmrec_text_new(&o->text);
		if (o->stopwords)
			lmrec_text_stop_load(wd.text, o->stopwords);
		else if (!o->no_stopwords)
			lmrec_text_stop_english(wd.text);
	}
	struct lmrec_tsv *first = lmrec_tsv_open(files[0]);
	size_t citem = lmrec_tsv_col(first, "item");
	struct lmrec_text_fields fields;
	lmrec_text_fields_open(&fields, first, "--fields", o->fields);

	struct lmrec_out *out = lmrec_out_open(o->output);
	if (wp)
		lmrec_out_str(out, "item\tids\ttokens\tmasked\n");
	else
		lmrec_out_str(out, o->char_min ? "item\ttokens\tsubwords\tmasked\n"
					       : "item\ttokens\tmasked\n");
	struct counts c;
	memset(&c, 0, sizeof c);
	struct lmrec_pii pii;
	memset(&pii, 0, sizeof pii);
	struct lmrec_progress pg;
	lmrec_progress_start(&pg, o->progress, "items", 0);
	char *buf = NULL;
	size_t cap = 0;
	for (size_t f = 0; f < nfiles; f++) {
		struct lmrec_tsv *r = f == 0 ? first : lmrec_tsv_open(files[f]);
		if (f)
			lmrec_tsv_same_header(first, r);
		while (lmrec_tsv_read(r)) {
			size_t len = lmrec_text_item(&fields, r, &buf, &cap);
			const struct lmrec_pii *mask = NULL;
			if (!o->no_mask) {
				lmrec_pii_find(&pii, buf, len);
				mask = &pii;
				for (size_t k = 0; k < pii.n; k++)
					c.masked[pii.span[k].kind]++;
			}
			struct lmrec_field id = lmrec_tsv_field(r, citem);
			lmrec_out_write(out, id.p, id.len);
			lmrec_out_tab(out);
			if (wp)
				row_wordpiece(o, wp, &ws, ids, buf, len, mask, out, &c);
			else
				row_words(o, &wd, buf, len, mask, out, &c);
			lmrec_out_tab(out);
			lmrec_out_i64(out, mask ? (int64_t)pii.n : 0);
			lmrec_out_eol(out);
			c.items++;
			if ((c.items & 1023) == 0)
				lmrec_progress_tick(&pg, c.items);
		}
		if (f)
			lmrec_tsv_close(r);
	}
	lmrec_out_commit(out);
	lmrec_progress_end(&pg, c.items);

	if (!o->quiet) {
		fprintf(stderr, "%s: %llu item%s, %llu %s%s", lmrec_progname(),
			(unsigned long long)c.items, c.items == 1 ? "" : "s",
			(unsigned long long)c.tokens, wp ? "id" : "token", c.tokens == 1 ? "" : "s");
		if (wp)
			fprintf(stderr, ", %llu truncated to %zu", (unsigned long long)c.truncated,
				o->max_length);
		if (o->no_mask) {
			fputs("; masking off\n", stderr);
		} else {
			fputs("; masked:", stderr);
			for (int k = 0; k < LMREC_PII_KINDS; k++)
				fprintf(stderr, "%s %llu %s", k ? "," : "",
					(unsigned long long)c.masked[k], lmrec_pii_name(k));
			fputc('\n', stderr);
		}
	}
	lmrec_tsv_close(first);
	lmrec_text_fields_free(&fields);
	lmrec_pii_free(&pii);
	free(buf);
	free(ids);
	lmrec_wordpiece_ws_free(&ws);
	lmrec_wordpiece_free(wp);
	lmrec_text_free(wd.text);
	lmrec_tokens_free(&wd.w);
	lmrec_tokens_free(&wd.ngrams);
	lmrec_tokens_free(&wd.sub);
	return 0;
}

/* Parses "MIN-MAX" or "N" for --char-ngrams. */
static void parse_char_ngrams(const char *arg, size_t *lo, size_t *hi)
{
	const char *dash = strchr(arg, '-');
	uint64_t a, b;
	int ok = dash ? lmrec_parse_u64(arg, (size_t)(dash - arg), &a) == 0 &&
				lmrec_parse_u64(dash + 1, strlen(dash + 1), &b) == 0
		      : lmrec_parse_u64(arg, strlen(arg), &a) == 0;
	if (!dash)
		b = a;
	if (!ok || a < 1 || b < a || b > 20)
		lmrec_usage_error("invalid value for --char-ngrams: '%s' (expected MIN-MAX with "
				  "1 <= MIN <= MAX <= 20, e.g. 3-6)",
				  arg);
	*lo = (size_t)a;
	*hi = (size_t)b;
}

static int pick(const char *opt, const char *arg, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(arg, names[i]) == 0)
			return i;
	lmrec_usage_error("invalid value for %s: '%s' (expected %s or %s%s%s)", opt, arg, names[0],
			  names[1], n > 2 ? " or " : "", n > 2 ? names[2] : "");
}

int main(int argc, char **argv)
{
	lmrec_setprogname(argv[0]);
	struct opts o = {.fields = "title,text", .ngrams = 1, .lowercase = LMREC_WORDPIECE_DETECT,
			 .max_length = 128};
	int word_opts = 0, wp_opts = 0, have_stop = 0;
	static const char *const punct_names[] = {"drop", "keep"};
	static const char *const number_names[] = {"keep", "mask", "drop"};
	int c;
	while ((c = getopt_long(argc, argv, "f:o:qhV", long_options, NULL)) != -1) {
		switch (c) {
		case 'f': o.fields = optarg; break; /* --fields */
		case OPT_KEEP_CASE: o.text.keep_case = 1; word_opts++; break; /* --keep-case */
		case OPT_STRIP_ACCENTS: o.text.strip_accents = 1; word_opts++; break; /* --strip-accents */
		case OPT_PUNCT: /* --punct */
			o.text.keep_punct = pick("--punct", optarg, punct_names, 2);
			word_opts++;
			break;
		case OPT_NUMBERS: /* --numbers */
			o.text.numbers = (enum lmrec_text_numbers)pick("--numbers", optarg, number_names, 3);
			word_opts++;
			break;
		case OPT_STOPWORDS: o.stopwords = optarg; have_stop++; word_opts++; break; /* --stopwords */
		case OPT_NO_STOPWORDS: o.no_stopwords = 1; have_stop++; word_opts++; break; /* --no-stopwords */
		case OPT_PRINT_STOPWORDS: { /* --print-stopwords */
			size_t n;
			const char *const *w = lmrec_text_english_stopwords(&n);
			for (size_t i = 0; i < n; i++)
				puts(w[i]);
			lmrec_close_stdout();
			return 0;
		}
		case OPT_NGRAMS: /* --ngrams */
			o.ngrams = (size_t)lmrec_opt_u64("--ngrams", optarg, 1, 8);
			word_opts++;
			break;
		case OPT_CHAR_NGRAMS: /* --char-ngrams */
			parse_char_ngrams(optarg, &o.char_min, &o.char_max);
			word_opts++;
			break;
		case OPT_WORDPIECE: o.wordpiece = optarg; break; /* --wordpiece */
		case OPT_UNCASED: o.lowercase = 1; wp_opts++; break; /* --uncased */
		case OPT_CASED: o.lowercase = 0; wp_opts++; break;   /* --cased */
		case OPT_MAX_LENGTH: /* --max-length */
			o.max_length = (size_t)lmrec_opt_u64("--max-length", optarg, 2, 1000000);
			wp_opts++;
			break;
		case OPT_NO_MASK: o.no_mask = 1; break; /* --no-mask */
		case 'o': o.output = optarg; break; /* --output */
		case 'q': o.quiet = 1; break; /* --quiet */
		case OPT_PROGRESS: o.progress = 1; break; /* --progress */
		case 'h': usage(0); break; /* --help */
		case 'V': lmrec_print_version(); lmrec_close_stdout(); return 0; /* --version */
		default: usage(LMREC_EXIT_USAGE);
		}
	}
	if (o.wordpiece && word_opts)
		lmrec_usage_error("--wordpiece excludes the word options (--keep-case, "
				  "--strip-accents, --punct, --numbers, --stopwords, --no-stopwords, "
				  "--ngrams, --char-ngrams)");
	if (!o.wordpiece && wp_opts)
		lmrec_usage_error("--cased, --uncased and --max-length belong to --wordpiece");
	if (have_stop > 1)
		lmrec_usage_error("--stopwords and --no-stopwords exclude each other");
	int rc = run(&o, argv + optind, (size_t)(argc - optind));
	lmrec_close_stdout();
	return rc;
}

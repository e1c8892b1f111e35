/* lmrec-anon — keyed pseudonyms of the user ids (or any id column) of a stream. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anon.h"
#include "lmrec.h"

enum { PREFIX_MAX = 32 };

struct opts {
	const char *key_file, *new_key, *output, *prefix;
	const char **columns; /* (ncolumns) names to pseudonymise; none given: "user" */
	size_t ncolumns;
	const char **ids; /* (nids) values of --id */
	size_t nids;
	size_t length; /* hex digits of a pseudonym */
};

static void usage(int status)
{
	if (status != 0) {
		fprintf(stderr, "Try '%s --help' for more information.\n", lmrec_progname());
		exit(status);
	}
	printf("Usage: %s -k KEY [OPTION]... [FILE]...\n"
	       "  or:  %s -k KEY --id VALUE...\n"
	       "  or:  %s --new-key KEY\n",
	       lmrec_progname(), lmrec_progname(), lmrec_progname());
	fputs("Replace the ids of a stream with keyed pseudonyms, the same every night.\n"
	      "\n"
	      "Reads a stream with a header (any columns) from the FILEs (none or '-':\n"
	      "standard input) and writes it with each value of the column user, or of\n"
	      "the columns named by --column, replaced by HMAC-SHA256(key, value) in\n"
	      "lowercase hex, cut to --length digits, after --prefix. Every other byte\n"
	      "passes through; an empty field stays empty.\n"
	      "\n"
	      "Key:\n"
	      "  -k, --key FILE           the key: all the bytes of FILE, 16 to 4096; refused\n"
	      "                           unless a regular file private to its owner\n"
	      "                           (chmod 600)\n"
	      "      --new-key FILE       make a key of 32 random bytes in FILE, mode 0600,\n"
	      "                           and exit; an existing FILE is never overwritten\n"
	      "\n"
	      "Pseudonyms:\n"
	      "  -c, --column NAME        pseudonymise column NAME; repeat for several (the\n"
	      "                           default is user alone; naming any replaces it)\n"
	      "      --length N           hex digits kept, 16 to 64 (default 32: 128 bits)\n"
	      "      --prefix TEXT        written before each pseudonym (up to 32 letters,\n"
	      "                           digits, '_', '-', '.' or ':'; default none)\n"
	      "      --id VALUE           print the pseudonym of VALUE, one line each, and\n"
	      "                           read no stream (repeatable)\n"
	      "\n"
	      "Output:\n"
	      "  -o, --output FILE        write to FILE (default: stdout); a name ending in\n"
	      "                           .gz is written compressed\n"
	      "  -h, --help               show this help and exit\n"
	      "  -V, --version            show the version and exit\n"
	      "\n"
	      "Exit status: 0 success, 1 run-time failure, 2 usage error or a key file\n"
	      "refused, 65 bad input data.\n"
	      "\n"
	      "Examples:\n"
	      "  lmrec-anon --new-key /etc/lmrec/anon.key\n"
	      "  lmrec-anon -k /etc/lmrec/anon.key -o anon.tsv.gz interactions.tsv.gz\n"
	      "  lmrec-anon -k /etc/lmrec/anon.key -c user -c session turns.tsv > t.tsv\n"
	      "  lmrec-anon -k /etc/lmrec/anon.key --id u0042\n"
	      "\n"
	      "See lmrec-anon(1).\n",
	      stdout);
	exit(0);
}

enum { OPT_NEW_KEY = CHAR_MAX + 1, OPT_LENGTH, OPT_PREFIX, OPT_ID };

static const struct option long_options[] = {
	{"key", required_argument, NULL, 'k'},
	{"new-key", required_argument, NULL, OPT_NEW_KEY},
	{"column", required_argument, NULL, 'c'},
	{"length", required_argument, NULL, OPT_LENGTH},
	{"prefix", required_argument, NULL, OPT_PREFIX},
	{"id", required_argument, NULL, OPT_ID},
	{"output", required_argument, NULL, 'o'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

/* The pseudonyms of one run: the keyed HMAC, and the text around it. */
struct pseudo {
	struct lmrec_anon *mac;
	const char *prefix;
	size_t prefix_len, length;
	char *plain; /* (plain_cap) a field with its escapes undone */
	size_t plain_cap;
};

/* Writes the pseudonym of value[0..len) (its real bytes) into dst, which
 * has room for prefix_len + length bytes; returns that length. */
static size_t pseudonym(struct pseudo *p, char *dst, const char *value, size_t len)
{
	unsigned char digest[LMREC_ANON_DIGEST];
	lmrec_anon_mac(p->mac, digest, value, len);
	memcpy(dst, p->prefix, p->prefix_len);
	lmrec_anon_hex(dst + p->prefix_len, digest, p->length);
	return p->prefix_len + p->length;
}

/* --id: one pseudonym a line, in the order given. */
static int run_ids(const struct opts *o, struct pseudo *p)
{
	char line[PREFIX_MAX + 2 * LMREC_ANON_DIGEST + 1];
	for (size_t i = 0; i < o->nids; i++) {
		size_t n = pseudonym(p, line, o->ids[i], strlen(o->ids[i]));
		line[n] = '\n';
		fwrite(line, 1, n + 1, stdout);
	}
	return 0;
}

static int run_stream(const struct opts *o, struct pseudo *p, char *const *files, size_t nfiles)
{
	char *const stdin_name[] = {"-"};
	if (nfiles == 0) {
		files = stdin_name;
		nfiles = 1;
	}
	struct lmrec_out *out = lmrec_out_open(o->output);
	struct lmrec_tsv *first = NULL;
	unsigned char *hashed = NULL; /* (ncols) 1 for a column to pseudonymise */
	char field[PREFIX_MAX + 2 * LMREC_ANON_DIGEST];
	for (size_t i = 0; i < nfiles; i++) {
		struct lmrec_tsv *r = lmrec_tsv_open(files[i]);
		if (!first) {
			first = r;
			hashed = lmrec_xcalloc(r->ncols + 1, 1);
			for (size_t c = 0; c < o->ncolumns; c++)
				hashed[lmrec_tsv_col(r, o->columns[c])] = 1;
			for (size_t c = 0; c < r->ncols; c++) {
				if (c)
					lmrec_out_tab(out);
				lmrec_out_str(out, r->cols[c]);
			}
			lmrec_out_eol(out);
		} else {
			lmrec_tsv_same_header(first, r);
		}
		while (lmrec_tsv_read(r)) {
			for (size_t c = 0; c < r->nf; c++) {
				struct lmrec_field f = r->f[c];
				if (c)
					lmrec_out_tab(out);
				if (!hashed[c] || f.len == 0) {
					lmrec_out_write(out, f.p, f.len);
					continue;
				}
				/* the id's real bytes: what --id is given */
				const char *v = f.p;
				size_t len = f.len;
				if (memchr(f.p, '\\', f.len)) {
					LMREC_GROW(p->plain, p->plain_cap, f.len);
					len = lmrec_tsv_unescape(p->plain, f.p, f.len);
					v = p->plain;
				}
				lmrec_out_write(out, field, pseudonym(p, field, v, len));
			}
			lmrec_out_eol(out);
		}
		if (r != first)
			lmrec_tsv_close(r);
	}
	lmrec_tsv_close(first);
	lmrec_out_commit(out);
	free(hashed);
	return 0;
}

/* The prefix stays a plain token: no escapes, no spaces, nothing a shell or
 * a regular expression would read twice. */
static int prefix_ok(const char *s)
{
	size_t n = strlen(s);
	if (n > PREFIX_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || strchr("_-.:", s[i])))
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	lmrec_setprogname(argv[0]);
	struct opts o = {.length = 32, .prefix = ""};
	o.columns = lmrec_xmalloc((size_t)argc * sizeof *o.columns);
	o.ids = lmrec_xmalloc((size_t)argc * sizeof *o.ids);
	int c;
	while ((c = getopt_long(argc, argv, "k:c:o:hV", long_options, NULL)) != -1) {
		switch (c) {
		case 'k': o.key_file = optarg; break;         /* --key */
		case OPT_NEW_KEY: o.new_key = optarg; break;  /* --new-key */
		case 'c': o.columns[o.ncolumns++] = optarg; break; /* --column */
		case OPT_LENGTH: /* --length */
			o.length = (size_t)lmrec_opt_u64("--length", optarg, 16, (uint64_t)2 * LMREC_ANON_DIGEST);
			break;
		case OPT_PREFIX: /* --prefix */
			if (!prefix_ok(optarg))
				lmrec_usage_error("invalid value for --prefix: '%s' (expected up to %d "
						  "letters, digits, '_', '-', '.' or ':')",
						  optarg, PREFIX_MAX);
			o.prefix = optarg;
			break;
		case OPT_ID: /* --id */
			if (!*optarg)
				lmrec_usage_error("--id: an empty value has no pseudonym "
						  "(empty fields stay empty)");
			o.ids[o.nids++] = optarg;
			break;
		case 'o': o.output = optarg; break; /* --output */
		case 'h': usage(0); break;          /* --help */
		case 'V': /* --version */
			free(o.columns);
			free(o.ids);
			lmrec_print_version();
			lmrec_close_stdout();
			return 0;
		default: usage(LMREC_EXIT_USAGE);
		}
	}
	size_t nfiles = (size_t)(argc - optind);
	if (o.new_key) {
		if (o.key_file || o.ncolumns || o.nids || o.output || nfiles)
			lmrec_usage_error("--new-key makes a key and exits: it takes no other option "
					  "and no file");
		char *msg;
		int rc = lmrec_anon_key_new(o.new_key, &msg);
		if (rc)
			lmrec_die(rc, "%s", msg);
		free(o.columns);
		free(o.ids);
		return 0;
	}
	if (!o.key_file)
		lmrec_usage_error("no key: give --key FILE (--new-key FILE makes one)");
	if (o.nids && (o.ncolumns || o.output || nfiles))
		lmrec_usage_error("--id prints pseudonyms and reads no stream: no --column, "
				  "--output or file with it");
	if (o.ncolumns == 0)
		o.columns[o.ncolumns++] = "user";

	unsigned char *key;
	size_t keylen;
	char *msg;
	int rc = lmrec_anon_key_read(o.key_file, &key, &keylen, &msg);
	if (rc)
		lmrec_die(rc, "%s", msg);
	struct pseudo p = {.prefix = o.prefix, .prefix_len = strlen(o.prefix), .length = o.length};
	p.mac = lmrec_anon_new(key, keylen);
	lmrec_anon_key_free(key, keylen);

	rc = o.nids ? run_ids(&o, &p) : run_stream(&o, &p, argv + optind, nfiles);
	lmrec_anon_free(p.mac);
	free(p.plain);
	free(o.columns);
	free(o.ids);
	lmrec_close_stdout();
	return rc;
}

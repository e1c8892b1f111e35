/* Unit tests of lib/pii.c: every rule of pii.h on texts where it must mask
 * and texts where it must not, span by span. */
#include "check.h"
#include "pii.h"

/* The spans of s written as "kind:text kind:text ...", kind u e p d. */
static char *spans(const char *s)
{
	struct lmrec_pii p = {0};
	size_t n = lmrec_pii_find(&p, s, strlen(s));
	size_t cap = strlen(s) * 2 + 8 * n + 1, len = 0;
	char *out = lmrec_xmalloc(cap);
	out[0] = '\0';
	for (size_t k = 0; k < n; k++)
		len += (size_t)snprintf(out + len, cap - len, "%s%c:%.*s", k ? " " : "",
					"eupd"[p.span[k].kind], (int)p.span[k].len, s + p.span[k].off);
	lmrec_pii_free(&p);
	return out;
}

#define CHECK_SPANS(in, want)                                                                      \
	do {                                                                                       \
		char *got_ = spans(in);                                                            \
		CHECK_STR(got_, (want));                                                           \
		free(got_);                                                                        \
	} while (0)

static void test_urls(void)
{
	CHECK_SPANS("see https://example.com/a_(b)?q=1. now", "u:https://example.com/a_(b)?q=1");
	CHECK_SPANS("(http://x.io/y), ok", "u:http://x.io/y");
	CHECK_SPANS("WWW.Example.org/x; and www.b.c!", "u:WWW.Example.org/x u:www.b.c");
	CHECK_SPANS("s3://bucket/key and git+ssh://h/r", "u:s3://bucket/key u:git+ssh://h/r");
	CHECK_SPANS("<http://a.b/c>\"q\"", "u:http://a.b/c");
	CHECK_SPANS("ftp://", "");          /* nothing after the scheme */
	CHECK_SPANS("://x.org 1://y", "");  /* no scheme, a scheme not starting with a letter */
	CHECK_SPANS("awww.x.org www.", ""); /* inside a word; nothing after */
	CHECK_SPANS("https://bob@x.org/p", "u:https://bob@x.org/p"); /* not an e-mail */
	CHECK_SPANS("http://é.fr/ü", "u:http://é.fr/ü");
}

static void test_emails(void)
{
	CHECK_SPANS("jane.doe+tag@example.co.uk,", "e:jane.doe+tag@example.co.uk");
	CHECK_SPANS("«bob@x.org»", "e:bob@x.org");
	CHECK_SPANS("mail:bob@x.org.", "e:bob@x.org");
	CHECK_SPANS("josé@correo.es", "e:josé@correo.es");
	CHECK_SPANS(".bob@x.org", "e:bob@x.org");
	CHECK_SPANS("bob@localhost @handle a@b.c a@1.23 a.@b.org @x.org", "");
	CHECK_SPANS("a@b-c.de-f.gh", "e:a@b-c.de-f.gh");
	CHECK_SPANS("a@-b.org a@b-.org", "");
}

static void test_phones(void)
{
	CHECK_SPANS("+44 (0)20 7946 0958", "p:+44 (0)20 7946 0958");
	CHECK_SPANS("call (555) 123-4567.", "p:(555) 123-4567");
	CHECK_SPANS("555.123.4567 555-123-4567 555 123 4567",
		    "p:555.123.4567 p:555-123-4567 p:555 123 4567");
	CHECK_SPANS("020 7946 0958, 06 12 34 56 78, 030/1234567",
		    "p:020 7946 0958 p:06 12 34 56 78 p:030/1234567");
	CHECK_SPANS("555-1234", "p:555-1234");
	CHECK_SPANS("+4930123456", "p:+4930123456");
	CHECK_SPANS("+33 6 12 34 56 78", "p:+33 6 12 34 56 78");
	/* not phones */
	CHECK_SPANS("2024-01-15 15/01/2024 15.1.2024 2019-2020", "");
	CHECK_SPANS("1.000.000 1,234,567 1 234 567", "");
	CHECK_SPANS("36 38 40 42 1999 2000 2001", "");
	CHECK_SPANS("555-12345x 12 34", "");
	/* mixed separators: the part with one kind */
	CHECK_SPANS("555 123-4567", "p:123-4567");
	CHECK_SPANS("+1 2 3", ""); /* too few digits */
	CHECK_SPANS("+1 234 567 890 123 456 7", "p:+1 234 567 890 123"); /* 15 digits at most */
	CHECK_SPANS("12 555-123-4567; 0161 496 0000 / 020 7946 0958",
		    "p:555-123-4567 p:0161 496 0000 p:020 7946 0958");
	CHECK_SPANS("555 123 4567 555 123 4567", ""); /* one run: where would it cut? */
	CHECK_SPANS("x555-123-4567", "");
}

static void test_digits(void)
{
	CHECK_SPANS("4111 1111 1111 1111", "d:4111 1111 1111 1111");
	CHECK_SPANS("4111-1111-1111-1", "d:4111-1111-1111-1");
	CHECK_SPANS("DE89 3704 0044 0532 0130 00", "d:3704 0044 0532 0130 00");
	CHECK_SPANS("acct 12345678, ID987654", "d:12345678 d:987654");
	CHECK_SPANS("١٢٣٤٥٦ １２３４５６", "d:١٢٣٤٥٦ d:１２３４５６");
	CHECK_SPANS("12345 1234 5678 9012", "");
	CHECK_SPANS("3.14159265", "d:14159265");
}

static void test_order_and_counts(void)
{
	/* a URL first, so the @ inside it is not an e-mail; digits inside a
	 * URL or an address are not counted again */
	CHECK_SPANS("https://x.org/@me/123456789 me@x.org 0201234567",
		    "u:https://x.org/@me/123456789 e:me@x.org d:0201234567");
	struct lmrec_pii p = {0};
	CHECK_U64(lmrec_pii_find(&p, "", 0), 0);
	CHECK_U64(lmrec_pii_find(&p, "a@b.org and a@b.org", 19), 2);
	CHECK_U64(p.span[1].off, 12);
	CHECK_U64(lmrec_pii_find(&p, "nothing", 7), 0);
	lmrec_pii_free(&p);
	CHECK_STR(lmrec_pii_token(LMREC_PII_EMAIL), "<email>");
	CHECK_STR(lmrec_pii_token(LMREC_PII_DIGITS), "<digits>");
	CHECK_STR(lmrec_pii_name(LMREC_PII_URL), "urls");
}

static void test_no_overread(void)
{
	/* texts cut at every length: an exact allocation shows a read past it */
	const char *full = "x +44 (0)20 7946 0958 a@b.org http://u.v/w 4111 1111 1111 1111 ٣٤٥٦٧٨";
	size_t len = strlen(full);
	struct lmrec_pii p = {0};
	for (size_t n = 0; n <= len; n++) {
		char *s = lmrec_xmalloc(n ? n : 1);
		memcpy(s, full, n);
		lmrec_pii_find(&p, s, n);
		for (size_t k = 0; k < p.n; k++)
			CHECK(p.span[k].off + p.span[k].len <= n && p.span[k].len > 0);
		free(s);
	}
	lmrec_pii_free(&p);
}

int main(void)
{
	lmrec_setprogname("pii");
	CHECK_RUN(test_urls);
	CHECK_RUN(test_emails);
	CHECK_RUN(test_phones);
	CHECK_RUN(test_digits);
	CHECK_RUN(test_order_and_counts);
	CHECK_RUN(test_no_overread);
	return check_done();
}

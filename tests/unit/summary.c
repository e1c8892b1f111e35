/* Unit tests of lib/catalog.c and lib/summary.c: the items stream in
 * memory (pairs, Jaccard, refusals), how pairs read as words, the tastes,
 * the built-in summary, and the check of an external model's summary. */
#include "catalog.h"
#include "check.h"
#include "summary.h"

#define CHECKM(cond, ...)                                               \
	do {                                                            \
		if (!(cond))                                            \
			check_fail(__FILE__, __LINE__, __VA_ARGS__);    \
	} while (0)

static const char items[] =
	"item\ttitle\ttext\tcategory\tattrs\tdomain\tavailable\n"
	"a\tHalvik Parka\tA warm parka from Halvik, for winter.\tjackets\t"
	"brand=halvik;use=hiking;season=winter;warmth=high;price=high;waterproof=yes\tshop\t1\n"
	"b\tHalvik Boots\tWinter boots by Halvik.\tfootwear\t"
	"brand=halvik;use=hiking;season=winter;price=mid;waterproof=yes;waterproof=yes\tshop\t1\n"
	"c\tTempo Tee\tA light tee for summer.\ttops\tuse=running;season=all;weight=light;price=low;waterproof=no\tshop\t0\n"
	"d\tTwo-Person Tent\tA tent from halvik\ttents\tpeople=2;use=camping;season=all;price=high;gluten_free=yes\tshop\t1\n"
	"e\tFish Stew\tA dish of e2 in Caldor.\tsoups\ttown=caldor;spice=high;restaurant=e2\tfood\t1\n"
	"e2\tSalt \\\\ Kitchen\tIn Caldor.\trestaurant\ttown=caldor\tfood\t1\n";

static void load(struct lmrec_catalog *c)
{
	check_tmpdir();
	check_write_str("items.tsv", items);
	lmrec_catalog_load(c, "items.tsv");
}

static uint32_t pair_key(const struct lmrec_catalog *c, const char *k)
{
	return (uint32_t)lmrec_ids_find(c->keys, k, strlen(k));
}

static uint32_t pair_value(const struct lmrec_catalog *c, const char *v)
{
	return (uint32_t)lmrec_ids_find(c->values, v, strlen(v));
}

static void test_catalog(void)
{
	struct lmrec_catalog c;
	load(&c);
	CHECK_INT(c.n, 6);
	CHECK_STR(c.title[5], "Salt \\ Kitchen"); /* decoded */
	CHECK_INT(c.available[2], 0);
	CHECK_INT(c.aptr[1] - c.aptr[0], 6);
	CHECK_INT(c.uptr[2] - c.uptr[1], 5); /* the repeated pair counts once */
	CHECK(lmrec_catalog_has(&c, 0, pair_key(&c, "use"), pair_value(&c, "hiking")));
	CHECK(!lmrec_catalog_has(&c, 2, pair_key(&c, "use"), pair_value(&c, "hiking")));
	CHECK_INT(lmrec_catalog_value(&c, 1, pair_key(&c, "price")), pair_value(&c, "mid"));
	/* a and b share brand, use, season, waterproof: 4 of 6 + 5 - 4 = 7 */
	double j = lmrec_catalog_jaccard(&c, 0, 1);
	CHECKM(j > 4.0 / 7 - 1e-12 && j < 4.0 / 7 + 1e-12, "jaccard %g", j);
	CHECK(lmrec_catalog_jaccard(&c, 0, 5) == 0.0);
	CHECK_INT(c.order[4], 4);
	CHECK_INT(c.order[5], 5);
	lmrec_catalog_free(&c);
}

struct bad {
	const char *text, *message;
};

static void die_load(void *arg)
{
	struct lmrec_catalog c;
	check_write_str("bad.tsv", arg);
	lmrec_catalog_load(&c, "bad.tsv");
}

static void test_catalog_refusals(void)
{
	static const struct bad cases[] = {
		{"item\tattrs\na\tuse\n", "lmrec-unit: bad.tsv:2: column 'attrs': 'use': no '=' in the pair"},
		{"item\tavailable\na\t2\n", "lmrec-unit: bad.tsv:2: column 'available': '2' is not 0 or 1"},
		{"item\na\na\n", "lmrec-unit: bad.tsv:3: column 'item': item 'a' appears twice"},
		{"title\nx\n", "lmrec-unit: bad.tsv:1: no column 'item' in the header"},
	};
	check_tmpdir();
	lmrec_setprogname("lmrec-unit");
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		char err[512];
		int status = check_child(die_load, (void *)cases[k].text, err, sizeof err);
		CHECK_INT(status, 65);
		CHECK_STR(err, cases[k].message);
	}
}

static char *word(const struct lmrec_summarizer *s, const struct lmrec_catalog *c, uint32_t i, const char *k,
		  const char *v)
{
	return lmrec_summary_word(s, i, pair_key(c, k), pair_value(c, v));
}

static void check_word(const struct lmrec_summarizer *s, const struct lmrec_catalog *c, uint32_t i, const char *k,
		       const char *v, const char *want)
{
	char *w = word(s, c, i, k, v);
	if (!want)
		CHECKM(w == NULL, "%s=%s reads '%s', expected nothing", k, v, w);
	else
		CHECKM(w && strcmp(w, want) == 0, "%s=%s reads '%s', expected '%s'", k, v, w ? w : "(null)", want);
	free(w);
}

static void test_words(void)
{
	struct lmrec_catalog c;
	load(&c);
	struct lmrec_summarizer *s = lmrec_summarizer_new(&c);
	check_word(s, &c, 0, "waterproof", "yes", "waterproof");
	check_word(s, &c, 3, "gluten_free", "yes", "gluten free");
	check_word(s, &c, 2, "waterproof", "no", NULL);
	check_word(s, &c, 0, "brand", "halvik", "Halvik"); /* capitalised inside sentences only */
	check_word(s, &c, 0, "warmth", "high", "high warmth"); /* high is also a price in shop */
	check_word(s, &c, 4, "spice", "high", "high");        /* in food, high is only a spice */
	check_word(s, &c, 1, "price", "mid", "mid");           /* only a price in shop */
	check_word(s, &c, 3, "people", "2", "2 people");
	check_word(s, &c, 2, "season", "all", "all-season");
	check_word(s, &c, 4, "restaurant", "e2", NULL); /* an item id */
	check_word(s, &c, 4, "town", "caldor", "Caldor");
	check_word(s, &c, 0, "use", "hiking", "hiking");
	lmrec_summarizer_free(s);
	lmrec_catalog_free(&c);
}

static void test_text(void)
{
	struct lmrec_catalog c;
	load(&c);
	struct lmrec_summarizer *s = lmrec_summarizer_new(&c);
	uint32_t list[3] = {0, 1, 3};
	uint32_t tk[5], tv[5];
	/* the tastes of a history of a, b, c: pairs at least two items share */
	uint32_t hist[3] = {0, 1, 2};
	uint32_t ti[5];
	size_t nt = lmrec_summary_tastes(s, hist, 3, 5, tk, tv, ti);
	CHECK_INT(ti[0], 0);
	CHECK_INT(nt, 4);
	char *t = lmrec_summary_text(s, list, 3, "kit", -1, tk, tv, nt);
	CHECK_STR(t, "A Halvik hiking winter kit: Halvik Parka, Halvik Boots and Two-Person Tent. "
		     "Picked for your taste for Halvik, hiking and waterproof.");
	free(t);
	/* the pairs of skip_key are left out; one item: no shared words, "An" */
	t = lmrec_summary_text(s, list + 2, 1, "outing", -1, NULL, NULL, 0);
	CHECK_STR(t, "An outing: Two-Person Tent.");
	free(t);
	t = lmrec_summary_text(s, list, 2, "kit", pair_key(&c, "brand"), NULL, NULL, 0);
	CHECK_STR(t, "A hiking winter waterproof kit: Halvik Parka and Halvik Boots.");
	free(t);
	lmrec_summarizer_free(s);
	lmrec_catalog_free(&c);
}

static void test_check(void)
{
	struct lmrec_catalog c;
	load(&c);
	uint32_t list[2] = {0, 5};
	static const struct {
		const char *text, *why;
	} cases[] = {
		{"A trip: the HALVIK parka and salt \\ kitchen.", NULL},
		{"Only the Halvik Parka.", "the text does not name every item"},
		{"", "the text is empty"},
		{"Halvik Parka\nSalt \\ Kitchen", "the text holds a control character"},
		{"Halvik Parka\x7fSalt \\ Kitchen", "the text holds a control character"},
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		const char *why = lmrec_summary_check(&c, cases[k].text, list, 2);
		if (!cases[k].why)
			CHECKM(!why, "case %zu refused: %s", k, why);
		else
			CHECKM(why && strcmp(why, cases[k].why) == 0, "case %zu: '%s'", k, why ? why : "(null)");
	}
	char *long_text = lmrec_xmalloc(4100);
	memset(long_text, 'x', 4099);
	long_text[4099] = '\0';
	CHECK_STR(lmrec_summary_check(&c, long_text, list, 0), "the text is longer than 4000 bytes");
	long_text[4000] = '\0';
	CHECK(lmrec_summary_check(&c, long_text, list, 0) == NULL);
	free(long_text);
	lmrec_catalog_free(&c);
}

int main(void)
{
	CHECK_RUN(test_catalog);
	CHECK_RUN(test_catalog_refusals);
	CHECK_RUN(test_words);
	CHECK_RUN(test_text);
	CHECK_RUN(test_check);
	return check_done();
}

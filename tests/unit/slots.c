/* Unit tests of lib/slots.c and lib/slotvocab.c: normalisation, scopes,
 * the exact, scenario and answer readings of requests, the answer of an
 * external parser (llm.h) as slots and the state as its context, and
 * bounds on odd input.
 *
 *   tests/unit/slots ITEMS   (tests/fixtures/chat/items.tsv)
 */
#include <jansson.h>

#include "check.h"
#include "slots.h"
#include "slotvocab.h"

/* The fixture catalog's path (argv[1]). */
static const char **items_path(void)
{
	static const char *path;
	return &path;
}

/* The vocabulary of the fixture catalog, learned with the thresholds a
 * catalog of 16 items allows (the tests of lmrec-chat use the same). */
struct fixture {
	struct lmrec_catalog cat;
	struct lmrec_slotvocab *v;
	struct lmrec_slots_scratch sc;
	struct lmrec_slots s;
	char buf[4096];
};

static void fixture_open(struct fixture *f)
{
	memset(f, 0, sizeof *f);
	lmrec_catalog_load(&f->cat, *items_path());
	struct lmrec_slotvocab_params p;
	lmrec_slotvocab_defaults(&p);
	p.min_support = 2; /* a catalog of 16 items */
	p.min_prob = 0.6;
	p.max_imply = 3;
	p.dim = 0; /* no subword vectors: the exact and scenario readings */
	f->v = lmrec_slotvocab_build(&f->cat, &p, NULL);
}

static void fixture_close(struct fixture *f)
{
	lmrec_slots_free(&f->s);
	lmrec_slots_scratch_free(&f->sc);
	lmrec_slotvocab_free(f->v);
	lmrec_catalog_free(&f->cat);
}

/* The slots of text as lmrec-chat writes them. */
static const char *parse(struct fixture *f, const char *text, int64_t hint)
{
	lmrec_slots_parse(f->v, &f->sc, text, strlen(text), hint, &f->s);
	struct lmrec_out *o = lmrec_out_open_mem();
	lmrec_slots_write(o, f->v, &f->s);
	size_t n = o->len < sizeof f->buf - 1 ? o->len : sizeof f->buf - 1;
	memcpy(f->buf, o->buf, n);
	f->buf[n] = '\0';
	lmrec_out_abort(o);
	return f->buf;
}

static void test_stem(void)
{
	static const char *const cases[][2] = {
		{"jackets", "jacket"}, {"accessories", "accessory"}, {"dishes", "dish"}, {"beaches", "beach"},
		{"glasses", "glass"}, {"boxes", "box"}, {"shoes", "shoe"}, {"bus", "bus"}, {"chassis", "chassis"},
		{"dress", "dress"}, {"kids", "kid"}, {"gas", "gas"}, {"people", "person"}, {"children", "child"},
		{"two", "2"}, {"ten", "10"}, {"hiking", "hiking"}, {"s", "s"}, {"", ""},
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		char out[64];
		size_t n = lmrec_slots_stem(cases[k][0], strlen(cases[k][0]), out);
		out[n] = '\0';
		CHECK_STR(out, cases[k][1]);
	}
}

/* The polarity of each word of text as a string: + - * (any) c (cue) or
 * 2 ("any" window), with '|' at a new clause. */
static void scopes(const char *text, char *out, unsigned *answer)
{
	struct lmrec_text *tk = lmrec_slots_tokenizer();
	struct lmrec_swords ws = {0};
	struct lmrec_ids *stop = lmrec_ids_new();
	size_t nstop;
	const char *const *list = lmrec_text_english_stopwords(&nstop);
	for (size_t k = 0; k < nstop; k++)
		lmrec_ids_intern(stop, list[k], strlen(list[k]));
	lmrec_swords_split(&ws, tk, stop, text, strlen(text), 100);
	lmrec_ids_free(stop);
	int8_t mode[100];
	uint32_t clause[100];
	unsigned char cue[100];
	*answer = lmrec_slots_scope(&ws, mode, clause, cue);
	size_t o = 0;
	for (size_t i = 0; i < ws.n; i++) {
		if (i && clause[i] != clause[i - 1])
			out[o++] = '|';
		out[o++] = (char)(cue[i] ? 'c'
				  : mode[i] == 1 ? '+' : mode[i] == -1 ? '-' : mode[i] == 0 ? '*' : '2');
	}
	out[o] = '\0';
	lmrec_swords_free(&ws);
	lmrec_text_free(tk);
}

static void test_scope(void)
{
	char s[128];
	unsigned a;
	/* a, light, jacket | nothing(cue) heavy */
	scopes("a light jacket, nothing heavy", s, &a);
	CHECK_STR(s, "+++c|c-");
	CHECK_INT(a, 0);
	/* "and" ends a negation, "or" does not */
	scopes("not spicy and vegan", s, &a);
	CHECK_STR(s, "c-|c+");
	scopes("no meat or dairy", s, &a);
	CHECK_STR(s, "c---");
	/* n't forms and two-word cues */
	scopes("I don't want heavy", s, &a);
	CHECK_STR(s, "+c--");
	scopes("blue rather than red", s, &a);
	CHECK_STR(s, "+cc-");
	scopes("anything but green", s, &a);
	CHECK_STR(s, "cc-"); /* "but" after "anything" is no boundary */
	/* don't-care: the whole clause, and "any" for the next slot word */
	scopes("forget the budget, any colour", s, &a);
	CHECK_STR(s, "c**c|c2");
	scopes("the colour doesn't matter", s, &a);
	CHECK_STR(s, "**cc");
	/* answers */
	scopes("yes", s, &a);
	CHECK_INT(a, LMREC_ANS_YES);
	scopes("nope, not really", s, &a);
	CHECK_INT(a, LMREC_ANS_NO);
	scopes("I don't mind", s, &a);
	CHECK_INT(a, LMREC_ANS_EITHER);
	scopes("either is fine", s, &a);
	CHECK_INT(a, LMREC_ANS_EITHER);
	scopes("yes, in blue", s, &a);
	CHECK_INT(a, LMREC_ANS_YES);
	scopes("no heavy boots", s, &a);
	CHECK_INT(a, 0); /* a negation, not an answer */
}

static void test_exact(void)
{
	struct fixture f;
	fixture_open(&f);
	CHECK_STR(parse(&f, "a waterproof jacket for hiking", -1), "category=jackets;use=hiking;waterproof=yes");
	/* case, spacing, plurals, punctuation */
	CHECK_STR(parse(&f, "  WATERPROOF   Jackets!!! ", -1), "category=jackets;waterproof=yes");
	/* a value of several keys: the domain of the rest decides */
	CHECK_STR(parse(&f, "a light jacket", -1), "category=jackets;weight=light");
	CHECK_STR(parse(&f, "a light salad", -1), "category=salads;style=light");
	/* an -ing value answers to its verb as the texts write it */
	CHECK_STR(parse(&f, "shoes to run in", -1), "use=running");
	/* the key being answered wins an ambiguity */
	CHECK_STR(parse(&f, "light", -1), "style=light;weight=light");
	int64_t weight = lmrec_ids_find(f.cat.keys, "weight", 6);
	CHECK(weight >= 0);
	CHECK_STR(parse(&f, "light, please", weight), "weight=light");
	/* a key named beside a value of several keys */
	CHECK_STR(parse(&f, "a mid price", -1), "price=mid");
	/* a value made of digits needs its key; none here */
	CHECK_STR(parse(&f, "2", -1), "");
	/* titles are mentions */
	CHECK_STR(parse(&f, "not the Halvik Storm Shell", -1), "-brand=halvik;mention=j1");
	fixture_close(&f);
}

static void test_negation(void)
{
	struct fixture f;
	fixture_open(&f);
	CHECK_STR(parse(&f, "nothing heavy", -1), "-weight=heavy");
	CHECK_STR(parse(&f, "a jacket, not red or black", -1), "category=jackets;-color=black;-color=red");
	/* a yes/no key negated is its other value */
	CHECK_STR(parse(&f, "boots that are not waterproof", -1), "waterproof=no");
	/* the category after a negated attribute is neither wanted nor refused */
	CHECK_STR(parse(&f, "no heavy jackets", -1), "-weight=heavy"); /* no wish, no refusal */
	CHECK_STR(parse(&f, "no jackets", -1), "-category=jackets");
	/* how the catalog says it after a negation: "not spicy" is mild */
	const char *s = parse(&f, "not spicy", -1);
	CHECK(strstr(s, "spice=mild") != NULL);
	CHECK(strstr(s, "-spice") == NULL);
	/* "meat-free", "no meat": what the texts call meat-free */
	CHECK(strstr(parse(&f, "no meat", -1), "diet=vegetarian") != NULL);
	CHECK(strstr(parse(&f, "a meat-free soup", -1), "diet=vegetarian") != NULL);
	/* "and" ends the scope */
	CHECK_STR(parse(&f, "not heavy and waterproof", -1), "waterproof=yes;-weight=heavy");
	fixture_close(&f);
}

static void test_dont_care(void)
{
	struct fixture f;
	fixture_open(&f);
	CHECK_STR(parse(&f, "any color", -1), "color=*");
	CHECK_STR(parse(&f, "forget the price", -1), "price=*");
	CHECK_STR(parse(&f, "the brand doesn't matter, a light jacket", -1), "category=jackets;brand=*;weight=light");
	/* only the first slot after "any" */
	CHECK_STR(parse(&f, "any color in wool", -1), "color=*;material=wool");
	fixture_close(&f);
}

static void test_scenario(void)
{
	struct fixture f;
	fixture_open(&f);
	/* learned from the texts: featherweight and feather go with light */
	CHECK_STR(parse(&f, "featherweight", -1), "weight=light;scenario=featherweight");
	CHECK_STR(parse(&f, "a jacket for the commute", -1),
		  "category=jackets;season=winter;use=city;weight=heavy;scenario=commute");
	/* said outright beats implied: heavy is not overridden by "feather" */
	CHECK_STR(parse(&f, "a heavy jacket, light as a feather", -1),
		  "category=jackets;weight=heavy;weight=light;scenario=feather");
	/* a negated exact value does not hide an implied one of its key */
	CHECK_STR(parse(&f, "featherweight, nothing heavy", -1),
		  "-weight=heavy;weight=light;scenario=featherweight");
	/* the dump lists what was learned */
	struct lmrec_out *o = lmrec_out_open_mem();
	lmrec_slotvocab_dump(f.v, o);
	lmrec_out_byte(o, '\0');
	CHECK(strstr(o->buf, "\nfeather\tscenario\tweight=light\t") != NULL);
	lmrec_out_abort(o);
	fixture_close(&f);
}

static void test_answers(void)
{
	struct fixture f;
	fixture_open(&f);
	parse(&f, "yes", -1);
	CHECK_INT(f.s.answer, LMREC_ANS_YES);
	CHECK_INT(f.s.n, 0);
	parse(&f, "no", -1);
	CHECK_INT(f.s.answer, LMREC_ANS_NO);
	parse(&f, "either", -1);
	CHECK_INT(f.s.answer, LMREC_ANS_EITHER);
	parse(&f, "yes, blue please", -1);
	CHECK_INT(f.s.answer, LMREC_ANS_YES);
	CHECK_STR(f.buf, "color=blue");
	fixture_close(&f);
}

static void test_llm(void)
{
	struct fixture f;
	fixture_open(&f);
	json_error_t err;
	json_t *j = json_loads("{\"slots\": [{\"key\": \"weight\", \"value\": \"heavy\", \"polarity\": \"-\"},"
			       " {\"key\": \"waterproof\", \"value\": \"yes\", \"polarity\": \"-\"},"
			       " {\"key\": \"color\", \"value\": \"mauve\"}, {\"key\": \"restaurant\", \"value\": \"f1\"}],"
			       " \"drop\": [\"price\", \"nonsense\"], \"category\": \"jackets\", \"scenario\": \"rainy day\"}",
			       0, &err);
	CHECK(j != NULL);
	struct lmrec_llm_parse p;
	const char *why = NULL;
	CHECK_INT(lmrec_llm_read_parse(j, &p, &why), 0);
	size_t unknown = 9;
	lmrec_slots_from_llm(f.v, &p, &f.s, &unknown);
	CHECK_INT(unknown, 3); /* mauve, a reference key, nonsense */
	struct lmrec_out *o = lmrec_out_open_mem();
	lmrec_slots_write(o, f.v, &f.s);
	static const char want[] = "category=jackets;price=*;waterproof=no;-weight=heavy;scenario=rainy,day";
	CHECK_MEM(o->buf, o->len, want, sizeof want - 1);
	lmrec_out_abort(o);
	lmrec_llm_parse_free(&p);
	json_decref(j);
	/* and back: the context of the next request */
	struct lmrec_slots_llm x = {0};
	lmrec_slots_to_llm(f.v, &f.s, &x);
	json_t *r = lmrec_llm_parse_request("s1", 2, "yes", &x.p, "waterproof");
	char *text = json_dumps(r, JSON_COMPACT);
	CHECK_STR(text, "{\"task\":\"parse\",\"session\":\"s1\",\"turn\":2,\"text\":\"yes\",\"context\":{\"slots\":"
			"[{\"key\":\"waterproof\",\"value\":\"no\",\"polarity\":\"+\"},"
			"{\"key\":\"weight\",\"value\":\"heavy\",\"polarity\":\"-\"}],"
			"\"category\":\"jackets\",\"scenario\":\"rainy day\",\"asked\":\"waterproof\"}}");
	free(text);
	json_decref(r);
	lmrec_slots_llm_free(&x);
	fixture_close(&f);
}

static void test_bounds(void)
{
	struct fixture f;
	fixture_open(&f);
	/* 1 MB without a space, 1 MB of negations, binary: bounded, no crash */
	size_t n = 1 << 20;
	char *big = lmrec_xmalloc(n + 1);
	memset(big, 'x', n);
	big[n] = '\0';
	double t0 = lmrec_now();
	CHECK_STR(parse(&f, big, -1), "");
	for (size_t i = 0; i + 4 <= n; i += 4)
		memcpy(big + i, "not ", 4);
	memcpy(big + n - 5, "heavy", 5);
	parse(&f, big, -1);
	CHECK_INT(f.s.n, 0); /* heavy is past the words read */
	for (size_t i = 0; i < n; i++)
		big[i] = (char)(i * 2654435761u >> 24);
	lmrec_slots_parse(f.v, &f.sc, big, n, -1, &f.s);
	CHECK(lmrec_now() - t0 < 30);
	free(big);
	/* the words past the limit are not read */
	char *many = lmrec_xmalloc(6 * (LMREC_SLOTS_MAX_WORDS + 2) + 1);
	size_t at = 0;
	for (size_t i = 0; i < LMREC_SLOTS_MAX_WORDS; i++)
		at += (size_t)sprintf(many + at, "word ");
	sprintf(many + at, "red");
	CHECK_STR(parse(&f, many, -1), "");
	free(many);
	fixture_close(&f);
}

int main(int argc, char **argv)
{
	lmrec_setprogname("slots");
	if (argc != 2) {
		fprintf(stderr, "usage: slots ITEMS\n");
		return 2;
	}
	*items_path() = argv[1];
	CHECK_RUN(test_stem);
	CHECK_RUN(test_scope);
	CHECK_RUN(test_exact);
	CHECK_RUN(test_negation);
	CHECK_RUN(test_dont_care);
	CHECK_RUN(test_scenario);
	CHECK_RUN(test_answers);
	CHECK_RUN(test_llm);
	CHECK_RUN(test_bounds);
	return check_done();
}

/* Unit tests of lib/llm.c: the request builders (exact JSON, bytes that are
 * not UTF-8), the answer readers (every refusal, with its reason), and the
 * framing through a model that is `cat` (each request comes back as its
 * own answer, whatever its text holds); the counts and lmrec_llm_reject.
 * The misbehaving models are in tests/llm.bats. */
#include "check.h"
#include "llm.h"

/* The compact JSON of v, in a fresh allocation. */
static char *dump(const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	return s ? s : lmrec_xstrdup("(null)");
}

#define CHECK_JSON(v, want)                                                                        \
	do {                                                                                       \
		json_t *v_ = (v);                                                                  \
		char *s_ = dump(v_);                                                               \
		CHECK_STR(s_, (want));                                                             \
		free(s_);                                                                          \
		json_decref(v_);                                                                   \
	} while (0)

static json_t *load(const char *s)
{
	json_error_t err;
	json_t *v = json_loads(s, 0, &err);
	if (!v)
		check_fail(__FILE__, __LINE__, "bad JSON in the test: %s", err.text);
	return v;
}

static void test_string_utf8(void)
{
	CHECK_JSON(lmrec_llm_string("caf\xc3\xa9", 5), "\"caf\xc3\xa9\"");
	/* a lone continuation byte, a truncated sequence, an overlong '/' */
	CHECK_JSON(lmrec_llm_string("a\x80z", 3), "\"a\xef\xbf\xbdz\"");
	CHECK_JSON(lmrec_llm_string("x\xc3", 2), "\"x\xef\xbf\xbd\"");
	CHECK_JSON(lmrec_llm_string("\xc0\xaf!", 3), "\"\xef\xbf\xbd\xef\xbf\xbd!\"");
	CHECK_JSON(lmrec_llm_string("tab\there\nnl \"q\" \\", 17),
		   "\"tab\\there\\nnl \\\"q\\\" \\\\\"");
	CHECK_JSON(lmrec_llm_string("", 0), "\"\"");
}

static void test_parse_request(void)
{
	CHECK_JSON(lmrec_llm_parse_request("c0001", 1, "a light jacket", NULL, NULL),
		   "{\"task\":\"parse\",\"session\":\"c0001\",\"turn\":1,\"text\":\"a light "
		   "jacket\",\"context\":{\"slots\":[],\"category\":null,\"scenario\":null,"
		   "\"asked\":null}}");
	struct lmrec_llm_slot sl[2] = {{"weight", "light", '+'}, {"spice", "hot", '-'}};
	struct lmrec_llm_parse st = {.slots = sl, .nslots = 2, .category = "jackets",
				     .scenario = "winter running"};
	CHECK_JSON(lmrec_llm_parse_request("c2", 3, "yes", &st, "waterproof"),
		   "{\"task\":\"parse\",\"session\":\"c2\",\"turn\":3,\"text\":\"yes\","
		   "\"context\":{\"slots\":[{\"key\":\"weight\",\"value\":\"light\","
		   "\"polarity\":\"+\"},{\"key\":\"spice\",\"value\":\"hot\",\"polarity\":"
		   "\"-\"}],\"category\":\"jackets\",\"scenario\":\"winter running\","
		   "\"asked\":\"waterproof\"}}");
}

static void test_question_and_summary_requests(void)
{
	const char *v[] = {"yes", "no"};
	CHECK_JSON(lmrec_llm_question_request("waterproof", v, 2),
		   "{\"task\":\"question\",\"key\":\"waterproof\",\"values\":[\"yes\",\"no\"]}");
	CHECK_JSON(lmrec_llm_question_request("color", NULL, 0),
		   "{\"task\":\"question\",\"key\":\"color\",\"values\":[]}");
	struct lmrec_llm_item it[2] = {{"i1", "Down jacket", "weight=light;season=winter"},
				       {"i2", "Trail shoes", NULL}};
	const char *tastes[] = {"light", "running"};
	CHECK_JSON(lmrec_llm_summary_request("bundle", it, 2, tastes, 2),
		   "{\"task\":\"summary\",\"kind\":\"bundle\",\"items\":[{\"item\":\"i1\","
		   "\"title\":\"Down jacket\",\"attrs\":\"weight=light;season=winter\"},"
		   "{\"item\":\"i2\",\"title\":\"Trail shoes\",\"attrs\":\"\"}],\"tastes\":"
		   "[\"light\",\"running\"]}");
}

static void test_read_parse(void)
{
	struct lmrec_llm_parse p;
	const char *why = NULL;
	json_t *a = load("{\"slots\":[{\"key\":\"weight\",\"value\":\"light\"},"
			 "{\"key\":\"spice\",\"value\":\"hot\",\"polarity\":\"-\"}],"
			 "\"category\":\"jackets\",\"scenario\":null,\"drop\":[\"price\"],"
			 "\"extra\":1}");
	CHECK_INT(lmrec_llm_read_parse(a, &p, &why), 0);
	CHECK_INT(p.nslots, 2);
	if (p.nslots == 2) {
		CHECK_STR(p.slots[0].key, "weight");
		CHECK_STR(p.slots[0].value, "light");
		CHECK_INT(p.slots[0].polarity, '+');
		CHECK_STR(p.slots[1].key, "spice");
		CHECK_INT(p.slots[1].polarity, '-');
	}
	CHECK_INT(p.ndrop, 1);
	if (p.ndrop == 1)
		CHECK_STR(p.drop[0], "price");
	CHECK_STR(p.category ? p.category : "(null)", "jackets");
	CHECK(p.scenario == NULL);
	lmrec_llm_parse_free(&p);
	json_decref(a);

	/* the least: an empty slots array */
	a = load("{\"slots\":[]}");
	CHECK_INT(lmrec_llm_read_parse(a, &p, &why), 0);
	CHECK_INT(p.nslots, 0);
	CHECK(p.category == NULL && p.scenario == NULL && p.ndrop == 0);
	lmrec_llm_parse_free(&p);
	json_decref(a);

	static const struct {
		const char *answer, *why;
	} bad[] = {
		{"{}", "'slots' is not an array"},
		{"{\"slots\":{}}", "'slots' is not an array"},
		{"{\"slots\":[1]}", "a slot is not an object"},
		{"{\"slots\":[{\"key\":\"a\"}]}", "a slot lacks its 'key' or 'value' string"},
		{"{\"slots\":[{\"key\":\"\",\"value\":\"b\"}]}",
		 "a slot lacks its 'key' or 'value' string"},
		{"{\"slots\":[{\"key\":\"a\",\"value\":2}]}",
		 "a slot lacks its 'key' or 'value' string"},
		{"{\"slots\":[{\"key\":\"a\",\"value\":\"b\",\"polarity\":\"no\"}]}",
		 "a slot's 'polarity' is neither \"+\" nor \"-\""},
		{"{\"slots\":[],\"drop\":\"price\"}", "'drop' is not an array"},
		{"{\"slots\":[],\"drop\":[\"a\",3]}", "'drop' holds something other than a key"},
		{"{\"slots\":[],\"category\":[\"x\"]}", "'category' is not a string"},
		{"{\"slots\":[],\"scenario\":7}", "'scenario' is not a string"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		a = load(bad[i].answer);
		why = NULL;
		CHECK_INT(lmrec_llm_read_parse(a, &p, &why), -1);
		CHECK_STR(why ? why : "(null)", bad[i].why);
		CHECK(p.slots == NULL && p.nslots == 0 && p.drop == NULL);
		json_decref(a);
	}
	lmrec_llm_parse_free(NULL);
}

static void test_read_text(void)
{
	json_t *a = load("{\"text\":\"Do you need it waterproof?\"}");
	CHECK_STR(lmrec_llm_read_text(a), "Do you need it waterproof?");
	json_decref(a);
	static const char *bad[] = {"{}", "{\"text\":\"\"}", "{\"text\":\" \\n\\t\"}",
				    "{\"text\":3}", "{\"Text\":\"x\"}"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		a = load(bad[i]);
		CHECK(lmrec_llm_read_text(a) == NULL);
		json_decref(a);
	}
}

/* `cat` answers each request with itself: the framing is exact whatever
 * the text holds (newlines, quotes, non-ASCII, bytes that are not UTF-8,
 * 300 kB), and each answer is the request's own. */
static void test_cat_round_trip(void)
{
	struct lmrec_llm *m = lmrec_llm_start("exec cat", 5000);
	size_t big = 300000;
	char *t = lmrec_xmalloc(big + 1);
	for (size_t i = 0; i < big; i++)
		t[i] = (char)('a' + i % 26);
	t[big] = '\0';
	const char *texts[] = {"plain", "two\nlines\r\n and a \"quote\" \\ ", "\xe2\x80\xa8 caf\xc3\xa9",
			       "not utf-8: \xff\xfe", t};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		json_t *req = lmrec_llm_parse_request("s", (long long)i, texts[i], NULL, NULL);
		json_t *ans = lmrec_llm_ask(m, req);
		CHECK(ans != NULL);
		CHECK(json_equal(req, ans));
		json_decref(ans);
		json_decref(req);
	}
	free(t);
	struct lmrec_llm_stats s;
	lmrec_llm_stats(m, &s);
	CHECK_INT(s.asked, 5);
	CHECK_INT(s.answered, 5);
	/* reject moves the last answer to garbage, once */
	lmrec_llm_reject(m);
	lmrec_llm_reject(m);
	lmrec_llm_stats(m, &s);
	CHECK_INT(s.answered, 4);
	CHECK_INT(s.garbage, 1);
	CHECK_INT(s.asked, s.answered + s.timeout + s.died + s.garbage + s.skipped);
	lmrec_llm_close(m);
	lmrec_llm_close(NULL);
}

/* A model that ends at once: the request after is a death, the next ones
 * are skipped without waiting; reject after a NULL does nothing. */
static void test_death_then_skips(void)
{
	struct lmrec_llm *m = lmrec_llm_start("exit 0", 5000);
	lmrec_llm_set_quiet(m, 1);
	json_t *req = lmrec_llm_question_request("color", NULL, 0);
	double t0 = lmrec_now();
	for (int i = 0; i < 3; i++)
		CHECK(lmrec_llm_ask(m, req) == NULL);
	CHECK(lmrec_now() - t0 < 2.0);
	lmrec_llm_reject(m);
	struct lmrec_llm_stats s;
	lmrec_llm_stats(m, &s);
	CHECK_INT(s.asked, 3);
	CHECK_INT(s.died, 1);
	CHECK_INT(s.skipped, 2);
	CHECK_INT(s.garbage, 0);
	json_decref(req);
	lmrec_llm_close(m);
}

int main(void)
{
	lmrec_setprogname("unit-llm");
	CHECK_RUN(test_string_utf8);
	CHECK_RUN(test_parse_request);
	CHECK_RUN(test_question_and_summary_requests);
	CHECK_RUN(test_read_parse);
	CHECK_RUN(test_read_text);
	CHECK_RUN(test_cat_round_trip);
	CHECK_RUN(test_death_then_skips);
	return check_done();
}

/* Unit tests of lib/agent*.c: goal matching, the memory's reading of turns
 * (lexicon, polarity, catalog values, towns, days, overrides), cost
 * points, the profile store's preferences (lib/prefs.c: entries, boosts,
 * reasons) and the seam that uses them (soft boosts within a tier).
 *
 *   tests/unit/agent DIR   (tests/fixtures/agent: items.tsv, tasks.tsv)
 */
#include <math.h>

#include "agent.h"
#include "check.h"

static const char **dir_path(void)
{
	static const char *path;
	return &path;
}

struct fixture {
	struct lmrec_catalog cat;
	struct lmrec_agent_lib lib;
	struct lmrec_agent_parser *p;
	char *buf;
	size_t len, cap;
};

static void fixture_open(struct fixture *f)
{
	memset(f, 0, sizeof *f);
	char *items = lmrec_xasprintf("%s/items.tsv", *dir_path());
	char *tasks = lmrec_xasprintf("%s/tasks.tsv", *dir_path());
	lmrec_catalog_load(&f->cat, items);
	lmrec_agent_lib_load(&f->lib, &f->cat, &tasks, 1);
	f->p = lmrec_agent_parser_new(&f->lib);
	free(items);
	free(tasks);
}

static void fixture_close(struct fixture *f)
{
	lmrec_agent_parser_free(f->p);
	lmrec_agent_lib_free(&f->lib);
	lmrec_catalog_free(&f->cat);
	free(f->buf);
}

/* The memory's constraints as "c1;c2 (turn)" text. */
static const char *mem_text(struct fixture *f, const struct lmrec_agent_memory *m)
{
	f->len = 0;
	for (size_t i = 0; i < m->n; i++) {
		if (i) {
			LMREC_GROW(f->buf, f->cap, f->len + 2);
			f->buf[f->len++] = ';';
		}
		lmrec_agent_cons_text(&f->lib, &m->c[i], &f->buf, &f->len, &f->cap);
		char t[32];
		int n = snprintf(t, sizeof t, "@%zu", m->c[i].ref);
		LMREC_GROW(f->buf, f->cap, f->len + (size_t)n + 1);
		memcpy(f->buf + f->len, t, (size_t)n);
		f->len += (size_t)n;
	}
	LMREC_GROW(f->buf, f->cap, f->len + 1);
	f->buf[f->len] = '\0';
	return f->buf;
}

static const char *match(struct fixture *f, const char *text, size_t *score)
{
	int64_t g = lmrec_agent_lib_match(&f->lib, text, strlen(text), score);
	return g < 0 ? "(none)" : f->lib.g[g].name;
}

static void test_match(void)
{
	struct fixture f;
	fixture_open(&f);
	size_t s;
	CHECK_STR(match(&f, "weekend family leisure plan", &s), "family-weekend");
	CHECK_U64(s, 3);
	/* a tie (one word each): the keyword first in its list wins */
	CHECK_STR(match(&f, "a camping weekend", &s), "camping-trip");
	CHECK_U64(s, 1);
	/* phrases match as consecutive words, after normalisation */
	CHECK_STR(match(&f, "FILM-NIGHT at Home!", &s), "film-night");
	CHECK_U64(s, 4);
	CHECK_STR(match(&f, "a night with a film", &s), "(none)");
	CHECK_STR(match(&f, "Day trips", &s), "city-tour");
	CHECK_U64(s, 2);
	CHECK_STR(match(&f, "", &s), "(none)");
	CHECK_U64(s, 0);
	fixture_close(&f);
}

static void test_memory(void)
{
	struct fixture f;
	fixture_open(&f);
	struct lmrec_agent_memory m = {0};
	m.place = -1;
	const char *t1 = "a weekend with the kids in Gullhaven";
	lmrec_agent_memory_read(f.p, &m, t1, strlen(t1), 1);
	CHECK_STR(mem_text(&f, &m), "family=yes@1;audience!=adult@1");
	CHECK_U64(m.days, 2);
	CHECK_INT(m.days_turn, 0);
	CHECK(m.place >= 0 && strcmp(f.cat.values->str[m.place], "gullhaven") == 0);
	/* turn 1 reads no catalog value ("thai") */
	struct lmrec_agent_memory m1 = {0};
	m1.place = -1;
	lmrec_agent_memory_read(f.p, &m1, "thai tonight", 12, 1);
	CHECK_STR(mem_text(&f, &m1), "");
	CHECK_U64(m1.days, 1);
	lmrec_agent_memory_free(&m1);
	/* negation, later turns */
	const char *t2 = "nothing spicy, and I'd rather be indoors";
	lmrec_agent_memory_read(f.p, &m, t2, strlen(t2), 2);
	CHECK_STR(mem_text(&f, &m), "family=yes@1;audience!=adult@1;spice!=hot@2;setting=indoor@2");
	const char *t3 = "actually make it 3 days in caldor, something thai, no museums";
	lmrec_agent_memory_read(f.p, &m, t3, strlen(t3), 3);
	CHECK_STR(mem_text(&f, &m),
		  "family=yes@1;audience!=adult@1;spice!=hot@2;setting=indoor@2;cuisine=thai@3;category!=museum@3");
	CHECK_U64(m.days, 3);
	CHECK_INT(m.days_turn, 1);
	CHECK(strcmp(f.cat.values->str[m.place], "caldor") == 0);
	/* a weekend after "3 days" in another turn: the later saying wins */
	lmrec_agent_memory_read(f.p, &m, "a weekend then", 14, 4);
	CHECK_U64(m.days, 2);
	/* overrides: a wanted value replaces its key, a refused one the same value */
	const char *t5 = "I love spicy food, outside please, not thai";
	lmrec_agent_memory_read(f.p, &m, t5, strlen(t5), 5);
	CHECK_STR(mem_text(&f, &m), "family=yes@1;audience!=adult@1;category!=museum@3;spice=hot@5;"
				    "setting=outdoor@5;cuisine!=thai@5");
	/* two values wanted in one turn are both kept */
	const char *t6 = "korean or japanese";
	lmrec_agent_memory_read(f.p, &m, t6, strlen(t6), 6);
	CHECK(strstr(mem_text(&f, &m), "cuisine=japanese@6") != NULL);
	CHECK(strstr(mem_text(&f, &m), "cuisine!=thai@5") == NULL);
	/* "food" names the domain, not topic=food or the like; cheap */
	const char *t7 = "cheap food";
	lmrec_agent_memory_read(f.p, &m, t7, strlen(t7), 7);
	CHECK(strstr(mem_text(&f, &m), "price=low@7;cost!=mid@7;cost!=high@7") != NULL);
	/* huge and odd input is read in bounded time */
	size_t big = 1 << 20;
	char *junk = lmrec_xmalloc(big);
	for (size_t i = 0; i < big; i++)
		junk[i] = (char)(i * 7 % 251 + 1);
	lmrec_agent_memory_read(f.p, &m, junk, big, 8);
	free(junk);
	lmrec_agent_memory_free(&m);
	fixture_close(&f);
}

static uint32_t item(struct fixture *f, const char *id)
{
	int64_t i = lmrec_catalog_find(&f->cat, id, strlen(id));
	CHECK(i >= 0);
	return (uint32_t)i;
}

static void test_cost(void)
{
	struct fixture f;
	fixture_open(&f);
	CHECK(lmrec_agent_cost(&f.lib, item(&f, "f02")) == 1);  /* price=low */
	CHECK(lmrec_agent_cost(&f.lib, item(&f, "f01")) == 2);  /* price=mid */
	CHECK(lmrec_agent_cost(&f.lib, item(&f, "p07")) == 3);  /* cost=high */
	CHECK(lmrec_agent_cost(&f.lib, item(&f, "p01")) == 0);  /* cost=free */
	CHECK(lmrec_agent_cost(&f.lib, item(&f, "v01")) == 0);  /* neither */
	fixture_close(&f);
}

/* Appends what lmrec_prefs_reason says of item `id` to a fresh string. */
static char *reason_of(struct fixture *f, const struct lmrec_prefs *pf, const struct lmrec_prefs_user *u,
		       const char *id, double unit)
{
	char *b = NULL;
	size_t len = 0, cap = 0;
	LMREC_GROW(b, cap, 1);
	b[0] = '\0';
	lmrec_prefs_reason(pf, u, (uint32_t)item(f, id), unit, &b, &len, &cap);
	return b;
}

/* The profile store's preferences (prefs.h): entries, boosts, reasons. */
static void test_prefs_entries(void)
{
	struct fixture f;
	fixture_open(&f);
	struct lmrec_prefs pf;
	lmrec_prefs_init(&pf, &f.cat);
	const char *why = NULL;
	int col = -1;
#define ADD(u, k, y, w) lmrec_prefs_add(&pf, u, strlen(u), k, strlen(k), y, strlen(y), w, &why, &col)
	CHECK_INT(ADD("u", "attr", "ambience=cosy", 4), 0);
	CHECK_INT(ADD("u", "attr", "price=high", -2), 0);
	CHECK_INT(ADD("u", "attr", "spice=mild", 1), 0);
	CHECK_INT(ADD("u", "attr", "region=coast", 1), 0);
	CHECK_INT(ADD("u", "attr", "gone=x", 9), 0); /* not in the catalog: skipped */
	CHECK_INT(ADD("u", "category", "museum", 9), 0);
	CHECK_INT(ADD("u", "blocked", "f05", 1), 0);
	CHECK_INT(ADD("u", "blocked", "nowhere", 1), 0);
	CHECK_INT(ADD("", "attr", "spice=mild", 1), -1);
	CHECK_INT(col, 0);
	CHECK_INT(ADD("u", "attrs", "spice=mild", 1), -1);
	CHECK_INT(col, 1);
	CHECK_INT(ADD("u", "attr", "spice", 1), -1);
	CHECK_INT(col, 2);
	CHECK_STR(why, "not key=value");
	CHECK_INT(ADD("u", "attr", "spice=mild", NAN), -1);
	CHECK_INT(col, 3);
	CHECK_INT(ADD("u", "blocked", "", 1), -1);
	CHECK_INT(col, 2);
#undef ADD
	const struct lmrec_prefs_user *u = lmrec_prefs_find(&pf, "u", 1);
	CHECK(u != NULL);
	CHECK(lmrec_prefs_find(&pf, "v", 1) == NULL);
	if (u) {
		CHECK_U64(u->np, 4);
		CHECK_U64(u->nb, 2);
		CHECK(u->wmax == 4);
		/* f03: cosy +4, high -2, mild +1, coast +1, over 4, times 0.5 */
		CHECK(fabs(lmrec_prefs_boost(&pf, u, (uint32_t)item(&f, "f03"), 0.5) - 0.5) < 1e-12);
		CHECK(lmrec_prefs_boost(&pf, u, (uint32_t)item(&f, "f05"), 0.5) == 0);
		char *r = reason_of(&f, &pf, u, "f03", 0.5);
		CHECK_STR(r, "your profile: likes ambience=cosy (+0.5), dislikes price=high (-0.25) and 2 more");
		free(r);
		/* a tie of |boost|: the pairs by their text */
		r = reason_of(&f, &pf, u, "f07", 0.5);
		CHECK_STR(r, "your profile: likes ambience=cosy (+0.5), likes spice=mild (+0.125)");
		free(r);
		r = reason_of(&f, &pf, u, "f05", 0.5);
		CHECK_STR(r, "");
		free(r);
	}
	lmrec_prefs_free(&pf);
	fixture_close(&f);
}

/* The seam of the profile store: boosts reorder within a tier only, and
 * the reason of a boosted row names its pair. */
static void test_prefs(void)
{
	struct fixture f;
	fixture_open(&f);
	size_t n = f.cat.n;
	struct lmrec_agent_scores sc = {lmrec_xcalloc(n, 1), lmrec_xcalloc(n, sizeof(double)), NULL, NULL, NULL, 0};
	for (size_t i = 0; i < n; i++)
		sc.tier[i] = LMREC_TIER_CATALOG;
	sc.tier[item(&f, "f05")] = LMREC_TIER_USER;
	sc.score[item(&f, "f05")] = 0.1;
	struct lmrec_prefs pf;
	lmrec_prefs_init(&pf, &f.cat);
	const char *why;
	int col;
	CHECK_INT(lmrec_prefs_add(&pf, "u", 1, "attr", 4, "ambience=cosy", 13, 3.0, &why, &col), 0);
	sc.prefs = &pf;
	sc.pu = lmrec_prefs_find(&pf, "u", 1);
	sc.unit = 2.0;
	for (size_t i = 0; i < n; i++)
		sc.score[i] += lmrec_prefs_boost(&pf, sc.pu, (uint32_t)i, sc.unit);
	CHECK(sc.score[item(&f, "f03")] == 2.0);
	CHECK(sc.score[item(&f, "f01")] == 0.0);
	CHECK(sc.score[item(&f, "f05")] == 0.1);
	/* the plan: the boost puts the cosy Science Hall (p06) first among the
	 * sights, so the town is Caldor; dinners: the user's f05, then the
	 * cosy f07, then f04 (the only one left in Caldor) */
	size_t sm;
	int64_t g = lmrec_agent_lib_match(&f.lib, "a city tour", 11, &sm);
	struct lmrec_agent_memory mem = {0};
	mem.place = -1;
	mem.days = 3;
	struct lmrec_agent_fill fl = {&f.lib, NULL, NULL, &mem, &sc, INFINITY};
	struct lmrec_agent_plan p;
	lmrec_agent_plan_tasks(&p, &fl, g);
	lmrec_agent_plan_fill(&p, &fl);
	CHECK_U64(p.nr, 6);
	if (p.nr == 6) {
		CHECK_INT(p.r[0].item, item(&f, "p06"));
		CHECK_INT(p.r[1].item, item(&f, "f05"));
		CHECK_INT(p.r[3].item, item(&f, "f07"));
		CHECK_INT(p.r[5].item, item(&f, "f04"));
		size_t l0 = strlen(p.r[0].reason), l1 = strlen(p.r[1].reason);
		const char *tail = "; catalog order; your profile: likes ambience=cosy (+2)";
		CHECK(l0 >= strlen(tail) && strcmp(p.r[0].reason + l0 - strlen(tail), tail) == 0);
		/* f05 is not cosy: its reason names no profile */
		CHECK(l1 >= 12 && strcmp(p.r[1].reason + l1 - 12, "; your score") == 0);
	}
	lmrec_agent_plan_free(&p);
	lmrec_prefs_free(&pf);
	free(sc.tier);
	free(sc.score);
	fixture_close(&f);
}

int main(int argc, char **argv)
{
	lmrec_setprogname("agent");
	if (argc != 2) {
		fprintf(stderr, "usage: agent DIR\n");
		return 2;
	}
	*dir_path() = argv[1];
	CHECK_RUN(test_match);
	CHECK_RUN(test_memory);
	CHECK_RUN(test_cost);
	CHECK_RUN(test_prefs_entries);
	CHECK_RUN(test_prefs);
	return check_done();
}

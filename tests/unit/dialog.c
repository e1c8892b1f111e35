/* Unit tests of lib/dialog.c: the state across turns (changes of mind,
 * answers), the ranking (filters, matches, the user's scores, items
 * shown), and the question (information gain computed by hand, the
 * random choice, the wording).
 *
 *   tests/unit/dialog ITEMS   (tests/fixtures/chat/items.tsv)
 */
#include <math.h>

#include "check.h"
#include "dialog.h"

static const char **items_path(void)
{
	static const char *path;
	return &path;
}

struct fixture {
	struct lmrec_catalog cat;
	struct lmrec_slotvocab *v;
	struct lmrec_slots_scratch sc;
	struct lmrec_slots s;
	struct lmrec_dialog *d;
	struct lmrec_rng rng;
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
	p.dim = 0;
	f->v = lmrec_slotvocab_build(&f->cat, &p, NULL);
	struct lmrec_dialog_params dp;
	lmrec_dialog_defaults(&dp);
	f->d = lmrec_dialog_new(f->v, &dp);
	lmrec_dialog_start(f->d, NULL);
	lmrec_rng_seed(&f->rng, 1);
}

static void fixture_close(struct fixture *f)
{
	lmrec_dialog_free(f->d);
	lmrec_slots_free(&f->s);
	lmrec_slots_scratch_free(&f->sc);
	lmrec_slotvocab_free(f->v);
	lmrec_catalog_free(&f->cat);
}

/* One turn: parsed (the pending question's key as the hint), merged,
 * ranked. */
static void say(struct fixture *f, const char *text)
{
	int64_t hint = f->d->last.key >= 0 && (size_t)f->d->last.key < f->v->nkeys ? f->d->last.key : -1;
	lmrec_slots_parse(f->v, &f->sc, text, strlen(text), hint, &f->s);
	lmrec_dialog_turn(f->d, &f->s);
	lmrec_dialog_rank(f->d);
}

static const char *state(struct fixture *f)
{
	struct lmrec_out *o = lmrec_out_open_mem();
	lmrec_slots_write(o, f->v, &f->d->state);
	size_t n = o->len < sizeof f->buf - 1 ? o->len : sizeof f->buf - 1;
	memcpy(f->buf, o->buf, n);
	f->buf[n] = '\0';
	lmrec_out_abort(o);
	return f->buf;
}

/* The ids of the ranking, space-separated. */
static const char *ranking(struct fixture *f)
{
	size_t at = 0;
	f->buf[0] = '\0';
	for (size_t k = 0; k < f->d->norder && at + 16 < sizeof f->buf; k++) {
		size_t len;
		const char *id = lmrec_ids_str(f->cat.items, f->d->order[k], &len);
		at += (size_t)snprintf(f->buf + at, sizeof f->buf - at, "%s%.*s", k ? " " : "", (int)len, id);
	}
	return f->buf;
}

static size_t key(const struct fixture *f, const char *name)
{
	int64_t k = lmrec_ids_find(f->cat.keys, name, strlen(name));
	if (k < 0) {
		check_fail(__FILE__, __LINE__, "no key %s", name);
		return 0;
	}
	return (size_t)k;
}

#define CHECK_NEAR(a, b)                                                                           \
	do {                                                                                       \
		double a_ = (a), b_ = (b);                                                         \
		if (!(fabs(a_ - b_) < 1e-9))                                                       \
			check_fail(__FILE__, __LINE__, "%s == %.12g, expected %.12g", #a, a_, b_); \
	} while (0)

static void test_state(void)
{
	struct fixture f;
	fixture_open(&f);
	say(&f, "a blue jacket, nothing heavy");
	CHECK_STR(state(&f), "category=jackets;color=blue;-weight=heavy");
	/* a change of mind replaces the key's slots, others stay */
	say(&f, "actually, make it red");
	CHECK_STR(state(&f), "category=jackets;color=red;-weight=heavy");
	say(&f, "forget the color");
	CHECK_STR(state(&f), "category=jackets;color=*;-weight=heavy");
	CHECK(lmrec_dialog_settled(f.d, key(&f, "color")));
	CHECK(!lmrec_dialog_settled(f.d, key(&f, "weight"))); /* only a negation */
	/* a new category replaces the old one */
	say(&f, "footwear instead");
	CHECK_STR(state(&f), "category=footwear;color=*;-weight=heavy");
	/* a new session starts empty */
	lmrec_dialog_start(f.d, NULL);
	CHECK_STR(state(&f), "");
	fixture_close(&f);
}

static void test_answers(void)
{
	struct fixture f;
	fixture_open(&f);
	size_t wp = key(&f, "waterproof"), weight = key(&f, "weight"), color = key(&f, "color");
	say(&f, "a jacket");
	/* yes to a yes/no key */
	f.d->last = (struct lmrec_question){.key = (int64_t)wp, .pair = -1};
	say(&f, "yes please");
	CHECK_STR(state(&f), "category=jackets;waterproof=yes");
	f.d->last = (struct lmrec_question){.key = (int64_t)wp, .pair = -1};
	say(&f, "nope");
	CHECK_STR(state(&f), "category=jackets;waterproof=no");
	/* a value answers a valued key: "light" read as the key asked */
	f.d->last = (struct lmrec_question){.key = (int64_t)weight, .pair = -1};
	say(&f, "light, please");
	CHECK_STR(state(&f), "category=jackets;waterproof=no;weight=light");
	/* yes or no to "which colour?" says nothing; either settles it */
	f.d->last = (struct lmrec_question){.key = (int64_t)color, .pair = -1};
	say(&f, "yes");
	CHECK_STR(state(&f), "category=jackets;waterproof=no;weight=light");
	f.d->last = (struct lmrec_question){.key = (int64_t)color, .pair = -1};
	say(&f, "I don't mind");
	CHECK_STR(state(&f), "category=jackets;color=*;waterproof=no;weight=light");
	/* a question about one value: yes wants it, no refuses it */
	int64_t red = lmrec_slotvocab_pair(f.v, (uint32_t)color,
					   (uint32_t)lmrec_ids_find(f.cat.values, "red", 3));
	CHECK(red >= 0);
	f.d->last = (struct lmrec_question){.key = (int64_t)color, .pair = red};
	say(&f, "no");
	CHECK_STR(state(&f), "category=jackets;-color=red;waterproof=no;weight=light");
	/* the answer is resolved once: a later "yes" says nothing */
	say(&f, "yes");
	CHECK_STR(state(&f), "category=jackets;-color=red;waterproof=no;weight=light");
	fixture_close(&f);
}

static void test_rank(void)
{
	struct fixture f;
	fixture_open(&f);
	/* b3 is unavailable; -heavy filters; jackets filter */
	say(&f, "a jacket, nothing heavy");
	CHECK_STR(ranking(&f), "j1 j4 j5");
	/* a wanted value: matches first, others of the key last */
	say(&f, "waterproof");
	CHECK_STR(ranking(&f), "j1 j5 j4");
	CHECK_NEAR(f.d->score[f.d->order[0]], 1.0);
	CHECK_NEAR(f.d->score[f.d->order[2]], -1.0);
	/* shown items are not offered again */
	lmrec_dialog_show(f.d, 1);
	lmrec_dialog_rank(f.d);
	CHECK_STR(ranking(&f), "j5 j4");
	/* the user's scores reorder equal matches */
	float cf[16] = {0};
	cf[0] = -1; /* j1 */
	cf[4] = 2;  /* j5 */
	lmrec_dialog_start(f.d, cf);
	say(&f, "a waterproof jacket");
	CHECK_STR(ranking(&f), "j5 j1 j2 j3 j4"); /* equal scores: by id */
	CHECK_NEAR(f.d->score[4], 1.0 + 0.5 * 2);
	/* mentioned items count as shown */
	say(&f, "not the tarnfield rain jacket");
	CHECK(strstr(ranking(&f), "j5") == NULL);
	/* filters that leave nothing are relaxed */
	lmrec_dialog_start(f.d, NULL);
	say(&f, "a jacket");
	struct lmrec_slots t = {0};
	struct lmrec_slot food = {LMREC_SLOT_DOMAIN, LMREC_POL_POS, LMREC_SRC_EXACT,
				  (uint32_t)lmrec_ids_find(f.cat.domains, "food", 4), 1.0f};
	lmrec_slots_put(&t, &food);
	lmrec_dialog_turn(f.d, &t);
	lmrec_dialog_rank(f.d);
	CHECK_INT(f.d->norder, 15); /* every available item, soft filters only */
	CHECK_NEAR(f.d->score[f.d->order[0]], 1.0);
	lmrec_slots_free(&t);
	fixture_close(&f);
}

static void test_infogain(void)
{
	struct fixture f;
	fixture_open(&f);
	/* five jackets, equal scores: the shares are counts / 5 */
	say(&f, "a jacket");
	CHECK_NEAR(lmrec_dialog_gain(f.d, key(&f, "color")), log2(5));
	CHECK_NEAR(lmrec_dialog_gain(f.d, key(&f, "brand")), -(0.8 * log2(0.4) + 0.2 * log2(0.2)));
	CHECK_NEAR(lmrec_dialog_gain(f.d, key(&f, "waterproof")), -(0.4 * log2(0.4) + 0.6 * log2(0.6)));
	/* wool, down, and three without material: "no value" tells nothing, so
	 * 0.4 H(C) + sum a log a - sum P(v) log P(v) = 0.4 log2 5 */
	CHECK_NEAR(lmrec_dialog_gain(f.d, key(&f, "material")), 0.4 * log2(5));
	CHECK_NEAR(lmrec_dialog_gain(f.d, key(&f, "spice")), 0.0);
	struct lmrec_question q;
	CHECK(lmrec_dialog_ask(f.d, LMREC_ASK_INFOGAIN, &f.rng, &q));
	CHECK_INT(q.key, key(&f, "color"));
	CHECK_NEAR(q.gain, log2(5));
	char *text = lmrec_dialog_phrase(f.v, &q);
	CHECK_STR(text, "Which color would you like: black, blue, green or something else?");
	free(text);
	/* red: j4 scores 1, the others -1 (another color); softmax weights
	 * 1 / (1 + 4 e^-2) and e^-2 / (1 + 4 e^-2) */
	say(&f, "red");
	CHECK_STR(state(&f), "category=jackets;color=red");
	double p4 = 1 / (1 + 4 * exp(-2.0)), po = exp(-2.0) / (1 + 4 * exp(-2.0));
	CHECK_NEAR(lmrec_dialog_gain(f.d, key(&f, "brand")),
		   -(2 * po * log2(2 * po) + (p4 + po) * log2(p4 + po) + po * log2(po)));
	double use = -(p4 * log2(p4) + 2 * (2 * po) * log2(2 * po));
	CHECK_NEAR(lmrec_dialog_gain(f.d, key(&f, "use")), use);
	CHECK_NEAR(lmrec_dialog_gain(f.d, key(&f, "season")), use);
	/* material: j2 and j3 (weight po each) have one, the rest none */
	double hc = -(p4 * log2(p4) + 4 * po * log2(po));
	CHECK_NEAR(lmrec_dialog_gain(f.d, key(&f, "material")), 2 * po * hc);
	/* use and season tie: the key met first in the catalog (use) */
	CHECK(lmrec_dialog_ask(f.d, LMREC_ASK_INFOGAIN, &f.rng, &q));
	CHECK_INT(q.key, key(&f, "use"));
	text = lmrec_dialog_phrase(f.v, &q);
	CHECK_STR(text, "Which use would you like: running, city or hiking?");
	free(text);
	/* a yes/no key is asked as such */
	q = (struct lmrec_question){.key = (int64_t)key(&f, "waterproof"), .pair = -1};
	text = lmrec_dialog_phrase(f.v, &q);
	CHECK_STR(text, "Do you need it waterproof?");
	free(text);
	/* nothing left to ask: every key settled or of one value */
	CHECK_INT(f.d->questions, 2);
	fixture_close(&f);
}

static void test_random(void)
{
	struct fixture f, g;
	fixture_open(&f);
	fixture_open(&g);
	say(&f, "a jacket");
	say(&g, "a jacket");
	/* the same seed, the same keys; each a key some jacket has */
	for (int k = 0; k < 4; k++) {
		struct lmrec_question a, b;
		CHECK(lmrec_dialog_ask(f.d, LMREC_ASK_RANDOM, &f.rng, &a));
		CHECK(lmrec_dialog_ask(g.d, LMREC_ASK_RANDOM, &g.rng, &b));
		CHECK_INT(a.key, b.key);
		CHECK(a.key != (int64_t)key(&f, "spice") && a.key != (int64_t)key(&f, "cuisine"));
		CHECK((size_t)a.key != f.v->nkeys); /* the category is settled */
	}
	/* none asks nothing */
	struct lmrec_question q;
	CHECK(!lmrec_dialog_ask(f.d, LMREC_ASK_NONE, &f.rng, &q));
	CHECK_INT(q.key, -1);
	fixture_close(&f);
	fixture_close(&g);
}

int main(int argc, char **argv)
{
	lmrec_setprogname("dialog");
	if (argc != 2) {
		fprintf(stderr, "usage: dialog ITEMS\n");
		return 2;
	}
	*items_path() = argv[1];
	CHECK_RUN(test_state);
	CHECK_RUN(test_answers);
	CHECK_RUN(test_rank);
	CHECK_RUN(test_infogain);
	CHECK_RUN(test_random);
	return check_done();
}

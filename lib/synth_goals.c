/* lmrec — simulated goals of the synthetic world, the context around them,
 * and the task library and context rules that fit them (see synth.h and
 * lmrec-synth(1), sections GOALS and CONTEXT).
 *
 * A goal session is a user of the world, active that day, who asks for a
 * plan ("weekend family leisure plan", "plan a five-day tour to
 * Skarnfell") from one of the patterns of the task library, then may add
 * short-term constraints in later turns ("nothing spicy please", "keep it
 * cheap"), change the number of days or the town, or take back something
 * said before. The truth (goal-targets) is what the user meant once the
 * session is over. Only constraints the catalog's attributes can express
 * are used.
 *
 * The context is the weather, the time and the place around each session,
 * at and before its first turn. The weather is one per region and half
 * day, shared by every user there (its own stream per day and region),
 * from monthly normals: rain on about a third of the days of an autumn,
 * snow where it is cold enough.
 *
 * The words of the simulated users live here, as in synth_talk.c; the
 * agent must read goals from the task library's keywords and the catalog,
 * never from these lists. Session k draws from its own stream
 * (LMREC_SYNTH_RNG_GOALS, k), so the other streams of the world never
 * change when goals are added. */
#include <stdlib.h>
#include <string.h>

#include "synth.h"
#include "synth_str.h"
#include "synth_vocab.h"
#include "util.h"

#define BUG(...) lmrec_die(LMREC_EXIT_FAIL, "internal error in the goal lexicon: " __VA_ARGS__)

/* ==== the task library (written as tasks.tsv) ====
 * One row per sub-task; the keywords are those of the goal's first row. */
struct task {
	const char *goal, *keywords, *subtask, *domain, *categories, *constraints;
};

static const struct task tasks[] = {
	{"family-weekend", "family;kids;children;little ones;weekend;leisure", "attraction", "places",
	 "park;museum;lake;viewpoint;beach", "family=yes;setting=outdoor;same=town;per_day=1"},
	{"family-weekend", NULL, "lunch", "food", "restaurant;cafe", "ambience=family;spice!=hot;same=town;per_day=1"},
	{"family-weekend", NULL, "picnic", "places", "park;lake", "family=yes;setting=outdoor;same=town;optional=1"},
	{"family-weekend", NULL, "dinner", "food", "restaurant", "ambience=family;same=town;per_day=1"},
	{"city-tour", "tour;city break;days in;itinerary;visit;sightseeing", "sight", "places",
	 "old-town;museum;gallery;market", "same=town;per_day=1"},
	{"city-tour", NULL, "lunch", "food", "cafe;street-food;restaurant", "same=town;per_day=1"},
	{"city-tour", NULL, "walk", "places", "old-town;park;viewpoint;lake;beach", "setting=outdoor;same=town;per_day=1"},
	{"city-tour", NULL, "dinner", "food", "restaurant", "same=town;per_day=1"},
	{"camping-trip", "camping;camp;tent;under the stars", "tent", "shop", "tents", ""},
	{"camping-trip", NULL, "sleeping", "shop", "sleeping-gear", ""},
	{"camping-trip", NULL, "stove", "shop", "camp-kitchen", "optional=1"},
	{"camping-trip", NULL, "hike", "places", "trail;lake;viewpoint", "setting=outdoor;same=region;per_day=1"},
	{"camping-trip", NULL, "meal", "food", "street-food;cafe;restaurant", "style=hearty;same=region;optional=1"},
	{"film-night", "film;movie;watch;night in;staying in;tonight", "film", "video",
	 "drama;comedy;thriller;animation;documentary", "format=film"},
	{"film-night", NULL, "takeaway", "food", "restaurant;street-food", "service=delivery"},
	{"film-night", NULL, "dessert", "food", "desserts", "optional=1"},
	{"day-out", "day out;day trip;today;free day;one day;something to do", "attraction", "places", "",
	 "setting=outdoor;same=town"},
	{"day-out", NULL, "lunch", "food", "cafe;restaurant;street-food;bakery", "same=town"},
	{"day-out", NULL, "coffee", "food", "cafe;bakery", "same=town;optional=1"},
	{"hiking-day", "hike;hiking;trail;trek;walk", "boots", "shop", "footwear;backpacks;jackets",
	 "use=hiking;optional=1"},
	{"hiking-day", NULL, "trail", "places", "trail;viewpoint", "setting=outdoor;effort!=easy"},
	{"hiking-day", NULL, "lunch", "food", "cafe;restaurant", "style=hearty;same=region"},
	{"rainy-day", "rainy;rain;indoor;indoors;inside", "indoor-visit", "places", "museum;gallery;spa;market",
	 "setting=indoor;same=town"},
	{"rainy-day", NULL, "cafe", "food", "cafe;bakery", "same=town"},
};

/* ==== the context rules (written as context-rules.tsv), in the order they
 * apply: a sub-task replaced by a rule is matched as the new sub-task by
 * the rules after it. */
static const char *const rules[][5] = {
	{"weather", "rain", "subtask=picnic", "subtask=film", "rain: a film at home instead of the picnic"},
	{"weather", "rain", "subtask=trail", "subtask=indoor-visit", "rain: an indoor visit instead of the trail"},
	{"weather", "rain", "subtask=hike", "subtask=indoor-visit", "rain: an indoor visit instead of the hike"},
	{"weather", "rain", "setting=outdoor", "setting=indoor", "rain: an indoor venue instead"},
	{"weather", "rain", "subtask=sight", "setting=indoor", "rain: an indoor sight"},
	{"weather", "snow", "subtask=picnic", "subtask=film", "snow: a film at home instead of the picnic"},
	{"weather", "snow", "effort!=easy", "effort=moderate", "snow: no hard trails"},
	{"temp", "<0", "effort!=easy", "effort=moderate", "below freezing: no hard trails"},
	{"temp", "<4", "subtask=picnic", "subtask=film", "too cold for a picnic: a film at home"},
	{"daypart", "evening", "subtask=lunch", "subtask=dinner", "evening: dinner instead of lunch"},
	{"daypart", "night", "subtask=lunch", "subtask=dinner", "late: dinner instead of lunch"},
};

/* ==== the users' words ==== */

/* Short-term constraints a later turn may add: the constraints they imply
 * (the catalog's key=value or key!=value; each applies to the sub-tasks
 * whose domain has the key), what a retraction calls them, the words. */
enum {
	C_QUIET, C_MILD, C_CHEAP, C_INDOOR, C_EASY, C_FREE, C_VEG, C_SHORT, C_KIDS, C_FUNNY, C_NOT_DARK, C_COUNT
};
static const struct {
	const char *constraints, *topic, *say;
} cons[C_COUNT] = {
	{"ambience!=lively", "the crowds",
	 "I dislike crowded places|we hate crowds|somewhere quiet please|nothing too busy or loud|no noisy places "
	 "please|we'd like it calm, no crowds"},
	{"spice!=hot", "the spice",
	 "nothing spicy please|no spicy food|the kids can't handle chilli|mild food only|nothing too hot to eat"},
	{"price!=high;cost!=high", "the budget",
	 "keep it cheap|we're on a budget|nothing expensive please|not too pricey|money is tight this month"},
	{"setting=indoor", "staying indoors",
	 "we'd rather stay indoors|indoor things please|nothing outside|let's keep it under a roof|we'd like to "
	 "stay inside"},
	{"effort=easy", "taking it easy",
	 "nothing strenuous|my knees aren't great, keep it easy|easy walks only|no hard hikes|nothing too tiring "
	 "please"},
	{"cost=free", "free entry",
	 "free things only|only places that don't charge|no entry fees please|we'd like free stuff"},
	{"diet=vegetarian", "the vegetarian thing",
	 "we're vegetarian|vegetarian food please|no meat for us|one of us is veggie, so vegetarian please"},
	{"duration!=full_day", "short visits",
	 "just short visits|nothing that takes all day|short stops please, not full days|we can't spend a whole "
	 "day anywhere"},
	{"audience!=adult", "the kids",
	 "the kids will watch too|something the children can see|family-friendly film please|nothing for adults "
	 "only, the kids are here"},
	{"mood=funny", "the funny part", "something funny|we need a laugh|a comedy mood tonight|make it something "
					 "that makes us laugh"},
	{"mood!=dark", "dark films", "nothing dark|nothing grim please|no bleak stuff|not too dark please"},
};
#define BIT(c) (1u << (c))

/* The goal patterns as users ask for them. place: 0 none; 1 the home town
 * or another, named half the time; 2 another town, always named; 3 a town
 * of the mountains or the lakes, named half the time. Openings are
 * '|'-separated with slots {ndays} ("three days"), {adays} ("three-day"),
 * {Town}, {in_town} (" in Saltby" or nothing when no town is named). */
struct pattern {
	const char *name;
	int dlo, dhi, place, days_change, town_change;
	unsigned cons;
	int hlo, hhi;  /* hours the first turn falls in, [hlo, hhi] */
	double weight;
	const char *personas; /* who asks for it more */
	const char *say, *say_named;
};

static const struct pattern patterns[] = {
	{"family-weekend", 2, 2, 1, 1, 0,
	 BIT(C_QUIET) | BIT(C_MILD) | BIT(C_CHEAP) | BIT(C_INDOOR) | BIT(C_EASY) | BIT(C_FREE) | BIT(C_VEG) |
		 BIT(C_SHORT),
	 8, 21, 1.2, "family",
	 "weekend family leisure plan|plan a family weekend{in_town}|a weekend with the kids{in_town}, what should "
	 "we do?|we have the kids this weekend, ideas{in_town}?|family weekend{in_town} please|what can we do as a "
	 "family this weekend{in_town}?|a {adays} family break{in_town} with the little ones",
	 NULL},
	{"city-tour", 2, 5, 2, 1, 1,
	 BIT(C_QUIET) | BIT(C_MILD) | BIT(C_CHEAP) | BIT(C_INDOOR) | BIT(C_EASY) | BIT(C_FREE) | BIT(C_VEG) |
		 BIT(C_SHORT),
	 7, 22, 1.0, "culture sunseeker foodie",
	 NULL,
	 "plan a {adays} tour to {Town}|{ndays} in {Town}, what should I see?|city break in {Town} for "
	 "{ndays}|we're spending {ndays} in {Town}, plan it for us|{adays} visit to {Town}|itinerary for {Town}, "
	 "{ndays}|a {adays} city tour of {Town} please|visiting {Town} for {ndays} - what to do?"},
	{"camping-trip", 2, 4, 3, 1, 0, BIT(C_CHEAP) | BIT(C_EASY) | BIT(C_VEG), 7, 22, 0.7, "hiker family green",
	 "a camping trip{in_town}|plan a {adays} camping trip{in_town}|we want to go camping for "
	 "{ndays}{in_town}|camping{in_town}, {ndays}, what do we need?|first time camping: {ndays}{in_town}, "
	 "help|camping with a tent{in_town} for {ndays}",
	 NULL},
	{"film-night", 1, 1, 0, 0, 0,
	 BIT(C_CHEAP) | BIT(C_MILD) | BIT(C_VEG) | BIT(C_KIDS) | BIT(C_FUNNY) | BIT(C_NOT_DARK), 15, 22, 1.1,
	 "homebody family",
	 "film night at home tonight|movie night tonight, ideas?|we're staying in to watch a film tonight|a cosy "
	 "night in with a movie and food|plan a film night for us|what should we watch tonight? and order food|film "
	 "and takeaway night",
	 NULL},
	{"day-out", 1, 1, 1, 0, 1,
	 BIT(C_QUIET) | BIT(C_MILD) | BIT(C_CHEAP) | BIT(C_INDOOR) | BIT(C_EASY) | BIT(C_FREE) | BIT(C_VEG) |
		 BIT(C_SHORT),
	 7, 21, 1.0, "culture green runner sunseeker",
	 "a day out{in_town}|what can we do today{in_town}?|plan a day out{in_town}|we have a free day{in_town}, "
	 "suggestions?|something to do today{in_town}",
	 "a day trip to {Town}|one day in {Town}, ideas?"},
	{"hiking-day", 1, 1, 3, 0, 0, BIT(C_CHEAP) | BIT(C_VEG) | BIT(C_MILD), 6, 20, 0.7, "hiker runner snow",
	 "a day of hiking{in_town}|plan a hike{in_town}|I want to go for a hike{in_town}|a good trail for a "
	 "day walk{in_town}|hiking day{in_town}, where to go?|a trek in the hills{in_town}",
	 NULL},
	{"rainy-day", 1, 1, 1, 0, 0, BIT(C_QUIET) | BIT(C_MILD) | BIT(C_CHEAP) | BIT(C_FREE) | BIT(C_VEG), 8, 18, 0.4,
	 "culture homebody",
	 "what can we do on a rainy day{in_town}?|indoor ideas for a wet day{in_town}|rainy day plans{in_town}|what "
	 "to do indoors when it rains{in_town}",
	 NULL},
};

static const char *const in_town = " in {}| around {}| near {}";
static const char *const say_days =
	"actually make it {ndays}|let's do {ndays} instead|make it a {adays} trip after all|change of plan: "
	"{ndays}|hmm, can we make it {ndays}?";
static const char *const say_town = "actually, let's go to {Town} instead|change of plan, {Town} not {Old}|make it "
				    "{Town} instead|on second thought, {Town}";
static const char *const say_retract = "actually, forget what I said about {}|on second thought, {} doesn't "
				       "matter|scratch {}, it's fine";
static const char *const number_words[] = {"zero", "one", "two", "three", "four", "five", "six"};

/* ==== sessions ==== */

struct goal_turn {
	int64_t ts;
	char *text;
};

struct goal_session {
	uint32_t user, pattern;
	int days, town;        /* town: region * 3 + index, -1 none */
	unsigned active;       /* constraints in force at the end */
	uint8_t order[C_COUNT]; /* constraints in order of (last) mention */
	size_t norder;
	struct goal_turn *turns;
	size_t nturns;
	int32_t day;
	int here;              /* town the user is in: region * 3 + index */
};

struct lmrec_synth_goals {
	struct goal_session *s;
	size_t n;
};

static struct slice town_name(int t) { return mk(vocab_towns[t / 3][t % 3]); }

/* The attribute value of a town: its name in lower case. */
static void town_value(struct sb *b, int t)
{
	struct slice n = town_name(t);
	for (size_t i = 0; i < n.n; i++) {
		char c = n.p[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		else if (c == ' ')
			c = '_';
		sb_add(b, &c, 1);
	}
}

static void say_number(struct lmrec_rng *r, struct sb *b, int n, int adjective)
{
	int words = n < (int)NELEM(number_words) && lmrec_rng_below(r, 3) < 2;
	if (words)
		sb_str(b, number_words[n]);
	else {
		char num[16];
		snprintf(num, sizeof num, "%d", n);
		sb_str(b, num);
	}
	if (adjective)
		sb_str(b, words || lmrec_rng_below(r, 2) ? "-day" : " day");
	else
		sb_str(b, n == 1 ? " day" : " days");
}

/* Expands the slots of a template into b. */
static void fill(struct lmrec_rng *r, struct sb *b, struct slice tmpl, int days, int town, int old_town,
		 struct slice arg)
{
	for (size_t i = 0; i < tmpl.n;) {
		if (tmpl.p[i] != '{') {
			sb_add(b, tmpl.p + i, 1);
			i++;
			continue;
		}
		const char *close = memchr(tmpl.p + i, '}', tmpl.n - i);
		if (!close)
			BUG("unclosed slot in '%.*s'", (int)tmpl.n, tmpl.p);
		struct slice name = {tmpl.p + i + 1, (size_t)(close - tmpl.p) - i - 1};
		if (eq(name, "ndays") || eq(name, "adays"))
			say_number(r, b, days, eq(name, "adays"));
		else if (eq(name, "Town") || eq(name, "Old"))
			sb_sl(b, town_name(eq(name, "Town") ? town : old_town));
		else if (eq(name, "in_town")) {
			if (town >= 0)
				fill(r, b, pick_s(r, in_town), days, town, old_town, town_name(town));
		} else if (name.n == 0)
			sb_sl(b, arg);
		else
			BUG("no slot '%.*s'", (int)name.n, name.p);
		i = (size_t)(close - tmpl.p) + 1;
	}
}

static void add_turn(struct goal_session *s, size_t *cap, int64_t ts, struct lmrec_rng *r, struct sb *b)
{
	if (lmrec_rng_double(r) < 0.12)
		sb_typo(r, b);
	/* goals are typed more often in lower case than conversations */
	sb_casing(r, b, 0.5, 0.85);
	LMREC_GROW(s->turns, *cap, s->nturns + 1);
	s->turns[s->nturns++] = (struct goal_turn){ts, sb_dup(b)};
	b->len = 0;
}

/* How much user u is the kind of person who asks for pattern p (0 .. 2). */
static double affinity(const struct lmrec_synth_world *w, uint32_t u, const struct pattern *p)
{
	const struct lmrec_synth_user *us = &w->users[u];
	double a = 0.0;
	struct slice names = mk(p->personas);
	for (size_t i = 0, n = parts(names, ' '); i < n; i++) {
		struct slice nm = part(names, ' ', i);
		if (eq(nm, w->personas[us->persona].name))
			a += 1.0;
		if (us->persona2 >= 0 && eq(nm, w->personas[us->persona2].name))
			a += us->weight2;
	}
	if (strcmp(p->name, "family-weekend") == 0 && us->household == 2)
		a += 1.0;
	return a > 2.0 ? 2.0 : a;
}

static void make_session(const struct lmrec_synth_world *w, size_t k, struct goal_session *s)
{
	struct lmrec_rng rng, *r = &rng;
	lmrec_rng_seed2(r, w->opt.seed, ((uint64_t)LMREC_SYNTH_RNG_GOALS << 32) | k);
	double pw[NELEM(patterns)];
	for (size_t p = 0; p < NELEM(patterns); p++)
		pw[p] = patterns[p].weight;
	s->pattern = (uint32_t)lmrec_synth_pick(r, pw, NELEM(patterns));
	const struct pattern *p = &patterns[s->pattern];

	/* a user active on the day, more likely one who would ask for this */
	int32_t days = (int32_t)w->opt.days;
	for (int tries = 0;; tries++) {
		s->day = (int32_t)lmrec_rng_below(r, (uint64_t)days);
		s->user = (uint32_t)lmrec_rng_below(r, w->n_users);
		const struct lmrec_synth_user *us = &w->users[s->user];
		if (tries >= 1000 || (s->day >= us->join_day && s->day < us->leave_day &&
				      lmrec_rng_double(r) * 2.25 < 0.25 + affinity(w, s->user, p)))
			break;
	}
	const struct lmrec_synth_user *us = &w->users[s->user];
	int home = us->region * 3 + us->town;
	int on_trip = us->trip_region >= 0 && s->day >= us->trip_day && s->day < us->trip_day + us->trip_len;
	s->here = on_trip ? us->trip_region * 3 + (int)lmrec_rng_below(r, 3) : home;
	int64_t ts = w->opt.start + (int64_t)s->day * LMREC_SYNTH_DAY +
		     (int64_t)(p->hlo + (int)lmrec_rng_below(r, (uint64_t)p->hhi - (uint64_t)p->hlo + 1)) * 3600 +
		     (int64_t)lmrec_rng_below(r, 3600);
	if (ts < us->joined)
		ts = us->joined + 60 + (int64_t)lmrec_rng_below(r, 600);
	int64_t last = w->opt.start + (int64_t)days * LMREC_SYNTH_DAY - 3600; /* room for the later turns */
	if (ts > last)
		ts = last;
	s->day = (int32_t)((ts - w->opt.start) / LMREC_SYNTH_DAY);

	/* the goal: days and town */
	s->days = p->dlo + (int)lmrec_rng_below(r, (uint64_t)p->dhi - (uint64_t)p->dlo + 1);
	s->town = -1;
	if (p->place == 2 || (p->place == 1 && lmrec_rng_below(r, 2))) {
		do
			s->town = (int)lmrec_rng_below(r, UINT64_C(3) * LMREC_SYNTH_NREGIONS);
		while (p->place == 2 && s->town == s->here);
		if (p->place == 1 && lmrec_rng_below(r, 2))
			s->town = s->here;
	} else if (p->place == 3 && lmrec_rng_below(r, 2)) {
		s->town = (1 + 2 * (int)lmrec_rng_below(r, 2)) * 3 + (int)lmrec_rng_below(r, 3);
	}
	struct sb b = {0};
	size_t cap = 0;
	const char *list = s->town >= 0 && p->say_named && (!p->say || lmrec_rng_below(r, 2)) ? p->say_named : p->say;
	fill(r, &b, pick_s(r, list), s->days, s->town, -1, mk(""));
	add_turn(s, &cap, ts, r, &b);

	/* later turns: constraints, changes of mind, retractions */
	static const double nlater[4] = {0.25, 0.35, 0.25, 0.15};
	size_t n = lmrec_synth_pick(r, nlater, 4);
	for (size_t t = 0; t < n; t++) {
		ts += 20 + (int64_t)lmrec_rng_below(r, 280);
		unsigned fits = p->cons & ~s->active;
		double kw[4] = {fits ? 0.75 : 0.0, p->days_change ? 0.15 : 0.0,
				p->town_change && s->town >= 0 ? 0.1 : 0.0, s->active ? 0.1 : 0.0};
		if (kw[0] + kw[1] + kw[2] + kw[3] <= 0.0)
			break;
		switch (lmrec_synth_pick(r, kw, 4)) {
		case 0: {
			double cw[C_COUNT];
			for (int c = 0; c < C_COUNT; c++)
				cw[c] = fits & BIT(c) ? 1.0 : 0.0;
			int c = (int)lmrec_synth_pick(r, cw, C_COUNT);
			s->active |= BIT(c);
			s->order[s->norder++] = (uint8_t)c;
			sb_sl(&b, pick_s(r, cons[c].say));
			break;
		}
		case 1: {
			int d;
			do
				d = 1 + (int)lmrec_rng_below(r, strcmp(p->name, "city-tour") == 0 ? 6 : 4);
			while (d == s->days);
			s->days = d;
			fill(r, &b, pick_s(r, say_days), d, s->town, -1, mk(""));
			break;
		}
		case 2: {
			int old = s->town;
			do
				s->town = (int)lmrec_rng_below(r, UINT64_C(3) * LMREC_SYNTH_NREGIONS);
			while (s->town == old);
			fill(r, &b, pick_s(r, say_town), s->days, s->town, old, mk(""));
			break;
		}
		default: {
			size_t i = (size_t)lmrec_rng_below(r, s->norder);
			int c = s->order[i];
			memmove(s->order + i, s->order + i + 1, s->norder - i - 1);
			s->norder--;
			s->active &= ~BIT(c);
			fill(r, &b, pick_s(r, say_retract), s->days, s->town, -1, mk(cons[c].topic));
			break;
		}
		}
		add_turn(s, &cap, ts, r, &b);
	}
	free(b.p);
}

struct lmrec_synth_goals *lmrec_synth_goals_new(const struct lmrec_synth_world *w, size_t n)
{
	struct lmrec_synth_goals *g = lmrec_xcalloc(1, sizeof *g);
	g->s = lmrec_xcalloc(n + 1, sizeof *g->s);
	g->n = n;
	for (size_t k = 0; k < n; k++)
		make_session(w, k, &g->s[k]);
	return g;
}

void lmrec_synth_goals_free(struct lmrec_synth_goals *g)
{
	if (!g)
		return;
	for (size_t k = 0; k < g->n; k++) {
		for (size_t t = 0; t < g->s[k].nturns; t++)
			free(g->s[k].turns[t].text);
		free(g->s[k].turns);
	}
	free(g->s);
	free(g);
}

void lmrec_synth_write_goals(const struct lmrec_synth_world *w, const struct lmrec_synth_goals *g,
			     struct lmrec_out *o)
{
	int width = lmrec_synth_id_width(g->n);
	lmrec_out_str(o, "session\tuser\tturn\tts\ttext\n");
	for (size_t k = 0; k < g->n; k++) {
		const struct goal_session *s = &g->s[k];
		for (size_t t = 0; t < s->nturns; t++) {
			lmrec_out_printf(o, "g%0*zu\t%s\t%zu\t", width, k + 1, w->users[s->user].id, t + 1);
			lmrec_out_i64(o, s->turns[t].ts);
			lmrec_out_tab(o);
			lmrec_out_field(o, s->turns[t].text, strlen(s->turns[t].text));
			lmrec_out_eol(o);
		}
	}
}

void lmrec_synth_write_goal_targets(const struct lmrec_synth_world *w, const struct lmrec_synth_goals *g,
				    struct lmrec_out *o)
{
	(void)w;
	int width = lmrec_synth_id_width(g->n);
	lmrec_out_str(o, "session\tgoal\tdays\tplace\tconstraints\n");
	struct sb b = {0};
	for (size_t k = 0; k < g->n; k++) {
		const struct goal_session *s = &g->s[k];
		b.len = 0;
		sb_add(&b, "", 0);
		b.p[0] = '\0';
		if (s->town >= 0)
			town_value(&b, s->town);
		sb_str(&b, "\t");
		for (size_t i = 0; i < s->norder; i++) {
			if (i)
				sb_str(&b, ";");
			sb_str(&b, cons[s->order[i]].constraints);
		}
		lmrec_out_printf(o, "g%0*zu\t%s\t%d\t%s\n", width, k + 1, patterns[s->pattern].name, s->days, b.p);
	}
	free(b.p);
}

/* ==== context ==== */

/* Monthly normals: mean temperature (C) and the chance of rain or snow on
 * a half day; what each region adds to the temperature. */
static const double month_temp[12] = {1, 2, 5, 9, 13, 17, 19, 19, 15, 10, 5, 2};
static const double month_wet[12] = {.42, .38, .36, .34, .32, .28, .26, .28, .30, .38, .44, .45};
static const double region_temp[LMREC_SYNTH_NREGIONS] = {1, -6, -1, 1, 0}; /* coast mountains lakes city valley */
static const double region_wet[LMREC_SYNTH_NREGIONS] = {.05, .05, 0, -.03, -.03};

/* Month (0-11) and day of month (0-based) of a day since 1970-01-01 (H.
 * Hinnant's civil_from_days). */
static void civil(int64_t z, int *month, int *mday)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*mday = (int)(doy - (153 * mp + 2) / 5);
	*month = (int)(mp < 10 ? mp + 2 : mp - 10);
}

enum weather { W_SUN, W_CLOUD, W_RAIN, W_SNOW };
static const char *const weather_names[4] = {"sun", "cloud", "rain", "snow"};

/* The weather and temperature of a region on a day of the window, in the
 * morning (half 0, before 13:00) or the afternoon (half 1). */
static void weather_at(const struct lmrec_synth_world *w, int32_t day, int region, int half, int *weather, int *temp)
{
	struct lmrec_rng r;
	lmrec_rng_seed2(&r, w->opt.seed,
			((uint64_t)LMREC_SYNTH_RNG_WEATHER << 32) | ((uint64_t)day * LMREC_SYNTH_NREGIONS + (uint64_t)region));
	int month, mday;
	civil(w->opt.start / LMREC_SYNTH_DAY + day, &month, &mday);
	/* normals interpolated between the middles of the months */
	int next = mday < 15 ? (month + 11) % 12 : (month + 1) % 12;
	double f = (mday < 15 ? 15.0 - mday : mday - 15.0) / 30.0;
	double mean = (1.0 - f) * month_temp[month] + f * month_temp[next] + region_temp[region];
	double wet = (1.0 - f) * month_wet[month] + f * month_wet[next] + region_wet[region];
	double t0 = mean - 2.0 + 2.5 * lmrec_synth_normal(&r), t1 = t0 + 3.0 + 1.5 * lmrec_synth_normal(&r);
	int wet0 = lmrec_rng_double(&r) < wet;
	int wet1 = lmrec_rng_double(&r) < 0.65 ? wet0 : lmrec_rng_double(&r) < wet;
	int cloud0 = lmrec_rng_double(&r) < 0.45, cloud1 = lmrec_rng_double(&r) < 0.45;
	double t = half ? t1 : t0;
	int v = (int)(t + 0.5 + 100.0) - 100;
	*temp = v;
	int wt = half ? wet1 : wet0;
	*weather = wt ? (v <= 1 ? W_SNOW : W_RAIN) : (half ? cloud1 : cloud0) ? W_CLOUD : W_SUN;
}

struct ctx_row {
	int64_t ts;
	uint32_t user, seq, signal; /* signal: 0 weather 1 daypart 2 day 3 place 4 temp */
	int value;
};

static int cmp_ctx(const void *a, const void *b)
{
	const struct ctx_row *x = a, *y = b;
	if (x->user != y->user)
		return (x->user > y->user) - (x->user < y->user);
	if (x->ts != y->ts)
		return (x->ts > y->ts) - (x->ts < y->ts);
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static const char *const ctx_signals[5] = {"weather", "daypart", "day", "place", "temp"};

void lmrec_synth_write_context(const struct lmrec_synth_world *w, const struct lmrec_synth_goals *g,
			       struct lmrec_out *o)
{
	struct ctx_row *rows = NULL;
	size_t n = 0, cap = 0;
	uint32_t seq = 0;
	int64_t epoch_day = w->opt.start / LMREC_SYNTH_DAY;
	for (size_t k = 0; k < g->n; k++) {
		const struct goal_session *s = &g->s[k];
		int64_t ts = s->turns[0].ts, day0 = w->opt.start + (int64_t)s->day * LMREC_SYNTH_DAY;
		int region = s->here / 3, weather, temp;
		int64_t sec = ts - day0;
		/* the morning's reading, when the session is later in the day */
		int64_t morning = day0 + (int64_t)7 * 3600 + (sec * 7) % 3600;
		if (morning < ts - 900) {
			weather_at(w, s->day, region, 0, &weather, &temp);
			LMREC_GROW(rows, cap, n + 2);
			rows[n++] = (struct ctx_row){morning, s->user, seq++, 0, weather};
			rows[n++] = (struct ctx_row){morning, s->user, seq++, 4, temp};
		}
		/* the signals as they stand when the user asks */
		int64_t at = ts - (sec * 13) % 900;
		if (at < day0)
			at = day0;
		weather_at(w, s->day, region, sec >= (int64_t)13 * 3600, &weather, &temp);
		int hour = (int)(sec / 3600);
		int daypart = hour >= 6 && hour < 12 ? 0 : hour >= 12 && hour < 18 ? 1 : hour >= 18 && hour < 22 ? 2 : 3;
		int dow = (int)((epoch_day + s->day + 4) % 7);
		LMREC_GROW(rows, cap, n + 5);
		rows[n++] = (struct ctx_row){at, s->user, seq++, 0, weather};
		rows[n++] = (struct ctx_row){at, s->user, seq++, 1, daypart};
		rows[n++] = (struct ctx_row){at, s->user, seq++, 2, dow == 0 || dow == 6};
		rows[n++] = (struct ctx_row){at, s->user, seq++, 3, s->here};
		rows[n++] = (struct ctx_row){at, s->user, seq++, 4, temp};
	}
	if (n > 1)
		qsort(rows, n, sizeof *rows, cmp_ctx);
	static const char *const dayparts[4] = {"morning", "afternoon", "evening", "night"};
	lmrec_out_str(o, "user\tts\tsignal\tvalue\n");
	struct sb b = {0};
	for (size_t i = 0; i < n; i++) {
		const struct ctx_row *c = &rows[i];
		/* a user's two sessions of one day repeat the same readings: once is enough */
		if (i > 0 && rows[i - 1].user == c->user && rows[i - 1].ts == c->ts && rows[i - 1].signal == c->signal)
			continue;
		lmrec_out_printf(o, "%s\t", w->users[c->user].id);
		lmrec_out_i64(o, c->ts);
		lmrec_out_printf(o, "\t%s\t", ctx_signals[c->signal]);
		switch (c->signal) {
		case 0: lmrec_out_str(o, weather_names[c->value]); break;
		case 1: lmrec_out_str(o, dayparts[c->value]); break;
		case 2: lmrec_out_str(o, c->value ? "weekend" : "weekday"); break;
		case 3:
			b.len = 0;
			sb_add(&b, "", 0);
			b.p[0] = '\0';
			town_value(&b, c->value);
			lmrec_out_str(o, b.p);
			break;
		default: lmrec_out_printf(o, "%d", c->value); break;
		}
		lmrec_out_eol(o);
	}
	free(b.p);
	free(rows);
}

/* ==== the library and the rules ==== */

void lmrec_synth_write_tasks(struct lmrec_out *o)
{
	lmrec_out_str(o, "goal\tkeywords\tstep\tsubtask\tdomain\tcategories\tconstraints\n");
	const char *keywords = "";
	unsigned step = 0;
	for (size_t i = 0; i < NELEM(tasks); i++) {
		const struct task *t = &tasks[i];
		if (t->keywords) {
			keywords = t->keywords;
			step = 0;
		}
		lmrec_out_printf(o, "%s\t%s\t%u\t%s\t%s\t%s\t%s\n", t->goal, keywords, ++step, t->subtask, t->domain,
				 t->categories, t->constraints);
	}
}

void lmrec_synth_write_context_rules(struct lmrec_out *o)
{
	lmrec_out_str(o, "signal\tvalue\twhen\tthen\tnote\n");
	for (size_t i = 0; i < NELEM(rules); i++)
		lmrec_out_printf(o, "%s\t%s\t%s\t%s\t%s\n", rules[i][0], rules[i][1], rules[i][2], rules[i][3],
				 rules[i][4]);
}

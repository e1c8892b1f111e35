/* lmrec — the synthetic world: personas, users, and what they do over the
 * days of the window (see synth.h; lmrec-synth(1) states the model).
 *
 * A user is one or two planted personas plus personal noise over the
 * catalog's features (categories and key=value attributes), a hidden
 * factor vector, a domain mix, an activity rate and a home region. Every
 * day the taste drifts with the season, a new interest may ramp in, and a
 * trip may be planned and taken. Sessions pick items by a softmax over
 * taste, hidden factors, popularity, novelty and locality, and emit a
 * funnel of events per domain. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synth.h"
#include "util.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const char *const lmrec_synth_domain_names[LMREC_SYNTH_NDOMAINS] = {"shop", "video", "food", "places"};
const char *const lmrec_synth_region_names[LMREC_SYNTH_NREGIONS] = {"coast", "mountains", "lakes", "city",
								    "valley"};
const char *const lmrec_synth_event_names[LMREC_SYNTH_NEVENTS] = {"view",  "click", "cart",  "purchase",
								  "watch", "visit", "rating"};

static const char *const age_bands[6] = {"18-24", "25-34", "35-44", "45-54", "55-64", "65+"};
static const char *const households[3] = {"single", "couple", "family"};
static const char *const towns[LMREC_SYNTH_NREGIONS][3] = {
	{"saltby", "gullhaven", "porthavel"}, {"skarnfell", "highcombe", "eldmoor"},
	{"lindmere", "ashwater", "mirrowby"}, {"caldor", "westbridge", "northgate"},
	{"ambervale", "ferncross", "orchardby"},
};

/* ---- the planted personas ----
 * dom: shop video food places; taste: "feature:weight ..." where a feature
 * is "c.CATEGORY" or "key=value"; age over the six bands, household over
 * single/couple/family, home region over coast/mountains/lakes/city/valley;
 * prevalence and the odds of appearing later as a new interest. */
struct persona_spec {
	const char *name;
	double dom[4];
	const char *taste, *age, *household, *region;
	double prevalence, as_new;
};

static const struct persona_spec personas[] = {
	{"hiker", {0.34, 0.14, 0.22, 0.30},
	 "c.jackets:.6 c.footwear:.8 c.backpacks:.8 c.tents:.8 c.sleeping-gear:.7 c.camp-kitchen:.7 c.trousers:.4 "
	 "use=hiking:1.6 use=camping:1.0 use=climbing:.6 waterproof=yes:.8 use=city:-.8 "
	 "c.trail:1.6 c.lake:.8 c.viewpoint:.9 region=mountains:.9 effort=hard:.8 effort=easy:-.4 setting=outdoor:.7 "
	 "c.museum:-.6 c.gallery:-.8 style=hearty:1.0 cuisine=local:.8 cuisine=nordic:.4 price=high:-.3 "
	 "c.documentary:.8 c.travel-show:.6 topic=mountains:1.4 topic=nature:.9 topic=adventure:.8 mood=uplifting:.4",
	 "1 3 3 2 1 .5", "3 3 2", "1 3 2 1 2", 1.2, 1.0},
	{"runner", {0.38, 0.18, 0.24, 0.20},
	 "c.footwear:1.0 use=running:2.0 weight=light:.8 c.trousers:.4 c.tops:.6 c.accessories:.3 "
	 "c.park:1.0 c.trail:.6 effort=moderate:.5 style=light:1.2 c.salads:1.0 diet=vegan:.4 diet=gluten_free:.4 "
	 "c.desserts:-.5 c.sport:1.4 topic=sport:1.2 length=short:.5 mood=uplifting:.6",
	 "2 4 3 1 .5 .2", "4 3 1", "1 1 1 2 1", 1.0, 0.8},
	{"culture", {0.18, 0.26, 0.30, 0.26},
	 "c.museum:1.6 c.gallery:1.6 c.old-town:1.2 c.market:.6 setting=indoor:.6 region=city:.8 topic=history:1.0 "
	 "topic=art:1.2 c.restaurant:.8 c.cafe:.8 price=high:.6 ambience=formal:.7 ambience=cosy:.5 "
	 "cuisine=french:.6 cuisine=japanese:.5 cuisine=italian:.4 c.drama:1.0 c.documentary:.5 mood=thoughtful:1.0 "
	 "length=feature:.4 use=city:1.2 material=wool:.6 material=merino:.4 c.luggage:.3 c.tops:.3 "
	 "c.tents:-1.0 c.camp-kitchen:-1.0",
	 ".5 2 3 3 3 2", "4 4 1", "1 1 1 4 1", 1.1, 1.2},
	{"sunseeker", {0.30, 0.20, 0.25, 0.25},
	 "c.beach:2.0 region=coast:1.2 season=summer:1.2 c.market:.6 c.luggage:1.0 c.travel-kit:1.2 use=travel:1.4 "
	 "weight=light:.5 c.street-food:1.0 cuisine=thai:.6 cuisine=mexican:.6 cuisine=mediterranean:.7 "
	 "style=light:.4 c.travel-show:1.4 c.comedy:.7 topic=ocean:.9 topic=travel:1.0 mood=funny:.5 warmth=high:-.5",
	 "4 4 2 1 1 .5", "4 3 1", "3 1 1 2 1", 1.0, 0.4},
	{"family", {0.26, 0.30, 0.26, 0.18},
	 "family=yes:1.6 ambience=family:1.4 c.park:1.0 c.museum:.6 topic=science:.6 effort=easy:.8 cost=free:.8 "
	 "cost=high:-.8 price=low:.9 price=high:-.8 spice=mild:.7 spice=hot:-.8 c.desserts:.6 c.bakery:.7 "
	 "c.animation:1.6 audience=kids:1.4 audience=family:1.4 audience=adult:-1.0 mood=heartwarming:.8 "
	 "mood=dark:-1.0 c.tents:.4 people=4:1.2 use=everyday:.6 c.luggage:.3",
	 "0 1.5 4 2.5 .5 .2", "0 .5 6", "1 1 1 2 1", 1.1, 0.3},
	{"foodie", {0.12, 0.22, 0.50, 0.16},
	 "c.restaurant:1.0 c.street-food:1.2 c.mains:.6 cuisine=japanese:.7 cuisine=korean:.8 cuisine=indian:.7 "
	 "cuisine=thai:.7 spice=hot:1.0 c.market:1.4 c.old-town:.4 c.cooking-show:1.8 topic=food:1.6 "
	 "c.camp-kitchen:.8 price=high:.2",
	 "2 4 3 2 1 .5", "4 3 1", "2 1 1 3 1", 1.0, 1.0},
	{"homebody", {0.16, 0.55, 0.22, 0.07},
	 "c.thriller:1.4 c.drama:.8 c.comedy:.6 mood=tense:1.0 mood=dark:.6 length=feature:.6 format=series:.8 "
	 "service=delivery:1.4 c.mains:.8 c.desserts:.6 style=hearty:.6 setting=indoor:.8 use=everyday:.8 "
	 "c.tops:.6 warmth=high:.4 effort=hard:-1.0 c.trail:-.8",
	 "3 3 2 2 1 1", "4 2 1", "1 1 1 2 1", 1.2, 1.4},
	{"green", {0.25, 0.25, 0.30, 0.20},
	 "diet=vegan:2.0 diet=vegetarian:1.4 c.salads:.6 style=light:.5 material=recycled:1.4 material=merino:.3 "
	 "material=leather:-1.2 material=down:-.8 price=low:.3 c.documentary:1.2 topic=nature:1.2 topic=ocean:.8 "
	 "topic=science:.6 c.park:1.0 c.lake:.8 setting=outdoor:.6 effort=easy:.3 c.market:.6",
	 "3 4 2 1 .5 .3", "4 3 1", "1 1 2 2 2", 0.8, 0.8},
	{"snow", {0.36, 0.18, 0.18, 0.28},
	 "use=skiing:2.2 season=winter:1.0 warmth=high:1.0 waterproof=yes:.5 c.accessories:.6 c.spa:1.2 "
	 "c.viewpoint:.5 region=mountains:1.4 style=hearty:.8 cuisine=local:.5 c.sport:.8 topic=mountains:1.2 "
	 "c.travel-show:.3 season=summer:-.8 c.beach:-1.0",
	 "1.5 3 3 2 1 .3", "3 3 2", "1 3 1 2 1", 0.7, 3.0},
};

/* What the season does to everyone by the window's last day (scaled by
 * each user's sensitivity): the window runs from late summer into winter. */
static const char season_spec[] =
	"warmth=high:1.2 warmth=low:-.6 season=winter:1.0 season=summer:-1.2 c.beach:-1.2 setting=indoor:.6 "
	"setting=outdoor:-.3 c.soups:.9 style=hearty:.5 c.salads:-.4 waterproof=yes:.4 c.spa:.6 use=skiing:.5";

/* Complements: a purchase in the first category makes a later shop
 * session for one of the others likely. */
static const struct {
	const char *cat, *next[2];
} complements[] = {
	{"tents", {"sleeping-gear", "camp-kitchen"}}, {"sleeping-gear", {"tents", "camp-kitchen"}},
	{"footwear", {"accessories", NULL}},          {"jackets", {"accessories", "tops"}},
	{"trousers", {"tops", "footwear"}},           {"tops", {"trousers", NULL}},
	{"luggage", {"travel-kit", NULL}},            {"travel-kit", {"luggage", NULL}},
	{"backpacks", {"camp-kitchen", "travel-kit"}}, {"camp-kitchen", {"tents", NULL}},
	{"accessories", {"jackets", NULL}},
};

/* Hour of day of a session, per domain (relative weights). */
static const unsigned char hours[LMREC_SYNTH_NDOMAINS][24] = {
	{1, 1, 0, 0, 0, 0, 1, 2, 3, 4, 4, 5, 6, 5, 5, 5, 5, 6, 7, 9, 10, 10, 7, 3},
	{4, 2, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 4, 6, 9, 12, 14, 12, 8},
	{0, 0, 0, 0, 0, 0, 1, 3, 3, 2, 3, 8, 12, 8, 3, 2, 3, 6, 12, 12, 8, 4, 2, 1},
	{0, 0, 0, 0, 0, 0, 0, 1, 3, 6, 9, 10, 10, 9, 9, 8, 7, 5, 3, 2, 1, 0, 0, 0},
};

/* Weights of the score of an item for a user on a day, beside those of
 * synth.h (LMREC_SYNTH_W_*), which the conversations share. */
#define W_NEW 1.2      /* novelty of an item released in the last weeks */
#define W_TRIP 1.2     /* while planning: places and food of the trip's region */
#define W_TRIP_KIT 0.8 /* while planning: luggage and travel kit */

/* ---- parsing the specs ---- */

static void parse_weights(const char *spec, double *out, size_t n)
{
	const char *p = spec;
	for (size_t i = 0; i < n; i++) {
		char *end;
		out[i] = strtod(p, &end);
		if (end == p)
			lmrec_die(LMREC_EXIT_FAIL, "internal error: bad weights '%s'", spec);
		p = end;
	}
}

/* Adds scale * the "feature:weight ..." spec into taste (n_feats). */
static void add_taste(struct lmrec_ids *feats, const char *spec, double *taste, size_t cap)
{
	for (const char *p = spec; *p;) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		const char *colon = strchr(p, ':');
		if (!colon)
			lmrec_die(LMREC_EXIT_FAIL, "internal error: bad taste spec near '%s'", p);
		int64_t f = lmrec_ids_find(feats, p, (size_t)(colon - p));
		char *end;
		double v = strtod(colon + 1, &end);
		if (f >= 0 && (size_t)f < cap)
			taste[f] += v;
		p = end;
	}
}

/* Interns every feature a spec names, so tastes cover features the
 * catalog happens not to hold at a small size. */
static void intern_spec(struct lmrec_ids *feats, const char *spec)
{
	for (const char *p = spec; *p;) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		const char *colon = strchr(p, ':');
		lmrec_ids_intern(feats, p, (size_t)(colon - p));
		p = colon + 1;
		while (*p && *p != ' ')
			p++;
	}
}

/* lo + a uniform integer below hi - lo (lo when the range is empty). */
static int32_t span(struct lmrec_rng *r, int32_t lo, int32_t hi)
{
	return hi > lo ? lo + (int32_t)lmrec_rng_below(r, (uint64_t)(hi - lo)) : lo;
}

/* ---- users ---- */

static void make_user(struct lmrec_synth_world *w, size_t u, int width)
{
	struct lmrec_synth_user *us = &w->users[u];
	size_t np = w->n_personas;
	int32_t days = (int32_t)w->opt.days;
	struct lmrec_rng r;
	lmrec_rng_seed2(&r, w->opt.seed, ((uint64_t)LMREC_SYNTH_RNG_USER << 32) | u);

	us->id = lmrec_xasprintf("u%0*zu", width, u + 1);
	double prev[NELEM(personas)], asnew[NELEM(personas)];
	for (size_t p = 0; p < np; p++) {
		prev[p] = personas[p].prevalence;
		asnew[p] = personas[p].as_new;
	}
	us->persona = (int)lmrec_synth_pick(&r, prev, np);
	us->persona2 = -1;
	us->weight2 = 0.0;
	if (lmrec_rng_double(&r) < 0.45) {
		prev[us->persona] = 0.0;
		us->persona2 = (int)lmrec_synth_pick(&r, prev, np);
		us->weight2 = 0.3 + 0.4 * lmrec_rng_double(&r);
	}
	const struct lmrec_synth_persona *p1 = &w->personas[us->persona];
	const struct lmrec_synth_persona *p2 = us->persona2 >= 0 ? &w->personas[us->persona2] : NULL;

	double mix[6];
	for (int i = 0; i < 6; i++)
		mix[i] = p1->age[i] + (p2 ? us->weight2 * p2->age[i] : 0.0);
	us->age = (int)lmrec_synth_pick(&r, mix, 6);
	for (int i = 0; i < 3; i++)
		mix[i] = p1->household[i] + (p2 ? us->weight2 * p2->household[i] : 0.0);
	us->household = (int)lmrec_synth_pick(&r, mix, 3);
	for (int i = 0; i < LMREC_SYNTH_NREGIONS; i++)
		mix[i] = p1->region[i];
	us->region = (int)lmrec_synth_pick(&r, mix, LMREC_SYNTH_NREGIONS);
	us->town = (int)lmrec_rng_below(&r, 3);

	double sum = 0.0;
	for (int d = 0; d < LMREC_SYNTH_NDOMAINS; d++) {
		us->dom[d] = (p1->dom[d] + (p2 ? us->weight2 * p2->dom[d] : 0.0)) *
			     lmrec_synth_exp(0.3 * lmrec_synth_normal(&r));
		sum += us->dom[d];
	}
	for (int d = 0; d < LMREC_SYNTH_NDOMAINS; d++)
		us->dom[d] /= sum;
	for (int k = 0; k < LMREC_SYNTH_LATENT; k++)
		us->z[k] = lmrec_synth_normal(&r);
	us->season = 0.5 + lmrec_rng_double(&r);

	/* activity: log-normal sessions per day, a long tail both ways */
	double rate = lmrec_synth_exp(-1.5 + 1.5 * lmrec_synth_normal(&r));
	us->rate = rate < 0.005 ? 0.005 : rate > 6.0 ? 6.0 : rate;

	/* sign-up: most before the window, some during it (cold users) */
	if (days > 7 && lmrec_rng_double(&r) < 0.12) {
		us->join_day = span(&r, 1, days - 5);
		us->joined = w->opt.start + (int64_t)us->join_day * LMREC_SYNTH_DAY + (int64_t)lmrec_rng_below(&r, UINT64_C(8) * 3600);
	} else {
		us->join_day = 0;
		us->joined = w->opt.start - (int64_t)span(&r, 1, 900) * LMREC_SYNTH_DAY +
			     (int64_t)lmrec_rng_below(&r, LMREC_SYNTH_DAY);
	}
	us->leave_day = days;
	if (days > 12 && lmrec_rng_double(&r) < 0.06)
		us->leave_day = span(&r, us->join_day + 5, days);

	/* a new interest that ramps in over a week */
	us->new_persona = -1;
	us->new_day = days;
	us->new_weight = 0.0;
	if (lmrec_rng_double(&r) < 0.35) {
		asnew[us->persona] = 0.0;
		if (us->persona2 >= 0)
			asnew[us->persona2] = 0.0;
		us->new_persona = (int)lmrec_synth_pick(&r, asnew, np);
		us->new_day = span(&r, days / 12, days * 5 / 6);
		us->new_weight = 0.6 + 0.6 * lmrec_rng_double(&r);
	}

	/* a trip to another region, planned in the two weeks before */
	us->trip_region = -1;
	us->trip_day = days;
	us->trip_len = 0;
	if (days >= 14 && lmrec_rng_double(&r) < 0.3) {
		us->trip_region = (us->region + 1 + (int)lmrec_rng_below(&r, LMREC_SYNTH_NREGIONS - 1)) %
				  LMREC_SYNTH_NREGIONS;
		us->trip_len = 2 + (int32_t)lmrec_rng_below(&r, 4);
		us->trip_day = span(&r, days / 4, days - us->trip_len);
	}
}

void lmrec_synth_user_taste(const struct lmrec_synth_world *w, size_t u, double *taste)
{
	const struct lmrec_synth_user *us = &w->users[u];
	const struct lmrec_synth_persona *p1 = &w->personas[us->persona];
	const struct lmrec_synth_persona *p2 = us->persona2 >= 0 ? &w->personas[us->persona2] : NULL;
	struct lmrec_rng r;
	lmrec_rng_seed2(&r, w->opt.seed, ((uint64_t)LMREC_SYNTH_RNG_TASTE << 32) | u);
	/* the personas, then personal quirks on a few features */
	for (size_t f = 0, nf = lmrec_ids_count(w->feats); f < nf; f++) {
		taste[f] = p1->taste[f] + (p2 ? us->weight2 * p2->taste[f] : 0.0);
		if (lmrec_rng_double(&r) < 0.15)
			taste[f] += 0.6 * lmrec_synth_normal(&r);
	}
}

struct lmrec_synth_world *lmrec_synth_new(const struct lmrec_synth_opts *opt)
{
	struct lmrec_synth_world *w = lmrec_xcalloc(1, sizeof *w);
	w->opt = *opt;
	w->feats = lmrec_ids_new();
	lmrec_synth_catalog(w);

	/* personas and the seasonal drift, over the catalog's features */
	w->n_personas = NELEM(personas);
	for (size_t p = 0; p < w->n_personas; p++)
		intern_spec(w->feats, personas[p].taste);
	intern_spec(w->feats, season_spec);
	size_t nf = lmrec_ids_count(w->feats);
	w->personas = lmrec_xcalloc(w->n_personas, sizeof *w->personas);
	for (size_t p = 0; p < w->n_personas; p++) {
		struct lmrec_synth_persona *ps = &w->personas[p];
		ps->name = personas[p].name;
		memcpy(ps->dom, personas[p].dom, sizeof ps->dom);
		ps->taste = lmrec_xcalloc(nf + 1, sizeof *ps->taste);
		add_taste(w->feats, personas[p].taste, ps->taste, nf);
		parse_weights(personas[p].age, ps->age, 6);
		parse_weights(personas[p].household, ps->household, 3);
		parse_weights(personas[p].region, ps->region, LMREC_SYNTH_NREGIONS);
	}
	w->season_drift = lmrec_xcalloc(nf + 1, sizeof *w->season_drift);
	add_taste(w->feats, season_spec, w->season_drift, nf);

	w->n_users = opt->n_users;
	w->users = lmrec_xcalloc(w->n_users, sizeof *w->users);
	int width = 4;
	for (size_t x = w->n_users; x >= 10000; x /= 10)
		width++;
	for (size_t u = 0; u < w->n_users; u++)
		make_user(w, u, width);
	return w;
}

void lmrec_synth_free(struct lmrec_synth_world *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n_items; i++) {
		struct lmrec_synth_item *it = &w->items[i];
		free(it->id);
		free(it->title);
		free(it->text);
		free(it->attrs);
		free(it->feat);
	}
	free(w->items);
	for (size_t k = 0; k < w->n_cats; k++)
		free(w->cats[k].name);
	free(w->cats);
	free(w->by_id);
	for (size_t p = 0; p < w->n_personas; p++)
		free(w->personas[p].taste);
	free(w->personas);
	free(w->season_drift);
	for (size_t u = 0; u < w->n_users; u++)
		free(w->users[u].id);
	free(w->users);
	free(w->ev);
	lmrec_ids_free(w->feats);
	free(w);
}

/* ---- behaviour ---- */

struct sim {
	struct lmrec_synth_world *w;
	const struct lmrec_synth_user *u;
	uint32_t uix;
	struct lmrec_rng rng;
	double *base;   /* (n_feats) the user's base taste */
	double *taste;  /* (n_feats) today's taste */
	double *score;  /* (n_items) today's score of the items of computed domains */
	double *e;      /* (n_items) exp(score - domain max), 0 when unavailable */
	double *hist;   /* (n_items) factor from this user's history with the item */
	double ref[LMREC_SYNTH_NDOMAINS];  /* softmax-weighted mean score: a typical pick */
	int32_t computed[LMREC_SYNTH_NDOMAINS];
	int32_t day;
	int taste_ok, here, planning, on_trip, weekend;
	int64_t end_ts;  /* first second after the window */
	uint32_t *consider; /* shop items clicked but not bought */
	size_t nconsider, capconsider;
	int need_cat;       /* a complement to buy, -1 none */
	int32_t need_until;
	uint32_t seq;
};

static void emit(struct sim *s, int64_t ts, uint32_t item, int kind, uint32_t weight)
{
	struct lmrec_synth_world *w = s->w;
	if (ts >= s->end_ts || ts < s->u->joined || ts < w->items[item].released)
		return;
	LMREC_GROW(w->ev, w->cap_ev, w->n_ev + 1);
	w->ev[w->n_ev++] = (struct lmrec_synth_event){ts, s->uix, item, s->seq++, weight, (uint32_t)kind};
}

double lmrec_synth_new_ramp(const struct lmrec_synth_world *w, size_t u, int32_t day)
{
	const struct lmrec_synth_user *us = &w->users[u];
	if (us->new_persona < 0 || day < us->new_day)
		return 0.0;
	double ramp = (double)(day - us->new_day + 1) / 7.0;
	return us->new_weight * (ramp > 1.0 ? 1.0 : ramp);
}

void lmrec_synth_taste_on(const struct lmrec_synth_world *w, size_t u, int32_t day, const double *base,
			  double *taste)
{
	const struct lmrec_synth_user *us = &w->users[u];
	size_t nf = lmrec_ids_count(w->feats);
	double season = us->season * ((double)day + 0.5) / (double)w->opt.days;
	double ramp = lmrec_synth_new_ramp(w, u, day);
	const double *np = us->new_persona >= 0 ? w->personas[us->new_persona].taste : NULL;
	for (size_t f = 0; f < nf; f++)
		taste[f] = base[f] + season * w->season_drift[f] + (np ? ramp * np[f] : 0.0);
}

static void today_taste(struct sim *s)
{
	lmrec_synth_taste_on(s->w, s->uix, s->day, s->base, s->taste);
	s->taste_ok = 1;
}

/* Today's scores of one domain's items, their softmax weights and the
 * weighted mean score. */
static void compute_domain(struct sim *s, int d)
{
	if (s->computed[d] == s->day)
		return;
	if (!s->taste_ok)
		today_taste(s);
	const struct lmrec_synth_world *w = s->w;
	const struct lmrec_synth_user *u = s->u;
	size_t lo = w->dom_first[d], hi = w->dom_first[d + 1];
	double max = -1e300;
	for (size_t i = lo; i < hi; i++) {
		const struct lmrec_synth_item *it = &w->items[i];
		if (s->day < it->release || s->day >= it->end) {
			s->score[i] = 0.0; /* not on offer today */
			continue;
		}
		double x = 0.0;
		for (uint32_t k = 0; k < it->nfeat; k++)
			x += s->taste[it->feat[k]];
		double dot = 0.0;
		for (int q = 0; q < LMREC_SYNTH_LATENT; q++)
			dot += u->z[q] * it->z[q];
		x += LMREC_SYNTH_W_LATENT * dot + LMREC_SYNTH_W_POP * it->pop;
		int32_t age = s->day - it->release;
		if (it->release >= 0 && age < 21)
			x += W_NEW * lmrec_synth_exp(-(double)age / 7.0);
		if (it->region >= 0) {
			if (d == LMREC_SYNTH_FOOD)
				x += it->region == s->here ? LMREC_SYNTH_W_LOCAL_FOOD : LMREC_SYNTH_W_AWAY_FOOD;
			else
				x += it->region == s->here ? LMREC_SYNTH_W_LOCAL_PLACE : 0.0;
			if (s->planning && it->region == u->trip_region)
				x += W_TRIP;
		}
		if (s->planning && d == LMREC_SYNTH_SHOP) {
			const char *cn = w->cats[it->category].name;
			if (strcmp(cn, "luggage") == 0 || strcmp(cn, "travel-kit") == 0)
				x += W_TRIP_KIT;
		}
		s->score[i] = x;
		if (x > max)
			max = x;
	}
	double sum = 0.0, wsum = 0.0;
	for (size_t i = lo; i < hi; i++) {
		const struct lmrec_synth_item *it = &w->items[i];
		int avail = s->day >= it->release && s->day < it->end;
		s->e[i] = avail ? lmrec_synth_exp(s->score[i] - max) : 0.0;
		sum += s->e[i];
		wsum += s->e[i] * s->score[i];
	}
	s->ref[d] = sum > 0.0 ? wsum / sum : 0.0;
	s->computed[d] = s->day;
}

/* Draws an item of [lo, hi) by weight e * hist, avoiding the n items of
 * skip; returns UINT32_MAX when nothing can be drawn. */
static uint32_t draw(struct sim *s, size_t lo, size_t hi, const uint32_t *skip, size_t n)
{
	double sum = 0.0;
	for (size_t i = lo; i < hi; i++)
		sum += s->e[i] * s->hist[i];
	for (size_t k = 0; k < n; k++)
		if (skip[k] >= lo && skip[k] < hi)
			sum -= s->e[skip[k]] * s->hist[skip[k]];
	if (!(sum > 1e-300))
		return UINT32_MAX;
	double x = lmrec_rng_double(&s->rng) * sum;
	uint32_t last = UINT32_MAX;
	for (size_t i = lo; i < hi; i++) {
		double wi = s->e[i] * s->hist[i];
		if (wi <= 0.0)
			continue;
		int skipped = 0;
		for (size_t k = 0; k < n; k++)
			skipped |= skip[k] == i;
		if (skipped)
			continue;
		last = (uint32_t)i;
		x -= wi;
		if (x < 0.0)
			return (uint32_t)i;
	}
	return last;
}

/* How much the user likes item i right now, around 0 for a typical pick. */
static double liking(struct sim *s, uint32_t i, double noise)
{
	int d = (int)s->w->items[i].domain;
	return s->score[i] - s->ref[d] + noise * lmrec_synth_normal(&s->rng);
}

static uint32_t stars(struct sim *s, double r)
{
	double x = 3.4 + 1.1 * r + 0.6 * lmrec_synth_normal(&s->rng);
	int v = (int)(x + 0.5 + 100.0) - 100;
	return (uint32_t)(v < 1 ? 1 : v > 5 ? 5 : v) * 100;
}

static void hist_mul(struct sim *s, uint32_t i, double f)
{
	double h = s->hist[i] * f;
	s->hist[i] = h < 0.005 ? 0.005 : h > 30.0 ? 30.0 : h;
}

/* Picks the items of a browsing session: the first from the whole domain
 * (or given), the next ones from the same category with probability same. */
static size_t browse(struct sim *s, int d, uint32_t first, double stop, size_t max, double same, uint32_t *out)
{
	const struct lmrec_synth_world *w = s->w;
	size_t n = 0;
	if (first == UINT32_MAX)
		first = draw(s, w->dom_first[d], w->dom_first[d + 1], NULL, 0);
	if (first == UINT32_MAX)
		return 0;
	out[n++] = first;
	while (n < max && lmrec_rng_double(&s->rng) >= stop) {
		const struct lmrec_synth_category *c = &w->cats[w->items[out[n - 1]].category];
		uint32_t next = lmrec_rng_double(&s->rng) < same ? draw(s, c->first, c->end, out, n)
								 : draw(s, w->dom_first[d], w->dom_first[d + 1], out, n);
		if (next == UINT32_MAX)
			break;
		out[n++] = next;
	}
	return n;
}

static int64_t gap(struct sim *s, int64_t lo, int64_t hi) { return lo + (int64_t)lmrec_rng_below(&s->rng, (uint64_t)(hi - lo)); }

/* After a purchase in category cat: half the time, one of its complements
 * is wanted for a week. */
static void want_complement(struct sim *s, const char *cat)
{
	const struct lmrec_synth_world *w = s->w;
	for (size_t c = 0; c < NELEM(complements); c++) {
		if (strcmp(complements[c].cat, cat) != 0 || lmrec_rng_double(&s->rng) >= 0.5)
			continue;
		const char *next = complements[c].next[lmrec_rng_below(&s->rng, complements[c].next[1] ? 2 : 1)];
		for (size_t k = 0; k < w->n_cats; k++)
			if (strcmp(w->cats[k].name, next) == 0)
				s->need_cat = (int)k;
		s->need_until = s->day + 7;
	}
}

static int64_t session_shop(struct sim *s, int64_t ts)
{
	const struct lmrec_synth_world *w = s->w;
	uint32_t items[8], first = UINT32_MAX;
	if (s->need_cat >= 0 && s->day <= s->need_until && lmrec_rng_double(&s->rng) < 0.5) {
		const struct lmrec_synth_category *c = &w->cats[s->need_cat];
		first = draw(s, c->first, c->end, NULL, 0);
		s->need_cat = -1;
	} else if (s->nconsider > 0 && lmrec_rng_double(&s->rng) < 0.25) {
		uint32_t cand = s->consider[s->nconsider - 1 - (size_t)lmrec_rng_below(&s->rng, s->nconsider < 5 ? s->nconsider : 5)];
		if (s->e[cand] > 0.0)
			first = cand;
	}
	size_t n = browse(s, LMREC_SYNTH_SHOP, first, 0.4, 8, 0.7, items);
	int bought = 0;
	for (size_t k = 0; k < n; k++) {
		uint32_t i = items[k];
		double r = liking(s, i, 0.7);
		emit(s, ts, i, LMREC_SYNTH_VIEW, 100);
		ts += gap(s, 10, 90);
		if (lmrec_rng_double(&s->rng) >= lmrec_synth_sigmoid(1.2 * r + 0.2))
			continue;
		emit(s, ts, i, LMREC_SYNTH_CLICK, 100);
		ts += gap(s, 30, 240);
		if (lmrec_rng_double(&s->rng) < lmrec_synth_sigmoid(1.2 * r - 1.0)) {
			emit(s, ts, i, LMREC_SYNTH_CART, 100);
			ts += gap(s, 20, 180);
			if (bought < 2 && lmrec_rng_double(&s->rng) < 0.6) {
				emit(s, ts, i, LMREC_SYNTH_PURCHASE, 100);
				ts += gap(s, 30, 120);
				bought++;
				hist_mul(s, i, 0.05);
				want_complement(s, w->cats[w->items[i].category].name);
				continue;
			}
		}
		hist_mul(s, i, 1.6);
		LMREC_GROW(s->consider, s->capconsider, s->nconsider + 1);
		s->consider[s->nconsider++] = i;
	}
	return ts;
}

static int64_t session_video(struct sim *s, int64_t ts)
{
	const struct lmrec_synth_world *w = s->w;
	uint32_t items[5];
	size_t n = browse(s, LMREC_SYNTH_VIDEO, UINT32_MAX, 0.5, 5, 0.5, items);
	for (size_t k = 0; k < n; k++) {
		uint32_t i = items[k];
		const struct lmrec_synth_item *it = &w->items[i];
		double r = liking(s, i, 0.7);
		emit(s, ts, i, LMREC_SYNTH_VIEW, 100);
		ts += gap(s, 5, 60);
		if (lmrec_rng_double(&s->rng) >= lmrec_synth_sigmoid(1.2 * r + 0.6)) {
			hist_mul(s, i, 0.7);
			continue;
		}
		double base = it->minutes < 20 ? 2.0 : 0.8;
		double q = lmrec_synth_sigmoid(1.5 * r + base + 0.8 * lmrec_synth_normal(&s->rng));
		uint32_t share = 2 + (uint32_t)(98.0 * q);
		emit(s, ts, i, LMREC_SYNTH_WATCH, share);
		ts += (int64_t)it->minutes * 60 * share / 100 + gap(s, 10, 120);
		if (share >= 60 && lmrec_rng_double(&s->rng) < 0.25)
			emit(s, ts - gap(s, 1, 9), i, LMREC_SYNTH_RATING, stars(s, r));
		hist_mul(s, i, share >= 90 ? 0.03 : 0.5);
	}
	return ts;
}

/* After a visit or an order: the rating it may get and what it does to
 * the chance of coming back. */
static void after_use(struct sim *s, uint32_t i, int64_t ts, double r, double p_rate, int repeat)
{
	uint32_t st = stars(s, r);
	if (lmrec_rng_double(&s->rng) < p_rate)
		emit(s, ts + gap(s, 3600, 20 * (int64_t)3600), i, LMREC_SYNTH_RATING, st);
	if (!repeat)
		hist_mul(s, i, 0.1);
	else if (st <= 200)
		hist_mul(s, i, 0.3);
	else if (s->hist[i] < 6.0)
		hist_mul(s, i, lmrec_synth_exp(0.35 * ((double)st / 100.0 - 3.0) + 0.25));
}

static int64_t session_food(struct sim *s, int64_t ts)
{
	const struct lmrec_synth_world *w = s->w;
	size_t lo = w->dom_first[LMREC_SYNTH_FOOD], hi = w->dom_first[LMREC_SYNTH_FOOD + 1];
	/* a favourite: straight there, no browsing */
	if (lmrec_rng_double(&s->rng) < 0.35) {
		double sum = 0.0;
		for (size_t i = lo; i < hi; i++)
			if (s->hist[i] > 1.5 && w->items[i].region == s->here)
				sum += s->e[i] * s->hist[i];
		if (sum > 0.0) {
			double x = lmrec_rng_double(&s->rng) * sum;
			for (size_t i = lo; i < hi; i++)
				if (s->hist[i] > 1.5 && w->items[i].region == s->here) {
					x -= s->e[i] * s->hist[i];
					if (x < 0.0 || i + 1 == hi) {
						int venue = w->cats[w->items[i].category].venue;
						double r = liking(s, (uint32_t)i, 0.5);
						emit(s, ts, (uint32_t)i, venue ? LMREC_SYNTH_VISIT : LMREC_SYNTH_PURCHASE, 100);
						after_use(s, (uint32_t)i, ts, r, 0.15, 1);
						return ts + gap(s, 600, 3600);
					}
				}
		}
	}
	uint32_t items[4];
	size_t n = browse(s, LMREC_SYNTH_FOOD, UINT32_MAX, 0.5, 4, 0.6, items);
	uint32_t best = UINT32_MAX;
	double best_r = -1e300;
	for (size_t k = 0; k < n; k++) {
		double r = liking(s, items[k], 0.7);
		emit(s, ts, items[k], LMREC_SYNTH_VIEW, 100);
		ts += gap(s, 15, 120);
		if (w->items[items[k]].region == s->here && r > best_r) {
			best = items[k];
			best_r = r;
		}
	}
	if (best == UINT32_MAX)
		return ts;
	int venue = w->cats[w->items[best].category].venue;
	if (lmrec_rng_double(&s->rng) >= lmrec_synth_sigmoid(1.2 * best_r + (venue ? 0.3 : 0.2)))
		return ts;
	int64_t at = venue ? ts + gap(s, 3600, 4 * (int64_t)3600) : ts + gap(s, 120, 900);
	emit(s, at, best, venue ? LMREC_SYNTH_VISIT : LMREC_SYNTH_PURCHASE, 100);
	after_use(s, best, at, best_r, venue ? 0.3 : 0.25, 1);
	return ts;
}

static int64_t session_places(struct sim *s, int64_t ts)
{
	const struct lmrec_synth_world *w = s->w;
	uint32_t items[5];
	size_t n = browse(s, LMREC_SYNTH_PLACES, UINT32_MAX, 0.45, 5, 0.5, items);
	uint32_t best = UINT32_MAX;
	double best_r = -1e300;
	for (size_t k = 0; k < n; k++) {
		double r = liking(s, items[k], 0.7);
		emit(s, ts, items[k], LMREC_SYNTH_VIEW, 100);
		ts += gap(s, 15, 150);
		if (w->items[items[k]].region == s->here && r > best_r) {
			best = items[k];
			best_r = r;
		}
	}
	if (best == UINT32_MAX)
		return ts;
	double bias = (s->weekend ? 0.6 : -0.6) + (s->on_trip ? 1.0 : 0.0);
	if (lmrec_rng_double(&s->rng) >= lmrec_synth_sigmoid(1.2 * best_r + bias))
		return ts;
	int64_t at = ts + gap(s, 1800, 3 * (int64_t)3600);
	emit(s, at, best, LMREC_SYNTH_VISIT, 100);
	after_use(s, best, at, best_r, 0.35, w->cats[w->items[best].category].repeat);
	return ts;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static void simulate_user(struct sim *s)
{
	const struct lmrec_synth_world *w = s->w;
	const struct lmrec_synth_user *u = s->u;
	int32_t days = (int32_t)w->opt.days;
	int64_t epoch_day = w->opt.start / LMREC_SYNTH_DAY;
	for (size_t i = 0; i < w->n_items; i++)
		s->hist[i] = 1.0;
	for (int d = 0; d < LMREC_SYNTH_NDOMAINS; d++)
		s->computed[d] = -1;
	s->nconsider = 0;
	s->need_cat = -1;
	s->seq = 0;
	for (int32_t day = u->join_day; day < u->leave_day && day < days; day++) {
		s->day = day;
		s->taste_ok = 0;
		int dow = (int)((epoch_day + day + 4) % 7); /* 0 Sunday: 1970-01-01 was a Thursday */
		s->weekend = dow == 0 || dow == 6;
		s->planning = u->trip_region >= 0 && day >= u->trip_day - 14 && day < u->trip_day;
		s->on_trip = u->trip_region >= 0 && day >= u->trip_day && day < u->trip_day + u->trip_len;
		s->here = s->on_trip ? u->trip_region : u->region;
		double mean = u->rate * (s->weekend ? 1.15 : 0.95) * (s->on_trip ? 1.3 : 1.0) *
			      lmrec_synth_exp(0.45 * lmrec_synth_normal(&s->rng) - 0.1);
		uint32_t n = lmrec_synth_poisson(&s->rng, mean);
		if (day == u->join_day && u->join_day > 0 && n == 0)
			n = 1; /* who signs up does something that day */
		if (n > 12)
			n = 12;
		if (n == 0)
			continue;

		/* today's domain mix: the user's, the new interest, the day */
		double ramp = 0.0;
		if (u->new_persona >= 0 && day >= u->new_day) {
			ramp = (double)(day - u->new_day + 1) / 7.0;
			ramp = 0.5 * u->new_weight * (ramp > 1.0 ? 1.0 : ramp);
		}
		double season = ((double)day + 0.5) / (double)days;
		static const double weekend_f[4] = {0.9, 0.85, 1.25, 1.9}, weekday_f[4] = {1.05, 1.1, 0.95, 0.7};
		double dom[LMREC_SYNTH_NDOMAINS];
		for (int d = 0; d < LMREC_SYNTH_NDOMAINS; d++) {
			double base = u->dom[d];
			if (u->new_persona >= 0)
				base = (1.0 - ramp) * base + ramp * w->personas[u->new_persona].dom[d];
			dom[d] = base * (s->weekend ? weekend_f[d] : weekday_f[d]);
		}
		dom[LMREC_SYNTH_VIDEO] *= 1.0 + 0.3 * season;
		dom[LMREC_SYNTH_PLACES] *= 1.0 - 0.25 * season;
		if (s->planning) {
			dom[LMREC_SYNTH_PLACES] *= 2.0;
			dom[LMREC_SYNTH_SHOP] *= 1.2;
		}
		if (s->on_trip) {
			dom[LMREC_SYNTH_PLACES] *= 3.0;
			dom[LMREC_SYNTH_FOOD] *= 2.0;
			dom[LMREC_SYNTH_VIDEO] *= 0.4;
			dom[LMREC_SYNTH_SHOP] *= 0.4;
		}

		/* sessions: a domain and a start each, run in time order */
		int64_t start[12];
		for (uint32_t k = 0; k < n; k++) {
			int d = (int)lmrec_synth_pick(&s->rng, dom, LMREC_SYNTH_NDOMAINS);
			double hw[24];
			for (int h = 0; h < 24; h++)
				hw[h] = hours[d][h];
			int64_t sec = (int64_t)lmrec_synth_pick(&s->rng, hw, 24) * 3600 + (int64_t)lmrec_rng_below(&s->rng, 3600);
			start[k] = sec * 4 + d; /* the domain rides in the low bits */
		}
		qsort(start, n, sizeof *start, cmp_i64);
		int64_t day0 = w->opt.start + (int64_t)day * LMREC_SYNTH_DAY, free_at = 0;
		for (uint32_t k = 0; k < n; k++) {
			int d = (int)(start[k] % 4);
			int64_t ts = day0 + start[k] / 4;
			if (ts < free_at)
				ts = free_at + gap(s, 60, 600);
			if (ts < u->joined)
				ts = u->joined + gap(s, 60, 600);
			compute_domain(s, d);
			switch (d) {
			case LMREC_SYNTH_SHOP: ts = session_shop(s, ts); break;
			case LMREC_SYNTH_VIDEO: ts = session_video(s, ts); break;
			case LMREC_SYNTH_FOOD: ts = session_food(s, ts); break;
			default: ts = session_places(s, ts); break;
			}
			free_at = ts;
		}
	}
}

static int cmp_event(const void *a, const void *b)
{
	const struct lmrec_synth_event *x = a, *y = b;
	if (x->ts != y->ts)
		return (x->ts > y->ts) - (x->ts < y->ts);
	if (x->user != y->user)
		return (x->user > y->user) - (x->user < y->user);
	return (x->seq > y->seq) - (x->seq < y->seq);
}

void lmrec_synth_simulate(struct lmrec_synth_world *w)
{
	size_t nf = lmrec_ids_count(w->feats);
	struct sim s = {.w = w, .end_ts = w->opt.start + (int64_t)w->opt.days * LMREC_SYNTH_DAY};
	s.taste = lmrec_xmalloc((nf + 1) * sizeof *s.taste);
	s.base = lmrec_xmalloc((nf + 1) * sizeof *s.base);
	s.score = lmrec_xcalloc(w->n_items + 1, sizeof *s.score);
	s.e = lmrec_xcalloc(w->n_items + 1, sizeof *s.e);
	s.hist = lmrec_xmalloc((w->n_items + 1) * sizeof *s.hist);
	for (size_t u = 0; u < w->n_users; u++) {
		s.u = &w->users[u];
		s.uix = (uint32_t)u;
		lmrec_rng_seed2(&s.rng, w->opt.seed, ((uint64_t)LMREC_SYNTH_RNG_BEHAVIOUR << 32) | u);
		lmrec_synth_user_taste(w, u, s.base);
		simulate_user(&s);
	}
	if (w->n_ev > 1) /* qsort wants a valid pointer even for 0 elements */
		qsort(w->ev, w->n_ev, sizeof *w->ev, cmp_event);
	free(s.taste);
	free(s.base);
	free(s.score);
	free(s.e);
	free(s.hist);
	free(s.consider);
}

/* ---- writing ---- */

void lmrec_synth_write_items(const struct lmrec_synth_world *w, struct lmrec_out *o)
{
	lmrec_out_str(o, "item\ttitle\ttext\tcategory\tattrs\tdomain\tavailable\treleased\n");
	for (size_t k = 0; k < w->n_items; k++) {
		const struct lmrec_synth_item *it = &w->items[w->by_id[k]];
		lmrec_out_str(o, it->id);
		lmrec_out_tab(o);
		lmrec_out_field(o, it->title, strlen(it->title));
		lmrec_out_tab(o);
		lmrec_out_field(o, it->text, strlen(it->text));
		lmrec_out_tab(o);
		lmrec_out_str(o, w->cats[it->category].name);
		lmrec_out_tab(o);
		lmrec_out_str(o, it->attrs);
		lmrec_out_tab(o);
		lmrec_out_str(o, lmrec_synth_domain_names[it->domain]);
		lmrec_out_str(o, it->end >= (int32_t)w->opt.days ? "\t1\t" : "\t0\t");
		lmrec_out_i64(o, it->released);
		lmrec_out_eol(o);
	}
}

void lmrec_synth_write_users(const struct lmrec_synth_world *w, struct lmrec_out *o)
{
	lmrec_out_str(o, "user\tage_band\thousehold\tregion\ttown\tjoined\n");
	for (size_t u = 0; u < w->n_users; u++) {
		const struct lmrec_synth_user *us = &w->users[u];
		lmrec_out_printf(o, "%s\t%s\t%s\t%s\t%s\t", us->id, age_bands[us->age], households[us->household],
				 lmrec_synth_region_names[us->region], towns[us->region][us->town]);
		lmrec_out_i64(o, us->joined);
		lmrec_out_eol(o);
	}
}

void lmrec_synth_write_interactions(const struct lmrec_synth_world *w, struct lmrec_out *o)
{
	lmrec_out_str(o, "user\titem\tts\tweight\tevent\n");
	for (size_t k = 0; k < w->n_ev; k++) {
		const struct lmrec_synth_event *e = &w->ev[k];
		lmrec_out_str(o, w->users[e->user].id);
		lmrec_out_tab(o);
		lmrec_out_str(o, w->items[e->item].id);
		lmrec_out_tab(o);
		lmrec_out_i64(o, e->ts);
		lmrec_out_tab(o);
		lmrec_synth_out_hundredths(o, e->weight);
		lmrec_out_tab(o);
		lmrec_out_str(o, lmrec_synth_event_names[e->kind]);
		lmrec_out_eol(o);
	}
}

void lmrec_synth_write_truth(const struct lmrec_synth_world *w, struct lmrec_out *o)
{
	lmrec_out_str(o, "user\tpersona\tpersona2\tweight2\tnew_persona\tnew_ts\ttrip_region\ttrip_ts\ttrip_days"
			 "\trate\tseason\n");
	for (size_t u = 0; u < w->n_users; u++) {
		const struct lmrec_synth_user *us = &w->users[u];
		lmrec_out_printf(o, "%s\t%s\t%s\t", us->id, w->personas[us->persona].name,
				 us->persona2 >= 0 ? w->personas[us->persona2].name : "");
		if (us->persona2 >= 0)
			lmrec_out_printf(o, "%.3f", us->weight2);
		lmrec_out_tab(o);
		if (us->new_persona >= 0) {
			lmrec_out_printf(o, "%s\t", w->personas[us->new_persona].name);
			lmrec_out_i64(o, w->opt.start + (int64_t)us->new_day * LMREC_SYNTH_DAY);
		} else {
			lmrec_out_tab(o);
		}
		lmrec_out_tab(o);
		if (us->trip_region >= 0) {
			lmrec_out_printf(o, "%s\t", lmrec_synth_region_names[us->trip_region]);
			lmrec_out_i64(o, w->opt.start + (int64_t)us->trip_day * LMREC_SYNTH_DAY);
			lmrec_out_printf(o, "\t%d", (int)us->trip_len);
		} else {
			lmrec_out_str(o, "\t\t");
		}
		lmrec_out_printf(o, "\t%.3f\t%.3f\n", us->rate, us->season);
	}
}

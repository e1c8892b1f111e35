/* lmrec — seeded synthetic worlds (lmrec-synth(1) describes the model).
 *
 * A world is a catalog over four domains (shop, video, food, places) whose
 * item text is composed from the items' attributes, users with latent
 * tastes that drift over the days of the window, the interactions the
 * users make, and conversations in which some of them ask for an item they
 * want (synth_talk.c). Everything follows from the options and the seed: the same
 * options give the same bytes on every IEEE-754 platform, because the
 * generator draws from lmrec_rng and computes exp and log itself
 * (lmrec_synth_exp/log) instead of trusting the C library's last bit.
 *
 * Random streams are separate per purpose, per user and per conversation
 * (see LMREC_SYNTH_RNG_*), so a stream added later (conversations were;
 * goals and feedback will be) never changes the bytes of the streams that
 * exist, and user u is the same person whatever the number of users.
 *
 * The scale generator (lmrec_synth_scale_*) is separate: a plain
 * popularity-and-taste model that streams any number of rows in constant
 * memory per user, for load tests. */
#ifndef LMREC_SYNTH_H
#define LMREC_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "ids.h"
#include "rng.h"
#include "tsv.h"

#define LMREC_SYNTH_LATENT 8 /* dimensions of the hidden (non-text) taste */
#define LMREC_SYNTH_DAY 86400

enum lmrec_synth_domain {
	LMREC_SYNTH_SHOP,
	LMREC_SYNTH_VIDEO,
	LMREC_SYNTH_FOOD,
	LMREC_SYNTH_PLACES,
	LMREC_SYNTH_NDOMAINS
};
extern const char *const lmrec_synth_domain_names[LMREC_SYNTH_NDOMAINS];

/* Home regions of users, and regions of restaurants and places. */
#define LMREC_SYNTH_NREGIONS 5
extern const char *const lmrec_synth_region_names[LMREC_SYNTH_NREGIONS];

/* Event kinds of the interactions stream, in the order of this enum. */
enum lmrec_synth_event_kind {
	LMREC_SYNTH_VIEW,
	LMREC_SYNTH_CLICK,
	LMREC_SYNTH_CART,
	LMREC_SYNTH_PURCHASE,
	LMREC_SYNTH_WATCH,
	LMREC_SYNTH_VISIT,
	LMREC_SYNTH_RATING,
	LMREC_SYNTH_NEVENTS
};
extern const char *const lmrec_synth_event_names[LMREC_SYNTH_NEVENTS];

/* Purposes of the random streams: lmrec_rng_seed2(seed, purpose << 32 | n). */
enum {
	LMREC_SYNTH_RNG_CATALOG = 1,
	LMREC_SYNTH_RNG_USER = 2,
	LMREC_SYNTH_RNG_BEHAVIOUR = 3,
	LMREC_SYNTH_RNG_SCALE = 4,
	LMREC_SYNTH_RNG_TASTE = 5,
	LMREC_SYNTH_RNG_MEDIA = 6,
	LMREC_SYNTH_RNG_TALK = 7,
	LMREC_SYNTH_RNG_GOALS = 8,    /* n: the goal session */
	LMREC_SYNTH_RNG_WEATHER = 9,  /* n: day * LMREC_SYNTH_NREGIONS + region */
	LMREC_SYNTH_RNG_FEEDBACK = 10, /* n: the user */
	LMREC_SYNTH_RNG_SCALE_TEXT = 11 /* n: the item of scale mode */
};

/* Weights of an item's score for a user (lmrec-synth(1), Behaviour): the
 * hidden factors' dot product, the popularity prior, food in the region
 * the user is in and elsewhere, places there. */
#define LMREC_SYNTH_W_LATENT 0.35
#define LMREC_SYNTH_W_POP 1.0
#define LMREC_SYNTH_W_LOCAL_FOOD 1.8
#define LMREC_SYNTH_W_AWAY_FOOD (-0.5)
#define LMREC_SYNTH_W_LOCAL_PLACE 1.0

struct lmrec_synth_opts {
	uint64_t seed;
	size_t n_users; /* 1 .. 1,000,000 */
	size_t n_items; /* 100 .. 100,000 */
	uint32_t days;  /* length of the window, 1 .. 3650 */
	int64_t start;  /* first second of the window (a UTC midnight) */
};

struct lmrec_synth_category {
	char *name;       /* "jackets", "documentary", "restaurant", "trail", ... */
	uint32_t domain;  /* enum lmrec_synth_domain */
	uint32_t feature; /* feature index of "c.NAME" */
	size_t first, end; /* its items are world->items[first .. end) */
	int venue;        /* food: a place one visits (else a dish one orders) */
	int repeat;       /* the same item is naturally consumed again */
};

struct lmrec_synth_item {
	char *id, *title, *text, *attrs; /* attrs: canonical key=value;... */
	uint32_t domain, category;
	uint32_t *feat;   /* (nfeat) features: the category and every attribute */
	uint32_t nfeat;
	int region;       /* index into lmrec_synth_region_names, -1 if none */
	int32_t release;  /* first day it can be used (negative: before the window) */
	int32_t end;      /* first day it is gone (days when still available) */
	int64_t released; /* release time, a UTC midnight */
	uint32_t parent;  /* a dish: index of its restaurant; else UINT32_MAX */
	uint32_t minutes; /* a video: running time */
	double pop;       /* log popularity prior */
	double z[LMREC_SYNTH_LATENT]; /* hidden factors (brand, restaurant, taste) */
};

/* One planted taste profile ("hiker", "foodie", ...): see synth_world.c. */
struct lmrec_synth_persona {
	const char *name;
	double dom[LMREC_SYNTH_NDOMAINS];  /* share of sessions per domain */
	double *taste;                      /* (n_feats) weights */
	double age[6], household[3], region[LMREC_SYNTH_NREGIONS];
};

struct lmrec_synth_user {
	char *id;
	int age, household, region, town;  /* indices into the tables of users.tsv */
	int64_t joined;
	int32_t join_day, leave_day;        /* active on days [join_day, leave_day) */
	double rate;                        /* sessions per active day */
	double dom[LMREC_SYNTH_NDOMAINS];   /* domain mix (before drift) */
	double z[LMREC_SYNTH_LATENT];
	double season;                      /* sensitivity to the seasonal drift */
	int persona, persona2;              /* persona2 = -1 when none */
	double weight2;
	int new_persona;                    /* -1 when none */
	int32_t new_day;                    /* the day the new interest starts */
	double new_weight;
	int trip_region;                    /* -1 when none */
	int32_t trip_day, trip_len;         /* the trip: days [trip_day, trip_day+trip_len) */
};

struct lmrec_synth_event {
	int64_t ts;
	uint32_t user, item, seq; /* seq: order of generation within the user */
	uint32_t weight;          /* hundredths: 100 = 1, 57 = 0.57, 400 = 4 stars */
	uint32_t kind;            /* enum lmrec_synth_event_kind */
};

struct lmrec_synth_world {
	struct lmrec_synth_opts opt;
	struct lmrec_ids *feats;          /* feature names: "c.jackets", "use=hiking", ... */
	struct lmrec_synth_category *cats;
	size_t n_cats;
	struct lmrec_synth_item *items;   /* grouped by domain, then category */
	size_t n_items;
	size_t dom_first[LMREC_SYNTH_NDOMAINS + 1];
	uint32_t *by_id;                  /* (n_items) item indices in byte order of ids */
	struct lmrec_synth_persona *personas;
	size_t n_personas;
	double *season_drift;             /* (n_feats) taste added at the window's end */
	struct lmrec_synth_user *users;
	size_t n_users;
	struct lmrec_synth_event *ev;     /* after simulate: in (ts, user, seq) order */
	size_t n_ev, cap_ev;
};

/* The catalog, the personas and the users; dies (exit 1) on bad options. */
struct lmrec_synth_world *lmrec_synth_new(const struct lmrec_synth_opts *opt);
void lmrec_synth_free(struct lmrec_synth_world *w);
/* Builds the catalog into w (called by lmrec_synth_new). */
void lmrec_synth_catalog(struct lmrec_synth_world *w);
/* The base taste of user u over the features (n_feats doubles): the
 * personas and the user's quirks, the same at every call. */
void lmrec_synth_user_taste(const struct lmrec_synth_world *w, size_t u, double *taste);
/* The taste of user u on day of the window (n_feats doubles): base (from
 * lmrec_synth_user_taste) plus the seasonal drift and the new interest as
 * far as it has ramped in by that day; what the simulation used that day. */
void lmrec_synth_taste_on(const struct lmrec_synth_world *w, size_t u, int32_t day, const double *base,
			  double *taste);
/* How far user u's new interest has ramped in on day (0 .. new_weight). */
double lmrec_synth_new_ramp(const struct lmrec_synth_world *w, size_t u, int32_t day);
/* Runs the users through the window: fills w->ev. */
void lmrec_synth_simulate(struct lmrec_synth_world *w);

/* The canonical streams, header first (SPEC.md §3). */
void lmrec_synth_write_items(const struct lmrec_synth_world *w, struct lmrec_out *o);
void lmrec_synth_write_users(const struct lmrec_synth_world *w, struct lmrec_out *o);
void lmrec_synth_write_interactions(const struct lmrec_synth_world *w, struct lmrec_out *o);
/* Synthetic image-like vectors of every item (32 dimensions) and
 * audio-like vectors of the videos (16): projections of the items' hidden
 * factors and feature signatures plus noise (synth_media.c). */
void lmrec_synth_write_image(const struct lmrec_synth_world *w, struct lmrec_out *o);
void lmrec_synth_write_audio(const struct lmrec_synth_world *w, struct lmrec_out *o);
/* The hidden state of every user, for checking what a model recovers. */
void lmrec_synth_write_truth(const struct lmrec_synth_world *w, struct lmrec_out *o);
/* The attribute keys of a domain in the order of the attrs column,
 * space-separated ("brand use warmth ..."). */
const char *lmrec_synth_key_order(uint32_t domain);

/* ---- simulated conversations (synth_talk.c) ---- */
struct lmrec_synth_talk;
/* n sessions of users of the simulated world w (lmrec_synth_simulate
 * done: a session's user is active in the target's domain, and the target
 * is an available item the user has not touched). Session k depends only
 * on the world and k. Dies (exit 1) on an internal vocabulary error. */
struct lmrec_synth_talk *lmrec_synth_talk_new(const struct lmrec_synth_world *w, size_t n);
void lmrec_synth_talk_free(struct lmrec_synth_talk *t);
/* The turns stream (session user turn text reply_to, by session then
 * turn) and the hidden targets (session item), header first. */
void lmrec_synth_write_conversations(const struct lmrec_synth_world *w, const struct lmrec_synth_talk *t,
				     struct lmrec_out *o);
void lmrec_synth_write_targets(const struct lmrec_synth_world *w, const struct lmrec_synth_talk *t,
			       struct lmrec_out *o);

/* ---- simulated feedback (synth_feedback.c) ---- */
/* The feedback stream (user item ts signal value, in time order) read off
 * the simulated interactions (lmrec_synth_simulate done) and the users'
 * tastes on the day of each event: not_interested, spot_on, rating,
 * dwell, purchase, skip (lmrec-synth(1), Feedback). User u's rows depend
 * only on the world and u. */
void lmrec_synth_write_feedback(const struct lmrec_synth_world *w, struct lmrec_out *o);

/* ---- simulated goals and their context (synth_goals.c) ---- */
struct lmrec_synth_goals;
/* n goal sessions of users of w (lmrec_synth_simulate not needed):
 * session k depends only on the world and k. */
struct lmrec_synth_goals *lmrec_synth_goals_new(const struct lmrec_synth_world *w, size_t n);
void lmrec_synth_goals_free(struct lmrec_synth_goals *g);
/* The goals stream (session user turn ts text, by session then turn), the
 * truth of each session (session goal days place constraints), and the
 * context signals at and before each session's first turn (user ts signal
 * value, by user then time), header first. */
void lmrec_synth_write_goals(const struct lmrec_synth_world *w, const struct lmrec_synth_goals *g,
			     struct lmrec_out *o);
void lmrec_synth_write_goal_targets(const struct lmrec_synth_world *w, const struct lmrec_synth_goals *g,
				    struct lmrec_out *o);
void lmrec_synth_write_context(const struct lmrec_synth_world *w, const struct lmrec_synth_goals *g,
			       struct lmrec_out *o);
/* The task library (goal keywords step subtask domain categories
 * constraints) and the context rules (signal value when then note) that
 * cover every goal pattern the sessions use. */
void lmrec_synth_write_tasks(struct lmrec_out *o);
void lmrec_synth_write_context_rules(struct lmrec_out *o);

/* ---- the scale generator ---- */
struct lmrec_synth_scale {
	uint64_t seed;
	uint64_t n_users, n_items, n_rows;
	uint32_t days;
	int64_t start;
};
/* Checks the shape; returns NULL or a message for a usage error. */
const char *lmrec_synth_scale_check(const struct lmrec_synth_scale *s);
void lmrec_synth_scale_interactions(const struct lmrec_synth_scale *s, struct lmrec_out *o,
				    struct lmrec_progress *pr);
/* items: a title with a year, the genres and tags (words of the item's
 * genres, which are the users' taste clusters); users: the cohort (the
 * year of joined) and joined, the start of the user's activity. */
void lmrec_synth_scale_items(const struct lmrec_synth_scale *s, struct lmrec_out *o);
void lmrec_synth_scale_users(const struct lmrec_synth_scale *s, struct lmrec_out *o);

/* ---- arithmetic that gives the same bits everywhere ---- */
/* exp and natural log from + - * / only (relative error below 1e-15);
 * lmrec_synth_log wants x > 0. */
double lmrec_synth_exp(double x);
double lmrec_synth_log(double x);
static inline double lmrec_synth_sigmoid(double x) { return 1.0 / (1.0 + lmrec_synth_exp(-x)); }
/* An index drawn with probability proportional to w[i] >= 0 (the last
 * positive one when rounding runs past the end; 0 when all are 0). */
size_t lmrec_synth_pick(struct lmrec_rng *r, const double *w, size_t n);
/* Standard normal (Marsaglia's polar method) and Poisson draws. */
double lmrec_synth_normal(struct lmrec_rng *r);
uint32_t lmrec_synth_poisson(struct lmrec_rng *r, double mean);
/* Writes hundredths as a short decimal: 100 -> "1", 50 -> "0.5", 57 -> "0.57". */
void lmrec_synth_out_hundredths(struct lmrec_out *o, uint32_t v);

/* Digits of session numbers (c0001, g0001, ...): 4, more from 10,000 on. */
static inline int lmrec_synth_id_width(size_t n)
{
	int width = 4;
	for (size_t v = n; v >= 10000; v /= 10)
		width++;
	return width;
}

#endif

/* lmrec — simulated feedback: what the users of the synthetic world say
 * and do about the items they met (see synth.h; lmrec-synth(1), THE WORLD,
 * Feedback, states the model).
 *
 * Feedback is read off the simulated interactions and the hidden tastes
 * behind them, after the fact, on its own random stream per user
 * (LMREC_SYNTH_RNG_FEEDBACK): the interactions are not changed by it, and
 * user u's feedback depends only on the world and u. The taste used is the
 * user's taste on the day of the event (lmrec_synth_taste_on): the season
 * and the new interest included, so feedback shows the taste as it moves. */
#include <stdlib.h>
#include <string.h>

#include "synth.h"
#include "util.h"

/* Signals, in the order rows of the same time and user are written. */
enum signal { F_NOT_INTERESTED, F_SPOT_ON, F_RATING, F_DWELL, F_PURCHASE, F_SKIP, F_NSIGNALS };
static const char *const signal_names[F_NSIGNALS] = {"not_interested", "spot_on", "rating",
						     "dwell",          "purchase", "skip"};

/* Thresholds of the model (lmrec-synth(1) states them). */
#define DISLIKED_FEATURE (-0.7) /* a feature the user dislikes today */
#define DISLIKED_SCORE (-0.3)   /* or an item whose features sum below this */
#define P_NOT_INTERESTED 0.45   /* odds of saying so on a view of such an item */
#define SPOT_ON_SCORE 3.0       /* features summing to this match strongly */
#define SPOT_ON_NEW 1.0         /* the new interest alone gives this much */
#define P_SPOT_ON 0.5
#define P_DWELL 0.3   /* views of shop, food and places whose dwell is measured */
#define P_SKIP 0.7    /* videos abandoned early that the player reports */
#define P_RATING 0.6  /* ratings mirrored */

struct row {
	int64_t ts;
	uint32_t user, item, seq, value; /* value: 0 when the signal has none beyond 1 */
	uint32_t signal;
};

struct fb {
	const struct lmrec_synth_world *w;
	struct row *rows;
	size_t n, cap;
	uint32_t seq;
	int64_t end_ts;
};

static void add(struct fb *f, int64_t ts, uint32_t user, uint32_t item, enum signal sig, uint32_t value)
{
	if (ts >= f->end_ts)
		ts = f->end_ts - 1;
	LMREC_GROW(f->rows, f->cap, f->n + 1);
	f->rows[f->n++] = (struct row){ts, user, item, f->seq++, value, (uint32_t)sig};
}

static int cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	if (x->ts != y->ts)
		return (x->ts > y->ts) - (x->ts < y->ts);
	if (x->user != y->user)
		return (x->user > y->user) - (x->user < y->user);
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* A positive use of the item: past the first look. */
static int positive(const struct lmrec_synth_event *e)
{
	switch (e->kind) {
	case LMREC_SYNTH_CLICK:
	case LMREC_SYNTH_CART:
	case LMREC_SYNTH_PURCHASE:
	case LMREC_SYNTH_VISIT: return 1;
	case LMREC_SYNTH_WATCH: return e->weight >= 30;
	case LMREC_SYNTH_RATING: return e->weight >= 400;
	default: return 0;
	}
}

/* The feedback of user u, whose events are ev[idx[0..n)] in time order. */
static void user_feedback(struct fb *f, uint32_t u, const uint32_t *idx, size_t n, double *base, double *taste,
			  uint32_t *pos, uint32_t *said, uint32_t *spot)
{
	const struct lmrec_synth_world *w = f->w;
	const struct lmrec_synth_user *us = &w->users[u];
	struct lmrec_rng r;
	lmrec_rng_seed2(&r, w->opt.seed, ((uint64_t)LMREC_SYNTH_RNG_FEEDBACK << 32) | u);
	lmrec_synth_user_taste(w, u, base);
	const uint32_t mark = u + 1; /* pos, said and spot hold the user's mark per item */
	for (size_t k = 0; k < n; k++)
		if (positive(&w->ev[idx[k]]))
			pos[w->ev[idx[k]].item] = mark;
	const double *np = us->new_persona >= 0 ? w->personas[us->new_persona].taste : NULL;
	int32_t day = -1;
	double ramp = 0.0;
	for (size_t k = 0; k < n; k++) {
		const struct lmrec_synth_event *e = &w->ev[idx[k]];
		const struct lmrec_synth_item *it = &w->items[e->item];
		int32_t d = (int32_t)((e->ts - w->opt.start) / LMREC_SYNTH_DAY);
		if (d != day) {
			day = d;
			lmrec_synth_taste_on(w, u, day, base, taste);
			ramp = lmrec_synth_new_ramp(w, u, day);
		}
		double x = 0.0, low = 0.0, nx = 0.0;
		for (uint32_t q = 0; q < it->nfeat; q++) {
			double t = taste[it->feat[q]];
			x += t;
			low = t < low ? t : low;
			if (np)
				nx += ramp * np[it->feat[q]];
		}
		switch (e->kind) {
		case LMREC_SYNTH_VIEW:
			if (pos[e->item] != mark && said[e->item] != mark &&
			    (low <= DISLIKED_FEATURE || x <= DISLIKED_SCORE) && lmrec_rng_double(&r) < P_NOT_INTERESTED) {
				said[e->item] = mark;
				add(f, e->ts + 3 + (int64_t)lmrec_rng_below(&r, 40), u, e->item, F_NOT_INTERESTED, 1);
			} else if (it->domain == LMREC_SYNTH_VIDEO) {
				/* a view not followed by a watch of it: passed over */
				const struct lmrec_synth_event *nx_ev = k + 1 < n ? &w->ev[idx[k + 1]] : NULL;
				if ((!nx_ev || nx_ev->item != e->item || nx_ev->kind != LMREC_SYNTH_WATCH) &&
				    lmrec_rng_double(&r) < P_SKIP)
					add(f, e->ts + 2 + (int64_t)lmrec_rng_below(&r, 20), u, e->item, F_SKIP, 1);
			} else if (lmrec_rng_double(&r) < P_DWELL) {
				/* log-normal seconds, longer for what the user likes */
				double dot = 0.0;
				for (int q = 0; q < LMREC_SYNTH_LATENT; q++)
					dot += us->z[q] * it->z[q];
				double c = x + LMREC_SYNTH_W_LATENT * dot;
				c = c < -3.0 ? -3.0 : c > 4.0 ? 4.0 : c;
				double s = lmrec_synth_exp(3.0 + 0.4 * c + 0.45 * lmrec_synth_normal(&r));
				uint32_t secs = s < 1.0 ? 1u : s > 3600.0 ? 3600u : (uint32_t)(s + 0.5);
				add(f, e->ts, u, e->item, F_DWELL, secs);
			}
			break;
		case LMREC_SYNTH_WATCH:
			if (e->weight < 10 && lmrec_rng_double(&r) < P_SKIP)
				add(f, e->ts + 5 + (int64_t)lmrec_rng_below(&r, 50), u, e->item, F_SKIP, 1);
			break;
		case LMREC_SYNTH_PURCHASE: add(f, e->ts, u, e->item, F_PURCHASE, 1); break;
		case LMREC_SYNTH_RATING:
			if (lmrec_rng_double(&r) < P_RATING)
				add(f, e->ts, u, e->item, F_RATING, e->weight / 100);
			break;
		default: break;
		}
		if (positive(e) && e->kind != LMREC_SYNTH_RATING && spot[e->item] != mark &&
		    (x >= SPOT_ON_SCORE || nx >= SPOT_ON_NEW) && lmrec_rng_double(&r) < P_SPOT_ON) {
			spot[e->item] = mark; /* one spot_on per item */
			add(f, e->ts + 1 + (int64_t)lmrec_rng_below(&r, 30), u, e->item, F_SPOT_ON, 1);
		}
	}
}

void lmrec_synth_write_feedback(const struct lmrec_synth_world *w, struct lmrec_out *o)
{
	struct fb f = {.w = w, .end_ts = w->opt.start + (int64_t)w->opt.days * LMREC_SYNTH_DAY};
	/* the events of each user, in the stream's (time) order: a counting sort */
	size_t *first = lmrec_xcalloc(w->n_users + 1, sizeof *first);
	for (size_t k = 0; k < w->n_ev; k++)
		first[w->ev[k].user + 1]++;
	for (size_t u = 0; u < w->n_users; u++)
		first[u + 1] += first[u];
	uint32_t *idx = lmrec_xmalloc((w->n_ev + 1) * sizeof *idx);
	size_t *at = lmrec_xmalloc((w->n_users + 1) * sizeof *at);
	memcpy(at, first, (w->n_users + 1) * sizeof *at);
	for (size_t k = 0; k < w->n_ev; k++)
		idx[at[w->ev[k].user]++] = (uint32_t)k;
	size_t nf = lmrec_ids_count(w->feats);
	double *base = lmrec_xmalloc((nf + 1) * sizeof *base), *taste = lmrec_xmalloc((nf + 1) * sizeof *taste);
	uint32_t *pos = lmrec_xcalloc(w->n_items + 1, sizeof *pos), *said = lmrec_xcalloc(w->n_items + 1, sizeof *said);
	uint32_t *spot = lmrec_xcalloc(w->n_items + 1, sizeof *spot);
	for (size_t u = 0; u < w->n_users; u++)
		user_feedback(&f, (uint32_t)u, idx + first[u], first[u + 1] - first[u], base, taste, pos, said, spot);
	if (f.n > 1)
		qsort(f.rows, f.n, sizeof *f.rows, cmp_row);

	lmrec_out_str(o, "user\titem\tts\tsignal\tvalue\n");
	for (size_t k = 0; k < f.n; k++) {
		const struct row *rw = &f.rows[k];
		lmrec_out_str(o, w->users[rw->user].id);
		lmrec_out_tab(o);
		lmrec_out_str(o, w->items[rw->item].id);
		lmrec_out_tab(o);
		lmrec_out_i64(o, rw->ts);
		lmrec_out_tab(o);
		lmrec_out_str(o, signal_names[rw->signal]);
		lmrec_out_printf(o, "\t%u\n", (unsigned)rw->value);
	}
	free(f.rows);
	free(first);
	free(at);
	free(idx);
	free(base);
	free(taste);
	free(pos);
	free(said);
	free(spot);
}

/* lmrec — interactions streams of any size for load tests (see synth.h).
 *
 * The shape follows MovieLens-20M. Each user has at least min(20, rows /
 * users) rows and the rest follow a log-normal activity, with exactly the
 * requested total and at most a third of the items per user: at the
 * MovieLens-20M size that gives min 20, median 68, mean 144.4, max 8,914
 * rows per user (MovieLens-20M: 20, 68, 144.4, 9,254). Item popularity by
 * rank r is proportional to (r + c)^-2.8 with c = 250 * items / 26,744;
 * items fall into 20 genres and a user draws 30% of their items from one to
 * three favourite genres (picked as popular as they are); a user never
 * rates an item twice. At the MovieLens-20M size the most rated item has
 * about 65,600 rows and the median one 23 (MovieLens-20M: 67,310 and 18).
 * Rows come user by user (ids in byte order), each user's rows in time
 * order, so memory holds one user's rows and the item tables. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synth.h"
#include "util.h"

#define GENRES 20
#define ZIPF_A 2.8   /* popularity exponent */
#define ZIPF_C 250.0 /* rank offset at 26,744 items, scaled with the catalog */
#define FAV 0.3      /* share of a user's draws from their favourite genres */

struct alias {
	size_t n;
	double *prob;    /* (n) */
	uint32_t *alias; /* (n) */
	uint32_t *item;  /* (n) item of each slot */
};

/* Vose's alias method over weights w of the given items. */
static void alias_build(struct alias *a, const uint32_t *items, const double *w, size_t n)
{
	a->n = n;
	a->prob = lmrec_xmalloc((n + 1) * sizeof *a->prob);
	a->alias = lmrec_xmalloc((n + 1) * sizeof *a->alias);
	a->item = lmrec_xmalloc((n + 1) * sizeof *a->item);
	if (n == 0)
		return;
	memcpy(a->item, items, n * sizeof *items);
	double sum = 0.0;
	for (size_t i = 0; i < n; i++)
		sum += w[i];
	uint32_t *small = lmrec_xmalloc(n * sizeof *small), *large = lmrec_xmalloc(n * sizeof *large);
	size_t ns = 0, nl = 0;
	for (size_t i = 0; i < n; i++) {
		a->prob[i] = w[i] * (double)n / sum;
		a->alias[i] = (uint32_t)i;
		if (a->prob[i] < 1.0)
			small[ns++] = (uint32_t)i;
		else
			large[nl++] = (uint32_t)i;
	}
	while (ns > 0 && nl > 0) {
		uint32_t s = small[--ns], l = large[--nl];
		a->alias[s] = l;
		a->prob[l] -= 1.0 - a->prob[s];
		if (a->prob[l] < 1.0)
			small[ns++] = l;
		else
			large[nl++] = l;
	}
	while (nl > 0)
		a->prob[large[--nl]] = 1.0;
	while (ns > 0)
		a->prob[small[--ns]] = 1.0;
	free(small);
	free(large);
}

static uint32_t alias_draw(const struct alias *a, struct lmrec_rng *r)
{
	size_t i = (size_t)lmrec_rng_below(r, a->n);
	return a->item[lmrec_rng_double(r) < a->prob[i] ? i : a->alias[i]];
}

static void alias_free(struct alias *a)
{
	free(a->prob);
	free(a->alias);
	free(a->item);
}

/* "u0042": a prefix and v zero-padded to width digits (width <= 20). */
static size_t fmt_id(char dst[24], char prefix, uint64_t v, int width)
{
	char tmp[20];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	size_t k = 0;
	dst[k++] = prefix;
	for (int i = n; i < width; i++)
		dst[k++] = '0';
	while (n > 0)
		dst[k++] = tmp[--n];
	return k;
}

static int digits(uint64_t n)
{
	int d = 1;
	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

const char *lmrec_synth_scale_check(const struct lmrec_synth_scale *s)
{
	if (s->n_users < 1 || s->n_users > UINT32_MAX - 1)
		return "--users must be from 1 to 4294967294";
	if (s->n_items < 1 || s->n_items > UINT32_MAX - 1)
		return "--items must be from 1 to 4294967294";
	if (s->n_rows / s->n_users > s->n_items ||
	    (s->n_rows / s->n_users == s->n_items && s->n_rows % s->n_users))
		return "--interactions exceeds users times items (a user rates an item once)";
	return NULL;
}

/* The genre of every item, its popularity weight, and one genre's items. */
struct catalog {
	uint32_t *genre;   /* (n_items) */
	double *weight;    /* (n_items) */
	double *quality;   /* (n_items) */
	double genre_mass[GENRES], all_mass; /* popularity of each genre's items, of all */
	struct alias all, by_genre[GENRES];
};

static void catalog_build(struct catalog *c, const struct lmrec_synth_scale *s)
{
	size_t n = (size_t)s->n_items;
	struct lmrec_rng r;
	lmrec_rng_seed2(&r, s->seed, (uint64_t)LMREC_SYNTH_RNG_SCALE << 32);
	c->genre = lmrec_xmalloc(n * sizeof *c->genre);
	c->weight = lmrec_xmalloc(n * sizeof *c->weight);
	c->quality = lmrec_xmalloc(n * sizeof *c->quality);
	/* popularity by rank, ranks given to items in a shuffled order */
	uint32_t *rank = lmrec_xmalloc(n * sizeof *rank);
	for (size_t i = 0; i < n; i++)
		rank[i] = (uint32_t)i;
	lmrec_rng_shuffle_u32(&r, rank, n);
	double off = ZIPF_C * (double)n / 26744.0;
	for (size_t i = 0; i < n; i++) {
		c->weight[i] = lmrec_synth_exp(-ZIPF_A * lmrec_synth_log((double)rank[i] + 1.0 + off));
		c->genre[i] = (uint32_t)lmrec_rng_below(&r, GENRES);
		c->quality[i] = lmrec_synth_normal(&r);
	}
	free(rank);
	uint32_t *items = lmrec_xmalloc(n * sizeof *items);
	double *w = lmrec_xmalloc(n * sizeof *w);
	for (size_t i = 0; i < n; i++)
		items[i] = (uint32_t)i;
	alias_build(&c->all, items, c->weight, n);
	for (uint32_t g = 0; g < GENRES; g++) {
		size_t m = 0;
		c->genre_mass[g] = 0.0;
		for (size_t i = 0; i < n; i++)
			if (c->genre[i] == g) {
				items[m] = (uint32_t)i;
				w[m++] = c->weight[i];
				c->genre_mass[g] += c->weight[i];
			}
		alias_build(&c->by_genre[g], items, w, m);
	}
	c->all_mass = 0.0;
	for (uint32_t g = 0; g < GENRES; g++)
		c->all_mass += c->genre_mass[g];
	free(items);
	free(w);
}

static void catalog_free(struct catalog *c)
{
	free(c->genre);
	free(c->weight);
	free(c->quality);
	alias_free(&c->all);
	for (int g = 0; g < GENRES; g++)
		alias_free(&c->by_genre[g]);
}

/* Rows per user: at least base each, the rest by log-normal weights,
 * exactly n_rows in all and at most a third of the items for one user
 * (MovieLens-20M's busiest user rated 35%), or all of them when the rows
 * need it. */
static uint32_t *user_counts(const struct lmrec_synth_scale *s)
{
	size_t nu = (size_t)s->n_users;
	uint64_t cap = s->n_items / 3;
	if (cap == 0 || s->n_rows / s->n_users >= cap - cap / 5)
		cap = s->n_items;
	uint64_t base = s->n_rows / s->n_users < 20 ? s->n_rows / s->n_users : 20;
	uint64_t rest = s->n_rows - base * s->n_users;
	double *x = lmrec_xmalloc(nu * sizeof *x), sum = 0.0;
	struct lmrec_rng r;
	lmrec_rng_seed2(&r, s->seed, ((uint64_t)LMREC_SYNTH_RNG_SCALE << 32) | 1);
	for (size_t u = 0; u < nu; u++) {
		x[u] = lmrec_synth_exp(1.38 * lmrec_synth_normal(&r));
		sum += x[u];
	}
	uint32_t *n = lmrec_xmalloc(nu * sizeof *n);
	double cum = 0.0;
	uint64_t given = 0, over = 0;
	for (size_t u = 0; u < nu; u++) {
		cum += x[u];
		uint64_t upto = u + 1 == nu ? rest : (uint64_t)((double)rest * (cum / sum));
		if (upto > rest)
			upto = rest;
		if (upto < given)
			upto = given;
		uint64_t k = base + (upto - given);
		given = upto;
		if (k > cap) {
			over += k - cap;
			k = cap;
		}
		n[u] = (uint32_t)k;
	}
	/* what the cap cut off goes to the users with room, in order */
	for (size_t u = 0; over > 0; u = (u + 1) % nu) {
		uint64_t room = cap - n[u], add = room < over ? room : over;
		if (add > 1 + over / nu)
			add = 1 + over / nu;
		n[u] += (uint32_t)add;
		over -= add;
	}
	free(x);
	return n;
}

/* A user's favourite genres, drawn as popular as they are (so the items'
 * overall popularity stays the Zipf law), their weights, and the part of
 * the window the user is active in: from a to a + len seconds after the
 * start. The first draws of the user's random stream. */
struct plan {
	uint32_t fav[3];
	double fw[3], fsum;
	int nfav;
	int64_t a, len;
};

static void user_plan(struct plan *p, const struct catalog *c, int64_t span, struct lmrec_rng *r)
{
	p->fsum = 0.0;
	p->nfav = 1 + (int)lmrec_rng_below(r, 3);
	for (int k = 0; k < p->nfav; k++) {
		double x = lmrec_rng_double(r) * c->all_mass;
		uint32_t g = 0;
		while (g + 1 < GENRES && (x -= c->genre_mass[g]) >= 0.0)
			g++;
		p->fav[k] = g;
		p->fw[k] = 1.0 + lmrec_rng_double(r);
		p->fsum += p->fw[k];
	}
	p->a = (int64_t)(lmrec_rng_double(r) * 0.9 * (double)span);
	double v = lmrec_rng_double(r);
	p->len = (int64_t)((double)(span - p->a) * v * v);
	if (p->len < 3600)
		p->len = span - p->a < 3600 ? span - p->a : 3600;
	if (p->len < 1)
		p->len = 1;
}

static void user_rng(struct lmrec_rng *r, const struct lmrec_synth_scale *s, size_t u)
{
	lmrec_rng_seed2(r, s->seed, ((uint64_t)LMREC_SYNTH_RNG_SCALE << 32) | (2 + (uint64_t)u));
}

struct row {
	int64_t ts;
	uint32_t item, weight;
};

static int cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	if (x->ts != y->ts)
		return (x->ts > y->ts) - (x->ts < y->ts);
	return (x->item > y->item) - (x->item < y->item);
}

void lmrec_synth_scale_interactions(const struct lmrec_synth_scale *s, struct lmrec_out *o,
				    struct lmrec_progress *pr)
{
	struct catalog c;
	catalog_build(&c, s);
	uint32_t *count = user_counts(s);
	size_t nu = (size_t)s->n_users, ni = (size_t)s->n_items;
	uint32_t *mark = lmrec_xcalloc(ni, sizeof *mark); /* user+1 who has the item */
	size_t cap = 0;
	struct row *rows = NULL;
	int uw = digits(s->n_users), iw = digits(s->n_items);
	char ubuf[24], ibuf[24];
	int64_t span = (int64_t)s->days * LMREC_SYNTH_DAY;
	uint64_t done = 0;

	lmrec_out_str(o, "user\titem\tts\tweight\tevent\n");
	for (size_t u = 0; u < nu; u++) {
		struct lmrec_rng r;
		user_rng(&r, s, u);
		uint32_t n = count[u];
		LMREC_GROW(rows, cap, (size_t)n + 1);
		struct plan p;
		user_plan(&p, &c, span, &r);
		const uint32_t *fav = p.fav;
		const double *fw = p.fw;
		double fsum = p.fsum;
		int nfav = p.nfav;
		int64_t a = p.a, len = p.len;
		for (uint32_t k = 0; k < n; k++) {
			uint32_t item = UINT32_MAX;
			int in_fav = 0;
			for (int tries = 0; tries < 64; tries++) {
				uint32_t cand;
				int f = 0;
				if (lmrec_rng_double(&r) < FAV) {
					double x = lmrec_rng_double(&r) * fsum;
					int g = 0;
					while (g + 1 < nfav && (x -= fw[g]) >= 0.0)
						g++;
					if (c.by_genre[fav[g]].n == 0)
						continue;
					cand = alias_draw(&c.by_genre[fav[g]], &r);
					f = 1;
				} else {
					cand = alias_draw(&c.all, &r);
				}
				if (mark[cand] != u + 1) {
					item = cand;
					in_fav = f;
					break;
				}
			}
			if (item == UINT32_MAX) { /* crowded: the next item not taken */
				size_t i = (size_t)lmrec_rng_below(&r, ni);
				while (mark[i] == u + 1)
					i = (i + 1) % ni;
				item = (uint32_t)i;
			}
			mark[item] = (uint32_t)u + 1;
			double x = 3.5 + 0.5 * in_fav + 0.35 * c.quality[item] + 0.9 * lmrec_synth_normal(&r);
			int halves = (int)(2.0 * x + 0.5 + 100.0) - 100;
			halves = halves < 1 ? 1 : halves > 10 ? 10 : halves;
			rows[k] = (struct row){s->start + a + (int64_t)lmrec_rng_below(&r, (uint64_t)len), item,
					       (uint32_t)halves * 50};
		}
		qsort(rows, n, sizeof *rows, cmp_row);
		size_t ulen = fmt_id(ubuf, 'u', (uint64_t)u + 1, uw);
		ubuf[ulen++] = '\t';
		for (uint32_t k = 0; k < n; k++) {
			lmrec_out_write(o, ubuf, ulen);
			lmrec_out_write(o, ibuf, fmt_id(ibuf, 'i', (uint64_t)rows[k].item + 1, iw));
			lmrec_out_tab(o);
			lmrec_out_i64(o, rows[k].ts);
			lmrec_out_tab(o);
			lmrec_synth_out_hundredths(o, rows[k].weight);
			lmrec_out_str(o, "\trating\n");
		}
		done += n;
		if ((u & 255) == 0)
			lmrec_progress_tick(pr, done);
	}
	lmrec_progress_end(pr, done);
	free(rows);
	free(mark);
	free(count);
	catalog_free(&c);
}


/* ---- the items' words ----
 * Every genre has a name in the style of MovieLens's and ten words that
 * only its items' tags and titles use: items of one genre (a taste cluster
 * of the users) share words, so their text vectors lie close. */
#define CUES 10
static const struct {
	const char *name;
	const char *cue[CUES];
} genres[GENRES] = {
	{"Action", {"chase", "explosion", "heist", "stunt", "martial", "rescue", "convoy", "showdown", "agent", "getaway"}},
	{"Adventure", {"quest", "jungle", "treasure", "expedition", "voyage", "island", "map", "ruins", "pirate", "summit"}},
	{"Animation", {"cartoon", "talking", "animals", "puppet", "colourful", "clay", "toys", "sketchbook", "sidekick", "critters"}},
	{"Children", {"school", "family", "puppy", "birthday", "friendship", "camp", "grandparents", "treehouse", "holiday", "lesson"}},
	{"Comedy", {"slapstick", "prank", "wedding", "roommates", "satire", "awkward", "parody", "sitcom", "bumbling", "mixup"}},
	{"Crime", {"mafia", "detective", "robbery", "gangster", "courtroom", "smuggling", "corruption", "informant", "precinct", "alibi"}},
	{"Documentary", {"footage", "archival", "interviews", "wildlife", "ecology", "testimony", "census", "migration", "factory", "reportage"}},
	{"Drama", {"grief", "marriage", "inheritance", "illness", "redemption", "siblings", "betrayal", "confession", "hometown", "estrangement"}},
	{"Fantasy", {"dragon", "wizard", "kingdom", "prophecy", "sorcery", "elves", "enchanted", "sword", "realm", "curse"}},
	{"Film-Noir", {"femme", "shadows", "fatale", "cigarette", "rain", "nightclub", "blackmail", "gumshoe", "trenchcoat", "doublecross"}},
	{"Horror", {"haunted", "zombie", "slasher", "possession", "cabin", "ghost", "cult", "vampire", "scream", "basement"}},
	{"Musical", {"song", "dance", "broadway", "choir", "rehearsal", "orchestra", "tap", "stage", "singer", "ballad"}},
	{"Mystery", {"clue", "whodunit", "manor", "disappearance", "riddle", "inspector", "locked", "poison", "puzzle", "butler"}},
	{"Romance", {"love", "kiss", "courtship", "letters", "proposal", "summer", "heartbreak", "soulmate", "date", "reunion"}},
	{"Sci-Fi", {"spaceship", "alien", "robot", "android", "galaxy", "timetravel", "dystopia", "cyborg", "colony", "laser"}},
	{"Thriller", {"conspiracy", "hostage", "stalker", "paranoia", "assassin", "countdown", "surveillance", "kidnapping", "ransom", "fugitive"}},
	{"War", {"soldier", "battalion", "trenches", "bombing", "resistance", "frontline", "sniper", "platoon", "occupation", "veterans"}},
	{"Western", {"outlaw", "sheriff", "saloon", "frontier", "ranch", "gunslinger", "cattle", "stagecoach", "bounty", "prairie"}},
	{"Biography", {"memoir", "inventor", "statesman", "composer", "rise", "legacy", "scandal", "painter", "pioneer", "dynasty"}},
	{"Sport", {"boxing", "coach", "championship", "underdog", "marathon", "team", "baseball", "stadium", "rookie", "comeback"}},
};

/* Words of no genre, in titles and tags of any item. */
static const char *const common_words[] = {
	"city", "night", "road", "winter", "father", "mother", "brother", "daughter", "village", "river",
	"storm", "money", "dream", "home", "town", "sea", "train", "hotel", "radio", "lost",
	"last", "young", "old", "american", "small", "big", "golden", "silent", "broken", "wild",
};
#define NCOMMON (sizeof common_words / sizeof common_words[0])

static void out_cap(struct lmrec_out *o, const char *w)
{
	lmrec_out_byte(o, (char)(w[0] >= 'a' && w[0] <= 'z' ? w[0] - 'a' + 'A' : w[0]));
	lmrec_out_str(o, w + 1);
}

/* A word of genre g half the time, else a common one. */
static const char *title_word(uint32_t g, struct lmrec_rng *r)
{
	if (lmrec_rng_below(r, 2))
		return genres[g].cue[lmrec_rng_below(r, CUES)];
	return common_words[lmrec_rng_below(r, NCOMMON)];
}

static int64_t year_of(int64_t t)
{
	/* civil year of a time in seconds (H. Hinnant's civil_from_days) */
	int64_t z = (t >= 0 ? t : t - (LMREC_SYNTH_DAY - 1)) / LMREC_SYNTH_DAY + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	return yoe + era * 400 + (mp >= 10);
}

void lmrec_synth_scale_items(const struct lmrec_synth_scale *s, struct lmrec_out *o)
{
	struct catalog c;
	catalog_build(&c, s);
	int iw = digits(s->n_items);
	char ibuf[24];
	int64_t last_year = year_of(s->start + (int64_t)s->days * LMREC_SYNTH_DAY - 1);
	lmrec_out_str(o, "item\ttitle\ttext\tcategory\tattrs\tdomain\tavailable\n");
	for (uint64_t i = 0; i < s->n_items; i++) {
		struct lmrec_rng r;
		lmrec_rng_seed2(&r, s->seed, (uint64_t)LMREC_SYNTH_RNG_SCALE_TEXT << 32 | i);
		uint32_t g[3] = {c.genre[i]}; /* the first is the taste cluster */
		int ng = 1, more = (int)lmrec_rng_below(&r, 10);
		more = more < 5 ? 0 : more < 8 ? 1 : 2;
		while (more-- > 0) {
			uint32_t x = (uint32_t)lmrec_rng_below(&r, GENRES);
			int dup = 0;
			for (int k = 0; k < ng; k++)
				dup |= g[k] == x;
			if (!dup)
				g[ng++] = x;
		}
		/* release year: most items recent, as in MovieLens */
		double u = lmrec_rng_double(&r);
		int64_t year = last_year - (int64_t)(90.0 * u * u * u);

		lmrec_out_write(o, ibuf, fmt_id(ibuf, 'i', i + 1, iw));
		lmrec_out_tab(o);
		const char *w1 = title_word(g[0], &r), *w2 = title_word(g[0], &r);
		for (int tries = 0; w2 == w1 && tries < 4; tries++)
			w2 = title_word(g[0], &r);
		switch (lmrec_rng_below(&r, 3)) { /* The Outlaw, Sheriff River, Wedding of the Storm */
		case 0: /* a word of the genre */
			lmrec_out_str(o, "The ");
			out_cap(o, genres[g[0]].cue[lmrec_rng_below(&r, CUES)]);
			break;
		case 1:
			out_cap(o, w1);
			lmrec_out_byte(o, ' ');
			out_cap(o, w2);
			break;
		default:
			out_cap(o, w1);
			lmrec_out_str(o, " of the ");
			out_cap(o, w2);
		}
		lmrec_out_printf(o, " (%lld)\tGenres: ", (long long)year);
		for (int k = 0; k < ng; k++) {
			if (k)
				lmrec_out_byte(o, '|');
			lmrec_out_str(o, genres[g[k]].name);
		}
		/* five tags: 55% the cluster's words, 20% another genre's of the
		 * item (the cluster's when it has one genre), 25% common words */
		lmrec_out_str(o, ". Tags: ");
		const char *tag[5];
		for (int k = 0; k < 5; k++) {
			for (int tries = 0; tries < 4; tries++) {
				uint64_t x = lmrec_rng_below(&r, 20);
				uint32_t gg = x < 11 || ng == 1 ? g[0] : g[1 + lmrec_rng_below(&r, (uint64_t)ng - 1)];
				tag[k] = x < 15 ? genres[gg].cue[lmrec_rng_below(&r, CUES)]
						: common_words[lmrec_rng_below(&r, NCOMMON)];
				int dup = 0;
				for (int j = 0; j < k; j++)
					dup |= tag[j] == tag[k];
				if (!dup)
					break;
			}
			if (k)
				lmrec_out_str(o, k == 4 ? " and " : ", ");
			lmrec_out_str(o, tag[k]);
		}
		lmrec_out_str(o, ".\t");
		for (const char *p = genres[g[0]].name; *p; p++) /* category: drama, film-noir */
			lmrec_out_byte(o, (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p));
		lmrec_out_tab(o);
		for (int k = 0; k < ng; k++) {
			lmrec_out_str(o, k ? ";genre=" : "genre=");
			for (const char *p = genres[g[k]].name; *p; p++)
				lmrec_out_byte(o, (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p));
		}
		lmrec_out_str(o, "\tvideo\t1\n");
	}
	catalog_free(&c);
}

void lmrec_synth_scale_users(const struct lmrec_synth_scale *s, struct lmrec_out *o)
{
	struct catalog c;
	catalog_build(&c, s);
	int uw = digits(s->n_users);
	char ubuf[24];
	int64_t span = (int64_t)s->days * LMREC_SYNTH_DAY;
	lmrec_out_str(o, "user\tcohort\tjoined\n");
	for (uint64_t u = 0; u < s->n_users; u++) {
		struct lmrec_rng r;
		struct plan p;
		user_rng(&r, s, (size_t)u);
		user_plan(&p, &c, span, &r);
		lmrec_out_write(o, ubuf, fmt_id(ubuf, 'u', u + 1, uw));
		lmrec_out_tab(o);
		lmrec_out_i64(o, year_of(s->start + p.a));
		lmrec_out_tab(o);
		lmrec_out_i64(o, s->start + p.a);
		lmrec_out_eol(o);
	}
	catalog_free(&c);
}

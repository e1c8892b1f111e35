/* lmrec — a list's objectives: discovery, business value and the scores
 * of a finished list; see objectives.h. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "calibrate.h"
#include "objectives.h"
#include "util.h"

int lmrec_value_parse(const char *p, size_t len, double *out)
{
	static const struct {
		const char *word;
		double level;
	} words[] = {{"low", 0.0}, {"mid", 0.5}, {"high", 1.0}, {"free", 0.0}};
	for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
		if (len == strlen(words[k].word) && memcmp(p, words[k].word, len) == 0) {
			*out = words[k].level;
			return LMREC_VALUE_WORD;
		}
	if (len == 0 || lmrec_parse_double(p, len, out) != 0)
		return -1;
	return LMREC_VALUE_NUMBER;
}

void lmrec_value_scale(double *v, const unsigned char *has, size_t n)
{
	double lo = INFINITY, hi = -INFINITY;
	for (size_t i = 0; i < n; i++)
		if (has[i]) {
			if (v[i] < lo)
				lo = v[i];
			if (v[i] > hi)
				hi = v[i];
		}
	for (size_t i = 0; i < n; i++)
		if (!has[i])
			v[i] = 0;
		else
			v[i] = hi > lo ? (v[i] - lo) / (hi - lo) : 1.0;
}

void lmrec_novelty_init(struct lmrec_novelty *d, const struct lmrec_genres *gs)
{
	memset(d, 0, sizeof *d);
	d->gs = gs;
	d->seen = lmrec_xcalloc(gs->ng + 1, 1);
	d->marked = lmrec_xcalloc(gs->ng + 1, sizeof *d->marked);
}

void lmrec_novelty_free(struct lmrec_novelty *d)
{
	if (!d)
		return;
	free(d->seen);
	free(d->marked);
	memset(d, 0, sizeof *d);
}

void lmrec_novelty_target(struct lmrec_novelty *d, const uint32_t *hist, size_t n)
{
	const struct lmrec_genres *gs = d->gs;
	for (size_t j = 0; j < d->nmarked; j++)
		d->seen[d->marked[j]] = 0;
	d->nmarked = 0;
	for (size_t h = 0; h < n; h++) {
		uint32_t i = hist[h];
		if (i >= gs->n)
			continue;
		for (uint64_t k = gs->ptr[i]; k < gs->ptr[i + 1]; k++)
			if (!d->seen[gs->genre[k]]) {
				d->seen[gs->genre[k]] = 1;
				d->marked[d->nmarked++] = gs->genre[k];
			}
	}
}

double lmrec_novelty_of(const struct lmrec_novelty *d, uint32_t item)
{
	const struct lmrec_genres *gs = d->gs;
	if (item >= gs->n || gs->ptr[item + 1] == gs->ptr[item])
		return 0;
	size_t fresh = 0, k = (size_t)(gs->ptr[item + 1] - gs->ptr[item]);
	for (uint64_t j = gs->ptr[item]; j < gs->ptr[item + 1]; j++)
		fresh += !d->seen[gs->genre[j]];
	return (double)fresh / (double)k;
}

void lmrec_objectives_score(const struct lmrec_objlist *l, struct lmrec_objscore *out)
{
	out->relevance = out->diversity = out->discovery = out->value = out->calibration = NAN;
	size_t n = l->n;
	if (n == 0)
		return;
	double span = l->smax - l->smin, rel = 0;
	for (size_t j = 0; j < n; j++)
		rel += span > 0 ? (l->score[j] - l->smin) / span : 1.0;
	out->relevance = rel / (double)n;
	if (l->dist) {
		double sum = 0;
		size_t pairs = 0;
		for (size_t a = 0; a < n; a++)
			for (size_t b = a + 1; b < n; b++) {
				double d = l->dist(l->dist_ctx, l->items[a], l->items[b]);
				if (isnan(d))
					continue;
				sum += d;
				pairs++;
			}
		if (pairs)
			out->diversity = sum / (double)pairs;
	}
	if (l->novelty) {
		double s = 0;
		for (size_t j = 0; j < n; j++)
			s += lmrec_novelty_of(l->novelty, l->items[j]);
		out->discovery = s / (double)n;
	}
	if (l->value) {
		double s = 0;
		for (size_t j = 0; j < n; j++)
			s += l->items[j] < l->nvalue ? l->value[l->items[j]] : 0.0;
		out->value = s / (double)n;
	}
	if (l->calib && lmrec_calib_target(l->calib, l->hist, l->nhist) > 0) {
		for (size_t j = 0; j < n; j++)
			lmrec_calib_add(l->calib, l->items[j]);
		out->calibration = 1.0 - lmrec_calib_kl(l->calib) / log(1.0 / l->calib->alpha);
	}
}

/* lmrec — synthetic image-like and audio-like item vectors (see synth.h).
 *
 * Each is a fixed random projection of what an item hides and shows, plus
 * noise: the image of every item looks at its hidden factors z (what
 * drives behaviour but no text says: a brand's look, a kitchen's style)
 * and at a signature of its category; the audio of a video hears its z
 * and the signatures of its features (mood, genre, pace). Both are made
 * with + - * / and the world's own normal draws, so the bytes are the same
 * everywhere. They are synthetic, not features of anything real. */
#include <stdlib.h>
#include <string.h>

#include "synth.h"
#include "util.h"

#define SIG 8 /* dimensions of a feature's signature */

static double *signatures(const struct lmrec_synth_world *w, uint64_t stream)
{
	size_t nf = lmrec_ids_count(w->feats);
	double *s = lmrec_xcalloc(nf * SIG + 1, sizeof *s);
	for (size_t f = 0; f < nf; f++) {
		struct lmrec_rng r;
		lmrec_rng_seed2(&r, w->opt.seed, ((uint64_t)LMREC_SYNTH_RNG_MEDIA << 32) | (stream << 24) | f);
		for (size_t d = 0; d < SIG; d++)
			s[f * SIG + d] = lmrec_synth_normal(&r);
	}
	return s;
}

/* out (dim) = P [z; sig] + noise, P (dim, LATENT + SIG) drawn once. */
static void write_media(const struct lmrec_synth_world *w, struct lmrec_out *o, size_t dim, uint64_t stream,
			int videos_only, int all_features, double noise)
{
	size_t in = LMREC_SYNTH_LATENT + SIG;
	double *P = lmrec_xcalloc(dim * in, sizeof *P);
	struct lmrec_rng r;
	lmrec_rng_seed2(&r, w->opt.seed, ((uint64_t)LMREC_SYNTH_RNG_MEDIA << 32) | (stream << 24) | 0xffffffu);
	for (size_t i = 0; i < dim * in; i++)
		P[i] = 0.5 * lmrec_synth_normal(&r);
	double *sig = signatures(w, stream);
	lmrec_out_str(o, "item");
	for (size_t d = 0; d < dim; d++)
		lmrec_out_printf(o, "\td%zu", d);
	lmrec_out_eol(o);
	double x[LMREC_SYNTH_LATENT + SIG];
	for (size_t k = 0; k < w->n_items; k++) {
		const struct lmrec_synth_item *it = &w->items[w->by_id[k]];
		if (videos_only && it->domain != LMREC_SYNTH_VIDEO)
			continue;
		memcpy(x, it->z, sizeof it->z);
		memset(x + LMREC_SYNTH_LATENT, 0, SIG * sizeof *x);
		uint32_t nf = all_features ? it->nfeat : 1; /* feat[0] is the category */
		for (uint32_t j = 0; j < nf && j < it->nfeat; j++)
			for (size_t d = 0; d < SIG; d++)
				x[LMREC_SYNTH_LATENT + d] += sig[(size_t)it->feat[j] * SIG + d] / (double)nf;
		struct lmrec_rng nr;
		lmrec_rng_seed2(&nr, w->opt.seed, ((uint64_t)LMREC_SYNTH_RNG_MEDIA << 32) | (stream << 24) |
							   (0x800000u + (uint64_t)w->by_id[k]));
		lmrec_out_str(o, it->id);
		for (size_t d = 0; d < dim; d++) {
			double v = noise * lmrec_synth_normal(&nr);
			for (size_t q = 0; q < in; q++)
				v += P[d * in + q] * x[q];
			lmrec_out_printf(o, "\t%.4f", v);
		}
		lmrec_out_eol(o);
	}
	free(P);
	free(sig);
}

void lmrec_synth_write_image(const struct lmrec_synth_world *w, struct lmrec_out *o)
{
	write_media(w, o, 32, 1, 0, 0, 0.8);
}

void lmrec_synth_write_audio(const struct lmrec_synth_world *w, struct lmrec_out *o)
{
	write_media(w, o, 16, 2, 1, 1, 0.6);
}

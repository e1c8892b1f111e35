/* lmrec — the slot vocabulary of a catalog: what the words of a request
 * can mean in terms of its items (slots.h), all of it learned from the
 * items stream itself.
 *
 *  - Exact entries: every attribute value, key, category and domain as a
 *    phrase of normalised words. A key whose values are item ids of the
 *    catalog (restaurant=food-0001) is a reference, not a property: it
 *    gives no entries and is never asked about. A value that is a stop
 *    word ("down", "all") matches only before another content word ("down
 *    jacket"); a value made of digits only as "N KEY" ("2 people").
 *  - Scenario implications: for every word of the titles and texts (and,
 *    apart, for every word seen inside a negation scope of a text: "not
 *    spicy"), the attribute pairs, categories and domains of the items it
 *    occurs in, counted over items. An implication w -> a is kept when
 *    n(w, a) >= min_support (3 for a category) and
 *        P(a | w) = (n(w, a) + 3 base(a)) / (n(w) + 3) >= min_prob
 *        P(a | w) / base(a) >= min_lift, or P(a | w) >= 0.9
 *    where for a pair n(w) counts the word's items in the domains where the
 *    pair occurs, and base(a) is a's share of those items (the items of its
 *    domains). The max_imply pairs of largest lift are kept (and the
 *    domain, which needs P >= (1 + min_prob) / 2). A word that implies a
 *    category names a kind of item ("parka": one of its items has it in
 *    the title): it keeps only the category. An exact word learns only
 *    pairs outside the domains of its exact meanings, with P >= 0.9
 *    ("kids": audience=kids among films, family=yes among places). Looser
 *    per-key readings are kept for answers (lmrec_slotvocab_answer).
 *  - Subword vectors: skip-gram vectors with character n-grams (skipgram.h)
 *    trained on the titles and texts, or word vectors supplied by the user
 *    (wordvec.h); the anchors are the exact entries of one word and the
 *    words with implications, each with its unit vector after the mean of
 *    the anchors' vectors is taken away (the common direction of vectors
 *    trained on a small corpus).
 *  - Titles of two words or more, to notice items a request names.
 *
 * Building is deterministic for a seed (one training thread). */
#ifndef LMREC_SLOTVOCAB_H
#define LMREC_SLOTVOCAB_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "ids.h"
#include "slots.h"

struct lmrec_skipgram;
struct lmrec_wordvec;

struct lmrec_slotvocab_params {
	size_t min_support;     /* items a word and an attribute share (default 5) */
	double min_prob;        /* P(a | w) (default 0.7) */
	double min_lift;        /* P(a | w) / P(a) (default 1.5) */
	size_t max_imply;       /* pairs kept per word (default 2) */
	double match_threshold; /* cosine of a subword match (default 0.5) */
	size_t dim, epochs;     /* the subword vectors (default 32, 20) */
	uint64_t seed;
};

void lmrec_slotvocab_defaults(struct lmrec_slotvocab_params *p);

/* A meaning of a word: a slot without polarity. */
struct lmrec_meaning {
	uint8_t kind;   /* enum lmrec_slot_kind */
	uint32_t id;
	float weight;
};

struct lmrec_slotvocab {
	const struct lmrec_catalog *cat;
	struct lmrec_slotvocab_params p;
	size_t nkeys, ncat, ndom, npairs;
	/* pairs: the distinct key=value of the catalog */
	struct lmrec_ids *pairs_ids;   /* 8 bytes each: key << 32 | value, little-endian */
	uint32_t *pair_key, *pair_val; /* (npairs) */
	uint32_t *pair_items;          /* (npairs) items with it */
	uint32_t *pair_dom;            /* (npairs, ndom) items with it per domain */
	uint64_t *item_pair_ptr;       /* (n items + 1) */
	uint32_t *item_pair;           /* the distinct pairs of each item, ascending */
	uint32_t *cat_dom;             /* (ncat) the domain of most of its items (ndom: none) */
	uint32_t *cat_items;           /* (ncat) */
	unsigned char *key_yesno;      /* (nkeys) values yes and no only */
	unsigned char *key_ref;        /* (nkeys) values are item ids */
	uint32_t *key_dom;             /* (nkeys, ndom) items with the key per domain */
	int64_t yes_value, no_value;   /* value indices of "yes" and "no", or -1 */
	char **key_text, **val_text, **cat_text, **dom_text; /* '_' and '-' as spaces */
	/* exact entries: phrases of stems joined by ' ' */
	struct lmrec_ids *phrases;
	uint64_t *ph_ptr;              /* (nphrases + 1) */
	struct lmrec_meaning *ph_m;
	unsigned char *ph_before;      /* (nphrases) needs a content word after it */
	size_t max_phrase;             /* words */
	/* the words of the texts, with implications: feature 2w (the word)
	 * and 2w + 1 (the word inside a negation scope) */
	struct lmrec_ids *words;       /* stems */
	uint64_t *imp_ptr;             /* (2 nwords + 1) */
	struct lmrec_meaning *imp;
	uint32_t *word_items;          /* (nwords) items whose text has it */
	uint64_t *ans_ptr;             /* (nwords + 1) answer readings of each word */
	struct lmrec_meaning *ans;     /* one pair per key, by key */
	/* subword anchors */
	size_t dim;
	struct lmrec_ids *anchors;     /* surface forms */
	char **anchor_stem;            /* (nanchors) the stem whose meanings it has */
	float *anchor_vec;             /* (nanchors, dim) unit vectors, 0 when none */
	uint64_t *anchor_gptr;         /* (nanchors + 1) */
	uint32_t *anchor_grams;        /* the hashes of each anchor's 4-byte grams of "<a>" */
	float *anchor_hub;             /* (nanchors) r(a) of lmrec_slotvocab_nearest */
	float *anchor_mean;            /* (dim) the mean raw vector of the anchors,
					* taken from every vector before it is compared */
	struct lmrec_skipgram *sg;     /* trained vectors, or NULL */
	const struct lmrec_wordvec *wv; /* user vectors, or NULL */
	/* titles */
	struct lmrec_ids *titles;      /* stems of titles of >= 2 words */
	uint64_t *title_ptr;           /* (ntitles + 1) */
	uint32_t *title_item;
	size_t max_title;
	/* function words (the tokenizer's English list) */
	struct lmrec_ids *stop;
	size_t nimply;                 /* implications kept, for the summary */
};

/* Learns the vocabulary of the catalog c (which must outlive it). wv:
 * word vectors to match unknown words with instead of training subword
 * vectors, or NULL. */
struct lmrec_slotvocab *lmrec_slotvocab_build(const struct lmrec_catalog *c,
					      const struct lmrec_slotvocab_params *p,
					      const struct lmrec_wordvec *wv);
void lmrec_slotvocab_free(struct lmrec_slotvocab *v);

/* Adds to keep the surface forms of the anchors (to read only the words a
 * run needs from a large vectors file). Callable before the vectors are
 * given: build once without (wv NULL, p->dim 0 skips training), collect,
 * read the file, then lmrec_slotvocab_set_vectors. */
void lmrec_slotvocab_anchor_words(const struct lmrec_slotvocab *v, struct lmrec_ids *keep);
void lmrec_slotvocab_set_vectors(struct lmrec_slotvocab *v, const struct lmrec_wordvec *wv);

/* Lookups (stems in their normalised form). */
int64_t lmrec_slotvocab_phrase(const struct lmrec_slotvocab *v, const char *s, size_t len);
static inline size_t lmrec_slotvocab_meanings(const struct lmrec_slotvocab *v, int64_t ph,
					      const struct lmrec_meaning **m)
{
	*m = v->ph_m + v->ph_ptr[ph];
	return (size_t)(v->ph_ptr[ph + 1] - v->ph_ptr[ph]);
}
/* The value of key that the word leans to when it answers a question
 * about key (looser than an implication: 2 items, P(v | w) >= 0.45 within
 * the key's domains, lift >= 1.2: "the sea" answering "which region?"),
 * or NULL. */
const struct lmrec_meaning *lmrec_slotvocab_answer(const struct lmrec_slotvocab *v, const char *stem, size_t len,
						   uint32_t key);
/* Implications of the word (neg: as seen inside a negation scope). */
size_t lmrec_slotvocab_implies(const struct lmrec_slotvocab *v, const char *stem, size_t len, int neg,
			       const struct lmrec_meaning **m);
/* The unit vector of a word (surface form) into out (dim); 0 when it has
 * none (no n-gram and no vector). */
int lmrec_slotvocab_vector(const struct lmrec_slotvocab *v, const char *w, size_t len, float *out);
/* The anchor nearest to the word w[0..len) of unit vector x by CSLS
 * (cross-domain similarity local scaling: 2 cos(x, a) - r(x) - r(a), r the
 * mean cosine of the 10 nearest neighbours, of x among the anchors, of a
 * among the vocabulary, so that an anchor near every word, a hub, does
 * not win every match); with trained subword vectors, only among the
 * anchors that share two 4-byte grams of "<w" with it (five characters
 * in a row: small corpora make n-gram vectors that only spelling can
 * vouch for); its cosine into *cos and its CSLS into *csls; -1 when no
 * anchor qualifies. */
int64_t lmrec_slotvocab_nearest(const struct lmrec_slotvocab *v, const char *w, size_t len, const float *x,
				float *cos, float *csls);
/* The index of pair (key, value), or -1. */
int64_t lmrec_slotvocab_pair(const struct lmrec_slotvocab *v, uint32_t key, uint32_t value);
/* Whether item i has pair p. */
int lmrec_slotvocab_item_has(const struct lmrec_slotvocab *v, uint32_t i, uint32_t p);

/* Writes the learned vocabulary as TSV (word kind slots weight support):
 * kind exact, scenario or scenario-negated; for people to read and for
 * tests. */
void lmrec_slotvocab_dump(const struct lmrec_slotvocab *v, struct lmrec_out *o);

#endif

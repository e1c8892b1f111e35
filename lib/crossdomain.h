/* lmrec — one profile across domains: a user's items of some domains score
 * the items of another, through cross-domain co-occurrence and the shared
 * content space (lmrec-train --model crossdomain, lmrec-recall
 * --from-domain/--to-domain).
 *
 * Every item has a domain (the domain column of the items stream). Over
 * the binary users x items matrix of training, with U the users, n_a the
 * users of item a and c_ab the users of both a and b, the model keeps
 *
 *   prior    p_b  = (n_b + 1) / (U + 1)
 *   links    t_ab = c_ab / (n_a + s)    for b in another domain than a's,
 *                                       the N largest c_ab of each such
 *                                       domain (s: the shrinkage)
 *   vectors  v_a  unit content vectors (zero for an item without one)
 *   maps     M_AB (k, k) and mu_AB (k) for each ordered pair of domains:
 *            over the users with items in both A and B, x the mean
 *            vector of a user's A items and y of their B items, mu_AB the
 *            mean of x, and M_AB the ridge regression of the centred y on
 *            the centred x, shrunk towards the identity:
 *              M_AB = (X'X + lambda I)^-1 (X'Y + lambda I)
 *            (with no such users, M_AB = I and mu_AB = 0)
 *
 * A user's query is a set H of items with weights w_a (the history, or its
 * items of the --from-domain). An item b of domain D is scored from the
 * query items of the other domains, H_D = {a in H : domain(a) != D}, with
 * W = sum_{a in H_D} w_a, and per other domain d, x_d = sum of w_a v_a and
 * W_d = sum of w_a over the query items of d:
 *
 *   CO(b)    = sum_{a in H_D} w_a (c_ab + s p_b) / (n_a + s)  /  W
 *            = (sum w_a t_ab + p_b sum w_a s / (n_a + s)) / W
 *   z        = sum_{d != D} (x_d - W_d mu_dD) M_dD
 *   SEM(b)   = cos(z, v_b)       (0 when z is 0)
 *   score(b) = w_co ln CO(b) + w_sem SEM(b)
 *
 * CO is the probability that a user of the query items takes b, each
 * query item's estimate shrunk towards the prior by s pseudo-users, so a
 * rare item weighs little and an empty link still leaves b its
 * popularity; a pair beyond the N kept links counts as c_ab = 0. z is where
 * the user's text profile in D is predicted to lean, away from the
 * average user's: the words of one domain say little about another's
 * ("vegan" dishes and "recycled" jackets), and the maps learn from the
 * users of both domains which directions go together, starting from the
 * plain cosine (the identity) where they are few. The score is the
 * logarithm of a product of the two experts, CO times exp(SEM w_sem /
 * w_co): the scale of CO, which differs from one pair of domains to
 * another, does not change which items come first. An item with no query
 * item in another domain has no score (NaN), nor one with CO 0 (possible
 * only with s = 0) while w_co > 0. */
#ifndef LMREC_CROSSDOMAIN_H
#define LMREC_CROSSDOMAIN_H

#include <stddef.h>
#include <stdint.h>

#include "csr.h"
#include "ids.h"

/* The model's arrays; a recmodel of kind crossdomain holds one. */
struct lmrec_xdom {
	size_t ni, ndom, k;
	uint32_t *domain;           /* (ni) index into the domains */
	struct lmrec_csr links;     /* (ni x ni) t_ab, rows sorted by index */
	float *users_of;            /* (ni) n_a */
	float *prior;               /* (ni) p_b, positive */
	float *Y;                   /* (ni, k) unit vectors; NULL when k is 0 */
	float *map;                 /* (ndom, ndom, k, k) M_AB at (A, B); NULL when k is 0 */
	float *map_mean;            /* (ndom, ndom, k) mu_AB */
	uint64_t *map_users;        /* (ndom, ndom) the users each map learned from */
	double shrink, w_co, w_sem, lambda;
};

/* Reads the item and domain columns of an items stream: *items the ids in
 * byte order, *domains the domain names in byte order, *domain_of (items)
 * each item's domain. An empty item or domain, or an item given twice,
 * dies (65) naming the file and line. */
void lmrec_xdom_read_catalog(const char *path, struct lmrec_ids **items, struct lmrec_ids **domains,
			     uint32_t **domain_of);

/* The links: x->links from ui (users x items) and iu (its transpose), n
 * the neighbours kept per item and other domain; users_of (ni) receives
 * n_a and prior (ni) p_b. Needs x->ni, x->ndom, x->domain and x->shrink. */
void lmrec_xdom_fit(struct lmrec_xdom *x, float *users_of, float *prior, const struct lmrec_csr *ui,
		    const struct lmrec_csr *iu, size_t n, int threads);

/* The maps: x->map, x->map_mean and x->map_users (allocated here) from
 * the vectors x->Y and the training matrix ui, with x->lambda. Returns 0,
 * or -1 when a system is not positive definite (lambda 0 and too few
 * users). */
int lmrec_xdom_fit_maps(struct lmrec_xdom *x, const struct lmrec_csr *ui);

/* Scratch of one scorer. */
struct lmrec_xdom_scratch {
	double *wsum, *psum; /* (ndom) query weights, and their shrinkage mass */
	double *vec;         /* (ndom, k) the query's vectors summed per domain */
	double *z;           /* (k) the predicted lean of one target domain */
	double *xd;          /* (k) one source domain's centred sum */
	float *acc;          /* (ni) sum w_a t_ab */
};
void lmrec_xdom_scratch_init(struct lmrec_xdom_scratch *s, const struct lmrec_xdom *x);
void lmrec_xdom_scratch_free(struct lmrec_xdom_scratch *s);

/* Scores every item for the query hist[0..n) (weights w, NULL: 1): out
 * (ni) the score, or NaN for an item of no domain to (to >= 0) or without
 * query items in another domain. Only query items of domain from count
 * (from < 0: all). */
void lmrec_xdom_score(const struct lmrec_xdom *x, struct lmrec_xdom_scratch *s, const uint32_t *hist,
		      const float *w, size_t n, int64_t from, int64_t to, float *out);

/* What query item h adds to item i's score, for reasons: w_co times the
 * log-lift ln(((c_hi + s p_i) / (n_h + s)) / p_i) plus w_sem times the
 * cosine of their vectors (not mapped: the reason says the two items are
 * alike); 0 when they share a domain. */
float lmrec_xdom_contribution(const struct lmrec_xdom *x, uint32_t h, uint32_t i);

#endif

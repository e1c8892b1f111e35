/* lmrec — Adam with decoupled weight decay (AdamW, Loshchilov and Hutter
 * 2019) over one flat parameter array.
 *
 * Step t (from 1): m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
 * p -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps) + lr wd (p - anchor),
 * the decay only where the mask says (all parameters when there is none).
 * The moments are kept in float; the update of each parameter depends on
 * that parameter alone, so the result does not depend on threads. */
#ifndef LMREC_ADAM_H
#define LMREC_ADAM_H

#include <stddef.h>

struct lmrec_adam {
	size_t n;
	float lr, beta1, beta2, eps, wd;
	float *m, *v;        /* (n) first and second moments */
	unsigned char *decay; /* (n) 1 to decay, or NULL: decay all */
	float *anchor;        /* (n) what the decay pulls towards, or NULL: zero */
	unsigned long long t; /* steps taken */
};

/* Zero moments, no steps; decay on every parameter until set_decay. */
void lmrec_adam_init(struct lmrec_adam *a, size_t n, float lr, float beta1, float beta2, float eps,
		     float weight_decay);
/* Copies mask (n): 1 where the weight decay applies (see
 * lmrec_sasrec_decay_mask); NULL decays every parameter again. */
void lmrec_adam_set_decay(struct lmrec_adam *a, const unsigned char *mask);
/* Copies anchor (n): the decay then pulls each parameter towards its
 * anchor, lr wd (p - anchor), instead of towards zero (a frozen view that
 * the trained values may leave only as far as the data asks); NULL: zero. */
void lmrec_adam_set_anchor(struct lmrec_adam *a, const float *anchor);
/* One step of params (n) along grad (n). lr may be changed between steps
 * (a schedule) by setting a->lr. */
void lmrec_adam_step(struct lmrec_adam *a, float *params, const float *grad);
/* Frees the moments; a may be NULL. */
void lmrec_adam_free(struct lmrec_adam *a);

#endif

/* lmrec — AdamW (see adam.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "adam.h"
#include "util.h"

void lmrec_adam_init(struct lmrec_adam *a, size_t n, float lr, float beta1, float beta2, float eps,
		     float weight_decay)
{
	memset(a, 0, sizeof *a);
	a->n = n;
	a->lr = lr;
	a->beta1 = beta1;
	a->beta2 = beta2;
	a->eps = eps;
	a->wd = weight_decay;
	a->m = lmrec_xcalloc(n ? n : 1, sizeof *a->m);
	a->v = lmrec_xcalloc(n ? n : 1, sizeof *a->v);
}

void lmrec_adam_set_decay(struct lmrec_adam *a, const unsigned char *mask)
{
	free(a->decay);
	a->decay = NULL;
	if (mask) {
		a->decay = lmrec_xmalloc(a->n ? a->n : 1);
		memcpy(a->decay, mask, a->n);
	}
}

void lmrec_adam_step(struct lmrec_adam *a, float *params, const float *grad)
{
	a->t++;
	double c1 = 1.0 - pow(a->beta1, (double)a->t), c2 = 1.0 - pow(a->beta2, (double)a->t);
	float b1 = a->beta1, b2 = a->beta2, eps = a->eps;
	float step = (float)(a->lr / c1), rc2 = (float)(1.0 / sqrt(c2));
	float dec = a->lr * a->wd;
	for (size_t i = 0; i < a->n; i++) {
		float g = grad[i];
		float m = a->m[i] = b1 * a->m[i] + (1.0f - b1) * g;
		float v = a->v[i] = b2 * a->v[i] + (1.0f - b2) * g * g;
		float p = params[i];
		float d = (!a->decay || a->decay[i]) ? dec * (a->anchor ? p - a->anchor[i] : p) : 0.0f;
		params[i] = p - step * m / (sqrtf(v) * rc2 + eps) - d;
	}
}

void lmrec_adam_set_anchor(struct lmrec_adam *a, const float *anchor)
{
	free(a->anchor);
	a->anchor = NULL;
	if (anchor) {
		a->anchor = lmrec_xmalloc((a->n + 1) * sizeof *a->anchor);
		memcpy(a->anchor, anchor, a->n * sizeof *a->anchor);
	}
}

void lmrec_adam_free(struct lmrec_adam *a)
{
	if (!a)
		return;
	free(a->m);
	free(a->v);
	free(a->decay);
	free(a->anchor);
	a->anchor = NULL;
	a->m = a->v = NULL;
	a->decay = NULL;
	a->n = 0;
}

/* lmrec — TF-IDF rows of a catalog (see tfidf.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tfidf.h"
#include "util.h"

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

size_t lmrec_tfidf_build(struct lmrec_csr *X, int64_t *col, const struct lmrec_corpus *c, size_t min_df)
{
	size_t ni = lmrec_corpus_items(c), nw = lmrec_corpus_words(c);
	/* each item's tokens sorted, so equal words are runs */
	uint32_t *tok = lmrec_xmalloc((c->ntokens + 1) * sizeof *tok);
	if (c->ntokens)
		memcpy(tok, c->tok, c->ntokens * sizeof *tok);
	uint64_t *df = lmrec_xcalloc(nw + 1, sizeof *df);
	size_t pairs = 0;
	for (size_t i = 0; i < ni; i++) {
		uint32_t *t = tok + c->start[i];
		size_t n = (size_t)(c->start[i + 1] - c->start[i]);
		qsort(t, n, sizeof *t, cmp_u32);
		for (size_t k = 0; k < n; k++)
			if (k == 0 || t[k] != t[k - 1]) {
				df[t[k]]++;
				pairs++;
			}
	}
	int64_t *map = col ? col : lmrec_xmalloc((nw + 1) * sizeof *map);
	size_t ncol = 0;
	for (size_t w = 0; w < nw; w++)
		map[w] = df[w] >= min_df && df[w] > 0 ? (int64_t)ncol++ : -1;
	uint32_t *r = lmrec_xmalloc((pairs + 1) * sizeof *r), *cc = lmrec_xmalloc((pairs + 1) * sizeof *cc);
	float *v = lmrec_xmalloc((pairs + 1) * sizeof *v);
	double *row = lmrec_xmalloc((pairs + 1) * sizeof *row);
	size_t m = 0;
	for (size_t i = 0; i < ni; i++) {
		const uint32_t *t = tok + c->start[i];
		size_t n = (size_t)(c->start[i + 1] - c->start[i]), first = m;
		double norm = 0;
		for (size_t k = 0; k < n;) {
			size_t e = k;
			while (e < n && t[e] == t[k])
				e++;
			uint32_t w = t[k];
			if (map[w] >= 0) {
				double tf = 1.0 + log((double)(e - k));
				double idf = log((1.0 + (double)ni) / (1.0 + (double)df[w])) + 1.0;
				row[m] = tf * idf;
				norm += row[m] * row[m];
				r[m] = (uint32_t)i;
				cc[m] = (uint32_t)map[w];
				m++;
			}
			k = e;
		}
		norm = norm > 0 ? 1.0 / sqrt(norm) : 0.0;
		for (size_t q = first; q < m; q++)
			v[q] = (float)(row[q] * norm);
	}
	lmrec_csr_build(X, ni, ncol, r, cc, v, m, LMREC_DUP_SUM);
	free(tok);
	free(df);
	if (!col)
		free(map);
	free(r);
	free(cc);
	free(v);
	free(row);
	return ncol;
}

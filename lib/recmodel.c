/* lmrec — trained collaborative models: files and scoring (see recmodel.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "als.h"
#include "mat.h"
#include "recmodel.h"
#include "util.h"

static void add_csr(struct lmrec_model *f, const char *prefix, const struct lmrec_csr *c)
{
	char name[LMREC_MODEL_NAME];
	uint64_t n1 = c->rows + 1, nnz = lmrec_csr_nnz(c);
	snprintf(name, sizeof name, "%s_ptr", prefix);
	lmrec_model_add(f, name, LMREC_DT_U64, 1, &n1, c->ptr);
	snprintf(name, sizeof name, "%s_idx", prefix);
	lmrec_model_add(f, name, LMREC_DT_U32, 1, &nnz, c->idx);
	snprintf(name, sizeof name, "%s_val", prefix);
	lmrec_model_add(f, name, LMREC_DT_F32, 1, &nnz, c->val);
}

void lmrec_recmodel_write(const struct lmrec_recmodel *m, struct lmrec_model *extra,
			  const char *path)
{
	struct lmrec_model *f = extra ? extra : lmrec_model_new(m->kind);
	f->kind = m->kind;
	lmrec_model_add_ids(f, "users", m->users);
	lmrec_model_add_ids(f, "items", m->items);
	add_csr(f, "seen", &m->seen);
	uint64_t ni = m->ni;
	switch (m->kind) {
	case LMREC_KIND_POPULAR:
		lmrec_model_add(f, "popularity", LMREC_DT_F32, 1, &ni, m->pop);
		break;
	case LMREC_KIND_ITEMKNN:
		add_csr(f, "neighbours", &m->nb);
		break;
	case LMREC_KIND_EASE:
		lmrec_model_add_f32(f, "B", m->ni, m->ni, m->B);
		break;
	case LMREC_KIND_ALS:
	case LMREC_KIND_BPR:
	case LMREC_KIND_ALIGN:
	case LMREC_KIND_SEMANTIC:
		lmrec_model_add_f32(f, "user_factors", m->nu, m->k, m->X);
		lmrec_model_add_f32(f, "item_factors", m->ni, m->k, m->Y);
		if (m->kind == LMREC_KIND_BPR)
			lmrec_model_add(f, "item_bias", LMREC_DT_F32, 1, &ni, m->bias);
		if (m->kind == LMREC_KIND_ALIGN)
			lmrec_model_set_param(f, "fold_in", "%s", m->fold_als ? "als" : "mean");
		if (m->kind == LMREC_KIND_ALS || (m->kind == LMREC_KIND_ALIGN && m->fold_als)) {
			lmrec_model_set_param(f, "reg", "%.17g", m->reg);
			lmrec_model_set_param(f, "alpha", "%.17g", m->alpha);
			lmrec_model_set_param(f, "cg_steps", "%zu", m->cg_steps);
		}
		break;
	case LMREC_KIND_CROSSDOMAIN: {
		const struct lmrec_xdom *x = &m->xd;
		lmrec_model_set_param(f, "shrink", "%.17g", x->shrink);
		lmrec_model_set_param(f, "cooccurrence_weight", "%.17g", x->w_co);
		lmrec_model_set_param(f, "semantic_weight", "%.17g", x->w_sem);
		lmrec_model_add_ids(f, "domains", m->domains);
		lmrec_model_add(f, "item_domain", LMREC_DT_U32, 1, &ni, x->domain);
		lmrec_model_add(f, "item_users", LMREC_DT_F32, 1, &ni, x->users_of);
		lmrec_model_add(f, "prior", LMREC_DT_F32, 1, &ni, x->prior);
		add_csr(f, "links", &x->links);
		if (x->k) {
			uint64_t nd = x->ndom, sm[4] = {nd, nd, x->k, x->k}, su[2] = {nd, nd};
			lmrec_model_set_param(f, "lambda", "%.17g", x->lambda);
			lmrec_model_add_f32(f, "item_vectors", m->ni, x->k, x->Y);
			lmrec_model_add(f, "map", LMREC_DT_F32, 4, sm, x->map);
			lmrec_model_add(f, "map_mean", LMREC_DT_F32, 3, sm, x->map_mean);
			lmrec_model_add(f, "map_users", LMREC_DT_U64, 2, su, x->map_users);
		}
		break;
	}
	case LMREC_KIND_SASREC: {
		const struct lmrec_sasrec_config *c = &m->sas->c;
		lmrec_model_set_param(f, "dim", "%zu", c->dim);
		lmrec_model_set_param(f, "blocks", "%zu", c->blocks);
		lmrec_model_set_param(f, "heads", "%zu", c->heads);
		lmrec_model_set_param(f, "maxlen", "%zu", c->maxlen);
		lmrec_model_set_param(f, "ffn", "%zu", c->ffn);
		lmrec_model_set_param(f, "dropout", "%.9g", (double)c->dropout);
		if (c->pos_from_start) /* absent: from the end, as models before it */
			lmrec_model_set_param(f, "positions", "start");
		if (c->sasrec_block) /* absent: pre-LN */
			lmrec_model_set_param(f, "block", "sasrec");
		if (c->dropout_all) /* absent: the three output sites */
			lmrec_model_set_param(f, "dropout_sites", "all");
		uint64_t np = m->sas->nparams, n1 = m->seq.nu + 1, ns = m->seq.ptr[m->seq.nu];
		lmrec_model_add(f, "weights", LMREC_DT_F32, 1, &np, m->sas->params);
		lmrec_model_add(f, "seq_ptr", LMREC_DT_U64, 1, &n1, m->seq.ptr);
		lmrec_model_add(f, "seq_item", LMREC_DT_U32, 1, &ns, m->seq.item);
		break;
	}
	default:
		lmrec_die(LMREC_EXIT_FAIL, "internal error: model kind %u cannot be written", m->kind);
	}
	lmrec_model_write(f, path);
	lmrec_model_free(f);
}

static const void *need(const struct lmrec_model *f, const char *name, uint32_t dtype,
			uint32_t ndim, const uint64_t *shape)
{
	const struct lmrec_section *s = lmrec_model_need(f, name, dtype, ndim);
	for (uint32_t d = 0; d < ndim; d++)
		if (shape[d] != s->shape[d])
			lmrec_die(LMREC_EXIT_DATA, "%s: section '%s' has %llu in dimension %u, expected %llu",
				  f->path, name, (unsigned long long)s->shape[d], d,
				  (unsigned long long)shape[d]);
	return s->data;
}

static void read_csr(const struct lmrec_model *f, const char *prefix, size_t rows, size_t cols,
		     struct lmrec_csr *c)
{
	char name[LMREC_MODEL_NAME];
	uint64_t n1 = rows + 1;
	snprintf(name, sizeof name, "%s_ptr", prefix);
	c->ptr = (uint64_t *)need(f, name, LMREC_DT_U64, 1, &n1);
	c->rows = rows;
	c->cols = cols;
	uint64_t nnz = c->ptr[rows];
	snprintf(name, sizeof name, "%s_idx", prefix);
	c->idx = (uint32_t *)need(f, name, LMREC_DT_U32, 1, &nnz);
	snprintf(name, sizeof name, "%s_val", prefix);
	c->val = (float *)need(f, name, LMREC_DT_F32, 1, &nnz);
	/* the indices must stay inside the matrix, rows sorted */
	for (size_t r = 0; r < rows; r++) {
		if (c->ptr[r] > c->ptr[r + 1])
			lmrec_die(LMREC_EXIT_DATA, "%s: section '%s_ptr' is not increasing", f->path, prefix);
		for (uint64_t p = c->ptr[r]; p < c->ptr[r + 1]; p++)
			if (c->idx[p] >= cols || (p > c->ptr[r] && c->idx[p] <= c->idx[p - 1]))
				lmrec_die(LMREC_EXIT_DATA, "%s: section '%s_idx' is out of range or unsorted",
					  f->path, prefix);
	}
}

/* crossdomain: its sections, checked (lib/crossdomain.h) */
static void read_crossdomain(const struct lmrec_model *f, struct lmrec_recmodel *m)
{
	struct lmrec_xdom *x = &m->xd;
	uint64_t ni = m->ni;
	m->domains = lmrec_model_ids(f, "domains");
	x->ni = m->ni;
	x->ndom = lmrec_ids_count(m->domains);
	x->shrink = lmrec_model_param_double(f, "shrink");
	x->w_co = lmrec_model_param_double(f, "cooccurrence_weight");
	x->w_sem = lmrec_model_param_double(f, "semantic_weight");
	if (!(x->shrink >= 0) || !(x->w_co >= 0) || !(x->w_sem >= 0) || isinf(x->shrink) || isinf(x->w_co) ||
	    isinf(x->w_sem))
		lmrec_die(LMREC_EXIT_DATA, "%s: parameters 'shrink', 'cooccurrence_weight' and 'semantic_weight' "
			  "must be numbers of at least 0", f->path);
	x->domain = (uint32_t *)need(f, "item_domain", LMREC_DT_U32, 1, &ni);
	x->users_of = (float *)need(f, "item_users", LMREC_DT_F32, 1, &ni);
	x->prior = (float *)need(f, "prior", LMREC_DT_F32, 1, &ni);
	for (size_t i = 0; i < m->ni; i++) {
		if (x->domain[i] >= x->ndom)
			lmrec_die(LMREC_EXIT_DATA, "%s: section 'item_domain' is out of range", f->path);
		if (!(x->users_of[i] >= 0) || isinf(x->users_of[i]))
			lmrec_die(LMREC_EXIT_DATA, "%s: section 'item_users' holds a negative or infinite count",
				  f->path);
		if (!(x->prior[i] > 0 && x->prior[i] <= 1))
			lmrec_die(LMREC_EXIT_DATA, "%s: section 'prior' holds a value outside (0, 1]", f->path);
	}
	read_csr(f, "links", m->ni, m->ni, &x->links);
	for (uint64_t p = 0; p < lmrec_csr_nnz(&x->links); p++)
		if (!(x->links.val[p] >= 0) || isinf(x->links.val[p]))
			lmrec_die(LMREC_EXIT_DATA, "%s: section 'links_val' holds a negative or infinite value", f->path);
	/* the content part: vectors and maps, or none */
	const struct lmrec_section *v = lmrec_model_find(f, "item_vectors");
	x->k = 0;
	x->Y = x->map = x->map_mean = NULL;
	x->map_users = NULL;
	if (!v)
		return;
	uint64_t nd = x->ndom, shape[4] = {ni, v->ndim == 2 ? v->shape[1] : 0, 0, 0};
	if (shape[1] == 0 || shape[1] > 65536)
		lmrec_die(LMREC_EXIT_DATA, "%s: section 'item_vectors' has %llu columns, expected 1 to 65536",
			  f->path, (unsigned long long)shape[1]);
	x->Y = (float *)need(f, "item_vectors", LMREC_DT_F32, 2, shape);
	x->k = (size_t)shape[1];
	x->lambda = lmrec_model_param_double(f, "lambda");
	uint64_t sm[4] = {nd, nd, x->k, x->k};
	x->map = (float *)need(f, "map", LMREC_DT_F32, 4, sm);
	x->map_mean = (float *)need(f, "map_mean", LMREC_DT_F32, 3, sm);
	x->map_users = (uint64_t *)need(f, "map_users", LMREC_DT_U64, 2, sm);
	/* a NaN would reach every score */
	for (size_t q = 0; q < m->ni * x->k; q++)
		if (!isfinite(x->Y[q]))
			lmrec_die(LMREC_EXIT_DATA, "%s: section 'item_vectors' holds a value that is not finite", f->path);
	for (size_t q = 0; q < nd * nd * x->k * x->k; q++)
		if (!isfinite(x->map[q]))
			lmrec_die(LMREC_EXIT_DATA, "%s: section 'map' holds a value that is not finite", f->path);
	for (size_t q = 0; q < nd * nd * x->k; q++)
		if (!isfinite(x->map_mean[q]))
			lmrec_die(LMREC_EXIT_DATA, "%s: section 'map_mean' holds a value that is not finite", f->path);
}

struct lmrec_recmodel *lmrec_recmodel_read(const char *path, uint32_t kind)
{
	struct lmrec_model *f = lmrec_model_read(path, kind);
	if ((f->kind < LMREC_KIND_POPULAR || f->kind > LMREC_KIND_SASREC) && f->kind != LMREC_KIND_ALIGN &&
	    f->kind != LMREC_KIND_SEMANTIC && f->kind != LMREC_KIND_CROSSDOMAIN)
		lmrec_die(LMREC_EXIT_DATA, "%s: model kind '%s' is not a collaborative model", path,
			  lmrec_kind_name(f->kind));
	struct lmrec_recmodel *m = lmrec_xcalloc(1, sizeof *m);
	m->file = f;
	m->kind = f->kind;
	m->users = lmrec_model_ids(f, "users");
	m->items = lmrec_model_ids(f, "items");
	m->nu = lmrec_ids_count(m->users);
	m->ni = lmrec_ids_count(m->items);
	read_csr(f, "seen", m->nu, m->ni, &m->seen);
	uint64_t ni = m->ni, shape[2];
	switch (m->kind) {
	case LMREC_KIND_POPULAR:
		m->pop = (float *)need(f, "popularity", LMREC_DT_F32, 1, &ni);
		break;
	case LMREC_KIND_ITEMKNN:
		read_csr(f, "neighbours", m->ni, m->ni, &m->nb);
		break;
	case LMREC_KIND_EASE:
		shape[0] = shape[1] = ni;
		m->B = (float *)need(f, "B", LMREC_DT_F32, 2, shape);
		break;
	case LMREC_KIND_CROSSDOMAIN:
		read_crossdomain(f, m);
		break;
	case LMREC_KIND_SASREC: {
		struct lmrec_sasrec_config c = {m->ni, lmrec_model_param_count(f, "dim"), lmrec_model_param_count(f, "blocks"),
						lmrec_model_param_count(f, "heads"), lmrec_model_param_count(f, "maxlen"), lmrec_model_param_count(f, "ffn"),
						(float)lmrec_model_param_double(f, "dropout"), 0, 0, 0};
		size_t plen = 0;
		const char *pv = lmrec_model_param(f, "positions", &plen);
		if (pv && plen == 5 && memcmp(pv, "start", 5) == 0)
			c.pos_from_start = 1;
		else if (pv && !(plen == 3 && memcmp(pv, "end", 3) == 0))
			lmrec_die(LMREC_EXIT_DATA, "%s: parameter 'positions' is neither start nor end", path);
		pv = lmrec_model_param(f, "block", &plen);
		if (pv && plen == 6 && memcmp(pv, "sasrec", 6) == 0)
			c.sasrec_block = 1;
		else if (pv && !(plen == 5 && memcmp(pv, "preln", 5) == 0))
			lmrec_die(LMREC_EXIT_DATA, "%s: parameter 'block' is neither preln nor sasrec", path);
		pv = lmrec_model_param(f, "dropout_sites", &plen);
		if (pv && plen == 3 && memcmp(pv, "all", 3) == 0)
			c.dropout_all = 1;
		else if (pv && !(plen == 7 && memcmp(pv, "outputs", 7) == 0))
			lmrec_die(LMREC_EXIT_DATA, "%s: parameter 'dropout_sites' is neither outputs nor all", path);
		char msg[200];
		if (lmrec_sasrec_check_config(&c, msg, sizeof msg) != 0)
			lmrec_die(LMREC_EXIT_DATA, "%s: %s", path, msg);
		m->sas = lmrec_xcalloc(1, sizeof *m->sas);
		lmrec_sasrec_init(m->sas, &c, 0);
		uint64_t np = m->sas->nparams, n1 = m->nu + 1;
		memcpy(m->sas->params, need(f, "weights", LMREC_DT_F32, 1, &np), np * sizeof *m->sas->params);
		m->seq.nu = m->nu;
		m->seq.ptr = (uint64_t *)need(f, "seq_ptr", LMREC_DT_U64, 1, &n1);
		uint64_t ns = m->seq.ptr[m->nu];
		m->seq.item = (uint32_t *)need(f, "seq_item", LMREC_DT_U32, 1, &ns);
		for (size_t u = 0; u < m->nu; u++)
			if (m->seq.ptr[u] > m->seq.ptr[u + 1])
				lmrec_die(LMREC_EXIT_DATA, "%s: section 'seq_ptr' is not increasing", path);
		for (uint64_t q = 0; q < ns; q++)
			if (m->seq.item[q] >= m->ni)
				lmrec_die(LMREC_EXIT_DATA, "%s: section 'seq_item' is out of range", path);
		m->k = c.dim;
		m->Y = m->sas->item + c.dim;
		break;
	}
	default: { /* als, bpr, align, semantic */
		const struct lmrec_section *s = lmrec_model_need(f, "item_factors", LMREC_DT_F32, 2);
		m->k = s->shape[1];
		if (m->k == 0)
			lmrec_die(LMREC_EXIT_DATA,
				  "%s: section 'item_factors' has 0 in dimension 1, expected at least 1", path);
		shape[0] = m->nu;
		shape[1] = m->k;
		m->X = (float *)need(f, "user_factors", LMREC_DT_F32, 2, shape);
		shape[0] = m->ni;
		m->Y = (float *)need(f, "item_factors", LMREC_DT_F32, 2, shape);
		if (m->kind == LMREC_KIND_BPR)
			m->bias = (float *)need(f, "item_bias", LMREC_DT_F32, 1, &ni);
		if (m->kind == LMREC_KIND_ALIGN) {
			size_t len;
			const char *v = lmrec_model_param(f, "fold_in", &len);
			if (!v || !((len == 3 && memcmp(v, "als", 3) == 0) || (len == 4 && memcmp(v, "mean", 4) == 0)))
				lmrec_die(LMREC_EXIT_DATA, "%s: parameter 'fold_in' is missing or not als or mean",
					  path);
			m->fold_als = len == 3;
		}
		if (m->kind == LMREC_KIND_ALS)
			m->fold_als = 1;
		if (m->fold_als) {
			m->reg = lmrec_model_param_double(f, "reg");
			m->alpha = lmrec_model_param_double(f, "alpha");
			m->cg_steps = lmrec_model_param_count(f, "cg_steps");
		}
	}
	}
	if (m->Y && m->k && (m->kind == LMREC_KIND_ALS || m->kind == LMREC_KIND_BPR ||
			     m->kind == LMREC_KIND_ALIGN || m->kind == LMREC_KIND_SASREC ||
			     m->kind == LMREC_KIND_SEMANTIC)) {
		/* summed in the order lmrec_contribution sums them: the same bits */
		m->sqnorm = lmrec_xcalloc(m->ni + 1, sizeof *m->sqnorm);
		for (size_t i = 0; i < m->ni; i++) {
			const float *y = m->Y + i * m->k;
			double n = 0;
			for (size_t d = 0; d < m->k; d++)
				n += (double)y[d] * y[d];
			m->sqnorm[i] = n;
		}
	}
	return m;
}

void lmrec_recmodel_free(struct lmrec_recmodel *m)
{
	if (!m)
		return;
	free(m->sqnorm);
	lmrec_ids_free(m->users);
	lmrec_ids_free(m->items);
	lmrec_ids_free(m->domains);
	if (m->sas) {
		lmrec_sasrec_free(m->sas);
		free(m->sas);
		if (!m->file)
			lmrec_seqs_free(&m->seq);
		m->Y = NULL; /* it pointed into the network */
	}
	if (m->file) {
		lmrec_model_free(m->file);
	} else {
		lmrec_csr_free(&m->seen);
		lmrec_csr_free(&m->nb);
		free(m->pop);
		free(m->B);
		free(m->X);
		free(m->Y);
		free(m->bias);
		lmrec_csr_free(&m->xd.links);
		free(m->xd.domain);
		free(m->xd.users_of);
		free(m->xd.prior);
		free(m->xd.Y);
		free(m->xd.map);
		free(m->xd.map_mean);
		free(m->xd.map_users);
	}
	free(m);
}

/* ---- scoring ---- */

#define ITEM_BLOCK 4096

struct lmrec_scorer {
	const struct lmrec_recmodel *m;
	size_t block;
	uint32_t *seq; /* sasrec: (block, maxlen) inputs */
	float *attn;   /* sasrec: (block, maxlen) the last position's attention */
	float *U;  /* (block, k) user vectors */
	float *G;  /* (k, k) Y^T Y for fold-in, computed on first need */
	int have_G;
	struct lmrec_xdom_scratch xs; /* crossdomain */
	int64_t from, to;             /* crossdomain: the domains of the query and of the scores */
};

struct lmrec_scorer *lmrec_scorer_new(const struct lmrec_recmodel *m, size_t block)
{
	struct lmrec_scorer *s = lmrec_xcalloc(1, sizeof *s);
	s->m = m;
	s->block = block;
	if (m->k) {
		s->U = lmrec_xcalloc(block * m->k, sizeof *s->U);
		s->G = lmrec_xcalloc(m->k * m->k, sizeof *s->G);
	}
	if (m->sas) {
		s->seq = lmrec_xcalloc(block * m->sas->c.maxlen + 1, sizeof *s->seq);
		s->attn = lmrec_xcalloc(block * m->sas->c.maxlen + 1, sizeof *s->attn);
	}
	if (m->kind == LMREC_KIND_CROSSDOMAIN)
		lmrec_xdom_scratch_init(&s->xs, &m->xd);
	s->from = s->to = -1;
	return s;
}

void lmrec_scorer_domains(struct lmrec_scorer *s, int64_t from, int64_t to)
{
	s->from = from;
	s->to = to;
}

void lmrec_scorer_free(struct lmrec_scorer *s)
{
	if (!s)
		return;
	free(s->U);
	free(s->G);
	free(s->seq);
	free(s->attn);
	if (s->m->kind == LMREC_KIND_CROSSDOMAIN)
		lmrec_xdom_scratch_free(&s->xs);
	free(s);
}

/* sasrec: the inputs of q[0..n) into s->seq, their states into s->U */
static void sasrec_encode(struct lmrec_scorer *s, const struct lmrec_user_query *q, size_t n)
{
	const struct lmrec_recmodel *m = s->m;
	size_t L = m->sas->c.maxlen;
	for (size_t r = 0; r < n; r++) {
		const uint32_t *it;
		size_t len;
		if (q[r].user >= 0 && !q[r].fold_in) {
			it = m->seq.item + m->seq.ptr[q[r].user];
			len = (size_t)(m->seq.ptr[q[r].user + 1] - m->seq.ptr[q[r].user]);
		} else if (q[r].seq) {
			it = q[r].seq;
			len = q[r].nseq;
		} else {
			it = q[r].hist;
			len = q[r].n;
		}
		lmrec_seqs_input(s->seq + r * L, it, len, L);
	}
	lmrec_sasrec_encode(m->sas, s->seq, n, s->U, s->attn, 1);
}

void lmrec_scorer_attended(const struct lmrec_scorer *s, size_t r, int64_t *first, int64_t *second)
{
	*first = *second = -1;
	if (!s->m->sas)
		return;
	size_t L = s->m->sas->c.maxlen;
	const uint32_t *seq = s->seq + r * L;
	const float *a = s->attn + r * L;
	float best = -1, next = -1;
	for (size_t j = 0; j < L; j++) {
		if (seq[j] == 0 || (int64_t)seq[j] - 1 == *first)
			continue;
		if (a[j] > best) {
			next = best;
			*second = *first;
			best = a[j];
			*first = (int64_t)seq[j] - 1;
		} else if (a[j] > next && (int64_t)seq[j] - 1 != *first) {
			next = a[j];
			*second = (int64_t)seq[j] - 1;
		}
	}
}

void lmrec_user_vector(struct lmrec_scorer *s, const struct lmrec_user_query *q, float *x)
{
	const struct lmrec_recmodel *m = s->m;
	size_t k = m->k;
	if (m->sas) {
		sasrec_encode(s, q, 1);
		memcpy(x, s->U, k * sizeof *x);
		return;
	}
	if (q->user >= 0 && !q->fold_in) {
		memcpy(x, m->X + (size_t)q->user * k, k * sizeof *x);
		return;
	}
	memset(x, 0, k * sizeof *x);
	if (q->n == 0)
		return;
	if (m->kind == LMREC_KIND_ALS || m->fold_als) {
		/* the exact ALS user step against the trained item factors: a
		 * Cholesky solve even when training used conjugate gradient,
		 * whose few steps from a zero vector would stop short */
		if (!s->have_G) {
			lmrec_gram(s->G, m->Y, m->ni, k);
			s->have_G = 1;
		}
		struct lmrec_als_params p = {k, m->reg, m->alpha, 0, 0, 1};
		lmrec_als_solve_row(x, s->G, m->Y, q->hist, q->w, q->n, &p);
		return;
	}
	/* bpr (and align from bpr) have no closed form: the mean of the
	 * history's item vectors; semantic: their weighted mean, unit length */
	int weighted = m->kind == LMREC_KIND_SEMANTIC && q->w;
	double wsum = 0;
	for (size_t j = 0; j < q->n; j++) {
		float w = weighted ? q->w[j] : 1.0f;
		wsum += w;
		for (size_t f = 0; f < k; f++)
			x[f] += w * m->Y[(size_t)q->hist[j] * k + f];
	}
	if (m->kind == LMREC_KIND_SEMANTIC) {
		double norm = 0;
		for (size_t f = 0; f < k; f++)
			norm += (double)x[f] * x[f];
		for (size_t f = 0; f < k; f++)
			x[f] = norm > 0 ? (float)(x[f] / sqrt(norm)) : 0.0f;
		return;
	}
	for (size_t f = 0; f < k; f++)
		x[f] = wsum > 0 ? (float)(x[f] / wsum) : 0.0f;
}

void lmrec_score_block(struct lmrec_scorer *s, const struct lmrec_user_query *q, size_t n, float *out)
{
	const struct lmrec_recmodel *m = s->m;
	size_t ni = m->ni;
	switch (m->kind) {
	case LMREC_KIND_POPULAR:
		for (size_t r = 0; r < n; r++)
			memcpy(out + r * ni, m->pop, ni * sizeof *out);
		return;
	case LMREC_KIND_ITEMKNN:
		for (size_t r = 0; r < n; r++) {
			float *o = out + r * ni;
			memset(o, 0, ni * sizeof *o);
			for (size_t j = 0; j < q[r].n; j++) {
				uint32_t h = q[r].hist[j];
				float w = q[r].w ? q[r].w[j] : 1.0f;
				for (uint64_t p = m->nb.ptr[h]; p < m->nb.ptr[h + 1]; p++)
					o[m->nb.idx[p]] += w * m->nb.val[p];
			}
		}
		return;
	case LMREC_KIND_CROSSDOMAIN:
		for (size_t r = 0; r < n; r++)
			lmrec_xdom_score(&m->xd, &s->xs, q[r].hist, q[r].w, q[r].n, s->from, s->to, out + r * ni);
		return;
	case LMREC_KIND_EASE:
		for (size_t r = 0; r < n; r++) {
			float *o = out + r * ni;
			memset(o, 0, ni * sizeof *o);
			for (size_t j = 0; j < q[r].n; j++) {
				const float *row = m->B + (size_t)q[r].hist[j] * ni;
				float w = q[r].w ? q[r].w[j] : 1.0f;
				for (size_t i = 0; i < ni; i++)
					o[i] += w * row[i];
			}
		}
		return;
	default: /* als, bpr, sasrec: blocked products over BLAS */
		if (m->sas)
			sasrec_encode(s, q, n);
		else
			for (size_t r = 0; r < n; r++)
				lmrec_user_vector(s, &q[r], s->U + r * m->k);
		for (size_t b = 0; b < ni; b += ITEM_BLOCK) {
			size_t nb = ni - b < ITEM_BLOCK ? ni - b : ITEM_BLOCK;
			lmrec_sgemm_nt(n, nb, m->k, 1.0f, s->U, m->k, m->Y + b * m->k, m->k, 0.0f, out + b, ni);
		}
		if (m->bias)
			for (size_t r = 0; r < n; r++)
				for (size_t i = 0; i < ni; i++)
					out[r * ni + i] += m->bias[i];
	}
}

float lmrec_contribution(const struct lmrec_recmodel *m, uint32_t h, uint32_t i)
{
	switch (m->kind) {
	case LMREC_KIND_ITEMKNN: {
		uint64_t lo = m->nb.ptr[h], hi = m->nb.ptr[h + 1];
		while (lo < hi) {
			uint64_t mid = lo + (hi - lo) / 2;
			if (m->nb.idx[mid] < i)
				lo = mid + 1;
			else
				hi = mid;
		}
		return lo < m->nb.ptr[h + 1] && m->nb.idx[lo] == i ? m->nb.val[lo] : 0.0f;
	}
	case LMREC_KIND_EASE:
		return m->B[(size_t)h * m->ni + i];
	case LMREC_KIND_CROSSDOMAIN:
		return lmrec_xdom_contribution(&m->xd, h, i);
	case LMREC_KIND_ALS:
	case LMREC_KIND_BPR:
	case LMREC_KIND_ALIGN:
	case LMREC_KIND_SASREC:
	case LMREC_KIND_SEMANTIC: {
		const float *a = m->Y + (size_t)h * m->k, *b = m->Y + (size_t)i * m->k;
		double dot = 0, na, nb;
		if (m->sqnorm) {
			for (size_t f = 0; f < m->k; f++)
				dot += (double)a[f] * b[f];
			na = m->sqnorm[h];
			nb = m->sqnorm[i];
		} else {
			na = nb = 0;
			for (size_t f = 0; f < m->k; f++) {
				dot += (double)a[f] * b[f];
				na += (double)a[f] * a[f];
				nb += (double)b[f] * b[f];
			}
		}
		return na > 0 && nb > 0 ? (float)(dot / sqrt(na * nb)) : 0.0f;
	}
	default:
		return 0.0f;
	}
}

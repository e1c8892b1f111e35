/* Fuzz target: the request parser of lmrec-chat (lib/slots.c), the
 * reading of an external parser's answer, and the dialogue state that
 * takes the result (lib/dialog.c).
 *
 * The vocabulary is learned once from a small built-in catalog (two
 * domains, texts with negations, scenario words and titles). An input is
 * a request: any bytes, of any length. It is parsed twice (the same
 * slots both times: the parser is pure), every slot is checked against
 * the vocabulary (kinds, ids, polarities, weights, no slot twice), the
 * written slots hold no raw TAB or LF, then the slots go through a
 * dialogue turn, a ranking and a question, each checked likewise. An
 * input that starts with '{' is also read as an external parser's answer
 * (lmrec_llm_read_parse, lmrec_slots_from_llm), which must give slots
 * that pass the same checks when llm.h accepts it, and back as the
 * context of a request (lmrec_slots_to_llm). Nothing may die: the parser has no failure
 * path, so a die is a bug the fuzzer reports. */
#include <math.h>

#include <jansson.h>

#include "harness.h"
#include "dialog.h"
#include "slots.h"
#include "slotvocab.h"

static const char fuzz_slots_catalog[] =
	"item\ttitle\ttext\tcategory\tattrs\tdomain\tavailable\n"
	"s1\tHalvik Storm Shell\tA rain shell from Halvik. Fully waterproof and light as a feather. For hill walks.\t"
	"jackets\tbrand=halvik;use=hiking;waterproof=yes;weight=light;color=blue\tshop\t1\n"
	"s2\tHalvik Pea Coat\tA wool coat. Not waterproof, heavy and warm. For the commute.\t"
	"jackets\tbrand=halvik;use=city;waterproof=no;weight=heavy;material=wool;color=navy\tshop\t1\n"
	"s3\tOrvane Trail Shoes\tTrail shoes, featherweight and breathable rather than rainproof. For runners.\t"
	"footwear\tbrand=orvane;use=running;waterproof=no;weight=light;color=red\tshop\t1\n"
	"s4\tOrvane Snow Boots\tWinter boots, heavy and waterproof. Warm in deep snow.\t"
	"footwear\tbrand=orvane;use=city;waterproof=yes;weight=heavy;season=winter;color=black\tshop\t1\n"
	"s5\tTarnfield Two-Person Tent\tA tent for 2 people. Featherweight, waterproof, for nights under canvas.\t"
	"tents\tbrand=tarnfield;use=camping;waterproof=yes;weight=light;people=2\tshop\t1\n"
	"s6\tTarnfield Family Tent\tA big tent for 4 people, heavy but roomy. Great for kids.\t"
	"tents\tbrand=tarnfield;use=camping;waterproof=yes;weight=heavy;people=4\tshop\t0\n"
	"f1\tKimchi Stew\tA hearty Korean stew, chilli-hot and filling. Fiery.\t"
	"mains\tcuisine=korean;spice=hot;style=hearty;diet=gluten_free;restaurant=f4\tfood\t1\n"
	"f2\tGarden Salad\tA light salad, vegan and not spicy. Meat-free and fresh.\t"
	"salads\tcuisine=local;spice=mild;style=light;diet=vegan;diet=vegetarian;restaurant=f4\tfood\t1\n"
	"f3\tLentil Soup\tA warming vegan soup, not spicy, gluten-free. For a rainy day.\t"
	"soups\tcuisine=local;spice=mild;style=hearty;diet=vegan;diet=gluten_free;restaurant=f4\tfood\t1\n"
	"f4\tThe Red Heron\tA cosy restaurant for a rainy evening. Not spicy, meat-free options.\t"
	"restaurant\tcuisine=local;ambience=cosy;price=mid;service=dine_in\tfood\t1\n"
	"f5\tSeoul Street Stall\tKorean street food, fiery and cheap. Takeaway counter.\t"
	"street-food\tcuisine=korean;spice=hot;price=low;service=takeaway\tfood\t1\n"
	"f6\tCurry House\tA lively Indian restaurant, medium spice, cheap eats. Great for kids.\t"
	"restaurant\tcuisine=indian;spice=medium;price=low;ambience=lively;service=dine_in\tfood\t1\n";

/* The vocabulary, learned on first use (one per process). */
static const struct lmrec_slotvocab *fuzz_slots_vocab(void)
{
	static struct lmrec_catalog cat;
	static struct lmrec_slotvocab *v;
	if (v)
		return v;
	const char *t = getenv("TMPDIR");
	char path[512];
	snprintf(path, sizeof path, "%s/lmrec-fuzz-catalog.XXXXXX", t && *t ? t : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0) {
		perror("mkstemp");
		abort();
	}
	size_t n = sizeof fuzz_slots_catalog - 1;
	if (write(fd, fuzz_slots_catalog, n) != (ssize_t)n || close(fd) != 0) {
		perror(path);
		abort();
	}
	lmrec_catalog_load(&cat, path);
	unlink(path);
	struct lmrec_slotvocab_params p;
	lmrec_slotvocab_defaults(&p);
	p.min_support = 2;
	p.dim = 8;
	p.epochs = 2;
	v = lmrec_slotvocab_build(&cat, &p, NULL);
	return v;
}

static void fuzz_slots_check(const struct lmrec_slotvocab *v, const struct lmrec_slots *s)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct lmrec_slot *x = &s->s[i];
		FUZZ_ASSERT(x->pol == LMREC_POL_POS || x->pol == LMREC_POL_NEG || x->pol == LMREC_POL_ANY);
		FUZZ_ASSERT(isfinite(x->weight) && x->weight > 0 && x->weight <= 1.0f + 1e-6f);
		FUZZ_ASSERT(x->src <= LMREC_SRC_EXTERNAL);
		switch (x->kind) {
		case LMREC_SLOT_PAIR:
			FUZZ_ASSERT(x->id < v->npairs && x->pol != LMREC_POL_ANY && !v->key_ref[v->pair_key[x->id]]);
			break;
		case LMREC_SLOT_CATEGORY:
			FUZZ_ASSERT(x->pol == LMREC_POL_ANY || x->id < v->ncat);
			break;
		case LMREC_SLOT_DOMAIN:
			FUZZ_ASSERT(x->pol == LMREC_POL_ANY || x->id < v->ndom);
			break;
		case LMREC_SLOT_KEY:
			FUZZ_ASSERT(x->id < v->nkeys && x->pol == LMREC_POL_ANY);
			break;
		default:
			FUZZ_ASSERT(0);
		}
		for (size_t j = 0; j < i; j++)
			FUZZ_ASSERT(s->s[j].kind != x->kind || s->s[j].id != x->id);
	}
	for (size_t i = 0; i < s->nmention; i++)
		FUZZ_ASSERT(s->mention[i] < v->cat->n);
	FUZZ_ASSERT(s->slen == 0 || strlen(s->scenario) == s->slen);
	FUZZ_ASSERT((s->answer & ~7u) == 0);
}

/* The slots as lmrec-chat writes them: one field, no raw TAB or LF. */
static void fuzz_slots_write(const struct lmrec_slotvocab *v, struct lmrec_slots *s)
{
	struct lmrec_out *o = lmrec_out_open_mem();
	lmrec_slots_write(o, v, s);
	FUZZ_ASSERT(!memchr(o->buf, '\t', o->len) && !memchr(o->buf, '\n', o->len));
	lmrec_out_abort(o);
}

static void fuzz_slots_dialog(const struct lmrec_slotvocab *v, const struct lmrec_slots *s)
{
	struct lmrec_dialog_params p;
	lmrec_dialog_defaults(&p);
	struct lmrec_dialog *d = lmrec_dialog_new(v, &p);
	lmrec_dialog_start(d, NULL);
	struct lmrec_rng rng;
	lmrec_rng_seed(&rng, 1);
	for (int round = 0; round < 2; round++) {
		lmrec_dialog_turn(d, s);
		fuzz_slots_check(v, &d->state);
		lmrec_dialog_rank(d);
		FUZZ_ASSERT(d->norder <= v->cat->n);
		for (size_t k = 0; k < d->norder; k++) {
			FUZZ_ASSERT(d->order[k] < v->cat->n && isfinite(d->score[d->order[k]]));
			FUZZ_ASSERT(k == 0 || d->score[d->order[k - 1]] >= d->score[d->order[k]]);
		}
		struct lmrec_question q;
		if (lmrec_dialog_ask(d, round ? LMREC_ASK_RANDOM : LMREC_ASK_INFOGAIN, &rng, &q)) {
			FUZZ_ASSERT(q.key >= 0 && (size_t)q.key <= v->nkeys && q.gain >= 0);
			FUZZ_ASSERT(q.nvalues <= LMREC_DIALOG_LIST);
		}
		char *text = lmrec_dialog_phrase(v, &q);
		FUZZ_ASSERT(q.key < 0 || text[0] != '\0');
		free(text);
		lmrec_dialog_show(d, 2);
	}
	lmrec_dialog_free(d);
}

static int lmrec_fuzz_slots(const uint8_t *data, size_t size)
{
	const struct lmrec_slotvocab *v = fuzz_slots_vocab();
	struct lmrec_slots_scratch sc = {0};
	struct lmrec_slots a = {0}, b = {0};
	lmrec_slots_parse(v, &sc, (const char *)data, size, -1, &a);
	fuzz_slots_check(v, &a);
	lmrec_slots_parse(v, &sc, (const char *)data, size, size ? (int64_t)(data[0] % (v->nkeys + 1)) : -1, &b);
	fuzz_slots_check(v, &b);
	lmrec_slots_parse(v, &sc, (const char *)data, size, -1, &b);
	FUZZ_ASSERT(a.n == b.n && a.slen == b.slen && a.nmention == b.nmention && a.answer == b.answer);
	for (size_t i = 0; i < a.n; i++) /* field by field: the struct has padding */
		FUZZ_ASSERT(a.s[i].kind == b.s[i].kind && a.s[i].pol == b.s[i].pol && a.s[i].src == b.s[i].src &&
			    a.s[i].id == b.s[i].id && a.s[i].weight == b.s[i].weight);
	FUZZ_ASSERT(a.slen == 0 || memcmp(a.scenario, b.scenario, a.slen) == 0);
	fuzz_slots_write(v, &a);
	fuzz_slots_dialog(v, &a);
	if (size && data[0] == '{') {
		json_error_t err;
		json_t *j = json_loadb((const char *)data, size, 0, &err);
		struct lmrec_llm_parse p;
		const char *why;
		if (j && json_is_object(j) && lmrec_llm_read_parse(j, &p, &why) == 0) {
			size_t unknown;
			lmrec_slots_from_llm(v, &p, &b, &unknown);
			FUZZ_ASSERT(unknown <= p.nslots + p.ndrop + 1);
			fuzz_slots_check(v, &b);
			fuzz_slots_write(v, &b);
			struct lmrec_slots_llm x = {0};
			lmrec_slots_to_llm(v, &b, &x);
			FUZZ_ASSERT(x.p.nslots <= b.n);
			json_t *r = lmrec_llm_parse_request("s", 1, "t", &x.p, NULL);
			FUZZ_ASSERT(json_is_object(r));
			json_decref(r);
			lmrec_slots_llm_free(&x);
			lmrec_llm_parse_free(&p);
			fuzz_slots_dialog(v, &b);
		}
		json_decref(j);
	}
	lmrec_slots_free(&a);
	lmrec_slots_free(&b);
	lmrec_slots_scratch_free(&sc);
	return 0;
}

#ifndef LMREC_FUZZ_REPLAY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return lmrec_fuzz_slots(data, size); }
#endif

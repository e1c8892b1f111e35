/* lmrec — slots: what a request of a conversation asks for, in the
 * catalog's own terms, and the parser that reads them out of free text.
 *
 * A slot is a category, a domain, or an attribute pair key=value (from the
 * items' attrs), with a polarity: wanted (+), not wanted (-), or "any"
 * (the user does not mind: key=*, category=*). The parser matches the
 * words of a request against a slot vocabulary learned from the catalog
 * (slotvocab.h) in three ways, tried in this order for each word:
 *
 *  1. exactly: the catalog's values, keys, categories and domains as words
 *     (underscores and hyphens as spaces: gluten_free is "gluten free"),
 *     phrases of up to four words, longest first, after normalisation
 *     (lmrec_slots_stem: case folded, accents stripped, simple plurals);
 *  2. scenario words: a word of the item texts whose attribute implications
 *     were learned from the items it occurs in ("kids" -> family=yes);
 *  3. subword vectors: a word the catalog never uses, or uses in fewer
 *     than 2 min_support items without implications, takes the slots of
 *     the nearest vocabulary word by cosine of character n-gram vectors,
 *     above a threshold ("feathery" -> "feather" -> weight=light).
 *
 * Scopes. A request is cut into clauses at punctuation and at the words
 * but, and, though, although, however, yet, so, plus, also, whereas, while,
 * instead (not before "of"). A negation cue (not, no, nothing, none, never,
 * without, avoid, neither, nor, hate, dislike, except, a word ending in
 * n't, "rather than", "instead of", "other than", "apart from", "anything
 * but", "free of") negates, in its clause, the first word after it that
 * can mean something and what "or" or "nor" joins to it ("no meat or
 * dairy"); the words after are read as they are; "X-free" and "X free"
 * negate X alone. A word released so names no category or domain ("no
 * hiking trails" -> -use=hiking, no wish for trails). A don't-care cue (forget,
 * ignore, regardless, never mind, don't mind, don't care, doesn't matter,
 * not important, not fussed, not bothered, no preference, no matter) makes
 * every slot of its clause "any"; any, whatever and either make the next
 * slot word within three words "any" ("any colour" -> color=*).
 *
 * A negated word is read, in order: as an exact value, negated; through
 * what the texts say after a negation ("not spicy" is how the catalog
 * describes spice=mild: the implication learned for the negated word);
 * through its positive implications, negated; by subword vectors, negated.
 * A yes/no key (values yes and no only, like waterproof) names its yes
 * value: "waterproof" -> waterproof=yes, and negated -> waterproof=no.
 *
 * Ambiguity. A word with several meanings keeps, in order: the exact
 * meanings whose surface form is its own ("lakes" -> region=lakes rather
 * than the category lake); in an answer, the values of the key asked;
 * the values of a key another word of its clause names, by the key ("low
 * price") or by the same value ("mid priced"); then the domain that the
 * request's words support most (each word votes for the domains its
 * meanings occur in, by their share of items; a category said outright
 * decides) removes the meanings foreign to it when it leads by half a vote
 * ("light" is weight=light among jackets, style=light among dishes). A
 * category word that qualifies another ("trail running shoes") or follows
 * a preposition while another word names a category ("sandals for the
 * beach") is not the category asked for. A category said outright
 * removes the categories of scenario and subword matches; a value said
 * outright the implied values of its key. Domain names only vote.
 *
 * Answers. A clause made only of yes words (yes, yeah, yep, sure, ...),
 * no words (no, nope, nah, "not really") or don't-care words (either,
 * whatever, any, "don't mind", ...) sets a flag that the dialogue uses to
 * resolve its last question (dialog.h).
 *
 * Bounds: only the first LMREC_SLOTS_MAX_BYTES bytes of a request and its
 * first LMREC_SLOTS_MAX_WORDS words are read, and words longer than
 * LMREC_SLOTS_MAX_SUBWORD bytes are never matched by subwords, so any
 * input, binary or huge, is parsed in bounded time and memory. */
#ifndef LMREC_SLOTS_H
#define LMREC_SLOTS_H

#include <stddef.h>
#include <stdint.h>

#include "llm.h"
#include "text.h"

#define LMREC_SLOTS_MAX_BYTES 65536
#define LMREC_SLOTS_MAX_WORDS 512
#define LMREC_SLOTS_MAX_SUBWORD 40

struct lmrec_slotvocab;
struct lmrec_out;

enum lmrec_slot_kind { LMREC_SLOT_PAIR, LMREC_SLOT_CATEGORY, LMREC_SLOT_DOMAIN, LMREC_SLOT_KEY };
enum lmrec_slot_pol { LMREC_POL_NEG = -1, LMREC_POL_ANY = 0, LMREC_POL_POS = 1 };
/* How a slot was found: the order of the parser's steps, then an answer
 * from outside (--llm-cmd). */
enum lmrec_slot_src { LMREC_SRC_EXACT, LMREC_SRC_SCENARIO, LMREC_SRC_SUBWORD, LMREC_SRC_EXTERNAL };

struct lmrec_slot {
	uint8_t kind;  /* enum lmrec_slot_kind; KEY only with LMREC_POL_ANY (key=*) */
	int8_t pol;    /* enum lmrec_slot_pol */
	uint8_t src;   /* enum lmrec_slot_src */
	uint32_t id;   /* pair, category, domain or key index of the vocabulary */
	float weight;  /* confidence in (0, 1]: 1 exact, the implication's
			* probability, the subword cosine */
};

/* Answer flags of a request. */
enum { LMREC_ANS_YES = 1, LMREC_ANS_NO = 2, LMREC_ANS_EITHER = 4 };

/* What one request says; also the accumulated state of a dialogue. A
 * zeroed struct is empty; lmrec_slots_free releases it. */
struct lmrec_slots {
	struct lmrec_slot *s; /* (n) */
	size_t n, cap;
	char *scenario;       /* (slen) the scenario words, ',' between them, NUL after */
	size_t slen, scap;
	uint32_t *mention;    /* (nmention) items the request names by title */
	size_t nmention, mcap;
	unsigned answer;      /* LMREC_ANS_* */
};

void lmrec_slots_free(struct lmrec_slots *s);
void lmrec_slots_clear(struct lmrec_slots *s);
void lmrec_slots_copy(struct lmrec_slots *dst, const struct lmrec_slots *src);
/* Adds a slot; one of the same kind and id is replaced (the later wins). */
void lmrec_slots_put(struct lmrec_slots *s, const struct lmrec_slot *x);
/* Appends a scenario word (ignored when already there). */
void lmrec_slots_add_scenario(struct lmrec_slots *s, const char *w, size_t len);
/* Sorts the slots into the output order: categories, domains, then pairs
 * and keys by key name and value name, then polarity (+, -, any). */
void lmrec_slots_sort(struct lmrec_slots *s, const struct lmrec_slotvocab *v);

/* Writes the slots as one field: "category=jackets;season=winter;
 * -weight=heavy;color=*;scenario=kids,rainy;mention=ITEM" (sorted first;
 * the items named by title last), nothing when there are none. */
void lmrec_slots_write(struct lmrec_out *o, const struct lmrec_slotvocab *v, struct lmrec_slots *s);

/* ---- how an item answers the slots ---- */

/* The wanted values of s, a key at a time: for each key with a wanted
 * (+) pair, the largest weight w of its wanted values, and +w when item i
 * has one of them, -conflict * w when i has only other values of the key,
 * 0 when i lacks the key. Returns the sum; *nkeys (when not NULL) gets the
 * number of keys. */
double lmrec_slots_pair_score(const struct lmrec_slotvocab *v, const struct lmrec_slots *s, uint32_t i,
			      double conflict, size_t *nkeys);
/* Whether item i has something s does not want: a negated pair, category
 * or domain. */
int lmrec_slots_unwanted(const struct lmrec_slotvocab *v, const struct lmrec_slots *s, uint32_t i);

/* ---- the words of a request ---- */

enum { LMREC_SW_WORD, LMREC_SW_PUNCT };

struct lmrec_sword {
	size_t stem, stemlen; /* normalised form: offset into buf, length */
	size_t surf, surflen; /* lower case, accents stripped, not stemmed */
	uint8_t kind;         /* LMREC_SW_WORD or LMREC_SW_PUNCT */
	uint8_t hyphen;       /* joined to the word before by a hyphen */
	uint8_t stop;         /* a function word ("the", "for", ...) */
};

/* A request cut into words. One per thread: it also holds the tokenizer's
 * scratch. A zeroed struct is empty; lmrec_swords_free releases it. */
struct lmrec_swords {
	struct lmrec_sword *w; /* (n) */
	size_t n, cap;
	char *buf;             /* (used) the forms, each followed by a NUL */
	size_t used, bufcap;
	struct lmrec_tokens tok; /* scratch */
};

void lmrec_swords_free(struct lmrec_swords *ws);
/* Cuts s[0..len) (decoded UTF-8; any bytes are safe) into words with the
 * tokenizer t (made by lmrec_slots_tokenizer), at most max words; stop:
 * the function words (by surface form), or NULL. A hyphen or a slash
 * between two words joins them (hyphen set on the second); other
 * punctuation is kept as LMREC_SW_PUNCT words. */
void lmrec_swords_split(struct lmrec_swords *ws, const struct lmrec_text *t, const struct lmrec_ids *stop,
			const char *s, size_t len, size_t max);
static inline const char *lmrec_sword_stem(const struct lmrec_swords *ws, size_t i, size_t *len)
{
	*len = ws->w[i].stemlen;
	return ws->buf + ws->w[i].stem;
}
static inline const char *lmrec_sword_surf(const struct lmrec_swords *ws, size_t i, size_t *len)
{
	*len = ws->w[i].surflen;
	return ws->buf + ws->w[i].surf;
}

/* The tokenizer the parser uses: case folded, accents stripped,
 * punctuation kept as tokens, numbers kept, no stop words. */
struct lmrec_text *lmrec_slots_tokenizer(void);

/* The normalised form of a lower-case word w[0..n) into out (room for n
 * bytes; returns its length): number words one to ten as digits; a few
 * irregular plurals (people -> person, children -> child, men, women,
 * feet, teeth, knives, wives); then, for words of four bytes or more,
 * "ies" -> "y", "sses" -> "ss", "ches" / "shes" / "xes" / "zes" lose
 * "es", and a final "s" goes unless the word ends in "ss", "us" or "is".
 * No other stemming: "hiking" and "hike" stay apart (subword vectors
 * bring them together). */
size_t lmrec_slots_stem(const char *w, size_t n, char *out);

/* ---- scopes ---- */

/* The polarity of each word of ws (enum lmrec_slot_pol, into mode (n)),
 * with the clause index of each word (clause (n)) and whether it is a cue
 * word that carries no slot itself (cue (n)), by the rules above; returns
 * the answer flags (LMREC_ANS_*). The slot vocabulary learns from item
 * texts with the same scopes. */
unsigned lmrec_slots_scope(const struct lmrec_swords *ws, int8_t *mode, uint32_t *clause,
			   unsigned char *cue);

/* ---- spans: the units the parser and the learner read ---- */

struct lmrec_span {
	size_t first, n;  /* words [first, first + n) */
	int64_t phrase;   /* an exact entry of the vocabulary, or -1: one content word */
	int8_t mode;      /* polarity; 2 or -2: "any" if it is the first slot after
			   * any / whatever / either, else 1 or -1 */
	uint32_t clause;
	uint8_t released; /* the parser read it positive: its clause's negation
			   * was taken by an earlier span */
	uint8_t own;      /* negated by its own "free" ("meat-free") */
};

/* The spans of ws after lmrec_slots_scope: exact entries, longest first
 * (one that needs a content word after it only before one), then every
 * other content word (not a function word, a cue or punctuation); "X free"
 * is X negated. Into *sp (grown as needed, *cap); key is scratch (grown,
 * *keycap). Returns the count. */
size_t lmrec_slots_spans(const struct lmrec_slotvocab *v, const struct lmrec_swords *ws, const int8_t *mode,
			 const uint32_t *clause, const unsigned char *cue, struct lmrec_span **sp, size_t *cap,
			 char **key, size_t *keycap);
/* The stems of words [first, first + n) of ws joined by ' ' into *key
 * (grown, *keycap); returns the length. */
size_t lmrec_slots_join(const struct lmrec_swords *ws, size_t first, size_t n, int surface, char **key,
			size_t *keycap);

/* ---- the parser ---- */

/* Scratch of the parser, one per thread; zeroed is empty. */
struct lmrec_slots_scratch {
	struct lmrec_swords ws;
	struct lmrec_text *tk;
	int8_t *mode;
	uint32_t *clause;
	unsigned char *cue, *used;
	size_t cap;
	struct lmrec_span *sp;         /* (nsp) */
	size_t nsp, spcap;
	struct lmrec_slots_cand *cand; /* (ncand) meanings of the spans */
	size_t ncand, ccap;
	char *key;                     /* (keycap) */
	size_t keycap;
	float *vec, *tmp;              /* (dim) */
	size_t vcap;
	char *dec;                     /* (dcap) */
	size_t dcap;
	double *votes;                 /* (domains) */
	size_t nvotes;
};
void lmrec_slots_scratch_free(struct lmrec_slots_scratch *sc);

/* Parses the request s[0..len) (decoded text) into out (cleared first).
 * key_hint: the key of the question being answered (its values win
 * ambiguities), or -1. Pure: depends only on v and the text. */
void lmrec_slots_parse(const struct lmrec_slotvocab *v, struct lmrec_slots_scratch *sc, const char *s,
		       size_t len, int64_t key_hint, struct lmrec_slots *out);

/* ---- an external parser (--llm-cmd, llm.h) ---- */

/* An external parser's answer to a parse request (lmrec_llm_read_parse)
 * as slots, into out (cleared): each key=value the catalog has (keys
 * "category" and "domain" name those; a reference key is left out; a
 * negated yes/no value is the other value, as the built-in parser reads
 * it: -waterproof=yes is waterproof=no), the dropped keys as key=*
 * ("drop": ["price"]; "category" drops the category), the category, and
 * the scenario's words. What the catalog does not have is left out and
 * counted in *unknown. Its slots weigh 1, like words read exactly. */
void lmrec_slots_from_llm(const struct lmrec_slotvocab *v, const struct lmrec_llm_parse *p, struct lmrec_slots *out,
			  size_t *unknown);

/* The slots of a conversation as the context of a parse request
 * (lmrec_llm_parse_request): the pairs wanted and not wanted, the first
 * wanted category as the category (the others as slots of key
 * "category"), the scenario words; key=* is left out (the protocol has no
 * "any"). The strings live in x until lmrec_slots_llm_free. */
struct lmrec_slots_llm {
	struct lmrec_llm_parse p;
	struct lmrec_llm_slot *slots;
	char **str;
	size_t nstr, cap;
};
void lmrec_slots_to_llm(const struct lmrec_slotvocab *v, const struct lmrec_slots *s, struct lmrec_slots_llm *x);
void lmrec_slots_llm_free(struct lmrec_slots_llm *x);

#endif

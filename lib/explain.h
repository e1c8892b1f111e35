/* lmrec — the explanation grammars: the contrib column of lmrec-recall
 * --contributions and the explain column of lmrec-rank --explain full
 * (both in lmrec-formats(5)), and the sharing of a row's score among the
 * history items and attributes that made it.
 *
 * Names inside them (item ids, channel names, attribute keys and values)
 * are percent-encoded: each byte of % , : ; = | * \ DEL and below 0x20 is
 * written %XX (two upper-case hex digits), every other byte as it is. So a
 * grammar field never holds a TAB, LF, CR or backslash (it needs no TSV
 * escape) and splits at its separators without ambiguity; an ordinary id
 * reads as itself.
 *
 * contrib = [ entry *( "," entry ) ]     entry = ID ":" NUMBER */
#ifndef LMREC_EXPLAIN_H
#define LMREC_EXPLAIN_H

#include <stddef.h>
#include <stdint.h>

struct lmrec_ids;
struct lmrec_out;

/* Writes the text p[0..len), given in its TSV-escaped form (as streams and
 * id dictionaries hold it), with its real bytes percent-encoded. */
void lmrec_explain_put_name(struct lmrec_out *o, const char *p, size_t len);
/* Writes the plain bytes p[0..len) percent-encoded. */
void lmrec_explain_put_text(struct lmrec_out *o, const char *p, size_t len);
/* Decodes the percent-encoded p[0..len) into its TSV-escaped form in dst
 * (room for 2 * len bytes): returns the length, or -1 when a '%' is not
 * followed by two hex digits or a reserved byte is not encoded. */
long lmrec_explain_decode(char *dst, const char *p, size_t len);

/* One entry of a contrib field: the id as it is in the field
 * (percent-encoded) and the number. */
struct lmrec_contrib_entry {
	const char *id;
	size_t idlen;
	double value;
};
/* Parses a contrib field into *e (grown as needed, *cap its capacity),
 * *n entries. Returns 0, or -1 with *why saying what is wrong. An empty
 * field has no entries. */
int lmrec_explain_parse_contrib(const char *p, size_t len, struct lmrec_contrib_entry **e, size_t *n,
				size_t *cap, const char **why);

/* One channel's part of a row's score: w_c f_c(i) from the channel's raw
 * score s_c(i), and the contributions a_ch of its history items (from the
 * contrib column: item indices and values). */
struct lmrec_explain_part {
	double weight, feature, score;
	const uint32_t *hist;
	const double *contrib;
	size_t nhist;
};
/* A history item's share of the row's score. */
struct lmrec_explain_share {
	uint32_t item;
	double share;
};
/* The share of each history item: the sum over the parts that list it of
 *
 *     w_c f_c(i) a_ch / |s_c(i)|
 *
 * (a part whose score is 0 shares nothing), into out (room for the sum of
 * the parts' nhist), ordered by share descending, then by the items' ids
 * (in items) in byte order. Returns the number of items. */
size_t lmrec_explain_shares(const struct lmrec_explain_part *p, size_t np, const struct lmrec_ids *items,
			    struct lmrec_explain_share *out);

/* A key=value pair of an item's attributes and the weight it gets. */
struct lmrec_explain_attr {
	const char *p; /* into the item's attrs */
	size_t len;
	double weight;
};
/* The attributes that matched: each distinct pair of attrs a (plain
 * "k=v;k=v", NULL for none) gets the sum of share[j] over the history
 * items j < n with share[j] > 0 whose attrs others[j] (NULL for none) hold
 * the same pair. Writes the pairs with a weight above 0 into out (room for
 * the pairs of a), by weight descending, then in a's order; returns their
 * number. */
size_t lmrec_explain_attrs(const char *a, const char *const *others, const double *share, size_t n,
			   struct lmrec_explain_attr *out);

#endif

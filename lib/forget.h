/* lmrec — forgetting users in a model file (lmrec-forget).
 *
 * A model keeps a user in its user-side sections only, all indexed by the
 * user's position in the "users" dictionary:
 *
 *   users          the ids (a string section)
 *   user_factors   one row each (als, bpr, align, semantic)
 *   seen_ptr/_idx/_val   the training interactions, one CSR row each
 *   seq_ptr/seq_item     the sasrec sequences, one run of items each
 *
 * lmrec_forget_model copies a model without some users' entries in those
 * sections, every other section (item-side parameters, params, items)
 * as it is. The item side still carries what the users' interactions
 * taught it, as an aggregate over every user; it loses that at the next
 * training that does not see the rows (lmrec-forget(1) says how the
 * nightly job makes sure of it). A model with a users dictionary and any
 * other section whose name starts with "user" is refused, so that a
 * section added later cannot keep a trace silently. */
#ifndef LMREC_FORGET_H
#define LMREC_FORGET_H

#include <stddef.h>

#include "model.h"

/* A copy of in without the users u with drop[u] != 0 (drop has one entry
 * per id of in's "users" section). The copy borrows in's unchanged
 * sections: write it, then free it, before freeing in. Returns NULL when
 * in has no "users" section (nothing user-side to forget). *rows gets
 * the count of interactions (seen entries) left out. Dies (65, naming
 * path) when a user-side section does not match the dictionary. */
struct lmrec_model *lmrec_forget_model(const struct lmrec_model *in, const char *path,
				       const unsigned char *drop, size_t *rows);

#endif

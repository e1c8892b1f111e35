/* lmrec — outputs published together: a tool's main output and the files
 * beside it (lmrec-ingest's output, its quarantine and its report) appear
 * all or none.
 *
 * Each file is written through an lmrec_out into a staging file in the
 * target's own folder (".staged-PID-N-NAME", so a ".gz" name still means
 * gzip); lmrec_outset_commit first completes every staging file (flush,
 * fsync), then flushes standard output and the devices or pipes (which are
 * written in place and cannot be staged), and only then renames the
 * staging files into place, in the order they were added. Until the
 * renames begin, any failure (a full disk, a write error, a die anywhere,
 * SIGINT or SIGTERM) removes the staging files and leaves every target as
 * it was. The renames themselves are not one step: a SIGKILL or a failed
 * rename between two of them publishes the first ones only, which is why
 * the caller adds its main output last. */
#ifndef LMREC_OUTSET_H
#define LMREC_OUTSET_H

#include "tsv.h"

struct lmrec_outset;

struct lmrec_outset *lmrec_outset_new(void);
/* A writer for path (NULL or "-": standard output). Dies (exit 1) when the
 * staging file cannot be made. */
struct lmrec_out *lmrec_outset_add(struct lmrec_outset *s, const char *path);
/* Completes and publishes every output as described above, and frees s;
 * dies (exit 1) on any failure. */
void lmrec_outset_commit(struct lmrec_outset *s);

#endif

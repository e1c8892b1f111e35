/* lmrec — the shared library every tool links (liblmrec.a).
 * One header per concept; this one includes them all. */
#ifndef LMREC_H
#define LMREC_H

#include "attrs.h"
#include "cli.h"
#include "colmap.h"
#include "datetime.h"
#include "ids.h"
#include "inter.h"
#include "metrics.h"
#include "model.h"
#include "rng.h"
#include "topk.h"
#include "tsv.h"
#include "utf8.h"
#include "util.h"
#include "vectors.h"

#endif

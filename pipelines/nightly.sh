#!/usr/bin/env bash
# The nightly job (SPEC.md §6): ingest, embed the items' content, split,
# train, evaluate behind a quality gate, refit on all the data, recommend
# every user, publish.
# Every stage keeps its files in the run's own folder and leaves a marker
# when it is done, so a run that failed or was killed resumes where it
# stopped; OUT/current moves only when a night is published.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LMREC_PIPELINE=nightly.sh
. "$here/lib.sh"
lmrec_tools_path "$here"

STAGES=(ingest embed split fit-valid weights fit-test evaluate fit-full recommend similar churn gate report publish)

usage() {
	cat <<'EOF'
Usage: nightly.sh [OPTION]...
Run the nightly recommendation job over a data folder and publish its table.

  --data DIR            interactions.tsv[.gz], items.tsv, users.tsv and
                        feedback.tsv
                        (default: the sample data)
  --out DIR             where runs are kept and published (default ./out)
  --date YYYY-MM-DD     the run's logical date (default: today, UTC unless
                        TZ says otherwise)
  --jobs N              parallel shards of the per-user stages (default: cores)
  --sshloginfile FILE   run the recommend stage's shards on these ssh hosts
                        (GNU Parallel sshlogins, one a line; --jobs jobs on
                        each); the models and the shards go there with
                        rsync, so a host needs only the tools at the same
                        paths, rsync and perl (lmrec(7), SCALING)
  --keep N              keep the last N runs (default 14)
  --anon-key FILE       replace the user ids with keyed pseudonyms
                        (lmrec-anon) before anything reads them, so no raw
                        id reaches a model or OUT; FILE must be mode 0600
  --config FILE         KEY=VALUE lines: any option above in capitals (DATA,
                        OUT, DATE, JOBS, SSHLOGINFILE, KEEP, ANON_KEY) and the
                        settings below; the command line wins
  --from-stage STAGE    redo STAGE and every later stage of this date's run
  --dry-run             print the stages and what each reads and writes
  -q, --quiet           no progress on standard error
  -h, --help            show this help

Settings (config file or environment): MODELS (channels, default
"popular itemknn ease als semantic aligned hybrid" when DATA has an
items.tsv, "popular itemknn ease als" otherwise), TOP (list length, 10),
POOL (candidates per channel, 100), SEED (1), MAX_BAD (bad input rows
skipped, 0), GATE_METRIC (ndcg), GATE_K (10), GATE_TOLERANCE (0: refuse
only when the whole confidence interval is below the last published
value), MMR (1: off), CATEGORY_CAP (0: off), VERB (liked), SIMILAR_TOP
(20), EXPLAIN (reason, the default, or full: the published table also
gets lmrec-rank's explain column, each row's score taken apart into the
channels' terms, the history items that weighed and the attributes that
matched; the reasons then name the history items that contributed
most), USER_GROUP (the column of DATA/users.tsv whose values are the user
groups of the metrics, default its second), EMBED (how the embed stage
makes the items' text vectors: tfidf, the default, subword, vec or bert),
EMBED_OPTS (KEY=VALUE options of lmrec-embed or lmrec-tokenize, e.g.
"dim=64" or "bert=DIR"), <MODEL>_OPTS (options of lmrec-train for one
model, e.g. EASE_OPTS="--lambda 500"; ALS_OPTS shape aligned's ALS too),
INCREMENTAL (1, the default: the sequence model and ALS continue the
published night's; 0: trained from scratch every night), INCREMENTAL_OPTS
(lmrec-train options of the sequence model's continuation, default
"--epochs 5 --patience 2 --replay 0.2"), INCREMENTAL_ALS_OPTS (ALS's,
after ALS_OPTS, default "--iters 3"), RETRAIN_EVERY (every how many nights
they start afresh, default 7; 0: never; work/lineage counts the nights
continued in a row), QUALITY (what ingest does with the rows its
data-quality checks flag, reported in quality.tsv: report, the default,
quarantine or weight; see lmrec-ingest(1)), FORGET_LIST and FORGET_KEY
(lmrec-forget's list of forgotten users and its key, default
OUT/forget.tsv and OUT/forget.key: when the list exists, their rows are
left out of every night, and a list changed since the published night
trains the sequence model from scratch), FEEDBACK_OPTS (options of
lmrec-feedback when DATA has a feedback.tsv, e.g. "--near-jaccard 0.9":
the pairs a user refused leave the training rows, the rest are
re-weighted, and the refused items and their near duplicates are never
recommended to that user), EXPLORE (0, the default, or the share of each
list that goes to items released in the last EXPLORE_DAYS days, default
3, before the night's date: lmrec-rank --explore), PROFILE_WEIGHT (the
long-term profiles' boost of the attributes a user likes in the published
lists, lmrec-rank --profile-weight; default 0, the refusals alone: over
the blended channels any boost cost NDCG@10 on the next week's new items,
3% at 0.05 and 18% at 0.2, tests/bench/profile-boost.sh) and
PROFILE_HALF_LIFE (the profile store's half-life in days, default 30; a
store kept with another is compacted to this one first), EVAL_USERS (0, the
default: every user with 3 rows or more holds its last two rows out for
the valid and test folds; N: only N of them, drawn with SEED,
lmrec-split --eval-users, and the others' rows all train: the weights and
evaluate stages, and the sequence model's early stopping, then score N
users instead of all, the metrics' intervals widening as one over the
square root of N).

Protected aggregates (off by default): MIN_SUPPORT (items and pairs of
fewer users are left out of similar-items.tsv.gz), DP_EPSILON (that table
released with differential privacy at this budget a night; needs
DATA/items.tsv), DP_MECHANISM (laplace, the default, or gaussian),
DP_DELTA (gaussian's delta, e.g. 1e-6), DP_MAX_PER_USER (items counted a
user) and DP_SEED (the noise's seed; default: drawn once a night and kept
in the run, so a resumed night repeats its noise). With either of
MIN_SUPPORT and DP_EPSILON the similar items come from the interactions'
counts (lmrec-similar --counts: item-kNN's cosine) and the run gets a
privacy.tsv, the release's parameters with its seed: keep the run folder as
private as the data. See lmrec-similar(1), PRIVACY.

MODELS: the collaborative popular, itemknn, ease, als, bpr; the sequence
model sasrec (trained once a night, incrementally after the first); the content
channels, which need DATA/items.tsv: semantic (a user the mean of the
history's item vectors), aligned (the items' words mapped onto ALS item
factors: reaches items nobody has touched yet), hybrid (EASE with the
items' words as side information). The content channels are in the
default: on the sample data they lift the evaluate stage's NDCG@10 from
0.107 to 0.118 (seed 1) and from 0.110 to 0.112 (seed 2), and the
published lists name 703 items instead of 451, for a run of 37-44 s
instead of 22-23 s on 2 cores. MODELS="popular itemknn ease als" is the
faster night.

Stages: ingest embed split fit-valid weights fit-test evaluate fit-full
recommend similar churn gate report publish. A refused night still gets
its report.
Exit status: 0 published, 1 failed, 2 usage, 3 refused by the gate, 65 bad
input data, 75 another run holds the lock.
EOF
	exit "${1:-0}"
}

# ---- settings ----
# A stage runs as "nightly.sh --internal-stage NAME" in a child process that
# inherits the settings through the environment; the top level starts clean.
if [ "${1:-}" != --internal-stage ]; then
	DATA= OUT= DATE= JOBS= SSHLOGINFILE= KEEP= FROM_STAGE= QUIET= ANON_KEY=
fi
CONFIG= DRY_RUN=
cli=()
while [ $# -gt 0 ]; do
	case "$1" in
	--data | --out | --date | --jobs | --sshloginfile | --keep | --config | --from-stage | --anon-key)
		[ $# -ge 2 ] || die "$1 needs a value" 2
		cli+=("$1" "$2")
		shift 2
		;;
	--dry-run) DRY_RUN=1; shift ;;
	-q | --quiet) QUIET=1; shift ;;
	-h | --help) usage 0 ;;
	--internal-stage) INTERNAL_STAGE="$2"; shift 2 ;;
	*) printf 'nightly.sh: unknown option %s\n' "$1" >&2; usage 2 >&2 ;;
	esac
done
for ((i = 0; i < ${#cli[@]}; i += 2)); do
	[ "${cli[i]}" = --config ] && CONFIG="${cli[i + 1]}"
done

KNOWN_KEYS=" DATA OUT DATE JOBS SSHLOGINFILE KEEP ANON_KEY QUALITY FORGET_LIST FORGET_KEY MIN_SUPPORT DP_EPSILON DP_MECHANISM DP_DELTA DP_MAX_PER_USER DP_SEED MODELS INCREMENTAL INCREMENTAL_OPTS INCREMENTAL_ALS_OPTS RETRAIN_EVERY SASREC_OPTS TOP POOL SEED MAX_BAD GATE_METRIC GATE_K GATE_TOLERANCE MMR CATEGORY_CAP VERB EXPLAIN SIMILAR_TOP USER_GROUP EMBED EMBED_OPTS POPULAR_OPTS ITEMKNN_OPTS EASE_OPTS ALS_OPTS BPR_OPTS SEMANTIC_OPTS ALIGNED_OPTS HYBRID_OPTS FEEDBACK_OPTS EXPLORE EXPLORE_DAYS PROFILE_WEIGHT PROFILE_HALF_LIFE EVAL_USERS "
# The config file is read, never sourced: only known keys, values as text.
if [ -n "$CONFIG" ]; then
	[ -r "$CONFIG" ] || die "$CONFIG: cannot read the config file" 2
	n=0
	while IFS= read -r line || [ -n "$line" ]; do
		n=$((n + 1))
		case "$line" in '' | '#'*) continue ;; esac
		key="${line%%=*}"
		value="${line#*=}"
		[ "$key" != "$line" ] || die "$CONFIG:$n: expected KEY=VALUE" 65
		case "$KNOWN_KEYS" in *" $key "*) ;; *) die "$CONFIG:$n: unknown key '$key'" 65 ;; esac
		value="${value#\"}"
		value="${value%\"}"
		printf -v "$key" '%s' "$value"
	done <"$CONFIG"
fi
for ((i = 0; i < ${#cli[@]}; i += 2)); do
	case "${cli[i]}" in
	--data) DATA="${cli[i + 1]}" ;;
	--out) OUT="${cli[i + 1]}" ;;
	--date) DATE="${cli[i + 1]}" ;;
	--jobs) JOBS="${cli[i + 1]}" ;;
	--sshloginfile) SSHLOGINFILE="${cli[i + 1]}" ;;
	--keep) KEEP="${cli[i + 1]}" ;;
	--from-stage) FROM_STAGE="${cli[i + 1]}" ;;
	--anon-key) ANON_KEY="${cli[i + 1]}" ;;
	esac
done
if [ -z "$DATA" ]; then
	if [ -d "$here/../sample-data" ]; then DATA="$here/../sample-data"; else DATA="$here/../sample-data"; fi
fi
OUT="${OUT:-./out}"
# a folder named like an option ("-x") goes on as "./-x"
no_dash DATA OUT SSHLOGINFILE
DATE="${DATE:-$(TZ="${TZ:-UTC}" date +%F)}"
JOBS="${JOBS:-$(nproc 2>/dev/null || echo 1)}"
KEEP="${KEEP:-14}"
TOP="${TOP:-10}" POOL="${POOL:-100}" SEED="${SEED:-1}" MAX_BAD="${MAX_BAD:-0}"
GATE_METRIC="${GATE_METRIC:-ndcg}" GATE_K="${GATE_K:-10}" GATE_TOLERANCE="${GATE_TOLERANCE:-0}"
MMR="${MMR:-1}" CATEGORY_CAP="${CATEGORY_CAP:-0}" VERB="${VERB:-liked}" SIMILAR_TOP="${SIMILAR_TOP:-20}"
EXPLAIN="${EXPLAIN:-reason}"
case "$EXPLAIN" in reason | full) ;; *) die "EXPLAIN: unknown mode '$EXPLAIN' (expected reason or full)" 2 ;; esac
USER_GROUP="${USER_GROUP:-}" EMBED="${EMBED:-tfidf}" EMBED_OPTS="${EMBED_OPTS:-}"
QUALITY="${QUALITY:-report}"
case "$QUALITY" in report | quarantine | weight) ;; *) die "QUALITY: unknown action '$QUALITY' (expected report, quarantine or weight)" 2 ;; esac
INCREMENTAL="${INCREMENTAL:-1}" INCREMENTAL_OPTS="${INCREMENTAL_OPTS:---epochs 5 --patience 2 --replay 0.2}"
INCREMENTAL_ALS_OPTS="${INCREMENTAL_ALS_OPTS:---iters 3}" RETRAIN_EVERY="${RETRAIN_EVERY:-7}"
FEEDBACK_OPTS="${FEEDBACK_OPTS:-}" EXPLORE="${EXPLORE:-0}" EXPLORE_DAYS="${EXPLORE_DAYS:-3}"
EVAL_USERS="${EVAL_USERS:-0}" PROFILE_WEIGHT="${PROFILE_WEIGHT:-0}" PROFILE_HALF_LIFE="${PROFILE_HALF_LIFE:-30}"

[[ "$DATE" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] || die "--date wants YYYY-MM-DD, not '$DATE'" 2
[[ "$JOBS" =~ ^[1-9][0-9]*$ ]] || die "--jobs wants a positive number, not '$JOBS'" 2
[[ "$KEEP" =~ ^[1-9][0-9]*$ ]] || die "--keep wants a positive number, not '$KEEP'" 2
[[ "$INCREMENTAL" =~ ^[01]$ ]] || die "INCREMENTAL wants 1 (continue yesterday's sequence model) or 0, not '$INCREMENTAL'" 2
[[ "$RETRAIN_EVERY" =~ ^[0-9]+$ ]] || die "RETRAIN_EVERY wants a count of nights (0: never), not '$RETRAIN_EVERY'" 2
[[ "$TOP$POOL$GATE_K$SIMILAR_TOP" =~ ^[0-9]+$ ]] || die "TOP, POOL, GATE_K and SIMILAR_TOP are numbers" 2
[[ "$EVAL_USERS" =~ ^(0|[1-9][0-9]{0,8})$ ]] || die "EVAL_USERS wants a count of users (0: every user), not '$EVAL_USERS'" 2
[[ "$PROFILE_WEIGHT" =~ ^([0-9]{1,6}(\.[0-9]*)?|\.[0-9]+)$ ]] || die "PROFILE_WEIGHT wants a number from 0 up, not '$PROFILE_WEIGHT'" 2
if ! [[ "$PROFILE_HALF_LIFE" =~ ^([0-9]{1,6}(\.[0-9]*)?|\.[0-9]+)$ ]] || ! awk -v h="$PROFILE_HALF_LIFE" 'BEGIN { exit !(h >= 0.001) }'; then
	die "PROFILE_HALF_LIFE wants a number of days (0.001 or more), not '$PROFILE_HALF_LIFE'" 2
fi
case "$EMBED" in tfidf | subword | vec | bert) ;; *) die "EMBED: unknown method '$EMBED' (expected tfidf, subword, vec or bert)" 2 ;; esac
for o in $EMBED_OPTS; do
	[[ "$o" == ?*=* ]] || die "EMBED_OPTS wants KEY=VALUE words, not '$o'" 2
done
[ "$EMBED" != bert ] || [[ " $EMBED_OPTS" == *" bert="?* ]] || die "EMBED=bert needs bert=DIR (a sentence-transformers folder) in EMBED_OPTS" 2
if [ -n "$FROM_STAGE" ]; then
	case " ${STAGES[*]} " in *" $FROM_STAGE "*) ;; *) die "--from-stage: unknown stage '$FROM_STAGE'" 2 ;; esac
fi
if [ -n "$SSHLOGINFILE" ]; then
	{ [ -f "$SSHLOGINFILE" ] && [ -r "$SSHLOGINFILE" ]; } || die "--sshloginfile: $SSHLOGINFILE: cannot read" 2
	grep -qv '^[[:space:]]*\(#.*\)\{0,1\}$' "$SSHLOGINFILE" || die "--sshloginfile: $SSHLOGINFILE: no host in it" 2
	# (GNU Parallel's ":", this machine, gets no files shipped)
	n=$(grep -n -m 1 '^[[:space:]]*\(@[^/]*/\)\{0,1\}\([0-9]*/\)\{0,1\}:[[:space:]]*$' "$SSHLOGINFILE" | cut -d: -f1) || true
	[ -z "$n" ] || die "--sshloginfile: $SSHLOGINFILE:$n: ':' (this machine) is not a host: list ssh logins only (--jobs sets the local jobs)" 2
	# (the recommend stage runs in the run's folder)
	SSHLOGINFILE=$(realpath -s -- "$SSHLOGINFILE")
fi
# The key is checked before anything runs, by the tool that will use it: a
# missing or refused key (open to group or others, too short) is a usage
# error of the run.
if [ -n "${ANON_KEY:-}" ]; then
	anon_err=$(lmrec-anon --key "$ANON_KEY" --id check 2>&1 >/dev/null) ||
		die "--anon-key: ${anon_err#lmrec-anon: }" 2
fi

# a data folder that cannot be entered is a fault of the machine, not
# missing data (every file in it would look absent)
[ ! -d "$DATA" ] || [ -x "$DATA" ] || die "$DATA: cannot enter the data folder: Permission denied" 1
INTER="$(data_file "$DATA" interactions.tsv)"
ITEMS="$(data_file "$DATA" items.tsv)"
USERS="$(data_file "$DATA" users.tsv)"
FEEDBACK="$(data_file "$DATA" feedback.tsv)"
[[ "$EXPLORE" =~ ^(0(\.[0-9]+)?|\.[0-9]+|1(\.0*)?)$ ]] || die "EXPLORE wants a share from 0 to 1, not '$EXPLORE'" 2
[[ "$EXPLORE_DAYS" =~ ^[1-9][0-9]{0,4}$ ]] || die "EXPLORE_DAYS wants a number of days, not '$EXPLORE_DAYS'" 2
[ "$EXPLORE" = 0 ] || [ -n "$ITEMS" ] || die "EXPLORE needs an items.tsv with a released column in $DATA" 2

# The protected aggregates (MIN_SUPPORT, DP_*): lmrec-similar's options,
# checked now by the tool itself on an empty stream, so a bad setting is a
# usage error before anything runs.
privacy_on() { [ -n "${DP_EPSILON:-}" ] || [ "${MIN_SUPPORT:-0}" != 0 ]; }
privacy_opts() {
	local o=()
	[ "${MIN_SUPPORT:-0}" = 0 ] || o+=(--min-support "$MIN_SUPPORT")
	[ -z "${DP_EPSILON:-}" ] || o+=(--dp-epsilon "$DP_EPSILON")
	[ -z "${DP_MECHANISM:-}" ] || o+=(--dp-mechanism "$DP_MECHANISM")
	[ -z "${DP_DELTA:-}" ] || o+=(--dp-delta "$DP_DELTA")
	[ -z "${DP_MAX_PER_USER:-}" ] || o+=(--dp-max-per-user "$DP_MAX_PER_USER")
	[ -z "${DP_SEED:-}" ] || o+=(-s "$DP_SEED")
	[ ${#o[@]} -eq 0 ] || printf '%s\n' "${o[@]}"
}
if privacy_on || [ -n "${DP_MECHANISM:-}${DP_DELTA:-}${DP_MAX_PER_USER:-}${DP_SEED:-}" ]; then
	mapfile -t popts < <(privacy_opts)
	dp_err=$(printf 'user\titem\tts\n' | lmrec-similar --counts -q ${ITEMS:+--items <(printf 'item\n')} \
		"${popts[@]}" -o /dev/null 2>&1 >/dev/null) || { dp_err="${dp_err%%$'\n'*}"; die "privacy settings: ${dp_err#lmrec-similar: }" 2; }
fi

# The default channels: the content ones too when there is an items.tsv.
# On the sample data (2 cores, --jobs 2) they lift the evaluate stage's
# NDCG@10 from 0.1071 to 0.1177 (seed 1) and from 0.1104 to 0.1125 (seed 2),
# and the lists name 703 items instead of 451 (seed 1), for a run of 37-44 s
# instead of 22-23 s: better lists for a nightly cost that is still small.
MODELS="${MODELS:-popular itemknn ease als${ITEMS:+ semantic aligned hybrid}}"
for m in $MODELS; do
	case "$m" in popular | itemknn | ease | als | bpr | sasrec | semantic | aligned | hybrid) ;; *) die "MODELS: unknown model '$m'" 2 ;; esac
done

# The content channels among MODELS; they need the items' words.
CONTENT=""
for m in $MODELS; do
	case "$m" in semantic | aligned | hybrid) CONTENT+="${CONTENT:+ }$m" ;; esac
done
[ -z "$CONTENT" ] || [ -n "$ITEMS" ] ||
	die "MODELS: the content channels ($CONTENT) need the items' words, and $DATA has no items.tsv" 2
# the text vectors: for semantic, and for aligned when they are not the
# TF-IDF of the same words it already learns from
need_vectors() {
	case " $MODELS " in *" semantic "*) return 0 ;; *" aligned "*) [ "$EMBED" != tfidf ] ;; *) return 1 ;; esac
}

OUT="$(mkdir -p -- "$OUT" && CDPATH='' cd -- "$OUT" && pwd)"
FORGET_LIST="${FORGET_LIST:-$OUT/forget.tsv}" FORGET_KEY="${FORGET_KEY:-$OUT/forget.key}"
# the forgotten users (lmrec-forget --list) stay out of every night
forgetting() { [ -f "$FORGET_LIST" ]; }
if forgetting; then
	forget_err=$(lmrec-anon --key "$FORGET_KEY" --id check 2>&1 >/dev/null) ||
		die "FORGET_KEY: ${forget_err#lmrec-anon: }" 2
fi
RUN="$OUT/runs/$DATE"
WORK="$RUN/work"
LOG="$RUN/log"
PREV=""
[ -e "$OUT/current/metrics.tsv" ] && PREV="$(cd "$OUT/current" && pwd -P)"
[ "$PREV" != "$RUN" ] || PREV="" # a rerun of the published night compares with nothing newer

# Incremental nights. The published night's sasrec and als go on over
# tonight's data (INCREMENTAL=1) unless its models learnt from users
# forgotten since (the forget list's checksum differs: lmrec-forget
# rewrites the models after it) or they have been continued
# RETRAIN_EVERY - 1 nights in a row: a chain of continued nights stays
# close to the network it started from (tests/bench/RESULTS.md, the
# day-by-day replay), so every RETRAIN_EVERY-th night starts afresh.
# work/lineage: how many nights in a row this night's models continue
# (0: trained from scratch). continuing prints why not, when not.
prev_lineage() { local n; n=$(cat "$PREV/work/lineage" 2>/dev/null) && [[ "$n" =~ ^[0-9]+$ ]] && echo "$n" || echo 0; }
continuing() {
	[ "$INCREMENTAL" = 1 ] && [ -n "$PREV" ] || return 1
	if forgetting && [ "$(cat "$RUN/forget-state")" != "$(cat "$PREV/forget-state" 2>/dev/null)" ]; then
		echo "from scratch: $FORGET_LIST has changed since the published night"
		return 1
	fi
	if [ "$RETRAIN_EVERY" -gt 0 ] && [ $(($(prev_lineage) + 1)) -ge "$RETRAIN_EVERY" ]; then
		echo "from scratch: the published night's models continued $(prev_lineage) nights in a row (RETRAIN_EVERY=$RETRAIN_EVERY)"
		return 1
	fi
}

# What each stage reads and writes (for --dry-run and the logs).
stage_io() {
	case "$1" in
	ingest) echo "reads $INTER${ITEMS:+ $ITEMS}${FEEDBACK:+ $FEEDBACK}; writes work/ingested.tsv.gz work/interactions.tsv.gz${ITEMS:+ work/items.tsv OUT/profile.lmp}${FEEDBACK:+ work/blocked.tsv} quality.tsv$([ "$QUALITY" = quarantine ] && echo " work/quarantine.tsv.gz")${ANON_KEY:+ (user ids pseudonymised under $ANON_KEY)}$(forgetting && echo " (without the users on $FORGET_LIST)")" ;;
	embed)
		if [ -z "$CONTENT" ]; then
			echo "no content model among MODELS: writes nothing"
		else
			echo "reads work/items.tsv; writes work/tokens.tsv$(need_vectors && echo " work/vectors.tsv ($EMBED)") for $CONTENT"
		fi
		;;
	split) echo "reads work/interactions.tsv.gz; writes work/folds.tsv.gz (leave-last-out$([ "$EVAL_USERS" = 0 ] || echo " for $EVAL_USERS users"))" ;;
	fit-valid)
		# shellcheck disable=SC2086 # MODELS: words, one space between
		echo "reads work/folds.tsv.gz; writes work/valid/{$(echo $MODELS | tr ' ' ,)}.lmrc (train fold)"
		;;
	weights) echo "reads work/valid/*.lmrc, work/folds.tsv.gz; writes work/weights.tsv (learned on the valid fold)" ;;
	fit-test) echo "reads work/folds.tsv.gz; writes work/test/*.lmrc (train and valid folds)" ;;
	evaluate) echo "reads work/test/*.lmrc, work/weights.tsv, work/folds.tsv.gz; writes metrics.tsv (test fold, 95% intervals)" ;;
	fit-full) echo "reads work/interactions.tsv.gz; writes work/full/*.lmrc (every interaction)" ;;
	recommend) echo "reads work/full/*.lmrc, work/weights.tsv${ITEMS:+, OUT/profile.lmp (the refusals$(awk -v w="$PROFILE_WEIGHT" 'BEGIN { exit !(w > 0) }' && echo ", and boosts of up to $PROFILE_WEIGHT of the best score"))}; writes recommendations.tsv.gz ($((JOBS * 2)) shards${SSHLOGINFILE:+ on the hosts of $SSHLOGINFILE}$([ "$EXPLAIN" = full ] && echo ", with the explain column"))" ;;
	similar)
		if privacy_on; then
			local how=""
			[ "${MIN_SUPPORT:-0}" = 0 ] || how+=" (support >= $MIN_SUPPORT)"
			[ -z "${DP_EPSILON:-}" ] || how+=" (differential privacy, epsilon $DP_EPSILON)"
			echo "reads work/interactions.tsv.gz${ITEMS:+, work/items.tsv}; writes similar-items.tsv.gz from the counts$how, privacy.tsv"
		else
			echo "reads work/full/itemknn.lmrc or the first other model (semantic when no collaborative one); writes similar-items.tsv.gz"
		fi
		;;
	churn) echo "reads recommendations.tsv.gz${PREV:+ and $PREV/recommendations.tsv.gz}; writes churn.tsv" ;;
	gate) echo "reads metrics.tsv${PREV:+ and $PREV/metrics.tsv}; writes gate.tsv" ;;
	report) echo "reads the run folder and $OUT/history.tsv; writes report.html" ;;
	publish) echo "writes audit.tsv (what made the night), $OUT/history.tsv, $OUT/current -> runs/$DATE; keeps the last $KEEP runs" ;;
	esac
}

if [ -n "$DRY_RUN" ]; then
	echo "nightly.sh: run $DATE of $DATA into $RUN"
	for s in "${STAGES[@]}"; do
		done_mark=""
		[ -e "$WORK/.done-$s" ] && done_mark=" (done)"
		printf '%-10s %s%s\n' "$s" "$(stage_io "$s")" "$done_mark"
	done
	exit 0
fi

# ---- the stages ----

models_args() { # DIR: -m NAME=DIR/NAME.lmrc for each model, NUL-ended words
	local m
	for m in $MODELS; do printf -- '-m\0%s=%s/%s.lmrc\0' "$m" "$1" "$m"; done
}

# into FILE CMD...: CMD's output becomes FILE whole, through a temporary
# file beside it, so that a reader never sees it half-written (not even a
# rerun beside a stage that a job killed with SIGKILL left running)
into() {
	local f="$1" t rc=0
	shift
	t=$(mktemp "${f%/*}/.${f##*/}.tmp.XXXXXX")
	"$@" >"$t" || rc=$?
	if [ "$rc" -ne 0 ]; then rm -f "$t"; return "$rc"; fi
	mv -f "$t" "$f"
}

# train_all FOLDS DIR INPUT: DIR/<MODEL>.lmrc for each model; aligned maps
# the words onto the item factors of DIR/als.lmrc, trained once (ALS_OPTS)
# whether or not als is among MODELS
train_all() {
	local m opts als_done="" vec=()
	mkdir -p "$2"
	need_vectors && vec=(--vectors vectors.tsv) # (relative to work/: aligned's)
	for m in $MODELS; do
		opts="${m^^}_OPTS"
		case "$m" in
		semantic)
			# shellcheck disable=SC2086
			lmrec-train --model semantic --vectors "$WORK/vectors.tsv" --folds "$1" ${!opts:-} \
				-o "$2/$m.lmrc" "$3"
			;;
		aligned)
			[ -n "$als_done" ] || train_one als "$@"
			als_done=1
			# from work/, by relative names: the model records where its
			# inputs came from, and the same night in another OUT (a
			# reproduction) must give the same bytes
			# shellcheck disable=SC2086
			(cd "$WORK" && lmrec-train --model align --tokens tokens.tsv "${vec[@]}" \
				--factors-from "${2#"$WORK"/}/als.lmrc" -s "$SEED" -j "$JOBS" ${!opts:-} -o "${2#"$WORK"/}/$m.lmrc")
			;;
		hybrid)
			# shellcheck disable=SC2086
			lmrec-train --model ease --tokens "$WORK/tokens.tsv" --folds "$1" -j "$JOBS" ${!opts:-} \
				-o "$2/$m.lmrc" "$3"
			;;
		als)
			[ -n "$als_done" ] || train_one als "$@"
			als_done=1
			;;
		sasrec) train_sasrec "$@" ;;
		*) train_one "$m" "$@" ;;
		esac
	done
}

# SASRec trains once a night, on the train fold, stopped early on the valid
# fold (whose rows stay out of the sequences the weights are learned on);
# the test and full models are that network with the valid, then every,
# row in the sequences it reads. Incremental (INCREMENTAL=1, the default,
# and a published night with a SASRec model): yesterday's network goes on
# for a few epochs (INCREMENTAL_OPTS) over the users with new rows and a
# replay sample of the others, and is kept when no epoch beats it on the
# valid fold.
train_sasrec() { # FOLDS DIR INPUT
	local opts=() init="${PREV:+$PREV/work/valid/sasrec.lmrc}" why
	# shellcheck disable=SC2206 # options, word-split on purpose
	opts=(${SASREC_OPTS:-})
	case "$1" in
	train)
		if ! why=$(continuing); then
			[ -z "$why" ] || [ ! -e "$init" ] || echo "sasrec: $why"
		elif [ -e "$init" ]; then
			echo "sasrec: continuing $init"
			# shellcheck disable=SC2206
			opts+=(--init "$init" --since init $INCREMENTAL_OPTS)
		fi
		lmrec-train --model sasrec --folds train --valid-out -s "$SEED" -j "$JOBS" "${opts[@]}" \
			-o "$2/sasrec.lmrc" "$3"
		;;
	*)
		# all: the split's rows (one per user and item, as trained on)
		# rather than every event
		lmrec-train --model sasrec --folds "$1" --init "$WORK/valid/sasrec.lmrc" --epochs 0 -s "$SEED" \
			-j "$JOBS" -o "$2/sasrec.lmrc" "$WORK/folds.tsv.gz"
		;;
	esac
}

# als continues the published night's model of the same folds (a warm
# start: INCREMENTAL_ALS_OPTS, after ALS_OPTS) when continuing says so
train_one() { # MODEL FOLDS DIR INPUT
	local optvar="${1^^}_OPTS" init=() why prev="${PREV:+$PREV/work/${3##*/}/$1.lmrc}"
	if [ "$1" = als ] && [ -n "$prev" ] && [ -e "$prev" ]; then
		if why=$(continuing); then
			echo "als: continuing $prev"
			# shellcheck disable=SC2206
			init=(--init "$prev" $INCREMENTAL_ALS_OPTS)
		else
			[ -z "$why" ] || echo "als: $why"
		fi
	fi
	# shellcheck disable=SC2086
	lmrec-train --model "$1" --folds "$2" -s "$SEED" -j "$JOBS" ${!optvar:-} "${init[@]}" -o "$3/$1.lmrc" "$4"
}

test_users() { # FOLD: users with a row of that fold, as a users stream
	gzip -dc "$WORK/folds.tsv.gz" | awk -F'\t' -v want="$1" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == "fold") f = i; print "user"; next }
		$f == want && !seen[$1]++ { print $1 }'
}

fold_rows() { # FOLD: the rows of that fold, header kept
	gzip -dc "$WORK/folds.tsv.gz" | awk -F'\t' -v want="$1" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == "fold") f = i; print; next }
		$f == want'
}

rank_opts() { # WORKDIR [published]: lmrec-rank's options, NUL-ended words
	local o=(--weights "$1/weights.tsv" -n "$TOP" --verb "$VERB" --mmr "$MMR")
	[ -z "$ITEMS" ] || o+=(--items "$1/items.tsv")
	[ "$CATEGORY_CAP" = 0 ] || o+=(--category-cap "$CATEGORY_CAP")
	[ "${2:-}" != published ] || [ "$EXPLAIN" != full ] || o+=(--explain full)
	[ ! -f "$WORK/blocked.tsv" ] || o+=(--exclude "$1/blocked.tsv")
	[ "$EXPLORE" = 0 ] || o+=(--explore "$EXPLORE" --new-days "$EXPLORE_DAYS" --now "$DATE")
	# the long-term profiles only in the published lists: the store folds
	# every row of tonight's, the test fold's too, so the evaluate stage's
	# lists must not read it
	[ "${2:-}" != published ] || [ ! -f "$1/profiles.tsv" ] || o+=(--profiles "$1/profiles.tsv" --profile-weight "$PROFILE_WEIGHT")
	printf '%s\0' "${o[@]}"
}

# ingest_file OUTPUT INPUT [OPTION...]: lmrec-ingest OPTION... of INPUT,
# without the rows of the users on the forget list (FORGET_LIST), who stay
# out whatever an export brings back, and with its user ids pseudonymised
# (ANON_KEY), so that no raw id is read by any stage, nor quoted by
# ingest's messages in the logs. Then the input is read as a TSV stream
# with a header. OUTPUT is renamed into place when every tool succeeded.
ingest_file() {
	local out="$1" in="$2" tmp
	shift 2
	if [ -z "${ANON_KEY:-}" ] && ! forgetting; then
		lmrec-ingest "$@" -o "$out" "$in"
		return
	fi
	# (the output's name at the end: lmrec-ingest compresses a .gz name)
	tmp=$(mktemp --suffix=".${out##*/}" "${out%/*}/.ingest.tmp.XXXXXX")
	local reader=(cat -- "$in")
	forgetting && reader=(lmrec-forget --filter --list "$FORGET_LIST" --key "$FORGET_KEY" -- "$in")
	local rc=0
	if [ -n "${ANON_KEY:-}" ]; then
		"${reader[@]}" | lmrec-anon --key "$ANON_KEY" - | lmrec-ingest "$@" -o "$tmp" - || rc=$?
	else
		"${reader[@]}" | lmrec-ingest "$@" -o "$tmp" - || rc=$?
	fi
	if [ "$rc" -ne 0 ]; then rm -f "$tmp"; return "$rc"; fi
	mv -f "$tmp" "$out"
}

stage_ingest() {
	[ -n "$INTER" ] || die "$DATA: no interactions.tsv or interactions.tsv.gz" 65
	local quality=(--quality-report "$RUN/quality.tsv")
	case "$QUALITY" in
	quarantine) quality+=(--quarantine "$WORK/quarantine.tsv.gz") ;;
	weight) quality+=(--flag-weight) ;;
	esac
	# The rows as ingested keep their own name, and work/interactions.tsv.gz
	# is made from them: no file of the stage is rewritten in place, so a
	# rerun beside a killed job's orphaned stage reads what it expects.
	ingest_file "$WORK/ingested.tsv.gz" "$INTER" --max-bad "$MAX_BAD" "${quality[@]}"
	# the forget list this night read: a later one that differs retrains
	# the sequence model (train_sasrec)
	rm -f "$RUN/forget-state"
	! forgetting || sha256sum <"$FORGET_LIST" | cut -d' ' -f1 >"$RUN/forget-state"
	[ -z "$ITEMS" ] || lmrec-ingest --kind items --max-bad "$MAX_BAD" -o "$WORK/items.tsv" "$ITEMS"
	rm -f "$WORK/blocked.tsv"
	# the feedback, checked as it was given (messages name its own lines),
	# then read without the forgotten users and under the pseudonyms, like
	# the interactions
	local feedback="$FEEDBACK"
	if [ -n "$FEEDBACK" ]; then
		lmrec-feedback -q --blocked /dev/null -- "$FEEDBACK"
		if [ -n "${ANON_KEY:-}" ] || forgetting; then
			feedback="$WORK/feedback.tsv.gz"
			private_copy "$feedback" "$FEEDBACK"
		fi
	fi
	[ -z "$ITEMS" ] || update_profiles "$feedback"
	# the users to recommend to: every user with a row, including those
	# whose every row the feedback takes away (they get what a new user
	# gets, less what they refused)
	into "$WORK/acting-users.tsv" users_of_rows "$WORK/ingested.tsv.gz"
	if [ -n "$FEEDBACK" ]; then
		fold_feedback "$feedback"
	else
		same_rows "$WORK/interactions.tsv.gz" "$WORK/ingested.tsv.gz"
	fi
}

# same_rows OUTPUT INPUT: OUTPUT becomes INPUT's rows, by a hard link where
# the file system has them, renamed into place.
same_rows() {
	local tmp
	tmp=$(mktemp "${1%/*}/.rows.tmp.XXXXXX")
	ln -f -- "$2" "$tmp" 2>/dev/null || cp -- "$2" "$tmp" || { rm -f "$tmp"; return 1; }
	mv -f "$tmp" "$1"
}

# users_of_rows FILE.gz: the distinct users of an interactions stream, as
# a stream with a user column (so that lmrec-forget cleans it).
users_of_rows() {
	echo user
	gzip -dc "$1" | tail -n +2 | cut -f1 | LC_ALL=C sort -u
}

# update_profiles [FEEDBACK]: the long-term memory (lmrec-profile,
# OUT/profile.lmp) folds tonight's interactions and feedback as ingested,
# with time decay. Rows it folded on an earlier night or an earlier attempt
# are skipped, so a rerun counts nothing twice. The store as the night
# found it is kept in work/profile-start.lmp (audit kind state), so that
# reproduce.sh starts its night from the same store.
update_profiles() {
	local with=()
	[ -z "${1:-}" ] || with=(--feedback "$1")
	rm -f "$WORK/profile-start.lmp"
	[ ! -f "$OUT/profile.lmp" ] || into "$WORK/profile-start.lmp" cat -- "$OUT/profile.lmp"
	# a store kept with another half-life is compacted to PROFILE_HALF_LIFE
	# (its only way to change), under the store's own lock
	if [ -f "$OUT/profile.lmp" ]; then
		local h
		h=$(lmrec-profile --store "$OUT/profile.lmp" --check | awk -F'\t' '$1 == "half_life" { print $2 }')
		awk -v a="$h" -v b="$PROFILE_HALF_LIFE" 'BEGIN { exit !(a + 0 == b + 0) }' ||
			lmrec-profile -q --store "$OUT/profile.lmp" --compact --half-life "$PROFILE_HALF_LIFE" --wait 600
	fi
	lmrec-profile --store "$OUT/profile.lmp" --update --items "$WORK/items.tsv" --date "$DATE" \
		--half-life "$PROFILE_HALF_LIFE" --wait 600 "${with[@]}" "$WORK/ingested.tsv.gz"
}

# fold_feedback FEEDBACK: the feedback (lmrec-feedback) into the night. The
# pairs a user refused leave the interactions that every model trains on
# and the rest are re-weighted (models that read weights use them); the
# refused items and their near duplicates go to work/blocked.tsv, the
# per-user deny-list of every lmrec-rank.
fold_feedback() {
	local opts=()
	# shellcheck disable=SC2206 # options as words
	opts=($FEEDBACK_OPTS)
	[ -z "$ITEMS" ] || opts+=(--items "$WORK/items.tsv")
	lmrec-feedback "${opts[@]}" --interactions "$WORK/ingested.tsv.gz" -o "$WORK/interactions.tsv.gz" \
		--blocked "$WORK/blocked.tsv" -- "$1"
}

# private_copy OUTPUT INPUT: a TSV stream without the rows of the users on
# the forget list and with pseudonymised user ids (as ingest_file does),
# gzip-compressed, renamed into place when every tool succeeded.
private_copy() {
	local out="$1" in="$2" tmp rc=0
	tmp=$(mktemp "${out%/*}/.private.tmp.XXXXXX")
	local reader=(gzip -dcf -- "$in")
	forgetting && reader=(lmrec-forget --filter --list "$FORGET_LIST" --key "$FORGET_KEY" -- "$in")
	if [ -n "${ANON_KEY:-}" ]; then
		"${reader[@]}" | lmrec-anon --key "$ANON_KEY" - | gzip -6 >"$tmp" || rc=$?
	else
		"${reader[@]}" | gzip -6 >"$tmp" || rc=$?
	fi
	if [ "$rc" -ne 0 ]; then rm -f "$tmp"; return "$rc"; fi
	mv -f "$tmp" "$out"
}

# The items' words, and their text vectors when a model needs them, for
# the content channels; nothing without one.
stage_embed() {
	if [ -z "$CONTENT" ]; then
		echo "no content model among MODELS: nothing to embed"
		return 0
	fi
	# content_options and content_vectors (lib.sh) read these
	# shellcheck disable=SC2034
	local embed="$EMBED" seed="$SEED" threads="$JOBS" embed_sets=() tok_opts emb_opts bert_dir
	# shellcheck disable=SC2206 # KEY=VALUE words
	embed_sets=($EMBED_OPTS)
	content_options
	# a rerun redoes them: the settings may have changed
	rm -f "$WORK/tokens.tsv" "$WORK/vectors.tsv"
	content_tokens "$WORK/items.tsv" "$WORK/tokens.tsv"
	if need_vectors; then
		content_vectors "$WORK/items.tsv" "$WORK/tokens.tsv" "$WORK/vectors.tsv"
	fi
	echo "the words of $(($(wc -l <"$WORK/tokens.tsv") - 1)) items$(need_vectors && echo ", their $EMBED vectors"), for $CONTENT"
}

stage_split() {
	local sample=()
	[ "$EVAL_USERS" = 0 ] || sample=(--eval-users "$EVAL_USERS")
	lmrec-split -s "$SEED" "${sample[@]}" -o "$WORK/folds.tsv.gz" "$WORK/interactions.tsv.gz"
}

stage_fit_valid() {
	train_all train "$WORK/valid" "$WORK/folds.tsv.gz"
	if continuing >/dev/null; then echo $(($(prev_lineage) + 1)); else echo 0; fi >"$WORK/lineage"
}
stage_fit_test() { train_all train,valid "$WORK/test" "$WORK/folds.tsv.gz"; }
stage_fit_full() { train_all all "$WORK/full" "$WORK/interactions.tsv.gz"; }

stage_weights() {
	into "$WORK/valid-users.tsv" test_users valid
	into "$WORK/valid.tsv" fold_rows valid
	mapfile -d '' -t margs < <(models_args "$WORK/valid")
	lmrec-recall "${margs[@]}" -n "$POOL" -j "$JOBS" --users "$WORK/valid-users.tsv" \
		-o "$WORK/valid-candidates.tsv.gz"
	lmrec-rank --learn "$WORK/valid.tsv" --learn-k "$GATE_K" --save-weights "$WORK/weights.tsv" \
		-n "$TOP" -o /dev/null "$WORK/valid-candidates.tsv.gz"
}

stage_evaluate() {
	into "$WORK/test-users.tsv" test_users test
	mapfile -d '' -t margs < <(models_args "$WORK/test")
	mapfile -d '' -t ropts < <(rank_opts "$WORK")
	lmrec-recall "${margs[@]}" -n "$POOL" -j "$JOBS" --users "$WORK/test-users.tsv" \
		-o "$WORK/test-candidates.tsv.gz"
	lmrec-rank "${ropts[@]}" -o "$WORK/test-recs.tsv" "$WORK/test-candidates.tsv.gz"
	local item_opt=() group_opt=()
	[ -z "$ITEMS" ] || item_opt=(--items "$WORK/items.tsv")
	# user groups: a column of the users stream (USER_GROUP, default its
	# second) names each user's segment
	if [ -n "$USERS" ]; then
		ingest_file "$WORK/users.tsv" "$USERS" -q --kind users --max-bad "$MAX_BAD"
		# shellcheck disable=SC2016 # an awk program
		into "$WORK/segments.tsv" awk -F'\t' -v want="$USER_GROUP" '
			NR == 1 { for (i = 2; i <= NF; i++) if ($i == want || (want == "" && i == 2)) c = i
				  print "user\tsegment"; name = $c; next }
			c && $c != "" { print $1 "\t" name "=" $c }' "$WORK/users.tsv"
		group_opt=(--segment-file "$WORK/segments.tsv")
	fi
	lmrec-eval -t "$WORK/folds.tsv.gz" --k "5,$GATE_K,20" --ci 0.95 -s "$SEED" --cold-items \
		--activity 5,20 "${group_opt[@]}" "${item_opt[@]}" -o "$RUN/metrics.tsv" "$WORK/test-recs.tsv"
}

# remote_clean: the recommend stage's folder on every host, whatever a
# failed or stopped job left there (the models among it)
remote_clean() {
	[ -n "${remote_wd:-}" ] || return 0
	parallel --will-cite --nonall --sshloginfile "$SSHLOGINFILE" rm -rf -- "$remote_wd" 2>/dev/null || true
}

# Every user, in byte order, cut into shards that GNU Parallel runs.
# The shards live in a folder of their own, removed on the way out; the
# jobs run in work/ and name their files relative to it, so that no path
# of the run (OUT may hold spaces or newlines) is in the commands GNU
# Parallel hands to a shell.
stage_recommend() {
	cd "$WORK"
	# (globals of this stage's process: the EXIT trap reads them)
	shards=$(mktemp -d .shards.tmp.XXXXXX) rec_tmp="" remote_wd=""
	# shellcheck disable=SC2016 # expanded when the trap runs
	trap 'rm -rf -- "$WORK/${shards:-.none}" "${rec_tmp:-}"; remote_clean' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	if [ -f acting-users.tsv ]; then
		tail -n +2 acting-users.tsv >"$shards/users"
	else
		users_of_rows interactions.tsv.gz | tail -n +2 >"$shards/users"
	fi
	local n
	n=$(wc -l <"$shards/users")
	local pieces=$((JOBS * 2))
	[ "$n" -ge "$pieces" ] || pieces=1
	split -d -a 4 -n "l/$pieces" "$shards/users" "$shards/u."
	for f in "$shards"/u.[0-9]*; do
		{ echo user; cat "$f"; } >"$f.tsv"
		rm -f "$f"
	done
	mapfile -d '' -t margs < <(models_args full)
	# the long-term memory as of tonight (updated at ingest), for lmrec-rank
	rm -f "$WORK/profiles.tsv"
	[ -z "$ITEMS" ] || [ ! -f "$OUT/profile.lmp" ] ||
		into "$WORK/profiles.tsv" lmrec-profile --store "$OUT/profile.lmp" --show --date "$DATE"
	mapfile -d '' -t ropts < <(rank_opts . published)
	# (the history items behind each score, for the explain column)
	[ "$EXPLAIN" != full ] || margs+=(--contributions 5)
	local par=(--will-cite --halt 'now,fail=1' -j "$JOBS") w
	export OPENBLAS_NUM_THREADS=1 PATH
	if [ -n "$SSHLOGINFILE" ]; then
		# Over ssh the hosts share nothing with this one but the tools,
		# at the same paths (PATH goes along). Each gets the models and
		# rank's files once (linked into one folder: one transfer), in a
		# folder of its own under its login folder, then a shard a job,
		# and sends the shard's lists back. Every name is relative: to
		# work/ here, to that folder there.
		remote_wd=".lmrec-recommend.${shards##*.}"
		for w in "${margs[@]}" "${ropts[@]}"; do
			case "$w" in *=full/*.lmrc) w="${w#*=}" ;; ./*) w="${w#./}" ;; *) continue ;; esac
			mkdir -p "$shards/base/full"
			ln -- "$w" "$shards/base/$w" 2>/dev/null || cp -- "$w" "$shards/base/$w"
		done
		par+=(--sshloginfile "$SSHLOGINFILE" --workdir "$remote_wd" --basefile "$shards/base/./"
			--transferfile {} --return "{.}.recs.tsv" --env PATH --env OPENBLAS_NUM_THREADS
			--joblog "$LOG/recommend.joblog")
	fi
	# (a file between recall and rank, not a pipe: when recall fails, the
	# complaint of rank about its empty input would come last, and the
	# line that says why the night failed would name the wrong program;
	# a failed shard leaves an empty list, so that fetching it back from
	# a host does not complain after the program that said why)
	printf '%s\n' "$shards"/u.*.tsv | parallel "${par[@]}" \
		"lmrec-recall -q $(printf '%q ' "${margs[@]}") -n $POOL --users {} -o {.}.candidates.tsv &&
		 lmrec-rank -q $(printf '%q ' "${ropts[@]}") -o {.}.recs.tsv {.}.candidates.tsv &&
		 rm -f {.}.candidates.tsv || { s=\$?; : >{.}.recs.tsv; exit \$s; }"
	# shards are contiguous in user order: concatenated, they are in order
	rec_tmp=$(mktemp "$RUN/.recommendations.tsv.gz.tmp.XXXXXX")
	{
		if [ "$EXPLAIN" = full ]; then echo $'user\trank\titem\tscore\treason\texplain'; else echo $'user\trank\titem\tscore\treason'; fi
		for f in "$shards"/u.*.recs.tsv; do tail -n +2 "$f"; done
	} | gzip -6 >"$rec_tmp"
	mv -f "$rec_tmp" "$RUN/recommendations.tsv.gz"
	echo "recommendations for $(gzip -dc "$RUN/recommendations.tsv.gz" | tail -n +2 | cut -f1 | uniq | wc -l) users in $pieces shards"
}

stage_similar() {
	local m src=""
	if privacy_on; then
		similar_private
		return
	fi
	for m in itemknn ease als bpr hybrid semantic aligned; do
		case " $MODELS " in *" $m "*) src="$WORK/full/$m.lmrc"; break ;; esac
	done
	if [ -z "$src" ]; then
		echo "warning: no model with item similarity among MODELS (only popular): no similar items"
		local t
		t=$(mktemp "$RUN/.similar-items.tsv.gz.tmp.XXXXXX")
		printf 'item\trank\tsimilar\tscore\treason\n' | gzip >"$t"
		mv -f "$t" "$RUN/similar-items.tsv.gz"
		return
	fi
	local item_opt=()
	[ -z "$ITEMS" ] || item_opt=(--items "$WORK/items.tsv")
	echo "similar items from ${src##*/}"
	lmrec-similar -m "$src" -n "$SIMILAR_TOP" -j "$JOBS" "${item_opt[@]}" -o "$RUN/similar-items.tsv.gz"
}

# The similar items from the counts, protected (MIN_SUPPORT, DP_*), and
# the record of the release. The noise's seed is drawn once a night and kept
# in the run: a resumed or redone night repeats its noise rather than
# publishing a second release of the same counts.
similar_private() {
	local popts item_opt=() seed
	mapfile -t popts < <(privacy_opts)
	[ -z "$ITEMS" ] || item_opt=(--items "$WORK/items.tsv")
	if [ -n "${DP_EPSILON:-}" ] && [ -z "${DP_SEED:-}" ]; then
		if [ ! -s "$WORK/dp-seed" ]; then
			local t # (mktemp makes it 0600)
			t=$(mktemp "$WORK/.dp-seed.tmp.XXXXXX")
			od -An -N8 -tu8 /dev/urandom | tr -d ' ' >"$t"
			mv -f "$t" "$WORK/dp-seed"
		fi
		seed=$(cat "$WORK/dp-seed")
		popts+=(-s "$seed")
	fi
	echo "similar items from the counts of work/interactions.tsv.gz"
	lmrec-similar --counts -n "$SIMILAR_TOP" -j "$JOBS" "${item_opt[@]}" "${popts[@]}" \
		--privacy-record "$RUN/privacy.tsv" -o "$RUN/similar-items.tsv.gz" "$WORK/interactions.tsv.gz"
}

# Tonight's churn: per user in both nights, the share of tonight's list not
# in last night's; the mean over those users.
stage_churn() {
	local t
	t=$(mktemp "$RUN/.churn.tsv.tmp.XXXXXX")
	if [ -z "$PREV" ] || [ ! -e "$PREV/recommendations.tsv.gz" ]; then
		printf 'metric\tvalue\tn\nchurn\t\t0\n' >"$t"
	else
		{
			gzip -dc "$PREV/recommendations.tsv.gz" | tail -n +2 | awk -F'\t' '{ print "P\t" $1 "\t" $3 }'
			gzip -dc "$RUN/recommendations.tsv.gz" | tail -n +2 | awk -F'\t' '{ print "T\t" $1 "\t" $3 }'
		} | awk -F'\t' '
			$1 == "P" { prev[$2, $3] = 1; had[$2] = 1; next }
			{ if ($2 in had) { len[$2]++; if (!(($2, $3) in prev)) changed[$2]++ } }
			END {
				for (u in len) { s += (changed[u] + 0) / len[u]; n++ }
				printf "metric\tvalue\tn\nchurn\t%s\t%d\n", n ? sprintf("%.6f", s / n) : "", n
			}' >"$t"
	fi
	mv -f "$t" "$RUN/churn.tsv"
	cat "$RUN/churn.tsv"
}

# The gate: tonight is refused when even the top of its confidence interval
# is below the last published value, less the tolerance.
stage_gate() {
	local tonight prev verdict reason t
	tonight=$(awk -F'\t' -v m="$GATE_METRIC" -v k="$GATE_K" \
		'NR > 1 && $1 == m && $2 == k && $3 == "all" { print $4 "\t" $6 "\t" $7 }' "$RUN/metrics.tsv")
	[ -n "$tonight" ] || die "metrics.tsv has no $GATE_METRIC@$GATE_K" 1
	if [ -z "$PREV" ]; then
		verdict=pass
		reason="first published night: nothing to compare with"
		prev=""
	else
		prev=$(awk -F'\t' -v m="$GATE_METRIC" -v k="$GATE_K" \
			'NR > 1 && $1 == m && $2 == k && $3 == "all" { print $4 }' "$PREV/metrics.tsv")
		read -r verdict reason < <(awk -v t="$tonight" -v p="$prev" -v tol="$GATE_TOLERANCE" 'BEGIN {
			split(t, a, "\t"); v = a[1]; hi = a[3]
			floor = p * (1 - tol)
			if (p == "") { print "pass no previous value"; exit }
			if (hi < floor)
				printf "refuse the whole interval [%s, %s] is below the last published %s\n", a[2], hi, p
			else
				printf "pass %s (interval %s..%s) against the last published %s\n", v, a[2], hi, p
		}')
	fi
	t=$(mktemp "$RUN/.gate.tsv.tmp.XXXXXX")
	printf 'metric\tk\tvalue\tlo\thi\tprevious\ttolerance\tverdict\treason\n%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
		"$GATE_METRIC" "$GATE_K" "$tonight" "$prev" "$GATE_TOLERANCE" "$verdict" "$reason" >"$t"
	mv -f "$t" "$RUN/gate.tsv"
	echo "gate: $verdict: $reason"
	[ "$verdict" = pass ] || return 3
}

# record_history STATUS [later]: this night's metrics into OUT/history.tsv,
# one row per night and metric, replacing the night's earlier rows; with
# "later" the new history waits in $hist_new for the caller to rename it
# into place.
record_history() {
	local hist="$OUT/history.tsv" tmp
	tmp=$(mktemp "$OUT/.history.tsv.tmp.XXXXXX")
	{
		printf 'date\tmetric\tk\tsegment\tvalue\tlo\thi\tstatus\n'
		[ ! -e "$hist" ] || tail -n +2 "$hist" | awk -F'\t' -v d="$DATE" '$1 != d'
		tail -n +2 "$RUN/metrics.tsv" | awk -F'\t' -v d="$DATE" -v st="$1" \
			'{ print d "\t" $1 "\t" $2 "\t" $3 "\t" $4 "\t" $6 "\t" $7 "\t" st }'
		[ ! -e "$RUN/churn.tsv" ] || tail -n +2 "$RUN/churn.tsv" | awk -F'\t' -v d="$DATE" -v st="$1" \
			'{ print d "\t" $1 "\t\tall\t" $2 "\t\t\t" st }'
	} | { IFS= read -r h; printf '%s\n' "$h"; LC_ALL=C sort -t $'\t' -k1,1 -s; } >"$tmp"
	if [ -n "${2:-}" ]; then hist_new="$tmp"; else mv -f "$tmp" "$hist"; fi
}

# The morning page, before the switch; a refused night's too. The status
# it shows is what the night becomes: published when the gate passed.
stage_report() {
	local st=published
	[ "$(cut -f8 "$RUN/gate.tsv" | tail -n 1)" = pass ] || st=refused
	lmrec-report --status "$st" --k "$GATE_K" -o "$RUN/report.html" "$RUN"
}

# ---- the audit record ----
# RUN/audit.tsv says what made the night, so that its tables can be
# reproduced (pipelines/reproduce.sh) and explained: every setting as it
# took effect, the checksums of the inputs, of the previous night's files
# that were read, of the models and of the outputs, and the versions and
# checksums of the tools and programs that ran. Columns: kind, name,
# value, sha256; fields escaped as streams are (\t \n \r \\).
audit_field() {
	local v="${1//\\/\\\\}"
	v="${v//$'\t'/\\t}"
	v="${v//$'\n'/\\n}"
	v="${v//$'\r'/\\r}"
	printf '%s' "$v"
}
audit_row() { # KIND NAME VALUE [FILE]: FILE's SHA-256 in the last column
	local sum=""
	[ -z "${4:-}" ] || sum=$(sha256sum <"$4" | cut -d' ' -f1)
	printf '%s\t%s\t%s\t%s\n' "$1" "$(audit_field "$2")" "$(audit_field "$3")" "$sum"
}
write_audit() {
	local k v f name
	printf 'kind\tname\tvalue\tsha256\n'
	audit_row audit format 1
	audit_row run date "$DATE"
	audit_row run recorded "$(date -u +%FT%TZ)"
	# the settings: every key the job knows, as it took effect (the DP
	# noise's seed drawn for the night included: it is in the run anyway)
	for k in $KNOWN_KEYS; do
		v="${!k:-}"
		# (paths made absolute: a reproduction runs from anywhere)
		case "$k" in DATA | OUT | ANON_KEY | FORGET_LIST | FORGET_KEY | SSHLOGINFILE) [ -z "$v" ] || v=$(realpath -s -- "$v") ;; esac
		[ "$k" != DP_SEED ] || [ -n "$v" ] || [ ! -s "$WORK/dp-seed" ] || v=$(cat "$WORK/dp-seed")
		audit_row setting "$k" "$v"
	done
	# keys are named by a fingerprint (a pseudonym of a fixed id), never
	# by their bytes
	[ -z "${ANON_KEY:-}" ] || audit_row key ANON_KEY "$(lmrec-anon --key "$ANON_KEY" --id lmrec-audit)"
	! forgetting || audit_row key FORGET_KEY "$(lmrec-anon --key "$FORGET_KEY" --id lmrec-audit)"
	[ -z "$INTER" ] || audit_row input interactions "$(realpath -s -- "$INTER")" "$INTER"
	[ -z "$ITEMS" ] || audit_row input items "$(realpath -s -- "$ITEMS")" "$ITEMS"
	[ -z "$USERS" ] || audit_row input users "$(realpath -s -- "$USERS")" "$USERS"
	[ -z "$FEEDBACK" ] || audit_row input feedback "$(realpath -s -- "$FEEDBACK")" "$FEEDBACK"
	! forgetting || audit_row input forget-list "$(realpath -s -- "$FORGET_LIST")" "$FORGET_LIST"
	[ ! -f "$WORK/profile-start.lmp" ] ||
		audit_row state profile-store "$WORK/profile-start.lmp" "$WORK/profile-start.lmp"
	if [ -n "$PREV" ]; then
		audit_row previous run "$PREV"
		for name in metrics.tsv recommendations.tsv.gz forget-state work/lineage work/valid/sasrec.lmrc \
			work/valid/als.lmrc work/test/als.lmrc work/full/als.lmrc; do
			[ ! -f "$PREV/$name" ] || audit_row previous "$name" "" "$PREV/$name"
		done
	fi
	for f in "$WORK"/valid/*.lmrc "$WORK"/test/*.lmrc "$WORK"/full/*.lmrc "$WORK/weights.tsv"; do
		[ ! -f "$f" ] || audit_row model "${f#"$WORK/"}" "" "$f"
	done
	for name in ingested.tsv.gz interactions.tsv.gz items.tsv folds.tsv.gz tokens.tsv vectors.tsv profiles.tsv; do
		[ ! -f "$WORK/$name" ] || audit_row work "$name" "" "$WORK/$name"
	done
	# the tables a reproduction must give byte for byte; then the pages
	# that hold the night's times, which cannot be
	for name in recommendations.tsv.gz similar-items.tsv.gz metrics.tsv churn.tsv gate.tsv quality.tsv privacy.tsv; do
		[ ! -f "$RUN/$name" ] || audit_row output "$name" "" "$RUN/$name"
	done
	for name in report.html stages.tsv; do
		[ ! -f "$RUN/$name" ] || audit_row timed "$name" "" "$RUN/$name"
	done
	for f in "$(dirname "$(command -v lmrec-train)")"/lmrec-*; do
		case "$f" in *.c | *.d | *.o) continue ;; esac
		[ -x "$f" ] || continue
		audit_row tool "${f##*/}" "$(program_version "$f")" "$f"
	done
	audit_row pipeline nightly.sh "$here/nightly.sh" "$here/nightly.sh"
	audit_row pipeline lib.sh "$here/lib.sh" "$here/lib.sh"
	audit_row program bash "$BASH_VERSION"
	for name in parallel gzip awk sort sha256sum; do
		audit_row program "$name" "$(program_version "$name")"
	done
	if command -v dpkg-query >/dev/null; then
		for name in libopenblas0-pthread libopenblas0-openmp libopenblas0-serial liblapacke zlib1g libjansson4 libcsv3 libssl3 libc6; do
			v=$(dpkg-query -W -f='${Status} ${Version}' "$name" 2>/dev/null) || continue
			[[ "$v" == "install ok installed "* ]] && audit_row library "$name" "${v##* }"
		done
	fi
	audit_row system kernel "$(uname -srm)"
	audit_row system cpu "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)"
	audit_row system OPENBLAS_CORETYPE "${OPENBLAS_CORETYPE:-}"
}

# The history is written before the switch and renamed into place after
# it: a full disk stops the night before anything changed, and a night
# killed in between has no "published" row until its rerun finishes it.
# The audit record comes first: no night is published without it.
stage_publish() {
	into "$RUN/audit.tsv" write_audit
	record_history published later
	# the switch: a new symlink (a name of its own: ln never writes
	# through an old one) renamed over the old one
	local cur
	cur=$(mktemp -u "$OUT/.current.tmp.XXXXXX")
	ln -sn "runs/$DATE" "$cur"
	mv -Tf "$cur" "$OUT/current"
	mv -f "$hist_new" "$OUT/history.tsv"
	# retention: the last KEEP runs by date, never the current one; only
	# folders named like a date are runs, whatever else is there stays
	local runs i
	runs=("$OUT"/runs/[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]) # in date order
	for ((i = 0; i < ${#runs[@]} - KEEP; i++)); do
		[ "${runs[i]##*/}" = "$DATE" ] || rm -rf -- "${runs[i]}"
	done
}

# ---- running a stage: its log, its time and memory, its marker ----
if [ -n "${INTERNAL_STAGE:-}" ]; then
	"stage_${INTERNAL_STAGE//-/_}"
	exit $?
fi

# stage_cause STAGE RC: why the stage failed, in one line: the signal that
# killed it, or the last message of a program ("prog: ...", not a warning
# nor GNU Parallel's report of the failed command) in this attempt's part
# of its log; rsync's only when no other said why (over ssh it complains
# of the lists it could not fetch after the program or ssh that failed)
stage_cause() {
	if [ "$2" -gt 128 ] && [ "$2" -le 192 ]; then
		local sig
		sig=$(kill -l "$(($2 - 128))" 2>/dev/null) || sig="NAL $(($2 - 128))"
		printf 'killed by SIG%s\n' "$sig" # SIGKILL, or SIGNAL 70 for one with no name
		return
	fi
	awk -v s="$1" -v rc="$2" '
		{ sub(/\r$/, "") } # (ssh ends its lines with CR LF)
		index($0, "== " s " ") == 1 { why = rsync = ""; next }
		/^rsync: / { rsync = $0; next }
		/^[A-Za-z0-9_.+-]+: / && !/^[^:]*: warning: / && !/^parallel: / { why = $0 }
		# (a builtin of the stage itself, e.g. printf on a full disk)
		/nightly\.sh: line [0-9]+: / { sub(/^.*nightly\.sh: line [0-9]+: /, ""); why = "nightly.sh: " $0 }
		END { print (why != "" ? why : rsync != "" ? rsync : "exit " rc ", no message") }' "$LOG/$1.log" 2>/dev/null ||
		echo "exit $2"
}

# set_status STATUS: RUN/status replaced whole; quiet when it cannot be
# written (a full disk): the caller says what failed
set_status() {
	local t
	if t=$(mktemp "$RUN/.status.tmp.XXXXXX" 2>/dev/null) &&
		{ printf '%s\n' "$1" >"$t" && mv -f "$t" "$RUN/status"; } 2>/dev/null; then
		return 0
	fi
	rm -f "${t:-}"
	return 1
}

mkdir -p "$OUT"
exec 9>"$OUT/.lock"
if ! flock -n 9; then
	printf 'nightly.sh: %s: another run holds the lock\n' "$OUT" >&2
	exit 75
fi
mkdir -p "$RUN" "$WORK" "$LOG"
# What a killed stage left (SIGKILL, a full disk): temporary files and
# shard folders, space and never data. (A stage of a killed job that is
# still running would lose its temporary and fail, writing nothing.)
find "$OUT" -maxdepth 1 -name '.*.tmp.??????' -exec rm -rf -- {} + 2>/dev/null || true
find "$RUN" -name '.*.tmp.??????' -prune -exec rm -rf -- {} + 2>/dev/null || true
if [ -n "$FROM_STAGE" ]; then
	on=""
	for s in "${STAGES[@]}"; do
		[ "$s" = "$FROM_STAGE" ] && on=1
		[ -z "$on" ] || rm -f "$WORK/.done-$s"
	done
fi
# Stages run with the lock's descriptor closed (9>&-): a stage's process
# that outlives a killed job must not keep the next night out.
set_status running || die "$RUN/status: cannot write the run's status (is the disk full?)" 1
finish() {
	local rc=$?
	if [ "$rc" -ne 0 ] && [ "$(cat "$RUN/status" 2>/dev/null)" = running ]; then
		if [ "$rc" -eq 3 ]; then set_status refused; else set_status failed; fi
	fi
}
trap finish EXIT

export DATA OUT DATE JOBS SSHLOGINFILE KEEP ANON_KEY QUALITY FORGET_LIST FORGET_KEY MIN_SUPPORT DP_EPSILON \
	DP_MECHANISM DP_DELTA DP_MAX_PER_USER DP_SEED MODELS TOP POOL SEED MAX_BAD GATE_METRIC GATE_K \
	GATE_TOLERANCE MMR CATEGORY_CAP VERB EXPLAIN SIMILAR_TOP USER_GROUP EMBED EMBED_OPTS POPULAR_OPTS ITEMKNN_OPTS EASE_OPTS \
	ALS_OPTS BPR_OPTS SASREC_OPTS SEMANTIC_OPTS ALIGNED_OPTS HYBRID_OPTS INCREMENTAL INCREMENTAL_OPTS INCREMENTAL_ALS_OPTS RETRAIN_EVERY FEEDBACK_OPTS EXPLORE EXPLORE_DAYS PROFILE_WEIGHT PROFILE_HALF_LIFE EVAL_USERS FROM_STAGE QUIET
# The logs and the stage times are kept as well as they can be: on a full
# disk a line may be lost, and the stage's own failure is what is said.
[ -f "$RUN/stages.tsv" ] || printf 'stage\tseconds\tmax_rss_kb\tstatus\n' 2>/dev/null >"$RUN/stages.tsv" || true
say "run $DATE: data $DATA, output $RUN"
for s in "${STAGES[@]}"; do
	if [ -e "$WORK/.done-$s" ]; then
		say "$s: done earlier"
		continue
	fi
	say "$s: $(stage_io "$s")"
	{
		echo "== $s $(date -u +%FT%TZ)"
		stage_io "$s"
	} 2>/dev/null >>"$LOG/$s.log" || true
	rc=0
	if [ -n "${LMREC_FAULT_STAGE:-}" ] && [ "$LMREC_FAULT_STAGE" = "$s" ]; then
		# tests only: SIGKILL for the whole job in the middle of this stage
		setsid "$0" --internal-stage "$s" >>"$LOG/$s.log" 2>&1 9>&- &
		sleep "${LMREC_FAULT_DELAY:-0.3}"
		# the whole session: parallel's jobs too, and again after a moment:
		# what forked while the first kill went round (GNU Parallel's
		# start-up probe forks "sleep 10101"s that would outlive it and hold
		# the caller's output open)
		for _ in 1 2 3; do
			pkill -9 -s "$!" 2>/dev/null || true
			sleep 0.1
		done
		kill -9 $$
	fi
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%e\t%M' -o "$WORK/.time-$s" "$0" --internal-stage "$s" >>"$LOG/$s.log" 2>&1 9>&- || rc=$?
		secs="" rss=""
		{ read -r secs rss <"$WORK/.time-$s"; } 2>/dev/null || true
		case "$secs" in Command*) read -r secs rss < <(tail -n 1 "$WORK/.time-$s") ;; esac
	else
		start=$SECONDS
		"$0" --internal-stage "$s" >>"$LOG/$s.log" 2>&1 9>&- || rc=$?
		secs=$((SECONDS - start)) rss=""
	fi
	st=ok
	[ "$rc" -eq 0 ] || st="exit $rc"
	printf '%s\t%s\t%s\t%s\n' "$s" "$secs" "$rss" "$st" 2>/dev/null >>"$RUN/stages.tsv" || true
	# (what stops this line, e.g. "File too large", has likely cut the
	# stage's own last message too: the failure's report says so)
	logerr=$({ echo "== $s: $st in ${secs}s, peak ${rss:-?} kB" >>"$LOG/$s.log"; } 2>&1) || true
	if [ "$rc" -eq 3 ]; then
		record_history refused
		set_status refused
		"$0" --internal-stage report >>"$LOG/report.log" 2>&1 9>&- ||
			say "report: failed; its log: $LOG/report.log"
		say "$s: the gate refused tonight's run: $(tail -n 1 "$RUN/gate.tsv" | cut -f9)"
		say "$OUT/current is unchanged; this night's files stay in $RUN"
		exit 3
	fi
	if [ "$rc" -ne 0 ]; then
		# one line, quiet or not: the stage, why, where to read more
		cause=$(stage_cause "$s" "$rc")
		case "$cause" in
		"killed by"*) ;;
		*"${logerr##*: }") ;;
		*) cause="$cause (its log is cut: ${logerr##*: })" ;;
		esac
		printf 'nightly.sh: %s failed: %s; its log: %s\n' "$s" "$cause" "$LOG/$s.log" >&2
		[ "$rc" -eq 65 ] && exit 65
		exit 1
	fi
	touch "$WORK/.done-$s"
done
set_status published
say "published $RUN/recommendations.tsv.gz; $OUT/current -> runs/$DATE"

#!/usr/bin/env bash
# The agent flow, beside the nightly job: the goals of a data folder become
# plans, filled from a published night (OUT/current: its recommendations
# and interactions) and the long-term memory (OUT/profile.lmp), under the
# context signals and rules; the plans are checked against their
# constraints and published into the night's folder whole, by rename.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LMREC_PIPELINE=agent.sh
. "$here/lib.sh"
lmrec_tools_path "$here"

usage() {
	cat <<'EOF'
Usage: agent.sh [OPTION]...
Make the plans of the goals in a data folder from a published night.

  --data DIR           goals.tsv, tasks.tsv, context.tsv and
                       context-rules.tsv (default: the sample data);
                       items.tsv when the night kept none
  --out DIR            the nightly job's OUT (default ./out): reads
                       OUT/current (recommendations.tsv.gz,
                       work/interactions.tsv.gz, work/items.tsv) and
                       OUT/profile.lmp; writes OUT/current/plans.tsv
  --date YYYY-MM-DD    the profiles' weights decayed to the end of that day
                       (default: the published night's date)
  --budget POINTS      cost points a day may spend (default: no budget)
  --profile-weight W   the strongest preference's boost, as a share of the
                       user's best score (default 0.2)
  --anon-key FILE      the night's ANON_KEY: the goals' and context's user
                       ids are pseudonymised under it first, as the night's
                       are (the plans then name the pseudonyms)
  -j, --jobs N         plan the sessions in blocks, N at once, under GNU
                       Parallel (default 1): the same plans, byte for byte;
                       each session's turns must be on adjacent lines
  -q, --quiet          no progress on standard error
  -h, --help           show this help

Writes OUT/current/plans.tsv (session user turn step subtask item score
reason) and OUT/current/plan-objectives.tsv (each plan's relevance,
diversity, discovery, value and calibration), each whole by rename, after
lmrec-agent --check found no plan breaking a constraint, and prints the
plans' path on standard output. Exit status: 0 published; 1 a run-time
failure or a plan that breaks a constraint (nothing published); 2 a usage
error; 65 a missing or malformed input.
EOF
	exit "${1:-0}"
}

data="$here/../sample-data" out=./out date= budget= weight=0.2 anon_key= jobs=1 QUIET=
while [ $# -gt 0 ]; do
	case "$1" in
	--data) data="${2:?--data needs a folder}"; shift 2 ;;
	--out) out="${2:?--out needs a folder}"; shift 2 ;;
	--date) date="${2:?--date needs YYYY-MM-DD}"; shift 2 ;;
	--budget) budget="${2:?--budget needs a number}"; shift 2 ;;
	--profile-weight) weight="${2:?--profile-weight needs a number}"; shift 2 ;;
	--anon-key) anon_key="${2:?--anon-key needs a key file}"; shift 2 ;;
	-j | --jobs) jobs="${2:?--jobs needs a number}"; shift 2 ;;
	-j?*) jobs="${1#-j}"; shift ;;
	-q | --quiet) QUIET=1; shift ;;
	-h | --help) usage 0 ;;
	*) printf 'agent.sh: unknown option %s\n' "$1" >&2; usage 2 >&2 ;;
	esac
done
no_dash data out
if [ -n "$anon_key" ]; then
	no_dash anon_key
	# checked by the tool that will use it (private, long enough)
	anon_err=$(lmrec-anon --key "$anon_key" --id check 2>&1 >/dev/null) || die "--anon-key: ${anon_err#lmrec-anon: }" 2
fi
number='^([0-9]+([.][0-9]*)?|[.][0-9]+)$'
[ -z "$budget" ] || [[ "$budget" =~ $number ]] || die "--budget wants a number of points, not '$budget'" 2
[[ "$weight" =~ $number ]] || die "--profile-weight wants a number, not '$weight'" 2
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || die "--jobs wants a positive number, not '$jobs'" 2
[ -z "$date" ] || { [[ "$date" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] && date -u -d "$date" +%F >/dev/null 2>&1; } ||
	die "--date wants YYYY-MM-DD, not '$date'" 2

# ---- the inputs: a missing one is named on one line ----
need() { # FILE WHAT: FILE must exist
	[ -e "$1" ] || die "$1: no $2" 65
}
cur="$out/current"
[ -d "$cur" ] || die "$cur: no published night (run nightly.sh --out $out first)" 65
night=$(basename "$(readlink "$cur")")
[ -n "$date" ] || date="$night"
[[ "$date" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] || die "$cur: not a night's folder (runs/YYYY-MM-DD); give --date" 65
recs="$cur/recommendations.tsv.gz"
need "$recs" "recommendations of the night"
inter="$cur/work/interactions.tsv.gz"
need "$inter" "interactions of the night"
items="$cur/work/items.tsv"
[ -e "$items" ] || items=$(data_file "$data" items.tsv)
[ -n "$items" ] || die "$data: no items.tsv, and the night kept none" 65
need "$out/profile.lmp" "profile store (the night's data had no items.tsv?)"
for f in goals tasks context context-rules; do
	need "$data/$f.tsv" "$f stream"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/lmrec-agent.XXXXXX")
tmp_plans= tmp_obj=
# (INT and TERM end the script, and the EXIT trap removes the folder and
# any temporary beside the published files)
trap 'rm -rf "$work" ${tmp_plans:+"$tmp_plans"} ${tmp_obj:+"$tmp_obj"}' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

t0=$(now)
# ---- the users under the night's pseudonyms ----
goals="$data/goals.tsv" context="$data/context.tsv"
if [ -n "$anon_key" ]; then
	lmrec-anon --key "$anon_key" -- "$goals" >"$work/goals.tsv"
	lmrec-anon --key "$anon_key" -- "$context" >"$work/context.tsv"
	goals="$work/goals.tsv" context="$work/context.tsv"
fi
# ---- the long-term memory as of the date ----
lmrec-profile --store "$out/profile.lmp" --show --date "$date" -o "$work/profiles.tsv"
say "profiles of $(tail -n +2 "$work/profiles.tsv" | cut -f1 | uniq | wc -l) users as of $date"

# ---- the plans ----
agent=(lmrec-agent -q --items "$items" --tasks "$data/tasks.tsv" --rules "$data/context-rules.tsv"
	--context "$context" --scores "$recs" --interactions "$inter"
	--profiles "$work/profiles.tsv" --profile-weight "$weight")
[ -z "$budget" ] || agent+=(--budget "$budget")
if [ "$jobs" -gt 1 ]; then
	# the sessions in blocks under GNU Parallel: the same bytes
	par_pipe "$jobs" session "$goals" "$work/plans.tsv" --objectives-out "$work/plan-objectives.tsv" -- "${agent[@]}"
else
	"${agent[@]}" --objectives-out "$work/plan-objectives.tsv" -o "$work/plans.tsv" "$goals"
fi
"${agent[@]}" --check "$work/plans.tsv" -o "$work/violations.tsv" "$goals"
nviol=$(($(wc -l <"$work/violations.tsv") - 1))
if [ "$nviol" -gt 0 ]; then
	head -n 6 "$work/violations.tsv" >&2
	die "$nviol rows of the plans break a constraint: nothing published" 1
fi
read -r sessions rows unfilled < <(awk -F'\t' 'NR > 1 { s[$1] = 1; n++; if ($6 == "") u++ }
	END { print length(s), n + 0, u + 0 }' "$work/plans.tsv")
say "$sessions sessions, $rows rows ($unfilled unfilled), 0 violations: $(elapsed "$t0" "$(now)") s"

# ---- publish: each file whole, by rename within the night's folder (mode
# 0600 from mktemp, as the night's other per-user tables) ----
tmp_plans=$(mktemp "$cur/.plans.tsv.tmp.XXXXXX")
tmp_obj=$(mktemp "$cur/.plan-objectives.tsv.tmp.XXXXXX")
cp "$work/plans.tsv" "$tmp_plans"
cp "$work/plan-objectives.tsv" "$tmp_obj"
mv -f "$tmp_obj" "$cur/plan-objectives.tsv"
tmp_obj=
mv -f "$tmp_plans" "$cur/plans.tsv"
tmp_plans=
printf '%s\n' "$cur/plans.tsv"

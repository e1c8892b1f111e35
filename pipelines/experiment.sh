#!/usr/bin/env bash
# The experiment entry point (SPEC.md §7): one model, one split, full-ranking
# metrics on standard output, nothing else; progress and timings on stderr.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LMREC_PIPELINE=experiment.sh
. "$here/lib.sh"
lmrec_tools_path "$here"

usage() {
	cat <<'EOF'
Usage: experiment.sh --data DIR --model NAME [OPTION]...
Train a model on a split of DIR/interactions.tsv[.gz] and print its metrics.

  --data DIR          interactions.tsv or interactions.tsv.gz (canonical
                      interactions), items.tsv optional
  --model NAME        popular, itemknn, ease, als, bpr, or blend (what the
                      nightly job ships: the four first blended with weights
                      learned on the validation fold)
  --split SPLIT       last (default): per user the last interaction is test,
                      the one before it validation, the model trains on the
                      rest and validation; cold:F: a seeded share F of the
                      items is held out entirely
  --seed N            seed of the split and the models (default 1)
  --k LIST            metric cut-offs (default 10,20)
  --min-item N        drop items with fewer than N interactions before the
                      split (5 makes the SASRec split of MovieLens-1M)
  --min-user N        drop users with fewer than N interactions
  --set KEY=VALUE     a hyper-parameter of lmrec-train (e.g. lambda=500,
                      factors=128); repeatable
  -j, --threads N     threads of training and scoring (default 1)
  -q, --quiet         no progress on standard error
  -h, --help          show this help

Standard output is the metrics stream: metric k segment value n.
EOF
	exit "${1:-0}"
}

data= model= split=last seed=1 k=10,20 threads=1 QUIET=
filters=()
sets=()
while [ $# -gt 0 ]; do
	case "$1" in
	--data) data="${2:?--data needs a folder}"; shift 2 ;;
	--model) model="${2:?--model needs a name}"; shift 2 ;;
	--split) split="${2:?--split needs last or cold:F}"; shift 2 ;;
	--seed) seed="${2:?--seed needs a number}"; shift 2 ;;
	--k) k="${2:?--k needs a list}"; shift 2 ;;
	--min-item) filters+=(--min-item "${2:?--min-item needs a number}"); shift 2 ;;
	--min-user) filters+=(--min-user "${2:?--min-user needs a number}"); shift 2 ;;
	--set)
		[[ "${2:-}" == ?*=* ]] || die "--set wants KEY=VALUE, not '${2:-}'" 2
		mapfile -t -O "${#sets[@]}" sets < <(set_to_options "$2")
		shift 2
		;;
	-j | --threads) threads="${2:?--threads needs a number}"; shift 2 ;;
	-q | --quiet) QUIET=1; shift ;;
	-h | --help) usage 0 ;;
	*) printf 'experiment.sh: unknown option %s\n' "$1" >&2; usage 2 >&2 ;;
	esac
done
[ -n "$data" ] || die "--data is required" 2
[ -n "$model" ] || die "--model is required" 2
inter=$(data_file "$data" interactions.tsv)
[ -n "$inter" ] || die "$data: no interactions.tsv or interactions.tsv.gz" 65
items=$(data_file "$data" items.tsv)
case "$model" in
popular | itemknn | ease | als | bpr | blend) ;;
*) die "unknown model '$model' (expected popular, itemknn, ease, als, bpr or blend)" 2 ;;
esac
maxk=$(printf '%s\n' "${k//,/$'\n'}" | sort -n | tail -n 1)
[[ "$maxk" =~ ^[0-9]+$ ]] || die "--k wants cut-offs like 10,20, not '$k'" 2

work=$(mktemp -d "${TMPDIR:-/tmp}/lmrec-experiment.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# ---- split ----
case "$split" in
last)
	lmrec-split -q -s "$seed" "${filters[@]}" -o "$work/folds.tsv" "$inter"
	final_folds=train,valid
	;;
cold:*)
	frac="${split#cold:}"
	lmrec-split -q --method cold --fraction "$frac" -s "$seed" "${filters[@]}" -o "$work/folds.tsv" "$inter"
	final_folds=train
	;;
*) die "unknown split '$split' (expected last or cold:F)" 2 ;;
esac
# the users to score: those with a test row
awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "fold") f = i; print "user"; next }
	$f == "test" && !seen[$1]++ { print $1 }' "$work/folds.tsv" >"$work/users.tsv"
say "split $split: $(($(wc -l <"$work/users.tsv") - 1)) test users"

# train MODEL FOLDS OUT: one model file
train() {
	local t0 t1
	t0=$(now)
	lmrec-train -q --model "$1" --folds "$2" -s "$seed" -j "$threads" "${sets[@]}" -o "$3" "$work/folds.tsv"
	t1=$(now)
	say "train $1 on $2: $(elapsed "$t0" "$t1") s"
}

# recall OUT MODEL...: candidates of the test users
recall() {
	local out="$1" t0 t1
	shift
	local args=()
	for m in "$@"; do args+=(-m "$m"); done
	t0=$(now)
	lmrec-recall -q "${args[@]}" -n "$maxk" -j "$threads" --users "$work/users.tsv" -o "$out"
	t1=$(now)
	say "score: $(elapsed "$t0" "$t1") s"
}

if [ "$model" = blend ]; then
	channels=(popular itemknn ease als)
	# weights learned with models that have not seen the validation fold
	awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "fold") f = i; print; next }
		$f == "valid"' "$work/folds.tsv" >"$work/valid.tsv"
	vm=() fm=()
	for c in "${channels[@]}"; do
		train "$c" train "$work/v-$c.lmrc"
		vm+=(-m "$c=$work/v-$c.lmrc")
	done
	pool=$((maxk * 5))
	lmrec-recall -q "${vm[@]}" -n "$pool" -j "$threads" \
		--users "$work/users.tsv" -o "$work/valid-candidates.tsv"
	lmrec-rank -q --learn "$work/valid.tsv" --learn-k "$maxk" --save-weights "$work/weights.tsv" \
		-n "$maxk" -o /dev/null "$work/valid-candidates.tsv"
	say "weights: $(tail -n +2 "$work/weights.tsv" | tr '\t\n' '= ')"
	for c in "${channels[@]}"; do
		train "$c" "$final_folds" "$work/t-$c.lmrc"
		fm+=(-m "$c=$work/t-$c.lmrc")
	done
	t0=$(now)
	lmrec-recall -q "${fm[@]}" -n "$pool" -j "$threads" \
		--users "$work/users.tsv" -o "$work/candidates.tsv"
	lmrec-rank -q --weights "$work/weights.tsv" -n "$maxk" -o "$work/recs.tsv" "$work/candidates.tsv"
	say "score: $(elapsed "$t0" "$(now)") s"
else
	train "$model" "$final_folds" "$work/model.lmrc"
	recall "$work/recs.tsv" "$work/model.lmrc"
fi

item_opt=()
[ -z "$items" ] || item_opt=(--items "$items")
lmrec-eval -q -t "$work/folds.tsv" --k "$k" "${item_opt[@]}" "$work/recs.tsv"

#!/usr/bin/env bash
# Quality of every model, full-ranking leave-last-out (SPEC.md §8), through
# pipelines/experiment.sh with the default hyper-parameters: HR@10, NDCG@10
# and the train and score seconds, on MovieLens-100K and the SASRec split
# of MovieLens-1M. Needs $LMREC_DATASETS (default ../shared/datasets).
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
PATH="$top/bin:$PATH"
ds="${LMREC_DATASETS:-$top/../shared/datasets}"
models="${MODELS:-popular itemknn ease als bpr blend}"
threads="${THREADS:-2}"
[ -d "$ds/ml-100k" ] || { echo "quality.sh: $ds/ml-100k is absent: skipped"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/ml-100k" "$tmp/ml-1m"
lmrec-ingest -q "$ds/ml-100k/u.data" -o "$tmp/ml-100k/interactions.tsv"
lmrec-ingest -q --no-header --ts-from-order "$ds/ml-1m/interactions_chrono.tsv" -o "$tmp/ml-1m/interactions.tsv"
printf '| data | model | HR@10 | NDCG@10 | train s | score s |\n|---|---|---|---|---|---|\n'
for data in ml-100k ml-1m; do
	extra=()
	[ "$data" = ml-100k ] || extra=(--min-item 5)
	for m in $models; do
		"$top/pipelines/experiment.sh" --data "$tmp/$data" --model "$m" --k 10 -j "$threads" "${extra[@]}" \
			>"$tmp/out" 2>"$tmp/err"
		train=$(grep -o 'train [a-z]* on [a-z,]*: [0-9.]* s' "$tmp/err" | awk '{ s += $(NF - 1) } END { printf "%.1f", s }')
		score=$(grep -o 'score: [0-9.]* s' "$tmp/err" | awk '{ s += $2 } END { printf "%.1f", s }')
		awk -F'\t' -v d="$data" -v m="$m" -v tr="$train" -v sc="$score" '
			$1 == "hr" { hr = $4 } $1 == "ndcg" { nd = $4 }
			END { printf "| %s | %s | %.4f | %.4f | %s | %s |\n", d, m, hr, nd, tr, sc }' "$tmp/out"
	done
done

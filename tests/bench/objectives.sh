#!/usr/bin/env bash
# The trade-off between lmrec-rank's objectives on the sample data: for a
# few weights of each (--mmr, --discovery, --value on price, --calibrate),
# NDCG@10 and HR@10 on the test fold, and the mean over users of each
# list's five scores from --objectives-out (relevance, diversity,
# discovery, value, calibration; lmrec-rank(1) defines them).
#
# Leave-last-out split of sample-data (lmrec-split defaults); item-kNN and
# EASE trained on the train and valid folds; 100 candidates a user from
# both (lmrec-recall), blended with equal weights and re-ranked to 10 with
# the train and valid folds as --history; lmrec-eval on the test fold
# (full ranking). DATA=dir takes another world made by lmrec-synth (its
# interactions.tsv.gz and items.tsv).
#
# ML=1 runs on MovieLens-100K instead ($LMREC_DATASETS, default
# ../shared/datasets; skipped when absent), with its genres (attrs genre)
# for discovery and calibration, and the release year taken from the
# title as a stand-in numeric value (year=1995 added to attrs: the value
# objective then favours recent films), since the data has no margin.
#
# Prints a TSV table on standard output. About half a minute.
#
#   tests/bench/objectives.sh
#   ROWS="mmr=0.8 discovery=0.2" tests/bench/objectives.sh
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
PATH="$top/bin:$PATH"
export LC_ALL=C OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
data="${DATA:-$top/sample-data}"
rows="${ROWS:-none mmr=0.9 mmr=0.7 mmr=0.5 discovery=0.05 discovery=0.1 discovery=0.2 discovery=0.5
	value=0.05 value=0.1 value=0.2 value=0.5 calibrate=0.3 calibrate=0.6
	mmr=0.9,discovery=0.1,value=0.1,calibrate=0.3}"
ds="${LMREC_DATASETS:-$top/../shared/datasets}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
t0=$(date +%s)

if [ -n "${ML:-}" ]; then
	if [ ! -f "$ds/ml-100k/u.data" ]; then
		echo "objectives.sh: $ds/ml-100k is absent: skipped" >&2
		exit 0
	fi
	lmrec-ingest -q -o "$tmp/inter.tsv" "$ds/ml-100k/u.data"
	lmrec-ingest -q -o "$tmp/ml-items.tsv" "$ds/ml-100k/u.item"
	# year=YYYY from the title's "(1995)", added to attrs
	awk -F'\t' -v OFS='\t' 'NR == 1 { for (k = 1; k <= NF; k++) c[$k] = k; print; next }
		match($c["title"], /\([0-9][0-9][0-9][0-9]\)$/) {
			y = substr($c["title"], RSTART + 1, 4); $c["attrs"] = $c["attrs"] ($c["attrs"] == "" ? "" : ";") "year=" y }
		{ print }' "$tmp/ml-items.tsv" >"$tmp/items.tsv"
	inter="$tmp/inter.tsv" items="$tmp/items.tsv" name=ml-100k vattr=year
	attrs=(--discovery-attr genre --calibrate-attr genre)
else
	inter="$data/interactions.tsv.gz" items="$data/items.tsv" name=$(basename "$data") vattr=price
	attrs=()
fi
lmrec-split -q -o "$tmp/folds.tsv" "$inter"
for m in itemknn ease; do
	lmrec-train -q --model "$m" --folds train,valid -o "$tmp/$m.lmrc" "$tmp/folds.tsv"
done
lmrec-recall -q -m "$tmp/itemknn.lmrc" -m "$tmp/ease.lmrc" -n 100 -o "$tmp/cand.tsv"

echo "# $name: item-kNN + EASE, 100 candidates re-ranked to 10; test fold (leave-last-out)"
printf 'setting\tndcg@10\thr@10\trelevance\tdiversity\tdiscovery\tvalue\tcalibration\n'
for row in $rows; do
	# mmr=0.9,discovery=0.1 -> --mmr 0.9 --discovery 0.1
	opts=()
	if [ "$row" != none ]; then
		IFS=, read -r -a kv <<<"$row"
		for x in "${kv[@]}"; do opts+=("--${x%%=*}" "${x#*=}"); done
	fi
	lmrec-rank -q --items "$items" --history "$tmp/folds.tsv" --value-attr "$vattr" -n 10 \
		${attrs[@]+"${attrs[@]}"} ${opts[@]+"${opts[@]}"} --objectives-out "$tmp/obj.tsv" -o "$tmp/recs.tsv" "$tmp/cand.tsv"
	lmrec-eval -q -t "$tmp/folds.tsv" --k 10 --metrics ndcg,hr "$tmp/recs.tsv" >"$tmp/m.tsv"
	awk -F'\t' -v row="$row" '
		FILENAME == ARGV[1] { if ($3 == "all") m[$1] = $4; next }
		FNR == 1 { next }
		{ for (k = 2; k <= 6; k++) if ($k != "") { s[k] += $k; n[k]++ } }
		END {
			printf "%s\t%.4f\t%.4f", row, m["ndcg"], m["hr"]
			for (k = 2; k <= 6; k++) printf "\t%.4f", n[k] ? s[k] / n[k] : 0
			printf "\n"
		}' "$tmp/m.tsv" "$tmp/obj.tsv"
done
echo "# $(($(date +%s) - t0)) s" >&2

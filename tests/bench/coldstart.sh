#!/usr/bin/env bash
# Knowledge from content, measured with pipelines/experiment.sh:
#  1. cold start on MovieLens latest-small: a seeded 20% of the rated items
#     held out entirely and ranked among themselves, Recall@20 and NDCG@10
#     of each content channel (text vectors by TF-IDF and by subword
#     skip-gram; BERT when LMREC_BERT_DIR names a sentence-transformers
#     folder), of the blend, and of the independent NumPy/scikit-learn
#     reference (tests/reference/coldstart_ref.py) on the same split;
#  2. the same on sample-data, where image and audio vectors can be fused;
#  3. sparse users on MovieLens-100K: every user's training history cut to
#     its 5 most recent rows, NDCG@10 of the collaborative channels, the
#     content channels and the blend.
#
#   SEEDS="1 2" THREADS=2 LMREC_BERT_DIR=~/all-MiniLM-L6-v2 tests/bench/coldstart.sh
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
PATH="$top/bin:$PATH"
export LC_ALL=C
data="${LMREC_DATASETS:-$top/../shared/datasets}"
seeds=${SEEDS:-1} threads=${THREADS:-2}
exp="$top/pipelines/experiment.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# figures DIR ARGS...: "recall@20 ndcg@10" of one experiment
figures() {
	local dir="$1"
	shift
	"$exp" --data "$dir" -q -j "$threads" --k 10,20 "$@" |
		awk -F'\t' '$3 == "all" && $1 == "recall" && $2 == 20 { r = $4 } $3 == "all" && $1 == "ndcg" && $2 == 10 { n = $4 }
			END { printf "%.4f %.4f\n", r, n }'
}
row() { printf '  %-40s %10s %10s %8s\n' "$@"; }

if [ -f "$data/ml-latest-small/ratings.csv" ]; then
	ml="$tmp/mls"
	mkdir -p "$ml"
	lmrec-ingest -q -o "$ml/interactions.tsv" "$data/ml-latest-small/ratings.csv"
	lmrec-ingest -q --kind items -o "$ml/items.tsv" "$data/ml-latest-small/movies.csv"
	for seed in $seeds; do
		echo "== MovieLens latest-small, cold:0.2, seed $seed (Recall@20 = hits / min(20, held-out items of the user))"
		row channel 'Recall@20' 'NDCG@10' seconds
		runs=("semantic (TF-IDF + LSA 64)|--model semantic"
			"semantic (subword 100)|--model semantic --embed subword"
			"aligned (words)|--model aligned"
			"aligned (words + subword vectors)|--model aligned --embed subword")
		if [ -n "${LMREC_BERT_DIR:-}" ]; then
			runs+=("semantic (BERT)|--model semantic --embed bert --embed-set bert=$LMREC_BERT_DIR"
				"aligned (words + BERT)|--model aligned --embed bert --embed-set bert=$LMREC_BERT_DIR")
		fi
		runs+=("blend (semantic + aligned)|--model blend")
		for r in "${runs[@]}"; do
			t0=$(date +%s.%N)
			# shellcheck disable=SC2086 # the options split into words
			read -r rec nd < <(figures "$ml" --split cold:0.2 --seed "$seed" ${r#*|})
			row "${r%%|*}" "$rec" "$nd" "$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"
		done
		if /usr/bin/python3 -c 'import sklearn, scipy' 2>/dev/null; then
			"$exp" --data "$ml" --model popular --split cold:0.2 --seed "$seed" -q --keep "$tmp/keep-$seed" >/dev/null
			/usr/bin/python3 "$top/tests/reference/coldstart_ref.py" "$tmp/keep-$seed/folds.tsv" "$ml/items.tsv" "$seed" \
				>"$tmp/ref-$seed.txt"
			while read -r name value _; do row "reference $name (NumPy, train only)" "$value" - -; done <"$tmp/ref-$seed.txt"
		else
			echo "  (the NumPy reference needs /usr/bin/python3 with scipy and sklearn: skipped)"
		fi
	done
else
	echo "(MovieLens latest-small not found under $data: skipped)"
fi

echo "== sample-data, cold:0.2, seed 1 (image and audio vectors beside the text)"
row channel 'Recall@20' 'NDCG@10' ''
for m in semantic aligned fused blend; do
	read -r rec nd < <(figures "$top/sample-data" --split cold:0.2 --model "$m")
	row "$m" "$rec" "$nd" ''
done

if [ -f "$data/ml-100k/u.data" ]; then
	ml="$tmp/ml100k"
	mkdir -p "$ml"
	lmrec-ingest -q -o "$ml/interactions.tsv" "$data/ml-100k/u.data"
	lmrec-ingest -q --kind items -o "$ml/items.tsv" "$data/ml-100k/u.item"
	for seed in $seeds; do
		echo "== MovieLens-100K, leave-last-out, histories cut to their 5 most recent rows, seed $seed"
		row channel 'Recall@20' 'NDCG@10' ''
		for m in popular itemknn ease als bpr semantic aligned hybrid blend; do
			read -r rec nd < <(figures "$ml" --history-cap 5 --seed "$seed" --model "$m")
			row "$m" "$rec" "$nd" ''
		done
	done
else
	echo "(MovieLens-100K not found under $data: skipped)"
fi

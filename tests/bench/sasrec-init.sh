#!/usr/bin/env bash
# Pre-train then fine-tune: SASRec on MovieLens latest-small, leave-last-out,
# with its item table started at random and from the items' text vectors
# (lmrec-train --item-init: TF-IDF of title and genres, LSA to the model's
# width by lmrec-embed, then PCA), and from them kept as a frozen view
# (--frozen-view), same seed. Prints NDCG@10 and HR@10 over
# all test users and over those whose test item is among the least popular
# fifth (the test rows whose item has the fewest training interactions).
#
#   THREADS=2 SEED=1 tests/bench/sasrec-init.sh
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
PATH="$top/bin:$PATH"
export LC_ALL=C
data="${LMREC_DATASETS:-$top/../shared/datasets}"
threads=${THREADS:-2} seed=${SEED:-1}
[ -f "$data/ml-latest-small/ratings.csv" ] || { echo "(MovieLens latest-small not found under $data: skipped)"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ml="$tmp/ml"
mkdir -p "$ml"
lmrec-ingest -q -o "$ml/interactions.tsv" "$data/ml-latest-small/ratings.csv"
lmrec-ingest -q --kind items -o "$ml/items.tsv" "$data/ml-latest-small/movies.csv"
lmrec-tokenize -q -f title,attrs "$ml/items.tsv" | lmrec-embed -q --method tfidf -s "$seed" -o "$tmp/vectors.tsv"

echo "== MovieLens latest-small, leave-last-out, seed $seed: SASRec (CE, width 64, 2 blocks, maxlen 200)"
printf '  %-28s %10s %10s %14s %8s\n' init 'NDCG@10' 'HR@10' 'NDCG@10 tail' seconds
for init in random text frozen; do
	opts=()
	[ "$init" = random ] || opts=(--set "sasrec.item_init=$tmp/vectors.tsv")
	[ "$init" != frozen ] || opts+=(--set sasrec.frozen_view=)
	t0=$(date +%s.%N)
	"$top/pipelines/experiment.sh" --data "$ml" --model sasrec --seed "$seed" -j "$threads" -q --k 10 \
		"${opts[@]}" --keep "$tmp/$init" >/dev/null
	t1=$(date +%s.%N)
	# the test rows, their item's training popularity, the lowest fifth marked
	awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "fold") f = i; next }
		$f == "train" || $f == "valid" { pop[$2]++ } $f == "test" { t[NR] = $0; item[NR] = $2 }
		END { for (r in t) print (pop[item[r]] + 0) "\t" t[r] }' "$tmp/$init/folds.tsv" |
		sort -t "$(printf '\t')" -k1,1n -k2,2 |
		awk -F'\t' -v OFS='\t' 'BEGIN { print "user", "item", "ts", "fold", "popq" }
			{ row[NR] = $2 OFS $3 OFS $4 } END { for (r = 1; r <= NR; r++) print row[r], "test", (r <= NR / 5 ? "tail" : "head") }' \
			>"$tmp/$init/truth.tsv"
	lmrec-eval -q -t "$tmp/$init/truth.tsv" --segment-column popq --k 10 --metrics ndcg,hr "$tmp/$init/recs.tsv" |
		awk -F'\t' -v init="$init" -v s="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }')" '
			$3 == "all" { v[$1] = $4 } $3 == "popq=tail" && $1 == "ndcg" { tail = $4 }
			END { printf "  %-28s %10.4f %10.4f %14.4f %8s\n", init, v["ndcg"], v["hr"], tail, s }'
done

#!/usr/bin/env bash
# lmrec-embed on the sample catalog and on MovieLens latest-small titles and
# genres (skipped when $LMREC_DATASETS lacks it): subword training time
# (median of RUNS runs, CPU seconds) and tokens per second with 1 and 2
# threads; and for each text method the mean cosine of items of the same
# category against items of different categories (sample-data: the
# category column; MovieLens: the first genre), the tokens made by a
# stand-in for lmrec-tokenize (lower case, split on non-alphanumerics).
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
PATH="$top/bin:$PATH"
export LC_ALL=C OPENBLAS_NUM_THREADS=1
data="${LMREC_DATASETS:-$top/../shared/datasets}"
runs=${RUNS:-3}
fx="$top/tests/fixtures/embed"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

awk -f "$fx/tokenize.awk" "$top/sample-data/items.tsv" >"$tmp/sd-tok.tsv"
awk -F'\t' 'NR > 1 { print $1 "\t" $4 }' "$top/sample-data/items.tsv" >"$tmp/sd-cat.tsv"
sets="sd"
if [ -f "$data/ml-latest-small/movies.csv" ]; then
	lmrec-ingest -q --kind items -o "$tmp/ml-items.tsv" "$data/ml-latest-small/movies.csv"
	awk -F'\t' 'NR == 1 { print "item\ttokens"; next } { t = $2 " " $5; gsub(/genre=/, " ", t);
		t = tolower(t); gsub(/[^a-z0-9]+/, " ", t); sub(/^ +/, "", t); sub(/ +$/, "", t); print $1 "\t" t }' \
		"$tmp/ml-items.tsv" >"$tmp/ml-tok.tsv"
	awk -F'\t' 'NR > 1 { print $1 "\t" $4 }' "$tmp/ml-items.tsv" >"$tmp/ml-cat.tsv"
	sets="sd ml"
else
	echo "(MovieLens latest-small not found under $data: skipped)"
fi

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

for s in $sets; do
	name=$([ "$s" = sd ] && echo "sample-data" || echo "MovieLens latest-small")
	echo "== $name"
	for j in 1 2; do
		: >"$tmp/cpu"
		for _ in $(seq 1 "$runs"); do
			/usr/bin/time -f '%U %S' -o "$tmp/t" lmrec-embed --method subword -j "$j" \
				-o "$tmp/sub.tsv" "$tmp/$s-tok.tsv" 2>"$tmp/log"
			awk '{ print $1 + $2 }' "$tmp/t" >>"$tmp/cpu"
			grep -o '[0-9]* epochs in [0-9.]* s ([0-9]* tokens/s' "$tmp/log" |
				awk '{ print $4, $6 }' | tr -d '(' >>"$tmp/train"
		done
		line=$(head -1 "$tmp/log" | sed 's/.*subword: //; s/;.*//')
		printf '  subword -j %d: %s; training %s s, %s tokens/s (medians); CPU %s s\n' "$j" "$line" \
			"$(awk '{ print $1 }' "$tmp/train" | median)" "$(awk '{ print $2 }' "$tmp/train" | median)" \
			"$(median <"$tmp/cpu")"
		rm -f "$tmp/train"
	done
	lmrec-embed -q --method subword --save-words "$tmp/w.vec" -o "$tmp/subword.tsv" "$tmp/$s-tok.tsv"
	lmrec-embed -q --method vec --word-vectors "$tmp/w.vec" -o "$tmp/vec.tsv" "$tmp/$s-tok.tsv"
	lmrec-embed -q --method tfidf -o "$tmp/tfidf.tsv" "$tmp/$s-tok.tsv"
	for m in subword vec tfidf; do
		printf '  %-8s %s\n' "$m" "$(awk -f "$fx/gap.awk" "$tmp/$s-cat.tsv" "$tmp/$m.tsv")"
	done
done

#!/usr/bin/env bash
# Scoring speed: every user of a random ALS model (100k users x 20k items,
# 64 factors) against every item, the top 100 kept, beside the sgemm rate of
# the same shapes measured in the same run. Prints medians of 3 runs.
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
PATH="$top/bin:$PATH"
users=${USERS:-100000} items=${ITEMS:-20000} k=${K:-64} threads=${THREADS:-1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export OPENBLAS_NUM_THREADS=$threads
"$top/tests/bench/als_model" write "$users" "$items" "$k" "$tmp/als.lmrc"
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
for r in 1 2 3; do "$top/tests/bench/als_model" sgemm "$users" "$items" "$k"; done >"$tmp/gemm"
for r in 1 2 3; do
	/usr/bin/time -f '%e %M' -o "$tmp/t" lmrec-recall -q -m "$tmp/als.lmrc" -n 100 -j "$threads" -o "$tmp/c.tsv"
	cat "$tmp/t"
done >"$tmp/recall"
for r in 1 2 3; do
	/usr/bin/time -f '%e %M' -o "$tmp/t" lmrec-recall -q -m "$tmp/als.lmrc" -n 1 -j "$threads" -o "$tmp/c.tsv"
	cat "$tmp/t"
done >"$tmp/recall1"
g=$(cut -f1 "$tmp/gemm" | median)
rate=$(cut -f2 "$tmp/gemm" | median)
s=$(cut -d' ' -f1 "$tmp/recall" | median)
rss=$(cut -d' ' -f2 "$tmp/recall" | median)
s1=$(cut -d' ' -f1 "$tmp/recall1" | median)
awk -v u="$users" -v i="$items" -v k="$k" -v g="$g" -v rate="$rate" -v s="$s" -v s1="$s1" -v rss="$rss" -v th="$threads" 'BEGIN {
	printf "ALS scoring, %d users x %d items, %d factors, top 100, %d thread(s)\n", u, i, k, th
	printf "  sgemm alone (same blocks):    %7.2f s  %8.0f users/s  %.1f GFLOP/s\n", g, u / g, rate
	printf "  lmrec-recall (gemm + top-k):  %7.2f s  %8.0f users/s  peak RSS %d MB\n", s, u / s, rss / 1024
	printf "  lmrec-recall -n 1:             %7.2f s  %8.0f users/s  (product, scan, next to no output)\n", s1, u / s1
	printf "  ratio recall / sgemm:         %7.2f (writing %d candidate rows included)\n", s / g, u * 100
	printf "  top-k selection over sgemm:   %7.2f ((recall -n 1 - sgemm) / sgemm)\n", (s1 - g) / g
}'

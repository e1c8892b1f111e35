#!/usr/bin/env bash
# ALS training speed on the MovieLens-20M shape cut to 10M interactions
# (138,493 users x 27,278 items, from lmrec-synth's scale mode): seconds per
# iteration (median of the iterations run) and peak RSS, for exact Cholesky
# solves and for 3 conjugate-gradient steps.
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
PATH="$top/bin:$PATH"
rows=${ROWS:-10000000} iters=${ITERS:-3} threads=${THREADS:-2} k=${K:-64}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
lmrec-synth -q --shape ml20m --interactions "$rows" --stream interactions -o "$tmp/i.tsv.gz"
echo "ALS, $rows interactions (ML-20M shape), $k factors, $threads thread(s), $iters iterations"
for solver in 0 3; do
	/usr/bin/time -f '%e %M' -o "$tmp/t" lmrec-train -v --model als --factors "$k" --iters "$iters" \
		--cg-steps "$solver" -j "$threads" -o "$tmp/m.lmrc" "$tmp/i.tsv.gz" 2>"$tmp/log"
	per_iter=$(grep -o 'iteration [0-9]*: [0-9.e+-]*' "$tmp/log" | awk '{ print $3 }' | sort -n |
		awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
	load=$(grep -o 'load [0-9.]* s' "$tmp/log" | awk '{ print $2 }')
	read -r wall rss <"$tmp/t"
	name=$([ "$solver" = 0 ] && echo "Cholesky" || echo "CG, $solver steps")
	printf '  %-16s %6.2f s/iteration  load %5.1f s  total %6.1f s  peak RSS %5d MB\n' \
		"$name" "$per_iter" "$load" "$wall" "$((rss / 1024))"
done

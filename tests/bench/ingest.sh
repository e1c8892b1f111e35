#!/usr/bin/env bash
# Ingest throughput (rows/s) on the MovieLens files, beside `cut -f1,2` on
# the same bytes as a floor of what reading the file costs. Best of 5 runs.
# Prints figures only; it never fails on time.
set -euo pipefail
TOP="$(cd "$(dirname "$0")/../.." && pwd)"
export PATH="$TOP/bin:$PATH" LC_ALL=C
D="${LMREC_DATASETS:-$TOP/../shared/datasets}"

# best SECONDS of 5 runs of a command (output to /dev/null)
best() {
	local b= t0 t1 t
	for _ in 1 2 3 4 5; do
		t0=$(date +%s.%N)
		"$@" >/dev/null
		t1=$(date +%s.%N)
		t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')
		if [ -z "$b" ] || awk -v t="$t" -v b="$b" 'BEGIN { exit !(t < b) }'; then b=$t; fi
	done
	echo "$b"
}

row() { # NAME ROWS SECONDS
	awk -v n="$1" -v r="$2" -v s="$3" 'BEGIN { printf "%-44s %9d rows %8.3f s %12.0f rows/s\n", n, r, s, r / s }'
}

for f in ml-latest-small/ratings.csv ml-100k/u.data ml-1m/interactions_chrono.tsv; do
	[ -f "$D/$f" ] || { echo "skipped: $D/$f is absent"; continue; }
	n=$(($(wc -l <"$D/$f")))
	opts=()
	case "$f" in
	*.csv) n=$((n - 1)) ;;
	*chrono*) opts=(--no-header --ts-from-order) ;;
	esac
	row "lmrec-ingest $f" "$n" "$(best lmrec-ingest -q "${opts[@]}" "$D/$f")"
	row "cut -f1,2 $f" "$n" "$(best cut -f1,2 "$D/$f")"
done

#!/usr/bin/env bash
# Throughput of lmrec-anon: rows/s pseudonymised, from the user CPU time
# (median of RUNS runs, default 3), beside lmrec-ingest vetting the same
# stream (a pass that reads, checks and writes every row) and lmrec-anon
# hashing two columns (the cost of one more HMAC a row).
#
#   tests/bench/anon.sh                 (make bench runs it)
#   ROWS=1000000 RUNS=3 tests/bench/anon.sh
#
# The stream: ROWS rows (default 1 million) of tests/bench/geninter under
# TMPDIR, removed at the end. Figures only: it never fails on time.
set -euo pipefail

TOP="$(cd "$(dirname "$0")/../.." && pwd)"
ROWS="${ROWS:-1000000}"
RUNS="${RUNS:-3}"
export PATH="$TOP/bin:$PATH" LC_ALL=C

[ -x "$TOP/tests/bench/geninter" ] || { echo "tests/bench/geninter is not built: run 'make bench'" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is needed (Debian package time)" >&2; exit 1; }

dir="$(mktemp -d "${TMPDIR:-/tmp}/lmrec-bench-anon.XXXXXX")"
trap 'rm -rf "$dir"' EXIT
"$TOP/tests/bench/geninter" "$ROWS" 1 >"$dir/in.tsv"
lmrec-anon --new-key "$dir/key"

# user_median CMD...: the median user CPU seconds of RUNS runs
user_median() {
	local i
	for ((i = 0; i < RUNS; i++)); do
		/usr/bin/time -f '%U' -o "$dir/t" "$@" >/dev/null
		cat "$dir/t"
	done | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

row() { # NAME SECONDS
	awk -v n="$1" -v r="$ROWS" -v s="$2" \
		'BEGIN { printf "%-36s %9d rows %7.2f s user %10.0f rows/s\n", n, r, s, (s > 0 ? r / s : 0) }'
}

row "lmrec-anon (user)" "$(user_median lmrec-anon -k "$dir/key" "$dir/in.tsv")"
row "lmrec-anon (user and item)" "$(user_median lmrec-anon -k "$dir/key" -c user -c item "$dir/in.tsv")"
# (its warnings about the generator's few duplicate rows are not the subject)
row "lmrec-ingest (vet the same stream)" "$(user_median lmrec-ingest -q "$dir/in.tsv" 2>/dev/null)"

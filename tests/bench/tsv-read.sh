#!/usr/bin/env bash
# Benchmark of the TSV reader: how fast lmrec reads and parses a canonical
# interactions stream, against wc -l and cut in the same run.
#
#   tests/bench/tsv-read.sh            (make bench runs it; needs make units-
#                                       style builds of tests/bench/*.c)
#   ROWS=1000000 RUNS=5 tests/bench/tsv-read.sh
#
# Makes a ROWS-row stream (default 10 million) with tests/bench/geninter
# under TMPDIR (removed at the end unless KEEP_DATA=1), and its gzip copy;
# then times each command RUNS times (default 3) and prints the medians:
# wall seconds, CPU seconds (user+sys), MB/s and rows/s of the uncompressed
# text, and lmrec's speed as a share of cut's. lmrec's reader here reads and
# parses every row: fields split and checked, user and item interned into
# dictionaries, ts parsed as an integer and weight as a float
# (tests/bench/tsvread). Figures only: it never fails on time.
set -euo pipefail

TOP="$(cd "$(dirname "$0")/../.." && pwd)"
ROWS="${ROWS:-10000000}"
RUNS="${RUNS:-3}"
export LC_ALL=C

for b in geninter tsvread; do
	[ -x "$TOP/tests/bench/$b" ] || { echo "tests/bench/$b is not built: run 'make bench'" >&2; exit 1; }
done

dir="$(mktemp -d "${TMPDIR:-/tmp}/lmrec-bench-tsv.XXXXXX")"
if [ -z "${KEEP_DATA:-}" ]; then
	trap 'rm -rf "$dir"' EXIT
fi
data="$dir/interactions.tsv"
"$TOP/tests/bench/geninter" "$ROWS" 1 >"$data"
gzip -6 -c "$data" >"$data.gz"
bytes=$(stat -c %s "$data")
gzbytes=$(stat -c %s "$data.gz")

# median of numbers on standard input
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# measure NAME COMMAND...: runs it RUNS times; prints "NAME wall cpu".
TIMEFORMAT='%R %U %S'
measure() {
	local name="$1" i t walls=() cpus=()
	shift
	for ((i = 0; i < RUNS; i++)); do
		t=$({ time "$@" >/dev/null 2>&1; } 2>&1)
		read -r w u s <<<"$t"
		walls+=("$w")
		cpus+=("$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')")
	done
	printf '%s\t%s\t%s\n' "$name" "$(printf '%s\n' "${walls[@]}" | median)" \
		"$(printf '%s\n' "${cpus[@]}" | median)"
}

results="$dir/results"
{
	measure 'wc -l' wc -l "$data"
	measure 'cut -f1,2' cut -f1,2 "$data"
	measure 'lmrec reader: split only' "$TOP/tests/bench/tsvread" --split-only "$data"
	measure 'lmrec reader: split and parse' "$TOP/tests/bench/tsvread" "$data"
	measure 'gzip -dc' gzip -dc "$data.gz"
	measure 'gzip -dc, piped to cut -f1,2' bash -c 'gzip -dc "$1" | cut -f1,2' - "$data.gz"
	measure 'lmrec reader: .gz, split and parse' "$TOP/tests/bench/tsvread" "$data.gz"
} >"$results"

echo "# TSV reader benchmark, $(date -u +%Y-%m-%d), $(nproc) cores, $(uname -m)"
echo "# $ROWS rows, $bytes bytes ($gzbytes gzipped); medians of $RUNS runs"
echo
echo '| command | wall s | CPU s | MB/s | rows/s | share of cut |'
echo '|---|---:|---:|---:|---:|---:|'
awk -F '\t' -v bytes="$bytes" -v rows="$ROWS" '
	{ name[NR] = $1; wall[NR] = $2; cpu[NR] = $3
	  if ($1 == "cut -f1,2") cut = $2
	  if ($1 == "gzip -dc, piped to cut -f1,2") gzcut = $2 }
	END {
		for (i = 1; i <= NR; i++) {
			ref = name[i] ~ /gz/ ? gzcut : cut
			share = (name[i] ~ /^lmrec/ && wall[i] > 0) ? sprintf("%.2f", ref / wall[i]) : ""
			mbs = wall[i] > 0 ? bytes / 1e6 / wall[i] : 0
			rps = wall[i] > 0 ? rows / wall[i] : 0
			printf "| %s | %.2f | %.2f | %.0f | %.0f | %s |\n", name[i], wall[i], cpu[i], mbs, rps, share
		}
	}' "$results"
echo
echo "# share of cut = cut's wall time / lmrec's (1.00: as fast as cut); the .gz row"
echo "# is compared with 'gzip -dc, piped to cut -f1,2'. MB/s count uncompressed bytes."

#!/usr/bin/env bash
# The nightly job's sequence model, incremental against from scratch: night
# 1 sees the sample data up to the last tenth of its time, night 2 all of
# it. Night 2 either continues night 1's network (INCREMENTAL=1: a few
# epochs over the users with new rows and a replay sample of the others) or
# trains from scratch (INCREMENTAL=0). Prints, for each, the fit-valid
# stage's seconds (where SASRec trains) and the test fold's NDCG@10 and
# HR@10 with their 95% intervals.
#
#   SASREC_OPTS="--epochs 30" JOBS=2 tests/bench/sasrec-nightly.sh
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
export PATH="$top/bin:$PATH" MODELS="${MODELS:-popular ease sasrec}" SASREC_OPTS="${SASREC_OPTS:---epochs 30}"
jobs=${JOBS:-2}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/d1" "$tmp/d2"
cp "$top/sample-data/items.tsv" "$tmp/d1/"
cp "$top/sample-data/items.tsv" "$tmp/d2/"
gzip -dc "$top/sample-data/interactions.tsv.gz" >"$tmp/d2/interactions.tsv"
cut90=$(awk -F'\t' 'NR > 1 { print $3 }' "$tmp/d2/interactions.tsv" | sort -n |
	awk '{ a[NR] = $1 } END { print a[int(NR * 0.9)] }')
awk -F'\t' -v c="$cut90" 'NR == 1 || $3 <= c' "$tmp/d2/interactions.tsv" >"$tmp/d1/interactions.tsv"
night() { # OUT DATA DATE [ENV...]
	local out=$1 data=$2 date=$3
	shift 3
	env "$@" "$top/pipelines/nightly.sh" -q --data "$data" --out "$out" --date "$date" --jobs "$jobs"
}
night "$tmp/inc" "$tmp/d1" 2026-11-01
night "$tmp/inc" "$tmp/d2" 2026-11-02 INCREMENTAL=1
night "$tmp/full" "$tmp/d2" 2026-11-02 INCREMENTAL=0
printf 'night 2\tfit-valid s\tNDCG@10\t95%% interval\tHR@10\n'
for k in inc full; do
	r="$tmp/$k/runs/2026-11-02"
	awk -F'\t' -v k="$k" 'FNR == NR { if ($1 == "fit-valid") s = $2; next }
		$1 == "ndcg" && $2 == 10 && $3 == "all" { n = $4; lo = $6; hi = $7 }
		$1 == "hr" && $2 == 10 && $3 == "all" { h = $4 }
		END { printf "%s\t%s\t%.4f\t%.4f-%.4f\t%.4f\n", k == "inc" ? "incremental" : "from scratch", s, n, lo, hi, h }' \
		"$r/stages.tsv" "$r/metrics.tsv"
done

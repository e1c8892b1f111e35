#!/usr/bin/env bash
# The demo: vets the sample data, splits it leave-last-out, recommends the
# popularity baseline and evaluates it. `make demo` runs it.
# usage: pipelines/demo.sh [DATA_DIR [OUT_DIR]]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PATH="$here/../bin:$PATH"
data="${1:-$here/../sample-data}"
out="${2:-$PWD/demo-out}"
mkdir -p "$out"

echo "lmrec demo: data $data, output $out" >&2
lmrec-ingest -q -o "$out/interactions.tsv.gz" "$data/interactions.tsv.gz"
lmrec-split -o "$out/folds.tsv.gz" "$out/interactions.tsv.gz"
gzip -dc "$out/folds.tsv.gz" | awk -F'\t' -v N=20 -f "$here/popular-baseline.awk" \
	>"$out/recommendations.tsv"
lmrec-eval -q --truth "$out/folds.tsv.gz" --items "$data/items.tsv" --k 10,20 \
	-o "$out/metrics.tsv" "$out/recommendations.tsv"

echo >&2
column -t -s "$(printf '\t')" "$out/metrics.tsv" >&2 2>/dev/null || cat "$out/metrics.tsv" >&2
echo >&2
echo "recommendations: $out/recommendations.tsv" >&2
echo "metrics:         $out/metrics.tsv" >&2

#!/usr/bin/env bash
# The demo: one night of the nightly job over the sample data, then the
# head of the table it published. `make demo` runs it.
# usage: pipelines/demo.sh [OUT_DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$PWD/demo-out}"
case "$out" in -*) out="./$out" ;; esac # a folder named like an option

"$here/nightly.sh" --out "$out"
table="$out/current/recommendations.tsv.gz"
echo
echo "The published table: $table"
# (awk reads to the end: head would leave gzip to die of SIGPIPE under pipefail)
gzip -dc "$table" | awk 'NR <= 11'
echo
echo "Metrics of the night: $out/current/metrics.tsv"
awk -F'\t' 'NR == 1 || ($3 == "all" && ($1 == "hr" || $1 == "ndcg" || $1 == "coverage"))' \
	"$out/current/metrics.tsv"
echo
echo "Similar items (for item pages): $out/current/similar-items.tsv.gz"
echo "The morning page (open it in a browser): $out/current/report.html"

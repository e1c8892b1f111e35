#!/usr/bin/env bash
# The morning page at the MovieLens-20M shape: a run folder with 20,000,263
# interactions (lmrec-synth --shape ml20m) and a top-10 table for all
# 138,493 users, 30 nights of history; the page's size, the time
# lmrec-report takes, and the time headless Chromium takes to load and
# render it (medians of 3).
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
PATH="$top/bin:$PATH"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run="$tmp/out/runs/2026-11-30"
mkdir -p "$run/work" "$run/log"
lmrec-synth -q --shape ml20m --stream interactions -o "$run/work/interactions.tsv.gz"
lmrec-train -q --model popular --folds all -o "$tmp/pop.lmrc" "$run/work/interactions.tsv.gz"
lmrec-recall -q -m "$tmp/pop.lmrc" -n 10 -j 2 -o "$tmp/cand.tsv"
lmrec-rank -q -n 10 -o "$run/recommendations.tsv.gz" "$tmp/cand.tsv"
# metrics, gate, stages, status, and 30 nights of history
printf 'metric\tk\tsegment\tvalue\tn\tlo\thi\n' >"$run/metrics.tsv"
for m in hr ndcg recall mrr coverage novelty gini; do
	for seg in all item=cold item=warm activity=0-5 activity=6-20 activity=21+; do
		printf '%s\t10\t%s\t0.05\t138493\t0.04\t0.06\n' "$m" "$seg" >>"$run/metrics.tsv"
	done
done
printf 'metric\tk\tvalue\tlo\thi\tprevious\ttolerance\tverdict\treason\nndcg\t10\t0.05\t0.04\t0.06\t0.05\t0\tpass\tok\n' >"$run/gate.tsv"
printf 'stage\tseconds\tmax_rss_kb\tstatus\n' >"$run/stages.tsv"
for s in ingest split fit-valid weights fit-test evaluate fit-full recommend similar churn gate report publish; do
	printf '%s\t100\t1000000\tok\n' "$s" >>"$run/stages.tsv"
done
printf 'metric\tvalue\tn\nchurn\t0.1\t138493\n' >"$run/churn.tsv"
echo published >"$run/status"
{
	printf 'date\tmetric\tk\tsegment\tvalue\tlo\thi\tstatus\n'
	for d in $(seq 1 29); do
		day=$(date -u -d "2026-10-31 + $d days" +%F)
		for m in hr ndcg coverage; do printf '%s\t%s\t10\tall\t0.05\t0.04\t0.06\tpublished\n' "$day" "$m"; done
		printf '%s\tchurn\t\tall\t0.1\t\t\tpublished\n' "$day"
	done
} >"$tmp/out/history.tsv"
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
for r in 1 2 3; do
	/usr/bin/time -f '%e %M' -o "$tmp/t" lmrec-report -q "$run" -o "$run/report.html"
	cat "$tmp/t"
done >"$tmp/times"
size=$(wc -c <"$run/report.html")
if command -v chromium >/dev/null; then
	for r in 1 2 3; do
		s=$(date +%s.%N)
		timeout 60 chromium --headless --no-sandbox --disable-gpu --no-first-run \
			--disable-background-networking --disable-component-update --disable-sync \
			--user-data-dir="$(mktemp -d "$tmp/c.XXXXXX")" --dump-dom "file://$run/report.html" \
			>"$tmp/dom" 2>/dev/null
		awk -v a="$s" -v b="$(date +%s.%N)" 'BEGIN { print b - a }'
	done >"$tmp/chrome"
	render=$(median <"$tmp/chrome")
else
	render=absent
fi
echo "The morning page at the MovieLens-20M shape (20,000,263 interactions, 138,493 users)"
printf '  page size:               %d bytes (%.2f MB)\n' "$size" "$(awk -v s="$size" 'BEGIN { print s / 1048576 }')"
printf '  lmrec-report:            %s s, peak RSS %s MB\n' "$(cut -d' ' -f1 "$tmp/times" | median)" \
	"$(($(cut -d' ' -f2 "$tmp/times" | median) / 1024))"
printf '  headless Chromium load:  %s s (start, load, render, DOM dump)\n' "$render"

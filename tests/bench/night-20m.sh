#!/usr/bin/env bash
# The nightly job on a MovieLens-20M-shaped day (issue 10): lmrec-synth's
# ml20m shape (138,493 users, 27,278 items with titles, genres and tags,
# 20,000,263 half-star ratings over 1995-2015), then pipelines/nightly.sh
# from ingest to publish with ALS, the semantic channel (TF-IDF vectors:
# no download) and a few epochs of SASRec. Prints each stage's wall seconds
# and peak RSS (from the run's stages.tsv: the largest process of the
# stage, so a stage of JOBS shards at once may hold up to JOBS times that)
# and the totals, and appends them to tests/bench/RESULTS.md with the date,
# the machine and its load. Not part of `make bench`: `make bench-20m`.
#
#   nice -n 10 make bench-20m
#   ROWS=2000000 RESULTS=/dev/null tests/bench/night-20m.sh
#
# ROWS, USERS, ITEMS, SEED: the data (default the ml20m shape, seed 1);
# LMREC_BENCH_CACHE=DIR keeps the generated data in DIR (made once per
# shape, seed and lmrec-synth version) instead of a temporary folder;
# JOBS (2), MODELS ("als semantic sasrec"), EMBED (tfidf), SASREC_OPTS,
# ALS_OPTS, EVAL_USERS: the night's settings; NIGHT_OUT=DIR keeps the night's folder;
# RESULTS=FILE where the figures go (/dev/null: nowhere).
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
export PATH="$top/bin:$PATH"
rows=${ROWS:-20000263} users=${USERS:-138493} items=${ITEMS:-27278} seed=${SEED:-1} jobs=${JOBS:-2}
results=${RESULTS:-$top/tests/bench/RESULTS.md}
export MODELS="${MODELS:-als semantic sasrec}" EMBED="${EMBED:-tfidf}"
# SASRec: three epochs of the sampled softmax over the last 50 items (the
# default, a full softmax over 27,278 items at every position, is by its
# products about twenty times the work of an epoch); ALS: 5 iterations
# instead of 15 (ALS is trained three times a night: valid, test, full).
# SASREC_OPTS= or ALS_OPTS= (empty) runs lmrec-train's defaults.
export SASREC_OPTS="${SASREC_OPTS---epochs 3 --patience 0 --loss sampled --maxlen 50}"
export ALS_OPTS="${ALS_OPTS---iters 5}"
# the weights and evaluate stages, and SASRec's early stopping, score a
# seeded sample of 20,000 users rather than all 138,493 (their intervals
# 2.6 times as wide); EVAL_USERS=0 scores every user
export EVAL_USERS="${EVAL_USERS-20000}"
date=2015-04-01 # the morning after the shape's last day

tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT
load() { cut -d' ' -f1-3 /proc/loadavg; }

# ---- the data ----
shape=(--shape ml20m --seed "$seed" --users "$users" --items "$items" --interactions "$rows")
# what the generator makes of a small shape: a cache made by another
# version of it is made again
version=$(for s in items users interactions; do
	lmrec-synth -q --seed "$seed" --users 50 --items 100 --interactions 2000 --stream "$s"
done | sha256sum | cut -d' ' -f1)
if [ -n "${LMREC_BENCH_CACHE:-}" ]; then
	data="$LMREC_BENCH_CACHE/ml20m-s$seed-u$users-i$items-r$rows"
else
	data="$tmp/data"
fi
gen_s="" gen_kb=""
if [ ! -f "$data/.made" ] || [ "$(cat "$data/.made")" != "$version" ]; then
	mkdir -p "${data%/*}"
	rm -rf -- "$data" "$data.tmp"
	echo "night-20m: generating $rows interactions into $data" >&2
	/usr/bin/time -f '%e\t%M' -o "$tmp/gen.time" \
		lmrec-synth -q "${shape[@]}" --out "$data.tmp"
	printf '%s\n' "$version" >"$data.tmp/.made"
	mv -- "$data.tmp" "$data"
	IFS=$'\t' read -r gen_s gen_kb <"$tmp/gen.time"
else
	echo "night-20m: the data of $data (made earlier)" >&2
fi

# ---- the night ----
out="${NIGHT_OUT:-$tmp/out}"
rm -rf -- "$out"
load_before=$(load)
started=$(date -u '+%Y-%m-%d %H:%M UTC')
echo "night-20m: nightly.sh --jobs $jobs, MODELS=\"$MODELS\" EMBED=$EMBED SASREC_OPTS=\"$SASREC_OPTS\"; load $load_before" >&2
rc=0
/usr/bin/time -f '%e\t%M' -o "$tmp/night.time" \
	"$top/pipelines/nightly.sh" --data "$data" --out "$out" --date "$date" --jobs "$jobs" || rc=$?
load_after=$(load)
IFS=$'\t' read -r night_s _ < <(tail -n 1 "$tmp/night.time")
stages="$out/runs/$date/stages.tsv"
[ -f "$stages" ] || { echo "night-20m: the night wrote no stages.tsv (exit $rc)" >&2; exit 1; }

# ---- the figures ----
table() {
	printf '| stage | wall s | peak RSS MiB | status |\n|---|---:|---:|---|\n'
	[ -z "$gen_s" ] || printf '| (generate the data) | %s | %.0f | ok |\n' "$gen_s" "$(echo "$gen_kb" | awk '{ print $1 / 1024 }')"
	awk -F'\t' -v night="$night_s" 'NR > 1 {
		printf "| %s | %s | %.0f | %s |\n", $1, $2, $3 / 1024, $4
		s += $2; if ($3 > m) m = $3
	} END { printf "| **all stages** | **%.1f** (%.1f min; the whole job %.1f) | **%.0f** (peak of one stage) | |\n", s, s / 60, night, m / 1024 }' "$stages"
}
table
{
	printf '\n## The MovieLens-20M-shaped night, %s (%s)\n\n' "$started" "\`night-20m.sh\`"
	printf 'lmrec %s, %s cores (%s), %s GiB; load average %s before, %s after. ' \
		"$(lmrec-train --version | awk '{ print $NF }')" "$(nproc)" \
		"$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" \
		"$(awk '/^MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)" "$load_before" "$load_after"
	printf '%s rows, %s users, %s items, seed %s; nightly.sh --jobs %s, MODELS="%s", EMBED=%s, SASREC_OPTS="%s"%s%s; exit %s.\n\n' \
		"$rows" "$users" "$items" "$seed" "$jobs" "$MODELS" "$EMBED" "$SASREC_OPTS" \
		"${ALS_OPTS:+, ALS_OPTS=\"$ALS_OPTS\"}" "${EVAL_USERS:+, EVAL_USERS=$EVAL_USERS}" "$rc"
	table
	metrics="$out/runs/$date/metrics.tsv"
	[ ! -f "$metrics" ] || awk -F'\t' '$2 == 10 && $3 == "all" && ($1 == "ndcg" || $1 == "hr") {
		printf "%s%s@10 %.4f (95%%: %.4f-%.4f, %d users)", sep, toupper($1), $4, $6, $7, $5; sep = "; " }
		END { if (sep != "") printf ", test fold.\n" }' "$metrics" | sed 's/^/\n/' 
} >>"$results"
echo "night-20m: figures appended to $results" >&2
exit "$rc"

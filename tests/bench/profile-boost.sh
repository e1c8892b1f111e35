#!/usr/bin/env bash
# The long-term profiles' boost in the published lists (nightly.sh
# PROFILE_WEIGHT, lmrec-rank --profiles --profile-weight): what it does to
# the next days' new items.
#
# For each cut date C (CUTS) the data is what was known before C: the
# sample data's interactions and feedback before C (its items and users
# whole). The nightly job runs for the day before C with its defaults
# (every channel, the profile store folded from those rows and the
# feedback, with PROFILE_HALF_LIFE), then its recommend stage again for
# each weight of WEIGHTS (--from-stage recommend: the same models and
# channel weights, only lmrec-rank's boost differs). Each published table
# is scored on the DAYS days from C on: the users with rows before C and
# their items of those days new to them, NDCG@10 and HR@10 over the whole
# table (lmrec-eval), and the ratio of each weight's NDCG@10 to weight 0's
# (the refusals alone), paired user by user with a 95% bootstrap interval.
# The evaluate stage's metrics cannot tell this: its lists do not read the
# store, which holds the test fold's rows.
#
# Prints a TSV: cut, half_life, weight, ndcg10, hr10, users, and the
# paired ratio against weight 0; then the same pooled over the cuts.
# About 5 minutes a cut on 2 cores (the night), 20 s a weight.
#
#   CUTS="2026-10-17 2026-10-24" WEIGHTS="0 0.05 0.1 0.2" tests/bench/profile-boost.sh
#   PROFILE_HALF_LIFE=7 tests/bench/profile-boost.sh
#
# Variables: CUTS, WEIGHTS, DAYS (7), PROFILE_HALF_LIFE (the nightly's
# default), JOBS (2), SEED (the bootstrap's, 1), KEEP (a folder to do the
# work in and keep).
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
export PATH="$top/bin:$PATH" LC_ALL=C TZ=UTC
cuts=${CUTS:-2026-10-17 2026-10-24}
weights=${WEIGHTS:-0 0.05 0.1 0.2}
days=${DAYS:-7} jobs=${JOBS:-2} seed=${SEED:-1}
[[ " $weights " = *" 0 "* ]] || { echo "profile-boost.sh: WEIGHTS must hold 0 (the reference)" >&2; exit 2; }
[[ "$days" =~ ^[1-9][0-9]*$ ]] || { echo "profile-boost.sh: DAYS wants a positive integer, not '$days'" >&2; exit 2; }
# shellcheck source=tests/bench/common.bash
. "$top/tests/bench/common.bash"
work_dir
sd="$top/sample-data"
hl=${PROFILE_HALF_LIFE:-30}

printf 'cut\thalf_life\tweight\tndcg10\thr10\tusers\tndcg10_vs_0\n'
for cut in $cuts; do
	c=$(date -d "$cut" +%s)
	e=$((c + days * 86400))
	d="$tmp/$cut"
	mkdir -p "$d/data"
	cp "$sd/items.tsv" "$sd/users.tsv" "$d/data/"
	gzip -dc "$sd/interactions.tsv.gz" >"$d/all.tsv"
	# before the cut: what the night knows; the DAYS after it: the truth
	awk -F'\t' -v c="$c" 'NR == 1 { for (k = 1; k <= NF; k++) if ($k == "ts") t = k; print; next } $t < c' \
		"$d/all.tsv" >"$d/data/interactions.tsv"
	awk -F'\t' -v c="$c" 'NR == 1 { for (k = 1; k <= NF; k++) if ($k == "ts") t = k; print; next } $t < c' \
		"$sd/feedback.tsv" >"$d/data/feedback.tsv"
	awk -F'\t' -v OFS='\t' -v c="$c" -v e="$e" 'NR == 1 { for (k = 1; k <= NF; k++) if ($k == "ts") t = k; print "user", "item"; next }
		$t < c { seen[$1, $2] = 1; u[$1] = 1; next }
		$t < e && ($1 in u) && !(($1, $2) in seen) && !(($1, $2) in done) { done[$1, $2] = 1; print $1, $2 }' \
		"$d/all.tsv" >"$d/truth.tsv"
	night=$(date -d "@$((c - 86400))" +%F)
	PROFILE_HALF_LIFE=$hl "$top/pipelines/nightly.sh" -q --data "$d/data" --out "$d/out" --date "$night" --jobs "$jobs"
	for w in $weights; do
		PROFILE_HALF_LIFE=$hl PROFILE_WEIGHT="$w" "$top/pipelines/nightly.sh" -q --data "$d/data" --out "$d/out" \
			--date "$night" --jobs "$jobs" --from-stage recommend
		gzip -dc "$d/out/current/recommendations.tsv.gz" >"$d/recs-$w.tsv"
		user_ndcg "$d/truth.tsv" "$d/recs-$w.tsv" >"$d/user-$w"
	done
	for w in $weights; do
		join -t $'\t' "$d/user-$w" "$d/user-0" | sed "s/^/$cut\t/" >"$d/pairs-$w"
		m=$(ndcg_hr "$d/truth.tsv" "$d/recs-$w.tsv")
		printf '%s\t%s\t%s\t%s\t%s\n' "$cut" "$hl" "$w" "$m" "$(boot "$d/pairs-$w")"
	done
done | tee "$tmp/rows.tsv"
# pooled over the cuts: the users of every cut, paired
for w in $weights; do
	for cut in $cuts; do cat "$tmp/$cut/pairs-$w"; done >"$tmp/pairs-$w"
	awk -F'\t' -v OFS='\t' -v w="$w" -v h="$hl" '$3 == w { s += $4 * $6; r += $5 * $6; n += $6 }
		END { printf "all\t%s\t%s\t%.4f\t%.4f\t%d\t", h, w, s / n, r / n, n }' "$tmp/rows.tsv"
	boot "$tmp/pairs-$w"
	echo
done

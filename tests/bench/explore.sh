#!/usr/bin/env bash
# Exploration budgets (nightly.sh EXPLORE, lmrec-rank --explore): how many
# of the items in their first three days get any exposure, and what it
# costs in NDCG@10.
#
# For each cut date C (CUTS, default three dates ten days apart in the
# sample data's last month) the data is what was known at the end of C:
# the interactions up to then, the items released by then. The nightly
# job (default MODELS: the content channels score the new items) runs for
# C with each budget (BUDGETS, shares of each list); printed per cut and
# budget: the items released in the three days up to C, how many of them
# appear in some user's published list, the share of lists that hold
# one, and the evaluate stage's NDCG@10 (leave-last-out test fold, with
# the same budget). Then the same summed over the cuts.
#
#   CUTS="2026-10-10 2026-10-20 2026-10-30" BUDGETS="0 0.1 0.2 0.3" JOBS=2 tests/bench/explore.sh
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
export PATH="$top/bin:$PATH"
data=${DATA:-$top/sample-data}
cuts=${CUTS:-2026-10-10 2026-10-20 2026-10-30}
budgets=${BUDGETS:-0 0.1 0.2 0.3}
jobs=${JOBS:-2}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

printf 'cut\tbudget\tnew_items\texposed\texposed_share\tlists_with_new\tndcg10\n'
for cut in $cuts; do
	end=$(($(date -u -d "$cut" +%s) + 86399))
	d="$tmp/data-$cut"
	mkdir -p "$d"
	# what was known at the end of the cut day
	awk -F'\t' -v end="$end" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "released") r = i; print; next }
		!r || $r == "" || $r <= end' "$data/items.tsv" >"$d/items.tsv"
	gzip -dc "$data/interactions.tsv.gz" | awk -F'\t' -v end="$end" 'NR == 1 || $3 <= end' | gzip -1 >"$d/interactions.tsv.gz"
	awk -F'\t' -v end="$end" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "released") r = i; next }
		r && $r != "" && $r <= end && end - $r < 3 * 86400 { print $1 }' "$d/items.tsv" | sort >"$d/new"
	for b in $budgets; do
		out="$tmp/out-$cut-$b"
		EXPLORE="$b" "$top/pipelines/nightly.sh" -q --data "$d" --out "$out" --date "$cut" --jobs "$jobs"
		r="$out/runs/$cut"
		gzip -dc "$r/recommendations.tsv.gz" | awk -F'\t' -v cut="$cut" -v b="$b" -v nd="$(awk -F'\t' '$1 == "ndcg" && $2 == 10 && $3 == "all" { print $4 }' "$r/metrics.tsv")" '
			NR == FNR { isnew[$1] = 1; n++; next }
			FNR == 1 { next }
			{ users[$1] = 1 }
			$3 in isnew { seen[$3] = 1; withnew[$1] = 1 }
			END { for (i in seen) e++; for (u in users) nu++; for (u in withnew) nw++
				printf "%s\t%s\t%d\t%d\t%.3f\t%.3f\t%.4f\n", cut, b, n, e, n ? e / n : 0, nu ? nw / nu : 0, nd }' \
			"$d/new" -
	done
done | tee "$tmp/rows.tsv"
# summed over the cuts: exposed new items over all new items, mean NDCG@10
awk -F'\t' '{ n[$2] += $3; e[$2] += $4; l[$2] += $6; s[$2] += $7; k[$2]++ }
	END { for (b in n) printf "all\t%s\t%d\t%d\t%.3f\t%.3f\t%.4f\n", b, n[b], e[b], n[b] ? e[b] / n[b] : 0, l[b] / k[b], s[b] / k[b] }' \
	"$tmp/rows.tsv" | sort -t "$(printf '\t')" -k2,2g

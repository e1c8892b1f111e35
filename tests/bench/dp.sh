#!/usr/bin/env bash
# What differential privacy costs the similar-items lists of lmrec-similar
# --counts (and its popularity list), on MovieLens-100K.
#
# The reference is the non-private lists: --counts without cap or noise
# (item-kNN's cosine, shrink 10), 10 items a list. Each row is one release:
# the cap alone (--dp-max-per-user, no noise), then each mechanism at its
# default cap (laplace 10, gaussian 50 with delta 1e-6) for epsilon in
# EPSILONS, seed 1, the threshold the noise floor. Columns:
#   lists      items with a list (of the reference's)
#   ov@10      overlap@10 with the reference, the mean over the items with a
#              reference list (an item without a list counts 0)
#   ov@10top   the same over the 100 items of most users
#   kept_ov    the mean over the items that keep a list
#   suppr      the share of reference lists gone (suppressed item, or every
#              pair below the threshold)
#   pop@20     overlap of the popularity list's top 20 with the true top 20
#   thresh     the support threshold used (the noise floor)
#   scale      Laplace b or Gaussian sigma
# Then the same on a larger population: every user of MovieLens-100K
# replicated REPLICATE times (default 20: 18,860 users with the same tastes),
# to show how the cost falls as the counts grow against the noise (the noise
# does not grow with the users; the counts do).
#
#   tests/bench/dp.sh                   (make bench runs it)
#   EPSILONS="1 8" REPLICATE=0 tests/bench/dp.sh
#
# Needs $LMREC_DATASETS (default ../shared/datasets) with ml-100k; skipped
# when absent. About 30 s of CPU. Figures only: it never fails on them.
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
PATH="$top/bin:$PATH"
export LC_ALL=C
ds="${LMREC_DATASETS:-$top/../shared/datasets}"
epsilons="${EPSILONS:-0.5 1 2 4 8}"
replicate="${REPLICATE:-20}"
if [ ! -f "$ds/ml-100k/u.data" ]; then
	echo "dp.sh: $ds/ml-100k is absent: skipped" >&2
	exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lmrec-bench-dp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

lmrec-ingest -q -o "$tmp/inter.tsv" "$ds/ml-100k/u.data"
lmrec-ingest -q -o "$tmp/items.tsv" "$ds/ml-100k/u.item"

# measure REF REFPOP TOP100 OUT POP: the columns lists .. pop@20
measure() {
	awk -F'\t' '
		FNR == 1 { f++; next }
		f == 1 { ref[$1, $3] = 1; nref[$1]++; next }
		f == 2 { if ($1 <= 20) truepop[$2] = 1; next }
		f == 3 { if (FNR <= 101) top[$2] = 1; next }
		f == 4 { n[$1]++; if (($1, $3) in ref) hit[$1]++; next }
		f == 5 { if ($1 <= 20 && ($2 in truepop)) pop++; next }
		END {
			for (i in nref) {
				items++; o = (hit[i] + 0) / nref[i]; s += o
				if (i in top) { st += o; nt++ }
				if (i in n) { kept++; sk += o } else lost++
			}
			printf "%d\t%.3f\t%.3f\t%.3f\t%.3f\t%.2f", kept, s / items, nt ? st / nt : 0,
				kept ? sk / kept : 0, lost / items, pop / 20
		}' "$1" "$2" "$3" "$4" "$5"
}

# table INTERACTIONS: the rows for one population
table() {
	local in="$1" e k mech d
	lmrec-similar -q --counts -n 10 --popular "$tmp/refpop.tsv" -o "$tmp/ref.tsv" "$in"
	printf 'release\tepsilon\tcap\tlists\tov@10\tov@10top\tkept_ov\tsuppr\tpop@20\tthresh\tscale\n'
	printf 'none (reference)\t\t\t%s\t\t\n' "$(measure "$tmp/ref.tsv" "$tmp/refpop.tsv" "$tmp/refpop.tsv" "$tmp/ref.tsv" "$tmp/refpop.tsv")"
	for k in 10 50; do
		lmrec-similar -q --counts -n 10 --dp-max-per-user "$k" -s 1 --popular "$tmp/pop.tsv" -o "$tmp/out.tsv" "$in"
		printf 'cap only\t\t%s\t%s\t1\t\n' "$k" \
			"$(measure "$tmp/ref.tsv" "$tmp/refpop.tsv" "$tmp/refpop.tsv" "$tmp/out.tsv" "$tmp/pop.tsv")"
	done
	for mech in laplace gaussian; do
		d=()
		[ "$mech" = laplace ] || d=(--dp-delta 1e-6)
		for e in $epsilons; do
			lmrec-similar --counts -n 10 --items "$tmp/items.tsv" --dp-epsilon "$e" --dp-mechanism "$mech" "${d[@]}" \
				-s 1 --popular "$tmp/pop.tsv" --privacy-record "$tmp/rec.tsv" -o "$tmp/out.tsv" "$in" 2>/dev/null
			printf '%s\t%s\t%s\t%s\t%s\t%.4g\n' "$mech" "$e" "$(awk -F'\t' 'NR == 2 { print $5 }' "$tmp/rec.tsv")" \
				"$(measure "$tmp/ref.tsv" "$tmp/refpop.tsv" "$tmp/refpop.tsv" "$tmp/out.tsv" "$tmp/pop.tsv")" \
				"$(awk -F'\t' 'NR == 2 { print $11 }' "$tmp/rec.tsv")" "$(awk -F'\t' 'NR == 2 { print $10 }' "$tmp/rec.tsv")"
		done
	done
}

echo "== MovieLens-100K: 943 users, 1,682 items, 100,000 ratings"
table "$tmp/inter.tsv" | column -t -s $'\t'
if [ "$replicate" -gt 1 ]; then
	awk -F'\t' -v OFS='\t' -v r="$replicate" 'NR == 1 { print; next }
		{ u = $1; for (k = 1; k <= r; k++) { $1 = u "x" k; print } }' "$tmp/inter.tsv" >"$tmp/rep.tsv"
	echo
	echo "== MovieLens-100K, every user $replicate times: $((943 * replicate)) users"
	table "$tmp/rep.tsv" | column -t -s $'\t'
fi

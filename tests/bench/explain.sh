#!/usr/bin/env bash
# The faithfulness of lmrec-rank --explain full on MovieLens-100K, per
# channel mix: for every row of every user's top 10, the first history
# item the row's explanation cites is removed from that user's history,
# the user is recalled and ranked again, and the row's item's score is
# read (tests/faithfulness.sh). A row counts as lowered when the score
# fell; the share is lowered / rows that cite an item. model_share is the
# same for the models' own scores of the item, in the channels whose
# contributions list the cited item (the contributions' faithfulness,
# before the ranker's normalisation).
#
# Models trained on all 100,000 ratings (each user known to them, so the
# removed item stays out of the candidates: only its part as evidence is
# gone); lmrec-recall --history (the same ratings) --fold-in
# --contributions 3 -n 100, lmrec-rank with equal weights and the default
# rank normalisation (and minmax where NORMS says). sasrec is trained
# briefly (SASREC_EPOCHS, default 20): the point is its explanations, not
# its accuracy.
#
# Then, for the single channels, the rows whose score did not fall: how
# many of a seeded sample (CEILING_ROWS, default 40, 0 to skip) any single
# history item's removal would lower at all. When none would, no
# explanation citing one item could pass the deletion test on that row:
# with the rank normalisation a channel's feature is its candidate's place
# among the user's candidates, and a row far ahead of the next one keeps
# its place whatever one item is removed.
#
# Prints TSV tables on standard output. Needs $LMREC_DATASETS (default
# ../shared/datasets) with ml-100k; skipped when absent. About ten minutes
# on two busy cores (CEILING_ROWS=0 and fewer MIXES make it shorter).
#
#   MIXES="ease itemknn+ease" NORMS="rank minmax" tests/bench/explain.sh
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
PATH="$top/bin:$PATH"
export LC_ALL=C OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
ds="${LMREC_DATASETS:-$top/../shared/datasets}"
mixes="${MIXES:-itemknn ease als bpr sasrec popular+itemknn+ease+als itemknn+ease+als+sasrec}"
norms="${NORMS:-rank}"
ceiling_rows="${CEILING_ROWS:-40}"
if [ ! -f "$ds/ml-100k/u.data" ]; then
	echo "explain.sh: $ds/ml-100k is absent: skipped" >&2
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
t0=$(date +%s)

lmrec-ingest -q -o "$tmp/inter.tsv" "$ds/ml-100k/u.data"
needed=" ${mixes//+/ } "
for m in popular itemknn ease als bpr; do
	[[ "$needed" == *" $m "* ]] && lmrec-train -q --model "$m" -o "$tmp/$m.lmrc" "$tmp/inter.tsv"
done
if [[ "$needed" == *" sasrec "* ]]; then
	lmrec-train -q --model sasrec --factors 32 --maxlen 50 --epochs "${SASREC_EPOCHS:-20}" --folds all \
		-o "$tmp/sasrec.lmrc" "$tmp/inter.tsv"
fi

# ceiling MODEL...: of a sample of the rows whose score did not fall
# ($tmp/out/rows.tsv), those that some single history item's removal
# lowers. Each (row, item) is a user of its own, named ROW#N, whose history
# is the user's without the item; the item is dropped from their
# candidates before ranking, as lmrec-recall drops a known user's items.
ceiling() {
	awk -F'\t' 'NR > 1 && !($6 + 0 < $4 + 0)' "$tmp/out/rows.tsv" |
		awk -v n="$ceiling_rows" 'BEGIN { srand(1) } { print rand() "\t" $0 }' | LC_ALL=C sort -k1,1 |
		head -n "$ceiling_rows" | cut -f2- >"$tmp/stay.tsv"
	[ -s "$tmp/stay.tsv" ] || { printf '0\t0\n'; return; }
	# the pseudo-users' histories and the item each leaves out
	awk -F'\t' -v OFS='\t' '
		FILENAME == ARGV[1] { want[$1] = want[$1] " " FNR; row[FNR] = $0; next }
		FNR == 1 { print > "'"$tmp/ph.tsv"'"; next }
		$1 in want { h[$1] = h[$1] SUBSEP $2; line[$1, $2] = $0 }
		END {
			for (u in want) {
				nr = split(substr(want[u], 2), rs, " ")
				for (r = 1; r <= nr; r++) {
					ni = split(substr(h[u], 2), its, SUBSEP)
					for (j = 1; j <= ni; j++) {
						p = "r" rs[r] "#" j
						print p, its[j] > "'"$tmp/drop.tsv"'"
						print p, rs[r] > "'"$tmp/prow.tsv"'"
						for (k = 1; k <= ni; k++)
							if (k != j) { l = line[u, its[k]]; sub(/^[^\t]*/, p, l); print l > "'"$tmp/ph.tsv"'" }
					}
				}
			}
		}' "$tmp/stay.tsv" "$tmp/inter.tsv"
	{ echo user; cut -f1 "$tmp/drop.tsv"; } >"$tmp/pu.tsv"
	local margs=() m
	for m in "$@"; do margs+=(-m "$m"); done
	lmrec-recall -q "${margs[@]}" --users "$tmp/pu.tsv" --history "$tmp/ph.tsv" --fold-in -n 101 -o "$tmp/pc.tsv"
	# without the item, and 100 a user as in the runs measured
	awk -F'\t' 'FILENAME == ARGV[1] { drop[$1] = $2; next } FNR == 1 || (drop[$1] != $2 && ++n[$1] <= 100)' \
		"$tmp/drop.tsv" "$tmp/pc.tsv" >"$tmp/pc2.tsv"
	lmrec-rank -q -n 1000000 --pool 1000000 -o "$tmp/pr.tsv" "$tmp/pc2.tsv"
	awk -F'\t' '
		FILENAME == ARGV[1] { score[FNR] = $4; item[FNR] = $3; next }
		FILENAME == ARGV[2] { prow[$1] = $2; next }
		FNR > 1 { r = prow[$1]; if ($3 == item[r] && $4 + 0 < score[r] + 0) low[r] = 1 }
		END { n = 0; for (r in score) n++; m = 0; for (r in low) m++; printf "%d\t%d\n", n, m }' \
		"$tmp/stay.tsv" "$tmp/prow.tsv" "$tmp/pr.tsv"
}

echo "# MovieLens-100K, every user's top 10 (943 users), models trained on all ratings"
printf 'mix\tnormalize\trows\tcited\tlowered\tunchanged\traised\tshare\tmodel_rows\tmodel_lowered\tmodel_share\tsampled_not_lowered\tany_removal_lowers\n'
for mix in $mixes; do
	models=()
	for m in ${mix//+/ }; do models+=("$tmp/$m.lmrc"); done
	for norm in $norms; do
		mkdir -p "$tmp/out"
		line=$("$top/tests/faithfulness.sh" -r "--normalize $norm" -o "$tmp/out" "$tmp/inter.tsv" "${models[@]}" |
			tail -n 1)
		ceil="-	-"
		if [ "$ceiling_rows" -gt 0 ] && [ "${#models[@]}" -eq 1 ] && [ "$norm" = rank ]; then
			ceil=$(ceiling "${models[@]}")
		fi
		printf '%s\t%s\t%s\t%s\n' "$mix" "$norm" "$line" "$ceil"
	done
done
echo "# $(($(date +%s) - t0)) s" >&2

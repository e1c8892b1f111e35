#!/usr/bin/env bash
# Fairness and bias on MovieLens-100K: the trade-off between accuracy and
# spread of lmrec-rank's --calibrate (Steck 2018) and --pop-penalty, and
# lmrec-eval's metrics per user group.
#
# EASE (lmrec-train defaults) trained on the train and valid folds of the
# leave-last-out split, 200 candidates a user from lmrec-recall, re-ranked
# to 10 by lmrec-rank; every list scored on the test fold (full ranking,
# 943 users) by lmrec-eval: NDCG@10, HR@10, coverage@10 and the Gini of
# exposure over the 1,682 movies, the mean popularity of the items shown,
# the gap of NDCG@10 between the best and worst group of gender and of
# activity (4 quantile groups), and the miscalibration: the mean over users
# of KL(p || 0.99 q + 0.01 p), p the genre mix of the user's train and valid
# items and q that of the list (computed here in awk, independently of
# lib/calibrate.c). Then, for the plain list (lambda = beta = 0), every
# metric per gender, age band (the bands of MovieLens-1M) and activity
# group, with the gaps.
#
# Prints TSV tables on standard output. Needs $LMREC_DATASETS (default
# ../shared/datasets) with ml-100k; skipped when absent. About a minute.
#
#   LAMBDAS="0 0.1 0.3" BETAS="0 0.5" tests/bench/fairness.sh
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
PATH="$top/bin:$PATH"
export LC_ALL=C OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
ds="${LMREC_DATASETS:-$top/../shared/datasets}"
lambdas="${LAMBDAS:-0 0.05 0.1 0.2 0.3 0.5 0.7 0.9}"
betas="${BETAS:-0.1 0.2 0.3 0.5 0.75 1 1.5 2}"
if [ ! -f "$ds/ml-100k/u.data" ]; then
	echo "fairness.sh: $ds/ml-100k is absent: skipped" >&2
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
t0=$(date +%s)

lmrec-ingest -q -o "$tmp/inter.tsv" "$ds/ml-100k/u.data"
lmrec-ingest -q -o "$tmp/items.tsv" "$ds/ml-100k/u.item"
# the groups stream, as lmrec-eval(1) shows it
awk -F'|' -v OFS='\t' '
	BEGIN { print "user", "age", "gender", "occupation" }
	{ a = $2 < 18 ? "0-17" : $2 < 25 ? "18-24" : $2 < 35 ? "25-34" :
	      $2 < 45 ? "35-44" : $2 < 50 ? "45-49" : $2 < 56 ? "50-55" : "56+"
	  print $1, a, $3, $4 }' "$ds/ml-100k/u.user" >"$tmp/groups.tsv"
cut -f1,3 "$tmp/groups.tsv" >"$tmp/gender.tsv"
lmrec-split -q -o "$tmp/folds.tsv" "$tmp/inter.tsv"
lmrec-train -q --model ease --folds train,valid -o "$tmp/ease.lmrc" "$tmp/folds.tsv"
lmrec-recall -q -m "$tmp/ease.lmrc" -n 200 -o "$tmp/cand.tsv"

# miscal RECS: mean KL(p || q~) over the users with a target
miscal() {
	awk -F'\t' '
		FILENAME == ARGV[1] {
			if (FNR == 1) { for (i = 1; i <= NF; i++) col[$i] = i; next }
			n = split($col["attrs"], kv, ";"); k = 0
			for (j = 1; j <= n; j++) if (kv[j] ~ /^genre=/) g[$col["item"], ++k] = substr(kv[j], 7)
			ng[$col["item"]] = k; next
		}
		FILENAME == ARGV[2] {
			if (FNR == 1) { for (i = 1; i <= NF; i++) fc[$i] = i; next }
			if ($fc["fold"] == "test" || seen[$1, $2]++ || !ng[$2]) next
			nh[$1]++; for (j = 1; j <= ng[$2]; j++) p[$1, g[$2, j]] += 1 / ng[$2]
			next
		}
		FNR == 1 { next }
		{ if (ng[$3]) { nl[$1]++; for (j = 1; j <= ng[$3]; j++) q[$1, g[$3, j]] += 1 / ng[$3] } }
		END {
			for (key in p) {
				split(key, uk, SUBSEP); u = uk[1]
				if (!(u in nl)) continue
				pp = p[key] / nh[u]; qq = q[key] / nl[u]
				kl[u] += pp * log(pp / (0.99 * qq + 0.01 * pp))
			}
			for (u in kl) { s += kl[u]; m++ }
			printf "%.4f", m ? s / m : 0
		}' "$tmp/items.tsv" "$tmp/folds.tsv" "$1"
}

# row OPTION VALUE RANK-OPTIONS...: one line of the trade-off table
row() {
	local opt="$1" val="$2"
	shift 2
	lmrec-rank -q --items "$tmp/items.tsv" --history "$tmp/folds.tsv" -n 10 "$@" \
		-o "$tmp/recs.tsv" "$tmp/cand.tsv"
	lmrec-eval -q -t "$tmp/folds.tsv" --items "$tmp/items.tsv" --k 10 \
		--metrics ndcg,hr,coverage,gini,popularity --groups "$tmp/gender.tsv" --activity-groups 4 \
		"$tmp/recs.tsv" >"$tmp/m.tsv"
	awk -F'\t' -v opt="$opt" -v val="$val" -v kl="$(miscal "$tmp/recs.tsv")" '
		$3 == "all" { v[$1] = $4 } $1 == "ndcg_gap" { gap[$3] = $4 }
		END { printf "%s\t%s\t%.4f\t%.4f\t%.4f\t%.4f\t%.1f\t%s\t%.4f\t%.4f\n", opt, val, v["ndcg"], v["hr"],
			v["coverage"], v["gini"], v["popularity"], kl, gap["gender"], gap["activity"] }' "$tmp/m.tsv"
}

echo "# MovieLens-100K, EASE, 200 candidates re-ranked to 10; test fold, 943 users"
printf 'option\tvalue\tndcg@10\thr@10\tcoverage@10\tgini@10\tpopularity@10\tmiscalibration\tndcg_gap_gender\tndcg_gap_activity\n'
for l in $lambdas; do
	row calibrate "$l" --calibrate "$l" --calibrate-attr genre
done
for b in $betas; do
	row pop-penalty "$b" --pop-penalty "$b"
done

echo
echo "# per group, lambda = beta = 0 (gaps: best minus worst group)"
lmrec-rank -q -n 10 -o "$tmp/recs.tsv" "$tmp/cand.tsv"
lmrec-eval -q -t "$tmp/folds.tsv" --items "$tmp/items.tsv" --k 10 --metrics ndcg,hr,coverage,popularity \
	--groups "$tmp/groups.tsv" --activity-groups 4 "$tmp/recs.tsv" >"$tmp/m.tsv"
awk -F'\t' '
	NR == 1 { next }
	{ key = $3; if (!(key in seen)) { seen[key] = 1; order[++n] = key }
	  m = $1; sub(/_gap$/, "", m); v[key, m] = $4; users[key] = $5 }
	END {
		print "segment\tusers\tndcg@10\thr@10\tcoverage@10\tpopularity@10"
		for (i = 1; i <= n; i++) {
			k = order[i]
			if (k ~ /=/ || k == "all")
				printf "%s\t%d\t%.4f\t%.4f\t%.4f\t%.1f\n", k, users[k], v[k, "ndcg"], v[k, "hr"], v[k, "coverage"], v[k, "popularity"]
		}
		for (i = 1; i <= n; i++) {
			k = order[i]
			if (!(k ~ /=/) && k != "all")
				printf "gap:%s\t%d\t%.4f\t%.4f\t%.4f\t%.1f\n", k, users[k], v[k, "ndcg"], v[k, "hr"], v[k, "coverage"], v[k, "popularity"]
		}
	}' "$tmp/m.tsv" | grep -v '^occupation='
echo "# $(($(date +%s) - t0)) s" >&2

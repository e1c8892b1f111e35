# Sourced (not run: make bench runs the .sh files) by the benchmarks
# that compare settings user by user over nights (replay.sh, shift.sh,
# profile-boost.sh).

# work_dir: tmp, the folder to work in: KEEP (made if missing, and kept)
# or a new temporary folder, removed on exit
work_dir() {
	if [ -n "${KEEP:-}" ]; then
		tmp=$KEEP
		mkdir -p "$tmp"
	else
		tmp=$(mktemp -d)
		trap 'rm -rf "$tmp"' EXIT
	fi
}

# boot FILE: the ratio of the means of columns 3 and 4 of FILE (key, key,
# a, b: one paired observation a line) and its 95% bootstrap interval,
# 1000 replicates of the lines drawn with replacement, seeded with $seed
# (default 1): "R (95%: LO-HI, N pairs)"
boot() {
	local point
	point=$(awk -F'\t' '{ sa += $3; sb += $4 } END { printf "%.3f (95%%: ", sb ? sa / sb : 0 }' "$1")
	awk -F'\t' -v seed="${seed:-1}" '{ a[NR] = $3; b[NR] = $4 }
		END { srand(seed); for (r = 1; r <= 1000; r++) { x = y = 0
				for (k = 1; k <= NR; k++) { j = int(rand() * NR) + 1; x += a[j]; y += b[j] }
				printf "%.6f\n", y ? x / y : 0 } }' "$1" | sort -g |
		awk -v p="$point" -v n="$(wc -l <"$1")" 'NR == 25 { lo = $1 } NR == 975 { hi = $1 } END { printf "%s%.3f-%.3f, %d pairs)", p, lo, hi, n }'
}

# ndcg_hr TRUTH LISTS: "ndcg10<TAB>hr10<TAB>users" of LISTS against TRUTH,
# lmrec-eval's figures over the users of TRUTH
ndcg_hr() {
	lmrec-eval -q -t "$1" --k 10 --metrics ndcg,hr "$2" |
		awk -F'\t' '$3 == "all" && $2 == 10 { v[$1] = $4; n = $5 } END { printf "%.4f\t%.4f\t%d\n", v["ndcg"], v["hr"], n }'
}

# user_ndcg TRUTH LISTS: each user of TRUTH (user, item) with their
# NDCG@10 in LISTS (a stream with user and item columns, each user's rows
# in rank order), lmrec-eval's definition: "user<TAB>ndcg", sorted by user
user_ndcg() {
	awk -F'\t' -v OFS='\t' 'FNR == 1 { if (FNR != NR) for (j = 1; j <= NF; j++) if ($j == "item") ic = j; next }
		FNR == NR { m[$1]++; t[$1, $2] = 1; next }
		{ r[$1]++; if (($1, $ic) in t) dcg[$1] += log(2) / log(r[$1] + 1) }
		END { for (u in m) { z = 0; for (j = 0; j < m[u] && j < 10; j++) z += log(2) / log(j + 2)
			print u, dcg[u] / z } }' "$1" "$2" | sort
}

# Popularity recommendations from a folds stream (lmrec-split output), for
# the tests until lmrec-train exists: for each user with a test row, the N
# most popular items of the train and valid rows, items already seen there
# left out, ties broken by numeric item id. POSIX awk (mawk/gawk).
# usage: awk -F'\t' -v N=10 -f popular-recs.awk folds.tsv
NR == 1 {
	for (i = 1; i <= NF; i++) col[$i] = i
	next
}
{
	u = $col["user"]; it = $col["item"]; f = $col["fold"]
	if (f == "test") { test[u] = 1; next }
	pop[it]++; seen[u, it] = 1
	if (!(it in known)) { known[it] = 1; items[++ni] = it }
}
END {
	# insertion sort by (pop desc, id asc): fine for a few thousand items
	for (i = 2; i <= ni; i++) {
		x = items[i]; j = i - 1
		while (j > 0 && (pop[items[j]] < pop[x] || (pop[items[j]] == pop[x] && items[j] + 0 > x + 0))) {
			items[j + 1] = items[j]; j--
		}
		items[j + 1] = x
	}
	print "user\trank\titem\tscore\treason"
	for (u in test) {
		r = 0
		for (i = 1; i <= ni && r < N; i++)
			if (!((u, items[i]) in seen))
				print u "\t" ++r "\t" items[i] "\t" pop[items[i]] "\tpopular"
	}
}

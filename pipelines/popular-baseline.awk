# Popularity recommendations from a folds stream (lmrec-split output): the
# baseline of the demo and of the tests until lmrec-train exists. For each
# user with a test row, in input order, the N most popular items of the
# train and valid rows, the items the user saw there left out, ties broken
# by item id (numerically when both ids are numbers). POSIX awk.
# usage: awk -F'\t' -v N=10 -f popular-baseline.awk folds.tsv
NR == 1 {
	for (i = 1; i <= NF; i++) col[$i] = i
	next
}
{
	u = $col["user"]; it = $col["item"]; f = $col["fold"]
	if (f == "test") {
		if (!(u in test)) { test[u] = 1; users[++nu] = u }
		next
	}
	pop[it]++; seen[u, it] = 1
	if (!(it in known)) { known[it] = 1; items[++ni] = it }
}
END {
	# insertion sort by (pop desc, id asc): fine for a few thousand items
	for (i = 2; i <= ni; i++) {
		x = items[i]; j = i - 1
		while (j > 0 && (pop[items[j]] < pop[x] || (pop[items[j]] == pop[x] && items[j] > x))) {
			items[j + 1] = items[j]; j--
		}
		items[j + 1] = x
	}
	print "user\trank\titem\tscore\treason"
	for (k = 1; k <= nu; k++) {
		u = users[k]; r = 0
		for (i = 1; i <= ni && r < N; i++)
			if (!((u, items[i]) in seen))
				print u "\t" ++r "\t" items[i] "\t" pop[items[i]] "\tpopular: " pop[items[i]] " users"
	}
}

# Reference HR@K and NDCG@K of the popularity ranking, computed without any
# recommendation list: the rank of each user's test item among the items
# the user has not seen (train and valid rows), by popularity then numeric
# id, exactly as ../shared/reference/common.py defines it. Independent of
# lmrec-eval; the tests compare the two. POSIX awk.
# usage: awk -F'\t' -v K=10 -f ref-metrics.awk folds.tsv
NR == 1 {
	for (i = 1; i <= NF; i++) col[$i] = i
	next
}
{
	u = $col["user"]; it = $col["item"]; f = $col["fold"]
	if (!(it in known)) { known[it] = 1; items[++ni] = it }
	if (f == "test") { target[u] = it; next }
	pop[it]++; seen[u, it] = 1
}
END {
	n = 0; hr = 0; ndcg = 0
	for (u in target) {
		t = target[u]; rank = 0; n++
		for (i = 1; i <= ni; i++) {
			x = items[i]
			if (x == t || ((u, x) in seen)) continue
			if (pop[x] > pop[t] || (pop[x] == pop[t] && x + 0 < t + 0)) rank++
		}
		if (rank < K) { hr++; ndcg += log(2) / log(rank + 2) }
	}
	printf "hr\t%.4f\nndcg\t%.4f\nn\t%d\n", hr / n, ndcg / n, n
}

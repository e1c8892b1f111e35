#!/usr/bin/env bash
# Where the items that bundles could hit come from (a diagnostic of
# generate.sh's bundles). The held-out weeks, users and truth are
# generate.sh's: for a week, the models (item-kNN, EASE, ALS with their
# defaults) train on everything before it, the catalog is the items
# released before it, and the users are those who touched shop items in
# the week that they had not touched before (the held-out items).
#
# Each (user, shop category) pair gets one source, the first that holds:
#   L  the category of the user's last shop item
#   C  a complement of a category the user bought in the 7 days before the
#      week (the world's table of lib/synth_world.c, copied below: the
#      world wants one of them for a week after half the purchases)
#   K  the category of one of the user's last 5 items clicked and not
#      bought (the world restarts 25% of shop sessions from one)
#   R  touched in the 7 days before the week
#   H  touched before that
#   O  never touched
# and the script prints, pooled over the weeks, for each source:
#   pairs/u   pairs a user
#   visit     the share of pairs whose category the user visits in the
#             week (touches a held-out item of it)
#   besthit   the share of pairs whose best item (the first of the
#             category in lmrec-rank's order) is a held-out item
#   items     the share of the held-out items in such categories
#   users     the share of users with a held-out item in such a category
#   topslot, genslot   the share of top-N's and of the bundles' items in
#             such categories
#   tophit, genhit     the share of users whose top-N (bundle) has a hit
#             in such a category
# the hit rate of top-N (lmrec-rank -n 4), of top-N held to one item a
# category (--category-cap 1), of lmrec-generate's bundles at their
# defaults, of the oracle of categories (the categories the user visits
# in the week, each with its best item in lmrec-rank's order: the bound
# of any choice of categories), and of a re-ranking of lmrec-rank's
# order, one item a category, with the score of a category's best item
# (1 / (1 + (position - 1) / 10)) multiplied by a factor per source
# (MULT, e.g. C:1.5: the complements of the world's purchases boosted);
# and top-N re-ranked with lmrec-generate's trend term (the rank feature of
# an item's users in the 7 days before the week, among the shop's items
# that have some, times TREND, added to the position's feature
# 1 / (1 + (position - 1) / 10)), unconstrained and one item a category:
# what the trend does for top-N, within lmrec-rank's 100 candidates.
#
#   tests/bench/bundle-sources.sh                     # the sample data, 8 weeks
#   DATA=DIR WEEKS="0 1 2 3" tests/bench/bundle-sources.sh
#   MULT="C:1.5,L:1.2" TREND=1 tests/bench/bundle-sources.sh
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
. "$top/tests/bench/weeks.sh"
PATH="$top/bin:$PATH"
export LC_ALL=C OPENBLAS_NUM_THREADS=1
data="${DATA:-$top/sample-data}"
weeks=${WEEKS:-0 1 2 3 4 5 6 7}
mult=${MULT:-C:1.5}
trend=${TREND:-1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

zcat -f "$data/interactions.tsv.gz" >"$tmp/all.tsv"
last=$(awk -F'\t' 'NR > 1 && $3 > m { m = $3 } END { print m }' "$tmp/all.tsv")
# the pooled files: users as WEEK:USER, times relative to the week's start
printf 'user\titem\tts\tweight\tevent\n' >"$tmp/p-train.tsv"
printf 'user\titem\n' >"$tmp/p-truth.tsv"
printf 'user\trank\titem\n' >"$tmp/p-full.tsv"
printf 'user\trank\titem\n' >"$tmp/p-top.tsv"
printf 'user\trank\titem\n' >"$tmp/p-topcap.tsv"
printf 'user\trank\titem\n' >"$tmp/p-gen.tsv"
for w in $weeks; do
	week_setup "$tmp/all.tsv" "$data/items.tsv" "$last" "$w" "$tmp"
	awk -F'\t' 'NR == 1 || $6 == "shop"' "$items" >"$d/only.tsv"
	awk -F'\t' 'FILENAME == ARGV[1] { if (FNR > 1) k[$1] = 1; next }
		FILENAME == ARGV[2] { if (FNR > 1) s[$1, $2] = 1; next }
		FNR == 1 { print "user\titem"; next }
		k[$2] && !s[$1, $2] && !d[$1, $2]++ { print $1 "\t" $2 }' "$d/only.tsv" "$train" "$d/test.tsv" >"$d/truth.tsv"
	{ echo user; awk 'NR > 1 { print $1 }' "$d/truth.tsv" | sort -u; } >"$d/users.tsv"
	lmrec-recall -q "${models[@]}" --only "$d/only.tsv" --users "$d/users.tsv" -n 100 >"$d/cand.tsv"
	lmrec-rank -q --items "$items" -n 100 "$d/cand.tsv" >"$d/full.tsv"
	lmrec-rank -q --items "$items" -n 4 --category-cap 1 "$d/cand.tsv" >"$d/topcap.tsv"
	lmrec-generate -q --kind bundle --items "$items" "${models[@]}" --history "$train" "$d/users.tsv" >"$d/gen.tsv"
	p="w$w:"
	awk -F'\t' -v OFS='\t' -v p="$p" -v c="$cut" 'FNR > 1 { $1 = p $1; $3 -= c; print }' "$train" >>"$tmp/p-train.tsv"
	awk -F'\t' -v OFS='\t' -v p="$p" 'FNR > 1 { print p $1, $2 }' "$d/truth.tsv" >>"$tmp/p-truth.tsv"
	awk -F'\t' -v OFS='\t' -v p="$p" 'FNR > 1 { print p $1, $2, $3 }' "$d/full.tsv" >>"$tmp/p-full.tsv"
	awk -F'\t' -v OFS='\t' -v p="$p" 'FNR > 1 && $2 <= 4 { print p $1, $2, $3 }' "$d/full.tsv" >>"$tmp/p-top.tsv"
	awk -F'\t' -v OFS='\t' -v p="$p" 'FNR > 1 { print p $1, $2, $3 }' "$d/topcap.tsv" >>"$tmp/p-topcap.tsv"
	awk -F'\t' -v OFS='\t' -v p="$p" 'FNR > 1 { print p $1, $3, $4 }' "$d/gen.tsv" >>"$tmp/p-gen.tsv"
	echo "== week $w: held out $(date -u -d "@$cut" +%F) to $(date -u -d "@$((end - 1))" +%F), $(($(wc -l <"$d/users.tsv") - 1)) users"
done

awk -F'\t' -v mult="$mult" -v beta="$trend" '
BEGIN {
	n = split("tents:sleeping-gear,camp-kitchen;sleeping-gear:tents,camp-kitchen;footwear:accessories;" \
		"jackets:accessories,tops;trousers:tops,footwear;tops:trousers;luggage:travel-kit;travel-kit:luggage;" \
		"backpacks:camp-kitchen,travel-kit;camp-kitchen:tents;accessories:jackets", cp, ";")
	for (k = 1; k <= n; k++) { split(cp[k], ab, ":"); comp[ab[1]] = ab[2] }
	nsrc = split("L C K R H O", S, " ")
	for (k = 1; k <= nsrc; k++) m[S[k]] = 1
	n = split(mult, mm, ","); for (k = 1; k <= n; k++) { split(mm[k], ab, ":"); m[ab[1]] = ab[2] }
	split("top topcap gen rerank toptrend captrend", F, " ")
}
FILENAME == ARGV[1] { if (FNR > 1 && $6 == "shop") { cat[$1] = $4; cats[$4] = 1 } next }
FILENAME == ARGV[2] {
	if (FNR == 1 || !($2 in cat)) next
	u = $1; c = cat[$2]; last[u] = c; touched[u, c] = 1
	wk = substr(u, 1, index(u, ":"))
	if ($3 >= -7 * 86400 && !((u, $2) in recent)) { recent[u, $2] = 1; tcount[wk, $2]++ }
	if ($3 >= -7 * 86400) {
		rec[u, c] = 1
		if ($5 == "purchase") { n = split(comp[c], cc, ","); for (k = 1; k <= n; k++) cmp[u, cc[k]] = 1 }
	}
	if ($5 == "click") clk[u, ++nk[u]] = $2
	if ($5 == "purchase") bought[u, $2] = 1
	next
}
FILENAME == ARGV[3] { if (FNR > 1) { truth[$1, $2] = 1; tu[$1] = 1; tcat[$1, cat[$2]] = 1; ntr++ } next }
FILENAME == ARGV[4] {
	if (FNR == 1) next
	if (!(($1, cat[$3]) in best)) { best[$1, cat[$3]] = $3; bpos[$1, cat[$3]] = $2 }
	full[$1, ++nfull[$1]] = $3
	next
}
FNR > 1 { f = FILENAME == ARGV[5] ? "top" : FILENAME == ARGV[6] ? "topcap" : "gen"; list[f, $1, ++len[f, $1]] = $3 }
function consider(u, c,   k, q, seen) {
	q = 0
	for (k = nk[u]; k >= 1 && q < 5; k--) {
		if (bought[u, clk[u, k]] || (u SUBSEP clk[u, k]) in seen) continue
		seen[u, clk[u, k]] = 1; q++
		if (cat[clk[u, k]] == c) return 1
	}
	return 0
}
function src(u, c) {
	if (last[u] == c) return "L"
	if ((u, c) in cmp) return "C"
	if (consider(u, c)) return "K"
	if ((u, c) in rec) return "R"
	if ((u, c) in touched) return "H"
	return "O"
}
function hit(u, i) { return (u, i) in truth }
# the rank feature of the trend of every (week, item): 1 / (1 + r / 10), r the
# items of the week with more recent users
function trend_features(   key, n, k, q, x, y, r, first) {
	n = 0
	for (key in tcount) { n++; tk[n] = key; tv[n] = tcount[key] }
	for (k = 2; k <= n; k++) { # by week, then count descending
		x = tk[k]; y = tv[k]; q = k - 1
		while (q >= 1 && (wkof(tk[q]) > wkof(x) || (wkof(tk[q]) == wkof(x) && tv[q] < y))) { tk[q + 1] = tk[q]; tv[q + 1] = tv[q]; q-- }
		tk[q + 1] = x; tv[q + 1] = y
	}
	for (k = 1; k <= n; k++) {
		if (k == 1 || wkof(tk[k]) != wkof(tk[k - 1])) { first = k; r = 0 }
		else if (tv[k] != tv[k - 1]) r = k - first
		tf[tk[k]] = 1 / (1 + r / 10)
	}
}
function wkof(key,   a) { split(key, a, SUBSEP); return a[1] }
# the 4 best of the lmrec-rank order of u by position feature + beta trend
# (cap: one item a category) into list[f, u, ...]
function trend_list(f, u, cap,   wk, k, sc, r, b, used) {
	wk = substr(u, 1, index(u, ":"))
	for (k = 1; k <= nfull[u]; k++) sc[k] = 1 / (1 + (k - 1) / 10) + beta * (((wk, full[u, k]) in tf) ? tf[wk, full[u, k]] : 0)
	for (r = 1; r <= 4; r++) {
		b = 0
		for (k = 1; k <= nfull[u]; k++)
			if (sc[k] != "x" && !(cap && (cat[full[u, k]] in used)) && (b == 0 || sc[k] > sc[b])) b = k
		if (!b) break
		list[f, u, ++len[f, u]] = full[u, b]; used[cat[full[u, b]]] = 1; sc[b] = "x"
	}
}
END {
	trend_features()
	for (u in tu) {
		nu++; delete us; delete sc; delete cs; nv = 0; o = 0; nc = 0
		for (c in cats) {
			s = src(u, c); npair[s]++
			b = (u, c) in best ? best[u, c] : ""
			if (b != "") { cs[++nc] = c; sc[nc] = m[s] / (1 + (bpos[u, c] - 1) / 10) + 1e-9 / bpos[u, c] }
			if ((u, c) in tcat) { us[s] = 1; visit[s]++; nv++; if (b != "" && hit(u, b)) o = 1 }
			if (b != "" && hit(u, b)) besthit[s]++
		}
		for (k in us) users[k]++
		orc += o; nvis += nv; le4 += nv <= 4
		for (r = 1; r <= 4 && r <= nc; r++) { # the re-ranking: the 4 best categories
			bk = 0
			for (k = 1; k <= nc; k++) if (sc[k] != "x" && (bk == 0 || sc[k] > sc[bk])) bk = k
			list["rerank", u, ++len["rerank", u]] = best[u, cs[bk]]; sc[bk] = "x"
		}
		trend_list("toptrend", u, 0)
		trend_list("captrend", u, 1)
		for (q = 1; q <= 6; q++) {
			f = F[q]; h = 0; delete lh
			for (k = 1; k <= len[f, u]; k++) {
				i = list[f, u, k]; s = src(u, cat[i]); slots[f, s]++; nslots[f]++
				if (hit(u, i)) { h = 1; lh[s] = 1 }
			}
			hits[f] += h
			for (s in lh) shit[f, s]++
		}
	}
	for (key in truth) { split(key, a, SUBSEP); titems[src(a[1], cat[a[2]])]++ }
	printf "== pooled: %d user-weeks, %d held-out items, %.2f categories visited a user-week (4 or fewer: %.3f)\n",
		nu, ntr, nvis / nu, le4 / nu
	printf "  hit rate: top-N %.4f, top-N --category-cap 1 %.4f, generated %.4f, oracle of categories %.4f\n",
		hits["top"] / nu, hits["topcap"] / nu, hits["gen"] / nu, orc / nu
	printf "  re-ranked, one item a category, sources x (%s) %.4f; top-N + trend x %s %.4f, one item a category %.4f\n",
		mult, hits["rerank"] / nu, beta, hits["toptrend"] / nu, hits["captrend"] / nu
	printf "  %-3s %7s %7s %7s %7s %7s %7s %7s %7s %7s\n", "src", "pairs/u", "visit", "besthit", "items", "users",
		"topslot", "genslot", "tophit", "genhit"
	for (k = 1; k <= nsrc; k++) {
		s = S[k]
		printf "  %-3s %7.2f %7.3f %7.3f %7.3f %7.3f %7.3f %7.3f %7.4f %7.4f\n", s, npair[s] / nu,
			npair[s] ? visit[s] / npair[s] : 0, npair[s] ? besthit[s] / npair[s] : 0, titems[s] / ntr, users[s] / nu,
			slots["top", s] / nslots["top"], slots["gen", s] / nslots["gen"], shit["top", s] / nu, shit["gen", s] / nu
	}
}' "$data/items.tsv" "$tmp/p-train.tsv" "$tmp/p-truth.tsv" "$tmp/p-full.tsv" "$tmp/p-top.tsv" "$tmp/p-topcap.tsv" \
	"$tmp/p-gen.tsv"

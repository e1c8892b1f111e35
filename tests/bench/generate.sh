#!/usr/bin/env bash
# Generation (lmrec-generate) on the sample data, held out by time. For a
# held-out week (the last 7 days by default), the models (item-kNN, EASE,
# ALS with their defaults) train on everything before it, and the catalog
# is the items released before it. For each kind, the users with items of
# the kind's domains in the week that they had not touched before (places
# and food venues for itineraries) get:
#   - generated lists, at the defaults, with coherence off (--weights coh=0),
#     without the trend term (--weights trend=0) and greedy (--beam 1);
#     for bundles also without the rule and the list terms (--weights
#     coh=0,recent=0 --max-per category=0): a top-N of the generator's own
#     terms, the fair match for top-N;
#   - top-N: lmrec-recall (the same models, the kind's items) then
#     lmrec-rank -n N, N the list length;
#   - top-N under the category rule (lmrec-rank --category-cap: 1 for
#     bundles and itineraries, 4 for playlists);
# and the figures of each:
#   hit     the share of users whose list holds at least one held-out item
#   recall  hits / min(N, the user's held-out items), averaged
#   viol    lists breaking a rule of the kind, checked here (length, repeats,
#           seen, unavailable, other domains, one per category for bundles,
#           4 per genre and 3 per mood for playlists, one town, places and
#           venues alternating and one per category for itineraries)
#   attr    coherence: the mean Jaccard of the attribute pairs of two items
#           of a list
#   cooc    coherence: the mean co-occurrence cosine of two items of a list,
#           users with both over the root of the product of their users
#   cats    variety: distinct categories per list
#   ild     variety: intra-list diversity, 1 - attr
# then the paired count (lists the generator hits and top-N misses, and the
# reverse), the mean list score of the beam against greedy selection, and a
# bundle run with --budget 8 checked against it.
#
#   tests/bench/generate.sh                 # the last week
#   WEEKS="1 2 3" tests/bench/generate.sh   # the weeks before it (tuning)
#   EVENT=purchase tests/bench/generate.sh  # held-out items bought, not
#                                           # merely touched
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
. "$top/tests/bench/weeks.sh"
PATH="$top/bin:$PATH"
export LC_ALL=C OPENBLAS_NUM_THREADS=1
data="${DATA:-$top/sample-data}"
weeks=${WEEKS:-0}
event=${EVENT:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# stats KIND N TRUTH LISTS [BUDGET]: "hit recall viol attr cooc cats ild lists"
stats() {
	awk -F'\t' -v kind="$1" -v N="$2" -v budget="${5:-}" '
	function cost(a) { return a ~ /(^|;)(price|cost)=low/ ? 1 : a ~ /(^|;)(price|cost)=mid/ ? 2 :
		a ~ /(^|;)(price|cost)=high/ ? 3 : 0 }
	function val(a, k,   n, x, i) { n = split(a, x, ";"); for (i = 1; i <= n; i++) if (index(x[i], k "=") == 1) return substr(x[i], length(k) + 2); return "" }
	function jac(a, b,   x, y, na, nb, i, j, s) {
		na = split(attrs[a], x, ";"); nb = split(attrs[b], y, ";"); s = 0
		for (i = 1; i <= na; i++) for (j = 1; j <= nb; j++) if (x[i] == y[j]) { s++; break }
		return na + nb - s > 0 ? s / (na + nb - s) : 0 }
	FILENAME == ARGV[1] { if (FNR > 1) { attrs[$1] = $5; cat[$1] = $4; dom[$1] = $6; av[$1] = $7 } next }
	FILENAME == ARGV[2] { if (FNR > 1 && !(($1, $2) in seen)) { seen[$1, $2] = 1; users[$2] = users[$2] " " $1; nus[$2]++ } next }
	FILENAME == ARGV[3] { if (FNR > 1) { truth[$1, $2] = 1; nt[$1]++ } next }
	FNR == 1 { for (k = 1; k <= NF; k++) if ($k == "item") ci = k; next }
	{
		u = $1; k = ++len[u]; it[u, k] = $ci
		if (!(u in listed)) { listed[u] = 1; nl++ }
		if (truth[u, $ci]) hits[u]++
	}
	END {
		for (u in listed) {
			bad = len[u] > N; sumc = 0; delete c; delete mood; town = ""
			for (k = 1; k <= len[u]; k++) {
				i = it[u, k]; sumc += cost(attrs[i])
				if (seen[u, i] || av[i] == "0") bad = 1
				for (j = 1; j < k; j++) if (it[u, j] == i) bad = 1
				c[cat[i]]++
				if (kind == "bundle" && (dom[i] != "shop" || c[cat[i]] > 1)) bad = 1
				if (kind == "playlist") {
					mood[val(attrs[i], "mood")]++
					if (dom[i] != "video" || c[cat[i]] > 4 || mood[val(attrs[i], "mood")] > 3) bad = 1
				}
				if (kind == "itinerary") {
					want = k % 2 == 1 ? "places" : "food"
					if (dom[i] != want || attrs[i] ~ /(^|;)restaurant=/ || c[cat[i]] > 1) bad = 1
					if (k == 1) town = val(attrs[i], "town"); else if (val(attrs[i], "town") != town) bad = 1
				}
			}
			if (budget != "" && sumc > budget) bad = 1
			viol += bad
			ncat = 0; for (cc in c) ncat++
			cats += ncat
			ja = 0; co = 0; np = 0
			for (a = 1; a <= len[u]; a++) for (b = a + 1; b <= len[u]; b++) {
				np++; ja += jac(it[u, a], it[u, b])
				n = split(users[it[u, a]], us, " "); both = 0
				for (q = 1; q <= n; q++) both += (us[q], it[u, b]) in seen
				if (n && nus[it[u, b]]) co += both / sqrt(n * nus[it[u, b]])
			}
			if (np) { attr += ja / np; cooc += co / np; npl++ }
		}
		for (u in nt) { nu++; if (hits[u] > 0) h++; m = nt[u] < N ? nt[u] : N; rec += hits[u] / m }
		printf "%.4f %.4f %d %.3f %.3f %.2f %.3f %d\n", h / nu, rec / nu, viol, attr / npl, cooc / npl,
			cats / nl, 1 - attr / npl, nl
	}' "$items" "$train" "$3" "$4"
}

# paired TRUTH A B: "a b": users A hits and B misses, and the reverse
paired() {
	awk -F'\t' 'FILENAME == ARGV[1] { if (FNR > 1) t[$1, $2] = 1; next }
		FNR == 1 { for (k = 1; k <= NF; k++) if ($k == "item") ci = k; next }
		t[$1, $ci] { if (FILENAME == ARGV[2]) ha[$1] = 1; else hb[$1] = 1 }
		END { for (u in ha) if (!(u in hb)) a++; for (u in hb) if (!(u in ha)) b++; print a + 0, b + 0 }' "$1" "$2" "$3"
}

# listscore FILE: the mean of the lists' scores (sums of their rows' scores)
listscore() { awk -F'\t' 'FNR > 1 { s[$2] += $5 } END { for (l in s) { t += s[l]; n++ } printf "%.4f", t / n }' "$1"; }

row() { printf '  %-34s %7s %7s %5s %6s %6s %5s %6s\n' "$@"; }

declare -A pool pairs
zcat -f "$data/interactions.tsv.gz" >"$tmp/all.tsv"
last=$(awk -F'\t' 'NR > 1 && $3 > m { m = $3 } END { print m }' "$tmp/all.tsv")
for w in $weeks; do
	week_setup "$tmp/all.tsv" "$data/items.tsv" "$last" "$w" "$tmp"
	echo "== held out $(date -u -d "@$cut" +%F) to $(date -u -d "@$((end - 1))" +%F): train $(($(wc -l <"$train") - 1)) rows"
	for kind in bundle playlist itinerary; do
		case $kind in
		bundle) n=4 cap=1 sel='$6 == "shop"' ;;
		playlist) n=10 cap=4 sel='$6 == "video"' ;;
		itinerary) n=4 cap=1 sel='$6 == "places" || ($6 == "food" && $5 !~ /(^|;)restaurant=/)' ;;
		esac
		awk -F'\t' "NR == 1 || $sel" "$items" >"$d/only-$kind.tsv"
		# held-out items of the kind the user had not touched
		awk -F'\t' -v ev="$event" 'FILENAME == ARGV[1] { if (FNR > 1) k[$1] = 1; next }
			FILENAME == ARGV[2] { if (FNR > 1) s[$1, $2] = 1; next }
			FNR == 1 { for (c = 1; c <= NF; c++) if ($c == "event") ce = c; print "user\titem"; next }
			ev != "" && (!ce || $ce != ev) { next }
			k[$2] && !s[$1, $2] && !d[$1, $2]++ { print $1 "\t" $2 }' \
			"$d/only-$kind.tsv" "$train" "$d/test.tsv" >"$d/truth-$kind.tsv"
		{ echo user; awk 'NR > 1 { print $1 }' "$d/truth-$kind.tsv" | sort -u; } >"$d/users-$kind.tsv"
		nu=$(($(wc -l <"$d/users-$kind.tsv") - 1))
		echo "-- $kind: $n items, $nu users with held-out items"
		[ "$nu" -gt 0 ] || continue # (EVENT=purchase: nothing of the kind is bought)
		row method hit recall viol attr cooc cats ild
		gen() { lmrec-generate -q --kind "$kind" --items "$items" "${models[@]}" --history "$train" "$@" "$d/users-$kind.tsv"; }
		t0=$(date +%s.%N)
		gen >"$d/gen-$kind.tsv"
		secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
		gen --weights coh=0 >"$d/gen0-$kind.tsv"
		gen --weights trend=0 >"$d/gent0-$kind.tsv"
		gen --beam 1 >"$d/greedy-$kind.tsv"
		rows=("generate (defaults)|gen" "generate, --weights coh=0|gen0" "generate, --weights trend=0|gent0"
			"generate, --beam 1 (greedy)|greedy")
		if [ "$kind" = bundle ]; then
			gen --weights coh=0,recent=0 --max-per category=0 >"$d/genfree-$kind.tsv"
			rows+=("generate, no rule, rel + trend|genfree")
		fi
		lmrec-recall -q "${models[@]}" --only "$d/only-$kind.tsv" --users "$d/users-$kind.tsv" -n 100 >"$d/cand-$kind.tsv"
		lmrec-rank -q --items "$items" -n "$n" "$d/cand-$kind.tsv" >"$d/top-$kind.tsv"
		lmrec-rank -q --items "$items" -n "$n" --category-cap "$cap" "$d/cand-$kind.tsv" >"$d/topcap-$kind.tsv"
		for r in "${rows[@]}" "top-N (recall + rank)|top" "top-N, --category-cap $cap|topcap"; do
			read -r hit rest < <(stats "$kind" "$n" "$d/truth-$kind.tsv" "$d/${r#*|}-$kind.tsv")
			# shellcheck disable=SC2086 # the figures split into columns
			row "${r%%|*}" "$hit" $(cut -d' ' -f1-6 <<<"$rest")
			pool["$kind|${r%%|*}"]="$(awk -v p="${pool["$kind|${r%%|*}"]:-0 0}" -v h="$hit" -v n="$nu" \
				'BEGIN { split(p, a, " "); printf "%.6f %d", a[1] + h * n, a[2] + n }')"
		done
		read -r a b < <(paired "$d/truth-$kind.tsv" "$d/gen-$kind.tsv" "$d/top-$kind.tsv")
		echo "  paired: the generator hits where top-N misses for $a users, the reverse for $b"
		pairs[$kind]="$(awk -v p="${pairs[$kind]:-0 0}" -v a="$a" -v b="$b" \
			'BEGIN { split(p, x, " "); printf "%d %d", x[1] + a, x[2] + b }')"
		echo "  mean list score: beam $(listscore "$d/gen-$kind.tsv"), greedy $(listscore "$d/greedy-$kind.tsv"); $secs s for the defaults' lists"
	done
	lmrec-generate -q --kind bundle --budget 8 --items "$items" "${models[@]}" --history "$train" \
		"$d/users-bundle.tsv" >"$d/budget.tsv"
	read -r _ _ v _ < <(stats bundle 4 "$d/truth-bundle.tsv" "$d/budget.tsv" 8)
	echo "-- bundles with --budget 8: $v lists break a rule or the budget"
done
if [ "$(wc -w <<<"$weeks")" -gt 1 ]; then
	echo "== pooled over the weeks: hit rate (users)"
	for key in $(printf '%s\n' "${!pool[@]}" | tr ' ' '~' | sort); do
		k="${key//\~/ }"
		read -r h n <<<"${pool[$k]}"
		printf '  %-10s %-34s %7.4f %6d\n' "${k%%|*}" "${k#*|}" "$(awk -v h="$h" -v n="$n" 'BEGIN { print h / n }')" "$n"
	done
	for kind in "${!pairs[@]}"; do
		read -r a b <<<"${pairs[$kind]}"
		echo "  $kind, paired: the generator hits where top-N misses for $a user-weeks, the reverse for $b"
	done
fi

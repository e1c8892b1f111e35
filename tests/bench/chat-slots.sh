#!/usr/bin/env bash
# Slot parsing of lmrec-chat on the hand-checked requests
# (tests/fixtures/chat/requests.tsv: id kind text expected): precision and
# recall of the slots over the set, and per kind of request. Scenario
# words are not slots and are not scored; a slot is one ';'-separated
# part (category=x, domain=x, key=value, -key=value, key=*).
#
#   tests/bench/chat-slots.sh [--misses] [lmrec-chat option...]
#
# --misses also lists every request whose slots differ, with what was
# missed (-) and what was added (+).
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
misses=0
if [ "${1:-}" = --misses ]; then
	misses=1
	shift
fi
"$top/bin/lmrec-chat" -q -i "$top/sample-data/items.tsv" --parse-only "$@" \
	"$top/tests/fixtures/chat/requests.tsv" |
	awk -F'\t' -v misses="$misses" '
	function parts(s, set,   n, a, i, k) {
		n = split(s, a, ";")
		k = 0
		for (i = 1; i <= n; i++)
			if (a[i] != "" && a[i] !~ /^scenario=/) {
				set[a[i]] = 1
				k++
			}
		return k
	}
	NR == 1 {
		for (i = 1; i <= NF; i++)
			col[$i] = i
		next
	}
	{
		delete want
		delete got
		nw = parts($col["expected"], want)
		ng = parts($col["slots"], got)
		tp = 0
		for (s in got)
			tp += (s in want)
		kind = $col["kind"]
		TP += tp; NW += nw; NG += ng; N++
		ktp[kind] += tp; knw[kind] += nw; kng[kind] += ng; kn[kind]++
		if (tp == nw && tp == ng)
			exact++
		else if (misses) {
			line = $col["id"] " [" $col["text"] "]"
			for (s in want)
				if (!(s in got))
					line = line " -" s
			for (s in got)
				if (!(s in want))
					line = line " +" s
			print line > "/dev/stderr"
		}
	}
	END {
		printf "kind\trequests\tprecision\trecall\n"
		for (k in kn)
			printf "%s\t%d\t%.3f\t%.3f\n", k, kn[k], kng[k] ? ktp[k] / kng[k] : 1, knw[k] ? ktp[k] / knw[k] : 1 | "sort"
		close("sort")
		printf "all\t%d\t%.3f\t%.3f\n", N, NG ? TP / NG : 1, NW ? TP / NW : 1
		printf "exact\t%d\t%.3f\n", exact, exact / N
	}'

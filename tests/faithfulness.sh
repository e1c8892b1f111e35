#!/usr/bin/env bash
# Test helper: the faithfulness of lmrec-rank --explain full, by deletion.
#
#   faithfulness.sh [-n TOP] [-c N] [-p POOL] [-u USERS] [-r RANK-OPTS]
#                   [-o DIR] INTERACTIONS MODEL...
#
# Recommends TOP items (default 10) to the users of USERS (a stream with a
# column user; default: every user of INTERACTIONS) from the models
# (lmrec-recall -m MODEL ... --history INTERACTIONS --fold-in
# --contributions N -n POOL, defaults 3 and 100; lmrec-rank RANK-OPTS
# --explain full -n TOP). Then, for each place k = 1..TOP, removes from
# each user's history the first item that the explanation of the user's
# row k cites (its hist section), recalls and ranks every user again from
# that history, and reads the new score of the row's item (0 when no
# channel lists it any more). The models know the users, so the removed
# item stays left out of the candidates (lmrec-recall leaves out what the
# models trained on): only its part as evidence is gone.
#
# The models must be trained on INTERACTIONS. Prints a TSV line with a
# header: rows (rows recommended), cited (rows whose explanation cites a
# history item), lowered, unchanged and raised (cited rows whose score
# fell, stayed or rose without the item), share (lowered / cited, 4
# digits). With -o DIR the rows are kept in DIR/rows.tsv (user rank item
# score cited score_without). Deterministic.
set -euo pipefail
top=10 contrib=3 pool=100 users="" ropts="" keep=""
while getopts n:c:p:u:r:o: opt; do
	case "$opt" in
	n) top=$OPTARG ;;
	c) contrib=$OPTARG ;;
	p) pool=$OPTARG ;;
	u) users=$OPTARG ;;
	r) ropts=$OPTARG ;;
	o) keep=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 2 ] || { echo "usage: faithfulness.sh [options] INTERACTIONS MODEL..." >&2; exit 2; }
inter=$1
shift
tmp=$(mktemp -d "${TMPDIR:-/tmp}/faithfulness.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
margs=()
for m in "$@"; do margs+=(-m "$m"); done
uargs=()
[ -z "$users" ] || uargs=(--users "$users")
# shellcheck disable=SC2206 # the rank options are words
rargs=($ropts)

# recommend HISTORY OUT TOP POOL: recall and rank from HISTORY
recommend() {
	lmrec-recall -q "${margs[@]}" "${uargs[@]}" --history "$1" --fold-in --contributions "$contrib" \
		-n "$pool" -o "$tmp/cand.tsv"
	lmrec-rank -q "${rargs[@]}" --explain full -n "$3" --pool "$4" -o "$2" "$tmp/cand.tsv"
}

gzip -dcf "$inter" >"$tmp/inter.tsv"
recommend "$tmp/inter.tsv" "$tmp/recs.tsv" "$top" "$((top > 200 ? top : 200))"
# user rank item score cited (the first hist item, percent-decoded)
awk -F'\t' -v OFS='\t' '
	# the id in its TSV-escaped form, as the interactions hold it
	function decode(s,   out, i, c, v) {
		out = ""
		for (i = 1; i <= length(s); i++) {
			c = substr(s, i, 1)
			if (c == "%") {
				v = hex(substr(s, i + 1, 2)); i += 2
				c = v == 9 ? "\\t" : v == 10 ? "\\n" : v == 13 ? "\\r" : v == 92 ? "\\\\" : sprintf("%c", v)
			}
			out = out c
		}
		return out
	}
	function hex(h,   v, i) {
		v = 0
		for (i = 1; i <= 2; i++) v = v * 16 + index("0123456789ABCDEF", substr(h, i, 1)) - 1
		return v
	}
	NR == 1 { next }
	{
		cited = ""
		if (match($6, /\|hist=[^|,:]+:/)) cited = decode(substr($6, RSTART + 6, RLENGTH - 7))
		print $1, $2, $3, $4, cited
	}' "$tmp/recs.tsv" >"$tmp/rows.tsv"

: >"$tmp/after.tsv"
for ((k = 1; k <= top; k++)); do
	# the history without each user's item cited at place k
	awk -F'\t' -v k="$k" '$2 == k && $5 != "" { print $1 "\t" $5 }' "$tmp/rows.tsv" >"$tmp/drop.tsv"
	[ -s "$tmp/drop.tsv" ] || continue
	awk -F'\t' 'FILENAME == ARGV[1] { drop[$1 "\t" $2] = 1; next }
		FNR == 1 { for (i = 1; i <= NF; i++) { if ($i == "user") cu = i; if ($i == "item") ci = i }
			   print; next }
		!(($cu "\t" $ci) in drop)' "$tmp/drop.tsv" "$tmp/inter.tsv" >"$tmp/hist.tsv"
	recommend "$tmp/hist.tsv" "$tmp/recs-k.tsv" 1000000 1000000
	# each place-k row's item's new score
	awk -F'\t' -v OFS='\t' -v k="$k" '
		FILENAME == ARGV[1] { if (FNR > 1) score[$1 "\t" $3] = $4; next }
		$2 == k && $5 != "" { key = $1 "\t" $3; print $0, (key in score) ? score[key] : 0 }' \
		"$tmp/recs-k.tsv" "$tmp/rows.tsv" >>"$tmp/after.tsv"
done

if [ -n "$keep" ]; then
	{
		printf 'user\trank\titem\tscore\tcited\tscore_without\n'
		sort -t"$(printf '\t')" -k1,1 -k2,2n "$tmp/after.tsv"
	} >"$keep/rows.tsv"
fi
awk -F'\t' -v OFS='\t' -v rows="$(($(wc -l <"$tmp/rows.tsv")))" '
	{ cited++; if ($6 + 0 < $4 + 0) low++; else if ($6 + 0 == $4 + 0) same++; else up++ }
	END {
		print "rows", "cited", "lowered", "unchanged", "raised", "share"
		printf "%d\t%d\t%d\t%d\t%d\t%.4f\n", rows, cited, low, same, up, cited ? low / cited : 0
	}' "$tmp/after.tsv"

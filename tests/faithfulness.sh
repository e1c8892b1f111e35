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
# each user's history the item that the explanation of the user's row k
# cites (the first of its hist section with a positive share; a row
# without one cites nothing), recalls and ranks every user again from
# that history, and reads the new score of the row's item (0 when no
# channel lists it any more). The models know the users, so the removed
# item stays left out of the candidates (lmrec-recall leaves out what the
# models trained on): only its part as evidence is gone.
#
# The models must be trained on INTERACTIONS. Prints a TSV line with a
# header: rows (rows recommended), cited (rows whose explanation cites a
# history item), lowered, unchanged and raised (cited rows whose score
# fell, stayed or rose without the item), share (lowered / cited, 4
# digits); then the same for the models' own scores: model_rows (cited
# rows where a channel's contrib lists the cited item), model_lowered
# (those where one of these channels scores the item lower without it,
# or not at all, and none scores it higher; read from one more recall,
# --only the rows' items), model_share. With -o
# DIR the rows are kept in DIR/rows.tsv (user rank item score cited
# score_without model_lowered). Deterministic.
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
mv "$tmp/cand.tsv" "$tmp/cand0.tsv"
# user rank item score cited (the first hist item, percent-decoded) and
# the same as the contrib column writes it
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
		# the first item with a positive share
		cited = enc = ""
		split($6, sec, "|")
		n = split(substr(sec[3], 6), e, ",")
		for (j = 1; j <= n && enc == ""; j++) {
			k = index(e[j], ":")
			if (substr(e[j], k + 1) + 0 > 0) { enc = substr(e[j], 1, k - 1); cited = decode(enc) }
		}
		print $1, $2, $3, $4, cited, enc
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
	# the channels' own scores of the rows' items, however low
	awk -F'\t' -v k="$k" 'BEGIN { print "item" } $2 == k && $5 != "" && !seen[$3]++ { print $3 }' \
		"$tmp/rows.tsv" >"$tmp/only.tsv"
	lmrec-recall -q "${margs[@]}" "${uargs[@]}" --history "$tmp/hist.tsv" --fold-in --only "$tmp/only.tsv" \
		-n "$(($(wc -l <"$tmp/only.tsv") - 1))" -o "$tmp/model.tsv"
	# each place-k row's item's new score, and what the channels' own
	# scores did: of the channels whose contributions list the cited item,
	# one lowered the item's score (a lower one, or none: item-kNN's score
	# fell to 0) and none raised it: 1; else 0; "-" when no channel lists
	# the item
	awk -F'\t' -v OFS='\t' -v k="$k" '
		FNR == 1 { f++ }
		f == 1 { if ($2 == k && $5 != "") { want[$1 "\t" $3] = $6 }; next }
		f == 2 {
			if (FNR == 1) next
			key = $1 "\t" $2
			if (!(key in want)) next
			n = split($8, e, ",")
			for (j = 1; j <= n; j++) if (substr(e[j], 1, length(want[key]) + 1) == want[key] ":") {
				old[key, $4] = $3; chans[key] = chans[key] SUBSEP $4 }
			next
		}
		f == 3 { if (FNR > 1) new[$1 "\t" $2, $4] = $3; next }
		f == 4 { if (FNR > 1) score[$1 "\t" $3] = $4; next }
		$2 == k && $5 != "" {
			key = $1 "\t" $3; down = up = 0
			nc = split(substr(chans[key], 2), cs, SUBSEP)
			for (j = 1; j <= nc; j++) {
				c = cs[j]; o = old[key, c] + 0
				if (!((key, c) in new) || new[key, c] + 0 < o) down++
				else if (new[key, c] + 0 > o) up++
			}
			model = nc == 0 ? "-" : (down > 0 && up == 0)
			print $1, $2, $3, $4, $5, (key in score) ? score[key] : 0, model
		}' "$tmp/rows.tsv" "$tmp/cand0.tsv" "$tmp/model.tsv" "$tmp/recs-k.tsv" "$tmp/rows.tsv" >>"$tmp/after.tsv"
done

if [ -n "$keep" ]; then
	{
		printf 'user\trank\titem\tscore\tcited\tscore_without\tmodel_lowered\n'
		sort -t"$(printf '\t')" -k1,1 -k2,2n "$tmp/after.tsv"
	} >"$keep/rows.tsv"
fi
awk -F'\t' -v OFS='\t' -v rows="$(($(wc -l <"$tmp/rows.tsv")))" '
	{ cited++; if ($6 + 0 < $4 + 0) low++; else if ($6 + 0 == $4 + 0) same++; else up++
	  if ($7 != "-") { mrows++; mlow += $7 } }
	END {
		print "rows", "cited", "lowered", "unchanged", "raised", "share", "model_rows", "model_lowered", "model_share"
		printf "%d\t%d\t%d\t%d\t%d\t%.4f\t%d\t%d\t%.4f\n", rows, cited, low, same, up, cited ? low / cited : 0,
			mrows, mlow, mrows ? mlow / mrows : 0
	}' "$tmp/after.tsv"

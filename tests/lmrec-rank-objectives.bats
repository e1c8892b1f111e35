#!/usr/bin/env bats
# lmrec-rank's several objectives: --discovery (genres new to the user),
# --value (an item attribute), and --objectives-out (each list's score on
# relevance, diversity, discovery, value and calibration).

load test_helper

HEADER='user|rank|item|score|reason'
OHEADER='user|relevance|diversity|discovery|value|calibration'

setup() {
	cd "$BATS_TEST_TMPDIR"
	# one channel, minmax: u's a 1, b 0.75, c 0.5, d 0; v's a 1, c 0
	tsv 'user|item|score|channel' 'u|a|8|cf' 'u|b|6|cf' 'u|c|4|cf' 'u|d|0|cf' 'v|a|8|cf' 'v|c|4|cf' >c.tsv
	# u has seen category X (h); v has no history
	tsv 'item|category|attrs' 'a|X|price=low;margin=0.1' 'b|X|price=high;margin=0.5' \
		'c|Y|price=mid;margin=0.3;genre=X;genre=Y' 'd|Z|' 'h|X|genre=X' >i.tsv
	tsv 'user|item' 'u|h' >h.tsv
}

# rank OPTION...: lmrec-rank -q --normalize minmax --items i.tsv --history h.tsv
rank() {
	lmrec-rank -q --normalize minmax --items i.tsv --history h.tsv "$@" c.tsv
}

@test "lmrec-rank objectives: an item wins through its value alone, from the weight where it pays" {
	# b's 0.75 + W (price high: 1) against a's 1 + 0 (low): b from W = 0.25 on
	run -0 rank -n 1 --value 0.2 --value-attr price
	assert_output "$(tsv "$HEADER" 'u|1|a|1|cf: recommended for you' 'v|1|a|1|cf: recommended for you')"
	run -0 rank -n 1 --value 0.3 --value-attr price
	assert_output "$(tsv "$HEADER" 'u|1|b|0.75|cf: recommended for you' 'v|1|a|1|cf: recommended for you')"
	# then a (1), c (0.5 + 0.3 0.5, mid), d (0, no price)
	run -0 rank --value 0.3 --value-attr price
	assert_output "$(tsv "$HEADER" 'u|1|b|0.75|cf: recommended for you' 'u|2|a|1|cf: recommended for you' \
		'u|3|c|0.5|cf: recommended for you' 'u|4|d|0|cf: recommended for you' \
		'v|1|a|1|cf: recommended for you' 'v|2|c|0|cf: recommended for you')"
	# numbers are scaled over the catalog: margin 0.1, 0.5, 0.3 -> 0, 1, 0.5:
	# b 0.75 + 0.6 = 1.35, a 1, c 0.5 + 0.6 0.5 = 0.8
	run -0 rank -n 3 --value 0.6 --value-attr margin
	assert_output "$(tsv "$HEADER" 'u|1|b|0.75|cf: recommended for you' 'u|2|a|1|cf: recommended for you' \
		'u|3|c|0.5|cf: recommended for you' 'v|1|a|1|cf: recommended for you' \
		'v|2|c|0|cf: recommended for you')"
	# v: c's 0 + 2.5 0.5 = 1.25 beats a's 1 + 0
	run -0 rank -n 1 --value 2.5 --value-attr margin
	assert_line --index 2 "$(tsv 'v|1|c|0|cf: recommended for you')"
}

@test "lmrec-rank objectives: an item wins through discovery alone, a category new to the user" {
	# u knows X: c (Y) and d (Z) are new. a 1 against c 0.5 + W: c from W = 0.5
	run -0 rank -n 1 --discovery 0.4
	assert_line --index 1 "$(tsv 'u|1|a|1|cf: recommended for you')"
	run -0 rank --discovery 0.6
	assert_output "$(tsv "$HEADER" 'u|1|c|0.5|cf: recommended for you' 'u|2|a|1|cf: recommended for you' \
		'u|3|b|0.75|cf: recommended for you' 'u|4|d|0|cf: recommended for you' \
		'v|1|a|1|cf: recommended for you' 'v|2|c|0|cf: recommended for you')"
	# d (0 + 0.8) passes b (0.75) at 0.8; v has no history: every category
	# is new, the order is relevance
	run -0 rank --discovery 0.8
	assert_output "$(tsv "$HEADER" 'u|1|c|0.5|cf: recommended for you' 'u|2|a|1|cf: recommended for you' \
		'u|3|d|0|cf: recommended for you' 'u|4|b|0.75|cf: recommended for you' \
		'v|1|a|1|cf: recommended for you' 'v|2|c|0|cf: recommended for you')"
	# by genre, c is X and Y: half new (0.5 + 0.6 0.5 = 0.8 < 1); a, b, d
	# have no genre and are never a discovery
	run -0 rank -n 1 --discovery 0.6 --discovery-attr genre
	assert_line --index 1 "$(tsv 'u|1|a|1|cf: recommended for you')"
	run -0 rank -n 1 --discovery 1.1 --discovery-attr genre
	assert_line --index 1 "$(tsv 'u|1|c|0.5|cf: recommended for you')"
}

@test "lmrec-rank objectives: they add to MMR and calibration, each weighted" {
	# --mmr 0.5 and --value 0.3 (price): b 0.375 + 0.3 before a 0.5 + 0;
	# then a 0.5 - 0.5 (X again) + 0 and c 0.25 - 0 + 0.15
	run -0 rank -n 2 --mmr 0.5
	assert_output "$(tsv "$HEADER" 'u|1|a|1|cf: recommended for you' 'u|2|c|0.5|cf: recommended for you' \
		'v|1|a|1|cf: recommended for you' 'v|2|c|0|cf: recommended for you')"
	run -0 rank -n 2 --mmr 0.5 --value 0.3 --value-attr price
	assert_output "$(tsv "$HEADER" 'u|1|b|0.75|cf: recommended for you' 'u|2|c|0.5|cf: recommended for you' \
		'v|1|a|1|cf: recommended for you' 'v|2|c|0|cf: recommended for you')"
	# --calibrate 0.5 with p = (X 1): after a, b keeps q = p (KL 0):
	# 0.5 0.75 = 0.375; c 0.25 - 0.5 ln(1 / 0.505) = -0.0916; with
	# --discovery 0.5 c gets 0.4084 and passes b
	run -0 rank -n 2 --calibrate 0.5
	assert_line --index 2 "$(tsv 'u|2|b|0.75|cf: recommended for you')"
	run -0 rank -n 2 --calibrate 0.5 --discovery 0.5
	assert_line --index 2 "$(tsv 'u|2|c|0.5|cf: recommended for you')"
	run -0 rank -n 2 --calibrate 0.5 --discovery 0.45
	assert_line --index 2 "$(tsv 'u|2|b|0.75|cf: recommended for you')"
}

@test "lmrec-rank objectives: weights 0 and --objectives-out leave the recommendations byte for byte" {
	tsv 'user|item|score|channel|because' 'u|a|3|pop|' 'u|b|2|pop|' 'u|a|1|cf|h' 'u|c|5|cf|h' \
		'u|d|2|cf|' 'v|c|1|cf|h' >c2.tsv
	for opts in "--items i.tsv" "--items i.tsv --mmr 0.5" "--normalize minmax --items i.tsv --category-cap 1" \
		"--items i.tsv --history h.tsv --calibrate 0.3" "--history h.tsv --pop-penalty 0.5 --items i.tsv"; do
		# shellcheck disable=SC2086 # the options split into words
		lmrec-rank -q $opts -o plain.tsv c2.tsv
		# shellcheck disable=SC2086
		lmrec-rank -q $opts --history h.tsv --discovery 0 --value 0 --value-attr price \
			--objectives-out o.tsv -o all.tsv c2.tsv
		cmp plain.tsv all.tsv
		[ "$(wc -l <o.tsv)" -eq 3 ]
	done
}

@test "lmrec-rank objectives: --objectives-out scores each list on the five objectives" {
	# u's list a b c d: relevance (1 + 0.75 + 0.5 + 0) / 4; distances: a-b
	# 0 (both X), the five other pairs 1; discovery (0 + 0 + 1 + 1) / 4;
	# value (price) (0 + 1 + 0.5 + 0) / 4; calibration: p = (X 1), q has X
	# 2/4: KL = ln(1 / (0.99 0.5 + 0.01)), 1 - KL / ln(100) = 0.851645689.
	# v's a c: relevance 1/2, distance 1, discovery 1 (no history), value
	# 0.25, and no calibration target: empty
	run -0 --separate-stderr lmrec-rank --normalize minmax --items i.tsv --history h.tsv \
		--value-attr price --objectives-out o.tsv -o r.tsv c.tsv
	[ "${stderr_lines[0]}" = "lmrec-rank: 2 users, 6 recommendations" ]
	[ "${stderr_lines[1]}" = "lmrec-rank: objectives, means over the lists: relevance 0.531250 diversity 0.916667 discovery 0.750000 value 0.312500 calibration 0.851646" ]
	run cat o.tsv
	assert_output "$(tsv "$OHEADER" 'u|0.5625|0.833333333|0.5|0.375|0.851645689' 'v|0.5|1|1|0.25|')"
	# with --calibrate-attr genre: p = (X 1), c the only item with a genre,
	# half X: q~ X = 0.99 0.5 + 0.01 again; discovery by genre: c half new
	run -0 rank --value-attr margin --calibrate-attr genre --discovery-attr genre --objectives-out o.tsv
	run cat o.tsv
	assert_output "$(tsv "$OHEADER" 'u|0.5625|0.833333333|0.125|0.375|0.851645689' 'v|0.5|1|0.5|0.25|')"
	# without --history, --items or --value-attr those objectives are empty;
	# a list of one item has no pair
	lmrec-rank -q --normalize minmax -n 1 --objectives-out o.tsv c.tsv
	run cat o.tsv
	assert_output "$(tsv "$OHEADER" 'u|1||||' 'v|1||||')"
	run -0 --separate-stderr lmrec-rank --normalize minmax -n 1 --objectives-out o.tsv c.tsv
	[ "${stderr_lines[1]}" = "lmrec-rank: objectives, means over the lists: relevance 1.000000 diversity - discovery - value - calibration -" ]
	# with vectors: a (1, 0), b (0.6, 0.8), c (0, 1), d none: a-b 0.4, a-c 1,
	# b-c 0.2 by cosine, and by category (X, Z; Y, Z) the pairs of d: 1 each
	tsv 'item|d0|d1' 'a|1|0' 'b|0.6|0.8' 'c|0|1' >vec.tsv
	lmrec-rank -q --normalize minmax --items i.tsv --vectors vec.tsv --objectives-out o.tsv c.tsv
	run cut -f1-3 o.tsv
	assert_output "$(tsv 'user|relevance|diversity' 'u|0.5625|0.766666661' 'v|0.5|1')"
	# vectors alone: d's pairs are unknown, (0.4 + 1 + 0.2) / 3
	lmrec-rank -q --normalize minmax --vectors vec.tsv --objectives-out o.tsv c.tsv
	run cut -f1-3 o.tsv
	assert_output "$(tsv 'user|relevance|diversity' 'u|0.5625|0.533333321' 'v|0.5|1')"
	# relevance is normalised over the pool: with --pool 3, d is out
	lmrec-rank -q --normalize minmax --pool 3 -n 2 --objectives-out o.tsv c.tsv
	run cat o.tsv
	assert_output "$(tsv "$OHEADER" 'u|0.75||||' 'v|0.5||||')"
}

@test "lmrec-rank objectives: usage errors exit 2 with the message" {
	run -2 --separate-stderr lmrec-rank --discovery 0.5 --items i.tsv c.tsv
	[ "${stderr_lines[0]}" = "lmrec-rank: --discovery needs --history and --items" ]
	[ "${stderr_lines[1]}" = "Try 'lmrec-rank --help' for more information." ]
	run -2 --separate-stderr lmrec-rank --discovery 0.5 --history h.tsv c.tsv
	[ "${stderr_lines[0]}" = "lmrec-rank: --discovery needs --history and --items" ]
	run -2 --separate-stderr lmrec-rank --discovery-attr genre c.tsv
	[ "${stderr_lines[0]}" = "lmrec-rank: --discovery-attr goes with --discovery or --objectives-out" ]
	run -2 --separate-stderr lmrec-rank --value 0.5 --items i.tsv c.tsv
	[ "${stderr_lines[0]}" = "lmrec-rank: --value needs --value-attr" ]
	run -2 --separate-stderr lmrec-rank --value 0.5 --value-attr price c.tsv
	[ "${stderr_lines[0]}" = "lmrec-rank: --value-attr needs --items" ]
	run -2 --separate-stderr lmrec-rank --value-attr price --items i.tsv c.tsv
	[ "${stderr_lines[0]}" = "lmrec-rank: --value-attr goes with --value or --objectives-out" ]
	run -2 --separate-stderr lmrec-rank --value -1 --value-attr price --items i.tsv c.tsv
	[ "${stderr_lines[0]}" = "lmrec-rank: invalid value for --value: '-1' (expected a number from 0 to 1000)" ]
	run -2 --separate-stderr lmrec-rank --objectives-out - c.tsv
	[ "${stderr_lines[0]}" = "lmrec-rank: --objectives-out and the recommendations go to the same place" ]
	run -2 --separate-stderr lmrec-rank --objectives-out r.tsv -o r.tsv c.tsv
	[ "${stderr_lines[0]}" = "lmrec-rank: --objectives-out and the recommendations go to the same place" ]
	# either alone on standard output is fine (rank normalisation: u's 1, 1/1.1,
	# 1/1.2, 1/1.3 scale to 1, 0.606, 0.278, 0)
	run -0 lmrec-rank -q --objectives-out - -o r.tsv c.tsv
	assert_output "$(tsv "$OHEADER" 'u|0.470959587||||' 'v|0.5||||')"
	run -2 --separate-stderr lmrec-rank --discovery x --items i.tsv --history h.tsv c.tsv
	[ "${stderr_lines[0]}" = "lmrec-rank: invalid value for --discovery: 'x' (expected a number from 0 to 1000)" ]
}

@test "lmrec-rank objectives: a value that is no number nor level, or words mixed with numbers, exit 65" {
	tsv 'item|attrs' 'a|price=low' 'b|price=cheap' >bad.tsv
	run -65 --separate-stderr lmrec-rank --items bad.tsv --value 1 --value-attr price -o out.tsv c.tsv
	[ "$stderr" = "lmrec-rank: bad.tsv:3: column 'attrs': price 'cheap' is not a number nor low, mid, high or free" ]
	[ ! -e out.tsv ]
	tsv 'item|attrs' 'a|price=low' 'b|x=1;price=0.5' >mix.tsv
	run -65 --separate-stderr lmrec-rank --items mix.tsv --value 1 --value-attr price c.tsv
	[ "$stderr" = "lmrec-rank: mix.tsv:3: column 'attrs': price '0.5' is a number, but an earlier value is a word" ]
	# free is the bottom of the scale
	tsv 'item|attrs' 'a|cost=free;price=9' 'b|cost=high;pricey=x' >ok.tsv
	run -0 lmrec-rank -q --normalize minmax --items ok.tsv --value 0.5 --value-attr cost -n 1 c.tsv
	assert_line --index 1 "$(tsv 'u|1|b|0.75|cf: recommended for you')"
	# a key that only starts the same (pricey) is another key; a single
	# number scales to 1
	run -0 lmrec-rank -q --normalize minmax --items ok.tsv --value-attr price --objectives-out o.tsv -n 2 c.tsv
	run cat o.tsv
	assert_output "$(tsv "$OHEADER" 'u|0.875|||0.5|' 'v|0.5|||0.5|')"
	run -0 --separate-stderr lmrec-rank -q --items ok.tsv --value 0.5 --value-attr margin c.tsv
	[ "$stderr" = "lmrec-rank: warning: no item of ok.tsv has the attribute 'margin': every item's value is 0" ]
	run -0 --separate-stderr lmrec-rank -q --items ok.tsv --history h.tsv --discovery 0.5 --discovery-attr mood c.tsv
	[ "$stderr" = "lmrec-rank: warning: no item of ok.tsv has the attribute 'mood': --discovery changes nothing" ]
}

@test "lmrec-rank objectives: header-only input, escaped ids, gzip output, the same output twice" {
	printf 'user\titem\tscore\tchannel\n' >h0.tsv
	run -0 lmrec-rank -q --objectives-out o.tsv h0.tsv
	run cat o.tsv
	assert_output "$(tsv "$OHEADER")"
	printf 'user\titem\tscore\tchannel\nu\\t1\ta\t1\tcf\n' >esc.tsv
	lmrec-rank -q --objectives-out o.tsv.gz esc.tsv
	[ "$(gzip -dc o.tsv.gz)" = "$(printf 'user\trelevance\tdiversity\tdiscovery\tvalue\tcalibration\nu\\t1\t1\t\t\t\t')" ]
	lmrec-rank -q --items i.tsv --history h.tsv --discovery 0.3 --value 0.2 --value-attr price --mmr 0.8 \
		--objectives-out o1.tsv -o r1.tsv c.tsv
	lmrec-rank -q --items i.tsv --history h.tsv --discovery 0.3 --value 0.2 --value-attr price --mmr 0.8 \
		--objectives-out o2.tsv -o r2.tsv c.tsv
	cmp o1.tsv o2.tsv
	cmp r1.tsv r2.tsv
	# a bad input leaves no objectives file
	tsv 'user|item|score|channel' 'u|a|x|cf' >bad.tsv
	run -65 lmrec-rank --objectives-out ob.tsv bad.tsv
	[ ! -e ob.tsv ]
}

@test "lmrec-rank objectives: on sample-data, awk recomputes the discovery, value and diversity of every list" {
	local d="$TOP/sample-data"
	lmrec-train -q --model itemknn -o knn.lmrc "$d/interactions.tsv.gz"
	lmrec-recall -q -m knn.lmrc -n 100 -o cand.tsv
	lmrec-rank -q --items "$d/items.tsv" --history "$d/interactions.tsv.gz" --discovery 0.2 --value 0.2 \
		--value-attr price --mmr 0.8 --objectives-out o.tsv -o r.tsv cand.tsv
	gzip -dc "$d/interactions.tsv.gz" >inter.tsv
	# discovery: the item's category absent from the user's history; value:
	# price low 0, mid 0.5, high 1, none 0; diversity: pairs of differing
	# categories (every item has one)
	awk -F'\t' '
		FILENAME == ARGV[1] { if (FNR > 1) { cat[$1] = $4; v[$1] = 0
			if ($5 ~ /(^|;)price=mid(;|$)/) v[$1] = 0.5; if ($5 ~ /(^|;)price=high(;|$)/) v[$1] = 1 }; next }
		FILENAME == ARGV[2] { if (FNR > 1) seen[$1, cat[$2]] = 1; next }
		FNR == 1 { next }
		{ n[$1]++; l[$1, n[$1]] = $3 }
		END {
			for (u in n) {
				d = 0; s = 0; p = 0; q = 0
				for (j = 1; j <= n[u]; j++) {
					i = l[u, j]; d += !((u, cat[i]) in seen); s += v[i]
					for (k = j + 1; k <= n[u]; k++) { p++; q += cat[i] != cat[l[u, k]] }
				}
				printf "%s\t%.6f\t%.6f\t%.6f\n", u, q / p, d / n[u], s / n[u]
			}
		}' "$d/items.tsv" inter.tsv r.tsv | LC_ALL=C sort >want.tsv
	awk -F'\t' -v OFS='\t' 'NR > 1 { printf "%s\t%.6f\t%.6f\t%.6f\n", $1, $3, $4, $5 }' o.tsv | LC_ALL=C sort >got.tsv
	[ "$(wc -l <got.tsv)" -eq 957 ]
	diff want.tsv got.tsv
}

@test "lmrec-rank: --explore gives a share of each list to new items, in place of the last others, with a reason" {
	tsv 'item|category|released' 'a|X|100' 'b|X|100' 'c|Y|900000' 'd|Y|950000' 'e|Y|' >it.tsv
	tsv 'user|item|score|channel' 'u|a|9|cf' 'u|b|8|cf' 'u|c|2|cf' 'u|d|1|cf' 'u|e|0.5|cf' >c.tsv
	r() { lmrec-rank -q --normalize minmax --items it.tsv -n 3 "$@" c.tsv; }
	run -0 r
	assert_output "$(tsv 'user|rank|item|score|reason' 'u|1|a|1|cf: recommended for you' \
		'u|2|b|0.882352948|cf: recommended for you' 'u|3|c|0.176470593|cf: recommended for you')"
	# one slot of three: c (1.2 days old) is in the list already
	run -0 r --explore 0.34 --now 1000000
	assert_output "$(tsv 'user|rank|item|score|reason' 'u|1|a|1|cf: recommended for you' \
		'u|2|b|0.882352948|cf: recommended for you' 'u|3|c|0.176470593|cf: recommended for you')"
	# two slots: d comes in at the end, b (the last that is not new) goes
	run -0 r --explore 0.67 --now 1000000
	assert_output "$(tsv 'user|rank|item|score|reason' 'u|1|a|1|cf: recommended for you' \
		'u|2|c|0.176470593|cf: recommended for you' \
		'u|3|d|0.0588235296|new (released 0 days ago), tried out; cf: recommended for you')"
	# new means within --new-days: with 1, c is not new; e (no date) never is;
	# only d can fill the slots
	run -0 r --explore 1 --new-days 1 --now 1000000
	assert_output "$(tsv 'user|rank|item|score|reason' 'u|1|a|1|cf: recommended for you' \
		'u|2|b|0.882352948|cf: recommended for you' \
		'u|3|d|0.0588235296|new (released 0 days ago), tried out; cf: recommended for you')"
	# an item released after --now is not new yet
	run -0 r --explore 1 --now 920000
	assert_output "$(tsv 'user|rank|item|score|reason' 'u|1|a|1|cf: recommended for you' \
		'u|2|b|0.882352948|cf: recommended for you' 'u|3|c|0.176470593|cf: recommended for you')"
	# a date is the end of that day (UTC): 1970-01-12 ends at 1036799, when
	# d is 1.0 days old and c 1.6
	run -0 r --explore 1 --new-days 2 --now 1970-01-12
	# (two new items for three slots: the list keeps a, its best)
	assert_output "$(tsv 'user|rank|item|score|reason' 'u|1|a|1|cf: recommended for you' \
		'u|2|c|0.176470593|cf: recommended for you' \
		'u|3|d|0.0588235296|new (released 1 days ago), tried out; cf: recommended for you')"
	run -2 --separate-stderr r --explore 0.5
	[ "${stderr_lines[0]}" = "lmrec-rank: --explore needs --items and --now" ]
	run -2 --separate-stderr r --explore 0.5 --now soon
	[ "${stderr_lines[0]}" = "lmrec-rank: --now: 'soon' is neither seconds nor YYYY-MM-DD" ]
	tsv 'item|released' 'a|x' >bad.tsv
	run -65 --separate-stderr lmrec-rank -q --items bad.tsv --explore 0.5 --now 1 c.tsv
	[ "$stderr" = "lmrec-rank: bad.tsv:2: column 'released': 'x' is not an integer" ]
}

#!/usr/bin/env bats
# lmrec-feedback: feedback folded into training weights and deny-lists.

load test_helper

setup() {
	cd "$BATS_TEST_TMPDIR"
	# u1 refuses i1, loves i2, lingers on i3; u2 glances at i1 and skips
	# it, buys i4 (no interaction row), refuses i5 then rates it 5
	tsv 'user|item|ts|signal|value' \
		'u1|i1|100|not_interested|' \
		'u1|i2|110|spot_on|1' \
		'u1|i3|120|dwell|30' \
		'u2|i1|100|dwell|10' \
		'u2|i1|105|skip|' \
		'u2|i4|130|purchase|2' \
		'u2|i5|90|not_interested|' \
		'u2|i5|95|rating|5' >fb.tsv
	tsv 'user|item|ts|weight|event' \
		'u1|i1|50|1|view' 'u1|i2|60|1|view' 'u1|i3|70|2|cart' \
		'u2|i1|80|1|view' 'u3|i9|10|1.0|view' >inter.tsv
	# i6 is i1's twin; i7 shares 2 of 4 pairs with it; i8 is the same but
	# in another category
	tsv 'item|category|attrs' \
		'i1|jackets|color=red;weight=light;use=hiking' \
		'i6|jackets|color=red;weight=light;use=hiking' \
		'i7|jackets|color=blue;weight=light;use=hiking' \
		'i8|boots|color=red;weight=light;use=hiking' \
		'i5|boots|a=1' 'i2|boots|a=1' >items.tsv
}

@test "lmrec-feedback: --help and --version exit 0, an unknown option exits 2" {
	run lmrec-feedback --help
	assert_success
	assert_line --partial 'Usage: lmrec-feedback'
	run lmrec-feedback --version
	assert_success
	assert_output 'lmrec-feedback (lmrec) 0.1.0'
	run -2 --separate-stderr lmrec-feedback --bogus
	[ "${stderr_lines[1]}" = "Try 'lmrec-feedback --help' for more information." ]
}

@test "lmrec-feedback: every --help option is in the man page" {
	run check_man_page lmrec-feedback
	assert_success
}

@test "lmrec-feedback: weights multiplied by each pair's factor, refusals dropped, feedback-only pairs added" {
	run -0 --separate-stderr lmrec-feedback --interactions inter.tsv -o out.tsv fb.tsv
	# u1 i2: spot_on x2; u1 i3: dwell 30 over the median 20 gives
	# sqrt(1.5) on weight 2; u2 i1: sqrt(10/20) then skip x0.5; u3's row
	# has no feedback and passes byte for byte (1.0 stays 1.0); u2 i5
	# (rated 5 after the refusal: 5/3) and u2 i4 (bought: 1.5) are added
	# by time
	run cat out.tsv
	assert_output "$(tsv 'user|item|ts|weight|event' \
		'u1|i2|60|2|view' \
		'u1|i3|70|2.44948983|cart' \
		'u2|i1|80|0.353553385|view' \
		'u3|i9|10|1.0|view' \
		'u2|i5|95|1.66666663|feedback' \
		'u2|i4|130|1.5|feedback')"
	[ "$stderr" = "lmrec-feedback: 8 feedback rows, 6 pairs of 2 users; dwell median 20 s; 4 of 5 rows kept (3 re-weighted, 1 dropped), 2 added" ]
}

@test "lmrec-feedback: the factors and the dwell median are options" {
	run -0 lmrec-feedback -q --interactions inter.tsv -o - --spot-on 3 --skip 1 --purchase 1 \
		--dwell-median 30 fb.tsv
	assert_output "$(tsv 'user|item|ts|weight|event' \
		'u1|i2|60|3|view' \
		'u1|i3|70|2|cart' \
		'u2|i1|80|0.577350259|view' \
		'u3|i9|10|1.0|view' \
		'u2|i5|95|1.66666663|feedback' \
		'u2|i4|130|1|feedback')"
}

@test "lmrec-feedback: without a weight column one is added; other columns of added rows are empty" {
	tsv 'user|item|ts|extra' 'u1|i2|60|x' 'u3|i9|10|y' >plain.tsv
	run -0 lmrec-feedback -q --interactions plain.tsv -o - fb.tsv
	assert_output "$(tsv 'user|item|ts|extra|weight' \
		'u1|i2|60|x|2' \
		'u3|i9|10|y|1' \
		'u2|i5|95||1.66666663' \
		'u2|i4|130||1.5')"
}

@test "lmrec-feedback: the latest explicit signal counts, and --until replays an earlier night" {
	# u2 refused i5 at 90 and rated it 5 at 95: not blocked
	run -0 --separate-stderr lmrec-feedback --blocked - fb.tsv
	assert_output "$(tsv 'user|item|ts|reason' 'u1|i1|100|not interested')"
	# as of 92 the refusal is the latest word
	run -0 lmrec-feedback -q --blocked - --until 92 fb.tsv
	assert_output "$(tsv 'user|item|ts|reason' 'u2|i5|90|not interested')"
	# a date means the end of that day (UTC): everything here is on 1970-01-01
	run -0 lmrec-feedback -q --blocked - --until 1970-01-01 fb.tsv
	assert_output "$(tsv 'user|item|ts|reason' 'u1|i1|100|not interested')"
	# a rating, then a refusal: blocked; a tie goes to the later row
	tsv 'user|item|ts|signal|value' 'u|a|5|rating|5' 'u|a|6|not_interested|' \
		'v|b|7|not_interested|1' 'v|b|7|spot_on|' >flip.tsv
	run -0 lmrec-feedback -q --blocked - flip.tsv
	assert_output "$(tsv 'user|item|ts|reason' 'u|a|6|not interested')"
	run -2 --separate-stderr lmrec-feedback --blocked - --until tomorrow fb.tsv
	[ "${stderr_lines[0]}" = "lmrec-feedback: --until: 'tomorrow' is neither seconds nor YYYY-MM-DD" ]
}

@test "lmrec-feedback: near duplicates by attributes within the category, by vectors, and their thresholds" {
	run -0 --separate-stderr lmrec-feedback --items items.tsv --blocked blocked.tsv fb.tsv
	run cat blocked.tsv
	assert_output "$(tsv 'user|item|ts|reason' \
		'u1|i1|100|not interested' \
		'u1|i6|100|near duplicate of i1 (jaccard 1.00)')"
	[ "$stderr" = "lmrec-feedback: 8 feedback rows, 6 pairs of 2 users; dwell median 20 s; 1 items refused, 1 near duplicates blocked" ]
	# i7 shares 2 of 4 pairs: in at 0.5
	run -0 lmrec-feedback -q --items items.tsv --near-jaccard 0.5 --blocked - fb.tsv
	assert_output "$(tsv 'user|item|ts|reason' \
		'u1|i1|100|not interested' \
		'u1|i6|100|near duplicate of i1 (jaccard 1.00)' \
		'u1|i7|100|near duplicate of i1 (jaccard 0.50)')"
	# by vectors: i8 (another category) is i1's near twin, i6 is not
	tsv 'item|d0|d1' 'i1|1|0' 'i6|0|1' 'i7|0.6|0.8' 'i8|0.99|0.1' >vec.tsv
	run -0 lmrec-feedback -q --vectors vec.tsv --blocked - fb.tsv
	assert_output "$(tsv 'user|item|ts|reason' \
		'u1|i1|100|not interested' \
		'u1|i8|100|near duplicate of i1 (cosine 0.99)')"
	# with the catalog too, only the same category counts: nothing left
	run -0 lmrec-feedback -q --vectors vec.tsv --items items.tsv --blocked - fb.tsv
	assert_output "$(tsv 'user|item|ts|reason' 'u1|i1|100|not interested')"
	run -0 lmrec-feedback -q --vectors vec.tsv --items items.tsv --near-cosine 0.5 --blocked - fb.tsv
	assert_output "$(tsv 'user|item|ts|reason' \
		'u1|i1|100|not interested' \
		'u1|i7|100|near duplicate of i1 (cosine 0.60)')"
}

@test "lmrec-feedback: an item near two refusals names the closer; a refused item is never a duplicate" {
	tsv 'user|item|ts|signal|value' 'u|i1|5|not_interested|' 'u|i7|6|not_interested|' >two.tsv
	# i1 and i7 are near each other (0.6) but both refused; i6 is near
	# both (0.8, 0.96); i8 only near i7 (0.8)
	tsv 'item|d0|d1' 'i1|1|0' 'i7|0.6|0.8' 'i6|0.8|0.6' 'i8|0|1' >vec.tsv
	run -0 lmrec-feedback -q --vectors vec.tsv --near-cosine 0.5 --blocked - two.tsv
	assert_output "$(tsv 'user|item|ts|reason' \
		'u|i1|5|not interested' \
		'u|i6|6|near duplicate of i7 (cosine 0.96)' \
		'u|i7|6|not interested' \
		'u|i8|6|near duplicate of i7 (cosine 0.80)')"
}

@test "lmrec-feedback: bad feedback exits 65 naming file, line and column" {
	tsv 'user|item|ts|signal|value' 'u|a|1|like|' >bad.tsv
	run -65 --separate-stderr lmrec-feedback --blocked - bad.tsv
	[ "$stderr" = "lmrec-feedback: bad.tsv:2: column 'signal': 'like' is not a signal (not_interested, spot_on, rating, dwell, purchase, skip)" ]
	tsv 'user|item|ts|signal|value' 'u|a|1|rating|4' 'u|a|1|rating|7' >bad.tsv
	run -65 --separate-stderr lmrec-feedback --blocked - bad.tsv
	[ "$stderr" = "lmrec-feedback: bad.tsv:3: column 'value': rating 7 is not within 1 to 5" ]
	tsv 'user|item|ts|signal|value' 'u|a|1|dwell|0' >bad.tsv
	run -65 --separate-stderr lmrec-feedback --blocked - bad.tsv
	[ "$stderr" = "lmrec-feedback: bad.tsv:2: column 'value': dwell 0 is not a positive number of seconds" ]
	tsv 'user|item|ts|signal|value' 'u|a|1|skip|2' >bad.tsv
	run -65 --separate-stderr lmrec-feedback --blocked - bad.tsv
	[ "$stderr" = "lmrec-feedback: bad.tsv:2: column 'value': '2' is not empty or 1 for skip" ]
	tsv 'user|item|ts|signal|value' 'u|a|1|purchase|0' >bad.tsv
	run -65 --separate-stderr lmrec-feedback --blocked - bad.tsv
	[ "$stderr" = "lmrec-feedback: bad.tsv:2: column 'value': purchase quantity 0 is not a positive integer" ]
	tsv 'user|item|ts|signal|value' '|a|1|skip|' >bad.tsv
	run -65 --separate-stderr lmrec-feedback --blocked - bad.tsv
	[ "$stderr" = "lmrec-feedback: bad.tsv:2: column 'user': empty user id" ]
	tsv 'user|item|ts|signal|value' 'u|a|x|skip|' >bad.tsv
	run -65 --separate-stderr lmrec-feedback --blocked - bad.tsv
	[ "$stderr" = "lmrec-feedback: bad.tsv:2: column 'ts': 'x' is not an integer" ]
	tsv 'user|item|ts|signal' 'u|a|1|skip' >bad.tsv
	run -65 --separate-stderr lmrec-feedback --blocked - bad.tsv
	[ "$stderr" = "lmrec-feedback: bad.tsv:1: no column 'value' in the header" ]
	printf 'user\titem\tts\tsignal\tvalue\r\nu\ta\t1\tskip\t\r\n' >crlf.tsv
	run -65 --separate-stderr lmrec-feedback --blocked - crlf.tsv
	[[ "$stderr" == "lmrec-feedback: crlf.tsv:1: line ends with CR"*dos2unix* ]]
	# nothing was written where an output was asked for
	run -65 lmrec-feedback --blocked kept.tsv crlf.tsv
	[ ! -e kept.tsv ]
}

@test "lmrec-feedback: usage errors exit 2 with the reason" {
	run -2 --separate-stderr lmrec-feedback -o out.tsv fb.tsv
	[ "${stderr_lines[0]}" = "lmrec-feedback: -o needs --interactions (the rows to re-weight)" ]
	run -2 --separate-stderr lmrec-feedback --interactions inter.tsv fb.tsv
	[ "${stderr_lines[0]}" = "lmrec-feedback: --interactions needs -o (where the re-weighted rows go)" ]
	run -2 --separate-stderr lmrec-feedback fb.tsv
	[ "${stderr_lines[0]}" = "lmrec-feedback: nothing to write: give -o with --interactions, or --blocked" ]
	run -2 --separate-stderr lmrec-feedback --items items.tsv --interactions inter.tsv -o - fb.tsv
	[ "${stderr_lines[0]}" = "lmrec-feedback: --items and --vectors find near duplicates for --blocked" ]
	run -2 --separate-stderr lmrec-feedback --blocked - --near-jaccard 2 fb.tsv
	[ "${stderr_lines[1]}" = "Try 'lmrec-feedback --help' for more information." ]
}

@test "lmrec-feedback: header-only input, gzip input, standard input, escaped ids round-trip" {
	tsv 'user|item|ts|signal|value' >empty.tsv
	run -0 --separate-stderr lmrec-feedback --blocked - empty.tsv
	assert_output 'user	item	ts	reason'
	[ "$stderr" = "lmrec-feedback: 0 feedback rows, 0 pairs of 0 users; 0 items refused, 0 near duplicates blocked" ]
	lmrec-feedback -q --interactions inter.tsv -o plain.tsv --blocked plain-b.tsv fb.tsv
	gzip -c fb.tsv >fb.tsv.gz
	lmrec-feedback -q --interactions inter.tsv -o gz.tsv --blocked gz-b.tsv fb.tsv.gz
	cmp plain.tsv gz.tsv
	cmp plain-b.tsv gz-b.tsv
	lmrec-feedback -q --interactions inter.tsv -o stdin.tsv <fb.tsv
	cmp plain.tsv stdin.tsv
	# compressed output by name
	lmrec-feedback -q --interactions inter.tsv -o out.tsv.gz fb.tsv
	gzip -dc out.tsv.gz | cmp - plain.tsv
	# ids holding a TAB and a backslash stay escaped, as read
	printf 'user\titem\tts\tsignal\tvalue\na\\tb\tx\\\\y\t1\tnot_interested\t\n' >esc.tsv
	run -0 lmrec-feedback -q --blocked - esc.tsv
	assert_output "$(printf 'user\titem\tts\treason\na\\tb\tx\\\\y\t1\tnot interested')"
}

@test "lmrec-feedback: on the sample data's world, the refusals leave the weighted rows" {
	# feedback made from the sample interactions: every 50th row refused
	gzip -dc "$TOP/sample-data/interactions.tsv.gz" | awk -F'\t' 'NR > 1 && NR % 50 == 0 {
		print $1 "\t" $2 "\t" $3 + 1 "\tnot_interested\t" }
		BEGIN { print "user\titem\tts\tsignal\tvalue" }' >refused.tsv
	run -0 --separate-stderr lmrec-feedback --interactions "$TOP/sample-data/interactions.tsv.gz" \
		-o w.tsv --items "$TOP/sample-data/items.tsv" --blocked b.tsv refused.tsv
	# no refused pair has a row left, and every row of another pair is kept
	awk -F'\t' 'FNR == 1 { next } NR == FNR { r[$1 "\t" $2] = 1; next } ($1 "\t" $2) in r { bad++ }
		END { exit bad > 0 }' refused.tsv w.tsv
	pairs=$(tail -n +2 refused.tsv | cut -f1,2 | sort -u | wc -l)
	left=$(gzip -dc "$TOP/sample-data/interactions.tsv.gz" | awk -F'\t' 'FNR == 1 { next }
		NR == FNR { r[$1 "\t" $2] = 1; next } !(($1 "\t" $2) in r)' refused.tsv - | wc -l)
	[ "$(($(wc -l <w.tsv) - 1))" -eq "$left" ]
	[ "$(awk -F'\t' '$4 == "not interested"' b.tsv | wc -l)" -eq "$pairs" ]
	[[ "$stderr" == *"$pairs items refused"* ]]
}

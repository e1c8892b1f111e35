#!/usr/bin/env bats
# lmrec-split: folds of an interactions stream.

load test_helper

setup() {
	cd "$BATS_TEST_TMPDIR"
	# u1: 4 rows, two in the same second (input order decides); u2: 2 rows.
	tsv 'user|item|ts|weight' \
		'u1|a|10|1' \
		'u1|b|30|1' \
		'u1|c|30|2' \
		'u1|d|20|1' \
		'u2|a|5|1' \
		'u2|b|6|1' >in.tsv
}

@test "lmrec-split: --help and --version exit 0, an unknown option exits 2" {
	run lmrec-split --help
	assert_success
	assert_line --partial 'Usage: lmrec-split'
	run lmrec-split --version
	assert_success
	assert_output 'lmrec-split (lmrec) 0.1.0'
	run -2 --separate-stderr lmrec-split --bogus
	[ "${stderr_lines[1]}" = "Try 'lmrec-split --help' for more information." ]
}

@test "lmrec-split: every --help option is in the man page" {
	run check_man_page lmrec-split
	assert_success
}

@test "lmrec-split: leave-last-out in time order, ties in input order, short users in train" {
	run lmrec-split -q in.tsv
	assert_success
	assert_output "$(tsv 'user|item|ts|weight|fold' \
		'u1|a|10|1|train' \
		'u1|d|20|1|train' \
		'u1|b|30|1|valid' \
		'u1|c|30|2|test' \
		'u2|a|5|1|train' \
		'u2|b|6|1|train')"
}

@test "lmrec-split: --no-valid leaves the second-last row in train" {
	run lmrec-split -q --no-valid in.tsv
	assert_success
	assert_line "$(tsv 'u1|b|30|1|train')"
	assert_line "$(tsv 'u1|c|30|2|test')"
}

@test "lmrec-split: one file per fold, without a fold column" {
	run lmrec-split -q --train tr.tsv --valid va.tsv --test te.tsv in.tsv
	assert_success
	[ -z "$output" ]
	run cat te.tsv
	assert_output "$(tsv 'user|item|ts|weight' 'u1|c|30|2')"
	run wc -l <tr.tsv
	assert_output 5
}

@test "lmrec-split: a repeated pair keeps its latest row unless --keep-repeats" {
	tsv 'user|item|ts' 'u|a|1' 'u|b|2' 'u|a|3' 'u|c|4' 'u|d|5' >rep.tsv
	run lmrec-split -q rep.tsv
	assert_output "$(tsv 'user|item|ts|fold' 'u|b|2|train' 'u|a|3|train' 'u|c|4|valid' 'u|d|5|test')"
	run lmrec-split -q --keep-repeats rep.tsv
	assert_line "$(tsv 'u|a|1|train')"
}

@test "lmrec-split: minimum counts are taken once, as SASRec does" {
	# item z has one row: with --min-item 2 it goes, and u3 falls to 2 rows
	# but is not removed again (one pass).
	tsv 'user|item|ts' 'u3|a|1' 'u3|b|2' 'u3|z|3' 'u4|a|1' 'u4|b|2' 'u4|c|3' 'u5|c|1' >mc.tsv
	run lmrec-split -q --min-item 2 --min-user 3 mc.tsv
	assert_success
	assert_output "$(tsv 'user|item|ts|fold' 'u3|a|1|train' 'u3|b|2|train' \
		'u4|a|1|train' 'u4|b|2|valid' 'u4|c|3|test')"
}

@test "lmrec-split: global time cut-off with a validation period" {
	run lmrec-split -q --method time --cutoff 30 --valid-cutoff 20 in.tsv
	assert_success
	assert_output "$(tsv 'user|item|ts|weight|fold' \
		'u1|a|10|1|train' 'u1|d|20|1|valid' 'u1|b|30|1|test' 'u1|c|30|2|test' \
		'u2|a|5|1|train' 'u2|b|6|1|train')"
}

@test "lmrec-split: random fraction is exact per user and seeded" {
	for u in 1 2 3 4 5 6 7 8 9; do for i in $(seq 1 10); do printf 'u%s\ti%s\t%s\n' $u $i $i; done; done |
		sed '1i user\titem\tts' >r.tsv
	run lmrec-split -q --method random --fraction 0.2 --valid-fraction 0.1 -s 5 r.tsv
	assert_success
	echo "$output" >a.tsv
	# each user: 2 test, 1 valid, 7 train
	run awk -F'\t' 'NR>1{c[$1" "$4]++} END{for (k in c) print k, c[k]}' a.tsv
	[ "$(echo "$output" | grep -c ' test 2$')" -eq 9 ]
	[ "$(echo "$output" | grep -c ' valid 1$')" -eq 9 ]
	run lmrec-split -q --method random --fraction 0.2 --valid-fraction 0.1 -s 5 r.tsv
	[ "$output" = "$(cat a.tsv)" ]
	run lmrec-split -q --method random --fraction 0.2 --valid-fraction 0.1 -s 6 r.tsv
	[ "$output" != "$(cat a.tsv)" ]
	# a user's draw does not depend on the other users
	grep -v '^u9' r.tsv >r8.tsv
	run lmrec-split -q --method random --fraction 0.2 --valid-fraction 0.1 -s 5 r8.tsv
	[ "$output" = "$(grep -v '^u9' a.tsv)" ]
}

@test "lmrec-split: --eval-users: N seeded users hold rows out as a whole split would, the others all train" {
	for u in 1 2 3 4 5 6 7 8 9; do for i in $(seq 1 10); do printf 'u%s\ti%s\t%s\n' $u $i $i; done; done |
		sed '1i user\titem\tts' >r.tsv
	printf 'u0\ti1\t1\nu0\ti2\t2\n' >>r.tsv # too short to hold anything out
	run -0 --separate-stderr lmrec-split --eval-users 3 -s 5 -o s.tsv r.tsv
	assert_equal "$stderr" 'lmrec-split: last: 92 rows in, 0 dropped; train 86, valid 3, test 3'
	awk -F'\t' '$4 == "test" { print $1 }' s.tsv >test-users
	awk -F'\t' '$4 == "valid" { print $1 }' s.tsv | cmp - test-users
	[ "$(sort -u test-users | wc -l)" -eq 3 ]
	# the chosen users' rows as in the split of everyone; the others' all train
	lmrec-split -q -s 5 -o all.tsv r.tsv
	grep -F -f test-users all.tsv >want
	grep -F -f test-users s.tsv | cmp - want
	[ "$(grep -v -F -f test-users s.tsv | awk -F'\t' 'NR > 1 && $4 != "train"' | wc -l)" -eq 0 ]
	# seeded, independent of the rows' order; another seed, other users
	(head -n 1 r.tsv; tail -n +2 r.tsv | tac) >rev.tsv
	run -0 lmrec-split -q --eval-users 3 -s 5 rev.tsv
	[ "$output" = "$(cat s.tsv)" ]
	for seed in 6 7 8; do lmrec-split -q --eval-users 3 -s $seed r.tsv; done |
		awk -F'\t' '$4 == "test" { print $1 }' | sort -u >other-users
	[ "$(wc -l <other-users)" -gt 3 ]
	# only users with 3 rows or more are drawn; N past them is everyone
	run -0 lmrec-split -q --eval-users 10 r.tsv
	[ "$output" = "$(lmrec-split -q r.tsv)" ]
	run -0 lmrec-split -q --eval-users 4 --method random --fraction 0.2 -s 5 r.tsv
	[ "$(echo "$output" | awk -F'\t' '$4 == "test" { print $1 }' | sort -u | wc -l)" -eq 4 ]
	run -2 --separate-stderr lmrec-split --eval-users 3 --method time --cutoff 5 r.tsv
	assert_equal "${stderr_lines[0]}" 'lmrec-split: --eval-users belongs to --method last and random (a time or cold split holds out by time or by item: the other users'"'"' rows would leak)'
	run -2 lmrec-split --eval-users 3 --method cold r.tsv
	run -2 lmrec-split --eval-users 0 r.tsv
}

@test "lmrec-split: cold holds out a seeded share of items entirely" {
	for u in 1 2 3 4 5; do for i in $(seq 1 20); do printf 'u%s\ti%s\t%s\n' $u $i $i; done; done |
		sed '1i user\titem\tts' >c.tsv
	run lmrec-split -q --method cold --fraction 0.25 -s 3 c.tsv
	assert_success
	echo "$output" >cold.tsv
	# 5 of 20 items are test, each with all 5 of its rows; nothing else is test
	[ "$(awk -F'\t' '$4=="test"{print $2}' cold.tsv | sort -u | wc -l)" -eq 5 ]
	[ "$(awk -F'\t' '$4=="test"' cold.tsv | wc -l)" -eq 25 ]
	[ "$(awk -F'\t' '$4=="valid"' cold.tsv | wc -l)" -eq 0 ]
	# no held-out item appears in train
	run awk -F'\t' 'NR==FNR{if($4=="test")h[$2]=1; next} $4=="train" && h[$2]' cold.tsv cold.tsv
	[ -z "$output" ]
}

@test "lmrec-split: header-only input gives header-only output" {
	printf 'user\titem\tts\n' >h.tsv
	run lmrec-split -q h.tsv
	assert_success
	assert_output "$(printf 'user\titem\tts\tfold')"
}

@test "lmrec-split: a missing column exits 65 naming file and line" {
	tsv 'user|item' 'u|a' >bad.tsv
	run -65 --separate-stderr lmrec-split bad.tsv
	[ "$stderr" = "lmrec-split: bad.tsv:1: no column 'ts' in the header" ]
}

@test "lmrec-split: a bad timestamp exits 65 naming line and column, no output file left" {
	tsv 'user|item|ts' 'u|a|1' 'u|b|x2' >bad.tsv
	mkdir o
	run -65 --separate-stderr lmrec-split -o o/out.tsv bad.tsv
	[ "$stderr" = "lmrec-split: bad.tsv:3: column 'ts': 'x2' is not an integer" ]
	run ls -A o
	[ -z "$output" ]
}

@test "lmrec-split: a failed run leaves the previous output untouched" {
	lmrec-split -q -o out.tsv in.tsv
	cp out.tsv before.tsv
	tsv 'user|item|ts' 'u|a|oops' >bad.tsv
	run -65 lmrec-split -q -o out.tsv bad.tsv
	cmp out.tsv before.tsv
}

@test "lmrec-split: CRLF input exits 65 with a dos2unix hint" {
	printf 'user\titem\tts\r\nu\ta\t1\r\n' >crlf.tsv
	run -65 --separate-stderr lmrec-split crlf.tsv
	[[ "$stderr" == "lmrec-split: crlf.tsv:1: line ends with CR"*dos2unix* ]]
}

@test "lmrec-split: escaped fields round-trip unchanged" {
	printf 'user\titem\tts\tnote\nu\\\\1\ta\\tb\t1\tx\\ny\n' >esc.tsv
	run lmrec-split -q esc.tsv
	assert_success
	assert_line "$(printf 'u\\\\1\ta\\tb\t1\tx\\ny\ttrain')"
}

@test "lmrec-split: an unknown escape exits 65" {
	printf 'user\titem\tts\nu\ta\\q\t1\n' >esc.tsv
	run -65 --separate-stderr lmrec-split esc.tsv
	[ "$stderr" = "lmrec-split: esc.tsv:2: column 'item': unknown escape '\\q' (only \\t \\n \\r \\\\ are allowed)" ]
}

@test "lmrec-split: gzip input gives the same output as plain input, .gz output is gzip" {
	gzip -c in.tsv >in.tsv.gz
	run lmrec-split -q in.tsv
	plain="$output"
	run lmrec-split -q <in.tsv.gz
	assert_output "$plain"
	lmrec-split -q -o out.tsv.gz in.tsv
	[ "$(gzip -dc out.tsv.gz)" = "$plain" ]
}

@test "lmrec-split: a truncated gzip input exits 65" {
	for i in $(seq 1 2000); do printf 'u%d\ti%d\t%d\n' $((i % 50)) $i $i; done | sed '1i user\titem\tts' | gzip -c >big.gz
	head -c 3000 big.gz >cut.gz
	run -65 --separate-stderr lmrec-split -o out.tsv cut.gz
	[[ "$stderr" == "lmrec-split: cut.gz:"*"truncated gzip stream"* ]]
	[ ! -e out.tsv ]
}

@test "lmrec-split: concatenated gzip members read whole, trailing zero bytes are padding" {
	run -0 lmrec-split -q in.tsv
	plain="$output"
	head -n 3 in.tsv | gzip -c >two.gz
	tail -n +4 in.tsv | gzip -c >>two.gz
	run -0 lmrec-split -q two.gz
	assert_output "$plain"
	# tar pads with zero bytes, and gzip -d accepts them
	head -c 1000 /dev/zero >>two.gz
	run -0 lmrec-split -q <two.gz
	assert_output "$plain"
}

@test "lmrec-split: bytes after the last gzip member exit 65 with one line, no output file" {
	gzip -c in.tsv >good.gz
	printf 'junk\n' >junk
	cat good.gz junk >x.gz
	run -65 --separate-stderr lmrec-split -o out.tsv x.gz
	[ "$stderr" = "lmrec-split: x.gz:8: corrupt gzip stream (trailing garbage after the last member)" ]
	[ ! -e out.tsv ]
	run -65 --separate-stderr lmrec-split -o out.tsv <x.gz
	[ "$stderr" = "lmrec-split: <stdin>:8: corrupt gzip stream (trailing garbage after the last member)" ]
	# zero bytes then anything else is garbage too
	{ cat good.gz; head -c 10 /dev/zero; printf 'x'; } >z.gz
	run -65 --separate-stderr lmrec-split -o out.tsv z.gz
	[ "$stderr" = "lmrec-split: z.gz:8: corrupt gzip stream (trailing garbage after the last member)" ]
	[ ! -e out.tsv ]
}

@test "lmrec-split: usage errors exit 2" {
	run -2 lmrec-split --method time in.tsv
	run -2 lmrec-split --method nope in.tsv
	run -2 lmrec-split --fraction 2 --method random in.tsv
	run -2 lmrec-split --cutoff 5 in.tsv
	run -2 lmrec-split -o x --train y in.tsv
}

@test "lmrec-split: the SASRec split of MovieLens-1M has 3,416 items and 999,611 rows" {
	need_dataset ml-1m
	awk 'BEGIN{print "user\titem\tts"} {print $1"\t"$2"\t"NR}' \
		"$LMREC_DATASETS/ml-1m/interactions_chrono.tsv" >m1.tsv
	run -0 --separate-stderr lmrec-split --min-item 5 -o folds.tsv m1.tsv
	[ "$stderr" = "lmrec-split: last: 1000209 rows in, 598 dropped; train 987531, valid 6040, test 6040" ]
	[ "$(cut -f2 folds.tsv | sed 1d | sort -u | wc -l)" -eq 3416 ]
	# the test item is each user's last line of the chronological file
	run bash -c "awk -F'\t' '\$4==\"test\"{print \$1\"\t\"\$2}' folds.tsv | sort >got;
		awk 'NR==FNR{c[\$2]++; next} c[\$2]>=5{last[\$1]=\$2} END{for(u in last) print u\"\t\"last[u]}' \
		'$LMREC_DATASETS/ml-1m/interactions_chrono.tsv' '$LMREC_DATASETS/ml-1m/interactions_chrono.tsv' | sort >want;
		cmp got want"
	assert_success
}

@test "lmrec-split: an output that is a pipe or device is written in place, not replaced" {
	mkfifo pipe
	cat pipe >got.tsv &
	run lmrec-split -q -o pipe in.tsv
	assert_success
	wait
	[ -p pipe ]
	[ "$(cat got.tsv)" = "$(lmrec-split -q in.tsv)" ]
	run lmrec-split -q -o /dev/null in.tsv
	assert_success
	[ -c /dev/null ]
}

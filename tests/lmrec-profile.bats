#!/usr/bin/env bats
# lmrec-profile: the profile store (long-term memory of issue 8).

bats_require_minimum_version 1.5.0

load test_helper

# The fixture: 2026-11-06 (a Friday, 1793923200) and 2026-11-07 (a
# Saturday, 1794009600), a half-life of one day, so that the weights read at
# the end of 2026-11-07 are halved once per day of age.
setup() {
	cd "$BATS_TEST_TMPDIR"
	F="$TOP/tests/fixtures/profile"
	cp "$F/items.tsv" "$F/interactions.tsv" "$F/feedback.tsv" .
}

# update STORE DATE [ARGS...]: a quiet update over the fixture's catalog.
update() {
	local store=$1 date=$2
	shift 2
	lmrec-profile -q --store "$store" --update --items items.tsv --date "$date" "$@"
}

# the fixture folded on the night of 2026-11-07
FIXTURE_SHOW="$(tsv 'user|kind|key|weight|ts' \
	'u1|category|museum|0.5|1794009600' \
	'u1|category|park|-1|1794009600' \
	'u1|attr|crowd=busy|-1|1794009600' \
	'u1|attr|setting=indoor|0.5|1794009600' \
	'u1|attr|setting=outdoor|-1|1794009600' \
	'u1|domain|places|-0.5|1794009600' \
	'u1|habit|weekday:places|0.25|1793923200' \
	'u1|habit|weekday:places:crowd=busy|0.25|1793923200' \
	'u1|habit|weekday:places:setting=outdoor|0.25|1793923200' \
	'u1|habit|weekend:places|0.5|1794009600' \
	'u1|habit|weekend:places:setting=indoor|0.5|1794009600' \
	'u1|blocked|p1|1|1794009600' \
	'u2|category|street-food|0.625|1794009600' \
	'u2|attr|spice=hot|0.625|1794009600' \
	'u2|domain|food|0.625|1794009600' \
	'u2|habit|weekday:food|0.25|1793923200' \
	'u2|habit|weekday:food:spice=hot|0.25|1793923200' \
	'u2|habit|weekend:food|0.5|1794009600' \
	'u2|habit|weekend:food:spice=hot|0.5|1794009600')"

@test "lmrec-profile: --help and --version exit 0, an unknown option exits 2" {
	run lmrec-profile --help
	assert_success
	assert_line --partial 'Usage: lmrec-profile'
	run lmrec-profile --version
	assert_success
	assert_output 'lmrec-profile (lmrec) 0.1.0'
	run -2 --separate-stderr lmrec-profile --bogus
	[ "${stderr_lines[1]}" = "Try 'lmrec-profile --help' for more information." ]
}

@test "lmrec-profile: every --help option is in the man page, and lmrec-profile(5) lints clean" {
	run check_man_page lmrec-profile
	assert_success
	run mandoc -Tlint -Wwarning "$TOP/man/man5/lmrec-profile.5"
	assert_success
	assert_output ''
}

@test "lmrec-profile: usage errors exit 2" {
	run -2 --separate-stderr lmrec-profile --show
	assert_equal "${stderr_lines[0]}" 'lmrec-profile: --store FILE is required'
	run -2 --separate-stderr lmrec-profile --store s.lmp
	assert_equal "${stderr_lines[0]}" 'lmrec-profile: no mode: give one of --update, --show, --check, --compact and --forget'
	run -2 --separate-stderr lmrec-profile --store s.lmp --show --check
	run -2 --separate-stderr lmrec-profile --store s.lmp --update interactions.tsv
	assert_equal "${stderr_lines[0]}" 'lmrec-profile: --update needs --items FILE and --date YYYY-MM-DD'
	run -2 --separate-stderr lmrec-profile --store s.lmp --update --items items.tsv --date 2026-13-01
	assert_equal "${stderr_lines[0]}" "lmrec-profile: invalid value for --date: '2026-13-01' (expected YYYY-MM-DD)"
	run -2 --separate-stderr lmrec-profile --store s.lmp --show interactions.tsv
	[ ! -e s.lmp ]
}

@test "lmrec-profile: update then show: decayed weights, blocked items, habits, exact output" {
	run --separate-stderr update s.lmp 2026-11-07 --half-life 1 --feedback feedback.tsv interactions.tsv
	assert_success
	run lmrec-profile --store s.lmp --show
	assert_success
	assert_output "$FIXTURE_SHOW"
	# a day later every weight but the blocked item's has halved again
	run lmrec-profile --store s.lmp --show --date 2026-11-08
	assert_line "$(tsv 'u1|category|park|-0.5|1794009600')"
	assert_line "$(tsv 'u1|blocked|p1|1|1794009600')"
	assert_line "$(tsv 'u2|habit|weekday:food|0.125|1793923200')"
}

@test "lmrec-profile: the summary counts the rows folded, skipped and unknown" {
	run --separate-stderr lmrec-profile --store s.lmp --update --items items.tsv --date 2026-11-06 \
		--feedback feedback.tsv interactions.tsv
	assert_success
	[[ "$stderr" == "lmrec-profile: s.lmp: folded 3 of 6 rows (0 at or before the last folded time, 3 after the date, 1 of unknown items) into 2 users; wrote a new store ("*" bytes); 2 users, 12 entries, "*" s" ]]
}

@test "lmrec-profile: --check prints the store's figures" {
	update s.lmp 2026-11-07 --half-life 1 --feedback feedback.tsv interactions.tsv
	run lmrec-profile --store s.lmp --check
	assert_success
	assert_output "$(tsv 'field|value' 'version|1' 'half_life|1' 'users|2' 'entries|19' \
		'batches|1' 'records|3' 'bytes|827' 'snapshot_bytes|827' 'torn_bytes|0' \
		'inter_mark|1794009600' 'feedback_mark|1794009600' 'updated|1794096000')"
}

@test "lmrec-profile: the same night twice counts nothing twice and writes nothing" {
	update s.lmp 2026-11-07 --half-life 1 --feedback feedback.tsv interactions.tsv
	cp s.lmp first.lmp
	run --separate-stderr lmrec-profile --store s.lmp --update --items items.tsv --date 2026-11-07 \
		--feedback feedback.tsv interactions.tsv
	assert_success
	[[ "$stderr" == *"folded 0 of 6 rows (6 at or before the last folded time"*"wrote nothing (0 bytes)"* ]]
	cmp s.lmp first.lmp
}

@test "lmrec-profile: two nights append a batch and read as one night over both days" {
	update s.lmp 2026-11-06 --half-life 1 --feedback feedback.tsv interactions.tsv
	update s.lmp 2026-11-07 --feedback feedback.tsv interactions.tsv
	run lmrec-profile --store s.lmp --check
	assert_line "$(tsv 'batches|2')"
	run lmrec-profile --store s.lmp --show
	assert_output "$FIXTURE_SHOW"
	# compaction keeps the data and drops the log
	lmrec-profile -q --store s.lmp --compact
	run lmrec-profile --store s.lmp --check
	assert_line "$(tsv 'batches|1')"
	run lmrec-profile --store s.lmp --show
	assert_output "$FIXTURE_SHOW"
}

@test "lmrec-profile: a store made twice from the same input is the same bytes" {
	update a.lmp 2026-11-07 --feedback feedback.tsv interactions.tsv
	update b.lmp 2026-11-07 --feedback feedback.tsv interactions.tsv
	cmp a.lmp b.lmp
}

@test "lmrec-profile: --half-life is the store's: another value exits 2 until --compact sets it" {
	update s.lmp 2026-11-06 --half-life 1 interactions.tsv
	run -2 --separate-stderr update s.lmp 2026-11-07 --half-life 7 interactions.tsv
	assert_equal "${stderr_lines[0]}" "lmrec-profile: --half-life 7 differs from the store's 1 (change it with --compact)"
	lmrec-profile -q --store s.lmp --compact --half-life 7
	run lmrec-profile --store s.lmp --check
	assert_line "$(tsv 'half_life|7')"
}

@test "lmrec-profile: header-only input gives a store with no users, shown as a header" {
	head -n 1 interactions.tsv >empty.tsv
	update s.lmp 2026-11-07 empty.tsv
	run lmrec-profile --store s.lmp --show
	assert_output "$(tsv 'user|kind|key|weight|ts')"
	run lmrec-profile --store s.lmp --check
	assert_line "$(tsv 'users|0')"
}

@test "lmrec-profile: a missing column exits 65 naming file and line, no store made" {
	cut -f1,2 interactions.tsv >nots.tsv
	run -65 --separate-stderr update s.lmp 2026-11-07 nots.tsv
	assert_equal "$stderr" "lmrec-profile: nots.tsv:1: no column 'ts' in the header"
	[ ! -e s.lmp ]
	cut -f1,2,3,5 feedback.tsv >nosignal.tsv
	run -65 --separate-stderr update s.lmp 2026-11-07 --feedback nosignal.tsv
	assert_equal "$stderr" "lmrec-profile: nosignal.tsv:1: no column 'signal' in the header"
}

@test "lmrec-profile: an unknown signal or a bad value exits 65, the store untouched" {
	update s.lmp 2026-11-06 interactions.tsv
	cp s.lmp before.lmp
	tsv 'user|item|ts|signal|value' 'u1|p1|1794009600|like|' >fb.tsv
	run -65 --separate-stderr update s.lmp 2026-11-07 --feedback fb.tsv
	assert_equal "$stderr" "lmrec-profile: fb.tsv:2: column 'signal': 'like' is not a signal (expected not_interested, spot_on, rating, dwell, purchase or skip)"
	tsv 'user|item|ts|signal|value' 'u1|p1|1794009600|rating|7' >fb.tsv
	run -65 --separate-stderr update s.lmp 2026-11-07 --feedback fb.tsv
	assert_equal "$stderr" "lmrec-profile: fb.tsv:2: column 'value': '7': a rating must be from 1 to 5"
	cmp s.lmp before.lmp
}

@test "lmrec-profile: a rating of interactions is from half a star (MovieLens) to 5" {
	tsv 'user|item|ts|weight|event' 'u1|p2|1794009600|0.5|rating' >half.tsv
	update s.lmp 2026-11-07 half.tsv
	# 0.5 - 3 = -2.5, a strong dislike, decayed to the end of the night
	run lmrec-profile --store s.lmp --show
	assert_output "$(tsv 'user|kind|key|weight|ts' 'u1|category|museum|-2.44289994|1794009600' \
		'u1|attr|setting=indoor|-2.44289994|1794009600' 'u1|domain|places|-2.44289994|1794009600')"
	tsv 'user|item|ts|weight|event' 'u1|p2|1794009600|0.4|rating' >low.tsv
	run -65 --separate-stderr update s2.lmp 2026-11-07 low.tsv
	assert_equal "$stderr" "lmrec-profile: low.tsv:2: column 'weight': a rating must be from 0.5 to 5"
	[ ! -e s2.lmp ]
}

@test "lmrec-profile: CRLF input exits 65 with a dos2unix hint" {
	sed 's/$/\r/' interactions.tsv >crlf.tsv
	run -65 --separate-stderr update s.lmp 2026-11-07 crlf.tsv
	assert_equal "$stderr" "lmrec-profile: crlf.tsv:1: line ends with CR (CRLF line endings): convert the file with dos2unix"
}

@test "lmrec-profile: escaped ids and keys round-trip through the store" {
	tsv 'item|category|attrs|domain' 'i\tx|caf\\e|note=a\\nb|places' >items.tsv
	tsv 'user|item|ts|event' 'u\t1|i\tx|1794009600|click' >in.tsv
	update s.lmp 2026-11-07 --half-life 1 in.tsv
	run lmrec-profile --store s.lmp --show
	assert_line "$(tsv 'u\t1|category|caf\\e|0.5|1794009600')"
	assert_line "$(tsv 'u\t1|attr|note=a\\nb|0.5|1794009600')"
}

@test "lmrec-profile: gzip input gives the same store as plain input" {
	gzip -c interactions.tsv >in.tsv.gz
	update a.lmp 2026-11-07 interactions.tsv
	update b.lmp 2026-11-07 in.tsv.gz
	cmp a.lmp b.lmp
}

@test "lmrec-profile: a corrupt store is refused with the byte offset, exit 65, left as it is" {
	update s.lmp 2026-11-07 --feedback feedback.tsv interactions.tsv
	printf '\001' | dd of=s.lmp bs=1 seek=100 conv=notrunc 2>/dev/null
	cp s.lmp bad.lmp
	run -65 --separate-stderr lmrec-profile --store s.lmp --check
	assert_equal "$stderr" 'lmrec-profile: s.lmp: byte 64: record checksum mismatch'
	run -65 --separate-stderr lmrec-profile --store s.lmp --show
	assert_equal "$stderr" 'lmrec-profile: s.lmp: byte 64: record checksum mismatch'
	run -65 --separate-stderr update s.lmp 2026-11-08 interactions.tsv
	assert_equal "$stderr" 'lmrec-profile: s.lmp: byte 64: record checksum mismatch'
	cmp s.lmp bad.lmp
	# not a store, a newer version, a cut file
	printf 'user\titem\n' >text.lmp
	run -65 --separate-stderr lmrec-profile --store text.lmp --check
	assert_equal "$stderr" 'lmrec-profile: text.lmp: byte 0: 10 bytes, too short for a profile store header'
	update v.lmp 2026-11-07 interactions.tsv
	cp v.lmp cut.lmp
	truncate -s -1 cut.lmp
	run -65 --separate-stderr lmrec-profile --store cut.lmp --show
	[[ "$stderr" == "lmrec-profile: cut.lmp: byte 24: committed length "*" the file was cut" ]]
	printf '\002' | dd of=v.lmp bs=1 seek=8 conv=notrunc 2>/dev/null
	run -65 --separate-stderr lmrec-profile --store v.lmp --show
	assert_equal "$stderr" 'lmrec-profile: v.lmp: byte 8: format version 2 is newer than this lmrec reads (1)'
	run -1 --separate-stderr lmrec-profile --store missing.lmp --show
	assert_equal "$stderr" 'lmrec-profile: missing.lmp: open: No such file or directory'
}

@test "lmrec-profile: an update killed after every byte count leaves the old or the new store" {
	update s.lmp 2026-11-06 --half-life 1 --feedback feedback.tsv interactions.tsv
	cp s.lmp old.lmp
	lmrec-profile --store old.lmp --show >old.tsv
	update s.lmp 2026-11-07 --feedback feedback.tsv interactions.tsv
	lmrec-profile --store s.lmp --show >new.tsv
	local total=$(($(stat -c %s s.lmp) - $(stat -c %s old.lmp) + 64)) n st olds=0 news=0
	# every byte count; under the sanitizers every 7th and the last (the unit
	# test of lib/profile.c still kills its writer after every byte there)
	local step=1 runs=0
	[ "${LMREC_SANITIZE:-}" != 1 ] || step=7
	for n in $(seq 1 "$step" $((total - 1))) "$total"; do
		runs=$((runs + 1))
		cp old.lmp s.lmp
		st=0
		LMREC_PROFILE_CRASH_AFTER="$n" lmrec-profile -q --store s.lmp --update \
			--items items.tsv --date 2026-11-07 --feedback feedback.tsv interactions.tsv \
			2>/dev/null || st=$?
		[ "$st" -eq 137 ] || { echo "after $n bytes: exit $st, not killed"; return 1; }
		lmrec-profile --store s.lmp --show >got.tsv # refuses a store that does not check
		if cmp -s got.tsv old.tsv; then
			olds=$((olds + 1))
		elif cmp -s got.tsv new.tsv; then
			news=$((news + 1))
		else
			echo "killed after $n bytes: neither version"
			return 1
		fi
	done
	echo "$runs kills: $olds old, $news new"
	[ "$olds" -eq $((runs - 1)) ]
	[ "$news" -eq 1 ]
	# the next update after a torn batch starts from the old version
	cp old.lmp s.lmp
	run -137 env LMREC_PROFILE_CRASH_AFTER=$((total / 2)) lmrec-profile -q --store s.lmp --update \
		--items items.tsv --date 2026-11-07 --feedback feedback.tsv interactions.tsv
	run lmrec-profile --store s.lmp --check
	refute_line "$(tsv 'torn_bytes|0')"
	update s.lmp 2026-11-07 --feedback feedback.tsv interactions.tsv
	lmrec-profile --store s.lmp --show >again.tsv
	cmp again.tsv new.tsv
	run lmrec-profile --store s.lmp --check
	assert_line "$(tsv 'torn_bytes|0')"
}

@test "lmrec-profile: updates on sample-data killed at random moments leave the old or the new store" {
	skip_if_slow
	local S="$TOP/sample-data" i d got olds=0 news=0
	lmrec-profile -q --store s.lmp --update --items "$S/items.tsv" --date 2026-10-20 "$S/interactions.tsv.gz"
	cp s.lmp old.lmp
	lmrec-profile --store s.lmp --show | md5sum >old.md5
	lmrec-profile -q --store s.lmp --update --items "$S/items.tsv" --date 2026-10-29 "$S/interactions.tsv.gz"
	lmrec-profile --store s.lmp --show | md5sum >new.md5
	for i in $(seq 1 12); do
		cp old.lmp s.lmp
		d=$(awk -v i="$i" 'BEGIN { printf "%.3f", 0.05 * i }')
		run timeout -s KILL "$d" lmrec-profile -q --store s.lmp --update --items "$S/items.tsv" \
			--date 2026-10-29 "$S/interactions.tsv.gz"
		[ "$status" -eq 0 ] || [ "$status" -eq 137 ]
		lmrec-profile --store s.lmp --check >/dev/null
		got=$(lmrec-profile --store s.lmp --show | md5sum)
		if [ "$got" = "$(cat old.md5)" ]; then
			olds=$((olds + 1))
		elif [ "$got" = "$(cat new.md5)" ]; then
			news=$((news + 1))
		else
			echo "killed after $d s: neither version"
			return 1
		fi
	done
	echo "12 runs: $olds old, $news new"
}

@test "lmrec-profile: the temporary file of a killed compaction is removed by the next writer" {
	update s.lmp 2026-11-07 interactions.tsv
	run -137 env LMREC_PROFILE_CRASH_AFTER=100 lmrec-profile -q --store s.lmp --compact
	[ "$(find . -name 's.lmp.tmp.*' | wc -l)" -eq 1 ]
	lmrec-profile --store s.lmp --check >/dev/null
	tsv 'user' 'u1' >forget.tsv
	lmrec-profile -q --store s.lmp --forget forget.tsv
	[ "$(find . -name 's.lmp.tmp.*' | wc -l)" -eq 0 ]
	! grep -qa 'u1' s.lmp
}

@test "lmrec-profile: a second update while one runs exits 75" {
	command -v flock >/dev/null || skip "flock(1) is not installed"
	update s.lmp 2026-11-06 interactions.tsv
	run -75 --separate-stderr flock s.lmp.lock lmrec-profile -q --store s.lmp --update \
		--items items.tsv --date 2026-11-07 interactions.tsv
	assert_equal "$stderr" 'lmrec-profile: s.lmp.lock: another process is updating the store'
}

@test "lmrec-profile: --wait waits for the other writer, then folds what it left; past the wait, 75" {
	command -v flock >/dev/null || skip "flock(1) is not installed"
	update s.lmp 2026-11-06 interactions.tsv
	cp s.lmp alone.lmp
	lmrec-profile -q --store alone.lmp --update --items items.tsv --date 2026-11-07 interactions.tsv
	# the lock held for a second and a half by another process
	flock s.lmp.lock sleep 1.5 &
	local holder=$!
	sleep 0.3
	run -75 --separate-stderr lmrec-profile -q --store s.lmp --update --wait 0.2 \
		--items items.tsv --date 2026-11-07 interactions.tsv
	assert_equal "$stderr" 'lmrec-profile: s.lmp.lock: another process is updating the store'
	run --separate-stderr lmrec-profile -q --store s.lmp --update --wait 30 \
		--items items.tsv --date 2026-11-07 interactions.tsv
	assert_success
	wait "$holder"
	# the same store as an update that never waited
	cmp <(lmrec-profile --store s.lmp --show) <(lmrec-profile --store alone.lmp --show)
	run -2 lmrec-profile --store s.lmp --compact --wait -1
	assert_output --partial -- '--wait'
}

@test "lmrec-profile: --forget removes the users for good, no byte of them left in the store" {
	update s.lmp 2026-11-06 --half-life 1 --feedback feedback.tsv interactions.tsv
	update s.lmp 2026-11-07 --feedback feedback.tsv interactions.tsv
	grep -qa 'u1' s.lmp
	tsv 'user' 'u1' 'nobody' >forget.tsv
	run --separate-stderr lmrec-profile --store s.lmp --forget forget.tsv
	assert_success
	assert_equal "$stderr" 'lmrec-profile: s.lmp: forgot 1 users (2 asked)'
	! grep -qa 'u1' s.lmp
	run lmrec-profile --store s.lmp --show
	refute_output --partial 'u1'
	assert_line "$(tsv 'u2|domain|food|0.625|1794009600')"
	[ "$(find . -name 's.lmp.*' ! -name s.lmp.lock | wc -l)" -eq 0 ]
}

@test "lmrec-profile: the version-1 store of the repository still reads" {
	run lmrec-profile --store "$F/v1.lmp" --show
	assert_success
	assert_output "$FIXTURE_SHOW"
	run lmrec-profile --store "$F/v1.lmp" --check
	assert_line "$(tsv 'version|1')"
}

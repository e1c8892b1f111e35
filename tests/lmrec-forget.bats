#!/usr/bin/env bats
# lmrec-forget: users removed from streams, model files and a forget list.

load test_helper

setup() {
	cd "$BATS_TEST_TMPDIR"
	mkdir -p data out/runs/d1
	# three users; u2 is forgotten, u22 and xu2 only look like it
	tsv 'user|item|ts' \
		'u1|a|1' 'u1|b|2' 'u1|c|3' 'u1|d|4' \
		'u2|a|1' 'u2|c|2' 'u2|e|3' \
		'u22|b|1' 'u22|d|2' 'u22|e|3' 'u22|a|4' \
		'xu2|c|1' 'xu2|d|2' 'xu2|b|3' >data/interactions.tsv
	gzip -c data/interactions.tsv >data/interactions.tsv.gz
	rm data/interactions.tsv
	tsv 'user|age' 'u1|30' 'u2|40' 'u22|50' 'xu2|60' >data/users.tsv
	tsv 'item|title' 'a|A' 'b|B' 'c|C' 'd|D' 'e|E' >data/items.tsv
	echo 'notes about u22 and xu2, not the forgotten one' >data/README
}

# every model kind with a user side, trained on the data
train_all() {
	lmrec-train -q --model als --factors 4 -s 1 -o out/runs/d1/als.lmrc data/interactions.tsv.gz
	lmrec-train -q --model itemknn -o out/runs/d1/itemknn.lmrc data/interactions.tsv.gz
	lmrec-train -q --model sasrec --factors 8 --maxlen 4 --epochs 2 --folds all -s 1 \
		-o out/runs/d1/sasrec.lmrc data/interactions.tsv.gz
}

@test "lmrec-forget: --help and --version exit 0, an unknown option exits 2" {
	run lmrec-forget --help
	assert_success
	assert_line --partial 'Usage: lmrec-forget'
	run lmrec-forget --version
	assert_success
	assert_output 'lmrec-forget (lmrec) 0.1.0'
	run -2 --separate-stderr lmrec-forget --bogus
	[ "${stderr_lines[1]}" = "Try 'lmrec-forget --help' for more information." ]
}

@test "lmrec-forget: a profile store loses the users' records, every byte of them; --dry-run changes nothing" {
	tsv 'item|category|attrs' 'a|X|k=v' 'b|X|k=w' 'c|Y|k=v' 'd|Y|' 'e|Z|k=z' >data/items.tsv
	lmrec-profile -q --store out/profile.lmp --update --items data/items.tsv --date 1970-01-01 data/interactions.tsv.gz
	cp out/profile.lmp before.lmp
	run -0 --separate-stderr lmrec-forget --dry-run --user u2 out/profile.lmp
	[ "${stderr_lines[0]}" = "lmrec-forget: out/profile.lmp: 1 users would go" ]
	cmp before.lmp out/profile.lmp
	run -0 --separate-stderr lmrec-forget --user u2 --user nobody out
	[ "${stderr_lines[0]}" = "lmrec-forget: out/profile.lmp: 1 users removed" ]
	[ "${stderr_lines[1]}" = "lmrec-forget: 2 users, 1 found: 0 rows in 0 files, 0 entries (0 interactions) in 0 models, 1 users in 1 profile stores" ]
	run -0 sh -c "lmrec-profile --store out/profile.lmp --show | cut -f1 | sort -u"
	assert_output "$(printf 'u1\nu22\nuser\nxu2')"
	# no byte of u2 is left: the id appears only inside u22 and xu2
	[ "$(grep -a -o 'u2' out/profile.lmp | wc -l)" -eq "$(grep -a -o -E 'u22|xu2' out/profile.lmp | wc -l)" ]
	lmrec-profile -q --store out/profile.lmp --check >/dev/null
	# a corrupt store is named and counts as a failure
	printf 'LMRCPROFjunk' >out/bad.lmp
	run -1 --separate-stderr lmrec-forget --user u1 out/bad.lmp
	[[ "${stderr_lines[0]}" == "lmrec-forget: out/bad.lmp: "* ]]
}

@test "lmrec-forget: every --help option is in the man page" {
	run check_man_page lmrec-forget
	assert_success
}

@test "lmrec-forget: the user's rows leave every stream, gzip kept, the look-alikes stay" {
	run -0 --separate-stderr lmrec-forget --user u2 data
	[ "${stderr_lines[0]}" = "lmrec-forget: data/interactions.tsv.gz: 3 rows removed" ]
	[ "${stderr_lines[1]}" = "lmrec-forget: data/users.tsv: 1 rows removed" ]
	[ "${stderr_lines[2]}" = "lmrec-forget: 1 users, 1 found: 4 rows in 2 files, 0 entries (0 interactions) in 0 models" ]
	run gzip -dc data/interactions.tsv.gz
	assert_output "$(tsv 'user|item|ts' \
		'u1|a|1' 'u1|b|2' 'u1|c|3' 'u1|d|4' \
		'u22|b|1' 'u22|d|2' 'u22|e|3' 'u22|a|4' \
		'xu2|c|1' 'xu2|d|2' 'xu2|b|3')"
	run cat data/users.tsv
	assert_output "$(tsv 'user|age' 'u1|30' 'u22|50' 'xu2|60')"
	# run again: nothing left to do
	cp data/users.tsv before.tsv
	run -0 --separate-stderr lmrec-forget --user u2 data
	[ "${stderr_lines[0]}" = "lmrec-forget: 1 users, 0 found: 0 rows in 0 files, 0 entries (0 interactions) in 0 models" ]
	cmp before.tsv data/users.tsv
}

@test "lmrec-forget: lmrec-ingest's quality report loses the user's rows, an item of the same name stays" {
	mkdir q
	tsv 'kind|key|figure|threshold|action|rows' 'duplicate|u2|3|0|reported|3' 'burst|u22|40|30|reported|40' \
		'bot_user|u2|900|500|reported|900' 'flooded_item|u2|0.9|0.5|reported|12' >q/quality.tsv
	run -0 --separate-stderr lmrec-forget --user u2 q
	[ "${stderr_lines[0]}" = "lmrec-forget: q/quality.tsv: 2 rows removed" ]
	run cat q/quality.tsv
	assert_output "$(tsv 'kind|key|figure|threshold|action|rows' 'burst|u22|40|30|reported|40' \
		'flooded_item|u2|0.9|0.5|reported|12')"
}

@test "lmrec-forget: model files lose the user's entries, the other users score as before" {
	train_all
	for m in als itemknn sasrec; do
		lmrec-recall -q -m out/runs/d1/$m.lmrc -n 3 -o before-$m.tsv
	done
	run -0 --separate-stderr lmrec-forget --user u2 out
	[ "${stderr_lines[0]}" = "lmrec-forget: out/runs/d1/als.lmrc: 1 users and 3 interactions removed" ]
	[ "${#stderr_lines[@]}" -eq 4 ]
	for m in als itemknn sasrec; do
		lmrec-recall -q -m out/runs/d1/$m.lmrc -n 3 -o after-$m.tsv
		# u2's rows gone, every other row the same bytes (sasrec: the same
		# items and reasons, the scores to rounding, for a batch of other
		# users packs its sequences differently)
		if [ $m = sasrec ]; then
			run awk -F'\t' 'FNR == NR { if ($1 != "u2") s[FNR - n] = $0; else n++; next }
				{ split(s[FNR], a, "\t"); d = a[3] - $3; if (d < 0) d = -d
				  if (a[1] != $1 || a[2] != $2 || a[4] != $4 || d > 1e-5 * (1 + ($3 < 0 ? -$3 : $3))) bad++ }
				END { print bad + 0 }' before-$m.tsv after-$m.tsv
			assert_output 0
			[ "$(grep -vc $'^u2\t' before-$m.tsv)" -eq "$(wc -l <after-$m.tsv)" ]
		else
			run diff <(grep -v $'^u2\t' before-$m.tsv) after-$m.tsv
			assert_success
		fi
		run grep -c $'^u2\t' before-$m.tsv
		assert_output 2 # the two items u2 has not seen
		# the id is nowhere in the file
		run grep -c -a -w u2 out/runs/d1/$m.lmrc
		assert_output 0
	done
}

@test "lmrec-forget: a trace outside a table is named and exits 1; a whole-word match only" {
	echo 'ticket from u2: please forget me' >data/notes.txt
	run -1 --separate-stderr lmrec-forget -q --user u2 data
	[ "$stderr" = "lmrec-forget: data/notes.txt: holds the id 'u2' outside a table lmrec can clean; remove it by hand" ]
	# the streams were cleaned all the same; README (u22, xu2) is no trace
	run gzip -dc data/interactions.tsv.gz
	refute_line --regexp $'^u2\t'
	rm data/notes.txt
	run -0 lmrec-forget -q --user u2 data
}

@test "lmrec-forget: a damaged gzip file outside a table is named and exits 1, not taken as searched" {
	# the id sits in plain bytes after the gzip member: zlib's gzread
	# skipped them silently, so the trace went unseen
	{ echo 'nothing to see' | gzip -c; echo 'ticket from u2'; } >data/log.gz
	run -1 --separate-stderr lmrec-forget -q --user u2 data
	[ "$stderr" = "lmrec-forget: data/log.gz: corrupt gzip stream (trailing garbage after the last member); only the bytes before it were searched" ]
	# the streams were cleaned all the same
	run gzip -dc data/interactions.tsv.gz
	refute_line --regexp $'^u2\t'
	# a whole gzip file is searched through
	echo 'ticket from u2' | gzip -c >data/log.gz
	run -1 --separate-stderr lmrec-forget -q --user u2 data
	[ "$stderr" = "lmrec-forget: data/log.gz: holds the id 'u2' outside a table lmrec can clean; remove it by hand" ]
}

@test "lmrec-forget: --dry-run changes nothing; --record names no id" {
	train_all
	cp -r data data0
	cp -r out out0
	run -0 --separate-stderr lmrec-forget -n --users <(tsv 'user' u2 u1) data out
	[ "${stderr_lines[-1]}" = "lmrec-forget: 2 users, 2 found: 9 rows in 2 files, 6 entries (21 interactions) in 3 models; nothing changed (--dry-run)" ]
	diff -r data0 data
	diff -r out0 out
	lmrec-forget -q --user u2 --user nobody --record out/forgotten.tsv data out
	run cut -f2- out/forgotten.tsv
	assert_output "$(tsv 'users|found|rows|files|model_entries|interactions|models' '2|1|4|2|3|9|3')"
	run grep -c -w u2 out/forgotten.tsv
	assert_output 0
}

@test "lmrec-forget: the forget list keeps only HMACs, and --filter leaves the users out of a new export" {
	printf '0123456789abcdef0123456789abcdef' >k
	chmod 600 k
	lmrec-forget -q --user u2 --list out/forget.tsv --key k data
	run cat out/forget.tsv
	# HMAC-SHA256(key, "u2"), as openssl computes it
	assert_output "$(printf 'hmac\n%s' "$(printf u2 | openssl dgst -sha256 -hmac 0123456789abcdef0123456789abcdef | sed 's/.* //')")"
	# u2 comes back in tomorrow's export
	tsv 'user|item|ts' 'u1|e|9' 'u2|b|9' 'u22|c|9' >new.tsv
	run -0 --separate-stderr lmrec-forget --filter --list out/forget.tsv --key k new.tsv
	assert_output "$(tsv 'user|item|ts' 'u1|e|9' 'u22|c|9')"
	[ "$stderr" = "lmrec-forget: 2 rows kept, 1 rows of forgotten users left out" ]
	# adding the same user again leaves the list as it was
	cp out/forget.tsv list0
	lmrec-forget -q --user u2 --list out/forget.tsv --key k data
	cmp list0 out/forget.tsv
	# a key others can read is refused
	chmod 644 k
	run -2 lmrec-forget --filter --list out/forget.tsv --key k new.tsv
	run -2 --separate-stderr lmrec-forget --user u2 --list out/forget.tsv data
	[ "${stderr_lines[0]}" = "lmrec-forget: --list and --key go together" ]
}

@test "lmrec-forget: usage and data errors" {
	run -2 --separate-stderr lmrec-forget data
	[ "${stderr_lines[0]}" = "lmrec-forget: no user to forget (--user or --users)" ]
	run -2 --separate-stderr lmrec-forget --user u2
	[ "${stderr_lines[0]}" = "lmrec-forget: no PATH to clean" ]
	printf 'user\tage\r\nu2\t3\r\n' >data/crlf.tsv
	run -65 lmrec-forget -q --user u2 data/crlf.tsv
	printf 'LMRCMODLgarbage' >out/broken.lmrc
	run -1 --separate-stderr lmrec-forget -q --user u2 out
	[[ "$stderr" == "lmrec-forget: out/broken.lmrc: "* ]]
}

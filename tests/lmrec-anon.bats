#!/usr/bin/env bats
# lmrec-anon: keyed pseudonyms of the ids of a stream.

load test_helper

# Pseudonyms under the key "0123456789abcdef" (16 bytes, no newline), cut
# to the default 32 hex digits. Cross-checked when written with
#   printf %s u1 | openssl dgst -sha256 -mac HMAC -macopt key:0123456789abcdef
P_U1=5162bddb18bda0082a7b39c472f7d118
P_U2=1c3efd7e5248bbcc38d9384a3af6ef14
P_S9=483486fae0d67ac6438d7ea73fac2608
P_ATAB=bcbe6517a92909f4e3af94a5aa39756b # "a<TAB>b", written a\tb in a stream

setup() {
	cd "$BATS_TEST_TMPDIR"
	printf '0123456789abcdef' >t.key
	chmod 600 t.key
	tsv 'user|item|ts|session' \
		'u1|a|10|s9' \
		'u2|b|20|s9' \
		'u1|c|30|u1' >in.tsv
}

@test "lmrec-anon: --help and --version exit 0, an unknown option exits 2" {
	run lmrec-anon --help
	assert_success
	assert_line --partial 'Usage: lmrec-anon -k KEY'
	run lmrec-anon --version
	assert_success
	assert_output 'lmrec-anon (lmrec) 0.1.0'
	run -2 --separate-stderr lmrec-anon --bogus
	[ "${stderr_lines[1]}" = "Try 'lmrec-anon --help' for more information." ]
}

@test "lmrec-anon: every --help option is in the man page" {
	run check_man_page lmrec-anon
	assert_success
}

@test "lmrec-anon: the user column becomes HMAC-SHA256 in hex, the rest passes through" {
	run lmrec-anon -k t.key in.tsv
	assert_success
	assert_output "$(tsv 'user|item|ts|session' \
		"$P_U1|a|10|s9" \
		"$P_U2|b|20|s9" \
		"$P_U1|c|30|u1")"
}

@test "lmrec-anon: --column names the columns, replacing the default; one value, one pseudonym in any column" {
	run lmrec-anon -k t.key -c session in.tsv
	assert_success
	assert_output "$(tsv 'user|item|ts|session' \
		"u1|a|10|$P_S9" \
		"u2|b|20|$P_S9" \
		"u1|c|30|$P_U1")"
	run lmrec-anon -k t.key -c user --column session -c user in.tsv
	assert_success
	assert_line "$(tsv "$P_U1|c|30|$P_U1")"
	assert_line "$(tsv "$P_U2|b|20|$P_S9")"
}

@test "lmrec-anon: --length and --prefix shape the pseudonym, the full 64 digits included" {
	run lmrec-anon -k t.key --length 16 --prefix u_ in.tsv
	assert_success
	assert_line "$(tsv "u_${P_U1:0:16}|a|10|s9")"
	run lmrec-anon -k t.key --length 64 --id u1
	assert_output 5162bddb18bda0082a7b39c472f7d118234c897c39ed61e775751c91fafdc56f
	run lmrec-anon -k t.key --length 17 --id u1
	assert_output "${P_U1:0:17}"
	run -2 --separate-stderr lmrec-anon -k t.key --length 15 in.tsv
	[[ "${stderr_lines[0]}" == "lmrec-anon: invalid value for --length: '15'"* ]]
	run -2 lmrec-anon -k t.key --length 65 in.tsv
	run -2 --separate-stderr lmrec-anon -k t.key --prefix 'u /' in.tsv
	[ "${stderr_lines[0]}" = "lmrec-anon: invalid value for --prefix: 'u /' (expected up to 32 letters, digits, '_', '-', '.' or ':')" ]
	run -2 lmrec-anon -k t.key --prefix 'a\b' in.tsv
}

@test "lmrec-anon: --id prints what the stream gets, one line per value, in order" {
	run lmrec-anon -k t.key --id u2 --id u1 --prefix p:
	assert_success
	assert_output "$(printf 'p:%s\np:%s' "$P_U2" "$P_U1")"
	# the same as the stream's pseudonym
	[ "$(lmrec-anon -k t.key --id u1)" = "$(lmrec-anon -k t.key in.tsv | sed -n 2p | cut -f1)" ]
	run -2 lmrec-anon -k t.key --id u1 in.tsv
	run -2 lmrec-anon -k t.key --id u1 -c session
	run -2 --separate-stderr lmrec-anon -k t.key --id ''
	[ "${stderr_lines[0]}" = "lmrec-anon: --id: an empty value has no pseudonym (empty fields stay empty)" ]
}

@test "lmrec-anon: the same key gives the same output every time, another key other pseudonyms" {
	lmrec-anon -k t.key -o a.tsv in.tsv
	lmrec-anon -k t.key -o b.tsv in.tsv
	cmp a.tsv b.tsv
	printf '0123456789abcdeF' >other.key
	chmod 600 other.key
	lmrec-anon -k other.key -o c.tsv in.tsv
	[ "$(cut -f2- a.tsv)" = "$(cut -f2- c.tsv)" ]
	[ "$(sed -n 2p c.tsv | cut -f1)" != "$P_U1" ]
	# a key is all of the file's bytes: a final newline makes another key
	printf '0123456789abcdef\n' >nl.key
	chmod 600 nl.key
	[ "$(lmrec-anon -k nl.key --id u1)" != "$P_U1" ]
}

@test "lmrec-anon: a key file open to group or others is refused with exit 2, before any output" {
	chmod 644 t.key
	run -2 --separate-stderr lmrec-anon -k t.key -o out.tsv in.tsv
	[ "$stderr" = "lmrec-anon: t.key: refused: group or others have access (mode 0644); chmod 600 the key file" ]
	[ ! -e out.tsv ]
	chmod 640 t.key
	run -2 --separate-stderr lmrec-anon -k t.key --id u1
	[ "$stderr" = "lmrec-anon: t.key: refused: group or others have access (mode 0640); chmod 600 the key file" ]
	[ -z "$output" ]
	chmod 400 t.key
	run lmrec-anon -k t.key --id u1
	assert_output "$P_U1"
}

@test "lmrec-anon: a short, missing or absent key is refused with its message" {
	printf 'fifteen bytes!!' >short.key
	chmod 600 short.key
	run -2 --separate-stderr lmrec-anon -k short.key in.tsv
	[ "$stderr" = "lmrec-anon: short.key: refused: 15 bytes, a key needs at least 16 (lmrec-anon --new-key makes one)" ]
	run -1 --separate-stderr lmrec-anon -k nope.key in.tsv
	[ "$stderr" = "lmrec-anon: nope.key: open: No such file or directory" ]
	run -2 --separate-stderr lmrec-anon -k . in.tsv
	[ "$stderr" = "lmrec-anon: .: refused: not a regular file" ]
	run -2 --separate-stderr lmrec-anon in.tsv
	[ "${stderr_lines[0]}" = "lmrec-anon: no key: give --key FILE (--new-key FILE makes one)" ]
	[ "${stderr_lines[1]}" = "Try 'lmrec-anon --help' for more information." ]
}

@test "lmrec-anon: --new-key makes 32 random bytes, mode 0600 whatever the umask, and never overwrites" {
	(umask 0 && lmrec-anon --new-key new.key)
	[ "$(stat -c '%a %s' new.key)" = "600 32" ]
	lmrec-anon --new-key new2.key
	run -1 cmp -s new.key new2.key
	cp new.key before.key
	run -2 --separate-stderr lmrec-anon --new-key new.key
	[ "$stderr" = "lmrec-anon: new.key: exists; a key file is never overwritten" ]
	cmp new.key before.key
	# nothing else left beside it, and the key works
	[ "$(ls -A | grep -c '^\.new')" -eq 0 ]
	run lmrec-anon -k new.key --id u1
	assert_success
	[[ "$output" =~ ^[0-9a-f]{32}$ ]]
	run -2 lmrec-anon --new-key x.key -k t.key
	run -2 lmrec-anon --new-key x.key in.tsv
	[ ! -e x.key ]
}

@test "lmrec-anon: an empty id stays empty, escapes are undone before hashing and pass through elsewhere" {
	printf 'user\titem\tnote\n\ta\tx\\\\y\na\\tb\tb\\nc\tz\\tw\n' >esc.tsv
	run lmrec-anon -k t.key esc.tsv
	assert_success
	assert_output "$(printf 'user\titem\tnote\n\ta\tx\\\\y\n%s\tb\\nc\tz\\tw' "$P_ATAB")"
	# the real bytes, as --id takes them
	[ "$(lmrec-anon -k t.key --id "$(printf 'a\tb')")" = "$P_ATAB" ]
}

@test "lmrec-anon: header-only input gives header-only output" {
	printf 'user\titem\tts\n' >h.tsv
	run lmrec-anon -k t.key h.tsv
	assert_success
	assert_output "$(printf 'user\titem\tts')"
}

@test "lmrec-anon: a missing column exits 65 naming file and line, no output left" {
	run -65 --separate-stderr lmrec-anon -k t.key -c sesion -o out.tsv in.tsv
	[ "$stderr" = "lmrec-anon: in.tsv:1: no column 'sesion' in the header" ]
	[ ! -e out.tsv ]
	tsv 'item|ts' 'a|1' >nouser.tsv
	run -65 --separate-stderr lmrec-anon -k t.key nouser.tsv
	[ "$stderr" = "lmrec-anon: nouser.tsv:1: no column 'user' in the header" ]
}

@test "lmrec-anon: CRLF input exits 65 with a dos2unix hint, a short row exits 65" {
	printf 'user\titem\r\nu\ta\r\n' >crlf.tsv
	run -65 --separate-stderr lmrec-anon -k t.key crlf.tsv
	[[ "$stderr" == "lmrec-anon: crlf.tsv:1: line ends with CR"*dos2unix* ]]
	printf 'user\titem\nu1\ta\nu2\n' >short.tsv
	run -65 --separate-stderr lmrec-anon -k t.key short.tsv
	[[ "$stderr" == "lmrec-anon: short.tsv:3: "* ]]
}

@test "lmrec-anon: a failed run leaves the previous output untouched" {
	lmrec-anon -k t.key -o out.tsv in.tsv
	cp out.tsv before.tsv
	printf 'user\titem\nu1\ta\nu2\tb\\q\n' >bad.tsv
	run -65 lmrec-anon -k t.key -o out.tsv bad.tsv
	cmp out.tsv before.tsv
}

@test "lmrec-anon: several inputs give one header; headers must match" {
	tsv 'user|item|ts|session' 'u2|z|40|s9' >more.tsv
	run lmrec-anon -k t.key in.tsv more.tsv
	assert_success
	[ "${#lines[@]}" -eq 5 ]
	assert_line --index 4 "$(tsv "$P_U2|z|40|s9")"
	tsv 'user|item' 'u|a' >other.tsv
	run -65 --separate-stderr lmrec-anon -k t.key in.tsv other.tsv
	[ "$stderr" = "lmrec-anon: other.tsv:1: header differs from the header of in.tsv" ]
}

@test "lmrec-anon: gzip input gives the same output as plain input, .gz output is gzip" {
	gzip -c in.tsv >in.tsv.gz
	run lmrec-anon -k t.key in.tsv
	plain="$output"
	run lmrec-anon -k t.key <in.tsv.gz
	assert_output "$plain"
	run lmrec-anon -k t.key in.tsv.gz
	assert_output "$plain"
	lmrec-anon -k t.key -o out.tsv.gz in.tsv
	[ "$(gzip -dc out.tsv.gz)" = "$plain" ]
}

@test "lmrec-anon: the sample data keeps its rows, its other columns and its 957 distinct users" {
	lmrec-anon -k t.key -o anon.tsv.gz "$TOP/sample-data/interactions.tsv.gz"
	gzip -dc "$TOP/sample-data/interactions.tsv.gz" >raw.tsv
	gzip -dc anon.tsv.gz >anon.tsv
	[ "$(wc -l <anon.tsv)" -eq "$(wc -l <raw.tsv)" ]
	cmp <(cut -f2- raw.tsv) <(cut -f2- anon.tsv)
	[ "$(tail -n +2 anon.tsv | cut -f1 | sort -u | wc -l)" -eq 957 ]
	[ "$(tail -n +2 anon.tsv | cut -f1 | grep -cvE '^[0-9a-f]{32}$')" -eq 0 ]
	# row by row, the same user gets the same pseudonym: the pairs are a bijection
	[ "$(paste <(cut -f1 raw.tsv) <(cut -f1 anon.tsv) | sort -u | wc -l)" -eq 958 ]
	# and nothing of a raw id is left
	[ "$(cut -f1 anon.tsv | grep -c '^u[0-9]')" -eq 0 ]
}

#!/usr/bin/env bats
# pipelines/nightly.sh --anon-key: the user ids are pseudonymised at ingest,
# so that no raw id from the input reaches a model or anything under OUT.

load test_helper

setup_file() {
	# whole pipelines under Valgrind take hours (see pipeline-nightly.bats)
	[ -z "${LMREC_VALGRIND:-}" ] || return 0
	# a lighter night than the default: the subject is the ids, not the models
	export MODELS="popular itemknn"
	export KEY="$BATS_FILE_TMPDIR/anon.key" IDS="$BATS_FILE_TMPDIR/raw-ids"
	export PLAIN="$BATS_FILE_TMPDIR/plain" ANON="$BATS_FILE_TMPDIR/anon"
	lmrec-anon --new-key "$KEY"
	# every raw user id of the input: the interactions' and the users'
	{
		gzip -dc "$TOP/sample-data/interactions.tsv.gz" | tail -n +2 | cut -f1
		tail -n +2 "$TOP/sample-data/users.tsv" | cut -f1
	} | LC_ALL=C sort -u >"$IDS"
	local log="$BATS_FILE_TMPDIR/nights.log"
	{
		"$TOP/pipelines/nightly.sh" -q --out "$PLAIN" --date 2026-11-01 --jobs 2 &&
			"$TOP/pipelines/nightly.sh" -q --anon-key "$KEY" --out "$ANON" --date 2026-11-01 --jobs 2 &&
			"$TOP/pipelines/nightly.sh" -q --anon-key "$KEY" --out "$ANON" --date 2026-11-02 --jobs 2
	} >"$log" 2>&1 || { cat "$log" >&2; return 1; }
}

setup() {
	[ -z "${LMREC_VALGRIND:-}" ] || skip "pipelines are not run under Valgrind"
	cd "$BATS_TEST_TMPDIR"
	NIGHTLY="$TOP/pipelines/nightly.sh"
}

# raw_ids_under DIR: "path: id" for every raw id of $IDS found as a whole
# word in a file under DIR (gzip files read decompressed, binary files as
# bytes: a model's dictionaries hold length-prefixed strings), and every
# path under DIR naming one.
raw_ids_under() {
	local f
	find "$1" -type f -print0 | while IFS= read -r -d '' f; do
		case "$f" in
		*.gz) gzip -dc "$f" ;;
		*) cat "$f" ;;
		esac | grep -a -o -w -F -f "$IDS" | sed "s|^|${f#"$1"/}: |" || true
	done
	find "$1" -printf '%P\n' | grep -w -F -f "$IDS" || true
}

# users_of FILE.gz: the distinct users of a recommendations table
users_of() { gzip -dc "$1" | tail -n +2 | cut -f1 | LC_ALL=C sort -u; }

@test "nightly --anon-key: without it, the scan finds the raw ids in the table, the models, the work files" {
	[ "$(wc -l <"$IDS")" -eq 1000 ]
	raw_ids_under "$PLAIN" >found
	# where they are: so the scan reads compressed and binary files
	for f in runs/2026-11-01/recommendations.tsv.gz runs/2026-11-01/work/full/popular.lmrc \
		runs/2026-11-01/work/full/itemknn.lmrc runs/2026-11-01/work/users.tsv runs/2026-11-01/report.html; do
		grep -q "^$f: u[0-9]" found || { echo "no raw id found in $f"; false; }
	done
	# every user of the table is found there, by its raw id
	[ "$(grep -c '^runs/2026-11-01/recommendations.tsv.gz: ' found)" -eq \
		"$(gzip -dc "$PLAIN/current/recommendations.tsv.gz" | tail -n +2 | wc -l)" ]
}

@test "nightly --anon-key: no raw user id from the input appears anywhere under OUT, on either night" {
	for d in 2026-11-01 2026-11-02; do
		[ "$(cat "$ANON/runs/$d/status")" = published ]
	done
	[ "$(readlink "$ANON/current")" = runs/2026-11-02 ]
	# the nights wrote what a night writes (the scan below reads them all)
	[ "$(users_of "$ANON/current/recommendations.tsv.gz" | wc -l)" -eq 957 ]
	[ "$(find "$ANON" -type f | wc -l)" -ge 60 ]
	run raw_ids_under "$ANON"
	assert_success
	assert_output ''
	# the ids are pseudonyms: 32 hex digits
	[ "$(users_of "$ANON/current/recommendations.tsv.gz" | grep -cvE '^[0-9a-f]{32}$')" -eq 0 ]
}

@test "nightly --anon-key: the same key gives the same pseudonyms on the second night, those of lmrec-anon --id" {
	users_of "$ANON/runs/2026-11-01/recommendations.tsv.gz" >night1
	users_of "$ANON/runs/2026-11-02/recommendations.tsv.gz" >night2
	[ -s night1 ]
	cmp night1 night2
	# churn compares the users of both nights: all of them matched
	[ "$(tail -n 1 "$ANON/runs/2026-11-02/churn.tsv" | cut -f3)" -eq 957 ]
	# they are the tool's pseudonyms of the raw users
	users_of "$PLAIN/current/recommendations.tsv.gz" >raw
	{ echo user; cat raw; } | lmrec-anon -k "$KEY" | tail -n +2 | LC_ALL=C sort >want
	cmp want night1
	# and support staff find a user with --id
	for u in $(sed -n '1p;2p;500p;$p' raw); do
		p=$(lmrec-anon -k "$KEY" --id "$u")
		[ "$(gzip -dc "$ANON/current/recommendations.tsv.gz" | awk -F'\t' -v p="$p" '$1 == p' | wc -l)" -eq 10 ]
	done
}

@test "nightly --anon-key: the table is the plain night's, with its users renamed" {
	# raw id -> pseudonym, by the tool itself
	{ printf 'user\traw\n'; sed 's/.*/&\t&/' "$IDS"; } | lmrec-anon -k "$KEY" -o map.tsv
	gzip -dc "$PLAIN/current/recommendations.tsv.gz" |
		awk -F'\t' -v OFS='\t' 'NR == FNR { p[$2] = $1; next } FNR > 1 { $1 = p[$1]; print }' map.tsv - |
		LC_ALL=C sort >renamed
	gzip -dc "$ANON/runs/2026-11-01/recommendations.tsv.gz" | tail -n +2 | LC_ALL=C sort >anon
	[ "$(wc -l <anon)" -eq 9570 ]
	cmp renamed anon
}

@test "nightly --anon-key: a key file open to group or others is refused with exit 2 before anything runs" {
	cp "$KEY" open.key
	chmod 644 open.key
	run -2 --separate-stderr "$NIGHTLY" -q --anon-key open.key --out out --date 2026-11-01
	[ "$stderr" = "nightly.sh: --anon-key: open.key: refused: group or others have access (mode 0644); chmod 600 the key file" ]
	[ ! -e out ]
	run -2 --separate-stderr "$NIGHTLY" -q --anon-key absent.key --out out --date 2026-11-01
	[ "$stderr" = "nightly.sh: --anon-key: absent.key: open: No such file or directory" ]
	run -2 "$NIGHTLY" --anon-key
}

@test "nightly --anon-key: ANON_KEY in a config file is the same option; the dry run says so, and nothing without it" {
	printf 'ANON_KEY=%s\n' "$KEY" >cfg
	run "$NIGHTLY" --config cfg --dry-run --out out --date 2026-11-01
	assert_success
	assert_line --regexp "^ingest     reads .*; writes work/ingested.tsv.gz work/interactions.tsv.gz work/items.tsv OUT/profile.lmp work/blocked.tsv quality.tsv \(user ids pseudonymised under $KEY\)\$"
	run "$NIGHTLY" --dry-run --out out --date 2026-11-01
	assert_success
	assert_line --regexp '^ingest     reads .*; writes work/ingested.tsv.gz work/interactions.tsv.gz work/items.tsv OUT/profile.lmp work/blocked.tsv quality.tsv$'
	cp "$KEY" open.key
	chmod 604 open.key
	printf 'ANON_KEY=open.key\n' >cfg
	run -2 --separate-stderr "$NIGHTLY" --config cfg --dry-run --out out --date 2026-11-01
	[ "$stderr" = "nightly.sh: --anon-key: open.key: refused: group or others have access (mode 0604); chmod 600 the key file" ]
}

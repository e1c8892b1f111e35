#!/usr/bin/env bats
# pipelines/nightly.sh --sshloginfile: the recommend stage's shards on two
# ssh hosts (two sshd on loopback addresses, tests/sshd.bash), against a
# night with local jobs only.

load test_helper
load sshd

setup_file() {
	# whole pipelines under Valgrind take hours (setup skips each test)
	[ -z "${LMREC_VALGRIND:-}" ] || return 0
	export SSHD_DIR="$BATS_FILE_TMPDIR/sshd" SSHD_SKIP=""
	if ! lmrec_sshd_start "$SSHD_DIR" 2; then
		# skipped without sshd, or for a user who cannot run it; root with
		# sshd installed (make check installs it) must get it running
		if [ -x /usr/sbin/sshd ] && [ "$(id -u)" -eq 0 ]; then
			echo "sshd on loopback: $LMREC_SSHD_WHY" >&2
			return 1
		fi
		export SSHD_SKIP="$LMREC_SSHD_WHY"
		return 0
	fi
	# the same night twice: local jobs, then the two hosts, into an OUT
	# whose path has a space and a newline
	export LOCAL="$BATS_FILE_TMPDIR/local" REMOTE="$BATS_FILE_TMPDIR/re mote"$'\n'"out"
	local log="$BATS_FILE_TMPDIR/nights.log"
	{
		"$TOP/pipelines/nightly.sh" -q --out "$LOCAL" --date 2026-11-01 --jobs 2 &&
			"$TOP/pipelines/nightly.sh" -q --out "$REMOTE" --date 2026-11-01 --jobs 2 \
				--sshloginfile "$SSHD_DIR/sshloginfile"
	} >"$log" 2>&1 || { cat "$log" >&2; return 1; }
}

teardown_file() {
	[ -z "${SSHD_DIR:-}" ] || lmrec_sshd_stop "$SSHD_DIR"
}

setup() {
	[ -z "${LMREC_VALGRIND:-}" ] || skip "pipelines are not run under Valgrind"
	[ -z "$SSHD_SKIP" ] || skip "no ssh hosts on loopback: $SSHD_SKIP"
	cd "$BATS_TEST_TMPDIR"
	NIGHTLY="$TOP/pipelines/nightly.sh"
}

# sessions K: the commands host K was asked to run, GNU Parallel's Perl
# wrapper unpacked (its arguments are the hex of the code); grep -a reads
# it (the code quotes with NUL)
sessions() {
	perl -ne 'if (/\@ARGV ([0-9a-f ]+)$/) { (my $h = $1) =~ s/ //g; print pack("H*", $h), "\n" } else { print }' \
		"$SSHD_DIR/host-$1/sessions"
}

@test "ssh: the night over two ssh hosts publishes the table of a local --jobs 2 night, byte for byte" {
	[ "$(cat "$REMOTE/runs/2026-11-01/status")" = published ]
	cmp "$LOCAL/runs/2026-11-01/recommendations.tsv.gz" "$REMOTE/runs/2026-11-01/recommendations.tsv.gz"
	# every user of the data has a list
	users=$(gzip -dc "$TOP/sample-data/interactions.tsv.gz" | tail -n +2 | cut -f1 | sort -u | wc -l)
	[ "$(gzip -dc "$REMOTE/current/recommendations.tsv.gz" | tail -n +2 | cut -f1 | sort -u | wc -l)" -eq "$users" ]
	grep -qx "recommendations for $users users in 4 shards" "$REMOTE/current/log/recommend.log"
	# the audit record names the hosts' file
	run awk -F'\t' '$1 == "setting" && $2 == "SSHLOGINFILE" { print $3 }' "$REMOTE/current/audit.tsv"
	assert_output "$SSHD_DIR/sshloginfile"
}

@test "ssh: each host ran shards in a folder of its own, removed after, and no path of the run reached it" {
	# the joblog: four shards, each exit 0, on both hosts
	run awk -F'\t' 'NR > 1 { n++; bad += ($7 != 0); h[$2]++ } END { print n, bad + 0; for (k in h) print k }' \
		"$REMOTE/current/log/recommend.joblog"
	assert_line --index 0 "4 0"
	assert_line "ssh -F $SSHD_DIR/ssh_config lmrec-host-1"
	assert_line "ssh -F $SSHD_DIR/ssh_config lmrec-host-2"
	[ "${#lines[@]}" -eq 3 ]
	for k in 1 2; do
		sessions "$k" >"s$k"
		# what each host itself ran (its sshd's record): recall and rank on
		# a shard of the run, by relative names, in .lmrec-recommend.*
		grep -aq 'lmrec-recall -q -m popular=full/popular.lmrc .* --users \.shards\.tmp\.[A-Za-z0-9]*/u\.000[0-3]\.tsv' "s$k"
		grep -aq 'lmrec-rank -q --weights \./weights\.tsv' "s$k"
		grep -aq 'chdir "\.lmrec-recommend\.[A-Za-z0-9]*"' "s$k"
		# the models went there, and the lists came back, by rsync
		grep -aq '^rsync --server ' "s$k"
		grep -aq '^cd \./\.lmrec-recommend\.[A-Za-z0-9]*/\./\.shards\.tmp\.[A-Za-z0-9]*; rsync --server --sender .* \./u\.000[0-3]\.recs\.tsv$' "s$k"
		# nothing of OUT (a space and a newline in it) nor of the run's folder
		run grep -ac -e 're mote' -e 'runs/2026' "s$k"
		assert_output 0
		# each host's folder is gone, and nothing else is left there
		run ls -A "$SSHD_DIR/host-$k/home"
		assert_output ""
	done
	[ -z "$(find "$REMOTE/runs/2026-11-01/work" -name '.shards.tmp.*')" ]
}

@test "ssh: a host that refuses: recommend fails in one line naming it, the table kept" {
	cp -a "$LOCAL" out
	sum=$(sha256sum <out/current/recommendations.tsv.gz)
	printf 'ssh -F %s/ssh_config lmrec-host-1\nssh -F %s/ssh_config -p 1 lmrec-host-2\n' "$SSHD_DIR" "$SSHD_DIR" >hosts
	run -1 --separate-stderr "$NIGHTLY" -q --out out --date 2026-11-01 --jobs 2 --sshloginfile hosts --from-stage recommend
	assert_output ""
	[ "${#stderr_lines[@]}" -eq 1 ]
	assert_equal "$stderr" "nightly.sh: recommend failed: ssh: connect to host 127.0.0.3 port 1: Connection refused; its log: $PWD/out/runs/2026-11-01/log/recommend.log"
	[ "$(cat out/runs/2026-11-01/status)" = failed ]
	[ "$(readlink out/current)" = runs/2026-11-01 ]
	[ "$(sha256sum <out/current/recommendations.tsv.gz)" = "$sum" ]
	grep -q '^recommend	[0-9.]*	[0-9]*	exit 255$' out/current/stages.tsv # (ssh's status)
	# nothing left here, nor on the host that answered
	[ -z "$(find out -name '.*.tmp.*')" ]
	run ls -A "$SSHD_DIR/host-1/home"
	assert_output ""
}

@test "ssh: an unreadable or empty sshloginfile, or ':' in it: exit 2 before any stage, one line" {
	cp -a "$LOCAL" out
	sum=$(sha256sum <out/current/recommendations.tsv.gz)
	night() { "$NIGHTLY" -q --out out --date 2026-11-02 --jobs 2 --sshloginfile "$@"; }
	cp "$SSHD_DIR/sshloginfile" hosts
	chmod 000 hosts
	if [ "$(id -u)" -eq 0 ]; then
		run -2 --separate-stderr setpriv --bounding-set -dac_override,-dac_read_search -- \
			"$NIGHTLY" -q --out out --date 2026-11-02 --jobs 2 --sshloginfile hosts
	else
		run -2 --separate-stderr night hosts
	fi
	assert_equal "$stderr" "nightly.sh: --sshloginfile: hosts: cannot read"
	run -2 --separate-stderr night nowhere
	assert_equal "$stderr" "nightly.sh: --sshloginfile: nowhere: cannot read"
	run -2 --separate-stderr night .
	assert_equal "$stderr" "nightly.sh: --sshloginfile: .: cannot read"
	printf '# no host\n\n' >empty
	run -2 --separate-stderr night empty
	assert_equal "$stderr" "nightly.sh: --sshloginfile: empty: no host in it"
	{ cat "$SSHD_DIR/sshloginfile"; echo 2/:; } >local
	run -2 --separate-stderr night local
	assert_equal "$stderr" "nightly.sh: --sshloginfile: local:3: ':' (this machine) is not a host: list ssh logins only (--jobs sets the local jobs)"
	# a good file: --dry-run says where the shards go, and runs nothing
	run -0 "$NIGHTLY" --dry-run --out out --date 2026-11-02 --jobs 2 --sshloginfile "$SSHD_DIR/sshloginfile"
	assert_line --partial "; writes recommendations.tsv.gz (4 shards on the hosts of $SSHD_DIR/sshloginfile)"
	[ ! -e out/runs/2026-11-02 ]
	[ "$(readlink out/current)" = runs/2026-11-01 ]
	[ "$(sha256sum <out/current/recommendations.tsv.gz)" = "$sum" ]
}

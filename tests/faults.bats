#!/usr/bin/env bats
# Faults in the nightly job, and the safety of the pipeline scripts
# (issue 9). Each fault hits the night after a published one: the night
# fails with the exit status of SPEC.md §5 and one line on standard error,
# the published night stays byte for byte (current, its table, metrics,
# report, the history), and the next clean run publishes the table an
# undisturbed night publishes. Then file names with spaces, newlines and
# leading dashes through every pipeline, and data that a shell would
# evaluate if it were given the chance.

load test_helper

# A light night (3.5 s of CPU): three channels, one of them a tiny SASRec,
# so that a model of the published night is read back (--init) by the
# next one, and 30 candidates a channel.
export MODELS="popular itemknn sasrec" SASREC_OPTS="--factors 8 --maxlen 10 --epochs 1" POOL=30
STAGE_LIST="ingest embed split fit-valid weights fit-test evaluate fit-full recommend similar churn gate report publish"
D1=2026-11-01
D2=2026-11-02

setup_file() {
	[ -z "${LMREC_VALGRIND:-}" ] || return 0
	# BASE: night 1 published. REF: nights 1 and 2, undisturbed.
	export BASE="$BATS_FILE_TMPDIR/base" REF="$BATS_FILE_TMPDIR/ref"
	local n="$TOP/pipelines/nightly.sh" log="$BATS_FILE_TMPDIR/setup.log"
	{ "$n" -q --out "$BASE" --date "$D1" --jobs 2 >"$log" 2>&1 && cp -a "$BASE" "$REF" &&
		"$n" -q --out "$REF" --date "$D2" --jobs 2 >>"$log" 2>&1; } || { cat "$log" >&2; return 1; }
}

setup() {
	[ -z "${LMREC_VALGRIND:-}" ] || skip "pipelines are not run under Valgrind"
	cd "$BATS_TEST_TMPDIR"
	NIGHTLY="$TOP/pipelines/nightly.sh"
	BG=""
}

teardown() {
	# a night left in the background by a failed test, and its session
	if [ -n "$BG" ]; then
		pkill -9 -s "$BG" 2>/dev/null || true
		wait "$BG" 2>/dev/null || true
	fi
	if [ -n "${DISK:-}" ] && mountpoint -q "$DISK"; then umount "$DISK"; fi
}

# night OUT DATE [OPTION...]: the light night, quiet.
night() { "$NIGHTLY" -q --out "$1" --date "$2" --jobs 2 "${@:3}"; }

# kept OUT: night 1 is still the published one, byte for byte: current,
# its table, metrics, similar items, report, status, and the history.
kept() {
	[ "$(readlink "$1/current")" = "runs/$D1" ] || { echo "current moved to $(readlink "$1/current")"; return 1; }
	local f
	for f in recommendations.tsv.gz metrics.tsv similar-items.tsv.gz report.html gate.tsv status; do
		cmp "$BASE/runs/$D1/$f" "$1/current/$f" || { echo "published $f changed"; return 1; }
	done
	cmp "$BASE/history.tsv" "$1/history.tsv" || { echo "history.tsv changed"; return 1; }
}

# no_temporaries OUT: nothing half-written is left anywhere under OUT.
no_temporaries() {
	local left
	left=$(find "$1" -name '*.tmp*')
	[ -z "$left" ] || { echo "left behind: $left"; return 1; }
}

# same_as_ref OUT DATE [REF-RUN]: DATE's table and metrics are those of
# REF-RUN, an undisturbed night of that date (default night 2 of REF's; a
# night of another date differs: the profiles decay to the night's date).
same_as_ref() {
	local ref="${3:-$REF/runs/$D2}"
	gzip -dc "$1/runs/$2/recommendations.tsv.gz" | cmp - <(gzip -dc "$ref/recommendations.tsv.gz") ||
		{ echo "the table of $2 differs from an undisturbed night's"; return 1; }
	cmp "$1/runs/$2/metrics.tsv" "$ref/metrics.tsv"
}

# recovers OUT [DATE [REF-RUN]]: the next clean night (default night 2)
# publishes the table an undisturbed night publishes, and leaves no
# temporary.
recovers() {
	local d="${2:-$D2}"
	run night "$1" "$d"
	[ "$status" -eq 0 ] || { echo "the clean rerun exited $status: $output"; return 1; }
	[ "$(cat "$1/runs/$d/status")" = published ]
	[ "$(readlink "$1/current")" = "runs/$d" ]
	same_as_ref "$1" "$d" "${3:-}"
	no_temporaries "$1"
}

# one_line REGEX: standard error (of run --separate-stderr) is exactly one
# line, and it matches REGEX (its groups are left in BASH_REMATCH).
one_line() {
	[ "${#stderr_lines[@]}" -eq 1 ] || { printf 'not one line on stderr:\n%s\n' "$stderr"; return 1; }
	[[ "$stderr" =~ $1 ]] || { printf 'stderr: %s\ndoes not match: %s\n' "$stderr" "$1"; return 1; }
}

# failed_night REGEX: the night exited 1 with one line "<stage> failed:
# <cause matching REGEX>; its log: ..."; the stage is left in FAILED.
failed_night() {
	local want="${2:-1}"
	[ "$status" -eq "$want" ] || { printf 'exit %s, not %s: %s\n' "$status" "$want" "$stderr"; return 1; }
	one_line "^nightly\.sh: ([a-z-]+) failed: $1; its log: /.*/log/[a-z-]+\.log\$"
	FAILED="${BASH_REMATCH[1]}"
}

# resume_at OUT STAGE: OUT (a copy of BASE) gets REF's night 2 done up to
# the stage before STAGE: STAGE and the later ones are still to run.
resume_at() {
	cp -a "$REF/runs/$D2" "$1/runs/"
	local on="" s
	for s in $STAGE_LIST; do
		[ "$s" = "$2" ] && on=1
		[ -z "$on" ] || rm -f "$1/runs/$D2/work/.done-$s" "$1/runs/$D2/log/$s.log"
	done
	echo running >"$1/runs/$D2/status"
}

# stage_index STAGE: its place in STAGE_LIST.
stage_index() {
	local i=0 s
	for s in $STAGE_LIST; do
		[ "$s" = "$1" ] && { echo "$i"; return; }
		i=$((i + 1))
	done
	echo "no stage $1" >&2
	return 1
}

# start_night OUT DATE: the light night in the background, in a session of
# its own whose id is BG (kill_session reaches every process of it, GNU
# Parallel's jobs too).
start_night() {
	setsid "$NIGHTLY" -q --out "$1" --date "$2" --jobs 2 >bg.log 2>&1 &
	BG=$!
	# setsid runs the job in its own process (not a fork of it) when the
	# caller is no group leader, as a background job of bats is
	[ "$(ps -o sid= -p "$BG" | tr -d ' ')" = "$BG" ] || { echo "the night is not its own session"; return 1; }
}

# kill_session SID: SIGKILL for the whole session, three times 0.1 s apart
# (what forks while the first round goes on).
kill_session() {
	local _
	for _ in 1 2 3; do
		pkill -9 -s "$1" 2>/dev/null || true
		sleep 0.1
	done
}

# wait_session SID: until no process of the session is left (60 s at most).
wait_session() {
	local n=0
	while pgrep -s "$1" >/dev/null; do
		n=$((n + 1))
		[ "$n" -lt 300 ] || { echo "session $1 still running"; return 1; }
		sleep 0.2
	done
}

# flip FILE OFFSET: the byte at OFFSET, inverted.
flip() {
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	# shellcheck disable=SC2059 # the octal escape is the format
	printf "\\$(printf '%03o' $((255 - b)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# unprivileged CMD...: CMD with file permissions in force. Root reads any
# file whatever its mode, so as root CMD runs without the two capabilities
# that bypass them (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, dropped from the
# bounding set by setpriv); root still owns the files it made, and its
# owner bits (rw) let it write the run folder.
unprivileged() {
	if [ "$(id -u)" != 0 ]; then
		"$@"
	else
		setpriv --bounding-set -dac_override,-dac_read_search -- "$@"
	fi
}

# ---- a full disk ----

@test "faults: a full disk (ulimit -f) in any stage: exit 1, one line, the table kept; the next run publishes" {
	skip_if_slow
	# Resumed at each stage in turn, with files limited to 1 KiB and
	# SIGXFSZ ignored, so that a write fails with EFBIG as it would with
	# ENOSPC: the night stops at the first stage from there that writes
	# more.
	local s failed=()
	for s in $STAGE_LIST; do
		rm -rf out
		cp -a "$BASE" out
		resume_at out "$s"
		run --separate-stderr bash -c 'trap "" XFSZ; ulimit -f 1; exec "$@"' _ \
			"$NIGHTLY" -q --out out --date "$D2" --jobs 2
		# (the cause: "... File too large", or "sort: write error")
		failed_night '.*(File too large|write error).*' || { echo "resumed at $s"; false; }
		[ "$(stage_index "$FAILED")" -ge "$(stage_index "$s")" ]
		failed+=("$FAILED")
		kept out
		[ "$(cat "out/runs/$D2/status")" = failed ]
	done
	# each stage that writes a file failed when it could not (embed writes
	# nothing with these channels, churn and gate a few bytes: the next
	# stage that writes more is the one that fails)
	[ "${failed[*]}" = "ingest split split fit-valid weights fit-test evaluate fit-full recommend similar report report report publish" ] ||
		{ echo "failed: ${failed[*]}"; false; }
	# the disk has room again: the last night finishes
	recovers out
	# with SIGXFSZ at its default, the first write past the limit kills
	rm -rf out
	cp -a "$BASE" out
	run --separate-stderr bash -c 'ulimit -f 64; exec "$@"' _ "$NIGHTLY" -q --out out --date "$D2" --jobs 2
	failed_night 'killed by SIGXFSZ'
	[ "$FAILED" = ingest ]
	kept out
	recovers out
}

@test "faults: a full disk that cuts the stage's log in its last message: the one line says the cause and that the log is cut" {
	skip_if_slow
	# The log of the failing stage is as full as the disk: its last
	# message (here publish's printf) is cut at any byte, by how much the
	# log held before. The report must still give the cause.
	local pad log="out/runs/$D2/log/publish.log"
	for pad in 0 37 74 111 148 185 222; do
		rm -rf out
		cp -a "$BASE" out
		resume_at out publish
		head -c "$pad" /dev/zero | tr '\0' x >"$log"
		echo >>"$log"
		run --separate-stderr bash -c 'trap "" XFSZ; ulimit -f 1; exec "$@"' _ \
			"$NIGHTLY" -q --out out --date "$D2" --jobs 2
		failed_night '.*(File too large).*' || { echo "padded by $pad"; false; }
		[ "$FAILED" = publish ]
		kept out
	done
}

@test "faults: a full disk (a small tmpfs) at several sizes: exit 1, one line, the table kept; the next run publishes" {
	skip_if_slow
	[ "$(id -u)" = 0 ] || skip "mounting a tmpfs needs root (the ulimit test covers a full disk)"
	command -v mountpoint >/dev/null || skip "no mountpoint(1)"
	DISK="$PWD/disk"
	mkdir "$DISK"
	mount -t tmpfs -o size=64m tmpfs "$DISK" 2>/dev/null || skip "cannot mount a tmpfs here"
	cp -a "$BASE" "$DISK/out"
	local used extra failed=() store
	used=$(df -k --output=used "$DISK" | tail -n 1)
	# the ingest stage keeps a copy of the profile store (the store as the
	# night found it, for reproduce.sh): room for it, then a little more
	store=$(du -k "$BASE/profile.lmp" | cut -f1)
	# the disk grows a little each night; each night resumes where the
	# last one stopped and stops again at the first write it has no room for
	for extra in 0 $((store + 600)) $((store + 1500)) $((store + 3000)) $((store + 6000)); do
		mount -o "remount,size=$((used + extra))k" "$DISK"
		run --separate-stderr night "$DISK/out" "$D2"
		[ "$status" -ne 0 ] || break
		if [[ "$stderr" == *"cannot write the run's status"* ]]; then
			# no room for even the status: nothing was started
			[ "$status" -eq 1 ]
			one_line "^nightly\.sh: .*/runs/$D2/status: cannot write the run's status \(is the disk full\?\)\$"
			FAILED=start
		else
			failed_night '.*(No space left on device|write error).*'
		fi
		failed+=("$FAILED")
		kept "$DISK/out"
	done
	[ "${#failed[@]}" -ge 3 ] || { echo "failed: ${failed[*]}"; false; }
	[ "$(printf '%s\n' "${failed[@]}" | sort -u | wc -l)" -ge 3 ] || { echo "failed: ${failed[*]}"; false; }
	mount -o remount,size=256m "$DISK"
	recovers "$DISK/out"
}

# ---- an unreadable input ----

@test "faults: an unreadable input (no permission, a folder, a dangling link): exit 1, one line, the table kept" {
	local probe=0
	echo x >probe
	chmod 000 probe
	if command -v setpriv >/dev/null && ! unprivileged cat probe 2>/dev/null &&
		unprivileged true 2>/dev/null; then probe=1; fi
	local kind
	for kind in interactions-mode items-mode users-mode feedback-mode folder-mode interactions-folder interactions-dangling; do
		# a fresh night each time: a resumed one would not read DATA again
		rm -rf data out
		cp -a "$BASE" out
		mkdir data
		cp "$TOP/sample-data/interactions.tsv.gz" "$TOP/sample-data/items.tsv" "$TOP/sample-data/users.tsv" \
			"$TOP/sample-data/feedback.tsv" data/
		case "$kind" in
		*-mode) [ "$probe" = 1 ] || continue ;;&
		interactions-mode) chmod 000 data/interactions.tsv.gz ;;
		items-mode) chmod 000 data/items.tsv ;;
		users-mode) chmod 000 data/users.tsv ;;
		feedback-mode) chmod 000 data/feedback.tsv ;;
		folder-mode) chmod 000 data ;;
		interactions-folder) rm data/interactions.tsv.gz && mkdir data/interactions.tsv.gz ;;
		interactions-dangling) rm data/interactions.tsv.gz && ln -s nowhere.tsv.gz data/interactions.tsv.gz ;;
		esac
		run --separate-stderr unprivileged "$NIGHTLY" -q --data data --out out --date "$D2" --jobs 2
		chmod 755 data
		case "$kind" in
		interactions-mode) failed_night 'lmrec-ingest: data/interactions.tsv.gz: open: Permission denied' ;;
		items-mode) failed_night 'lmrec-ingest: data/items.tsv: open: Permission denied' ;;
		users-mode) failed_night 'lmrec-ingest: data/users.tsv: open: Permission denied'
			[ "$FAILED" = evaluate ] ;;
		feedback-mode) failed_night 'lmrec-feedback: data/feedback.tsv: open: Permission denied' ;;
		folder-mode)
			# before the lock: no run folder, no status
			[ "$status" -eq 1 ]
			one_line '^nightly\.sh: data: cannot enter the data folder: Permission denied$' ;;
		interactions-folder) failed_night 'lmrec-ingest: data/interactions.tsv.gz: is a directory' ;;
		interactions-dangling) failed_night 'lmrec-ingest: data/interactions.tsv.gz: open: No such file or directory' ;;
		esac
		kept out
	done
	[ "$probe" = 1 ] || echo "# file modes not checked: setpriv cannot drop root's capabilities here" >&3
	recovers out
}

# ---- SIGKILL ----

@test "faults: SIGKILL for the whole job at several moments; each rerun resumes, the last publishes the undisturbed table" {
	skip_if_slow
	cp -a "$BASE" out
	local d rc
	# the kills come later and later: each rerun gets further, through
	# all the stages of the night
	for d in 0.3 0.8 1.5 2.5 4; do
		start_night out "$D2"
		sleep "$d"
		kill_session "$BG"
		rc=0
		wait "$BG" || rc=$?
		BG=""
		[ "$rc" -eq 137 ] || break # it had finished
		if [ "$(readlink out/current)" = "runs/$D2" ]; then
			# killed in publish, after the switch: the new table is whole
			same_as_ref out "$D2"
		else
			kept out
			[ "$(cat "out/runs/$D2/status")" = running ]
		fi
	done
	recovers out
}

@test "faults: SIGKILL for one program of a stage (as the OOM killer does): exit 1, one line, the table kept" {
	skip_if_slow
	cp -a "$BASE" out
	# The job runs from a copy of the pipelines whose bin/ (which
	# lmrec_tools_path puts first in PATH) links the real tools, but for
	# one: a stand-in that starts the real program, lets it run a moment,
	# then kills it and itself with SIGKILL. However loaded the machine,
	# the program dies in its stage, the way the OOM killer takes it.
	mkdir -p job/pipelines job/bin
	cp "$TOP"/pipelines/nightly.sh "$TOP"/pipelines/lib.sh job/pipelines/
	local t tool want
	for t in "$TOP"/bin/lmrec-*; do
		case "$t" in *.c | *.d) ;; *) ln -s "$t" "job/bin/${t##*/}" ;; esac
	done
	# in stage order; lmrec-rank in recommend is one of GNU Parallel's jobs
	for tool in ingest:ingest split:split train:fit-valid recall:weights eval:evaluate train:fit-full \
		rank:recommend similar:similar report:report; do
		want="${tool#*:}" tool="lmrec-${tool%%:*}"
		rm "job/bin/$tool"
		printf '#!/bin/sh\n"%s" "$@" &\nsleep 0.05\nkill -9 $! 2>/dev/null\nwait $!\nkill -9 $$\n' \
			"$TOP/bin/$tool" >"job/bin/$tool"
		chmod +x "job/bin/$tool"
		run -1 --separate-stderr job/pipelines/nightly.sh -q --data "$TOP/sample-data" --out out --date "$D2" --jobs 2
		[ "${#stderr_lines[@]}" -eq 1 ] || { echo "$tool: $stderr"; false; }
		[[ "$stderr" =~ ^nightly\.sh:\ ([a-z-]+)\ failed:\ killed\ by\ SIGKILL\;\ its\ log:\ / ]] ||
			{ echo "$tool: $stderr"; false; }
		[ "${BASH_REMATCH[1]}" = "$want" ] || { echo "$tool: ${BASH_REMATCH[1]}, not $want"; false; }
		[ "$(cat "out/runs/$D2/status")" = failed ]
		kept out
		ln -sf "$TOP/bin/$tool" "job/bin/$tool"
	done
	recovers out
}

@test "faults: SIGKILL for the job alone, its stage left running, and a rerun at once: the table is whole" {
	skip_if_slow
	# The stages run without the lock (a stage that outlives a killed job
	# must not keep the next night out), so the rerun goes on beside the
	# orphan: every file is written whole and renamed, and every shard
	# folder is private, so neither sees the other's half-written files.
	cp -a "$BASE" out
	local d sid rc
	for d in 0.5 2.5; do
		start_night out "$D2"
		sleep "$d"
		sid="$BG"
		kill -9 "$BG"
		rc=0
		wait "$BG" || rc=$?
		BG=""
		[ "$rc" -eq 137 ] || break
		run night out "$D2"
		[ "$status" -eq 0 ] || { echo "rerun after $d s: exit $status: $output"; false; }
		wait_session "$sid"
		same_as_ref out "$D2"
		no_temporaries out
		# the next round starts from night 1 again
		rm -rf out
		cp -a "$BASE" out
	done
}

# ---- two runs at once ----

@test "faults: a second run while one holds the lock exits 75 with one line and touches nothing" {
	cp -a "$BASE" out
	start_night out "$D2"
	local d hits=0 date
	for d in 0.3 1 2; do
		sleep "$d"
		kill -0 "$BG" 2>/dev/null || break
		# the same night, and another one
		for date in "$D2" 2026-11-03; do
			run --separate-stderr night out "$date"
			[ "$status" -eq 75 ] || { echo "second run ($date, after $d s): exit $status: $stderr"; false; }
			one_line "^nightly\\.sh: $PWD/out: another run holds the lock\$"
			[ ! -e out/runs/2026-11-03 ]
		done
		hits=$((hits + 1))
	done
	[ "$hits" -ge 2 ] || { echo "the first run ended too early ($hits)"; false; }
	wait "$BG"
	BG=""
	[ "$(cat "out/runs/$D2/status")" = published ]
	same_as_ref out "$D2"
}

# ---- a corrupted model file ----

@test "faults: a corrupted model of the published night (sasrec --init): exit 65 naming it, the table kept" {
	cp -a "$BASE" out
	local m="out/runs/$D1/work/valid/sasrec.lmrc" how size
	grep -q 'sasrec: continuing' "$REF/runs/$D2/log/fit-valid.log"
	size=$(stat -c %s "$m")
	for how in header payload truncated empty text other-kind; do
		cp "$BASE/runs/$D1/work/valid/sasrec.lmrc" "$m"
		case "$how" in
		header) flip "$m" 100 ;;
		payload) flip "$m" $((size / 2)) ;;
		truncated) truncate -s $((size / 2)) "$m" ;;
		empty) : >"$m" ;;
		text) seq 1000 >"$m" ;;
		other-kind) cp "$BASE/runs/$D1/work/valid/popular.lmrc" "$m" ;;
		esac
		run --separate-stderr night out "$D2"
		local why
		case "$how" in
		header) why='header checksum mismatch \(the file is corrupt\)' ;;
		payload) why='payload checksum mismatch \(the file is corrupt\)' ;;
		truncated) why='payload length [0-9]+ does not match the file size [0-9]+ \(truncated\?\)' ;;
		empty) why='not an lmrec model file \(0 bytes, shorter than the header\)' ;;
		text) why='not an lmrec model file \(bad magic\)' ;;
		other-kind) why="model kind 'popular', where 'sasrec' is needed" ;;
		esac
		failed_night "lmrec-train: $(pwd -P)/$m: $why" 65 || { echo "($how)"; false; }
		[ "$FAILED" = fit-valid ]
		[ "$(cat "out/runs/$D2/status")" = failed ]
		kept out
	done
	# the model restored, the next run continues it
	cp "$BASE/runs/$D1/work/valid/sasrec.lmrc" "$m"
	recovers out
}

@test "faults: a corrupted model that a later stage reads: exit 65 naming it; the next night, or a redo of its stage, recovers" {
	cp -a "$BASE" out
	resume_at out recommend
	flip "out/runs/$D2/work/full/itemknn.lmrc" 5000
	run --separate-stderr night out "$D2"
	# the jobs of GNU Parallel name it relative to work/
	failed_night 'lmrec-recall: full/itemknn\.lmrc: payload checksum mismatch \(the file is corrupt\)' 65
	[ "$FAILED" = recommend ]
	kept out
	no_temporaries out
	# tomorrow starts afresh (as an undisturbed night of that date after
	# night 1); and today's night, its fit-full stage redone
	cp -a out out2
	cp -a "$BASE" ref3
	night ref3 2026-11-03
	recovers out 2026-11-03 ref3/runs/2026-11-03
	run night out2 "$D2" --from-stage fit-full
	assert_success
	same_as_ref out2 "$D2"
}

# ---- names: spaces, newlines, leading dashes ----

@test "faults: the nightly job takes DATA and OUT named with spaces, a newline, a leading dash" {
	local nl=$'\n' dir
	for dir in "-data" "$PWD/da ta${nl}x"; do
		mkdir -p -- "$dir"
		cp -- "$TOP/sample-data/interactions.tsv.gz" "$TOP/sample-data/items.tsv" "$TOP/sample-data/users.tsv" \
			"$TOP/sample-data/feedback.tsv" "$dir/"
	done
	printf 'TOP=10\n' >"-con fig"
	# relative, with a dash; absolute, with a space and a newline
	run night "-out" "$D1" --data "-data" --config "-con fig"
	assert_success
	run night "$PWD/o ut${nl}-x" "$D1" --data "$PWD/da ta${nl}x"
	assert_success
	for dir in "./-out" "$PWD/o ut${nl}-x"; do
		[ "$(cat "$dir/runs/$D1/status")" = published ]
		gzip -dc "$dir/current/recommendations.tsv.gz" | cmp - <(gzip -dc "$BASE/current/recommendations.tsv.gz")
		no_temporaries "$dir"
	done
	# no stray file or folder from a name cut at its space or newline
	local got
	got=$(printf '%s|' * .[!.]*)
	[ "$got" = "-con fig|-data|-out|da ta${nl}x|o ut${nl}-x|.[!.]*|" ] || { echo "$got"; false; }
}

@test "faults: experiment, coldstart and demo take names with spaces, newlines and leading dashes" {
	local nl=$'\n'
	lmrec-synth -q --seed 3 --users 120 --items 200 --days 20 --out small
	cp -R -- small -data
	mkdir -p "da ta${nl}x" "t mp${nl}dir"
	cp small/* "da ta${nl}x/"
	# experiment.sh: DIR relative with a dash, absolute with a newline;
	# TMPDIR and --keep likewise
	"$TOP/pipelines/experiment.sh" -q --data small --model itemknn >plain.tsv
	run env TMPDIR="$PWD/t mp${nl}dir" "$TOP/pipelines/experiment.sh" -q --data -data --model itemknn --keep -kept
	assert_success
	assert_output "$(cat plain.tsv)"
	[ -s -kept/recs.tsv ]
	run "$TOP/pipelines/experiment.sh" -q --data "$PWD/da ta${nl}x" --model itemknn
	assert_output "$(cat plain.tsv)"
	run ls -A "t mp${nl}dir"
	assert_output ''
	# coldstart.sh: the same, and --new named like an awk assignment
	printf 'item\nshop-0001\nfood-0002\n' >'n=ew.tsv'
	"$TOP/pipelines/coldstart.sh" -q --data small --out plain --new 'n=ew.tsv'
	run "$TOP/pipelines/coldstart.sh" -q --data -data --out "-o ut${nl}x" --new 'n=ew.tsv'
	assert_success
	diff -r -- plain "-o ut${nl}x"
	# demo.sh: its folder named like an option (a light night)
	run env MODELS="popular itemknn" "$TOP/pipelines/demo.sh" -demo
	assert_success
	assert_output --partial "The published table: ./-demo/current/recommendations.tsv.gz"
	[ "$(cat ./-demo/current/status)" = published ]
}

@test "faults: crossdomain.sh takes odd folder names, and domain names from the data never become paths" {
	local nl=$'\n'
	lmrec-synth -q --seed 3 --users 120 --items 200 --days 20 --out small
	"$TOP/pipelines/crossdomain.sh" -q --data small --folds 2 >plain.tsv
	# the same world, its domains renamed: a slash, "..", a space, a
	# leading dash, a comma, shell syntax
	mkdir -p -- "-da ta${nl}x" "t mp${nl}dir"
	cp -- small/* "-da ta${nl}x/"
	awk -F'\t' 'BEGIN { OFS = "\t"; n["food"] = "../../fo od"; n["places"] = "-pla,ces"; n["shop"] = "$(touch PWNED)"; n["video"] = "a/b" }
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == "domain") c = i; print; next }
		{ $c = n[$c]; print }' small/items.tsv >"-da ta${nl}x/items.tsv"
	run --separate-stderr env TMPDIR="$PWD/t mp${nl}dir" "$TOP/pipelines/crossdomain.sh" -q --data "-da ta${nl}x" --folds 2
	assert_success
	# the same figures, under the new names (in their byte order)
	awk -F'\t' 'BEGIN { OFS = "\t"; n["food"] = "../../fo od"; n["places"] = "-pla,ces"; n["shop"] = "$(touch PWNED)"; n["video"] = "a/b" }
		NR > 1 { $1 = n[$1]; $2 = n[$2] } { print }' plain.tsv | { IFS= read -r h; echo "$h"; LC_ALL=C sort -t $'\t' -k1,1 -k2,2; } >want.tsv
	diff want.tsv <(printf '%s\n' "$output")
	# nothing was written outside its private folder, nothing ran
	run ls -A "t mp${nl}dir"
	assert_output ''
	[ ! -e PWNED ]
	run find "$BATS_TEST_TMPDIR" -name '*fo od*'
	assert_output ''
	# --domains names them too
	run env TMPDIR="$PWD/t mp${nl}dir" "$TOP/pipelines/crossdomain.sh" -q --data "-da ta${nl}x" --folds 2 --domains 'a/b,../../fo od'
	assert_success
	assert_line --partial $'a/b\t../../fo od\t'
}

# ---- data that a shell would evaluate ----

@test "faults: ids and texts with shell syntax go through the nightly job as data, never as commands" {
	mkdir data
	cp "$TOP/sample-data/users.tsv" data/
	# two users and an item renamed to shell syntax, a title too
	gzip -dc "$TOP/sample-data/interactions.tsv.gz" | awk -F'\t' 'BEGIN { OFS = "\t" }
		NR == 1 { print; next }
		$1 == "u0001" { $1 = "$(touch PWNED1)" } $1 == "u0002" { $1 = "`touch PWNED2`;x" }
		$2 == "shop-0001" { $2 = "-x;touch PWNED3" } { print }' >data/interactions.tsv
	awk -F'\t' 'BEGIN { OFS = "\t" } $1 == "shop-0001" { $1 = "-x;touch PWNED3"; $2 = "$(touch PWNED4) \\t" } { print }' \
		"$TOP/sample-data/items.tsv" >data/items.tsv
	run night out "$D1" --data data
	assert_success
	run find "$BATS_TEST_TMPDIR" -name 'PWNED*'
	assert_output ''
	# the ids are in the table as they were given
	gzip -dc out/current/recommendations.tsv.gz | cut -f1 | grep -qxF '$(touch PWNED1)'
	gzip -dc out/current/recommendations.tsv.gz | cut -f1 | grep -qxF '`touch PWNED2`;x'
	gzip -dc out/current/similar-items.tsv.gz | cut -f1 | grep -qxF -- '-x;touch PWNED3'
}

# ---- the scripts themselves ----

@test "faults: the pipeline scripts: shellcheck clean, no eval, temporaries from mktemp, SIGTERM cleans up" {
	if command -v shellcheck >/dev/null; then
		run shellcheck "$TOP"/pipelines/*.sh
		assert_success
	else
		echo "# shellcheck is not installed: not run" >&3
	fi
	cd "$TOP/pipelines"
	# nothing is evaluated; no fixed temporary name; /tmp only as the
	# default of TMPDIR
	run grep -nE '(^|[;&|({[:space:]])eval[[:space:]]' ./*.sh
	assert_output ''
	run grep -nE '\.tmp["/]' ./*.sh
	assert_output ''
	run bash -c "grep -n /tmp ./*.sh | grep -v 'TMPDIR:-/tmp}'"
	assert_output ''
	cd "$BATS_TEST_TMPDIR"
	# SIGTERM in the middle of experiment.sh: it stops at once and its
	# private folder goes with it
	mkdir t
	TMPDIR="$PWD/t" "$TOP/pipelines/experiment.sh" -q --data "$TOP/sample-data" --model sasrec \
		--set epochs=50 --set factors=16 >out.tsv &
	BG=$!
	local n=0 rc
	# the split written, the training under way
	until [ -n "$(find t -name folds.tsv)" ] || [ "$n" -ge 1000 ]; do sleep 0.01; n=$((n + 1)); done
	kill -TERM "$BG"
	rc=0
	wait "$BG" || rc=$?
	BG=""
	[ "$rc" -eq 143 ]
	[ ! -s out.tsv ]
	run ls -A t
	assert_output ''
}

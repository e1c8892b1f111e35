#!/usr/bin/env bats
# The kept fuzz corpora (tests/fuzz/corpus/<target>/), replayed through the
# fuzz harnesses by tests/unit/fuzz_replay: the same harness code as `make
# fuzz` runs under libFuzzer, built by the ordinary compiler (with ASan and
# UBSan under SANITIZE=1, inside Valgrind under check-valgrind), so every
# input that ever mattered, the regression inputs of the bugs found
# included, runs in `make check` without clang.

load test_helper

FUZZ="$TOP/tests/fuzz"

# replay TARGET [MIN]: replays corpus/TARGET (at least MIN files) and checks
# that every file went through and the scratch folder is gone.
replay() {
	local target=$1 min=${2:-10} bin="$TOP/tests/unit/fuzz_replay"
	[ -x "$bin" ] || { echo "$bin is not built: run 'make units'"; return 1; }
	local n
	n=$(find "$FUZZ/corpus/$target" -type f | wc -l)
	[ "$n" -ge "$min" ] || { echo "corpus/$target holds $n files, fewer than $min"; return 1; }
	export TMPDIR="$BATS_TEST_TMPDIR"
	if [ -n "${LMREC_VALGRIND:-}" ]; then
		run valgrind -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite "$bin" "$target" "$FUZZ/corpus/$target"
	else
		run "$bin" "$target" "$FUZZ/corpus/$target"
	fi
	[ "$status" -eq 0 ] || { printf '%s\n' "$output" | tail -n 20; return 1; }
	assert_line "ok - $n $target inputs replayed"
	[ -z "$(find "$BATS_TEST_TMPDIR" -name 'lmrec-fuzz.*' -print -quit)" ]
}

@test "fuzz tsv: the kept TSV corpus replays (canonical and foreign options, gzip)" {
	replay tsv
}

@test "fuzz gzip: gzip input reads as the plain file; a truncated stream or trailing garbage always dies" {
	replay gzip
	assert_line "# $FUZZ/corpus/gzip/truncated"
	assert_line "# $FUZZ/corpus/gzip/first-magic-changed"
	assert_line "# $FUZZ/corpus/gzip/later-magic-changed"
	assert_line "# $FUZZ/corpus/gzip/trailing-garbage-two-members"
}

@test "fuzz csv: the sources of lmrec-ingest (CSV through libcsv, raw, TSV) replay" {
	replay csv
}

@test "fuzz model: the kept model-file corpus replays" {
	replay model 5
}

@test "fuzz safetensors: the kept safetensors corpus replays" {
	replay safetensors
}

@test "fuzz config: config.json of an encoder replays, the huge-sizes regression included" {
	replay config
	assert_line "# $FUZZ/corpus/config/huge-sizes-allocated-before-checked"
}

@test "fuzz vocab: vocab.txt files and the WordPiece encoder over them replay" {
	replay vocab
}

@test "fuzz vec: word vectors (.vec, word2vec .bin) and vectors streams replay, the NUL-word regression included" {
	replay vec
	assert_line "# $FUZZ/corpus/vec/bin-round-trip-nul-word"
}

@test "fuzz slots: the kept slots corpus replays (the request parser of lmrec-chat)" {
	replay slots
}

@test "fuzz turns: turns streams of lmrec-chat replay, the answers-only regression included" {
	replay turns
	assert_line "# $FUZZ/corpus/turns/session-of-answers-only"
}

@test "fuzz profile: profile stores replay (torn tails, changed bytes, re-encoding), the kept stores included" {
	replay profile 5
	assert_line "# $FUZZ/corpus/profile/two-batches"
}

@test "fuzz: every target of the fuzz Makefile has a corpus, a replay and a test here" {
	local targets t
	targets=$(sed -n 's/^TARGETS = //p' "$FUZZ/Makefile")
	[ "$(echo "$targets" | wc -w)" -ge 10 ]
	run "$TOP/tests/unit/fuzz_replay"
	[ "$status" -eq 2 ]
	for t in $targets; do
		[ -f "$FUZZ/${t}_fuzz.c" ] || { echo "no $t harness"; return 1; }
		[ -d "$FUZZ/corpus/$t" ] || { echo "no corpus/$t"; return 1; }
		[[ "$output" == *" $t"* ]] || { echo "fuzz_replay does not know $t"; return 1; }
		grep -q "^	replay $t\b" "$BATS_TEST_FILENAME" || { echo "no test replays $t"; return 1; }
	done
	[ "$(find "$FUZZ/corpus" -mindepth 1 -maxdepth 1 -type d | wc -l)" -eq "$(echo "$targets" | wc -w)" ]
}

@test "fuzz: the corpora stay small (512 KB in all)" {
	local total
	total=$(find "$FUZZ/corpus" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
	echo "corpora: $total bytes"
	[ "$total" -le 524288 ]
}

@test "fuzz: fuzz_replay refuses an unknown target and a missing file" {
	run -2 "$TOP/tests/unit/fuzz_replay" nosuch "$FUZZ/corpus/tsv"
	assert_line --partial "usage: fuzz_replay TARGET FILE|DIR..."
	run -1 "$TOP/tests/unit/fuzz_replay" tsv "$BATS_TEST_TMPDIR/missing"
	assert_output --partial "missing: No such file or directory"
}

#!/usr/bin/env bats
# The C unit tests of lib/: one program per module (tests/unit/<module>.c,
# built by `make units`), each printing TAP lines. The replay of the kept
# fuzz corpora (tests/unit/fuzz_replay) is tests/fuzz.bats.

load test_helper

# unit NAME [ARG...]: runs tests/unit/NAME (under Valgrind with
# LMREC_VALGRIND); fails on a non-zero exit or any "not ok" line, and shows
# the program's output then.
unit() {
	local bin="$TOP/tests/unit/$1"
	shift
	[ -x "$bin" ] || { echo "$bin is not built: run 'make units'"; return 1; }
	export TMPDIR="$BATS_TEST_TMPDIR"
	if [ -n "${LMREC_VALGRIND:-}" ]; then
		run valgrind -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite "$bin" "$@"
	else
		run "$bin" "$@"
	fi
	printf '%s\n' "$output"
	[ "$status" -eq 0 ]
	refute_line --partial 'not ok'
	# the scratch directory is gone
	[ -z "$(find "$BATS_TEST_TMPDIR" -name 'lmrec-unit.*' -print -quit)" ]
}

@test "unit util: number parsing, little-endian codes, growth, dies and their status" {
	unit util
	assert_line 'ok 5 - test_parse_fast_path'
}

@test "unit tsv: reader refusals with exact messages, gzip, long lines, atomic writer" {
	unit tsv
	assert_line --partial 'test_writer_atomic'
}

@test "unit gzin: gzip members and plain input against deflate's own text and gzread; garbage, cuts, changed bytes refused" {
	unit gzin
	assert_line 'ok 5 - test_trailing_garbage'
	assert_line 'ok 6 - test_truncation'
}

@test "unit ids: 2 million ids round-trip, byte order against qsort+memcmp" {
	unit ids
}

@test "unit rng: pinned values, reference xoshiro256**, uniformity, streams" {
	unit rng
}

@test "unit topk: against a full sort with ties, NaN, k = 0 and k > n; the scan against pushes" {
	unit topk
}

@test "unit model: round trip, every refusal, the version-1 fixture" {
	unit model
	assert_line 'ok 5 - test_v1_fixture'
}

@test "unit profile: round trip, decay, a torn last batch at every offset, a writer killed after every byte, every changed byte refused" {
	unit profile
	assert_line 'ok 3 - test_torn_batch'
	assert_line 'ok 4 - test_killed_writer'
	assert_line 'ok 5 - test_every_byte_refused'
}

@test "unit model: the version-1 fixture is kept in the repository" {
	[ -s "$TOP/tests/fixtures/model/v1.lmrc" ]
	run head -c 8 "$TOP/tests/fixtures/model/v1.lmrc"
	assert_output 'LMRCMODL'
}

@test "unit inter: shared dictionaries, fold and weight columns, grouping" {
	unit inter
}

@test "unit cli: option values, cut-off lists, usage errors" {
	unit cli
}

@test "unit par: every task once, contiguous chunks in thread order, 1 to 5 threads" {
	unit par
}

@test "unit csr: triples with repeats against dense matrices, long rows, transpose, refusals" {
	unit csr
}

@test "unit mat: BLAS and LAPACK kernels against their slow twins, shapes 0 and 1, not positive definite" {
	unit mat
}

@test "unit metrics: per-user accuracy, Gini, sampled rank and bootstrap against slow definitions" {
	unit metrics
}

@test "unit bpr: gradient against finite differences, the tails of ln sigmoid, a planted problem" {
	unit bpr
}

@test "unit als: the loss, its gradient, exact and CG solves, descent, threads, a shard's sums and the item step from them" {
	unit als
}

@test "unit ease: Gram against dense X^T X, B against a slow inverse and its optimality, threads" {
	unit ease
}

@test "unit gram: against a dense X^T X, threads, shards summed, the file, item-kNN and EASE from it" {
	unit gram
}

@test "unit itemknn: every neighbour list against a brute force, ties, threads" {
	unit itemknn
}

@test "unit crossdomain: links, maps and scores against brute force; catalog and model refusals" {
	unit crossdomain
	assert_line 'ok 6 - test_scores'
}

@test "unit recmodel: every kind round-trips and scores as a naive loop; bad sections refused" {
	unit recmodel
}

@test "unit contrib: every kind's history contributions against formulas in double, sums and leave-one-out" {
	unit contrib
	assert_line 'ok 8 - test_crossdomain'
}

@test "unit explain: percent-encoding against a slow encoder, contrib parsing, shares and attributes" {
	unit explain
	assert_line 'ok 5 - test_attrs'
}

@test "unit align: ridge against the normal equations, the MLP's gradient, a planted map" {
	unit align
}

@test "unit linalg: eigen, SPD solves and randomized SVD against their slow twins, exact small cases" {
	unit linalg
}

@test "unit skipgram: n-grams, gradient against finite differences, planted topics, unseen words, threads" {
	unit skipgram
}

@test "unit ridge: fit against its twin and its optimality, exact line, cross-validated R2 by hand" {
	unit ridge
}

@test "unit whiten: identity covariance, floor and component limit, degenerate sets" {
	unit whiten
}

@test "unit wordvec: text and word2vec binary formats, round trip, every refusal" {
	unit wordvec
}

@test "unit sif: tokens read, SIF weights and common component, TF-IDF by hand" {
	unit sif
}

@test "unit slots: normalisation, negation and don't-care scopes, exact, scenario and answer readings, an external parser's answer, bounds" {
	unit slots "$TOP/tests/fixtures/chat/items.tsv"
	assert_line 'ok 9 - test_bounds'
}

@test "unit dialog: changes of mind, answers, ranking, the information gain computed by hand, random questions" {
	unit dialog "$TOP/tests/fixtures/chat/items.tsv"
	assert_line 'ok 4 - test_infogain'
}

@test "unit safetensors: every half-precision pattern, a round trip, every refusal of a bad file with its message" {
	unit safetensors
	assert_line 'ok 4 - test_refusals'
}

@test "unit nn: GELU, softmax, LayerNorm and attention against double-precision definitions, AVX2 against portable C" {
	unit nn
	assert_line 'ok 4 - test_attention'
}

@test "unit q8: integer products within their quantisation bound, AVX2 bit for bit as portable C" {
	unit q8
	assert_line 'ok 2 - test_products'
}

@test "unit bert: vectors agree with PyTorch's to 1e-4 (f32 and f16 weights), the same bits on 1, 2 and 5 threads, int8, bad model folders refused" {
	unit bert
	assert_line 'ok 1 - test_against_pytorch'
	assert_line 'ok 2 - test_f16_weights'
	assert_line 'ok 6 - test_tensor_refusals'
}

@test "unit idseq: WordPiece ids read, cut to a length against the obvious cut, refusals with their messages" {
	unit idseq
	assert_line 'ok 2 - test_cut'
	assert_line 'ok 3 - test_refusals'
}

@test "unit bert: the committed fixture stays small (tens of kB)" {
	local d="$TOP/tests/fixtures/bert"
	[ "$(cat "$d"/*/model.safetensors "$d"/*.tsv | wc -c)" -lt 200000 ]
	[ "$(wc -l <"$d/inputs.tsv")" -eq 39 ]
	[ "$(wc -l <"$d/expected.tsv")" -eq 39 ]
	[ "$(wc -l <"$d/expected-f16.tsv")" -eq 39 ]
}

@test "unit unicode: UTF-8 decoding of random bytes against a slow reference, classes, case, NFD and NFC" {
	unit unicode
	assert_line 'ok 1 - test_decode_random'
}

@test "unit unicode: NFD and NFC conform to the Unicode NormalizationTest.txt" {
	local f=/usr/share/unicode/NormalizationTest.txt
	[ -r "$f" ] || [ -r "$f.bz2" ] || skip "$f is absent (Debian package unicode-data)"
	if [ -r "$f" ]; then
		cp "$f" "$BATS_TEST_TMPDIR/nt.txt"
	else
		bzcat "$f.bz2" >"$BATS_TEST_TMPDIR/nt.txt"
	fi
	unit unicode --normalization-test <"$BATS_TEST_TMPDIR/nt.txt"
	assert_line 'ok 1 - test_normalization_file'
}

@test "unit text: words and their flags, stop words, n-grams, BERT's basic tokens, random bytes" {
	unit text
	assert_line 'ok 8 - test_random_bytes'
}

@test "unit pii: each masking rule where it must mask and where it must not" {
	unit pii
}

@test "unit wordpiece: vocabulary refusals, greedy longest match, [UNK], truncation, threads" {
	unit wordpiece
}

@test "unit sasrec: forward against a slow version and PyTorch, every tensor's gradient for each loss, threads, AdamW, learning a cycle" {
	unit sasrec
}

@test "unit llm: request builders, answer readers and their refusals, exact framing through cat, counts" {
	unit llm
	assert_line 'ok 6 - test_cat_round_trip'
}

@test "unit compose: a wide beam is the exhaustive optimum, beam beats greedy, each constraint, the sequence term" {
	unit compose
	assert_line 'ok 4 - test_sequence_term'
}

@test "unit summary: the catalog in memory, pairs as words, the built-in summary, the check of a model's summary" {
	unit summary
	assert_line 'ok 5 - test_check'
}

@test "unit itemsim: the block of similarities against one pair at a time, S worked out by hand" {
	unit itemsim
	assert_line 'ok 2 - test_by_hand'
}

@test "unit calibrate: a hand-computed case, the divergence against its formula, greedy against a slow greedy and brute force" {
	unit calibrate
	assert_line 'ok 4 - test_greedy_against_slow'
}

@test "unit objectives: value words and numbers, discovery by hand, a list's five scores against their definitions" {
	unit objectives
	assert_line 'ok 5 - test_against_slow'
}

@test "unit groups: quantile cut-offs by hand and on random counts, the groups stream and its refusals" {
	unit groups
	assert_line 'ok 4 - test_refusals'
}

@test "unit anon: HMAC-SHA256 against RFC 4231 cases 1 to 7 (5 truncated) and its definition, the hex cut, key files refused and made" {
	unit anon
	assert_line 'ok 1 - test_rfc4231'
	assert_line 'ok 2 - test_against_definition'
}

@test "unit quality: every flag and weight factor against a brute-force reference, int64 windows, the report" {
	unit quality
	assert_line 'ok 3 - test_report'
}

@test "unit dp: Laplace and Gaussian noise against their distributions, the analytic Gaussian calibration, the noise floor" {
	unit dp
	assert_line 'ok 6 - test_gaussian_calibration'
}

@test "unit cooc: counts against a naive count, the cap, the sensitivity bound by brute force, the release" {
	unit cooc
	assert_line 'ok 3 - test_sensitivity_brute_force'
}

@test "unit agent: goal matching, the memory's reading of turns and its overrides, cost points, the profile's preferences, boosts and reasons" {
	unit agent "$TOP/tests/fixtures/agent"
	assert_line 'ok 4 - test_prefs_entries'
	assert_line 'ok 5 - test_prefs'
}

#!/usr/bin/env bats
# pipelines/experiment.sh: the experiment entry point of SPEC.md §7.

load test_helper

setup() {
	# whole pipelines under Valgrind take hours: their tools are checked one by one
	[ -z "${LMREC_VALGRIND:-}" ] || skip "pipelines are not run under Valgrind"
	cd "$BATS_TEST_TMPDIR"
	EXP="$TOP/pipelines/experiment.sh"
}

@test "experiment: --help, and usage errors exit 2" {
	run "$EXP" --help
	assert_success
	assert_output --partial '--split SPLIT'
	run -2 "$EXP" --model ease
	run -2 "$EXP" --data "$TOP/sample-data" --model nope
	run -2 "$EXP" --data "$TOP/sample-data" --model ease --split sideways
	run -2 "$EXP" --data "$TOP/sample-data" --model ease --set lambda
	run -65 "$EXP" --data . --model ease
}

@test "experiment: standard output is the metrics stream and nothing else" {
	run --separate-stderr "$EXP" --data "$TOP/sample-data" --model popular --k 5,10
	assert_success
	assert_line --index 0 "$(tsv 'metric|k|segment|value|n')"
	# every row has the five columns and a known metric
	echo "$output" | awk -F'\t' 'NR > 1 && (NF != 5 || $1 !~ /^(hr|recall|precision|ndcg|mrr|map|coverage|novelty|popularity|ild|gini)$/) { exit 1 }'
	[[ "$stderr" == *"train popular"* ]]
}

@test "experiment: the numbers equal the per-tool path" {
	run "$EXP" --data "$TOP/sample-data" --model ease --set lambda=200 --k 10 -q
	assert_success
	exp_ndcg=$(echo "$output" | awk -F'\t' '$1 == "ndcg" { print $4 }')
	lmrec-split -q -o folds.tsv "$TOP/sample-data/interactions.tsv.gz"
	awk -F'\t' 'NR == 1 { print "user"; next } $NF == "test" && !s[$1]++ { print $1 }' folds.tsv >users.tsv
	lmrec-train -q --model ease --lambda 200 --folds train,valid -o m.lmrc folds.tsv
	lmrec-recall -q -m m.lmrc -n 10 --users users.tsv -o recs.tsv
	tool_ndcg=$(lmrec-eval -q -t folds.tsv --k 10 --metrics ndcg recs.tsv | awk -F'\t' 'NR == 2 { print $4 }')
	[ -n "$exp_ndcg" ]
	[ "$exp_ndcg" = "$tool_ndcg" ]
}

@test "experiment: cold split holds items out; collaborative models cannot reach them" {
	run "$EXP" --data "$TOP/sample-data" --model itemknn --split cold:0.2 --k 20 -q
	assert_success
	# the held-out items are unknown to the model: recall is 0 for every user
	run awk -F'\t' '$1 == "recall" && $3 == "all" { print $4, ($5 > 100) }' <<<"$output"
	assert_output '0 1'
}

@test "experiment: blend learns weights on the validation fold and beats popularity" {
	skip_if_slow
	run "$EXP" --data "$TOP/sample-data" --model blend --k 10 -q
	assert_success
	blend=$(echo "$output" | awk -F'\t' '$1 == "ndcg" { print $4 }')
	run "$EXP" --data "$TOP/sample-data" --model popular --k 10 -q
	pop=$(echo "$output" | awk -F'\t' '$1 == "ndcg" { print $4 }')
	awk -v b="$blend" -v p="$pop" 'BEGIN { exit !(b > 1.5 * p) }'
}

@test "experiment: MovieLens-100K EASE and ALS give the per-tool figures of RESULTS.md" {
	need_dataset ml-100k
	mkdir ml
	lmrec-ingest -q "$LMREC_DATASETS/ml-100k/u.data" -o ml/interactions.tsv
	run "$EXP" --data ml --model ease --set lambda=100 --k 10 -q
	assert_success
	# within 0.0005: BLAS kernels differ between CPUs in the last bits
	echo "$output" | awk -F'\t' '$1 == "ndcg" { d = $4 - 0.0723; ok = d < 0.0005 && d > -0.0005 && $5 == 943 } END { exit !ok }'
	run "$EXP" --data ml --model als --set reg=1 --set alpha=1 --k 10 -q
	assert_success
	echo "$output" | awk -F'\t' '$1 == "ndcg" { d = $4 - 0.0732; ok = d < 0.0005 && d > -0.0005 && $5 == 943 } END { exit !ok }'
}

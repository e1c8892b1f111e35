#!/usr/bin/env bats
# lmrec-eval: metrics of recommendations against held-out interactions.

load test_helper

setup() {
	cd "$BATS_TEST_TMPDIR"
	# u1 holds out a; u2 b and c; u3 d (and has no list); u4 is not in the truth.
	tsv 'user|item' 'u1|a' 'u2|b' 'u2|c' 'u3|d' >truth.tsv
	# rows out of order on purpose: the rank column decides
	tsv 'user|rank|item|score|reason' \
		'u2|1|c|3|r' 'u1|2|a|2|r' 'u1|1|x|3|r' 'u1|3|y|1|r' \
		'u2|2|z|2|r' 'u2|3|b|1|r' 'u4|1|a|1|r' >recs.tsv
	tsv 'user|item' 'u1|b' 'u2|a' 'u3|a' >train.tsv
	tsv 'item|category' 'a|A' 'b|A' 'c|C' 'd|D' 'x|B' 'y|B' 'z|C' >items.tsv
}

@test "lmrec-eval: --help and --version exit 0, an unknown option exits 2" {
	run lmrec-eval --help
	assert_success
	assert_line --partial 'Usage: lmrec-eval'
	run lmrec-eval --version
	assert_success
	assert_output 'lmrec-eval (lmrec) 0.1.0'
	run -2 lmrec-eval --truth truth.tsv --bogus
}

@test "lmrec-eval: every --help option is in the man page" {
	run check_man_page lmrec-eval
	assert_success
}

@test "lmrec-eval: accuracy metrics equal hand-computed values" {
	# u1 [x a y]: hit at place 1. u2 [c z b]: hits at 0 and 2 of {b,c}.
	# u3: no list, scores 0. ndcg@2 = (1/log2(3) + 1/(1+1/log2(3)))/3.
	run lmrec-eval -q -t truth.tsv --k 2,3 --metrics hr,recall,precision,ndcg,mrr,map recs.tsv
	assert_success
	assert_output "$(tsv 'metric|k|segment|value|n' \
		'hr|2|all|0.666666667|3' 'hr|3|all|0.666666667|3' \
		'recall|2|all|0.5|3' 'recall|3|all|0.666666667|3' \
		'precision|2|all|0.333333333|3' 'precision|3|all|0.333333333|3' \
		'ndcg|2|all|0.414692315|3' 'ndcg|3|all|0.516883514|3' \
		'mrr|2|all|0.5|3' 'mrr|3|all|0.5|3' \
		'map|2|all|0.333333333|3' 'map|3|all|0.444444444|3')"
}

@test "lmrec-eval: coverage, gini, novelty, popularity and diversity equal hand-computed values" {
	# first 2: u1 [x a], u2 [c z]; catalog of 7 items: coverage 4/7;
	# exposures 0 0 0 1 1 1 1: gini 12/28; novelty: u1 (2 + log2(4/3))/2,
	# u2 2, u3 no list (left out); categories: u1 differ, u2 same.
	run lmrec-eval -q -t truth.tsv --train train.tsv --items items.tsv --k 2 \
		--metrics coverage,gini,novelty,popularity,ild recs.tsv
	assert_success
	assert_output "$(tsv 'metric|k|segment|value|n' \
		'coverage|2|all|0.571428571|3' 'novelty|2|all|1.60375937|3' \
		'popularity|2|all|0.5|3' 'ild|2|all|0.5|3' 'gini|2|all|0.428571429|3')"
}

@test "lmrec-eval: diversity from vectors is 1 - cosine" {
	tsv 'item|d0|d1' 'x|1|0' 'a|0|2' 'c|1|1' 'z|1|1' >vec.tsv
	run lmrec-eval -q -t truth.tsv --vectors vec.tsv --k 2 --metrics ild recs.tsv
	assert_success
	# u1: x.a orthogonal -> 1; u2: c.z equal -> 0; mean 0.5
	assert_line "$(tsv 'ild|2|all|0.5|3')"
}

@test "lmrec-eval: sampled metrics rank among every admissible negative, labelled _sampled" {
	# 5 negatives is every admissible one for u1 (catalog minus b trained,
	# a held out): x is listed before a, so a ranks 1; u2 has only 4.
	run lmrec-eval -q -t truth.tsv --train train.tsv --items items.tsv --k 1,2 \
		--metrics hr --sampled 5 recs.tsv
	assert_success
	assert_output "$(tsv 'metric|k|segment|value|n' \
		'hr|1|all|0.333333333|3' 'hr|2|all|0.666666667|3' \
		'hr_sampled|1|all|0.166666667|3' 'hr_sampled|2|all|0.666666667|3')"
}

@test "lmrec-eval: folds from lmrec-split: test rows are the truth, train rows the training data" {
	tsv 'user|item|fold' 'u1|b|train' 'u1|a|test' 'u2|a|train' 'u2|q|valid' 'u2|b|test' 'u2|c|test' \
		'u3|a|train' 'u3|d|test' >folds.tsv
	run lmrec-eval -q -t folds.tsv --k 2 --metrics hr,popularity recs.tsv
	assert_success
	assert_output "$(tsv 'metric|k|segment|value|n' 'hr|2|all|0.666666667|3' 'popularity|2|all|0.5|3')"
	run lmrec-eval -q -t folds.tsv --fold valid --k 2 --metrics hr recs.tsv
	assert_line "$(tsv 'hr|2|all|0|1')"
}

@test "lmrec-eval: segments by cold items, activity, a user file and a truth column" {
	tsv 'user|segment' 'u1|north' 'u2|south' 'u3|north' 'u9|south' >groups.tsv
	tsv 'user|item|kind' 'u1|a|x' 'u2|b|y' 'u2|c|x' 'u3|d|y' >truth2.tsv
	tsv 'user|item' 'u1|b' 'u2|a' 'u2|x' 'u3|a' >train2.tsv
	run lmrec-eval -q -t truth2.tsv --train train2.tsv --k 2 --metrics hr,recall --cold-items \
		--activity 1 --segment-file groups.tsv --segment-column kind recs.tsv
	assert_success
	# lists at 2: u1 [x a], u2 [c z], u3 none. a and b are warm, c and d cold.
	# u1 and u3 trained on 1 item, u2 on 2. kind=x: u1 {a} hit, u2 {c} hit;
	# kind=y: u2 {b} missed at 2, u3 nothing. u9 is not in the truth.
	assert_output "$(tsv 'metric|k|segment|value|n' \
		'hr|2|all|0.666666667|3' \
		'hr|2|north|0.5|2' 'hr|2|south|1|1' \
		'hr|2|activity=0-1|0.5|2' 'hr|2|activity=2+|1|1' \
		'hr|2|item=cold|0.5|2' 'hr|2|item=warm|0.5|2' \
		'hr|2|kind=x|1|2' 'hr|2|kind=y|0|2' \
		'recall|2|all|0.5|3' \
		'recall|2|north|0.5|2' 'recall|2|south|0.5|1' \
		'recall|2|activity=0-1|0.5|2' 'recall|2|activity=2+|0.5|1' \
		'recall|2|item=cold|0.5|2' 'recall|2|item=warm|0.5|2' \
		'recall|2|kind=x|1|2' 'recall|2|kind=y|0|2')"
}

@test "lmrec-eval: --ci adds seeded bootstrap intervals around the value" {
	for u in $(seq 1 200); do printf 'u%d\ti%d\n' $u $((u % 7)); done | sed '1i user\titem' >t.tsv
	for u in $(seq 1 200); do printf 'u%d\t1\ti%d\t1\tr\n' $u $((u % 3)); done | sed '1i user\trank\titem\tscore\treason' >r.tsv
	run lmrec-eval -q -t t.tsv --k 1 --metrics hr,coverage --ci 0.9 -s 3 r.tsv
	assert_success
	echo "$output" >a.tsv
	assert_line --index 0 "$(tsv 'metric|k|segment|value|n|lo|hi')"
	# hr = share of users with u%7 == u%3 = 29/200; lo < value < hi
	run awk -F'\t' '$1=="hr" && $4 == 0.145 && $6 < $4 && $4 < $7 && $6 > 0.1 && $7 < 0.2' a.tsv
	[ -n "$output" ]
	run awk -F'\t' '$1=="coverage" && $6=="" && $7==""' a.tsv
	[ -n "$output" ]
	run lmrec-eval -q -t t.tsv --k 1 --metrics hr,coverage --ci 0.9 -s 3 r.tsv
	[ "$output" = "$(cat a.tsv)" ]
	# hits at varied places (rank u%5 + 1) make the ends depend on the draws
	for u in $(seq 1 200); do printf 'u%d\ti%d\n' $u $(((u + u % 5 + 1) % 7)); done | sed '1i user\titem' >t5.tsv
	for u in $(seq 1 200); do for r in 1 2 3 4 5; do printf 'u%d\t%d\ti%d\n' $u $r $(((u + r) % 7)); done; done |
		sed '1i user\trank\titem' >r5.tsv
	run lmrec-eval -q -t t5.tsv --k 5 --metrics ndcg --ci 0.9 -s 3 r5.tsv
	s3="$output"
	run lmrec-eval -q -t t5.tsv --k 5 --metrics ndcg --ci 0.9 -s 4 r5.tsv
	[ "$output" != "$s3" ]
	[ "$(echo "$output" | cut -f1-5)" = "$(echo "$s3" | cut -f1-5)" ]
}

@test "lmrec-eval: a truth user without recommendations scores 0 and counts in n" {
	tsv 'user|rank|item|score|reason' >empty.tsv
	run lmrec-eval -q -t truth.tsv --k 5 --metrics hr,ndcg empty.tsv
	assert_success
	assert_output "$(tsv 'metric|k|segment|value|n' 'hr|5|all|0|3' 'ndcg|5|all|0|3')"
}

@test "lmrec-eval: header-only truth gives header and zero-user rows" {
	tsv 'user|item' >t0.tsv
	run lmrec-eval -q -t t0.tsv --k 5 --metrics hr recs.tsv
	assert_success
	assert_output "$(tsv 'metric|k|segment|value|n' 'hr|5|all|0|0')"
}

@test "lmrec-eval: a missing column exits 65 naming file and line" {
	tsv 'user|rank' 'u1|1' >bad.tsv
	run -65 --separate-stderr lmrec-eval -t truth.tsv bad.tsv
	[ "$stderr" = "lmrec-eval: bad.tsv:1: no column 'item' in the header" ]
}

@test "lmrec-eval: a bad rank exits 65 naming line and column, no output left" {
	tsv 'user|rank|item' 'u1|1|a' 'u1|two|b' >bad.tsv
	mkdir o
	run -65 --separate-stderr lmrec-eval -t truth.tsv -o o/m.tsv bad.tsv
	[ "$stderr" = "lmrec-eval: bad.tsv:3: column 'rank': 'two' is not an integer" ]
	run ls -A o
	[ -z "$output" ]
}

@test "lmrec-eval: CRLF in the truth exits 65" {
	printf 'user\titem\r\nu1\ta\r\n' >crlf.tsv
	run -65 --separate-stderr lmrec-eval -t crlf.tsv recs.tsv
	[[ "$stderr" == "lmrec-eval: crlf.tsv:1: line ends with CR"* ]]
}

@test "lmrec-eval: escaped ids match across streams and gzip input equals plain" {
	printf 'user\titem\nu\\t1\ta\\\\b\n' >te.tsv
	printf 'user\trank\titem\nu\\t1\t1\ta\\\\b\n' >re.tsv
	run lmrec-eval -q -t te.tsv --k 1 --metrics hr re.tsv
	assert_line "$(tsv 'hr|1|all|1|1')"
	gzip -c recs.tsv >recs.tsv.gz
	run lmrec-eval -q -t truth.tsv recs.tsv
	plain="$output"
	run lmrec-eval -q -t truth.tsv <recs.tsv.gz
	assert_output "$plain"
}

@test "lmrec-eval: usage errors exit 2" {
	run -2 lmrec-eval recs.tsv
	run -2 lmrec-eval -t truth.tsv --k 0 recs.tsv
	run -2 lmrec-eval -t truth.tsv --metrics nope recs.tsv
	run -2 lmrec-eval -t truth.tsv --ci 2 recs.tsv
	tsv 'user|item|fold' 'u1|a|test' >f.tsv
	run -2 lmrec-eval -t f.tsv --fold later recs.tsv
}

@test "lmrec-eval: MovieLens-100K popularity HR@10 and NDCG@10 equal an independent awk reference" {
	need_dataset ml-100k
	lmrec-ingest -q "$LMREC_DATASETS/ml-100k/u.data" | lmrec-split -q -o folds.tsv
	awk -F'\t' -v N=10 -f "$TOP/pipelines/popular-baseline.awk" folds.tsv >recs.tsv
	run lmrec-eval -q -t folds.tsv --k 10 --metrics hr,ndcg recs.tsv
	assert_success
	got=$(echo "$output" | awk -F'\t' 'NR>1{printf "%s\t%.4f\n", $1, $4}')
	want=$(awk -F'\t' -v K=10 -f "$TOP/tests/ref-metrics.awk" folds.tsv | awk '$1 != "n"')
	[ "$got" = "$want" ]
	# and both equal the NumPy reference of ../shared/reference (pop.py)
	[ "$got" = "$(printf 'hr\t0.0859\nndcg\t0.0449')" ]
	echo "$output" | grep -q $'\t943$'
}

@test "lmrec-eval: a vectors file with an id twice or without d0 exits 65" {
	tsv 'item|d0|d1' 'x|1|0' 'x|0|1' >twice.tsv
	run -65 --separate-stderr lmrec-eval -q -t truth.tsv --vectors twice.tsv --metrics ild recs.tsv
	[ "$stderr" = "lmrec-eval: twice.tsv:3: column 'item': 'x' has a vector already" ]
	tsv 'item|e0' 'x|1' >nod.tsv
	run -65 --separate-stderr lmrec-eval -q -t truth.tsv --vectors nod.tsv --metrics ild recs.tsv
	[ "$stderr" = "lmrec-eval: nod.tsv:1: no vector columns d0, d1, ... in the header" ]
}

# Four users for the groups: u1 hits at place 0, u2 at place 1, u3 misses,
# u4 has no list; they trained on 3, 1, 2 and 5 items.
groups_fixture() {
	tsv 'user|item' 'u1|a' 'u2|b' 'u3|c' 'u4|d' >gt.tsv
	tsv 'user|rank|item' 'u1|1|a' 'u1|2|x' 'u2|1|x' 'u2|2|b' 'u3|1|x' 'u3|2|y' >gr.tsv
	tsv 'user|item' 'u1|p' 'u1|q' 'u1|r' 'u2|p' 'u3|p' 'u3|q' 'u4|p' 'u4|q' 'u4|r' 'u4|s' 'u4|t' >gtrain.tsv
	# u4 has no age; u9 is not in the truth
	tsv 'user|gender|age' 'u2|M|25-34' 'u1|F|18-24' 'u3|F|25-34' 'u4|M|' 'u9|X|56+' >groups.tsv
}

@test "lmrec-eval: --groups gives every metric per group of each column, then the gap between best and worst" {
	groups_fixture
	# ndcg@2: u1 1, u2 1/log2(3) = 0.630929754, u3 0, u4 0.
	# F = {u1, u3}, M = {u2, u4}; 18-24 = {u1}, 25-34 = {u2, u3}; X and 56+
	# have no user of the truth: n 0, and left out of the gap.
	run -0 lmrec-eval -q -t gt.tsv --k 2 --metrics hr,ndcg --groups groups.tsv gr.tsv
	assert_output "$(tsv 'metric|k|segment|value|n' \
		'hr|2|all|0.5|4' \
		'hr|2|gender=F|0.5|2' 'hr|2|gender=M|0.5|2' 'hr|2|gender=X|0|0' \
		'hr|2|age=18-24|1|1' 'hr|2|age=25-34|0.5|2' 'hr|2|age=56+|0|0' \
		'hr_gap|2|gender|0|4' 'hr_gap|2|age|0.5|3' \
		'ndcg|2|all|0.407732438|4' \
		'ndcg|2|gender=F|0.5|2' 'ndcg|2|gender=M|0.315464877|2' 'ndcg|2|gender=X|0|0' \
		'ndcg|2|age=18-24|1|1' 'ndcg|2|age=25-34|0.315464877|2' 'ndcg|2|age=56+|0|0' \
		'ndcg_gap|2|gender|0.184535123|4' 'ndcg_gap|2|age|0.684535123|3')"
}

@test "lmrec-eval: --activity-groups splits the truth users by quantile of training activity, with the gap" {
	groups_fixture
	# counts 1 2 3 5: the cut is the 2nd smallest, 2: {u2, u3} and {u1, u4}
	run -0 lmrec-eval -q -t gt.tsv --train gtrain.tsv --k 1,2 --metrics ndcg,coverage --activity-groups 2 gr.tsv
	assert_output "$(tsv 'metric|k|segment|value|n' \
		'ndcg|1|all|0.25|4' 'ndcg|1|activity=0-2|0|2' 'ndcg|1|activity=3+|0.5|2' \
		'ndcg|2|all|0.407732438|4' 'ndcg|2|activity=0-2|0.315464877|2' 'ndcg|2|activity=3+|0.5|2' \
		'ndcg_gap|1|activity|0.5|4' 'ndcg_gap|2|activity|0.184535123|4' \
		'coverage|1|all|0.111111111|4' 'coverage|1|activity=0-2|0|2' 'coverage|1|activity=3+|0.111111111|2' \
		'coverage|2|all|0.222222222|4' 'coverage|2|activity=0-2|0.111111111|2' 'coverage|2|activity=3+|0.111111111|2' \
		'coverage_gap|1|activity|0.111111111|4' 'coverage_gap|2|activity|0|4')"
	# four groups of one user each; with the groups file too, activity last
	run -0 lmrec-eval -q -t gt.tsv --train gtrain.tsv --k 2 --metrics hr --activity-groups 4 \
		--groups groups.tsv gr.tsv
	assert_output "$(tsv 'metric|k|segment|value|n' \
		'hr|2|all|0.5|4' \
		'hr|2|gender=F|0.5|2' 'hr|2|gender=M|0.5|2' 'hr|2|gender=X|0|0' \
		'hr|2|age=18-24|1|1' 'hr|2|age=25-34|0.5|2' 'hr|2|age=56+|0|0' \
		'hr|2|activity=0-1|1|1' 'hr|2|activity=2-2|0|1' 'hr|2|activity=3-3|1|1' 'hr|2|activity=4+|0|1' \
		'hr_gap|2|gender|0|4' 'hr_gap|2|age|0.5|3' 'hr_gap|2|activity|1|4')"
}

@test "lmrec-eval: with --ci the gap rows have empty lo and hi" {
	groups_fixture
	run -0 lmrec-eval -q -t gt.tsv --k 2 --metrics hr --groups groups.tsv --ci 0.9 gr.tsv
	assert_line --index 0 "$(tsv 'metric|k|segment|value|n|lo|hi')"
	assert_line --index 8 "$(printf 'hr_gap\t2\tgender\t0\t4\t\t')"
	assert_line --index 9 "$(printf 'hr_gap\t2\tage\t0.5\t3\t\t')"
}

@test "lmrec-eval: a bad groups file exits 65 with the exact message" {
	groups_fixture
	tsv 'id|gender' 'u1|F' >g1.tsv
	run -65 --separate-stderr lmrec-eval -q -t gt.tsv --groups g1.tsv gr.tsv
	[ "$stderr" = "lmrec-eval: g1.tsv:1: no column 'user' in the header" ]
	tsv 'user' 'u1' >g2.tsv
	run -65 --separate-stderr lmrec-eval -q -t gt.tsv --groups g2.tsv gr.tsv
	[ "$stderr" = "lmrec-eval: g2.tsv:1: no group column beside 'user'" ]
	tsv 'user|gender' 'u1|F' 'u2|M' 'u1|M' >g3.tsv
	run -65 --separate-stderr lmrec-eval -q -t gt.tsv --groups g3.tsv -o m.tsv gr.tsv
	[ "$stderr" = "lmrec-eval: g3.tsv:4: column 'user': user 'u1' appears twice" ]
	[ ! -e m.tsv ]
	printf 'user\tgender\r\nu1\tF\r\n' >g4.tsv
	run -65 --separate-stderr lmrec-eval -q -t gt.tsv --groups g4.tsv gr.tsv
	[[ "$stderr" == "lmrec-eval: g4.tsv:1: line ends with CR"* ]]
}

@test "lmrec-eval: group options that cannot work together exit 2" {
	groups_fixture
	run -2 --separate-stderr lmrec-eval -q -t gt.tsv --activity-groups 2 gr.tsv
	[ "${stderr_lines[0]}" = "lmrec-eval: --activity-groups needs training data: --train, or a truth with a fold column" ]
	run -2 --separate-stderr lmrec-eval -q -t gt.tsv --train gtrain.tsv --activity 2 --activity-groups 2 gr.tsv
	[ "${stderr_lines[0]}" = "lmrec-eval: --activity and --activity-groups exclude each other" ]
	tsv 'user|activity' 'u1|high' >ga.tsv
	run -2 --separate-stderr lmrec-eval -q -t gt.tsv --train gtrain.tsv --activity-groups 2 --groups ga.tsv gr.tsv
	[ "${stderr_lines[0]}" = "lmrec-eval: the column 'activity' of --groups names segments as --activity-groups does" ]
	run -2 lmrec-eval -q -t gt.tsv --train gtrain.tsv --activity-groups 1 gr.tsv
}

@test "lmrec-eval: escaped group values are written escaped once; a gzipped groups file reads the same" {
	groups_fixture
	printf 'user\tteam\nu1\tred\\tblue\nu2\tb\\\\w\n' >ge.tsv
	run -0 lmrec-eval -q -t gt.tsv --k 2 --metrics hr --groups ge.tsv gr.tsv
	assert_output "$(printf 'metric\tk\tsegment\tvalue\tn\nhr\t2\tall\t0.5\t4\nhr\t2\tteam=b\\\\w\t1\t1\nhr\t2\tteam=red\\tblue\t1\t1\nhr_gap\t2\tteam\t0\t2')"
	gzip -c groups.tsv >groups.tsv.gz
	run -0 lmrec-eval -q -t gt.tsv --k 2 --groups groups.tsv gr.tsv
	plain="$output"
	run -0 lmrec-eval -q -t gt.tsv --k 2 --groups groups.tsv.gz gr.tsv
	assert_output "$plain"
}

@test "lmrec-eval: MovieLens-100K groups from u.user cover the 943 users, each gap over its groups" {
	need_dataset ml-100k
	lmrec-ingest -q "$LMREC_DATASETS/ml-100k/u.data" | lmrec-split -q -o folds.tsv
	awk -F'\t' -v N=10 -f "$TOP/pipelines/popular-baseline.awk" folds.tsv >recs.tsv
	# the man page's conversion
	awk -F'|' -v OFS='\t' '
	    BEGIN { print "user", "age", "gender", "occupation" }
	    { a = "56+"
	      if ($2 < 56) a = "50-55"; if ($2 < 50) a = "45-49"; if ($2 < 45) a = "35-44"
	      if ($2 < 35) a = "25-34"; if ($2 < 25) a = "18-24"; if ($2 < 18) a = "0-17"
	      print $1, a, $3, $4 }' "$LMREC_DATASETS/ml-100k/u.user" >groups.tsv
	run -0 lmrec-eval -q -t folds.tsv --k 10 --metrics ndcg --groups groups.tsv --activity-groups 4 recs.tsv
	echo "$output" >m.tsv
	# 1 + 7 age bands + 2 genders + 21 occupations + 4 activity groups, 3 + 1 gaps
	[ "$(awk 'NR > 1' m.tsv | wc -l)" -eq 39 ]
	[ "$(awk -F'\t' '$3 ~ /^gender=/ { n += $5 } END { print n }' m.tsv)" -eq 943 ]
	[ "$(awk -F'\t' '$3 ~ /^age=/ { n += $5 } END { print n }' m.tsv)" -eq 943 ]
	[ "$(awk -F'\t' '$3 ~ /^activity=/ { n += $5 } END { print n }' m.tsv)" -eq 943 ]
	[ "$(awk -F'\t' '$3 ~ /^gender=/ { print $5 }' m.tsv | tr '\n' ' ')" = "273 670 " ]
	# each activity group within one user of a quarter
	awk -F'\t' '$3 ~ /^activity=/ && ($5 < 220 || $5 > 250) { exit 1 }' m.tsv
	# each gap is the spread of its groups
	for g in age gender occupation activity; do
		want=$(awk -F'\t' -v g="$g" 'index($3, g "=") == 1 && $5 > 0 { if (!n++ || $4 < lo) lo = $4; if (n == 1 || $4 > hi) hi = $4 }
			END { printf "%.6f", hi - lo }' m.tsv)
		got=$(awk -F'\t' -v g="$g" '$1 == "ndcg_gap" && $3 == g { printf "%.6f", $4 }' m.tsv)
		[ "$got" = "$want" ]
	done
}

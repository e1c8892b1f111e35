#!/usr/bin/env bats
# lmrec-report: the morning page of a run folder.

load test_helper

setup() {
	cd "$BATS_TEST_TMPDIR"
	# a small run folder by hand: metrics with intervals, a gate, stages
	mkdir -p out/runs/2026-11-02/log out/runs/2026-11-02/work
	R=out/runs/2026-11-02
	tsv 'metric|k|segment|value|n|lo|hi' \
		'hr|10|all|0.25|4|0.1|0.4' 'hr|10|item=cold|0|1|0|0' \
		'ndcg|10|all|0.125|4|0.05|0.2' 'ndcg|10|item=cold|0|1|0|0' \
		'coverage|10|all|0.5|4||' 'gini|10|all|0.375|4||' >$R/metrics.tsv
	tsv 'metric|k|value|lo|hi|previous|tolerance|verdict|reason' \
		'ndcg|10|0.125|0.05|0.2|0.1|0|pass|0.125 (interval 0.05..0.2) against the last published 0.1' >$R/gate.tsv
	tsv 'stage|seconds|max_rss_kb|status' 'ingest|0.5|2048|ok' 'train|2.25|10240|ok' >$R/stages.tsv
	tsv 'metric|value|n' 'churn|0.2|3' >$R/churn.tsv
	echo published >$R/status
	tsv 'user|rank|item|score|reason' 'u1|1|a|0.9|cf: because you liked <Heat> & "Ronin"' \
		'u1|2|b|0.5|popular: popular with many users' 'u2|1|a|0.8|cf: x' | gzip >$R/recommendations.tsv.gz
	tsv 'user|item|ts' 'u1|c|1' 'u2|c|2' 'u3|a|3' | gzip >$R/work/interactions.tsv.gz
	tsv 'item|title' 'a|Alpha & Omega' 'b|Beta' >$R/work/items.tsv
	echo 'lmrec-ingest: warning: x.tsv:3: a bad row skipped' >$R/log/ingest.log
	tsv 'date|metric|k|segment|value|lo|hi|status' \
		'2026-11-01|ndcg|10|all|0.1|0.04|0.16|published' \
		'2026-11-01|hr|10|all|0.2|0.1|0.3|published' \
		'2026-11-01|churn||all|0.3|||published' >out/history.tsv
}

@test "lmrec-report: --help and --version exit 0, an unknown option exits 2" {
	run lmrec-report --help
	assert_success
	run lmrec-report --version
	assert_success
	assert_output 'lmrec-report (lmrec) 0.1.0'
	run -2 lmrec-report --bogus out/runs/2026-11-02
	run -2 lmrec-report
	run -2 lmrec-report --status nope out/runs/2026-11-02
}

@test "lmrec-report: every --help option is in the man page" {
	run check_man_page lmrec-report
	assert_success
}

@test "lmrec-report: a self-contained page with every section, the exact values in the DOM" {
	run lmrec-report -q out/runs/2026-11-02 -o page.html
	assert_success
	for id in gate verdict headline metrics exposure segments stages sample warnings; do
		grep -q "id=\"$id\"" page.html || { echo "no #$id"; false; }
	done
	# every number of metrics.tsv with its exact text
	for v in 0.25 0.125 0.5 0.375; do grep -q "data-value=\"$v\"" page.html || { echo "no $v"; false; }; done
	grep -q 'data-lo="0.05" data-hi="0.2"' page.html
	# no network, no script
	! grep -qiE '<script|src="http|href="http|@import' page.html
	# the previous night and the change
	grep -q 'data-value="0.1"' page.html
	grep -q '+25.0%' page.html
	# escaping: titles and reasons come out as text
	grep -q 'Alpha &amp; Omega' page.html
	grep -q 'because you liked &lt;Heat&gt; &amp; &quot;Ronin&quot;' page.html
	# the warning of the ingest log
	grep -q 'ingest: lmrec-ingest: warning: x.tsv:3: a bad row skipped' page.html
}

@test "lmrec-report: charts are inline SVG from gnuplot, each with its own ids" {
	command -v gnuplot >/dev/null || skip "gnuplot is not installed"
	run lmrec-report -q out/runs/2026-11-02 -o page.html
	assert_success
	[ "$(grep -c '<figure class="chart"><svg' page.html)" -ge 4 ]
	! grep -q 'chart absent' page.html
	# no id twice in the page
	[ -z "$(grep -o "id='[^']*'" page.html | sort | uniq -d)" ]
	# the NDCG trend has two nights: two data points and the key's sample
	run awk 'BEGIN { RS = "<figure" } /NDCG over/ { print }' page.html
	[ "$(echo "$output" | grep -o "translate([^)]*) scale(2.25)' color='rgb( 31,  95, 168)'" | wc -l)" -eq 3 ]
}

@test "lmrec-report: without gnuplot the page keeps its tables and says the charts are absent" {
	run lmrec-report -q --gnuplot /nonexistent/gnuplot out/runs/2026-11-02 -o page.html
	assert_success
	grep -q 'id="nocharts"' page.html
	grep -q 'Charts are absent: /nonexistent/gnuplot' page.html
	grep -q 'data-value="0.125"' page.html
	! grep -q '<svg' page.html
	run lmrec-report -q --no-charts out/runs/2026-11-02
	assert_output --partial 'Charts are absent: --no-charts was given'
}

@test "lmrec-report: a refused night is marked refused, its point red" {
	sed -i 's/|pass|/|refuse|/; s/\tpass\t/\trefuse\t/' out/runs/2026-11-02/gate.tsv
	echo refused >out/runs/2026-11-02/status
	run lmrec-report -q out/runs/2026-11-02 -o page.html
	assert_success
	grep -q '<span class="status refused" id="status">refused</span>' page.html
	grep -q '<div class="gate refuse" id="verdict"><p><strong>Refused</strong>' page.html
	if command -v gnuplot >/dev/null; then
		grep -q "color='rgb(204,  34,  34)'" page.html
	fi
	run lmrec-report -q --status published out/runs/2026-11-02
	assert_output --partial 'id="status">published<'
}

@test "lmrec-report: a folder with nothing in it still gives a page that says so" {
	mkdir empty
	run lmrec-report -q --no-charts empty
	assert_success
	assert_output --partial 'The gate has not run'
	assert_output --partial 'No metrics.tsv in the run'
	run -1 --separate-stderr lmrec-report -q nowhere
	[ "$stderr" = "lmrec-report: nowhere: not a run folder" ]
}

@test "lmrec-report: a bad metrics file exits 65 and leaves no page" {
	printf 'metric\tk\r\n' >out/runs/2026-11-02/metrics.tsv
	mkdir o
	run -65 lmrec-report -q out/runs/2026-11-02 -o o/page.html
	run ls -A o
	[ -z "$output" ]
}

@test "lmrec-report: the same folder gives the same page" {
	lmrec-report -q out/runs/2026-11-02 -o a.html
	lmrec-report -q out/runs/2026-11-02 -o b.html
	cmp a.html b.html
}

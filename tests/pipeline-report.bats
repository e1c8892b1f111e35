#!/usr/bin/env bats
# The morning page in a real browser: three nights over the sample data,
# the third made worse on purpose, rendered by headless Chromium.

load test_helper

# chromium_run ARGS...: Debian's Chromium, headless, with the flags a
# machine without network needs and a fresh profile.
chromium_run() {
	local profile
	profile=$(mktemp -d "$BATS_TEST_TMPDIR/chromium.XXXXXX")
	timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$profile" "$@" 2>>"$BATS_TEST_TMPDIR/chromium.log"
}

setup_file() {
	# whole pipelines under Valgrind take hours: their tools are checked one
	# by one (bats cannot skip from setup_file: setup skips each test)
	[ -z "${LMREC_VALGRIND:-}" ] || return 0
	export OUT="$BATS_FILE_TMPDIR/out" BAD="$BATS_FILE_TMPDIR/bad"
	# lighter nights: three channels
	export MODELS="popular itemknn ease"
	mkdir -p "$BAD"
	cp "$TOP/sample-data/items.tsv" "$BAD/"
	# the third night's interactions have their items shuffled: no signal
	gzip -dc "$TOP/sample-data/interactions.tsv.gz" |
		awk -F'\t' 'BEGIN { OFS = "\t"; srand(5) } NR == 1 { print; next } { item[NR] = $2; row[NR] = $0; n = NR }
			END { for (i = 2; i <= n; i++) { j = 2 + int(rand() * (n - 1)); t = item[i]; item[i] = item[j]; item[j] = t }
			      for (i = 2; i <= n; i++) { split(row[i], f, "\t"); f[2] = item[i]; print f[1], f[2], f[3], f[4], f[5] } }' \
			>"$BAD/interactions.tsv"
	local log="$BATS_FILE_TMPDIR/nights.log"
	"$TOP/pipelines/nightly.sh" -q --out "$OUT" --date 2026-11-01 --jobs 2 >>"$log" 2>&1 || return 1
	"$TOP/pipelines/nightly.sh" -q --out "$OUT" --date 2026-11-02 --jobs 2 >>"$log" 2>&1 || return 1
	# exit 3: refused
	"$TOP/pipelines/nightly.sh" -q --data "$BAD" --out "$OUT" --date 2026-11-03 --jobs 2 >>"$log" 2>&1 && return 1
	[ "$(cat "$OUT/runs/2026-11-03/status")" = refused ]
}

setup() {
	[ -z "${LMREC_VALGRIND:-}" ] || skip "pipelines are not run under Valgrind"
	command -v chromium >/dev/null || skip "chromium is not installed (make check installs it)"
	command -v gnuplot >/dev/null || skip "gnuplot is not installed (make check installs it)"
	cd "$BATS_TEST_TMPDIR"
}

@test "report: every night has a page, current's is the last published night's" {
	for d in 01 02 03; do [ -s "$OUT/runs/2026-11-$d/report.html" ]; done
	[ "$(readlink "$OUT/current")" = runs/2026-11-02 ]
	cmp "$OUT/current/report.html" "$OUT/runs/2026-11-02/report.html"
}

@test "report: in Chromium the DOM holds every headline number of metrics.tsv and every chart has data" {
	page="$OUT/runs/2026-11-02/report.html"
	chromium_run --dump-dom "file://$page" >dom.html
	[ -s dom.html ]
	# the values of metrics.tsv for all users (the headline and exposure tables)
	n=0
	while IFS=$'\t' read -r metric k segment value rest; do
		case "$metric" in hr | recall | ndcg | mrr | coverage | novelty | gini | popularity) ;; *) continue ;; esac
		[ "$k" = 10 ] && [ "$segment" = all ] || continue
		grep -qF "data-value=\"$value\"" dom.html || { echo "missing $metric@$k $value"; false; }
		n=$((n + 1))
	done <"$OUT/runs/2026-11-02/metrics.tsv"
	[ "$n" -ge 7 ]
	# every figure is an SVG with a plotted series drawn in it
	run awk 'BEGIN { RS = "<figure" } NR > 1 {
			figures++
			if ($0 ~ /<svg/ && $0 ~ /gnuplot_plot_1/ && $0 ~ /(<path[^>]* d="M[0-9.]+,[0-9.]+ L|translate\()/) drawn++
		} END { print figures, drawn }' dom.html
	read -r figures drawn <<<"$output"
	[ "$figures" -ge 6 ]
	[ "$figures" -eq "$drawn" ]
}

@test "report: after three nights the trend charts have three points; the worse night is red" {
	page="$OUT/runs/2026-11-03/report.html"
	chromium_run --dump-dom "file://$page" >dom.html
	grep -q '<span class="status refused" id="status">refused</span>' dom.html
	grep -q '<div class="gate refuse" id="verdict"><p><strong>Refused</strong>' dom.html
	# NDCG trend: three nights drawn as points (and the key's sample), the
	# refused one again in red (and the key's sample)
	run awk 'BEGIN { RS = "<figure" } /NDCG over the last 3 nights/ { print }' dom.html
	assert_success
	ndcg="$output"
	[ "$(grep -o 'scale(2.25)" color="rgb( 31,  95, 168)"\|scale(2.25)'"'"' color='"'"'rgb( 31,  95, 168)' <<<"$ndcg" | wc -l)" -eq 4 ]
	[ "$(grep -o 'color="rgb(204,  34,  34)"\|color='"'"'rgb(204,  34,  34)' <<<"$ndcg" | wc -l)" -ge 2 ]
	# rendered: the top of the page (status, gate) shows red; night 2's none
	chromium_run --screenshot="$BATS_TEST_TMPDIR/night3.png" --window-size=1280,500 "file://$page"
	run "$TOP/tests/tools/pngstat" night3.png
	assert_success
	read -r w h inked red <<<"$output"
	awk -v s="$red" 'BEGIN { exit !(s > 0.001) }'
	chromium_run --screenshot="$BATS_TEST_TMPDIR/night2.png" --window-size=1280,500 \
		"file://$OUT/runs/2026-11-02/report.html"
	run "$TOP/tests/tools/pngstat" night2.png
	read -r w h inked red <<<"$output"
	awk -v s="$red" 'BEGIN { exit !(s < 0.0001) }'
}

@test "report: a screenshot of the page is not blank, one of an empty page is" {
	chromium_run --screenshot="$BATS_TEST_TMPDIR/page.png" --window-size=1280,2400 \
		"file://$OUT/runs/2026-11-02/report.html"
	run "$TOP/tests/tools/pngstat" page.png
	assert_success
	read -r w h inked red <<<"$output"
	[ "$w" -eq 1280 ] && [ "$h" -eq 2400 ]
	awk -v s="$inked" 'BEGIN { exit !(s > 0.02) }'
	# the check can fail: an empty page is blank
	printf '<!DOCTYPE html><html><body></body></html>\n' >empty.html
	chromium_run --screenshot="$BATS_TEST_TMPDIR/empty.png" --window-size=1280,600 "file://$PWD/empty.html"
	run "$TOP/tests/tools/pngstat" empty.png
	read -r w h inked red <<<"$output"
	awk -v s="$inked" 'BEGIN { exit !(s < 0.001) }'
}

@test "report: the page is small and self-contained" {
	size=$(wc -c <"$OUT/runs/2026-11-03/report.html")
	[ "$size" -lt 2000000 ]
	! grep -qiE '<script|src="http|href="http|@import|<link ' "$OUT/runs/2026-11-03/report.html"
}

@test "report: the page prints (Chromium's print to PDF)" {
	chromium_run --print-to-pdf="$BATS_TEST_TMPDIR/night.pdf" --no-pdf-header-footer \
		"file://$OUT/runs/2026-11-02/report.html"
	[ "$(head -c 4 night.pdf)" = "%PDF" ]
	[ "$(wc -c <night.pdf)" -gt 20000 ]
	# several pages: the sections break between pages, not through charts
	[ "$(grep -a -c '/Type /Page\b\|/Type/Page[^s]' night.pdf)" -ge 2 ]
}

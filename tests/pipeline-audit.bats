#!/usr/bin/env bats
# The audit record of a published night (RUN/audit.tsv, nightly.sh's
# publish stage) and pipelines/reproduce.sh, which remakes the night from it.

load test_helper

CF_MODELS="popular itemknn ease als"

setup_file() {
	[ -z "${LMREC_VALGRIND:-}" ] || return 0
	# one published night that the tests read or reproduce (never write)
	export NIGHT1="$BATS_FILE_TMPDIR/out" RUN1="$BATS_FILE_TMPDIR/out/runs/2026-11-01"
	MODELS="$CF_MODELS" "$TOP/pipelines/nightly.sh" -q --out "$NIGHT1" --date 2026-11-01 --jobs 2 \
		>"$BATS_FILE_TMPDIR/night1.log" 2>&1 || { cat "$BATS_FILE_TMPDIR/night1.log" >&2; return 1; }
}

setup() {
	[ -z "${LMREC_VALGRIND:-}" ] || skip "pipelines are not run under Valgrind"
	cd "$BATS_TEST_TMPDIR"
	REPRODUCE="$TOP/pipelines/reproduce.sh"
}

# record_value KIND NAME [FILE]: the value column of that row
record_value() {
	awk -F'\t' -v k="$1" -v n="$2" '$1 == k && $2 == n { print $3; f = 1 } END { exit !f }' "${3:-$RUN1/audit.tsv}"
}
record_sum() {
	awk -F'\t' -v k="$1" -v n="$2" '$1 == k && $2 == n { print $4; f = 1 } END { exit !f }' "${3:-$RUN1/audit.tsv}"
}

@test "audit: a published night records its settings, inputs, models, outputs, tools and system" {
	a="$RUN1/audit.tsv"
	run head -n 1 "$a"
	assert_output $'kind\tname\tvalue\tsha256'
	# every row has four columns
	run awk -F'\t' 'NF != 4' "$a"
	assert_output ''
	[ "$(record_value run date)" = 2026-11-01 ]
	# the settings, as they took effect (defaults included), paths absolute
	[ "$(record_value setting MODELS)" = "$CF_MODELS" ]
	[ "$(record_value setting SEED)" = 1 ]
	[ "$(record_value setting TOP)" = 10 ]
	[ "$(record_value setting JOBS)" = 2 ]
	[ "$(record_value setting DATA)" = "$TOP/sample-data" ]
	# one row for every key the job knows
	keys=$(sed -n 's/^KNOWN_KEYS=" \(.*\) "$/\1/p' "$TOP/pipelines/nightly.sh")
	[ "$(awk -F'\t' '$1 == "setting" { printf "%s%s", s, $2; s = " " }' "$a")" = "$keys" ]
	# the inputs with their checksums
	[ "$(record_value input interactions)" = "$TOP/sample-data/interactions.tsv.gz" ]
	[ "$(record_sum input interactions)" = "$(sha256sum <"$TOP/sample-data/interactions.tsv.gz" | cut -d' ' -f1)" ]
	[ "$(record_sum input items)" = "$(sha256sum <"$TOP/sample-data/items.tsv" | cut -d' ' -f1)" ]
	# the first night read no previous one
	run record_value previous run
	assert_failure
	# every model and every published table, by checksum
	for m in valid/als.lmrc test/ease.lmrc full/itemknn.lmrc full/popular.lmrc weights.tsv; do
		[ "$(record_sum model "$m")" = "$(sha256sum <"$RUN1/work/$m" | cut -d' ' -f1)" ] || { echo "model $m"; false; }
	done
	for t in recommendations.tsv.gz similar-items.tsv.gz metrics.tsv churn.tsv gate.tsv quality.tsv; do
		[ "$(record_sum output "$t")" = "$(sha256sum <"$RUN1/$t" | cut -d' ' -f1)" ] || { echo "output $t"; false; }
	done
	# the pages that hold the night's times are recorded apart
	run record_sum timed report.html
	assert_success
	run record_sum output report.html
	assert_failure
	# every tool of the checkout, its version and its checksum
	for t in "$TOP"/bin/lmrec-*; do
		case "$t" in *.c | *.d) continue ;; esac
		n="${t##*/}"
		[ "$(record_value tool "$n")" = "$n (lmrec) $(sed -n 's/^VERSION *= *//p' "$TOP/config.mk")" ] || { echo "tool $n"; false; }
		[ "$(record_sum tool "$n")" = "$(sha256sum <"$t" | cut -d' ' -f1)" ] || { echo "tool $n"; false; }
	done
	[ "$(record_sum pipeline nightly.sh)" = "$(sha256sum <"$TOP/pipelines/nightly.sh" | cut -d' ' -f1)" ]
	[ "$(record_value program bash)" = "$BASH_VERSION" ]
	run record_value program parallel
	assert_output --partial 'GNU parallel'
	run record_value system kernel
	assert_output "$(uname -srm)"
}

@test "audit: reproduce.sh remakes a published night byte for byte" {
	run "$REPRODUCE" "$RUN1"
	assert_success
	assert_line 'identical output recommendations.tsv.gz'
	assert_line 'identical output metrics.tsv'
	assert_line 'identical model full/als.lmrc'
	n=$(awk -F'\t' '$1 == "output" || $1 == "model" || $1 == "work"' "$RUN1/audit.tsv" | wc -l)
	[ "$n" -ge 20 ]
	assert_line "reproduce.sh: reproduced: all $n files identical to the record of $RUN1"
	refute_line --partial differs
	refute_line --partial warning
	# the temporary night is gone; --out keeps it where asked
	run "$REPRODUCE" -q --out again "$RUN1"
	assert_success
	cmp again/runs/2026-11-01/recommendations.tsv.gz "$RUN1/recommendations.tsv.gz"
}

@test "audit: the second night (previous night read), content channels, a noised and pseudonymised release" {
	cp -a "$NIGHT1" out
	lmrec-anon --new-key k.key
	DP_EPSILON=1 "$TOP/pipelines/nightly.sh" -q --out out --date 2026-11-02 --jobs 2 --anon-key k.key
	a=out/runs/2026-11-02/audit.tsv
	[ "$(record_value previous run "$a")" = "$PWD/out/runs/2026-11-01" ]
	[ "$(record_sum previous metrics.tsv "$a")" = "$(sha256sum <out/runs/2026-11-01/metrics.tsv | cut -d' ' -f1)" ]
	# the noise's seed, drawn for the night, is what the record says
	[ "$(record_value setting DP_SEED "$a")" = "$(cat out/runs/2026-11-02/work/dp-seed)" ]
	# the key by a fingerprint, never its bytes
	[ "$(record_value key ANON_KEY "$a")" = "$(lmrec-anon --key k.key --id lmrec-audit)" ]
	run grep -c "$(od -An -tx1 k.key | tr -d ' \n')" "$a"
	assert_output 0
	# the profile store as the night found it (night 1's), and the
	# models it continued
	[ "$(record_value state profile-store "$a")" = "$PWD/out/runs/2026-11-02/work/profile-start.lmp" ]
	[ "$(record_sum state profile-store "$a")" = "$(sha256sum <"$NIGHT1/profile.lmp" | cut -d' ' -f1)" ]
	[ "$(record_sum previous work/full/als.lmrc "$a")" = "$(sha256sum <out/runs/2026-11-01/work/full/als.lmrc | cut -d' ' -f1)" ]
	run "$REPRODUCE" out/current
	assert_success
	assert_line 'identical output privacy.tsv'
	assert_line 'identical output churn.tsv'
	assert_line 'identical model full/aligned.lmrc'
	assert_line 'identical work profiles.tsv'
	refute_line --partial differs
	# the store's copy changed since: the night cannot start from it
	cp out/runs/2026-11-02/work/profile-start.lmp keep.lmp
	printf 'x' >>out/runs/2026-11-02/work/profile-start.lmp
	run -1 --separate-stderr "$REPRODUCE" out/current
	assert_equal "$stderr" "reproduce.sh: state profile-store: $PWD/out/runs/2026-11-02/work/profile-start.lmp has changed since the night"
	cp keep.lmp out/runs/2026-11-02/work/profile-start.lmp
	# the previous night changed since: not reproducible from it
	printf 'x\n' >>out/runs/2026-11-01/metrics.tsv
	run -1 --separate-stderr "$REPRODUCE" out/current
	assert_equal "$stderr" "reproduce.sh: previous night: $PWD/out/runs/2026-11-01/metrics.tsv has changed since the night"
	# a wrong key
	cp -a out/runs/2026-11-02 r2
	lmrec-anon --new-key other.key
	sed -i "s|^setting\tANON_KEY\t[^\t]*|setting\tANON_KEY\t$PWD/other.key|" r2/audit.tsv
	run -1 --separate-stderr "$REPRODUCE" r2
	assert_equal "$stderr" "reproduce.sh: ANON_KEY: $PWD/other.key is not the key the night used"
}

@test "audit: reproduce.sh refuses changed inputs and bad records, and names the tables that differ" {
	cp -a "$RUN1" r
	# an input whose bytes are not the recorded ones
	sed -i 's/^\(input\tinteractions\t[^\t]*\t\)[0-9a-f]*$/\10000/' r/audit.tsv
	run -1 --separate-stderr "$REPRODUCE" r
	assert_equal "$stderr" "reproduce.sh: input interactions: $TOP/sample-data/interactions.tsv.gz has changed since the night"
	# a setting changed in the record: the night differs, and says where
	cp "$RUN1/audit.tsv" r/audit.tsv
	sed -i 's/^setting\tTOP\t10\t$/setting\tTOP\t5\t/' r/audit.tsv
	run -1 --separate-stderr "$REPRODUCE" -q r
	assert_line 'differs output recommendations.tsv.gz'
	assert_line 'identical model full/ease.lmrc'
	[[ "$stderr" =~ ^reproduce\.sh:\ [0-9]+\ of\ [0-9]+\ files\ differ\ from\ the\ record\ of\ r$ ]]
	# malformed records: 65, with the line
	printf 'kind\tname\n' >r/audit.tsv
	run -65 --separate-stderr "$REPRODUCE" r
	assert_equal "$stderr" "reproduce.sh: r/audit.tsv:1: not an audit record (header 'kind	name')"
	{ head -n 3 "$RUN1/audit.tsv"; printf 'setting\tTOP\n'; } >r/audit.tsv
	run -65 --separate-stderr "$REPRODUCE" r
	assert_equal "$stderr" "reproduce.sh: r/audit.tsv:4: expected 4 columns"
	rm r/audit.tsv
	run -1 --separate-stderr "$REPRODUCE" r
	assert_equal "$stderr" "reproduce.sh: r/audit.tsv: no audit record (a night published by nightly.sh has one)"
	run -2 "$REPRODUCE"
	run -2 "$REPRODUCE" --bogus r
}

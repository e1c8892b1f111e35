#!/usr/bin/env bats
# pipelines/nightly.sh: the protected aggregates (MIN_SUPPORT, DP_*): off by
# default; on, the similar items come from the counts, suppressed and noised,
# and the run records the release in privacy.tsv.

load test_helper

setup() {
	[ -z "${LMREC_VALGRIND:-}" ] || skip "pipelines are not run under Valgrind"
	cd "$BATS_TEST_TMPDIR"
	NIGHTLY="$TOP/pipelines/nightly.sh"
	# a light night: the subject is the similar stage
	export MODELS="popular itemknn"
}

@test "nightly privacy: bad settings are usage errors before anything runs" {
	run -2 --separate-stderr env DP_EPSILON=0 "$NIGHTLY" --dry-run --out out
	[ "$stderr" = "nightly.sh: privacy settings: invalid value for --dp-epsilon: '0' (expected a number from 1e-06 to 100)" ]
	run -2 --separate-stderr env DP_EPSILON=1 DP_MECHANISM=gaussian "$NIGHTLY" --dry-run --out out
	[ "$stderr" = "nightly.sh: privacy settings: --dp-mechanism gaussian needs --dp-delta" ]
	run -2 --separate-stderr env DP_DELTA=1e-6 "$NIGHTLY" --dry-run --out out
	[ "$stderr" = "nightly.sh: privacy settings: --dp-mechanism and --dp-delta need --dp-epsilon" ]
	run -2 --separate-stderr env MIN_SUPPORT=x "$NIGHTLY" --dry-run --out out
	[ "$stderr" = "nightly.sh: privacy settings: invalid value for --min-support: 'x' (expected an integer from 0 to 4294967295)" ]
	# the noise needs the public catalog
	mkdir noitems
	cp "$TOP/sample-data/interactions.tsv.gz" noitems/
	run -2 --separate-stderr env DP_EPSILON=1 "$NIGHTLY" --dry-run --data noitems --out out
	[ "$stderr" = "nightly.sh: privacy settings: --dp-epsilon needs --items: the items released must come from a public catalog, not from the data" ]
	# a config file takes the keys too
	printf 'DP_EPSILON=1\nDP_MECHANISM=gaussian\nDP_DELTA=1e-6\nMIN_SUPPORT=5\n' >night.conf
	run -0 "$NIGHTLY" --dry-run --config night.conf --out out --date 2026-11-01
	assert_line 'similar    reads work/interactions.tsv.gz, work/items.tsv; writes similar-items.tsv.gz from the counts (support >= 5) (differential privacy, epsilon 1), privacy.tsv'
	[ ! -e out/runs ]
}

@test "nightly privacy: off by default: the similar items of the model, no privacy.tsv" {
	run -0 "$NIGHTLY" --dry-run --out out --date 2026-11-01
	assert_line 'similar    reads work/full/itemknn.lmrc or the first other model (semantic when no collaborative one); writes similar-items.tsv.gz'
	"$NIGHTLY" -q --out out --date 2026-11-01 --jobs 2
	[ ! -e out/current/privacy.tsv ]
	grep -q '^similar items from itemknn.lmrc$' out/current/log/similar.log
	lmrec-similar -q -m out/current/work/full/itemknn.lmrc --items out/current/work/items.tsv -n 20 -o want.tsv.gz
	cmp <(gzip -dc want.tsv.gz) <(gzip -dc out/current/similar-items.tsv.gz)
}

@test "nightly privacy: MIN_SUPPORT suppresses small supports exactly, and the run records it" {
	MIN_SUPPORT=40 "$NIGHTLY" -q --out out --date 2026-11-01 --jobs 2
	run cat out/current/privacy.tsv
	assert_output "$(printf 'tables\tmechanism\tepsilon\tdelta\tmax_per_user\tmin_support\tseed\tsensitivity_l1\tsensitivity_l2\tnoise_scale\tthreshold\nsimilar-items.tsv.gz\tnone\t\t\t\t40\t\t\t\t\t40')"
	# the table is the counts' lists at that support
	lmrec-similar -q --counts --min-support 40 --items out/current/work/items.tsv -n 20 -o want.tsv \
		out/current/work/interactions.tsv.gz
	gzip -dc out/current/similar-items.tsv.gz >got.tsv
	cmp want.tsv got.tsv
	[ "$(wc -l <got.tsv)" -gt 100 ]
	# no pair listed has fewer than 40 users: recount from the interactions
	run bash -c "gzip -dc out/current/work/interactions.tsv.gz | awk -F'\t' 'NR > 1 && !seen[\$1, \$2]++ { print \$1 \"\t\" \$2 }' >ui.tsv;
		awk -F'\t' 'NR == FNR { has[\$1, \$2] = 1; users[\$1]; next } FNR > 1 {
			n = 0; for (u in users) n += ((u, \$1) in has) && ((u, \$3) in has); if (n < 40) bad++ } END { print bad + 0 }' ui.tsv got.tsv"
	assert_output 0
}

@test "nightly privacy: DP_EPSILON noises the table, keeps one seed a night, and a redone stage repeats its bytes" {
	DP_EPSILON=20 DP_MECHANISM=gaussian DP_DELTA=1e-6 DP_MAX_PER_USER=20 \
		"$NIGHTLY" -q --out out --date 2026-11-01 --jobs 2
	run awk -F'\t' -v OFS='\t' 'NR == 2 { print $1, $2, $3, $4, $5, $6, $8 }' out/current/privacy.tsv
	assert_output "$(printf 'similar-items.tsv.gz\tgaussian\t20\t1e-06\t20\t0\t210')"
	seed=$(cat out/current/work/dp-seed)
	[[ "$seed" =~ ^[0-9]+$ ]]
	[ "$(awk -F'\t' 'NR == 2 { print $7 }' out/current/privacy.tsv)" = "$seed" ]
	[ "$(stat -c %a out/current/work/dp-seed)" = 600 ]
	gzip -dc out/current/similar-items.tsv.gz >first.tsv
	[ "$(wc -l <first.tsv)" -gt 1 ]
	# the release is that of lmrec-similar with the recorded seed
	lmrec-similar -q --counts --items out/current/work/items.tsv --dp-epsilon 20 --dp-mechanism gaussian \
		--dp-delta 1e-6 --dp-max-per-user 20 -s "$seed" -n 20 -o want.tsv out/current/work/interactions.tsv.gz
	cmp want.tsv first.tsv
	# redone: the same seed, the same bytes (no second release)
	DP_EPSILON=20 DP_MECHANISM=gaussian DP_DELTA=1e-6 DP_MAX_PER_USER=20 \
		"$NIGHTLY" -q --out out --date 2026-11-01 --jobs 2 --from-stage similar
	cmp first.tsv <(gzip -dc out/current/similar-items.tsv.gz)
	# DP_SEED fixes it
	DP_EPSILON=20 DP_MECHANISM=gaussian DP_DELTA=1e-6 DP_MAX_PER_USER=20 DP_SEED=7 \
		"$NIGHTLY" -q --out out --date 2026-11-01 --jobs 2 --from-stage similar
	[ "$(awk -F'\t' 'NR == 2 { print $7 }' out/current/privacy.tsv)" = 7 ]
}

#!/usr/bin/env bats
# The right to be forgotten over the nightly job: lmrec-forget leaves no
# trace of a user under the data and output folders, and the next night,
# fed the user's rows again, does not bring them back.

load test_helper

setup_file() {
	[ -z "${LMREC_VALGRIND:-}" ] || return 0
	# a light night with the sequence model (its from-scratch retrain is
	# part of forgetting)
	export MODELS="popular itemknn sasrec" SASREC_OPTS="--epochs 2 --factors 16 --maxlen 20"
	export D="$BATS_FILE_TMPDIR/data" O="$BATS_FILE_TMPDIR/out"
	cp -r "$TOP/sample-data" "$D"
	local log="$BATS_FILE_TMPDIR/night1.log"
	"$TOP/pipelines/nightly.sh" -q --data "$D" --out "$O" --date 2026-11-01 --jobs 2 >"$log" 2>&1 ||
		{ cat "$log" >&2; return 1; }
	# the user to forget: one of the report's sample, so that the report
	# has to be made again
	export WHO
	WHO=$(grep -o -w 'u[0-9]\{4\}' "$O/current/report.html" | head -1)
	[ -n "$WHO" ]
	lmrec-anon --new-key "$O/forget.key"
}

setup() {
	[ -z "${LMREC_VALGRIND:-}" ] || skip "pipelines are not run under Valgrind"
	cd "$BATS_TEST_TMPDIR"
}

# traces DIR...: every file under DIR holding $WHO as a whole word (gzip
# read decompressed, models as bytes), and every path naming it
traces() {
	local f
	find "$@" -type f -print0 | while IFS= read -r -d '' f; do
		case "$f" in *.gz) gzip -dc "$f" ;; *) cat "$f" ;; esac | grep -a -q -w -F "$WHO" && echo "$f"
	done
	find "$@" | grep -w -F "$WHO" || true
}

@test "pipeline forget: no trace of the user under DATA and OUT, the next night keeps them out" {
	# before: the user is everywhere
	run traces "$D" "$O"
	[ "${#lines[@]}" -gt 20 ]
	# the report samples the user: named, exit 1, everything else cleaned
	run -1 --separate-stderr lmrec-forget -q --user "$WHO" --list "$O/forget.tsv" --key "$O/forget.key" \
		--record "$O/forgotten.tsv" "$D" "$O"
	[ "$stderr" = "lmrec-forget: $O/runs/2026-11-01/report.html: holds the id '$WHO' outside a table lmrec can clean; remove it by hand" ]
	# the report made again from the cleaned table, then nothing is left
	"$TOP/pipelines/nightly.sh" -q --data "$D" --out "$O" --date 2026-11-01 --jobs 2 --from-stage report
	run -0 lmrec-forget -q --user "$WHO" "$D" "$O"
	run traces "$D" "$O"
	assert_output ''
	run grep -c . "$O/forgotten.tsv"
	assert_output 2
	# the next night reads an export that has the user again
	run -0 "$TOP/pipelines/nightly.sh" --data "$TOP/sample-data" --out "$O" --date 2026-11-02 --jobs 2
	run grep -h "from scratch" "$O/runs/2026-11-02/log/fit-valid.log"
	assert_output --partial "sasrec: from scratch: $O/forget.tsv has changed since the published night"
	run traces "$D" "$O"
	assert_output ''
	# the other users are all there
	[ "$(gzip -dc "$O/current/recommendations.tsv.gz" | tail -n +2 | cut -f1 | sort -u | wc -l)" -eq \
		"$(($(gzip -dc "$TOP/sample-data/interactions.tsv.gz" | tail -n +2 | cut -f1 | sort -u | wc -l) - 1))" ]
	# a night after it continues the sequence model again
	run -0 "$TOP/pipelines/nightly.sh" -q --data "$TOP/sample-data" --out "$O" --date 2026-11-03 --jobs 2
	run grep -h "sasrec: " "$O/runs/2026-11-03/log/fit-valid.log"
	assert_output --partial "sasrec: continuing"
}

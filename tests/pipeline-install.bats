#!/usr/bin/env bats
# make install: the tools, pages and pipelines land under PREFIX, and the
# installed nightly job runs without a checkout.

load test_helper

@test "install: tools, manual pages and pipelines under DESTDIR/PREFIX" {
	run make -C "$TOP" --no-print-directory install DESTDIR="$BATS_TEST_TMPDIR/root" PREFIX=/opt/lmrec
	assert_success
	r="$BATS_TEST_TMPDIR/root/opt/lmrec"
	for t in "$TOP"/bin/lmrec-*.c; do
		t=$(basename "$t" .c)
		[ -x "$r/bin/$t" ] || { echo "missing $t"; false; }
		[ -f "$r/share/man/man1/$t.1" ] || { echo "missing $t.1"; false; }
	done
	[ -f "$r/share/man/man5/lmrec-formats.5" ]
	[ -f "$r/share/man/man7/lmrec.7" ]
	[ -x "$r/share/lmrec/pipelines/nightly.sh" ]
	[ -f "$r/share/lmrec/pipelines/crontab.example" ]
	[ -f "$r/share/lmrec/sample-data/interactions.tsv.gz" ]
	run man -M "$r/share/man" -w lmrec-train
	assert_success
}

@test "install: the installed nightly job publishes from outside the checkout" {
	skip_if_slow
	make -C "$TOP" --no-print-directory install DESTDIR="$BATS_TEST_TMPDIR/root" PREFIX=/opt/lmrec >/dev/null
	r="$BATS_TEST_TMPDIR/root/opt/lmrec"
	cd "$BATS_TEST_TMPDIR"
	# a PATH without the checkout: the job finds the installed tools itself
	run env PATH=/usr/bin:/bin "$r/share/lmrec/pipelines/nightly.sh" -q --out out --date 2026-11-01
	assert_success
	[ "$(cat out/runs/2026-11-01/status)" = published ]
	gzip -dc out/current/recommendations.tsv.gz | head -n 2 | tail -n 1 | grep -q $'\t1\t'
}

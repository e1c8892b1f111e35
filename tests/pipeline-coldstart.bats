#!/usr/bin/env bats
# pipelines/coldstart.sh: recommending the items nobody has touched yet.

load test_helper

setup() {
	[ -z "${LMREC_VALGRIND:-}" ] || skip "pipelines are not run under Valgrind"
	cd "$BATS_TEST_TMPDIR"
	CS="$TOP/pipelines/coldstart.sh"
}

@test "coldstart: --help, and usage errors exit 2" {
	run "$CS" --help
	assert_success
	assert_output --partial '--rehearsal F'
	run -2 "$CS" --out o
	run -2 "$CS" --data "$TOP/sample-data"
	run -2 "$CS" --data "$TOP/sample-data" --out o --embed word2vec
	run -2 "$CS" --data "$TOP/sample-data" --out o --top 0
	run -2 "$CS" --data "$TOP/sample-data" --out o --bogus
	[ ! -e o ]
}

@test "coldstart: sample-data's new items go to users, with reasons, after a rehearsal" {
	run "$CS" --data "$TOP/sample-data" --out out -q -j2 --top 5
	assert_success
	for f in new-items.tsv vectors.tsv recommendations.tsv.gz similar-items.tsv.gz rehearsal.tsv weights.tsv; do
		[ -s "out/$f" ]
	done
	# the new items: the catalog's items no interaction names
	gzip -dc "$TOP/sample-data/interactions.tsv.gz" | awk -F'\t' 'NR > 1 { print $2 }' | sort -u >seen.txt
	tail -n +2 "$TOP/sample-data/items.tsv" | cut -f1 | sort >catalog.txt
	comm -23 catalog.txt seen.txt >want.txt
	[ -s want.txt ]
	tail -n +2 out/new-items.tsv | sort | diff want.txt -
	# every recommendation is a new item, at most 5 a user, with a reason
	gzip -dc out/recommendations.tsv.gz >recs.tsv
	assert_equal "$(head -n 1 recs.tsv)" "$(tsv 'user|rank|item|score|reason')"
	run awk -F'\t' 'FNR == NR { isnew[$1] = 1; next } FNR == 1 { next }
		{ rows++; if (!($3 in isnew)) bad++; if ($2 > 5) bad++; if ($5 !~ /^(semantic|aligned|fused): /) bad++; u[$1] = 1 }
		END { for (x in u) users++; print bad + 0, (rows > 0), (users > 500) }' out/new-items.tsv recs.tsv
	assert_output '0 1 1'
	# the rehearsal: the channels measured on known items hidden as new
	run cut -f1 out/rehearsal.tsv
	assert_output "$(printf 'channel\nsemantic\naligned\nblend')"
	run awk -F'\t' '$1 == "aligned" { print ($2 > 0.3) }' out/rehearsal.tsv
	assert_output 1
	# each new item's neighbours by content
	run sh -c "gzip -dc out/similar-items.tsv.gz | awk -F'\t' 'NR > 1 { print \$1 }' | sort -u"
	assert_output "$(cat want.txt)"
}

@test "coldstart: --new names the new items; a failed run keeps the last good output" {
	printf 'item\nshop-0001\nfood-0002\n' >new.tsv
	run "$CS" --data "$TOP/sample-data" --out out -q --new new.tsv --rehearsal 0.1
	assert_success
	run sh -c "gzip -dc out/recommendations.tsv.gz | awk -F'\t' 'NR > 1 { print \$3 }' | sort -u"
	assert_output "$(printf 'food-0002\nshop-0001')"
	cp -R out before
	# a catalog without items.tsv: nothing to learn content from
	mkdir bare
	cp "$TOP/sample-data/interactions.tsv.gz" bare/
	run -65 --separate-stderr "$CS" --data bare --out out
	[ "$stderr" = "coldstart.sh: bare: no items.tsv: new items are known by their content" ]
	# a broken interactions file, found half-way
	mkdir broken
	cp "$TOP/sample-data/items.tsv" broken/
	printf 'user\titem\tts\nu1\tshop-0001\tyesterday\n' >broken/interactions.tsv
	run -65 "$CS" --data broken --out out
	diff -r before out
	[ -z "$(ls -A out | grep -v -e '^new-items.tsv$' -e '^vectors.tsv$' -e '^recommendations.tsv.gz$' -e '^similar-items.tsv.gz$' -e '^rehearsal.tsv$' -e '^weights.tsv$')" ]
}

#!/usr/bin/env bats
# pipelines/crossdomain.sh: one profile across domains, measured for every
# ordered pair of domains against the target domain's popularity.

load test_helper

HEADER='from|to|users|ndcg_crossdomain|ndcg_popular|se_diff|hr_crossdomain|hr_popular'

setup() {
	[ -z "${LMREC_VALGRIND:-}" ] || skip "pipelines are not run under Valgrind"
	cd "$BATS_TEST_TMPDIR"
	XD="$TOP/pipelines/crossdomain.sh"
}

# a small world of lmrec-synth: 120 users, 200 items, four domains
small_world() {
	lmrec-synth -q --seed 3 --users 120 --items 200 --days 20 --out small
}

@test "crossdomain: --help, and usage errors exit 2" {
	run "$XD" --help
	assert_success
	assert_output --partial 'Usage: crossdomain.sh'
	assert_output --partial '--folds N'
	small_world
	run -2 --separate-stderr "$XD" --data small --folds 1
	[ "$stderr" = "crossdomain.sh: --folds wants a number of at least 2, not '1'" ]
	run -2 --separate-stderr "$XD" --data small --k 0
	[ "$stderr" = "crossdomain.sh: --k wants a positive number, not '0'" ]
	run -2 --separate-stderr "$XD" --data small --domains shop
	[ "$stderr" = "crossdomain.sh: --domains: at least two domains are needed, not 'shop'" ]
	run -2 --separate-stderr "$XD" --data small --domains shop,shoes
	[ "$stderr" = "crossdomain.sh: --domains: 'shoes' is not a domain of small/items.tsv" ]
	run -2 "$XD" --data small --embed word2vec
	run -2 "$XD" --data small --set nonsense
	run -2 "$XD" --data small --bogus
}

@test "crossdomain: data without domains exits 65 naming the file" {
	small_world
	mkdir bare nodomain empty
	cp small/interactions.tsv.gz bare/
	run -65 --separate-stderr "$XD" --data bare
	[ "$stderr" = "crossdomain.sh: bare: no items.tsv: the domains of the items come from it" ]
	cp small/interactions.tsv.gz nodomain/
	cut -f1-5 small/items.tsv >nodomain/items.tsv
	run -65 --separate-stderr "$XD" --data nodomain
	[ "$stderr" = "crossdomain.sh: nodomain/items.tsv:1: no column 'domain'" ]
	cp small/interactions.tsv.gz empty/
	awk -F'\t' 'BEGIN { OFS = "\t" } NR == 3 { $6 = "" } { print }' small/items.tsv >empty/items.tsv
	run -65 --separate-stderr "$XD" --data empty
	[ "$stderr" = "crossdomain.sh: empty/items.tsv:3: column 'domain': empty" ]
}

@test "crossdomain: the protocol hides each fold's target rows from the models that score them" {
	small_world
	run -0 --separate-stderr "$XD" --data small --folds 3 --domains places,shop,video --keep keep -q
	# the table: a header and the six ordered pairs
	assert_line --index 0 "$(tsv "$HEADER")"
	run cut -f1,2 <<<"$output"
	assert_output "$(printf 'from\tto\nplaces\tshop\nplaces\tvideo\nshop\tplaces\nshop\tvideo\nvideo\tplaces\nvideo\tshop')"
	# every user in one fold, the folds as even as can be
	gzip -dc small/interactions.tsv.gz | awk -F'\t' 'NR > 1 { print $1 }' | sort -u >users.txt
	cut -f1 keep/fold-of.txt | sort | diff users.txt -
	run sh -c "cut -f2 keep/fold-of.txt | sort | uniq -c | awk '{ print \$1 }' | sort -u | wc -l"
	assert_output 1
	awk -F'\t' 'NR > 1 { print $1 "\t" $6 }' small/items.tsv >dom.txt
	nrows=$(($(gzip -dc small/interactions.tsv.gz | wc -l) - 1))
	for b in places shop video; do
		for f in 0 1 2; do
			# training: every row but the B rows of f's users, which are not in it
			run awk -F'\t' -v b="$b" -v f="$f" 'FILENAME == ARGV[1] { fold[$1] = $2; next }
				FILENAME == ARGV[2] { dom[$1] = $2; next }
				FNR > 1 && fold[$1] == f && dom[$2] == b { n++ } END { print n + 0 }' \
				keep/fold-of.txt dom.txt "keep/$b-$f/train.tsv"
			assert_output 0
			hidden=$(($(wc -l <"keep/fold-$f/rows-$b.tsv") - 1))
			[ "$hidden" -gt 0 ]
			[ $(($(wc -l <"keep/$b-$f/train.tsv") - 1 + hidden)) -eq "$nrows" ]
		done
	done
	# the truth of a pair: the B rows of the users with rows in A and B
	for a in places shop video; do
		for b in places shop video; do
			[ "$a" != "$b" ] || continue
			run awk -F'\t' -v a="$a" -v b="$b" 'FILENAME == ARGV[1] { dom[$1] = $2; next }
				FNR > 1 { if (dom[$2] == a) ina[$1] = 1; if (dom[$2] == b) { inb[$1] = 1; rows[$1]++ } }
				END { for (u in ina) if (u in inb) { n++; r += rows[u] } print n, r }' \
				dom.txt <(gzip -dc small/interactions.tsv.gz)
			want="$output"
			run awk -F'\t' 'NR > 1 { u[$1] = 1; r++ } END { for (x in u) n++; print n, r }' "keep/truth-$a-$b.tsv"
			assert_output "$want"
			# the pair's users in the table are those users
			[ "$(awk -F'\t' -v a="$a" -v b="$b" '$1 == a && $2 == b { print $3 }' keep/table.tsv)" = "${want% *}" ]
			# the candidates: B items only, of those users, at most 10 each
			run awk -F'\t' -v b="$b" 'FILENAME == ARGV[1] { dom[$1] = $2; next }
				FILENAME == ARGV[2] { if (FNR > 1) t[$1] = 1; next }
				{ if (dom[$2] != b || !($1 in t)) bad++; if (++c[$1] > 10) bad++ } END { print bad + 0, (NR > 0) }' \
				dom.txt "keep/truth-$a-$b.tsv" "keep/recs-$a-$b.tsv"
			assert_output '0 1'
		done
	done
}

@test "crossdomain: the same seed gives the same table; another seed other folds" {
	small_world
	"$XD" --data small --folds 2 --domains food,shop -q >a.tsv
	"$XD" --data small --folds 2 --domains food,shop -q -j 2 >b.tsv
	diff a.tsv b.tsv
	"$XD" --data small --folds 2 --domains food,shop -q --seed 2 --keep k2 >c.tsv
	"$XD" --data small --folds 2 --domains food,shop -q --keep k1 >/dev/null
	! cmp -s k1/fold-of.txt k2/fold-of.txt
	[ "$(cut -f1-3 a.tsv)" = "$(cut -f1-3 c.tsv)" ]
}

@test "crossdomain: on sample-data every ordered pair beats the target domain's popularity on NDCG@10" {
	skip_if_slow
	run -0 --separate-stderr "$XD" -q --signals
	local want="$TOP/tests/golden/pipeline-crossdomain/sample-data.tsv" table="$output"
	# the table, for the record
	printf '%s\n' "$table" | column -t >&3
	assert_line --index 0 "$(tsv "$HEADER|ndcg_cooccurrence|ndcg_semantic")"
	[ "${#lines[@]}" -eq 13 ]
	# every pair: crossdomain above popular by more than two standard errors
	run awk -F'\t' 'NR > 1 { pairs++; if ($4 > $5 + 2 * $6) won++; else print "lost: " $0 }
		END { print won + 0, pairs + 0 }' <<<"$output"
	assert_output '12 12'
	# and the figures of tests/bench/RESULTS.md, within 0.002 (the text
	# vectors and the maps go through BLAS and LAPACK); make golden
	# rewrites them
	if [ -n "${LMREC_GOLDEN:-}" ]; then
		mkdir -p "${want%/*}"
		printf '%s\n' "$table" >"$want"
	fi
	run awk -F'\t' 'FNR == NR { if (FNR > 1) for (i = 3; i <= NF; i++) want[$1, $2, i] = $i; next }
		FNR > 1 { for (i = 3; i <= NF; i++) { d = $i - want[$1, $2, i]
			if ((i == 3 && d != 0) || d > 0.002 || d < -0.002) print "differs: " $1 ">" $2 " column " i ": " $i } }' \
		"$want" - <<<"$table"
	assert_output ''
}

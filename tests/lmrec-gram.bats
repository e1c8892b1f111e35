#!/usr/bin/env bats
# lmrec-gram: the item-item Gram matrix of a shard of users, and sums.

load test_helper

setup() {
	cd "$BATS_TEST_TMPDIR"
	tsv 'user|item|ts|weight' \
		'u1|a|1|1' \
		'u1|b|2|3' \
		'u2|b|1|1' \
		'u2|c|2|2' \
		'u2|b|3|1' >a.tsv
	tsv 'user|item|ts|weight' \
		'u3|c|1|1' \
		'u3|d|2|1' \
		'u4|b|1|2' \
		'u4|d|2|1' >b.tsv
	{ cat a.tsv; tail -n +2 b.tsv; } >all.tsv
}

section() { "$TOP/tests/tools/modelsection" "$@"; }

@test "lmrec-gram: --help and --version exit 0, an unknown option exits 2" {
	run lmrec-gram --help
	assert_success
	assert_line --partial 'Usage: lmrec-gram'
	run lmrec-gram --version
	assert_output 'lmrec-gram (lmrec) 0.1.0'
	run -2 --separate-stderr lmrec-gram --bogus
	[ "${stderr_lines[1]}" = "Try 'lmrec-gram --help' for more information." ]
}

@test "lmrec-gram: every --help option is in the man page" {
	run check_man_page lmrec-gram
	assert_success
}

@test "lmrec-gram: the counts of a shard by hand, then with weights" {
	run --separate-stderr lmrec-gram -o g.lmrc a.tsv
	assert_success
	assert_equal "$stderr" 'lmrec-gram: 3 items, 7 entries from 2 users and 5 interactions'
	assert_equal "$(section g.lmrc items)" "$(printf 'a\nb\nc')"
	# rows a: a b; b: a b c; c: b c (u2's repeat of b counts once)
	assert_equal "$(section g.lmrc gram_ptr)" "$(printf '0\t2\t5\t7')"
	assert_equal "$(section g.lmrc gram_idx | tr '\t' ' ')" '0 1 0 1 2 1 2'
	assert_equal "$(section g.lmrc gram_val | tr '\t' ' ')" '1 1 1 2 1 1 1'
	run section g.lmrc params
	assert_line 'users=2'
	assert_line 'weighted=0'
	# weights: u1 a=1 b=3; u2 b=1+1 c=2: b.b = 9 + 4, b.c = 4, a.b = 3
	lmrec-gram -q --use-weights -o w.lmrc a.tsv
	assert_equal "$(section w.lmrc gram_val | tr '\t' ' ')" '1 3 3 13 4 4 4'
	run section w.lmrc params
	assert_line 'weighted=1'
}

@test "lmrec-gram: the sum of two shards is the matrix of all users; threads change nothing" {
	lmrec-gram -q -o ga.lmrc a.tsv
	lmrec-gram -q -o gb.lmrc b.tsv
	run --separate-stderr lmrec-gram --sum -o sum.lmrc ga.lmrc gb.lmrc
	assert_success
	assert_equal "$stderr" 'lmrec-gram: 4 items, 12 entries from 2 shards of 4 users'
	lmrec-gram -q -j 2 -o whole.lmrc all.tsv
	local s
	for s in items gram_ptr gram_idx gram_val; do
		cmp <(section sum.lmrc "$s") <(section whole.lmrc "$s")
	done
	# and item-kNN and EASE from it are the models of the interactions
	lmrec-train -q --model itemknn --gram sum.lmrc -o k1.lmrc
	lmrec-train -q --model itemknn -o k2.lmrc all.tsv
	for s in items neighbours_ptr neighbours_idx neighbours_val; do
		cmp <(section k1.lmrc "$s") <(section k2.lmrc "$s")
	done
	assert_equal "$(section k1.lmrc users)" ''
	lmrec-train -q --model ease --lambda 1 --gram sum.lmrc -o e1.lmrc
	lmrec-train -q --model ease --lambda 1 -o e2.lmrc all.tsv
	cmp <(section e1.lmrc B) <(section e2.lmrc B)
	# a model without users scores users from their history
	run lmrec-recall -q -m k1.lmrc --history b.tsv -n 2
	assert_success
	assert_line --partial $'u3\tb\t'
}

@test "lmrec-gram: bad input and usage: one line, the exit status, nothing written" {
	tsv 'user|item|ts|weight' 'u1|a|1|-2' >neg.tsv
	run -65 --separate-stderr lmrec-gram --use-weights -o g.lmrc neg.tsv
	assert_equal "$stderr" "lmrec-gram: neg.tsv:2: column 'weight': -2 is not above 0"
	[ ! -e g.lmrc ]
	lmrec-gram -q -o bin.lmrc a.tsv
	lmrec-gram -q --use-weights -o wt.lmrc b.tsv
	run -65 --separate-stderr lmrec-gram --sum -o s.lmrc bin.lmrc wt.lmrc
	assert_equal "$stderr" 'lmrec-gram: wt.lmrc: weighted, but bin.lmrc is binary'
	run -65 --separate-stderr lmrec-train -q --model itemknn --gram wt.lmrc -o k.lmrc
	assert_equal "$stderr" 'lmrec-train: wt.lmrc: a weighted Gram matrix; item-kNN counts users (lmrec-gram without --use-weights)'
	lmrec-train -q --model popular -o pop.lmrc a.tsv
	run -65 --separate-stderr lmrec-gram --sum -o s.lmrc pop.lmrc
	[[ "$stderr" == "lmrec-gram: pop.lmrc: "*"kind"* ]]
	[ ! -e s.lmrc ]
	run -2 lmrec-gram a.tsv
	run -2 lmrec-gram -o x.lmrc a.tsv b.tsv
	run -2 lmrec-gram --sum -o x.lmrc
	run -2 lmrec-gram --sum --use-weights -o x.lmrc bin.lmrc
	run -2 --separate-stderr lmrec-train --model als --gram bin.lmrc -o x.lmrc
	assert_equal "${stderr_lines[0]}" 'lmrec-train: --gram builds itemknn and ease; als needs the interactions'
	run -2 lmrec-train --model ease --gram bin.lmrc -o x.lmrc a.tsv
	run -2 lmrec-train --model ease --gram bin.lmrc --use-weights -o x.lmrc
}

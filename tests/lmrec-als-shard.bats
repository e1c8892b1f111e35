#!/usr/bin/env bats
# lmrec-als-shard: implicit ALS over shards of users (federated training).

load test_helper

setup() {
	cd "$BATS_TEST_TMPDIR"
	# two shards of users over five items; u3 has a 'valid' row
	tsv 'user|item|ts|weight|fold' \
		'u1|a|1|1|train' \
		'u1|b|2|3|train' \
		'u2|b|1|1|train' \
		'u2|c|2|2|train' \
		'u2|a|3|1|train' >a.tsv
	tsv 'user|item|ts|weight|fold' \
		'u3|c|1|1|train' \
		'u3|d|2|1|train' \
		'u3|e|3|1|valid' \
		'u4|a|1|2|train' \
		'u4|d|2|1|train' >b.tsv
	{ cat a.tsv; tail -n +2 b.tsv; } >all.tsv
}

factors() { "$TOP/tests/tools/modelsection" "$1" item_factors; }

# the federated loop over the shards given, ITERS times
federate() {
	local iters="$1" s sums
	shift
	for s; do lmrec-als-shard -q --list-items -o "items.$s.tsv" "$s.tsv"; done
	local lists=("${@/#/items.}")
	lmrec-als-shard -q --init --factors 3 --reg 0.5 --alpha 2 -o Y.lmrc "${lists[@]/%/.tsv}"
	for ((i = 0; i < iters; i++)); do
		sums=()
		for s; do
			lmrec-als-shard -q --users Y.lmrc --sums "sums.$s.lmrc" "$s.tsv"
			sums+=("sums.$s.lmrc")
		done
		lmrec-als-shard -q --items -o Y.lmrc "${sums[@]}"
	done
}

@test "lmrec-als-shard: --help and --version exit 0, an unknown option exits 2" {
	run lmrec-als-shard --help
	assert_success
	assert_line --partial 'Usage: lmrec-als-shard'
	run lmrec-als-shard --version
	assert_success
	assert_output 'lmrec-als-shard (lmrec) 0.1.0'
	run -2 --separate-stderr lmrec-als-shard --bogus
	[ "${stderr_lines[1]}" = "Try 'lmrec-als-shard --help' for more information." ]
}

@test "lmrec-als-shard: every --help option is in the man page" {
	run check_man_page lmrec-als-shard
	assert_success
}

@test "lmrec-als-shard: --list-items: the shard's items of the chosen folds, in byte order" {
	run lmrec-als-shard -q --list-items b.tsv
	assert_success
	assert_output "$(printf 'item\na\nc\nd')"
	run lmrec-als-shard -q --list-items --folds all b.tsv
	assert_output "$(printf 'item\na\nc\nd\ne')"
	run --separate-stderr lmrec-als-shard --list-items -o list.tsv a.tsv
	assert_success
	assert_equal "$stderr" 'lmrec-als-shard: 3 items of 2 users'
	assert_equal "$(cat list.tsv)" "$(printf 'item\na\nb\nc')"
}

@test "lmrec-als-shard: --init draws the item factors lmrec-train starts from" {
	lmrec-als-shard -q --list-items -o ia.tsv a.tsv
	lmrec-als-shard -q --list-items -o ib.tsv b.tsv
	lmrec-als-shard -q --init --factors 3 -s 7 -o Y.lmrc ib.tsv ia.tsv
	lmrec-train -q --model als --factors 3 --iters 0 -s 7 -o t.lmrc all.tsv
	assert_equal "$("$TOP/tests/tools/modelsection" Y.lmrc items)" "$(printf 'a\nb\nc\nd')"
	assert_equal "$(factors Y.lmrc)" "$(factors t.lmrc)"
	# no users in an item-factor file
	assert_equal "$("$TOP/tests/tools/modelsection" Y.lmrc users)" ""
}

@test "lmrec-als-shard: two shards, and one, give lmrec-train's item factors and user factors" {
	lmrec-train -q --model als --factors 3 --reg 0.5 --alpha 2 --iters 4 -o t.lmrc all.tsv
	federate 4 a b
	factors Y.lmrc >fed.txt
	factors t.lmrc >one.txt
	run near_values fed.txt one.txt 1e-5
	assert_success
	# a shard's users, solved against the item factors before the last
	# item step, are lmrec-train's last user step
	federate 3 a b
	lmrec-als-shard -q --users Y.lmrc -o a.lmrc a.tsv
	"$TOP/tests/tools/modelsection" a.lmrc user_factors >xa.txt
	"$TOP/tests/tools/modelsection" t.lmrc user_factors | head -n 2 >xt.txt
	run near_values xa.txt xt.txt 1e-5
	assert_success
	assert_equal "$("$TOP/tests/tools/modelsection" a.lmrc users)" "$(printf 'u1\nu2')"
	# one shard of everything: the same
	federate 4 all
	factors Y.lmrc >whole.txt
	run near_values whole.txt one.txt 1e-5
	assert_success
	# weights: the same again
	lmrec-train -q --model als --use-weights --factors 3 --reg 0.5 --alpha 2 --iters 2 -o tw.lmrc all.tsv
	lmrec-als-shard -q --init --factors 3 --reg 0.5 --alpha 2 -o Y.lmrc items.a.tsv items.b.tsv
	for i in 1 2; do
		lmrec-als-shard -q --use-weights --users Y.lmrc --sums sa.lmrc a.tsv
		lmrec-als-shard -q --use-weights --users Y.lmrc --sums sb.lmrc b.tsv
		lmrec-als-shard -q --items -o Y.lmrc sa.lmrc sb.lmrc
	done
	factors Y.lmrc >fw.txt
	factors tw.lmrc >tw.txt
	run near_values fw.txt tw.txt 1e-5
	assert_success
}

@test "lmrec-als-shard: the sums hold the shard's items only, no user and no row; the same bytes twice" {
	federate 1 a b
	assert_equal "$("$TOP/tests/tools/modelsection" sums.b.lmrc items)" "$(printf 'a\nc\nd')"
	run "$TOP/tests/tools/modelsection" sums.b.lmrc params
	assert_line 'users=2'
	assert_line 'factors=3'
	# 6 entries of a packed 3 x 3 triangle a row; b 3 a row
	[ "$("$TOP/tests/tools/modelsection" sums.b.lmrc A | awk -F'\t' '{ print NF }' | sort -u)" = 6 ]
	[ "$("$TOP/tests/tools/modelsection" sums.b.lmrc b | wc -l)" -eq 3 ]
	! grep -aq 'u3\|u4' sums.b.lmrc
	lmrec-als-shard -q --users Y.lmrc --sums first.lmrc b.tsv
	lmrec-als-shard -q --users Y.lmrc --sums again.lmrc b.tsv
	cmp first.lmrc again.lmrc
	lmrec-als-shard -q --items -o Y2.lmrc sums.a.lmrc sums.b.lmrc
	lmrec-als-shard -q --items -o Y3.lmrc sums.a.lmrc sums.b.lmrc
	cmp Y2.lmrc Y3.lmrc
}

@test "lmrec-als-shard: a shard's model scores its users with lmrec-recall" {
	federate 3 a b
	lmrec-als-shard -q --users Y.lmrc -o b.lmrc b.tsv
	run lmrec-recall -q -m b.lmrc -n 2
	assert_success
	assert_equal "$(echo "$output" | tail -n +2 | cut -f1 | sort -u | tr '\n' ' ')" 'u3 u4 '
	# seen items are left out: u4 saw a and d
	refute_line --regexp $'^u4\t(a|d)\t'
}

@test "lmrec-als-shard: bad input and usage: one line, the exit status, nothing written" {
	lmrec-als-shard -q --list-items -o ia.tsv a.tsv
	lmrec-als-shard -q --init --factors 3 -o Y.lmrc ia.tsv
	# b.tsv has items the factors do not know
	run -65 --separate-stderr lmrec-als-shard -q --users Y.lmrc --sums s.lmrc b.tsv
	assert_equal "$stderr" "lmrec-als-shard: b.tsv:3: column 'item': 'd' is not among the items of Y.lmrc (run --init with this shard's items)"
	[ ! -e s.lmrc ]
	tsv 'user|item|ts|weight' 'u1|a|1|0' >zero.tsv
	run -65 --separate-stderr lmrec-als-shard -q --use-weights --users Y.lmrc -o m.lmrc zero.tsv
	assert_equal "$stderr" "lmrec-als-shard: zero.tsv:2: column 'weight': 0 is not above 0"
	# sums of different models do not add up
	lmrec-als-shard -q --users Y.lmrc --sums s3.lmrc a.tsv
	lmrec-als-shard -q --init --factors 2 -o Y2.lmrc ia.tsv
	lmrec-als-shard -q --users Y2.lmrc --sums s2.lmrc a.tsv
	run -65 --separate-stderr lmrec-als-shard -q --items -o Y.lmrc s3.lmrc s2.lmrc
	assert_equal "$stderr" "lmrec-als-shard: s2.lmrc: parameter 'factors' is 2, but the first file's is 3"
	# an item-factor file is not a sums file
	run -65 --separate-stderr lmrec-als-shard -q --items -o out.lmrc Y.lmrc
	assert_output --partial ''
	[[ "$stderr" == *"Y.lmrc"*"kind"* ]]
	[ ! -e out.lmrc ]
	run -2 lmrec-als-shard --init --items -o x.lmrc ia.tsv
	run -2 lmrec-als-shard --list-items --sums s.lmrc a.tsv
	run -2 lmrec-als-shard --users Y.lmrc a.tsv
	run -2 lmrec-als-shard --list-items a.tsv b.tsv
	run -2 lmrec-als-shard --items -o x.lmrc
	run -2 lmrec-als-shard ia.tsv
}

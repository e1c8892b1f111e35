#!/usr/bin/env bats
# lmrec-train: model files from interactions.

load test_helper

setup() {
	cd "$BATS_TEST_TMPDIR"
	# 3 users, 4 items: n(a) = n(b) = n(c) = 2, n(d) = 1; every pair of
	# items shares one user except (a, d).
	tsv 'user|item|ts' 'u1|a|1' 'u1|b|2' 'u2|a|3' 'u2|c|4' 'u3|b|5' 'u3|c|6' 'u3|d|7' >knn.tsv
}

# section MODEL NAME: the raw bytes of a section of a model file, found
# through its section table (lmrec-formats(5); a little-endian host reads
# the numbers as they are).
section() {
	local n i base name off len
	n=$(od -An -tu4 -j24 -N4 "$1")
	for ((i = 0; i < n; i++)); do
		base=$((256 + 96 * i))
		name=$(dd if="$1" bs=1 skip=$base count=40 2>/dev/null | tr -d '\0')
		if [ "$name" = "$2" ]; then
			off=$(od -An -tu8 -j$((base + 80)) -N8 "$1")
			len=$(od -An -tu8 -j$((base + 88)) -N8 "$1")
			tail -c +$((off + 1)) "$1" | head -c $((len))
			return 0
		fi
	done
	echo "no section $2 in $1" >&2
	return 1
}

# floats MODEL NAME COLS: a float section, COLS values a line.
floats() {
	section "$1" "$2" | od -An -tf4 -v -w$((4 * $3)) | awk '{$1 = $1; print}'
}

# strings_of MODEL NAME: the strings of a string section, one a line.
strings_of() {
	local pos=0 size len
	section "$1" "$2" >strings.bin
	size=$(wc -c <strings.bin)
	while [ "$pos" -lt "$size" ]; do
		len=$(od -An -tu8 -j$pos -N8 strings.bin)
		dd if=strings.bin bs=1 skip=$((pos + 8)) count=$((len)) 2>/dev/null
		echo
		pos=$((pos + 8 + len))
	done
}

# ints MODEL NAME TYPE: an integer section (od type u4 or u8) on one line.
ints() {
	section "$1" "$2" | od -An -t"$3" -v -w100000 | awk '{$1 = $1; print}'
}

# probe ITEM...: a --history stream with one user per item, "q<item>",
# whose history is that item alone.
probe() {
	local i
	printf 'user\titem\n'
	for i in "$@"; do printf 'q%s\t%s\n' "$i" "$i"; done
}

@test "lmrec-train: --help and --version exit 0, an unknown option exits 2" {
	run lmrec-train --help
	assert_success
	assert_line --partial 'Usage: lmrec-train'
	run lmrec-train --version
	assert_success
	assert_output 'lmrec-train (lmrec) 0.1.0'
	run -2 --separate-stderr lmrec-train --model popular -o m.lmrc --bogus knn.tsv
	[ "${stderr_lines[1]}" = "Try 'lmrec-train --help' for more information." ]
}

@test "lmrec-train: every --help option is in the man page" {
	run check_man_page lmrec-train
	assert_success
}

@test "lmrec-train: usage errors exit 2" {
	run -2 lmrec-train -o m.lmrc knn.tsv
	run -2 lmrec-train --model popular knn.tsv
	run -2 --separate-stderr lmrec-train --model svd -o m.lmrc knn.tsv
	[ "${stderr_lines[0]}" = "lmrec-train: invalid value for --model: 'svd' (expected popular, itemknn, ease, als, bpr, sasrec, semantic, align or crossdomain)" ]
	run -2 --separate-stderr lmrec-train --model popular --folds train,tset -o m.lmrc knn.tsv
	[ "${stderr_lines[0]}" = "lmrec-train: invalid value for --folds: 'train,tset' (expected 'all' or folds among train, valid and test, comma-separated)" ]
	run -2 lmrec-train --model als --factors 0 -o m.lmrc knn.tsv
	run -2 lmrec-train --model itemknn --similarity jaccard -o m.lmrc knn.tsv
	[ ! -e m.lmrc ]
}

@test "lmrec-train: header-only input gives an empty model of every kind" {
	printf 'user\titem\tts\n' >h.tsv
	for m in popular itemknn ease als bpr; do
		run -0 --separate-stderr lmrec-train --model $m -o $m.lmrc h.tsv
		[[ "$stderr" == "lmrec-train: $m: 0 users, 0 items, 0 interactions; load "* ]]
		run -0 lmrec-recall -q -m $m.lmrc
		assert_output "$(printf 'user\titem\tscore\tchannel\tkind\tbecause\tbecause2')"
	done
}

@test "lmrec-train: a missing column exits 65 naming file and line, no model left" {
	tsv 'user|item' 'u|a' >bad.tsv
	run -65 --separate-stderr lmrec-train --model popular -o m.lmrc bad.tsv
	[ "$stderr" = "lmrec-train: bad.tsv:1: no column 'ts' in the header" ]
	[ ! -e m.lmrc ]
	run ls -A
	refute_output --partial lmrc
}

@test "lmrec-train: a bad weight exits 65 naming line and column" {
	tsv 'user|item|ts|weight' 'u|a|1|2' 'u|b|2|x' >bad.tsv
	run -65 --separate-stderr lmrec-train --model popular --use-weights -o m.lmrc bad.tsv
	[ "$stderr" = "lmrec-train: bad.tsv:3: column 'weight': 'x' is not a finite number" ]
}

@test "lmrec-train: CRLF input exits 65" {
	printf 'user\titem\tts\r\nu\ta\t1\r\n' >crlf.tsv
	run -65 --separate-stderr lmrec-train --model popular -o m.lmrc crlf.tsv
	[[ "$stderr" == "lmrec-train: crlf.tsv:1: line ends with CR"*dos2unix* ]]
}

@test "lmrec-train: escaped ids round-trip through the model" {
	printf 'user\titem\tts\nu\\\\1\ta\\tb\t1\nu2\ta\\tb\t2\nu2\tc\\nd\t3\n' >esc.tsv
	lmrec-train -q --model popular -o m.lmrc esc.tsv
	run lmrec-recall -q -m m.lmrc
	assert_success
	assert_output "$(printf 'user\titem\tscore\tchannel\tkind\tbecause\tbecause2\nu\\\\1\tc\\nd\t1\tpopular\tpopular\t\t')"
}

@test "lmrec-train: gzip input gives the same model bytes as plain input" {
	gzip -c knn.tsv >knn.tsv.gz
	for m in popular itemknn ease als bpr; do
		lmrec-train -q --model $m --factors 4 --epochs 3 --iters 3 -o plain.lmrc knn.tsv
		lmrec-train -q --model $m --factors 4 --epochs 3 --iters 3 -o gz.lmrc <knn.tsv.gz
		cmp plain.lmrc gz.lmrc
	done
}

@test "lmrec-train: the same seed and thread count give the same model bytes" {
	awk 'BEGIN { print "user\titem\tts"
		for (u = 1; u <= 40; u++) for (i = 1; i <= 30; i++)
			if ((u * 7 + i * 3) % 5 < 2) printf "u%d\ti%d\t%d\n", u, i, u * 100 + i }' >d.tsv
	for m in popular itemknn ease als bpr; do
		for j in 1 2; do
			lmrec-train -q --model $m --factors 8 --iters 3 --epochs 3 -s 7 -j $j -o a.lmrc d.tsv
			lmrec-train -q --model $m --factors 8 --iters 3 --epochs 3 -s 7 -j $j -o b.lmrc d.tsv
			cmp a.lmrc b.lmrc
		done
	done
	# and the seed matters where there is randomness
	for m in als bpr; do
		lmrec-train -q --model $m --factors 8 --iters 3 --epochs 3 -s 7 -o a.lmrc d.tsv
		lmrec-train -q --model $m --factors 8 --iters 3 --epochs 3 -s 8 -o b.lmrc d.tsv
		! cmp -s a.lmrc b.lmrc
	done
}

@test "lmrec-train: popular counts distinct users, or sums weights with --use-weights" {
	tsv 'user|item|ts|weight' 'u1|a|1|3' 'u1|a|2|1' 'u2|a|3|0.5' 'u2|b|4|4' 'u3|c|5|1' 'u3|b|6|1' 'u4|b|7|1' >p.tsv
	lmrec-train -q --model popular -o p.lmrc p.tsv
	run floats p.lmrc popularity 1
	assert_output "$(printf '2\n3\n1')"
	lmrec-train -q --model popular --use-weights -o w.lmrc p.tsv
	run floats w.lmrc popularity 1
	assert_output "$(printf '4.5\n6\n1')"
	# a user without history gets the whole list, best first
	printf 'user\nnobody\n' >users.tsv
	run lmrec-recall -q -m p.lmrc --users users.tsv
	assert_output "$(tsv 'user|item|score|channel|kind|because|because2' \
		'nobody|b|3|popular|popular||' 'nobody|a|2|popular|popular||' 'nobody|c|1|popular|popular||')"
}

@test "lmrec-train: popular time decay halves a row's weight every --half-life days before --now" {
	# ages 0, 1 and 2 days: weights 1, 1/2, 1/4
	tsv 'user|item|ts' 'u1|a|172800' 'u2|a|0' 'u1|b|86400' 'u3|c|0' 'u4|c|86400' >t.tsv
	lmrec-train -q --model popular --half-life 1 -o t.lmrc t.tsv
	run floats t.lmrc popularity 1
	assert_output "$(printf '1.25\n0.5\n0.75')"
	# --now defaults to the latest ts; a day later everything halves
	lmrec-train -q --model popular --half-life 1 --now 172800 -o t2.lmrc t.tsv
	cmp <(section t.lmrc popularity) <(section t2.lmrc popularity)
	lmrec-train -q --model popular --half-life 1 --now 259200 -o t3.lmrc t.tsv
	run floats t3.lmrc popularity 1
	assert_output "$(printf '0.625\n0.25\n0.375')"
	# a two-day half-life: 1 + 2^-1, 2^-1/2, 2^-1 + 2^-1/2
	lmrec-train -q --model popular --half-life 2 -o t4.lmrc t.tsv
	run lmrec-recall -q -m t4.lmrc --users <(printf 'user\nnobody\n')
	assert_output "$(tsv 'user|item|score|channel|kind|because|because2' \
		'nobody|a|1.5|popular|popular||' 'nobody|c|1.20710683|popular|popular||' 'nobody|b|0.707106769|popular|popular||')"
}

@test "lmrec-train: itemknn cosine with shrinkage equals the hand-computed similarities" {
	# cos(i,j) = c(i,j) / (sqrt(n(i) n(j)) + 1): a-b, a-c, b-c 1/3; b-d, c-d
	# 1/(sqrt 2 + 1); a-d share nobody.
	lmrec-train -q --model itemknn --shrink 1 -o k.lmrc knn.tsv
	probe a b d >q.tsv
	run lmrec-recall -q -m k.lmrc --history q.tsv
	assert_success
	assert_output "$(tsv 'user|item|score|channel|kind|because|because2' \
		'qa|b|0.333333343|itemknn|itemknn|a|' 'qa|c|0.333333343|itemknn|itemknn|a|' \
		'qb|d|0.414213568|itemknn|itemknn|b|' 'qb|a|0.333333343|itemknn|itemknn|b|' 'qb|c|0.333333343|itemknn|itemknn|b|' \
		'qd|b|0.414213568|itemknn|itemknn|d|' 'qd|c|0.414213568|itemknn|itemknn|d|')"
}

@test "lmrec-train: itemknn co-occurrence is c(i,j) / (n(i) + shrink), not symmetric" {
	lmrec-train -q --model itemknn --similarity cooccurrence --shrink 1 -o k.lmrc knn.tsv
	probe b d >q.tsv
	run lmrec-recall -q -m k.lmrc --history q.tsv
	assert_output "$(tsv 'user|item|score|channel|kind|because|because2' \
		'qb|a|0.333333343|itemknn|itemknn|b|' 'qb|c|0.333333343|itemknn|itemknn|b|' 'qb|d|0.333333343|itemknn|itemknn|b|' \
		'qd|b|0.5|itemknn|itemknn|d|' 'qd|c|0.5|itemknn|itemknn|d|')"
}

@test "lmrec-train: itemknn keeps --neighbors per item, ties to the smaller id" {
	lmrec-train -q --model itemknn --shrink 1 --neighbors 1 -o k.lmrc knn.tsv
	probe a b >q.tsv
	run lmrec-recall -q -m k.lmrc --history q.tsv
	assert_output "$(tsv 'user|item|score|channel|kind|because|because2' \
		'qa|b|0.333333343|itemknn|itemknn|a|' 'qb|d|0.414213568|itemknn|itemknn|b|')"
	# a user's score sums over the history: u1 (a, b) -> c 1/3 + 1/3
	lmrec-train -q --model itemknn --shrink 1 -o k2.lmrc knn.tsv
	run lmrec-recall -q -m k2.lmrc
	assert_line "$(tsv 'u1|c|0.666666687|itemknn|itemknn|a|b')"
	assert_line "$(tsv 'u1|d|0.414213568|itemknn|itemknn|b|')"
}

@test "lmrec-train: ease B equals Steck's closed form computed independently" {
	tsv 'user|item|ts' 'u1|a|1' 'u1|b|1' 'u2|a|1' 'u2|c|1' 'u3|b|1' 'u3|c|1' 'u3|d|1' \
		'u4|a|1' 'u4|b|1' 'u4|c|1' 'u5|d|1' >e.tsv
	lmrec-train -q --model ease --lambda 1.5 -o e.lmrc e.tsv
	floats e.lmrc B 4 >got
	# B = I - P diag(1/diag P), P = (X^T X + lambda I)^-1, by Gauss-Jordan in awk
	awk -F'\t' -v lambda=1.5 'NR > 1 { x[$1, $2] = 1; users[$1] }
	END {
		n = split("a b c d", it, " ")
		for (i = 1; i <= n; i++) for (j = 1; j <= n; j++) {
			g = (i == j) ? lambda : 0
			for (u in users) g += x[u, it[i]] * x[u, it[j]]
			m[i, j] = g; m[i, n + j] = (i == j)
		}
		for (c = 1; c <= n; c++) {
			p = m[c, c]
			for (j = 1; j <= 2 * n; j++) m[c, j] /= p
			for (r = 1; r <= n; r++) if (r != c) {
				f = m[r, c]
				for (j = 1; j <= 2 * n; j++) m[r, j] -= f * m[c, j]
			}
		}
		for (i = 1; i <= n; i++) {
			line = ""
			for (j = 1; j <= n; j++)
				line = line (j > 1 ? " " : "") ((i == j) ? 0 : -m[i, n + j] / m[j, n + j])
			print line
		}
	}' e.tsv >want
	run awk 'NR == FNR { for (j = 1; j <= NF; j++) w[FNR, j] = $j; next }
		{ for (j = 1; j <= NF; j++) { d = $j - w[FNR, j]; if (d < 0) d = -d; if (d > 1e-6) bad++ } }
		END { print bad + 0 }' want got
	assert_output 0
	# the diagonal is exactly 0 and B is not trivial
	[ "$(awk '{ print $NR }' got | sort -u)" = 0 ]
	[ "$(awk '{ for (j = 1; j <= NF; j++) if ($j != 0) n++ } END { print n }' got)" -ge 10 ]
	# scores are sums of B rows: u5 (d) scores a, b, c from row d
	run lmrec-recall -q -m e.lmrc --history <(tsv 'user|item' 'u5|d')
	[ "$(cut -f2,3 <<<"$output" | sed 1d | sort | awk '{ printf "%.5f\n", $2 }')" = \
		"$(awk 'NR == 4 { printf "%.5f\n%.5f\n%.5f\n", $1, $2, $3 }' want)" ]
}

@test "lmrec-train: --folds picks the rows of a folds stream" {
	tsv 'user|item|ts|fold' 'u1|a|1|train' 'u1|b|2|valid' 'u1|c|3|test' 'u2|a|1|train' >f.tsv
	lmrec-train -q --model popular -o t.lmrc f.tsv
	run floats t.lmrc popularity 1
	assert_output 2
	lmrec-train -q --model popular --folds train,valid -o tv.lmrc f.tsv
	run floats tv.lmrc popularity 1
	assert_output "$(printf '2\n1')"
	lmrec-train -q --model popular --folds all -o all.lmrc f.tsv
	run floats all.lmrc popularity 1
	assert_output "$(printf '2\n1\n1')"
}

@test "lmrec-train: the model records its hyper-parameters" {
	lmrec-train -q --model als --factors 4 --reg 0.5 --alpha 2 --iters 2 -o a.lmrc knn.tsv
	run strings_of a.lmrc params
	assert_output "$(printf '%s\n' model=als folds=train use_weights=0 seed=1 users=3 items=4 \
		interactions=7 factors=4 iters=2 reg=0.5 alpha=2 cg_steps=0)"
	run strings_of a.lmrc items
	assert_output "$(printf 'a\nb\nc\nd')"
}

@test "lmrec-train: --init with --iters 0 keeps the earlier factors; new ids start random" {
	tsv 'user|item|ts' 'u1|a|1' 'u1|b|2' 'u2|b|3' 'u2|c|4' 'u3|a|5' 'u3|c|6' >old.tsv
	{ cat old.tsv; tsv 'u1|d|7' 'u4|a|8'; } >new.tsv
	for m in als bpr; do
		lmrec-train -q --model $m --factors 4 --iters 15 --epochs 15 -o old.lmrc old.tsv
		# --factors comes from the earlier model
		lmrec-train -q --model $m --init old.lmrc --iters 0 --epochs 0 -o new.lmrc new.tsv
		floats old.lmrc item_factors 4 >old.items
		floats new.lmrc item_factors 4 >new.items
		floats old.lmrc user_factors 4 >old.users
		floats new.lmrc user_factors 4 >new.users
		# items a b c and users u1 u2 u3 are the first rows (byte order)
		[ "$(head -3 new.items)" = "$(cat old.items)" ]
		[ "$(head -3 new.users)" = "$(cat old.users)" ]
		[ "$(wc -l <new.items)" -eq 4 ]
		[ "$(wc -l <new.users)" -eq 4 ]
		# the new item d and user u4: small random values (std 0.01), not 0
		for row in "$(tail -1 new.items)" "$(tail -1 new.users)"; do
			run awk '{ for (j = 1; j <= NF; j++) { a = $j < 0 ? -$j : $j; if (a == 0 || a > 0.1) bad++ } } END { print bad + 0 }' <<<"$row"
			assert_output 0
		done
		if [ $m = bpr ]; then
			[ "$(floats new.lmrc item_bias 1 | head -3)" = "$(floats old.lmrc item_bias 1)" ]
		fi
	done
}

@test "lmrec-train: --init continues training from the earlier model" {
	tsv 'user|item|ts' 'u1|a|1' 'u1|b|2' 'u2|b|3' 'u2|c|4' 'u3|a|5' 'u3|c|6' 'u4|a|7' >d.tsv
	# 5 + 5 iterations from a warm start are 10 iterations from scratch
	lmrec-train -q --model als --factors 4 --iters 10 -o ten.lmrc d.tsv
	lmrec-train -q --model als --factors 4 --iters 5 -o five.lmrc d.tsv
	lmrec-train -q --model als --init five.lmrc --iters 5 -o more.lmrc d.tsv
	cmp <(section ten.lmrc item_factors) <(section more.lmrc item_factors)
	cmp <(section ten.lmrc user_factors) <(section more.lmrc user_factors)
}

@test "lmrec-train: --init is refused for closed-form models and for another kind" {
	lmrec-train -q --model als --factors 4 --iters 1 -o als.lmrc knn.tsv
	lmrec-train -q --model ease -o ease.lmrc knn.tsv
	run -2 --separate-stderr lmrec-train --model ease --init ease.lmrc -o e2.lmrc knn.tsv
	[ "${stderr_lines[0]}" = "lmrec-train: --init continues als, bpr and sasrec; ease is computed in closed form" ]
	run -65 --separate-stderr lmrec-train --model bpr --init als.lmrc -o b.lmrc knn.tsv
	[ "$stderr" = "lmrec-train: als.lmrc: model kind 'als', where 'bpr' is needed" ]
	run -65 --separate-stderr lmrec-train --model als --factors 8 --init als.lmrc -o b.lmrc knn.tsv
	[ "$stderr" = "lmrec-train: als.lmrc: has 4 factors, but --factors is 8" ]
	[ ! -e e2.lmrc ] && [ ! -e b.lmrc ]
}

@test "lmrec-train: a failed run leaves the previous model untouched" {
	lmrec-train -q --model popular -o m.lmrc knn.tsv
	cp m.lmrc before.lmrc
	tsv 'user|item|ts' 'u|a|oops' >bad.tsv
	run -65 lmrec-train -q --model popular -o m.lmrc bad.tsv
	cmp m.lmrc before.lmrc
}

# ---- MovieLens-100K: full-ranking NDCG@10 of each model on the leave-last-out split

# ml100k: folds.tsv and test-users.tsv in the file's temporary folder, made
# once. Tests of this file run in parallel: each file is made under a name
# of its own and renamed into place, folds.tsv last (the sign that both
# are there), so a test never reads one half-written.
ml100k() {
	need_dataset ml-100k
	ML="$BATS_FILE_TMPDIR"
	if [ ! -e "$ML/folds.tsv" ]; then
		local t="$ML/.ml100k.$BATS_TEST_NUMBER"
		lmrec-ingest -q "$LMREC_DATASETS/ml-100k/u.data" | lmrec-split -q -o "$t.folds.tsv"
		awk -F'\t' 'NR == 1 { for (c = 1; c <= NF; c++) if ($c == "fold") f = c; print "user"; next }
			$f == "test" { print $1 }' "$t.folds.tsv" >"$t.users.tsv"
		mv -f "$t.users.tsv" "$ML/test-users.tsv"
		mv -f "$t.folds.tsv" "$ML/folds.tsv"
	fi
}

# ndcg10 MODEL: NDCG@10 of the model's top 10 for the test users.
ndcg10() {
	lmrec-recall -q -m "$1" -n 10 --users "$ML/test-users.tsv" |
		lmrec-eval -q -t "$ML/folds.tsv" --k 10 --metrics ndcg | awk -F'\t' '$1 == "ndcg" { print $4 }'
}

@test "lmrec-train: MovieLens-100K popular reaches NDCG@10 0.044" {
	ml100k
	[ "$(wc -l <"$ML/test-users.tsv")" -eq 944 ]
	lmrec-train -q --model popular --folds train,valid -o pop.lmrc "$ML/folds.tsv"
	v=$(ndcg10 pop.lmrc)
	echo "popular NDCG@10 $v" >&3
	awk -v v="$v" 'BEGIN { exit !(v >= 0.044) }'
}

@test "lmrec-train: MovieLens-100K ease reaches NDCG@10 0.069" {
	ml100k
	skip_if_slow
	lmrec-train -q --model ease --lambda 100 --folds train,valid -o ease.lmrc "$ML/folds.tsv"
	v=$(ndcg10 ease.lmrc)
	echo "ease NDCG@10 $v" >&3
	awk -v v="$v" 'BEGIN { exit !(v >= 0.069) }'
}

@test "lmrec-train: MovieLens-100K als reaches NDCG@10 0.068" {
	ml100k
	skip_if_slow
	lmrec-train -q --model als --factors 64 --reg 1 --alpha 1 --iters 15 --folds train,valid \
		-o als.lmrc "$ML/folds.tsv"
	v=$(ndcg10 als.lmrc)
	echo "als NDCG@10 $v" >&3
	awk -v v="$v" 'BEGIN { exit !(v >= 0.068) }'
}

@test "lmrec-train: a weight that makes the ALS confidence non-positive exits 65" {
	printf 'user\titem\tts\tweight\nu\ta\t1\t-3\n' >neg.tsv
	run -65 --separate-stderr lmrec-train --model als --use-weights --folds all -o m.lmrc neg.tsv
	[ "$stderr" = "lmrec-train: weight -3 of user 'u', item 'a' makes the ALS confidence 1 + alpha * weight not positive" ]
	run lmrec-train -q --model als --use-weights --alpha 0.2 --folds all -o m.lmrc neg.tsv
	assert_success
}

@test "lmrec-train: semantic scores the cosine of the item with the mean of the history's vectors" {
	tsv 'item|d0|d1' 'a|1|0' 'b|0|2' 'c|1|1' 'n|-1|1' >v.tsv
	tsv 'user|item|ts' 'u|a|1' 'u|b|2' 'w|c|1' >s.tsv
	run lmrec-train -q --model semantic --vectors v.tsv --folds all -o sem.lmrc s.tsv
	assert_success
	# u's profile is (1,1)/sqrt 2: c has cosine 1, n (never seen: cold) 0
	run bash -c "lmrec-recall -q -m sem.lmrc -n 2 --users <(printf 'user\nu\n') |
		awk -F'\t' 'NR > 1 { printf \"%s %s %.6f %s\\n\", \$1, \$2, \$3, \$4 }'"
	assert_output "$(printf 'u c 1.000000 semantic\nu n 0.000000 semantic')"
	run -2 --separate-stderr lmrec-train --model semantic -o x.lmrc s.tsv
	[ "$stderr_lines" = "lmrec-train: --model semantic needs --vectors (item vectors from lmrec-embed)" ]
}

@test "lmrec-train: align maps content onto the factors, giving cold items factors" {
	# 40 users over 12 items; content for the 12 and for a cold item z
	synth_rows() {
		echo 'user	item	ts'
		for u in $(seq 1 40); do for i in $(seq 1 12); do
			[ $(((u * 7 + i * 3) % 5)) -lt 2 ] && printf 'u%d\ti%d\t%d\n' "$u" "$i" "$i"
		done; done
	}
	synth_rows >al.tsv
	lmrec-train -q --model als --factors 3 --folds all -o als.lmrc al.tsv
	run -65 --separate-stderr lmrec-train --model align --vectors /dev/null --factors-from als.lmrc -o al.lmrc
	[[ "$stderr" == "lmrec-train: /dev/null:1: "* ]]
	awk 'BEGIN { print "item\td0\td1\td2\td3"; for (i = 1; i <= 12; i++) printf "i%d\t%d\t%d\t%d\t%d\n", i, i % 2, i % 3, i % 5, 1; print "z\t1\t2\t3\t1" }' >cv.tsv
	run lmrec-train --model align --vectors cv.tsv --factors-from als.lmrc --align-method ridge -o al.lmrc
	assert_success
	[[ "$output" == *"13 items with content, 12 with factors to learn from; ridge"* ]]
	# the cold item z can be recommended by the aligned channel
	run lmrec-recall -q -m al.lmrc -n 13 --only <(tsv item z)
	assert_success
	[ "$(echo "$output" | awk -F'\t' 'NR > 1 && $2 == "z" && $4 == "aligned" && $5 == "align"' | wc -l)" -eq "$(echo "$output" | tail -n +2 | wc -l)" ]
	[ "$(echo "$output" | tail -n +2 | wc -l)" -ge 30 ]
	run -65 --separate-stderr lmrec-train --model align --vectors cv.tsv --factors-from al.lmrc -o x.lmrc
	[ "$stderr" = "lmrec-train: al.lmrc: model kind 'align': align needs als or bpr factors" ]
	run -2 lmrec-train --model align --vectors cv.tsv -o x.lmrc
	run -2 lmrec-train --model align --vectors cv.tsv --factors-from als.lmrc --align-method svm -o x.lmrc
}

# 40 users over 12 items (i1..i12) and the words of those items and of a
# cold item z: al.tsv, words.tsv
align_fixture() {
	echo 'user	item	ts' >al.tsv
	for u in $(seq 1 40); do for i in $(seq 1 12); do
		[ $(((u * 7 + i * 3) % 5)) -lt 2 ] && printf 'u%d\ti%d\t%d\n' "$u" "$i" "$i" >>al.tsv
	done; done
	awk 'BEGIN { print "item\ttokens\tmasked"
		split("red green blue dark light small", w, " ")
		for (i = 1; i <= 12; i++) printf "i%d\t%s %s %s\t0\n", i, w[i % 6 + 1], w[(i * 5) % 6 + 1], (i % 4 ? "film" : "show film")
		print "z\tred blue show\t0" }' >words.tsv
}

@test "lmrec-train: align --tokens is the ridge over the TF-IDF, whatever its basis" {
	align_fixture
	lmrec-train -q --model als --factors 3 --folds all -o als.lmrc al.tsv
	run lmrec-train --model align --tokens words.tsv --lambda 2 --factors-from als.lmrc -o sparse.lmrc
	assert_success
	[[ "$output" == *"13 items with content, 12 with factors to learn from; ridge over 0 vector dimensions and 8 words ("*"conjugate-gradient steps)"* ]]
	# the same map from the dense TF-IDF rotated by an SVD that keeps its
	# whole rank: ridge does not see the rotation
	lmrec-embed -q --method tfidf --dim 20 -o dense.tsv words.tsv 2>/dev/null
	lmrec-train -q --model align --vectors dense.tsv --align-method ridge --lambda 2 --factors-from als.lmrc -o dense.lmrc
	for m in sparse dense; do lmrec-recall -q -m $m.lmrc -n 13 --keep-seen -o $m.recs; done
	run awk -F'\t' 'FNR == 1 { next } FNR == NR { s[$1 "\t" $2] = $3; next }
		{ n++; d = $3 - s[$1 "\t" $2]; if (d < 0) d = -d; if (d > worst) worst = d }
		END { print (n > 0), (worst < 1e-4) }' sparse.recs dense.recs
	assert_output '1 1'
	# z (red blue show) is recommended like the items it shares words with
	run lmrec-recall -q -m sparse.lmrc --only <(tsv item z) -n 1
	assert_success
	[ "$(echo "$output" | tail -n +2 | wc -l)" -ge 30 ]
}

@test "lmrec-train: align --tokens usage errors" {
	align_fixture
	lmrec-train -q --model als --factors 3 --folds all -o als.lmrc al.tsv
	run -2 --separate-stderr lmrec-train --model align --tokens words.tsv --align-method mlp --factors-from als.lmrc -o x.lmrc
	[[ "$stderr" == *"--align-method mlp takes dense --vectors only"* ]]
	run -2 --separate-stderr lmrec-train --model als --tokens words.tsv -o x.lmrc al.tsv
	[[ "$stderr" == *"--tokens is an option of --model ease and --model align"* ]]
	run -2 lmrec-train --model align --factors-from als.lmrc -o x.lmrc
	printf 'item\ttokens\nz\tred\nz\tblue\n' >twice.tsv
	run -65 --separate-stderr lmrec-train --model align --tokens twice.tsv --factors-from als.lmrc -o x.lmrc
	[[ "$stderr" == "lmrec-train: twice.tsv:3:"* ]]
	[ ! -e x.lmrc ]
}

@test "lmrec-train: ease --tokens: the words are more rows of X (side information)" {
	align_fixture
	# the same model by hand: each word a pseudo-user holding its items
	# with the value 0.7, the real rows 1
	awk -F'\t' 'BEGIN { print "user\titem\tts\tweight" } NR > 1 { print $1 "\t" $2 "\t" $3 "\t1" }' al.tsv >pseudo.tsv
	awk -F'\t' 'NR > 1 && $1 != "z" { n = split($2, w, " "); for (k = 1; k <= n; k++) if (!s[$1, w[k]]++) print "w:" w[k] "\t" $1 "\t0\t0.7" }' words.tsv >>pseudo.tsv
	lmrec-train -q --model ease --lambda 5 --tokens words.tsv --side-weight 0.7 --folds all -o side.lmrc al.tsv
	lmrec-train -q --model ease --lambda 5 --use-weights --folds all -o pseudo.lmrc pseudo.tsv
	lmrec-train -q --model ease --lambda 5 --folds all -o plain.lmrc al.tsv
	tsv user u1 u2 u3 u7 >users.tsv
	for m in side pseudo plain; do lmrec-recall -q -m $m.lmrc -n 5 --users users.tsv -o $m.recs; done
	run awk -F'\t' 'FNR == 1 { next } FNR == NR { s[$1 "\t" $2] = $3; next }
		{ n++; d = $3 - s[$1 "\t" $2]; if (d < 0) d = -d; if (d > worst) worst = d }
		END { print n, worst < 1e-5 }' side.recs pseudo.recs
	assert_output '20 1'
	# and the words change the model
	! cmp -s side.recs plain.recs
	run -2 lmrec-train --model ease --tokens words.tsv --side-weight -1 -o x.lmrc al.tsv
}

# 30 users walking a cycle of 8 items, each from its own starting point:
# the next item is always the current one plus 1 (mod 8)
cycle_rows() {
	echo 'user	item	ts'
	for u in $(seq 1 30); do for t in $(seq 0 $((10 + u % 7))); do
		printf 'u%02d\tc%d\t%d\n' "$u" $(((u + t) % 8)) "$t"
	done; done
}

@test "lmrec-train: sasrec learns what comes next in a sequence" {
	cycle_rows >cyc.tsv
	run lmrec-train --model sasrec --factors 16 --maxlen 8 --epochs 40 --lr 0.01 --dropout 0 --folds all -o s.lmrc cyc.tsv
	assert_success
	[[ "$output" == *"sasrec: 30 users, 8 items, "*" best epoch 40; load"* ]]
	# every user's top item is the one after its last
	run lmrec-recall -q -m s.lmrc -n 1 --keep-seen
	assert_success
	run awk -F'\t' 'FNR == NR { if (FNR > 1) last[$1] = $2; next } FNR > 1 {
			n++; want = "c" ((substr(last[$1], 2) + 1) % 8); if ($2 == want) ok++ }
		END { print n, ok }' cyc.tsv <(echo "$output")
	assert_output '30 30'
	# the reasons name items of the user's sequence that the attention weighed
	run sh -c "lmrec-recall -q -m s.lmrc -n 1 --keep-seen | lmrec-rank -q -n 1"
	assert_success
	assert_line --index 1 --regexp '^u01	1	c5	1	sasrec: next after you liked c[0-7] and c[0-7]$'
	run awk -F'\t' 'FNR == NR { if (FNR > 1) had[$1, $2] = 1; next } FNR > 1 {
			split($5, w, / and |liked /); if (!had[$1, w[2]] || !had[$1, w[3]]) bad++ } END { print bad + 0 }' \
		cyc.tsv <(echo "$output")
	assert_output 0
	# a user it has never seen is read from --history in time order
	printf 'user\titem\tts\nnew\tc5\t1\nnew\tc6\t2\nnew\tc7\t3\n' >h1.tsv
	printf 'user\titem\tts\nnew\tc7\t1\nnew\tc6\t2\nnew\tc5\t3\n' >h2.tsv
	run lmrec-recall -q -m s.lmrc --history h1.tsv -n 1 --keep-seen
	assert_line --index 1 --regexp '^new	c0	'
	run lmrec-recall -q -m s.lmrc --history h2.tsv -n 1 --keep-seen
	assert_line --index 1 --regexp '^new	c6	'
}

@test "lmrec-train: sasrec is deterministic across threads; --init and --checkpoint" {
	cycle_rows >cyc.tsv
	lmrec-split -q -o folds.tsv cyc.tsv
	lmrec-train -q --model sasrec --factors 16 --heads 2 --maxlen 8 --epochs 3 -j1 -o a.lmrc folds.tsv
	lmrec-train -q --model sasrec --factors 16 --heads 2 --maxlen 8 --epochs 3 -j2 --checkpoint ck.lmrc -o b.lmrc folds.tsv
	cmp a.lmrc b.lmrc
	[ -s ck.lmrc ]
	# --init with no epochs gives back the same network
	lmrec-train -q --model sasrec --init a.lmrc --epochs 0 -o c.lmrc folds.tsv
	lmrec-recall -q -m a.lmrc -n 3 -o a.recs
	lmrec-recall -q -m c.lmrc -n 3 -o c.recs
	cmp a.recs c.recs
	run -2 lmrec-train --model sasrec --loss hinge -o x.lmrc folds.tsv
	run -2 --separate-stderr lmrec-train --model sasrec --factors 10 --heads 3 -o x.lmrc folds.tsv
	run -2 lmrec-train --model ease --item-init v.tsv -o x.lmrc folds.tsv
	run -2 --separate-stderr lmrec-train --model sasrec --frozen-view -o x.lmrc folds.tsv
	[ "${stderr_lines[0]}" = "lmrec-train: --frozen-view keeps the table of --item-init: give --item-init" ]
	[ ! -e x.lmrc ]
	# the item table from vectors, kept as a frozen view
	awk 'BEGIN { print "item\td0\td1\td2"; for (i = 0; i < 8; i++) printf "c%d\t%d\t%d\t%d\n", i, i % 2, i % 3, (i * 5) % 7 }' >v.tsv
	run lmrec-train --model sasrec --factors 16 --maxlen 8 --epochs 2 --item-init v.tsv --frozen-view -o f.lmrc folds.tsv
	assert_success
	[[ "$output" == *"item table from v.tsv: 8 of 8 items, 3 principal axes"* ]]
}

@test "lmrec-train: sasrec --since trains the users with new rows and a replay sample; a worse continuation is not kept" {
	cycle_rows >cyc.tsv
	# yesterday: the rows up to t = 10; today: every row, so the users
	# with t > 10 (u % 7 > 0: 26 of the 30) have new rows
	awk -F'\t' 'NR == 1 || $3 <= 10' cyc.tsv >old.tsv
	lmrec-split -q -o old-folds.tsv old.tsv
	lmrec-split -q -o folds.tsv cyc.tsv
	lmrec-train -q --model sasrec --factors 16 --maxlen 8 --epochs 3 --valid-out -o y.lmrc old-folds.tsv
	run --separate-stderr lmrec-train --model sasrec --init y.lmrc --since init --replay 0.5 --epochs 2 --valid-out \
		-o t.lmrc folds.tsv
	assert_success
	# old.tsv's train fold ends at t = 8 (the last two rows of each user
	# are valid and test): the users with train rows after it
	n=$(awk -F'\t' 'NR > 1 && $4 == "train" && $3 > 8 && !s[$1]++' folds.tsv | wc -l)
	[[ "$stderr" == *"sasrec: $n of 30 users have rows after 8; a share 0.5 of the others replayed"* ]]
	[[ "$stderr" == *"continuing y.lmrc (8 of its items kept, 0 new)"* ]]
	# deterministic
	lmrec-train -q --model sasrec --init y.lmrc --since init --replay 0.5 --epochs 2 --valid-out -o t2.lmrc folds.tsv
	cmp t.lmrc t2.lmrc
	# an explicit time; another replay share trains on other users
	lmrec-train -q --model sasrec --init y.lmrc --since 8 --replay 0.5 --epochs 2 --valid-out -o t3.lmrc folds.tsv
	cmp t.lmrc t3.lmrc
	lmrec-train -q --model sasrec --init y.lmrc --since 8 --replay 0 --epochs 2 --valid-out -o t4.lmrc folds.tsv
	! cmp -s t.lmrc t4.lmrc
	# with no step (lr 0) no epoch beats the model continued: it is kept,
	# epoch 0, and scores as it did
	run --separate-stderr lmrec-train --model sasrec --init y.lmrc --since init --epochs 2 --lr 0 --valid-out \
		-o k.lmrc folds.tsv
	assert_success
	[[ "$stderr" == *"best epoch 0, valid NDCG@10 "* ]]
	lmrec-train -q --model sasrec --init y.lmrc --epochs 0 --valid-out -o k0.lmrc folds.tsv
	lmrec-recall -q -m k.lmrc -n 3 -o k.recs
	lmrec-recall -q -m k0.lmrc -n 3 -o k0.recs
	cmp k.recs k0.recs
	# bad uses
	run -2 --separate-stderr lmrec-train --model sasrec --since init -o x.lmrc folds.tsv
	[ "${stderr_lines[0]}" = "lmrec-train: --since init needs --init" ]
	run -2 --separate-stderr lmrec-train --model sasrec --replay 0.3 -o x.lmrc folds.tsv
	[ "${stderr_lines[0]}" = "lmrec-train: --replay samples the users without new rows: give --since" ]
	run -2 lmrec-train --model sasrec --since yesterday -o x.lmrc folds.tsv
	run -2 lmrec-train --model ease --since 3 -o x.lmrc folds.tsv
	[ ! -e x.lmrc ]
}

@test "lmrec-train: sasrec --positions start and --block sasrec are recorded and kept by --init; --beta2 changes the steps" {
	cycle_rows >cyc.tsv
	lmrec-split -q -o folds.tsv cyc.tsv
	lmrec-train -q --model sasrec --factors 16 --maxlen 8 --epochs 3 -o end.lmrc folds.tsv
	lmrec-train -q --model sasrec --factors 16 --maxlen 8 --epochs 3 --positions end -o end2.lmrc folds.tsv
	cmp end.lmrc end2.lmrc
	lmrec-train -q --model sasrec --factors 16 --maxlen 8 --epochs 3 --positions start -o start.lmrc folds.tsv
	! cmp -s end.lmrc start.lmrc
	run -0 sh -c 'strings start.lmrc | grep "^positions="'
	assert_output 'positions=start'
	run -1 sh -c 'strings end.lmrc | grep "^positions="'
	# a continued model counts as it did; the other way is refused
	lmrec-train -q --model sasrec --init start.lmrc --epochs 0 -o c.lmrc folds.tsv
	lmrec-recall -q -m start.lmrc -n 3 -o a.recs
	lmrec-recall -q -m c.lmrc -n 3 -o c.recs
	cmp a.recs c.recs
	run -2 --separate-stderr lmrec-train --model sasrec --init start.lmrc --positions end -o x.lmrc folds.tsv
	[ "${stderr_lines[0]}" = "lmrec-train: --positions end: start.lmrc counts its positions the other way" ]
	lmrec-train -q --model sasrec --factors 16 --maxlen 8 --epochs 3 --beta2 0.999 -o b.lmrc folds.tsv
	! cmp -s end.lmrc b.lmrc
	lmrec-train -q --model sasrec --factors 16 --maxlen 8 --epochs 3 --beta2 0.98 -o b98.lmrc folds.tsv
	cmp end.lmrc b98.lmrc
	# SASRec's blocks: recorded, kept, and they learn the cycle too
	run -0 lmrec-train --model sasrec --block sasrec --factors 16 --maxlen 8 --epochs 40 --lr 0.01 --dropout 0 \
		--folds all -o sb.lmrc cyc.tsv
	run -0 sh -c 'strings sb.lmrc | grep "^block="'
	assert_output 'block=sasrec'
	run lmrec-recall -q -m sb.lmrc -n 1 --keep-seen
	run awk -F'\t' 'FNR == NR { if (FNR > 1) last[$1] = $2; next } FNR > 1 {
			n++; want = "c" ((substr(last[$1], 2) + 1) % 8); if ($2 == want) ok++ }
		END { print n, ok }' cyc.tsv <(echo "$output")
	assert_output '30 30'
	run -2 --separate-stderr lmrec-train --model sasrec --init sb.lmrc --block preln -o x.lmrc folds.tsv
	[ "${stderr_lines[0]}" = "lmrec-train: --block preln: sb.lmrc has the other blocks" ]
	run -2 lmrec-train --model sasrec --block postln -o x.lmrc folds.tsv
	run -2 lmrec-train --model sasrec --positions middle -o x.lmrc folds.tsv
	run -2 lmrec-train --model sasrec --beta2 1 -o x.lmrc folds.tsv
	run -2 lmrec-train --model ease --positions start -o x.lmrc folds.tsv
	[ ! -e x.lmrc ]
}

@test "lmrec-train: sasrec --dropout-sites all is recorded, changes training, and --init keeps it unless told" {
	cycle_rows >cyc.tsv
	lmrec-split -q -o folds.tsv cyc.tsv
	lmrec-train -q --model sasrec --factors 16 --maxlen 8 --epochs 3 -o out.lmrc folds.tsv
	lmrec-train -q --model sasrec --factors 16 --maxlen 8 --epochs 3 --dropout-sites outputs -o out2.lmrc folds.tsv
	cmp out.lmrc out2.lmrc
	run -1 sh -c 'strings out.lmrc | grep "^dropout_sites="'
	lmrec-train -q --model sasrec --factors 16 --maxlen 8 --epochs 3 --dropout-sites all -o all.lmrc folds.tsv
	! cmp -s out.lmrc all.lmrc
	run -0 sh -c 'strings all.lmrc | grep "^dropout_sites="'
	assert_output 'dropout_sites=all'
	# the same run twice: the same bytes
	lmrec-train -q --model sasrec --factors 16 --maxlen 8 --epochs 3 --dropout-sites all -o all2.lmrc folds.tsv
	cmp all.lmrc all2.lmrc
	lmrec-train -q --model sasrec --init all.lmrc --epochs 1 -o c1.lmrc folds.tsv
	run -0 sh -c 'strings c1.lmrc | grep "^dropout_sites="'
	assert_output 'dropout_sites=all'
	lmrec-train -q --model sasrec --init all.lmrc --epochs 1 --dropout-sites outputs -o c2.lmrc folds.tsv
	run -1 sh -c 'strings c2.lmrc | grep "^dropout_sites="'
	run -2 --separate-stderr lmrec-train --model sasrec --dropout-sites some -o x.lmrc folds.tsv
	[ "${stderr_lines[0]}" = "lmrec-train: invalid value for --dropout-sites: 'some' (expected outputs or all)" ]
	run -2 lmrec-train --model als --dropout-sites all -o x.lmrc folds.tsv
	[ ! -e x.lmrc ]
}

@test "lmrec-train: sasrec --init-std-qkv starts the query, key and value apart, and is an option of sasrec" {
	cycle_rows >cyc.tsv
	lmrec-split -q -o folds.tsv cyc.tsv
	lmrec-train -q --model sasrec --factors 16 --maxlen 8 --epochs 0 --init-std 0.02 -o a.lmrc folds.tsv
	lmrec-train -q --model sasrec --factors 16 --maxlen 8 --epochs 0 --init-std 0.02 --init-std-qkv 0.02 -o b.lmrc folds.tsv
	lmrec-train -q --model sasrec --factors 16 --maxlen 8 --epochs 0 --init-std 0.02 --init-std-qkv 0.1 -o c.lmrc folds.tsv
	cmp a.lmrc b.lmrc
	! cmp -s a.lmrc c.lmrc
	run -2 --separate-stderr lmrec-train --model sasrec --init-std-qkv -1 -o x.lmrc folds.tsv
	[ "${stderr_lines[0]}" = "lmrec-train: invalid value for --init-std-qkv: '-1' (expected a number from 0 to 10)" ]
	run -2 --separate-stderr lmrec-train --model ease --init-std-qkv 0.1 -o x.lmrc folds.tsv
	[[ "${stderr_lines[0]}" == *"--init-std-qkv"*"are options of --model sasrec" ]]
	[ ! -e x.lmrc ]
}

@test "lmrec-train: sasrec --window random trains on the whole of a long history, --window last on its end" {
	# ten long histories: a cycle c0..c7 25 times, then 20 items without a
	# pattern; with --maxlen 4 the last window holds only those. Eight
	# probe users have one item each, c0..c7: the cycle says what comes next.
	{
		printf 'user\titem\tts\n'
		for u in 0 1 2 3 4 5 6 7 8 9; do
			t=0
			for r in $(seq 25); do for k in 0 1 2 3 4 5 6 7; do t=$((t + 1)); printf 'l%s\tc%s\t%s\n' "$u" "$k" "$t"; done; done
			for z in $(seq 10 29); do t=$((t + 1)); printf 'l%s\tz%s%s\t%s\n' "$u" "$u" "$z" "$t"; done
		done
		for k in 0 1 2 3 4 5 6 7; do printf 'p%s\tc%s\t1\n' "$k" "$k"; done
	} >long.tsv
	for w in last random; do
		lmrec-train -q --model sasrec --window "$w" --factors 16 --maxlen 4 --epochs 40 --lr 0.01 --dropout 0 \
			--folds all -s 1 -o "$w.lmrc" long.tsv
	done
	run -0 sh -c 'strings random.lmrc | grep "^window="'
	assert_output 'window=random'
	run -1 sh -c 'strings last.lmrc | grep "^window="'
	# the probes' next item: c(k+1)
	for w in last random; do
		lmrec-recall -q -m "$w.lmrc" -n 1 --users <(printf 'user\np0\np1\np2\np3\np4\np5\np6\np7\n') -o "$w-next.tsv"
		hits[${#hits[@]}]=$(awk -F'\t' 'NR > 1 { k = substr($1, 2); if ($2 == "c" ((k + 1) % 8)) n++ } END { print n + 0 }' "$w-next.tsv")
	done
	[ "${hits[0]}" -le 2 ] || { echo "last: ${hits[0]} of 8"; false; }
	[ "${hits[1]}" -ge 7 ] || { echo "random: ${hits[1]} of 8"; false; }
	# the same seed, the same model
	lmrec-train -q --model sasrec --window random --factors 16 --maxlen 4 --epochs 40 --lr 0.01 --dropout 0 \
		--folds all -s 1 -o again.lmrc long.tsv
	cmp random.lmrc again.lmrc
	run -2 --separate-stderr lmrec-train --model sasrec --window middle -o x.lmrc long.tsv
	[ "${stderr_lines[0]}" = "lmrec-train: invalid value for --window: 'middle' (expected last or random)" ]
	run -2 lmrec-train --model als --window random -o x.lmrc long.tsv
	[ ! -e x.lmrc ]
}

# crossdomain: places a1 a2, shop b1 b2 b3; six users (u5 and u6 shop only).
crossdomain_data() {
	tsv 'item|title|domain' 'a1|Harbour Walk|places' 'a2|Ridge Trail|places' \
		'b1|Sun Hat|shop' 'b2|Sandals|shop' 'b3|Rain Shell|shop' >items.tsv
	tsv 'user|item|ts' 'u1|a1|1' 'u1|b1|2' 'u2|a1|3' 'u2|b1|4' 'u2|b2|5' 'u3|a2|6' 'u3|b2|7' \
		'u4|a2|8' 'u4|b3|9' 'u5|b3|10' 'u6|b3|11' >xd.tsv
}

@test "lmrec-train: crossdomain links are c(a,b) / (n(a) + shrink) across domains only, beside the prior" {
	crossdomain_data
	run -0 --separate-stderr lmrec-train --model crossdomain --items items.tsv --shrink 1 -o xd.lmrc xd.tsv
	[[ "$stderr" == "lmrec-train: crossdomain: 6 users, 5 items in 2 domains, 8 links, 0 items with vectors; "*" s" ]]
	run strings_of xd.lmrc domains
	assert_output "$(printf 'places\nshop')"
	run ints xd.lmrc item_domain u4
	assert_output '0 0 1 1 1'
	# rows: a1 -> b1 2/3, b2 1/3; a2 -> b2 1/3, b3 1/3; b1 -> a1 2/3;
	# b2 -> a1 1/3, a2 1/3; b3 (3 users) -> a2 1/4
	run ints xd.lmrc links_ptr u8
	assert_output '0 2 4 5 7 8'
	run ints xd.lmrc links_idx u4
	assert_output '2 3 3 4 0 0 1 1'
	run floats xd.lmrc links_val 8
	assert_output '0.6666667 0.33333334 0.33333334 0.33333334 0.6666667 0.33333334 0.33333334 0.25'
	# p = (n + 1) / (U + 1): 3/7, and 4/7 for b3
	run floats xd.lmrc prior 5
	assert_output '0.42857143 0.42857143 0.42857143 0.42857143 0.5714286'
	run floats xd.lmrc item_users 5
	assert_output '2 2 2 2 3'
	run strings_of xd.lmrc params
	assert_output "$(printf '%s\n' model=crossdomain folds=train use_weights=0 items_file=items.tsv \
		neighbors=200 users=6 items=5 interactions=11 shrink=1 cooccurrence_weight=1 semantic_weight=0)"
	# --neighbors 1: the most shared item of each other domain, ties to the
	# smaller id (a2 -> b2, not b3)
	lmrec-train -q --model crossdomain --items items.tsv --shrink 1 --neighbors 1 -o one.lmrc xd.tsv
	run ints one.lmrc links_idx u4
	assert_output '2 3 0 0 1'
}

@test "lmrec-train: crossdomain keeps the catalog's items, vectors and a map for each pair of domains" {
	crossdomain_data
	tsv 'item|d0|d1' 'a1|0.6|0.8' 'a2|1|0' 'b1|0|1' 'b2|0.8|0.6' 'b3|1|0' 'x9|1|1' >v.tsv
	# an interaction with an item the catalog lacks is left out, and said
	{ cat xd.tsv; tsv 'u1|zz|12'; } >more.tsv
	run -0 --separate-stderr lmrec-train --model crossdomain --items items.tsv --vectors v.tsv -o xd.lmrc more.tsv
	[ "${stderr_lines[0]}" = "lmrec-train: warning: 1 user-item pair names items that items.tsv does not hold: left out" ]
	[[ "${stderr_lines[1]}" == *" 5 items in 2 domains, "*", 5 items with vectors; "* ]]
	run strings_of xd.lmrc items
	assert_output "$(printf 'a1\nb1\nb2\nb3\na2' | sort)"
	run floats xd.lmrc item_vectors 2
	assert_output "$(printf '0.6 0.8\n1 0\n0 1\n0.8 0.6\n1 0')"
	# u1..u4 have both domains: places>shop and shop>places learned from 4
	run ints xd.lmrc map_users u8
	assert_output '0 4 4 0'
	# the blocks of a domain with itself are the identity
	run floats xd.lmrc map 4
	assert_line --index 0 '1 0 0 1'
	assert_line --index 3 '1 0 0 1'
	run strings_of xd.lmrc params
	assert_line semantic_weight=1
	assert_line lambda=1
}

@test "lmrec-train: crossdomain is the same byte for byte, whatever -j" {
	awk 'BEGIN { print "item\tdomain"; for (i = 1; i <= 30; i++) printf "i%02d\t%s\n", i, (i % 3 == 0 ? "food" : i % 3 == 1 ? "shop" : "video") }' >cat.tsv
	awk 'BEGIN { print "item\td0\td1\td2"; for (i = 1; i <= 30; i++) printf "i%02d\t%d\t%d\t%d\n", i, i % 4, (i * 7) % 5, (i * 3) % 7 }' >v.tsv
	awk 'BEGIN { print "user\titem\tts"
		for (u = 1; u <= 40; u++) for (i = 1; i <= 30; i++)
			if ((u * 7 + i * 3) % 5 < 2) printf "u%d\ti%02d\t%d\n", u, i, u * 100 + i }' >d.tsv
	lmrec-train -q --model crossdomain --items cat.tsv --vectors v.tsv --neighbors 3 -j 1 -o a.lmrc d.tsv
	lmrec-train -q --model crossdomain --items cat.tsv --vectors v.tsv --neighbors 3 -j 2 -o b.lmrc d.tsv
	cmp a.lmrc b.lmrc
	gzip -c d.tsv >d.tsv.gz
	lmrec-train -q --model crossdomain --items cat.tsv --vectors v.tsv --neighbors 3 -o c.lmrc d.tsv.gz
	cmp a.lmrc c.lmrc
	# header-only interactions: the catalog, no users, no candidates
	printf 'user\titem\tts\n' >h.tsv
	run -0 --separate-stderr lmrec-train --model crossdomain --items cat.tsv -o h.lmrc h.tsv
	[[ "$stderr" == "lmrec-train: crossdomain: 0 users, 30 items in 3 domains, 0 links, 0 items with vectors; "* ]]
	run -0 lmrec-recall -q -m h.lmrc
	assert_output "$(printf 'user\titem\tscore\tchannel\tkind\tbecause\tbecause2')"
}

@test "lmrec-train: crossdomain usage errors exit 2, a bad catalog 65" {
	crossdomain_data
	run -2 --separate-stderr lmrec-train --model crossdomain -o m.lmrc xd.tsv
	[ "${stderr_lines[0]}" = "lmrec-train: --model crossdomain needs --items (the catalog, with a domain column)" ]
	run -2 --separate-stderr lmrec-train --model itemknn --items items.tsv -o m.lmrc xd.tsv
	[ "${stderr_lines[0]}" = "lmrec-train: --items, --cooccurrence-weight and --semantic-weight are options of --model crossdomain" ]
	run -2 --separate-stderr lmrec-train --model crossdomain --items items.tsv --cooccurrence-weight 0 \
		--semantic-weight 0 -o m.lmrc xd.tsv
	[ "${stderr_lines[0]}" = "lmrec-train: --cooccurrence-weight and --semantic-weight cannot both be 0" ]
	run -2 lmrec-train --model crossdomain --items items.tsv --semantic-weight -1 -o m.lmrc xd.tsv
	run -2 --separate-stderr lmrec-train --model crossdomain --items items.tsv --cooccurrence-weight 0 -o m.lmrc xd.tsv
	[ "${stderr_lines[0]}" = "lmrec-train: --cooccurrence-weight 0 leaves only the text: give --vectors" ]
	run -2 lmrec-train --model crossdomain --items items.tsv --init m.lmrc -o m.lmrc xd.tsv
	tsv 'item|title' 'a1|A' >nodomain.tsv
	run -65 --separate-stderr lmrec-train --model crossdomain --items nodomain.tsv -o m.lmrc xd.tsv
	[ "$stderr" = "lmrec-train: nodomain.tsv:1: no column 'domain' in the header" ]
	tsv 'item|domain' 'a1|places' 'a2|' >empty.tsv
	run -65 --separate-stderr lmrec-train --model crossdomain --items empty.tsv -o m.lmrc xd.tsv
	[ "$stderr" = "lmrec-train: empty.tsv:3: column 'domain': item 'a2' has no domain" ]
	tsv 'item|domain' 'a1|places' 'a1|shop' >twice.tsv
	run -65 --separate-stderr lmrec-train --model crossdomain --items twice.tsv -o m.lmrc xd.tsv
	[ "$stderr" = "lmrec-train: twice.tsv:3: column 'item': item 'a1' is given twice" ]
	printf 'item\tdomain\r\na1\tplaces\r\n' >crlf.tsv
	run -65 lmrec-train --model crossdomain --items crlf.tsv -o m.lmrc xd.tsv
	[ ! -e m.lmrc ]
}

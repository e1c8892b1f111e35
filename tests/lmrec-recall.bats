#!/usr/bin/env bats
# lmrec-recall: per-user candidates from trained models.

load test_helper

HEADER='user|item|score|channel|kind|because|because2'

setup() {
	cd "$BATS_TEST_TMPDIR"
	# popularity: a 2, b 2, c 2, d 1
	tsv 'user|item|ts' 'u1|a|1' 'u1|b|2' 'u2|a|3' 'u2|c|4' 'u3|b|5' 'u3|c|6' 'u3|d|7' >d.tsv
	lmrec-train -q --model popular -o pop.lmrc d.tsv
	lmrec-train -q --model itemknn --shrink 0 -o knn.lmrc d.tsv
}

# synthetic: 30 users in three taste groups over 24 items.
synthetic() {
	awk 'BEGIN { print "user\titem\tts"
		for (u = 1; u <= 30; u++) for (i = 1; i <= 24; i++)
			if ((i % 3 == u % 3 && (u * 7 + i * 5) % 4 != 0) || (u * 13 + i * 11) % 17 == 0)
				printf "u%02d\ti%02d\t%d\n", u, i, u * 100 + i }'
}

@test "lmrec-recall: --help and --version exit 0, an unknown option exits 2" {
	run lmrec-recall --help
	assert_success
	assert_line --partial 'Usage: lmrec-recall'
	run lmrec-recall --version
	assert_success
	assert_output 'lmrec-recall (lmrec) 0.1.0'
	run -2 --separate-stderr lmrec-recall -m pop.lmrc --bogus
	[ "${stderr_lines[1]}" = "Try 'lmrec-recall --help' for more information." ]
}

@test "lmrec-recall: every --help option is in the man page" {
	run check_man_page lmrec-recall
	assert_success
}

@test "lmrec-recall: usage errors exit 2" {
	run -2 --separate-stderr lmrec-recall
	[ "${stderr_lines[0]}" = "lmrec-recall: --model-file is required" ]
	run -2 --separate-stderr lmrec-recall -m pop.lmrc -m pop.lmrc
	[ "${stderr_lines[0]}" = "lmrec-recall: two channels are named 'popular': name them NAME=FILE" ]
	run -2 --separate-stderr lmrec-recall -m pop.lmrc --quota knn=3
	[ "${stderr_lines[0]}" = "lmrec-recall: --quota names a channel no --model-file has: 'knn'" ]
	run -2 lmrec-recall -m pop.lmrc --quota popular=0
	run -2 lmrec-recall -m =pop.lmrc
	run -2 lmrec-recall -m pop.lmrc d.tsv
	run -2 lmrec-recall -m pop.lmrc --folds train,tst
	run -2 lmrec-recall -m pop.lmrc -n 0
}

@test "lmrec-recall: leaves out seen items, best first; --keep-seen keeps them" {
	run lmrec-recall -q -m pop.lmrc
	assert_success
	assert_output "$(tsv "$HEADER" \
		'u1|c|2|popular|popular||' 'u1|d|1|popular|popular||' \
		'u2|b|2|popular|popular||' 'u2|d|1|popular|popular||' \
		'u3|a|2|popular|popular||')"
	run lmrec-recall -q -m pop.lmrc --keep-seen -n 3
	assert_output "$(tsv "$HEADER" \
		'u1|a|2|popular|popular||' 'u1|b|2|popular|popular||' 'u1|c|2|popular|popular||' \
		'u2|a|2|popular|popular||' 'u2|b|2|popular|popular||' 'u2|c|2|popular|popular||' \
		'u3|a|2|popular|popular||' 'u3|b|2|popular|popular||' 'u3|c|2|popular|popular||')"
}

@test "lmrec-recall: ties go to the item id in byte order, then to the channel given first" {
	tsv 'user|item|ts' 'u|b9|1' 'v|b10|1' 'w|a|1' 'x|z|1' 'y|z|1' >t.tsv
	lmrec-train -q --model popular -o t.lmrc t.tsv
	printf 'user\nnew\n' >users.tsv
	run lmrec-recall -q -m second=t.lmrc -m first=t.lmrc -n 3 --users users.tsv
	assert_output "$(tsv "$HEADER" \
		'new|z|2|second|popular||' 'new|z|2|first|popular||' \
		'new|a|1|second|popular||' 'new|a|1|first|popular||' \
		'new|b10|1|second|popular||' 'new|b10|1|first|popular||')"
}

@test "lmrec-recall: -m NAME=FILE names the channel, escaped in the output" {
	run lmrec-recall -q -m "$(printf 'my\tpop')=pop.lmrc" -n 1 --users <(tsv 'user' 'u3')
	assert_output "$(printf 'user\titem\tscore\tchannel\tkind\tbecause\tbecause2\nu3\ta\t2\tmy\\tpop\tpopular\t\t')"
}

@test "lmrec-recall: -n per channel, --quota per named channel" {
	run lmrec-recall -q -m pop=pop.lmrc -m knn=knn.lmrc -n 1 --quota pop=2 --users <(tsv 'user' 'u1')
	# rows by score, then item: knn's c (1) before pop's d (1)
	assert_output "$(tsv "$HEADER" \
		'u1|c|2|pop|popular||' 'u1|c|1|knn|itemknn|a|b' 'u1|d|1|pop|popular||')"
}

@test "lmrec-recall: --users restricts the users and scores those without history" {
	tsv 'user|name' 'u2|x' 'zz|y' 'u2|x' >users.tsv
	run lmrec-recall -q -m pop.lmrc -m knn.lmrc -n 2 --users users.tsv
	assert_success
	# item-kNN has nothing to go on for zz: popular alone answers
	assert_output "$(tsv "$HEADER" \
		'u2|b|2|popular|popular||' 'u2|b|1|itemknn|itemknn|a|c' 'u2|d|1|popular|popular||' \
		'u2|d|0.707106769|itemknn|itemknn|c|' \
		'zz|a|2|popular|popular||' 'zz|b|2|popular|popular||')"
}

@test "lmrec-recall: channels with nothing to go on write no rows, item-kNN only neighbours" {
	synthetic >s.tsv
	for m in itemknn ease als bpr; do
		lmrec-train -q --model $m --factors 4 --iters 2 --epochs 2 -o $m.lmrc s.tsv
	done
	printf 'user\nnobody\n' >users.tsv
	run -0 --separate-stderr lmrec-recall -m itemknn.lmrc -m ease.lmrc -m als.lmrc -m bpr.lmrc --users users.tsv
	assert_output "$(tsv "$HEADER")"
	[ "$stderr" = "lmrec-recall: 0 users, 0 candidates from 4 channels" ]
	# item x of item-kNN shares no user with y: its list is y's neighbours only
	tsv 'user|item|ts' 'u1|x|1' 'u2|y|1' 'u2|z|1' >xyz.tsv
	lmrec-train -q --model itemknn -o xyz.lmrc xyz.tsv
	run lmrec-recall -q -m xyz.lmrc --history <(tsv 'user|item' 'q|y')
	assert_output "$(tsv "$HEADER" 'q|z|0.0909090936|itemknn|itemknn|y|')"
}

@test "lmrec-recall: 'because' names the history items that contribute most" {
	# u1 (a b c): d shares 2 users with a, 1 with b, none with c; e one with c
	tsv 'user|item|ts' 'u1|a|1' 'u1|b|2' 'u1|c|3' 'u2|a|4' 'u2|d|5' 'u3|b|6' 'u3|d|7' \
		'u4|a|8' 'u4|d|9' 'u5|c|10' 'u5|e|11' >b.tsv
	lmrec-train -q --model itemknn --shrink 0 -o k.lmrc b.tsv
	lmrec-train -q --model ease --lambda 1 -o e.lmrc b.tsv
	# kNN: d = cos(a,d) + cos(b,d) = 2/3 + 1/sqrt 6; e = cos(c,e) = 1/sqrt 2
	run lmrec-recall -q -m k.lmrc -m e.lmrc --users <(tsv 'user' 'u1')
	assert_output "$(tsv "$HEADER" \
		'u1|d|1.07491493|itemknn|itemknn|a|b' 'u1|e|0.707106769|itemknn|itemknn|c|' \
		'u1|d|0.466666669|ease|ease|a|b' 'u1|e|0.16883117|ease|ease|c|')"
	# EASE: the contributions are B rows; c's to d and a's and b's to e are < 0
	run lmrec-recall -q -m e.lmrc --keep-seen --history <(tsv 'user|item' 'qa|a' 'qb|b' 'qc|c')
	assert_line "$(tsv 'qa|d|0.51111114|ease|ease|a|')"
	assert_line "$(tsv 'qb|d|0.266666681|ease|ease|b|')"
	assert_line "$(tsv 'qc|d|-0.311111122|ease|ease||')"
	assert_line "$(tsv 'qa|e|-0.116883114|ease|ease||')"
	assert_line "$(tsv 'qc|e|0.415584415|ease|ease|c|')"
}

# contrib_sums FILE: the rows whose contributions do not sum to the score
# (within 1e-4 of its magnitude, and of 1e-4), and the rows checked.
contrib_sums() {
	awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "contrib") c = i; next }
		{ n = split($c, e, ","); s = 0
		  for (j = 1; j <= n; j++) { k = split(e[j], p, ":"); s += p[k] }
		  d = s - $3; if (d < 0) d = -d; m = $3 < 0 ? -$3 : $3; if (m < 1) m = 1
		  if (d > 1e-4 * m) bad++; rows++ }
		END { print bad + 0, rows + 0 }' "$1"
}

@test "lmrec-recall: --contributions lists each row's history items by contribution; because follows them" {
	# cos(a,c) = cos(b,c) = 1/2 and cos(b,d) = 1/sqrt 2 (d.tsv of setup)
	run lmrec-recall -q -m knn.lmrc -m pop.lmrc --contributions 2 -n 1
	assert_success
	assert_output "$(tsv "$HEADER|contrib" \
		'u1|c|2|popular|popular|||' 'u1|c|1|itemknn|itemknn|a|b|a:0.5,b:0.5' \
		'u2|b|2|popular|popular|||' 'u2|b|1|itemknn|itemknn|a|c|a:0.5,c:0.5' \
		'u3|a|2|popular|popular|||' 'u3|a|1|itemknn|itemknn|b|c|b:0.5,c:0.5')"
	run lmrec-recall -q -m knn.lmrc --contributions 1 --users <(tsv user u1)
	assert_output "$(tsv "$HEADER|contrib" 'u1|c|1|itemknn|itemknn|a||a:0.5' \
		'u1|d|0.707106769|itemknn|itemknn|b||b:0.707106769')"
	# without the option the output is what it was
	run lmrec-recall -q -m knn.lmrc --users <(tsv user u1)
	assert_output "$(tsv "$HEADER" 'u1|c|1|itemknn|itemknn|a|b' 'u1|d|0.707106769|itemknn|itemknn|b|')"
	run -2 lmrec-recall -m knn.lmrc --contributions 0
}

@test "lmrec-recall: itemknn, ease, als and semantic contributions sum to the score on every row" {
	synthetic >s.tsv
	lmrec-train -q --model itemknn -o k.lmrc s.tsv
	lmrec-train -q --model ease -o e.lmrc s.tsv
	lmrec-train -q --model als --factors 8 --iters 10 -o a.lmrc s.tsv
	awk -F'\t' 'NR == 1 { print "item\td0\td1\td2"; next } !seen[$2]++ { print $2 "\t" ($2 % 3) "\t" ($2 % 5) "\t1" }' \
		s.tsv >v.tsv
	lmrec-train -q --model semantic --vectors v.tsv -o m.lmrc s.tsv
	# every history item listed: 24 items, at most 24 in a history
	lmrec-recall -q -m k.lmrc -m e.lmrc -m a.lmrc -m m.lmrc --history s.tsv --fold-in --contributions 24 \
		-n 10 -o c.tsv
	run contrib_sums c.tsv
	assert_output '0 1200'
	# a user the model knows is explained by the folded-in vector, which
	# the trained one approximates: the same contributions
	# (compared on the rows both lists have)
	lmrec-recall -q -m a.lmrc --contributions 24 -n 10 | cut -f1,2,8 >trained
	lmrec-recall -q -m a.lmrc --history s.tsv --fold-in --contributions 24 -n 10 | cut -f1,2,8 >folded
	run awk -F'\t' 'NR == FNR { c[$1, $2] = $3; next } ($1, $2) in c { n++; if (c[$1, $2] != $3) bad++ }
		END { print (n > 250), bad + 0 }' trained folded
	assert_output '1 0'
}

@test "lmrec-recall: crossdomain contributions are what the score loses without the item, by hand" {
	crossdomain_model
	tsv 'user|item' 'q1|a1' 'q2|a1' 'q2|a2' >h.tsv
	# q1: without a1 nothing scores b: a1 is all of each score.
	# q2: without a2, CO(b1) = 17/21 and without a1 1/7, against 10/21:
	#   a1 ln(10/3), a2 ln(10/17); b2 has 10/21 without either: nothing
	#   listed; b3 4/21 without a2 and 11/21 without a1, against 5/14
	run lmrec-recall -q -m xd.lmrc --history h.tsv --from-domain places --to-domain shop --contributions 2
	assert_output "$(tsv "$HEADER|contrib" \
		'q1|b1|-0.21130906|crossdomain|crossdomain|a1||a1:0.21130906' \
		'q1|b2|-0.741937339|crossdomain|crossdomain|a1||a1:0.741937339' \
		'q1|b3|-1.65822804|crossdomain|crossdomain|a1||a1:1.65822804' \
		'q2|b1|-0.741937339|crossdomain|crossdomain|a1||a1:1.20397282,a2:-0.530628264' \
		'q2|b2|-0.741937339|crossdomain|crossdomain|||' \
		'q2|b3|-1.02961934|crossdomain|crossdomain|a2||a2:0.628608704,a1:-0.382992208')"
}

@test "lmrec-recall: sasrec contributions are what the score loses without the item" {
	# 30 users cycling through 8 items
	awk 'BEGIN { print "user\titem\tts"; for (u = 1; u <= 30; u++) for (t = 0; t < 10; t++)
		printf "u%02d\ti%d\t%d\n", u, (u + t) % 8, t }' >cyc.tsv
	lmrec-train -q --model sasrec --factors 16 --maxlen 6 --epochs 3 --folds all -o s.lmrc cyc.tsv
	lmrec-recall -q -m s.lmrc --history cyc.tsv --fold-in --contributions 3 -n 2 --keep-seen \
		--users <(tsv user u01 u02) -o c.tsv
	[ "$(wc -l <c.tsv)" -eq 5 ]
	# each listed item: the score of the history without it
	run awk -F'\t' 'NR > 1 { n = split($8, e, ","); for (j = 1; j <= n; j++) { split(e[j], p, ":")
		print $1 "\t" $2 "\t" $3 "\t" p[1] "\t" p[2] } }' c.tsv
	[ "${#lines[@]}" -ge 4 ]
	while IFS=$'\t' read -r user item score without value; do
		awk -F'\t' -v u="$user" -v h="$without" 'NR == 1 || !($1 == u && $2 == h)' cyc.tsv >h.tsv
		s2=$(lmrec-recall -q -m s.lmrc --history h.tsv --fold-in -n 8 --keep-seen --users <(tsv user "$user") |
			awk -F'\t' -v i="$item" '$2 == i { print $3 }')
		awk -v s="$score" -v s2="$s2" -v v="$value" 'BEGIN { d = s - s2 - v; exit !(d < 1e-4 && d > -1e-4) }'
	done <<<"$output"
}

@test "lmrec-recall: --contributions percent-encodes the ids' reserved bytes" {
	tsv 'user|item|ts' 'u1|a,1|1' 'u1|b:2|2' 'u2|a,1|3' 'u2|c%\t3|4' >p.tsv
	lmrec-train -q --model itemknn --shrink 0 -o p.lmrc p.tsv
	run lmrec-recall -q -m p.lmrc --contributions 2
	assert_output "$(tsv "$HEADER|contrib" 'u1|c%\t3|0.707106769|itemknn|itemknn|a,1||a%2C1:0.707106769' \
		'u2|b:2|0.707106769|itemknn|itemknn|a,1||a%2C1:0.707106769')"
}

@test "lmrec-recall: ALS folds in an unknown user exactly as a known one with --fold-in" {
	synthetic >s.tsv
	lmrec-train -q --model als --factors 8 --iters 30 -o als.lmrc s.tsv
	awk -F'\t' '$1 == "u01" { $1 = "newcomer" } { print }' OFS='\t' s.tsv >h.tsv
	# one user at a time: BLAS may round a block of one user differently
	run lmrec-recall -q -m als.lmrc -n 5 --history h.tsv --users <(tsv user newcomer)
	assert_success
	new=$(sed 1d <<<"$output" | cut -f2-)
	[ "$(wc -l <<<"$new")" -eq 5 ]
	run lmrec-recall -q -m als.lmrc -n 5 --history s.tsv --fold-in --users <(tsv user u01)
	[ "$(sed 1d <<<"$output" | cut -f2-)" = "$new" ]
	# without --fold-in u01 keeps the trained vector: other scores
	run lmrec-recall -q -m als.lmrc -n 5 --history s.tsv --users <(tsv user u01)
	[ "$(sed 1d <<<"$output" | cut -f2-)" != "$new" ]
}

@test "lmrec-recall: ALS fold-in is the exact solve, also for a model trained with --cg-steps" {
	synthetic >s.tsv
	lmrec-train -q --model als --factors 8 --iters 5 --cg-steps 2 -o cg.lmrc s.tsv
	# the same factors, recorded as trained by exact solves
	lmrec-train -q --model als --factors 8 --init cg.lmrc --iters 0 --cg-steps 0 -o exact.lmrc s.tsv
	awk -F'\t' '$1 == "u01" || NR == 1 { sub(/^u01/, "newcomer"); print }' s.tsv >h.tsv
	run lmrec-recall -q -m cg.lmrc -n 5 --history h.tsv
	cg="$output"
	[ "$(wc -l <<<"$cg")" -eq 6 ]
	run lmrec-recall -q -m exact.lmrc -n 5 --history h.tsv
	assert_output "$cg"
}

@test "lmrec-recall: ALS fold-in of a user's own training rows nearly reproduces the trained scores" {
	synthetic >s.tsv
	lmrec-train -q --model als --factors 8 --iters 30 -o als.lmrc s.tsv
	lmrec-recall -q -m als.lmrc -n 24 --keep-seen | sed 1d | sort >trained
	lmrec-recall -q -m als.lmrc -n 24 --keep-seen --history s.tsv --fold-in | sed 1d | sort >folded
	[ "$(wc -l <trained)" -eq 720 ]
	# every (user, item) score within 0.01 (the scores span about 0 to 1)
	run awk -F'\t' 'NR == FNR { s[$1, $2] = $3; next }
		{ d = $3 - s[$1, $2]; if (d < 0) d = -d; if (d > 0.01 || !(($1, $2) in s)) bad++ }
		END { print bad + 0 }' trained folded
	assert_output 0
	# and the lists agree at the top
	lmrec-recall -q -m als.lmrc -n 3 | cut -f1,2 >t3
	lmrec-recall -q -m als.lmrc -n 3 --history s.tsv --fold-in | cut -f1,2 >f3
	cmp t3 f3
}

@test "lmrec-recall: --history weights count only for a model trained with --use-weights" {
	tsv 'user|item|ts|weight' 'u1|a|1|1' 'u1|b|2|1' 'u2|a|3|1' 'u2|c|4|1' >w.tsv
	lmrec-train -q --model itemknn --shrink 0 -o bin.lmrc w.tsv
	lmrec-train -q --model itemknn --shrink 0 --use-weights -o wt.lmrc w.tsv
	tsv 'user|item|weight' 'q|a|4' >h.tsv
	run lmrec-recall -q -m bin=bin.lmrc -m wt=wt.lmrc --history h.tsv
	# cos(a,b) = cos(a,c) = 1/sqrt 2; the weighted model counts a four times
	assert_output "$(tsv "$HEADER" 'q|b|2.82842708|wt|itemknn|a|' 'q|c|2.82842708|wt|itemknn|a|' \
		'q|b|0.707106769|bin|itemknn|a|' 'q|c|0.707106769|bin|itemknn|a|')"
}

@test "lmrec-recall: --history scores from that history and still leaves out what was trained on" {
	tsv 'user|item' 'u1|c' >h.tsv
	run lmrec-recall -q -m knn.lmrc --history h.tsv
	# c's neighbours are a, b (seen in training) and d
	assert_output "$(tsv "$HEADER" 'u1|d|0.707106769|itemknn|itemknn|c|')"
	run lmrec-recall -q -m knn.lmrc --history h.tsv --keep-seen
	assert_output "$(tsv "$HEADER" 'u1|d|0.707106769|itemknn|itemknn|c|' 'u1|a|0.5|itemknn|itemknn|c|' 'u1|b|0.5|itemknn|itemknn|c|')"
}

@test "lmrec-recall: --folds picks the history rows of a folds stream" {
	tsv 'user|item|ts|fold' 'q|a|1|train' 'q|c|2|valid' 'q|d|3|test' >f.tsv
	# train and valid: a and c
	run lmrec-recall -q -m knn.lmrc --history f.tsv
	assert_output "$(tsv "$HEADER" 'q|b|1|itemknn|itemknn|a|c' 'q|d|0.707106769|itemknn|itemknn|c|')"
	run lmrec-recall -q -m knn.lmrc --history f.tsv --folds test
	assert_output "$(tsv "$HEADER" 'q|b|0.707106769|itemknn|itemknn|d|' 'q|c|0.707106769|itemknn|itemknn|d|')"
}

@test "lmrec-recall: header-only inputs give header-only output" {
	printf 'user\titem\n' >h.tsv
	run -0 lmrec-recall -q -m pop.lmrc --history h.tsv
	assert_output "$(tsv "$HEADER")"
	printf 'user\n' >u.tsv
	run -0 lmrec-recall -q -m pop.lmrc --users u.tsv
	assert_output "$(tsv "$HEADER")"
	run -0 lmrec-recall -q -m knn.lmrc --users u.tsv --contributions 3
	assert_output "$(tsv "$HEADER|contrib")"
}

@test "lmrec-recall: a missing column exits 65 naming file and line" {
	tsv 'user|thing' 'u1|a' >h.tsv
	run -65 --separate-stderr lmrec-recall -m pop.lmrc --history h.tsv
	[ "$stderr" = "lmrec-recall: h.tsv:1: no column 'item' in the header" ]
	tsv 'id' 'u1' >u.tsv
	run -65 --separate-stderr lmrec-recall -m pop.lmrc --users u.tsv -o out.tsv
	[ "$stderr" = "lmrec-recall: u.tsv:1: no column 'user' in the header" ]
	[ ! -e out.tsv ]
}

@test "lmrec-recall: CRLF input exits 65" {
	printf 'user\titem\r\nu1\ta\r\n' >crlf.tsv
	run -65 --separate-stderr lmrec-recall -m pop.lmrc --history crlf.tsv
	[[ "$stderr" == "lmrec-recall: crlf.tsv:1: line ends with CR"*dos2unix* ]]
}

@test "lmrec-recall: escaped ids round-trip" {
	printf 'user\titem\tts\nu\\\\1\ta\\tb\t1\nu2\ta\\tb\t2\nu2\tc\\nd\t3\n' >esc.tsv
	lmrec-train -q --model itemknn -o esc.lmrc esc.tsv
	printf 'user\titem\nn\\te\\\\w\ta\\tb\n' >h.tsv
	run lmrec-recall -q -m esc.lmrc --history h.tsv
	# cos = 1 / (sqrt(2 * 1) + 10)
	assert_output "$(printf 'user\titem\tscore\tchannel\tkind\tbecause\tbecause2\nn\\te\\\\w\tc\\nd\t0.0876100659\titemknn\titemknn\ta\\tb\t')"
}

@test "lmrec-recall: gzip history gives the same output as plain, .gz output is gzip" {
	synthetic >s.tsv
	lmrec-train -q --model als --factors 4 --iters 3 -o als.lmrc s.tsv
	gzip -c s.tsv >s.tsv.gz
	run lmrec-recall -q -m als.lmrc -n 5 --history s.tsv --fold-in
	plain="$output"
	[ "$(wc -l <<<"$plain")" -eq 151 ]
	run lmrec-recall -q -m als.lmrc -n 5 --history s.tsv.gz --fold-in
	assert_output "$plain"
	lmrec-recall -q -m als.lmrc -n 5 --history s.tsv --fold-in -o out.tsv.gz
	[ "$(gzip -dc out.tsv.gz)" = "$plain" ]
}

@test "lmrec-recall: the same input gives the same output, also with -j 2" {
	synthetic >s.tsv
	lmrec-train -q --model als --factors 8 --iters 3 -o als.lmrc s.tsv
	lmrec-train -q --model bpr --factors 8 --epochs 3 -o bpr.lmrc s.tsv
	lmrec-recall -q -m als.lmrc -m bpr.lmrc -n 10 -j 2 -o a.tsv
	lmrec-recall -q -m als.lmrc -m bpr.lmrc -n 10 -j 2 -o b.tsv
	cmp a.tsv b.tsv
	[ "$(wc -l <a.tsv)" -eq 601 ]
	lmrec-recall -q -m als.lmrc -m bpr.lmrc -n 10 --contributions 3 -j 2 -o c.tsv
	lmrec-recall -q -m als.lmrc -m bpr.lmrc -n 10 --contributions 3 -j 1 -o d.tsv
	cmp c.tsv d.tsv
	cmp <(cut -f1-5 a.tsv) <(cut -f1-5 c.tsv)
}

@test "lmrec-recall: a truncated or corrupt model exits 65 naming the file" {
	synthetic >s.tsv
	lmrec-train -q --model ease -o e.lmrc s.tsv
	head -c 1000 e.lmrc >cut.lmrc
	run -65 --separate-stderr lmrec-recall -m cut.lmrc
	[[ "$stderr" == "lmrec-recall: cut.lmrc: payload length "*" does not match the file size 1000 (truncated?)" ]]
	cp e.lmrc bad.lmrc
	printf 'X' | dd of=bad.lmrc bs=1 seek=2000 conv=notrunc 2>/dev/null
	run -65 --separate-stderr lmrec-recall -m bad.lmrc -o out.tsv
	[ "$stderr" = "lmrec-recall: bad.lmrc: payload checksum mismatch (the file is corrupt)" ]
	[ ! -e out.tsv ]
	run -65 --separate-stderr lmrec-recall -m s.tsv
	[ "$stderr" = "lmrec-recall: s.tsv: not an lmrec model file (bad magic)" ]
	head -c 100 e.lmrc >short.lmrc
	run -65 --separate-stderr lmrec-recall -m short.lmrc
	[ "$stderr" = "lmrec-recall: short.lmrc: not an lmrec model file (100 bytes, shorter than the header)" ]
	run -1 --separate-stderr lmrec-recall -m absent.lmrc
	[ "$stderr" = "lmrec-recall: absent.lmrc: open: No such file or directory" ]
}

# crossdomain: places a1 a2, shop b1 b2 b3; u5 and u6 take shop only.
crossdomain_model() {
	tsv 'item|title|domain' 'a1|Harbour Walk|places' 'a2|Ridge Trail|places' \
		'b1|Sun Hat|shop' 'b2|Sandals|shop' 'b3|Rain Shell|shop' >items.tsv
	tsv 'user|item|ts' 'u1|a1|1' 'u1|b1|2' 'u2|a1|3' 'u2|b1|4' 'u2|b2|5' 'u3|a2|6' 'u3|b2|7' \
		'u4|a2|8' 'u4|b3|9' 'u5|b3|10' 'u6|b3|11' >xd.tsv
	lmrec-train -q --model crossdomain --items items.tsv --shrink 1 "$@" -o xd.lmrc xd.tsv
}

@test "lmrec-recall: crossdomain scores shop items from a places history, as computed by hand" {
	crossdomain_model
	# U = 6 users, shrink s = 1; priors p = (n + 1) / 7: b1 b2 3/7, b3 4/7.
	# q1 took a1 (n = 2): CO(b) = (c(a1,b) + s p_b) / (n + s)
	#   b1 (2 + 3/7) / 3 = 17/21, b2 (1 + 3/7) / 3 = 10/21, b3 (4/7) / 3 = 4/21
	# q2 took a1 and a2: the mean of the two
	#   b1 = b2 = (17/21 + 1/7) / 2 = 10/21, b3 = (4/21 + 11/21) / 2 = 5/14
	# the score is ln CO; because names the items that lift b above its
	# prior (ln(17/9) for b1 by a1; a1 and a2 both ln(10/9) for b2)
	tsv 'user|item' 'q1|a1' 'q2|a1' 'q2|a2' 'q3|b1' >h.tsv
	run lmrec-recall -q -m xd.lmrc --history h.tsv --from-domain places --to-domain shop
	assert_output "$(tsv "$HEADER" \
		'q1|b1|-0.21130906|crossdomain|crossdomain|a1|' \
		'q1|b2|-0.741937339|crossdomain|crossdomain|a1|' \
		'q1|b3|-1.65822804|crossdomain|crossdomain||' \
		'q2|b1|-0.741937339|crossdomain|crossdomain|a1|' \
		'q2|b2|-0.741937339|crossdomain|crossdomain|a1|a2' \
		'q2|b3|-1.02961934|crossdomain|crossdomain||')"
	# the same within float rounding of ln(17/21), ln(10/21), ln(4/21), ln(5/14)
	run awk -F'\t' 'BEGIN { w["q1 b1"] = log(17/21); w["q1 b2"] = log(10/21); w["q1 b3"] = log(4/21)
			w["q2 b1"] = log(10/21); w["q2 b2"] = log(10/21); w["q2 b3"] = log(5/14) }
		NR > 1 { d = $3 - w[$1 " " $2]; if (d < -1e-6 || d > 1e-6) bad++ } END { print bad + 0 }' <(lmrec-recall -q -m xd.lmrc --history h.tsv --from-domain places --to-domain shop)
	assert_output 0
	# the other way: q3 took b1 (n = 2): a1 (2 + 3/7) / 3, a2 (3/7) / 3 = 1/7
	run lmrec-recall -q -m xd.lmrc --history h.tsv --from-domain shop --to-domain places
	assert_output "$(tsv "$HEADER" \
		'q3|a1|-0.21130906|crossdomain|crossdomain|b1|' 'q3|a2|-1.9459101|crossdomain|crossdomain||')"
}

@test "lmrec-recall: crossdomain without domains scores every item from the other domains; seen items stay out" {
	crossdomain_model
	tsv 'user|item' 'q1|a1' 'q2|a1' 'q2|a2' 'q3|b1' >h.tsv
	# no --from-domain/--to-domain: q1 and q2 get shop items, q3 places
	run lmrec-recall -q -m xd.lmrc --history h.tsv -n 1
	assert_output "$(tsv "$HEADER" \
		'q1|b1|-0.21130906|crossdomain|crossdomain|a1|' \
		'q2|b1|-0.741937339|crossdomain|crossdomain|a1|' \
		'q3|a1|-0.21130906|crossdomain|crossdomain|b1|')"
	# the model's own users: u3 (a2 b2) from a2 alone, b2 seen; u5 and u6
	# have no places: no candidates; u1's shop item b1 is seen, not a query
	run lmrec-recall -q -m xd.lmrc --from-domain places --to-domain shop
	assert_output "$(tsv "$HEADER" \
		'u1|b2|-0.741937339|crossdomain|crossdomain|a1|' 'u1|b3|-1.65822804|crossdomain|crossdomain||' \
		'u2|b3|-1.65822804|crossdomain|crossdomain||' \
		'u3|b3|-0.646627128|crossdomain|crossdomain||' 'u3|b1|-1.9459101|crossdomain|crossdomain||' \
		'u4|b2|-0.741937339|crossdomain|crossdomain|a2|' 'u4|b1|-1.9459101|crossdomain|crossdomain||')"
	# no shrinkage: CO is c(a,b) / n(a), and an item without a link from the
	# query is no candidate (q1: b3)
	lmrec-train -q --model crossdomain --items items.tsv --shrink 0 -o s0.lmrc xd.tsv
	run lmrec-recall -q -m s0.lmrc --history h.tsv --from-domain places --to-domain shop --users <(tsv user q1)
	assert_output "$(tsv "$HEADER" \
		'q1|b1|0|crossdomain|crossdomain|a1|' 'q1|b2|-0.693147182|crossdomain|crossdomain|a1|')"
	# a named channel, beside another (whose u3 took b c d of its own data)
	run lmrec-recall -q -m cd=xd.lmrc -m pop.lmrc --from-domain places --to-domain shop -n 1 --users <(tsv user u3)
	assert_output "$(tsv "$HEADER" 'u3|a|2|popular|popular||' 'u3|b3|-0.646627128|cd|crossdomain||')"
}

@test "lmrec-recall: crossdomain text: with no common users the map is the plain cosine" {
	# nobody takes both places and video: the places>video map is the
	# identity, so z = v(a1) = (0.6, 0.8): cos 0.6 with c1, 0.8 with c2
	tsv 'item|domain' 'a1|places' 'a2|places' 'b1|shop' 'c1|video' 'c2|video' >si.tsv
	tsv 'item|d0|d1' 'a1|0.6|0.8' 'a2|1|0' 'b1|0|1' 'c1|1|0' 'c2|0|1' >sv.tsv
	tsv 'user|item|ts' 'u1|a1|1' 'u1|b1|2' 'u2|a2|3' 'u2|b1|4' 'u3|c1|5' >sd.tsv
	tsv 'user|item' 'q|a1' >q.tsv
	# U = 3, s = 1: CO(c) = p_c s / (n(a1) + s) = p_c / 2: c1 2/4 / 2, c2 (nobody) 1/4 / 2
	# weights 1, 1: c1 ln 0.25 + 0.6, c2 ln 0.125 + 0.8
	lmrec-train -q --model crossdomain --items si.tsv --vectors sv.tsv --shrink 1 -o s.lmrc sd.tsv
	run lmrec-recall -q -m s.lmrc --history q.tsv --to-domain video
	assert_output "$(tsv "$HEADER" \
		'q|c1|-0.786294341|crossdomain|crossdomain||' 'q|c2|-1.2794416|crossdomain|crossdomain|a1|')"
	# a text weight of 5 brings c2, which nobody has taken, first
	lmrec-train -q --model crossdomain --items si.tsv --vectors sv.tsv --shrink 1 --semantic-weight 5 -o s.lmrc sd.tsv
	run lmrec-recall -q -m s.lmrc --history q.tsv --to-domain video
	assert_output "$(tsv "$HEADER" \
		'q|c2|1.92055845|crossdomain|crossdomain|a1|' 'q|c1|1.61370564|crossdomain|crossdomain|a1|')"
	# the text alone
	lmrec-train -q --model crossdomain --items si.tsv --vectors sv.tsv --cooccurrence-weight 0 -o s.lmrc sd.tsv
	run lmrec-recall -q -m s.lmrc --history q.tsv --to-domain video
	assert_output "$(tsv "$HEADER" \
		'q|c2|0.800000012|crossdomain|crossdomain|a1|' 'q|c1|0.600000024|crossdomain|crossdomain|a1|')"
}

@test "lmrec-recall: crossdomain domain errors exit 2 with exact messages" {
	crossdomain_model
	run -2 --separate-stderr lmrec-recall -m xd.lmrc --to-domain shoes
	[ "${stderr_lines[0]}" = "lmrec-recall: invalid value for --to-domain: 'shoes' is not a domain of xd.lmrc (places, shop)" ]
	[ "${stderr_lines[1]}" = "Try 'lmrec-recall --help' for more information." ]
	run -2 --separate-stderr lmrec-recall -m xd.lmrc --from-domain Places
	[ "${stderr_lines[0]}" = "lmrec-recall: invalid value for --from-domain: 'Places' is not a domain of xd.lmrc (places, shop)" ]
	run -2 --separate-stderr lmrec-recall -m xd.lmrc --from-domain shop --to-domain shop
	[ "${stderr_lines[0]}" = "lmrec-recall: --from-domain and --to-domain are both 'shop': the crossdomain channel scores one domain from another" ]
	run -2 --separate-stderr lmrec-recall -m pop.lmrc --to-domain shop
	[ "${stderr_lines[0]}" = "lmrec-recall: --from-domain and --to-domain are options of a crossdomain model; no --model-file is one" ]
}

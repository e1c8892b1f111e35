#!/usr/bin/env bats
# lmrec-similar: each item's nearest items from a model.

load test_helper

setup() {
	cd "$BATS_TEST_TMPDIR"
	# a and b always together, c with a once, d alone
	tsv 'user|item|ts' 'u1|a|1' 'u1|b|2' 'u2|a|1' 'u2|b|2' 'u2|c|3' 'u3|d|1' 'u4|a|1' 'u4|b|2' >in.tsv
	tsv 'item|title|available' 'a|Alpha|1' 'b|Beta|1' 'c|Gamma|0' 'd|Delta|1' >items.tsv
	lmrec-train -q --model itemknn --shrink 0 --folds all -o knn.lmrc in.tsv
}

@test "lmrec-similar: --help and --version exit 0, an unknown option exits 2" {
	run lmrec-similar --help
	assert_success
	run lmrec-similar --version
	assert_success
	assert_output 'lmrec-similar (lmrec) 0.1.0'
	run -2 lmrec-similar -m knn.lmrc --bogus
	run -2 lmrec-similar
}

@test "lmrec-similar: every --help option is in the man page" {
	run check_man_page lmrec-similar
	assert_success
}

@test "lmrec-similar: item-kNN neighbours by cosine, best first, with reasons from titles" {
	run lmrec-similar -q -m knn.lmrc --items items.tsv -n 5
	assert_success
	# cos(a,b) = 3/sqrt(3*3) = 1; c is unavailable; d is alone
	assert_output "$(tsv 'item|rank|similar|score|reason' \
		'a|1|b|1|people who liked Alpha also liked Beta' \
		'b|1|a|1|people who liked Beta also liked Alpha')"
}

@test "lmrec-similar: without --items every item is listed by id" {
	run lmrec-similar -q -m knn.lmrc -n 1
	assert_success
	assert_line "$(tsv 'c|1|a|0.577350259|people who liked c also liked a')"
}

@test "lmrec-similar: a popular model is refused, a truncated model exits 65" {
	lmrec-train -q --model popular --folds all -o pop.lmrc in.tsv
	run -2 --separate-stderr lmrec-similar -m pop.lmrc
	[ "$stderr" = "lmrec-similar: pop.lmrc: a popular model has no item similarity" ]
	head -c 300 knn.lmrc >cut.lmrc
	run -65 --separate-stderr lmrec-similar -m cut.lmrc
	[[ "$stderr" == "lmrec-similar: cut.lmrc: "* ]]
}

@test "lmrec-similar: ease and als give lists for every item, gzip output equals plain" {
	for m in ease als; do
		lmrec-train -q --model $m --folds all --factors 4 -o $m.lmrc in.tsv
		run lmrec-similar -q -m $m.lmrc -n 2
		assert_success
	done
	lmrec-similar -q -m knn.lmrc -o s.tsv.gz
	[ "$(gzip -dc s.tsv.gz)" = "$(lmrec-similar -q -m knn.lmrc)" ]
}

@test "lmrec-similar: a content model's lists say what the items share" {
	# a and b point the same way, d the other way; vectors cover items
	# nobody has taken (e) too
	tsv 'item|d0|d1' 'a|1|0' 'b|0.8|0.6' 'd|0|1' 'e|0.6|0.8' >vec.tsv
	tsv 'item|title|attrs' 'a|Alpha|genre=Horror;genre=Sci-Fi' 'b|Beta|genre=Sci-Fi;mood=dark' \
		'd|Delta|genre=Drama' 'e|Epsilon|genre=Sci-Fi;genre=Horror' >cat.tsv
	lmrec-train -q --model semantic --vectors vec.tsv --folds all -o sem.lmrc in.tsv
	run lmrec-similar -q -m sem.lmrc --items cat.tsv -n 1
	assert_success
	# cos(a,b) = 0.8, cos(a,e) = 0.6; cos(e,b) = 0.96; cos(d,e) = 0.8
	assert_output "$(tsv 'item|rank|similar|score|reason' \
		'a|1|b|0.800000012|similar to Alpha: Sci-Fi' \
		'b|1|e|0.960000038|similar to Beta: Sci-Fi' \
		'd|1|e|0.800000012|similar to Delta' \
		'e|1|b|0.960000038|similar to Epsilon: Sci-Fi')"
}

@test "lmrec-similar: a crossdomain model lists each item's best items of the other domains" {
	tsv 'item|title|domain' 'a1|Harbour Walk|places' 'a2|Ridge Trail|places' 'b1|Sun Hat|shop' 'b2|Sandals|shop' >xi.tsv
	tsv 'user|item|ts' 'u1|a1|1' 'u1|b1|2' 'u2|a1|3' 'u2|b1|4' 'u2|b2|5' 'u3|a2|6' 'u3|b2|7' >xd.tsv
	lmrec-train -q --model crossdomain --items xi.tsv --shrink 1 -o xd.lmrc xd.tsv
	# U = 3, s = 1, p = (n + 1) / 4: a1 b1 b2 3/4. a1 (2 users): b1 (2 + 3/4) / 3,
	# b2 (1 + 3/4) / 3; a2 (1 user): b2 (1 + 3/4) / 2; never an item of its domain
	run lmrec-similar -q -m xd.lmrc --items xi.tsv -n 1
	assert_success
	assert_output "$(tsv 'item|rank|similar|score|reason' \
		'a1|1|b1|-0.0870113522|people who liked Harbour Walk also liked Sun Hat' \
		'a2|1|b2|-0.133531392|people who liked Ridge Trail also liked Sandals' \
		'b1|1|a1|-0.0870113522|people who liked Sun Hat also liked Harbour Walk' \
		'b2|1|a1|-0.538996458|people who liked Sandals also liked Harbour Walk')"
}

# ---- --counts: the lists from the counts, and their protection ----

# t.tsv: a by u1..u4, b by u1..u3, c by u1 and u4, d by u3, e by u5:
# pairs a-b 3, a-c 2, b-c 1, a-d 1, b-d 1
counts_data() {
	tsv 'user|item|ts' 'u1|a|1' 'u1|b|2' 'u1|c|3' 'u2|a|1' 'u2|b|2' 'u3|a|1' 'u3|b|2' 'u3|d|3' \
		'u4|a|1' 'u4|c|2' 'u5|e|1' >t.tsv
}

# big.tsv: 300 users, items a (every 2nd user) b (3rd) c (5th) d (6th) e
# (7th); the catalog cat.tsv has f too, which nobody took
big_data() {
	awk 'BEGIN { print "user\titem\tts"
		for (u = 1; u <= 300; u++) {
			if (u % 2 == 0) print "u" u "\ta\t" u
			if (u % 3 == 0) print "u" u "\tb\t" u
			if (u % 5 == 0) print "u" u "\tc\t" u
			if (u % 6 == 0) print "u" u "\td\t" u
			if (u % 7 == 0) print "u" u "\te\t" u
		} }' >big.tsv
	tsv 'item|title' 'a|Alpha' 'b|Beta' 'c|Gamma' 'd|Delta' 'e|Epsilon' 'f|Phi' >cat.tsv
}

DP=(--dp-epsilon 1 --dp-mechanism gaussian --dp-delta 1e-6 --dp-max-per-user 2)

@test "lmrec-similar: --counts gives item-kNN's cosine, c_ij / (sqrt(n_i n_j) + shrink)" {
	run lmrec-similar -q --counts --shrink 0 --items items.tsv in.tsv
	assert_success
	assert_output "$(tsv 'item|rank|similar|score|reason' \
		'a|1|b|1|people who liked Alpha also liked Beta' \
		'b|1|a|1|people who liked Beta also liked Alpha')"
	counts_data
	# shrink 1: a-b 3 / (sqrt(12) + 1), a-c 2 / (sqrt(8) + 1), a-d 1 / (2 + 1)
	run lmrec-similar -q --counts --shrink 1 -n 3 t.tsv
	assert_line -n 1 "$(tsv 'a|1|b|0.672027707|people who liked a also liked b')"
	assert_line -n 2 "$(tsv 'a|2|c|0.52240777|people who liked a also liked c')"
	assert_line -n 3 "$(tsv 'a|3|d|0.333333343|people who liked a also liked d')"
}

@test "lmrec-similar: --counts gives the lists of an itemknn model byte for byte on the sample data" {
	gzip -dc "$TOP/sample-data/interactions.tsv.gz" >s.tsv
	lmrec-train -q --model itemknn --folds all -o s.lmrc s.tsv
	lmrec-similar -q -m s.lmrc --items "$TOP/sample-data/items.tsv" -n 10 -o model.tsv
	lmrec-similar -q --counts --items "$TOP/sample-data/items.tsv" -n 10 -o counts.tsv s.tsv
	[ "$(wc -l <counts.tsv)" -gt 10000 ]
	cmp model.tsv counts.tsv
}

@test "lmrec-similar: --min-support suppresses items and pairs of fewer users, and says how many" {
	counts_data
	run -0 --separate-stderr lmrec-similar --counts --shrink 0 --min-support 2 t.tsv
	# d and e (1 user) are suppressed, and the pair b-c (1 user)
	assert_output "$(tsv 'item|rank|similar|score|reason' \
		'a|1|b|0.866025388|people who liked a also liked b' \
		'a|2|c|0.707106769|people who liked a also liked c' \
		'b|1|a|0.866025388|people who liked b also liked a' \
		'c|1|a|0.707106769|people who liked c also liked a')"
	[ "$stderr" = "lmrec-similar: 3 items with similar items, of 5
lmrec-similar: suppressed below the support of 2: 2 items, 1 pairs" ]
	# without it d has a list, e (nobody else) none
	run lmrec-similar -q --counts --shrink 0 t.tsv
	assert_line "$(tsv 'd|2|a|0.5|people who liked d also liked a')"
	refute_line --partial "$(printf 'e\t1')"
}

@test "lmrec-similar: --popular lists the items by their users, suppressed and unavailable ones left out" {
	counts_data
	lmrec-similar -q --counts --popular p.tsv -o /dev/null t.tsv
	assert_equal "$(cat p.tsv)" "$(tsv 'rank|item|users' '1|a|4' '2|b|3' '3|c|2' '4|d|1' '5|e|1')"
	tsv 'item|available' 'b|0' >avail.tsv
	lmrec-similar -q --counts --min-support 2 --items avail.tsv --popular p.tsv -o /dev/null t.tsv
	assert_equal "$(cat p.tsv)" "$(tsv 'rank|item|users' '1|a|4' '2|c|2')"
	run -2 --separate-stderr lmrec-similar -m knn.lmrc --popular p.tsv
	[ "${stderr_lines[0]}" = "lmrec-similar: --popular needs --counts: a model's weights cannot be counted, noised or suppressed" ]
}

@test "lmrec-similar: --dp-max-per-user counts at most K items of each user" {
	counts_data
	# one item a user: no pairs at all, and 5 users counted once each
	run -0 --separate-stderr lmrec-similar --counts --dp-max-per-user 1 --popular p.tsv t.tsv
	assert_output "$(tsv 'item|rank|similar|score|reason')"
	[ "$(awk 'NR > 1 { s += $3 } END { print s }' p.tsv)" = 5 ]
	[ "${stderr_lines[1]}" = "lmrec-similar: a cap of 1 items a user: 6 (user, item) pairs left out" ]
	# a cap above every user's items changes nothing
	[ "$(lmrec-similar -q --counts --dp-max-per-user 3 t.tsv)" = "$(lmrec-similar -q --counts t.tsv)" ]
	# the sample depends on the seed, each user's on that user alone
	big_data
	lmrec-similar -q --counts --dp-max-per-user 2 -s 1 --popular p1.tsv -o /dev/null big.tsv
	lmrec-similar -q --counts --dp-max-per-user 2 -s 2 --popular p2.tsv -o /dev/null big.tsv
	! cmp -s p1.tsv p2.tsv
	[ "$(awk 'NR > 1 { s += $3 } END { print s }' p1.tsv)" = "$(awk 'NR > 1 { s += $3 } END { print s }' p2.tsv)" ]
}

@test "lmrec-similar: with noise, the same seed gives the same bytes and another seed others" {
	big_data
	lmrec-similar -q --counts --items cat.tsv "${DP[@]}" -s 1 -n 2 --popular p1.tsv -o a1.tsv big.tsv
	lmrec-similar -q --counts --items cat.tsv "${DP[@]}" -s 1 -n 2 --popular p1b.tsv -o a1b.tsv big.tsv
	lmrec-similar -q --counts --items cat.tsv "${DP[@]}" -s 2 -n 2 --popular p2.tsv -o a2.tsv big.tsv
	cmp a1.tsv a1b.tsv
	cmp p1.tsv p1b.tsv
	! cmp -s a1.tsv a2.tsv
	! cmp -s p1.tsv p2.tsv
	# the seeded release, fixed (noised counts are integers: no last-bit drift)
	golden dp-gaussian.tsv a1.tsv
	golden dp-gaussian-popular.tsv p1.tsv
	# threads change nothing: the noise of an entry is keyed, not drawn in turn
	lmrec-similar -q --counts --items cat.tsv "${DP[@]}" -s 1 -n 2 -j 3 -o a1j.tsv big.tsv
	cmp a1.tsv a1j.tsv
	# Laplace too
	lmrec-similar -q --counts --items cat.tsv --dp-epsilon 2 --dp-max-per-user 2 -s 5 --popular l1.tsv -o /dev/null big.tsv
	lmrec-similar -q --counts --items cat.tsv --dp-epsilon 2 --dp-max-per-user 2 -s 5 --popular l2.tsv -o /dev/null big.tsv
	lmrec-similar -q --counts --items cat.tsv --dp-epsilon 2 --dp-max-per-user 2 -s 6 --popular l3.tsv -o /dev/null big.tsv
	cmp l1.tsv l2.tsv
	! cmp -s l1.tsv l3.tsv
}

@test "lmrec-similar: with noise and no seed, a random seed, which the record keeps and which reproduces the release" {
	big_data
	lmrec-similar -q --counts --items cat.tsv "${DP[@]}" --popular p1.tsv --privacy-record r1.tsv -o a1.tsv big.tsv
	lmrec-similar -q --counts --items cat.tsv "${DP[@]}" --popular p2.tsv --privacy-record r2.tsv -o a2.tsv big.tsv
	! cmp -s p1.tsv p2.tsv
	seed=$(awk -F'\t' 'NR == 2 { print $7 }' r1.tsv)
	[[ "$seed" =~ ^[0-9]+$ ]]
	[ "$seed" != "$(awk -F'\t' 'NR == 2 { print $7 }' r2.tsv)" ]
	lmrec-similar -q --counts --items cat.tsv "${DP[@]}" -s "$seed" --popular p3.tsv -o a3.tsv big.tsv
	cmp a1.tsv a3.tsv
	cmp p1.tsv p3.tsv
}

@test "lmrec-similar: --privacy-record writes the release's parameters" {
	big_data
	mkdir out
	lmrec-similar -q --counts --items cat.tsv "${DP[@]}" -s 7 --min-support 3 --popular pop.tsv.gz \
		--privacy-record rec.tsv -o out/sim.tsv.gz big.tsv
	assert_equal "$(head -1 rec.tsv)" "$(tsv 'tables|mechanism|epsilon|delta|max_per_user|min_support|seed|sensitivity_l1|sensitivity_l2|noise_scale|threshold')"
	# every column but the scale exactly; the scale to 6 digits (it comes
	# from erfc and a bisection)
	run awk -F'\t' -v OFS='\t' 'NR == 2 { $10 = sprintf("%.6g", $10); print }' rec.tsv
	# sigma of L2 = sqrt(3) at (1, 1e-6); the floor of 15 pairs: the count
	# a pair nobody took reaches with probability 1/15
	assert_output "$(tsv 'sim.tsv.gz,pop.tsv.gz|gaussian|1|1e-06|2|3|7|3|1.7320508075688772|7.31736|12')"
	# without noise: the mechanism none, only what was used
	counts_data
	lmrec-similar -q --counts --min-support 2 --privacy-record rec.tsv t.tsv >/dev/null
	assert_equal "$(tail -1 rec.tsv)" "$(printf -- '-\tnone\t\t\t\t2\t\t\t\t\t2')"
}

@test "lmrec-similar: with noise, only the catalog's items count, and the others are reported" {
	big_data
	tsv 'item|title' 'a|Alpha' 'b|Beta' >ab.tsv
	run -0 --separate-stderr lmrec-similar --counts --items ab.tsv "${DP[@]}" -s 1 --popular p.tsv big.tsv
	[ "${stderr_lines[0]}" = "lmrec-similar: warning: 152 rows name items that are not in ab.tsv: not counted" ]
	[ "$(cut -f2 p.tsv | tail -n +2 | sort | tr '\n' ' ')" = "a b " ]
}

@test "lmrec-similar: bad options exit 2 with exact messages" {
	counts_data
	check() { # MESSAGE ARGS...
		local want="$1"
		shift
		run -2 --separate-stderr lmrec-similar "$@"
		[ "${stderr_lines[0]}" = "lmrec-similar: $want" ] || { echo "got: ${stderr_lines[0]}"; return 1; }
		[ "${stderr_lines[1]}" = "Try 'lmrec-similar --help' for more information." ]
	}
	check "--model-file or --counts is required"
	check "--model-file and --counts exclude each other" -m knn.lmrc --counts
	check "--min-support needs --counts: a model's weights cannot be counted, noised or suppressed" \
		-m knn.lmrc --min-support 3
	check "--dp-epsilon needs --counts: a model's weights cannot be counted, noised or suppressed" \
		-m knn.lmrc --dp-epsilon 1
	check "invalid value for --dp-epsilon: '0' (expected a number from 1e-06 to 100)" --counts --dp-epsilon 0
	check "invalid value for --dp-epsilon: '101' (expected a number from 1e-06 to 100)" --counts --dp-epsilon 101
	check "invalid value for --dp-mechanism: 'exponential' (expected laplace or gaussian)" \
		--counts --dp-mechanism exponential
	check "invalid value for --dp-delta: '0.5' (expected a number from 1e-15 to 0.1)" --counts --dp-delta 0.5
	check "invalid value for --dp-max-per-user: '0' (expected an integer from 1 to 1000000)" \
		--counts --dp-max-per-user 0
	check "--dp-mechanism and --dp-delta need --dp-epsilon" --counts --dp-mechanism gaussian t.tsv
	check "--dp-epsilon needs --items: the items released must come from a public catalog, not from the data" \
		--counts --dp-epsilon 1 t.tsv
	check "--dp-mechanism gaussian needs --dp-delta" --counts --items items.tsv --dp-epsilon 1 \
		--dp-mechanism gaussian t.tsv
	check "--dp-delta is for --dp-mechanism gaussian: laplace is pure epsilon-DP" --counts --items items.tsv \
		--dp-epsilon 1 --dp-delta 1e-6 t.tsv
	check "unexpected operand 't.tsv'" -m knn.lmrc t.tsv
}

@test "lmrec-similar: --counts on header-only input writes the header; a missing column or CRLF exits 65" {
	printf 'user\titem\tts\n' >h.tsv
	run -0 --separate-stderr lmrec-similar -q --counts --popular p.tsv h.tsv
	assert_output "$(tsv 'item|rank|similar|score|reason')"
	assert_equal "$(cat p.tsv)" "$(tsv 'rank|item|users')"
	printf 'user\titem\nu1\ta\n' >nots.tsv
	run -65 --separate-stderr lmrec-similar --counts nots.tsv
	[ "$stderr" = "lmrec-similar: nots.tsv:1: no column 'ts' in the header" ]
	printf 'user\titem\tts\r\nu1\ta\t1\r\n' >crlf.tsv
	run -65 --separate-stderr lmrec-similar --counts crlf.tsv
	[ "$stderr" = "lmrec-similar: crlf.tsv:1: line ends with CR (CRLF line endings): convert the file with dos2unix" ]
	# and nothing was written over an earlier output
	echo keep >o.tsv
	run -65 lmrec-similar --counts -o o.tsv crlf.tsv
	[ "$(cat o.tsv)" = keep ]
}

@test "lmrec-similar: --counts keeps escaped ids as they are, reads gzip as plain, stdin as a file" {
	tsv 'user|item|ts' 'u1|x\ty|1' 'u1|b\\c|2' 'u2|x\ty|1' 'u2|b\\c|2' >esc.tsv
	run lmrec-similar -q --counts --shrink 0 esc.tsv
	assert_output "$(tsv 'item|rank|similar|score|reason' \
		'b\\c|1|x\ty|1|people who liked b\\c also liked x\ty' \
		'x\ty|1|b\\c|1|people who liked x\ty also liked b\\c')"
	big_data
	gzip -c big.tsv >big.tsv.gz
	[ "$(lmrec-similar -q --counts big.tsv.gz)" = "$(lmrec-similar -q --counts big.tsv)" ]
	[ "$(lmrec-similar -q --counts <big.tsv)" = "$(lmrec-similar -q --counts big.tsv)" ]
}

@test "lmrec-similar: on MovieLens-100K, the support and the noise leave the lists of the most shared items" {
	need_dataset ml-100k
	lmrec-ingest -q -o ml.tsv "$LMREC_DATASETS/ml-100k/u.data"
	lmrec-ingest -q -o mli.tsv "$LMREC_DATASETS/ml-100k/u.item"
	run -0 --separate-stderr lmrec-similar --counts --min-support 50 --popular p.tsv -o /dev/null ml.tsv
	[ "$stderr" = "lmrec-similar: 565 items with similar items, of 1682
lmrec-similar: suppressed below the support of 50: 1079 items, 141987 pairs" ]
	# 603 movies have 50 raters or more; Star Wars (50) the most, 583
	[ "$(wc -l <p.tsv)" = 604 ]
	assert_equal "$(sed -n 2p p.tsv)" "$(tsv '1|50|583')"
	# (8, 1e-6)-DP, 50 items a user: sigma 23.3, the floor 113; the lists
	# left are few, of popular movies
	run -0 --separate-stderr lmrec-similar --counts --items mli.tsv --dp-epsilon 8 --dp-mechanism gaussian \
		--dp-delta 1e-6 -s 1 --popular p.tsv -o s.tsv ml.tsv
	[ "${stderr_lines[0]}" = "lmrec-similar: 24 items with similar items, of 1682" ]
	[ "${stderr_lines[3]}" = "lmrec-similar: gaussian noise of sigma 23.3145: epsilon 8, delta 1e-06, L2 sensitivity 35.7071, noise floor 113" ]
	assert_equal "$(sed -n 2p p.tsv | cut -f2)" 50
}

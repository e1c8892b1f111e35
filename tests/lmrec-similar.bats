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

#!/usr/bin/env bats
# lmrec-rank: blended, diversified, filtered top-N with reasons.

load test_helper

HEADER='user|rank|item|score|reason'

setup() {
	cd "$BATS_TEST_TMPDIR"
	# u1: pop scales c 1, d 0.5, b 0; cf scales a 1, b 0.5, c 0.
	# u2: one cf score for both items, so both scale to 1.
	tsv 'user|item|score|channel|because|because2' \
		'u1|c|30|pop||' 'u1|d|20|pop||' 'u1|b|10|pop||' \
		'u1|a|9|cf|h1|h2' 'u1|b|5|cf|h1|' 'u1|c|1|cf|h2|' \
		'u2|a|5|cf|h3|' 'u2|b|5|cf|h3|' >cand.tsv
	tsv 'item|title|category' 'h1|Heat|crime' 'h2|Ronin|crime' >items.tsv
	# one channel, for MMR and the filters: scales 1, 0.75, 0.5, 0
	tsv 'user|item|score|channel' 'u|a|8|cf' 'u|b|6|cf' 'u|c|4|cf' 'u|d|0|cf' >one.tsv
	tsv 'item|category' 'a|X' 'b|X' 'c|Y' 'd|Y' >cats.tsv
}

@test "lmrec-rank: --help and --version exit 0, an unknown option exits 2" {
	run lmrec-rank --help
	assert_success
	assert_line --partial 'Usage: lmrec-rank'
	run lmrec-rank --version
	assert_success
	assert_output 'lmrec-rank (lmrec) 0.1.0'
	run -2 --separate-stderr lmrec-rank --bogus cand.tsv
	[ "${stderr_lines[1]}" = "Try 'lmrec-rank --help' for more information." ]
}

@test "lmrec-rank: every --help option is in the man page" {
	run check_man_page lmrec-rank
	assert_success
}

@test "lmrec-rank: usage errors exit 2" {
	tsv 'channel|weight' 'cf|1' >w.tsv
	run -2 --separate-stderr lmrec-rank --weights w.tsv --learn cand.tsv cand.tsv
	[ "${stderr_lines[0]}" = "lmrec-rank: --weights and --learn exclude each other" ]
	run -2 lmrec-rank --mmr 1.5 cand.tsv
	run -2 lmrec-rank -n 0 cand.tsv
	run -2 lmrec-rank --category-cap 0 cand.tsv
}

@test "lmrec-rank: by default a channel's feature is 1 / (1 + place/10), ties sharing a place" {
	# u1: pop c 1, d 1/1.1, b 1/1.2; cf a 1, b 1/1.1, c 1/1.2.
	# u2: a and b tie in cf, both place 0.
	run lmrec-rank -q --items items.tsv cand.tsv
	assert_success
	assert_output "$(tsv "$HEADER" \
		'u1|1|c|1.83333325|pop: recommended for you' \
		'u1|2|b|1.74242425|cf: because you liked Heat' \
		'u1|3|a|1|cf: because you liked Heat and Ronin' \
		'u1|4|d|0.909090936|pop: recommended for you' \
		'u2|1|a|1|cf: because you liked h3' \
		'u2|2|b|1|cf: because you liked h3')"
}

@test "lmrec-rank: equal weights blend min-max scaled channel scores" {
	# u1: a 1, b 0.5 + 0, c 0 + 1, d 0.5: a and c tie (a first), b and d tie
	run lmrec-rank -q --normalize minmax --items items.tsv cand.tsv
	assert_success
	assert_output "$(tsv "$HEADER" \
		'u1|1|a|1|cf: because you liked Heat and Ronin' \
		'u1|2|c|1|pop: recommended for you' \
		'u1|3|b|0.5|cf: because you liked Heat' \
		'u1|4|d|0.5|pop: recommended for you' \
		'u2|1|a|1|cf: because you liked h3' \
		'u2|2|b|1|cf: because you liked h3')"
}

@test "lmrec-rank: --weights gives the hand-computed order and scores" {
	tsv 'channel|weight' 'cf|2' 'pop|1' >w.tsv
	# u1: a 2, b 2 * 0.5 = 1, c 1, d 0.5
	run lmrec-rank -q --normalize minmax --weights w.tsv -n 3 --verb watched --items items.tsv cand.tsv
	assert_output "$(tsv "$HEADER" \
		'u1|1|a|2|cf: because you watched Heat and Ronin' \
		'u1|2|b|1|cf: because you watched Heat' \
		'u1|3|c|1|pop: recommended for you' \
		'u2|1|a|2|cf: because you watched h3' \
		'u2|2|b|2|cf: because you watched h3')"
	# a channel the file does not name weighs 1; --save-weights writes what was used
	tsv 'channel|weight' 'pop|0' >w0.tsv
	run lmrec-rank -q --normalize minmax --weights w0.tsv --save-weights used.tsv -n 2 cand.tsv
	assert_line "$(tsv 'u1|2|b|0.5|cf: because you liked h1')"
	run cat used.tsv
	assert_output "$(tsv 'channel|weight' 'cf|1' 'pop|0')"
}

@test "lmrec-rank: --learn picks the channel that is right on the validation fold" {
	# bad puts each user's held-out item last, good puts it first
	tsv 'user|item|score|channel' \
		'u1|x|0.9|bad' 'u1|y|0.5|bad' 'u1|t|0.1|bad' 'u1|t|1|good' 'u1|x|0.5|good' 'u1|y|0|good' \
		'u2|p|9|bad' 'u2|q|5|bad' 'u2|s|1|bad' 'u2|s|10|good' 'u2|p|5|good' 'u2|q|0|good' >lc.tsv
	tsv 'user|item|ts|fold' 'u1|x|1|train' 'u1|t|2|valid' 'u2|p|1|train' 'u2|s|2|valid' 'u2|q|3|test' >truth.tsv
	# with equal weights the held-out items come second
	run lmrec-rank -q --normalize minmax -n 1 lc.tsv
	assert_output "$(tsv "$HEADER" 'u1|1|x|1.5|bad: recommended for you' 'u2|1|p|1.5|bad: recommended for you')"
	run -0 --separate-stderr lmrec-rank --normalize minmax --learn truth.tsv --save-weights w.tsv -n 1 lc.tsv
	assert_output "$(tsv "$HEADER" 'u1|1|t|1|good: recommended for you' 'u2|1|s|1|good: recommended for you')"
	[ "${stderr_lines[0]}" = "lmrec-rank: learned weights: NDCG@10 1.000000 on 2 validation users" ]
	run cat w.tsv
	assert_output "$(tsv 'channel|weight' 'bad|0' 'good|1')"
	# the saved weights give the same bytes as learning
	lmrec-rank -q --normalize minmax --learn truth.tsv -o learned.tsv lc.tsv
	lmrec-rank -q --normalize minmax --weights w.tsv -o reused.tsv lc.tsv
	cmp learned.tsv reused.tsv
}

@test "lmrec-rank: --learn never learns from the test fold" {
	# equal weights tie a and v at 1: a comes first
	tsv 'user|item|score|channel' 'u1|a|0.9|bad' 'u1|v|0.1|bad' 'u1|v|1|good' 'u1|a|0|good' >lc.tsv
	tsv 'user|item|fold' 'u1|v|test' 'u1|a|train' >truth.tsv
	run -0 --separate-stderr lmrec-rank --normalize minmax --learn truth.tsv --save-weights w.tsv lc.tsv
	[ "${stderr_lines[0]}" = "lmrec-rank: learned weights: NDCG@10 0.000000 on 0 validation users" ]
	run cat w.tsv
	assert_output "$(tsv 'channel|weight' 'bad|1' 'good|1')"
	# without a fold column every row is held out
	tsv 'user|item' 'u1|v' >plain.tsv
	run -0 lmrec-rank -q --normalize minmax --learn plain.tsv --save-weights w.tsv lc.tsv
	run cat w.tsv
	assert_output "$(tsv 'channel|weight' 'bad|0' 'good|1')"
}

@test "lmrec-rank: --mmr trades relevance for category diversity" {
	run lmrec-rank -q --normalize minmax --items cats.tsv one.tsv
	assert_output "$(tsv "$HEADER" 'u|1|a|1|cf: recommended for you' 'u|2|b|0.75|cf: recommended for you' \
		'u|3|c|0.5|cf: recommended for you' 'u|4|d|0|cf: recommended for you')"
	# lambda 0.5: after a, b scores 0.375 - 0.5 (same category), c 0.25, d 0
	run lmrec-rank -q --normalize minmax --items cats.tsv --mmr 0.5 one.tsv
	assert_output "$(tsv "$HEADER" 'u|1|a|1|cf: recommended for you' 'u|2|c|0.5|cf: recommended for you' \
		'u|3|b|0.75|cf: recommended for you' 'u|4|d|0|cf: recommended for you')"
}

@test "lmrec-rank: --vectors make MMR use cosine similarity instead of categories" {
	tsv 'item|d0|d1|d2' 'a|2|0|0' 'b|0|1|0' 'c|0|0|3' 'd|1|0|0' >vec.tsv
	# after a: b 0.375, c 0.25, d 0 - 0.5 (parallel to a)
	run lmrec-rank -q --normalize minmax --items cats.tsv --vectors vec.tsv --mmr 0.5 one.tsv
	assert_output "$(tsv "$HEADER" 'u|1|a|1|cf: recommended for you' 'u|2|b|0.75|cf: recommended for you' \
		'u|3|c|0.5|cf: recommended for you' 'u|4|d|0|cf: recommended for you')"
	run lmrec-rank -q --normalize minmax --vectors vec.tsv --mmr 0 -n 2 one.tsv
	assert_output "$(tsv "$HEADER" 'u|1|a|1|cf: recommended for you' 'u|2|b|0.75|cf: recommended for you')"
}

@test "lmrec-rank: --category-cap limits items per category; --pool bounds the choice" {
	tsv 'item|category' 'a|X' 'b|X' 'c|Y' >cap.tsv
	run lmrec-rank -q --normalize minmax --items cap.tsv --category-cap 1 one.tsv
	# d has no category: never capped
	assert_output "$(tsv "$HEADER" 'u|1|a|1|cf: recommended for you' 'u|2|c|0.5|cf: recommended for you' \
		'u|3|d|0|cf: recommended for you')"
	tsv 'item|category' 'a|X' 'b|X' 'c|X' 'd|Y' >cap2.tsv
	run lmrec-rank -q --normalize minmax --items cap2.tsv --category-cap 1 --pool 3 -n 3 one.tsv
	assert_output "$(tsv "$HEADER" 'u|1|a|1|cf: recommended for you')"
	run lmrec-rank -q --normalize minmax --items cap2.tsv --category-cap 1 -n 3 one.tsv
	assert_output "$(tsv "$HEADER" 'u|1|a|1|cf: recommended for you' 'u|2|d|0|cf: recommended for you')"
}

@test "lmrec-rank: --exclude and available=0 items are never recommended" {
	tsv 'item|note' 'a|gone' 'zz|unknown' >deny.tsv
	tsv 'item|title|available' 'c|Alien|0' 'd|Jaws|1' 'b||' >avail.tsv
	run lmrec-rank -q --normalize minmax --exclude deny.tsv --items avail.tsv one.tsv
	assert_output "$(tsv "$HEADER" 'u|1|b|0.75|cf: recommended for you' 'u|2|d|0|cf: recommended for you')"
	tsv 'item|available' 'c|yes' >bad.tsv
	run -65 --separate-stderr lmrec-rank --items bad.tsv one.tsv
	[ "$stderr" = "lmrec-rank: bad.tsv:2: column 'available': 'yes' is not 0 or 1" ]
}

@test "lmrec-rank: --exclude with a user column denies an item to that user only (lmrec-feedback --blocked)" {
	tsv 'user|item|score|channel' 'u|a|8|cf' 'u|b|6|cf' 'u|c|4|cf' 'v|a|8|cf' 'v|b|6|cf' 'v|c|4|cf' \
		'w|a|8|cf' 'w|b|6|cf' >two.tsv
	# u refused a; v refused b and c; an empty user denies c to everyone;
	# a user never seen and an item never seen change nothing
	tsv 'user|item|ts|reason' 'u|a|1|not interested' 'v|b|1|not interested' \
		'v|c|1|near duplicate of b (jaccard 1.00)' '|c||' 'x|a|1|' 'u|zz|1|' >blocked.tsv
	run -0 lmrec-rank -q --normalize minmax --exclude blocked.tsv two.tsv
	assert_output "$(tsv "$HEADER" \
		'u|1|b|0.5|cf: recommended for you' \
		'v|1|a|1|cf: recommended for you' \
		'w|1|a|1|cf: recommended for you' 'w|2|b|0|cf: recommended for you')"
	# without the user column, every row is for everyone
	cut -f2- blocked.tsv >all.tsv
	run -0 lmrec-rank -q --normalize minmax --exclude all.tsv two.tsv
	assert_output "$(tsv "$HEADER")"
}

# profile_fixture: a catalog of attributes and u's profile: likes
# mood=tense (2), dislikes price=high (-1), refused a; a category entry
# (skipped) and a pair the catalog lacks (skipped).
profile_fixture() {
	tsv 'item|category|attrs' 'a|X|mood=calm' 'b|X|mood=tense;price=high' 'c|Y|mood=tense' 'd|Y|cuisine=thai' >pitems.tsv
	tsv 'user|kind|key|weight|ts' 'u|attr|mood=tense|2|900' 'u|attr|price=high|-1|900' 'u|blocked|a|1|900' \
		'u|category|Y|3|900' 'u|attr|gone=x|5|900' >prof.tsv
	tsv 'user|item|score|channel' 'u|a|8|cf' 'u|b|6|cf' 'u|c|4|cf' 'u|d|0|cf' 'v|a|8|cf' 'v|b|6|cf' 'v|c|4|cf' >two.tsv
}

@test "lmrec-rank: --profiles boosts the liked pairs, lowers the disliked, denies the refused, and the reason says so" {
	profile_fixture
	# a is refused; the best left is b (0.75): the unit is 0.2 * 0.75;
	# b: (2 - 1) / 2 of it, c: 2 / 2 of it; d has no pair; v has no profile
	run -0 --separate-stderr lmrec-rank --normalize minmax --items pitems.tsv --profiles prof.tsv two.tsv
	assert_output "$(tsv "$HEADER" \
		'u|1|b|0.824999988|cf: recommended for you; your profile: likes mood=tense (+0.15), dislikes price=high (-0.075)' \
		'u|2|c|0.649999976|cf: recommended for you; your profile: likes mood=tense (+0.15)' \
		'u|3|d|0|cf: recommended for you' \
		'v|1|a|1|cf: recommended for you' 'v|2|b|0.5|cf: recommended for you' 'v|3|c|0|cf: recommended for you')"
	[ "$stderr" = "lmrec-rank: 2 users, 6 recommendations, 2 boosted by the profiles" ]
	# a larger weight reorders: c (0.5 + 0.75) passes b (0.75 + 0.375)
	run -0 lmrec-rank -q --normalize minmax --items pitems.tsv --profiles prof.tsv --profile-weight 1 two.tsv
	assert_line --index 1 "$(printf 'u\t1\tc\t1.25\tcf: recommended for you; your profile: likes mood=tense (+0.75)')"
	assert_line --index 2 "$(printf 'u\t2\tb\t1.125\tcf: recommended for you; your profile: likes mood=tense (+0.75), dislikes price=high (-0.375)')"
	# weight 0: the boosts go, the refusal stays
	run -0 lmrec-rank -q --normalize minmax --items pitems.tsv --profiles prof.tsv --profile-weight 0 two.tsv
	assert_output "$(tsv "$HEADER" 'u|1|b|0.75|cf: recommended for you' 'u|2|c|0.5|cf: recommended for you' \
		'u|3|d|0|cf: recommended for you' \
		'v|1|a|1|cf: recommended for you' 'v|2|b|0.5|cf: recommended for you' 'v|3|c|0|cf: recommended for you')"
	# the same as the refusal given to --exclude with a user column
	tsv 'user|item' 'u|a' >deny.tsv
	lmrec-rank -q --normalize minmax --items pitems.tsv --exclude deny.tsv -o ex.tsv two.tsv
	cmp ex.tsv <(printf '%s\n' "$output")
}

@test "lmrec-rank: --profiles: a refused item is denied whether --items has it or not, and the pool takes boosted items in" {
	profile_fixture
	tsv 'user|kind|key|weight|ts' 'u|blocked|zz|1|1' 'u|attr|cuisine=thai|1|1' >p2.tsv
	tsv 'user|item|score|channel' 'u|zz|9|cf' 'u|a|8|cf' 'u|b|6|cf' 'u|c|4|cf' 'u|d|0|cf' >z.tsv
	# zz (not in the catalog) goes; d, last, is boosted by 0.2 into a pool of 2
	run -0 lmrec-rank -q --normalize minmax --items pitems.tsv --profiles p2.tsv --pool 2 -n 2 z.tsv
	assert_output "$(tsv "$HEADER" 'u|1|a|0.888888896|cf: recommended for you' \
		'u|2|b|0.666666687|cf: recommended for you')"
	run -0 lmrec-rank -q --normalize minmax --items pitems.tsv --profiles p2.tsv --profile-weight 5 --pool 2 -n 2 z.tsv
	assert_output "$(tsv "$HEADER" 'u|1|d|4.44444466|cf: recommended for you; your profile: likes cuisine=thai (+4.44)' \
		'u|2|a|0.888888896|cf: recommended for you')"
}

@test "lmrec-rank: --profiles whose users have no entry, or none that weighs, leave the output byte for byte as it was" {
	profile_fixture
	tsv 'user|kind|key|weight|ts' 'w|attr|mood=tense|2|1' 'u|attr|gone=x|1|1' 'u|category|X|1|1' 'u|habit|weekend|1|1' >p3.tsv
	head -1 prof.tsv >empty.tsv
	for opts in "--normalize minmax" "--mmr 0.5" "--explain reason"; do
		# shellcheck disable=SC2086 # the options split into words
		lmrec-rank -q $opts --items pitems.tsv -o plain.tsv two.tsv
		# shellcheck disable=SC2086
		lmrec-rank -q $opts --items pitems.tsv --profiles p3.tsv -o p3.out two.tsv
		# shellcheck disable=SC2086
		lmrec-rank -q $opts --items pitems.tsv --profiles empty.tsv -o empty.out two.tsv
		cmp plain.tsv p3.out
		cmp plain.tsv empty.out
	done
}

@test "lmrec-rank: --explain full with --profiles: a prof section, and the terms less pen plus prof are the score" {
	profile_fixture
	run -0 --separate-stderr lmrec-rank -q --normalize minmax --items pitems.tsv --profiles prof.tsv --explain full two.tsv
	assert_line --index 1 "$(printf 'u\t1\tb\t0.824999988\tcf: recommended for you; your profile: likes mood=tense (+0.15), dislikes price=high (-0.075)\tch=cf:1*0.75|pen=0|prof=0.075|hist=|attrs=')"
	assert_line --index 3 "$(printf 'u\t3\td\t0\tcf: recommended for you\tch=cf:1*0|pen=0|prof=0|hist=|attrs=')"
	# without --profiles there is no prof section
	run -0 --separate-stderr lmrec-rank -q --normalize minmax --items pitems.tsv --explain full two.tsv
	assert_line --index 1 "$(printf 'u\t1\ta\t1\tcf: recommended for you\tch=cf:1*1|pen=0|hist=|attrs=')"
}

@test "lmrec-rank: --profiles needs --items, --profile-weight --profiles; bad profile rows exit 65 naming file, line and column" {
	profile_fixture
	run -2 --separate-stderr lmrec-rank --profiles prof.tsv two.tsv
	[ "${stderr_lines[0]}" = "lmrec-rank: --profiles needs --items" ]
	run -2 --separate-stderr lmrec-rank --items pitems.tsv --profile-weight 1 two.tsv
	[ "${stderr_lines[0]}" = "lmrec-rank: --profile-weight goes with --profiles" ]
	run -2 lmrec-rank --items pitems.tsv --profiles prof.tsv --profile-weight -1 two.tsv
	# bad_profile MESSAGE ROW...: a profile stream of these rows exits 65
	# with "lmrec-rank: bad.tsv:MESSAGE"
	bad_profile() {
		local want="$1"
		shift
		tsv "$@" >bad.tsv
		run -65 --separate-stderr lmrec-rank --items pitems.tsv --profiles bad.tsv two.tsv
		[ "$stderr" = "lmrec-rank: bad.tsv:$want" ] || { echo "got: $stderr"; false; }
	}
	bad_profile "3: column 'key': 'mood' is not key=value" 'user|kind|key|weight|ts' 'u|attr|mood=tense|2|1' 'u|attr|mood|2|1'
	bad_profile "2: column 'kind': 'attribute' is not a kind of the profile store (category, attr, domain, habit, blocked)" \
		'user|kind|key|weight|ts' 'u|attribute|mood=tense|2|1'
	bad_profile "2: column 'weight': 'lots' is not a finite number" 'user|kind|key|weight|ts' 'u|attr|mood=tense|lots|1'
	bad_profile "2: column 'weight': 'inf' is not a finite number" 'user|kind|key|weight|ts' 'u|attr|mood=tense|inf|1'
	bad_profile "2: column 'user': empty id" 'user|kind|key|weight|ts' '|attr|mood=tense|1|1'
	bad_profile "2: column 'key': empty item id" 'user|kind|key|weight|ts' 'u|blocked||1|1'
	bad_profile "1: no column 'weight' in the header" 'user|kind|key|ts' 'u|attr|mood=tense|1'
	tsv 'user|kind|key|weight|ts' 'u|attr|mood=tense|2|1' | sed 's/$/\r/' >crlf.tsv
	run -65 --separate-stderr lmrec-rank --items pitems.tsv --profiles crlf.tsv two.tsv
	[[ "$stderr" == "lmrec-rank: crlf.tsv:1: line ends with CR"* ]]
	# gzip profiles read as plain ones
	gzip -c prof.tsv >prof.tsv.gz
	lmrec-rank -q --items pitems.tsv --profiles prof.tsv -o plain.out two.tsv
	lmrec-rank -q --items pitems.tsv --profiles prof.tsv.gz -o gz.out two.tsv
	cmp plain.out gz.out
}

@test "lmrec-rank: reasons name the best channel and its history items by title" {
	printf 'item\ttitle\nh1\tHeat\nh2\tThe\\tGodfather\n' >t.tsv
	tsv 'user|item|score|channel|because|because2' \
		'u|x|3|popular||' 'u|y|2|popular||' 'u|x|5|knn|h2|h1' 'u|z|2.5|knn||' 'u|y|0|knn|h9|' >c.tsv
	# x: both channels give 1, the one with history items is named;
	# z: knn alone; y: popular 0 and knn 0, the knn row has a because
	run lmrec-rank -q --normalize minmax --items t.tsv --verb watched c.tsv
	assert_output "$(printf 'user\trank\titem\tscore\treason\nu\t1\tx\t2\tknn: because you watched The\\tGodfather and Heat\nu\t2\tz\t0.5\tknn: recommended for you\nu\t3\ty\t0\tknn: because you watched h9')"
	tsv 'user|item|score|channel' 'u|x|3|popular' >p.tsv
	run lmrec-rank -q --normalize minmax p.tsv
	assert_output "$(tsv "$HEADER" 'u|1|x|1|popular: popular with many users')"
}

@test "lmrec-rank: a user whose rows come back after another exits 65" {
	tsv 'user|item|score|channel' 'u1|a|1|cf' 'u2|a|1|cf' 'u1|b|1|cf' >split.tsv
	run -65 --separate-stderr lmrec-rank -o out.tsv split.tsv
	[ "$stderr" = "lmrec-rank: split.tsv:4: column 'user': user 'u1' appears again: candidates must be grouped by user (lmrec-recall writes them so)" ]
	[ ! -e out.tsv ]
	# also across files
	tsv 'user|item|score|channel' 'u1|c|1|cf' >more.tsv
	run -65 --separate-stderr lmrec-rank cand.tsv more.tsv
	[ "$stderr" = "lmrec-rank: more.tsv:2: column 'user': user 'u1' appears again: candidates must be grouped by user (lmrec-recall writes them so)" ]
}

@test "lmrec-rank: header-only input gives header-only output" {
	printf 'user\titem\tscore\tchannel\n' >h.tsv
	run -0 lmrec-rank -q h.tsv
	assert_output "$(tsv "$HEADER")"
	printf 'user\titem\tscore\tchannel\tcontrib\n' >h.tsv
	run -0 lmrec-rank -q --explain full h.tsv
	assert_output "$(tsv "$HEADER|explain")"
}

@test "lmrec-rank: a missing column exits 65 naming file and line" {
	tsv 'user|item|score' 'u|a|1' >bad.tsv
	run -65 --separate-stderr lmrec-rank bad.tsv
	[ "$stderr" = "lmrec-rank: bad.tsv:1: no column 'channel' in the header" ]
	tsv 'channel|w' 'cf|1' >w.tsv
	run -65 --separate-stderr lmrec-rank --weights w.tsv cand.tsv
	[ "$stderr" = "lmrec-rank: w.tsv:1: no column 'weight' in the header" ]
	tsv 'user|item|score|channel' 'u|a|high|cf' >bad2.tsv
	run -65 --separate-stderr lmrec-rank bad2.tsv
	[ "$stderr" = "lmrec-rank: bad2.tsv:2: column 'score': 'high' is not a finite number" ]
}

@test "lmrec-rank: CRLF input exits 65" {
	printf 'user\titem\tscore\tchannel\r\nu\ta\t1\tcf\r\n' >crlf.tsv
	run -65 --separate-stderr lmrec-rank crlf.tsv
	[[ "$stderr" == "lmrec-rank: crlf.tsv:1: line ends with CR"*dos2unix* ]]
}

@test "lmrec-rank: escaped fields round-trip" {
	printf 'user\titem\tscore\tchannel\tbecause\nu\\\\1\ta\\tb\t1\tc\\nf\tx\\\\y\n' >esc.tsv
	run lmrec-rank -q esc.tsv
	assert_success
	assert_output "$(printf 'user\trank\titem\tscore\treason\nu\\\\1\t1\ta\\tb\t1\tc\\nf: because you liked x\\\\y')"
}

@test "lmrec-rank: gzip input gives the same output as plain, .gz output is gzip" {
	gzip -c cand.tsv >cand.tsv.gz
	run lmrec-rank -q --items items.tsv cand.tsv
	plain="$output"
	run lmrec-rank -q --items items.tsv <cand.tsv.gz
	assert_output "$plain"
	lmrec-rank -q --items items.tsv -o out.tsv.gz cand.tsv
	[ "$(gzip -dc out.tsv.gz)" = "$plain" ]
}

@test "lmrec-rank: the same input gives the same output" {
	awk 'BEGIN { print "user\titem\tscore\tchannel"
		for (u = 1; u <= 20; u++) for (i = 1; i <= 40; i++) for (c = 1; c <= 3; c++)
			if ((u * i * c) % 7 < 3) printf "u%02d\ti%d\t%d\tch%d\n", u, i, (u * 31 + i * 17 * c) % 23, c }' >big.tsv
	awk 'BEGIN { print "item\tcategory"; for (i = 1; i <= 40; i++) printf "i%d\tk%d\n", i, i % 4 }' >bc.tsv
	lmrec-rank -q --items bc.tsv --mmr 0.7 --category-cap 3 -o a.tsv big.tsv
	lmrec-rank -q --items bc.tsv --mmr 0.7 --category-cap 3 -o b.tsv big.tsv
	cmp a.tsv b.tsv
	[ "$(wc -l <a.tsv)" -eq 201 ]
}

@test "lmrec-rank: a row from a content channel says what it is similar to and what they share" {
	tsv 'user|item|score|channel|kind|because|because2' \
		'u|p|0.9|semantic|semantic|h|' 'u|q|0.8|cf|als|h|' 'u|r|0.7|aligned|align|g|' >k.tsv
	tsv 'item|title|attrs' 'h|Alien|genre=Sci-Fi;genre=Horror;decade=1970s' \
		'p|Event Horizon|genre=Horror;genre=Sci-Fi;decade=1990s' 'q|Heat|genre=Crime' \
		'g|Ronin|genre=Action' 'r|Arrival|genre=Sci-Fi' >kt.tsv
	run lmrec-rank -q --items kt.tsv -n 3 k.tsv
	assert_success
	assert_output "$(tsv "$HEADER" \
		'u|1|p|1|semantic: similar to Alien: Horror, Sci-Fi' \
		'u|2|q|1|cf: because you liked Alien' \
		'u|3|r|1|aligned: similar to Ronin')"
}

@test "lmrec-rank: a row from a crossdomain channel says which domain its reasons come from" {
	tsv 'user|item|score|channel|kind|because|because2' \
		'u|s1|-0.5|crossdomain|crossdomain|p1|p2' 'u|s2|-0.6|crossdomain|crossdomain|p1|f1' \
		'u|s3|-0.7|crossdomain|crossdomain|p1|' 'u|s4|-0.8|crossdomain|crossdomain|x|' \
		'u|s5|-0.9|cf|als|p1|' >x.tsv
	tsv 'item|title|domain' 'p1|Harbour Walk|places' 'p2|Ridge Trail|places' 'f1|Sea Kitchen|food' \
		's1|Sun Hat|shop' 's2|Sandals|shop' 's3|Rain Shell|shop' 's4|Tent|shop' 's5|Stove|shop' 'x|Old Map|' >xt.tsv
	run lmrec-rank -q --items xt.tsv --mmr 0 -n 5 x.tsv
	assert_success
	assert_output "$(tsv "$HEADER" \
		'u|1|s1|1|crossdomain: because you liked Harbour Walk and Ridge Trail in places' \
		'u|2|s5|1|cf: because you liked Harbour Walk' \
		'u|3|s2|0.909090936|crossdomain: because you liked Harbour Walk in places and Sea Kitchen in food' \
		'u|4|s3|0.833333313|crossdomain: because you liked Harbour Walk in places' \
		'u|5|s4|0.769230783|crossdomain: because you liked Old Map')"
}

# For calibration and the popularity penalty: one channel scaled by minmax
# to a1 1, a2 0.5, b1 0, for a user u with history h1 (genre A) and h2 (B),
# and a user v without history.
calib_fixture() {
	tsv 'user|item|score|channel' 'u|a1|3|cf' 'u|a2|2|cf' 'u|b1|1|cf' 'v|a1|3|cf' 'v|a2|2|cf' 'v|b1|1|cf' >cc.tsv
	tsv 'item|category|attrs' 'a1|A|genre=A' 'a2|A|genre=A' 'b1|B|genre=B' 'h1|A|genre=A' 'h2|B|genre=B' \
		'ab|A|genre=A;genre=B' 'hab|A|genre=A;genre=B' >ci.tsv
	tsv 'user|item' 'u|h1' 'u|h2' 'w|hab' >ch.tsv
}

@test "lmrec-rank: --calibrate takes the item that brings the list's genre mix nearest the history's" {
	calib_fixture
	# p = (1/2, 1/2). After a1, a list of A alone has q~ = (0.995, 0.005),
	# KL = 0.5 ln(0.5/0.995) + 0.5 ln(0.5/0.005) = 1.9576; [a1 b1] has KL 0.
	# a2 is worth (1 - l) 0.5 - 1.9576 l, b1 0: b1 from l = 0.2034 on.
	run -0 lmrec-rank -q --normalize minmax --items ci.tsv --history ch.tsv --calibrate 0.2 -n 2 cc.tsv
	assert_output "$(tsv "$HEADER" 'u|1|a1|1|cf: recommended for you' 'u|2|a2|0.5|cf: recommended for you' \
		'v|1|a1|1|cf: recommended for you' 'v|2|a2|0.5|cf: recommended for you')"
	# v has no history: no target, the list it would have had
	run -0 lmrec-rank -q --normalize minmax --items ci.tsv --history ch.tsv --calibrate 0.21 -n 2 cc.tsv
	assert_output "$(tsv "$HEADER" 'u|1|a1|1|cf: recommended for you' 'u|2|b1|0|cf: recommended for you' \
		'v|1|a1|1|cf: recommended for you' 'v|2|a2|0.5|cf: recommended for you')"
}

@test "lmrec-rank: --calibrate-attr takes the genres from attrs, an item spread evenly over its genres" {
	calib_fixture
	tsv 'user|item|score|channel' 'w|a1|3|cf' 'w|a2|2|cf' 'w|ab|1|cf' >cw.tsv
	# by category, hab is A: p = (1, 0), and a2 fits as well as ab
	run -0 lmrec-rank -q --normalize minmax --items ci.tsv --history ch.tsv --calibrate 0.5 -n 2 cw.tsv
	assert_output "$(tsv "$HEADER" 'w|1|a1|1|cf: recommended for you' 'w|2|a2|0.5|cf: recommended for you')"
	# by genre, p = (1/2, 1/2): alone, a1 has KL 1.9576 and ab (half A,
	# half B) 0, so 0.5 (1 - 1.9576) < 0 picks ab; then a1 and a2 both
	# make q = (3/4, 1/4), KL 0.1405, and a1 is the more relevant
	run -0 lmrec-rank -q --normalize minmax --items ci.tsv --history ch.tsv --calibrate 0.5 \
		--calibrate-attr genre -n 2 cw.tsv
	assert_output "$(tsv "$HEADER" 'w|1|ab|0|cf: recommended for you' 'w|2|a1|1|cf: recommended for you')"
	# less calibration keeps a1 first, 0.7 - 0.3 1.9576 > 0, then prefers
	# ab, -0.3 0.1405, to a2, 0.7 0.5 - 0.3 1.9576
	run -0 lmrec-rank -q --normalize minmax --items ci.tsv --history ch.tsv --calibrate 0.3 \
		--calibrate-attr genre -n 2 cw.tsv
	assert_output "$(tsv "$HEADER" 'w|1|a1|1|cf: recommended for you' 'w|2|ab|0|cf: recommended for you')"
	# no item has the attribute: a warning, and nothing changes
	run -0 --separate-stderr lmrec-rank -q --normalize minmax --items ci.tsv --history ch.tsv \
		--calibrate 0.5 --calibrate-attr mood -n 2 cw.tsv
	[ "$stderr" = "lmrec-rank: warning: no item of ci.tsv has the attribute 'mood': --calibrate changes nothing" ]
	assert_output "$(tsv "$HEADER" 'w|1|a1|1|cf: recommended for you' 'w|2|a2|0.5|cf: recommended for you')"
}

@test "lmrec-rank: --pop-penalty lowers each score by beta log(1 + n) / log(1 + max n)" {
	calib_fixture
	# a1 has 3 users in the train and valid rows, a2 1, b1 none (its rows
	# are test): penalties beta, beta log 2 / log 4 = beta / 2, 0
	tsv 'user|item|fold' 'x1|a1|train' 'x2|a1|train' 'x3|a1|valid' 'x1|a2|train' \
		'x4|b1|test' 'x5|b1|test' 'x6|b1|test' 'x7|b1|test' >hf.tsv
	run -0 lmrec-rank -q --normalize minmax --history hf.tsv --pop-penalty 0.5 cc.tsv
	assert_line --index 1 "$(tsv 'u|1|a1|0.5|cf: recommended for you')"
	assert_line --index 2 "$(tsv 'u|2|a2|0.25|cf: recommended for you')"
	assert_line --index 3 "$(tsv 'u|3|b1|0|cf: recommended for you')"
	run -0 lmrec-rank -q --normalize minmax --history hf.tsv --pop-penalty 2 -n 3 cc.tsv
	assert_output "$(tsv "$HEADER" 'u|1|b1|0|cf: recommended for you' 'u|2|a2|-0.5|cf: recommended for you' \
		'u|3|a1|-1|cf: recommended for you' 'v|1|b1|0|cf: recommended for you' \
		'v|2|a2|-0.5|cf: recommended for you' 'v|3|a1|-1|cf: recommended for you')"
	# every fold: b1 is the most popular (4), a1 log 4 / log 5, a2 log 2 / log 5
	run -0 lmrec-rank -q --normalize minmax --history hf.tsv --folds all --pop-penalty 2 -n 3 cc.tsv
	assert_line --index 1 "$(tsv 'u|1|a2|-0.361353129|cf: recommended for you')"
	assert_line --index 2 "$(tsv 'u|2|a1|-0.722706258|cf: recommended for you')"
	assert_line --index 3 "$(tsv 'u|3|b1|-2|cf: recommended for you')"
}

@test "lmrec-rank: --calibrate 0 and --pop-penalty 0 leave the output byte for byte as it was" {
	calib_fixture
	for opts in "--items items.tsv" "--items items.tsv --mmr 0.5" "--normalize minmax --items items.tsv --category-cap 1"; do
		# shellcheck disable=SC2086 # the options split into words
		lmrec-rank -q $opts -o plain.tsv cand.tsv
		# shellcheck disable=SC2086
		lmrec-rank -q $opts --history ch.tsv --calibrate 0 --pop-penalty 0 -o both.tsv cand.tsv
		cmp plain.tsv both.tsv
	done
}

@test "lmrec-rank: calibration and popularity need their inputs, in range" {
	calib_fixture
	run -2 --separate-stderr lmrec-rank --calibrate 0.5 --items ci.tsv cc.tsv
	[ "${stderr_lines[0]}" = "lmrec-rank: --calibrate needs --history and --items" ]
	[ "${stderr_lines[1]}" = "Try 'lmrec-rank --help' for more information." ]
	run -2 --separate-stderr lmrec-rank --calibrate 0.5 --history ch.tsv cc.tsv
	[ "${stderr_lines[0]}" = "lmrec-rank: --calibrate needs --history and --items" ]
	run -2 --separate-stderr lmrec-rank --pop-penalty 1 cc.tsv
	[ "${stderr_lines[0]}" = "lmrec-rank: --pop-penalty needs --history" ]
	run -2 --separate-stderr lmrec-rank --calibrate-attr genre cc.tsv
	[ "${stderr_lines[0]}" = "lmrec-rank: --calibrate-attr goes with --calibrate or --objectives-out" ]
	run -2 lmrec-rank --calibrate 1.5 --items ci.tsv --history ch.tsv cc.tsv
	run -2 lmrec-rank --pop-penalty -1 --history ch.tsv cc.tsv
	run -2 lmrec-rank --history ch.tsv --folds train,nope cc.tsv
	# a history without an item column is bad data
	tsv 'user|thing' 'u|h1' >bh.tsv
	run -65 --separate-stderr lmrec-rank --history bh.tsv --pop-penalty 1 cc.tsv
	[ "$stderr" = "lmrec-rank: bh.tsv:1: no column 'item' in the header" ]
}

# ---- --explain full ----

# etsv LINE...: as tsv, but only the first five '|' of a line are TABs (the
# explain column holds '|').
etsv() {
	local l
	for l in "$@"; do printf '%s\n' "$l"; done | awk '{ for (i = 0; i < 5; i++) sub(/\|/, "\t"); print }'
}

# the candidates of setup with contributions: a's cf score 9 = h1 6 + h2 3
explain_fixture() {
	tsv 'user|item|score|channel|because|because2|contrib' \
		'u1|c|30|pop|||' 'u1|d|20|pop|||' 'u1|b|10|pop|||' \
		'u1|a|9|cf|h1|h2|h1:6,h2:3' 'u1|b|5|cf|h1||h1:5' 'u1|c|1|cf|h2||h2:1' \
		'u2|a|5|cf|h3||h3:5' 'u2|b|5|cf|h3||h3:5' >xc.tsv
	tsv 'item|title|category|attrs' 'a|Alien|crime|genre=crime;mood=tense' 'b|Blade|drama|genre=drama' \
		'c|Cobra|drama|mood=calm' 'h1|Heat|crime|genre=crime;mood=calm' \
		'h2|Ronin|drama|mood=tense;genre=drama' >xi.tsv
}

@test "lmrec-rank: --explain full decomposes each score into channels, history items and attributes" {
	explain_fixture
	# features as in the first test. c: pop 1 + cf 1/1.2; h2 is all of cf's
	# 1: shares 1/1.2, and h2's category is c's. b: cf 1/1.1 from h1 alone.
	# a: cf 1 of 9, h1 6/9 and h2 3/9; h1 brings the category and genre,
	# h2 the mood. d: pop only.
	run lmrec-rank -q --items xi.tsv --explain full xc.tsv
	assert_success
	assert_output "$(etsv "$HEADER|explain" \
		'u1|1|c|1.83333325|pop: recommended for you|ch=pop:1*1,cf:1*0.833333313|pen=0|hist=h2:0.8333|attrs=category=drama:0.8333' \
		'u1|2|b|1.74242425|cf: because you liked Heat|ch=cf:1*0.909090936,pop:1*0.833333313|pen=0|hist=h1:0.9091|attrs=' \
		'u1|3|a|1|cf: because you liked Heat and Ronin|ch=cf:1*1|pen=0|hist=h1:0.6667,h2:0.3333|attrs=category=crime:0.6667,genre=crime:0.6667,mood=tense:0.3333' \
		'u1|4|d|0.909090936|pop: recommended for you|ch=pop:1*0.909090936|pen=0|hist=|attrs=' \
		'u2|1|a|1|cf: because you liked h3|ch=cf:1*1|pen=0|hist=h3:1|attrs=' \
		'u2|2|b|1|cf: because you liked h3|ch=cf:1*1|pen=0|hist=h3:1|attrs=')"
	# weights scale the terms and the shares; the penalty is its own term:
	# in hf.tsv b is every user's (0.5), a one user's (0.5 log 2 / log 3)
	tsv 'channel|weight' 'cf|2' 'pop|0.5' >w.tsv
	tsv 'user|item' 'x|a' 'x|b' 'y|b' >hf.tsv
	run lmrec-rank -q --explain full --weights w.tsv --history hf.tsv --pop-penalty 0.5 -n 2 xc.tsv
	assert_output "$(etsv "$HEADER|explain" \
		'u1|1|c|2.16666651|cf: because you liked h2|ch=cf:2*0.833333313,pop:0.5*1|pen=0|hist=h2:1.667|attrs=' \
		'u1|2|b|1.7348485|cf: because you liked h1|ch=cf:2*0.909090936,pop:0.5*0.833333313|pen=0.5|hist=h1:1.818|attrs=' \
		'u2|1|a|1.68453515|cf: because you liked h3|ch=cf:2*1|pen=0.315464877|hist=h3:2|attrs=' \
		'u2|2|b|1.5|cf: because you liked h3|ch=cf:2*1|pen=0.5|hist=h3:2|attrs=')"
}

@test "lmrec-rank: without --explain full the output is what it was, contrib column or not" {
	explain_fixture
	cut -f1-6 xc.tsv >plain.tsv
	for opts in "--items xi.tsv" "--explain reason --items xi.tsv --mmr 0.5" "--normalize minmax"; do
		# shellcheck disable=SC2086 # the options split into words
		lmrec-rank -q $opts -o with.tsv xc.tsv
		# shellcheck disable=SC2086
		lmrec-rank -q $opts -o without.tsv plain.tsv
		cmp with.tsv without.tsv
	done
	run -0 --separate-stderr lmrec-rank -q --explain full plain.tsv
	assert_line --index 0 "$(tsv "$HEADER|explain")"
	assert_line --index 3 "$(etsv 'u1|3|a|1|cf: because you liked h1 and h2|ch=cf:1*1|pen=0|hist=|attrs=')"
	[ "$stderr" = "lmrec-rank: warning: plain.tsv has no column 'contrib' (lmrec-recall --contributions): the explanations name no history items" ]
}

@test "lmrec-rank: --explain takes reason or full; a bad contrib field exits 65" {
	explain_fixture
	run -2 --separate-stderr lmrec-rank --explain bogus xc.tsv
	[ "${stderr_lines[0]}" = "lmrec-rank: invalid value for --explain: 'bogus' (expected reason or full)" ]
	tsv 'user|item|score|channel|contrib' 'u|a|1|cf|h1:1' 'u|b|1|cf|h1=1' >bad.tsv
	run -65 --separate-stderr lmrec-rank --explain full bad.tsv
	[ "$stderr" = "lmrec-rank: bad.tsv:3: column 'contrib': an entry has no ':'" ]
	tsv 'user|item|score|channel|contrib' 'u|a|1|cf|h%1:1' >bad.tsv
	run -65 --separate-stderr lmrec-rank --explain full bad.tsv
	[ "$stderr" = "lmrec-rank: bad.tsv:2: column 'contrib': 'h%1' is not a percent-encoded id" ]
	# a TSV escape is not how the grammar writes a TAB (%09)
	tsv 'user|item|score|channel|contrib' 'u|a|1|cf|h\t2:1' >bad.tsv
	run -65 --separate-stderr lmrec-rank --explain full bad.tsv
	[ "$stderr" = "lmrec-rank: bad.tsv:2: column 'contrib': 'h\\t2' is not a percent-encoded id" ]
	# without --explain full the column is not read
	run -0 lmrec-rank -q bad.tsv
}

@test "lmrec-rank: --explain full names with reserved bytes are percent-encoded, ids decoded" {
	# h,1 and h<TAB>2 (escaped h\t2), equal shares: in byte order
	tsv 'user|item|score|channel|contrib' 'u|a|2|c,f|h%092:1,h%2C1:1' >p.tsv
	tsv 'item|category' 'a|x=y' 'h,1|x=y' >pi.tsv
	run lmrec-rank -q --explain full --items pi.tsv p.tsv
	assert_output "$(etsv "$HEADER|explain" 'u|1|a|1|c,f: recommended for you|ch=c%2Cf:1*1|pen=0|hist=h%2C1:0.5,h%092:0.5|attrs=category=x%3Dy:0.5')"
}

# sample_models: popular, itemknn, ease and als of sample-data, trained
# once for the file, and a fifth of its users. Tests of this file run in
# parallel: the folder is made under a name of its own and renamed into
# place whole (the first to finish wins), so a test never sees it half made.
sample_models() {
	local d="$BATS_FILE_TMPDIR/sample"
	if [ ! -d "$d" ]; then
		local t="$BATS_FILE_TMPDIR/.sample.$BATS_TEST_NUMBER"
		mkdir -p "$t"
		for m in popular itemknn ease als; do
			lmrec-train -q --model "$m" -o "$t/$m.lmrc" "$TOP/sample-data/interactions.tsv.gz"
		done
		{ echo user; gzip -dc "$TOP/sample-data/interactions.tsv.gz" | tail -n +2 | cut -f1 | LC_ALL=C sort -u |
			awk 'NR % 5 == 0'; } >"$t/users.tsv"
		mv -T "$t" "$d" 2>/dev/null || rm -rf "$t"
	fi
	SAMPLE=$d
}

@test "lmrec-rank: the channels' terms less the penalty sum to the score on every row of sample-data" {
	sample_models
	lmrec-recall -q -m "$SAMPLE/popular.lmrc" -m "$SAMPLE/itemknn.lmrc" -m "$SAMPLE/ease.lmrc" \
		-m "$SAMPLE/als.lmrc" --users "$SAMPLE/users.tsv" --contributions 3 -o c.tsv
	tsv 'channel|weight' 'popular|0.2' 'itemknn|0.75' 'ease|1.5' 'als|1' >w.tsv
	local h="$TOP/sample-data/interactions.tsv.gz" items="$TOP/sample-data/items.tsv"
	for opts in "" "--normalize minmax --weights w.tsv" "--history $h --pop-penalty 0.5 --weights w.tsv" \
		"--items $items --mmr 0.7 --category-cap 3" "--items $items --history $h --calibrate 0.3"; do
		# shellcheck disable=SC2086 # the options split into words
		lmrec-rank -q $opts --explain full -o r.tsv c.tsv
		run awk -F'\t' 'NR > 1 {
			split($6, sec, "|"); n = split(substr(sec[1], 4), t, ","); s = 0
			for (j = 1; j <= n; j++) { k = split(t[j], p, ":"); split(p[k], wf, "*"); s += wf[1] * wf[2] }
			s -= substr(sec[2], 5); d = s - $4; if (d < 0) d = -d
			if (d > 1e-6 * ($4 < 0 ? -$4 : $4) + 1e-7) bad++
			if (sec[3] !~ /^hist=./) nohist++; rows++ }
			END { print rows, bad + 0, nohist + 0 }' r.tsv
		assert_output '1910 0 0'
	done
}

@test "lmrec-rank: --explain full is faithful: without the cited item 90% of the scores fall (sample-data)" {
	skip_if_slow
	sample_models
	# the nightly job's channels, equal weights; every row of a fifth of
	# the users (tests/faithfulness.sh)
	run "$TOP/tests/faithfulness.sh" -u "$SAMPLE/users.tsv" -o . "$TOP/sample-data/interactions.tsv.gz" \
		"$SAMPLE/popular.lmrc" "$SAMPLE/itemknn.lmrc" "$SAMPLE/ease.lmrc" "$SAMPLE/als.lmrc"
	assert_success
	printf '%s\n' "$output"
	assert_line --index 0 "$(tsv 'rows|cited|lowered|unchanged|raised|share|model_rows|model_lowered|model_share')"
	read -r rows cited lowered _ _ _ mrows mlowered _ <<<"${lines[1]}"
	[ "$rows" -eq 1910 ]
	[ "$cited" -eq 1910 ]
	[ $((lowered * 10)) -ge $((cited * 9)) ]
	# and the models' own scores of the item, in the channels citing it
	[ "$mrows" -eq 1910 ]
	[ $((mlowered * 10)) -ge $((mrows * 9)) ]
	[ "$(($(wc -l <rows.tsv) - 1))" -eq 1910 ]
}

@test "lmrec-rank: --profiles on sample-data: the store's boosts change most rows, its refusals are an --exclude" {
	sample_models
	local sd="$TOP/sample-data"
	lmrec-profile -q --store s.lmp --update --items "$sd/items.tsv" --date 2026-11-01 \
		--feedback "$sd/feedback.tsv" "$sd/interactions.tsv.gz"
	lmrec-profile --store s.lmp --show --date 2026-11-01 >prof.tsv
	lmrec-recall -q -m "$SAMPLE/popular.lmrc" -m "$SAMPLE/ease.lmrc" --users "$SAMPLE/users.tsv" -o c.tsv
	lmrec-rank -q --items "$sd/items.tsv" -o plain.tsv c.tsv
	run -0 --separate-stderr lmrec-rank --items "$sd/items.tsv" --profiles prof.tsv -o with.tsv c.tsv
	[ "$stderr" = "lmrec-rank: 191 users, 1910 recommendations, 1887 boosted by the profiles" ]
	run paste <(cut -f1-3 plain.tsv) <(cut -f1-3 with.tsv)
	run awk -F'\t' 'NR > 1 { n++; if ($3 != $6) d++ } END { print n, d }' <<<"$output"
	assert_output '1910 1752'
	# weight 0: exactly the deny-list of the store's blocked pairs
	{ echo $'user\titem'; awk -F'\t' '$2 == "blocked" { print $1 "\t" $3 }' prof.tsv; } >blocked.tsv
	[ "$(wc -l <blocked.tsv)" -gt 1000 ]
	lmrec-rank -q --items "$sd/items.tsv" --exclude blocked.tsv -o ex.tsv c.tsv
	lmrec-rank -q --items "$sd/items.tsv" --profiles prof.tsv --profile-weight 0 -o w0.tsv c.tsv
	cmp ex.tsv w0.tsv
}

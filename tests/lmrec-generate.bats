#!/usr/bin/env bats
# lmrec-generate: bundles, playlists and itineraries composed item by item.

load test_helper

setup_file() {
	D="$TOP/tests/fixtures/generate"
	lmrec-train -q --model itemknn -o "$BATS_FILE_TMPDIR/knn.lmrc" "$D/train.tsv"
	lmrec-train -q --model popular -o "$BATS_FILE_TMPDIR/pop.lmrc" "$D/beam/train.tsv"
}

setup() {
	cd "$BATS_TEST_TMPDIR"
	D="$TOP/tests/fixtures/generate"
	KNN="$BATS_FILE_TMPDIR/knn.lmrc"
	cp "$D/items.tsv" items.tsv
}

# gen ARGS...: lmrec-generate on the fixture catalog and the item-kNN model,
# without the trend term (the fixture's whole history is one week: every
# item it holds is trending; the term has its own test).
gen() {
	lmrec-generate --items items.tsv -m "$KNN" --history "$D/train.tsv" --weights trend=0 "$@"
}

@test "lmrec-generate: --help and --version exit 0, an unknown option exits 2" {
	run lmrec-generate --help
	assert_success
	assert_line --partial 'Usage: lmrec-generate'
	run lmrec-generate --version
	assert_success
	assert_output 'lmrec-generate (lmrec) 0.1.0'
	run -2 --separate-stderr lmrec-generate --bogus
	[ "${stderr_lines[1]}" = "Try 'lmrec-generate --help' for more information." ]
}

@test "lmrec-generate: every --help option is in the man page" {
	run check_man_page lmrec-generate
	assert_success
}

@test "lmrec-generate: bundles for a known user, a user with one category left, and a user without history" {
	run -0 --separate-stderr gen --kind bundle "$D/users.tsv"
	[ "$stderr" = "lmrec-generate: 3 lists, 12 items; 0 shorter than 4, 0 requests without a list" ]
	echo "$output" >got.tsv
	golden bundle.tsv got.tsv
	# u1 has the hiking parka and boots: the rest of a kit, one per category
	assert_line "$(tsv 'u1|1|1|b1|2.54685378|fits your recent Boreal Parka|A hiking mid kit with low price: Summit Pack, Merino Top, Breeze Shell and Tempo Shoes. Picked for your taste for Halvik, hiking and winter.')"
	# a user without history gets a coherent kit, by attributes alone
	assert_line "$(tsv 'u9|3|1|j1|0.214285716|goes with Ridge Boots: Halvik, hiking, winter|A Halvik hiking winter kit: Boreal Parka, Summit Pack, Merino Top and Ridge Boots.')"
}

@test "lmrec-generate: lists keep the constraints: one per category, length, available, never seen" {
	run -0 gen -q --kind bundle -n 3 "$D/users.tsv"
	echo "$output" >got.tsv
	# at most 3 rows a list, no category twice, no j3 (available=0), nothing seen
	run awk -F'\t' 'NR==FNR{cat[$1]=$4; next} FNR>1{n[$2]++; if (++c[$2" "cat[$4]] > 1) print "twice", $0; if ($4=="j3") print "unavailable"}
		END{for (l in n) if (n[l] != 3) print "length", l, n[l]}' items.tsv got.tsv
	assert_output ''
	run awk -F'\t' 'NR==FNR{s[$1" "$2]=1; next} FNR>1 && s[$1" "$4]' "$D/train.tsv" got.tsv
	assert_output ''
	# --keep-seen offers them again
	run -0 gen -q --kind bundle --keep-seen "$D/users.tsv"
	assert_line --partial "$(tsv 'u1|1|3|j1|2.23051953|fits your recent Ridge Boots')"
}

@test "lmrec-generate: --budget bounds the sum of the costs (price bands low 1, mid 2, high 3)" {
	run -0 gen -q --kind bundle --budget 5 "$D/users.tsv"
	echo "$output" >got.tsv
	# (sorted: the order of awk's for-in is awk's own)
	run bash -c "awk -F'\t' 'NR==FNR{c[\$1]=(\$5~/price=low/)?1:(\$5~/price=mid/)?2:3; next} FNR>1{s[\$2]+=c[\$4]; n[\$2]++}
		END{for (l in s) print l, n[l], s[l]}' items.tsv got.tsv | sort"
	# u3 has seen the cheap running kit: what is left of one per category
	# costs at least 8 for four items, so 3 items within 5
	assert_output "$(printf '%s\n' '1 4 5' '2 3 5' '3 4 5' | sort)"
	# a budget too small for four items: the longest list it allows
	run -0 --separate-stderr gen --kind bundle --budget 2 "$D/users.tsv"
	[ "$stderr" = "lmrec-generate: 3 lists, 5 items; 3 shorter than 4, 0 requests without a list" ]
}

@test "lmrec-generate: the beam finds a better list than greedy selection on a case built for it" {
	# a is the most popular but goes with nothing; c and d share everything
	B="$D/beam"
	printf 'user\nnew\n' >req.tsv
	run -0 lmrec-generate -q --kind bundle -n 2 --beam 1 --weights coh=1 --content 1 --items "$B/items.tsv" \
		-m "$BATS_FILE_TMPDIR/pop.lmrc" req.tsv
	assert_output "$(tsv 'user|list|rank|item|score|reason|summary' \
		'new|1|1|a|1|popular with many users|A kit: Apex Jacket and Blue Top.' \
		'new|1|2|b|0.909090936|popular with many users|')"
	run -0 lmrec-generate -q --kind bundle -n 2 --weights coh=1 --content 1 --items "$B/items.tsv" \
		-m "$BATS_FILE_TMPDIR/pop.lmrc" req.tsv
	assert_output "$(tsv 'user|list|rank|item|score|reason|summary' \
		'new|1|1|d|1.76923084|goes with Cove Top: y, s, green|A y s green kit: Dune Jacket and Cove Top.' \
		'new|1|2|c|0.833333313|popular with many users|')"
}

@test "lmrec-generate: a playlist in order, with at most --max-per of one mood" {
	run -0 gen -q --kind playlist -n 4 "$D/users.tsv"
	assert_line "$(tsv 'u1|1|1|v3|2.31666088|fits your recent Storm Coast|A calm tense crime playlist: Peak Diaries, Deep Blue, Night Train and Cold Case.')"
	run -0 gen -q --kind playlist -n 4 --max-per mood=1 "$D/users.tsv"
	echo "$output" >got.tsv
	# three moods in the catalog: lists of 3, each mood once
	run bash -c "awk -F'\t' 'NR==FNR{match(\$5, /mood=[a-z]+/); m[\$1]=substr(\$5, RSTART, RLENGTH); next}
		FNR>1{n[\$2]++; if (++c[\$2\" \"m[\$4]] > 1) print \"twice\"} END{for (l in n) print l, n[l]}' items.tsv got.tsv | sort"
	assert_output "$(printf '%s\n' '1 3' '2 3' '3 3' | sort)"
}

@test "lmrec-generate: an itinerary alternates places and meals in one town, dishes are no stops" {
	printf 'user\nu5\nu6\n' >req.tsv
	run -0 --separate-stderr gen --kind itinerary req.tsv
	# u5 saw Caldor's museum and restaurant: Caldor has 2 stops left,
	# Northgate 3, so Northgate wins, a shorter list than asked
	assert_output "$(tsv 'user|list|rank|item|score|reason|summary' \
		'u5|1|1|p4|0|recommended for you|A city day out in Northgate: Glass Gallery, Green Bowl and City Park.' \
		'u5|1|2|r3|0.222078964|goes with Glass Gallery: Northgate, city|' \
		'u5|1|3|p3|0.209876582|goes with Glass Gallery: Northgate, city|' \
		'u6|2|1|p1|0.0238095243|fits your recent City Park|A coast day out in Caldor: Harbour Museum, Salt Kitchen, Old Lighthouse and Tide Cafe.' \
		'u6|2|2|r1|0.197773397|goes with Harbour Museum: Caldor, coast|' \
		'u6|2|3|p2|0.0527777784|fits your recent City Park|' \
		'u6|2|4|r2|0.0270833336|goes with Old Lighthouse: Caldor, coast|')"
	[ "$stderr" = "lmrec-generate: 2 lists, 7 items; 1 shorter than 4, 0 requests without a list" ]
	# --same none: towns mix, still alternating
	run -0 gen -q --kind itinerary --same none req.tsv
	run awk -F'\t' 'NR>1{print $4}' <<<"$output"
	assert_output "$(printf '%s\n' p3 r3 p2 r2 p1 r1 p2 r2)"
}

@test "lmrec-generate: a seed the user has not seen leads the list, a seen one is its context" {
	run -0 gen -q --kind bundle --seed-item j2 "$D/users.tsv"
	assert_line "$(tsv 'u1|1|1|j2|0.027777778|your choice|A running summer light kit: Breeze Shell, Summit Pack, Merino Top and Tempo Shoes. Picked for your taste for Halvik, hiking and winter.')"
	# u3 has seen it: context, so no jacket
	assert_line "$(tsv 'u3|2|1|t2|2.22575307|fits your recent Tempo Shoes|A Halvik hiking mid kit: Mesh Tee, Ridge Boots and Summit Pack. Picked for your taste for running, summer and light.')"
	# u1 owns the parka (j1): no other jacket, a kit that goes with it
	printf 'user\tseed_item\nu1\tj1\nu1\t\n' >req.tsv
	run -0 gen -q --kind bundle req.tsv
	run awk -F'\t' '$2==1{print $4, $6}' <<<"$output"
	assert_output "$(printf '%s\n' 'b1 fits your recent Boreal Parka' 't1 fits your recent Boreal Parka' \
		'f2 goes with Merino Top: low price')"
	# a place u5 saw is the context of a day in its town, which then starts
	# with a meal
	printf 'user\tseed_item\nu5\tp1\n' >req.tsv
	run -0 gen -q --kind itinerary req.tsv
	assert_output "$(tsv 'user|list|rank|item|score|reason|summary' \
		'u5|1|1|r2|0.225000009|fits your recent Salt Kitchen|A coast day out in Caldor: Tide Cafe and Old Lighthouse. Picked for your taste for Caldor and coast.' \
		'u5|1|2|p2|0.228125006|fits your recent Salt Kitchen|')"
	run -2 --separate-stderr gen --kind bundle --seed-item zz "$D/users.tsv"
	[ "${stderr_lines[0]}" = "lmrec-generate: invalid value for --seed-item: 'zz' (no such item in items.tsv)" ]
}

@test "lmrec-generate: a sasrec model's term continues the user's sequence with the list" {
	lmrec-train -q --model sasrec --epochs 3 --maxlen 5 --factors 8 -o sas.lmrc "$D/train.tsv"
	run -0 lmrec-generate -q --kind playlist -n 3 --weights rel=0,coh=0,recent=0,seq=1,trend=0 --items items.tsv \
		-m sas.lmrc --history "$D/train.tsv" "$D/users.tsv"
	echo "$output" >got.tsv
	# each item after the first is "next after" the one before it; the
	# first follows the user's last item (u1: Storm Coast; u3: Dash Vest)
	run awk -F'\t' 'NR==FNR{t[$1]=$2; next} FNR>1{if ($3 > 1 && $6 != "next after " t[prev]) print "bad", $0; prev=$4}' \
		items.tsv got.tsv
	assert_output ''
	run awk -F'\t' '$3==1{print $1, $6}' got.tsv
	assert_output "$(printf '%s\n' 'u1 next after Storm Coast' 'u3 next after Dash Vest' 'u9 recommended for you')"
}

@test "lmrec-generate: --max-per KEY=0 lifts a default, --folds picks the history's rows" {
	run -0 gen -q --kind bundle -n 3 --max-per category=0 "$D/users.tsv"
	assert_line --partial "$(tsv 'u3|2|2|t1|0.213193744|goes with Ridge Boots: hiking, winter')"
	# a fold column: the test rows are not history unless asked for
	awk -F'\t' 'NR==1{print $0 "\tfold"; next} {print $0 "\t" ($1=="u1" && $2=="j1" ? "test" : "train")}' \
		"$D/train.tsv" >folds.tsv
	printf 'user\nu1\n' >u1.tsv
	run -0 lmrec-generate -q --kind bundle --weights trend=0 --items items.tsv --history folds.tsv u1.tsv
	assert_line --partial "$(tsv 'u1|1|2|j1|0.214285716|fits your recent Ridge Boots')"
	run -0 lmrec-generate -q --kind bundle --items items.tsv --history folds.tsv --folds all u1.tsv
	refute_line --partial 'j1'
}

@test "lmrec-generate: the trend term: distinct users of the history's last days, a rank feature among the kind's items" {
	tsv 'item|title|category|domain' 'a1|Old Coat|jackets|shop' 'a2|New Coat|jackets|shop' 'b1|Plain Tee|tops|shop' \
		'b2|Hot Tee|tops|shop' 'v1|A Film|drama|video' >trend-items.tsv
	# days 0 to 20: b2 by x3 (day 16), x1 (18 and 20: once), x2 (19); b1 by
	# x5 (15); v1 by x6 and x7, a video: no rank among the shop's items
	d=86400
	tsv 'user|item|ts' "u1|a1|0" "x4|a2|$((1 * d))" "x5|b1|$((15 * d))" "x3|b2|$((16 * d))" "x7|v1|$((17 * d))" \
		"x1|b2|$((18 * d))" "x2|b2|$((19 * d))" "x6|v1|$((19 * d))" "x1|b2|$((20 * d))" >trend-hist.tsv
	printf 'user\nu1\n' >req.tsv
	# the last 7 days (after day 13): b2 first (f 1, gain 1.5 x 1), b1 second
	# (f 1 / 1.1); a2's one user is older
	run -0 lmrec-generate -q --kind bundle -n 3 --max-per category=0 --items trend-items.tsv --history trend-hist.tsv \
		req.tsv
	assert_output "$(tsv 'user|list|rank|item|score|reason|summary' \
		'u1|1|1|b2|1.5|trending: 3 users in the last 7 days|A kit: Hot Tee, Plain Tee and New Coat.' \
		'u1|1|2|b1|1.36363637|trending: 1 user in the last 7 days|' \
		'u1|1|3|a2|0|recommended for you|')"
	# the last 3 days (after day 17): x1 and x2 only
	run -0 lmrec-generate -q --kind bundle -n 3 --max-per category=0 --items trend-items.tsv --history trend-hist.tsv \
		--trend-days 3 req.tsv
	assert_line "$(tsv 'u1|1|1|b2|1.5|trending: 2 users in the last 3 days|A kit: Hot Tee, New Coat and Plain Tee.')"
	assert_line "$(tsv 'u1|1|3|b1|0|recommended for you|')"
	# no window, or weight 0: the term is off, ties in id order
	run -0 lmrec-generate -q --kind bundle -n 3 --max-per category=0 --items trend-items.tsv --history trend-hist.tsv \
		--trend-days 0 req.tsv
	want="$(tsv 'user|list|rank|item|score|reason|summary' \
		'u1|1|1|a2|0|recommended for you|A kit: New Coat, Plain Tee and Hot Tee.' \
		'u1|1|2|b1|0|recommended for you|' \
		'u1|1|3|b2|0|recommended for you|')"
	assert_output "$want"
	run -0 lmrec-generate -q --kind bundle -n 3 --max-per category=0 --items trend-items.tsv --history trend-hist.tsv \
		--weights trend=0 req.tsv
	assert_output "$want"
	# a header-only history: no window, nothing trending
	printf 'user\titem\tts\n' >empty.tsv
	run -0 lmrec-generate -q --kind bundle -n 3 --max-per category=0 --items trend-items.tsv --history empty.tsv req.tsv
	assert_output "$(tsv 'user|list|rank|item|score|reason|summary' \
		'u1|1|1|a1|0|recommended for you|A kit: Old Coat, New Coat and Plain Tee.' \
		'u1|1|2|a2|0|recommended for you|' \
		'u1|1|3|b1|0|recommended for you|')"
	# one per category (the default): the trending tee and the coat left
	run -0 lmrec-generate -q --kind bundle --items trend-items.tsv --history trend-hist.tsv req.tsv
	run awk -F'\t' 'NR > 1 { print $4 }' <<<"$output"
	assert_output "$(printf '%s\n' b2 a2)"
	run -2 --separate-stderr lmrec-generate --kind bundle --items trend-items.tsv --trend-days -1 req.tsv
	[ "${stderr_lines[0]}" = "lmrec-generate: invalid value for --trend-days: '-1' (expected an integer from 0 to 100000)" ]
}

@test "lmrec-generate: request words match attribute values, joined pairs, keys valued yes and categories; negations exclude" {
	tsv 'item|title|category|attrs|domain' \
		'k1|Trail Jacket|jackets|use=hiking;season=winter;waterproof=yes;material=merino_wool|shop' \
		'k2|City Coat|jackets|use=city;season=winter|shop' \
		'k3|Sun Cap|accessories|use=running;season=summer|shop' >req-items.tsv
	printf 'user\trequest\nu9\tA waterproof merino wool JACKET for winter\n' >req.tsv
	# k1 has all four pairs asked for (1), k2 two and lacks the others (0.5),
	# k3 has other values of two keys (-0.5); one item per category
	run -0 lmrec-generate -q --kind bundle -n 2 --items req-items.tsv req.tsv
	assert_output "$(tsv 'user|list|rank|item|score|reason|summary' \
		'u9|1|1|k1|1|matches your request: waterproof, merino wool, jackets|A kit: Trail Jacket and Sun Cap.' \
		'u9|1|2|k3|-0.5|recommended for you|')"
	# --request serves the requests without their own
	printf 'user\tother\nu9\tx\n' >req2.tsv
	run -0 lmrec-generate -q --kind bundle -n 1 --items req-items.tsv --request 'city' req2.tsv
	assert_line "$(tsv 'u9|1|1|k2|1|matches your request: city|A kit: City Coat.')"
	# what a request does not want is left out: a value, a category
	printf 'user\trequest\nu9\tA winter jacket without merino wool\nu8\tanything but a jacket\n' >neg.tsv
	run -0 lmrec-generate -q --kind bundle -n 2 --items req-items.tsv neg.tsv
	assert_output "$(tsv 'user|list|rank|item|score|reason|summary' \
		'u9|1|1|k2|1|matches your request: winter, jackets|A kit: City Coat and Sun Cap.' \
		'u9|1|2|k3|-1|recommended for you|' \
		'u8|2|1|k3|0|recommended for you|A kit: Sun Cap.')"
}

@test "lmrec-generate: --llm-cmd writes the summaries; garbage, a hang and a death fall back, counted" {
	R="$TOP/tests/llm-responder.sh"
	run -0 --separate-stderr gen --kind bundle --llm-cmd "bash '$R' good" "$D/users.tsv"
	assert_line --partial 'A bundle: Summit Pack, Merino Top, Breeze Shell and Tempo Shoes.'
	[ "${stderr_lines[1]}" = "lmrec-generate: llm: 3 asked, 3 answered; fell back 0 times" ]
	run -0 gen -q --kind bundle "$D/users.tsv"
	want="$output"
	run -0 --separate-stderr gen --kind bundle --llm-cmd "bash '$R' garbage" "$D/users.tsv"
	[ "$output" = "$want" ]
	[ "${stderr_lines[2]}" = "lmrec-generate: llm: 3 asked, 0 answered, 3 garbage; fell back 3 times" ]
	run -0 --separate-stderr gen --kind bundle --llm-timeout 300 --llm-cmd "bash '$R' hang" "$D/users.tsv"
	[ "$output" = "$want" ]
	[ "${stderr_lines[2]}" = "lmrec-generate: llm: 3 asked, 0 answered, 1 timeout, 2 skipped; fell back 3 times" ]
	run -0 --separate-stderr gen -q --kind bundle --llm-cmd "bash '$R' die 1" "$D/users.tsv"
	[ "${lines[1]}" = "$(tsv 'u1|1|1|b1|2.54685378|fits your recent Boreal Parka|A bundle: Summit Pack, Merino Top, Breeze Shell and Tempo Shoes.')" ]
	[ "${lines[5]}" = "$(sed -n 6p <<<"$want")" ]
	[ -z "$stderr" ]
	# an answer that misses an item counts as garbage
	run -0 --separate-stderr gen --kind bundle --llm-cmd "bash '$R' wrong" "$D/users.tsv"
	[ "$output" = "$want" ]
	[ "${stderr_lines[1]}" = "lmrec-generate: llm: 3 asked, 0 answered, 3 garbage; fell back 3 times" ]
}

@test "lmrec-generate: the same seed gives the same lists, --explore another seed others" {
	run -0 gen -q --kind playlist -n 3 --explore 1 -s 7 "$D/users.tsv"
	a="$output"
	run -0 gen -q --kind playlist -n 3 --explore 1 -s 7 "$D/users.tsv"
	[ "$output" = "$a" ]
	run -0 gen -q --kind playlist -n 3 --explore 1 -s 8 "$D/users.tsv"
	[ "$output" != "$a" ]
	# without --explore the seed changes nothing
	run -0 gen -q --kind playlist -n 3 -s 7 "$D/users.tsv"
	b="$output"
	run -0 gen -q --kind playlist -n 3 -s 8 "$D/users.tsv"
	[ "$output" = "$b" ]
}

@test "lmrec-generate: usage errors exit 2 with their messages" {
	run -2 --separate-stderr lmrec-generate --items items.tsv "$D/users.tsv"
	[ "${stderr_lines[0]}" = "lmrec-generate: --kind is required (bundle, playlist or itinerary)" ]
	run -2 --separate-stderr lmrec-generate --kind kit --items items.tsv
	[ "${stderr_lines[0]}" = "lmrec-generate: invalid value for --kind: 'kit' (expected bundle, playlist or itinerary)" ]
	run -2 --separate-stderr lmrec-generate --kind bundle "$D/users.tsv"
	[ "${stderr_lines[0]}" = "lmrec-generate: --items is required" ]
	run -2 --separate-stderr gen --kind bundle --weights rel=1,foo=2 "$D/users.tsv"
	[ "${stderr_lines[0]}" = "lmrec-generate: invalid value for --weights: 'rel=1,foo=2' (expected TERM=W,... with TERM rel, coh, recent, seq, request or trend and W from 0 to 1e6)" ]
	run -2 --separate-stderr gen --kind bundle --max-per mood "$D/users.tsv"
	[ "${stderr_lines[0]}" = "lmrec-generate: invalid value for --max-per: 'mood' (expected KEY=N, N from 0 to 1000000)" ]
	run -2 gen --kind bundle --beam 0 "$D/users.tsv"
	run -2 gen --kind bundle --content 2 "$D/users.tsv"
	run -2 gen --kind bundle -n 0 "$D/users.tsv"
}

@test "lmrec-generate: header-only requests give a header-only output" {
	printf 'user\n' >req.tsv
	run -0 gen -q --kind bundle req.tsv
	assert_output "$(printf 'user\tlist\trank\titem\tscore\treason\tsummary')"
}

@test "lmrec-generate: a missing column exits 65 naming file and line" {
	printf 'person\nu1\n' >req.tsv
	run -65 --separate-stderr gen --kind bundle req.tsv
	[ "$stderr" = "lmrec-generate: req.tsv:1: no column 'user' in the header" ]
	printf 'user\tseed_item\nu1\tzz\n' >req.tsv
	run -65 --separate-stderr gen --kind bundle req.tsv
	[ "$stderr" = "lmrec-generate: req.tsv:2: column 'seed_item': no item 'zz' in items.tsv" ]
	printf 'item\tattrs\nx\tcolor\n' >bad.tsv
	run -65 --separate-stderr lmrec-generate --kind bundle --items bad.tsv "$D/users.tsv"
	[ "$stderr" = "lmrec-generate: bad.tsv:2: column 'attrs': 'color': no '=' in the pair" ]
	printf 'item\ttitle\nx\tX\n' >nodomain.tsv
	run -65 --separate-stderr lmrec-generate --kind itinerary --items nodomain.tsv "$D/users.tsv"
	[ "$stderr" = "lmrec-generate: nodomain.tsv: an itinerary needs the items' domain column (places and food)" ]
}

@test "lmrec-generate: CRLF input exits 65 with a dos2unix hint" {
	printf 'user\r\nu1\r\n' >crlf.tsv
	run -65 --separate-stderr gen --kind bundle crlf.tsv
	[[ "$stderr" == "lmrec-generate: crlf.tsv:1: line ends with CR"*dos2unix* ]]
}

@test "lmrec-generate: escaped fields round-trip: ids as they are, titles decoded then escaped" {
	printf 'item\ttitle\tcategory\tattrs\tdomain\nx\\\\1\tTab\\there\ttops\tuse=a\tshop\ny\tWhy\tjackets\tuse=a\tshop\n' >esc.tsv
	printf 'user\nu\\\\2\n' >req.tsv
	run -0 lmrec-generate -q --kind bundle --items esc.tsv req.tsv
	assert_output "$(printf 'user\tlist\trank\titem\tscore\treason\tsummary\nu\\\\2\t1\t1\ty\t0.0625\tgoes with Tab\\there: a\tAn a kit: Why and Tab\\there.\nu\\\\2\t1\t2\tx\\\\1\t0\trecommended for you\t')"
}

@test "lmrec-generate: gzip input gives the same output as plain input, .gz output is gzip" {
	gzip -c "$D/users.tsv" >users.tsv.gz
	gzip -c "$D/train.tsv" >train.tsv.gz
	gzip -c items.tsv >items.tsv.gz
	run -0 gen -q --kind bundle "$D/users.tsv"
	plain="$output"
	run -0 lmrec-generate -q --kind bundle --weights trend=0 --items items.tsv.gz -m "$KNN" --history train.tsv.gz \
		<users.tsv.gz
	[ "$output" = "$plain" ]
	gen -q --kind bundle -o out.tsv.gz "$D/users.tsv"
	[ "$(gzip -dc out.tsv.gz)" = "$plain" ]
}

@test "lmrec-generate: a failed run leaves the previous output untouched" {
	gen -q --kind bundle -o out.tsv "$D/users.tsv"
	cp out.tsv before.tsv
	printf 'user\tseed_item\nu1\tnope\n' >bad.tsv
	run -65 gen -q --kind bundle -o out.tsv "$D/users.tsv" bad.tsv
	cmp out.tsv before.tsv
}

@test "lmrec-generate: sample data: every user's bundle keeps its constraints" {
	skip_if_slow
	I="$TOP/sample-data/items.tsv"
	zcat "$TOP/sample-data/interactions.tsv.gz" | awk -F'\t' 'NR==1 || $3 < 1792800000' >train.tsv
	lmrec-train -q --model itemknn -o knn.lmrc train.tsv
	run -0 --separate-stderr lmrec-generate --kind bundle --budget 8 --items "$I" -m knn.lmrc --history train.tsv \
		-o kits.tsv "$TOP/sample-data/users.tsv"
	[ "$stderr" = "lmrec-generate: 1000 lists, 4000 items; 0 shorter than 4, 0 requests without a list" ]
	# one per category, within the budget, shop only, available, unseen
	run awk -F'\t' 'FILENAME==ARGV[1]{if (FNR>1) s[$1" "$2]=1; next}
		FILENAME==ARGV[2]{cat[$1]=$4; dom[$1]=$6; av[$1]=$7; c[$1]=($5~/price=low/)?1:($5~/price=mid/)?2:($5~/price=high/)?3:0; next}
		FNR>1{if (++k[$2" "cat[$4]] > 1 || dom[$4] != "shop" || av[$4] != 1 || s[$1" "$4]) bad++; cost[$2]+=c[$4]}
		END{for (l in cost) if (cost[l] > 8) bad++; print bad+0}' train.tsv "$I" kits.tsv
	assert_output 0
}

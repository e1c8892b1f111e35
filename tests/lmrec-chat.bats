#!/usr/bin/env bats
# lmrec-chat: conversational recommendations over a batch of conversations.

load test_helper

# The fixture catalog (tests/fixtures/chat/items.tsv): 16 items, jackets
# and footwear of a shop, dishes of a restaurant; b3 is unavailable. A
# catalog so small needs a lower support for the scenario words, and the
# subword vectors (trained in a second on the real catalog) are left out
# unless a test is about them.
chat() {
	lmrec-chat -q -i "$(fixture items.tsv)" --min-support 2 --min-prob 0.6 --max-imply 3 --dim 0 "$@"
}

# cols LIST: the columns LIST of the output (cut -f), without the header.
cols() {
	tail -n +2 | cut -f "$1"
}

setup() {
	cd "$BATS_TEST_TMPDIR"
	tsv 'session|user|turn|text' 's1|u1|1|a waterproof jacket' >one.tsv
}

@test "lmrec-chat: --help and --version exit 0, an unknown option exits 2" {
	run lmrec-chat --help
	assert_success
	assert_line --partial 'Usage: lmrec-chat'
	run lmrec-chat --version
	assert_success
	assert_output 'lmrec-chat (lmrec) 0.1.0'
	run -2 --separate-stderr lmrec-chat --bogus
	[ "${stderr_lines[1]}" = "Try 'lmrec-chat --help' for more information." ]
}

@test "lmrec-chat: every --help option is in the man page" {
	run check_man_page lmrec-chat
	assert_success
}

@test "lmrec-chat: usage errors exit 2 with the option named" {
	run -2 --separate-stderr lmrec-chat one.tsv
	[ "${stderr_lines[0]}" = "lmrec-chat: --items is required" ]
	run -2 --separate-stderr chat --ask always one.tsv
	[ "${stderr_lines[0]}" = "lmrec-chat: invalid value for --ask: 'always' (expected infogain, random or none)" ]
	run -2 --separate-stderr chat --metrics m.tsv one.tsv
	[ "${stderr_lines[0]}" = "lmrec-chat: --metrics needs --targets" ]
}

@test "lmrec-chat: header-only input gives header-only output" {
	tsv 'session|user|turn|text' >empty.tsv
	run chat empty.tsv
	assert_success
	assert_output "$(tsv 'session|turn|user|text|reply_to|slots|state|rank|item|score|reason|question')"
}

@test "lmrec-chat: a missing column exits 65 with file and line" {
	tsv 'session|user|turn' 's1|u1|1' >nocol.tsv
	run -65 --separate-stderr chat nocol.tsv
	assert_equal "$stderr" "lmrec-chat: nocol.tsv:1: no column 'text' in the header"
	[ -z "$output" ]
}

@test "lmrec-chat: bad turns exit 65 with the exact message" {
	tsv 'session|user|turn|text' 's1|u1|x|hi' >bad.tsv
	run -65 --separate-stderr chat bad.tsv
	assert_equal "$stderr" "lmrec-chat: bad.tsv:2: column 'turn': 'x' is not an integer"
	tsv 'session|user|turn|text' 's1|u1|1|hi' 's1|u1|1|again' >twice.tsv
	run -65 --separate-stderr chat twice.tsv
	assert_equal "$stderr" "lmrec-chat: twice.tsv:3: column 'turn': turn 1 of session 's1' is given twice"
	tsv 'session|user|turn|text' 's1|u1|1|hi' 's1|u2|2|again' >users.tsv
	run -65 --separate-stderr chat users.tsv
	assert_equal "$stderr" "lmrec-chat: users.tsv:3: column 'user': session 's1' already belongs to user 'u1'"
	tsv 'session|user|turn|text|reply_to' 's1|u1|1|hi|' 's1|u1|2|red|color' 's1|u1|3|blue|color' >answers.tsv
	run -65 --separate-stderr chat answers.tsv
	assert_equal "$stderr" "lmrec-chat: answers.tsv:4: column 'reply_to': session 's1' answers 'color' twice"
}

@test "lmrec-chat: CRLF line endings exit 65" {
	printf 'session\tuser\tturn\ttext\r\ns1\tu1\t1\thi\r\n' >crlf.tsv
	run -65 --separate-stderr chat crlf.tsv
	assert_equal "$stderr" "lmrec-chat: crlf.tsv:1: line ends with CR (CRLF line endings): convert the file with dos2unix"
}

@test "lmrec-chat: escaped text round-trips and is read decoded" {
	printf 'session\tuser\tturn\ttext\ns1\tu1\t1\ta\\twaterproof\\\\jacket\\nplease\n' >esc.tsv
	run chat -n 1 esc.tsv
	assert_success
	assert_output "$(printf 'session\tturn\tuser\ttext\treply_to\tslots\tstate\trank\titem\tscore\treason\tquestion\ns1\t1\tu1\ta\\twaterproof\\\\jacket\\nplease\t\tcategory=jackets;waterproof=yes\tcategory=jackets;waterproof=yes\t1\tj1\t1\twaterproof\tWhich color would you like: blue, green, black or something else?')"
}

@test "lmrec-chat: gzip input gives the same output as plain" {
	chat one.tsv >plain.out
	gzip -c one.tsv >one.tsv.gz
	chat one.tsv.gz >gz.out
	cmp plain.out gz.out
	[ "$(wc -l <plain.out)" -eq 6 ]
}

@test "lmrec-chat: one row per item with the slots, the state, a reason and the question" {
	run chat one.tsv
	assert_success
	assert_output "$(tsv 'session|turn|user|text|reply_to|slots|state|rank|item|score|reason|question' \
		's1|1|u1|a waterproof jacket||category=jackets;waterproof=yes|category=jackets;waterproof=yes|1|j1|1|waterproof|Which color would you like: blue, green, black or something else?' \
		's1|1|u1|a waterproof jacket||category=jackets;waterproof=yes|category=jackets;waterproof=yes|2|j5|1|waterproof|Which color would you like: blue, green, black or something else?' \
		's1|1|u1|a waterproof jacket||category=jackets;waterproof=yes|category=jackets;waterproof=yes|3|j2|-1|closest to your request|Which color would you like: blue, green, black or something else?' \
		's1|1|u1|a waterproof jacket||category=jackets;waterproof=yes|category=jackets;waterproof=yes|4|j3|-1|closest to your request|Which color would you like: blue, green, black or something else?' \
		's1|1|u1|a waterproof jacket||category=jackets;waterproof=yes|category=jackets;waterproof=yes|5|j4|-1|closest to your request|Which color would you like: blue, green, black or something else?')"
}

@test "lmrec-chat: the information-gain question is the one computed by hand" {
	# five jackets of equal score: colour has five values of 1/5 each, the
	# largest gain (log2 5 bits); equal shares are listed in name order
	tsv 'session|user|turn|text' 's1|u1|1|a jacket' >q.tsv
	run chat -n 1 q.tsv
	assert_success
	[ "$(cols 12 <<<"$output")" = "Which color would you like: black, blue, green or something else?" ]
	# with every other key settled, the yes/no key is asked as such
	tsv 'session|user|turn|text' \
		's1|u1|1|a jacket, any brand, any color, any use, any weight, any season, any material' >q2.tsv
	run chat -n 1 q2.tsv
	[ "$(cols 12 <<<"$output")" = "Do you need it waterproof?" ]
	# none asks nothing
	run chat -n 1 --ask none q.tsv
	[ -z "$(cols 12 <<<"$output")" ]
}

@test "lmrec-chat: a negation excludes the values it names" {
	tsv 'session|user|turn|text' 's1|u1|1|a jacket, nothing heavy and not red' >neg.tsv
	run chat neg.tsv
	assert_success
	[ "$(cols 6 <<<"$output" | sort -u)" = "category=jackets;-color=red;-weight=heavy" ]
	# j2 and j3 are heavy, j4 red: left j1 and j5
	[ "$(cols 9 <<<"$output" | tr '\n' ' ')" = "j1 j5 " ]
}

@test "lmrec-chat: a later turn overrides an earlier value of the same key" {
	tsv 'session|user|turn|text' 's1|u1|1|a blue jacket' 's1|u1|2|actually, make it red' >mind.tsv
	run chat -n 1 --ask none mind.tsv
	assert_success
	assert_line "$(tsv 's1|1|u1|a blue jacket||category=jackets;color=blue|category=jackets;color=blue|1|j1|1|blue|')"
	assert_line "$(tsv 's1|2|u1|actually, make it red||color=red|category=jackets;color=red|1|j4|1|red|')"
}

@test "lmrec-chat: yes resolves the last question, and answers are said when asked" {
	# the replay: the waterproof question is asked after turn 1, so the
	# row that answers it comes next whatever its turn number; the answer
	# to brand is never asked for and never said
	tsv 'session|user|turn|text|reply_to' \
		's1|u1|1|a jacket, any brand, any color, any use, any weight, any season, any material|' \
		's1|u1|2|halvik|brand' \
		's1|u1|3|yes|waterproof' >yes.tsv
	run chat -n 2 yes.tsv
	assert_success
	[ "$(cols 2,4,5,7 <<<"$output" | uniq | tr '\t' '|')" = "1|a jacket, any brand, any color, any use, any weight, any season, any material||category=jackets;brand=*;color=*;material=*;season=*;use=*;weight=*
2|yes|waterproof|category=jackets;brand=*;color=*;material=*;season=*;use=*;waterproof=yes;weight=*" ]
	# j1 and j2 shown first; of the rest, the waterproof one (j5) leads
	[ "$(cols 9 <<<"$output" | tr '\n' ' ')" = "j1 j2 j5 j3 " ]
	# without an answer in the stream the user answers "either"
	tsv 'session|user|turn|text|reply_to' \
		's1|u1|1|a jacket, any brand, any color, any use, any weight, any season, any material|' >either.tsv
	run chat -n 2 either.tsv
	[ "$(cols 4,5 <<<"$output" | sed -n 3p | tr '\t' '|')" = "either|waterproof" ]
	# a log without reply_to: every row said in turn order, nothing made up
	tsv 'session|user|turn|text' \
		's1|u1|1|a jacket, any brand, any color, any use, any weight, any season, any material' \
		's1|u1|2|yes' >log.tsv
	run chat -n 2 log.tsv
	[ "$(cols 2,4,7 <<<"$output" | uniq | sed -n 2p | tr '\t' '|')" = "2|yes|category=jackets;brand=*;color=*;material=*;season=*;use=*;waterproof=yes;weight=*" ]
	[ "$(cols 2 <<<"$output" | uniq | tr '\n' ' ')" = "1 2 " ]
}

@test "lmrec-chat: items already shown are not offered again" {
	tsv 'session|user|turn|text' 's1|u1|1|a jacket' 's1|u1|2|a jacket' 's1|u1|3|a jacket' >shown.tsv
	run chat -n 2 --ask none shown.tsv
	assert_success
	[ "$(cols 2,9 <<<"$output" | tr '\t\n' ': ')" = "1:j1 1:j2 2:j3 2:j4 3:j5 " ]
	# every jacket shown: the turn still gets its row, without items
	tsv 'session|user|turn|text' 's1|u1|1|a jacket' 's1|u1|2|a jacket' >all.tsv
	run chat -n 5 --ask none all.tsv
	assert_line "$(tsv 's1|2|u1|a jacket||category=jackets|category=jackets|||||')"
	# an item named by its title counts as shown
	tsv 'session|user|turn|text' 's1|u1|1|a jacket, but not the Halvik Storm Shell' >named.tsv
	run chat --ask none named.tsv
	[ "$(cols 6 <<<"$output" | sort -u)" = "category=jackets;-brand=halvik;mention=j1" ]
	refute_line --partial "	j1	"
}

@test "lmrec-chat: the user's history changes the order, and the reason says why" {
	lmrec-train -q --model ease -o ease.lmrc "$(fixture interactions.tsv)"
	tsv 'session|user|turn|text' 's1|u1|1|a jacket' 's2|u2|1|a jacket' 's3|nobody|1|a jacket' >hist.tsv
	run chat -m ease.lmrc -n 2 --ask none hist.tsv
	assert_success
	# u1 liked Halvik boots (users with them took j1 and j5), u2 Orvane shoes
	assert_line "$(tsv 's1|1|u1|a jacket||category=jackets|category=jackets|1|j1|0.866025388|you liked Halvik Trail Boots|')"
	assert_line "$(tsv 's2|1|u2|a jacket||category=jackets|category=jackets|1|j3|0.866025388|you liked Orvane Road Shoes|')"
	# a user the model does not know: by id
	assert_line "$(tsv 's3|1|nobody|a jacket||category=jackets|category=jackets|1|j1|0|closest to your request|')"
	# what the model trained on is left out unless --keep-seen
	tsv 'session|user|turn|text' 's1|u3|1|boots' >seen.tsv
	run chat -m ease.lmrc --ask none seen.tsv
	refute_line --partial "	b1	"
	run chat -m ease.lmrc --ask none --keep-seen seen.tsv
	assert_line --partial "	b1	"
}

@test "lmrec-chat: --targets gives Recall@K by answers given" {
	tsv 'session|user|turn|text|reply_to' \
		's1|u1|1|a jacket|' 's1|u1|2|red|color' \
		's2|u1|1|a jacket|' 's2|u1|2|white|color' >t.tsv
	tsv 'session|item' 's1|j4' 's2|b2' 's3|j1' >targets.tsv
	run chat -n 1 --questions 1 --k 1 --targets targets.tsv --metrics m.tsv t.tsv
	assert_success
	# s1: j4 first once red is said; s2: b2 is footwear, never found;
	# s3 has no turns: a miss
	run cat m.tsv
	assert_output "$(tsv 'metric|k|segment|value|n' \
		'recall|1|answers=0|0|3' \
		'recall|1|answers=1|0.33333333333333331|3' \
		'questions||all|1|2')"
	# to standard error without --metrics, the same rows
	run --separate-stderr chat -n 1 --questions 1 --k 1,5 --targets targets.tsv t.tsv
	[ "${stderr_lines[0]}" = "$(tsv 'metric|k|segment|value|n')" ]
	[ "${stderr_lines[4]}" = "$(tsv 'recall|5|answers=1|0.33333333333333331|3')" ]
}

@test "lmrec-chat: --ask random is seeded, and none asks nothing" {
	tsv 'session|user|turn|text' 's1|u1|1|a jacket' 's2|u2|1|a jacket' 's3|u3|1|a jacket' >r.tsv
	chat --ask random -s 7 r.tsv >a.out
	chat --ask random -s 7 r.tsv >b.out
	cmp a.out b.out
	chat --ask random -s 8 r.tsv >c.out
	! cmp -s a.out c.out
}

@test "lmrec-chat: the same seed gives the same bytes with subword vectors" {
	tsv 'session|user|turn|text' 's1|u1|1|a featherlight jacket' >sw.tsv
	lmrec-chat -q -i "$(fixture items.tsv)" --min-support 2 -s 3 sw.tsv >a.out
	lmrec-chat -q -i "$(fixture items.tsv)" --min-support 2 -s 3 sw.tsv >b.out
	cmp a.out b.out
}

@test "lmrec-chat: --parse-only adds the slots to any stream with a text column" {
	tsv 'id|text' 'a|nothing heavy' 'b|forget the price' 'c|gluten' >p.tsv
	run chat --parse-only p.tsv
	assert_success
	assert_output "$(tsv 'id|text|slots' 'a|nothing heavy|-weight=heavy' 'b|forget the price|price=*' 'c|gluten|')"
	run --separate-stderr chat --parse-only --vectors v.vec - <p.tsv
	[ "$status" -eq 2 ]
}

@test "lmrec-chat: --lexicon writes what was learned from the catalog" {
	tsv "text" "hi" >p.tsv
	run chat --parse-only --lexicon lex.tsv p.tsv
	run grep -E '^(feather|featherweight|waterproof)	' lex.tsv
	assert_output "$(tsv 'waterproof|exact|waterproof=yes|1|0' \
		'feather|scenario|weight=light|0.75|3' 'featherweight|scenario|weight=light|0.75|3')"
}

@test "lmrec-chat: --vectors reads word vectors for the words the catalog never uses" {
	# a toy vectors file: "plume" sits next to "feather"
	printf '3 2\nfeather 1 0\nplume 0.99 0.1\nred 0 1\n' >toy.vec
	tsv 'id|text' 'a|a plume jacket' >pv.tsv
	run lmrec-chat -q -i "$(fixture items.tsv)" --min-support 2 --vectors toy.vec --parse-only pv.tsv
	assert_success
	assert_line "$(tsv 'a|a plume jacket|category=jackets;weight=light')"
}

@test "lmrec-chat: the hand-checked requests: precision and recall of the slots above their bounds" {
	skip_if_slow
	run "$TOP/tests/bench/chat-slots.sh"
	assert_success
	local p r
	p=$(awk -F'\t' '$1 == "all" {print $3}' <<<"$output")
	r=$(awk -F'\t' '$1 == "all" {print $4}' <<<"$output")
	echo "precision $p recall $r"
	# measured 0.902 and 0.915 (tests/bench/RESULTS.md): a margin of about 0.03
	awk -v p="$p" -v r="$r" 'BEGIN { exit !(p >= 0.87 && r >= 0.88) }'
	[ "$(wc -l <"$TOP/tests/fixtures/chat/requests.tsv")" -ge 101 ]
}

@test "lmrec-chat: a dozen key requests parse to their exact slots on the sample catalog" {
	skip_if_slow
	tsv 'text' 'a waterproof jacket for hiking' 'hiking boots, nothing heavy' 'a tent that isn'"'"'t heavy' \
		'a featherweight tent for two people' 'trail running shoes but not waterproof' \
		'a tent, price doesn'"'"'t matter' 'not spicy' 'no meat please' 'a gluten-free dessert' \
		'a dessert without gluten' 'a family day out at the beach' 'I hate spicy food' \
		'an art gallery in the old town' 'mid priced luggage' >keys.tsv
	run lmrec-chat -q -i "$TOP/sample-data/items.tsv" --parse-only keys.tsv
	assert_success
	assert_output "$(tsv 'text|slots' \
		'a waterproof jacket for hiking|category=jackets;use=hiking;waterproof=yes' \
		'hiking boots, nothing heavy|category=footwear;use=hiking;-weight=heavy;scenario=boots' \
		'a tent that isn'"'"'t heavy|category=tents;-weight=heavy' \
		'a featherweight tent for two people|category=tents;people=2;weight=light;scenario=featherweight' \
		'trail running shoes but not waterproof|category=footwear;use=running;waterproof=no;scenario=trail,shoes' \
		'a tent, price doesn'"'"'t matter|category=tents;price=*' \
		'not spicy|spice=mild;scenario=spicy' \
		'no meat please|diet=vegetarian;scenario=meat' \
		'a gluten-free dessert|category=desserts;diet=gluten_free' \
		'a dessert without gluten|category=desserts;diet=gluten_free' \
		'a family day out at the beach|category=beach;family=yes' \
		'I hate spicy food|spice=mild;scenario=spicy' \
		'an art gallery in the old town|category=gallery;topic=art' \
		'mid priced luggage|category=luggage;price=mid;scenario=priced')"
}

@test "lmrec-chat: on the sample conversations, infogain questions find more targets than random ones, and those more than none" {
	skip_if_slow
	local d="$TOP/sample-data"
	lmrec-train -q --model ease -o ease.lmrc "$d/interactions.tsv.gz"
	for ask in none random infogain; do
		lmrec-chat -q -i "$d/items.tsv" -m ease.lmrc --ask "$ask" --questions 2 \
			--targets "$d/conversation-targets.tsv" --metrics "$ask.tsv" -o /dev/null "$d/conversations.tsv"
	done
	# Recall@10 after two answers (seed 1 of lmrec-synth, the one tuned
	# on: 0.465, 0.647 and 0.748 when measured; tests/bench/chat.sh gives
	# the held-out figures)
	local none random infogain
	none=$(awk -F'\t' '$3 == "answers=2" {print $4}' none.tsv)
	random=$(awk -F'\t' '$3 == "answers=2" {print $4}' random.tsv)
	infogain=$(awk -F'\t' '$3 == "answers=2" {print $4}' infogain.tsv)
	echo "none $none random $random infogain $infogain"
	awk -v n="$none" -v r="$random" -v i="$infogain" 'BEGIN { exit !(i > r + 0.05 && r > n + 0.1 && i > 0.7) }'
	[ "$(awk -F'\t' '$1 == "recall" {print $5; exit}' infogain.tsv)" -eq 400 ]
}

@test "lmrec-chat: --llm-cmd: a good model's slots and questions are used; garbage, a hang or a death fall back turn by turn, counted" {
	local d="$TOP/sample-data" r="$TOP/tests/llm-responder.sh"
	awk -F'\t' 'NR == 1 || $1 <= "c0005"' "$d/conversations.tsv" >five.tsv
	lmrec-chat -q -i "$d/items.tsv" -o own.tsv five.tsv
	turns=$(tail -n +2 own.tsv | cut -f1,2 | sort -u | wc -l)
	# the good responder: one parse request a turn, one question request a
	# question (5 sessions: 20 turns, 3 questions each)
	run --separate-stderr lmrec-chat -i "$d/items.tsv" --llm-cmd "bash $r -l log.jsonl good" -o good.tsv five.tsv
	assert_success
	[[ "$stderr" == *"lmrec-chat: llm: 35 asked, 35 answered; fell back 0 times"* ]]
	[ "$(grep -c '"task":"parse"' log.jsonl)" -eq "$turns" ]
	[ "$(grep -c '"task":"question"' log.jsonl)" -eq 15 ]
	# its wording of the questions ("Which KEY: V1, V2 or V3?") is what is asked
	[ "$(tail -n +2 good.tsv | cut -f12 | grep -c '^Which [a-z_]*: ')" -gt 0 ]
	! cmp -s own.tsv good.tsv
	# garbage and a hang: every turn is answered by the built-in parser
	SECONDS=0
	run --separate-stderr lmrec-chat -i "$d/items.tsv" --llm-cmd "bash $r garbage" -o garbage.tsv five.tsv
	assert_success
	garbage_seconds=$SECONDS
	[[ "$stderr" == *"lmrec-chat: llm: 35 asked, 0 answered, 35 garbage; fell back 35 times"* ]]
	cmp own.tsv garbage.tsv
	SECONDS=0
	run --separate-stderr lmrec-chat -i "$d/items.tsv" --llm-cmd "bash $r hang" --llm-timeout 200 -o hang.tsv five.tsv
	assert_success
	[[ "$stderr" == *"lmrec-chat: llm: 35 asked, 0 answered, 1 timeout, 34 skipped; fell back 35 times"* ]]
	cmp own.tsv hang.tsv
	# the hang costs a timeout, not the run: bounded by the same work with
	# answers that come at once (twice it, plus 10 s; relative, so it holds
	# under sanitizers, Valgrind and a loaded machine)
	[ "$SECONDS" -lt $((2 * garbage_seconds + 10)) ]
	# a model that dies after three answers: the rest fall back
	run --separate-stderr lmrec-chat -i "$d/items.tsv" --llm-cmd "bash $r die 3" -o die.tsv five.tsv
	assert_success
	[[ "$stderr" == *"lmrec-chat: llm: 35 asked, 3 answered, 1 died, 31 skipped; fell back 32 times"* ]]
	[ "$(tail -n +2 die.tsv | cut -f1,2 | sort -u | wc -l)" -eq "$turns" ]
	run -2 lmrec-chat -i "$d/items.tsv" --llm-cmd true --llm-timeout 0 five.tsv
}

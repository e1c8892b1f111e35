#!/usr/bin/env bats
# lmrec-ingest: real sources into canonical streams.

load test_helper

setup() {
	cd "$BATS_TEST_TMPDIR"
	F="$TOP/tests/fixtures/ingest"
	mkdir o # outputs of failing runs go here: it must stay empty
}

# The folder o/ holds nothing (no output file, no temporary file).
o_is_empty() {
	[ -z "$(ls -A o)" ] || { ls -A o; return 1; }
}

# ---- the command line ----

@test "lmrec-ingest: --help and --version exit 0, an unknown option exits 2" {
	run lmrec-ingest --help
	assert_success
	assert_line --partial 'Usage: lmrec-ingest'
	run lmrec-ingest --version
	assert_success
	assert_output 'lmrec-ingest (lmrec) 0.1.0'
	run -2 --separate-stderr lmrec-ingest --bogus
	[ "${stderr_lines[1]}" = "Try 'lmrec-ingest --help' for more information." ]
}

@test "lmrec-ingest: every --help option is in the man page" {
	run check_man_page lmrec-ingest
	assert_success
}

@test "lmrec-ingest: usage errors exit 2 with a message" {
	run -2 --separate-stderr lmrec-ingest --kind books
	[ "${stderr_lines[0]}" = "lmrec-ingest: invalid value for --kind: 'books' (expected interactions, items or users)" ]
	run -2 --separate-stderr lmrec-ingest --map 'user=userId,item'
	[ "${stderr_lines[0]}" = "lmrec-ingest: invalid value for --map: 'item' is not TARGET=SOURCE" ]
	run -2 --separate-stderr lmrec-ingest --map 'user=1,user=2'
	[ "${stderr_lines[0]}" = "lmrec-ingest: invalid value for --map: 'user' is mapped twice" ]
	run -2 --separate-stderr lmrec-ingest --map 'User=1'
	[ "${stderr_lines[0]}" = "lmrec-ingest: invalid value for --map: 'User' is not a column name ([a-z][a-z0-9_]*)" ]
	run -2 --separate-stderr lmrec-ingest --map 'user=1,item=2' /dev/null
	[ "${stderr_lines[0]}" = "lmrec-ingest: --map maps no 'ts' (or give --ts-from-order)" ]
	run -2 lmrec-ingest --ts-from-order --ts-format %Y
	run -2 lmrec-ingest --sep '::' --format csv
	run -2 lmrec-ingest --preset u.nothing
	run -2 lmrec-ingest --tags-map item=1,tag=2
	run -2 lmrec-ingest --max-bad -1
	run -2 --separate-stderr lmrec-ingest --kind interactions "$F/ml-100k/u.item"
	[ "${stderr_lines[0]}" = "lmrec-ingest: $F/ml-100k/u.item is read as items by its preset; give --map to read it as interactions" ]
	run -2 --separate-stderr lmrec-ingest "$F/ml-100k/u.data" "$F/ml-100k/u.item"
	[ "${stderr_lines[0]}" = "lmrec-ingest: $F/ml-100k/u.data holds interactions and $F/ml-100k/u.item items: give --kind and --map" ]
	run -2 --separate-stderr lmrec-ingest --map user=userId,item=2,ts=3 --no-header "$F/ml-100k/u.data"
	[ "${stderr_lines[0]}" = "lmrec-ingest: $F/ml-100k/u.data has no header: 'user=userId' of --map must number the column" ]
}

@test "lmrec-ingest: --show-preset prints the preset as options of the mapping language" {
	run lmrec-ingest --show-preset u.item
	assert_success
	assert_output "u.item: --kind items --format pipe --no-header --encoding latin1 --map 'item=1,title=2,genre_flags=6-24'"
	run lmrec-ingest --show-preset all
	assert_success
	[ "${#lines[@]}" -eq 9 ]
	assert_line "ratings.csv: --kind interactions --format csv --header --encoding utf8 --map 'user=userId,item=movieId,weight=rating,ts=timestamp,event=\"rating\"'"
	# every preset is also in the man page, word for word
	for p in u.data u.item u.user ratings.csv movies.csv tags.csv ratings.dat movies.dat users.dat; do
		map=$(lmrec-ingest --show-preset "$p" | sed 's/.*--map //')
		grep -qF -- "--map $map" "$TOP/man/man1/lmrec-ingest.1"
	done
}

# ---- MovieLens formats, on small fixtures ----

@test "lmrec-ingest: MovieLens-100K u.data (TAB, no header) becomes ratings" {
	run -0 --separate-stderr lmrec-ingest "$F/ml-100k/u.data"
	assert_output "$(tsv 'user|item|ts|weight|event' \
		'1|10|881250949|3|rating' \
		'1|20|881250950|5|rating' \
		'2|10|881250951|4|rating' \
		'2|30|881250952|1|rating')"
	[ "$stderr" = "lmrec-ingest: 4 rows, 2 users, 3 items" ]
}

@test "lmrec-ingest: u.item in Latin-1 with '|' becomes UTF-8 items with genres from the flags" {
	cp "$F/ml-100k/u.item" .
	run -0 --separate-stderr lmrec-ingest u.item
	# built-in genre names; 'unknown' means no genre
	assert_output "$(tsv 'item|title|text|category|attrs' \
		'10|Café Society (1995)||Comedy|genre=Comedy;genre=Drama' \
		'20|Misérables, Les (1998)||Drama|genre=Drama' \
		'30|unknown|||')"
	[ "$stderr" = "lmrec-ingest: 3 items" ]
}

@test "lmrec-ingest: u.genre beside u.item names the flag columns, its empty last line skipped" {
	cp "$F/ml-100k/u.item" .
	{ printf 'unknown|0\n'; for i in $(seq 1 18); do printf 'g%d|%d\n' "$i" "$i"; done; printf '\n'; } >u.genre
	run -0 lmrec-ingest -q u.item
	assert_line "$(tsv '10|Café Society (1995)||g5|genre=g5;genre=g8')"
	# a u.genre that does not fit the 19 columns is an error of u.genre
	head -n 5 u.genre >short && mv short u.genre
	run -65 --separate-stderr lmrec-ingest u.item
	[ "$stderr" = "lmrec-ingest: u.genre:5: 5 genres for the 19 columns of genre_flags" ]
}

@test "lmrec-ingest: u.user becomes a users stream" {
	run -0 --separate-stderr lmrec-ingest "$F/ml-100k/u.user"
	assert_output "$(tsv 'user|age|gender|occupation|zip' '1|24|M|technician|85711' '2|53|F|other|94043')"
	[ "$stderr" = "lmrec-ingest: 2 users" ]
}

@test "lmrec-ingest: ratings.csv with CRLF line ends: ratings as weights, 4.0 written 4" {
	run -0 --separate-stderr lmrec-ingest "$F/ml-latest-small/ratings.csv"
	assert_output "$(tsv 'user|item|ts|weight|event' \
		'1|1|964982703|4|rating' \
		'1|3|964981247|3.5|rating' \
		'2|1|1445714994|0.5|rating')"
	[ "$stderr" = "lmrec-ingest: 3 rows, 2 users, 2 items" ]
}

@test "lmrec-ingest: movies.csv: quoted commas, doubled quotes, a line break, no genres" {
	run -0 lmrec-ingest -q "$F/ml-latest-small/movies.csv"
	assert_output "$(printf '%s\n' \
		'item	title	text	category	attrs' \
		'1	Toy Story (1995)		Adventure	genre=Adventure;genre=Animation;genre=Children' \
		'11	American President, The (1995)		Comedy	genre=Comedy;genre=Drama;genre=Romance' \
		'12	Dracula: Dead and Loving It (1995)		Comedy	genre=Comedy;genre=Horror' \
		'7789	11'"'"'09"01 - September 11 (2002)		Drama	genre=Drama' \
		'99	Line\nBreak (2001)			' \
		'100	Amélie (2001)		Comedy	genre=Comedy;genre=Romance')"
}

@test "lmrec-ingest: tags.csv alone is an interactions stream with a tag column" {
	run -0 lmrec-ingest -q "$F/ml-latest-small/tags.csv"
	assert_output "$(printf '%s\n' \
		'user	item	ts	weight	event	tag' \
		'2	1	1445714994	1	tag	pixar' \
		'2	1	1445714995	1	tag	Pixar' \
		'3	1	1445714996	1	tag	fun' \
		'3	11	1445714997	1	tag	politics, US' \
		'3	11	1445714998	1	tag	"artsy"' \
		'3	5	1445714999	1	tag	orphan tag')"
}

@test "lmrec-ingest: --tags joins each movie's tags into text, once each ignoring case" {
	run -0 --separate-stderr lmrec-ingest --tags "$F/ml-latest-small/tags.csv" "$F/ml-latest-small/movies.csv"
	assert_line "$(tsv '1|Toy Story (1995)|pixar, fun|Adventure|genre=Adventure;genre=Animation;genre=Children')"
	assert_line "$(printf '11\tAmerican President, The (1995)\tpolitics, US, "artsy"\tComedy\tgenre=Comedy;genre=Drama;genre=Romance')"
	assert_line "$(tsv '12|Dracula: Dead and Loving It (1995)||Comedy|genre=Comedy;genre=Horror')"
	[ "$stderr" = "lmrec-ingest: 6 items, 2 with tags" ]
	# tags follow an item's own text after an escaped line break
	tsv 'item|text' 'm1|A boy and his toys.' >items.tsv
	tsv 'item|tag' 'm1|pixar' >t.tsv
	run -0 lmrec-ingest -q --kind items --tags t.tsv items.tsv
	assert_output "$(printf 'item\ttitle\ttext\tcategory\tattrs\nm1\t\tA boy and his toys.\\npixar\t\t')"
}

@test "lmrec-ingest: MovieLens-1M '::' files: ratings, Latin-1 titles holding ':', users" {
	run -0 lmrec-ingest -q "$F/ml-1m/ratings.dat"
	assert_output "$(tsv 'user|item|ts|weight|event' \
		'1|1193|978300760|5|rating' '1|661|978302109|3|rating' '2|1193|978298413|4|rating')"
	run -0 lmrec-ingest -q "$F/ml-1m/movies.dat"
	assert_output "$(tsv 'item|title|text|category|attrs' \
		"1193|One Flew Over the Cuckoo's Nest (1975)||Drama|genre=Drama" \
		"661|James and the Giant Peach (1996)||Animation|genre=Animation;genre=Children's;genre=Musical" \
		'73|Misérables, Les (1995)||Drama|genre=Drama;genre=Musical' \
		'648|Mission: Impossible (1996)||Action|genre=Action;genre=Adventure;genre=Mystery')"
	run -0 lmrec-ingest -q "$F/ml-1m/users.dat"
	assert_output "$(tsv 'user|gender|age|occupation|zip' '1|F|1|10|48067' '2|M|56|16|70072')"
}

@test "lmrec-ingest: --ts-from-order numbers interactions without time in their order" {
	printf 'u1\ti9\nu1\ti3\nu2\ti9\n' >chrono.tsv
	run -0 --separate-stderr lmrec-ingest --no-header --ts-from-order chrono.tsv
	assert_output "$(tsv 'user|item|ts|weight|event' 'u1|i9|1|1|' 'u1|i3|2|1|' 'u2|i9|3|1|')"
	[ "$stderr" = "lmrec-ingest: 3 rows, 2 users, 2 items" ]
	# numbering goes on across files; a header names the columns
	tsv 'user|item' 'u3|i1' >more.tsv
	run -0 lmrec-ingest -q --ts-from-order --map user=1,item=2 --no-header chrono.tsv - <<<"$(printf 'u3\ti1')"
	assert_line "$(tsv 'u3|i1|4|1|')"
	run -0 lmrec-ingest -q --ts-from-order more.tsv
	assert_output "$(tsv 'user|item|ts|weight|event' 'u3|i1|1|1|')"
	# a ts column and --ts-from-order exclude each other
	tsv 'user|item|ts' 'u|i|5' >with-ts.tsv
	run -2 lmrec-ingest --ts-from-order with-ts.tsv
}

@test "lmrec-ingest: without a header, columns are the canonical ones in order" {
	printf 'u1\ti1\t5\t2.5\tclick\n' >nohead.tsv
	run -0 lmrec-ingest -q --no-header nohead.tsv
	assert_output "$(tsv 'user|item|ts|weight|event' 'u1|i1|5|2.5|click')"
	printf 'i1\tOne\n' >items.tsv
	run -0 lmrec-ingest -q --no-header --kind items items.tsv
	assert_output "$(tsv 'item|title|text|category|attrs' 'i1|One|||')"
	printf 'u1\ti1\n' >short.tsv
	run -65 --separate-stderr lmrec-ingest --no-header short.tsv
	[ "$stderr" = "lmrec-ingest: short.tsv:1: column '#3': missing (the line has 2 fields)" ]
	printf 'u1\ti1\t5\t1\tview\tx\n' >long.tsv
	run -65 --separate-stderr lmrec-ingest --no-header long.tsv
	[ "$stderr" = "lmrec-ingest: long.tsv:1: 6 columns and no header: give --map" ]
	printf 'u1\t30\n' >users.tsv
	run -65 --separate-stderr lmrec-ingest --no-header --kind users users.tsv
	[ "$stderr" = "lmrec-ingest: users.tsv:1: 2 columns and no header: give --map" ]
}

@test "lmrec-ingest: a map by name and number, literals, extra columns, --ts-format" {
	printf 'when;who;what;qty;sid\n2024-03-01 10:00:00;alice;"sku;1";2;s1\n2024-03-01 10:00:05;bob;sku2;;s2\n' >orders.csv
	run -0 lmrec-ingest -q --sep ';' --ts-format '%Y-%m-%d %H:%M:%S' \
		--map 'user=who, item=3, ts=when, weight=qty, event="purchase", session=sid' orders.csv
	assert_output "$(printf '%s\n' \
		'user	item	ts	weight	event	session' \
		'alice	sku;1	1709287200	2	purchase	s1' \
		'bob	sku2	1709287205	1	purchase	s2')"
	run -65 --separate-stderr lmrec-ingest --sep ';' --ts-format '%Y-%m-%d' \
		--map 'user=who,item=3,ts=when' orders.csv
	[ "$stderr" = "lmrec-ingest: orders.csv:2: column 'when': '2024-03-01 10:00:00' does not match --ts-format '%Y-%m-%d'" ]
	# dates before 1970 and across leap years, in UTC
	printf 'user,item,ts\nu,a,1969-12-31\nu,b,2000-02-29\nu,c,1900-03-01\nu,d,2100-12-31\n' >dates.csv
	run -0 lmrec-ingest -q --ts-format %Y-%m-%d dates.csv
	[ "$(cut -f3 <<<"$output" | tr '\n' ' ')" = "ts -86400 951782400 -2203891200 4133894400 " ]
	# a weight from a column named rating makes the event 'rating'; --event overrides
	printf 'u,i,t,rating\nx,y,7,2.5\n' >r.csv
	run -0 lmrec-ingest -q --map u=u,item=i,ts=t,weight=rating,user=u r.csv
	assert_line "$(tsv 'x|y|7|2.5|rating|x')"
	run -0 lmrec-ingest -q --map user=u,item=i,ts=t,weight=rating --event view r.csv
	assert_line "$(tsv 'x|y|7|2.5|view')"
	run -0 lmrec-ingest -q --event view "$F/ml-100k/u.data"
	assert_line "$(tsv '1|10|881250949|3|view')"
	run -2 lmrec-ingest -q --event view --map user=u,item=i,ts=t,event=rating r.csv
}

@test "lmrec-ingest: a UTF-8 byte-order mark before a CSV header is dropped" {
	printf '\xef\xbb\xbfuser,item,ts\r\nu,a,1\r\n' >bom.csv
	run -0 lmrec-ingest -q bom.csv
	assert_output "$(tsv 'user|item|ts|weight|event' 'u|a|1|1|')"
}

@test "lmrec-ingest: --encoding latin1 converts, auto takes UTF-8 where valid" {
	printf 'item,title\n1,Caf\xe9\n2,Caf\xc3\xa9\n' >l.csv
	run -0 lmrec-ingest -q --kind items --encoding latin1 l.csv
	assert_output "$(tsv 'item|title|text|category|attrs' '1|Café|||' '2|CafÃ©|||')"
	run -0 lmrec-ingest -q --kind items --encoding auto l.csv
	assert_output "$(tsv 'item|title|text|category|attrs' '1|Café|||' '2|Café|||')"
}

@test "lmrec-ingest: --preset reads a renamed MovieLens file" {
	cp "$F/ml-100k/u.data" ratings-100k.txt
	run -0 lmrec-ingest -q --preset u.data ratings-100k.txt
	assert_output "$(lmrec-ingest -q "$F/ml-100k/u.data")"
}

# ---- the vet mode: canonical streams ----

@test "lmrec-ingest: with no option it vets a stream: canonical order, defaults, extras after" {
	printf 'fold\titem\tweight\tuser\tts\na\\tb\ti1\t4.0\tu\\\\1\t007\ntrain\ti2\t\tu2\t-5\n' >in.tsv
	run -0 --separate-stderr lmrec-ingest in.tsv
	assert_output "$(printf 'user\titem\tts\tweight\tevent\tfold\nu\\\\1\ti1\t7\t4\t\ta\\tb\nu2\ti2\t-5\t1\t\ttrain')"
	[ "$stderr" = "lmrec-ingest: 2 rows, 2 users, 2 items" ]
}

@test "lmrec-ingest: escaped fields round-trip; CSV text is escaped on the way in" {
	printf 'user\titem\tts\tnote\nu\\\\1\ta\\tb\t1\tx\\ny\\r\n' >esc.tsv
	run -0 lmrec-ingest -q esc.tsv
	assert_line "$(printf 'u\\\\1\ta\\tb\t1\t1\t\tx\\ny\\r')"
	lmrec-ingest -q esc.tsv >once.tsv
	run -0 lmrec-ingest -q once.tsv
	assert_output "$(cat once.tsv)"
	printf 'user,item,ts,note\n"a\tb","c\\\\d",1,"x\r\ny"\n' >esc.csv
	run -0 lmrec-ingest -q esc.csv
	assert_line "$(printf 'a\\tb\tc\\\\\\\\d\t1\t1\t\tx\\ny')"
}

@test "lmrec-ingest: --kind items vets attrs and available" {
	tsv 'item|title|attrs|available' 'i1|One|genre=Drama;year=1999|1' 'i2|Two||0' >items.tsv
	run -0 lmrec-ingest -q --kind items items.tsv
	assert_output "$(tsv 'item|title|text|category|attrs|available' \
		'i1|One|||genre=Drama;year=1999|1' 'i2|Two||||0')"
	tsv 'item|attrs' 'i1|genre=Drama;year' >bad.tsv
	run -65 --separate-stderr lmrec-ingest --kind items -o o/items.tsv bad.tsv
	[ "$stderr" = "lmrec-ingest: bad.tsv:2: column 'attrs': attrs pair 'year': no '=' in the pair" ]
	o_is_empty
	tsv 'item|available' 'i1|yes' >bad2.tsv
	run -65 --separate-stderr lmrec-ingest --kind items bad2.tsv
	[ "$stderr" = "lmrec-ingest: bad2.tsv:2: column 'available': 'yes' is not 0 or 1" ]
}

@test "lmrec-ingest: header-only input gives header-only output" {
	printf 'user\titem\tts\n' >h.tsv
	run -0 lmrec-ingest -q h.tsv
	assert_output "$(printf 'user\titem\tts\tweight\tevent')"
	printf 'movieId,title,genres\r\n' >movies.csv
	run -0 lmrec-ingest -q movies.csv
	assert_output "$(printf 'item\ttitle\ttext\tcategory\tattrs')"
	: >empty.data
	run -0 lmrec-ingest -q --preset u.data empty.data
	assert_output "$(printf 'user\titem\tts\tweight\tevent')"
}

# ---- bad input: one line, exit 65, no output file ----

@test "lmrec-ingest: a missing header column exits 65 naming the file" {
	tsv 'user|item' 'u|a' >bad.tsv
	run -65 --separate-stderr lmrec-ingest -o o/out.tsv bad.tsv
	[ "$stderr" = "lmrec-ingest: bad.tsv:1: no column 'ts' in the header" ]
	o_is_empty
	run -65 --separate-stderr lmrec-ingest -o o/out.tsv --map user=userId,item=movieId,ts=when "$F/ml-latest-small/ratings.csv"
	[ "$stderr" = "lmrec-ingest: $F/ml-latest-small/ratings.csv:1: no column 'when' in the header" ]
	o_is_empty
}

@test "lmrec-ingest: a missing column in a row exits 65 naming file, line and column" {
	tsv 'user|item|ts' 'u|a|1' 'u|b' >bad.tsv
	run -65 --separate-stderr lmrec-ingest -o o/out.tsv bad.tsv
	[ "$stderr" = "lmrec-ingest: bad.tsv:3: column 'ts': missing (the line has 2 fields, the header 3)" ]
	o_is_empty
	printf '1::1193::5::978300760\n1::661::3\n' >ratings.dat
	run -65 --separate-stderr lmrec-ingest -o o/out.tsv ratings.dat
	[ "$stderr" = "lmrec-ingest: ratings.dat:2: column '#4': missing (the line has 3 fields, the first row 4)" ]
	o_is_empty
	printf 'movieId,title,genres\r\n1,"A, B"\r\n' >movies.csv
	run -65 --separate-stderr lmrec-ingest -o o/out.tsv movies.csv
	[ "$stderr" = "lmrec-ingest: movies.csv:2: column 'genres': missing (the line has 2 fields, the header 3)" ]
	o_is_empty
}

@test "lmrec-ingest: a non-number exits 65 naming file, line and column" {
	tsv 'user|item|ts' 'u|a|1' 'u|b|x2' >bad.tsv
	run -65 --separate-stderr lmrec-ingest -o o/out.tsv bad.tsv
	[ "$stderr" = "lmrec-ingest: bad.tsv:3: column 'ts': 'x2' is not an integer" ]
	o_is_empty
	printf 'userId,movieId,rating,timestamp\r\n1,1,four,964982703\r\n' >ratings.csv
	run -65 --separate-stderr lmrec-ingest -o o/out.tsv ratings.csv
	[ "$stderr" = "lmrec-ingest: ratings.csv:2: column 'rating': 'four' is not a finite number" ]
	o_is_empty
	printf '1\t2\tnan\t881250949\n' >u.data
	run -65 --separate-stderr lmrec-ingest -o o/out.tsv u.data
	[ "$stderr" = "lmrec-ingest: u.data:1: column '#3': 'nan' is not a finite number" ]
	o_is_empty
}

@test "lmrec-ingest: an unknown escape in a canonical stream exits 65" {
	printf 'user\titem\tts\nu\ta\\q\t1\n' >esc.tsv
	run -65 --separate-stderr lmrec-ingest -o o/out.tsv esc.tsv
	[ "$stderr" = "lmrec-ingest: esc.tsv:2: column 'item': unknown escape '\\q' (only \\t \\n \\r \\\\ are allowed)" ]
	o_is_empty
}

@test "lmrec-ingest: CRLF in a canonical stream exits 65, in a CSV source it is fine" {
	printf 'user\titem\tts\r\nu\ta\t1\r\n' >crlf.tsv
	run -65 --separate-stderr lmrec-ingest -o o/out.tsv crlf.tsv
	[ "$stderr" = "lmrec-ingest: crlf.tsv:1: line ends with CR (CRLF line endings): convert the file with dos2unix" ]
	o_is_empty
	printf 'user\titem\tts\nu\ta\t1\r\n' >crlf2.tsv
	run -65 --separate-stderr lmrec-ingest -o o/out.tsv crlf2.tsv
	[ "$stderr" = "lmrec-ingest: crlf2.tsv:2: line ends with CR (CRLF line endings): convert the file with dos2unix" ]
	o_is_empty
	printf 'user,item,ts\r\nu,a,1\r\n' >crlf.csv
	run -0 lmrec-ingest -q crlf.csv
	assert_output "$(tsv 'user|item|ts|weight|event' 'u|a|1|1|')"
}

@test "lmrec-ingest: a truncated .gz exits 65 and leaves no output" {
	for i in $(seq 1 3000); do printf 'u%d\ti%d\t%d\n' $((i % 50)) "$i" "$i"; done | sed '1i user\titem\tts' | gzip -c >big.gz
	head -c 3000 big.gz >cut.gz
	run -65 --separate-stderr lmrec-ingest -o o/out.tsv cut.gz
	[[ "$stderr" =~ ^lmrec-ingest:\ cut\.gz:[0-9]+:\ truncated\ gzip\ stream\ \(unexpected\ end\ of\ file\)$ ]]
	o_is_empty
	# the same for a CSV source
	gzip -c "$F/ml-latest-small/ratings.csv" | head -c 60 >ratings.csv.gz
	run -65 --separate-stderr lmrec-ingest -o o/out.tsv ratings.csv.gz
	[[ "$stderr" =~ ^lmrec-ingest:\ ratings\.csv\.gz:[0-9]+:\ truncated\ gzip\ stream ]]
	o_is_empty
}

@test "lmrec-ingest: invalid UTF-8 in a CSV exits 65 naming line and column" {
	printf 'movieId,title,genres\r\n1,Caf\xc3\xa9,Drama\r\n2,"Mis\xe9rables, Les",Drama\r\n' >movies.csv
	run -65 --separate-stderr lmrec-ingest -o o/items.tsv movies.csv
	[ "$stderr" = "lmrec-ingest: movies.csv:3: column 'title': invalid UTF-8: byte 0xE9 at offset 3 of the field (for Latin-1 text use --encoding latin1)" ]
	o_is_empty
	# in a quoted field over several lines, the line of the bad byte
	printf 'movieId,title,genres\n1,"A\nB\xff",Drama\n' >ml.csv
	run -65 --separate-stderr lmrec-ingest -o o/items.tsv --preset movies.csv ml.csv
	[ "$stderr" = "lmrec-ingest: ml.csv:3: column 'title': invalid UTF-8: byte 0xFF at offset 3 of the field (for Latin-1 text use --encoding latin1)" ]
	o_is_empty
}

@test "lmrec-ingest: UTF-8 is checked strictly: overlong forms, surrogates and beyond U+10FFFF are invalid" {
	printf 'item,title\n1,ok \xf0\x9f\x98\x80 \xe2\x82\xac \xc3\xa9\n' >good.csv
	run -0 lmrec-ingest -q --kind items good.csv
	assert_line "$(printf '1\tok \xf0\x9f\x98\x80 \xe2\x82\xac \xc3\xa9\t\t\t')"
	for bad in '\xc0\xaf' '\xe0\x80\xaf' '\xed\xa0\x80' '\xf4\x90\x80\x80' '\xf8\x88\x80\x80\x80' '\xe2\x82' '\x80'; do
		printf "item,title\n1,ab$bad\n" >bad.csv
		run -65 --separate-stderr lmrec-ingest --kind items bad.csv
		[[ "$stderr" == "lmrec-ingest: bad.csv:2: column 'title': invalid UTF-8: byte 0x"??" at offset 2 of the field"* ]]
	done
}

@test "lmrec-ingest: malformed CSV quoting exits 65 naming line and column" {
	printf 'movieId,title,genres\n1,Toy "Story",Drama\n' >q.csv
	run -65 --separate-stderr lmrec-ingest -o o/x.tsv --preset movies.csv q.csv
	[ "$stderr" = "lmrec-ingest: q.csv:2: column 'title': malformed CSV (a quote inside an unquoted field, or text after a closing quote)" ]
	o_is_empty
	printf 'movieId,title,genres\n1,"Toy Story,Drama\n2,x,y\n' >open.csv
	run -65 --separate-stderr lmrec-ingest -o o/x.tsv --preset movies.csv open.csv
	[ "$stderr" = "lmrec-ingest: open.csv:2: column 'title': quoted field not closed before the end of the file" ]
	o_is_empty
}

@test "lmrec-ingest: empty ids and bad rows of a '|' source exit 65" {
	printf '1|24|M|technician|85711\n|30|F|other|11111\n' >u.user
	run -65 --separate-stderr lmrec-ingest -o o/u.tsv u.user
	[ "$stderr" = "lmrec-ingest: u.user:2: column '#1': empty where a user id is needed" ]
	o_is_empty
	# a '|' inside a u.item field shows as an extra field
	cp "$F/ml-100k/u.item" .
	printf '40|A|B (1999)|01-Jan-1999||http://x|0|0|0|0|0|0|0|0|1|0|0|0|0|0|0|0|0|0|0\n' >>u.item
	run -65 --separate-stderr lmrec-ingest -o o/i.tsv u.item
	[ "$stderr" = "lmrec-ingest: u.item:4: 25 fields where the first row has 24 (a separator inside a field?)" ]
	o_is_empty
}

@test "lmrec-ingest: --max-bad skips bad rows with a warning each, and exits 65 beyond" {
	tsv 'user|item|ts' 'u|a|1' 'u|b|x' 'u|c' 'u|d|4' >bad.tsv
	run -0 --separate-stderr lmrec-ingest --max-bad 2 bad.tsv
	assert_output "$(tsv 'user|item|ts|weight|event' 'u|a|1|1|' 'u|d|4|1|')"
	[ "${stderr_lines[0]}" = "lmrec-ingest: warning: bad.tsv:3: column 'ts': 'x' is not an integer (row skipped)" ]
	[ "${stderr_lines[1]}" = "lmrec-ingest: warning: bad.tsv:4: column 'ts': missing (the line has 2 fields, the header 3) (row skipped)" ]
	[ "${stderr_lines[2]}" = "lmrec-ingest: 2 rows, 1 user, 2 items, 2 bad rows skipped" ]
	run -65 --separate-stderr lmrec-ingest --max-bad 1 -o o/out.tsv bad.tsv
	[ "${stderr_lines[1]}" = "lmrec-ingest: bad.tsv:4: column 'ts': missing (the line has 2 fields, the header 3) (bad row 2, over --max-bad 1)" ]
	o_is_empty
	# a malformed CSV line is skipped too, and the next line read again
	printf 'movieId,title,genres\n1,Toy "Story",Drama\n2,Heat,Action\n' >q.csv
	run -0 --separate-stderr lmrec-ingest --max-bad 1 --preset movies.csv q.csv
	assert_output "$(tsv 'item|title|text|category|attrs' '2|Heat||Action|genre=Action')"
}

@test "lmrec-ingest: duplicates keep the first row and are reported with file:line" {
	tsv 'user|item|ts|weight' 'u|a|1|5' 'u|a|2|4' 'u|a|1|3' 'v|a|1|1' >dup.tsv
	run -0 --separate-stderr lmrec-ingest dup.tsv
	assert_output "$(tsv 'user|item|ts|weight|event' 'u|a|1|5|' 'u|a|2|4|' 'v|a|1|1|')"
	[ "${stderr_lines[0]}" = "lmrec-ingest: warning: dup.tsv:4: duplicate row (user 'u', item 'a', ts 1) (first at dup.tsv:2): row dropped" ]
	[ "${stderr_lines[1]}" = "lmrec-ingest: 3 rows, 2 users, 1 item, 1 duplicate dropped" ]
	# rows that differ in an extra column are not duplicates
	tsv 'user|item|ts|tag' 'u|a|1|funny' 'u|a|1|dark' >tags.tsv
	run -0 lmrec-ingest -q tags.tsv
	[ "${#lines[@]}" -eq 3 ]
	# a repeated item id, across two files
	tsv 'item|title' 'i1|One' >a.tsv
	tsv 'item|title' 'i2|Two' 'i1|Again' >b.tsv
	run -0 --separate-stderr lmrec-ingest --kind items a.tsv b.tsv
	assert_output "$(tsv 'item|title|text|category|attrs' 'i1|One|||' 'i2|Two|||')"
	[ "${stderr_lines[0]}" = "lmrec-ingest: warning: b.tsv:3: duplicate item 'i1' (first at a.tsv:2): row dropped" ]
	# only 10 warnings unless -v
	for i in $(seq 1 12); do printf 'u\ta\t1\n'; done | sed '1i user\titem\tts' >many.tsv
	run -0 --separate-stderr lmrec-ingest many.tsv
	[ "${#stderr_lines[@]}" -eq 11 ]
	[ "${stderr_lines[10]}" = "lmrec-ingest: 1 row, 1 user, 1 item, 11 duplicates dropped (10 shown; -v shows all)" ]
	run -0 --separate-stderr lmrec-ingest -v many.tsv
	[ "${#stderr_lines[@]}" -eq 12 ]
}

@test "lmrec-ingest: inputs with different columns exit 65" {
	tsv 'user|item|ts' 'u|a|1' >a.tsv
	tsv 'user|item|ts|extra' 'u|b|2|x' >b.tsv
	run -65 --separate-stderr lmrec-ingest -o o/out.tsv a.tsv b.tsv
	[ "$stderr" = "lmrec-ingest: b.tsv:1: its columns (user item ts weight event extra) differ from those of a.tsv (user item ts weight event)" ]
	o_is_empty
}

@test "lmrec-ingest: a failed run leaves the previous output untouched" {
	lmrec-ingest -q -o out.tsv "$F/ml-100k/u.data"
	cp out.tsv before.tsv
	printf '1\t2\tx\t3\n' >u.data
	run -65 lmrec-ingest -q -o out.tsv u.data
	cmp out.tsv before.tsv
	[ "$(ls -A | grep -c tmp)" -eq 0 ]
}

@test "lmrec-ingest: gzip input gives the same output as plain input, .gz output is gzip" {
	gzip -c "$F/ml-latest-small/movies.csv" >movies.csv.gz
	run -0 lmrec-ingest -q "$F/ml-latest-small/movies.csv"
	plain="$output"
	run -0 lmrec-ingest -q movies.csv.gz
	assert_output "$plain"
	gzip -c "$F/ml-100k/u.data" >u.data.gz
	lmrec-ingest -q -o out.tsv.gz u.data.gz
	[ "$(gzip -dc out.tsv.gz)" = "$(lmrec-ingest -q "$F/ml-100k/u.data")" ]
	run -0 lmrec-ingest -q <u.data.gz --preset u.data
	[ "$output" = "$(lmrec-ingest -q "$F/ml-100k/u.data")" ]
}

@test "lmrec-ingest: the same input gives the same bytes (nothing random)" {
	# lmrec-ingest has no --seed: its output depends on the input alone
	lmrec-ingest -q --tags "$F/ml-latest-small/tags.csv" -o a.tsv "$F/ml-latest-small/movies.csv"
	lmrec-ingest -q --tags "$F/ml-latest-small/tags.csv" -o b.tsv "$F/ml-latest-small/movies.csv"
	cmp a.tsv b.tsv
}

# ---- data quality: duplicates, bursts, bot-like users, flooded items ----

# The clean fixture (20 users, 206 rows) plus what the checks must find: a
# bot (3,000 rows, each of another item, 5 s apart), a burst (u03 views i05
# five times in 20 s), an item flooded by two users (u01 rates 'hot' 15
# times, u02 views it 15 times, u07 and u08 once each) and an exact
# duplicate of the first row, last.
dirty_feed() {
	cat "$F/quality.tsv"
	seq 1 3000 | awk '{ printf "bot\tb%04d\t%d\t1\tview\n", $1, 1700300000 + 5 * $1 }'
	printf 'u03\ti05\t%d\t1\tview\n' 1700400000 1700400005 1700400010 1700400015 1700400020
	seq 1 15 | awk '{ printf "u01\thot\t%d\t4\trating\nu02\thot\t%d\t1\tview\n", 1700500000 + 1000 * $1, 1700500500 + 1000 * $1 }'
	printf 'u07\thot\t1700600000\t1\tview\nu08\thot\t1700600100\t1\tview\n'
	printf 'u01\ti04\t1700010000\t1\tview\n'
}

@test "lmrec-ingest: --quality-report on a clean feed is the header alone, the output unchanged" {
	run -0 --separate-stderr lmrec-ingest --quality-report report.tsv -o out.tsv "$F/quality.tsv"
	[ "$stderr" = "lmrec-ingest: 206 rows, 20 users, 30 items; quality: 0 burst rows, 0 bot-like users, 0 flooded items" ]
	[ "$(cat report.tsv)" = "$(tsv 'kind|key|figure|threshold|action|rows')" ]
	cmp out.tsv "$F/quality.tsv"
	# -v tells the bot-like threshold: 10 times the median user's rows, here
	# sqrt(10 x 11) (the median of an even count of logs is their mean)
	run -0 --separate-stderr lmrec-ingest -v --quality-report report.tsv -o out.tsv "$F/quality.tsv"
	[ "${stderr_lines[1]}" = "lmrec-ingest: quality: the median user has 10.49 rows; bot-like above 104 rows" ]
}

@test "lmrec-ingest: an injected bot, burst, flooded item and duplicate are reported exactly" {
	dirty_feed >feed.tsv
	run -0 --separate-stderr lmrec-ingest --quality-report report.tsv -o out.tsv feed.tsv
	[ "${stderr_lines[0]}" = "lmrec-ingest: warning: feed.tsv:3245: duplicate row (user 'u01', item 'i04', ts 1700010000) (first at feed.tsv:2): row dropped" ]
	[ "${stderr_lines[1]}" = "lmrec-ingest: 3243 rows, 21 users, 3031 items, 1 duplicate dropped; quality: 3 burst rows, 1 bot-like user, 1 flooded item" ]
	[ "$(cat report.tsv)" = "$(tsv 'kind|key|figure|threshold|action|rows' \
		'duplicate|u01|1|0|dropped|1' \
		'burst|u03|5|2|reported|3' \
		'bot_user|bot|3000|110|reported|3000' \
		'flooded_item|hot|0.9375|0.9|reported|28')" ]
	# a report alone changes nothing in the output
	lmrec-ingest -q -o plain.tsv feed.tsv
	cmp out.tsv plain.tsv
}

@test "lmrec-ingest: --quarantine moves the flagged rows out with their reasons, nothing lost" {
	dirty_feed >feed.tsv
	run -0 --separate-stderr lmrec-ingest --quality-report report.tsv --quarantine quarantine.tsv -o out.tsv feed.tsv
	[ "${stderr_lines[0]}" = "lmrec-ingest: warning: feed.tsv:3245: duplicate row (user 'u01', item 'i04', ts 1700010000) (first at feed.tsv:2): row quarantined" ]
	[ "${stderr_lines[1]}" = "lmrec-ingest: 212 rows, 21 users, 3031 items, 1 duplicate quarantined; quality: 3 burst rows, 1 bot-like user, 1 flooded item, 3031 rows quarantined" ]
	[ "$(cut -f5 report.tsv | tr '\n' ' ')" = "action quarantined quarantined quarantined quarantined " ]
	[ "$(head -n 1 quarantine.tsv)" = "$(tsv 'user|item|ts|weight|event|reason')" ]
	[ "$(sed 1d quarantine.tsv | cut -f6 | sort | uniq -c | awk '{ printf "%s=%s ", $2, $1 }')" = "bot_user=3000 burst=3 duplicate=1 flooded_item=28 " ]
	# the burst: the third, fourth and fifth view within 20 s
	[ "$(grep burst quarantine.tsv)" = "$(tsv 'u03|i05|1700400010|1|view|burst' 'u03|i05|1700400015|1|view|burst' 'u03|i05|1700400020|1|view|burst')" ]
	# the flood: each flooder's first row stays, the other 14 each go
	[ "$(grep -c '^u0[12]	hot	' out.tsv)" -eq 2 ]
	assert_equal "$(grep '	hot	' out.tsv)" "$(tsv 'u01|hot|1700501000|4|rating' 'u02|hot|1700501500|1|view' 'u07|hot|1700600000|1|view' 'u08|hot|1700600100|1|view')"
	[ "$(grep -c '^bot	' out.tsv)" -eq 0 ]
	# rows in input order in both files; together they are the input
	[ "$(sed -n 2p quarantine.tsv)" = "$(tsv 'bot|b0001|1700300005|1|view|bot_user')" ]
	[ "$(tail -n 1 quarantine.tsv)" = "$(tsv 'u01|i04|1700010000|1|view|duplicate')" ]
	sed 1d feed.tsv | sort >want
	{ sed 1d out.tsv; sed 1d quarantine.tsv | cut -f1-5; } | sort >got
	cmp want got
}

@test "lmrec-ingest: --flag-weight down-weights bot and flood rows, drops bursts and duplicates" {
	dirty_feed >feed.tsv
	run -0 --separate-stderr lmrec-ingest --flag-weight --quality-report report.tsv -o out.tsv feed.tsv
	[ "${stderr_lines[1]}" = "lmrec-ingest: 3240 rows, 21 users, 3031 items, 1 duplicate dropped; quality: 3 burst rows dropped, 1 bot-like user, 1 flooded item, 3028 rows down-weighted" ]
	[ "$(cut -f5 report.tsv | tr '\n' ' ')" = "action dropped dropped weighted weighted " ]
	# bot: sqrt(110 / 3000); flood: 1 / sqrt(15), a rating of 4 becomes 4 / sqrt(15)
	[ "$(grep '^bot	' out.tsv | cut -f4 | sort | uniq -c | awk '{ print $1, $2 }')" = "3000 0.19148542" ]
	[ "$(grep '^u01	hot	' out.tsv | cut -f4 | uniq -c | awk '{ printf "%s*%s ", $1, $2 }')" = "1*4 14*1.0327955 " ]
	[ "$(grep '^u02	hot	' out.tsv | cut -f4 | uniq -c | awk '{ printf "%s*%s ", $1, $2 }')" = "1*1 14*0.2581989 " ]
	[ "$(grep -c '^u03	i05	' out.tsv)" -eq 2 ]
	# every other row is as it came
	[ "$(awk -F'\t' '$1 != "bot" && $2 != "hot"' out.tsv)" = "$(sed '$d' feed.tsv | awk -F'\t' '$1 != "bot" && $2 != "hot"' | grep -v -e '1700400010' -e '1700400015' -e '1700400020')" ]
	# the weights are what lmrec-train --use-weights reads: 'hot' is worth 77
	# (15 x 4 + 15 + 1 + 1) as it came, 25.07 flagged; a bot's item 1, then 0.19
	tsv 'user' 'u20' >users.tsv
	lmrec-ingest -q -o plain.tsv feed.tsv 2>/dev/null
	for f in plain out; do
		lmrec-train -q --model popular --use-weights -o "$f.lmrc" "$f.tsv"
		lmrec-recall -q -m "$f.lmrc" --users users.tsv -n 5000 | awk -F'\t' '$2 == "hot" || $2 == "b0001" { print $2, $3 }' >"$f.pop"
	done
	[ "$(cat plain.pop | tr '\n' ' ')" = "hot 77 b0001 1 " ]
	[ "$(cat out.pop | tr '\n' ' ')" = "hot 25.0739231 b0001 0.19148542 " ]
}

@test "lmrec-ingest: a burst window holds both ends; --burst-limit moves it; under --ts-from-order it counts rows" {
	tsv 'user|item|ts|event' 'u|a|0|view' 'u|a|30|view' 'u|a|60|view' 'v|a|0|view' 'v|a|30|view' 'v|a|61|view' \
		'w|a|0|view' 'w|a|0|click' 'w|a|1|view' >b.tsv
	run -0 lmrec-ingest -q --quality-report r.tsv --checks burst b.tsv
	[ "$(sed 1d r.tsv)" = "$(tsv 'burst|u|3|2|reported|1')" ]
	# the event is part of the key: w's click is another key
	run -0 lmrec-ingest -q --quality-report r.tsv --checks burst --burst-limit 1/1 b.tsv
	[ "$(sed 1d r.tsv)" = "$(tsv 'burst|w|2|1|reported|1')" ]
	run -0 lmrec-ingest -q --quality-report r.tsv --checks burst --burst-limit 1/30 b.tsv
	[ "$(sed 1d r.tsv)" = "$(tsv 'burst|u|2|1|reported|2' 'burst|v|2|1|reported|1' 'burst|w|2|1|reported|1')" ]
	# rows out of time order are ordered by ts first
	tsv 'user|item|ts' 'u|a|60' 'u|a|0' 'u|a|30' >shuffled.tsv
	run -0 lmrec-ingest -q --quarantine q.tsv --checks burst shuffled.tsv
	[ "$(sed 1d q.tsv)" = "$(tsv 'u|a|60|1||burst')" ]
	# no time: the window is in rows
	printf 'u\ta\nu\ta\nv\tb\nu\ta\n' >chrono.tsv
	run -0 lmrec-ingest -q --no-header --ts-from-order --quality-report r.tsv --burst-limit 2/2 chrono.tsv
	[ "$(sed 1d r.tsv)" = "" ]
	run -0 lmrec-ingest -q --no-header --ts-from-order --quality-report r.tsv --burst-limit 2/3 chrono.tsv
	[ "$(sed 1d r.tsv)" = "$(tsv 'burst|u|3|2|reported|1')" ]
}

@test "lmrec-ingest: the bot-like threshold follows --bot-k and --bot-min-ratio" {
	dirty_feed >feed.tsv
	# the median user has 11 rows: the ratio floor 10 x 11 rules by default
	run -0 --separate-stderr lmrec-ingest -v --checks bot --quality-report r.tsv -o /dev/null feed.tsv
	[ "${stderr_lines[2]}" = "lmrec-ingest: quality: the median user has 11 rows; bot-like above 110 rows" ]
	run -0 --separate-stderr lmrec-ingest -v --checks bot --bot-min-ratio 1 --quality-report r.tsv -o /dev/null feed.tsv
	[ "${stderr_lines[2]}" = "lmrec-ingest: quality: the median user has 11 rows; bot-like above 43 rows" ]
	run -0 --separate-stderr lmrec-ingest -v --checks bot --bot-min-ratio 1 --bot-k 1 --quality-report r.tsv -o /dev/null feed.tsv
	[ "${stderr_lines[2]}" = "lmrec-ingest: quality: the median user has 11 rows; bot-like above 17 rows" ]
	[ "$(grep bot_user r.tsv | cut -f1-4)" = "$(tsv 'bot_user|bot|3000|17' 'bot_user|u01|27|17' 'bot_user|u02|23|17' 'bot_user|u03|20|17')" ]
	run -0 lmrec-ingest -q --checks bot --bot-min-ratio 300 --quality-report r.tsv -o /dev/null feed.tsv
	[ "$(sed 1d r.tsv | cut -f1)" = "duplicate" ]
}

@test "lmrec-ingest: a flood's top users are those with most rows, a tie to the smaller id" {
	# item x: b and a 12 rows each (b first), c once: 25 rows
	{
		printf 'user\titem\tts\n'
		for t in $(seq 1 12); do printf 'b\tx\t%d\na\tx\t%d\n' $((t * 100)) $((t * 100 + 50)); done
		printf 'c\tx\t5000\n'
	} >f.tsv
	run -0 lmrec-ingest -q --checks flood --quality-report r.tsv --quarantine q.tsv f.tsv
	[ "$(sed 1d r.tsv)" = "$(tsv 'flooded_item|x|0.96|0.9|quarantined|22')" ]
	run -0 lmrec-ingest -q --checks flood --flood-users 1 --flood-share 0.4 --quality-report r.tsv --quarantine q.tsv f.tsv
	[ "$(sed 1d r.tsv)" = "$(tsv 'flooded_item|x|0.48|0.4|quarantined|11')" ]
	[ "$(sed 1d q.tsv | cut -f1 | sort -u)" = "a" ]
	[ "$(grep -c '^a	' q.tsv)" -eq 11 ]
	# below --flood-min, or not above --flood-share, nothing
	run -0 lmrec-ingest -q --checks flood --flood-min 26 --quality-report r.tsv f.tsv
	[ "$(sed 1d r.tsv)" = "" ]
	run -0 lmrec-ingest -q --checks flood --flood-share 0.96 --quality-report r.tsv f.tsv
	[ "$(sed 1d r.tsv)" = "" ]
	run -0 lmrec-ingest -q --checks flood --flood-users 3 --flood-share 0.99 --quality-report r.tsv f.tsv
	[ "$(sed 1d r.tsv)" = "$(tsv 'flooded_item|x|1|0.99|reported|22')" ]
}

@test "lmrec-ingest: --checks picks the checks; duplicates are always found" {
	dirty_feed >feed.tsv
	run -0 lmrec-ingest -q --checks none --quality-report r.tsv -o /dev/null feed.tsv
	[ "$(cut -f1 r.tsv | sed 1d | tr '\n' ' ')" = "duplicate " ]
	run -0 lmrec-ingest -q --checks flood,burst --quality-report r.tsv -o /dev/null feed.tsv
	[ "$(cut -f1 r.tsv | sed 1d | tr '\n' ' ')" = "duplicate burst flooded_item " ]
	run -0 lmrec-ingest -q --checks bot --quarantine q.tsv -o out.tsv feed.tsv
	[ "$(sed 1d q.tsv | cut -f6 | sort | uniq -c | awk '{ printf "%s=%s ", $2, $1 }')" = "bot_user=3000 duplicate=1 " ]
}

@test "lmrec-ingest: the quality options refuse bad values and combinations (exit 2)" {
	tsv 'user|item|ts' 'u|a|1' >in.tsv
	run -2 --separate-stderr lmrec-ingest --quarantine q.tsv --flag-weight in.tsv
	[ "${stderr_lines[0]}" = "lmrec-ingest: --quarantine and --flag-weight exclude each other" ]
	[ "${stderr_lines[1]}" = "Try 'lmrec-ingest --help' for more information." ]
	run -2 --separate-stderr lmrec-ingest --bot-k 2 in.tsv
	[ "${stderr_lines[0]}" = "lmrec-ingest: --bot-k needs --quality-report, --quarantine or --flag-weight" ]
	run -2 --separate-stderr lmrec-ingest --quality-report r.tsv --checks bots in.tsv
	[ "${stderr_lines[0]}" = "lmrec-ingest: invalid value for --checks: 'bots' (expected burst, bot, flood, all or none, separated by commas)" ]
	run -2 --separate-stderr lmrec-ingest --quality-report r.tsv --burst-limit 0/60 in.tsv
	[ "${stderr_lines[0]}" = "lmrec-ingest: invalid value for --burst-limit: '0/60' (expected ROWS/SECONDS such as '2/60', both at least 1)" ]
	run -2 lmrec-ingest --quality-report r.tsv --burst-limit 3 in.tsv
	run -2 lmrec-ingest --quality-report r.tsv --burst-limit 3/-1 in.tsv
	run -2 lmrec-ingest --quality-report r.tsv --burst-limit 3/0 in.tsv
	run -2 --separate-stderr lmrec-ingest --quality-report r.tsv --flood-share 1.5 in.tsv
	[ "${stderr_lines[0]}" = "lmrec-ingest: invalid value for --flood-share: '1.5' (expected a number from 0 to 1)" ]
	run -2 lmrec-ingest --quality-report r.tsv --flood-users 0 in.tsv
	run -2 lmrec-ingest --quality-report r.tsv --flood-min 0 in.tsv
	run -2 lmrec-ingest --quality-report r.tsv --bot-min-ratio 0.5 in.tsv
	run -2 --separate-stderr lmrec-ingest --quarantine in.tsv -o in.tsv in.tsv
	[ "${stderr_lines[0]}" = "lmrec-ingest: --output and --quarantine both name 'in.tsv'" ]
	run -2 --separate-stderr lmrec-ingest --quality-report - in.tsv
	[ "${stderr_lines[0]}" = "lmrec-ingest: --output and --quality-report both name '-'" ]
	run -2 --separate-stderr lmrec-ingest --kind items --quality-report r.tsv in.tsv
	[ "${stderr_lines[0]}" = "lmrec-ingest: --quality-report, --quarantine and --flag-weight are for interactions, not items" ]
	tsv 'user|item|ts|reason' 'u|a|1|x' >reason.tsv
	run -2 --separate-stderr lmrec-ingest --quarantine o/q.tsv -o o/out.tsv reason.tsv
	[ "${stderr_lines[0]}" = "lmrec-ingest: --quarantine adds a column 'reason', which reason.tsv already has" ]
	o_is_empty
	[ ! -e r.tsv ] && [ ! -e q.tsv ]
}

@test "lmrec-ingest: output, quarantine and report appear all three or none" {
	dirty_feed >feed.tsv
	# a bad row after the flagged ones: nothing at all
	{ cat feed.tsv; printf 'u01\ti01\tlater\t1\tview\n'; } >bad.tsv
	run -65 --separate-stderr lmrec-ingest --quality-report o/r.tsv --quarantine o/q.tsv -o o/out.tsv bad.tsv
	[ "$stderr" = "$(printf '%s\n' "lmrec-ingest: warning: bad.tsv:3245: duplicate row (user 'u01', item 'i04', ts 1700010000) (first at bad.tsv:2): row quarantined" "lmrec-ingest: bad.tsv:3246: column 'ts': 'later' is not an integer")" ]
	o_is_empty
	# the output cannot be written: neither report nor quarantine appears
	run -1 --separate-stderr lmrec-ingest -q --quality-report o/r.tsv --quarantine o/q.tsv -o /dev/full feed.tsv
	[ "${stderr_lines[1]}" = "lmrec-ingest: /dev/full: write: No space left on device" ]
	o_is_empty
	# nor when the quarantine or the report cannot
	run -1 lmrec-ingest -q --quality-report o/r.tsv --quarantine /dev/full -o o/out.tsv feed.tsv
	o_is_empty
	run -1 lmrec-ingest -q --quality-report /dev/full --quarantine o/q.tsv -o o/out.tsv feed.tsv
	o_is_empty
	# earlier files stay as they were
	for f in r q out; do echo old >"o/$f.tsv"; done
	run -65 lmrec-ingest -q --quality-report o/r.tsv --quarantine o/q.tsv -o o/out.tsv bad.tsv
	[ "$(cat o/r.tsv o/q.tsv o/out.tsv | tr '\n' ' ')" = "old old old " ]
	[ "$(ls -A o | tr '\n' ' ')" = "out.tsv q.tsv r.tsv " ]
	# and a good run replaces all three
	run -0 lmrec-ingest -q --quality-report o/r.tsv --quarantine o/q.tsv -o o/out.tsv feed.tsv
	[ "$(wc -l <o/r.tsv) $(wc -l <o/q.tsv) $(wc -l <o/out.tsv)" = "5 3033 213" ]
	[ "$(ls -A o | tr '\n' ' ')" = "out.tsv q.tsv r.tsv " ]
}

@test "lmrec-ingest: the checks give the same bytes every run; .gz input and outputs work the same" {
	dirty_feed >feed.tsv
	lmrec-ingest -q --quality-report r1.tsv --quarantine q1.tsv -o o1.tsv feed.tsv
	gzip -c feed.tsv >feed.tsv.gz
	lmrec-ingest -q --quality-report r2.tsv.gz --quarantine q2.tsv.gz -o o2.tsv.gz feed.tsv.gz
	cmp r1.tsv <(gzip -dc r2.tsv.gz)
	cmp q1.tsv <(gzip -dc q2.tsv.gz)
	cmp o1.tsv <(gzip -dc o2.tsv.gz)
	lmrec-ingest -q --flag-weight -o w1.tsv feed.tsv
	lmrec-ingest -q --flag-weight -o w2.tsv - <feed.tsv.gz
	cmp w1.tsv w2.tsv
	# header-only input: header-only outputs
	head -n 1 feed.tsv >h.tsv
	run -0 lmrec-ingest -q --quality-report r.tsv --quarantine q.tsv h.tsv
	assert_output "$(tsv 'user|item|ts|weight|event')"
	[ "$(cat q.tsv)" = "$(tsv 'user|item|ts|weight|event|reason')" ]
	[ "$(cat r.tsv)" = "$(tsv 'kind|key|figure|threshold|action|rows')" ]
}

@test "lmrec-ingest: the defaults flag nothing in the sample data" {
	run -0 --separate-stderr lmrec-ingest -v --quality-report r.tsv -o /dev/null "$TOP/sample-data/interactions.tsv.gz"
	[ "${stderr_lines[0]}" = "lmrec-ingest: 102578 rows, 957 users, 1288 items; quality: 0 burst rows, 0 bot-like users, 0 flooded items" ]
	[ "${stderr_lines[1]}" = "lmrec-ingest: quality: the median user has 41 rows; bot-like above 3873 rows" ]
	[ "$(wc -l <r.tsv)" -eq 1 ]
}

# ---- the real datasets ----

@test "lmrec-ingest: MovieLens-100K: 100,000 ratings, 943 users, 1,682 items; u.item in UTF-8; 943 users" {
	need_dataset ml-100k
	D="$LMREC_DATASETS/ml-100k"
	run -0 --separate-stderr lmrec-ingest -o r.tsv "$D/u.data"
	[ "$stderr" = "lmrec-ingest: 100000 rows, 943 users, 1682 items" ]
	[ "$(wc -l <r.tsv)" -eq 100001 ]
	[ "$(head -n 2 r.tsv)" = "$(tsv 'user|item|ts|weight|event' '196|242|881250949|3|rating')" ]
	run -0 --separate-stderr lmrec-ingest -o items.tsv "$D/u.item"
	[ "$stderr" = "lmrec-ingest: 1682 items" ]
	# line 543 of u.item (544 with the header) holds a Latin-1 e-acute
	[ "$(sed -n 544p items.tsv | cut -f1,2)" = "$(tsv '543|Misérables, Les (1995)')" ]
	[ "$(sed -n 544p items.tsv | cut -f4,5)" = "$(tsv 'Drama|genre=Drama;genre=Musical')" ]
	iconv -f UTF-8 -t UTF-8 items.tsv >/dev/null
	# item 267 has no title data and the 'unknown' genre only
	[ "$(awk -F'\t' '$1 == 267' items.tsv)" = "$(tsv '267|unknown|||')" ]
	run -0 --separate-stderr lmrec-ingest -o users.tsv "$D/u.user"
	[ "$stderr" = "lmrec-ingest: 943 users" ]
	[ "$(head -n 1 users.tsv)" = "$(tsv 'user|age|gender|occupation|zip')" ]
}

@test "lmrec-ingest: MovieLens latest-small: 100,836 ratings, 610 users, 9,724 rated items; 9,742 movies" {
	need_dataset ml-latest-small
	D="$LMREC_DATASETS/ml-latest-small"
	run -0 --separate-stderr lmrec-ingest -o r.tsv "$D/ratings.csv"
	[ "$stderr" = "lmrec-ingest: 100836 rows, 610 users, 9724 items" ]
	[ "$(cut -f4 r.tsv | sed 1d | sort -u | tr '\n' ' ')" = "0.5 1 1.5 2 2.5 3 3.5 4 4.5 5 " ]
	run -0 --separate-stderr lmrec-ingest --tags "$D/tags.csv" -o items.tsv "$D/movies.csv"
	[ "$stderr" = "lmrec-ingest: 9742 items, 1572 with tags" ]
	[ "$(wc -l <items.tsv)" -eq 9743 ]
	# every movie with genres has a category and genre attrs; (no genres listed) has neither
	[ "$(awk -F'\t' 'NR > 1 && $4 == ""' items.tsv | wc -l)" -eq 34 ]
	[ "$(awk -F'\t' 'NR > 1 && $4 != "" && $5 !~ ("^genre=" $4)' items.tsv | wc -l)" -eq 0 ]
	[ "$(awk -F'\t' '$1 == 11' items.tsv | cut -f2)" = "American President, The (1995)" ]
	[ "$(awk -F'\t' '$1 == 1' items.tsv | cut -f3)" = "pixar, fun" ]
	run -0 --separate-stderr lmrec-ingest -o tags.tsv "$D/tags.csv"
	[ "$stderr" = "lmrec-ingest: 3683 rows, 58 users, 1572 items" ]
}

@test "lmrec-ingest: MovieLens-1M interactions_chrono.tsv with --ts-from-order: 1,000,209 rows" {
	need_dataset ml-1m
	D="$LMREC_DATASETS/ml-1m"
	run -0 --separate-stderr lmrec-ingest --no-header --ts-from-order -o m1.tsv "$D/interactions_chrono.tsv"
	[ "$stderr" = "lmrec-ingest: 1000209 rows, 6040 users, 3706 items" ]
	[ "$(sed -n '2p;$p' m1.tsv | cut -f3 | tr '\n' ' ')" = "1 1000209 " ]
	run -0 --separate-stderr lmrec-ingest -o movies.tsv "$D/movies.dat"
	[ "$stderr" = "lmrec-ingest: 3883 items" ]
	[ "$(awk -F'\t' '$1 == 73' movies.tsv | cut -f2)" = "Misérables, Les (1995)" ]
	iconv -f UTF-8 -t UTF-8 movies.tsv >/dev/null
	run -0 --separate-stderr lmrec-ingest -o users.tsv "$D/users.dat"
	[ "$stderr" = "lmrec-ingest: 6040 users" ]
}

@test "lmrec-ingest: quality checks on MovieLens: none on 1M, three heavy raters in latest-small" {
	need_dataset ml-1m
	need_dataset ml-latest-small
	run -0 --separate-stderr lmrec-ingest -v --no-header --ts-from-order --quality-report r.tsv -o /dev/null \
		"$LMREC_DATASETS/ml-1m/interactions_chrono.tsv"
	[ "${stderr_lines[0]}" = "lmrec-ingest: 1000209 rows, 6040 users, 3706 items; quality: 0 burst rows, 0 bot-like users, 0 flooded items" ]
	[ "${stderr_lines[1]}" = "lmrec-ingest: quality: the median user has 96 rows; bot-like above 3055 rows" ]
	[ "$(wc -l <r.tsv)" -eq 1 ]
	run -0 lmrec-ingest -q --quality-report r.tsv -o /dev/null "$LMREC_DATASETS/ml-latest-small/ratings.csv"
	[ "$(sed 1d r.tsv)" = "$(tsv 'bot_user|414|2698|2062|reported|2698' 'bot_user|474|2108|2062|reported|2108' 'bot_user|599|2478|2062|reported|2478')" ]
}

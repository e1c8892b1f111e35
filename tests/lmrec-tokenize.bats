#!/usr/bin/env bats
# lmrec-tokenize: item text to words or WordPiece ids, personal data masked.
#
# The WordPiece fixtures (tests/fixtures/tokenize/: the lines, two
# vocabularies, the expected ids) come from an independent Python
# implementation of BERT's tokenizer, tests/reference/wordpiece_ref.py; to
# remake them (standard library only, never needed by make check):
#   /usr/bin/python3 tests/reference/make_tokenize_fixtures.py

load test_helper

setup() {
	cd "$BATS_TEST_TMPDIR"
}

# words TEXT...: the tokens column (and subwords, after a '|') of each TEXT
# (one item each, column text), through lmrec-tokenize -q -f text and the
# extra options in $OPTS.
words() {
	local t
	{
		printf 'item\ttext\n'
		for t in "$@"; do printf 'i\t%s\n' "$t"; done
	} >w.tsv
	# shellcheck disable=SC2086
	lmrec-tokenize -q -f text $OPTS w.tsv |
		awk -F'\t' 'NR > 1 { s = $2; for (i = 3; i < NF; i++) s = s "|" $i; print s }'
}

@test "lmrec-tokenize: --help and --version exit 0, an unknown option exits 2" {
	run lmrec-tokenize --help
	assert_success
	assert_line --partial 'Usage: lmrec-tokenize'
	run lmrec-tokenize --version
	assert_success
	assert_output 'lmrec-tokenize (lmrec) 0.1.0'
	run -2 --separate-stderr lmrec-tokenize --bogus
	[ "${stderr_lines[1]}" = "Try 'lmrec-tokenize --help' for more information." ]
}

@test "lmrec-tokenize: every --help option is in the man page" {
	run check_man_page lmrec-tokenize
	assert_success
}

@test "lmrec-tokenize: one row per item in input order, title and text by default" {
	tsv 'item|title|text|category' \
		'b2|The Rusty Raven|A cosy pub by the lakes.|pub' \
		'a1|Mei'"'"'s Kitchen|Korean street food.|food' >in.tsv
	run --separate-stderr lmrec-tokenize in.tsv
	assert_success
	assert_output "$(tsv 'item|tokens|masked' \
		'b2|rusty raven cosy pub lakes|0' \
		'a1|mei kitchen korean street food|0')"
	[ "$stderr" = "lmrec-tokenize: 2 items, 10 tokens; masked: 0 emails, 0 urls, 0 phones, 0 digits" ]
}

@test "lmrec-tokenize: --fields picks columns in order, attrs gives its values" {
	tsv 'item|title|category|attrs' \
		'x|Golden Katsu|mains|cuisine=japanese;diet=gluten_free;price=high' >in.tsv
	run lmrec-tokenize -q -f attrs,title in.tsv
	assert_output "$(tsv 'item|tokens|masked' 'x|japanese gluten free high golden katsu|0')"
	run lmrec-tokenize -q -f category in.tsv
	assert_line "$(tsv 'x|mains|0')"
	run -2 --separate-stderr lmrec-tokenize -q -f title,,category in.tsv
	[ "${stderr_lines[0]}" = "lmrec-tokenize: invalid value for --fields: 'title,,category' (an empty column name)" ]
	run -2 --separate-stderr lmrec-tokenize -q -f title,title in.tsv
	[ "${stderr_lines[0]}" = "lmrec-tokenize: invalid value for --fields: 'title,title' names 'title' twice" ]
}

@test "lmrec-tokenize: accents kept in NFC, or stripped with --strip-accents" {
	run words 'Crème Brûlée' $'Cre\xcc\x80me Bru\xcc\x82le\xcc\x81e' 'Ñandú Ærø' 'Tiếng Việt'
	assert_output "$(printf '%s\n' 'crème brûlée' 'crème brûlée' 'ñandú ærø' 'tiếng việt')"
	OPTS=--strip-accents run words 'Crème Brûlée' 'ÉCOLE' 'Ñandú Ærø' 'Tiếng Việt' 'Ελληνικά'
	assert_output "$(printf '%s\n' 'creme brulee' 'ecole' 'nandu ærø' 'tieng viet' 'ελληνικα')"
}

@test "lmrec-tokenize: case folding: ÉCOLE, Straße and ẞ, İ, ligatures; --keep-case" {
	run words 'ÉCOLE' 'Straße STRASSE ẞ' 'İstanbul' 'ﬁne ﬂour'
	assert_output "$(printf '%s\n' 'école' 'strasse strasse ss' 'istanbul' 'fine flour')"
	OPTS=--keep-case run words 'ÉCOLE Straße' 'The Cat'
	assert_output "$(printf '%s\n' 'ÉCOLE Straße' 'Cat')"
}

@test "lmrec-tokenize: Greek and Cyrillic are folded, final sigma included" {
	run words 'ΟΔΟΣ οδός Σοφία' 'МОСКВА Ёлка ЇЖАК Ґанок'
	assert_output "$(printf '%s\n' 'οδοσ οδόσ σοφία' 'москва ёлка їжак ґанок')"
}

@test "lmrec-tokenize: punctuation separates words, or stays as tokens with --punct keep" {
	run words "Hello, world! (It's) chilli-hot; don't l’école col·lecció."
	assert_output "hello world chilli hot don't l'école col·lecció"
	OPTS='--punct keep --no-stopwords' run words 'Hi, you! 5$ C++ 🌶️'
	assert_output 'hi , you ! 5 $ c + + 🌶️'
	run -2 lmrec-tokenize --punct maybe w.tsv
}

@test "lmrec-tokenize: numbers are kept, masked or dropped" {
	run words 'It is 3.5 km, 1,000 people, mp3 and 42.' '٣٤ ２０ 1.2.3 1..2 .5 5.'
	assert_output "$(printf '%s\n' '3.5 km 1,000 people mp3 42' '٣٤ ２０ 1.2.3 1 2 5 5')"
	OPTS='--numbers mask' run words 'It is 3.5 km, 1,000 people, mp3 and 42.'
	assert_output '<num> km <num> people mp3 <num>'
	OPTS='--numbers drop' run words 'It is 3.5 km, 1,000 people, mp3 and 42.'
	assert_output 'km people mp3'
}

@test "lmrec-tokenize: CJK ideographs one per token, kana and Hangul runs whole" {
	run words '北京欢迎你。東京タワー 서울특별시' 'mixed東京text'
	assert_output "$(printf '%s\n' '北 京 欢 迎 你 東 京 タワー 서울특별시' 'mixed 東 京 text')"
}

@test "lmrec-tokenize: stop words: the English list, none, or a file of one's own" {
	run words 'The house of the rising sun is not for you'
	assert_output 'house rising sun not'
	OPTS=--no-stopwords run words 'The house of the rising sun is not for you'
	assert_output 'the house of the rising sun is not for you'
	printf '# my list\n\nHOUSE\nsun\r\nÉté\n' >stop.txt
	OPTS='--stopwords stop.txt' run words 'The house of the rising sun in été, ete'
	assert_output 'the of the rising in ete'
	OPTS='--stopwords stop.txt --strip-accents' run words 'The house of the rising sun in été, ete'
	assert_output 'the of the rising in'
	# a list compares case-folded even with --keep-case
	OPTS='--keep-case' run words 'The House OF Cards'
	assert_output 'House Cards'
	run lmrec-tokenize --print-stopwords
	assert_success
	assert_line 'the'
	refute_line 'not'
	[ "${#lines[@]}" -eq 147 ]
}

@test "lmrec-tokenize: a stop-word line that is not one word exits 65 naming the line" {
	printf 'a\nnew york\n' >stop.txt
	tsv 'item|title|text' 'x|a|b' >in.tsv
	mkdir o
	run -65 --separate-stderr lmrec-tokenize --stopwords stop.txt -o o/out.tsv in.tsv
	[ "$stderr" = "lmrec-tokenize: stop.txt:2: 'new york' is not one word" ]
	[ -z "$(ls -A o)" ]
	printf '...\n' >stop2.txt
	run -65 --separate-stderr lmrec-tokenize --stopwords stop2.txt in.tsv
	[ "$stderr" = "lmrec-tokenize: stop2.txt:1: '...' is not one word" ]
	run -2 lmrec-tokenize --stopwords stop.txt --no-stopwords in.tsv
}

@test "lmrec-tokenize: word n-grams after the words, within sentences, fields and masks" {
	tsv 'item|title|text' 'x|House of Cards|A gripping political drama. Dark and tense, mail a@b.com now' >in.tsv
	run lmrec-tokenize -q --ngrams 3 in.tsv
	assert_success
	assert_output "$(tsv 'item|tokens|masked' \
		'x|house cards gripping political drama dark tense mail <email> house_cards gripping_political political_drama dark_tense tense_mail gripping_political_drama dark_tense_mail|1')"
	run -2 lmrec-tokenize --ngrams 9 in.tsv
}

@test "lmrec-tokenize: --char-ngrams adds a subwords column, fastText's way" {
	OPTS='--no-stopwords --char-ngrams 3-4' run words 'where'
	assert_output 'where|<wh <whe whe wher her here ere ere> re>'
	tsv 'item|text' 'x|Go 42 a@b.co' >in.tsv
	run lmrec-tokenize -q -f text --numbers mask --char-ngrams 1-3 in.tsv
	assert_output "$(tsv 'item|tokens|subwords|masked' 'x|go <num> <email>|<g <go g go go> o o>|1')"
	run lmrec-tokenize -q -f text --char-ngrams 2 in.tsv
	assert_output "$(tsv 'item|tokens|subwords|masked' 'x|go 42 <email>|<g go o> <4 42 2>|1')"
	run -2 --separate-stderr lmrec-tokenize --char-ngrams 5-3 in.tsv
	[ "${stderr_lines[0]}" = "lmrec-tokenize: invalid value for --char-ngrams: '5-3' (expected MIN-MAX with 1 <= MIN <= MAX <= 20, e.g. 3-6)" ]
}

@test "lmrec-tokenize: e-mail addresses, URLs, phones and digit runs are masked and counted" {
	tsv 'item|text' \
		'e|write to jane.doe+tag@example.co.uk or «bob@x.org», not bob@localhost' \
		'u|see https://example.com/a_(b)?q=1. and www.Example.org/x, (http://x.io/y)' \
		'p|call +44 (0)20 7946 0958, (555) 123-4567, 555.123.4567, 020 7946 0958 or 555-1234' \
		'd|card 4111 1111 1111 1111, acct 12345678, ID987654321' \
		'n|on 2024-01-15 or 15/01/2024: 1.000.000 people, sizes 36 38 40 42, 1999 2000 2001, 12345' >in.tsv
	run --separate-stderr lmrec-tokenize -f text --no-stopwords in.tsv
	assert_success
	assert_output "$(tsv 'item|tokens|masked' \
		'e|write to <email> or <email> not bob localhost|2' \
		'u|see <url> and <url> <url>|3' \
		'p|call <phone> <phone> <phone> <phone> or <phone>|5' \
		'd|card <digits> acct <digits> id <digits>|3' \
		'n|on 2024 01 15 or 15 01 2024 1.000.000 people sizes 36 38 40 42 1999 2000 2001 12345|0')"
	[ "$stderr" = "lmrec-tokenize: 5 items, 45 tokens; masked: 2 emails, 3 urls, 5 phones, 3 digits" ]
}

@test "lmrec-tokenize: --no-mask leaves personal data in the text" {
	tsv 'item|text' 'x|mail bob@x.org, call 555-1234' >in.tsv
	run --separate-stderr lmrec-tokenize -f text --no-mask in.tsv
	assert_output "$(tsv 'item|tokens|masked' 'x|mail bob x org call 555 1234|0')"
	[ "$stderr" = "lmrec-tokenize: 1 item, 7 tokens; masking off" ]
}

@test "lmrec-tokenize: WordPiece agrees token for token with the Python reference (uncased)" {
	run lmrec-tokenize -q --no-mask -f text --wordpiece "$(fixture vocab.txt)" \
		"$(fixture wordpiece-lines.tsv)"
	assert_success
	[ "${#lines[@]}" -eq 364 ]
	diff -u "$(fixture wordpiece-expected.tsv)" <(printf '%s\n' "$output")
}

@test "lmrec-tokenize: WordPiece agrees with the reference on a cased vocabulary" {
	run lmrec-tokenize -q --no-mask -f text --wordpiece "$(fixture vocab-cased.txt)" \
		"$(fixture wordpiece-lines.tsv)"
	assert_success
	diff -u "$(fixture wordpiece-cased-expected.tsv)" <(printf '%s\n' "$output")
	# the case was detected: forcing it gives the same
	run lmrec-tokenize -q --no-mask -f text --cased --wordpiece "$(fixture vocab-cased.txt)" \
		"$(fixture wordpiece-lines.tsv)"
	diff -u "$(fixture wordpiece-cased-expected.tsv)" <(printf '%s\n' "$output")
}

@test "lmrec-tokenize: WordPiece agrees with the reference when truncated to 12" {
	run lmrec-tokenize -q --no-mask -f text --max-length 12 --wordpiece "$(fixture vocab.txt)" \
		"$(fixture wordpiece-lines.tsv)"
	assert_success
	diff -u "$(fixture wordpiece-short-expected.tsv)" <(printf '%s\n' "$output")
}

@test "lmrec-tokenize: WordPiece keeps [SEP] last when truncating, unknown words are [UNK]" {
	printf '[PAD]\n[UNK]\n[CLS]\n[SEP]\nplay\n##ing\n##ed\nthe\ngame\n,\n' >v.txt
	tsv 'item|text' 'a|Playing the game, played' 'b|the zzz game' "c|$(printf 'p%.0s' $(seq 101))" >in.tsv
	run --separate-stderr lmrec-tokenize -f text --wordpiece v.txt in.tsv
	assert_success
	assert_output "$(tsv 'item|ids|tokens|masked' \
		'a|2 4 5 7 8 9 4 6 3|[CLS] play ##ing the game , play ##ed [SEP]|0' \
		'b|2 7 1 8 3|[CLS] the [UNK] game [SEP]|0' \
		'c|2 1 3|[CLS] [UNK] [SEP]|0')"
	[ "$stderr" = "lmrec-tokenize: 3 items, 17 ids, 0 truncated to 128; masked: 0 emails, 0 urls, 0 phones, 0 digits" ]
	run --separate-stderr lmrec-tokenize -f text --max-length 5 --wordpiece v.txt in.tsv
	assert_line "$(tsv 'a|2 4 5 7 3|[CLS] play ##ing the [SEP]|0')"
	assert_line "$(tsv 'c|2 1 3|[CLS] [UNK] [SEP]|0')"
	[ "$stderr" = "lmrec-tokenize: 3 items, 13 ids, 1 truncated to 5; masked: 0 emails, 0 urls, 0 phones, 0 digits" ]
	run lmrec-tokenize -q -f text --max-length 2 --wordpiece v.txt in.tsv
	assert_line "$(tsv 'a|2 3|[CLS] [SEP]|0')"
	run -2 lmrec-tokenize --max-length 1 --wordpiece v.txt in.tsv
}

@test "lmrec-tokenize: WordPiece masks personal data as one [UNK] each and never drops stop words" {
	printf '[PAD]\n[UNK]\n[CLS]\n[SEP]\nmail\nthe\nto\n' >v.txt
	tsv 'item|text' 'a|Mail the@x.org to +1 555 123 4567' >in.tsv
	run --separate-stderr lmrec-tokenize -f text --wordpiece v.txt in.tsv
	assert_output "$(tsv 'item|ids|tokens|masked' 'a|2 4 1 6 1 3|[CLS] mail [UNK] to [UNK] [SEP]|2')"
	[ "$stderr" = "lmrec-tokenize: 1 item, 6 ids, 0 truncated to 128; masked: 1 emails, 0 urls, 1 phones, 0 digits" ]
}

@test "lmrec-tokenize: the word options are refused with --wordpiece, and the other way round" {
	printf '[UNK]\n[CLS]\n[SEP]\n' >v.txt
	run -2 --separate-stderr lmrec-tokenize --wordpiece v.txt --ngrams 2
	[ "${stderr_lines[0]}" = "lmrec-tokenize: --wordpiece excludes the word options (--keep-case, --strip-accents, --punct, --numbers, --stopwords, --no-stopwords, --ngrams, --char-ngrams)" ]
	run -2 --separate-stderr lmrec-tokenize --max-length 64
	[ "${stderr_lines[0]}" = "lmrec-tokenize: --cased, --uncased and --max-length belong to --wordpiece" ]
}

@test "lmrec-tokenize: a vocabulary without [UNK] exits 65 naming the file, nothing written" {
	printf '[PAD]\n[CLS]\n[SEP]\nword\n' >vocab.txt
	tsv 'item|title|text' 'x|a|b' >in.tsv
	mkdir o
	run -65 --separate-stderr lmrec-tokenize --wordpiece vocab.txt -o o/out.tsv in.tsv
	[ "$stderr" = "lmrec-tokenize: vocab.txt: no '[UNK]' token (a BERT vocab.txt holds [UNK], [CLS] and [SEP])" ]
	[ -z "$output" ]
	[ -z "$(ls -A o)" ]
	# a failed run leaves the previous output as it was
	printf 'before\n' >o/out.tsv
	run -65 lmrec-tokenize --wordpiece vocab.txt -o o/out.tsv in.tsv
	[ "$(cat o/out.tsv)" = before ]
}

@test "lmrec-tokenize: every vocabulary refusal names the file, the line where there is one" {
	tsv 'item|title|text' 'x|a|b' >in.tsv
	printf '[UNK]\nword\n' >v1.txt
	run -65 --separate-stderr lmrec-tokenize --wordpiece v1.txt in.tsv
	[ "$stderr" = "lmrec-tokenize: v1.txt: no '[CLS]', '[SEP]' tokens (a BERT vocab.txt holds [UNK], [CLS] and [SEP])" ]
	printf '[UNK]\n[CLS]\n[SEP]\nword\n##s\nword\n' >v2.txt
	run -65 --separate-stderr lmrec-tokenize --wordpiece v2.txt in.tsv
	[ "$stderr" = "lmrec-tokenize: v2.txt:6: token 'word' given twice (first on line 4)" ]
	: >v3.txt
	run -65 --separate-stderr lmrec-tokenize --wordpiece v3.txt in.tsv
	[ "$stderr" = "lmrec-tokenize: v3.txt: empty vocabulary" ]
	printf '[UNK]\n[CLS]\n\n[SEP]\n' >v4.txt
	run -65 --separate-stderr lmrec-tokenize --wordpiece v4.txt in.tsv
	[ "$stderr" = "lmrec-tokenize: v4.txt:3: empty token (a vocab.txt has one token a line)" ]
	printf '[UNK]\n[CLS]\n[SEP]\nthe\t1234\n' >v5.txt
	run -65 --separate-stderr lmrec-tokenize --wordpiece v5.txt in.tsv
	[ "$stderr" = "lmrec-tokenize: v5.txt:4: token 'the	1234' holds white space (a vocab.txt has one token a line)" ]
	printf '[UNK]\n[CLS]\n[SEP]\n\xff\n' >v6.txt
	run -65 --separate-stderr lmrec-tokenize --wordpiece v6.txt in.tsv
	[ "$stderr" = "lmrec-tokenize: v6.txt:4: not valid UTF-8 (byte 1)" ]
	run -1 --separate-stderr lmrec-tokenize --wordpiece absent.txt in.tsv
	[ "$stderr" = "lmrec-tokenize: absent.txt: open: No such file or directory" ]
	# CRLF line ends and gzip are read
	printf '[UNK]\r\n[CLS]\r\n[SEP]\r\nb\r\n' >v7.txt
	gzip -c v7.txt >v7.txt.gz
	run lmrec-tokenize -q --wordpiece v7.txt.gz in.tsv
	assert_output "$(tsv 'item|ids|tokens|masked' 'x|1 0 3 2|[CLS] [UNK] b [SEP]|0')"
}

@test "lmrec-tokenize: header-only input gives header-only output" {
	printf 'item\ttitle\ttext\n' >h.tsv
	run lmrec-tokenize -q h.tsv
	assert_success
	assert_output "$(printf 'item\ttokens\tmasked')"
	printf '[UNK]\n[CLS]\n[SEP]\n' >v.txt
	run lmrec-tokenize -q --wordpiece v.txt h.tsv
	assert_output "$(printf 'item\tids\ttokens\tmasked')"
}

@test "lmrec-tokenize: a missing column exits 65 naming file and line" {
	tsv 'item|title' 'x|a' >bad.tsv
	run -65 --separate-stderr lmrec-tokenize bad.tsv
	[ "$stderr" = "lmrec-tokenize: bad.tsv:1: no column 'text' in the header" ]
	tsv 'id|title|text' 'x|a|b' >bad2.tsv
	run -65 --separate-stderr lmrec-tokenize bad2.tsv
	[ "$stderr" = "lmrec-tokenize: bad2.tsv:1: no column 'item' in the header" ]
}

@test "lmrec-tokenize: CRLF input exits 65" {
	printf 'item\ttitle\ttext\r\nx\ta\tb\r\n' >crlf.tsv
	run -65 --separate-stderr lmrec-tokenize crlf.tsv
	[ "$stderr" = "lmrec-tokenize: crlf.tsv:1: line ends with CR (CRLF line endings): convert the file with dos2unix" ]
}

@test "lmrec-tokenize: escapes: TAB and LF in text separate words, ids and tokens are written escaped" {
	printf 'item\ttext\n' >in.tsv
	printf 'a\\tb\tone\\ttwo\\nthree back\\\\slash\n' >>in.tsv
	run lmrec-tokenize -q -f text --punct keep in.tsv
	assert_output "$(printf 'item\ttokens\tmasked\na\\tb\tone two three back \\\\ slash\t0')"
	# and the output reads back as a stream
	lmrec-tokenize -q -f text --punct keep -o out.tsv in.tsv
	run lmrec-tokenize -q -f tokens --punct keep out.tsv
	assert_output "$(printf 'item\ttokens\tmasked\na\\tb\tone two three back \\\\ slash\t0')"
}

@test "lmrec-tokenize: .gz input gives the same as plain, .gz output is compressed" {
	cp "$TOP/sample-data/items.tsv" items.tsv
	gzip -c items.tsv >items.tsv.gz
	lmrec-tokenize -q items.tsv >plain.tsv
	lmrec-tokenize -q items.tsv.gz >gz.tsv
	cmp plain.tsv gz.tsv
	lmrec-tokenize -q -o out.tsv.gz items.tsv
	gzip -dc out.tsv.gz | cmp - plain.tsv
}

@test "lmrec-tokenize: the same input gives the same bytes, several files read as one" {
	cp "$TOP/sample-data/items.tsv" items.tsv
	lmrec-tokenize -q --ngrams 2 --char-ngrams 3-5 items.tsv >a.tsv
	lmrec-tokenize -q --ngrams 2 --char-ngrams 3-5 items.tsv >b.tsv
	cmp a.tsv b.tsv
	head -1 items.tsv >part2.tsv
	sed -n '2,600p' items.tsv >part1.tsv.body
	{ head -1 items.tsv; cat part1.tsv.body; } >part1.tsv
	sed -n '601,$p' items.tsv >>part2.tsv
	lmrec-tokenize -q --ngrams 2 --char-ngrams 3-5 part1.tsv - <part2.tsv >c.tsv
	cmp a.tsv c.tsv
	tsv 'item|title' 'x|y' >other.tsv
	run -65 --separate-stderr lmrec-tokenize -f title items.tsv other.tsv
	assert_failure 65
}

@test "lmrec-tokenize: invalid UTF-8 bytes are dropped, never crash" {
	printf 'item\ttext\nx\tcaf\xc3 ok \xff\xfe\xe2\x82 fin\xed\xa0\x80e\n' >bad.tsv
	run lmrec-tokenize -q -f text bad.tsv
	assert_success
	assert_output "$(printf 'item\ttokens\tmasked\nx\tcaf ok fine\t0')"
	printf '[UNK]\n[CLS]\n[SEP]\ncaf\nok\nfine\n' >v.txt
	run lmrec-tokenize -q -f text --wordpiece v.txt bad.tsv
	assert_output "$(printf 'item\tids\ttokens\tmasked\nx\t1 3 4 5 2\t[CLS] caf ok fine [SEP]\t0')"
}

@test "lmrec-tokenize: the sample catalog: every item, in order, with words" {
	run --separate-stderr lmrec-tokenize -f title,text,category,attrs "$TOP/sample-data/items.tsv"
	assert_success
	[ "${#lines[@]}" -eq 1301 ]
	diff <(cut -f1 "$TOP/sample-data/items.tsv") <(printf '%s\n' "$output" | cut -f1)
	# no empty token list, nothing masked in generated text
	[ -z "$(printf '%s\n' "$output" | awk -F'\t' 'NR>1 && ($2=="" || $3!=0)')" ]
	[[ "$stderr" == "lmrec-tokenize: 1300 items, "*" tokens; masked: 0 emails, 0 urls, 0 phones, 0 digits" ]]
}

@test "lmrec-tokenize: goodbooks-10k titles and authors, words and WordPiece" {
	need_dataset goodbooks-10k
	lmrec-ingest -q --kind items --format csv --header --map 'item=book_id,title=title,text=authors' \
		"$LMREC_DATASETS/goodbooks-10k/books.csv" >books.tsv
	run --separate-stderr lmrec-tokenize books.tsv
	assert_success
	[ "$stderr" = "lmrec-tokenize: 10000 items, 68763 tokens; masked: 0 emails, 0 urls, 0 phones, 0 digits" ]
	assert_line "$(tsv '1|hunger games hunger games 1 suzanne collins|0')"
	assert_line "$(tsv '46|water elephants sara gruen|0')"
	run --separate-stderr lmrec-tokenize --wordpiece "$(fixture vocab.txt)" --max-length 32 books.tsv
	assert_success
	[ "${#lines[@]}" -eq 10001 ]
}

@test "lmrec-tokenize: an item without text has no tokens, or only [CLS] [SEP]" {
	tsv 'item|title|text' 'x||' 'y|!!!|...' >in.tsv
	run lmrec-tokenize -q in.tsv
	assert_output "$(tsv 'item|tokens|masked' 'x||0' 'y||0')"
	printf '[UNK]\n[CLS]\n[SEP]\n' >v.txt
	run lmrec-tokenize -q --wordpiece v.txt in.tsv
	assert_output "$(tsv 'item|ids|tokens|masked' 'x|1 2|[CLS] [SEP]|0' 'y|1 0 0 0 0 0 0 2|[CLS] [UNK] [UNK] [UNK] [UNK] [UNK] [UNK] [SEP]|0')"
}

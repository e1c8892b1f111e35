#!/usr/bin/env bats
# lmrec-embed: item vectors from content.

load test_helper

setup() {
	cd "$BATS_TEST_TMPDIR"
	F="$TOP/tests/fixtures/embed"
	# word vectors by hand: 3 dimensions, fastText's text format
	printf '4 3\nred 1 0 0 \ncar 1 1 0 \nblue 0 1 0.5 \nsky 0 0.2 1 \n' >words.vec
	tsv 'item|tokens|title' \
		'a|red car|A' \
		'b|blue sky sky|B' \
		'c|red  red blue |C' \
		'd|unknownword|D' \
		'e||E' \
		'f|car sky|F' >tok.tsv
}

# unit_rows FILE: every row of a vectors stream has length 1 (to 1e-5).
unit_rows() {
	awk -F'\t' 'NR > 1 { s = 0; for (d = 2; d <= NF; d++) s += $d * $d;
		if (s < 1 - 1e-5 || s > 1 + 1e-5) { print "row " NR ": |v|^2 = " s; bad = 1 } }
		END { exit bad }' "$1"
}

# same_vectors A B TOL: the same ids in the same order, values within TOL
# (A: a vectors stream; B: "id v0 v1 ..." lines, space-separated).
same_vectors() {
	awk -v tol="$3" 'NR == FNR { if (FNR > 1) { n++; line[n] = $0 } next }
		{ m++; split(line[m], a, "\t"); k = split($0, b, " ");
		  if (a[1] != b[1]) { print "row " m ": " a[1] " vs " b[1]; bad = 1; next }
		  for (d = 2; d <= k; d++) if ((a[d] - b[d]) > tol || (b[d] - a[d]) > tol) {
			print a[1] " d" d - 2 ": " a[d] " vs " b[d]; bad = 1 } }
		END { if (n != m) { print n " rows vs " m; bad = 1 } exit bad }' "$1" "$2"
}

# sample_tokens: sample-data's items tokenised by the awk stand-in.
sample_tokens() {
	awk -f "$F/tokenize.awk" "$TOP/sample-data/items.tsv" >sample-tok.tsv
	awk -F'\t' 'NR > 1 { print $1 "\t" $4 }' "$TOP/sample-data/items.tsv" >sample-cat.tsv
}

@test "lmrec-embed: --help and --version exit 0, an unknown option exits 2" {
	run lmrec-embed --help
	assert_success
	assert_line --partial 'Usage: lmrec-embed'
	run lmrec-embed --version
	assert_success
	assert_output 'lmrec-embed (lmrec) 0.1.0'
	run -2 --separate-stderr lmrec-embed --bogus
	[ "${stderr_lines[1]}" = "Try 'lmrec-embed --help' for more information." ]
}

@test "lmrec-embed: every --help option is in the man page" {
	run check_man_page lmrec-embed
	assert_success
}

@test "lmrec-embed: usage errors exit 2" {
	run -2 --separate-stderr lmrec-embed tok.tsv
	[ "${stderr_lines[0]}" = "lmrec-embed: --method is required (subword, vec, tfidf, bert, tsv or fuse)" ]
	run -2 --separate-stderr lmrec-embed --method bert tok.tsv
	[ "${stderr_lines[0]}" = "lmrec-embed: --method bert needs --model-dir" ]
	run -2 lmrec-embed --method tfidf --model-dir . tok.tsv
	run -2 lmrec-embed --method subword --int8 tok.tsv
	run -2 --separate-stderr lmrec-embed --method bert --model-dir . --check-int8 tok.tsv
	[ "${stderr_lines[0]}" = "lmrec-embed: --check-int8 goes with --int8" ]
	run -2 --separate-stderr lmrec-embed --method vec tok.tsv
	[ "${stderr_lines[0]}" = "lmrec-embed: --method vec needs --word-vectors" ]
	run -2 lmrec-embed --method tfidf --word-vectors words.vec tok.tsv
	run -2 lmrec-embed --method fuse --input text=x.tsv
	run -2 lmrec-embed --method fuse -m m.lmrc --input 'Bad Name=x.tsv'
	run -2 lmrec-embed --method fuse -m m.lmrc --input a=x.tsv --input a=y.tsv
	run -2 lmrec-embed --method tsv --ridge 1 x.tsv
	run -2 lmrec-embed --method subword --dim 0 tok.tsv
	run -2 lmrec-embed --method subword --minn 5 --maxn 4 tok.tsv
	run -2 lmrec-embed --method tsv a.tsv b.tsv
}

# ---- vec: composition against the same arithmetic in awk ----

@test "lmrec-embed: vec without common-component removal is the SIF-weighted mean, unit length" {
	run -0 --separate-stderr lmrec-embed --method vec --word-vectors words.vec --remove-pc 0 tok.tsv
	echo "$output" >got.tsv
	awk -v a=0.1 -v pc=0 -f "$F/sif.awk" words.vec tok.tsv >want.txt
	run same_vectors got.tsv want.txt 2e-7
	assert_success
	# d (no known word) and e (no token) have no row; c is red, red, blue
	run cut -f1 got.tsv
	assert_output "$(printf 'item\na\nb\nc\nf')"
	run unit_rows got.tsv
	assert_success
	[ "${stderr_lines[0]}" = "lmrec-embed: vec: 4 of the catalog's 5 words found among the 4 of words.vec (90.9% of 11 tokens)" ]
	[ "${stderr_lines[1]}" = "lmrec-embed: vec: 4 vectors of 3; 2 items without a known word" ]
}

@test "lmrec-embed: the SIF weight a / (a + p) is exact on two words" {
	# x: p = 3/4, y: p = 1/4; a = 1: item u = (w_x (1,0) + w_y (0,1)) / 2
	# with w_x = 1 / 1.75, w_y = 1 / 1.25, so u points along (1.25, 1.75)
	printf 'x 1 0\ny 0 1\n' >xy.vec
	tsv 'item|tokens' 'u|x y' 'v|x x' >xy.tsv
	lmrec-embed -q --method vec --word-vectors xy.vec --sif-a 1 --remove-pc 0 xy.tsv >got.tsv
	printf 'u 0.581238194 0.813733471\nv 1 0\n' >want.txt
	run same_vectors got.tsv want.txt 1e-7
	assert_success
}

@test "lmrec-embed: vec removes the common component as the awk reference does" {
	run -0 lmrec-embed -q --method vec --word-vectors words.vec tok.tsv
	echo "$output" >got.tsv
	awk -v a=0.1 -v pc=1 -f "$F/sif.awk" words.vec tok.tsv >want.txt
	run same_vectors got.tsv want.txt 1e-6
	assert_success
	run unit_rows got.tsv
	assert_success
	# and a smaller a, for which the weights are about a/p
	lmrec-embed -q --method vec --word-vectors words.vec --sif-a 0.001 tok.tsv >got5.tsv
	awk -v a=0.001 -v pc=1 -f "$F/sif.awk" words.vec tok.tsv >want5.txt
	run same_vectors got5.tsv want5.txt 1e-6
	assert_success
}

@test "lmrec-embed: GloVe text without a header, gzip and word2vec binary read the same vectors" {
	lmrec-embed -q --method vec --word-vectors words.vec tok.tsv >want.tsv
	sed 1d words.vec >glove.txt
	run -0 lmrec-embed -q --method vec --word-vectors glove.txt tok.tsv
	assert_output "$(cat want.tsv)"
	gzip -c words.vec >words.vec.gz
	run -0 lmrec-embed -q --method vec --word-vectors words.vec.gz tok.tsv
	assert_output "$(cat want.tsv)"
	# word2vec binary: "count dim\n", then word, space, 3 little-endian floats, LF
	# (1 = 0x3f800000, 0.5 = 0x3f000000, 0.2 = 0x3e4ccccd)
	{
		printf '4 3\n'
		printf 'red \000\000\200\077\000\000\000\000\000\000\000\000\n'
		printf 'car \000\000\200\077\000\000\200\077\000\000\000\000\n'
		printf 'blue \000\000\000\000\000\000\200\077\000\000\000\077\n'
		printf 'sky \000\000\000\000\315\314\114\076\000\000\200\077\n'
	} >words.bin
	run -0 lmrec-embed -q --method vec --word-vectors words.bin tok.tsv
	assert_output "$(cat want.tsv)"
	gzip -c words.bin >words.bin.gz
	run -0 lmrec-embed -q --method vec --word-vectors words.bin.gz tok.tsv
	assert_output "$(cat want.tsv)"
}

@test "lmrec-embed: a ragged .vec row exits 65 naming file and line, nothing written" {
	printf '2 3\nred 1 0 0\ncar 1 1\n' >bad.vec
	run -65 --separate-stderr lmrec-embed --method vec --word-vectors bad.vec -o out.tsv tok.tsv
	[ "$stderr" = "lmrec-embed: bad.vec:3: 2 values where the header announces 3 (a ragged row)" ]
	[ ! -e out.tsv ]
	printf 'red 1 0 0\ncar 1 1 0 0\n' >bad2.vec
	run -65 --separate-stderr lmrec-embed --method vec --word-vectors bad2.vec tok.tsv
	[ "$stderr" = "lmrec-embed: bad2.vec:2: 4 values where the first row has 3 (a ragged row)" ]
}

@test "lmrec-embed: NaN, a repeated word, a wrong count and a truncated .bin exit 65" {
	lmrec-embed -q --method vec --word-vectors words.vec -o out.tsv tok.tsv
	cp out.tsv before.tsv
	printf '2 3\nred 1 nan 0\ncar 1 1 0\n' >nan.vec
	run -65 --separate-stderr lmrec-embed --method vec --word-vectors nan.vec -o out.tsv tok.tsv
	[ "$stderr" = "lmrec-embed: nan.vec:2: word 'red': value 2: 'nan' is not a finite number" ]
	printf 'red 1 0 0\nred 1 1 0\n' >dup.vec
	run -65 --separate-stderr lmrec-embed --method vec --word-vectors dup.vec -o out.tsv tok.tsv
	[ "$stderr" = "lmrec-embed: dup.vec:2: word 'red' is given twice" ]
	printf '3 3\nred 1 0 0\ncar 1 1 0\n' >count.vec
	run -65 --separate-stderr lmrec-embed --method vec --word-vectors count.vec -o out.tsv tok.tsv
	[ "$stderr" = "lmrec-embed: count.vec:1: the header announces 3 words, the file has 2" ]
	printf '2 3\nred \000\000\200\077\000\000\000\000\000\000\000\000\ncar \000\000\200\077\000\000' >cut.bin
	run -65 --separate-stderr lmrec-embed --method vec --word-vectors cut.bin -o out.tsv tok.tsv
	[ "$stderr" = "lmrec-embed: cut.bin: word 2 of 2: the file ends inside its vector (truncated)" ]
	printf '1 2\nred \000\000\300\177\000\000\000\000\n' >nan.bin
	run -65 --separate-stderr lmrec-embed --method vec --word-vectors nan.bin -o out.tsv tok.tsv
	[ "$stderr" = "lmrec-embed: nan.bin: word 1 of 1 'red': value 1 is not a finite number" ]
	cmp out.tsv before.tsv
}

# ---- subword ----

@test "lmrec-embed: subword vectors are unit length, deterministic for a seed, seed-dependent" {
	sample_tokens
	head -301 sample-tok.tsv >s300.tsv
	run -0 --separate-stderr lmrec-embed --method subword --dim 16 --epochs 3 -s 7 s300.tsv
	echo "$output" >a.tsv
	[ "$(head -1 a.tsv)" = "$(printf 'item'; for d in $(seq 0 15); do printf '\td%d' "$d"; done)" ]
	[ "$(wc -l <a.tsv)" -eq 301 ]
	run unit_rows a.tsv
	assert_success
	[[ "${stderr_lines[0]}" == "lmrec-embed: subword: 300 items, "*" 3 epochs in "* ]]
	[ "${stderr_lines[1]}" = "lmrec-embed: subword: 300 vectors of 16; 0 items without a word vector" ]
	run lmrec-embed -q --method subword --dim 16 --epochs 3 -s 7 s300.tsv
	[ "$output" = "$(cat a.tsv)" ]
	run lmrec-embed -q --method subword --dim 16 --epochs 3 -s 8 s300.tsv
	[ "$output" != "$(cat a.tsv)" ]
	# two threads: reproducible too
	lmrec-embed -q --method subword --dim 16 --epochs 3 -s 7 -j 2 s300.tsv >j2a.tsv
	lmrec-embed -q --method subword --dim 16 --epochs 3 -s 7 -j 2 s300.tsv >j2b.tsv
	cmp j2a.tsv j2b.tsv
}

@test "lmrec-embed: --save-words then --method vec gives the same item vectors" {
	lmrec-embed -q --method subword --dim 8 --epochs 2 --save-words w.vec -o sub.tsv tok.tsv
	# every word of the catalog, the rare ones from their n-grams
	[ "$(head -1 w.vec)" = "5 8" ]
	run cut -d' ' -f1 w.vec
	assert_output "$(printf '5\nred\ncar\nblue\nsky\nunknownword')"
	run -0 lmrec-embed -q --method vec --word-vectors w.vec tok.tsv
	assert_output "$(cat sub.tsv)"
	# d has its only word once (below --min-count 2) and still a vector; e has none
	run cut -f1 sub.tsv
	assert_output "$(printf 'item\na\nb\nc\nd\nf')"
}

@test "lmrec-embed: --maxn 0 trains whole words: a rare word then has no vector" {
	run -0 --separate-stderr lmrec-embed --method subword --dim 4 --epochs 1 --maxn 0 tok.tsv
	run cut -f1 <<<"$output"
	assert_output "$(printf 'item\na\nb\nc\nf')"
	[ "${stderr_lines[1]}" = "lmrec-embed: subword: 4 vectors of 4; 2 items without a word vector" ]
}

@test "lmrec-embed: subword and tfidf put items of a category nearer each other on sample-data" {
	skip_if_slow
	sample_tokens
	lmrec-embed -q --method subword -o sub.tsv sample-tok.tsv
	run awk -f "$F/gap.awk" sample-cat.tsv sub.tsv
	echo "subword: $output"
	gap=$(awk '{print $6}' <<<"$output")
	awk -v g="$gap" 'BEGIN { exit !(g > 0.5) }'
	lmrec-embed -q --method tfidf -o tfidf.tsv sample-tok.tsv
	run awk -f "$F/gap.awk" sample-cat.tsv tfidf.tsv
	echo "tfidf: $output"
	gap=$(awk '{print $6}' <<<"$output")
	awk -v g="$gap" 'BEGIN { exit !(g > 0.15) }'
	[ "$(wc -l <sub.tsv)" -eq 1301 ] && [ "$(wc -l <tfidf.tsv)" -eq 1301 ]
}

# ---- tfidf ----

@test "lmrec-embed: tfidf at full rank keeps the cosines of the TF-IDF rows" {
	tsv 'item|tokens' 'a|x y' 'b|x x z' 'c|y z w' 'd|w' 'e|x v v' >t.tsv
	run -0 --separate-stderr lmrec-embed --method tfidf --dim 5 t.tsv
	echo "$output" >got.tsv
	[ "${stderr_lines[0]}" = "lmrec-embed: tfidf: 5 items, 5 words (5 kept); rank 5 kept 100.0% of the variance" ]
	run unit_rows got.tsv
	assert_success
	# TF-IDF in awk: (1 + ln tf) (ln((1 + n) / (1 + df)) + 1), rows unit length
	awk -F'\t' 'NR > 1 { n++; id[n] = $1; k = split($2, t, " ");
			delete seen; for (j = 1; j <= k; j++) { tf[n, t[j]]++; if (!seen[t[j]]++) df[t[j]]++; w[t[j]] = 1 } }
		END { for (i = 1; i <= n; i++) { s = 0
				for (x in w) if (tf[i, x]) { v[i, x] = (1 + log(tf[i, x])) * (log((1 + n) / (1 + df[x])) + 1); s += v[i, x]^2 }
				for (x in w) v[i, x] /= sqrt(s) }
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) { c = 0; for (x in w) c += v[i, x] * v[j, x];
				printf "%s %s %.6f\n", id[i], id[j], (c < 5e-7 && c > -5e-7) ? 0 : c } }' t.tsv >want.txt
	awk -F'\t' 'NR > 1 { n++; id[n] = $1; for (d = 2; d <= NF; d++) v[n, d] = $d; nf = NF }
		END { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) { c = 0; for (d = 2; d <= nf; d++) c += v[i, d] * v[j, d];
				printf "%s %s %.6f\n", id[i], id[j], (c < 5e-7 && c > -5e-7) ? 0 : c } }' got.tsv >cos.txt
	run diff want.txt cos.txt
	assert_success
}

@test "lmrec-embed: tfidf beyond the rank writes zeros and warns; same seed, same vectors" {
	tsv 'item|tokens' 'a|x y' 'b|x x z' 'c|y z' >t.tsv
	run -0 --separate-stderr lmrec-embed --method tfidf --dim 5 t.tsv
	[ "${stderr_lines[2]}" = "lmrec-embed: warning: the catalog has rank 3 at most: d3 to d4 are 0" ]
	run awk -F'\t' 'NR > 1 && ($5 != 0 || $6 != 0)' <<<"$output"
	[ -z "$output" ]
	sample_tokens
	lmrec-embed -q --method tfidf --dim 20 -s 3 sample-tok.tsv >s1.tsv
	lmrec-embed -q --method tfidf --dim 20 -s 3 sample-tok.tsv >s2.tsv
	cmp s1.tsv s2.tsv
	run unit_rows s1.tsv
	assert_success
}

# ---- tsv ----

@test "lmrec-embed: tsv writes vectors back canonically, in input order, other columns dropped" {
	tsv 'note|item|d1|d0' 'x|b|1.50|3' 'y|a|-0|1e0' >v.tsv
	run -0 --separate-stderr lmrec-embed --method tsv v.tsv
	assert_output "$(tsv 'item|d0|d1' 'b|3|1.5' 'a|1|-0')"
	[ "$stderr" = "lmrec-embed: tsv: 2 vectors of 2" ]
	run -0 lmrec-embed -q --method tsv --normalize v.tsv
	assert_output "$(tsv 'item|d0|d1' 'b|0.89442718|0.44721359' 'a|1|-0')"
}

@test "lmrec-embed: tsv checks ids against --items and counts items without a vector" {
	tsv 'item|d0' 'a|1' 'b|2' >v.tsv
	tsv 'item|title' 'a|A' 'b|B' 'c|C' >items.tsv
	run -0 --separate-stderr lmrec-embed --method tsv --items items.tsv v.tsv
	[ "$stderr" = "lmrec-embed: tsv: 2 vectors of 1; 1 of the 3 items have none" ]
	tsv 'item|d0' 'a|1' 'z|2' >v2.tsv
	run -65 --separate-stderr lmrec-embed --method tsv --items items.tsv -o out.tsv v2.tsv
	[ "$stderr" = "lmrec-embed: v2.tsv:3: column 'item': 'z' is not an item of items.tsv" ]
	[ ! -e out.tsv ]
	run -65 --separate-stderr lmrec-embed --method tsv --dim 3 v.tsv
	[ "$stderr" = "lmrec-embed: v.tsv:1: 1 dimensions where --dim says 3" ]
}

@test "lmrec-embed: tsv refuses NaN, a duplicate id, a short row, with file and line" {
	tsv 'item|d0|d1' 'a|1|2' 'b|nan|2' >nan.tsv
	run -65 --separate-stderr lmrec-embed --method tsv -o out.tsv nan.tsv
	[ "$stderr" = "lmrec-embed: nan.tsv:3: column 'd0': 'nan' is not a finite number" ]
	tsv 'item|d0|d1' 'a|1|2' 'b|inf|2' >inf.tsv
	run -65 --separate-stderr lmrec-embed --method tsv inf.tsv
	[ "$stderr" = "lmrec-embed: inf.tsv:3: column 'd0': 'inf' is not a finite number" ]
	tsv 'item|d0|d1' 'a|1|2' 'a|1|2' >dup.tsv
	run -65 --separate-stderr lmrec-embed --method tsv dup.tsv
	[ "$stderr" = "lmrec-embed: dup.tsv:3: column 'item': 'a' has a vector already" ]
	tsv 'item|d0|d1' 'a|1|2' 'b|1' >short.tsv
	run -65 --separate-stderr lmrec-embed --method tsv short.tsv
	[ "$stderr" = "lmrec-embed: short.tsv:3: column 'd1': missing (the line has 2 fields, the header 3)" ]
	[ ! -e out.tsv ]
}

# ---- the stream conventions ----

@test "lmrec-embed: header-only input gives header-only output" {
	printf 'item\ttokens\n' >h.tsv
	run -0 lmrec-embed -q --method subword --dim 3 h.tsv
	assert_output "$(printf 'item\td0\td1\td2')"
	run -0 lmrec-embed -q --method tfidf --dim 2 h.tsv
	assert_output "$(printf 'item\td0\td1')"
	run -0 lmrec-embed -q --method vec --word-vectors words.vec h.tsv
	assert_output "$(printf 'item\td0\td1\td2')"
	printf 'item\td0\n' >hv.tsv
	run -0 lmrec-embed -q --method tsv hv.tsv
	assert_output "$(printf 'item\td0')"
}

@test "lmrec-embed: a missing column exits 65 naming file and line" {
	tsv 'item|text' 'a|x' >bad.tsv
	run -65 --separate-stderr lmrec-embed --method tfidf bad.tsv
	[ "$stderr" = "lmrec-embed: bad.tsv:1: no column 'tokens' in the header" ]
	tsv 'id|d0' 'a|1' >badv.tsv
	run -65 --separate-stderr lmrec-embed --method tsv badv.tsv
	[ "$stderr" = "lmrec-embed: badv.tsv:1: no column 'item' in the header" ]
	tsv 'item|tokens' 'a|x' 'a|y' >twice.tsv
	run -65 --separate-stderr lmrec-embed --method subword twice.tsv
	[ "$stderr" = "lmrec-embed: twice.tsv:3: column 'item': item 'a' is given twice" ]
}

@test "lmrec-embed: CRLF input exits 65 with a dos2unix hint" {
	printf 'item\ttokens\r\na\tx\r\n' >crlf.tsv
	run -65 --separate-stderr lmrec-embed --method tfidf crlf.tsv
	[[ "$stderr" == "lmrec-embed: crlf.tsv:1: line ends with CR"*dos2unix* ]]
}

@test "lmrec-embed: escaped ids round-trip unchanged" {
	printf 'item\td0\td1\na\\tb\t1\t2\nc\\\\d\t3\t4\n' >esc.tsv
	run -0 lmrec-embed -q --method tsv esc.tsv
	assert_output "$(cat esc.tsv)"
	printf 'item\ttokens\na\\tb\tx y\n' >esct.tsv
	run -0 lmrec-embed -q --method tfidf --dim 1 esct.tsv
	assert_line --index 1 "$(printf 'a\\tb\t1')"
}

@test "lmrec-embed: gzip input gives the same output as plain input, .gz output is gzip" {
	lmrec-embed -q --method vec --word-vectors words.vec tok.tsv >plain.tsv
	gzip -c tok.tsv >tok.tsv.gz
	run -0 lmrec-embed -q --method vec --word-vectors words.vec <tok.tsv.gz
	assert_output "$(cat plain.tsv)"
	lmrec-embed -q --method vec --word-vectors words.vec -o out.tsv.gz tok.tsv.gz
	[ "$(gzip -dc out.tsv.gz)" = "$(cat plain.tsv)" ]
	lmrec-embed -q --method subword --dim 4 --epochs 1 tok.tsv >s1.tsv
	run -0 lmrec-embed -q --method subword --dim 4 --epochs 1 tok.tsv.gz
	assert_output "$(cat s1.tsv)"
}

# ---- fuse ----

@test "lmrec-embed: fuse weighs the modality that predicts the factors, not the noise" {
	awk -f "$F/planted.awk"
	"$TOP/tests/tools/mkfactors" y.tsv m.lmrc
	run -0 --separate-stderr lmrec-embed --method fuse -m m.lmrc --keep-norms \
		--input good=good.tsv --input noise=noise.tsv --report r.tsv -o fused.tsv
	cat r.tsv
	[ "${stderr_lines[0]}" = "lmrec-embed: fuse: 450 items, 400 of them in the model (4 factors) to learn the map" ]
	[ "$(head -1 r.tsv)" = "$(printf 'modality\titems\tin_model\tdims\twhitened\tr2\tlambda\tweight')" ]
	# good: R2 near 1 (noise of sd 0.1 on signals of sd 2); noise: about 0
	# and almost no weight; fused: as good as good alone
	awk -F'\t' '$1 == "good" { exit !($2 == 450 && $3 == 400 && $5 == 8 && $6 > 0.98 && $8 > 0.99) }' r.tsv
	awk -F'\t' '$1 == "noise" { exit !($2 == 400 && $6 > -0.03 && $6 < 0.02 && $8 < 0.01) }' r.tsv
	awk -F'\t' 'NR == FNR && $1 == "good" { g = $6 } NR != FNR && $1 == "fused" { exit !($6 > g - 0.01 && $5 == 14) }' r.tsv r.tsv
	# every item gets a fused vector of 4 factors, the 50 cold ones included
	[ "$(wc -l <fused.tsv)" -eq 451 ]
	[ "$(head -1 fused.tsv)" = "$(printf 'item\td0\td1\td2\td3')" ]
	[ "$(sed -n 452p fused.tsv)" = "" ] && grep -q '^i449	' fused.tsv
	# the fused vectors of items in the model are close to their factors
	run awk -F'\t' 'NR == FNR { if (FNR > 1) for (d = 2; d <= 5; d++) y[$1, d] = $d; next }
		FNR > 1 && ($1, 2) in y { for (d = 2; d <= 5; d++) { e += ($d - y[$1, d])^2; s += y[$1, d]^2 } }
		END { printf "%.4f\n", 1 - e / s; exit !(1 - e / s > 0.98) }' y.tsv fused.tsv
	assert_success
}

@test "lmrec-embed: fuse is deterministic, and scaling vectors to unit length is the default" {
	awk -f "$F/planted.awk"
	"$TOP/tests/tools/mkfactors" y.tsv m.lmrc
	lmrec-embed -q --method fuse -m m.lmrc --input good=good.tsv --input noise=noise.tsv -o a.tsv --report ra.tsv
	lmrec-embed -q --method fuse -m m.lmrc --input good=good.tsv --input noise=noise.tsv -o b.tsv
	cmp a.tsv b.tsv
	# unit length loses the norm of a linear signal: a lower R2, still far from noise
	awk -F'\t' '$1 == "good" { exit !($6 > 0.7 && $6 < 0.98) }' ra.tsv
	# a fixed penalty is used as given
	lmrec-embed -q --method fuse -m m.lmrc --input good=good.tsv --ridge 5 -o c.tsv --report rc.tsv
	run awk -F'\t' '$1 == "fused" { print $7 }' rc.tsv
	assert_output 5
}

@test "lmrec-embed: a fuse input none of whose items the model knows exits 65, nothing written" {
	awk -f "$F/planted.awk"
	"$TOP/tests/tools/mkfactors" y.tsv m.lmrc
	tsv 'item|d0|d1' 'x1|1|2' 'x2|3|4' >other.tsv
	run -65 --separate-stderr lmrec-embed --method fuse -m m.lmrc --input good=good.tsv \
		--input other=other.tsv -o out.tsv
	[ "$stderr" = "lmrec-embed: other.tsv: none of its 2 items is in the model m.lmrc" ]
	[ ! -e out.tsv ]
	tsv 'item|d0|d1' 'i001|1|nan' >nan.tsv
	run -65 --separate-stderr lmrec-embed --method fuse -m m.lmrc --input x=nan.tsv
	[ "$stderr" = "lmrec-embed: nan.tsv:2: column 'd1': 'nan' is not a finite number" ]
	lmrec-train -q --model popular -o pop.lmrc <<<"$(tsv 'user|item|ts' 'u|i001|1')"
	run -2 --separate-stderr lmrec-embed --method fuse -m pop.lmrc --input good=good.tsv
	[ "$stderr" = "lmrec-embed: pop.lmrc: a popular model has no item factors (als or bpr needed)" ]
}

@test "lmrec-embed: fuse on sample-data: text vectors predict ALS factors, noise does not" {
	skip_if_slow
	sample_tokens
	lmrec-train -q --model als --factors 16 --iters 5 -o als.lmrc "$TOP/sample-data/interactions.tsv.gz"
	lmrec-embed -q --method tfidf --dim 32 -o text.tsv sample-tok.tsv
	awk -F'\t' 'BEGIN { srand(3) } NR == 1 { print "item\td0\td1\td2\td3\td4"; next }
		{ printf "%s", $1; for (d = 0; d < 5; d++) printf "\t%.6f", rand() - 0.5; print "" }' \
		sample-tok.tsv >noise.tsv
	run -0 --separate-stderr lmrec-embed --method fuse -m als.lmrc --input text=text.tsv \
		--input noise=noise.tsv --report r.tsv -o fused.tsv
	printf '%s\n' "${stderr_lines[@]}"
	awk -F'\t' '$1 == "text" { exit !($6 > 0.2) }' r.tsv
	awk -F'\t' '$1 == "noise" { exit !($6 < 0.02) }' r.tsv
	[ "$(wc -l <fused.tsv)" -eq 1301 ]
}

@test "lmrec-embed: subword on MovieLens latest-small titles and genres" {
	need_dataset ml-latest-small
	skip_if_slow
	lmrec-ingest -q --kind items -o items.tsv "$LMREC_DATASETS/ml-latest-small/movies.csv"
	awk -F'\t' 'NR == 1 { print "item\ttokens"; next } { t = $2 " " $5; gsub(/genre=/, " ", t);
		t = tolower(t); gsub(/[^a-z0-9]+/, " ", t); sub(/^ +/, "", t); sub(/ +$/, "", t); print $1 "\t" t }' \
		items.tsv >tok-ml.tsv
	run -0 --separate-stderr lmrec-embed --method subword -o ml.tsv tok-ml.tsv
	printf '%s\n' "${stderr_lines[@]}"
	[[ "${stderr_lines[0]}" == "lmrec-embed: subword: 9742 items, 66123 tokens, 9254 words "* ]]
	[ "${stderr_lines[1]}" = "lmrec-embed: subword: 9742 vectors of 100; 0 items without a word vector" ]
	# movies of the same first genre are nearer each other
	awk -F'\t' 'NR > 1 { print $1 "\t" $4 }' items.tsv >ml-cat.tsv
	run awk -f "$F/gap.awk" ml-cat.tsv ml.tsv
	echo "$output"
	awk -v g="$(awk '{print $6}' <<<"$output")" 'BEGIN { exit !(g > 0.2) }'
}

# ---- bert ----

# The fixture of tests/reference/bert_ref.py embed: a 2-layer BERT of hidden
# 32 with random weights in a sentence-transformers folder (max_seq_length
# 16), 8 items, their WordPiece ids and PyTorch's vectors.
BERT="$TOP/tests/fixtures/embed/bert"

# bert_model DIR [SEED]: a random BERT of hidden 32 (2 layers, 4 heads,
# 300 tokens, 64 positions) made by tests/tools/mkbert.
bert_model() {
	mkdir -p "$1"
	"$TOP/tests/tools/mkbert" "$1" 2 32 4 64 300 64 "${2:-1}"
}

# st_write FILE JSON NBYTES: a safetensors file: the JSON header's length
# (u64, little-endian), the header, NBYTES zero bytes of data.
st_write() {
	local n=${#2} i b=
	for i in 0 1 2 3 4 5 6 7; do b+=$(printf '\\%03o' $(((n >> (8 * i)) & 255))); done
	{
		printf "$b"
		printf '%s' "$2"
		head -c "$3" /dev/zero
	} >"$1"
}

@test "lmrec-embed: bert gives PyTorch's vectors (1e-4) from lmrec-tokenize's ids, sequences cut as sentence-transformers does" {
	run -0 lmrec-tokenize -q --wordpiece "$BERT/model/vocab.txt" --no-mask --fields text "$BERT/items.tsv"
	assert_output "$(cat "$BERT/wordpiece.tsv")"
	run -0 --separate-stderr lmrec-embed --method bert --model-dir "$BERT/model" -o got.tsv "$BERT/wordpiece.tsv"
	[ "${stderr_lines[0]}" = "lmrec-embed: bert: 8 items, 91 ids (the longest item 26), 4 cut to the model's 16; "\
"8 vectors of 32 (fp32) in ${stderr_lines[0]#*(fp32) in }" ]
	[ "${stderr_lines[1]}" = "lmrec-embed: warning: 4 items longer than the model's 16 ids were cut to it (lmrec-tokenize --max-length 16 does the same)" ]
	[ "$(head -1 got.tsv)" = "$(head -1 "$BERT/expected.tsv")" ]
	[ "$(cut -f1 got.tsv)" = "$(cut -f1 "$BERT/expected.tsv")" ]
	tail -n +2 "$BERT/expected.tsv" | tr '\t' ' ' >want.txt
	run same_vectors got.tsv want.txt 1e-4
	assert_success
	unit_rows got.tsv
	# the same text gives the same vector (to the rounding of its rows' place
	# in the product); cut by the tokenizer, the same bytes
	grep '^wine1' got.tsv | cut -f2- | tr '\t' ' ' | sed 's/^/dup6 /' >wine1.txt
	run same_vectors <(printf 'item\n'; grep '^dup6' got.tsv) wine1.txt 1e-6
	assert_success
	lmrec-tokenize -q --wordpiece "$BERT/model/vocab.txt" --no-mask --fields text --max-length 16 "$BERT/items.tsv" |
		lmrec-embed -q --method bert --model-dir "$BERT/model" >cut.tsv
	cmp got.tsv cut.tsv
}

@test "lmrec-embed: lmrec-tokenize --wordpiece piped into bert runs end to end on sample-data" {
	bert_model m
	lmrec-tokenize -q --wordpiece m/vocab.txt --max-length 64 "$TOP/sample-data/items.tsv" |
		lmrec-embed -q --method bert --model-dir m -j 2 -o v.tsv
	[ "$(wc -l <v.tsv)" -eq "$(wc -l <"$TOP/sample-data/items.tsv")" ]
	[ "$(cut -f1 v.tsv)" = "$(cut -f1 "$TOP/sample-data/items.tsv")" ]
	[ "$(head -1 v.tsv | tr '\t' '\n' | tail -1)" = d31 ]
	unit_rows v.tsv
}

@test "lmrec-embed: bert writes the same bytes with any -j, in fp32 and int8" {
	bert_model m
	head -301 "$TOP/sample-data/items.tsv" | lmrec-tokenize -q --wordpiece m/vocab.txt --max-length 64 >wp.tsv
	lmrec-embed -q --method bert --model-dir m -j 1 -o j1.tsv wp.tsv
	for j in 2 3; do
		lmrec-embed -q --method bert --model-dir m -j "$j" -o "j$j.tsv" wp.tsv
		cmp j1.tsv "j$j.tsv"
	done
	lmrec-embed -q --method bert --model-dir m --int8 -j 1 -o q1.tsv wp.tsv
	lmrec-embed -q --method bert --model-dir m --int8 -j 3 -o q3.tsv wp.tsv
	cmp q1.tsv q3.tsv
	! cmp -s j1.tsv q1.tsv
}

@test "lmrec-embed: bert --int8 is within a cosine of 0.99 of fp32, and --check-int8 says how near" {
	bert_model m 2
	head -301 "$TOP/sample-data/items.tsv" | lmrec-tokenize -q --wordpiece m/vocab.txt --max-length 64 >wp.tsv
	lmrec-embed -q --method bert --model-dir m -o f.tsv wp.tsv
	run -0 --separate-stderr lmrec-embed -q --method bert --model-dir m --int8 --check-int8 -o q.tsv wp.tsv
	[[ "${stderr_lines[0]}" == "lmrec-embed: bert: int8 against fp32 over 300 items: mean cosine 0.99"* ]]
	[ "${#stderr_lines[@]}" -eq 1 ]
	unit_rows q.tsv
	# the cosine it prints is the cosine of the two outputs
	run awk -F'\t' 'NR == FNR { if (FNR > 1) for (d = 2; d <= NF; d++) a[FNR, d] = $d; next }
		FNR > 1 { c = 0; for (d = 2; d <= NF; d++) c += a[FNR, d] * $d; s += c; n++; if (c < 0.99) bad++ }
		END { printf "%.6f\n", s / n; exit bad > 0 }' f.tsv q.tsv
	assert_success
	[[ "${stderr_lines[0]}" == *"mean cosine ${output:0:6}"* ]]
	# without --check-int8, int8 says nothing of it
	run -0 --separate-stderr lmrec-embed -q --method bert --model-dir m --int8 -o q2.tsv wp.tsv
	[ "$stderr" = "" ]
	cmp q.tsv q2.tsv
}

@test "lmrec-embed: bert: header-only input, gzip input, escaped ids, an item without ids" {
	printf 'item\tids\n' >h.tsv
	run -0 lmrec-embed -q --method bert --model-dir "$BERT/model" h.tsv
	[ "$output" = "$(head -1 "$BERT/expected.tsv")" ]
	lmrec-embed -q --method bert --model-dir "$BERT/model" "$BERT/wordpiece.tsv" >plain.tsv
	gzip -c "$BERT/wordpiece.tsv" >wp.tsv.gz
	run -0 --separate-stderr lmrec-embed -q --method bert --model-dir "$BERT/model" <wp.tsv.gz
	assert_output "$(cat plain.tsv)"
	printf 'item\tids\na\\tb\t2 5 3\nnone\t\nc\\\\d\t 2  77 3 \n' >esc.tsv
	run -0 --separate-stderr lmrec-embed --method bert --model-dir "$BERT/model" -o esc-out.tsv esc.tsv
	[ "${stderr_lines[1]}" = "lmrec-embed: warning: 1 items without ids have no vector" ]
	[ "$(cut -f1 esc-out.tsv)" = "$(printf 'item\na\\tb\nc\\\\d')" ]
}

@test "lmrec-embed: bert refuses bad ids with file, line and column, nothing written" {
	printf 'item\tids\na\t2 5 3\nb\t2 85 3\n' >big.tsv
	run -65 --separate-stderr lmrec-embed --method bert --model-dir "$BERT/model" -o out.tsv big.tsv
	[ "$stderr" = "lmrec-embed: big.tsv:3: column 'ids': id 2: '85' is outside the vocabulary of $BERT/model/vocab.txt (0 to 84)" ]
	printf 'item\tids\na\t2 5 3\nb\t2 -5 3\n' >neg.tsv
	run -65 --separate-stderr lmrec-embed --method bert --model-dir "$BERT/model" -o out.tsv neg.tsv
	[ "$stderr" = "lmrec-embed: neg.tsv:3: column 'ids': id 2: '-5' is not a token id (a decimal integer)" ]
	printf 'item\tids\na\t2 5 3\na\t2 3\n' >twice.tsv
	run -65 --separate-stderr lmrec-embed --method bert --model-dir "$BERT/model" -o out.tsv twice.tsv
	[ "$stderr" = "lmrec-embed: twice.tsv:3: column 'item': item 'a' is given twice" ]
	tsv 'item|tokens' 'a|x' >tok.tsv
	run -65 --separate-stderr lmrec-embed --method bert --model-dir "$BERT/model" -o out.tsv tok.tsv
	[ "$stderr" = "lmrec-embed: tok.tsv:1: no column 'ids' in the header" ]
	printf 'item\tids\r\na\t2 3\r\n' >crlf.tsv
	run -65 --separate-stderr lmrec-embed --method bert --model-dir "$BERT/model" -o out.tsv crlf.tsv
	[[ "$stderr" == "lmrec-embed: crlf.tsv:1: line ends with CR"*dos2unix* ]]
	[ ! -e out.tsv ]
}

@test "lmrec-embed: bert refuses a bad model folder with one line naming the file, nothing written" {
	check() { # check DIR MESSAGE
		run -65 --separate-stderr lmrec-embed --method bert --model-dir "$1" -o out.tsv "$BERT/wordpiece.tsv"
		[ "$stderr" = "lmrec-embed: $2" ]
		[ ! -e out.tsv ]
		rm -rf "$1"
	}
	fresh() { rm -rf m && cp -r "$BERT/model" m; }
	# safetensors headers that lie
	fresh
	st_write m/model.safetensors '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}' 4
	check m "m/model.safetensors: tensor 'a': data_offsets [0, 8] run past the end of the file (4 bytes of data)"
	fresh
	st_write m/model.safetensors '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}' 12
	check m "m/model.safetensors: tensors 'a' and 'b' overlap (bytes 4 to 8)"
	# a tensor of another shape than config.json says
	fresh
	sed -i 's/"intermediate_size": 64/"intermediate_size": 48/' m/config.json
	check m "m/model.safetensors: tensor 'encoder.layer.0.intermediate.dense.weight' has shape [64, 32], expected [48, 32]"
	# config.json without a key
	fresh
	sed -i '/num_attention_heads/d' m/config.json
	check m "m/config.json: key 'num_attention_heads' is missing"
	# vocab.txt without [UNK]; with more tokens than the model has rows
	fresh
	sed -i '/^\[UNK\]$/d' m/vocab.txt
	check m "m/vocab.txt: no '[UNK]' token (a BERT vocab.txt holds [UNK], [CLS] and [SEP])"
	fresh
	echo extra >>m/vocab.txt
	check m "m/vocab.txt: 86 tokens, more than the model's 85 (vocab_size of config.json)"
	# CLS pooling is not what this encoder does
	fresh
	sed -i 's/"pooling_mode_cls_token": false/"pooling_mode_cls_token": true/; s/"pooling_mode_mean_tokens": true/"pooling_mode_mean_tokens": false/' m/1_Pooling/config.json
	check m "m/1_Pooling/config.json: pooling_mode_mean_tokens is not true: only mean pooling is supported"
	# a missing file is a run-time failure (1)
	run -1 --separate-stderr lmrec-embed --method bert --model-dir nowhere "$BERT/wordpiece.tsv"
	[ "$stderr" = "lmrec-embed: nowhere/vocab.txt: open: No such file or directory" ]
}

#!/usr/bin/env bats
# pipelines/shard.sh: a filter over a stream in blocks under GNU Parallel,
# the output the same bytes as the filter's on the whole stream.

load test_helper

setup() {
	cd "$BATS_TEST_TMPDIR"
	SHARD="$TOP/pipelines/shard.sh"
	SD="$TOP/sample-data"
	# blocks of 16 kB: the conversations (some 100 kB) in several
	export LMREC_PAR_BLOCK=16000
}

@test "shard.sh: --help, and usage errors exit 2" {
	run -0 "$SHARD" --help
	assert_line --index 0 'Usage: shard.sh --key COLUMN [OPTION]... [INPUT] -- COMMAND [ARG]...'
	run -2 --separate-stderr "$SHARD" -- cat
	[ "$stderr" = 'shard.sh: --key is required' ]
	run -2 --separate-stderr "$SHARD" --key user in.tsv
	[ "$stderr" = 'shard.sh: no COMMAND: give it after --' ]
	run -2 --separate-stderr "$SHARD" --key user -j 0 -- cat
	[ "$stderr" = "shard.sh: --jobs wants a positive number, not '0'" ]
	run -2 --separate-stderr "$SHARD" --bogus -- cat
	[ "${stderr_lines[0]}" = 'shard.sh: unknown option --bogus' ]
}

@test "shard.sh: lmrec-chat by session and lmrec-tokenize by item: the same bytes as on the whole stream" {
	[ "$(wc -c <"$SD/conversations.tsv")" -gt $((4 * LMREC_PAR_BLOCK)) ]
	lmrec-chat -q --items "$SD/items.tsv" "$SD/conversations.tsv" >one.tsv
	run -0 --separate-stderr "$SHARD" -j 2 --key session "$SD/conversations.tsv" -- \
		lmrec-chat -q --items "$SD/items.tsv"
	[ -z "$stderr" ]
	cmp one.tsv <(printf '%s\n' "$output")
	# from standard input, gzip-compressed, into a file
	gzip -c "$SD/conversations.tsv" | "$SHARD" -j 2 --key session -o two.tsv -- lmrec-chat -q --items "$SD/items.tsv"
	cmp one.tsv two.tsv
	lmrec-tokenize -q "$SD/items.tsv" >tok-one.tsv
	"$SHARD" -j 2 --key item -o tok-two.tsv "$SD/items.tsv" -- lmrec-tokenize -q
	cmp tok-one.tsv tok-two.tsv
	[ -z "$(find . "${TMPDIR:-/tmp}" -maxdepth 1 -name '.shard.*' -o -maxdepth 1 -name '.par.*' 2>/dev/null)" ]
}

@test "shard.sh: the BERT encoder by item (fp32 and int8): the same bytes as on the whole catalog" {
	mkdir m
	"$TOP/tests/tools/mkbert" m 2 32 4 64 300 64 1
	lmrec-tokenize -q --wordpiece m/vocab.txt --max-length 64 "$SD/items.tsv" >wp.tsv
	[ "$(wc -c <wp.tsv)" -gt $((4 * LMREC_PAR_BLOCK)) ]
	for int8 in "" --int8; do
		lmrec-embed -q --method bert --model-dir m $int8 -o one.tsv wp.tsv
		"$SHARD" -j 2 --key item -o two.tsv wp.tsv -- lmrec-embed -q --method bert --model-dir m $int8
		cmp one.tsv two.tsv
	done
}

@test "shard.sh: a second output of the command (--side), joined in order" {
	tsv 'user|x' 'a|1' 'a|2' 'b|3' 'c|4' 'c|5' 'd|6' >in.tsv
	# a filter that copies its input and counts its rows into --count FILE
	cat >count.sh <<'SH'
#!/bin/sh
[ "$1" = --count ] || exit 2
tee /dev/stderr 2>/dev/null | awk -v f="$2" 'NR == 1 { print; print "rows" >f; next } { print; n++ } END { print n + 0 >>f }'
SH
	chmod +x count.sh
	LMREC_PAR_BLOCK=8 run -0 --separate-stderr "$SHARD" -j 2 --key user -o out.tsv --side --count counts.tsv in.tsv -- ./count.sh
	cmp in.tsv out.tsv
	# several blocks (GNU Parallel's choice of where), every row counted once
	[ "$(tail -n +2 counts.tsv | wc -l)" -ge 3 ]
	[ "$(tail -n +2 counts.tsv | awk '{ n += $1 } END { print n }')" -eq 6 ]
	assert_equal "$(head -n 1 counts.tsv)" 'rows'
}

@test "shard.sh: rows of a key apart, a missing column, a failing command: the exit status and one line" {
	tsv 'user|x' 'a|1' 'b|2' 'a|3' >apart.tsv
	run -65 --separate-stderr "$SHARD" --key user apart.tsv -- cat
	[ "$stderr" = "shard.sh: apart.tsv:4: column 'user': 'a' comes back after others" ]
	run -65 --separate-stderr "$SHARD" --key session apart.tsv -- cat
	[ "$stderr" = "shard.sh: apart.tsv: no column 'session'" ]
	tsv 'session|user|turn|text' 'c1|u1|1|hi' >turns.tsv
	run -2 --separate-stderr "$SHARD" --key session -o out.tsv turns.tsv -- lmrec-chat -q
	[[ "${stderr_lines[0]}" == "lmrec-chat: "* ]]
	[ ! -e out.tsv ]
	# a block that fails while an earlier one still runs (GNU Parallel,
	# halting, dropped such a block's held standard error): its status, its
	# message, and the output not written
	tsv 'user|x' 'a|1' 'b|2' 'c|3' 'd|4' >four.tsv
	LMREC_PAR_BLOCK=8 run -7 --separate-stderr "$SHARD" -j 2 --key user -o out.tsv four.tsv -- \
		awk -F'\t' '$2 == 2 { system("sleep 1") } $2 == 3 { print "bad row" >"/dev/stderr"; exit 7 } { print }'
	[[ "$stderr" == *'bad row'* ]]
	[ ! -e out.tsv ]
	run -1 --separate-stderr "$SHARD" --key user missing.tsv -- cat
	[ "$stderr" = 'shard.sh: missing.tsv: cannot read' ]
}

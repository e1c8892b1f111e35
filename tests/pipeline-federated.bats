#!/usr/bin/env bats
# pipelines/federated.sh: ALS across hosts that keep their users'
# interactions.

load test_helper

setup() {
	cd "$BATS_TEST_TMPDIR"
	FED="$TOP/pipelines/federated.sh"
	# the sample data's users in two shards: ids ending in an even digit
	# and the others
	gzip -dc "$TOP/sample-data/interactions.tsv.gz" >all.tsv
	awk -F'\t' 'NR == 1 { print > "a.tsv"; print > "b.tsv"; next }
		{ print > ($1 ~ /[02468]$/ ? "a.tsv" : "b.tsv") }' all.tsv
	printf ':\ta.tsv\ta.lmrc\n# the other half\n:\tb.tsv\tb.lmrc\n' >hosts.tsv
}

section() { "$TOP/tests/tools/modelsection" "$@"; }

@test "federated: --help, and unknown options and missing arguments exit 2" {
	run "$FED" --help
	assert_success
	assert_line --partial 'Usage: federated.sh --hosts FILE --out DIR'
	run -2 "$FED" --bogus
	run -2 --separate-stderr "$FED" --out o
	assert_equal "$stderr" 'federated.sh: --hosts is required'
	run -2 --separate-stderr "$FED" --hosts hosts.tsv --out o --iters 0
	assert_equal "$stderr" "federated.sh: --iters wants a positive number, not '0'"
}

@test "federated: two hosts train lmrec-train's model; each keeps its users' model; nothing crossed" {
	run --separate-stderr "$FED" --hosts hosts.tsv --out fed --iters 5
	assert_success
	[ "${stderr_lines[0]}" = 'federated.sh: 2 hosts: their items' ]
	lmrec-train -q --model als --iters 5 -o one.lmrc all.tsv
	section fed/items.lmrc item_factors >fed.txt
	section one.lmrc item_factors >one.txt
	[ "$(wc -l <one.txt)" -eq 1288 ]
	run near_values fed.txt one.txt 1e-4
	assert_success
	assert_equal "$(section fed/items.lmrc items)" "$(section one.lmrc items)"
	# each host's model: its users only, solved against the final factors
	assert_equal "$(section a.lmrc users)" "$(tail -n +2 a.tsv | cut -f1 | LC_ALL=C sort -u)"
	assert_equal "$(section b.lmrc users)" "$(tail -n +2 b.tsv | cut -f1 | LC_ALL=C sort -u)"
	section a.lmrc item_factors >a-items.txt
	cmp a-items.txt fed.txt
	lmrec-recall -q -m b.lmrc -n 10 -o recs.tsv
	[ "$(tail -n +2 recs.tsv | cut -f1 | sort -u | wc -l)" -eq "$(section b.lmrc users | wc -l)" ]
	# on this machine nothing crosses a network: the record is empty
	assert_equal "$(cat fed/transfers.tsv)" "$(printf 'step\thost\tdirection\tfile\tbytes')"
	[ -z "$(find fed -name '.federated.tmp.*')" ]
	# the same run again: the same bytes
	cp fed/items.lmrc first.lmrc
	"$FED" -q --hosts hosts.tsv --out fed --iters 5
	cmp first.lmrc fed/items.lmrc
}

@test "federated: item-kNN and EASE from the hosts' Gram matrices: lmrec-train's model, byte for byte" {
	local m
	for m in itemknn ease; do
		run --separate-stderr "$FED" --model "$m" --hosts hosts.tsv --out "fed-$m"
		assert_success
		[ "${stderr_lines[0]}" = 'federated.sh: 2 hosts: their Gram matrices' ]
		lmrec-train -q --model "$m" -o "one-$m.lmrc" all.tsv
		local s
		case "$m" in itemknn) s="neighbours_ptr neighbours_idx neighbours_val" ;; *) s=B ;; esac
		for s in items $s; do
			cmp <(section "fed-$m/items.lmrc" "$s") <(section "one-$m.lmrc" "$s")
		done
		# each host got the model, and scores its users from their rows
		# as the one-process model scores them
		cmp a.lmrc "fed-$m/items.lmrc"
		cmp b.lmrc "fed-$m/items.lmrc"
		lmrec-recall -q -m a.lmrc --history a.tsv -n 10 -o fed-recs.tsv
		lmrec-recall -q -m "one-$m.lmrc" -n 10 | awk -F'\t' 'NR == 1 || $1 ~ /[02468]$/' >one-recs.tsv
		cmp fed-recs.tsv one-recs.tsv
	done
	# options reach lmrec-train; weights are EASE's only
	"$FED" -q --model ease --train-opts '--lambda 7' --hosts hosts.tsv --out fed-l
	run section fed-l/items.lmrc params
	assert_line 'lambda=7'
	run -2 --separate-stderr "$FED" --model itemknn --use-weights --hosts hosts.tsv --out x
	assert_equal "$stderr" 'federated.sh: --use-weights: item-kNN counts users, not weights'
	run -2 --separate-stderr "$FED" --model bpr --hosts hosts.tsv --out x
	assert_equal "$stderr" "federated.sh: --model is als, itemknn or ease, not 'bpr'"
}

@test "federated: a bad hosts file is refused with its line; a failing host stops the run, the last output kept" {
	printf ':\ta.tsv\n' >short.tsv
	run -65 --separate-stderr "$FED" --hosts short.tsv --out fed
	assert_equal "$stderr" 'federated.sh: short.tsv:1: a host needs an sshlogin, an interactions file and a model file'
	printf ':\ta.tsv\ta.lmrc\nhost.example\tdata/b.tsv\t/srv/b.lmrc\n' >relative.tsv
	run -65 --separate-stderr "$FED" --hosts relative.tsv --out fed
	assert_equal "$stderr" "federated.sh: relative.tsv:2: 'data/b.tsv' is not an absolute path (a remote host needs one)"
	printf '# nobody\n' >empty.tsv
	run -65 --separate-stderr "$FED" --hosts empty.tsv --out fed
	assert_equal "$stderr" 'federated.sh: empty.tsv: no hosts'
	run -1 --separate-stderr "$FED" --hosts missing.tsv --out fed
	assert_equal "$stderr" 'federated.sh: missing.tsv: cannot read the hosts'
	# a first run, then one whose second host has no data
	"$FED" -q --hosts hosts.tsv --out fed --iters 1
	cp fed/items.lmrc before.lmrc
	printf ':\ta.tsv\ta.lmrc\n:\tnone.tsv\tb.lmrc\n' >gone.tsv
	run -1 --separate-stderr "$FED" -q --hosts gone.tsv --out fed --iters 1
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "federated.sh: host 1 (:), items: lmrec-als-shard: "*"none.tsv"* ]]
	cmp before.lmrc fed/items.lmrc
	[ -z "$(find fed -name '.federated.tmp.*')" ]
}

@test "federated: over two ssh hosts: the same bytes as on this machine, and only item-side files cross" {
	[ -f "$TOP/tests/sshd.bash" ] || skip "tests/sshd.bash is absent"
	. "$TOP/tests/sshd.bash"
	# (sshd.bash wants a path without white space)
	local dir
	dir=$(mktemp -d /tmp/lmrec-fed-ssh.XXXXXX)
	lmrec_sshd_start "$dir" 2 || { rm -rf "$dir"; skip "no loopback sshd: $LMREC_SSHD_WHY"; }
	# every rsync GNU Parallel runs here says what it sends and fetches
	mkdir wrap
	printf '#!/bin/sh\nprintf "%%s\\n" "$*" >>"%s/rsync.log"\nexec /usr/bin/rsync "$@"\n' "$PWD" >wrap/rsync
	chmod +x wrap/rsync
	{
		printf '%s\t%s\t%s\n' "$(sed -n 1p "$dir/sshloginfile")" "$PWD/a.tsv" "$PWD/ssh-a.lmrc"
		printf '%s\t%s\t%s\n' "$(sed -n 2p "$dir/sshloginfile")" "$PWD/b.tsv" "$PWD/ssh-b.lmrc"
	} >ssh-hosts.tsv
	run --separate-stderr env PATH="$PWD/wrap:$PATH" "$FED" -q --hosts ssh-hosts.tsv --out ssh \
		--iters 2 --remote-path "$TOP/bin"
	local st=$status
	mv rsync.log rsync-als.log
	# EASE too (one round: the Gram matrices back, the model out)
	local st2=0
	sed 's/ssh-\([ab]\)\.lmrc$/ssh-ease-\1.lmrc/' ssh-hosts.tsv >ssh-hosts-ease.tsv
	env PATH="$PWD/wrap:$PATH" "$FED" -q --model ease --hosts ssh-hosts-ease.tsv --out ssh-ease \
		--remote-path "$TOP/bin" || st2=$?
	# the sessions each host served, before the hosts go
	cat "$dir"/host-1/sessions "$dir"/host-2/sessions >sessions.txt
	local left
	left=$(find "$dir"/host-*/home -mindepth 1 | wc -l)
	lmrec_sshd_stop "$dir"
	rm -rf "$dir"
	[ "$st" -eq 0 ] || { echo "$stderr"; false; }
	[ "$st2" -eq 0 ]
	# the hosts really ran the steps, and kept nothing in their folders
	grep -q 'rsync --server' sessions.txt
	[ "$left" -eq 0 ]
	"$FED" -q --hosts hosts.tsv --out here --iters 2
	cmp here/items.lmrc ssh/items.lmrc
	cmp a.lmrc ssh-a.lmrc
	cmp b.lmrc ssh-b.lmrc
	# what crossed: the item factors out, item lists and sums back, and
	# nothing else; the record says the same
	grep -oE '(\./items\.lmrc lmrec-host-[12]|lmrec-host-[12]:\./[^ ]+)' rsync-als.log | sort | uniq -c |
		awk '{ $1 = $1; print }' >crossed.txt
	assert_equal "$(cat crossed.txt)" "$(printf '%s\n' '3 ./items.lmrc lmrec-host-1' '3 ./items.lmrc lmrec-host-2' \
		'1 lmrec-host-1:./items.0.tsv' '2 lmrec-host-1:./sums.0.lmrc' \
		'1 lmrec-host-2:./items.1.tsv' '2 lmrec-host-2:./sums.1.lmrc')"
	[ "$(grep -c -- '--protocol' rsync-als.log)" -eq "$(tail -n +2 ssh/transfers.tsv | wc -l)" ]
	run cut -f3,4 ssh/transfers.tsv
	assert_line "$(printf 'to\titems.lmrc')"
	assert_line "$(printf 'from\tsums.1.lmrc')"
	refute_output --partial '.tsv.gz'
	refute_output --regexp $'\t[ab]\\.tsv$'
	# EASE: the Gram matrices came back, the model went out, nothing else
	"$FED" -q --model ease --hosts hosts.tsv --out here-ease
	cmp here-ease/items.lmrc ssh-ease/items.lmrc
	cmp ssh-ease-a.lmrc here-ease/items.lmrc
	cmp ssh-ease-b.lmrc here-ease/items.lmrc
	assert_equal "$(grep -oE '(\./items\.lmrc lmrec-host-[12]|lmrec-host-[12]:\./[^ ]+)' rsync.log | sort)" \
		"$(printf '%s\n' './items.lmrc lmrec-host-1' './items.lmrc lmrec-host-2' \
			'lmrec-host-1:./gram.0.lmrc' 'lmrec-host-2:./gram.1.lmrc')"
}

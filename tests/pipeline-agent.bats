#!/usr/bin/env bats
# pipelines/agent.sh: the goals of sample-data become plans from a
# published night (its recommendations, interactions and profile store).

load test_helper

setup_file() {
	# whole pipelines under Valgrind take hours (see pipeline-nightly.bats)
	[ -z "${LMREC_VALGRIND:-}" ] || return 0
	# a light night: the subject is the plans, not the models
	export NIGHT="$BATS_FILE_TMPDIR/night"
	local log="$BATS_FILE_TMPDIR/night.log"
	MODELS="popular ease" "$TOP/pipelines/nightly.sh" -q --out "$NIGHT" --date 2026-11-01 --jobs 2 \
		>"$log" 2>&1 || { cat "$log" >&2; return 1; }
}

setup() {
	[ -z "${LMREC_VALGRIND:-}" ] || skip "pipelines are not run under Valgrind"
	cd "$BATS_TEST_TMPDIR"
	AGENT="$TOP/pipelines/agent.sh"
	SD="$TOP/sample-data"
	# each test its own copy of the night: the flow writes into it
	cp -a "$NIGHT" out
}

# agent_args: lmrec-agent's inputs as agent.sh gives them, for the checks.
agent_args() {
	A=(lmrec-agent -q --items out/current/work/items.tsv --tasks "$SD/tasks.tsv"
		--rules "$SD/context-rules.tsv" --context "$SD/context.tsv"
		--scores out/current/recommendations.tsv.gz --interactions out/current/work/interactions.tsv.gz)
}

# placed_blocked PROFILES PLANS: how many rows of PLANS place an item the
# user blocked in PROFILES.
placed_blocked() {
	awk -F'\t' 'FNR == NR { if ($2 == "blocked") b[$1 "\t" $3] = 1; next }
		FNR > 1 && (($2 "\t" $6) in b) { n++ } END { print n + 0 }' "$1" "$2"
}

@test "agent.sh: --help, and bad settings exit 2 touching nothing" {
	run -0 "$AGENT" --help
	assert_line --index 0 'Usage: agent.sh [OPTION]...'
	assert_output --partial '--profile-weight W'
	run -2 --separate-stderr "$AGENT" --out out --bogus
	[ "${stderr_lines[0]}" = "agent.sh: unknown option --bogus" ]
	run -2 --separate-stderr "$AGENT" --out out --budget lots
	[ "$stderr" = "agent.sh: --budget wants a number of points, not 'lots'" ]
	run -2 --separate-stderr "$AGENT" --out out --profile-weight -1
	[ "$stderr" = "agent.sh: --profile-weight wants a number, not '-1'" ]
	run -2 --separate-stderr "$AGENT" --out out --date 2026-13-01
	[ "$stderr" = "agent.sh: --date wants YYYY-MM-DD, not '2026-13-01'" ]
	[ ! -e out/current/plans.tsv ]
}

@test "agent.sh: sample-data's goals become checked plans in OUT/current, with no refused item" {
	run -0 --separate-stderr "$AGENT" --out out
	assert_output "out/current/plans.tsv"
	[[ "${stderr_lines[1]}" =~ ^agent.sh:\ 300\ sessions,\ 4086\ rows\ \([0-9]+\ unfilled\),\ 0\ violations ]] ||
		{ echo "$stderr"; false; }
	assert_equal "$(head -n 1 out/current/plans.tsv)" "$(tsv 'session|user|turn|step|subtask|item|score|reason')"
	assert_equal "$(head -n 1 out/current/plan-objectives.tsv)" \
		"$(tsv 'session|user|turn|relevance|diversity|discovery|value|calibration')"
	[ "$(awk -F'\t' 'NR > 1 && $6 != ""' out/current/plans.tsv | wc -l)" -gt 2000 ]
	# the whole files, renamed into the night's folder, private as its other tables
	[ -z "$(find out/current/ -maxdepth 1 -name '.*tmp*')" ]
	[ "$(stat -c %a out/current/plans.tsv)" = 600 ]
	# --check on its own: 0 violations
	lmrec-profile --store out/profile.lmp --show --date 2026-11-01 >prof.tsv
	agent_args
	run -0 "${A[@]}" --profiles prof.tsv --check out/current/plans.tsv "$SD/goals.tsv"
	assert_output "$(tsv 'session|turn|step|subtask|item|violation')"
	# no blocked item is placed, where plans without the profiles place some
	run placed_blocked prof.tsv out/current/plans.tsv
	assert_output 0
	"${A[@]}" -o plain.tsv "$SD/goals.tsv"
	run placed_blocked prof.tsv plain.tsv
	[ "$output" -gt 0 ]
	# and the profile's boosts say so in the reasons
	[ "$(grep -c '; your profile: likes ' out/current/plans.tsv)" -gt 1000 ]
}

@test "agent.sh: the same night gives the same plans; the weight and budget are passed on" {
	"$AGENT" -q --out out >/dev/null
	cp out/current/plans.tsv first.tsv
	"$AGENT" -q --out out >/dev/null
	cmp first.tsv out/current/plans.tsv
	"$AGENT" -q --out out --profile-weight 0 --budget 8 >/dev/null
	lmrec-profile --store out/profile.lmp --show --date 2026-11-01 >prof.tsv
	agent_args
	"${A[@]}" --profiles prof.tsv --profile-weight 0 --budget 8 -o want.tsv "$SD/goals.tsv"
	cmp want.tsv out/current/plans.tsv
	run grep -c 'your profile' out/current/plans.tsv
	assert_output 0
}

@test "agent.sh: a missing input is a one-line error (65), and the published plans stay" {
	"$AGENT" -q --out out >/dev/null
	cp out/current/plans.tsv before.tsv
	mkdir data
	cp "$SD/goals.tsv" "$SD/tasks.tsv" "$SD/context.tsv" data/
	run -65 --separate-stderr "$AGENT" -q --data data --out out
	[ "$stderr" = "agent.sh: data/context-rules.tsv: no context-rules stream" ]
	cmp before.tsv out/current/plans.tsv
	mv out/profile.lmp profile.lmp
	run -65 --separate-stderr "$AGENT" -q --out out
	[ "$stderr" = "agent.sh: out/profile.lmp: no profile store (the night's data had no items.tsv?)" ]
	run -65 --separate-stderr "$AGENT" -q --out nowhere
	[ "$stderr" = "agent.sh: nowhere/current: no published night (run nightly.sh --out nowhere first)" ]
	# a malformed input: the tool's own message, nothing published
	mv profile.lmp out/profile.lmp
	cp "$SD/context-rules.tsv" data/
	printf 'session\tuser\tturn\ttext\ns\tu\t1\thi\n' >data/goals.tsv
	run -65 --separate-stderr "$AGENT" -q --data data --out out
	[ "$stderr" = "lmrec-agent: data/goals.tsv:1: no column 'ts' in the header" ]
	cmp before.tsv out/current/plans.tsv
	[ -z "$(find out/current/ -maxdepth 1 -name '.*tmp*')" ]
}

@test "agent.sh: --anon-key plans for the night's pseudonyms, and refuses a key open to others" {
	lmrec-anon --new-key key
	MODELS="popular ease" run -0 "$TOP/pipelines/nightly.sh" -q --out anon --date 2026-11-01 --jobs 2 --anon-key key
	run -0 --separate-stderr "$AGENT" -q --out anon --anon-key key
	assert_output "anon/current/plans.tsv"
	# every user of the plans is a pseudonym of a goal's user: none raw
	lmrec-anon --key key "$SD/goals.tsv" | tail -n +2 | cut -f2 | sort -u >want
	tail -n +2 anon/current/plans.tsv | cut -f2 | sort -u >got
	[ -s got ]
	comm -23 got want >stray
	[ ! -s stray ] || { head stray; false; }
	! grep -q '	u[0-9][0-9][0-9][0-9]	' anon/current/plans.tsv
	# and the profiles reached them: rows name the profile
	grep -q 'your profile' anon/current/plans.tsv
	chmod 644 key
	run -2 --separate-stderr "$AGENT" --out anon --anon-key key
	[[ "$stderr" == "agent.sh: --anon-key: key: "* ]] || { echo "$stderr"; false; }
}

@test "agent.sh: --jobs 2 plans the sessions in blocks under GNU Parallel: the same bytes; split sessions refused" {
	"$AGENT" -q --out out >/dev/null
	cp out/current/plans.tsv one.tsv
	cp out/current/plan-objectives.tsv one-obj.tsv
	# blocks of 2 kB: some twenty of them
	LMREC_PAR_BLOCK=2000 run -0 --separate-stderr "$AGENT" -q --out out -j 2
	cmp one.tsv out/current/plans.tsv
	cmp one-obj.tsv out/current/plan-objectives.tsv
	[ -z "$(find out -name '.par.*')" ]
	run -2 --separate-stderr "$AGENT" --out out --jobs 0
	[ "$stderr" = "agent.sh: --jobs wants a positive number, not '0'" ]
	# a session whose turns are not together would be cut in two
	mkdir data
	cp "$SD"/tasks.tsv "$SD"/context.tsv "$SD"/context-rules.tsv data/
	{ head -n 3 "$SD/goals.tsv"; tail -n 1 "$SD/goals.tsv"; sed -n 2p "$SD/goals.tsv"; } >data/goals.tsv
	local s
	s=$(sed -n 2p "$SD/goals.tsv" | cut -f1)
	run -65 --separate-stderr "$AGENT" -q --data data --out out -j 2
	[ "$stderr" = "agent.sh: data/goals.tsv:5: column 'session': '$s' comes back after others" ] || { echo "$stderr"; false; }
	cmp one.tsv out/current/plans.tsv
}

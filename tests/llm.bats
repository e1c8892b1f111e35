#!/usr/bin/env bats
# lib/llm.c, the --llm-cmd protocol (lmrec-formats(5), EXTERNAL LANGUAGE
# MODEL), driven by tests/tools/lmrec-llm-probe against the scripted model
# tests/llm-responder.sh: good answers come back exactly; garbage, hangs,
# deaths, over-long answers and models that stop reading each cost a
# counted fall-back, never a hang, a crash or a zombie. The request
# builders and answer readers have their unit test (tests/unit/llm.c).

load test_helper

setup() {
	PROBE="$TOP/tests/tools/lmrec-llm-probe"
	RESP="$TOP/tests/llm-responder.sh"
	[ -x "$PROBE" ] || fail "$PROBE is not built: run 'make units'"
	REQ="$(fixture requests.jsonl)"
	cd "$BATS_TEST_TMPDIR"
	# time bounds are loose under sanitizers and Valgrind
	SLACK=1
	if [ "${LMREC_SANITIZE:-}" = 1 ] || [ -n "${LMREC_VALGRIND:-}" ]; then
		SLACK=4
	fi
}

teardown() {
	# a process a test started and expected gone, if it is not
	local f
	for f in "$BATS_TEST_TMPDIR"/*.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
	done
}

# probe ARGS...: the probe, inside Valgrind with LMREC_VALGRIND (the model
# it starts runs natively: children are not traced).
probe() {
	if [ -n "${LMREC_VALGRIND:-}" ]; then
		valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
			--trace-children=no "$PROBE" "$@"
	else
		"$PROBE" "$@"
	fi
}

ms_now() { echo $(($(date +%s%N) / 1000000)); }

# gone PID: the process has ended (a zombie left to init counts as ended:
# an orphan is reaped by init, which is not our business, nor done in every
# container).
gone() {
	local s
	s=$(ps -o stat= -p "$1") || return 0
	[[ $s == Z* ]]
}

# The good answers to the six requests of requests.jsonl.
GOOD='{"slots":[{"key":"weight","value":"light","polarity":"+"}],"category":"jackets","scenario":null}
{"slots":[{"key":"weight","value":"heavy","polarity":"-"}],"category":null,"scenario":null}
{"slots":[{"key":"waterproof","value":"yes","polarity":"-"}],"category":null,"scenario":null}
{"text":"Which waterproof: yes or no?"}
{"text":"Which color: blue, red or black?"}
{"text":"A bundle: Down jacket, Trail shoes and Wool cap."}'

@test "llm: good answers come back exactly, the requests go out exactly, the model's stderr is ours" {
	local t0 t1
	t0=$(ms_now)
	run --separate-stderr probe "$RESP -v -l sent.jsonl good" "$REQ"
	t1=$(ms_now)
	assert_success
	assert_output "$GOOD
stats asked=6 answered=6 timeout=0 died=0 garbage=0 skipped=0"
	# one compact line per request, as written in the fixture
	cmp sent.jsonl "$REQ"
	# our count line, then the model's own stderr (it writes at the end of
	# its input); a model that exits then is not waited for
	[ "${stderr_lines[0]}" = "lmrec-llm-probe: llm: 6 asked, 6 answered; fell back 0 times" ]
	[ "${stderr_lines[1]}" = "llm-responder: good: 6 requests" ]
	[ "${#stderr_lines[@]}" -eq 2 ]
	[ $((t1 - t0)) -lt $((900 * SLACK)) ]
}

@test "llm: garbage of six kinds: every request falls back, counted as garbage, the model goes on" {
	run --separate-stderr probe "$RESP -l sent.jsonl garbage" "$REQ"
	assert_success
	assert_output 'fallback garbage
fallback garbage
fallback garbage
fallback garbage
fallback garbage
fallback garbage
stats asked=6 answered=0 timeout=0 died=0 garbage=6 skipped=0'
	[ "$(wc -l <sent.jsonl)" -eq 6 ]
	[ "${stderr_lines[0]}" = "lmrec-llm-probe: warning: llm: request 1: the answer is not a JSON object: 'this is not JSON' (later bad answers are only counted)" ]
	[ "${stderr_lines[1]}" = "lmrec-llm-probe: llm: 6 asked, 0 answered, 6 garbage; fell back 6 times" ]
}

@test "llm: garbage on every third request costs only those requests" {
	run --separate-stderr probe "$RESP mixed" "$REQ"
	assert_success
	mapfile -t good <<<"$GOOD"
	assert_output "${good[0]}
${good[1]}
fallback garbage
${good[3]}
${good[4]}
fallback garbage
stats asked=6 answered=4 timeout=0 died=0 garbage=2 skipped=0"
	[ "${stderr_lines[0]}" = "lmrec-llm-probe: warning: llm: request 3: the answer is not a JSON object: '{\"slots\": [' (later bad answers are only counted)" ]
}

@test "llm: a model that hangs times out once, later requests are skipped at once, no zombie is left" {
	local t0 t1
	t0=$(ms_now)
	run --separate-stderr probe -t 200 --elapsed \
		--run 'ps -o stat=,pid=,args= --ppid $PPID >children.txt' \
		"echo \$\$ >model.pid; exec $RESP -l sent.jsonl hang" "$REQ"
	t1=$(ms_now)
	assert_success
	assert_line --index 6 'stats asked=6 answered=0 timeout=1 died=0 garbage=0 skipped=5'
	# the first request waited its 200 ms and not much more; the others not at all
	local first
	first=$(awk -F'\t' 'NR == 1 { print $1 }' <<<"$output")
	[ "$first" -ge 200 ] && [ "$first" -lt $((600 * SLACK)) ]
	[ "$(awk -F'\t' 'NR == 1 { print $2 }' <<<"$output")" = "fallback timeout" ]
	[ "$(awk -F'\t' 'NR >= 2 && NR <= 6 && $1 < 20 && $2 == "fallback skipped"' <<<"$output" | wc -l)" -eq 5 ]
	[ $((t1 - t0)) -lt $((1000 * SLACK)) ]
	[ "$(wc -l <sent.jsonl)" -eq 1 ]
	[ "${stderr_lines[0]}" = "lmrec-llm-probe: warning: llm: request 1: no answer within 200 ms; 'echo \$\$ >model.pid; exec $RESP -l sent.jsonl hang' is stopped, later requests fall back" ]
	[ "${stderr_lines[1]}" = "lmrec-llm-probe: llm: 6 asked, 0 answered, 1 timeout, 5 skipped; fell back 6 times" ]
	# while the probe still ran: its only child was the ps of --run, no zombie
	cat children.txt
	run grep -c . children.txt
	assert_output 1
	run grep -E '^Z' children.txt
	assert_failure
	run grep -w "$(cat model.pid)" children.txt
	assert_failure
	# and the model is gone
	run kill -0 "$(cat model.pid)"
	assert_failure
}

@test "llm: a timeout kills the model's whole process group" {
	run --separate-stderr probe -t 200 'sleep 60 & echo $! >sleeper.pid; wait' "$REQ"
	assert_success
	assert_line --index 0 'fallback timeout'
	[ -s sleeper.pid ]
	gone "$(cat sleeper.pid)"
}

@test "llm: a model that dies after two answers: died, then skipped" {
	run --separate-stderr probe "$RESP die 2" "$REQ"
	assert_success
	mapfile -t good <<<"$GOOD"
	assert_output "${good[0]}
${good[1]}
fallback died
fallback skipped
fallback skipped
fallback skipped
stats asked=6 answered=2 timeout=0 died=1 garbage=0 skipped=3"
	[ "${stderr_lines[0]}" = "lmrec-llm-probe: warning: llm: request 3: the model exited with status 3; '$RESP die 2' is stopped, later requests fall back" ]
	[ "${stderr_lines[1]}" = "lmrec-llm-probe: llm: 6 asked, 2 answered, 1 died, 3 skipped; fell back 4 times" ]
}

@test "llm: a command that does not exist is a death, and the shell's message passes through" {
	run --separate-stderr probe lmrec-no-such-model "$REQ"
	assert_success
	assert_output 'fallback died
fallback skipped
fallback skipped
fallback skipped
fallback skipped
fallback skipped
stats asked=6 answered=0 timeout=0 died=1 garbage=0 skipped=5'
	[[ "${stderr_lines[0]}" == *"lmrec-no-such-model: not found" ]]
	[ "${stderr_lines[1]}" = "lmrec-llm-probe: warning: llm: request 1: the model exited with status 127; 'lmrec-no-such-model' is stopped, later requests fall back" ]
}

# big_request N: a parse request of N letters, then a small one (mawk's
# sprintf stops at 8 kB, so not awk)
big_request() {
	printf '{"task":"parse","text":"'
	head -c "$1" /dev/zero | tr '\0' a
	printf '"}\n{"task":"parse","text":"b"}\n'
}

@test "llm: a model that never reads, sent a 5 MB request, times out instead of blocking us" {
	big_request 5000000 >big.jsonl
	run --separate-stderr probe -t 200 --elapsed 'echo $$ >model.pid; exec sleep 60' big.jsonl
	assert_success
	[ "$(cut -f2 <<<"$output" | head -2 | tr '\n' ' ')" = "fallback timeout fallback skipped " ]
	assert_line --index 2 'stats asked=2 answered=0 timeout=1 died=0 garbage=0 skipped=1'
	# the request's time (under Valgrind, encoding 5 MB alone takes seconds)
	local bound=700
	[ -z "${LMREC_VALGRIND:-}" ] || bound=8000
	[ "$(head -1 <<<"$output" | cut -f1)" -lt $((bound * SLACK)) ]
	run kill -0 "$(cat model.pid)"
	assert_failure
}

@test "llm: a model that stops reading its input is a death, and SIGPIPE does not kill us" {
	big_request 1000000 >big.jsonl
	run --separate-stderr probe -t 10000 --elapsed 'exec 0<&-; echo $$ >model.pid; exec sleep 60' big.jsonl
	assert_success
	[ "$(cut -f2 <<<"$output" | head -2 | tr '\n' ' ')" = "fallback died fallback skipped " ]
	[ "$(head -1 <<<"$output" | cut -f1)" -lt $((1000 * SLACK)) ]
	[ "${stderr_lines[0]}" = "lmrec-llm-probe: warning: llm: request 1: the model stopped reading its input; 'exec 0<&-; echo \$\$ >model.pid; exec sleep 60' is stopped, later requests fall back" ]
	run kill -0 "$(cat model.pid)"
	assert_failure
}

@test "llm: an answer of 1 MiB is taken, one byte more is garbage, and the next answer is read right" {
	run --separate-stderr probe "$RESP long 1048576" "$REQ"
	assert_success
	[ "$(head -1 <<<"$output" | tr -d ' ')" = '{"text":""}' ]
	[ "$(head -1 <<<"$output" | wc -c)" -eq 1048577 ]
	assert_line --index 6 'stats asked=6 answered=6 timeout=0 died=0 garbage=0 skipped=0'
	run --separate-stderr probe "$RESP long 1048577" "$REQ"
	assert_success
	mapfile -t good <<<"$GOOD"
	assert_output "fallback garbage
${good[1]}
${good[2]}
${good[3]}
${good[4]}
${good[5]}
stats asked=6 answered=5 timeout=0 died=0 garbage=1 skipped=0"
	[ "${stderr_lines[0]}" = "lmrec-llm-probe: warning: llm: request 1: the answer is longer than 1048576 bytes (later bad answers are only counted)" ]
}

@test "llm: answers without what the task needs are rejected by the caller and counted as garbage" {
	run --separate-stderr probe --validate "$RESP wrong" "$REQ"
	assert_success
	assert_line --index 0 'fallback garbage'
	assert_line --index 6 'stats asked=6 answered=0 timeout=0 died=0 garbage=6 skipped=0'
	[ "${stderr_lines[0]}" = "lmrec-llm-probe: llm: 6 asked, 0 answered, 6 garbage; fell back 6 times" ]
	# the good answers pass the same checks
	run --separate-stderr probe --validate "$RESP good" "$REQ"
	assert_line --index 6 'stats asked=6 answered=6 timeout=0 died=0 garbage=0 skipped=0'
}

@test "llm: a slow model within the timeout is waited for; beyond it, it is stopped; 0 means no bound" {
	head -2 "$REQ" >two.jsonl
	run --separate-stderr probe -t 3000 "$RESP slow 0.3" two.jsonl
	assert_success
	assert_line --index 2 'stats asked=2 answered=2 timeout=0 died=0 garbage=0 skipped=0'
	run --separate-stderr probe -t 0 "$RESP slow 0.3" two.jsonl
	assert_line --index 2 'stats asked=2 answered=2 timeout=0 died=0 garbage=0 skipped=0'
	run --separate-stderr probe -q -t 100 "$RESP slow 0.5" two.jsonl
	assert_success
	assert_output 'fallback timeout
fallback skipped
stats asked=2 answered=0 timeout=1 died=0 garbage=0 skipped=1'
	# -q: the count line only
	[ "${stderr_lines[0]}" = "lmrec-llm-probe: llm: 2 asked, 0 answered, 1 timeout, 1 skipped; fell back 2 times" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
}

@test "llm: at the end a model that outlives its input gets SIGTERM after a second, SIGKILL after two" {
	head -1 "$REQ" >one.jsonl
	local t0 t1
	t0=$(ms_now)
	run --separate-stderr probe "$RESP good; sleep 60 & echo \$! >sleeper.pid; wait" one.jsonl
	t1=$(ms_now)
	assert_success
	assert_line --index 1 'stats asked=1 answered=1 timeout=0 died=0 garbage=0 skipped=0'
	[ $((t1 - t0)) -ge 1000 ] && [ $((t1 - t0)) -lt $((1900 * SLACK)) ]
	gone "$(cat sleeper.pid)"
	# SIGTERM ignored (by the shell and, inherited, by sleep)
	t0=$(ms_now)
	run --separate-stderr probe "trap '' TERM; $RESP good; sleep 60 & echo \$! >sleeper.pid; wait" one.jsonl
	t1=$(ms_now)
	assert_success
	[ $((t1 - t0)) -ge 2000 ] && [ $((t1 - t0)) -lt $((2900 * SLACK)) ]
	gone "$(cat sleeper.pid)"
}

@test "llm: the responder's parse answers follow negation, the last question, and its table" {
	printf '%s\n' \
		'{"task":"parse","text":"not spicy at all","context":{"asked":null}}' \
		'{"task":"parse","text":"yes","context":{"asked":"waterproof"}}' \
		'{"task":"parse","text":"hello","context":{"asked":null}}' \
		'{"task":"other"}' >req.jsonl
	run --separate-stderr probe "$RESP good" req.jsonl
	assert_success
	assert_output '{"slots":[{"key":"spice","value":"hot","polarity":"-"}],"category":null,"scenario":null}
{"slots":[{"key":"waterproof","value":"yes","polarity":"+"}],"category":null,"scenario":null}
{"slots":[],"category":null,"scenario":null}
{}
stats asked=4 answered=4 timeout=0 died=0 garbage=0 skipped=0'
}

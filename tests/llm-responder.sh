#!/usr/bin/env bash
# A scripted "language model" for the tests of the --llm-cmd protocol
# (lmrec-formats(5), EXTERNAL LANGUAGE MODEL): reads one JSON request a line
# on standard input and answers on standard output as MODE says.
#
# usage: llm-responder.sh [-l LOG] [-v] MODE [ARG]
#   good       a well-formed answer to every task (below)
#   garbage    a line that is not one JSON object, in six kinds, in turn
#   hang       reads every request and never answers
#   die N      answers N requests, then exits with status 3
#   slow S     answers each request after sleeping S seconds
#   mixed      as good, but garbage for every third request
#   long N     the first answer is a JSON object N bytes long, then as good
#   wrong      JSON objects without what the task needs
#   -l LOG     appends every request received to LOG, as it came
#   -v         says on standard error how many requests it read, at the end
#
# The good answers: parse -> one slot, from the first word of the text found
# in a small table (negated when "not", "no" or "nothing" comes just before;
# "yes"/"no" answer the question of context.asked), with category "jackets"
# when the text says jacket(s); question -> "Which KEY: V1, V2 or V3?";
# summary -> "A KIND: TITLE1, TITLE2 and TITLE3." naming every title. Fields
# are read with bash regular expressions over the compact JSON lmrec writes,
# which is enough for test texts without escaped quotes. bash only: no jq.
set -u

log= verbose=
while getopts l:v o; do
	case $o in
	l) log=$OPTARG ;;
	v) verbose=1 ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
mode=${1:?usage: llm-responder.sh [-l LOG] [-v] MODE [ARG]}
arg=${2:-}

# field NAME LINE: the string value of "NAME":"..." (escapes kept as they are)
field() {
	local re="\"$1\":\"(([^\"\\\\]|\\\\.)*)\""
	[[ $2 =~ $re ]] && printf '%s' "${BASH_REMATCH[1]}"
}

slot_of() {
	case $1 in
	light | lightweight | featherweight) echo weight light ;;
	heavy) echo weight heavy ;;
	warm | warmest) echo warmth warm ;;
	waterproof) echo waterproof yes ;;
	winter | summer) echo season "$1" ;;
	running | hiking) echo use "$1" ;;
	blue | red | black) echo color "$1" ;;
	spicy) echo spice hot ;;
	kids) echo audience kids ;;
	cheap) echo price low ;;
	*) return 1 ;;
	esac
}

parse_answer() {
	local text asked category=null slots= prev= w kv
	text=$(field text "$1")
	asked=$(field asked "$1")
	text=${text,,}
	if [[ -n $asked && ($text == yes || $text == no) ]]; then
		local pol=+
		[[ $text == no ]] && pol=-
		slots="{\"key\":\"$asked\",\"value\":\"yes\",\"polarity\":\"$pol\"}"
	fi
	for w in ${text//[^a-z]/ }; do
		if [[ -z $slots ]] && kv=$(slot_of "$w"); then
			local pol=+
			[[ $prev == not || $prev == no || $prev == nothing ]] && pol=-
			slots="{\"key\":\"${kv% *}\",\"value\":\"${kv#* }\",\"polarity\":\"$pol\"}"
		fi
		[[ $w == jacket || $w == jackets ]] && category='"jackets"'
		prev=$w
	done
	printf '{"slots":[%s],"category":%s,"scenario":null}\n' "$slots" "$category"
}

question_answer() {
	local key values= v list=() re='"values":\[([^]]*)\]'
	key=$(field key "$1")
	[[ $1 =~ $re ]] && values=${BASH_REMATCH[1]}
	while [[ $values =~ ^\"(([^\"\\]|\\.)*)\",?(.*)$ ]]; do
		list+=("${BASH_REMATCH[1]}")
		values=${BASH_REMATCH[3]}
	done
	printf '{"text":"Which %s: %s?"}\n' "$key" "$(join_or "${list[@]}")"
}

# join_or A B C -> "A, B or C"
join_or() {
	local out= i n=$#
	for ((i = 1; i <= n; i++)); do
		if ((i == 1)); then out=${!i}
		elif ((i == n)); then out+=" or ${!i}"
		else out+=", ${!i}"
		fi
	done
	printf '%s' "$out"
}

summary_answer() {
	local rest=$1 kind titles=() re='"title":"(([^"\\]|\\.)*)"(.*)$' out= i n
	kind=$(field kind "$1")
	while [[ $rest =~ $re ]]; do
		titles+=("${BASH_REMATCH[1]}")
		rest=${BASH_REMATCH[3]}
	done
	n=${#titles[@]}
	for ((i = 0; i < n; i++)); do
		if ((i == 0)); then out=${titles[i]}
		elif ((i == n - 1)); then out+=" and ${titles[i]}"
		else out+=", ${titles[i]}"
		fi
	done
	printf '{"text":"A %s: %s."}\n' "$kind" "$out"
}

good_answer() {
	case $(field task "$1") in
	parse) parse_answer "$1" ;;
	question) question_answer "$1" ;;
	summary) summary_answer "$1" ;;
	*) echo '{}' ;;
	esac
}

garbage_answer() {
	case $(($1 % 6)) in
	1) echo 'this is not JSON' ;;
	2) echo '[1,2,3]' ;;
	3) echo '{"slots": [' ;;
	4) echo '"a string"' ;;
	5) echo '{"text":"x"} trailing' ;;
	0) echo '{"text":"a","text":"b"}' ;;
	esac
}

n=0
while IFS= read -r line; do
	n=$((n + 1))
	[[ -n $log ]] && printf '%s\n' "$line" >>"$log"
	case $mode in
	good) good_answer "$line" ;;
	garbage) garbage_answer "$n" ;;
	hang) ;;
	die)
		good_answer "$line"
		if ((n >= arg)); then
			[[ -n $verbose ]] && echo "llm-responder: $mode: $n requests" >&2
			exit 3
		fi
		;;
	slow)
		sleep "$arg"
		good_answer "$line"
		;;
	mixed)
		if ((n % 3 == 0)); then garbage_answer "$n"; else good_answer "$line"; fi
		;;
	long)
		if ((n == 1)); then
			printf -v pad '%*s' $((arg - 11)) ''
			printf '{"text":"%s"}\n' "$pad"
		else
			good_answer "$line"
		fi
		;;
	wrong)
		if ((n % 2)); then echo '{"slots":"none"}'; else echo '{"text":"  "}'; fi
		;;
	*)
		echo "llm-responder: unknown mode '$mode'" >&2
		exit 2
		;;
	esac
done
[[ -n $verbose ]] && echo "llm-responder: $mode: $n requests" >&2
exit 0

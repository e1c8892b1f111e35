#!/usr/bin/env bash
# Conversation: Recall@10 of the hidden target of lmrec-synth's simulated
# conversations, at the first turn and after each answered question, for
# lmrec-chat --ask none, random and infogain. The world is a held-out seed
# of the generator (2; the parser and the dialogue were tuned on seed 1):
# catalog, users, interactions and 400 conversations made afresh, an EASE
# model trained on the interactions for the users' histories.
#
#   tests/bench/chat.sh [SEED]
#
# Each mode is run with five seeds (-s: the subword vectors, and the keys
# --ask random draws) and reported as the mean and the range of the five.
# Times are user CPU seconds of one lmrec-chat run (vocabulary learned and
# subword vectors trained included). LMREC_SYNTH names the
# lmrec-synth to use (default: the checkout's).
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
seed="${1:-2}"
synth="${LMREC_SYNTH:-$top/bin/lmrec-synth}"
chat="$top/bin/lmrec-chat"
dir="$(mktemp -d "${TMPDIR:-/tmp}/lmrec-chat-bench.XXXXXX")"
trap 'rm -rf "$dir"' EXIT
export OPENBLAS_NUM_THREADS=1 LC_ALL=C

"$synth" -q --seed "$seed" --users 1000 --items 1300 --days 60 --start 2026-09-01 --out "$dir"
"$top/bin/lmrec-train" -q --model ease -o "$dir/ease.lmrc" "$dir/interactions.tsv.gz"
sessions=$(($(wc -l <"$dir/conversation-targets.tsv") - 1))

# run NAME OPTION...: the recall rows of one run into $dir/NAME.tsv, its
# user CPU seconds into $dir/NAME.time
run() {
	local name="$1"
	shift
	/usr/bin/time -f '%U' -o "$dir/$name.time" "$chat" -q -i "$dir/items.tsv" --questions 3 \
		--targets "$dir/conversation-targets.tsv" --metrics "$dir/$name.tsv" -o /dev/null "$@" \
		"$dir/conversations.tsv"
}

for s in 1 2 3 4 5; do
	run "none$s" -m "$dir/ease.lmrc" --ask none -s "$s"
	run "random$s" -m "$dir/ease.lmrc" --ask random -s "$s"
	run "infogain$s" -m "$dir/ease.lmrc" --ask infogain -s "$s"
done
run infogain-nohist --ask infogain

# recall NAME...: the mean over the runs NAME... of recall@10 at each step
recall() {
	local files=()
	for n in "$@"; do files+=("$dir/$n.tsv"); done
	awk -F'\t' -v runs="$#" '$1 == "recall" && $2 == 10 {
		sum[$3] += $4
		if (!($3 in lo) || $4 < lo[$3]) lo[$3] = $4
		if (!($3 in hi) || $4 > hi[$3]) hi[$3] = $4
	}
	END {
		for (s = 0; s <= 3; s++) {
			k = "answers=" s
			if (runs > 1)
				printf "\t%.3f (%.3f-%.3f)", sum[k] / runs, lo[k], hi[k]
			else
				printf "\t%.3f", sum[k]
		}
	}' "${files[@]}"
}

printf 'Conversations of lmrec-synth seed %s: %s sessions, Recall@10 of the target\n\n' "$seed" "$sessions"
printf 'ask\tturn 1\tafter 1 answer\tafter 2 answers\tafter 3 answers\tuser s\n'
for ask in none random infogain; do
	printf '%s%s\t%s\n' "$ask" "$(recall "${ask}1" "${ask}2" "${ask}3" "${ask}4" "${ask}5")" \
		"$(cat "$dir/${ask}1.time")"
done
printf 'infogain, no history, seed 1%s\t%s\n' "$(recall infogain-nohist)" "$(cat "$dir/infogain-nohist.time")"
printf '\nquestions asked per session (infogain, seed 1): %s\n' \
	"$(awk -F'\t' '$1 == "questions" {printf "%.2f", $4}' "$dir/infogain1.tsv")"

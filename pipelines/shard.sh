#!/usr/bin/env bash
# Any lmrec filter over a stream in blocks, several at once, under GNU
# Parallel: the stream cut into blocks that each hold whole runs of a key
# column (a user's rows, a session's turns, an item), the header on every
# block, and the outputs joined back in input order. For a tool that
# treats each key on its own and keeps the input order (lmrec-chat by
# session, lmrec-agent by session, lmrec-tokenize by item, lmrec-rank and
# lmrec-recall --history by user) the output is the same, byte for byte, as
# the tool's on the whole stream.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LMREC_PIPELINE=shard.sh
. "$here/lib.sh"
lmrec_tools_path "$here"

usage() {
	cat <<'EOF'
Usage: shard.sh --key COLUMN [OPTION]... [INPUT] -- COMMAND [ARG]...
Run a filter of TSV streams over INPUT (none or '-': standard input) in
blocks, several at once, under GNU Parallel; write its output.

  --key COLUMN        the column whose runs a block keeps whole (a session,
                      a user, an item); each value's rows must be adjacent
  -j, --jobs N        blocks at once (default: the cores)
  -o, --output FILE   write the output to FILE, whole, by rename (default:
                      standard output)
  --side OPTION FILE  COMMAND's OPTION names a second output: each block
                      writes its own, joined in order into FILE; repeatable
  -h, --help          show this help

COMMAND reads a stream with a header on standard input and writes one on
standard output. The blocks run with one BLAS thread each; four blocks a
job, of at least 64 kB (LMREC_PAR_BLOCK: bytes a block). Gzip input is
read as it is. Exit status: COMMAND's when a block fails (the first
failure stops the rest), 65 when a key's rows are not adjacent.

Example:
  shard.sh -j 2 --key session sample-data/conversations.tsv -- \
      lmrec-chat --items sample-data/items.tsv >replies.tsv
EOF
	exit "${1:-0}"
}

key= jobs= output= input=- sides=()
while [ $# -gt 0 ]; do
	case "$1" in
	--key) key="${2:?--key needs a column}"; shift 2 ;;
	-j | --jobs) jobs="${2:?--jobs needs a number}"; shift 2 ;;
	-j?*) jobs="${1#-j}"; shift ;;
	-o | --output) output="${2:?--output needs a file}"; shift 2 ;;
	--side) sides+=("${2:?--side needs an option and a file}" "${3:?--side needs an option and a file}"); shift 3 ;;
	-h | --help) usage 0 ;;
	--) shift; break ;;
	-?*) printf 'shard.sh: unknown option %s\n' "$1" >&2; usage 2 >&2 ;;
	*) input="$1"; shift ;;
	esac
done
[ -n "$key" ] || die "--key is required" 2
[ $# -gt 0 ] || die "no COMMAND: give it after --" 2
[ -n "$jobs" ] || jobs=$(nproc)
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || die "--jobs wants a positive number, not '$jobs'" 2
[ "$input" = - ] || no_dash input
[ -z "$output" ] || no_dash output

dir=$(mktemp -d "${TMPDIR:-/tmp}/lmrec-shard.XXXXXX")
trap 'rm -rf "$dir"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# a plain file: GNU Parallel cuts it, and its keys are checked first
if [ "$input" = - ]; then
	gzip -dcf >"$dir/in"
else
	[ -r "$input" ] || die "$input: cannot read" 1
	gzip -dcf -- "$input" >"$dir/in"
fi
side_args=()
for ((i = 0; i < ${#sides[@]}; i += 2)); do
	side_args+=("${sides[i]}" "$dir/side$i")
done
st=0
PAR_NAME=$([ "$input" = - ] && echo "standard input" || echo "$input") \
	par_pipe "$jobs" "$key" "$dir/in" "$dir/out" "${side_args[@]}" -- "$@" || st=$?
[ "$st" -eq 0 ] || exit "$st"
# each output whole, by rename beside where it goes
for ((i = 0; i < ${#sides[@]}; i += 2)); do
	t=$(mktemp "$(dirname -- "${sides[i + 1]}")/.shard.XXXXXX")
	cp "$dir/side$i" "$t"
	mv -f "$t" "${sides[i + 1]}"
done
if [ -n "$output" ]; then
	t=$(mktemp "$(dirname -- "$output")/.shard.XXXXXX")
	cp "$dir/out" "$t"
	mv -f "$t" "$output"
else
	cat "$dir/out"
fi

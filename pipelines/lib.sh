# lmrec pipelines: shared shell functions. Sourced, not run.
# shellcheck shell=bash

# die MESSAGE [STATUS]: one line on stderr, then exit (default 1).
die() {
	printf '%s: %s\n' "${LMREC_PIPELINE:-${0##*/}}" "$1" >&2
	exit "${2:-1}"
}

# say MESSAGE: progress on stderr unless quiet.
say() {
	[ -n "${QUIET:-}" ] || printf '%s: %s\n' "${LMREC_PIPELINE:-${0##*/}}" "$*" >&2
}

# now: the time in seconds; elapsed T0 T1: T1 - T0, two decimals.
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# keep_header CMD...: runs CMD on the body of standard input, the header
# line passed through first (so sort and friends keep a stream's header).
keep_header() {
	local header
	IFS= read -r header || return 0
	printf '%s\n' "$header"
	"$@"
}

# lmrec_tools_path: puts the lmrec tools first in PATH, from a checkout
# (bin/ beside pipelines/) or from an installation (PREFIX/bin beside
# PREFIX/share/lmrec/pipelines).
lmrec_tools_path() {
	local here="$1"
	if [ -x "$here/../bin/lmrec-train" ]; then
		PATH="$(cd "$here/../bin" && pwd):$PATH"
	elif [ -x "$here/../../../bin/lmrec-train" ]; then
		PATH="$(cd "$here/../../../bin" && pwd):$PATH"
	fi
	export PATH
}

# par_pipe JOBS KEY INPUT OUTPUT [SIDE_OPTION SIDE_FILE]... -- CMD...:
# CMD, a filter of TSV streams (standard input to standard output), run by
# GNU Parallel on blocks of INPUT, JOBS at once, one BLAS thread each. A
# block holds whole runs of the column KEY (--group-by) and INPUT's header
# (--header 1); the outputs come back in input order (--keep-order) under
# one header, so when CMD treats each KEY on its own and keeps the input
# order, OUTPUT is byte for byte what CMD makes of the whole INPUT. A
# SIDE_OPTION of CMD that names another output file gets a file per block,
# joined the same way into SIDE_FILE. The headers come from CMD run on
# INPUT's header alone. INPUT must be a plain (not compressed) file whose
# KEY runs are whole: a KEY that comes back after another is refused
# (exit 65, naming PAR_NAME or INPUT), as it would be split. Four blocks a
# job, of at least 64 kB; LMREC_PAR_BLOCK sets their size in bytes. Returns
# the status of the block that failed, GNU Parallel stopping the others.
par_pipe() {
	local jobs="$1" key="$2" in="$3" out="$4" sides=() dir
	shift 4
	while [ "$1" != -- ]; do
		sides+=("$1" "$2")
		shift 2
	done
	shift
	dir=$(mktemp -d "${out%/*}/.par.XXXXXX")
	# shellcheck disable=SC2016 # an awk program
	awk -F'\t' -v key="$key" -v name="${PAR_NAME:-$in}" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == key) c = i; if (!c) exit 2; next }
		$c != last { if ($c in seen) { print name ":" NR ": column '"'"'" key "'"'"': '"'"'" $c "'"'"' comes back after others"; exit 1 }
			     seen[$c] = 1; last = $c }' "$in" >"$dir/why" || {
		local st=$?
		[ "$st" -ne 2 ] || echo "${PAR_NAME:-$in}: no column '$key'" >"$dir/why"
		local why
		why=$(cat "$dir/why")
		rm -rf "$dir"
		die "$why" 65
	}
	# the command each block runs: its side outputs numbered by the job
	# ({#}, which GNU Parallel fills in, so it is left unquoted)
	local cmd i
	cmd=$(printf '%q ' "$@")
	for ((i = 0; i < ${#sides[@]}; i += 2)); do
		cmd+="$(printf '%q %q' "${sides[i]}" "$dir/side$i").{#} "
	done
	local heads=()
	for ((i = 0; i < ${#sides[@]}; i += 2)); do heads+=("${sides[i]}" "$dir/head$i"); done
	local st=0
	head -n 1 "$in" | "$@" "${heads[@]}" >"$dir/head" || st=$?
	if [ "$st" -ne 0 ]; then
		rm -rf "$dir"
		return "$st"
	fi
	# four blocks a job, of at least 64 kB (LMREC_PAR_BLOCK: bytes a block)
	local size block="${LMREC_PAR_BLOCK:-}"
	if [ -z "$block" ]; then
		size=$(wc -c <"$in")
		block=$((size / (jobs * 4) + 1))
		[ "$block" -ge 65536 ] || block=65536
	fi
	# (each block's output through a file: the job's status is the
	# command's, not that of what strips its header; its standard error
	# through another, because GNU Parallel, halting, may drop the held
	# output of a block that failed while an earlier one still ran)
	local part errs
	part="$(printf '%q' "$dir/part").{#}"
	errs="$(printf '%q' "$dir/err").{#}"
	OPENBLAS_NUM_THREADS=1 parallel --will-cite --halt 'now,fail=1' -j "$jobs" --pipe --block "$block" \
		--header 1 --colsep '\t' --group-by "$key" --keep-order \
		"$cmd>$part 2>$errs && tail -n +2 $part && rm -f $part" <"$in" >"$dir/body" || st=$?
	# the blocks' standard error in job order (a block not started has none)
	local n=1 left
	left=$(find "$dir" -maxdepth 1 -name 'err.*' | wc -l)
	while [ "$left" -gt 0 ]; do
		if [ -e "$dir/err.$n" ]; then
			cat "$dir/err.$n" >&2
			left=$((left - 1))
		fi
		n=$((n + 1))
	done
	if [ "$st" -ne 0 ]; then
		rm -rf "$dir"
		return "$st"
	fi
	{ head -n 1 "$dir/head"; cat "$dir/body"; } >"$out"
	for ((i = 0; i < ${#sides[@]}; i += 2)); do
		{
			head -n 1 "$dir/head$i"
			# the blocks in job order: 1, 2, ..., 10 (not 1, 10, 2)
			local f n=1
			while f="$dir/side$i.$n" && [ -e "$f" ]; do
				tail -n +2 "$f"
				n=$((n + 1))
			done
		} >"${sides[i + 1]}"
	done
	rm -rf "$dir"
}

# data_file DIR NAME: DIR/NAME or DIR/NAME.gz, whichever exists (a
# dangling symbolic link too: reading it then says what is wrong, where
# "no such file" would hide it).
data_file() {
	if [ -e "$1/$2" ] || [ -L "$1/$2" ]; then
		printf '%s\n' "$1/$2"
	elif [ -e "$1/$2.gz" ] || [ -L "$1/$2.gz" ]; then
		printf '%s\n' "$1/$2.gz"
	fi
}

# no_dash VAR...: a path in VAR that begins with a dash becomes ./PATH, so
# that no tool or command takes the file for an option.
no_dash() {
	local v
	for v; do
		[[ "${!v}" != -* ]] || printf -v "$v" './%s' "${!v}"
	done
}

# set_to_options KEY=VALUE: "--key VALUE" for lmrec-train (underscores
# become dashes), each word ended by a NUL (a value may be a file name
# with a newline in it: read them with mapfile -d ''); KEY= with no
# value: the flag "--key".
set_to_options() {
	local key="${1%%=*}" value="${1#*=}"
	[ "$key" != "$1" ] || die "--set wants KEY=VALUE, not '$1'" 2
	if [ -z "$value" ]; then
		printf -- '--%s\0' "${key//_/-}"
	else
		printf -- '--%s\0%s\0' "${key//_/-}" "$value"
	fi
}

# ---- item content (experiment.sh, coldstart.sh) ----
# Globals in: embed (tfidf, subword, vec or bert), embed_sets (KEY=VALUE
# options, repeatable --embed-set), modalities (NAME=FILE), seed, threads.

# content_arg OPTION VALUE: one of the content options --embed METHOD,
# --embed-set KEY=VALUE and --modality NAME=FILE into its global.
content_arg() {
	case "$1" in
	--embed)
		[ -n "$2" ] || die "--embed needs a method" 2
		embed="$2"
		;;
	--embed-set)
		[[ "$2" == ?*=* ]] || die "--embed-set wants KEY=VALUE, not '$2'" 2
		embed_sets+=("$2")
		;;
	--modality)
		[[ "$2" == ?*=?* ]] || die "--modality wants NAME=FILE, not '$2'" 2
		modalities+=("$2")
		;;
	esac
}

# content_options: checks embed and splits embed_sets into tok_opts (the
# options of lmrec-tokenize), emb_opts (of lmrec-embed) and bert_dir.
content_options() {
	case "$embed" in
	tfidf | subword | vec | bert) ;;
	*) die "unknown --embed '$embed' (expected tfidf, subword, vec or bert)" 2 ;;
	esac
	tok_opts=(-f 'title,text,attrs') emb_opts=() bert_dir=
	local s
	for s in "${embed_sets[@]}"; do
		case "${s%%=*}" in
		fields | stopwords | ngrams | char_ngrams | max_length | numbers)
			mapfile -d '' -t -O "${#tok_opts[@]}" tok_opts < <(set_to_options "$s")
			;;
		bert) bert_dir="${s#*=}" ;;
		*) mapfile -d '' -t -O "${#emb_opts[@]}" emb_opts < <(set_to_options "$s") ;;
		esac
	done
	[ "$embed" != bert ] || [ -n "$bert_dir" ] ||
		die "--embed bert needs --embed-set bert=DIR (a sentence-transformers folder)" 2
}

# content_tokens ITEMS OUT: the words of the items (the TF-IDF features of
# the align model).
content_tokens() {
	[ -e "$2" ] || lmrec-tokenize -q "${tok_opts[@]}" -o "$2" "$1"
}

# content_vectors ITEMS TOKENS OUT: the text vectors, by the embed method
# (bert tokenises for itself, into WordPiece ids).
# shellcheck disable=SC2154 # seed and threads: the caller's globals (above)
content_vectors() {
	[ ! -e "$3" ] || return 0
	local t0
	t0=$(now)
	if [ "$embed" = bert ]; then
		lmrec-tokenize -q "${tok_opts[@]}" --wordpiece "$bert_dir/vocab.txt" "$1" |
			lmrec-embed -q --method bert --model-dir "$bert_dir" "${emb_opts[@]}" -j "$threads" -o "$3"
	else
		content_tokens "$1" "$2"
		lmrec-embed -q --method "$embed" "${emb_opts[@]}" -s "$seed" -j "$threads" -o "$3" "$2"
	fi
	say "embed $embed: $(elapsed "$t0" "$(now)") s"
}

# modality_inputs DIR TEXT: the --input options of lmrec-embed --method
# fuse, each word ended by a NUL (mapfile -d ''): text=TEXT, then the
# modalities given, or DIR's image.tsv and audio.tsv when none are.
modality_inputs() {
	printf -- '--input\0text=%s\0' "$2"
	local m
	if [ ${#modalities[@]} -eq 0 ]; then
		for m in image audio; do
			[ ! -e "$1/$m.tsv" ] || printf -- '--input\0%s=%s\0' "$m" "$1/$m.tsv"
		done
	else
		for m in "${modalities[@]}"; do printf -- '--input\0%s\0' "$m"; done
	fi
}

# program_version PROGRAM: the first line of its --version (or of mawk's
# -W version); nothing when it has neither.
program_version() {
	local v
	v=$("$1" --version 2>/dev/null | head -n 1) || v=""
	[ -n "$v" ] || v=$("$1" -W version 2>/dev/null | head -n 1) || v=""
	printf '%s' "$v"
}

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

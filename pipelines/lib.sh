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

# data_file DIR NAME: DIR/NAME or DIR/NAME.gz, whichever exists.
data_file() {
	if [ -e "$1/$2" ]; then
		printf '%s\n' "$1/$2"
	elif [ -e "$1/$2.gz" ]; then
		printf '%s\n' "$1/$2.gz"
	fi
}

# set_to_options KEY=VALUE: "--key VALUE" for lmrec-train (underscores
# become dashes), one word a line.
set_to_options() {
	local key="${1%%=*}" value="${1#*=}"
	[ "$key" != "$1" ] || die "--set wants KEY=VALUE, not '$1'" 2
	printf -- '--%s\n%s\n' "${key//_/-}" "$value"
}

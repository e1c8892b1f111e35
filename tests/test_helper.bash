# Shared set-up of every Bats suite: the checkout's tools first in PATH, a C
# locale, one BLAS thread, bats-support and bats-assert, and helpers.
bats_require_minimum_version 1.5.0

TOP="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
export LC_ALL=C OPENBLAS_NUM_THREADS=1 TZ=UTC
export PATH="$TOP/bin:$PATH"
# Datasets for the real-data tests (never copied into the repository).
export LMREC_DATASETS="${LMREC_DATASETS:-$TOP/../shared/datasets}"

load /usr/lib/bats/bats-support/load.bash
load /usr/lib/bats/bats-assert/load.bash

# Under `make check-valgrind` every lmrec tool runs inside Valgrind: wrappers
# named like the tools come first in PATH; an error makes the tool exit 99.
if [ -n "${LMREC_VALGRIND:-}" ]; then
	_vg="$BATS_FILE_TMPDIR/valgrind-bin"
	if [ ! -d "$_vg" ]; then
		mkdir -p "$_vg"
		for t in "$TOP"/bin/lmrec-*; do
			case "$t" in *.c | *.d) continue ;; esac
			printf '#!/bin/sh\nexec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite "%s" "$@"\n' "$t" >"$_vg/${t##*/}"
			chmod +x "$_vg/${t##*/}"
		done
	fi
	export PATH="$_vg:$PATH"
fi

# Under `make check SANITIZE=1` AddressSanitizer's and LeakSanitizer's
# reports go to LMREC_SANITIZE_LOGS/<suite>.<test number>.<pid>, which make
# prints at the end (a report counts even where a test expected the tool to
# fail); "setup_file" stands for the test number in a suite's setup_file.
if [ -n "${LMREC_SANITIZE_LOGS:-}" ]; then
	# the options make gave, kept once (each test sources this file again)
	export LMREC_ASAN_OPTIONS="${LMREC_ASAN_OPTIONS-${ASAN_OPTIONS-}}"
	export ASAN_OPTIONS="${LMREC_ASAN_OPTIONS:+$LMREC_ASAN_OPTIONS:}log_path=$LMREC_SANITIZE_LOGS/${BATS_TEST_FILENAME##*/}.${BATS_SUITE_TEST_NUMBER:-setup_file}"
fi

# fixture NAME: path of tests/fixtures/<suite>/NAME (suite = the .bats name
# without "lmrec-").
fixture() {
	local suite="${BATS_TEST_FILENAME##*/}"
	suite="${suite%.bats}"
	suite="${suite#lmrec-}"
	printf '%s\n' "$TOP/tests/fixtures/$suite/$1"
}

# golden NAME FILE: FILE must equal tests/golden/<suite>/NAME; with
# LMREC_GOLDEN=1 (make golden) the golden file is rewritten instead.
golden() {
	local suite="${BATS_TEST_FILENAME##*/}"
	suite="${suite%.bats}"
	suite="${suite#lmrec-}"
	local want="$TOP/tests/golden/$suite/$1"
	if [ -n "${LMREC_GOLDEN:-}" ]; then
		mkdir -p "${want%/*}"
		cp "$2" "$want"
	fi
	diff -u "$want" "$2"
}

# need_dataset DIR: skips the test when $LMREC_DATASETS/DIR is absent.
need_dataset() {
	[ -d "$LMREC_DATASETS/$1" ] || skip "dataset $LMREC_DATASETS/$1 is absent"
}

# skip_if_slow: slow tests are skipped under sanitizers and Valgrind.
skip_if_slow() {
	if [ "${LMREC_SANITIZE:-}" = 1 ] || [ -n "${LMREC_VALGRIND:-}" ]; then
		skip "slow test: skipped under sanitizers and Valgrind"
	fi
}

# tsv LINE...: writes the lines with '|' turned into TAB (readable fixtures).
tsv() {
	local l
	for l in "$@"; do printf '%s\n' "$l"; done | tr '|' '\t'
}

# near_values A B TOL: the tab-separated numbers of files A and B agree
# value for value within TOL relative to 1 + |b|, row counts too; else the
# first difference is printed and the status is 1.
near_values() {
	awk -v tol="$3" 'NR == FNR { a[FNR] = $0; n = FNR; next }
		{ na = split(a[FNR], x, "\t"); nb = split($0, y, "\t")
		  if (na != nb) { print "row " FNR ": " na " values, " nb; bad = 1; exit }
		  for (j = 1; j <= nb; j++) {
			d = x[j] - y[j]; if (d < 0) d = -d
			m = y[j] < 0 ? -y[j] : y[j]
			if (d > tol * (1 + m)) { print "row " FNR " col " j ": " x[j] " " y[j]; bad = 1; exit }
		  } }
		END { if (!bad && FNR != n) { print FNR " rows, " n; bad = 1 } exit bad }' "$1" "$2"
}

# help_options TOOL: the long options --help shows, one a line.
help_options() {
	"$1" --help | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}

# check_man_page TOOL: every long option of --help is in the man page, and
# the page is clean under mandoc -Tlint.
check_man_page() {
	local page="$TOP/man/man1/$1.1" opt missing=
	[ -f "$page" ] || { echo "no man page $page"; return 1; }
	for opt in $(help_options "$1"); do
		# mdoc writes --opt as "Fl \-opt" or "Fl -opt"
		grep -qE -- "Fl (\\\\)?-${opt#--}([^a-z0-9-]|$)" "$page" || missing="$missing $opt"
	done
	[ -z "$missing" ] || { echo "options missing from $page:$missing"; return 1; }
	mandoc -Tlint -Wwarning "$page"
}

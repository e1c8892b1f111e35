#!/usr/bin/env bash
# Test helper: the nightly job over the sample data with every lmrec tool
# inside Valgrind (`make check-valgrind-nightly`).
#
#   valgrind-nightly.sh [-j JOBS] [-d DATA] [-k DIR]
#
# Copies pipelines/ into a scratch folder beside a bin/ of wrappers named
# like the tools, so that nightly.sh (which puts the bin/ beside its own
# folder first in PATH) runs each tool as
#   valgrind --error-exitcode=99 --leak-check=full --child-silent-after-fork=yes
#            --log-file=LOG TOOL ARGS
# with Valgrind's default errors-for-leak-kinds (definite and possible),
# one LOG per tool run. Then runs nightly.sh -q --data DATA (default the
# sample data) --date 2026-11-01 --jobs JOBS (default 2) with the
# default settings, and reads the logs. Prints one line a tool (runs,
# errors) and a last line "valgrind-nightly: R tool runs, E errors, S s";
# exits 0 when the night published and every log says "ERROR SUMMARY: 0
# errors", 1 otherwise (the logs with errors are printed, the scratch
# folder kept). -k DIR keeps the scratch folder (the run, the logs) in DIR.
# OPENBLAS_CORETYPE defaults to Haswell: Valgrind does not know OpenBLAS's
# AVX-512 kernels. The programs the tools start (lmrec-report's gnuplot)
# run natively.
set -euo pipefail
top="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jobs=2 data="$top/sample-data" keep=""
while getopts j:d:k: opt; do
	case "$opt" in
	j) jobs=$OPTARG ;;
	d) data=$OPTARG ;;
	k) keep=$OPTARG ;;
	*) echo "usage: valgrind-nightly.sh [-j JOBS] [-d DATA] [-k DIR]" >&2; exit 2 ;;
	esac
done
command -v valgrind >/dev/null || { echo "valgrind-nightly.sh: valgrind is not installed" >&2; exit 1; }
[ -x "$top/bin/lmrec-train" ] || { echo "valgrind-nightly.sh: build the tools first (make)" >&2; exit 1; }
# Valgrind cannot run what AddressSanitizer built (make SANITIZE=1)
if grep -q -a __asan_init "$top/bin/lmrec-train"; then
	echo "valgrind-nightly.sh: the tools are built with SANITIZE=1: run make first" >&2
	exit 1
fi
export OPENBLAS_CORETYPE="${OPENBLAS_CORETYPE:-Haswell}" LC_ALL=C TZ=UTC

if [ -n "$keep" ]; then
	mkdir -p "$keep"
	tmp="$(cd "$keep" && pwd)"
else
	tmp="$(mktemp -d)"
fi
mkdir -p "$tmp/bin" "$tmp/vg"
rm -f "$tmp"/vg/*
cp -R "$top/pipelines" "$tmp/"
for t in "$top"/bin/lmrec-*; do
	case "$t" in *.c | *.d) continue ;; esac
	[ -x "$t" ] || continue
	n="${t##*/}"
	printf '#!/bin/sh\nexec valgrind --error-exitcode=99 --leak-check=full --child-silent-after-fork=yes --log-file="%s/%s.%%p" "%s" "$@"\n' \
		"$tmp/vg" "$n" "$t" >"$tmp/bin/$n"
	chmod +x "$tmp/bin/$n"
done

t0=$(date +%s)
rc=0
"$tmp/pipelines/nightly.sh" -q --data "$data" --out "$tmp/out" --date 2026-11-01 --jobs "$jobs" \
	>"$tmp/nightly.log" 2>&1 || rc=$?
t1=$(date +%s)

status="$(cat "$tmp/out/runs/2026-11-01/status" 2>/dev/null || echo none)"
# One log a tool run (the children it forks to run another program,
# gnuplot or an --llm-cmd model, are silent: --child-silent-after-fork);
# a log without an "ERROR SUMMARY" (a process killed before Valgrind's
# end) counts one error. One line a tool: runs, errors; then "runs errors".
shopt -s nullglob
logs=("$tmp"/vg/*)
awk '
	FNR == 1 { t = FILENAME; sub(/.*\//, "", t); sub(/\.[0-9]+$/, "", t); tool[FILENAME] = t; runs[t]++ }
	/ERROR SUMMARY:/ { n = $0; sub(/.*ERROR SUMMARY: /, "", n); sub(/ .*/, "", n); errs[t] += n; seen[FILENAME] = 1 }
	END {
		for (f in tool) if (!(f in seen)) errs[tool[f]]++
		for (t in runs) { printf "%s\t%d runs\t%d errors\n", t, runs[t], errs[t]; r += runs[t]; e += errs[t] }
		printf "%d %d\n", r, e
	}
' "${logs[@]}" /dev/null >"$tmp/summary.txt"
sed '$d' "$tmp/summary.txt" | sort
read -r runs errors < <(tail -n 1 "$tmp/summary.txt")
echo "valgrind-nightly: $runs tool runs, $errors errors, $((t1 - t0)) s; nightly.sh exit $rc, status $status"

if [ "$rc" -ne 0 ] || [ "$status" != published ] || [ "$errors" -ne 0 ] || [ "$runs" -eq 0 ]; then
	for f in "${logs[@]}"; do
		if grep -q 'ERROR SUMMARY: [1-9]' "$f" || ! grep -q 'ERROR SUMMARY:' "$f"; then
			echo "== $f"
			cat "$f"
		fi
	done
	[ "$rc" -eq 0 ] || tail -n 20 "$tmp/nightly.log"
	echo "valgrind-nightly: FAILED; the run and the logs are kept in $tmp" >&2
	exit 1
fi
[ -n "$keep" ] || rm -rf "$tmp"

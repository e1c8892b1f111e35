#!/usr/bin/env bash
# Reproduces a published night from its audit record (RUN/audit.tsv,
# written by nightly.sh's publish stage): checks that the inputs and the
# previous night's files it read are still the bytes the record names,
# runs the night again with the recorded settings into a folder of its
# own, and compares every table and model with the record, byte for byte.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LMREC_PIPELINE=reproduce.sh
. "$here/lib.sh"
lmrec_tools_path "$here"

usage() {
	cat <<'EOF'
Usage: reproduce.sh [OPTION]... RUN
Run again the night whose folder is RUN (e.g. OUT/current), from the
inputs, settings and previous night its audit.tsv records, and compare the
tables and models it makes with the recorded checksums.

  --out DIR     make the new night under DIR (default: a temporary folder,
                removed at the end)
  --keep        keep the temporary folder and print where it is
  -q, --quiet   only the verdict lines
  -h, --help    show this help

Prints one line per compared file: "identical KIND NAME" or "differs KIND
NAME", then the verdict. A tool or program whose version or checksum is not
the recorded one is named first (a warning: the night may still come out
the same). The night runs on this machine alone, whatever hosts the
recorded one used.
Exit status: 0 every table and model identical; 1 a file differs, an input
or a previous night's file is no longer what the record says, or the night
failed; 2 usage; 65 the record is malformed.
EOF
	exit "${1:-0}"
}

out="" keep="" run=""
while [ $# -gt 0 ]; do
	case "$1" in
	--out) out="${2:?--out needs a folder}"; shift 2 ;;
	--keep) keep=1; shift ;;
	-q | --quiet) QUIET=1; shift ;;
	-h | --help) usage 0 ;;
	--) shift; break ;;
	-?*) printf 'reproduce.sh: unknown option %s\n' "$1" >&2; usage 2 >&2 ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || { printf 'reproduce.sh: expected one run folder\n' >&2; usage 2 >&2; }
run="$1"
record="$run/audit.tsv"
[ -f "$record" ] || die "$record: no audit record (a night published by nightly.sh has one)" 1

# The record, unescaped, into parallel arrays.
kinds=() names=() values=() sums=()
unescape() { # the stream escapes: every backslash of the original is doubled
	printf '%b' "$1"
}
n=0
while IFS= read -r line || [ -n "$line" ]; do
	n=$((n + 1))
	if [ "$n" -eq 1 ]; then
		[ "$line" = $'kind\tname\tvalue\tsha256' ] || die "$record:1: not an audit record (header '$line')" 65
		continue
	fi
	tabs="${line//[!$'\t']/}"
	[ "${#tabs}" -eq 3 ] || die "$record:$n: expected 4 columns" 65
	kind="${line%%$'\t'*}" rest="${line#*$'\t'}"
	name="${rest%%$'\t'*}" rest="${rest#*$'\t'}"
	value="${rest%%$'\t'*}" sum="${rest#*$'\t'}"
	kinds+=("$kind") names+=("$(unescape "$name")") values+=("$(unescape "$value")") sums+=("$sum")
done <"$record"
[ "${#kinds[@]}" -gt 0 ] || die "$record: no rows" 65

lookup() { # KIND NAME: the value of that row
	local i
	for i in "${!kinds[@]}"; do
		if [ "${kinds[i]}" = "$1" ] && [ "${names[i]}" = "$2" ]; then
			printf '%s' "${values[i]}"
			return 0
		fi
	done
	return 1
}
sha() { sha256sum <"$1" | cut -d' ' -f1; }

fmt=$(lookup audit format) || die "$record: no format row" 65
[ "$fmt" = 1 ] || die "$record: audit format $fmt, this script reads 1" 65
date=$(lookup run date) || die "$record: no run date" 65

# The inputs and the previous night's files: the same bytes, or nothing is
# reproduced.
prev=""
for i in "${!kinds[@]}"; do
	case "${kinds[i]}" in
	input)
		f="${values[i]}"
		[ -r "$f" ] || die "input ${names[i]}: $f: cannot read it" 1
		[ "$(sha "$f")" = "${sums[i]}" ] || die "input ${names[i]}: $f has changed since the night" 1
		;;
	previous)
		if [ "${names[i]}" = run ]; then
			prev="${values[i]}"
			continue
		fi
		f="$prev/${names[i]}"
		[ -r "$f" ] || die "previous night: $f is gone (the night continued it)" 1
		[ "$(sha "$f")" = "${sums[i]}" ] || die "previous night: $f has changed since the night" 1
		;;
	state)
		# the profile store as the night found it (OUT/profile.lmp)
		f="${values[i]}"
		[ "${names[i]}" = profile-store ] || die "$record: unknown state '${names[i]}'" 65
		[ -r "$f" ] || die "state ${names[i]}: $f: cannot read it" 1
		[ "$(sha "$f")" = "${sums[i]}" ] || die "state ${names[i]}: $f has changed since the night" 1
		;;
	key)
		k=$(lookup setting "${names[i]}") || die "$record: no setting ${names[i]}" 65
		[ "$(lmrec-anon --key "$k" --id lmrec-audit)" = "${values[i]}" ] ||
			die "${names[i]}: $k is not the key the night used" 1
		;;
	esac
done

# The tools and programs: warnings only.
for i in "${!kinds[@]}"; do
	case "${kinds[i]}" in
	tool)
		f=$(command -v "${names[i]}") || { say "warning: tool ${names[i]} is not on PATH"; continue; }
		[ "$(sha "$f")" = "${sums[i]}" ] ||
			say "warning: $f is not the recorded binary (now: $(program_version "$f"); then: ${values[i]})"
		;;
	pipeline)
		f="$here/${names[i]}"
		[ "$(sha "$f")" = "${sums[i]}" ] || say "warning: $f is not the recorded script"
		;;
	esac
done

# The new night: its own OUT, the previous night as its current.
if [ -z "$out" ]; then
	out=$(mktemp -d "${TMPDIR:-/tmp}/lmrec-reproduce.XXXXXX")
	[ -n "$keep" ] || trap 'rm -rf -- "$out"' EXIT
else
	mkdir -p -- "$out"
	out="$(cd -- "$out" && pwd)"
	[ ! -e "$out/runs/$date" ] || die "$out/runs/$date exists: give an empty folder" 1
fi
[ -z "$prev" ] || ln -s -- "$prev" "$out/current"
if store=$(lookup state profile-store); then
	cp -- "$store" "$out/profile.lmp"
fi

# the settings reach the job through its environment: every known key,
# recorded empty or not (an empty one means its default, as it did)
args=(--out "$out" --date "$date" --keep 1000000)
env_set=()
for i in "${!kinds[@]}"; do
	[ "${kinds[i]}" = setting ] || continue
	case "${names[i]}" in
	OUT | DATE | KEEP | SSHLOGINFILE) ;;
	DATA) args+=(--data "${values[i]}") ;;
	JOBS) [ -z "${values[i]}" ] || args+=(--jobs "${values[i]}") ;;
	ANON_KEY) [ -z "${values[i]}" ] || args+=(--anon-key "${values[i]}") ;;
	*) env_set+=("${names[i]}=${values[i]}") ;;
	esac
done
say "running the night of $date again in $out"
rc=0
env "${env_set[@]}" "$here/nightly.sh" -q "${args[@]}" >"$out/reproduce.log" 2>&1 || rc=$?
if [ "$rc" -ne 0 ]; then
	cat "$out/reproduce.log" >&2
	die "the night failed (exit $rc)" 1
fi

new="$out/runs/$date"
bad=0 same=0
for i in "${!kinds[@]}"; do
	case "${kinds[i]}" in
	output) f="$new/${names[i]}" ;;
	model | work) f="$new/work/${names[i]}" ;;
	*) continue ;;
	esac
	if [ -f "$f" ] && [ "$(sha "$f")" = "${sums[i]}" ]; then
		printf 'identical %s %s\n' "${kinds[i]}" "${names[i]}"
		same=$((same + 1))
	else
		printf 'differs %s %s\n' "${kinds[i]}" "${names[i]}"
		bad=$((bad + 1))
	fi
done
[ -z "$keep" ] || say "the new night: $new"
if [ "$bad" -ne 0 ]; then
	printf 'reproduce.sh: %s of %s files differ from the record of %s\n' "$bad" $((bad + same)) "$run" >&2
	exit 1
fi
say "reproduced: all $same files identical to the record of $run"

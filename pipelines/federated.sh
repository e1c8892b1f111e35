#!/usr/bin/env bash
# Federated training: hosts that each hold their own users' interactions
# (a platform, a region) train one model together, and no interaction row
# and no user factor leaves its host; only item-side sums travel.
#
# ALS: each iteration the item factors go out to every host (GNU Parallel
# --basefile); each host solves its users and sends back its part of the
# item step, sums over its users by item (--return); the item factors are
# solved here from the sums of every host (lmrec-als-shard). At the end each
# host solves its users once more against the final item factors and keeps
# the model it serves its users from.
#
# item-kNN and EASE: one round. Each host sends its item-item Gram matrix
# (lmrec-gram), the sum is the Gram matrix of every user, the model is
# built from it here (lmrec-train --gram) and sent to every host, which
# serves its users from it and their own interactions (lmrec-recall
# --history).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LMREC_PIPELINE=federated.sh
. "$here/lib.sh"
lmrec_tools_path "$here"

usage() {
	cat <<'EOF'
Usage: federated.sh --hosts FILE --out DIR [OPTION]...
Train a model across hosts that keep their users' interactions.

  --hosts FILE        one host a line, tab-separated: its GNU Parallel
                      sshlogin (':' for this machine), its interactions
                      file and the model file it is to keep, both as paths
                      on that host (absolute on a remote host); '#' starts
                      a comment
  --out DIR           where the item side of the model (items.lmrc) and the
                      record of every transfer (transfers.tsv) go
  --model NAME        als (default), itemknn or ease
  --train-opts OPTS   itemknn, ease: more lmrec-train options (e.g.
                      '--neighbors 50', '--lambda 200')
  --iters N           als: iterations (default 15)
  --factors K         als: latent factors (default 64)
  --reg R             als: L2 regularisation (default 5)
  --alpha A           als: confidence 1 + A * weight (default 0.5)
  --use-weights       als, ease: the weight column counts (default: each
                      row counts 1)
  --folds LIST        with a fold column, train on these folds (default
                      train; 'all' for every row)
  --seed N            als: seed of the first item factors (default 1)
  --remote-path DIR   put DIR first in PATH on the remote hosts (default:
                      their own PATH finds the lmrec tools)
  -j, --threads N     threads a host (default 1)
  -q, --quiet         no progress on standard error
  -h, --help          show this help

With als each host's model is an ordinary als model of its users; with
itemknn and ease it is the shared model, which scores the host's users
from their interactions (lmrec-recall --history). OUT/transfers.tsv lists
every file that crossed the network: step, host, direction (to or from the
host), file, bytes.
EOF
	exit "${1:-0}"
}

hosts_file= out= kind=als train_opts= iters=15 factors=64 reg=5 alpha=0.5 weights= folds=train seed=1 remote_path= threads=1 QUIET=
while [ $# -gt 0 ]; do
	case "$1" in
	--hosts) hosts_file="${2:?--hosts needs a file}"; shift 2 ;;
	--out) out="${2:?--out needs a folder}"; shift 2 ;;
	--model) kind="${2:?--model needs a name}"; shift 2 ;;
	--train-opts) train_opts="${2?--train-opts needs options}"; shift 2 ;;
	--iters) iters="${2:?--iters needs a number}"; shift 2 ;;
	--factors) factors="${2:?--factors needs a number}"; shift 2 ;;
	--reg) reg="${2:?--reg needs a number}"; shift 2 ;;
	--alpha) alpha="${2:?--alpha needs a number}"; shift 2 ;;
	--use-weights) weights=--use-weights; shift ;;
	--folds) folds="${2:?--folds needs a list}"; shift 2 ;;
	--seed) seed="${2:?--seed needs a number}"; shift 2 ;;
	--remote-path) remote_path="${2:?--remote-path needs a folder}"; shift 2 ;;
	-j | --threads) threads="${2:?--threads needs a number}"; shift 2 ;;
	-j?*) threads="${1#-j}"; shift ;;
	-q | --quiet) QUIET=1; shift ;;
	-h | --help) usage 0 ;;
	*) printf 'federated.sh: unknown option %s\n' "$1" >&2; usage 2 >&2 ;;
	esac
done
[ -n "$hosts_file" ] || die "--hosts is required" 2
[ -n "$out" ] || die "--out is required" 2
no_dash hosts_file out
[[ "$iters" =~ ^[1-9][0-9]*$ ]] || die "--iters wants a positive number, not '$iters'" 2
case "$kind" in als | itemknn | ease) ;; *) die "--model is als, itemknn or ease, not '$kind'" 2 ;; esac
[ "$kind" != itemknn ] || [ -z "$weights" ] || die "--use-weights: item-kNN counts users, not weights" 2
# shellcheck disable=SC2206 # options as words
train_args=($train_opts)
[[ "$threads" =~ ^[1-9][0-9]*$ ]] || die "--threads wants a positive number, not '$threads'" 2
if [ ! -r "$hosts_file" ] || [ ! -f "$hosts_file" ]; then die "$hosts_file: cannot read the hosts" 1; fi

# ---- the hosts ----
logins=() datas=() models=()
n=0
while IFS= read -r line || [ -n "$line" ]; do
	n=$((n + 1))
	case "$line" in '' | '#'*) continue ;; esac
	IFS=$'\t' read -r login data model rest <<<"$line"
	[ -z "${rest:-}" ] || die "$hosts_file:$n: more than three columns" 65
	if [ -z "$login" ] || [ -z "${data:-}" ] || [ -z "${model:-}" ]; then
		die "$hosts_file:$n: a host needs an sshlogin, an interactions file and a model file" 65
	fi
	if [ "$login" = : ]; then
		# this machine: paths are the caller's, made absolute (the jobs
		# run in a folder of their own)
		data=$(realpath -m -- "$data") model=$(realpath -m -- "$model")
	else
		for p in "$data" "$model"; do
			[[ "$p" == /* ]] || die "$hosts_file:$n: '$p' is not an absolute path (a remote host needs one)" 65
		done
	fi
	logins+=("$login") datas+=("$data") models+=("$model")
done <"$hosts_file"
[ "${#logins[@]}" -gt 0 ] || die "$hosts_file: no hosts" 65
n=${#logins[@]}

mkdir -p -- "$out"
out=$(cd -- "$out" && pwd)
work=$(mktemp -d "$out/.federated.tmp.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
cd "$work"
# the folder of the run on a remote host, under its login folder, one a
# host line (two lines may name one machine, whose cleanups must not meet;
# GNU Parallel's --workdir ... wants absolute paths for the files it sends,
# which on a host that shares this file system would be these very files)
remote_dir="lmrec-federated-${work##*.}"
printf 'step\thost\tdirection\tfile\tbytes\n' >transfers.tsv

# on_hosts STEP SEND RETURN COMMAND: COMMAND on every host at once, under
# GNU Parallel, in the run's folder on a remote host (removed after), with the file SEND
# (none when empty) sent first and RETURN brought back ({1} is the host's
# number, {2} its interactions, {3} its model file: GNU Parallel quotes
# them for the remote shell). A host that fails stops the run with the
# message of the tool that failed.
on_hosts() {
	local step="$1" send="$2" ret="$3" cmd="$4" h pids=() rc=0
	for ((h = 0; h < n; h++)); do
		local par=(--will-cite --halt 'now,fail=1' -j 1 -S "${logins[h]}") run="$cmd"
		if [ "${logins[h]}" != : ]; then
			par+=(--workdir "$remote_dir-$h" --cleanup)
			[ -z "$send" ] || par+=(--basefile "$send")
			[ -z "$ret" ] || par+=(--return "${ret//\{1\}/$h}")
			[ -z "$remote_path" ] || run="PATH=$(printf '%q' "$remote_path"):\$PATH; $cmd"
		fi
		parallel "${par[@]}" --link "$run" ::: "$h" ::: "${datas[h]}" ::: "${models[h]}" \
			>"host.$h.log" 2>&1 &
		pids+=($!)
	done
	for ((h = 0; h < n; h++)); do
		if ! wait "${pids[h]}"; then
			rc=1
			# the tool's own message, before GNU Parallel's report
			local why
			why=$(grep -m 1 '^lmrec-[a-z-]*: ' "host.$h.log" || tail -n 1 "host.$h.log")
			printf '%s: host %d (%s), %s: %s\n' "$LMREC_PIPELINE" "$h" "${logins[h]}" "$step" "$why" >&2
		fi
	done
	[ "$rc" -eq 0 ] || exit 1
	for ((h = 0; h < n; h++)); do
		[ "${logins[h]}" != : ] || continue
		[ -z "$send" ] || printf '%s\t%d\tto\t%s\t%s\n' "$step" "$h" "$send" "$(wc -c <"$send")" >>transfers.tsv
		[ -z "$ret" ] || printf '%s\t%d\tfrom\t%s\t%s\n' "$step" "$h" "${ret//\{1\}/$h}" \
			"$(wc -c <"${ret//\{1\}/$h}")" >>transfers.tsv
	done
}

folds_q=$(printf '%q' "$folds")
if [ "$kind" != als ]; then
	say "$n hosts: their Gram matrices"
	on_hosts gram "" 'gram.{1}.lmrc' \
		"lmrec-gram -q -j $threads --folds $folds_q $weights -o gram.{1}.lmrc {2}"
	grams=()
	for ((h = 0; h < n; h++)); do grams+=("gram.$h.lmrc"); done
	lmrec-gram -q --sum -o gram.lmrc "${grams[@]}"
	lmrec-train -q --model "$kind" -j "$threads" "${train_args[@]}" --gram gram.lmrc -o items.lmrc
	# each host keeps the model under its name, renamed into place
	# (shell words for the remote shell: GNU Parallel quotes {3})
	# shellcheck disable=SC2016 # expanded by the host's shell
	on_hosts final items.lmrc "" 'm={3}; t=$(mktemp "$m.XXXXXX") && cp items.lmrc "$t" && mv -f "$t" "$m"'
else
	shard=(lmrec-als-shard -q -j "$threads")
	say "$n hosts: their items"
	on_hosts items "" 'items.{1}.tsv' "${shard[*]} --list-items --folds $folds_q $weights -o items.{1}.tsv {2}"
	items=()
	for ((h = 0; h < n; h++)); do items+=("items.$h.tsv"); done
	"${shard[@]}" --init --factors "$factors" --reg "$reg" --alpha "$alpha" -s "$seed" -o items.lmrc "${items[@]}"
	for ((it = 1; it <= iters; it++)); do
		t0=$(now)
		on_hosts "$it" items.lmrc 'sums.{1}.lmrc' \
			"${shard[*]} --users items.lmrc --folds $folds_q $weights --sums sums.{1}.lmrc {2}"
		sums=()
		for ((h = 0; h < n; h++)); do sums+=("sums.$h.lmrc"); done
		"${shard[@]}" --items -o items.lmrc "${sums[@]}"
		say "iteration $it: $(elapsed "$t0" "$(now)") s"
	done
	on_hosts final items.lmrc "" "${shard[*]} --users items.lmrc --folds $folds_q $weights -o {3} {2}"
fi
mv -f items.lmrc "$out/items.lmrc"
mv -f transfers.tsv "$out/transfers.tsv"
say "the model's item side in $out/items.lmrc; each host's model in its model file"

#!/usr/bin/env bash
# The nightly job's recommend stage (lmrec-recall then lmrec-rank on each
# shard of users, under GNU Parallel) on the same night's models: with 1
# and 2 local jobs (--jobs), and over 1 and 2 ssh hosts with one job each
# (two sshd on loopback addresses of this machine, started as the test
# does: tests/sshd.bash; the models and shards are shipped to them with
# rsync), and the 2 hosts again through ssh's ControlMaster (a connection
# a host, shared). The time is the stage's own (stages.tsv) in
# "nightly.sh --from-stage recommend", the median of 3; the ratio is that
# of --jobs 1 measured in the same run over it. Data: the sample data, and
# MovieLens-1M (collaborative channels) when $LMREC_DATASETS has it.
# The ssh "hosts" share this machine's cores: they measure what shipping
# costs, not what more machines bring. Results: tests/bench/RESULTS.md.
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
PATH="$top/bin:$PATH"
nightly="$top/pipelines/nightly.sh"
# shellcheck source=tests/sshd.bash
. "$top/tests/sshd.bash"
tmp=$(mktemp -d)
# (the shared connections first: each holds a session of its host's sshd)
trap 'stop_masters; lmrec_sshd_stop "$tmp/sshd"; rm -rf "$tmp"' EXIT
DATE=2026-11-01

hosts=""
stop_masters() {
	[ -f "$tmp/sshd/ssh_config.cm" ] || return 0
	local k
	for k in 1 2; do ssh -F "$tmp/sshd/ssh_config.cm" -O exit "lmrec-host-$k" 2>/dev/null || true; done
}
if lmrec_sshd_start "$tmp/sshd" 2; then
	hosts="$tmp/sshd/sshloginfile"
	head -n 1 "$hosts" >"$tmp/one-host"
	# the same two hosts, each ssh through one shared connection (ssh's
	# ControlMaster): one handshake a host rather than one a transfer
	{
		cat "$tmp/sshd/ssh_config"
		printf '\tControlMaster auto\n\tControlPath %s/cm-%%C\n\tControlPersist 60\n' "$tmp/sshd"
	} >"$tmp/sshd/ssh_config.cm"
	sed 's|/ssh_config |/ssh_config.cm |' "$hosts" >"$tmp/cm-hosts"
else
	echo "scale.sh: no ssh hosts, local jobs only: $LMREC_SSHD_WHY" >&2
fi

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# recommend OUT DATA OPTION...: the recommend stage's seconds, median of 3
recommend() {
	local out="$1" data="$2"
	shift 2
	for _ in 1 2 3; do
		"$nightly" -q --data "$data" --out "$out" --date "$DATE" --from-stage recommend "$@" >"$tmp/log" 2>&1 ||
			{ cat "$tmp/log" >&2; return 1; }
		awk -F'\t' '$1 == "recommend" { s = $2 } END { print s }' "$out/runs/$DATE/stages.tsv"
	done | median
}

# row NAME USERS SETTING OUT T1 T: a row of the table; the last column says
# whether the stage wrote the same table as with --jobs 1
row() {
	local same=no
	cmp -s "$4/runs/$DATE/recommendations.tsv.gz" "$tmp/$1.jobs1.tsv.gz" && same=yes
	printf '%s\t%s\t%s\t%s\t%.2f\t%s\n' "$1" "$2" "$3" "$6" "$(awk -v a="$5" -v b="$6" 'BEGIN { print a / b }')" "$same"
}

# bench NAME DATA-DIR: a night, then the stage in each setting
bench() {
	local name="$1" data="$2" out="$tmp/$1" t1 t users
	"$nightly" -q --data "$data" --out "$out" --date "$DATE" --jobs 2 >"$tmp/log" 2>&1 ||
		{ cat "$tmp/log" >&2; return 1; }
	users=$(gzip -dc "$out/current/recommendations.tsv.gz" | tail -n +2 | cut -f1 | uniq | wc -l)
	t1=$(recommend "$out" "$data" --jobs 1)
	cp "$out/runs/$DATE/recommendations.tsv.gz" "$tmp/$name.jobs1.tsv.gz"
	row "$name" "$users" "--jobs 1" "$out" "$t1" "$t1"
	t=$(recommend "$out" "$data" --jobs 2)
	row "$name" "$users" "--jobs 2" "$out" "$t1" "$t"
	[ -n "$hosts" ] || return 0
	t=$(recommend "$out" "$data" --jobs 1 --sshloginfile "$tmp/one-host")
	row "$name" "$users" "1 ssh host" "$out" "$t1" "$t"
	t=$(recommend "$out" "$data" --jobs 1 --sshloginfile "$hosts")
	row "$name" "$users" "2 ssh hosts" "$out" "$t1" "$t"
	t=$(recommend "$out" "$data" --jobs 1 --sshloginfile "$tmp/cm-hosts")
	row "$name" "$users" "2 ssh hosts, ControlMaster" "$out" "$t1" "$t"
}

echo "The recommend stage (recall + rank), seconds (median of 3), speed-up against --jobs 1; $(nproc) cores"
printf 'data\tusers\tsetting\tseconds\tspeed-up\tsame table\n'
bench sample "$top/sample-data"
ds="${LMREC_DATASETS:-$top/../shared/datasets}"
if [ -f "$ds/ml-1m/interactions_chrono.tsv" ]; then
	mkdir -p "$tmp/ml-1m"
	awk 'BEGIN { print "user\titem\tts" } { print $1 "\t" $2 "\t" NR }' "$ds/ml-1m/interactions_chrono.tsv" |
		gzip -1 >"$tmp/ml-1m/interactions.tsv.gz"
	bench ml-1m "$tmp/ml-1m"
else
	echo "scale.sh: $ds/ml-1m is absent: MovieLens-1M not measured" >&2
fi

#!/usr/bin/env bash
# Federated training against one process, on the MovieLens-20M shape cut to
# ROWS interactions (default 2 million) and split between two "hosts" by
# user: CPU and wall time of ITERS ALS iterations (default 3) by
# lmrec-train and by pipelines/federated.sh with the two hosts on this
# machine, then with two loopback ssh hosts (tests/sshd.bash; skipped when
# sshd cannot start), and the bytes that crossed per iteration and host;
# then item-kNN and EASE from the Gram matrices against lmrec-train. Medians
# of RUNS runs (default 3); ratios against lmrec-train in the same run.
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
PATH="$top/bin:$PATH"
rows=${ROWS:-2000000} iters=${ITERS:-3} runs=${RUNS:-3} k=${K:-64}
tmp=$(mktemp -d /tmp/lmrec-bench-fed.XXXXXX)
ssh_dir=""
cleanup() {
	[ -z "$ssh_dir" ] || lmrec_sshd_stop "$ssh_dir"
	rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp"
lmrec-synth -q --shape ml20m --interactions "$rows" --stream interactions -o all.tsv
awk -F'\t' 'NR == 1 { print > "a.tsv"; print > "b.tsv"; next } { print > ($1 ~ /[02468]$/ ? "a.tsv" : "b.tsv") }' all.tsv
printf ':\t%s/a.tsv\t%s/a.lmrc\n:\t%s/b.tsv\t%s/b.lmrc\n' "$tmp" "$tmp" "$tmp" "$tmp" >local.tsv

# median CMD...: "wall cpu", each the median of RUNS runs (CPU of the
# command and its children)
median() {
	local r mid=$(((runs + 1) / 2))
	: >m
	for ((r = 0; r < runs; r++)); do
		/usr/bin/time -f '%e %U %S' -o t "$@" >/dev/null 2>&1
		awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' t >>m
	done
	echo "$(cut -d' ' -f1 m | sort -n | sed -n "${mid}p") $(cut -d' ' -f2 m | sort -n | sed -n "${mid}p")"
}

echo "federated training, $rows interactions (ML-20M shape, two hosts by user), $k factors, median of $runs"
read -r w0 c0 < <(median lmrec-train -q --model als --factors "$k" --iters "$iters" -o one.lmrc all.tsv)
printf '  %-34s %7.1f s wall %7.1f s CPU\n' "als, lmrec-train ($iters iterations)" "$w0" "$c0"
read -r w1 c1 < <(median "$top/pipelines/federated.sh" -q --hosts local.tsv --out fed --iters "$iters" --factors "$k")
printf '  %-34s %7.1f s wall %7.1f s CPU  (%.2f, %.2f of lmrec-train)\n' "als, federated.sh, 2 local hosts" \
	"$w1" "$c1" "$(awk -v a="$w1" -v b="$w0" 'BEGIN { print a / b }')" "$(awk -v a="$c1" -v b="$c0" 'BEGIN { print a / b }')"
if [ -f "$top/tests/sshd.bash" ]; then
	# shellcheck source=../sshd.bash
	. "$top/tests/sshd.bash"
	if lmrec_sshd_start "$tmp/ssh" 2; then
		ssh_dir="$tmp/ssh"
		printf '%s\t%s/a.tsv\t%s/sa.lmrc\n%s\t%s/b.tsv\t%s/sb.lmrc\n' "$(sed -n 1p ssh/sshloginfile)" "$tmp" "$tmp" \
			"$(sed -n 2p ssh/sshloginfile)" "$tmp" "$tmp" >ssh.tsv
		read -r w2 c2 < <(median "$top/pipelines/federated.sh" -q --hosts ssh.tsv --out fed-ssh --iters "$iters" \
			--factors "$k" --remote-path "$top/bin")
		# (the hosts' CPU is sshd's children's, not counted here)
		printf '  %-34s %7.1f s wall %7.1f s CPU here  (%.2f of lmrec-train)\n' "als, federated.sh, 2 ssh hosts" \
			"$w2" "$c2" "$(awk -v a="$w2" -v b="$w0" 'BEGIN { print a / b }')"
		cmp -s fed/items.lmrc fed-ssh/items.lmrc && echo "  the same item factors over ssh as on this machine, byte for byte"
		awk -F'\t' '$1 == 1 && $2 == 0 { printf "  per iteration and host: %s %s, %.1f MB\n", $3, $4, $5 / 1e6 }' fed-ssh/transfers.tsv
	else
		echo "  (no loopback sshd: $LMREC_SSHD_WHY)"
	fi
fi
lmrec-gram -q -o gram.a.lmrc a.tsv
echo "  a host's Gram file: $(($(wc -c <gram.a.lmrc) / 1000000)) MB"
for m in itemknn ease; do
	read -r w0 c0 < <(median lmrec-train -q --model "$m" -o "one-$m.lmrc" all.tsv)
	read -r w1 c1 < <(median "$top/pipelines/federated.sh" -q --model "$m" --hosts local.tsv --out "fed-$m")
	printf '  %-8s lmrec-train %6.1f s wall, federated.sh, 2 local hosts %6.1f s wall (%.2f)\n' "$m" "$w0" "$w1" \
		"$(awk -v a="$w1" -v b="$w0" 'BEGIN { print a / b }')"
done

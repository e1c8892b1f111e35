#!/usr/bin/env bash
# SASRec training speed: seconds per epoch (median of epochs 2 to EPOCHS;
# the first pays for page faults) and peak RSS of tests/bench/sasrec on
# MovieLens-100K's sequences (maxlen 200, width 50, 2 blocks, batch 128),
# with 1 and 2 threads, for each loss; then, where /usr/bin/python3 has
# torch, tests/reference/sasrec_train_ref.py (the same model in PyTorch)
# trained the same way with CE, for the ratio.
#
#   EPOCHS=4 LOSSES="ce bce sampled" tests/bench/sasrec.sh
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
data="${LMREC_DATASETS:-$top/../shared/datasets}"
epochs=${EPOCHS:-4} losses=${LOSSES:-ce bce sampled}
bin="$top/tests/bench/sasrec"
[ -x "$bin" ] || { echo "sasrec.sh: $bin is not built: run 'make bench'" >&2; exit 1; }
src=()
if [ -f "$data/ml-100k/u.data" ]; then src=(-d "$data/ml-100k/u.data"); else echo "(ML-100K absent: random sequences of its shape)"; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '  %-8s %8s %14s %12s\n' loss threads 's / epoch' 'peak RSS'
for loss in $losses; do
	neg=()
	[ "$loss" != sampled ] || neg=(-n 100)
	for j in 1 2; do
		/usr/bin/time -f '%M' -o "$tmp/rss" "$bin" "${src[@]}" -e "$epochs" -j "$j" -l "$loss" "${neg[@]}" >"$tmp/out"
		s=$(awk -F'\t' '$1 ~ /^[0-9]+$/ && $1 > 1 { print $4 }' "$tmp/out" | sort -n |
			awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
		printf '  %-8s %8s %14s %9.0f MB\n' "$loss" "$j" "$s" "$(($(cat "$tmp/rss") / 1024))"
	done
done
# the PyTorch reference of the same architecture, trained the same way (CE)
if [ ${#src[@]} -gt 0 ] && /usr/bin/python3 -c 'import torch' 2>/dev/null; then
	for j in 1 2; do
		/usr/bin/time -f '%M' -o "$tmp/rss" /usr/bin/python3 "$top/tests/reference/sasrec_train_ref.py" \
			"${src[1]}" "$epochs" "$j" >"$tmp/out"
		s=$(awk -F'\t' '$1 > 1 { print $4 }' "$tmp/out" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
		printf '  %-8s %8s %14s %9.0f MB   (PyTorch %s)\n' ce "$j" "$s" "$(($(cat "$tmp/rss") / 1024))" \
			"$(/usr/bin/python3 -c 'import torch; print(torch.__version__)')"
	done
else
	echo "  (PyTorch reference skipped: no /usr/bin/python3 torch or no ML-100K)"
fi

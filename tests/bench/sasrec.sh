#!/usr/bin/env bash
# SASRec training speed: seconds per epoch (median of epochs 2 to EPOCHS;
# the first pays for page faults) and peak RSS of tests/bench/sasrec, with
# 1 and 2 threads, on two shapes:
#   ml-100k  MovieLens-100K's sequences (width 50, maxlen 200, 2 blocks,
#            batch 128: the public SASRec's shape), every loss;
#   ml-1m    a synthetic stream of MovieLens-1M's shape (6,040 users, 3,416
#            items, about 1M interactions, ML-1M's length spread and a
#            skewed popularity; width 64 as lmrec's default), CE;
# then, where /usr/bin/python3 has torch, tests/reference/sasrec_train_ref.py
# (the same architecture in PyTorch) trained the same way with CE on the
# same data, in the same run, and the ratio of the medians.
#
#   EPOCHS=3 LOSSES="ce bce sampled" SHAPES="ml-100k ml-1m" TORCH_SHAPES="ml-100k ml-1m" \
#     tests/bench/sasrec.sh
# (PyTorch's epoch on the ml-1m shape takes minutes: TORCH_SHAPES=ml-100k
# leaves it out)
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
data="${LMREC_DATASETS:-$top/../shared/datasets}"
epochs=${EPOCHS:-3} losses=${LOSSES:-ce bce sampled} shapes=${SHAPES:-ml-100k ml-1m}
torch_shapes=${TORCH_SHAPES:-$shapes}
bin="$top/tests/bench/sasrec"
[ -x "$bin" ] || { echo "sasrec.sh: $bin is not built: run 'make bench'" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
torch=""
/usr/bin/python3 -c 'import torch' 2>/dev/null && torch=$(/usr/bin/python3 -c 'import torch; print(torch.__version__)')

# The synthetic stream: user lengths log-normal with ML-1M's median (96) and
# mean (165), clipped to [20, 2314] as ML-1M's are; items drawn with a
# popularity skew; u.data's layout (user item rating ts).
synth_1m() {
	awk 'BEGIN {
		srand(1); users = 6040; items = 3416; mu = log(96); s = 1.04
		for (u = 1; u <= users; u++) {
			z = sqrt(-2 * log(1 - rand())) * cos(6.283185307 * rand())
			n = int(exp(mu + s * z)); if (n < 20) n = 20; if (n > 2314) n = 2314
			for (t = 1; t <= n; t++) printf "%d\t%d\t1\t%d\n", u, 1 + int(items * rand() ^ 2.5), t
		}
	}' >"$1"
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

printf '%-8s %-7s %-8s %8s %12s %10s\n' shape impl loss threads 's / epoch' 'peak RSS'
for shape in $shapes; do
	case "$shape" in
	ml-100k)
		[ -f "$data/ml-100k/u.data" ] || { echo "(ML-100K absent: skipped)"; continue; }
		file="$data/ml-100k/u.data" dim=50 shape_losses=$losses
		;;
	ml-1m)
		file="$tmp/synth-1m.data" dim=64 shape_losses=ce
		synth_1m "$file"
		echo "# ml-1m: $(wc -l <"$file") synthetic interactions" >&2
		;;
	*) echo "sasrec.sh: unknown shape '$shape'" >&2; exit 2 ;;
	esac
	for loss in $shape_losses; do
		neg=()
		[ "$loss" != sampled ] || neg=(-n 100)
		for j in 1 2; do
			/usr/bin/time -f '%M' -o "$tmp/rss" "$bin" -d "$file" -k "$dim" -e "$epochs" -j "$j" -l "$loss" \
				"${neg[@]}" >"$tmp/out"
			s=$(awk -F'\t' '$1 ~ /^[0-9]+$/ && $1 > 1 { print $4 }' "$tmp/out" | median)
			[ "$loss" != ce ] || echo "$s" >"$tmp/lmrec-$shape-$j"
			printf '%-8s %-7s %-8s %8s %12s %7.0f MB\n' "$shape" lmrec "$loss" "$j" "$s" \
				"$(($(cat "$tmp/rss") / 1024))"
		done
	done
	if [ -n "$torch" ] && [[ " $torch_shapes " == *" $shape "* ]]; then
		for j in 1 2; do
			/usr/bin/time -f '%M' -o "$tmp/rss" /usr/bin/python3 "$top/tests/reference/sasrec_train_ref.py" \
				"$file" "$epochs" "$j" "$dim" >"$tmp/out"
			s=$(awk -F'\t' '$1 > 1 { print $4 }' "$tmp/out" | median)
			printf '%-8s %-7s %-8s %8s %12s %7.0f MB   (%.1fx lmrec)\n' "$shape" torch ce "$j" "$s" \
				"$(($(cat "$tmp/rss") / 1024))" "$(awk -v a="$s" -v b="$(cat "$tmp/lmrec-$shape-$j")" 'BEGIN { print a / b }')"
		done
	else
		echo "(PyTorch reference skipped on $shape: no torch for /usr/bin/python3, or not in TORCH_SHAPES)"
	fi
done
echo "PyTorch ${torch:-absent}; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"

#!/usr/bin/env bash
# Sentence-encoder speed: a BERT of the all-MiniLM-L6-v2 shape (6 layers,
# hidden 384, 12 heads, intermediate 1536, 30522 tokens, 512 positions)
# with random weights, written to a temporary folder by tests/tools/mkbert;
# batches of 64 sequences of 32 tokens. Prints, for 1
# and 2 threads: the sgemm rate of the same products on this machine and
# the sentences/s it caps the model at; lmrec's sentences/s in fp32 and
# int8; and, where /usr/bin/python3 has torch, PyTorch's sentences/s for
# the same model, threads and batch. Then the accuracy cost of int8 (cosine
# to the fp32 vectors over 256 sequences). Medians of 3 runs.
#
#   THREADS="1 2" BATCH=64 SEQ=32 REPS=3 tests/bench/encoder.sh
#   LAYERS, HIDDEN, HEADS, INTER, VOCAB, MAXPOS change the model's shape.
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
layers=${LAYERS:-6} hidden=${HIDDEN:-384} heads=${HEADS:-12} inter=${INTER:-1536}
vocab=${VOCAB:-30522} maxpos=${MAXPOS:-512}
batch=${BATCH:-64} seq=${SEQ:-32} reps=${REPS:-3} threads_list=${THREADS:-1 2}
enc="$top/tests/bench/encoder" mkbert="$top/tests/tools/mkbert"
for x in "$enc" "$mkbert"; do
	[ -x "$x" ] || { echo "encoder.sh: $x is not built: run 'make bench'" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$mkbert" "$tmp" "$layers" "$hidden" "$heads" "$inter" "$vocab" "$maxpos"
flops=$("$enc" flops "$tmp" "$seq")
torch=
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
	torch=$(/usr/bin/python3 -c 'import torch; print(torch.__version__)')
fi

printf 'BERT encoder, %s layers, hidden %s, %s heads, intermediate %s, vocab %s; ' \
	"$layers" "$hidden" "$heads" "$inter" "$vocab"
printf 'batches of %s sequences of %s tokens\n' "$batch" "$seq"
awk -v f="$flops" 'BEGIN { printf "  %.1f MFLOP a sentence (projections and attention)\n", f / 1e6 }'
printf '  lmrec kernels: %s\n' "$("$enc" kernels)"
printf '  %-8s %12s %12s %12s %12s %12s %8s\n' threads 'sgemm GF/s' 'cap sent/s' \
	'lmrec fp32' 'lmrec int8' "PyTorch" 'of cap'
for t in $threads_list; do
	read -r g_blas g_own < <("$enc" sgemm "$tmp" "$t" $((batch * seq)) "$reps")
	read -r fp32 fp32_cpu < <("$enc" speed "$tmp" "$t" "$batch" "$seq" "$reps" 0)
	read -r int8 int8_cpu < <("$enc" speed "$tmp" "$t" "$batch" "$seq" "$reps" 1)
	pt=-
	if [ -n "$torch" ]; then
		pt=$(OPENBLAS_NUM_THREADS=$t OMP_NUM_THREADS=$t /usr/bin/python3 \
			"$top/tests/reference/bert_ref.py" bench "$tmp" "$t" "$batch" "$seq" "$reps")
	fi
	awk -v t="$t" -v a="$g_blas" -v b="$g_own" -v f="$flops" -v x="$fp32" -v y="$int8" \
		-v pt="$pt" -v xc="$fp32_cpu" -v yc="$int8_cpu" 'BEGIN {
		g = a > b ? a : b; cap = g * 1e9 / f
		printf "  %-8s %12.1f %12.1f %12.1f %12.1f %12s %7.0f%%\n", t, g, cap, x, y, pt, 100 * x / cap
		printf "  %-8s %12s %12s %12s %12s %12s\n", "", "(" a "/" b ")", "", "(" xc " cpu)", "(" yc " cpu)", ""
	}'
done
read -r mean min bytes32 bytes8 < <("$enc" accuracy "$tmp" 256 "$seq")
printf '  int8: cosine to the fp32 vectors over 256 sequences: mean %s, min %s\n' "$mean" "$min"
awk -v a="$bytes32" -v b="$bytes8" 'BEGIN {
	printf "  weights in memory: fp32 %.1f MB, int8 %.1f MB\n", a / 1e6, b / 1e6 }'
[ -n "$torch" ] || echo "  PyTorch: /usr/bin/python3 has no torch module; its column is empty"
[ -z "$torch" ] || echo "  PyTorch $torch, torch.set_num_threads and OPENBLAS_NUM_THREADS set to the thread count"
echo "  sgemm GF/s: the better of OpenBLAS's own threads and one single-threaded sgemm a thread (a/b)"
echo "  sent/s: wall clock, median of $reps runs of 2 batches; (cpu): per CPU-second of each thread"

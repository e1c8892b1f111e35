#!/usr/bin/env bash
# The cold-start flow: recommend the items nobody has interacted with yet.
# Their text (and image and audio vectors, when there are some) is embedded,
# the embedding is mapped onto the collaborative factors of the items that
# have interactions (align) and also used as it is (semantic); the two
# channels are blended with weights learned on a rehearsal — a seeded share
# of the known items hidden from training as if they were new — whose
# figures are kept beside the table.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LMREC_PIPELINE=coldstart.sh
. "$here/lib.sh"
lmrec_tools_path "$here"

usage() {
	cat <<'EOF'
Usage: coldstart.sh --data DIR --out DIR [OPTION]...
Recommend a catalog's new items (those without interactions) to its users.

  --data DIR          interactions.tsv[.gz] and items.tsv; image.tsv and
                      audio.tsv (vectors streams) fused with the text when
                      present
  --out DIR           where the results go (created; files replaced whole)
  --new FILE          the new items (column item; default: the items of
                      items.tsv without interactions)
  --embed METHOD      tfidf (default), subword, vec or bert
  --embed-set KEY=VALUE  an option of lmrec-embed or lmrec-tokenize
                      (dim=64, word_vectors=FILE, bert=DIR); repeatable
  --modality NAME=FILE  another modality's vectors (default: DIR/image.tsv
                      and DIR/audio.tsv); repeatable
  --top N             new items per user (default 10)
  --rehearsal F       share of the known items hidden as if new: half of
                      them teach the blend its weights, half measure the
                      channels (default 0.2)
  --seed N            seed (default 1)
  -j, --threads N     threads (default 1)
  -q, --quiet         no progress on standard error
  -h, --help          show this help

Writes OUT/new-items.tsv (the new items), OUT/vectors.tsv (content vectors
of every item), OUT/recommendations.tsv.gz (user rank item score reason,
new items only), OUT/similar-items.tsv.gz (each new item's nearest items by
content), OUT/rehearsal.tsv (Recall@20 and NDCG@20 of each channel and of
the blend on the hidden items) and OUT/weights.tsv.
EOF
	exit "${1:-0}"
}

data= out= new= embed=tfidf top=10 rehearsal=0.2 seed=1 threads=1 QUIET=
embed_sets=() modalities=()
while [ $# -gt 0 ]; do
	case "$1" in
	--data) data="${2:?--data needs a folder}"; shift 2 ;;
	--out) out="${2:?--out needs a folder}"; shift 2 ;;
	--new) new="${2:?--new needs a file}"; shift 2 ;;
	--embed | --embed-set | --modality) content_arg "$1" "${2:-}"; shift 2 ;;
	--top) top="${2:?--top needs a number}"; shift 2 ;;
	--rehearsal) rehearsal="${2:?--rehearsal needs a share}"; shift 2 ;;
	--seed) seed="${2:?--seed needs a number}"; shift 2 ;;
	-j | --threads) threads="${2:?--threads needs a number}"; shift 2 ;;
	-j?*) threads="${1#-j}"; shift ;;
	-q | --quiet) QUIET=1; shift ;;
	-h | --help) usage 0 ;;
	*) printf 'coldstart.sh: unknown option %s\n' "$1" >&2; usage 2 >&2 ;;
	esac
done
[ -n "$data" ] || die "--data is required" 2
[ -n "$out" ] || die "--out is required" 2
no_dash data out
# awk takes an operand like "a=b.tsv" for an assignment, and "./a=b.tsv"
# for a file
case "$new" in '' | /*) ;; *) new="./$new" ;; esac
[[ "$top" =~ ^[1-9][0-9]*$ ]] || die "--top wants a positive number, not '$top'" 2
content_options
inter=$(data_file "$data" interactions.tsv)
[ -n "$inter" ] || die "$data: no interactions.tsv or interactions.tsv.gz" 65
items=$(data_file "$data" items.tsv)
[ -n "$items" ] || die "$data: no items.tsv: new items are known by their content" 65
[ -z "$new" ] || [ -r "$new" ] || die "$new: cannot read the new items" 1 # an I/O failure (SPEC.md §5)

mkdir -p "$out"
work=$(mktemp -d "$out/.coldstart.XXXXXX")
# (INT and TERM end the script, and the EXIT trap removes the folder: a
# trap that only removed it would let the script go on without it)
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- the data, checked once ----
lmrec-ingest -q -o "$work/interactions.tsv.gz" "$inter"
lmrec-ingest -q --kind items -o "$work/items.tsv" "$items"
if [ -n "$new" ]; then
	awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "item") c = i
			if (!c) { print FILENAME ":1: no item column" > "/dev/stderr"; exit 65 }
			print "item"; next }
		!seen[$c]++ { print $c }' "$new" >"$work/new-items.tsv"
else
	# the catalog's available items that no interaction names
	gzip -dc "$work/interactions.tsv.gz" | awk -F'\t' '
		FNR == NR { if (FNR > 1) seen[$2] = 1; next }
		FNR == 1 { for (i = 1; i <= NF; i++) if ($i == "available") a = i; print "item"; next }
		!($1 in seen) && !(a && $a == "0") { print $1 }' - "$work/items.tsv" >"$work/new-items.tsv"
fi
nnew=$(($(wc -l <"$work/new-items.tsv") - 1))
say "$nnew new items"

# ---- content: the words, the text vectors, the other modalities ----
content_vectors "$work/items.tsv" "$work/tokens.tsv" "$work/text.tsv"
content_tokens "$work/items.tsv" "$work/tokens.tsv"
mapfile -d '' -t inputs < <(modality_inputs "$data" "$work/text.tsv")

# content_models FOLDS DIR INTERACTIONS: ALS on FOLDS; the content vectors
# (fused onto that ALS when there is more than text); the semantic model
# on them; the align model on the words' TF-IDF, with the vectors when
# they add knowledge (fused, or from a method other than tfidf)
content_models() {
	local folds="$1" dir="$2" vec="$work/text.tsv" feats=(--tokens "$work/tokens.tsv")
	mkdir -p "$dir"
	lmrec-train -q --model als --folds "$folds" -s "$seed" -j "$threads" -o "$dir/als.lmrc" "$3"
	if [ ${#inputs[@]} -gt 2 ]; then
		vec="$dir/vectors.tsv"
		lmrec-embed -q --method fuse -m "$dir/als.lmrc" "${inputs[@]}" -s "$seed" \
			--report "$dir/fuse-report.tsv" -o "$vec"
	fi
	[ "$vec" = "$work/text.tsv" ] && [ "$embed" = tfidf ] || feats+=(--vectors "$vec")
	lmrec-train -q --model semantic --vectors "$vec" --folds "$folds" -o "$dir/semantic.lmrc" "$3"
	lmrec-train -q --model align "${feats[@]}" --factors-from "$dir/als.lmrc" -s "$seed" \
		-j "$threads" -o "$dir/aligned.lmrc"
	[ "$vec" = "$dir/vectors.tsv" ] || cp "$vec" "$dir/vectors.tsv"
}

# ---- the rehearsal: known items hidden as if new ----
# Half of them teach the blend its weights, the other half measure it.
t0=$(now)
half=$(awk -v r="$rehearsal" 'BEGIN { printf "%.6g", r / 2 }')
lmrec-split -q --method cold --fraction "$half" --valid-fraction "$half" -s "$seed" \
	-o "$work/folds.tsv" "$work/interactions.tsv.gz"
for f in valid test; do
	awk -F'\t' -v want="$f" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "fold") c = i; print "item"; next }
		$c == want && !seen[$2]++ { print $2 }' "$work/folds.tsv" >"$work/$f-items.tsv"
	awk -F'\t' -v want="$f" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "fold") c = i; print "user"; next }
		$c == want && !seen[$1]++ { print $1 }' "$work/folds.tsv" >"$work/$f-users.tsv"
done
content_models train "$work/rehearsal" "$work/folds.tsv"
for f in valid test; do
	lmrec-recall -q -m semantic="$work/rehearsal/semantic.lmrc" -m aligned="$work/rehearsal/aligned.lmrc" \
		--only "$work/$f-items.tsv" --users "$work/$f-users.tsv" -n 100 -j "$threads" \
		-o "$work/$f-candidates.tsv"
done
lmrec-rank -q --learn "$work/folds.tsv" --learn-k 20 --save-weights "$work/weights.tsv" \
	-n 20 -o /dev/null "$work/valid-candidates.tsv"
lmrec-rank -q --weights "$work/weights.tsv" -n 20 -o "$work/test-blend.tsv" "$work/test-candidates.tsv"
{
	printf 'channel\trecall@20\tndcg@20\tusers\n'
	for c in semantic aligned blend; do
		recs="$work/test-$c.tsv"
		[ "$c" = blend ] || awk -F'\t' -v want="$c" 'NR == 1 { print "user\titem\tscore"; next }
			$4 == want { print $1 "\t" $2 "\t" $3 }' "$work/test-candidates.tsv" >"$recs"
		lmrec-eval -q -t "$work/folds.tsv" --k 20 --metrics recall,ndcg "$recs" |
			awk -F'\t' -v c="$c" '$3 == "all" { v[$1] = $4; n = $5 }
				END { printf "%s\t%s\t%s\t%s\n", c, v["recall"], v["ndcg"], n }'
	done
} >"$work/rehearsal.tsv"
say "rehearsal on $(($(wc -l <"$work/test-items.tsv") - 1)) hidden items: $(elapsed "$t0" "$(now)") s"
[ -n "$QUIET" ] || column -t -s $'\t' "$work/rehearsal.tsv" >&2

# ---- the real thing: every interaction, the new items ----
t0=$(now)
content_models all "$work/full" "$work/interactions.tsv.gz"
lmrec-recall -q -m semantic="$work/full/semantic.lmrc" -m aligned="$work/full/aligned.lmrc" \
	--only "$work/new-items.tsv" -n 100 -j "$threads" -o "$work/candidates.tsv"
lmrec-rank -q --weights "$work/weights.tsv" --items "$work/items.tsv" -n "$top" \
	-o "$work/recommendations.tsv.gz" "$work/candidates.tsv"
# each new item's nearest items by content, new and known
lmrec-similar -q -m "$work/full/semantic.lmrc" --items "$work/items.tsv" -n 20 -j "$threads" \
	-o "$work/similar-all.tsv"
awk -F'\t' 'FNR == NR { if (FNR > 1) isnew[$1] = 1; next } FNR == 1 || ($1 in isnew)' \
	"$work/new-items.tsv" "$work/similar-all.tsv" | gzip -6 >"$work/similar-items.tsv.gz"
say "recommendations: $(elapsed "$t0" "$(now)") s"

# ---- publish: each file whole, by rename ----
cp "$work/full/vectors.tsv" "$work/vectors.tsv"
for f in new-items.tsv vectors.tsv recommendations.tsv.gz similar-items.tsv.gz rehearsal.tsv weights.tsv; do
	mv -f "$work/$f" "$out/$f"
done
users=$(gzip -dc "$out/recommendations.tsv.gz" | tail -n +2 | cut -f1 | uniq | wc -l)
say "$nnew new items recommended to $users users: $out/recommendations.tsv.gz"

#!/usr/bin/env bash
# The experiment entry point (SPEC.md §7): one model, one split, full-ranking
# metrics on standard output, nothing else; progress and timings on stderr.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LMREC_PIPELINE=experiment.sh
. "$here/lib.sh"
lmrec_tools_path "$here"

usage() {
	cat <<'EOF'
Usage: experiment.sh --data DIR --model NAME [OPTION]...
Train a model on a split of DIR/interactions.tsv[.gz] and print its metrics.

  --data DIR          interactions.tsv or interactions.tsv.gz (canonical
                      interactions); items.tsv for the content models and
                      the catalog metrics; image.tsv, audio.tsv fused when
                      present
  --model NAME        collaborative: popular, itemknn, ease, als, bpr;
                      sequential: sasrec (self-attention over each user's
                      items in time order, early stopping on the
                      validation fold, which then joins the history);
                      content: semantic (the history's mean item vector),
                      aligned (ALS user factors against item vectors mapped
                      from content), fused (aligned, from text, image and
                      audio vectors fused); both: hybrid (EASE with the
                      items' words as side information); blend (the
                      channels of --channels blended with weights learned
                      on the validation fold)
  --split SPLIT       last (default): per user the last interaction is test,
                      the one before it validation, the model trains on the
                      rest and validation; cold:F[:V]: a seeded share F of
                      the items is held out entirely and ranked among
                      themselves, a share V (default 0.1) is validation
  --seed N            seed of the split and the models (default 1)
  --k LIST            metric cut-offs (default 10,20)
  --min-item N        drop items with fewer than N interactions before the
                      split (5 makes the SASRec split of MovieLens-1M)
  --min-user N        drop users with fewer than N interactions
  --history-cap N     keep only each user's N most recent training rows
                      (a sparse-history experiment)
  --set [MODEL.]KEY=VALUE  a hyper-parameter of lmrec-train (lambda=500,
                      als.factors=128; KEY= alone is a flag,
                      sasrec.frozen_view=); with MODEL. only for that
                      model; repeatable
  --channels LIST     the channels of blend (default popular,itemknn,ease,
                      als, then semantic,aligned when there is content and
                      hybrid when there is an items.tsv; semantic,aligned
                      on a cold split, where only content reaches the
                      held-out items; fused too when there are image or
                      audio vectors)
  --vectors FILE      the item text vectors (default: made by --embed)
  --embed METHOD      tfidf (default), subword, vec or bert: how
                      lmrec-embed makes text vectors from DIR/items.tsv
  --embed-set KEY=VALUE  an option of lmrec-embed or lmrec-tokenize
                      (word_vectors=FILE, bert=DIR, dim=64); repeatable
  --modality NAME=FILE  vectors of another modality for fused (default:
                      DIR/image.tsv and DIR/audio.tsv); repeatable
  --keep DIR          keep the working files in DIR (folds.tsv, the model
                      files, recs.tsv, weights.tsv)
  -j, --threads N     threads of training and scoring (default 1)
  -q, --quiet         no progress on standard error
  -h, --help          show this help

Standard output is the metrics stream: metric k segment value n.
EOF
	exit "${1:-0}"
}

data= model= split=last seed=1 k=10,20 threads=1 QUIET= cap= channels=
vectors= embed=tfidf keep=
filters=() sets=() embed_sets=() modalities=()
while [ $# -gt 0 ]; do
	case "$1" in
	--data) data="${2:?--data needs a folder}"; shift 2 ;;
	--model) model="${2:?--model needs a name}"; shift 2 ;;
	--split) split="${2:?--split needs last or cold:F}"; shift 2 ;;
	--seed) seed="${2:?--seed needs a number}"; shift 2 ;;
	--k) k="${2:?--k needs a list}"; shift 2 ;;
	--min-item) filters+=(--min-item "${2:?--min-item needs a number}"); shift 2 ;;
	--min-user) filters+=(--min-user "${2:?--min-user needs a number}"); shift 2 ;;
	--history-cap) cap="${2:?--history-cap needs a number}"; shift 2 ;;
	--set)
		[[ "${2:-}" == ?*=* ]] || die "--set wants KEY=VALUE, not '${2:-}'" 2
		sets+=("$2")
		shift 2
		;;
	--channels) channels="${2:?--channels needs a list}"; shift 2 ;;
	--vectors) vectors="${2:?--vectors needs a file}"; shift 2 ;;
	--keep) keep="${2:?--keep needs a folder}"; shift 2 ;;
	--embed | --embed-set | --modality) content_arg "$1" "${2:-}"; shift 2 ;;
	-j | --threads) threads="${2:?--threads needs a number}"; shift 2 ;;
	-j?*) threads="${1#-j}"; shift ;;
	-q | --quiet) QUIET=1; shift ;;
	-h | --help) usage 0 ;;
	*) printf 'experiment.sh: unknown option %s\n' "$1" >&2; usage 2 >&2 ;;
	esac
done
[ -n "$data" ] || die "--data is required" 2
[ -n "$model" ] || die "--model is required" 2
no_dash data vectors keep
inter=$(data_file "$data" interactions.tsv)
[ -n "$inter" ] || die "$data: no interactions.tsv or interactions.tsv.gz" 65
items=$(data_file "$data" items.tsv)
known_models="popular itemknn ease als bpr sasrec semantic aligned fused hybrid"
case " $known_models blend " in
*" $model "*) ;;
*) die "unknown model '$model' (expected popular, itemknn, ease, als, bpr, sasrec, semantic, aligned, fused, hybrid or blend)" 2 ;;
esac
content_options
[ -z "$cap" ] || [[ "$cap" =~ ^[1-9][0-9]*$ ]] || die "--history-cap wants a positive number, not '$cap'" 2
maxk=$(printf '%s\n' "${k//,/$'\n'}" | sort -n | tail -n 1)
[[ "$maxk" =~ ^[0-9]+$ ]] || die "--k wants cut-offs like 10,20, not '$k'" 2
for s in "${sets[@]}"; do
	key="${s%%=*}"
	[[ "$key" != *.* ]] || case " $known_models " in
	*" ${key%%.*} "*) ;;
	*) die "--set $s: '${key%%.*}' is not a model" 2 ;;
	esac
done

has_content=
[ -z "$items" ] && [ -z "$vectors" ] || has_content=1
if [ -z "$channels" ]; then
	# on a cold split only content reaches the held-out items
	case "$split" in
	cold:*) channels=semantic,aligned ;;
	*)
		channels=popular,itemknn,ease,als
		[ -z "$has_content" ] || channels+=,semantic,aligned
		[ -z "$items" ] || channels+=,hybrid
		;;
	esac
	# fused when there is more than text
	if [ -n "$has_content" ] && { [ ${#modalities[@]} -gt 0 ] || [ -e "$data/image.tsv" ] || [ -e "$data/audio.tsv" ]; }; then
		channels+=,fused
	fi
fi
IFS=, read -r -a blend_channels <<<"$channels"
for c in "${blend_channels[@]}"; do
	case " $known_models " in
	*" $c "*) ;;
	*) die "--channels: unknown channel '$c'" 2 ;;
	esac
done
if [ "$model" = blend ]; then wanted=("${blend_channels[@]}"); else wanted=("$model"); fi
for c in "${wanted[@]}"; do
	case "$c" in
	semantic | aligned | fused)
		[ -n "$has_content" ] || die "$c needs item content: $data/items.tsv or --vectors" 65
		;;
	hybrid)
		[ -n "$items" ] || die "$c needs the items' words: $data/items.tsv" 65
		;;
	esac
done
[ -z "$vectors" ] || [ -r "$vectors" ] || die "$vectors: cannot read the vectors" 1 # an I/O failure (SPEC.md §5)

work=$(mktemp -d "${TMPDIR:-/tmp}/lmrec-experiment.XXXXXX")
# (INT and TERM end the script, and the EXIT trap removes the folder: a
# trap that only removed it would let the script go on without it)
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM


# ---- split ----
only_test=() only_valid=()
case "$split" in
last)
	lmrec-split -q -s "$seed" "${filters[@]}" -o "$work/folds.tsv" "$inter"
	;;
cold:*)
	frac="${split#cold:}" vfrac=0.1
	if [[ "$frac" == *:* ]]; then vfrac="${frac#*:}" frac="${frac%%:*}"; fi
	lmrec-split -q --method cold --fraction "$frac" --valid-fraction "$vfrac" -s "$seed" \
		"${filters[@]}" -o "$work/folds.tsv" "$inter"
	# the held-out items are ranked among themselves (SPEC.md §7)
	for f in test valid; do
		awk -F'\t' -v want="$f" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "fold") c = i; print "item"; next }
			$c == want && !seen[$2]++ { print $2 }' "$work/folds.tsv" >"$work/$f-items.tsv"
	done
	only_test=(--only "$work/test-items.tsv")
	only_valid=(--only "$work/valid-items.tsv")
	;;
*) die "unknown split '$split' (expected last or cold:F)" 2 ;;
esac
final_folds=train,valid

# --history-cap: each user's N most recent train rows survive (ties: the
# later line); valid and test rows are untouched
if [ -n "$cap" ]; then
	awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "fold") f = i; if ($i == "ts") t = i }; next }
		$f == "train" { print $1 "\t" $t "\t" NR }' "$work/folds.tsv" |
		sort -t "$(printf '\t')" -k1,1 -k2,2gr -k3,3nr |
		awk -F'\t' -v n="$cap" 'c[$1]++ < n { print $3 }' >"$work/keep.txt"
	awk -F'\t' 'FNR == NR { keep[$1] = 1; next }
		FNR == 1 { for (i = 1; i <= NF; i++) if ($i == "fold") f = i; print; next }
		$f != "train" || (FNR in keep)' "$work/keep.txt" "$work/folds.tsv" >"$work/capped.tsv"
	mv "$work/capped.tsv" "$work/folds.tsv"
	say "history cut to the $cap most recent training rows of each user"
fi

# the users to score: those with a test row (valid row for the blend's weights)
for f in test valid; do
	awk -F'\t' -v want="$f" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "fold") c = i; print "user"; next }
		$c == want && !seen[$1]++ { print $1 }' "$work/folds.tsv" >"$work/$f-users.tsv"
done
say "split $split: $(($(wc -l <"$work/test-users.tsv") - 1)) test users"

# model_sets MODEL: the --set options that apply to MODEL's lmrec-train
model_sets() {
	local s key
	for s in "${sets[@]}"; do
		key="${s%%=*}"
		if [[ "$key" == *.* ]]; then
			[ "${key%%.*}" = "$1" ] || continue
			s="${s#*.}"
		fi
		set_to_options "$s"
	done
}

# ---- content: words and vectors ----
text_tokens() {
	content_tokens "$items" "$work/tokens.tsv"
	printf '%s\n' "$work/tokens.tsv"
}
text_vectors() {
	[ -z "$vectors" ] || { printf '%s\n' "$vectors"; return; }
	content_vectors "$items" "$work/tokens.tsv" "$work/text-vectors.tsv"
	printf '%s\n' "$work/text-vectors.tsv"
}

# train CHANNEL FOLDS OUT: one model file (aligned and fused train ALS on
# FOLDS first, their collaborative side)
train() {
	local c="$1" folds="$2" out="$3" t0 sets_c
	mapfile -d '' -t sets_c < <(model_sets "$c")
	t0=$(now)
	case "$c" in
	semantic)
		local vec
		vec=$(text_vectors)
		lmrec-train -q --model semantic --vectors "$vec" --folds "$folds" \
			"${sets_c[@]}" -o "$out" "$work/folds.tsv"
		;;
	aligned | fused)
		# the features: the TF-IDF of the words when there is an
		# items.tsv; the text vectors when they add knowledge (given with
		# --vectors, or made by a method other than tfidf, whose vectors
		# compress the same words); fused: the modalities fused
		local als="$work/als-$folds.lmrc" vec feats=() tokens
		[ -e "$als" ] || train als "$folds" "$als"
		if [ -n "$items" ]; then
			tokens=$(text_tokens)
			feats+=(--tokens "$tokens")
		fi
		if [ "$c" = fused ] || [ -n "$vectors" ] || [ "$embed" != tfidf ] || [ -z "$items" ]; then
			vec=$(text_vectors)
		fi
		if [ "$c" = fused ]; then
			local inputs
			mapfile -d '' -t inputs < <(modality_inputs "$data" "$vec")
			vec="$work/fused-$folds.tsv"
			lmrec-embed -q --method fuse -m "$als" "${inputs[@]}" -s "$seed" -o "$vec"
		fi
		[ -z "${vec:-}" ] || feats+=(--vectors "$vec")
		lmrec-train -q --model align "${feats[@]}" --factors-from "$als" -s "$seed" -j "$threads" \
			"${sets_c[@]}" -o "$out"
		;;
	sasrec)
		# trained on the train fold, stopped early on the valid fold; the
		# valid rows then join the sequences scored (SASRec's protocol),
		# except for the blend's validation stage, which scores them; the
		# blend's final model is that network again (--init, no epoch:
		# training it twice would give the same weights)
		if [ "$model" = blend ] && [ "$folds" = train ]; then
			lmrec-train -q --model sasrec --folds train --valid-out -s "$seed" -j "$threads" "${sets_c[@]}" \
				-o "$out" "$work/folds.tsv"
		elif [ "$model" = blend ]; then
			lmrec-train -q --model sasrec --folds train --init "$work/v-sasrec.lmrc" --epochs 0 -s "$seed" \
				-j "$threads" -o "$out" "$work/folds.tsv"
		else
			lmrec-train -q --model sasrec --folds train -s "$seed" -j "$threads" "${sets_c[@]}" \
				-o "$out" "$work/folds.tsv"
		fi
		;;
	hybrid)
		local tokens
		tokens=$(text_tokens)
		lmrec-train -q --model ease --tokens "$tokens" --folds "$folds" -j "$threads" "${sets_c[@]}" \
			-o "$out" "$work/folds.tsv"
		;;
	als)
		# aligned and fused share it
		local cache="$work/als-$folds.lmrc"
		[ -e "$cache" ] || lmrec-train -q --model als --folds "$folds" -s "$seed" -j "$threads" \
			"${sets_c[@]}" -o "$cache" "$work/folds.tsv"
		[ "$out" = "$cache" ] || cp "$cache" "$out"
		;;
	*)
		lmrec-train -q --model "$c" --folds "$folds" -s "$seed" -j "$threads" "${sets_c[@]}" \
			-o "$out" "$work/folds.tsv"
		;;
	esac
	say "train $c on $folds: $(elapsed "$t0" "$(now)") s"
}

# recall OUT N USERS ONLY... -- MODELS...: candidates
recall() {
	local out="$1" n="$2" users="$3"
	shift 3
	local only=()
	while [ "$1" != -- ]; do only+=("$1"); shift; done
	shift
	local args=() m
	for m in "$@"; do args+=(-m "$m"); done
	lmrec-recall -q "${args[@]}" "${only[@]}" -n "$n" -j "$threads" --users "$users" -o "$out"
}

if [ "$model" = blend ]; then
	# weights learned with models that have not seen the validation fold
	awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "fold") f = i; print; next }
		$f == "valid"' "$work/folds.tsv" >"$work/valid.tsv"
	vm=() fm=()
	for c in "${blend_channels[@]}"; do
		train "$c" train "$work/v-$c.lmrc"
		vm+=("$c=$work/v-$c.lmrc")
	done
	# at least 100 candidates, and weights learned on NDCG@20 at least: a
	# deeper ranking is a steadier signal than the top 10 of one item
	pool=$((maxk * 5 > 100 ? maxk * 5 : 100)) learn_k=$((maxk > 20 ? maxk : 20))
	recall "$work/valid-candidates.tsv" "$pool" "$work/valid-users.tsv" "${only_valid[@]}" -- "${vm[@]}"
	lmrec-rank -q --learn "$work/valid.tsv" --learn-k "$learn_k" --save-weights "$work/weights.tsv" \
		-n "$maxk" -o /dev/null "$work/valid-candidates.tsv"
	say "weights: $(tail -n +2 "$work/weights.tsv" | tr '\t\n' '= ')"
	for c in "${blend_channels[@]}"; do
		train "$c" "$final_folds" "$work/t-$c.lmrc"
		fm+=("$c=$work/t-$c.lmrc")
	done
	t0=$(now)
	recall "$work/candidates.tsv" "$pool" "$work/test-users.tsv" "${only_test[@]}" -- "${fm[@]}"
	lmrec-rank -q --weights "$work/weights.tsv" -n "$maxk" -o "$work/recs.tsv" "$work/candidates.tsv"
	say "score: $(elapsed "$t0" "$(now)") s"
else
	train "$model" "$final_folds" "$work/model.lmrc"
	t0=$(now)
	recall "$work/recs.tsv" "$maxk" "$work/test-users.tsv" "${only_test[@]}" -- "$work/model.lmrc"
	say "score: $(elapsed "$t0" "$(now)") s"
fi

item_opt=()
[ -z "$items" ] || item_opt=(--items "$items")
lmrec-eval -q -t "$work/folds.tsv" --k "$k" "${item_opt[@]}" "$work/recs.tsv"
if [ -n "$keep" ]; then
	mkdir -p "$keep"
	cp -R "$work"/. "$keep"/
fi

# shellcheck shell=bash
# The held-out weeks of generate.sh and bundle-sources.sh. Sourced.

# week_setup ALL ITEMS LAST W TMP: week W before the last one of ALL (an
# interactions stream whose newest row is at LAST): sets cut and end (the
# week's bounds), d (TMP/wW), train and items; writes d/train.tsv (the rows
# before the week), d/test.tsv (the week's) and d/items.tsv (the items of
# ITEMS released before it); trains item-kNN, EASE and ALS on the train rows
# and sets models to their -m options.
week_setup() {
	local all="$1" catalog="$2" last="$3" w="$4" tmp="$5" m
	cut=$(((last / 86400 - 6 - 7 * w) * 86400))
	end=$((cut + 7 * 86400))
	d="$tmp/w$w"
	mkdir -p "$d"
	train="$d/train.tsv" items="$d/items.tsv"
	awk -F'\t' -v c="$cut" -v e="$end" -v tr="$train" -v te="$d/test.tsv" \
		'NR == 1 { print > tr; print > te; next } $3 < c { print > tr; next } $3 < e { print > te }' "$all"
	awk -F'\t' -v c="$cut" 'NR == 1 { for (k = 1; k <= NF; k++) if ($k == "released") r = k; print; next } !r || $r < c' \
		"$catalog" >"$items"
	for m in itemknn ease als; do lmrec-train -q --model "$m" -o "$d/$m.lmrc" "$train"; done
	models=(-m "$d/itemknn.lmrc" -m "$d/ease.lmrc" -m "$d/als.lmrc")
}

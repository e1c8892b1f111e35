#!/usr/bin/env bats
# lmrec-synth: seeded synthetic worlds and load-test streams.
#
# lmrec-synth reads no input, so STYLE.md §2.9's input cases take this
# form here: an operand is a usage error; what it writes is canonical (a
# reader of lmrec takes it whole, with its escapes); .gz output is the
# plain output compressed; the same seed gives the same bytes. The world's
# checks run on the committed sample-data, which the first tests prove is
# exactly what its README's command makes.

load test_helper

SD="$TOP/sample-data"
START=1788220800 # 2026-09-01
END=$((START + 60 * 86400))

setup() {
	cd "$BATS_TEST_TMPDIR"
}

# thousands NUMBER: 91515 -> 91,515
thousands() {
	echo "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'
}

@test "lmrec-synth: --help and --version exit 0, an unknown option exits 2" {
	run lmrec-synth --help
	assert_success
	assert_line --partial 'Usage: lmrec-synth'
	run lmrec-synth --version
	assert_success
	assert_output 'lmrec-synth (lmrec) 0.1.0'
	run -2 --separate-stderr lmrec-synth --bogus
	[ "${stderr_lines[1]}" = "Try 'lmrec-synth --help' for more information." ]
}

@test "lmrec-synth: every --help option is in the man page" {
	run check_man_page lmrec-synth
	assert_success
}

@test "lmrec-synth: usage errors exit 2 with a message and make nothing" {
	run -2 --separate-stderr lmrec-synth
	[ "${stderr_lines[0]}" = "lmrec-synth: give --out DIR or --stream NAME" ]
	[ "${stderr_lines[1]}" = "Try 'lmrec-synth --help' for more information." ]
	run -2 --separate-stderr lmrec-synth --out d --stream items
	[ "${stderr_lines[0]}" = "lmrec-synth: --out and --stream exclude each other" ]
	run -2 --separate-stderr lmrec-synth --stream items --what items
	[ "${stderr_lines[0]}" = "lmrec-synth: --what goes with --out" ]
	run -2 --separate-stderr lmrec-synth --out d -o x.tsv
	[ "${stderr_lines[0]}" = "lmrec-synth: --output goes with --stream; --out names a directory" ]
	run -2 --separate-stderr lmrec-synth --stream bogus
	[ "${stderr_lines[0]}" = "lmrec-synth: invalid value for --stream: 'bogus' (expected items, users, interactions, image, audio, conversations, targets, feedback, goals, context, goal-targets, tasks, context-rules or truth)" ]
	run -2 --separate-stderr lmrec-synth --out d --what items,goal
	[ "${stderr_lines[0]}" = "lmrec-synth: invalid value for --what: 'goal' (expected items, users, interactions, image, audio, conversations, targets, feedback, goals, context, goal-targets, tasks, context-rules or truth)" ]
	run -2 --separate-stderr lmrec-synth --stream goals --goals 1000001
	[ "${stderr_lines[0]}" = "lmrec-synth: invalid value for --goals: '1000001' (expected an integer from 0 to 1000000)" ]
	run -2 --separate-stderr lmrec-synth --stream items --items 50
	[ "${stderr_lines[0]}" = "lmrec-synth: invalid value for --items: '50' (a world holds 100 to 100000 items)" ]
	run -2 --separate-stderr lmrec-synth --stream items --start 2026-02-29
	[ "${stderr_lines[0]}" = "lmrec-synth: invalid value for --start: '2026-02-29' (no such day)" ]
	run -2 --separate-stderr lmrec-synth --stream items --start 2026-9-1
	[ "${stderr_lines[0]}" = "lmrec-synth: invalid value for --start: '2026-9-1' (expected YYYY-MM-DD)" ]
	run -2 --separate-stderr lmrec-synth --stream interactions --shape ml10m
	[ "${stderr_lines[0]}" = "lmrec-synth: invalid value for --shape: 'ml10m' (expected ml20m)" ]
	run -2 --separate-stderr lmrec-synth --out d --users 3 --items 5 --interactions 16
	[ "${stderr_lines[0]}" = "lmrec-synth: --interactions exceeds users times items (a user rates an item once)" ]
	run -2 --separate-stderr lmrec-synth --stream truth --interactions 10
	[ "${stderr_lines[0]}" = "lmrec-synth: scale mode has only the items, users and interactions streams" ]
	run -2 --separate-stderr lmrec-synth --stream conversations --shape ml20m
	[ "${stderr_lines[0]}" = "lmrec-synth: scale mode has only the items, users and interactions streams" ]
	run -2 --separate-stderr lmrec-synth --out d --what items,feedback --interactions 10
	[ "${stderr_lines[0]}" = "lmrec-synth: scale mode has only the items, users and interactions streams" ]
	run -2 --separate-stderr lmrec-synth --stream targets --conversations 1000001
	[ "${stderr_lines[0]}" = "lmrec-synth: invalid value for --conversations: '1000001' (expected an integer from 0 to 1000000)" ]
	run -2 --separate-stderr lmrec-synth --stream items data.tsv
	[ "${stderr_lines[0]}" = "lmrec-synth: unexpected argument 'data.tsv' (lmrec-synth reads no input)" ]
	run -2 lmrec-synth --stream items --days 0
	run -2 lmrec-synth --stream items --users 0
	run -2 lmrec-synth --stream items --seed -1
	[ ! -e d ]
}

@test "lmrec-synth: the same seed gives the same bytes, another seed other bytes" {
	for s in items users interactions truth conversations targets feedback goals context goal-targets; do
		lmrec-synth -q --users 150 --items 300 --stream $s >a-$s.tsv
		lmrec-synth -q --users 150 --items 300 --stream $s -o b-$s.tsv
		cmp a-$s.tsv b-$s.tsv
		lmrec-synth -q --users 150 --items 300 --seed 2 --stream $s >c-$s.tsv
		! cmp -s a-$s.tsv c-$s.tsv
	done
	[ "$(wc -l <a-interactions.tsv)" -gt 5000 ]
}

@test "lmrec-synth: a user is the same person whatever the number of users" {
	lmrec-synth -q --users 40 --items 300 --out small --what users,interactions,truth
	lmrec-synth -q --users 80 --items 300 --out big --what users,interactions,truth
	cmp small/users.tsv <(head -n 41 big/users.tsv)
	cmp small/truth.tsv <(head -n 41 big/truth.tsv)
	# the first 40 users act exactly as before, in the same order
	gzip -dc small/interactions.tsv.gz >s.tsv
	gzip -dc big/interactions.tsv.gz | awk -F'\t' 'NR == 1 || substr($1, 2) + 0 <= 40' >b.tsv
	cmp s.tsv b.tsv
	[ "$(wc -l <s.tsv)" -gt 1000 ]
}

@test "lmrec-synth: sample-data is exactly what its README's command makes" {
	cmd=$(sed -n 's|^    bin/lmrec-synth \(.*\) --out sample-data$|\1|p' "$SD/README")
	[ -n "$cmd" ]
	# shellcheck disable=SC2086 # the options are words
	run -0 --separate-stderr lmrec-synth $cmd --out remade
	cmp remade/items.tsv "$SD/items.tsv"
	cmp remade/users.tsv "$SD/users.tsv"
	cmp <(gzip -dc remade/interactions.tsv.gz) <(gzip -dc "$SD/interactions.tsv.gz")
	cmp remade/image.tsv "$SD/image.tsv"
	cmp remade/audio.tsv "$SD/audio.tsv"
	cmp remade/conversations.tsv "$SD/conversations.tsv"
	cmp remade/conversation-targets.tsv "$SD/conversation-targets.tsv"
	for f in feedback.tsv goals.tsv context.tsv goal-targets.tsv tasks.tsv context-rules.tsv; do
		cmp remade/$f "$SD/$f"
	done
	# the folder holds the README and the thirteen streams, nothing else
	run ls "$SD"
	assert_output "$(printf '%s\n' README audio.tsv context-rules.tsv context.tsv conversation-targets.tsv \
		conversations.tsv feedback.tsv goal-targets.tsv goals.tsv image.tsv interactions.tsv.gz items.tsv \
		tasks.tsv users.tsv)"
}

@test "lmrec-synth: the seven streams made before goals and feedback keep their bytes" {
	# checksums of the files as they were before the goals, context and
	# feedback streams were added (which draw from random streams of their own)
	cd "$SD"
	gzip -dc interactions.tsv.gz >"$BATS_TEST_TMPDIR/interactions.tsv"
	run sha256sum items.tsv users.tsv image.tsv audio.tsv conversations.tsv conversation-targets.tsv \
		"$BATS_TEST_TMPDIR/interactions.tsv"
	assert_output "$(sed "s|interactions.tsv\$|$BATS_TEST_TMPDIR/interactions.tsv|" "$TOP/tests/golden/synth/seven.sha256")"
}

@test "lmrec-synth: image and audio vectors: every item an image, every video a sound, hidden factors in them" {
	# every item has a 32-wide image vector, every video (and only videos) a
	# 16-wide audio vector; checked with lmrec-embed's reader of vectors
	run awk -F'\t' 'NR > 1 { n++; if (NF != 33) bad++ } END { print n, bad + 0 }' "$SD/image.tsv"
	assert_output "1300 0"
	run awk -F'\t' 'NR > 1 { n++; if (NF != 17 || $1 !~ /^video-/) bad++ } END { print n, bad + 0 }' "$SD/audio.tsv"
	assert_output "325 0"
	# the same seed gives the same vectors; they are not all alike
	lmrec-synth -q --users 30 --items 200 --what image,audio --out a
	lmrec-synth -q --users 30 --items 200 --what image,audio --out b
	cmp a/image.tsv b/image.tsv
	[ "$(cut -f2 a/image.tsv | sort -u | wc -l)" -gt 150 ]
}

@test "lmrec-synth: the README's figures are those of the data" {
	n_items=$(($(wc -l <"$SD/items.tsv") - 1))
	n_users=$(($(wc -l <"$SD/users.tsv") - 1))
	n_rows=$(($(gzip -dc "$SD/interactions.tsv.gz" | wc -l) - 1))
	grep -q "^items.tsv  *$(thousands $n_items) items" "$SD/README"
	grep -q "^users.tsv  *$(thousands $n_users) users" "$SD/README"
	grep -q "^interactions.tsv.gz  *$(thousands $n_rows) interactions" "$SD/README"
	n_conv=$(($(wc -l <"$SD/conversation-targets.tsv") - 1))
	n_turns=$(($(wc -l <"$SD/conversations.tsv") - 1))
	grep -q "^conversations.tsv  *$(thousands $n_conv) conversations, $(thousands $n_turns) turns" "$SD/README"
	grep -q "^ *$(thousands $n_conv) hidden targets, one per conversation" "$SD/README"
	second=$(awk -F'\t' '$5 == "" && $3 > 1' "$SD/conversations.tsv" | wc -l)
	talkers=$(tail -n +2 "$SD/conversations.tsv" | cut -f2 | sort -u | wc -l)
	grep -q "^jacket\", \"a documentary\"), sometimes a typo. $second conversations have a$" "$SD/README"
	grep -q " $talkers\$" "$SD/README" && grep -q "^users take part.$" "$SD/README"
	for f in items.tsv users.tsv interactions.tsv.gz conversations.tsv conversation-targets.tsv; do
		grep -q "$f $(thousands "$(wc -c <"$SD/$f")") bytes" <(tr '\n' ' ' <"$SD/README" | tr -s ' ')
	done
	for e in view click cart purchase watch visit rating; do
		n=$(gzip -dc "$SD/interactions.tsv.gz" | awk -F'\t' -v e=$e '$5 == e' | wc -l)
		grep -q "^  $e  *$(thousands "$n") " "$SD/README"
	done
	# feedback, goals, context, the library and the rules
	grep -q "^feedback.tsv  *$(thousands $(($(wc -l <"$SD/feedback.tsv") - 1))) feedback rows" "$SD/README"
	n_goals=$(($(wc -l <"$SD/goal-targets.tsv") - 1))
	grep -q "^goals.tsv  *$n_goals goal sessions, $(thousands $(($(wc -l <"$SD/goals.tsv") - 1))) turns" "$SD/README"
	grep -q "^goal-targets.tsv  *$n_goals goal truths, one per session" "$SD/README"
	grep -q "^context.tsv  *$(thousands $(($(wc -l <"$SD/context.tsv") - 1))) context signals" "$SD/README"
	grep -q "^tasks.tsv  *$(($(wc -l <"$SD/tasks.tsv") - 1)) sub-tasks of $(tail -n +2 "$SD/tasks.tsv" | cut -f1 | sort -u | wc -l) goal patterns" "$SD/README"
	grep -q "^context-rules.tsv  *$(($(wc -l <"$SD/context-rules.tsv") - 1)) context rules" "$SD/README"
	for f in feedback.tsv goals.tsv context.tsv goal-targets.tsv tasks.tsv context-rules.tsv; do
		grep -q "$f $(thousands "$(wc -c <"$SD/$f")") bytes" <(tr '\n' ' ' <"$SD/README" | tr -s ' ')
	done
	for e in not_interested spot_on rating dwell purchase skip; do
		n=$(awk -F'\t' -v e=$e '$4 == e' "$SD/feedback.tsv" | wc -l)
		grep -q "^  $e  *$(thousands "$n")  " "$SD/README"
	done
	for g in family-weekend city-tour day-out film-night camping-trip hiking-day rainy-day; do
		n=$(awk -F'\t' -v g=$g '$2 == g' "$SD/goal-targets.tsv" | wc -l)
		grep -q "$g $n[,;]" <(tr '\n' ' ' <"$SD/README" | tr -s ' ')
	done
	rain=$(awk -F'\t' 'FNR == 1 { next }
		FILENAME ~ /context/ { if ($3 == "weather") { n[$1]++; t[$1, n[$1]] = $2; v[$1, n[$1]] = $4 }; next }
		$3 == 1 { w = ""; for (k = 1; k <= n[$2]; k++) if (t[$2, k] <= $4) w = v[$2, k]; r += w == "rain" }
		END { print r }' "$SD/context.tsv" "$SD/goals.tsv")
	grep -q "$rain sessions start in the rain" <(tr '\n' ' ' <"$SD/README" | tr -s ' ')
}

@test "lmrec-synth: items have every canonical column, unique ids and titles, attrs as key=value" {
	run head -n 1 "$SD/items.tsv"
	assert_output "$(printf 'item\ttitle\ttext\tcategory\tattrs\tdomain\tavailable\treleased')"
	run awk -F'\t' '
		NR == 1 { next }
		NF != 8 { print "fields", NR }
		$1 !~ /^(shop|video|food|place)-[0-9][0-9][0-9][0-9]$/ { print "id", $1 }
		$2 == "" || $3 == "" || $4 !~ /^[a-z-]+$/ { print "empty", NR }
		$5 !~ /^[a-z_]+=[a-z0-9_-]+(;[a-z_]+=[a-z0-9_-]+)*$/ { print "attrs", NR, $5 }
		$6 !~ /^(shop|video|food|places)$/ || $7 !~ /^[01]$/ || $8 !~ /^[0-9]+$/ { print "cols", NR }
		substr($1, 1, 4) != substr($6, 1, 4) { print "domain", NR }
		id[$1]++ || title[$2]++ { print "duplicate", NR }
		prev >= $1 && NR > 2 { print "order", NR } { prev = $1 }
		{ cats[$6 " " $4] = 1; dom[$6]++ }
		END { for (c in cats) n[substr(c, 1, index(c, " ") - 1)]++
		      printf "%d %d %d %d\n", n["shop"], n["video"], n["food"], n["places"]
		      printf "%d %d %d %d\n", dom["shop"], dom["video"], dom["food"], dom["places"] }' "$SD/items.tsv"
	assert_output "$(printf '11 8 8 10\n520 325 286 169')"
	run head -n 1 "$SD/users.tsv"
	assert_output "$(printf 'user\tage_band\thousehold\tregion\ttown\tjoined')"
	run awk -F'\t' 'NR > 1 && (NF != 6 || $1 != sprintf("u%04d", NR - 1) || $4 !~ /^(coast|mountains|lakes|city|valley)$/)' "$SD/users.tsv"
	assert_output ''
}

@test "lmrec-synth: every interaction names a known user and item, inside the window, after release and sign-up" {
	run bash -c "gzip -dc '$SD/interactions.tsv.gz' | head -n 1"
	assert_output "$(printf 'user\titem\tts\tweight\tevent')"
	run bash -c "gzip -dc '$SD/interactions.tsv.gz' | awk -F'\t' -v start=$START -v end=$END '
		FNR == 1 { next }
		FILENAME ~ /items/ { rel[\$1] = \$8; next }
		FILENAME ~ /users/ { joined[\$1] = \$6; next }
		NF != 5 { print \"fields\", FNR }
		!(\$2 in rel) { print \"unknown item\", FNR }
		!(\$1 in joined) { print \"unknown user\", FNR }
		\$3 < start || \$3 >= end { print \"outside\", FNR }
		\$3 < rel[\$2] { print \"before release\", FNR }
		\$3 < joined[\$1] { print \"before sign-up\", FNR }
		\$3 < prev { print \"order\", FNR } { prev = \$3 }
		\$5 == \"rating\" && \$4 !~ /^[1-5]$/ { print \"stars\", FNR }
		\$5 == \"watch\" && !(\$4 ~ /^(1|0\\.[0-9][0-9]?)$/ && \$4 >= 0.02) { print \"share\", FNR }
		\$5 ~ /^(view|click|cart|purchase|visit)$/ && \$4 != 1 { print \"weight\", FNR }
		\$5 !~ /^(view|click|cart|purchase|watch|visit|rating)$/ { print \"event\", FNR }
		' '$SD/items.tsv' '$SD/users.tsv' -"
	assert_success
	assert_output ''
}

@test "lmrec-synth: cold items, discontinued items and late sign-ups exist" {
	# items released inside the window, and how many of them were used
	run bash -c "gzip -dc '$SD/interactions.tsv.gz' | awk -F'\t' -v start=$START '
		FNR == 1 { next }
		FILENAME ~ /items/ { if (\$8 >= start) cold[\$1] = 1; if (\$7 == 0) gone[\$1] = 1; next }
		{ if (\$2 in cold) used[\$2] = 1; if (\$2 in gone) seen[\$2] = 1 }
		END { print length(cold), length(used), length(gone), length(seen) }' '$SD/items.tsv' -"
	read -r cold used gone seen <<<"$output"
	[ "$cold" -ge 100 ] && [ "$used" -ge $((cold / 2)) ]
	[ "$gone" -ge 20 ] && [ "$seen" -ge $((gone / 2)) ]
	late=$(awk -F'\t' -v start=$START 'NR > 1 && $6 >= start' "$SD/users.tsv" | wc -l)
	[ "$late" -ge 50 ]
}

@test "lmrec-synth: a dish belongs to a venue of the same cuisine and town" {
	run awk -F'\t' '
		NR == 1 { next }
		{ a[$1] = $5; c[$1] = $4 }
		$4 ~ /^(mains|soups|salads|desserts)$/ { dishes++ }
		END {
			for (i in a) if (match(a[i], /restaurant=[a-z]+-[0-9]+/)) {
				v = substr(a[i], RSTART + 11, RLENGTH - 11); n++
				if (c[v] !~ /^(restaurant|cafe|street-food|bakery)$/) print "venue", i
				match(a[i], /cuisine=[a-z]+/); k = substr(a[i], RSTART, RLENGTH)
				if (index(a[v], k) == 0) print "cuisine", i
				match(a[i], /town=[a-z_]+/); t = substr(a[i], RSTART, RLENGTH)
				if (index(a[v], t) == 0) print "town", i
			}
			print n, dishes
		}' "$SD/items.tsv"
	assert_output '169 169'
}

@test "lmrec-synth: the text says what the attributes say, in varied words" {
	run awk -F'\t' '
		NR == 1 { next }
		{ t = tolower($3) }
		$5 ~ /waterproof=yes/ && t !~ /waterproof|rain|downpour|storm/ { print "waterproof", $1 }
		$5 ~ /waterproof=no/ && t ~ /fully waterproof|taped seams/ { print "not waterproof", $1 }
		$5 ~ /warmth=high/ && t !~ /warm|insulat|sub-zero|cosy|frost/ { print "warm", $1 }
		$5 ~ /diet=vegan/ && t !~ /vegan|plant-based|no animal products/ { print "vegan", $1 }
		$5 ~ /effort=hard/ && t !~ /tough climb|strenuous|fit walkers/ { print "hard", $1 }
		$5 ~ /cuisine=thai/ && t !~ /thai|lemongrass/ { print "thai", $1 }
		$5 ~ /mood=funny/ && t !~ /laugh|hilarious|witty|jokes/ { print "funny", $1 }
		$5 ~ /waterproof=yes/ { for (p in ph) if (index(t, p)) used[p] = 1 }
		END { n = 0; for (p in used) n++; print "paraphrases", n }
		BEGIN { split("fully waterproof|taped seams|stays dry|storm-proof|shrugs off", q, "|"); for (k in q) ph[q[k]] = 1 }
		' "$SD/items.tsv"
	assert_output 'paraphrases 5'
}

@test "lmrec-synth: users keep to their taste: their top category returns far above chance" {
	# share of a user's rows in days 30-59 in their top category of days
	# 0-29, against the same share under another user's top category
	run bash -c "gzip -dc '$SD/interactions.tsv.gz' | awk -F'\t' -v half=$((START + 30 * 86400)) '
		FNR == 1 { next }
		FILENAME ~ /items/ { cat[\$1] = \$4; next }
		{ c = cat[\$2]
		  if (\$3 < half) { if (++first[\$1, c] > best[\$1]) { best[\$1] = first[\$1, c]; top[\$1] = c } }
		  else { second[\$1]++; sec[\$1, c]++ } }
		END { for (u in top) if (second[u] >= 10) users[n++] = u
		      for (i = 0; i < n; i++) { u = users[i]; v = users[(i + 1) % n]
			own += sec[u, top[u]] / second[u]; other += sec[u, top[v]] / second[u] }
		      printf \"%d %d\\n\", n, 100 * own / other }' '$SD/items.tsv' -"
	read -r users ratio <<<"$output"
	[ "$users" -ge 400 ]
	[ "$ratio" -ge 250 ] # 2.8 times the baseline in the sample data
}

@test "lmrec-synth: tastes drift towards winter over the window" {
	run bash -c "gzip -dc '$SD/interactions.tsv.gz' | awk -F'\t' -v start=$START '
		FNR == 1 { next }
		FILENAME ~ /items/ { win[\$1] = \$5 ~ /season=winter/; beach[\$1] = \$4 == \"beach\"; next }
		{ d = int((\$3 - start) / 86400); p = d < 14 ? 1 : d >= 46 ? 2 : 0
		  if (p) { n[p]++; w[p] += win[\$2]; b[p] += beach[\$2] } }
		END { printf \"%d %d %d %d\\n\", 1000 * w[1] / n[1], 1000 * w[2] / n[2], 1000 * b[1] / n[1], 1000 * b[2] / n[2] }
		' '$SD/items.tsv' -"
	read -r winter1 winter2 beach1 beach2 <<<"$output"
	# per mille of the rows: winter items up by half, beaches down by half
	[ $((winter2 * 2)) -ge $((winter1 * 3)) ]
	[ $((beach2 * 2)) -le "$beach1" ]
}

@test "lmrec-synth: there are sparse users, heavy users and silent users" {
	run bash -c "gzip -dc '$SD/interactions.tsv.gz' | awk -F'\t' 'NR > 1 { n[\$1]++ }
		END { for (u in n) { a++; if (n[u] <= 5) s++; if (n[u] >= 500) h++ } print a, s, h }'"
	read -r active sparse heavy <<<"$output"
	[ "$active" -lt 1000 ] && [ "$active" -ge 900 ]
	[ "$sparse" -ge $((active / 20)) ]
	[ "$heavy" -ge 5 ]
}

@test "lmrec-synth: one taste reaches across domains: hiking shoppers walk trails" {
	run bash -c "gzip -dc '$SD/interactions.tsv.gz' | awk -F'\t' '
		FNR == 1 { next }
		FILENAME ~ /items/ { hike[\$1] = \$6 == \"shop\" && \$5 ~ /use=hiking/; cat[\$1] = \$4; dom[\$1] = \$6; next }
		{ h[\$1] += hike[\$2]; if (dom[\$2] == \"places\") { p[\$1]++; t[\$1] += cat[\$2] == \"trail\" } }
		END { for (u in p) { g = h[u] >= 3; P[g] += p[u]; T[g] += t[u] }
		      printf \"%d\\n\", 100 * (T[1] / P[1]) / (T[0] / P[0]) }' '$SD/items.tsv' -"
	[ "$output" -ge 180 ] # 3.0 times in the sample data
}

@test "lmrec-synth: the truth stream's trips show in the data" {
	lmrec-synth -q --stream truth >truth.tsv
	run head -n 1 truth.tsv
	assert_output "$(printf 'user\tpersona\tpersona2\tweight2\tnew_persona\tnew_ts\ttrip_region\ttrip_ts\ttrip_days\trate\tseason')"
	[ "$(wc -l <truth.tsv)" -eq 1001 ]
	# visits during a trip are in the trip's region
	run bash -c "gzip -dc '$SD/interactions.tsv.gz' | awk -F'\t' '
		FNR == 1 { next }
		FILENAME ~ /items/ { if (match(\$5, /region=[a-z]+/)) reg[\$1] = substr(\$5, RSTART + 7, RLENGTH - 7); next }
		FILENAME ~ /truth/ { if (\$7 != \"\") { tr[\$1] = \$7; t0[\$1] = \$8; t1[\$1] = \$8 + 86400 * \$9 }; next }
		\$5 == \"visit\" && (\$1 in tr) && \$3 >= t0[\$1] && \$3 < t1[\$1] { n++; there += reg[\$2] == tr[\$1] }
		END { print n, there }' '$SD/items.tsv' truth.tsv -"
	read -r visits there <<<"$output"
	[ "$visits" -ge 100 ] && [ "$there" -eq "$visits" ]
}

@test "lmrec-synth: conversations: an opening, then one answer per key of the target's domain, turn after turn" {
	run head -n 1 "$SD/conversations.tsv"
	assert_output "$(printf 'session\tuser\tturn\ttext\treply_to')"
	run head -n 1 "$SD/conversation-targets.tsv"
	assert_output "$(printf 'session\titem')"
	# keys of a domain: those its items have; every session checked row by row
	run awk -F'\t' '
		FNR == 1 { next }
		FILENAME ~ /items/ { dom[$1] = $6; avail[$1] = $7; m = split($5, a, ";")
			for (i = 1; i <= m; i++) { split(a[i], kv, "="); if (!(($6, kv[1]) in key)) { key[$6, kv[1]]; nk[$6]++ } }
			next }
		FILENAME ~ /users/ { user[$1]; next }
		FILENAME ~ /targets/ { t++; if ($1 != sprintf("c%04d", t)) print "target order", FNR
			if (!($2 in dom) || avail[$2] != 1) print "target not available", $2
			target[$1] = $2; next }
		NF != 5 || $4 == "" || index($4, "\\") { print "row", FNR }
		$1 != s { if (s != "") check(); s = $1; u = $2; turn = 0; free = 0; replies = 0; delete said; n++
			if (!($1 in target) || $1 != sprintf("c%04d", n)) print "session", $1
			if (!($2 in user)) print "unknown user", $2 }
		$2 != u { print "user changes", FNR }
		$3 != ++turn { print "turn", FNR }
		$5 == "" { free++; if ($3 > 3 || free > 2) print "free turn", FNR }
		$5 != "" { replies++; if (!((dom[target[s]], $5) in key) || said[$5]++) print "reply_to", FNR }
		$3 == 1 && $5 != "" { print "no opening", FNR }
		function check() { if (replies != nk[dom[target[s]]]) print "answers", s; frees[free]++ }
		END { check(); print n, t, frees[1], (frees[2] > 40) }' \
		"$SD/items.tsv" "$SD/users.tsv" "$SD/conversation-targets.tsv" "$SD/conversations.tsv"
	assert_output "$(printf '400 400 %d 1' "$(awk -F'\t' 'NR > 1 && $5 == ""' "$SD/conversations.tsv" | cut -f1 | uniq -u | wc -l)")"
	# the sessions reach across the four domains, by users active there, not all the same
	run bash -c "awk -F'\t' 'FNR == 1 { next } FILENAME ~ /items/ { d[\$1] = \$6; next } { n[d[\$2]]++ }
		END { print (n[\"shop\"] > 80), (n[\"video\"] > 60), (n[\"food\"] > 60), (n[\"places\"] > 40) }' \
		'$SD/items.tsv' '$SD/conversation-targets.tsv'"
	assert_output '1 1 1 1'
	[ "$(cut -f2 "$SD/conversation-targets.tsv" | sort -u | wc -l)" -gt 250 ]
	[ "$(cut -f2 "$SD/conversations.tsv" | sort -u | wc -l)" -gt 200 ]
}

@test "lmrec-synth: conversations: the user has history in the target's domain, but not the target" {
	run bash -c "gzip -dc '$SD/interactions.tsv.gz' | awk -F'\t' '
		FNR == 1 { next }
		FILENAME ~ /items/ { d[\$1] = \$6; next }
		FILENAME ~ /targets/ { t[\$1] = \$2; next }
		FILENAME ~ /conversations/ { u[\$1] = \$2; next }
		{ n[\$1, d[\$2]]++; seen[\$1, \$2] = 1 }
		END { for (s in t) { k++; if (n[u[s], d[t[s]]] >= 3) active++; if ((u[s], t[s]) in seen) bad++ }
		      print k, active, bad + 0 }' '$SD/items.tsv' '$SD/conversation-targets.tsv' '$SD/conversations.tsv' -"
	assert_output '400 400 0'
}

@test "lmrec-synth: conversations: answers are true of the target: yes or no, its values, either when it lacks the key" {
	run awk -F'\t' '
		FNR == 1 { next }
		FILENAME ~ /items/ { attrs[$1] = ";" $5 ";"; next }
		FILENAME ~ /targets/ { t[$1] = $2; next }
		$5 == "" { next }
		{ a = attrs[t[$1]]; has = index(a, ";" $5 "="); x = tolower($4); n++ }
		!has { lacks++; if (x !~ /^(either|don.t mind|no preference|doesn.t matter|either is fine|whatever|i.m not fussed|any is fine|either way|i don.t care|no idea, anything)$/) print "not either", FNR, $4 }
		has && x ~ /^(either|don.t mind|no preference|doesn.t matter|either is fine|whatever|i.m not fussed|any is fine|either way|i don.t care|no idea, anything)$/ { print "either for a value", FNR, $4 }
		has && ($5 == "waterproof" || $5 == "family") {
			yesno++; yes = index(a, ";" $5 "=yes;") > 0
			if (yes && x !~ /^(yes|yep|yeah|definitely|absolutely)/) print "should be yes", FNR, $4
			if (!yes && x !~ /^(no|nope|not really)/) print "should be no", FNR, $4 }
		has && $5 == "cuisine" { cuisine++; split("italian french thai indian japanese mexican mediterranean nordic korean", c, " ")
			for (i in c) if (x ~ "(^|[^a-z])" c[i] "([^a-z]|$)" && index(a, ";cuisine=" c[i] ";") == 0) print "cuisine", FNR, $4 }
		has && ($5 == "brand" || $5 == "town") { v = a; sub(".*;" $5 "=", "", v); sub(";.*", "", v); gsub("_", " ", v)
			if (index(x, v) == 0) print $5, FNR, $4 }
		END { print n, (lacks > 500), (yesno > 100), (cuisine > 50) }' \
		"$SD/items.tsv" "$SD/conversation-targets.tsv" "$SD/conversations.tsv"
	assert_output "$(printf '%d 1 1 1' "$(awk -F'\t' 'NR > 1 && $5 != ""' "$SD/conversations.tsv" | wc -l)")"
}

@test "lmrec-synth: conversations: an opening rules out only what the target is not, and names its own cuisine, colour, genre" {
	# a ruled-out word ("nothing heavy", "not in the city", "not a film") is
	# never one of the target's values; in a session that changes nothing
	# later, a cuisine, colour or genre named without a negation is the
	# target's
	run awk -F'\t' '
		FNR == 1 { next }
		FILENAME ~ /items/ { attrs[$1] = ";" $5 ";"; cat[$1] = $4; m = split($5, pair, ";")
			for (i = 1; i <= m; i++) { split(pair[i], kv, "="); value[kv[2]] }
			next }
		FILENAME ~ /targets/ { t[$1] = $2; next }
		$5 == "" && $3 > 1 { changed[$1] = 1 }
		$5 == "" && $3 == 1 { text[$1] = tolower($4) }
		END {
			split("no not nothing nowhere without", q, " "); for (i in q) neg[q[i]]
			split("too a an the in for about any", q, " "); for (i in q) skip[q[i]]
			split("italian french thai indian japanese mexican mediterranean nordic korean", q, " "); for (i in q) cuisine[q[i]]
			split("black navy olive red grey sand blue orange green white", q, " "); for (i in q) colour[q[i]]
			split("documentary comedy drama thriller animation", q, " "); for (i in q) genre[q[i]]
			for (s in text) {
				n = split(text[s], w, /[^a-z0-9_-]+/); a = attrs[t[s]]
				for (i = 1; i <= n; i++) {
					if (w[i] in neg) {
						for (j = i + 1; j <= n && j <= i + 3; j++) {
							if (w[j] in value) { ruled++; if (index(a, "=" w[j] ";")) print "ruled out its own", s, w[j] }
							if (!(w[j] in skip)) break
						}
					}
					after_neg = (i > 1 && w[i - 1] in neg) || (i > 2 && w[i - 2] in neg)
					if (changed[s] || after_neg) continue
					if (w[i] in cuisine) { named++; if (!index(a, ";cuisine=" w[i] ";")) print "cuisine", s, w[i] }
					if (w[i] in colour && a ~ /;brand=/) { named++; if (!index(a, ";color=" w[i] ";")) print "colour", s, w[i] }
					if (w[i] in genre) { genres++; if (cat[t[s]] != w[i]) print "genre", s, w[i] }
				}
			}
			print (ruled >= 20), (named >= 5 && named + genres >= 20), (genres >= 10)
		}' "$SD/items.tsv" "$SD/conversation-targets.tsv" "$SD/conversations.tsv"
	assert_output '1 1 1'
}

@test "lmrec-synth: conversations: the lexicon's synonyms are words the sample catalog never uses" {
	# the simulated users' synonyms (lib/synth_talk.c, .syn lists and the
	# second list of category nouns) appear nowhere in the titles and texts
	sed -n 's/^[[:space:]]*\.syn = "\(.*\)",$/\1/p' "$TOP/lib/synth_talk.c" | tr '|' '\n' | sed 's/^[aps]://' >syn.txt
	awk -F'"' '/^\t\{"[a-z-]+", "[^"]*\+[^"]*", "[^"]*", "[^"]*"\},$/ { print $6 }' "$TOP/lib/synth_talk.c" |
		tr '|' '\n' | sed -n 's/^.*+ //p' >>syn.txt
	sort -u syn.txt -o syn.txt
	[ "$(wc -l <syn.txt)" -gt 550 ]
	cut -f2,3 "$SD/items.tsv" >text.tsv
	run grep -o -i -w -F -f syn.txt text.tsv
	assert_output ''
	# and the users do use them: in most openings, in many answers
	tr 'A-Z' 'a-z' <syn.txt >syn-lc.txt
	openings=$(awk -F'\t' '$3 == 1 { print tolower($4) }' "$SD/conversations.tsv" | grep -c -w -F -f syn-lc.txt)
	answers=$(awk -F'\t' 'NR > 1 && $5 != "" { print tolower($4) }' "$SD/conversations.tsv" | grep -c -w -F -f syn-lc.txt)
	[ "$openings" -ge 200 ] && [ "$answers" -ge 400 ]
}

@test "lmrec-synth: conversations: openings read like people, in many forms" {
	run awk -F'\t' '
		$3 != 1 { next }
		{ x = $4; n++; distinct[x]; split(tolower(x), w, / +/); opener[w[1] " " w[2]] }
		x ~ /^[a-z]/ { lower++ } x ~ /^[A-Z]/ { upper++ } x ~ /\?/ { asks++ }
		tolower(x) ~ /(^|[^a-z])(no|not|nothing|nowhere)[^a-z]/ { rules_out++ }
		END { print n, length(distinct), (length(opener) >= 40), (lower >= 80), (upper >= 150), (asks >= 60), (rules_out >= 60) }' \
		"$SD/conversations.tsv"
	assert_output '400 400 1 1 1 1 1'
	# some change their mind later, or add something
	run awk -F'\t' '$5 == "" && $3 > 1 { n++ } END { print (n >= 50 && n <= 140) }' "$SD/conversations.tsv"
	assert_output 1
}

@test "lmrec-synth: conversations: session k is the same whatever their number, and the world around them too" {
	lmrec-synth -q --users 150 --items 300 --out a
	lmrec-synth -q --users 150 --items 300 --conversations 30 --out b
	lmrec-synth -q --users 150 --items 300 --conversations 0 --out c
	awk -F'\t' 'NR == 1 || substr($1, 2) + 0 <= 30' a/conversations.tsv >first30.tsv
	cmp first30.tsv b/conversations.tsv
	cmp <(head -n 31 a/conversation-targets.tsv) b/conversation-targets.tsv
	for f in items.tsv users.tsv interactions.tsv.gz image.tsv audio.tsv; do cmp a/$f c/$f; done
	# --conversations 0: no conversation files; asked for by name, the headers alone
	run ls c
	assert_output "$(printf '%s\n' audio.tsv context-rules.tsv context.tsv feedback.tsv goal-targets.tsv goals.tsv \
		image.tsv interactions.tsv.gz items.tsv tasks.tsv users.tsv)"
	run -0 --separate-stderr lmrec-synth --users 150 --items 300 --conversations 0 --stream conversations
	assert_output "$(printf 'session\tuser\tturn\ttext\treply_to')"
	[ "$stderr" = "lmrec-synth: seed 1: 300 items, 150 users, 0 interactions, 0 conversations" ]
}

@test "lmrec-synth: conversations: a held-out world (seed 2) has other users, targets and words" {
	lmrec-synth -q --seed 2 --users 300 --items 600 --conversations 100 --out held
	lmrec-synth -q --seed 1 --users 300 --items 600 --conversations 100 --out tuned
	run head -n 1 held/conversations.tsv
	assert_output "$(printf 'session\tuser\tturn\ttext\treply_to')"
	[ "$(wc -l <held/conversation-targets.tsv)" -eq 101 ]
	# hardly an opening in common
	common=$(comm -12 <(awk -F'\t' '$3 == 1 { print $4 }' held/conversations.tsv | sort) \
		<(awk -F'\t' '$3 == 1 { print $4 }' tuned/conversations.tsv | sort) | wc -l)
	[ "$common" -le 3 ]
	# its targets are items of its own catalog, available
	run awk -F'\t' 'FNR == 1 { next } FILENAME ~ /items/ { a[$1] = $7; next } a[$2] != 1 { bad++ } END { print bad + 0 }' \
		held/items.tsv held/conversation-targets.tsv
	assert_output 0
}

@test "lmrec-synth: feedback, goals, context and goal-targets: exact heads on a small world" {
	lmrec-synth -q --users 60 --items 200 --days 30 --conversations 0 --goals 8 --out w
	head -n 16 w/feedback.tsv >feedback.head
	golden feedback.head feedback.head
	golden goals.tsv w/goals.tsv
	golden goal-targets.tsv w/goal-targets.tsv
	head -n 16 w/context.tsv >context.head
	golden context.head context.head
	# the library and the rules are the same in every world
	lmrec-synth -q --users 5 --items 100 --out v --what tasks,context-rules
	cmp v/tasks.tsv "$SD/tasks.tsv"
	cmp v/context-rules.tsv "$SD/context-rules.tsv"
}

@test "lmrec-synth: feedback: six signals with their values, in time order, inside the window, about known users and items" {
	run awk -F'\t' -v a=$START -v b=$END '
		FNR == 1 { next }
		FILENAME ~ /users/ { u[$1] = 1; next }
		FILENAME ~ /items/ { i[$1] = 1; next }
		{
			n++
			if (!($1 in u) || !($2 in i) || $3 < a || $3 >= b || $3 < last) bad++
			last = $3
			if ($4 == "not_interested" || $4 == "spot_on" || $4 == "skip" || $4 == "purchase") { if ($5 != 1) bad++ }
			else if ($4 == "rating") { if ($5 !~ /^[1-5]$/) bad++ }
			else if ($4 == "dwell") { if ($5 !~ /^[1-9][0-9]*$/ || $5 > 3600) bad++ }
			else bad++
			if ($4 == "skip" && $2 !~ /^video-/) bad++
		}
		END { print n, bad + 0 }' "$SD/users.tsv" "$SD/items.tsv" "$SD/feedback.tsv"
	assert_output "35899 0"
	run head -n 1 "$SD/feedback.tsv"
	assert_output "$(printf 'user\titem\tts\tsignal\tvalue')"
}

@test "lmrec-synth: feedback: purchases mirrored, ratings a part of them, not_interested only on items seen and never used" {
	gzip -dc "$SD/interactions.tsv.gz" >inter.tsv
	# every purchase, and nothing else, is a purchase row at the same time
	cmp <(awk -F'\t' '$5 == "purchase" { print $1, $2, $3 }' inter.tsv | sort) \
		<(awk -F'\t' '$4 == "purchase" { print $1, $2, $3 }' "$SD/feedback.tsv" | sort)
	# rating rows are ratings with their stars; about 60% of them
	run awk -F'\t' 'FILENAME ~ /inter/ { if ($5 == "rating") { r[$1 " " $2 " " $3] = $4; n++ }; next }
		$4 == "rating" { m++; if (r[$1 " " $2 " " $3] != $5) bad++ }
		END { print bad + 0, (m > 0.5 * n && m < 0.7 * n) }' inter.tsv "$SD/feedback.tsv"
	assert_output "0 1"
	# not_interested: after a view of the item by the user, never an item the
	# user clicked, carted, bought, visited, watched for 30% or rated 4+; once
	run awk -F'\t' 'FILENAME ~ /inter/ {
			k = $1 " " $2
			if ($5 == "view" && !(k in seen)) seen[k] = $3
			if ($5 == "click" || $5 == "cart" || $5 == "purchase" || $5 == "visit" || ($5 == "watch" && $4 >= 0.3) || ($5 == "rating" && $4 >= 4)) used[k] = 1
			next }
		$4 == "not_interested" { k = $1 " " $2; n++; if (!(k in seen) || seen[k] > $3 || (k in used) || (k in said)) bad++; said[k] = 1 }
		END { print n, bad + 0 }' inter.tsv "$SD/feedback.tsv"
	assert_output "2019 0"
	# spot_on: after a use of the item, once per user and item
	run awk -F'\t' 'FILENAME ~ /inter/ { k = $1 " " $2; if (!(k in first) && $5 != "view" && $5 != "rating") first[k] = $3; next }
		$4 == "spot_on" { k = $1 " " $2; n++; if (!(k in first) || first[k] > $3 || (k in said)) bad++; said[k] = 1 }
		END { print n, bad + 0 }' inter.tsv "$SD/feedback.tsv"
	assert_output "4622 0"
}

@test "lmrec-synth: feedback: dwell is longer on what is used; a shifted taste shows in spot_on after the shift" {
	gzip -dc "$SD/interactions.tsv.gz" >inter.tsv
	# median dwell on items the user went on to use, against the others
	awk -F'\t' 'FILENAME ~ /inter/ { if ($5 != "view") used[$1 " " $2] = 1; next }
		$4 == "dwell" { print (($1 " " $2) in used), $5 }' inter.tsv "$SD/feedback.tsv" >dwell.txt
	used=$(awk '$1 == 1 { print $2 }' dwell.txt | sort -n | awk '{ a[NR] = $1 } END { print a[int(NR / 2) + 1] }')
	other=$(awk '$1 == 0 { print $2 }' dwell.txt | sort -n | awk '{ a[NR] = $1 } END { print a[int(NR / 2) + 1] }')
	[ "$used" -gt $((other * 6 / 5)) ]
	# users with a new interest: spot_on items that carry its signature,
	# before the shift and from a week after it
	lmrec-synth -q --stream truth -o truth.tsv
	# (a persona's signature: the categories, c.NAME, and attribute values
	# that mark its items: tests/fixtures/synth/persona-signatures.tsv)
	run awk -F'\t' 'FNR == 1 { next }
		FILENAME ~ /signatures/ { gsub(/ /, "|", $2); sig[$1] = $2; next }
		FILENAME ~ /truth/ { if ($5 != "") { np[$1] = $5; nt[$1] = $6 }; next }
		FILENAME ~ /items/ { a[$1] = $5 ";c." $4; next }
		$4 == "spot_on" && ($1 in np) {
			hit = a[$2] ~ sig[np[$1]]
			if ($3 < nt[$1]) { nb++; hb += hit }
			if ($3 >= nt[$1] + 7 * 86400) { na++; ha += hit }
		}
		END { printf "%d %d %.3f %d %d %.3f\n", nb, hb, hb / nb, na, ha, ha / na }' "$TOP/tests/fixtures/synth/persona-signatures.tsv" truth.tsv "$SD/items.tsv" "$SD/feedback.tsv"
	assert_output "709 23 0.032 967 335 0.346"
}

@test "lmrec-synth: goals: turns in order, from known users, every session's truth in the task library's words" {
	run awk -F'\t' 'FNR == 1 { next }
		FILENAME ~ /users/ { u[$1] = 1; next }
		{ if (!($2 in u) || $4 < last_ts && $1 == last) bad++
		  if ($1 != last) { if ($3 != 1) bad++; n++ } else if ($3 != turn + 1) bad++
		  last = $1; turn = $3; last_ts = $4; rows++ }
		END { print n, rows, bad + 0 }' "$SD/users.tsv" "$SD/goals.tsv"
	assert_output "300 705 0"
	# one truth per session; its goal is a pattern of tasks.tsv, its place a
	# town of the catalog, its constraints key=value or key!=value the catalog has
	run awk -F'\t' 'FNR == 1 { next }
		FILENAME ~ /tasks/ { g[$1] = 1; next }
		FILENAME ~ /items/ { n = split($5, a, ";"); for (k = 1; k <= n; k++) { kv[a[k]] = 1; split(a[k], p, "="); key[p[1]] = 1 }; next }
		{ s++
		  if (!($2 in g) || $3 < 1 || $3 > 6 || ($4 != "" && !(("town=" $4) in kv))) bad++
		  n = split($5, c, ";")
		  for (k = 1; k <= n; k++) {
			if (c[k] ~ /!=/) { split(c[k], p, "!="); if (!((p[1] "=" p[2]) in kv)) bad++ }
			else if (!(c[k] in kv)) bad++
		  }
		}
		END { print s, bad + 0 }' "$SD/tasks.tsv" "$SD/items.tsv" "$SD/goal-targets.tsv"
	assert_output "300 0"
	# every pattern is asked for; openings in many forms, numbers in words and digits
	[ "$(tail -n +2 "$SD/goal-targets.tsv" | cut -f2 | sort -u | wc -l)" -eq 7 ]
	[ "$(awk -F'\t' '$3 == 1 { print tolower($5) }' "$SD/goals.tsv" | sort -u | wc -l)" -gt 150 ]
	grep -q $'\t1\t[0-9]*\t.*[2-6][ -]day' "$SD/goals.tsv"
	grep -qi $'\t1\t[0-9]*\t.*\\(two\\|three\\|four\\|five\\)[ -]day' "$SD/goals.tsv"
	# later turns: constraints, changes of days and town, retractions
	grep -qi 'actually make it\|let.s do .* instead' "$SD/goals.tsv"
	grep -qi 'forget what I said about\|doesn.t matter\|scratch ' "$SD/goals.tsv"
	[ "$(awk -F'\t' 'NR > 1 && $5 != ""' "$SD/goal-targets.tsv" | wc -l)" -gt 150 ]
}

@test "lmrec-synth: context: every session has all five signals by its first turn; rain on about a third" {
	# the last value of each signal at or before turn 1, per session
	run awk -F'\t' 'FNR == 1 { next }
		FILENAME ~ /context/ { n[$1]++; t[$1, n[$1]] = $2; s[$1, n[$1]] = $3; v[$1, n[$1]] = $4; next }
		$3 == 1 {
			delete last
			for (k = 1; k <= n[$2]; k++) if (t[$2, k] <= $4) last[s[$2, k]] = v[$2, k]
			m = 0; for (x in last) m++
			if (m != 5) bad++
			w[last["weather"]]++
			if (last["temp"] !~ /^-?[0-9]+$/ || last["day"] !~ /^week(day|end)$/) bad++
			if (last["daypart"] !~ /^(morning|afternoon|evening|night)$/) bad++
		}
		END { print bad + 0, w["rain"], w["snow"], w["sun"] + w["cloud"] }' "$SD/context.tsv" "$SD/goals.tsv"
	assert_output "0 106 2 192"
	# ordered by user, then time
	run awk -F'\t' 'NR > 1 { if ($1 == u && $2 < t) bad++; u = $1; t = $2 } END { print bad + 0 }' "$SD/context.tsv"
	assert_output 0
}

@test "lmrec-synth: tasks and context rules cover every goal, and every rule meets a sub-task" {
	run awk -F'\t' 'FNR == 1 { next }
		FILENAME ~ /tasks/ {
			g[$1] = 1; sub_[$4] = 1
			if ($5 !~ /^(shop|video|food|places)$/ || $3 != ++step[$1]) bad++
			n = split($7, c, ";"); for (k = 1; k <= n; k++) con[c[k]] = 1
			next }
		FILENAME ~ /rules/ {
			r++
			if ($1 !~ /^(weather|daypart|day|place|temp)$/) bad++
			if ($3 ~ /^subtask=/) { if (!(substr($3, 9) in sub_)) bad++ } else if (!($3 in con)) bad++
			if ($4 ~ /^subtask=/ && !(substr($4, 9) in sub_)) bad++
			next }
		!($2 in g) { bad++ }
		END { print r, bad + 0 }' "$SD/tasks.tsv" "$SD/context-rules.tsv" "$SD/goal-targets.tsv"
	assert_output "11 0"
	# rain replaces every outdoor sub-task: the picnic, the trail, the hike
	# by name, every other setting=outdoor by setting=indoor
	grep -q $'^weather\train\tsetting=outdoor\tsetting=indoor\t' "$SD/context-rules.tsv"
}

@test "lmrec-synth: goals: session k is the same whatever their number; --goals 0 writes none and changes nothing else" {
	lmrec-synth -q --users 150 --items 300 --goals 40 --out a
	lmrec-synth -q --users 150 --items 300 --goals 10 --out b
	lmrec-synth -q --users 150 --items 300 --goals 0 --out c
	awk -F'\t' 'NR == 1 || substr($1, 2) + 0 <= 10' a/goals.tsv >first10.tsv
	cmp first10.tsv b/goals.tsv
	cmp <(head -n 11 a/goal-targets.tsv) b/goal-targets.tsv
	for f in items.tsv users.tsv interactions.tsv.gz image.tsv audio.tsv conversations.tsv feedback.tsv; do
		cmp a/$f c/$f
	done
	[ ! -e c/goals.tsv ] && [ ! -e c/context.tsv ] && [ ! -e c/goal-targets.tsv ]
	run -0 lmrec-synth -q --users 150 --items 300 --goals 0 --stream goals
	assert_output "$(printf 'session\tuser\tturn\tts\ttext')"
}

@test "lmrec-synth: the interactions stream reads back whole through lmrec-split" {
	n=$(($(gzip -dc "$SD/interactions.tsv.gz" | wc -l) - 1))
	run -0 --separate-stderr lmrec-split --keep-repeats -o folds.tsv "$SD/interactions.tsv.gz"
	[ "$(($(wc -l <folds.tsv) - 1))" -eq "$n" ]
	[[ "$stderr" == "lmrec-split: last: $n rows in, 0 dropped;"* ]]
}

@test "lmrec-synth: .gz output is the plain output compressed" {
	lmrec-synth -q --users 50 --items 200 --stream users >plain.tsv
	lmrec-synth -q --users 50 --items 200 --stream users -o z.tsv.gz
	[ "$(head -c 2 z.tsv.gz | od -An -tx1 | tr -d ' ')" = 1f8b ]
	cmp plain.tsv <(gzip -dc z.tsv.gz)
}

@test "lmrec-synth: --out makes the directory and writes the streams asked for, nothing else" {
	run -0 --separate-stderr lmrec-synth --users 60 --items 200 --out new/dir --what truth,items
	[ "$stderr" = "lmrec-synth: seed 1: 200 items, 60 users, 0 interactions" ]
	run ls -A new/dir
	assert_output "$(printf 'items.tsv\ntruth.tsv')"
	touch file
	run -1 --separate-stderr lmrec-synth -q --users 60 --items 200 --out file
	[ "$stderr" = "lmrec-synth: file: Not a directory" ]
}

@test "lmrec-synth: an interrupted run leaves the previous folder as it was, without temp files" {
	lmrec-synth -q --users 50 --items 100 --interactions 500 --out d
	cp -r d before
	lmrec-synth -q --users 100000 --items 5000 --interactions 100000000 --out d &
	pid=$!
	sleep 1
	kill -TERM $pid
	# wait itself, not `run wait`: run's subshell has no child to wait for
	# and returns at once, before the handler has removed the temporaries
	local rc=0
	wait $pid || rc=$?
	[ "$rc" -eq 143 ] # 128 + SIGTERM: the handler re-raised it
	diff -r before d
}

@test "lmrec-synth: --start and --days set the window" {
	lmrec-synth -q --users 60 --items 200 --start 2027-01-01 --days 7 --out w
	from=$(date -u -d 2027-01-01 +%s)
	run bash -c "gzip -dc w/interactions.tsv.gz | awk -F'\t' -v a=$from -v b=$((from + 7 * 86400)) 'NR > 1 { n++; if (\$3 < a || \$3 >= b) bad++ } END { print (n > 0), bad + 0 }'"
	assert_output '1 0'
}

@test "lmrec-synth: scale mode writes exactly the rows asked for, distinct pairs, users in order" {
	lmrec-synth -q --users 1000 --items 500 --interactions 50000 --stream interactions >s.tsv
	run awk -F'\t' '
		NR == 1 { print; next }
		{ n++; u[$1]; i[$2]; if (p[$1, $2]++) dup++ }
		$1 < pu || ($1 == pu && $3 < pt) { bad++ } { pu = $1; pt = $3 }
		$5 != "rating" || $4 !~ /^([1-4](\.5)?|0\.5|5)$/ { ev++ }
		END { print n, length(u), (length(i) <= 500), dup + 0, bad + 0, ev + 0 }' s.tsv
	assert_output "$(printf 'user\titem\tts\tweight\tevent\n50000 1000 1 0 0 0')"
	lmrec-synth -q --users 1000 --items 500 --interactions 50000 --stream interactions -o s2.tsv
	cmp s.tsv s2.tsv
	lmrec-synth -q --users 1000 --items 500 --interactions 50000 --seed 9 --stream interactions >s3.tsv
	! cmp -s s.tsv s3.tsv
	# every user has at least min(20, rows / users) rows, none more than a third of the items
	run awk -F'\t' 'NR > 1 { n[$1]++ } END { lo = 1e9; for (u in n) { if (n[u] < lo) lo = n[u]; if (n[u] > hi) hi = n[u] } print (lo >= 20), hi }' s.tsv
	assert_output '1 166'
}

@test "lmrec-synth: scale mode with no interactions writes the header alone" {
	run -0 --separate-stderr lmrec-synth --users 5 --items 5 --interactions 0 --stream interactions
	assert_output "$(printf 'user\titem\tts\tweight\tevent')"
	# every pair taken: each user has every item once
	run bash -c "lmrec-synth -q --users 3 --items 4 --interactions 12 --stream interactions | sed 1d | cut -f1,2 | sort -u | wc -l"
	assert_output 12
}

@test "lmrec-synth: scale mode items and users streams match its interactions" {
	lmrec-synth -q --users 300 --items 80 --interactions 9000 --out sc
	[ "$(wc -l <sc/users.tsv)" -eq 301 ]
	[ "$(wc -l <sc/items.tsv)" -eq 81 ]
	run head -n 2 sc/items.tsv
	assert_line --index 0 "$(printf 'item\ttitle\ttext\tcategory\tattrs\tdomain\tavailable')"
	run head -n 1 sc/users.tsv
	assert_output "$(printf 'user\tcohort\tjoined')"
	run bash -c "gzip -dc sc/interactions.tsv.gz | awk -F'\t' 'FNR == 1 { next } FILENAME ~ /items/ { it[\$1]; next } FILENAME ~ /users/ { us[\$1]; next } { n++ } !(\$1 in us) || !(\$2 in it) { bad++ } END { print n, bad + 0 }' sc/items.tsv sc/users.tsv -"
	assert_output '9000 0'
}

@test "lmrec-synth: scale mode gives the same bytes for a tiny seed" {
	lmrec-synth -q --seed 7 --users 4 --items 9 --interactions 30 --days 900 --start 2001-02-03 --out t
	gzip -dc t/interactions.tsv.gz >interactions.tsv
	golden scale-items.tsv t/items.tsv
	golden scale-users.tsv t/users.tsv
	golden scale-interactions.tsv interactions.tsv
}

@test "lmrec-synth: scale mode users joined at the start of their rows, in the cohort of that year" {
	lmrec-synth -q --users 400 --items 300 --interactions 20000 --days 3000 --start 2003-06-01 --out sc
	from=$(date -u -d 2003-06-01 +%s)
	# joined is within the window and at or before the user's first row;
	# the cohort is the year of joined (checked against date(1) on a few)
	run bash -c "gzip -dc sc/interactions.tsv.gz | awk -F'\t' -v a=$from -v b=$((from + 3000 * 86400)) '
		FNR == 1 { next }
		FILENAME != \"-\" { j[\$1] = \$3; if (\$3 < a || \$3 >= b) bad++; next }
		!(\$1 in first) { first[\$1] = \$3; if (\$3 < j[\$1]) early++ }
		\$3 < a || \$3 >= b { out++ }
		END { print length(j), length(first), bad + 0, early + 0, out + 0 }' sc/users.tsv -"
	assert_output '400 400 0 0 0'
	for n in 2 100 401; do
		read -r cohort joined < <(sed -n "${n}p" sc/users.tsv | cut -f2,3)
		[ "$cohort" = "$(date -u -d "@$joined" +%Y)" ]
	done
	# the cohorts cover the years users start in (the first nine tenths of the window)
	run bash -c "cut -f2 sc/users.tsv | sed 1d | sort -u | tr '\n' ' '"
	assert_output '2003 2004 2005 2006 2007 2008 2009 2010 '
}

@test "lmrec-synth: scale mode items of a genre share the words of their tags" {
	lmrec-synth -q --users 10 --items 4000 --interactions 100 --stream items >items.tsv
	# per category (the genre users favour): the share of its items' tags
	# that are among its 10 commonest tag words, the smallest over the 20
	# genres; and how many words are among the 10 commonest of two genres
	run awk -F'\t' '
		NR == 1 { next }
		{ c = $4; n[c]++; t = $3; sub(/^.*Tags: /, "", t); sub(/\.$/, "", t); gsub(/, | and /, " ", t)
		  k = split(t, w, " "); for (i = 1; i <= k; i++) { cnt[c, w[i]]++; tot[c]++; words[w[i]] } }
		END {
			lo = 1
			for (c in n) {
				for (r = 1; r <= 10; r++) { best = ""; for (x in words) if (!((c, x) in used) && cnt[c, x] > cnt[c, best]) best = x
					used[c, best] = 1; top[c] += cnt[c, best]; in_top[best]++ }
				if (top[c] / tot[c] < lo) lo = top[c] / tot[c]
			}
			for (x in in_top) if (in_top[x] > 1) shared++
			printf "%d genres, smallest share %.3f, %d words shared\n", length(n), lo, shared
		}' items.tsv
	assert_output '20 genres, smallest share 0.601, 0 words shared'
	# a genre's name is in the text of each of its items; the attrs list every genre of the text
	run awk -F'\t' 'NR > 1 { g = $3; sub(/^Genres: /, "", g); sub(/\. Tags:.*$/, "", g); a = $5; gsub(/genre=/, "", a); gsub(/;/, "|", a)
		if (tolower(g) != a || index(a, $4) != 1) bad++ } END { print NR - 1, bad + 0 }' items.tsv
	assert_output '4000 0'
}

@test "lmrec-synth: scale mode memory does not grow with the rows" {
	[ -x /usr/bin/time ] || skip "no /usr/bin/time"
	skip_if_slow
	/usr/bin/time -f %M -o small.kb lmrec-synth -q --users 20000 --items 27278 --interactions 200000 --stream interactions >/dev/null
	/usr/bin/time -f %M -o big.kb lmrec-synth -q --users 20000 --items 27278 --interactions 2000000 --stream interactions >/dev/null
	small=$(tail -n 1 small.kb) big=$(tail -n 1 big.kb)
	echo "peak RSS: $small kB for 200,000 rows, $big kB for 2,000,000"
	# ten times the rows, the same memory within a megabyte and a tenth
	[ "$big" -lt $((small + 1024 + small / 10)) ]
}

@test "lmrec-synth: --days beyond ten years is for scale mode only" {
	run -2 --separate-stderr lmrec-synth --stream items --days 3651
	[ "${stderr_lines[0]}" = "lmrec-synth: invalid value for --days: '3651' (a world spans at most 3650 days; scale mode 36500)" ]
	run -2 --separate-stderr lmrec-synth --stream items --days 36501 --interactions 5
	[ "${stderr_lines[0]}" = "lmrec-synth: invalid value for --days: '36501' (expected an integer from 1 to 36500)" ]
	run -0 lmrec-synth -q --users 2 --items 3 --interactions 6 --days 36500 --stream users
	assert_line --index 0 "$(printf 'user\tcohort\tjoined')"
}

@test "lmrec-synth: the MovieLens-20M shape spans 1995-01-09 to 2015-03-31 over 27,278 items" {
	run -0 --separate-stderr lmrec-synth --shape ml20m --interactions 100000 --stream interactions -o ml.tsv
	[ "$stderr" = "lmrec-synth: seed 1: scale mode: 27278 items, 138493 users, 100000 interactions" ]
	from=$(date -u -d 1995-01-09 +%s) to=$(date -u -d 2015-04-01 +%s)
	run awk -F'\t' -v a="$from" -v b="$to" 'NR > 1 && ($3 < a || $3 >= b) { bad++ } NR > 1 { y = int(($3 - a) / 31557600); yr[y] }
		END { print bad + 0, length(yr) }' ml.tsv
	assert_output '0 21'
	run -0 --separate-stderr lmrec-synth --shape ml20m --items 500 --days 10 --interactions 100000 --stream interactions -o ml.tsv
	[ "$stderr" = "lmrec-synth: seed 1: scale mode: 500 items, 138493 users, 100000 interactions" ]
}

@test "lmrec-synth: the MovieLens-20M shape streams a part of itself with every user" {
	skip_if_slow
	run -0 --separate-stderr lmrec-synth --progress --shape ml20m --interactions 2000000 --stream interactions -o ml.tsv
	[[ "$stderr" == *"interactions 2000000 in "* ]]
	[[ "$stderr" == *"lmrec-synth: seed 1: scale mode: 27278 items, 138493 users, 2000000 interactions" ]]
	# 14 rows a user at least (2,000,000 / 138,493), the popular head of the items
	run awk -F'\t' 'NR > 1 { n++; u[$1]++; i[$2] } END { lo = 1e9; for (k in u) if (u[k] < lo) lo = u[k]; print n, length(u), lo, length(i) }' ml.tsv
	assert_output '2000000 138493 14 10204'
}

@test "lmrec-synth: the whole MovieLens-20M shape has its users, items and rows" {
	skip_if_slow
	run bash -c "lmrec-synth -q --shape ml20m --stream interactions | awk -F'\t' 'NR > 1 { n++; u[\$1]; i[\$2] } END { print n, length(u), length(i) }'"
	assert_output '20000263 138493 27278'
}

#!/usr/bin/env bash
# Issue 8: users whose simulated tastes shift are served the new taste
# within N nights; this measures N.
#
# The world is lmrec-synth's (sample-data by default): 344 of its 1,000
# users take up a new interest, another persona, on a day of the window
# (the truth stream: new_persona, new_ts); it ramps in over a week. What
# a user of that persona likes is named by its signature, the same
# features as tests/lmrec-synth.bats uses for the README's spot_on figure,
# read from tests/fixtures/synth/persona-signatures.tsv (snow: use=skiing
# c.spa; homebody: c.thriller service=delivery; ...).
# An item carries a signature when its category (c.CAT) or one of its
# attributes is one of these (exact key=value, not a substring).
#
# Nights are UTC days. Night d's models are trained on every row before
# d (a repeated user-item pair once, at its latest row, as replay.sh) and
# publish each user with rows before d a top-10 list (lmrec-recall -n 10,
# the user's items left out): the list the user sees on day d. The first
# night is the first shift's day S, trained from scratch; then each model
# goes on night by night to the day after the window:
#   popular     lmrec-train --model popular, every night (the floor)
#   als.inc     ALS warm-started on yesterday's model: ALS_INC_OPTS
#               (--iters 3), as the nightly job would
#   als.full    ALS from scratch: ALS_FULL_OPTS (--iters 15)
#   sasrec.inc  yesterday's SASRec, --since init: SASREC_INC_OPTS
#               (--epochs 5 --replay 0.2)
#   sasrec.full SASRec from scratch: SASREC_FULL_OPTS (--epochs 30); not
#               in the default MODELS (about 18 minutes of CPU more)
#   M+profile   the lists of model M's chain (one of the above) as the
#               nightly job publishes them: M's top POOL (100) through
#               lmrec-rank --profiles, the long-term profile store
#               (lmrec-profile, HALF_LIFE days, default its own 30) of
#               every row and feedback row before the night, with
#               PROFILE_WEIGHT (default lmrec-rank's 0.2); M's chain is
#               trained once for both
# Every chain's first night is the same from-scratch model (full options).
#
# Served. For a shifted user u with new persona P and shift day s, c(d)
# is the number of P-signature items in u's list on night d. The control
# are the users without a new interest and without P among their
# personas: on each night, their lists' counts of P-signature items give
# a base rate (their mean) and a ceiling (their QUANTILE, 0.9: as much as
# 90% of comparable users who did not shift are served anyway; the
# season moves everyone towards skiing and spas, and snow is the most
# common new interest). u is served on night d when c(d) >= 1, c(d) is
# above the ceiling of that night and persona, and c(d) > c(s) (the list
# of the shift's own night, built on rows before it). N is the first
# night s + k (k >= 1) that starts RUN (2) nights served in a row: the
# list shows the new taste, not a one-night blip.
#
# Following. A user is followed from s + 1 to the day after the window
# (at most WINDOW nights, default all: 55 for the first shifts of
# sample-data, 11 for the last), less RUN - 1. served_by is the
# Kaplan-Meier estimate of the share served by night k (a user followed
# fewer nights counts while followed), and N's median, p75 and p90 are
# the first k where it reaches 50, 75 and 90%, ">K" when it never does
# within the K nights the longest followed users are followed.
#
# Placebo. The same rule on users who did not shift: each control user is
# given the persona and day of a shifted user (the j-th control user, in
# user order, the first shifted user from the j-th on whose new persona is
# not one of theirs). How often they are "served" is how often the rule
# finds a shift that is not there: read the shifted users' figures
# against it.
#
# Behaviour: the users' rows from s on. A user who never acts on the new
# interest (no row of a P-signature item while followed) can be served
# it only through popularity, the season or the other tastes of their
# personas; those users, and those with no row at all after s, are
# counted apart. For the users who act: the nights from their first
# signature row to served (the row is trained on from the next night on,
# so 1 is the soonest; 0 or less is served before acting).
#
# Prints a TSV, one line per model, group (shift or placebo) and k, the
# nights since the shift: users (followed k nights, with a list that
# night), share (the mean share of P-signature items in their lists),
# control (the control's mean share for the same P and night), rows (the
# mean share of P-signature items in the users' rows from s to before
# s + k, over users with such rows), active (the share of the followed
# users with a row from s on before s + k), acted (with a P-signature
# row), served (the share of those users the rule serves on night s + k) and
# served_by (Kaplan-Meier); then summary lines per model, and a plot
# (gnuplot SVG: served_by per model, shifted users against the placebo;
# the lists' share against the control's and the rows'). TSV and plot go
# to OUT (default a new directory under TMPDIR, kept and printed).
# Deterministic: seeded training, one thread, no other randomness.
#
# The default run (sample-data, 56 nights: popular, ALS inc and full,
# SASRec inc) takes about 4 minutes of CPU, two chains at a time
# (CHAINS); MODELS=sasrec.full alone about 18 minutes more. Results:
# tests/bench/RESULTS.md.
#
#   MODELS="sasrec.inc sasrec.full" tests/bench/shift.sh
#   RUN=1 QUANTILE=0.75 OUT=shift tests/bench/shift.sh
#   SYNTH_OPTS="--seed 2 --users 2000" tests/bench/shift.sh   (another world)
#   MODELS="als.inc als.inc+profile" tests/bench/shift.sh       (the profiles' lever)
#
# Variables: SYNTH_OPTS (lmrec-synth options of another world; default
# sample-data's, read from sample-data/ and its README's command), MODELS,
# WINDOW, RUN, QUANTILE, SEED, CHAINS, POOL, HALF_LIFE, PROFILE_WEIGHT,
# ALS_INC_OPTS, ALS_FULL_OPTS,
# SASREC_INC_OPTS, SASREC_FULL_OPTS, OUT, PLOT (the plot's path,
# OUT/shift.svg; .png for a PNG), GNUPLOT, KEEP (a folder to do the work
# in and keep).
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
PATH="$top/bin:$PATH"
export LC_ALL=C TZ=UTC
# sample-data/README's regeneration command
sample_opts="--seed 1 --users 1000 --items 1300 --days 60 --start 2026-09-01 --conversations 400 --goals 300"
seed=${SEED:-1} chains=${CHAINS:-2} models=${MODELS:-popular als.inc als.full sasrec.inc}
als_inc=${ALS_INC_OPTS:---iters 3}
als_full=${ALS_FULL_OPTS:---iters 15}
sasrec_inc=${SASREC_INC_OPTS:---epochs 5 --replay 0.2}
sasrec_full=${SASREC_FULL_OPTS:---epochs 30}
gnuplot=${GNUPLOT:-gnuplot}
pool=${POOL:-100} profile_weight=${PROFILE_WEIGHT:-0.2}
day=86400

# chains: the models trained (M of M+profile too), each once
chains_of=""
for m in $models; do
	case "${m%+profile}" in popular | als.inc | als.full | sasrec.inc | sasrec.full) ;;
	*) echo "shift.sh: MODELS: popular, als.inc, als.full, sasrec.inc or sasrec.full, each alone or with +profile, not '$m'" >&2; exit 2 ;;
	esac
	[[ " $chains_of " = *" ${m%+profile} "* ]] || chains_of+=" ${m%+profile}"
done
profiles=0
[[ " $models " != *+profile* ]] || profiles=1
[[ "$pool" =~ ^[1-9][0-9]*$ ]] || { echo "shift.sh: POOL wants a positive integer, not '$pool'" >&2; exit 2; }
[ -z "${HALF_LIFE:-}" ] || [[ "$HALF_LIFE" =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "shift.sh: HALF_LIFE wants days, not '$HALF_LIFE'" >&2; exit 2; }
[[ "$chains" =~ ^[1-9][0-9]*$ ]] || { echo "shift.sh: CHAINS wants a positive integer, not '$chains'" >&2; exit 2; }
# shellcheck source=tests/bench/common.bash
. "$top/tests/bench/common.bash"
work_dir
if [ -n "${OUT:-}" ]; then
	out=$OUT
	mkdir -p "$out"
else
	out=$(mktemp -d "${TMPDIR:-/tmp}/lmrec-shift.XXXXXX")
fi

# the world: interactions, items, and the hidden truth of its users
if [ -z "${SYNTH_OPTS:-}" ]; then
	read -ra sopts <<<"$sample_opts"
	gzip -dc "$top/sample-data/interactions.tsv.gz" >"$tmp/all.tsv"
	cp "$top/sample-data/items.tsv" "$tmp/items.tsv"
	label="sample-data"
else
	read -ra sopts <<<"$SYNTH_OPTS"
	lmrec-synth -q "${sopts[@]}" --stream interactions -o "$tmp/all.tsv"
	lmrec-synth -q "${sopts[@]}" --stream items -o "$tmp/items.tsv"
	label="lmrec-synth $SYNTH_OPTS"
fi
if [ "$profiles" = 1 ]; then
	if [ -z "${SYNTH_OPTS:-}" ]; then
		cp "$top/sample-data/feedback.tsv" "$tmp/feedback.tsv"
	else
		lmrec-synth -q "${sopts[@]}" --stream feedback -o "$tmp/feedback.tsv"
	fi
fi
lmrec-synth -q "${sopts[@]}" --stream truth -o "$tmp/truth.tsv"

# sig.tsv: item, then the personas whose signature it carries (one column
# per persona, 1 or 0, in the order of personas)
personas="hiker runner culture sunseeker family foodie homebody green snow"
awk -F'\t' -v OFS='\t' -v names="$personas" 'FNR == NR { if (FNR > 1) s[$1] = $2; next }
	FNR == 1 { np = split(names, name, " ")
		for (p = 1; p <= np; p++) { n = split(s[name[p]], f, " "); for (k = 1; k <= n; k++) has[p, f[k]] = 1 }
		for (k = 1; k <= NF; k++) col[$k] = k
		if (!col["item"] || !col["category"] || !col["attrs"]) { print "shift.sh: items: no item, category or attrs column" > "/dev/stderr"; exit 65 }
		next }
	{ n = split($col["attrs"], f, ";"); f[++n] = "c." $col["category"]; line = $col["item"]
	  for (p = 1; p <= np; p++) { h = 0; for (k = 1; k <= n; k++) if ((p, f[k]) in has) h = 1; line = line OFS h }
	  print line }' "$top/tests/fixtures/synth/persona-signatures.tsv" "$tmp/items.tsv" >"$tmp/sig.tsv"

# who.tsv: user, role (shift or control), new persona's index (shift) or
# the indexes of the personas (control, joined by ','), shift day
awk -F'\t' -v OFS='\t' -v names="$personas" -v D="$day" 'BEGIN { np = split(names, name, " "); for (p = 1; p <= np; p++) idx[name[p]] = p }
	NR == 1 { for (k = 1; k <= NF; k++) col[$k] = k
		if (!col["new_persona"] || !col["new_ts"] || !col["persona"]) { print "shift.sh: truth: no persona, new_persona or new_ts column" > "/dev/stderr"; exit 65 }
		next }
	$col["new_persona"] != "" { print $col["user"], "shift", idx[$col["new_persona"]], int($col["new_ts"] / D); next }
	{ print $col["user"], "control", idx[$col["persona"]] ($col["persona2"] != "" ? "," idx[$col["persona2"]] : ""), "" }' \
	"$tmp/truth.tsv" >"$tmp/who.tsv"

# p.tsv: the rows with their day as a last column
awk -F'\t' -v OFS='\t' -v D="$day" 'NR == 1 { for (k = 1; k <= NF; k++) if ($k == "ts") t = k
		if (!t) { print "shift.sh: interactions: no ts column" > "/dev/stderr"; exit 65 } print; next }
	{ print $0, int($t / D) }' "$tmp/all.tsv" >"$tmp/p.tsv"
first=$(awk -F'\t' '$2 == "shift" && (!m || $4 < m) { m = $4 } END { print m + 0 }' "$tmp/who.tsv")
lastshift=$(awk -F'\t' '$2 == "shift" && $4 > m { m = $4 } END { print m + 0 }' "$tmp/who.tsv")
last=$(($(awk -F'\t' 'NR > 1 && $NF > m { m = $NF } END { print m + 0 }' "$tmp/p.tsv") + 1))
window=${WINDOW:-$((last - first))}
run=${RUN:-2} quantile=${QUANTILE:-0.9}
[[ "$quantile" =~ ^0?\.[0-9]+$ ]] || { echo "shift.sh: QUANTILE wants a share between 0 and 1, not '$quantile'" >&2; exit 2; }
[[ "$run" =~ ^[1-9][0-9]*$ ]] || { echo "shift.sh: RUN wants a positive integer, not '$run'" >&2; exit 2; }
[[ "$window" =~ ^[1-9][0-9]*$ ]] || { echo "shift.sh: WINDOW wants a positive integer, not '$window'" >&2; exit 2; }
[ "$first" -gt 0 ] || { echo "shift.sh: no user of the truth has a new interest" >&2; exit 1; }
nf=$(head -1 "$tmp/all.tsv" | awk -F'\t' '{ print NF + 1 }')

# night D: n$D/train.tsv (the rows before D, without the day column, a
# repeated user-item pair once, at its latest row), n$D/users.tsv (the
# users with rows before D) and n$D/truth.tsv (their items of D new to
# them, as replay.sh: what the night's lists are scored on)
prepare() {
	local d=$1
	mkdir -p "$tmp/n$d"
	awk -F'\t' -v OFS='\t' -v d="$d" -v nf="$nf" -v tr="$tmp/n$d/train.tsv" -v us="$tmp/n$d/users.tsv" -v te="$tmp/n$d/truth.tsv" '
		FNR == 1 { for (k = 1; k <= NF; k++) if ($k == "ts") t = k
			NF = nf - 1; print > tr; print "user" > us; print "user", "item" > te; next }
		$NF < d { if (!(($1, $2) in at) || $t >= ts[$1, $2]) { at[$1, $2] = ++n; ts[$1, $2] = $t }
			if (!($1 in seen)) { seen[$1] = 1; print $1 > us }
			NF = nf - 1; row[n] = $0; next }
		$NF == d && ($1 in seen) && !(($1, $2) in at) && !(($1, $2) in done) { done[$1, $2] = 1; print $1, $2 > te }
		END { for (p in at) keep[at[p]] = 1
			for (k = 1; k <= n; k++) if (k in keep) print row[k] > tr }
	' "$tmp/p.tsv"
}
for ((d = first; d <= last; d++)); do prepare "$d"; done

# n$D/profiles.tsv (with a +profile model): the profile store as of the
# end of the day before D, folded night by night as the nightly job does
# (each update skips the rows it has folded)
if [ "$profiles" = 1 ]; then
	rm -f "$tmp/profile.lmp"
	hl=()
	[ -z "${HALF_LIFE:-}" ] || hl=(--half-life "$HALF_LIFE")
	for ((d = first; d <= last; d++)); do
		yday=$(date -d "@$(((d - 1) * day))" +%F)
		lmrec-profile -q --store "$tmp/profile.lmp" --update "${hl[@]}" --items "$tmp/items.tsv" \
			--feedback "$tmp/feedback.tsv" --date "$yday" "$tmp/all.tsv"
		hl=()
		lmrec-profile -q --store "$tmp/profile.lmp" --show --date "$yday" -o "$tmp/n$d/profiles.tsv"
	done
fi

# train MODEL NIGHT: n$NIGHT/MODEL.lmrc and its times (user CPU, wall)
train() {
	local m=$1 d=$2 o init=() opts f="$tmp/n$2/$1.lmrc" kind=${1%%.*}
	case "$m" in
	popular) o="" ;;
	als.full) o=$als_full ;;
	sasrec.full) o=$sasrec_full ;;
	als.inc)
		o=$als_inc
		if [ "$d" = "$first" ]; then o=$als_full; else init=(--init "$tmp/n$((d - 1))/$m.lmrc"); fi
		;;
	sasrec.inc)
		o=$sasrec_inc
		if [ "$d" = "$first" ]; then o=$sasrec_full; else init=(--init "$tmp/n$((d - 1))/$m.lmrc" --since init); fi
		;;
	esac
	read -ra opts <<<"$o"
	/usr/bin/time -f '%U\t%e' -o "$f.time" \
		lmrec-train -q --model "$kind" -s "$seed" -j 1 "${init[@]}" "${opts[@]}" -o "$f" "$tmp/n$d/train.tsv"
}

# lists MODEL NIGHT: each user's top 10 of the night, summed up as
# night, user, and for each persona the list's items with its signature
# (appended to MODEL.counts); and MODEL+profile's, when asked for
lists() {
	local m=$1 d=$2
	if [[ " $models " = *" $m+profile "* ]]; then
		lmrec-recall -q -m "$tmp/n$d/$m.lmrc" --users "$tmp/n$d/users.tsv" -n "$pool" -j 1 -o "$tmp/n$d/$m.pool"
		lmrec-rank -q --items "$tmp/items.tsv" --profiles "$tmp/n$d/profiles.tsv" --profile-weight "$profile_weight" \
			-n 10 -o "$tmp/n$d/$m+profile.recs" "$tmp/n$d/$m.pool"
		rm -f "$tmp/n$d/$m.pool"
		count "$m+profile" "$d"
	fi
	[[ " $models " = *" $m "* ]] || return 0
	lmrec-recall -q -m "$tmp/n$d/$m.lmrc" --users "$tmp/n$d/users.tsv" -n 10 -j 1 -o "$tmp/n$d/$m.recs"
	count "$m" "$d"
}
# count MODEL NIGHT: n$NIGHT/MODEL.recs summed up into MODEL.counts, and
# its NDCG@10 on the night's truth (the sum over the users who have one,
# and their number) appended to MODEL.ndcg
count() {
	local m=$1 d=$2
	user_ndcg "$tmp/n$d/truth.tsv" "$tmp/n$d/$m.recs" |
		awk -F'\t' -v d="$d" '{ s += $2; n++ } END { printf "%d\t%.6f\t%d\n", d, s, n }' >>"$tmp/$m.ndcg"
	# the item's column by name: lmrec-recall's second, lmrec-rank's third
	awk -F'\t' -v OFS='\t' -v d="$d" 'FNR == NR { sig[$1] = $0; np = NF - 1; next }
		FNR == 1 { for (j = 1; j <= NF; j++) if ($j == "item") ic = j
			if (!ic) { print "shift.sh: " FILENAME ": no item column" > "/dev/stderr"; exit 65 }
			next }
		{ if (!($1 in c)) { c[$1] = ""; order[++nu] = $1 }
		  split(sig[$ic], s, "\t"); for (p = 1; p <= np; p++) k[$1, p] += s[p + 1] }
		END { for (i = 1; i <= nu; i++) { u = order[i]; line = d OFS u
				for (p = 1; p <= np; p++) line = line OFS k[u, p] + 0
				print line } }' "$tmp/sig.tsv" "$tmp/n$d/$m.recs" >>"$tmp/$m.counts"
	rm -f "$tmp/n$d/$m.recs"
}

chain() {
	local m=$1 d
	: >"$tmp/$m.counts"
	: >"$tmp/$m+profile.counts"
	: >"$tmp/$m.ndcg"
	: >"$tmp/$m+profile.ndcg"
	for ((d = first; d <= last; d++)); do
		train "$m" "$d"
		lists "$m" "$d"
		# yesterday's model is no longer needed
		[ "$d" = "$first" ] || rm -f "$tmp/n$((d - 1))/$m.lmrc"
	done
}

echo "== shift: $label; $(awk -F'\t' '$2 == "shift"' "$tmp/who.tsv" | wc -l) users shift, from $(date -d "@$((first * day))" +%F)" \
	"to $(date -d "@$((lastshift * day))" +%F); nights $(date -d "@$((first * day))" +%F) to $(date -d "@$((last * day))" +%F)," \
	"window $window nights; models: $models" >&2
running=0
for m in $chains_of; do
	if [ "$running" -ge "$chains" ]; then
		wait -n
		running=$((running - 1))
	fi
	chain "$m" &
	running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
	wait -n
	running=$((running - 1))
done

# subj.tsv: the users followed: user, group, persona's index, shift day.
# The shifted users with their new persona and day; the placebo: each
# user of the control given the persona and day of a shifted user (the
# j-th control user the first shifted user from the j-th on, in user
# order, whose new persona is not one of theirs), so that the same rule
# applied to users who did not shift says how often it finds a shift
# that is not there.
awk -F'\t' -v OFS='\t' '$2 == "shift" { su[++ns] = $1; sp[ns] = $3; ss[ns] = $4; print $1, "shift", $3, $4; next }
	{ cu[++nc] = $1; cp[nc] = "," $3 "," }
	END { for (j = 1; j <= nc; j++) for (t = 0; t < ns; t++) { i = (j - 1 + t) % ns + 1
			if (index(cp[j], "," sp[i] ",") == 0) { print cu[j], "placebo", sp[i], ss[i]; break } } }' \
	"$tmp/who.tsv" >"$tmp/subj.tsv"

# beh.tsv: the followed users' rows from their (pseudo-)shift day on, per
# day: user, day, rows, rows of an item with the persona's signature
awk -F'\t' -v OFS='\t' 'FILENAME ~ /subj/ { np[$1] = $3; s[$1] = $4; next }
	FILENAME ~ /sig/ { for (p = 2; p <= NF; p++) if ($p == 1) has[$1, p - 1] = 1; next }
	FNR == 1 { next }
	($1 in np) && $NF >= s[$1] { r[$1, $NF]++; h[$1, $NF] += (($2, np[$1]) in has) }
	END { for (k in r) { split(k, a, SUBSEP); print a[1], a[2], r[k], h[k] + 0 } }' \
	"$tmp/subj.tsv" "$tmp/sig.tsv" "$tmp/p.tsv" | sort >"$tmp/beh.tsv"

# analyse MODEL: per group and k, a TSV line (see the header), then "#"
# summary lines. A user is followed k nights when s + k <= the last
# night and k <= WINDOW; served_by is the Kaplan-Meier estimate of the
# share served by night k, a user followed fewer nights counted while
# followed (censored after); N's percentiles are the first k where it
# reaches 50, 75 and 90%, ">K" when it does not within the K nights the
# longest followed users are.
analyse() {
	awk -F'\t' -v OFS='\t' -v m="$1" -v W="$window" -v last="$last" -v R="$run" -v Q="$quantile" '
		FILENAME ~ /who/ { if ($2 == "control") { n = split($3, a, ","); for (k = 1; k <= n; k++) own[$1, a[k]] = 1; ctl[$1] = 1 }; next }
		FILENAME ~ /subj/ { g = $2; gu[g, ++gn[g]] = $1; np[$1] = $3; s[$1] = $4
			F[$1] = last - $4 < W ? last - $4 : W; next }
		FILENAME ~ /beh/ { rows[$1, $2] = $3; sigr[$1, $2] = $4; if ($4 > 0 && (!($1 in fa) || $2 < fa[$1])) fa[$1] = $2; next }
		{ d = $1; u = $2
		  if (u in np) { listed[u, d] = 1; c[u, d] = $(np[u] + 2) }
		  if (u in ctl) for (p = 1; p <= NF - 2; p++) if (!((u, p) in own)) {
				hist[d, p, $(p + 2)]++; cn[d, p]++; cs[d, p] += $(p + 2) } }
		# the Q-quantile (nearest rank) of the count in the control lists, night d, persona p
		function ceil_q(d, p,   need, acc, v) { need = int(Q * cn[d, p]); if (need < Q * cn[d, p]) need++
			acc = 0; for (v = 0; v <= 10; v++) { acc += hist[d, p, v]; if (acc >= need) return v } return 10 }
		# the first k where the share served by then reaches q
		function kmq(q,   k) { for (k = 1; k <= K; k++) if (1 - S[k] >= q - 1e-9) return k; return ">" K }
		function isort(a, n,   i, j, x) { for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x } }
		function pct(a, n, q,   r) { r = int(q * n); if (r < q * n) r++; if (r < 1) r = 1; return a[r] }
		function run(g,   i, u, p, base, cr, ch, k, d, f) {
			delete lu; delete sh; delete cl; delete ctn; delete rs; delete rn; delete act; delete acted; delete srv; delete fol
			delete N; delete ev; delete S; K = 0
			for (i = 1; i <= gn[g]; i++) {
				u = gu[g, i]; p = np[u]; base = ((u, s[u]) in c) ? c[u, s[u]] : 0
				cr = ch = 0; N[u] = 0
				if (F[u] - R + 1 > K) K = F[u] - R + 1
				if (i == 1 || F[u] - R + 1 < Kmin) Kmin = F[u] - R + 1
				for (k = 0; k <= F[u]; k++) {
					d = s[u] + k; fol[k]++
					if (k > 0) { cr += rows[u, d - 1]; ch += sigr[u, d - 1] }
					if (cr > 0) { act[k]++; rs[k] += ch / cr; rn[k]++ }
					if (ch > 0) acted[k]++
					if ((u, d) in listed) {
						lu[k]++; sh[k] += c[u, d] / 10
						if (cn[d, p]) { cl[k] += cs[d, p] / cn[d, p] / 10; ctn[k]++ }
						if (k > 0 && c[u, d] >= 1 && c[u, d] > ceil_q(d, p) && c[u, d] > base) { srv[k]++; on[k] = 1 }
					}
				}
				# N: the first night of RUN served in a row (followed RUN - 1 nights fewer)
				F2[u] = F[u] - R + 1; n = 0
				for (k = 1; k <= F[u]; k++) { n = (k in on) ? n + 1 : 0; if (n == R) { N[u] = k - R + 1; ev[N[u]]++; break } }
				delete on
			}
			# Kaplan-Meier: at risk on k, the users followed k nights not served before
			S[0] = 1; risk = 0
			for (k = 1; k <= K; k++) {
				risk = 0; for (i = 1; i <= gn[g]; i++) { u = gu[g, i]; if (F2[u] >= k && (!N[u] || N[u] >= k)) risk++ }
				S[k] = S[k - 1] * (risk ? 1 - ev[k] / risk : 1)
			}
			for (k = 0; k <= K; k++)
				printf "%s\t%s\t%d\t%d\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\n", m, g, k, lu[k], lu[k] ? sh[k] / lu[k] : 0,
					ctn[k] ? cl[k] / ctn[k] : 0, rn[k] ? rs[k] / rn[k] : 0, act[k] / fol[k], acted[k] / fol[k],
					lu[k] ? srv[k] / lu[k] : 0, 1 - S[k]
		}
		function summary(g,   i, u, d, b, ns, nv, x, nfr, before, fr, f7, f14, f28) {
			ns = 0; delete gs; delete gk; nfr = before = 0
			for (i = 1; i <= gn[g]; i++) {
				u = gu[g, i]; if (N[u]) ns++
				b = "absent"
				for (d = s[u]; d < s[u] + F[u]; d++) { if (rows[u, d] > 0 && b == "absent") b = "active"; if (sigr[u, d] > 0) b = "acted" }
				gk[b]++; if (N[u]) gs[b]++
				if (b == "acted" && N[u]) { x = s[u] + N[u] - fa[u]; if (x <= 0) before++; else fr[++nfr] = x }
			}
			isort(fr, nfr)
			printf "#%s, %s: %d users followed %d to %d nights: served %d (%.1f%%); by night 7 %.1f%%, 14 %.1f%%, %d %.1f%% (Kaplan-Meier); N nights: median %s, p75 %s, p90 %s\n",
				m, g, gn[g], Kmin, K, ns, 100 * ns / gn[g], 100 * (1 - S[K < 7 ? K : 7]), 100 * (1 - S[K < 14 ? K : 14]), K, 100 * (1 - S[K]),
				kmq(.5), kmq(.75), kmq(.9)
			if (g != "shift") return
			printf "#%s, %s, by what they did while followed: acted on the new interest %d users, served %d (%.1f%%); rows, none of it %d, served %d; no row %d, served %d\n",
				m, g, gk["acted"], gs["acted"], gk["acted"] ? 100 * gs["acted"] / gk["acted"] : 0, gk["active"], gs["active"], gk["absent"], gs["absent"]
			printf "#%s, %s: nights from the first act on the new interest to served: median %s, p75 %s, p90 %s (%d users); served before it: %d\n",
				m, g, nfr ? pct(fr, nfr, .5) : "-", nfr ? pct(fr, nfr, .75) : "-", nfr ? pct(fr, nfr, .9) : "-", nfr, before
		}
		# the share served by night k, capped at the last followed night
		function by(k) { return 1 - S[K < k ? K : k] }
		END { run("shift"); summary("shift"); a7 = by(7); a14 = by(14); a28 = by(28)
			run("placebo"); summary("placebo")
			printf "#%s: served by night %d, %d, %d: shifted users %.1f%%, %.1f%%, %.1f%%, placebo %.1f%%, %.1f%%, %.1f%%: %+.1f, %+.1f, %+.1f points\n",
				m, K < 7 ? K : 7, K < 14 ? K : 14, K < 28 ? K : 28, 100 * a7, 100 * a14, 100 * a28, 100 * by(7), 100 * by(14), 100 * by(28), 100 * (a7 - by(7)), 100 * (a14 - by(14)), 100 * (a28 - by(28)) }
	' "$tmp/who.tsv" "$tmp/subj.tsv" "$tmp/beh.tsv" "$tmp/$1.counts"
}

tsv="$out/shift.tsv"
printf 'model\tgroup\tk\tusers\tshare\tcontrol\trows\tactive\tacted\tserved\tserved_by\n' >"$tsv"
: >"$tmp/summary"
for m in $models; do
	analyse "$m" >"$tmp/a"
	grep -v '^#' "$tmp/a" >>"$tsv"
	sed -n 's/^#//p' "$tmp/a" >>"$tmp/summary"
	cpu=$(cat "$tmp"/n*/"${m%+profile}".lmrc.time | awk -F'\t' '{ c += $1 } END { printf "%.1f", c }')
	echo "$m: training CPU $cpu s over $((last - first + 1)) nights" >>"$tmp/summary"
	awk -F'\t' -v m="$m" '{ s += $2; n += $3 } END { printf "%s: NDCG@10 on each night'"'"'s new items, pooled over the nights: %.4f (%d user-nights)\n", m, n ? s / n : 0, n }' \
		"$tmp/$m.ndcg" >>"$tmp/summary"
done
cat "$tsv" "$tmp/summary"
# plot: the share of shifted users served by night k, per model (the
# placebo dashed); the lists' share of the new taste against the control's
svg=${PLOT:-$out/shift.svg}
read -ra ms <<<"$models"
if command -v "$gnuplot" >/dev/null; then
	for m in $models; do
		for g in shift placebo; do awk -F'\t' -v m="$m" -v g="$g" 'NR > 1 && $1 == m && $2 == g' "$tsv" >"$tmp/plot.$m.$g"; done
	done
	# curves COL DASHED-GROUP DASHED-COL: each model's column COL of its
	# shifted users, solid, and column DASHED-COL of DASHED-GROUP, dashed
	curves() {
		local m sep="" i=0
		for m in $models; do
			i=$((i + 1))
			printf "%s '%s' u 3:%d w l lw 2 lt %d t '%s'" "$sep" "$tmp/plot.$m.shift" "$1" "$i" "$m"
			printf ", '%s' u 3:%d w l dt 2 lt %d notitle" "$tmp/plot.$m.$2" "$3" "$i"
			sep=","
		done
	}
	{
		if [[ "$svg" = *.png ]]; then
			printf "set terminal pngcairo noenhanced size 900,760 font 'sans,10' background '#ffffff'\n"
		else
			printf "set terminal svg noenhanced size 760,680 dynamic font 'sans,10' background '#ffffff'\n"
		fi
		printf "set output '%s'\nset datafile separator '\\\\t'\nset key below\nset grid\n" "$svg"
		printf "set multiplot layout 2,1\n"
		printf "set title 'shifted users served the new taste by night k (Kaplan-Meier; dashed: placebo, users who did not shift), %s'\n" "$label"
		printf "set xlabel 'nights since the shift'\nset ylabel 'share of users'\nset yrange [0:1]\nplot"
		curves 11 placebo 11
		printf ", '%s' u 3:9 w l dt 3 lc 'black' t 'acted on the new interest by then'\n" "$tmp/plot.${ms[0]}.shift"
		printf "set title 'share of the new taste in the top 10 of shifted users (dashed: the control; dotted: their rows since the shift)'\n"
		printf "set ylabel 'share'\nset autoscale y\nplot"
		curves 5 shift 6
		printf ", '%s' u 3:7 w l dt 3 lc 'black' t 'rows since the shift'\n" "$tmp/plot.${ms[0]}.shift"
		printf "unset multiplot\n"
	} >"$tmp/plot.gp"
	"$gnuplot" "$tmp/plot.gp"
	echo "curves: $tsv; plot: $svg"
else
	echo "curves: $tsv; no plot: $gnuplot not found (install gnuplot-nox)"
fi

#!/usr/bin/env bash
# Issue 8's day-by-day replay: incremental training against a full retrain,
# and forgetting.
#
# The interactions are cut into nights of PERIOD seconds (a UTC day by
# default; a week for MovieLens). Night B = START - 1 is the base: a model
# trained from scratch on every row before it. Each of the NIGHTS nights d
# that follow gets, for each model, two networks trained on every row
# before d:
#   inc   yesterday's model as --init plus the new night's rows (sasrec:
#         --since init, the users with new rows and a --replay share of the
#         others an epoch; als: a warm start over all rows, fewer
#         iterations): INC_OPTS;
#   full  trained from scratch: FULL_OPTS.
# With RETRAIN_EVERY=R (default 7, as the nightly job), the inc chain is
# the nightly job's schedule: every R-th night after the base (d - B a
# multiple of R) it is trained from scratch with FULL_OPTS, as the full
# chain is, and the nights between continue it; RETRAIN_EVERY=0 never
# retrains (the pure chain). The TSV's retrain column marks those nights,
# and the summary gives the ratio over the continued nights alone too.
# Both are evaluated on night d (next-night prediction): the users active
# on d who have rows before it, their items of d that they had not met
# before d as the truth, full ranking with their items before d left out
# and the model conditioned on their rows before d; NDCG@10 and HR@10.
# Training is timed by /usr/bin/time (user CPU seconds, and wall).
#
# The early window: the WINDOW nights before B. A seeded share HOLDOUT of
# the users active in it (with rows before it) is held out: their rows
# from the window on are never trained on, by any model, any night. Every
# night's models are evaluated on their window items new to them, from
# their rows before the window (their sequences stop there): early_ndcg10.
# For inc, a drop of it over the nights is forgetting: those users reach
# the incremental nights only through the replay share.
#
# Prints a TSV (night, model, mode, ndcg10, hr10, cpu_s, wall_s,
# early_ndcg10, users: the night's test users), a plot (gnuplot SVG) and
# summary lines: mean NDCG@10 of inc over full (criterion >= 0.98), the
# CPU time ratio, the early window's change from the base night (criterion:
# a drop of at most 2%), and the same ratios paired user by user with 95%
# bootstrap intervals (the users of a night are a few hundred: the
# intervals say whether a 2% criterion can be told at all). The TSV and
# the plot go to OUT (default a new directory under TMPDIR, kept and
# printed).
#
# The default, sample-data's last 14 days with SASRec and ALS, takes about
# 8 minutes of CPU (the full retrains: 15 of SASRec, 30 s each); the full
# and incremental chains run side by side (CHAINS=2). DATA=ml-100k: about
# 10 minutes (9 full retrains of 65 to 80 s). Results: tests/bench/RESULTS.md.
#
#   DATA=ml-100k tests/bench/replay.sh          (weekly nights, see below)
#   MODELS=sasrec NIGHTS=7 OUT=replay tests/bench/replay.sh
#   SASREC_INC_OPTS="--epochs 10 --replay 0.5" tests/bench/replay.sh
#
# Variables: DATA (sample-data, ml-100k, or a folder with interactions.tsv
# or .tsv.gz), PERIOD (seconds a night), START (first compared night, as a
# count of PERIODs since the epoch; default the last NIGHTS), NIGHTS,
# WINDOW, HOLDOUT, RETRAIN_EVERY, MODELS ("sasrec als"), MODES ("full inc": one alone
# to rerun a chain with other options), SEED, SASREC_FULL_OPTS,
# SASREC_INC_OPTS, ALS_FULL_OPTS, ALS_INC_OPTS, CHAINS, OUT, PLOT (the
# plot's path, OUT/replay.svg; .png for a PNG), GNUPLOT, KEEP
# (a folder to do the work in and keep: the nights' data, models, lists).
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
PATH="$top/bin:$PATH"
export LC_ALL=C TZ=UTC
datasets="${LMREC_DATASETS:-$top/../shared/datasets}"
DATA=${DATA:-sample-data}
seed=${SEED:-1} chains=${CHAINS:-2} models=${MODELS:-sasrec als} modes=${MODES:-full inc}
sasrec_full=${SASREC_FULL_OPTS:---epochs 30}
sasrec_inc=${SASREC_INC_OPTS:---epochs 5 --replay 0.2}
als_full=${ALS_FULL_OPTS:---iters 15}
als_inc=${ALS_INC_OPTS:---iters 3}
retrain=${RETRAIN_EVERY:-7}
[[ "$retrain" =~ ^[0-9]+$ ]] || { echo "replay.sh: RETRAIN_EVERY wants a count of nights (0: never), not '$retrain'" >&2; exit 2; }
gnuplot=${GNUPLOT:-gnuplot}

# shellcheck source=tests/bench/common.bash
. "$top/tests/bench/common.bash"
work_dir
all="$tmp/all.tsv"
case "$DATA" in
sample-data)
	gzip -dc "$top/sample-data/interactions.tsv.gz" >"$all"
	period=${PERIOD:-86400} nights=${NIGHTS:-14} window=${WINDOW:-3} holdout=${HOLDOUT:-0.3}
	label="sample-data, nights of a day"
	;;
ml-100k)
	# MovieLens-100K spans 31 weeks and most users rate in one burst:
	# a day of its last two months has a handful of users with rows before
	# it, a week 28 to 51 (with 227 to 1284 new items), so a night is a
	# week, the last 8 of them; the window is the 3 weeks before the base
	# one, half of its returning users held out (37 users, 545 items;
	# fewer would leave a dozen). The nights keep 18 to 37 test users:
	# one night's figure is noise, the mean over the 8 less so.
	[ -f "$datasets/ml-100k/u.data" ] || { echo "(MovieLens-100K not found under $datasets: skipped)"; exit 0; }
	lmrec-ingest -q -o "$all" "$datasets/ml-100k/u.data"
	period=${PERIOD:-604800} nights=${NIGHTS:-8} window=${WINDOW:-3} holdout=${HOLDOUT:-0.5}
	label="MovieLens-100K, nights of a week"
	;;
*)
	if [ -f "$DATA/interactions.tsv.gz" ]; then
		gzip -dc "$DATA/interactions.tsv.gz" >"$all"
	elif [ -f "$DATA/interactions.tsv" ]; then
		cp "$DATA/interactions.tsv" "$all"
	else
		echo "replay.sh: $DATA: no interactions.tsv(.gz), and not sample-data or ml-100k" >&2
		exit 2
	fi
	period=${PERIOD:-86400} nights=${NIGHTS:-14} window=${WINDOW:-3} holdout=${HOLDOUT:-0.3}
	label="$DATA, nights of $period s"
	;;
esac
for v in period nights window; do
	[[ "${!v}" =~ ^[1-9][0-9]*$ ]] || { echo "replay.sh: ${v^^} wants a positive integer, not '${!v}'" >&2; exit 2; }
done
if [ -n "${OUT:-}" ]; then
	out=$OUT
	mkdir -p "$out"
else
	out=$(mktemp -d "${TMPDIR:-/tmp}/lmrec-replay.XXXXXX")
fi

# The rows with their night p = floor(ts / period) as a last column.
awk -F'\t' -v OFS='\t' -v P="$period" 'NR == 1 { for (k = 1; k <= NF; k++) if ($k == "ts") t = k
		if (!t) { print "replay.sh: no ts column" > "/dev/stderr"; exit 65 } print; next }
	{ print $0, int($t / P) }' "$all" >"$tmp/p.tsv"
last=$(awk -F'\t' 'NR > 1 && $NF > m { m = $NF } END { print m + 0 }' "$tmp/p.tsv")
start=${START:-$((last - nights + 1))}
base=$((start - 1)) wlo=$((start - 1 - window))
nf=$(head -1 "$all" | awk -F'\t' '{ print NF + 1 }')

# The held-out users: a seeded share of those active in the window with
# rows before it.
awk -F'\t' -v lo="$wlo" -v hi="$base" 'NR == 1 { next } $NF < lo { old[$1] = 1 } $NF >= lo && $NF < hi { w[$1] = 1 }
	END { for (u in w) if (u in old) print u }' "$tmp/p.tsv" | sort >"$tmp/wusers"
nw=$(wc -l <"$tmp/wusers")
nh=$(awk -v n="$nw" -v h="$holdout" 'BEGIN { printf "%d", n * h + 0.5 }')
[ "$nh" -gt 0 ] || { echo "replay.sh: no user active in the early window (nights $wlo to $((base - 1)))" >&2; exit 1; }
shuf -n "$nh" --random-source=<(yes "$seed") "$tmp/wusers" | sort >"$tmp/held"

# pool.tsv: the rows any model may train on (the held-out users' rows from
# the window on removed); early.tsv: the held-out users' window items new
# to them.
awk -F'\t' -v OFS='\t' -v lo="$wlo" -v hi="$base" -v pool="$tmp/pool.tsv" -v early="$tmp/early.tsv" '
	FNR == NR { h[$1] = 1; next }
	FNR == 1 { print > pool; print "user", "item" > early; next }
	!($1 in h) || $NF < lo { print > pool }
	($1 in h) && $NF < lo { seen[$1, $2] = 1 }
	($1 in h) && $NF >= lo && $NF < hi && !(($1, $2) in seen) && !(($1, $2) in done) { done[$1, $2] = 1; print $1, $2 > early }
' "$tmp/held" "$tmp/p.tsv"

# night D: D/train.tsv (the pool's rows before D, without the night column,
# a repeated (user, item) pair kept once, at its latest row as lmrec-split
# does: SASRec then learns the next new item, not the view that follows a
# view) and D/truth.tsv (D's users with rows before it, their items of D
# new to them)
prepare() {
	local d=$1
	mkdir -p "$tmp/n$d"
	awk -F'\t' -v OFS='\t' -v d="$d" -v nf="$nf" -v tr="$tmp/n$d/train.tsv" -v te="$tmp/n$d/truth.tsv" '
		FNR == 1 { for (k = 1; k <= NF; k++) if ($k == "ts") t = k
			NF = nf - 1; print > tr; print "user", "item" > te; next }
		$NF < d { if (!(($1, $2) in at) || $t >= ts[$1, $2]) { at[$1, $2] = ++n; ts[$1, $2] = $t }
			hist[$1] = 1; NF = nf - 1; row[n] = $0; next }
		$NF == d { r[++m] = $1 SUBSEP $2 }
		END { for (p in at) keep[at[p]] = 1
			for (k = 1; k <= n; k++) if (k in keep) print row[k] > tr
			for (k = 1; k <= m; k++) { split(r[k], a, SUBSEP)
				if ((a[1] in hist) && !(r[k] in at) && !(r[k] in done)) { done[r[k]] = 1; print a[1], a[2] > te } } }
	' "$tmp/pool.tsv"
}
for ((d = base; d < start + nights; d++)); do prepare "$d"; done

# retrain_night NIGHT: whether the inc chain retrains from scratch that night
retrain_night() { [ "$retrain" -gt 0 ] && [ $((($1 - base) % retrain)) = 0 ]; }

# train MODEL MODE NIGHT: the model file n$NIGHT/MODEL.MODE.lmrc and its
# times (user CPU, wall) in .time
train() {
	local m=$1 mode=$2 d=$3 o opts init=() f="$tmp/n$3/$1.$2.lmrc" how=$2
	[ "$mode" != inc ] || [ "$d" = "$base" ] || ! retrain_night "$d" || how=full
	case "$m.$how" in
	sasrec.full) o=$sasrec_full ;;
	sasrec.inc) o=$sasrec_inc init=(--init "$tmp/n$((d - 1))/$m.inc.lmrc" --since init) ;;
	als.full) o=$als_full ;;
	als.inc) o=$als_inc init=(--init "$tmp/n$((d - 1))/$m.inc.lmrc") ;;
	esac
	read -ra opts <<<"$o"
	/usr/bin/time -f '%U\t%e' -o "$f.time" \
		lmrec-train -q --model "$m" -s "$seed" -j 1 "${init[@]}" "${opts[@]}" -o "$f" "$tmp/n$d/train.tsv"
}
# chain MODEL MODE: every night in order (inc needs yesterday's model)
chain() {
	local d
	for ((d = start; d < start + nights; d++)); do train "$1" "$2" "$d"; done
}

# score MODEL-FILE TRUTH USERS: "ndcg10 hr10 users", and each user's
# NDCG@10 (lmrec-eval's definition) in USERS, for the paired bootstrap
score() {
	lmrec-recall -q -m "$1" --users "$2" -n 10 -o "$3.recs"
	user_ndcg "$2" "$3.recs" >"$3"
	ndcg_hr "$2" "$3.recs"
}

echo "== replay: $label; base night $(date -d "@$((base * period))" +%F), $nights nights from $(date -d "@$((start * period))" +%F);" \
	"early window: $window nights from $(date -d "@$((wlo * period))" +%F), $nh of $nw users held out, $(($(wc -l <"$tmp/early.tsv") - 1)) items" >&2
for m in $models; do
	case "$m" in sasrec | als) ;; *) echo "replay.sh: MODELS: sasrec or als, not '$m'" >&2; exit 2 ;; esac
	train "$m" full "$base"
	ln "$tmp/n$base/$m.full.lmrc" "$tmp/n$base/$m.inc.lmrc"
	pids=()
	for mode in $modes; do
		case "$mode" in full | inc) ;; *) echo "replay.sh: MODES: full or inc, not '$mode'" >&2; exit 2 ;; esac
		if [ "$chains" -gt 1 ]; then
			chain "$m" "$mode" &
			pids+=($!)
		else
			chain "$m" "$mode"
		fi
	done
	for pid in "${pids[@]}"; do wait "$pid"; done
done

tsv="$out/replay.tsv"
{
	printf 'night\tmodel\tmode\tndcg10\thr10\tcpu_s\twall_s\tearly_ndcg10\tusers\tretrain\n'
	for m in $models; do
		for ((d = base; d < start + nights; d++)); do
			for mode in full inc; do
				if [ "$d" = "$base" ]; then
					[ "$mode" = full ] || continue
				else
					[[ " $modes " = *" $mode "* ]] || continue
				fi
				f="$tmp/n$d/$m.$mode.lmrc"
				IFS=$'\t' read -r n h u < <(score "$f" "$tmp/n$d/truth.tsv" "$f.next")
				IFS=$'\t' read -r e _ _ < <(score "$f" "$tmp/early.tsv" "$f.early")
				IFS=$'\t' read -r c w <"$f.time"
				r=0
				[ "$d" = "$base" ] || [ "$mode" = full ] || ! retrain_night "$d" || r=1
				printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -d "@$((d * period))" +%F)" "$m" \
					"$([ "$d" = "$base" ] && echo base || echo "$mode")" "$n" "$h" "$c" "$w" "$e" "$u" "$r"
			done
		done
	done
} >"$tsv"
cat "$tsv"

# summary, per model: over the compared nights, then the same paired user
# by user, with 95% bootstrap intervals (how far the figures can be
# trusted: one night's users are a few hundred)
lastn=$((start + nights - 1))
for m in $models; do
	if ! [[ " $modes " = *" full "* && " $modes " = *" inc "* ]]; then
		# one chain: no inc/full ratio, but its early window against the
		# base night's still tells forgetting
		awk -F'\t' -v x="$m" 'NR == 1 || $2 != x { next } $3 == "base" { e0 = $8; next }
			{ k++; e = $8; if (k == 1 || $8 < lo) lo = $8; c += $6; mode = $3 }
			END { printf "%s: %s only (no inc/full ratio): training CPU %.1f s; early window NDCG@10 base %.4f, last night %.4f (%+.1f%%), lowest %.4f (%+.1f%%) (criterion: drop <= 2%%)\n", x,
				mode, c, e0, e, 100 * (e / e0 - 1), lo, 100 * (lo / e0 - 1) }' "$tsv"
		for mode in $modes; do
			join -t $'\t' "$tmp/n$lastn/$m.$mode.lmrc.early" "$tmp/n$base/$m.full.lmrc.early" | sed 's/^/e\t/' >"$tmp/pairs"
			echo "$m: early window NDCG@10, last night's $mode/base, paired: $(boot "$tmp/pairs")"
		done
		continue
	fi
	awk -F'\t' -v x="$m" 'NR == 1 || $2 != x { next }
		$3 == "base" { e0 = $8; next }
		{ s[$3] += $4; c[$3] += $6; k[$3]++; e[$3] = $8; es[$3] += $8
		  if ($3 == "inc" && (k[$3] == 1 || $8 < lo)) lo = $8
		  if ($3 == "full") f[$1] = $4
		  if ($3 == "inc" && $10 == 0) { ci += $4; cf += f[$1]; cn++ }
		  if ($3 == "inc" && $10 == 1) rn++ }
		END { printf "%s: mean NDCG@10 inc %.4f, full %.4f: ratio %.3f (criterion >= 0.98) over %d nights\n", x,
				s["inc"] / k["inc"], s["full"] / k["full"], s["inc"] / s["full"], k["inc"]
			if (rn) printf "%s: %d of the %d inc nights retrained from scratch (RETRAIN_EVERY); on the %d continued nights alone, NDCG@10 inc %.4f, full %.4f: ratio %.3f\n", x,
				rn, k["inc"], cn, cn ? ci / cn : 0, cn ? cf / cn : 0, cf ? ci / cf : 0
			printf "%s: training CPU inc %.1f s, full %.1f s: ratio %.3f\n", x, c["inc"], c["full"], c["inc"] / c["full"]
			printf "%s: early window NDCG@10 base %.4f, last night inc %.4f (%+.1f%%), full %.4f (%+.1f%%); lowest inc %.4f (%+.1f%%) (criterion: drop <= 2%%)\n", x,
				e0, e["inc"], 100 * (e["inc"] / e0 - 1), e["full"], 100 * (e["full"] / e0 - 1), lo, 100 * (lo / e0 - 1)
			printf "%s: early window NDCG@10 mean over the nights inc %.4f, full %.4f: inc/full %.3f\n", x,
				es["inc"] / k["inc"], es["full"] / k["full"], es["inc"] / es["full"] }' "$tsv"
	for w in next early; do
		for ((d = start; d <= lastn; d++)); do
			join -t $'\t' "$tmp/n$d/$m.inc.lmrc.$w" "$tmp/n$d/$m.full.lmrc.$w" | sed "s/^/$d\t/"
		done >"$tmp/pairs"
		echo "$m: $([ $w = next ] && echo "NDCG@10" || echo "early window NDCG@10") inc/full, paired over every night's users: $(boot "$tmp/pairs")"
		if [ "$w" = next ] && [ "$retrain" -gt 0 ]; then
			for ((d = start; d <= lastn; d++)); do
				retrain_night "$d" || join -t $'\t' "$tmp/n$d/$m.inc.lmrc.$w" "$tmp/n$d/$m.full.lmrc.$w" | sed "s/^/$d\t/"
			done >"$tmp/pairs"
			echo "$m: NDCG@10 inc/full, paired over the continued nights' users: $(boot "$tmp/pairs")"
		fi
	done
	for mode in inc full; do
		join -t $'\t' "$tmp/n$lastn/$m.$mode.lmrc.early" "$tmp/n$base/$m.full.lmrc.early" | sed 's/^/e\t/' >"$tmp/pairs"
		echo "$m: early window NDCG@10, last night's $mode/base, paired: $(boot "$tmp/pairs")"
	done
done

# plot: NDCG@10 per night, inc and full, and the early window's
svg=${PLOT:-$out/replay.svg}
if command -v "$gnuplot" >/dev/null; then
	for m in $models; do
		awk -F'\t' -v m="$m" -v OFS='\t' 'NR > 1 && $2 == m { if ($3 == "base") i = 0; else if ($1 != last) i++; last = $1
			if ($3 == "base") { print i, $4, $8 > (FILENAME ".full." m); print i, $4, $8 > (FILENAME ".inc." m) }
			else print i, $4, $8 > (FILENAME "." $3 "." m) }' "$tsv"
	done
	{
		if [[ "$svg" = *.png ]]; then
			printf "set terminal pngcairo noenhanced size 900,%d font 'sans,10' background '#ffffff'\n" $((340 * $(wc -w <<<"$models")))
		else
			printf "set terminal svg noenhanced size 720,%d dynamic font 'sans,10' background '#ffffff'\n" $((300 * $(wc -w <<<"$models")))
		fi
		printf "set output '%s'\nset datafile separator '\\\\t'\nset key below\nset grid\n" "$svg"
		printf "set multiplot layout %d,1\n" "$(wc -w <<<"$models")"
		for m in $models; do
			printf "set title 'replay, %s: NDCG@10 per night (night 0: the base model)'\n" "$m"
			printf "set xlabel 'night'\nset ylabel 'NDCG@10'\nset xtics 1\n"
			printf "plot '%s' u 1:2 w lp t 'incremental', '%s' u 1:2 w lp t 'full retrain'," "$tsv.inc.$m" "$tsv.full.$m"
			printf " '%s' u 1:3 w lp dt 2 t 'early window, incremental', '%s' u 1:3 w lp dt 2 t 'early window, full'\n" "$tsv.inc.$m" "$tsv.full.$m"
		done
		printf "unset multiplot\n"
	} >"$tmp/plot.gp"
	"$gnuplot" "$tmp/plot.gp"
	rm -f "$tsv".inc.* "$tsv".full.*
	echo "curves: $tsv; plot: $svg"
else
	echo "curves: $tsv; no plot: $gnuplot not found (install gnuplot-nox)"
fi

#!/usr/bin/env bats
# pipelines/nightly.sh: the cron job — publishes, resumes, locks, gates.

load test_helper

# The stages, in order (nightly.sh's STAGES).
STAGE_LIST="ingest embed split fit-valid weights fit-test evaluate fit-full recommend similar churn gate report publish"
# The collaborative channels alone: a lighter night for the tests whose
# subject is not the models (the default adds the content ones).
CF_MODELS="popular itemknn ease als"

setup_file() {
	# whole pipelines under Valgrind take hours: their tools are checked one
	# by one (bats cannot skip from setup_file: setup skips each test)
	[ -z "${LMREC_VALGRIND:-}" ] || return 0
	# One published night shared by the tests that only read it: the
	# default MODELS, with the content channels (the sample has items.tsv).
	export NIGHT1="$BATS_FILE_TMPDIR/night1"
	"$TOP/pipelines/nightly.sh" -q --out "$NIGHT1" --date 2026-11-01 --jobs 2 >"$BATS_FILE_TMPDIR/night1.log" 2>&1 ||
		{ cat "$BATS_FILE_TMPDIR/night1.log" >&2; return 1; }
}

setup() {
	[ -z "${LMREC_VALGRIND:-}" ] || skip "pipelines are not run under Valgrind"
	cd "$BATS_TEST_TMPDIR"
	NIGHTLY="$TOP/pipelines/nightly.sh"
}

@test "nightly: --help lists the options, unknown options exit 2" {
	run "$NIGHTLY" --help
	assert_success
	assert_output --partial '--sshloginfile FILE'
	assert_output --partial '--from-stage STAGE'
	assert_output --partial '"popular itemknn ease als semantic aligned hybrid" when DATA has an'
	assert_output --partial 'EMBED (how the embed stage'
	run -2 "$NIGHTLY" --bogus
	run -2 "$NIGHTLY" --date 2026-13 --dry-run
	run -2 "$NIGHTLY" --from-stage nope --dry-run
}

@test "nightly: --dry-run prints every stage with what it reads and writes" {
	run "$NIGHTLY" --dry-run --out out --date 2026-11-01
	assert_success
	assert_line --partial 'ingest     reads'
	assert_line 'embed      reads work/items.tsv; writes work/tokens.tsv work/vectors.tsv (tfidf) for semantic aligned hybrid'
	assert_line 'fit-valid  reads work/folds.tsv.gz; writes work/valid/{popular,itemknn,ease,als,semantic,aligned,hybrid}.lmrc (train fold)'
	assert_line --partial 'recommend  reads work/full/*.lmrc'
	assert_line --partial 'publish    writes'
	# every stage, in order, after the run's line
	[ "$(echo "$output" | tail -n +2 | cut -d' ' -f1 | tr '\n' ' ')" = "$STAGE_LIST " ]
	grep -qx "STAGES=($STAGE_LIST)" "$NIGHTLY"
	[ ! -e out/runs ]
	# without an items.tsv the default is the collaborative channels, and
	# embed has nothing to do
	mkdir noitems
	cp "$TOP/sample-data/interactions.tsv.gz" noitems/
	run "$NIGHTLY" --dry-run --data noitems --out out --date 2026-11-01
	assert_success
	assert_line 'embed      no content model among MODELS: writes nothing'
	assert_line 'fit-valid  reads work/folds.tsv.gz; writes work/valid/{popular,itemknn,ease,als}.lmrc (train fold)'
}

@test "nightly: a published night has its table, metrics, similar items, logs and status" {
	run cat "$NIGHT1/runs/2026-11-01/status"
	assert_output published
	[ "$(readlink "$NIGHT1/current")" = runs/2026-11-01 ]
	for f in recommendations.tsv.gz metrics.tsv similar-items.tsv.gz churn.tsv gate.tsv stages.tsv report.html; do
		[ -s "$NIGHT1/current/$f" ] || { echo "missing $f"; false; }
	done
	for s in $STAGE_LIST; do
		grep -q "^== $s: ok in" "$NIGHT1/current/log/$s.log" || { echo "log of $s"; false; }
	done
	# every user of the data gets TOP=10 rows, ranks 1..10, a reason on each
	run bash -c "gzip -dc '$NIGHT1/current/recommendations.tsv.gz' | awk -F'\t' 'NR>1 { n[\$1]++; if (\$5 == \"\") bad++ }
		END { for (u in n) if (n[u] != 10) odd++; print length(n), odd + 0, bad + 0 }'"
	users=$(gzip -dc "$TOP/sample-data/interactions.tsv.gz" | tail -n +2 | cut -f1 | sort -u | wc -l)
	assert_output "$users 0 0"
	# segments: cold items, users by activity, user groups (age_band, the
	# second column of the sample's users.tsv)
	for seg in item=cold activity=0-5 age_band=25-34; do
		grep -q $'^ndcg\t10\t'"$seg"$'\t' "$NIGHT1/current/metrics.tsv" || { echo "no segment $seg"; false; }
	done
	# the gate's verdict and the history
	run cut -f8 "$NIGHT1/current/gate.tsv"
	assert_line pass
	run awk -F'\t' 'NR>1 && $2=="ndcg" && $3==10 && $4=="all" { print $1, $8 }' "$NIGHT1/history.tsv"
	assert_output '2026-11-01 published'
}

@test "nightly: EXPLAIN=full publishes each row's score taken apart, the table otherwise the same" {
	run env EXPLAIN=full "$NIGHTLY" -q --out out --date 2026-11-01 --jobs 2
	assert_success
	run sh -c 'gzip -dc out/current/recommendations.tsv.gz | head -n 1'
	assert_output $'user\trank\titem\tscore\treason\texplain'
	# the same lists and scores as the night without it (the reasons may
	# name other history items: those that contributed most)
	cmp <(gzip -dc out/current/recommendations.tsv.gz | cut -f1-4) <(gzip -dc "$NIGHT1/current/recommendations.tsv.gz" | cut -f1-4)
	# every row takes its score apart: the channels' terms, the history
	run sh -c "gzip -dc out/current/recommendations.tsv.gz | awk -F'\t' 'NR > 1 { n++; if (\$6 ~ /^ch=[a-z]+:/) ch++; if (\$6 ~ /[|]hist=[^|]/) h++ }
		END { print n, n - ch, (h / n > 0.9) }'"
	[[ "$output" =~ ^[0-9]+\ 0\ 1$ ]] || { echo "$output"; false; }
	run -2 --separate-stderr env EXPLAIN=some "$NIGHTLY" --out out2 --date 2026-11-01 --dry-run
	assert_equal "$stderr" "nightly.sh: EXPLAIN: unknown mode 'some' (expected reason or full)"
}

@test "nightly: DATA/feedback.tsv: refused pairs leave training, refused items and near duplicates never come back" {
	mkdir data
	cp "$TOP/sample-data/items.tsv" "$TOP/sample-data/interactions.tsv.gz" data/
	# every 97th interaction refused a second later, every 89th dwelt on
	gzip -dc data/interactions.tsv.gz | awk -F'\t' 'BEGIN { print "user\titem\tts\tsignal\tvalue" }
		NR > 1 && NR % 97 == 0 { print $1 "\t" $2 "\t" $3 + 1 "\tnot_interested\t" }
		NR > 1 && NR % 89 == 0 { print $1 "\t" $2 "\t" $3 + 1 "\tdwell\t" NR % 300 + 1 }' >data/feedback.tsv
	run env MODELS="popular ease" "$NIGHTLY" -q --data data --out out --date 2026-11-01 --jobs 2
	assert_success
	local run=out/current
	# the refusals, with their near duplicates, in the deny-list
	refused=$(awk -F'\t' '$4 == "not_interested"' data/feedback.tsv | cut -f1,2 | sort -u | wc -l)
	[ "$(awk -F'\t' '$4 == "not interested"' "$run/work/blocked.tsv" | wc -l)" -eq "$refused" ]
	[ "$(grep -c 'near duplicate of' "$run/work/blocked.tsv")" -gt 0 ]
	# no refused pair is left in what the models trained on
	run sh -c "gzip -dc $run/work/interactions.tsv.gz | awk -F'\t' 'NR == FNR { if (\$4 == \"not_interested\") r[\$1 \"\t\" \$2] = 1; next }
		(\$1 \"\t\" \$2) in r { n++ } END { print n + 0 }' data/feedback.tsv -"
	assert_output 0
	# and nothing on the deny-list is recommended to its user
	run sh -c "gzip -dc $run/recommendations.tsv.gz | awk -F'\t' 'NR == FNR { b[\$1 \"\t\" \$2] = 1; next }
		FNR > 1 && (\$1 \"\t\" \$3) in b { n++ } END { print n + 0 }' $run/work/blocked.tsv -"
	assert_output 0
	grep -q "^lmrec-feedback: .* $refused items refused" "$run/log/ingest.log"
	# the feedback is an input of the audit record
	[ "$(awk -F'\t' '$1 == "input" && $2 == "feedback" { print $4 }' "$run/audit.tsv")" = \
		"$(sha256sum <data/feedback.tsv | cut -d' ' -f1)" ]
	# bad feedback: exit 65 naming its own file and line, nothing published
	printf 'u0001\tshop-0001\t5\tlike\t\n' >>data/feedback.tsv
	n=$(wc -l <data/feedback.tsv)
	run --separate-stderr "$NIGHTLY" -q --data data --out out --date 2026-11-02 --jobs 2
	[ "$status" -eq 65 ]
	[[ "$stderr" == "nightly.sh: ingest failed: lmrec-feedback: data/feedback.tsv:$n: column 'signal': 'like' is not a signal"* ]] ||
		{ echo "$stderr"; false; }
	[ "$(readlink out/current)" = runs/2026-11-01 ]
}

@test "nightly: EXPLORE and EXPLORE_DAYS are checked before anything runs" {
	run -2 --separate-stderr env EXPLORE=2 "$NIGHTLY" --out out --date 2026-11-01 --dry-run
	assert_equal "$stderr" "nightly.sh: EXPLORE wants a share from 0 to 1, not '2'"
	run -2 --separate-stderr env EXPLORE=0.2 EXPLORE_DAYS=x "$NIGHTLY" --out out --date 2026-11-01 --dry-run
	assert_equal "$stderr" "nightly.sh: EXPLORE_DAYS wants a number of days, not 'x'"
	mkdir data
	cp "$TOP/sample-data/interactions.tsv.gz" data/
	run -2 --separate-stderr env EXPLORE=0.2 MODELS=popular "$NIGHTLY" --data data --out out --date 2026-11-01 --dry-run
	assert_equal "$stderr" "nightly.sh: EXPLORE needs an items.tsv with a released column in data"
	run -0 env EXPLORE=.25 "$NIGHTLY" --out out --date 2026-11-01 --dry-run
}

@test "nightly: PROFILE_WEIGHT sets the profiles' boost of the published lists, PROFILE_HALF_LIFE the store's half-life" {
	run -2 --separate-stderr env PROFILE_WEIGHT=-1 "$NIGHTLY" --out out --date 2026-11-01 --dry-run
	assert_equal "$stderr" "nightly.sh: PROFILE_WEIGHT wants a number from 0 up, not '-1'"
	run -2 --separate-stderr env PROFILE_HALF_LIFE=0 "$NIGHTLY" --out out --date 2026-11-01 --dry-run
	assert_equal "$stderr" "nightly.sh: PROFILE_HALF_LIFE wants a number of days (0.001 or more), not '0'"
	run -0 "$NIGHTLY" --out out --date 2026-11-01 --dry-run
	assert_line --partial 'OUT/profile.lmp (the refusals); writes'
	run -0 env PROFILE_WEIGHT=0.05 "$NIGHTLY" --out out --date 2026-11-01 --dry-run
	assert_line --partial 'OUT/profile.lmp (the refusals, and boosts of up to 0.05 of the best score); writes'
	# the default, weight 0: the refusals alone, no row is boosted by the
	# profile
	export MODELS="popular ease"
	run -0 "$NIGHTLY" -q --out out --date 2026-11-01 --jobs 2
	[ "$(gzip -dc out/current/recommendations.tsv.gz | grep -c 'your profile')" = 0 ]
	run -0 lmrec-profile --store out/profile.lmp --check
	assert_line "half_life	30"
	# another half-life: the kept store is compacted to it; a weight boosts
	# rows, and their reasons say so
	run -0 env PROFILE_HALF_LIFE=7 PROFILE_WEIGHT=0.2 "$NIGHTLY" -q --out out --date 2026-11-02 --jobs 2
	run -0 lmrec-profile --store out/profile.lmp --check
	assert_line "half_life	7"
	[ "$(gzip -dc out/current/recommendations.tsv.gz | grep -c 'your profile')" -gt 1000 ]
}

@test "nightly: never recommends an item marked available=0" {
	run bash -c "awk -F'\t' 'NR==1 { for (i = 1; i <= NF; i++) if (\$i == \"available\") a = i; next } \$a == \"0\" { print \$1 }' \
		'$TOP/sample-data/items.tsv' | sort >gone;
		[ -s gone ] || { echo 'sample data has no unavailable item'; exit 1; };
		gzip -dc '$NIGHT1/current/recommendations.tsv.gz' | cut -f3 | sort -u | comm -12 - gone"
	assert_success
	[ -z "$output" ]
}

@test "nightly: the published table is ordered by user, then rank" {
	run bash -c "gzip -dc '$NIGHT1/current/recommendations.tsv.gz' | tail -n +2 | cut -f1,2 >got;
		LC_ALL=C sort -s -t'	' -k1,1 -k2,2n got | cmp - got"
	assert_success
}

@test "nightly: two runs started together: one publishes, the other exits 75" {
	cp -r "$NIGHT1" out
	MODELS="$CF_MODELS" "$NIGHTLY" -q --out out --date 2026-11-02 --jobs 1 >a.log 2>&1 &
	pid=$!
	sleep 0.5
	run -75 --separate-stderr "$NIGHTLY" -q --out out --date 2026-11-02
	[[ "$stderr" == *"another run holds the lock"* ]]
	wait "$pid"
	[ "$(cat out/runs/2026-11-02/status)" = published ]
	[ "$(readlink out/current)" = runs/2026-11-02 ]
}

@test "nightly: SIGKILL in the middle of any stage leaves current as it was, the next run finishes" {
	skip_if_slow
	cp -r "$NIGHT1" out
	for s in $STAGE_LIST; do
		run env LMREC_FAULT_STAGE="$s" "$NIGHTLY" -q --out out --date 2026-11-03 --jobs 2
		[ "$status" -eq 137 ] || { echo "stage $s: exit $status"; false; }
		[ "$(readlink out/current)" = runs/2026-11-01 ] || [ "$s" = publish ] ||
			{ echo "current moved after a kill in $s"; false; }
		[ "$(cat out/runs/2026-11-03/status)" = running ]
		[ ! -e "out/runs/2026-11-03/work/.done-$s" ] || { echo "$s marked done"; false; }
	done
	run "$NIGHTLY" -q --out out --date 2026-11-03 --jobs 2
	assert_success
	[ "$(cat out/runs/2026-11-03/status)" = published ]
	[ "$(readlink out/current)" = runs/2026-11-03 ]
	# the finished night equals an uninterrupted one of the same date (the
	# profiles decay to the night's date; ALS continues night 1's)
	cp -r "$NIGHT1" ref
	"$NIGHTLY" -q --out ref --date 2026-11-03 --jobs 2
	gzip -dc out/runs/2026-11-03/recommendations.tsv.gz | cmp - <(gzip -dc ref/runs/2026-11-03/recommendations.tsv.gz)
}

@test "nightly: a night whose metrics fall under the gate exits 3 and leaves current alone" {
	cp -r "$NIGHT1" out
	# the same catalog, but interactions with their items shuffled: no signal
	mkdir bad
	cp "$TOP/sample-data/items.tsv" bad/
	gzip -dc "$TOP/sample-data/interactions.tsv.gz" |
		awk -F'\t' 'BEGIN { OFS = "\t"; srand(3) } NR == 1 { print; next } { item[NR] = $2; row[NR] = $0; n = NR }
			END { for (i = 2; i <= n; i++) { j = 2 + int(rand() * (n - 1)); t = item[i]; item[i] = item[j]; item[j] = t }
			      for (i = 2; i <= n; i++) { split(row[i], f, "\t"); f[2] = item[i]; print f[1], f[2], f[3], f[4], f[5] } }' >bad/interactions.tsv
	run -3 env MODELS="$CF_MODELS" "$NIGHTLY" -q --data bad --out out --date 2026-11-04 --jobs 2
	[ "$(cat out/runs/2026-11-04/status)" = refused ]
	[ "$(readlink out/current)" = runs/2026-11-01 ]
	run cut -f8 out/runs/2026-11-04/gate.tsv
	assert_line refuse
	# the refused night keeps its report, marked refused
	grep -q 'id="status">refused<' out/runs/2026-11-04/report.html
	run awk -F'\t' 'NR>1 && $2=="ndcg" && $3==10 && $4=="all" { print $1, $8 }' out/history.tsv
	assert_output "$(printf '2026-11-01 published\n2026-11-04 refused')"
}

@test "nightly: a config file sets options, the command line wins, unknown keys exit 65" {
	printf 'OUT=%s\nTOP=3\n# a comment\nKEEP=5\n' "$PWD/cfg-out" >night.conf
	run "$NIGHTLY" --config night.conf --dry-run --date 2026-11-01
	assert_success
	assert_line --partial "into $PWD/cfg-out/runs/2026-11-01"
	run "$NIGHTLY" --config night.conf --out other --dry-run --date 2026-11-01
	assert_line --partial "into $PWD/other/runs/2026-11-01"
	printf 'NOPE=1\n' >bad.conf
	run -65 --separate-stderr "$NIGHTLY" --config bad.conf --dry-run
	[ "$stderr" = "nightly.sh: bad.conf:1: unknown key 'NOPE'" ]
}

@test "nightly: EVAL_USERS measures a seeded sample of users, and every user still gets a list" {
	run -0 env MODELS="popular als" EVAL_USERS=300 "$NIGHTLY" -q --data "$TOP/sample-data" --out out --date 2026-11-01 --jobs 2
	w=out/runs/2026-11-01/work
	[ "$(tail -n +2 "$w/test-users.tsv" | wc -l)" -eq 300 ]
	[ "$(tail -n +2 "$w/valid-users.tsv" | wc -l)" -eq 300 ]
	# the metrics count the 300 users; the published table has everyone
	run -0 awk -F'\t' '$1 == "ndcg" && $2 == 10 && $3 == "all" { print $5 }' out/current/metrics.tsv
	assert_output 300
	[ "$(gzip -dc out/current/recommendations.tsv.gz | cut -f 1 | sort -u | wc -l)" -eq 958 ]
	run -0 env EVAL_USERS=5 "$NIGHTLY" --dry-run --out out2 --date 2026-11-01
	assert_line --partial 'writes work/folds.tsv.gz (leave-last-out for 5 users)'
	run -2 --separate-stderr env EVAL_USERS=some "$NIGHTLY" --dry-run --out out2
	assert_equal "$stderr" "nightly.sh: EVAL_USERS wants a count of users (0: every user), not 'some'"
}

@test "nightly: retention keeps the last N runs and never the current one" {
	cp -r "$NIGHT1" out
	mkdir -p out/runs/2026-10-01 out/runs/2026-10-02 out/runs/2026-10-03
	run env MODELS="$CF_MODELS" "$NIGHTLY" -q --out out --date 2026-11-05 --keep 2 --jobs 2
	assert_success
	run ls out/runs
	assert_output "$(printf '2026-11-01\n2026-11-05')"
}

@test "nightly: the default night on the sample data blends the content channels, with their reasons" {
	w="$NIGHT1/current/work"
	for f in tokens.tsv vectors.tsv full/semantic.lmrc full/aligned.lmrc full/hybrid.lmrc full/als.lmrc; do
		[ -s "$w/$f" ] || { echo "missing work/$f"; false; }
	done
	grep -qx 'the words of 1300 items, their tfidf vectors, for semantic aligned hybrid' "$NIGHT1/current/log/embed.log"
	run cut -f1 "$w/weights.tsv"
	assert_output "$(printf 'channel\naligned\nals\nease\nhybrid\nitemknn\npopular\nsemantic')"
	# each content channel gives some rows their reason; semantic and
	# aligned name the history item the recommendation is like
	run bash -c "gzip -dc '$NIGHT1/current/recommendations.tsv.gz' | tail -n +2 | cut -f5 | sed -n 's/^\(semantic\|aligned\|hybrid\): .*/\1/p' | sort | uniq -c | awk '\$1 > 0 { print \$2 }'"
	assert_output "$(printf 'aligned\nhybrid\nsemantic')"
	gzip -dc "$NIGHT1/current/recommendations.tsv.gz" | grep -qE $'\tsemantic: similar to [^\t]+$'
	gzip -dc "$NIGHT1/current/recommendations.tsv.gz" | grep -qE $'\thybrid: because you liked [^\t]+$'
	# and they lift the NDCG@10 of the test fold over the collaborative
	# channels alone (0.1071 with the same seed)
	run awk -F'\t' '$1 == "ndcg" && $2 == 10 && $3 == "all" { print ($4 > 0.11) }' "$NIGHT1/current/metrics.tsv"
	assert_output 1
}

@test "nightly: content channels alone run end to end, similar items from semantic" {
	run env MODELS="popular semantic aligned" ALS_OPTS="--factors 16 --iters 3" POOL=30 \
		"$NIGHTLY" -q --out out --date 2026-11-06 --jobs 2
	assert_success
	[ "$(cat out/runs/2026-11-06/status)" = published ]
	# aligned's ALS is trained for it, but is no channel
	[ -s out/current/work/full/als.lmrc ]
	run cut -f1 out/current/work/weights.tsv
	assert_output "$(printf 'channel\naligned\npopular\nsemantic')"
	# the reasons come from the night's channels (semantic, with a small
	# learned weight here, may lead no row at all: its reasons are checked
	# in the default night)
	run bash -c "gzip -dc out/current/recommendations.tsv.gz | tail -n +2 | cut -f5 | cut -d: -f1 | sort -u | grep -vx semantic"
	assert_output "$(printf 'aligned\npopular')"
	# no collaborative model with item similarity: semantic's nearest items
	grep -qx 'similar items from semantic.lmrc' out/current/log/similar.log
	run bash -c "gzip -dc out/current/similar-items.tsv.gz | awk -F'\t' 'NR > 1 && \$5 !~ /^similar to / { bad++ } NR > 1 { n++ } END { print (n > 0), bad + 0 }'"
	assert_output '1 0'
}

@test "nightly: a content channel without items.tsv, or a bad EMBED, is a usage error" {
	mkdir noitems
	cp "$TOP/sample-data/interactions.tsv.gz" noitems/
	for m in semantic aligned hybrid; do
		run -2 --separate-stderr env MODELS="popular $m" "$NIGHTLY" -q --data noitems --out out --date 2026-11-07
		[ "$stderr" = "nightly.sh: MODELS: the content channels ($m) need the items' words, and noitems has no items.tsv" ]
	done
	[ ! -e out ]
	run -2 --separate-stderr env EMBED=nope "$NIGHTLY" --dry-run --out out
	[ "$stderr" = "nightly.sh: EMBED: unknown method 'nope' (expected tfidf, subword, vec or bert)" ]
	run -2 --separate-stderr env EMBED=bert "$NIGHTLY" --dry-run --out out
	[[ "$stderr" == "nightly.sh: EMBED=bert needs bert=DIR"* ]]
	run -2 env MODELS="ease nope" "$NIGHTLY" --dry-run --out out
}

@test "nightly: sasrec trains once a night, then continues the published night's network on the new rows" {
	# night 1 sees the interactions up to a day, night 2 every one
	mkdir d1 d2
	cp "$TOP/sample-data/items.tsv" d1/
	cp "$TOP/sample-data/items.tsv" d2/
	gzip -dc "$TOP/sample-data/interactions.tsv.gz" >d2/interactions.tsv
	awk -F'\t' 'NR == 1 || $3 <= 1792880784' d2/interactions.tsv >d1/interactions.tsv
	export MODELS="popular ease sasrec" SASREC_OPTS="--factors 16 --maxlen 50 --epochs 4"
	run "$NIGHTLY" --data d1 --out out --date 2026-11-01 --jobs 2
	assert_success
	grep -q '^sasrec	' out/runs/2026-11-01/work/weights.tsv
	! grep -q continuing out/runs/2026-11-01/log/fit-valid.log
	# the test and full models are the valid fold's network, not trained again
	grep -q 'sasrec: continuing .*/2026-11-01/work/valid/sasrec.lmrc' out/runs/2026-11-01/log/fit-full.log
	grep -q 'sasrec: .* best epoch 0; load' out/runs/2026-11-01/log/fit-full.log
	run "$NIGHTLY" --data d2 --out out --date 2026-11-02 --jobs 2
	assert_success
	run cat out/runs/2026-11-02/log/fit-valid.log
	assert_output --partial "sasrec: continuing $PWD/out/runs/2026-11-01/work/valid/sasrec.lmrc"
	assert_output --regexp 'sasrec: [0-9]+ of 957 users have rows after [0-9]+; a share 0.2 of the others replayed'
	assert_output --partial ' new)'
	# INCREMENTAL=0 starts from scratch
	run env INCREMENTAL=0 "$NIGHTLY" --data d2 --out out --date 2026-11-03 --jobs 2
	assert_success
	! grep -q continuing out/runs/2026-11-03/log/fit-valid.log
	run -2 env INCREMENTAL=yes "$NIGHTLY" --data d2 --out out --date 2026-11-04 --dry-run
}

@test "nightly: als continues the published night's model, and every RETRAIN_EVERY-th night starts afresh" {
	export MODELS="popular als" RETRAIN_EVERY=2
	for d in 01 02 03; do
		run "$NIGHTLY" -q --out out --date 2026-11-$d --jobs 2
		assert_success
	done
	# night 1: nothing to continue; night 2: the three folds' models go on
	# from night 1's, three iterations; night 3: the second night of a
	# chain with RETRAIN_EVERY=2 starts afresh
	[ "$(cat out/runs/2026-11-01/work/lineage)" = 0 ]
	[ "$(cat out/runs/2026-11-02/work/lineage)" = 1 ]
	[ "$(cat out/runs/2026-11-03/work/lineage)" = 0 ]
	! grep -q 'als: continuing' out/runs/2026-11-01/log/fit-*.log
	for s in valid test full; do
		grep -q "^als: continuing $PWD/out/runs/2026-11-01/work/$s/als.lmrc\$" out/runs/2026-11-02/log/fit-$s.log
		grep -q '^als: from scratch: the published night.s models continued 1 nights in a row (RETRAIN_EVERY=2)$' \
			out/runs/2026-11-03/log/fit-$s.log
	done
	# the previous night's models it continued are in the audit (and
	# checked by reproduce.sh)
	awk -F'\t' '$1 == "previous" { print $2 }' out/runs/2026-11-02/audit.tsv | grep -qx 'work/valid/als.lmrc'
	awk -F'\t' '$1 == "previous" { print $2 }' out/runs/2026-11-02/audit.tsv | grep -qx 'work/lineage'
	# a continued night is not the night trained from scratch
	! cmp -s out/runs/2026-11-02/work/full/als.lmrc out/runs/2026-11-03/work/full/als.lmrc
	# RETRAIN_EVERY=0: never afresh; a bad count is a usage error
	run env RETRAIN_EVERY=0 "$NIGHTLY" -q --out out --date 2026-11-04 --jobs 2
	assert_success
	[ "$(cat out/runs/2026-11-04/work/lineage)" = 1 ]
	run -2 --separate-stderr env RETRAIN_EVERY=weekly "$NIGHTLY" --dry-run --out out
	[ "$stderr" = "nightly.sh: RETRAIN_EVERY wants a count of nights (0: never), not 'weekly'" ]
}

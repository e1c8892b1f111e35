#!/usr/bin/env bash
# One profile across domains, measured: for every ordered pair of domains
# (A, B), a user's items of B predicted from their items of A alone, by the
# crossdomain channel of lmrec-recall, against the popularity of B's items.
# The users are cut into folds; a fold's users have their B rows hidden
# from training, and each is scored from their A rows.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LMREC_PIPELINE=crossdomain.sh
. "$here/lib.sh"
lmrec_tools_path "$here"

usage() {
	cat <<'EOF'
Usage: crossdomain.sh [--data DIR] [OPTION]...
Predict each user's items of one domain from their items of another, for
every ordered pair of domains, and print NDCG and HR against popularity.

  --data DIR          interactions.tsv[.gz] and items.tsv (with a domain
                      column); default: the sample-data beside the pipelines
  --domains LIST      the domains, comma-separated (default: every domain of
                      items.tsv); the pairs are their ordered pairs
  --folds N           user folds (default 5): each user is tested once
  --k N               the cut-off of NDCG and HR (default 10)
  --signals           also the two signals alone: co-occurrence
                      (semantic weight 0) and content (co-occurrence
                      weight 0)
  --set KEY=VALUE     an option of lmrec-train --model crossdomain
                      (semantic_weight=2, shrink=50, neighbors=100);
                      repeatable
  --embed METHOD      tfidf (default), subword, vec or bert: the text
                      vectors of the shared space
  --embed-set KEY=VALUE  an option of lmrec-embed or lmrec-tokenize;
                      repeatable
  --seed N            seed of the folds and the text vectors (default 1)
  --keep DIR          keep the working files in DIR (a domain's files
                      carry its name, or %N, its place in the list, when
                      the name is not a plain word)
  -j, --threads N     threads (default 1)
  -q, --quiet         no progress on standard error
  -h, --help          show this help

The protocol. The users (all of them, in an order fixed by a hash of the
seed and the user id) are dealt into N folds. For each domain B and fold
f, the models learn from every interaction except the B rows of f's users
(lmrec-train --model crossdomain, and --model popular); then for each
other domain A, each user of f with rows in both A and B is scored from
their A rows alone (lmrec-recall --history, --from-domain A --to-domain
B), and popular ranks B's items by their users in training. The hidden B
rows are the truth (lmrec-eval, full ranking over B's items). A user's B
rows never reach a model that scores them; the text vectors are made from
items.tsv alone.

Standard output is one row per ordered pair, a header first:
  from to users ndcg_crossdomain ndcg_popular se_diff hr_crossdomain
  hr_popular
(and ndcg_cooccurrence ndcg_semantic with --signals): NDCG and HR at --k
over the users scored, and se_diff the standard error of the mean of the
users' NDCG differences (crossdomain minus popular). Progress goes to
standard error.
EOF
	exit "${1:-0}"
}

data="$here/../sample-data" domains= nfolds=5 k=10 signals= seed=1 keep= threads=1 QUIET=
embed=tfidf
sets=() embed_sets=() modalities=()
while [ $# -gt 0 ]; do
	case "$1" in
	--data) data="${2:?--data needs a folder}"; shift 2 ;;
	--domains) domains="${2:?--domains needs a list}"; shift 2 ;;
	--folds) nfolds="${2:?--folds needs a number}"; shift 2 ;;
	--k) k="${2:?--k needs a number}"; shift 2 ;;
	--signals) signals=1; shift ;;
	--set)
		[[ "${2:-}" == ?*=* ]] || die "--set wants KEY=VALUE, not '${2:-}'" 2
		sets+=("$2")
		shift 2
		;;
	--embed | --embed-set) content_arg "$1" "${2:-}"; shift 2 ;;
	--seed) seed="${2:?--seed needs a number}"; shift 2 ;;
	--keep) keep="${2:?--keep needs a folder}"; shift 2 ;;
	-j | --threads) threads="${2:?--threads needs a number}"; shift 2 ;;
	-j?*) threads="${1#-j}"; shift ;;
	-q | --quiet) QUIET=1; shift ;;
	-h | --help) usage 0 ;;
	*) printf 'crossdomain.sh: unknown option %s\n' "$1" >&2; usage 2 >&2 ;;
	esac
done
no_dash data keep
[[ "$nfolds" =~ ^([2-9]|[1-9][0-9]+)$ ]] || die "--folds wants a number of at least 2, not '$nfolds'" 2
[[ "$k" =~ ^[1-9][0-9]*$ ]] || die "--k wants a positive number, not '$k'" 2
[[ "$seed" =~ ^[0-9]+$ ]] || die "--seed wants a number, not '$seed'" 2
[[ "$threads" =~ ^[1-9][0-9]*$ ]] || die "--threads wants a positive number, not '$threads'" 2
content_options
train_opts=()
for s in "${sets[@]}"; do mapfile -d '' -t -O "${#train_opts[@]}" train_opts < <(set_to_options "$s"); done
inter=$(data_file "$data" interactions.tsv)
[ -n "$inter" ] || die "$data: no interactions.tsv or interactions.tsv.gz" 65
items=$(data_file "$data" items.tsv)
[ -n "$items" ] || die "$data: no items.tsv: the domains of the items come from it" 65

work=$(mktemp -d "${TMPDIR:-/tmp}/lmrec-crossdomain.XXXXXX")
# (INT and TERM end the script, and the EXIT trap removes the folder: a
# trap that only removed it would let the script go on without it)
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- the data, checked once; each item's domain ----
t0=$(now)
lmrec-ingest -q -o "$work/interactions.tsv" "$inter"
lmrec-ingest -q --kind items -o "$work/items.tsv" "$items"
awk -F'\t' -v name="$items" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "domain") d = i
		if (!d) { print "crossdomain.sh: " name ":1: no column '\''domain'\''" > "/dev/stderr"; exit 65 }
		next }
	$d == "" { print "crossdomain.sh: " name ":" NR ": column '\''domain'\'': empty" > "/dev/stderr"; exit 65 }
	{ print $1 "\t" $d }' "$work/items.tsv" >"$work/domain-of.txt" || exit 65
# A domain's name comes from the data: it is part of a file name only when
# it is a plain word (letters, digits, _ and ., no dot first); any other
# name (a slash, "..", a space, a dash, which would make "recs-A-B.tsv"
# ambiguous) is "%" and its number in doms.
# It reaches awk through ENVIRON (-v would undo its escapes).
if [ -z "$domains" ]; then
	mapfile -t doms < <(cut -f2 "$work/domain-of.txt" | LC_ALL=C sort -u)
	domains="${doms[*]}"
else
	IFS=, read -r -a doms <<<"$domains"
fi
[ ${#doms[@]} -ge 2 ] || die "--domains: at least two domains are needed, not '$domains'" 2
for d in "${doms[@]}"; do
	# (awk reads the whole file: an early-exiting grep -q would make cut
	# die of SIGPIPE, which pipefail reports as a failure)
	d="$d" awk -F'\t' '$2 == ENVIRON["d"] { found = 1 } END { exit !found }' "$work/domain-of.txt" ||
		die "--domains: '$d' is not a domain of $items" 2
done
dkey=()
for i in "${!doms[@]}"; do
	if [[ "${doms[i]}" =~ ^[A-Za-z0-9_][A-Za-z0-9_.]*$ ]]; then dkey[i]="${doms[i]}"; else dkey[i]="%$i"; fi
	printf '%s\t%s\n' "${doms[i]}" "${dkey[i]}"
done >"$work/domain-key.txt"
say "${#doms[@]} domains: ${doms[*]}"

# ---- text vectors: from the items alone ----
content_vectors "$work/items.tsv" "$work/tokens.tsv" "$work/vectors.tsv"

# ---- the folds of the users: ranked by a hash of seed and id, dealt ----
# (the hash is computed in awk's doubles below 2^53, the same everywhere)
LC_ALL=C awk -F'\t' -v seed="$seed" '
	BEGIN { for (i = 1; i < 256; i++) ord[sprintf("%c", i)] = i }
	NR > 1 && !seen[$1]++ {
		h = (seed % 1000003) + 7
		for (i = 1; i <= length($1); i++) h = (h * 131 + ord[substr($1, i, 1)]) % 1000000007
		print h "\t" $1
	}' "$work/interactions.tsv" | LC_ALL=C sort -t "$(printf '\t')" -k1,1n -k2,2 |
	awk -F'\t' -v n="$nfolds" '{ print $2 "\t" (NR - 1) % n }' >"$work/fold-of.txt"
say "$(wc -l <"$work/fold-of.txt") users in $nfolds folds: $(elapsed "$t0" "$(now)") s"

# each fold's rows by domain: F/rows-D.tsv, the rows of the domain whose
# key is D of the users of fold F (a header first; rows-%x.tsv for the
# domains not asked for); and every row's fold and domain
for ((f = 0; f < nfolds; f++)); do mkdir -p "$work/fold-$f"; done
dest="$work" awk -F'\t' '
	FILENAME == ARGV[1] { key[$1] = $2; next }
	FILENAME == ARGV[2] { dom[$1] = $2; next }
	FILENAME == ARGV[3] { fold[$1] = $2; next }
	FNR == 1 { header = $0; next }
	{
		out = ENVIRON["dest"] "/fold-" fold[$1] "/rows-" (dom[$2] in key ? key[dom[$2]] : "%x") ".tsv"
		if (!(out in started)) { print header > out; started[out] = 1 }
		print > out
		print fold[$1] "\t" dom[$2] > (ENVIRON["dest"] "/row-keys.txt")
	}' "$work/domain-key.txt" "$work/domain-of.txt" "$work/fold-of.txt" "$work/interactions.tsv"

# users_of FILE: the users of a rows file, one a line, sorted
users_of() { [ ! -e "$1" ] || tail -n +2 "$1" | cut -f1 | LC_ALL=C sort -u; }

# the candidates and the truth of each pair (domains ai and bi of doms,
# their files named by dkey), gathered over the folds
for ai in "${!doms[@]}"; do
	for bi in "${!doms[@]}"; do
		[ "${doms[ai]}" != "${doms[bi]}" ] || continue
		for s in recs pop co sem; do : >"$work/$s-${dkey[ai]}-${dkey[bi]}.tsv"; done
		head -n 1 "$work/interactions.tsv" >"$work/truth-${dkey[ai]}-${dkey[bi]}.tsv"
	done
done

# ---- per target domain and fold: train without the fold's B rows ----
for bi in "${!doms[@]}"; do
	b="${doms[bi]}"
	b="$b" awk -F'\t' 'BEGIN { print "item" } $2 == ENVIRON["b"] { print $1 }' "$work/domain-of.txt" >"$work/items-${dkey[bi]}.tsv"
	for ((f = 0; f < nfolds; f++)); do
		t0=$(now)
		dir="$work/${dkey[bi]}-$f" fd="$work/fold-$f"
		mkdir -p "$dir"
		# training: every row but the B rows of f's users
		b="$b" awk -F'\t' -v f="$f" 'FILENAME == ARGV[1] { hide[FNR + 1] = ($1 == f && $2 == ENVIRON["b"]); next }
			FNR == 1 || !hide[FNR]' "$work/row-keys.txt" "$work/interactions.tsv" >"$dir/train.tsv"
		lmrec-train -q --model crossdomain --items "$work/items.tsv" --vectors "$work/vectors.tsv" \
			-j "$threads" "${train_opts[@]}" -o "$dir/xd.lmrc" "$dir/train.tsv"
		lmrec-train -q --model popular -o "$dir/popular.lmrc" "$dir/train.tsv"
		if [ -n "$signals" ]; then
			lmrec-train -q --model crossdomain --items "$work/items.tsv" --vectors "$work/vectors.tsv" \
				-j "$threads" "${train_opts[@]}" --semantic-weight 0 --cooccurrence-weight 1 \
				-o "$dir/co.lmrc" "$dir/train.tsv"
			lmrec-train -q --model crossdomain --items "$work/items.tsv" --vectors "$work/vectors.tsv" \
				-j "$threads" "${train_opts[@]}" --semantic-weight 1 --cooccurrence-weight 0 \
				-o "$dir/sem.lmrc" "$dir/train.tsv"
		fi
		users_of "$fd/rows-${dkey[bi]}.tsv" >"$dir/users-b.txt"
		for ai in "${!doms[@]}"; do
			a="${doms[ai]}"
			[ "$a" != "$b" ] || continue
			# f's users with rows in both A and B: their A rows are the
			# query, their B rows the truth
			{
				echo user
				users_of "$fd/rows-${dkey[ai]}.tsv" | LC_ALL=C comm -12 - "$dir/users-b.txt"
			} >"$dir/users-${dkey[ai]}.tsv"
			[ "$(wc -l <"$dir/users-${dkey[ai]}.tsv")" -gt 1 ] || continue
			lmrec-recall -q -m crossdomain="$dir/xd.lmrc" --history "$fd/rows-${dkey[ai]}.tsv" \
				--users "$dir/users-${dkey[ai]}.tsv" --from-domain "$a" --to-domain "$b" -n "$k" -j "$threads" |
				tail -n +2 >>"$work/recs-${dkey[ai]}-${dkey[bi]}.tsv"
			lmrec-recall -q -m popular="$dir/popular.lmrc" --users "$dir/users-${dkey[ai]}.tsv" \
				--only "$work/items-${dkey[bi]}.tsv" -n "$k" | tail -n +2 >>"$work/pop-${dkey[ai]}-${dkey[bi]}.tsv"
			if [ -n "$signals" ]; then
				for s in co sem; do
					lmrec-recall -q -m crossdomain="$dir/$s.lmrc" --history "$fd/rows-${dkey[ai]}.tsv" \
						--users "$dir/users-${dkey[ai]}.tsv" --from-domain "$a" --to-domain "$b" -n "$k" |
						tail -n +2 >>"$work/$s-${dkey[ai]}-${dkey[bi]}.tsv"
				done
			fi
			awk -F'\t' 'FILENAME == ARGV[1] { if (FNR > 1) u[$1] = 1; next } FNR > 1 && ($1 in u)' \
				"$dir/users-${dkey[ai]}.tsv" "$fd/rows-${dkey[bi]}.tsv" >>"$work/truth-${dkey[ai]}-${dkey[bi]}.tsv"
		done
		say "to $b, fold $f: $(elapsed "$t0" "$(now)") s"
	done
done

# ---- the table ----
# measure FILE NAME: "ndcg hr users" of the candidates FILE against the
# pair's truth; each user's NDCG into $work/user-NAME.txt (user, ndcg)
measure() {
	{
		printf 'user\titem\tscore\tchannel\tkind\tbecause\tbecause2\n'
		cat "$1"
	} >"$work/recs.tsv"
	lmrec-eval -q -t "$work/truth.tsv" --k "$k" --metrics ndcg,hr --segment-file "$work/segments.tsv" \
		"$work/recs.tsv" >"$work/metrics.tsv"
	awk -F'\t' '$1 == "ndcg" && $3 != "all" { print $3 "\t" $4 }' "$work/metrics.tsv" |
		LC_ALL=C sort >"$work/user-$2.txt"
	awk -F'\t' '$3 == "all" { v[$1] = $4; n = $5 }
		END { printf "%s\t%s\t%s\n", ("ndcg" in v) ? v["ndcg"] : "nan", ("hr" in v) ? v["hr"] : "nan", n + 0 }' \
		"$work/metrics.tsv"
}
# se_diff NAME1 NAME2: the standard error of the mean per-user difference
se_diff() {
	LC_ALL=C join -t "$(printf '\t')" "$work/user-$1.txt" "$work/user-$2.txt" |
		awk -F'\t' '{ d = $2 - $3; n++; s += d; ss += d * d }
			END { if (n < 2) print "nan"; else { m = s / n; v = (ss - n * m * m) / (n - 1)
				printf "%.4f\n", sqrt((v > 0 ? v : 0) / n) } }'
}
{
	printf 'from\tto\tusers\tndcg_crossdomain\tndcg_popular\tse_diff\thr_crossdomain\thr_popular'
	[ -z "$signals" ] || printf '\tndcg_cooccurrence\tndcg_semantic'
	printf '\n'
	for ai in "${!doms[@]}"; do
		for bi in "${!doms[@]}"; do
			a="${doms[ai]}" b="${doms[bi]}"
			[ "$a" != "$b" ] || continue
			cp "$work/truth-${dkey[ai]}-${dkey[bi]}.tsv" "$work/truth.tsv"
			# every user a segment: the per-user NDCG of each system
			awk -F'\t' 'NR == 1 { print "user\tsegment"; next } !seen[$1]++ { print $1 "\t" $1 }' \
				"$work/truth.tsv" >"$work/segments.tsv"
			read -r nx hx n < <(measure "$work/recs-${dkey[ai]}-${dkey[bi]}.tsv" crossdomain)
			read -r np hp _ < <(measure "$work/pop-${dkey[ai]}-${dkey[bi]}.tsv" popular)
			printf '%s\t%s\t%s\t%.4f\t%.4f\t%s\t%.4f\t%.4f' "$a" "$b" "$n" "$nx" "$np" \
				"$(se_diff crossdomain popular)" "$hx" "$hp"
			if [ -n "$signals" ]; then
				read -r nc _ _ < <(measure "$work/co-${dkey[ai]}-${dkey[bi]}.tsv" cooccurrence)
				read -r ns _ _ < <(measure "$work/sem-${dkey[ai]}-${dkey[bi]}.tsv" semantic)
				printf '\t%.4f\t%.4f' "$nc" "$ns"
			fi
			printf '\n'
		done
	done
} >"$work/table.tsv"
cat "$work/table.tsv"
if [ -n "$keep" ]; then
	mkdir -p "$keep"
	cp -R "$work"/. "$keep"/
fi

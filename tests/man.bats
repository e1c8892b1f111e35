#!/usr/bin/env bats
# The manual: one page per tool, every page lint-clean, every option of
# --help documented.

load test_helper

@test "man: every tool has a section 1 page whose options match --help" {
	local missing=
	for src in "$TOP"/bin/lmrec-*.c; do
		tool=$(basename "$src" .c)
		check_man_page "$tool" || missing="$missing $tool"
	done
	[ -z "$missing" ] || { echo "pages out of step:$missing"; false; }
}

@test "man: lmrec-formats(5) and lmrec(7) are lint-clean and render" {
	run mandoc -Tlint -Wwarning "$TOP/man/man5/lmrec-formats.5" "$TOP/man/man7/lmrec.7"
	assert_success
	run man -l "$TOP/man/man7/lmrec.7"
	assert_success
	assert_output --partial 'a recommender system as a pipeline of small programs'
}

@test "man: man -l renders lmrec-split(1) without warnings" {
	run --separate-stderr man -l "$TOP/man/man1/lmrec-split.1"
	assert_success
	[ -z "$stderr" ]
	assert_output --partial 'Leave-last-out, the default'
}

@test "man: every page cross-referenced in SEE ALSO exists" {
	local bad=
	for page in "$TOP"/man/man*/*.[157]; do
		for ref in $(grep -oE '^\.Xr lmrec[a-z-]* [157]' "$page" | awk '{print $2"."$3}'); do
			[ -f "$TOP/man/man${ref##*.}/$ref" ] || bad="$bad ${page##*/}->$ref"
		done
	done
	[ -z "$bad" ] || { echo "dangling references:$bad"; false; }
}

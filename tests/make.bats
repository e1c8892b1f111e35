#!/usr/bin/env bats
# The build's set-up: missing Debian packages are installed as root, and
# named with the exact command otherwise.

load test_helper

@test "make: deps as another user prints the exact apt-get line and stops" {
	id nobody >/dev/null 2>&1 || skip "no user 'nobody'"
	[ "$(id -u)" -eq 0 ] || skip "needs root to switch to another user"
	run su -s /bin/sh nobody -c "sh '$TOP/tests/deps.sh' zlib1g-dev lmrec-no-such-package"
	[ "$status" -eq 1 ]
	assert_line "lmrec: missing Debian packages: lmrec-no-such-package"
	assert_line "lmrec: run as root:  apt-get install -y --no-install-recommends lmrec-no-such-package"
}

@test "make: deps is quiet and succeeds when everything is installed" {
	run sh "$TOP/tests/deps.sh" zlib1g-dev
	assert_success
	[ -z "$output" ]
}

@test "make: every tool source has a man page and a test suite" {
	local missing=
	for src in "$TOP"/bin/lmrec-*.c; do
		t=$(basename "$src" .c)
		[ -f "$TOP/man/man1/$t.1" ] || missing="$missing $t.1"
		[ -f "$TOP/tests/$t.bats" ] || missing="$missing $t.bats"
	done
	[ -z "$missing" ] || { echo "missing:$missing"; false; }
}

#!/bin/sh
# Installs the Debian packages named as arguments when they are missing.
# As root it runs apt-get; otherwise it prints the exact command and fails.
missing=
for p in "$@"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>&1) # no /dev/null: some sandboxes deny it
	[ "$st" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "lmrec: missing Debian packages:$missing" >&2
	echo "lmrec: run as root:  $cmd" >&2
	exit 1
fi
echo "lmrec: installing missing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2 || exit 1
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2 || exit 1

# Loopback ssh "hosts" for the multi-host test (tests/pipeline-ssh.bats)
# and the scaling benchmark (tests/bench/scale.sh); sourced by both.
#
# lmrec_sshd_start DIR N starts N sshd instances as the calling user, host
# K listening on 127.0.0.(K+1) at a free unprivileged port, with a host key
# and a client key made for the occasion, and writes:
#   DIR/ssh_config     Host aliases lmrec-host-1 ... lmrec-host-N (port,
#                      identity, no known-hosts file, batch mode)
#   DIR/sshloginfile   one GNU Parallel sshlogin a host: "ssh -F DIR/ssh_config
#                      lmrec-host-K"
#   DIR/host-K/        sshd_config, host key, pid file, sshd.log, and home/:
#                      each host's sessions start there with HOME set to it,
#                      so no two hosts share a working folder
#   DIR/host-K/sessions  one line a session: the command ssh was asked to run
# It returns 0 when every instance listens; otherwise 1, the others stopped,
# with the reason in LMREC_SSHD_WHY (for a skip). DIR must be an absolute
# path without white space (the sshloginfile's words are split on it).
#
# lmrec_sshd_stop DIR stops the instances started in DIR (by their pid
# files; nothing else).

# shellcheck disable=SC2034 # LMREC_SSHD_WHY: for the caller
lmrec_sshd_start() {
	local dir="$1" n="$2" k sshd=/usr/sbin/sshd
	LMREC_SSHD_WHY=""
	case "$dir" in /*) ;; *) LMREC_SSHD_WHY="$dir: not an absolute path"; return 1 ;; esac
	case "$dir" in *[[:space:]]*) LMREC_SSHD_WHY="$dir: white space in the path"; return 1 ;; esac
	[ -x "$sshd" ] || { LMREC_SSHD_WHY="no $sshd (Debian's openssh-server)"; return 1; }
	local p
	for p in ssh ssh-keygen rsync; do
		command -v "$p" >/dev/null || { LMREC_SSHD_WHY="no $p"; return 1; }
	done
	# sshd started by root wants its privilege separation folder
	if [ "$(id -u)" -eq 0 ] && [ ! -d /run/sshd ]; then
		mkdir -m 0755 /run/sshd 2>/dev/null || { LMREC_SSHD_WHY="cannot make /run/sshd"; return 1; }
	fi
	mkdir -p "$dir"
	ssh-keygen -q -t ed25519 -N '' -C lmrec-test -f "$dir/id" </dev/null >/dev/null ||
		{ LMREC_SSHD_WHY="ssh-keygen failed"; return 1; }
	cp "$dir/id.pub" "$dir/authorized_keys"
	# every session runs through this: it records the command and runs it
	# with the user's shell in the host's home (SetEnv gives each host a
	# HOME of its own: no two share a working folder, and the user's own
	# start-up files are not read)
	cat >"$dir/session.sh" <<'EOF'
#!/bin/sh
host="$1"
printf '%s\n' "${SSH_ORIGINAL_COMMAND:-}" >>"$host/sessions"
cd "$HOME" || exit 1
if [ -n "${SSH_ORIGINAL_COMMAND:-}" ]; then exec "${SHELL:-/bin/sh}" -c "$SSH_ORIGINAL_COMMAND"; fi
exec "${SHELL:-/bin/sh}" -l
EOF
	chmod 0755 "$dir/session.sh"
	{
		printf 'Host *\n'
		printf '\tUser %s\n\tIdentityFile %s/id\n\tIdentitiesOnly yes\n' "$(id -un)" "$dir"
		printf '\tStrictHostKeyChecking no\n\tUserKnownHostsFile /dev/null\n\tGlobalKnownHostsFile /dev/null\n'
		printf '\tBatchMode yes\n\tLogLevel ERROR\n\tConnectTimeout 10\n'
	} >"$dir/ssh_config.all"
	: >"$dir/sshloginfile"
	: >"$dir/ssh_config.hosts"
	for ((k = 1; k <= n; k++)); do
		if ! _lmrec_sshd_one "$dir" "$k"; then
			lmrec_sshd_stop "$dir"
			return 1
		fi
		printf 'ssh -F %s/ssh_config lmrec-host-%d\n' "$dir" "$k" >>"$dir/sshloginfile"
	done
	cat "$dir/ssh_config.hosts" "$dir/ssh_config.all" >"$dir/ssh_config"
	rm -f "$dir/ssh_config.hosts" "$dir/ssh_config.all"
	# each host answers
	for ((k = 1; k <= n; k++)); do
		if ! ssh -F "$dir/ssh_config" "lmrec-host-$k" true </dev/null 2>"$dir/host-$k/probe.err"; then
			LMREC_SSHD_WHY="ssh to lmrec-host-$k failed: $(head -n 1 "$dir/host-$k/probe.err" | tr -d '\r')"
			lmrec_sshd_stop "$dir"
			return 1
		fi
	done
}

# _lmrec_sshd_one DIR K: host K, on a free port (a few tries: other suites
# and other users may hold some)
# shellcheck disable=SC2034 # LMREC_SSHD_WHY: for the caller
_lmrec_sshd_one() {
	local dir="$1" k="$2" h="$1/host-$2" addr port
	addr="127.0.0.$((k + 1))"
	mkdir -p "$h/home"
	ssh-keygen -q -t ed25519 -N '' -C "lmrec-host-$k" -f "$h/host_key" </dev/null >/dev/null ||
		{ LMREC_SSHD_WHY="ssh-keygen failed"; return 1; }
	for _ in 1 2 3 4 5 6 7 8; do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		cat >"$h/sshd_config" <<EOF
ListenAddress $addr:$port
HostKey $h/host_key
PidFile $h/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
AuthenticationMethods publickey
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
X11Forwarding no
AllowTcpForwarding no
PrintMotd no
LogLevel VERBOSE
ForceCommand $dir/session.sh $h
SetEnv HOME=$h/home
MaxStartups 100:30:200
MaxSessions 100
EOF
		# sshd goes to the background at once and then listens, or says
		# in its log that it cannot
		rm -f "$h/sshd.log"
		"$sshd" -f "$h/sshd_config" -E "$h/sshd.log" 2>"$h/start.err" </dev/null || break
		for _ in $(seq 100); do
			grep -q -e '^Server listening on' -e '^Cannot bind' "$h/sshd.log" 2>/dev/null && break
			sleep 0.1
		done
		if grep -q '^Server listening on' "$h/sshd.log" 2>/dev/null; then
			printf 'Host lmrec-host-%d\n\tHostName %s\n\tPort %d\n' "$k" "$addr" "$port" >>"$dir/ssh_config.hosts"
			return 0
		fi
		grep -q 'Address already in use' "$h/sshd.log" 2>/dev/null || break
	done
	LMREC_SSHD_WHY="sshd for lmrec-host-$k did not start: $(tail -n 1 "$h/sshd.log" "$h/start.err" 2>/dev/null | grep -v '^==' | grep . | tail -n 1)"
	return 1
}

lmrec_sshd_stop() {
	local f pid
	for f in "$1"/host-*/sshd.pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		[[ "$pid" =~ ^[0-9]+$ ]] && kill "$pid" 2>/dev/null
		rm -f "$f"
	done
	return 0
}

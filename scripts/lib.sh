# scripts/lib.sh — the shell helpers scripts/test-servers.sh, scripts/seed-images.sh and
# bench/lib.sh share; sourced, never run.
#
# The sourcing script sets LIB_PREFIX (the word its messages start with: "test-servers", "bench")
# and, before waiting for a server, STARTUP_TIMEOUT (seconds). It may define
# `startup_failed NAME`, called before a wait gives up, to show that server's log.
# shellcheck shell=bash

die() {
	echo "${LIB_PREFIX:-airgap}: $*" >&2
	exit 1
}

need() {
	local cmd
	for cmd in "$@"; do
		command -v "$cmd" >/dev/null 2>&1 || die "missing command '$cmd' (run scripts/install-deps.sh)"
	done
}

# Print N distinct free TCP ports on 127.0.0.1. All sockets are held open until
# every port is chosen, so the N ports differ; the remaining race (someone else
# grabbing a port before our server binds) is negligible on a test machine.
free_ports() {
	python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
EOF
}

# registry_command CONFIG: sets REGISTRY_COMMAND to the command line that serves Debian's
# docker-registry with CONFIG. Distribution maps REGISTRY_* environment variables onto its config
# (REGISTRY_AUTH_FILE, a containers-auth variable, would become auth.file!), so the command strips
# them all from the registry's environment.
# shellcheck disable=SC2034 # REGISTRY_COMMAND is the caller's to run
registry_command() {
	local clean=() v
	while IFS= read -r v; do
		clean+=(-u "$v")
	done < <(compgen -e | grep '^REGISTRY_' || true)
	REGISTRY_COMMAND=(env "${clean[@]}" docker-registry serve "$1")
}

# process_alive PID: true while the process runs. PID may be "@FILE", a pid file its process
# writes once started: a file not written yet counts as alive (still starting). Plain kill -0:
# the process is the caller's own of a moment ago, so pid reuse is no concern.
process_alive() {
	local pid=$1
	if [[ $pid == @* ]]; then
		[[ -s ${pid#@} ]] || return 0
		pid=$(<"${pid#@}")
	fi
	kill -0 "$pid" 2>/dev/null
}

# wait_http NAME PID URL EXPECT [CURL_ARGS...]: poll URL until it answers HTTP status EXPECT. When
# the process PID (see process_alive) exits, or STARTUP_TIMEOUT seconds pass, call
# `startup_failed NAME` (when defined) and die.
wait_http() {
	local name=$1 pid=$2 url=$3 expect=$4
	shift 4
	local deadline=$((SECONDS + ${STARTUP_TIMEOUT:-20})) code=
	while ((SECONDS < deadline)); do
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$@" "$url" || true)
		[[ $code == "$expect" ]] && return 0
		if ! process_alive "$pid"; then
			startup_failed_hook "$name"
			die "$name exited during startup (probe $url)"
		fi
		sleep 0.1
	done
	startup_failed_hook "$name"
	die "$name did not answer $expect on $url within ${STARTUP_TIMEOUT:-20}s (last status: ${code:-none})"
}

# wait_command NAME PID WHAT COMMAND...: run COMMAND until it succeeds (a daemon answering its
# client); on the process's death or the deadline, die like wait_http, with COMMAND's last output.
wait_command() {
	local name=$1 pid=$2 what=$3
	shift 3
	local deadline=$((SECONDS + ${STARTUP_TIMEOUT:-20})) out=
	while ((SECONDS < deadline)); do
		if out=$("$@" 2>&1); then
			return 0
		fi
		if ! process_alive "$pid"; then
			startup_failed_hook "$name"
			die "$name exited during startup ($what)"
		fi
		sleep 0.1
	done
	startup_failed_hook "$name"
	die "$name did not answer within ${STARTUP_TIMEOUT:-20}s ($what; last error: $(tail -n 1 <<<"${out:-none}"))"
}

startup_failed_hook() {
	if declare -F startup_failed >/dev/null; then
		startup_failed "$1"
	fi
}

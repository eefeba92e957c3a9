#!/usr/bin/env bash
# test-servers.sh start|stop|status|env — real servers for airgap's integration tests.
#
# Everything listens on 127.0.0.1 on ephemeral ports picked at start, so several
# checkouts (or CI jobs) on one machine do not collide. All state (configs, pid
# files, logs, registry storage, the test CA, the seed image cache) lives under
# $AIRGAP_TEST_STATE (default /tmp/airgap-test-servers); `stop` deletes it.
# No systemd: the servers are plain background processes in their own session
# (setsid) so that they outlive the shell that started them.
#
# Servers (details and the env keys: Tests/IntegrationTests/Support/TestServers.swift):
#   plain          docker-registry (CNCF Distribution 2.8) over plain HTTP
#   tls, tls-b     docker-registry over HTTPS, certificates signed by two throwaway CAs (A, B);
#                  tls-b serves tls's storage
#   auth           docker-registry over HTTPS with htpasswd basic auth (random password)
#   auth-plain     the same over plain HTTP, same htpasswd file and storage
#   token          docker-registry over plain HTTP with token auth; realm: token-issuer
#   token-b        a second token registry with its OWN issuer (token-b-issuer: other port,
#                  service, issuer name, users and passwords), for cross-registry leak tests
#   token-tls      token-b's storage over HTTPS (CA A) whose challenge names token-b-issuer's
#                  plain-http realm (a downgrade the client must refuse)
#   token-issuer, token-b-issuer
#                  testdata/token-issuer/issuer.py (Debian's /usr/bin/python3 +
#                  python3-cryptography); request log, ACL, /control API (see its docstring)
#   proxy          tinyproxy (HTTP proxy, CONNECT to any port), LogLevel Info
#   nginx          redirect + header-echo server on two ports (two "hosts")
#   containerd     containerd 1.6, the `ctr images import` oracle (native snapshotter)
#   dockerd        dockerd 20.10 on containerd, the `docker load` oracle (vfs)
# Per-test fixtures are not started here: testdata/fault-proxy/fault_proxy.py and
# testdata/recorder/recorder.py run one instance per test (Support/FaultProxy.swift, Recorder.swift).
#
# The env file $AIRGAP_TEST_STATE/env (KEY=VALUE, no quotes, values never contain spaces) names
# each server's address, credentials and logs; every key is documented where the tests read it,
# in Tests/IntegrationTests/Support/TestServers.swift. scripts/seed-images.sh adds
# AIRGAP_TEST_SEEDED and AIRGAP_TEST_SEEDED_LIST once the registries hold the seed images.
#
# Usage:
#   scripts/test-servers.sh start    # (re)start everything, print the env file
#   scripts/test-servers.sh status   # print the env file if all servers are alive
#   eval "$(scripts/test-servers.sh env)"   # export the keys into this shell
#   scripts/test-servers.sh stop     # kill what start started, delete the state dir
# AIRGAP_TEST_STARTUP_TIMEOUT (seconds, default 20) bounds the wait for each server;
# AIRGAP_TEST_TOKEN_EXPIRES_IN (default 300) is both issuers' default token lifetime.
set -euo pipefail

STATE=${AIRGAP_TEST_STATE:-/tmp/airgap-test-servers}
STATE=${STATE%/}
STARTUP_TIMEOUT=${AIRGAP_TEST_STARTUP_TIMEOUT:-20}
# Marker that proves a directory is ours before `stop` runs rm -rf on it, so a
# mistyped AIRGAP_TEST_STATE=$HOME cannot wipe anything.
MARKER=.airgap-test-servers
SERVERS=(plain tls tls-b auth auth-plain token token-issuer token-b token-b-issuer token-tls proxy nginx containerd dockerd)
CONTAINERD_SNAPSHOTTER=native
AUTH_USER=testuser
AUTH_REALM=airgap-test
TOKEN_SERVICE=airgap-test-token-registry
TOKEN_ISSUER=airgap-test-token-issuer
TOKEN_B_SERVICE=airgap-test-token-registry-b
TOKEN_B_ISSUER=airgap-test-token-issuer-b
TOKEN_EXPIRES_IN=${AIRGAP_TEST_TOKEN_EXPIRES_IN:-300}
TOKEN_SHORTLIVED_EXPIRES_IN=2
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Debian's python with python3-cryptography (python3 on PATH may be another one).
ISSUER_PYTHON=/usr/bin/python3
ISSUER_SCRIPT=$ROOT/testdata/token-issuer/issuer.py
# Debian's docker client, the one that matches its dockerd (another may come first on PATH).
DOCKER_CLIENT=docker
[[ -x /usr/bin/docker ]] && DOCKER_CLIENT=/usr/bin/docker

LIB_PREFIX=test-servers
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

# True if the pid in $STATE/NAME/pid is alive and really is our process: its
# command line must mention the state dir (config path / nginx prefix), so a
# recycled pid is never signalled.
server_pid() {
	local pidfile=$STATE/$1/pid pid cmdline
	[[ -s $pidfile ]] || return 1
	pid=$(<"$pidfile")
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	cmdline=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 1
	[[ $cmdline == *"$STATE/"* ]] || return 1
	echo "$pid"
}

# Start "$@" in its own session with stdio to $STATE/NAME/log. The inner bash
# writes its own pid and then execs the server, so the pid file holds the
# server's real pid whether or not setsid had to fork.
spawn() {
	local name=$1
	shift
	local dir=$STATE/$name
	rm -f "$dir/pid"
	# shellcheck disable=SC2016 # $$ and $@ belong to the inner shell
	setsid bash -c 'echo $$ >"$0/pid"; exec "$@"' "$dir" "$@" </dev/null >"$dir/log" 2>&1 &
}

# lib.sh's waits call this before giving up: the server's own log says why.
startup_failed() {
	local f
	for f in "$STATE/$1/log" "$STATE/$1/error.log"; do
		if [[ -s $f ]]; then
			echo "---- last lines of $f ----" >&2
			tail -n 30 "$f" >&2
		fi
	done
}

# wait_server NAME URL EXPECT [CURL_ARGS...]: lib.sh's wait_http on the server NAME's pid file.
wait_server() {
	local name=$1
	shift
	wait_http "$name" "@$STATE/$name/pid" "$@"
}

# make_ca DIR CN: a throwaway CA plus a server certificate for 127.0.0.1 and
# localhost in $STATE/DIR (ca.crt, server.crt, server.key). Go (the registry)
# ignores the CN, so the subjectAltName is what matters.
make_ca() {
	local d=$STATE/$1 cn=$2
	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -days 365 \
		-keyout "$d/ca.key" -out "$d/ca.crt" -subj "/CN=$cn" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -keyout "$d/server.key" -out "$d/server.csr" \
		-subj "/CN=127.0.0.1" 2>/dev/null
	printf '%s\n' \
		"basicConstraints=CA:FALSE" \
		"keyUsage=critical,digitalSignature,keyEncipherment" \
		"extendedKeyUsage=serverAuth" \
		"subjectAltName=IP:127.0.0.1,DNS:localhost" >"$d/server.ext"
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
		-set_serial "0x$(openssl rand -hex 8)" -days 365 \
		-extfile "$d/server.ext" -out "$d/server.crt" 2>/dev/null
	chmod 600 "$d/ca.key" "$d/server.key"
}

# The three CAs: A (ca/) signs tls, auth and token-tls, and is the one tests
# trust; B (ca-b/) signs tls-b, for tests that trust two CAs at once; the
# untrusted one (untrusted/) is never given to a client: hosts that must fail
# verification serve its certificate.
make_cas() {
	make_ca ca "airgap test CA"
	make_ca ca-b "airgap test CA B"
	make_ca untrusted "airgap untrusted CA (never trust it)"
	# skopeo/podman treat every *.crt in a cert dir as a CA; keep only the CA there.
	mkdir -p "$STATE/certs.d"
	cp "$STATE/ca/ca.crt" "$STATE/certs.d/ca.crt"
}

# make_token_keys NAME: the issuer NAME's signing key: a throwaway CA (its
# registries' rootcertbundle) and an RSA key whose certificate it signs. The
# issuer puts that certificate in each JWT's x5c header; the registry verifies
# it against the CA.
make_token_keys() {
	local d=$STATE/$1
	openssl req -x509 -newkey rsa:2048 -nodes -days 365 \
		-keyout "$d/ca.key" -out "$d/ca.crt" -subj "/CN=airgap test token CA ($1)" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -keyout "$d/signing.key" -out "$d/signing.csr" \
		-subj "/CN=airgap test token signer ($1)" 2>/dev/null
	printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature" >"$d/signing.ext"
	openssl x509 -req -in "$d/signing.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
		-set_serial "0x$(openssl rand -hex 8)" -days 365 \
		-extfile "$d/signing.ext" -out "$d/signing.crt" 2>/dev/null
	chmod 600 "$d/ca.key" "$d/signing.key"
}

# seeder_auth_file FILE REGISTRY PASSWORD: containers-auth.json(5) with seeder's
# credentials for REGISTRY (for skopeo --authfile).
seeder_auth_file() {
	local b64
	b64=$(printf '%s:%s' seeder "$3" | base64 -w0)
	jq -n --arg r "$2" --arg v "$b64" '{auths: {($r): {auth: $v}}}' >"$1"
}

# The issuers' configs: users with this start's random passwords, and the ACLs
# documented in TestServers.swift.
write_token_configs() {
	(
		umask 077
		jq -n --arg iss "$TOKEN_ISSUER" --arg svc "$TOKEN_SERVICE" --argjson exp "$TOKEN_EXPIRES_IN" \
			--arg reader "$TOKEN_READER_PASSWORD" --arg writer "$TOKEN_WRITER_PASSWORD" \
			--arg seeder "$TOKEN_SEEDER_PASSWORD" --arg short "$TOKEN_SHORTLIVED_PASSWORD" \
			--arg alice "$TOKEN_ALICE_PASSWORD" \
			--argjson short_exp "$TOKEN_SHORTLIVED_EXPIRES_IN" '{
			issuer: $iss, service: $svc, expires_in: $exp,
			users: {
				reader: {password: $reader},
				writer: {password: $writer},
				shortlived: {password: $short, expires_in: $short_exp},
				alice: {password: $alice},
				seeder: {password: $seeder}
			},
			acl: [
				{accounts: ["", "*"], name: "public/*", actions: ["pull"]},
				{accounts: ["reader", "writer", "shortlived"], name: "library/*", actions: ["pull"]},
				{accounts: ["reader", "writer", "shortlived"], name: "pause", actions: ["pull"]},
				{accounts: ["writer"], name: "private/*", actions: ["pull", "push"]},
				{accounts: ["alice"], name: "private/*", actions: ["pull"]},
				{accounts: ["seeder"], type: "*", name: "*", actions: ["*"]}
			]}' >"$STATE/token-issuer/config.json"
		seeder_auth_file "$STATE/token-issuer/seeder-auth.json" "127.0.0.1:$TOKEN_PORT" "$TOKEN_SEEDER_PASSWORD"

		jq -n --arg iss "$TOKEN_B_ISSUER" --arg svc "$TOKEN_B_SERVICE" --argjson exp "$TOKEN_EXPIRES_IN" \
			--arg bob "$TOKEN_B_BOB_PASSWORD" --arg seeder "$TOKEN_B_SEEDER_PASSWORD" '{
			issuer: $iss, service: $svc, expires_in: $exp,
			users: {bob: {password: $bob}, seeder: {password: $seeder}},
			acl: [
				{accounts: ["", "*"], name: "public/*", actions: ["pull"]},
				{accounts: ["bob"], name: "*", actions: ["pull", "push"]},
				{accounts: ["seeder"], type: "*", name: "*", actions: ["*"]}
			]}' >"$STATE/token-b-issuer/config.json"
		seeder_auth_file "$STATE/token-b-issuer/seeder-auth.json" "127.0.0.1:$TOKEN_B_PORT" "$TOKEN_B_SEEDER_PASSWORD"
	)
}

write_proxy_config() {
	local d=$STATE/proxy
	cat >"$d/tinyproxy.conf" <<EOC
# Generated by scripts/test-servers.sh. No ConnectPort line: CONNECT to any port.
# User/Group: stay who we are (as root, tinyproxy would otherwise warn).
User $(id -un)
Group $(id -gn)
Port $PROXY_PORT
Listen 127.0.0.1
Allow 127.0.0.1
Timeout 600
MaxClients 100
LogFile "$d/tinyproxy.log"
LogLevel Info
PidFile "$d/tinyproxy.pid"
DisableViaHeader Yes
EOC
}

# write_registry_config NAME PORT STORAGE_DIR TLS AUTH
#   TLS:  0 (plain http), or the CA directory whose server certificate to serve (ca, ca-b)
#   AUTH: 0, htpasswd, or the issuer whose tokens to accept (token-issuer, token-b-issuer)
write_registry_config() {
	local name=$1 port=$2 storage=$3 tls=$4 auth=$5
	local cfg=$STATE/$name/config.yml
	{
		cat <<EOC
version: 0.1
log:
  level: warn
  formatter: text
storage:
  filesystem:
    rootdirectory: $storage
  delete:
    enabled: true
  # Filesystem storage never redirects, but say so: blob GETs must be served directly.
  redirect:
    disable: true
http:
  addr: 127.0.0.1:$port
  # Same secret for every instance: registries that share a storage share upload sessions.
  secret: $HTTP_SECRET
EOC
		if [[ $tls != 0 ]]; then
			cat <<EOC
  tls:
    certificate: $STATE/$tls/server.crt
    key: $STATE/$tls/server.key
EOC
		fi
		case $auth in
		0) ;;
		htpasswd)
			cat <<EOC
auth:
  htpasswd:
    realm: $AUTH_REALM
    path: $STATE/htpasswd
EOC
			;;
		token-issuer | token-b-issuer)
			local realm=http://127.0.0.1:$ISSUER_PORT/token service=$TOKEN_SERVICE issuer=$TOKEN_ISSUER
			if [[ $auth == token-b-issuer ]]; then
				realm=http://127.0.0.1:$ISSUER_B_PORT/token service=$TOKEN_B_SERVICE issuer=$TOKEN_B_ISSUER
			fi
			cat <<EOC
auth:
  token:
    realm: $realm
    service: $service
    issuer: $issuer
    rootcertbundle: $STATE/$auth/ca.crt
EOC
			;;
		*) die "write_registry_config: unknown auth '$auth'" ;;
		esac
	} >"$cfg"
}

start_registry() {
	registry_command "$STATE/$1/config.yml"
	spawn "$1" "${REGISTRY_COMMAND[@]}"
}

# start_issuer NAME PORT: testdata/token-issuer/issuer.py with $STATE/NAME's config and key.
start_issuer() {
	local d=$STATE/$1
	: >"$d/requests.jsonl"
	# -I: ignore PYTHON* variables and the user site, only Debian's packages.
	spawn "$1" "$ISSUER_PYTHON" -I "$ISSUER_SCRIPT" --config "$d/config.json" \
		--port "$2" --key "$d/signing.key" --cert "$d/signing.crt" --log "$d/requests.jsonl"
}

# containerd without systemd, CRI or anything outside $STATE/containerd. The
# disabled snapshotters only log errors here (no modules, no btrfs/zfs, no
# devmapper pool); the opt plugin would create /opt/containerd on the host.
# Unix socket paths are limited to 107 bytes (containerd adds ".ttrpc").
write_containerd_config() {
	local d=$STATE/containerd
	CONTAINERD_SOCKET=$d/containerd.sock
	((${#CONTAINERD_SOCKET} + 6 <= 107)) ||
		die "containerd socket path too long for a unix socket: $CONTAINERD_SOCKET (shorten AIRGAP_TEST_STATE)"
	mkdir -p "$d/root" "$d/state"
	cat >"$d/config.toml" <<EOC
# Generated by scripts/test-servers.sh. Everything under $d.
version = 2
root = "$d/root"
state = "$d/state"
oom_score = 0
disabled_plugins = [
  "io.containerd.grpc.v1.cri",
  "io.containerd.internal.v1.opt",
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper",
]

[grpc]
  address = "$CONTAINERD_SOCKET"
  uid = 0
  gid = 0

[ttrpc]
  address = "$CONTAINERD_SOCKET.ttrpc"

[debug]
  level = "info"
EOC
}

# dockerd (FIELD-NOTES.md) with everything under $STATE/dockerd: no iptables, no
# bridge, vfs storage, our containerd (so no containerd child of its own can
# outlive a killed dockerd), and its daemon.json, whose deprecated-key-path keeps
# its trust key out of /etc/docker.
write_dockerd_config() {
	local d=$STATE/dockerd
	DOCKER_SOCKET=$d/docker.sock
	((${#DOCKER_SOCKET} <= 107)) ||
		die "dockerd socket path too long for a unix socket: $DOCKER_SOCKET (shorten AIRGAP_TEST_STATE)"
	mkdir -p "$d/root" "$d/exec"
	jq -n --arg key "$d/key.json" '{"deprecated-key-path": $key}' >"$d/daemon.json"
}

start_dockerd() {
	local d=$STATE/dockerd
	spawn dockerd dockerd --config-file "$d/daemon.json" --data-root "$d/root" --exec-root "$d/exec" \
		--pidfile "$d/dockerd.pid" -H "unix://$DOCKER_SOCKET" --containerd "$CONTAINERD_SOCKET" \
		--iptables=false --ip-masq=false --bridge=none --storage-driver=vfs
}

write_nginx_config() {
	local d=$STATE/nginx
	mkdir -p "$d/tmp"
	cat >"$d/nginx.conf" <<EOC
# Generated by scripts/test-servers.sh. Own pid, logs and temp paths so it never
# touches the system nginx (/run/nginx.pid, /var/lib/nginx).
daemon off;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 64; }
http {
  access_log $d/access.log;
  client_body_temp_path $d/tmp/body;
  proxy_temp_path $d/tmp/proxy;
  fastcgi_temp_path $d/tmp/fastcgi;
  uwsgi_temp_path $d/tmp/uwsgi;
  scgi_temp_path $d/tmp/scgi;
  default_type text/plain;

  # "Host A": the redirecting side.
  server {
    listen 127.0.0.1:$REDIRECT_PORT;
    # Blob-style redirect to another host:port (the plain registry), like a
    # registry sending clients to its storage backend or a CDN.
    location ~ ^/redirect-to-registry/(.*)\$ {
      return 307 http://127.0.0.1:$PLAIN_PORT/\$1\$is_args\$args;
    }
    # Authorization must NOT survive these two: the target is another host:port.
    location = /redirect-to-echo { return 307 http://127.0.0.1:$ECHO_PORT/echo-headers; }
    location = /redirect-to-echo-localhost { return 307 http://localhost:$ECHO_PORT/echo-headers; }
    # Same host:port: a client may keep Authorization here.
    location = /redirect-to-echo-same-host { return 307 http://127.0.0.1:$REDIRECT_PORT/echo-headers; }
    # A client must refuse to follow a redirect to a non-HTTP scheme.
    location = /redirect-to-file { return 307 file:///etc/passwd; }
    location = /redirect-loop { return 307 http://127.0.0.1:$REDIRECT_PORT/redirect-loop; }
    location = /echo-headers { return 200 "authorization=[\$http_authorization]\nhost=[\$http_host]\n"; }
    location / { return 404 "not found\n"; }
  }

  # "Host B": a second port of the same nginx, which counts as another origin.
  server {
    listen 127.0.0.1:$ECHO_PORT;
    location = /echo-headers { return 200 "authorization=[\$http_authorization]\nhost=[\$http_host]\n"; }
    location / { return 404 "not found\n"; }
  }
}
EOC
}

# The keys are documented in Tests/IntegrationTests/Support/TestServers.swift.
write_env() {
	local tmp=$STATE/env.tmp
	cat >"$tmp" <<EOC
AIRGAP_TEST_STATE=$STATE
AIRGAP_TEST_REGISTRY=127.0.0.1:$PLAIN_PORT
AIRGAP_TEST_REGISTRY_TLS=127.0.0.1:$TLS_PORT
AIRGAP_TEST_CA=$STATE/ca/ca.crt
AIRGAP_TEST_CERT_DIR=$STATE/certs.d
AIRGAP_TEST_SERVER_CERT=$STATE/ca/server.crt
AIRGAP_TEST_SERVER_KEY=$STATE/ca/server.key
AIRGAP_TEST_REGISTRY_TLS_B=127.0.0.1:$TLS_B_PORT
AIRGAP_TEST_CA_B=$STATE/ca-b/ca.crt
AIRGAP_TEST_UNTRUSTED_CERT=$STATE/untrusted/server.crt
AIRGAP_TEST_UNTRUSTED_KEY=$STATE/untrusted/server.key
AIRGAP_TEST_REGISTRY_AUTH=127.0.0.1:$AUTH_PORT
AIRGAP_TEST_REGISTRY_AUTH_PLAIN=127.0.0.1:$AUTH_PLAIN_PORT
AIRGAP_TEST_AUTH_USER=$AUTH_USER
AIRGAP_TEST_AUTH_PASSWORD=$AUTH_PASSWORD
AIRGAP_TEST_AUTH_REALM=$AUTH_REALM
AIRGAP_TEST_AUTH_FILE=$STATE/auth.json
AIRGAP_TEST_REDIRECT_BASE=http://127.0.0.1:$REDIRECT_PORT
AIRGAP_TEST_ECHO_BASE=http://127.0.0.1:$ECHO_PORT
AIRGAP_TEST_REDIRECT_TO_REGISTRY=http://127.0.0.1:$REDIRECT_PORT/redirect-to-registry
AIRGAP_TEST_REDIRECT_TO_ECHO=http://127.0.0.1:$REDIRECT_PORT/redirect-to-echo
AIRGAP_TEST_REDIRECT_TO_ECHO_LOCALHOST=http://127.0.0.1:$REDIRECT_PORT/redirect-to-echo-localhost
AIRGAP_TEST_REDIRECT_TO_ECHO_SAME_HOST=http://127.0.0.1:$REDIRECT_PORT/redirect-to-echo-same-host
AIRGAP_TEST_REDIRECT_TO_FILE=http://127.0.0.1:$REDIRECT_PORT/redirect-to-file
AIRGAP_TEST_REDIRECT_LOOP=http://127.0.0.1:$REDIRECT_PORT/redirect-loop
AIRGAP_TEST_ECHO_URL=http://127.0.0.1:$ECHO_PORT/echo-headers
AIRGAP_TEST_REGISTRY_TOKEN=127.0.0.1:$TOKEN_PORT
AIRGAP_TEST_TOKEN_REALM=http://127.0.0.1:$ISSUER_PORT/token
AIRGAP_TEST_TOKEN_SERVICE=$TOKEN_SERVICE
AIRGAP_TEST_TOKEN_ISSUER=$TOKEN_ISSUER
AIRGAP_TEST_TOKEN_CONTROL=http://127.0.0.1:$ISSUER_PORT/control
AIRGAP_TEST_TOKEN_LOG=$STATE/token-issuer/requests.jsonl
AIRGAP_TEST_TOKEN_EXPIRES_IN=$TOKEN_EXPIRES_IN
AIRGAP_TEST_TOKEN_READER_PASSWORD=$TOKEN_READER_PASSWORD
AIRGAP_TEST_TOKEN_WRITER_PASSWORD=$TOKEN_WRITER_PASSWORD
AIRGAP_TEST_TOKEN_SHORTLIVED_PASSWORD=$TOKEN_SHORTLIVED_PASSWORD
AIRGAP_TEST_TOKEN_SHORTLIVED_EXPIRES_IN=$TOKEN_SHORTLIVED_EXPIRES_IN
AIRGAP_TEST_TOKEN_ALICE_PASSWORD=$TOKEN_ALICE_PASSWORD
AIRGAP_TEST_TOKEN_SEEDER_PASSWORD=$TOKEN_SEEDER_PASSWORD
AIRGAP_TEST_TOKEN_SEEDER_AUTH_FILE=$STATE/token-issuer/seeder-auth.json
AIRGAP_TEST_REGISTRY_TOKEN_B=127.0.0.1:$TOKEN_B_PORT
AIRGAP_TEST_TOKEN_B_REALM=http://127.0.0.1:$ISSUER_B_PORT/token
AIRGAP_TEST_TOKEN_B_SERVICE=$TOKEN_B_SERVICE
AIRGAP_TEST_TOKEN_B_ISSUER=$TOKEN_B_ISSUER
AIRGAP_TEST_TOKEN_B_CONTROL=http://127.0.0.1:$ISSUER_B_PORT/control
AIRGAP_TEST_TOKEN_B_LOG=$STATE/token-b-issuer/requests.jsonl
AIRGAP_TEST_TOKEN_B_BOB_PASSWORD=$TOKEN_B_BOB_PASSWORD
AIRGAP_TEST_TOKEN_B_SEEDER_PASSWORD=$TOKEN_B_SEEDER_PASSWORD
AIRGAP_TEST_TOKEN_B_SEEDER_AUTH_FILE=$STATE/token-b-issuer/seeder-auth.json
AIRGAP_TEST_REGISTRY_TOKEN_TLS=127.0.0.1:$TOKEN_TLS_PORT
AIRGAP_TEST_PROXY=http://127.0.0.1:$PROXY_PORT
AIRGAP_TEST_PROXY_LOG=$STATE/proxy/tinyproxy.log
AIRGAP_TEST_CONTAINERD_ADDRESS=$CONTAINERD_SOCKET
AIRGAP_TEST_CONTAINERD_SNAPSHOTTER=$CONTAINERD_SNAPSHOTTER
AIRGAP_TEST_DOCKER_HOST=unix://$DOCKER_SOCKET
AIRGAP_TEST_DOCKER_CLIENT=$(command -v "$DOCKER_CLIENT")
EOC
	# The file carries passwords: readable by the owner only.
	chmod 600 "$tmp"
	mv "$tmp" "$STATE/env"
}

any_running() {
	local s
	for s in "${SERVERS[@]}"; do
		server_pid "$s" >/dev/null && return 0
	done
	return 1
}

all_running() {
	local s
	[[ -s $STATE/env ]] || return 1
	for s in "${SERVERS[@]}"; do
		server_pid "$s" >/dev/null || return 1
	done
}

# Signal every server we started (by pid file) and wait for them to go. dockerd
# first, and alone: it must stop while its containerd still answers.
kill_servers() {
	local pid
	if pid=$(server_pid dockerd); then
		kill -TERM "$pid" 2>/dev/null || true
		wait_gone 100 "$pid"
	fi
	local s pids=()
	for s in "${SERVERS[@]}"; do
		if pid=$(server_pid "$s"); then
			kill -TERM "$pid" 2>/dev/null || true
			pids+=("$pid")
		fi
	done
	# Give them 5 s to exit cleanly (nginx master takes its workers along), then SIGKILL.
	wait_gone 50 ${pids[@]+"${pids[@]}"}
}

# wait_gone TENTHS PID...: wait up to TENTHS tenths of a second for the PIDs to
# exit, then SIGKILL the ones left.
wait_gone() {
	local tries=$1 i pid
	shift
	local pids=("$@")
	for ((i = 0; i < tries && ${#pids[@]} > 0; i++)); do
		local alive=()
		for pid in "${pids[@]}"; do
			kill -0 "$pid" 2>/dev/null && alive+=("$pid")
		done
		pids=(${alive[@]+"${alive[@]}"})
		((${#pids[@]} == 0)) || sleep 0.1
	done
	for pid in ${pids[@]+"${pids[@]}"}; do
		kill -KILL "$pid" 2>/dev/null || true
	done
}

# containerd mounts snapshots (bind mounts for `native`) while it unpacks, and
# dockerd mounts its exec root; one killed midway can leave a mount under the
# state dir. Unmount those (deepest first) so rm -rf never walks into, or trips
# over, a mount.
unmount_state() {
	local mnt
	[[ -r /proc/self/mountinfo ]] || return 0
	awk -v s="$STATE/" 'index($5, s) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
		while IFS= read -r mnt; do
			umount -l -- "$mnt" 2>/dev/null || true
		done
}

cmd_stop() {
	if [[ -d $STATE && ! -e $STATE/$MARKER ]] && [[ -n $(ls -A "$STATE") ]]; then
		die "$STATE exists but was not created by this script (no $MARKER); not touching it"
	fi
	kill_servers
	unmount_state
	rm -rf -- "$STATE"
}

cmd_start() {
	need docker-registry nginx openssl htpasswd curl python3 setsid jq base64 containerd ctr tinyproxy dockerd "$DOCKER_CLIENT"
	"$ISSUER_PYTHON" -c 'import cryptography' 2>/dev/null ||
		die "$ISSUER_PYTHON cannot import cryptography (run scripts/install-deps.sh: python3-cryptography)"
	[[ -r $ISSUER_SCRIPT ]] || die "missing $ISSUER_SCRIPT"
	[[ $TOKEN_EXPIRES_IN =~ ^[0-9]+$ ]] || die "AIRGAP_TEST_TOKEN_EXPIRES_IN must be a number of seconds"
	[[ $STATE == /* ]] || die "AIRGAP_TEST_STATE must be an absolute path (got '$STATE')"
	if [[ -e $STATE ]]; then
		# Idempotent restart: whatever ran before goes, with its storage.
		cmd_stop
	fi
	mkdir -p "$STATE"
	touch "$STATE/$MARKER"
	local s
	for s in "${SERVERS[@]}"; do
		mkdir -p "$STATE/$s"
	done

	# If anything below fails, do not leave half a set of servers behind; keep
	# the state dir so the logs can be read.
	trap 'kill_servers' EXIT

	read -r PLAIN_PORT TLS_PORT TLS_B_PORT AUTH_PORT AUTH_PLAIN_PORT REDIRECT_PORT ECHO_PORT \
		TOKEN_PORT ISSUER_PORT TOKEN_B_PORT ISSUER_B_PORT TOKEN_TLS_PORT PROXY_PORT < <(free_ports 13)
	HTTP_SECRET=$(openssl rand -hex 16)
	AUTH_PASSWORD=$(openssl rand -hex 16)
	TOKEN_READER_PASSWORD=$(openssl rand -hex 16)
	TOKEN_WRITER_PASSWORD=$(openssl rand -hex 16)
	TOKEN_SEEDER_PASSWORD=$(openssl rand -hex 16)
	TOKEN_SHORTLIVED_PASSWORD=$(openssl rand -hex 16)
	TOKEN_ALICE_PASSWORD=$(openssl rand -hex 16)
	TOKEN_B_BOB_PASSWORD=$(openssl rand -hex 16)
	TOKEN_B_SEEDER_PASSWORD=$(openssl rand -hex 16)

	make_cas
	# -i reads the password from stdin, keeping it out of `ps` output.
	htpasswd -niB "$AUTH_USER" <<<"$AUTH_PASSWORD" >"$STATE/htpasswd" 2>/dev/null
	chmod 600 "$STATE/htpasswd"
	# The same credentials in containers-auth.json(5) form, so skopeo and the
	# tests can pass --authfile instead of putting the password on a command line.
	local auth_b64
	auth_b64=$(printf '%s:%s' "$AUTH_USER" "$AUTH_PASSWORD" | base64 -w0)
	(
		umask 077
		jq -n --arg a "127.0.0.1:$AUTH_PORT" --arg b "127.0.0.1:$AUTH_PLAIN_PORT" --arg v "$auth_b64" \
			'{auths: {($a): {auth: $v}, ($b): {auth: $v}}}' >"$STATE/auth.json"
	)

	make_token_keys token-issuer
	make_token_keys token-b-issuer
	write_token_configs

	mkdir -p "$STATE/plain/data" "$STATE/tls/data" "$STATE/auth/data" "$STATE/token/data" "$STATE/token-b/data"
	write_registry_config plain "$PLAIN_PORT" "$STATE/plain/data" 0 0
	write_registry_config tls "$TLS_PORT" "$STATE/tls/data" ca 0
	write_registry_config tls-b "$TLS_B_PORT" "$STATE/tls/data" ca-b 0
	write_registry_config auth "$AUTH_PORT" "$STATE/auth/data" ca htpasswd
	write_registry_config auth-plain "$AUTH_PLAIN_PORT" "$STATE/auth/data" 0 htpasswd
	write_registry_config token "$TOKEN_PORT" "$STATE/token/data" 0 token-issuer
	write_registry_config token-b "$TOKEN_B_PORT" "$STATE/token-b/data" 0 token-b-issuer
	write_registry_config token-tls "$TOKEN_TLS_PORT" "$STATE/token-b/data" ca token-b-issuer
	write_proxy_config
	write_nginx_config
	write_containerd_config
	write_dockerd_config

	for s in plain tls tls-b auth auth-plain token token-b token-tls; do
		start_registry "$s"
	done
	start_issuer token-issuer "$ISSUER_PORT"
	start_issuer token-b-issuer "$ISSUER_B_PORT"
	spawn proxy tinyproxy -d -c "$STATE/proxy/tinyproxy.conf"
	spawn nginx nginx -p "$STATE/nginx" -c "$STATE/nginx/nginx.conf" -e "$STATE/nginx/error.log"
	spawn containerd containerd --config "$STATE/containerd/config.toml"

	local ca=$STATE/ca/ca.crt
	wait_server plain "http://127.0.0.1:$PLAIN_PORT/v2/" 200
	wait_server tls "https://127.0.0.1:$TLS_PORT/v2/" 200 --cacert "$ca"
	wait_server tls-b "https://127.0.0.1:$TLS_B_PORT/v2/" 200 --cacert "$STATE/ca-b/ca.crt"
	wait_server auth "https://127.0.0.1:$AUTH_PORT/v2/" 401 --cacert "$ca"
	wait_server auth-plain "http://127.0.0.1:$AUTH_PLAIN_PORT/v2/" 401
	wait_server token "http://127.0.0.1:$TOKEN_PORT/v2/" 401
	wait_server token-b "http://127.0.0.1:$TOKEN_B_PORT/v2/" 401
	wait_server token-tls "https://127.0.0.1:$TOKEN_TLS_PORT/v2/" 401 --cacert "$ca"
	wait_server token-issuer "http://127.0.0.1:$ISSUER_PORT/healthz" 200
	wait_server token-b-issuer "http://127.0.0.1:$ISSUER_B_PORT/healthz" 200
	wait_server proxy "http://127.0.0.1:$PLAIN_PORT/v2/" 200 --proxy "http://127.0.0.1:$PROXY_PORT"
	wait_server nginx "http://127.0.0.1:$ECHO_PORT/echo-headers" 200
	wait_server nginx "http://127.0.0.1:$REDIRECT_PORT/redirect-to-echo" 307
	# The credentials must really work, not just the challenge.
	wait_server auth "https://127.0.0.1:$AUTH_PORT/v2/" 200 --cacert "$ca" -u "$AUTH_USER:$AUTH_PASSWORD"
	wait_server auth-plain "http://127.0.0.1:$AUTH_PLAIN_PORT/v2/" 200 -u "$AUTH_USER:$AUTH_PASSWORD"
	check_token_flow token-issuer "$ISSUER_PORT" "$TOKEN_SERVICE" reader "$TOKEN_READER_PASSWORD" \
		"http://127.0.0.1:$TOKEN_PORT/v2/"
	check_token_flow token-b-issuer "$ISSUER_B_PORT" "$TOKEN_B_SERVICE" bob "$TOKEN_B_BOB_PASSWORD" \
		"http://127.0.0.1:$TOKEN_B_PORT/v2/"
	check_token_flow token-b-issuer "$ISSUER_B_PORT" "$TOKEN_B_SERVICE" bob "$TOKEN_B_BOB_PASSWORD" \
		"https://127.0.0.1:$TOKEN_TLS_PORT/v2/" --cacert "$ca"
	wait_command containerd "@$STATE/containerd/pid" "socket $CONTAINERD_SOCKET" \
		ctr --address "$CONTAINERD_SOCKET" --connect-timeout 2s --timeout 3s version
	# dockerd needs containerd's socket: start it only now.
	start_dockerd
	wait_command dockerd "@$STATE/dockerd/pid" "socket $DOCKER_SOCKET" \
		"$DOCKER_CLIENT" -H "unix://$DOCKER_SOCKET" version

	write_env
	trap - EXIT
	cat "$STATE/env"
}

# check_token_flow ISSUER PORT SERVICE USER PASSWORD REGISTRY_V2_URL [CURL_ARGS...]: the registry
# must really accept the issuer's tokens: USER's token opens /v2/. The issuer logs this request
# too (USER, no scopes): the first lines of its log are these checks.
check_token_flow() {
	local issuer=$1 port=$2 service=$3 user=$4 password=$5 url=$6 resp token code
	shift 6
	resp=$(curl -sf --max-time 5 -u "$user:$password" "http://127.0.0.1:$port/token?service=$service") || {
		startup_failed "$issuer"
		die "$issuer refused $user's token request"
	}
	token=$(jq -r .token <<<"$resp")
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "Authorization: Bearer $token" "$@" "$url" || true)
	if [[ $code != 200 ]]; then
		die "$url answered $code to a token from $issuer (want 200)"
	fi
}

cmd_status() {
	if all_running; then
		cat "$STATE/env"
		return 0
	fi
	local s
	for s in "${SERVERS[@]}"; do
		if server_pid "$s" >/dev/null; then
			echo "$s: running" >&2
		else
			echo "$s: not running" >&2
		fi
	done
	return 1
}

cmd_env() {
	all_running || die "servers are not running (scripts/test-servers.sh start)"
	sed -e '/^[A-Z_][A-Z0-9_]*=/!d' -e 's/^/export /' "$STATE/env"
}

case ${1:-} in
start) cmd_start ;;
stop)
	if any_running || [[ -e $STATE ]]; then cmd_stop; fi
	;;
status) cmd_status ;;
env) cmd_env ;;
*)
	echo "usage: $0 start|stop|status|env" >&2
	exit 2
	;;
esac

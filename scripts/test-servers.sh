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
# Servers:
#   plain      docker-registry (CNCF Distribution 2.8) over plain HTTP
#   tls        docker-registry over HTTPS, certificate signed by a throwaway CA
#   auth       docker-registry over HTTPS with htpasswd basic auth (random password)
#   auth-plain a second docker-registry process over plain HTTP with the same
#              htpasswd file and the SAME storage as `auth` (Distribution 2.8.2 does
#              accept basic auth over plain HTTP; seen here), so tests can exercise
#              credentials without TLS and seeding `auth` seeds it too
#   nginx      redirect + header-echo server on two ports (two "hosts")
#   token      docker-registry over plain HTTP with Docker token auth (`auth: token`):
#              clients get a JWT from `token-issuer` (the realm in its Bearer challenge)
#   token-issuer testdata/token-issuer/issuer.py on plain HTTP (Debian's /usr/bin/python3 +
#              python3-cryptography): the token endpoint (GET with optional Basic auth, OAuth2
#              POST with password and refresh_token grants), an ACL, a request log and a
#              /control API; see the docstring of issuer.py. Its RSA signing key and
#              certificate, and the CA the registry trusts (rootcertbundle), are generated
#              at start under $AIRGAP_TEST_STATE/token-issuer. The JWT header carries the
#              signing certificate as `x5c`; docker-registry 2.8.2 verifies it against the
#              CA, then the signature with the certificate's key.
#              Users (random passwords) and ACL ("pull" etc. are granted only when asked
#              for AND allowed; a resource with nothing granted is left out of the token):
#                anonymous   pull on public/*
#                reader      pull on public/*, library/*, pause
#                writer      pull,push on private/*; pull on public/*, library/*, pause
#                shortlived  same rights as reader, but its tokens live
#                            AIRGAP_TEST_TOKEN_SHORTLIVED_EXPIRES_IN (2) seconds
#                seeder      every action on everything (incl. registry:catalog:*)
#              seed-images.sh pushes the seed images plus private/secret:1.0 and
#              public/hello:1.0 to it as seeder.
#              Lifetimes: expires_in is 300 s (AIRGAP_TEST_TOKEN_EXPIRES_IN in the
#              environment of `start` overrides it). The registry accepts a token exactly
#              expires_in seconds (it adds a fixed 60 s leeway to exp; the issuer writes
#              exp = iat + lifetime - 60 to cancel it), then answers 401 invalid_token.
#              Control API (POST, answers the current overrides as JSON; GET .../control
#              shows them; `&user=NAME` scopes an override to one account, "" =
#              anonymous, so parallel tests do not disturb each other):
#                $AIRGAP_TEST_TOKEN_CONTROL/expiry?seconds=N[&registry_seconds=M][&user=U]
#                    expires_in of the NEXT tokens; the registry refuses them after M s (default N)
#                $AIRGAP_TEST_TOKEN_CONTROL/delay?ms=N[&user=U]   answer token requests late
#                $AIRGAP_TEST_TOKEN_CONTROL/fail?count=N[&status=503][&user=U]
#                    the next N token requests fail with STATUS
#                $AIRGAP_TEST_TOKEN_CONTROL/revoke-refresh-tokens
#                $AIRGAP_TEST_TOKEN_CONTROL/reset                 drop every override
#   proxy      tinyproxy (HTTP proxy, CONNECT to any port, no upstream) with LogLevel Info:
#              each proxied request is one "Request (file descriptor N): GET http://..."
#              or "Request (file descriptor N): CONNECT 127.0.0.1:PORT ..." line in its log.
#              start's own probe (GET AIRGAP_TEST_REGISTRY/v2/) is the first one there.
#   containerd containerd 1.6 as a plain background process, the oracle for
#              `ctr images import`: its own config, root, state and gRPC unix socket
#              under $AIRGAP_TEST_STATE/containerd. CRI, the opt plugin (it would write
#              /opt/containerd) and the snapshotters that cannot work here (aufs, btrfs,
#              zfs, devmapper) are disabled. Use the `native` snapshotter with it
#              (`ctr --address SOCK -n NS images import --snapshotter native ...`); the
#              client-side default, overlayfs, is left loaded but is not what tests use.
#
# Env file $AIRGAP_TEST_STATE/env (KEY=VALUE, no quotes, values never contain spaces):
#   AIRGAP_TEST_STATE                       the state directory itself
#   AIRGAP_TEST_REGISTRY                    127.0.0.1:PORT of the plain HTTP registry
#   AIRGAP_TEST_REGISTRY_TLS                127.0.0.1:PORT of the HTTPS registry (no auth)
#   AIRGAP_TEST_CA                          PEM file of the test CA (server cert covers
#                                           IP:127.0.0.1 and DNS:localhost)
#   AIRGAP_TEST_CERT_DIR                    directory holding only ca.crt, for
#                                           skopeo/podman --cert-dir style options
#   AIRGAP_TEST_REGISTRY_AUTH               127.0.0.1:PORT of the HTTPS registry with basic auth
#   AIRGAP_TEST_REGISTRY_AUTH_PLAIN         127.0.0.1:PORT of the plain HTTP registry with basic
#                                           auth (same storage and users as the one above)
#   AIRGAP_TEST_AUTH_USER                   user name accepted by both auth registries
#   AIRGAP_TEST_AUTH_PASSWORD               its password (random per start; never committed)
#   AIRGAP_TEST_AUTH_REALM                  the Basic realm the auth registries announce
#   AIRGAP_TEST_AUTH_FILE                   containers-auth.json(5) file with those credentials
#                                           for both auth registries (for --authfile)
#   AIRGAP_TEST_REDIRECT_BASE               http://127.0.0.1:PORT  (nginx, first port)
#   AIRGAP_TEST_ECHO_BASE                   http://127.0.0.1:PORT2 (same nginx, second port =
#                                           another host:port)
#   AIRGAP_TEST_REDIRECT_TO_REGISTRY        REDIRECT_BASE/redirect-to-registry; append a
#                                           registry path: .../redirect-to-registry/v2/... gives
#                                           307 to http://AIRGAP_TEST_REGISTRY/v2/... (query kept)
#   AIRGAP_TEST_REDIRECT_TO_ECHO            307 to ECHO_BASE/echo-headers (other port)
#   AIRGAP_TEST_REDIRECT_TO_ECHO_LOCALHOST  307 to http://localhost:PORT2/echo-headers
#                                           (other host name and port)
#   AIRGAP_TEST_REDIRECT_TO_ECHO_SAME_HOST  307 to REDIRECT_BASE/echo-headers (same host:port)
#   AIRGAP_TEST_REDIRECT_TO_FILE            307 to file:///etc/passwd (must be refused)
#   AIRGAP_TEST_REDIRECT_LOOP               307 to itself forever (redirect limit tests)
#   AIRGAP_TEST_ECHO_URL                    ECHO_BASE/echo-headers; body is
#                                           "authorization=[<Authorization header>]\nhost=[<Host>]\n"
#                                           (also served at REDIRECT_BASE/echo-headers)
#   AIRGAP_TEST_CONTAINERD_ADDRESS          path of containerd's gRPC unix socket, for
#                                           `ctr --address` (use one namespace per test: `ctr -n`)
#   AIRGAP_TEST_CONTAINERD_SNAPSHOTTER      the snapshotter to unpack into: native (pass it
#                                           as `ctr images import --snapshotter`)
#   AIRGAP_TEST_REGISTRY_TOKEN              127.0.0.1:PORT of the plain HTTP registry with token auth
#   AIRGAP_TEST_TOKEN_REALM                 http://127.0.0.1:PORT/token, the issuer's token endpoint
#   AIRGAP_TEST_TOKEN_SERVICE               the service name (registry's challenge, JWT aud)
#   AIRGAP_TEST_TOKEN_ISSUER                the issuer name (JWT iss)
#   AIRGAP_TEST_TOKEN_CONTROL               http://127.0.0.1:PORT/control (see token-issuer above)
#   AIRGAP_TEST_TOKEN_LOG                   the issuer's request log: one JSON line per token
#                                           request: {"time","method","grant" (anonymous|basic|
#                                           password|refresh_token),"user","service","client_id",
#                                           "offline","scopes_requested","scopes_granted","status",
#                                           "expires_in","jti","error"}; never passwords or tokens
#   AIRGAP_TEST_TOKEN_EXPIRES_IN            default token lifetime (expires_in) in seconds
#   AIRGAP_TEST_TOKEN_READER_PASSWORD       password of user "reader" (random per start)
#   AIRGAP_TEST_TOKEN_WRITER_PASSWORD       password of user "writer" (random per start)
#   AIRGAP_TEST_TOKEN_SHORTLIVED_PASSWORD   password of user "shortlived" (random per start)
#   AIRGAP_TEST_TOKEN_SHORTLIVED_EXPIRES_IN lifetime of shortlived's tokens (2)
#   AIRGAP_TEST_TOKEN_SEEDER_PASSWORD       password of user "seeder" (random per start)
#   AIRGAP_TEST_TOKEN_SEEDER_AUTH_FILE      containers-auth.json(5) file with seeder's credentials
#                                           for the token registry (for skopeo --authfile)
#   AIRGAP_TEST_PROXY                       http://127.0.0.1:PORT, the tinyproxy
#   AIRGAP_TEST_PROXY_LOG                   tinyproxy's log file (LogLevel Info)
# Added by scripts/seed-images.sh once the registries hold the seed images:
#   AIRGAP_TEST_SEEDED                      1
#   AIRGAP_TEST_SEEDED_LIST                 file with one line per pushed image:
#                                           REGISTRY/NAME:TAG MEDIATYPE DIGEST
#
# Usage:
#   scripts/test-servers.sh start    # (re)start everything, print the env file
#   scripts/test-servers.sh status   # print the env file if all servers are alive
#   eval "$(scripts/test-servers.sh env)"   # export the keys into this shell
#   scripts/test-servers.sh stop     # kill what start started, delete the state dir
# AIRGAP_TEST_STARTUP_TIMEOUT (seconds, default 20) bounds the wait for each server.
set -euo pipefail

STATE=${AIRGAP_TEST_STATE:-/tmp/airgap-test-servers}
STATE=${STATE%/}
STARTUP_TIMEOUT=${AIRGAP_TEST_STARTUP_TIMEOUT:-20}
# Marker that proves a directory is ours before `stop` runs rm -rf on it, so a
# mistyped AIRGAP_TEST_STATE=$HOME cannot wipe anything.
MARKER=.airgap-test-servers
SERVERS=(plain tls auth auth-plain token token-issuer proxy nginx containerd)
CONTAINERD_SNAPSHOTTER=native
AUTH_USER=testuser
AUTH_REALM=airgap-test
TOKEN_SERVICE=airgap-test-token-registry
TOKEN_ISSUER=airgap-test-token-issuer
TOKEN_EXPIRES_IN=${AIRGAP_TEST_TOKEN_EXPIRES_IN:-300}
TOKEN_SHORTLIVED_EXPIRES_IN=2
# Debian's python with python3-cryptography (python3 on PATH may be another one).
ISSUER_PYTHON=/usr/bin/python3
ISSUER_SCRIPT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/testdata/token-issuer/issuer.py

die() {
	echo "test-servers: $*" >&2
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

log_tail() {
	local f
	for f in "$STATE/$1/log" "$STATE/$1/error.log"; do
		if [[ -s $f ]]; then
			echo "---- last lines of $f ----" >&2
			tail -n 30 "$f" >&2
		fi
	done
}

# Poll URL until it answers with HTTP status EXPECT; fail with the log tail if
# the process dies or the deadline passes.
wait_http() {
	local name=$1 url=$2 expect=$3
	shift 3
	local deadline=$((SECONDS + STARTUP_TIMEOUT)) code=
	while ((SECONDS < deadline)); do
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$@" "$url" || true)
		[[ $code == "$expect" ]] && return 0
		# Plain kill -0 here: the process is our child of a moment ago, so pid
		# reuse is no concern, and this sees a death even before the first probe.
		if [[ -s $STATE/$name/pid ]] && ! kill -0 "$(<"$STATE/$name/pid")" 2>/dev/null; then
			log_tail "$name"
			die "$name exited during startup (probe $url)"
		fi
		sleep 0.1
	done
	log_tail "$name"
	die "$name did not answer $expect on $url within ${STARTUP_TIMEOUT}s (last status: ${code:-none})"
}

# Poll `ctr version` on containerd's socket until the daemon answers; fail with
# the log tail if it dies or the deadline passes.
wait_containerd() {
	local sock=$1 deadline=$((SECONDS + STARTUP_TIMEOUT)) out=
	while ((SECONDS < deadline)); do
		if out=$(ctr --address "$sock" --connect-timeout 2s --timeout 3s version 2>&1); then
			return 0
		fi
		if [[ -s $STATE/containerd/pid ]] && ! kill -0 "$(<"$STATE/containerd/pid")" 2>/dev/null; then
			log_tail containerd
			die "containerd exited during startup (socket $sock)"
		fi
		sleep 0.1
	done
	log_tail containerd
	die "containerd did not answer on $sock within ${STARTUP_TIMEOUT}s (last ctr error: $(tail -n 1 <<<"${out:-none}"))"
}

# Throwaway CA plus a server certificate for 127.0.0.1 and localhost. Go (the
# registry) ignores the CN, so the subjectAltName is what matters.
make_ca() {
	local d=$STATE/ca
	mkdir -p "$d" "$STATE/certs.d"
	openssl req -x509 -newkey rsa:2048 -nodes -days 365 \
		-keyout "$d/ca.key" -out "$d/ca.crt" -subj "/CN=airgap test CA" \
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
	# skopeo/podman treat every *.crt in a cert dir as a CA; keep only the CA there.
	cp "$d/ca.crt" "$STATE/certs.d/ca.crt"
}

# The token issuer's signing key: a throwaway CA (the registry's rootcertbundle)
# and an RSA key whose certificate it signs. The issuer puts that certificate in
# each JWT's x5c header; the registry verifies it against the CA.
make_token_keys() {
	local d=$STATE/token-issuer
	openssl req -x509 -newkey rsa:2048 -nodes -days 365 \
		-keyout "$d/ca.key" -out "$d/ca.crt" -subj "/CN=airgap test token CA" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -keyout "$d/signing.key" -out "$d/signing.csr" \
		-subj "/CN=airgap test token signer" 2>/dev/null
	printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature" >"$d/signing.ext"
	openssl x509 -req -in "$d/signing.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
		-set_serial "0x$(openssl rand -hex 8)" -days 365 \
		-extfile "$d/signing.ext" -out "$d/signing.crt" 2>/dev/null
	chmod 600 "$d/ca.key" "$d/signing.key"
}

# The issuer's config: users with this start's random passwords, and the ACL
# documented in the header.
write_token_config() {
	local d=$STATE/token-issuer
	(
		umask 077
		jq -n --arg iss "$TOKEN_ISSUER" --arg svc "$TOKEN_SERVICE" --argjson exp "$TOKEN_EXPIRES_IN" \
			--arg reader "$TOKEN_READER_PASSWORD" --arg writer "$TOKEN_WRITER_PASSWORD" \
			--arg seeder "$TOKEN_SEEDER_PASSWORD" --arg short "$TOKEN_SHORTLIVED_PASSWORD" \
			--argjson short_exp "$TOKEN_SHORTLIVED_EXPIRES_IN" '{
			issuer: $iss, service: $svc, expires_in: $exp,
			users: {
				reader: {password: $reader},
				writer: {password: $writer},
				shortlived: {password: $short, expires_in: $short_exp},
				seeder: {password: $seeder}
			},
			acl: [
				{accounts: ["", "*"], name: "public/*", actions: ["pull"]},
				{accounts: ["reader", "writer", "shortlived"], name: "library/*", actions: ["pull"]},
				{accounts: ["reader", "writer", "shortlived"], name: "pause", actions: ["pull"]},
				{accounts: ["writer"], name: "private/*", actions: ["pull", "push"]},
				{accounts: ["seeder"], type: "*", name: "*", actions: ["*"]}
			]}' >"$d/config.json"
		local b64
		b64=$(printf '%s:%s' seeder "$TOKEN_SEEDER_PASSWORD" | base64 -w0)
		jq -n --arg r "127.0.0.1:$TOKEN_PORT" --arg v "$b64" '{auths: {($r): {auth: $v}}}' >"$d/seeder-auth.json"
	)
}

write_proxy_config() {
	local d=$STATE/proxy
	cat >"$d/tinyproxy.conf" <<EOF
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
EOF
}

# write_registry_config NAME PORT STORAGE_DIR TLS(0|1) AUTH(0|1 = htpasswd|token)
write_registry_config() {
	local name=$1 port=$2 storage=$3 tls=$4 auth=$5
	local cfg=$STATE/$name/config.yml
	{
		cat <<EOF
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
  # Same secret for every instance: auth and auth-plain share one storage.
  secret: $HTTP_SECRET
EOF
		if [[ $tls == 1 ]]; then
			cat <<EOF
  tls:
    certificate: $STATE/ca/server.crt
    key: $STATE/ca/server.key
EOF
		fi
		if [[ $auth == 1 ]]; then
			cat <<EOF
auth:
  htpasswd:
    realm: $AUTH_REALM
    path: $STATE/htpasswd
EOF
		elif [[ $auth == token ]]; then
			cat <<EOF
auth:
  token:
    realm: http://127.0.0.1:$ISSUER_PORT/token
    service: $TOKEN_SERVICE
    issuer: $TOKEN_ISSUER
    rootcertbundle: $STATE/token-issuer/ca.crt
EOF
		fi
	} >"$cfg"
}

start_registry() {
	local name=$1
	# Distribution maps REGISTRY_* environment variables onto its config
	# (REGISTRY_AUTH_FILE, a containers-auth variable, would become auth.file!),
	# so strip them all from the registry's environment.
	local clean=() v
	while IFS= read -r v; do
		clean+=(-u "$v")
	done < <(compgen -e | grep '^REGISTRY_' || true)
	spawn "$name" env "${clean[@]}" docker-registry serve "$STATE/$name/config.yml"
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
	cat >"$d/config.toml" <<EOF
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
EOF
}

write_nginx_config() {
	local d=$STATE/nginx
	mkdir -p "$d/tmp"
	cat >"$d/nginx.conf" <<EOF
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
EOF
}

write_env() {
	local tmp=$STATE/env.tmp
	cat >"$tmp" <<EOF
AIRGAP_TEST_STATE=$STATE
AIRGAP_TEST_REGISTRY=127.0.0.1:$PLAIN_PORT
AIRGAP_TEST_REGISTRY_TLS=127.0.0.1:$TLS_PORT
AIRGAP_TEST_CA=$STATE/ca/ca.crt
AIRGAP_TEST_CERT_DIR=$STATE/certs.d
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
AIRGAP_TEST_TOKEN_SEEDER_PASSWORD=$TOKEN_SEEDER_PASSWORD
AIRGAP_TEST_TOKEN_SEEDER_AUTH_FILE=$STATE/token-issuer/seeder-auth.json
AIRGAP_TEST_PROXY=http://127.0.0.1:$PROXY_PORT
AIRGAP_TEST_PROXY_LOG=$STATE/proxy/tinyproxy.log
AIRGAP_TEST_CONTAINERD_ADDRESS=$CONTAINERD_SOCKET
AIRGAP_TEST_CONTAINERD_SNAPSHOTTER=$CONTAINERD_SNAPSHOTTER
EOF
	# The file carries a password: readable by the owner only.
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

# Signal every server we started (by pid file) and wait for them to go.
kill_servers() {
	local s pid pids=() i
	for s in "${SERVERS[@]}"; do
		if pid=$(server_pid "$s"); then
			kill -TERM "$pid" 2>/dev/null || true
			pids+=("$pid")
		fi
	done
	# Give them 5 s to exit cleanly (nginx master takes its workers along), then SIGKILL.
	for ((i = 0; i < 50 && ${#pids[@]} > 0; i++)); do
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

# containerd mounts snapshots (bind mounts for `native`) while it unpacks; one
# killed mid-unpack can leave a mount under the state dir. Unmount those
# (deepest first) so rm -rf never walks into, or trips over, a mount.
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
	need docker-registry nginx openssl htpasswd curl python3 setsid jq base64 containerd ctr tinyproxy
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

	read -r PLAIN_PORT TLS_PORT AUTH_PORT AUTH_PLAIN_PORT REDIRECT_PORT ECHO_PORT \
		TOKEN_PORT ISSUER_PORT PROXY_PORT < <(free_ports 9)
	HTTP_SECRET=$(openssl rand -hex 16)
	AUTH_PASSWORD=$(openssl rand -hex 16)
	TOKEN_READER_PASSWORD=$(openssl rand -hex 16)
	TOKEN_WRITER_PASSWORD=$(openssl rand -hex 16)
	TOKEN_SEEDER_PASSWORD=$(openssl rand -hex 16)
	TOKEN_SHORTLIVED_PASSWORD=$(openssl rand -hex 16)

	make_ca
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

	make_token_keys
	write_token_config

	mkdir -p "$STATE/plain/data" "$STATE/tls/data" "$STATE/auth/data" "$STATE/token/data"
	write_registry_config plain "$PLAIN_PORT" "$STATE/plain/data" 0 0
	write_registry_config tls "$TLS_PORT" "$STATE/tls/data" 1 0
	write_registry_config auth "$AUTH_PORT" "$STATE/auth/data" 1 1
	write_registry_config auth-plain "$AUTH_PLAIN_PORT" "$STATE/auth/data" 0 1
	write_registry_config token "$TOKEN_PORT" "$STATE/token/data" 0 token
	write_proxy_config
	write_nginx_config
	write_containerd_config

	for s in plain tls auth auth-plain token; do
		start_registry "$s"
	done
	local ti=$STATE/token-issuer
	: >"$ti/requests.jsonl"
	# -I: ignore PYTHON* variables and the user site, only Debian's packages.
	spawn token-issuer "$ISSUER_PYTHON" -I "$ISSUER_SCRIPT" --config "$ti/config.json" \
		--port "$ISSUER_PORT" --key "$ti/signing.key" --cert "$ti/signing.crt" --log "$ti/requests.jsonl"
	spawn proxy tinyproxy -d -c "$STATE/proxy/tinyproxy.conf"
	spawn nginx nginx -p "$STATE/nginx" -c "$STATE/nginx/nginx.conf" -e "$STATE/nginx/error.log"
	spawn containerd containerd --config "$STATE/containerd/config.toml"

	local ca=$STATE/ca/ca.crt
	wait_http plain "http://127.0.0.1:$PLAIN_PORT/v2/" 200
	wait_http tls "https://127.0.0.1:$TLS_PORT/v2/" 200 --cacert "$ca"
	wait_http auth "https://127.0.0.1:$AUTH_PORT/v2/" 401 --cacert "$ca"
	wait_http auth-plain "http://127.0.0.1:$AUTH_PLAIN_PORT/v2/" 401
	wait_http token "http://127.0.0.1:$TOKEN_PORT/v2/" 401
	wait_http token-issuer "http://127.0.0.1:$ISSUER_PORT/healthz" 200
	wait_http proxy "http://127.0.0.1:$PLAIN_PORT/v2/" 200 --proxy "http://127.0.0.1:$PROXY_PORT"
	wait_http nginx "http://127.0.0.1:$ECHO_PORT/echo-headers" 200
	wait_http nginx "http://127.0.0.1:$REDIRECT_PORT/redirect-to-echo" 307
	# The credentials must really work, not just the challenge.
	wait_http auth "https://127.0.0.1:$AUTH_PORT/v2/" 200 --cacert "$ca" -u "$AUTH_USER:$AUTH_PASSWORD"
	wait_http auth-plain "http://127.0.0.1:$AUTH_PLAIN_PORT/v2/" 200 -u "$AUTH_USER:$AUTH_PASSWORD"
	check_token_flow
	wait_containerd "$CONTAINERD_SOCKET"

	write_env
	trap - EXIT
	cat "$STATE/env"
}

# The registry must really accept the issuer's tokens: a reader token opens /v2/.
# The issuer logs this request too (user "reader", no scopes); it is the first
# line of AIRGAP_TEST_TOKEN_LOG.
check_token_flow() {
	local resp token code
	resp=$(curl -sf --max-time 5 -u "reader:$TOKEN_READER_PASSWORD" \
		"http://127.0.0.1:$ISSUER_PORT/token?service=$TOKEN_SERVICE") || {
		log_tail token-issuer
		die "token-issuer refused reader's token request"
	}
	token=$(jq -r .token <<<"$resp")
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "Authorization: Bearer $token" \
		"http://127.0.0.1:$TOKEN_PORT/v2/" || true)
	if [[ $code != 200 ]]; then
		log_tail token
		die "token registry answered $code to a token from the issuer (want 200)"
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

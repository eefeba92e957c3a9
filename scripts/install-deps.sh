#!/usr/bin/env bash
# install-deps.sh — install the Debian packages that airgap's build and tests need.
#
# Idempotent: asks dpkg-query first, and only when something is missing runs
# `apt-get update` + `apt-get install` of the missing packages alone (nothing
# already installed is upgraded), so CI and developers can call it unconditionally.
# Uses sudo only when not already root (CI containers usually run as root and
# often have no sudo at all).
#
# Leaves no system service enabled or running: the tests start their own nginx,
# docker-registry, tinyproxy, containerd (and dockerd) on their own ports and
# state folders (scripts/test-servers.sh). Debian's postinst scripts would start
# and enable the system instances; a policy-rc.d that refuses every start keeps
# them down during the install, and afterwards (on every run, so what an earlier
# install left behind is cleaned up too) the units and init scripts are disabled
# and a running system instance is stopped.
set -euo pipefail

# Why each package is here:
#   libcurl4-openssl-dev libarchive-dev pkg-config  the two C libraries the Swift code links
#   docker-registry                                  real registry (CNCF Distribution) for tests
#   skopeo umoci busybox-static                      build and push real seed images
#   podman containerd uidmap fuse-overlayfs          oracles that load our archives
#   docker.io                                        dockerd, the `docker load` oracle: the tests start their
#                                                    own (scripts/test-servers.sh), so this script keeps
#                                                    the package's service from starting or being enabled
#   nginx-light                                      redirect / header-echo server for HTTP tests
#   tinyproxy                                        HTTP(S) proxy tests
#   openssl apache2-utils                            test CA + certificates, htpasswd files
#   jq curl ca-certificates python3 shellcheck       script linting, JSON, probing, free ports
#   python3-cryptography                             the token issuer's JWT signing (RS256, x5c)
PACKAGES=(
	docker-registry skopeo podman containerd umoci busybox-static
	nginx-light tinyproxy openssl apache2-utils shellcheck jq pkg-config
	uidmap fuse-overlayfs docker.io
	libcurl4-openssl-dev libarchive-dev ca-certificates curl python3 python3-cryptography
)

# Services the packages above ship and Debian enables at install. Per line: the
# systemd unit; the SysV init script; and, for a daemon an init script can have
# started, its pid file and executable, so that only that system instance is
# ever stopped and never a test server of the same program.
SERVICES=(
	"nginx.service nginx /run/nginx.pid nginx"
	"docker-registry.service docker-registry /run/docker-registry.pid docker-registry"
	"tinyproxy.service tinyproxy /run/tinyproxy/tinyproxy.pid tinyproxy"
	"containerd.service"
	"docker.service docker /run/docker.pid dockerd"
	"docker.socket"
	"podman.socket"
)

missing=()
for pkg in "${PACKAGES[@]}"; do
	# db:Status-Abbrev is "ii " for a fully installed package; anything else
	# (not known, removed, half-configured) counts as missing.
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
	if [[ "$status" != "ii"* ]]; then
		missing+=("$pkg")
	fi
done

SUDO=()
need_root() {
	[[ $(id -u) -eq 0 || ${#SUDO[@]} -gt 0 ]] && return 0
	if ! command -v sudo >/dev/null 2>&1; then
		echo "install-deps: need root or sudo to $1" >&2
		exit 1
	fi
	SUDO=(sudo)
}

# Swaps /usr/sbin/policy-rc.d for one that answers 101 ("action forbidden") to
# invoke-rc.d and deb-systemd-invoke, so no postinst starts a service; an
# existing policy is put back afterwards, ours removed.
POLICY=/usr/sbin/policy-rc.d
policy_saved=""
forbid_service_starts() {
	if [[ -e $POLICY ]]; then
		policy_saved=$("${SUDO[@]}" mktemp "$POLICY.airgap-saved.XXXXXX")
		"${SUDO[@]}" cp -p "$POLICY" "$policy_saved"
	fi
	trap restore_service_policy EXIT
	printf '#!/bin/sh\n# scripts/install-deps.sh: no service starts during the install\nexit 101\n' |
		"${SUDO[@]}" tee "$POLICY" >/dev/null
	"${SUDO[@]}" chmod 0755 "$POLICY"
}
restore_service_policy() {
	if [[ -n $policy_saved ]]; then
		"${SUDO[@]}" mv -f "$policy_saved" "$POLICY"
	else
		"${SUDO[@]}" rm -f "$POLICY"
	fi
}

# True when the pid in FILE is alive and runs EXE: the system instance.
system_instance() { # system_instance PIDFILE EXE
	local pid
	[[ -r $1 ]] || return 1
	pid=$(head -c 20 "$1" | tr -dc 0-9)
	[[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 1
	[[ $(basename "$(readlink "/proc/$pid/exe" 2>/dev/null)") == "$2" ]] || return 1
	echo "$pid"
}

# Disables each unit and init script that is enabled, and stops each system
# instance that runs: through systemd when it is the init system, else by the
# pid in the system pid file (never by program name: the test servers run the
# same programs).
quiet_services() {
	local line unit script pidfile exe pid i changed=()
	local systemd=false
	[[ -d /run/systemd/system ]] && systemd=true
	for line in "${SERVICES[@]}"; do
		read -r unit script pidfile exe <<<"$line"
		if command -v systemctl >/dev/null 2>&1 && [[ -e /lib/systemd/system/$unit ]]; then
			if [[ $(systemctl is-enabled "$unit" 2>/dev/null) == enabled ]]; then
				need_root "disable $unit"
				"${SUDO[@]}" systemctl disable --quiet "$unit" 2>/dev/null
				changed+=("disabled $unit")
			fi
			if $systemd && systemctl is-active --quiet "$unit"; then
				need_root "stop $unit"
				"${SUDO[@]}" systemctl stop "$unit"
				changed+=("stopped $unit")
			fi
		fi
		[[ -n ${script:-} && -x /etc/init.d/$script ]] || continue
		# update-rc.d turns the S (start) links into K (stop) links; the files in
		# /etc/rc?.d tell whether that is still needed.
		if compgen -G "/etc/rc[2-5].d/S??$script" >/dev/null; then
			need_root "disable /etc/init.d/$script"
			"${SUDO[@]}" update-rc.d "$script" disable >/dev/null 2>&1
			changed+=("disabled /etc/init.d/$script")
		fi
		if ! $systemd && pid=$(system_instance "$pidfile" "$exe"); then
			need_root "stop $script (pid $pid)"
			"${SUDO[@]}" kill -TERM "$pid"
			for ((i = 0; i < 50; i++)); do
				kill -0 "$pid" 2>/dev/null || break
				sleep 0.2
			done
			changed+=("stopped $script (pid $pid)")
		fi
	done
	if [[ ${#changed[@]} -gt 0 ]]; then
		local summary
		summary=$(printf ', %s' "${changed[@]}")
		echo "install-deps: the tests run their own servers, not the system's: ${summary:2}"
	fi
}

if [[ ${#missing[@]} -gt 0 ]]; then
	need_root "install: ${missing[*]}"
	echo "install-deps: installing: ${missing[*]}"
	forbid_service_starts
	# noninteractive: some packages (e.g. docker-registry) would otherwise ask questions.
	export DEBIAN_FRONTEND=noninteractive
	"${SUDO[@]}" apt-get update
	# Only the missing packages, and --no-upgrade so that a half-configured one is
	# configured at its installed version rather than upgraded. apt may still
	# upgrade a library that a new package needs a newer version of.
	"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y --no-install-recommends --no-upgrade "${missing[@]}"
	restore_service_policy
	trap - EXIT
fi
quiet_services
if [[ ${#missing[@]} -eq 0 ]]; then
	echo "install-deps: all ${#PACKAGES[@]} packages already installed"
fi

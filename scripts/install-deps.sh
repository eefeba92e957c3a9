#!/usr/bin/env bash
# install-deps.sh — install the Debian packages that airgap's build and tests need.
#
# Idempotent: asks dpkg-query first and returns at once when every package is
# already installed, so CI and developers can call it unconditionally. Only when
# something is missing does it run `apt-get update` + `apt-get install`.
# Uses sudo only when not already root (CI containers usually run as root and
# often have no sudo at all).
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

missing=()
for pkg in "${PACKAGES[@]}"; do
	# db:Status-Abbrev is "ii " for a fully installed package; anything else
	# (not known, removed, half-configured) counts as missing.
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
	if [[ "$status" != "ii"* ]]; then
		missing+=("$pkg")
	fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
	echo "install-deps: all ${#PACKAGES[@]} packages already installed"
	exit 0
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
	if ! command -v sudo >/dev/null 2>&1; then
		echo "install-deps: need root or sudo to install: ${missing[*]}" >&2
		exit 1
	fi
	SUDO=(sudo)
fi

echo "install-deps: installing: ${missing[*]}"
# noninteractive: some packages (e.g. docker-registry) would otherwise ask questions.
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update
# Install the whole list, not just the missing ones: apt skips what is present
# and this also upgrades a half-configured package into a working state.
# No daemon starts during this call: the tests start their own (scripts/test-servers.sh),
# and docker.io's maintainer scripts would otherwise start dockerd on the host's
# /run/docker.sock. A policy-rc.d that refuses every start (invoke-rc.d and
# deb-systemd-invoke both ask it) holds for this one apt-get call, unless the machine
# already has a policy of its own, which then decides.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [[ ! -e $policy ]]; then
	printf '#!/bin/sh\n# Written by airgap scripts/install-deps.sh for one apt-get call; removed after it.\nexit 101\n' |
		"${SUDO[@]}" tee "$policy" >/dev/null
	"${SUDO[@]}" chmod 755 "$policy"
	own_policy=1
fi
status=0
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y --no-install-recommends "${PACKAGES[@]}" || status=$?
if ((own_policy)); then
	"${SUDO[@]}" rm -f "$policy"
fi
((status == 0)) || exit "$status"

# Nor at boot, when this call is what installed docker.io. (systemctl and update-rc.d
# edit the unit links and rc.d links without a running systemd, as in containers.)
for pkg in "${missing[@]}"; do
	[[ $pkg == docker.io ]] || continue
	if command -v systemctl >/dev/null 2>&1; then
		"${SUDO[@]}" systemctl disable --quiet docker.service docker.socket 2>/dev/null || true
	fi
	if [[ -e /etc/init.d/docker ]] && command -v update-rc.d >/dev/null 2>&1; then
		"${SUDO[@]}" update-rc.d docker disable >/dev/null 2>&1 || true
	fi
done

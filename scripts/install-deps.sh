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
#   nginx-light                                      redirect / header-echo server for HTTP tests
#   tinyproxy                                        HTTP(S) proxy tests
#   openssl apache2-utils                            test CA + certificates, htpasswd files
#   jq curl ca-certificates python3 shellcheck       script linting, JSON, probing, free ports
#   python3-cryptography                             the token issuer's JWT signing (RS256, x5c)
PACKAGES=(
	docker-registry skopeo podman containerd umoci busybox-static
	nginx-light tinyproxy openssl apache2-utils shellcheck jq pkg-config
	uidmap fuse-overlayfs
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
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y --no-install-recommends "${PACKAGES[@]}"

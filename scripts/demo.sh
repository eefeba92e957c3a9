#!/usr/bin/env bash
# demo.sh — the README's main command, on a fresh Debian 12 machine: install what is missing, build
# airgap, start a local registry holding the seed's suite images, bundle the
# openshift-conformance-minimal suite from it under the images' real names, check the archive, and
# load it with podman in one call.
#
# The registry stands in for docker.io, gcr.io, k8s.gcr.io and us.gcr.io (--mirror), so the archive
# carries the names the suite pulls while no byte comes from the internet.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"

scripts/install-deps.sh
swift build
airgap=$(swift build --show-bin-path)/airgap

# Servers of its own (own state folder, ports and storage): stopping them at the end must not stop
# the test servers a developer has running.
export AIRGAP_TEST_STATE=${AIRGAP_DEMO_STATE:-/tmp/airgap-demo-servers}
scripts/test-servers.sh start >/dev/null
trap 'scripts/test-servers.sh stop >/dev/null 2>&1 || true' EXIT
scripts/seed-images.sh >/dev/null
registry=$(scripts/test-servers.sh env | sed -n 's/^export AIRGAP_TEST_REGISTRY=//p')

work=${AIRGAP_DEMO_DIR:-$PWD/demo}
rm -rf "$work"
mkdir -p "$work"

echo "== airgap bundle --suite openshift-conformance-minimal (from the local registry at $registry)"
"$airgap" bundle --suite openshift-conformance-minimal \
	--mirror "docker.io=$registry" --mirror "gcr.io=$registry" \
	--mirror "k8s.gcr.io=$registry" --mirror "us.gcr.io=$registry" \
	--tls-verify=false --cache "$work/cache" -o "$work/images.tar"

echo "== airgap verify"
"$airgap" verify "$work/images.tar"
echo "== airgap inspect"
"$airgap" inspect "$work/images.tar"

# A private podman storage, so the demo leaves the machine's own images alone.
podman_in_demo() {
	podman --root "$work/podman/root" --runroot "$work/podman/run" --storage-driver vfs "$@"
}
echo "== podman load -i images.tar (one call for every image)"
podman_in_demo load -i "$work/images.tar"
echo "== podman images"
podman_in_demo images

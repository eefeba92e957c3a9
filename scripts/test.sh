#!/usr/bin/env bash
# test.sh — the README's test command: install what is missing, build, start the real test servers,
# seed them, run every test, stop the servers. Exits non-zero on any failure.
#
#   scripts/test.sh                 # everything, and scripts/test-install.sh
#   scripts/test.sh --filter NAME   # extra arguments go to `swift test` (the install test is left out)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"

scripts/install-deps.sh
swift build --build-tests

scripts/test-servers.sh start
trap 'scripts/test-servers.sh stop >/dev/null 2>&1 || true' EXIT
scripts/seed-images.sh

# No test may write into the user's own blob cache (the tests' runs of airgap get caches of their
# own): anything under it newer than this marker after the run is a failure of the run.
user_cache=${XDG_CACHE_HOME:-$HOME/.cache}/airgap
[[ $user_cache == /* ]] || user_cache=$HOME/.cache/airgap
marker=$(mktemp)
log=$(mktemp)
trap 'rm -f "$marker" "$log"; scripts/test-servers.sh stop >/dev/null 2>&1 || true' EXIT
status=0
if [[ $# -eq 0 ]]; then
	# Two runs: the unit tests, then the integration tests. A test process runs its async tests on
	# one thread per core (two here), and integration tests block theirs while podman, dockerd or
	# airgap itself runs; in one process that starved unit tests that start child processes (the
	# credential helpers) for minutes, past their own timeouts.
	swift test --skip-build --skip '^IntegrationTests\.' 2>&1 | tee "$log" || status=$?
	swift test --skip-build --filter '^IntegrationTests\.' 2>&1 | tee -a "$log" || status=$?
else
	swift test --skip-build "$@" 2>&1 | tee "$log" || status=$?
fi

# Checks outside swift test, for the closing line: +NAME passed, -NAME failed.
checks=()
if [[ -e $user_cache && -n $(find "$user_cache" -newer "$marker" -print -quit 2>/dev/null) ]]; then
	echo "the run wrote into $user_cache: a test ran airgap with the user's default cache" >&2
	checks+=("-no write into $user_cache")
fi

# The install path (scripts/install.sh into a temporary prefix) counts as one more test. It is a
# release build of its own in .build-release (about 4 minutes the first time, seconds after), kept
# apart from the debug build above; so it runs on a full run only, not with --filter.
if [[ $# -eq 0 ]]; then
	if scripts/test-install.sh; then checks+=("+scripts/test-install.sh"); else checks+=("-scripts/test-install.sh"); fi
fi

# The built-in Kubernetes e2e suites against the upstream manifest.go they came from, when that
# folder is beside the repository (the project keeps the derived lists, not the Go source).
if [[ $# -eq 0 ]]; then
	e2e_status=0
	scripts/check-e2e-suites.sh .build/debug/airgap || e2e_status=$?
	case $e2e_status in
	0) checks+=("+scripts/check-e2e-suites.sh") ;;
	3) checks+=("?scripts/check-e2e-suites.sh (no ../shared/k8s-e2e)") ;;
	*) checks+=("-scripts/check-e2e-suites.sh") ;;
	esac
fi

# One plain closing line: counts, the name of every test that failed, and of every one not run.
scripts/test-summary.sh "$log" --status "$status" "${checks[@]}" || status=1
exit "$status"

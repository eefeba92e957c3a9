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

log=$(mktemp)
status=0
swift test --skip-build "$@" 2>&1 | tee "$log" || status=$?

# One plain closing line, counted from Swift Testing's per-test results.
passed=$(grep -E '^✔ Test .* passed after' "$log" | grep -cv '^✔ Test run with' || true)
failed=$(grep -E '^✘ Test .* failed after' "$log" | grep -cv '^✘ Test run with' || true)
rm -f "$log"

# The install path (scripts/install.sh into a temporary prefix) counts as one more test. It is a
# release build of its own in .build-release (about 4 minutes the first time, seconds after), kept
# apart from the debug build above; so it runs on a full run only, not with --filter.
if [[ $# -eq 0 ]]; then
	if scripts/test-install.sh; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
fi
echo "${passed} passed, ${failed} failed"
if [[ $status -eq 0 && $failed -ne 0 ]]; then status=1; fi
exit "$status"

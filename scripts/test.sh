#!/usr/bin/env bash
# test.sh — the README's test command: install what is missing, build, start the real test servers,
# seed them, run every test, stop the servers. Exits non-zero on any failure.
#
#   scripts/test.sh                 # everything
#   scripts/test.sh --filter NAME   # extra arguments go to `swift test`
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
echo "${passed} passed, ${failed} failed"
if [[ $status -eq 0 && $failed -ne 0 ]]; then status=1; fi
exit "$status"

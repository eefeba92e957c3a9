#!/usr/bin/env bash
# test-summary.sh LOG [--status N] [+NAME | -NAME]... — scripts/test.sh's closing line.
#
# Counts Swift Testing's per-test results in the `swift test` output LOG ("✔ Test NAME passed
# after …", "✘ Test NAME failed after …"; the "Test run with" totals are not tests) and prints
#   P passed, F failed: NAME, NAME
# naming every test that failed, each once. Each +NAME or -NAME is one more check that passed or
# failed outside swift test (the install test, the user-cache check). --status N is swift test's
# exit status: non-zero with no failed test named (a crash, a build error) names swift test itself.
# Exits 1 when anything failed.
set -euo pipefail

log=${1:?usage: test-summary.sh LOG [--status N] [+NAME | -NAME]...}
shift
status=0
passed=$(grep -E '^✔ Test .* passed after' "$log" | grep -cv '^✔ Test run with' || true)
failures=()
while IFS= read -r name; do
	[[ -n $name ]] && failures+=("$name")
done < <(grep -E '^✘ Test .* failed after' "$log" | grep -v '^✘ Test run with' |
	sed -E 's/^✘ Test (.*) failed after .*/\1/' | awk '!seen[$0]++')
while [[ $# -gt 0 ]]; do
	case $1 in
	--status)
		status=${2:?--status needs a number}
		shift
		;;
	+*) passed=$((passed + 1)) ;;
	-*) failures+=("${1#-}") ;;
	*)
		echo "test-summary.sh: expected +NAME or -NAME, got '$1'" >&2
		exit 2
		;;
	esac
	shift
done
if [[ $status -ne 0 && ${#failures[@]} -eq 0 ]]; then failures+=("swift test (exit status $status)"); fi

if [[ ${#failures[@]} -eq 0 ]]; then
	echo "${passed} passed, 0 failed"
	exit 0
fi
names=$(printf '%s, ' "${failures[@]}")
echo "${passed} passed, ${#failures[@]} failed: ${names%, }"
exit 1

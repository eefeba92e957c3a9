#!/usr/bin/env bash
# test-summary.sh LOG [--status N] [+NAME | -NAME | ?NAME]... — scripts/test.sh's closing line.
#
# Counts Swift Testing's per-test results in the `swift test` output LOG ("✔ Test NAME passed
# after …", "✘ Test NAME failed after …"; the "Test run with" totals are not tests) and prints
#   P passed, F failed: NAME, NAME
# naming every test that failed, each once. Each +NAME or -NAME is one more check that passed or
# failed outside swift test (the install test, the user-cache check); each ?NAME, and each test
# swift test skipped ("➜ Test NAME skipped"), is named after "not run:", never counted as passed. --status N is swift test's
# exit status: non-zero with no failed test named (a crash, a build error) names swift test itself.
# Exits 1 when anything failed.
set -euo pipefail

log=${1:?usage: test-summary.sh LOG [--status N] [+NAME | -NAME | ?NAME]...}
shift
status=0
passed=$(grep -E '^✔ Test .* passed after' "$log" | grep -cv '^✔ Test run with' || true)
failures=()
while IFS= read -r name; do
	[[ -n $name ]] && failures+=("$name")
done < <(grep -E '^✘ Test .* failed after' "$log" | grep -v '^✘ Test run with' |
	sed -E 's/^✘ Test (.*) failed after .*/\1/' | awk '!seen[$0]++')
not_run=()
while IFS= read -r name; do
	[[ -n $name ]] && not_run+=("$name")
done < <(grep -E '^➜ Test .* skipped' "$log" | sed -E 's/^➜ Test (.*) skipped.*/\1/' | awk '!seen[$0]++')
while [[ $# -gt 0 ]]; do
	case $1 in
	--status)
		status=${2:?--status needs a number}
		shift
		;;
	+*) passed=$((passed + 1)) ;;
	-*) failures+=("${1#-}") ;;
	\?*) not_run+=("${1#\?}") ;;
	*)
		echo "test-summary.sh: expected +NAME, -NAME or ?NAME, got '$1'" >&2
		exit 2
		;;
	esac
	shift
done
if [[ $status -ne 0 && ${#failures[@]} -eq 0 ]]; then failures+=("swift test (exit status $status)"); fi

skipped=""
if [[ ${#not_run[@]} -gt 0 ]]; then
	skipped=$(printf '%s, ' "${not_run[@]}")
	skipped="; ${#not_run[@]} not run: ${skipped%, }"
fi
if [[ ${#failures[@]} -eq 0 ]]; then
	echo "${passed} passed, 0 failed${skipped}"
	exit 0
fi
names=$(printf '%s, ' "${failures[@]}")
echo "${passed} passed, ${#failures[@]} failed: ${names%, }${skipped}"
exit 1

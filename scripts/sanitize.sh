#!/usr/bin/env bash
# sanitize.sh [address|thread|all] [SWIFT TEST ARGS...] — build and run every test under
# AddressSanitizer (+ LeakSanitizer) and/or ThreadSanitizer. Exits non-zero when a build fails,
# a test fails, or any sanitizer report was written — by the test process OR by a sanitized
# `airgap` child that an integration test ran (their stderr is captured by the tests, so every
# process writes its reports to files instead, and those files are checked after the run).
#
#   scripts/sanitize.sh                          # address, then thread (the default: all)
#   scripts/sanitize.sh thread --filter Mirror   # extra arguments go to `swift test`
#
# Each sanitizer has its own scratch path (.build-address, .build-thread; git-ignored), so the
# normal .build is left alone and a rerun only rebuilds what changed. Reports land in
# .build-SANITIZER/sanitizer-reports/ (emptied at the start of each run), one file per process.
# Uses the running test servers if there are any (and leaves them running); otherwise starts
# and seeds them like scripts/test.sh does, and stops them at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"

mode=${1:-all}
case $mode in
address | thread) sanitizers=("$mode") ;;
all) sanitizers=(address thread) ;;
*)
	echo "usage: $0 [address|thread|all] [swift test arguments...]" >&2
	exit 2
	;;
esac
[[ $# -gt 0 ]] && shift
test_args=("$@")

root=$(pwd)
suppressions="$root/scripts/sanitizers"
symbolizer=$(command -v llvm-symbolizer || true)

# ASan: the default halt_on_error=1 stays (Swift code is not built with -fsanitize-recover).
# detect_leaks=1: LeakSanitizer runs at each process exit (the test runner and every airgap
# child; a leak makes the process exit 1, so its test fails too). It reports memory nothing
# points to, so a real leak in our code (a retain cycle through a callback, an unfreed
# curl/libarchive object) shows. It cannot see pointers Swift stores with tag bits in them
# (llvm/llvm-project#56751), and TOMLKit and Foundation leak for real: those are in
# scripts/sanitizers/lsan.supp, each with its evidence. A new report that is only "Indirect
# leak" lines is a cycle or hangs off such a pointer: find what holds it before suppressing.
# detect_stack_use_after_return stays off: Swift's async frames live on the heap anyway and it
# makes every C frame (libcurl, libarchive) far slower.
asan_env() {
	local reports=$1
	local options="log_path=$reports/asan:detect_leaks=1:halt_on_error=1:abort_on_error=0"
	options+=":symbolize=1:print_summary=1"
	[[ -n $symbolizer ]] && options+=":external_symbolizer_path=$symbolizer"
	[[ -s $suppressions/asan.supp ]] && options+=":suppressions=$suppressions/asan.supp"
	export ASAN_OPTIONS=$options
	local lsan="print_suppressions=0"
	[[ -s $suppressions/lsan.supp ]] && lsan+=":suppressions=$suppressions/lsan.supp"
	export LSAN_OPTIONS=$lsan
	unset TSAN_OPTIONS
}

# TSan: keep going after a report (halt_on_error=0) so one run lists every race; a process
# that had one exits 66 at the end, which fails its test too. history_size=4 keeps the
# "previous access" stacks of long-lived threads (the curl loop) from being evicted.
tsan_env() {
	local reports=$1
	local options="log_path=$reports/tsan:halt_on_error=0:history_size=4:second_deadlock_stack=1"
	options+=":symbolize=1"
	[[ -n $symbolizer ]] && options+=":external_symbolizer_path=$symbolizer"
	[[ -s $suppressions/tsan.supp ]] && options+=":suppressions=$suppressions/tsan.supp"
	export TSAN_OPTIONS=$options
	unset ASAN_OPTIONS LSAN_OPTIONS
}

# Test servers: reuse running ones (never restart them: other checkouts may be using them).
servers_started=0
ensure_servers() {
	if scripts/test-servers.sh status >/dev/null 2>&1; then
		echo "sanitize: using the running test servers"
	else
		scripts/install-deps.sh
		scripts/test-servers.sh start
		servers_started=1
		trap 'scripts/test-servers.sh stop >/dev/null 2>&1 || true' EXIT
	fi
	local state=${AIRGAP_TEST_STATE:-/tmp/airgap-test-servers}
	if ! grep -qx 'AIRGAP_TEST_SEEDED=1' "$state/env" 2>/dev/null; then
		scripts/seed-images.sh
	fi
}

declare -A summary
overall=0

run_one() {
	local san=$1 scratch=".build-$1"
	local reports="$root/$scratch/sanitizer-reports"
	local log="$root/$scratch/sanitize-test.log"

	echo "=== $san: building (swift build --build-tests --sanitize=$san --scratch-path $scratch)"
	if ! swift build --build-tests --sanitize="$san" --scratch-path "$scratch"; then
		summary[$san]="FAIL: build failed"
		overall=1
		return
	fi
	ensure_servers

	rm -rf "$reports"
	mkdir -p "$reports"
	local status=0
	echo "=== $san: testing (reports go to $reports)"
	# As scripts/test.sh: unit tests and integration tests in two runs, so the integration tests'
	# blocking waits cannot starve the unit tests' child processes past their timeouts.
	sanitized_test() {
		(
			if [[ $san == address ]]; then asan_env "$reports"; else tsan_env "$reports"; fi
			swift test --skip-build --sanitize="$san" --scratch-path "$scratch" "$@"
		) 2>&1 | tee -a "$log" || status=$?
	}
	: >"$log"
	if [[ ${#test_args[@]} -gt 0 ]]; then
		sanitized_test "${test_args[@]}"
	else
		sanitized_test --skip '^IntegrationTests\.'
		sanitized_test --filter '^IntegrationTests\.'
	fi

	local passed failed files=()
	passed=$(grep -E '^✔ Test .* passed after' "$log" | grep -cv '^✔ Test run with' || true)
	failed=$(grep -E '^✘ Test .* failed after' "$log" | grep -cv '^✘ Test run with' || true)
	# One file per process that reported something (name.PID); an empty one would be noise.
	local file
	for file in "$reports"/*; do
		[[ -s $file ]] && files+=("$file")
	done
	if [[ ${#files[@]} -gt 0 ]]; then
		echo "=== $san: ${#files[@]} process(es) wrote sanitizer reports:"
		for file in "${files[@]}"; do
			echo "--- $file"
			if command -v swift-demangle >/dev/null 2>&1; then swift-demangle --simplified <"$file"; else cat "$file"; fi
		done
	fi

	local verdict=PASS
	if [[ $status -ne 0 || $failed -ne 0 || ${#files[@]} -ne 0 ]]; then
		verdict=FAIL
		overall=1
	fi
	summary[$san]="$verdict: $passed passed, $failed failed, ${#files[@]} sanitizer report file(s), swift test exit $status"
}

for san in "${sanitizers[@]}"; do
	run_one "$san"
done

echo
echo "=== sanitize summary"
for san in "${sanitizers[@]}"; do
	echo "$san: ${summary[$san]}"
done
[[ $servers_started -eq 1 ]] && echo "(test servers were started by this script and are stopped now)"
if [[ $overall -eq 0 ]]; then echo "sanitize: PASS"; else echo "sanitize: FAIL"; fi
exit "$overall"

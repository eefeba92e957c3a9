#!/usr/bin/env bash
# fuzz.sh — build the libFuzzer targets in Fuzz/ and run each for a bounded time.
#
#   scripts/fuzz.sh                 # every target, 60 seconds each
#   scripts/fuzz.sh 300             # 300 seconds each
#   scripts/fuzz.sh 120 reference   # only the named targets
#
# Targets: reference, auth-challenge, manifest-document, manifest-models, crictl-snapshot.
# Each starts from the seeds in testdata/fuzz/<target>/ (plus testdata/manifests or testdata/crictl)
# and grows its corpus in Fuzz/corpus/<target>/ (not committed). Crashes, hangs and libFuzzer's
# logs go to a fresh temporary directory, printed at the end. Exits 1 if any target crashed or hung
# (printing each reproducer), 2 if a target failed to build.
#
# Replay a reproducer: Fuzz/.build/release/fuzz-<target> <file>. Once fixed, copy it into
# testdata/fuzz/<target>/ — Tests/RegistryTests/FuzzRegressionTests.swift replays that directory.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
# libFuzzer and AddressSanitizer report crashes themselves; Swift's backtracer would take the signal
# first, and AddressSanitizer flags its memory reader as a wild read.
export SWIFT_BACKTRACE=enable=no

seconds=${1:-60}
shift || true
if ! [[ $seconds =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]" >&2
    exit 64
fi
all_targets=(reference auth-challenge manifest-document manifest-models crictl-snapshot)
if [[ $# -gt 0 ]]; then targets=("$@"); else targets=("${all_targets[@]}"); fi
for target in "${targets[@]}"; do
    if [[ ! -d testdata/fuzz/$target ]]; then
        echo "unknown target $target; targets: ${all_targets[*]}" >&2
        exit 64
    fi
done

# Extra read-only seed directories and the dictionary of each target.
seed_dirs() {
    case $1 in
        manifest-document | manifest-models) echo testdata/manifests ;;
        crictl-snapshot) echo testdata/crictl ;;
    esac
}
dictionary() {
    case $1 in
        reference | auth-challenge) echo "Fuzz/dictionaries/$1.dict" ;;
        *) echo Fuzz/dictionaries/json.dict ;;
    esac
}

# -parse-as-library is not passed: each target's main.swift hands `fuzz` to libFuzzer's driver
# (see Fuzz/Sources/FuzzerDriver for why).
build_flags=(--package-path Fuzz --scratch-path Fuzz/.build -c release -Xswiftc "-sanitize=fuzzer,address")
artifacts=$(mktemp -d "${TMPDIR:-/tmp}/airgap-fuzz.XXXXXX")
crashed=()
unbuilt=()

for target in "${targets[@]}"; do
    echo "== $target: building"
    if ! swift build "${build_flags[@]}" --product "fuzz-$target" >"$artifacts/$target-build.log" 2>&1; then
        echo "!! $target did not build; see $artifacts/$target-build.log" >&2
        unbuilt+=("$target")
        continue
    fi
    binary=Fuzz/.build/release/fuzz-$target

    corpus=Fuzz/corpus/$target
    mkdir -p "$corpus"
    seeds=("testdata/fuzz/$target")
    for dir in $(seed_dirs "$target"); do
        if [[ -d $dir ]]; then seeds+=("$dir"); fi
    done

    echo "== $target: fuzzing for ${seconds}s"
    log=$artifacts/$target.log
    status=0
    # The first directory receives new inputs; the seed directories are only read.
    "$binary" "$corpus" "${seeds[@]}" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
        -dict="$(dictionary "$target")" -print_final_stats=1 \
        -artifact_prefix="$artifacts/$target-" >"$log" 2>&1 || status=$?

    # libFuzzer's last status line and final stats: executions, speed, coverage.
    grep -E '^#[0-9]+[[:space:]]' "$log" | tail -n 1 || true
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb):' "$log" | tr '\n' ' ' || true
    echo

    if [[ $status -ne 0 ]]; then
        crashed+=("$target")
        echo "!! $target failed (status $status); log: $log" >&2
        for reproducer in "$artifacts/$target-"*; do
            case $reproducer in
                *-build.log | "$log") ;;
                *) echo "   reproducer: $reproducer  (replay: $binary $reproducer)" >&2 ;;
            esac
        done
        grep -m 5 -E 'ERROR: |Fatal error|Deadly signal|deadly signal|timeout' "$log" >&2 || true
    fi
done

echo "logs and artifacts: $artifacts"
if [[ ${#crashed[@]} -gt 0 ]]; then
    echo "crashed or hung: ${crashed[*]}" >&2
    exit 1
fi
if [[ ${#unbuilt[@]} -gt 0 ]]; then
    echo "did not build: ${unbuilt[*]}" >&2
    exit 2
fi
echo "no crashes in ${targets[*]}"

#!/usr/bin/env bash
# bench/verify-many.sh — issue 13's scale benchmark: `airgap verify` of an archive naming 20,000
# images, which took 260 s when each RepoTag looked its image up by scanning all of index.json.
# A benchmark, not a test: it measures and reports; the target (under 2 s on this machine) is
# checked, not enforced. `swift test` keeps a counting test of the same property
# (BundleVerifierScaleTests), which does not depend on the clock.
#
# What it does:
#   1. builds airgap in release mode (scratch folder .build-bench, as bench/run.sh) unless
#      AIRGAP_BENCH_BINARY names a binary;
#   2. generates, once (cached under bench/.work/verify-many, rebuilt when the recipe changes), two
#      dual-format archives with NAMES names each, written by Python's tarfile:
#        shared    every name is the same tiny image (one manifest, config and layer): the issue's
#                  6.7 MB archive, where index.json and manifest.json are nearly all of it;
#        distinct  every name has a manifest and a config of its own (one shared layer): 40,001
#                  blobs, so the per-image work (decoding, checking) is done 20,000 times;
#   3. times RUNS runs (default 3) of `airgap verify` on each, under GNU time, after a warm-up run,
#      and checks that each said "OK: NAMES images";
#   4. writes the results into BENCHMARKS.md (its "verify benchmark" section) and prints them.
#
# Environment: AIRGAP_BENCH_RUNS (3), AIRGAP_BENCH_IMAGES (20000), AIRGAP_BENCH_WORK (bench/.work),
# AIRGAP_BENCH_BINARY (skip the build), AIRGAP_BENCH_OUTPUT (BENCHMARKS.md).
# Needs: python3, GNU time (/usr/bin/time; installed with apt-get when missing and running as root).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
# shellcheck source=bench/lib.sh
source "$HERE/lib.sh"
WORK=${AIRGAP_BENCH_WORK:-$HERE/.work}/verify-many
RUNS=${AIRGAP_BENCH_RUNS:-3}
NAMES=${AIRGAP_BENCH_IMAGES:-20000}
OUTPUT=${AIRGAP_BENCH_OUTPUT:-$ROOT/BENCHMARKS.md}
RECIPE_VERSION=1
TARGET_SECONDS=2
SHAPES=(shared distinct)

check_tools() {
	command -v python3 >/dev/null 2>&1 || die "missing python3 (scripts/install-deps.sh installs it)"
	need_gnu_time
	[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "AIRGAP_BENCH_RUNS must be a positive integer, not '$RUNS'"
	[[ $NAMES =~ ^[1-9][0-9]*$ ]] || die "AIRGAP_BENCH_IMAGES must be a positive integer, not '$NAMES'"
}

# Writes $WORK/SHAPE.tar for each shape, once per recipe.
generate() {
	local stamp="$RECIPE_VERSION $NAMES"
	if [[ -f $WORK/.recipe && $(<"$WORK/.recipe") == "$stamp" ]]; then
		log "reusing the generated archives in $WORK"
		return
	fi
	log "generating two archives of $NAMES image names into $WORK (once; cached for later runs)"
	rm -rf "$WORK"
	mkdir -p "$WORK"
	python3 - "$WORK" "$NAMES" <<'PY'
import hashlib, io, json, sys, tarfile

work, count = sys.argv[1], int(sys.argv[2])

def dumps(value):
    return json.dumps(value, separators=(",", ":"), sort_keys=True).encode()

def descriptor(media_type, data):
    return {"mediaType": media_type, "digest": "sha256:" + hashlib.sha256(data).hexdigest(), "size": len(data)}

def write(path, blobs, index, docker):
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        def add(name, data, kind=tarfile.REGTYPE):
            info = tarfile.TarInfo(name)
            info.type, info.size, info.mode, info.mtime = kind, len(data), 0o755 if kind == tarfile.DIRTYPE else 0o644, 0
            tar.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
        add("oci-layout", dumps({"imageLayoutVersion": "1.0.0"}))
        add("index.json", dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": index}))
        add("manifest.json", dumps(docker))
        add("blobs", b"", tarfile.DIRTYPE)
        add("blobs/sha256", b"", tarfile.DIRTYPE)
        for data in blobs:
            add("blobs/sha256/" + hashlib.sha256(data).hexdigest(), data)

layer = b"a tiny layer, shared by every image\n"
layer_descriptor = descriptor("application/vnd.oci.image.layer.v1.tar+gzip", layer)

def image(label):
    config = dumps({"architecture": "amd64", "os": "linux", "config": {"Labels": {"image": label}},
                    "rootfs": {"type": "layers", "diff_ids": [layer_descriptor["digest"]]}})
    manifest = dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                      "config": descriptor("application/vnd.oci.image.config.v1+json", config), "layers": [layer_descriptor]})
    return config, manifest

def name(i):
    return f"registry.example.com/bench/image-{i}:v1"

def entry(i, config, manifest):
    ref = name(i)
    top = descriptor("application/vnd.oci.image.manifest.v1+json", manifest)
    top["annotations"] = {"io.containerd.image.name": ref, "org.opencontainers.image.ref.name": ref}
    docker = {"Config": "blobs/sha256/" + hashlib.sha256(config).hexdigest(), "RepoTags": [ref],
              "Layers": ["blobs/sha256/" + layer_descriptor["digest"][7:]]}
    return top, docker

config, manifest = image("shared")
pairs = [entry(i, config, manifest) for i in range(count)]
write(f"{work}/shared.tar", [layer, config, manifest], [p[0] for p in pairs], [p[1] for p in pairs])

blobs, index, docker = [layer], [], []
for i in range(count):
    config, manifest = image(str(i))
    blobs += [config, manifest]
    top, entry_ = entry(i, config, manifest)
    index.append(top)
    docker.append(entry_)
write(f"{work}/distinct.tar", blobs, index, docker)
PY
	echo "$stamp" >"$WORK/.recipe"
}

TMP=
RESULTS=
# measure LABEL COMMAND...: run under GNU time, append "LABEL wall user sys maxrss_kib".
measure() {
	local label=$1
	shift
	if ! /usr/bin/time -f '%e %U %S %M' -o "$TMP/time.out" "$@" >"$TMP/last.stdout" 2>"$TMP/last.stderr"; then
		tail -n 20 "$TMP/last.stdout" "$TMP/last.stderr" >&2
		die "$label failed: $*"
	fi
	grep -q "^OK: $NAMES images" "$TMP/last.stdout" || die "$label did not verify $NAMES images: $(cat "$TMP/last.stdout")"
	local times
	read -r -a times < <(tail -n 1 "$TMP/time.out")
	echo "$label ${times[*]}" >>"$RESULTS"
	log "$(printf '%-9s wall %6ss  user %6ss  sys %6ss  maxrss %8s KiB' "$label" "${times[@]}")"
}

# med LABEL FIELD (2 wall, 3 user, 4 sys, 5 maxrss KiB): the median over that label's runs.
med() {
	awk -v l="$1" -v f="$2" '$1 == l { print $f }' "$RESULTS" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

runs_of() {
	awk -v l="$1" '$1 == l { printf "%s%s", sep, $2; sep = ", " }' "$RESULTS"
}

main() {
	check_tools
	build_airgap
	generate
	TMP=$(mktemp -d)
	trap 'rm -rf "$TMP"' EXIT
	RESULTS=$TMP/results
	: >"$RESULTS"
	local load_before shape round
	load_before=$(cut -d' ' -f1-3 /proc/loadavg)
	log "warm-up (page cache)"
	for shape in "${SHAPES[@]}"; do "$AIRGAP" verify "$WORK/$shape.tar" >/dev/null; done
	for ((round = 1; round <= RUNS; round++)); do
		log "round $round of $RUNS"
		for shape in "${SHAPES[@]}"; do measure "$shape" "$AIRGAP" verify "$WORK/$shape.tar"; done
	done

	local wall verdict section=$TMP/section.md
	wall=$(med shared 2)
	if awk -v w="$wall" -v t="$TARGET_SECONDS" 'BEGIN { exit !(w < t) }'; then verdict="**met**"; else verdict="**not met**"; fi
	cat >"$section" <<MD
<!-- verify benchmark: begin -->
## \`airgap verify\` at scale (issue 13)

\`airgap verify\` of archives naming **$NAMES images**, measured by \`bench/verify-many.sh\` on
$(date -u '+%Y-%m-%d %H:%M UTC'); each figure is the **median of $RUNS runs** after a warm-up run. A benchmark, not
a test (\`BundleVerifierScaleTests\` counts the same work in \`swift test\`).

- Machine: $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)); load average $load_before before
  the runs, $(cut -d' ' -f1-3 /proc/loadavg) after.
- Binary: $AIRGAP_BUILD.
- shared: every name is one tiny image ($(du -h "$WORK/shared.tar" | cut -f1) archive, 3 blobs; the issue's case, 260 s before);
  distinct: every name has its own manifest and config ($(du -h "$WORK/distinct.tar" | cut -f1), $((2 * NAMES + 1)) blobs).
- Before the fix (commit 7a07526, same machine, shared): 0.47 s, 1.55 s and 5.9 s for 1,000, 2,000
  and 4,000 names, quadratic. Wall times on a loaded machine wait for a core: CPU is the steadier figure.

| Archive | Wall (median) | CPU (user + sys) | Peak RSS | Each run, wall (s) |
|---|---|---|---|---|
| shared | **$(med shared 2) s** | $(awk -v u="$(med shared 3)" -v s="$(med shared 4)" 'BEGIN { printf "%.2f", u + s }') s | $(awk -v k="$(med shared 5)" 'BEGIN { printf "%.1f MiB", k / 1024 }') | $(runs_of shared) |
| distinct | $(med distinct 2) s | $(awk -v u="$(med distinct 3)" -v s="$(med distinct 4)" 'BEGIN { printf "%.2f", u + s }') s | $(awk -v k="$(med distinct 5)" 'BEGIN { printf "%.1f MiB", k / 1024 }') | $(runs_of distinct) |

Target: $NAMES images verified in under $TARGET_SECONDS s: median $wall s, $verdict.
<!-- verify benchmark: end -->
MD
	replace_section "$OUTPUT" "verify benchmark" "$section"
	cat "$section"
}

main "$@"

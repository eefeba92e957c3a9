#!/usr/bin/env bash
# bench/inventory-diff.sh — issue 6's scale benchmark: `airgap inventory diff` over 500 nodes with
# 300 images each, the size of a large OpenShift cluster. A benchmark, not a test: it measures and
# reports; the target (under a second on this machine) is checked, not enforced.
#
# What it does:
#   1. builds airgap in release mode (scratch folder .build-bench, as bench/run.sh) unless
#      AIRGAP_BENCH_BINARY names a binary;
#   2. generates, once (cached under bench/.work/inventory, rebuilt when the recipe changes),
#      `crictl images -o json` snapshots in crictl 1.26's pretty form for NODES nodes:
#        before: a platform pool of 250 digest-only images on every node (as OpenShift's release
#                images are), the pinned pause image, and 27-29 per-node images from a pool of 120;
#        after:  the same, less 2 garbage-collected images per node, plus 20-23 of a 40-image
#                "suite" pool pulled by tag (some by digest only, some retagged), so each node
#                holds 300 images after the run;
#      written as before/NODE.json and after/NODE.json, and as one concatenated file per side with
#      oc debug's messages around each node (the seed's loop run with 2>&1);
#   3. times RUNS runs (default 5) of each, under GNU time, after a warm-up run:
#        dirs       airgap inventory diff --before before --after after            (list output)
#        per-node   the same with --per-node --output json
#        loop-file  airgap inventory diff --before before.log --after after.log
#      and checks that every run listed exactly the images the generator pulled;
#   4. writes bench/inventory-results.md (medians, every run, the machine) and prints it.
#
# Environment: AIRGAP_BENCH_RUNS (5), AIRGAP_BENCH_NODES (500), AIRGAP_BENCH_IMAGES (300),
# AIRGAP_BENCH_WORK (bench/.work), AIRGAP_BENCH_BINARY (skip the build),
# AIRGAP_BENCH_INVENTORY_OUTPUT (bench/inventory-results.md).
# Needs: python3, GNU time (/usr/bin/time; installed with apt-get when missing and running as root).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
# die, log and build_airgap (the release build, or AIRGAP_BENCH_BINARY) come from the shared file;
# the definitions below (RECIPE_VERSION, measure, med, …) are this benchmark's own and override it.
# shellcheck source=bench/lib.sh
source "$HERE/lib.sh"
WORK=${AIRGAP_BENCH_WORK:-$HERE/.work}/inventory
RUNS=${AIRGAP_BENCH_RUNS:-5}
NODES=${AIRGAP_BENCH_NODES:-500}
IMAGES_PER_NODE=${AIRGAP_BENCH_IMAGES:-300}
OUTPUT_MD=${AIRGAP_BENCH_INVENTORY_OUTPUT:-$HERE/inventory-results.md}
RECIPE_VERSION=2
TARGET_SECONDS=1

check_tools() {
	command -v python3 >/dev/null 2>&1 || die "missing python3 (scripts/install-deps.sh installs it)"
	if [[ ! -x /usr/bin/time ]]; then
		[[ $(id -u) == 0 ]] || die "GNU time (/usr/bin/time) is missing: apt-get install -y time"
		log "installing GNU time (apt-get install -y time)"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q time >/dev/null
	fi
	[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "AIRGAP_BENCH_RUNS must be a positive integer, not '$RUNS'"
	[[ $NODES =~ ^[1-9][0-9]*$ ]] || die "AIRGAP_BENCH_NODES must be a positive integer, not '$NODES'"
	[[ $IMAGES_PER_NODE =~ ^[1-9][0-9]*$ ]] && ((IMAGES_PER_NODE >= 280)) || die "AIRGAP_BENCH_IMAGES must be at least 280, not '$IMAGES_PER_NODE'"
}

# Writes $WORK/{before,after}/NODE.json, $WORK/{before,after}.log and $WORK/expected.txt (the
# images the generator pulled, sorted), once per recipe.
generate() {
	local stamp="$RECIPE_VERSION $NODES $IMAGES_PER_NODE"
	if [[ -f $WORK/.recipe && $(<"$WORK/.recipe") == "$stamp" ]]; then
		log "reusing the generated snapshots in $WORK"
		return
	fi
	log "generating $NODES nodes x $IMAGES_PER_NODE images into $WORK (once; cached for later runs)"
	rm -rf "$WORK"
	mkdir -p "$WORK/before" "$WORK/after"
	python3 - "$WORK" "$NODES" "$IMAGES_PER_NODE" <<'EOF'
import hashlib, json, os, random, sys

work, nodes, per_node = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(6)

def digest(word):
    return "sha256:" + hashlib.sha256(word.encode()).hexdigest()

def image(key, tags=(), digest_repos=(), size=1000, pinned=False):
    repos = [t.rsplit(":", 1)[0] for t in tags] + list(digest_repos)
    return {"id": digest("id-" + key), "repoTags": list(tags),
            "repoDigests": [f"{r}@{digest('manifest-' + key)}" for r in repos],
            "size": str(size), "uid": None, "username": "", "spec": None, "pinned": pinned}

platform = [image(f"platform-{i}", digest_repos=["quay.io/openshift-release-dev/ocp-v4.0-art-dev"], size=100_000_000 + i)
            for i in range(250)]
pause = image("pause", tags=["registry.k8s.io/pause:3.9"], size=321520, pinned=True)
extras = [image(f"extra-{i}", tags=[f"registry.example.com/apps/app-{i}:v{i % 7}"], size=5_000_000 + i) for i in range(120)]
suite = []
for i in range(40):
    if i % 10 == 9:  # pulled by digest: no tag
        suite.append(image(f"suite-{i}", digest_repos=[f"registry.k8s.io/e2e-test-images/image-{i}"]))
    else:
        suite.append(image(f"suite-{i}", tags=[f"registry.k8s.io/e2e-test-images/image-{i}:1.{i}"]))

def name_of(img):
    if img["repoTags"]:
        return img["repoTags"]
    return img["repoDigests"]

expected = set()
before_log, after_log = [], []
for n in range(nodes):
    node = f"worker-{n:03d}.cluster.example.com"
    own = rng.sample(extras, per_node - 250 - 1 - 23 + rng.randint(0, 2))
    before = platform + [pause] + own
    gone = rng.sample(own, 2)
    pulled = rng.sample(suite, per_node - (len(before) - 2))
    after = [i for i in before if i not in gone] + [dict(i) for i in pulled]
    if n % 50 == 0:  # a retag of content already on the node counts too
        kept = next(i for i in own if i not in gone)
        retagged = dict(kept)
        retagged["repoTags"] = kept["repoTags"] + [f"quay.io/e2e/retag-{n}:1"]
        after = [retagged if i["id"] == retagged["id"] else i for i in after]
        expected.add(f"quay.io/e2e/retag-{n}:1")
    for img in pulled:
        expected.update(name_of(img))
    assert len(after) == per_node, (len(after), per_node)
    for side, images, log in (("before", before, before_log), ("after", after, after_log)):
        text = json.dumps({"images": images}, indent=2) + "\n"
        with open(os.path.join(work, side, node + ".json"), "w") as f:
            f.write(text)
        pod = node.replace(".", "") + "-debug"
        log.append(f"Starting pod/{pod} ...\nTo use host binaries, run `chroot /host`\n{text}\nRemoving debug pod ...\n")

for side, log in (("before", before_log), ("after", after_log)):
    with open(os.path.join(work, side + ".log"), "w") as f:
        f.write("".join(log))
with open(os.path.join(work, "expected.txt"), "w") as f:
    f.write("".join(f"{name}\n" for name in sorted(expected)))
EOF
	echo "$stamp" >"$WORK/.recipe"
}

RESULTS=
TMP=
# measure LABEL COMMAND...: run under GNU time, check the output, append "LABEL wall user sys maxrss_kib".
measure() {
	local label=$1
	shift
	if ! /usr/bin/time -f '%e %U %S %M' -o "$TMP/time.out" "$@" >"$TMP/last.stdout" 2>"$TMP/last.stderr"; then
		tail -n 20 "$TMP/last.stderr" >&2
		die "$label failed: $*"
	fi
	local times
	read -r -a times < <(tail -n 1 "$TMP/time.out")
	echo "$label ${times[*]}" >>"$RESULTS"
	log "$(printf '%-10s wall %6ss  user %6ss  sys %6ss  maxrss %8s KiB' "$label" "${times[@]}")"
}

# check LABEL: the last run listed exactly the expected images (per-node json: its "images").
check() {
	local label=$1 listed
	if [[ $label == per-node ]]; then
		listed=$(python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["images"]))' "$TMP/last.stdout")
	else
		listed=$(cat "$TMP/last.stdout")
	fi
	[[ $listed == "$(<"$WORK/expected.txt")" ]] || die "$label listed other images than the generator pulled"
}

# med LABEL FIELD (2 wall, 3 user, 4 sys, 5 maxrss KiB): the median over that label's runs.
med() {
	awk -v l="$1" -v f="$2" '$1 == l { print $f }' "$RESULTS" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# fastest LABEL: the shortest wall time of that label's runs.
fastest() {
	awk -v l="$1" '$1 == l { print $2 }' "$RESULTS" | sort -g | first_line
}

# cpu LABEL: median user + median sys CPU seconds.
cpu() {
	awk -v u="$(med "$1" 3)" -v s="$(med "$1" 4)" 'BEGIN { printf "%.2f", u + s }'
}

runs_of() {
	awk -v l="$1" '$1 == l { printf "%s%s", sep, $2; sep = ", " }' "$RESULTS"
}

main() {
	check_tools
	build_airgap
	"$AIRGAP" inventory --help >/dev/null 2>&1 || die "$AIRGAP has no inventory command (is InventoryCommand registered in Airgap.swift?)"
	generate
	TMP=$(mktemp -d)
	trap 'rm -rf "$TMP"' EXIT
	RESULTS=$TMP/results
	: >"$RESULTS"

	LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
	local before=$WORK/before after=$WORK/after
	local -a dirs=("$AIRGAP" inventory diff --before "$before" --after "$after" -q)
	local -a pernode=("$AIRGAP" inventory diff --before "$before" --after "$after" --per-node --output json -q)
	local -a loop=("$AIRGAP" inventory diff --before "$WORK/before.log" --after "$WORK/after.log" -q)
	log "warm-up (page cache)"
	"${dirs[@]}" >/dev/null
	"${loop[@]}" >/dev/null
	local round
	for ((round = 1; round <= RUNS; round++)); do
		log "round $round of $RUNS"
		measure dirs "${dirs[@]}" && check dirs
		measure per-node "${pernode[@]}" && check per-node
		measure loop-file "${loop[@]}" && check loop-file
	done

	local input_mb files expected_count cpu_model cores
	input_mb=$(du -sm "$before" "$after" | awk '{ s += $1 } END { print s }')
	files=$(find "$before" "$after" -name '*.json' | wc -l)
	expected_count=$(wc -l <"$WORK/expected.txt")
	cpu_model=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
	cores=$(nproc)
	local dirs_wall verdict load_before load_after shared=""
	dirs_wall=$(med dirs 2)
	if awk -v w="$dirs_wall" -v t="$TARGET_SECONDS" 'BEGIN { exit !(w < t) }'; then verdict="**met**"; else verdict="**not met**"; fi
	load_before=$LOAD_BEFORE
	load_after=$(cut -d' ' -f1-3 /proc/loadavg)
	if awk -v l="${load_before%% *}" -v c="$cores" 'BEGIN { exit !(l > c) }'; then
		shared="
Other work shared the machine while this ran (load average ${load_before%% *} on $cores cores): wall
times include waiting for a core and vary from run to run (CPU time too, less: shared caches), so
the fastest run is the closest to what an idle machine gives."
	fi

	cat >"$OUTPUT_MD" <<MD
## inventory diff at scale (issue 6)

\`airgap inventory diff\` over **$NODES nodes × $IMAGES_PER_NODE images** (after the run; 280–282 before), measured
by \`bench/inventory-diff.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'); each figure is the **median of $RUNS runs**
after a warm-up run (inputs in the page cache). A benchmark, not a test.

- Machine: $cores cores ($cpu_model), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM; load average
  $load_before before the runs, $load_after after. The snapshot files are read on every core.
- Binary: $AIRGAP_BUILD.
- Input: $files files in crictl 1.26's pretty JSON, $input_mb MB in all (both sides); each node has 250
  digest-only platform images, the pinned pause image and its own images; during the run 2 of its
  images are garbage-collected and 20–23 of a 40-image suite pool are pulled (4 of them by digest
  only), with a retag on every 50th node. Every run listed exactly the $expected_count images the
  generator pulled, and reported the removed ones.

| Command | Wall (median) | Fastest | CPU (user + sys) | Peak RSS | Each run, wall (s) |
|---|---|---|---|---|---|
| \`diff --before DIR --after DIR\` (list) | **$(med dirs 2) s** | $(fastest dirs) s | $(cpu dirs) s | $(awk -v k="$(med dirs 5)" 'BEGIN { printf "%.1f MiB", k / 1024 }') | $(runs_of dirs) |
| the same with \`--per-node --output json\` | $(med per-node 2) s | $(fastest per-node) s | $(cpu per-node) s | $(awk -v k="$(med per-node 5)" 'BEGIN { printf "%.1f MiB", k / 1024 }') | $(runs_of per-node) |
| one concatenated file per side, with oc debug's messages | $(med loop-file 2) s | $(fastest loop-file) s | $(cpu loop-file) s | $(awk -v k="$(med loop-file 5)" 'BEGIN { printf "%.1f MiB", k / 1024 }') | $(runs_of loop-file) |
$shared

Target: $NODES nodes × $IMAGES_PER_NODE images diffed in under $TARGET_SECONDS s, reading every file included:
median $dirs_wall s (fastest $(fastest dirs) s, $(cpu dirs) s of CPU), $verdict.
MD
	cat "$OUTPUT_MD"
}

main "$@"

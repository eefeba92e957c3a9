#!/usr/bin/env bash
# bench/run.sh — airgap's benchmark (issue 3): one run measures everything and writes BENCHMARKS.md.
#
# What it does:
#   1. builds airgap in release mode in its own scratch folder (.build-bench, git-ignored);
#   2. generates synthetic images with random, incompressible layers (real tar.gz files of
#      pseudo-random bytes from a fixed seed, gzip level 0: random data does not compress at any
#      level) into an OCI layout cached under bench/.work/layouts (rebuilt only when the recipe in
#      bench/lib.sh changes);
#   3. starts its own docker-registry (plain HTTP, 127.0.0.1, ephemeral port, filesystem storage in
#      a temporary directory) and pushes the images with skopeo; the registry is stopped and every
#      temporary file removed on exit (trap);
#   4. reads every blob once through the registry (untimed) so the page cache is warm for all, then
#      runs RUNS rounds (default 5), each timing in turn, with `sync` before every measurement:
#        airgap-cold     airgap bundle of all images into a fresh --cache (--jobs 8, the default)
#        airgap-warm     the same again with that (now warm) cache
#        airgap-jobs-N   airgap-cold with --jobs 4 and 16 (the first SEED_RUNS rounds)
#        skopeo-oci      skopeo copy of each image, one after another, into one oci: layout, then tar -cf
#        seed            the seed's procedure with skopeo for podman: per image docker-archive, tar -rf,
#                        rm; then gzip the tar (the first SEED_RUNS rounds only, default 3: ~2 min each)
#        floor           every unique blob fetched once with curl, 4 at a time, to /dev/null
#        airgap-big      airgap bundle of the 1 GiB-layer image alone, fresh cache (peak RSS)
#        *-tmpfs         airgap cold and warm with cache and archive on tmpfs (no disk, fsync free)
#        write-cache     the blobs copied to one file each, no fsync (a cold run's cache writes)
#        write-archive   the blobs written to one file (any run's archive write); and again with fsync
#      (airgap-jobs-N only in the first SEED_RUNS rounds). The registry's CPU time during each
#      command is read from /proc and reported beside the command's own.
#      then once: SHA-256 of every blob (openssl, sha256sum), gzip -6 of 128 MiB of random data.
#   5. writes BENCHMARKS.md (medians, ratios, targets) and prints it, keeping the sections other
#      scripts wrote into it between marker comments (bench/mirror.sh's).
#
# What it shares with bench/mirror.sh (the image set, the registry, measuring) is in bench/lib.sh.
#
# The raw measurements (LABEL wall user sys maxrss_kib registry_cpu per line) are kept in
# bench/.work/results-DATE.txt.
# Environment: AIRGAP_BENCH_RUNS (5), AIRGAP_BENCH_SEED_RUNS (3), AIRGAP_BENCH_WORK (bench/.work),
# AIRGAP_BENCH_OUTPUT (BENCHMARKS.md at the repository root), AIRGAP_BENCH_BINARY (skip the build,
# use this binary), AIRGAP_BENCH_SHM (/dev/shm; empty skips the tmpfs diagnostics),
# AIRGAP_BENCH_PRIORITY (as root: nice value for the whole run, default -10, with ionice
# best-effort 0; 0 leaves the priority alone).
# Needs: docker-registry skopeo curl python3 gzip tar sha256sum openssl GNU time (/usr/bin/time;
# installed with apt-get when missing and running as root).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
WORK=${AIRGAP_BENCH_WORK:-$HERE/.work}
RUNS=${AIRGAP_BENCH_RUNS:-5}
SEED_RUNS=${AIRGAP_BENCH_SEED_RUNS:-3}
PRIORITY=${AIRGAP_BENCH_PRIORITY-auto}
OUTPUT_MD=${AIRGAP_BENCH_OUTPUT:-$ROOT/BENCHMARKS.md}
SHM=${AIRGAP_BENCH_SHM-/dev/shm}

# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"

check_tools() {
	need docker-registry skopeo curl python3 gzip tar sha256sum openssl sync xargs setsid
	need_gnu_time
	[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "AIRGAP_BENCH_RUNS must be a positive integer, not '$RUNS'"
	[[ $SEED_RUNS =~ ^[1-9][0-9]*$ ]] || die "AIRGAP_BENCH_SEED_RUNS must be a positive integer, not '$SEED_RUNS'"
	((SEED_RUNS <= RUNS)) || SEED_RUNS=$RUNS
}

# ---------------------------------------------------------------------------------------------
# The procedures (run under GNU time as `bash -c`, so they are exported)

# seed_procedure DIR IMAGE...: the seed's loop with skopeo in place of podman pull + save.
seed_procedure() {
	local dir=$1 image file
	shift
	cd "$dir"
	for image; do
		file=${image##*/}
		file=${file//:/_}.tar
		skopeo copy -q --src-tls-verify=false "docker://$image" "docker-archive:$file:$image"
		tar -rf image-files.tar "$file"
		rm -f "$file"
	done
	gzip image-files.tar
}

# floor BLOBLIST: every unique blob once, 4 at a time, to /dev/null.
floor() {
	cut -d' ' -f1 "$1" | xargs -P4 -n1 curl -sSf -o /dev/null
}

# write_cache SRCDIR DSTDIR BLOBLIST: the cache writes of a cold airgap run: each blob copied into
# its own file, no fsync (airgap does not fsync cached blobs: it verifies them again on use).
write_cache() {
	local src=$1 dst=$2 hex
	while read -r _ _ hex; do
		cat "$src/$hex" >"$dst/$hex"
	done <"$3"
}

# write_archive SRCDIR OUTFILE BLOBLIST [fsync]: the archive write of any airgap run: every blob
# appended to one file; with "fsync", flushed to disk at the end.
write_archive() {
	local src=$1 hex conv=notrunc
	[[ ${4:-} == fsync ]] && conv=fsync
	while read -r _ _ hex; do cat "$src/$hex"; done <"$3" |
		dd of="$2" bs=1M iflag=fullblock conv="$conv" status=none
}

export -f seed_procedure floor write_cache write_archive

# ---------------------------------------------------------------------------------------------
# Measuring

# airgap_args CACHE OUT JOBS [IMAGE...]: sets ARGS to an `airgap bundle` command line (all images
# when none are given).
airgap_args() {
	local cache=$1 out=$2 jobs=$3
	shift 3
	(($#)) || set -- "${IMAGES[@]}"
	ARGS=("$AIRGAP" bundle "$@" --tls-verify=false --cache "$cache" -o "$out" -q --jobs "$jobs")
}

# check_archive FILE: `airgap verify` when this airgap has it; otherwise checks that the tar holds
# every unique blob and the 8 manifests. Untimed.
check_archive() {
	if "$AIRGAP" --help 2>/dev/null | grep '^ *verify ' >/dev/null; then
		"$AIRGAP" verify "$1" >"$TMP/verify.out" 2>&1 || {
			cat "$TMP/verify.out" >&2
			die "airgap verify failed on $1"
		}
		VERIFY="\`airgap verify\`: $(tail -n 1 "$TMP/verify.out")"
		return
	fi
	local listed=0 missing=0 hex
	tar -tf "$1" >"$TMP/archive.list"
	listed=$(grep -c '^blobs/sha256/.' "$TMP/archive.list" || true)
	while read -r _ _ hex; do
		grep -qx "blobs/sha256/$hex" "$TMP/archive.list" || missing=$((missing + 1))
	done <"$TMP/blobs.txt"
	((missing == 0 && listed == UNIQUE_BLOBS + ${#IMAGES[@]})) ||
		die "the archive holds $listed blobs, $missing of the $UNIQUE_BLOBS unique blobs missing"
	VERIFY="this airgap has no \`verify\`; \`tar -tf\` lists $listed blobs: the $UNIQUE_BLOBS unique blobs and ${#IMAGES[@]} manifests"
}

run_round() {
	local round=$1 d=$TMP/run j
	log "round $round of $RUNS"
	fresh "$d"
	airgap_args "$d/cache" "$d/airgap.tar" 8
	measure airgap-cold "${ARGS[@]}"
	[[ $round == 1 ]] && cp "$TMP/last.stdout" "$TMP/airgap-cold.summary"
	rm -f "$d/airgap.tar"
	airgap_args "$d/cache" "$d/airgap.tar" 8
	measure airgap-warm "${ARGS[@]}"
	if [[ $round == 1 ]]; then
		cp "$TMP/last.stdout" "$TMP/airgap-warm.summary"
		check_archive "$d/airgap.tar"
		ARCHIVE_BYTES=$(stat -c %s "$d/airgap.tar")
	fi
	if ((round <= SEED_RUNS)); then
		for j in 4 16; do
			fresh "$d"
			airgap_args "$d/cache" "$d/airgap.tar" "$j"
			measure "airgap-jobs-$j" "${ARGS[@]}"
		done
	fi
	fresh "$d"
	measure skopeo-oci bash -c 'skopeo_oci "$@"' _ "$d/oci" "$d/skopeo.tar" "${IMAGES[@]}"
	[[ $round == 1 ]] && SKOPEO_TAR_BYTES=$(stat -c %s "$d/skopeo.tar")
	if ((round <= SEED_RUNS)); then
		fresh "$d"
		measure seed bash -c 'seed_procedure "$@"' _ "$d" "${IMAGES[@]}"
		if [[ $round == 1 ]]; then
			SEED_BYTES=$(stat -c %s "$d/image-files.tar.gz")
			SEED_TAR_BYTES=$(gzip -l "$d/image-files.tar.gz" | awk 'NR == 2 { print $2 }')
		fi
	fi
	fresh "$d"
	measure floor bash -c 'floor "$@"' _ "$TMP/blobs.txt"
	airgap_args "$d/cache" "$d/big.tar" 8 "$REGISTRY/$REPO_PREFIX/$BIG_IMAGE:$TAG"
	measure airgap-big "${ARGS[@]}"
	fresh "$d"
	# The bounds: the same airgap runs with no disk under them, and the disk writes alone.
	if [[ -n $SHM_TMP ]]; then
		fresh "$SHM_TMP"
		airgap_args "$SHM_TMP/cache" "$SHM_TMP/airgap.tar" 8
		measure airgap-cold-tmpfs "${ARGS[@]}"
		rm -f "$SHM_TMP/airgap.tar"
		measure airgap-warm-tmpfs "${ARGS[@]}"
		fresh "$SHM_TMP"
	fi
	measure write-cache bash -c 'write_cache "$@"' _ "$LAYOUT/blobs/sha256" "$d" "$TMP/blobs.txt"
	measure write-archive bash -c 'write_archive "$@"' _ "$LAYOUT/blobs/sha256" "$d/archive.tar" "$TMP/blobs.txt"
	rm -f "$d/archive.tar"
	measure write-archive-fsync bash -c 'write_archive "$@"' _ "$LAYOUT/blobs/sha256" "$d/archive.tar" "$TMP/blobs.txt" fsync
	rm -rf "$d"
}

# ---------------------------------------------------------------------------------------------
# Report

write_report() {
	local a w s sd f ab sb fb big_rss all_rss j t label top="" top_t="" jobs_rows=""
	a=$(med airgap-cold 2)
	w=$(med airgap-warm 2)
	s=$(med skopeo-oci 2)
	sd=$(med seed 2)
	f=$(med floor 2)
	ab=$(best airgap-cold 2)
	sb=$(best skopeo-oci 2)
	fb=$(best floor 2)
	big_rss=$(rss airgap-big)
	all_rss=$(rss airgap-cold)
	for j in 4 8 16; do
		label=airgap-jobs-$j
		[[ $j == 8 ]] && label=airgap-cold
		t=$(med "$label" 2)
		jobs_rows+="| \`--jobs $j\` | $t s | $(vals "$label" 2) | $(med "$label" 3) s | $(med "$label" 4) s | $(med "$label" 6) s | $(rss "$label") MiB |"$'\n'
		if [[ -z $top_t ]] || awk "BEGIN { exit !($t < $top_t) }"; then
			top=$j
			top_t=$t
		fi
	done
	local wc wa waf hs hu cold_cpu reg_cpu floor_cpu
	wc=$(med write-cache 2)
	wa=$(med write-archive 2)
	waf=$(med write-archive-fsync 2)
	hs=$(calc '%.2f' "$(med sha256-all 3) + $(med sha256-all 4)")
	hu=$(med sha256-all 3)
	cold_cpu=$(cpu airgap-cold)
	reg_cpu=$(med airgap-cold 6)
	floor_cpu=$(calc '%.2f' "$(cpu floor) + $(med floor 6)")
	local tmpfs_rows="" tmpfs_text=""
	if [[ -n $SHM_TMP_USED ]]; then
		tmpfs_rows="$(row "airgap cold, cache and archive on tmpfs (/dev/shm: no disk)" airgap-cold-tmpfs)
$(row "airgap warm, cache and archive on tmpfs" airgap-warm-tmpfs)"
		tmpfs_text="
  On tmpfs (no disk at all) airgap takes $(med airgap-cold-tmpfs 2) s cold (best $(best airgap-cold-tmpfs 2) s) and $(med airgap-warm-tmpfs 2) s warm
  (best $(best airgap-warm-tmpfs 2) s)."
	fi

	# The sections other scripts wrote into the file (bench/mirror.sh's) are kept, after this one.
	marked_sections "$OUTPUT_MD" >"$TMP/sections.md"
	cat >"$TMP/report.md" <<REPORT
# Benchmarks

\`airgap bundle\` against skopeo, the seed's procedure and the network floor, on synthetic images served
by a local registry. Reproduce with \`bench/run.sh\` (it writes this file; $((TOTAL_SECONDS / 60)) min $((TOTAL_SECONDS % 60)) s here$(
((GEN_SECONDS > 0)) && echo ", of which $GEN_SECONDS s generating the images, cached for later runs")). A benchmark, not a test:
the numbers depend on the machine and on what else runs on it.

Run on $(date -u '+%Y-%m-%d %H:%M UTC'). $RUNS rounds; a figure is the **median of $RUNS runs** ($SEED_RUNS for the seed procedure,
which takes about 2 minutes, and for \`--jobs\` 4 and 16) unless it says otherwise; "best" is the fastest run. A round
runs, in turn: airgap cold, airgap warm, airgap cold with \`--jobs\` 4 and 16, skopeo, the seed procedure,
the floor, airgap on the 1 GiB image, and the bound measurements, each after \`sync\`. Every blob was read
through the registry once before the first round, so the registry's storage is in the page cache for
all; outputs go to disk.

## Setup

- Machine: $(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p')), $(free -g | awk '/^Mem:/ { print $2 }') GiB RAM, Debian $(cat /etc/debian_version),
  kernel $(uname -r), $(findmnt -no FSTYPE -T "$TMP") on $(findmnt -no SOURCE -T "$TMP"). Load average before the run
  $LOAD_BEFORE, after $(cut -d' ' -f1-3 /proc/loadavg): other work shared the machine, so wall times are noisy (see each
  run's time, and the CPU columns, which are not); the benchmark ran at $PRIORITY_NOTE.
- Versions: airgap $AIRGAP_VERSION ($AIRGAP_BUILD), $(skopeo --version),
  $(curl --version | first_line | cut -d' ' -f1-2), docker-registry $(docker-registry --version 2>/dev/null | awk '{ print $3 }'), $(gzip --version | first_line), GNU tar $(tar --version | first_line | awk '{ print $NF }').
- Registry: Debian's docker-registry, plain HTTP on 127.0.0.1, filesystem storage, access log off.
- Images (\`$REPO_PREFIX/NAME:$TAG\`, OCI manifests; each layer a real tar.gz of one file of pseudo-random
  bytes, MiB): $(describe_images). **$UNIQUE_BLOBS unique blobs, $(mib "$UNIQUE_BYTES") MiB ($(calc '%.2f' "$UNIQUE_BYTES / 1e9") GB)**.
- Outputs: airgap's archive $(mib "$ARCHIVE_BYTES") MiB; skopeo's tarred oci: layout $(mib "$SKOPEO_TAR_BYTES") MiB; the seed
  procedure's image-files.tar.gz $(mib "$SEED_BYTES") MiB (a docker-archive holds every layer of its image,
  uncompressed, so the base is stored 4 times).

## Results

| Procedure | Wall (median) | Best | User CPU | Sys CPU | Registry CPU | Peak RSS |
|---|---|---|---|---|---|---|
$(row "**airgap cold**: \`airgap bundle\` of the 8 images, fresh \`--cache\`, \`--jobs 8\`" airgap-cold rss)
$(row "**airgap warm**: the same again with the same \`--cache\`" airgap-warm rss)
$(row "skopeo: \`skopeo copy docker://… oci:DIR:NAME\` per image, then \`tar -cf\`" skopeo-oci rss)
$(row "seed procedure: per image \`skopeo copy … docker-archive:\`, \`tar -rf\`, \`rm\`; then \`gzip\`" seed rss)
$(row "floor: every unique blob once, \`xargs -P4 curl -o /dev/null\`" floor rss)
$(row "airgap, the 1 GiB-layer image alone, fresh \`--cache\`" airgap-big rss)

Each run's wall time (s): airgap cold $(vals airgap-cold 2); warm $(vals airgap-warm 2); skopeo $(vals skopeo-oci 2);
seed $(vals seed 2); floor $(vals floor 2); airgap 1 GiB image $(vals airgap-big 2).
Wall, CPU and peak RSS ("Maximum resident set size") from GNU time: CPU is summed over the command's
processes (skopeo, tar, gzip, curl), RSS is that of the largest one. Registry CPU is what the registry
used meanwhile (from /proc). Throughput over the unique bytes, medians: airgap cold $(mbps "$a") MB/s,
skopeo $(mbps "$s") MB/s, seed $(mbps "$sd") MB/s, floor $(mbps "$f") MB/s.

**Ratios** (medians): airgap / skopeo-oci = **$(calc '%.2f' "$a / $s")**, airgap / seed procedure = **$(calc '%.2f' "$a / $sd")**,
airgap / floor = **$(calc '%.2f' "$a / $f")**. Best runs: airgap / skopeo $(calc '%.2f' "$ab / $sb"), airgap / floor $(calc '%.2f' "$ab / $fb").

### Targets (issue 3)

| Target | Median | Best runs | |
|---|---|---|---|
| wall time ≤ 0.25 × skopeo | $(calc '%.2f' "$a / $s") × ($a s against $s s) | $(calc '%.2f' "$ab / $sb") × | $(met "$a / $s <= 0.25") |
| wall time ≤ 3 × floor | $(calc '%.2f' "$a / $f") × ($a s against $f s) | $(calc '%.2f' "$ab / $fb") × | $(met "$a / $f <= 3") |
| peak RSS < 64 MiB while bundling the 1 GiB layer | $big_rss MiB (all 8 images: $all_rss MiB) | max $(calc '%.1f' "$(awk '$1 == "airgap-big" && $5 > m { m = $5 } END { print m + 0 }' "$RESULTS") / 1024") MiB | $(met "$big_rss < 64") |
| warm second run < 1 s for the whole set | $w s | $(best airgap-warm 2) s | $(met "$w < 1") |

Met or not is judged on the medians.

### \`--jobs\` (cold cache, all images; the 8 row is airgap cold above)

| Jobs | Wall (median) | Each run (s) | User CPU | Sys CPU | Registry CPU | Peak RSS |
|---|---|---|---|---|---|---|
${jobs_rows}
Fastest median: \`--jobs $top\`. Read the spread of the runs before reading much into a difference.

### What bounds airgap

| Measurement | Wall (median) | Best | User CPU | Sys CPU | Registry CPU |
|---|---|---|---|---|---|
${tmpfs_rows}
$(row "cache writes: each unique blob copied to its own file (\`cat\`, no fsync)" write-cache)
$(row "archive write: all unique blobs into one file (\`cat\` into \`dd\`, no fsync)" write-archive)
$(row "the same archive write with fsync (\`dd conv=fsync\`)" write-archive-fsync)
$(row "SHA-256 of every unique blob, \`openssl dgst -sha256\` (one core, SHA-NI), once" sha256-all)
$(row "SHA-256 of the 1 GiB layer, \`sha256sum\` (coreutils: no SHA-NI), once" sha256sum-big)
$(row "\`gzip -6\` of 128 MiB of random data (the seed's final gzip), once" gzip-128m)

- **CPU.** A cold airgap run used $cold_cpu s of CPU (user $(med airgap-cold 3) + sys $(med airgap-cold 4)) and the registry
  $reg_cpu s while serving it: on $(nproc) cores no schedule finishes that in under $(calc '%.2f' "($cold_cpu + $reg_cpu) / $(nproc)") s, which is
  $(calc '%.1f' "($cold_cpu + $reg_cpu) / $(nproc) / $f") × the floor's median wall. The floor itself costs $floor_cpu s of CPU (curl + registry); skopeo
  used $(cpu skopeo-oci) s (+ $(med skopeo-oci 6) s registry), the seed procedure $(cpu seed) s (gzip -6 of random data runs at
  $(calc '%.0f' "128 * 1.048576 / $(cpu gzip-128m)") MB/s of CPU: about $(calc '%.0f' "$SEED_TAR_BYTES / 1e6 / (128 * 1.048576 / $(cpu gzip-128m))") s for its $(mib "$SEED_TAR_BYTES") MiB tar).
- **Hashing.** SHA-256 of every unique byte costs $hu s of user CPU with openssl ($hs s with reading the files;
  \`openssl speed\`: $SHA_SPEED MB/s on one core). airgap's user CPU is $(calc '%.1f' "$(med airgap-cold 3) / $hu") × that cold and $(calc '%.1f' "$(med airgap-warm 3) / $hu") × warm,
  i.e. about that many SHA-256 passes over the data: its user time is nearly all hashing. The curl floor
  hashes nothing and writes nothing.
- **Disk.** Writing every unique byte to its own file and again into one archive costs $wc s + $wa s
  with no fsync (page cache only: this machine's dirty limits, $(cat /proc/sys/vm/dirty_background_ratio) % / $(cat /proc/sys/vm/dirty_ratio) % of RAM,
  let both fit), $wc s + $waf s when the archive is fsynced.$tmpfs_text
- **Warm run.** It transfers no blob but reads, hashes and rewrites all $(mib "$ARCHIVE_BYTES") MiB of the archive: user
  $(med airgap-warm 3) s, sys $(med airgap-warm 4) s, wall $w s; the archive write alone takes $wa s (no fsync), the hashing alone $hs s.
- **Memory.** Peak RSS $big_rss MiB for the 1 GiB layer alone, $all_rss MiB for all images, $(rss airgap-warm) MiB for a warm
  run that moves no blob (per run, 1 GiB image: $(vals airgap-big 5) KiB).

### What the runs printed

- airgap cold, first round: \`$(tr -d '\n' <"$TMP/airgap-cold.summary")\`
- airgap warm, first round: \`$(tr -d '\n' <"$TMP/airgap-warm.summary")\`
- the first round's archive: $VERIFY
REPORT
	cat "$TMP/report.md" "$TMP/sections.md" >"$OUTPUT_MD"
}

# ---------------------------------------------------------------------------------------------

main() {
	local start=$SECONDS
	check_tools
	LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
	build_airgap
	raise_priority
	AIRGAP_VERSION=$("$AIRGAP" --version 2>/dev/null | awk '{ print $2 }')
	mkdir -p "$WORK"
	generate_layout
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/airgap-bench.XXXXXX")
	SHM_TMP=
	SHM_TMP_USED=
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	RESULTS=$TMP/results.txt
	: >"$RESULTS"
	start_registry registry
	REGISTRY=${REGISTRY_ADDRS[registry]}
	push_images "$REGISTRY"

	log "warming the page cache: every blob once through the registry (untimed)"
	floor "$TMP/blobs.txt"

	if [[ -n $SHM && -d $SHM && -w $SHM ]]; then
		SHM_TMP=$(mktemp -d "$SHM/airgap-bench.XXXXXX")
		SHM_TMP_USED=1
		CLEANUP_DIRS+=("$SHM_TMP")
	fi
	local round
	for ((round = 1; round <= RUNS; round++)); do
		run_round "$round"
	done

	rm -rf "$SHM_TMP"
	SHM_TMP=
	local big_hex
	big_hex=$(sort -k2,2n "$TMP/blobs.txt" | tail -n 1 | cut -d' ' -f3)
	# shellcheck disable=SC2016 # arguments of the inner shell
	measure sha256-all bash -c 'cd "$1" && cut -d" " -f3 "$2" | xargs openssl dgst -sha256 >/dev/null' _ "$LAYOUT/blobs/sha256" "$TMP/blobs.txt"
	measure sha256sum-big sha256sum "$LAYOUT/blobs/sha256/$big_hex"
	# shellcheck disable=SC2016 # arguments of the inner shell
	measure gzip-128m bash -c 'head -c 128M "$1" | gzip -6 >/dev/null' _ "$LAYOUT/blobs/sha256/$big_hex"
	SHA_SPEED=$(openssl speed -evp sha256 -seconds 2 -bytes 16384 2>/dev/null |
		awk '/^sha256/ { v = $NF; sub(/k$/, "", v); printf "%.0f", v * 1000 / 1e6 }')

	TOTAL_SECONDS=$((SECONDS - start))
	cp "$RESULTS" "$WORK/results-$(date -u +%Y%m%dT%H%M%SZ).txt"
	write_report
	cat "$OUTPUT_MD"
	log "wrote $OUTPUT_MD in $TOTAL_SECONDS s"
}

main "$@"

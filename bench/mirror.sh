#!/usr/bin/env bash
# bench/mirror.sh — issue 5's benchmark: `airgap mirror` from one local registry to a second, fresh
# one, against `skopeo copy` per image and the network floor; one run measures everything and
# writes its section of BENCHMARKS.md.
#
# What it does:
#   1. builds airgap in release mode (scratch folder .build-bench, as bench/run.sh) unless
#      AIRGAP_BENCH_BINARY names a binary;
#   2. generates the benchmark's synthetic images (bench/run.sh's set, bench/lib.sh) into the OCI
#      layout cached under bench/.work/layouts, or reuses it;
#   3. starts two docker-registries (plain HTTP, 127.0.0.1, ephemeral ports, filesystem storage in
#      a temporary directory): the source, to which the images are pushed with skopeo, and the
#      destination, whose access log counts the requests of the no-op runs; both are stopped and
#      every temporary file removed on exit (trap);
#   4. reads every blob once through the source (untimed) so the page cache is warm for all, then
#      runs RUNS rounds (default 5), each timing in turn, with `sync` before every measurement:
#        airgap-cold   airgap mirror -f MAPPING --tls-verify=false --cache FRESH -q, all 8 images,
#                      into a fresh destination
#        airgap-noop   the same command again (the destination is complete: nothing to copy)
#        skopeo-cold   skopeo copy docker://SRC docker://DST per image, one after another, into a
#                      fresh destination, containers/image's blob-info cache removed first
#        skopeo-noop   the same again
#        floor         every unique blob once, source → destination with curl, 4 at a time (a POST
#                      opens the upload, GET piped into one monolithic PUT), into a fresh destination
#      A fresh destination is the registry stopped, its storage removed and started again on the
#      same port: nothing copied by an earlier measurement can be skipped or mounted. The registry
#      CPU column is both registries' CPU time during the command (from /proc). After the first
#      round's cold runs every destination manifest is compared byte for byte with the source's;
#      after every floor run every blob is checked (HEAD 200).
#   5. writes its section of BENCHMARKS.md (between the "mirror benchmark" marker comments; the rest
#      of the file is left alone, and bench/run.sh keeps the section when it rewrites the file) and
#      prints it.
#
# The raw measurements (LABEL wall user sys maxrss_kib registry_cpu per line, each followed by a
# "dst-cpu:LABEL SECONDS" line, the destination registry's share; then "requests LABEL ROUND KIND
# METHOD COUNT" lines) are kept in bench/.work/mirror-results-DATE.txt.
# Environment: AIRGAP_BENCH_RUNS (5), AIRGAP_BENCH_WORK (bench/.work), AIRGAP_BENCH_OUTPUT
# (BENCHMARKS.md at the repository root), AIRGAP_BENCH_BINARY (skip the build, use this binary),
# AIRGAP_BENCH_PRIORITY (as root: nice value for the whole run, default -10, with ionice
# best-effort 0; 0 leaves the priority alone).
# Needs: docker-registry skopeo curl python3 sha256sum GNU time (/usr/bin/time; installed with
# apt-get when missing and running as root).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
WORK=${AIRGAP_BENCH_WORK:-$HERE/.work}
RUNS=${AIRGAP_BENCH_RUNS:-5}
PRIORITY=${AIRGAP_BENCH_PRIORITY-auto}
OUTPUT_MD=${AIRGAP_BENCH_OUTPUT:-$ROOT/BENCHMARKS.md}
SECTION="mirror benchmark"

# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"

# containers/image's blob-info cache: it remembers in which repositories of which registry each
# blob was seen, and skopeo mounts from there. The destination keeps its port when it is emptied,
# so an earlier round's entries would name it: removed before every skopeo cold run. (As root the
# file is fixed; other users have theirs under XDG_DATA_HOME.)
if [[ $(id -u) == 0 ]]; then
	SKOPEO_BLOB_CACHE=/var/lib/containers/cache/blob-info-cache-v1.boltdb
else
	SKOPEO_BLOB_CACHE=${XDG_DATA_HOME:-$HOME/.local/share}/containers/cache/blob-info-cache-v1.boltdb
fi

check_tools() {
	need docker-registry skopeo curl python3 sha256sum sync xargs
	need_gnu_time
	[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "AIRGAP_BENCH_RUNS must be a positive integer, not '$RUNS'"
}

# The procedures (skopeo_mirror, floor_pipe) are bench/lib.sh's.

# ---------------------------------------------------------------------------------------------
# Checks and request counts (untimed)

# check_blobs NAME: every unique blob is in registry NAME, in the repository of the first image
# that has it (HEAD 200); dies otherwise.
check_blobs() {
	local addr=${REGISTRY_ADDRS[$1]} repo digest code missing=0
	while read -r repo digest; do
		code=$(curl -s -o /dev/null -w '%{http_code}' -I "http://$addr/v2/$repo/blobs/$digest")
		[[ $code == 200 ]] || {
			log "$1 lacks $repo@$digest (HEAD $code)"
			missing=$((missing + 1))
		}
	done <"$TMP/floor.txt"
	((missing == 0)) || die "$missing of the $UNIQUE_BLOBS blobs are missing in the destination"
}

MANIFEST_ACCEPT="application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json"

# check_manifests LABEL: every image's manifest at the destination has the source's bytes (sha256 of
# both bodies, and the destination's Docker-Content-Digest), and every blob is there; sets
# CHECK[LABEL] to what was found; dies on a difference.
declare -A CHECK=()
check_manifests() {
	local label=$1 src=${REGISTRY_ADDRS[src]} dst=${REGISTRY_ADDRS[dst]} path repo tag a b header same=0
	for path in "${PATHS[@]}"; do
		repo=${path%:*}
		tag=${path##*:}
		a=sha256:$(curl -sSf -H "Accept: $MANIFEST_ACCEPT" "http://$src/v2/$repo/manifests/$tag" | sha256sum | cut -d' ' -f1)
		b=sha256:$(curl -sSf -H "Accept: $MANIFEST_ACCEPT" "http://$dst/v2/$repo/manifests/$tag" | sha256sum | cut -d' ' -f1)
		header=$(curl -sSf -I -H "Accept: $MANIFEST_ACCEPT" "http://$dst/v2/$repo/manifests/$tag" |
			tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: *//p')
		[[ $a == "$b" && $b == "$header" ]] || die "$label: $path is $b (Docker-Content-Digest $header) at the destination, $a at the source"
		same=$((same + 1))
	done
	check_blobs dst
	CHECK[$label]="all $same manifests byte for byte the source's (sha256 of each body = the source's digest = the destination's Docker-Content-Digest); all $UNIQUE_BLOBS unique blobs present (HEAD 200)"
	log "$label: ${CHECK[$label]}"
}

# log_offset NAME: the size of registry NAME's log (its access log) now.
log_offset() {
	stat -c %s "$TMP/$1.log"
}

# count_requests LABEL ROUND OFFSET: the destination's requests logged since OFFSET, appended to
# $TMP/requests.txt as "requests LABEL ROUND KIND METHOD COUNT" lines; KIND as lib.sh's
# classify_requests has it (blob, upload, mount, manifest, ping, ...).
count_requests() {
	# The registry writes a request's line once it has answered it: give the last one time to land.
	sleep 0.5
	tail -c +"$(($3 + 1))" "$TMP/dst.log" | classify_requests |
		awk -v label="$1" -v round="$2" '{ print "requests", label, round, $0 }' >>"$TMP/requests.txt"
}

# requests_text LABEL ROUND: "blob requests: N HEAD, M other; manifest requests: …" for that run.
requests_text() {
	awk -v l="$1" -v r="$2" '
		$1 == "requests" && $2 == l && $3 == r {
			if ($4 == "blob" && $5 == "HEAD") bh += $6
			else if ($4 == "blob" || $4 == "upload" || $4 == "mount") bo += $6
			else if ($4 == "manifest") { m[$5] += $6; mt += $6 }
			else if ($4 == "ping") p += $6
			else o += $6
		}
		END {
			printf "blob requests: %d HEAD, %d other; manifest requests: %d", bh, bo, mt
			if (mt) {
				s = ""
				for (k in m) s = s (s == "" ? "" : ", ") m[k] " " k
				printf " (%s)", s
			}
			printf "; %d /v2/ check%s", p, (p == 1 ? "" : "s")
			if (o) printf "; %d other", o
		}
	' "$TMP/requests.txt"
}

# blob_others LABEL: the most non-HEAD blob requests (uploads and mounts included) any run of LABEL
# sent.
blob_others() {
	awk -v l="$1" '
		$1 == "requests" && $2 == l && (($4 == "blob" && $5 != "HEAD") || $4 == "upload" || $4 == "mount") { n[$3] += $6 }
		END { for (r in n) if (n[r] > m) m = n[r]; print m + 0 }
	' "$TMP/requests.txt"
}

# requests_summary LABEL: round 1's requests, and whether every round sent the same.
requests_summary() {
	local first r text differ=""
	first=$(requests_text "$1" 1)
	for ((r = 2; r <= RUNS; r++)); do
		text=$(requests_text "$1" "$r")
		[[ $text == "$first" ]] || differ+="; round $r: $text"
	done
	if ((RUNS == 1)); then
		echo "$first"
	elif [[ -z $differ ]]; then
		echo "$first (the same in each of the $RUNS runs)"
	else
		echo "round 1: $first$differ"
	fi
}

# ---------------------------------------------------------------------------------------------
# Measuring

# measure_split LABEL COMMAND...: `measure`, and the destination registry's share of the registry
# CPU as a "dst-cpu:LABEL SECONDS" line (so `med dst-cpu:LABEL 2` reads it).
measure_split() {
	local label=$1 pid=${REGISTRY_PIDS[dst]} before after
	before=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat")
	measure "$@"
	after=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat")
	echo "dst-cpu:$label $(calc '%.2f' "($after - $before) / $CLK_TCK")" >>"$RESULTS"
}

run_round() {
	local round=$1 d=$TMP/run off
	local args=("$AIRGAP" mirror -f "$TMP/mapping.txt" --tls-verify=false --cache "$d/cache" -q)
	log "round $round of $RUNS"

	fresh "$d"
	fresh_registry dst
	measure_split airgap-cold "${args[@]}"
	if [[ $round == 1 ]]; then
		cp "$TMP/last.stdout" "$TMP/airgap-cold.summary"
		check_manifests airgap-cold
	fi
	off=$(log_offset dst)
	measure_split airgap-noop "${args[@]}"
	count_requests airgap-noop "$round" "$off"
	[[ $round == 1 ]] && cp "$TMP/last.stdout" "$TMP/airgap-noop.summary"
	log "airgap-noop at the destination: $(requests_text airgap-noop "$round")"
	rm -rf "$d"

	fresh_registry dst
	rm -f "$SKOPEO_BLOB_CACHE"
	measure_split skopeo-cold bash -c 'skopeo_mirror "$@"' _ "${REGISTRY_ADDRS[src]}" "${REGISTRY_ADDRS[dst]}" "${PATHS[@]}"
	[[ $round == 1 ]] && check_manifests skopeo-cold
	off=$(log_offset dst)
	measure_split skopeo-noop bash -c 'skopeo_mirror "$@"' _ "${REGISTRY_ADDRS[src]}" "${REGISTRY_ADDRS[dst]}" "${PATHS[@]}"
	count_requests skopeo-noop "$round" "$off"
	log "skopeo-noop at the destination: $(requests_text skopeo-noop "$round")"

	fresh_registry dst
	measure_split floor bash -c 'floor_pipe "$@"' _ "${REGISTRY_ADDRS[src]}" "${REGISTRY_ADDRS[dst]}" "$TMP/floor.txt"
	check_blobs dst
}

# ---------------------------------------------------------------------------------------------
# Report

write_report() {
	local a an s sn f ab sb fb others section=$TMP/section.md
	a=$(med airgap-cold 2)
	an=$(med airgap-noop 2)
	s=$(med skopeo-cold 2)
	sn=$(med skopeo-noop 2)
	f=$(med floor 2)
	ab=$(best airgap-cold 2)
	sb=$(best skopeo-cold 2)
	fb=$(best floor 2)
	others=$(blob_others airgap-noop)
	local load_after load_note="" floor_note=""
	load_after=$(cut -d' ' -f1-3 /proc/loadavg)
	# A load above half the cores means others competed for them during the run.
	if awk "BEGIN { exit !(${LOAD_BEFORE%% *} > $(nproc) / 2 || ${load_after%% *} > $(nproc) / 2) }"; then
		load_note=": other work shared the machine, so wall times are noisy (see each
  run's time, and the CPU columns, which are less so)"
	fi
	if awk "BEGIN { exit !($f / $s > 0.5) }"; then
		floor_note="
The floor, which moves the bytes and checks nothing, itself took $(calc '%.2f' "$f / $s") × skopeo's time: here the
cold target asks for less than the floor's time."
	fi

	cat >"$section" <<REPORT
<!-- $SECTION: begin -->
## \`airgap mirror\`, registry to registry (issue 5)

(Written by \`bench/mirror.sh\`, which replaces only this section; \`bench/run.sh\` keeps it when it
rewrites the file.)

\`airgap mirror\` against \`skopeo copy\` and the network floor: the benchmark's 8 images (below) copied
from one local registry to a second, fresh one. Reproduce with \`bench/mirror.sh\` ($((TOTAL_SECONDS / 60)) min $((TOTAL_SECONDS % 60)) s here$(
((GEN_SECONDS > 0)) && echo ", of which $GEN_SECONDS s generating the images")). A benchmark, not a
test: the numbers depend on the machine and on what else runs on it.

Run on $(date -u '+%Y-%m-%d %H:%M UTC'). $RUNS rounds; a figure is the **median of $RUNS runs** unless it says otherwise;
"best" is the fastest run. A round runs, in turn, each after \`sync\`: airgap cold, airgap no-op (the
same command again), skopeo cold, skopeo no-op, the floor. Before each cold run and the floor the
destination registry is stopped, its storage removed and started again, so nothing from an earlier
run is there to skip or mount; within a run, mounting a blob from another repository of the
destination is fair game for both tools. Every blob was read through the source registry once
before the first round, so its storage is in the page cache; the destination writes to disk.

### Setup

- Machine: $(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p')), $(free -g | awk '/^Mem:/ { print $2 }') GiB RAM, Debian $(cat /etc/debian_version),
  kernel $(uname -r), $(findmnt -no FSTYPE -T "$TMP") on $(findmnt -no SOURCE -T "$TMP"). Load average before the run
  $LOAD_BEFORE, after $load_after$load_note; the benchmark ran at $PRIORITY_NOTE.
- Versions: airgap $AIRGAP_VERSION ($AIRGAP_BUILD), $(skopeo --version),
  $(curl --version | first_line | cut -d' ' -f1-2), docker-registry $(docker-registry --version 2>/dev/null | awk '{ print $3 }').
- Registries: two of Debian's docker-registry, plain HTTP on 127.0.0.1, filesystem storage; the
  source's access log off, the destination's on (it counts the no-op runs' requests).
- Images (\`$REPO_PREFIX/NAME:$TAG\`, OCI manifests; each layer a real tar.gz of one file of pseudo-random
  bytes, MiB): $(describe_images). **$UNIQUE_BLOBS unique blobs, $(mib "$UNIQUE_BYTES") MiB ($(calc '%.2f' "$UNIQUE_BYTES / 1e9") GB)**.
- airgap: \`airgap mirror -f MAPPING --tls-verify=false --cache DIR -q\` (\`--jobs 8\`, the default), one
  \`SRC/$REPO_PREFIX/NAME:$TAG=DST/$REPO_PREFIX/NAME:$TAG\` line per image; a fresh \`--cache\` for each cold run, the
  same one for the no-op run after it.
- skopeo: \`skopeo copy --src-tls-verify=false --dest-tls-verify=false docker://SRC/… docker://DST/…\`
  per image, one after another. containers/image's blob-info cache
  (\`$SKOPEO_BLOB_CACHE\`), which remembers where blobs were seen and lets skopeo mount
  them from there, is **removed before every skopeo cold run**; the no-op run keeps what the cold run
  recorded.

### Results

| Procedure | Wall (median) | Best | User CPU | Sys CPU | Registry CPU | Peak RSS |
|---|---|---|---|---|---|---|
$(row "**airgap cold**: \`airgap mirror -f\` of the 8 images into a fresh registry, fresh \`--cache\`" airgap-cold rss)
$(row "**airgap no-op**: the same command again (destination complete)" airgap-noop rss)
$(row "skopeo cold: \`skopeo copy docker://… docker://…\` per image into a fresh registry" skopeo-cold rss)
$(row "skopeo no-op: the same again" skopeo-noop rss)
$(row "floor: every unique blob once, \`curl\` GET piped into a monolithic PUT, 4 at a time" floor rss)

Each run's wall time (s): airgap cold $(vals airgap-cold 2); no-op $(vals airgap-noop 2);
skopeo cold $(vals skopeo-cold 2); no-op $(vals skopeo-noop 2); floor $(vals floor 2).
Wall, CPU and peak RSS ("Maximum resident set size") from GNU time: CPU is summed over the command's
processes (skopeo once per image, curl), RSS is that of the largest one. Registry CPU is what both
registries, source and destination, used meanwhile (from /proc). Throughput over the unique bytes,
medians: airgap cold $(mbps "$a") MB/s, skopeo cold $(mbps "$s") MB/s, floor $(mbps "$f") MB/s.

**Ratios** (medians): airgap / skopeo cold = **$(calc '%.2f' "$a / $s")**, airgap / floor = **$(calc '%.2f' "$a / $f")**;
no-op runs: airgap / skopeo = **$(calc '%.2f' "$an / $sn")** ($an s against $sn s). Best runs: airgap / skopeo cold
$(calc '%.2f' "$ab / $sb"), airgap / floor $(calc '%.2f' "$ab / $fb"). The floor itself takes $(calc '%.2f' "$f / $s") × skopeo's time.

**CPU.** The registries do most of the work: of their CPU time, the destination's (receiving,
hashing and storing every byte) was $(med dst-cpu:airgap-cold 2) s during airgap cold, $(med dst-cpu:skopeo-cold 2) s during
skopeo cold and $(med dst-cpu:floor 2) s during the floor, the rest the source's. airgap cold used $(cpu airgap-cold) s itself,
skopeo $(cpu skopeo-cold) s, the floor's curls $(cpu floor) s. On $(nproc) cores no run finishes in less than its
CPU time and the registries' over $(nproc): $(calc '%.2f' "($(cpu airgap-cold) + $(med airgap-cold 6)) / $(nproc)") s for airgap cold, $(calc '%.2f' "($(cpu skopeo-cold) + $(med skopeo-cold 6)) / $(nproc)") s for skopeo cold,
$(calc '%.2f' "($(cpu floor) + $(med floor 6)) / $(nproc)") s for the floor, against 0.5 × skopeo's median = $(calc '%.2f' "$s / 2") s.

Requests the destination received during the no-op runs (from its access log):

- airgap no-op: $(requests_summary airgap-noop).
- skopeo no-op: $(requests_summary skopeo-noop).

### Targets (issue 5)

| Target | Measured | |
|---|---|---|
| cold: wall time ≤ 0.5 × skopeo's | $(calc '%.2f' "$a / $s") × ($a s against $s s; best runs $(calc '%.2f' "$ab / $sb") ×) | $(met "$a / $s <= 0.5") |
| no-op run: only HEAD requests for blobs | $(requests_text airgap-noop 1) in the first run; at most $others non-HEAD blob requests in any run | $(met "$others == 0") |

Met or not is judged on the medians (cold) and on every run (no-op).$floor_note

### Checks

- airgap cold, first round: ${CHECK[airgap-cold]}.
- skopeo cold, first round: ${CHECK[skopeo-cold]}.
- floor: after every run, all $UNIQUE_BLOBS unique blobs present at the destination (HEAD 200).
- airgap printed (\`-q\`), first round: cold \`$(tr '\n' ' ' <"$TMP/airgap-cold.summary" | sed 's/ *$//')\`; no-op \`$(tr '\n' ' ' <"$TMP/airgap-noop.summary" | sed 's/ *$//')\`.

Raw measurements: \`bench/.work/$RESULTS_NAME\`.
<!-- $SECTION: end -->
REPORT
	replace_section "$OUTPUT_MD" "$SECTION" "$section"
}

# ---------------------------------------------------------------------------------------------

main() {
	local start=$SECONDS
	check_tools
	LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
	build_airgap
	raise_priority
	AIRGAP_VERSION=$("$AIRGAP" --version 2>/dev/null | awk '{ print $2 }')
	"$AIRGAP" --help 2>/dev/null | grep '^ *mirror ' >/dev/null || die "$AIRGAP has no mirror command"
	mkdir -p "$WORK"
	generate_layout
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/airgap-bench-mirror.XXXXXX")
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	RESULTS=$TMP/results.txt
	: >"$RESULTS"
	: >"$TMP/requests.txt"
	start_registry src
	start_registry dst accesslog
	push_images "${REGISTRY_ADDRS[src]}"

	# The images' paths (bench/NAME:TAG), the mapping file, and the floor's list: "REPO DIGEST" for
	# every unique blob, in the repository of the first image that has it.
	local image
	PATHS=()
	: >"$TMP/mapping.txt"
	for image in "${IMAGES[@]}"; do
		PATHS+=("${image#*/}")
		echo "$image=${REGISTRY_ADDRS[dst]}/${image#*/}" >>"$TMP/mapping.txt"
	done
	pipe_list "$TMP/blobs.txt" >"$TMP/floor.txt"

	log "warming the page cache: every blob once through the source registry (untimed)"
	cut -d' ' -f1 "$TMP/blobs.txt" | xargs -P4 -n1 curl -sSf -o /dev/null

	local round
	for ((round = 1; round <= RUNS; round++)); do
		run_round "$round"
	done

	TOTAL_SECONDS=$((SECONDS - start))
	RESULTS_NAME=mirror-results-$(date -u +%Y%m%dT%H%M%SZ).txt
	cat "$RESULTS" "$TMP/requests.txt" >"$WORK/$RESULTS_NAME"
	write_report
	sed -n "/^<!-- $SECTION: begin -->\$/,/^<!-- $SECTION: end -->\$/p" "$OUTPUT_MD"
	log "wrote the \"$SECTION\" section of $OUTPUT_MD in $TOTAL_SECONDS s"
}

main "$@"

#!/usr/bin/env bash
# bench/sneakernet.sh — issue 17's benchmark: what parts (`bundle --max-size`) and a delta
# (`bundle --since`) cost, in bytes and in time, against a full bundle of the same images, and what
# the second pass over an archive costs that its `.sha256` file, written while bundling, saves;
# writes the "sneakernet benchmark" section of BENCHMARKS.md.
#
# What it does:
#   1. builds airgap (bench/lib.sh's build_airgap: .build-bench) unless AIRGAP_BENCH_BINARY names a
#      binary;
#   2. generates the image sets of bench/perf.sh (bench/benchtool.py: seeded pseudo-random layers),
#      each cached under bench/.work/layouts keyed by its recipe: bench8 (lib.sh's IMAGE_SPECS) and
#      heldout (lib.sh's heldout_specs); and for each, the layout of its changed image: that image's
#      recipe with one more layer (bench8: base-1 + base-1-v2 of 40 MiB; heldout: app-1 + app-1-v2 of
#      20 MiB), whose other layers are the same blobs (same keys, same seeded bytes);
#   3. starts one docker-registry (plain HTTP, 127.0.0.1, an ephemeral port, access log on), its
#      storage written straight from the layouts (benchtool.py seed-registry, hard links):
#      SET/NAME:v1 for every image, SET/NAME:v2 for the changed one; it is stopped, and every
#      temporary file and directory removed, on exit (trap);
#   4. reads every blob once through the registry (untimed: page cache warm; each set's blobs are
#      read again from the registry's storage before each of its rounds), then runs RUNS rounds,
#      each measuring for each set in turn, after `sync`, with the cache and every archive on tmpfs
#      (AIRGAP_BENCH_SHM, /dev/shm); every bundle is
#      `airgap bundle -f LIST --tls-verify=false --cache DIR -q --output json` and:
#        full-cold     -o full.tar, the v1 list, a fresh cache
#        full-warm     the same again, same cache (full.tar removed first); this full.tar is the base
#        sha256sum     sha256sum full.tar: the second pass full.tar.sha256 saves
#        verify-full   airgap verify full.tar
#        delta         --since full.tar -o delta.tar, the v2 list (the changed image at :v2), same
#                      cache: it holds every blob of the full bundle and none of the change's, as a
#                      cache would when the next month's bundle is made
#        verify-base   airgap verify --base full.tar delta.tar
#        parts         (full.tar and delta.tar removed first, see run_set) --max-size SIZE
#                      -o parts.tar (parts-1.tar, …, parts.parts), the v1 list, same cache; SIZE 5 %
#                      over the largest image, rounded up to 10 MiB
#        verify-parts  airgap verify parts.parts
#      Each run records GNU time (wall, user, sys, peak RSS), the registry's CPU time and the
#      requests it logged; each bundle what airgap's JSON summary says (archives, split and delta
#      bytes, blobs fetched). Checks, every round (a difference stops the run): every archive the
#      summary names has its size and a NAME.sha256 with its sha256; sha256sum agrees with
#      full.tar.sha256; no part is over SIZE; the verifies pass.
#   5. writes the "sneakernet benchmark" section of BENCHMARKS.md (the rest of the file is left
#      alone) and prints it.
#
# The raw measurements are kept in bench/.work/sneakernet-results-DATE.txt (what the report says
# about the run, machine and versions in sneakernet-results-DATE.meta, bash declarations):
#   LABEL wall user sys maxrss_kib registry_cpu     (LABEL is SET/RUN, RUN one of the above)
#   KIND:LABEL VALUE   from a bundle's summary; KIND: bytes (its archives together), archives,
#                      largest, split-added, repeated, omitted-blobs, omitted-bytes, fetched-blobs,
#                      fetched-bytes, cached-blobs
#   requests LABEL ROUND KIND METHOD COUNT          (lib.sh's classify_requests)
#   check SET TEXT | said LABEL TEXT                (first round)
# `bench/sneakernet.sh --report bench/.work/sneakernet-results-DATE.txt` writes the section again
# from an earlier run.
# Environment: AIRGAP_BENCH_RUNS (3), AIRGAP_BENCH_SETS ("bench8 heldout"), AIRGAP_BENCH_MAX_SIZE
# ("SET=SIZE …", e.g. "bench8=1100M": instead of the chosen size), AIRGAP_BENCH_WORK (bench/.work),
# AIRGAP_BENCH_OUTPUT (BENCHMARKS.md), AIRGAP_BENCH_BINARY, AIRGAP_BENCH_SHM (/dev/shm),
# AIRGAP_BENCH_PRIORITY (as bench/run.sh).
# Needs: docker-registry curl python3 sha256sum GNU time.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
WORK=${AIRGAP_BENCH_WORK:-$HERE/.work}
RUNS=${AIRGAP_BENCH_RUNS:-3}
SETS=${AIRGAP_BENCH_SETS:-bench8 heldout}
MAX_SIZE_OVERRIDE=${AIRGAP_BENCH_MAX_SIZE:-}
PRIORITY=${AIRGAP_BENCH_PRIORITY-auto}
OUTPUT_MD=${AIRGAP_BENCH_OUTPUT:-$ROOT/BENCHMARKS.md}
SHM=${AIRGAP_BENCH_SHM:-/dev/shm}
SECTION="sneakernet benchmark"

# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"

check_tools() {
	need docker-registry curl python3 sha256sum sync xargs
	need_gnu_time
	[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "AIRGAP_BENCH_RUNS must be a positive integer, not '$RUNS'"
	[[ -d $SHM && -w $SHM ]] || die "no writable tmpfs at $SHM (AIRGAP_BENCH_SHM)"
}

# ---------------------------------------------------------------------------------------------
# The sets

declare -A SET_LAYOUT=() V2_LAYOUT=() SET_DESC=() CHANGED=() CHANGE_LAYER=() CHANGE_BLOBS=() CHANGE_BYTES=()
declare -A SET_IMAGES=() SET_BLOBS=() SET_BYTES=() MAX_SIZE=() MAX_BYTES=() LARGEST=() LARGEST_BYTES=() OTHERS_BYTES=()

# define_set SET DESCRIPTION CHANGED LAYER SPEC...: generates (or reuses) the layout of the recipe
# SPEC... and that of image CHANGED's v2: its recipe with LAYER ("KEY:SIZE") on top.
define_set() {
	local set=$1 desc=$2 changed=$3 layer=$4 spec v1=""
	shift 4
	for spec; do
		[[ $spec == "$changed "* ]] && v1=$spec
	done
	[[ -n $v1 ]] || die "$set: its recipe has no image $changed"
	generate_layout "$set" "$@"
	SET_LAYOUT[$set]=$LAYOUT
	generate_layout "$set-v2" "$v1 $layer"
	V2_LAYOUT[$set]=$LAYOUT
	SET_DESC[$set]=$desc
	CHANGED[$set]=$changed
	CHANGE_LAYER[$set]=$layer
}

define_sets() {
	local set
	for set in $SETS; do
		case $set in
		bench8) define_set bench8 "$(describe_images)" base-1 base-1-v2:40 "${IMAGE_SPECS[@]}" ;;
		heldout)
			heldout_specs
			define_set heldout "$HELDOUT_DESC" app-1 app-1-v2:20 "${HELDOUT_SPECS[@]}"
			;;
		*) die "unknown set '$set' (AIRGAP_BENCH_SETS: bench8 heldout)" ;;
		esac
	done
}

# size_bytes SIZE: a --max-size value (a number with K, M, G or none: binary units, as airgap reads
# them; no decimal ones) in bytes.
size_bytes() {
	[[ $1 =~ ^([0-9]+)([KkMmGg]?)$ ]] || die "AIRGAP_BENCH_MAX_SIZE: '$1' is not a size like 1100M"
	local n=${BASH_REMATCH[1]} unit=${BASH_REMATCH[2],,}
	case $unit in
	k) n=$((n << 10)) ;;
	m) n=$((n << 20)) ;;
	g) n=$((n << 30)) ;;
	esac
	echo "$n"
}

# choose_max_size SET: --max-size for SET's parts: a bit over its largest image (5 %, rounded up to
# 10 MiB), the smallest a user would choose for these images; AIRGAP_BENCH_MAX_SIZE overrides it.
choose_max_size() {
	local set=$1 name bytes others word
	read -r name bytes others < <(python3 "$BENCH_DIR/benchtool.py" sizes "${SET_LAYOUT[$set]}" | sort -k2,2nr -k1,1 | first_line)
	LARGEST[$set]=$name
	LARGEST_BYTES[$set]=$bytes
	OTHERS_BYTES[$set]=$others
	MAX_SIZE[$set]=$(awk -v b="$bytes" 'BEGIN { t = b * 1.05 / 1048576 / 10; n = int(t); if (n < t) n++; print n * 10 "M" }')
	for word in $MAX_SIZE_OVERRIDE; do
		[[ $word == "$set="* ]] && MAX_SIZE[$set]=${word#*=}
	done
	MAX_BYTES[$set]=$(size_bytes "${MAX_SIZE[$set]}")
}

# prepare_set SET: the registry's storage gets SET's images (SET/NAME:v1) and the changed one's v2
# (SET/NAME:v2); $TMP/sets/SET gets the lists: v1.txt and v2.txt (references), blobs.txt (every
# unique blob of v1, "URL SIZE HEX") and new.txt (the blobs v2 adds).
prepare_set() {
	local set=$1 d=$TMP/sets/$1 src=${REGISTRY_ADDRS[src]}
	mkdir -p "$d"
	python3 "$BENCH_DIR/benchtool.py" seed-registry "$TMP/src" "${SET_LAYOUT[$set]}" "$set" v1
	python3 "$BENCH_DIR/benchtool.py" seed-registry "$TMP/src" "${V2_LAYOUT[$set]}" "$set" v2
	python3 "$BENCH_DIR/benchtool.py" names "${SET_LAYOUT[$set]}" | awk -v r="$src/$set" '{ print r "/" $0 ":v1" }' >"$d/v1.txt"
	awk -v old="$src/$set/${CHANGED[$set]}:v1" -v new="$src/$set/${CHANGED[$set]}:v2" '$0 == old { $0 = new } { print }' \
		"$d/v1.txt" >"$d/v2.txt"
	python3 "$BENCH_DIR/benchtool.py" blobs "${SET_LAYOUT[$set]}" "$src" "$set" v1 >"$d/blobs.txt"
	python3 "$BENCH_DIR/benchtool.py" blobs "${V2_LAYOUT[$set]}" "$src" "$set" v2 >"$d/blobs-v2.txt"
	awk 'NR == FNR { held[$3] = 1; next } !($3 in held)' "$d/blobs.txt" "$d/blobs-v2.txt" >"$d/new.txt"
	CHANGE_BLOBS[$set]=$(wc -l <"$d/new.txt")
	CHANGE_BYTES[$set]=$(awk '{ s += $2 } END { print s + 0 }' "$d/new.txt")
	# The new layer and the image's config, nothing else: the other layers are v1's own blobs.
	((CHANGE_BLOBS[$set] == 2)) ||
		die "$set: ${CHANGED[$set]}:v2 has ${CHANGE_BLOBS[$set]} blobs v1 lacks, not 2 (its new layer and config): were the layouts generated by another benchtool.py?"
	SET_IMAGES[$set]=$(wc -l <"$d/v1.txt")
	SET_BLOBS[$set]=$(wc -l <"$d/blobs.txt")
	SET_BYTES[$set]=$(awk '{ s += $2 } END { print s }' "$d/blobs.txt")
	choose_max_size "$set"
}

# ---------------------------------------------------------------------------------------------
# Measuring

ROUND=0

# bm LABEL COMMAND...: lib.sh's measure (GNU time and the registry's CPU: a line in $RESULTS), then
# the requests the registry logged meanwhile.
bm() {
	local label=$1 offset
	offset=$(stat -c %s "$TMP/src.log")
	measure "$@"
	# The registry logs a request once it has answered it: give the last ones time to land.
	sleep 0.3
	tail -c +"$((offset + 1))" "$TMP/src.log" | classify_requests |
		awk -v l="$label" -v r="$ROUND" '{ print "requests", l, r, $0 }' >>"$RESULTS"
}

# record_summary LABEL [MAX_BYTES]: what airgap's JSON summary ($TMP/last.stdout) says, as
# KIND:LABEL lines in $RESULTS. Stops the run unless every archive it names is there with the size
# it says, no larger than MAX_BYTES, with a NAME.sha256 holding the sha256 it says.
record_summary() {
	python3 - "$1" "$TMP/last.stdout" "${2:-0}" >>"$RESULTS" <<'EOF' || die "$1: airgap's summary and what it wrote differ"
import json, os, sys
label, path, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
summary = json.load(open(path))
archives = summary["archives"]
for archive in archives:
    size = os.path.getsize(archive["path"])
    if size != archive["size"]:
        sys.exit(f"{label}: {archive['path']} is {size} bytes; the summary says {archive['size']}")
    if limit and size > limit:
        sys.exit(f"{label}: {archive['path']} is {size} bytes, over --max-size ({limit})")
    with open(archive["path"] + ".sha256") as f:
        recorded = f.read().split()[0]
    if recorded != archive["sha256"]:
        sys.exit(f"{label}: {archive['path']}.sha256 says {recorded}; the summary {archive['sha256']}")
values = {
    "bytes": sum(a["size"] for a in archives),
    "archives": len(archives),
    "largest": max(a["size"] for a in archives),
    "fetched-blobs": summary["blobsFetched"],
    "fetched-bytes": summary["bytesFetched"],
    "cached-blobs": summary["blobsFromCache"],
}
if summary.get("parts"):
    values["split-added"] = summary["splitAddedBytes"]
    values["repeated"] = summary["repeatedBytes"]
if summary.get("delta"):
    values["omitted-blobs"] = summary["delta"]["omittedBlobs"]
    values["omitted-bytes"] = summary["delta"]["omittedBytes"]
for kind, value in values.items():
    print(f"{kind}:{label} {value}")
EOF
}

# json_field KEY: a top-level field of airgap's JSON summary ($TMP/last.stdout).
json_field() {
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$TMP/last.stdout" "$1"
}

# said LABEL: the last line airgap printed, kept for the report (first round only).
said() {
	((ROUND == 1)) || return 0
	# Paths as the report names them: full.tar, not /dev/shm/airgap-sneakernet.XXXXXX/bench8/full.tar.
	echo "said $1 $(tail -n 1 "$TMP/last.stdout" | sed "s#$SHM_DIR/[^/]*/##g")" >>"$CHECKS"
}

# run_set SET: one round of SET (see the header).
run_set() {
	local set=$1 d=$TMP/sets/$1 out=$SHM_DIR/$1
	fresh "$out"
	# The registry's blobs back in the page cache, should anything have evicted them (untimed).
	awk '{ print substr($3, 1, 2) "/" $3 "/data" }' "$d/blobs.txt" "$d/new.txt" |
		(cd "$TMP/src/docker/registry/v2/blobs/sha256" && xargs cat) >/dev/null
	local bundle=("$AIRGAP" bundle --tls-verify=false --cache "$out/cache" -q --output json)

	bm "$set/full-cold" "${bundle[@]}" -f "$d/v1.txt" -o "$out/full.tar"
	record_summary "$set/full-cold"
	rm -f "$out/full.tar" "$out/full.tar.sha256"
	bm "$set/full-warm" "${bundle[@]}" -f "$d/v1.txt" -o "$out/full.tar"
	record_summary "$set/full-warm"

	bm "$set/sha256sum" sha256sum "$out/full.tar"
	local ours theirs
	read -r ours _ <"$TMP/last.stdout"
	read -r theirs _ <"$out/full.tar.sha256"
	[[ $ours == "$theirs" ]] || die "$set: sha256sum says $ours, full.tar.sha256 $theirs"
	((ROUND == 1)) && echo "check $set sha256sum of full.tar equals full.tar.sha256, written while bundling" >>"$CHECKS"
	bm "$set/verify-full" "$AIRGAP" verify "$out/full.tar"
	said "$set/verify-full"

	bm "$set/delta" "${bundle[@]}" -f "$d/v2.txt" --since "$out/full.tar" -o "$out/delta.tar"
	record_summary "$set/delta"
	bm "$set/verify-base" "$AIRGAP" verify --base "$out/full.tar" "$out/delta.tar"
	said "$set/verify-base"
	# The parts last, once full.tar and the delta are gone: each bundle of a round then writes into
	# memory an earlier one freed, as the warm full bundle does after the cold one's archive is
	# removed. On this VM, tmpfs pages touched for the first time cost the writer several times the
	# kernel time (measured: the same parts run took 2.2 s after a removal, 5 s without one).
	rm -f "$out/full.tar" "$out/full.tar.sha256" "$out/delta.tar" "$out/delta.tar.sha256"
	mkdir -p "$out/parts"
	bm "$set/parts" "${bundle[@]}" -f "$d/v1.txt" --max-size "${MAX_SIZE[$set]}" -o "$out/parts/parts.tar"
	record_summary "$set/parts" "${MAX_BYTES[$set]}"
	local list
	list=$(json_field parts)
	if ((ROUND == 1)); then
		python3 -c '
import json, os, sys
parts = json.load(open(sys.argv[1]))["archives"]
print("check", sys.argv[2], "parts:", ", ".join("%s %d bytes, %d images" % (os.path.basename(a["path"]), a["size"], a["images"]) for a in parts))
' "$TMP/last.stdout" "$set" >>"$CHECKS"
	fi
	bm "$set/verify-parts" "$AIRGAP" verify "$list"
	said "$set/verify-parts"
	rm -rf "$out/parts"
	rm -rf "$out"
}

# ---------------------------------------------------------------------------------------------

main() {
	local start=$SECONDS set
	check_tools
	LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
	build_airgap
	raise_priority
	AIRGAP_VERSION=$("$AIRGAP" --version 2>/dev/null | awk '{ print $2 }')
	# Read whole: `grep -q` would stop reading at the match, and the writer's SIGPIPE fail the pipe.
	[[ $("$AIRGAP" bundle --help 2>/dev/null) == *--since* ]] || die "$AIRGAP has no bundle --since (issue 17)"
	mkdir -p "$WORK"
	define_sets

	TMP=$(mktemp -d "${TMPDIR:-/tmp}/airgap-sneakernet.XXXXXX")
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	SHM_DIR=$(mktemp -d "$SHM/airgap-sneakernet.XXXXXX")
	CLEANUP_DIRS+=("$SHM_DIR")
	RESULTS=$TMP/results.txt
	CHECKS=$TMP/checks.txt
	: >"$RESULTS"
	: >"$CHECKS"

	# The registry's storage is written before it starts (prepare_set), on disk beside $TMP.
	mkdir -p "$TMP/src"
	REGISTRY_ADDRS[src]=127.0.0.1:$(free_ports 1)
	for set in $SETS; do
		prepare_set "$set"
		log "$set: ${SET_IMAGES[$set]} images, ${SET_BLOBS[$set]} blobs, $(mib "${SET_BYTES[$set]}") MiB; --max-size ${MAX_SIZE[$set]} (largest image ${LARGEST[$set]}, $(mib "${LARGEST_BYTES[$set]}") MiB); the change: ${CHANGED[$set]}:v2, $(mib "${CHANGE_BYTES[$set]}") MiB more"
	done
	start_registry src accesslog

	log "warming the page cache: every blob once through the registry (untimed)"
	for set in $SETS; do
		floor_null "$TMP/sets/$set/blobs.txt"
		floor_null "$TMP/sets/$set/new.txt"
	done

	for ((ROUND = 1; ROUND <= RUNS; ROUND++)); do
		log "round $ROUND of $RUNS"
		for set in $SETS; do
			run_set "$set"
		done
	done

	TOTAL_SECONDS=$((SECONDS - start))
	RESULTS_NAME=sneakernet-results-$(date -u +%Y%m%dT%H%M%SZ).txt
	cat "$RESULTS" "$CHECKS" >"$WORK/$RESULTS_NAME"
	write_meta "$WORK/${RESULTS_NAME%.txt}.meta"
	render "$WORK/$RESULTS_NAME"
}

# ---------------------------------------------------------------------------------------------
# Report

# write_meta FILE: what the report says besides the measurements, as bash declarations, kept beside
# the raw file so that `--report RAW` can render it again.
write_meta() {
	DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
	MACHINE="$(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p')), $(free -g | awk '/^Mem:/ { print $2 }') GiB RAM, Debian $(cat /etc/debian_version), kernel $(uname -r)"
	SHM_NOTE="$SHM, $(findmnt -no FSTYPE -T "$SHM" | first_line)"
	REGISTRY_NOTE="$(findmnt -no FSTYPE -T "$TMP") on $(findmnt -no SOURCE -T "$TMP")"
	LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
	CORES=$(nproc)
	VERSIONS="docker-registry $(docker-registry --version 2>/dev/null | awk '{ print $3 }'), sha256sum (GNU coreutils) $(sha256sum --version | first_line | awk '{ print $NF }')"
	declare -p RESULTS_NAME RUNS SETS DATE TOTAL_SECONDS GEN_SECONDS MACHINE CORES SHM_NOTE REGISTRY_NOTE \
		LOAD_BEFORE LOAD_AFTER PRIORITY_NOTE AIRGAP_VERSION AIRGAP_BUILD VERSIONS \
		SET_DESC CHANGED CHANGE_LAYER CHANGE_BLOBS CHANGE_BYTES SET_IMAGES SET_BLOBS SET_BYTES \
		MAX_SIZE MAX_BYTES LARGEST LARGEST_BYTES OTHERS_BYTES |
		sed 's/^declare \(-[^ ]*\)/declare -g \1/' >"$1"
}

# ratio A B: A / B, or a dash when B is missing or zero.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0 || a == "nan" || b == "nan") print "–"; else printf "%.2f\n", a / b }'
}
# num KIND:LABEL: the median of a recorded number, as an integer; "nan" when none.
num() {
	local m
	m=$(med "$1" 2)
	if [[ $m == nan ]]; then
		echo nan
	else
		calc '%.0f' "$m"
	fi
}
# varies KIND:LABEL: " (varied: A, B, …)" when the runs recorded different numbers, else nothing.
varies() {
	local n
	n=$(awk -v l="$1" '$1 == l { print $2 }' "$RESULTS" | sort -u | wc -l)
	((n <= 1)) || echo " (varied: $(vals "$1" 2))"
}
# blob_gets LABEL: the blob GETs the registry served during LABEL's first-round run.
blob_gets() {
	awk -v l="$1" '$1 == "requests" && $2 == l && $3 == 1 && $4 == "blob" && $5 == "GET" { n += $6 } END { print n + 0 }' "$RESULTS"
}
# trow TEXT LABEL WRITES BYTES FULL: a row of a set's table: what ran, what it wrote and its bytes
# (against the full archive's FULL), its wall time (median, best) against the full bundle's, its
# CPU and peak RSS.
trow() {
	local text=$1 label=$2 writes=$3 bytes=$4 full=$5 set=${2%%/*} wall bytes_text="" ratio_text=""
	wall=$(med "$label" 2)
	if [[ -n $bytes ]]; then
		bytes_text="$(mib "$bytes") MiB"
		ratio_text=$(calc '%.3f' "$bytes / $full")
	fi
	echo "| $text | $writes | $bytes_text | $ratio_text | $wall s | $(best "$label" 2) s | $(ratio "$wall" "$(med "$set/full-warm" 2)") | $(ratio "$wall" "$(med "$set/full-cold" 2)") | $(cpu "$label") s | $(rss "$label") MiB |"
}

# summary_row SET: SET's row of the summary table.
summary_row() {
	local set=$1 full warm split delta
	full=$(num "bytes:$set/full-warm")
	warm=$(med "$set/full-warm" 2)
	split=$(num "split-added:$set/parts")
	delta=$(num "bytes:$set/delta")
	echo "| $set | $(mib "$full") MiB; $warm s warm ($(med "$set/full-cold" 2) s cold)" \
		"| $(num "archives:$set/parts") parts of ≤ ${MAX_SIZE[$set]}: $split bytes more ($(calc '%.2g' "100 * $split / $full") %); $(med "$set/parts" 2) s = $(ratio "$(med "$set/parts" 2)" "$warm") ×" \
		"| $(mib "$delta") MiB = $(calc '%.3f' "$delta / $full") ×; $(med "$set/delta" 2) s = $(ratio "$(med "$set/delta" 2)" "$warm") ×" \
		"| $(med "$set/sha256sum" 2) s = $(ratio "$(med "$set/sha256sum" 2)" "$warm") × |"
}

# set_report SET: SET's part of the section.
set_report() {
	local set=$1 full parts delta split repeated nparts largest omitted omitted_blobs fetched fetched_blobs
	full=$(num "bytes:$set/full-warm")
	parts=$(num "bytes:$set/parts")
	delta=$(num "bytes:$set/delta")
	split=$(num "split-added:$set/parts")
	repeated=$(num "repeated:$set/parts")
	nparts=$(num "archives:$set/parts")
	largest=$(num "largest:$set/parts")
	omitted=$(num "omitted-bytes:$set/delta")
	omitted_blobs=$(num "omitted-blobs:$set/delta")
	fetched=$(num "fetched-bytes:$set/delta")
	fetched_blobs=$(num "fetched-blobs:$set/delta")
	local layer=${CHANGE_LAYER[$set]} warm sha
	warm=$(med "$set/full-warm" 2)
	sha=$(med "$set/sha256sum" 2)
	local split_note
	if [[ $repeated == 0 ]]; then
		split_note="no layer is stored in two parts, so that is only each part's own tar headers, \`index.json\` and \`manifest.json\`"
	else
		split_note="$(mib "$repeated") MiB of it are layers shared by images in different parts, stored in each"
	fi
	local parts_note=""
	if ((OTHERS_BYTES[$set] <= MAX_BYTES[$set])); then
		parts_note=" No \`--max-size\` gives more than 2 parts here: one that holds ${LARGEST[$set]} ($(mib "${LARGEST_BYTES[$set]}") MiB) also holds every other image together ($(mib "${OTHERS_BYTES[$set]}") MiB) in one part."
	fi
	cat <<SET
### $set: ${SET_IMAGES[$set]} images, ${SET_BLOBS[$set]} unique blobs, $(mib "${SET_BYTES[$set]}") MiB

Images (\`$set/NAME:v1\`, MiB): ${SET_DESC[$set]}.
**The change**: \`$set/${CHANGED[$set]}:v2\` is \`:v1\` with one more layer (\`${layer%%:*}\`, ${layer#*:} MiB): ${CHANGE_BLOBS[$set]}
blobs the full bundle lacks (that layer and the image's config), $(mib "${CHANGE_BYTES[$set]}") MiB; the delta's list is the full
bundle's with \`${CHANGED[$set]}:v2\` for \`:v1\`. **\`--max-size ${MAX_SIZE[$set]}\`**: 5 % over the largest image,
${LARGEST[$set]} ($(mib "${LARGEST_BYTES[$set]}") MiB), rounded up to 10 MiB.

| Run | Writes | Bytes | × full | Wall (median) | Best | × full warm | × full cold | CPU (user + sys) | Peak RSS |
|---|---|---|---|---|---|---|---|---|---|
$(trow "**full bundle, cold**: fresh \`--cache\`" "$set/full-cold" "\`full.tar\`" "$(num "bytes:$set/full-cold")" "$full")
$(trow "**full bundle, warm**: the same again, same \`--cache\`" "$set/full-warm" "\`full.tar\`" "$full" "$full")
$(trow "**parts**: \`--max-size ${MAX_SIZE[$set]}\`, warm cache" "$set/parts" "$nparts parts, the largest $(mib "$largest") MiB" "$parts" "$full")
$(trow "**delta**: \`--since full.tar\`, the list with \`${CHANGED[$set]}:v2\`, warm cache" "$set/delta" "\`delta.tar\`" "$delta" "$full")
$(trow "\`sha256sum full.tar\`: the second pass \`full.tar.sha256\` saves" "$set/sha256sum" "" "" "$full")
$(trow "\`airgap verify full.tar\`" "$set/verify-full" "" "" "$full")
$(trow "\`airgap verify parts.parts\`: every part, and the set" "$set/verify-parts" "" "" "$full")
$(trow "\`airgap verify --base full.tar delta.tar\`" "$set/verify-base" "" "" "$full")

Each run's wall time (s): full cold $(vals "$set/full-cold" 2); warm $(vals "$set/full-warm" 2); parts $(vals "$set/parts" 2);
delta $(vals "$set/delta" 2); sha256sum $(vals "$set/sha256sum" 2); verify $(vals "$set/verify-full" 2); verify parts
$(vals "$set/verify-parts" 2); verify --base $(vals "$set/verify-base" 2). "× full" is against the full archive's bytes
($full$(varies "bytes:$set/full-warm")), "× full warm" and "× full cold" against the full bundles' median wall times.

- **Parts**: $nparts parts of at most ${MAX_SIZE[$set]} (${MAX_BYTES[$set]} bytes; the largest $largest), $parts bytes together: the split
  adds $split bytes$(varies "split-added:$set/parts") ($(calc '%.2g' "100 * $split / $full") % of the full archive); $split_note.$parts_note
- **Delta**: $(mib "$delta") MiB$(varies "bytes:$set/delta"), $(calc '%.1f' "100 * $delta / $full") % of the full archive, in $(ratio "$(med "$set/delta" 2)" "$warm") × the warm full bundle's time. It left out
  $omitted_blobs layers ($(mib "$omitted") MiB) that \`full.tar\` holds, each as a zero-length placeholder, and
  fetched $fetched_blobs blobs ($(mib "$fetched") MiB$(varies "fetched-bytes:$set/delta")) from the registry ($(blob_gets "$set/delta") blob GETs in the first round;
  the change is ${CHANGE_BLOBS[$set]} blobs, $(mib "${CHANGE_BYTES[$set]}") MiB).
- **Checksum**: \`sha256sum\` (GNU coreutils) reads \`full.tar\` from tmpfs in $sha s, $(ratio "$sha" "$warm") × the warm full
  bundle's time: what a second pass over the archive would add to a bundle run. \`airgap bundle\` wrote
  \`full.tar.sha256\` while writing the archive, and \`sha256sum\` agreed with it in every run. On the far
  side, \`airgap verify full.tar\`, which checks every blob and the whole file against \`full.tar.sha256\`
  in one pass, took $(med "$set/verify-full" 2) s.

SET
}

# render RAW: the section of $OUTPUT_MD from the raw measurements RAW and RAW's .meta.
render() {
	local raw=$1 meta=${1%.txt}.meta section set
	[[ -f $raw && -f $meta ]] || die "no raw measurements $raw with its $meta"
	# shellcheck source=/dev/null
	. "$meta"
	RESULTS=$raw
	section=$(mktemp -d "${TMPDIR:-/tmp}/airgap-sneakernet-report.XXXXXX")
	CLEANUP_DIRS+=("$section")
	section+=/section.md
	local load_note="" rounds="$RUNS rounds; a figure is the **median of $RUNS runs**"
	((RUNS == 1)) && rounds="1 round; a figure is **one run**"
	# A load above half the cores means others competed for them during the run.
	if awk "BEGIN { exit !(${LOAD_BEFORE%% *} > $CORES / 2 || ${LOAD_AFTER%% *} > $CORES / 2) }"; then
		load_note=": other work shared the machine, so wall times are noisy (see each run's time, and the
  CPU columns, which are less so)"
	fi
	{
		cat <<HEAD
<!-- $SECTION: begin -->
## Parts, deltas and checksums for sneakernet (issue 17)

(Written by \`bench/sneakernet.sh\`, which replaces only this section.)

What \`bundle --max-size\` (parts that fit a medium) and \`bundle --since\` (a delta after one image
changed) cost in bytes and in time against a full bundle of the same images, and what the second
pass over an archive costs that the \`.sha256\` file written while bundling saves. Reproduce with
\`bench/sneakernet.sh\` ($((TOTAL_SECONDS / 60)) min $((TOTAL_SECONDS % 60)) s here$( ((GEN_SECONDS > 0)) && echo ", of which $GEN_SECONDS s generating the images")). A benchmark, not a test: the numbers
depend on the machine and on what else runs on it.

Run on $DATE. $rounds unless it says otherwise; "best" is the
fastest run. A round runs, for each set in turn, each after \`sync\`: the full bundle with a fresh
\`--cache\` (cold) and again with the same cache (warm), \`sha256sum\` of the full archive, \`airgap
verify\` of it, the delta (same cache: it then holds every blob of the full bundle and none of the
change's, as it would when next month's bundle is made), \`airgap verify --base\`, and, once the full
archive and the delta are removed, the parts (same cache) and \`airgap verify\` of their list. The
cache and every archive are on tmpfs ($SHM_NOTE): no disk, so the times are airgap's, not the
medium's. Each bundle writes into memory that an earlier run of the round freed: on this virtual
machine, tmpfs pages touched for the first time cost the writer several times the kernel time
(the same parts run took 2.2 s after a removal, 5 s without one), which would otherwise land on
whichever run comes first after the memory grew.

- Machine: $MACHINE. Load average before the run $LOAD_BEFORE, after
  $LOAD_AFTER$load_note; the benchmark ran at $PRIORITY_NOTE.
- Versions: airgap $AIRGAP_VERSION ($AIRGAP_BUILD), $VERSIONS.
- Registry: Debian's docker-registry, plain HTTP on 127.0.0.1, filesystem storage ($REGISTRY_NOTE), every
  blob read through it before the first round and from its storage before each set's round, so
  it serves from the page cache.
- Each bundle: \`airgap bundle -f LIST --tls-verify=false --cache DIR -q --output json\` (\`--jobs 8\`, the
  default) with \`-o full.tar\`; \`--max-size SIZE -o parts.tar\` (parts-1.tar, …, parts.parts); or
  \`--since full.tar -o delta.tar\`. Bytes are the archives' sizes (parts: all of them; \`.sha256\` and
  \`.parts\` files aside), as the JSON summary gives them and \`stat\` confirmed.

### Summary

Against the full bundle of the same images (the warm one, as the parts and the delta are made
with a warm cache): bytes written, and wall time (medians).

| Set | Full bundle: bytes; time | Parts: bytes added; time | Delta: bytes; time | \`sha256sum\` of the full archive |
|---|---|---|---|---|
HEAD
		for set in $SETS; do
			summary_row "$set"
		done
		echo
		for set in $SETS; do
			set_report "$set"
		done
		echo "### Checks and what airgap said (first round)"
		echo
		awk '$1 == "check" { $1 = ""; sub(/^ /, ""); print "- " $0 }' "$RESULTS"
		awk '$1 == "said" { l = $2; $1 = $2 = ""; sub(/^ +/, ""); print "- " l ": `" $0 "`" }' "$RESULTS"
		echo
		echo "Raw measurements: \`bench/.work/$RESULTS_NAME\`."
		echo "<!-- $SECTION: end -->"
	} >"$section"
	replace_section "$OUTPUT_MD" "$SECTION" "$section"
	sed -n "/^<!-- $SECTION: begin -->\$/,/^<!-- $SECTION: end -->\$/p" "$OUTPUT_MD"
	log "wrote the \"$SECTION\" section of $OUTPUT_MD (raw: $raw)"
}

if [[ ${1:-} == --report ]]; then
	# Render the report of an earlier run again (e.g. after a change to the report).
	[[ -n ${2:-} ]] || die "usage: bench/sneakernet.sh --report bench/.work/sneakernet-results-DATE.txt"
	trap cleanup EXIT
	render "$2"
	exit 0
fi
main "$@"

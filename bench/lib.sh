# bench/lib.sh — what the benchmarks that need a registry share; sourced by bench/run.sh
# (`airgap bundle`, issue 3), bench/mirror.sh (`airgap mirror`, issue 5), bench/perf.sh (both
# against the floors, issue 16) and bench/sneakernet.sh (parts and deltas, issue 17), never run.
#
# It holds: die/log/need, GNU time, the release build, the synthetic image sets (recipes and the
# OCI layouts generated from them, bench/benchtool.py), docker-registry instances (any number, each
# named, with its own storage, port and optional access log), the push of the image set, the
# floors (/dev/null, write, pipe), the access-log request classifier, skopeo's isolated blob-info
# cache, `measure` (GNU time plus the CPU the registries used meanwhile), the report's helpers and
# the priority bump.
#
# The sourcing script sets HERE, ROOT, WORK, PRIORITY and, before starting a registry or measuring,
# TMP (its temporary directory) and RESULTS (the raw measurements file); it installs `cleanup` as
# its EXIT trap.
# shellcheck shell=bash disable=SC2034 # the variables set here are read by the sourcing scripts

STARTUP_TIMEOUT=20

# The image set: NAME LAYER... where a layer is KEY:SIZE (MiB, or with a unit: 64K, 5M); a KEY
# shared by several images is one blob. Both benchmarks use it; a layout is generated once per
# recipe (generate_layout). RECIPE_VERSION 2: the bytes are a fixed function of KEY and SIZE (seeded
# AES-CTR keystream) instead of /dev/urandom, so every run and machine serves the same blobs.
RECIPE_VERSION=2
IMAGE_SPECS=(
	"base-1 base:200 own-1:40"
	"base-2 base:200 own-2:40"
	"base-3 base:200 own-3:40"
	"base-4 base:200 own-4:40"
	"big big:1024"
	"small-1 small-1:5"
	"small-2 small-2:5"
	"small-3 small-3:5"
)
BIG_IMAGE=big
TAG=v1
REPO_PREFIX=bench

# heldout_specs: sets HELDOUT_SPECS to the recipe of issue 16's held-out set ("heldout" in
# bench/perf.sh and bench/sneakernet.sh), described by HELDOUT_DESC: a 300 MiB base shared by 5
# images (4 with one own 20 MiB layer; one with 29 more 6 MiB layers: 30 layers), a 700 MiB layer,
# 4 tiny images (one 64 KiB layer each).
HELDOUT_DESC="app-1 … app-4 (base 300 + own 20), layers-30 (base 300 + 29 layers of 6), big-700 (700), tiny-1 … tiny-4 (64 KiB each)"
heldout_specs() {
	local i l30=""
	HELDOUT_SPECS=()
	for i in 1 2 3 4; do
		HELDOUT_SPECS+=("app-$i base:300 app-$i:20")
	done
	for i in $(seq 1 29); do
		l30+=" l30-$i:6"
	done
	HELDOUT_SPECS+=("layers-30 base:300$l30" "big-700 big-700:700")
	for i in 1 2 3 4; do
		HELDOUT_SPECS+=("tiny-$i tiny-$i:64K")
	done
}

# die, need, free_ports, registry_command, wait_http: the helpers the test scripts share.
LIB_PREFIX=bench
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

# first_line: the first line of standard input, read to the end. `head -n 1` stops reading at the
# first line, so a writer with more to say dies of SIGPIPE, which pipefail then makes the whole
# pipeline's status (141), and set -e ends the benchmark in its report.
first_line() {
	awk 'NR == 1 { line = $0 } END { if (NR) print line }'
}

log() {
	echo "bench: $*" >&2
}

need_gnu_time() {
	if [[ ! -x /usr/bin/time ]]; then
		[[ $(id -u) == 0 ]] || die "GNU time (/usr/bin/time) is missing: apt-get install -y time"
		log "installing GNU time (apt-get install -y time)"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q time >/dev/null
	fi
}

build_airgap() {
	if [[ -n ${AIRGAP_BENCH_BINARY:-} ]]; then
		AIRGAP=$AIRGAP_BENCH_BINARY
	else
		need swift
		log "building airgap (swift build -c release --scratch-path .build-bench)"
		(cd "$ROOT" && swift build -c release --scratch-path .build-bench --product airgap >&2)
		AIRGAP=$ROOT/.build-bench/release/airgap
	fi
	[[ -x $AIRGAP ]] || die "no airgap binary at $AIRGAP"
	local commit dirty=""
	commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
	git -C "$ROOT" diff --quiet HEAD -- Sources Package.swift 2>/dev/null || dirty=" with uncommitted changes in Sources/"
	if [[ -n ${AIRGAP_BENCH_BINARY:-} ]]; then
		AIRGAP_BUILD="the binary $AIRGAP_BENCH_BINARY built $(date -u -r "$AIRGAP" '+%Y-%m-%d %H:%M UTC'); tree at commit $commit$dirty"
	else
		AIRGAP_BUILD="release build of commit $commit$dirty"
	fi
}

# ---------------------------------------------------------------------------------------------
# Synthetic images

# generate_layout NAME SPEC...: the OCI layout of that recipe (bench/benchtool.py's "generate": one
# index.json entry per image, ref name = image name), in $WORK/layouts/NAME-HASH where HASH is the
# recipe's: generated once, reused while the recipe stays the same (an older NAME-* is removed).
# Sets LAYOUT; GEN_SECONDS adds the seconds spent generating. Without arguments: the image set
# above (IMAGE_SPECS) as "bench".
GEN_SECONDS=0
generate_layout() {
	(($#)) || set -- bench "${IMAGE_SPECS[@]}"
	local name=$1 stamp hash start=$SECONDS
	shift
	stamp="$RECIPE_VERSION $*"
	hash=$(printf '%s' "$stamp" | sha256sum | cut -c1-12)
	LAYOUT=$WORK/layouts/$name-$hash
	# The layout of RECIPE_VERSION 1 (random bytes from /dev/urandom), no longer used.
	[[ -f $WORK/oci/.recipe ]] && rm -rf "$WORK/oci"
	if [[ -f $LAYOUT/.recipe && $(<"$LAYOUT/.recipe") == "$stamp" ]]; then
		log "reusing the generated images in $LAYOUT"
		return
	fi
	local old
	for old in "$WORK/layouts/$name"-????????????{,.tmp}; do
		[[ -d $old ]] && rm -rf "$old"
	done
	log "generating the synthetic images \"$name\" into $LAYOUT (once; cached for later runs)"
	mkdir -p "$LAYOUT.tmp"
	python3 "$BENCH_DIR/benchtool.py" generate "$LAYOUT.tmp" "$@"
	echo "$stamp" >"$LAYOUT.tmp/.recipe"
	mv "$LAYOUT.tmp" "$LAYOUT"
	GEN_SECONDS=$((GEN_SECONDS + SECONDS - start))
}

# ---------------------------------------------------------------------------------------------
# Registries: each has a NAME; its storage is $TMP/NAME (or REGISTRY_STORAGE[NAME], set before its
# start: e.g. on tmpfs), its config $TMP/NAME.yml (plus REGISTRY_EXTRA[NAME], YAML appended to it:
# e.g. an auth section, with REGISTRY_PROBE[NAME] the status /v2/ then answers: 401) and its output
# (errors, and the access log when enabled) $TMP/NAME.log. REGISTRY_ADDRS[NAME] is HOST:PORT.


declare -gA REGISTRY_ADDRS=() REGISTRY_PIDS=() REGISTRY_ACCESS=() REGISTRY_STORAGE=() REGISTRY_EXTRA=() REGISTRY_PROBE=()
TMP=
# More directories for `cleanup` to remove, and processes for it to stop (the sourcing script's own).
CLEANUP_DIRS=()
CLEANUP_PIDS=()

cleanup() {
	local status=$? name dir pid
	for name in "${!REGISTRY_PIDS[@]}"; do
		stop_registry "$name"
	done
	for pid in "${CLEANUP_PIDS[@]}"; do
		if kill -0 "$pid" 2>/dev/null; then
			kill "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
		fi
	done
	[[ -n $TMP && -d $TMP ]] && rm -rf "$TMP"
	for dir in "${CLEANUP_DIRS[@]}"; do
		[[ -n $dir && -d $dir ]] && rm -rf "$dir"
	done
	exit "$status"
}

# start_registry NAME [accesslog]: starts (or starts again, on the same port and storage) the
# registry NAME: plain HTTP on 127.0.0.1, an ephemeral port chosen on the first start, filesystem
# storage. With "accesslog" every request is logged to $TMP/NAME.log (Distribution writes a
# combined-log-format line per request: method, path and status).
start_registry() {
	local name=$1 access=${2:-${REGISTRY_ACCESS[$1]:-}} addr cfg pid disabled=true storage
	addr=${REGISTRY_ADDRS[$name]:-127.0.0.1:$(free_ports 1)}
	REGISTRY_ADDRS[$name]=$addr
	REGISTRY_ACCESS[$name]=$access
	[[ $access == accesslog ]] && disabled=false
	cfg=$TMP/$name.yml
	storage=${REGISTRY_STORAGE[$name]:-$TMP/$name}
	mkdir -p "$storage"
	cat >"$cfg" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: $disabled
storage:
  filesystem:
    rootdirectory: $storage
  redirect:
    disable: true
http:
  addr: $addr
  secret: airgap-bench
${REGISTRY_EXTRA[$name]:-}
EOF
	registry_command "$cfg"
	"${REGISTRY_COMMAND[@]}" </dev/null >>"$TMP/$name.log" 2>&1 &
	pid=$!
	REGISTRY_PIDS[$name]=$pid
	wait_http "docker-registry $name" "$pid" "http://$addr/v2/" "${REGISTRY_PROBE[$name]:-200}"
	log "docker-registry $name (pid $pid) on $addr, storage $storage"
}

# lib.sh's wait_http calls this before giving up on "docker-registry NAME".
startup_failed() {
	tail -n 20 "$TMP/${1#docker-registry }.log" >&2 || true
}

stop_registry() {
	local pid=${REGISTRY_PIDS[$1]:-}
	if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	unset "REGISTRY_PIDS[$1]"
}

# fresh_registry NAME: the registry NAME emptied: stopped, its storage removed, started again on
# the same port (so that nothing copied by an earlier measurement is there to skip or mount).
fresh_registry() {
	local storage=${REGISTRY_STORAGE[$1]:-${TMP:?}/$1}
	stop_registry "$1"
	rm -rf "${storage:?}"
	start_registry "$1"
}

# push_images REGISTRY: pushes the image set from $LAYOUT to REGISTRY (HOST:PORT) with skopeo;
# sets IMAGES (their references) and writes $TMP/blobs.txt, every unique blob once (layers and
# configs): "URL SIZE HEX" with URL under the first image that has it; UNIQUE_BLOBS, UNIQUE_BYTES.
push_images() {
	local registry=$1 spec name start
	start=$SECONDS
	IMAGES=()
	for spec in "${IMAGE_SPECS[@]}"; do
		name=${spec%% *}
		skopeo copy -q --dest-tls-verify=false "oci:$LAYOUT:$name" "docker://$registry/$REPO_PREFIX/$name:$TAG" >&2
		IMAGES+=("$registry/$REPO_PREFIX/$name:$TAG")
	done
	log "pushed ${#IMAGES[@]} images in $((SECONDS - start)) s"
	python3 "$BENCH_DIR/benchtool.py" blobs "$LAYOUT" "$registry" "$REPO_PREFIX" "$TAG" >"$TMP/blobs.txt"
	UNIQUE_BLOBS=$(wc -l <"$TMP/blobs.txt")
	UNIQUE_BYTES=$(awk '{ s += $2 } END { print s }' "$TMP/blobs.txt")
}

# ---------------------------------------------------------------------------------------------
# Floors: what moving the bytes costs with nothing checked (run under GNU time as `bash -c`, so
# they are exported). A BLOBLIST is push_images's blobs.txt format ("URL SIZE HEX" lines).

# floor_null BLOBLIST: every blob once to /dev/null (the network floor), and floor_write BLOBLIST
# DIR: every blob once into its own file DIR/HEX (the write floor: the least a tool that keeps what
# it fetched writes). Both as one curl, 4 transfers at a time (--parallel-max 4) on reused
# connections: no process started per blob, which for small blobs would cost more than the blob.
floor_null() {
	awk '{ print "url = \"" $1 "\""; print "output = \"/dev/null\"" }' "$1" |
		curl -sS --fail --no-progress-meter --parallel --parallel-max 4 -K -
}
floor_write() {
	awk -v d="$2" '{ print "url = \"" $1 "\""; print "output = \"" d "/" $3 "\"" }' "$1" |
		curl -sS --fail --no-progress-meter --parallel --parallel-max 4 -K -
}

# copy_blob SRC DST REPO DIGEST: one blob from SRC's REPO to DST's REPO as a client with nothing to
# verify does it: POST opens the upload session, the GET's body is streamed into one PUT (chunked:
# `curl -T -`) that closes it.
copy_blob() {
	local src=$1 dst=$2 repo=$3 digest=$4 location sep='?'
	location=$(curl -sSf -X POST -o /dev/null -D - "http://$dst/v2/$repo/blobs/uploads/" |
		tr -d '\r' | sed -n 's/^[Ll]ocation: *//p')
	[[ -n $location ]] || {
		echo "no upload location from $dst for $repo" >&2
		return 1
	}
	[[ $location == /* ]] && location=http://$dst$location
	[[ $location == *\?* ]] && sep='&'
	curl -sSf "http://$src/v2/$repo/blobs/$digest" |
		curl -sSf -o /dev/null -T - "$location${sep}digest=$digest"
	# No pipefail in the `bash -c` this runs in: check both ends.
	local status=("${PIPESTATUS[@]}")
	((status[0] == 0 && status[1] == 0))
}

# floor_pipe SRC DST LIST: the pipe floor: every blob of LIST ("REPO DIGEST" lines) copied from SRC
# to DST with copy_blob, 4 at a time.
floor_pipe() {
	xargs -P4 -n2 bash -c 'copy_blob "$@"' _ "$1" "$2" <"$3"
}

# pipe_list BLOBLIST: BLOBLIST as floor_pipe's "REPO DIGEST" lines.
pipe_list() {
	sed 's#^http://[^/]*/v2/\(.*\)/blobs/\([^ ]*\) .*#\1 \2#' "$1"
}

export -f floor_null floor_write copy_blob floor_pipe

# ---------------------------------------------------------------------------------------------
# skopeo, one image after another (exported, as the floors)

# skopeo_oci DIR TARFILE IMAGE...: each image into one oci: layout, one after another, then tar.
skopeo_oci() {
	local dir=$1 out=$2 image
	shift 2
	for image; do
		skopeo copy -q --src-tls-verify=false "docker://$image" "oci:$dir:${image#*/}"
	done
	tar -cf "$out" -C "$dir" .
}

# skopeo_mirror SRC DST PATH...: each image SRC/PATH copied to DST/PATH, one after another.
skopeo_mirror() {
	local src=$1 dst=$2 path
	shift 2
	for path; do
		skopeo copy -q --src-tls-verify=false --dest-tls-verify=false "docker://$src/$path" "docker://$dst/$path"
	done
}

export -f skopeo_oci skopeo_mirror

# ---------------------------------------------------------------------------------------------
# Request counts

# classify_requests: reads a registry's access log (Distribution's combined-log-format lines) on
# stdin and prints "KIND METHOD COUNT" per kind and method, KIND one of: ping (/v2/), manifest,
# blob (/blobs/DIGEST), upload (an upload session: POST opening it, PATCH, the closing PUT), mount
# (a POST with mount=: a cross-repository mount), tags, catalog, other.
classify_requests() {
	awk '
		match($0, /"[A-Z]+ \/v2\/[^ ]* HTTP\/[0-9.]+"/) {
			split(substr($0, RSTART + 1, RLENGTH - 2), r, " ")
			kind = "other"
			if (r[2] ~ /\/blobs\/uploads\// && r[1] == "POST" && r[2] ~ /[?&]mount=/) kind = "mount"
			else if (r[2] ~ /\/blobs\/uploads\//) kind = "upload"
			else if (r[2] ~ /\/blobs\/[a-z0-9]+:/) kind = "blob"
			else if (r[2] ~ /\/manifests\//) kind = "manifest"
			else if (r[2] ~ /\/tags\/list/) kind = "tags"
			else if (r[2] ~ /^\/v2\/_catalog/) kind = "catalog"
			else if (r[2] ~ /^\/v2\/?(\?.*)?$/) kind = "ping"
			n[kind " " r[1]]++
		}
		END { for (k in n) print k, n[k] }
	' | sort -k1,2
}

# ---------------------------------------------------------------------------------------------
# skopeo's blob-info cache: containers/image remembers in which repositories of which registry each
# blob was seen (a boltdb file it updates, with fsync, after every blob) and skopeo mounts from
# there. As root the file is fixed (/var/lib/containers/cache) and skopeo has no option to move it.

# skopeo_isolation: chooses how (SKOPEO_ISOLATION, exported for the measured `bash -c`); then
# skopeo_isolated CACHEDIR COMMAND...: runs COMMAND (skopeo, or a function running it) with
# skopeo's blob-info cache in CACHEDIR: as root in a private mount namespace with CACHEDIR bind-
# mounted over the cache directory (nothing of the system's is read or written; CACHEDIR may be on
# tmpfs like the outputs); otherwise with the user's cache file removed first. Sets nothing; the
# caller chooses CACHEDIR fresh for a cold run and keeps it for a no-op run.
SKOPEO_ISOLATION=
skopeo_isolation() {
	if [[ $(id -u) == 0 ]] && command -v unshare >/dev/null &&
		mkdir -p /var/lib/containers/cache &&
		unshare -m --propagation private true 2>/dev/null; then
		SKOPEO_ISOLATION=namespace
	else
		SKOPEO_ISOLATION=remove
	fi
	export SKOPEO_ISOLATION
}
skopeo_isolated() {
	local dir=$1
	shift
	mkdir -p "$dir"
	if [[ $SKOPEO_ISOLATION == namespace ]]; then
		# shellcheck disable=SC2016 # arguments of the inner shell
		unshare -m --propagation private bash -c 'mount --bind "$1" /var/lib/containers/cache && shift && exec "$@"' _ "$dir" "$@"
	elif [[ $SKOPEO_ISOLATION == remove ]]; then
		rm -f "${XDG_DATA_HOME:-$HOME/.local/share}/containers/cache/blob-info-cache-v1.boltdb"
		"$@"
	else
		echo "skopeo_isolated: call skopeo_isolation first" >&2
		return 1
	fi
}
export -f skopeo_isolated

# ---------------------------------------------------------------------------------------------
# Measuring

RESULTS=
CLK_TCK=$(getconf CLK_TCK)

# registry_ticks: CPU time (user + sys, clock ticks) the running registries have used so far,
# summed over all of them.
registry_ticks() {
	local pid files=()
	for pid in "${REGISTRY_PIDS[@]}"; do
		files+=("/proc/$pid/stat")
	done
	((${#files[@]})) || {
		echo 0
		return
	}
	awk '{ sub(/^.*\) /, ""); t += $12 + $13 } END { print t + 0 }' "${files[@]}"
}

# measure LABEL COMMAND...: sync, run under GNU time, append
# "LABEL wall user sys maxrss_kib registry_cpu" (the registries' CPU seconds during the command).
# A registry must not be restarted during COMMAND (its CPU would be lost).
measure() {
	local label=$1 before after
	shift
	sync
	before=$(registry_ticks)
	if ! /usr/bin/time -f '%e %U %S %M' -o "$TMP/time.out" "$@" >"$TMP/last.stdout" 2>"$TMP/last.stderr"; then
		tail -n 20 "$TMP/last.stderr" >&2
		die "$label failed: $*"
	fi
	after=$(registry_ticks)
	local times
	read -r -a times < <(tail -n 1 "$TMP/time.out")
	times+=("$(calc '%.2f' "($after - $before) / $CLK_TCK")")
	echo "$label ${times[*]}" >>"$RESULTS"
	log "$(printf '%-19s wall %7ss  user %6ss  sys %6ss  maxrss %6s KiB  registry %5ss' "$label" "${times[@]}")"
}

fresh() {
	rm -rf "$1"
	mkdir -p "$1"
}

# ---------------------------------------------------------------------------------------------
# Report helpers

# med LABEL FIELD (2 wall s, 3 user s, 4 sys s, 5 peak RSS KiB, 6 registry CPU s): the median over
# that label's runs; best LABEL FIELD: the smallest.
med() {
	awk -v l="$1" -v f="$2" '$1 == l { print $f }' "$RESULTS" | sort -g |
		awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else printf "%.2f\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
best() {
	awk -v l="$1" -v f="$2" '$1 == l { print $f }' "$RESULTS" | sort -g | first_line
}
# vals LABEL FIELD: every value in run order, comma separated.
vals() {
	awk -v l="$1" -v f="$2" '$1 == l { printf "%s%s", (n++ ? ", " : ""), $f }' "$RESULTS"
}
# calc FORMAT EXPRESSION: awk arithmetic.
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
mib() { calc '%.1f' "$1 / 1048576"; }
# rss LABEL: median peak RSS in MiB; cpu LABEL: median user + median sys.
rss() { calc '%.1f' "$(med "$1" 5) / 1024"; }
cpu() { calc '%.2f' "$(med "$1" 3) + $(med "$1" 4)"; }
mbps() { calc '%.0f' "$UNIQUE_BYTES / 1e6 / $1"; }
met() { if awk "BEGIN { exit !($1) }"; then echo "**met**"; else echo "**not met**"; fi; }
# row TEXT LABEL [rss]: a table row: wall median, best, user, sys, registry CPU (and peak RSS).
row() {
	local r
	r="| $1 | $(med "$2" 2) s | $(best "$2" 2) s | $(med "$2" 3) s | $(med "$2" 4) s | $(med "$2" 6) s |"
	[[ ${3:-} == rss ]] && r+=" $(rss "$2") MiB |"
	echo "$r"
}

# describe_images: "name (layer size + layer size), ..." from IMAGE_SPECS.
describe_images() {
	local spec out="" part
	for spec in "${IMAGE_SPECS[@]}"; do
		local -a parts
		read -r -a parts <<<"$spec"
		out+="${out:+, }${parts[0]} ("
		for part in "${parts[@]:1}"; do
			out+="${part%%:*} ${part#*:} + "
		done
		out="${out% + })"
	done
	echo "$out"
}

# BENCHMARKS.md holds sections other scripts write, each between "<!-- NAME: begin -->" and
# "<!-- NAME: end -->" lines. marked_sections FILE: every such section of FILE (markers included),
# each after an empty line; nothing when FILE does not exist.
marked_sections() {
	[[ -f $1 ]] || return 0
	awk '
		!inside && /^<!-- .*: begin -->$/ { inside = 1; end = $0; sub(/: begin -->$/, ": end -->", end); print "" }
		inside { print }
		inside && $0 == end { inside = 0 }
	' "$1"
}

# replace_section FILE NAME SECTION: writes SECTION (a file, markers included) into FILE in place
# of FILE's section NAME, or at its end when it has none; the rest of FILE is left as it is.
replace_section() {
	local file=$1 name=$2 section=$3 tmp
	tmp=$(mktemp "$file.XXXXXX")
	if [[ -f $file ]] && grep -qxF "<!-- $name: begin -->" "$file"; then
		awk -v begin="<!-- $name: begin -->" -v end="<!-- $name: end -->" -v section="$section" '
			$0 == begin { while ((getline line < section) > 0) print line; skip = 1; next }
			skip && $0 == end { skip = 0; next }
			!skip { print }
		' "$file" >"$tmp"
	else
		{
			if [[ -s $file ]]; then
				cat "$file"
				echo
			fi
			cat "$section"
		} >"$tmp"
	fi
	chmod 644 "$tmp"
	mv "$tmp" "$file"
}

# ---------------------------------------------------------------------------------------------

# On a shared machine other work (builds, tests) adds noise: as root, run everything this script
# starts (the registries included) at a higher CPU and I/O priority. AIRGAP_BENCH_PRIORITY=0
# disables it.
raise_priority() {
	PRIORITY_NOTE="normal priority"
	[[ $PRIORITY == 0 ]] && return
	[[ $PRIORITY == auto ]] && PRIORITY=-10
	[[ $PRIORITY =~ ^-?[0-9]+$ ]] || die "AIRGAP_BENCH_PRIORITY must be a nice value or 0, not '$PRIORITY'"
	if [[ $(id -u) == 0 ]] && renice -n "$PRIORITY" -p $$ >/dev/null; then
		PRIORITY_NOTE="nice $PRIORITY"
		if command -v ionice >/dev/null && ionice -c 2 -n 0 -p $$ 2>/dev/null; then
			PRIORITY_NOTE+=", ionice best-effort 0"
		fi
	fi
}

# bench/lib.sh — what the benchmarks that need a registry share; sourced by bench/run.sh
# (`airgap bundle`, issue 3) and bench/mirror.sh (`airgap mirror`, issue 5), never run.
#
# It holds: die/log/need, GNU time, the release build, the synthetic image set (its recipe and the
# OCI layout generated from it), docker-registry instances (any number, each named, with its own
# storage, port and optional access log), the push of the image set, `measure` (GNU time plus the
# CPU the registries used meanwhile), the report's helpers and the priority bump.
#
# The sourcing script sets HERE, ROOT, WORK, PRIORITY and, before starting a registry or measuring,
# TMP (its temporary directory) and RESULTS (the raw measurements file); it installs `cleanup` as
# its EXIT trap.
# shellcheck shell=bash disable=SC2034 # the variables set here are read by the sourcing scripts

STARTUP_TIMEOUT=20

# The image set: NAME LAYER... where a layer is KEY:MiB; a KEY shared by several images is one blob.
# Both benchmarks use it, so a change here regenerates bench/.work/oci for both (the stamp).
RECIPE_VERSION=1
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

# die, need, free_ports, registry_command, wait_http: the helpers the test scripts share.
LIB_PREFIX=bench
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

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

# Writes the OCI layout $WORK/oci: one index.json entry per image (ref name = image name).
generate_layout() {
	local layout=$WORK/oci stamp start=$SECONDS
	stamp="$RECIPE_VERSION ${IMAGE_SPECS[*]}"
	GEN_SECONDS=0
	if [[ -f $layout/.recipe && $(<"$layout/.recipe") == "$stamp" ]]; then
		log "reusing the generated images in $layout"
		return
	fi
	log "generating the synthetic images into $layout (once; cached for later runs)"
	rm -rf "$layout"
	mkdir -p "$layout"
	python3 - "$layout" "${IMAGE_SPECS[@]}" <<'EOF'
import gzip, hashlib, io, json, os, sys, tarfile

layout, specs = sys.argv[1], sys.argv[2:]
blobs = os.path.join(layout, "blobs", "sha256")
os.makedirs(blobs, exist_ok=True)
MiB = 1 << 20

class HashingWriter(io.RawIOBase):
    """Hashes what passes on its way to `out`."""
    def __init__(self, out):
        self.out, self.hash, self.size = out, hashlib.sha256(), 0
    def writable(self):
        return True
    def write(self, b):
        self.hash.update(b)
        self.size += len(b)
        return self.out.write(b)

def put(data):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobs, digest), "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}

def make_layer(key, mib):
    """A real tar.gz holding one file of random bytes; returns (descriptor, diff_id)."""
    tmp = os.path.join(blobs, "tmp-" + key)
    with open(tmp, "wb") as raw, open("/dev/urandom", "rb") as rand:
        compressed = HashingWriter(raw)
        gz = gzip.GzipFile(filename="", fileobj=compressed, mode="wb", compresslevel=0, mtime=0)
        plain = HashingWriter(gz)
        with tarfile.open(fileobj=plain, mode="w|", format=tarfile.PAX_FORMAT, copybufsize=MiB) as tar:
            info = tarfile.TarInfo("data/" + key + ".bin")
            info.size, info.mode, info.mtime = mib * MiB, 0o644, 946684800
            tar.addfile(info, rand)
        gz.close()
    digest = compressed.hash.hexdigest()
    os.rename(tmp, os.path.join(blobs, digest))
    descriptor = {
        "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
        "digest": "sha256:" + digest,
        "size": compressed.size,
    }
    return descriptor, "sha256:" + plain.hash.hexdigest()

layers, index = {}, []
for spec in specs:
    name, *parts = spec.split()
    descriptors, diff_ids = [], []
    for part in parts:
        key, mib = part.split(":")
        if key not in layers:
            print(f"  layer {key}: {mib} MiB", file=sys.stderr, flush=True)
            layers[key] = make_layer(key, int(mib))
        descriptors.append(layers[key][0])
        diff_ids.append(layers[key][1])
    config = {
        "created": "2000-01-01T00:00:00Z",
        "architecture": "amd64",
        "os": "linux",
        "config": {"Cmd": ["/bin/sh"], "Labels": {"airgap.bench": name}},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created": "2000-01-01T00:00:00Z", "created_by": "bench/run.sh"} for _ in parts],
    }
    config_desc = put(json.dumps(config, sort_keys=True).encode())
    config_desc["mediaType"] = "application/vnd.oci.image.config.v1+json"
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": config_desc,
        "layers": descriptors,
    }
    manifest_desc = put(json.dumps(manifest, sort_keys=True).encode())
    manifest_desc["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
    manifest_desc["annotations"] = {"org.opencontainers.image.ref.name": name}
    index.append(manifest_desc)

with open(os.path.join(layout, "oci-layout"), "w") as f:
    json.dump({"imageLayoutVersion": "1.0.0"}, f)
with open(os.path.join(layout, "index.json"), "w") as f:
    json.dump({"schemaVersion": 2, "manifests": index}, f)
EOF
	echo "$stamp" >"$layout/.recipe"
	GEN_SECONDS=$((SECONDS - start))
}

# ---------------------------------------------------------------------------------------------
# Registries: each has a NAME; its storage is $TMP/NAME, its config $TMP/NAME.yml and its output
# (errors, and the access log when enabled) $TMP/NAME.log. REGISTRY_ADDRS[NAME] is HOST:PORT.


declare -gA REGISTRY_ADDRS=() REGISTRY_PIDS=() REGISTRY_ACCESS=()
TMP=
# More directories for `cleanup` to remove (the sourcing script's own).
CLEANUP_DIRS=()

cleanup() {
	local status=$? name dir
	for name in "${!REGISTRY_PIDS[@]}"; do
		stop_registry "$name"
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
	local name=$1 access=${2:-${REGISTRY_ACCESS[$1]:-}} addr cfg pid disabled=true
	addr=${REGISTRY_ADDRS[$name]:-127.0.0.1:$(free_ports 1)}
	REGISTRY_ADDRS[$name]=$addr
	REGISTRY_ACCESS[$name]=$access
	[[ $access == accesslog ]] && disabled=false
	cfg=$TMP/$name.yml
	mkdir -p "$TMP/$name"
	cat >"$cfg" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: $disabled
storage:
  filesystem:
    rootdirectory: $TMP/$name
  redirect:
    disable: true
http:
  addr: $addr
  secret: airgap-bench
EOF
	registry_command "$cfg"
	"${REGISTRY_COMMAND[@]}" </dev/null >>"$TMP/$name.log" 2>&1 &
	pid=$!
	REGISTRY_PIDS[$name]=$pid
	wait_http "docker-registry $name" "$pid" "http://$addr/v2/" 200
	log "docker-registry $name (pid $pid) on $addr, storage $TMP/$name"
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
	stop_registry "$1"
	rm -rf "${TMP:?}/$1"
	start_registry "$1"
}

# push_images REGISTRY: pushes the image set from $WORK/oci to REGISTRY (HOST:PORT) with skopeo;
# sets IMAGES (their references) and writes $TMP/blobs.txt, every unique blob once (layers and
# configs): "URL SIZE HEX" with URL under the first image that has it; UNIQUE_BLOBS, UNIQUE_BYTES.
push_images() {
	local registry=$1 spec name start
	start=$SECONDS
	IMAGES=()
	for spec in "${IMAGE_SPECS[@]}"; do
		name=${spec%% *}
		skopeo copy -q --dest-tls-verify=false "oci:$WORK/oci:$name" "docker://$registry/$REPO_PREFIX/$name:$TAG" >&2
		IMAGES+=("$registry/$REPO_PREFIX/$name:$TAG")
	done
	log "pushed ${#IMAGES[@]} images in $((SECONDS - start)) s"
	python3 - "$WORK/oci" "$registry" "$REPO_PREFIX" "$TAG" >"$TMP/blobs.txt" <<'EOF'
import json, os, sys
layout, registry, prefix, tag = sys.argv[1:]
seen = set()
index = json.load(open(os.path.join(layout, "index.json")))
for entry in index["manifests"]:
    name = entry["annotations"]["org.opencontainers.image.ref.name"]
    manifest = json.load(open(os.path.join(layout, "blobs", "sha256", entry["digest"][7:])))
    for d in [manifest["config"]] + manifest["layers"]:
        if d["digest"] not in seen:
            seen.add(d["digest"])
            print(f'http://{registry}/v2/{prefix}/{name}/blobs/{d["digest"]} {d["size"]} {d["digest"][7:]}')
EOF
	UNIQUE_BLOBS=$(wc -l <"$TMP/blobs.txt")
	UNIQUE_BYTES=$(awk '{ s += $2 } END { print s }' "$TMP/blobs.txt")
}

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
	awk -v l="$1" -v f="$2" '$1 == l { print $f }' "$RESULTS" | sort -g | head -n 1
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

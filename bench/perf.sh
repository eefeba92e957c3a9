#!/usr/bin/env bash
# bench/perf.sh — issue 16's benchmark: `airgap bundle` and `airgap mirror` against skopeo and the
# floors, side by side in one run, on three image sets, plus how their cost grows with the number
# of images and with bytes; writes its two sections of BENCHMARKS.md and the scaling picture.
#
# What it does:
#   1. builds airgap (bench/lib.sh's build_airgap: .build-bench) unless AIRGAP_BENCH_BINARY names a
#      binary;
#   2. generates the image sets (bench/benchtool.py: seeded pseudo-random layers, so every run
#      serves the same blobs), each cached under bench/.work/layouts keyed by its recipe:
#        bench8    bench/run.sh's 8 images (a 200 MiB base shared by 4, a 1 GiB layer, 3 small);
#        heldout   10 images like issue 16's held-out set: a 300 MiB base shared by 5 (4 with one
#                  own 20 MiB layer; one with 29 more 6 MiB layers: 30 layers), a 700 MiB layer,
#                  4 tiny images (one 64 KiB layer each);
#        catalog   CATALOG (200) small images sharing one 5 MiB base, each with one 4 KiB own layer
#                  and its config, like an operator catalog;
#        bytes*    (scaling) one image of one layer of 100, 500, 1000 and 2000 MiB;
#      the scaling's 1, 10 and 50 images are the catalog's first ones;
#   3. starts two docker-registries (plain HTTP, 127.0.0.1, ephemeral ports, access logs on): the
#      source, its storage written straight from the layouts (benchtool.py seed-registry, hard
#      links) under SET/NAME:v1, and the destination, emptied (stopped, storage removed, started on
#      the same port) before every run that copies into it; both stopped, every temporary file and
#      directory removed on exit (trap);
#   4. reads every blob once through the source (untimed: page cache warm; each set's blobs are read
#      again from the source's storage before each of its rounds), then runs RUNS rounds,
#      each measuring, for each set in turn, after `sync`, with outputs, caches and the
#      destination's storage on tmpfs (AIRGAP_BENCH_SHM, /dev/shm):
#        floor-null    every unique blob once with curl, 4 at a time, to /dev/null
#        floor-write   every unique blob once with curl, 4 at a time, each into its own file
#        floor-pipe    every unique blob once, curl GET piped into a monolithic PUT, 4 at a time
#        bundle-cold   airgap bundle -f LIST --tls-verify=false --cache FRESH -o OUT -q
#        bundle-warm   the same again, same cache
#        skopeo-oci    skopeo copy docker://… oci:DIR:NAME per image, one after another, then tar -cf
#        mirror-cold   airgap mirror -f MAPPING --tls-verify=false -q into a fresh destination,
#                      XDG_CACHE_HOME a fresh directory (airgap's default cache lands there: this
#                      measures whatever the binary writes by default)
#        mirror-noop   the same again (destination complete)
#        skopeo-copy   skopeo copy docker://SRC/… docker://DST/… per image into a fresh destination
#      then (the first SCALE_RUNS rounds) the scaling sets: bundle-cold, mirror-cold, skopeo-oci,
#      skopeo-copy, floor-write and floor-pipe on 1, 10, 50 catalog images and on the bytes* images.
#      Before the rounds, once (AIRGAP_BENCH_TOKEN=1, the default): the catalog's bundle-cold,
#      skopeo-oci, mirror-cold, mirror-noop and skopeo-copy against two registries that ask for bearer
#      tokens (testdata/token-issuer/issuer.py; anonymous pull and push), counting token fetches.
#      Then DISK_RUNS rounds (1) of bench8 and heldout with outputs, caches and the destination on
#      disk (TMPDIR's filesystem).
#      Every measurement records: GNU time (wall, user, sys, peak RSS), each registry's CPU time
#      (/proc), the bytes the command passed to write() (wchar) and that reached the block layer
#      (write_bytes) from /proc/PID/io (children included), the size of what it left in its output
#      directory, and every request each registry logged, by kind and method.
#      skopeo runs with its blob-info cache (containers/image's boltdb, which lets it skip and mount
#      blobs) in a fresh directory beside its outputs: as root, bind-mounted in a private mount
#      namespace over /var/lib/containers/cache (the system's file is not touched).
#      Checks (untimed, first round): `airgap verify` of the archive (or its listing), every mirrored
#      manifest byte for byte the source's and every blob present, the pipe floor's blobs present.
#   5. writes the "perf benchmark" and "scaling benchmark" sections of BENCHMARKS.md (bench/
#      perf_report.py; the rest of the file is left alone), bench/scaling.csv and bench/scaling.png
#      (bench/plot_scaling.py, Debian's python3-matplotlib, installed when missing), and prints them.
#
# The raw measurements are kept in bench/.work/perf-results-DATE.txt (what the report says about the
# run, machine and versions in perf-results-DATE.meta):
#   LABEL wall user sys maxrss_kib registry_cpu     (LABEL is SET/PROCEDURE, @disk for disk runs)
#   src-cpu:LABEL S | dst-cpu:LABEL S | wchar:LABEL B | wbytes:LABEL B | out:LABEL B | tok-cpu:LABEL S
#   requests LABEL ROUND REGISTRY KIND METHOD COUNT  (REGISTRY: src or dst, the role)
#   denied LABEL ROUND REGISTRY COUNT                 (requests answered 401)
#   tokens LABEL ROUND COUNT                          (token phase: the issuer's token requests)
# `bench/perf.sh --report bench/.work/perf-results-DATE.txt` renders an earlier run's sections again.
# Environment: AIRGAP_BENCH_RUNS (5), AIRGAP_BENCH_SCALE_RUNS (RUNS), AIRGAP_BENCH_DISK_RUNS (1; 0
# skips), AIRGAP_BENCH_TOKEN (1; 0 skips the token phase), AIRGAP_BENCH_SETS ("bench8 heldout
# catalog"), AIRGAP_BENCH_SCALING (1; 0 skips), AIRGAP_BENCH_CATALOG (200), AIRGAP_BENCH_BYTES (the
# scaling's layer sizes, MiB: "100 500 1000 2000"), AIRGAP_BENCH_WORK (bench/.work),
# AIRGAP_BENCH_OUTPUT (BENCHMARKS.md),
# AIRGAP_BENCH_PLOT_DIR (bench/: scaling.csv, scaling.png), AIRGAP_BENCH_BINARY, AIRGAP_BENCH_SHM
# (/dev/shm), AIRGAP_BENCH_PRIORITY (as bench/run.sh).
# Needs: docker-registry skopeo curl python3 tar GNU time; Debian's python3-matplotlib for the plot.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
WORK=${AIRGAP_BENCH_WORK:-$HERE/.work}
RUNS=${AIRGAP_BENCH_RUNS:-5}
SCALE_RUNS=${AIRGAP_BENCH_SCALE_RUNS:-$RUNS}
DISK_RUNS=${AIRGAP_BENCH_DISK_RUNS:-1}
SETS=${AIRGAP_BENCH_SETS:-bench8 heldout catalog}
SCALING=${AIRGAP_BENCH_SCALING:-1}
TOKEN=${AIRGAP_BENCH_TOKEN:-1}
TOKEN_SETS=()
CATALOG=${AIRGAP_BENCH_CATALOG:-200}
BYTES=${AIRGAP_BENCH_BYTES:-100 500 1000 2000}
PRIORITY=${AIRGAP_BENCH_PRIORITY-auto}
OUTPUT_MD=${AIRGAP_BENCH_OUTPUT:-$ROOT/BENCHMARKS.md}
PLOT_DIR=${AIRGAP_BENCH_PLOT_DIR:-$HERE}
SHM=${AIRGAP_BENCH_SHM:-/dev/shm}
PLOT_PYTHON=/usr/bin/python3

# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"

check_tools() {
	need docker-registry skopeo curl python3 tar sync xargs du
	need_gnu_time
	local v
	for v in RUNS SCALE_RUNS DISK_RUNS CATALOG; do
		[[ ${!v} =~ ^[0-9]+$ ]] || die "AIRGAP_BENCH_$v must be a number, not '${!v}'"
	done
	[[ $BYTES =~ ^[0-9\ ]*$ ]] || die "AIRGAP_BENCH_BYTES must be sizes in MiB, not '$BYTES'"
	((RUNS >= 1)) || die "AIRGAP_BENCH_RUNS must be at least 1"
	((SCALE_RUNS <= RUNS)) || SCALE_RUNS=$RUNS
	((CATALOG >= 1)) || die "AIRGAP_BENCH_CATALOG must be at least 1"
	[[ -d $SHM && -w $SHM ]] || die "no writable tmpfs at $SHM (AIRGAP_BENCH_SHM)"
	if ! "$PLOT_PYTHON" -c 'import matplotlib' 2>/dev/null; then
		[[ $(id -u) == 0 ]] || die "matplotlib is missing for $PLOT_PYTHON: apt-get install -y python3-matplotlib"
		log "installing Debian's python3-matplotlib (apt-get install -y python3-matplotlib)"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-matplotlib >/dev/null
	fi
}

# ---------------------------------------------------------------------------------------------
# The sets

declare -A SET_LAYOUT=() SET_PREFIX=() SET_COUNT=() SET_DESC=()

# define_set SET PREFIX COUNT DESCRIPTION SPEC...: generates (or reuses) the layout of the recipe.
define_set() {
	local set=$1 prefix=$2 count=$3 desc=$4
	shift 4
	generate_layout "$prefix" "$@"
	SET_LAYOUT[$set]=$LAYOUT
	SET_PREFIX[$set]=$prefix
	SET_COUNT[$set]=$count
	SET_DESC[$set]=$desc
}

define_sets() {
	define_set bench8 bench8 "" "bench/run.sh's set: $(describe_images)" "${IMAGE_SPECS[@]}"

	heldout_specs
	define_set heldout heldout "" "$HELDOUT_DESC" "${HELDOUT_SPECS[@]}"

	local cat=() i
	for ((i = 1; i <= CATALOG; i++)); do
		cat+=("$(printf 'op-%03d' "$i") catalog-base:5 $(printf 'own-%03d' "$i"):4K")
	done
	define_set catalog catalog "" "op-001 … op-$(printf '%03d' "$CATALOG") (catalog-base 5 + own 4 KiB each)" "${cat[@]}"

	SCALE_SETS=()
	if [[ $SCALING == 1 ]]; then
		local n
		for n in 1 10 50; do
			((n < CATALOG)) || continue
			SET_LAYOUT[catalog$n]=${SET_LAYOUT[catalog]}
			SET_PREFIX[catalog$n]=catalog
			SET_COUNT[catalog$n]=$n
			SET_DESC[catalog$n]="the catalog's first $n"
			SCALE_SETS+=("catalog$n")
		done
		for n in $BYTES; do
			define_set "bytes$n" "bytes$n" "" "one layer of $n MiB" "bytes-$n bytes-$n:$n"
			SCALE_SETS+=("bytes$n")
		done
	fi
}

declare -A UNIQUE_BLOBS_OF=() UNIQUE_BYTES_OF=() IMAGES_OF=() SEEDED=()

# prepare_set SET: the source's storage gets the set's images (once per layout), and $TMP/sets/SET
# its lists, naming the registries SRC and DST (the roles' current registries): images.txt (references), paths.txt (REPO:TAG), mapping.txt (SRC=DST lines),
# blobs.txt ("URL SIZE HEX"), pipe.txt ("REPO DIGEST").
prepare_set() {
	local set=$1 d=$TMP/sets/$1 layout=${SET_LAYOUT[$1]} prefix=${SET_PREFIX[$1]} src=${REGISTRY_ADDRS[$SRC]}
	local dst=${REGISTRY_ADDRS[$DST]}
	mkdir -p "$d"
	if [[ -z ${SEEDED[$layout]:-} ]]; then
		python3 "$BENCH_DIR/benchtool.py" seed-registry "$TMP/src" "$layout" "$prefix" "$TAG"
		SEEDED[$layout]=1
	fi
	python3 "$BENCH_DIR/benchtool.py" names "$layout" ${SET_COUNT[$set]:+"${SET_COUNT[$set]}"} |
		awk -v p="$prefix" -v t="$TAG" '{ print p "/" $0 ":" t }' >"$d/paths.txt"
	awk -v s="$src" '{ print s "/" $0 }' "$d/paths.txt" >"$d/images.txt"
	awk -v s="$src" -v d="$dst" '{ print s "/" $0 "=" d "/" $0 }' "$d/paths.txt" >"$d/mapping.txt"
	python3 "$BENCH_DIR/benchtool.py" blobs "$layout" "$src" "$prefix" "$TAG" ${SET_COUNT[$set]:+"${SET_COUNT[$set]}"} >"$d/blobs.txt"
	pipe_list "$d/blobs.txt" >"$d/pipe.txt"
	IMAGES_OF[$set]=$(wc -l <"$d/paths.txt")
	UNIQUE_BLOBS_OF[$set]=$(wc -l <"$d/blobs.txt")
	UNIQUE_BYTES_OF[$set]=$(awk '{ s += $2 } END { print s }' "$d/blobs.txt")
}

# ---------------------------------------------------------------------------------------------
# Measuring

ROUND=0

# pid_ticks PID: the CPU time (user + sys, clock ticks) process PID has used; reg_ticks NAME: the
# registry NAME's.
pid_ticks() {
	awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}
reg_ticks() {
	pid_ticks "${REGISTRY_PIDS[$1]}"
}

# The registries in the source and destination roles (the token phase swaps in its own), and the
# token issuer's request log when there is one.
SRC=src
DST=dst
TOKEN_LOG=
TOKEN_PID=

# pm LABEL OUTDIR COMMAND...: measures COMMAND (see the header) and appends its lines to $RESULTS;
# OUTDIR ("-" for none) is the directory whose size afterwards is what it left behind.
pm() {
	local label=$1 out=$2 s0 d0 s1 d1 soff doff toff=0 t0=0
	shift 2
	soff=$(stat -c %s "$TMP/$SRC.log")
	doff=$(stat -c %s "$TMP/$DST.log")
	[[ -n $TOKEN_LOG ]] && toff=$(wc -l <"$TOKEN_LOG")
	sync
	s0=$(reg_ticks "$SRC")
	d0=$(reg_ticks "$DST")
	[[ -n $TOKEN_PID ]] && t0=$(pid_ticks "$TOKEN_PID")
	# shellcheck disable=SC2016 # arguments of the inner shell
	if ! /usr/bin/time -f '%e %U %S %M' -o "$TMP/time.out" \
		bash -c 'io=$1; shift; "$@"; s=$?; cat /proc/$$/io >"$io"; exit $s' _ "$TMP/io.out" "$@" \
		>"$TMP/last.stdout" 2>"$TMP/last.stderr"; then
		tail -n 20 "$TMP/last.stderr" >&2
		die "$label failed: $*"
	fi
	s1=$(reg_ticks "$SRC")
	d1=$(reg_ticks "$DST")
	local t
	read -r -a t < <(tail -n 1 "$TMP/time.out")
	local sc dc
	sc=$(calc '%.2f' "($s1 - $s0) / $CLK_TCK")
	dc=$(calc '%.2f' "($d1 - $d0) / $CLK_TCK")
	{
		echo "$label ${t[*]} $(calc '%.2f' "$sc + $dc")"
		echo "src-cpu:$label $sc"
		echo "dst-cpu:$label $dc"
		awk -v l="$label" '$1 == "wchar:" { print "wchar:" l, $2 } $1 == "write_bytes:" { print "wbytes:" l, $2 }' "$TMP/io.out"
		if [[ $out != - ]]; then
			echo "out:$label $(du -sb "$out" 2>/dev/null | cut -f1)"
		fi
	} >>"$RESULTS"
	# The registry logs a request once it has answered it: give the last ones time to land.
	sleep 0.3
	local role reg off
	for role in src dst; do
		reg=$SRC off=$soff
		[[ $role == dst ]] && reg=$DST off=$doff
		tail -c +"$((off + 1))" "$TMP/$reg.log" >"$TMP/req.log"
		classify_requests <"$TMP/req.log" |
			awk -v l="$label" -v r="$ROUND" -v g="$role" '{ print "requests", l, r, g, $0 }' >>"$RESULTS"
		# Requests answered 401 (a challenge: the client has to fetch a token first).
		echo "denied $label $ROUND $role $(grep -c '" 401 ' "$TMP/req.log" || true)" >>"$RESULTS"
	done
	if [[ -n $TOKEN_LOG ]]; then
		echo "tokens $label $ROUND $(($(wc -l <"$TOKEN_LOG") - toff))" >>"$RESULTS"
		echo "tok-cpu:$label $(calc '%.2f' "($(pid_ticks "$TOKEN_PID") - $t0) / $CLK_TCK")" >>"$RESULTS"
	fi
	log "$(printf '%-28s wall %7ss  user %6ss  sys %6ss  rss %6s KiB  src %5ss  dst %5ss' "$label" "${t[@]}" "$sc" "$dc")"
}

# verify_archive FILE SET: `airgap verify` when this airgap has it, else the tar's listing holds
# every unique blob of SET. Untimed; dies on a difference.
verify_archive() {
	local file=$1 set=$2
	if "$AIRGAP" --help 2>/dev/null | grep '^ *verify ' >/dev/null; then
		"$AIRGAP" verify "$file" >"$TMP/verify.out" 2>&1 || {
			cat "$TMP/verify.out" >&2
			die "airgap verify failed on $file ($set)"
		}
		echo "check $set/bundle \`airgap verify\`: $(tail -n 1 "$TMP/verify.out")" >>"$CHECKS"
		return
	fi
	tar -tf "$file" >"$TMP/archive.list"
	local hex missing=0
	while read -r _ _ hex; do
		grep -qx "blobs/sha256/$hex" "$TMP/archive.list" || missing=$((missing + 1))
	done <"$TMP/sets/$set/blobs.txt"
	((missing == 0)) || die "$set: the archive lacks $missing of its ${UNIQUE_BLOBS_OF[$set]} unique blobs"
	echo "check $set/bundle this airgap has no \`verify\`; \`tar -tf\` lists all ${UNIQUE_BLOBS_OF[$set]} unique blobs" >>"$CHECKS"
}

check_mirror() {
	local label=$1 set=$2 text
	text=$(python3 "$BENCH_DIR/benchtool.py" check-mirror "${REGISTRY_ADDRS[$SRC]}" "${REGISTRY_ADDRS[$DST]}" "$TMP/sets/$set/paths.txt") ||
		die "$label: the destination differs from the source"
	echo "check $label $text" >>"$CHECKS"
}

# summary LABEL: airgap's last output, kept for the report (first round only).
summary() {
	((ROUND == 1)) || return 0
	echo "said $1 $(tr '\n' ' ' <"$TMP/last.stdout" | sed 's/ *$//')" >>"$CHECKS"
}

# run_set SET MEDIUM WHAT: one round of SET with outputs, caches and the destination's storage on
# MEDIUM (tmpfs or disk). WHAT: "all" (every procedure), "scale" (the scaling's) or "token" (no
# floors: curl has no token to send).
run_set() {
	local set=$1 medium=$2 what=$3 d=$TMP/sets/$1 label=$1 out src=${REGISTRY_ADDRS[$SRC]} dst=${REGISTRY_ADDRS[$DST]}
	[[ $medium == disk ]] && label+=@disk
	if [[ $medium == disk ]]; then
		out=$DISK_OUT
	else
		out=$SHM_OUT
	fi
	fresh "$out"
	# The source's blobs back in the page cache, should anything have evicted them since the warm-up:
	# read from its storage (untimed).
	awk '{ print substr($3, 1, 2) "/" $3 "/data" }' "$d/blobs.txt" |
		(cd "${REGISTRY_STORAGE[$SRC]:-$TMP/$SRC}/docker/registry/v2/blobs/sha256" && xargs cat) >/dev/null
	local airgap_bundle=("$AIRGAP" bundle -f "$d/images.txt" --tls-verify=false --cache "$out/b/cache" -o "$out/b/airgap.tar" -q)
	local airgap_mirror=(env "XDG_CACHE_HOME=$out/m/xdg" "$AIRGAP" mirror -f "$d/mapping.txt" --tls-verify=false -q)
	local paths=()
	mapfile -t paths <"$d/paths.txt"
	local images=()
	mapfile -t images <"$d/images.txt"

	# The floors.
	[[ $what == all && $medium == tmpfs ]] && pm "$label/floor-null" - bash -c 'floor_null "$@"' _ "$d/blobs.txt"
	if [[ $what != token ]]; then
		mkdir -p "$out/fw"
		pm "$label/floor-write" "$out/fw" bash -c 'floor_write "$@"' _ "$d/blobs.txt" "$out/fw"
		rm -rf "$out/fw"
		fresh_registry "$DST"
		pm "$label/floor-pipe" - bash -c 'floor_pipe "$@"' _ "$src" "$dst" "$d/pipe.txt"
		if ((ROUND == 1)) && [[ $medium == tmpfs ]]; then
			echo "check $label/floor-pipe $(python3 "$BENCH_DIR/benchtool.py" check-blobs "$dst" "$d/pipe.txt")" >>"$CHECKS"
		fi
	fi

	# bundle, cold and warm, against skopeo into an oci: layout + tar.
	mkdir -p "$out/b"
	pm "$label/bundle-cold" "$out/b" "${airgap_bundle[@]}"
	summary "$label/bundle-cold"
	((ROUND == 1)) && [[ $medium == tmpfs && $what == all ]] && verify_archive "$out/b/airgap.tar" "$set"
	if [[ $what == all ]]; then
		rm -f "$out/b/airgap.tar"
		pm "$label/bundle-warm" "$out/b" "${airgap_bundle[@]}"
		summary "$label/bundle-warm"
	fi
	rm -rf "$out/b"
	mkdir -p "$out/s"
	pm "$label/skopeo-oci" "$out/s" skopeo_isolated "$out/s/blob-info" bash -c 'skopeo_oci "$@"' _ "$out/s/oci" "$out/s/skopeo.tar" "${images[@]}"
	rm -rf "$out/s"

	# mirror, cold and no-op, against skopeo copy.
	fresh_registry "$DST"
	mkdir -p "$out/m"
	pm "$label/mirror-cold" "$out/m" "${airgap_mirror[@]}"
	summary "$label/mirror-cold"
	((ROUND == 1)) && [[ $medium == tmpfs && $what != token ]] && check_mirror "$label/mirror-cold" "$set"
	if [[ $what != scale ]]; then
		pm "$label/mirror-noop" "$out/m" "${airgap_mirror[@]}"
		summary "$label/mirror-noop"
	fi
	rm -rf "$out/m"
	fresh_registry "$DST"
	mkdir -p "$out/c"
	pm "$label/skopeo-copy" "$out/c" skopeo_isolated "$out/c/blob-info" bash -c 'skopeo_mirror "$@"' _ "$src" "$dst" "${paths[@]}"
	((ROUND == 1)) && [[ $medium == tmpfs && $what == all ]] && check_mirror "$label/skopeo-copy" "$set"
	rm -rf "$out/c"
	fresh "$out"
}

# token_phase: the catalog once more, against two registries that ask for a bearer token
# (testdata/token-issuer/issuer.py, the integration tests' issuer: anonymous pull and push on
# every repository), to count token fetches and challenged requests per image. The source registry
# serves the same storage as "src". Skipped, with the reason in TOKEN_NOTE, when the issuer or
# Debian's python3-cryptography is missing or AIRGAP_BENCH_TOKEN=0.
TOKEN_NOTE=
token_phase() {
	local issuer=$ROOT/testdata/token-issuer/issuer.py d=$TMP/token port
	if [[ $TOKEN != 1 ]]; then
		TOKEN_NOTE="not measured (AIRGAP_BENCH_TOKEN=0)"
		return
	fi
	if [[ ! -f $issuer ]] || ! "$PLOT_PYTHON" -I -c 'import cryptography' 2>/dev/null; then
		TOKEN_NOTE="not measured: it needs testdata/token-issuer/issuer.py and Debian's python3-cryptography"
		log "skipping the token phase: $TOKEN_NOTE"
		return
	fi
	mkdir -p "$d"
	# The issuer's signing key: a throwaway CA (the registries' rootcertbundle) and a key it signs.
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -keyout "$d/ca.key" -out "$d/ca.crt" \
		-subj "/CN=airgap bench token CA" -addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -keyout "$d/signing.key" -out "$d/signing.csr" \
		-subj "/CN=airgap bench token signer" 2>/dev/null
	printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature" >"$d/signing.ext"
	openssl x509 -req -in "$d/signing.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -set_serial 1 -days 2 \
		-extfile "$d/signing.ext" -out "$d/signing.crt" 2>/dev/null
	echo '{"issuer": "airgap-bench-issuer", "service": "airgap-bench", "expires_in": 300, "users": {},
 "acl": [{"accounts": ["", "*"], "type": "*", "name": "*", "actions": ["*"]}]}' >"$d/config.json"
	port=$(free_ports 1)
	: >"$d/requests.jsonl"
	"$PLOT_PYTHON" -I "$issuer" --config "$d/config.json" --port "$port" --key "$d/signing.key" \
		--cert "$d/signing.crt" --log "$d/requests.jsonl" </dev/null >"$d/issuer.log" 2>&1 &
	local pid=$!
	CLEANUP_PIDS+=("$pid")
	TOKEN_PID=$pid
	wait_http "token issuer" "$pid" "http://127.0.0.1:$port/healthz" 200
	local auth="auth:
  token:
    realm: http://127.0.0.1:$port/token
    service: airgap-bench
    issuer: airgap-bench-issuer
    rootcertbundle: $d/ca.crt"
	REGISTRY_STORAGE[tsrc]=$TMP/src
	REGISTRY_STORAGE[tdst]=$SHM_DIR/tdst
	REGISTRY_EXTRA[tsrc]=$auth
	REGISTRY_EXTRA[tdst]=$auth
	REGISTRY_PROBE[tsrc]=401
	REGISTRY_PROBE[tdst]=401
	local ports
	read -r -a ports < <(free_ports 2)
	REGISTRY_ADDRS[tsrc]=127.0.0.1:${ports[0]}
	REGISTRY_ADDRS[tdst]=127.0.0.1:${ports[1]}
	start_registry tsrc accesslog
	start_registry tdst accesslog
	SRC=tsrc DST=tdst TOKEN_LOG=$d/requests.jsonl
	SET_LAYOUT[catalog+token]=${SET_LAYOUT[catalog]}
	SET_PREFIX[catalog+token]=catalog
	SET_COUNT[catalog+token]=
	SET_DESC[catalog+token]="the catalog set, bearer tokens"
	TOKEN_SETS=(catalog+token)
	prepare_set catalog+token
	log "token phase: the catalog against registries that ask for bearer tokens (once)"
	local saved=$ROUND
	ROUND=1
	run_set catalog+token tmpfs token
	ROUND=$saved
	stop_registry tsrc
	stop_registry tdst
	rm -rf "${REGISTRY_STORAGE[tdst]:?}"
	SRC=src DST=dst TOKEN_LOG='' TOKEN_PID=''
	TOKEN_NOTE="measured once"
}

# use_dst_storage DIR: the destination registry from now on keeps its storage in DIR.
use_dst_storage() {
	stop_registry dst
	rm -rf "${REGISTRY_STORAGE[dst]:?}"
	REGISTRY_STORAGE[dst]=$1
	start_registry dst
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
	skopeo_isolation
	mkdir -p "$WORK"
	define_sets

	TMP=$(mktemp -d "${TMPDIR:-/tmp}/airgap-perf.XXXXXX")
	SHM_DIR=$(mktemp -d "$SHM/airgap-perf.XXXXXX")
	CLEANUP_DIRS+=("$SHM_DIR")
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	SHM_OUT=$SHM_DIR/out
	DISK_OUT=$TMP/out
	RESULTS=$TMP/results.txt
	CHECKS=$TMP/checks.txt
	: >"$RESULTS"
	: >"$CHECKS"

	# The source's storage is written before it starts (prepare_set); the destination's is on tmpfs.
	mkdir -p "$TMP/src"
	REGISTRY_STORAGE[dst]=$SHM_DIR/dst
	local set all_sets
	local ports
	read -r -a ports < <(free_ports 2)
	REGISTRY_ADDRS[src]=127.0.0.1:${ports[0]}
	REGISTRY_ADDRS[dst]=127.0.0.1:${ports[1]}
	# shellcheck disable=SC2206 # a list of words
	all_sets=($SETS "${SCALE_SETS[@]}")
	for set in "${all_sets[@]}"; do
		[[ -n ${SET_LAYOUT[$set]:-} ]] || die "unknown set '$set' (AIRGAP_BENCH_SETS: bench8 heldout catalog)"
		prepare_set "$set"
	done
	start_registry src accesslog
	start_registry dst accesslog

	log "warming the page cache: every blob once through the source registry (untimed)"
	for set in "${all_sets[@]}"; do
		floor_null "$TMP/sets/$set/blobs.txt"
	done

	# First, so that a binary that cannot do bearer tokens fails the run early.
	[[ " $SETS " == *" catalog "* ]] && token_phase

	for ((ROUND = 1; ROUND <= RUNS; ROUND++)); do
		log "round $ROUND of $RUNS"
		for set in $SETS; do
			run_set "$set" tmpfs all
		done
		if ((ROUND <= SCALE_RUNS)); then
			for set in "${SCALE_SETS[@]}"; do
				run_set "$set" tmpfs scale
			done
		fi
	done
	if ((DISK_RUNS > 0)); then
		use_dst_storage "$TMP/dst-disk"
		local disk_round
		for ((disk_round = 1; disk_round <= DISK_RUNS; disk_round++)); do
			ROUND=$((RUNS + disk_round))
			log "disk round $disk_round of $DISK_RUNS"
			for set in $SETS; do
				[[ $set == catalog ]] && continue
				run_set "$set" disk all
			done
		done
	fi

	TOTAL_SECONDS=$((SECONDS - start))
	RESULTS_NAME=perf-results-$(date -u +%Y%m%dT%H%M%SZ).txt
	cat "$RESULTS" "$CHECKS" >"$WORK/$RESULTS_NAME"
	write_meta "$WORK/${RESULTS_NAME%.txt}.meta"
	render "$WORK/$RESULTS_NAME"
}

# ---------------------------------------------------------------------------------------------
# Report: bench/perf_report.py reads the raw file and what is said here about the run.

# write_meta FILE: what the report says about the run besides the measurements (KEY=VALUE lines),
# kept beside the raw file so that `bench/perf.sh --report RAW` can render it again.
write_meta() {
	local set
	{
		echo "RESULTS_NAME=$RESULTS_NAME"
		echo "RUNS=$RUNS"
		echo "SCALE_RUNS=$SCALE_RUNS"
		echo "DISK_RUNS=$DISK_RUNS"
		echo "SETS=$SETS"
		echo "SCALE_SETS=${SCALE_SETS[*]}"
		echo "CATALOG=$CATALOG"
		echo "TOTAL_SECONDS=$TOTAL_SECONDS"
		echo "GEN_SECONDS=$GEN_SECONDS"
		echo "DATE=$(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "CORES=$(nproc)"
		echo "MACHINE=$(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p')), $(free -g | awk '/^Mem:/ { print $2 }') GiB RAM, Debian $(cat /etc/debian_version), kernel $(uname -r)"
		echo "DISK=$(findmnt -no FSTYPE -T "$TMP") on $(findmnt -no SOURCE -T "$TMP")"
		echo "SHM=$SHM, $(findmnt -no FSTYPE -T "$SHM")"
		echo "LOAD_BEFORE=$LOAD_BEFORE"
		echo "LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)"
		echo "PRIORITY_NOTE=$PRIORITY_NOTE"
		echo "AIRGAP_VERSION=$AIRGAP_VERSION"
		echo "AIRGAP_BUILD=$AIRGAP_BUILD"
		echo "SKOPEO_VERSION=$(skopeo --version)"
		echo "CURL_VERSION=$(curl --version | first_line | cut -d' ' -f1-2)"
		echo "REGISTRY_VERSION=docker-registry $(docker-registry --version 2>/dev/null | awk '{ print $3 }')"
		echo "SKOPEO_ISOLATION=$SKOPEO_ISOLATION"
		echo "TOKEN_NOTE=$TOKEN_NOTE"
		echo "TOKEN_SETS=${TOKEN_SETS[*]}"
		for set in $SETS "${SCALE_SETS[@]}" "${TOKEN_SETS[@]}"; do
			echo "SET_${set}_IMAGES=${IMAGES_OF[$set]}"
			echo "SET_${set}_BLOBS=${UNIQUE_BLOBS_OF[$set]}"
			echo "SET_${set}_BYTES=${UNIQUE_BYTES_OF[$set]}"
			echo "SET_${set}_DESC=${SET_DESC[$set]}"
		done
	} >"$1"
}

# render RAW: the two sections of $OUTPUT_MD, $PLOT_DIR/scaling.csv and scaling.png from the raw
# measurements RAW and RAW's .meta.
render() {
	local raw=$1 meta=${1%.txt}.meta out
	[[ -f $raw && -f $meta ]] || die "no raw measurements $raw with its $meta"
	out=$(mktemp -d "${TMPDIR:-/tmp}/airgap-perf-report.XXXXXX")
	CLEANUP_DIRS+=("$out")
	mkdir -p "$PLOT_DIR"
	local md_dir rel
	md_dir=$(dirname "$(realpath -m "$OUTPUT_MD")")
	rel=$(realpath -m --relative-to="$md_dir" "$PLOT_DIR")
	python3 "$BENCH_DIR/perf_report.py" "$raw" "$meta" "$out/perf.md" "$out/scaling.md" \
		"$PLOT_DIR/scaling.csv" "$rel"
	replace_section "$OUTPUT_MD" "perf benchmark" "$out/perf.md"
	if [[ -s $out/scaling.md ]]; then
		"$PLOT_PYTHON" -I "$BENCH_DIR/plot_scaling.py" "$PLOT_DIR/scaling.csv" "$PLOT_DIR/scaling.png"
		replace_section "$OUTPUT_MD" "scaling benchmark" "$out/scaling.md"
	fi
	sed -n '/^<!-- perf benchmark: begin -->$/,/^<!-- perf benchmark: end -->$/p;/^<!-- scaling benchmark: begin -->$/,/^<!-- scaling benchmark: end -->$/p' "$OUTPUT_MD"
	log "wrote the perf and scaling sections of $OUTPUT_MD, $PLOT_DIR/scaling.csv and scaling.png (raw: $raw)"
}

if [[ ${1:-} == --report ]]; then
	# Render the report of an earlier run again (e.g. after a change to perf_report.py).
	[[ -n ${2:-} ]] || die "usage: bench/perf.sh --report bench/.work/perf-results-DATE.txt"
	trap cleanup EXIT
	render "$2"
	exit 0
fi
main "$@"

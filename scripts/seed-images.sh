#!/usr/bin/env bash
# seed-images.sh [REGISTRY_HOSTPORT] — push real test images into the test registries.
#
# Builds small but real images with umoci from a busybox-static rootfs into an OCI
# layout (cached under the state dir, reused while its inputs are unchanged), then
# pushes them with skopeo under the seed suite's image names minus their registry
# host, so e.g. docker.io/library/busybox:1.29 is served as
# $AIRGAP_TEST_REGISTRY/library/busybox:1.29.
#
# Targets:
#   REGISTRY_HOSTPORT (default: AIRGAP_TEST_REGISTRY from $AIRGAP_TEST_STATE/env), plain HTTP
#   AIRGAP_TEST_REGISTRY_TLS   when the env file names it and it answers (verified with the test CA)
#   AIRGAP_TEST_REGISTRY_AUTH  likewise, with the test credentials (AIRGAP_TEST_REGISTRY_AUTH_PLAIN
#                              shares its storage, so it is seeded at the same time)
#   AIRGAP_TEST_REGISTRY_TOKEN likewise, as the token issuer's "seeder" user
#                              (AIRGAP_TEST_TOKEN_SEEDER_AUTH_FILE); it also gets TOKEN_EXTRA_IMAGES
#                              (private/secret:1.0, public/hello:1.0, for the ACL), and afterwards
#                              the ACL is checked with curl: anonymous may pull public/hello but
#                              not private/secret, reader may pull library/busybox but not push
#                              to it, writer may pull private/secret, a wrong password gets 401.
#                              (Those checks are token requests too: they appear in
#                              AIRGAP_TEST_TOKEN_LOG, so tests count lines they add, not totals.)
#   AIRGAP_TEST_REGISTRY_TOKEN_B likewise, as token-b-issuer's "seeder"
#                              (AIRGAP_TEST_TOKEN_B_SEEDER_AUTH_FILE), but only TOKEN_EXTRA_IMAGES;
#                              AIRGAP_TEST_REGISTRY_TOKEN_TLS shares its storage, so it holds them too
# Every image goes to every target. After pushing, each manifest is read back
# with `skopeo inspect --raw` and its media type, platforms, architectures and
# shared base layer are checked; any mismatch fails the script.
#
# Image shapes (why: the Swift code must handle each of them):
#   every image   = shared busybox base layer + one layer of its own (/airgap-image,
#                   /etc/os-release naming the image), config os=linux, a Cmd
#   index         OCI image index of linux/amd64 + linux/arm64 (variant v8);
#                   the arm64 config says architecture=arm64, variant=v8 and its own layer
#                   carries an /airgap-arch marker
#   v2s2          Docker schema2 manifest (skopeo --format v2s2)
#   oci           OCI image manifest (with the optional "mediaType" field, as most
#                   registries and builders write it today)
#   oci-bare      OCI image manifest WITHOUT the "mediaType" field, exactly as umoci
#                   0.4.7 writes it (image-spec 1.0 made it optional): clients must take
#                   the type from Content-Type, not from the body
#
# On success appends to the env file (replacing older values):
#   AIRGAP_TEST_SEEDED=1
#   AIRGAP_TEST_SEEDED_LIST=$AIRGAP_TEST_STATE/seeded.txt  (REGISTRY/NAME:TAG MEDIATYPE DIGEST)
#
# AIRGAP_SEED_CACHE overrides the OCI layout cache location (default $STATE/seed-oci).
set -euo pipefail

STATE=${AIRGAP_TEST_STATE:-/tmp/airgap-test-servers}
STATE=${STATE%/}
ENV_FILE=$STATE/env
CACHE=${AIRGAP_SEED_CACHE:-$STATE/seed-oci}
# Bump when the build recipe below changes, so old caches are rebuilt.
RECIPE_VERSION=3
# Fixed timestamps keep configs (and so digests) the same from one build to the next.
FIXED_TIME=2000-01-01T00:00:00Z
FIXED_EPOCH=946684800

# NAME:TAG SHAPE — the seed suite's images (see the header for the shapes).
IMAGES=(
	"library/busybox:1.29 index"
	"library/httpd:2.4.38-alpine v2s2"
	"library/nginx:1.14-alpine oci"
	"kubernetes-e2e-test-images/mounttest:1.0 oci"
	"kubernetes-e2e-test-images/resource-consumer:1.5 oci"
	"authenticated-image-pulling/alpine:3.7 oci"
	"pause:3.2 index"
	"k8s-artifacts-prod/e2e-test-images/agnhost:2.20 oci"
	"e2e-test-images/agnhost:2.12 oci"
	"rhel7/support-tools:latest oci-bare"
)
# Pushed only to the token registry: its ACL needs images under private/ and public/.
TOKEN_EXTRA_IMAGES=(
	"private/secret:1.0 oci"
	"public/hello:1.0 oci"
)
APPLETS=(sh ls echo cat true false sleep env uname id ps mkdir rm cp mv wget)

MT_OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json
MT_OCI_INDEX=application/vnd.oci.image.index.v1+json
MT_DOCKER_V2=application/vnd.docker.distribution.manifest.v2+json

LIB_PREFIX=seed-images
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# OCI layout ref name for an image: no '/' or ':' so skopeo's oci:DIR:REF
# parsing cannot be confused.
ref_of() {
	local r=${1//\//_}
	echo "${r//:/_}"
}

# Read KEY=VALUE from the env file without sourcing it.
env_get() {
	local key=$1 line
	[[ -r $ENV_FILE ]] || return 0
	while IFS= read -r line; do
		if [[ $line == "$key="* ]]; then
			echo "${line#*=}"
		fi
	done <"$ENV_FILE" | tail -n 1
}

# ---------------------------------------------------------------- build

# Unpack the base image, add this image's own files, repack as a new tag and
# set its config. `umoci insert` would be quicker, but umoci 0.4.7's insert
# writes layers without the tar end-of-archive blocks (umoci#436, fixed in
# 0.4.8 by PR #534): GNU tar and Python reject them. unpack/repack is correct.
build_one() {
	local layout=$1 tag=$2 image=$3 arch=$4 work=$5
	local bundle=$work/bundle-$tag
	umoci unpack --rootless --image "$layout:base" "$bundle" >/dev/null
	local root=$bundle/rootfs
	printf '%s\n' "$image" >"$root/airgap-image"
	printf 'NAME="%s"\nID=airgap-test\nPRETTY_NAME="airgap test image %s"\n' "$image" "$image" \
		>"$root/etc/os-release"
	if [[ $arch != amd64 ]]; then
		printf '%s\n' "$arch" >"$root/airgap-arch"
	fi
	touch -h -d "@$FIXED_EPOCH" "$root" "$root/etc" "$root"/airgap-* "$root/etc/os-release"
	umoci repack --history.created "$FIXED_TIME" --history.created_by "airgap seed: $image" \
		--image "$layout:$tag" "$bundle"
	umoci config --no-history --image "$layout:$tag" --architecture "$arch" \
		--config.cmd /bin/sh --config.cmd -c --config.cmd "cat /airgap-image /etc/os-release" \
		--config.label "org.opencontainers.image.title=$image"
	rm -rf "$bundle"
}

# Store stdin as a blob; print "sha256:HEX SIZE".
put_blob() {
	local layout=$1 tmp=$1/blob.tmp hex
	tr -d '\n' >"$tmp"
	hex=$(sha256sum "$tmp" | cut -d' ' -f1)
	echo "sha256:$hex $(stat -c %s "$tmp")"
	mv "$tmp" "$layout/blobs/sha256/$hex"
}

# umoci 0.4.7 omits the manifest's optional "mediaType" field. Rewrite the
# manifest tagged REF with the field (schemaVersion, mediaType, config, layers
# order, like Docker and most registries) and retag REF to the new blob.
# With VARIANT, also write it into the config (umoci config has no flag for
# it), as buildx does for arm64/v8, so platform matching sees it there too.
add_media_type() {
	local layout=$1 ref=$2 variant=${3:-} old cfg
	read -r -a old < <(desc_of "$layout" "$ref")
	local manifest=$layout/blobs/sha256/${old[0]#sha256:}
	local config_desc
	config_desc=$(jq -c .config "$manifest")
	if [[ -n $variant ]]; then
		read -r -a cfg < <(jq -c --arg v "$variant" '.variant = $v' \
			"$layout/blobs/sha256/$(jq -r '.digest | sub("^sha256:"; "")' <<<"$config_desc")" |
			put_blob "$layout")
		config_desc=$(jq -c --arg d "${cfg[0]}" --argjson s "${cfg[1]}" '.digest = $d | .size = $s' <<<"$config_desc")
	fi
	local tmp=$layout/manifest.tmp hex size
	jq -c --arg mt "$MT_OCI_MANIFEST" --argjson c "$config_desc" \
		'{schemaVersion, mediaType: $mt, config: $c, layers} + (if .annotations then {annotations} else {} end)' \
		"$manifest" | tr -d '\n' >"$tmp"
	hex=$(sha256sum "$tmp" | cut -d' ' -f1)
	size=$(stat -c %s "$tmp")
	mv "$tmp" "$layout/blobs/sha256/$hex"
	jq --arg r "$ref" --arg d "sha256:$hex" --argjson s "$size" \
		'.manifests |= map(if .annotations["org.opencontainers.image.ref.name"] == $r
			then .digest = $d | .size = $s else . end)' \
		"$layout/index.json" >"$layout/index.json.tmp"
	mv "$layout/index.json.tmp" "$layout/index.json"
}

# Print "digest size" of the index.json entry named REF.
desc_of() {
	jq -r --arg r "$2" \
		'.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $r) | "\(.digest) \(.size)"' \
		"$1/index.json"
}

# Write an OCI image index (amd64 + arm64/v8) as a blob and tag it REF in
# index.json. skopeo's oci: transport resolves REF to this index, and
# `skopeo copy --all` then pushes the index with both manifests.
make_index() {
	local layout=$1 ref=$2
	local amd arm
	read -r -a amd < <(desc_of "$layout" "$ref-amd64")
	read -r -a arm < <(desc_of "$layout" "$ref-arm64")
	local tmp=$layout/index-blob.tmp
	jq -cn --arg mt "$MT_OCI_MANIFEST" --arg it "$MT_OCI_INDEX" \
		--arg d1 "${amd[0]}" --argjson s1 "${amd[1]}" --arg d2 "${arm[0]}" --argjson s2 "${arm[1]}" \
		'{schemaVersion: 2, mediaType: $it, manifests: [
			{mediaType: $mt, digest: $d1, size: $s1, platform: {architecture: "amd64", os: "linux"}},
			{mediaType: $mt, digest: $d2, size: $s2, platform: {architecture: "arm64", os: "linux", variant: "v8"}}]}' \
		| tr -d '\n' >"$tmp"
	local hex size
	hex=$(sha256sum "$tmp" | cut -d' ' -f1)
	size=$(stat -c %s "$tmp")
	mv "$tmp" "$layout/blobs/sha256/$hex"
	jq --arg r "$ref" --arg mt "$MT_OCI_INDEX" --arg d "sha256:$hex" --argjson s "$size" \
		'.manifests |= (map(select(.annotations["org.opencontainers.image.ref.name"] != $r))
			+ [{mediaType: $mt, digest: $d, size: $s, annotations: {"org.opencontainers.image.ref.name": $r}}])' \
		"$layout/index.json" >"$layout/index.json.tmp"
	mv "$layout/index.json.tmp" "$layout/index.json"
}

build_layout() {
	local stamp=$1
	local work
	work=$(mktemp -d "$STATE/seed-build.XXXXXX")
	local layout=$work/oci
	umoci init --layout "$layout"
	umoci new --image "$layout:base"
	umoci config --no-history --image "$layout:base" --os linux --architecture amd64 \
		--created "$FIXED_TIME" --author "airgap test seed" --config.cmd /bin/sh

	# Base layer: busybox-static plus applet symlinks, shared by every image.
	umoci unpack --rootless --image "$layout:base" "$work/base" >/dev/null
	local root=$work/base/rootfs a
	mkdir -p "$root/bin" "$root/etc" "$root/tmp"
	cp /bin/busybox "$root/bin/busybox"
	for a in "${APPLETS[@]}"; do
		ln -s busybox "$root/bin/$a"
	done
	printf 'NAME="airgap test base"\nID=airgap-test\n' >"$root/etc/os-release"
	find "$root" -exec touch -h -d "@$FIXED_EPOCH" {} +
	umoci repack --history.created "$FIXED_TIME" --history.created_by "airgap seed: busybox base" \
		--image "$layout:base" "$work/base"
	rm -rf "$work/base"

	local entry image shape ref
	for entry in "${IMAGES[@]}" "${TOKEN_EXTRA_IMAGES[@]}"; do
		read -r image shape <<<"$entry"
		ref=$(ref_of "$image")
		case $shape in
		index)
			build_one "$layout" "$ref-amd64" "$image" amd64 "$work"
			build_one "$layout" "$ref-arm64" "$image" arm64 "$work"
			add_media_type "$layout" "$ref-amd64"
			add_media_type "$layout" "$ref-arm64" v8
			;;
		oci-bare)
			build_one "$layout" "$ref" "$image" amd64 "$work"
			;;
		*)
			build_one "$layout" "$ref" "$image" amd64 "$work"
			add_media_type "$layout" "$ref"
			;;
		esac
	done
	# Drop the intermediate configs/manifests left by config edits and the
	# mediaType rewrites. Run before the indexes are added so gc never has to
	# walk an image index (the platform manifests stay tagged REF-amd64/-arm64).
	umoci gc --layout "$layout"
	for entry in "${IMAGES[@]}"; do
		read -r image shape <<<"$entry"
		if [[ $shape == index ]]; then
			make_index "$layout" "$(ref_of "$image")"
		fi
	done

	printf '%s\n' "$stamp" >"$layout/airgap-seed.stamp"
	rm -rf "$CACHE"
	mkdir -p "$(dirname "$CACHE")"
	mv "$layout" "$CACHE"
	rm -rf "$work"
}

# ---------------------------------------------------------------- push + verify

# push_all LABEL HOSTPORT TLS_ARGS... — push every image of PUSH_IMAGES (default:
# IMAGES), then verify every one.
# TLS_ARGS are skopeo's --tls-verify/--cert-dir/--authfile options without the
# src/dest prefix; they are turned into --dest-* for copy and used as is for inspect.
push_all() {
	local label=$1 reg=$2
	shift 2
	local common=("$@") dest=() o
	for o in "${common[@]}"; do
		dest+=("--dest-${o#--}")
	done
	local entry image shape ref fmt
	for entry in "${PUSH_IMAGES[@]}"; do
		read -r image shape <<<"$entry"
		ref=$(ref_of "$image")
		case $shape in
		index) fmt=(--all) ;; # keep the index and copy every platform
		v2s2) fmt=(--format v2s2) ;;
		oci | oci-bare) fmt=(--format oci) ;;
		esac
		# --insecure-policy: do not depend on /etc/containers/policy.json here.
		skopeo --insecure-policy copy -q --retry-times 2 "${fmt[@]}" "${dest[@]}" \
			"oci:$CACHE:$ref" "docker://$reg/$image" ||
			die "[$label] pushing $image to $reg failed"
	done
	verify_all "$label" "$reg" "${common[@]}"
}

verify_all() {
	local label=$1 reg=$2
	shift 2
	local opts=("$@")
	local tmp
	tmp=$(mktemp -d "$STATE/seed-verify.XXXXXX")
	local entry image shape want mt digest base_layer="" repo children child arch variant
	for entry in "${PUSH_IMAGES[@]}"; do
		read -r image shape <<<"$entry"
		case $shape in
		index) want=$MT_OCI_INDEX ;;
		v2s2) want=$MT_DOCKER_V2 ;;
		oci | oci-bare) want=$MT_OCI_MANIFEST ;;
		esac
		skopeo inspect --raw "${opts[@]}" "docker://$reg/$image" >"$tmp/m" ||
			die "[$label] cannot read back $reg/$image"
		mt=$(jq -r '.mediaType // empty' "$tmp/m")
		if [[ $shape == oci-bare ]]; then
			# No mediaType in the body on purpose; identify it by its config type.
			[[ -z $mt ]] || die "[$label] $reg/$image should have no mediaType field, has '$mt'"
			jq -e '.schemaVersion == 2 and .config.mediaType == "application/vnd.oci.image.config.v1+json"' \
				"$tmp/m" >/dev/null || die "[$label] $reg/$image is not an OCI image manifest"
			mt=$MT_OCI_MANIFEST
		fi
		[[ $mt == "$want" ]] || die "[$label] $reg/$image has media type '$mt', want '$want'"
		digest=sha256:$(sha256sum "$tmp/m" | cut -d' ' -f1)
		repo=${image%:*}
		if [[ $shape == index ]]; then
			jq -e '[.manifests[].platform | "\(.os)/\(.architecture)/\(.variant // "")"]
				== ["linux/amd64/", "linux/arm64/v8"]' "$tmp/m" >/dev/null ||
				die "[$label] $reg/$image: index platforms are not linux/amd64 + linux/arm64/v8"
			children=$(jq -r '.manifests[] | "\(.digest) \(.platform.architecture) \(.platform.variant // "")"' "$tmp/m")
		else
			children="$digest amd64"
		fi
		while read -r child arch variant; do
			skopeo inspect --raw "${opts[@]}" "docker://$reg/$repo@$child" >"$tmp/c" ||
				die "[$label] cannot read $reg/$repo@$child"
			jq -e '.layers | length >= 2' "$tmp/c" >/dev/null ||
				die "[$label] $reg/$repo@$child has fewer than 2 layers"
			# Dedup tests rely on one base layer shared by every image.
			local first
			first=$(jq -r '.layers[0].digest' "$tmp/c")
			[[ -z $base_layer || $first == "$base_layer" ]] ||
				die "[$label] $reg/$repo@$child does not share the base layer ($first != $base_layer)"
			base_layer=$first
			skopeo inspect --config "${opts[@]}" "docker://$reg/$repo@$child" >"$tmp/cfg" ||
				die "[$label] cannot read the config of $reg/$repo@$child"
			jq -e --arg a "$arch" --arg v "$variant" \
				'.os == "linux" and .architecture == $a and (.variant // "") == $v and (.config.Cmd | length > 0)' \
				"$tmp/cfg" >/dev/null ||
				die "[$label] config of $reg/$repo@$child is not linux/$arch${variant:+/$variant} with a Cmd"
		done <<<"$children"
		echo "$reg/$image $mt $digest" >>"$SEEDED_TMP"
	done
	rm -rf "$tmp"
	echo "seed-images: [$label] $reg: ${#PUSH_IMAGES[@]} images pushed and verified" >&2
}

# ---------------------------------------------------------------- token ACL

# token_for USER|"" PASSWORD SCOPE... — print a bearer token from the issuer ("" = anonymous).
token_for() {
	local user=$1 pw=$2 service q=()
	shift 2
	service=$(env_get AIRGAP_TEST_TOKEN_SERVICE)
	q=(--data-urlencode "service=$service")
	local s
	for s in "$@"; do
		q+=(--data-urlencode "scope=$s")
	done
	local cred=()
	[[ -n $user ]] && cred=(-u "$user:$pw")
	curl -sf --max-time 10 -G "${cred[@]}" "${q[@]}" "$(env_get AIRGAP_TEST_TOKEN_REALM)" | jq -r .token
}

# expect_status WANT WHAT CURL_ARGS... — the request must answer WANT.
expect_status() {
	local want=$1 what=$2 code
	shift 2
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@" || true)
	[[ $code == "$want" ]] || die "[token] $what: got HTTP $code, want $want"
}

check_token_acl() {
	local reg=$1 reader_pw writer_pw tok accept
	reader_pw=$(env_get AIRGAP_TEST_TOKEN_READER_PASSWORD)
	writer_pw=$(env_get AIRGAP_TEST_TOKEN_WRITER_PASSWORD)
	accept=(-H "Accept: $MT_OCI_INDEX, $MT_OCI_MANIFEST, $MT_DOCKER_V2")

	tok=$(token_for "" "" repository:public/hello:pull) || die "[token] no anonymous token"
	expect_status 200 "anonymous GET public/hello manifest" "${accept[@]}" \
		-H "Authorization: Bearer $tok" "http://$reg/v2/public/hello/manifests/1.0"
	tok=$(token_for "" "" repository:private/secret:pull) || die "[token] no anonymous token"
	expect_status 401 "anonymous GET private/secret manifest" "${accept[@]}" \
		-H "Authorization: Bearer $tok" "http://$reg/v2/private/secret/manifests/1.0"

	tok=$(token_for reader "$reader_pw" repository:library/busybox:pull,push) || die "[token] no reader token"
	expect_status 200 "reader GET library/busybox manifest" "${accept[@]}" \
		-H "Authorization: Bearer $tok" "http://$reg/v2/library/busybox/manifests/1.29"
	# The token holds pull only (push was asked for, not granted): no upload.
	expect_status 401 "reader POST library/busybox blob upload" -X POST \
		-H "Authorization: Bearer $tok" "http://$reg/v2/library/busybox/blobs/uploads/"

	tok=$(token_for writer "$writer_pw" repository:private/secret:pull) || die "[token] no writer token"
	expect_status 200 "writer GET private/secret manifest" "${accept[@]}" \
		-H "Authorization: Bearer $tok" "http://$reg/v2/private/secret/manifests/1.0"

	expect_status 401 "token request with a wrong password" -u "reader:wrong-$reader_pw" \
		"$(env_get AIRGAP_TEST_TOKEN_REALM)?service=$(env_get AIRGAP_TEST_TOKEN_SERVICE)"
	echo "seed-images: [token] $reg: ACL checked" >&2
}

# ---------------------------------------------------------------- main

need umoci skopeo jq curl sha256sum
[[ -x /bin/busybox ]] || die "/bin/busybox missing (apt-get install busybox-static)"
mkdir -p "$STATE"

PLAIN=${1:-$(env_get AIRGAP_TEST_REGISTRY)}
[[ -n $PLAIN ]] || die "no registry given and no AIRGAP_TEST_REGISTRY in $ENV_FILE (run scripts/test-servers.sh start)"

# The cache is valid while the recipe, the busybox binary and the image lists are unchanged.
STAMP="v$RECIPE_VERSION $(sha256sum /bin/busybox | cut -d' ' -f1) ${IMAGES[*]} ${TOKEN_EXTRA_IMAGES[*]}"
if [[ -f $CACHE/airgap-seed.stamp && $(<"$CACHE/airgap-seed.stamp") == "$STAMP" ]]; then
	echo "seed-images: reusing OCI layout $CACHE" >&2
else
	echo "seed-images: building OCI layout $CACHE" >&2
	build_layout "$STAMP"
fi

PUSH_IMAGES=("${IMAGES[@]}")
SEEDED_TMP=$(mktemp "$STATE/seeded.XXXXXX")
# Pushes to different registries are independent: run them in parallel.
jobs_pids=() jobs_labels=()
push_all plain "$PLAIN" --tls-verify=false &
jobs_pids+=($!) jobs_labels+=(plain)

TLS=$(env_get AIRGAP_TEST_REGISTRY_TLS)
AUTH=$(env_get AIRGAP_TEST_REGISTRY_AUTH)
CERT_DIR=$(env_get AIRGAP_TEST_CERT_DIR)
CA=$(env_get AIRGAP_TEST_CA)
AUTH_FILE=$(env_get AIRGAP_TEST_AUTH_FILE)
if [[ -n $TLS && -n $CERT_DIR ]] && curl -sf -o /dev/null --max-time 3 --cacert "$CA" "https://$TLS/v2/"; then
	push_all tls "$TLS" --cert-dir="$CERT_DIR" &
	jobs_pids+=($!) jobs_labels+=(tls)
fi
if [[ -n $AUTH && -n $AUTH_FILE && -n $CERT_DIR ]] &&
	[[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 3 --cacert "$CA" "https://$AUTH/v2/" || true) == 401 ]]; then
	push_all auth "$AUTH" --cert-dir="$CERT_DIR" --authfile="$AUTH_FILE" &
	jobs_pids+=($!) jobs_labels+=(auth)
fi
TOKEN=$(env_get AIRGAP_TEST_REGISTRY_TOKEN)
TOKEN_AUTH_FILE=$(env_get AIRGAP_TEST_TOKEN_SEEDER_AUTH_FILE)
if [[ -n $TOKEN && -n $TOKEN_AUTH_FILE ]] &&
	[[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://$TOKEN/v2/" || true) == 401 ]]; then
	(
		PUSH_IMAGES=("${IMAGES[@]}" "${TOKEN_EXTRA_IMAGES[@]}")
		push_all token "$TOKEN" --tls-verify=false --authfile="$TOKEN_AUTH_FILE"
		check_token_acl "$TOKEN"
	) &
	jobs_pids+=($!) jobs_labels+=(token)
fi

TOKEN_B=$(env_get AIRGAP_TEST_REGISTRY_TOKEN_B)
TOKEN_B_AUTH_FILE=$(env_get AIRGAP_TEST_TOKEN_B_SEEDER_AUTH_FILE)
if [[ -n $TOKEN_B && -n $TOKEN_B_AUTH_FILE ]] &&
	[[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://$TOKEN_B/v2/" || true) == 401 ]]; then
	(
		PUSH_IMAGES=("${TOKEN_EXTRA_IMAGES[@]}")
		push_all token-b "$TOKEN_B" --tls-verify=false --authfile="$TOKEN_B_AUTH_FILE"
	) &
	jobs_pids+=($!) jobs_labels+=(token-b)
fi

failed=()
for i in "${!jobs_pids[@]}"; do
	wait "${jobs_pids[$i]}" || failed+=("${jobs_labels[$i]}")
done
if ((${#failed[@]} > 0)); then
	rm -f "$SEEDED_TMP"
	die "seeding failed for: ${failed[*]}"
fi

sort "$SEEDED_TMP" >"$STATE/seeded.txt"
rm -f "$SEEDED_TMP"
cat "$STATE/seeded.txt"

if [[ -f $ENV_FILE ]]; then
	# Replace, never duplicate, the keys this script owns; keep the file private.
	grep -v -e '^AIRGAP_TEST_SEEDED=' -e '^AIRGAP_TEST_SEEDED_LIST=' "$ENV_FILE" >"$ENV_FILE.tmp" || true
	printf 'AIRGAP_TEST_SEEDED=1\nAIRGAP_TEST_SEEDED_LIST=%s\n' "$STATE/seeded.txt" >>"$ENV_FILE.tmp"
	chmod 600 "$ENV_FILE.tmp"
	mv "$ENV_FILE.tmp" "$ENV_FILE"
fi

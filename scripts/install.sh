#!/usr/bin/env bash
# install.sh — build airgap for release and install it with its man page and shell completions.
#
#   scripts/install.sh                  # into /usr/local (asks sudo for the copy when not root)
#   scripts/install.sh --prefix DIR     # e.g. ~/.local, or a staging folder to copy to a bastion host
#
# Installs:
#   PREFIX/bin/airgap                                    Swift runtime linked in (--static-swift-stdlib)
#   PREFIX/share/man/man1/airgap.1                       generated from the commands' own help
#   PREFIX/share/bash-completion/completions/airgap
#   PREFIX/share/zsh/site-functions/_airgap
#   PREFIX/share/fish/vendor_completions.d/airgap.fish
#
# The binary then needs only glibc, libstdc++, libcurl and libarchive from the distribution (README,
# "Install"). The build has its own scratch folder (.build-release), so it never invalidates the debug
# build in .build that `swift build` and scripts/test.sh use. Everything is generated into a staging
# folder first and installed only when every piece was made and checked.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"

prefix=/usr/local
while [[ $# -gt 0 ]]; do
	case "$1" in
	--prefix) [[ $# -ge 2 ]] || { echo "install.sh: --prefix needs a directory" >&2; exit 2; }
		prefix=$2; shift 2 ;;
	--prefix=*) prefix=${1#--prefix=}; shift ;;
	-h | --help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "install.sh: unknown argument '$1' (usage: scripts/install.sh [--prefix DIR])" >&2; exit 2 ;;
	esac
done
[[ -n "$prefix" ]] || { echo "install.sh: --prefix must not be empty" >&2; exit 2; }
case "$prefix" in /*) ;; *) prefix="$PWD/$prefix" ;; esac

if ! command -v swift >/dev/null 2>&1; then
	echo "install.sh: swift not found: install the Swift 6 toolchain first (README, first lines)" >&2
	exit 1
fi

scratch=.build-release
echo "install.sh: release build (static Swift runtime) in $scratch"
swift build -c release --static-swift-stdlib --scratch-path "$scratch" --product airgap
# swift-argument-parser's man page generator, the tool behind its `generate-manual` plugin. The plugin
# itself (`swift package generate-manual`) cannot be used here: before it runs this tool it builds the
# whole package again, and `swift package` accepts no --static-swift-stdlib, so in this scratch path
# that rebuild recompiles every module without the static runtime and overwrites the binary (3.5 min
# for nothing), and `-Xswiftc -static-stdlib` breaks the link of the plugin's own tool. Same flags as
# above, so the argument-parser modules already built are reused.
swift build -c release --static-swift-stdlib --scratch-path "$scratch" --product generate-manual
bin=$(swift build -c release --static-swift-stdlib --scratch-path "$scratch" --show-bin-path)

# The point of the static build: no Swift runtime to find on the target machine.
if ldd "$bin/airgap" | grep 'libswift' >/dev/null; then
	echo "install.sh: FAILED: $bin/airgap links the Swift runtime dynamically:" >&2
	ldd "$bin/airgap" | grep 'libswift' >&2
	exit 1
fi
if ldd "$bin/airgap" | grep 'not found' >/dev/null; then
	echo "install.sh: FAILED: libraries missing for $bin/airgap:" >&2
	ldd "$bin/airgap" | grep 'not found' >&2
	exit 1
fi

stage=$(mktemp -d "${TMPDIR:-/tmp}/airgap-install.XXXXXX")
trap 'rm -rf "$stage"' EXIT

# The binary without its debug sections: 104 MB → 67 MB, most of what is left being Foundation's ICU
# data. The unstripped binary stays in .build-release for debugging.
cp "$bin/airgap" "$stage/airgap"
if command -v strip >/dev/null 2>&1; then strip "$stage/airgap"; fi

# The man page carries the date of the last commit, so the same source gives the same page.
date=$(git log -1 --format=%cs 2>/dev/null || date -u +%Y-%m-%d)
"$bin/generate-manual" "$stage/airgap" --date "$date" --output-directory "$stage"
# The generator copies blank lines of the help texts into the page, which mdoc reports as warnings on
# every `man airgap`; a blank line in mdoc is spelled .Pp (paragraph break).
sed -i 's/^$/.Pp/' "$stage/airgap.1"

"$stage/airgap" --generate-completion-script bash >"$stage/airgap.bash"
"$stage/airgap" --generate-completion-script zsh >"$stage/_airgap"
"$stage/airgap" --generate-completion-script fish >"$stage/airgap.fish"
for file in airgap.1 airgap.bash _airgap airgap.fish; do
	[[ -s "$stage/$file" ]] || { echo "install.sh: FAILED: generated $file is empty" >&2; exit 1; }
done
bash -n "$stage/airgap.bash"

# Root is needed only for the copy, and only when PREFIX (or its nearest existing parent) is not ours.
SUDO=()
existing=$prefix
while [[ ! -e "$existing" ]]; do existing=$(dirname "$existing"); done
if [[ ! -w "$existing" && $(id -u) -ne 0 ]]; then
	command -v sudo >/dev/null 2>&1 || { echo "install.sh: $prefix is not writable: run as root or pick --prefix" >&2; exit 1; }
	SUDO=(sudo)
fi
"${SUDO[@]}" install -D -m 0755 "$stage/airgap" "$prefix/bin/airgap"
"${SUDO[@]}" install -D -m 0644 "$stage/airgap.1" "$prefix/share/man/man1/airgap.1"
"${SUDO[@]}" install -D -m 0644 "$stage/airgap.bash" "$prefix/share/bash-completion/completions/airgap"
"${SUDO[@]}" install -D -m 0644 "$stage/_airgap" "$prefix/share/zsh/site-functions/_airgap"
"${SUDO[@]}" install -D -m 0644 "$stage/airgap.fish" "$prefix/share/fish/vendor_completions.d/airgap.fish"

size=$(($(stat -c %s "$prefix/bin/airgap") / 1000000))
glibc=""
if command -v objdump >/dev/null 2>&1; then
	glibc=$(objdump -T "$prefix/bin/airgap" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1 | sed 's/GLIBC_//')
fi
echo "install.sh: installed $prefix/bin/airgap (${size} MB${glibc:+, needs glibc >= $glibc}), its man page and bash, zsh and fish completions"

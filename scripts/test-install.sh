#!/usr/bin/env bash
# test-install.sh — run scripts/install.sh into a temporary prefix and check what it installed: the
# binary runs and links no Swift runtime, the man page renders without warnings, each completion file
# loads in its shell (zsh and fish only when installed: they are not build dependencies).
#
# A whole release build the first time (about 4 minutes on 2 cores); later runs reuse .build-release
# and take seconds. scripts/test.sh runs it on a full run (no arguments). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

prefix=$(mktemp -d "${TMPDIR:-/tmp}/airgap-test-install.XXXXXX")
trap 'rm -rf "$prefix"' EXIT

failures=0
check() { # check DESCRIPTION COMMAND...
	local description=$1
	shift
	if "$@" >/dev/null 2>&1; then
		echo "ok      $description"
	else
		echo "FAILED  $description" >&2
		failures=$((failures + 1))
	fi
}

start=$SECONDS
scripts/install.sh --prefix "$prefix"
echo "test-install: install.sh took $((SECONDS - start)) s"

bin=$prefix/bin/airgap
man_page=$prefix/share/man/man1/airgap.1
bash_completion=$prefix/share/bash-completion/completions/airgap
zsh_completion=$prefix/share/zsh/site-functions/_airgap
fish_completion=$prefix/share/fish/vendor_completions.d/airgap.fish

check "binary installed and executable" test -x "$bin"
check "airgap --version runs" "$bin" --version
check "ldd: no libswift*" bash -c "! ldd '$bin' | grep -q libswift"
check "ldd: every library found" bash -c "! ldd '$bin' | grep -q 'not found'"
check "built-in suites include kubernetes-e2e-v1.35" bash -c "'$bin' bundle --list-suites | grep -q '^kubernetes-e2e-v1.35 '"

for file in "$man_page" "$bash_completion" "$zsh_completion" "$fish_completion"; do
	check "non-empty ${file#"$prefix"/}" test -s "$file"
done
# `man -l` prints mdoc's complaints on stderr; the page must render without any, and name the commands.
check "man -l renders without warnings" bash -c \
	"out=\$(MANWIDTH=80 man -l '$man_page' 2>&1 >/dev/null); [[ -z \$out ]]"
check "man page lists the subcommands" bash -c \
	"MANWIDTH=80 man -l '$man_page' 2>/dev/null | grep -q 'bundle' && MANWIDTH=80 man -l '$man_page' 2>/dev/null | grep -q 'inventory'"

check "bash -n completion" bash -n "$bash_completion"
check "bash completion registers airgap" bash -c "source '$bash_completion' && complete -p airgap"
if command -v zsh >/dev/null 2>&1; then
	check "zsh -n completion" zsh -n "$zsh_completion"
	check "zsh compinit picks up _airgap" zsh -fc \
		"fpath=('${zsh_completion%/*}' \$fpath); autoload -Uz compinit; compinit -u -D; [[ \${_comps[airgap]} == _airgap ]]"
else
	echo "note    zsh not installed: the zsh completion was only checked to be non-empty"
fi
if command -v fish >/dev/null 2>&1; then
	check "fish -n completion" fish -n "$fish_completion"
	check "fish completes 'airgap bu' to bundle" fish -c \
		"source '$fish_completion'; complete -C 'airgap bu' | string match -q 'bundle*'"
else
	echo "note    fish not installed: the fish completion was only checked to be non-empty"
fi

if [[ $failures -ne 0 ]]; then
	echo "test-install: $failures check(s) failed" >&2
	exit 1
fi
echo "test-install: every check passed"

#!/usr/bin/env bash
# check-e2e-suites.sh AIRGAP [DIR] — the built-in kubernetes-e2e-vX.Y suites are exactly what
# `airgap inventory e2e` derives from the upstream manifest.go they were taken from.
#
# The project keeps the derived lists, not Kubernetes' Go source (see ../shared/k8s-e2e/README.md),
# so this check needs that folder beside the repository, as on the project's machines. Without it
# the check is not run and says so (exit 3): scripts/test.sh then names it "not run" in its closing
# line, never "passed". `swift test` checks the lists themselves (counts, release, key images).
set -euo pipefail
cd "$(dirname "$0")/.."

airgap=${1:?usage: scripts/check-e2e-suites.sh AIRGAP [DIR]}
dir=${2:-../shared/k8s-e2e}
# suite name → the manifest.go of the release it matches
pairs=(
	"kubernetes-e2e-v1.31 manifest-v1.31.8.go"
	"kubernetes-e2e-v1.35 manifest-v1.35.4.go"
)

if [[ ! -d $dir ]]; then
	echo "check-e2e-suites: not run: $dir (the upstream manifest.go files) is not here" >&2
	exit 3
fi
suites=$("$airgap" inventory suites --output json)
status=0
for pair in "${pairs[@]}"; do
	read -r suite manifest <<<"$pair"
	derived=$("$airgap" inventory e2e "$dir/$manifest" --output list --quiet)
	built_in=$(jq -r --arg name "$suite" '.[] | select(.name == $name and .builtIn) | .images[]' <<<"$suites" | sort)
	if [[ -z $built_in ]]; then
		echo "check-e2e-suites: no built-in suite $suite" >&2
		status=1
	elif [[ $derived != "$built_in" ]]; then
		echo "check-e2e-suites: $suite differs from what $manifest derives (< suite, > derived):" >&2
		diff <(echo "$built_in") <(echo "$derived") >&2 || true
		status=1
	else
		echo "check-e2e-suites: $suite is what $manifest derives ($(wc -l <<<"$derived") images)"
	fi
done
exit "$status"

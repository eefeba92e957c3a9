import OCI

/// The node side of the procedure: bash functions that run on a node, as root, through
/// `oc debug node/N -- chroot /host bash -c PROGRAM airgap-node STEP ARGUMENTS…`.
///
/// The generated scripts define these same functions and send them with `declare -f`; `nodes run`
/// sends ``source(for:)``. Either way the program is fixed text and every image name, path and
/// digest travels as an argument: nothing from the archive is ever parsed as code on the node.
///
/// Each step ends with one `airgap-node: RESULT` line on stdout, which the caller reads (see
/// ``NodeStepResult``): `oc debug`'s exit status is not to be trusted (older oc exits 0 whatever
/// the command did), and its output mixes the command's stderr in.
public enum NodeProgram {
    /// A node-side step.
    public enum Step: String, Sendable, CaseIterable {
        /// Removes a copy an interrupted run left, and counts the images podman lacks.
        case check
        /// For a delta: counts the layers it relies on (by diff_id) that no image in podman's storage
        /// has (``NodeDelta``).
        case layers
        /// Checks the copy's sha256, `podman load`s it, removes it, checks every image.
        case load
        /// `podman rmi` of exactly the archive's images (and removes a leftover copy).
        case clean
    }

    /// Where a node keeps the copy: on disk (`/tmp` is a tmpfs on RHCOS, in memory), writable by
    /// `core` for scp.
    public static let copyDirectory = "/var/tmp"

    /// The copy's file name, from the archive's digest only: no user text reaches a node path.
    public static func copyName(for sha256: Digest) -> String {
        "airgap-\(sha256.encoded.prefix(16)).tar"
    }

    /// The text `bash -c` runs on the node: the steps' functions, then the dispatch.
    public static func source(for steps: [Step]) -> String {
        functions(for: steps) + "\nairgap_node \"$@\"\n"
    }

    /// The prefix of a result line.
    static let resultPrefix = "airgap-node: "

    /// The functions of `steps` and the `airgap_node` dispatcher, each a top-level bash function.
    static func functions(for steps: [Step]) -> String {
        var text = ""
        for step in Step.allCases where steps.contains(step) {
            text += body(of: step) + "\n"
        }
        text += dispatcher(for: steps)
        return text
    }

    /// The names of the functions ``functions(for:)`` defines, for `declare -f`.
    static func functionNames(for steps: [Step]) -> [String] {
        Step.allCases.filter(steps.contains).map { "airgap_node_\($0.rawValue)" } + ["airgap_node"]
    }

    private static func dispatcher(for steps: [Step]) -> String {
        let cases = Step.allCases.filter(steps.contains)
            .map { "\t\($0.rawValue)) airgap_node_\($0.rawValue) \"$@\" ;;" }
            .joined(separator: "\n")
        return """
            # Runs one step: airgap_node STEP ARGUMENTS...
            airgap_node() {
            \tlocal step=$1
            \tshift
            \tcase $step in
            \(cases)
            \t*)
            \t\techo "airgap-node: failed: unknown step $step"
            \t\treturn 2
            \t\t;;
            \tesac
            }

            """
    }

    private static func body(of step: Step) -> String {
        switch step {
        case .check:
            // `--` keeps a name that starts with "-" from being read as an option.
            return """
                # airgap_node_check COPY IMAGE...: counts the named images podman lacks, "airgap-node: missing
                # N of M", after removing a copy an interrupted run left behind.
                airgap_node_check() {
                \tlocal image missing=0
                \trm -f -- "$1"
                \tshift
                \tfor image in "$@"; do
                \t\tpodman image exists -- "$image" || missing=$((missing + 1))
                \tdone
                \techo "airgap-node: missing $missing of $#"
                }

                """
        case .layers:
            // Every image's layers, `--all` for intermediate ones too: podman load asks storage for a
            // layer by diff_id, whichever image holds it. A failing podman is a failure, never "missing".
            return """
                # airgap_node_layers LAYER...: counts the layers (diff_ids) a delta relies on that no image in
                # podman's storage has, "airgap-node: layers missing N of M", printing each missing one.
                airgap_node_layers() {
                \tlocal listing held layer missing=0
                \tlocal -a ids=()
                \tlocal -A have=()
                \tif ! listing=$(podman images --all --quiet --no-trunc); then
                \t\techo "airgap-node: failed: podman images failed"
                \t\treturn 1
                \tfi
                \tif [[ -n $listing ]]; then
                \t\tmapfile -t ids <<<"$listing"
                \t\tif ! held=$(podman image inspect --format '{{range .RootFS.Layers}}{{println .}}{{end}}' -- "${ids[@]}"); then
                \t\t\techo "airgap-node: failed: podman image inspect failed"
                \t\t\treturn 1
                \t\tfi
                \t\twhile IFS= read -r layer; do
                \t\t\tif [[ -n $layer ]]; then
                \t\t\t\thave[$layer]=1
                \t\t\tfi
                \t\tdone <<<"$held"
                \tfi
                \tfor layer in "$@"; do
                \t\tif [[ -z ${have[$layer]+set} ]]; then
                \t\t\tmissing=$((missing + 1))
                \t\t\tprintf 'layer not here: %s\\n' "$layer"
                \t\tfi
                \tdone
                \techo "airgap-node: layers missing $missing of $#"
                }

                """
        case .load:
            return """
                # airgap_node_load COPY SHA256 IMAGE...: checks the copy's sha256, loads it with one podman
                # load, removes it whatever happened, and checks that podman now has every named image:
                # "airgap-node: loaded M" or "airgap-node: failed: REASON".
                airgap_node_load() {
                \tlocal copy=$1 sha256=$2 image status=0 missing=0
                \tshift 2
                \tif ! printf '%s  %s\\n' "$sha256" "$copy" | sha256sum --check --quiet --strict -; then
                \t\trm -f -- "$copy"
                \t\techo "airgap-node: failed: the copy at $copy does not have sha256 $sha256 (incomplete or damaged in transit)"
                \t\treturn 1
                \tfi
                \tpodman load -i "$copy" || status=$?
                \trm -f -- "$copy"
                \tif ((status != 0)); then
                \t\techo "airgap-node: failed: podman load exited with status $status"
                \t\treturn 1
                \tfi
                \tfor image in "$@"; do
                \t\tif ! podman image exists -- "$image"; then
                \t\t\tmissing=$((missing + 1))
                \t\t\tprintf 'not loaded: %q\\n' "$image"
                \t\tfi
                \tdone
                \tif ((missing > 0)); then
                \t\techo "airgap-node: failed: $missing of $# images are missing after podman load"
                \t\treturn 1
                \tfi
                \techo "airgap-node: loaded $#"
                }

                """
        case .clean:
            // By full name, without --force: a name shared with another image only untags it, and an
            // image a container uses stays (and is reported).
            return """
                # airgap_node_clean COPY IMAGE...: removes exactly the named images, by full name, without
                # --force, and any copy of the archive a failed run left behind:
                # "airgap-node: removed R, absent A" or "airgap-node: failed: REASON".
                airgap_node_clean() {
                \tlocal image status removed=0 absent=0 failed=0
                \trm -f -- "$1"
                \tshift
                \tfor image in "$@"; do
                \t\tstatus=0
                \t\tpodman image exists -- "$image" || status=$?
                \t\tif ((status == 1)); then
                \t\t\tabsent=$((absent + 1))
                \t\telif ((status == 0)) && podman rmi -- "$image"; then
                \t\t\tremoved=$((removed + 1))
                \t\telse
                \t\t\tfailed=$((failed + 1))
                \t\t\tprintf 'not removed: %q\\n' "$image"
                \t\tfi
                \tdone
                \tif ((failed > 0)); then
                \t\techo "airgap-node: failed: $failed of $# images could not be removed (is a container using them?)"
                \t\treturn 1
                \tfi
                \techo "airgap-node: removed $removed, absent $absent"
                }

                """
        }
    }
}

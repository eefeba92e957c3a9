/// The driver parts both scripts share: running a step on a node, reading its result, reporting a
/// failure, listing the nodes, the main loop.
///
/// The driver's node functions are called as `if ! load_node …`, where bash ignores `set -e`, so
/// every command in them that can fail is checked explicitly. Arrays that may be empty are expanded
/// as `${a[@]+"${a[@]}"}`: before bash 4.4 (RHEL 7's 4.2), `set -u` calls an empty array unbound.
extension NodeScript {
    static func driverCommon(_ options: NodeScriptOptions) -> String {
        """
        # ---- Driver: runs here, visits the nodes one after the other.
        nodes=()
        failed=()

        # Runs one node-side step and prints its output: on the node through oc debug and chroot /host,
        # or here for AIRGAP_THIS_HOST=1.
        node_step() {
        \tlocal node=$1
        \tshift
        \tif [[ $node == "$this_host" ]]; then
        \t\tbash -c "$node_program" airgap-node "$@"
        \telse
        \t\toc debug ${debug_options[@]+"${debug_options[@]}"} "$node" -- chroot /host bash -c "$node_program" airgap-node "$@"
        \tfi
        }

        # Runs one step; sets the caller's output (all the step printed) and result (its last
        # "airgap-node: " line without the prefix; "failed: REASON" when it failed or gave no result).
        # The result line is what counts: older oc debug exits 0 whatever the command did.
        run_step() {
        \tlocal line status=0
        \toutput=$(node_step "$@") || status=$?
        \tresult=''
        \twhile IFS= read -r line; do
        \t\tif [[ $line == 'airgap-node: '* ]]; then
        \t\t\tresult=${line#'airgap-node: '}
        \t\tfi
        \tdone <<<"$output"
        \tif [[ -z $result ]]; then
        \t\tresult="failed: no answer from the node (exit status $status)"
        \telif [[ $status -ne 0 && $result != 'failed: '* ]]; then
        \t\tresult="failed: exit status $status after: $result"
        \tfi
        \t[[ $result != 'failed: '* ]]
        }

        # Prints its argument and a line break, with control characters (and the UTF-8 of C1
        # controls, zero-width and bidirectional controls, line separators and the byte-order mark)
        # as \\xHH escapes: what a node printed (podman names the images it loads, and names come
        # from the archive) can neither move the cursor, rewrite a line nor reorder one.
        visible() {
        \tlocal LC_ALL=C text=$1 out='' length code i
        \twhile [[ -n $text ]]; do
        \t\tcase $text in
        \t\t[[:cntrl:]]*) length=1 ;;
        \t\t$'\\xc2'[$'\\x80'-$'\\x9f'$'\\xad']*) length=2 ;;
        \t\t$'\\xe2\\x80'[$'\\x8b'-$'\\x8f'$'\\xa8'-$'\\xae']* | $'\\xe2\\x81'[$'\\xa0'-$'\\xaf']* | $'\\xef\\xbb\\xbf'*) length=3 ;;
        \t\t*) length=0 ;;
        \t\tesac
        \t\tif ((length == 0)); then
        \t\t\tout+=${text:0:1}
        \t\t\ttext=${text:1}
        \t\t\tcontinue
        \t\tfi
        \t\tfor ((i = 0; i < length; i++)); do
        \t\t\tprintf -v code '\\\\x%02x' "'${text:i:1}"
        \t\t\tout+=$code
        \t\tdone
        \t\ttext=${text:length}
        \tdone
        \tprintf '%s\\n' "$out"
        }

        # Reports a failed node on stderr, with what its step printed, and remembers it.
        fail() {
        \tlocal node=$1 reason=$2 output=$3 line
        \tvisible "$node: FAILED: $reason" >&2
        \tif [[ -n $output ]]; then
        \t\twhile IFS= read -r line; do
        \t\t\tvisible "    | $line" >&2
        \t\tdone <<<"$output"
        \tfi
        \tfailed+=("$node ($reason)")
        }

        # Where the node keeps its copy of the archive.
        copy_path() {
        \tif [[ $1 == "$this_host" ]]; then
        \t\tprintf '%s\\n' "${TMPDIR:-/var/tmp}/$copy_name"
        \telse
        \t\tprintf '%s\\n' "\(NodeProgram.copyDirectory)/$copy_name"
        \tfi
        }

        # Fills nodes: this host for AIRGAP_THIS_HOST=1, else \(nodeListDescription(options.nodes)).
        list_nodes() {
        \(options.nodes == .all || options.nodes.isSelector ? "\tlocal listing\n" : "")\tif [[ ${AIRGAP_THIS_HOST:-} == 1 ]]; then
        \t\tnodes=("$this_host")
        \t\treturn
        \tfi
        \(nodeListing(options.nodes))
        }

        """
    }

    private static func nodeListDescription(_ selection: NodeSelection) -> String {
        switch selection {
        case .all: "every node oc lists"
        case .named: "the nodes chosen when the script was generated"
        case .selector: "the nodes matching the selector"
        }
    }

    private static func nodeListing(_ selection: NodeSelection) -> String {
        let command: String
        let none: String
        switch selection {
        case .named:
            return "\tnodes=(\"${chosen_nodes[@]}\")"
        case .all:
            command = "oc get nodes -o name"
            none = "oc get nodes lists no node"
        case .selector:
            command = "oc get nodes -o name -l \"$selector\""
            none = "no node matches the selector $selector"
        }
        // Not `mapfile < <(oc …)`, which would hide oc's failure: set -e stops the script here.
        return """
            \tlisting=$(\(command))
            \tif [[ -z $listing ]]; then
            \t\techo "airgap: \(none)" >&2
            \t\texit 1
            \tfi
            \tmapfile -t nodes <<<"$listing"
            """
    }

    /// Lists the nodes, takes each through `perNode`, stops at the first failure unless keep_going,
    /// and ends with `summary`, whose status is the script's.
    static func main(_ options: NodeScriptOptions, perNode: String, checksArchive: Bool) -> String {
        """
        main() {
        \tlocal node
        \tlist_nodes
        \(checksArchive ? "\tcheck_archive\n" : "")\tfor node in "${nodes[@]}"; do
        \t\tif ! \(perNode) "$node" && ((!keep_going)); then
        \t\t\tbreak
        \t\tfi
        \tdone
        \tsummary
        }

        main

        """
    }

    /// The driver's closing `summary` function: how many nodes ended in each of `outcomes` (bash
    /// arrays of node names; `describing` words one differently) and which failed, and a failure
    /// status when any did. `failed` and `nodes` are the driver's own arrays.
    static func summaryFunction(counting outcomes: [String], describing words: [String: String] = [:]) -> String {
        let counted = outcomes.map { " - ${#\($0)[@]}" }.joined()
        let counts = (outcomes.map { "${#\($0)[@]} \(words[$0] ?? $0)" } + ["${#failed[@]} failed"]).joined(separator: ", ")
        return """
            # Prints what happened on every node; fails when any node failed.
            summary() {
            \tlocal entry untried=$((${#nodes[@]}\(counted) - ${#failed[@]}))
            \techo "airgap: ${#nodes[@]} node(s): \(counts)"
            \tfor entry in ${failed[@]+"${failed[@]}"}; do
            \t\tvisible "  failed: $entry"
            \tdone
            \tif ((untried > 0)); then
            \t\techo "  not tried: $untried node(s), after the first failure (this script stops at the first failure)"
            \tfi
            \tif ((${#failed[@]} > 0)); then
            \t\treturn 1
            \tfi
            }

            """
    }
}

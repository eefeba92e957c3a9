/// The load script's driver: the archive check, the copy, and each node's check → copy → load.
extension NodeScript {
    static func loadDriver(_ options: NodeScriptOptions, delta: NodeDelta?) -> String {
        """
        loaded=()
        skipped=()

        # The archive must be the one this script was generated for: the nodes check the same sha256.
        check_archive() {
        \tlocal sum
        \tif [[ ! -f $archive ]]; then
        \t\techo "airgap: no archive at $archive; run this script where the archive is, or set AIRGAP_ARCHIVE" >&2
        \t\texit 1
        \tfi
        \techo "airgap: checking the sha256 of $archive"
        \tsum=$(sha256sum <"$archive")
        \tsum=${sum%% *}
        \tif [[ $sum != "$archive_sha256" ]]; then
        \t\techo "airgap: $archive has sha256 $sum, not $archive_sha256: it is not the archive this script was generated for" >&2
        \t\texit 1
        \tfi
        }

        \(copyFunction(options.copy))
        # Checks, copies and loads one node; fails when the node failed (reported already).
        load_node() {
        \tlocal node=$1 output result copy
        \tcopy=$(copy_path "$node")
        \techo "$node: checking ${#images[@]} images"
        \tif ! run_step "$node" check "$copy" "${images[@]}"; then
        \t\tfail "$node" "checking its images: ${result#failed: }" "$output"
        \t\treturn 1
        \tfi
        \tif [[ $result == 'missing 0 of '* ]]; then
        \t\techo "$node: skipped, every image is present"
        \t\tskipped+=("$node")
        \t\treturn 0
        \tfi
        \(delta == nil ? "\techo \"$node: ${result#missing } images missing; copying $archive\"" : layerCheck)
        \tif ! copy_archive "$node" "$copy"; then
        \t\tfail "$node" "copying the archive to $copy failed" ""
        \t\treturn 1
        \tfi
        \techo "$node: loading"
        \tif ! run_step "$node" load "$copy" "$archive_sha256" "${images[@]}"; then
        \t\tfail "$node" "${result#failed: }" "$output"
        \t\treturn 1
        \tfi
        \techo "$node: loaded ${#images[@]} images"
        \tloaded+=("$node")
        }

        \(summaryFunction(counting: ["loaded", "skipped"], describing: ["skipped": "skipped (every image present)"]))
        """
    }

    /// For a delta, between the image check and the copy: the node must hold every layer the delta
    /// left out, else it fails naming the bases, before anything is copied.
    private static let layerCheck = """
        \techo "$node: ${result#missing } images missing; checking the ${#layers[@]} layers the delta relies on"
        \tif ! run_step "$node" layers "${layers[@]}"; then
        \t\tfail "$node" "checking its layers: ${result#failed: }" "$output"
        \t\treturn 1
        \tfi
        \tif [[ $result != 'layers missing 0 of '* ]]; then
        \t\tfail "$node" "it lacks ${result#layers missing } layers this delta relies on; load $delta_bases on it first, then this delta" "$output"
        \t\treturn 1
        \tfi
        \techo "$node: every layer is there; copying $archive"
        """

    /// `copy_archive NODE COPY`: the chosen method, or a plain copy for AIRGAP_THIS_HOST=1.
    private static func copyFunction(_ method: CopyMethod) -> String {
        let remote: String
        switch method {
        case .scp:
            remote = """
                \taddress=$(oc get "$node" -o jsonpath=\(ShellQuoting.word(ClusterCommands.internalIPPath))) || return
                \taddress=${address%% *}
                \tif [[ -z $address ]]; then
                \t\techo "$node: oc reports no InternalIP address" >&2
                \t\treturn 1
                \tfi
                \t# An IPv6 address goes in brackets; ./ keeps a colon in a relative name from reading as host:path.
                \tif [[ $address == *:* ]]; then
                \t\taddress="[$address]"
                \tfi
                \tif [[ $source != /* ]]; then
                \t\tsource=./$source
                \tfi
                \tscp \(ClusterCommands.scpOptions.joined(separator: " ")) -- "$source" "core@$address:$copy"
                """
        case .stream:
            remote = """
                \t# oc debug passes stdin to the command only with -T.
                \t# shellcheck disable=SC2016 # $1 is expanded by the node's shell
                \toc debug -T ${debug_options[@]+"${debug_options[@]}"} "$node" -- chroot /host bash -c \(ShellQuoting.word(ClusterCommands.streamProgram)) airgap-node "$copy" <"$archive"
                """
        }
        let locals = method == .scp ? "local node=$1 copy=$2 address source=$archive" : "local node=$1 copy=$2"
        let how = method == .scp ? "scp as core to the node's InternalIP" : "streamed through oc debug -T"
        return """
            # Copies the archive to COPY on the node (\(how)), or here for AIRGAP_THIS_HOST=1.
            copy_archive() {
            \t\(locals)
            \tif [[ $node == "$this_host" ]]; then
            \t\tcp -- "$archive" "$copy"
            \t\treturn
            \tfi
            \(remote)
            }

            """
    }
}

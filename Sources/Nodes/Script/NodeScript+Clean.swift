/// The clean-up script's driver: each node's `podman rmi` of the archive's images.
extension NodeScript {
    static func cleanDriver() -> String {
        """
        cleaned=()

        # Removes the archive's images from one node; fails when the node failed (reported already).
        clean_node() {
        \tlocal node=$1 output result
        \techo "$node: removing ${#images[@]} images"
        \tif ! run_step "$node" clean "$(copy_path "$node")" "${images[@]}"; then
        \t\tfail "$node" "${result#failed: }" "$output"
        \t\treturn 1
        \tfi
        \tvisible "$node: $result"
        \tcleaned+=("$node")
        }

        \(summaryFunction(counting: ["cleaned"]))
        """
    }
}

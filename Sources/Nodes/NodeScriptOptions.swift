/// How the archive reaches a node's disk.
public enum CopyMethod: String, Sendable, Hashable, CaseIterable {
    /// `scp` as `core` to the node's InternalIP, as the seed procedure does: needs SSH access to
    /// the nodes and the `core` user's key.
    case scp
    /// Streamed through the API server: `oc debug -T node/N -- chroot /host bash -c 'cat >"$1"'`
    /// with the archive on stdin. `oc debug` passes stdin to a command only when `-T` is given
    /// (openshift/oc pkg/cli/debug/debug.go, `Complete`), so this needs an `oc` with `-T`
    /// (`--no-tty`), and no SSH at all.
    case stream
}

/// Everything a node procedure depends on besides the archive: which nodes, how to reach them,
/// and what to do when one fails.
public struct NodeScriptOptions: Sendable, Hashable {
    /// The image `oc debug` runs on the node (`--image`), e.g. a mirrored support-tools image;
    /// `nil` lets oc choose its default, which a disconnected cluster may not be able to pull.
    public var toolsImage: String?
    /// How the archive is copied (load only).
    public var copy: CopyMethod
    public var nodes: NodeSelection
    /// Go on to the next node after a failure, and report every failure at the end.
    public var keepGoing: Bool
    /// What the script's header says wrote it: the program, its version and the command.
    public var generator: String

    public init(
        toolsImage: String? = nil, copy: CopyMethod = .scp, nodes: NodeSelection = .all, keepGoing: Bool = false,
        generator: String = "airgap"
    ) {
        self.toolsImage = toolsImage
        self.copy = copy
        self.nodes = nodes
        self.keepGoing = keepGoing
        self.generator = generator
    }
}

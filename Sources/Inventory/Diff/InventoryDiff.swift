import OCI

/// The images a test run pulled, derived from `crictl images` snapshots of every node taken
/// before and after it: the seed's "run the command before and after … and see which images were
/// pulled", made exact.
///
/// Built by `InventoryDiff.between(before:after:)`, a pure function of the snapshots.
public struct InventoryDiff: Sendable, Hashable, Codable {
    /// Every image pulled on at least one node, sorted by full name: the suite's images. An image
    /// already cached on one node but pulled on another is here; one present before on every node
    /// is not (nothing tells that the run used it).
    public var images: [ImageReference]
    /// Images present on some node before and gone after, sorted: the kubelet may have
    /// garbage-collected them during the run, so the run may have used them too.
    public var removed: [ImageReference]
    /// What changed on each node, sorted by node name.
    public var nodes: [NodeChange]
    /// Things the diff could not account for (a name crictl listed that is not a valid reference,
    /// an image with no name at all), one sentence each.
    public var notes: [String]

    public init(images: [ImageReference], removed: [ImageReference], nodes: [NodeChange], notes: [String] = []) {
        self.images = images
        self.removed = removed
        self.nodes = nodes
        self.notes = notes
    }

    /// The union as an image list, for `bundle -f`, the catalog and the renderers.
    public var imageList: ImageList { ImageList(images) }
}

/// What a run changed on one node.
public struct NodeChange: Sendable, Hashable, Codable {
    public var node: String
    /// Images present after and not before, by id or by name, sorted.
    public var pulled: [ImageReference]
    /// Images present before and gone after, sorted.
    public var removed: [ImageReference]
    /// True for a node with a snapshot after the run only (added during it); it is compared with
    /// what every node held before, so the cluster's own images do not count as pulled.
    public var isNew: Bool

    public init(node: String, pulled: [ImageReference], removed: [ImageReference], isNew: Bool = false) {
        self.node = node
        self.pulled = pulled
        self.removed = removed
        self.isNew = isNew
    }

    enum CodingKeys: String, CodingKey {
        case node, pulled, removed
        case isNew = "new"
    }
}

/// Why two sets of snapshots cannot be compared.
public enum InventoryDiffError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A node has a snapshot before the run and none after.
    case nodeMissingAfter(node: String, before: String, afterNodes: [String])

    public var description: String {
        switch self {
        case .nodeMissingAfter(let node, let before, let afterNodes):
            var message =
                "node \(node) has a snapshot before the run (\(before)) but none after: was it removed, "
                + "or did collection fail on it? Collect it again, or leave its before snapshot out"
            let positional = node.hasPrefix("#"), otherPositional = afterNodes.contains { $0.hasPrefix("#") }
            if positional != otherPositional, !afterNodes.isEmpty {
                message +=
                    ". Outputs without oc debug's `Starting pod/` lines are named by position (#1, #2, …); "
                    + "keep (or drop) those lines in both files"
            }
            let shown = afterNodes.prefix(5).joined(separator: ", ") + (afterNodes.count > 5 ? ", …" : "")
            return message + " (nodes after: \(shown.isEmpty ? "none" : shown))"
        }
    }
}

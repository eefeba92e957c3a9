/// One image as `crictl images -o json` (or `-o yaml`) describes it on a node.
///
/// Only what the inventory uses is kept. crictl's other fields (`uid`, `username`, `spec`) are
/// read past: their shape changed between versions (`uid` is `{"value": …}`, `null` or absent)
/// and nothing here depends on them.
public struct CrictlImage: Sendable, Hashable, Codable {
    /// The image id, `sha256:<hex>` of its config: the same content has the same id under any name.
    public var id: String
    /// `repository:tag` names, as the runtime stores them. Empty for an image pulled by digest.
    public var repoTags: [String]
    /// `repository@sha256:…` names. CRI-O lists at least one for every pulled image.
    public var repoDigests: [String]
    /// The size in bytes (crictl writes it as a string: protobuf JSON's uint64), when given.
    public var size: UInt64?
    /// True when the runtime keeps the image from garbage collection (the pause image); absent
    /// before CRI v1 added the field.
    public var pinned: Bool?

    public init(id: String, repoTags: [String] = [], repoDigests: [String] = [], size: UInt64? = nil, pinned: Bool? = nil) {
        self.id = id
        self.repoTags = repoTags
        self.repoDigests = repoDigests
        self.size = size
        self.pinned = pinned
    }
}

/// What one node's runtime held at one moment: one `crictl images` output.
public struct NodeSnapshot: Sendable, Hashable {
    /// The node's name: from the file name, from `oc debug`'s `Starting pod/NAME-debug` line, or
    /// `#N` for the N-th unnamed output of a concatenated file (see `SnapshotLoader`).
    public var node: String
    /// The images, in crictl's order.
    public var images: [CrictlImage]
    /// Where it was read: `path` or `path:line` for one of several outputs in a file.
    public var origin: String

    public init(node: String, images: [CrictlImage], origin: String) {
        self.node = node
        self.images = images
        self.origin = origin
    }
}

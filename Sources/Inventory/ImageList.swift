import OCI

/// An ordered list of distinct, normalized image references: what to mirror or bundle.
///
/// Read one from a list file or from the seed's `export IMAGES=( … )` bash array with
/// `parse(_:source:)` or `load(contentsOf:)`; write one with `rendered(as:)`.
/// An empty list is not an error here: whether it is one is the caller's decision.
public struct ImageList: Sendable, Hashable {
    /// The references in first-seen order. The initializers and `merging(_:)` keep them
    /// distinct; distinct means after normalization (`busybox:1.29` is
    /// `docker.io/library/busybox:1.29`).
    public var references: [ImageReference]

    /// A list of `references` with later duplicates dropped.
    public init(_ references: some Sequence<ImageReference> = []) {
        var seen = Set<ImageReference>()
        // `insert` reports whether the reference is new, so the first occurrence wins.
        self.references = references.filter { seen.insert($0).inserted }
    }

    /// True when the list names no image.
    public var isEmpty: Bool { references.isEmpty }

    /// This list followed by the references of `other` that it does not already hold.
    public func merging(_ other: ImageList) -> ImageList {
        ImageList(references + other.references)
    }
}

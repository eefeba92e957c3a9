import OCI

/// How a new image list differs from a suite: what `airgap inventory compare` prints.
public struct SuiteComparison: Sendable, Hashable, Codable {
    /// The suite compared with.
    public var suite: String
    /// In the new list and not in the suite, sorted.
    public var added: [ImageReference]
    /// In the suite and not in the new list, sorted.
    public var dropped: [ImageReference]
    /// In both, sorted.
    public var unchanged: [ImageReference]

    public init(suite: Suite, against new: ImageList) {
        let old = Set(suite.images.references), current = Set(new.references)
        self.suite = suite.name
        added = ImageList(new.references.filter { !old.contains($0) }).sorted.references
        dropped = ImageList(suite.images.references.filter { !current.contains($0) }).sorted.references
        unchanged = ImageList(new.references.filter { old.contains($0) }).sorted.references
    }

    /// True when the lists hold the same images.
    public var isSame: Bool { added.isEmpty && dropped.isEmpty }

    /// A summary line, then `+ ADDED` and `- DROPPED` lines, as `diff` marks them.
    public var text: String {
        let counts = "\(added.count) added, \(dropped.count) dropped, \(unchanged.count) unchanged"
        let head =
            "suite \(suite) (\(dropped.count + unchanged.count) images) against the new list "
            + "(\(added.count + unchanged.count) images): " + (isSame ? "the same images" : counts)
        return head + "\n" + added.map { "+ \($0)\n" }.joined() + dropped.map { "- \($0)\n" }.joined()
    }
}

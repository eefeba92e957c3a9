/// A named set of images that a test suite pulls, as the seed document lists them.
public struct Suite: Sendable, Hashable {
    /// The suite's name, as in the seed's `tests-lists/<name>.txt`, e.g. `openshift-conformance-minimal`.
    public var name: String
    /// One line saying where the list comes from.
    public var summary: String
    /// The images the suite's tests pull.
    public var images: ImageList

    public init(name: String, summary: String, images: ImageList) {
        self.name = name
        self.summary = summary
        self.images = images
    }
}

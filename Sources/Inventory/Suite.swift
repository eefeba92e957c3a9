/// A named set of images that a test suite pulls: one of the seed document's lists, or one a user
/// derived with `airgap inventory diff` and stored with `save-suite`.
public struct Suite: Sendable, Hashable {
    /// The suite's name, as in the seed's `tests-lists/<name>.txt`, e.g. `openshift-conformance-minimal`.
    public var name: String
    /// One line saying where the list comes from.
    public var summary: String
    /// The images the suite's tests pull.
    public var images: ImageList
    /// The file a stored suite is kept in; `nil` for the built-in suites.
    public var path: String?

    public init(name: String, summary: String, images: ImageList, path: String? = nil) {
        self.name = name
        self.summary = summary
        self.images = images
        self.path = path
    }

    /// True for the suites that ship in the binary (`SuiteCatalog.builtIn`).
    public var isBuiltIn: Bool { path == nil }
}

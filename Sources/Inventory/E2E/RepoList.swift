import Yams

/// A `KUBE_TEST_REPO_LIST` file: YAML mapping `RegistryList` keys to registries, e.g.
/// `promoterE2eRegistry: registry.example.com/e2e-test-images`. e2e.test unmarshals it over the
/// defaults, so each key present replaces one registry and the others keep their defaults.
public struct RepoList: Sendable, Hashable {
    /// One `key: registry` line.
    public struct Entry: Sendable, Hashable {
        /// A `RegistryList` YAML key, e.g. `promoterE2eRegistry`.
        public var key: String
        /// The registry (and path) that replaces the default, e.g. `registry.example.com/e2e`.
        public var registry: String

        public init(key: String, registry: String) {
            self.key = key
            self.registry = registry
        }
    }

    /// The overrides, in the file's order.
    public var entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// Deeper nesting is refused before Yams recurses into it; a repo list is one flat mapping.
    static let maximumDepth = 64

    /// Parses the YAML text. An empty file overrides nothing, as in e2e.test.
    public static func parse(_ text: String, source: String) throws(E2EManifestError) -> RepoList {
        let root: Node?
        do {
            root = try BoundedYAML.compose(text, maximumDepth: maximumDepth)
        } catch {
            throw .invalidRepoList(source: source, line: error.line, reason: error.reason)
        }
        guard let root, root.null == nil else { return RepoList(entries: []) }
        guard case .mapping(let mapping) = root else {
            throw .invalidRepoList(source: source, line: root.mark?.line ?? 1, reason: "the file is not a mapping")
        }
        var entries: [Entry] = []
        for (key, value) in mapping {
            guard case .scalar(let name) = key else {
                throw .invalidRepoList(source: source, line: key.mark?.line ?? 1, reason: "a key that is not a name")
            }
            guard case .scalar(let registry) = value, value.null == nil, !registry.string.isEmpty else {
                throw .invalidRepoList(
                    source: source, line: value.mark?.line ?? 1,
                    reason: "\(name.string) must be a registry, such as registry.example.com/e2e")
            }
            entries.append(Entry(key: name.string, registry: registry.string))
        }
        return RepoList(entries: entries)
    }

    /// Reads and parses the file at `path`.
    public static func load(contentsOf path: String) throws(E2EManifestError) -> RepoList {
        let bytes: [UInt8]
        do { bytes = try FileReading.bytes(atPath: path) } catch { throw .unreadable(path: path, reason: error.reason) }
        return try parse(String(decoding: bytes, as: UTF8.self), source: path)
    }
}

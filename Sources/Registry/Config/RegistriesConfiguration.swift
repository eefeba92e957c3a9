/// registries.conf version 2, as containers-registries.conf(5) describes it: per-namespace
/// `[[registry]]` tables that remap, mirror, block or mark insecure the images under a prefix.
///
/// Build one with `init(parsing:file:)` for a single file or `load(_:)` for the file and its
/// drop-ins; ask it where to pull from with `pullSources(for:)`.
public struct RegistriesConfiguration: Sendable, Hashable {
    /// The `[[registry]]` tables, prefixes unique.
    public var registries: [Entry]
    /// `unqualified-search-registries`: kept for short-name resolution, not used yet. `nil` when
    /// no file set it; a drop-in that sets it (even to `[]`) replaces the earlier value.
    public var unqualifiedSearchRegistries: [String]?

    public init(registries: [Entry] = [], unqualifiedSearchRegistries: [String]? = nil) {
        self.registries = registries
        self.unqualifiedSearchRegistries = unqualifiedSearchRegistries
    }

    /// Where a `[[registry]]` table was written, for messages: the file and its position there.
    public struct Origin: Sendable, Hashable, CustomStringConvertible {
        /// The file the table came from.
        public var file: String
        /// 1-based position among the file's `[[registry]]` tables.
        public var index: Int

        public init(file: String, index: Int) {
            self.file = file
            self.index = index
        }

        public var description: String { "\(file): [[registry]] #\(index)" }
    }

    /// One `[[registry]]` table ("NAMESPACED `[[registry]]` SETTINGS").
    public struct Entry: Sendable, Hashable {
        /// The names this entry covers; defaults to `location` when the file leaves it out.
        public var prefix: RegistryPrefix
        /// Where the prefix-rooted namespace physically lives. `nil` only for a wildcard prefix
        /// written without a location: the names are then used as they are.
        public var location: String?
        /// Allow plain HTTP and unverified TLS for the location.
        public var insecure: Bool
        /// Refuse to pull any name under the prefix.
        public var blocked: Bool
        /// Use the mirrors only for references that carry a digest.
        public var mirrorByDigestOnly: Bool
        /// `[[registry.mirror]]` tables, in the order to try them.
        public var mirrors: [Mirror]
        /// Where the table was written.
        public var origin: Origin?

        public init(
            prefix: RegistryPrefix,
            location: String?,
            insecure: Bool = false,
            blocked: Bool = false,
            mirrorByDigestOnly: Bool = false,
            mirrors: [Mirror] = [],
            origin: Origin? = nil
        ) {
            self.prefix = prefix
            self.location = location
            self.insecure = insecure
            self.blocked = blocked
            self.mirrorByDigestOnly = mirrorByDigestOnly
            self.mirrors = mirrors
            self.origin = origin
        }
    }

    /// One `[[registry.mirror]]` table: a (possibly partial) mirror of the entry's namespace.
    public struct Mirror: Sendable, Hashable {
        /// `host[:port][/namespace]` that replaces the entry's prefix in the name.
        public var location: String
        /// Allow plain HTTP and unverified TLS for this mirror.
        public var insecure: Bool
        /// Which references may use this mirror.
        public var pullFromMirror: PullFromMirror

        public init(location: String, insecure: Bool = false, pullFromMirror: PullFromMirror = .all) {
            self.location = location
            self.insecure = insecure
            self.pullFromMirror = pullFromMirror
        }
    }

    /// `pull-from-mirror`: which pulls a mirror serves. A mirror kept in sync by digest only
    /// (OpenShift's ImageDigestMirrorSet) must not answer tag pulls; a tag-following mirror
    /// (ImageTagMirrorSet) need not answer digest pulls.
    public enum PullFromMirror: String, Sendable, Hashable, CaseIterable {
        /// Both tag and digest pulls (the default, also when the value is empty).
        case all
        /// Only references with a digest.
        case digestOnly = "digest-only"
        /// Only references with a tag and no digest.
        case tagOnly = "tag-only"

        /// Whether a reference with (or without) a digest may use a mirror with this setting.
        func admits(hasDigest: Bool) -> Bool {
            switch self {
            case .all: true
            case .digestOnly: hasDigest
            case .tagOnly: !hasDigest
            }
        }
    }
}

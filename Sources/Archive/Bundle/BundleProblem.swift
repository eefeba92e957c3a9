import Foundation

/// One thing wrong with an offline archive, as ``BundleVerifier`` reports it: what kind of problem,
/// which entry or image it concerns, and a message for users.
public struct BundleProblem: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Errors make an archive fail verification; warnings do not stop any loader.
    public enum Severity: String, Sendable, Hashable, Codable {
        case error, warning
    }

    /// What kind of problem, stable for scripts reading `--output json`.
    public enum Code: String, Sendable, Hashable, Codable, CaseIterable {
        /// A link, an absolute name, a `..` component or a device: the archive is refused whole.
        case unsafeEntry
        /// A blob's bytes do not hash to its name.
        case digestMismatch
        /// A blob's size differs from a descriptor pointing at it.
        case sizeMismatch
        /// A descriptor or a `manifest.json` path points at a blob the archive lacks.
        case missingBlob
        case missingOCILayout
        /// `oci-layout` unparseable or not version 1.0.0.
        case invalidOCILayout
        case missingIndex
        /// `index.json` unparseable, or listing no image.
        case invalidIndex
        /// A manifest or index blob that cannot be read as its descriptor says.
        case invalidManifest
        /// A config blob that cannot be read as an image config.
        case invalidConfig
        /// An `index.json` entry without its name annotations.
        case missingName
        /// `ref.name` and `io.containerd.image.name` differ.
        case conflictingNames
        /// A name that is not a full reference (`busybox:1.29` rather than `docker.io/library/busybox:1.29`).
        case shortName
        case missingDockerManifest
        /// `manifest.json` unparseable.
        case invalidDockerManifest
        /// A `manifest.json` path that is not `blobs/sha256/<hex>`.
        case invalidDockerPath
        /// A `manifest.json` entry whose layer count differs from its config's `rootfs.diff_ids`.
        case layerCountMismatch
        /// A RepoTag with no image of that name in `index.json`.
        case unknownRepoTag
        /// An `index.json` image that no RepoTag names: docker and podman would not load it.
        case missingRepoTag
        /// A `manifest.json` entry without RepoTags.
        case untaggedImage
        /// The two views give one name different configs or layers.
        case viewsDisagree
        /// The same entry name twice in the tar.
        case duplicateEntry
        /// The same image name twice in `index.json` or `manifest.json`.
        case duplicateName
        /// A file or directory that is no part of the format.
        case strayEntry
        /// A blob no image uses.
        case unusedBlob
        /// The file does not hash to what its `NAME.sha256` (or the `.parts` list) records.
        case checksumMismatch
        /// `NAME.sha256` is there but cannot be read as a `sha256sum` line for the archive.
        case invalidChecksumFile
        /// A layer a delta left out that none of the given base archives holds intact.
        case missingFromBase
        /// A part a `.parts` list names that is missing, or differs from the list.
        case partMismatch
    }

    public var severity: Severity
    public var code: Code
    /// The entry (`blobs/sha256/…`, `index.json`) or image name the problem concerns.
    public var subject: String
    /// One line for users, naming the subject and what is wrong.
    public var message: String

    public init(_ severity: Severity, _ code: Code, subject: String, message: String) {
        self.severity = severity
        self.code = code
        self.subject = subject
        self.message = message
    }

    static func error(_ code: Code, _ subject: String, _ message: String) -> BundleProblem {
        BundleProblem(.error, code, subject: subject, message: message)
    }

    static func warning(_ code: Code, _ subject: String, _ message: String) -> BundleProblem {
        BundleProblem(.warning, code, subject: subject, message: message)
    }

    /// The problem an unsafe entry makes, for callers that report rather than throw.
    public init?(_ error: BundleReadError) {
        guard case .unsafeEntry(_, let entry, _) = error else { return nil }
        self.init(.error, .unsafeEntry, subject: entry, message: error.description)
    }

    public var description: String { "\(severity.rawValue): \(message)" }
}

/// The outcome of verifying one archive: how much was checked, and every problem found.
public struct BundleVerification: Sendable, Hashable, Codable {
    /// The archive's path.
    public var archive: String
    /// Whether no error was found (warnings allowed).
    public var valid: Bool
    /// How many images `index.json` lists.
    public var images: Int
    /// How many blobs were hashed.
    public var blobs: Int
    /// How many blob bytes were hashed.
    public var bytes: Int64
    /// Errors first, then warnings, each group in the order found.
    public var problems: [BundleProblem]

    /// For a delta: its bases, and the layers it left out for them.
    public var delta: DeltaSummary?
    /// The checksum file the whole file was checked against, when there was one.
    public var checksumFile: String?

    public struct DeltaSummary: Sendable, Hashable, Codable {
        /// The bases the delta names.
        public var bases: [DeltaBase]
        /// Layers the images use that the delta does not hold, and their bytes.
        public var leftOutLayers: Int
        public var leftOutBytes: Int64
        /// The base archives the left-out layers were checked in (`verify --base`); empty when none
        /// were given, and the layers were not checked.
        public var checkedAgainst: [String]
    }

    public init(
        archive: String, images: Int, blobs: Int, bytes: Int64, problems: [BundleProblem], delta: DeltaSummary? = nil,
        checksumFile: String? = nil
    ) {
        self.delta = delta
        self.checksumFile = checksumFile
        self.archive = archive
        self.images = images
        self.blobs = blobs
        self.bytes = bytes
        self.problems = problems.filter { $0.severity == .error } + problems.filter { $0.severity == .warning }
        self.valid = !problems.contains { $0.severity == .error }
    }

    /// The problems that fail the archive.
    public var errors: [BundleProblem] { problems.filter { $0.severity == .error } }
    /// The problems no loader minds.
    public var warnings: [BundleProblem] { problems.filter { $0.severity == .warning } }
}

import Foundation
import OCI

/// What one pass of ``BundleReader`` found in an offline archive: the parsed root files, every blob
/// with the digest its bytes really have, and the small JSON blobs (manifests, indexes, configs) kept
/// in memory. Layers are never kept; only their sizes and digests are.
///
/// Nothing here is judged yet: ``BundleVerifier`` turns it into problems, and ``inspection()`` into a
/// listing. ``smallBlobs`` holds only blobs whose bytes match their name, so whatever is read from it
/// can be trusted.
public struct BundleContents: Sendable {
    /// A root file (`oci-layout`, `index.json`, `manifest.json`) as found.
    public enum Document<Value: Sendable>: Sendable {
        /// The archive has no such entry.
        case absent
        /// The entry is there but does not parse; the text says why.
        case malformed(String)
        /// The entry parsed.
        case parsed(Value)

        /// The parsed value, if any.
        public var value: Value? {
            if case .parsed(let value) = self { value } else { nil }
        }
    }

    /// One `blobs/sha256/<hex>` entry.
    public struct Blob: Sendable, Hashable, Codable {
        /// The entry's name in the archive.
        public var entry: String
        /// The digest the name claims.
        public var digest: Digest
        /// The bytes actually stored.
        public var size: Int64
        /// The sha256 of the bytes actually stored.
        public var computedDigest: Digest

        public init(entry: String, digest: Digest, size: Int64, computedDigest: Digest) {
            self.entry = entry
            self.digest = digest
            self.size = size
            self.computedDigest = computedDigest
        }

        /// Whether the bytes hash to the blob's name.
        public var isIntact: Bool { digest == computedDigest }
    }

    /// The archive's path, as given to the reader.
    public var archivePath: String
    /// The archive file's size in bytes.
    public var archiveSize: Int64
    /// `oci-layout`'s `imageLayoutVersion`.
    public var ociLayoutVersion: Document<String>
    /// `index.json`: one descriptor per image.
    public var index: Document<ImageIndex>
    /// `manifest.json`: the docker view, one entry per image.
    public var dockerManifest: Document<[DockerArchiveEntry]>
    /// Every blob entry by the digest its name claims. For a duplicated entry, the last one wins,
    /// as it would when the tar is extracted.
    public var blobs: [Digest: Blob]
    /// Manifests, indexes and configs: intact blobs of at most ``BundleReader/Limits/smallBlobSize``
    /// bytes whose first non-blank byte is `{`.
    public var smallBlobs: [Digest: Data]
    /// Names that occur more than once (each listed once), in archive order.
    public var duplicateEntries: [String]
    /// Files and directories that are no part of the format (directories end in `/`), in archive order.
    public var strayEntries: [String]
    /// How many entries the tar holds, directories included.
    public var entryCount: Int
    /// The sha256 of the whole file, when the reader was asked for it.
    public var fileDigest: Digest?
    /// A delta's empty entries standing for the layers it left out (``BundleLayout/isPlaceholder``);
    /// they are not in ``blobs``.
    public var placeholders: Set<Digest> = []

    /// The archives a delta leaves layers out for (``DeltaBase``); `nil` for a full archive.
    public var deltaBases: [DeltaBase]? {
        index.value.flatMap(DeltaBase.bases(of:))
    }

    public init(
        archivePath: String, archiveSize: Int64 = 0, ociLayoutVersion: Document<String> = .absent,
        index: Document<ImageIndex> = .absent, dockerManifest: Document<[DockerArchiveEntry]> = .absent,
        blobs: [Digest: Blob] = [:], smallBlobs: [Digest: Data] = [:], duplicateEntries: [String] = [],
        strayEntries: [String] = [], entryCount: Int = 0
    ) {
        self.archivePath = archivePath
        self.archiveSize = archiveSize
        self.ociLayoutVersion = ociLayoutVersion
        self.index = index
        self.dockerManifest = dockerManifest
        self.blobs = blobs
        self.smallBlobs = smallBlobs
        self.duplicateEntries = duplicateEntries
        self.strayEntries = strayEntries
        self.entryCount = entryCount
    }

    /// The bytes of all blobs together.
    public var blobBytes: Int64 { blobs.values.reduce(0) { $0 + $1.size } }

    /// The images `index.json` lists, in its order, with the name each is annotated with. Built
    /// anew on each call (O(images)): take it once, never once per image.
    public var images: [Image] {
        (index.value?.manifests ?? []).enumerated().map { position, descriptor in
            Image(position: position, descriptor: descriptor)
        }
    }

    /// One `index.json` entry: an image manifest, or a whole index with `--all-platforms`.
    public struct Image: Sendable, Hashable {
        /// Where the entry is in `index.json`, from 0.
        public var position: Int
        /// The descriptor as written.
        public var descriptor: Descriptor

        /// `org.opencontainers.image.ref.name`.
        public var referenceName: String? { descriptor.annotations?[BundleLayout.refNameAnnotation] }
        /// `io.containerd.image.name`.
        public var containerdName: String? { descriptor.annotations?[BundleLayout.containerdNameAnnotation] }
        /// The name to show: either annotation, or the entry's position when it has none.
        public var label: String { referenceName ?? containerdName ?? "index.json entry \(position + 1)" }
    }
}

/// A content descriptor: what a manifest or index says about a blob it points to
/// (https://github.com/opencontainers/image-spec/blob/main/descriptor.md).
public struct Descriptor: Sendable, Hashable, Codable {
    /// The type of the referenced content.
    public var mediaType: MediaType
    /// The digest of the referenced content's exact bytes.
    public var digest: Digest
    /// The size in bytes of the referenced content; never negative, at most ``maximumSize`` when decoded.
    public var size: Int64
    /// Other places the content may be fetched from (foreign and nondistributable layers).
    public var urls: [String]?
    /// Arbitrary metadata, e.g. `org.opencontainers.image.ref.name`.
    public var annotations: [String: String]?
    /// The platform of an index entry.
    public var platform: Platform?
    /// The artifact type of the referenced manifest, for artifacts.
    public var artifactType: MediaType?

    public init(
        mediaType: MediaType, digest: Digest, size: Int64, urls: [String]? = nil,
        annotations: [String: String]? = nil, platform: Platform? = nil, artifactType: MediaType? = nil
    ) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.urls = urls
        self.annotations = annotations
        self.platform = platform
        self.artifactType = artifactType
    }

    /// The largest size a decoded descriptor may declare: 1 TiB. Real layers stay far below it
    /// (registries cap a layer at tens of GB); anything larger is a broken or hostile document,
    /// refused before a byte is downloaded.
    public static let maximumSize: Int64 = 1 << 40

    enum CodingKeys: String, CodingKey {
        case mediaType, digest, size, urls, annotations, platform, artifactType
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        mediaType = try container.decode(MediaType.self, forKey: .mediaType)
        digest = try container.decode(Digest.self, forKey: .digest)
        size = try container.decode(Int64.self, forKey: .size)
        // The size bounds every download; a negative one is a broken or hostile document, and an
        // absurd one would let a registry stream until the disk is full before the digest fails.
        guard size >= 0 else {
            throw DecodingError.dataCorruptedError(
                forKey: .size, in: container,
                debugDescription: "descriptor \(digest) has a negative size (\(size))")
        }
        guard size <= Self.maximumSize else {
            throw DecodingError.dataCorruptedError(
                forKey: .size, in: container,
                debugDescription: "descriptor \(digest) declares \(size) bytes, over airgap's limit of "
                    + "\(Self.maximumSize) bytes (1 TiB) for one blob")
        }
        urls = try container.decodeIfPresent([String].self, forKey: .urls)
        annotations = try container.decodeIfPresent([String: String].self, forKey: .annotations)
        platform = try container.decodeIfPresent(Platform.self, forKey: .platform)
        artifactType = try container.decodeIfPresent(MediaType.self, forKey: .artifactType)
    }
}

extension Sequence where Element == Descriptor {
    /// The sum of the sizes, stopping at `Int64.max`: sizes are the registry's word until the bytes
    /// are verified, and an overflowing `+` would trap (found by fuzzing).
    public var totalSize: Int64 {
        reduce(0) { sum, descriptor in
            let (total, overflow) = sum.addingReportingOverflow(descriptor.size)
            return overflow ? (descriptor.size > 0 ? .max : .min) : total
        }
    }
}

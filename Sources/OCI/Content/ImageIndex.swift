/// An image index: an OCI image index or a Docker manifest list, which share this shape
/// (https://github.com/opencontainers/image-spec/blob/main/image-index.md).
///
/// Decoded for reading only; keep the bytes the registry sent to preserve the digest.
public struct ImageIndex: Sendable, Hashable, Codable {
    /// Always 2 for the formats airgap reads.
    public var schemaVersion: Int
    /// The index's own type; optional in OCI, always set by Docker.
    public var mediaType: MediaType?
    /// One descriptor per manifest, usually one per platform plus attestations.
    public var manifests: [Descriptor]
    /// Arbitrary metadata.
    public var annotations: [String: String]?

    public init(
        schemaVersion: Int = 2, mediaType: MediaType? = .ociImageIndex, manifests: [Descriptor],
        annotations: [String: String]? = nil
    ) {
        self.schemaVersion = schemaVersion
        self.mediaType = mediaType
        self.manifests = manifests
        self.annotations = annotations
    }
}

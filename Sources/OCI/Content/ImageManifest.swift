/// An image manifest: an OCI image manifest or a Docker schema2 manifest, which share
/// this shape (https://github.com/opencontainers/image-spec/blob/main/manifest.md).
///
/// Decoded for reading only. Keep the bytes the registry sent: re-encoding would change the
/// digest, so a manifest is always pushed and archived as received.
public struct ImageManifest: Sendable, Hashable, Codable {
    /// Always 2 for the formats airgap reads.
    public var schemaVersion: Int
    /// The manifest's own type; optional in OCI, always set by Docker.
    public var mediaType: MediaType?
    /// The artifact type, for OCI artifacts.
    public var artifactType: MediaType?
    /// The image configuration blob.
    public var config: Descriptor
    /// The layers, base first.
    public var layers: [Descriptor]
    /// The manifest this one refers to (signatures, SBOMs, attestations).
    public var subject: Descriptor?
    /// Arbitrary metadata.
    public var annotations: [String: String]?

    public init(
        schemaVersion: Int = 2, mediaType: MediaType? = .ociImageManifest, artifactType: MediaType? = nil,
        config: Descriptor, layers: [Descriptor], subject: Descriptor? = nil,
        annotations: [String: String]? = nil
    ) {
        self.schemaVersion = schemaVersion
        self.mediaType = mediaType
        self.artifactType = artifactType
        self.config = config
        self.layers = layers
        self.subject = subject
        self.annotations = annotations
    }

    /// The sum of the config and layer sizes: the bytes to fetch beyond the manifest itself.
    /// Saturates at `Int64.max` (`.min` for negative sizes built in code).
    public var contentSize: Int64 {
        ([config] + layers).totalSize
    }
}

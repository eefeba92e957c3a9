/// A media type such as `application/vnd.oci.image.manifest.v1+json`.
///
/// A struct rather than an enum so types airgap does not know (artifacts, vendor layers) pass
/// through unchanged. Sources: OCI image-spec media-types.md
/// (https://github.com/opencontainers/image-spec/blob/main/media-types.md) and Docker's
/// Image Manifest V2 Schema 2 (https://distribution.github.io/distribution/spec/manifest-v2-2/).
public struct MediaType: Sendable, Hashable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The media type exactly as written.
    public let rawValue: String

    /// Wraps a media type as written in a document; nothing is normalized.
    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// A media type written as a literal, e.g. `"application/vnd.in-toto+json"`.
    public init(stringLiteral value: String) { self.init(value) }

    /// The media type of an HTTP `Content-Type` value: parameters such as `; charset=utf-8`
    /// dropped, whitespace trimmed, lowercased (media types are case-insensitive, RFC 9110 §8.3.1).
    /// `nil` when nothing is left.
    public init?(contentType: String) {
        let essence = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)
            .first.map { $0.trimmingASCIIWhitespace().lowercased() } ?? ""
        guard !essence.isEmpty else { return nil }
        self.init(essence)
    }

    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
}

extension MediaType {
    // MARK: OCI

    /// An OCI image manifest.
    public static let ociImageManifest: MediaType = "application/vnd.oci.image.manifest.v1+json"
    /// An OCI image index.
    public static let ociImageIndex: MediaType = "application/vnd.oci.image.index.v1+json"
    /// An OCI image configuration.
    public static let ociImageConfig: MediaType = "application/vnd.oci.image.config.v1+json"
    /// The empty descriptor's type (`{}`), used as config by artifacts.
    public static let ociEmpty: MediaType = "application/vnd.oci.empty.v1+json"
    /// An uncompressed OCI layer.
    public static let ociLayer: MediaType = "application/vnd.oci.image.layer.v1.tar"
    /// A gzip-compressed OCI layer.
    public static let ociLayerGzip: MediaType = "application/vnd.oci.image.layer.v1.tar+gzip"
    /// A zstd-compressed OCI layer.
    public static let ociLayerZstd: MediaType = "application/vnd.oci.image.layer.v1.tar+zstd"
    /// An uncompressed nondistributable OCI layer: deprecated by the spec, still in Windows images.
    public static let ociLayerNondistributable: MediaType =
        "application/vnd.oci.image.layer.nondistributable.v1.tar"
    /// A gzip-compressed nondistributable OCI layer (deprecated by the spec).
    public static let ociLayerNondistributableGzip: MediaType =
        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
    /// A zstd-compressed nondistributable OCI layer (deprecated by the spec).
    public static let ociLayerNondistributableZstd: MediaType =
        "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"

    // MARK: Docker

    /// A Docker schema2 image manifest.
    public static let dockerManifest: MediaType = "application/vnd.docker.distribution.manifest.v2+json"
    /// A Docker manifest list (schema2).
    public static let dockerManifestList: MediaType =
        "application/vnd.docker.distribution.manifest.list.v2+json"
    /// A Docker image configuration.
    public static let dockerContainerConfig: MediaType = "application/vnd.docker.container.image.v1+json"
    /// A gzip-compressed Docker layer.
    public static let dockerLayer: MediaType = "application/vnd.docker.image.rootfs.diff.tar.gzip"
    /// A layer the registry may not hold: fetched from the descriptor's `urls` (Windows base layers).
    public static let dockerForeignLayer: MediaType =
        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
    /// Docker schema1, unsigned. Recognized only to be refused.
    public static let dockerSchema1Manifest: MediaType =
        "application/vnd.docker.distribution.manifest.v1+json"
    /// Docker schema1, signed (JWS). Recognized only to be refused.
    public static let dockerSchema1SignedManifest: MediaType =
        "application/vnd.docker.distribution.manifest.v1+prettyjws"

    // MARK: Kinds

    /// An OCI image index or a Docker manifest list.
    public var isIndex: Bool { self == .ociImageIndex || self == .dockerManifestList }

    /// An OCI image manifest or a Docker schema2 manifest (the same shape).
    public var isImageManifest: Bool { self == .ociImageManifest || self == .dockerManifest }

    /// Docker schema1, signed or not: deprecated and not supported.
    public var isSchema1: Bool { self == .dockerSchema1Manifest || self == .dockerSchema1SignedManifest }

    /// An image layer of any OCI or Docker layer type.
    public var isLayer: Bool {
        rawValue.hasPrefix("application/vnd.oci.image.layer.")
            || self == .dockerLayer || self == .dockerForeignLayer
    }

    /// A layer the image's publisher says may not be redistributed (it usually carries `urls`).
    public var isNondistributable: Bool {
        rawValue.hasPrefix("application/vnd.oci.image.layer.nondistributable.") || self == .dockerForeignLayer
    }

    /// An image configuration blob.
    public var isImageConfig: Bool { self == .ociImageConfig || self == .dockerContainerConfig }

    // MARK: Requests

    /// The types a manifest request accepts, most preferred first. Schema1 is left out so a
    /// registry converts or refuses rather than sending it.
    public static let manifestAccept: [MediaType] = [
        .ociImageManifest, .ociImageIndex, .dockerManifest, .dockerManifestList,
    ]

    /// `manifestAccept` as one `Accept` header value.
    public static var manifestAcceptHeader: String {
        manifestAccept.map(\.rawValue).joined(separator: ", ")
    }
}

extension StringProtocol {
    fileprivate func trimmingASCIIWhitespace() -> SubSequence {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) })
        else { return self[endIndex...] }
        return self[start...end]
    }
}

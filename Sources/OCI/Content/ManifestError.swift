import Foundation

/// Why manifest bytes cannot be used. The client adds which image and registry they came from.
public enum ManifestError: Error, Sendable, Hashable, CustomStringConvertible, LocalizedError {
    /// A Docker schema1 manifest (by Content-Type, `mediaType` or `schemaVersion: 1`).
    case schema1
    /// `schemaVersion` is missing or not 2.
    case unsupportedSchemaVersion(Int?)
    /// The document's `mediaType` field names another type than the HTTP Content-Type.
    case mediaTypeMismatch(contentType: MediaType, declared: MediaType)
    /// The type (Content-Type or `mediaType`) names one kind, the body has the other's fields:
    /// `manifests` without `config`/`layers`, or the reverse.
    case shapeMismatch(mediaType: MediaType, shapeIsIndex: Bool)
    /// A type that is neither an image manifest nor an index (an artifact manifest, a config).
    case unsupportedMediaType(MediaType)
    /// No type anywhere, and the JSON has neither `manifests` nor `config` and `layers`.
    case unrecognizedShape
    /// Not JSON, or JSON that does not fit the type; the text says where.
    case malformed(String)

    public var description: String {
        switch self {
        case .schema1:
            "Docker schema1 manifests are deprecated and not supported; "
                + "re-push the image with a current client"
        case .unsupportedSchemaVersion(let version?):
            "unsupported manifest schemaVersion \(version); airgap reads schemaVersion 2 "
                + "(OCI and Docker schema2)"
        case .unsupportedSchemaVersion(nil):
            "manifest has no schemaVersion; airgap reads schemaVersion 2 (OCI and Docker schema2)"
        case .mediaTypeMismatch(let contentType, let declared):
            "manifest served as \(contentType) declares mediaType \(declared); refusing a document "
                + "whose type is ambiguous"
        case .shapeMismatch(let mediaType, let shapeIsIndex):
            "manifest typed \(mediaType) has the fields of "
                + (shapeIsIndex ? "an index (\"manifests\", no \"config\" or \"layers\")" : "an image manifest (\"config\" and \"layers\", no \"manifests\")")
                + "; refusing a document whose type disagrees with its content"
        case .unsupportedMediaType(let mediaType):
            "unsupported manifest media type \(mediaType); airgap reads OCI image manifests and "
                + "indexes and Docker schema2 manifests and manifest lists"
        case .unrecognizedShape:
            "manifest has no media type and neither \"manifests\" nor \"config\" and \"layers\"; "
                + "it is not an image manifest or index"
        case .malformed(let reason):
            "malformed manifest: \(reason)"
        }
    }

    public var errorDescription: String? { description }
}

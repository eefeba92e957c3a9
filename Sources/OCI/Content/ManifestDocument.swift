import Foundation

/// A manifest as fetched: an image manifest or an index, decoded from the registry's bytes.
///
/// The models are for reading only. Callers keep the exact bytes next to this value: the
/// digest is of those bytes, so they are what gets verified, archived and pushed.
public enum ManifestDocument: Sendable, Hashable {
    /// The largest manifest or index read into memory: 4 MiB, as containerd caps them, so a hostile
    /// registry, cache or archive cannot make us allocate without bound.
    public static let sizeLimit = 4 * 1024 * 1024

    /// An OCI image manifest or a Docker schema2 manifest.
    case image(ImageManifest)
    /// An OCI image index or a Docker manifest list.
    case index(ImageIndex)

    /// Decodes manifest bytes served with `contentType` (the `Content-Type` media type, if any).
    ///
    /// The kind comes from the Content-Type; when that is missing or generic
    /// (`application/json`, `text/plain`, `application/octet-stream`), from the document's
    /// `mediaType` field; when that is missing too, from the shape (`manifests` → index,
    /// `config` and `layers` → image). Refused: schema1 in any guise, a `mediaType` field that
    /// contradicts the Content-Type, a body shaped as the other kind, a `schemaVersion` other
    /// than 2, and other media types.
    /// Rules: distribution-spec "Pulling manifests" and image-spec manifest.md / image-index.md.
    public init(decoding bytes: Data, contentType: MediaType?) throws(ManifestError) {
        let probe: Probe
        do {
            probe = try JSONDecoder().decode(Probe.self, from: bytes)
        } catch {
            throw .malformed(JSONFailure.describe(error))
        }

        let served = contentType.flatMap { Self.genericTypes.contains($0) ? nil : $0 }
        let declared = probe.mediaType
        if served?.isSchema1 == true || declared?.isSchema1 == true || probe.schemaVersion == 1 {
            throw .schema1
        }
        if let served, let declared, served != declared {
            throw .mediaTypeMismatch(contentType: served, declared: declared)
        }
        guard probe.schemaVersion == 2 else { throw .unsupportedSchemaVersion(probe.schemaVersion) }

        let isIndex: Bool
        if let kind = served ?? declared {
            guard kind.isIndex || kind.isImageManifest else { throw .unsupportedMediaType(kind) }
            isIndex = kind.isIndex
            // A body of the other kind would otherwise fail as "missing key": say what it is instead.
            let shapeIsIndex = probe.hasManifests && !probe.hasConfigAndLayers
            let shapeIsImage = probe.hasConfigAndLayers && !probe.hasManifests
            if isIndex ? shapeIsImage : shapeIsIndex {
                throw .shapeMismatch(mediaType: kind, shapeIsIndex: shapeIsIndex)
            }
        } else if probe.hasManifests {
            isIndex = true
        } else if probe.hasConfigAndLayers {
            isIndex = false
        } else {
            throw .unrecognizedShape
        }

        do {
            self =
                isIndex
                ? .index(try JSONDecoder().decode(ImageIndex.self, from: bytes))
                : .image(try JSONDecoder().decode(ImageManifest.self, from: bytes))
        } catch {
            throw .malformed(JSONFailure.describe(error))
        }
    }

    /// The document's media type: its `mediaType` field, or the OCI type of its kind when the
    /// field is absent (OCI makes it optional).
    public var mediaType: MediaType {
        switch self {
        case .image(let manifest): manifest.mediaType ?? .ociImageManifest
        case .index(let index): index.mediaType ?? .ociImageIndex
        }
    }

    /// Content-Types that say nothing about which manifest kind the body is.
    static let genericTypes: Set<MediaType> = [
        "application/json", "text/plain", "application/octet-stream", "binary/octet-stream",
    ]

    /// Just enough of the document to choose how to decode it.
    private struct Probe: Decodable {
        var schemaVersion: Int?
        var mediaType: MediaType?
        var hasManifests: Bool
        var hasConfigAndLayers: Bool

        enum CodingKeys: String, CodingKey {
            case schemaVersion, mediaType, manifests, config, layers
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            schemaVersion = try container.decodeIfPresent(Int.self, forKey: .schemaVersion)
            mediaType = try container.decodeIfPresent(MediaType.self, forKey: .mediaType)
            hasManifests = container.contains(.manifests)
            hasConfigAndLayers = container.contains(.config) && container.contains(.layers)
        }
    }
}

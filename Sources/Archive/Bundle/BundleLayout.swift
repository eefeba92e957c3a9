import Foundation
import OCI

/// The names and annotation keys of airgap's offline archive: one plain tar that is at once an OCI
/// image layout (image-spec image-layout.md) and a docker archive (the `docker save` format), both
/// views pointing at the same `blobs/sha256/<hex>` entries.
public enum BundleLayout {
    /// `{"imageLayoutVersion":"1.0.0"}` marks the OCI layout.
    public static let ociLayoutFile = "oci-layout"
    public static let ociIndexFile = "index.json"
    /// The docker archive's list of images: `[{"Config", "RepoTags", "Layers"}]`.
    public static let dockerManifestFile = "manifest.json"
    public static let blobsDirectory = "blobs"
    public static let sha256Directory = "blobs/sha256"

    /// The image's full reference, the OCI layout's own name key (skopeo `oci-archive:F:NAME`, podman).
    public static let refNameAnnotation = "org.opencontainers.image.ref.name"
    /// The name containerd's `ctr images import` prefers over `ref.name`.
    public static let containerdNameAnnotation = "io.containerd.image.name"

    public static let ociLayoutContents = Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8)

    /// `blobs/sha256/<hex>`: where a blob lives in the archive and in the cache.
    public static func blobPath(_ digest: Digest) -> String {
        "\(blobsDirectory)/\(digest.algorithm)/\(digest.encoded)"
    }

    /// The sha256 of no bytes: the one digest an empty entry can truly have.
    public static let emptyDigest = Digest.compute(of: Data())

    /// Whether a blob entry of `size` bytes named for `digest` is a delta's placeholder: an empty
    /// entry standing for a layer the delta left out (``DeltaBase``). podman's docker-archive
    /// reader refuses a `manifest.json` layer with no entry at all ("Some layer tarfiles are
    /// missing"), but asks storage for the layer before reading the entry; an empty one is never
    /// read when the layer is there, and fails its digest check when it is not. `docker load`
    /// behaves so when the layer sits on the same layers as in the base (else it reads the entry
    /// and fails); `ctr images import` passes over empty entries and needs the layer in its
    /// content store (RELIABILITY.md, "Deltas and the loaders"). Only meaningful in a delta.
    public static func isPlaceholder(digest: Digest, size: Int64) -> Bool {
        size == 0 && digest != emptyDigest
    }

    /// The digest a `blobs/<alg>/<hex>` entry name claims, or `nil` for any other name.
    public static func digest(forBlobPath path: String) -> Digest? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == blobsDirectory else { return nil }
        return try? Digest("\(parts[1]):\(parts[2])")
    }
}

/// One entry of a docker archive's `manifest.json`. Paths are relative to the archive root.
public struct DockerArchiveEntry: Sendable, Hashable, Codable {
    public var config: String
    public var repoTags: [String]
    public var layers: [String]

    enum CodingKeys: String, CodingKey {
        case config = "Config"
        case repoTags = "RepoTags"
        case layers = "Layers"
    }

    public init(config: String, repoTags: [String], layers: [String]) {
        self.config = config
        self.repoTags = repoTags
        self.layers = layers
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        config = try container.decode(String.self, forKey: .config)
        // `docker save` writes null for an untagged image.
        repoTags = try container.decodeIfPresent([String].self, forKey: .repoTags) ?? []
        layers = try container.decode([String].self, forKey: .layers)
    }
}

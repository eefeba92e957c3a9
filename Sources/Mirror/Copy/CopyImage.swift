import Archive
import Foundation
import OCI
import Registry

/// One image to push: where it goes, its manifests (exact bytes), and where each blob's bytes are.
struct CopyImage: Sendable {
    /// The source's name, for messages and the summary.
    var source: String
    var destination: ImageReference
    /// What the destination's tag will point at (the index with every platform, or one manifest).
    var top: Descriptor
    /// Manifests in push order: children before the index that lists them; `top` last.
    var manifests: [Descriptor]
    var manifestBytes: [Digest: Data]
    var blobs: [Descriptor]
    var blobOrigin: BlobOrigin
}

/// Where a blob's bytes come from when the destination lacks it.
enum BlobOrigin: Sendable {
    /// A registry: fetched (verified) into the cache, then sent from the cache file.
    case registry(ImageReference)
    /// An offline archive: sent straight from the tar, at each blob entry's data offset.
    case archive(path: String, offsets: [Digest: Int64])
}

extension CopyImage {
    /// From a resolved registry image whose manifests are in `store`.
    init(_ image: ResolvedImage, destination: ImageReference, store: BlobStore) throws {
        var bytes: [Digest: Data] = [:]
        for manifest in image.manifests { bytes[manifest.digest] = try store.read(manifest.digest) }
        self.init(
            source: image.reference.description, destination: destination, top: image.top,
            manifests: image.manifests.reversed(), manifestBytes: bytes, blobs: image.blobs,
            blobOrigin: .registry(image.source))
    }
}

/// What a mirror run did, for the closing summary (and `--output json`).
public struct MirrorSummary: Sendable, Codable {
    public var images: Int = 0
    /// Images whose destination tag already pointed at the same digest: nothing sent.
    public var imagesUpToDate: Int = 0
    public var blobsUploaded: Int = 0
    public var blobsMounted: Int = 0
    public var blobsExisting: Int = 0
    public var bytesUploaded: Int64 = 0
    /// `SOURCE -> DESTINATION` of every image copied or already there.
    public var copied: [String] = []
    /// One message per image that failed.
    public var failures: [String] = []
}

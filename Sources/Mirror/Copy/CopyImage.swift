import Archive
import Foundation
import OCI
import Registry

/// One image to push: where it goes, its manifests (exact bytes), and where each blob's bytes are.
struct CopyImage: Sendable {
    /// The image as the user named it (or as the archive names it).
    var source: ImageReference
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
        for manifest in image.manifests { bytes[manifest.digest] = try store.readVerified(manifest.digest) }
        self.init(
            source: image.reference, destination: destination, top: image.top,
            manifests: image.manifests.reversed(), manifestBytes: bytes, blobs: image.blobs,
            blobOrigin: .registry(image.source))
    }
}

/// What a mirror run did: one outcome per image, in the order asked, and what the blobs took.
public struct MirrorSummary: Sendable {
    public var outcomes: [MirrorOutcome] = []
    public var blobsUploaded: Int = 0
    public var blobsMounted: Int = 0
    public var blobsExisting: Int = 0
    public var bytesUploaded: Int64 = 0

    public var images: Int { outcomes.count }
    /// The images now at their destination (copied, or there already).
    public var mirrored: [MirrorOutcome] { outcomes.filter(\.succeeded) }
    public var failures: [MirrorOutcome] { outcomes.filter { !$0.succeeded } }
    /// Images whose destination tag already pointed at the same digest: nothing sent.
    public var imagesUpToDate: Int {
        outcomes.count { if case .success(.upToDate) = $0.result { true } else { false } }
    }
}

/// What became of one image of a mirror run.
public struct MirrorOutcome: Sendable {
    public var source: ImageReference
    public var destination: ImageReference
    public var result: Result<MirroredImage, any Error>

    public var succeeded: Bool {
        if case .success = result { true } else { false }
    }

    /// The failure, when there is one.
    public var error: (any Error)? {
        if case .failure(let error) = result { error } else { nil }
    }
}

/// An image at its destination, under the digest its tag (or digest reference) names.
public enum MirroredImage: Sendable, Equatable {
    /// Sent in this run (or, in a dry run, would be).
    case copied(Digest)
    /// The destination already held it: nothing was sent.
    case upToDate(Digest)

    public var digest: Digest {
        switch self {
        case .copied(let digest), .upToDate(let digest): digest
        }
    }
}

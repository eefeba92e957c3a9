import Foundation
import OCI

/// What `airgap inspect` shows: each image of an archive, and how much the images share.
/// Built from ``BundleContents`` without judging it: `verify` says whether it is sound.
public struct BundleInspection: Sendable, Hashable, Codable {
    /// One `index.json` entry.
    public struct Image: Sendable, Hashable, Codable {
        /// The name it is annotated with (or its position in `index.json` when it has none).
        public var reference: String
        /// The `index.json` descriptor's media type: an image manifest, or an index with `--all-platforms`.
        public var mediaType: MediaType
        public var digest: Digest
        public var size: Int64
        /// `os/arch[/variant]` of each manifest: the index's children, or the image config's.
        /// Attestation manifests (`unknown/unknown`) are left out.
        public var platforms: [String]
        /// Distinct layers over all platforms (attestations left out).
        public var layers: Int
        /// The bytes of the blobs this image uses, each counted once: what the image alone would take.
        public var bytes: Int64
    }

    /// Blobs that more than one image uses, stored once.
    public struct Sharing: Sendable, Hashable, Codable {
        /// How many blobs more than one image uses.
        public var blobs: Int
        /// Their total size, counted once.
        public var bytes: Int64
        /// What storing each image alone would add: each shared blob's size times its extra users.
        public var savedBytes: Int64
    }

    /// The archive's path.
    public var archive: String
    /// The archive file's size.
    public var archiveBytes: Int64
    /// How many blobs the archive holds.
    public var blobs: Int
    /// The blobs' total size.
    public var blobBytes: Int64
    public var images: [Image]
    public var sharing: Sharing
    /// For a delta: the archives it relies on, and the layers it left out for them.
    public var delta: Delta?

    public struct Delta: Sendable, Hashable, Codable {
        public var bases: [DeltaBase]
        public var leftOutLayers: Int
        public var leftOutBytes: Int64
    }
}

extension BundleContents {
    /// The listing `airgap inspect` prints. Blobs the archive lacks count at their descriptor's size.
    public func inspection() -> BundleInspection {
        var users: [Digest: Int] = [:]
        var sizes: [Digest: Int64] = [:]
        var images: [BundleInspection.Image] = []
        var leftOut: [Digest: Int64] = [:]
        let decoded = DecodedDocuments()
        for image in self.images {
            let resolved = manifests(of: image.descriptor, decoded: decoded)
            let digests = blobDigests(of: image.descriptor, decoded: decoded)
            var knownSizes: [Digest: Int64] = [image.descriptor.digest: image.descriptor.size]
            for item in resolved {
                knownSizes[item.descriptor.digest] = item.descriptor.size
                knownSizes[item.manifest.config.digest] = item.manifest.config.size
                for layer in item.manifest.layers {
                    knownSizes[layer.digest] = layer.size
                    if blobs[layer.digest] == nil { leftOut[layer.digest] = layer.size }
                }
            }
            for digest in digests {
                users[digest, default: 0] += 1
                sizes[digest] = blobs[digest]?.size ?? knownSizes[digest] ?? 0
            }
            // Attestation manifests (`unknown/unknown`) are stored and counted in bytes, but run nowhere.
            let runnable = resolved.filter { !($0.platform?.isUnknown ?? false) }
            images.append(
                BundleInspection.Image(
                    reference: image.label, mediaType: image.descriptor.mediaType, digest: image.descriptor.digest,
                    size: image.descriptor.size, platforms: runnable.map { $0.platform?.description ?? "unknown" },
                    layers: Set(runnable.flatMap { $0.manifest.layers.map(\.digest) }).count,
                    bytes: digests.reduce(0) { $0 + (sizes[$1] ?? 0) }))
        }
        // Sharing is about what the archive stores: a delta's left-out layers are stored nowhere.
        let shared = users.filter { $0.value > 1 && (deltaBases == nil || blobs[$0.key] != nil) }
        let sharing = BundleInspection.Sharing(
            blobs: shared.count,
            bytes: shared.keys.reduce(0) { $0 + (sizes[$1] ?? 0) },
            savedBytes: shared.reduce(0) { $0 + (sizes[$1.key] ?? 0) * Int64($1.value - 1) })
        return BundleInspection(
            archive: archivePath, archiveBytes: archiveSize, blobs: blobs.count, blobBytes: blobBytes,
            images: images, sharing: sharing,
            delta: deltaBases.map { .init(bases: $0, leftOutLayers: leftOut.count, leftOutBytes: leftOut.values.reduce(0, +)) })
    }
}

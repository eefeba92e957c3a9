import Archive
import Foundation
import Logging
import OCI
import Registry

/// Pushes images to registries: blobs the destination lacks (mounted from another repository of
/// the same registry when one there has it, else uploaded), then manifests byte for byte, children
/// before indexes, the tag last — so the destination never names an image it cannot serve.
///
/// Work is planned flat: every (registry, digest) is one task in a fixed-width group, so a blob
/// shared by many images is sent once and mounted into the other repositories. An image's
/// manifests go as soon as its last blob is in, so finished images are usable (and survive an
/// interruption) while the others are still transferring.
struct ImagePusher: Sendable {
    /// The destination registries.
    let clients: RegistryClientPool
    /// The source registries, for relays.
    let sources: RegistryClientPool
    let store: BlobStore
    /// Keep relayed blobs in the cache too (a cache was asked for); by default a relay writes nothing.
    let keepBlobs: Bool
    /// The budget for starting a relay again.
    let relayRetry: RetryPolicy
    let jobs: Int
    let dryRun: Bool
    let logger: Logger
    let progress: TransferProgress
    let events: @Sendable (MirrorEvent) -> Void

    /// Pushes `images`; the summary has one outcome per image, in order.
    func push(_ images: [CopyImage]) async -> MirrorSummary {
        var results: [Result<MirroredImage, any Error>?] = Array(repeating: nil, count: images.count)
        var pending: [Int] = []
        for (position, image) in images.enumerated() {
            do {
                if try await isUpToDate(image) {
                    results[position] = .success(.upToDate(image.top.digest))
                    logger.info("\(image.destination) already holds \(image.top.digest)")
                    events(.upToDate(source: image.source.description, destination: image.destination.description))
                } else {
                    pending.append(position)
                }
            } catch {
                results[position] = .failure(error)
            }
        }
        let pendingImages = pending.map { images[$0] }
        events(.planned(pendingImages.map {
            MirrorImage(source: $0.source.description, destination: $0.destination.description, repository: $0.destination.name, blobs: $0.blobs)
        }))

        let pushed = await pushAll(pendingImages)
        for (index, position) in pending.enumerated() {
            results[position] = pushed.imageFailures[index].map { .failure($0) } ?? .success(.copied(images[position].top.digest))
        }
        var summary = MirrorSummary()
        summary.outcomes = zip(images, results).map { image, result in
            MirrorOutcome(source: image.source, destination: image.destination, result: result ?? .failure(CancellationError()))
        }
        summary.blobsUploaded = pushed.blobs.uploaded
        summary.blobsMounted = pushed.blobs.mounted
        summary.blobsExisting = pushed.blobs.existing
        summary.bytesUploaded = pushed.blobs.bytes
        return summary
    }

    /// The destination tag already points at the same digest: the image is there, complete (a
    /// registry accepts a manifest only once everything it references is present).
    private func isUpToDate(_ image: CopyImage) async throws -> Bool {
        let client = try await clients.client(for: image.destination)
        return try await client.existingManifest(image.destination)?.digest == image.top.digest
    }

    func pushManifests(of image: CopyImage) async throws {
        let client = try await clients.client(for: image.destination)
        for manifest in image.manifests {
            let isTop = manifest.digest == image.top.digest
            let reference = isTop ? image.destination.manifestReference : manifest.digest.description
            guard !dryRun else {
                logger.notice("would push manifest \(manifest.digest) as \(image.destination.name):\(reference)")
                continue
            }
            guard let bytes = image.manifestBytes[manifest.digest] else { continue }
            // Whatever the bytes came from, what goes under the tag must be the resolved digest.
            let actual = Digest.compute(of: bytes)
            guard actual == manifest.digest else {
                throw MirrorError.manifestNotItsDigest(reference: image.source.description, digest: manifest.digest, actual: actual)
            }
            try await client.pushManifest(bytes, mediaType: manifest.mediaType, to: image.destination.repository, reference: reference)
        }
    }
}

/// A blob at a destination registry: the unit of blob work.
struct BlobKey: Hashable, Sendable {
    var registry: String
    var digest: Digest

    init(_ destination: ImageReference, _ digest: Digest) {
        registry = destination.domain
        self.digest = digest
    }
}

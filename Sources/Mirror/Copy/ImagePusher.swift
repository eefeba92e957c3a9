import Archive
import Foundation
import Logging
import Registry

/// Pushes images to registries: blobs the destination lacks (mounted from another repository of
/// the same registry when one there has it, else uploaded), then manifests byte for byte, children
/// before indexes, the tag last — so the destination never names an image it cannot serve.
///
/// Work is planned flat: every (registry, digest) is one task in a fixed-width group, so a blob
/// shared by many images is sent once and mounted into the other repositories.
struct ImagePusher: Sendable {
    let clients: RegistryClientPool
    let fetcher: BlobFetcher
    let store: BlobStore
    let jobs: Int
    let dryRun: Bool
    let logger: Logger
    let progress: TransferProgress

    func push(_ images: [CopyImage]) async -> MirrorSummary {
        var summary = MirrorSummary()
        summary.images = images.count
        var pending: [CopyImage] = []
        for image in images {
            do {
                if try await isUpToDate(image) {
                    summary.imagesUpToDate += 1
                    summary.copied.append("\(image.source) -> \(image.destination)")
                    logger.info("\(image.destination) already holds \(image.top.digest)")
                } else {
                    pending.append(image)
                }
            } catch {
                summary.failures.append("\(image.source) -> \(image.destination): \(error)")
            }
        }

        let outcomes = await pushBlobs(of: pending)
        summary.blobsUploaded = outcomes.uploaded
        summary.blobsMounted = outcomes.mounted
        summary.blobsExisting = outcomes.existing
        summary.bytesUploaded = outcomes.bytes

        for image in pending {
            if let failure = image.blobs.lazy.compactMap({ outcomes.failures[BlobKey(image.destination, $0.digest)] }).first {
                summary.failures.append("\(image.source) -> \(image.destination): \(failure)")
                continue
            }
            do {
                try await pushManifests(of: image)
                summary.copied.append("\(image.source) -> \(image.destination)")
            } catch {
                summary.failures.append("\(image.source) -> \(image.destination): \(error)")
            }
        }
        return summary
    }

    /// The destination tag already points at the same digest: the image is there, complete (a
    /// registry accepts a manifest only once everything it references is present).
    private func isUpToDate(_ image: CopyImage) async throws -> Bool {
        let client = try await clients.client(for: image.destination)
        return try await client.existingManifest(image.destination)?.digest == image.top.digest
    }

    private func pushManifests(of image: CopyImage) async throws {
        let client = try await clients.client(for: image.destination)
        for manifest in image.manifests {
            let isTop = manifest.digest == image.top.digest
            let reference = isTop ? image.destination.manifestReference : manifest.digest.description
            guard !dryRun else {
                logger.notice("would push manifest \(manifest.digest) as \(image.destination.name):\(reference)")
                continue
            }
            guard let bytes = image.manifestBytes[manifest.digest] else { continue }
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

import Archive
import Foundation
import Registry

extension ImagePusher {
    /// Puts one blob into every repository of one registry that needs it: HEAD, else a mount from
    /// a repository that has it by now, else an upload. Returns each target's outcome and the
    /// bytes uploaded.
    func pushBlob(to targets: [BlobTarget]) async throws -> ([BlobPushOutcome], Int64) {
        var results: [BlobPushOutcome] = []
        var bytes: Int64 = 0
        var holder: ImageReference.Repository?
        for target in targets {
            let (image, blob) = (target.image, target.blob)
            let client = try await clients.client(for: image.destination)
            let repository = image.destination.repository
            let outcome: BlobPushOutcome
            if try await client.hasBlob(blob.digest, in: repository) {
                outcome = .existed
            } else if dryRun {
                outcome = holder == nil ? .uploaded : .mounted
                logger.notice("would \(holder == nil ? "upload" : "mount") blob \(blob.digest) (\(blob.size) bytes) to \(image.destination.name)")
            } else if let holder, try await client.mountBlob(blob.digest, from: holder, into: repository) {
                outcome = .mounted
            } else {
                let (path, offset) = try await location(of: blob, for: image)
                let position = target.position
                try await client.uploadBlob(blob, from: path, offset: offset, into: repository) { [progress, events] count in
                    progress.addSent(count)
                    events(.bytesSent(image: position, count: count))
                }
                outcome = .uploaded
                bytes += blob.size
            }
            results.append(outcome)
            if outcome != .mounted { holder = holder ?? repository }
            events(.blobDone(image: target.position, digest: blob.digest, outcome: outcome))
        }
        return (results, bytes)
    }

    /// The file slice holding the blob: the cache (fetched and verified first) or the archive.
    private func location(of blob: Descriptor, for image: CopyImage) async throws -> (String, Int64) {
        switch image.blobOrigin {
        case .registry(let source):
            try await fetcher.fetch(blob, from: source)
            return (store.path(for: blob.digest), 0)
        case .archive(let path, let offsets):
            guard let offset = offsets[blob.digest] else {
                throw BlobStoreError.unusable(root: path, reason: "the archive has no blob \(blob.digest)")
            }
            return (path, offset)
        }
    }
}

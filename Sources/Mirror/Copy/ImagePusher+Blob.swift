import Archive
import Foundation
import OCI
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
                try await upload(blob, of: image, position: target.position, with: client)
                outcome = .uploaded
                bytes += blob.size
            }
            results.append(outcome)
            if outcome != .mounted { holder = holder ?? repository }
            events(.blobDone(image: target.position, digest: blob.digest, outcome: outcome))
        }
        return (results, bytes)
    }

    /// Sends a blob the destination lacks: from the archive, from the cache, or — when the cache
    /// does not have it yet — relayed while it downloads.
    private func upload(_ blob: Descriptor, of image: CopyImage, position: Int, with client: RegistryClient) async throws {
        let repository = image.destination.repository
        let sent: @Sendable (Int64) -> Void = { [progress, events] count in
            progress.addSent(count)
            events(.bytesSent(image: position, count: count))
        }
        switch image.blobOrigin {
        case .archive(let path, let offsets):
            guard let offset = offsets[blob.digest] else {
                throw BlobStoreError.unusable(root: path, reason: "the archive has no blob \(blob.digest)")
            }
            try await client.uploadBlob(blob, from: path, offset: offset, into: repository, progress: sent)
        case .registry(let source):
            if store.contains(blob) {
                do {
                    // Hashed on the way: a damaged cache file stops the upload before its last byte.
                    try await client.uploadBlob(blob, from: store.path(for: blob.digest), into: repository, progress: sent)
                    return
                } catch where Self.provesTheCopyDamaged(error) {
                    store.evict(blob.digest)
                    logger.warning("\(image.source): the cache held a damaged copy of blob \(blob.digest); fetching it again")
                }
            }
            try await relay(blob, from: source, to: repository, with: client, progress: sent)
        }
    }

    /// The bytes sent were not the blob: our own hash said so, or the registry's (`DIGEST_INVALID`).
    static func provesTheCopyDamaged(_ error: any Error) -> Bool {
        if case TransportError.bodyNotItsDigest = error { return true }
        if case RegistryError.unexpectedStatus(400, _, _, _, let errors, _) = error { return errors.contains { $0.code == "DIGEST_INVALID" } }
        return false
    }

    /// Downloads a blob into the cache and uploads it at the same time, the upload reading the
    /// cache's partial file as it grows: the transfer takes as long as the slower side, not the
    /// sum of both. The destination checks the digest we name before it accepts the blob, and the
    /// cache checks it before keeping it, so bad bytes stop at both.
    private func relay(
        _ blob: Descriptor, from source: ImageReference, to repository: ImageReference.Repository,
        with client: RegistryClient, progress: @escaping @Sendable (Int64) -> Void
    ) async throws {
        let file = GrowingFile(length: blob.size)
        let uploadedWhileDownloading = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await fetcher.fetch(blob, from: source, relay: file)
                return false
            }
            group.addTask {
                do {
                    try await client.uploadBlob(blob, body: .growing(file), into: repository, progress: progress)
                    return true
                } catch {
                    // The download it was reading failed or started over: the download's own
                    // outcome decides, and a download that then verified is uploaded from the cache.
                    if case .failed = file.currentState { return false }
                    throw error
                }
            }
            var uploaded = false
            var failure: Error?
            while let result = await group.nextResult() {
                switch result {
                case .success(let didUpload):
                    uploaded = uploaded || didUpload
                case .failure(let error):
                    failure = failure ?? error
                    // One side failed on its own (the destination refused, or the source did): stop
                    // the other; a download's partial file stays in the cache to resume from.
                    group.cancelAll()
                }
            }
            if let failure { throw failure }
            return uploaded
        }
        if !uploadedWhileDownloading {
            try await client.uploadBlob(blob, from: store.path(for: blob.digest), into: repository, progress: progress)
        }
    }
}


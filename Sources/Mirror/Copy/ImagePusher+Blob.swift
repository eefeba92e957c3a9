import Archive
import Foundation
import OCI
import Registry

extension ImagePusher {
    /// Puts one blob into every repository of one registry that needs it. The first repository:
    /// HEAD, else an upload. The others: a mount from the first straight away (201 whether or not
    /// the blob was there already; a HEAD first would only add a request), else an upload into the
    /// session the refused mount opened. Returns each target's outcome and the bytes uploaded.
    func pushBlob(to targets: [PushTarget]) async throws -> ([BlobPushOutcome], Int64) {
        var results: [BlobPushOutcome] = []
        var bytes: Int64 = 0
        var holder: ImageReference.Repository?
        for target in targets {
            let (image, blob) = (target.image, target.blob)
            let client = try await clients.client(for: image.destination)
            let repository = image.destination.repository
            let outcome: BlobPushOutcome
            if dryRun {
                let there = try await client.hasBlob(blob.digest, in: repository)
                outcome = there ? .existed : holder == nil ? .uploaded : .mounted
                if !there { logger.notice("would \(holder == nil ? "upload" : "mount") blob \(blob.digest) (\(blob.size) bytes) to \(image.destination.name)") }
            } else if let holder {
                switch try await client.mountBlob(blob.digest, from: holder, into: repository) {
                case .mounted:
                    outcome = .mounted
                case .uploadSession(let session):
                    try await upload(blob, of: image, position: target.position, with: client, session: session)
                    outcome = .uploaded
                    bytes += blob.size
                }
            } else if try await client.hasBlob(blob.digest, in: repository) {
                outcome = .existed
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
    /// does not have it — relayed from the source while it downloads.
    private func upload(_ blob: Descriptor, of image: CopyImage, position: Int, with client: RegistryClient, session: URL? = nil) async throws {
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
            try await client.uploadBlob(blob, from: path, offset: offset, into: repository, session: session, progress: sent)
        case .registry(let source):
            if store.contains(blob) {
                do {
                    // Hashed on the way: a damaged cache file stops the upload before its last byte.
                    try await client.uploadBlob(blob, from: store.path(for: blob.digest), into: repository, session: session, progress: sent)
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

    /// Relays a blob from the source registry to the destination while it downloads: the download
    /// feeds a bounded buffer in memory that the upload drains (``BlobPipe``), so the blob takes as
    /// long as the slower side, and nothing is written to disk unless a cache was asked for
    /// (`keepBlobs`). The download is verified before its last byte is released, and the
    /// destination checks the digest we name, so bad bytes stop at both.
    ///
    /// A cut download resumes into the same pipe (`Range`) while the upload waits. What cannot be
    /// resumed — a failed upload (a pipe cannot be sent twice), a source that starts the blob over
    /// — starts the whole relay again, with a new download and a new upload session, within the
    /// retry budget.
    private func relay(
        _ blob: Descriptor, from source: ImageReference, to repository: ImageReference.Repository,
        with client: RegistryClient, progress: @escaping @Sendable (Int64) -> Void
    ) async throws {
        let sourceClient = try await sources.client(for: source)
        let subject = "relay of blob \(blob.digest) from \(source.name)"
        try await relayRetry.run(retryable: { RetryPolicy.isTransient($0) || $0 is RelayRestarted }, onRetry: { [events] notice in
            events(.retrying(subject: subject, reason: "\(notice)"))
        }) { _ in
            let pipe = BlobPipe(length: blob.size)
            let target = try RelayTarget(pipe: pipe, keepingIn: keepBlobs && !store.contains(blob) ? try store.beginIngest(blob) : nil)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        try await sourceClient.download(
                            blob, from: source.repository, into: target,
                            onBytes: { [progress = self.progress] in progress.addFetched($0) },
                            onRetry: { [events] notice in events(.retrying(subject: "blob \(blob.digest) of \(source.name)", reason: "\(notice)")) })
                    } catch {
                        pipe.fail("the download failed: \(error)")
                        throw error
                    }
                }
                group.addTask {
                    do {
                        try await client.uploadBlob(blob, body: .pipe(pipe), into: repository, progress: progress)
                    } catch {
                        // The download it was reading failed: the download's error says why.
                        if case .failed = pipe.currentState { throw RelayEcho() }
                        pipe.fail("the upload failed: \(error)")
                        throw error
                    }
                }
                var failure: (any Error)?
                while let result = await group.nextResult() {
                    guard case .failure(let error) = result else { continue }
                    if !(error is RelayEcho) { failure = failure ?? error }
                    group.cancelAll()
                }
                if let failure { throw failure }
            }
        }
    }
}

/// An upload that failed only because the download it was reading did.
private struct RelayEcho: Error {}

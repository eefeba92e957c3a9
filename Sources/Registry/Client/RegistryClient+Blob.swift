import Foundation

extension RegistryClient {
    /// Streams the blob `descriptor` names into `sink`, verifying size and digest as the bytes pass.
    /// The sink has seen every byte when this returns, so callers that write files must still
    /// treat the file as unverified until this returns without throwing.
    public func fetchBlob(_ descriptor: Descriptor, from repository: ImageReference.Repository, into sink: ResponseSink) async throws {
        let subject = "blob \(descriptor.digest) of \(endpoint.host)/\(repository)"
        let verifier = VerifyingSink(expecting: descriptor, subject: subject, forwardingTo: sink)
        let call = RegistryCall.blob(.get, repository: repository, digest: descriptor.digest, subject: subject)
        _ = try await execute(call, sink: verifier)
        try verifier.finish()
    }

    /// Downloads a blob to `path`: written under a temporary name beside it, verified, then renamed,
    /// so `path` only ever holds verified content.
    public func downloadBlob(_ descriptor: Descriptor, from repository: ImageReference.Repository, to path: String) async throws {
        let temporary = "\(path).partial-\(UUID().uuidString.prefix(8))"
        do {
            let file = try FileSink(path: temporary)
            try await fetchBlob(descriptor, from: repository, into: file)
            try file.close()
            guard rename(temporary, path) == 0 else {
                throw FileSinkError(path: path, operation: "rename", errno: errno)
            }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Whether the registry has the blob, with HEAD (no body is transferred).
    public func blobExists(_ digest: Digest, in repository: ImageReference.Repository) async throws -> Bool {
        var call = RegistryCall.blob(.head, repository: repository, digest: digest, subject: "blob \(digest) of \(endpoint.host)/\(repository)")
        call.expectedStatuses = [200, 404]
        return try await execute(call).status == 200
    }
}

/// Hashes and counts a blob on its way to another sink; refuses bytes beyond the descriptor's size
/// at once (a hostile server cannot fill the disk), and checks the digest at the end.
final class VerifyingSink: ResponseSink, @unchecked Sendable {
    private let expected: Descriptor
    private let subject: String
    private let hasher: DigestingSink

    init(expecting descriptor: Descriptor, subject: String, forwardingTo next: ResponseSink) {
        expected = descriptor
        self.subject = subject
        hasher = DigestingSink(forwardingTo: next)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        let total = hasher.byteCount + Int64(bytes.count)
        guard total <= expected.size else {
            throw RegistryError.sizeMismatch(subject: subject, expected: expected.size, actual: total)
        }
        try hasher.write(bytes)
    }

    func finish() throws {
        guard hasher.byteCount == expected.size else {
            throw RegistryError.sizeMismatch(subject: subject, expected: expected.size, actual: hasher.byteCount)
        }
        let actual = hasher.digest()
        guard actual == expected.digest else {
            throw RegistryError.digestMismatch(subject: subject, expected: expected.digest, actual: actual)
        }
    }
}

extension RegistryClient {
    /// Streams a blob's bytes from `offset` on into `sink`, without verifying them: for callers that
    /// verify across a resumed download themselves (the cache's ingest hashes the partial file first).
    /// With `offset > 0` the registry may answer 206 with the rest or 200 with everything; the sink's
    /// `begin(status:headers:)` tells which.
    /// `retriesTransientFailures: false` leaves every retry to the caller (one budget for a
    /// download that also resumes cut bodies, instead of two nested ones).
    public func streamBlob(
        _ digest: Digest, from repository: ImageReference.Repository, into sink: ResponseSink, offset: Int64 = 0,
        retriesTransientFailures: Bool = true
    ) async throws {
        var call = RegistryCall.blob(.get, repository: repository, digest: digest, subject: "blob \(digest) of \(endpoint.host)/\(repository)")
        call.retriesTransientFailures = retriesTransientFailures
        if offset > 0 {
            call.headers.set("Range", "bytes=\(offset)-")
            call.expectedStatuses = [200, 206]
        }
        _ = try await execute(call, sink: sink)
    }
}

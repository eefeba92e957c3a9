import Foundation
import OCI

extension RegistryClient {
    /// Blobs up to this size go as one `PUT` with the digest (POST + PUT); larger ones as one
    /// streamed `PATCH` and a closing `PUT` (POST + PATCH + PUT), the way containers/image sends
    /// every blob. Either way the bytes stream from the file; nothing is held in memory.
    public static let monolithicUploadLimit: Int64 = 32 * 1024 * 1024

    /// Uploads `descriptor`'s bytes from a file slice (a cache file, or a blob inside a tar),
    /// hashing them on the way (a file that is not the blob stops the upload before its last byte:
    /// ``TransportError/bodyNotItsDigest(expected:actual:url:)``), and checks the digest the
    /// registry stored.
    ///
    /// A transient failure abandons the session (`DELETE`, best effort) and starts over with a new
    /// one after the retry policy's backoff: a session that took part of a body cannot be trusted
    /// to continue (Distribution 2.x cancels it), so nothing half-sent is built upon.
    /// `progress` hears the bytes sent, and takes back the bytes of an attempt that failed.
    public func uploadBlob(
        _ descriptor: Descriptor, from path: String, offset: Int64 = 0, into repository: ImageReference.Repository,
        session: URL? = nil, progress: (@Sendable (Int64) -> Void)? = nil
    ) async throws {
        try await uploadBlob(
            descriptor, body: .file(path: path, offset: offset, length: descriptor.size, digest: descriptor.digest), into: repository,
            session: session, progress: progress)
    }

    /// Uploads `descriptor`'s bytes from `body`: a file slice (each attempt reads it from its start),
    /// or a ``BlobPipe`` a download is still filling (one attempt: a pipe cannot be read twice).
    /// `session`: an upload session already open (a mount the registry answered with 202), used by
    /// the first attempt instead of opening one.
    public func uploadBlob(
        _ descriptor: Descriptor, body: RequestBody, into repository: ImageReference.Repository,
        session opened: URL? = nil, progress: (@Sendable (Int64) -> Void)? = nil
    ) async throws {
        let given = SessionHandOff(opened)
        let subject = "upload of blob \(descriptor.digest) to \(endpoint.registry)/\(repository)"
        // A relayed body can be sent once: its caller starts the whole relay again instead.
        let policy = body.canBeSentAgain ? retry : .never
        try await policy.run(retryable: isWorthRetrying, onRetry: { report(retrying: subject, $0) }) { _ in
            let sent = SentBytes(forwardingTo: progress)
            var session: URL?
            do {
                let opened: URL
                if let handed = given.take() { opened = handed } else { opened = try await openUploadSession(into: repository, subject: subject) }
                session = opened
                if descriptor.size <= Self.monolithicUploadLimit {
                    try await closeUploadSession(opened, digest: descriptor.digest, body: body, sent: sent, repository: repository, subject: subject)
                } else {
                    let next = try await appendToUploadSession(opened, body: body, sent: sent, repository: repository, subject: subject)
                    session = next
                    try await closeUploadSession(next, digest: descriptor.digest, body: nil, sent: sent, repository: repository, subject: subject)
                }
            } catch where RetryPolicy.isTransient(error) {
                sent.takeBack()
                if let session { await abandonUploadSession(session, repository: repository, subject: subject) }
                throw error
            }
        }
    }

    /// `POST /v2/<name>/blobs/uploads/`: the session's URL, from `Location`.
    private func openUploadSession(into repository: ImageReference.Repository, subject: String) async throws -> URL {
        var call = uploadCall(.post, path: "\(repository)/blobs/uploads/", repository: repository, subject: subject)
        call.expectedStatuses = [202]
        return try sessionURL(from: try await execute(call), subject: subject)
    }

    /// One `PATCH` streaming the whole body into the session; answers where the session went next.
    private func appendToUploadSession(
        _ session: URL, body: RequestBody, sent: SentBytes, repository: ImageReference.Repository, subject: String
    ) async throws -> URL {
        var call = uploadCall(.patch, url: session, repository: repository, subject: subject)
        call.expectedStatuses = [202]
        call.headers = ["Content-Type": "application/octet-stream"]
        call.body = body
        call.uploadProgress = sent.add
        return try sessionURL(from: try await execute(call), subject: subject)
    }

    /// `PUT <session>?digest=…`, with the body (monolithic) or without (after a PATCH); the
    /// registry computes the digest and must agree.
    private func closeUploadSession(
        _ session: URL, digest: Digest, body: RequestBody?, sent: SentBytes, repository: ImageReference.Repository, subject: String
    ) async throws {
        guard var components = URLComponents(url: session, resolvingAgainstBaseURL: true) else {
            throw RegistryError.malformedResponse(subject: subject, reason: "the upload Location \(session.redactedForLog) is not a URL")
        }
        // The session URL may carry its own query (Distribution keeps its state there): keep it.
        components.queryItems = (components.queryItems ?? []) + [URLQueryItem(name: "digest", value: digest.description)]
        guard let target = components.url else {
            throw RegistryError.malformedResponse(subject: subject, reason: "the upload Location \(session.redactedForLog) is not a URL")
        }
        var call = uploadCall(.put, url: target, repository: repository, subject: subject)
        call.expectedStatuses = [201]
        call.headers = ["Content-Type": "application/octet-stream"]
        call.body = body
        call.uploadProgress = sent.add
        let response = try await execute(call)
        if let stored = response.headers["Docker-Content-Digest"], stored != digest.description {
            throw RegistryError.digestMismatch(subject: subject, expected: digest, actual: (try? Digest(stored)) ?? digest)
        }
    }

    /// `DELETE <session>`: tells the registry to drop what it received. Best effort — a registry
    /// that cannot be reached now expires the session on its own.
    private func abandonUploadSession(_ session: URL, repository: ImageReference.Repository, subject: String) async {
        var call = uploadCall(.delete, url: session, repository: repository, subject: subject)
        call.expectedStatuses = [204, 404]
        _ = try? await execute(call)
    }

    private func uploadCall(
        _ method: HTTPMethod, path: String = "", url: URL? = nil, repository: ImageReference.Repository, subject: String
    ) -> RegistryCall {
        var call = RegistryCall(method: method, path: path, expectedStatuses: [], subject: subject)
        call.url = url
        call.repository = repository.value
        call.scopes = [RegistryCall.pushScope(repository)]
        call.retriesTransientFailures = false
        return call
    }

    /// The absolute URL of an upload session from a response's `Location` (often relative).
    func sessionURL(from response: HTTPResponse, subject: String) throws -> URL {
        guard let location = response.headers["Location"], let url = URL(string: location, relativeTo: endpoint.url("")) else {
            throw RegistryError.malformedResponse(subject: subject, reason: "the upload session has no usable Location header")
        }
        return url.absoluteURL
    }
}

/// An open session given to an upload: its first attempt takes it, later attempts open their own.
private final class SessionHandOff: @unchecked Sendable {
    private let lock = NSLock()
    private var session: URL?

    init(_ session: URL?) {
        self.session = session
    }

    func take() -> URL? {
        lock.withLock {
            defer { session = nil }
            return session
        }
    }
}

/// Bytes one upload attempt has sent, forwarded as they go, so a failed attempt can take its
/// share back from the progress display.
private final class SentBytes: @unchecked Sendable {
    private let lock = NSLock()
    private var total: Int64 = 0
    private let forward: (@Sendable (Int64) -> Void)?

    init(forwardingTo forward: (@Sendable (Int64) -> Void)?) {
        self.forward = forward
    }

    @Sendable func add(_ count: Int64) {
        lock.withLock { total += count }
        forward?(count)
    }

    func takeBack() {
        let sent = lock.withLock { () -> Int64 in
            defer { total = 0 }
            return total
        }
        if sent != 0 { forward?(-sent) }
    }
}

import Foundation
import OCI

extension RegistryClient {
    /// Downloads the blob `descriptor` names into `target`, whole and verified, or throws.
    ///
    /// The one download call of the client, owning what a resumable download needs (as
    /// containers/image's body reader and go-containerregistry's resumable transport do inside
    /// their clients): bytes the target already holds are hashed and the rest asked for with
    /// `Range`; a 206 must carry exactly that range, a 200 starts over; transient failures are
    /// retried within one ``RetryPolicy`` budget, each try resuming after what arrived; a body
    /// longer than the descriptor is refused at once; and the target commits only after size and
    /// digest match. A held prefix as long as the blob (a cut after the last byte) is verified
    /// without a request, and a 416 answer to a resume starts over: neither can wedge a cache.
    ///
    /// `onBytes` hears every chunk as it lands (progress); `onRetry` hears each failed try that
    /// will be made again.
    public func download(
        _ descriptor: Descriptor, from repository: ImageReference.Repository, into target: any BlobTarget,
        onBytes: (@Sendable (Int) -> Void)? = nil, onRetry: (RetryNotice) -> Void = { _ in }
    ) async throws {
        let subject = "blob \(descriptor.digest) of \(endpoint.registry)/\(repository)"
        let receiver = try BlobReceiver(descriptor: descriptor, target: target, subject: subject, onBytes: onBytes)
        try await retry.run(retryable: { isWorthRetrying($0) || $0 is HeldBytesRejected }, onRetry: onRetry) { _ in
            if receiver.isComplete {
                try receiver.finish()
                return
            }
            var call = RegistryCall.blob(.get, repository: repository, digest: descriptor.digest, subject: subject)
            // This loop is the only one: the executor must not retry on its own (two nested
            // budgets made 5 × 5 requests and minutes of backoff).
            call.retriesTransientFailures = false
            if receiver.received > 0 {
                call.headers.set("Range", "bytes=\(receiver.received)-")
                call.expectedStatuses = [200, 206, 416]
            }
            let response = try await execute(call, sink: receiver)
            if response.status == 416 {
                // The registry holds fewer bytes than we think we have: what we hold is not its blob.
                try receiver.startOver()
                throw HeldBytesRejected(subject: subject)
            }
            try receiver.finish()
        }
    }
}

/// A resume that the registry refused (416): the held bytes were dropped, and the next try starts
/// from the first byte.
struct HeldBytesRejected: Error, CustomStringConvertible {
    let subject: String
    var description: String { "\(subject): the registry refused to resume after the bytes held from an earlier try" }
}

/// Hashes and counts a download on its way into its ``BlobTarget``, across every try of one
/// ``RegistryClient/download(_:from:into:onBytes:onRetry:)``.
///
/// Written only by the transport while a try runs, and read by the download loop between tries
/// (the try's completion is the hand-off), so it is `@unchecked Sendable`.
final class BlobReceiver: ResponseSink, @unchecked Sendable {
    private let descriptor: Descriptor
    private let target: any BlobTarget
    private let subject: String
    private let onBytes: (@Sendable (Int) -> Void)?
    private var digester = SHA256Digester()
    /// Bytes of the blob in the target, this run's and earlier runs'.
    private(set) var received: Int64 = 0
    /// Bytes that came from an earlier run: a digest mismatch may be theirs, so it earns one
    /// fresh start instead of a failure.
    private var inherited: Int64 = 0

    init(descriptor: Descriptor, target: any BlobTarget, subject: String, onBytes: (@Sendable (Int) -> Void)?) throws {
        self.descriptor = descriptor
        self.target = target
        self.subject = subject
        self.onBytes = onBytes
        let held = target.heldBytes
        guard held > 0 else { return }
        guard held <= descriptor.size else {
            try target.restart()
            return
        }
        try target.readHeld { digester.update($0) }
        guard digester.byteCount == held else {
            // The target could not give back what it claims to hold: trust none of it.
            try startOver()
            return
        }
        received = held
        inherited = held
    }

    var isComplete: Bool { received == descriptor.size }

    func hasRoom(for count: Int) -> Bool { target.hasRoom(for: count) }

    /// A 206 must continue exactly where the held bytes end; a 200 is the whole blob again.
    func begin(status: Int, headers: HTTPHeaders) throws {
        if status == 206 {
            let value = headers["Content-Range"] ?? ""
            guard let range = ContentRange(value), range.isRemainder(from: received, of: descriptor.size) else {
                throw RegistryError.rangeMismatch(subject: subject, expectedStart: received, contentRange: value)
            }
        } else if received > 0 {
            try startOver()
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        let total = received + Int64(bytes.count)
        // Refuse at once rather than fill a disk with a hostile or wrong body, and drop what came
        // before: a body longer than declared is not a prefix worth resuming from.
        guard total <= descriptor.size else {
            discard()
            throw RegistryError.sizeMismatch(subject: subject, expected: descriptor.size, actual: total)
        }
        try target.write(bytes)
        digester.update(bytes)
        received = total
        onBytes?(bytes.count)
    }

    /// Verifies the whole blob and commits it. A size or digest that does not match discards the
    /// bytes and fails for good; when earlier runs' bytes took part, the target starts over and the
    /// next try fetches the whole blob instead.
    func finish() throws {
        guard received == descriptor.size else {
            discard()
            throw RegistryError.sizeMismatch(subject: subject, expected: descriptor.size, actual: received)
        }
        let actual = digester.finalize()
        guard actual == descriptor.digest else {
            if inherited > 0 {
                try startOver()
                throw HeldBytesRejected(subject: subject)
            }
            discard()
            throw RegistryError.digestMismatch(subject: subject, expected: descriptor.digest, actual: actual)
        }
        try target.commit()
    }

    func startOver() throws {
        try target.restart()
        reset()
    }

    /// The end of this target: the download fails.
    private func discard() {
        target.discard()
        reset()
    }

    private func reset() {
        digester = SHA256Digester()
        received = 0
        inherited = 0
    }
}

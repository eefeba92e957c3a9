import Foundation
import OCI
import TestSupport
import Testing

@testable import Registry

/// `RegistryClient.download`: the one blob download call, through a scripted HTTP layer. Resume,
/// `Content-Range`, one retry budget and the digest check all live in it.
@Suite struct BlobDownloadTests {
    let repository = try! ImageReference.Repository("library/busybox")
    let payload = Data("0123456789".utf8)
    var descriptor: Descriptor { Descriptor(mediaType: .ociLayerGzip, digest: Digest.compute(of: payload), size: Int64(payload.count)) }

    private func client(_ http: FakeHTTPClient, _ sleeps: RecordedSleeps = RecordedSleeps(), attempts: Int = 5) -> RegistryClient {
        RegistryClient(endpoint: RegistryEndpoint(host: "registry.example.com"), http: http, retry: sleeps.policy(maxAttempts: attempts))
    }

    private static func reset() -> FakeHTTPClient.Step {
        .fail(.curl(code: 56, message: "Connection reset by peer", method: .get, url: ""))
    }

    @Test func aWholeBodyIsVerifiedThenCommitted() async throws {
        let target = MemoryBlobTarget()
        try await client(FakeHTTPClient([.respond(status: 200, body: payload)])).download(descriptor, from: repository, into: target)
        #expect(target.data == payload)
        #expect(target.committed)
    }

    @Test func bytesThatAreNotTheDigestAreDiscardedAndNeverCommitted() async throws {
        let target = MemoryBlobTarget()
        let http = FakeHTTPClient([.respond(status: 200, body: Data("9876543210".utf8))])
        let error = await #expect(throws: RegistryError.self) { try await client(http).download(descriptor, from: repository, into: target) }
        guard case .digestMismatch = error else {
            Issue.record("expected digestMismatch, got \(String(describing: error))")
            return
        }
        #expect(!target.committed)
        #expect(target.data.isEmpty)
        #expect(http.requestCount == 1, "the registry's own bytes are wrong: trying again would not help")
    }

    @Test func aBodyLongerThanTheDescriptorIsRefusedAtOnce() async throws {
        let target = MemoryBlobTarget()
        let http = FakeHTTPClient([.respond(status: 200, body: payload + Data("extra".utf8))])
        await #expect(throws: RegistryError.sizeMismatch(subject: "blob \(descriptor.digest) of registry.example.com/library/busybox", expected: 10, actual: 15)) {
            try await client(http).download(descriptor, from: repository, into: target)
        }
        #expect(!target.committed)
    }

    @Test func aCutBodyResumesWithRangeWithinOneBudget() async throws {
        let http = FakeHTTPClient([
            .partial(status: 200, headers: [:], body: payload.prefix(4), then: .curl(code: 18, message: "transfer closed", method: .get, url: "")),
            .respond(status: 206, headers: ["Content-Range": "bytes 4-9/10"], body: payload.suffix(6)),
        ])
        let sleeps = RecordedSleeps()
        let target = MemoryBlobTarget()
        try await client(http, sleeps).download(descriptor, from: repository, into: target)
        #expect(http.requests.map { $0.headers["Range"] } == [nil, "bytes=4-"])
        #expect(target.data == payload && target.committed)
        #expect(sleeps.delays == [.seconds(1)])
    }

    @Test func bytesHeldFromAnEarlierRunAreHashedAndTheRestAskedFor() async throws {
        let target = MemoryBlobTarget(held: payload.prefix(6))
        let http = FakeHTTPClient([.respond(status: 206, headers: ["Content-Range": "bytes 6-9/10"], body: payload.suffix(4))])
        try await client(http).download(descriptor, from: repository, into: target)
        #expect(http.requests.first?.headers["Range"] == "bytes=6-")
        #expect(target.data == payload && target.committed)
    }

    @Test func aRegistryThatIgnoresRangeStartsTheTargetOver() async throws {
        let target = MemoryBlobTarget(held: payload.prefix(6))
        let http = FakeHTTPClient([.respond(status: 200, body: payload)])
        try await client(http).download(descriptor, from: repository, into: target)
        #expect(target.data == payload && target.committed)
    }

    @Test(arguments: ["bytes 5-9/10", "bytes 6-8/10", "bytes 6-9/11", "bytes 6-9", "bytes=6-9/10", "bytes 6-9/10 junk", "bytes +6-9/10", ""])
    func a206ThatIsNotExactlyTheRestIsRefused(contentRange: String) async throws {
        let target = MemoryBlobTarget(held: payload.prefix(6))
        let http = FakeHTTPClient([.respond(status: 206, headers: contentRange.isEmpty ? [:] : ["Content-Range": contentRange], body: payload.suffix(4))])
        let error = await #expect(throws: RegistryError.self) { try await client(http).download(descriptor, from: repository, into: target) }
        guard case .rangeMismatch(_, 6, contentRange) = error else {
            Issue.record("got \(String(describing: error))")
            return
        }
        #expect(!target.committed)
    }

    @Test func anUnknownTotalIsAcceptedWhenTheRangeIsTheRest() async throws {
        let target = MemoryBlobTarget(held: payload.prefix(6))
        let http = FakeHTTPClient([.respond(status: 206, headers: ["Content-Range": "bytes 6-9/*"], body: payload.suffix(4))])
        try await client(http).download(descriptor, from: repository, into: target)
        #expect(target.committed)
    }

    @Test func aCompleteHeldFileIsVerifiedWithoutARequest() async throws {
        let target = MemoryBlobTarget(held: payload)
        let http = FakeHTTPClient([])
        try await client(http).download(descriptor, from: repository, into: target)
        #expect(http.requestCount == 0)
        #expect(target.committed)
    }

    @Test func aCompleteHeldFileThatDoesNotVerifyIsFetchedAgainFromTheStart() async throws {
        let target = MemoryBlobTarget(held: Data("9876543210".utf8))
        let http = FakeHTTPClient([.respond(status: 200, body: payload)])
        try await client(http).download(descriptor, from: repository, into: target)
        #expect(http.requests.map { $0.headers["Range"] } == [nil])
        #expect(target.data == payload && target.committed)
    }

    @Test func a416StartsOverInsteadOfFailingForever() async throws {
        let target = MemoryBlobTarget(held: payload.prefix(6))
        let http = FakeHTTPClient([.respond(status: 416), .respond(status: 200, body: payload)])
        try await client(http).download(descriptor, from: repository, into: target)
        #expect(http.requests.map { $0.headers["Range"] } == ["bytes=6-", nil])
        #expect(target.data == payload && target.committed)
    }

    @Test func heldBytesThatSpoilTheDigestEarnOneFreshStart() async throws {
        // An earlier run left a damaged prefix: the first try's digest fails because of it, and
        // the blob is fetched again whole rather than the run failing.
        let target = MemoryBlobTarget(held: Data("XXXXXX".utf8))
        let http = FakeHTTPClient([
            .respond(status: 206, headers: ["Content-Range": "bytes 6-9/10"], body: payload.suffix(4)),
            .respond(status: 200, body: payload),
        ])
        try await client(http).download(descriptor, from: repository, into: target)
        #expect(http.requests.map { $0.headers["Range"] } == ["bytes=6-", nil])
        #expect(target.data == payload && target.committed)
        #expect(target.discards == 0, "started over, not given up")
    }

    @Test func aPersistentFaultSpendsOneBudgetOfTries() async throws {
        let http = FakeHTTPClient(Array(repeating: Self.reset(), count: 20))
        let sleeps = RecordedSleeps()
        let notices = NoticeLog()
        await #expect(throws: TransportError.self) {
            try await client(http, sleeps, attempts: 3).download(
                descriptor, from: repository, into: MemoryBlobTarget(), onRetry: { notices.add($0.nextAttempt) })
        }
        #expect(http.requestCount == 3)
        #expect(notices.attempts == [2, 3])
    }
}

private final class NoticeLog: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Int] = []
    var attempts: [Int] { lock.withLock { recorded } }
    func add(_ attempt: Int) { lock.withLock { recorded.append(attempt) } }
}

import Foundation
import OCI
import TestSupport
import Testing

@testable import Registry

/// Blob uploads through a fake HTTP layer: which requests make up an upload, and what a retry
/// does with the session a failed attempt opened (the real registry is in IntegrationTests).
@Suite struct BlobUploadTests {
    let repository = try! ImageReference.Repository("mirror/busybox")

    private func client(_ http: FakeHTTPClient, _ sleeps: RecordedSleeps, attempts: Int = 5) -> RegistryClient {
        RegistryClient(endpoint: RegistryEndpoint(host: "registry.example.com"), http: http, retry: sleeps.policy(maxAttempts: attempts))
    }

    private func blob(size: Int64) -> Descriptor {
        Descriptor(mediaType: .ociLayerGzip, digest: Digest.compute(of: Data("layer \(size)".utf8)), size: size)
    }

    /// A tiny registry: sessions are numbered, `fail` decides which requests break.
    private func registry(failing fail: @escaping @Sendable (HTTPRequest, Int) -> FakeHTTPClient.Step?) -> FakeHTTPClient {
        let sessions = SessionNumbers()
        return FakeHTTPClient { request in
            let index = sessions.next()
            if let step = fail(request, index) { return step }
            switch request.method {
            case .post: return .respond(status: 202, headers: ["Location": "/v2/mirror/busybox/blobs/uploads/s\(index)?_state=x"])
            case .patch: return .respond(status: 202, headers: ["Location": request.url.path + "?_state=after-patch"])
            case .put: return .respond(status: 201)
            case .delete: return .respond(status: 204)
            default: return .respond(status: 405)
            }
        }
    }

    private func summary(_ requests: [HTTPRequest]) -> [String] {
        requests.map { request in
            let query = request.url.query.map { "?" + $0 } ?? ""
            return "\(request.method.rawValue) \(request.url.path)\(query)\(request.body == nil ? "" : " +body")"
        }
    }

    @Test func aSmallBlobGoesAsOnePutWithItsDigest() async throws {
        let http = registry { _, _ in nil }
        let descriptor = blob(size: 1000)
        try await client(http, RecordedSleeps()).uploadBlob(descriptor, from: "/cache/blob", into: repository)
        #expect(summary(http.requests) == [
            "POST /v2/mirror/busybox/blobs/uploads",
            "PUT /v2/mirror/busybox/blobs/uploads/s0?_state=x&digest=\(descriptor.digest) +body",
        ])
    }

    @Test func aLargeBlobStreamsInOnePatchThenClosesWithAnEmptyPut() async throws {
        let http = registry { _, _ in nil }
        let descriptor = blob(size: RegistryClient.monolithicUploadLimit + 1)
        try await client(http, RecordedSleeps()).uploadBlob(descriptor, from: "/cache/blob", into: repository)
        #expect(summary(http.requests) == [
            "POST /v2/mirror/busybox/blobs/uploads",
            "PATCH /v2/mirror/busybox/blobs/uploads/s0?_state=x +body",
            "PUT /v2/mirror/busybox/blobs/uploads/s0?_state=after-patch&digest=\(descriptor.digest)",
        ])
        let patch = try #require(http.requests.first { $0.method == .patch })
        guard case .file(_, _, let length, let digest)? = patch.body else { Issue.record("the PATCH carries no file body"); return }
        #expect(length == descriptor.size)
        #expect(digest == descriptor.digest, "the file is hashed on its way out")
    }

    @Test func aResetDuringThePutAbandonsTheSessionAndStartsANewOne() async throws {
        let http = registry { request, _ in
            request.method == .put && request.url.path.hasSuffix("/s0")
                ? .fail(.curl(code: 55, message: "Connection reset by peer", method: .put, url: "")) : nil
        }
        let sleeps = RecordedSleeps()
        let sent = SentTotal()
        let descriptor = blob(size: 1000)
        try await client(http, sleeps).uploadBlob(descriptor, from: "/cache/blob", into: repository, progress: sent.add)
        #expect(summary(http.requests) == [
            "POST /v2/mirror/busybox/blobs/uploads",
            "PUT /v2/mirror/busybox/blobs/uploads/s0?_state=x&digest=\(descriptor.digest) +body",
            "DELETE /v2/mirror/busybox/blobs/uploads/s0?_state=x",
            "POST /v2/mirror/busybox/blobs/uploads",
            "PUT /v2/mirror/busybox/blobs/uploads/s3?_state=x&digest=\(descriptor.digest) +body",
        ])
        #expect(sleeps.delays == [.seconds(1)])
        // The failed attempt's bytes were taken back: progress counts the blob once.
        #expect(sent.total == descriptor.size)
    }

    @Test func a503OnThePatchRetriesTheWholeUpload() async throws {
        let http = registry { request, _ in
            request.method == .patch && request.url.path.hasSuffix("/s0") ? .respond(status: 503) : nil
        }
        let descriptor = blob(size: RegistryClient.monolithicUploadLimit * 2)
        try await client(http, RecordedSleeps()).uploadBlob(descriptor, from: "/cache/blob", into: repository)
        #expect(http.requests.map(\.method) == [.post, .patch, .delete, .post, .patch, .put])
    }

    @Test func aPersistentFailureGivesUpAfterTheLastAttempt() async throws {
        let http = registry { request, _ in request.method == .put ? .respond(status: 502) : nil }
        let sleeps = RecordedSleeps()
        let error = await #expect(throws: RegistryError.self) {
            try await client(http, sleeps, attempts: 3).uploadBlob(blob(size: 10), from: "/cache/blob", into: repository)
        }
        #expect(http.requests.filter { $0.method == .post }.count == 3)
        #expect(sleeps.delays == [.seconds(1), .seconds(2)])
        #expect(error?.description.contains("upload of blob") == true)
    }

    @Test func aRefusalIsNotRetried() async throws {
        let http = registry { request, _ in request.method == .put ? .respond(status: 400, body: Data(#"{"errors":[{"code":"DIGEST_INVALID","message":"digest did not match"}]}"#.utf8)) : nil }
        let error = await #expect(throws: RegistryError.self) {
            try await client(http, RecordedSleeps()).uploadBlob(blob(size: 10), from: "/cache/blob", into: repository)
        }
        #expect(http.requests.map(\.method) == [.post, .put])
        #expect(error?.description.contains("DIGEST_INVALID") == true)
    }

    @Test func aRegistryStoringAnotherDigestIsAnError() async throws {
        let other = Digest.compute(of: Data("something else".utf8))
        let http = registry { request, _ in request.method == .put ? .respond(status: 201, headers: ["Docker-Content-Digest": other.description]) : nil }
        await #expect(throws: RegistryError.self) {
            try await client(http, RecordedSleeps()).uploadBlob(blob(size: 10), from: "/cache/blob", into: repository)
        }
    }
}

private final class SessionNumbers: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int {
        lock.withLock {
            defer { value += 1 }
            return value
        }
    }
}

private final class SentTotal: @unchecked Sendable {
    private let lock = NSLock()
    private var sum: Int64 = 0
    var total: Int64 { lock.withLock { sum } }
    @Sendable func add(_ count: Int64) { lock.withLock { sum += count } }
}

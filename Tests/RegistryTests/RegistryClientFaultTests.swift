import Foundation
import OCI
import TestSupport
import Testing

@testable import Registry

/// The client's executor under faults, through a fake HTTP layer: what is retried, how long it
/// waits, and what is never retried.
@Suite struct RegistryClientFaultTests {
    let reference = try! ImageReference("registry.example.com/library/busybox:1.29")
    let manifest = Data(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}"#.utf8)

    private func client(_ http: FakeHTTPClient, _ sleeps: RecordedSleeps, attempts: Int = 5) -> RegistryClient {
        RegistryClient(endpoint: RegistryEndpoint(host: "registry.example.com"), http: http, retry: sleeps.policy(maxAttempts: attempts))
    }

    private var manifestHeaders: HTTPHeaders {
        ["Content-Type": MediaType.ociImageManifest.rawValue, "Docker-Content-Digest": Digest.compute(of: manifest).description]
    }

    @Test func a429WaitsAsLongAsRetryAfterSays() async throws {
        let http = FakeHTTPClient([
            .respond(status: 429, headers: ["Retry-After": "3"], body: Data(#"{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}"#.utf8)),
            .respond(status: 200, headers: manifestHeaders, body: manifest),
        ])
        let sleeps = RecordedSleeps()
        let fetched = try await client(http, sleeps).fetchManifest(reference)
        #expect(fetched.digest == Digest.compute(of: manifest))
        #expect(sleeps.delays == [.seconds(3)])
        #expect(http.requestCount == 2)
    }

    @Test func serverErrorsBackOffThenSucceed() async throws {
        let http = FakeHTTPClient([
            .respond(status: 503),
            .fail(.curl(code: 56, message: "Connection reset by peer", method: .get, url: "")),
            .respond(status: 502),
            .respond(status: 200, headers: manifestHeaders, body: manifest),
        ])
        let sleeps = RecordedSleeps()
        _ = try await client(http, sleeps).fetchManifest(reference)
        #expect(sleeps.delays == [.seconds(1), .seconds(2), .seconds(4)])
    }

    @Test func persistentFailureEndsAfterTheLastAttemptWithTheRegistrysWords() async throws {
        let http = FakeHTTPClient(Array(repeating: .respond(status: 503, body: Data(#"{"errors":[{"code":"UNAVAILABLE","message":"maintenance"}]}"#.utf8)), count: 10))
        let sleeps = RecordedSleeps()
        let error = await #expect(throws: RegistryError.self) { _ = try await client(http, sleeps, attempts: 3).fetchManifest(reference) }
        #expect(http.requestCount == 3)
        #expect(sleeps.delays.count == 2)
        #expect(error?.description.contains("UNAVAILABLE: maintenance") == true)
        #expect(error?.description.contains("busybox:1.29") == true)
    }

    @Test(arguments: [401, 403, 404, 400])
    func clientErrorsAreNotRetried(status: Int) async throws {
        let http = FakeHTTPClient([.respond(status: status), .respond(status: 200, headers: manifestHeaders, body: manifest)])
        let sleeps = RecordedSleeps()
        await #expect(throws: RegistryError.self) { _ = try await client(http, sleeps).fetchManifest(reference) }
        #expect(http.requestCount == 1)
    }

    @Test func aBodyCutShortIsNotRetriedIntoTheSameSink() async throws {
        // Bytes already reached the sink, which cannot take them twice: no blind retry (blob
        // downloads resume with Range instead; see BlobDownloadTests).
        let http = FakeHTTPClient([
            .partial(status: 200, headers: manifestHeaders, body: manifest.prefix(10), then: .curl(code: 18, message: "transfer closed", method: .get, url: "")),
            .respond(status: 200, headers: manifestHeaders, body: manifest),
        ])
        let sleeps = RecordedSleeps()
        await #expect(throws: TransportError.self) { _ = try await client(http, sleeps).fetchManifest(reference) }
        #expect(http.requestCount == 1)
    }

    @Test func aManifestWhoseBytesDisagreeWithTheDigestHeaderIsRefused() async throws {
        var headers = manifestHeaders
        headers.set("Docker-Content-Digest", "sha256:" + String(repeating: "0", count: 64))
        let http = FakeHTTPClient([.respond(status: 200, headers: headers, body: manifest)])
        let error = await #expect(throws: RegistryError.self) { _ = try await client(http, RecordedSleeps()).fetchManifest(reference) }
        guard case .digestMismatch = error else {
            Issue.record("expected digestMismatch, got \(String(describing: error))")
            return
        }
    }
}

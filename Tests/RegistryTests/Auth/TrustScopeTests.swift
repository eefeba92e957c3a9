import Foundation
import OCI
import TestSupport
import Testing

@testable import Registry

/// What each host a client talks to receives, through a scripted HTTP layer: the registry's
/// credentials and relaxed TLS stay with the registry; a redirect target and a realm on another
/// host get their own TLS settings and no credentials. (The same against real servers:
/// IntegrationTests/TrustBoundaryTests.)
@Suite struct TrustScopeTests {
    static let registry = "registry.example.com"
    static let reference = try! ImageReference("registry.example.com/library/busybox:1.29")
    static let blob = Data("layer bytes".utf8)
    static var descriptor: Descriptor { Descriptor(mediaType: .ociLayerGzip, digest: Digest.compute(of: blob), size: Int64(blob.count)) }

    struct Login: CredentialProvider {
        func credentials(forRegistry host: String, repository: String?) async throws -> ResolvedCredentials? {
            ResolvedCredentials(credentials: Credentials(username: "fakeuser", password: "fakepassword"), source: "test")
        }
    }

    /// The registry relaxed (no verification), every other host verified with its own CA marker.
    private func client(_ http: FakeHTTPClient) -> RegistryClient {
        RegistryClient(
            endpoint: RegistryEndpoint(host: Self.registry, tls: TLSConfiguration(verifyPeer: false, caFile: "/registry-ca.pem")),
            http: http, credentials: Login(), retry: RetryPolicy(maxAttempts: 1),
            hostTLS: { host in TLSConfiguration(verifyPeer: true, caFile: "/ca-of-\(host).pem") })
    }

    @Test func aRedirectTargetGetsItsOwnTLSAndNoCredentials() async throws {
        let http = FakeHTTPClient { request in
            if request.url.host == Self.registry {
                if request.headers["Authorization"] == nil {
                    return .respond(status: 401, headers: ["WWW-Authenticate": #"Basic realm="r""#])
                }
                return .respond(status: 307, headers: ["Location": "https://storage.example.com/blob?sig=1"])
            }
            return .respond(status: 200, body: Self.blob)
        }
        try await client(http).download(Self.descriptor, from: Self.reference.repository, into: MemoryBlobTarget())
        let storage = try #require(http.requests.last)
        #expect(storage.url.host == "storage.example.com")
        #expect(storage.headers["Authorization"] == nil)
        #expect(storage.tls == TLSConfiguration(verifyPeer: true, caFile: "/ca-of-storage.example.com.pem"))
        #expect(!storage.followsRedirects, "redirects are followed hop by hop, not by libcurl")
        #expect(http.requests.filter { $0.url.host == Self.registry }.last?.headers["Authorization"]?.hasPrefix("Basic ") == true)
    }

    @Test func aChallengeFromARedirectTargetIsNeverAnswered() async throws {
        let http = FakeHTTPClient { request in
            switch request.url.host {
            case Self.registry:
                return .respond(status: 307, headers: ["Location": "https://storage.example.com/blob"])
            case "storage.example.com":
                return .respond(status: 401, headers: ["WWW-Authenticate": #"Bearer realm="https://hostile.example.com/token",service="s""#])
            default:
                return .respond(status: 200, body: Data(#"{"token":"hostile"}"#.utf8))
            }
        }
        let error = await #expect(throws: RegistryError.self) {
            try await client(http).download(Self.descriptor, from: Self.reference.repository, into: MemoryBlobTarget())
        }
        guard case .unexpectedStatus(401, _, _, _, _, _)? = error else {
            Issue.record("expected the 401 to fail the request, got \(String(describing: error))")
            return
        }
        #expect(!http.requests.contains { $0.url.host == "hostile.example.com" }, "the storage host's realm was asked")
        #expect(http.requests.allSatisfy { $0.headers["Authorization"] == nil })
    }

    @Test func anHTTPSRegistryIsNeverFollowedDownToPlainHTTP() async throws {
        let http = FakeHTTPClient { request in
            request.url.host == Self.registry
                ? .respond(status: 307, headers: ["Location": "http://storage.example.com/blob"]) : .respond(status: 200, body: Self.blob)
        }
        await #expect(throws: TransportError.self) {
            try await client(http).download(Self.descriptor, from: Self.reference.repository, into: MemoryBlobTarget())
        }
        #expect(!http.requests.contains { $0.url.host == "storage.example.com" })
    }

    @Test func aRealmOnAnotherHostGetsItsOwnTLS() async throws {
        let http = FakeHTTPClient { request in
            if request.url.host == "auth.example.com" { return .respond(status: 200, body: Data(#"{"token":"abc"}"#.utf8)) }
            if request.headers["Authorization"] == "Bearer abc" { return .respond(status: 200, body: Self.blob) }
            return .respond(status: 401, headers: ["WWW-Authenticate": #"Bearer realm="https://auth.example.com/token",service="s""#])
        }
        try await client(http).download(Self.descriptor, from: Self.reference.repository, into: MemoryBlobTarget())
        let realm = try #require(http.requests.first { $0.url.host == "auth.example.com" })
        #expect(realm.tls == TLSConfiguration(verifyPeer: true, caFile: "/ca-of-auth.example.com.pem"))
        #expect(realm.headers["Authorization"]?.hasPrefix("Basic ") == true, "the realm the registry named gets the credentials")
    }

    @Test func aPlainHTTPRealmOfAnHTTPSRegistryIsRefused() async throws {
        let http = FakeHTTPClient { request in
            .respond(status: 401, headers: ["WWW-Authenticate": #"Bearer realm="http://auth.example.com/token",service="s""#])
        }
        await #expect(throws: RegistryError.self) {
            try await client(http).download(Self.descriptor, from: Self.reference.repository, into: MemoryBlobTarget())
        }
        #expect(!http.requests.contains { $0.url.host == "auth.example.com" })
    }

    // MARK: - The policy

    @Test func onlyRelaxedRegistriesGoUnverifiedAndOnlyNamedOnesGetTheCAFile() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-trust-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let ca = scratch + "/ca.pem"
        try Data("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".utf8).write(to: URL(fileURLWithPath: ca))
        let policy = TrustPolicy(
            relaxedRegistries: ["lab.example:5000"], namedRegistries: ["lab.example:5000", "docker.io"], caFile: ca,
            certificates: CertificateDirectories(perHostRoots: [scratch + "/certs.d"], systemBundleCandidates: [], bundleCacheDirectory: scratch + "/bundles"))

        let lab = try policy.tls(forHost: "lab.example:5000", relaxed: policy.relaxes("lab.example:5000"))
        #expect(!lab.verifyPeer)
        #expect(lab.caFile.map { (try? String(contentsOfFile: $0, encoding: .utf8))?.contains("MIIB") } == true)
        let hub = try policy.tls(forHost: "registry-1.docker.io", relaxed: policy.relaxes("registry-1.docker.io"))
        #expect(hub.verifyPeer, "named, not relaxed")
        #expect(hub.caFile != nil, "Docker Hub is named as docker.io and contacted as registry-1.docker.io")
        let realm = try policy.tls(forHost: "auth.example.com", relaxed: policy.relaxes("auth.example.com"))
        #expect(realm == TLSConfiguration(), "a host nobody named: full verification, system CAs")
    }
}

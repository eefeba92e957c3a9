import Foundation
import OCI
import TestSupport
import Testing

@testable import Registry

/// The challenge → token → retry flow against a scripted registry and token service. The real
/// flow against docker-registry's token auth is in the integration tests.
@Suite struct TokenFlowTests {
    static let realm = "https://auth.example.com/token"
    static let manifest = Data(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}"#.utf8)

    struct FixedCredentials: CredentialProvider {
        var credentials: Credentials
        func credentials(forRegistry host: String, repository: String?) async throws -> ResolvedCredentials? {
            ResolvedCredentials(credentials: credentials, source: "test auth file (key \(host))")
        }
    }

    /// A registry that wants `Bearer good-token` and a token service that hands it out to
    /// `user:secret` (or anonymously when `anonymousAllowed`).
    static func registry(anonymousAllowed: Bool = false, issued: @escaping @Sendable () -> String = { "good-token" }) -> FakeHTTPClient {
        FakeHTTPClient { request in
            let challenge: HTTPHeaders = ["WWW-Authenticate": #"Bearer realm="\#(realm)",service="registry.example.com",scope="repository:library/busybox:pull""#]
            if request.url.host == "auth.example.com" {
                let basic = "Basic " + Data("user:secret".utf8).base64EncodedString()
                guard request.headers["Authorization"] == basic || (anonymousAllowed && request.headers["Authorization"] == nil) else {
                    return .respond(status: 401, body: Data(#"{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}"#.utf8))
                }
                return .respond(status: 200, body: Data(#"{"token":"\#(issued())","expires_in":300}"#.utf8))
            }
            guard request.headers["Authorization"] == "Bearer good-token" else { return .respond(status: 401, headers: challenge) }
            if request.url.path.contains("/manifests/") {
                return .respond(status: 200, headers: ["Content-Type": MediaType.ociImageManifest.rawValue], body: manifest)
            }
            return .respond(status: 200, body: Data("{}".utf8))
        }
    }

    private func client(_ http: FakeHTTPClient, credentials: any CredentialProvider = FixedCredentials(credentials: Credentials(username: "user", password: "secret"))) -> RegistryClient {
        RegistryClient(endpoint: RegistryEndpoint(host: "registry.example.com"), http: http, credentials: credentials, retry: RecordedSleeps().policy())
    }

    let reference = try! ImageReference("registry.example.com/library/busybox:1.29")

    @Test func aChallengeIsAnsweredWithATokenAndTheRequestRetried() async throws {
        let http = Self.registry()
        let fetched = try await client(http).fetchManifest(reference)
        #expect(fetched.digest == Digest.compute(of: Self.manifest))
        let requests = http.requests
        #expect(requests.count == 3)
        #expect(requests[0].headers["Authorization"] == nil)
        let tokenURL = try #require(URLComponents(url: requests[1].url, resolvingAgainstBaseURL: false))
        #expect(tokenURL.queryItems?.contains(URLQueryItem(name: "service", value: "registry.example.com")) == true)
        #expect(tokenURL.queryItems?.contains(URLQueryItem(name: "scope", value: "repository:library/busybox:pull")) == true)
        #expect(requests[2].headers["Authorization"] == "Bearer good-token")
    }

    @Test func concurrentTransfersShareOneTokenRequest() async throws {
        let http = Self.registry()
        let registryClient = client(http)
        _ = try await registryClient.fetchManifest(reference)  // learns the challenge
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<16 {
                group.addTask { _ = try await registryClient.fetchManifest(reference) }
            }
            try await group.waitForAll()
        }
        let tokenRequests = http.requests.filter { $0.url.host == "auth.example.com" }
        #expect(tokenRequests.count == 1)
        // After the first round trip every request goes out authorized: no 401 per request.
        #expect(http.requests.filter { $0.url.host == "registry.example.com" }.count == 2 + 16)
    }

    @Test func aDestinationsTagCheckAndItsPushShareOnePullPushToken() async throws {
        let http = Self.registry()
        let registryClient = client(http)
        _ = try await registryClient.existingManifest(reference)
        _ = try await registryClient.hasBlob(Digest.compute(of: Self.manifest), in: reference.repository)
        let tokenRequests = http.requests.filter { $0.url.host == "auth.example.com" }
        #expect(tokenRequests.count == 1)
        let scopes = URLComponents(url: try #require(tokenRequests.first).url, resolvingAgainstBaseURL: false)?
            .queryItems?.filter { $0.name == "scope" }.compactMap(\.value)
        #expect(scopes == ["repository:library/busybox:pull,push"])
    }

    @Test func anonymousTokensAreFetchedWithoutCredentials() async throws {
        let http = Self.registry(anonymousAllowed: true)
        _ = try await client(http, credentials: NoCredentials()).fetchManifest(reference)
        let token = try #require(http.requests.first { $0.url.host == "auth.example.com" })
        #expect(token.headers["Authorization"] == nil)
    }

    @Test func aWrongPasswordSaysUnauthorizedAndWhereTheCredentialsCameFromButNotTheSecret() async throws {
        let http = Self.registry()
        let wrong = FixedCredentials(credentials: Credentials(username: "user", password: "hunter2-wrong"))
        let error = await #expect(throws: RegistryError.self) { _ = try await client(http, credentials: wrong).fetchManifest(reference) }
        #expect(error == .unauthorized(registry: "registry.example.com", credentialSource: "test auth file (key registry.example.com)", errors: [RegistryErrorDetail(code: "UNAUTHORIZED", message: "bad credentials")]))
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("unauthorized"))
        #expect(!text.contains("hunter2"))
    }

    @Test func noCredentialsForAPrivateRegistrySaysNoneWereFound() async throws {
        let http = Self.registry()
        let error = await #expect(throws: RegistryError.self) { _ = try await client(http, credentials: NoCredentials()).fetchManifest(reference) }
        #expect(error?.description.contains("none were found") == true)
        guard case .unauthorized("registry.example.com", nil, _)? = error else {
            Issue.record("expected unauthorized without a credential source, got \(String(describing: error))")
            return
        }
    }

    @Test func aRejectedTokenIsReplacedOnce() async throws {
        let counter = Counter()
        // The first token handed out is already stale at the registry.
        let http = Self.registry(issued: { counter.next() == 1 ? "stale-token" : "good-token" })
        _ = try await client(http).fetchManifest(reference)
        #expect(http.requests.filter { $0.url.host == "auth.example.com" }.count == 2)
    }

    /// A token that names its scopes, in a form a bearer token may take (RFC 6750 b64token).
    private static func token(for scopes: [String]) -> String {
        Data(scopes.sorted().joined(separator: " ").utf8).base64EncodedString()
    }

    @Test func insufficientScopeAsksForTheWiderScope() async throws {
        let http = FakeHTTPClient { request in
            if request.url.host == "auth.example.com" {
                let scopes = URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.queryItems?.filter { $0.name == "scope" }.compactMap(\.value) ?? []
                return .respond(status: 200, body: Data(#"{"token":"\#(Self.token(for: scopes))"}"#.utf8))
            }
            let wide = "Bearer " + Self.token(for: ["repository:library/busybox:pull", "repository:other/repo:pull"])
            if request.headers["Authorization"] == wide {
                return .respond(status: 200, headers: ["Content-Type": MediaType.ociImageManifest.rawValue], body: Self.manifest)
            }
            let scope = request.headers["Authorization"] == nil ? "repository:library/busybox:pull" : "repository:other/repo:pull"
            let error = request.headers["Authorization"] == nil ? "" : #",error="insufficient_scope""#
            return .respond(status: 401, headers: ["WWW-Authenticate": #"Bearer realm="\#(Self.realm)",scope="\#(scope)"\#(error)"#])
        }
        let fetched = try await client(http).fetchManifest(reference)
        #expect(fetched.digest == Digest.compute(of: Self.manifest))
        #expect(http.requests.last?.headers["Authorization"] == "Bearer " + Self.token(for: ["repository:library/busybox:pull", "repository:other/repo:pull"]))
    }

    @Test func basicChallengesGetBasicCredentials() async throws {
        let basic = "Basic " + Data("user:secret".utf8).base64EncodedString()
        let http = FakeHTTPClient { request in
            guard request.headers["Authorization"] == basic else { return .respond(status: 401, headers: ["WWW-Authenticate": #"Basic realm="r""#]) }
            return .respond(status: 200, headers: ["Content-Type": MediaType.ociImageManifest.rawValue], body: Self.manifest)
        }
        _ = try await client(http).fetchManifest(reference)
        #expect(http.requestCount == 2)
    }

    @Test func rejectedBasicCredentialsAreNotRetriedForever() async throws {
        let http = FakeHTTPClient { _ in .respond(status: 401, headers: ["WWW-Authenticate": #"Basic realm="r""#]) }
        await #expect(throws: RegistryError.self) { _ = try await client(http).fetchManifest(reference) }
        #expect(http.requestCount == 2)
    }

    @Test func identityTokensGoThroughTheOAuth2Form() async throws {
        let http = FakeHTTPClient { request in
            if request.url.host == "auth.example.com" {
                guard request.method == .post, case .bytes(let body)? = request.body,
                      String(decoding: body, as: UTF8.self).contains("grant_type=refresh_token&refresh_token=refresh-me")
                else { return .respond(status: 400) }
                return .respond(status: 200, body: Data(#"{"access_token":"good-token","expires_in":300}"#.utf8))
            }
            guard request.headers["Authorization"] == "Bearer good-token" else {
                return .respond(status: 401, headers: ["WWW-Authenticate": #"Bearer realm="\#(Self.realm)",service="svc""#])
            }
            return .respond(status: 200, headers: ["Content-Type": MediaType.ociImageManifest.rawValue], body: Self.manifest)
        }
        let identity = FixedCredentials(credentials: Credentials(username: "<token>", password: "", identityToken: "refresh-me"))
        _ = try await client(http, credentials: identity).fetchManifest(reference)
        let token = try #require(http.requests.first { $0.url.host == "auth.example.com" })
        #expect(token.headers["Content-Type"] == "application/x-www-form-urlencoded")
        #expect(token.headers["Authorization"] == nil)
    }

    @Test func aPlainHTTPRealmIsRefusedForAnHTTPSRegistry() async throws {
        let http = FakeHTTPClient { _ in .respond(status: 401, headers: ["WWW-Authenticate": #"Bearer realm="http://auth.example.com/token""#]) }
        let error = await #expect(throws: RegistryError.self) { _ = try await client(http).fetchManifest(reference) }
        #expect(error?.description.contains("not an https URL") == true)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.withLock { value += 1; return value } }

    @Test(arguments: [
        ("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", true),
        ("abc+/-._~==", true),
        ("good\r\nX-Injected: yes", false),
        ("two words", false),
        ("a=b", false),
        ("", false),
        ("====", false),
    ])
    func onlyRFC6750BearerTokensAreAccepted(token: String, accepted: Bool) {
        #expect(BearerToken.isWellFormed(token) == accepted)
    }
}

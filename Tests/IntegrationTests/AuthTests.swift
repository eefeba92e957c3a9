import Foundation
import OCI
import TestSupport
import Testing

@testable import Registry

/// Authentication against real servers: docker-registry with htpasswd (Basic, over TLS) and with
/// token auth behind the issuer fixture, which grants pull and push per repository and user.
@Suite struct AuthTests {
    struct Login: CredentialProvider {
        var username: String
        var password: String
        func credentials(forRegistry host: String, repository: String?) async throws -> ResolvedCredentials? {
            ResolvedCredentials(credentials: Credentials(username: username, password: password), source: "test login \(username)")
        }
    }

    private func tokenClient(_ credentials: any CredentialProvider) throws -> RegistryClient {
        let host = try TestServers.value("AIRGAP_TEST_REGISTRY_TOKEN")
        return RegistryClient(endpoint: RegistryEndpoint(host: host, usesPlainHTTP: true), credentials: credentials)
    }

    private func reader() throws -> Login { Login(username: "reader", password: try TestServers.value("AIRGAP_TEST_TOKEN_READER_PASSWORD")) }

    private func reference(_ name: String) throws -> ImageReference {
        try ImageReference("\(try TestServers.value("AIRGAP_TEST_REGISTRY_TOKEN"))/\(name)")
    }

    /// The issuer's log lines for `user` asking for `scope`, as (requested, granted) scope lists.
    private func tokenRequests(user: String?, scope: String) throws -> [String] {
        let log = try String(contentsOfFile: try TestServers.value("AIRGAP_TEST_TOKEN_LOG"), encoding: .utf8)
        return log.split(separator: "\n").map(String.init).filter { line in
            line.contains("\"scopes_requested\": [\"\(scope)\"]") || line.contains("\"scopes_requested\":[\"\(scope)\"]")
        }.filter { line in
            guard let user else { return line.contains("\"user\": null") || line.contains("\"user\":null") }
            return line.contains("\"user\": \"\(user)\"") || line.contains("\"user\":\"\(user)\"")
        }
    }

    @Test func basicCredentialsOpenTheHtpasswdRegistryOverTLS() async throws {
        let host = try TestServers.value("AIRGAP_TEST_REGISTRY_AUTH")
        let login = Login(username: try TestServers.value("AIRGAP_TEST_AUTH_USER"), password: try TestServers.value("AIRGAP_TEST_AUTH_PASSWORD"))
        let client = RegistryClient(endpoint: RegistryEndpoint(host: host, tls: TLSConfiguration(caFile: try TestServers.caFile())), credentials: login)
        let fetched = try await client.fetchManifest(try ImageReference("\(host)/library/busybox:1.29"))
        #expect(fetched.mediaType == .ociImageIndex)
        try await client.checkAccess()
    }

    @Test func aWrongPasswordIsUnauthorizedNamingTheSourceNotTheSecret() async throws {
        let host = try TestServers.value("AIRGAP_TEST_REGISTRY_AUTH")
        let wrong = Login(username: try TestServers.value("AIRGAP_TEST_AUTH_USER"), password: "wrong-password-7f3a")
        let client = RegistryClient(endpoint: RegistryEndpoint(host: host, tls: TLSConfiguration(caFile: try TestServers.caFile())), credentials: wrong)
        let error = await #expect(throws: RegistryError.self) { try await client.checkAccess() }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.hasPrefix("unauthorized: \(host) rejected the credentials from test login"))
        #expect(!text.contains("wrong-password-7f3a"))
    }

    @Test func withoutCredentialsThePrivateRegistrySaysHowToLogIn() async throws {
        let host = try TestServers.value("AIRGAP_TEST_REGISTRY_AUTH")
        // A home without any auth file: nothing to find.
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-auth-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        let result = try AirgapBinary.run(
            ["bundle", "\(host)/library/busybox:1.29", "--ca-file", try TestServers.caFile(), "--cache", home + "/cache", "-o", home + "/images.tar"],
            environment: ["HOME": home, "XDG_RUNTIME_DIR": home, "XDG_CONFIG_HOME": home, "DOCKER_CONFIG": home, "REGISTRY_AUTH_FILE": ""])
        #expect(result.status == 1)
        #expect(result.stderr.contains("requires credentials and none were found"), "\(result.stderr)")
        #expect(result.stderr.contains("airgap login \(host)"), "\(result.stderr)")
    }

    @Test func aReaderPullsThroughTheTokenFlowWithOneTokenForEveryTransfer() async throws {
        let client = try tokenClient(try reader())
        let nginx = try reference("library/nginx:1.14-alpine")
        let scope = "repository:library/nginx:pull"
        let before = try tokenRequests(user: "reader", scope: scope).count

        let fetched = try await client.fetchManifest(nginx)
        guard case .image(let manifest) = fetched.document else {
            Issue.record("nginx should be an image manifest")
            return
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for blob in [manifest.config] + manifest.layers {
                group.addTask { try await client.download(blob, from: nginx.repository, into: MemoryBlobTarget()) }
            }
            try await group.waitForAll()
        }
        // Every transfer after the first challenge reused the same token.
        #expect(try tokenRequests(user: "reader", scope: scope).count - before == 1)
    }

    @Test func anonymousPullsArePublicOnly() async throws {
        let client = try tokenClient(NoCredentials())
        _ = try await client.fetchManifest(try reference("public/hello:1.0"))
        let error = await #expect(throws: RegistryError.self) { _ = try await client.fetchManifest(try reference("private/secret:1.0")) }
        #expect(error?.description.contains("unauthorized") == true)
    }

    /// The issuer grants reader nothing on private/*: the registry refuses, and a retry with the
    /// wider scope does not help. A wrong scope must fail, not slip through.
    @Test func aScopeTheUserLacksIsRefused() async throws {
        let error = await #expect(throws: RegistryError.self) {
            _ = try await tokenClient(try reader()).fetchManifest(try reference("private/secret:1.0"))
        }
        guard case .unauthorized(_, let source, _) = error else {
            Issue.record("expected unauthorized, got \(String(describing: error))")
            return
        }
        #expect(source == "test login reader")
        let writer = Login(username: "writer", password: try TestServers.value("AIRGAP_TEST_TOKEN_WRITER_PASSWORD"))
        _ = try await tokenClient(writer).fetchManifest(try reference("private/secret:1.0"))
    }

    /// Sets the token issuer's overrides for `user` (testdata/token-issuer/issuer.py, `/control`).
    private func issuerControl(_ action: String, user: String, _ parameters: [String: String] = [:]) async throws {
        var components = try #require(URLComponents(string: try TestServers.tokenControl() + "/" + action))
        components.queryItems = [URLQueryItem(name: "user", value: user)] + parameters.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        let request = HTTPRequest(method: .post, url: try #require(components.url), body: .bytes(Data()), allowsPlainHTTP: true)
        let response = try await HTTPTransport().send(request)
        #expect(response.status == 200, "token issuer /control/\(action): \(String(decoding: response.errorBody, as: UTF8.self))")
    }

    /// A token the registry refuses while the client still holds it as valid (it expired early, or
    /// the registry's clock runs ahead) is dropped and replaced, and the call goes through. No
    /// waiting: the issuer hands out a token the registry already refuses (its /control expiry
    /// with a negative registry lifetime) and tells the client it lasts 300 s. (Before, the test
    /// slept past a 2-second token and failed when the machine was too loaded to stay under 2 s.)
    @Test func anExpiredTokenIsReplaced() async throws {
        let user = "shortlived"
        let shortlived = Login(username: user, password: try TestServers.value("AIRGAP_TEST_TOKEN_SHORTLIVED_PASSWORD"))
        let client = try tokenClient(shortlived)
        // Long-lived tokens for this user during the test, so that none can run out (and nothing
        // left by an earlier run that stopped halfway).
        try await issuerControl("reset", user: user)
        try await issuerControl("expiry", user: user, ["seconds": "300"])
        // The registry's challenge, learned with a token of another scope.
        _ = try await client.resolve(try reference("library/busybox:1.29"))

        let pause = try reference("pause:3.2")
        let scope = "repository:pause:pull"
        let before = try tokenRequests(user: user, scope: scope).count
        // The next token: 300 s for the client, refused by the registry from the start.
        try await issuerControl("expiry", user: user, ["seconds": "300", "registry_seconds": "-5", "count": "1"])
        _ = try await client.resolve(pause)
        // The refused token, then its replacement: exactly two.
        #expect(try tokenRequests(user: user, scope: scope).count - before == 2)
        // The replacement is the one kept: no further token request.
        _ = try await client.resolve(pause)
        #expect(try tokenRequests(user: user, scope: scope).count - before == 2)
        try await issuerControl("reset", user: user)
    }

    @Test func aWrongPasswordAtTheTokenServiceIsUnauthorized() async throws {
        let error = await #expect(throws: RegistryError.self) {
            _ = try await tokenClient(Login(username: "reader", password: "not-the-password-91c")).resolve(try reference("library/busybox:1.29"))
        }
        #expect(error?.description.hasPrefix("unauthorized: \(try TestServers.value("AIRGAP_TEST_REGISTRY_TOKEN")) rejected the credentials from test login reader") == true)
        #expect(error?.description.contains("not-the-password-91c") == false)
    }
}

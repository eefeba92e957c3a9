import Foundation
import OCI
import Testing

@testable import Registry

/// The libcurl transport against real servers on loopback: docker-registry (plain and TLS) and an
/// nginx that redirects to another host:port and echoes the Authorization header it received.
@Suite struct TransportTests {
    let transport = HTTPTransport()

    private func get(_ url: String, headers: HTTPHeaders = [:], plain: Bool = true, tls: TLSConfiguration = TLSConfiguration()) async throws -> (HTTPResponse, String) {
        let request = HTTPRequest(url: URL(string: url)!, headers: headers, tls: tls, allowsPlainHTTP: plain)
        let (response, body) = try await transport.data(request)
        return (response, String(decoding: body, as: UTF8.self))
    }

    @Test func plainRegistryAnswersTheVersionCheck() async throws {
        let (response, _) = try await get("http://\(try TestServers.plainRegistry())/v2/")
        #expect(response.status == 200)
        #expect(response.headers["docker-distribution-api-version"] == "registry/2.0")
    }

    @Test func plainHTTPIsRefusedUnlessAllowed() async throws {
        let url = "http://\(try TestServers.plainRegistry())/v2/"
        await #expect(throws: TransportError.plainHTTPNotAllowed(url: url)) {
            _ = try await get(url, plain: false)
        }
    }

    @Test func onlyHTTPAndHTTPSSchemesAreSpoken() async throws {
        await #expect(throws: TransportError.unsupportedScheme(url: "file:///etc/passwd")) {
            _ = try await get("file:///etc/passwd")
        }
    }

    @Test func tlsRegistryIsTrustedThroughItsCA() async throws {
        let tls = TLSConfiguration(caFile: try TestServers.caFile())
        let (response, _) = try await get("https://\(try TestServers.tlsRegistry())/v2/", plain: false, tls: tls)
        #expect(response.status == 200)
    }

    @Test func tlsVerificationIsOnByDefault() async throws {
        let url = "https://\(try TestServers.tlsRegistry())/v2/"
        let error = await #expect(throws: TransportError.self) { _ = try await get(url, plain: false) }
        guard case .curl(let code, _, _, _) = error else {
            Issue.record("expected a curl error, got \(String(describing: error))")
            return
        }
        #expect(code == 60)  // CURLE_PEER_FAILED_VERIFICATION
        #expect(error?.isCertificateProblem == true)
    }

    @Test func tlsVerificationCanBeTurnedOff() async throws {
        let (response, _) = try await get("https://\(try TestServers.tlsRegistry())/v2/", plain: false, tls: TLSConfiguration(verifyPeer: false))
        #expect(response.status == 200)
    }

    @Test func authorizationIsNotForwardedToAnotherHost() async throws {
        let (response, body) = try await get(try TestServers.value("AIRGAP_TEST_REDIRECT_TO_ECHO"), headers: ["Authorization": "Bearer secret-token"])
        #expect(response.status == 200)
        #expect(response.url.absoluteString.hasPrefix(try TestServers.value("AIRGAP_TEST_ECHO_BASE")))
        #expect(body.contains("authorization=[]"))
        #expect(!body.contains("secret-token"))
    }

    /// The control for the test above: on the same host the header does arrive, so the echo works.
    @Test func authorizationIsKeptOnTheSameHost() async throws {
        let (_, body) = try await get(try TestServers.value("AIRGAP_TEST_REDIRECT_TO_ECHO_SAME_HOST"), headers: ["Authorization": "Bearer secret-token"])
        #expect(body.contains("authorization=[Bearer secret-token]"))
    }

    @Test func redirectToFileIsRefused() async throws {
        let error = await #expect(throws: TransportError.self) {
            _ = try await get(try TestServers.value("AIRGAP_TEST_REDIRECT_TO_FILE"))
        }
        guard case .unsupportedScheme = error else {
            Issue.record("expected unsupportedScheme, got \(String(describing: error))")
            return
        }
    }

    @Test func redirectLoopsEnd() async throws {
        let error = await #expect(throws: TransportError.self) {
            _ = try await get(try TestServers.value("AIRGAP_TEST_REDIRECT_LOOP"))
        }
        guard case .curl(let code, _, _, _) = error else {
            Issue.record("expected a curl error, got \(String(describing: error))")
            return
        }
        #expect(code == 47)  // CURLE_TOO_MANY_REDIRECTS
    }

    @Test func redirectsAreFollowedForGet() async throws {
        let base = try TestServers.value("AIRGAP_TEST_REDIRECT_TO_REGISTRY")
        let (response, _) = try await get("\(base)/v2/")
        #expect(response.status == 200)
        #expect(response.url.absoluteString == "http://\(try TestServers.plainRegistry())/v2/")
    }

    @Test func connectionsAreReusedForTheSameHost() async throws {
        let url = "http://\(try TestServers.plainRegistry())/v2/"
        // Sequential requests to one host: keep-alive must let later ones reuse a pooled connection.
        // (Other tests hit the same registry at the same time and may hold a connection, so ask for
        // reuse at least once in a few tries, not on every one.)
        var reused = 0
        for _ in 0..<5 where try await get(url).0.newConnections == 0 { reused += 1 }
        #expect(reused > 0)
    }

    @Test func manyConcurrentRequestsAllComplete() async throws {
        let url = "http://\(try TestServers.plainRegistry())/v2/"
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<32 { group.addTask { try await get(url).0.status } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: 32))
    }

    @Test func refusedConnectionNamesTheURL() async throws {
        let port = try ClosedPort.find()
        let error = await #expect(throws: TransportError.self) {
            _ = try await get("http://127.0.0.1:\(port)/v2/library/busybox/manifests/1.29")
        }
        guard case .curl(let code, _, let method, let url) = error else {
            Issue.record("expected a curl error, got \(String(describing: error))")
            return
        }
        #expect(code == 7)  // CURLE_COULDNT_CONNECT
        #expect(method == .get)
        #expect(url == "http://127.0.0.1:\(port)/v2/library/busybox/manifests/1.29")
    }

    @Test func credentialsInAURLNeverReachAnError() async throws {
        let port = try ClosedPort.find()
        let error = await #expect(throws: TransportError.self) {
            _ = try await get("http://user:hunter2@127.0.0.1:\(port)/v2/?token=hunter2")
        }
        #expect(error.map { "\($0)" }?.contains("hunter2") == false)
    }

    /// A server that accepts the connection and never answers: cancelling the task must end the
    /// transfer at once, not after the stall timeout.
    /// (The time limit is a hang guard only: the test waits for the connection, not for a clock.)
    @Test(.timeLimit(.minutes(10))) func cancellationEndsATransferInFlight() async throws {
        let silent = try SilentServer()
        let request = HTTPRequest(url: URL(string: "http://127.0.0.1:\(silent.port)/v2/")!, allowsPlainHTTP: true, stallTimeout: 0)
        let task = Task { try await transport.send(request) }
        // Cancelled once the request is in flight (connected), not after a delay.
        await silent.waitForConnection()
        #expect(silent.hasWaitingConnection)
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        withExtendedLifetime(silent) {}
    }

    @Test func errorBodiesAreKeptForTheCaller() async throws {
        let (response, body) = try await get("http://\(try TestServers.plainRegistry())/v2/library/busybox/manifests/no-such-tag")
        #expect(response.status == 404)
        #expect(body.isEmpty)
        #expect(String(decoding: response.errorBody, as: UTF8.self).contains("MANIFEST_UNKNOWN"))
    }

    @Test func smallBodiesAreCapped() async throws {
        let url = URL(string: "http://\(try TestServers.plainRegistry())/v2/library/busybox/manifests/1.29")!
        let request = HTTPRequest(url: url, headers: ["Accept": MediaType.manifestAcceptHeader], allowsPlainHTTP: true)
        await #expect(throws: TransportError.bodyTooLarge(limit: 16, url: url.absoluteString)) {
            _ = try await transport.data(request, limit: 16)
        }
    }
}

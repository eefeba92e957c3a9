import Foundation
import Logging

/// A client for one registry over the distribution API (opencontainers/distribution-spec).
/// Calls are ``RegistryCall`` values run by one executor, so authentication, retries, status
/// handling and error decoding live in a single place.
public struct RegistryClient: Sendable {
    public let endpoint: RegistryEndpoint
    let http: any HTTPClient
    let retry: RetryPolicy
    let logger: Logger
    let authenticator: RegistryAuthenticator
    /// TLS for a host other than this registry (a redirect target): that host's own settings, never
    /// this registry's relaxed check, CA or client certificate.
    let hostTLS: @Sendable (String) throws -> TLSConfiguration
    private let rateLimit: RateLimitWatch
    /// Seconds without a byte before a request is given up (``HTTPRequest/stallTimeout``).
    public let stallTimeout: Int
    /// Hears each try that failed and will be made again; `nil` logs a warning.
    public var onRetry: (@Sendable (_ subject: String, _ notice: RetryNotice) -> Void)?
    /// Whether the registry has answered anything yet: a refused connection before that means
    /// nothing listens there (fail at once), after it a registry restarting (retry).
    private let answered = AnsweredFlag()

    /// `hostTLS` gives the TLS settings of other hosts this registry sends us to (token realms,
    /// blob storage); by default full verification against the system CAs.
    public init(
        endpoint: RegistryEndpoint,
        http: any HTTPClient = HTTPTransport(),
        credentials: any CredentialProvider = NoCredentials(),
        retry: RetryPolicy = RetryPolicy(),
        logger: Logger = Logger(label: "airgap.registry"),
        hostTLS: @escaping @Sendable (String) throws -> TLSConfiguration = { _ in TLSConfiguration() },
        stallTimeout: Int = HTTPRequest.defaultStallTimeout
    ) {
        self.endpoint = endpoint
        self.http = http
        self.retry = retry
        self.logger = logger
        self.hostTLS = hostTLS
        self.stallTimeout = stallTimeout
        authenticator = RegistryAuthenticator(
            registry: endpoint.registry, http: http, credentials: credentials,
            hostTLS: hostTLS, registryUsesPlainHTTP: endpoint.usesPlainHTTP, stallTimeout: stallTimeout)
        rateLimit = RateLimitWatch(registry: endpoint.registry, logger: logger)
    }

    /// Runs `call`, streaming a success body into `sink`; any status the call does not expect
    /// becomes a ``RegistryError``.
    ///
    /// A 401 teaches the authenticator the registry's challenge and the call is sent once more with
    /// credentials (or a wider token scope). Transient failures are retried per ``RetryPolicy`` —
    /// but only while no body byte has reached `sink`, since a sink cannot take the same bytes
    /// twice. Blob downloads resume instead (the caller sends a `Range` from what it already has).
    func execute(_ call: RegistryCall, sink: ResponseSink? = nil) async throws -> HTTPResponse {
        let watched = sink.map(WatchedSink.init)
        let policy = call.retriesTransientFailures ? retry : .never
        return try await policy.run(
            retryable: { isWorthRetrying($0) && !(watched?.received ?? false) },
            onRetry: { report(retrying: call.subject, $0) }
        ) { _ in
            try await executeOnce(call, sink: watched)
        }
    }

    /// Transient, and not a refused connection to a registry that never answered: that is nothing
    /// listening at HOST:PORT (a wrong port, a registry not started), said at once.
    func isWorthRetrying(_ error: any Error) -> Bool {
        guard RetryPolicy.isTransient(error) else { return false }
        if case TransportError.curl(7, _, _, _) = error { return answered.value }
        return true
    }

    func report(retrying subject: String, _ notice: RetryNotice) {
        if let onRetry { onRetry(subject, notice) } else { logger.warning("\(subject): \(notice)") }
    }

    /// One try of `call`, through the authentication rounds a challenge asks for.
    private func executeOnce(_ call: RegistryCall, sink: ResponseSink?) async throws -> HTTPResponse {
        var scopes = call.scopes
        var authRounds = 0
        while true {
            var request = request(for: call)
            let authorization = isOwnHost(request.url)
                ? try await authenticator.authorization(scopes: scopes, repository: call.repository) : nil
            if let authorization { request.headers.set("Authorization", authorization) }
            let response = try await sendFollowingRedirects(request, call: call, sink: sink, authorization: authorization)
            answered.set()
            rateLimit.observe(response.headers)

            if Self.isAuthenticationFailure(response) && !isOwnHost(response.url) {
                // Blob storage (or anything else the registry sent us to) wants credentials: never
                // ours, and its challenge is not the registry's. The request fails.
                throw RegistryError.unexpectedStatus(
                    status: response.status, method: call.method, url: response.url.redactedForLog,
                    subject: "\(call.subject) (redirected away from \(endpoint.host))", errors: RegistryErrorDetail.decodeList(from: response.errorBody))
            }
            if Self.isAuthenticationFailure(response), authRounds < 2,
               let retryScopes = await authenticator.retryScopes(after: response, scopes: scopes, rejected: authorization) {
                scopes = retryScopes
                authRounds += 1
                continue
            }
            guard call.expectedStatuses.contains(response.status) else {
                throw await failure(for: call, response: response, authorized: authorization != nil)
            }
            return response
        }
    }

    /// 401, or a 403 whose challenge says the token lacked scope (some registries answer that way).
    private static func isAuthenticationFailure(_ response: HTTPResponse) -> Bool {
        response.status == 401
            || (response.status == 403 && response.headers.values("WWW-Authenticate").contains { $0.contains("insufficient_scope") })
    }

    private func failure(for call: RegistryCall, response: HTTPResponse, authorized: Bool) async -> RegistryError {
        let errors = RegistryErrorDetail.decodeList(from: response.errorBody)
        if response.status == 401 {
            let source = authorized ? await authenticator.credentialSource(repository: call.repository) : nil
            return .unauthorized(registry: endpoint.registry, credentialSource: source, errors: errors)
        }
        return .unexpectedStatus(
            status: response.status, method: call.method, url: response.url.redactedForLog,
            subject: call.subject, errors: errors, retryAfter: response.headers["Retry-After"])
    }

    /// Sends `request`, following GET and HEAD redirects (307 to blob storage, typically) one hop at
    /// a time: each hop gets the TLS settings of its own host, and the `Authorization` only when it
    /// is this registry again. An https registry is never followed down to plain http.
    private func sendFollowingRedirects(
        _ first: HTTPRequest, call: RegistryCall, sink: ResponseSink?, authorization: String?
    ) async throws -> HTTPResponse {
        var request = first
        for _ in 0...Self.maximumRedirects {
            let response = try await http.send(request, sink: sink)
            logger.debug("\(call.method.rawValue) \(response.url.redactedForLog) → \(response.status)")
            guard call.method.followsRedirects, [301, 302, 303, 307, 308].contains(response.status) else { return response }
            guard let location = response.headers["Location"], let target = URL(string: location, relativeTo: request.url)?.absoluteURL,
                  let scheme = target.scheme?.lowercased(), scheme == "https" || scheme == "http", let host = target.hostPort
            else {
                throw RegistryError.malformedResponse(subject: call.subject, reason: "a redirect from \(request.url.redactedForLog) has no usable Location")
            }
            if scheme == "http" && request.url.scheme?.lowercased() != "http" {
                throw TransportError.plainHTTPNotAllowed(url: target.redactedForLog)
            }
            var next = HTTPRequest(method: request.method, url: target, headers: request.headers)
            next.headers.remove("Authorization")
            next.followsRedirects = false
            next.stallTimeout = request.stallTimeout
            if isOwnHost(target) {
                next.tls = endpoint.tls
                next.allowsPlainHTTP = endpoint.usesPlainHTTP
                if let authorization { next.headers.set("Authorization", authorization) }
            } else {
                next.tls = try hostTLS(host)
                next.allowsPlainHTTP = scheme == "http"
            }
            request = next
        }
        throw RegistryError.malformedResponse(subject: call.subject, reason: "more than \(Self.maximumRedirects) redirects")
    }

    static let maximumRedirects = 10

    /// Whether `url` is this registry (scheme, host and port): the only place credentials may go.
    private func isOwnHost(_ url: URL) -> Bool {
        let own = endpoint.url("")
        return url.scheme == own.scheme && url.host == own.host && url.port == own.port
    }

    private func request(for call: RegistryCall) -> HTTPRequest {
        var request = HTTPRequest(
            method: call.method,
            url: call.url ?? endpoint.url(call.path),
            headers: call.headers,
            body: call.body,
            tls: endpoint.tls,
            allowsPlainHTTP: endpoint.usesPlainHTTP
        )
        request.uploadProgress = call.uploadProgress
        request.mayResendBody = call.retriesTransientFailures
        request.followsRedirects = false
        request.stallTimeout = stallTimeout
        return request
    }

    /// Whether the registry speaks the v2 API here (`GET /v2/` answers 200, or 401 when it wants credentials).
    public func ping() async throws -> HTTPResponse {
        let call = RegistryCall(method: .get, path: "", expectedStatuses: [200, 401], subject: "registry \(endpoint.host)")
        return try await execute(call)
    }

    /// Checks that the registry accepts our credentials (`airgap login`): `GET /v2/` through the
    /// whole challenge and token flow, which must end in 200.
    public func checkAccess() async throws {
        let call = RegistryCall(method: .get, path: "", expectedStatuses: [200], subject: "registry \(endpoint.registry)")
        _ = try await execute(call)
    }
}

/// Set once, read from any task.
private final class AnsweredFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var answered = false
    var value: Bool { lock.withLock { answered } }
    func set() { lock.withLock { answered = true } }
}

/// Remembers whether any body byte went through, which decides whether a retry is safe.
private final class WatchedSink: ResponseSink, @unchecked Sendable {
    let next: ResponseSink
    private(set) var received = false

    init(_ next: ResponseSink) {
        self.next = next
    }

    func begin(status: Int, headers: HTTPHeaders) throws {
        try next.begin(status: status, headers: headers)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        received = true
        try next.write(bytes)
    }

    func hasRoom(for count: Int) -> Bool { next.hasRoom(for: count) }
}

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
    private let rateLimit: RateLimitWatch

    public init(
        endpoint: RegistryEndpoint,
        http: any HTTPClient = HTTPTransport(),
        credentials: any CredentialProvider = NoCredentials(),
        retry: RetryPolicy = RetryPolicy(),
        logger: Logger = Logger(label: "airgap.registry")
    ) {
        self.endpoint = endpoint
        self.http = http
        self.retry = retry
        self.logger = logger
        authenticator = RegistryAuthenticator(
            registry: endpoint.registry, http: http, credentials: credentials,
            tls: endpoint.tls, allowsPlainHTTP: endpoint.usesPlainHTTP)
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
            retryable: { RetryPolicy.isTransient($0) && !(watched?.received ?? false) },
            onRetry: { logger.warning("\(call.subject): \($0)") }
        ) { _ in
            try await executeOnce(call, sink: watched)
        }
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
            let response = try await http.send(request, sink: sink)
            logger.debug("\(call.method.rawValue) \(response.url.redactedForLog) → \(response.status)")
            rateLimit.observe(response.headers)

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
}

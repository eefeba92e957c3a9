import Foundation
import Logging

/// A client for one registry over the distribution API (opencontainers/distribution-spec).
/// Calls are ``RegistryCall`` values run by one executor, so retries, status handling and error
/// decoding live in a single place.
public struct RegistryClient: Sendable {
    public let endpoint: RegistryEndpoint
    let http: any HTTPClient
    let retry: RetryPolicy
    let logger: Logger

    public init(
        endpoint: RegistryEndpoint,
        http: any HTTPClient = HTTPTransport(),
        retry: RetryPolicy = RetryPolicy(),
        logger: Logger = Logger(label: "airgap.registry")
    ) {
        self.endpoint = endpoint
        self.http = http
        self.retry = retry
        self.logger = logger
    }

    /// Runs `call`, streaming a success body into `sink`; any status the call does not expect
    /// becomes ``RegistryError/unexpectedStatus(status:method:url:subject:errors:)``.
    ///
    /// Transient failures are retried per ``RetryPolicy`` — but only while no body byte has reached
    /// `sink`, since a sink cannot take the same bytes twice. Blob downloads resume instead (the
    /// caller sends a `Range` from what it already has).
    func execute(_ call: RegistryCall, sink: ResponseSink? = nil) async throws -> HTTPResponse {
        let watched = sink.map(WatchedSink.init)
        var attempt = 1
        while true {
            do {
                let response = try await http.send(request(for: call), sink: watched)
                guard call.expectedStatuses.contains(response.status) else {
                    throw RegistryError.unexpectedStatus(
                        status: response.status,
                        method: call.method,
                        url: response.url.redactedForLog,
                        subject: call.subject,
                        errors: RegistryErrorDetail.decodeList(from: response.errorBody),
                        retryAfter: response.headers["Retry-After"]
                    )
                }
                return response
            } catch let error where RetryPolicy.isTransient(error) && !(watched?.received ?? false) {
                                guard let delay = retry.delay(afterAttempt: attempt, retryAfter: (error as? RegistryError)?.retryAfter) else { throw error }
                logger.warning("\(call.subject): \(error); retrying in \(delay) (attempt \(attempt + 1) of \(retry.maxAttempts))")
                try await retry.sleep(delay)
                attempt += 1
            }
        }
    }

    private func request(for call: RegistryCall) -> HTTPRequest {
        HTTPRequest(
            method: call.method,
            url: endpoint.url(call.path),
            headers: call.headers,
            body: call.body,
            tls: endpoint.tls,
            allowsPlainHTTP: endpoint.usesPlainHTTP
        )
    }

    /// Whether the registry speaks the v2 API here (`GET /v2/` answers 200, or 401 when it wants credentials).
    public func ping() async throws -> HTTPResponse {
        let call = RegistryCall(method: .get, path: "", expectedStatuses: [200, 401], subject: "registry \(endpoint.host)")
        return try await execute(call)
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

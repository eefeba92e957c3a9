import Foundation

/// A client for one registry over the distribution API (opencontainers/distribution-spec).
/// Calls are ``RegistryCall`` values run by one executor, so status handling and error decoding
/// live in a single place.
public struct RegistryClient: Sendable {
    public let endpoint: RegistryEndpoint
    let transport: HTTPTransport

    public init(endpoint: RegistryEndpoint, transport: HTTPTransport = HTTPTransport()) {
        self.endpoint = endpoint
        self.transport = transport
    }

    /// Runs `call`, streaming a success body into `sink`; any status the call does not expect
    /// becomes ``RegistryError/unexpectedStatus(status:method:url:subject:errors:)``.
    func execute(_ call: RegistryCall, sink: ResponseSink? = nil) async throws -> HTTPResponse {
        let request = HTTPRequest(
            method: call.method,
            url: endpoint.url(call.path),
            headers: call.headers,
            body: call.body,
            tls: endpoint.tls,
            allowsPlainHTTP: endpoint.usesPlainHTTP
        )
        let response = try await transport.send(request, sink: sink)
        guard call.expectedStatuses.contains(response.status) else {
            throw RegistryError.unexpectedStatus(
                status: response.status,
                method: call.method,
                url: response.url.redactedForLog,
                subject: call.subject,
                errors: RegistryErrorDetail.decodeList(from: response.errorBody)
            )
        }
        return response
    }

    /// Whether the registry speaks the v2 API here (`GET /v2/` answers 200, or 401 when it wants credentials).
    public func ping() async throws -> HTTPResponse {
        var call = RegistryCall(method: .get, path: "", expectedStatuses: [200, 401], subject: "registry \(endpoint.host)")
        call.headers = [:]
        return try await execute(call)
    }
}

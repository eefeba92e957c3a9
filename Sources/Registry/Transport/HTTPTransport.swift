import Foundation
import OCI

/// Sends one HTTP request. ``HTTPTransport`` is the real one; tests substitute fakes to inject faults.
public protocol HTTPClient: Sendable {
    /// Performs `request`, streaming a 2xx body into `sink`; non-2xx bodies land in ``HTTPResponse/errorBody``.
    func send(_ request: HTTPRequest, sink: ResponseSink?) async throws -> HTTPResponse
}

/// Sends HTTP requests through libcurl without blocking Swift's cooperative thread pool.
///
/// Success bodies stream into the caller's ``ResponseSink``; small bodies can be collected with a
/// cap through ``data(_:limit:)``. Redirects are followed for GET and HEAD only, over http(s) only,
/// and libcurl never forwards our `Authorization` header to another host.
public struct HTTPTransport: HTTPClient {
    static let userAgent = "airgap/\(AirgapVersion.current)"

    public init() {}

    /// Performs `request`, streaming a 2xx body into `sink`. Non-2xx bodies land in
    /// ``HTTPResponse/errorBody``; the caller decides what a status means.
    public func send(_ request: HTTPRequest, sink: ResponseSink?) async throws -> HTTPResponse {
        guard let scheme = request.url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw TransportError.unsupportedScheme(url: request.url.redactedForLog)
        }
        if scheme == "http" && !request.allowsPlainHTTP {
            throw TransportError.plainHTTPNotAllowed(url: request.url.redactedForLog)
        }
        try Task.checkCancellation()
        let transfer = try Transfer(request: request, sink: sink)
        let loop = CurlMultiLoop.shared
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfer.setContinuation(continuation)
                loop.submit(transfer)
            }
        } onCancel: {
            loop.cancel(transfer)
        }
    }

    /// The libcurl version in use, for `--version` and bug reports.
    public static var curlVersion: String { Curl.version }
}

extension HTTPClient {
    /// Performs `request` without a body sink (HEAD, uploads, calls whose body does not matter).
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await send(request, sink: nil)
    }

    /// Performs `request` and returns the response with its 2xx body, refusing bodies over `limit`.
    public func data(_ request: HTTPRequest, limit: Int = ManifestDocument.sizeLimit) async throws -> (HTTPResponse, Data) {
        let sink = MemorySink(limit: limit)
        let response = try await send(request, sink: sink)
        return (response, sink.data)
    }
}

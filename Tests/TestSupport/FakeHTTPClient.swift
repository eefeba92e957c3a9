import Foundation

@testable import Registry

/// A scripted stand-in for the libcurl transport, for faults a real registry will not produce on
/// demand (429 with Retry-After, 503 bursts, resets). Integration tests use the real transport.
public final class FakeHTTPClient: HTTPClient, @unchecked Sendable {
    public enum Step {
        case respond(status: Int, headers: HTTPHeaders = [:], body: Data = Data())
        case fail(TransportError)
        /// Deliver part of the body, then fail as a reset connection does.
        case partial(status: Int, headers: HTTPHeaders, body: Data, then: TransportError)
    }

    private let lock = NSLock()
    private var steps: [Step]
    private let handler: (@Sendable (HTTPRequest) -> Step)?
    private var _requests: [HTTPRequest] = []

    /// Answers requests in order from a script.
    public init(_ steps: [Step]) {
        self.steps = steps
        handler = nil
    }

    /// Answers each request by looking at it (a tiny registry and token service).
    public init(handler: @escaping @Sendable (HTTPRequest) -> Step) {
        steps = []
        self.handler = handler
    }

    public var requests: [HTTPRequest] { lock.withLock { _requests } }

    public var requestCount: Int { lock.withLock { _requests.count } }

    public func send(_ request: HTTPRequest, sink: ResponseSink?) async throws -> HTTPResponse {
        let step: Step = lock.withLock {
            _requests.append(request)
            if let handler { return handler(request) }
            return steps.isEmpty ? .fail(.curl(code: 7, message: "script exhausted", method: request.method, url: request.url.absoluteString)) : steps.removeFirst()
        }
        // As the transport does, report the body as sent before the answer comes.
        if let body = request.body { request.uploadProgress?(body.length) }
        switch step {
        case .respond(let status, let headers, let body):
            if (200..<300).contains(status), let sink, !body.isEmpty {
                try sink.begin(status: status, headers: headers)
                try body.withUnsafeBytes { try sink.write($0) }
            }
            let errorBody = (200..<300).contains(status) ? Data() : body
            return HTTPResponse(status: status, headers: headers, url: request.url, errorBody: errorBody, newConnections: 0)
        case .fail(let error):
            throw error
        case .partial(let status, let headers, let body, let error):
            if let sink {
                try sink.begin(status: status, headers: headers)
                try body.withUnsafeBytes { try sink.write($0) }
            }
            throw error
        }
    }
}

/// Records the delays a policy asks for instead of sleeping: tests stay instant (no timed tests).
public final class RecordedSleeps: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Duration] = []
    public var delays: [Duration] { lock.withLock { recorded } }

    public init() {}

    public func policy(maxAttempts: Int = 5) -> RetryPolicy {
        RetryPolicy(maxAttempts: maxAttempts, sleep: { [self] delay in lock.withLock { recorded.append(delay) } })
    }
}

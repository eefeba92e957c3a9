import Foundation
import OCI

/// Receives a success response body as it arrives, chunk by chunk, on the transport's thread.
/// Throwing aborts the transfer; the thrown error reaches the caller unchanged.
///
/// Sinks are classes that the transport writes to only while their transfer runs; the caller reads
/// them after `send` returns. That hand-off is the transfer's completion, so they are `@unchecked Sendable`.
public protocol ResponseSink: AnyObject, Sendable {
    /// Called once per response, before its first body byte, with the status and headers; a sink
    /// resuming a download checks here whether the server honoured its `Range` (206) or restarted (200).
    func begin(status: Int, headers: HTTPHeaders) throws
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Whether the sink can take `count` more bytes now (see the extension's default).
    func hasRoom(for count: Int) -> Bool
}

extension ResponseSink {
    public func begin(status: Int, headers: HTTPHeaders) throws {}

    /// Whether the sink can take `count` more bytes now. A sink that says no (a relay whose upload
    /// lags) has the transfer paused until it has room; by default a sink always takes them.
    public func hasRoom(for count: Int) -> Bool { true }
}

/// Thrown by ``MemorySink`` past its limit; the transport reports it as ``TransportError/bodyTooLarge(limit:url:)``.
struct BodyLimitExceeded: Error {
    let limit: Int
}

/// Collects a small body in memory, refusing more than `limit` bytes (by default the manifest
/// cap, ``ManifestDocument/sizeLimit``).
public final class MemorySink: ResponseSink, @unchecked Sendable {
    public private(set) var data = Data()
    public let limit: Int

    public init(limit: Int = ManifestDocument.sizeLimit) {
        self.limit = limit
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard data.count + bytes.count <= limit else { throw BodyLimitExceeded(limit: limit) }
        data.append(contentsOf: bytes)
    }
}

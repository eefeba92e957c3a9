import Foundation

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
}

extension ResponseSink {
    public func begin(status: Int, headers: HTTPHeaders) throws {}
}

/// Thrown by ``MemorySink`` past its limit; the transport reports it as ``TransportError/bodyTooLarge(limit:url:)``.
struct BodyLimitExceeded: Error {
    let limit: Int
}

/// Collects a small body in memory, refusing more than `limit` bytes (manifests are capped at 4 MiB,
/// as containerd does, so a hostile registry cannot make us allocate without bound).
public final class MemorySink: ResponseSink, @unchecked Sendable {
    public static let manifestLimit = 4 * 1024 * 1024

    public private(set) var data = Data()
    public let limit: Int

    public init(limit: Int = MemorySink.manifestLimit) {
        self.limit = limit
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard data.count + bytes.count <= limit else { throw BodyLimitExceeded(limit: limit) }
        data.append(contentsOf: bytes)
    }
}

/// Writes a body to a file descriptor it owns, through `write(2)` straight from curl's buffer.
public final class FileSink: ResponseSink, @unchecked Sendable {
    public let path: String
    public private(set) var bytesWritten: Int64 = 0
    private var descriptor: Int32

    /// Opens `path` for writing: truncated, or appended to when resuming a partial download.
    public init(path: String, append: Bool = false) throws {
        self.path = path
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC)
        descriptor = open(path, flags, 0o644)
        guard descriptor >= 0 else { throw FileSinkError(path: path, operation: "open", errno: errno) }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        var remaining = bytes
        while !remaining.isEmpty {
            let count = Glibc.write(descriptor, remaining.baseAddress, remaining.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw FileSinkError(path: path, operation: "write", errno: errno)
            }
            remaining = UnsafeRawBufferPointer(rebasing: remaining[count...])
            bytesWritten += Int64(count)
        }
    }

    /// Flushes to disk and closes; call before renaming the file into place.
    public func close() throws {
        guard descriptor >= 0 else { return }
        defer { descriptor = -1 }
        guard fsync(descriptor) == 0 || errno == EINVAL else {
            let code = errno
            Glibc.close(descriptor)
            throw FileSinkError(path: path, operation: "fsync", errno: code)
        }
        guard Glibc.close(descriptor) == 0 else { throw FileSinkError(path: path, operation: "close", errno: errno) }
    }

    deinit {
        if descriptor >= 0 { Glibc.close(descriptor) }
    }
}

public struct FileSinkError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let operation: String
    public let errno: Int32

    public var description: String { "\(operation) \(path): \(String(cString: strerror(errno)))" }
}

/// Hashes every byte on its way to another sink, so a blob is verified in the same pass that stores it.
public final class DigestingSink: ResponseSink, @unchecked Sendable {
    private var digester = SHA256Digester()
    private let next: ResponseSink?

    /// How many bytes have passed.
    public var byteCount: Int64 { digester.byteCount }

    /// - Parameter next: where the bytes go after hashing; `nil` only hashes.
    public init(forwardingTo next: ResponseSink? = nil) {
        self.next = next
    }

    public func begin(status: Int, headers: HTTPHeaders) throws {
        try next?.begin(status: status, headers: headers)
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        digester.update(bytes)
        try next?.write(bytes)
    }

    /// The digest of everything written so far.
    public func digest() -> Digest {
        digester.finalize()
    }
}

import Foundation
import OCI

/// A ``BlobTarget`` in memory, for tests of downloads: what it holds, and whether it was committed
/// or discarded. `held` seeds it with bytes an "earlier run" left.
public final class MemoryBlobTarget: BlobTarget, @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: Data
    private var _committed = false
    private var _discards = 0

    public init(held: Data = Data()) {
        bytes = held
    }

    public var data: Data { lock.withLock { bytes } }
    public var committed: Bool { lock.withLock { _committed } }
    public var discards: Int { lock.withLock { _discards } }

    public var heldBytes: Int64 { lock.withLock { Int64(bytes.count) } }

    public func readHeld(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let copy = data
        try copy.withUnsafeBytes { try body($0) }
    }

    public func restart() throws { lock.withLock { bytes = Data() } }

    public func write(_ chunk: UnsafeRawBufferPointer) throws { lock.withLock { bytes.append(contentsOf: chunk) } }

    public func commit() throws { lock.withLock { _committed = true } }

    public func discard() {
        lock.withLock {
            bytes = Data()
            _discards += 1
        }
    }
}

/// A ``BlobTarget`` that writes a file: under a temporary name beside `path`, renamed to `path` on
/// commit, so `path` only ever holds verified bytes.
public final class FileBlobTarget: BlobTarget, @unchecked Sendable {
    public let path: String
    private let temporary: String
    private let handle: FileHandle
    private var written: Int64 = 0

    public init(path: String) throws {
        self.path = path
        temporary = "\(path).partial-\(UUID().uuidString.prefix(8))"
        guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary])
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
    }

    deinit {
        try? handle.close()
        unlink(temporary)
    }

    public var heldBytes: Int64 { written }
    public func readHeld(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {}

    public func restart() throws {
        try handle.truncate(atOffset: 0)
        written = 0
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        try handle.write(contentsOf: Data(bytes))
        written += Int64(bytes.count)
    }

    public func commit() throws {
        try handle.synchronize()
        guard rename(temporary, path) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    public func discard() { try? restart() }
}

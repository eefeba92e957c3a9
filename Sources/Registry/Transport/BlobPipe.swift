import Foundation

/// A blob on its way from a download to an upload, through a bounded buffer in memory: how a mirror
/// relays a blob registry to registry without writing it anywhere (skopeo writes nothing either).
///
/// The download appends while there is room (the transport pauses it when there is not, and resumes
/// it as the upload drains the buffer); the upload reads in order and waits when it catches up. The
/// last byte is held back until ``finish()``: the download calls it only after the digest matched,
/// so a registry never completes a blob the relay has not verified. A pipe cannot be rewound: an
/// upload that must start over needs a new download (the relay starts again).
public final class BlobPipe: @unchecked Sendable {
    public enum State: Sendable, Equatable {
        case flowing
        /// Every byte is in and verified.
        case complete
        case failed(String)
    }

    /// The blob's size: the upload's length.
    public let length: Int64
    /// The most bytes held at once (the buffer's size; its memory is taken on the first write).
    public let capacity: Int
    private let lock = NSLock()
    private var storage: UnsafeMutableRawBufferPointer?
    /// Bytes appended since the start, and bytes read since the start.
    private var appended: Int64 = 0
    private var consumed: Int64 = 0
    private var state = State.flowing

    /// One MiB: four of libcurl's largest chunks (256 KiB), enough to ride out jitter on either side.
    /// Four MiB relayed no faster on loopback, and eight relays of it took a mirror to 70–76 MiB
    /// peak, over the 64 MiB memory budget (BENCHMARKS.md, issue 16).
    public static let defaultCapacity = 1 << 20

    public init(length: Int64, capacity: Int = BlobPipe.defaultCapacity) {
        self.length = length
        self.capacity = capacity
    }

    deinit {
        storage?.deallocate()
    }

    public var currentState: State { lock.withLock { state } }

    /// Whether `count` more bytes fit now.
    public func hasRoom(for count: Int) -> Bool {
        lock.withLock { Int64(capacity) - (appended - consumed) >= Int64(count) }
    }

    /// Bytes appended so far.
    public var bytesIn: Int64 { lock.withLock { appended } }

    /// Appends the next bytes; the caller checked ``hasRoom(for:)``.
    public func append(_ bytes: UnsafeRawBufferPointer) throws {
        try lock.withLock {
            guard case .flowing = state else { throw PipeError.closed }
            guard Int64(capacity) - (appended - consumed) >= Int64(bytes.count), appended + Int64(bytes.count) <= length else {
                throw PipeError.overflow(count: bytes.count, appended: appended, consumed: consumed, capacity: capacity, length: length)
            }
            let buffer = storage ?? UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
            storage = buffer
            var done = 0
            while done < bytes.count {
                let at = Int(appended % Int64(capacity))
                let count = min(bytes.count - done, capacity - at)
                UnsafeMutableRawBufferPointer(rebasing: buffer[at..<at + count]).copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[done..<done + count]))
                done += count
                appended += Int64(count)
            }
        }
    }

    /// Every byte is in and verified: the last one may go.
    public func finish() {
        lock.withLock {
            if state == .flowing, appended == length { state = .complete }
        }
    }

    public func fail(_ reason: String) {
        lock.withLock {
            if state == .flowing { state = .failed(reason) }
        }
    }

    enum PipeError: Error, CustomStringConvertible {
        case closed
        case overflow(count: Int, appended: Int64, consumed: Int64, capacity: Int, length: Int64)
        var description: String {
            switch self {
            case .closed: "the relay was closed"
            case .overflow(let count, let appended, let consumed, let capacity, let length):
                "the relay's buffer cannot take \(count) more bytes (\(appended) in, \(consumed) out, \(capacity) held at most, \(length) in all)"
            }
        }
    }

    /// Reads at most `buffer.count` bytes at `position` (which must be where the reader is).
    func read(at position: Int64, into buffer: UnsafeMutableRawBufferPointer) -> GrowingRead {
        lock.withLock {
            if case .failed(let reason) = state { return .failed(reason) }
            guard position == consumed else { return .failed("a relayed body can only be read once, in order") }
            // Everything but the last byte until the download has verified the whole blob.
            let releasable = state == .complete ? appended : min(appended, length - 1)
            guard position < releasable, let storage else { return .wait }
            var done = 0
            let wanted = Int(min(Int64(buffer.count), releasable - position))
            while done < wanted {
                let at = Int(consumed % Int64(capacity))
                let count = min(wanted - done, capacity - at)
                UnsafeMutableRawBufferPointer(rebasing: buffer[done..<done + count]).copyMemory(from: UnsafeRawBufferPointer(rebasing: storage[at..<at + count]))
                done += count
                consumed += Int64(count)
            }
            return .bytes(done)
        }
    }

    /// Whether a read at `position` would do anything but wait.
    func canRead(at position: Int64) -> Bool {
        lock.withLock {
            if case .failed = state { return true }
            let releasable = state == .complete ? appended : min(appended, length - 1)
            return position < releasable
        }
    }

    /// A pipe is read once: only "rewinding" to where the reader already is works.
    func canSeek(to position: Int64) -> Bool {
        lock.withLock { position == consumed }
    }
}

/// What a read of a body that is still arriving gave.
enum GrowingRead {
    case bytes(Int)
    /// Nothing past the position yet: pause and ask again.
    case wait
    case failed(String)
}

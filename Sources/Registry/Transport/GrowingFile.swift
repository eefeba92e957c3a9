import Foundation

/// A file that a download is still writing, read by an upload as it grows: how a mirror relays a
/// blob from the source registry to the destination while the blob is also being verified into
/// the cache, instead of waiting for the whole download first.
///
/// The writer announces how many bytes are in place (``advance(to:)``, which may go back to zero
/// when a download restarts from the beginning), then ``finish()`` once the bytes are verified, or
/// ``fail(_:)``. The reader never reads past what was announced; when it catches up it waits (the
/// transport pauses the upload and resumes it when more bytes arrive).
public final class GrowingFile: @unchecked Sendable {
    public enum State: Sendable, Equatable {
        case growing
        /// Every byte is in place and verified.
        case complete
        case failed(String)
    }

    /// The blob's size: the upload's length.
    public let length: Int64
    private let lock = NSLock()
    private var descriptor: Int32 = -1
    private var available: Int64 = 0
    private var state = State.growing

    public init(length: Int64) {
        self.length = length
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Reads will come from the file at `path`, which holds `available` bytes so far. It is opened
    /// anew, not `dup`ed from the writer: a duplicate would share the writer's `flock` and keep
    /// the partial file locked after the writer closes it, so a retried download could not resume.
    public func attach(path: String, available: Int64) {
        let opened = open(path, O_RDONLY | O_CLOEXEC)
        let reason = opened < 0 ? "\(path): \(String(cString: strerror(errno)))" : nil
        lock.withLock {
            if descriptor >= 0 { close(descriptor) }
            descriptor = opened
            self.available = available
            if let reason { state = .failed(reason) }
        }
    }

    /// The blob is already whole in this file (a cache hit): readable at once.
    public func attachComplete(path: String) {
        let opened = open(path, O_RDONLY | O_CLOEXEC)
        lock.withLock {
            if descriptor >= 0 { close(descriptor) }
            descriptor = opened
            available = length
            state = opened >= 0 ? .complete : .failed("\(path): \(String(cString: strerror(errno)))")
        }
    }

    public var currentState: State {
        lock.withLock { state }
    }

    public func advance(to count: Int64) {
        lock.withLock { available = count }
    }

    /// Every byte is in place and verified: the whole length may be read.
    public func finish() {
        lock.withLock {
            if state == .growing {
                state = .complete
                available = length
            }
        }
    }

    public func fail(_ reason: String) {
        lock.withLock {
            if state == .growing { state = .failed(reason) }
        }
    }

    /// What a read at some position gave.
    enum Read {
        case bytes(Int)
        /// Nothing past `position` yet: pause and ask again.
        case wait
        case failed(String)
    }

    /// Reads at most `buffer.count` bytes at `position`, never past what was announced. The read
    /// happens under the lock, so a concurrent ``attach(path:available:)`` (a retried download)
    /// cannot close the descriptor in the middle of it.
    func read(at position: Int64, into buffer: UnsafeMutableRawBufferPointer) -> Read {
        lock.withLock {
            if case .failed(let reason) = state { return .failed(reason) }
            guard descriptor >= 0, position < available else {
                return state == .complete ? .failed("the finished file holds \(available) bytes, fewer than \(length)") : .wait
            }
            let wanted = Int(min(Int64(buffer.count), available - position))
            let count = pread(descriptor, buffer.baseAddress, wanted, off_t(position))
            guard count > 0 else { return .failed(count == 0 ? "the file ended early" : String(cString: strerror(errno))) }
            return .bytes(count)
        }
    }

    /// Whether a read at `position` would do anything but wait.
    func canRead(at position: Int64) -> Bool {
        lock.withLock {
            if case .failed = state { return true }
            return (descriptor >= 0 && position < available) || state == .complete
        }
    }
}

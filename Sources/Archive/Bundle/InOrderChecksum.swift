import Dispatch
import Foundation
import OCI

/// The sha256 of a whole ``BundleFile``, computed while the file is being written.
///
/// Blob bodies land at their offsets in any order, but a file's sha256 takes its bytes in order. So
/// the file is hashed front to back, one region at a time, as soon as a region and everything before
/// it is complete: headers and small files are there from the start, and each blob body counts once
/// its download verified (or its kernel copy finished). The hashing runs on its own queue beside
/// the transfers and reads what was just written, which the page cache still holds; when the last
/// body lands, little is left to hash. What it saves is the user's second pass: `sha256sum` over a
/// finished multi-gigabyte archive.
final class InOrderChecksum: @unchecked Sendable {
    private let queue = DispatchQueue(label: "airgap.archive-checksum")
    private let fd: Int32
    private let path: String
    private let size: Int64
    /// Each blob body's range, in file order.
    private let bodies: [Range<Int64>]
    // The state below is touched only on `queue`.
    private var complete: [Bool]
    private var nextBody = 0
    private var hashedUpTo: Int64 = 0
    private var digester = SHA256Digester()
    private var failure: (any Error)?
    private var stopped = false

    /// `bodies` are the blob bodies still to be written; every other byte of the file is written.
    init(fd: Int32, path: String, size: Int64, bodies: [Range<Int64>]) {
        self.fd = fd
        self.path = path
        self.size = size
        self.bodies = bodies.sorted { $0.lowerBound < $1.lowerBound }
        complete = Array(repeating: false, count: bodies.count)
    }

    /// The position of the body starting at `offset`, for ``bodyComplete(_:)``.
    func bodyPosition(startingAt offset: Int64) -> Int? {
        var low = 0, high = bodies.count
        while low < high {
            let middle = (low + high) / 2
            if bodies[middle].lowerBound < offset { low = middle + 1 } else { high = middle }
        }
        return low < bodies.count && bodies[low].lowerBound == offset ? low : nil
    }

    /// Says that the body at `position` holds its final bytes; hashing moves on when it can.
    func bodyComplete(_ position: Int) {
        queue.async { [self] in
            complete[position] = true
            advance()
        }
    }

    /// Stops hashing, the file being discarded: returns once no read of the file is under way,
    /// so the caller may close it.
    func stop() {
        queue.sync { stopped = true }
    }

    /// The file's sha256, once every body is complete and hashed (waiting for what is left).
    func finish() throws -> Digest {
        try queue.sync {
            advance()  // the tail after the last body, or the whole file when it has no bodies
            if let failure { throw failure }
            guard nextBody == bodies.count, hashedUpTo == size else {
                throw ArchiveError(
                    path: path, operation: "checksum",
                    message: "\(bodies.count - nextBody) blob bodies were never completed; the archive is not whole")
            }
            return digester.finalize()
        }
    }

    private func advance() {
        while !stopped, failure == nil {
            let limit = nextBody < bodies.count ? bodies[nextBody].lowerBound : size
            do {
                try hash(upTo: limit)
                guard nextBody < bodies.count, complete[nextBody] else { return }
                try hash(upTo: bodies[nextBody].upperBound)
                nextBody += 1
            } catch {
                failure = error
            }
        }
    }

    private func hash(upTo limit: Int64) throws {
        guard hashedUpTo < limit else { return }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while hashedUpTo < limit {
            let wanted = Int(min(Int64(buffer.count), limit - hashedUpTo))
            let count = pread(fd, buffer.baseAddress, wanted, off_t(hashedUpTo))
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                throw ArchiveError(
                    path: path, operation: "checksum",
                    message: count == 0 ? "the file ended at byte \(hashedUpTo)" : String(cString: strerror(errno)))
            }
            digester.update(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            hashedUpTo += Int64(count)
        }
    }
}

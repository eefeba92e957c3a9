import CArchive
import Foundation
import OCI

/// Feeds libarchive the file's bytes through a read callback, hashing each one as it passes, so the
/// sha256 of the whole file (checked against `NAME.sha256`) costs no second read. No skip callback
/// is given: libarchive then reads what it skips too, and every byte is hashed in order.
final class WholeFileHasher {
    let fd: Int32
    let path: String
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
    private var digester = SHA256Digester()
    private(set) var failure: Int32 = 0

    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit { buffer.deallocate() }

    /// The next chunk of the file, hashed; 0 at its end, -1 on a read error.
    func readNext(into pointer: UnsafeMutablePointer<UnsafeRawPointer?>) -> Int {
        while true {
            let count = read(fd, buffer.baseAddress, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else {
                failure = errno
                return -1
            }
            digester.update(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            pointer.pointee = UnsafeRawPointer(buffer.baseAddress)
            return count
        }
    }

    /// The sha256 of the whole file: what libarchive did not ask for (past the end-of-archive
    /// records) is read and hashed now.
    func finish() throws -> Digest {
        var scratch: UnsafeRawPointer?
        while true {
            let count = readNext(into: &scratch)
            if count == 0 { break }
            guard count > 0 else { throw ArchiveError(path: path, operation: "read", message: String(cString: strerror(failure))) }
        }
        return digester.finalize()
    }

    /// Opens `handle` on this file through the hashing callback.
    func open(_ handle: OpaquePointer) -> Int32 {
        archive_read_open(
            handle, Unmanaged.passUnretained(self).toOpaque(), nil,
            { _, context, buffer in
                guard let context, let buffer else { return -1 }
                return Unmanaged<WholeFileHasher>.fromOpaque(context).takeUnretainedValue().readNext(into: buffer)
            }, nil)
    }
}

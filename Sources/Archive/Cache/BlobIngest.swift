import Foundation
import OCI

/// One blob on its way into the cache: a ``BlobTarget`` writing `ingest/<hex>.partial`, renamed
/// into `blobs/` by ``commit()`` once the downloader has verified every byte.
///
/// The partial file outlives an interrupted run, and the next run's download resumes after it. An
/// exclusive `flock` keeps two processes (or two tasks) from writing the same partial file; the
/// loser writes under a private name instead, which is removed when it is done with.
public final class BlobIngest: BlobTarget, @unchecked Sendable {
    public let descriptor: Descriptor
    /// The file the bytes go to (shared, or private when another writer holds the shared one).
    public let partialPath: String
    /// A private partial cannot be resumed later by anyone: it is removed unless committed.
    public let isPrivate: Bool
    /// Told the number of bytes in place after every write and restart, on the writer's thread:
    /// an upload reading the partial file as it grows (mirror's relay) must not read past it.
    public var onLengthChange: (@Sendable (Int64) -> Void)?
    private let store: BlobStore
    private let descriptorFD: Int32
    private var written: Int64
    private var committed = false
    /// The partial file was removed (``discard()``): the path may name someone else's file by now.
    private var discarded = false

    init(store: BlobStore, descriptor: Descriptor) throws {
        self.store = store
        self.descriptor = descriptor
        let shared = "\(store.ingestDirectory)/\(descriptor.digest.encoded).partial"
        if let locked = try Self.openLocked(shared) {
            descriptorFD = locked
            partialPath = shared
            isPrivate = false
        } else {
            partialPath = "\(shared).\(getpid())-\(UUID().uuidString.prefix(8))"
            descriptorFD = open(partialPath, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard descriptorFD >= 0 else { throw BlobStoreError.io(path: partialPath, operation: "open", errno: errno) }
            isPrivate = true
        }
        let size = lseek(descriptorFD, 0, SEEK_END)
        written = size > 0 ? Int64(size) : 0
    }

    deinit {
        close(descriptorFD)
        // A private partial cannot be resumed by anyone, and an empty one holds nothing to resume.
        if !committed && !discarded && (isPrivate || written == 0) { unlink(partialPath) }
    }

    /// Opens `path` and takes its exclusive lock, or returns `nil` when another writer holds it.
    ///
    /// Between our `open` and our `flock` the holder may commit (rename the file into `blobs/`) and
    /// unlock: we would then hold the lock of a *committed* blob and could truncate it. So after
    /// locking, the path must still name the inode we locked; if not, open the new file and try again.
    private static func openLocked(_ path: String) throws -> Int32? {
        while true {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw BlobStoreError.io(path: path, operation: "open", errno: errno) }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
                close(fd)
                return nil
            }
            var locked = stat(), named = stat()
            if fstat(fd, &locked) == 0, stat(path, &named) == 0, locked.st_dev == named.st_dev, locked.st_ino == named.st_ino {
                return fd
            }
            close(fd)
        }
    }

    public var heldBytes: Int64 { written }

    public func readHeld(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var offset: Int64 = 0
        while offset < written {
            let count = pread(descriptorFD, buffer.baseAddress, Int(min(Int64(buffer.count), written - offset)), off_t(offset))
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                throw BlobStoreError.io(path: partialPath, operation: "read", errno: count == 0 ? EIO : errno)
            }
            try body(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            offset += Int64(count)
        }
    }

    public func restart() throws {
        guard ftruncate(descriptorFD, 0) == 0 else {
            throw BlobStoreError.io(path: partialPath, operation: "truncate", errno: errno)
        }
        written = 0
        onLengthChange?(0)
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        var remaining = bytes
        while !remaining.isEmpty {
            let count = pwrite(descriptorFD, remaining.baseAddress, remaining.count, off_t(written))
            if count < 0 {
                if errno == EINTR { continue }
                throw BlobStoreError.io(path: partialPath, operation: "write", errno: errno)
            }
            remaining = UnsafeRawBufferPointer(rebasing: remaining[count...])
            written += Int64(count)
        }
        onLengthChange?(written)
    }

    /// Moves the verified download into `blobs/`.
    ///
    /// No fsync: the cache is a cache. A blob torn by a crash is caught when it is read again
    /// (every read out of the cache is verified), and evicted there; syncing every blob would make
    /// a bundle wait on the disk twice.
    public func commit() throws {
        guard written == descriptor.size else {
            throw BlobStoreError.sizeMismatch(digest: descriptor.digest, expected: descriptor.size, actual: written)
        }
        try store.moveIntoPlace(partialPath, descriptor.digest)
        committed = true
        store.stamp(descriptor.digest)
    }

    /// Removes the partial file: bytes that failed verification must never be resumed from.
    public func discard() {
        if !discarded { unlink(partialPath) }
        discarded = true
        written = 0
        onLengthChange?(0)
    }
}

import Foundation
import Registry

/// One blob download into the cache, resumable: bytes go to `ingest/<hex>.partial`, hashed on the
/// way; ``commit()`` checks size and digest and only then renames the file into `blobs/`.
///
/// A partial file left by an interrupted run is hashed again on open and the download resumes after
/// it (``resumeOffset``, sent as `Range`). An exclusive `flock` keeps two processes from writing the
/// same partial file; the loser downloads under a private name instead.
public final class BlobIngest: ResponseSink, @unchecked Sendable {
    public let descriptor: Descriptor
    /// Where the download should continue from.
    public private(set) var resumeOffset: Int64 = 0
    private let store: BlobStore
    private let partialPath: String
    /// A private partial (another process, or another task, holds the shared one) cannot be
    /// resumed later: remove it.
    public let isPrivate: Bool
    private var committed = false
    private let descriptorFD: Int32
    private var digester = SHA256Digester()
    private var written: Int64 = 0
    /// An upload reading this download as it arrives (mirror), told about every byte in place.
    public var relay: GrowingFile? {
        didSet {
            // A private partial is not shared: the relay waits for the committed cache file.
            guard let relay, !isPrivate else { return }
            relay.attach(path: partialPath, available: written)
        }
    }

    init(store: BlobStore, descriptor: Descriptor) throws {
        self.store = store
        self.descriptor = descriptor
        let shared = "\(store.ingestDirectory)/\(descriptor.digest.encoded).partial"
        var fd = open(shared, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw BlobStoreError.io(path: shared, operation: "open", errno: errno) }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            partialPath = shared
            isPrivate = false
        } else {
            isPrivate = true
            close(fd)
            partialPath = "\(shared).\(getpid())-\(UUID().uuidString.prefix(8))"
            fd = open(partialPath, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw BlobStoreError.io(path: partialPath, operation: "open", errno: errno) }
        }
        descriptorFD = fd
        try adoptExistingBytes()
    }

    deinit {
        close(descriptorFD)
        // A private partial cannot be resumed by anyone, and an empty one holds nothing to resume.
        if !committed && (isPrivate || written == 0) { unlink(partialPath) }
    }

    /// Hashes what an earlier attempt left, so the digest covers the whole blob after resuming.
    private func adoptExistingBytes() throws {
        let existing = lseek(descriptorFD, 0, SEEK_END)
        guard existing > 0, Int64(existing) <= descriptor.size else {
            try truncate()
            return
        }
        lseek(descriptorFD, 0, SEEK_SET)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while written < Int64(existing) {
            let count = read(descriptorFD, buffer.baseAddress, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            digester.update(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            written += Int64(count)
        }
        resumeOffset = written
    }

    private func truncate() throws {
        guard ftruncate(descriptorFD, 0) == 0 else {
            throw BlobStoreError.io(path: partialPath, operation: "truncate", errno: errno)
        }
        lseek(descriptorFD, 0, SEEK_SET)
        digester = SHA256Digester()
        written = 0
        resumeOffset = 0
        relay?.advance(to: 0)
    }

    /// A 206 must continue exactly where the partial file ends; a 200 is the whole blob again.
    public func begin(status: Int, headers: HTTPHeaders) throws {
        if status == 206 {
            let range = headers["Content-Range"] ?? ""
            guard range.hasPrefix("bytes \(resumeOffset)-") else {
                throw BlobStoreError.rangeMismatch(digest: descriptor.digest, expectedStart: resumeOffset, contentRange: range)
            }
        } else if written > 0 {
            try truncate()
        }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        let total = written + Int64(bytes.count)
        // Refuse at once rather than fill the disk with a hostile or wrong body, and drop what
        // came before: a body longer than declared is not a prefix worth resuming from.
        guard total <= descriptor.size else {
            discard()
            throw BlobStoreError.sizeMismatch(digest: descriptor.digest, expected: descriptor.size, actual: total)
        }
        var remaining = bytes
        while !remaining.isEmpty {
            let count = Glibc.write(descriptorFD, remaining.baseAddress, remaining.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw BlobStoreError.io(path: partialPath, operation: "write", errno: errno)
            }
            remaining = UnsafeRawBufferPointer(rebasing: remaining[count...])
        }
        digester.update(bytes)
        written = total
        relay?.advance(to: written)
    }

    /// Verifies the complete download and moves it into the cache. A wrong size or digest deletes
    /// the partial file: those bytes must never be resumed from or trusted.
    public func commit() throws {
        guard written == descriptor.size else {
            discard()
            throw BlobStoreError.sizeMismatch(digest: descriptor.digest, expected: descriptor.size, actual: written)
        }
        let actual = digester.finalize()
        guard actual == descriptor.digest else {
            discard()
            throw BlobStoreError.digestMismatch(digest: descriptor.digest, actual: actual)
        }
        // No fsync: the cache is a cache. A blob torn by a crash is caught when it is copied into an
        // archive (BundleWriter hashes every byte it copies), and evicted there; syncing every blob
        // would make a bundle wait on the disk twice.
        try store.moveIntoPlace(partialPath, descriptor.digest)
        committed = true
        if isPrivate {
            relay?.attachComplete(path: store.path(for: descriptor.digest))
        } else {
            relay?.finish()
        }
    }

    /// Drops the partial download (after a verification failure, or when resuming is pointless).
    public func discard() {
        unlink(partialPath)
        relay?.fail("the download of \(descriptor.digest) was discarded")
    }

    /// Bytes in the partial file so far.
    public var bytesWritten: Int64 { written }
}

import CArchive
import Foundation
import OCI

/// An offline archive (see ``BundleLayout``) written in place: its whole layout is fixed first
/// (``TarLayout``), the file is created at its full size under a temporary name beside the output,
/// every header and small file is written at once, and then each blob's body lands at its own
/// offset — downloads straight into their slots (``ArchiveSlot``), cached blobs copied in by the
/// kernel (`copy_file_range`) — in any order, concurrently. Each byte of a blob is written once,
/// the result is the same bytes as writing entry after entry, and ``commit()`` renames it into
/// place only when complete; ``discard()`` (or an uncommitted deinit) leaves nothing at the output.
/// The file's sha256 is computed on the way (``InOrderChecksum``) and written beside it.
public final class BundleFile: @unchecked Sendable {
    public let outputPath: String
    public let temporaryPath: String
    public let layout: TarLayout
    /// The body of each blob, by digest.
    private let blobEntries: [Digest: TarLayout.Entry]
    private let fd: Int32
    private let checksum: InOrderChecksum
    private let lock = NSLock()
    private var finished = false

    /// Lays out and creates the archive: `files` (name and bytes: `oci-layout`, `index.json`,
    /// `manifest.json`) first, the blob directories, then `blobs` in order, each once. Fails at once,
    /// naming the output, when the directory cannot be written or the disk cannot hold the whole file.
    public init(outputPath: String, files: [(name: String, contents: Data)], blobs: [Descriptor], placeholders: [Digest] = []) throws {
        let output = URL(fileURLWithPath: outputPath)
        let directory = output.deletingLastPathComponent().path
        try Self.checkDestination(outputPath, directory: directory)
        let layout = try Self.layout(files: files.map { ($0.name, Int64($0.contents.count)) }, blobs: blobs, placeholders: placeholders)
        var entries: [Digest: TarLayout.Entry] = [:]
        let empty = Set(placeholders)
        for entry in layout.entries {
            if let digest = BundleLayout.digest(forBlobPath: entry.name), !empty.contains(digest) { entries[digest] = entry }
        }
        self.outputPath = output.path
        self.layout = layout
        blobEntries = entries
        temporaryPath = "\(directory)/.\(output.lastPathComponent).partial-\(getpid())-\(UUID().uuidString.prefix(8))"
        fd = open(temporaryPath, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ArchiveError(path: outputPath, operation: "create", message: String(cString: strerror(errno))) }
        checksum = InOrderChecksum(
            fd: fd, path: output.path, size: layout.size,
            bodies: entries.values.map { $0.bodyOffset..<($0.bodyOffset + $0.size) })
        do {
            // The whole size reserved now: a disk that cannot hold the archive says so before any
            // download, and the padding between bodies needs no writes (it reads as zeros).
            let reserved = posix_fallocate(fd, 0, off_t(layout.size))
            if reserved != 0 && reserved != EOPNOTSUPP && reserved != EINVAL {
                throw ArchiveError(path: outputPath, operation: "reserve \(layout.size) bytes for", message: String(cString: strerror(reserved)))
            }
            guard ftruncate(fd, off_t(layout.size)) == 0 else {
                throw ArchiveError(path: outputPath, operation: "size", message: String(cString: strerror(errno)))
            }
            for entry in layout.entries { try write(entry.header, at: entry.headerOffset) }
            for (file, entry) in zip(files, layout.entries) { try write(Array(file.contents), at: entry.bodyOffset) }
        } catch {
            close(fd)
            unlink(temporaryPath)
            throw error
        }
    }

    /// The archive's layout without writing it: `files` first, the blob directories, each of
    /// `blobs` once, in order, then a delta's `placeholders` (``BundleLayout/isPlaceholder``). Its
    /// `size` is the archive's size to the byte.
    public static func layout(files: [(name: String, size: Int64)], blobs: [Descriptor], placeholders: [Digest] = []) throws -> TarLayout {
        var layout = TarLayout()
        for file in files { try layout.addFile(file.name, size: file.size) }
        try layout.addDirectory(BundleLayout.blobsDirectory)
        try layout.addDirectory(BundleLayout.sha256Directory)
        var seen = Set<Digest>()
        for blob in blobs where seen.insert(blob.digest).inserted {
            try layout.addFile(BundleLayout.blobPath(blob.digest), size: blob.size)
        }
        for digest in placeholders where seen.insert(digest).inserted {
            try layout.addFile(BundleLayout.blobPath(digest), size: 0)
        }
        return layout
    }

    deinit {
        checksum.stop()
        close(fd)
        // Safety net: an archive that was never committed must not survive.
        if !finished { unlink(temporaryPath) }
    }

    /// Whether an archive can be written at `outputPath`, checked before any work: the directory
    /// exists and is writable, and the path is not a directory.
    public static func checkDestination(_ outputPath: String) throws {
        try checkDestination(outputPath, directory: URL(fileURLWithPath: outputPath).deletingLastPathComponent().path)
    }

    private static func checkDestination(_ outputPath: String, directory: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ArchiveError(path: outputPath, operation: "create", message: "directory \(directory) does not exist")
        }
        guard access(directory, W_OK) == 0 else {
            throw ArchiveError(path: outputPath, operation: "create", message: "directory \(directory) is not writable")
        }
        if FileManager.default.fileExists(atPath: outputPath, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ArchiveError(path: outputPath, operation: "create", message: "it is a directory; give a file name such as images.tar")
        }
    }

    /// Where `descriptor`'s body goes, as a ``BlobTarget`` a download writes into.
    public func slot(for descriptor: Descriptor) throws -> ArchiveSlot {
        guard let entry = blobEntries[descriptor.digest], entry.size == descriptor.size else {
            throw ArchiveError(path: outputPath, operation: "write", message: "the archive has no place for blob \(descriptor.digest)")
        }
        return ArchiveSlot(file: self, descriptor: descriptor, offset: entry.bodyOffset)
    }

    /// Copies `descriptor`'s body from `source` (a verified cache file) into its place, by the
    /// kernel (`copy_file_range`: no pass through this process, a shared extent where the file
    /// system can).
    public func copyBody(of descriptor: Descriptor, from source: String) throws {
        guard let entry = blobEntries[descriptor.digest] else {
            throw ArchiveError(path: outputPath, operation: "write", message: "the archive has no place for blob \(descriptor.digest)")
        }
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw ArchiveError(path: outputPath, operation: "read \(source)", message: String(cString: strerror(errno))) }
        defer { close(input) }
        try FileRange.copy(from: input, at: 0, to: fd, at: entry.bodyOffset, count: descriptor.size, naming: (source, outputPath))
        bodyComplete(at: entry.bodyOffset)
    }

    /// Copies `descriptor`'s body from its place in `other` (a part of the same run, where it is
    /// already complete and verified) into its place here, by the kernel.
    public func copyBody(of descriptor: Descriptor, from other: BundleFile) throws {
        guard let entry = blobEntries[descriptor.digest], let source = other.blobEntries[descriptor.digest], source.size == entry.size else {
            throw ArchiveError(path: outputPath, operation: "write", message: "the archive has no place for blob \(descriptor.digest)")
        }
        try FileRange.copy(from: other.fd, at: source.bodyOffset, to: fd, at: entry.bodyOffset, count: entry.size, naming: (other.outputPath, outputPath))
        bodyComplete(at: entry.bodyOffset)
    }

    /// Marks the body at `offset` as holding its final, verified bytes, for the checksum.
    func bodyComplete(at offset: Int64) {
        if let position = checksum.bodyPosition(startingAt: offset) { checksum.bodyComplete(position) }
    }

    /// Renames the finished archive to ``outputPath`` and writes its checksum beside it
    /// (``ChecksumFile``); returns the archive's sha256. The archive appears whole or not at all; an
    /// older checksum file at the output is removed first, so it never vouches for the new archive.
    ///
    /// No fsync, as with `podman save` and skopeo's docker-archive: forcing a multi-gigabyte archive
    /// to disk doubled a bundle's wall time (BENCHMARKS.md), and the usual next step — copying the
    /// archive to a disk or a bastion — reads it from the page cache anyway. Run `sync` before
    /// unplugging a disk.
    @discardableResult
    public func commit() throws -> Digest {
        let digest = try checksum.finish()
        try lock.withLock {
            guard !finished else { throw ArchiveError(path: outputPath, operation: "rename", message: "the archive was already committed or discarded") }
            unlink(ChecksumFile.path(for: outputPath))
            guard rename(temporaryPath, outputPath) == 0 else {
                throw ArchiveError(path: outputPath, operation: "rename", message: String(cString: strerror(errno)))
            }
            finished = true
        }
        try ChecksumFile.write(digest, for: outputPath)
        return digest
    }

    /// Deletes the temporary file; the output path is left as it was.
    public func discard() {
        checksum.stop()
        lock.withLock {
            guard !finished else { return }
            finished = true
            unlink(temporaryPath)
        }
    }

    func write(_ bytes: [UInt8], at offset: Int64) throws {
        try bytes.withUnsafeBytes { try write($0, at: offset) }
    }

    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
        var done = 0
        while done < bytes.count {
            let count = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + Int64(done)))
            if count < 0 {
                if errno == EINTR { continue }
                throw ArchiveError(path: outputPath, operation: "write data", message: String(cString: strerror(errno)))
            }
            done += count
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        while true {
            let count = pread(fd, buffer.baseAddress, buffer.count, off_t(offset))
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw ArchiveError(path: outputPath, operation: "read back", message: String(cString: strerror(errno))) }
            return count
        }
    }

    /// The open file, for a kernel copy out of a slot (filling the cache from the archive).
    var descriptorForCopies: Int32 { fd }
}

/// One blob's place in a ``BundleFile``: a ``BlobTarget`` writing at the blob's offset. What it
/// holds is trusted only once the downloader has verified it and called ``commit()``.
public final class ArchiveSlot: BlobTarget, @unchecked Sendable {
    public let descriptor: Descriptor
    private let file: BundleFile
    private let offset: Int64
    private var written: Int64 = 0
    public private(set) var isComplete = false

    init(file: BundleFile, descriptor: Descriptor, offset: Int64) {
        self.file = file
        self.descriptor = descriptor
        self.offset = offset
    }

    public var heldBytes: Int64 { written }

    /// Starts the slot with bytes an earlier run left (a cache partial), copied in by the kernel;
    /// the download hashes them back out of the slot (``readHeld(_:)``) and resumes after them.
    public func seed(from path: String, length: Int64) throws {
        guard length > 0, length <= descriptor.size else { return }
        let input = open(path, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { return }
        defer { close(input) }
        try FileRange.copy(from: input, at: 0, to: file.descriptorForCopies, at: offset, count: length, naming: (path, file.outputPath))
        written = length
    }

    public func readHeld(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var done: Int64 = 0
        while done < written {
            let count = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<Int(min(Int64(buffer.count), written - done))]), at: offset + done)
            guard count > 0 else { throw ArchiveError(path: file.outputPath, operation: "read back", message: "the file ended early") }
            try body(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            done += Int64(count)
        }
    }

    public func restart() throws {
        written = 0
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        try file.write(bytes, at: offset + written)
        written += Int64(bytes.count)
    }

    public func commit() throws {
        isComplete = true
        file.bodyComplete(at: offset)
    }

    public func discard() {
        written = 0
    }

    /// Copies this slot's bytes (`heldBytes` of them) into `target` by the kernel: the verified
    /// body into the cache, or a cut download's bytes into a partial file a later run resumes from.
    public func copy(to target: Int32) throws {
        try FileRange.copy(from: file.descriptorForCopies, at: offset, to: target, at: 0, count: written, naming: (file.outputPath, "cache"))
    }
}

/// `copy_file_range(2)` until `count` bytes moved: in the kernel, with no trip through user space
/// (and a shared extent where the file system can reflink). Between two file systems the kernel
/// refuses it (`EXDEV` since Linux 5.19: a cache on disk, an archive on tmpfs or a USB stick): then
/// the bytes go through a buffer here.
enum FileRange {
    static func copy(from input: Int32, at inputOffset: Int64, to output: Int32, at outputOffset: Int64, count: Int64, naming: (String, String)) throws {
        var inPosition = off_t(inputOffset), outPosition = off_t(outputOffset)
        var remaining = count
        while remaining > 0 {
            let moved = airgap_copy_file_range(input, &inPosition, output, &outPosition, Int(min(remaining, 1 << 30)))
            if moved < 0 {
                if errno == EINTR { continue }
                if [EXDEV, EOPNOTSUPP, ENOSYS, EINVAL].contains(errno) {
                    try copyThroughBuffer(from: input, at: Int64(inPosition), to: output, at: Int64(outPosition), count: remaining, naming: naming)
                    return
                }
                throw ArchiveError(path: naming.1, operation: "copy from \(naming.0)", message: String(cString: strerror(errno)))
            }
            guard moved > 0 else { throw ArchiveError(path: naming.1, operation: "copy from \(naming.0)", message: "the source ended early") }
            remaining -= Int64(moved)
        }
    }

    private static func copyThroughBuffer(from input: Int32, at inputOffset: Int64, to output: Int32, at outputOffset: Int64, count: Int64, naming: (String, String)) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var done: Int64 = 0
        while done < count {
            let wanted = Int(min(Int64(buffer.count), count - done))
            let read = pread(input, buffer.baseAddress, wanted, off_t(inputOffset + done))
            if read < 0 && errno == EINTR { continue }
            guard read > 0 else {
                throw ArchiveError(path: naming.1, operation: "copy from \(naming.0)", message: read == 0 ? "the source ended early" : String(cString: strerror(errno)))
            }
            var written = 0
            while written < read {
                let count = pwrite(output, buffer.baseAddress! + written, read - written, off_t(outputOffset + done + Int64(written)))
                if count < 0 {
                    if errno == EINTR { continue }
                    throw ArchiveError(path: naming.1, operation: "copy from \(naming.0)", message: String(cString: strerror(errno)))
                }
                written += count
            }
            done += Int64(read)
        }
    }
}

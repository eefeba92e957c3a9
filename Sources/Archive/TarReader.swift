import CArchive
import Foundation
import OCI

/// One entry of a tar as read: its name as stored (not yet trusted) and its kind.
public struct TarEntry: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case regular, directory, symbolicLink, hardLink, other
        /// A regular file whose stored bytes are not its content: holes left out (GNU and pax
        /// sparse files), or a sparse map in front.
        case sparse
    }

    public var name: String
    public var size: Int64
    public var kind: Kind
    /// Where a symbolic or hard link points, as stored.
    public var linkTarget: String?
}

/// Reads a tar through libarchive sequentially: ``next()`` moves to the next entry, and
/// ``readData(_:)`` streams the current entry's contents in chunks.
public final class TarReader {
    public let path: String
    private var handle: OpaquePointer?
    /// The same file, for reading headers as stored (``readRawHeader()``).
    let fileDescriptor: Int32
    /// The current entry's headers as stored, once read.
    private var currentRawHeader: RawTarHeader?
    /// Hashes the whole file as libarchive reads it, when asked to.
    private var wholeFile: WholeFileHasher?
    private static let chunkSize = 1 << 20

    /// Opens `path`. With `hashingWholeFile`, the file's own sha256 is computed on the way
    /// (``wholeFileDigest()``), for checking it against a checksum file.
    public init(path: String, hashingWholeFile: Bool = false) throws {
        self.path = path
        fileDescriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard fileDescriptor >= 0 else {
            throw ArchiveError(path: path, operation: "open", message: "Failed to open '\(path)': \(String(cString: strerror(errno)))")
        }
        guard let handle = archive_read_new() else {
            close(fileDescriptor)
            throw ArchiveError(path: path, operation: "archive_read_new", message: "out of memory")
        }
        self.handle = handle
        do {
            // Only tar: an offline archive is a plain tar, and nothing else should be accepted silently.
            try ArchiveError.check(archive_read_support_format_tar(handle), handle, path: path, operation: "set format")
            try ArchiveError.check(archive_read_support_filter_none(handle), handle, path: path, operation: "set filter")
            if hashingWholeFile {
                let reading = open(path, O_RDONLY | O_CLOEXEC)
                guard reading >= 0 else {
                    throw ArchiveError(path: path, operation: "open", message: "Failed to open '\(path)': \(String(cString: strerror(errno)))")
                }
                let hasher = WholeFileHasher(fd: reading, path: path)
                wholeFile = hasher
                try ArchiveError.check(hasher.open(handle), handle, path: path, operation: "open")
            } else {
                try ArchiveError.check(archive_read_open_filename(handle, path, Self.chunkSize), handle, path: path, operation: "open")
            }
        } catch {
            archive_read_free(handle)
            if let wholeFile { close(wholeFile.fd) }
            close(fileDescriptor)
            self.handle = nil
            throw error
        }
    }

    deinit {
        if let handle { archive_read_free(handle) }
        if let wholeFile { close(wholeFile.fd) }
        close(fileDescriptor)
    }

    /// The sha256 of the whole file, once ``next()`` has returned `nil`; `nil` when the reader was
    /// not asked to hash.
    public func wholeFileDigest() throws -> Digest? {
        try wholeFile?.finish()
    }

    var rawHandle: OpaquePointer? { handle }

    /// Advances to the next entry; `nil` at the end of the archive.
    public func next() throws -> TarEntry? {
        guard let handle else { return nil }
        var entry: OpaquePointer?
        currentRawHeader = nil
        let code = archive_read_next_header(handle, &entry)
        if code == ARCHIVE_EOF { return nil }
        try ArchiveError.check(code, handle, path: path, operation: "read header")
        guard let entry else { return nil }
        let name = archive_entry_pathname_utf8(entry).map { String(cString: $0) }
            ?? archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
        let hardLink = archive_entry_hardlink(entry).map { String(cString: $0) }
        let symbolicLink = archive_entry_symlink(entry).map { String(cString: $0) }
        var kind: TarEntry.Kind
        if hardLink != nil {
            kind = .hardLink
        } else {
            switch archive_entry_filetype(entry) {
            case airgap_ae_ifreg(): kind = .regular
            case airgap_ae_ifdir(): kind = .directory
            case airgap_ae_iflnk(): kind = .symbolicLink
            default: kind = .other
            }
        }
        let size = archive_entry_size(entry)
        if kind == .regular {
            // libarchive hands out a sparse file's content, holes filled in; what is stored differs.
            let raw = try rawHeader()
            if archive_entry_sparse_count(entry) > 0 || raw.marksSparse || raw.storedSize != size { kind = .sparse }
        }
        return TarEntry(name: name, size: size, kind: kind, linkTarget: hardLink ?? symbolicLink)
    }

    /// The current entry's headers as stored, read once per entry.
    func rawHeader() throws -> RawTarHeader {
        if let currentRawHeader { return currentRawHeader }
        let raw = try readRawHeader()
        currentRawHeader = raw
        return raw
    }

    /// Where the current entry's stored bytes start in the tar file, so a blob can be read (or
    /// uploaded) straight from the archive without extracting it. They are its content only for a
    /// ``TarEntry/Kind/regular`` entry.
    public func currentDataOffset() throws -> Int64 {
        try rawHeader().dataOffset
    }

    /// Streams the current entry's contents to `consume`, chunk by chunk; returns the byte count.
    @discardableResult
    public func readData(_ consume: (UnsafeRawBufferPointer) throws -> Void) throws -> Int64 {
        guard let handle else { return 0 }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var total: Int64 = 0
        while true {
            let count = archive_read_data(handle, buffer.baseAddress, buffer.count)
            if count == 0 { return total }
            guard count > 0 else {
                throw ArchiveError(path: path, operation: "read data", message: ArchiveError.message(of: handle))
            }
            try consume(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            total += Int64(count)
        }
    }

    /// Reads the current entry whole, refusing more than `limit` bytes (index.json, manifest.json).
    public func readSmallData(limit: Int) throws -> Data {
        var data = Data()
        try readData { chunk in
            guard data.count + chunk.count <= limit else {
                throw ArchiveError(path: path, operation: "read data", message: "entry exceeds \(limit) bytes")
            }
            data.append(contentsOf: chunk)
        }
        return data
    }
}

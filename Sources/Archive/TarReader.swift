import CArchive
import Foundation

/// One entry of a tar as read: its name as stored (not yet trusted) and its kind.
public struct TarEntry: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case regular, directory, symbolicLink, hardLink, other
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
    private static let chunkSize = 1 << 20

    public init(path: String) throws {
        self.path = path
        guard let handle = archive_read_new() else {
            throw ArchiveError(path: path, operation: "archive_read_new", message: "out of memory")
        }
        self.handle = handle
        do {
            // Only tar: an offline archive is a plain tar, and nothing else should be accepted silently.
            try ArchiveError.check(archive_read_support_format_tar(handle), handle, path: path, operation: "set format")
            try ArchiveError.check(archive_read_support_filter_none(handle), handle, path: path, operation: "set filter")
            try ArchiveError.check(archive_read_open_filename(handle, path, Self.chunkSize), handle, path: path, operation: "open")
        } catch {
            archive_read_free(handle)
            self.handle = nil
            throw error
        }
    }

    deinit {
        if let handle { archive_read_free(handle) }
    }

    var rawHandle: OpaquePointer? { handle }

    /// Advances to the next entry; `nil` at the end of the archive.
    public func next() throws -> TarEntry? {
        guard let handle else { return nil }
        var entry: OpaquePointer?
        let code = archive_read_next_header(handle, &entry)
        if code == ARCHIVE_EOF { return nil }
        try ArchiveError.check(code, handle, path: path, operation: "read header")
        guard let entry else { return nil }
        let name = archive_entry_pathname_utf8(entry).map { String(cString: $0) }
            ?? archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
        let hardLink = archive_entry_hardlink(entry).map { String(cString: $0) }
        let symbolicLink = archive_entry_symlink(entry).map { String(cString: $0) }
        let kind: TarEntry.Kind
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
        return TarEntry(name: name, size: archive_entry_size(entry), kind: kind, linkTarget: hardLink ?? symbolicLink)
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

import CArchive
import Foundation

/// A whole tar laid out before a byte of it is written: every entry's header (rendered by libarchive,
/// exactly as ``TarWriter`` writes it) and the offset of every body. With the layout known,
/// bodies can be written concurrently at their places (downloads landing where they belong),
/// and the file is the same, byte for byte, as one written entry after entry.
public struct TarLayout: Sendable {
    public struct Entry: Sendable {
        public var name: String
        public var size: Int64
        /// The header bytes (512, more when a name needs pax extensions).
        public var header: [UInt8]
        public var headerOffset: Int64
        public var bodyOffset: Int64
    }

    public private(set) var entries: [Entry] = []
    /// Where the next header goes: after the last body and its padding to 512 bytes.
    private var end: Int64 = 0
    private let modificationTime: Int

    public init(modificationTime: Int = 0) {
        self.modificationTime = modificationTime
    }

    /// The file's size: every entry, then the two zero records that end a tar (libarchive pads no
    /// further: ``TarWriter`` sets one byte per last block).
    public var size: Int64 { end + 2 * Self.record }

    static let record: Int64 = 512

    public mutating func addDirectory(_ name: String) throws {
        _ = try add(name: name.hasSuffix("/") ? name : name + "/", size: 0, type: airgap_ae_ifdir(), mode: 0o755)
    }

    @discardableResult
    public mutating func addFile(_ name: String, size: Int64) throws -> Entry {
        try add(name: name, size: size, type: airgap_ae_ifreg(), mode: 0o644)
    }

    private mutating func add(name: String, size: Int64, type: UInt32, mode: UInt32) throws -> Entry {
        let header = try Self.header(name: name, size: size, type: type, mode: mode, modificationTime: modificationTime)
        let entry = Entry(name: name, size: size, header: header, headerOffset: end, bodyOffset: end + Int64(header.count))
        entries.append(entry)
        end = entry.bodyOffset + (size + Self.record - 1) / Self.record * Self.record
        return entry
    }

    /// The header libarchive writes for this entry: an unblocked pax-restricted writer into memory,
    /// read as soon as the header is written. Closing it then pads the missing body into the rest of
    /// the buffer until that is full, and fails; that is expected and ignored. It must still be
    /// closed: `archive_write_fail` instead (as this did once) made `archive_write_free` skip the
    /// close, and libarchive 3.6 frees its client writer's state only there (33 bytes per header,
    /// found by LeakSanitizer). The buffer is small, so that padding costs little; a header that
    /// does not fit (pax extensions for a very long name) is written again into a larger one.
    static func header(name: String, size: Int64, type: UInt32, mode: UInt32, modificationTime: Int) throws -> [UInt8] {
        let path = "<tar layout>"
        let entry = try TarWriter.entry(name: name, size: size, type: type, mode: mode, modificationTime: modificationTime, path: path)
        defer { archive_entry_free(entry) }
        for capacity in [4 * 1024, 64 * 1024] {
            if let header = try header(of: entry, named: name, capacity: capacity, path: path) { return header }
        }
        throw ArchiveError(path: path, operation: "header for \(name)", message: "the header does not fit in 64 KiB")
    }

    /// One try of ``header(name:size:type:mode:modificationTime:)`` in `capacity` bytes; `nil` when
    /// the header does not fit.
    private static func header(of entry: OpaquePointer, named name: String, capacity: Int, path: String) throws -> [UInt8]? {
        guard let handle = archive_write_new() else { throw ArchiveError(path: path, operation: "archive_write_new", message: "out of memory") }
        defer { archive_write_free(handle) }
        var buffer = [UInt8](repeating: 0, count: capacity)
        var used = 0
        var headerBytes = 0
        var refusal: String?
        try buffer.withUnsafeMutableBytes { memory in
            try ArchiveError.check(archive_write_set_format_pax_restricted(handle), handle, path: path, operation: "set format")
            try ArchiveError.check(archive_write_add_filter_none(handle), handle, path: path, operation: "set filter")
            try ArchiveError.check(archive_write_set_bytes_per_block(handle, 0), handle, path: path, operation: "set block size")
            try ArchiveError.check(archive_write_open_memory(handle, memory.baseAddress, memory.count, &used), handle, path: path, operation: "open")
            // A warning (a name libarchive cannot translate, say) still wrote the header.
            if archive_write_header(handle, entry) < ARCHIVE_WARN { refusal = ArchiveError.message(of: handle) }
            headerBytes = used
            _ = archive_write_close(handle)
        }
        if let refusal {
            // The memory writer fails only when its buffer is full: try the larger one first.
            if capacity < 64 * 1024 { return nil }
            throw ArchiveError(path: path, operation: "header for \(name)", message: refusal)
        }
        guard headerBytes > 0, headerBytes % Int(record) == 0 else {
            throw ArchiveError(path: path, operation: "header for \(name)", message: "libarchive wrote \(headerBytes) bytes, not whole records")
        }
        return Array(buffer[..<headerBytes])
    }
}

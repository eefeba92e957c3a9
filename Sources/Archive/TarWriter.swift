import CArchive
import Foundation

/// Writes a plain (uncompressed) tar through libarchive, entry by entry, streaming file contents.
///
/// Metadata is fixed — owner 0:0, mode 0644/0755, a caller-chosen mtime — so the same inputs
/// give the same bytes. Names use the pax-restricted format: ustar headers, with pax extensions
/// only when a name needs them, which every loader (Go's archive/tar, libarchive, GNU tar) reads.
public final class TarWriter {
    public let path: String
    private var handle: OpaquePointer?
    private let modificationTime: Int
    private static let chunkSize = 1 << 20

    /// Opens `path` for writing (created or truncated). Write to a temporary name and rename after
    /// ``finish()``: a tar is only valid once its end-of-archive blocks are written.
    public init(path: String, modificationTime: Int = 0) throws {
        self.path = path
        self.modificationTime = modificationTime
        guard let handle = archive_write_new() else {
            throw ArchiveError(path: path, operation: "archive_write_new", message: "out of memory")
        }
        self.handle = handle
        do {
            try ArchiveError.check(archive_write_set_format_pax_restricted(handle), handle, path: path, operation: "set format")
            try ArchiveError.check(archive_write_add_filter_none(handle), handle, path: path, operation: "set filter")
            // Pad only to 512-byte records, not libarchive's default 10 KiB block.
            try ArchiveError.check(archive_write_set_bytes_in_last_block(handle, 1), handle, path: path, operation: "set block size")
            try ArchiveError.check(archive_write_open_filename(handle, path), handle, path: path, operation: "open")
        } catch {
            archive_write_free(handle)
            self.handle = nil
            throw error
        }
    }

    deinit {
        // Safety net only: an unfinished writer leaves a truncated tar, which callers delete.
        if let handle { archive_write_free(handle) }
    }

    /// Adds a directory entry (`blobs/`, `blobs/sha256/`).
    public func addDirectory(_ name: String) throws {
        try writeHeader(name: name.hasSuffix("/") ? name : name + "/", size: 0, type: airgap_ae_ifdir(), mode: 0o755)
    }

    /// Adds a regular file with the given contents (small files: `index.json`, `manifest.json`).
    public func addFile(_ name: String, contents: Data) throws {
        let handle = try openHandle()
        try writeHeader(name: name, size: Int64(contents.count), type: airgap_ae_ifreg(), mode: 0o644)
        try contents.withUnsafeBytes { try writeData($0, handle) }
        try finishEntry(handle, name: name)
    }

    /// Adds a regular file whose `size` bytes are read from `source`, in chunks: blobs are never
    /// held whole in memory. Fails if the source holds fewer bytes than `size`. `observe` sees every
    /// chunk on its way in (a hasher checks the bytes it copies).
    public func addFile(_ name: String, size: Int64, from source: String, observe: (UnsafeRawBufferPointer) -> Void = { _ in }) throws {
        let handle = try openHandle()
        let descriptor = open(source, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ArchiveError(path: path, operation: "read \(source)", message: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        try writeHeader(name: name, size: size, type: airgap_ae_ifreg(), mode: 0o644)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var remaining = size
        while remaining > 0 {
            let count = read(descriptor, buffer.baseAddress, Int(min(Int64(buffer.count), remaining)))
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                throw ArchiveError(path: path, operation: "read \(source)", message: count == 0 ? "file is shorter than \(size) bytes" : String(cString: strerror(errno)))
            }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[..<count])
            observe(chunk)
            try writeData(chunk, handle)
            remaining -= Int64(count)
        }
        try finishEntry(handle, name: name)
    }

    /// Writes the end-of-archive blocks and closes the file. Until this returns, the tar is incomplete.
    public func finish() throws {
        guard let handle else { return }
        defer {
            archive_write_free(handle)
            self.handle = nil
        }
        try ArchiveError.check(archive_write_close(handle), handle, path: path, operation: "close")
    }

    // MARK: - Private

    private func openHandle() throws -> OpaquePointer {
        guard let handle else { throw ArchiveError(path: path, operation: "write", message: "the archive is already finished") }
        return handle
    }

    private func writeHeader(name: String, size: Int64, type: UInt32, mode: UInt32) throws {
        let handle = try openHandle()
        let entry = try Self.entry(name: name, size: size, type: type, mode: mode, modificationTime: modificationTime, path: path)
        defer { archive_entry_free(entry) }
        try ArchiveError.check(archive_write_header(handle, entry), handle, path: path, operation: "write header for \(name)")
    }

    /// The fixed metadata every entry gets (owner 0:0, the caller's mtime): the one place it is
    /// set, so a header rendered ahead of time (``TarLayout``) is the one this writer writes.
    static func entry(name: String, size: Int64, type: UInt32, mode: UInt32, modificationTime: Int, path: String) throws -> OpaquePointer {
        guard let entry = archive_entry_new() else {
            throw ArchiveError(path: path, operation: "archive_entry_new", message: "out of memory")
        }
        archive_entry_set_pathname_utf8(entry, name)
        archive_entry_set_size(entry, size)
        archive_entry_set_filetype(entry, type)
        archive_entry_set_perm(entry, mode_t(mode))
        archive_entry_set_uid(entry, 0)
        archive_entry_set_gid(entry, 0)
        archive_entry_set_mtime(entry, time_t(modificationTime), 0)
        return entry
    }

    private func writeData(_ bytes: UnsafeRawBufferPointer, _ handle: OpaquePointer) throws {
        var remaining = bytes
        while !remaining.isEmpty {
            let written = archive_write_data(handle, remaining.baseAddress, remaining.count)
            guard written > 0 else {
                throw ArchiveError(path: path, operation: "write data", message: ArchiveError.message(of: handle))
            }
            remaining = UnsafeRawBufferPointer(rebasing: remaining[written...])
        }
    }

    private func finishEntry(_ handle: OpaquePointer, name: String) throws {
        try ArchiveError.check(archive_write_finish_entry(handle), handle, path: path, operation: "finish \(name)")
    }
}

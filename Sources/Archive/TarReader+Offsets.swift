import CArchive
import Foundation

extension TarReader {
    /// Where the current entry's data starts in the tar file, so a blob can be read (or uploaded)
    /// straight from the archive without extracting it.
    ///
    /// libarchive reports where the entry's first header starts; a pax or GNU long-name record may
    /// come before the entry's own ustar header, so walk the headers from there (POSIX ustar: a
    /// 512-byte header, the size in octal at byte 124, the type flag at byte 156, data padded to 512).
    public func currentDataOffset() throws -> Int64 {
        guard let handle = rawHandle else { throw ArchiveError(path: path, operation: "offset", message: "the archive is closed") }
        var position = archive_read_header_position(handle)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ArchiveError(path: path, operation: "open", message: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var header = [UInt8](repeating: 0, count: 512)
        for _ in 0..<8 {
            guard pread(descriptor, &header, 512, off_t(position)) == 512 else {
                throw ArchiveError(path: path, operation: "offset", message: "cannot read the header at byte \(position)")
            }
            let type = header[156]
            // x: pax extended header, g: pax global, L/K: GNU long name / long link. Skip them.
            guard [UInt8(ascii: "x"), UInt8(ascii: "g"), UInt8(ascii: "L"), UInt8(ascii: "K")].contains(type) else {
                return position + 512
            }
            let sizeField = header[124..<136].prefix { $0 != 0 && $0 != UInt8(ascii: " ") }
            guard let size = Int64(String(decoding: sizeField, as: UTF8.self), radix: 8) else {
                throw ArchiveError(path: path, operation: "offset", message: "unreadable size in the header at byte \(position)")
            }
            position += 512 + (size + 511) / 512 * 512
        }
        throw ArchiveError(path: path, operation: "offset", message: "too many extension headers before one entry")
    }
}

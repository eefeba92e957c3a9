import CArchive
import Foundation

/// What the tar file itself says about an entry, read from its headers rather than through
/// libarchive: where its stored bytes start, how many there are, and whether they are the entry's
/// content at all.
///
/// `mirror --from` uploads a blob straight from the archive, `size` bytes from the data offset,
/// while `verify` reads the content libarchive gives. The two agree only when the bytes stored are
/// the content. A sparse entry breaks that: its stored bytes are the data segments without the
/// holes (GNU `S` headers, pax `GNU.sparse.*` 0.x), or a sparse map followed by them (pax 1.0,
/// where libarchive even reports an entry whose one segment covers the file as a plain file).
/// So a regular entry counts only when no header marks it sparse and its stored size is its size.
struct RawTarHeader: Sendable, Hashable {
    /// Where the entry's stored bytes start in the file.
    var dataOffset: Int64
    /// The ustar type flag of the entry's own header (`0`, `5`, `S`, …).
    var typeFlag: UInt8
    /// How many bytes are stored after the header: pax `size` when given, else the ustar size.
    var storedSize: Int64
    /// A GNU sparse header (`S`), or pax records of a sparse file (`GNU.sparse.*`, `SCHILY.realsize`).
    var marksSparse: Bool
}

extension TarReader {
    /// The largest pax extended header read: real ones hold a long name or two.
    static let maximumExtendedHeader: Int64 = 1 << 20

    /// Walks the headers of the current entry from where libarchive says its first header starts:
    /// pax (`x`, `g`) and GNU long-name (`L`, `K`) records come before the entry's own ustar header
    /// (POSIX ustar: a 512-byte header, the size at byte 124, the type flag at byte 156, data
    /// padded to 512).
    func readRawHeader() throws -> RawTarHeader {
        guard let handle = rawHandle else { throw ArchiveError(path: path, operation: "read header", message: "the archive is closed") }
        var position = archive_read_header_position(handle)
        var paxSize: Int64?
        var marksSparse = false
        var header = [UInt8](repeating: 0, count: 512)
        for _ in 0..<8 {
            try readExactly(&header, at: position)
            let type = header[156]
            guard let size = Self.ustarSize(header[124..<136]) else {
                throw ArchiveError(path: path, operation: "read header", message: "unreadable size in the header at byte \(position)")
            }
            let dataOffset = position + 512
            switch type {
            case UInt8(ascii: "x"), UInt8(ascii: "g"):
                guard size <= Self.maximumExtendedHeader else {
                    throw ArchiveError(path: path, operation: "read header", message: "a pax header of \(size) bytes at byte \(position)")
                }
                var records = [UInt8](repeating: 0, count: Int(size))
                try readExactly(&records, at: dataOffset)
                for (key, value) in Self.paxRecords(records) {
                    if key.hasPrefix("GNU.sparse.") || key == "SCHILY.realsize" { marksSparse = true }
                    if key == "size", type == UInt8(ascii: "x") { paxSize = Int64(value) }
                }
            case UInt8(ascii: "L"), UInt8(ascii: "K"):
                break
            default:
                return RawTarHeader(
                    dataOffset: dataOffset, typeFlag: type, storedSize: paxSize ?? size,
                    marksSparse: marksSparse || type == UInt8(ascii: "S"))
            }
            position = dataOffset + (size + 511) / 512 * 512
        }
        throw ArchiveError(path: path, operation: "read header", message: "too many extension headers before one entry")
    }

    private func readExactly(_ buffer: inout [UInt8], at offset: Int64) throws {
        let wanted = buffer.count
        let count = buffer.withUnsafeMutableBytes { pread(fileDescriptor, $0.baseAddress, wanted, off_t(offset)) }
        guard count == wanted else {
            throw ArchiveError(path: path, operation: "read header", message: "cannot read \(wanted) bytes at byte \(offset)")
        }
    }

    /// A ustar numeric field: octal digits (padded with spaces or NULs), or GNU's base-256 form
    /// (high bit of the first byte set) for sizes of 8 GiB and more.
    static func ustarSize(_ field: ArraySlice<UInt8>) -> Int64? {
        guard let first = field.first else { return nil }
        if first & 0x80 != 0 {
            var value: Int64 = Int64(first & 0x7f)
            for byte in field.dropFirst() {
                guard value <= (Int64.max >> 8) else { return nil }
                value = value << 8 | Int64(byte)
            }
            return value
        }
        let digits = field.drop { $0 == UInt8(ascii: " ") || $0 == 0 }.prefix { $0 != 0 && $0 != UInt8(ascii: " ") }
        if digits.isEmpty { return 0 }
        return Int64(String(decoding: digits, as: UTF8.self), radix: 8)
    }

    /// The `key=value` pairs of a pax extended header (`LENGTH key=value\n` records); stops at
    /// the first malformed record.
    static func paxRecords(_ bytes: [UInt8]) -> [(key: String, value: String)] {
        var records: [(String, String)] = []
        var start = 0
        while start < bytes.count {
            guard let space = bytes[start...].firstIndex(of: UInt8(ascii: " ")),
                let length = Int(String(decoding: bytes[start..<space], as: UTF8.self)), length > space - start + 1,
                start + length <= bytes.count, bytes[start + length - 1] == UInt8(ascii: "\n")
            else { break }
            let record = bytes[(space + 1)..<(start + length - 1)]
            if let equals = record.firstIndex(of: UInt8(ascii: "=")) {
                records.append((String(decoding: record[..<equals], as: UTF8.self), String(decoding: record[(equals + 1)...], as: UTF8.self)))
            }
            start += length
        }
        return records
    }
}

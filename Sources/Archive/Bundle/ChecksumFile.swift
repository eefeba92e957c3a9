import Foundation
import OCI

/// `NAME.sha256` beside an archive: one line in the format `sha256sum` writes and `sha256sum -c`
/// checks (`<64 hex>  <file name>`), so the far side of a transfer can check the file with nothing
/// but coreutils, and transfer services that compare a checksum on each side can read it.
public enum ChecksumFile {
    /// The sidecar's path for `archive`: the archive's path with `.sha256` added.
    public static func path(for archive: String) -> String { archive + ".sha256" }

    /// One checked line. GNU coreutils escapes a name holding a backslash or a newline and marks
    /// such a line with a leading backslash; the same is done here.
    public static func line(_ digest: Digest, name: String) -> String {
        guard name.contains("\\") || name.contains("\n") || name.contains("\r") else {
            return "\(digest.encoded)  \(name)\n"
        }
        let escaped = name.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
        return "\\\(digest.encoded)  \(escaped)\n"
    }

    /// Writes the sidecar for `archive` (temporary name, then rename).
    public static func write(_ digest: Digest, for archive: String) throws {
        let target = path(for: archive)
        let name = URL(fileURLWithPath: archive).lastPathComponent
        try AtomicFile.write(Data(line(digest, name: name).utf8), to: target)
    }

    /// The entries of a checksum file: each line's file name and digest. Lines that are not
    /// `sha256sum` lines are reported by number.
    public static func parse(_ text: String, file: String) throws -> [(name: String, digest: Digest)] {
        var entries: [(String, Digest)] = []
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line = line.dropLast() }
            if line.isEmpty { continue }
            let escaped = line.hasPrefix("\\")
            if escaped { line = line.dropFirst() }
            let hex = line.prefix(64)
            let rest = line.dropFirst(64)
            guard hex.count == 64, let digest = try? Digest("sha256:\(hex.lowercased())"),
                rest.hasPrefix("  ") || rest.hasPrefix(" *"), rest.count > 2
            else {
                throw ChecksumFileError.malformed(file: file, line: number + 1)
            }
            var name = String(rest.dropFirst(2))
            if escaped {
                name = name.replacingOccurrences(of: "\\n", with: "\n").replacingOccurrences(of: "\\r", with: "\r")
                    .replacingOccurrences(of: "\\\\", with: "\\")
            }
            entries.append((name, digest))
        }
        return entries
    }

    /// The digest `archive`'s sidecar records for it, `nil` when there is no sidecar.
    public static func recorded(for archive: String) throws -> Digest? {
        let sidecar = path(for: archive)
        guard FileManager.default.fileExists(atPath: sidecar) else { return nil }
        guard let data = FileManager.default.contents(atPath: sidecar), data.count <= 1 << 20 else {
            throw ChecksumFileError.unreadable(file: sidecar)
        }
        let name = URL(fileURLWithPath: archive).lastPathComponent
        let entries = try parse(String(decoding: data, as: UTF8.self), file: sidecar)
        guard let entry = entries.first(where: { $0.name == name || URL(fileURLWithPath: $0.name).lastPathComponent == name }) else {
            throw ChecksumFileError.notListed(file: sidecar, name: name)
        }
        return entry.digest
    }
}

public enum ChecksumFileError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(file: String, line: Int)
    case unreadable(file: String)
    case notListed(file: String, name: String)

    public var description: String {
        switch self {
        case .malformed(let file, let line):
            return "\(file): line \(line) is not a sha256sum line (64 hex digits, two spaces, a file name)"
        case .unreadable(let file):
            return "\(file): cannot be read (or is over 1 MiB)"
        case .notListed(let file, let name):
            return "\(file) lists no checksum for \(name)"
        }
    }
}

/// Whole small files written under a temporary name beside the target and renamed into place.
enum AtomicFile {
    static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())")
        do {
            try data.write(to: temporary)
            guard rename(temporary.path, path) == 0 else {
                throw ArchiveError(path: path, operation: "rename", message: String(cString: strerror(errno)))
            }
        } catch let error as ArchiveError {
            unlink(temporary.path)
            throw error
        } catch {
            unlink(temporary.path)
            throw ArchiveError(path: path, operation: "write", message: error.localizedDescription)
        }
    }
}

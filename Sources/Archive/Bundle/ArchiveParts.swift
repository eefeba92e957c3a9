import Foundation
import OCI

/// `NAME.parts`: the list of archives `bundle --max-size` wrote for one run — each part's file name,
/// size, sha256 and images — so that `verify NAME.parts` checks the whole set, and the far side can
/// tell a missing or swapped part from a complete set. Each part is a complete archive of its own.
public struct ArchiveParts: Sendable, Hashable, Codable {
    public struct Part: Sendable, Hashable, Codable {
        /// The part's file name, in the same directory as the `.parts` file.
        public var file: String
        public var size: Int64
        public var sha256: Digest
        /// The images the part holds, by the name each is loaded under.
        public var images: [String]

        public init(file: String, size: Int64, sha256: Digest, images: [String]) {
            self.file = file
            self.size = size
            self.sha256 = sha256
            self.images = images
        }
    }

    public static let mediaType = "application/vnd.airgap.parts.v1+json"
    public static let fileExtension = ".parts"

    public var mediaType: String
    public var parts: [Part]

    public init(parts: [Part]) {
        mediaType = Self.mediaType
        self.parts = parts
    }

    /// `images.tar` → `images-1.tar`, `images-2.tar`, …: the part numbered `number` (from 1).
    public static func partPath(for output: String, number: Int) -> String {
        let (stem, suffix) = split(output)
        return "\(stem)-\(number)\(suffix)"
    }

    /// `images.tar` → `images.parts`.
    public static func listPath(for output: String) -> String {
        split(output).stem + fileExtension
    }

    private static func split(_ output: String) -> (stem: String, suffix: String) {
        let url = URL(fileURLWithPath: output)
        let name = url.lastPathComponent
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return (output, "") }
        let suffix = String(name[dot...])
        return (String(output.dropLast(suffix.count)), suffix)
    }

    /// The parts' paths, beside the list at `listPath`.
    public func archivePaths(relativeTo listPath: String) -> [String] {
        let directory = URL(fileURLWithPath: listPath).deletingLastPathComponent()
        return parts.map { directory.appendingPathComponent($0.file).path }
    }

    /// Reads and checks a `.parts` file: it parses, and every part is a plain file name.
    public static func read(_ path: String) throws -> ArchiveParts {
        guard let data = FileManager.default.contents(atPath: path) else { throw ArchivePartsError.unreadable(file: path) }
        guard data.count <= 16 << 20 else { throw ArchivePartsError.malformed(file: path, reason: "it is over 16 MiB") }
        let list: ArchiveParts
        do {
            list = try JSONDecoder().decode(ArchiveParts.self, from: data)
        } catch {
            throw ArchivePartsError.malformed(file: path, reason: JSONFailure.describe(error))
        }
        guard list.mediaType == mediaType else {
            throw ArchivePartsError.malformed(file: path, reason: "its mediaType is \(list.mediaType), not \(mediaType)")
        }
        guard !list.parts.isEmpty else { throw ArchivePartsError.malformed(file: path, reason: "it lists no parts") }
        for part in list.parts where part.file.isEmpty || part.file.contains("/") || part.file == "." || part.file == ".." {
            throw ArchivePartsError.malformed(file: path, reason: "part name \(part.file.debugDescription) is not a plain file name")
        }
        return list
    }

    /// Writes the list to `path` (temporary name, then rename).
    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        try AtomicFile.write(try encoder.encode(self) + Data("\n".utf8), to: path)
    }
}

public enum ArchivePartsError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(file: String)
    case malformed(file: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let file): "\(file) cannot be read (no such file, or permission denied)"
        case .malformed(let file, let reason): "\(file) is not a list of archive parts: \(reason)"
        }
    }
}

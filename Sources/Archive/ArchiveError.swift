import CArchive
import Foundation

/// A libarchive failure, carrying the library's own message and the archive's path.
public struct ArchiveError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var operation: String
    public var message: String

    public init(path: String, operation: String, message: String) {
        self.path = path
        self.operation = operation
        self.message = message
    }

    public var description: String { "\(path): \(operation): \(message)" }

    /// The one place a libarchive return code is checked. Warnings (`ARCHIVE_WARN`) pass:
    /// libarchive uses them for conditions that leave the data intact.
    static func check(_ code: Int32, _ handle: OpaquePointer, path: String, operation: String) throws {
        guard code < ARCHIVE_WARN else { return }
        throw ArchiveError(path: path, operation: operation, message: message(of: handle))
    }

    /// libarchive's text, with the system's reason when it has one: its file writer says only
    /// "Write error", which on a full disk must still say "No space left on device".
    static func message(of handle: OpaquePointer) -> String {
        let text = archive_error_string(handle).map { String(cString: $0) } ?? "unknown libarchive error"
        let code = archive_errno(handle)
        // EILSEQ and EINVAL are libarchive's own "bad format" and "misuse" codes, not system errors.
        guard code > 0, code != EILSEQ, code != EINVAL else { return text }
        let reason = String(cString: strerror(code))
        return text.contains(reason) ? text : "\(text): \(reason)"
    }
}

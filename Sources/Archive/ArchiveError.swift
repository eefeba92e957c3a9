import CArchive

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

    static func message(of handle: OpaquePointer) -> String {
        guard let text = archive_error_string(handle) else { return "unknown libarchive error" }
        return String(cString: text)
    }
}

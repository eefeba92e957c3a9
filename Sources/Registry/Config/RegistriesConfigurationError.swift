import Foundation

/// Why registries.conf could not be used, or why it refuses a pull. Every message names the file;
/// entry problems also name the `[[registry]]` table (its position and prefix).
public enum RegistriesConfigurationError: Error, Sendable, Hashable, CustomStringConvertible, LocalizedError {
    /// A file the caller named (or `$CONTAINERS_REGISTRIES_CONF`) does not exist.
    case missingFile(String)
    /// A file or drop-in directory exists but cannot be read.
    case unreadable(file: String, reason: String)
    /// Not TOML; the position is TOMLKit's (toml++'s), 1-based.
    case syntax(file: String, line: Int, column: Int, message: String)
    /// A problem with the file as a whole (a top-level key, the version 1 format).
    case invalidFile(file: String, problem: String)
    /// A problem with one `[[registry]]` table; `entry` is e.g. `[[registry]] #2 (prefix "quay.io")`.
    case invalidEntry(file: String, entry: String, problem: String)
    /// The reference falls under a `blocked = true` entry.
    case blocked(reference: String, prefix: String, file: String?)
    /// Putting the location in place of the prefix gave a name that is not a valid reference.
    case invalidRewrite(reference: String, prefix: String, location: String, problem: String)

    public var description: String {
        switch self {
        case .missingFile(let file):
            "registries configuration \(file) does not exist"
        case .unreadable(let file, let reason):
            "cannot read registries configuration \(file): \(reason)"
        case .syntax(let file, let line, let column, let message):
            "\(file):\(line):\(column): invalid TOML: \(message)"
        case .invalidFile(let file, let problem):
            "\(file): \(problem)"
        case .invalidEntry(let file, let entry, let problem):
            "\(file): \(entry): \(problem)"
        case .blocked(let reference, let prefix, let file):
            "pulling \(reference) is blocked by registries.conf: prefix \"\(prefix)\" has blocked = true"
                + (file.map { " in \($0)" } ?? "")
        case .invalidRewrite(let reference, let prefix, let location, let problem):
            "registries.conf maps \(reference) (prefix \"\(prefix)\") onto location \"\(location)\", "
                + "which does not give a usable image reference: \(problem)"
        }
    }

    public var errorDescription: String? { description }
}

import Foundation

/// A fresh directory per test, removed when the value goes away. The name is short: the
/// integration tests' podman needs a runroot below 50 characters, and these paths appear in
/// every failure message.
final class Scratch: Sendable {
    let path: String

    init() throws {
        path = "/tmp/agn-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// `path/name`, with its parent directories created.
    func file(_ name: String) throws -> String {
        let full = path + "/" + name
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        return full
    }

    func write(_ text: String, to name: String, executable: Bool = false) throws -> String {
        let full = try file(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: full))
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: full) }
        return full
    }
}

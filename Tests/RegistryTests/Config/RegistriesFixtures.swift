import Foundation

@testable import Registry

/// Files under testdata/registries, found from this source file's path, and scratch directories.
enum RegistriesFixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("testdata/registries")

    static func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    static func parse(_ name: String) throws -> RegistriesConfiguration {
        let file = path(name)
        return try RegistriesConfiguration(parsing: String(contentsOfFile: file, encoding: .utf8), file: file)
    }

    /// A fresh empty directory, removed by the caller with `removeItem`.
    static func scratchDirectory() throws -> String {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("airgap-config-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    static func write(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }
}

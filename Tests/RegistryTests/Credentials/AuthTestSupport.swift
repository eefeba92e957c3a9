import Foundation
import Testing

@testable import Registry

/// Files under testdata/auth, found from this source file's path.
enum AuthFixture {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Credentials
        .deletingLastPathComponent()  // RegistryTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("testdata/auth")

    static func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }
}

/// A fresh directory per test (tests run in parallel), removed when the test lets go of it.
final class AuthScratchDirectory: @unchecked Sendable {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-auth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// Copies a testdata/auth fixture to `relative`, creating its directories.
    @discardableResult
    func install(_ fixture: String, at relative: String) throws -> String {
        let destination = path(relative)
        try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: destination).deletingLastPathComponent().path, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: AuthFixture.path(fixture), toPath: destination)
        return destination
    }

    @discardableResult
    func write(_ text: String, at relative: String, mode: Int = 0o644) throws -> String {
        let destination = path(relative)
        try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: destination).deletingLastPathComponent().path, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: destination))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: destination)
        return destination
    }

    func mode(of relative: String) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: path(relative))[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    func contents(of relative: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path(relative)).sorted()
    }

    /// Locations rooted here: runtime dir `run/`, home `home/`, uid 4242, Linux rules.
    func locations(authFile: String? = nil, registryAuthFile: String? = nil, runtimeDir: Bool = true) -> AuthFileLocations {
        AuthFileLocations(
            authFile: authFile, registryAuthFile: registryAuthFile, xdgRuntimeDir: runtimeDir ? path("run") : nil,
            home: path("home"), uid: 4242, isLinux: true)
    }
}

/// `docker-credential-testfake`, written at test time into the scratch directory (never committed).
/// It records what it got on stdin in `helper-stdin.txt` beside itself.
enum FakeHelper {
    /// Answers like a keyring holding a password for registry.example.com and stored.example.com
    /// and an identity token for Docker Hub, and "not found" for everything else.
    static let keyring = """
        server=$(cat)
        printf '%s' "$server" > "$(dirname "$0")/helper-stdin.txt"
        case "$server" in
          registry.example.com|stored.example.com)
            printf '{"ServerURL":"%s","Username":"fake-helper-user","Secret":"fake-helper-secret"}\\n' "$server" ;;
          https://index.docker.io/v1/)
            printf '{"ServerURL":"%s","Username":"<token>","Secret":"fake-helper-identity-token"}\\n' "$server" ;;
          *)
            echo "credentials not found in native keychain"; exit 1 ;;
        esac
        """

    /// Installs `docker-credential-testfake` with `body` in `bin/`; returns the helper search path.
    ///
    /// `cp` writes the executable, not this process: a program cannot start while any process holds
    /// it open for writing (ETXTBSY), and a process spawned by a parallel test would inherit this
    /// process's open descriptor for a moment.
    static func install(_ body: String, in scratch: AuthScratchDirectory, name: String = "testfake") throws -> [String] {
        let script = "#!/bin/bash\nif [ \"$1\" != get ]; then echo \"unexpected action $1\" >&2; exit 2; fi\n" + body + "\n"
        let source = try scratch.write(script, at: "docker-credential-\(name).txt")
        let destination = scratch.path("bin/docker-credential-\(name)")
        try FileManager.default.createDirectory(atPath: scratch.path("bin"), withIntermediateDirectories: true)
        let copy = Process()
        copy.executableURL = URL(fileURLWithPath: "/bin/cp")
        copy.arguments = [source, destination]
        try copy.run()
        copy.waitUntilExit()
        try #require(copy.terminationStatus == 0)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: destination)
        return [scratch.path("empty-bin"), scratch.path("bin")]
    }
}

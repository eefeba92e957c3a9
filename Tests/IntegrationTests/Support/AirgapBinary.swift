import Foundation

/// Runs the built `airgap` executable, as a user would, capturing its output and exit status.
/// SwiftPM builds it beside the test bundle (`swift build --build-tests` builds both).
enum AirgapBinary {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var path: String {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        // The test bundle may be a directory (…/airgapPackageTests.xctest/…); walk up to the build folder.
        while !FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent("airgap").path), directory.path != "/" {
            directory = directory.deletingLastPathComponent()
        }
        return directory.appendingPathComponent("airgap").path
    }

    /// Runs the binary to completion; `stdin` is fed to it (else it reads an empty input), and
    /// `environment` adds to or overrides this process's variables.
    ///
    /// Unless `environment` names XDG_CACHE_HOME, the run's default cache is in its own scratch
    /// directory, deleted afterwards: a test that passes no `--cache` never writes into the user's
    /// ~/.cache/airgap (scripts/test.sh checks that the run left it alone).
    static func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> Result {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = isolatedEnvironment(environment, cacheHome: scratch.appendingPathComponent("xdg-cache").path)
        // Files, not pipes: a chatty command cannot fill a pipe buffer and stall.
        let out = scratch.appendingPathComponent("out"), err = scratch.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        let input = scratch.appendingPathComponent("in")
        try Data((stdin ?? "").utf8).write(to: input)
        process.standardInput = try FileHandle(forReadingFrom: input)
        try process.run()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            stdout: try String(contentsOf: out, encoding: .utf8),
            stderr: try String(contentsOf: err, encoding: .utf8)
        )
    }
}

extension AirgapBinary {
    /// This process's variables with `extra` over them, and XDG_CACHE_HOME at `cacheHome` unless
    /// `extra` sets it.
    static func isolatedEnvironment(_ extra: [String: String], cacheHome: String) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        if extra["XDG_CACHE_HOME"] == nil { environment["XDG_CACHE_HOME"] = cacheHome }
        return environment
    }

    /// Starts the binary, sends `signal` once `delay` has passed, and waits for it to exit. Its
    /// default cache is a scratch directory, as for ``run(_:stdin:environment:)``.
    static func run(_ arguments: [String], interruptingWith signal: Int32, after delay: Duration) async throws -> Result {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = isolatedEnvironment([:], cacheHome: scratch.path)
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        try await Task.sleep(for: delay)
        kill(process.processIdentifier, signal)
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: "", stderr: String(decoding: stderr, as: UTF8.self))
    }
}

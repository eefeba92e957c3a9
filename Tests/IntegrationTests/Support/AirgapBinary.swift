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

    struct NotReady: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts the binary, waits until `ready` says it got as far as the test needs, sends `signals`
    /// in order, and waits for it to exit. Nothing here depends on how fast the machine is: the
    /// signal goes once the condition holds (checked every 20 ms), and the 120-second deadline only
    /// turns a hang into a failure. `shell` runs the binary through `sh -c SHELL` (which must end in
    /// `exec "$0" "$@"`), e.g. to start it with a signal ignored, as nohup does. Its default cache
    /// is a scratch directory, as for ``run(_:stdin:environment:)``.
    static func run(
        _ arguments: [String], shell: String? = nil, interruptingWith signals: Int32..., once ready: () throws -> Bool
    ) async throws -> Result {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let process = Process()
        if let shell {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", shell, path] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = arguments
        }
        process.environment = isolatedEnvironment([:], cacheHome: scratch.path)
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(120)
        while process.isRunning, !(try ready()) {
            guard ContinuousClock.now < deadline else {
                kill(process.processIdentifier, SIGKILL)
                throw NotReady(description: "airgap \(arguments.joined(separator: " ")) never got ready in 120 s")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        for signal in signals { kill(process.processIdentifier, signal) }
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        // Killed by a signal (its default action), the status is the signal's number: 1 for SIGHUP.
        return Result(status: process.terminationStatus, stdout: "", stderr: String(decoding: stderr, as: UTF8.self))
    }
}

import Foundation
import Subprocess
import SystemPackage

/// Runs a program (`oc`, `scp`, `bash`) to completion through swift-subprocess, which spawns it,
/// drains both pipes at once (a chatty program never stalls on a full pipe) and reaps it without
/// blocking Swift's cooperative pool. Cancelling the task sends SIGTERM (oc then deletes its debug
/// pod), and SIGKILL when that was not enough.
struct ChildProcess: Sendable {
    struct Result: Sendable {
        /// The exit status, or 128 + the signal that ended the program.
        var status: Int32
        var output: String
        var errors: String
    }

    /// The environment the program runs with; `PATH` in it is where the program is looked up.
    var environment: [String: String]

    /// How long a cancelled program has after SIGTERM before SIGKILL.
    static let terminationGrace: Duration = .seconds(10)
    /// Output kept per stream: far above what oc, scp or podman print.
    static let outputLimit = 16 << 20

    /// Runs `command` (its first word looked up on PATH); `stdin` is a file fed to it, else nothing.
    func run(_ command: [String], stdin: String? = nil) async throws -> Result {
        guard let tool = command.first, let executable = Self.find(tool, path: environment["PATH"]) else {
            throw NodeRunError.missingTool(command.first ?? "")
        }
        var options = PlatformOptions()
        options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: Self.terminationGrace)]
        let variables = Dictionary(uniqueKeysWithValues: environment.compactMap { key, value in
            Environment.Key(rawValue: key).map { ($0, value) }
        })
        do {
            if let stdin {
                guard let input = try? FileDescriptor.open(FilePath(stdin), .readOnly, options: [.closeOnExec]) else { throw NodeRunError.unreadable(stdin) }
                let result = try await Subprocess.run(
                    .path(FilePath(executable)), arguments: Arguments(Array(command.dropFirst())), environment: .custom(variables),
                    platformOptions: options, input: .fileDescriptor(input, closeAfterSpawningProcess: true),
                    output: .bytes(limit: Self.outputLimit), error: .bytes(limit: Self.outputLimit))
                return Result(result.terminationStatus, output: result.standardOutput, errors: result.standardError)
            }
            let result = try await Subprocess.run(
                .path(FilePath(executable)), arguments: Arguments(Array(command.dropFirst())), environment: .custom(variables),
                platformOptions: options, input: .none, output: .bytes(limit: Self.outputLimit), error: .bytes(limit: Self.outputLimit))
            try Task.checkCancellation()
            return Result(result.terminationStatus, output: result.standardOutput, errors: result.standardError)
        } catch let error as SubprocessError where error.code == .spawnFailed || error.code == .executableNotFound {
            throw NodeRunError.launch(tool, "\(error)")
        }
    }

    /// The executable `tool` names: a path as is, else the first match on `path`.
    static func find(_ tool: String, path: String?) -> String? {
        if tool.contains("/") { return FileManager.default.isExecutableFile(atPath: tool) ? tool : nil }
        for directory in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

extension ChildProcess.Result {
    init(_ termination: TerminationStatus, output: [UInt8], errors: [UInt8]) {
        switch termination {
        case .exited(let code): status = Int32(code)
        case .signaled(let signal): status = 128 + Int32(signal)
        }
        self.output = String(decoding: output, as: UTF8.self)
        self.errors = String(decoding: errors, as: UTF8.self)
    }
}

import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a program (`oc`, `scp`) to completion without blocking Swift's cooperative pool: the
/// process's termination handler resumes a continuation, so no thread waits. Output goes to files,
/// not pipes, so a chatty program can never stall on a full pipe. Cancelling the task sends SIGTERM
/// (oc then deletes its debug pod), and SIGKILL when that was not enough.
///
/// Foundation notices the exit through a descriptor the program inherits, so a grandchild that
/// outlives the program delays the result until it ends too; `oc` is one process, and `scp` takes
/// its `ssh` down with it.
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
    static let terminationGrace: DispatchTimeInterval = .seconds(10)

    /// Runs `command` (its first word looked up on PATH); `stdin` is a file fed to it, else /dev/null.
    func run(_ command: [String], stdin: String? = nil) async throws -> Result {
        guard let tool = command.first, let executable = Self.find(tool, path: environment["PATH"]) else {
            throw NodeRunError.missingTool(command.first ?? "")
        }
        let files = FileManager.default
        let scratch = files.temporaryDirectory.appendingPathComponent("airgap-nodes-\(UUID().uuidString)")
        try files.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? files.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("out"), errURL = scratch.appendingPathComponent("err")
        _ = files.createFile(atPath: outURL.path, contents: nil)
        _ = files.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        defer {
            try? out.close()
            try? err.close()
        }
        let input: FileHandle
        if let stdin {
            guard let handle = FileHandle(forReadingAtPath: stdin) else { throw NodeRunError.unreadable(stdin) }
            input = handle
        } else {
            input = FileHandle.nullDevice
        }
        defer { if stdin != nil { try? input.close() } }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(command.dropFirst())
        process.environment = environment
        process.standardInput = input
        process.standardOutput = out
        process.standardError = err
        let running = RunningProcess()
        let status = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, any Error>) in
                // Set before run(): a program that exits at once must still find its handler.
                process.terminationHandler = { finished in
                    running.finished()
                    let status = finished.terminationStatus
                    continuation.resume(returning: finished.terminationReason == .exit ? status : 128 + status)
                }
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: NodeRunError.launch(tool, "\(error.localizedDescription)"))
                    return
                }
                running.started(process)
            }
        } onCancel: {
            running.cancel()
        }
        try Task.checkCancellation()
        return Result(
            status: status,
            output: String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self),
            errors: String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self))
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

/// The started process's id, for a cancellation that may come before the start, during the run, or
/// after the exit (then nothing is signalled: the id may already belong to another process).
private final class RunningProcess: @unchecked Sendable {
    private let lock = NSLock()
    private var pid: pid_t?
    private var cancelled = false
    private var exited = false

    func started(_ process: Process) {
        let pid = process.processIdentifier
        let stop = lock.withLock {
            self.pid = pid
            return cancelled && !exited
        }
        if stop { terminate(pid) }
    }

    func finished() {
        lock.withLock { exited = true }
    }

    func cancel() {
        let pid: pid_t? = lock.withLock {
            cancelled = true
            return exited ? nil : self.pid
        }
        if let pid { terminate(pid) }
    }

    private var isRunning: Bool { lock.withLock { !exited } }

    private func terminate(_ pid: pid_t) {
        kill(pid, SIGTERM)
        DispatchQueue.global().asyncAfter(deadline: .now() + ChildProcess.terminationGrace) { [self] in
            if isRunning { kill(pid, SIGKILL) }
        }
    }
}

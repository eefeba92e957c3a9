import Foundation
import Subprocess
import SystemPackage

/// Runs a credential helper: bytes on stdin, its output collected, stopped (SIGKILL, the teardown's
/// last step) when it outlives `timeout` or the task is cancelled. swift-subprocess does the
/// spawning, the concurrent draining of both pipes and the reaping without blocking the pool.
enum HelperProcess {
    struct Output: Sendable {
        var status: Int32
        var stdout: Data
        var stderr: Data
    }

    enum Failure: Error {
        case launch(String)
        case timedOut
    }

    /// A helper answers with a small JSON document; more than this is not a credential.
    static let outputLimit = 1 << 20

    static func run(executable: String, arguments: [String], input: Data, timeout: Duration) async throws -> Output {
        try await withThrowingTaskGroup(of: Output?.self) { group in
            group.addTask {
                do {
                    let result = try await Subprocess.run(
                        .path(FilePath(executable)), arguments: Arguments(arguments),
                        input: .fileDescriptor(try filledPipe(input), closeAfterSpawningProcess: true),
                        output: .bytes(limit: outputLimit), error: .bytes(limit: outputLimit))
                    return Output(status: result.terminationStatus.code, stdout: Data(result.standardOutput), stderr: Data(result.standardError))
                } catch let error as SubprocessError where error.code == .spawnFailed || error.code == .executableNotFound {
                    throw Failure.launch("\(error)")
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let output = first else { throw Failure.timedOut }
            return output
        }
    }
}

/// The read end of a pipe that already holds `input`, its write end closed. The input is written
/// before the helper starts (a server URL fits the pipe buffer): a helper that exits without
/// reading stdin then cannot leave a writer waiting on a pipe nobody drains (swift-subprocess
/// 1.0.2's streamed input does wait forever there).
private func filledPipe(_ input: Data) throws -> FileDescriptor {
    let (readEnd, writeEnd) = try FileDescriptor.pipe()
    defer { try? writeEnd.close() }
    do {
        _ = try input.withUnsafeBytes { try writeEnd.writeAll($0) }
    } catch {
        try? readEnd.close()
        throw error
    }
    return readEnd
}

extension TerminationStatus {
    /// The exit status, or 128 + the signal that ended the program (as a shell reports it).
    var code: Int32 {
        switch self {
        case .exited(let status): Int32(status)
        case .signaled(let signal): 128 + Int32(signal)
        }
    }
}

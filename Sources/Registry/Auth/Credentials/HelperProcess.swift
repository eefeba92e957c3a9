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
                        input: .fileDescriptor(try inputFile(input), closeAfterSpawningProcess: true),
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

/// A descriptor to read `input` from, for a helper's stdin: an unlinked temporary file, written
/// before the helper starts. Not a pipe: a helper that exits without reading stdin would leave a
/// pipe's writer waiting (swift-subprocess 1.0.2's streamed input does wait forever there), and a
/// pipe's write end, between its creation and its close, can be inherited by a process another
/// thread spawns at that moment (swift-system creates pipes without close-on-exec): the helper
/// then never sees the end of its input and hangs until that other process exits (seen here, as
/// helpers timing out only while the test suite spawned processes in parallel). The file is opened
/// close-on-exec and holds no such reader waiting for an end.
private func inputFile(_ input: Data) throws -> FileDescriptor {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-helper-\(UUID().uuidString)").path
    let file = try FileDescriptor.open(
        FilePath(path), .readWrite, options: [.create, .exclusiveCreate, .closeOnExec], permissions: .ownerReadWrite)
    unlink(path)
    do {
        _ = try input.withUnsafeBytes { try file.writeAll($0) }
        _ = try file.seek(offset: 0, from: .start)
    } catch {
        try? file.close()
        throw error
    }
    return file
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

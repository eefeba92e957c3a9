import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a short-lived program with bytes on stdin and collects its output, without blocking Swift's
/// cooperative pool: the blocking reads and the wait happen on a thread of their own, and the caller
/// awaits a continuation. A timeout or a cancelled task stops the program.
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

    static func run(executable: String, arguments: [String], input: Data, timeout: Duration) async throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        // Written before launch: a server URL fits the pipe buffer, and while this process still holds
        // the read end, a helper that exits without reading cannot raise SIGPIPE here.
        try stdin.fileHandleForWriting.write(contentsOf: input)
        try stdin.fileHandleForWriting.close()

        let outcome = Outcome()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Output, any Error>) in
                guard outcome.attach(continuation) else { return }
                let thread = Thread {
                    do {
                        try process.run()
                    } catch {
                        outcome.finish(.failure(Failure.launch(AuthFile.reason(error))))
                        return
                    }
                    outcome.started(process)
                    // Both pipes drain at once: a helper blocked on a full stderr pipe would never exit.
                    let errors = Collected()
                    let group = DispatchGroup()
                    group.enter()
                    DispatchQueue.global().async {
                        errors.data = stderr.fileHandleForReading.readDataToEndOfFile()
                        group.leave()
                    }
                    let output = stdout.fileHandleForReading.readDataToEndOfFile()
                    group.wait()
                    process.waitUntilExit()
                    outcome.finish(.success(Output(status: process.terminationStatus, stdout: output, stderr: errors.data)))
                }
                thread.start()
                let (seconds, attoseconds) = timeout.components
                let delay = Double(seconds) + Double(attoseconds) / 1e18
                DispatchQueue.global().asyncAfter(deadline: .now() + delay) {
                    outcome.finish(.failure(Failure.timedOut))
                }
            }
        } onCancel: {
            outcome.finish(.failure(CancellationError()))
        }
    }
}

/// The one result of a run, delivered once, whichever comes first: exit, timeout or cancellation.
/// An early ending stops the program.
private final class Outcome: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<HelperProcess.Output, any Error>?
    private var result: Result<HelperProcess.Output, any Error>?
    private var process: Process?

    /// `false` when the run already ended (cancelled before it began); the continuation is resumed.
    func attach(_ continuation: CheckedContinuation<HelperProcess.Output, any Error>) -> Bool {
        lock.lock()
        if let result {
            lock.unlock()
            continuation.resume(with: result)
            return false
        }
        self.continuation = continuation
        lock.unlock()
        return true
    }

    func started(_ process: Process) {
        let finished: Bool = lock.withLock {
            self.process = process
            return result != nil
        }
        if finished { Self.stop(process) }
    }

    func finish(_ outcome: Result<HelperProcess.Output, any Error>) {
        lock.lock()
        guard result == nil else {
            lock.unlock()
            return
        }
        result = outcome
        let continuation = self.continuation
        let process = self.process
        self.continuation = nil
        lock.unlock()
        continuation?.resume(with: outcome)
        if case .failure = outcome, let process { Self.stop(process) }
    }

    /// SIGKILL straight away: a `get` has nothing to clean up, and SIGTERM may not arrive at all, since
    /// a child inherits blocked and ignored signals (test runners block SIGTERM; airgap ignores it in
    /// favour of its own handler).
    private static func stop(_ process: Process) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
    }
}

/// Data handed from the stderr reader to the thread that waits for it (after `group.wait()`).
private final class Collected: @unchecked Sendable {
    var data = Data()
}

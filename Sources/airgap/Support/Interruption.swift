import Dispatch
import Foundation

/// Runs `work` so that SIGINT or SIGTERM cancels it (structured cancellation reaches every transfer
/// and the archive writer, which clean up), then exits with the conventional status 130 or 143.
enum Interruption {
    /// - Parameters:
    ///   - message: what stderr says after the signal (bundle: that nothing was written).
    ///   - returnIsCompletion: whether `work` returning means it finished. Bundle's does (a signal
    ///     just after the archive was committed changes nothing); mirror's does not, because it
    ///     records each image's failure, cancellation included, and returns a summary.
    static func cancellingOnSignals<T: Sendable>(
        message: String = "interrupted: run the command again to finish", returnIsCompletion: Bool = false,
        _ work: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let task = Task { try await work() }
        let received = SignalRecord()
        var sources: [DispatchSourceSignal] = []
        // A parent may have started us with these signals blocked (test runners do); a user's
        // Ctrl-C must still reach us.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        sigaddset(&unblock, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                received.set(signalNumber)
                task.cancel()
            }
            source.resume()
            sources.append(source)
        }
        defer { sources.forEach { $0.cancel() } }
        let result: Result<T, any Error>
        var completed = false
        do {
            result = .success(try await task.value)
            completed = returnIsCompletion
        } catch {
            result = .failure(error)
        }
        if let signalNumber = received.value, !completed {
            FileHandle.standardError.write(Data("\n\(message)\n".utf8))
            exit(128 + signalNumber)
        }
        return try result.get()
    }
}

private final class SignalRecord: @unchecked Sendable {
    private let lock = NSLock()
    private var received: Int32?
    var value: Int32? { lock.withLock { received } }
    func set(_ number: Int32) { lock.withLock { received = number } }
}

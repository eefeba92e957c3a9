import Dispatch
import Foundation

/// Runs `work` so that SIGINT or SIGTERM cancels it (structured cancellation reaches every transfer
/// and the archive writer, which clean up), then exits with the conventional status 130 or 143.
enum Interruption {
    static func cancellingOnSignals<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
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
        do {
            return try await task.value
        } catch {
            if let signalNumber = received.value {
                FileHandle.standardError.write(Data("\ninterrupted: nothing was written to the output\n".utf8))
                exit(128 + signalNumber)
            }
            throw error
        }
    }
}

private final class SignalRecord: @unchecked Sendable {
    private let lock = NSLock()
    private var received: Int32?
    var value: Int32? { lock.withLock { received } }
    func set(_ number: Int32) { lock.withLock { received = number } }
}

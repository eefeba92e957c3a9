import Dispatch
import Foundation

/// Runs `work` so that a signal that ends a command cancels it instead (structured cancellation
/// reaches every transfer and the archive writer, which clean up), then exits with the
/// conventional status 128 + N: SIGINT (Ctrl-C, 130), SIGTERM (143), SIGHUP (the ssh session or
/// terminal went away, 129) and SIGQUIT (Ctrl-\, 131). Left to their default action, SIGHUP and
/// SIGQUIT ended the process on the spot and left a partial archive of gigabytes beside the output.
///
/// A signal the parent set to be ignored stays ignored for SIGHUP and SIGQUIT: `nohup airgap
/// bundle …` asks for exactly that, and so does a shell starting a background job. SIGINT and
/// SIGTERM are always handled.
enum Interruption {
    /// The signals that cancel the work.
    static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]
    /// Those of them that a parent may have set to be ignored, which then stay ignored.
    static let ignorableSignals: Set<Int32> = [SIGHUP, SIGQUIT]

    /// - Parameters:
    ///   - message: what stderr says after the signal (bundle: that nothing was written).
    ///   - returnIsCompletion: whether `work` returning means it finished. Bundle's does (a signal
    ///     just after the archive was committed changes nothing); mirror's does not, because it
    ///     records each image's failure, cancellation included, and returns a summary.
    static func cancellingOnSignals<T: Sendable>(
        message: String = "interrupted: run the command again to finish", returnIsCompletion: Bool = false,
        _ work: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let received = SignalRecord()
        // A parent may have started us with these signals blocked (test runners do); a user's
        // Ctrl-C must still reach us.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for signalNumber in signals { sigaddset(&unblock, signalNumber) }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        var sources: [DispatchSourceSignal] = []
        for signalNumber in signals {
            if ignorableSignals.contains(signalNumber), isIgnored(signalNumber) { continue }
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { received.set(signalNumber) }
            sources.append(source)
        }
        // On Linux, libdispatch receives signals through a signalfd and a handler of its own, both
        // set up when a source is registered, on its manager thread. Until then a signal is not
        // the source's: the work starts only once every source is registered, so whatever it
        // creates (a partial archive) exists only while a signal would cancel it. (No SIG_IGN
        // here: set before the registration, it made a signal that came in between vanish.)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let pending = Countdown(sources.count) { continuation.resume() }
            for source in sources {
                source.setRegistrationHandler { pending.tick() }
                source.resume()
            }
        }
        defer { sources.forEach { $0.cancel() } }
        let task = Task { try await work() }
        received.attach(task)
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

    /// Whether `signalNumber` is set to be ignored (inherited from the parent, as nohup sets SIGHUP).
    private static func isIgnored(_ signalNumber: Int32) -> Bool {
        var current = sigaction()
        guard sigaction(signalNumber, nil, &current) == 0, let handler = current.__sigaction_handler.sa_handler else { return false }
        // C function pointers do not compare in Swift; their addresses do (SIG_IGN is 1).
        return unsafeBitCast(handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
    }
}

/// Calls `done` once `tick` has been called `count` times (at once when `count` is 0).
private final class Countdown: @unchecked Sendable {
    private let lock = NSLock()
    private var remaining: Int
    private let done: () -> Void

    init(_ count: Int, done: @escaping () -> Void) {
        remaining = count
        self.done = done
        if count == 0 { done() }
    }

    func tick() {
        let finished = lock.withLock { () -> Bool in
            remaining -= 1
            return remaining == 0
        }
        if finished { done() }
    }
}

/// The first signal received, and the task it cancels (a signal that comes before the task is
/// attached cancels it as soon as it is).
private final class SignalRecord: @unchecked Sendable {
    private let lock = NSLock()
    private var received: Int32?
    private var cancel: (@Sendable () -> Void)?

    var value: Int32? { lock.withLock { received } }

    func set(_ number: Int32) {
        let cancel = lock.withLock { () -> (@Sendable () -> Void)? in
            if received == nil { received = number }
            return self.cancel
        }
        cancel?()
    }

    func attach<T>(_ task: Task<T, any Error>) {
        let signalled = lock.withLock { () -> Bool in
            cancel = { task.cancel() }
            return received != nil
        }
        if signalled { task.cancel() }
    }
}

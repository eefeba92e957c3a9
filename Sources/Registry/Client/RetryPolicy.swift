import Foundation

/// When and how long to wait before trying a registry call again.
///
/// Transient failures — a refused or reset connection, a timeout, 429, 500, 502, 503, 504 — are
/// retried with exponential backoff (as containers/image does: a few tries, seconds growing to a
/// cap); a 429 or 503 with `Retry-After` waits as long as the registry asks, within a bound.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// The longest `Retry-After` we honour; a registry asking for more fails the call instead.
    public var maxRetryAfter: Duration
    /// Injected so unit tests can observe delays without waiting (no timed tests).
    public var sleep: @Sendable (Duration) async throws -> Void

    public init(
        maxAttempts: Int = 5,
        baseDelay: Duration = .seconds(1),
        maxDelay: Duration = .seconds(30),
        maxRetryAfter: Duration = .seconds(120),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
        self.sleep = sleep
    }

    /// One try and no waiting: for calls whose caller retries itself.
    public static let never = RetryPolicy(maxAttempts: 1)

    public static let transientStatuses: Set<Int> = [408, 429, 500, 502, 503, 504]

    /// curl errors that say the network failed, not the request: connect, timeout, reset, short body.
    static let transientCurlCodes: Set<Int> = [
        7,  // could not connect (a registry restarting); not 6: a name that does not resolve will not start to
        16, 92,  // HTTP/2 framing and stream errors
        18,  // partial file: the body ended before Content-Length
        28,  // operation timed out (including our stall timeout)
        52, 55, 56,  // empty reply, send error, receive error (connection reset)
        65,  // a body we would not let curl resend (an upload session step on a connection that died)
    ]

    public static func isTransient(_ error: Error) -> Bool {
        if case TransportError.curl(let code, _, _, _) = error { return transientCurlCodes.contains(code) }
        if case RegistryError.unexpectedStatus(let status, _, _, _, _, _) = error { return transientStatuses.contains(status) }
        return false
    }

    /// The wait before attempt `attempt + 1` (attempts count from 1): `Retry-After` when the
    /// registry sent one, else base × 2^(attempt−1), capped. `nil` means give up now.
    public func delay(afterAttempt attempt: Int, retryAfter: String?, now: Date = Date()) -> Duration? {
        guard attempt < maxAttempts else { return nil }
        if let retryAfter, let asked = Self.parseRetryAfter(retryAfter, now: now) {
            return asked <= maxRetryAfter ? asked : nil
        }
        let factor = 1 << min(attempt - 1, 16)
        return min(baseDelay * factor, maxDelay)
    }

    /// Runs `operation` until it succeeds, fails with an error `retryable` does not accept, or the
    /// budget of ``maxAttempts`` tries is spent; between tries it waits as ``delay(afterAttempt:retryAfter:now:)``
    /// says, after telling `onRetry` what failed, how long it waits and which try comes next.
    /// Every retry loop of the client is this one, so a download, an upload and a call cannot
    /// drift apart in how they count or wait.
    public func run<Value>(
        retryable: (any Error) -> Bool = RetryPolicy.isTransient,
        onRetry: (RetryNotice) -> Void,
        _ operation: (_ attempt: Int) async throws -> Value
    ) async throws -> Value {
        var attempt = 1
        while true {
            do {
                return try await operation(attempt)
            } catch where retryable(error) {
                guard let delay = delay(afterAttempt: attempt, retryAfter: (error as? RegistryError)?.retryAfter) else { throw error }
                onRetry(RetryNotice(error: error, delay: delay, nextAttempt: attempt + 1, maxAttempts: maxAttempts))
                try await sleep(delay)
                attempt += 1
            }
        }
    }

    /// `Retry-After` is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
    static func parseRetryAfter(_ value: String, now: Date) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(trimmed), seconds >= 0 { return .seconds(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return .seconds(max(0, Int(date.timeIntervalSince(now).rounded(.up))))
    }
}

/// A try that failed and will be made again: what failed, the wait, and which try comes next.
public struct RetryNotice: Sendable, CustomStringConvertible {
    public var error: any Error
    public var delay: Duration
    public var nextAttempt: Int
    public var maxAttempts: Int

    public var description: String {
        "\(error) (again in \(delay), attempt \(nextAttempt) of \(maxAttempts))"
    }
}

import Foundation
import Logging

/// Reads Docker Hub's `ratelimit-remaining: N;w=SECONDS` and warns once when few pulls remain
/// (anonymous pulls are limited per hour; a bundle can spend them quickly).
final class RateLimitWatch: @unchecked Sendable {
    static let threshold = 10

    private let registry: String
    private let logger: Logger
    private let lock = NSLock()
    private var warned = false

    init(registry: String, logger: Logger) {
        self.registry = registry
        self.logger = logger
    }

    /// Warns (once) when the headers say few pulls remain; returns whether it warned now.
    @discardableResult
    func observe(_ headers: HTTPHeaders) -> Bool {
        guard let value = headers["ratelimit-remaining"], let remaining = Self.parse(value), remaining < Self.threshold else { return false }
        let first = lock.withLock {
            defer { warned = true }
            return !warned
        }
        guard first else { return false }
        let limit = headers["ratelimit-limit"].map { " of \($0)" } ?? ""
        logger.warning("\(registry): only \(remaining) pulls left\(limit) in the registry's rate-limit window; pulls with credentials get a higher limit")
        return true
    }

    /// `"76;w=21600"` → 76.
    static func parse(_ value: String) -> Int? {
        Int(value.split(separator: ";").first?.trimmingCharacters(in: .whitespaces) ?? "")
    }
}

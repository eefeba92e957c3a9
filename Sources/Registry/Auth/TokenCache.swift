import Foundation

/// Tokens for one registry, by realm, service and scope set, shared by every concurrent transfer:
/// the first caller fetches, the others wait for that same fetch (one token request, not one per
/// blob); a stale or rejected token is replaced on the next use.
actor TokenCache {
    struct Key: Hashable, Sendable {
        var realm: String
        var service: String?
        var scopes: [String]
    }

    private var tokens: [Key: BearerToken] = [:]
    private var inFlight: [Key: Task<BearerToken, Error>] = [:]

    /// A fresh token for `key`, fetching one only when none is cached or in flight.
    func token(for key: Key, fetch: @escaping @Sendable () async throws -> BearerToken) async throws -> BearerToken {
        if let cached = tokens[key], cached.isFresh() { return cached }
        if let running = inFlight[key] { return try await running.value }
        let task = Task { try await fetch() }
        inFlight[key] = task
        defer { inFlight[key] = nil }
        let token = try await task.value
        tokens[key] = token
        return token
    }

    /// Forgets `value` if it is what `key` holds: the registry refused it.
    func invalidate(_ key: Key, value: String) {
        if tokens[key]?.value == value { tokens[key] = nil }
    }
}

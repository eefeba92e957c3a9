import Foundation

/// A registry token and when to stop using it.
struct BearerToken: Sendable {
    var value: String
    /// When to fetch a new one: a little before expiry (a tenth of the lifetime, at most 10 s),
    /// since a token that expires in flight costs a whole request.
    var renewAt: Date
    /// An OAuth2 refresh token the endpoint returned, kept for the next exchange.
    var refreshToken: String?

    func isFresh(at now: Date = Date()) -> Bool {
        now < renewAt
    }

    /// RFC 6750 §2.1's `b64token`: `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
    /// Anything else is refused: the value goes into a header, and a CR or LF from a hostile token
    /// endpoint would add headers of its own to every request.
    static func isWellFormed(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        let body = bytes.prefix { $0 != UInt8(ascii: "=") }
        guard !body.isEmpty, bytes[body.count...].allSatisfy({ $0 == UInt8(ascii: "=") }) else { return false }
        return body.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
            default: "-._~+/".utf8.contains(byte)
            }
        }
    }

    /// The token endpoint's answer (distribution docs/spec/auth/token.md, oauth.md): `token` or
    /// `access_token`, `expires_in` seconds (60 when absent, per the spec), `issued_at`.
    struct Response: Decodable {
        var token: String?
        var accessToken: String?
        var expiresIn: Int?
        var issuedAt: String?
        var refreshToken: String?

        enum CodingKeys: String, CodingKey {
            case token
            case accessToken = "access_token"
            case expiresIn = "expires_in"
            case issuedAt = "issued_at"
            case refreshToken = "refresh_token"
        }

        func bearerToken(receivedAt now: Date) -> BearerToken? {
            guard let value = token ?? accessToken, BearerToken.isWellFormed(value) else { return nil }
            let lifetime = TimeInterval(max(expiresIn ?? 60, 1))
            // issued_at is the server's clock; ours may differ, so count from receipt unless
            // issued_at is earlier (a token handed out from a cache).
            let issued = issuedAt.flatMap { ISO8601DateFormatter.withFractions.date(from: $0) ?? ISO8601DateFormatter().date(from: $0) }
            let start = min(issued ?? now, now)
            let margin = min(10, lifetime / 10)
            return BearerToken(value: value, renewAt: start.addingTimeInterval(lifetime - margin), refreshToken: refreshToken)
        }
    }
}

extension ISO8601DateFormatter {
    static var withFractions: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}

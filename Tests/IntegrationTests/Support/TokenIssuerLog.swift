import Foundation

/// The request log of one token issuer (testdata/token-issuer/issuer.py): who asked for a token,
/// how (anonymous, Basic, OAuth2), for which service and scopes, and what was granted. The issuers
/// are shared by every test: take a ``mark()`` before running airgap and read the entries added
/// since, filtered by a user only this test uses.
struct TokenIssuerLog: Sendable {
    struct Entry: Decodable, Sendable, CustomStringConvertible {
        var time: String
        var method: String
        /// `anonymous`, `basic`, `password`, `refresh_token`, or nil when the request was malformed.
        var grant: String?
        /// The account tried (also when its password was wrong); nil when anonymous.
        var user: String?
        var service: String?
        var scopesRequested: [String]
        var scopesGranted: [String]
        var status: Int?
        var error: String?

        enum CodingKeys: String, CodingKey {
            case time, method, grant, user, service, status, error
            case scopesRequested = "scopes_requested", scopesGranted = "scopes_granted"
        }

        var description: String {
            "\(method) grant=\(grant ?? "-") user=\(user ?? "-") service=\(service ?? "-") scopes=\(scopesRequested) → \(status.map(String.init) ?? "-")"
        }
    }

    let path: String

    /// Issuer A's log (``TestServers/tokenLog()``).
    static func a() throws -> TokenIssuerLog { TokenIssuerLog(path: try TestServers.tokenLog()) }
    /// Issuer B's log (``TestServers/tokenBLog()``).
    static func b() throws -> TokenIssuerLog { TokenIssuerLog(path: try TestServers.tokenBLog()) }

    /// How many entries the log holds now: pass it to ``entries(since:)``.
    func mark() throws -> Int { try entries().count }

    /// The entries after the first `mark`, in the order the issuer answered them.
    func entries(since mark: Int = 0) throws -> [Entry] {
        let decoder = JSONDecoder()
        // Other tests' requests may be logged meanwhile: read complete lines only.
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        lines.removeLast()
        return try lines.filter { !$0.isEmpty }.dropFirst(mark).map { try decoder.decode(Entry.self, from: Data($0.utf8)) }
    }
}

/// One challenge from a `WWW-Authenticate` header (RFC 9110 §11.6.1): a scheme and its parameters.
/// Registries send `Bearer realm="…",service="…",scope="…"` (distribution token auth) or
/// `Basic realm="…"`; one header may carry several challenges, and quoted values may hold commas.
public struct AuthChallenge: Sendable, Hashable {
    public enum Scheme: Sendable, Hashable {
        case basic
        case bearer
        case other(String)
    }

    public var scheme: Scheme
    /// Parameter names lowercased (they are case-insensitive); values unquoted and unescaped.
    public var parameters: [String: String]

    public var realm: String? { parameters["realm"] }
    public var service: String? { parameters["service"] }
    /// Space-separated scopes the registry wants, e.g. `repository:library/busybox:pull`.
    public var scope: String? { parameters["scope"] }
    /// `insufficient_scope` when a token lacked the rights for this request.
    public var error: String? { parameters["error"] }

    public init(scheme: Scheme, parameters: [String: String]) {
        self.scheme = scheme
        self.parameters = parameters
    }

    /// Every challenge in the given header values. Malformed parts are skipped rather than fatal:
    /// a registry's odd header should not hide a usable challenge next to it.
    public static func parse(_ headerValues: [String]) -> [AuthChallenge] {
        headerValues.flatMap { parse($0) }
    }

    public static func parse(_ header: String) -> [AuthChallenge] {
        var scanner = ChallengeScanner(Array(header.utf8))
        var challenges: [AuthChallenge] = []
        while let scheme = scanner.token() {
            var parameters: [String: String] = [:]
            scanner.skipSpaces()
            // `name=` where a scheme should be: an auth-param with no challenge to belong to (RFC
            // 9110 allows none there, but servers send one). Skip it and read on.
            if scanner.consume(UInt8(ascii: "=")) {
                scanner.skipSpaces()
                _ = scanner.quotedString() ?? scanner.token68()
                continue
            }
            // Parameters run until a token that is not followed by `=`: the next scheme.
            while true {
                let mark = scanner.position
                guard let name = scanner.token() else { break }
                scanner.skipSpaces()
                guard scanner.consume(UInt8(ascii: "=")) else {
                    scanner.position = mark
                    break
                }
                scanner.skipSpaces()
                let value = scanner.quotedString() ?? scanner.token68() ?? ""
                parameters[name.lowercased()] = value
                scanner.skipSpaces()
                guard scanner.consume(UInt8(ascii: ",")) else { break }
                scanner.skipSeparators()
            }
            scanner.skipSeparators()
            let kind: Scheme
            switch scheme.lowercased() {
            case "basic": kind = .basic
            case "bearer": kind = .bearer
            default: kind = .other(scheme)
            }
            challenges.append(AuthChallenge(scheme: kind, parameters: parameters))
        }
        return challenges
    }
}

/// A byte-level scanner for the `WWW-Authenticate` grammar: tokens, quoted strings, token68.
private struct ChallengeScanner {
    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// RFC 9110 tchar: visible ASCII except delimiters.
    private static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    mutating func skipSpaces() {
        while position < bytes.count, bytes[position] == UInt8(ascii: " ") || bytes[position] == UInt8(ascii: "\t") { position += 1 }
    }

    mutating func skipSeparators() {
        while position < bytes.count, [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: ",")].contains(bytes[position]) { position += 1 }
    }

    mutating func consume(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    mutating func token() -> String? {
        skipSeparators()
        let start = position
        while position < bytes.count, Self.isTokenCharacter(bytes[position]) { position += 1 }
        return position > start ? String(decoding: bytes[start..<position], as: UTF8.self) : nil
    }

    /// token68 (`abc/+=`), used unquoted by some servers for values.
    mutating func token68() -> String? {
        let start = position
        while position < bytes.count, Self.isTokenCharacter(bytes[position]) || "/+=:".utf8.contains(bytes[position]) { position += 1 }
        return position > start ? String(decoding: bytes[start..<position], as: UTF8.self) : nil
    }

    /// A `"…"` string with `\` escapes; `nil` if the next byte is not a quote.
    mutating func quotedString() -> String? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        var value: [UInt8] = []
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            if byte == UInt8(ascii: "\"") { break }
            if byte == UInt8(ascii: "\\"), position < bytes.count {
                value.append(bytes[position])
                position += 1
            } else {
                value.append(byte)
            }
        }
        return String(decoding: value, as: UTF8.self)
    }
}

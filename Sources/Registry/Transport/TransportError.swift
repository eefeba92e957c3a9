import Foundation

/// Failures below HTTP semantics: the connection, TLS, the URL, or a body too large or unreadable.
/// URLs in these errors have their user-info and query removed, so no credential or signed
/// redirect parameter reaches a log line.
public enum TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// libcurl failed; `message` is curl's own text.
    case curl(code: Int, message: String, method: HTTPMethod, url: String)
    /// The request is plain http but the caller did not allow it.
    case plainHTTPNotAllowed(url: String)
    /// Only http and https are spoken, on redirects too.
    case unsupportedScheme(url: String)
    /// A small body (manifest, token, error) was larger than its cap.
    case bodyTooLarge(limit: Int, url: String)
    /// The request body could not be read (missing file, short file).
    case bodyUnreadable(message: String, url: String)
    /// A file sent as a blob does not hash to its digest: the upload was stopped before its last byte.
    case bodyNotItsDigest(expected: String, actual: String, url: String)
    /// A header built from remote or user input holds CR, LF or NUL: sent, it would split into
    /// headers of the input's choosing. The value is not repeated (it may be a credential).
    case invalidHeader(name: String, url: String)

    public var description: String {
        switch self {
        case .curl(let code, let message, let method, let url):
            return "\(method.rawValue) \(url): \(message) (curl error \(code))"
        case .plainHTTPNotAllowed(let url):
            return "\(url): refusing plain http to a registry that was not marked insecure"
        case .unsupportedScheme(let url):
            return "\(url): only http and https URLs are supported"
        case .bodyTooLarge(let limit, let url):
            return "\(url): response body exceeds the \(limit)-byte limit"
        case .bodyUnreadable(let message, let url):
            return "\(url): cannot read the request body: \(message)"
        case .bodyNotItsDigest(let expected, let actual, let url):
            return "\(url): the file sent as \(expected) has digest \(actual); the upload was stopped before it completed"
        case .invalidHeader(let name, let url):
            return "\(url): refusing to send header \(name): its value holds a line break or NUL"
        }
    }
}

extension TransportError {
    /// The certificate could not be verified, or the TLS handshake failed (curl 35, 60, 77).
    public var isCertificateProblem: Bool {
        if case .curl(let code, _, _, _) = self { return [35, 60, 77].contains(code) }
        return false
    }

    /// The host name did not resolve: no scheme or port will reach it.
    public var isUnresolvableHost: Bool {
        if case .curl(let code, _, _, _) = self { return code == 6 }
        return false
    }
}

extension URL {
    /// The URL without user-info or query: safe for logs and error messages.
    public var redactedForLog: String {
        guard var parts = URLComponents(url: self, resolvingAgainstBaseURL: false) else { return "<url>" }
        parts.user = nil
        parts.password = nil
        parts.query = nil
        parts.fragment = nil
        return parts.string ?? "<url>"
    }
}

/// The HTTP methods the distribution API uses.
public enum HTTPMethod: String, Sendable, Hashable {
    case get = "GET"
    case head = "HEAD"
    case put = "PUT"
    case post = "POST"
    case patch = "PATCH"
    case delete = "DELETE"

    /// Only safe methods follow redirects: a PUT or POST that was redirected must be seen by the caller,
    /// which decides where its body may go (and whether credentials may follow it).
    var followsRedirects: Bool { self == .get || self == .head }
}

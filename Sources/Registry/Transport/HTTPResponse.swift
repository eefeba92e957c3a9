import Foundation

/// The outcome of one ``HTTPTransport`` exchange. The success body went to the caller's sink;
/// a non-2xx body is kept here (capped) so the registry's `{"errors":[…]}` can be read.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    /// Where the response came from after redirects.
    public var url: URL
    /// The body of a response outside 200–299, at most ``HTTPResponse/errorBodyLimit`` bytes.
    public var errorBody: Data
    /// How many new connections the exchange opened: 0 when it reused a pooled one.
    public var newConnections: Int

    static let errorBodyLimit = 64 * 1024

    public var isSuccess: Bool { (200..<300).contains(status) }
}

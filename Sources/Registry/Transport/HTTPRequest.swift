import Foundation
import OCI

/// One HTTP exchange for ``HTTPTransport``: what to send and how to treat the connection.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    public var url: URL
    public var headers: HTTPHeaders
    public var body: RequestBody?
    public var tls: TLSConfiguration
    /// Plain `http://` is refused unless the caller asks for it (skopeo's `--tls-verify=false`).
    public var allowsPlainHTTP: Bool
    /// Abort when fewer than one byte arrives for this many seconds: a stalled transfer must fail,
    /// not hang a whole bundle. Zero turns the check off.
    public var stallTimeout: Int
    /// Told how far the body has been sent, in bytes since the last call: negative when curl
    /// rewinds to resend. Called on the transport's thread, so it must be quick and thread-safe.
    public var uploadProgress: (@Sendable (Int64) -> Void)?
    /// Whether libcurl may send the body again by itself, which it does when a reused connection
    /// dies before any answer. Upload-session steps say no: the server may have seen part of the
    /// body, and only a new session can be trusted. The transfer then fails with curl's error 65,
    /// which the caller retries with a fresh session.
    public var mayResendBody = true
    /// Whether libcurl follows redirects itself (GET and HEAD only). A registry client says no and
    /// follows them hop by hop, so that each host gets its own TLS settings: libcurl would carry the
    /// first host's relaxed check, CA and client certificate along to wherever it is sent.
    public var followsRedirects: Bool

    /// Seconds without a byte before a transfer is given up (and retried, within its budget).
    public static let defaultStallTimeout = 60

    public init(
        method: HTTPMethod = .get,
        url: URL,
        headers: HTTPHeaders = [:],
        body: RequestBody? = nil,
        tls: TLSConfiguration = TLSConfiguration(),
        allowsPlainHTTP: Bool = false,
        stallTimeout: Int = HTTPRequest.defaultStallTimeout
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.tls = tls
        self.allowsPlainHTTP = allowsPlainHTTP
        self.stallTimeout = stallTimeout
        followsRedirects = method.followsRedirects
    }
}

/// A request body that can be produced again from the start, so a retry or a redirect can resend it.
public enum RequestBody: Sendable {
    /// Small bodies: manifests, token requests.
    case bytes(Data)
    /// `length` bytes of the file at `path` starting at `offset`: a blob, or a blob inside a tar.
    /// With `digest`, the bytes are hashed as they are sent and the upload is aborted before its
    /// last byte when they are not that blob: a damaged file never becomes a blob at a registry.
    case file(path: String, offset: Int64 = 0, length: Int64, digest: Digest? = nil)
    /// A blob still being downloaded: sent as its bytes arrive (see ``BlobPipe``). It can be sent
    /// once only: a failed attempt needs a new pipe.
    case pipe(BlobPipe)

    /// Whether the body can be produced again from its start (everything but a pipe).
    public var canBeSentAgain: Bool {
        if case .pipe = self { return false }
        return true
    }

    var length: Int64 {
        switch self {
        case .bytes(let data): Int64(data.count)
        case .file(_, _, let length, _): length
        case .pipe(let pipe): pipe.length
        }
    }
}

/// TLS settings for one request. Verification is on unless the caller turns it off.
public struct TLSConfiguration: Sendable, Hashable {
    public var verifyPeer: Bool
    /// A PEM file of CA certificates to trust instead of the system's.
    public var caFile: String?
    /// A directory of CA certificates, hashed as OpenSSL expects (`c_rehash`).
    public var caDirectory: String?
    public var clientCertificate: String?
    public var clientKey: String?

    public init(
        verifyPeer: Bool = true,
        caFile: String? = nil,
        caDirectory: String? = nil,
        clientCertificate: String? = nil,
        clientKey: String? = nil
    ) {
        self.verifyPeer = verifyPeer
        self.caFile = caFile
        self.caDirectory = caDirectory
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
    }
}

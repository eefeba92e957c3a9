import CCurl
import Foundation

/// One request in flight: its easy handle, where its body goes, and the continuation to resume.
///
/// Everything but `cancelRequested` is touched only on the ``CurlMultiLoop`` thread once the
/// transfer is submitted; the submitting task waits on the continuation, so it is `@unchecked Sendable`.
final class Transfer: @unchecked Sendable {
    let request: HTTPRequest
    let easy: CurlEasyHandle
    private let sink: ResponseSink?
    private var upload: UploadReader?

    private var status = 0
    private var bodyStarted = false
    private var headers = HTTPHeaders()
    private var errorBody = Data()
    private var sinkError: Error?
    private var uploadError: (any Error)?
    /// The read callback paused the upload: its body (a ``BlobPipe``) had no more bytes yet.
    private(set) var waitingForBody = false
    /// The write callback paused the download: its sink had no room for the chunk yet.
    private(set) var waitingForRoom = false
    private var continuation: CheckedContinuation<HTTPResponse, Error>?

    private let cancelLock = NSLock()
    private var _cancelRequested = false

    init(request: HTTPRequest, sink: ResponseSink?) throws {
        self.request = request
        self.sink = sink
        easy = try CurlEasyHandle(method: request.method, url: request.url)
        if let body = request.body {
            upload = try UploadReader(body: body, url: request.url)
        }
        try configure()
    }

    // MARK: - Options

    private func configure() throws {
        let userData = Unmanaged.passUnretained(self).toOpaque()
        try easy.set(CURLOPT_URL, request.url.absoluteString)
        // Signals are not safe in a multithreaded process; timeouts then rely on the multi loop.
        try easy.set(CURLOPT_NOSIGNAL, true)
        try easy.set(CURLOPT_USERAGENT, HTTPTransport.userAgent)
        try easy.set(CURLOPT_BUFFERSIZE, Self.bufferSize)
        // A stall timeout shorter than 30 s bounds the connection too: a host that takes the
        // connection and never answers, and one that never takes it, fail alike.
        try easy.set(CURLOPT_CONNECTTIMEOUT, request.stallTimeout > 0 ? min(30, request.stallTimeout) : 30)
        if request.stallTimeout > 0 {
            try easy.set(CURLOPT_LOW_SPEED_LIMIT, 1)
            try easy.set(CURLOPT_LOW_SPEED_TIME, request.stallTimeout)
        }

        // Only http(s), on the first request and on every redirect: a registry must not be able to
        // send us to file:// or anything else curl speaks.
        let protocols = request.allowsPlainHTTP ? "http,https" : "https"
        try easy.set(CURLOPT_PROTOCOLS_STR, protocols)
        try easy.set(CURLOPT_REDIR_PROTOCOLS_STR, protocols)
        if request.followsRedirects && request.method.followsRedirects {
            try easy.set(CURLOPT_FOLLOWLOCATION, true)
            try easy.set(CURLOPT_MAXREDIRS, 10)
            // Left at its default (off) on purpose: libcurl then drops our Authorization header
            // when a redirect leads to another host, port or scheme.
            try easy.set(CURLOPT_UNRESTRICTED_AUTH, false)
        }

        try configureTLS(request.tls)
        try configureMethod()

        try easy.set(CURLOPT_HEADERFUNCTION, callback: headerCallback)
        try easy.set(CURLOPT_HEADERDATA, pointer: userData)
        try easy.set(CURLOPT_WRITEFUNCTION, callback: writeCallback)
        try easy.set(CURLOPT_WRITEDATA, pointer: userData)
        try easy.set(CURLOPT_PRIVATE, pointer: userData)

        for field in request.headers where !Self.isSafe(field.name) || !Self.isSafe(field.value) {
            throw TransportError.invalidHeader(name: field.name.filter { $0.isLetter || $0 == "-" }, url: request.url.redactedForLog)
        }
        var lines = request.headers.map { "\($0.name): \($0.value)" }
        // curl would add `Expect: 100-continue` to uploads (a wasted round trip) and a form
        // Content-Type to POSTs; an empty value removes a header.
        lines.append("Expect:")
        if request.headers["Content-Type"] == nil { lines.append("Content-Type:") }
        try easy.setHeaders(lines)
    }

    /// No CR, LF or NUL: libcurl sends header lines as given, so one would start a header of its own.
    private static func isSafe(_ text: String) -> Bool {
        !text.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0 }
    }

    private func configureTLS(_ tls: TLSConfiguration) throws {
        try easy.set(CURLOPT_SSL_VERIFYPEER, tls.verifyPeer)
        try easy.set(CURLOPT_SSL_VERIFYHOST, tls.verifyPeer ? 2 : 0)
        if let caFile = tls.caFile { try easy.set(CURLOPT_CAINFO, caFile) }
        if let caDirectory = tls.caDirectory { try easy.set(CURLOPT_CAPATH, caDirectory) }
        if let certificate = tls.clientCertificate { try easy.set(CURLOPT_SSLCERT, certificate) }
        if let key = tls.clientKey { try easy.set(CURLOPT_SSLKEY, key) }
    }

    private func configureMethod() throws {
        switch (request.method, upload) {
        case (.get, _):
            try easy.set(CURLOPT_HTTPGET, true)
        case (.head, _):
            try easy.set(CURLOPT_NOBODY, true)
        case (.post, nil):
            try easy.set(CURLOPT_POST, true)
            try easy.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: 0)
            try easy.set(CURLOPT_COPYPOSTFIELDS, "")
        case (.delete, _):
            try easy.set(CURLOPT_CUSTOMREQUEST, "DELETE")
        case (let method, let reader):
            // PUT, PATCH and POST with a body all stream through the read callback.
            try easy.set(CURLOPT_UPLOAD, true)
            try easy.set(CURLOPT_INFILESIZE_LARGE, offset: reader?.length ?? 0)
            if method != .put { try easy.set(CURLOPT_CUSTOMREQUEST, method.rawValue) }
            if reader != nil {
                let userData = Unmanaged.passUnretained(self).toOpaque()
                try easy.set(CURLOPT_READFUNCTION, callback: readCallback)
                try easy.set(CURLOPT_READDATA, pointer: userData)
                try easy.setSeekCallback(seekCallback)
                try easy.set(CURLOPT_SEEKDATA, pointer: userData)
            }
        }
    }

    // MARK: - Lifecycle (multi-loop thread)

    func setContinuation(_ continuation: CheckedContinuation<HTTPResponse, Error>) {
        self.continuation = continuation
    }

    var cancelRequested: Bool {
        cancelLock.withLock { _cancelRequested }
    }

    func requestCancel() {
        cancelLock.withLock { _cancelRequested = true }
    }

    /// Resumes the waiting task exactly once with the transfer's outcome.
    func complete(_ code: CURLcode) {
        let result = Result { try outcome(code) }
        upload = nil
        continuation?.resume(with: result)
        continuation = nil
    }

    func completeCancelled() {
        continuation?.resume(throwing: CancellationError())
        continuation = nil
    }

    private func outcome(_ code: CURLcode) throws -> HTTPResponse {
        let url = easy.effectiveURL() ?? request.url
        if let sinkError {
            if let overflow = sinkError as? BodyLimitExceeded {
                throw TransportError.bodyTooLarge(limit: overflow.limit, url: url.redactedForLog)
            }
            throw sinkError
        }
        if let uploadError {
            if let error = uploadError as? TransportError { throw error }
            throw TransportError.bodyUnreadable(message: "\(uploadError)", url: request.url.redactedForLog)
        }
        if code == CURLE_UNSUPPORTED_PROTOCOL {
            throw TransportError.unsupportedScheme(url: url.redactedForLog)
        }
        try Curl.check(code, method: request.method, url: url, detail: easy.errorDetail)
        return HTTPResponse(
            status: easy.responseCode(),
            headers: headers,
            url: url,
            errorBody: errorBody,
            newConnections: easy.newConnectionCount()
        )
    }

    // MARK: - Callbacks (multi-loop thread)

    fileprivate func receiveHeader(_ line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("HTTP/") {
            // A new response begins (after a redirect or a 100 Continue): forget the previous one.
            let parts = trimmed.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            headers = HTTPHeaders()
            errorBody = Data()
            bodyStarted = false
        } else if let colon = trimmed.firstIndex(of: ":") {
            let name = trimmed[..<colon].trimmingCharacters(in: .whitespaces)
            let value = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers.add(name, value)
        }
    }

    enum Delivery { case taken, refused, paused }

    fileprivate func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Delivery {
        guard (200..<300).contains(status) else {
            // Error bodies are small JSON; keep the start, drop the rest.
            let room = max(0, HTTPResponse.errorBodyLimit - errorBody.count)
            errorBody.append(contentsOf: bytes.prefix(room))
            return .taken
        }
        guard let sink else { return .taken }
        do {
            if !bodyStarted {
                bodyStarted = true
                try sink.begin(status: status, headers: headers)
            }
            // libcurl keeps a refused chunk and hands it over again once unpaused.
            guard sink.hasRoom(for: bytes.count) else {
                waitingForRoom = true
                return .paused
            }
            try sink.write(bytes)
            return .taken
        } catch {
            sinkError = error
            return .refused
        }
    }

    /// Whether the download paused for room now has some (a chunk from libcurl is at most the
    /// buffer size set above): the loop then unpauses it.
    var shouldResumeDownload: Bool {
        guard waitingForRoom, let sink, sink.hasRoom(for: Self.bufferSize) else { return false }
        waitingForRoom = false
        return true
    }

    static let bufferSize = 256 * 1024

    fileprivate func supplyUpload(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        guard let upload else { return 0 }
        do {
            switch try upload.read(into: buffer) {
            case .filled(let count):
                if count > 0 { request.uploadProgress?(Int64(count)) }
                return count
            case .waiting:
                waitingForBody = true
                return Int(CURL_READFUNC_PAUSE)
            }
        } catch {
            uploadError = error
            return nil
        }
    }

    /// Whether the upload paused for bytes that have now arrived (or will never come): the loop
    /// then unpauses it, and the next read makes progress or fails.
    var shouldResumeUpload: Bool {
        guard waitingForBody, let upload, upload.canContinue else { return false }
        waitingForBody = false
        return true
    }

    fileprivate func rewindUpload(to offset: Int64) -> Bool {
        guard let upload else { return false }
        let before = upload.position
        if !request.mayResendBody && before > 0 { return false }
        guard (try? upload.seek(to: offset)) != nil else { return false }
        if offset != before { request.uploadProgress?(offset - before) }
        return true
    }
}

// Plain C function pointers: they capture nothing and find their Transfer through user data.

private let headerCallback: airgap_data_callback = { buffer, size, count, userData in
    guard let buffer, let userData else { return 0 }
    let length = size * count
    let transfer = Unmanaged<Transfer>.fromOpaque(userData).takeUnretainedValue()
    let line = String(decoding: UnsafeRawBufferPointer(start: buffer, count: length), as: UTF8.self)
    transfer.receiveHeader(line)
    return length
}

private let writeCallback: airgap_data_callback = { buffer, size, count, userData in
    guard let userData else { return 0 }
    let length = size * count
    let transfer = Unmanaged<Transfer>.fromOpaque(userData).takeUnretainedValue()
    // Returning fewer bytes than offered makes curl stop with CURLE_WRITE_ERROR.
    switch transfer.receiveBody(UnsafeRawBufferPointer(start: buffer, count: length)) {
    case .taken: return length
    case .refused: return 0
    case .paused: return Int(CURL_WRITEFUNC_PAUSE)
    }
}

private let readCallback: airgap_data_callback = { buffer, size, count, userData in
    guard let buffer, let userData else { return Int(CURL_READFUNC_ABORT) }
    let transfer = Unmanaged<Transfer>.fromOpaque(userData).takeUnretainedValue()
    let target = UnsafeMutableRawBufferPointer(start: buffer, count: size * count)
    return transfer.supplyUpload(into: target) ?? Int(CURL_READFUNC_ABORT)
}

private let seekCallback: airgap_seek_callback = { userData, offset, origin in
    guard let userData, origin == SEEK_SET else { return Int32(CURL_SEEKFUNC_CANTSEEK) }
    let transfer = Unmanaged<Transfer>.fromOpaque(userData).takeUnretainedValue()
    return transfer.rewindUpload(to: Int64(offset)) ? Int32(CURL_SEEKFUNC_OK) : Int32(CURL_SEEKFUNC_FAIL)
}

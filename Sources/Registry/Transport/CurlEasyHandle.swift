import CCurl
import Foundation

/// Owns one `CURL*` easy handle and its header list; frees both in `deinit`.
/// Setters throw through ``Curl/check(_:method:url:detail:)`` so a refused option never goes unnoticed.
final class CurlEasyHandle {
    let raw: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    /// libcurl writes its detailed message here; it must live as long as the handle.
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let method: HTTPMethod
    private let url: URL

    init(method: HTTPMethod, url: URL) throws {
        Curl.initializeOnce()
        guard let handle = curl_easy_init() else {
            throw TransportError.curl(code: -1, message: "curl_easy_init failed", method: method, url: url.redactedForLog)
        }
        raw = handle
        self.method = method
        self.url = url
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
    }

    deinit {
        curl_easy_cleanup(raw)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    var errorDetail: String { String(cString: errorBuffer) }

    func set(_ option: CURLoption, _ value: Int) throws {
        try Curl.check(airgap_easy_setopt_long(raw, option, value), method: method, url: url)
    }

    func set(_ option: CURLoption, _ value: Bool) throws {
        try set(option, value ? 1 : 0)
    }

    func set(_ option: CURLoption, offset value: Int64) throws {
        try Curl.check(airgap_easy_setopt_offset(raw, option, curl_off_t(value)), method: method, url: url)
    }

    /// libcurl copies string options (since 7.17), so the Swift string need not outlive the call.
    func set(_ option: CURLoption, _ value: String) throws {
        let code = value.withCString { airgap_easy_setopt_string(raw, option, $0) }
        try Curl.check(code, method: method, url: url)
    }

    func set(_ option: CURLoption, pointer value: UnsafeMutableRawPointer?) throws {
        try Curl.check(airgap_easy_setopt_pointer(raw, option, value), method: method, url: url)
    }

    func set(_ option: CURLoption, callback: airgap_data_callback) throws {
        try Curl.check(airgap_easy_setopt_data_callback(raw, option, callback), method: method, url: url)
    }

    func setSeekCallback(_ callback: airgap_seek_callback) throws {
        try Curl.check(airgap_easy_setopt_seek_callback(raw, callback), method: method, url: url)
    }

    /// Replaces the request headers. An empty value (`"Expect:"`) removes a header curl would add.
    func setHeaders(_ lines: [String]) throws {
        curl_slist_free_all(headerList)
        headerList = nil
        for line in lines {
            guard let appended = curl_slist_append(headerList, line) else {
                throw TransportError.curl(code: -1, message: "out of memory building headers", method: method, url: url.redactedForLog)
            }
            headerList = appended
        }
        try Curl.check(airgap_easy_setopt_slist(raw, CURLOPT_HTTPHEADER, headerList), method: method, url: url)
    }

    func responseCode() -> Int {
        var code = 0
        _ = airgap_easy_getinfo_long(raw, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    func newConnectionCount() -> Int {
        var count = 0
        _ = airgap_easy_getinfo_long(raw, CURLINFO_NUM_CONNECTS, &count)
        return count
    }

    func effectiveURL() -> URL? {
        var pointer: UnsafeMutablePointer<CChar>?
        guard airgap_easy_getinfo_string(raw, CURLINFO_EFFECTIVE_URL, &pointer) == CURLE_OK, let pointer else { return nil }
        return URL(string: String(cString: pointer))
    }
}

import CCurl
import Foundation

/// Process-wide libcurl set-up and the one place a `CURLcode` becomes a Swift error.
enum Curl {
    /// `curl_global_init` is not thread-safe and must run once, before any handle exists.
    /// A `static let` initializer runs exactly once, under Swift's own lock.
    private static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_ALL))

    static func initializeOnce() {
        precondition(globalInit == CURLE_OK, "curl_global_init failed: \(String(cString: curl_easy_strerror(globalInit)))")
    }

    /// Turns a failing `CURLcode` into a ``TransportError`` carrying curl's own message.
    /// `detail` is the handle's error buffer, which says more than `curl_easy_strerror`.
    static func check(_ code: CURLcode, method: HTTPMethod, url: URL, detail: String = "") throws {
        guard code != CURLE_OK else { return }
        throw TransportError.curl(
            code: Int(code.rawValue),
            message: message(for: code, detail: detail),
            method: method,
            url: url.redactedForLog
        )
    }

    static func message(for code: CURLcode, detail: String) -> String {
        let summary = String(cString: curl_easy_strerror(code))
        return detail.isEmpty || detail == summary ? summary : "\(summary): \(detail)"
    }

    /// The version string libcurl reports, for `airgap --version` and bug reports.
    static var version: String { String(cString: curl_version()) }
}

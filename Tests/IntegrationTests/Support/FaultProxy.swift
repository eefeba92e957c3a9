import Foundation
import OCI
import Testing

@testable import Registry

/// testdata/fault-proxy/fault_proxy.py in front of one plain-HTTP test server, on its own loopback
/// port: what the proxy's rules say breaks (resets, stalls, 5xx, 429, short or altered bodies, a
/// registry that goes away), the rest passes through. One per test; `stop()` it in a `defer`.
/// The rule format is documented in the script's docstring.
final class FaultProxy: @unchecked Sendable {
    /// One rule; `nil` fields are left out of the JSON (the script's defaults apply).
    struct Rule: Encodable, Sendable {
        var method: String?
        var path: String?
        var skip: Int?
        /// `nil` = every matching request (a persistent fault).
        var times: Int?
        var fault: String
        var afterBytes: Int?
        var status: Int?
        var headers: [String: String]?
        var seconds: Double?
        var offset: Int?
        var beforeHeaders: Bool?
        /// For `redirect`: the Location template (`{path}` = the request's path and query).
        var location: String?

        enum CodingKeys: String, CodingKey {
            case method, path, skip, times, fault, status, headers, seconds, offset, location
            case afterBytes = "after_bytes", beforeHeaders = "before_headers"
        }

        init(
            _ method: String?, _ path: String?, _ fault: String, skip: Int? = nil, times: Int?, afterBytes: Int? = nil,
            status: Int? = nil, headers: [String: String]? = nil, seconds: Double? = nil, offset: Int? = nil,
            beforeHeaders: Bool? = nil, location: String? = nil
        ) {
            self.method = method
            self.path = path
            self.fault = fault
            self.skip = skip
            self.times = times
            self.afterBytes = afterBytes
            self.status = status
            self.headers = headers
            self.seconds = seconds
            self.offset = offset
            self.beforeHeaders = beforeHeaders
            self.location = location
        }
    }

    /// One line of the proxy's request log.
    struct LoggedRequest: Decodable, Sendable {
        var method: String
        var path: String
        var range: String?
        /// The Authorization header the client sent, as sent.
        var authorization: String?
        var rule: Int?
        var fault: String?
        /// The status the client got; `nil` when the connection was cut before any.
        var status: Int?
        var bytes: Int
        var requestBytes: Int
        var error: String?

        enum CodingKeys: String, CodingKey {
            case method, path, range, authorization, rule, fault, status, bytes, error
            case requestBytes = "request_bytes"
        }
    }

    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("testdata/fault-proxy/fault_proxy.py").path

    /// `127.0.0.1:PORT`: use it as the registry's host in references.
    let host: String
    private let process: Process
    private let directory: String

    /// Starts the proxy in front of `upstream` (`host:port`) and waits until it listens.
    init(upstream: String, rules: [Rule] = []) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-fault-proxy-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try JSONEncoder().encode(rules).write(to: URL(fileURLWithPath: directory + "/rules.json"))
        FileManager.default.createFile(atPath: directory + "/stderr", contents: nil)

        process = Process()
        // Debian's interpreter, as the script's shebang says (a pyenv python3 on PATH may differ).
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [
            Self.script, "--upstream", upstream, "--rules", directory + "/rules.json", "--log", directory + "/requests.jsonl",
        ]
        let ready = Pipe()
        process.standardOutput = ready
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/stderr"))
        process.standardInput = FileHandle.nullDevice
        try process.run()

        // The script prints its port once it listens; EOF first means it died.
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = ready.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        guard let port = UInt16(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let stderr = (try? String(contentsOfFile: directory + "/stderr", encoding: .utf8)) ?? ""
            throw StartFailure(description: "fault_proxy.py did not start: \(stderr)")
        }
        host = "127.0.0.1:\(port)"
    }

    deinit { stop() }

    /// Kills the proxy (SIGKILL: children of Swift Testing's threads may have SIGTERM blocked) and
    /// removes its files. Safe to call twice.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Replaces the rules (their counters start again) and ends a `go_away`: the registry is back.
    func setRules(_ rules: [Rule]) async throws {
        let request = HTTPRequest(
            method: .post, url: URL(string: "http://\(host)/_fault_proxy/rules")!,
            headers: ["Content-Type": "application/json"], body: .bytes(try JSONEncoder().encode(rules)), allowsPlainHTTP: true)
        let response = try await HTTPTransport().send(request)
        #expect(response.status == 200, "fault proxy control: \(String(decoding: response.errorBody, as: UTF8.self))")
    }

    /// Every request the proxy handled so far, in the order they ended.
    func requests() throws -> [LoggedRequest] {
        let path = directory + "/requests.jsonl"
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let decoder = JSONDecoder()
        return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try decoder.decode(LoggedRequest.self, from: Data($0.utf8))
        }
    }

    /// The logged requests for one blob (`GET` by default).
    func blobRequests(_ digest: Digest, method: String = "GET") throws -> [LoggedRequest] {
        try requests().filter { $0.method == method && $0.path.contains("/blobs/\(digest)") }
    }

    /// How often a fault fired.
    func count(of fault: String) throws -> Int {
        try requests().filter { $0.fault == fault }.count
    }

    /// The log as text, for failure messages.
    func logText() -> String {
        (try? String(contentsOfFile: directory + "/requests.jsonl", encoding: .utf8)) ?? "(no log)"
    }
}

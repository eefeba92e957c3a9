import Foundation

/// testdata/recorder/recorder.py on its own loopback port: a host that answers by rules and logs
/// every request it receives with every header, so a test asserts what reached it (and what did
/// not). One per role per test — a blob-storage host, a hostile token realm, a fake registry, an
/// https host with an untrusted certificate, a forward proxy; `stop()` it in a `defer`. The rule
/// format is the script's docstring; `{self}` in a rule's headers or body is the recorder's own
/// base URL.
///
/// Uses Foundation only (no airgap module), so it survives the restructuring of Sources/.
final class Recorder: @unchecked Sendable {
    /// One rule; `nil` fields are left out of the JSON (the script's defaults apply).
    struct Rule: Encodable, Sendable {
        var method: String?
        var path: String?
        /// Request header name → regex; a missing header is "" (so "^$" means absent).
        var whenHeaders: [String: String]?
        /// Answer at most this many matching requests (`nil`: every one).
        var times: Int?
        var status: Int?
        var headers: [String: String]?
        var body: String?
        var contentType: String?

        enum CodingKeys: String, CodingKey {
            case method, path, times, status, headers, body
            case whenHeaders = "when_headers", contentType = "content_type"
        }

        init(
            _ method: String?, _ path: String?, status: Int? = nil, headers: [String: String]? = nil, body: String? = nil,
            whenHeaders: [String: String]? = nil, times: Int? = nil, contentType: String? = nil
        ) {
            self.method = method
            self.path = path
            self.status = status
            self.headers = headers
            self.body = body
            self.whenHeaders = whenHeaders
            self.times = times
            self.contentType = contentType
        }
    }

    /// One line of the recorder's log: a request it read, or a TLS handshake that failed.
    struct Entry: Decodable, Sendable, CustomStringConvertible {
        /// `request`, or `tls_error` (a client reached the port and the handshake failed: no
        /// request was read).
        var event: String
        var time: String
        var method: String?
        /// Path and query, `HOST:PORT` for CONNECT, or the absolute URL a proxy client sends.
        var path: String?
        /// The Authorization header exactly as received, or nil.
        var authorization: String?
        /// Every other header as received, in order, duplicates included.
        var headers: [[String]]?
        var status: Int?
        var error: String?

        var isRequest: Bool { event == "request" }

        /// Values of the header `name` (case-insensitive), Authorization included.
        func header(_ name: String) -> [String] {
            if name.lowercased() == "authorization" { return authorization.map { [$0] } ?? [] }
            return (headers ?? []).filter { $0.count == 2 && $0[0].lowercased() == name.lowercased() }.map { $0[1] }
        }

        var description: String {
            isRequest
                ? "\(method ?? "?") \(path ?? "?") authorization=\(authorization ?? "none") → \(status.map(String.init) ?? "-")"
                : "\(event): \(error ?? "")"
        }
    }

    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("testdata/recorder/recorder.py").path

    /// `127.0.0.1:PORT`.
    let host: String
    /// `localhost:PORT`: the same server under another host name.
    var localhostHost: String { "localhost:" + host.split(separator: ":").last! }
    /// `http://127.0.0.1:PORT` or `https://127.0.0.1:PORT`: what `{self}` stands for in rules.
    let baseURL: String
    private let process: Process
    private let directory: String

    /// Starts a recorder with `rules`, over https with `certificate` and `key` when given, and waits
    /// until it listens.
    init(rules: [Rule] = [], certificate: String? = nil, key: String? = nil) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-recorder-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try JSONEncoder().encode(rules).write(to: URL(fileURLWithPath: directory + "/rules.json"))
        _ = FileManager.default.createFile(atPath: directory + "/stderr", contents: nil)
        _ = FileManager.default.createFile(atPath: directory + "/requests.jsonl", contents: nil)

        process = Process()
        // Debian's interpreter, as the script's shebang says (a pyenv python3 on PATH may differ).
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        var arguments = [Self.script, "--rules", directory + "/rules.json", "--log", directory + "/requests.jsonl"]
        if let certificate, let key { arguments += ["--cert", certificate, "--key", key] }
        process.arguments = arguments
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
            throw StartFailure(description: "recorder.py did not start: \(stderr)")
        }
        host = "127.0.0.1:\(port)"
        baseURL = (certificate == nil ? "http://" : "https://") + host
    }

    deinit { stop() }

    /// Kills the recorder (SIGKILL: children of Swift Testing's threads may have SIGTERM blocked)
    /// and removes its files. Safe to call twice.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Everything logged so far, in arrival order.
    func entries() throws -> [Entry] {
        let decoder = JSONDecoder()
        // A connection still being handled may be logged meanwhile: complete lines only.
        var lines = try String(contentsOfFile: directory + "/requests.jsonl", encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false)
        lines.removeLast()
        return try lines.filter { !$0.isEmpty }.map { try decoder.decode(Entry.self, from: Data($0.utf8)) }
    }

    /// The requests it read (TLS failures left out).
    func requests() throws -> [Entry] { try entries().filter(\.isRequest) }

    /// The log as text, for failure messages.
    func logText() -> String {
        let entries = (try? entries()) ?? []
        return entries.isEmpty ? "(nothing logged)" : entries.map(\.description).joined(separator: "\n")
    }
}

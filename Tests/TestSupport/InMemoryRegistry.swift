import Foundation
import OCI

@testable import Registry

/// Registries in memory, one per host, speaking enough of the distribution API for airgap's client:
/// `/v2/`, manifests (GET, HEAD, PUT), blobs (GET with `Range`, HEAD), upload sessions (POST, PATCH,
/// PUT with `?digest=`, DELETE) and cross-repository mounts. Like go-containerregistry's
/// `pkg/registry`, it serves fast tests of scheduling, retries and failures; the integration tests
/// against real registries stay the proof.
///
/// Every request is recorded; `fault` may answer a request in the registry's place (a 503, a reset).
public final class InMemoryRegistry: HTTPClient, @unchecked Sendable {
    /// One request as the registry saw it.
    public struct Request: Sendable, CustomStringConvertible {
        public var method: HTTPMethod
        public var host: String
        /// The path after `/v2/`, without the query.
        public var path: String
        public var query: String?
        public var headers: HTTPHeaders

        public var description: String { "\(method.rawValue) \(host)/v2/\(path)\(query.map { "?\($0)" } ?? "")" }
    }

    /// What a fault does instead of the registry.
    public enum Fault: Sendable {
        case status(Int, headers: HTTPHeaders = [:])
        case reset
        /// Answer as the registry would, but cut the body after this many bytes (a reset mid-body).
        case cutAfter(Int)
    }

    /// Answer `Range` requests with the whole blob (200), as a server without range support does.
    public var ignoresRange = false

    private let lock = NSLock()
    private var blobs: [Digest: Data] = [:]
    /// Which repositories (`host/name`) hold which blobs; a blob is visible only where it was put.
    private var links: [String: Set<Digest>] = [:]
    private var manifests: [String: [String: (bytes: Data, mediaType: String)]] = [:]
    private var sessions: [String: (repository: String, bytes: Data)] = [:]
    private var recorded: [Request] = []
    /// Consulted before every request; `nil` lets the registry answer.
    public var fault: (@Sendable (Request) -> Fault?)?

    public init() {}

    public var requests: [Request] { lock.withLock { recorded } }

    // MARK: - Content, for tests to set up and check

    /// Puts a blob into `repository` (`host/name`) and returns its descriptor.
    @discardableResult
    public func putBlob(_ data: Data, in repository: String, mediaType: MediaType = .ociLayerGzip) -> Descriptor {
        let digest = Digest.compute(of: data)
        lock.withLock {
            blobs[digest] = data
            links[repository, default: []].insert(digest)
        }
        return Descriptor(mediaType: mediaType, digest: digest, size: Int64(data.count))
    }

    /// Puts manifest bytes under `reference` (a tag or digest) and under their digest.
    @discardableResult
    public func putManifest(_ bytes: Data, mediaType: MediaType, in repository: String, reference: String) -> Descriptor {
        let digest = Digest.compute(of: bytes)
        lock.withLock {
            manifests[repository, default: [:]][reference] = (bytes, mediaType.rawValue)
            manifests[repository, default: [:]][digest.description] = (bytes, mediaType.rawValue)
        }
        return Descriptor(mediaType: mediaType, digest: digest, size: Int64(bytes.count))
    }

    public func manifest(_ reference: String, in repository: String) -> Data? {
        lock.withLock { manifests[repository]?[reference]?.bytes }
    }

    public func hasBlob(_ digest: Digest, in repository: String) -> Bool {
        lock.withLock { links[repository]?.contains(digest) == true }
    }

    // MARK: - HTTP

    public func send(_ request: HTTPRequest, sink: ResponseSink?) async throws -> HTTPResponse {
        try Task.checkCancellation()
        let url = request.url
        let host = url.port.map { "\(url.host ?? ""):\($0)" } ?? (url.host ?? "")
        // Not `url.path`: it drops the trailing slash of `/blobs/uploads/`.
        let fullPath = URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedPath ?? url.path
        guard fullPath.hasPrefix("/v2/") || fullPath == "/v2" else { return respond(request, 404) }
        let seen = Request(
            method: request.method, host: host, path: String(fullPath.dropFirst(min(4, fullPath.count))),
            query: URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedQuery, headers: request.headers)
        lock.withLock { recorded.append(seen) }
        var cut: Int?
        if let fault = fault?(seen) {
            switch fault {
            case .status(let status, let headers): return respond(request, status, headers: headers)
            case .reset: throw TransportError.curl(code: 56, message: "Connection reset by peer", method: request.method, url: url.absoluteString)
            case .cutAfter(let count): cut = count
            }
        }
        let body = try await read(request.body, url: url)
        if let length = request.body?.length, length > 0 { request.uploadProgress?(length) }
        guard let cut else { return try answer(seen, body: body, request: request, sink: sink) }
        _ = try answer(seen, body: body, request: request, sink: sink.map { CuttingSink($0, after: cut) })
        throw TransportError.curl(code: 56, message: "Connection reset by peer", method: request.method, url: url.absoluteString)
    }

    private func answer(_ seen: Request, body: Data, request: HTTPRequest, sink: ResponseSink?) throws -> HTTPResponse {
        let path = seen.path
        if path.isEmpty { return respond(request, 200) }
        let query = Dictionary(
            (seen.query ?? "").split(separator: "&").map { $0.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) } }
                .filter { $0.count == 2 }.map { ($0[0], $0[1]) }, uniquingKeysWith: { first, _ in first })
        if let range = path.range(of: "/manifests/") {
            let repository = "\(seen.host)/\(path[..<range.lowerBound])"
            return try manifestCall(seen.method, repository: repository, reference: String(path[range.upperBound...]), body: body, request: request, sink: sink)
        }
        if let range = path.range(of: "/blobs/uploads/") {
            let repository = "\(seen.host)/\(path[..<range.lowerBound])"
            return uploadCall(seen.method, repository: repository, session: String(path[range.upperBound...]), query: query, body: body, request: request)
        }
        if let range = path.range(of: "/blobs/") {
            let repository = "\(seen.host)/\(path[..<range.lowerBound])"
            return try blobCall(seen.method, repository: repository, digest: String(path[range.upperBound...]), request: request, sink: sink)
        }
        return respond(request, 404)
    }

    private func manifestCall(
        _ method: HTTPMethod, repository: String, reference: String, body: Data, request: HTTPRequest, sink: ResponseSink?
    ) throws -> HTTPResponse {
        switch method {
        case .get, .head:
            guard let found = lock.withLock({ manifests[repository]?[reference] }) else {
                return respond(request, 404, error: "MANIFEST_UNKNOWN")
            }
            let headers: HTTPHeaders = [
                "Content-Type": found.mediaType, "Docker-Content-Digest": Digest.compute(of: found.bytes).description,
                "Content-Length": "\(found.bytes.count)",
            ]
            return try deliver(method == .get ? found.bytes : Data(), status: 200, headers: headers, request: request, sink: sink)
        case .put:
            let mediaType = request.headers["Content-Type"] ?? ""
            // A registry refuses a manifest whose blobs or children it does not hold.
            if let document = try? ManifestDocument(decoding: body, contentType: MediaType(mediaType)) {
                let missing: Bool = lock.withLock {
                    switch document {
                    case .image(let manifest):
                        return ([manifest.config] + manifest.layers).contains { links[repository]?.contains($0.digest) != true }
                    case .index(let index):
                        return index.manifests.contains { manifests[repository]?[$0.digest.description] == nil }
                    }
                }
                if missing { return respond(request, 400, error: "MANIFEST_BLOB_UNKNOWN") }
            }
            let digest = Digest.compute(of: body)
            lock.withLock {
                manifests[repository, default: [:]][reference] = (body, mediaType)
                manifests[repository, default: [:]][digest.description] = (body, mediaType)
            }
            return respond(request, 201, headers: ["Docker-Content-Digest": digest.description])
        default:
            return respond(request, 405)
        }
    }

    private func blobCall(_ method: HTTPMethod, repository: String, digest text: String, request: HTTPRequest, sink: ResponseSink?) throws -> HTTPResponse {
        guard let digest = try? Digest(text),
              let data = lock.withLock({ links[repository]?.contains(digest) == true ? blobs[digest] : nil })
        else { return respond(request, 404, error: "BLOB_UNKNOWN") }
        if method == .head { return respond(request, 200, headers: ["Content-Length": "\(data.count)", "Docker-Content-Digest": text]) }
        if !ignoresRange, let range = request.headers["Range"], range.hasPrefix("bytes="), let start = Int(range.dropFirst(6).dropLast()), range.hasSuffix("-") {
            guard start < data.count else { return respond(request, 416) }
            return try deliver(data.subdata(in: start..<data.count), status: 206, headers: ["Content-Range": "bytes \(start)-\(data.count - 1)/\(data.count)"], request: request, sink: sink)
        }
        return try deliver(data, status: 200, headers: ["Content-Length": "\(data.count)"], request: request, sink: sink)
    }

    private func uploadCall(
        _ method: HTTPMethod, repository: String, session: String, query: [String: String], body: Data, request: HTTPRequest
    ) -> HTTPResponse {
        let name = repository.split(separator: "/", maxSplits: 1).last.map(String.init) ?? repository
        switch (method, session.isEmpty) {
        case (.post, true):
            if let mount = query["mount"].flatMap({ try? Digest($0) }), let from = query["from"] {
                let host = String(repository.prefix { $0 != "/" })
                let mounted: Bool = lock.withLock {
                    guard links["\(host)/\(from)"]?.contains(mount) == true else { return false }
                    links[repository, default: []].insert(mount)
                    return true
                }
                if mounted { return respond(request, 201, headers: ["Docker-Content-Digest": mount.description]) }
            }
            let id = UUID().uuidString.lowercased()
            lock.withLock { sessions[id] = (repository, Data()) }
            return respond(request, 202, headers: ["Location": "/v2/\(name)/blobs/uploads/\(id)"])
        case (.patch, false):
            guard lock.withLock({ sessions[session]?.bytes.append(body) }) != nil else { return respond(request, 404, error: "BLOB_UPLOAD_UNKNOWN") }
            return respond(request, 202, headers: ["Location": "/v2/\(name)/blobs/uploads/\(session)"])
        case (.put, false):
            guard var open = lock.withLock({ sessions.removeValue(forKey: session) }) else { return respond(request, 404, error: "BLOB_UPLOAD_UNKNOWN") }
            open.bytes.append(body)
            guard let expected = query["digest"].flatMap({ try? Digest($0) }), Digest.compute(of: open.bytes) == expected else {
                return respond(request, 400, error: "DIGEST_INVALID")
            }
            lock.withLock {
                blobs[expected] = open.bytes
                links[repository, default: []].insert(expected)
            }
            return respond(request, 201, headers: ["Docker-Content-Digest": expected.description])
        case (.delete, false):
            _ = lock.withLock { sessions.removeValue(forKey: session) }
            return respond(request, 204)
        default:
            return respond(request, 405)
        }
    }

    // MARK: - Helpers

    private func respond(_ request: HTTPRequest, _ status: Int, headers: HTTPHeaders = [:], error code: String? = nil) -> HTTPResponse {
        let body = code.map { Data(#"{"errors":[{"code":"\#($0)","message":"in-memory registry"}]}"#.utf8) } ?? Data()
        return HTTPResponse(status: status, headers: headers, url: request.url, errorBody: body, newConnections: 0)
    }

    private func deliver(_ data: Data, status: Int, headers: HTTPHeaders, request: HTTPRequest, sink: ResponseSink?) throws -> HTTPResponse {
        if let sink, !data.isEmpty {
            try sink.begin(status: status, headers: headers)
            try data.withUnsafeBytes { try sink.write($0) }
        }
        return HTTPResponse(status: status, headers: headers, url: request.url, errorBody: Data(), newConnections: 0)
    }

    /// A request body, whole: bytes, a file slice, or a file still being written (waited for).
    private func read(_ body: RequestBody?, url: URL) async throws -> Data {
        guard let body else { return Data() }
        let reader = try UploadReader(body: body, url: url)
        var data = Data()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            switch try reader.read(into: buffer) {
            case .filled(0):
                return data
            case .filled(let count):
                data.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            case .waiting:
                // The download it relays has not written more yet.
                try await Task.sleep(for: .milliseconds(1))
            }
        }
    }
}

/// Passes on the first `limit` body bytes and drops the rest: a connection cut mid-body.
private final class CuttingSink: ResponseSink, @unchecked Sendable {
    private let next: ResponseSink
    private var left: Int

    init(_ next: ResponseSink, after limit: Int) {
        self.next = next
        left = limit
    }

    func begin(status: Int, headers: HTTPHeaders) throws { try next.begin(status: status, headers: headers) }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        let count = min(left, bytes.count)
        guard count > 0 else { return }
        try next.write(UnsafeRawBufferPointer(rebasing: bytes[..<count]))
        left -= count
    }

    func hasRoom(for count: Int) -> Bool { next.hasRoom(for: count) }
}

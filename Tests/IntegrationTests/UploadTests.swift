import Foundation
import OCI
import Testing

@testable import Registry

/// Streamed uploads against the real registry: a monolithic blob upload (POST, then PUT with the
/// body read from a file) as the distribution spec describes under "Pushing blobs".
@Suite struct UploadTests {
    let transport = HTTPTransport()

    private func startUpload(_ registry: String, repository: String) async throws -> URL {
        let start = HTTPRequest(method: .post, url: URL(string: "http://\(registry)/v2/\(repository)/blobs/uploads/")!, allowsPlainHTTP: true)
        let response = try await transport.send(start)
        #expect(response.status == 202)
        let location = try #require(response.headers["Location"])
        // Location may be relative; resolve it against the request URL and keep its query.
        return try #require(URL(string: location, relativeTo: start.url)?.absoluteURL)
    }

    private func uploadURL(_ location: URL, digest: Digest) -> URL {
        var parts = URLComponents(url: location, resolvingAgainstBaseURL: true)!
        parts.queryItems = (parts.queryItems ?? []) + [URLQueryItem(name: "digest", value: digest.description)]
        return parts.url!
    }

    @Test func blobUploadStreamsFromAFileSlice() async throws {
        let registry = try TestServers.plainRegistry()
        let repository = "upload-test/\(UUID().uuidString.lowercased().prefix(8))"
        // The blob is a slice of a bigger file, as a layer inside an offline archive would be.
        let payload = Data((0..<(3 * 1024 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        let prefix = Data(repeating: 0xEE, count: 1000)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("upload-\(UUID().uuidString)").path
        try (prefix + payload + prefix).write(to: URL(fileURLWithPath: file))
        defer { unlink(file) }
        let digest = Digest.compute(of: payload)
        let body = RequestBody.file(path: file, offset: 1000, length: Int64(payload.count))

        let location = try await startUpload(registry, repository: repository)
        let put = HTTPRequest(method: .put, url: uploadURL(location, digest: digest), headers: ["Content-Type": "application/octet-stream"], body: body, allowsPlainHTTP: true)
        let response = try await transport.send(put)
        #expect(response.status == 201)
        #expect(response.headers["Docker-Content-Digest"] == digest.description)

        // The same body value can be sent again from its start: what a retry does.
        let again = try await startUpload(registry, repository: repository + "-again")
        var retry = put
        retry.url = uploadURL(again, digest: digest)
        #expect(try await transport.send(retry).status == 201)

        let client = RegistryClient(endpoint: RegistryEndpoint(host: registry, usesPlainHTTP: true))
        #expect(try await client.hasBlob(digest, in: try ImageReference.Repository(repository)))
    }

    @Test func aBodyFileShorterThanDeclaredIsRefusedBeforeSending() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("short-\(UUID().uuidString)").path
        try Data(repeating: 1, count: 10).write(to: URL(fileURLWithPath: file))
        defer { unlink(file) }
        let request = HTTPRequest(method: .put, url: URL(string: "http://\(try TestServers.plainRegistry())/v2/x/blobs/uploads/y")!, body: .file(path: file, length: 100), allowsPlainHTTP: true)
        let error = await #expect(throws: TransportError.self) { _ = try await transport.send(request) }
        guard case .bodyUnreadable = error else {
            Issue.record("expected bodyUnreadable, got \(String(describing: error))")
            return
        }
    }

    @Test func inMemoryBodiesUploadToo() async throws {
        let registry = try TestServers.plainRegistry()
        let payload = Data("a small config blob".utf8)
        let digest = Digest.compute(of: payload)
        let location = try await startUpload(registry, repository: "upload-test/small")
        let put = HTTPRequest(method: .put, url: uploadURL(location, digest: digest), body: .bytes(payload), allowsPlainHTTP: true)
        #expect(try await transport.send(put).status == 201)
    }

    /// Above the monolithic limit a blob goes as POST + streamed PATCH + PUT: Distribution must
    /// accept it and store the digest we computed, and the progress must count every byte once.
    @Test func aLargeBlobGoesThroughAStreamedPatch() async throws {
        let registry = try TestServers.plainRegistry()
        let repository = try ImageReference.Repository("upload-test/large-\(UUID().uuidString.lowercased().prefix(8))")
        let size = Int(RegistryClient.monolithicUploadLimit) + 4096
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("large-\(UUID().uuidString)").path
        var payload = Data(count: size)
        payload.withUnsafeMutableBytes { arc4random_buf($0.baseAddress!, size) }
        try payload.write(to: URL(fileURLWithPath: file))
        defer { unlink(file) }
        let descriptor = Descriptor(mediaType: .ociLayerGzip, digest: Digest.compute(of: payload), size: Int64(size))
        payload = Data()

        let counted = Counted()
        let client = RegistryClient(endpoint: RegistryEndpoint(host: registry, usesPlainHTTP: true))
        try await client.uploadBlob(descriptor, from: file, into: repository, progress: counted.add)
        #expect(try await client.hasBlob(descriptor.digest, in: repository))
        #expect(counted.total == Int64(size))
    }
}

private final class Counted: @unchecked Sendable {
    private let lock = NSLock()
    private var sum: Int64 = 0
    var total: Int64 { lock.withLock { sum } }
    @Sendable func add(_ count: Int64) { lock.withLock { sum += count } }
}

import Foundation
import OCI
import Testing

@testable import Registry

/// The transport's pure parts: header lookup, log redaction, sinks, upload rewinding, error bodies.
@Suite struct TransportUnitTests {
    @Test func headerLookupIgnoresCase() {
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        headers.add("WWW-Authenticate", "Bearer realm=\"a\"")
        headers.add("www-authenticate", "Basic realm=\"b\"")
        #expect(headers["content-type"] == "application/json")
        #expect(headers.values("Www-Authenticate") == ["Bearer realm=\"a\"", "Basic realm=\"b\""])
        headers.set("CONTENT-TYPE", "text/plain")
        #expect(headers.values("Content-Type") == ["text/plain"])
        headers.remove("www-authenticate")
        #expect(headers["WWW-Authenticate"] == nil)
    }

    @Test(arguments: [
        ("https://user:secret@registry.example.com/v2/?token=secret", "https://registry.example.com/v2/"),
        ("https://s3.example.com/blob?X-Amz-Signature=secret#frag", "https://s3.example.com/blob"),
        ("http://127.0.0.1:5000/v2/library/busybox/manifests/1.29", "http://127.0.0.1:5000/v2/library/busybox/manifests/1.29"),
    ])
    func urlsAreRedactedForLogs(raw: String, redacted: String) {
        #expect(URL(string: raw)!.redactedForLog == redacted)
    }

    @Test func memorySinkRefusesPastItsLimit() throws {
        let sink = MemorySink(limit: 8)
        try Data("12345".utf8).withUnsafeBytes { try sink.write($0) }
        #expect(throws: BodyLimitExceeded.self) {
            try Data("6789".utf8).withUnsafeBytes { try sink.write($0) }
        }
        #expect(sink.data == Data("12345".utf8))
    }

    @Test func aFileSentAsABlobIsHashedAndStoppedBeforeItsLastByteWhenItIsNotTheBlob() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("upload-\(UUID().uuidString)").path
        defer { unlink(path) }
        try Data("xxHELLOyy".utf8).write(to: URL(fileURLWithPath: path))
        let url = URL(string: "https://registry.example.com/v2/")!
        func drain(_ reader: UploadReader) throws -> Int {
            var sent = 0
            var buffer = [UInt8](repeating: 0, count: 2)
            while case .filled(let count) = try buffer.withUnsafeMutableBytes({ try reader.read(into: $0) }), count > 0 { sent += count }
            return sent
        }
        let right = try UploadReader(body: .file(path: path, offset: 2, length: 5, digest: Digest.compute(of: Data("HELLO".utf8))), url: url)
        #expect(try drain(right) == 5)
        // Sent again after a rewind, it is hashed again from the start.
        try right.seek(to: 0)
        #expect(try drain(right) == 5)

        let wrong = try UploadReader(body: .file(path: path, offset: 2, length: 5, digest: Digest.compute(of: Data("WORLD".utf8))), url: url)
        var buffer = [UInt8](repeating: 0, count: 2)
        #expect(try buffer.withUnsafeMutableBytes { try wrong.read(into: $0) } == .filled(2))
        #expect(try buffer.withUnsafeMutableBytes { try wrong.read(into: $0) } == .filled(2))
        // The last chunk is refused: curl never sends the byte that would complete the blob.
        #expect(throws: TransportError.self) { _ = try buffer.withUnsafeMutableBytes { try wrong.read(into: $0) } }
    }

    @Test func uploadReaderRewindsToResend() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("upload-\(UUID().uuidString)").path
        defer { unlink(path) }
        try Data("xxHELLOyy".utf8).write(to: URL(fileURLWithPath: path))
        let url = URL(string: "https://registry.example.com/v2/")!
        let reader = try UploadReader(body: .file(path: path, offset: 2, length: 5), url: url)
        #expect(reader.length == 5)

        func drain() throws -> String {
            var collected = Data()
            var buffer = [UInt8](repeating: 0, count: 3)
            while true {
                guard case .filled(let count) = try buffer.withUnsafeMutableBytes({ try reader.read(into: $0) }), count > 0 else { break }
                collected.append(contentsOf: buffer[..<count])
            }
            return String(decoding: collected, as: UTF8.self)
        }
        #expect(try drain() == "HELLO")
        try reader.seek(to: 0)
        #expect(try drain() == "HELLO")
        try reader.seek(to: 3)
        #expect(try drain() == "LO")
        #expect(throws: UploadReadError.self) { try reader.seek(to: 6) }
    }

    @Test func inMemoryBodiesReadInChunks() throws {
        let reader = try UploadReader(body: .bytes(Data("abcdefg".utf8)), url: URL(string: "https://r.example/")!)
        var buffer = [UInt8](repeating: 0, count: 4)
        #expect(try buffer.withUnsafeMutableBytes { try reader.read(into: $0) } == .filled(4))
        #expect(try buffer.withUnsafeMutableBytes { try reader.read(into: $0) } == .filled(3))
        #expect(String(decoding: buffer[..<3], as: UTF8.self) == "efg")
        #expect(try buffer.withUnsafeMutableBytes { try reader.read(into: $0) } == .filled(0))
    }

    /// A body still being downloaded: the reader takes what is there, waits at the edge, gets the
    /// last byte only once the download verified, and fails when the download does (so the upload
    /// stops instead of sending a short body). The buffer is bounded and wraps around.
    @Test func aPipeIsReadAsItFillsAndHoldsItsLastByteUntilVerified() throws {
        let pipe = BlobPipe(length: 10, capacity: 4)
        let reader = try UploadReader(body: .pipe(pipe), url: URL(string: "https://r.example/")!)
        var buffer = [UInt8](repeating: 0, count: 8)
        func read() throws -> UploadReader.Chunk { try buffer.withUnsafeMutableBytes { try reader.read(into: $0) } }
        func append(_ text: String) throws { try Data(text.utf8).withUnsafeBytes { try pipe.append($0) } }

        #expect(try read() == .waiting)
        #expect(!reader.canContinue)
        try append("HEL")
        #expect(pipe.hasRoom(for: 1) && !pipe.hasRoom(for: 2), "a bounded buffer")
        #expect(reader.canContinue)
        #expect(try read() == .filled(3))
        #expect(String(decoding: buffer[..<3], as: UTF8.self) == "HEL")
        #expect(try read() == .waiting)
        try append("LOWO")
        #expect(try read() == .filled(4))
        #expect(String(decoding: buffer[..<4], as: UTF8.self) == "LOWO")
        try append("RLD")
        #expect(try read() == .filled(2), "all but the last byte before the download verified")
        #expect(try read() == .waiting)
        pipe.finish()
        #expect(try read() == .filled(1))
        #expect(buffer[0] == UInt8(ascii: "D"))
        #expect(try read() == .filled(0))
        #expect(throws: UploadReadError.self) { try reader.seek(to: 0) }

        let failing = BlobPipe(length: 10)
        let second = try UploadReader(body: .pipe(failing), url: URL(string: "https://r.example/")!)
        try Data("AB".utf8).withUnsafeBytes { try failing.append($0) }
        #expect(try buffer.withUnsafeMutableBytes { try second.read(into: $0) } == .filled(2))
        failing.fail("digest mismatch")
        #expect(second.canContinue)
        #expect(throws: UploadReadError.self) { try buffer.withUnsafeMutableBytes { try second.read(into: $0) } }
    }

    @Test func registryErrorBodiesDecodeLeniently() {
        let body = Data(#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"x"}},{"code":"DENIED"}]}"#.utf8)
        #expect(RegistryErrorDetail.decodeList(from: body) == [
            RegistryErrorDetail(code: "MANIFEST_UNKNOWN", message: "manifest unknown"),
            RegistryErrorDetail(code: "DENIED", message: ""),
        ])
        #expect(RegistryErrorDetail.decodeList(from: Data("<html>Bad Gateway</html>".utf8)).isEmpty)
    }

    @Test(arguments: [
        (401, "authentication required"),
        (403, "access denied"),
        (429, "rate limited by the registry"),
        (503, "the registry failed"),
    ])
    func statusErrorsSayWhatTheStatusMeans(status: Int, meaning: String) {
        let error = RegistryError.unexpectedStatus(status: status, method: .get, url: "https://r.example/v2/a/manifests/b", subject: "manifest r.example/a:b", errors: [])
        #expect(error.description.hasSuffix("(\(meaning))"))
        #expect(error.description.hasPrefix("manifest r.example/a:b: GET https://r.example/v2/a/manifests/b returned \(status)"))
    }

    @Test(arguments: ["Bearer good\r\nX-Injected: yes", "value\nwith a line feed", "nul\u{0}byte"])
    func aHeaderWithALineBreakIsNeverSent(value: String) async throws {
        var request = HTTPRequest(url: URL(string: "https://registry.example.invalid/v2/")!)
        request.headers.set("Authorization", value)
        let error = await #expect(throws: TransportError.self) { _ = try await HTTPTransport().send(request) }
        #expect(error == .invalidHeader(name: "Authorization", url: "https://registry.example.invalid/v2/"))
        #expect(error?.description.contains("Injected") == false, "the value is not repeated")
    }
}

import Foundation
import OCI
import TestSupport
import Testing

@testable import Registry

/// A registry that lies, through the fake HTTP layer: each response is refused with an error that
/// says what was wrong, before anything is trusted or written. (The parsers' own hostile inputs are
/// in FuzzRegressionTests; these go through the client, as bundle and mirror do.)
@Suite struct HostileRegistryTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var contentType: MediaType?
        var body: String
        /// `nil`: the digest of the body, as an honest registry would send it.
        var digestHeader: String?
        var message: String
        var testDescription: String { name }
    }

    static let reference = try! ImageReference("registry.example.com/hostile/image:1")
    static let hex = "f4c57509c6b6e9913ee565f553be451d209c3a94ce3ac27736241848a77ac132"

    static func descriptor(digest: String = "sha256:\(hex)", size: String = "2") -> String {
        #"{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"\#(digest)","size":\#(size)}"#
    }

    static func manifest(layer: String, mediaType: Bool = true) -> String {
        (mediaType ? #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":"# : #"{"schemaVersion":2,"config":"#)
            + descriptor() + #","layers":["# + layer + "]}"
    }

    static let index = #"{"schemaVersion":2,"manifests":["# + descriptor() + "]}"

    static let cases: [Case] = [
        .init(name: "layer size -1", contentType: .ociImageManifest, body: manifest(layer: descriptor(size: "-1")), message: "negative size (-1)"),
        .init(
            name: "layer size 2^62", contentType: .ociImageManifest, body: manifest(layer: descriptor(size: "4611686018427387904")),
            message: "declares 4611686018427387904 bytes, over airgap's limit"),
        .init(
            name: "layer digest with path separators", contentType: .ociImageManifest,
            body: manifest(layer: descriptor(digest: "sha256:../../etc/passwd")), message: "must not contain '/' or '..'"),
        .init(
            name: "layer digest md5", contentType: .ociImageManifest, body: manifest(layer: descriptor(digest: "md5:d41d8cd98f00b204e9800998ecf8427e")),
            message: "unsupported digest algorithm md5"),
        .init(
            name: "Docker-Content-Digest with path separators", contentType: .ociImageManifest, body: manifest(layer: descriptor()),
            digestHeader: "sha256:../../../etc/passwd", message: "must not contain '/' or '..'"),
        .init(
            name: "Docker-Content-Digest md5", contentType: .ociImageManifest, body: manifest(layer: descriptor()),
            digestHeader: "md5:d41d8cd98f00b204e9800998ecf8427e", message: "unsupported digest algorithm md5"),
        .init(
            name: "served as an index, shaped as a manifest", contentType: .ociImageIndex, body: manifest(layer: descriptor(), mediaType: false),
            message: "typed application/vnd.oci.image.index.v1+json has the fields of an image manifest"),
        .init(
            name: "served as a manifest, shaped as an index", contentType: .dockerManifest, body: index,
            message: "typed application/vnd.docker.distribution.manifest.v2+json has the fields of an index"),
        .init(
            name: "served as an index, declaring a manifest", contentType: .ociImageIndex, body: manifest(layer: descriptor()),
            message: "declares mediaType application/vnd.oci.image.manifest.v1+json"),
    ]

    @Test(arguments: cases)
    func aLyingManifestIsRefusedWithAClearError(_ hostile: Case) async throws {
        let body = Data(hostile.body.utf8)
        var headers: HTTPHeaders = ["Docker-Content-Digest": hostile.digestHeader ?? Digest.compute(of: body).description]
        if let contentType = hostile.contentType { headers.set("Content-Type", contentType.rawValue) }
        let http = FakeHTTPClient([.respond(status: 200, headers: headers, body: body)])
        let client = RegistryClient(endpoint: RegistryEndpoint(host: "registry.example.com"), http: http, retry: .never)
        let error = await #expect(throws: (any Error).self) { _ = try await client.fetchManifest(Self.reference) }
        #expect("\(error.map { "\($0)" } ?? "")".contains(hostile.message), "\(String(describing: error))")
        #expect(http.requestCount == 1, "refused, not retried")
    }

    @Test func aHeadWithAHostileDigestIsRefusedBeforeAnyGet() async throws {
        let http = FakeHTTPClient([
            .respond(status: 200, headers: ["Content-Type": MediaType.ociImageManifest.rawValue, "Docker-Content-Digest": "sha256:../x", "Content-Length": "10"])
        ])
        let client = RegistryClient(endpoint: RegistryEndpoint(host: "registry.example.com"), http: http, retry: .never)
        await #expect(throws: DigestError.unsafeForPath("sha256:../x")) { _ = try await client.resolve(Self.reference) }
        #expect(http.requests.map(\.method) == [.head])
    }
}

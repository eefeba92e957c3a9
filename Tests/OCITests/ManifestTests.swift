import Foundation
import OCI
import Testing

/// Files under testdata/manifests, found from this source file's path.
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // OCITests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("testdata/manifests")

    static func data(_ name: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(name))
    }

    static func index(_ name: String) throws -> ImageIndex {
        guard case .index(let index) = try ManifestDocument(decoding: data(name), contentType: nil) else {
            throw NotAnIndex(name: name)
        }
        return index
    }

    struct NotAnIndex: Error { var name: String }
}

/// The digest of `{}`, the OCI empty descriptor.
private let emptyJSONDigest = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"

// MARK: - Media types

@Test(arguments: [
    (MediaType.ociImageIndex, "index"), (.dockerManifestList, "index"),
    (.ociImageManifest, "image"), (.dockerManifest, "image"),
    (.dockerSchema1Manifest, "schema1"), (.dockerSchema1SignedManifest, "schema1"),
    (.ociLayer, "layer"), (.ociLayerGzip, "layer"), (.ociLayerZstd, "layer"),
    (.ociLayerNondistributableGzip, "layer"), (.dockerLayer, "layer"), (.dockerForeignLayer, "layer"),
    (.ociImageConfig, "config"), (.dockerContainerConfig, "config"),
    ("application/vnd.in-toto+json", "other"),
])
func mediaTypeKinds(_ type: MediaType, _ kind: String) {
    #expect(type.isIndex == (kind == "index"))
    #expect(type.isImageManifest == (kind == "image"))
    #expect(type.isSchema1 == (kind == "schema1"))
    #expect(type.isLayer == (kind == "layer"))
    #expect(type.isImageConfig == (kind == "config"))
}

@Test func nondistributableLayers() {
    #expect(MediaType.dockerForeignLayer.isNondistributable)
    #expect(MediaType.ociLayerNondistributableZstd.isNondistributable)
    #expect(!MediaType.ociLayerGzip.isNondistributable)
}

@Test(arguments: [
    ("application/vnd.oci.image.index.v1+json", MediaType.ociImageIndex),
    ("Application/VND.Docker.Distribution.Manifest.V2+JSON", .dockerManifest),
    ("application/json; charset=utf-8", "application/json"),
    ("  application/vnd.oci.image.manifest.v1+json ;q=1", .ociImageManifest),
])
func mediaTypeFromContentType(_ header: String, _ expected: MediaType) {
    #expect(MediaType(contentType: header) == expected)
}

@Test func emptyContentTypeIsNoMediaType() {
    #expect(MediaType(contentType: "") == nil)
    #expect(MediaType(contentType: " ; charset=utf-8") == nil)
}

@Test func manifestAcceptHeader() {
    #expect(MediaType.manifestAcceptHeader == [
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    ].joined(separator: ", "))
}

@Test func unknownMediaTypesPassThrough() throws {
    let json = #"["application/vnd.example.thing.v1+json"]"#
    let types = try JSONDecoder().decode([MediaType].self, from: Data(json.utf8))
    #expect(types == ["application/vnd.example.thing.v1+json"])
    #expect(try JSONDecoder().decode([MediaType].self, from: JSONEncoder().encode(types)) == types)
}

// MARK: - Documents from fixtures

@Test func ociManifestPointsAtItsConfigByDigest() throws {
    let bytes = try Fixture.data("oci-manifest.json")
    let document = try ManifestDocument(decoding: bytes, contentType: .ociImageManifest)
    guard case .image(let manifest) = document else { Issue.record("expected an image manifest"); return }
    let config = try Fixture.data("image-config.json")
    #expect(manifest.schemaVersion == 2)
    #expect(manifest.mediaType == .ociImageManifest)
    #expect(manifest.config.mediaType == .ociImageConfig)
    #expect(manifest.config.digest == Digest.compute(of: config))
    #expect(manifest.config.size == Int64(config.count))
    #expect(manifest.layers.map(\.mediaType) == [.ociLayerGzip, .ociLayerGzip])
    #expect(manifest.contentSize == Int64(config.count) + 2_812_345 + 21_890_432)
    #expect(manifest.annotations?["org.opencontainers.image.base.name"]
        == "gcr.io/distroless/static:nonroot")
    #expect(manifest.subject == nil)
    #expect(document.mediaType == .ociImageManifest)
}

@Test func ociIndexListsPlatformsAndAttestation() throws {
    let index = try Fixture.index("oci-index.json")
    #expect(index.mediaType == .ociImageIndex)
    #expect(index.manifests.count == 6)
    #expect(index.manifests.compactMap(\.platform).map(\.description) == [
        "linux/amd64", "linux/arm64/v8", "linux/arm/v7", "linux/ppc64le", "linux/s390x", "unknown/unknown",
    ])
    #expect(index.manifests[0].digest == Digest.compute(of: try Fixture.data("oci-manifest.json")))
    #expect(index.manifests[5].annotations?["vnd.docker.reference.type"] == "attestation-manifest")
    #expect(index.platformManifests.count == 5)
}

@Test func dockerSchema2AndManifestList() throws {
    let manifest = try ManifestDocument(decoding: Fixture.data("docker-manifest.json"), contentType: .dockerManifest)
    guard case .image(let image) = manifest else { Issue.record("expected an image manifest"); return }
    #expect(image.config.mediaType == .dockerContainerConfig)
    #expect(image.layers.first?.mediaType == .dockerLayer)
    #expect(manifest.mediaType == .dockerManifest)

    let listBytes = try Fixture.data("docker-manifest-list.json")
    let list = try ManifestDocument(decoding: listBytes, contentType: .dockerManifestList)
    guard case .index(let index) = list else { Issue.record("expected a manifest list"); return }
    #expect(index.manifests.count == 8)
    #expect(index.manifests.allSatisfy { $0.mediaType == .dockerManifest })
}

struct KindCase: Sendable, CustomTestStringConvertible {
    var fixture: String
    var contentType: String?
    var isIndex: Bool
    var testDescription: String { "\(fixture) as \(contentType ?? "no Content-Type")" }
}

@Test(arguments: [
    KindCase(fixture: "oci-index.json", contentType: nil, isIndex: true),
    KindCase(fixture: "oci-index.json", contentType: "application/json", isIndex: true),
    KindCase(fixture: "oci-index.json", contentType: "text/plain; charset=utf-8", isIndex: true),
    KindCase(fixture: "oci-manifest.json", contentType: "application/octet-stream", isIndex: false),
    KindCase(fixture: "docker-manifest-list.json", contentType: nil, isIndex: true),
    KindCase(fixture: "docker-manifest.json", contentType: "application/json", isIndex: false),
])
func kindFallsBackToTheMediaTypeField(_ c: KindCase) throws {
    let document = try ManifestDocument(
        decoding: Fixture.data(c.fixture), contentType: c.contentType.flatMap(MediaType.init(contentType:)))
    if case .index = document { #expect(c.isIndex) } else { #expect(!c.isIndex) }
}

@Test(arguments: [
    (#"{"schemaVersion":2,"manifests":[]}"#, true),
    (#"{"schemaVersion":2,"config":{"mediaType":"x","digest":"\#(emptyJSONDigest)","size":2},"layers":[]}"#, false),
])
func kindFallsBackToTheShape(_ json: String, _ isIndex: Bool) throws {
    let document = try ManifestDocument(decoding: Data(json.utf8), contentType: nil)
    if case .index = document { #expect(isIndex) } else { #expect(!isIndex) }
    #expect(document.mediaType == (isIndex ? .ociImageIndex : .ociImageManifest))
}

// MARK: - Refusals

@Test(arguments: [nil, MediaType.dockerSchema1SignedManifest, .dockerSchema1Manifest, "application/json"])
func refusesSchema1(_ contentType: MediaType?) throws {
    let bytes = try Fixture.data("docker-schema1.json")
    #expect(throws: ManifestError.schema1) { try ManifestDocument(decoding: bytes, contentType: contentType) }
    #expect(ManifestError.schema1.description.contains("re-push the image with a current client"))
}

@Test func refusesSchema1ByContentTypeAlone() throws {
    // Even a body that looks like schema2 is refused when the registry calls it schema1.
    let bytes = try Fixture.data("docker-manifest.json")
    #expect(throws: ManifestError.schema1) {
        try ManifestDocument(decoding: bytes, contentType: .dockerSchema1SignedManifest)
    }
}

@Test func refusesMediaTypeThatContradictsContentType() throws {
    let bytes = try Fixture.data("oci-index.json")
    #expect(throws: ManifestError.mediaTypeMismatch(contentType: .ociImageManifest, declared: .ociImageIndex)) {
        try ManifestDocument(decoding: bytes, contentType: .ociImageManifest)
    }
}

@Test(arguments: [
    (#"{"schemaVersion":3,"manifests":[]}"#, ManifestError.unsupportedSchemaVersion(3)),
    (#"{"manifests":[]}"#, .unsupportedSchemaVersion(nil)),
    (#"{"schemaVersion":2}"#, .unrecognizedShape),
    (#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.config.v1+json"}"#,
     .unsupportedMediaType(.ociImageConfig)),
])
func refusesOtherDocuments(_ json: String, _ error: ManifestError) {
    #expect(throws: error) { try ManifestDocument(decoding: Data(json.utf8), contentType: nil) }
}

@Test func refusesUnknownContentType() {
    let artifact: MediaType = "application/vnd.oci.artifact.manifest.v1+json"
    #expect(throws: ManifestError.unsupportedMediaType(artifact)) {
        try ManifestDocument(decoding: Data(#"{"schemaVersion":2,"blobs":[]}"#.utf8), contentType: artifact)
    }
}

@Test(arguments: [
    ("not json", "not valid JSON"),
    (#"[1,2]"#, "found an array"),
    (#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json"}"#, "missing key \"manifests\""),
    (#"{"schemaVersion":2,"manifests":[{"mediaType":"x","digest":"\#(emptyJSONDigest)","size":-1}]}"#,
     "negative size"),
    (#"{"schemaVersion":2,"manifests":[{"mediaType":"x","digest":"sha512:abcd","size":1}]}"#,
     "airgap verifies sha256 only"),
])
func reportsMalformedDocuments(_ json: String, _ mention: String) {
    let error = #expect(throws: ManifestError.self) {
        try ManifestDocument(decoding: Data(json.utf8), contentType: nil)
    }
    guard case .malformed(let reason)? = error else {
        Issue.record("expected .malformed, got \(String(describing: error))")
        return
    }
    #expect(reason.contains(mention), "\(reason)")
}

@Test func descriptorRefusesNegativeSize() {
    let json = #"{"mediaType":"x","digest":"\#(emptyJSONDigest)","size":-5}"#
    #expect(throws: DecodingError.self) { try JSONDecoder().decode(Descriptor.self, from: Data(json.utf8)) }
}

// MARK: - Image config

@Test func imageConfigDecodesWhatAirgapNeeds() throws {
    let config = try JSONDecoder().decode(ImageConfig.self, from: Fixture.data("image-config.json"))
    #expect(config.platform == Platform(os: "linux", architecture: "amd64"))
    #expect(config.created == "2024-05-13T18:32:56.512735904Z")
    #expect(config.rootfs.type == "layers")
    #expect(config.rootfs.diffIDs.count == 2)
    #expect(config.config?.entrypoint == ["/agnhost"])
    #expect(config.config?.cmd == nil)  // null in the file
    #expect(config.config?.user == "65532")
    #expect(config.config?.labels?["org.opencontainers.image.source"]
        == "https://github.com/kubernetes/kubernetes")
}

@Test func imageConfigWithoutExecutionDefaults() throws {
    let json = #"""
        {"architecture":"arm64","variant":"v8","os":"linux","os.version":"",
         "rootfs":{"type":"layers","diff_ids":[]},"extra":{"x":1}}
        """#
    let config = try JSONDecoder().decode(ImageConfig.self, from: Data(json.utf8))
    #expect(config.config == nil)
    #expect(config.platform.description == "linux/arm64/v8")
    #expect(config.osVersion == "")
}

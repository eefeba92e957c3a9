import Foundation
import OCI
import Testing

@testable import Registry

/// Images a real registry accepts and serves but whose manifests lie or nest without end: `bundle`
/// and `mirror` refuse each with an error naming the image, before downloading what the lie covers,
/// and leave nothing behind. (Distribution checks that referenced blobs exist, not their sizes.)
@Suite struct HostileImageTests {
    let registry: TestRegistry
    let repository = TestRegistry.uniqueRepository("hostile")
    let directory: String

    init() throws {
        registry = try TestRegistry.plain()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-hostile-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    private func bundle(_ reference: String, _ extra: [String] = []) throws -> AirgapBinary.Result {
        try AirgapBinary.run(["bundle", reference, "--tls-verify=false", "-q", "--cache", directory + "/cache", "-o", directory + "/images.tar"] + extra)
    }

    /// `reference: nil` for blob errors: they name the blob, not the image that lists it.
    private func expectRefused(_ result: AirgapBinary.Result, mentioning message: String, reference: String?) throws {
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: \(reference ?? "")"), "stderr: \(result.stderr)")
        #expect(result.stderr.contains(message), "stderr: \(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0 != "cache" }.isEmpty, "nothing beside the output")
        #expect(try CacheAudit.unverifiedBlobs(in: directory + "/cache").isEmpty)
    }

    /// GET requests for blobs of this test's repository, from the registry's access log.
    private func blobGets() throws -> [String] {
        try registry.accessLog(containing: "/v2/\(repository)/blobs/").filter { $0.contains("\"GET ") }
    }

    @Test(arguments: [
        ("-1", "negative size (-1)"),
        ("4611686018427387904", "declares 4611686018427387904 bytes, over airgap's limit"),
    ])
    func aLayerSizeThatIsNegativeOrAbsurdIsRefusedBeforeAnyDownload(size: String, message: String) async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let image = try await registry.pushImage(repository: repository, tag: "base", layers: [TestRegistry.randomData(5000)])
        let lying = try await registry.putManifest(
            image.manifestJSON(layerSize: size), mediaType: .ociImageManifest, repository: repository, reference: "lying")
        try expectRefused(try bundle(lying.description), mentioning: message, reference: lying.description)
        #expect(try blobGets().isEmpty, "no blob was requested")
    }

    @Test func aLayerLongerThanItsDescriptorIsCutOffAndDiscarded() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let image = try await registry.pushImage(repository: repository, tag: "base", layers: [TestRegistry.randomData(300_000)])
        let declared = image.layers[0].size - 1000
        let short = try await registry.putManifest(
            image.manifestJSON(layerSize: "\(declared)"), mediaType: .ociImageManifest, repository: repository, reference: "short")
        try expectRefused(
            try bundle(short.description), mentioning: "blob \(image.layers[0].digest) of \(registry.host)/\(repository): received \(image.layers[0].size) bytes, expected \(declared)",
            reference: nil)
        // The config's download may be cut short too, and its partial kept to resume: only the layer's must go.
        let partials = try FileManager.default.contentsOfDirectory(atPath: directory + "/cache/ingest")
        #expect(!partials.contains { $0.hasPrefix(image.layers[0].digest.encoded) }, "no partial of the refused layer: \(partials)")
    }

    @Test(arguments: [[String](), ["--all-platforms"]])
    func indexesNestedFiftyDeepAreRefused(_ extra: [String]) async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let image = try await registry.pushImage(repository: repository, tag: "base", layers: [TestRegistry.randomData(1000)])
        var child = image.manifest
        for level in 1...50 {
            let index = IndexJSON.listing([child])
            child = try await registry.putManifestDescriptor(
                index, mediaType: .ociImageIndex, repository: repository, reference: level == 50 ? "deep" : nil)
        }
        let deep = "\(registry.host)/\(repository):deep"
        try expectRefused(try bundle(deep, extra), mentioning: "image indexes nest more than 4 deep", reference: deep)

        let mirror = try AirgapBinary.run(["mirror", deep, "\(registry.host)/mirrored-\(UUID().uuidString.lowercased().prefix(8))", "--tls-verify=false", "--cache", directory + "/cache"])
        #expect(mirror.status == 1)
        #expect(mirror.stderr.contains("image indexes nest more than 4 deep"), "stderr: \(mirror.stderr)")
    }

    @Test func anIndexListingOneManifestTwiceIsBundledAndMirroredWhole() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let image = try await registry.pushImage(repository: repository, tag: "base", layers: [TestRegistry.randomData(1000)])
        let index = IndexJSON.listing([image.manifest, image.manifest], platforms: ["linux/amd64", "linux/arm64"])
        let twice = try await registry.putManifest(index, mediaType: .ociImageIndex, repository: repository, reference: "twice")

        let bundled = try bundle(twice.description, ["--all-platforms"])
        #expect(bundled.status == 0, "stderr: \(bundled.stderr)")
        let verify = try AirgapBinary.run(["verify", directory + "/images.tar"])
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")

        let prefix = "mirrored-\(UUID().uuidString.lowercased().prefix(8))"
        let mirror = try AirgapBinary.run(["mirror", twice.description, "\(registry.host)/\(prefix)", "--tls-verify=false", "--cache", directory + "/cache"])
        #expect(mirror.status == 0, "stderr: \(mirror.stderr)")
        let client = RegistryClient(endpoint: RegistryEndpoint(host: registry.host, usesPlainHTTP: true))
        let copied = try await client.resolve(try ImageReference("\(registry.host)/\(prefix)/\(repository):twice"))
        #expect(copied.digest == Digest.compute(of: index))
    }

    @Test(arguments: [
        (Int64(5 << 20), "over the 4194304-byte limit for manifests; nothing was downloaded"),
        (Int64(12), "but was declared as 12"),
    ])
    func anIndexEntryLyingAboutItsManifestSizeIsRefused(size: Int64, message: String) async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let image = try await registry.pushImage(repository: repository, tag: "base", layers: [TestRegistry.randomData(1000)])
        var lying = image.manifest
        lying.size = size
        let index = try await registry.putManifest(IndexJSON.listing([lying]), mediaType: .ociImageIndex, repository: repository, reference: "lying")
        try expectRefused(try bundle(index.description), mentioning: message, reference: index.description)
        if size > ManifestDocument.sizeLimit {
            let gets = try registry.accessLog(containing: "/v2/\(repository)/manifests/\(image.manifest.digest)").filter { $0.contains("\"GET ") }
            #expect(gets.isEmpty, "the oversized manifest was never requested")
        }
    }
}

/// OCI index JSON listing `children`, each with a platform.
enum IndexJSON {
    static func listing(_ children: [Descriptor], platforms: [String]? = nil) -> Data {
        let entries = children.enumerated().map { offset, child in
            let parts = (platforms?[offset] ?? "linux/amd64").split(separator: "/")
            return #"{"mediaType":"\#(child.mediaType)","digest":"\#(child.digest)","size":\#(child.size),"platform":{"os":"\#(parts[0])","architecture":"\#(parts[1])"}}"#
        }
        return Data(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[\#(entries.joined(separator: ","))]}"#.utf8)
    }
}

extension TestRegistry.PushedImage {
    /// This image's manifest again, with every layer declaring `layerSize` (verbatim JSON).
    func manifestJSON(layerSize: String) -> Data {
        let layerJSON = layers.map { #"{"mediaType":"\#($0.mediaType)","digest":"\#($0.digest)","size":\#(layerSize)}"# }
        return Data(#"""
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\#(config.digest)","size":\#(config.size)},"layers":[\#(layerJSON.joined(separator: ","))]}
            """#.utf8)
    }
}

extension TestRegistry {
    /// PUTs manifest bytes as they are, under a tag; returns the tagged reference.
    func putManifest(_ bytes: Data, mediaType: MediaType, repository: String, reference tag: String) async throws -> ImageReference {
        _ = try await putManifestDescriptor(bytes, mediaType: mediaType, repository: repository, reference: tag)
        return try ImageReference("\(host)/\(repository):\(tag)")
    }

    /// PUTs manifest bytes under `tag`, or by digest when `tag` is nil; returns their descriptor.
    func putManifestDescriptor(_ bytes: Data, mediaType: MediaType, repository: String, reference tag: String?) async throws -> Descriptor {
        let digest = Digest.compute(of: bytes)
        let put = HTTPRequest(
            method: .put, url: URL(string: "http://\(host)/v2/\(repository)/manifests/\(tag ?? digest.description)")!,
            headers: ["Content-Type": mediaType.rawValue], body: .bytes(bytes), allowsPlainHTTP: true)
        let response = try await transport.send(put)
        #expect(response.status == 201, "manifest PUT: \(String(decoding: response.errorBody, as: UTF8.self))")
        return Descriptor(mediaType: mediaType, digest: digest, size: Int64(bytes.count))
    }
}

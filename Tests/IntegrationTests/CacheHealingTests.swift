import Archive
import Foundation
import OCI
import Registry
import Testing

/// Issue 13, items 1–5 and 12: nothing from the cache is trusted unverified, a damaged entry is
/// evicted and fetched again in the same run, a partial download can never wedge the cache, and a
/// bundle refuses what loaders cannot load. Through the binary, against the plain test registry
/// (behind a fault proxy where the requests it sends are the point).
@Suite struct CacheHealingTests {
    let registry: TestRegistry
    let directory: String

    init() throws {
        registry = try TestRegistry.plain()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-heal-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    private var cache: String { directory + "/cache" }

    private func blobFile(_ digest: Digest) -> String { "\(cache)/blobs/sha256/\(digest.encoded)" }

    private func bundle(_ reference: String, through host: String? = nil, output: String = "images.tar") throws -> AirgapBinary.Result {
        var arguments = ["bundle", reference, "--tls-verify=false", "--cache", cache, "-o", "\(directory)/\(output)"]
        if let host { arguments += ["--mirror", "\(registry.host)=\(host)"] }
        return try AirgapBinary.run(arguments)
    }

    private func mirror(_ source: String, to destination: String) throws -> AirgapBinary.Result {
        try AirgapBinary.run(["mirror", source, destination, "--tls-verify=false", "--cache", cache])
    }

    /// Flips one byte in the middle of a file, keeping its size.
    private func damage(_ path: String) throws {
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size / 2)
        let byte = try handle.read(upToCount: 1) ?? Data([0])
        try handle.seek(toOffset: size / 2)
        try handle.write(contentsOf: Data([byte[0] ^ 0xFF]))
    }

    private func destinationDigest(_ reference: String) async throws -> Digest? {
        let parsed = try ImageReference(reference)
        return try await RegistryClient(endpoint: RegistryEndpoint(host: parsed.domain, usesPlainHTTP: true)).existingManifest(parsed)?.digest
    }

    // MARK: - Item 1

    @Test(arguments: [false, true])
    func aChangedCachedManifestIsNeverPushed(byDigest: Bool) async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let image = try await registry.pushImage(repository: TestRegistry.uniqueRepository("heal-manifest"), tag: "v1", layers: [TestRegistry.randomData(2_000)])
        let source = byDigest ? "\(image.reference.name)@\(image.manifest.digest)" : image.reference.description
        let first = try mirror(source, to: "\(registry.host)/\(TestRegistry.uniqueRepository("heal-dest-a"))")
        #expect(first.status == 0, "\(first.stderr)")

        // Still valid JSON, still decodes, no longer its digest.
        let path = blobFile(image.manifest.digest)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        try (original + Data("\n".utf8)).write(to: URL(fileURLWithPath: path))

        let destination = "\(registry.host)/\(TestRegistry.uniqueRepository("heal-dest-b")):v1"
        let second = try mirror(source, to: destination)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try await destinationDigest(destination) == image.manifest.digest, "the source's digest, not the changed copy's")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == original, "the damaged entry was replaced by the registry's bytes")
        #expect(try CacheAudit.unverifiedBlobs(in: cache).isEmpty)
    }

    // MARK: - Item 2

    @Test func aDamagedCachedBlobIsFetchedAgainAndMirroredRight() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let image = try await registry.pushImage(repository: TestRegistry.uniqueRepository("heal-blob"), tag: "v1", layers: [TestRegistry.randomData(300_000)])
        let first = try mirror(image.reference.description, to: "\(registry.host)/\(TestRegistry.uniqueRepository("heal-dest-a"))")
        #expect(first.status == 0, "\(first.stderr)")
        try damage(blobFile(image.layers[0].digest))

        let destination = "\(registry.host)/\(TestRegistry.uniqueRepository("heal-dest-b")):v1"
        let second = try mirror(image.reference.description, to: destination)
        #expect(second.status == 0, "the run heals itself: \(second.stderr)")
        #expect(second.stderr.contains("damaged copy of blob \(image.layers[0].digest)"), "\(second.stderr)")
        #expect(try await destinationDigest(destination) == image.manifest.digest)
        #expect(try CacheAudit.unverifiedBlobs(in: cache).isEmpty, "the damaged entry was evicted and replaced")
        // And a third run needs nothing fixed.
        let third = try mirror(image.reference.description, to: "\(registry.host)/\(TestRegistry.uniqueRepository("heal-dest-c"))")
        #expect(third.status == 0 && !third.stderr.contains("damaged"), "\(third.stderr)")
    }

    // MARK: - Item 3

    @Test func aDamagedCachedBlobIsFetchedAgainAndTheBundleSucceeds() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let image = try await registry.pushImage(repository: TestRegistry.uniqueRepository("heal-bundle"), tag: "v1", layers: [TestRegistry.randomData(300_000)])
        #expect(try bundle(image.reference.description, output: "first.tar").status == 0)
        try damage(blobFile(image.layers[0].digest))

        let second = try bundle(image.reference.description, output: "second.tar")
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("the cache held a damaged copy"), "says what happened: \(second.stderr)")
        #expect(!second.stderr.contains("the registry sent"), "nothing the registry sent was wrong")
        let verify = try AirgapBinary.run(["verify", "\(directory)/second.tar"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(try CacheAudit.unverifiedBlobs(in: cache).isEmpty)
    }

    // MARK: - Item 4

    /// A download cut after its last byte left a partial as long as the blob: it is verified and
    /// committed without a request (today it asked for `bytes=SIZE-`, got 416, and failed forever).
    @Test func aCompletePartialIsVerifiedAndKeptWithoutARequest() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let payload = TestRegistry.randomData(200_000)
        let image = try await registry.pushImage(repository: TestRegistry.uniqueRepository("heal-partial"), tag: "v1", layers: [payload])
        let proxy = try FaultProxy(upstream: registry.host)
        defer { proxy.stop() }
        try FileManager.default.createDirectory(atPath: cache + "/ingest", withIntermediateDirectories: true)
        try payload.write(to: URL(fileURLWithPath: "\(cache)/ingest/\(image.layers[0].digest.encoded).partial"))

        let result = try bundle(image.reference.description, through: proxy.host)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try proxy.blobRequests(image.layers[0].digest).isEmpty, "no request for a blob already whole:\n\(proxy.logText())")
        #expect(FileManager.default.fileExists(atPath: blobFile(image.layers[0].digest)))
    }

    @Test func aCompletePartialThatDoesNotVerifyIsFetchedFromTheStart() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let image = try await registry.pushImage(repository: TestRegistry.uniqueRepository("heal-partial"), tag: "v1", layers: [TestRegistry.randomData(200_000)])
        let proxy = try FaultProxy(upstream: registry.host)
        defer { proxy.stop() }
        try FileManager.default.createDirectory(atPath: cache + "/ingest", withIntermediateDirectories: true)
        try TestRegistry.randomData(200_000).write(to: URL(fileURLWithPath: "\(cache)/ingest/\(image.layers[0].digest.encoded).partial"))

        let result = try bundle(image.reference.description, through: proxy.host)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try proxy.blobRequests(image.layers[0].digest).map(\.range) == [nil], "one GET, from the start:\n\(proxy.logText())")
    }

    @Test func a416ToAResumeStartsOverInsteadOfFailingForever() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let payload = TestRegistry.randomData(200_000)
        let image = try await registry.pushImage(repository: TestRegistry.uniqueRepository("heal-416"), tag: "v1", layers: [payload])
        let layer = image.layers[0].digest
        let proxy = try FaultProxy(upstream: registry.host, rules: [.init("GET", "/blobs/\(layer)", "status", times: 1, status: 416)])
        defer { proxy.stop() }
        try FileManager.default.createDirectory(atPath: cache + "/ingest", withIntermediateDirectories: true)
        try payload.prefix(50_000).write(to: URL(fileURLWithPath: "\(cache)/ingest/\(layer.encoded).partial"))

        let result = try bundle(image.reference.description, through: proxy.host)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try proxy.blobRequests(layer).map(\.range) == ["bytes=50000-", nil], "\(proxy.logText())")
    }

    // MARK: - Item 5

    /// Several processes race on one blob from the start, sharing one cache: none fails, none reads
    /// a half-written blob, and the cache ends with one verified copy.
    @Test func processesRacingOnOneBlobAllSucceed() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let image = try await registry.pushImage(repository: TestRegistry.uniqueRepository("heal-race"), tag: "v1", layers: [TestRegistry.randomData(8_000_000)])
        let runs = 4
        let results = try await withThrowingTaskGroup(of: (Int, AirgapBinary.Result).self) { group in
            for index in 0..<runs {
                group.addTask { (index, try self.bundle(image.reference.description, output: "race-\(index).tar")) }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        for index in 0..<runs {
            #expect(results[index]?.status == 0, "run \(index): \(results[index]?.stderr ?? "")")
            let verify = try AirgapBinary.run(["verify", "\(directory)/race-\(index).tar"])
            #expect(verify.status == 0, "run \(index)'s archive: \(verify.stdout)")
        }
        #expect(try CacheAudit.unverifiedBlobs(in: cache).isEmpty)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: cache + "/ingest")
        #expect(leftovers.isEmpty, "no partial left behind: \(leftovers)")
    }

    // MARK: - Item 12

    /// A Helm chart (an OCI artifact whose config is not an image config) in a bundle's list is
    /// refused before anything is written, naming it and its config type; mirror copies it as is.
    @Test func anArtifactIsRefusedByBundleAndCopiedByMirror() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let repository = TestRegistry.uniqueRepository("heal-helm")
        let config = try await registry.pushBlob(Data(#"{"name":"chart","version":"1.0.0"}"#.utf8), repository: repository, mediaType: "application/vnd.cncf.helm.config.v1+json")
        let chart = try await registry.pushBlob(TestRegistry.randomData(1_000), repository: repository, mediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip")
        let manifest = Data(#"""
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.cncf.helm.config.v1+json","digest":"\#(config.digest)","size":\#(config.size)},"layers":[{"mediaType":"application/vnd.cncf.helm.chart.content.v1.tar+gzip","digest":"\#(chart.digest)","size":\#(chart.size)}]}
            """#.utf8)
        let reference = try await registry.putManifest(manifest, mediaType: .ociImageManifest, repository: repository, reference: "1.0.0")

        let refused = try bundle(reference.description)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains(reference.description) && refused.stderr.contains("application/vnd.cncf.helm.config.v1+json"), "\(refused.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0 != "cache" }.isEmpty, "nothing written")

        let destination = "\(registry.host)/\(TestRegistry.uniqueRepository("heal-helm-copy")):1.0.0"
        let copied = try mirror(reference.description, to: destination)
        #expect(copied.status == 0, "\(copied.stderr)")
        #expect(try await destinationDigest(destination) == Digest.compute(of: manifest))
    }
}

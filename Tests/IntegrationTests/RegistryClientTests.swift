import Foundation
import OCI
import TestSupport
import Testing

@testable import Registry

/// The stack end to end: resolve a tag to a manifest through libcurl against the real registry,
/// walk an index to a platform, stream a blob to a file and verify it. Digests are compared with
/// what skopeo pushed (scripts/seed-images.sh writes them down).
@Suite struct RegistryClientTests {
    private func client(_ registry: String) -> RegistryClient {
        RegistryClient(endpoint: RegistryEndpoint(host: registry, usesPlainHTTP: true))
    }

    private func reference(_ registry: String, _ name: String) throws -> ImageReference {
        try ImageReference("\(registry)/\(name)")
    }

    private func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("airgap-\(UUID().uuidString)-\(name)").path
    }

    @Test func resolvesATagWithHeadAsSkopeoPushedIt() async throws {
        let registry = try TestServers.plainRegistry()
        let descriptor = try await client(registry).resolve(try reference(registry, "library/busybox:1.29"))
        #expect(descriptor.mediaType == .ociImageIndex)
        #expect(descriptor.digest.description == (try TestServers.seededDigest(of: "library/busybox:1.29", registry: registry)))
        #expect(descriptor.size > 0)
    }

    @Test func walksAnIndexToAPlatformAndStreamsAVerifiedLayer() async throws {
        let registry = try TestServers.plainRegistry()
        let registryClient = client(registry)
        let busybox = try reference(registry, "library/busybox:1.29")

        let top = try await registryClient.fetchManifest(busybox)
        guard case .index(let index) = top.document else {
            Issue.record("busybox:1.29 should be an index, got \(top.mediaType)")
            return
        }
        #expect(top.digest.description == (try TestServers.seededDigest(of: "library/busybox:1.29", registry: registry)))
        let amd64 = try #require(index.manifest(for: .default))
        let arm64 = try #require(index.manifest(for: try Platform("linux/arm64")))
        #expect(amd64.digest != arm64.digest)

        let image = try await registryClient.fetchManifest(busybox.withDigest(amd64.digest))
        guard case .image(let manifest) = image.document else {
            Issue.record("the amd64 entry should be an image manifest")
            return
        }
        #expect(image.digest == amd64.digest)

        let layer = try #require(manifest.layers.first)
        let path = temporaryPath("layer")
        defer { unlink(path) }
        try await registryClient.download(layer, from: busybox.repository, into: try FileBlobTarget(path: path))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(Int64(bytes.count) == layer.size)
        #expect(Digest.compute(of: bytes) == layer.digest)
        // A real gzip layer, as umoci wrote it.
        #expect(bytes.prefix(2) == Data([0x1f, 0x8b]))

        let configSink = MemoryBlobTarget()
        try await registryClient.download(manifest.config, from: busybox.repository, into: configSink)
        let config = try JSONDecoder().decode(ImageConfig.self, from: configSink.data)
        #expect(config.architecture == "amd64")
        #expect(config.rootfs.diffIDs.count == manifest.layers.count)
    }

    @Test func dockerSchema2ImagesKeepTheirMediaType() async throws {
        let registry = try TestServers.plainRegistry()
        let httpd = try reference(registry, "library/httpd:2.4.38-alpine")
        let fetched = try await client(registry).fetchManifest(httpd)
        #expect(fetched.mediaType == .dockerManifest)
        #expect(fetched.digest.description == (try TestServers.seededDigest(of: "library/httpd:2.4.38-alpine", registry: registry)))
    }

    /// umoci leaves `mediaType` out of the body (OCI 1.0 allows it): the type comes from Content-Type.
    @Test func aManifestWithoutMediaTypeFieldIsTypedByItsContentType() async throws {
        let registry = try TestServers.plainRegistry()
        let tools = try reference(registry, "rhel7/support-tools:latest")
        let fetched = try await client(registry).fetchManifest(tools)
        #expect(fetched.mediaType == .ociImageManifest)
        #expect(!String(decoding: fetched.bytes, as: UTF8.self).contains("mediaType\":\"application/vnd.oci.image.manifest"))
    }

    @Test func anUnknownTagIsANotFoundWithTheRegistrysCode() async throws {
        let registry = try TestServers.plainRegistry()
        let missing = try reference(registry, "library/busybox:no-such-tag")
        let error = await #expect(throws: RegistryError.self) { _ = try await client(registry).fetchManifest(missing) }
        guard case .unexpectedStatus(let status, _, _, let subject, let errors, _) = error else {
            Issue.record("expected unexpectedStatus, got \(String(describing: error))")
            return
        }
        #expect(status == 404)
        #expect(subject.contains("busybox:no-such-tag"))
        #expect(errors.map(\.code) == ["MANIFEST_UNKNOWN"])
        #expect(error?.description.contains("(not found)") == true)
    }

    @Test func aBlobWithTheWrongDigestNeverReachesItsPath() async throws {
        let registry = try TestServers.plainRegistry()
        let busybox = try reference(registry, "library/httpd:2.4.38-alpine")
        let registryClient = client(registry)
        guard case .image(let manifest) = try await registryClient.fetchManifest(busybox).document else {
            Issue.record("httpd should be an image manifest")
            return
        }
        let layer = try #require(manifest.layers.first)
        // Ask for the real bytes but claim another digest (the config's) of the same size.
        var lying = layer
        lying.digest = manifest.config.digest
        let path = temporaryPath("corrupt")
        // The registry's real bytes under a descriptor that expects different content: the
        // download is refused and the file never appears.
        await #expect(throws: RegistryError.self) {
            try await registryClient.download(lying, from: busybox.repository, into: try FileBlobTarget(path: path))
        }
        #expect(!FileManager.default.fileExists(atPath: path))

        // Nor does a body longer than the descriptor.
        var shortened = layer
        shortened.size = layer.size - 1
        let target = temporaryPath("short")
        let error = await #expect(throws: RegistryError.self) {
            try await registryClient.download(shortened, from: busybox.repository, into: try FileBlobTarget(path: target))
        }
        #expect(error == .sizeMismatch(subject: "blob \(layer.digest) of \(registry)/\(busybox.repository)", expected: layer.size - 1, actual: layer.size))
        #expect(!FileManager.default.fileExists(atPath: target))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path)
            .filter { $0.hasPrefix((target as NSString).lastPathComponent) }
        #expect(leftovers.isEmpty)
    }

    @Test func theTLSRegistryServesTheSameImages() async throws {
        let registry = try TestServers.tlsRegistry()
        let endpoint = RegistryEndpoint(host: registry, tls: TLSConfiguration(caFile: try TestServers.caFile()))
        let descriptor = try await RegistryClient(endpoint: endpoint).resolve(try reference(registry, "pause:3.2"))
        #expect(descriptor.digest.description == (try TestServers.seededDigest(of: "pause:3.2", registry: try TestServers.plainRegistry())))
    }

    @Test func pingSeesTheV2API() async throws {
        let response = try await client(try TestServers.plainRegistry()).ping()
        #expect(response.status == 200)
    }
}

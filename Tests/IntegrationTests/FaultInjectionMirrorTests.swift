import Foundation
import OCI
import Testing

@testable import Registry

/// `airgap mirror` with testdata/fault-proxy in front of the source (faults on blob downloads) or of
/// the destination (faults on POST/PATCH/PUT uploads). Both sides are the plain test registry, the
/// destination under a prefix of the test's own; the result is checked straight at the registry.
@Suite struct FaultInjectionMirrorTests {
    struct Fault: Sendable, CustomTestStringConvertible {
        var name: String
        var fault: String
        var fires: Int
        /// Given the big layer's digest.
        var rules: @Sendable (Digest) -> [FaultProxy.Rule]
        var testDescription: String { name }
    }

    static let sourceFaults: [Fault] = [
        Fault(name: "reset mid-blob", fault: "reset", fires: 1) { [.init("GET", "/blobs/\($0)", "reset", times: 1, afterBytes: 100_000)] },
        Fault(name: "503 twice", fault: "status", fires: 2) { [.init("GET", "/blobs/\($0)", "status", times: 2, status: 503)] },
        Fault(name: "short body", fault: "short_body", fires: 1) { [.init("GET", "/blobs/\($0)", "short_body", times: 1)] },
    ]

    @Test(arguments: sourceFaults)
    func aFaultySourceIsMirroredCorrectly(_ fault: Fault) async throws {
        let (registry, image) = try await FaultInjectionTests.pushImage("fault-mirror-src")
        let layer = image.layers[0].digest
        let proxy = try FaultProxy(upstream: registry.host, rules: fault.rules(layer))
        defer { proxy.stop() }
        let directory = try FaultInjectionTests.workDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let prefix = Self.uniquePrefix()

        let result = try Self.mirror("\(proxy.host)/\(image.reference.repository):v1", to: "\(registry.host)/\(prefix)", cache: directory + "/cache")
        #expect(result.status == 0, "stderr: \(result.stderr)\nproxy log:\n\(proxy.logText())")
        try await Self.expectMirrored(image, at: "\(prefix)/\(image.reference.repository)", on: registry)
        #expect(try proxy.count(of: fault.fault) == fault.fires, "proxy log:\n\(proxy.logText())")
        if fault.fault != "status" {
            #expect(try proxy.blobRequests(layer).contains { $0.range != nil && $0.status == 206 }, "resumed with Range; proxy log:\n\(proxy.logText())")
        }
    }

    static let destinationFaults: [Fault] = [
        Fault(name: "reset during the upload PUT", fault: "reset_upload", fires: 1) {
            [.init("PUT", "/blobs/uploads/.*digest=\($0)", "reset_upload", times: 1, afterBytes: 100_000)]
        },
        // Twice: libcurl itself resends a request whose reused connection died before any answer,
        // once, on a fresh connection; the second reset reaches airgap's own retry.
        Fault(name: "reset during the upload PUT, twice", fault: "reset_upload", fires: 2) {
            [.init("PUT", "/blobs/uploads/.*digest=\($0)", "reset_upload", times: 2, afterBytes: 100_000)]
        },
        Fault(name: "503 on the upload PUT, twice", fault: "status", fires: 2) {
            [.init("PUT", "/blobs/uploads/.*digest=\($0)", "status", times: 2, status: 503)]
        },
        Fault(name: "502 on opening the upload session", fault: "status", fires: 1) {
            _ in [.init("POST", "/blobs/uploads/$", "status", times: 1, status: 502)]
        },
        Fault(name: "503 on the manifest PUT", fault: "status", fires: 1) {
            _ in [.init("PUT", "/manifests/", "status", times: 1, status: 503)]
        },
    ]

    @Test(arguments: destinationFaults)
    func aFaultyDestinationEndsWithTheSourceDigests(_ fault: Fault) async throws {
        let (registry, image) = try await FaultInjectionTests.pushImage("fault-mirror-dst")
        let proxy = try FaultProxy(upstream: registry.host, rules: fault.rules(image.layers[0].digest))
        defer { proxy.stop() }
        let directory = try FaultInjectionTests.workDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let prefix = Self.uniquePrefix()

        let result = try Self.mirror(image.reference.description, to: "\(proxy.host)/\(prefix)", cache: directory + "/cache")
        #expect(result.status == 0, "stderr: \(result.stderr)\nproxy log:\n\(proxy.logText())")
        try await Self.expectMirrored(image, at: "\(prefix)/\(image.reference.repository)", on: registry)
        #expect(try proxy.count(of: fault.fault) == fault.fires, "proxy log:\n\(proxy.logText())")
        try Self.expectFreshSessionAfterEachFailedUpload(proxy)
    }

    @Test func anArchivePushSurvivesAResetUpload() async throws {
        let (registry, image) = try await FaultInjectionTests.pushImage("fault-mirror-from")
        let directory = try FaultInjectionTests.workDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let archive = directory + "/images.tar"
        let bundled = try AirgapBinary.run(["bundle", image.reference.description, "--tls-verify=false", "-q", "--cache", directory + "/cache", "-o", archive])
        #expect(bundled.status == 0, "stderr: \(bundled.stderr)")
        let layer = image.layers[0].digest
        let proxy = try FaultProxy(upstream: registry.host, rules: [
            .init("PUT", "/blobs/uploads/.*digest=\(layer)", "reset_upload", times: 1, afterBytes: 100_000),
            .init("PUT", "/blobs/uploads/.*digest=\(layer)", "status", times: 1, status: 503),
        ])
        defer { proxy.stop() }
        let prefix = Self.uniquePrefix()

        let result = try AirgapBinary.run(["mirror", "--from", archive, "--to", "\(proxy.host)/\(prefix)", "--tls-verify=false", "-q", "--cache", directory + "/cache"])
        #expect(result.status == 0, "stderr: \(result.stderr)\nproxy log:\n\(proxy.logText())")
        // The archive names the image by its source reference, whose path is kept under the prefix.
        try await Self.expectMirrored(image, at: "\(prefix)/\(image.reference.repository)", on: registry)
        #expect(try proxy.count(of: "reset_upload") == 1 && proxy.count(of: "status") == 1, "proxy log:\n\(proxy.logText())")
        try Self.expectFreshSessionAfterEachFailedUpload(proxy)
    }

    @Test func aResetDuringTheStreamedPatchOfABigBlobStartsANewSession() async throws {
        // Past RegistryClient.monolithicUploadLimit a blob goes as POST + PATCH + PUT.
        let registry = try TestRegistry.plain()
        let repository = TestRegistry.uniqueRepository("fault-mirror-patch")
        let chunk = TestRegistry.randomData(1 << 20)
        var big = Data()
        for _ in 0...(RegistryClient.monolithicUploadLimit >> 20) { big.append(chunk) }
        let image = try await registry.pushImage(repository: repository, tag: "v1", layers: [big])
        let proxy = try FaultProxy(upstream: registry.host, rules: [.init("PATCH", "/blobs/uploads/", "reset_upload", times: 1, afterBytes: 5 << 20)])
        defer { proxy.stop() }
        let directory = try FaultInjectionTests.workDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let prefix = Self.uniquePrefix()

        let result = try Self.mirror(image.reference.description, to: "\(proxy.host)/\(prefix)", cache: directory + "/cache")
        #expect(result.status == 0, "stderr: \(result.stderr)\nproxy log:\n\(proxy.logText())")
        try await Self.expectMirrored(image, at: "\(prefix)/\(repository)", on: registry)
        #expect(try proxy.count(of: "reset_upload") == 1, "proxy log:\n\(proxy.logText())")
        #expect(try proxy.requests().filter { $0.method == "PATCH" && $0.status == 202 }.count == 1, "one complete PATCH after the reset one")
        try Self.expectFreshSessionAfterEachFailedUpload(proxy)
    }

    @Test func aFlippedSourceByteNeverReachesTheDestination() async throws {
        let (registry, image) = try await FaultInjectionTests.pushImage("fault-mirror-flip")
        let layer = image.layers[0].digest
        let proxy = try FaultProxy(upstream: registry.host, rules: [.init("GET", "/blobs/\(layer)", "flip_byte", times: 1, offset: 4321)])
        defer { proxy.stop() }
        let directory = try FaultInjectionTests.workDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let prefix = Self.uniquePrefix()
        let source = "\(proxy.host)/\(image.reference.repository):v1"

        let failed = try Self.mirror(source, to: "\(registry.host)/\(prefix)", cache: directory + "/cache")
        #expect(failed.status == 1)
        #expect(failed.stderr.contains(layer.description), "the error names the blob: \(failed.stderr)")
        #expect(try proxy.count(of: "flip_byte") == 1)
        let client = RegistryClient(endpoint: RegistryEndpoint(host: registry.host, usesPlainHTTP: true))
        let destination = try ImageReference("\(registry.host)/\(prefix)/\(image.reference.repository):v1")
        #expect(try await !client.hasBlob(layer, in: destination.repository), "HEAD at the destination: 404")
        #expect(try await client.existingManifest(destination) == nil)
        #expect(try FaultInjectionTests.unverifiedCacheFiles(directory + "/cache").isEmpty)

        let rerun = try Self.mirror(source, to: "\(registry.host)/\(prefix)", cache: directory + "/cache")
        #expect(rerun.status == 0, "stderr: \(rerun.stderr)")
        try await Self.expectMirrored(image, at: "\(prefix)/\(image.reference.repository)", on: registry)
    }
}

// MARK: - Helpers

extension FaultInjectionMirrorTests {
    static func uniquePrefix() -> String { "faults-\(UUID().uuidString.lowercased().prefix(8))" }

    static func mirror(_ source: String, to destination: String, cache: String) throws -> AirgapBinary.Result {
        try AirgapBinary.run(["mirror", source, destination, "--tls-verify=false", "-q", "--cache", cache])
    }

    /// Straight at the registry (no proxy): the manifest under the tag has the source's digest and
    /// the repository holds every blob.
    static func expectMirrored(_ image: TestRegistry.PushedImage, at repository: String, on registry: TestRegistry) async throws {
        let client = RegistryClient(endpoint: RegistryEndpoint(host: registry.host, usesPlainHTTP: true))
        let reference = try ImageReference("\(registry.host)/\(repository):v1")
        #expect(try await client.existingManifest(reference)?.digest == image.manifest.digest, "\(reference) has the source's digest")
        for blob in [image.config] + image.layers {
            #expect(try await client.hasBlob(blob.digest, in: reference.repository), "\(reference) has blob \(blob.digest)")
        }
    }

    /// Every upload request that failed was followed by a new session (a new `POST`), never by a
    /// retry into the session that saw the failure.
    static func expectFreshSessionAfterEachFailedUpload(_ proxy: FaultProxy) throws {
        let requests = try proxy.requests()
        let uploads = requests.filter { ($0.method == "PUT" || $0.method == "PATCH") && $0.path.contains("/blobs/uploads/") }
        for failed in uploads where failed.status.map({ $0 >= 300 }) ?? true {
            let session = String(failed.path.prefix { $0 != "?" })
            let later = uploads.filter { String($0.path.prefix { $0 != "?" }) == session && $0.status.map({ $0 < 300 }) == true }
            #expect(later.isEmpty, "session \(session) failed and was used again; proxy log:\n\(proxy.logText())")
        }
    }
}

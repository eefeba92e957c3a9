import Archive
import Foundation
import OCI
import Testing

@testable import Registry

/// `airgap bundle` through testdata/fault-proxy in front of the real registry: each transient fault
/// is survived (the archive verifies and holds the pushed image), damaged bytes never reach the
/// cache or the archive, persistent faults end in a clear error after a bounded number of tries, and
/// a registry that goes away mid-run costs a rerun only the blobs it had not delivered.
@Suite struct FaultInjectionTests {
    /// What a rule is aimed at: the test's own image.
    struct Target: Sendable {
        var repository: String
        var layer: Digest
        var blobPath: String { "/blobs/\(layer)" }
    }

    /// A transient fault, what must have fired, and whether the download must have resumed.
    struct TransientFault: Sendable, CustomTestStringConvertible {
        var name: String
        var fault: String
        var fires: Int
        /// The `Range` the first retry must ask for (`bytes=N-`), when the fault cut a body.
        var resumesAt: Int?
        var rules: @Sendable (Target) -> [FaultProxy.Rule]
        var testDescription: String { name }
    }

    static let layerSize = 400_000

    static let transientFaults: [TransientFault] = [
        TransientFault(name: "reset mid-blob, twice", fault: "reset", fires: 2, resumesAt: 100_000) {
            [.init("GET", $0.blobPath, "reset", times: 2, afterBytes: 100_000)]
        },
        TransientFault(name: "500 on the blob, twice", fault: "status", fires: 2) {
            [.init("GET", $0.blobPath, "status", times: 2, status: 500)]
        },
        TransientFault(name: "502 on the blob, twice", fault: "status", fires: 2) {
            [.init("GET", $0.blobPath, "status", times: 2, status: 502)]
        },
        TransientFault(name: "503 on the manifest, twice", fault: "status", fires: 2) {
            [.init("GET|HEAD", "/\($0.repository)/manifests/", "status", times: 2, status: 503)]
        },
        TransientFault(name: "429 with Retry-After: 1 on the blob", fault: "status", fires: 1) {
            [.init("GET", $0.blobPath, "status", times: 1, status: 429, headers: ["Retry-After": "1"])]
        },
        TransientFault(name: "a body shorter than its Content-Length", fault: "short_body", fires: 1, resumesAt: 150_000) {
            [.init("GET", $0.blobPath, "short_body", times: 1, afterBytes: 150_000)]
        },
        // A stall that a middlebox ends after 2 s: the 60 s stall timeout itself has no knob (see report).
        TransientFault(name: "a stall, then the connection drops", fault: "stall", fires: 1, resumesAt: 100_000) {
            [.init("GET", $0.blobPath, "stall", times: 1, afterBytes: 100_000, seconds: 2)]
        },
    ]

    @Test(arguments: transientFaults)
    func bundleSurvivesATransientFault(_ fault: TransientFault) async throws {
        let (registry, image) = try await Self.pushImage("fault-bundle")
        let target = Target(repository: image.reference.repository.value, layer: image.layers[0].digest)
        let proxy = try FaultProxy(upstream: registry.host, rules: fault.rules(target))
        defer { proxy.stop() }
        let directory = try Self.workDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let result = try Self.bundle(image, through: proxy, in: directory)
        #expect(result.status == 0, "stderr: \(result.stderr)\nproxy log:\n\(proxy.logText())")
        try Self.expectSound(directory + "/images.tar", holding: image)
        #expect(try proxy.count(of: fault.fault) == fault.fires, "proxy log:\n\(proxy.logText())")
        if let start = fault.resumesAt {
            // A reset (RST) discards what the client had not read yet, so the retry may start
            // before the byte the proxy stopped at; never at 0 and never past it.
            let ranges = try proxy.blobRequests(target.layer).compactMap(\.range)
            let resumed = ranges.first.flatMap { Int($0.dropFirst("bytes=".count).dropLast()) }
            #expect(resumed.map { $0 > 0 && $0 <= start } == true, "the retry resumes from what arrived of the cut body (\(ranges)); proxy log:\n\(proxy.logText())")
            #expect(try proxy.blobRequests(target.layer).last?.status == 206)
        }
        #expect(try Self.unverifiedCacheFiles(directory + "/cache").isEmpty)
    }

    @Test func anExpiredTokenIsRenewedAndTheBlobFetchedAgain() async throws {
        // The token registry answers an expired token with 401 invalid_token and a fresh challenge;
        // the proxy plays that registry for the first blob GET, with the challenge it really sends.
        let upstream = try TestServers.value("AIRGAP_TEST_REGISTRY_TOKEN")
        let realm = try TestServers.value("AIRGAP_TEST_TOKEN_REALM")
        let service = try TestServers.value("AIRGAP_TEST_TOKEN_SERVICE")
        let challenge = #"Bearer realm="\#(realm)",service="\#(service)",scope="repository:library/nginx:pull",error="invalid_token""#
        let proxy = try FaultProxy(upstream: upstream, rules: [
            .init("GET", "/blobs/sha256:", "status", times: 1, status: 401, headers: ["WWW-Authenticate": challenge])
        ])
        defer { proxy.stop() }
        let directory = try Self.workDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let result = try AirgapBinary.run([
            "bundle", "\(proxy.host)/library/nginx:1.14-alpine", "--tls-verify=false", "-q",
            // Not "reader": AuthTests counts reader's token requests for this very scope.
            "--creds", "writer:\(try TestServers.value("AIRGAP_TEST_TOKEN_WRITER_PASSWORD"))",
            "--cache", directory + "/cache", "-o", directory + "/images.tar",
        ])
        #expect(result.status == 0, "stderr: \(result.stderr)\nproxy log:\n\(proxy.logText())")
        let verify = try AirgapBinary.run(["verify", directory + "/images.tar"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        let requests = try proxy.requests()
        let expired = try #require(requests.first { $0.fault == "status" }, "the 401 fired; proxy log:\n\(proxy.logText())")
        #expect(requests.contains { $0.path == expired.path && $0.status == 200 }, "the same blob was fetched again with a new token")
    }

    @Test func aFlippedByteNeverEntersTheCacheOrTheArchive() async throws {
        let (registry, image) = try await Self.pushImage("fault-flip")
        let layer = image.layers[0]
        let proxy = try FaultProxy(upstream: registry.host, rules: [.init("GET", "/blobs/\(layer.digest)", "flip_byte", times: 1, offset: 1234)])
        defer { proxy.stop() }
        let directory = try Self.workDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let failed = try Self.bundle(image, through: proxy, in: directory)
        #expect(failed.status == 1)
        #expect(failed.stderr.contains(layer.digest.description), "the error names the blob: \(failed.stderr)")
        #expect(try proxy.count(of: "flip_byte") == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["cache"], "nothing at or beside the output path")
        #expect(!(try BlobStore(root: directory + "/cache").contains(layer)))
        // (Downloads cancelled by the failure keep their partial files to resume from; the bad one must not.)
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/cache/ingest/\(layer.digest.encoded).partial"), "no bad bytes to resume from")
        #expect(try Self.unverifiedCacheFiles(directory + "/cache").isEmpty)

        // The registry's real bytes then go through.
        let rerun = try Self.bundle(image, through: proxy, in: directory)
        #expect(rerun.status == 0, "stderr: \(rerun.stderr)")
        try Self.expectSound(directory + "/images.tar", holding: image)
    }

    struct PersistentFault: Sendable, CustomTestStringConvertible {
        var name: String
        var rule: @Sendable (Digest) -> FaultProxy.Rule
        var testDescription: String { name }
    }

    static let persistentFaults: [PersistentFault] = [
        PersistentFault(name: "always 503") { .init("GET", "/blobs/\($0)", "status", times: nil, status: 503) },
        PersistentFault(name: "always reset after 1000 bytes") { .init("GET", "/blobs/\($0)", "reset", times: nil, afterBytes: 1000) },
    ]

    @Test(arguments: persistentFaults)
    func aPersistentFaultFailsClearlyAfterBoundedTries(_ fault: PersistentFault) async throws {
        let (registry, image) = try await Self.pushImage("fault-persistent")
        let layer = image.layers[0]
        let proxy = try FaultProxy(upstream: registry.host, rules: [fault.rule(layer.digest)])
        defer { proxy.stop() }
        let directory = try Self.workDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let result = try Self.bundle(image, through: proxy, in: directory)
        #expect(result.status == 1)
        let lastLine = result.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(lastLine.hasPrefix("error: "), "stderr: \(result.stderr)")
        #expect(lastLine.contains(layer.digest.description), "the error names the blob: \(lastLine)")
        #expect(lastLine.contains(image.reference.repository.value), "and where it came from: \(lastLine)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["cache"], "nothing at or beside the output path")
        // RetryPolicy's 5 attempts, not 5 × 5 from two retry loops nested.
        let tries = try proxy.blobRequests(layer.digest).count
        #expect(tries == RetryPolicy().maxAttempts, "proxy log:\n\(proxy.logText())")
    }

    @Test func aRegistryThatGoesAwayCostsTheRerunOnlyTheMissingBlobs() async throws {
        let registry = try TestRegistry.plain()
        let repository = TestRegistry.uniqueRepository("fault-away")
        let image = try await registry.pushImage(repository: repository, tag: "v1", layers: (0..<4).map { _ in TestRegistry.randomData(50_000) })
        let blobs = [image.config] + image.layers
        // One transfer at a time, so "after the 2nd blob" is a fixed point of the run.
        let proxy = try FaultProxy(upstream: registry.host, rules: [.init("GET", "/blobs/sha256:", "go_away", skip: 2, times: 1)])
        defer { proxy.stop() }
        let directory = try Self.workDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let failed = try Self.bundle(image, through: proxy, in: directory, extra: ["--jobs", "1"])
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("error: "), "stderr: \(failed.stderr)")
        #expect(failed.stderr.contains(proxy.host), "the error names the registry: \(failed.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["cache"])
        let delivered = Set(try proxy.requests().filter { $0.method == "GET" && $0.status == 200 && $0.path.contains("/blobs/") }.map(\.path))
        #expect(delivered.count == 2, "proxy log:\n\(proxy.logText())")
        #expect(try proxy.count(of: "go_away") > 1, "the registry stayed away")

        try await proxy.setRules([])  // it is back
        let before = try proxy.requests().count
        let rerun = try Self.bundle(image, through: proxy, in: directory, extra: ["--jobs", "1"])
        #expect(rerun.status == 0, "stderr: \(rerun.stderr)")
        try Self.expectSound(directory + "/images.tar", holding: image)
        let fetchedAgain = Set(try proxy.requests().dropFirst(before).filter { $0.method == "GET" && $0.path.contains("/blobs/") }.map(\.path))
        let all = Set(blobs.map { "/v2/\(repository)/blobs/\($0.digest)" })
        #expect(fetchedAgain == all.subtracting(delivered), "only what the first run had not cached; proxy log:\n\(proxy.logText())")
    }
}

// MARK: - Helpers

extension FaultInjectionTests {
    static func workDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-faults-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A fresh image in a repository of its own: one big layer (the fault target) and a small one.
    static func pushImage(_ label: String) async throws -> (TestRegistry, TestRegistry.PushedImage) {
        let registry = try TestRegistry.plain()
        let repository = TestRegistry.uniqueRepository(label)
        let image = try await registry.pushImage(
            repository: repository, tag: "v1", layers: [TestRegistry.randomData(layerSize), TestRegistry.randomData(3000)])
        return (registry, image)
    }

    /// `airgap bundle PROXY/REPO:v1` into `directory/images.tar`, with the cache in `directory/cache`.
    static func bundle(_ image: TestRegistry.PushedImage, through proxy: FaultProxy, in directory: String, extra: [String] = []) throws -> AirgapBinary.Result {
        let name = "\(proxy.host)/\(image.reference.repository):v1"
        return try AirgapBinary.run(
            ["bundle", name, "--tls-verify=false", "-q", "--cache", directory + "/cache", "-o", directory + "/images.tar"] + extra)
    }

    /// `airgap verify` passes and the archive holds the pushed manifest and every blob, intact.
    static func expectSound(_ archive: String, holding image: TestRegistry.PushedImage) throws {
        let verify = try AirgapBinary.run(["verify", archive])
        #expect(verify.status == 0, "airgap verify: \(verify.stdout)\(verify.stderr)")
        let contents = try BundleReader(path: archive).read()
        #expect(contents.index.value?.manifests.map(\.digest) == [image.manifest.digest])
        for blob in [image.manifest, image.config] + image.layers {
            #expect(contents.blobs[blob.digest]?.isIntact == true, "blob \(blob.digest) is in the archive, intact")
        }
    }

    /// Files under the cache's `blobs/sha256/` whose content does not hash to their name.
    static func unverifiedCacheFiles(_ cache: String) throws -> [String] {
        let directory = cache + "/blobs/sha256"
        guard FileManager.default.fileExists(atPath: directory) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: directory).filter { name in
            Digest.compute(of: try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))).encoded != name
        }
    }
}

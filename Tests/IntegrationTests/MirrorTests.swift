import Archive
import Foundation
import OCI
import Testing
import Yams

@testable import Mirror
@testable import Registry

/// `mirror` between two real registries: the plain one as source, the htpasswd one as destination
/// (plain http, so `--tls-verify=false`), each test under its own destination prefix.
@Suite struct MirrorTests {
    struct Login: CredentialProvider {
        let user: String, password: String
        func credentials(forRegistry host: String, repository: String?) async throws -> ResolvedCredentials? {
            ResolvedCredentials(credentials: Credentials(username: user, password: password), source: "test login")
        }
    }

    let source: String
    let destination: String
    let login: Login
    let prefix = "mirror-\(UUID().uuidString.lowercased().prefix(8))"

    init() throws {
        source = try TestServers.plainRegistry()
        destination = try TestServers.value("AIRGAP_TEST_REGISTRY_AUTH_PLAIN")
        login = Login(user: try TestServers.value("AIRGAP_TEST_AUTH_USER"), password: try TestServers.value("AIRGAP_TEST_AUTH_PASSWORD"))
    }

    private func mirrorer(
        cache: String, platform: Platform? = nil, dryRun: Bool = false, keepBlobs: Bool = false,
        events: @escaping @Sendable (MirrorEvent) -> Void = { _ in }
    ) throws -> Mirrorer {
        let source = RegistryAccess(trust: TrustPolicy(relaxedRegistries: [self.source]))
        // Some tests push to the source registry too (a second destination).
        let destination = RegistryAccess(trust: TrustPolicy(relaxedRegistries: [self.destination, self.source]), credentials: login)
        return Mirrorer(
            source: source, destination: destination, store: try BlobStore(root: cache),
            options: MirrorOptions(platform: platform, dryRun: dryRun, keepBlobs: keepBlobs),
            events: events)
    }

    private func scratch() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-mirror-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private func pair(_ name: String) throws -> MirrorPair {
        let from = try ImageReference("\(source)/\(name)")
        return MirrorPair(source: from, destination: try MirrorDestination.resolve("\(destination)/\(prefix)", for: from))
    }

    private func destinationDigest(_ reference: ImageReference) async throws -> Digest? {
        let client = RegistryClient(endpoint: RegistryEndpoint(host: destination, usesPlainHTTP: true), credentials: login)
        return try await client.existingManifest(reference)?.digest
    }

    private func destinationLog(containing fragment: String) throws -> [String] {
        let log = try String(contentsOfFile: TestServers.stateDirectory + "/auth-plain/log", encoding: .utf8)
        return log.split(separator: "\n").map(String.init).filter { $0.contains(fragment) && !$0.hasPrefix("time=") }
    }

    @Test func aWholeIndexIsCopiedWithItsDigestThenASecondRunOnlyLooks() async throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let busybox = try pair("library/busybox:1.29")
        let first = await try mirrorer(cache: directory + "/cache").mirror([busybox])
        #expect(first.failures.isEmpty, "\(first.failures)")
        #expect(first.blobsUploaded == 5)  // two configs, the shared base layer, two own layers
        #expect(try await destinationDigest(busybox.destination)?.description == (try TestServers.seededDigest(of: "library/busybox:1.29", registry: source)))

        let before = try destinationLog(containing: "/v2/\(prefix)/").count
        let second = await try mirrorer(cache: directory + "/cache").mirror([busybox])
        #expect(second.imagesUpToDate == 1)
        #expect(second.blobsUploaded == 0)
        let requests = Array(try destinationLog(containing: "/v2/\(prefix)/").dropFirst(before))
        #expect(!requests.isEmpty && requests.allSatisfy { $0.contains("\"HEAD ") }, "\(requests)")
    }

    /// What a progress display hears: the plan, every blob of every image once, the bytes sent
    /// (adding up to what the summary reports), and each image finished after its blobs.
    @Test func progressEventsAccountForEveryBlobAndByte() async throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let images = [try pair("library/busybox:1.29"), try pair("library/nginx:1.14-alpine")]
        let heard = HeardEvents()
        let summary = await try mirrorer(cache: directory + "/cache", events: heard.add).mirror(images)
        #expect(summary.failures.isEmpty, "\(summary.failures)")

        let events = heard.all
        guard case .planned(let planned)? = events.first(where: { if case .planned = $0 { true } else { false } }) else {
            Issue.record("no plan was announced: \(events)")
            return
        }
        #expect(planned.map(\.destination) == images.map(\.destination.description))
        var sent: Int64 = 0
        var blobsDone: [Int: Set<Digest>] = [:]
        var finishedAfterBlobs: [Int: Bool] = [:]
        for event in events {
            switch event {
            case .bytesSent(_, let count): sent += count
            case .blobDone(let image, let digest, _): blobsDone[image, default: []].insert(digest)
            case .imageDone(let image, let failure):
                #expect(failure == nil)
                finishedAfterBlobs[image] = blobsDone[image] == Set(planned[image].blobs.map(\.digest))
            default: break
            }
        }
        #expect(sent == summary.bytesUploaded && sent > 0)
        #expect(finishedAfterBlobs == [0: true, 1: true])
    }

    @Test func aDigestReferenceIsCopiedByDigest() async throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let digest = try TestServers.seededDigest(of: "library/nginx:1.14-alpine", registry: source)
        let nginx = try pair("library/nginx@\(digest)")
        let summary = await try mirrorer(cache: directory + "/cache").mirror([nginx])
        #expect(summary.failures.isEmpty, "\(summary.failures)")
        #expect(nginx.destination.digest?.description == digest)
        #expect(try await destinationDigest(nginx.destination)?.description == digest)
    }

    @Test func oneRegistryMountsWhatAnotherRepositoryAlreadyHas() async throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let from = try ImageReference("\(source)/pause:3.2")
        let pairs = try ["a", "b"].map { MirrorPair(source: from, destination: try ImageReference("\(destination)/\(prefix)/\($0)/pause:3.2")) }
        let summary = await try mirrorer(cache: directory + "/cache", platform: .default).mirror(pairs)
        #expect(summary.failures.isEmpty, "\(summary.failures)")
        #expect(summary.blobsUploaded == 3)
        #expect(summary.blobsMounted == 3)
        let mounts = try destinationLog(containing: "/v2/\(prefix)/b/pause/blobs/uploads/?mount=")
        #expect(mounts.count == 3 && mounts.allSatisfy { $0.contains("\" 201 ") })
    }

    /// Two destination registries need the same blobs at once: each gets its own relay, and both
    /// end with the source's digest. With a cache asked for (`keepBlobs`), it holds each blob once,
    /// verified; without one, a relay writes nothing (the next test).
    @Test func twoRegistriesBothReceiveTheBlobsAndTheCacheKeepsThemWhenAsked() async throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let registry = try TestRegistry.plain()
        let image = try await registry.pushImage(
            repository: TestRegistry.uniqueRepository("relay-two"), tag: "v1",
            layers: [TestRegistry.randomData(3_000_000), TestRegistry.randomData(2_000_000)])
        let pairs = [
            MirrorPair(source: image.reference, destination: try ImageReference("\(destination)/\(prefix)/two:v1")),
            MirrorPair(source: image.reference, destination: try ImageReference("\(source)/\(prefix)/two:v1")),
        ]
        let summary = await try mirrorer(cache: directory + "/cache", keepBlobs: true).mirror(pairs)
        #expect(summary.failures.isEmpty, "\(summary.failures)")
        #expect(summary.blobsUploaded == 6)  // config and two layers, into each registry
        #expect(try await destinationDigest(pairs[0].destination) == image.manifest.digest)
        let plain = RegistryClient(endpoint: RegistryEndpoint(host: source, usesPlainHTTP: true))
        #expect(try await plain.existingManifest(pairs[1].destination)?.digest == image.manifest.digest)
        let store = try BlobStore(root: directory + "/cache")
        for blob in [image.config] + image.layers { #expect(store.contains(blob)) }
        #expect(try FaultInjectionTests.unverifiedCacheFiles(directory + "/cache").isEmpty)
    }

    /// By default a relay writes nothing to disk (skopeo copy writes nothing either): the blobs go
    /// from the source to the destination through memory, and the cache is left as it was.
    @Test func aRelayWritesNoBlobToTheCacheUnlessAsked() async throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let registry = try TestRegistry.plain()
        let image = try await registry.pushImage(
            repository: TestRegistry.uniqueRepository("relay-memory"), tag: "v1", layers: [TestRegistry.randomData(6_000_000)])
        let pair = MirrorPair(source: image.reference, destination: try ImageReference("\(destination)/\(prefix)/memory:v1"))
        let summary = await try mirrorer(cache: directory + "/cache").mirror([pair])
        #expect(summary.failures.isEmpty, "\(summary.failures)")
        #expect(try await destinationDigest(pair.destination) == image.manifest.digest)
        let store = try BlobStore(root: directory + "/cache")
        for blob in [image.config] + image.layers { #expect(!store.contains(blob), "blob \(blob.digest) was written to the cache") }
        let ingest = try FileManager.default.contentsOfDirectory(atPath: directory + "/cache/ingest")
        #expect(ingest.isEmpty, "nor a partial: \(ingest)")
    }

    @Test func anArchiveIsPushedWithTheDigestsItHolds() async throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let names = ["library/httpd:2.4.38-alpine", "library/busybox:1.29"]
        let access = RegistryAccess(trust: TrustPolicy(relaxedRegistries: [source]))
        let bundler = Bundler(access: access, store: try BlobStore(root: directory + "/cache"), options: BundleOptions(platform: nil))
        _ = try await bundler.bundle(try names.map { try ImageReference("\(source)/\($0)") }, to: directory + "/images.tar")

        let summary = try await mirrorer(cache: directory + "/cache").mirror(archive: directory + "/images.tar", to: "\(destination)/\(prefix)")
        #expect(summary.failures.isEmpty, "\(summary.failures)")
        for name in names {
            let pushed = try ImageReference("\(destination)/\(prefix)/\(name)")
            let inspection = try Skopeo.inspect("docker://\(pushed)", arguments: ["--tls-verify=false", "--creds", "\(login.user):\(login.password)"])
            #expect(inspection.rawDigest.description == (try TestServers.seededDigest(of: name, registry: source)), "\(name) at the destination")
        }
    }

    @Test func aFailingImageIsReportedAndTheOthersStillCopy() async throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let summary = await try mirrorer(cache: directory + "/cache").mirror([try pair("library/no-such-image:1"), try pair("pause:3.2")])
        // One outcome per pair, in the order asked: the failure first, typed, then the copy.
        #expect(summary.outcomes.map(\.source) == [try pair("library/no-such-image:1").source, try pair("pause:3.2").source])
        #expect(summary.failures.count == 1)
        #expect(summary.outcomes.first?.error is ResolveError)
        #expect(summary.failures.first.map { "\($0.error!)" }?.contains("no-such-image") == true)
        #expect(summary.mirrored.count == 1)
        guard case .success(let copied)? = summary.outcomes.last?.result else {
            Issue.record("pause:3.2 should have been copied: \(String(describing: summary.outcomes.last?.error))")
            return
        }
        #expect(copied.digest.description == (try TestServers.seededDigest(of: "pause:3.2", registry: source)))
    }

    @Test func aDestinationWithoutPushRightsIsUnauthorized() async throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let access = RegistryAccess(trust: TrustPolicy(relaxedRegistries: [source, destination]))
        let summary = await Mirrorer(source: access, destination: access, store: try BlobStore(root: directory + "/cache"), options: MirrorOptions())
            .mirror([try pair("pause:3.2")])
        #expect(summary.failures.count == 1)
        guard case .unauthorized? = summary.failures.first?.error as? RegistryError else {
            Issue.record("expected unauthorized, got \(String(describing: summary.failures.first?.error))")
            return
        }
    }

    @Test func dryRunWritesNothing() async throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pause = try pair("pause:3.2")
        let summary = try await mirrorer(cache: directory + "/cache", dryRun: true).mirror([pause])
        #expect(summary.failures.isEmpty)
        #expect(summary.blobsUploaded > 0)
        #expect(try await destinationDigest(pause.destination) == nil)
    }
}

/// The commands around mirroring, through the binary.
@Suite struct MirrorCommandTests {
    @Test func supportToolsMirrorsTheSeedsImageAndPrintsTheOcDebugLine() throws {
        let source = try TestServers.plainRegistry()
        let destination = try TestServers.value("AIRGAP_TEST_REGISTRY_AUTH_PLAIN")
        let prefix = "st-\(UUID().uuidString.lowercased().prefix(8))"
        let credentials = "\(try TestServers.value("AIRGAP_TEST_AUTH_USER")):\(try TestServers.value("AIRGAP_TEST_AUTH_PASSWORD"))"
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-st-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let result = try AirgapBinary.run([
            "support-tools", "--to", "\(destination)/\(prefix)", "--mirror", "registry.redhat.io=\(source)",
            "--dest-creds", credentials, "--tls-verify=false", "--cache", cache,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("export TOOLSIMAGE=\"\(destination)/\(prefix)/rhel7/support-tools:latest\""))
        #expect(result.stdout.contains("oc debug --image=\"${TOOLSIMAGE}\""))
        // Not a terminal: the progress is one plain line per finished image, on stderr.
        #expect(result.stderr.contains("✓ \(destination)/\(prefix)/rhel7/support-tools:latest  "), "\(result.stderr)")
        #expect(!result.stderr.contains("\u{1B}["))
        #expect(!result.stdout.contains(credentials) && !result.stderr.contains(credentials))
    }

    @Test func mirrorSetsNameTheSourcesAndMirrorsAndParseBack() throws {
        let source = try TestServers.plainRegistry()
        let destination = try TestServers.value("AIRGAP_TEST_REGISTRY_AUTH_PLAIN")
        let prefix = "sets-\(UUID().uuidString.lowercased().prefix(8))"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-sets-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data("""
            # the suite's pause and agnhost, into the lab registry
            \(source)/pause:3.2=\(destination)/\(prefix)
            \(source)/k8s-artifacts-prod/e2e-test-images/agnhost:2.20 \(destination)/\(prefix)
            """.utf8).write(to: URL(fileURLWithPath: directory + "/mapping.txt"))
        let result = try AirgapBinary.run([
            "mirror", "-f", directory + "/mapping.txt", "--mirror-sets", directory + "/sets", "--icsp",
            "--dest-creds", "\(try TestServers.value("AIRGAP_TEST_AUTH_USER")):\(try TestServers.value("AIRGAP_TEST_AUTH_PASSWORD"))",
            "--tls-verify=false", "--cache", directory + "/cache",
        ])
        #expect(result.status == 0, "\(result.stderr)")

        let expected = [
            ["source": "\(source)/k8s-artifacts-prod/e2e-test-images/agnhost", "mirror": "\(destination)/\(prefix)/k8s-artifacts-prod/e2e-test-images/agnhost"],
            ["source": "\(source)/pause", "mirror": "\(destination)/\(prefix)/pause"],
        ]
        for (file, kind, key) in [
            ("imagedigestmirrorset.yaml", "ImageDigestMirrorSet", "imageDigestMirrors"),
            ("imagetagmirrorset.yaml", "ImageTagMirrorSet", "imageTagMirrors"),
            ("imagecontentsourcepolicy.yaml", "ImageContentSourcePolicy", "repositoryDigestMirrors"),
        ] {
            let yaml = try #require(try Yams.load(yaml: String(contentsOfFile: "\(directory)/sets/\(file)", encoding: .utf8)) as? [String: Any])
            #expect(yaml["kind"] as? String == kind)
            let entries = try #require((yaml["spec"] as? [String: Any])?[key] as? [[String: Any]])
            #expect(entries.map { $0["source"] as? String } == expected.map { $0["source"] })
            #expect(entries.map { ($0["mirrors"] as? [String])?.first } == expected.map { $0["mirror"] })
        }
        let conf = try String(contentsOfFile: directory + "/sets/registries.conf", encoding: .utf8)
        let parsed = try RegistriesConfiguration(parsing: conf, file: "registries.conf")
        let sources = try parsed.pullSources(for: try ImageReference("\(source)/pause:3.2"))
        #expect(sources.map(\.reference.description) == ["\(destination)/\(prefix)/pause:3.2", "\(source)/pause:3.2"])
    }

    @Test(arguments: [
        (["mirror", "-f", "MAPPING"], "mapping.txt:2: \"busybox:1.29\" is not a mapping"),
        (["mirror", "busybox:1.29"], "give exactly one SOURCE and one DESTINATION"),
        (["mirror", "--from", "x.tar"], "--from and --to go together"),
    ])
    func badInputNamesTheLine(arguments: [String], message: String) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-badmap-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data("docker.io/library/pause:3.2=registry.example.com\nbusybox:1.29\n".utf8).write(to: URL(fileURLWithPath: directory + "/mapping.txt"))
        let result = try AirgapBinary.run(arguments.map { $0 == "MAPPING" ? directory + "/mapping.txt" : $0 })
        #expect(result.status != 0)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }
}

/// Collects events from many tasks.
private final class HeardEvents: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [MirrorEvent] = []
    var all: [MirrorEvent] { lock.withLock { events } }
    @Sendable func add(_ event: MirrorEvent) { lock.withLock { events.append(event) } }
}

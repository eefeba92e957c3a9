import Archive
import Foundation
import Inventory
import OCI
import TestSupport
import Testing

@testable import Mirror
@testable import Registry

/// `bundle` end to end against the real registry, with the archive checked by the real loaders.
@Suite struct BundleTests {
    let suiteRegistries = ["docker.io", "gcr.io", "k8s.gcr.io", "us.gcr.io"]

    private func workDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-bundle-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// The seed's names, served by the plain test registry.
    private func access(mirroringTo registry: String) -> RegistryAccess {
        RegistryAccess(
            trust: TrustPolicy(relaxedRegistries: [registry]), mirrors: MirrorTable(suiteRegistries.map { MirrorRule(source: $0, location: registry) }))
    }

    private func bundle(
        _ references: [ImageReference], registry: String, platform: Platform? = .default, in directory: String, cache: String? = nil
    ) async throws -> (String, BundleSummary) {
        let output = directory + "/images.tar"
        let store = try BlobStore(root: cache ?? directory + "/cache")
        let bundler = Bundler(access: access(mirroringTo: registry), store: store, options: BundleOptions(platform: platform))
        return (output, try await bundler.bundle(references, to: output))
    }

    /// What a loader should see for `name`: the manifest (the linux/amd64 child of an index) and its config.
    private func expectedImage(_ name: String, registry: String) async throws -> (FetchedManifest, ImageConfig) {
        let client = RegistryClient(endpoint: RegistryEndpoint(host: registry, usesPlainHTTP: true))
        let reference = try ImageReference("\(registry)/\(name)")
        var fetched = try await client.fetchManifest(reference)
        if case .index(let index) = fetched.document {
            fetched = try await client.fetchManifest(reference.withDigest(try #require(index.manifest(for: .default)).digest))
        }
        guard case .image(let manifest) = fetched.document else { throw BundleError.nestingTooDeep(reference: name) }
        let config = MemoryBlobTarget()
        try await client.download(manifest.config, from: reference.repository, into: config)
        return (fetched, try JSONDecoder().decode(ImageConfig.self, from: config.data))
    }

    @Test func theMinimalSuiteLoadsInPodmanContainerdAndSkopeo() async throws {
        let registry = try TestServers.plainRegistry()
        let directory = try workDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let suite = try SuiteCatalog.suite(named: "openshift-conformance-minimal")
        let names = suite.images.references.map(\.description)
        let (archive, summary) = try await bundle(suite.images.references, registry: registry, in: directory)
        #expect(summary.images == 6)
        let verify = try AirgapBinary.run(["verify", archive])
        #expect(verify.status == 0, "airgap verify: \(verify.stdout) \(verify.stderr)")
        #expect(verify.stdout.hasPrefix("OK: 6 images"))

        let podman = try Podman.load(archive: archive)
        defer { podman.remove() }
        #expect(Set(try podman.imageNames()).isSuperset(of: names))

        let namespace = "bundle-\(UUID().uuidString.prefix(8))"
        defer { try? Containerd.removeNamespace(namespace) }
        #expect(Set(try Containerd.importArchive(archive, namespace: namespace)).isSuperset(of: names))

        for reference in suite.images.references {
            let (manifest, config) = try await expectedImage(reference.description.dropFirst(reference.domain.count + 1) + "", registry: registry)
            // skopeo's docker-archive view reports layers by their uncompressed digests.
            let docker = try Skopeo.inspect("docker-archive:\(archive):\(reference)")
            #expect(docker.layers == config.rootfs.diffIDs.map(\.description), "docker view of \(reference)")
            // containers/image's OCI layout transport lists only OCI-typed manifests, so a Docker
            // schema2 image (kept byte for byte, for its digest) is read through the docker view.
            guard manifest.mediaType == .ociImageManifest else { continue }
            let oci = try Skopeo.inspect("oci-archive:\(archive):\(reference)")
            #expect(oci.rawDigest == manifest.digest, "oci-archive view of \(reference) keeps the registry's digest")
        }
    }

    @Test func allPlatformsKeepsTheWholeIndexWithItsDigest() async throws {
        let registry = try TestServers.plainRegistry()
        let directory = try workDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let busybox = try ImageReference("docker.io/library/busybox:1.29")
        let (archive, summary) = try await bundle([busybox], registry: registry, platform: nil, in: directory)
        #expect(summary.images == 1)

        let inspection = try Skopeo.inspect("oci-archive:\(archive):\(busybox)")
        #expect(inspection.rawDigest.description == (try TestServers.seededDigest(of: "library/busybox:1.29", registry: registry)))
        let namespace = "all-\(UUID().uuidString.prefix(8))"
        defer { try? Containerd.removeNamespace(namespace) }
        #expect(try Containerd.importArchive(archive, namespace: namespace).contains(busybox.description))
        let podman = try Podman.load(archive: archive)
        defer { podman.remove() }
        #expect(try podman.imageNames().contains(busybox.description))
    }

    @Test func aSharedLayerIsStoredOnceAndSchema2KeepsItsType() async throws {
        let registry = try TestServers.plainRegistry()
        let directory = try workDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let images = try ["docker.io/library/httpd:2.4.38-alpine", "docker.io/library/nginx:1.14-alpine"].map { try ImageReference($0) }
        let (archive, summary) = try await bundle(images, registry: registry, in: directory)
        #expect(summary.sharedBlobs == 1)

        var names: [String] = []
        var index: ImageIndex?
        let reader = try TarReader(path: archive)
        while let entry = try reader.next() {
            names.append(entry.name)
            if entry.name == BundleLayout.ociIndexFile {
                index = try JSONDecoder().decode(ImageIndex.self, from: try reader.readSmallData(limit: 1 << 20))
            }
        }
        #expect(names.count == Set(names).count, "no entry twice")
        #expect(Array(names.prefix(3)) == ["oci-layout", "index.json", "manifest.json"])
        #expect(index?.manifests.map(\.mediaType) == [.dockerManifest, .ociImageManifest])
    }

    @Test func aSecondRunTransfersNoBlob() async throws {
        let registry = try TestRegistry.plain()
        let repository = TestRegistry.uniqueRepository("rerun")
        let one = try await registry.pushImage(repository: repository, tag: "one", layers: [TestRegistry.randomData(300_000), TestRegistry.randomData(1000)])
        let two = try await registry.pushImage(repository: repository, tag: "two", layers: [TestRegistry.randomData(2000)])
        let directory = try workDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let (_, first) = try await bundle([one.reference, two.reference], registry: registry.host, in: directory)
        #expect(first.blobsFetched == 5)
        let logAfterFirst = try registry.accessLog(containing: "/v2/\(repository)/")

        let (_, second) = try await bundle([one.reference, two.reference], registry: registry.host, in: directory)
        #expect(second.blobsFetched == 0)
        #expect(second.bytesFetched == 0)
        // The registry's own log: the second run sent one HEAD per tag and nothing else.
        let secondRun = Array(try registry.accessLog(containing: "/v2/\(repository)/").dropFirst(logAfterFirst.count))
        #expect(secondRun.count == 2)
        #expect(secondRun.allSatisfy { $0.contains("\"HEAD /v2/\(repository)/manifests/") })
    }

    @Test func aRegistryServingWrongBytesLeavesNoArchiveAndNothingInTheCache() async throws {
        let registry = try TestRegistry.plain()
        let repository = TestRegistry.uniqueRepository("corrupt")
        let image = try await registry.pushImage(repository: repository, tag: "bad", layers: [TestRegistry.randomData(50_000)])
        let layer = image.layers[0]
        try registry.corruptBlob(layer.digest)
        let directory = try workDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let failure = await #expect(throws: BlobFailure.self) {
            _ = try await bundle([image.reference], registry: registry.host, in: directory)
        }
        // The message names the image as well as the blob.
        #expect(failure?.description.hasPrefix("\(image.reference.domain)/\(repository)") == true, "\(String(describing: failure))")
        let error = failure?.underlying as? RegistryError
        guard case .digestMismatch(_, let digest, _) = error else {
            Issue.record("expected a digest mismatch, got \(String(describing: error))")
            return
        }
        #expect(digest == layer.digest)
        #expect(error?.description.contains(layer.digest.description) == true)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0 != "cache" }
        #expect(leftovers.isEmpty, "nothing at or beside the output path")
        let store = try BlobStore(root: directory + "/cache")
        #expect(!store.contains(layer))
        // No partial of the bad blob to resume from. (A download the failure cancelled may leave
        // its partial file: that one is good to resume.)
        #expect(try !FileManager.default.contentsOfDirectory(atPath: directory + "/cache/ingest").contains { $0.hasPrefix(layer.digest.encoded) })
    }

    @Test func aCachedBlobDamagedOnDiskIsCaughtEvictedAndFetchedAgain() async throws {
        let registry = try TestRegistry.plain()
        let repository = TestRegistry.uniqueRepository("damaged")
        let image = try await registry.pushImage(repository: repository, tag: "v1", layers: [TestRegistry.randomData(80_000)])
        let layer = image.layers[0]
        let directory = try workDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try await bundle([image.reference], registry: registry.host, in: directory)

        // Damage after verification: a crash, a bad disk, a stray edit.
        let store = try BlobStore(root: directory + "/cache")
        let handle = try #require(FileHandle(forUpdatingAtPath: store.path(for: layer.digest)))
        try handle.seek(toOffset: 100)
        try handle.write(contentsOf: Data([0x00, 0x01, 0x02]))
        try handle.close()
        try FileManager.default.removeItem(atPath: directory + "/images.tar")

        // The same run heals: the damaged copy is evicted and fetched again, the archive is sound.
        let (archive, rerun) = try await bundle([image.reference], registry: registry.host, in: directory)
        #expect(rerun.blobsFetched == 1)
        #expect(store.contains(layer))
        #expect(try CacheAudit.unverifiedBlobs(in: directory + "/cache").isEmpty)
        let verification = BundleVerifier(contents: try BundleReader(path: archive).read()).verify()
        #expect(verification.errors.isEmpty, "\(verification.errors)")
    }

    @Test func anInterruptedDownloadResumesWithRange() async throws {
        let registry = try TestRegistry.plain()
        let repository = TestRegistry.uniqueRepository("resume")
        let content = TestRegistry.randomData(400_000)
        let image = try await registry.pushImage(repository: repository, tag: "big", layers: [content])
        let layer = image.layers[0]
        let directory = try workDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // What an interrupted run leaves: the first part of the blob in the cache's ingest folder.
        let store = try BlobStore(root: directory + "/cache")
        try content.prefix(150_000).write(to: URL(fileURLWithPath: "\(directory)/cache/ingest/\(layer.digest.encoded).partial"))

        let (archive, summary) = try await bundle([image.reference], registry: registry.host, in: directory)
        #expect(store.contains(layer))
        #expect(summary.bytesFetched == Int64(content.count - 150_000) + image.config.size)
        let blobRequests = try registry.accessLog(containing: "/v2/\(repository)/blobs/\(layer.digest)")
        #expect(blobRequests.count == 1)
        #expect(blobRequests.first?.contains("\" 206 ") == true)
        #expect(FileManager.default.fileExists(atPath: archive))
    }

    @Test(arguments: [
        (["bundle", "BusyBox:1.29", "-o", "/tmp/x.tar"], "repository names must be lowercase"),
        (["bundle", "UPPER/Case:bad tag", "-o", "/tmp/x.tar"], "error: invalid image reference \"UPPER/Case:bad tag\": repository names must be lowercase, got \"Case\"\n"),
        (["bundle", "busybox:bad tag", "-o", "/tmp/x.tar"], "error: invalid image reference \"busybox:bad tag\": tag \"bad tag\" must be"),
        (["bundle", "--suite", "openshift-conformance-minimall", "-o", "/tmp/x.tar"], "did you mean \"openshift-conformance-minimal\""),
        (["bundle", "busybox:1.29", "-o", "/nonexistent-airgap-dir/x.tar"], "/nonexistent-airgap-dir does not exist"),
        (["bundle", "busybox:1.29", "-o", "/etc/passwd/x.tar"], "/etc/passwd does not exist"),
        (["bundle", "busybox:1.29"], "name the archive to write with -o FILE"),
        (["bundle", "busybox:1.29", "--platform", "linux", "-o", "/tmp/x.tar"], "--platform linux"),
        (["bundle", "busybox:1.29", "--mirror", "docker.io", "-o", "/tmp/x.tar"], "expected SOURCE=LOCATION"),
        (["bundle", "-o", "/tmp/x.tar"], "no images to bundle"),
    ])
    func badInputIsAClearOneLineError(arguments: [String], message: String) throws {
        let result = try AirgapBinary.run(arguments)
        #expect(result.status != 0)
        #expect(result.stderr.contains(message), "stderr was: \(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func anUnreachableRegistryOrAMissingTagNamesTheImage() async throws {
        let registry = try TestServers.plainRegistry()
        let directory = try workDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let closed = try ClosedPort.find()
        let unreachable = try AirgapBinary.run(["bundle", "127.0.0.1:\(closed)/library/busybox:1.29", "--tls-verify=false", "-q", "--cache", directory + "/cache", "-o", directory + "/a.tar"])
        #expect(unreachable.status == 1)
        #expect(unreachable.stderr.hasPrefix("error: 127.0.0.1:\(closed)/library/busybox:1.29"), "stderr was: \(unreachable.stderr)")
        #expect(unreachable.stderr.contains("Couldn't connect") || unreachable.stderr.contains("Could not connect"))

        let missing = try AirgapBinary.run(["bundle", "\(registry)/library/busybox:9.99", "--tls-verify=false", "-q", "--cache", directory + "/cache", "-o", directory + "/b.tar"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("\(registry)/library/busybox:9.99"))
        #expect(missing.stderr.contains("returned 404"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["cache"])
    }
}

/// Ctrl-C, SIGTERM, SIGHUP (an ssh session that drops) and SIGQUIT while a layer download hangs
/// (the fault proxy stalls it): a prompt exit with 128 + N and nothing at (or beside) the output
/// path. The signal goes once the partial archive is there, so no test waits on the clock.
@Suite struct BundleInterruptionTests {
    @Test(arguments: [SIGINT, SIGTERM, SIGHUP, SIGQUIT])
    func aSignalLeavesNothingBehind(signal: Int32) async throws {
        let registry = try TestRegistry.plain()
        let image = try await registry.pushImage(
            repository: TestRegistry.uniqueRepository("bundle-signal"), tag: "v1", layers: [TestRegistry.randomData(200_000)])
        let layer = "/v2/\(image.reference.repository)/blobs/\(image.layers[0].digest)"
        let proxy = try FaultProxy(upstream: registry.host, rules: [.init("GET", layer, "stall", times: nil, afterBytes: 1000)])
        defer { proxy.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-signal-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var sawPartial = false

        let result = try await AirgapBinary.run(
            ["bundle", "\(proxy.host)/\(image.reference.repository):v1", "--tls-verify=false", "--cache", directory + "/cache", "-o", directory + "/images.tar"],
            interruptingWith: signal,
            once: {
                sawPartial = try FileManager.default.contentsOfDirectory(atPath: directory).contains { $0.hasPrefix(".images.tar.partial-") }
                return sawPartial
            })
        #expect(sawPartial, "the partial archive was there when the signal went")
        // Before, SIGHUP and SIGQUIT killed the process (status = the signal's number) and left
        // .images.tar.partial-* behind.
        #expect(result.status == 128 + signal, "\(result.stderr)")
        #expect(result.stderr.contains("interrupted"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["cache"])
    }

    /// Started with SIGHUP ignored, as `nohup airgap bundle … &` does, airgap keeps ignoring it: the
    /// hangup does not end the bundle, and a SIGTERM sent after it does (143, not 129).
    @Test func underNohupAHangupIsIgnored() async throws {
        let silent = try SilentServer()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-nohup-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let result = try await AirgapBinary.run(
            ["bundle", "127.0.0.1:\(silent.port)/library/busybox:1.29", "--tls-verify=false", "--cache", directory + "/cache", "-o", directory + "/images.tar"],
            shell: #"trap '' HUP; exec "$0" "$@""#, interruptingWith: SIGHUP, SIGTERM, once: { silent.hasWaitingConnection })
        #expect(result.status == 128 + SIGTERM, "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["cache"])
        withExtendedLifetime(silent) {}
    }
}

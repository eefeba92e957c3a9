import Archive
import Foundation
import OCI
import Registry
import TestSupport
import Testing

@testable import Mirror

/// `mirror` against registries in memory: the push order (largest blob first, an image's manifests
/// after its blobs, children before their index, the tag last), index cycles and depth, the retry
/// budget and failures that must not spill onto other images. Milliseconds each; the same paths
/// against real registries are in IntegrationTests.
@Suite struct MirrorSchedulingTests {
    let source = "source.example"
    let destination = "mirror.example:5000"
    let world = InMemoryRegistry()
    let sleeps = RecordedSleeps()
    let cache: String

    init() throws {
        cache = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-mirror-unit-\(UUID().uuidString)").path
    }

    private func mirrorer(jobs: Int = 1, platform: Platform? = nil) throws -> Mirrorer {
        let access = RegistryAccess(http: world, retry: sleeps.policy())
        return Mirrorer(source: access, destination: access, store: try BlobStore(root: cache), options: MirrorOptions(platform: platform, jobs: jobs))
    }

    /// An image of `layers` (random bytes of those sizes) under `repository:tag` at the source.
    @discardableResult
    private func image(_ repository: String, tag: String, layers sizes: [Int]) -> (manifest: Descriptor, blobs: [Descriptor]) {
        let name = "\(source)/\(repository)"
        let layers = sizes.map { world.putBlob(Data((0..<$0).map { _ in UInt8.random(in: 0...255) }), in: name) }
        let config = world.putBlob(Data(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8), in: name, mediaType: .ociImageConfig)
        let manifest = ImageManifest(schemaVersion: 2, mediaType: .ociImageManifest, config: config, layers: layers)
        let bytes = try! JSONEncoder().encode(manifest)
        return (world.putManifest(bytes, mediaType: .ociImageManifest, in: name, reference: tag), [config] + layers)
    }

    private func pair(_ repository: String, tag: String) throws -> MirrorPair {
        MirrorPair(source: try ImageReference("\(source)/\(repository):\(tag)"), destination: try ImageReference("\(destination)/\(repository):\(tag)"))
    }

    private var destinationRequests: [InMemoryRegistry.Request] { world.requests.filter { $0.host == destination } }

    @Test func theLargestBlobGoesFirstAndTheTagLast() async throws {
        let built = image("app", tag: "v1", layers: [1_000, 50_000, 9_000])
        let summary = await try mirrorer().mirror([try pair("app", tag: "v1")])
        #expect(summary.failures.isEmpty, "\(summary.failures.map { "\($0.error!)" })")

        // Each upload's closing PUT names its digest: the order they went in.
        let uploaded = destinationRequests.filter { $0.method == .put && $0.path.contains("/blobs/uploads/") }
            .compactMap { $0.query?.split(separator: "=").last.flatMap { try? Digest(String($0).removingPercentEncoding ?? "") } }
        let bySize = built.blobs.sorted { $0.size > $1.size }.map(\.digest)
        #expect(uploaded == bySize)
        let puts = destinationRequests.filter { $0.method == .put }
        #expect(puts.last?.path == "app/manifests/v1", "the tag goes last: \(puts)")
        #expect(world.manifest("v1", in: "\(destination)/app") == world.manifest("v1", in: "\(source)/app"), "byte for byte")
    }

    @Test func anIndexGoesAfterItsChildrenAndUnderItsTagLast() async throws {
        let amd64 = image("multi", tag: "amd64", layers: [10])
        let arm64 = image("multi", tag: "arm64", layers: [20])
        let index = ImageIndex(schemaVersion: 2, mediaType: .ociImageIndex, manifests: [
            Descriptor(mediaType: .ociImageManifest, digest: amd64.manifest.digest, size: amd64.manifest.size, platform: .default),
            Descriptor(mediaType: .ociImageManifest, digest: arm64.manifest.digest, size: arm64.manifest.size, platform: try Platform("linux/arm64")),
        ])
        let top = world.putManifest(try JSONEncoder().encode(index), mediaType: .ociImageIndex, in: "\(source)/multi", reference: "1.0")

        let summary = await try mirrorer(jobs: 4).mirror([try pair("multi", tag: "1.0")])
        #expect(summary.failures.isEmpty)
        guard case .success(.copied(let digest))? = summary.outcomes.first?.result else {
            Issue.record("expected a copy, got \(String(describing: summary.outcomes.first?.result))")
            return
        }
        #expect(digest == top.digest, "the index's digest is kept")
        let manifestPuts = destinationRequests.filter { $0.method == .put && $0.path.contains("/manifests/") }.map(\.path)
        #expect(manifestPuts.count == 3)
        #expect(manifestPuts.last == "multi/manifests/1.0")
        #expect(Set(manifestPuts.dropLast()) == ["multi/manifests/\(amd64.manifest.digest)", "multi/manifests/\(arm64.manifest.digest)"])
        // No manifest went before the last of the blobs it needs.
        let lastBlob = destinationRequests.lastIndex { $0.method == .put && $0.path.contains("/blobs/uploads/") } ?? 0
        let firstManifest = destinationRequests.firstIndex { $0.method == .put && $0.path.contains("/manifests/") } ?? 0
        #expect(lastBlob < firstManifest)
    }

    @Test func aSecondRunOnlyLooks() async throws {
        image("app", tag: "v1", layers: [100, 200])
        _ = await try mirrorer().mirror([try pair("app", tag: "v1")])
        let before = destinationRequests.count
        let again = await try mirrorer().mirror([try pair("app", tag: "v1")])
        #expect(again.imagesUpToDate == 1)
        let second = destinationRequests.dropFirst(before)
        #expect(second.allSatisfy { $0.method == .head || $0.path.isEmpty }, "only HEADs: \(Array(second))")
        #expect(!second.contains { $0.path.contains("/blobs/") }, "no blob request at all")
    }

    @Test func anIndexListingTheSameChildTwiceCopiesItOnce() async throws {
        // Not a cycle (a true one cannot be built from verified bytes: each digest would have to
        // contain the other), but the shape the cycle check must let through.
        let name = "\(source)/loop"
        let child = image("loop", tag: "child", layers: [5])
        let inner = ImageIndex(schemaVersion: 2, mediaType: .ociImageIndex, manifests: [child.manifest])
        let innerBytes = try JSONEncoder().encode(inner)
        let innerDescriptor = world.putManifest(innerBytes, mediaType: .ociImageIndex, in: name, reference: "inner")
        let outer = ImageIndex(schemaVersion: 2, mediaType: .ociImageIndex, manifests: [innerDescriptor, innerDescriptor])
        world.putManifest(try JSONEncoder().encode(outer), mediaType: .ociImageIndex, in: name, reference: "outer")
        let summary = await try mirrorer().mirror([try pair("loop", tag: "outer")])
        #expect(summary.failures.isEmpty, "\(summary.failures.map { "\($0.error!)" })")
        let innerPuts = destinationRequests.filter { $0.method == .put && $0.path == "loop/manifests/\(innerDescriptor.digest)" }
        #expect(innerPuts.count == 1)
    }

    @Test func indexesNestedTooDeepAreRefused() async throws {
        let name = "\(source)/deep"
        var current = image("deep", tag: "leaf", layers: [5]).manifest
        for level in 0...ImageResolver.maximumDepth {
            let index = ImageIndex(schemaVersion: 2, mediaType: .ociImageIndex, manifests: [Descriptor(mediaType: current.mediaType, digest: current.digest, size: current.size, platform: .default)])
            current = world.putManifest(try JSONEncoder().encode(index), mediaType: .ociImageIndex, in: name, reference: "level\(level)")
        }
        let summary = await try mirrorer(platform: .default).mirror([try pair("deep", tag: "level\(ImageResolver.maximumDepth)")])
        guard case .nestingTooDeep? = summary.failures.first?.error as? BundleError else {
            Issue.record("expected nestingTooDeep, got \(String(describing: summary.failures.first?.error))")
            return
        }
        #expect(!destinationRequests.contains { $0.method == .put }, "nothing pushed")
    }

    @Test func aPersistentUploadFailureSpendsOneBudgetOfFreshSessions() async throws {
        image("app", tag: "v1", layers: [100])
        world.fault = { request in
            request.method == .put && request.path.contains("/blobs/uploads/") ? .status(503) : nil
        }
        let summary = await try mirrorer().mirror([try pair("app", tag: "v1")])
        #expect(summary.failures.count == 1)
        let sessions = destinationRequests.filter { $0.method == .post }
        let abandoned = destinationRequests.filter { $0.method == .delete }
        // The first blob that fails ends the image: five sessions opened, each abandoned, backoff between.
        #expect(sessions.count == 5, "\(sessions)")
        #expect(abandoned.count == 5)
        #expect(sleeps.delays == [.seconds(1), .seconds(2), .seconds(4), .seconds(8)])
        #expect(!destinationRequests.contains { $0.path.contains("/manifests/") && $0.method == .put }, "no tag for an incomplete image")
    }

    @Test func aFailedSourceBlobFailsOnlyTheImagesThatNeedIt() async throws {
        let broken = image("broken", tag: "v1", layers: [300])
        image("fine", tag: "v1", layers: [400])
        let missing = broken.blobs[1].digest
        world.fault = { request in
            request.host == "source.example" && request.method == .get && request.path.hasSuffix("/blobs/\(missing)") ? .status(404) : nil
        }
        let summary = await try mirrorer(jobs: 2).mirror([try pair("broken", tag: "v1"), try pair("fine", tag: "v1")])
        #expect(summary.outcomes.map(\.succeeded) == [false, true])
        #expect(world.manifest("v1", in: "\(destination)/fine") != nil)
        #expect(world.manifest("v1", in: "\(destination)/broken") == nil, "the tag of an image missing a blob is never pushed")
        #expect(!world.hasBlob(missing, in: "\(destination)/broken"))
    }

    @Test func aBlobSharedByTwoRepositoriesIsSentOnceAndMountedOnce() async throws {
        let shared = Data((0..<5_000).map { _ in UInt8.random(in: 0...255) })
        for repository in ["one", "two"] {
            let name = "\(source)/\(repository)"
            let layer = world.putBlob(shared, in: name)
            let config = world.putBlob(Data(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8), in: name, mediaType: .ociImageConfig)
            let manifest = ImageManifest(schemaVersion: 2, mediaType: .ociImageManifest, config: config, layers: [layer])
            world.putManifest(try JSONEncoder().encode(manifest), mediaType: .ociImageManifest, in: name, reference: "v1")
        }
        let summary = await try mirrorer().mirror([try pair("one", tag: "v1"), try pair("two", tag: "v1")])
        #expect(summary.failures.isEmpty)
        #expect(summary.blobsUploaded == 2, "the layer and the config, once")
        #expect(summary.blobsMounted == 2, "both mounted into the second repository")
        let layerGets = world.requests.filter { $0.host == source && $0.method == .get && $0.path.hasSuffix("/blobs/\(Digest.compute(of: shared))") }
        #expect(layerGets.count == 1, "downloaded once")
    }

    /// A relay's download cut mid-body resumes into the same pipe (`Range`), the upload waiting.
    @Test func aCutRelayResumesWithRange() async throws {
        let built = image("relay", tag: "v1", layers: [300_000])
        let layer = built.blobs[1].digest
        let cuts = CallCounter()
        world.fault = { request in
            guard request.host == "source.example", request.method == .get, request.path.hasSuffix("/blobs/\(layer)") else { return nil }
            return cuts.next() == 1 ? .cutAfter(100_000) : nil
        }
        let summary = await try mirrorer().mirror([try pair("relay", tag: "v1")])
        #expect(summary.failures.isEmpty, "\(summary.failures.map { "\($0.error!)" })")
        let gets = world.requests.filter { $0.host == source && $0.method == .get && $0.path.hasSuffix("/blobs/\(layer)") }
        #expect(gets.map { $0.headers["Range"] } == [nil, "bytes=100000-"])
        #expect(world.hasBlob(layer, in: "\(destination)/relay"))
        #expect(destinationRequests.filter { $0.method == .post }.count == 2, "one upload session per blob: the relay was not started again")
    }

    /// A source that answers a resume with the whole blob again (no `Range` support) cannot be
    /// resumed into a pipe already partly sent: the whole relay starts again, and succeeds.
    @Test func aRelayWhoseSourceStartsOverIsStartedAgain() async throws {
        let built = image("restart", tag: "v1", layers: [300_000])
        let layer = built.blobs[1].digest
        world.ignoresRange = true
        let cuts = CallCounter()
        world.fault = { request in
            guard request.host == "source.example", request.method == .get, request.path.hasSuffix("/blobs/\(layer)") else { return nil }
            return cuts.next() == 1 ? .cutAfter(100_000) : nil
        }
        let summary = await try mirrorer().mirror([try pair("restart", tag: "v1")])
        #expect(summary.failures.isEmpty, "\(summary.failures.map { "\($0.error!)" })")
        #expect(world.hasBlob(layer, in: "\(destination)/restart"))
        let sessions = destinationRequests.filter { $0.method == .post }
        #expect(sessions.count == 3, "a second session for the layer's new relay: \(sessions)")
        #expect(sleeps.delays.contains(.seconds(1)), "started again after the retry policy's wait")
    }
}

/// Counts calls from any thread.
final class CallCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func next() -> Int { lock.withLock { count += 1; return count } }
}

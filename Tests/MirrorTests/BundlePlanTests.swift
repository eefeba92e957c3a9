import Archive
import Foundation
import OCI
import Registry
import Testing

@testable import Mirror

/// The archive's contents and order are a pure function of the resolved images.
@Suite struct BundlePlanTests {
    private func blob(_ seed: String, _ type: MediaType = .ociLayerGzip) -> Descriptor {
        let data = Data(seed.utf8)
        return Descriptor(mediaType: type, digest: Digest.compute(of: data), size: Int64(data.count))
    }

    private func image(_ name: String, config: String, layers: [String], top: String? = nil) throws -> ResolvedImage {
        let reference = try ImageReference(name)
        let configBlob = blob(config, .ociImageConfig)
        let layerBlobs = layers.map { blob($0) }
        return ResolvedImage(
            reference: reference, source: reference, top: blob(top ?? "manifest of \(config)", .ociImageManifest),
            manifests: [blob(top ?? "manifest of \(config)", .ociImageManifest)], blobs: [configBlob] + layerBlobs,
            dockerView: .init(config: configBlob, layers: layerBlobs), platforms: [.default]
        )
    }

    @Test func sharedBlobsAppearOnceInFirstUseOrder() throws {
        let plan = BundlePlan(images: [
            try image("busybox:1.29", config: "c1", layers: ["base", "a"]),
            try image("nginx:1.14-alpine", config: "c2", layers: ["base", "b"]),
        ])
        #expect(plan.blobs.map(\.descriptor) == [blob("c1", .ociImageConfig), blob("base"), blob("a"), blob("c2", .ociImageConfig), blob("b")])
        #expect(plan.blobs[1].source.description == "docker.io/library/busybox:1.29")
        #expect(plan.sharedBlobCount == 1)
        #expect(plan.manifests.count == 2)
    }

    @Test func theIndexNamesEveryImageByItsFullReference() throws {
        let plan = BundlePlan(images: [try image("k8s.gcr.io/pause:3.2", config: "c", layers: ["l"])])
        let entry = try #require(plan.ociIndex().manifests.first)
        #expect(entry.annotations?[BundleLayout.refNameAnnotation] == "k8s.gcr.io/pause:3.2")
        #expect(entry.annotations?[BundleLayout.containerdNameAnnotation] == "k8s.gcr.io/pause:3.2")
        #expect(plan.ociIndex().mediaType == .ociImageIndex)
    }

    @Test func oneDockerEntryPerImageWithEveryNameItGoesBy() throws {
        let plan = BundlePlan(images: [
            try image("busybox:1.29", config: "same", layers: ["l"]),
            try image("registry.example.com/busybox:1.29", config: "same", layers: ["l"]),
            try image("httpd:2.4.38-alpine", config: "other", layers: ["l"]),
        ])
        let entries = plan.dockerEntries()
        #expect(entries.count == 2)
        #expect(entries[0].repoTags == ["docker.io/library/busybox:1.29", "registry.example.com/busybox:1.29"])
        #expect(entries[0].config == BundleLayout.blobPath(blob("same", .ociImageConfig).digest))
        #expect(entries[0].layers == [BundleLayout.blobPath(blob("l").digest)])
        #expect(entries[1].repoTags == ["docker.io/library/httpd:2.4.38-alpine"])
    }

    @Test func aDigestOnlyReferenceIsListedUntaggedButKeepsItsTagWhenGiven() throws {
        let digest = "sha256:" + String(repeating: "c", count: 64)
        let plan = BundlePlan(images: [
            try image("busybox@\(digest)", config: "one", layers: []),
            try image("httpd:2.4@\(digest)", config: "two", layers: []),
        ])
        #expect(plan.dockerEntries().map(\.repoTags) == [[], ["docker.io/library/httpd:2.4"]])
    }

    @Test func totalBytesCountEachBlobOnce() throws {
        let plan = BundlePlan(images: [
            try image("a:1", config: "c", layers: ["x"], top: "m"),
            try image("b:1", config: "c", layers: ["x"], top: "m"),
        ])
        #expect(plan.totalBytes == Int64("m".utf8.count + "c".utf8.count + "x".utf8.count))
    }
}

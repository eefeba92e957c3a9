import Archive
import Foundation
import OCI
import Testing

@testable import Mirror

/// How `--max-size` packs images into parts: each whole in one part, parts under the size, and
/// layers that images share kept together where they fit.
@Suite struct BundlePartitionTests {
    private func blob(_ seed: String, size: Int64, _ type: MediaType = .ociLayerGzip) -> Descriptor {
        Descriptor(mediaType: type, digest: Digest.compute(of: Data(seed.utf8)), size: size)
    }

    private func image(_ name: String, layers: [(String, Int64)]) throws -> ResolvedImage {
        let reference = try ImageReference("registry.example/\(name):1")
        let config = blob("config of \(name)", size: 500, .ociImageConfig)
        let manifest = blob("manifest of \(name)", size: 400, .ociImageManifest)
        let layerBlobs = layers.map { blob($0.0, size: $0.1) }
        return ResolvedImage(
            reference: reference, source: reference, top: manifest, manifests: [manifest], blobs: [config] + layerBlobs,
            dockerView: .init(config: config, layers: layerBlobs), platforms: [.default], configs: [config.digest])
    }

    private let kib: Int64 = 1024

    @Test func imagesSharingALayerGoTogetherWhenTheyFit() throws {
        // Asked for in an order where first-fit would split the pair.
        let images = [
            try image("a", layers: [("base", 200 * kib), ("a", 300 * kib)]),
            try image("c", layers: [("c", 300 * kib)]),
            try image("b", layers: [("base", 200 * kib), ("b", 300 * kib)]),
        ]
        let parts = try BundlePartition(maxSize: 900 * kib, omitted: [], bases: []).split(images)
        #expect(parts.map { $0.map(\.reference.repository.value) } == [["a", "b"], ["c"]])
        for part in parts {
            #expect(try BundlePlan(images: part).archiveSize() <= 900 * kib)
        }
    }

    @Test func everyImageLandsInExactlyOnePartUnderTheSize() throws {
        var images: [ResolvedImage] = []
        for index in 0..<40 {
            let size = Int64((index * 37) % 11 + 1) * 20 * kib
            images.append(try image("i\(index)", layers: [("shared-\(index % 4)", 50 * kib), ("own-\(index)", size)]))
        }
        let maxSize = 700 * kib
        let parts = try BundlePartition(maxSize: maxSize, omitted: [], bases: []).split(images)
        let placed: [String] = parts.flatMap { $0 }.map(\.reference.description).sorted()
        let asked: [String] = images.map(\.reference.description).sorted()
        #expect(placed == asked)
        for part in parts {
            #expect(try BundlePlan(images: part).archiveSize() <= maxSize)
            // Within a part, the order asked for.
            let positions = part.map { image in images.firstIndex { $0.reference == image.reference }! }
            #expect(positions == positions.sorted())
        }
    }

    @Test func theSameInputGivesTheSameParts() throws {
        let images = try (0..<12).map { try image("n\($0)", layers: [("l\($0 % 3)", 100 * kib), ("m\($0)", Int64($0 + 1) * 10 * kib)]) }
        let split = { try BundlePartition(maxSize: 400 * kib, omitted: [], bases: []).split(images).map { $0.map(\.reference.description) } }
        #expect(try split() == split())
    }

    @Test func anImageTooLargeAloneIsNamedWithItsSize() throws {
        let images = [try image("small", layers: [("s", 10 * kib)]), try image("big", layers: [("b", 2_000 * kib)])]
        #expect {
            try BundlePartition(maxSize: 1_000 * kib, omitted: [], bases: []).split(images)
        } throws: { error in
            guard case BundleError.imagesTooLarge(let large, let maxSize) = error else { return false }
            return large.map(\.0.repository.value) == ["big"] && large[0].1 > 2_000 * kib && maxSize == 1_000 * kib
        }
    }

    @Test func leftOutLayersCostOnlyTheirPlaceholder() throws {
        let images = [try image("a", layers: [("base", 5_000 * kib), ("a", 100 * kib)])]
        let base = blob("base", size: 5_000 * kib).digest
        let parts = try BundlePartition(maxSize: 200 * kib, omitted: [base], bases: [DeltaBase(name: "may.tar")]).split(images)
        #expect(parts.count == 1)
        #expect(try BundlePlan(images: parts[0], omitting: [base], bases: [DeltaBase(name: "may.tar")]).archiveSize() <= 200 * kib)
    }
}

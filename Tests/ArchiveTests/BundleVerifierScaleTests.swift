import Foundation
import OCI
import Testing

@testable import Archive

/// `verify` (and `mirror --from`, which verifies first) must do work in proportion to the images
/// an archive names: 20,000 names took 260 s when every RepoTag scanned all of index.json for its
/// image. Timing that would depend on the machine, so the verifier counts its own work (images
/// looked at while matching names, JSON documents decoded) and the counts are checked instead.
/// bench/verify-many.sh times the real thing.
@Suite struct BundleVerifierScaleTests {
    let scratch: ScratchDirectory

    init() throws {
        scratch = try ScratchDirectory()
    }

    enum Shape: String, Sendable, CaseIterable {
        /// Every name is the same image: one manifest, config and layer (the archive).
        case shared
        /// Every name has its own layer, so its own config and manifest.
        case distinct
    }

    private func work(_ shape: Shape, images count: Int) throws -> BundleVerifier.Work {
        var fixture = BundleFixture(seed: 7)
        let layer = fixture.randomBytes(64)
        for number in 0..<count {
            let layers = shape == .shared ? [layer] : [fixture.randomBytes(64)]
            fixture.addImage("registry.example.com/scale/image-\(number):v1", layers: layers)
        }
        let path = scratch.path("\(shape)-\(count).tar")
        try fixture.write(to: path)
        let verifier = BundleVerifier(contents: try BundleReader(path: path).read())
        let (problems, work) = verifier.run()
        #expect(problems.isEmpty, "\(problems.prefix(3))")
        return work
    }

    @Test(arguments: Shape.allCases)
    func theWorkGrowsInProportionToTheImages(_ shape: Shape) throws {
        let small = try work(shape, images: 200)
        let large = try work(shape, images: 2000)
        // Ten times the images: ten times the work, not a hundred. (Before: each RepoTag examined
        // every index.json image, 2000 × 2000 = 4,000,000 in all.)
        #expect(large.imagesExamined <= 4 * 2000, "\(large)")
        #expect(large.imagesExamined <= 11 * small.imagesExamined, "\(small) → \(large)")
        switch shape {
        case .shared:
            // One manifest and one config, each decoded once however many names use them.
            #expect(large.documentsDecoded <= 3, "\(large)")
        case .distinct:
            #expect(large.documentsDecoded <= 2 * 2000 + 1, "\(large)")
        }
    }
}

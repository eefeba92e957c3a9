import Foundation
import OCI
import Testing

@testable import Archive

/// `airgap inspect`: the images of an archive and what they share; and the fixture itself, checked
/// against GNU tar.
@Suite struct BundleInspectionTests {
    let scratch: ScratchDirectory

    init() throws {
        scratch = try ScratchDirectory()
    }

    private func inspect(_ fixture: BundleFixture) throws -> BundleInspection {
        let path = scratch.path("images.tar")
        try fixture.write(to: path)
        return try BundleReader(path: path).read().inspection()
    }

    @Test func listsEachImageWithItsPlatformsLayersAndSize() throws {
        let standard = BundleFixture.standard()
        let inspection = try inspect(standard.fixture)
        #expect(
            inspection.images.map(\.reference) == [
                "docker.io/library/busybox:1.29", "registry.k8s.io/e2e-test-images/agnhost:2.20", "registry.k8s.io/pause:3.2",
            ])
        #expect(inspection.images.map(\.platforms) == [["linux/amd64"], ["linux/amd64", "linux/arm64"], ["linux/amd64"]])
        #expect(inspection.images.map(\.layers) == [2, 3, 1])
        #expect(inspection.images.map(\.mediaType) == [.ociImageManifest, .ociImageIndex, .ociImageManifest])
        #expect(inspection.images[1].digest == standard.agnhost.descriptor.digest)
        #expect(inspection.images[1].size == standard.agnhost.descriptor.size)

        // busybox alone: its manifest, config and two layers.
        let busybox = standard.busybox.manifests[0]
        let busyboxBytes = ([busybox.manifest, busybox.config] + busybox.layers).reduce(0) { $0 + $1.size }
        #expect(inspection.images[0].bytes == busyboxBytes)
        // agnhost alone: its index, and both platforms' manifests, configs and layers.
        let agnhostBytes = standard.agnhost.manifests.reduce(standard.agnhost.descriptor.size) { total, part in
            total + ([part.manifest, part.config] + part.layers).reduce(0) { $0 + $1.size }
        }
        #expect(inspection.images[1].bytes == agnhostBytes)
    }

    @Test func reportsTheSharedLayerAndTheBytesItSaves() throws {
        let standard = BundleFixture.standard()
        let inspection = try inspect(standard.fixture)
        #expect(inspection.sharing.blobs == 1)
        #expect(inspection.sharing.bytes == standard.sharedLayer.size)
        #expect(inspection.sharing.savedBytes == standard.sharedLayer.size)
        #expect(inspection.blobs == standard.fixture.blobOrder.count)
        // Stored once: the images' own totals exceed the archive's blobs by exactly what sharing saves.
        #expect(inspection.images.reduce(0) { $0 + $1.bytes } == inspection.blobBytes + inspection.sharing.savedBytes)
        #expect(inspection.archiveBytes > inspection.blobBytes)
    }

    @Test func aLayerSharedByThreeImagesSavesTwice() throws {
        var fixture = BundleFixture()
        let base = fixture.randomBytes(4096)
        for name in ["a", "b", "c"] {
            fixture.addImage("example.com/\(name):1", layers: [base, fixture.randomBytes(10)])
        }
        let inspection = try inspect(fixture)
        #expect(inspection.sharing.blobs == 1)
        #expect(inspection.sharing.savedBytes == 2 * 4096)
    }

    /// BuildKit's attestation manifests are bundled with `--all-platforms` but are no platform.
    @Test func attestationManifestsAreNotListedAsPlatforms() throws {
        var fixture = BundleFixture()
        let statement = Data(#"{"_type":"https://in-toto.io/Statement/v0.1"}"#.utf8)
        fixture.addIndexImage(
            "docker.io/library/nginx:1.27",
            platforms: [
                (Platform(os: "linux", architecture: "amd64"), [fixture.randomBytes(100), fixture.randomBytes(100)]),
                (Platform(os: "unknown", architecture: "unknown"), [statement]),
            ])
        let path = scratch.path("images.tar")
        try fixture.write(to: path)
        let inspection = try BundleReader(path: path).read().inspection()
        #expect(inspection.images[0].platforms == ["linux/amd64"])
        #expect(inspection.images[0].layers == 2)
        #expect(inspection.images[0].bytes == inspection.blobBytes)
        #expect(try BundleVerifier.verify(archiveAt: path).problems == [])
    }

    @Test func encodesAsJSON() throws {
        let inspection = try inspect(BundleFixture.standard().fixture)
        let json = try JSONEncoder().encode(inspection)
        #expect(try JSONDecoder().decode(BundleInspection.self, from: json) == inspection)
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        let images = try #require(object["images"] as? [[String: Any]])
        #expect(images[1]["mediaType"] as? String == "application/vnd.oci.image.index.v1+json")
        #expect((images[1]["digest"] as? String)?.hasPrefix("sha256:") == true)
    }

    @Test func aBrokenArchiveIsStillListed() throws {
        var standard = BundleFixture.standard()
        standard.fixture.removeBlob(standard.agnhost.manifests[1].manifest.digest)
        let inspection = try inspect(standard.fixture)
        #expect(inspection.images[1].platforms == ["linux/amd64"])
    }

    // MARK: - The fixture is a real tar

    @Test func gnuTarListsAndExtractsTheFixture() throws {
        let standard = BundleFixture.standard()
        let path = scratch.path("images.tar")
        try standard.fixture.write(to: path)

        let listing = try run("/bin/tar", ["-tf", path]).split(separator: "\n").map(String.init)
        #expect(listing == standard.fixture.entryNames)

        let extracted = scratch.path("x")
        try FileManager.default.createDirectory(atPath: extracted, withIntermediateDirectories: true)
        _ = try run("/bin/tar", ["-xf", path, "-C", extracted])
        for digest in standard.fixture.blobOrder {
            let sum = try run("/usr/bin/sha256sum", [extracted + "/" + BundleLayout.blobPath(digest)])
            #expect(sum.hasPrefix(digest.encoded + " "))
        }
    }

    /// An archive GNU tar makes from the extracted layout (`./`-prefixed names, its own headers)
    /// verifies just as clean.
    @Test func anArchiveRepackedByGNUTarVerifiesClean() throws {
        let path = scratch.path("images.tar")
        try BundleFixture.standard().fixture.write(to: path)
        let extracted = scratch.path("x")
        try FileManager.default.createDirectory(atPath: extracted, withIntermediateDirectories: true)
        _ = try run("/bin/tar", ["-xf", path, "-C", extracted])
        let repacked = scratch.path("repacked.tar")
        _ = try run("/bin/tar", ["-cf", repacked, "-C", extracted, "."])
        #expect(try run("/bin/tar", ["-tf", repacked]).contains("./index.json"))
        #expect(try BundleVerifier.verify(archiveAt: repacked).problems == [])
    }
}

import Foundation
import OCI
import Testing

@testable import Archive

/// `airgap verify`: a sound archive has no problem, and each way of breaking one is reported with
/// its own code and a message naming the entry or image.
@Suite struct BundleVerifierTests {
    let scratch: ScratchDirectory

    init() throws {
        scratch = try ScratchDirectory()
    }

    private func verify(_ fixture: BundleFixture) throws -> BundleVerification {
        let path = scratch.path("images.tar")
        try fixture.write(to: path)
        return try BundleVerifier.verify(archiveAt: path)
    }

    @Test func aSoundArchiveVerifiesClean() throws {
        let standard = BundleFixture.standard()
        let result = try verify(standard.fixture)
        #expect(result.problems == [])
        #expect(result.valid)
        #expect(result.images == 3)
        #expect(result.blobs == standard.fixture.blobOrder.count)
        #expect(result.bytes == standard.fixture.blobData.values.reduce(0) { $0 + Int64($1.count) })
    }

    /// What the real writer produces (laid out first, the bodies written at their places in any
    /// order: downloads into slots, cached files copied by the kernel) passes.
    @Test func theBundleFilesArchiveVerifiesClean() throws {
        let fixture = BundleFixture.standard().fixture
        let output = scratch.path("written.tar")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let descriptors = fixture.blobOrder.map { Descriptor(mediaType: .ociLayerGzip, digest: $0, size: Int64(fixture.blobData[$0]!.count)) }
        let file = try BundleFile(
            outputPath: output,
            files: [
                (BundleLayout.ociLayoutFile, BundleLayout.ociLayoutContents),
                (BundleLayout.ociIndexFile, try encoder.encode(ImageIndex(manifests: fixture.indexEntries!))),
                (BundleLayout.dockerManifestFile, try encoder.encode(fixture.dockerEntries!)),
            ],
            blobs: descriptors)
        for (position, descriptor) in descriptors.enumerated().reversed() {
            let data = fixture.blobData[descriptor.digest]!
            if position % 2 == 0 {
                let slot = try file.slot(for: descriptor)
                try data.withUnsafeBytes { try slot.write($0) }
                try slot.commit()
            } else {
                let source = scratch.path(descriptor.digest.encoded)
                try data.write(to: URL(fileURLWithPath: source))
                try file.copyBody(of: descriptor, from: source)
            }
        }
        try file.commit()
        let result = try BundleVerifier.verify(archiveAt: output)
        #expect(result.problems == [])
        #expect(result.blobs == fixture.blobOrder.count)
    }

    /// One way to break the standard archive, and what the verifier must say about it.
    struct Corruption: Sendable, CustomTestStringConvertible {
        var name: String
        var code: BundleProblem.Code
        /// Text the problem's message must contain; `{…}` placeholders are filled from the fixture.
        var message: String
        var apply: @Sendable (inout BundleFixture.Standard) -> Void

        var testDescription: String { name }
    }

    static let corruptions: [Corruption] = [
        Corruption(name: "a blob whose bytes do not match its name", code: .digestMismatch, message: "{busyboxLayer2} is corrupt") {
            let layer = $0.busybox.manifests[0].layers[1].digest
            $0.fixture.blobData[layer]![0] ^= 0xff
        },
        Corruption(
            name: "a missing layer", code: .missingBlob,
            message: "agnhost:2.20 [linux/arm64]: layer 1 of 1 {arm64Layer}, listed in manifest"
        ) {
            $0.fixture.removeBlob($0.agnhost.manifests[1].layers[0].digest)
        },
        Corruption(
            name: "a missing child manifest of an index", code: .missingBlob,
            message: "[linux/arm64]: manifest {arm64Manifest}, listed in index"
        ) {
            $0.fixture.removeBlob($0.agnhost.manifests[1].manifest.digest)
        },
        Corruption(
            name: "a descriptor size that differs from the blob", code: .sizeMismatch,
            message: "pause:3.2: manifest {pauseManifest} is {pauseManifestSize} bytes, but index.json says {pauseManifestSize+1}"
        ) {
            $0.fixture.indexEntries![2].size += 1
        },
        Corruption(
            name: "manifest.json pointing at a missing config", code: .missingBlob,
            message: "manifest.json entry 1 (docker.io/library/busybox:1.29): Config blobs/sha256/"
        ) {
            $0.fixture.dockerEntries![0].config = BundleLayout.blobPath(Digest.compute(of: Data("nothing".utf8)))
        },
        Corruption(
            name: "diff_ids count differing from the layers", code: .layerCountMismatch,
            message: "lists 1 layer, but its config's rootfs.diff_ids has 3"
        ) {
            var fixture = BundleFixture(seed: 7)
            fixture.addImage("docker.io/library/busybox:1.29", layers: [fixture.randomBytes(100)], diffIDCount: 3)
            $0.fixture = fixture
        },
        Corruption(
            name: "a RepoTag that is not in index.json", code: .unknownRepoTag,
            message: "RepoTag docker.io/library/ghost:1.0 names no image in index.json"
        ) {
            $0.fixture.dockerEntries![2].repoTags.append("docker.io/library/ghost:1.0")
        },
        Corruption(
            name: "an index.json image missing from manifest.json", code: .missingRepoTag,
            message: "registry.k8s.io/pause:3.2 is in index.json, but no RepoTag"
        ) {
            $0.fixture.dockerEntries!.removeLast()
        },
        Corruption(
            name: "a RepoTag whose config differs from index.json's", code: .viewsDisagree,
            message: "registry.k8s.io/pause:3.2 has config {busyboxConfig} in manifest.json"
        ) {
            $0.fixture.dockerEntries![2].config = $0.fixture.dockerEntries![0].config
        },
        Corruption(
            name: "docker layers that differ from the OCI manifest's", code: .viewsDisagree,
            message: "the layers of docker.io/library/busybox:1.29 in manifest.json differ"
        ) {
            $0.fixture.dockerEntries![0].layers.reverse()
        },
        Corruption(name: "no oci-layout", code: .missingOCILayout, message: "has no oci-layout file") {
            $0.fixture.ociLayout = nil
        },
        Corruption(name: "another oci-layout version", code: .invalidOCILayout, message: "imageLayoutVersion 2.0.0") {
            $0.fixture.ociLayout = Data(#"{"imageLayoutVersion":"2.0.0"}"#.utf8)
        },
        Corruption(name: "no index.json", code: .missingIndex, message: "has no index.json") {
            $0.fixture.indexEntries = nil
        },
        Corruption(name: "an index.json that is not an index", code: .invalidIndex, message: "index.json cannot be read") {
            $0.fixture.rawIndex = Data("[]".utf8)
        },
        Corruption(name: "no manifest.json", code: .missingDockerManifest, message: "has no manifest.json") {
            $0.fixture.dockerEntries = nil
        },
        Corruption(name: "an index.json entry without the containerd name", code: .missingName, message: "has no io.containerd.image.name")
        {
            $0.fixture.indexEntries![0].annotations![BundleLayout.containerdNameAnnotation] = nil
        },
        Corruption(
            name: "index.json names that disagree", code: .conflictingNames,
            message: "is named docker.io/library/busybox:1.29 by org.opencontainers.image.ref.name but docker.io/library/busybox:1.30"
        ) {
            $0.fixture.indexEntries![0].annotations![BundleLayout.containerdNameAnnotation] = "docker.io/library/busybox:1.30"
        },
        Corruption(
            name: "one name twice in index.json", code: .duplicateName,
            message: "index.json lists docker.io/library/busybox:1.29 twice (entries 1 and 4)"
        ) {
            $0.fixture.indexEntries!.append($0.fixture.indexEntries![0])
        },
        Corruption(name: "a config that is not JSON", code: .invalidConfig, message: "config {pauseConfig} cannot be read") {
            let config = $0.pause.manifests[0].config.digest
            let bytes = Data("not json at all".utf8)
            $0.fixture.removeBlob(config)
            let replacement = $0.fixture.addBlob(bytes, mediaType: .ociImageConfig)
            // Rebuild pause's manifest around the unreadable config, keeping the docker view in step.
            let manifest = ImageManifest(config: replacement, layers: $0.pause.manifests[0].layers)
            var descriptor = $0.fixture.addBlob(BundleFixture.encode(manifest), mediaType: .ociImageManifest)
            descriptor.annotations = $0.pause.descriptor.annotations
            $0.fixture.indexEntries![2] = descriptor
            $0.fixture.dockerEntries![2].config = BundleLayout.blobPath(replacement.digest)
            $0.pause.manifests[0].config = replacement
        },
        Corruption(name: "a duplicated entry", code: .duplicateEntry, message: "{pauseLayer} occurs more than once") {
            let layer = $0.pause.manifests[0].layers[0].digest
            $0.fixture.extraFiles.append(.init(name: BundleLayout.blobPath(layer), contents: $0.fixture.blobData[layer]!))
        },
    ]

    @Test(arguments: corruptions)
    func eachCorruptionIsReported(_ corruption: Corruption) throws {
        var standard = BundleFixture.standard()
        corruption.apply(&standard)
        let result = try verify(standard.fixture)
        let expected = Self.fill(corruption.message, from: standard)
        #expect(!result.valid)
        let matching = result.errors.filter { $0.code == corruption.code }
        #expect(!matching.isEmpty, "no \(corruption.code) among \(result.problems.map(\.message))")
        #expect(
            matching.contains { $0.message.contains(expected) },
            "no message containing \"\(expected)\" among \(matching.map(\.message))")
    }

    /// Fills the `{…}` placeholders of an expected message from the fixture's own digests and sizes.
    private static func fill(_ message: String, from standard: BundleFixture.Standard) -> String {
        let pauseManifest = standard.pause.manifests[0].manifest
        let values: [String: String] = [
            "busyboxLayer2": BundleLayout.blobPath(standard.busybox.manifests[0].layers[1].digest),
            "busyboxConfig": standard.busybox.manifests[0].config.digest.description,
            "arm64Layer": BundleLayout.blobPath(standard.agnhost.manifests[1].layers[0].digest),
            "arm64Manifest": BundleLayout.blobPath(standard.agnhost.manifests[1].manifest.digest),
            "pauseManifest": BundleLayout.blobPath(pauseManifest.digest),
            "pauseManifestSize": "\(pauseManifest.size)",
            "pauseManifestSize+1": "\(pauseManifest.size + 1)",
            "pauseConfig": BundleLayout.blobPath(standard.pause.manifests[0].config.digest),
            "pauseLayer": BundleLayout.blobPath(standard.pause.manifests[0].layers[0].digest),
        ]
        var text = message
        for (key, value) in values { text = text.replacingOccurrences(of: "{\(key)}", with: value) }
        return text
    }

    /// A corrupt blob is reported once, as corrupt, not again as every document that needs it.
    @Test func aCorruptManifestIsReportedOnlyAsCorrupt() throws {
        var standard = BundleFixture.standard()
        let manifest = standard.busybox.manifests[0].manifest.digest
        standard.fixture.blobData[manifest]![5] ^= 0x01
        let result = try verify(standard.fixture)
        #expect(result.errors.map(\.code) == [.digestMismatch])
        #expect(result.errors.first?.subject == BundleLayout.blobPath(manifest))
    }

    @Test func everyProblemIsReportedNotJustTheFirst() throws {
        var standard = BundleFixture.standard()
        standard.fixture.ociLayout = nil
        standard.fixture.removeBlob(standard.pause.manifests[0].layers[0].digest)
        standard.fixture.dockerEntries![0].repoTags = ["docker.io/library/ghost:1.0"]
        let result = try verify(standard.fixture)
        #expect(Set(result.errors.map(\.code)) == [.missingOCILayout, .missingBlob, .unknownRepoTag, .missingRepoTag])
    }

    @Test func strayEntriesAndUnusedBlobsAreWarningsOnly() throws {
        var standard = BundleFixture.standard()
        standard.fixture.extraFiles = [.init(name: "README.md", contents: Data("# images".utf8))]
        standard.fixture.addBlob(Data("unused".utf8), mediaType: .ociLayerGzip)
        let result = try verify(standard.fixture)
        #expect(result.valid)
        #expect(result.errors.isEmpty)
        #expect(result.warnings.map(\.code) == [.strayEntry, .unusedBlob])
        #expect(result.warnings[0].message.contains("README.md"))
    }

    @Test func aShortNameIsAWarning() throws {
        var fixture = BundleFixture()
        fixture.addImage("busybox:1.29", layers: [fixture.randomBytes(10)])
        let result = try verify(fixture)
        #expect(result.valid)
        #expect(result.warnings.map(\.code) == [.shortName])
        #expect(result.warnings[0].message.contains("docker.io/library/busybox:1.29"))
    }

    @Test func theDockerViewMayListAnyPlatformOfAnIndex() throws {
        var fixture = BundleFixture()
        fixture.addIndexImage(
            "docker.io/library/alpine:3.19",
            platforms: [
                (Platform(os: "linux", architecture: "amd64"), [fixture.randomBytes(10)]),
                (Platform(os: "linux", architecture: "arm64"), [fixture.randomBytes(10)]),
            ],
            dockerPlatform: Platform(os: "linux", architecture: "arm64"))
        #expect(try verify(fixture).problems == [])
    }

    @Test func severalRepoTagsMayShareOneEntry() throws {
        var fixture = BundleFixture()
        let image = fixture.addImage("docker.io/library/busybox:1.29", layers: [fixture.randomBytes(10)])
        var alias = image.descriptor
        alias.annotations = [
            BundleLayout.refNameAnnotation: "docker.io/library/busybox:latest",
            BundleLayout.containerdNameAnnotation: "docker.io/library/busybox:latest",
        ]
        fixture.indexEntries!.append(alias)
        fixture.dockerEntries![0].repoTags.append("docker.io/library/busybox:latest")
        #expect(try verify(fixture).problems == [])
    }

    @Test func anUnsafeEntryIsTheArchivesOnlyProblem() throws {
        var standard = BundleFixture.standard()
        standard.fixture.extraFiles = [.init(name: "../evil", contents: Data("x".utf8))]
        let result = try verify(standard.fixture)
        #expect(!result.valid)
        #expect(result.problems.map(\.code) == [.unsafeEntry])
        #expect(result.problems[0].subject == "../evil")
    }

    @Test func unreadableArchivesThrow() throws {
        let path = scratch.path("empty.tar")
        _ = FileManager.default.createFile(atPath: path, contents: Data())
        #expect(throws: BundleReadError.notAnArchive(archive: path, reason: "the file is empty")) {
            _ = try BundleVerifier.verify(archiveAt: path)
        }
    }

    @Test func theResultEncodesAsJSON() throws {
        var standard = BundleFixture.standard()
        standard.fixture.ociLayout = nil
        let result = try verify(standard.fixture)
        let json = try JSONEncoder().encode(result)
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(object["valid"] as? Bool == false)
        let problems = try #require(object["problems"] as? [[String: Any]])
        #expect(problems.first?["code"] as? String == "missingOCILayout")
        #expect(problems.first?["severity"] as? String == "error")
        #expect(try JSONDecoder().decode(BundleVerification.self, from: json) == result)
    }
}

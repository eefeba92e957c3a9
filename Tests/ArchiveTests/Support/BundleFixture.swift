import Foundation
import OCI

@testable import Archive

/// Writes dual-format offline archives (OCI layout + docker `manifest.json`, one blob set) from
/// synthetic images, with TarWriter, the way the bundle writer lays them out. Every part stays a
/// plain value until ``write(to:)``, so a test can break exactly one thing first.
///
/// Layers are random bytes, not gzip: the verifier checks digests and sizes, never decompresses.
struct BundleFixture {
    /// One platform's manifest, config and layers.
    struct Part {
        var platform: Platform
        var manifest: Descriptor
        var config: Descriptor
        var layers: [Descriptor]
    }

    /// What one added image consists of, for tests that break a particular blob.
    struct Image {
        var reference: String
        /// The `index.json` descriptor.
        var descriptor: Descriptor
        /// Per platform: the manifest, its config and its layers.
        var manifests: [Part]
        /// What the docker view lists.
        var dockerEntry: DockerArchiveEntry
    }

    /// A file added after the blobs, for stray and hostile entries.
    struct ExtraFile {
        var name: String
        var contents: Data
    }

    var ociLayout: Data? = BundleLayout.ociLayoutContents
    /// `nil` leaves `index.json` out; otherwise its `manifests`.
    var indexEntries: [Descriptor]? = []
    /// Replaces the encoded `index.json` when set.
    var rawIndex: Data?
    /// `nil` leaves `manifest.json` out.
    var dockerEntries: [DockerArchiveEntry]? = []
    /// Blobs in write order, each once.
    private(set) var blobOrder: [Digest] = []
    /// Blob bytes by the digest they are stored under; a test may replace the bytes.
    var blobData: [Digest: Data] = [:]
    var extraFiles: [ExtraFile] = []
    var generator: SeededGenerator

    init(seed: UInt64 = 1) {
        generator = SeededGenerator(seed: seed)
    }

    // MARK: - Building

    /// `count` random bytes.
    mutating func randomBytes(_ count: Int) -> Data {
        var bytes = [UInt8](repeating: 0, count: count)
        for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: generator.next()) }
        return Data(bytes)
    }

    /// Stores `data` as a blob (once) and returns its descriptor.
    @discardableResult
    mutating func addBlob(_ data: Data, mediaType: MediaType) -> Descriptor {
        let digest = Digest.compute(of: data)
        if blobData[digest] == nil {
            blobOrder.append(digest)
            blobData[digest] = data
        }
        return Descriptor(mediaType: mediaType, digest: digest, size: Int64(data.count))
    }

    /// Removes a blob from the archive.
    mutating func removeBlob(_ digest: Digest) {
        blobData[digest] = nil
        blobOrder.removeAll { $0 == digest }
    }

    /// A single-platform image: manifest, config and layers. `diffIDCount` writes a config whose
    /// `rootfs.diff_ids` has that many entries instead of one per layer.
    @discardableResult
    mutating func addImage(
        _ reference: String, layers: [Data], platform: Platform = .default, diffIDCount: Int? = nil
    ) -> Image {
        let part = addManifest(layers: layers, platform: platform, diffIDCount: diffIDCount)
        let descriptor = named(part.manifest, reference)
        let image = Image(
            reference: reference, descriptor: descriptor, manifests: [part],
            dockerEntry: Self.dockerEntry(reference, part))
        indexEntries?.append(descriptor)
        dockerEntries?.append(image.dockerEntry)
        return image
    }

    /// A multi-platform image kept whole (`--all-platforms`): an index in `index.json`, and the
    /// docker view listing `dockerPlatform`'s manifest.
    @discardableResult
    mutating func addIndexImage(
        _ reference: String, platforms: [(Platform, [Data])], dockerPlatform: Platform = .default
    ) -> Image {
        var parts: [Part] = []
        for (platform, layers) in platforms {
            var part = addManifest(layers: layers, platform: platform, diffIDCount: nil)
            part.manifest.platform = platform
            parts.append(part)
        }
        let index = ImageIndex(manifests: parts.map(\.manifest))
        let descriptor = named(addBlob(Self.encode(index), mediaType: .ociImageIndex), reference)
        let chosen = parts.first { $0.platform == dockerPlatform } ?? parts[0]
        let image = Image(
            reference: reference, descriptor: descriptor, manifests: parts,
            dockerEntry: Self.dockerEntry(reference, chosen))
        indexEntries?.append(descriptor)
        dockerEntries?.append(image.dockerEntry)
        return image
    }

    private mutating func addManifest(
        layers: [Data], platform: Platform, diffIDCount: Int?
    ) -> Part {
        let layerDescriptors = layers.map { addBlob($0, mediaType: .ociLayerGzip) }
        var diffIDs = layerDescriptors.map(\.digest)
        if let diffIDCount {
            diffIDs = (0..<diffIDCount).map { Digest.compute(of: Data("diff \($0)".utf8)) }
        }
        let config = ImageConfig(
            architecture: platform.architecture, os: platform.os, variant: platform.variant,
            rootfs: ImageConfig.RootFS(diffIDs: diffIDs), config: ImageConfig.Execution(cmd: ["sh"]))
        let configDescriptor = addBlob(Self.encode(config), mediaType: .ociImageConfig)
        let manifest = ImageManifest(config: configDescriptor, layers: layerDescriptors)
        let manifestDescriptor = addBlob(Self.encode(manifest), mediaType: .ociImageManifest)
        return Part(platform: platform, manifest: manifestDescriptor, config: configDescriptor, layers: layerDescriptors)
    }

    private func named(_ descriptor: Descriptor, _ reference: String) -> Descriptor {
        var descriptor = descriptor
        descriptor.annotations = [
            BundleLayout.refNameAnnotation: reference, BundleLayout.containerdNameAnnotation: reference,
        ]
        return descriptor
    }

    private static func dockerEntry(
        _ reference: String, _ part: Part
    ) -> DockerArchiveEntry {
        DockerArchiveEntry(
            config: BundleLayout.blobPath(part.config.digest), repoTags: [reference],
            layers: part.layers.map { BundleLayout.blobPath($0.digest) })
    }

    static func encode(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try! encoder.encode(value)
    }

    // MARK: - Writing

    /// Writes the archive: root files, blob directories, blobs in the order added, extra files.
    func write(to path: String) throws {
        let writer = try TarWriter(path: path)
        if let ociLayout { try writer.addFile(BundleLayout.ociLayoutFile, contents: ociLayout) }
        if let index = rawIndex ?? indexEntries.map({ Self.encode(ImageIndex(manifests: $0)) }) {
            try writer.addFile(BundleLayout.ociIndexFile, contents: index)
        }
        if let dockerEntries { try writer.addFile(BundleLayout.dockerManifestFile, contents: Self.encode(dockerEntries)) }
        try writer.addDirectory(BundleLayout.blobsDirectory)
        try writer.addDirectory(BundleLayout.sha256Directory)
        for digest in blobOrder {
            try writer.addFile(BundleLayout.blobPath(digest), contents: blobData[digest]!)
        }
        for file in extraFiles {
            try writer.addFile(file.name, contents: file.contents)
        }
        try writer.finish()
    }

    /// The entry names ``write(to:)`` produces, in order.
    var entryNames: [String] {
        var names: [String] = []
        if ociLayout != nil { names.append(BundleLayout.ociLayoutFile) }
        if rawIndex != nil || indexEntries != nil { names.append(BundleLayout.ociIndexFile) }
        if dockerEntries != nil { names.append(BundleLayout.dockerManifestFile) }
        names += ["blobs/", "blobs/sha256/"]
        names += blobOrder.map(BundleLayout.blobPath)
        names += extraFiles.map(\.name)
        return names
    }
}

extension BundleFixture {
    /// The archive most tests start from: three images, one of them a two-platform index, and a
    /// layer shared by two images.
    struct Standard {
        var fixture: BundleFixture
        /// `docker.io/library/busybox:1.29`: one platform, layers [shared, own].
        var busybox: Image
        /// `registry.k8s.io/e2e-test-images/agnhost:2.20`: an index of linux/amd64 [shared, own] and
        /// linux/arm64 [own].
        var agnhost: Image
        /// `registry.k8s.io/pause:3.2`: one platform, one layer.
        var pause: Image
        /// The layer busybox and agnhost's amd64 manifest share.
        var sharedLayer: Descriptor
    }

    static func standard(seed: UInt64 = 1) -> Standard {
        var fixture = BundleFixture(seed: seed)
        let shared = fixture.randomBytes(3000)
        let busybox = fixture.addImage("docker.io/library/busybox:1.29", layers: [shared, fixture.randomBytes(1500)])
        let agnhost = fixture.addIndexImage(
            "registry.k8s.io/e2e-test-images/agnhost:2.20",
            platforms: [
                (Platform(os: "linux", architecture: "amd64"), [shared, fixture.randomBytes(2000)]),
                (Platform(os: "linux", architecture: "arm64"), [fixture.randomBytes(2500)]),
            ])
        let pause = fixture.addImage("registry.k8s.io/pause:3.2", layers: [fixture.randomBytes(700)])
        return Standard(
            fixture: fixture, busybox: busybox, agnhost: agnhost, pause: pause,
            sharedLayer: busybox.manifests[0].layers[0])
    }
}

/// SplitMix64: the same fixture bytes on every run, so a failure can be reproduced.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A fresh directory per test, removed when the value goes away.
final class ScratchDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("airgap-bundle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

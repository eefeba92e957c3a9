import Foundation
import OCI

@testable import Archive

/// Writes small offline archives with TarWriter, laid out as airgap bundle lays them out (OCI
/// layout + docker `manifest.json`), for images with any names at all, hostile ones included.
/// Layers are random bytes: the node tests never unpack them (the fake podman reads names only).
struct ArchiveFixture {
    /// One image: the name `index.json` annotates, and the RepoTags `manifest.json` lists.
    struct Image {
        var name: String?
        var repoTags: [String]

        init(_ name: String?, repoTags: [String]? = nil) {
            self.name = name
            self.repoTags = repoTags ?? name.map { [$0] } ?? []
        }
    }

    var images: [Image]
    /// Makes every archive distinct, so their sha256s differ.
    var salt = UUID().uuidString
    /// Makes the archive a delta of these bases: every image's first layer is one shared layer the
    /// delta left out (``leftOutDiffID``), and each image's own layer has a diff_id other than its
    /// digest, as a compressed layer has.
    var deltaBases: [DeltaBase]?
    /// With `deltaBases`: an empty placeholder entry for the left-out layer, as airgap writes it;
    /// `false` leaves it out altogether, as an earlier airgap did.
    var placeholders = true

    init(_ names: [String]) {
        images = names.map { Image($0) }
    }

    init(images: [Image]) {
        self.images = images
    }

    /// Writes the archive to `path` and returns its bytes' sha256.
    @discardableResult
    func write(to path: String) throws -> Digest {
        let writer = try TarWriter(path: path)
        var blobs: [(Digest, Data)] = []
        var index: [Descriptor] = []
        var docker: [DockerArchiveEntry] = []
        func add(_ data: Data, _ mediaType: MediaType) -> Descriptor {
            let descriptor = Descriptor(mediaType: mediaType, digest: Digest.compute(of: data), size: Int64(data.count))
            if !blobs.contains(where: { $0.0 == descriptor.digest }) { blobs.append((descriptor.digest, data)) }
            return descriptor
        }
        for (position, image) in images.enumerated() {
            let layer = add(Data("layer \(position) \(salt)".utf8), .ociLayerGzip)
            var layers = [layer]
            var diffIDs = [layer.digest]
            if deltaBases != nil {
                layers = [leftOutLayer, layer]
                diffIDs = [leftOutDiffID, Digest.compute(of: Data("diff of layer \(position) \(salt)".utf8))]
            }
            let config = add(
                Self.encode(
                    ImageConfig(architecture: "amd64", os: "linux", rootfs: ImageConfig.RootFS(diffIDs: diffIDs))),
                .ociImageConfig)
            var manifest = add(Self.encode(ImageManifest(config: config, layers: layers)), .ociImageManifest)
            if let name = image.name {
                manifest.annotations = [BundleLayout.refNameAnnotation: name, BundleLayout.containerdNameAnnotation: name]
            }
            index.append(manifest)
            docker.append(
                DockerArchiveEntry(
                    config: BundleLayout.blobPath(config.digest), repoTags: image.repoTags,
                    layers: layers.map { BundleLayout.blobPath($0.digest) }))
        }
        let annotations = deltaBases.map { [DeltaBase.annotation: DeltaBase.annotationValue($0)] }
        try writer.addFile(BundleLayout.ociLayoutFile, contents: BundleLayout.ociLayoutContents)
        try writer.addFile(BundleLayout.ociIndexFile, contents: Self.encode(ImageIndex(manifests: index, annotations: annotations)))
        try writer.addFile(BundleLayout.dockerManifestFile, contents: Self.encode(docker))
        try writer.addDirectory(BundleLayout.blobsDirectory)
        try writer.addDirectory(BundleLayout.sha256Directory)
        for (digest, data) in blobs {
            try writer.addFile(BundleLayout.blobPath(digest), contents: data)
        }
        if deltaBases != nil, placeholders, !images.isEmpty {
            try writer.addFile(BundleLayout.blobPath(leftOutLayer.digest), contents: Data())
        }
        try writer.finish()
        return Digest.compute(of: try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// A delta's left-out layer: its descriptor (its bytes are in no archive) and its diff_id.
    var leftOutLayer: Descriptor {
        let bytes = Data("base layer \(salt)".utf8)
        return Descriptor(mediaType: .ociLayerGzip, digest: Digest.compute(of: bytes), size: Int64(bytes.count))
    }

    var leftOutDiffID: Digest { Digest.compute(of: Data("diff of base layer \(salt)".utf8)) }

    static func encode(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try! encoder.encode(value)
    }
}

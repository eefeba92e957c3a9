import Archive
import Foundation
import OCI
import Registry

/// The archive's contents in their fixed order: each unique blob once, with the first image that
/// needs it as the place to fetch it from. A delta (`bases` given) leaves out the layers in
/// `omitting` and names its bases in `index.json`.
struct BundlePlan: Sendable {
    struct Blob: Sendable {
        var descriptor: Descriptor
        var source: ImageReference
    }

    let images: [ResolvedImage]
    /// Manifests and indexes, already in the cache.
    let manifests: [Descriptor]
    /// Configs and layers to fetch.
    let blobs: [Blob]
    /// Layers the images use that a delta leaves out (its bases hold them).
    let omitted: [Descriptor]
    /// The archives a delta relies on; empty for a full archive.
    let bases: [DeltaBase]
    /// Blobs that more than one image uses.
    let sharedBlobCount: Int

    init(images: [ResolvedImage], omitting left: Set<Digest> = [], bases: [DeltaBase] = []) {
        self.images = images
        self.bases = bases
        var seen = Set<Digest>()
        var manifests: [Descriptor] = []
        var blobs: [Blob] = []
        var omitted: [Descriptor] = []
        var users: [Digest: Int] = [:]
        for image in images {
            for manifest in image.manifests where seen.insert(manifest.digest).inserted {
                manifests.append(manifest)
            }
            for blob in image.blobs where seen.insert(blob.digest).inserted {
                // Configs stay: loaders read them from the archive even when every layer is reused.
                if left.contains(blob.digest) && !image.configs.contains(blob.digest) {
                    omitted.append(blob)
                } else {
                    blobs.append(Blob(descriptor: blob, source: image.source))
                }
            }
            for digest in Set(image.blobs.map(\.digest)) { users[digest, default: 0] += 1 }
        }
        self.manifests = manifests
        self.blobs = blobs
        self.omitted = omitted
        sharedBlobCount = users.values.filter { $0 > 1 }.count
    }

    /// What goes into the archive: manifests, then configs and layers.
    var contents: [Descriptor] { manifests + blobs.map(\.descriptor) }

    /// The root files: `oci-layout`, `index.json`, `manifest.json`.
    func rootFiles() throws -> [(name: String, contents: Data)] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return [
            (BundleLayout.ociLayoutFile, BundleLayout.ociLayoutContents),
            (BundleLayout.ociIndexFile, try encoder.encode(ociIndex())),
            (BundleLayout.dockerManifestFile, try encoder.encode(dockerEntries())),
        ]
    }

    /// The archive's size to the byte.
    func archiveSize() throws -> Int64 {
        try BundleFile.layout(files: rootFiles().map { ($0.name, Int64($0.contents.count)) }, blobs: contents, placeholders: omitted.map(\.digest)).size
    }

    var totalBytes: Int64 {
        (manifests + blobs.map(\.descriptor)).totalSize
    }

    /// `index.json`: one descriptor per image, named by its full reference for podman, skopeo and containerd.
    func ociIndex() -> ImageIndex {
        let descriptors = images.map { image -> Descriptor in
            var descriptor = image.top
            descriptor.annotations = [
                BundleLayout.refNameAnnotation: image.reference.description,
                BundleLayout.containerdNameAnnotation: image.reference.description,
            ]
            return descriptor
        }
        let annotations = bases.isEmpty ? nil : [DeltaBase.annotation: DeltaBase.annotationValue(bases)]
        return ImageIndex(schemaVersion: 2, mediaType: .ociImageIndex, manifests: descriptors, annotations: annotations)
    }

    /// `manifest.json`: one entry per distinct image, listing every name it goes by. Names pinned
    /// only by digest cannot be docker RepoTags; such an image is listed untagged.
    func dockerEntries() -> [DockerArchiveEntry] {
        var entries: [DockerArchiveEntry] = []
        var positions: [ResolvedImage.DockerView: Int] = [:]
        for image in images {
            let tag = image.reference.tag.map { "\(image.reference.name):\($0)" }
            if let position = positions[image.dockerView] {
                if let tag, !entries[position].repoTags.contains(tag) { entries[position].repoTags.append(tag) }
                continue
            }
            positions[image.dockerView] = entries.count
            entries.append(DockerArchiveEntry(
                config: BundleLayout.blobPath(image.dockerView.config.digest),
                repoTags: tag.map { [$0] } ?? [],
                layers: image.dockerView.layers.map { BundleLayout.blobPath($0.digest) }
            ))
        }
        return entries
    }
}

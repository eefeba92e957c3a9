import Foundation
import OCI

/// The OCI view: `index.json`, each entry's names, and every descriptor down to the layers.
extension BundleVerifier {
    /// Where a descriptor was met, for messages: the image, the platform inside an index, and the
    /// document that lists the descriptor.
    struct Trail {
        var image: String
        var platform: String?
        var listedIn: String

        var label: String { platform.map { "\(image) [\($0)]" } ?? image }
    }

    func checkIndex(_ report: inout Report) {
        let file = BundleLayout.ociIndexFile
        switch contents.index {
        case .absent:
            report.add(
                .error(
                    .missingIndex, file,
                    "\(contents.archivePath) has no \(file): skopeo oci-archive: and ctr images import find no image in it"))
        case .malformed(let reason):
            report.add(.error(.invalidIndex, file, "\(file) cannot be read: \(reason)"))
        case .parsed(let index):
            if index.manifests.isEmpty {
                report.add(.error(.invalidIndex, file, "\(file) lists no image"))
            }
            var positions: [String: Int] = [:]
            for image in report.images {
                report.work.imagesExamined += 1
                checkNames(of: image, positions: &positions, &report)
                let trail = Trail(image: image.label, platform: nil, listedIn: file)
                checkDocument(image.descriptor, trail: trail, depth: 0, &report)
            }
        }
    }

    /// Both name annotations, equal, a full reference, and not taken by another entry.
    private func checkNames(of image: BundleContents.Image, positions: inout [String: Int], _ report: inout Report) {
        let entry = "index.json entry \(image.position + 1)"
        let refName = BundleLayout.refNameAnnotation
        let containerdName = BundleLayout.containerdNameAnnotation
        switch (image.referenceName, image.containerdName) {
        case (nil, nil):
            report.add(
                .error(
                    .missingName, image.label,
                    "\(entry) (\(image.descriptor.digest)) has neither \(refName) nor \(containerdName): loaders "
                        + "import it without a name"))
        case (nil, let name?):
            report.add(
                .error(
                    .missingName, name, "\(entry) (\(name)) has no \(refName): podman and skopeo oci-archive: do not see its name"))
        case (let name?, nil):
            report.add(
                .error(
                    .missingName, name,
                    "\(entry) (\(name)) has no \(containerdName), which ctr images import prefers and airgap writes"))
        case (let name?, let other?) where name != other:
            report.add(
                .error(
                    .conflictingNames, name,
                    "\(entry) is named \(name) by \(refName) but \(other) by \(containerdName): loaders would "
                        + "disagree on its name"))
        default:
            break
        }

        guard let name = image.referenceName ?? image.containerdName else { return }
        do {
            let reference = try ImageReference(name)
            if reference.description != name {
                report.add(
                    .warning(
                        .shortName, name,
                        "\(entry) is named \(name), not the full reference \(reference): podman and containerd "
                            + "read a short name differently"))
            }
        } catch {
            report.add(.error(.shortName, name, "\(entry) is named \(name), which is not an image reference: \(error)"))
        }
        if let earlier = positions[name] {
            report.add(
                .error(
                    .duplicateName, name,
                    "index.json lists \(name) twice (entries \(earlier + 1) and \(image.position + 1)); loaders keep only one"))
        } else {
            positions[name] = image.position
        }
    }

    /// A manifest or index: present, whole, of its descriptor's size, readable as its media type,
    /// and everything it points at likewise. Every child of an index is required.
    private func checkDocument(_ descriptor: Descriptor, trail: Trail, depth: Int, _ report: inout Report) {
        let role = descriptor.mediaType.isIndex ? "index" : "manifest"
        guard checkBlob(descriptor, role: role, trail: trail, &report) else { return }
        switch report.decoded.document(descriptor, in: contents) {
        case .found(.image(let manifest)):
            checkManifest(manifest, digest: descriptor.digest, trail: trail, &report)
        case .found(.index(let index)):
            guard depth < BundleContents.maximumIndexDepth else {
                report.add(
                    .error(
                        .invalidManifest, trail.label,
                        "\(trail.label): indexes nest deeper than \(BundleContents.maximumIndexDepth) levels at \(descriptor.digest)"))
                return
            }
            if index.manifests.isEmpty {
                report.add(.error(.invalidManifest, trail.label, "\(trail.label): index \(descriptor.digest) lists no manifest"))
            }
            for child in index.manifests {
                let childTrail = Trail(
                    image: trail.image, platform: child.platform?.description ?? trail.platform,
                    listedIn: "index \(descriptor.digest)")
                checkDocument(child, trail: childTrail, depth: depth + 1, &report)
            }
        case .unreadable(let reason):
            report.add(
                .error(
                    .invalidManifest, trail.label,
                    "\(trail.label): \(role) \(BundleLayout.blobPath(descriptor.digest)) cannot be read as "
                        + "\(descriptor.mediaType): \(reason)"))
        case .missing, .corrupt:
            break  // reported by checkBlob
        }
    }

    private func checkManifest(_ manifest: ImageManifest, digest: Digest, trail: Trail, _ report: inout Report) {
        var trail = trail
        trail.listedIn = "manifest \(digest)"
        if checkBlob(manifest.config, role: "config", trail: trail, &report),
            manifest.config.mediaType.isImageConfig,
            case .unreadable(let reason) = report.decoded.config(manifest.config.digest, in: contents)
        {
            report.add(
                .error(
                    .invalidConfig, trail.label,
                    "\(trail.label): config \(BundleLayout.blobPath(manifest.config.digest)) cannot be read: \(reason)"))
        }
        for (position, layer) in manifest.layers.enumerated() {
            checkBlob(layer, role: "layer \(position + 1) of \(manifest.layers.count)", trail: trail, mayBeLeftOut: true, &report)
        }
    }

    /// Present, and as large as the descriptor says. Returns whether the blob can be read further
    /// (present and intact).
    @discardableResult
    private func checkBlob(_ descriptor: Descriptor, role: String, trail: Trail, mayBeLeftOut: Bool = false, _ report: inout Report) -> Bool {
        report.referenced.insert(descriptor.digest)
        let path = BundleLayout.blobPath(descriptor.digest)
        guard let blob = contents.blobs[descriptor.digest] else {
            if mayBeLeftOut, leftOutByDelta(descriptor, label: trail.label, &report) { return false }
            if descriptor.mediaType.isNondistributable, !(descriptor.urls ?? []).isEmpty {
                report.add(
                    .warning(
                        .missingBlob, trail.label,
                        "\(trail.label): \(role) \(path) is a non-distributable layer the archive does not carry; "
                            + "loaders fetch it from its URLs"))
            } else {
                report.add(
                    .error(
                        .missingBlob, trail.label,
                        "\(trail.label): \(role) \(path), listed in \(trail.listedIn), is not in the archive"))
            }
            return false
        }
        if blob.size != descriptor.size {
            report.add(
                .error(
                    .sizeMismatch, trail.label,
                    "\(trail.label): \(role) \(path) is \(blob.size) bytes, but \(trail.listedIn) says \(descriptor.size)"))
        }
        return blob.isIntact
    }
}

import Foundation
import OCI

/// The docker view, `manifest.json`, and its agreement with `index.json`: every RepoTag names an
/// `index.json` image whose manifest (or, for an index, one platform's) has the same config and
/// layers, and every `index.json` image has a RepoTag.
extension BundleVerifier {
    func checkDockerManifest(_ report: inout Report) {
        let file = BundleLayout.dockerManifestFile
        switch contents.dockerManifest {
        case .absent:
            report.add(
                .error(
                    .missingDockerManifest, file,
                    "\(contents.archivePath) has no \(file): podman load and docker load find no image in it"))
        case .malformed(let reason):
            report.add(.error(.invalidDockerManifest, file, "\(file) cannot be read: \(reason)"))
        case .parsed(let entries):
            if entries.isEmpty {
                report.add(.error(.invalidDockerManifest, file, "\(file) lists no image"))
            }
            var tagged: [String: Int] = [:]
            for (position, entry) in entries.enumerated() {
                checkDockerEntry(entry, position: position, tagged: &tagged, &report)
            }
            for image in report.images {
                report.work.imagesExamined += 1
                guard let name = image.referenceName ?? image.containerdName, tagged[name] == nil else { continue }
                report.add(
                    .error(
                        .missingRepoTag, name,
                        "\(name) is in index.json, but no RepoTag in \(file) names it: podman load and docker load "
                            + "would not load it"))
            }
        }
    }

    private func checkDockerEntry(_ entry: DockerArchiveEntry, position: Int, tagged: inout [String: Int], _ report: inout Report) {
        let label = "manifest.json entry \(position + 1) (\(entry.repoTags.first ?? "untagged"))"
        let configDigest = checkPath(entry.config, role: "Config", label: label, &report)
        let layerDigests = entry.layers.enumerated().map { index, path in
            checkPath(path, role: "layer \(index + 1) of \(entry.layers.count)", label: label, mayBeLeftOut: true, &report)
        }

        if let configDigest {
            switch report.decoded.config(configDigest, in: contents) {
            case .found(let config) where config.rootfs.diffIDs.count != entry.layers.count:
                report.add(
                    .error(
                        .layerCountMismatch, label,
                        "\(label) lists \(entry.layers.count) layer\(entry.layers.count == 1 ? "" : "s"), but its config's "
                            + "rootfs.diff_ids has \(config.rootfs.diffIDs.count): docker and podman pair them one to one"))
            case .unreadable(let reason):
                report.add(.error(.invalidConfig, label, "\(label): Config \(entry.config) cannot be read: \(reason)"))
            case .found, .missing, .corrupt:
                break
            }
        }

        if entry.repoTags.isEmpty {
            report.add(.warning(.untaggedImage, label, "\(label) has no RepoTags: podman and docker load it without a name"))
        }
        for tag in entry.repoTags {
            if let earlier = tagged[tag] {
                report.add(
                    .error(
                        .duplicateName, tag,
                        "manifest.json names \(tag) twice (entries \(earlier + 1) and \(position + 1)); loaders keep only one"))
                continue
            }
            tagged[tag] = position
            checkAgreement(tag: tag, label: label, config: configDigest, layers: layerDigests, &report)
        }
    }

    /// The digest of a `blobs/sha256/<hex>` path that is in the archive; `nil` after reporting otherwise.
    private func checkPath(_ path: String, role: String, label: String, mayBeLeftOut: Bool = false, _ report: inout Report) -> Digest? {
        guard let digest = BundleLayout.digest(forBlobPath: path) else {
            report.add(.error(.invalidDockerPath, label, "\(label): \(role) \"\(path)\" is not a blobs/sha256/<hex> path"))
            return nil
        }
        report.referenced.insert(digest)
        guard contents.blobs[digest] != nil else {
            // A delta's left-out layer: its size is the OCI view's to check (manifest.json has none).
            if mayBeLeftOut, contents.deltaBases != nil { return digest }
            report.add(.error(.missingBlob, label, "\(label): \(role) \(path) is not in the archive"))
            return nil
        }
        return digest
    }

    /// The RepoTag names an `index.json` image with this config and these layers.
    private func checkAgreement(tag: String, label: String, config: Digest?, layers: [Digest?], _ report: inout Report) {
        // Without a readable index.json, that one problem says it all.
        guard contents.index.value != nil else { return }
        let images = report.images(named: tag)
        guard !images.isEmpty else {
            report.add(
                .error(
                    .unknownRepoTag, tag,
                    "\(label): RepoTag \(tag) names no image in index.json, so skopeo oci-archive: and ctr images "
                        + "import do not see it"))
            return
        }
        // Unreadable manifests are reported by the OCI view; nothing to compare against then.
        let manifests = images.flatMap { contents.manifests(of: $0.descriptor, decoded: report.decoded) }
        guard let config, !manifests.isEmpty else { return }
        guard let match = manifests.first(where: { $0.manifest.config.digest == config }) else {
            let theirs = Set(manifests.map(\.manifest.config.digest.description)).sorted().joined(separator: ", ")
            report.add(
                .error(
                    .viewsDisagree, tag,
                    "\(label): \(tag) has config \(config) in manifest.json but \(theirs) in index.json: the two views "
                        + "hold different images"))
            return
        }
        let ociLayers = match.manifest.layers.map(\.digest)
        if layers.allSatisfy({ $0 != nil }), layers.compactMap({ $0 }) != ociLayers {
            report.add(
                .error(
                    .viewsDisagree, tag,
                    "\(label): the layers of \(tag) in manifest.json differ from those of its manifest "
                        + "\(match.descriptor.digest) in index.json"))
        }
    }
}

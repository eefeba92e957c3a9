import Archive
import Foundation
import OCI

/// What a node must already hold before it loads a delta (``DeltaBase``): the layers the delta left
/// out, by diff_id, and the base archives that carry them.
///
/// podman 4.3 loads a delta of several images through its docker view (`manifest.json`), and a
/// delta of one image through it too once its OCI view has failed: that reader names each layer by
/// its diff_id, asks the node's storage for it, and reads the delta's entry (for a left-out layer,
/// an empty placeholder that fails its digest check) only when storage has no such layer, whatever
/// image it belongs to and whatever lies below it there. So a node can take the delta when every
/// left-out layer's diff_id is among its images' layers (`podman image inspect`'s `RootFS.Layers`):
/// the check ``NodeProgram/Step/layers`` makes before anything is copied.
/// (`Tests/IntegrationTests/DeltaLoaderTests.swift` has the measurements.)
public struct NodeDelta: Sendable, Hashable {
    /// The archives the delta left the layers out for, as its `index.json` names them; empty when
    /// the annotation cannot be read.
    public var bases: [DeltaBase]
    /// The diff_ids of the left-out layers, each once, in the order the docker view meets them.
    public var layers: [Digest]

    public init(bases: [DeltaBase], layers: [Digest]) {
        self.bases = bases
        self.layers = layers
    }

    /// The bases for a sentence: `may.tar`, `may.tar and april.tar`, or what to look for when the
    /// delta does not say.
    public var baseNames: String {
        let names = bases.map(\.name)
        switch names.count {
        case 0: return "its base archives (the delta does not name them)"
        case 1: return names[0]
        default: return names.dropLast().joined(separator: ", ") + " and " + names[names.count - 1]
        }
    }

    /// The left-out layers of `contents`, or `nil` when it is no delta, or a delta that left
    /// nothing out (a full archive, as far as a node is concerned).
    ///
    /// Read from the docker view, the one podman load reads a delta through: each `manifest.json`
    /// entry's layers position-matched to its config's diff_ids. A left-out layer must have its
    /// placeholder entry (podman's docker-archive reader refuses a missing one).
    ///
    /// - Throws: ``NodeArchiveError/unloadableDelta(archive:reason:)`` when the docker view is
    ///   missing, does not match a config, or lacks an entry for a left-out layer.
    static func reading(_ contents: BundleContents) throws(NodeArchiveError) -> NodeDelta? {
        guard let bases = contents.deltaBases else { return nil }
        func refuse(_ reason: String) -> NodeArchiveError { .unloadableDelta(archive: contents.archivePath, reason: reason) }
        guard let entries = contents.dockerManifest.value else {
            throw refuse("it has no readable manifest.json, the view podman load reads a delta through")
        }
        var layers: [Digest] = []
        var seen: Set<Digest> = []
        var withoutEntry: Set<Digest> = []
        for entry in entries {
            let image = entry.repoTags.first ?? entry.config
            guard let configDigest = BundleLayout.digest(forBlobPath: entry.config),
                let config = contents.config(for: Descriptor(mediaType: .ociImageConfig, digest: configDigest, size: 0))
            else {
                throw refuse("the config of \(image) in manifest.json is missing or unreadable")
            }
            let diffIDs = config.rootfs.diffIDs
            guard diffIDs.count == entry.layers.count else {
                throw refuse("\(image) lists \(entry.layers.count) layers in manifest.json but its config \(diffIDs.count) diff_ids")
            }
            for (path, diffID) in zip(entry.layers, diffIDs) {
                guard let digest = BundleLayout.digest(forBlobPath: path) else {
                    throw refuse("\(image) lists a layer \(path.debugDescription) that is not a blob")
                }
                guard contents.blobs[digest] == nil else { continue }
                if !contents.placeholders.contains(digest) { withoutEntry.insert(digest) }
                if seen.insert(diffID).inserted { layers.append(diffID) }
            }
        }
        guard withoutEntry.isEmpty else {
            throw refuse(
                "\(withoutEntry.count) layer(s) it left out have no entry at all, not even an empty placeholder (as in deltas "
                    + "an earlier airgap wrote), and podman's docker-archive reader refuses a layer without one")
        }
        return layers.isEmpty ? nil : NodeDelta(bases: bases, layers: layers)
    }
}

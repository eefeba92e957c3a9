import Archive
import Foundation

/// Why an archive cannot be brought to the nodes. Every message names the archive.
public enum NodeArchiveError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The archive could not be read through, or holds an unsafe entry.
    case unreadable(BundleReadError)
    /// Neither `index.json` nor `manifest.json` names any image.
    case noImages(archive: String)
    /// An `index.json` entry without a name annotation.
    case unnamedImage(archive: String, entry: String)
    /// A name that cannot travel as a shell argument (empty, or holding a NUL byte).
    case unusableName(archive: String, name: String)
    /// The sha256 of the archive file could not be computed.
    case hashing(archive: String, reason: String)
    /// A delta podman load cannot read on a node, whatever the node holds.
    case unloadableDelta(archive: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let error):
            error.description
        case .noImages(let archive):
            "\(archive) names no image (index.json and manifest.json list none)"
        case .unnamedImage(let archive, let entry):
            "\(archive): \(entry) has no name, so podman would load it untagged and it could not be checked or "
                + "removed by name"
        case .unusableName(let archive, let name):
            "\(archive) names an image \(name.debugDescription), which cannot be passed to podman"
        case .hashing(let archive, let reason):
            "cannot compute the sha256 of \(archive): \(reason)"
        case .unloadableDelta(let archive, let reason):
            "\(archive) is a delta that podman load cannot read on a node: \(reason)"
        }
    }
}

import Foundation
import OCI

/// An earlier archive a delta leaves blobs out for (`bundle --since OLD.tar`): the delta holds the
/// same `index.json`, `manifest.json`, manifests and configs as a full bundle, but none of the layers
/// its bases already hold. Loading it needs those layers already loaded (podman and docker reuse
/// them from storage), pushing it needs them already in the registry.
///
/// The bases are named in `index.json`'s own annotations (``annotation``), so `inspect`, `verify`,
/// `nodes` and `mirror --from` know an archive is a delta, and of what, from the archive alone.
public struct DeltaBase: Sendable, Hashable, Codable {
    /// The base's file name (no directory: archives move between machines).
    public var name: String
    /// The base file's sha256 when its checksum file (``ChecksumFile``) was beside it.
    public var sha256: Digest?

    public init(name: String, sha256: Digest? = nil) {
        self.name = name
        self.sha256 = sha256
    }

    /// The `index.json` annotation naming a delta's bases: a JSON array of `{"name", "sha256"}`.
    public static let annotation = "dev.airgap.delta.bases"

    /// The annotation's value for `bases`.
    public static func annotationValue(_ bases: [DeltaBase]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(bases)) ?? Data("[]".utf8), as: UTF8.self)
    }

    /// The bases an index names, `nil` for a full archive; an annotation that does not parse is a
    /// delta of unknown bases (`[]`), never a full archive.
    public static func bases(of index: ImageIndex) -> [DeltaBase]? {
        guard let value = index.annotations?[annotation] else { return nil }
        return (try? JSONDecoder().decode([DeltaBase].self, from: Data(value.utf8))) ?? []
    }
}

/// What earlier archives hold, read for `bundle --since`: each archive's blob entries from its tar
/// headers (the data is skipped, not read: a base is gigabytes and was verified when it was made).
public struct DeltaBases: Sendable {
    /// The archives, in the order given.
    public var bases: [DeltaBase]
    /// Every blob some base holds, with its size.
    public var held: [Digest: Int64]

    public init(bases: [DeltaBase] = [], held: [Digest: Int64] = [:]) {
        self.bases = bases
        self.held = held
    }

    /// Reads each of `paths`: an archive, or a `NAME.parts` file standing for all its parts.
    public static func read(_ paths: [String]) throws -> DeltaBases {
        var result = DeltaBases()
        for path in paths {
            let archives = path.hasSuffix(ArchiveParts.fileExtension) ? try ArchiveParts.read(path).archivePaths(relativeTo: path) : [path]
            for archive in archives {
                let blobs = try heldBlobs(archive)
                let name = URL(fileURLWithPath: archive).lastPathComponent
                result.bases.append(DeltaBase(name: name, sha256: try? ChecksumFile.recorded(for: archive)))
                result.held.merge(blobs) { first, _ in first }
            }
        }
        return result
    }

    /// The blob entries of one archive, by digest, with their sizes.
    static func heldBlobs(_ archive: String) throws -> [Digest: Int64] {
        guard FileManager.default.isReadableFile(atPath: archive) else {
            throw DeltaBaseError.unreadable(archive: archive)
        }
        var blobs: [Digest: Int64] = [:]
        var isLayout = false
        do {
            let reader = try TarReader(path: archive)
            while let entry = try reader.next() {
                let name = entry.name.hasPrefix("./") ? String(entry.name.dropFirst(2)) : entry.name
                if name == BundleLayout.ociIndexFile { isLayout = true }
                guard entry.kind == .regular, let digest = BundleLayout.digest(forBlobPath: name) else { continue }
                // A delta base's placeholders stand for layers it does not hold either.
                if BundleLayout.isPlaceholder(digest: digest, size: entry.size) { continue }
                blobs[digest] = entry.size
            }
        } catch {
            throw DeltaBaseError.notAnArchive(archive: archive, reason: "\(error)")
        }
        guard isLayout else { throw DeltaBaseError.notAnArchive(archive: archive, reason: "it has no index.json") }
        return blobs
    }
}

public enum DeltaBaseError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(archive: String)
    case notAnArchive(archive: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let archive): "base archive \(archive) cannot be read (no such file, or permission denied)"
        case .notAnArchive(let archive, let reason): "base archive \(archive) is not an offline archive: \(reason)"
        }
    }
}

import Foundation
import OCI

/// Where each `blobs/sha256/<hex>` entry's data starts in an archive: `mirror --from` uploads blobs
/// straight from the tar. Data is skipped, not read; the caller verifies contents separately.
public enum BundleBlobOffsets {
    /// - Throws: ``BundleReadError/unsafeEntry(archive:entry:reason:)`` for any entry that is not a
    ///   plain file or directory (``BundleReader`` refuses the same), since bytes read from a
    ///   sparse entry's offset are not its content; `ArchiveError` when the tar cannot be read.
    public static func scan(_ archive: String) throws -> [Digest: Int64] {
        let reader = try TarReader(path: archive)
        var offsets: [Digest: Int64] = [:]
        while let entry = try reader.next() {
            if let reason = BundleReader.refusal(of: entry) {
                throw BundleReadError.unsafeEntry(archive: archive, entry: entry.name, reason: reason)
            }
            let name = entry.name.hasPrefix("./") ? String(entry.name.dropFirst(2)) : entry.name
            guard entry.kind == .regular, let digest = BundleLayout.digest(forBlobPath: name), offsets[digest] == nil else { continue }
            offsets[digest] = try reader.currentDataOffset()
        }
        return offsets
    }
}

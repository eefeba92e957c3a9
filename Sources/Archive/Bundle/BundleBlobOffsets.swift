import Foundation
import OCI

/// Where each `blobs/sha256/<hex>` entry's data starts in an archive: `mirror --from` uploads blobs
/// straight from the tar. Data is skipped, not read; the caller verifies contents separately.
public enum BundleBlobOffsets {
    public static func scan(_ archive: String) throws -> [Digest: Int64] {
        let reader = try TarReader(path: archive)
        var offsets: [Digest: Int64] = [:]
        while let entry = try reader.next() {
            let name = entry.name.hasPrefix("./") ? String(entry.name.dropFirst(2)) : entry.name
            guard entry.kind == .regular, let digest = BundleLayout.digest(forBlobPath: name), offsets[digest] == nil else { continue }
            offsets[digest] = try reader.currentDataOffset()
        }
        return offsets
    }
}

import Foundation

/// Why an offline archive could not be read through. Every message names the archive, and the
/// entry when one is to blame.
///
/// ``unsafeEntry(archive:entry:reason:)`` means the archive *was* readable but holds something airgap
/// never trusts; the other cases mean it could not be read at all.
public enum BundleReadError: Error, Sendable, Hashable, CustomStringConvertible, LocalizedError {
    /// The file cannot be opened: missing, a directory, no permission.
    case unreadable(archive: String, reason: String)
    /// The file is not a tar (empty, compressed, another format).
    case notAnArchive(archive: String, reason: String)
    /// The tar breaks off or cannot be read past some point (an interrupted copy).
    case damaged(archive: String, entry: String?, reason: String)
    /// An entry that could escape the extraction directory or is not a plain file or directory:
    /// an absolute name, a `..` component, a link, a device. The archive is refused as a whole.
    case unsafeEntry(archive: String, entry: String, reason: String)
    /// `index.json`, `manifest.json` or `oci-layout` is larger than any real one.
    case metadataTooLarge(archive: String, entry: String, limit: Int)
    /// The small JSON blobs (manifests, indexes, configs) kept for checking add up to more than the cap.
    case tooManySmallBlobs(archive: String, entry: String, limit: Int64)

    public var description: String {
        switch self {
        case .unreadable(let archive, let reason):
            "cannot read \(archive): \(reason)"
        case .notAnArchive(let archive, let reason):
            "\(archive) is not a tar archive: \(reason); an offline archive is a plain (uncompressed) tar"
        case .damaged(let archive, let entry?, let reason):
            "\(archive) is damaged at \(entry): \(reason); copy the archive again"
        case .damaged(let archive, nil, let reason):
            "\(archive) is damaged: \(reason); copy the archive again"
        case .unsafeEntry(let archive, let entry, let reason):
            "\(archive): refusing entry \"\(entry)\": \(reason); an offline archive holds only plain files "
                + "and directories under its own root"
        case .metadataTooLarge(let archive, let entry, let limit):
            "\(archive): \(entry) is larger than \(limit) bytes; it is not an airgap archive's metadata"
        case .tooManySmallBlobs(let archive, let entry, let limit):
            "\(archive): at \(entry), the manifests and configs add up to more than \(limit) bytes; "
                + "the archive holds far more JSON blobs than any set of images needs"
        }
    }

    public var errorDescription: String? { description }

    /// The archive the error is about.
    public var archive: String {
        switch self {
        case .unreadable(let archive, _), .notAnArchive(let archive, _), .damaged(let archive, _, _),
            .unsafeEntry(let archive, _, _), .metadataTooLarge(let archive, _, _),
            .tooManySmallBlobs(let archive, _, _):
            archive
        }
    }
}

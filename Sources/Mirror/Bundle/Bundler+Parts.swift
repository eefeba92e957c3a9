import Archive
import Foundation
import OCI

extension Bundler {
    /// What a split run adds after its parts are written: the list, and what the split cost.
    struct PartsOutcome {
        /// The `.parts` file.
        var list: String?
        var addedBytes: Int64 = 0
        var repeatedBytes: Int64 = 0
        var stale: [String] = []
    }

    /// Writes the `.parts` list of the committed `archives` and works out what splitting cost:
    /// the bytes over one archive of the same images, and of those the blobs stored in more than
    /// one part. Also finds parts an earlier, longer run left at the same name.
    static func finishParts(
        _ archives: [WrittenArchive], plans: [BundlePlan], images: [ResolvedImage], held: Set<Digest>, bases: [DeltaBase],
        outputPath: String
    ) throws -> PartsOutcome {
        var outcome = PartsOutcome(list: ArchiveParts.listPath(for: outputPath))
        let list = ArchiveParts(parts: archives.map {
            ArchiveParts.Part(
                file: URL(fileURLWithPath: $0.path).lastPathComponent, size: $0.size, sha256: $0.sha256,
                images: $0.images.map(\.reference.description))
        })
        try list.write(to: outcome.list!)
        let whole = try BundlePlan(images: images, omitting: held, bases: bases).archiveSize()
        outcome.addedBytes = max(0, archives.reduce(0) { $0 + $1.size } - whole)
        let stored = plans.reduce(Int64(0)) { $0 + $1.contents.totalSize }
        let unique = Dictionary(plans.flatMap(\.contents).map { ($0.digest, $0.size) }, uniquingKeysWith: { first, _ in first })
        outcome.repeatedBytes = stored - unique.values.reduce(0, +)
        var next = archives.count + 1
        while FileManager.default.fileExists(atPath: ArchiveParts.partPath(for: outputPath, number: next)) {
            outcome.stale.append(ArchiveParts.partPath(for: outputPath, number: next))
            next += 1
        }
        return outcome
    }
}

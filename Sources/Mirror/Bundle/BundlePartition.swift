import Archive
import Foundation
import OCI

/// Splits a run's images into parts of at most `maxSize` bytes each (`bundle --max-size`), every
/// image whole in one part, each part a complete archive — so a layer two images share is stored
/// twice when they land in different parts. The split keeps that repetition small.
///
/// Greedy, largest image first: each image goes to the part it adds the fewest bytes to (the part
/// that already holds most of its layers), among the parts it still fits in; ties go to the fullest
/// part, and a new part opens only when none has room. Within a part the images keep the order they
/// were asked for, and parts are ordered by their first image, so the same input gives the same parts.
struct BundlePartition {
    /// Bytes of a part's tar for everything but its blobs: `oci-layout`, the two directories, the
    /// headers of `index.json` and `manifest.json`, their padding, the trailer — with room to spare.
    static let fixedOverhead: Int64 = 8 * 1024

    let maxSize: Int64
    let omitted: Set<Digest>
    /// A delta's bases, named in every part's `index.json`.
    let bases: [DeltaBase]

    /// What every part holds besides its images.
    private var overhead: Int64 {
        bases.isEmpty ? Self.fixedOverhead : Self.fixedOverhead + 2 * Int64(DeltaBase.annotationValue(bases).utf8.count) + 64
    }

    /// The parts, each a list of images in input order.
    func split(_ images: [ResolvedImage]) throws -> [[ResolvedImage]] {
        let costs = try images.map { try Cost(image: $0, omitted: omitted) }
        let tooLarge = images.indices.filter { overhead + costs[$0].alone > maxSize }
        guard tooLarge.isEmpty else {
            throw BundleError.imagesTooLarge(tooLarge.map { (images[$0].reference, overhead + costs[$0].alone) }, maxSize: maxSize)
        }
        var parts: [Part] = []
        let order = images.indices.sorted { costs[$0].alone != costs[$1].alone ? costs[$0].alone > costs[$1].alone : $0 < $1 }
        for index in order {
            let cost = costs[index]
            var best: (part: Int, added: Int64)?
            for (position, part) in parts.enumerated() {
                let added = part.added(by: cost)
                guard part.size + added <= maxSize else { continue }
                if let current = best {
                    let fuller = part.size > parts[current.part].size
                    guard added < current.added || (added == current.added && fuller) else { continue }
                }
                best = (position, added)
            }
            if let best {
                parts[best.part].add(index, cost)
            } else {
                var part = Part(size: overhead)
                part.add(index, cost)
                parts.append(part)
            }
        }
        return parts.map { $0.members.sorted() }.sorted { $0[0] < $1[0] }.map { $0.map { images[$0] } }
    }

    /// What an image brings into a part: each blob the part must hold for it (its tar entry, header
    /// and padding included), and its share of `index.json` and `manifest.json`.
    struct Cost {
        var entries: [Digest: Int64]
        var metadata: Int64

        init(image: ResolvedImage, omitted: Set<Digest>) throws {
            entries = [:]
            for blob in image.manifests + image.blobs {
                // A left-out layer still takes a placeholder's header.
                let isLeftOut = omitted.contains(blob.digest) && !image.configs.contains(blob.digest)
                entries[blob.digest] = isLeftOut ? 512 : 512 + (blob.size + 511) / 512 * 512
            }
            // This image alone in a plan: its index entry and docker entry, plus separators. An
            // upper bound: a docker entry shared with an earlier image adds only a tag.
            let plan = BundlePlan(images: [image])
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            metadata = Int64(try encoder.encode(plan.ociIndex()).count + encoder.encode(plan.dockerEntries()).count) + 2
        }

        var alone: Int64 { entries.values.reduce(metadata, +) }
    }

    struct Part {
        var size: Int64
        var members: [Int] = []
        var held: Set<Digest> = []

        func added(by cost: Cost) -> Int64 {
            cost.entries.reduce(cost.metadata) { sum, entry in held.contains(entry.key) ? sum : sum + entry.value }
        }

        mutating func add(_ index: Int, _ cost: Cost) {
            size += added(by: cost)
            members.append(index)
            held.formUnion(cost.entries.keys)
        }
    }
}

import Archive
import ArgumentParser
import Foundation
import Mirror
import OCI
import Registry

/// `bundle --output json` and `mirror --output json`: the closing summary as one JSON object on
/// stdout, for scripts, like `inspect --output json`. Errors are the words a user would read.
enum RunReport {
    enum Format: String, CaseIterable, ExpressibleByArgument {
        case text, json
    }

    struct Bundle: Encodable {
        struct Image: Encodable {
            var reference: String
            var source: String?
            var digest: String?
            var platforms: [String]?
            /// `bundled` or `failed`.
            var outcome: String
            var error: String?
        }

        struct Archive: Encodable {
            var path: String
            var size: Int64
            var sha256: String
            var images: Int
        }

        struct Delta: Encodable {
            var bases: [DeltaBase]
            var omittedBlobs: Int
            var omittedBytes: Int64
        }

        var output: String?
        /// Each archive written: the one archive, or each part.
        var archives: [Archive]?
        /// The list of parts, when split.
        var parts: String?
        var splitAddedBytes: Int64?
        var repeatedBytes: Int64?
        var delta: Delta?
        var images: [Image]
        var blobs: Int
        var sharedBlobs: Int
        var bytes: Int64
        var blobsFetched: Int
        var bytesFetched: Int64
        var blobsFromCache: Int
        var failures: Int
        var seconds: Double
    }

    struct Mirror: Encodable {
        struct Image: Encodable {
            var source: String
            var destination: String
            var digest: String?
            /// `copied`, `up-to-date` (`would-copy` in a dry run) or `failed`.
            var outcome: String
            var error: String?
        }

        struct Blobs: Encodable {
            var uploaded: Int
            var mounted: Int
            var existing: Int
        }

        var dryRun: Bool
        var images: [Image]
        var blobs: Blobs
        var bytesUploaded: Int64
        var failures: Int
        var mirrorSets: [String]?
        var seconds: Double
    }

    static func bundle(_ summary: BundleSummary, seconds: Double) -> Bundle {
        let bundled = summary.bundled.map {
            Bundle.Image(
                reference: $0.reference.description, source: $0.source.description, digest: $0.top.digest.description,
                platforms: $0.platforms.map(\.description), outcome: "bundled")
        }
        let failed = summary.failures.map {
            Bundle.Image(reference: $0.reference.description, outcome: "failed", error: ErrorHints.message(for: $0.error))
        }
        return Bundle(
            output: summary.output,
            archives: summary.archives.map { Bundle.Archive(path: $0.path, size: $0.size, sha256: $0.sha256.encoded, images: $0.images.count) },
            parts: summary.partsList, splitAddedBytes: summary.partsList == nil ? nil : summary.splitAddedBytes,
            repeatedBytes: summary.partsList == nil ? nil : summary.repeatedBytes,
            delta: summary.bases.isEmpty ? nil : .init(bases: summary.bases, omittedBlobs: summary.omittedBlobs, omittedBytes: summary.omittedBytes),
            images: bundled + failed, blobs: summary.blobs, sharedBlobs: summary.sharedBlobs, bytes: summary.bytes,
            blobsFetched: summary.blobsFetched, bytesFetched: summary.bytesFetched, blobsFromCache: summary.blobsFromCache,
            failures: failed.count, seconds: seconds)
    }

    /// The report of a bundle that wrote nothing: every image that failed, none bundled.
    static func bundle(failures: [ImageFailure], seconds: Double) -> Bundle {
        Bundle(
            output: nil,
            images: failures.map { Bundle.Image(reference: $0.reference.description, outcome: "failed", error: ErrorHints.message(for: $0.error)) },
            blobs: 0, sharedBlobs: 0, bytes: 0, blobsFetched: 0, bytesFetched: 0, blobsFromCache: 0, failures: failures.count, seconds: seconds)
    }

    static func mirror(_ summary: MirrorSummary, dryRun: Bool, mirrorSets: [String]?, seconds: Double) -> Mirror {
        let images = summary.outcomes.map { outcome -> Mirror.Image in
            switch outcome.result {
            case .success(.copied(let digest)):
                Mirror.Image(source: outcome.source.description, destination: outcome.destination.description, digest: digest.description, outcome: dryRun ? "would-copy" : "copied")
            case .success(.upToDate(let digest)):
                Mirror.Image(source: outcome.source.description, destination: outcome.destination.description, digest: digest.description, outcome: "up-to-date")
            case .failure(let error):
                Mirror.Image(source: outcome.source.description, destination: outcome.destination.description, outcome: "failed", error: ErrorHints.message(for: error))
            }
        }
        return Mirror(
            dryRun: dryRun, images: images,
            blobs: .init(uploaded: summary.blobsUploaded, mounted: summary.blobsMounted, existing: summary.blobsExisting),
            bytesUploaded: summary.bytesUploaded, failures: summary.failures.count, mirrorSets: mirrorSets, seconds: seconds)
    }

    static func print(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        Swift.print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}

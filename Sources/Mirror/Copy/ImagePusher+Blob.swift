import Archive
import Foundation
import Registry

extension ImagePusher {
    struct BlobOutcomes: Sendable {
        var uploaded = 0
        var mounted = 0
        var existing = 0
        var bytes: Int64 = 0
        var failures: [BlobKey: String] = [:]
    }

    /// One task per (registry, digest), at most `jobs` at a time. Inside a task the blob goes to the
    /// first repository that needs it (HEAD, else upload) and is mounted into the others.
    func pushBlobs(of images: [CopyImage]) async -> BlobOutcomes {
        var work: [BlobKey: [(CopyImage, Descriptor)]] = [:]
        var order: [BlobKey] = []
        for image in images {
            for blob in image.blobs {
                let key = BlobKey(image.destination, blob.digest)
                if work[key] == nil { order.append(key) }
                if !(work[key]?.contains { $0.0.destination.repository == image.destination.repository } ?? false) {
                    work[key, default: []].append((image, blob))
                }
            }
        }
        return await withTaskGroup(of: (BlobKey, Result<[BlobPushOutcome], Error>, Int64).self) { group in
            var outcomes = BlobOutcomes()
            var next = 0
            func launch() {
                let key = order[next]
                let targets = work[key] ?? []
                next += 1
                group.addTask {
                    do {
                        let (results, bytes) = try await pushBlob(targets)
                        return (key, .success(results), bytes)
                    } catch {
                        return (key, .failure(error), 0)
                    }
                }
            }
            while next < min(jobs, order.count) { launch() }
            for await (key, result, bytes) in group {
                switch result {
                case .success(let results):
                    for outcome in results {
                        switch outcome {
                        case .uploaded: outcomes.uploaded += 1
                        case .mounted: outcomes.mounted += 1
                        case .existed: outcomes.existing += 1
                        }
                    }
                    outcomes.bytes += bytes
                case .failure(let error):
                    outcomes.failures[key] = "\(error)"
                }
                if next < order.count { launch() }
            }
            return outcomes
        }
    }

    /// Puts one blob into every repository of one registry that needs it.
    private func pushBlob(_ targets: [(CopyImage, Descriptor)]) async throws -> ([BlobPushOutcome], Int64) {
        var results: [BlobPushOutcome] = []
        var bytes: Int64 = 0
        var holder: ImageReference.Repository?
        for (image, blob) in targets {
            let client = try await clients.client(for: image.destination)
            let repository = image.destination.repository
            if try await client.hasBlob(blob.digest, in: repository) {
                results.append(.existed)
                holder = holder ?? repository
                continue
            }
            if dryRun {
                results.append(holder == nil ? .uploaded : .mounted)
                logger.notice("would \(holder == nil ? "upload" : "mount") blob \(blob.digest) (\(blob.size) bytes) to \(image.destination.name)")
                holder = holder ?? repository
                continue
            }
            if let holder, try await client.mountBlob(blob.digest, from: holder, into: repository) {
                results.append(.mounted)
                continue
            }
            let (path, offset) = try await location(of: blob, for: image)
            try await client.uploadBlob(blob, from: path, offset: offset, into: repository)
            results.append(.uploaded)
            bytes += blob.size
            holder = holder ?? repository
        }
        return (results, bytes)
    }

    /// The file slice holding the blob: the cache (fetched and verified first) or the archive.
    private func location(of blob: Descriptor, for image: CopyImage) async throws -> (String, Int64) {
        switch image.blobOrigin {
        case .registry(let source):
            try await fetcher.fetch(blob, from: source)
            return (store.path(for: blob.digest), 0)
        case .archive(let path, let offsets):
            guard let offset = offsets[blob.digest] else {
                throw BlobStoreError.unusable(root: path, reason: "the archive has no blob \(blob.digest)")
            }
            return (path, offset)
        }
    }
}

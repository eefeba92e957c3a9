import Foundation
import OCI
import Registry

extension ImagePusher {
    struct BlobOutcomes: Sendable {
        var uploaded = 0
        var mounted = 0
        var existing = 0
        var bytes: Int64 = 0
    }

    struct Results: Sendable {
        var blobs = BlobOutcomes()
        /// By position in the pushed list; an image not here went through.
        var imageFailures: [Int: any Error] = [:]
    }

    /// Where a blob must go: the image (by position) whose repository needs `blob`.
    struct PushTarget: Sendable {
        var position: Int
        var image: CopyImage
        var blob: Descriptor
    }

    private enum Finished: Sendable {
        case blob(BlobKey, Result<[BlobPushOutcome], Error>, bytes: Int64)
        case manifests(position: Int, failure: (any Error)?)
    }

    /// Pushes every blob once per registry, at most `jobs` at a time, and each image's manifests
    /// as soon as the last of its blobs is in. A failed blob fails every image that needs it.
    func pushAll(_ images: [CopyImage]) async -> Results {
        var targets: [BlobKey: [PushTarget]] = [:]
        var order: [BlobKey] = []
        var waiting: [Set<BlobKey>] = Array(repeating: [], count: images.count)
        var needers: [BlobKey: Set<Int>] = [:]
        // The repositories each key already has a target in: a set, so that a base layer 20,000
        // images share costs a lookup per image, not a scan of every earlier one.
        var targetRepositories: [BlobKey: Set<ImageReference.Repository>] = [:]
        for (position, image) in images.enumerated() {
            for blob in image.blobs {
                let key = BlobKey(image.destination, blob.digest)
                if targets[key] == nil { order.append(key) }
                // One target per repository: a blob listed twice, or by two images pushed into the
                // same repository, is sent there once.
                if targetRepositories[key, default: []].insert(image.destination.repository).inserted {
                    targets[key, default: []].append(PushTarget(position: position, image: image, blob: blob))
                }
                waiting[position].insert(key)
                needers[key, default: []].insert(position)
            }
        }

        // Largest first: the biggest blob is the run's critical path, so it should start at once,
        // not after the small ones listed before it (longest-processing-time-first scheduling).
        let size = Dictionary(order.map { ($0, targets[$0]?.first?.blob.size ?? 0) }, uniquingKeysWith: { first, _ in first })
        order = order.enumerated().sorted { lhs, rhs in
            let (left, right) = (size[lhs.element] ?? 0, size[rhs.element] ?? 0)
            return left != right ? left > right : lhs.offset < rhs.offset
        }.map(\.element)

        return await withTaskGroup(of: Finished.self) { group in
            var results = Results()
            var next = 0
            var blobsInFlight = 0
            var manifestsLaunched = Set<Int>()

            func launchBlobs() {
                while blobsInFlight < jobs, next < order.count {
                    let key = order[next]
                    next += 1
                    // Every image that needs this blob has failed already: sending it helps no one.
                    guard (needers[key] ?? []).contains(where: { results.imageFailures[$0] == nil }) else { continue }
                    let work = targets[key] ?? []
                    blobsInFlight += 1
                    group.addTask {
                        do {
                            let (outcomes, bytes) = try await pushBlob(to: work)
                            return .blob(key, .success(outcomes), bytes: bytes)
                        } catch {
                            return .blob(key, .failure(error), bytes: 0)
                        }
                    }
                }
            }
            func launchManifests(_ position: Int) {
                guard results.imageFailures[position] == nil, manifestsLaunched.insert(position).inserted else { return }
                let image = images[position]
                group.addTask {
                    do {
                        try await pushManifests(of: image)
                        return .manifests(position: position, failure: nil)
                    } catch {
                        return .manifests(position: position, failure: error)
                    }
                }
            }
            func fail(_ position: Int, _ error: any Error) {
                guard results.imageFailures[position] == nil else { return }
                results.imageFailures[position] = error
                events(.imageDone(image: position, failure: "\(error)"))
            }

            for position in images.indices where waiting[position].isEmpty { launchManifests(position) }
            launchBlobs()
            for await finished in group {
                switch finished {
                case .blob(let key, .success(let outcomes), let bytes):
                    blobsInFlight -= 1
                    for outcome in outcomes {
                        switch outcome {
                        case .uploaded: results.blobs.uploaded += 1
                        case .mounted: results.blobs.mounted += 1
                        case .existed: results.blobs.existing += 1
                        }
                    }
                    results.blobs.bytes += bytes
                    for position in needers[key] ?? [] {
                        waiting[position].remove(key)
                        if waiting[position].isEmpty { launchManifests(position) }
                    }
                    launchBlobs()
                case .blob(let key, .failure(let error), _):
                    blobsInFlight -= 1
                    for position in (needers[key] ?? []).sorted() { fail(position, error) }
                    launchBlobs()
                case .manifests(let position, let failure):
                    if let failure { fail(position, failure) } else { events(.imageDone(image: position, failure: nil)) }
                }
            }
            return results
        }
    }
}

import Archive
import Foundation
import OCI
import Registry

/// Settings for one `airgap bundle` run.
public struct BundleOptions: Sendable {
    /// The platform to keep from each index; `nil` keeps all (`--all-platforms`).
    public var platform: Platform?
    /// The platform the docker view lists for a multi-platform image.
    public var dockerPlatform: Platform
    /// Blob transfers in flight at once.
    public var jobs: Int
    /// Write the archive of the images that resolved when some do not (their failures are in the
    /// summary); otherwise every failure is reported and nothing is written.
    public var keepGoing: Bool

    public init(platform: Platform? = .default, dockerPlatform: Platform = .default, jobs: Int = Bundler.defaultJobs, keepGoing: Bool = false) {
        self.platform = platform
        self.dockerPlatform = dockerPlatform
        self.jobs = max(1, jobs)
        self.keepGoing = keepGoing
    }
}

/// What a bundle run did, for the closing summary.
public struct BundleSummary: Sendable {
    public var output: String
    /// The images in the archive, in its order.
    public var bundled: [ResolvedImage]
    /// The images left out (`keepGoing`), each with why.
    public var failures: [ImageFailure]
    public var blobs: Int
    public var bytes: Int64
    public var blobsFetched: Int
    public var bytesFetched: Int64
    public var blobsFromCache: Int
    public var sharedBlobs: Int

    public var images: Int { bundled.count }
}

/// An image that could not be brought in, and why.
public struct ImageFailure: Sendable, CustomStringConvertible {
    public var reference: ImageReference
    public var error: any Error

    public var description: String {
        let text = "\(error)"
        return text.contains(reference.description) ? text : "\(reference): \(text)"
    }
}

/// Pulls images from registries into one offline archive.
///
/// Every image is resolved first (manifests only, concurrently), which fixes the archive's contents
/// and order. Then blobs download concurrently into the cache while one writer appends them to the
/// tar in that fixed order, each as soon as it and all before it are verified: the archive is
/// pipelined with the downloads, and the same images always give the same bytes.
public struct Bundler: Sendable {
    /// Measured in bench/ (see BENCHMARKS.md): past 8 the loopback registry gains nothing.
    public static let defaultJobs = 8

    let access: RegistryAccess
    let store: BlobStore
    let options: BundleOptions
    public let progress = TransferProgress()
    let events: @Sendable (BundleEvent) -> Void

    public init(access: RegistryAccess, store: BlobStore, options: BundleOptions, events: @escaping @Sendable (BundleEvent) -> Void = { _ in }) {
        self.access = access
        self.store = store
        self.options = options
        self.events = events
    }

    public func bundle(_ references: [ImageReference], to outputPath: String) async throws -> BundleSummary {
        guard !references.isEmpty else { throw BundleError.noImages }
        // Fail on an unwritable output before any network traffic.
        let writer = try BundleWriter(outputPath: outputPath)
        do {
            let clients = RegistryClientPool(access: access)
            let (images, failures) = try await resolveAll(references, clients: clients)
            if !failures.isEmpty && (!options.keepGoing || images.isEmpty) {
                throw BundleError.unresolved(failures, of: references.count)
            }
            let plan = BundlePlan(images: images)
            events(.planned(totalBytes: plan.totalBytes))
            try await writer.writeMetadata(index: plan.ociIndex(), dockerEntries: plan.dockerEntries())
            for manifest in plan.manifests {
                // Hashed once more as it is copied: small, and read from the cache again since it resolved.
                do {
                    try await writer.appendBlob(manifest, from: store.path(for: manifest.digest))
                } catch let error as BlobStoreError {
                    store.evict(manifest.digest)
                    throw error
                }
                progress.addWritten(manifest.size)
            }
            let fetched = try await transfer(plan, clients: clients, writer: writer)
            try await writer.commit()
            return BundleSummary(
                output: outputPath, bundled: images, failures: failures, blobs: plan.manifests.count + plan.blobs.count,
                bytes: plan.totalBytes, blobsFetched: fetched, bytesFetched: progress.bytesFetched,
                blobsFromCache: plan.blobs.count - fetched, sharedBlobs: plan.sharedBlobCount
            )
        } catch {
            writer.discard()
            throw error
        }
    }

    /// Resolves every image with at most `jobs` in flight, keeping the input order: the images that
    /// resolved, and every one that did not with its reason (all of them, not the first).
    private func resolveAll(_ references: [ImageReference], clients: RegistryClientPool) async throws -> ([ResolvedImage], [ImageFailure]) {
        let resolver = ImageResolver(
            clients: clients, store: store, access: access,
            platform: options.platform, dockerPlatform: options.dockerPlatform
        )
        let events = events
        return try await withThrowingTaskGroup(of: (Int, Result<ResolvedImage, any Error>).self) { group in
            var results = [Result<ResolvedImage, any Error>?](repeating: nil, count: references.count)
            var next = 0
            func launch() {
                let index = next
                next += 1
                group.addTask {
                    do {
                        let image = try await resolver.resolve(references[index])
                        events(.resolved(image))
                        return (index, .success(image))
                    } catch is CancellationError {
                        throw CancellationError()
                    } catch {
                        events(.unresolved(references[index], reason: "\(error)"))
                        return (index, .failure(error))
                    }
                }
            }
            while next < min(options.jobs, references.count) { launch() }
            for try await (index, result) in group {
                results[index] = result
                if next < references.count { launch() }
            }
            var images: [ResolvedImage] = []
            var failures: [ImageFailure] = []
            for (index, result) in results.enumerated() {
                switch result {
                case .success(let image)?: images.append(image)
                case .failure(let error)?: failures.append(ImageFailure(reference: references[index], error: error))
                case nil: break
                }
            }
            return (images, failures)
        }
    }

    /// Downloads the plan's blobs (`jobs` at a time) while appending them in plan order.
    /// Returns how many were transferred rather than found in the cache.
    private func transfer(_ plan: BundlePlan, clients: RegistryClientPool, writer: BundleWriter) async throws -> Int {
        let fetcher = BlobFetcher(clients: clients, store: store, progress: progress, events: events)
        // (plan index, whether this run just downloaded and verified it)
        let (ready, readyContinuation) = AsyncStream<(Int, Bool)>.makeStream()
        let blobs = plan.blobs
        let jobs = options.jobs
        let store = store
        let events = events
        let progress = progress

        return try await withThrowingTaskGroup(of: Int.self) { group in
            // The appender: takes verified blobs in plan order as they become ready.
            group.addTask {
                var waiting: [Int: Bool] = [:]
                var next = 0
                for await (index, fresh) in ready {
                    waiting[index] = fresh
                    while waiting.removeValue(forKey: next) != nil {
                        // The fetcher has just verified the file, downloaded or found in the cache.
                        do {
                            try await writer.appendBlob(blobs[next].descriptor, from: store.path(for: blobs[next].descriptor.digest), verified: true)
                        } catch let error as ArchiveError {
                            throw error  // the output's trouble (a full disk), not the image's
                        } catch {
                            throw BlobFailure(image: blobs[next].source, underlying: error)
                        }
                        progress.addWritten(blobs[next].descriptor.size)
                        events(.blobWritten(blobs[next].descriptor))
                        next += 1
                    }
                }
                try Task.checkCancellation()
                return 0
            }
            // The downloads: a fixed-width window over the plan.
            group.addTask {
                defer { readyContinuation.finish() }
                return try await withThrowingTaskGroup(of: (Int, Bool).self) { downloads in
                    var next = 0
                    var transferred = 0
                    func launch() {
                        let index = next
                        next += 1
                        downloads.addTask {
                            do {
                                return (index, try await fetcher.fetch(blobs[index].descriptor, from: blobs[index].source))
                            } catch is CancellationError {
                                throw CancellationError()
                            } catch {
                                throw BlobFailure(image: blobs[index].source, underlying: error)
                            }
                        }
                    }
                    while next < min(jobs, blobs.count) { launch() }
                    for try await (index, didTransfer) in downloads {
                        if didTransfer { transferred += 1 }
                        readyContinuation.yield((index, didTransfer))
                        if next < blobs.count { launch() }
                    }
                    return transferred
                }
            }
            return try await group.reduce(0, +)
        }
    }
}

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
/// Every image is resolved first (manifests only, concurrently), which fixes the archive's contents,
/// its order, and so every entry's offset (``BundleFile``). Then each blob lands at its place, up
/// to `jobs` at a time in any order: a download is written straight into the archive, once, and
/// copied from there into the cache by the kernel; a cached blob is copied into the archive by the
/// kernel after its verified stamp (or a hash) says it is intact. The same images always give the
/// same bytes, and the archive is renamed into place only when every blob verified.
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
        try BundleFile.checkDestination(outputPath)
        let clients = RegistryClientPool(access: access)
        let (images, failures) = try await resolveAll(references, clients: clients)
        if !failures.isEmpty && (!options.keepGoing || images.isEmpty) {
            throw BundleError.unresolved(failures, of: references.count)
        }
        let plan = BundlePlan(images: images)
        events(.planned(totalBytes: plan.totalBytes))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let file = try BundleFile(
            outputPath: outputPath,
            files: [
                (BundleLayout.ociLayoutFile, BundleLayout.ociLayoutContents),
                (BundleLayout.ociIndexFile, try encoder.encode(plan.ociIndex())),
                (BundleLayout.dockerManifestFile, try encoder.encode(plan.dockerEntries())),
            ],
            blobs: plan.manifests + plan.blobs.map(\.descriptor))
        do {
            for manifest in plan.manifests {
                // Small, and hashed again as it is read (it resolved moments ago, from this cache).
                let bytes = try store.readVerified(manifest.digest)
                try bytes.withUnsafeBytes { try file.slot(for: manifest).write($0) }
                progress.addWritten(manifest.size)
            }
            let fetched = try await transfer(plan, clients: clients, into: file)
            try file.commit()
            return BundleSummary(
                output: outputPath, bundled: images, failures: failures, blobs: plan.manifests.count + plan.blobs.count,
                bytes: plan.totalBytes, blobsFetched: fetched, bytesFetched: progress.bytesFetched,
                blobsFromCache: plan.blobs.count - fetched, sharedBlobs: plan.sharedBlobCount
            )
        } catch {
            file.discard()
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

    /// Puts every blob of the plan at its place, `jobs` at a time. Returns how many were transferred
    /// rather than found in the cache.
    private func transfer(_ plan: BundlePlan, clients: RegistryClientPool, into file: BundleFile) async throws -> Int {
        let blobs = plan.blobs
        return try await withThrowingTaskGroup(of: Bool.self) { group in
            var next = 0
            var transferred = 0
            func launch() {
                let blob = blobs[next]
                next += 1
                group.addTask { try await place(blob, in: file, clients: clients) }
            }
            while next < min(options.jobs, blobs.count) { launch() }
            for try await didTransfer in group {
                if didTransfer { transferred += 1 }
                if next < blobs.count { launch() }
            }
            return transferred
        }
    }

    /// One blob into its place: from the cache when its copy is intact, else downloaded into the
    /// archive (resuming after what an earlier run left) and then kept in the cache. Returns whether
    /// bytes were transferred.
    private func place(_ blob: BundlePlan.Blob, in file: BundleFile, clients: RegistryClientPool) async throws -> Bool {
        let descriptor = blob.descriptor
        let subject = "blob \(descriptor.digest) of \(blob.source.name)"
        do {
            if store.contains(descriptor) {
                if try store.verifiedCopy(descriptor) {
                    try file.copyBody(of: descriptor, from: store.path(for: descriptor.digest))
                    progress.addWritten(descriptor.size)
                    events(.blobCached(descriptor))
                    events(.blobWritten(descriptor))
                    return false
                }
                events(.retrying(subject: subject, reason: "the cache held a damaged copy (evicted)"))
            }
            let slot = try file.slot(for: descriptor)
            if let partial = store.partial(for: descriptor) { try slot.seed(from: partial.path, length: partial.length) }
            let client = try await clients.client(for: blob.source)
            do {
                try await client.download(
                    descriptor, from: blob.source.repository, into: slot,
                    onBytes: { [progress] in progress.addFetched($0) },
                    onRetry: { [events] notice in events(.retrying(subject: subject, reason: "\(notice)")) })
            } catch {
                // A cut download's bytes stay for the next run to resume from.
                store.keepPartial(slot)
                throw error
            }
            progress.addWritten(descriptor.size)
            events(.blobFetched(descriptor))
            events(.blobWritten(descriptor))
            do {
                try store.keep(slot)
            } catch {
                // The archive does not depend on the cache: a full cache disk costs the next run, not this one.
                events(.notCached(descriptor, reason: "\(error)"))
            }
            return true
        } catch let error as CancellationError {
            throw error
        } catch let error as ArchiveError {
            throw error  // the output's trouble (a full disk), not the image's
        } catch {
            throw BlobFailure(image: blob.source, underlying: error)
        }
    }
}

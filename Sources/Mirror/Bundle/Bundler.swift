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
    /// The largest archive to write: the images are split into parts no larger (``ArchiveParts``).
    public var maxPartSize: Int64?
    /// Earlier archives: a delta leaves out every layer they hold (``DeltaBase``).
    public var since: DeltaBases

    public init(
        platform: Platform? = .default, dockerPlatform: Platform = .default, jobs: Int = Bundler.defaultJobs, keepGoing: Bool = false,
        maxPartSize: Int64? = nil, since: DeltaBases = DeltaBases()
    ) {
        self.platform = platform
        self.dockerPlatform = dockerPlatform
        self.jobs = max(1, jobs)
        self.keepGoing = keepGoing
        self.maxPartSize = maxPartSize
        self.since = since
    }
}

/// One archive a run wrote: the archive, or one of its parts.
public struct WrittenArchive: Sendable {
    public var path: String
    public var size: Int64
    /// The file's sha256, also in its checksum file (``ChecksumFile``).
    public var sha256: Digest
    public var images: [ResolvedImage]
}

/// What a bundle run did, for the closing summary.
public struct BundleSummary: Sendable {
    /// The archive asked for (`-o`); with parts, the name they are numbered from.
    public var output: String
    /// What was written: the one archive, or each part in order.
    public var archives: [WrittenArchive]
    /// The list of parts (``ArchiveParts``), when the images were split.
    public var partsList: String?
    /// How many more bytes the parts take than one archive would: layers repeated across parts,
    /// and each part's own headers and index.
    public var splitAddedBytes: Int64
    /// Of those, the bytes of blobs stored in more than one part.
    public var repeatedBytes: Int64
    /// Parts of an earlier run at this name beyond this run's last (`NAME-4.tar` when this run wrote
    /// three): not part of the set, left for the user to remove.
    public var staleParts: [String]
    /// A delta's bases; empty for a full archive.
    public var bases: [DeltaBase]
    /// Layers a delta left out, and their bytes.
    public var omittedBlobs: Int
    public var omittedBytes: Int64
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

    /// Bundles `references` into the archive at `outputPath`, or into parts named after it
    /// (``ArchiveParts/partPath(for:number:)``) when `maxPartSize` is set. Nothing appears at any
    /// output until every archive of the run is complete.
    public func bundle(_ references: [ImageReference], to outputPath: String) async throws -> BundleSummary {
        guard !references.isEmpty else { throw BundleError.noImages }
        // Fail on an unwritable output before any network traffic.
        try BundleFile.checkDestination(outputPath)
        let clients = RegistryClientPool(access: access)
        let (images, failures) = try await resolveAll(references, clients: clients)
        if !failures.isEmpty && (!options.keepGoing || images.isEmpty) {
            throw BundleError.unresolved(failures, of: references.count)
        }
        let held = Set(options.since.held.keys)
        let bases = options.since.bases
        let groups = try options.maxPartSize.map { try BundlePartition(maxSize: $0, omitted: held, bases: bases).split(images) } ?? [images]
        let plans = groups.map { BundlePlan(images: $0, omitting: held, bases: bases) }
        let paths = options.maxPartSize == nil ? [outputPath] : plans.indices.map { ArchiveParts.partPath(for: outputPath, number: $0 + 1) }
        if let maxSize = options.maxPartSize {
            for (plan, path) in zip(plans, paths) where try plan.archiveSize() > maxSize {
                throw ArchiveError(path: path, operation: "plan", message: "the part would be \(try plan.archiveSize()) bytes, over \(maxSize)")
            }
        }
        events(.planned(totalBytes: plans.reduce(0) { $0 + $1.totalBytes }))
        var files: [BundleFile] = []
        do {
            for (plan, path) in zip(plans, paths) {
                files.append(try BundleFile(outputPath: path, files: try plan.rootFiles(), blobs: plan.contents, placeholders: plan.omitted.map(\.digest)))
            }
            for (plan, file) in zip(plans, files) {
                for manifest in plan.manifests {
                    // Small, and hashed again as it is read (it resolved moments ago, from this cache).
                    let bytes = try store.readVerified(manifest.digest)
                    let slot = try file.slot(for: manifest)
                    try bytes.withUnsafeBytes { try slot.write($0) }
                    try slot.commit()
                    progress.addWritten(manifest.size)
                }
            }
            let placements = Self.placements(plans)
            let fetched = try await transfer(placements, clients: clients, into: files)
            var archives: [WrittenArchive] = []
            for (plan, file) in zip(plans, files) {
                let digest = try file.commit()
                archives.append(WrittenArchive(path: file.outputPath, size: file.layout.size, sha256: digest, images: plan.images))
            }
            let parts = try options.maxPartSize == nil
                ? PartsOutcome()
                : Self.finishParts(archives, plans: plans, images: images, held: held, bases: bases, outputPath: outputPath)
            let omitted = Dictionary(plans.flatMap(\.omitted).map { ($0.digest, $0.size) }, uniquingKeysWith: { first, _ in first })
            let uniqueBlobs = Set(plans.flatMap { $0.contents.map(\.digest) }).count
            return BundleSummary(
                output: outputPath, archives: archives, partsList: parts.list, splitAddedBytes: parts.addedBytes,
                repeatedBytes: parts.repeatedBytes, staleParts: parts.stale, bases: bases, omittedBlobs: omitted.count, omittedBytes: omitted.values.reduce(0, +),
                bundled: images, failures: failures, blobs: uniqueBlobs,
                bytes: placements.reduce(0) { $0 + $1.blob.descriptor.size } + Set(plans.flatMap(\.manifests)).totalSize,
                blobsFetched: fetched, bytesFetched: progress.bytesFetched,
                blobsFromCache: placements.count - fetched, sharedBlobs: BundlePlan(images: images).sharedBlobCount
            )
        } catch {
            for file in files { file.discard() }
            throw error
        }
    }

    /// Each blob of the run once, with the archives (by position) it goes into, in plan order.
    static func placements(_ plans: [BundlePlan]) -> [Placement] {
        var placements: [Placement] = []
        var positions: [Digest: Int] = [:]
        for (fileIndex, plan) in plans.enumerated() {
            for blob in plan.blobs {
                if let position = positions[blob.descriptor.digest] {
                    placements[position].files.append(fileIndex)
                } else {
                    positions[blob.descriptor.digest] = placements.count
                    placements.append(Placement(blob: blob, files: [fileIndex]))
                }
            }
        }
        return placements
    }

    struct Placement: Sendable {
        var blob: BundlePlan.Blob
        var files: [Int]
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

    /// Puts every blob at its places, `jobs` at a time. Returns how many were transferred rather
    /// than found in the cache.
    private func transfer(_ placements: [Placement], clients: RegistryClientPool, into files: [BundleFile]) async throws -> Int {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            var next = 0
            var transferred = 0
            func launch() {
                let placement = placements[next]
                next += 1
                group.addTask {
                    let targets = placement.files.map { files[$0] }
                    let didTransfer = try await place(placement.blob, in: targets[0], clients: clients)
                    // A part after the first gets the verified bytes from the first, by the kernel.
                    for other in targets.dropFirst() {
                        try other.copyBody(of: placement.blob.descriptor, from: targets[0])
                        progress.addWritten(placement.blob.descriptor.size)
                    }
                    return didTransfer
                }
            }
            while next < min(options.jobs, placements.count) { launch() }
            for try await didTransfer in group {
                if didTransfer { transferred += 1 }
                if next < placements.count { launch() }
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

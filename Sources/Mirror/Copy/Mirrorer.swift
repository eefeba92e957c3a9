import Archive
import Foundation
import Logging
import OCI
import Registry

/// Settings for one `airgap mirror` run.
public struct MirrorOptions: Sendable {
    /// `nil` copies whole indexes (every platform, digests unchanged); a platform copies one child,
    /// whose digest is the child's, not the index's.
    public var platform: Platform?
    public var jobs: Int
    /// Plan only: report what would be copied, mounted or skipped, and write nothing.
    public var dryRun: Bool
    /// Keep the blobs relayed from registries in the cache, for a later bundle. Off by default: a
    /// relay then writes nothing to disk, as skopeo copy does.
    public var keepBlobs: Bool

    public init(platform: Platform? = nil, jobs: Int = Bundler.defaultJobs, dryRun: Bool = false, keepBlobs: Bool = false) {
        self.platform = platform
        self.jobs = max(1, jobs)
        self.dryRun = dryRun
        self.keepBlobs = keepBlobs
    }
}

/// Copies images registry → registry, or archive → registry, with digests preserved.
///
/// The source and the destination are reached through accesses of their own, as skopeo copy has a
/// source and a destination context: one side's credentials and relaxed checks never reach the
/// other side's registries, even when one registry is on both sides.
public struct Mirrorer: Sendable {
    let source: RegistryAccess
    let destination: RegistryAccess
    let store: BlobStore
    let options: MirrorOptions
    public let progress = TransferProgress()
    let events: @Sendable (MirrorEvent) -> Void

    public init(
        source: RegistryAccess, destination: RegistryAccess, store: BlobStore, options: MirrorOptions,
        events: @escaping @Sendable (MirrorEvent) -> Void = { _ in }
    ) {
        self.source = source
        self.destination = destination
        self.store = store
        self.options = options
        self.events = events
    }

    /// Copies every pair; failures are reported per image in the summary, not thrown, so the images
    /// that did succeed are known.
    public func mirror(_ pairs: [MirrorPair]) async -> MirrorSummary {
        let sources = RegistryClientPool(access: source)
        var resolver = ImageResolver(clients: sources, store: store, access: source, platform: options.platform, dockerPlatform: .default)
        resolver.requiresDockerPlatform = false
        var images: [CopyImage] = []
        var unresolved: [Int: any Error] = [:]
        for (position, pair) in pairs.enumerated() {
            do {
                images.append(try CopyImage(try await resolver.resolve(pair.source), destination: pair.destination, store: store))
            } catch {
                unresolved[position] = error
            }
        }
        var summary = await pusher(sources: sources).push(images)
        // Put the images that could not be resolved back in their places.
        var pushed = summary.outcomes.makeIterator()
        summary.outcomes = pairs.indices.compactMap { position in
            unresolved[position].map { MirrorOutcome(source: pairs[position].source, destination: pairs[position].destination, result: .failure($0)) }
                ?? pushed.next()
        }
        return summary
    }

    /// Pushes every image of an offline archive under `destination` (a registry or registry/prefix,
    /// keeping each image's path and tag), reading blobs straight from the tar. The archive is
    /// verified first: a damaged or hostile archive sends nothing.
    public func mirror(archive: String, to destination: String) async throws -> MirrorSummary {
        let contents = try BundleReader(path: archive).read()
        let verification = BundleVerifier(contents: contents).verify()
        if let problem = verification.errors.first {
            throw MirrorError.archiveInvalid(archive: archive, problem: problem.message, count: verification.errors.count)
        }
        let offsets = try BundleBlobOffsets.scan(archive)
        var images: [CopyImage] = []
        for image in contents.images {
            guard let name = image.referenceName ?? image.containerdName else {
                throw MirrorError.unnamedImage(archive: archive, label: image.label)
            }
            let source = try ImageReference(name)
            images.append(try copyImage(image.descriptor, named: source, from: contents, archive: archive, offsets: offsets,
                                        destination: try MirrorDestination.resolve(destination, for: source)))
        }
        // A delta's left-out layers must be at the destination already: checked before anything is
        // pushed, then mounted where needed; the pusher sends only what the archive holds.
        var deltaOutcome = DeltaLayerCheck.Outcome()
        if let bases = contents.deltaBases {
            let leftOut = Set(images.flatMap(\.blobs).map(\.digest).filter { contents.blobs[$0] == nil })
            let check = DeltaLayerCheck(clients: RegistryClientPool(access: self.destination), dryRun: options.dryRun)
            deltaOutcome = try await check.run(images, leftOut: leftOut, archive: archive, bases: bases)
            for index in images.indices { images[index].blobs.removeAll { leftOut.contains($0.digest) } }
        }
        // Every blob comes from the archive: no source registry is contacted.
        var summary = await pusher(sources: RegistryClientPool(access: RegistryAccess(http: source.http))).push(images)
        summary.blobsExisting += deltaOutcome.existing
        summary.blobsMounted += deltaOutcome.mounted
        return summary
    }

    /// Pushes every part a `.parts` list names (``ArchiveParts``), one after another, each as
    /// ``mirror(archive:to:)`` does. Every part must be there, at the size the list says, before
    /// the first is pushed: a set missing a part is named up front, not after half of it went.
    public func mirror(parts listPath: String, to destination: String) async throws -> MirrorSummary {
        let list = try ArchiveParts.read(listPath)
        let paths = list.archivePaths(relativeTo: listPath)
        for (part, path) in zip(list.parts, paths) {
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value
            guard size == part.size else {
                throw MirrorError.partMissing(list: listPath, part: part.file, reason: size == nil ? "it is missing" : "it is \(size!) bytes, not \(part.size)")
            }
        }
        var total = MirrorSummary()
        for path in paths {
            let summary = try await mirror(archive: path, to: destination)
            total.outcomes += summary.outcomes
            total.blobsUploaded += summary.blobsUploaded
            total.blobsMounted += summary.blobsMounted
            total.blobsExisting += summary.blobsExisting
            total.bytesUploaded += summary.bytesUploaded
        }
        return total
    }

    private func copyImage(
        _ top: Descriptor, named source: ImageReference, from contents: BundleContents, archive: String,
        offsets: [Digest: Int64], destination: ImageReference
    ) throws -> CopyImage {
        var descriptor = top
        descriptor.annotations = nil
        var manifests: [Descriptor] = []
        var blobs: [Descriptor] = []
        if case .index(let index)? = contents.document(for: top) {
            manifests = index.manifests
        }
        for resolved in contents.manifests(of: top) {
            blobs += [resolved.manifest.config] + resolved.manifest.layers
        }
        manifests.append(descriptor)
        var bytes: [Digest: Data] = [:]
        for manifest in manifests {
            guard let data = contents.smallBlobs[manifest.digest] else {
                throw MirrorError.missingManifest(archive: archive, digest: manifest.digest.description)
            }
            bytes[manifest.digest] = data
        }
        return CopyImage(
            source: source, destination: destination, top: descriptor, manifests: manifests,
            manifestBytes: bytes, blobs: blobs, blobOrigin: .archive(path: archive, offsets: offsets))
    }

    private func pusher(sources: RegistryClientPool) -> ImagePusher {
        ImagePusher(
            clients: RegistryClientPool(access: destination), sources: sources, store: store, keepBlobs: options.keepBlobs,
            relayRetry: destination.retry, jobs: options.jobs, dryRun: options.dryRun, logger: destination.logger, progress: progress,
            events: events)
    }
}

public enum MirrorError: Error, Sendable, Equatable, CustomStringConvertible {
    case archiveInvalid(archive: String, problem: String, count: Int)
    case unnamedImage(archive: String, label: String)
    case missingManifest(archive: String, digest: String)
    /// The bytes about to be pushed as a manifest are not the digest they were resolved as.
    case manifestNotItsDigest(reference: String, digest: Digest, actual: Digest)
    /// Layers a delta left out that the destination does not hold: its bases were not mirrored there.
    case deltaLayersMissing(archive: String, bases: [String], missing: [String])
    /// A part a `.parts` list names is not there as listed.
    case partMissing(list: String, part: String, reason: String)

    public var description: String {
        switch self {
        case .archiveInvalid(let archive, let problem, let count):
            return "\(archive) failed verification (\(count) problem\(count == 1 ? "" : "s"); first: \(problem)); nothing was pushed"
        case .unnamedImage(let archive, let label):
            return "\(archive): \(label) has no name (org.opencontainers.image.ref.name): cannot tell where to push it"
        case .missingManifest(let archive, let digest):
            return "\(archive): manifest \(digest) is not in the archive"
        case .manifestNotItsDigest(let reference, let digest, let actual):
            return "\(reference): the manifest bytes to push have digest \(actual), not \(digest); nothing was pushed under its name"
        case .partMissing(let list, let part, let reason):
            return "\(list) lists \(part), but \(reason); nothing was pushed"
        case .deltaLayersMissing(let archive, let bases, let missing):
            let names = bases.isEmpty ? "its base archive" : bases.joined(separator: ", ")
            return "\(archive) is a delta of \(names), and the destination lacks \(missing.count) layer\(missing.count == 1 ? "" : "s") "
                + "it left out; mirror \(names) there first. Nothing was pushed. Missing:\n"
                + missing.map { "  \($0)" }.joined(separator: "\n")
        }
    }
}

import Archive
import Foundation
import OCI
import Registry

/// Turns a reference into a ``ResolvedImage``: resolves the tag with HEAD (tags move), fetches a
/// manifest only when the cache lacks its digest, and picks the platform.
struct ImageResolver: Sendable {
    let clients: RegistryClientPool
    let store: BlobStore
    let access: RegistryAccess
    /// `nil` keeps every platform (`--all-platforms`).
    let platform: Platform?
    /// The platform the docker view lists when every platform is kept.
    let dockerPlatform: Platform
    /// Bundles need that platform for their docker view; a mirror copies an index without one.
    var requiresDockerPlatform = true

    /// Indexes may nest (an index of indexes); deeper than this is refused, which also stops cycles
    /// when a platform is picked. With every platform kept, a cycle is named as one.
    static let maximumDepth = 4

    func resolve(_ reference: ImageReference) async throws -> ResolvedImage {
        var attempts: [ResolveError.Attempt] = []
        for source in try access.pullSources(for: reference) {
            do {
                return try await resolve(reference, from: source)
            } catch let error as CancellationError {
                throw error
            } catch let error as BundleError {
                // The image was found; what it holds is wrong for this request. Another mirror won't fix it.
                throw error
            } catch {
                attempts.append(ResolveError.Attempt(source: source, error: error))
            }
        }
        throw ResolveError(reference: reference, attempts: attempts)
    }

    private func resolve(_ reference: ImageReference, from source: ImageReference) async throws -> ResolvedImage {
        let client = try await clients.client(for: source)
        let top = try await topDescriptor(source, client: client)
        let document = try await manifest(top, of: source, client: client)

        switch document {
        case .image(let manifest):
            try requireImage(manifest, of: source)
            return ResolvedImage(
                reference: reference, source: source, top: top, manifests: [top],
                blobs: [manifest.config] + manifest.layers,
                dockerView: .init(config: manifest.config, layers: manifest.layers),
                platforms: top.platform.map { [$0] } ?? [], configs: [manifest.config.digest]
            )
        case .index(let index):
            if let platform {
                let (child, manifest) = try await pick(platform, in: index, of: source, client: client, depth: 1)
                try requireImage(manifest, of: source)
                return ResolvedImage(
                    reference: reference, source: source, top: child, manifests: [child],
                    blobs: [manifest.config] + manifest.layers,
                    dockerView: .init(config: manifest.config, layers: manifest.layers),
                    platforms: child.platform.map { [$0] } ?? [platform], configs: [manifest.config.digest]
                )
            }
            return try await wholeIndex(reference, source: source, top: top, index: index, client: client)
        }
    }

    /// A bundle is for loaders: a manifest whose config is not an image config (a Helm chart, a
    /// signature, any OCI artifact) would be archived, and then break `podman load` of the whole
    /// archive on every node. Refused here, naming what it is; a mirror copies artifacts as they are.
    private func requireImage(_ manifest: ImageManifest, of source: ImageReference) throws {
        guard requiresDockerPlatform, !manifest.config.mediaType.isImageConfig else { return }
        throw BundleError.notAnImage(reference: source.description, configMediaType: manifest.config.mediaType.rawValue)
    }

    /// By digest, a cached manifest needs no request at all; by tag, one HEAD says whether it moved.
    private func topDescriptor(_ source: ImageReference, client: RegistryClient) async throws -> Descriptor {
        if let digest = source.digest, let cached = try? cachedDescriptor(digest) { return cached }
        return try await client.resolve(source)
    }

    /// Rebuilds the descriptor of a cached manifest from its bytes (verified), so a digest
    /// reference needs no HEAD.
    private func cachedDescriptor(_ digest: Digest) throws -> Descriptor {
        let bytes = try store.readVerified(digest)
        let document = try ManifestDocument(decoding: bytes, contentType: nil)
        return Descriptor(mediaType: document.mediaType, digest: digest, size: Int64(bytes.count))
    }

    /// The manifest `descriptor` names: from the cache (hashed on every read: it is small, and a
    /// changed copy that still decodes would otherwise be pushed or archived as this digest), or
    /// fetched by digest, verified and cached. A damaged cached copy is evicted and fetched again.
    private func manifest(_ descriptor: Descriptor, of source: ImageReference, client: RegistryClient) async throws -> ManifestDocument {
        if store.contains(descriptor) {
            do {
                return try ManifestDocument(decoding: try store.readVerified(descriptor.digest), contentType: descriptor.mediaType)
            } catch let error as BlobStoreError {
                access.logger.warning("\(source): \(error); fetching it again")
            }
        }
        // Refused before the request: the fetch would stop at the cap anyway, with a vaguer message.
        guard descriptor.size <= ManifestDocument.sizeLimit else {
            throw BundleError.manifestTooLarge(reference: source.description, digest: descriptor.digest, size: descriptor.size)
        }
        let fetched = try await client.fetchManifest(source.withDigest(descriptor.digest))
        // The bytes match the digest, so a size that differs is the parent's (or HEAD's) lie; it
        // would otherwise surface later as a short or damaged archive entry.
        guard fetched.bytes.count == descriptor.size else {
            throw BundleError.manifestSizeMismatch(
                reference: source.description, digest: descriptor.digest, declared: descriptor.size, actual: fetched.bytes.count)
        }
        try store.store(fetched.bytes, as: fetched.descriptor)
        return fetched.document
    }

    private func pick(
        _ platform: Platform, in index: ImageIndex, of source: ImageReference, client: RegistryClient, depth: Int
    ) async throws -> (Descriptor, ImageManifest) {
        guard depth <= Self.maximumDepth else { throw BundleError.nestingTooDeep(reference: source.description) }
        guard let child = index.manifest(for: platform) else {
            throw BundleError.platformNotFound(
                reference: source.description, wanted: platform.description,
                available: index.manifests.compactMap { $0.platform.map(\.description) }.filter { $0 != "unknown/unknown" }
            )
        }
        switch try await manifest(child, of: source, client: client) {
        case .image(let manifest): return (child, manifest)
        case .index(let nested): return try await pick(platform, in: nested, of: source, client: client, depth: depth + 1)
        }
    }

    /// `--all-platforms`: the index and every child it lists (attestations included: the OCI layout
    /// must hold everything its index points at).
    private func wholeIndex(
        _ reference: ImageReference, source: ImageReference, top: Descriptor, index: ImageIndex, client: RegistryClient
    ) async throws -> ResolvedImage {
        var manifests = [top]
        var blobs: [Descriptor] = []
        var configs: Set<Digest> = []
        var platforms: [Platform] = []
        var dockerView: ResolvedImage.DockerView?
        var firstImage: ResolvedImage.DockerView?
        // Each entry carries the digests of the indexes above it: a child among them is a cycle.
        var pending: [(Descriptor, ancestors: [Digest])] = index.manifests.map { ($0, [top.digest]) }
        var seen: Set<Digest> = [top.digest]
        while !pending.isEmpty {
            let (child, ancestors) = pending.removeFirst()
            guard !ancestors.contains(child.digest) else {
                throw BundleError.indexCycle(reference: source.description, digest: child.digest)
            }
            guard ancestors.count <= Self.maximumDepth else { throw BundleError.nestingTooDeep(reference: source.description) }
            // Listed twice (two platforms sharing one manifest, two indexes sharing a child): one
            // copy of its bytes is enough, but each listing still names a platform.
            let isFirstListing = seen.insert(child.digest).inserted
            if isFirstListing { manifests.append(child) }
            switch try await manifest(child, of: source, client: client) {
            case .image(let manifest):
                if isFirstListing { blobs += [manifest.config] + manifest.layers }
                configs.insert(manifest.config.digest)
                firstImage = firstImage ?? .init(config: manifest.config, layers: manifest.layers)
                if let platform = child.platform, !platform.isUnknown {
                    platforms.append(platform)
                    if dockerView == nil, dockerPlatform.matches(platform) {
                        dockerView = .init(config: manifest.config, layers: manifest.layers)
                    }
                }
            case .index(let nested):
                if isFirstListing { pending += nested.manifests.map { ($0, ancestors + [child.digest]) } }
            }
        }
        if requiresDockerPlatform, let dockerView, !dockerView.config.mediaType.isImageConfig {
            throw BundleError.notAnImage(reference: source.description, configMediaType: dockerView.config.mediaType.rawValue)
        }
        guard let dockerView = dockerView ?? (requiresDockerPlatform ? nil : firstImage) else {
            throw BundleError.platformNotFound(
                reference: source.description, wanted: dockerPlatform.description, available: platforms.map(\.description)
            )
        }
        return ResolvedImage(
            reference: reference, source: source, top: top, manifests: manifests,
            blobs: blobs, dockerView: dockerView, platforms: platforms, configs: configs
        )
    }
}

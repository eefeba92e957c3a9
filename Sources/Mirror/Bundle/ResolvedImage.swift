import OCI
import Registry

/// An image ready to bundle: which manifest the archive names, where its bytes come from, and
/// every blob it needs.
public struct ResolvedImage: Sendable {
    /// The name the archive gives it (the user's reference, not the mirror's).
    public var reference: ImageReference
    /// Where the bytes came from: `reference` itself or a mirror of it.
    public var source: ImageReference
    /// What `index.json` points at: the platform's manifest, or the whole index with `--all-platforms`.
    public var top: Descriptor
    /// Manifest and index blobs (already in the cache), `top` first.
    public var manifests: [Descriptor]
    /// Configs and layers, in manifest order.
    public var blobs: [Descriptor]
    /// The image the docker view (`manifest.json`) lists.
    public var dockerView: DockerView
    /// The platforms in the archive for this image.
    public var platforms: [Platform]
    /// Which of `blobs` are configs (the rest are layers).
    public var configs: Set<Digest> = []

    public struct DockerView: Sendable, Hashable {
        public var config: Descriptor
        public var layers: [Descriptor]
    }

    /// Bytes of all the image's blobs and manifests, counted once each.
    public var totalSize: Int64 {
        var seen = Set<Digest>()
        return (manifests + blobs).filter { seen.insert($0.digest).inserted }.totalSize
    }
}

/// What went wrong resolving one image, naming it and every place that was tried.
public struct ResolveError: Error, Sendable, CustomStringConvertible {
    public var reference: ImageReference
    /// Each place tried, in order: the mirrors, then the registry itself.
    public var attempts: [Attempt]

    public struct Attempt: Sendable {
        public var source: ImageReference
        public var error: any Error
    }

    public var description: String {
        guard attempts.count > 1 else {
            let error = attempts.first.map { "\($0.error)" } ?? "cannot be resolved"
            // Registry errors already name the image; transport errors name only the URL.
            return error.contains(reference.description) ? error : "\(reference): \(error)"
        }
        let tried = attempts.map { "from \($0.source): \($0.error)" }.joined(separator: "; ")
        return "\(reference): every source failed: \(tried)"
    }
}

/// Plain failures of bundling that are not a registry's or the cache's.
public enum BundleError: Error, Sendable, CustomStringConvertible {
    case noImages
    /// Images that could not be resolved (every one, with its reason), out of `total`.
    case unresolved([ImageFailure], of: Int)
    case platformNotFound(reference: String, wanted: String, available: [String])
    case nestingTooDeep(reference: String)
    /// An index lists itself, or an index above it (only a registry serving unverified bytes could).
    case indexCycle(reference: String, digest: Digest)
    /// A manifest descriptor declares more than the manifest size cap (`ManifestDocument.sizeLimit`).
    case manifestTooLarge(reference: String, digest: Digest, size: Int64)
    /// A manifest's bytes match its digest but not the size its descriptor (or HEAD) declared.
    case manifestSizeMismatch(reference: String, digest: Digest, declared: Int64, actual: Int)
    /// The manifest's config is not an image configuration: an OCI artifact, not an image.
    case notAnImage(reference: String, configMediaType: String)
    /// Images that alone need more than the largest part allowed, with the bytes each needs.
    case imagesTooLarge([(ImageReference, Int64)], maxSize: Int64)

    public var description: String {
        switch self {
        case .noImages:
            return "no images to bundle"
        case .unresolved(let failures, let total):
            guard failures.count > 1 else { return failures.first.map(\.description) ?? "no image could be resolved" }
            return "\(failures.count) of \(total) images cannot be bundled; nothing was written:\n"
                + failures.map { "  \($0)" }.joined(separator: "\n")
        case .platformNotFound(let reference, let wanted, let available):
            return "\(reference) has no \(wanted) image (it has: \(available.joined(separator: ", ")))"
        case .nestingTooDeep(let reference):
            return "\(reference): image indexes nest more than \(ImageResolver.maximumDepth) deep; refusing what looks like a broken or hostile index"
        case .indexCycle(let reference, let digest):
            return "\(reference): index \(digest) lists itself (directly or through a nested index); refusing to follow the cycle"
        case .manifestTooLarge(let reference, let digest, let size):
            return "\(reference): manifest \(digest) declares \(size) bytes, over the \(ManifestDocument.sizeLimit)-byte limit for manifests; nothing was downloaded"
        case .notAnImage(let reference, let configMediaType):
            return "\(reference) is not a container image (its config is \(configMediaType)): loaders cannot load it, and it would break the load of the whole archive"
        case .imagesTooLarge(let images, let maxSize):
            let list = images.map { "\($0.0) (\($0.1) bytes)" }.joined(separator: ", ")
            return images.count == 1
                ? "\(list) is larger alone than a part may be (\(maxSize) bytes); nothing was written"
                : "\(images.count) images are larger alone than a part may be (\(maxSize) bytes): \(list); nothing was written"
        case .manifestSizeMismatch(let reference, let digest, let declared, let actual):
            return "\(reference): manifest \(digest) is \(actual) bytes but was declared as \(declared); the registry or the index that lists it is inconsistent"
        }
    }
}

/// A blob that could not be fetched or archived, with the image it was fetched for: with a
/// hundred images in a run, which one is affected is the first thing a user asks.
public struct BlobFailure: Error, CustomStringConvertible {
    /// Where the blob was pulled from (the first image of the run that needs it).
    public let image: ImageReference
    public let underlying: any Error

    public var description: String { "\(image): \(underlying)" }
}
